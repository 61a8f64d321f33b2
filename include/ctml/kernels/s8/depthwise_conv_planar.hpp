// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 DEPTHWISE_CONV_2D on Arm cores with the DSP extension (not Helium), depth multiplier 1, no
// dilation (DepthwiseFacts::planar): one channel at a time. The channel's input is gathered once
// into an int16 plane P with the padding as the input zero point,
//   P[py][px] = x[py - pt][px - pl][c]   (in_zp outside the input),
// so that every output is a sum over taps inside the plane, adjacent taps being int16 pairs, and
// the zero point's term is one constant per channel, -in_zp * sum(w), folded into the bias:
//   acc = bias[c] - in_zp * sum(w)
//       + sum_ky ( sum_j SMLAD(P[oy*sh + ky][ox*sw + 2j .. 2j+1], (w[ky][2j], w[ky][2j+1]))
//                  + SMLABB(P[oy*sh + ky][ox*sw + kw - 1], w[ky][kw-1])   for odd kw )
// (the odd last tap is read alone, never as a pair past the row). The channel's weight pairs,
// multiplier and shift stay in registers over all its pixels; per 3x3 output three unaligned word
// loads, three halfword loads, six multiply-accumulates (1.33 instructions per MAC; two outputs
// per step share their loads for 3x3, stride 1) and the output stage, against ~46 instructions per output of the four-channel kernel, whose nine tap
// pointers and weights cannot stay in registers. The gather costs two instructions per input
// element per channel. Integer sums wrap as the device's SMLAD (exact for valid models). Outputs
// of channel c overwrite only channel c's inputs, already in the plane: the kernel runs in place
// without a ring. Not in place, a channel is taken in bands of DepthwiseFacts::band_rows output
// rows, the plane holding the band's input rows (a smaller scratch; the layer's in-place lead
// keeps the band's inputs intact, as for any kernel writing in raster order).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/depthwise_conv_params.hpp>
#include <ctml/kernels/s8/dot_dsp.hpp>

#if defined(CTML_HAVE_DSP)
namespace ctml::kernels::s8 {

template <Requant Rq, Conv2DGeometry G, class D>
void depthwise_conv_planar(const D& dp, const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) {
  ::ctml::detail::side_effect_fence();
  using F = DepthwiseFacts<G>;
  constexpr std::size_t PH = F::plane_h, PW = F::plane_w, C = G.cin, BR = F::band_rows;
  constexpr std::size_t RW = PackedDepthwisePairs<G.kh, G.kw, C>::row_words;
  constexpr std::size_t pairs = G.kw / 2;
  auto* plane = reinterpret_cast<std::int16_t*>((reinterpret_cast<std::uintptr_t>(scratch) + 3) & ~std::uintptr_t{3});
  const OutputStage st = stage_of(dp);  // locals: the int8 stores could alias the layer's members
  const std::int32_t zp = st.input_zero_point;
  // The padding is the input zero point, the same for every channel: written once (rows of a
  // band that fall outside the input are filled again per band, below).
  for (std::size_t i = 0; i < PH * PW; ++i) plane[i] = static_cast<std::int16_t>(zp);
  constexpr std::size_t cols = G.iw + G.pl < PW ? G.iw : PW - G.pl;
  for (std::size_t c = 0; c < C; ++c) {
    std::uint32_t w[G.kh * RW];
    for (std::size_t i = 0; i < G.kh * RW; ++i) w[i] = dp.packed.channel(c)[i];
    // The plane holds x, not x - zp: the zero point's term goes into the bias,
    // bias - zp * sum(w) (every tap, padding included, reads zp there).
    std::int32_t wsum = 0;
    for (std::size_t i = 0; i < G.kh * RW; ++i) wsum = __smlad(w[i], 0x00010001u, wsum);
    const std::int32_t bias = static_cast<std::int32_t>(static_cast<std::uint32_t>(dp.bias[c]) -
                                                        static_cast<std::uint32_t>(zp) * static_cast<std::uint32_t>(wsum));
    const std::int32_t mult = dp.multiplier[c], shift = dp.shift[c];
    std::int8_t* o = out + c;
    for (std::size_t y0 = 0; y0 < G.oh; y0 += BR) {
      const std::size_t band = G.oh - y0 < BR ? G.oh - y0 : BR;
      // Gather channel c's rows of this band (the columns the plane covers), unrolled along a
      // row: one LDRSB and one STRH per element.
      const std::size_t band_h = (band - 1) * G.sh + G.kh;
      for (std::size_t r = 0; r < band_h; ++r) {
        const std::size_t py = y0 * G.sh + r;  // row of the whole padded image
        std::int16_t* dst = plane + r * PW + G.pl;
        if (py < G.pt || py - G.pt >= G.ih) {
          if constexpr (BR < G.oh)
            for (std::size_t ix = 0; ix < cols; ++ix) dst[ix] = static_cast<std::int16_t>(zp);
          continue;
        }
        const std::int8_t* src = in + (py - G.pt) * G.iw * C + c;
#pragma GCC unroll 64
        for (std::size_t ix = 0; ix < cols; ++ix) dst[ix] = src[ix * C];
      }
      for (std::size_t oy = y0; oy < y0 + band; ++oy) {
        const std::int16_t* row0 = plane + (oy - y0) * G.sh * PW;
        std::size_t ox = 0;
        if constexpr (G.kw == 3 && G.sw == 1) {
          // Two outputs per step sharing their loads: per kernel row the words (x0, x1), (x1, x2)
          // and (x2, x3); x2 and x3 are the bottom and top of the last (SMLABB, SMLATB).
          for (; ox + 1 < G.ow; ox += 2, o += 2 * C) {
            std::int32_t a0 = bias, a1 = bias;
            const std::int16_t* r = row0 + ox;
#pragma GCC unroll 16
            for (std::size_t ky = 0; ky < G.kh; ++ky, r += PW) {
              std::uint32_t x01, x12, x23;
              std::memcpy(&x01, r, 4);
              std::memcpy(&x12, r + 1, 4);
              std::memcpy(&x23, r + 2, 4);
              a0 = __smlabb(x23, w[ky * RW + 1], __smlad(x01, w[ky * RW], a0));
              a1 = __smlatb(x23, w[ky * RW + 1], __smlad(x12, w[ky * RW], a1));
            }
            o[0] = st.template finish_as<Rq>(a0, mult, shift);
            o[C] = st.template finish_as<Rq>(a1, mult, shift);
          }
        }
        for (; ox < G.ow; ++ox, o += C) {
          std::int32_t acc = bias;
          const std::int16_t* r = row0 + ox * G.sw;
#pragma GCC unroll 16
          for (std::size_t ky = 0; ky < G.kh; ++ky, r += PW) {
#pragma GCC unroll 16
            for (std::size_t j = 0; j < pairs; ++j) {
              std::uint32_t xv;
              std::memcpy(&xv, r + 2 * j, 4);
              acc = __smlad(xv, w[ky * RW + j], acc);
            }
            if constexpr (G.kw % 2 != 0)
              acc = __smlabb(static_cast<std::uint32_t>(static_cast<std::int32_t>(r[G.kw - 1])), w[ky * RW + pairs], acc);
          }
          *o = st.template finish_as<Rq>(acc, mult, shift);
        }
      }
    }
  }
}

}  // namespace ctml::kernels::s8
#endif
