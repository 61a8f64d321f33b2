// SPDX-License-Identifier: Apache-2.0
#pragma once
// QUANTIZE (float -> int8, and int8 -> int8 between two quantizations) and DEQUANTIZE (int8 ->
// float): the edges of an int8 model and the places inside one where it changes representation, as
// TFLite's reference kernels compute them.
//   quantize:   q = clamp(round(x / scale) + zp, -128, 127)   x / scale in float, round half away
//               from zero (TfLiteRound), NaN -> zp
//   requantize: q = clamp(MBQM(q_in - zp_in, M) + zp_out), M = QuantizeMultiplier(s_in / s_out)
//               (reference_ops::Requantize; in double, as quantize_common.cc's Prepare)
//   dequantize: x = float(double(scale) * (q - zp))
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>

namespace ctml::quant {

constexpr std::int8_t quantize_s8(float x, QParams q) {
  const float r = x / q.scale;  // float division, as AffineQuantize
  const double d = static_cast<double>(r);
  std::int64_t v = 0;
  if (d != d) v = 0;  // NaN: TFLite's cast is undefined; choose zero_point
  else if (d >= 4294967296.0) v = 1ll << 32;
  else if (d <= -4294967296.0) v = -(1ll << 32);
  else v = detail::round_away(d);
  v += q.zero_point;
  v = v < -128 ? -128 : (v > 127 ? 127 : v);
  return static_cast<std::int8_t>(v);
}

constexpr float dequantize_s8(std::int8_t v, QParams q) {
  return static_cast<float>(static_cast<double>(q.scale) * static_cast<double>(static_cast<std::int32_t>(v) - q.zero_point));
}

template <ShapeType S>
struct QuantizeLayer {
  using input_type = Tensor<float, S>;
  using output_type = Tensor<std::int8_t, S>;
  static constexpr std::string_view name = "Quantize";
  QParams output;
  constexpr auto buffers() { return std::tie(output); }
  constexpr auto buffers() const { return std::tie(output); }
  constexpr void forward(const float* in, std::int8_t* out, std::int8_t*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) out[i] = quantize_s8(in[i], output);
  }
};

template <ShapeType S>
struct RequantizeLayer {
  using input_type = Tensor<std::int8_t, S>;
  using output_type = Tensor<std::int8_t, S>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = "Requantize";
  Multiplier multiplier{};
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  constexpr auto buffers() { return std::tie(multiplier, input_zero_point, output_zero_point); }
  constexpr auto buffers() const { return std::tie(multiplier, input_zero_point, output_zero_point); }
  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) {
      std::int32_t y = multiply_by_quantized_multiplier(static_cast<std::int32_t>(in[i]) - input_zero_point, multiplier) + output_zero_point;
      y = y < -128 ? -128 : (y > 127 ? 127 : y);
      out[i] = static_cast<std::int8_t>(y);
    }
  }
};

template <ShapeType S>
constexpr RequantizeLayer<S> make_requantize(QParams in, QParams out) {
  return {quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale)), in.zero_point, out.zero_point};
}

template <ShapeType S>
struct DequantizeLayer {
  using input_type = Tensor<std::int8_t, S>;
  using output_type = Tensor<float, S>;
  static constexpr std::string_view name = "Dequantize";
  QParams input;
  constexpr auto buffers() { return std::tie(input); }
  constexpr auto buffers() const { return std::tie(input); }
  constexpr void forward(const std::int8_t* in, float* out, float*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) out[i] = dequantize_s8(in[i], input);
  }
};

}  // namespace ctml::quant
