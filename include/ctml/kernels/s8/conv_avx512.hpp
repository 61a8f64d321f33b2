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
      if constexpr (F::pointwise) {
        const std::int8_t* x = in + (p0 + i) * G.cin;
        for (std::size_t c = 0; c < G.cin; ++c) u[i][c] = static_cast<std::uint8_t>(x[c] ^ 0x80);
      } else {
        fill_patch<0x80, G>(cp, in, p0 + i, reinterpret_cast<std::int8_t*>(u[i]));
      }
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
