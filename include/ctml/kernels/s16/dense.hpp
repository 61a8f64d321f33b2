// SPDX-License-Identifier: Apache-2.0
#pragma once
// FULLY_CONNECTED 16x8 with TFLite semantics (reference_integer_ops::FullyConnected /
// FullyConnectedPerChannel with int16 input and output, int8 weights):
//   acc[o] = bias[o] + sum_i w[o][i] * x[i]          (input zero point 0: TFLite's int16 is symmetric)
//   y[o]   = clamp(requantize<Acc>(acc[o], M[o]) + out_zp, act_min, act_max)     (output_stage.hpp)
// The reference loop on every target; each product fits 23 bits, the sum 64.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/s16/output_stage.hpp>

namespace ctml::kernels::s16 {

// D: quant::QDense16x8Layer (weights [Units][In] int8, bias Acc, multiplier, shift, zero points,
// clamp).
template <std::size_t In, std::size_t Units, class Acc, class D>
constexpr void dense(const D& d, const std::int16_t* in, std::int16_t* out) {
  ::ctml::detail::side_effect_fence();
  const std::int8_t* w = d.weights.data();
  for (std::size_t o = 0; o < Units; ++o, w += In) {
    std::int64_t acc = 0;
    for (std::size_t i = 0; i < In; ++i) acc += static_cast<std::int32_t>(w[i]) * static_cast<std::int32_t>(in[i]);
    acc = add_wrapping(acc, d.bias[o]);
    out[o] = finish<Acc>(acc, d.multiplier[o], d.shift[o], d.output_zero_point, d.act_min, d.act_max);
  }
}

}  // namespace ctml::kernels::s16
