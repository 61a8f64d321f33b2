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
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
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
  // A multiplier TFLite's QuantizeMultiplier can produce (shift within [-31, 30], value >= 0).
  static constexpr Multiplier checked(Multiplier m) {
    if (m.shift < -31 || m.shift > 30 || m.value < 0) return {0, 0};
    return m;
  }
  // T: std::int8_t, or std::int16_t for 16x8 models (computed per value, not tabulated).
  template <class T>
  static constexpr T eval_as(T x, const LeakyReluParams& p) {
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
    constexpr std::int64_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
    return static_cast<T>(y < lo ? lo : (y > hi ? hi : y));
  }
  // Defined after eval_as (and checked before it): clang evaluates a member function in a constant
  // expression only if its definition comes before the use.
  static constexpr std::int8_t eval(std::int8_t x, const LeakyReluParams& p) { return eval_as<std::int8_t>(x, p); }
};

template <ShapeType S>
using QLeakyReLULayer = QTableLayer<S, LeakyReluOp>;

// The int16 LEAKY_RELU (16x8 models): TFLite's formula per value (a 65536-entry table would not fit).
template <ShapeType S>
struct QLeakyReLU16Layer {
  using input_type = Tensor<std::int16_t, S>;
  using output_type = Tensor<std::int16_t, S>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = "QLeakyReLU16";
  LeakyReluParams params{};
  constexpr auto buffers() { return std::tie(params); }
  constexpr auto buffers() const { return std::tie(params); }
  constexpr void prepare() {}
  constexpr void forward(const std::int16_t* in, std::int16_t* out, std::int16_t*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) out[i] = LeakyReluOp::eval_as<std::int16_t>(in[i], params);
  }
};

// L: QLeakyReLULayer<S> (int8, tabulated) or QLeakyReLU16Layer<S>.
template <ShapeType S, class L = QLeakyReLULayer<S>>
constexpr L make_qleaky_relu(QParams in, float alpha, QParams out) {
  L l{};
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
