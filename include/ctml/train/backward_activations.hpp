// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward passes of the elementwise activations (backward_op protocol, train/backward.hpp):
// dx = dy * f'(x), written from x or from y = f(x), whichever is cheaper.
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

namespace detail {
template <class T, class S, class F>
constexpr void elementwise_backward(const T* x, const T* y, const T* dy, T* dx, F dfdx) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < S::size; ++i) dx[i] = dy[i] * dfdx(x[i], y[i]);
}
}  // namespace detail

template <class T, class S>
struct backward_op<ReLULayer<T, S>> {
  template <class G>
  static constexpr void run(const ReLULayer<T, S>&, const T* x, const T* y, const T* dy, T* dx, G&&) {
    detail::elementwise_backward<T, S>(x, y, dy, dx, [](T xi, T) { return xi > T(0) ? T(1) : T(0); });
  }
};
template <class T, class S>
struct backward_op<ReLU6Layer<T, S>> {
  template <class G>
  static constexpr void run(const ReLU6Layer<T, S>&, const T* x, const T* y, const T* dy, T* dx, G&&) {
    detail::elementwise_backward<T, S>(x, y, dy, dx, [](T xi, T) { return (xi > T(0) && xi < T(6)) ? T(1) : T(0); });
  }
};
template <class T, class S>
struct backward_op<LeakyReLULayer<T, S>> {
  template <class G>
  static constexpr void run(const LeakyReLULayer<T, S>& l, const T* x, const T* y, const T* dy, T* dx, G&&) {
    const T a = l.alpha;
    detail::elementwise_backward<T, S>(x, y, dy, dx, [a](T xi, T) { return xi > T(0) ? T(1) : a; });
  }
};
template <class T, class S>
struct backward_op<SigmoidLayer<T, S>> {
  template <class G>
  static constexpr void run(const SigmoidLayer<T, S>&, const T* x, const T* y, const T* dy, T* dx, G&&) {
    detail::elementwise_backward<T, S>(x, y, dy, dx, [](T, T yi) { return yi * (T(1) - yi); });
  }
};
template <class T, class S>
struct backward_op<TanhLayer<T, S>> {
  template <class G>
  static constexpr void run(const TanhLayer<T, S>&, const T* x, const T* y, const T* dy, T* dx, G&&) {
    detail::elementwise_backward<T, S>(x, y, dy, dx, [](T, T yi) { return T(1) - yi * yi; });
  }
};
// HardSwish: x <= -3 -> 0; x >= 3 -> 1; else (2x + 3) / 6.
template <class T, class S>
struct backward_op<HardSwishLayer<T, S>> {
  template <class G>
  static constexpr void run(const HardSwishLayer<T, S>&, const T* x, const T* y, const T* dy, T* dx, G&&) {
    detail::elementwise_backward<T, S>(x, y, dy, dx, [](T xi, T) {
      return xi <= T(-3) ? T(0) : (xi >= T(3) ? T(1) : (T(2) * xi + T(3)) / T(6));
    });
  }
};

}  // namespace ctml::train
