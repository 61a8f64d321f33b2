// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fixed-point spectrum steps of TensorFlow Lite Micro's signal library, bit for bit:
//   auto_scale_s16(x, n, y)    y = x * 2^s with s = max(0, 15 - msb(max |x|)): the largest sample
//                              uses the int16 range before the FFT (SignalFftAutoScale); returns s
//   energy_s16(X, lo, hi, e)   e[k] = re^2 + im^2 for k in [lo, hi) (SignalEnergy), in uint32
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/audio/fixed_point.hpp>
#include <ctml/kernels/audio/kiss_rfft_s16.hpp>

namespace ctml::kernels::audio {

constexpr int auto_scale_s16(const std::int16_t* x, std::size_t n, std::int16_t* y) {
  ::ctml::detail::side_effect_fence();
  std::int16_t max = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int16_t v = x[i];
    if (v > max) max = v;
    else if (-v > max) max = static_cast<std::int16_t>(-v);  // -(-32768) wraps to -32768, as TFLM's
  }
  int bits = 16 - static_cast<int>(msb32(static_cast<std::uint32_t>(static_cast<std::int32_t>(max)))) - 1;
  if (bits <= 0) bits = 0;
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<std::int16_t>(x[i] * (1 << bits));
  return bits;
}

constexpr void energy_s16(const Complex<std::int16_t>* x, std::size_t lo, std::size_t hi, std::uint32_t* e) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t k = lo; k < hi; ++k)
    e[k] = static_cast<std::uint32_t>(static_cast<std::int32_t>(x[k].real) * x[k].real +
                                      static_cast<std::int32_t>(x[k].imag) * x[k].imag);
}

}  // namespace ctml::kernels::audio
