// SPDX-License-Identifier: Apache-2.0
#pragma once
// Time-domain statistics of a window of samples (vibration, motion, any sensor), as numpy and
// scipy.stats define them (population moments, bias=True):
//   mean      (1/n) sum x
//   rms       sqrt((1/n) sum x^2)
//   std       sqrt(m2), m_k = (1/n) sum (x - mean)^k
//   skewness  m3 / m2^(3/2)                          (scipy.stats.skew)
//   kurtosis  m4 / m2^2 - 3  (excess, Fisher)        (scipy.stats.kurtosis)
//   peak      max |x|;  crest factor  peak / rms
//   zcr       sign changes / (n - 1), a sample >= 0 counting as positive
// Two passes (mean, then central moments) in float with compensated (Kahan) sums: a window with a
// large offset (gravity on an accelerometer axis) keeps its small skewness to ~1e-6; a constant
// window has skewness and kurtosis 0.
// `stride` reads one axis of interleaved multi-axis data (x[0], x[stride], ...).
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>

namespace ctml::kernels::signal {

// A float sum with Kahan's compensation (the rounding of each addition carried to the next).
struct KahanSum {
  float sum = 0.0f, carry = 0.0f;
  constexpr void add(float v) {
    const float y = v - carry;
    const float t = sum + y;
    carry = (t - sum) - y;
    sum = t;
  }
};

struct Statistics {
  float mean, rms, std, skewness, kurtosis, peak, crest_factor, zero_crossing_rate;
};

constexpr Statistics statistics(const float* x, std::size_t n, std::size_t stride = 1) {
  ::ctml::detail::side_effect_fence();
  Statistics s{};
  if (n == 0) return s;
  KahanSum sum, sq;
  float peak = 0;
  std::size_t crossings = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float v = x[i * stride];
    sum.add(v);
    sq.add(v * v);
    const float a = v < 0 ? -v : v;
    peak = a > peak ? a : peak;
    if (i > 0 && ((x[(i - 1) * stride] >= 0) != (v >= 0))) ++crossings;
  }
  const float inv = 1.0f / static_cast<float>(n);
  s.mean = sum.sum * inv;
  s.rms = math::sqrt(sq.sum * inv);
  // Moments about the float mean c, then shifted to the true mean c + r (r: the mean of x - c,
  // what rounding the mean to float left over): m2 = M2 - r^2, m3 = M3 - 3 r M2 + 2 r^3,
  // m4 = M4 - 4 r M3 + 6 r^2 M2 - 3 r^4.
  KahanSum c1, c2, c3, c4;
  for (std::size_t i = 0; i < n; ++i) {
    const float d = x[i * stride] - s.mean, d2 = d * d;
    c1.add(d);
    c2.add(d2);
    c3.add(d2 * d);
    c4.add(d2 * d2);
  }
  const float r = c1.sum * inv, M2 = c2.sum * inv, M3 = c3.sum * inv, M4 = c4.sum * inv;
  const float m2 = M2 - r * r;
  const float m3 = M3 - 3.0f * r * M2 + 2.0f * r * r * r;
  const float m4 = M4 - 4.0f * r * M3 + 6.0f * r * r * M2 - 3.0f * r * r * r * r;
  s.std = math::sqrt(m2);
  s.skewness = m2 > 0 ? m3 / (m2 * s.std) : 0.0f;
  s.kurtosis = m2 > 0 ? m4 / (m2 * m2) - 3.0f : 0.0f;
  s.peak = peak;
  s.crest_factor = s.rms > 0 ? peak / s.rms : 0.0f;
  // Both conversions unconditional (crossings is 0 when n == 1): see vibration.hpp on GCC 12 / M55.
  const float pairs = static_cast<float>(n > 1 ? n - 1 : 1);
  s.zero_crossing_rate = static_cast<float>(crossings) / pairs;
  return s;
}

}  // namespace ctml::kernels::signal
