// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward pass of the LSTM's sequence form (backward_op protocol, train/backward.hpp):
// back-propagation through time, truncated to LSTMLayer::truncation steps when that is non-zero
// (train/backward_recurrent.hpp). The forward pass is run again inside, keeping every step's
// gates and states: 7 * steps * units + 2 * units values of the element type on the stack.
// Per step t, from the last back, with dh and dc the gradients reaching h_t and c_t:
//   do = dh tanh(c_t),  dc += dh o (1 - tanh^2(c_t))   (0 where cell_clip clipped c_t)
//   di = dc g,  dg = dc i,  df = dc c_{t-1},  dc_{t-1} = dc f
//   da = [di i (1 - i); df f (1 - f); dg (1 - g^2); do o (1 - o)]
//   dW_ih += da x^T, db_ih += da, dW_hh += da h_{t-1}^T, db_hh += da
//   dx_t = W_ih^T da,  dh_{t-1} = W_hh^T da
#include <array>
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/layers/lstm.hpp>
#include <ctml/train/backward.hpp>
#include <ctml/train/backward_recurrent.hpp>

namespace ctml::train {

template <class T, class In, std::size_t U, rnn::Output O, std::size_t K>
struct backward_op<LSTMLayer<T, In, U, O, K>> {
  using L = LSTMLayer<T, In, U, O, K>;
  static constexpr std::size_t S = L::steps, F = L::cell::features, H = U;

  template <class G>
  static constexpr void run(const L& l, const T* x, const T*, const T* dy, T* dx, G&& g) {
    ::ctml::detail::side_effect_fence();
    auto& gw_ih = std::get<0>(g);
    auto& gw_hh = std::get<1>(g);
    auto& gb_ih = std::get<2>(g);
    auto& gb_hh = std::get<3>(g);
    const T* w_ih = l.w_ih.data();
    const T* w_hh = l.w_hh.data();
    const T clip = l.cell_clip;
    // The forward pass again: gates (after their activations), c_t, whether c_t was clipped, h_t.
    std::array<T, (S + 1) * H> hs{}, cs{};
    std::array<T, S * 4 * H> gates{};
    std::array<bool, S * H> clipped{};
    for (std::size_t j = 0; j < H; ++j) hs[j] = l.h0[j], cs[j] = l.c0[j];
    for (std::size_t t = 0; t < S; ++t) {
      const T* xt = x + t * F;
      const T* h = hs.data() + t * H;
      T* a = gates.data() + t * 4 * H;
      for (std::size_t row = 0; row < 4 * H; ++row) {
        T v = l.b_ih[row] + l.b_hh[row];
        for (std::size_t i = 0; i < F; ++i) v += w_ih[row * F + i] * xt[i];
        for (std::size_t i = 0; i < H; ++i) v += w_hh[row * H + i] * h[i];
        a[row] = row >= 2 * H && row < 3 * H ? math::tanh(v) : math::sigmoid(v);
      }
      for (std::size_t j = 0; j < H; ++j) {
        T c = a[H + j] * cs[t * H + j] + a[j] * a[2 * H + j];
        const bool cut = clip > T{} && (c > clip || c < -clip);
        if (cut) c = c > clip ? clip : -clip;
        clipped[t * H + j] = cut;
        cs[(t + 1) * H + j] = c;
        hs[(t + 1) * H + j] = a[3 * H + j] * math::tanh(c);
      }
    }
    for (std::size_t i = 0; i < S * F; ++i) dx[i] = T{};
    std::array<T, H> carry_h{}, carry_c{};
    for (std::size_t t = S; t-- > 0;) {
      const T* xt = x + t * F;
      const T* h = hs.data() + t * H;
      const T* a = gates.data() + t * 4 * H;
      std::array<T, 4 * H> da{};
      std::array<T, H> next_c{}, next_h{};
      for (std::size_t j = 0; j < H; ++j) {
        const T i = a[j], f = a[H + j], gg = a[2 * H + j], o = a[3 * H + j];
        const T c = cs[(t + 1) * H + j], tc = math::tanh(c);
        const T dh = carry_h[j] + detail::output_grad<O, H>(dy, S, t, j);
        const T d_o = dh * tc;
        T dc = carry_c[j] + dh * o * (T(1) - tc * tc);
        if (clipped[t * H + j]) dc = T{};
        da[j] = dc * gg * i * (T(1) - i);
        da[H + j] = dc * cs[t * H + j] * f * (T(1) - f);
        da[2 * H + j] = dc * i * (T(1) - gg * gg);
        da[3 * H + j] = d_o * o * (T(1) - o);
        next_c[j] = dc * f;
      }
      for (std::size_t row = 0; row < 4 * H; ++row) {
        const T d = da[row];
        gb_ih[row] += d;
        gb_hh[row] += d;
        for (std::size_t i = 0; i < F; ++i) {
          gw_ih[row * F + i] += d * xt[i];
          dx[t * F + i] += w_ih[row * F + i] * d;
        }
        for (std::size_t i = 0; i < H; ++i) {
          gw_hh[row * H + i] += d * h[i];
          next_h[i] += w_hh[row * H + i] * d;
        }
      }
      const bool keep = detail::carries(S, t, K);
      for (std::size_t j = 0; j < H; ++j) carry_h[j] = keep ? next_h[j] : T{}, carry_c[j] = keep ? next_c[j] : T{};
    }
  }
};

}  // namespace ctml::train
