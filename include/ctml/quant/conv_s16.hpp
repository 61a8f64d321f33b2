// SPDX-License-Identifier: Apache-2.0
#pragma once
// Convolution and depthwise convolution 16x8: int16 activations, int8 weights, TFLite's CONV_2D
// and DEPTHWISE_CONV_2D with int16 input and output, NHWC. Math: kernels/s16/conv.hpp.
// Acc is the accumulator and bias type: int64_t (what converters write) or int32_t (a conv with
// an int32 bias; TFLite Micro's depthwise conv reads its bias as int64 only, so ctml-import
// refuses an int32 one there).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/s16/conv.hpp>
#include <ctml/quant/dense_s16.hpp>

namespace ctml::quant {

namespace detail {
// What a 16x8 conv and depthwise conv hold: weights of shape W, a bias and a multiplier per output
// channel, the output stage's zero points and clamp.
template <class W, std::size_t C, class Acc>
struct Weighted16x8 : OutputStage16x8 {
  static_assert(kernels::s16::is_accumulator_v<Acc>, "a 16x8 layer accumulates in int64_t or int32_t (TFLite's two bias types)");
  using accumulator_type = Acc;
  using weight_type = Tensor<std::int8_t, W>;
  using bias_type = Tensor<Acc, Shape<C>>;

  weight_type weights;
  bias_type bias;
  Tensor<std::int32_t, Shape<C>> multiplier;
  Tensor<std::int32_t, Shape<C>> shift;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }
  constexpr auto buffers() { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr auto buffers() const { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr void prepare() {}  // nothing derived: the zero points are 0
};
}  // namespace detail

template <kernels::Conv2DGeometry G, class Acc = std::int64_t>
struct QConv2D16x8Layer : detail::Weighted16x8<Shape<G.cout, G.kh, G.kw, G.cin>, G.cout, Acc> {
  using input_type = Tensor<std::int16_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int16_t, Shape<G.oh, G.ow, G.cout>>;
  static constexpr std::string_view name = "QConv2D16x8";
  static constexpr std::size_t macs = G.oh * G.ow * G.cout * G.kh * G.kw * G.cin;

  constexpr void forward(const std::int16_t* in, std::int16_t* out, std::int16_t*) const {
    kernels::s16::conv<G, Acc>(*this, in, out);
  }
};

template <kernels::Conv2DGeometry G, class Acc = std::int64_t>
struct QDepthwiseConv2D16x8Layer : detail::Weighted16x8<Shape<G.kh, G.kw, G.cout>, G.cout, Acc> {
  static_assert(G.cout % G.cin == 0, "a depthwise conv's output channels are a multiple of its input channels");
  using input_type = Tensor<std::int16_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int16_t, Shape<G.oh, G.ow, G.cout>>;
  static constexpr std::string_view name = "QDepthwiseConv2D16x8";
  static constexpr std::size_t macs = G.oh * G.ow * G.cout * G.kh * G.kw;

  constexpr void forward(const std::int16_t* in, std::int16_t* out, std::int16_t*) const {
    kernels::s16::depthwise_conv<G, Acc>(*this, in, out);
  }
};

// The layers from TFLite's raw values: weights and bias as stored (conv [cout][kh][kw][cin],
// depthwise [kh][kw][cout]), the int16 input and output quantization (zero point 0), the weight
// scale(s) and the fused activation.
template <kernels::Conv2DGeometry G, class Acc = std::int64_t>
constexpr QConv2D16x8Layer<G, Acc> make_qconv2d16x8(const typename QConv2D16x8Layer<G, Acc>::weight_type& weights,
                                                    const typename QConv2D16x8Layer<G, Acc>::bias_type& bias, QParams in,
                                                    std::initializer_list<double> w_scales, QParams out,
                                                    Activation act = Activation::none) {
  return detail::make_weighted_16x8<QConv2D16x8Layer<G, Acc>>(weights, bias, in, w_scales, out, act);
}
template <kernels::Conv2DGeometry G, class Acc = std::int64_t>
constexpr QDepthwiseConv2D16x8Layer<G, Acc> make_qdepthwise_conv2d16x8(
    const typename QDepthwiseConv2D16x8Layer<G, Acc>::weight_type& weights,
    const typename QDepthwiseConv2D16x8Layer<G, Acc>::bias_type& bias, QParams in, std::initializer_list<double> w_scales,
    QParams out, Activation act = Activation::none) {
  return detail::make_weighted_16x8<QDepthwiseConv2D16x8Layer<G, Acc>>(weights, bias, in, w_scales, out, act);
}

}  // namespace ctml::quant
