// SPDX-License-Identifier: Apache-2.0
#pragma once
// Integer helpers of TensorFlow Lite Micro's signal library (signal/src/msb*.cc, square_root*.cc,
// log.cc), bit for bit, so that fixed-point front ends reproduce TFLM's features exactly.
//   msb32(x), msb64(x)  index of the most significant bit, 1-based (msb(1) = 1); msb(0) = 32 / 64
//                       as TFLM's GCC build computes it (__builtin_clz path)
//   isqrt32(x)          round(sqrt(x)) for uint32 -> uint16 (bitwise method, rounded up when the
//                       remainder exceeds the root, saturating at 0xFFFF)
//   isqrt64(x)          the same for uint64 -> uint32; values below 2^32 take the 32-bit path
//   log32(x, scale)     scale * ln(x) in Q16 arithmetic: log2 from the MSB plus a 128-segment
//                       piecewise-linear table for the fraction, times ln 2 (45426 / 2^16)
#include <bit>
#include <cstdint>

namespace ctml::kernels::signal {

constexpr std::uint32_t msb32(std::uint32_t x) { return x ? 32u - static_cast<std::uint32_t>(std::countl_zero(x)) : 32u; }
constexpr std::uint32_t msb64(std::uint64_t x) { return x ? 64u - static_cast<std::uint32_t>(std::countl_zero(x)) : 64u; }

namespace isqrt_detail {
// TFLM's Sqrt32 / Sqrt64 (the same digit-by-digit method at two widths): the floor root, plus one
// when the remainder exceeds the root (round to nearest), saturating at Max.
template <class U, U Max>
constexpr U root(U num) {
  constexpr int bits = 8 * sizeof(U);
  U res = 0;
  int max_bit_number = bits - static_cast<int>(sizeof(U) == 4 ? msb32(static_cast<std::uint32_t>(num)) : msb64(num));
  max_bit_number |= 1;
  U bit = U{1} << (bits - 1 - max_bit_number);
  int iterations = (bits - 1 - max_bit_number) / 2 + 1;
  while (iterations--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1u) + bit;
    } else {
      res >>= 1u;
    }
    bit >>= 2u;
  }
  if (num > res && res != Max) ++res;
  return res;
}
}  // namespace isqrt_detail

constexpr std::uint16_t isqrt32(std::uint32_t num) {
  if (num == 0) return 0;
  return static_cast<std::uint16_t>(isqrt_detail::root<std::uint32_t, 0xFFFFu>(num));
}

constexpr std::uint32_t isqrt64(std::uint64_t num) {
  // TFLM: the 32-bit path for values below 2^32 (slightly off by one near 2^32, kept for exactness).
  if ((num >> 32) == 0) return isqrt32(static_cast<std::uint32_t>(num));
  return static_cast<std::uint32_t>(isqrt_detail::root<std::uint64_t, 0xFFFFFFFFull>(num));
}

namespace log_detail {
// log2(1 + f) - f on 128 segments of [0, 1), in 1/65536 (TFLM's kLogLut).
inline constexpr std::uint16_t lut[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944,
    3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791,
    4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578,
    5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498,
    5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697,
    4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286,
    3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353,
    1224, 1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};
inline constexpr int segments_log2 = 7;
inline constexpr int scale_log2 = 16;
inline constexpr std::uint32_t scale = 65536;
inline constexpr std::uint32_t ln2_q16 = 45426;  // ln(2) * 2^16

constexpr std::uint32_t log2_fraction(std::uint32_t x, std::uint32_t log2x) {
  std::int32_t frac = static_cast<std::int32_t>(x - (std::uint32_t{1} << log2x));  // < 2^log2x
  if (log2x < static_cast<std::uint32_t>(scale_log2)) frac = static_cast<std::int32_t>(static_cast<std::uint32_t>(frac) << (scale_log2 - log2x));
  else frac >>= log2x - scale_log2;
  const std::uint32_t base_seg = static_cast<std::uint32_t>(frac) >> (scale_log2 - segments_log2);
  const std::uint32_t seg_unit = (std::uint32_t{1} << scale_log2) >> segments_log2;
  const std::int32_t c0 = lut[base_seg];
  const std::int32_t c1 = lut[base_seg + 1];
  const std::int32_t seg_base = static_cast<std::int32_t>(seg_unit * base_seg);
  const std::int32_t rel_pos = ((c1 - c0) * (frac - seg_base)) >> scale_log2;
  return static_cast<std::uint32_t>(frac + c0 + rel_pos);
}
}  // namespace log_detail

// x > 0.
constexpr std::uint32_t log32(std::uint32_t x, std::uint32_t out_scale) {
  const std::uint32_t integer = msb32(x) - 1;
  const std::uint32_t fraction = log_detail::log2_fraction(x, integer);
  const std::uint32_t log2 = (integer << log_detail::scale_log2) + fraction;
  const std::uint32_t round = log_detail::scale / 2;
  const std::uint32_t loge =
      static_cast<std::uint32_t>((static_cast<std::uint64_t>(log_detail::ln2_q16) * log2 + round) >> log_detail::scale_log2);
  return (out_scale * loge + round) >> log_detail::scale_log2;
}

}  // namespace ctml::kernels::signal
