// SPDX-License-Identifier: Apache-2.0
#pragma once
// int16 (q15) real FFT of a power-of-two length N (8 ... 4096) in block floating point:
//   X[k] = sum_n x[n] e^{-2 pi i k n / N} ~= out[k] * 2^e,   k = 0 .. N/2,   e = forward(...)
// The same algorithm as RfftF32 (the N/2-point complex FFT of z[n] = x[2n] + i x[2n + 1] over a
// bit-reversed copy, radix-4 passes, a last radix-2 pass when log2(N/2) is odd, then the split
// into the real input's spectrum), on packed complex int16 words (packed_s16.hpp: one Arm DSP
// instruction per complex add, two multiplies per complex product).
//
// Why block floating point: a fixed-point FFT must scale down so that nothing overflows.
// CMSIS-DSP's arm_rfft_q15 and KISS FFT halve at every radix-2 stage (output = X / N) whatever
// the signal, so a quiet input loses most of its bits and even a full-scale one accumulates a
// rounding step per stage at the smallest scale. Here:
//   * the input is first shifted so that it has exactly 2 spare bits (a quiet signal is scaled
//     up, not lost);
//   * before each pass, the spare bits of all its inputs (measured while the previous pass wrote
//     them: two instructions per word) decide how far the pass scales: by
//     S = max(0, G - spare) bits, where G bounds the pass's growth of a real or imaginary part:
//     |x0| + 3 sqrt(2) |x| < 2^3 for radix 4, 1 + sqrt(2) < 2^2 for radix 2 and the split;
//   * the scaling costs nothing extra: the halving adds (SHADD16 ...) take one bit at each of the
//     radix-4 butterfly's two add levels; only S = G (no spare bit at all) also halves the pass's
//     inputs (products rounded by 2^16 instead of 2^15).
// e counts the shifts: e = sum S - (initial left shift). Products are rounded to nearest; halving
// adds round down (as CMSIS's). Nothing wraps: the bounds above keep every lane in range, and the
// one exact edge (four parts of -2^13 in the first pass) saturates by one step.
// Errors (tested against a double DFT): for any input, |out[k] * 2^e - X[k]| stays within a few
// steps of the output's scale 2^e; see tests/frontend/test_frontend_kernels.cpp for the bound.
// The transform also runs in constant evaluation (the same integer arithmetic without intrinsics).
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/kernels/signal/complex.hpp>
#include <ctml/kernels/signal/packed_s16.hpp>

namespace ctml::kernels::signal {

template <std::size_t N>
struct RfftQ15 {
  static_assert(N >= 8 && N <= 4096 && (N & (N - 1)) == 0,
                "ctml::kernels::signal::RfftQ15<N>: N must be a power of two in [8, 4096]");
  static constexpr std::size_t M = N / 2;  // complex FFT length
  using cpx = Complex<std::int16_t>;
  using word = packed_s16::word;
  static constexpr std::size_t scratch_elements = M;

  // round(32768 v), clamped to +-32767: twiddles of magnitude 1 within 2^-15.
  static constexpr word q15(double re, double im) {
    auto one = [](double v) {
      const double t = v * 32768.0 + 0.5;
      long long f = static_cast<long long>(t);
      if (static_cast<double>(f) > t) --f;
      return static_cast<std::int32_t>(f > 32767 ? 32767 : (f < -32767 ? -32767 : f));
    };
    return packed_s16::pack(one(re), one(im));
  }
  static constexpr double two_pi = 6.283185307179586476925286766559;
  static constexpr word unit(std::size_t k, std::size_t n) {  // e^{-2 pi i k / n}
    const double a = -two_pi * static_cast<double>(k) / static_cast<double>(n);
    return q15(math::series::cos(a), math::series::sin(a));
  }

  static constexpr std::size_t log2_m = static_cast<std::size_t>(std::countr_zero(M));
  // Radix-4 passes with products: spans 4, 16, ... while 4 span <= M. For each, per j < span,
  // the three twiddles W^j, W^2j, W^3j of W = e^{-2 pi i / 4 span} next to each other.
  static constexpr std::size_t radix4_twiddle_words = [] {
    std::size_t n = 0;
    for (std::size_t s = 4; 4 * s <= M; s *= 4) n += 3 * s;
    return n > 0 ? n : 1;
  }();
  static constexpr std::array<word, radix4_twiddle_words> radix4_twiddles = [] {
    std::array<word, radix4_twiddle_words> t{};
    std::size_t i = 0;
    for (std::size_t s = 4; 4 * s <= M; s *= 4)
      for (std::size_t j = 0; j < s; ++j)
        for (std::size_t q = 1; q <= 3; ++q) t[i++] = unit(q * j, 4 * s);
    return t;
  }();
  static constexpr bool has_radix2 = log2_m % 2 == 1;
  // The last radix-2 pass (span M / 2): W_M^j.
  static constexpr std::array<word, M / 2> radix2_twiddles = [] {
    std::array<word, M / 2> t{};
    for (std::size_t j = 0; j < M / 2; ++j) t[j] = unit(j, M);
    return t;
  }();
  // The split: e^{-2 pi i k / N}, k = 1 .. M / 2 (index k - 1).
  static constexpr std::array<word, M / 2> split_twiddles = [] {
    std::array<word, M / 2> t{};
    for (std::size_t k = 1; k <= M / 2; ++k) t[k - 1] = unit(k, N);
    return t;
  }();
  static constexpr std::array<std::uint16_t, M> bitrev = [] {
    std::array<std::uint16_t, M> t{};
    for (std::size_t i = 0; i < M; ++i) {
      std::size_t r = 0;
      for (std::size_t b = 0; b < log2_m; ++b) r |= ((i >> b) & 1u) << (log2_m - 1 - b);
      t[i] = static_cast<std::uint16_t>(r);
    }
    return t;
  }();

  // in: N samples; out: N/2 + 1 bins; scratch: M words, the packed complex FFT (may not alias
  // in or out). Returns e: X[k] ~= out[k] * 2^e.
  static constexpr int forward(const std::int16_t* in, cpx* out, word* z) {
    ::ctml::detail::side_effect_fence();
    namespace p = packed_s16;
    // The input's spare bits, then the gather in bit-reversed order shifted to exactly 2 spare
    // bits, fused with the first radix-4 pass (span 1: no products, so each part of an output is
    // the sum of four input parts: growth 4 fits those 2 bits).
    word spare_acc = 0;
    for (std::size_t i = 0; i < N; i += 8)  // four words per step: N is a multiple of 8
      spare_acc |= p::significance(p::load(in + i)) | p::significance(p::load(in + i + 2)) |
                   p::significance(p::load(in + i + 4)) | p::significance(p::load(in + i + 6));
    const int shift = p::headroom(spare_acc) - 2;  // > 0: scale up; < 0 (at most -2): round down
    int e = -shift;
    std::uint32_t norms;
    switch (shift) {
      case -2: norms = gather<-2>(in, z, 0); break;
      case -1: norms = gather<-1>(in, z, 0); break;
      case 0: norms = gather<0>(in, z, 0); break;
      default: norms = gather<1>(in, z, shift); break;
    }
    // Radix-4 passes with products (|outputs| <= 4 max |inputs|), span 4, 16, ...
    if constexpr (16 <= M) norms = radix4_passes<4>(z, norms, e);
    if constexpr (has_radix2) {  // |outputs| <= 2 max |inputs|
      const int s = scale_bits(norms, 1);
      e += s;
      switch (s) {
        case 0: norms = radix2<0>(z); break;
        case 1: norms = radix2<1>(z); break;
        default: norms = radix2<2>(z); break;
      }
    }
    const int s = scale_bits(norms, 1);  // the split: |X[k]| <= |Z[k]| + |Z[M-k]|
    e += s;
    switch (s) {
      case 0: split<0>(z, out); break;
      case 1: split<1>(z, out); break;
      default: split<2>(z, out); break;
    }
    return e;
  }

 private:
  static_assert(sizeof(cpx) == sizeof(word), "Complex<int16_t> is one packed word");
  static constexpr cpx value(word w) { return std::bit_cast<cpx>(w); }
  static constexpr word ones = 0x00010001u;  // +1 in both parts

  // How far a pass that multiplies magnitudes by at most 2^growth must scale down, given the OR of
  // its inputs' |z|^2 (norms): with P its highest set bit, every |z| < 2^ceil((P + 1) / 2), and
  // the outputs must stay below 2^15.
  static constexpr int scale_bits(std::uint32_t norms, int growth) {
    const int half_bits = (32 - std::countl_zero(norms) + 1) / 2;
    const int s = half_bits + growth - 15;
    return s > 0 ? s : 0;
  }

  // The gather and the first radix-4 pass. Mode 1: inputs with more than 2 spare bits are scaled
  // up by 2^k (exact: the spare bits were counted); 0: exactly 2 spare bits, as they are. With 1
  // or 0 spare bits the pass's adds halve instead (the second level, or both), rounded half up by
  // +1 biases on x0 (+3 for two halvings) and x1: more accurate than rounding the inputs first,
  // and cheaper. (A bias can saturate an input within 3 of 32767: at most 3/4 of an output step.)
  template <int Mode>
  static constexpr std::uint32_t gather(const std::int16_t* in, word* z, int k) {
    namespace p = packed_s16;
    auto sample = [&](std::size_t j) -> word {
      const word w = p::load(in + 2 * j);
      if constexpr (Mode == 1) return p::shift_left(w, k);
      else return w;
    };
    std::uint32_t norms = 0;
    if constexpr (M >= 4) {
      for (std::size_t b = 0; b < M; b += 4) {
        // Bit-reversed order: positions b .. b + 3 hold x0, x2, x1, x3 of a 4-point DFT.
        word x0 = sample(bitrev[b]), x1 = sample(bitrev[b + 2]);
        const word x2 = sample(bitrev[b + 1]), x3 = sample(bitrev[b + 3]);
        word s, d, t, u, y0, y1, y2, y3;
        if constexpr (Mode == -2) {
          x0 = p::qadd(x0, 0x00030003u), x1 = p::qadd(x1, ones);
          s = p::hadd(x0, x2), d = p::hsub(x0, x2), t = p::hadd(x1, x3), u = p::hsub(x1, x3);
        } else {
          if constexpr (Mode == -1) x0 = p::qadd(x0, ones);
          s = p::qadd(x0, x2), d = p::qsub(x0, x2), t = p::qadd(x1, x3), u = p::qsub(x1, x3);
        }
        if constexpr (Mode < 0) {
          y0 = p::hadd(s, t), y1 = p::hsub_i(d, u), y2 = p::hsub(s, t), y3 = p::hadd_i(d, u);
        } else {
          y0 = p::qadd(s, t), y1 = p::qsub_i(d, u), y2 = p::qsub(s, t), y3 = p::qadd_i(d, u);
        }
        z[b] = y0;
        z[b + 1] = y1;
        z[b + 2] = y2;
        z[b + 3] = y3;
        norms |= p::norm(y0) | p::norm(y1) | p::norm(y2) | p::norm(y3);
      }
    }
    return norms;
  }

  // The radix-4 passes from Span on, each scaled as its inputs' magnitudes require.
  template <std::size_t Span>
  static constexpr std::uint32_t radix4_passes(word* z, std::uint32_t norms, int& e) {
    // Twiddles of spans 4 .. Span / 4 come first: 3 (4 + 16 + ... + Span / 4) = Span - 4 words.
    const word* tw = radix4_twiddles.data() + (Span - 4);
    const int s = scale_bits(norms, 2);
    e += s;
    switch (s) {
      case 0: norms = radix4<0, Span>(z, tw); break;
      case 1: norms = radix4<1, Span>(z, tw); break;
      case 2: norms = radix4<2, Span>(z, tw); break;
      default: norms = radix4<3, Span>(z, tw); break;
    }
    if constexpr (16 * Span <= M) return radix4_passes<4 * Span>(z, norms, e);
    else return norms;
  }

  // One radix-4 pass over blocks of 4 Span, scaling by 2^-S. S >= 1 takes one bit by halving the
  // inputs (the products rounded by 2^16 instead of 2^15, which also packs them in one
  // instruction; x0 halved and rounded), S >= 2 one more with halving adds at the second level,
  // S = 3 one more at the first level. Rounding to nearest is free: +1 biases ride on the halving
  // of x0 (+1 for each halving level after it) and on b1's rounding constant.
  template <int S, std::size_t Span>
  static constexpr std::uint32_t radix4(word* z, const word* tw) {
    namespace p = packed_s16;
    constexpr int shift = S == 0 ? 15 : 16;
    constexpr word x0_bias = S == 3 ? 0x00070007u : (S == 2 ? 0x00030003u : ones);
    std::uint32_t norms = 0;
    for (std::size_t j = 0; j < Span; ++j, tw += 3) {
      const word w1 = tw[0], w2 = tw[1], w3 = tw[2];
      for (std::size_t at = j; at < M; at += 4 * Span) {  // an index: a pointer may not step past the end
        word* q = z + at;
        word x0 = q[0];
        if constexpr (S >= 1) x0 = p::hadd(x0, x0_bias);
        const word b2 = p::mul<shift>(q[Span], w2);
        const word b1 = p::mul<shift, S == 3 ? 1 : 0>(q[2 * Span], w1);
        const word b3 = p::mul<shift>(q[3 * Span], w3);
        word s, d, t, u;
        if constexpr (S == 3) {
          s = p::hadd(x0, b2), d = p::hsub(x0, b2), t = p::hadd(b1, b3), u = p::hsub(b1, b3);
        } else {
          s = p::qadd(x0, b2), d = p::qsub(x0, b2), t = p::qadd(b1, b3), u = p::qsub(b1, b3);
        }
        word y0, y1, y2, y3;
        if constexpr (S >= 2) {
          y0 = p::hadd(s, t), y1 = p::hsub_i(d, u), y2 = p::hsub(s, t), y3 = p::hadd_i(d, u);
        } else {
          y0 = p::qadd(s, t), y1 = p::qsub_i(d, u), y2 = p::qsub(s, t), y3 = p::qadd_i(d, u);
        }
        q[0] = y0;
        q[Span] = y1;
        q[2 * Span] = y2;
        q[3 * Span] = y3;
        norms |= p::norm(y0) | p::norm(y1) | p::norm(y2) | p::norm(y3);
      }
    }
    return norms;
  }

  // The last radix-2 pass (span M / 2), scaling by 2^-S: S >= 1 halves the inputs (products by
  // 2^16, x0 rounded), S = 2 also halves the adds (rounded by a +1 bias on x0).
  template <int S>
  static constexpr std::uint32_t radix2(word* z) {
    namespace p = packed_s16;
    constexpr std::size_t span = M / 2;
    std::uint32_t norms = 0;
    for (std::size_t j = 0; j < span; ++j) {
      word x0 = z[j];
      if constexpr (S >= 1) x0 = p::hadd(x0, S == 2 ? 0x00030003u : ones);
      const word b = p::mul<S == 0 ? 15 : 16>(z[j + span], radix2_twiddles[j]);
      word y0, y1;
      if constexpr (S == 2) y0 = p::hadd(x0, b), y1 = p::hsub(x0, b);
      else y0 = p::qadd(x0, b), y1 = p::qsub(x0, b);
      z[j] = y0;
      z[j + span] = y1;
      norms |= p::norm(y0) | p::norm(y1);
    }
    return norms;
  }

  // The split X[k] = E - i s D, X[M - k] = conj(E + i s D) with E = (Z[k] + conj Z[M-k]) / 2,
  // D = (Z[k] - conj Z[M-k]) / 2, s = e^{-2 pi i k / N}. |E|, |D| <= max |Z|, so |X| <= 2 max |Z|.
  // S = 0: the product takes 2 D = Z[k] - conj Z[M-k] (one rounding; the product rounded by 2^16
  // packs in one instruction). S = 1: D and E halved and rounded, the last adds halve. S = 2 also
  // halves the inputs first. Halvings are rounded by +1 biases on the input they start from.
  template <int S>
  static constexpr void split(const word* z, cpx* o) {
    namespace p = packed_s16;
    {
      const std::int32_t re = p::lo(z[0]), im = p::hi(z[0]);
      constexpr std::int32_t r = S > 0 ? std::int32_t{1} << (S - 1) : 0;
      o[0] = {static_cast<std::int16_t>(p::sat16((re + im + r) >> S)), 0};
      o[M] = {static_cast<std::int16_t>(p::sat16((re - im + r) >> S)), 0};
    }
    for (std::size_t k = 1; k <= M / 2; ++k) {
      word a = z[k], b = z[M - k];
      word xk, v;
      if constexpr (S == 0) {
        const word bx = std::rotr(b, 16);                           // (b.imag, b.real)
        const word e = p::hsub_i(p::qadd(a, ones), bx);             // ((a.re + b.re) / 2, (a.im - b.im) / 2)
        const word t = p::mul<16>(p::qadd_i(a, bx), split_twiddles[k - 1]);  // s (2 D) / 2
        xk = p::qsub_i(e, t), v = p::qadd_i(e, t);
      } else {
        if constexpr (S == 2) a = p::hadd(a, ones), b = p::hadd(b, ones);
        const word bx = std::rotr(b, 16);
        const word a1 = p::qadd(a, ones);
        const word e = p::hsub_i(p::qadd(a1, 0x00020002u), bx);     // E + 1: rounds the last halving
        const word t = p::mul<15>(p::hadd_i(a1, bx), split_twiddles[k - 1]);  // s D
        xk = p::hsub_i(e, t), v = p::hadd_i(e, t);
      }
      o[k] = value(xk);
      o[M - k] = value(p::conj(v));
    }
  }
};

}  // namespace ctml::kernels::signal
