// SPDX-License-Identifier: Apache-2.0
#pragma once
// TFLite requantization of 16 int32 accumulators at once (AVX-512), equal bit for bit to
// multiply_by_quantized_multiplier in requantize.hpp, whose one-sum form it computes per lane:
//   t0 = x * q + 2^30
//   t  = t0 + (2^(e-1) - [t0 < 0]) * 2^31        (e = -shift, the right shift, 1..31)
//   y  = t >> (31 + e)                            (arithmetic)
// in 64-bit lanes: VPMULDQ forms the products of the even and of the odd int32 lanes and VPSRAVQ
// shifts each lane by its own channel's amount. Channels with a left shift (real multiplier >= 1)
// or a negative multiplier do not fit this form; RequantS8Avx512::vector_ok says so per group of 16
// and callers take the scalar path for those.
#include <cstddef>
#include <cstdint>
#include <ctml/kernels/s8/avx512.hpp>
#include <ctml/core/requantize.hpp>

#if defined(CTML_AVX512_KERNELS)
CTML_AVX512_BEGIN
namespace ctml::kernels::s8::avx512 {

// Per-group constants, split into the even and odd int32 lanes' 64-bit forms.
struct RequantGroup {
  __m512i mult_even, mult_odd;  // q, as the low dword of each 64-bit lane
  __m512i half_even, half_odd;  // 2^(e-1)
  __m512i cnt_even, cnt_odd;    // 31 + e
  bool vector_ok;
};

// multiplier/shift: 16 channels' parameters (the group's slice of a layer's tensors; lanes past
// `valid` are padding and get a harmless multiplier of 0 and shift of -1).
inline RequantGroup make_requant_group(const std::int32_t* multiplier, const std::int32_t* shift, std::size_t valid) {
  const __mmask16 live = static_cast<__mmask16>(valid >= 16 ? 0xFFFFu : (1u << valid) - 1u);
  const __m512i q = _mm512_maskz_loadu_epi32(live, multiplier);
  const __m512i s = _mm512_mask_loadu_epi32(_mm512_set1_epi32(-1), live, shift);
  const __m512i e = _mm512_sub_epi32(_mm512_setzero_si512(), s);
  RequantGroup r;
  r.vector_ok = _mm512_cmplt_epi32_mask(s, _mm512_set1_epi32(0)) == 0xFFFF &&
                _mm512_cmpge_epi32_mask(s, _mm512_set1_epi32(-31)) == 0xFFFF &&
                _mm512_cmpge_epi32_mask(q, _mm512_setzero_si512()) == 0xFFFF;
  const __m512i low = _mm512_set1_epi64(0xFFFFFFFF);
  const __m512i e_even = _mm512_and_si512(e, low), e_odd = _mm512_srli_epi64(e, 32);
  r.mult_even = q;
  r.mult_odd = _mm512_srli_epi64(q, 32);
  const __m512i one = _mm512_set1_epi64(1);
  r.half_even = _mm512_sllv_epi64(one, _mm512_sub_epi64(e_even, one));
  r.half_odd = _mm512_sllv_epi64(one, _mm512_sub_epi64(e_odd, one));
  r.cnt_even = _mm512_add_epi64(e_even, _mm512_set1_epi64(31));
  r.cnt_odd = _mm512_add_epi64(e_odd, _mm512_set1_epi64(31));
  return r;
}

// One parity's 64-bit lanes: the rounded, shifted value in each lane's low dword.
inline __m512i requant_lanes(__m512i x, __m512i q, __m512i half, __m512i cnt) {
  const __m512i t0 = _mm512_add_epi64(_mm512_mul_epi32(x, q), _mm512_set1_epi64(std::int64_t{1} << 30));
  const __m512i c = _mm512_add_epi64(half, _mm512_srai_epi64(t0, 63));
  return _mm512_srav_epi64(_mm512_add_epi64(t0, _mm512_slli_epi64(c, 31)), cnt);
}

// y = clamp(MultiplyByQuantizedMultiplier(acc) + out_zp, lo, hi) as 16 int8.
inline __m128i requantize16(__m512i acc, const RequantGroup& r, __m512i out_zp, __m512i lo, __m512i hi) {
  const __m512i even = requant_lanes(acc, r.mult_even, r.half_even, r.cnt_even);
  const __m512i odd = requant_lanes(_mm512_srli_epi64(acc, 32), r.mult_odd, r.half_odd, r.cnt_odd);
  __m512i y = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  y = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(y, out_zp), lo), hi);
  return _mm512_cvtepi32_epi8(y);
}

}  // namespace ctml::kernels::s8::avx512
CTML_AVX512_END
#endif
