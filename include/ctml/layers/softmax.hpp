// SPDX-License-Identifier: Apache-2.0
#pragma once
// Softmax over the last axis with temperature T (distillation softens teacher targets with T > 1):
//   y_i = exp((x_i - max_j x_j) / T) / sum_k exp((x_k - max_j x_j) / T)
// Subtracting the max keeps exp from overflowing; the result is unchanged. Runs in place.
#include <cstddef>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/math.hpp>

namespace ctml::kernels {
template <std::size_t Rows, std::size_t N, class T>
constexpr void softmax(const T* x, T* y, T temperature) {
  ::ctml::detail::side_effect_fence();
  const T inv_t = T(1) / temperature;
  for (std::size_t r = 0; r < Rows; ++r) {
    const T* xr = x + r * N;
    T* yr = y + r * N;
    T m = xr[0];
    for (std::size_t i = 1; i < N; ++i) m = math::max(m, xr[i]);
    T sum = 0;
    for (std::size_t i = 0; i < N; ++i) {
      yr[i] = math::exp((xr[i] - m) * inv_t);
      sum += yr[i];
    }
    const T inv = T(1) / sum;
    for (std::size_t i = 0; i < N; ++i) yr[i] *= inv;
  }
}
}  // namespace ctml::kernels

namespace ctml {

template <class T, ShapeType S>
struct SoftmaxLayer {
  using input_type = Tensor<T, S>;
  using output_type = Tensor<T, S>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = "Softmax";
  static constexpr std::size_t classes = S::extents[S::rank - 1];
  static constexpr std::size_t rows = S::size / classes;

  // Not a trained parameter: 1 for inference, > 1 to soften targets when distilling.
  T temperature = T(1);

  constexpr void forward(const T* in, T* out, T*) const {
    kernels::softmax<rows, classes>(in, out, temperature);
  }
};

template <class = void>
struct Softmax {
  template <class T, ShapeType S>
  using bind = SoftmaxLayer<T, S>;
};

}  // namespace ctml
