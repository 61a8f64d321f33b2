// SPDX-License-Identifier: Apache-2.0
#pragma once
// Conv1D, int8: a CONV_2D with a height of one (TFLite converts Keras' Conv1D that way), run by
// the QConv2D kernel. Activations are (length, channels); weights [Cout][1][K][Cin], the same
// bytes as the float Conv1D's [Cout][K][Cin].
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/concepts.hpp>
#include <ctml/quant/conv_s8.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

// G: a Conv2DGeometry with ih == oh == kh == 1 (as ctml::Conv1DLayer::geometry).
template <kernels::Conv2DGeometry G>
struct QConv1DLayer : QConv2DLayer<G> {
  static_assert(G.ih == 1 && G.oh == 1 && G.kh == 1, "ctml::quant::QConv1D: geometry with a height of one");
  using input_type = Tensor<std::int8_t, Shape<G.iw, G.cin>>;
  using output_type = Tensor<std::int8_t, Shape<G.ow, G.cout>>;
  static constexpr std::string_view name = "QConv1D";
};

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
template <class In, std::size_t F, std::size_t K, class Opt>
struct qmap<Conv1DLayer<float, In, F, K, Opt>> : qmap_base {
  using type = QConv1DLayer<Conv1DLayer<float, In, F, K, Opt>::geometry>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
};
}  // namespace detail

}  // namespace ctml::quant
