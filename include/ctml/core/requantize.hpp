// SPDX-License-Identifier: Apache-2.0
#pragma once
// TFLite's integer requantization, bit for bit (the reference kernels' "double rounding" path):
//   real multiplier m = q * 2^shift, q in [0.5, 1) as a Q31 int32      quantize_multiplier(m)
//   MultiplyByQuantizedMultiplier(x) = RoundingDivideByPOT(SRDHM(x << left, q), right)
// All constexpr, so multipliers of a constexpr model are computed by the compiler.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <ctml/core/target.hpp>

namespace ctml::quant {

struct Multiplier {
  std::int32_t value = 0;  // Q31
  int shift = 0;           // > 0: left shift, < 0: right shift
};

namespace detail {
// frexp for positive finite doubles: m = f * 2^e with f in [0.5, 1).
constexpr double frexp_pos(double m, int& e) {
  e = 0;
  while (m >= 1.0) { m *= 0.5; ++e; }
  while (m < 0.5) { m *= 2.0; --e; }
  return m;
}
// Round half away from zero, as std::round, saturated to +-2^62 (a double beyond the int64 range
// would make the conversion undefined; NaN gives 0). Every caller clamps far inside that range.
constexpr std::int64_t round_away(double v) {
  constexpr double limit = 4611686018427387904.0;  // 2^62
  if (!(v == v)) return 0;
  if (v >= limit) return std::int64_t{1} << 62;
  if (v <= -limit) return -(std::int64_t{1} << 62);
  return v >= 0 ? static_cast<std::int64_t>(v + 0.5) : -static_cast<std::int64_t>(-v + 0.5);
}
constexpr std::int32_t clamp_i32(std::int64_t v) {
  constexpr std::int64_t lo = -2147483647ll - 1, hi = 2147483647ll;
  return static_cast<std::int32_t>(v < lo ? lo : (v > hi ? hi : v));
}
}  // namespace detail

// The effective bias of an int8 Dense or conv: bias - in_zp * sum(w), the zero-point term folded in
// once so the inner loop is a plain dot product. Computed in 64 bits and saturated to int32: only
// a bias near the int32 limit reaches the limit (ctml-import refuses such models; a saturated PTQ
// bias can), and there the int32 arithmetic would overflow.
constexpr std::int32_t fold_zero_point(std::int32_t bias, std::int32_t in_zp, std::int64_t weight_sum) {
  return detail::clamp_i32(static_cast<std::int64_t>(bias) - static_cast<std::int64_t>(in_zp) * weight_sum);
}
// The same for each row of an int8 weight matrix w [Rows][N]: out[r] = bias[r] - zp * sum(w row r),
// bias null for none (the recurrent cells' gate matrices).
template <std::size_t Rows, std::size_t N>
constexpr void fold_zero_point_rows(const std::int32_t* bias, std::int32_t zp, const std::int8_t* w, std::int32_t* out) {
  for (std::size_t r = 0; r < Rows; ++r) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < N; ++i) sum += w[r * N + i];
    out[r] = fold_zero_point(bias ? bias[r] : 0, zp, sum);
  }
}
// Whether fold_zero_point is exact (its value fits int32, so nothing saturates): ctml-import
// refuses a model whose folded bias would not.
constexpr bool zero_point_folds_exactly(std::int32_t bias, std::int32_t in_zp, std::int64_t weight_sum) {
  const std::int64_t e = static_cast<std::int64_t>(bias) - static_cast<std::int64_t>(in_zp) * weight_sum;
  return e >= -2147483647ll - 1 && e <= 2147483647ll;
}

// TFLite QuantizeMultiplier.
// m must be finite and non-negative (a ratio of scales); anything else (NaN, infinity, negative)
// gives the zero multiplier rather than looping or overflowing.
constexpr Multiplier quantize_multiplier(double m) {
  if (!(m > 0.0) || m > 1e300) return {0, 0};
  int shift = 0;
  const double q = detail::frexp_pos(m, shift);
  std::int64_t q_fixed = detail::round_away(q * static_cast<double>(1ll << 31));
  if (q_fixed == (1ll << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  return {static_cast<std::int32_t>(q_fixed), shift};
}

// gemmlowp SaturatingRoundingDoublingHighMul: (a * b * 2 + 2^31) >> 32 with TFLite's rounding.
constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  // TFLite writes (ab + nudge) / 2^31 with nudge = 2^30 or 1 - 2^30 by sign, dividing toward
  // zero. For ab < 0, trunc((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) / 2^31), the same as for
  // ab >= 0: one add and an arithmetic shift, no branch (SMULL + a few ALU ops on Cortex-M).
  const std::int64_t ab = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
  return static_cast<std::int32_t>((ab + (1ll << 30)) >> 31);
}

// gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero.
constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int e) {
  // 32-bit mask (e is 0..31): a 64-bit variable shift costs a dozen instructions on Cortex-M.
  const auto mask = static_cast<std::int32_t>((1u << e) - 1u);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

// The definition, step by step (TFLite's reference formulation).
constexpr std::int32_t multiply_by_quantized_multiplier_ref(std::int32_t x, Multiplier m) {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left), m.value),
      right);
}

// Equal to multiply_by_quantized_multiplier_ref for every input. For a right shift e >= 1 and a
// non-negative multiplier (the case of every conv/dense output stage) both roundings are done in
// one 64-bit sum, with no branch:
//   h = floor((x*q + 2^30) / 2^31)                        (SRDHM; no saturation unless q = INT_MIN)
//   RDBP(h, e) = floor((h + 2^(e-1) - [h < 0]) / 2^e)     (round half away from zero)
//              = floor((x*q + 2^30 + (2^(e-1) - [h < 0]) * 2^31) / 2^(31+e))
// with [h < 0] = [x*q + 2^30 < 0], the sign of the first sum. The result is the high word of the
// sum shifted right by e - 1: about ten instructions on Cortex-M4 instead of ~25.
constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, Multiplier m) {
  if (m.shift < 0 && m.value >= 0) {
    const int e = -m.shift;  // 1..31
    const std::int64_t t0 = static_cast<std::int64_t>(x) * m.value + (std::int64_t{1} << 30);
    const auto neg = static_cast<std::uint32_t>(static_cast<std::int32_t>(t0 >> 63));  // 0 or 0xFFFFFFFF
    const std::uint32_t c = (1u << (e - 1)) + neg;  // 2^(e-1) - [h < 0], never negative
    const std::int64_t t = t0 + static_cast<std::int64_t>(static_cast<std::uint64_t>(c) << 31);
    return static_cast<std::int32_t>(t >> 32) >> (e - 1);
  }
  return multiply_by_quantized_multiplier_ref(x, m);
}

// TFLite's MultiplyByQuantizedMultiplier for a 64-bit accumulator (the 16x8 layers' int64
// path, kernels/internal/common.cc), one rounding:
//   r = q rounded to Q15 = (q + 2^15) >> 16, saturated to 0x7FFF       (q in Q31)
//   y = (x * r + 2^(14 - shift)) >> (15 - shift)
// TFLite's contract is |x| < 2^47 and -31 <= shift <= 7, where it fits 64 bits and the result
// fits int32 (the narrowing is modular otherwise, as TFLite's). Outside the contract (a model
// ctml-import refuses, or a hand-built layer) ctml computes in wrapping arithmetic with the
// shift held in [-31, 7], so the result is defined: never undefined behaviour.
constexpr std::int32_t multiply_by_quantized_multiplier_64(std::int64_t x, Multiplier m) {
  const std::int32_t q = m.value < 0 ? 0 : m.value;
  const std::int32_t reduced = q < 0x7FFF0000 ? (q + (1 << 15)) >> 16 : 0x7FFF;
  const int shift = m.shift < -31 ? -31 : (m.shift > 7 ? 7 : m.shift);
  const int total = 15 - shift;  // 8..46
  const std::uint64_t t = static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(reduced) + (std::uint64_t{1} << (total - 1));
  return static_cast<std::int32_t>(static_cast<std::int64_t>(t) >> total);
}

// The output stages of conv and fully connected layers have a right shift and a normalized
// multiplier: -31 <= shift <= -1 and q = 0 or 2^30 <= q < 2^31 (quantize_multiplier gives these for
// every real multiplier below 0.5). Then the sign test [x*q + 2^30 < 0] of the one-sum form above
// equals [x < 0] (it differs only for x = -1, q = 2^30, where both give the same result), and the
// whole constant added before the shift, 2^30 + (2^(e-1) - [x < 0]) * 2^31, is formed from x's
// sign bit without the product: on Cortex-M4 seven instructions around one SMLAL, no branch.
// Equal to multiply_by_quantized_multiplier for every x under that precondition (tested).
constexpr bool is_normalized_right_shift(std::int32_t q, std::int32_t shift) {
  return shift <= -1 && shift >= -31 && (q == 0 || q >= (std::int32_t{1} << 30));
}
constexpr bool all_normalized_right_shifts(const std::int32_t* q, const std::int32_t* shift, std::size_t n) {
  bool ok = true;
  for (std::size_t i = 0; i < n; ++i) ok = ok && is_normalized_right_shift(q[i], shift[i]);
  return ok;
}
constexpr std::int32_t multiply_by_quantized_multiplier_normalized(std::int32_t x, std::int32_t q, std::int32_t shift) {
  const auto e1 = static_cast<std::uint32_t>(-shift - 1);                               // e - 1
  const std::uint32_t c = (1u << e1) - (static_cast<std::uint32_t>(x) >> 31);          // 2^(e-1) - [x < 0]
  const std::uint64_t k = (static_cast<std::uint64_t>(c >> 1) << 32) | ((c << 31) | 0x40000000u);
  const auto t = static_cast<std::int64_t>(k + static_cast<std::uint64_t>(static_cast<std::int64_t>(x) * q));
  return static_cast<std::int32_t>(t >> 32) >> e1;
}

// The normalized form with its per-channel constants computed ahead of time (by a layer's
// prepare(), at compile time for a constexpr model) and the output zero point folded in:
//   y = ((x*q + k - [x < 0] * 2^31) >> 32) >> e1 = multiply_by_quantized_multiplier(x, q, shift) + zp
// with e1 = -shift - 1 and k = 2^30 + 2^(31+e1) + zp * 2^(32+e1). The zero point is exact in the
// high word as long as it fits: tabulate() accepts 1 <= e1 <= 21 (the high word stays within
// +-2^30 + 2^20 + 2^28), normalized q, |zp| <= 128. On Cortex-M4: two SMLALs and a shift after
// an LDRD of k, instead of the normalized form's constant building (and the zero-point add).
struct ChannelRequant {
  std::int32_t q = 0;
  std::int32_t e1 = 1;
  std::uint32_t k_lo = 0;  // k as two words, for one LDRD
  std::int32_t k_hi = 0;
};

constexpr bool tabulate(std::int32_t q, std::int32_t shift, std::int32_t zp, ChannelRequant& c) {
  if (!is_normalized_right_shift(q, shift) || shift > -2 || shift < -22 || zp < -128 || zp > 128) return false;
  const std::int32_t e1 = -shift - 1;
  const std::int64_t k = (std::int64_t{1} << 30) + (std::int64_t{1} << (31 + e1)) + std::int64_t{zp} * (std::int64_t{1} << (32 + e1));
  c = {q, e1, static_cast<std::uint32_t>(static_cast<std::uint64_t>(k)), static_cast<std::int32_t>(k >> 32)};
  return true;
}

constexpr std::int32_t requantize_tabulated(std::int32_t x, const ChannelRequant& c) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) {
    std::uint32_t lo = c.k_lo;
    std::int32_t hi = c.k_hi;
    // SMLAL's signed product of [x < 0] and 0x80000000 (-2^31) is the sign term.
    __asm__("smlal %[lo], %[hi], %[s], %[m]\n\t"
            "smlal %[lo], %[hi], %[x], %[q]"
            : [lo] "+&r"(lo), [hi] "+&r"(hi)
            : [s] "r"(static_cast<std::uint32_t>(x) >> 31), [m] "r"(0x80000000u), [x] "r"(x), [q] "r"(c.q));
    return hi >> c.e1;
  }
#endif
  const std::int64_t k = static_cast<std::int64_t>(static_cast<std::uint64_t>(static_cast<std::uint32_t>(c.k_hi)) << 32 | c.k_lo);
  const std::int64_t t = k + static_cast<std::int64_t>(x) * c.q - (x < 0 ? (std::int64_t{1} << 31) : 0);
  return static_cast<std::int32_t>(t >> 32) >> c.e1;
}

// Affine quantization parameters of an activation tensor: real = scale * (q - zero_point).
// Clamp to the fused activation's range. On hosts: two independent selects (max, then min),
// which compilers turn into conditional moves: a data-dependent branch mispredicts often (after a
// ReLU about half the outputs clamp) and cost half of a pointwise conv's time on x86. Cortex-M
// has no branch predictor to miss and the nested form retires fewer instructions there.
constexpr std::int32_t clamp_activation(std::int32_t y, std::int32_t lo, std::int32_t hi) {
#if defined(CTML_TARGET_CORTEX_M)
  return y < lo ? lo : (y > hi ? hi : y);
#else
  y = y < lo ? lo : y;
  return y > hi ? hi : y;
#endif
}

// Saturate to int8: the clamp of an output stage whose activation range is all of int8. One SSAT
// on cores with the DSP extension.
constexpr std::int8_t saturate_int8(std::int32_t y) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) {
    std::int32_t r;
    __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(y));
    return static_cast<std::int8_t>(r);
  }
#endif
  return static_cast<std::int8_t>(y < -128 ? -128 : (y > 127 ? 127 : y));
}

struct QParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

// Parameters covering [lo, hi] (widened to include 0, as TFLite requires 0 to be exact).
constexpr QParams choose_qparams(double lo, double hi) {
  if (lo > 0) lo = 0;
  if (hi < 0) hi = 0;
  if (hi - lo < 1e-12) hi = lo + 1e-12;
  const double scale = (hi - lo) / 255.0;
  const double zp = -128.0 - lo / scale;
  std::int64_t z = detail::round_away(zp);
  if (z < -128) z = -128;
  if (z > 127) z = 127;
  return {static_cast<float>(scale), static_cast<std::int32_t>(z)};
}

constexpr std::int8_t quantize_value(float v, QParams q) {
  std::int64_t r = detail::round_away(static_cast<double>(v) / static_cast<double>(q.scale)) + q.zero_point;
  if (r < -128) r = -128;
  if (r > 127) r = 127;
  return static_cast<std::int8_t>(r);
}
constexpr float dequantize_value(std::int8_t v, QParams q) {
  return q.scale * static_cast<float>(static_cast<std::int32_t>(v) - q.zero_point);
}

}  // namespace ctml::quant
