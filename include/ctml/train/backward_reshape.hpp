// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward pass of Reshape/Flatten: the gradient passes through unchanged.
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/layers/reshape.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

template <class T, class In, class Out>
struct backward_op<ReshapeLayer<T, In, Out>> {
  template <class G>
  static constexpr void run(const ReshapeLayer<T, In, Out>&, const T*, const T*, const T* dy, T* dx, G&&) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < In::size; ++i) dx[i] = dy[i];
  }
};

}  // namespace ctml::train
