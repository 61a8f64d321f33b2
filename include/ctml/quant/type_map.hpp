// SPDX-License-Identifier: Apache-2.0
#pragma once
// The float -> int8 type map of post-training quantization: for each float layer its int8 twin
// (qmap, one specialization per layer; Quantizable), which ReLU/ReLU6 fuse into the layer before,
// and quantized_t<FloatNet>, the int8 network's type computed from the float one. The table of
// the map is in quantize_model.hpp's header comment.
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
#include <ctml/quant/conv1d_s8.hpp>
#include <ctml/quant/conv_s8.hpp>
#include <ctml/quant/dense_s8.hpp>
#include <ctml/quant/logistic_s8.hpp>
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

// How the output parameters of an int8 layer are chosen.
enum class QKind {
  weighted,     // Dense / conv: from the calibrated range of its (activated) output
  same_params,  // pools, reshape: the input's parameters
  relu,         // a standalone ReLU: the input's parameters, clamped
  mean,         // from the calibrated range, requantized by the MEAN multiplier
  softmax,      // fixed 1/256, -128
  logistic,     // fixed 1/256, -128
  tanh,         // fixed 1/128, 0
  residual,     // body and shortcut quantized recursively; their ADD to the calibrated output range
};

namespace detail {

// qmap<FloatLayer>: the layer's int8 twin and how it is quantized. The primary is empty: a layer
// without a specialization is not Quantizable, and quantize() says so (qinfo below).
template <class L>
struct qmap {};

struct qmap_base {
  static constexpr bool fusable = false;
  static constexpr bool channel_last = false;
  static constexpr Activation act = Activation::none;
};

template <class In, std::size_t U, Activation A>
struct qmap<DenseLayer<float, In, U, A>> : qmap_base {
  using type = QDenseLayer<In, U>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = A;
  static constexpr bool fusable = true;
};
template <class In, std::size_t F, std::size_t KH, std::size_t KW, class Opt>
struct qmap<Conv2DLayer<float, In, F, KH, KW, Opt>> : qmap_base {
  using type = QConv2DLayer<Conv2DLayer<float, In, F, KH, KW, Opt>::geometry>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
};
template <class In, std::size_t KH, std::size_t KW, class Opt>
struct qmap<DepthwiseConv2DLayer<float, In, KH, KW, Opt>> : qmap_base {
  using type = QDepthwiseConv2DLayer<DepthwiseConv2DLayer<float, In, KH, KW, Opt>::geometry>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
  static constexpr bool channel_last = true;
};
template <class In, std::size_t F, std::size_t K, class Opt>
struct qmap<Conv1DLayer<float, In, F, K, Opt>> : qmap_base {
  using type = QConv1DLayer<Conv1DLayer<float, In, F, K, Opt>::geometry>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
};
template <class In, kernels::PoolKind K, std::size_t PH, std::size_t PW, class St, class Opt>
struct qmap<Pool2DLayer<float, In, K, PH, PW, St, Opt>> : qmap_base {
  static constexpr auto g = Pool2DLayer<float, In, K, PH, PW, St, Opt>::geometry;
  using type = std::conditional_t<K == kernels::PoolKind::max, QMaxPool2DLayer<g>, QAveragePool2DLayer<g>>;
  static constexpr QKind kind = QKind::same_params;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
};
template <class In>
struct qmap<GlobalAveragePoolLayer<float, In>> : qmap_base {
  using type = QMeanLayer<In>;
  static constexpr QKind kind = QKind::mean;
};
template <class In, class Out>
struct qmap<ReshapeLayer<float, In, Out>> : qmap_base {
  using type = ReshapeLayer<std::int8_t, In, Out>;
  static constexpr QKind kind = QKind::same_params;
};
template <class S>
struct qmap<SoftmaxLayer<float, S>> : qmap_base {
  using type = QSoftmaxLayer<S>;
  static constexpr QKind kind = QKind::softmax;
};
template <class S>
struct qmap<SigmoidLayer<float, S>> : qmap_base {
  using type = QLogisticLayer<S>;
  static constexpr QKind kind = QKind::logistic;
};
template <class S>
struct qmap<TanhLayer<float, S>> : qmap_base {
  using type = QTanhLayer<S>;
  static constexpr QKind kind = QKind::tanh;
};
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

template <class Net>
struct quantized_of;
template <class In, class Body, class Short>
struct qmap<ResidualLayer<float, In, Body, Short>> : qmap_base {
  using qshort = typename std::conditional_t<std::is_same_v<Short, Identity>, std::type_identity<Identity>,
                                             quantized_of<Short>>::type;
  using type = QResidualLayer<In, typename quantized_of<Body>::type, qshort>;
  static constexpr QKind kind = QKind::residual;
  static constexpr bool fusable = true;  // a following ReLU becomes the ADD's clamp
};

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
                "Reshape/Flatten, ReLU, ReLU6, Softmax, Sigmoid, Tanh, Residual, and BatchNorm right "
                "after a Dense or conv, which is folded); see the template argument L");
};

// The activation a ReLU/ReLU6 layer would fuse, or none.
template <class L>
inline constexpr Activation fusable_activation = Activation::none;
template <class S>
inline constexpr Activation fusable_activation<ReLULayer<float, S>> = Activation::relu;
template <class S>
inline constexpr Activation fusable_activation<ReLU6Layer<float, S>> = Activation::relu6;

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
