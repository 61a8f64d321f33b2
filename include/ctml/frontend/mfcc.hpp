// SPDX-License-Identifier: Apache-2.0
#pragma once
// MFCC front end in float, as tf.signal computes it (and with it MLPerf Tiny's keyword-spotting
// features, frontend/mlperf_kws.hpp):
//   frame   `window` samples every `hop` (no padding), times a periodic Hann window
//   FFT     real FFT of size fft_size (the next power of two by default; zero-padded)
//   |X|     magnitude spectrum (fft_size / 2 + 1 bins)
//   mel     tf.signal.linear_to_mel_weight_matrix(mels, bins, fs, lower_hz, upper_hz) (HTK)
//   log     ln(mel + log_offset)
//   DCT     the first `coefficients` of tf.signal.mfccs_from_log_mel_spectrograms
// Input: float samples (MLPerf's pipeline scales each clip by 1 / its largest sample first:
// normalize_by_max). A FrontEnd (front_end.hpp): stateless, compile-time tables.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/signal/mel.hpp>
#include <ctml/kernels/signal/rfft_f32.hpp>
#include <ctml/kernels/signal/window.hpp>

namespace ctml::frontend {

struct MfccConfig {
  std::size_t sample_rate = 16000;
  std::size_t window = 480;
  std::size_t hop = 320;
  std::size_t fft_size = 0;  // 0: the next power of two >= window
  std::size_t mels = 40;
  double lower_hz = 20.0;
  double upper_hz = 4000.0;
  std::size_t coefficients = 10;
  float log_offset = 1e-6f;
};

template <MfccConfig Cfg = MfccConfig{}>
struct Mfcc {
  using sample_type = float;
  using feature_type = float;
  static constexpr std::string_view name = "Mfcc";
  static constexpr std::size_t sample_rate = Cfg.sample_rate;
  static constexpr std::size_t window = Cfg.window;
  static constexpr std::size_t hop = Cfg.hop;
  static constexpr std::size_t fft_size = Cfg.fft_size ? Cfg.fft_size : math::next_power_of_two(Cfg.window);
  static constexpr std::size_t bins = fft_size / 2 + 1;
  static constexpr std::size_t mels = Cfg.mels;
  static constexpr std::size_t features = Cfg.coefficients;

  static_assert(window >= 2 && hop >= 1 && hop <= window, "ctml::frontend::Mfcc: need 1 <= hop <= window");
  static_assert(fft_size >= window, "ctml::frontend::Mfcc: the window is longer than the FFT");
  static_assert((fft_size & (fft_size - 1)) == 0 && fft_size <= 4096, "ctml::frontend::Mfcc: the FFT size must be a power of two <= 4096");
  static_assert(Cfg.lower_hz >= 0 && Cfg.lower_hz < Cfg.upper_hz, "ctml::frontend::Mfcc: need 0 <= lower_hz < upper_hz");
  static_assert(Cfg.upper_hz <= Cfg.sample_rate / 2.0, "ctml::frontend::Mfcc: the mel bank's upper edge is above the Nyquist frequency");
  static_assert(Cfg.coefficients >= 1 && Cfg.coefficients <= Cfg.mels, "ctml::frontend::Mfcc: 1 <= coefficients <= mels");

  using fft = kernels::signal::RfftF32<fft_size>;
  static constexpr kernels::signal::MelConfig mel_config{bins, static_cast<double>(Cfg.sample_rate), Cfg.mels, Cfg.lower_hz,
                                                        Cfg.upper_hz};
  static constexpr std::size_t mel_weights = kernels::signal::mel_weight_count(mel_config);
  static constexpr auto mel_bank = kernels::signal::make_mel_bank<Cfg.mels, mel_weights>(mel_config);
  static constexpr const auto& hann = kernels::signal::hann_periodic<window>;

  struct state_type {};  // stateless: each frame depends on its window only
  struct scratch_type {
    float x[fft_size];
    kernels::signal::Complex<float> spectrum[bins];
    kernels::signal::Complex<float> z[fft::scratch_elements];
    float magnitude[bins];
    float mel[Cfg.mels];
  };
  static constexpr std::size_t state_bytes = 0;
  static constexpr std::size_t scratch_bytes = sizeof(scratch_type);

  constexpr void reset(state_type&) const {}

  constexpr void operator()(const float* samples, float* out, state_type&, scratch_type& w) const {
    ::ctml::detail::side_effect_fence();
    kernels::signal::apply_window(samples, hann.data(), window, w.x);
    for (std::size_t i = window; i < fft_size; ++i) w.x[i] = 0.0f;
    fft::forward(w.x, w.spectrum, w.z);
    kernels::signal::magnitude(w.spectrum, bins, w.magnitude);
    kernels::signal::apply_mel(mel_bank, w.magnitude, w.mel);
    for (std::size_t m = 0; m < Cfg.mels; ++m) w.mel[m] = math::log(w.mel[m] + Cfg.log_offset);
    kernels::signal::dct_mfcc<features, Cfg.mels>(w.mel, out);
  }
};

// x[i] / max(x) as float (MLPerf Tiny's KWS pipeline: wav / tf.reduce_max(wav)). A clip whose
// largest sample is not positive is copied unscaled (the reference would divide by <= 0).
constexpr void normalize_by_max(const std::int16_t* x, std::size_t n, float* y) {
  ::ctml::detail::side_effect_fence();
  std::int16_t mx = x[0];
  for (std::size_t i = 1; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  const float d = mx > 0 ? static_cast<float>(mx) : 1.0f;  // a division, as the reference divides
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<float>(x[i]) / d;
}

// int8 input of a model from float features: q = trunc(x / scale + zero_point) (MLPerf Tiny's
// make_bin_files.py) or round-half-away (TFLite's QUANTIZE), saturated to [-128, 127].
enum class QuantizeRounding { truncate, nearest };
constexpr void quantize_features(const float* x, std::size_t n, float scale, int zero_point, std::int8_t* q,
                                 QuantizeRounding r = QuantizeRounding::truncate) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < n; ++i) {
    const float v = x[i] / scale + static_cast<float>(r == QuantizeRounding::truncate ? zero_point : 0);
    float t = r == QuantizeRounding::truncate ? v : (v < 0 ? v - 0.5f : v + 0.5f);
    t = t < -1e6f ? -1e6f : (t > 1e6f ? 1e6f : t);
    long long k = static_cast<long long>(t);  // toward zero
    if (r == QuantizeRounding::nearest) k += zero_point;
    q[i] = static_cast<std::int8_t>(k < -128 ? -128 : (k > 127 ? 127 : k));
  }
}

}  // namespace ctml::frontend
