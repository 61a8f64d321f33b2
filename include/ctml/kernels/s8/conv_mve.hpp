// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 CONV_2D on Helium (Cortex-M55/M85): output pixels in pairs, output channels in fours.
//   dot products  a 2x4 block per group of four channels (K < 48: two 2x2 blocks; dot_mve.hpp: VMLADAVA on 16 bytes;
//                 each loaded weight vector serves two pixels, each input vector four channels;
//                 a K that is not a multiple of 16 ends with one tail-predicated step)
//   output stage  the group's eight results as two vectors of four channels, requantized and
//                 clamped in vector lanes and stored with one narrowing store per pixel
//                 (requantize_mve.hpp): every multiplier and shift, no per-layer choice of form
// The pixels' inputs are the portable kernel's: pointwise, the pixels themselves (in place, the
// pair is copied to the scratch first); otherwise im2col per pixel (fill_patch). The last
// cout % 4 channels take the scalar output stage; an odd last pixel takes 1x2 blocks.
// On the Cortex-M55, KWS's pointwise layers spent more instructions in the scalar output stage
// (about twelve per output) than in their 64-deep dot products (eight per output).
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/conv_params.hpp>
#include <ctml/kernels/s8/conv_portable.hpp>
#include <ctml/kernels/s8/dot_mve.hpp>
#include <ctml/kernels/s8/requantize_mve.hpp>

#if defined(CTML_HAVE_MVE)
namespace ctml::kernels::s8 {

// n bytes from src to dst, 16 per step (in place, a pointwise pair's inputs go to the scratch
// first; a byte loop cost three instructions per output on KWS).
template <std::size_t N>
inline void copy_mve(const std::int8_t* src, std::int8_t* dst) {
  constexpr std::size_t body = N - N % 16;
  for (std::size_t i = 0; i < body; i += 16) vst1q_s8(dst + i, vld1q_s8(src + i));
  if constexpr (N != body) {
    const mve_pred16_t live = vctp8q(N % 16);
    vstrbq_p_s8(dst + body, vldrbq_z_s8(src + body, live), live);
  }
}

// Two pixels (inputs x0, x1 of K values) into o0, o1: every output channel.
template <Conv2DGeometry G, class D>
[[gnu::always_inline]] inline void conv_pair_mve(const D& cp, const mve::Finish4& fin, const std::int8_t* x0, const std::int8_t* x1,
                                                 std::int8_t* o0, std::int8_t* o1) {
  constexpr std::size_t K = ConvFacts<G>::K;
  const std::int8_t* w = cp.weights.data();
  const std::int32_t* b = cp.effective_bias.data();
  std::size_t co = 0;
  for (; co + 3 < G.cout; co += 4) {
    std::int32_t a[8] = {b[co], b[co + 1], b[co + 2], b[co + 3], b[co], b[co + 1], b[co + 2], b[co + 3]};
    if constexpr (K >= 48) {
      mve::dot_s8_2x4<K>(x0, x1, w + co * K, a);
    } else {
      // Short patches (K = 8 to 40: first layers, narrow pointwise) measured better as two 2x2 blocks.
      std::int32_t p[4] = {a[0], a[1], a[4], a[5]}, q[4] = {a[2], a[3], a[6], a[7]};
      mve::dot_s8_2x2<K>(x0, x1, w + co * K, w + (co + 1) * K, p);
      mve::dot_s8_2x2<K>(x0, x1, w + (co + 2) * K, w + (co + 3) * K, q);
      a[0] = p[0], a[1] = p[1], a[4] = p[2], a[5] = p[3];
      a[2] = q[0], a[3] = q[1], a[6] = q[2], a[7] = q[3];
    }
    const mve::Requant4 r = mve::make_requant4(cp.multiplier.data() + co, cp.shift.data() + co);
    mve::finish4(mve::lanes4(a[0], a[1], a[2], a[3]), r, fin, o0 + co);
    mve::finish4(mve::lanes4(a[4], a[5], a[6], a[7]), r, fin, o1 + co);
  }
  if constexpr (G.cout % 4 != 0) {
    const OutputStage st = stage_of(cp);
    for (co = G.cout - G.cout % 4; co < G.cout; ++co) {
      std::int32_t a0 = b[co], a1 = b[co];
      mve::dot_s8_1x2<K>(w + co * K, x0, x1, a0, a1);
      const std::int32_t m = cp.multiplier[co], s = cp.shift[co];
      const std::int8_t y0 = st.finish(a0, m, s), y1 = st.finish(a1, m, s);
      o0[co] = y0;
      o1[co] = y1;
    }
  }
}

// One pixel (input x of K values) into o.
template <Conv2DGeometry G, class D>
void conv_one_mve(const D& cp, const mve::Finish4& fin, const std::int8_t* x, std::int8_t* o) {
  constexpr std::size_t K = ConvFacts<G>::K;
  const std::int8_t* w = cp.weights.data();
  const std::int32_t* b = cp.effective_bias.data();
  std::size_t co = 0;
  for (; co + 3 < G.cout; co += 4) {
    std::int32_t a0 = b[co], a1 = b[co + 1], a2 = b[co + 2], a3 = b[co + 3];
    mve::dot_s8_1x2<K>(x, w + co * K, w + (co + 1) * K, a0, a1);
    mve::dot_s8_1x2<K>(x, w + (co + 2) * K, w + (co + 3) * K, a2, a3);
    mve::finish4(mve::lanes4(a0, a1, a2, a3), mve::make_requant4(cp.multiplier.data() + co, cp.shift.data() + co), fin, o + co);
  }
  if constexpr (G.cout % 4 != 0) {
    const OutputStage st = stage_of(cp);
    for (co = G.cout - G.cout % 4; co < G.cout; ++co)
      o[co] = st.finish(mve::dot_s8<K>(w + co * K, x) + b[co], cp.multiplier[co], cp.shift[co]);
  }
}

template <Conv2DGeometry G, class D>
void conv_mve(const D& cp, const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) {
  ::ctml::detail::side_effect_fence();
  using F = ConvFacts<G>;
  constexpr std::size_t P = F::pixels, K = F::K;
  const OutputStage st = stage_of(cp);
  const mve::Finish4 fin = mve::make_finish4(st.output_zero_point, st.act_min, st.act_max);
  if constexpr (F::pointwise) {
    std::size_t p = 0;
    for (; p + 1 < P; p += 2) {
      const std::int8_t* x = in + p * G.cin;
      if constexpr (F::in_place) {
        copy_mve<2 * G.cin>(x, scratch);
        x = scratch;
      }
      conv_pair_mve<G>(cp, fin, x, x + G.cin, out + p * G.cout, out + (p + 1) * G.cout);
    }
    if (p < P) {
      const std::int8_t* x = in + p * G.cin;
      if constexpr (F::in_place) {
        for (std::size_t c = 0; c < G.cin; ++c) scratch[c] = x[c];
        x = scratch;
      }
      conv_one_mve<G>(cp, fin, x, out + p * G.cout);
    }
  } else {
    std::int8_t patch[2][K];
    std::size_t q = 0;
    for (; q + 1 < P; q += 2) {
      fill_patch<0, G>(cp, in, q, patch[0]);
      fill_patch<0, G>(cp, in, q + 1, patch[1]);
      conv_pair_mve<G>(cp, fin, patch[0], patch[1], out + q * G.cout, out + (q + 1) * G.cout);
    }
    if (q < P) {
      fill_patch<0, G>(cp, in, q, patch[0]);
      conv_one_mve<G>(cp, fin, patch[0], out + q * G.cout);
    }
  }
}

}  // namespace ctml::kernels::s8
#endif
