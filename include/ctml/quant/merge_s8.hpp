// SPDX-License-Identifier: Apache-2.0
#pragma once
// The int8 (and int16) merge of two branches (model/merge.hpp's MergeLayer<std::int8_t, ...>):
// TFLite's ADD, SUB, MUL, MAXIMUM, MINIMUM of two int8 (int16) activations, elementwise (the smaller one repeating
// along the larger, as in a squeeze-and-excitation product), with TFLite Micro's arithmetic
// (binary_const_s8.hpp's binary_s8: rescaled sums for ADD / SUB, one requantization for MUL, the
// int8 values compared for MAXIMUM / MINIMUM). CONCATENATION is merge::Concat, which copies: TFLite
// Micro requires its int8 inputs and output to share one quantization.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/model/merge.hpp>
#include <ctml/quant/binary_const_s8.hpp>

namespace ctml::quant {

// T: std::int8_t, or std::int16_t for 16x8 models (MergeLayer<std::int16_t, ...>).
template <BinaryOp Op, class T = std::int8_t>
struct QElementwise {
  template <ShapeType A, ShapeType B>
  using output_shape = merge::broadcast_shape<A, B>;
  static constexpr std::string_view name = "QElementwise";
  BinaryParams params;  // input1: branch a, input2: branch b
  constexpr auto buffers() { return std::tie(params); }
  constexpr auto buffers() const { return std::tie(params); }

  template <ShapeType A, ShapeType B, class U>
  constexpr void apply(const U* a, const U* b, U* out) const {
    static_assert(std::is_same_v<U, T>, "ctml::quant::QElementwise: its parameters were made for another activation type");
    static_assert(merge::broadcastable_v<A, B>, "ctml::quant::QElementwise: one branch's output must repeat along the other's");
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < merge::broadcast_shape<A, B>::size; ++i) out[i] = binary_q<Op, T>(a[i % A::size], b[i % B::size], params);
  }
};

// q1, q2: the quantization of branch a's and branch b's outputs (TFLite's input1, input2).
template <BinaryOp Op, class T = std::int8_t>
constexpr QElementwise<Op, T> make_qelementwise(QParams q1, QParams q2, QParams out, Activation act) {
  return {make_binary_params<Op, T>(q1, q2, out, act)};
}

}  // namespace ctml::quant
