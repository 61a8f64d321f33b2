// SPDX-License-Identifier: Apache-2.0
#pragma once
// An int8 element-wise op whose output depends on the input byte alone (LOGISTIC, TANH,
// LEAKY_RELU, HARD_SWISH): prepare() evaluates Op for all 256 inputs once (constexpr) and
// forward() is a lookup, which gives the same bytes as evaluating per element. Op supplies
//   using params_type = ...;                                            // an aggregate of integers
//   static constexpr std::string_view name;
//   static constexpr std::int8_t eval(std::int8_t x, const params_type& p);   // one byte
// and the parameters are the layer's one buffer (a weight blob carries them; loading one calls
// prepare() again).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/fixedpoint.hpp>

namespace ctml::quant {

template <ShapeType S, class Op>
struct QTableLayer {
  using input_type = Tensor<std::int8_t, S>;
  using output_type = Tensor<std::int8_t, S>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = Op::name;
  typename Op::params_type params;
  constexpr auto buffers() { return std::tie(params); }
  constexpr auto buffers() const { return std::tie(params); }
  std::int8_t table[256]{};

  constexpr void prepare() {
    ::ctml::detail::side_effect_fence();
    for (int x = -128; x <= 127; ++x) table[x + 128] = Op::eval(static_cast<std::int8_t>(x), params);
  }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) out[i] = table[static_cast<std::int32_t>(in[i]) + 128];
  }
};

}  // namespace ctml::quant
