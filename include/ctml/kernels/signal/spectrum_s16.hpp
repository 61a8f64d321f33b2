// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fixed-point spectrum steps of TensorFlow Lite Micro's signal library, bit for bit:
//   auto_scale_s16(x, n, y)    y = x * 2^s with s = max(0, 15 - msb(max |x|)): the largest sample
//                              uses the int16 range before the FFT (SignalFftAutoScale); returns s
//   energy_s16(X, lo, hi, e)   e[k] = re^2 + im^2 for k in [lo, hi) (SignalEnergy), in uint32
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/signal/fixed_point.hpp>
#include <ctml/kernels/signal/complex.hpp>
#if defined(CTML_HAVE_DSP)
#include <arm_acle.h>
#endif

namespace ctml::kernels::signal {

namespace auto_scale_detail {
// The largest and smallest sample.
constexpr void max_min(const std::int16_t* x, std::size_t n, std::int32_t& hi, std::int32_t& lo) {
  std::int32_t mx = 0, mn = 0;
  std::size_t i = 0;
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated() && n >= 2) {
    // Two samples per word: SSUB16 sets a GE flag per lane, SEL keeps the larger / smaller lane.
    std::uint32_t vmax = 0, vmin = 0;
    for (; i + 2 <= n; i += 2) {
      std::uint32_t w;
      std::memcpy(&w, x + i, sizeof w);
      (void)__ssub16(w, vmax);
      vmax = __sel(w, vmax);
      (void)__ssub16(vmin, w);
      vmin = __sel(w, vmin);
    }
    const auto lo16 = [](std::uint32_t v) { return static_cast<std::int32_t>(static_cast<std::int16_t>(v)); };
    const auto hi16 = [](std::uint32_t v) { return static_cast<std::int32_t>(static_cast<std::int16_t>(v >> 16)); };
    mx = lo16(vmax) > hi16(vmax) ? lo16(vmax) : hi16(vmax);
    mn = lo16(vmin) < hi16(vmin) ? lo16(vmin) : hi16(vmin);
  }
#endif
  for (; i < n; ++i) {
    const std::int32_t v = x[i];
    mx = v > mx ? v : mx;
    mn = v < mn ? v : mn;
  }
  hi = mx;
  lo = mn;
}
}  // namespace auto_scale_detail

constexpr int auto_scale_s16(const std::int16_t* x, std::size_t n, std::int16_t* y) {
  ::ctml::detail::side_effect_fence();
  // TFLM's MaxAbs16: the largest |x|, except that -32768 (whose negation wraps) makes the running
  // maximum -32768 and every later sample then replaces it. The common case (no -32768) is
  // max(largest, -smallest); with a -32768 the exact sequential rule runs.
  std::int32_t hi = 0, lo = 0;
  auto_scale_detail::max_min(x, n, hi, lo);
  std::int16_t m = static_cast<std::int16_t>(hi > -lo ? hi : -lo);
  if (lo == -32768) {
    m = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int16_t v = x[i];
      if (v > m) m = v;
      else if (-v > m) m = static_cast<std::int16_t>(-v);
    }
  }
  int bits = 16 - static_cast<int>(msb32(static_cast<std::uint32_t>(static_cast<std::int32_t>(m)))) - 1;
  if (bits <= 0) bits = 0;
  if (bits == 0 && x == y) return 0;
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<std::int16_t>(x[i] * (1 << bits));
  return bits;
}

constexpr void energy_s16(const Complex<std::int16_t>* x, std::size_t lo, std::size_t hi, std::uint32_t* e) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t k = lo; k < hi; ++k)
    e[k] = static_cast<std::uint32_t>(static_cast<std::int32_t>(x[k].real) * x[k].real +
                                      static_cast<std::int32_t>(x[k].imag) * x[k].imag);
}

}  // namespace ctml::kernels::signal
