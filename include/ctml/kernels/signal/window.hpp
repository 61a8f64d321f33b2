// SPDX-License-Identifier: Apache-2.0
#pragma once
// Analysis windows, as compile-time tables, and their application.
//   hann_periodic<L>    w[n] = 0.5 - 0.5 cos(2 pi n / L)        (tf.signal.hann_window, periodic;
//                                                                 numpy/scipy "sym=False")
//   hann_symmetric<L>   w[n] = 0.5 - 0.5 cos(2 pi n / (L - 1))  (numpy.hanning)
//   hamming_periodic<L>, hamming_symmetric<L>   0.54 - 0.46 cos(...)
//   hann_tflm_s16<L, B> round_half_even(2^B (0.5 - 0.5 cos(2 pi (n + 0.5) / L)))  TFLM's
//                       window_op.hann_window_weights (the micro_speech front end, B = 12)
//   apply_window_s16(x, w, shift, y)   y = saturate_int16((x * w) >> shift)  (TFLM SignalWindow)
//   apply_window(x, w, y)              y = x * w (float)
// The tables are computed by the compiler (math::series), identical on every target.
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/core/target.hpp>
#if defined(CTML_HAVE_DSP)
#include <arm_acle.h>
#endif

namespace ctml::kernels::signal {

namespace window_detail {
inline constexpr double two_pi = 6.283185307179586476925286766559;
template <std::size_t L>
constexpr std::array<float, L> cosine_window(double a0, double a1, double period) {
  std::array<float, L> w{};
  for (std::size_t n = 0; n < L; ++n)
    w[n] = static_cast<float>(a0 - a1 * math::series::cos(two_pi * static_cast<double>(n) / period));
  return w;
}
}  // namespace window_detail

template <std::size_t L>
inline constexpr std::array<float, L> hann_periodic = window_detail::cosine_window<L>(0.5, 0.5, static_cast<double>(L));
template <std::size_t L>
inline constexpr std::array<float, L> hann_symmetric =
    window_detail::cosine_window<L>(0.5, 0.5, static_cast<double>(L > 1 ? L - 1 : 1));
template <std::size_t L>
inline constexpr std::array<float, L> hamming_periodic = window_detail::cosine_window<L>(0.54, 0.46, static_cast<double>(L));
template <std::size_t L>
inline constexpr std::array<float, L> hamming_symmetric =
    window_detail::cosine_window<L>(0.54, 0.46, static_cast<double>(L > 1 ? L - 1 : 1));

template <std::size_t L, unsigned Bits>
inline constexpr std::array<std::int16_t, L> hann_tflm_s16 = [] {
  static_assert(Bits <= 14, "ctml::kernels::signal::hann_tflm_s16: at most 14 scaling bits (weights are int16)");
  std::array<std::int16_t, L> w{};
  for (std::size_t n = 0; n < L; ++n) {
    const double v = 0.5 - 0.5 * math::series::cos(window_detail::two_pi / static_cast<double>(L) * (static_cast<double>(n) + 0.5));
    w[n] = static_cast<std::int16_t>(math::round_half_even(v * static_cast<double>(1u << Bits)));
  }
  return w;
}();

constexpr void apply_window_s16(const std::int16_t* x, const std::int16_t* w, std::size_t n, unsigned shift, std::int16_t* y) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t raw = (static_cast<std::int32_t>(x[i]) * w[i]) >> shift;
#if defined(CTML_HAVE_DSP)
    if (!std::is_constant_evaluated()) {
      y[i] = static_cast<std::int16_t>(__ssat(raw, 16));  // one SSAT instead of two compares
      continue;
    }
#endif
    y[i] = static_cast<std::int16_t>(raw < -32768 ? -32768 : (raw > 32767 ? 32767 : raw));
  }
}

constexpr void apply_window(const float* x, const float* w, std::size_t n, float* y) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] * w[i];
}

}  // namespace ctml::kernels::signal
