// SPDX-License-Identifier: Apache-2.0
#pragma once
// Bin k of the double-precision DFT of n real samples, X[k] = sum x[j] e^{-2 pi i k j / n}: the
// independent reference of the FFT tests. The phasor is rotated rather than evaluated per term
// (cheap on soft-float cores; its rounding stays near 1e-12 of the bin).
#include <cmath>
#include <cstddef>

namespace ctml::test {

struct DftBin {
  double re, im;
};

template <class T>
DftBin dft_bin(const T* x, std::size_t n, std::size_t k) {
  const double a = 2 * 3.14159265358979323846 * static_cast<double>(k) / static_cast<double>(n);
  const double wr = std::cos(a), wi = -std::sin(a);
  double pr = 1, pi = 0, re = 0, im = 0;
  for (std::size_t j = 0; j < n; ++j) {
    re += static_cast<double>(x[j]) * pr;
    im += static_cast<double>(x[j]) * pi;
    const double t = pr * wr - pi * wi;
    pi = pr * wi + pi * wr;
    pr = t;
  }
  return {re, im};
}

}  // namespace ctml::test
