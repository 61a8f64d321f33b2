// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 DEPTHWISE_CONV_2D, the reference kernel: any depth multiplier M, taps outside the input
// skipped (TFLite's padding contributes nothing), one int32 accumulator per output channel:
//   acc[c*M+m] = bias[c*M+m] + sum over taps inside the input of w[ky][kx][c*M+m] * (x[c] - in_zp)
// Also the constant-evaluation path of every target. In place (DepthwiseFacts::in_place), each
// input row is copied into a ring of (pad_top + 1) rows before its outputs overwrite it.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/s8/depthwise_conv_params.hpp>

namespace ctml::kernels::s8 {

template <Conv2DGeometry G, class D>
constexpr void depthwise_conv_portable(const D& dp, const std::int8_t* in, std::int8_t* out,
                                       std::int8_t* ring) {
  using F = DepthwiseFacts<G>;
  ::ctml::detail::side_effect_fence();
  const std::int32_t zp = stage_of(dp).input_zero_point;
  std::int32_t acc[G.cout]{};
  for (std::size_t oy = 0; oy < G.oh; ++oy) {
    keep_input_row<G>(in, ring, oy);
    const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
      for (std::size_t co = 0; co < G.cout; ++co) acc[co] = dp.bias[co];
      for (std::size_t ky = 0; ky < G.kh; ++ky) {
        const long iy = y0 + static_cast<long>(ky * G.dh);
        if (iy < 0 || iy >= static_cast<long>(G.ih)) continue;
        const std::size_t uy = static_cast<std::size_t>(iy);
        const std::int8_t* rowp = input_row<G>(in, ring, uy, oy);
        for (std::size_t kx = 0; kx < G.kw; ++kx) {
          const long ix = x0 + static_cast<long>(kx * G.dw);
          if (ix < 0 || ix >= static_cast<long>(G.iw)) continue;
          const std::int8_t* x = rowp + static_cast<std::size_t>(ix) * G.cin;
          const std::int8_t* w = dp.weights.data() + (ky * G.kw + kx) * G.cout;
          for (std::size_t c = 0; c < G.cin; ++c)
            for (std::size_t m = 0; m < F::mult_depth; ++m)
              acc[c * F::mult_depth + m] += static_cast<std::int32_t>(w[c * F::mult_depth + m]) * (x[c] - zp);
        }
      }
      std::int8_t* o = out + (oy * G.ow + ox) * G.cout;
      for (std::size_t co = 0; co < G.cout; ++co) o[co] = stage_of(dp).finish(acc[co], dp.multiplier[co], dp.shift[co]);
    }
  }
}

}  // namespace ctml::kernels::s8
