// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fully connected, int8 (TFLite FULLY_CONNECTED semantics, per-tensor or per-channel weights):
//   acc[o] = bias[o] + sum_i w[o][i] * (x[i] - in_zp)
//   y[o]   = clamp(MultiplyByQuantizedMultiplier(acc[o], M[o]) + out_zp, act_min, act_max)
// The zero-point term is folded into the bias once (eff_bias = bias - in_zp * sum_i w[o][i]), so
// the inner loop is a plain int8 x int8 -> int32 dot product (kernels/s8/dense.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/dense.hpp>
#include <ctml/kernels/s8/output_stage.hpp>
#include <ctml/quant/output_stage_params.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

template <ShapeType In, std::size_t Units>
struct QDenseLayer : OutputStage {
  static_assert(In::rank == 1, "ctml::quant::QDense expects a rank-1 input; Flatten first");
  static constexpr std::size_t in_features = In::size;
  using input_type = Tensor<std::int8_t, In>;
  using output_type = Tensor<std::int8_t, Shape<Units>>;
  static constexpr std::string_view name = "QDense";
  static constexpr std::size_t macs = Units * in_features;

  using weight_type = Tensor<std::int8_t, Shape<Units, in_features>>;
  using bias_type = Tensor<std::int32_t, Shape<Units>>;

  // The data layout of every weighted int8 layer: OutputStage (zero points, clamp), weights, bias,
  // multiplier, shift, then what prepare() derives.
  weight_type weights;                                // symmetric, zero point 0
  bias_type bias;                                     // scale in_scale * w_scale[o]
  Tensor<std::int32_t, Shape<Units>> multiplier;      // Q31 per output channel
  Tensor<std::int32_t, Shape<Units>> shift;
  Tensor<std::int32_t, Shape<Units>> effective_bias;  // derived: bias - in_zp * sum(w[o])
  // The weights in the layout of this target's fastest kernel (empty where kernels read `weights`).
  using packed_type = typename kernels::s8::DenseFacts<in_features, Units>::packed_type;
  [[no_unique_address]] packed_type packed = packed_type::pack(weights.data());

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }
  // Non-trained data a weight blob carries besides parameters() (requantization and ranges).
  constexpr auto buffers() { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr auto buffers() const { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }

  // Recompute the folded bias after weights, bias or the input zero point change.
  constexpr void prepare() {
    ::ctml::detail::side_effect_fence();
    const std::int8_t* row = weights.data();
    for (std::size_t o = 0; o < Units; ++o, row += in_features) {
      std::int64_t s = 0;
      for (std::size_t i = 0; i < in_features; ++i) s += row[i];
      effective_bias[o] = fold_zero_point(bias[o], input_zero_point, s);
    }
    packed = packed_type::pack(weights.data());
  }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t*) const {
    kernels::s8::dense<in_features, Units>(*this, in, out);
  }
};

// The layer from TFLite's raw values (quant/output_stage_params.hpp): weights [Units][In] and
// bias as stored, the input and output quantization, the weight scale(s), the fused activation.
template <ShapeType In, std::size_t Units>
constexpr QDenseLayer<In, Units> make_qdense(const typename QDenseLayer<In, Units>::weight_type& weights,
                                             const typename QDenseLayer<In, Units>::bias_type& bias, QParams in,
                                             std::initializer_list<double> w_scales, QParams out,
                                             Activation act = Activation::none) {
  return make_weighted_s8<QDenseLayer<In, Units>>(weights, bias, in, w_scales, out, act);
}

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
template <class In, std::size_t U, Activation A>
struct qmap<DenseLayer<float, In, U, A>> : qmap_base {
  using type = QDenseLayer<In, U>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = A;
  static constexpr bool fusable = true;
};
}  // namespace detail

}  // namespace ctml::quant
