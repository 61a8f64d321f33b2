// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward passes, kept apart from the layers so that inference-only firmware never compiles them.
// backward_op<L>::run(layer, x, y, dy, dx, grads) adds the parameter gradients of L (a tuple of
// tensors shaped like layer.parameters()) and writes dL/dx, given x, y = L(x) and dL/dy.
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <type_traits>
#include <ctml/core/math.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/layers/reshape.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/residual.hpp>

namespace ctml::train {

// backward_op<L>: the backward pass of layer L, one specialization per layer (here and in
// backward_<op>.hpp). The primary marks "none": Trainable<L> is false and the trainer says so.
struct no_backward {};
template <class L>
struct backward_op : no_backward {};

namespace detail {
template <class L>
struct trainable : std::bool_constant<!std::is_base_of_v<no_backward, backward_op<L>>> {};
// Networks and residual blocks: the trainers walk into them, so they train when their layers do.
template <class... Ls>
struct trainable<Network<LayerPack<Ls...>>> : std::bool_constant<(trainable<Ls>::value && ...)> {};
template <class T, class In, class Body, class Short>
struct trainable<ResidualLayer<T, In, Body, Short>>
    : std::bool_constant<trainable<Body>::value && (std::is_same_v<Short, Identity> || trainable<Short>::value)> {};
}  // namespace detail

// A layer the trainers can train through (include <ctml/train.hpp> for every backward pass).
template <class L>
concept Trainable = detail::trainable<L>::value;

// The trainers' check, with the list a user needs.
template <class L>
constexpr void require_trainable() {
  static_assert(Trainable<L>,
                "ctml::train: this layer has no backward pass (supported: Dense, Conv1D, Conv2D, "
                "DepthwiseConv2D, MaxPool2D, AveragePool2D, GlobalAveragePool, BatchNorm, ReLU, "
                "ReLU6, LeakyReLU, Sigmoid, Tanh, HardSwish, Softmax, Flatten/Reshape, Residual; "
                "include <ctml/train.hpp>)");
}

// Derivative of a fused activation, from its output y.
template <Activation A, class T>
constexpr T activation_grad(T y) {
  if constexpr (A == Activation::relu) return y > T(0) ? T(1) : T(0);
  else if constexpr (A == Activation::relu6) return (y > T(0) && y < T(6)) ? T(1) : T(0);
  else if constexpr (A == Activation::relu_n1_to_1) return (y > T(-1) && y < T(1)) ? T(1) : T(0);
  else return T(1);
}

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
template <class T, class In, class Out>
struct backward_op<ReshapeLayer<T, In, Out>> {
  template <class G>
  static constexpr void run(const ReshapeLayer<T, In, Out>&, const T*, const T*, const T* dy, T* dx, G&&) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < In::size; ++i) dx[i] = dy[i];
  }
};

}  // namespace ctml::train
