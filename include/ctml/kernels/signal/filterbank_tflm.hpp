// SPDX-License-Identifier: Apache-2.0
#pragma once
// The triangular mel filter bank of TensorFlow Lite Micro's signal library (SignalFilterBank and
// the tables python/tflite_micro/signal/ops/filter_bank_ops.py builds for it), bit for bit.
//
// Mel scale: mel(f) = 1127 ln(1 + f / 700), in float as TFLM's FreqToMel. Channel c (0..C) is
// centred at mel_lo + (c + 1) (mel_hi - mel_lo) / (C + 1); bin k (frequency k * fs / (2 (S - 1)),
// S = spectrum bins) belongs to the first channel whose centre is >= mel(f_k). Its weight towards
// that channel is w = (centre_c - mel(f_k)) / (centre_c - centre_{c-1}) and 1 - w towards the next:
//   out[c] = sum_k w_k e_k over channel c's bins + sum_k (1 - w_k) e_k over channel c-1's bins
// with w in Q12 (truncated), accumulated in uint64. Channel 0 of the C + 1 only collects the
// lower half of output 0, so the op returns channels 1..C.
// Band starts are aligned down to `alignment / 2` bins and widths padded up to `block` bins
// (zero weights), as TFLM's tables are (alignment 4, block 4 in micro_speech).
//
// Then (SignalFilterBankSquareRoot) out = isqrt64(acc) >> scale_down, and (SignalFilterBankLog)
// log = min(log32(x << correction, out_scale), 32767) for x << correction > 1, else 0.
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/signal/fixed_point.hpp>

namespace ctml::kernels::signal {

struct TflmFilterBankConfig {
  std::size_t spectrum_size;  // bins of the spectrum (FFT size / 2 + 1)
  double sample_rate;
  std::size_t channels;
  double lower_hz;
  double upper_hz;
  std::size_t alignment = 4;  // bytes, as TFLM's FILTER_BANK_ALIGNMENT
  std::size_t block = 4;      // FILTER_BANK_CHANNEL_BLOCK_SIZE
  unsigned weight_bits = 12;  // FILTER_BANK_WEIGHT_SCALING_BITS
};

namespace filterbank_detail {
// TFLM's FreqToMel in float: 1127.0f * log1pf(freq / 700.0f), log1pf correctly rounded.
constexpr float freq_to_mel(float freq) {
  const float x = freq / 700.0f;
  return 1127.0f * static_cast<float>(math::series::log1p(static_cast<double>(x)));
}
}  // namespace filterbank_detail

// The tables, sized by the configuration: Weights = number of weights (computed by count()).
template <std::size_t C, std::size_t Weights>
struct TflmFilterBankTables {
  std::int16_t frequency_starts[C + 1];
  std::int16_t weight_starts[C + 1];
  std::int16_t widths[C + 1];
  std::int16_t weights[Weights];
  std::int16_t unweights[Weights];
  std::size_t start_index;  // first spectrum bin used
  std::size_t end_index;    // one past the last
  bool valid;               // false when the band limits do not fit the spectrum
};

// Builds the tables (Weights = 0: only counts; returns the number of weights in .start_index of a
// zero-sized table... use tflm_filterbank_weight_count instead).
template <std::size_t C, std::size_t Weights>
constexpr TflmFilterBankTables<C, Weights> make_tflm_filterbank(const TflmFilterBankConfig& cfg, std::size_t* count = nullptr) {
  using filterbank_detail::freq_to_mel;
  TflmFilterBankTables<C, Weights> t{};
  const std::size_t index_alignment = cfg.alignment < 2 ? 1 : cfg.alignment / 2;
  float center[C + 1]{};
  {
    const float mel_lower = freq_to_mel(static_cast<float>(cfg.lower_hz));
    const float mel_upper = freq_to_mel(static_cast<float>(cfg.upper_hz));
    const float mel_span = mel_upper - mel_lower;
    const float mel_spacing = mel_span / static_cast<float>(C + 1);
    for (std::size_t c = 0; c <= C; ++c) center[c] = mel_lower + mel_spacing * static_cast<float>(c + 1);
  }
  const double hz_per_sbin = (cfg.sample_rate / 2) / static_cast<double>(cfg.spectrum_size - 1);
  const long long start_index = math::round_half_even(1 + cfg.lower_hz / hz_per_sbin);
  long long chan_freq_index_start = start_index;
  long long weight_index_start = 0;
  bool needs_zeros = false;
  long long actual_starts[C + 1]{}, actual_widths[C + 1]{};
  for (std::size_t c = 0; c <= C; ++c) {
    long long freq_index = chan_freq_index_start;
    while (freq_to_mel(static_cast<float>(static_cast<double>(freq_index) * hz_per_sbin)) <= center[c]) ++freq_index;
    const long long width = freq_index - chan_freq_index_start;
    actual_starts[c] = chan_freq_index_start;
    actual_widths[c] = width;
    if (width == 0) {
      t.frequency_starts[c] = 0;
      t.weight_starts[c] = 0;
      t.widths[c] = static_cast<std::int16_t>(cfg.block);
      if (!needs_zeros) {
        needs_zeros = true;
        for (std::size_t j = 0; j < c; ++j) t.weight_starts[j] = static_cast<std::int16_t>(t.weight_starts[j] + cfg.block);
        weight_index_start += static_cast<long long>(cfg.block);
      }
    } else {
      const long long ia = static_cast<long long>(index_alignment);
      const long long aligned_start = chan_freq_index_start / ia * ia;
      const long long aligned_width = chan_freq_index_start - aligned_start + width;
      const long long b = static_cast<long long>(cfg.block);
      const long long padded_width = ((aligned_width - 1) / b + 1) * b;
      t.frequency_starts[c] = static_cast<std::int16_t>(aligned_start);
      t.weight_starts[c] = static_cast<std::int16_t>(weight_index_start);
      t.widths[c] = static_cast<std::int16_t>(padded_width);
      weight_index_start += padded_width;
    }
    chan_freq_index_start = freq_index;
  }
  if (count) *count = static_cast<std::size_t>(weight_index_start);
  long long end_index = 0;
  const float mel_low = freq_to_mel(static_cast<float>(cfg.lower_hz));
  const double scale = static_cast<double>(1u << cfg.weight_bits);
  for (std::size_t c = 0; c <= C; ++c) {
    long long frequency = actual_starts[c];
    const long long offset = frequency - t.frequency_starts[c];
    const long long weight_start = t.weight_starts[c];
    const float denom_val = c == 0 ? mel_low : center[c - 1];
    for (long long j = 0; j < actual_widths[c]; ++j) {
      const float num = center[c] - freq_to_mel(static_cast<float>(static_cast<double>(frequency) * hz_per_sbin));
      const float den = center[c] - denom_val;
      const float w = num / den;
      const long long idx = weight_start + offset + j;
      if (static_cast<std::size_t>(idx) < Weights) {
        t.weights[idx] = static_cast<std::int16_t>(static_cast<long long>(static_cast<double>(w) * scale));
        t.unweights[idx] = static_cast<std::int16_t>(static_cast<long long>((1.0 - static_cast<double>(w)) * scale));
      }
      ++frequency;
    }
    if (frequency > end_index) end_index = frequency;
  }
  t.start_index = static_cast<std::size_t>(start_index);
  t.end_index = static_cast<std::size_t>(end_index);
  bool weights_ok = true;  // tflm_filterbank multiplies them as unsigned
  for (std::size_t i = 0; i < Weights; ++i) weights_ok &= t.weights[i] >= 0 && t.unweights[i] >= 0;
  t.valid = end_index < static_cast<long long>(cfg.spectrum_size) && cfg.lower_hz >= 0 && cfg.lower_hz <= cfg.upper_hz &&
            weights_ok;
  return t;
}

template <std::size_t C>
constexpr std::size_t tflm_filterbank_weight_count(const TflmFilterBankConfig& cfg) {
  std::size_t n = 0;
  make_tflm_filterbank<C, 1>(cfg, &n);
  return n;
}

// SignalFilterBank: out[c] for c < C (channels 1..C of the accumulation). e: energies (the bins
// outside [start_index, end_index) must be 0, as TFLM's graph makes them).
template <std::size_t C, std::size_t W>
constexpr void tflm_filterbank(const TflmFilterBankTables<C, W>& t, const std::uint32_t* e, std::uint64_t* out) {
  ::ctml::detail::side_effect_fence();
  std::uint64_t weight_acc = 0, unweight_acc = 0;
  for (std::size_t c = 0; c <= C; ++c) {
    const std::size_t f0 = static_cast<std::size_t>(t.frequency_starts[c]);
    const std::size_t w0 = static_cast<std::size_t>(t.weight_starts[c]);
    for (std::size_t j = 0; j < static_cast<std::size_t>(t.widths[c]); ++j) {
      // Weights are in [0, 2^bits] (checked when the tables are built): 32 x 32 -> 64-bit
      // multiply-accumulates (UMLAL on Arm).
      const std::uint32_t x = e[f0 + j];
      weight_acc += static_cast<std::uint64_t>(static_cast<std::uint16_t>(t.weights[w0 + j])) * x;
      unweight_acc += static_cast<std::uint64_t>(static_cast<std::uint16_t>(t.unweights[w0 + j])) * x;
    }
    if (c > 0) out[c - 1] = weight_acc;
    weight_acc = unweight_acc;
    unweight_acc = 0;
  }
}

// SignalFilterBankSquareRoot.
constexpr void filterbank_sqrt(const std::uint64_t* in, std::size_t n, int scale_down, std::uint32_t* out) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < n; ++i) out[i] = isqrt64(in[i]) >> scale_down;
}

// SignalFilterBankLog.
constexpr void filterbank_log(const std::uint32_t* in, std::size_t n, std::uint32_t out_scale, unsigned correction_bits,
                              std::int16_t* out) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t scaled = in[i] << correction_bits;
    if (scaled > 1) {
      const std::uint32_t v = log32(scaled, out_scale);
      out[i] = static_cast<std::int16_t>(v < 32767u ? v : 32767u);
    } else {
      out[i] = 0;
    }
  }
}

}  // namespace ctml::kernels::signal
