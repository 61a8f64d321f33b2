// SPDX-License-Identifier: Apache-2.0
#pragma once
// RELU / RELU6 on int8 activations that keep their input's scale and zero point (what a ReLU that
// cannot be fused into the layer before it becomes): with equal input and output parameters
// TFLite's requantization is the identity, so the op is the clamp to [q(0), 127] or [q(0), q(6)]
// (activation_range.hpp). Runs in place.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

// T: std::int8_t, or std::int16_t for 16x8 models (TFLite's int16 RELU / RELU6: the same clamp).
template <ShapeType S, class T = std::int8_t>
struct QReLULayer {
  static_assert(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>, "ctml::quant::QReLU: int8 or int16 activations");
  using input_type = Tensor<T, S>;
  using output_type = Tensor<T, S>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = sizeof(T) == 1 ? "QReLU" : "QReLU16";
  std::int32_t act_min = std::numeric_limits<T>::min(), act_max = std::numeric_limits<T>::max();
  constexpr auto buffers() { return std::tie(act_min, act_max); }
  constexpr auto buffers() const { return std::tie(act_min, act_max); }

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i) {
      const std::int32_t v = in[i];
      out[i] = static_cast<T>(v < act_min ? act_min : (v > act_max ? act_max : v));
    }
  }
};

// RELU (act = relu), RELU6 (relu6) or RELU_N1_TO_1 (relu_n1_to_1) on the tensor's quantization q.
template <ShapeType S, class T = std::int8_t>
constexpr QReLULayer<S, T> make_qrelu(QParams q, Activation act = Activation::relu) {
  return clamped_layer<QReLULayer<S, T>>(q, act);
}

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
template <class S>
struct qmap<ReLULayer<float, S>> : qmap_base {
  using type = QReLULayer<S>;
  static constexpr QKind kind = QKind::relu;
  static constexpr Activation act = Activation::relu;
};
template <class S>
struct qmap<ReLU6Layer<float, S>> : qmap_base {
  using type = QReLULayer<S>;
  static constexpr QKind kind = QKind::relu;
  static constexpr Activation act = Activation::relu6;
};
// ReLU and ReLU6 fuse into the layer before them.
template <class S>
inline constexpr Activation fusable_activation<ReLULayer<float, S>> = Activation::relu;
template <class S>
inline constexpr Activation fusable_activation<ReLU6Layer<float, S>> = Activation::relu6;
}  // namespace detail

}  // namespace ctml::quant
