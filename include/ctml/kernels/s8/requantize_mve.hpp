// SPDX-License-Identifier: Apache-2.0
#pragma once
// TFLite requantization of int32 accumulators four lanes at a time (Helium: Cortex-M55/M85),
// equal bit for bit to multiply_by_quantized_multiplier_ref (core/requantize.hpp) for every
// multiplier and every shift in [-31, 31], per lane (the same steps as requantize_neon.hpp, whose
// comment has the argument; MVE's VQRDMULH, VSHL, VRSHL and VQADD are NEON's):
//   left  = max(shift, 0), right = max(-shift, 0)
//   h     = SaturatingRoundingDoublingHighMul(x << left, q)      VQRDMULH
//   y     = RoundingDivideByPOT(h, right)                         VRSHL rounds ties up; negative h
//                                                                 first takes one off (the fixup)
// then the output stage: y + out_zp clamped to [act_min, act_max], stored as four int8 with one
// narrowing VSTRB.32 (the clamped values are int8, so the truncation is exact).
// One requantization of four lanes is about ten instructions where the scalar form takes about
// twelve per output: on Helium the output stage otherwise costs more than a 64-deep dot product.
#include <cstdint>
#include <ctml/core/target.hpp>
#if defined(CTML_HAVE_MVE)
#include <arm_mve.h>
#endif

#if defined(CTML_HAVE_MVE)
namespace ctml::kernels::mve {

// Four channels' constants: q, the left shift and the negated right shift (VRSHL's amount).
struct Requant4 {
  int32x4_t q, left, neg_right;
};

inline Requant4 make_requant4(const std::int32_t* multiplier, const std::int32_t* shift) {
  const int32x4_t s = vldrwq_s32(shift);
  return {vldrwq_s32(multiplier), vmaxq_s32(s, vdupq_n_s32(0)), vminq_s32(s, vdupq_n_s32(0))};
}
// One channel's constants in all four lanes (four pixels of one channel).
inline Requant4 make_requant4(std::int32_t multiplier, std::int32_t shift) {
  return {vdupq_n_s32(multiplier), vdupq_n_s32(shift > 0 ? shift : 0), vdupq_n_s32(shift < 0 ? shift : 0)};
}

inline int32x4_t requantize4(int32x4_t x, const Requant4& r) {
  const int32x4_t h = vqrdmulhq_s32(vshlq_s32(x, r.left), r.q);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(h, r.neg_right), 31);
  return vrshlq_s32(vqaddq_s32(h, fixup), r.neg_right);
}

// The output stage's constants as vectors.
struct Finish4 {
  int32x4_t out_zp, lo, hi;
};
inline Finish4 make_finish4(std::int32_t out_zp, std::int32_t act_min, std::int32_t act_max) {
  return {vdupq_n_s32(out_zp), vdupq_n_s32(act_min), vdupq_n_s32(act_max)};
}

// clamp(requantize(acc) + out_zp, act_min, act_max) stored as four int8 at o.
inline void finish4(int32x4_t acc, const Requant4& r, const Finish4& f, std::int8_t* o) {
  const int32x4_t y = vaddq_s32(requantize4(acc, r), f.out_zp);
  vstrbq_s32(o, vminq_s32(vmaxq_s32(y, f.lo), f.hi));
}

// Eight channels held as even (0, 2, 4, 6) and odd (1, 3, 5, 7) int32 lanes, as the widening
// multiplies VMULLB / VMULLT leave them: their constants loaded de-interleaved (VLD2), each half
// finished, narrowed back into its int16 lanes (VMOVNB / VMOVNT) and stored as eight int8 at o.
inline void finish8_even_odd(int32x4_t even, int32x4_t odd, const std::int32_t* multiplier, const std::int32_t* shift,
                             const Finish4& f, std::int8_t* o) {
  const int32x4x2_t q = vld2q_s32(multiplier), s = vld2q_s32(shift);
  const int32x4_t zero = vdupq_n_s32(0);
  const Requant4 re{q.val[0], vmaxq_s32(s.val[0], zero), vminq_s32(s.val[0], zero)};
  const Requant4 ro{q.val[1], vmaxq_s32(s.val[1], zero), vminq_s32(s.val[1], zero)};
  const int32x4_t ye = vminq_s32(vmaxq_s32(vaddq_s32(requantize4(even, re), f.out_zp), f.lo), f.hi);
  const int32x4_t yo = vminq_s32(vmaxq_s32(vaddq_s32(requantize4(odd, ro), f.out_zp), f.lo), f.hi);
  vstrbq_s16(o, vmovntq_s32(vmovnbq_s32(vdupq_n_s16(0), ye), yo));
}

// Four scalars as one vector (lanes a, b, c, d).
inline int32x4_t lanes4(std::int32_t a, std::int32_t b, std::int32_t c, std::int32_t d) {
  int32x4_t v = vdupq_n_s32(a);
  v = vsetq_lane_s32(b, v, 1);
  v = vsetq_lane_s32(c, v, 2);
  return vsetq_lane_s32(d, v, 3);
}

}  // namespace ctml::kernels::mve
#endif
