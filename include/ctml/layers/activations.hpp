// SPDX-License-Identifier: Apache-2.0
#pragma once
// Elementwise activations. All run in place, so they cost no activation memory.
//   ReLU       max(0, x)
//   ReLU6      min(max(0, x), 6)
//   LeakyReLU  x > 0 ? x : alpha * x        (alpha a member, default 0.01 as in PyTorch)
//   Sigmoid    1 / (1 + exp(-x))
//   Tanh       tanh(x)
//   HardSwish  x * relu6(x + 3) / 6
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/elementwise.hpp>

namespace ctml {

namespace detail {
template <class T, ShapeType S>
struct ElementwiseBase {
  using input_type = Tensor<T, S>;
  using output_type = Tensor<T, S>;
  static constexpr bool in_place = true;
};
}  // namespace detail

template <class T, ShapeType S>
struct ReLULayer : detail::ElementwiseBase<T, S> {
  static constexpr std::string_view name = "ReLU";
  static constexpr T apply(T x) { return x < T(0) ? T(0) : x; }
  constexpr void forward(const T* in, T* out, T*) const { kernels::map<S::size>(in, out, apply); }
};

template <class T, ShapeType S>
struct ReLU6Layer : detail::ElementwiseBase<T, S> {
  static constexpr std::string_view name = "ReLU6";
  static constexpr T apply(T x) { return math::clamp(x, T(0), T(6)); }
  constexpr void forward(const T* in, T* out, T*) const { kernels::map<S::size>(in, out, apply); }
};

template <class T, ShapeType S>
struct LeakyReLULayer : detail::ElementwiseBase<T, S> {
  static constexpr std::string_view name = "LeakyReLU";
  T alpha = T(0.01);
  // Not trained, but the output depends on it: a weight blob carries it (ctml/model/serialize.hpp).
  constexpr auto buffers() { return std::tie(alpha); }
  constexpr auto buffers() const { return std::tie(alpha); }
  constexpr void forward(const T* in, T* out, T*) const {
    const T a = alpha;
    kernels::map<S::size>(in, out, [a](T x) { return x > T(0) ? x : a * x; });
  }
};

template <class T, ShapeType S>
struct SigmoidLayer : detail::ElementwiseBase<T, S> {
  static constexpr std::string_view name = "Sigmoid";
  static constexpr T apply(T x) { return math::sigmoid(x); }
  constexpr void forward(const T* in, T* out, T*) const { kernels::map<S::size>(in, out, apply); }
};

template <class T, ShapeType S>
struct TanhLayer : detail::ElementwiseBase<T, S> {
  static constexpr std::string_view name = "Tanh";
  static constexpr T apply(T x) { return math::tanh(x); }
  constexpr void forward(const T* in, T* out, T*) const { kernels::map<S::size>(in, out, apply); }
};

template <class T, ShapeType S>
struct HardSwishLayer : detail::ElementwiseBase<T, S> {
  static constexpr std::string_view name = "HardSwish";
  static constexpr T apply(T x) { return x * math::clamp(x + T(3), T(0), T(6)) / T(6); }
  constexpr void forward(const T* in, T* out, T*) const { kernels::map<S::size>(in, out, apply); }
};

// Specs.
struct ReLU { template <class T, ShapeType S> using bind = ReLULayer<T, S>; };
struct ReLU6 { template <class T, ShapeType S> using bind = ReLU6Layer<T, S>; };
struct LeakyReLU { template <class T, ShapeType S> using bind = LeakyReLULayer<T, S>; };
struct Sigmoid { template <class T, ShapeType S> using bind = SigmoidLayer<T, S>; };
struct Tanh { template <class T, ShapeType S> using bind = TanhLayer<T, S>; };
struct HardSwish { template <class T, ShapeType S> using bind = HardSwishLayer<T, S>; };

}  // namespace ctml
