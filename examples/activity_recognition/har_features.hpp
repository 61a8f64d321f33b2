// SPDX-License-Identifier: Apache-2.0
#pragma once
// The activity recognition pipeline's types, shared by the host program and the firmware.
//   device samples (x y z at 50 or 100 Hz)
//   -> to_channels: 50 Hz (a 100 Hz device averages sample pairs: the anti-alias filter and the
//      decimation in one), and three channels that do not depend on how the phone sits in the
//      pocket about the thigh: y (along the thigh), sqrt(x^2 + z^2) (across it), |a|
//   -> windows of 128 samples (2.56 s) every 64 (1.28 s)
//   -> the tree ensemble: ctml's Vibration features of each channel (mean, RMS, standard
//      deviation, skewness, kurtosis, crest factor, zero-crossing rate, 8 PSD band energies of
//      3.125 Hz, the largest spectral peak): 48 values;
//      the network: the raw window, standardized per channel, through three strided Conv1D.
#include <cmath>
#include <cstddef>

#include <ctml/ctml.hpp>
#include <ctml/frontend/vibration.hpp>

#include "motion_sim.hpp"

namespace har {

inline constexpr double rate = 50.0;
inline constexpr std::size_t channels = 3, window = 128, hop = 64;
inline constexpr ctml::frontend::VibrationConfig vibration_config{
    .sample_rate = rate, .axes = channels, .window = window, .hop = hop, .segment = 128, .overlap = 0, .bands = 8, .peaks = 1};
using FrontEnd = ctml::frontend::Vibration<vibration_config>;
inline constexpr std::size_t features = FrontEnd::features;

// Device samples (interleaved x y z, n of them at device_rate) to 50 Hz channels; returns the
// number of 50 Hz samples written (n, or n / 2 at 100 Hz; n even).
inline std::size_t to_channels(const float* xyz, std::size_t n, double device_rate, float* out) {
  const std::size_t step = device_rate > 75.0 ? 2 : 1;  // (the example also shows what skipping this does)
  std::size_t m = 0;
  for (std::size_t i = 0; i + step <= n; i += step, ++m) {
    float v[3] = {0, 0, 0};
    for (std::size_t j = 0; j < step; ++j)
      for (std::size_t k = 0; k < 3; ++k) v[k] += xyz[3 * (i + j) + k] / static_cast<float>(step);
    out[3 * m] = v[1];
    out[3 * m + 1] = std::sqrt(v[0] * v[0] + v[2] * v[2]);
    out[3 * m + 2] = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
  return m;
}

// The network: (128, 3) -> 6 logits.
using Net = ctml::Sequential<float, ctml::Shape<window, channels>, ctml::Conv1D<16, ctml::Kernel<5>, ctml::Stride<2>, ctml::Same>, ctml::ReLU,
                             ctml::Conv1D<16, ctml::Kernel<5>, ctml::Stride<2>, ctml::Same>, ctml::ReLU,
                             ctml::Conv1D<24, ctml::Kernel<5>, ctml::Stride<2>, ctml::Same>, ctml::ReLU, ctml::GlobalAveragePool,
                             ctml::Dense<activity_count>>;

struct ChannelScale {
  float mean[channels]{}, inv_std[channels]{};
  void apply(const float* w, float* out) const {
    for (std::size_t i = 0; i < window; ++i)
      for (std::size_t c = 0; c < channels; ++c) out[i * channels + c] = (w[i * channels + c] - mean[c]) * inv_std[c];
  }
};

}  // namespace har
