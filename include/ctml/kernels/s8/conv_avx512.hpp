// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 CONV_2D on x86-64 with AVX-512 VNNI: blocks of four output pixels through the packed-weight
// GEMM (gemm_avx512.hpp). Each block's unsigned inputs (the pixels, or their im2col patches, XORed
// with 0x80) are copied out first, so in-place pointwise convs stay correct.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/conv_params.hpp>
#include <ctml/kernels/s8/conv_portable.hpp>
#include <ctml/kernels/s8/gemm_avx512.hpp>

#if defined(CTML_AVX512_KERNELS)
CTML_AVX512_BEGIN
namespace ctml::kernels::s8 {

namespace avx512 {
// d[i] = s[i] ^ 0x80 for N bytes (the unsigned form of the inputs), 64 at a time.
template <std::size_t N>
inline void flip_copy(std::uint8_t* d, const std::int8_t* s) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  std::size_t i = 0;
  for (; i + 64 <= N; i += 64) _mm512_storeu_si512(d + i, _mm512_xor_si512(_mm512_loadu_si512(s + i), flip));
  if constexpr (N % 64 != 0) {
    const auto m = static_cast<__mmask64>((std::uint64_t{1} << (N % 64)) - 1);
    _mm512_mask_storeu_epi8(d + i, m, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, s + i), flip));
  }
}
template <std::size_t N>
inline void fill_bytes(std::uint8_t* d, std::uint8_t v) {
  const __m512i x = _mm512_set1_epi8(static_cast<char>(v));
  std::size_t i = 0;
  for (; i + 64 <= N; i += 64) _mm512_storeu_si512(d + i, x);
  if constexpr (N % 64 != 0) _mm512_mask_storeu_epi8(d + i, static_cast<__mmask64>((std::uint64_t{1} << (N % 64)) - 1), x);
}

// fill_patch<0x80, G> (conv_portable.hpp) with vector copies: the im2col patch of output pixel q
// as unsigned bytes, taps outside the input = the input zero point (^ 0x80).
template <Conv2DGeometry G, class D>
inline void fill_patch_u8(const D& cp, const std::int8_t* in, std::size_t q, std::uint8_t* p) {
  const auto zp = static_cast<std::uint8_t>(stage_of(cp).input_zero_point ^ 0x80);
  const long y0 = static_cast<long>((q / G.ow) * G.sh) - static_cast<long>(G.pt);
  const long x0 = static_cast<long>((q % G.ow) * G.sw) - static_cast<long>(G.pl);
  const bool cols_inside = G.dw == 1 && x0 >= 0 && x0 + static_cast<long>(G.kw) <= static_cast<long>(G.iw);
  for (std::size_t ky = 0; ky < G.kh; ++ky) {
    const long iy = y0 + static_cast<long>(ky * G.dh);
    const bool row_inside = iy >= 0 && iy < static_cast<long>(G.ih);
    if (row_inside && cols_inside) {
      flip_copy<G.kw * G.cin>(p, in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(x0)) * G.cin);
      p += G.kw * G.cin;
      continue;
    }
    for (std::size_t kx = 0; kx < G.kw; ++kx, p += G.cin) {
      const long ix = x0 + static_cast<long>(kx * G.dw);
      if (!row_inside || ix < 0 || ix >= static_cast<long>(G.iw)) fill_bytes<G.cin>(p, zp);
      else flip_copy<G.cin>(p, in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin);
    }
  }
}
}  // namespace avx512

template <Conv2DGeometry G, class D>
[[gnu::flatten]] void conv_avx512(const D& cp, const std::int8_t* in, std::int8_t* out) {
  ::ctml::detail::side_effect_fence();
  using F = ConvFacts<G>;
  using Gemm = avx512::GemmS8<G.cout, F::K>;
  const Gemm gemm(cp.packed, cp.effective_bias.data(), cp.multiplier.data(), cp.shift.data(), stage_of(cp).output_zero_point, stage_of(cp).act_min,
                  stage_of(cp).act_max);
  constexpr std::size_t P = F::pixels, NP = 4;
  alignas(64) std::uint8_t u[NP][Gemm::row_stride] = {};
  for (std::size_t p0 = 0; p0 < P; p0 += NP) {
    const std::size_t np = P - p0 < NP ? P - p0 : NP;
    for (std::size_t i = 0; i < np; ++i) {
      if constexpr (F::pointwise) avx512::flip_copy<G.cin>(u[i], in + (p0 + i) * G.cin);
      else avx512::fill_patch_u8<G>(cp, in, p0 + i, u[i]);
    }
    std::int8_t* o = out + p0 * G.cout;
    if (np == NP) {
      gemm.template run<NP>(u[0], o);
    } else {
      for (std::size_t i = 0; i < np; ++i) gemm.template run<1>(u[i], o + i * G.cout);
    }
  }
}

}  // namespace ctml::kernels::s8
CTML_AVX512_END
#endif
