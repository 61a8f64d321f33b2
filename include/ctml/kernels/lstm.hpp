// SPDX-License-Identifier: Apache-2.0
#pragma once
// One LSTM time step, float (PyTorch's nn.LSTM and TFLite's LSTM: gates in the order input,
// forget, cell, output):
//   [i, f, g, o] = W_ih x + b_ih + W_hh h + b_hh
//   c' = sigmoid(f) * c + sigmoid(i) * tanh(g),  clipped to [-clip, clip] when clip > 0 (TFLite's
//        cell_clip; PyTorch has none)
//   h' = sigmoid(o) * tanh(c')
// Layout: w_ih [4H][F], w_hh [4H][H] row-major, b_ih, b_hh [4H]. h' and c' may be h and c.
// Scratch: 4H values (the gate sums).
//
// lstm_step_ref is the definition, one accumulator per row; lstm_step, tested against it, uses
// the lane-split dot products (kernels/gru.hpp's for_row_dots) and applies each activation over a
// whole gate vector (kernels/sigmoid_tanh.hpp): the two differ by float summation order and the
// activations' last bits only.
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/gru.hpp>

namespace ctml::kernels {

template <class T, std::size_t F, std::size_t H>
constexpr void lstm_step_ref(const T* x, const T* h, const T* c, T* h_next, T* c_next, const T* w_ih, const T* w_hh, const T* b_ih,
                             const T* b_hh, T* scratch, T clip = T{}) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t j = 0; j < 4 * H; ++j)
    scratch[j] = detail::row_dot<T, F>(w_ih + j * F, x) + b_ih[j] + detail::row_dot<T, H>(w_hh + j * H, h) + b_hh[j];
  for (std::size_t j = 0; j < H; ++j) {
    const T i = math::sigmoid(scratch[j]), f = math::sigmoid(scratch[H + j]), g = math::tanh(scratch[2 * H + j]),
            o = math::sigmoid(scratch[3 * H + j]);
    T cn = f * c[j] + i * g;
    if (clip > T{}) cn = cn > clip ? clip : (cn < -clip ? -clip : cn);
    c_next[j] = cn;
    h_next[j] = o * math::tanh(cn);
  }
}

template <class T, std::size_t F, std::size_t H>
constexpr void lstm_step(const T* x, const T* h, const T* c, T* h_next, T* c_next, const T* w_ih, const T* w_hh, const T* b_ih,
                         const T* b_hh, T* scratch, T clip = T{}) {
  ::ctml::detail::side_effect_fence();
  T* g = scratch;  // [4H]: the sums, then the gates
  detail::for_row_dots<0, 4 * H, H>(w_hh, h, [&](std::size_t j, T d) { g[j] = d; });
  detail::for_row_dots<0, 4 * H, F>(w_ih, x, [&](std::size_t j, T d) { g[j] = d + b_ih[j] + g[j] + b_hh[j]; });
  sigmoid_inplace<2 * H>(g);
  tanh_inplace<H>(g + 2 * H);
  sigmoid_inplace<H>(g + 3 * H);
  T* tc = g + 2 * H;  // tanh(c') replaces the cell gate once it is used
  for (std::size_t j = 0; j < H; ++j) {
    T cn = g[H + j] * c[j] + g[j] * g[2 * H + j];
    if (clip > T{}) cn = cn > clip ? clip : (cn < -clip ? -clip : cn);
    c_next[j] = cn;
    tc[j] = cn;
  }
  tanh_inplace<H>(tc);
  for (std::size_t j = 0; j < H; ++j) h_next[j] = g[3 * H + j] * tc[j];
}

}  // namespace ctml::kernels
