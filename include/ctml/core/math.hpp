// SPDX-License-Identifier: Apache-2.0
#pragma once
// Transcendentals that work in constant expressions. At run time they forward to <cmath>, which is
// faster and exact to the last ulp; in a constant expression they use range-reduced series whose
// error is below float epsilon, so a constexpr forward pass agrees with the run-time one to ~1e-6.
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

namespace ctml::math {

namespace detail {
// exp(x) = 2^k * exp(r), r = x - k ln2, |r| <= ln2/2; Taylor series on r in double.
constexpr double exp_ce(double x) {
  if (x != x) return x;
  if (x > 709.0) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0.0;
  constexpr double ln2 = 0.6931471805599453094;
  const double kf = x / ln2;
  const long long k = static_cast<long long>(kf < 0 ? kf - 0.5 : kf + 0.5);
  const double r = x - static_cast<double>(k) * ln2;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 30; ++n) {
    term *= r / n;
    sum += term;
  }
  double p = 1.0;
  if (k >= 0)
    for (long long i = 0; i < k; ++i) p *= 2.0;
  else
    for (long long i = 0; i < -k; ++i) p *= 0.5;
  return sum * p;
}
// log(x) for x > 0: reduce to m in [1,2) by powers of two, then atanh series.
constexpr double log_ce(double x) {
  if (x != x || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  constexpr double ln2 = 0.6931471805599453094;
  int e = 0;
  while (x >= 2.0) { x *= 0.5; ++e; }
  while (x < 1.0) { x *= 2.0; --e; }
  const double z = (x - 1.0) / (x + 1.0), z2 = z * z;
  double term = z, sum = 0.0;
  for (int n = 1; n < 80; n += 2) {
    sum += term / n;
    term *= z2;
  }
  return 2.0 * sum + e * ln2;
}
}  // namespace detail

// The series themselves, in double, for tables that must be the same numbers on every target and
// in every build (front-end windows, twiddles, filter banks: they are computed by the compiler,
// never by the target's libm). sin/cos: reduction by multiples of pi/2 with pi/2 in two parts,
// then Taylor series on |r| <= pi/4; error ~1e-16 for |x| up to a few thousand.
namespace series {
constexpr double exp(double x) { return detail::exp_ce(x); }
constexpr double log(double x) { return detail::log_ce(x); }
// log(1 + x) without the cancellation of log(1 + x) for small x: with u = 1 + x rounded,
// log1p(x) = log(u) * x / (u - 1).
constexpr double log1p(double x) {
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  return detail::log_ce(u) * (x / (u - 1.0));
}
constexpr double pow(double a, double b) { return a == 0.0 ? 0.0 : detail::exp_ce(b * detail::log_ce(a)); }

namespace detail_trig {
constexpr double pio2_hi = 1.57079632679489655800e+00;  // pi/2 = pio2_hi + pio2_lo
constexpr double pio2_lo = 6.12323399573676603587e-17;
constexpr double sin_poly(double r) {  // |r| <= pi/4
  const double r2 = r * r;
  double term = r, sum = r;
  for (int n = 1; n < 12; ++n) {
    term *= -r2 / ((2.0 * n) * (2.0 * n + 1.0));
    sum += term;
  }
  return sum;
}
constexpr double cos_poly(double r) {
  const double r2 = r * r;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 12; ++n) {
    term *= -r2 / ((2.0 * n - 1.0) * (2.0 * n));
    sum += term;
  }
  return sum;
}
// x = k * pi/2 + r; returns r and k mod 4.
constexpr double reduce(double x, int& quadrant) {
  const double kf = x / (2.0 * pio2_hi);
  const double t = kf * 2.0;
  const long long k = static_cast<long long>(t < 0 ? t - 0.5 : t + 0.5);
  const double r = (x - static_cast<double>(k) * pio2_hi) - static_cast<double>(k) * pio2_lo;
  quadrant = static_cast<int>(((k % 4) + 4) % 4);
  return r;
}
}  // namespace detail_trig

constexpr double sin(double x) {
  int q = 0;
  const double r = detail_trig::reduce(x, q);
  switch (q) {
    case 0: return detail_trig::sin_poly(r);
    case 1: return detail_trig::cos_poly(r);
    case 2: return -detail_trig::sin_poly(r);
    default: return -detail_trig::cos_poly(r);
  }
}
constexpr double cos(double x) {
  int q = 0;
  const double r = detail_trig::reduce(x, q);
  switch (q) {
    case 0: return detail_trig::cos_poly(r);
    case 1: return -detail_trig::sin_poly(r);
    case 2: return -detail_trig::cos_poly(r);
    default: return detail_trig::sin_poly(r);
  }
}
}  // namespace series

template <class T>
constexpr T exp(T x) {
  if (std::is_constant_evaluated()) return static_cast<T>(detail::exp_ce(static_cast<double>(x)));
  return std::exp(x);
}

template <class T>
constexpr T log(T x) {
  if (std::is_constant_evaluated()) return static_cast<T>(detail::log_ce(static_cast<double>(x)));
  return std::log(x);
}

// tanh via exp of a non-positive argument, so it never overflows.
template <class T>
constexpr T tanh(T x) {
  if (std::is_constant_evaluated()) {
    const double d = static_cast<double>(x);
    const double a = d < 0 ? -d : d;
    const double e = detail::exp_ce(-2.0 * a);
    const double t = (1.0 - e) / (1.0 + e);
    return static_cast<T>(d < 0 ? -t : t);
  }
  return std::tanh(x);
}

template <class T>
constexpr T sigmoid(T x) {
  if (std::is_constant_evaluated()) {
    const double d = static_cast<double>(x);
    if (d >= 0) return static_cast<T>(1.0 / (1.0 + detail::exp_ce(-d)));
    const double e = detail::exp_ce(d);
    return static_cast<T>(e / (1.0 + e));
  }
  return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
}

template <class T>
constexpr T sqrt(T x) {
  if (std::is_constant_evaluated()) {
    double d = static_cast<double>(x);
    if (d < 0 || d != d) return std::numeric_limits<T>::quiet_NaN();
    if (d == 0 || d == std::numeric_limits<double>::infinity()) return x;
    double g = d < 1 ? 1.0 : d;
    for (int i = 0; i < 200; ++i) {
      const double n = 0.5 * (g + d / g);
      if (n == g) break;
      g = n;
    }
    return static_cast<T>(g);
  }
  return std::sqrt(x);
}

template <class T>
constexpr T abs(T x) { return x < T(0) ? -x : x; }
template <class T>
constexpr T max(T a, T b) { return a < b ? b : a; }
template <class T>
constexpr T min(T a, T b) { return b < a ? b : a; }
template <class T>
constexpr T clamp(T v, T lo, T hi) { return v < lo ? lo : (hi < v ? hi : v); }

// numpy.round / Python's round: to the nearest integer, halves to even. For v >= 0.
constexpr long long round_half_even(double v) {
  const long long f = static_cast<long long>(v);
  const double d = v - static_cast<double>(f);
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 == 0 ? f : f + 1;
}

// The smallest power of two >= n (1 for n = 0): FFT sizes for a window length.
constexpr std::size_t next_power_of_two(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p *= 2;
  return p;
}

}  // namespace ctml::math
