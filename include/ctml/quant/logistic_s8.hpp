// SPDX-License-Identifier: Apache-2.0
#pragma once
// LOGISTIC, int8, as TFLite Micro's reference_integer_ops::Logistic computes it:
//   d = x - in_zp
//   d <= -radius -> -128,  d >= radius -> 127                     (saturated without evaluation)
//   otherwise  a = MultiplyByQuantizedMultiplier(d, M << shift)   (Q4.27)
//              y = clamp(RoundingDivideByPOT(logistic(a) in Q0.31, 23) - 128, -128, 127)
// logistic is gemmlowp's fixed-point one (fixedpoint.hpp). Output scale 1/256, zero point -128, as
// TFLite requires. Multiplier, shift, radius and
// the 256-entry table are members set once (make_qlogistic), never per inference.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/fixedpoint.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/quant/table_s8.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

inline constexpr QParams logistic_output_qparams{1.0f / 256.0f, -128};

constexpr std::int8_t logistic_s8(std::int8_t x, const fp::InputRescale& p) {
  const std::int32_t d = static_cast<std::int32_t>(x) - p.zero_point;
  if (d <= -p.range_radius) return -128;
  if (d >= p.range_radius) return 127;
  const std::int32_t a = multiply_by_quantized_multiplier(d, {p.multiplier, static_cast<int>(p.left_shift)});
  std::int32_t y = rounding_divide_by_pot(fp::logistic(fp::Fixed<4>{a}).raw, 31 - 8) - 128;
  y = y < -128 ? -128 : (y > 127 ? 127 : y);
  return static_cast<std::int8_t>(y);
}

struct LogisticOp {
  using params_type = fp::InputRescale;
  static constexpr std::string_view name = "QLogistic";
  static constexpr std::int8_t eval(std::int8_t x, const fp::InputRescale& p) { return logistic_s8(x, p); }
};

// A lookup table of logistic_s8 over the 256 input bytes (table_s8.hpp).
template <ShapeType S>
using QLogisticLayer = QTableLayer<S, LogisticOp>;

template <ShapeType S>
constexpr QLogisticLayer<S> make_qlogistic(QParams in) {
  QLogisticLayer<S> l{};
  l.params = fp::make_input_rescale<4>(static_cast<double>(in.scale), in.zero_point);
  l.prepare();
  return l;
}

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
template <class S>
struct qmap<SigmoidLayer<float, S>> : qmap_base {
  using type = QLogisticLayer<S>;
  static constexpr QKind kind = QKind::logistic;
};
}  // namespace detail

}  // namespace ctml::quant
