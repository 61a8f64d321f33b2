// SPDX-License-Identifier: Apache-2.0
#pragma once
// SVDF int8, bit-exact with TFLite Micro's SVDF (int8 input, feature weights and output, int32
// bias; state and time weights int16, S = std::int16_t, or int8): one frame per call, the state
// ([filters][Memory] of S) in the caller's Model::state_type, reset as TFLM resets its variable
// tensor (int16: 0; int8: the state's zero point). Math: kernels/s8/svdf.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/svdf.hpp>

namespace ctml::quant {

template <std::size_t F, std::size_t Units, std::size_t Rank, std::size_t Memory, class S = std::int16_t>
struct QSVDFLayer {
  static_assert(std::is_same_v<S, std::int16_t> || std::is_same_v<S, std::int8_t>, "an SVDF's state is int16 or int8 (TFLite's two forms)");
  static_assert(Units > 0 && Rank > 0 && Memory > 0 && F > 0, "ctml::quant::QSVDF needs features, units, rank and memory of at least 1");
  static constexpr std::size_t filters = Units * Rank;
  using input_type = Tensor<std::int8_t, Shape<F>>;
  using output_type = Tensor<std::int8_t, Shape<Units>>;
  using scratch_value_type = std::int32_t;
  static constexpr std::string_view name = "QSVDF";
  static constexpr std::size_t macs = filters * (F + Memory);
  static constexpr std::size_t scratch_size = filters;

  Tensor<std::int8_t, Shape<filters, F>> w_feature;
  Tensor<S, Shape<filters, Memory>> w_time;
  Tensor<std::int32_t, Shape<Units>> bias;
  std::int32_t mult1 = 0, shift1 = 0, mult2 = 0, shift2 = 0;
  std::int32_t input_zero_point = 0, state_zero_point = 0, output_zero_point = 0;
  // Derived by prepare(): the zero-point terms of the two sums (kernels/s8/svdf.hpp).
  Tensor<std::int32_t, Shape<filters>> feature_bias;  // -x_zp sum_i w_feature[f][i]
  Tensor<std::int32_t, Shape<filters>> time_bias;     // -s_zp sum_m w_time[f][m]

  constexpr void prepare() {
    for (std::size_t f = 0; f < filters; ++f) {
      std::int32_t sf = 0, st = 0;
      for (std::size_t i = 0; i < F; ++i) sf += w_feature[f * F + i];
      for (std::size_t m = 0; m < Memory; ++m) st += w_time[f * Memory + m];
      // Modular, as the kernel's sums (|sum| <= 2^15 Memory: a product with an int8 zero point
      // stays far from 2^31 for any memory a device holds).
      feature_bias[f] = static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(input_zero_point) * static_cast<std::uint32_t>(sf));
      time_bias[f] = static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(state_zero_point) * static_cast<std::uint32_t>(st));
    }
  }

  constexpr auto parameters() { return std::tie(w_feature, w_time, bias); }
  constexpr auto parameters() const { return std::tie(w_feature, w_time, bias); }
  constexpr auto buffers() { return std::tie(mult1, shift1, mult2, shift2, input_zero_point, state_zero_point, output_zero_point); }
  constexpr auto buffers() const { return std::tie(mult1, shift1, mult2, shift2, input_zero_point, state_zero_point, output_zero_point); }

  struct state_type {
    S memory[filters * Memory];
  };
  constexpr void reset(state_type& s) const {
    for (auto& v : s.memory) v = std::is_same_v<S, std::int8_t> ? static_cast<S>(state_zero_point) : S{0};
  }
  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int32_t* scratch, state_type& s) const {
    kernels::s8::svdf_step<F, Units, Rank, Memory, S>(*this, in, s.memory, out, scratch);
  }
};

// From TFLite's raw values: the weights and bias as stored (bias zeros when the model has none),
// the input, state and output quantization and the two weight scales. The multipliers as TFLM's
// Prepare computes them: the scale products in float, then QuantizeMultiplier.
template <std::size_t F, std::size_t Units, std::size_t Rank, std::size_t Memory, class S = std::int16_t>
constexpr QSVDFLayer<F, Units, Rank, Memory, S> make_qsvdf(const Tensor<std::int8_t, Shape<Units * Rank, F>>& w_feature,
                                                           const Tensor<S, Shape<Units * Rank, Memory>>& w_time,
                                                           const Tensor<std::int32_t, Shape<Units>>& bias, QParams input,
                                                           float w_feature_scale, QParams state, float w_time_scale, QParams output) {
  QSVDFLayer<F, Units, Rank, Memory, S> q{};
  q.w_feature = w_feature;
  q.w_time = w_time;
  q.bias = bias;
  const Multiplier m1 = quantize_multiplier(static_cast<double>(input.scale * w_feature_scale / state.scale));
  const Multiplier m2 = quantize_multiplier(static_cast<double>(state.scale * w_time_scale / output.scale));
  q.mult1 = m1.value, q.shift1 = m1.shift, q.mult2 = m2.value, q.shift2 = m2.shift;
  q.input_zero_point = input.zero_point;
  q.state_zero_point = state.zero_point;
  q.output_zero_point = output.zero_point;
  q.prepare();
  return q;
}

}  // namespace ctml::quant
