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
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/dot.hpp>

namespace ctml::kernels::s8 {

// With the zero points folded into per-filter constants (quant::QSVDFLayer::prepare), both sums
// are plain dot products (modular int32, as TFLite's sums wrap on the device):
//   sum_i w_feature[f][i] (x[i] - x_zp) = feature_bias[f] + sum_i w_feature[f][i] x[i],
//       feature_bias[f] = -x_zp sum_i w_feature[f][i]
//   sum_m w_time[f][m] (s[f][m] - s_zp) = time_bias[f] + sum_m w_time[f][m] s[f][m],
//       time_bias[f] = -s_zp sum_m w_time[f][m]
// the feature rows two at a time (dot_s8_1x2), the time rows with dot_s8 / dot_s16 (SMLAD on the
// Arm DSP extension).
// D: quant::QSVDFLayer (w_feature, w_time, bias, the folded biases, mult1/shift1, mult2/shift2,
// zero points).
template <std::size_t F, std::size_t Units, std::size_t Rank, std::size_t M, class S, class D>
constexpr void svdf_step(const D& d, const std::int8_t* x, S* state, std::int8_t* out, std::int32_t* scratch) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t filters = Units * Rank;
  constexpr std::int32_t lo = std::numeric_limits<S>::min(), hi = std::numeric_limits<S>::max();
  for (std::size_t k = 0; k + 1 < filters * M; ++k) state[k] = state[k + 1];
  const quant::Multiplier m1{d.mult1, static_cast<int>(d.shift1)};
  const std::int32_t s_zp = d.state_zero_point;
  auto push = [&](std::size_t f, std::int32_t acc) {
    acc = quant::multiply_by_quantized_multiplier(acc, m1);
    acc = acc < lo ? lo : (acc > hi ? hi : acc);
    state[f * M + M - 1] = static_cast<S>(s_zp + acc);
  };
  const std::int8_t* wf = d.w_feature.data();
  std::size_t f = 0;
  for (; f + 1 < filters; f += 2) {
    std::int32_t a0 = d.feature_bias[f], a1 = d.feature_bias[f + 1];
    kernels::dot_s8_1x2<F>(x, wf + f * F, wf + (f + 1) * F, a0, a1);
    push(f, a0);
    push(f + 1, a1);
  }
  if constexpr (filters % 2 == 1) push(f, static_cast<std::int32_t>(static_cast<std::uint32_t>(d.feature_bias[f]) + static_cast<std::uint32_t>(kernels::dot_s8<F>(wf + f * F, x))));
  for (std::size_t g = 0; g < filters; ++g) {
    std::int32_t t = 0;
    if constexpr (std::is_same_v<S, std::int8_t>) t = kernels::dot_s8<M>(d.w_time.data() + g * M, state + g * M);
    else t = kernels::dot_s16<M>(d.w_time.data() + g * M, state + g * M);
    scratch[g] = static_cast<std::int32_t>(static_cast<std::uint32_t>(t) + static_cast<std::uint32_t>(d.time_bias[g]));
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
