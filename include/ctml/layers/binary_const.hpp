// SPDX-License-Identifier: Apache-2.0
#pragma once
// y = x OP c or c OP x (OP: +, -, *, max, min) with a constant c of C elements repeated along x's trailing
// axes (1: a scalar, the last axis: per channel, the whole shape: elementwise), then the fused
// activation: TFLite's ADD / SUB / MUL / MAXIMUM / MINIMUM with a constant operand, in float.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/activation.hpp>

namespace ctml {

enum class ConstOp : unsigned char { add, sub, mul, maximum, minimum };

// a OP b; maximum / minimum as TFLite's MAXIMUM / MINIMUM (a > b ? a : b, a < b ? a : b).
template <ConstOp Op, class T>
constexpr T apply_const_op(T a, T b) {
  if constexpr (Op == ConstOp::add) return a + b;
  else if constexpr (Op == ConstOp::sub) return a - b;
  else if constexpr (Op == ConstOp::mul) return a * b;
  else if constexpr (Op == ConstOp::maximum) return a > b ? a : b;
  else return a < b ? a : b;
}

template <class T, ShapeType S, std::size_t C, ConstOp Op, Activation Act = Activation::none>
struct BinaryConstLayer {
  static_assert(C >= 1 && S::size % C == 0, "ctml::BinaryConstLayer: the constant must repeat along the input");
  using input_type = Tensor<T, S>;
  using output_type = Tensor<T, S>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = Op == ConstOp::add   ? "AddConst"
                                           : Op == ConstOp::sub ? "SubConst"
                                           : Op == ConstOp::mul ? "MulConst"
                                           : Op == ConstOp::maximum ? "MaxConst"
                                                                    : "MinConst";
  Tensor<T, Shape<C>> constant;
  bool constant_first = false;
  constexpr auto buffers() { return std::tie(constant, constant_first); }
  constexpr auto buffers() const { return std::tie(constant, constant_first); }

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) {
      const T c = constant[i % C];
      const T a = constant_first ? c : in[i], b = constant_first ? in[i] : c;
      out[i] = kernels::activate<Act>(apply_const_op<Op>(a, b));
    }
  }
};

}  // namespace ctml
