// SPDX-License-Identifier: Apache-2.0
#pragma once
// Spectral subtraction of a running noise estimate (TensorFlow Lite Micro's
// SignalFilterBankSpectralSubtraction, bit for bit). Per channel i, with x scaled up by
// smoothing_bits and coefficients in Q(spectral_subtraction_bits):
//   noise[i] = (x_up * s + noise[i] * (1 - s)) >> bits        (s alternates between even and odd
//                                                              channels: smoothing, alternate)
//   out[i]   = max((x_up - min(noise[i], x_up)) >> smoothing_bits, x * min_remaining >> bits)
// noise is state: it persists from frame to frame (zero at the start of a stream).
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>

namespace ctml::kernels::signal {

struct NoiseReductionParams {
  std::uint32_t smoothing;
  std::uint32_t one_minus_smoothing;
  std::uint32_t alternate_smoothing;
  std::uint32_t alternate_one_minus_smoothing;
  std::uint32_t min_signal_remaining;
  std::uint32_t smoothing_bits;
  std::uint32_t spectral_subtraction_bits;
  bool clamping;
};

// The integer parameters from the float ones, as TFLM's Python wrapper converts them.
constexpr NoiseReductionParams make_noise_reduction(double smoothing, double alternate_smoothing, double min_signal_remaining,
                                                    std::uint32_t smoothing_bits, std::uint32_t bits, bool clamping) {
  const double one = static_cast<double>(1u << bits);
  if (alternate_smoothing == 0) alternate_smoothing = smoothing;
  const auto s = static_cast<std::uint32_t>(smoothing * one);
  const auto a = static_cast<std::uint32_t>(alternate_smoothing * one);
  return {s, (1u << bits) - s, a, (1u << bits) - a, static_cast<std::uint32_t>(min_signal_remaining * one), smoothing_bits,
          bits, clamping};
}

constexpr void noise_reduction(const NoiseReductionParams& p, const std::uint32_t* in, std::size_t n, std::uint32_t* out,
                               std::uint32_t* noise) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < n; ++i) {
    const bool odd = (i & 1) != 0;
    const std::uint32_t s = odd ? p.alternate_smoothing : p.smoothing;
    const std::uint32_t oms = odd ? p.alternate_one_minus_smoothing : p.one_minus_smoothing;
    const std::uint32_t up = in[i] << p.smoothing_bits;
    noise[i] = static_cast<std::uint32_t>((static_cast<std::uint64_t>(up) * s + static_cast<std::uint64_t>(noise[i]) * oms) >>
                                          p.spectral_subtraction_bits);
    std::uint32_t estimate = noise[i];
    if (estimate > up) {
      estimate = up;
      if (p.clamping) noise[i] = estimate;
    }
    const auto floor = static_cast<std::uint32_t>((static_cast<std::uint64_t>(in[i]) * p.min_signal_remaining) >>
                                                  p.spectral_subtraction_bits);
    const std::uint32_t subtracted = (up - estimate) >> p.smoothing_bits;
    out[i] = subtracted > floor ? subtracted : floor;
  }
}

}  // namespace ctml::kernels::signal
