// SPDX-License-Identifier: Apache-2.0
#pragma once
// The feature front end of TensorFlow Lite Micro's micro_speech example (audio_preprocessor.py:
// TFLM's signal ops), bit for bit: one window of int16 audio in, one frame of int8 features out.
//
//   window      Hann (TFLM's, Q12) on `window_ms` of audio, saturated to int16
//   auto scale  shift the window up to use the int16 range (s bits)
//   rfft        KISS FFT int16, size = next power of two (kernels/signal/kiss_rfft_s16.hpp)
//   energy      re^2 + im^2 on the filter bank's bins
//   filter bank triangular mel bank, `channels` channels over [lower_hz, upper_hz], uint64
//   sqrt        isqrt, >> s (undoes the auto scale)
//   noise       spectral subtraction of a running noise estimate (state)
//   PCAN        per-channel gain control by the noise estimate
//   log         64 ln(x << 3), int16
//   int8        (log * 256 + 333) / 666 - 128, clamped: the model's input scale (TFLM's example)
//
// A type like a layer: its shapes and state are compile-time facts.
//   using FE = ctml::frontend::MicroSpeech<>;          // 16 kHz, 30 ms window, 20 ms hop, 40 channels
//   FE::state_type st;  fe.reset(st);
//   fe(window_480_samples, features_40, st);           // one frame; st carries the noise estimate
// Use frontend::FeatureStream to feed arbitrary blocks of samples and keep the last N frames.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/signal/filterbank_tflm.hpp>
#include <ctml/kernels/signal/kiss_rfft_s16.hpp>
#include <ctml/kernels/signal/noise_reduction.hpp>
#include <ctml/kernels/signal/pcan.hpp>
#include <ctml/kernels/signal/spectrum_s16.hpp>
#include <ctml/kernels/signal/window.hpp>

namespace ctml::frontend {

// audio_preprocessor.py's FeatureParams (defaults: what micro_speech_quantized.tflite was trained on).
struct MicroSpeechConfig {
  std::size_t sample_rate = 16000;
  std::size_t window_ms = 30;
  std::size_t stride_ms = 20;
  unsigned window_scaling_bits = 12;
  std::size_t channels = 40;
  double lower_hz = 125.0;
  double upper_hz = 7500.0;
  unsigned filterbank_scaling_bits = 12;
  std::size_t filterbank_alignment = 4;
  std::size_t filterbank_block = 4;
  unsigned post_scaling_bits = 6;
  unsigned spectral_subtraction_bits = 14;
  unsigned smoothing_bits = 10;
  double even_smoothing = 0.025;
  double odd_smoothing = 0.06;
  double min_signal_remaining = 0.05;
  bool clamping = false;
  float pcan_strength = 0.95f;
  float pcan_offset = 80.0f;
  int pcan_gain_bits = 21;
  int pcan_smoothing_bits = 10;
};

template <MicroSpeechConfig Cfg = MicroSpeechConfig{}>
struct MicroSpeech {
  using sample_type = std::int16_t;
  using feature_type = std::int8_t;
  static constexpr std::string_view name = "MicroSpeech";
  static constexpr std::size_t sample_rate = Cfg.sample_rate;
  static constexpr std::size_t window = Cfg.window_ms * Cfg.sample_rate / 1000;
  static constexpr std::size_t hop = Cfg.stride_ms * Cfg.sample_rate / 1000;
  static constexpr std::size_t features = Cfg.channels;
  static constexpr std::size_t fft_size = math::next_power_of_two(window);
  static constexpr unsigned fft_log2 = static_cast<unsigned>(std::bit_width(fft_size) - 1);
  static constexpr std::size_t bins = fft_size / 2 + 1;

  static_assert(window >= 4 && hop >= 1 && hop <= window, "ctml::frontend::MicroSpeech: need 1 <= hop <= window");
  static_assert(fft_size <= 4096, "ctml::frontend::MicroSpeech: the window is longer than the largest FFT (4096)");
  static_assert(Cfg.channels >= 1, "ctml::frontend::MicroSpeech: at least one channel");
  static_assert(Cfg.lower_hz >= 0 && Cfg.lower_hz < Cfg.upper_hz,
                "ctml::frontend::MicroSpeech: the filter bank needs 0 <= lower_hz < upper_hz");
  static_assert(Cfg.upper_hz <= Cfg.sample_rate / 2.0,
                "ctml::frontend::MicroSpeech: the filter bank's upper edge is above the Nyquist frequency");

  using fft = kernels::signal::KissRfftS16<fft_size>;
  static constexpr kernels::signal::TflmFilterBankConfig bank_config{
      bins, static_cast<double>(Cfg.sample_rate), Cfg.channels, Cfg.lower_hz, Cfg.upper_hz,
      Cfg.filterbank_alignment, Cfg.filterbank_block, Cfg.filterbank_scaling_bits};
  static constexpr std::size_t bank_weights = kernels::signal::tflm_filterbank_weight_count<Cfg.channels>(bank_config);
  static constexpr auto bank = kernels::signal::make_tflm_filterbank<Cfg.channels, bank_weights>(bank_config);
  static_assert(bank.valid, "ctml::frontend::MicroSpeech: the filter bank's band does not fit the spectrum");
  static constexpr auto hann = kernels::signal::hann_tflm_s16<window, Cfg.window_scaling_bits>;

  // input_correction_bits of PCAN and the log: fft_log2 - filterbank_scaling_bits / 2.
  static constexpr int correction_bits = static_cast<int>(fft_log2) - static_cast<int>(Cfg.filterbank_scaling_bits / 2);
  static_assert(correction_bits >= 0, "ctml::frontend::MicroSpeech: FFT too small for the filter bank's scaling bits");
  static constexpr int pcan_input_bits = Cfg.pcan_smoothing_bits - correction_bits;
  static constexpr int snr_shift = Cfg.pcan_gain_bits - correction_bits - static_cast<int>(kernels::signal::pcan_snr_bits);
  static_assert(snr_shift >= 1, "ctml::frontend::MicroSpeech: PCAN's SNR shift must be positive");
  static constexpr auto pcan_lut =
      kernels::signal::make_pcan_lut(Cfg.pcan_strength, Cfg.pcan_offset, pcan_input_bits, Cfg.pcan_gain_bits);
  static constexpr kernels::signal::NoiseReductionParams noise_params = kernels::signal::make_noise_reduction(
      Cfg.even_smoothing, Cfg.odd_smoothing, Cfg.min_signal_remaining, Cfg.smoothing_bits, Cfg.spectral_subtraction_bits,
      Cfg.clamping);

  // What persists between frames: the noise estimate.
  struct state_type {
    std::uint32_t noise[features];
  };
  // Working memory of one frame (a compile-time size, like a layer's scratch).
  struct scratch_type {
    std::int16_t x[fft_size];
    kernels::signal::Complex<std::int16_t> spectrum[bins];
    kernels::signal::Complex<std::int16_t> fft_scratch[fft::scratch_elements];
    std::uint32_t energy[bins];
    std::uint64_t bank_out[features];
    std::uint32_t channels[features];
    std::uint32_t cleaned[features];
    std::int16_t log[features];
  };
  static constexpr std::size_t state_bytes = sizeof(state_type);
  static constexpr std::size_t scratch_bytes = sizeof(scratch_type);

  constexpr void reset(state_type& s) const {
    ::ctml::detail::side_effect_fence();
    for (auto& v : s.noise) v = 0;
  }

  // One frame: `samples` holds `window` samples; writes `features` int8 values.
  constexpr void operator()(const std::int16_t* samples, std::int8_t* out, state_type& s, scratch_type& w) const {
    ::ctml::detail::side_effect_fence();
    namespace k = kernels::signal;
    k::apply_window_s16(samples, hann.data(), window, Cfg.window_scaling_bits, w.x);
    const int shift = k::auto_scale_s16(w.x, window, w.x);
    for (std::size_t i = window; i < fft_size; ++i) w.x[i] = 0;
    fft::forward(w.x, w.spectrum, w.fft_scratch);
    // Bins outside the bank's range stay 0, as TFLM's graph makes them (the bank's aligned starts
    // and padded widths read a few of them).
    for (std::size_t i = 0; i < bank.start_index; ++i) w.energy[i] = 0;
    for (std::size_t i = bank.end_index; i < bins; ++i) w.energy[i] = 0;
    k::energy_s16(w.spectrum, bank.start_index, bank.end_index, w.energy);
    k::tflm_filterbank(bank, w.energy, w.bank_out);
    k::filterbank_sqrt(w.bank_out, features, shift, w.channels);
    k::noise_reduction(noise_params, w.channels, features, w.cleaned, s.noise);
    k::pcan(pcan_lut.data(), snr_shift, s.noise, w.cleaned, features);
    k::filterbank_log(w.cleaned, features, 1u << Cfg.post_scaling_bits, static_cast<unsigned>(correction_bits), w.log);
    // The example's int8 input: (v * 256 + 333) / 666 - 128 (666 = int(25.6 * 26 + 0.5)), clamped.
    for (std::size_t i = 0; i < features; ++i) {
      std::int32_t v = (static_cast<std::int32_t>(w.log[i]) * 256 + 333) / 666 - 128;
      out[i] = static_cast<std::int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
  }
};

}  // namespace ctml::frontend
