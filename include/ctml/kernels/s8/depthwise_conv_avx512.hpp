// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 DEPTHWISE_CONV_2D on x86-64 with AVX-512: depth multiplier 1, sixteen channels per int32
// vector. Per output row and group of 16 channels, the group's weights of every tap (sign-extended
// once per call) and its output stage stay in registers while the row's pixels are computed;
// interior pixels, whose taps are all inside the input, start from a bias with the zero-point term
// folded in.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/depthwise_conv_params.hpp>
#include <ctml/kernels/s8/requantize_avx512.hpp>

#if defined(CTML_AVX512_KERNELS)
CTML_AVX512_BEGIN
namespace ctml::kernels::s8 {

template <Conv2DGeometry G, class D>
[[gnu::flatten]] void depthwise_conv_avx512(const D& dp, const std::int8_t* in, std::int8_t* out, std::int8_t* ring) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t groups = (G.cin + 15) / 16, T = G.kh * G.kw;
  avx512::RequantGroup rq[groups];
  __m512i w32[groups][T], b32[groups], b32_interior[groups];
  __mmask16 live[groups];
  const __m512i zp = _mm512_set1_epi32(stage_of(dp).input_zero_point);
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t valid = G.cin - 16 * g < 16 ? G.cin - 16 * g : 16;
    live[g] = static_cast<__mmask16>(valid >= 16 ? 0xFFFFu : (1u << valid) - 1u);
    rq[g] = avx512::make_requant_group(dp.multiplier.data() + 16 * g, dp.shift.data() + 16 * g, valid);
    b32[g] = _mm512_maskz_loadu_epi32(live[g], dp.bias.data() + 16 * g);
    b32_interior[g] = b32[g];
    for (std::size_t t = 0; t < T; ++t) {
      w32[g][t] = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(live[g], dp.weights.data() + t * G.cout + 16 * g));
      b32_interior[g] = _mm512_sub_epi32(b32_interior[g], _mm512_mullo_epi32(zp, w32[g][t]));
    }
  }
  const __m512i ozp = _mm512_set1_epi32(stage_of(dp).output_zero_point), lo = _mm512_set1_epi32(stage_of(dp).act_min),
                hi = _mm512_set1_epi32(stage_of(dp).act_max);
  const std::int8_t* rows[G.kh];  // input row of each kernel row, or null outside the input
  for (std::size_t oy = 0; oy < G.oh; ++oy) {
    keep_input_row<G>(in, ring, oy);
    const bool rows_inside = tapped_rows<G>(in, ring, oy, rows);
    for (std::size_t g = 0; g < groups; ++g) {
      const __m512i* w = w32[g];
      const __mmask16 m = live[g];
      for (std::size_t ox = 0; ox < G.ow; ++ox) {
        const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
        const bool inside = rows_inside && x0 >= 0 && x0 + static_cast<long>((G.kw - 1) * G.dw) < static_cast<long>(G.iw);
        __m512i acc;
        if (inside) {
          acc = b32_interior[g];
          for (std::size_t ky = 0; ky < G.kh; ++ky) {
            const std::int8_t* x = rows[ky] + static_cast<std::size_t>(x0) * G.cin + 16 * g;
            for (std::size_t kx = 0; kx < G.kw; ++kx) {
              const __m512i xv = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x + kx * G.dw * G.cin));
              acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(xv, w[ky * G.kw + kx]));
            }
          }
        } else {
          acc = b32[g];
          for (std::size_t ky = 0; ky < G.kh; ++ky) {
            if (!rows[ky]) continue;
            for (std::size_t kx = 0; kx < G.kw; ++kx) {
              const long ix = x0 + static_cast<long>(kx * G.dw);
              if (ix < 0 || ix >= static_cast<long>(G.iw)) continue;
              const std::int8_t* x = rows[ky] + static_cast<std::size_t>(ix) * G.cin + 16 * g;
              const __m512i xv = _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x)), zp);
              acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(xv, w[ky * G.kw + kx]));
            }
          }
        }
        std::int8_t* o = out + (oy * G.ow + ox) * G.cout + 16 * g;
        if (rq[g].vector_ok) {
          _mm_mask_storeu_epi8(o, m, avx512::requantize16(acc, rq[g], ozp, lo, hi));
        } else {
          alignas(64) std::int32_t a[16];
          _mm512_store_si512(a, acc);
          for (std::size_t l = 0; l < 16 && 16 * g + l < G.cout; ++l)
            o[l] = stage_of(dp).finish(a[l], dp.multiplier[16 * g + l], dp.shift[16 * g + l]);
        }
      }
    }
  }
}

}  // namespace ctml::kernels::s8
CTML_AVX512_END
#endif
