// SPDX-License-Identifier: Apache-2.0
#pragma once
// One SVDF step, float (TFLite's SVDF: a fully connected layer over the last M frames, factored
// into R rank-1 filters per unit — a feature filter over the input and a time filter over the
// memory):
//   state: per filter f, the last M feature responses, oldest first; each step shifts the whole
//          [filters][M] buffer left by one value and writes this step's responses in the last slots
//   s[f][M-1] = sum_i w_feature[f][i] x[i]
//   y[u]      = act(bias[u] + sum_{r<R} sum_{m<M} w_time[u*R+r][m] s[u*R+r][m])
// Layout: w_feature [filters][F], w_time [filters][M], filters = units * R; scratch: filters.
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/activation.hpp>

namespace ctml::kernels {

template <class T, std::size_t F, std::size_t Units, std::size_t Rank, std::size_t M, Activation A>
constexpr void svdf_step(const T* x, T* state, const T* w_feature, const T* w_time, const T* bias, T* out, T* scratch) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t filters = Units * Rank;
  for (std::size_t k = 0; k + 1 < filters * M; ++k) state[k] = state[k + 1];  // TFLite's flat shift
  for (std::size_t f = 0; f < filters; ++f) {
    T acc{};
    for (std::size_t i = 0; i < F; ++i) acc += w_feature[f * F + i] * x[i];
    state[f * M + M - 1] = acc;
  }
  for (std::size_t f = 0; f < filters; ++f) {
    T acc{};
    for (std::size_t m = 0; m < M; ++m) acc += w_time[f * M + m] * state[f * M + m];
    scratch[f] = acc;
  }
  for (std::size_t u = 0; u < Units; ++u) {
    T acc = bias[u];
    for (std::size_t r = 0; r < Rank; ++r) acc += scratch[u * Rank + r];
    out[u] = activate<A>(acc);
  }
}

}  // namespace ctml::kernels
