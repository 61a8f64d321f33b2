// SPDX-License-Identifier: Apache-2.0
#pragma once
// Post-training quantization of float Dense layers into TFLite-style int8 layers.
//   Range r;  for (x in calibration set) r.observe(activations...)   -> QParams via r.qparams()
//   auto q = make_qdense(float_dense, in_qparams, out_qparams);
// Weights: symmetric per output channel (scale = max|w| / 127). Bias: int32 at in_scale * w_scale.
// Output multipliers are computed here once (constexpr), never per inference. A fused ReLU/ReLU6
// becomes the clamp range of the int8 output, as TFLite fuses it.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/quant/dense_s8.hpp>
#include <ctml/quant/requantize.hpp>

namespace ctml::quant {

// Running min/max of a tensor over calibration data.
struct Range {
  double lo = 0, hi = 0;
  bool any = false;
  template <class T>
  constexpr void observe(const T* v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const double x = static_cast<double>(v[i]);
      if (!any || x < lo) lo = x;
      if (!any || x > hi) hi = x;
      any = true;
    }
  }
  constexpr QParams qparams() const { return choose_qparams(lo, hi); }
};

template <class In, std::size_t U, Activation A>
constexpr QDenseLayer<In, U> make_qdense(const DenseLayer<float, In, U, A>& d, QParams in, QParams out) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t I = In::size;
  QDenseLayer<In, U> q{};
  for (std::size_t o = 0; o < U; ++o) {
    double m = 0;
    for (std::size_t i = 0; i < I; ++i) {
      const double a = d.weights(o, i) < 0 ? -static_cast<double>(d.weights(o, i)) : static_cast<double>(d.weights(o, i));
      m = a > m ? a : m;
    }
    const double w_scale = m > 0 ? m / 127.0 : 1.0;
    for (std::size_t i = 0; i < I; ++i) {
      std::int64_t v = detail::round_away(static_cast<double>(d.weights(o, i)) / w_scale);
      q.weights(o, i) = static_cast<std::int8_t>(v < -127 ? -127 : (v > 127 ? 127 : v));
    }
    const double bias_scale = static_cast<double>(in.scale) * w_scale;
    q.bias[o] = static_cast<std::int32_t>(detail::round_away(static_cast<double>(d.bias[o]) / bias_scale));
    const Multiplier mul = quantize_multiplier(bias_scale / static_cast<double>(out.scale));
    q.multiplier[o] = mul.value;
    q.shift[o] = mul.shift;
  }
  q.input_zero_point = in.zero_point;
  q.output_zero_point = out.zero_point;
  q.act_min = -128;
  q.act_max = 127;
  if constexpr (A == Activation::relu || A == Activation::relu6) q.act_min = out.zero_point > -128 ? out.zero_point : -128;
  if constexpr (A == Activation::relu6) {
    const std::int64_t six = out.zero_point + detail::round_away(6.0 / static_cast<double>(out.scale));
    q.act_max = static_cast<std::int32_t>(six < 127 ? six : 127);
  }
  q.prepare();
  return q;
}

}  // namespace ctml::quant
