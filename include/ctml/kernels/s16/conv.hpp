// SPDX-License-Identifier: Apache-2.0
#pragma once
// CONV_2D and DEPTHWISE_CONV_2D 16x8 with TFLite semantics, NHWC (reference_integer_ops::
// ConvPerChannel / DepthwiseConvPerChannel with int16 input and output, int8 weights):
//   conv       acc[y][x][co] = bias[co] + sum over taps inside the input, ci of w[co][ky][kx][ci] * in[iy][ix][ci]
//   depthwise  acc[y][x][c*M+m] = bias[c*M+m] + sum over taps inside the input of w[ky][kx][c*M+m] * in[iy][ix][c]
//   y = clamp(requantize<Acc>(acc, M[co]), act_min, act_max)                     (output_stage.hpp)
// with iy = y*sh + ky*dh - pad_top, ix = x*sw + kx*dw - pad_left: taps outside the input are
// skipped (zero padding, exact because the input zero point is 0). The reference loops on every
// target.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/s16/output_stage.hpp>

namespace ctml::kernels::s16 {

namespace detail {
// The input row/column of tap k for output o, or -1 when it falls in the padding.
constexpr long tap(std::size_t o, std::size_t k, std::size_t stride, std::size_t dilation, std::size_t pad, std::size_t size) {
  const long i = static_cast<long>(o * stride + k * dilation) - static_cast<long>(pad);
  return i >= 0 && i < static_cast<long>(size) ? i : -1;
}
}  // namespace detail

// D: quant::QConv2D16x8Layer (weights [cout][kh][kw][cin] int8, bias Acc, multiplier, shift, clamp).
template <Conv2DGeometry G, class Acc, class D>
constexpr void conv(const D& d, const std::int16_t* in, std::int16_t* out) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox)
      for (std::size_t co = 0; co < G.cout; ++co) {
        std::int64_t acc = 0;
        for (std::size_t ky = 0; ky < G.kh; ++ky) {
          const long iy = detail::tap(oy, ky, G.sh, G.dh, G.pt, G.ih);
          if (iy < 0) continue;
          for (std::size_t kx = 0; kx < G.kw; ++kx) {
            const long ix = detail::tap(ox, kx, G.sw, G.dw, G.pl, G.iw);
            if (ix < 0) continue;
            const std::int16_t* x = in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin;
            const std::int8_t* w = d.weights.data() + ((co * G.kh + ky) * G.kw + kx) * G.cin;
            for (std::size_t ci = 0; ci < G.cin; ++ci) acc += static_cast<std::int32_t>(w[ci]) * static_cast<std::int32_t>(x[ci]);
          }
        }
        acc = add_wrapping(acc, d.bias[co]);
        out[(oy * G.ow + ox) * G.cout + co] = finish<Acc>(acc, d.multiplier[co], d.shift[co], d.output_zero_point, d.act_min, d.act_max);
      }
}

// D: quant::QDepthwiseConv2D16x8Layer (weights [kh][kw][cout] int8, cout = cin * M).
template <Conv2DGeometry G, class Acc, class D>
constexpr void depthwise_conv(const D& d, const std::int16_t* in, std::int16_t* out) {
  static_assert(G.cout % G.cin == 0, "a depthwise conv's output channels are a multiple of its input channels");
  constexpr std::size_t M = G.cout / G.cin;
  ::ctml::detail::side_effect_fence();
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox)
      for (std::size_t co = 0; co < G.cout; ++co) {
        const std::size_t ci = co / M;
        std::int64_t acc = 0;
        for (std::size_t ky = 0; ky < G.kh; ++ky) {
          const long iy = detail::tap(oy, ky, G.sh, G.dh, G.pt, G.ih);
          if (iy < 0) continue;
          for (std::size_t kx = 0; kx < G.kw; ++kx) {
            const long ix = detail::tap(ox, kx, G.sw, G.dw, G.pl, G.iw);
            if (ix < 0) continue;
            acc += static_cast<std::int32_t>(d.weights[(ky * G.kw + kx) * G.cout + co]) *
                   static_cast<std::int32_t>(in[(static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin + ci]);
          }
        }
        acc = add_wrapping(acc, d.bias[co]);
        out[(oy * G.ow + ox) * G.cout + co] = finish<Acc>(acc, d.multiplier[co], d.shift[co], d.output_zero_point, d.act_min, d.act_max);
      }
}

}  // namespace ctml::kernels::s16
