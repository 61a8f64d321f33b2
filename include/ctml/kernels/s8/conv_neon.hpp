// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 CONV_2D on AArch64 NEON, the formula of conv.hpp (pointwise pixels or im2col patches as the
// rows of a product with the weights, the zero-point term in the effective bias):
//   acc[p][c] = effective_bias[c] + sum_k x_p[k] * w[c][k]
//   y[p][c]   = clamp(MultiplyByQuantizedMultiplier(acc, M[c]) + out_zp, act_min, act_max)
// Two kernels, chosen once per call:
//   SDOT (ARMv8.2 dot product; Raspberry Pi 5)  conv_sdot: a GEMM on the weights packed as
//       [k/4][co][4] (PackedS8ForConv, avx512.hpp's layout, made at compile time): tiles of four
//       pixels x sixteen channels, sixteen int32x4 accumulators; per four taps one 16-byte weight
//       load per four channels and one SDOT by element per pixel (the pixel's four bytes are a
//       lane of a 16-byte load): 16 SDOTs and 4 loads per 256 multiply-adds.
//   NEON (every ARMv8-A core; Raspberry Pi 4)    smull::conv_pass2 (rows_neon.hpp): two pixels x
//       four channels, sixteen bytes of K per step as SMULL/SADALP.
// Both requantize four lanes at a time (requantize_neon.hpp, exact for every multiplier and shift),
// clamp, narrow and store whole vectors; channels past the last multiple of four take the scalar
// output stage. A function compiled for SDOT cannot be inlined into generic code, so conv_sdot is
// one call per layer.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/avx512.hpp>
#include <ctml/kernels/s8/conv_params.hpp>
#include <ctml/kernels/s8/conv_portable.hpp>
#include <ctml/kernels/s8/requantize_neon.hpp>
#include <ctml/kernels/s8/rows_neon.hpp>
#if defined(CTML_HAVE_NEON)
#include <arm_neon.h>
#endif

#if defined(CTML_HAVE_NEON)

#if defined(CTML_HAVE_NEON_DOTPROD) || defined(CTML_DISPATCH_NEON_DOTPROD)
CTML_DOTPROD_BEGIN
namespace ctml::kernels::neon::sdot {

// Calls f(std::integral_constant<std::size_t, I>) for I = 0..N-1: every index a constant, so that
// accumulator arrays stay in registers and lane numbers are immediates. Defined here, inside the
// SDOT region: a function without the extension could not inline the SDOT lambdas it calls.
template <std::size_t N, class F>
inline void unroll(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::integral_constant<std::size_t, I>{}), ...); }(std::make_index_sequence<N>{});
}

// NP pixels (x[p]: readable for chunks * 16 bytes, the bytes past K never multiplied), every output
// channel in blocks of sixteen.
template <std::size_t Cout, std::size_t K, std::size_t NP>
inline void gemm_tile(const PackedS8Avx512<Cout, K>& pk, const ConvPass& cp, const std::int8_t* const (&x)[4],
                      std::int8_t* const (&o)[4]) {
  using Pk = PackedS8Avx512<Cout, K>;
  constexpr std::size_t chunks = (Pk::quads + 3) / 4, row = Pk::cout_padded * 4;  // bytes per quad
  for (std::size_t b = 0; b < Pk::groups; ++b) {
    int32x4_t acc[NP][4];
    unroll<NP>([&](auto p) { unroll<4>([&](auto g) { acc[p][g] = vdupq_n_s32(0); }); });
    const std::int8_t* w = pk.weights + b * 64;
    for (std::size_t c = 0; c < chunks; ++c) {
      int8x16_t xv[NP];
      unroll<NP>([&](auto p) { xv[p] = vld1q_s8(x[p] + 16 * c); });
      unroll<4>([&](auto j) {
        if (Pk::quads % 4 == 0 || 4 * c + j < Pk::quads) {
          const std::int8_t* wq = w + (4 * c + j) * row;
          const int8x16_t w0 = vld1q_s8(wq), w1 = vld1q_s8(wq + 16), w2 = vld1q_s8(wq + 32), w3 = vld1q_s8(wq + 48);
          unroll<NP>([&](auto p) {
            acc[p][0] = vdotq_laneq_s32(acc[p][0], w0, xv[p], decltype(j)::value);
            acc[p][1] = vdotq_laneq_s32(acc[p][1], w1, xv[p], decltype(j)::value);
            acc[p][2] = vdotq_laneq_s32(acc[p][2], w2, xv[p], decltype(j)::value);
            acc[p][3] = vdotq_laneq_s32(acc[p][3], w3, xv[p], decltype(j)::value);
          });
        }
      });
    }
    const std::size_t c0 = 16 * b;
    if (c0 + 16 <= Cout) {  // a whole block: four requantized groups, one 16-byte store per pixel
      int16x8_t y16[NP][2];
      unroll<4>([&](auto g) {
        const int32x4_t bias = vld1q_s32(cp.bias + c0 + 4 * g);
        const Requant4 r = make_requant4(cp.multiplier + c0 + 4 * g, cp.shift + c0 + 4 * g);
        unroll<NP>([&](auto p) {
          const int16x4_t y = vqmovn_s32(vaddq_s32(requantize4(vaddq_s32(acc[p][g], bias), r), cp.out_zp));
          if constexpr (g % 2 == 0) y16[p][g / 2] = vcombine_s16(y, y);
          else y16[p][g / 2] = vcombine_s16(vget_low_s16(y16[p][g / 2]), y);
        });
      });
      unroll<NP>([&](auto p) {
        const int16x8_t a = vminq_s16(vmaxq_s16(y16[p][0], cp.lo), cp.hi), z = vminq_s16(vmaxq_s16(y16[p][1], cp.lo), cp.hi);
        vst1q_s8(o[p] + c0, vcombine_s8(vqmovn_s16(a), vqmovn_s16(z)));
      });
    } else {  // the last, partial block: vector groups of four, then single channels
      unroll<4>([&](auto g) {
        const std::size_t c = c0 + 4 * g;
        if (c + 4 <= Cout) {
          const int32x4_t bias = vld1q_s32(cp.bias + c);
          const Requant4 r = make_requant4(cp.multiplier + c, cp.shift + c);
          unroll<NP>([&](auto p) {
            const int8x8_t y = finish8(vaddq_s32(acc[p][g], bias), vdupq_n_s32(0), r, r, cp.out_zp, cp.lo, cp.hi);
            store4(o[p] + c, y, 0);
          });
        } else if (c < Cout) {
          unroll<NP>([&](auto p) {
            std::int32_t lanes[4];
            vst1q_s32(lanes, acc[p][g]);
            for (std::size_t l = 0; c + l < Cout; ++l)
              o[p][c + l] = cp.stage.finish(add_wrap(lanes[l], cp.bias[c + l]), cp.multiplier[c + l], cp.shift[c + l]);
          });
        }
      });
    }
  }
}

// The layer: tiles of four pixels (the last tile shorter). Each tile's rows are the input pixels
// themselves (pointwise, K a multiple of 16, not in place) or a copy padded to whole chunks (the
// im2col patches, other channel counts, in place: then the tile's outputs overwrite only inputs
// already copied, as cout <= cin).
template <Conv2DGeometry G, class D>
void conv_sdot(const D& cp, const ConvPass& pass, const std::int8_t* in, std::int8_t* out) {
  ::ctml::detail::side_effect_fence();
  using F = s8::ConvFacts<G>;
  constexpr std::size_t P = F::pixels, K = F::K;
  constexpr std::size_t Kpad = (PackedS8Avx512<G.cout, K>::quads + 3) / 4 * 16;
  constexpr bool direct = F::pointwise && K % 16 == 0 && !F::in_place;
  alignas(16) std::int8_t buf[direct ? 1 : 4][direct ? 16 : Kpad];
  if constexpr (!direct)
    for (auto& r : buf) std::memset(r + K, 0, Kpad - K);
  const auto tile = [&](std::size_t p0, auto np) {
    const std::int8_t* x[4] = {};
    std::int8_t* o[4] = {};
    for (std::size_t p = 0; p < np; ++p) {
      o[p] = out + (p0 + p) * G.cout;
      if constexpr (direct) {
        x[p] = in + (p0 + p) * G.cin;
      } else {
        if constexpr (F::pointwise) std::memcpy(buf[p], in + (p0 + p) * G.cin, K);
        else s8::fill_patch<0, G>(cp, in, p0 + p, buf[p]);
        x[p] = buf[p];
      }
    }
    gemm_tile<G.cout, K, decltype(np)::value>(cp.packed, pass, x, o);
  };
  std::size_t p0 = 0;
  for (; p0 + 4 <= P; p0 += 4) tile(p0, std::integral_constant<std::size_t, 4>{});
  if constexpr (P % 4 == 3) tile(p0, std::integral_constant<std::size_t, 3>{});
  if constexpr (P % 4 == 2) tile(p0, std::integral_constant<std::size_t, 2>{});
  if constexpr (P % 4 == 1) tile(p0, std::integral_constant<std::size_t, 1>{});
}

}  // namespace ctml::kernels::neon::sdot
CTML_DOTPROD_END
#endif

namespace ctml::kernels::s8 {

// The layer: SDOT's GEMM where the CPU has it, else pixel pairs as conv_portable takes them through
// the SMULL kernels (chosen once per call).
template <Conv2DGeometry G, class D>
void conv_neon(const D& cp, const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) {
  ::ctml::detail::side_effect_fence();
  using F = ConvFacts<G>;
  constexpr std::size_t P = F::pixels, K = F::K;
  const quant::OutputStage& st = stage_of(cp);
  const neon::ConvPass pass{cp.weights.data(), cp.effective_bias.data(), cp.multiplier.data(), cp.shift.data(), st,
                            vdupq_n_s32(st.output_zero_point), vdupq_n_s16(static_cast<std::int16_t>(st.act_min)),
                            vdupq_n_s16(static_cast<std::int16_t>(st.act_max))};
  // SMULL path: pixel pairs as conv_portable takes them.
  const auto run = [&] {
    if constexpr (F::pointwise) {
      std::size_t p = 0;
      for (; p + 1 < P; p += 2) {
        const std::int8_t* x = in + p * G.cin;
        if constexpr (F::in_place) {  // the pair's outputs overwrite its inputs: read them first
          for (std::size_t c = 0; c < 2 * G.cin; ++c) scratch[c] = x[c];
          x = scratch;
        }
        neon::smull::conv_pass2<K, G.cout>(pass, x, x + G.cin, out + p * G.cout, out + (p + 1) * G.cout);
      }
      if (p < P) {
        const std::int8_t* x = in + p * G.cin;
        if constexpr (F::in_place) {
          for (std::size_t c = 0; c < G.cin; ++c) scratch[c] = x[c];
          x = scratch;
        }
        neon::smull::conv_pass1<K, G.cout>(pass, x, out + p * G.cout);
      }
    } else {
      alignas(16) std::int8_t patch[2][K];
      std::size_t q = 0;
      for (; q + 1 < P; q += 2) {
        fill_patch<0, G>(cp, in, q, patch[0]);
        fill_patch<0, G>(cp, in, q + 1, patch[1]);
        neon::smull::conv_pass2<K, G.cout>(pass, patch[0], patch[1], out + q * G.cout, out + (q + 1) * G.cout);
      }
      if (q < P) {
        fill_patch<0, G>(cp, in, q, patch[0]);
        neon::smull::conv_pass1<K, G.cout>(pass, patch[0], out + q * G.cout);
      }
    }
  };
  (void)scratch;  // read only in place
#if defined(CTML_HAVE_NEON_DOTPROD) || defined(CTML_DISPATCH_NEON_DOTPROD)
  if (target::neon_dotprod_now()) {
    neon::sdot::conv_sdot<G>(cp, pass, in, out);
    return;
  }
#endif
  run();
}

}  // namespace ctml::kernels::s8
#endif
