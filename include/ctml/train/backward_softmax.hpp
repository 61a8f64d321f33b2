// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward pass of Softmax (backward_op protocol, train/backward.hpp).
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

// Softmax with temperature t, per row: dx_i = y_i (dy_i - sum_j dy_j y_j) / t.
template <class T, class S>
struct backward_op<SoftmaxLayer<T, S>> {
  using L = SoftmaxLayer<T, S>;
  template <class G>
  static constexpr void run(const L& l, const T*, const T* y, const T* dy, T* dx, G&&) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t r = 0; r < L::rows; ++r) {
      const T* yr = y + r * L::classes;
      const T* dyr = dy + r * L::classes;
      T dot = 0;
      for (std::size_t i = 0; i < L::classes; ++i) dot += dyr[i] * yr[i];
      for (std::size_t i = 0; i < L::classes; ++i) dx[r * L::classes + i] = yr[i] * (dyr[i] - dot) / l.temperature;
    }
  }
};

}  // namespace ctml::train
