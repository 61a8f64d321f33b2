// SPDX-License-Identifier: Apache-2.0
#pragma once
// sigmoid and tanh over float vectors, without libm: the gates of the recurrent kernels.
//   exp(x), x <= 0:  n = round(x / ln 2), r = x - n ln 2 (Cody-Waite, two parts), exp(r) by
//                    Cephes expf's degree-6 polynomial on [-ln2/2, ln2/2], times 2^n built in the
//                    exponent bits; x clamped to [-87, 0] (2^-126 is the smallest normal float)
//   sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) below, e = exp(-|x|)
//   tanh(x)    = x + x^3 P(x^2) for |x| < 0.625 (Cephes tanhf), else sign(x) (1 - e) / (1 + e),
//                e = exp(-2|x|)
// Measured against double precision over every 37th float (tests/layers/test_recurrent.cpp
// samples the same): sigmoid within 3 ulp for x > -80 (below, within 1e-37 absolute: the clamp),
// tanh within 1 ulp; +-inf give the limits, NaN in, NaN out. Branch-free arithmetic and
// selects, four lanes at a time in GCC vector types on SIMD hosts (libm's expf and tanhf are
// calls, one value at a time, and were most of a 16-unit GRU step). The constant evaluator runs
// the same float operations: the same bits, unless the compiler fuses multiply-adds at run time
// (GCC does for FMA targets; then within an ulp). For other types the loops call ctml::math
// (core/math.hpp).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <ctml/core/math.hpp>
#include <ctml/core/target.hpp>

namespace ctml::kernels {

namespace detail {
// exp(x) for x <= 0 (x above 0 is read as 0).
constexpr float exp_nonpositive(float x) {
  x = x > -87.0f ? x : -87.0f;  // (a NaN becomes -87 here; the callers restore it)
  x = x < 0.0f ? x : 0.0f;
  // round(x / ln 2) by the 1.5 * 2^23 trick: exact for |t| < 2^22, no libm call, no conversion of
  // an out-of-range float.
  const float t = x * 1.44269504088896341f;
  const float n = (t + 12582912.0f) - 12582912.0f;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const auto e = static_cast<std::int32_t>(n) + 127;  // n in [-126, 0]
  return p * std::bit_cast<float>(e << 23);
}

constexpr float sigmoid_f(float x) {
  const float a = x < 0.0f ? -x : x;
  const float e = exp_nonpositive(-a);
  const float s = 1.0f / (1.0f + e);
  const float y = x >= 0.0f ? s : e * s;
  return x != x ? x : y;
}

constexpr float tanh_f(float x) {
  const float a = x < 0.0f ? -x : x;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  const float e = exp_nonpositive(-2.0f * a);
  const float big = (1.0f - e) / (1.0f + e);
  const float y = a < 0.625f ? small : (x < 0.0f ? -big : big);
  return x != x ? x : y;
}

#if defined(CTML_HAVE_VECTOR_EXT)
// The same operations, four lanes at a time, in GCC vector types: the loop vectoriser does not
// if-convert the selects above ("control flow in loop"), vector selects are one blend each.
typedef float v4f __attribute__((vector_size(16)));
typedef std::int32_t v4i __attribute__((vector_size(16)));
inline v4f splat(float a) { return v4f{a, a, a, a}; }
inline v4f exp_nonpositive_v(v4f x) {
  x = x > splat(-87.0f) ? x : splat(-87.0f);
  x = x < splat(0.0f) ? x : splat(0.0f);
  const v4f t = x * 1.44269504088896341f;
  const v4f n = (t + 12582912.0f) - 12582912.0f;
  const v4f r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  v4f p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const v4i e = (__builtin_convertvector(n, v4i) + 127) << 23;
  return p * std::bit_cast<v4f>(e);
}
inline v4f sigmoid_v(v4f x) {
  const v4f a = x < splat(0.0f) ? -x : x;
  const v4f e = exp_nonpositive_v(-a);
  const v4f s = 1.0f / (1.0f + e);
  const v4f y = x >= splat(0.0f) ? s : e * s;
  return x != x ? x : y;
}
inline v4f tanh_v(v4f x) {
  const v4f a = x < splat(0.0f) ? -x : x;
  const v4f z = x * x;
  v4f p = splat(-5.70498872745e-3f);
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const v4f small = p * z * x + x;
  const v4f e = exp_nonpositive_v(-2.0f * a);
  const v4f big = (1.0f - e) / (1.0f + e);
  const v4f y = a < splat(0.625f) ? small : (x < splat(0.0f) ? -big : big);
  return x != x ? x : y;
}
#endif

// The two functions' forms: float (scalar and, on SIMD hosts, four lanes) and any other type.
struct Sigmoid {
  static constexpr float scalar(float x) { return sigmoid_f(x); }
  template <class T>
  static constexpr T generic(T x) { return math::sigmoid(x); }
#if defined(CTML_HAVE_VECTOR_EXT)
  static v4f vector(v4f x) { return sigmoid_v(x); }
#endif
};
struct Tanh {
  static constexpr float scalar(float x) { return tanh_f(x); }
  template <class T>
  static constexpr T generic(T x) { return math::tanh(x); }
#if defined(CTML_HAVE_VECTOR_EXT)
  static v4f vector(v4f x) { return tanh_v(x); }
#endif
};

// v[0, N) = Fn(v[0, N)).
template <class Fn, std::size_t N, class T>
constexpr void apply_inplace(T* v) {
  if constexpr (std::is_same_v<T, float>) {
#if defined(CTML_HAVE_VECTOR_EXT)
    if (!std::is_constant_evaluated()) {
      constexpr std::size_t Body = N - N % 4;  // compile-time bounds (GCC proves them)
      for (std::size_t i = 0; i < Body; i += 4) {
        v4f x;
        std::memcpy(&x, v + i, sizeof x);
        x = Fn::vector(x);
        std::memcpy(v + i, &x, sizeof x);
      }
      for (std::size_t i = Body; i < N; ++i) v[i] = Fn::scalar(v[i]);
      return;
    }
#endif
    for (std::size_t i = 0; i < N; ++i) v[i] = Fn::scalar(v[i]);
  } else {
    for (std::size_t i = 0; i < N; ++i) v[i] = Fn::generic(v[i]);
  }
}
}  // namespace detail

// v[0, N) = sigmoid(v[0, N)).
template <std::size_t N, class T>
constexpr void sigmoid_inplace(T* v) {
  detail::apply_inplace<detail::Sigmoid, N>(v);
}

// v[0, N) = tanh(v[0, N)).
template <std::size_t N, class T>
constexpr void tanh_inplace(T* v) {
  detail::apply_inplace<detail::Tanh, N>(v);
}

}  // namespace ctml::kernels
