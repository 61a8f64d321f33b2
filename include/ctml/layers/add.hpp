// SPDX-License-Identifier: Apache-2.0
#pragma once
// Elementwise addition of two tensors of one shape, y = a + b: the merge of a residual
// connection. Inside a network it is used by Residual<>; it is also usable on its own.
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/elementwise.hpp>

namespace ctml {

template <class T, ShapeType S>
constexpr void add(const Tensor<T, S>& a, const Tensor<T, S>& b, Tensor<T, S>& y) {
  kernels::add<S::size>(a.data(), b.data(), y.data());
}

}  // namespace ctml
