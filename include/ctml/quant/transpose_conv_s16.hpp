// SPDX-License-Identifier: Apache-2.0
#pragma once
// Transposed 2-D convolution 16x8 (int16 activations, int8 weights), as TFLite Micro's
// reference_integer_ops::TransposeConv for int16 computes it:
//   acc = sum x * w + bias[co]        (int64: the sum and TFLite's int64 bias; zero points are 0)
//   y   = clamp(MultiplyByQuantizedMultiplier64(acc, M[co]), act)
//   M[co] = QuantizeMultiplier(double(s_in) * double(s_w[co]) / double(s_out))   (per channel)
// The sum is kernels/transpose_conv2d.hpp's gather (TFLite scatters into an int64 buffer; integer
// sums do not depend on the order). TFLite Micro also takes an int16 bias (widened to int64);
// ctml-import widens it the same way.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/s16/output_stage.hpp>
#include <ctml/kernels/transpose_conv2d.hpp>
#include <ctml/quant/conv_s16.hpp>

namespace ctml::quant {

template <kernels::TransposeConv2DGeometry G>
struct QTransposeConv2D16x8Layer : detail::Weighted16x8<Shape<G.cout, G.kh, G.kw, G.cin>, G.cout, std::int64_t> {
  using input_type = Tensor<std::int16_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int16_t, Shape<G.oh, G.ow, G.cout>>;
  static constexpr std::string_view name = "QTransposeConv2D16x8";
  static constexpr std::size_t macs = G.ih * G.iw * G.cin * G.kh * G.kw * G.cout;

  constexpr void forward(const std::int16_t* in, std::int16_t* out, std::int16_t*) const {
    ::ctml::detail::side_effect_fence();
    const std::int8_t* w = this->weights.data();
    for (std::size_t oy = 0; oy < G.oh; ++oy)
      for (std::size_t ox = 0; ox < G.ow; ++ox)
        for (std::size_t co = 0; co < G.cout; ++co) {
          const std::int64_t acc = kernels::transpose_conv2d_gather<G>(oy, ox, co, std::int64_t{0}, [&](std::int64_t a, std::size_t i, std::size_t k) {
            return a + static_cast<std::int64_t>(in[i]) * static_cast<std::int64_t>(w[k]);
          });
          out[(oy * G.ow + ox) * G.cout + co] =
              kernels::s16::finish<std::int64_t>(kernels::s16::add_wrapping(acc, this->bias[co]), this->multiplier[co], this->shift[co],
                                                 this->output_zero_point, this->act_min, this->act_max);
        }
  }
};

// From TFLite's raw values: weights [cout][kh][kw][cin], the int64 bias, the int16 input and output
// quantization (zero point 0), the weight scale(s) and the fused activation.
template <kernels::TransposeConv2DGeometry G>
constexpr QTransposeConv2D16x8Layer<G> make_qtranspose_conv2d16x8(const typename QTransposeConv2D16x8Layer<G>::weight_type& weights,
                                                                 const typename QTransposeConv2D16x8Layer<G>::bias_type& bias, QParams in,
                                                                 std::initializer_list<double> w_scales, QParams out,
                                                                 Activation act = Activation::none) {
  return detail::make_weighted_16x8<QTransposeConv2D16x8Layer<G>>(weights, bias, in, w_scales, out, act);
}

}  // namespace ctml::quant
