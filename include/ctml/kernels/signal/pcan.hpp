// SPDX-License-Identifier: Apache-2.0
#pragma once
// Per-channel amplitude normalization (PCAN) automatic gain control, as TensorFlow Lite Micro's
// SignalPCAN (bit for bit): each channel is divided by a power of its noise estimate,
//   gain(n) = 2^gain_bits (n / 2^input_bits + offset)^-strength
// read from a piecewise-quadratic table over the noise's octaves (wide dynamic function), then
//   snr = (x * gain) >> snr_shift       (Q12)
//   out = shrink(snr): snr^2 / 4 below 2, snr - 1 above (Q6).
// The table is computed at compile time from (strength, offset, input_bits, gain_bits) with the
// float arithmetic of TFLM's generator.
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/signal/fixed_point.hpp>

namespace ctml::kernels::signal {

inline constexpr std::size_t pcan_lut_size = 4 * 32 - 3;  // 125
inline constexpr unsigned pcan_snr_bits = 12;
inline constexpr unsigned pcan_output_bits = 6;

namespace pcan_detail {
constexpr std::int16_t gain(float strength, float offset, int gain_bits, int input_bits, std::uint32_t x) {
  const float xf = static_cast<float>(x) / static_cast<float>(std::uint32_t{1} << input_bits);
  const float p = static_cast<float>(math::series::pow(static_cast<double>(xf + offset), -static_cast<double>(strength)));
  const float g = static_cast<float>(std::uint32_t{1} << gain_bits) * p;
  if (g > 32767.0f) return 32767;
  return static_cast<std::int16_t>(g + 0.5f);
}
}  // namespace pcan_detail

constexpr std::array<std::int16_t, pcan_lut_size> make_pcan_lut(float strength, float offset, int input_bits, int gain_bits) {
  std::array<std::int16_t, pcan_lut_size + 1> s{};
  s[0] = pcan_detail::gain(strength, offset, gain_bits, input_bits, 0);
  s[1] = pcan_detail::gain(strength, offset, gain_bits, input_bits, 1);
  for (std::size_t interval = 2; interval <= 32; ++interval) {
    const std::uint32_t x0 = std::uint32_t{1} << (interval - 1);
    const std::uint32_t x1 = x0 + (x0 >> 1);
    const std::uint32_t x2 = interval == 32 ? x0 + (x0 - 1) : 2 * x0;
    const std::int16_t y0 = pcan_detail::gain(strength, offset, gain_bits, input_bits, x0);
    const std::int16_t y1 = pcan_detail::gain(strength, offset, gain_bits, input_bits, x1);
    const std::int16_t y2 = pcan_detail::gain(strength, offset, gain_bits, input_bits, x2);
    const std::int32_t diff1 = y1 - y0, diff2 = y2 - y0;
    const std::int32_t a1 = 4 * diff1 - diff2;
    const std::int32_t a2 = diff2 - a1;
    const std::size_t base = 4 * interval - 6;
    s[base] = y0;
    s[base + 1] = static_cast<std::int16_t>(a1);
    s[base + 2] = static_cast<std::int16_t>(a2);
    if (base + 3 < s.size()) s[base + 3] = 0;
  }
  std::array<std::int16_t, pcan_lut_size> lut{};
  for (std::size_t i = 0; i < pcan_lut_size; ++i) lut[i] = s[i];
  return lut;
}

constexpr std::int16_t pcan_wide_dynamic(std::uint32_t x, const std::int16_t* lut) {
  if (x <= 2) return lut[x];
  const auto interval = static_cast<std::int16_t>(msb32(x));
  lut += 4 * interval - 6;
  const auto frac = static_cast<std::int16_t>(((interval < 11) ? (x << (11 - interval)) : (x >> (interval - 11))) & 0x3FF);
  std::int32_t result = (static_cast<std::int32_t>(lut[2]) * frac) >> 5;
  result += static_cast<std::int32_t>(static_cast<std::uint32_t>(lut[1]) << 5);
  result *= frac;
  result = (result + (1 << 14)) >> 15;
  result += lut[0];
  return static_cast<std::int16_t>(result);
}

constexpr std::uint32_t pcan_shrink(std::uint32_t x) {
  if (x < (2u << pcan_snr_bits)) return (x * x) >> (2 + 2 * pcan_snr_bits - pcan_output_bits);
  return (x >> (pcan_snr_bits - pcan_output_bits)) - (1u << pcan_output_bits);
}

// x: filter-bank channels in place; noise: the noise estimate (noise_reduction's state).
constexpr void pcan(const std::int16_t* lut, int snr_shift, const std::uint32_t* noise, std::uint32_t* x, std::size_t n) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::uint32_t>(pcan_wide_dynamic(noise[i], lut));
    const auto snr = static_cast<std::uint32_t>((static_cast<std::uint64_t>(x[i]) * g) >> snr_shift);
    x[i] = pcan_shrink(snr);
  }
}

}  // namespace ctml::kernels::signal
