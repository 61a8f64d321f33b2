// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 DEPTHWISE_CONV_2D on AArch64 NEON: depth multiplier 1, channels in groups of eight (the
// layer's channel count a multiple of 8). The formula is depthwise_conv.hpp's:
//   acc[c] = bias[c] + sum over taps inside the input of w[ky][kx][c] * (x[c] - in_zp)
//   y[c]   = clamp(MultiplyByQuantizedMultiplier(acc[c], M[c]) + out_zp, act_min, act_max)
// Per output row and group, the group's weights of every tap (sign-extended to int16 once per
// call) and its output stage stay in registers while the row's pixels are computed: per tap one
// 8-byte load, one widening and two SMLAL (eight products into two int32x4). Interior pixels, whose
// taps are all inside the input, start from a bias with the zero-point term folded in
// (bias - in_zp * sum w: the same int32 sum in another order); border pixels subtract the zero
// point per tap (x - in_zp fits int16). The output stage is requantize_neon.hpp's, exact for
// every multiplier and shift. Within a channel, pixels run in raster order, one per step (what
// DepthwiseFacts::in_place_lead assumes); in place, input rows go through the same ring as the
// other kernels'.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/depthwise_conv_params.hpp>
#include <ctml/kernels/s8/requantize_neon.hpp>
#if defined(CTML_HAVE_NEON)
#include <arm_neon.h>
#endif

#if defined(CTML_HAVE_NEON)
namespace ctml::kernels::s8 {

template <Conv2DGeometry G>
inline constexpr bool neon_depthwise = DepthwiseFacts<G>::mult_depth == 1 && G.cin % 8 == 0 && G.cin > 0;

template <Conv2DGeometry G, class D>
void depthwise_conv_neon(const D& dp, const std::int8_t* in, std::int8_t* out, std::int8_t* ring) {
  static_assert(neon_depthwise<G>, "depthwise_conv_neon: depth multiplier 1 and a multiple of 8 channels");
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t groups = G.cin / 8, T = G.kh * G.kw;
  const auto& st = stage_of(dp);
  const int16x8_t zp16 = vdupq_n_s16(static_cast<std::int16_t>(st.input_zero_point));
  const int32x4_t zp32 = vdupq_n_s32(st.input_zero_point);
  const int32x4_t ozp = vdupq_n_s32(st.output_zero_point);
  const int16x8_t lo = vdupq_n_s16(static_cast<std::int16_t>(st.act_min)), hi = vdupq_n_s16(static_cast<std::int16_t>(st.act_max));
  for (std::size_t oy = 0; oy < G.oh; ++oy) {
    if constexpr (DepthwiseFacts<G>::in_place) {  // keep_input_row's copy, as one memcpy
      constexpr std::size_t row_bytes = G.iw * G.cin;
      std::memcpy(ring + (oy % (G.pt + 1)) * row_bytes, in + oy * row_bytes, row_bytes);
    }
    const std::int8_t* rows[G.kh];  // input row of each kernel row, or null outside the input
    const bool rows_inside = tapped_rows<G>(in, ring, oy, rows);
    for (std::size_t g = 0; g < groups; ++g) {
      const std::size_t c0 = 8 * g;
      // The taps' loops are unrolled (GCC -O2 would keep them as loops, w[] on the stack).
      int16x8_t w[T];
      int32x4_t wsum0 = vdupq_n_s32(0), wsum1 = wsum0;
#pragma GCC unroll 25
      for (std::size_t t = 0; t < T; ++t) {
        w[t] = vmovl_s8(vld1_s8(dp.weights.data() + t * G.cout + c0));
        wsum0 = vaddw_s16(wsum0, vget_low_s16(w[t]));
        wsum1 = vaddw_high_s16(wsum1, w[t]);
      }
      const int32x4_t b0 = vld1q_s32(dp.bias.data() + c0), b1 = vld1q_s32(dp.bias.data() + c0 + 4);
      const int32x4_t bi0 = vmlsq_s32(b0, zp32, wsum0), bi1 = vmlsq_s32(b1, zp32, wsum1);
      const neon::Requant4 r0 = neon::make_requant4(dp.multiplier.data() + c0, dp.shift.data() + c0);
      const neon::Requant4 r1 = neon::make_requant4(dp.multiplier.data() + c0 + 4, dp.shift.data() + c0 + 4);
      for (std::size_t ox = 0; ox < G.ow; ++ox) {
        const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
        const bool inside = rows_inside && x0 >= 0 && x0 + static_cast<long>((G.kw - 1) * G.dw) < static_cast<long>(G.iw);
        int32x4_t a0, a1;
        if (inside) {
          a0 = bi0;
          a1 = bi1;
#pragma GCC unroll 5
          for (std::size_t ky = 0; ky < G.kh; ++ky) {
            const std::int8_t* x = rows[ky] + static_cast<std::size_t>(x0) * G.cin + c0;
#pragma GCC unroll 5
            for (std::size_t kx = 0; kx < G.kw; ++kx) {
              const int16x8_t xv = vmovl_s8(vld1_s8(x + kx * G.dw * G.cin));
              a0 = vmlal_s16(a0, vget_low_s16(xv), vget_low_s16(w[ky * G.kw + kx]));
              a1 = vmlal_high_s16(a1, xv, w[ky * G.kw + kx]);
            }
          }
        } else {
          a0 = b0;
          a1 = b1;
#pragma GCC unroll 5
          for (std::size_t ky = 0; ky < G.kh; ++ky) {
            if (!rows[ky]) continue;
#pragma GCC unroll 5
            for (std::size_t kx = 0; kx < G.kw; ++kx) {
              const long ix = x0 + static_cast<long>(kx * G.dw);
              if (ix < 0 || ix >= static_cast<long>(G.iw)) continue;
              const int16x8_t xv = vsubq_s16(vmovl_s8(vld1_s8(rows[ky] + static_cast<std::size_t>(ix) * G.cin + c0)), zp16);
              a0 = vmlal_s16(a0, vget_low_s16(xv), vget_low_s16(w[ky * G.kw + kx]));
              a1 = vmlal_high_s16(a1, xv, w[ky * G.kw + kx]);
            }
          }
        }
        vst1_s8(out + (oy * G.ow + ox) * G.cout + c0, neon::finish8(a0, a1, r0, r1, ozp, lo, hi));
      }
    }
  }
}

}  // namespace ctml::kernels::s8
#endif
