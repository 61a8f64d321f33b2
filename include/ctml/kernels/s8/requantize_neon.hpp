// SPDX-License-Identifier: Apache-2.0
#pragma once
// TFLite requantization of int32 accumulators four lanes at a time (AArch64 NEON), equal bit for
// bit to multiply_by_quantized_multiplier_ref (core/requantize.hpp) for every multiplier and every
// shift in [-31, 31], per lane:
//   left  = max(shift, 0), right = max(-shift, 0)
//   h     = SaturatingRoundingDoublingHighMul(x << left, q)      SQRDMULH: floor((2xq + 2^31) / 2^32),
//                                                                 saturated only for q = x = INT32_MIN
//   y     = RoundingDivideByPOT(h, right)                         ties away from zero
// SQRDMULH is TFLite's SRDHM exactly (its nudge for negative products gives the same floor). The
// rounding shift SRSHL rounds ties up, so negative values first take one off (gemmlowp's fixup,
// as TFLite's NEON kernels do it): (h & -right) has h's sign bit when right > 0, so
// fixup = that >> 31 is -1 for negative h and 0 otherwise; SQADD keeps INT32_MIN where h - 1
// would wrap (both then give INT32_MIN >> right). SRSHL forms its rounding sum without overflow.
// The left shift wraps as the reference's (uint32 << left) does.
#include <cstddef>
#include <cstdint>
#include <ctml/core/target.hpp>
#if defined(CTML_HAVE_NEON)
#include <arm_neon.h>
#endif

#if defined(CTML_HAVE_NEON)
namespace ctml::kernels::neon {

// Four channels' constants: q, the left shift and the negated right shift (SRSHL's amount).
struct Requant4 {
  int32x4_t q, left, neg_right;
};

inline Requant4 make_requant4(const std::int32_t* multiplier, const std::int32_t* shift) {
  const int32x4_t s = vld1q_s32(shift);
  return {vld1q_s32(multiplier), vmaxq_s32(s, vdupq_n_s32(0)), vminq_s32(s, vdupq_n_s32(0))};
}

inline int32x4_t requantize4(int32x4_t x, const Requant4& r) {
  const int32x4_t h = vqrdmulhq_s32(vshlq_s32(x, r.left), r.q);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(h, r.neg_right), 31);
  return vrshlq_s32(vqaddq_s32(h, fixup), r.neg_right);
}

// Eight outputs: clamp(requantize(acc) + out_zp, lo, hi) as int8. Saturating to int16 before the
// clamp changes nothing (lo and hi are int8 values); the clamped values narrow exactly.
inline int8x8_t finish8(int32x4_t a0, int32x4_t a1, const Requant4& r0, const Requant4& r1, int32x4_t out_zp, int16x8_t lo,
                        int16x8_t hi) {
  const int32x4_t y0 = vaddq_s32(requantize4(a0, r0), out_zp), y1 = vaddq_s32(requantize4(a1, r1), out_zp);
  const int16x8_t y = vminq_s16(vmaxq_s16(vcombine_s16(vqmovn_s32(y0), vqmovn_s32(y1)), lo), hi);
  return vqmovn_s16(y);
}

}  // namespace ctml::kernels::neon
#endif
