// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Q-format fixed-point arithmetic TFLite's int8 softmax is defined in (gemmlowp's
// FixedPoint<int32, IntegerBits>): raw int32 values with 31 - IntegerBits fractional bits.
// What softmax, logistic and tanh need, written for bit-exact agreement, constexpr.
#include <cstdint>
#include <limits>
#include <ctml/core/requantize.hpp>

namespace ctml::quant::fp {

template <int IntegerBits>
struct Fixed {
  static constexpr int integer_bits = IntegerBits;
  static constexpr int fractional_bits = 31 - IntegerBits;
  std::int32_t raw = 0;
  static constexpr Fixed from_raw(std::int32_t r) { return Fixed{r}; }
  static constexpr Fixed one() {
    return {IntegerBits == 0 ? std::numeric_limits<std::int32_t>::max() : static_cast<std::int32_t>(1) << fractional_bits};
  }
  template <int Exponent>
  static constexpr Fixed constant_pot() { return {static_cast<std::int32_t>(1) << (fractional_bits + Exponent)}; }
};

template <int A>
constexpr Fixed<A> operator+(Fixed<A> a, Fixed<A> b) { return {static_cast<std::int32_t>(static_cast<std::uint32_t>(a.raw) + static_cast<std::uint32_t>(b.raw))}; }
template <int A>
constexpr Fixed<A> operator-(Fixed<A> a, Fixed<A> b) { return {static_cast<std::int32_t>(static_cast<std::uint32_t>(a.raw) - static_cast<std::uint32_t>(b.raw))}; }
template <int A, int B>
constexpr Fixed<A + B> operator*(Fixed<A> a, Fixed<B> b) { return {saturating_rounding_doubling_high_mul(a.raw, b.raw)}; }

// x * 2^Exponent with saturation (Exponent > 0) or rounding (Exponent < 0).
template <int Exponent>
constexpr std::int32_t saturating_rounding_multiply_by_pot(std::int32_t x) {
  if constexpr (Exponent == 0) {
    return x;
  } else if constexpr (Exponent > 0) {
    constexpr std::int32_t threshold = (static_cast<std::int32_t>(1) << (31 - Exponent)) - 1;
    if (x > threshold) return std::numeric_limits<std::int32_t>::max();
    if (x < -threshold) return std::numeric_limits<std::int32_t>::min();
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << Exponent);
  } else {
    return rounding_divide_by_pot(x, -Exponent);
  }
}

template <int Dst, int Src>
constexpr Fixed<Dst> rescale(Fixed<Src> x) { return {saturating_rounding_multiply_by_pot<Src - Dst>(x.raw)}; }

// exp(a) for a in [-1/4, 0): Taylor expansion around -1/8.
constexpr Fixed<0> exp_on_interval_between_negative_one_quarter_and_0_excl(Fixed<0> a) {
  const Fixed<0> constant_term{1895147668};     // exp(-1/8)
  const Fixed<0> constant_1_over_3{715827883};  // 1/3
  const Fixed<0> x = a + Fixed<0>::constant_pot<-3>();
  const Fixed<0> x2 = x * x;
  const Fixed<0> x3 = x2 * x;
  const Fixed<0> x4 = x2 * x2;
  const Fixed<0> x4_over_4{saturating_rounding_multiply_by_pot<-2>(x4.raw)};
  const Fixed<0> poly{saturating_rounding_multiply_by_pot<-1>((((x4_over_4 + x3) * constant_1_over_3) + x2).raw)};
  return constant_term + constant_term * (x + poly);
}

// exp(a) for a <= 0, a with IntegerBits integer bits; result in Q0.31.
template <int IntegerBits>
constexpr Fixed<0> exp_on_negative_values(Fixed<IntegerBits> a) {
  using In = Fixed<IntegerBits>;
  constexpr int frac = In::fractional_bits;
  const In one_quarter = In::template constant_pot<-2>();
  const In mask{one_quarter.raw - 1};
  const In a_mod_quarter_minus_one_quarter = In{a.raw & mask.raw} - one_quarter;
  Fixed<0> result = exp_on_interval_between_negative_one_quarter_and_0_excl(rescale<0>(a_mod_quarter_minus_one_quarter));
  const std::int32_t remainder = (a_mod_quarter_minus_one_quarter - a).raw;
  // Multiply by exp(-2^k) for each bit k of the remainder (a "barrel shifter").
  constexpr std::int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int e = -2; e <= 4; ++e)
    if (IntegerBits > e && (remainder & (static_cast<std::int32_t>(1) << (frac + e))) != 0)
      result = result * Fixed<0>{multipliers[e + 2]};
  if constexpr (IntegerBits > 5) {
    const In clamp{-(static_cast<std::int32_t>(1) << (36 - IntegerBits))};
    if (a.raw < clamp.raw) result = Fixed<0>{0};
  }
  if (a.raw == 0) result = Fixed<0>::one();
  return result;
}

constexpr std::int32_t rounding_half_sum(std::int32_t a, std::int32_t b) {
  const std::int64_t sum = static_cast<std::int64_t>(a) + b;
  return static_cast<std::int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// 1 / (1 + a) for a in [0, 1), by Newton-Raphson.
constexpr Fixed<0> one_over_one_plus_x_for_x_in_0_1(Fixed<0> a) {
  const Fixed<0> half_denominator{rounding_half_sum(a.raw, Fixed<0>::one().raw)};
  const Fixed<2> constant_48_over_17{1515870810};
  const Fixed<2> constant_neg_32_over_17{-1010580540};
  Fixed<2> x = constant_48_over_17 + half_denominator * constant_neg_32_over_17;
  for (int i = 0; i < 3; ++i) {
    const Fixed<2> half_denominator_times_x = half_denominator * x;
    const Fixed<2> one_minus = Fixed<2>::one() - half_denominator_times_x;
    x = x + rescale<2>(x * one_minus);
  }
  return rescale<0>(Fixed<1>{x.raw});  // x / 2, then to Q0.31
}

// (1 - a) / (1 + a) for a in [0, 1): the same Newton-Raphson reciprocal of (1 + a) / 2 as above,
// then x - 1 (since 2 / (1 + a) - 1 = (1 - a) / (1 + a)).
constexpr Fixed<0> one_minus_x_over_one_plus_x_for_x_in_0_1(Fixed<0> a) {
  const Fixed<0> half_denominator{rounding_half_sum(a.raw, Fixed<0>::one().raw)};
  const Fixed<2> constant_48_over_17{1515870810};
  const Fixed<2> constant_neg_32_over_17{-1010580540};
  Fixed<2> x = constant_48_over_17 + half_denominator * constant_neg_32_over_17;
  for (int i = 0; i < 3; ++i) {
    const Fixed<2> half_denominator_times_x = half_denominator * x;
    const Fixed<2> one_minus = Fixed<2>::one() - half_denominator_times_x;
    x = x + rescale<2>(x * one_minus);
  }
  return rescale<0>(x - Fixed<2>::one());
}

// logistic(a) = 1 / (1 + exp(-a)), in Q0.31: evaluated on |a| and mirrored (1 - f) for a < 0;
// exactly one half at a == 0.
template <int IntegerBits>
constexpr Fixed<0> logistic(Fixed<IntegerBits> a) {
  if (a.raw == 0) return Fixed<0>{static_cast<std::int32_t>(1) << 30};
  const Fixed<IntegerBits> abs_a{a.raw > 0 ? a.raw : -a.raw};
  const Fixed<0> positive = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(Fixed<IntegerBits>{-abs_a.raw}));
  return a.raw > 0 ? positive : Fixed<0>::one() - positive;
}

// tanh(a) in Q0.31: t = (1 - exp(-2|a|)) / (1 + exp(-2|a|)), the exponent's argument being -|a|
// read with one more integer bit (an exact doubling); sign restored afterwards, 0 at a == 0.
template <int IntegerBits>
constexpr Fixed<0> tanh(Fixed<IntegerBits> a) {
  if (a.raw == 0) return Fixed<0>{0};
  const std::int32_t neg_abs = a.raw < 0 ? a.raw : -a.raw;
  const Fixed<0> t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(Fixed<IntegerBits + 1>{neg_abs}));
  return a.raw < 0 ? Fixed<0>{-t.raw} : t;
}

// Rescaling of int8 inputs into Q(IntegerBits).(31 - IntegerBits) for TFLite's int8 LOGISTIC and
// TANH: real multiplier input_scale * 2^(31 - IntegerBits) split by frexp into a Q31 multiplier
// and a left shift; inputs whose |x - zp| reaches the radius saturate without evaluation
// (TFLite's CalculateInputRadius: floor((2^IntegerBits - 1) * 2^(31 - IntegerBits) / 2^shift)).
struct InputRescale {
  std::int32_t zero_point = 0;
  std::int32_t multiplier = 0;
  std::int32_t left_shift = 0;
  std::int32_t range_radius = 0;
};

template <int IntegerBits>
constexpr InputRescale make_input_rescale(double input_scale, std::int32_t zero_point) {
  const Multiplier m = quantize_multiplier(input_scale * static_cast<double>(1ll << (31 - IntegerBits)));
  InputRescale r{zero_point, m.value, m.shift, 0};
  double radius = static_cast<double>((1 << IntegerBits) - 1) * static_cast<double>(1ll << (31 - IntegerBits));
  for (int s = 0; s < m.shift; ++s) radius *= 0.5;
  for (int s = 0; s > m.shift; --s) radius *= 2.0;
  const double cap = 2147483647.0;
  if (radius > cap) radius = cap;
  auto f = static_cast<std::int64_t>(radius);
  if (static_cast<double>(f) > radius) --f;  // floor
  r.range_radius = static_cast<std::int32_t>(f);
  return r;
}

constexpr int count_leading_zeros(std::uint32_t x) {
  int n = 0;
  for (std::uint32_t bit = 0x80000000u; bit != 0 && (x & bit) == 0; bit >>= 1) ++n;
  return n;
}

}  // namespace ctml::quant::fp
