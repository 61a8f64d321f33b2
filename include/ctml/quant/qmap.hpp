// SPDX-License-Identifier: Apache-2.0
#pragma once
// The float -> int8 map of post-training quantization, one entry per float layer, written beside
// the layer's int8 twin (quant/<op>_s8.hpp):
//   template <...> struct detail::qmap<FloatLayer<float, ...>> : detail::qmap_base {
//     using type = QTwinLayer<...>;               // the int8 layer
//     static constexpr QKind kind = ...;           // how its output parameters are chosen
//     static constexpr Activation act = ...;       // its own fused activation (weighted layers)
//     static constexpr bool fusable = ...;         // a following ReLU/ReLU6 becomes its clamp
//     static constexpr bool channel_last = ...;    // weights' output channel is the last index
//   };
// A layer without an entry is not Quantizable, and quantize() says so (type_map.hpp). A layer
// that can be fused into the one before (ReLU, ReLU6) also sets detail::fusable_activation.
#include <cstdint>
#include <ctml/core/options.hpp>
#include <ctml/layers/reshape.hpp>

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
  lstm,         // from the calibrated hidden and cell states of every step (quant/lstm_s8.hpp)
  gru,          // from the calibrated hidden state of every step (quant/gru_s8.hpp)
};

namespace detail {

// The primary is empty: a layer without a specialization has no int8 twin.
template <class L>
struct qmap {};

struct qmap_base {
  static constexpr bool fusable = false;
  static constexpr bool channel_last = false;
  static constexpr Activation act = Activation::none;
};

// The activation a layer would fuse into the layer before it (ReLU, ReLU6), or none.
template <class L>
inline constexpr Activation fusable_activation = Activation::none;

// Reshape and Flatten are the same layer on int8 data.
template <class In, class Out>
struct qmap<ReshapeLayer<float, In, Out>> : qmap_base {
  using type = ReshapeLayer<std::int8_t, In, Out>;
  static constexpr QKind kind = QKind::same_params;
};

// The int8 network of a float network (type_map.hpp); residual blocks map their branches with it.
template <class Net>
struct quantized_of;

}  // namespace detail
}  // namespace ctml::quant
