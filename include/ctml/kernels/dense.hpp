// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fully connected, float: out[o] = act(bias[o] + sum_i w[o][i] * in[i]).
// Weights are [Out][In] (PyTorch Linear and TFLite FULLY_CONNECTED order), so each output is one
// contiguous dot product.
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/kernels/dot.hpp>

namespace ctml::kernels {

// Reference: one accumulator, inputs in order. The optimised kernel is tested against this.
template <class T, std::size_t In, std::size_t Out, Activation A = Activation::none>
constexpr void dense_ref(const T* in, const T* w, const T* bias, T* out) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t o = 0; o < Out; ++o) {
    T acc = bias[o];
    for (std::size_t i = 0; i < In; ++i) acc += w[o * In + i] * in[i];
    out[o] = activate<A>(acc);
  }
}

// Optimised: Lanes independent partial sums per output (kernels/dot.hpp) give the compiler a
// vectorisable loop without -ffast-math (no reassociation of a single reduction is needed). The
// result differs from dense_ref only by float summation order. float_rows outputs go through the
// inputs together (kernels/dot.hpp); each output's own sums are the same as one at a time, so the
// grouping changes no result bit.
template <class T, std::size_t In, std::size_t Out, Activation A = Activation::none>
constexpr void dense(const T* in, const T* w, const T* bias, T* out) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t Lanes = 8;
  constexpr std::size_t Body = In - In % Lanes;
  // Outputs [o, o + R): bias, the lane sums, then the ragged end, as one output at a time would.
  const auto outputs = [&]<std::size_t R>(std::size_t o) {
    T acc[R];
    for (std::size_t r = 0; r < R; ++r) acc[r] = bias[o + r];
    dot_rows<R, In, Lanes>(w + o * In, In, in, acc);
    for (std::size_t r = 0; r < R; ++r) {
      const T* row = w + (o + r) * In;
      for (std::size_t i = Body; i < In; ++i) acc[r] += row[i] * in[i];
      out[o + r] = activate<A>(acc[r]);
    }
  };
  constexpr std::size_t R = Out >= float_rows ? float_rows : 1;
  for (std::size_t o = 0; o + R <= Out; o += R) outputs.template operator()<R>(o);
  for (std::size_t o = Out - Out % R; o < Out; ++o) outputs.template operator()<1>(o);
}

}  // namespace ctml::kernels
