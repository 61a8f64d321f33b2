// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 matrix products with TFLite's output stage on AVX-512 VNNI, shared by the fully connected
// and convolution layers:
//   y[p][co] = clamp(MultiplyByQuantizedMultiplier(eff_bias[co] + sum_k w[co][k] * x[p][k], M[co])
//                    + out_zp, act_min, act_max)
// for NP rows x[p] given as unsigned bytes u = x ^ 0x80 (kernels/s8/avx512.hpp explains the
// offset), K bytes each at a stride of PackedS8Avx512::quads * 4, outputs at a stride of Cout.
// Up to 4 groups of 16 output channels x NP rows are accumulated in registers at once; groups whose
// requantization the vector form cannot take run the scalar output stage.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/s8/avx512.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/requantize_avx512.hpp>

#if defined(CTML_AVX512_KERNELS)
CTML_AVX512_BEGIN
namespace ctml::kernels::s8::avx512 {

template <std::size_t Cout, std::size_t K>
class GemmS8 {
 public:
  using Packed = kernels::PackedS8Avx512<Cout, K>;
  static constexpr std::size_t groups = Packed::groups;
  static constexpr std::size_t row_stride = Packed::quads * 4;

  GemmS8(const Packed& packed, const std::int32_t* effective_bias, const std::int32_t* multiplier,
         const std::int32_t* shift, std::int32_t out_zp, std::int32_t act_min, std::int32_t act_max)
      : packed_(packed), multiplier_(multiplier), shift_(shift), out_zp_(out_zp), act_min_(act_min), act_max_(act_max) {
    for (std::size_t g = 0; g < groups; ++g) {
      const std::size_t valid = Cout - 16 * g < 16 ? Cout - 16 * g : 16;
      rq_[g] = make_requant_group(multiplier + 16 * g, shift + 16 * g, valid);
      const auto live = static_cast<__mmask16>(valid >= 16 ? 0xFFFFu : (1u << valid) - 1u);
      bias_[g] = _mm512_add_epi32(_mm512_maskz_loadu_epi32(live, effective_bias + 16 * g),
                                  _mm512_loadu_si512(packed.bias_offset + 16 * g));
    }
  }

  // NP rows of unsigned inputs at u (stride row_stride) -> NP rows of Cout int8 outputs at o.
  template <std::size_t NP>
  void run(const std::uint8_t* u, std::int8_t* o) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t chunks = (groups + 3) / 4;
    const __m512i zp = _mm512_set1_epi32(out_zp_), lo = _mm512_set1_epi32(act_min_), hi = _mm512_set1_epi32(act_max_);
    avx512::unroll<chunks>([&](auto chunk) {
      constexpr std::size_t g0 = decltype(chunk)::value * 4;
      constexpr std::size_t NG = groups - g0 < 4 ? groups - g0 : 4;
      __m512i acc[NP][NG];
      avx512::unroll<NP>([&](auto p) {
        avx512::unroll<NG>([&](auto g) { acc[p][g] = bias_[g0 + g]; });
      });
      avx512::gemm_u8s8_block<Cout, K, NP, NG>(packed_, g0, u, row_stride, acc);
      avx512::unroll<NP>([&](auto p) {
        avx512::unroll<NG>([&](auto g) {
          constexpr std::size_t co = (g0 + g) * 16;
          constexpr std::size_t valid = Cout - co < 16 ? Cout - co : 16;
          std::int8_t* dst = o + p * Cout + co;
          if (rq_[g0 + g].vector_ok) {
            const __m128i y = requantize16(acc[p][g], rq_[g0 + g], zp, lo, hi);
            if constexpr (valid == 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), y);
            else _mm_mask_storeu_epi8(dst, static_cast<__mmask16>((1u << valid) - 1u), y);
          } else {
            alignas(64) std::int32_t a[16];
            _mm512_store_si512(a, acc[p][g]);
            for (std::size_t l = 0; l < valid; ++l) {
              const std::int32_t y = quant::multiply_by_quantized_multiplier(a[l], {multiplier_[co + l], shift_[co + l]}) + out_zp_;
              dst[l] = static_cast<std::int8_t>(quant::clamp_activation(y, act_min_, act_max_));
            }
          }
        });
      });
    });
  }

 private:
  const Packed& packed_;
  const std::int32_t* multiplier_;
  const std::int32_t* shift_;
  std::int32_t out_zp_, act_min_, act_max_;
  RequantGroup rq_[groups];
  __m512i bias_[groups];
};

}  // namespace ctml::kernels::s8::avx512
CTML_AVX512_END
#endif
