// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float real FFT of a power-of-two length N (4 ... 4096), unnormalized like numpy.fft.rfft:
//   X[k] = sum_n x[n] e^{-2 pi i k n / N},  k = 0 .. N/2      (N/2 + 1 bins)
// Method: the M = N/2-point complex FFT of z[n] = x[2n] + i x[2n + 1], then the split
//   X[k] = (Z[k] + conj Z[M-k]) / 2 - i/2 e^{-2 pi i k / N} (Z[k] - conj Z[M-k]).
// The complex FFT is Stockham's self-sorting radix-4 decimation in frequency (one radix-2 stage
// last when log2 M is odd): natural order in and out, no bit-reversal pass. A stage of length n
// and stride s (n s = M) maps, for p < n/4 and q < s, with W = e^{-2 pi i / n}:
//   a, b, c, d = x[q + s (p + k n/4)], k = 0..3
//   y[q + s (4p)]     =          (a + c) +   (b + d)
//   y[q + s (4p + 1)] = W^p   ((a - c) - i (b - d))
//   y[q + s (4p + 2)] = W^2p  ((a + c) -   (b + d))
//   y[q + s (4p + 3)] = W^3p  ((a - c) + i (b - d))
// then n /= 4, s *= 4. Stages alternate between the scratch and the output array; the last one
// writes Z to the output in natural order and the split runs there in place.
//
// One algorithm, two widths: the scalar code (Cortex-M, constant evaluation, CTML_NO_SIMD) and
// the four-lane code (hosts with vector extensions, N >= 32) compute every element with the same
// operations in the same order, so they give the same floats. The four-lane code keeps its
// intermediate arrays in blocks of four real parts then four imaginary parts (a layout private to
// this file) and vectorizes over q, or over p in the first stage (s = 1) with a 4 x 4 transpose.
// Twiddles are compile-time tables (math::series: the same numbers on every target); the
// transform also runs in constant evaluation.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/signal/complex.hpp>

namespace ctml::kernels::signal {

namespace rfft_f32_detail {
// A complex value of one lane type (float, or four floats).
template <class L>
struct Cx {
  L re, im;
};
template <class L>
constexpr Cx<L> operator+(Cx<L> a, Cx<L> b) { return {a.re + b.re, a.im + b.im}; }
template <class L>
constexpr Cx<L> operator-(Cx<L> a, Cx<L> b) { return {a.re - b.re, a.im - b.im}; }
// i a
template <class L>
constexpr Cx<L> times_i(Cx<L> a) { return {-a.im, a.re}; }
// w x
template <class L>
constexpr Cx<L> times(Cx<L> w, Cx<L> x) { return {w.re * x.re - w.im * x.im, w.re * x.im + w.im * x.re}; }

#if defined(CTML_HAVE_VECTOR_EXT)
typedef float f32x4 __attribute__((vector_size(16)));
// Buffers are read and written as bytes (memcpy): a Complex<float> array holds the four-lane
// layout without any type punning.
inline f32x4 load4(const void* base, std::size_t float_index) {
  f32x4 v;
  std::memcpy(&v, static_cast<const unsigned char*>(base) + 4 * float_index, sizeof v);
  return v;
}
inline void store4(void* base, std::size_t float_index, f32x4 v) {
  std::memcpy(static_cast<unsigned char*>(base) + 4 * float_index, &v, sizeof v);
}
inline f32x4 splat(float x) { return f32x4{x, x, x, x}; }
// Complex elements e .. e + 3 (e a multiple of 4), blocked layout: 4 real parts, 4 imaginary.
inline Cx<f32x4> load_blocked(const void* b, std::size_t e) { return {load4(b, 2 * e), load4(b, 2 * e + 4)}; }
inline void store_blocked(void* b, std::size_t e, Cx<f32x4> v) {
  store4(b, 2 * e, v.re);
  store4(b, 2 * e + 4, v.im);
}
// Complex elements e .. e + 3, interleaved (re, im, re, im, ...): Complex<float> order.
inline Cx<f32x4> load_interleaved(const void* b, std::size_t e) {
  const f32x4 u = load4(b, 2 * e), v = load4(b, 2 * e + 4);
  return {__builtin_shufflevector(u, v, 0, 2, 4, 6), __builtin_shufflevector(u, v, 1, 3, 5, 7)};
}
inline void store_interleaved(void* b, std::size_t e, Cx<f32x4> x) {
  store4(b, 2 * e, __builtin_shufflevector(x.re, x.im, 0, 4, 1, 5));
  store4(b, 2 * e + 4, __builtin_shufflevector(x.re, x.im, 2, 6, 3, 7));
}
inline f32x4 reversed(f32x4 v) { return __builtin_shufflevector(v, v, 3, 2, 1, 0); }
inline void transpose(f32x4& a, f32x4& b, f32x4& c, f32x4& d) {
  const f32x4 ab_lo = __builtin_shufflevector(a, b, 0, 4, 1, 5), ab_hi = __builtin_shufflevector(a, b, 2, 6, 3, 7);
  const f32x4 cd_lo = __builtin_shufflevector(c, d, 0, 4, 1, 5), cd_hi = __builtin_shufflevector(c, d, 2, 6, 3, 7);
  a = __builtin_shufflevector(ab_lo, cd_lo, 0, 1, 4, 5);
  b = __builtin_shufflevector(ab_lo, cd_lo, 2, 3, 6, 7);
  c = __builtin_shufflevector(ab_hi, cd_hi, 0, 1, 4, 5);
  d = __builtin_shufflevector(ab_hi, cd_hi, 2, 3, 6, 7);
}
#endif
}  // namespace rfft_f32_detail

template <std::size_t N>
struct RfftF32 {
  static_assert(N >= 4 && N <= 4096 && (N & (N - 1)) == 0,
                "ctml::kernels::signal::RfftF32<N>: N must be a power of two in [4, 4096]");
  static constexpr std::size_t M = N / 2;
  using cpx = Complex<float>;
  static constexpr std::size_t scratch_elements = M;

  static constexpr double two_pi = 6.283185307179586476925286766559;
  static constexpr cpx unit(std::size_t k, std::size_t n) {  // e^{-2 pi i k / n}
    const double a = -two_pi * static_cast<double>(k) / static_cast<double>(n);
    return {static_cast<float>(math::series::cos(a)), static_cast<float>(math::series::sin(a))};
  }

  // Stage i: n = M / 4^i, s = 4^i, radix 4 while n >= 4, then radix 2 if n = 2.
  static constexpr std::size_t stage_count = [] {
    std::size_t c = 0;
    for (std::size_t n = M; n > 1; n /= (n >= 4 ? 4 : 2)) ++c;
    return c;
  }();
  // Twiddles of the radix-4 stages with n > 4, stage by stage: for each p < n/4, W^p, W^2p, W^3p.
  static constexpr std::size_t twiddle_count = [] {
    std::size_t c = 0;
    for (std::size_t n = M; n > 4; n /= 4) c += 3 * (n / 4);
    return c > 0 ? c : 1;
  }();
  static constexpr std::array<cpx, twiddle_count> twiddles = [] {
    std::array<cpx, twiddle_count> t{};
    std::size_t i = 0;
    for (std::size_t n = M; n > 4; n /= 4)
      for (std::size_t p = 0; p < n / 4; ++p)
        for (std::size_t k = 1; k <= 3; ++k) t[i++] = unit(k * p, n);
    return t;
  }();
  static constexpr std::size_t twiddle_offset(std::size_t n) {  // where stage n's twiddles start
    std::size_t o = 0;
    for (std::size_t m = M; m > n; m /= 4) o += 3 * (m / 4);
    return o;
  }
  // The split's twiddles s[k] = e^{-2 pi i k / N}, k <= M / 2.
  static constexpr std::array<cpx, M / 2 + 1> split = [] {
    std::array<cpx, M / 2 + 1> t{};
    for (std::size_t k = 0; k <= M / 2; ++k) t[k] = unit(k, N);
    return t;
  }();

  // The four-lane code's copies, four lanes side by side: stage 0's twiddles for p .. p + 3 as
  // [W^p re x4, W^p im x4, W^2p re x4, ..., W^3p im x4] per group of four p; the split's as
  // [re x4, im x4] per group of four k (k = 4j .. 4j + 3).
  static constexpr std::size_t lane_twiddle_count = M > 4 ? 6 * (M / 4) : 1;
  static constexpr std::array<float, lane_twiddle_count> lane_twiddles = [] {
    std::array<float, lane_twiddle_count> t{};
    if constexpr (M > 4) {
      for (std::size_t p = 0; p < M / 4; ++p)
        for (std::size_t k = 0; k < 3; ++k) {
          const cpx w = twiddles[3 * p + k];
          t[24 * (p / 4) + 8 * k + p % 4] = w.real;
          t[24 * (p / 4) + 8 * k + 4 + p % 4] = w.imag;
        }
    }
    return t;
  }();
  // Stages 1, 2, ... (s >= 4, n > 4) use one twiddle for all four lanes: [W^p re x4, W^p im x4,
  // W^2p ..., W^3p im x4] per p, stage after stage, so that the four-lane code loads them ready.
  static constexpr std::size_t splat_twiddle_count = [] {
    std::size_t c = 0;
    for (std::size_t n = M / 4; n > 4; n /= 4) c += 24 * (n / 4);
    return c > 0 ? c : 1;
  }();
  static constexpr std::array<float, splat_twiddle_count> splat_twiddles = [] {
    std::array<float, splat_twiddle_count> t{};
    std::size_t i = 0;
    for (std::size_t n = M / 4; n > 4; n /= 4)
      for (std::size_t p = 0; p < n / 4; ++p)
        for (std::size_t k = 0; k < 3; ++k) {
          const cpx w = twiddles[twiddle_offset(n) + 3 * p + k];
          for (std::size_t l = 0; l < 4; ++l) t[i + l] = w.real;
          for (std::size_t l = 0; l < 4; ++l) t[i + 4 + l] = w.imag;
          i += 8;
        }
    return t;
  }();
  static constexpr std::size_t splat_offset(std::size_t n) {
    std::size_t o = 0;
    for (std::size_t m = M / 4; m > n; m /= 4) o += 24 * (m / 4);
    return o;
  }
  static constexpr std::size_t lane_split_count = 2 * (M / 2 + 4);
  static constexpr std::array<float, lane_split_count> lane_split = [] {
    std::array<float, lane_split_count> t{};
    for (std::size_t k = 0; k <= M / 2; ++k) {
      t[8 * (k / 4) + k % 4] = split[k].real;
      t[8 * (k / 4) + 4 + k % 4] = split[k].imag;
    }
    return t;
  }();

  // in: N samples; out: N/2 + 1 bins; z: M complex values of scratch (may not alias in or out).
  static constexpr void forward(const float* in, cpx* out, cpx* z) {
    ::ctml::detail::side_effect_fence();
#if defined(CTML_HAVE_VECTOR_EXT)
    if constexpr (M >= 16) {
      if (!std::is_constant_evaluated()) {
        stages<0, 4>(in, out, z);
        split_pass<4>(z, out);
        return;
      }
    }
#endif
    stages<0, 1>(in, out, z);
    split_pass<1>(z, out);
  }

 private:
  template <class L>
  using Cx = rfft_f32_detail::Cx<L>;

  // Stage I with W lanes; its source is `in` (I = 0) or the buffer the previous stage wrote. The
  // last stage writes z (where the split reads Z), the one before it out, alternating backwards.
  template <std::size_t I, std::size_t W>
  static constexpr void stages(const float* in, cpx* out, cpx* z) {
    constexpr std::size_t s = std::size_t{1} << (2 * I);
    constexpr std::size_t n = M / s;
    constexpr bool last = I + 1 == stage_count;
    constexpr bool to_out = (stage_count - 1 - I) % 2 == 1;
    cpx* dst = to_out ? out : z;
    const cpx* src = I == 0 ? nullptr : (to_out ? z : out);
    if constexpr (n >= 4) radix4<I, n, s, W>(in, src, dst);
    else radix2<I, s, W>(in, src, dst);
    if constexpr (!last) stages<I + 1, W>(in, out, z);
  }

  // Scalar access: stage 0 reads the real input as complex pairs; all buffers are Complex<float>.
  template <std::size_t I>
  static constexpr Cx<float> get(const float* in, const cpx* src, std::size_t e) {
    if constexpr (I == 0) return {in[2 * e], in[2 * e + 1]};
    else return {src[e].real, src[e].imag};
  }

  template <std::size_t I, std::size_t n, std::size_t s, std::size_t W>
  static constexpr void radix4(const float* in, const cpx* src, cpx* dst) {
    constexpr std::size_t n1 = n / 4;
    [[maybe_unused]] const cpx* tw = twiddles.data() + twiddle_offset(n);
    if constexpr (W == 1) {
      for (std::size_t p = 0; p < n1; ++p) {
        Cx<float> w1{1, 0}, w2{1, 0}, w3{1, 0};
        if constexpr (n > 4) {
          w1 = {tw[3 * p].real, tw[3 * p].imag};
          w2 = {tw[3 * p + 1].real, tw[3 * p + 1].imag};
          w3 = {tw[3 * p + 2].real, tw[3 * p + 2].imag};
        }
        for (std::size_t q = 0; q < s; ++q) {
          const Four<float> y = butterfly<n>(get<I>(in, src, q + s * p), get<I>(in, src, q + s * (p + n1)),
                                             get<I>(in, src, q + s * (p + 2 * n1)), get<I>(in, src, q + s * (p + 3 * n1)), w1, w2, w3);
          dst[q + s * (4 * p)] = {y.y[0].re, y.y[0].im};
          dst[q + s * (4 * p + 1)] = {y.y[1].re, y.y[1].im};
          dst[q + s * (4 * p + 2)] = {y.y[2].re, y.y[2].im};
          dst[q + s * (4 * p + 3)] = {y.y[3].re, y.y[3].im};
        }
      }
    }
#if defined(CTML_HAVE_VECTOR_EXT)
    else {
      namespace d = rfft_f32_detail;
      using V = d::f32x4;
      if constexpr (s == 1) {
        // Four p per step; the outputs of p land in block p (lanes k): a transpose.
        static_assert(n1 % 4 == 0);
        for (std::size_t p = 0; p < n1; p += 4) {
          const Cx<V> a = d::load_interleaved(in, p), b = d::load_interleaved(in, p + n1);
          const Cx<V> c = d::load_interleaved(in, p + 2 * n1), e = d::load_interleaved(in, p + 3 * n1);
          const Cx<V> w1 = vector_twiddle<n>(p, 0), w2 = vector_twiddle<n>(p, 1), w3 = vector_twiddle<n>(p, 2);
          Four<V> f = butterfly<n>(a, b, c, e, w1, w2, w3);
          Cx<V>* y = f.y;
          d::transpose(y[0].re, y[1].re, y[2].re, y[3].re);
          d::transpose(y[0].im, y[1].im, y[2].im, y[3].im);
          d::store_blocked(dst, 4 * p, y[0]);
          d::store_blocked(dst, 4 * p + 4, y[1]);
          d::store_blocked(dst, 4 * p + 8, y[2]);
          d::store_blocked(dst, 4 * p + 12, y[3]);
        }
      } else {
        for (std::size_t p = 0; p < n1; ++p) {
          Cx<V> w1{d::splat(1), d::splat(0)}, w2 = w1, w3 = w1;
          if constexpr (n > 4) {
            const float* t = splat_twiddles.data() + splat_offset(n) + 24 * p;
            w1 = {d::load4(t, 0), d::load4(t, 4)};
            w2 = {d::load4(t, 8), d::load4(t, 12)};
            w3 = {d::load4(t, 16), d::load4(t, 20)};
          }
          for (std::size_t q = 0; q < s; q += 4) {
            const Cx<V> a = d::load_blocked(src, q + s * p), b = d::load_blocked(src, q + s * (p + n1));
            const Cx<V> c = d::load_blocked(src, q + s * (p + 2 * n1)), e = d::load_blocked(src, q + s * (p + 3 * n1));
            const Four<V> f = butterfly<n>(a, b, c, e, w1, w2, w3);
            d::store_blocked(dst, q + s * (4 * p), f.y[0]);
            d::store_blocked(dst, q + s * (4 * p + 1), f.y[1]);
            d::store_blocked(dst, q + s * (4 * p + 2), f.y[2]);
            d::store_blocked(dst, q + s * (4 * p + 3), f.y[3]);
          }
        }
      }
    }
#endif
  }

#if defined(CTML_HAVE_VECTOR_EXT)
  // Twiddle k + 1 (W^{(k+1) p}) of stage 0 for p .. p + 3, one per lane.
  template <std::size_t n>
  static rfft_f32_detail::Cx<rfft_f32_detail::f32x4> vector_twiddle(std::size_t p, std::size_t k) {
    if constexpr (n <= 4) {
      return {rfft_f32_detail::splat(1), rfft_f32_detail::splat(0)};
    } else {
      static_assert(n == M, "lane twiddles exist for stage 0");
      const float* t = lane_twiddles.data() + 6 * p + 8 * k;  // 24 per group of four p
      return {rfft_f32_detail::load4(t, 0), rfft_f32_detail::load4(t, 4)};
    }
  }
#endif

  // The radix-4 butterfly of the header comment (n = 4: no twiddles).
  template <class L>
  struct Four {
    Cx<L> y[4];
  };
  template <std::size_t n, class L>
  static constexpr Four<L> butterfly(Cx<L> a, Cx<L> b, Cx<L> c, Cx<L> d, Cx<L> w1, Cx<L> w2, Cx<L> w3) {
    namespace r = rfft_f32_detail;
    const Cx<L> apc = a + c, amc = a - c, bpd = b + d, jbmd = r::times_i(b - d);
    if constexpr (n > 4) return {{apc + bpd, r::times(w1, amc - jbmd), r::times(w2, apc - bpd), r::times(w3, amc + jbmd)}};
    else return {{apc + bpd, amc - jbmd, apc - bpd, amc + jbmd}};
  }

  // The last stage when log2 M is odd: n = 2, s = M / 2, no twiddles: y[q] = a + b, y[q + s] = a - b.
  template <std::size_t I, std::size_t s, std::size_t W>
  static constexpr void radix2(const float* in, const cpx* src, cpx* dst) {
    if constexpr (W == 1) {
      for (std::size_t q = 0; q < s; ++q) {
        const Cx<float> a = get<I>(in, src, q), b = get<I>(in, src, q + s);
        const Cx<float> u = a + b, v = a - b;
        dst[q] = {u.re, u.im};
        dst[q + s] = {v.re, v.im};
      }
    }
#if defined(CTML_HAVE_VECTOR_EXT)
    else {
      namespace d = rfft_f32_detail;
      for (std::size_t q = 0; q < s; q += 4) {
        const auto a = d::load_blocked(src, q), b = d::load_blocked(src, q + s);
        d::store_blocked(dst, q, a + b);
        d::store_blocked(dst, q + s, a - b);
      }
    }
#endif
  }

  // The split: Z from z (the last stage's output), X to out. Scalar formulas:
  //   e = (Z[k] + conj Z[M-k]) / 2, o = (Z[k] - conj Z[M-k]) / 2 = (orr, oi), t = s[k] o,
  //   X[k] = e - i t, X[M-k] = conj(e) - i conj(t) (since W^{M-k} = -conj s[k]).
  template <std::size_t W>
  static constexpr void split_pass(const cpx* z, cpx* out) {
    auto one = [&](std::size_t k, cpx a, cpx b) {
      const float er = 0.5f * (a.real + b.real), ei = 0.5f * (a.imag - b.imag);
      const float orr = 0.5f * (a.real - b.real), oi = 0.5f * (a.imag + b.imag);
      const cpx s = split[k];
      const float tr = s.real * orr - s.imag * oi, ti = s.real * oi + s.imag * orr;
      out[k] = {er + ti, ei - tr};
      out[M - k] = {er - ti, -ei - tr};
    };
    if constexpr (W == 1) {
      out[0] = {z[0].real + z[0].imag, 0.0f};
      out[M] = {z[0].real - z[0].imag, 0.0f};
      for (std::size_t k = 1; k <= M / 2; ++k) one(k, z[k], z[M - k]);
    }
#if defined(CTML_HAVE_VECTOR_EXT)
    else {
      namespace d = rfft_f32_detail;
      using V = d::f32x4;
      // z is in blocks of four: lanes k = 4j .. 4j + 3 pair with M - k = M - 4j (block M/4 - j,
      // lane 0) and M - 4j - 1 .. - 3 (block M/4 - j - 1, lanes 3, 2, 1): one shuffle of two
      // aligned blocks. X[M - k] for those lanes is out[M - 4j - 3 .. M - 4j], reversed.
      auto get = [&](std::size_t e) -> cpx {
        const std::size_t f = 8 * (e / 4) + e % 4;
        float re, im;
        std::memcpy(&re, reinterpret_cast<const unsigned char*>(z) + 4 * f, sizeof re);
        std::memcpy(&im, reinterpret_cast<const unsigned char*>(z) + 4 * (f + 4), sizeof im);
        return {re, im};
      };
      const cpx z0 = get(0);
      out[0] = {z0.real + z0.imag, 0.0f};
      out[M] = {z0.real - z0.imag, 0.0f};
      for (std::size_t k = 1; k < 4; ++k) one(k, get(k), get(M - k));
      const V half = d::splat(0.5f);
      std::size_t j = 1;
      for (; 8 * j + 7 < M; ++j) {  // 4j + 3 < M - 4j - 3: the two groups are apart
        const Cx<V> a = d::load_blocked(z, 4 * j);
        const Cx<V> hi = d::load_blocked(z, M - 4 * j), lo = d::load_blocked(z, M - 4 * j - 4);
        const Cx<V> b{__builtin_shufflevector(hi.re, lo.re, 0, 7, 6, 5), __builtin_shufflevector(hi.im, lo.im, 0, 7, 6, 5)};
        const V er = half * (a.re + b.re), ei = half * (a.im - b.im);
        const V orr = half * (a.re - b.re), oi = half * (a.im + b.im);
        const V sr = d::load4(lane_split.data(), 8 * j), si = d::load4(lane_split.data(), 8 * j + 4);
        const V tr = sr * orr - si * oi, ti = sr * oi + si * orr;
        d::store_interleaved(out, 4 * j, Cx<V>{er + ti, ei - tr});
        const Cx<V> mk{er - ti, -ei - tr};
        d::store_interleaved(out, M - 4 * j - 3, Cx<V>{d::reversed(mk.re), d::reversed(mk.im)});
      }
      for (std::size_t k = 4 * j; k <= M / 2; ++k) one(k, get(k), get(M - k));
    }
#endif
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
