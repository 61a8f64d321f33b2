// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 DEPTHWISE_CONV_2D on Helium (Cortex-M55/M85): depth multiplier 1, channels in groups of
// eight (the layer's channel count a multiple of 8), input zero point in the int8 range (every
// valid model's). The formula is depthwise_conv.hpp's:
//   acc[c] = bias[c] + sum over taps inside the input of w[ky][kx][c] * (x[c] - in_zp)
//   y[c]   = clamp(MultiplyByQuantizedMultiplier(acc[c], M[c]) + out_zp, act_min, act_max)
// Eight channels in int16 lanes: per tap two sign-extending loads (VLDRB.S16: input and weights),
// the zero point subtracted (x - in_zp is within int16) and two widening multiplies (VMULLB /
// VMULLT: the even and the odd channels' int32 products) added to two int32x4 accumulators, so
// one output group is even and odd channels, which the output stage keeps apart: multipliers and
// shifts loaded de-interleaved (VLD2), each half requantized (requantize_mve.hpp) and narrowed
// back into its lanes (VMOVNB / VMOVNT) for one 8-byte store. Interior pixels run their taps
// unconditionally, two at a time where both are (each tap's weights loaded once); border pixels
// skip the taps outside the input. Pixels run in raster order
// (what DepthwiseFacts::in_place_lead assumes); in place, input rows go through the same ring as
// the other kernels'.
// Eight int32 lanes per tap and not four: Helium has eight vector registers, and the four-channel
// kernel's per-tap pointers did not fit them (GCC kept them on the stack: 33 instructions per
// output on KWS, CMSIS-NN 21).
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/depthwise_conv_params.hpp>
#include <ctml/kernels/s8/requantize_mve.hpp>

#if defined(CTML_HAVE_MVE)
namespace ctml::kernels::s8 {

template <Conv2DGeometry G>
inline constexpr bool mve_depthwise = DepthwiseFacts<G>::mult_depth == 1 && G.cin % 8 == 0 && G.cin > 0;

template <Conv2DGeometry G, class D>
void depthwise_conv_mve(const D& dp, const std::int8_t* in, std::int8_t* out, std::int8_t* ring) {
  static_assert(mve_depthwise<G>, "depthwise_conv_mve: depth multiplier 1 and a multiple of 8 channels");
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t groups = G.cin / 8;
  const OutputStage st = stage_of(dp);  // locals: the int8 stores could alias the layer's members
  const auto off = static_cast<std::int16_t>(-st.input_zero_point);
  const mve::Finish4 fin = mve::make_finish4(st.output_zero_point, st.act_min, st.act_max);
  const std::int8_t* const w = dp.weights.data();
  for (std::size_t oy = 0; oy < G.oh; ++oy) {
    keep_input_row<G>(in, ring, oy);
    const std::int8_t* rows[G.kh];  // input row of each kernel row, or null outside the input
    const bool rows_inside = tapped_rows<G>(in, ring, oy, rows);
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
      const bool inside = rows_inside && x0 >= 0 && x0 + static_cast<long>((G.kw - 1) * G.dw) < static_cast<long>(G.iw);
      std::int8_t* o = out + (oy * G.ow + ox) * G.cout;
      if (inside && ox + 1 < G.ow && x0 + static_cast<long>(G.sw + (G.kw - 1) * G.dw) < static_cast<long>(G.iw)) {
        // Two interior pixels: each tap's weights loaded once for both.
        for (std::size_t g = 0; g < groups; ++g) {
          const std::size_t c0 = 8 * g;
          const int32x4x2_t b = vld2q_s32(dp.bias.data() + c0);
          int32x4_t ae = b.val[0], ao = b.val[1], be = b.val[0], bo = b.val[1];
#pragma GCC unroll 8
          for (std::size_t ky = 0; ky < G.kh; ++ky) {
            const std::int8_t* x = rows[ky] + static_cast<std::size_t>(x0) * G.cin + c0;
#pragma GCC unroll 8
            for (std::size_t kx = 0; kx < G.kw; ++kx) {
              const int16x8_t wv = vldrbq_s16(w + (ky * G.kw + kx) * G.cout + c0);
              const int16x8_t xa = vaddq_n_s16(vldrbq_s16(x + kx * G.dw * G.cin), off);
              const int16x8_t xb = vaddq_n_s16(vldrbq_s16(x + (kx * G.dw + G.sw) * G.cin), off);
              ae = vaddq_s32(ae, vmullbq_int_s16(xa, wv));
              ao = vaddq_s32(ao, vmulltq_int_s16(xa, wv));
              be = vaddq_s32(be, vmullbq_int_s16(xb, wv));
              bo = vaddq_s32(bo, vmulltq_int_s16(xb, wv));
              __asm__ volatile("" : "+w"(ae), "+w"(ao), "+w"(be), "+w"(bo)::"memory");  // as tap() below
            }
          }
          mve::finish8_even_odd(ae, ao, dp.multiplier.data() + c0, dp.shift.data() + c0, fin, o + c0);
          mve::finish8_even_odd(be, bo, dp.multiplier.data() + c0, dp.shift.data() + c0, fin, o + G.cout + c0);
        }
        ++ox;
        continue;
      }
      for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t c0 = 8 * g;
        const int32x4x2_t b = vld2q_s32(dp.bias.data() + c0);
        int32x4_t ae = b.val[0], ao = b.val[1];
        const auto tap = [&](const std::int8_t* x, std::size_t t) {
          const int16x8_t xv = vaddq_n_s16(vldrbq_s16(x + c0), off);
          const int16x8_t wv = vldrbq_s16(w + t * G.cout + c0);
          ae = vaddq_s32(ae, vmullbq_int_s16(xv, wv));
          ao = vaddq_s32(ao, vmulltq_int_s16(xv, wv));
          // One tap at a time, its products added at once: GCC otherwise schedules all taps'
          // loads and multiplies first and, with eight vector registers, spills the products
          // (the interior path took twice its instructions).
          __asm__ volatile("" : "+w"(ae), "+w"(ao)::"memory");
        };
        if (inside) {
#pragma GCC unroll 8
          for (std::size_t ky = 0; ky < G.kh; ++ky) {
            const std::int8_t* x = rows[ky] + static_cast<std::size_t>(x0) * G.cin;
#pragma GCC unroll 8
            for (std::size_t kx = 0; kx < G.kw; ++kx) tap(x + kx * G.dw * G.cin, ky * G.kw + kx);
          }
        } else {
#pragma GCC unroll 8
          for (std::size_t ky = 0; ky < G.kh; ++ky) {
            if (!rows[ky]) continue;
#pragma GCC unroll 8
            for (std::size_t kx = 0; kx < G.kw; ++kx) {
              const long ix = x0 + static_cast<long>(kx * G.dw);
              if (ix >= 0 && ix < static_cast<long>(G.iw)) tap(rows[ky] + static_cast<std::size_t>(ix) * G.cin, ky * G.kw + kx);
            }
          }
        }
        mve::finish8_even_odd(ae, ao, dp.multiplier.data() + c0, dp.shift.data() + c0, fin, o + c0);
      }
    }
  }
}

}  // namespace ctml::kernels::s8
#endif
