// SPDX-License-Identifier: Apache-2.0
#pragma once
// The predictive-maintenance pipeline's types, shared by the host program and the firmware:
// the front end (ctml::frontend::Vibration: statistics, Welch PSD band energies and spectral
// peaks of each 0.256 s window, plus envelope analysis at the bearing's defect frequencies), the
// features each model reads, the machine's baseline, and the autoencoder.
#include <cmath>
#include <cstddef>

#include <ctml/ctml.hpp>
#include <ctml/frontend/vibration.hpp>
#include <ctml/kernels/signal/rfft_f32.hpp>
#include <ctml/kernels/signal/window.hpp>

#include "vibration_sim.hpp"

namespace pdm {

// 8 kHz, windows of 2048 samples (0.256 s) every 1024, Welch segments of 512 (15.6 Hz bins),
// 32 bands of 125 Hz, the two largest spectral peaks.
inline constexpr ctml::frontend::VibrationConfig vibration_config{
    .sample_rate = 8000.0, .axes = 1, .window = 2048, .hop = 1024, .segment = 512, .overlap = 256, .bands = 32, .peaks = 2};
inline constexpr std::size_t bands = vibration_config.bands;

// The front end: ctml's Vibration features, then envelope analysis, the classic bearing
// diagnosis: an impact train at a defect's frequency excites the housing's resonance, so the
// envelope of the high-passed signal repeats at the defect frequency even where the spectrum
// shows only the resonance. Per window:
//   y[n] = x[n] - 2 x[n-1] + x[n-2]   second difference: a high-pass of gain (2 sin(pi f / fs))^2
//                                      (shaft and gear mesh suppressed, the kHz resonance kept)
//   e[m] = mean of |y| over 8 samples  rectified, low-passed, decimated to 1 kHz (256 values)
//   E    = |rfft(hann (e - mean e))|^2 3.9 Hz bins
// and for each defect frequency f of the bearing at the machine type's nominal speed (outer race,
// inner race, twice the ball spin), log10 of (the largest E within f (1 +- 6 %) plus the largest
// within 2 f (1 +- 6 %)) over the mean E from 20 to 400 Hz. +-6 % covers the machines' speed
// tolerance (3 %) and drift (1.4 %).
struct MachineFrontEnd {
  using Vibration = ctml::frontend::Vibration<vibration_config>;
  using sample_type = float;
  using feature_type = float;
  static constexpr std::size_t window = Vibration::window, hop = Vibration::hop;
  static constexpr std::size_t envelope_features = 3;
  static constexpr std::size_t features = Vibration::features + envelope_features;
  static constexpr std::size_t decimation = 8, envelope_length = window / decimation;
  static_assert(envelope_length == 256, "the envelope spectrum is a 256-point FFT");
  static constexpr double envelope_rate = vibration_config.sample_rate / decimation;

  struct state_type {};
  struct scratch_type {
    Vibration::scratch_type vibration;
    float envelope[envelope_length];
    ctml::kernels::signal::Complex<float> spectrum[envelope_length / 2 + 1], z[envelope_length / 2];
  };

  // The defect frequencies (Hz) at the machine type's nominal speed.
  double defect_hz[envelope_features] = {};
  constexpr explicit MachineFrontEnd(const MachineType& t = MachineType{})
      : defect_hz{t.bearing.bpfo(t.speed), t.bearing.bpfi(t.speed), 2.0 * t.bearing.bsf(t.speed)} {}

  constexpr void reset(state_type&) const {}

  void operator()(const float* x, float* out, state_type&, scratch_type& w) const {
    Vibration::state_type none{};
    Vibration{}(x, out, none, w.vibration);
    // Envelope.
    float mean = 0.0f;
    for (std::size_t m = 0; m < envelope_length; ++m) {
      float acc = 0.0f;
      for (std::size_t k = 0; k < decimation; ++k) {
        const std::size_t n = m * decimation + k;
        const float y = n >= 2 ? x[n] - 2.0f * x[n - 1] + x[n - 2] : 0.0f;
        acc += std::fabs(y);
      }
      w.envelope[m] = acc / static_cast<float>(decimation);
      mean += w.envelope[m];
    }
    mean /= static_cast<float>(envelope_length);
    const auto& hann = ctml::kernels::signal::hann_periodic<envelope_length>;
    for (std::size_t m = 0; m < envelope_length; ++m) w.envelope[m] = (w.envelope[m] - mean) * hann[m];
    ctml::kernels::signal::RfftF32<envelope_length>::forward(w.envelope, w.spectrum, w.z);
    auto power = [&](std::size_t k) { return w.spectrum[k].real * w.spectrum[k].real + w.spectrum[k].imag * w.spectrum[k].imag; };
    const double df = envelope_rate / static_cast<double>(envelope_length);
    auto peak = [&](double lo, double hi) {
      float best = 0.0f;
      for (std::size_t k = static_cast<std::size_t>(std::ceil(lo / df)); k <= static_cast<std::size_t>(hi / df) && k <= envelope_length / 2; ++k)
        best = power(k) > best ? power(k) : best;
      return best;
    };
    float floor = 0.0f;
    std::size_t count = 0;
    for (std::size_t k = static_cast<std::size_t>(std::ceil(20.0 / df)); k <= static_cast<std::size_t>(400.0 / df); ++k, ++count) floor += power(k);
    floor = floor / static_cast<float>(count) + 1e-20f;
    for (std::size_t j = 0; j < envelope_features; ++j) {
      const double f = defect_hz[j];
      const float p = peak(0.94 * f, 1.06 * f) + peak(1.88 * f, 2.12 * f);
      out[Vibration::features + j] = std::log10(p / floor + 1e-6f);
    }
  }
};

// What the models read, from the front end's 44 values: log RMS, skewness, kurtosis, crest factor,
// zero-crossing rate, the 32 log band energies and the 3 envelope levels (continuous: the
// autoencoder's 40 inputs), then the two peak frequencies in kHz (the fault classifier's 42).
inline constexpr std::size_t ae_features = 5 + bands + MachineFrontEnd::envelope_features, tree_features = ae_features + 2;

inline void model_features(const float* fe, float* out) {
  out[0] = std::log(fe[1] + 1e-6f);  // RMS
  out[1] = fe[3];                     // skewness
  out[2] = fe[4];                     // excess kurtosis
  out[3] = fe[5];                     // crest factor
  out[4] = fe[6];                     // zero-crossing rate
  for (std::size_t b = 0; b < bands; ++b) out[5 + b] = std::log10(fe[7 + b] + 1e-9f);
  for (std::size_t j = 0; j < MachineFrontEnd::envelope_features; ++j) out[5 + bands + j] = fe[MachineFrontEnd::Vibration::features + j];
  out[ae_features] = fe[7 + bands] / 1000.0f;
  out[ae_features + 1] = fe[7 + bands + 1] / 1000.0f;
}

// The machine's own normal: the mean of its features over a commissioning period (a few seconds of
// normal operation once installed, learnt on the device). The models read each window's deviation
// from it, so that what differs between healthy machines of one type (a resonance 10 % higher, a
// louder gear mesh) is not taken for a fault. The peak frequencies stay absolute.
struct Baseline {
  float mean[ae_features]{};
  std::size_t count = 0;
  void add(const float* f) {
    ++count;
    for (std::size_t i = 0; i < ae_features; ++i) mean[i] += (f[i] - mean[i]) / static_cast<float>(count);
  }
  void subtract(float* f) const {
    for (std::size_t i = 0; i < ae_features; ++i) f[i] -= mean[i];
  }
};
inline constexpr std::size_t commissioning_windows = 30;  // 3.9 s

// The autoencoder: standardized features -> 8 -> standardized features; the anomaly score is the
// mean squared reconstruction error.
using Autoencoder = ctml::Sequential<float, ctml::Shape<ae_features>, ctml::Dense<24>, ctml::ReLU, ctml::Dense<4>, ctml::ReLU,
                                     ctml::Dense<24>, ctml::ReLU, ctml::Dense<ae_features>>;

struct Standardizer {
  float mean[ae_features]{}, inv_std[ae_features]{};
  void apply(const float* f, float* z) const {
    for (std::size_t i = 0; i < ae_features; ++i) z[i] = (f[i] - mean[i]) * inv_std[i];
  }
};

inline float anomaly_score(const Autoencoder& ae, const Standardizer& st, const float* features) {
  Autoencoder::input_type z{};
  st.apply(features, z.data());
  const auto y = ae.infer(z);
  float e = 0.0f;
  for (std::size_t i = 0; i < ae_features; ++i) e += (y[i] - z[i]) * (y[i] - z[i]);
  return e / static_cast<float>(ae_features);
}

}  // namespace pdm
