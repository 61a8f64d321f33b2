// SPDX-License-Identifier: Apache-2.0
#pragma once
// ADD, SUB, MUL of an int8 (or, for 16x8 models, int16) activation and a constant tensor (TFLite's reference_integer_ops, the
// constant broadcast along the activation's trailing axes), as TFLite Micro computes them:
//   ADD / SUB: a' = MBQM((a - zp_a) * 2^20, M_a), b' likewise,
//              y = clamp(MBQM(a' +- b', M_out) + zp_out, act)   (the multipliers of add_s8.hpp;
//              SUB forms its ratios in float, ADD in double, as TFLM's Prepare does)
//   MUL:       y = clamp(MBQM((a - zp_a) * (b - zp_b), s_a s_b / s_out) + zp_out, act)
//   MAXIMUM / MINIMUM: max(a, b) / min(a, b) of the int8 values
// The constant is the first or the second operand, as in the model (`constant_first`).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/quant/add_s8.hpp>

namespace ctml::quant {

// maximum / minimum: TFLite's MAXIMUM / MINIMUM compare the int8 values themselves (no
// rescaling, no activation); the converter gives the operands and the output one quantization.
enum class BinaryOp : std::uint8_t { add, sub, mul, maximum, minimum };

struct BinaryParams {
  std::int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;  // -zp_1, -zp_2, zp_out
  Multiplier input1{}, input2{}, output{};
  std::int32_t act_min = -128, act_max = 127;
};

// ADD and SUB rescale both operands by 2^left_shift before adding: 20 for int8, 15 for int16
// (65535 << 15 still fits the int32 sum; add_common.cc, sub_common.cc).
template <class T>
inline constexpr int binary_left_shift = sizeof(T) == 2 ? 15 : AddParams::left_shift;

// T: std::int8_t, or std::int16_t for 16x8 models (the same formulas: TFLite's int16 ADD, SUB and
// MUL run the int8 code with the int16 shift and clamp; their zero points are 0).
template <BinaryOp Op, class T>
constexpr T binary_q(T a, T b, const BinaryParams& p) {
  static_assert(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>, "ctml::quant::binary_q: int8 or int16 operands");
  if constexpr (Op == BinaryOp::maximum) return a > b ? a : b;
  if constexpr (Op == BinaryOp::minimum) return a < b ? a : b;
  std::int32_t y;
  if constexpr (Op == BinaryOp::mul) {
    y = multiply_by_quantized_multiplier((p.input1_offset + a) * (p.input2_offset + b), p.output) + p.output_offset;
  } else {
    constexpr int shift = binary_left_shift<T>;
    const std::int32_t a1 = multiply_by_quantized_multiplier((p.input1_offset + a) * (std::int32_t{1} << shift), p.input1);
    const std::int32_t b1 = multiply_by_quantized_multiplier((p.input2_offset + b) * (std::int32_t{1} << shift), p.input2);
    y = multiply_by_quantized_multiplier(Op == BinaryOp::add ? a1 + b1 : a1 - b1, p.output) + p.output_offset;
  }
  y = y < p.act_min ? p.act_min : (y > p.act_max ? p.act_max : y);
  return static_cast<T>(y);
}
template <BinaryOp Op>
constexpr std::int8_t binary_s8(std::int8_t a, std::int8_t b, const BinaryParams& p) {
  return binary_q<Op, std::int8_t>(a, b, p);
}

// TFLite's Prepare: q1, q2 the operands' quantization in the model's order; T the activation type.
template <BinaryOp Op, class T = std::int8_t>
constexpr BinaryParams make_binary_params(QParams q1, QParams q2, QParams out, Activation act) {
  BinaryParams p{};
  p.input1_offset = -q1.zero_point;
  p.input2_offset = -q2.zero_point;
  p.output_offset = out.zero_point;
  constexpr int shift = binary_left_shift<T>;
  if constexpr (Op == BinaryOp::mul) {
    p.output = quantize_multiplier(static_cast<double>(q1.scale) * static_cast<double>(q2.scale) / static_cast<double>(out.scale));
  } else if constexpr (Op == BinaryOp::add) {  // double ratios (add_common.cc)
    const AddParams a = make_add_params(q1, q2, out, act, shift);
    p.input1 = a.input1, p.input2 = a.input2, p.output = a.output;
  } else if constexpr (Op == BinaryOp::maximum || Op == BinaryOp::minimum) {
    return p;  // no arithmetic
  } else {  // SUB: float ratios (sub_common.cc)
    const float twice_max = 2 * (q1.scale > q2.scale ? q1.scale : q2.scale);
    p.input1 = quantize_multiplier(static_cast<double>(q1.scale / twice_max));
    p.input2 = quantize_multiplier(static_cast<double>(q2.scale / twice_max));
    p.output = quantize_multiplier(static_cast<double>(twice_max / ((1 << shift) * out.scale)));
  }
  const ActivationRange r = activation_range<T>(act, out);
  p.act_min = r.min;
  p.act_max = r.max;
  return p;
}

// S: the activation's shape; C: the constant's element count, which repeats along S (1: a scalar,
// the last axis: per channel, S::size: elementwise).
// T: std::int8_t or std::int16_t (16x8 models).
template <ShapeType S, std::size_t C, BinaryOp Op, class T = std::int8_t>
struct QBinaryConstLayer {
  static_assert(C >= 1 && S::size % C == 0, "ctml::quant::QBinaryConstLayer: the constant must repeat along the input");
  using input_type = Tensor<T, S>;
  using output_type = Tensor<T, S>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = Op == BinaryOp::add   ? "QAddConst"
                                           : Op == BinaryOp::sub ? "QSubConst"
                                           : Op == BinaryOp::mul ? "QMulConst"
                                           : Op == BinaryOp::maximum ? "QMaxConst"
                                                                     : "QMinConst";
  BinaryParams params;
  Tensor<T, Shape<C>> constant;
  std::int32_t constant_first = 0;  // 1: constant OP x, 0: x OP constant
  constexpr auto buffers() { return std::tie(params, constant, constant_first); }
  constexpr auto buffers() const { return std::tie(params, constant, constant_first); }

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) {
      const T c = constant[i % C];
      out[i] = constant_first ? binary_q<Op, T>(c, in[i], params) : binary_q<Op, T>(in[i], c, params);
    }
  }
};

// q1, q2: the operands' quantization in the model's order (the constant's among them).
template <ShapeType S, std::size_t C, BinaryOp Op, class T = std::int8_t>
constexpr QBinaryConstLayer<S, C, Op, T> make_qbinary_const(const Tensor<T, Shape<C>>& constant, bool constant_first, QParams q1,
                                                            QParams q2, QParams out, Activation act) {
  return {make_binary_params<Op, T>(q1, q2, out, act), constant, constant_first ? 1 : 0};
}

}  // namespace ctml::quant
