// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 AVERAGE_POOL_2D with TFLite semantics, NHWC: the integer mean over the taps inside the input,
// rounded half away from zero, clamped to the fused activation; input and output share
// quantization, so there is no requantization:
//   y[c] = clamp(round_half_away(sum over taps inside of x[c] / count), act_min, act_max)
// One kernel for every target (the compiler vectorises the channel loop on hosts).
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/conv2d.hpp>

namespace ctml::kernels::s8 {

// The window is clipped to the input once per output pixel; channels are summed in chunks of
// 16 accumulators (contiguous in NHWC, so the inner loop vectorises on hosts).
template <Conv2DGeometry G>
constexpr void avg_pool(const std::int8_t* in, std::int8_t* out, std::int32_t act_min, std::int32_t act_max) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t chunk = G.cin < 16 ? G.cin : 16;
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
      const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
      const std::size_t iy0 = y0 < 0 ? 0 : static_cast<std::size_t>(y0);
      const std::size_t ix0 = x0 < 0 ? 0 : static_cast<std::size_t>(x0);
      const long y1 = y0 + static_cast<long>(G.kh), x1 = x0 + static_cast<long>(G.kw);
      const std::size_t iy1 = y1 > static_cast<long>(G.ih) ? G.ih : static_cast<std::size_t>(y1 < 0 ? 0 : y1);
      const std::size_t ix1 = x1 > static_cast<long>(G.iw) ? G.iw : static_cast<std::size_t>(x1 < 0 ? 0 : x1);
      const auto count = static_cast<std::int32_t>((iy1 > iy0 ? iy1 - iy0 : 0) * (ix1 > ix0 ? ix1 - ix0 : 0));
      std::int8_t* o = out + (oy * G.ow + ox) * G.cin;
      for (std::size_t c0 = 0; c0 < G.cin; c0 += chunk) {
        const std::size_t n = G.cin - c0 < chunk ? G.cin - c0 : chunk;
        std::int32_t acc[chunk]{};
        for (std::size_t iy = iy0; iy < iy1; ++iy)
          for (std::size_t ix = ix0; ix < ix1; ++ix) {
            const std::int8_t* x = in + (iy * G.iw + ix) * G.cin + c0;
            for (std::size_t c = 0; c < n; ++c) acc[c] += x[c];
          }
        for (std::size_t c = 0; c < n; ++c) {
          std::int32_t a = acc[c];
          if (count > 0) a = a > 0 ? (a + count / 2) / count : (a - count / 2) / count;
          a = a < act_min ? act_min : (a > act_max ? act_max : a);
          o[c0 + c] = static_cast<std::int8_t>(a);
        }
      }
    }
}

}  // namespace ctml::kernels::s8
