// SPDX-License-Identifier: Apache-2.0
#pragma once
// Post-training quantization of float Dense layers into TFLite-style int8 layers.
//   Range r;  for (x in calibration set) r.observe(activations...)   -> QParams via r.qparams()
//   auto q = make_qdense(float_dense, in_qparams, out_qparams);
// Weights: symmetric per output channel (scale = max|w| / 127). Bias: int32 at in_scale * w_scale.
// Output multipliers are computed here once (constexpr), never per inference. A fused activation
// (relu, relu6, relu_n1_to_1) becomes the clamp range of the int8 output, as TFLite fuses it.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/quant/dense_s8.hpp>
#include <ctml/quant/quantize_weights.hpp>
#include <ctml/core/requantize.hpp>

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

// The one weight quantizer (quant/quantize_weights.hpp), for a Dense layer and hand-chosen ranges.
template <class In, std::size_t U, Activation A>
constexpr QDenseLayer<In, U> make_qdense(const DenseLayer<float, In, U, A>& d, QParams in, QParams out) {
  QDenseLayer<In, U> q{};
  quantize_weighted<false>(q, d, in, out, A);
  return q;
}

}  // namespace ctml::quant
