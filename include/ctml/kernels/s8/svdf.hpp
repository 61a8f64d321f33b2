// SPDX-License-Identifier: Apache-2.0
#pragma once
// One SVDF step, int8 (TFLite Micro's EvalIntegerSvdfReference: int8 input, feature weights and
// output; the state and time weights int16 or int8, S):
//   shift the [filters][M] state left by one value (flat, as TFLite)
//   s[f][M-1] = S(s_zp + clamp_S(MBQM(sum_i w_feature[f][i] (x[i] - x_zp), M1)))
//   t[f]      = sum_m w_time[f][m] (s[f][m] - s_zp)                        (int32)
//   y[u]      = clamp8(MBQM(bias[u] + sum_{r<R} t[u*R+r], M2) + y_zp)
// with M1 = x_scale w_feature_scale / s_scale and M2 = s_scale w_time_scale / y_scale, both
// computed in float as TFLite's Prepare does. The fused activation is not applied (TFLM's
// integer SVDF does not). Scratch: filters int32 values.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/requantize.hpp>

namespace ctml::kernels::s8 {

// D: quant::QSVDFLayer (w_feature, w_time, bias, mult1/shift1, mult2/shift2, zero points).
template <std::size_t F, std::size_t Units, std::size_t Rank, std::size_t M, class S, class D>
constexpr void svdf_step(const D& d, const std::int8_t* x, S* state, std::int8_t* out, std::int32_t* scratch) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t filters = Units * Rank;
  constexpr std::int32_t lo = std::numeric_limits<S>::min(), hi = std::numeric_limits<S>::max();
  for (std::size_t k = 0; k + 1 < filters * M; ++k) state[k] = state[k + 1];
  for (std::size_t f = 0; f < filters; ++f) {
    std::int32_t acc = 0;
    for (std::size_t i = 0; i < F; ++i) acc += static_cast<std::int32_t>(d.w_feature[f * F + i]) * (static_cast<std::int32_t>(x[i]) - d.input_zero_point);
    acc = quant::multiply_by_quantized_multiplier(acc, {d.mult1, static_cast<int>(d.shift1)});
    acc = acc < lo ? lo : (acc > hi ? hi : acc);
    state[f * M + M - 1] = static_cast<S>(d.state_zero_point + acc);
  }
  for (std::size_t f = 0; f < filters; ++f) {
    std::int32_t acc = 0;
    for (std::size_t m = 0; m < M; ++m)
      acc += static_cast<std::int32_t>(d.w_time[f * M + m]) * (static_cast<std::int32_t>(state[f * M + m]) - d.state_zero_point);
    scratch[f] = acc;
  }
  for (std::size_t u = 0; u < Units; ++u) {
    std::int32_t acc = d.bias[u];
    for (std::size_t r = 0; r < Rank; ++r) acc += scratch[u * Rank + r];
    std::int32_t y = quant::multiply_by_quantized_multiplier(acc, {d.mult2, static_cast<int>(d.shift2)}) + d.output_zero_point;
    y = y < -128 ? -128 : (y > 127 ? 127 : y);
    out[u] = static_cast<std::int8_t>(y);
  }
}

}  // namespace ctml::kernels::s8
