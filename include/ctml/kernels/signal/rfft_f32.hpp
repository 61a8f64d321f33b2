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
#include <ctml/kernels/mve.hpp>
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

template <class V>
struct FourOf {
  Cx<V> y[4];
};

// The four-lane code's memory accesses, one policy per instruction set. Intermediate arrays are
// in blocks of `block` complex values: `block` real parts, then `block` imaginary parts (a layout
// private to this file); four consecutive elements e .. e + 3 (e a multiple of 4) are one
// vector of real parts and one of imaginary parts.
template <std::size_t Block>
constexpr std::size_t re_index(std::size_t e) { return 2 * Block * (e / Block) + e % Block; }

#if defined(CTML_HAVE_MVE_FLOAT)
// Helium: VLD2/VST2 (de)interleave pairs; scatters store stage 0's transpose; gathers and
// scatters pair Z[k] with Z[M - k] in the split. With eight vector registers a butterfly is
// computed in two halves (`streamed`).
// w x with fused multiply-adds (two instructions per part instead of three; the scalar code on
// this core is contracted the same way by the compiler).
inline Cx<float32x4_t> times(Cx<float32x4_t> w, Cx<float32x4_t> x) {
  return {vfmsq_f32(vmulq_f32(w.re, x.re), w.im, x.im), vfmaq_f32(vmulq_f32(w.re, x.im), w.im, x.re)};
}
struct FourLanes {
  using V = float32x4_t;
  static constexpr std::size_t block = 4;
  static constexpr bool streamed = true;
  static float* f(void* b) { return static_cast<float*>(b); }
  static const float* f(const void* b) { return static_cast<const float*>(b); }
  static void fence() { ::ctml::kernels::detail::mve_fence(); }
  static V splat(float x) { return vdupq_n_f32(x); }
  static V load(const float* t) { return vld1q_f32(t); }
  // Elements e .. e + 3, e a multiple of 4: real parts at float 2e, imaginary at 2e + 4.
  static Cx<V> load_blocked(const void* b, std::size_t e) {
    const float* p = f(b) + 2 * e;
    return {vld1q_f32(p), vld1q_f32(p + 4)};
  }
  static void store_blocked(void* b, std::size_t e, Cx<V> v) {
    float* p = f(b) + 2 * e;
    vst1q_f32(p, v.re);
    vst1q_f32(p + 4, v.im);
  }
  static Cx<V> load_pairs(const void* b, std::size_t e) {
    const float32x4x2_t v = vld2q_f32(f(b) + 2 * e);
    return {v.val[0], v.val[1]};
  }
  static void store_pairs(void* b, std::size_t e, Cx<V> x) {
    float32x4x2_t v;
    v.val[0] = x.re;
    v.val[1] = x.im;
    vst2q_f32(f(b) + 2 * e, v);
  }
  // Stage 0's transposed store, one output k at a time: element e + 4 l + k gets lane l of y
  // (real part at float 2e + 8 l + k; a scatter).
  static void store_transposed_one(void* b, std::size_t e, std::size_t k, Cx<V> y) {
    static constexpr std::uint32_t pos[4] = {0, 8, 16, 24};
    const uint32x4_t off = vld1q_u32(pos);
    float* p = f(b) + 2 * e + k;
    vstrwq_scatter_shifted_offset_f32(p, off, y.re);
    vstrwq_scatter_shifted_offset_f32(p + 4, off, y.im);
  }
  // Lanes l = 0..3: element e - l (e a multiple of 4, e >= 4): real parts at floats 2e (lane 0)
  // and 2e - 4 - l (lanes 1..3), i.e. 7, 2, 1, 0 after float 2e - 7.
  static Cx<V> load_descending(const void* b, std::size_t e) {
    static constexpr std::uint32_t pos[4] = {7, 2, 1, 0};
    const uint32x4_t off = vld1q_u32(pos);
    const float* p = f(b) + 2 * e - 7;
    return {vldrwq_gather_shifted_offset_f32(p, off), vldrwq_gather_shifted_offset_f32(p + 4, off)};
  }
  // The same for e = m, the array's end: lanes 1..3 are elements m - 1 .. m - 3, lane 0 (which
  // would be element m) reads element 0 instead.
  template <std::size_t m>
  static Cx<V> load_descending_end(const void* b) {
    static constexpr std::uint32_t pos[4] = {0, 2 * m - 5, 2 * m - 6, 2 * m - 7};
    const uint32x4_t off = vld1q_u32(pos);
    return {vldrwq_gather_shifted_offset_f32(f(b), off), vldrwq_gather_shifted_offset_f32(f(b) + 4, off)};
  }
  // Lanes l = 0..3 to the interleaved element e - l.
  static void store_pairs_descending(void* b, std::size_t e, Cx<V> x) {
    static constexpr std::uint32_t pos[4] = {6, 4, 2, 0};
    const uint32x4_t off = vld1q_u32(pos);
    float* p = f(b) + 2 * (e - 3);
    vstrwq_scatter_shifted_offset_f32(p, off, x.re);
    vstrwq_scatter_shifted_offset_f32(p + 1, off, x.im);
  }
};
#elif defined(CTML_HAVE_VECTOR_EXT)
// SSE2 / NEON through GCC and clang vector extensions; buffers are read and written as bytes
// (memcpy), so a Complex<float> array holds the blocked layout without type punning.
struct FourLanes {
  typedef float V __attribute__((vector_size(16)));
  static constexpr std::size_t block = 4;
  static constexpr bool streamed = false;  // sixteen registers hold a whole butterfly
  static void fence() {}
  static V splat(float x) { return V{x, x, x, x}; }
  static V load(const float* t) { return at(t, 0); }
  static V at(const void* b, std::size_t float_index) {
    V v;
    std::memcpy(&v, static_cast<const unsigned char*>(b) + 4 * float_index, sizeof v);
    return v;
  }
  static void put(void* b, std::size_t float_index, V v) {
    std::memcpy(static_cast<unsigned char*>(b) + 4 * float_index, &v, sizeof v);
  }
  static Cx<V> load_blocked(const void* b, std::size_t e) { return {at(b, 2 * e), at(b, 2 * e + 4)}; }
  static void store_blocked(void* b, std::size_t e, Cx<V> v) {
    put(b, 2 * e, v.re);
    put(b, 2 * e + 4, v.im);
  }
  static Cx<V> load_pairs(const void* b, std::size_t e) {
    const V u = at(b, 2 * e), v = at(b, 2 * e + 4);
    return {__builtin_shufflevector(u, v, 0, 2, 4, 6), __builtin_shufflevector(u, v, 1, 3, 5, 7)};
  }
  static void store_pairs(void* b, std::size_t e, Cx<V> x) {
    put(b, 2 * e, __builtin_shufflevector(x.re, x.im, 0, 4, 1, 5));
    put(b, 2 * e + 4, __builtin_shufflevector(x.re, x.im, 2, 6, 3, 7));
  }
  static void transpose(V& a, V& b, V& c, V& d) {
    const V ab_lo = __builtin_shufflevector(a, b, 0, 4, 1, 5), ab_hi = __builtin_shufflevector(a, b, 2, 6, 3, 7);
    const V cd_lo = __builtin_shufflevector(c, d, 0, 4, 1, 5), cd_hi = __builtin_shufflevector(c, d, 2, 6, 3, 7);
    a = __builtin_shufflevector(ab_lo, cd_lo, 0, 1, 4, 5);
    b = __builtin_shufflevector(ab_lo, cd_lo, 2, 3, 6, 7);
    c = __builtin_shufflevector(ab_hi, cd_hi, 0, 1, 4, 5);
    d = __builtin_shufflevector(ab_hi, cd_hi, 2, 3, 6, 7);
  }
  static void store_transposed(void* b, std::size_t e, FourOf<V> y) {
    transpose(y.y[0].re, y.y[1].re, y.y[2].re, y.y[3].re);
    transpose(y.y[0].im, y.y[1].im, y.y[2].im, y.y[3].im);
    store_blocked(b, e, y.y[0]);
    store_blocked(b, e + 4, y.y[1]);
    store_blocked(b, e + 8, y.y[2]);
    store_blocked(b, e + 12, y.y[3]);
  }
  // Lane 0 of hi, then lanes 3, 2, 1 of lo (one shuffle per part).
  static Cx<V> descending(Cx<V> hi, Cx<V> lo) {
    return {__builtin_shufflevector(hi.re, lo.re, 0, 7, 6, 5), __builtin_shufflevector(hi.im, lo.im, 0, 7, 6, 5)};
  }
  // Lanes l: element e - l: lane 0 of block e, lanes 3, 2, 1 of block e - 4.
  static Cx<V> load_descending(const void* b, std::size_t e) { return descending(load_blocked(b, e), load_blocked(b, e - 4)); }
  // The same for e = m, the array's end: lane 0 (element m) reads element 0 instead.
  template <std::size_t m>
  static Cx<V> load_descending_end(const void* b) { return descending(load_blocked(b, 0), load_blocked(b, m - 4)); }
  static V reversed(V v) { return __builtin_shufflevector(v, v, 3, 2, 1, 0); }
  static void store_pairs_descending(void* b, std::size_t e, Cx<V> x) { store_pairs(b, e - 3, Cx<V>{reversed(x.re), reversed(x.im)}); }
};
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
#if defined(CTML_HAVE_MVE_FLOAT) || defined(CTML_HAVE_VECTOR_EXT)
    if constexpr (M >= 16) {
      if (!std::is_constant_evaluated()) {
        rfft_f32_detail::FourLanes::fence();
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
#if defined(CTML_HAVE_MVE_FLOAT) || defined(CTML_HAVE_VECTOR_EXT)
    else {
      using L = typename Lanes<n>::type;  // dependent: only the branch for this policy is instantiated
      using V = typename L::V;
      if constexpr (L::streamed) {
        // Eight vector registers (Helium): each butterfly in two halves that reload their inputs
        // and twiddles, storing each output as soon as it is made (stage 0: scattered into its
        // transposed place).
        if constexpr (s == 1) {
          static_assert(n1 % 4 == 0);
          for (std::size_t p = 0; p < n1; p += 4)
            streamed<n>([&](std::size_t k) { return L::load_pairs(in, p + k * n1); }, lane_twiddles.data() + 6 * p,
                        [&](std::size_t k, Cx<V> y) { L::store_transposed_one(dst, 4 * p, k, y); });
        } else {
          for (std::size_t p = 0; p < n1; ++p) {
            [[maybe_unused]] const float* t = n > 4 ? splat_twiddles.data() + splat_offset(n) + 24 * p : nullptr;
            for (std::size_t q = 0; q < s; q += 4)
              streamed<n>([&](std::size_t k) { return L::load_blocked(src, q + s * (p + k * n1)); }, t,
                          [&](std::size_t k, Cx<V> y) { L::store_blocked(dst, q + s * (4 * p + k), y); });
          }
        }
      } else if constexpr (s == 1) {
        // Four p per step; the outputs of p land in elements 4p .. 4p + 3: a transposed store.
        static_assert(n1 % 4 == 0);
        for (std::size_t p = 0; p < n1; p += 4) {
          const Cx<V> a = L::load_pairs(in, p), b = L::load_pairs(in, p + n1);
          const Cx<V> c = L::load_pairs(in, p + 2 * n1), e = L::load_pairs(in, p + 3 * n1);
          const float* t = lane_twiddles.data() + 6 * p;  // 24 per group of four p
          const Cx<V> w1{L::load(t), L::load(t + 4)}, w2{L::load(t + 8), L::load(t + 12)}, w3{L::load(t + 16), L::load(t + 20)};
          L::store_transposed(dst, 4 * p, butterfly<n>(a, b, c, e, w1, w2, w3));
        }
      } else {
        for (std::size_t p = 0; p < n1; ++p) {
          Cx<V> w1{L::splat(1), L::splat(0)}, w2 = w1, w3 = w1;
          if constexpr (n > 4) {
            const float* t = splat_twiddles.data() + splat_offset(n) + 24 * p;
            w1 = {L::load(t), L::load(t + 4)};
            w2 = {L::load(t + 8), L::load(t + 12)};
            w3 = {L::load(t + 16), L::load(t + 20)};
          }
          for (std::size_t q = 0; q < s; q += 4) {
            const Cx<V> a = L::load_blocked(src, q + s * p), b = L::load_blocked(src, q + s * (p + n1));
            const Cx<V> c = L::load_blocked(src, q + s * (p + 2 * n1)), e = L::load_blocked(src, q + s * (p + 3 * n1));
            const Four<V> f = butterfly<n>(a, b, c, e, w1, w2, w3);
            L::store_blocked(dst, q + s * (4 * p), f.y[0]);
            L::store_blocked(dst, q + s * (4 * p + 1), f.y[1]);
            L::store_blocked(dst, q + s * (4 * p + 2), f.y[2]);
            L::store_blocked(dst, q + s * (4 * p + 3), f.y[3]);
          }
        }
      }
    }
#endif
  }


  // The radix-4 butterfly of the header comment (n = 4: no twiddles).
  template <class L>
  using Four = rfft_f32_detail::FourOf<L>;
#if defined(CTML_HAVE_MVE_FLOAT) || defined(CTML_HAVE_VECTOR_EXT)
  template <std::size_t>
  struct Lanes {
    using type = rfft_f32_detail::FourLanes;
  };
#endif
  template <std::size_t n, class L>
  static constexpr Four<L> butterfly(Cx<L> a, Cx<L> b, Cx<L> c, Cx<L> d, Cx<L> w1, Cx<L> w2, Cx<L> w3) {
    namespace r = rfft_f32_detail;
    const Cx<L> apc = a + c, amc = a - c, bpd = b + d, jbmd = r::times_i(b - d);
    if constexpr (n > 4) return {{apc + bpd, r::times(w1, amc - jbmd), r::times(w2, apc - bpd), r::times(w3, amc + jbmd)}};
    else return {{apc + bpd, amc - jbmd, apc - bpd, amc + jbmd}};
  }

#if defined(CTML_HAVE_MVE_FLOAT) || defined(CTML_HAVE_VECTOR_EXT)
  // The same butterfly in two halves (y0, y2 from a + c and b + d; then y1, y3 from a - c and
  // b - d), each loading what it needs: the same operations per element as butterfly().
  // tw: [W^p re x4, im x4, W^2p re, im, W^3p re, im] (unused for n = 4).
  template <std::size_t n, class Load, class Store>
  [[gnu::always_inline]] static void streamed(Load load, const float* tw, Store store) {
    namespace r = rfft_f32_detail;
    using L = r::FourLanes;
    using V = L::V;
    {
      const Cx<V> apc = load(0) + load(2), bpd = load(1) + load(3);
      store(0, apc + bpd);
      if constexpr (n > 4) store(2, r::times(Cx<V>{L::load(tw + 8), L::load(tw + 12)}, apc - bpd));
      else store(2, apc - bpd);
    }
    {
      const Cx<V> amc = load(0) - load(2), jbmd = r::times_i(load(1) - load(3));
      if constexpr (n > 4) {
        store(1, r::times(Cx<V>{L::load(tw), L::load(tw + 4)}, amc - jbmd));
        store(3, r::times(Cx<V>{L::load(tw + 16), L::load(tw + 20)}, amc + jbmd));
      } else {
        store(1, amc - jbmd);
        store(3, amc + jbmd);
      }
    }
  }
#endif

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
#if defined(CTML_HAVE_MVE_FLOAT) || defined(CTML_HAVE_VECTOR_EXT)
    else {
      using L = rfft_f32_detail::FourLanes;
      for (std::size_t q = 0; q < s; q += 4) {
        const auto a = L::load_blocked(src, q), b = L::load_blocked(src, q + s);
        L::store_blocked(dst, q, a + b);
        L::store_blocked(dst, q + s, a - b);
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
#if defined(CTML_HAVE_MVE_FLOAT) || defined(CTML_HAVE_VECTOR_EXT)
    else {
      using L = rfft_f32_detail::FourLanes;
      using V = L::V;
      // Lanes k = 4j .. 4j + 3 pair with M - k = M - 4j - l (a descending load); X[M - k] goes
      // back the same way. The middle (the last k up to M/2) reads z element by element.
      auto get = [&](std::size_t e) -> cpx {
        const std::size_t f = rfft_f32_detail::re_index<L::block>(e);
        float re, im;
        std::memcpy(&re, reinterpret_cast<const unsigned char*>(z) + 4 * f, sizeof re);
        std::memcpy(&im, reinterpret_cast<const unsigned char*>(z) + 4 * (f + L::block), sizeof im);
        return {re, im};
      };
      L::fence();
      const cpx z0 = get(0);
      L::fence();
      const V half = L::splat(0.5f);
      auto group = [&](std::size_t j, Cx<V> b) {  // lanes k = 4j + l; b: Z[M - k]
        const Cx<V> a = L::load_blocked(z, 4 * j);
        const V er = half * (a.re + b.re), ei = half * (a.im - b.im);
        const V orr = half * (a.re - b.re), oi = half * (a.im + b.im);
        const V sr = L::load(lane_split.data() + 8 * j), si = L::load(lane_split.data() + 8 * j + 4);
        const Cx<V> t = rfft_f32_detail::times(Cx<V>{sr, si}, Cx<V>{orr, oi});
        L::store_pairs(out, 4 * j, Cx<V>{er + t.im, ei - t.re});
        L::store_pairs_descending(out, M - 4 * j, Cx<V>{er - t.im, -ei - t.re});
      };
      // Group 0 (k = 0 .. 3) too: its lane 0 pairs Z[0] with itself and writes X[0] and X[M],
      // which are written again below from z0.
      group(0, L::template load_descending_end<M>(z));
      std::size_t j = 1;
      for (; 8 * j + 7 < M; ++j) group(j, L::load_descending(z, M - 4 * j));  // groups apart
      L::fence();
      out[0] = {z0.real + z0.imag, 0.0f};
      out[M] = {z0.real - z0.imag, 0.0f};
      L::fence();
      for (std::size_t k = 4 * j; k <= M / 2; ++k) one(k, get(k), get(M - k));
      L::fence();
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
