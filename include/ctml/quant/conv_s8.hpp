// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 convolution and average-pooling layers with TFLite semantics, NHWC: the data (weights,
// per-channel multipliers and shifts, zero points, clamp, and what is derived from them once:
// effective bias, packed weights, requantization tables) and one kernel call each. The math and
// every target's variant are in kernels/s8/ (conv.hpp, depthwise_conv.hpp, avg_pool.hpp).
// Per-channel multipliers and shifts are computed before inference (by ctml-import or PTQ), never
// per call. Pointwise 1x1 convs run in place (two pixels of scratch); stride-1 same-size depthwise
// convs run in place with a ring of (pad_top + 1) rows.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/s8/avg_pool.hpp>
#include <ctml/kernels/s16/avg_pool.hpp>
#include <ctml/kernels/s8/conv.hpp>
#include <ctml/kernels/s8/depthwise_conv.hpp>
#include <ctml/kernels/s8/output_stage.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/quant/output_stage_params.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/depthwise_conv2d.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

template <kernels::Conv2DGeometry G>
struct QConv2DLayer : OutputStage {
  using kernel_facts = kernels::s8::ConvFacts<G>;
  using input_type = Tensor<std::int8_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int8_t, Shape<G.oh, G.ow, G.cout>>;
  static constexpr bool pointwise = kernel_facts::pointwise;
  static constexpr bool in_place = kernel_facts::in_place;
  static constexpr std::size_t in_place_lead = kernel_facts::in_place_lead;
  static constexpr bool expands_inputs = kernel_facts::expands_inputs;
  static constexpr bool widened_weights = kernel_facts::widened_weights;
  static constexpr std::size_t scratch_size = kernel_facts::scratch_bytes;
  static constexpr std::string_view name = pointwise ? "QConv2D 1x1" : "QConv2D";
  static constexpr std::size_t macs = G.oh * G.ow * G.cout * G.kh * G.kw * G.cin;

  using weight_type = Tensor<std::int8_t, Shape<G.cout, G.kh, G.kw, G.cin>>;
  using bias_type = Tensor<std::int32_t, Shape<G.cout>>;

  weight_type weights;
  bias_type bias;
  Tensor<std::int32_t, Shape<G.cout>> multiplier;
  Tensor<std::int32_t, Shape<G.cout>> shift;
  Tensor<std::int32_t, Shape<G.cout>> effective_bias;  // derived: bias - in_zp * sum(w)
  // The weights in the layout of this target's fastest kernel, derived like effective_bias (and
  // empty on targets whose kernels read `weights` directly); kernels/s8/conv_params.hpp.
  using packed_type = typename kernel_facts::packed_type;
  [[no_unique_address]] packed_type packed = packed_type::pack(weights.data());
  using requant_table_type = typename kernel_facts::requant_table_type;
  [[no_unique_address]] requant_table_type requant_table =
      requant_table_type::make(multiplier.data(), shift.data(), this->output_zero_point);

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }
  // Non-trained data a weight blob carries besides parameters() (requantization and ranges).
  constexpr auto buffers() { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr auto buffers() const { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }

  // Recompute the derived data after weights, bias, multipliers or zero points change.
  constexpr void prepare() {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t K = G.kh * G.kw * G.cin;
    const std::int8_t* row = weights.data();
    for (std::size_t co = 0; co < G.cout; ++co, row += K) {
      std::int64_t s = 0;
      for (std::size_t k = 0; k < K; ++k) s += row[k];
      effective_bias[co] = fold_zero_point(bias[co], this->input_zero_point, s);
    }
    packed = packed_type::pack(weights.data());
    requant_table = requant_table_type::make(multiplier.data(), shift.data(), this->output_zero_point);
  }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    kernels::s8::conv<G>(*this, in, out, scratch);
  }

  // Row by row (model/row_bands.hpp: a residual block's body in bands): output row q alone is G
  // on a sub-geometry (kernels::row_band), run by the same kernel on the same data when the
  // sub-geometries' kernels read this layer's packed weights and tables as they are (true unless
  // a row is a single pixel, where the Arm DSP kernel would choose other weights).
  static constexpr kernels::Conv2DGeometry geometry = G;
  using row_geometries = kernels::RowGeometries<G>;
  template <kernels::Conv2DGeometry B>
  static constexpr bool same_kernel_data =
      std::is_same_v<typename kernels::s8::ConvFacts<B>::packed_type, packed_type> &&
      std::is_same_v<typename kernels::s8::ConvFacts<B>::requant_table_type, requant_table_type>;
  static constexpr bool runs_in_rows = row_geometries::valid && []<std::size_t... K>(std::index_sequence<K...>) {
    return (same_kernel_data<row_geometries::at(K)> && ...);
  }(std::make_index_sequence<row_geometries::count>{});
  // The largest scratch of a row's kernel.
  static constexpr std::size_t row_scratch_bytes = []<std::size_t... K>(std::index_sequence<K...>) {
    return std::max({std::size_t{0}, kernels::s8::ConvFacts<row_geometries::at(K)>::scratch_bytes...});
  }(std::make_index_sequence<row_geometries::count>{});
  // Output row q from the input rows it taps (`in` at row_band(G, q).first) into `out` (one row).
  constexpr void forward_row(std::size_t q, const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    static_assert(runs_in_rows, "ctml: this conv cannot run row by row");
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      const std::size_t k = row_geometries::all.which[q];
      ((k == K ? kernels::s8::conv<row_geometries::at(K)>(*this, in, out, scratch) : void()), ...);
    }(std::make_index_sequence<row_geometries::count>{});
  }
};

template <kernels::Conv2DGeometry G>
struct QDepthwiseConv2DLayer : OutputStage {
  using kernel_facts = kernels::s8::DepthwiseFacts<G>;
  static constexpr std::size_t mult_depth = kernel_facts::mult_depth;
  using input_type = Tensor<std::int8_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int8_t, Shape<G.oh, G.ow, G.cout>>;
  static constexpr bool in_place = kernel_facts::in_place;
  static constexpr std::size_t in_place_lead = kernel_facts::in_place_lead;
  static constexpr bool widened_weights = kernel_facts::widened_weights;
  static constexpr std::size_t scratch_size = kernel_facts::scratch_bytes;
  static constexpr std::string_view name = "QDepthwiseConv2D";
  static constexpr std::size_t macs = G.oh * G.ow * G.cout * G.kh * G.kw;

  using weight_type = Tensor<std::int8_t, Shape<G.kh, G.kw, G.cout>>;
  using bias_type = Tensor<std::int32_t, Shape<G.cout>>;

  weight_type weights;
  bias_type bias;
  Tensor<std::int32_t, Shape<G.cout>> multiplier;
  Tensor<std::int32_t, Shape<G.cout>> shift;
  // The weights in the layout of this target's kernel (kernels/s8/depthwise_conv_params.hpp).
  using packed_type = typename kernel_facts::packed_type;
  [[no_unique_address]] packed_type packed = packed_type::pack(weights.data());

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }
  // Non-trained data a weight blob carries besides parameters() (requantization and ranges).
  constexpr auto buffers() { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr auto buffers() const { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }

  constexpr void prepare() { packed = packed_type::pack(weights.data()); }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t* ring) const {
    kernels::s8::depthwise_conv<G>(*this, in, out, ring);
  }
};

// The layers from TFLite's raw values (quant/output_stage_params.hpp): weights and bias as stored
// (conv [cout][kh][kw][cin], depthwise [kh][kw][cout]), the input and output quantization, the
// weight scale(s) and the fused activation. ctml-import's headers are made of these calls.
template <kernels::Conv2DGeometry G>
constexpr QConv2DLayer<G> make_qconv2d(const typename QConv2DLayer<G>::weight_type& weights,
                                       const typename QConv2DLayer<G>::bias_type& bias, QParams in,
                                       std::initializer_list<double> w_scales, QParams out,
                                       Activation act = Activation::none) {
  return make_weighted_s8<QConv2DLayer<G>>(weights, bias, in, w_scales, out, act);
}
template <kernels::Conv2DGeometry G>
constexpr QDepthwiseConv2DLayer<G> make_qdepthwise_conv2d(const typename QDepthwiseConv2DLayer<G>::weight_type& weights,
                                                          const typename QDepthwiseConv2DLayer<G>::bias_type& bias,
                                                          QParams in, std::initializer_list<double> w_scales,
                                                          QParams out, Activation act = Activation::none) {
  return make_weighted_s8<QDepthwiseConv2DLayer<G>>(weights, bias, in, w_scales, out, act);
}

// TFLite int8 AVERAGE_POOL_2D: integer mean over the taps inside the input, rounded half away from
// zero; input and output share quantization. T = std::int16_t: the 16x8 pool (same formula).
template <kernels::Conv2DGeometry G, class T = std::int8_t>
struct QAveragePool2DLayer {
  static_assert(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>, "ctml::quant::QAveragePool2D: int8 or int16 activations");
  using input_type = Tensor<T, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<T, Shape<G.oh, G.ow, G.cin>>;
  static constexpr std::string_view name = sizeof(T) == 1 ? "QAveragePool2D" : "QAveragePool2D16";
  std::int32_t act_min = std::numeric_limits<T>::min(), act_max = std::numeric_limits<T>::max();

  constexpr auto buffers() { return std::tie(act_min, act_max); }
  constexpr auto buffers() const { return std::tie(act_min, act_max); }

  constexpr void forward(const T* in, T* out, T*) const {
    if constexpr (sizeof(T) == 1) kernels::s8::avg_pool<G>(in, out, act_min, act_max);
    else kernels::s16::avg_pool<G>(in, out, act_min, act_max);
  }
};
template <kernels::Conv2DGeometry G>
using QAveragePool2D16Layer = QAveragePool2DLayer<G, std::int16_t>;

// The pool with TFLite's fused activation on its (shared) quantization.
template <kernels::Conv2DGeometry G, class T = std::int8_t>
constexpr QAveragePool2DLayer<G, T> make_qaverage_pool2d(QParams q, Activation act = Activation::none) {
  return clamped_layer<QAveragePool2DLayer<G, T>>(q, act);
}

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
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
}  // namespace detail

}  // namespace ctml::quant
