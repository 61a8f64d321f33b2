// SPDX-License-Identifier: Apache-2.0
#pragma once
// HARD_SWISH, int8, as TFLite Micro's reference_ops::HardSwish<int8_t> computes it (int16 fixed
// point, gemmlowp's roundings):
//   v      = (x - in_zp) * 2^7                                       (the "hires" input, int16)
//   pre    = SRDHM16(v, out_mult16)                                  (v on the output scale)
//   r      = v, saturating-left-shifted by reluish_exp - 1 if > 0, SRDHM16 by reluish_mult16,
//            saturating-left-shifted by 1 if reluish_exp > 0, RoundingDivideByPOT(-reluish_exp)
//            if < 0                                                   (x / 3 in Q15, [-1, 1])
//   r      = (r + 2^15) >> 1                                         ([0, 1] in Q15)
//   y      = RoundingDivideByPOT(SDHM16(r, pre), -out_exp) + out_zp, clamped to int8
// SRDHM16 rounds to nearest (gemmlowp), SDHM16 truncates toward zero (TFLite's
// SaturatingDoublingHighMul). Multipliers from in_scale / 128 / out_scale and
// in_scale / 128 / (3 / 32768), formed in float and quantized to Q31 then rounded to Q15, as
// TFLM's Prepare does. A 256-entry table (table_s8.hpp).
#include <cstdint>
#include <limits>
#include <string_view>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/quant/table_s8.hpp>

namespace ctml::quant {

struct HardSwishParams {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  std::int32_t output_multiplier_q15 = 0;
  std::int32_t output_exponent = 0;   // <= 0
  std::int32_t reluish_multiplier_q15 = 0;
  std::int32_t reluish_exponent = 0;
};

namespace detail {
constexpr std::int16_t sat16(std::int64_t v) {
  return static_cast<std::int16_t>(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
}
// gemmlowp SaturatingRoundingDoublingHighMul<int16_t>.
constexpr std::int16_t srdhm16(std::int16_t a, std::int16_t b) {
  if (a == b && a == std::numeric_limits<std::int16_t>::min()) return std::numeric_limits<std::int16_t>::max();
  const std::int32_t ab = static_cast<std::int32_t>(a) * b;
  const std::int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<std::int16_t>((ab + nudge) / (1 << 15));
}
// TFLite's SaturatingDoublingHighMul (toward zero).
constexpr std::int16_t sdhm16(std::int16_t a, std::int16_t b) {
  if (a == b && a == std::numeric_limits<std::int16_t>::min()) return std::numeric_limits<std::int16_t>::max();
  return static_cast<std::int16_t>((static_cast<std::int32_t>(a) * b) / (1 << 15));
}
constexpr std::int16_t saturating_left_shift16(std::int16_t v, int amount) {
  return sat16(static_cast<std::int64_t>(v) * (std::int64_t{1} << amount));
}
constexpr std::int16_t rounding_divide_by_pot16(std::int16_t x, int e) {
  const std::int32_t mask = (1 << e) - 1;
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<std::int16_t>((x >> e) + (remainder > threshold ? 1 : 0));
}
// TFLite DownScaleInt32ToInt16Multiplier.
constexpr std::int32_t q31_to_q15(std::int32_t m) {
  if (m >= std::numeric_limits<std::int32_t>::max() - (1 << 15)) return std::numeric_limits<std::int16_t>::max();
  return (m + (1 << 15)) >> 16;
}
}  // namespace detail

struct HardSwishOp {
  using params_type = HardSwishParams;
  static constexpr std::string_view name = "QHardSwish";
  static constexpr std::int8_t eval(std::int8_t x, const HardSwishParams& p) {
    namespace d = detail;
    // Parameters from a weight blob are not trusted: keep every shift in range.
    const int out_e = p.output_exponent < -15 ? 15 : (p.output_exponent > 0 ? 0 : -p.output_exponent);
    const int rel_e = p.reluish_exponent < -15 ? -15 : (p.reluish_exponent > 15 ? 15 : p.reluish_exponent);
    const std::int16_t out_m = d::sat16(p.output_multiplier_q15), rel_m = d::sat16(p.reluish_multiplier_q15);
    const std::int16_t v = d::sat16((static_cast<std::int64_t>(x) - p.input_zero_point) * 128);
    const std::int16_t pre = d::srdhm16(v, out_m);
    std::int16_t r = v;
    if (rel_e > 0) r = d::saturating_left_shift16(r, rel_e - 1);
    r = d::srdhm16(r, rel_m);
    if (rel_e > 0) r = d::saturating_left_shift16(r, 1);
    if (rel_e < 0) r = d::rounding_divide_by_pot16(r, -rel_e);
    r = static_cast<std::int16_t>((static_cast<std::int32_t>(r) + (1 << 15)) >> 1);
    std::int32_t y = d::rounding_divide_by_pot16(d::sdhm16(r, pre), out_e);
    y += p.output_zero_point;
    return static_cast<std::int8_t>(y < -128 ? -128 : (y > 127 ? 127 : y));
  }
};

template <ShapeType S>
using QHardSwishLayer = QTableLayer<S, HardSwishOp>;

template <ShapeType S>
constexpr QHardSwishLayer<S> make_qhard_swish(QParams in, QParams out) {
  QHardSwishLayer<S> l{};
  const float hires = (1.0f / 128.0f) * in.scale;  // float, as TFLM's Prepare
  const Multiplier om = quantize_multiplier(static_cast<double>(hires / out.scale));
  const Multiplier rm = quantize_multiplier(static_cast<double>(hires / (3.0f / 32768.0f)));
  l.params.input_zero_point = in.zero_point;
  l.params.output_zero_point = out.zero_point;
  l.params.output_multiplier_q15 = detail::q31_to_q15(om.value);
  l.params.output_exponent = om.shift;
  l.params.reluish_multiplier_q15 = detail::q31_to_q15(rm.value);
  l.params.reluish_exponent = rm.shift;
  l.prepare();
  return l;
}

}  // namespace ctml::quant
