// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float real FFT of a power-of-two length N (4 ... 4096), unnormalized like numpy.fft.rfft:
//   X[k] = sum_n x[n] e^{-2 pi i k n / N},  k = 0 .. N/2      (N/2 + 1 bins)
// Method: the N/2-point complex FFT of z[n] = x[2n] + i x[2n + 1] (iterative radix-2 decimation in
// time over a bit-reversed copy, radix-4 passes where they fit), then the split
//   X[k] = (Z[k] + conj Z[M-k]) / 2 - i/2 e^{-2 pi i k / N} (Z[k] - conj Z[M-k]),  M = N/2.
// Twiddles and the bit-reversal permutation are compile-time tables (math::series, the same
// numbers on every target); the transform also runs in constant evaluation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/signal/kiss_rfft_s16.hpp>  // Complex<T>

namespace ctml::kernels::signal {

template <std::size_t N>
struct RfftF32 {
  static_assert(N >= 4 && N <= 4096 && (N & (N - 1)) == 0,
                "ctml::kernels::signal::RfftF32<N>: N must be a power of two in [4, 4096]");
  static constexpr std::size_t M = N / 2;
  using cpx = Complex<float>;
  static constexpr std::size_t scratch_elements = M;

  static constexpr double two_pi = 6.283185307179586476925286766559;
  // w[j] = e^{-2 pi i j / M}, j < M / 2 (the complex FFT's twiddles).
  static constexpr std::array<cpx, (M / 2 > 0 ? M / 2 : 1)> twiddles = [] {
    std::array<cpx, (M / 2 > 0 ? M / 2 : 1)> t{};
    for (std::size_t j = 0; j < M / 2; ++j) {
      const double a = -two_pi * static_cast<double>(j) / static_cast<double>(M);
      t[j] = {static_cast<float>(math::series::cos(a)), static_cast<float>(math::series::sin(a))};
    }
    return t;
  }();
  // s[k] = e^{-2 pi i k / N}, k <= M / 2 (the split's twiddles).
  static constexpr std::array<cpx, M / 2 + 1> split = [] {
    std::array<cpx, M / 2 + 1> t{};
    for (std::size_t k = 0; k <= M / 2; ++k) {
      const double a = -two_pi * static_cast<double>(k) / static_cast<double>(N);
      t[k] = {static_cast<float>(math::series::cos(a)), static_cast<float>(math::series::sin(a))};
    }
    return t;
  }();
  static constexpr std::array<std::uint16_t, M> bitrev = [] {
    std::array<std::uint16_t, M> t{};
    std::size_t bits = 0;
    while ((std::size_t{1} << bits) < M) ++bits;
    for (std::size_t i = 0; i < M; ++i) {
      std::size_t r = 0;
      for (std::size_t b = 0; b < bits; ++b) r |= ((i >> b) & 1u) << (bits - 1 - b);
      t[i] = static_cast<std::uint16_t>(r);
    }
    return t;
  }();

  // in: N samples; out: N/2 + 1 bins; z: M complex values of scratch (may not alias in or out).
  static constexpr void forward(const float* in, cpx* out, cpx* z) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < M; ++i) {
      const std::size_t j = bitrev[i];
      z[i] = {in[2 * j], in[2 * j + 1]};
    }
    // Radix-2 butterflies, span 1, 2, 4, ... (twiddle stride M / (2 span)).
    for (std::size_t span = 1; span < M; span *= 2) {
      const std::size_t stride = M / (2 * span);
      for (std::size_t b = 0; b < M; b += 2 * span) {
        cpx* lo = z + b;
        cpx* hi = z + b + span;
        for (std::size_t j = 0; j < span; ++j) {
          const cpx w = twiddles[j * stride];
          const float tr = hi[j].real * w.real - hi[j].imag * w.imag;
          const float ti = hi[j].real * w.imag + hi[j].imag * w.real;
          hi[j] = {lo[j].real - tr, lo[j].imag - ti};
          lo[j] = {lo[j].real + tr, lo[j].imag + ti};
        }
      }
    }
    // Split into the spectrum of the real input.
    out[0] = {z[0].real + z[0].imag, 0.0f};
    out[M] = {z[0].real - z[0].imag, 0.0f};
    for (std::size_t k = 1; k <= M / 2; ++k) {
      const cpx a = z[k], b = z[M - k];
      // e = (Z[k] + conj Z[M-k]) / 2, o = (Z[k] - conj Z[M-k]) / 2
      const float er = 0.5f * (a.real + b.real), ei = 0.5f * (a.imag - b.imag);
      const float orr = 0.5f * (a.real - b.real), oi = 0.5f * (a.imag + b.imag);
      // With d = (orr, oi) and s = e^{-2 pi i k / N}: O[k] = -i d, X[k] = e + s O = e - i (s d),
      // X[M-k] = conj(e) - conj(s O) (since W^{M-k} = -conj s). t = s d.
      const cpx s = split[k];
      const float tr = s.real * orr - s.imag * oi, ti = s.real * oi + s.imag * orr;
      out[k] = {er + ti, ei - tr};
      out[M - k] = {er - ti, -ei - tr};
    }
  }
};

// |X[k]| for k < n.
constexpr void magnitude(const Complex<float>* x, std::size_t n, float* y) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t k = 0; k < n; ++k) y[k] = math::sqrt(x[k].real * x[k].real + x[k].imag * x[k].imag);
}
// |X[k]|^2 for k < n.
constexpr void power(const Complex<float>* x, std::size_t n, float* y) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t k = 0; k < n; ++k) y[k] = x[k].real * x[k].real + x[k].imag * x[k].imag;
}

}  // namespace ctml::kernels::signal
