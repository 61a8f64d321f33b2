// SPDX-License-Identifier: Apache-2.0
#pragma once
// Straightforward int8 references written from TFLite's reference kernels, independent of ctml's
// kernels: requantization in long double with TFLite's two roundings, convolutions as the formula
// with every tap bounds-checked.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <ctml/kernels/conv2d.hpp>
#include <ctml/quant/conv_s8.hpp>

namespace ctml::test {

// MultiplyByQuantizedMultiplier(x, q, shift): SaturatingRoundingDoublingHighMul after a left shift,
// then RoundingDivideByPOT; both round half away from zero. Exact in long double for int32 inputs.
inline std::int32_t ref_requantize(std::int32_t x, std::int32_t q, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const long long xl = static_cast<long long>(static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left));
  const long double prod = static_cast<long double>(xl) * q / 2147483648.0L;
  const long long hi = static_cast<long long>(prod >= 0 ? std::floor(prod + 0.5L) : -std::floor(-prod + 0.5L));
  if (right == 0) return static_cast<std::int32_t>(hi);
  const long double d = static_cast<long double>(hi) / static_cast<long double>(1ll << right);
  return static_cast<std::int32_t>(d >= 0 ? std::floor(d + 0.5L) : -std::floor(-d + 0.5L));
}

// CONV_2D (depthwise = false, weights [cout][kh][kw][cin]) or DEPTHWISE_CONV_2D (weights
// [kh][kw][cout], cout = cin * multiplier), NHWC, per-channel requantization.
template <kernels::Conv2DGeometry G, class L>
std::vector<std::int8_t> ref_conv2d(const L& l, const std::int8_t* in, bool depthwise) {
  std::vector<std::int8_t> out(G.oh * G.ow * G.cout);
  const std::size_t m = depthwise ? G.cout / G.cin : 1;
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox)
      for (std::size_t co = 0; co < G.cout; ++co) {
        long long acc = l.bias[co];
        for (std::size_t ky = 0; ky < G.kh; ++ky)
          for (std::size_t kx = 0; kx < G.kw; ++kx) {
            const long iy = long(oy * G.sh + ky * G.dh) - long(G.pt), ix = long(ox * G.sw + kx * G.dw) - long(G.pl);
            if (iy < 0 || ix < 0 || iy >= long(G.ih) || ix >= long(G.iw)) continue;
            const std::int8_t* x = in + (std::size_t(iy) * G.iw + std::size_t(ix)) * G.cin;
            if (depthwise)
              acc += static_cast<long long>(l.weights[(ky * G.kw + kx) * G.cout + co]) * (x[co / m] - l.input_zero_point);
            else
              for (std::size_t c = 0; c < G.cin; ++c)
                acc += static_cast<long long>(l.weights[((co * G.kh + ky) * G.kw + kx) * G.cin + c]) *
                       (x[c] - l.input_zero_point);
          }
        long long y = ref_requantize(static_cast<std::int32_t>(acc), l.multiplier[co], l.shift[co]) + l.output_zero_point;
        y = y < l.act_min ? l.act_min : (y > l.act_max ? l.act_max : y);
        out[(oy * G.ow + ox) * G.cout + co] = static_cast<std::int8_t>(y);
      }
  return out;
}
template <kernels::Conv2DGeometry G>
std::vector<std::int8_t> ref_layer(const quant::QConv2DLayer<G>& l, const std::int8_t* in) {
  return ref_conv2d<G>(l, in, false);
}
template <kernels::Conv2DGeometry G>
std::vector<std::int8_t> ref_layer(const quant::QDepthwiseConv2DLayer<G>& l, const std::int8_t* in) {
  return ref_conv2d<G>(l, in, true);
}

}  // namespace ctml::test
