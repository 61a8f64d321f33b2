// SPDX-License-Identifier: Apache-2.0
#pragma once
// QUANTIZE (float -> int8) and DEQUANTIZE (int8 -> float): the edges of an int8 model, as TFLite's
// reference kernels compute them.
//   quantize:   q = clamp(round(x / scale) + zp, -128, 127)   x / scale in float, round half away
//               from zero (TfLiteRound), NaN -> zp
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
