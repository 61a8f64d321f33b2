// SPDX-License-Identifier: Apache-2.0
#pragma once
// LEAKY_RELU, int8, as TFLite Micro's reference_ops::QuantizeLeakyRelu computes it:
//   d = x - in_zp
//   y = out_zp + (d >= 0 ? MultiplyByQuantizedMultiplier(d, in_scale / out_scale)
//                        : +-MultiplyByQuantizedMultiplier(d, |in_scale * alpha / out_scale|))
//   clamped to [-128, 127]
// with both ratios formed in float as TFLM's Prepare does (float products and quotients, then
// quantized from double), and a negative alpha applied as the negated product of |alpha|.
// A 256-entry table (table_s8.hpp).
#include <cstdint>
#include <string_view>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/quant/table_s8.hpp>

namespace ctml::quant {

struct LeakyReluParams {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  Multiplier identity{};  // in_scale / out_scale
  Multiplier alpha{};     // |in_scale * alpha / out_scale|
  std::int32_t alpha_negative = 0;
};

struct LeakyReluOp {
  using params_type = LeakyReluParams;
  static constexpr std::string_view name = "QLeakyReLU";
  static constexpr std::int8_t eval(std::int8_t x, const LeakyReluParams& p) {
    // 64-bit on purpose: parameters from a weight blob are not trusted to be in range.
    std::int64_t d = static_cast<std::int64_t>(x) - p.input_zero_point;
    d = d < -65536 ? -65536 : (d > 65536 ? 65536 : d);
    const auto di = static_cast<std::int32_t>(d);
    std::int64_t y = p.output_zero_point;
    if (di >= 0) {
      y += multiply_by_quantized_multiplier(di, checked(p.identity));
    } else {
      const std::int32_t a = multiply_by_quantized_multiplier(di, checked(p.alpha));
      y += p.alpha_negative ? -static_cast<std::int64_t>(a) : a;
    }
    return static_cast<std::int8_t>(y < -128 ? -128 : (y > 127 ? 127 : y));
  }
  // A multiplier TFLite's QuantizeMultiplier can produce (shift within [-31, 30], value >= 0).
  static constexpr Multiplier checked(Multiplier m) {
    if (m.shift < -31 || m.shift > 30 || m.value < 0) return {0, 0};
    return m;
  }
};

template <ShapeType S>
using QLeakyReLULayer = QTableLayer<S, LeakyReluOp>;

template <ShapeType S>
constexpr QLeakyReLULayer<S> make_qleaky_relu(QParams in, float alpha, QParams out) {
  QLeakyReLULayer<S> l{};
  const float a = in.scale * alpha / out.scale;  // float, as TFLM
  const float id = in.scale / out.scale;
  l.params.input_zero_point = in.zero_point;
  l.params.output_zero_point = out.zero_point;
  l.params.identity = quantize_multiplier(static_cast<double>(id));
  l.params.alpha = quantize_multiplier(static_cast<double>(a < 0.0f ? -a : a));
  l.params.alpha_negative = a < 0.0f ? 1 : 0;
  l.prepare();
  return l;
}

}  // namespace ctml::quant
