// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward pass of the GRU's sequence form (backward_op protocol, train/backward.hpp):
// back-propagation through time, truncated to GRULayer::truncation steps when that is non-zero
// (train/backward_recurrent.hpp). The forward pass is run again inside, keeping every step's
// state and gates: 5 * steps * units + units values of the element type on the stack.
// Per step t, from the last back (kernels/gru.hpp for the forward formulas), with dh the
// gradient reaching h_t:
//   dn = dh (1 - z),  dz = dh (h_{t-1} - n),  da_n = dn (1 - n^2),  da_z = dz z (1 - z)
//   reset after:  dq = da_n r (q = W_hn h + b_hn),  dr = da_n q
//   reset before: d(rh) = W_hn^T da_n,  dr = d(rh) h
//   da_r = dr r (1 - r)
//   dW_ih += [da_r; da_z; da_n] x^T,  db_ih += [da_r; da_z; da_n]
//   dW_hh += [da_r; da_z; dq] h^T (before: the n rows da_n (r h)^T),  db_hh += [da_r; da_z; dq or da_n]
//   dx_t = W_ih^T [da_r; da_z; da_n]
//   dh_{t-1} = dh z + W_hh[r, z]^T [da_r; da_z] + (after: W_hn^T dq; before: d(rh) r)
#include <array>
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/layers/gru.hpp>
#include <ctml/train/backward.hpp>
#include <ctml/train/backward_recurrent.hpp>

namespace ctml::train {

template <class T, class In, std::size_t U, rnn::Output O, rnn::Reset R, std::size_t K>
struct backward_op<GRULayer<T, In, U, O, R, K>> {
  using L = GRULayer<T, In, U, O, R, K>;
  static constexpr std::size_t S = L::steps, F = L::cell::features, H = U;
  static constexpr bool after = R == rnn::Reset::after;

  template <class G>
  static constexpr void run(const L& l, const T* x, const T*, const T* dy, T* dx, G&& g) {
    ::ctml::detail::side_effect_fence();
    auto& gw_ih = std::get<0>(g);
    auto& gw_hh = std::get<1>(g);
    auto& gb_ih = std::get<2>(g);
    auto& gb_hh = std::get<3>(g);
    const T* w_ih = l.w_ih.data();
    const T* w_hh = l.w_hh.data();
    // The forward pass again: h_t (hs[t + 1]), r, z, n and q (W_hn h + b_hn, or W_hn (r h) + b_hn).
    std::array<T, (S + 1) * H> hs{};
    std::array<T, S * H> r{}, z{}, n{}, q{};
    for (std::size_t j = 0; j < H; ++j) hs[j] = l.h0[j];
    for (std::size_t t = 0; t < S; ++t) {
      const T* xt = x + t * F;
      const T* h = hs.data() + t * H;
      auto dot = [](const T* w, const T* v, std::size_t len) {
        T a{};
        for (std::size_t i = 0; i < len; ++i) a += w[i] * v[i];
        return a;
      };
      for (std::size_t j = 0; j < H; ++j) {
        r[t * H + j] = math::sigmoid(dot(w_ih + j * F, xt, F) + l.b_ih[j] + dot(w_hh + j * H, h, H) + l.b_hh[j]);
        z[t * H + j] = math::sigmoid(dot(w_ih + (H + j) * F, xt, F) + l.b_ih[H + j] + dot(w_hh + (H + j) * H, h, H) + l.b_hh[H + j]);
      }
      std::array<T, H> rh{};
      for (std::size_t j = 0; j < H; ++j) rh[j] = r[t * H + j] * h[j];
      for (std::size_t j = 0; j < H; ++j) {
        const T* wn = w_hh + (2 * H + j) * H;
        q[t * H + j] = (after ? dot(wn, h, H) : dot(wn, rh.data(), H)) + l.b_hh[2 * H + j];
        const T a = dot(w_ih + (2 * H + j) * F, xt, F) + l.b_ih[2 * H + j] + (after ? r[t * H + j] * q[t * H + j] : q[t * H + j]);
        n[t * H + j] = math::tanh(a);
        hs[(t + 1) * H + j] = (T(1) - z[t * H + j]) * n[t * H + j] + z[t * H + j] * h[j];
      }
    }
    // Back through time.
    for (std::size_t i = 0; i < S * F; ++i) dx[i] = T{};
    std::array<T, H> carry{}, next{};
    for (std::size_t t = S; t-- > 0;) {
      const T* xt = x + t * F;
      const T* h = hs.data() + t * H;
      std::array<T, H> da_r{}, da_z{}, da_n{}, dq{}, drh{};
      for (std::size_t j = 0; j < H; ++j) {
        const std::size_t k = t * H + j;
        const T dh = carry[j] + detail::output_grad<O, H>(dy, S, t, j);
        const T dn = dh * (T(1) - z[k]);
        const T dz = dh * (h[j] - n[k]);
        da_n[j] = dn * (T(1) - n[k] * n[k]);
        da_z[j] = dz * z[k] * (T(1) - z[k]);
        next[j] = dh * z[k];
        if constexpr (after) dq[j] = da_n[j] * r[k];
      }
      std::array<T, H> dr{};
      if constexpr (after) {
        for (std::size_t j = 0; j < H; ++j) dr[j] = da_n[j] * q[t * H + j];
      } else {
        for (std::size_t j = 0; j < H; ++j)
          for (std::size_t i = 0; i < H; ++i) drh[i] += w_hh[(2 * H + j) * H + i] * da_n[j];
        for (std::size_t i = 0; i < H; ++i) {
          dr[i] = drh[i] * h[i];
          next[i] += drh[i] * r[t * H + i];
        }
      }
      for (std::size_t j = 0; j < H; ++j) da_r[j] = dr[j] * r[t * H + j] * (T(1) - r[t * H + j]);
      const T* rows[3] = {da_r.data(), da_z.data(), da_n.data()};
      const T* rec_rows[3] = {da_r.data(), da_z.data(), after ? dq.data() : da_n.data()};
      for (std::size_t gate = 0; gate < 3; ++gate)
        for (std::size_t j = 0; j < H; ++j) {
          const std::size_t row = gate * H + j;
          const T a = rows[gate][j], b = rec_rows[gate][j];
          gb_ih[row] += a;
          gb_hh[row] += b;
          for (std::size_t i = 0; i < F; ++i) {
            gw_ih[row * F + i] += a * xt[i];
            dx[t * F + i] += w_ih[row * F + i] * a;
          }
          for (std::size_t i = 0; i < H; ++i) {
            const T hv = (gate == 2 && !after) ? r[t * H + i] * h[i] : h[i];
            gw_hh[row * H + i] += b * hv;
            if (gate < 2 || after) next[i] += w_hh[row * H + i] * b;
          }
        }
      const bool keep = detail::carries(S, t, K);
      for (std::size_t j = 0; j < H; ++j) carry[j] = keep ? next[j] : T{};
    }
  }
};

}  // namespace ctml::train
