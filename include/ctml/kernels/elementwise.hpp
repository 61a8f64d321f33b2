// SPDX-License-Identifier: Apache-2.0
#pragma once
// Elementwise maps y[i] = f(x[i]); safe when y aliases x (the planner runs them in place).
#include <cstddef>
#include <ctml/core/compiler.hpp>

namespace ctml::kernels {

template <std::size_t N, class T, class F>
constexpr void map(const T* x, T* y, F f) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < N; ++i) y[i] = f(x[i]);
}

// y[i] = a[i] + b[i]; y may alias a or b.
template <std::size_t N, class T>
constexpr void add(const T* a, const T* b, T* y) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < N; ++i) y[i] = a[i] + b[i];
}

}  // namespace ctml::kernels
