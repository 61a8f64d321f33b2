// SPDX-License-Identifier: Apache-2.0
#pragma once
// AArch64 NEON kernels over rows of int8 inputs against rows of int8 weights, with the output
// stage in vectors: the inner parts of the NEON convolution (conv_neon.hpp: pointwise pixels or
// im2col patches) and of the dense layer (dense.hpp: one row):
//   acc[p][c] = bias[c] + sum_k x_p[k] * w[c][k]            (w: [cout][K], as the layer stores it)
//   y[p][c]   = clamp(MultiplyByQuantizedMultiplier(acc, M[c]) + out_zp, act_min, act_max)
// conv_pass2: two rows x four channels, eight int32x4 partial sums; conv_pass1: one row x four
// channels. Sixteen bytes of K per step (dot_neon.hpp's MAC16: SMULL/SADALP, or SDOT in the
// namespace compiled for it), reduced to one int32x4 per row, requantized four lanes at a time
// (requantize_neon.hpp, exact for every multiplier and shift), clamped, narrowed and stored four
// bytes per row. Eight bytes of K past the last sixteen take one SMULL step, the rest (K % 8) the
// formula; channels past the last multiple of four take the scalar output stage.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/dot_neon.hpp>
#include <ctml/kernels/s8/output_stage.hpp>
#include <ctml/kernels/s8/requantize_neon.hpp>
#if defined(CTML_HAVE_NEON)
#include <arm_neon.h>
#endif

#if defined(CTML_HAVE_NEON)
namespace ctml::kernels::neon {

// What a pass reads besides the pixels: the layer's arrays and its output stage as vectors.
struct ConvPass {
  const std::int8_t* weights;  // [cout][K]
  const std::int32_t* bias;    // effective bias [cout]
  const std::int32_t* multiplier;
  const std::int32_t* shift;
  quant::OutputStage stage;
  int32x4_t out_zp;
  int16x8_t lo, hi;
};

// The four int8 results of one pixel's lanes, stored as four bytes (no alignment assumed).
inline void store4(std::int8_t* o, int8x8_t v, int half) {
  const std::uint32_t w = half == 0 ? vget_lane_u32(vreinterpret_u32_s8(v), 0) : vget_lane_u32(vreinterpret_u32_s8(v), 1);
  std::memcpy(o, &w, 4);
}

// The kernels, written once for a multiply-accumulate step MAC16 (dot_neon.hpp's) and defined for
// SMULL/SADALP and for SDOT below.
#define CTML_NEON_CONV_KERNELS(MAC16)                                                                        \
  /* sum_k a[k] * b[k] over the K % 16 bytes past the last sixteen */                                        \
  template <std::size_t K>                                                                                   \
  inline std::int32_t tail_dot(const std::int8_t* a, const std::int8_t* b) {                                 \
    constexpr std::size_t Body = K - K % 16;                                                                 \
    std::int32_t s = 0;                                                                                      \
    if constexpr (K % 16 >= 8) {                                                                             \
      s = vaddlvq_s16(vmull_s8(vld1_s8(a + Body), vld1_s8(b + Body)));                                       \
      return add_wrap(s, dot_s8_ref<K % 8>(a + Body + 8, b + Body + 8));                                     \
    } else {                                                                                                 \
      return dot_s8_ref<K % 16>(a + Body, b + Body);                                                         \
    }                                                                                                        \
  }                                                                                                          \
  /* Two pixels (x0, x1: K bytes each), every output channel. */                                            \
  template <std::size_t K, std::size_t Cout>                                                                 \
  inline void conv_pass2(const ConvPass& cp, const std::int8_t* x0, const std::int8_t* x1, std::int8_t* o0,   \
                         std::int8_t* o1) {                                                                  \
    constexpr std::size_t Body = K - K % 16;                                                                 \
    std::size_t co = 0;                                                                                      \
    for (; co + 4 <= Cout; co += 4) {                                                                        \
      const std::int8_t* w = cp.weights + co * K;                                                            \
      int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;          \
      for (std::size_t i = 0; i < Body; i += 16) {                                                           \
        const int8x16_t p = vld1q_s8(x0 + i), q = vld1q_s8(x1 + i);                                          \
        const int8x16_t w0 = vld1q_s8(w + i), w1 = vld1q_s8(w + K + i), w2 = vld1q_s8(w + 2 * K + i),        \
                        w3 = vld1q_s8(w + 3 * K + i);                                                        \
        a0 = MAC16(a0, p, w0);                                                                               \
        a1 = MAC16(a1, p, w1);                                                                               \
        a2 = MAC16(a2, p, w2);                                                                               \
        a3 = MAC16(a3, p, w3);                                                                               \
        b0 = MAC16(b0, q, w0);                                                                               \
        b1 = MAC16(b1, q, w1);                                                                               \
        b2 = MAC16(b2, q, w2);                                                                               \
        b3 = MAC16(b3, q, w3);                                                                               \
      }                                                                                                      \
      const int32x4_t bias = vld1q_s32(cp.bias + co);                                                       \
      int32x4_t s0 = vaddq_s32(lane_sums(a0, a1, a2, a3), bias), s1 = vaddq_s32(lane_sums(b0, b1, b2, b3), bias); \
      if constexpr (Body < K) {                                                                              \
        const std::int32_t t0[4] = {tail_dot<K>(x0, w), tail_dot<K>(x0, w + K), tail_dot<K>(x0, w + 2 * K),  \
                                    tail_dot<K>(x0, w + 3 * K)};                                             \
        const std::int32_t t1[4] = {tail_dot<K>(x1, w), tail_dot<K>(x1, w + K), tail_dot<K>(x1, w + 2 * K),  \
                                    tail_dot<K>(x1, w + 3 * K)};                                             \
        s0 = vaddq_s32(s0, vld1q_s32(t0));                                                                   \
        s1 = vaddq_s32(s1, vld1q_s32(t1));                                                                   \
      }                                                                                                      \
      const Requant4 r = make_requant4(cp.multiplier + co, cp.shift + co);                                   \
      const int8x8_t y = finish8(s0, s1, r, r, cp.out_zp, cp.lo, cp.hi);                                     \
      store4(o0 + co, y, 0);                                                                                 \
      store4(o1 + co, y, 1);                                                                                 \
    }                                                                                                        \
    if constexpr (Cout % 4 != 0)                                                                             \
    for (; co < Cout; ++co) {                                                                                \
      const std::int8_t* w = cp.weights + co * K;                                                            \
      int32x4_t a = vdupq_n_s32(0), b = a;                                                                   \
      for (std::size_t i = 0; i < Body; i += 16) {                                                           \
        const int8x16_t wv = vld1q_s8(w + i);                                                                \
        a = MAC16(a, vld1q_s8(x0 + i), wv);                                                                  \
        b = MAC16(b, vld1q_s8(x1 + i), wv);                                                                  \
      }                                                                                                      \
      const std::int32_t s0 = add_wrap(add_wrap(vaddvq_s32(a), tail_dot<K>(x0, w)), cp.bias[co]);            \
      const std::int32_t s1 = add_wrap(add_wrap(vaddvq_s32(b), tail_dot<K>(x1, w)), cp.bias[co]);            \
      o0[co] = cp.stage.finish(s0, cp.multiplier[co], cp.shift[co]);                                        \
      o1[co] = cp.stage.finish(s1, cp.multiplier[co], cp.shift[co]);                                        \
    }                                                                                                        \
  }                                                                                                          \
  /* One pixel (an odd last one, or a dense layer's input), every output channel, four at a time. */        \
  template <std::size_t K, std::size_t Cout>                                                                 \
  inline void conv_pass1(const ConvPass& cp, const std::int8_t* x0, std::int8_t* o0) {                      \
    constexpr std::size_t Body = K - K % 16;                                                                 \
    std::size_t co = 0;                                                                                      \
    for (; co + 4 <= Cout; co += 4) {                                                                        \
      const std::int8_t* w = cp.weights + co * K;                                                            \
      int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;                                              \
      for (std::size_t i = 0; i < Body; i += 16) {                                                           \
        const int8x16_t p = vld1q_s8(x0 + i);                                                                \
        a0 = MAC16(a0, p, vld1q_s8(w + i));                                                                  \
        a1 = MAC16(a1, p, vld1q_s8(w + K + i));                                                              \
        a2 = MAC16(a2, p, vld1q_s8(w + 2 * K + i));                                                          \
        a3 = MAC16(a3, p, vld1q_s8(w + 3 * K + i));                                                          \
      }                                                                                                      \
      int32x4_t s0 = vaddq_s32(lane_sums(a0, a1, a2, a3), vld1q_s32(cp.bias + co));                          \
      if constexpr (Body < K) {                                                                              \
        const std::int32_t t0[4] = {tail_dot<K>(x0, w), tail_dot<K>(x0, w + K), tail_dot<K>(x0, w + 2 * K),  \
                                    tail_dot<K>(x0, w + 3 * K)};                                             \
        s0 = vaddq_s32(s0, vld1q_s32(t0));                                                                   \
      }                                                                                                      \
      const Requant4 r = make_requant4(cp.multiplier + co, cp.shift + co);                                   \
      store4(o0 + co, finish8(s0, vdupq_n_s32(0), r, r, cp.out_zp, cp.lo, cp.hi), 0);                        \
    }                                                                                                        \
    /* (if constexpr: GCC 12 warns of a wrapping iteration in this loop when it cannot run) */              \
    if constexpr (Cout % 4 != 0)                                                                             \
      for (; co < Cout; ++co) {                                                                              \
        const std::int8_t* w = cp.weights + co * K;                                                          \
        int32x4_t a = vdupq_n_s32(0);                                                                        \
        for (std::size_t i = 0; i < Body; i += 16) a = MAC16(a, vld1q_s8(x0 + i), vld1q_s8(w + i));          \
        const std::int32_t s = add_wrap(add_wrap(vaddvq_s32(a), tail_dot<K>(x0, w)), cp.bias[co]);           \
        o0[co] = cp.stage.finish(s, cp.multiplier[co], cp.shift[co]);                                       \
      }                                                                                                      \
  }

namespace smull {
CTML_NEON_CONV_KERNELS(mac16)
}  // namespace smull

#if defined(CTML_HAVE_NEON_DOTPROD) || defined(CTML_DISPATCH_NEON_DOTPROD)
CTML_DOTPROD_BEGIN
namespace sdot {
CTML_NEON_CONV_KERNELS(mac16)
}  // namespace sdot
CTML_DOTPROD_END
#endif

#undef CTML_NEON_CONV_KERNELS

}  // namespace ctml::kernels::neon
#endif  // CTML_HAVE_NEON
