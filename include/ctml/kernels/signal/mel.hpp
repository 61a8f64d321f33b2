// SPDX-License-Identifier: Apache-2.0
#pragma once
// The mel filter bank of tf.signal.linear_to_mel_weight_matrix and the DCT-II of
// tf.signal.mfccs_from_log_mel_spectrograms, as compile-time tables.
//   mel(f) = 1127 ln(1 + f / 700)            (HTK)
//   bin k (of B = N/2 + 1) is at f_k = k * (fs / 2) / (B - 1); band m has edges
//   e_m, e_{m+1}, e_{m+2} from linspace(mel(lo), mel(hi), M + 2); its weight on bin k is
//   max(0, min((mel(f_k) - e_m) / (e_{m+1} - e_m), (e_{m+2} - mel(f_k)) / (e_{m+2} - e_{m+1})))
//   and the DC bin's weight is 0. The bank is stored sparsely: per band its first bin and weights.
//   mfcc[c] = sqrt(2 / M) sum_m log_mel[m] cos(pi c (2m + 1) / (2M))   (no extra scaling of c = 0)
#include <array>
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>

namespace ctml::kernels::signal {

struct MelConfig {
  std::size_t bins;  // spectrum bins (FFT size / 2 + 1)
  double sample_rate;
  std::size_t mels;
  double lower_hz;
  double upper_hz;
};

constexpr double hz_to_mel_htk(double f) { return 1127.0 * math::series::log1p(f / 700.0); }

template <std::size_t Mels, std::size_t Weights>
struct MelBank {
  std::size_t first[Mels];       // first bin of band m
  std::size_t count[Mels];       // bins with a non-zero weight (contiguous)
  std::size_t offset[Mels];      // where band m's weights start in `weights`
  float weights[Weights];
};

namespace mel_detail {
inline constexpr std::size_t max_bins = 2049;  // FFT size 4096
template <class F>
constexpr void for_each_weight(const MelConfig& c, F&& f) {
  const double lo = hz_to_mel_htk(c.lower_hz), hi = hz_to_mel_htk(c.upper_hz);
  const double step = (hi - lo) / static_cast<double>(c.mels + 1);
  double mel_of_bin[max_bins]{};  // each bin's mel once (the logarithm is the expensive part)
  for (std::size_t k = 1; k < c.bins && k < max_bins; ++k)
    mel_of_bin[k] = hz_to_mel_htk(static_cast<double>(k) * (c.sample_rate / 2.0) / static_cast<double>(c.bins - 1));
  for (std::size_t m = 0; m < c.mels; ++m) {
    // numpy/tf linspace: lo + i * step, the last edge exactly hi.
    const double e0 = lo + static_cast<double>(m) * step;
    const double e1 = lo + static_cast<double>(m + 1) * step;
    const double e2 = m + 2 == c.mels + 1 ? hi : lo + static_cast<double>(m + 2) * step;
    for (std::size_t k = 1; k < c.bins && k < max_bins; ++k) {
      const double mk = mel_of_bin[k];
      if (mk <= e0) continue;
      if (mk >= e2) break;
      const double lower = (mk - e0) / (e1 - e0), upper = (e2 - mk) / (e2 - e1);
      const double w = lower < upper ? lower : upper;
      if (w > 0) f(m, k, w);
    }
  }
}
}  // namespace mel_detail

constexpr std::size_t mel_weight_count(const MelConfig& c) {
  std::size_t n = 0;
  mel_detail::for_each_weight(c, [&](std::size_t, std::size_t, double) { ++n; });
  return n;
}

template <std::size_t Mels, std::size_t Weights>
constexpr MelBank<Mels, Weights> make_mel_bank(const MelConfig& c) {
  MelBank<Mels, Weights> b{};
  std::size_t n = 0;
  std::size_t last_band = Mels;
  mel_detail::for_each_weight(c, [&](std::size_t m, std::size_t k, double w) {
    if (m != last_band) {
      b.first[m] = k;
      b.offset[m] = n;
      last_band = m;
    }
    ++b.count[m];
    b.weights[n++] = static_cast<float>(w);
  });
  return b;
}

// mel[m] = sum_k w[m][k] x[k].
template <std::size_t Mels, std::size_t W>
constexpr void apply_mel(const MelBank<Mels, W>& b, const float* x, float* mel) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t m = 0; m < Mels; ++m) {
    const float* w = b.weights + b.offset[m];
    const float* xs = x + b.first[m];
    float acc = 0.0f;
    for (std::size_t j = 0; j < b.count[m]; ++j) acc += w[j] * xs[j];
    mel[m] = acc;
  }
}

// c[k][m] = sqrt(2 / M) cos(pi k (2m + 1) / (2M)): tf.signal's DCT-II times rsqrt(2M).
template <std::size_t K, std::size_t M>
inline constexpr std::array<std::array<float, M>, K> mfcc_dct = [] {
  std::array<std::array<float, M>, K> t{};
  const double pi = 3.141592653589793238462643383279502884;
  const double scale = 2.0 / math::series::exp(0.5 * math::series::log(2.0 * static_cast<double>(M)));
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t m = 0; m < M; ++m)
      t[k][m] = static_cast<float>(scale * math::series::cos(pi * static_cast<double>(k) * static_cast<double>(2 * m + 1) /
                                                              (2.0 * static_cast<double>(M))));
  return t;
}();

template <std::size_t K, std::size_t M>
constexpr void dct_mfcc(const float* log_mel, float* out) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t k = 0; k < K; ++k) {
    float acc = 0.0f;
    for (std::size_t m = 0; m < M; ++m) acc += mfcc_dct<K, M>[k][m] * log_mel[m];
    out[k] = acc;
  }
}

}  // namespace ctml::kernels::signal
