// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fully connected, float: out[o] = act(bias[o] + sum_i w[o][i] * in[i]).
// Weights are [Out][In] (PyTorch Linear and TFLite FULLY_CONNECTED order), so each output is one
// contiguous dot product.
#include <cstddef>
#include <ctml/kernels/activation.hpp>
#include <ctml/kernels/dot.hpp>

namespace ctml::kernels {

// Reference: one accumulator, inputs in order. The optimised kernel is tested against this.
template <class T, std::size_t In, std::size_t Out, Activation A = Activation::none>
constexpr void dense_ref(const T* in, const T* w, const T* bias, T* out) {
  for (std::size_t o = 0; o < Out; ++o) {
    T acc = bias[o];
    for (std::size_t i = 0; i < In; ++i) acc += w[o * In + i] * in[i];
    out[o] = activate<A>(acc);
  }
}

// Optimised: Lanes independent partial sums per output (kernels/dot.hpp) give the compiler a
// vectorisable loop without -ffast-math (no reassociation of a single reduction is needed). The
// result differs from dense_ref only by float summation order.
template <class T, std::size_t In, std::size_t Out, Activation A = Activation::none>
constexpr void dense(const T* in, const T* w, const T* bias, T* out) {
  constexpr std::size_t Lanes = 8;
  constexpr std::size_t Body = In - In % Lanes;
  for (std::size_t o = 0; o < Out; ++o) {
    const T* row = w + o * In;
    T lane[Lanes]{};
    for (std::size_t i = 0; i < Body; i += Lanes) mac_lanes(lane, row + i, in + i);
    T acc = bias[o];
    for (std::size_t l = 0; l < Lanes; ++l) acc += lane[l];
    for (std::size_t i = Body; i < In; ++i) acc += row[i] * in[i];
    out[o] = activate<A>(acc);
  }
}

}  // namespace ctml::kernels
