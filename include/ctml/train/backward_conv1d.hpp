// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward pass of Conv1D: Conv2D's with one row (its geometry has ih = oh = kh = 1).
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/train/backward_conv2d.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

template <class T, ShapeType In, std::size_t F, std::size_t K, class Opt>
struct backward_op<Conv1DLayer<T, In, F, K, Opt>> {
  using L = Conv1DLayer<T, In, F, K, Opt>;
  template <class G>
  static constexpr void run(const L& l, const T* x, const T* y, const T* dy, T* dx, G&& g) {
    detail::conv2d_backward<L::geometry, L::activation>(x, y, dy, l.weights.data(), dx, std::get<0>(g).data(),
                                                        std::get<1>(g).data());
  }
};

}  // namespace ctml::train
