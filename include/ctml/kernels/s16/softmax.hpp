// SPDX-License-Identifier: Apache-2.0
#pragma once
// SOFTMAX on int16 (16x8 models), exactly as TFLite's reference SoftmaxInt16 computes it, with the
// two interpolated lookup tables TFLite Micro builds in Prepare (softmax_common.cc):
//   per row: m = max x;  d = MBQM(x - m, M, shift) + 32767, saturated to int16, where M, shift
//            quantize beta * input_scale / (10 / 65535) (so d spans exp's argument [-10, 0]);
//            e = lut(exp_table, d)                                 Q0.15, exp(x - m)
//            s = sum e (Q16.15); h = clz(s); t = ((s << (h - 1)) + 2^13) >> 14, recentred by
//            -(2^15 + 2^16) and saturated;  r = lut(reciprocal_table, t)   1 / (1 + x)
//            y = clamp((e * r + 2^(30 - h)) >> (31 - h), 0, 32767)   output scale 2^-15, zp 0
//   lut(T, v): 513 entries over 512 steps of 128: base T[256 + (v >> 7)] plus the slope to the next
//            entry times (v & 127), rounded: (slope * offset + 64) >> 7.
// The tables depend on nothing but these constants, so they are computed once by the compiler in
// float arithmetic step for step as TFLite's LUTPopulateInt16<float> does (exp evaluated in double
// and rounded to float, std::round as round-half-away), never on the target: every build and
// core holds the same 2 x 513 values.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/fixedpoint.hpp>
#include <ctml/core/math.hpp>
#include <ctml/core/requantize.hpp>

namespace ctml::kernels::s16 {

struct Lut16 {
  std::int16_t v[513];
};

namespace detail {
// std::round on a float: a float widens to double exactly, and x + 0.5 is exact in double for
// the values here (|x| < 2^24), so round_away gives std::round's result.
constexpr float round_float(float x) { return static_cast<float>(quant::detail::round_away(static_cast<double>(x))); }
constexpr float exp_float(float x) { return static_cast<float>(math::series::exp(static_cast<double>(x))); }
constexpr float one_over_one_plus(float x) { return 1.0f / (1.0f + x); }

// LUTPopulateInt16<float>(input_scale, input_zero_point, output_scale, output_zero_point, f).
template <class F>
constexpr Lut16 populate(float input_scale, std::int32_t input_zero_point, float output_scale, std::int32_t output_zero_point, F f) {
  Lut16 lut{};
  const float input_min = input_scale * static_cast<float>(-32768 - input_zero_point);
  const float input_max = input_scale * static_cast<float>(32767 - input_zero_point);
  const float output_min = output_scale * static_cast<float>(-32768 - output_zero_point);
  const float output_max = output_scale * static_cast<float>(32767 - output_zero_point);
  constexpr int steps = 512;
  const float step = (input_max - input_min) / static_cast<float>(steps);
  const float half_step = step / 2;
  const float inv = 65536.0f / (output_max - output_min);
  auto clamp16 = [](float v) { return static_cast<std::int16_t>(v < -32768.0f ? -32768.0f : (v > 32767.0f ? 32767.0f : v)); };
  for (int i = 0; i < steps; ++i) {
    const float at = input_min + static_cast<float>(i) * step;
    const float val = f(at);
    const float val_mid = f(at + half_step);
    const float val_next = f(input_min + static_cast<float>(i + 1) * step);
    const float sample = round_float(val * inv);
    const float interp_mid = round_float((val_next * inv + round_float(val * inv)) / 2);
    const float mid = round_float(val_mid * inv);
    const float bias = round_float((interp_mid - mid) / 2);
    lut.v[i] = clamp16(sample - bias);
  }
  lut.v[steps] = clamp16(round_float(f(input_max) * inv));
  return lut;
}
}  // namespace detail

// exp on [-10, 0] (input zero point 32767) and 1 / (1 + x) on [0, 1] (zero point -32768), both to
// the output range [-1, 1) of 2 / 65535 steps: TFLite Micro's two softmax tables.
inline constexpr Lut16 softmax_exp_table =
    detail::populate(10.0f / 65535.0f, 32767, 2.0f / 65535.0f, 0, [](float x) { return detail::exp_float(x); });
inline constexpr Lut16 softmax_reciprocal_table =
    detail::populate(1.0f / 65535.0f, -32768, 2.0f / 65535.0f, 0, [](float x) { return detail::one_over_one_plus(x); });

// TFLite's LUTLookup for int16: base plus the interpolated part of the step to the next entry.
constexpr std::int16_t lut_lookup(std::int16_t value, const Lut16& lut) {
  const auto index = static_cast<std::size_t>(256 + (value >> 7));
  const std::int32_t offset = value & 0x7f;
  const std::int32_t base = lut.v[index];
  const std::int32_t slope = lut.v[index + 1] - lut.v[index];
  const std::int32_t delta = (slope * offset + 64) >> 7;
  return static_cast<std::int16_t>(base + delta);
}

// Rows of `depth` values; out may alias in (a row's exponentials are kept apart until its
// reciprocal is known, as TFLite keeps them in the output row).
template <std::size_t Rows, std::size_t Depth>
constexpr void softmax(const std::int16_t* in, std::int16_t* out, quant::Multiplier input) {
  static_assert(Depth >= 1 && Depth < 65536, "ctml: an int16 softmax row of 65536 values or more overflows the Q16.15 sum");
  ::ctml::detail::side_effect_fence();
  for (std::size_t r = 0; r < Rows; ++r) {
    const std::int16_t* x = in + r * Depth;
    std::int16_t* y = out + r * Depth;
    std::int16_t max_in = -32768;
    for (std::size_t c = 0; c < Depth; ++c) max_in = x[c] > max_in ? x[c] : max_in;
    std::int16_t e[Depth]{};
    std::int32_t sum = 0;  // Q16.15
    for (std::size_t c = 0; c < Depth; ++c) {
      const std::int32_t scaled = quant::multiply_by_quantized_multiplier(static_cast<std::int32_t>(x[c]) - max_in, input) + 32767;
      const auto d = static_cast<std::int16_t>(scaled < -32768 ? -32768 : (scaled > 32767 ? 32767 : scaled));
      e[c] = lut_lookup(d, softmax_exp_table);
      sum += e[c];
    }
    // sum >= e at the maximum, exp(0) in Q0.15 (> 0): the leading-zero count is at most 17.
    const int headroom_plus_one = quant::fp::count_leading_zeros(static_cast<std::uint32_t>(sum));
    const auto shifted = static_cast<std::int32_t>(((static_cast<std::int64_t>(sum) << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    const std::int32_t sym = shifted - ((1 << 15) + (1 << 16));
    const auto t = static_cast<std::int16_t>(sym < -32768 ? -32768 : (sym > 32767 ? 32767 : sym));
    const std::int64_t reciprocal = lut_lookup(t, softmax_reciprocal_table);
    const int right_shift = 31 - headroom_plus_one;
    const std::int64_t round = std::int64_t{1} << (right_shift - 1);
    for (std::size_t c = 0; c < Depth; ++c) {
      const auto v = static_cast<std::int32_t>((static_cast<std::int64_t>(e[c]) * reciprocal + round) >> right_shift);
      y[c] = static_cast<std::int16_t>(v < 0 ? 0 : (v > 32767 ? 32767 : v));
    }
  }
}

}  // namespace ctml::kernels::s16
