// SPDX-License-Identifier: Apache-2.0
#pragma once
// x86 SSE2 int8 sparse kernels: eight interleaved inputs per pass (the layers' interleave_block on
// SIMD hosts). Integer sums are exact, so these equal the portable kernels (portable.hpp) bit for
// bit. CTML_NO_SIMD turns them off (core/target.hpp).
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/sparse/portable.hpp>
#if defined(CTML_HAVE_SSE2)
#include <emmintrin.h>

namespace ctml::kernels::sse2 {

// int8, eight inputs per pass on x86 (SSE2), two non-zeros at a time: their columns' eight inputs
// are interleaved bytewise and widened to int16 (inputs 0-3, then 4-7), and PMADDWD multiplies
// each (column 0, column 1) pair by the two weights and adds the products in int32 (exact: at most
// 2 * 128 * 128). Per two non-zeros: two 8-byte loads, four shuffles, two multiply-adds.
template <class W, class Emit>
inline void csr_rows_interleaved_s8x8(const W& w, const std::int8_t* xt, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const std::int8_t* pv = w.values;
  const auto* pc = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    const auto* const end = w.cols + w.row_ptr[r + 1];
    __m128i lo = _mm_setzero_si128(), hi = lo;
    const auto pair = [&](std::int32_t w0, std::size_t c0, std::int32_t w1, std::size_t c1) {
      const __m128i x0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(xt + c0 * 8));
      const __m128i x1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(xt + c1 * 8));
      const __m128i u = _mm_unpacklo_epi8(x0, x1);                   // x0[0] x1[0] x0[1] x1[1] ...
      const __m128i a = _mm_srai_epi16(_mm_unpacklo_epi8(u, u), 8);  // as int16, inputs 0-3
      const __m128i b = _mm_srai_epi16(_mm_unpackhi_epi8(u, u), 8);  // inputs 4-7
      const __m128i wv = _mm_set1_epi32(static_cast<int>((static_cast<std::uint32_t>(w1) << 16) |
                                                         static_cast<std::uint16_t>(w0)));
      lo = _mm_add_epi32(lo, _mm_madd_epi16(a, wv));
      hi = _mm_add_epi32(hi, _mm_madd_epi16(b, wv));
    };
    for (; pc + 2 <= end; pc += 2, pv += 2) pair(pv[0], pc[0], pv[1], pc[1]);
    if (pc < end) pair(*pv++, *pc, 0, *pc), ++pc;
    std::int32_t a[8];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a), lo);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a + 4), hi);
    emit(r, a);
  }
}

// interleave for int8, eight inputs: an 8x8 byte transpose per step (bytes, then 16-bit, then
// 32-bit unpacks), eight elements of every input in, eight interleaved columns out.
template <std::size_t N>
inline void interleave_s8x8(const std::int8_t* x, std::size_t stride, std::int8_t* xt) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t Body = N - N % 8;
  for (std::size_t i = 0; i < Body; i += 8) {
    __m128i a[8];
    for (std::size_t p = 0; p < 8; ++p) a[p] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x + p * stride + i));
    const __m128i t01 = _mm_unpacklo_epi8(a[0], a[1]), t23 = _mm_unpacklo_epi8(a[2], a[3]);
    const __m128i t45 = _mm_unpacklo_epi8(a[4], a[5]), t67 = _mm_unpacklo_epi8(a[6], a[7]);
    const __m128i u0 = _mm_unpacklo_epi16(t01, t23), u1 = _mm_unpackhi_epi16(t01, t23);  // inputs 0-3
    const __m128i v0 = _mm_unpacklo_epi16(t45, t67), v1 = _mm_unpackhi_epi16(t45, t67);  // inputs 4-7
    __m128i* o = reinterpret_cast<__m128i*>(xt + i * 8);
    _mm_storeu_si128(o, _mm_unpacklo_epi32(u0, v0));      // elements i, i+1
    _mm_storeu_si128(o + 1, _mm_unpackhi_epi32(u0, v0));  // i+2, i+3
    _mm_storeu_si128(o + 2, _mm_unpacklo_epi32(u1, v1));  // i+4, i+5
    _mm_storeu_si128(o + 3, _mm_unpackhi_epi32(u1, v1));  // i+6, i+7
  }
  if constexpr (Body < N) portable::interleave<8, N>(x, stride, xt, Body);
}

}  // namespace ctml::kernels::sse2
#endif
