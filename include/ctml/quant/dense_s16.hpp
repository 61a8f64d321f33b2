// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fully connected 16x8: int16 activations, int8 weights, TFLite's FULLY_CONNECTED with int16 input
// and output (the converter's "16x8" quantization mode). Math: kernels/s16/dense.hpp.
//   acc[o] = bias[o] + sum_i w[o][i] * x[i]
//   y[o]   = clamp(MultiplyByQuantizedMultiplier(acc[o], M[o]), act_min, act_max)
// Acc is the accumulator and bias type: int64_t (what converters write) or int32_t (a model with
// an int32 bias); each requantizes as TFLite does for that width.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s16/dense.hpp>
#include <ctml/kernels/s16/output_stage.hpp>
#include <ctml/quant/output_stage_params.hpp>

namespace ctml::quant {

template <ShapeType In, std::size_t Units, class Acc = std::int64_t>
struct QDense16x8Layer : OutputStage16x8 {
  static_assert(In::rank == 1, "ctml::quant::QDense16x8Layer expects a rank-1 input; Flatten first");
  static_assert(kernels::s16::is_accumulator_v<Acc>, "a 16x8 layer accumulates in int64_t or int32_t (TFLite's two bias types)");
  static constexpr std::size_t in_features = In::size;
  using input_type = Tensor<std::int16_t, In>;
  using output_type = Tensor<std::int16_t, Shape<Units>>;
  using accumulator_type = Acc;
  static constexpr std::string_view name = "QDense16x8";
  static constexpr std::size_t macs = Units * in_features;

  using weight_type = Tensor<std::int8_t, Shape<Units, in_features>>;
  using bias_type = Tensor<Acc, Shape<Units>>;

  weight_type weights;                            // symmetric, zero point 0
  bias_type bias;                                 // scale in_scale * w_scale[o]
  Tensor<std::int32_t, Shape<Units>> multiplier;  // Q31 per output channel
  Tensor<std::int32_t, Shape<Units>> shift;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }
  constexpr auto buffers() { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr auto buffers() const { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr void prepare() {}  // nothing derived: the zero points are 0

  constexpr void forward(const std::int16_t* in, std::int16_t* out, std::int16_t*) const {
    kernels::s16::dense<in_features, Units, Acc>(*this, in, out);
  }
};

namespace detail {
// Not constexpr on purpose: reached in a constant expression it stops the compiler with this name
// as the message; at run time it traps.
[[noreturn]] inline void int16_activations_must_have_zero_point_0() { __builtin_trap(); }

// A 16x8 layer from TFLite's raw values: int8 weights and the Acc bias as stored, the int16 input
// and output quantization (zero point 0), the weight scale(s) and the fused activation.
template <class QL>
constexpr QL make_weighted_16x8(const typename QL::weight_type& weights, const typename QL::bias_type& bias, QParams in,
                                std::initializer_list<double> w_scales, QParams out, Activation act) {
  if (in.zero_point != 0 || out.zero_point != 0) int16_activations_must_have_zero_point_0();
  return make_weighted_s8<QL>(weights, bias, in, w_scales, out, act);
}
}  // namespace detail

template <ShapeType In, std::size_t Units, class Acc = std::int64_t>
constexpr QDense16x8Layer<In, Units, Acc> make_qdense16x8(const typename QDense16x8Layer<In, Units, Acc>::weight_type& weights,
                                                          const typename QDense16x8Layer<In, Units, Acc>::bias_type& bias,
                                                          QParams in, std::initializer_list<double> w_scales, QParams out,
                                                          Activation act = Activation::none) {
  return detail::make_weighted_16x8<QDense16x8Layer<In, Units, Acc>>(weights, bias, in, w_scales, out, act);
}

}  // namespace ctml::quant
