// SPDX-License-Identifier: Apache-2.0
#pragma once
// AArch64 NEON variants of the int8 dot products (dot.hpp picks them for N >= 16; the formulas
// are dot_portable.hpp's). Sixteen bytes of each operand per step:
//   NEON (every ARMv8-A core; Raspberry Pi 4's Cortex-A72): SMULL and SMULL2 give the sixteen
//     products as int16 (|a * b| <= 2^14, exact), SADALP adds neighbouring pairs into four int32
//     lanes: four instructions per 16 multiply-adds;
//   SDOT (the ARMv8.2 dot-product extension; Raspberry Pi 5's Cortex-A76): one instruction per
//     16 multiply-adds, each int32 lane += four products.
// Both exact: the sums are the formula's in another order, and int32 lanes wrap as the device's
// adds do (valid models never come near). The bytes past the last multiple of 16 take the formula.
// The SDOT functions are compiled for that extension alone (CTML_DOTPROD_BEGIN) and, in a generic
// build, called only after target::neon_dotprod_now().
#include <cstddef>
#include <cstdint>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/dot_portable.hpp>
#if defined(CTML_HAVE_NEON)
#include <arm_neon.h>
#endif

#if defined(CTML_HAVE_NEON)
namespace ctml::kernels::neon {

// The sum of four int32 vectors' lanes, one vector per lane: {sum c0, sum c1, sum c2, sum c3}.
inline int32x4_t lane_sums(int32x4_t c0, int32x4_t c1, int32x4_t c2, int32x4_t c3) {
  return vpaddq_s32(vpaddq_s32(c0, c1), vpaddq_s32(c2, c3));
}

// The kernels, written once for a multiply-accumulate step MAC16(acc, a, b) (acc's four lanes +=
// the sixteen products a[i] * b[i], in some grouping) and defined twice below.
#define CTML_NEON_DOT_KERNELS(MAC16)                                                                       \
  template <std::size_t N>                                                                                 \
  inline std::int32_t dot_s8(const std::int8_t* a, const std::int8_t* b) {                                 \
    constexpr std::size_t Body = N - N % 16;                                                               \
    int32x4_t c0 = vdupq_n_s32(0), c1 = c0; /* two chains: the accumulate waits on the previous one */    \
    std::size_t i = 0;                                                                                     \
    for (; i + 32 <= Body; i += 32) {                                                                      \
      c0 = MAC16(c0, vld1q_s8(a + i), vld1q_s8(b + i));                                                    \
      c1 = MAC16(c1, vld1q_s8(a + i + 16), vld1q_s8(b + i + 16));                                          \
    }                                                                                                      \
    if constexpr (Body % 32 != 0) c0 = MAC16(c0, vld1q_s8(a + Body - 16), vld1q_s8(b + Body - 16));       \
    return add_wrap(vaddvq_s32(vaddq_s32(c0, c1)), dot_s8_ref<N - Body>(a + Body, b + Body));              \
  }                                                                                                        \
  /* acc += {a0.b0, a0.b1, a1.b0, a1.b1}: four loads feed four accumulators */                             \
  template <std::size_t N>                                                                                 \
  inline void dot_s8_2x2(const std::int8_t* a0, const std::int8_t* a1, const std::int8_t* b0,             \
                         const std::int8_t* b1, std::int32_t* acc) {                                       \
    constexpr std::size_t Body = N - N % 16;                                                               \
    int32x4_t c00 = vdupq_n_s32(0), c01 = c00, c10 = c00, c11 = c00;                                       \
    for (std::size_t i = 0; i < Body; i += 16) {                                                           \
      const int8x16_t x0 = vld1q_s8(a0 + i), x1 = vld1q_s8(a1 + i);                                        \
      const int8x16_t y0 = vld1q_s8(b0 + i), y1 = vld1q_s8(b1 + i);                                        \
      c00 = MAC16(c00, x0, y0);                                                                            \
      c01 = MAC16(c01, x0, y1);                                                                            \
      c10 = MAC16(c10, x1, y0);                                                                            \
      c11 = MAC16(c11, x1, y1);                                                                            \
    }                                                                                                      \
    const int32x4_t s = lane_sums(c00, c01, c10, c11);                                                     \
    acc[0] = add_wrap(acc[0], add_wrap(vgetq_lane_s32(s, 0), dot_s8_ref<N - Body>(a0 + Body, b0 + Body))); \
    acc[1] = add_wrap(acc[1], add_wrap(vgetq_lane_s32(s, 1), dot_s8_ref<N - Body>(a0 + Body, b1 + Body))); \
    acc[2] = add_wrap(acc[2], add_wrap(vgetq_lane_s32(s, 2), dot_s8_ref<N - Body>(a1 + Body, b0 + Body))); \
    acc[3] = add_wrap(acc[3], add_wrap(vgetq_lane_s32(s, 3), dot_s8_ref<N - Body>(a1 + Body, b1 + Body))); \
  }                                                                                                        \
  /* acc0 += a.b0, acc1 += a.b1: the input loaded once for two rows */                                     \
  template <std::size_t N>                                                                                 \
  inline void dot_s8_1x2(const std::int8_t* a, const std::int8_t* b0, const std::int8_t* b1,              \
                         std::int32_t& acc0, std::int32_t& acc1) {                                         \
    constexpr std::size_t Body = N - N % 16;                                                               \
    int32x4_t c0 = vdupq_n_s32(0), c1 = c0;                                                                \
    for (std::size_t i = 0; i < Body; i += 16) {                                                           \
      const int8x16_t x = vld1q_s8(a + i);                                                                 \
      c0 = MAC16(c0, x, vld1q_s8(b0 + i));                                                                 \
      c1 = MAC16(c1, x, vld1q_s8(b1 + i));                                                                 \
    }                                                                                                      \
    acc0 = add_wrap(acc0, add_wrap(vaddvq_s32(c0), dot_s8_ref<N - Body>(a + Body, b0 + Body)));            \
    acc1 = add_wrap(acc1, add_wrap(vaddvq_s32(c1), dot_s8_ref<N - Body>(a + Body, b1 + Body)));            \
  }

namespace smull {
// acc's lanes += the sixteen products, two per lane (SMULL/SMULL2 then SADALP).
inline int32x4_t mac16(int32x4_t acc, int8x16_t a, int8x16_t b) {
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
  return vpadalq_s16(acc, vmull_high_s8(a, b));
}
CTML_NEON_DOT_KERNELS(mac16)
}  // namespace smull

#if defined(CTML_HAVE_NEON_DOTPROD) || defined(CTML_DISPATCH_NEON_DOTPROD)
CTML_DOTPROD_BEGIN
namespace sdot {
// acc's lanes += the sixteen products, four per lane (SDOT).
inline int32x4_t mac16(int32x4_t acc, int8x16_t a, int8x16_t b) { return vdotq_s32(acc, a, b); }
CTML_NEON_DOT_KERNELS(mac16)
}  // namespace sdot
CTML_DOTPROD_END
#endif
#undef CTML_NEON_DOT_KERNELS

// The entry points: SDOT when the build or the CPU has it, else SMULL/SADALP.
template <std::size_t N>
inline std::int32_t dot_s8(const std::int8_t* a, const std::int8_t* b) {
#if defined(CTML_HAVE_NEON_DOTPROD)
  return sdot::dot_s8<N>(a, b);
#else
#if defined(CTML_DISPATCH_NEON_DOTPROD)
  if (target::neon_dotprod_now()) return sdot::dot_s8<N>(a, b);
#endif
  return smull::dot_s8<N>(a, b);
#endif
}

template <std::size_t N>
inline void dot_s8_2x2(const std::int8_t* a0, const std::int8_t* a1, const std::int8_t* b0, const std::int8_t* b1,
                       std::int32_t* acc) {
#if defined(CTML_HAVE_NEON_DOTPROD)
  sdot::dot_s8_2x2<N>(a0, a1, b0, b1, acc);
#else
#if defined(CTML_DISPATCH_NEON_DOTPROD)
  if (target::neon_dotprod_now()) return sdot::dot_s8_2x2<N>(a0, a1, b0, b1, acc);
#endif
  smull::dot_s8_2x2<N>(a0, a1, b0, b1, acc);
#endif
}

template <std::size_t N>
inline void dot_s8_1x2(const std::int8_t* a, const std::int8_t* b0, const std::int8_t* b1, std::int32_t& acc0,
                       std::int32_t& acc1) {
#if defined(CTML_HAVE_NEON_DOTPROD)
  sdot::dot_s8_1x2<N>(a, b0, b1, acc0, acc1);
#else
#if defined(CTML_DISPATCH_NEON_DOTPROD)
  if (target::neon_dotprod_now()) return sdot::dot_s8_1x2<N>(a, b0, b1, acc0, acc1);
#endif
  smull::dot_s8_1x2<N>(a, b0, b1, acc0, acc1);
#endif
}

}  // namespace ctml::kernels::neon
#endif  // CTML_HAVE_NEON
