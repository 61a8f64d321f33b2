// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward pass of Dense (backward_op protocol, train/backward.hpp).
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

// Dense: y = act(W x + b). dz = dy * act'(y); dW += dz x^T; db += dz; dx = W^T dz.
template <class T, class In, std::size_t U, Activation A>
struct backward_op<DenseLayer<T, In, U, A>> {
  using L = DenseLayer<T, In, U, A>;
  template <class G>
  static constexpr void run(const L& l, const T* x, const T* y, const T* dy, T* dx, G&& g) {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t I = L::in_features;
    auto& dw = std::get<0>(g);
    auto& db = std::get<1>(g);
    for (std::size_t i = 0; i < I; ++i) dx[i] = 0;
    for (std::size_t o = 0; o < U; ++o) {
      const T dz = dy[o] * activation_grad<A>(y[o]);
      db[o] += dz;
      const T* w = l.weights.data() + o * I;
      T* gw = dw.data() + o * I;
      for (std::size_t i = 0; i < I; ++i) {
        gw[i] += dz * x[i];
        dx[i] += dz * w[i];
      }
    }
  }
};

}  // namespace ctml::train
