// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float real FFT of a power-of-two length N (4 ... 4096), unnormalized like numpy.fft.rfft:
//   X[k] = sum_n x[n] e^{-2 pi i k n / N},  k = 0 .. N/2      (N/2 + 1 bins)
// Method: the N/2-point complex FFT of z[n] = x[2n] + i x[2n + 1] (iterative decimation in time
// over a bit-reversed copy: radix-4 passes, one radix-2 pass last when log2(N/2) is odd), then the split
//   X[k] = (Z[k] + conj Z[M-k]) / 2 - i/2 e^{-2 pi i k / N} (Z[k] - conj Z[M-k]),  M = N/2.
// Twiddles and the bit-reversal permutation are compile-time tables (math::series, the same
// numbers on every target); the transform also runs in constant evaluation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/signal/complex.hpp>

namespace ctml::kernels::signal {

template <std::size_t N>
struct RfftF32 {
  static_assert(N >= 4 && N <= 4096 && (N & (N - 1)) == 0,
                "ctml::kernels::signal::RfftF32<N>: N must be a power of two in [4, 4096]");
  static constexpr std::size_t M = N / 2;
  using cpx = Complex<float>;
  static constexpr std::size_t scratch_elements = M;

  static constexpr double two_pi = 6.283185307179586476925286766559;
  // w[j] = e^{-2 pi i j / M}, j < 3M / 4 (the complex FFT's twiddles; radix-4 passes use W^3j).
  static constexpr std::size_t twiddle_count = 3 * M / 4 > 0 ? 3 * M / 4 : 1;
  static constexpr std::array<cpx, twiddle_count> twiddles = [] {
    std::array<cpx, twiddle_count> t{};
    for (std::size_t j = 0; j < 3 * M / 4; ++j) {
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
  static constexpr std::size_t log2_m = [] {
    std::size_t b = 0;
    while ((std::size_t{1} << b) < M) ++b;
    return b;
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
    // Radix-2 passes of span s and 2s fused into one radix-4 pass over blocks of 4s (one load and
    // store of each element per two radix-2 stages, three complex products per four elements).
    // The input is in base-2 bit-reversed order, so within a block the four elements at j, j + s,
    // j + 2s, j + 3s are the DFT inputs x0, x2, x1, x3; with W = e^{-2 pi i / 4s}:
    //   X0 = x0 + W^2j x2 + (W^j x1 + W^3j x3)      X2 = x0 + W^2j x2 - (W^j x1 + W^3j x3)
    //   X1 = x0 - W^2j x2 - i (W^j x1 - W^3j x3)    X3 = x0 - W^2j x2 + i (W^j x1 - W^3j x3)
    // An odd number of radix-2 stages ends with one radix-2 pass (span M/2, twiddles W_M^j): fewer
    // products than a first radix-2 pass followed by radix-4 passes that all need twiddles.
    std::size_t span = 1;
    if constexpr (M >= 4) {
      // The first radix-4 pass (span 1) has only W^0 = 1: no products.
      for (std::size_t b = 0; b < M; b += 4) {
        const cpx x0 = z[b], x2 = z[b + 1], x1 = z[b + 2], x3 = z[b + 3];
        const float sr = x0.real + x2.real, si = x0.imag + x2.imag, dr = x0.real - x2.real, di = x0.imag - x2.imag;
        const float tr = x1.real + x3.real, ti = x1.imag + x3.imag, ur = x1.real - x3.real, ui = x1.imag - x3.imag;
        z[b] = {sr + tr, si + ti};
        z[b + 2] = {sr - tr, si - ti};
        z[b + 1] = {dr + ui, di - ur};
        z[b + 3] = {dr - ui, di + ur};
      }
      span = 4;
    }
    for (; 4 * span <= M; span *= 4) {
      const std::size_t stride = M / (4 * span);  // twiddle index step of W^j
      for (std::size_t b = 0; b < M; b += 4 * span) {
        cpx* p = z + b;
        for (std::size_t j = 0; j < span; ++j) {
          const cpx w1 = twiddles[j * stride], w2 = twiddles[2 * j * stride], w3 = twiddles[3 * j * stride];
          const cpx x0 = p[j], x2 = p[j + span], x1 = p[j + 2 * span], x3 = p[j + 3 * span];
          const float b2r = x2.real * w2.real - x2.imag * w2.imag, b2i = x2.real * w2.imag + x2.imag * w2.real;
          const float b1r = x1.real * w1.real - x1.imag * w1.imag, b1i = x1.real * w1.imag + x1.imag * w1.real;
          const float b3r = x3.real * w3.real - x3.imag * w3.imag, b3i = x3.real * w3.imag + x3.imag * w3.real;
          const float sr = x0.real + b2r, si = x0.imag + b2i;  // x0 + W^2j x2
          const float dr = x0.real - b2r, di = x0.imag - b2i;  // x0 - W^2j x2
          const float tr = b1r + b3r, ti = b1i + b3i;          // W^j x1 + W^3j x3
          const float ur = b1r - b3r, ui = b1i - b3i;          // W^j x1 - W^3j x3
          p[j] = {sr + tr, si + ti};
          p[j + 2 * span] = {sr - tr, si - ti};
          p[j + span] = {dr + ui, di - ur};      // - i u
          p[j + 3 * span] = {dr - ui, di + ur};  // + i u
        }
      }
    }
    if (span < M) {  // one radix-2 stage left: span = M / 2
      for (std::size_t j = 0; j < span; ++j) {
        const cpx w = twiddles[j];
        const cpx lo = z[j], hi = z[j + span];
        const float tr = hi.real * w.real - hi.imag * w.imag, ti = hi.real * w.imag + hi.imag * w.real;
        z[j + span] = {lo.real - tr, lo.imag - ti};
        z[j] = {lo.real + tr, lo.imag + ti};
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
