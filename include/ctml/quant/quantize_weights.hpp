// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float -> int8 parameters of one weighted layer (Dense, Conv2D, DepthwiseConv2D, Conv1D), as
// TFLite's converter quantizes them; the one place this is done (quantize() and make_qdense call it):
//   weights  symmetric per output channel: w_scale[c] = max|w[c]| / 127 (1 for an all-zero
//            channel), w_q = clamp(round_half_away(w / w_scale[c]), -127, 127)
//   bias     int32 at in_scale * w_scale[c], saturated to the int32 range
//   requant  set_output_stage (output_stage_params.hpp, shared with the builders ctml-import's
//            headers call): multipliers of in_scale * w_scale[c] / out_scale, TFLite's
//            activation clamp including relu_n1_to_1
// `ChannelLast`: the output channel is the last weight index (depthwise [kh][kw][c*M]) rather than
// the first (dense [o][i], conv [co][kh][kw][ci]).
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/options.hpp>
#include <ctml/quant/output_stage_params.hpp>
#include <ctml/core/requantize.hpp>

namespace ctml::quant {

// The pieces, also for layers whose weights split into several tensors (quant/lstm_s8.hpp):
// the symmetric scale of n weights, one weight, one bias at its scale.
template <class T>
constexpr double symmetric_weight_scale(const T* w, std::size_t n) {
  double m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = static_cast<double>(w[i]) < 0 ? -static_cast<double>(w[i]) : static_cast<double>(w[i]);
    m = a > m ? a : m;
  }
  return m > 0 ? m / 127.0 : 1.0;
}
constexpr std::int8_t quantize_weight(double w, double scale) {
  const std::int64_t v = detail::round_away(w / scale);
  return static_cast<std::int8_t>(v < -127 ? -127 : (v > 127 ? 127 : v));
}
constexpr std::int32_t quantize_bias(double b, double scale) { return detail::clamp_i32(detail::round_away(b / scale)); }

template <bool ChannelLast, class QL, class FL>
constexpr void quantize_weighted(QL& q, const FL& f, QParams in, QParams out, Activation act) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t C = std::remove_cvref_t<decltype(q.bias)>::size();
  constexpr std::size_t W = std::remove_cvref_t<decltype(f.weights)>::size();
  static_assert(std::remove_cvref_t<decltype(q.weights)>::size() == W, "ctml::quant: weight layouts differ");
  std::array<double, C> wmax{};
  for (std::size_t i = 0; i < W; ++i) {
    const std::size_t c = ChannelLast ? i % C : i / (W / C);
    const double w = static_cast<double>(f.weights[i]);
    const double a = w < 0 ? -w : w;
    wmax[c] = a > wmax[c] ? a : wmax[c];
  }
  std::array<double, C> ws{};
  for (std::size_t c = 0; c < C; ++c) ws[c] = wmax[c] > 0 ? wmax[c] / 127.0 : 1.0;
  for (std::size_t i = 0; i < W; ++i) q.weights[i] = quantize_weight(static_cast<double>(f.weights[i]), ws[ChannelLast ? i % C : i / (W / C)]);
  for (std::size_t c = 0; c < C; ++c) q.bias[c] = quantize_bias(static_cast<double>(f.bias[c]), static_cast<double>(in.scale) * ws[c]);
  set_output_stage(q, in, ws.data(), C, out, act);
  if constexpr (requires { q.prepare(); }) q.prepare();
}

}  // namespace ctml::quant
