// SPDX-License-Identifier: Apache-2.0
#pragma once
// Power spectral density by Welch's method, as scipy.signal.welch(x, fs, window='hann',
// nperseg=N, noverlap=O, nfft=N, detrend='constant', return_onesided=True, scaling='density',
// average='mean') computes it:
//   segments start every N - O samples, floor((n - O) / (N - O)) of them;
//   each: subtract its mean, times a periodic Hann window w, |rfft|^2 / (fs sum w^2);
//   one-sided: bins 1 .. N/2 - 1 doubled; the mean over segments.  Units: x^2 / Hz.
// Then
//   band_energy(psd, fs, N, lo, hi)  sum of psd[k] * fs / N over bins with lo <= f_k < hi
//   spectral_peaks(psd, K, ...)      the K largest local maxima (psd[k] > both neighbours),
//                                    largest first, as (bin, frequency, value)
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/signal/rfft_f32.hpp>
#include <ctml/kernels/signal/window.hpp>

namespace ctml::kernels::signal {

template <std::size_t N>
struct WelchScratch {
  float segment[N];
  Complex<float> spectrum[N / 2 + 1];
  Complex<float> z[N / 2];
};

// psd: N / 2 + 1 values. Returns the number of segments averaged (0 if n < N: psd all zero).
template <std::size_t N>
constexpr std::size_t welch_psd(const float* x, std::size_t n, float fs, std::size_t overlap, float* psd, WelchScratch<N>& w,
                                std::size_t stride = 1) {
  ::ctml::detail::side_effect_fence();
  static_assert(N >= 4, "ctml::kernels::signal::welch_psd: segments of at least 4 samples");
  constexpr std::size_t bins = N / 2 + 1;
  const auto& win = hann_periodic<N>;
  for (std::size_t k = 0; k < bins; ++k) psd[k] = 0.0f;
  if (overlap >= N || n < N) return 0;
  const std::size_t step = N - overlap;
  const std::size_t segments = (n - overlap) / step;
  float wsum = 0;
  for (std::size_t i = 0; i < N; ++i) wsum += win[i] * win[i];
  for (std::size_t s = 0; s < segments; ++s) {
    const float* seg = x + s * step * stride;
    float mean = 0;
    for (std::size_t i = 0; i < N; ++i) mean += seg[i * stride];
    mean /= static_cast<float>(N);
    for (std::size_t i = 0; i < N; ++i) w.segment[i] = (seg[i * stride] - mean) * win[i];
    RfftF32<N>::forward(w.segment, w.spectrum, w.z);
    for (std::size_t k = 0; k < bins; ++k)
      psd[k] += w.spectrum[k].real * w.spectrum[k].real + w.spectrum[k].imag * w.spectrum[k].imag;
  }
  const float scale = 1.0f / (fs * wsum * static_cast<float>(segments));
  for (std::size_t k = 0; k < bins; ++k) psd[k] *= (k == 0 || k == N / 2) ? scale : 2.0f * scale;
  return segments;
}

// The energy (x^2) in [lo_hz, hi_hz): sum of psd[k] * fs / N over the bins k fs / N in the band.
constexpr float band_energy(const float* psd, std::size_t bins, float fs, std::size_t n_fft, float lo_hz, float hi_hz) {
  const float df = fs / static_cast<float>(n_fft);
  float e = 0;
  for (std::size_t k = 0; k < bins; ++k) {
    const float f = static_cast<float>(k) * df;
    if (f >= lo_hz && f < hi_hz) e += psd[k];
  }
  return e * df;
}

struct SpectralPeak {
  std::size_t bin;
  float frequency;
  float value;
};

// The K largest local maxima, largest first; fewer than K found: the rest are {0, 0, 0}.
template <std::size_t K>
constexpr void spectral_peaks(const float* psd, std::size_t bins, float fs, std::size_t n_fft, SpectralPeak (&out)[K]) {
  ::ctml::detail::side_effect_fence();
  for (auto& p : out) p = {0, 0.0f, 0.0f};
  std::size_t found = 0;
  for (std::size_t k = 1; k + 1 < bins; ++k) {
    const float v = psd[k];
    if (!(v > psd[k - 1] && v > psd[k + 1])) continue;
    // Insert into the sorted list (descending); ties keep the lower bin first.
    std::size_t pos = found < K ? found : K;
    while (pos > 0 && out[pos - 1].value < v) --pos;
    if (pos >= K) continue;
    for (std::size_t j = (found < K ? found : K - 1); j > pos; --j) out[j] = out[j - 1];
    out[pos] = {k, static_cast<float>(k) * fs / static_cast<float>(n_fft), v};
    if (found < K) ++found;
  }
}

}  // namespace ctml::kernels::signal
