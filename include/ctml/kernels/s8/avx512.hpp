// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 kernels for x86-64 with AVX-512 VNNI (Ice Lake, Zen 4 and later), selected at compile time
// (-march=native or -mavx512vnni -mavx512bw -mavx512vl; CTML_HAVE_AVX512_VNNI in core/target.hpp)
// or, in a generic x86-64 build, compiled for AVX-512 alone (CTML_AVX512_BEGIN/END) and chosen at
// run time (CTML_DISPATCH_AVX512_VNNI, target::avx512_vnni_now()); CTML_NO_AVX512 or CTML_NO_SIMD
// keep the other kernels.
//
// Matrix products use VPDPBUSD, which multiplies 64 unsigned x signed byte pairs and adds them in
// groups of four into 16 int32 lanes. The activations are made unsigned by u = x + 128 (an XOR of
// the sign bit), so
//   sum_k w[co][k] * x[k] = sum_k w[co][k] * u[k] - 128 * sum_k w[co][k]
// and the second term is folded into the bias once (PackedS8Avx512::bias_offset). Products are at
// most 255 * 128 in magnitude and VPDPBUSD adds them into int32 without saturating, so the result
// is exact: the same integers as the portable kernels.
//
// Weights are packed as [k/4][co][4] (k padded to a multiple of four and co to 16 with zeros): one
// 64-byte load holds four taps of 16 output channels and the pixel's four bytes are broadcast to
// every lane. Packing is constexpr, so a constexpr model carries its packed weights as data.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#if defined(CTML_AVX512_KERNELS)
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*() and then warn, once inlined, that
// it is uninitialised (GCC bug 105593, fixed in GCC 13); the warning points into the header.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
#endif

namespace ctml::kernels {

template <std::size_t Cout, std::size_t K>
struct PackedS8Avx512 {
  static constexpr std::size_t quads = (K + 3) / 4;
  static constexpr std::size_t groups = (Cout + 15) / 16;  // of 16 output channels
  static constexpr std::size_t cout_padded = groups * 16;

  alignas(64) std::int8_t weights[quads * cout_padded * 4];
  alignas(64) std::int32_t bias_offset[cout_padded];  // -128 * sum_k w[co][k]

  // From row-major weights w[co][k].
  static constexpr PackedS8Avx512 pack(const std::int8_t* w) {
    ::ctml::detail::side_effect_fence();
    PackedS8Avx512 p{};
    for (std::size_t co = 0; co < Cout; ++co) {
      std::int32_t sum = 0;
      for (std::size_t k = 0; k < K; ++k) {
        p.weights[((k / 4) * cout_padded + co) * 4 + k % 4] = w[co * K + k];
        sum += w[co * K + k];
      }
      p.bias_offset[co] = -128 * sum;
    }
    return p;
  }
};

// Empty stand-in where the AVX-512 kernels are not compiled, so layers can hold the member
// unconditionally ([[no_unique_address]]) and cost nothing on other targets.
struct NoPacking {
  static constexpr NoPacking pack(const std::int8_t*) { return {}; }
};

#if defined(CTML_AVX512_KERNELS)
template <std::size_t Cout, std::size_t K>
using PackedS8ForTarget = PackedS8Avx512<Cout, K>;

}  // namespace ctml::kernels

CTML_AVX512_BEGIN
namespace ctml::kernels::s8::avx512 {

// Calls f(std::integral_constant<std::size_t, I>) for I = 0..N-1, unrolled: the accumulator
// arrays below must live in registers, which needs every index to be a constant.
template <std::size_t N, class F>
inline void unroll(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
  }(std::make_index_sequence<N>{});
}

inline std::uint32_t load_u32(const void* p) {
  std::uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

// acc[p][g] += sum over all quads of u[p] (4 bytes, broadcast) . packed[quad][group g0 + g]
// for NP pixels whose unsigned inputs start at u + p * u_stride (each padded to quads * 4 bytes).
template <std::size_t Cout, std::size_t K, std::size_t NP, std::size_t NG>
inline void gemm_u8s8_block(const PackedS8Avx512<Cout, K>& pk, std::size_t g0, const std::uint8_t* u,
                            std::size_t u_stride, __m512i (&acc)[NP][NG]) {
  using P = PackedS8Avx512<Cout, K>;
  const std::int8_t* w = pk.weights + g0 * 64;
  for (std::size_t q = 0; q < P::quads; ++q, w += P::cout_padded * 4) {
    __m512i wv[NG];
    unroll<NG>([&](auto g) { wv[g] = _mm512_loadu_si512(w + g * 64); });
    unroll<NP>([&](auto p) {
      const __m512i xb = _mm512_set1_epi32(static_cast<int>(load_u32(u + p * u_stride + q * 4)));
      unroll<NG>([&](auto g) { acc[p][g] = _mm512_dpbusd_epi32(acc[p][g], xb, wv[g]); });
    });
  }
}

}  // namespace ctml::kernels::s8::avx512
CTML_AVX512_END

namespace ctml::kernels {
#else
template <std::size_t Cout, std::size_t K>
using PackedS8ForTarget = NoPacking;
#endif

// Convolutions on AArch64 with the dot-product extension read the same [k/4][co][4] layout: a
// 16-byte slice holds four taps of four output channels, the operand of SDOT by element
// (conv_neon.hpp). A generic AArch64 build carries it too, for a CPU that has SDOT.
#if defined(CTML_AVX512_KERNELS)
template <std::size_t Cout, std::size_t K>
using PackedS8ForConv = PackedS8Avx512<Cout, K>;
#elif defined(CTML_HAVE_NEON_DOTPROD) || defined(CTML_DISPATCH_NEON_DOTPROD)
template <std::size_t Cout, std::size_t K>
using PackedS8ForConv = PackedS8Avx512<Cout, K>;
#else
template <std::size_t Cout, std::size_t K>
using PackedS8ForConv = NoPacking;
#endif

}  // namespace ctml::kernels
