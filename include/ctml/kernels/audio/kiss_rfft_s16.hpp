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
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>

namespace ctml::kernels::audio {

template <class T>
struct Complex {
  T real;
  T imag;
};

template <std::size_t N>
struct KissRfftS16 {
  static_assert(N >= 4 && N <= 4096 && (N & (N - 1)) == 0,
                "ctml::kernels::audio::KissRfftS16<N>: N must be a power of two in [4, 4096]");
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

  // in: N int16 samples; out: N/2 + 1 bins; scratch: M complex values (may not alias in or out).
  static constexpr void forward(const std::int16_t* in, cpx* out, cpx* scratch) {
    ::ctml::detail::side_effect_fence();
    work(scratch, in, 1, 0);
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

  // kf_work: the DFT of length p * m at this stage is p DFTs of length m on decimated inputs,
  // recombined by a radix-p butterfly. The input is the packed real signal: complex element j is
  // (in[2j], in[2j + 1]).
  static constexpr void work(cpx* fout, const std::int16_t* in, std::size_t fstride, std::size_t stage) {
    const std::size_t p = factors[2 * stage], m = factors[2 * stage + 1];
    if (m == 1) {
      for (std::size_t k = 0; k < p; ++k) fout[k] = {in[2 * k * fstride], in[2 * k * fstride + 1]};
    } else {
      for (std::size_t k = 0; k < p; ++k) work(fout + k * m, in + 2 * k * fstride, fstride * p, stage + 1);
    }
    if (p == 4) bfly4(fout, fstride, m);
    else bfly2(fout, fstride, m);
  }
  static constexpr void bfly2(cpx* fout, std::size_t fstride, std::size_t m) {
    cpx* fout2 = fout + m;
    for (std::size_t k = 0; k < m; ++k) {
      fixdiv(fout[k], 2);
      fixdiv(fout2[k], 2);
      const cpx t = mul(fout2[k], twiddles[k * fstride]);
      fout2[k] = sub(fout[k], t);
      fout[k] = add(fout[k], t);
    }
  }
  static constexpr void bfly4(cpx* f, std::size_t fstride, std::size_t m) {
    for (std::size_t k = 0; k < m; ++k) {
      cpx* o = f + k;
      fixdiv(o[0], 4);
      fixdiv(o[m], 4);
      fixdiv(o[2 * m], 4);
      fixdiv(o[3 * m], 4);
      const cpx s0 = mul(o[m], twiddles[k * fstride]);
      const cpx s1 = mul(o[2 * m], twiddles[2 * k * fstride]);
      const cpx s2 = mul(o[3 * m], twiddles[3 * k * fstride]);
      const cpx s5 = sub(o[0], s1);
      o[0] = add(o[0], s1);
      const cpx s3 = add(s0, s2), s4 = sub(s0, s2);
      o[2 * m] = sub(o[0], s3);
      o[0] = add(o[0], s3);
      o[m] = {wrap(s5.real + s4.imag), wrap(s5.imag - s4.real)};
      o[3 * m] = {wrap(s5.real - s4.imag), wrap(s5.imag + s4.real)};
    }
  }
};

}  // namespace ctml::kernels::audio
