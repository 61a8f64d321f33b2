// SPDX-License-Identifier: Apache-2.0
#pragma once
// One GRU time step, float (PyTorch's nn.GRU; Keras's GRU with the gates reordered):
//   r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
//   z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
//   n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))      reset after the product  (PyTorch, Keras 2's default)
//   n  = tanh(W_in x + b_in + W_hn (r * h) + b_hn)      reset before it (the original GRU; Keras reset_after=False)
//   h' = (1 - z) * n + z * h
// Layout: w_ih [3H][F] and w_hh [3H][H] row-major with the gate rows in PyTorch's order r, z, n;
// b_ih, b_hh [3H]. h' may be h (every product reads h before any of it is written).
// Scratch: 4H values.
//
// gru_step_ref is the definition, one accumulator per row; gru_step, tested against it, computes
// the same sums with the lane-split dot products of the Dense kernel (kernels/dot.hpp: several
// rows at once, vectorised on SIMD hosts), the matrix products first and the activations over
// whole gate vectors after (kernels/sigmoid_tanh.hpp, vectorised too), so the two differ by float
// summation order and the activations' last bits (3 ulp) only.
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/dot.hpp>
#include <ctml/kernels/sigmoid_tanh.hpp>

namespace ctml::kernels {

namespace detail {
// w [rows][n] . v for one row, in order.
template <class T, std::size_t N>
constexpr T row_dot(const T* w, const T* v) {
  T acc{};
  for (std::size_t i = 0; i < N; ++i) acc += w[i] * v[i];
  return acc;
}

// f(j, dot<N>(w row j, x)) for rows j in [Begin, End), in order, float_rows rows at a time.
template <std::size_t Begin, std::size_t End, std::size_t N, class T, class Fn>
constexpr void for_row_dots(const T* w, const T* x, Fn&& f) {
  constexpr std::size_t R = End - Begin >= float_rows ? float_rows : 1;
  constexpr std::size_t Tail = End - (End - Begin) % R;  // compile-time bounds (GCC proves them)
  for (std::size_t j = Begin; j < Tail; j += R) {
    T acc[R];
    dots<R, N>(w + j * N, N, x, acc);
    for (std::size_t r = 0; r < R; ++r) f(j + r, acc[r]);
  }
  for (std::size_t j = Tail; j < End; ++j) {
    T acc[1];
    dots<1, N>(w + j * N, N, x, acc);
    f(j, acc[0]);
  }
}
}  // namespace detail

template <class T, std::size_t F, std::size_t H, bool ResetAfter>
constexpr void gru_step_ref(const T* x, const T* h, T* h_next, const T* w_ih, const T* w_hh, const T* b_ih, const T* b_hh, T* scratch) {
  ::ctml::detail::side_effect_fence();
  T* rz = scratch;             // [2H]: r, then z
  T* n_in = scratch + 2 * H;   // [H]
  T* n_rec = scratch + 3 * H;  // [H]
  for (std::size_t j = 0; j < 2 * H; ++j)
    rz[j] = math::sigmoid(detail::row_dot<T, F>(w_ih + j * F, x) + b_ih[j] + detail::row_dot<T, H>(w_hh + j * H, h) + b_hh[j]);
  for (std::size_t j = 0; j < H; ++j) n_in[j] = detail::row_dot<T, F>(w_ih + (2 * H + j) * F, x) + b_ih[2 * H + j];
  if constexpr (ResetAfter) {
    for (std::size_t j = 0; j < H; ++j) n_rec[j] = rz[j] * (detail::row_dot<T, H>(w_hh + (2 * H + j) * H, h) + b_hh[2 * H + j]);
  } else {
    T* rh = n_rec;  // r * h first, then its product with W_hn into n_in
    for (std::size_t j = 0; j < H; ++j) rh[j] = rz[j] * h[j];
    for (std::size_t j = 0; j < H; ++j) n_in[j] += detail::row_dot<T, H>(w_hh + (2 * H + j) * H, rh) + b_hh[2 * H + j];
  }
  for (std::size_t j = 0; j < H; ++j) {
    const T n = math::tanh(ResetAfter ? n_in[j] + n_rec[j] : n_in[j]);
    const T z = rz[H + j];
    h_next[j] = (T(1) - z) * n + z * h[j];
  }
}

template <class T, std::size_t F, std::size_t H, bool ResetAfter>
constexpr void gru_step(const T* x, const T* h, T* h_next, const T* w_ih, const T* w_hh, const T* b_ih, const T* b_hh, T* scratch) {
  ::ctml::detail::side_effect_fence();
  T* g = scratch;  // [3H]: the r, z, n sums, then the gates
  // r and z: W_h h first (into g), then W_i x + b_i + that + b_h.
  detail::for_row_dots<0, 2 * H, H>(w_hh, h, [&](std::size_t j, T d) { g[j] = d; });
  detail::for_row_dots<0, 2 * H, F>(w_ih, x, [&](std::size_t j, T d) { g[j] = d + b_ih[j] + g[j] + b_hh[j]; });
  sigmoid_inplace<2 * H>(g);
  const T* r = g;
  if constexpr (ResetAfter) {
    detail::for_row_dots<2 * H, 3 * H, H>(w_hh, h, [&](std::size_t j, T d) { g[j] = d; });
    detail::for_row_dots<2 * H, 3 * H, F>(w_ih, x, [&](std::size_t j, T d) { g[j] = d + b_ih[j] + r[j - 2 * H] * (g[j] + b_hh[j]); });
  } else {
    T* rh = scratch + 3 * H;  // r * h, then W_hn (r * h)
    for (std::size_t j = 0; j < H; ++j) rh[j] = r[j] * h[j];
    detail::for_row_dots<2 * H, 3 * H, H>(w_hh, rh, [&](std::size_t j, T d) { g[j] = d; });
    detail::for_row_dots<2 * H, 3 * H, F>(w_ih, x, [&](std::size_t j, T d) { g[j] = d + b_ih[j] + (g[j] + b_hh[j]); });
  }
  tanh_inplace<H>(g + 2 * H);
  for (std::size_t j = 0; j < H; ++j) {
    const T n = g[2 * H + j], z = g[H + j];
    h_next[j] = (T(1) - z) * n + z * h[j];
  }
}

}  // namespace ctml::kernels
