// SPDX-License-Identifier: Apache-2.0
#pragma once
// The int8 (or int16) clamp range of a fused activation, as TFLite's CalculateActivationRangeQuantized
// computes it: a real bound r becomes zero_point + round(r / scale), the division in float and the
// rounding half away from zero, intersected with [-128, 127].
//   none          [-128, 127]
//   relu          [q(0), 127]
//   relu6         [q(0), q(6)]
//   relu_n1_to_1  [q(-1), q(1)]
#include <cstdint>
#include <limits>
#include <ctml/core/options.hpp>
#include <ctml/core/requantize.hpp>

namespace ctml::quant {

struct ActivationRange {
  std::int32_t min = -128;
  std::int32_t max = 127;
};

namespace detail {
// zero_point + TfLiteRound(real / scale), with the quotient rounded to float first.
constexpr std::int64_t quantize_bound(float real, QParams q) {
  const float ratio = real / q.scale;
  return q.zero_point + round_away(static_cast<double>(ratio));
}
}  // namespace detail

// T is the activation type: int8 (the default) or int16 (16x8 layers; TFLite clamps to
// [-32768, 32767] the same way).
template <class T = std::int8_t>
constexpr ActivationRange activation_range(Activation a, QParams out) {
  constexpr std::int64_t tmin = std::numeric_limits<T>::min(), tmax = std::numeric_limits<T>::max();
  ActivationRange r{static_cast<std::int32_t>(tmin), static_cast<std::int32_t>(tmax)};
  auto lo = [&](std::int64_t v) { r.min = static_cast<std::int32_t>(v > tmin ? (v < tmax ? v : tmax) : tmin); };
  auto hi = [&](std::int64_t v) { r.max = static_cast<std::int32_t>(v < tmax ? (v > tmin ? v : tmin) : tmax); };
  switch (a) {
    case Activation::none: break;
    case Activation::relu: lo(detail::quantize_bound(0.0f, out)); break;
    case Activation::relu6:
      lo(detail::quantize_bound(0.0f, out));
      hi(detail::quantize_bound(6.0f, out));
      break;
    case Activation::relu_n1_to_1:
      lo(detail::quantize_bound(-1.0f, out));
      hi(detail::quantize_bound(1.0f, out));
      break;
  }
  return r;
}

// A layer whose only parameters are its clamp (pools, a standalone ReLU: input and output share
// quantization q), with TFLite's fused activation act.
template <class L>
constexpr L clamped_layer(QParams q, Activation act) {
  const ActivationRange r = activation_range<typename L::output_type::value_type>(act, q);
  L l{};
  l.act_min = r.min;
  l.act_max = r.max;
  return l;
}

}  // namespace ctml::quant
