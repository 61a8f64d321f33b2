// SPDX-License-Identifier: Apache-2.0
#pragma once
// The float -> int8 type map of post-training quantization: which ReLU/ReLU6 fuse into the layer
// before, the readable error for a layer without an int8 twin (Quantizable), and
// quantized_t<FloatNet>, the int8 network's type computed from the float one. Each layer's entry
// (qmap, qmap.hpp) is beside its int8 twin in quant/<op>_s8.hpp; the table of the map is in
// quantize_model.hpp's header comment.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/layers/batchnorm.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/layers/depthwise_conv2d.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/layers/reshape.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/model/fold.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/quant/calibration.hpp>
#include <ctml/quant/qmap.hpp>
#include <ctml/quant/conv1d_s8.hpp>
#include <ctml/quant/conv_s8.hpp>
#include <ctml/quant/dense_s8.hpp>
#include <ctml/quant/gru_s8.hpp>
#include <ctml/quant/logistic_s8.hpp>
#include <ctml/quant/lstm_s8.hpp>
#include <ctml/quant/maxpool_s8.hpp>
#include <ctml/quant/mean_s8.hpp>
#include <ctml/quant/quantize_s8.hpp>
#include <ctml/quant/quantize_weights.hpp>
#include <ctml/quant/relu_s8.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/quant/residual_s8.hpp>
#include <ctml/quant/softmax_s8.hpp>
#include <ctml/quant/tanh_s8.hpp>


namespace ctml::quant {

namespace detail {

template <class L>
concept has_qmap = requires { typename qmap<L>::type; };
template <class L>
inline constexpr bool is_float_batchnorm = false;
template <class S>
inline constexpr bool is_float_batchnorm<BatchNormLayer<float, S>> = true;
// Stands in for the missing int8 twin so that the static_assert below is the only error.
template <class L>
struct QUnsupported {
  using input_type = Tensor<std::int8_t, typename layer_traits<L>::input_shape>;
  using output_type = Tensor<std::int8_t, typename layer_traits<L>::output_shape>;
  constexpr void forward(const std::int8_t*, std::int8_t*, std::int8_t*) const {}
};
template <class L>
struct qmap_unsupported : qmap_base {
  using type = QUnsupported<L>;
  static constexpr QKind kind = QKind::same_params;
};
// qmap with the error a user sees for a layer that has no int8 twin.
template <class L>
struct qinfo : std::conditional_t<has_qmap<L>, qmap<L>, qmap_unsupported<L>> {
  static_assert(!is_float_batchnorm<L>,
                "ctml::quant::quantize: a BatchNorm that does not directly follow a Dense or conv "
                "without activation cannot be folded, and int8 has no BatchNorm op");
  static_assert(has_qmap<L> || is_float_batchnorm<L>,
                "ctml::quant::quantize: this float layer has no int8 counterpart (supported: Dense, "
                "Conv1D, Conv2D, DepthwiseConv2D, AveragePool2D, MaxPool2D, GlobalAveragePool, "
                "Reshape/Flatten, ReLU, ReLU6, Softmax, Sigmoid, Tanh, Residual, GRU, LSTM, and BatchNorm right "
                "after a Dense or conv, which is folded); see the template argument L");
};


template <class A, class B>
constexpr bool fuses() {
  if constexpr (fusable_activation<B> == Activation::none) return false;
  else return qinfo<A>::fusable && qinfo<A>::act == Activation::none;
}

// Type walk: emit the int8 layer of each float layer, skipping a ReLU fused into the one before.
template <class Done, class... Ls>
struct qwalk;
template <class... D>
struct qwalk<LayerPack<D...>> {
  using type = LayerPack<D...>;
};
template <class... D, class L>
struct qwalk<LayerPack<D...>, L> {
  using type = LayerPack<D..., typename qinfo<L>::type>;
};
template <bool Fuse, class Done, class A, class B, class... R>
struct qstep;
template <class... D, class A, class B, class... R>
struct qstep<true, LayerPack<D...>, A, B, R...> {
  using type = typename qwalk<LayerPack<D..., typename qinfo<A>::type>, R...>::type;
};
template <class... D, class A, class B, class... R>
struct qstep<false, LayerPack<D...>, A, B, R...> {
  using type = typename qwalk<LayerPack<D..., typename qinfo<A>::type>, B, R...>::type;
};
template <class... D, class A, class B, class... R>
struct qwalk<LayerPack<D...>, A, B, R...> : qstep<fuses<A, B>(), LayerPack<D...>, A, B, R...> {};

template <class... Ls>
struct quantized_of<Network<LayerPack<Ls...>>> {
  using type = Network<typename qwalk<LayerPack<>, Ls...>::type>;
};

// Which float layers each int8 layer comes from.
struct QStep {
  std::size_t src = 0;    // float layer it quantizes
  std::size_t range = 0;  // float layer whose output range it takes (src + 1 when a ReLU is fused)
  Activation act = Activation::none;
};

template <class Net, std::size_t N = quantized_of<Net>::type::layer_count>
constexpr std::array<QStep, N> make_qsteps() {
  constexpr std::size_t n = Net::layer_count;
  std::array<bool, n> fuse_next{};
  std::array<Activation, n> own{}, next_act{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((own[I] = qinfo<typename Net::template layer_type<I>>::act), ...);
    (([&] {
       if constexpr (I + 1 < n) {
         using A = typename Net::template layer_type<I>;
         using B = typename Net::template layer_type<(I + 1 < n ? I + 1 : I)>;
         fuse_next[I] = fuses<A, B>();
         next_act[I] = fusable_activation<B>;
       }
     }()),
     ...);
  }(std::make_index_sequence<n>{});
  std::array<QStep, N> steps{};
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i, ++k) {
    steps[k] = {i, i, own[i]};
    if (fuse_next[i]) {
      steps[k] = {i, i + 1, next_act[i]};
      ++i;
    }
  }
  return steps;
}

template <class T>
constexpr T max_of(std::initializer_list<T> v) {
  T m{};
  for (T x : v) m = x > m ? x : m;
  return m;
}

}  // namespace detail

// A float layer with an int8 twin that quantize() builds (tests/static lists every layer).
template <class L>
concept Quantizable = detail::has_qmap<L>;

// The int8 twin's type: a ctml::Chain of int8 layers, from the float network's type.
template <class FloatNet>
using quantized_t = typename detail::quantized_of<folded_t<FloatNet>>::type;

}  // namespace ctml::quant
