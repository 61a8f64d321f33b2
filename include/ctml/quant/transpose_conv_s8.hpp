// SPDX-License-Identifier: Apache-2.0
#pragma once
// Transposed 2-D convolution, int8, as TFLite Micro's reference_integer_ops::TransposeConv:
//   acc = sum (x + input_offset) * w          (int32, kernels/transpose_conv2d.hpp's gather)
//   y   = clamp(MBQM(acc + bias[co], M[co]) + output_offset, act)
//   M[co] = QuantizeMultiplier(double(s_in) * double(s_w[co]) / double(s_out))   (per channel)
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/transpose_conv2d.hpp>
#include <ctml/quant/activation_range.hpp>

namespace ctml::quant {

template <kernels::TransposeConv2DGeometry G>
struct QTransposeConv2DLayer {
  using input_type = Tensor<std::int8_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int8_t, Shape<G.oh, G.ow, G.cout>>;
  using weight_type = Tensor<std::int8_t, Shape<G.cout, G.kh, G.kw, G.cin>>;
  using bias_type = Tensor<std::int32_t, Shape<G.cout>>;
  static constexpr std::string_view name = "QTransposeConv2D";
  static constexpr std::size_t macs = G.ih * G.iw * G.cin * G.kh * G.kw * G.cout;

  weight_type weights{};
  bias_type bias{};
  std::array<std::int32_t, G.cout> multiplier{};
  std::array<std::int32_t, G.cout> shift{};
  std::int32_t input_offset = 0, output_offset = 0;  // -zp_in, zp_out
  std::int32_t act_min = -128, act_max = 127;
  constexpr auto buffers() { return std::tie(weights, bias, multiplier, shift, input_offset, output_offset, act_min, act_max); }
  constexpr auto buffers() const { return std::tie(weights, bias, multiplier, shift, input_offset, output_offset, act_min, act_max); }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t*) const {
    ::ctml::detail::side_effect_fence();
    const std::int8_t* w = weights.data();
    for (std::size_t oy = 0; oy < G.oh; ++oy)
      for (std::size_t ox = 0; ox < G.ow; ++ox)
        for (std::size_t co = 0; co < G.cout; ++co) {
          std::int32_t acc = kernels::transpose_conv2d_gather<G>(oy, ox, co, std::int32_t{0}, [&](std::int32_t a, std::size_t i, std::size_t k) {
            return a + (static_cast<std::int32_t>(in[i]) + input_offset) * static_cast<std::int32_t>(w[k]);
          });
          acc = multiply_by_quantized_multiplier(acc + bias[co], Multiplier{multiplier[co], static_cast<int>(shift[co])}) + output_offset;
          acc = acc < act_min ? act_min : (acc > act_max ? act_max : acc);
          out[(oy * G.ow + ox) * G.cout + co] = static_cast<std::int8_t>(acc);
        }
  }
};

// The file's raw values: weights, bias, the input's and output's quantization, the weights'
// scales (one, or one per output channel), the fused activation.
template <kernels::TransposeConv2DGeometry G>
constexpr QTransposeConv2DLayer<G> make_qtranspose_conv2d(const typename QTransposeConv2DLayer<G>::weight_type& weights,
                                                         const typename QTransposeConv2DLayer<G>::bias_type& bias, QParams in,
                                                         const std::array<float, G.cout>& weight_scales, QParams out, Activation act) {
  QTransposeConv2DLayer<G> l{};
  l.weights = weights;
  l.bias = bias;
  for (std::size_t c = 0; c < G.cout; ++c) {
    const Multiplier m = quantize_multiplier(static_cast<double>(in.scale) * static_cast<double>(weight_scales[c]) / static_cast<double>(out.scale));
    l.multiplier[c] = m.value;
    l.shift[c] = m.shift;
  }
  l.input_offset = -in.zero_point;
  l.output_offset = out.zero_point;
  const ActivationRange r = activation_range(act, out);
  l.act_min = r.min;
  l.act_max = r.max;
  return l;
}

}  // namespace ctml::quant
