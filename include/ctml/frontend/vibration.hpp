// SPDX-License-Identifier: Apache-2.0
#pragma once
// Features of vibration and motion windows (predictive maintenance, activity recognition), per
// axis of interleaved multi-axis samples (x0 y0 z0 x1 y1 z1 ...):
//   mean, RMS, standard deviation, skewness, kurtosis (excess), crest factor, zero-crossing rate
//     (kernels/signal/statistics.hpp, numpy / scipy.stats definitions)
//   Welch PSD band energies in `bands` equal bands over [0, fs/2] (the last band includes the
//     Nyquist bin), scipy.signal.welch's density scaling (kernels/signal/welch.hpp)
//   the frequencies of the `peaks` largest PSD peaks (0 where fewer exist)
// features = axes x (7 + bands + peaks), axis-major. A FrontEnd: `window` and `hop` count
// samples x axes, so FeatureStream frames it as it does audio.
//   using Vib = ctml::frontend::Vibration<{.sample_rate = 1000, .axes = 3}>;
//   static ctml::frontend::FeatureStream<Vib, 1> s;  s.push(samples_xyz, 3 * n);
#include <cstddef>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/frontend/front_end.hpp>
#include <ctml/kernels/signal/statistics.hpp>
#include <ctml/kernels/signal/welch.hpp>

namespace ctml::frontend {

struct VibrationConfig {
  double sample_rate = 1000.0;  // per axis, Hz
  std::size_t axes = 3;
  std::size_t window = 1024;    // samples per axis in one feature window
  std::size_t hop = 512;
  std::size_t segment = 256;    // Welch segment (FFT size), a power of two
  std::size_t overlap = 128;
  std::size_t bands = 4;
  std::size_t peaks = 2;
};

template <VibrationConfig Cfg = VibrationConfig{}>
struct Vibration {
  using sample_type = float;
  using feature_type = float;
  static constexpr std::string_view name = "Vibration";
  static constexpr std::size_t axes = Cfg.axes;
  static constexpr std::size_t window = Cfg.window * Cfg.axes;  // elements
  static constexpr std::size_t hop = Cfg.hop * Cfg.axes;
  static constexpr std::size_t statistics_per_axis = 7;
  static constexpr std::size_t per_axis = statistics_per_axis + Cfg.bands + Cfg.peaks;
  static constexpr std::size_t features = Cfg.axes * per_axis;
  static constexpr std::size_t bins = Cfg.segment / 2 + 1;

  static_assert(Cfg.axes >= 1, "ctml::frontend::Vibration: at least one axis");
  static_assert(Cfg.hop >= 1 && Cfg.hop <= Cfg.window, "ctml::frontend::Vibration: need 1 <= hop <= window");
  static_assert(Cfg.segment >= 4 && Cfg.segment <= 4096 && (Cfg.segment & (Cfg.segment - 1)) == 0,
                "ctml::frontend::Vibration: the Welch segment must be a power of two in [4, 4096]");
  static_assert(Cfg.segment <= Cfg.window, "ctml::frontend::Vibration: the Welch segment is longer than the window");
  static_assert(Cfg.overlap < Cfg.segment, "ctml::frontend::Vibration: the overlap must be shorter than the segment");
  static_assert(Cfg.bands >= 1 && Cfg.bands <= bins, "ctml::frontend::Vibration: between 1 band and one band per bin");
  static_assert(Cfg.sample_rate > 0, "ctml::frontend::Vibration: the sample rate must be positive");

  struct state_type {};
  struct scratch_type {
    kernels::signal::WelchScratch<Cfg.segment> welch;
    float psd[bins];
  };
  static constexpr std::size_t state_bytes = 0;
  static constexpr std::size_t scratch_bytes = sizeof(scratch_type);

  constexpr void reset(state_type&) const {}

  constexpr void operator()(const float* x, float* out, state_type&, scratch_type& w) const {
    ::ctml::detail::side_effect_fence();
    namespace k = kernels::signal;
    const auto fs = static_cast<float>(Cfg.sample_rate);
    for (std::size_t a = 0; a < Cfg.axes; ++a) {
      float* o = out + a * per_axis;
      const k::Statistics s = k::statistics(x + a, Cfg.window, Cfg.axes);
      o[0] = s.mean;
      o[1] = s.rms;
      o[2] = s.std;
      o[3] = s.skewness;
      o[4] = s.kurtosis;
      o[5] = s.crest_factor;
      o[6] = s.zero_crossing_rate;
      k::welch_psd<Cfg.segment>(x + a, Cfg.window, fs, Cfg.overlap, w.psd, w.welch, Cfg.axes);
      // Band edges by accumulation, not an int-to-float conversion under a condition: GCC 12 for
      // Cortex-M55 predicates such a VCVT inside an IT block, which the assembler rejects
      // (docs/compiler-notes.md).
      constexpr float band_hz = static_cast<float>(Cfg.sample_rate / 2.0 / static_cast<double>(Cfg.bands));
      float lo = 0.0f;
      for (std::size_t b = 0; b < Cfg.bands; ++b) {
        const float hi = b + 1 == Cfg.bands ? fs : lo + band_hz;  // the last band up to and with Nyquist
        o[statistics_per_axis + b] = k::band_energy(w.psd, bins, fs, Cfg.segment, lo, hi);
        lo += band_hz;
      }
      if constexpr (Cfg.peaks > 0) {
        k::SpectralPeak p[Cfg.peaks];
        k::spectral_peaks(w.psd, bins, fs, Cfg.segment, p);
        for (std::size_t j = 0; j < Cfg.peaks; ++j) o[statistics_per_axis + Cfg.bands + j] = p[j].frequency;
      }
    }
  }
};

}  // namespace ctml::frontend
