// SPDX-License-Identifier: Apache-2.0
#pragma once
// QUANTIZE (float -> int8 or int16, and between two integer quantizations) and DEQUANTIZE
// (int8 or int16 -> float): the edges of a quantized model and the places inside one where it
// changes representation, as TFLite's reference kernels compute them.
//   quantize:   q = clamp(round(x / scale) + zp, the type's range)   x / scale in float, round
//               half away from zero (TfLiteRound), NaN -> zp
//   requantize: q = clamp(MBQM(q_in - zp_in, M) + zp_out), M = QuantizeMultiplier(s_in / s_out)
//               (reference_ops::Requantize; in double, as quantize_common.cc's Prepare)
//   dequantize: x = float(double(scale) * (q - zp))
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>

namespace ctml::quant {

// x as a T (int8 or int16) of quantization q, as TFLite's AffineQuantize.
template <class T>
constexpr T quantize_to(float x, QParams q) {
  static_assert(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>, "quantize to int8 or int16");
  constexpr std::int64_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  const float r = x / q.scale;  // float division, as AffineQuantize
  const double d = static_cast<double>(r);
  std::int64_t v = 0;
  if (d != d) v = 0;  // NaN: TFLite's cast is undefined; choose zero_point
  else if (d >= 4294967296.0) v = 1ll << 32;
  else if (d <= -4294967296.0) v = -(1ll << 32);
  else v = detail::round_away(d);
  v += q.zero_point;
  v = v < lo ? lo : (v > hi ? hi : v);
  return static_cast<T>(v);
}

template <class T>
constexpr float dequantize_from(T v, QParams q) {
  return static_cast<float>(static_cast<double>(q.scale) * static_cast<double>(static_cast<std::int32_t>(v) - q.zero_point));
}

constexpr std::int8_t quantize_s8(float x, QParams q) { return quantize_to<std::int8_t>(x, q); }
constexpr float dequantize_s8(std::int8_t v, QParams q) { return dequantize_from(v, q); }
constexpr std::int16_t quantize_s16(float x, QParams q) { return quantize_to<std::int16_t>(x, q); }
constexpr float dequantize_s16(std::int16_t v, QParams q) { return dequantize_from(v, q); }

// float -> T (int8 by default, or int16).
template <ShapeType S, class T = std::int8_t>
struct QuantizeLayer {
  using input_type = Tensor<float, S>;
  using output_type = Tensor<T, S>;
  static constexpr std::string_view name = "Quantize";
  QParams output;
  constexpr auto buffers() { return std::tie(output); }
  constexpr auto buffers() const { return std::tie(output); }
  constexpr void forward(const float* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) out[i] = quantize_to<T>(in[i], output);
  }
};

// In -> Out, each int8 or int16 (TFLite's QUANTIZE between integer tensors).
template <ShapeType S, class In = std::int8_t, class Out = In>
struct RequantizeLayer {
  using input_type = Tensor<In, S>;
  using output_type = Tensor<Out, S>;
  static constexpr bool in_place = sizeof(In) == sizeof(Out);
  static constexpr std::string_view name = "Requantize";
  Multiplier multiplier{};
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  constexpr auto buffers() { return std::tie(multiplier, input_zero_point, output_zero_point); }
  constexpr auto buffers() const { return std::tie(multiplier, input_zero_point, output_zero_point); }
  constexpr void forward(const In* in, Out* out, Out*) const {
    constexpr std::int32_t lo = std::numeric_limits<Out>::min(), hi = std::numeric_limits<Out>::max();
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) {
      std::int32_t y = multiply_by_quantized_multiplier(static_cast<std::int32_t>(in[i]) - input_zero_point, multiplier) + output_zero_point;
      y = y < lo ? lo : (y > hi ? hi : y);
      out[i] = static_cast<Out>(y);
    }
  }
};

template <ShapeType S, class In = std::int8_t, class Out = In>
constexpr RequantizeLayer<S, In, Out> make_requantize(QParams in, QParams out) {
  return {quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale)), in.zero_point, out.zero_point};
}

// T (int8 by default, or int16) -> float.
template <ShapeType S, class T = std::int8_t>
struct DequantizeLayer {
  using input_type = Tensor<T, S>;
  using output_type = Tensor<float, S>;
  static constexpr std::string_view name = "Dequantize";
  QParams input;
  constexpr auto buffers() { return std::tie(input); }
  constexpr auto buffers() const { return std::tie(input); }
  constexpr void forward(const T* in, float* out, float*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) out[i] = dequantize_from(in[i], input);
  }
};

}  // namespace ctml::quant
