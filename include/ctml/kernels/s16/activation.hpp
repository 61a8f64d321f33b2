// SPDX-License-Identifier: Apache-2.0
#pragma once
// int16 sigmoid and tanh of TFLite's reference integer kernels (reference_integer_ops::Logistic
// and Tanh for int16), which its integer LSTM uses on the gates (Q3.12 in, Q0.15 out) and on the
// cell state. Both interpolate one table of sigmoid(i/24) in 0.16 over |x| and mirror for x < 0
// (tanh(x) = 2 sigmoid(2x) - 1):
//   x' = (x * m + r) >> s              m = 3 << s, s = 0 when the multiplier is 0 (power-of-two
//                                      scales: the 3/4 that widens [-8, 8] to [-10.7, 10.7])
//   sigmoid  u = |x'| >> 9, f = |x'| & 511: y = T[u] * 512 + f (T[u+1] - T[u]), saturated at u >= 255;
//            x' >= 0: (y + 512) >> 10,  else ((1 << 25) - y + 511) >> 10
//   tanh     u = |x'| >> 8, f = |x'| & 255: y = T[u] * 256 + f (T[u+1] - T[u]), saturated at u >= 255;
//            x' >= 0: (y - 2^23 + 2^7) >> 8, else (-y + 2^23 + 2^7 - 1) >> 8
// The table is TFLite's sigmoid_table_uint16 as data: it is not round(65536 sigmoid(i/24)) (it
// differs from that in 44 entries by one), and bit-exactness needs its values.
#include <cstdint>

namespace ctml::kernels::s16 {

inline constexpr std::uint16_t sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
};

namespace detail {
// In 64 bits and saturated to int32: TFLite computes x * multiplier in int32, which overflows
// (undefined behaviour) for a power-of-two scale with shift >= 15 (an LSTM cell scale of 2^3 or
// more) or a large multiplier; where it does not overflow the result is the same. Saturated to
// +-(2^31 - 1), so that its absolute value (below) fits. The shift is
// kept in [0, 31] (parameters can come from a weight blob).
constexpr std::int32_t scale_input(std::int16_t x, std::int32_t multiplier, std::int32_t shift) {
  shift = shift < 0 ? 0 : (shift > 31 ? 31 : shift);
  std::int64_t m = multiplier;
  if (multiplier == 0) {  // power-of-two scale
    m = std::int64_t{3} << shift;
    shift = 0;
  }
  const std::int64_t round = shift > 0 ? std::int64_t{1} << (shift - 1) : 0;
  const std::int64_t v = (static_cast<std::int64_t>(x) * m + round) >> shift;
  return static_cast<std::int32_t>(v > INT32_MAX ? INT32_MAX : (v < -INT32_MAX ? -INT32_MAX : v));  // |result| fits
}
}  // namespace detail

constexpr std::int16_t logistic(std::int16_t x, std::int32_t multiplier = 0, std::int32_t shift = 0) {
  const std::int32_t in = detail::scale_input(x, multiplier, shift);
  const std::uint32_t a = static_cast<std::uint32_t>(in < 0 ? -in : in);
  const std::uint32_t u = a >> 9;
  std::uint32_t y = 0x7FFFu << 10;
  if (u < 255) {
    const std::uint32_t ua = sigmoid_table[u], ub = sigmoid_table[u + 1];
    y = (ua << 9) + (a & 0x1FFu) * (ub - ua);
  }
  y = in >= 0 ? y + (1u << 9) : (1u << 25) - y + (1u << 9) - 1u;
  return static_cast<std::int16_t>(y >> 10);
}

constexpr std::int16_t tanh(std::int16_t x, std::int32_t multiplier = 0, std::int32_t shift = 0) {
  const std::int32_t in = detail::scale_input(x, multiplier, shift);
  const std::uint32_t a = static_cast<std::uint32_t>(in < 0 ? -in : in);
  const std::uint32_t u = a >> 8;
  std::int32_t y = 0xFFFF << 8;
  if (u < 255) {
    const std::uint32_t ua = sigmoid_table[u], ub = sigmoid_table[u + 1];
    y = static_cast<std::int32_t>((ua << 8) + (a & 0xFFu) * (ub - ua));
  }
  y = in >= 0 ? y - (1 << 23) + (1 << 7) : -y + (1 << 23) + (1 << 7) - 1;
  return static_cast<std::int16_t>(y >> 8);
}

}  // namespace ctml::kernels::s16
