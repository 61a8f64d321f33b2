// SPDX-License-Identifier: Apache-2.0
#pragma once
// The int16 real FFT of TensorFlow Lite Micro's signal library (its SignalRfft op, int16 variant):
// KISS FFT v1.3.0 built with FIXED_POINT=16, bit for bit. Front ends whose models were trained on
// TFLM's features (micro_speech) need exactly these numbers, so this kernel reproduces its
// arithmetic rather than computing a better FFT:
//   * the N/2-point complex FFT of the packed input (even samples real, odd imaginary), decimation
//     in time, radix 4 first, radix 2 last (kf_factor), each stage scaling its inputs by 1/radix
//     (C_FIXDIV: x * (32767 / radix), rounded, >> 15) so that nothing overflows;
//   * products rounded as sround(a * b) = (a * b + 2^14) >> 15, sums wrapped to int16;
//   * twiddles floor(0.5 + 32767 cos(-2 pi k / (N/2))), the real-split twiddles
//     floor(0.5 + 32767 cos(-pi ((k + 1) / (N/2) + 1/2))), computed at compile time;
//   * the split of the packed spectrum into bins 0..N/2 with one more halving (C_FIXDIV by 2,
//     then HALF_OF).
// So out = FFT(in) / N (about). N is a power of two, 4 <= N <= 4096. Output: N/2 + 1 complex bins.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/signal/complex.hpp>
#include <ctml/kernels/signal/packed_s16.hpp>
#if defined(CTML_HAVE_DSP)
#include <arm_acle.h>
#endif

namespace ctml::kernels::signal {

// KISS's C_FIXDIV on both parts of a packed complex int16 (packed_s16.hpp): each lane times
// (32767 / div), rounded, >> 15. Its other operations are packed_s16's add, sub, add_i, sub_i
// (wrapping, as KISS's int16 stores wrap) and mul<15> (KISS's C_MUL with sround).
namespace kiss_packed {
template <std::int32_t Div>
constexpr packed_s16::word fixdiv(packed_s16::word a) {
  using namespace packed_s16;
  constexpr std::int32_t k = 32767 / Div;
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated())
    return pack(__smlabb(static_cast<std::int32_t>(a), k, 1 << 14) >> 15, __smlatb(static_cast<std::int32_t>(a), k, 1 << 14) >> 15);
#endif
  return pack((lo(a) * k + (1 << 14)) >> 15, (hi(a) * k + (1 << 14)) >> 15);
}
}  // namespace kiss_packed

template <std::size_t N>
struct KissRfftS16 {
  static_assert(N >= 4 && N <= 4096 && (N & (N - 1)) == 0,
                "ctml::kernels::signal::KissRfftS16<N>: N must be a power of two in [4, 4096]");
  static constexpr std::size_t M = N / 2;  // complex FFT length
  using cpx = Complex<std::int16_t>;

  // KISS FFT's factorization of M: powers of 4, then one 2.
  static constexpr std::size_t stages = [] {
    std::size_t s = 0;
    for (std::size_t n = M; n > 1; n /= (n % 4 == 0 ? 4 : 2)) ++s;
    return s;
  }();
  static constexpr std::array<std::size_t, 2 * stages + 1> factors = [] {
    std::array<std::size_t, 2 * stages + 1> f{};
    std::size_t n = M, i = 0;
    while (n > 1) {
      const std::size_t p = n % 4 == 0 ? 4 : 2;
      n /= p;
      f[i++] = p;
      f[i++] = n;
    }
    return f;
  }();

  static constexpr std::int16_t q15(double v) {
    const double t = 0.5 + 32767.0 * v;  // floor(.5 + SAMP_MAX * v)
    long long f = static_cast<long long>(t);
    if (static_cast<double>(f) > t) --f;
    return static_cast<std::int16_t>(f);
  }
  static constexpr double pi = 3.141592653589793238462643383279502884197169399375105820974944;
  static constexpr std::array<cpx, M> twiddles = [] {
    std::array<cpx, M> t{};
    for (std::size_t i = 0; i < M; ++i) {
      const double phase = -2 * pi * static_cast<double>(i) / static_cast<double>(M);
      t[i] = {q15(math::series::cos(phase)), q15(math::series::sin(phase))};
    }
    return t;
  }();
  static constexpr std::array<cpx, (M / 2 > 0 ? M / 2 : 1)> super_twiddles = [] {
    std::array<cpx, (M / 2 > 0 ? M / 2 : 1)> t{};
    for (std::size_t i = 0; i < M / 2; ++i) {
      const double phase = -3.14159265358979323846264338327 * (static_cast<double>(i + 1) / static_cast<double>(M) + .5);
      t[i] = {q15(math::series::cos(phase)), q15(math::series::sin(phase))};
    }
    return t;
  }();

  // Scratch the transform needs: the packed complex spectrum.
  static constexpr std::size_t scratch_elements = M;

  // Where KISS's recursion (kf_work) reads each leaf: complex input perm[j] lands at position j
  // before the first butterflies (a digit reversal in the radices). Computed at compile time.
  static constexpr std::array<std::uint16_t, M> perm = [] {
    std::array<std::uint16_t, M> t{};
    // Iterative walk of kf_work's recursion: (fout offset, input offset, fstride, stage).
    struct Frame { std::size_t out, in, fstride, stage; };
    Frame stack[64]{};
    std::size_t top = 0;
    stack[top++] = {0, 0, 1, 0};
    while (top > 0) {
      const Frame f = stack[--top];
      const std::size_t p = factors[2 * f.stage], m = factors[2 * f.stage + 1];
      for (std::size_t k = 0; k < p; ++k) {
        if (m == 1) t[f.out + k] = static_cast<std::uint16_t>(f.in + k * f.fstride);
        else stack[top++] = {f.out + k * m, f.in + k * f.fstride, f.fstride * p, f.stage + 1};
      }
    }
    return t;
  }();

  // in: N int16 samples; out: N/2 + 1 bins; scratch: M complex values (may not alias in or out).
  static constexpr void forward(const std::int16_t* in, cpx* out, cpx* scratch) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t j = 0; j < M; ++j) scratch[j] = {in[2 * perm[j]], in[2 * perm[j] + 1]};
    // Stages innermost first: stage s recombines blocks of p * m with fstride = the product of the
    // radices before it. Each stage's butterflies touch disjoint elements, so this order gives
    // the recursion's results exactly.
    for (std::size_t s = stages; s-- > 0;) {
      const std::size_t p = factors[2 * s], m = factors[2 * s + 1];
      const std::size_t fstride = M / (p * m);
      for (std::size_t b = 0; b < M; b += p * m) {
        if (p == 4) bfly4(scratch + b, fstride, m);
        else bfly2(scratch + b, fstride, m);
      }
    }
    cpx tdc = scratch[0];
    fixdiv(tdc, 2);
    out[0] = {wrap(tdc.real + tdc.imag), 0};
    out[M] = {wrap(tdc.real - tdc.imag), 0};
    for (std::size_t k = 1; k <= M / 2; ++k) {
      cpx fpk = scratch[k];
      cpx fpnk = {scratch[M - k].real, wrap(-scratch[M - k].imag)};
      fixdiv(fpk, 2);
      fixdiv(fpnk, 2);
      const cpx f1k = add(fpk, fpnk), f2k = sub(fpk, fpnk);
      const cpx tw = mul(f2k, super_twiddles[k - 1]);
      out[k] = {wrap((f1k.real + tw.real) >> 1), wrap((f1k.imag + tw.imag) >> 1)};
      out[M - k] = {wrap((f1k.real - tw.real) >> 1), wrap((tw.imag - f1k.imag) >> 1)};
    }
  }

 private:
  static constexpr std::int16_t wrap(std::int32_t v) { return static_cast<std::int16_t>(v); }
  static constexpr std::int16_t sround(std::int32_t x) { return static_cast<std::int16_t>((x + (1 << 14)) >> 15); }
  static constexpr void fixdiv(cpx& c, std::int32_t div) {
    c.real = sround(static_cast<std::int32_t>(c.real) * (32767 / div));
    c.imag = sround(static_cast<std::int32_t>(c.imag) * (32767 / div));
  }
  static constexpr cpx mul(cpx a, cpx b) {
    return {sround(static_cast<std::int32_t>(a.real) * b.real - static_cast<std::int32_t>(a.imag) * b.imag),
            sround(static_cast<std::int32_t>(a.real) * b.imag + static_cast<std::int32_t>(a.imag) * b.real)};
  }
  static constexpr cpx add(cpx a, cpx b) { return {wrap(a.real + b.real), wrap(a.imag + b.imag)}; }
  static constexpr cpx sub(cpx a, cpx b) { return {wrap(a.real - b.real), wrap(a.imag - b.imag)}; }

  static constexpr std::uint32_t word(cpx c) { return std::bit_cast<std::uint32_t>(c); }
  static constexpr cpx value(std::uint32_t w) { return std::bit_cast<cpx>(w); }

  static constexpr void bfly2(cpx* fout, std::size_t fstride, std::size_t m) {
    namespace kp = packed_s16;
    using kiss_packed::fixdiv;
    cpx* fout2 = fout + m;
    const cpx* tw = twiddles.data();
    for (std::size_t k = 0; k < m; ++k, tw += fstride) {
      const std::uint32_t a = fixdiv<2>(word(fout[k]));
      const std::uint32_t t = kp::mul<15>(fixdiv<2>(word(fout2[k])), word(*tw));
      fout2[k] = value(kp::sub(a, t));
      fout[k] = value(kp::add(a, t));
    }
  }
  static constexpr void bfly4(cpx* f, std::size_t fstride, std::size_t m) {
    namespace kp = packed_s16;
    using kiss_packed::fixdiv;
    const cpx* tw1 = twiddles.data();
    const cpx* tw2 = tw1;
    const cpx* tw3 = tw1;
    for (std::size_t k = 0; k < m; ++k, tw1 += fstride, tw2 += 2 * fstride, tw3 += 3 * fstride) {
      cpx* o = f + k;
      const std::uint32_t a0 = fixdiv<4>(word(o[0]));
      const std::uint32_t s0 = kp::mul<15>(fixdiv<4>(word(o[m])), word(*tw1));
      const std::uint32_t s1 = kp::mul<15>(fixdiv<4>(word(o[2 * m])), word(*tw2));
      const std::uint32_t s2 = kp::mul<15>(fixdiv<4>(word(o[3 * m])), word(*tw3));
      const std::uint32_t s5 = kp::sub(a0, s1);
      const std::uint32_t a = kp::add(a0, s1);
      const std::uint32_t s3 = kp::add(s0, s2), s4 = kp::sub(s0, s2);
      o[2 * m] = value(kp::sub(a, s3));
      o[0] = value(kp::add(a, s3));
      o[m] = value(kp::sub_i(s5, s4));
      o[3 * m] = value(kp::add_i(s5, s4));
    }
  }
};

}  // namespace ctml::kernels::signal
