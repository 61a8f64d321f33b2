// SPDX-License-Identifier: Apache-2.0
#pragma once
// The backward-pass protocol, kept apart from the layers so that inference-only firmware never
// compiles it. backward_op<L>::run(layer, x, y, dy, dx, grads) adds the parameter gradients of L (a tuple of
// tensors shaped like layer.parameters()) and writes dL/dx, given x, y = L(x) and dL/dy.
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <type_traits>
#include <ctml/core/math.hpp>
#include <ctml/core/options.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/residual.hpp>

namespace ctml::train {

// backward_op<L>: the backward pass of layer L, one specialization per layer, in
// train/backward_<file of the layer in layers/>.hpp (train.hpp includes them all). The primary
// marks "none": Trainable<L> is false and the trainer says so.
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
                "DepthwiseConv2D, GRU, LSTM, MaxPool2D, AveragePool2D, GlobalAveragePool, BatchNorm, ReLU, "
                "ReLU6, LeakyReLU, Sigmoid, Tanh, HardSwish, Softmax, Flatten/Reshape, Residual; "
                "include <ctml/train.hpp>)");
}

namespace detail {
// Input coordinate of a tap, or -1 when it falls in the padding.
constexpr long tap(std::size_t o, std::size_t k, std::size_t stride, std::size_t dilation, std::size_t pad,
                   std::size_t extent) {
  const long i = static_cast<long>(o * stride + k * dilation) - static_cast<long>(pad);
  return i < 0 || i >= static_cast<long>(extent) ? -1 : i;
}
}  // namespace detail

// Derivative of a fused activation, from its output y.
template <Activation A, class T>
constexpr T activation_grad(T y) {
  if constexpr (A == Activation::relu) return y > T(0) ? T(1) : T(0);
  else if constexpr (A == Activation::relu6) return (y > T(0) && y < T(6)) ? T(1) : T(0);
  else if constexpr (A == Activation::relu_n1_to_1) return (y > T(-1) && y < T(1)) ? T(1) : T(0);
  else return T(1);
}

}  // namespace ctml::train
