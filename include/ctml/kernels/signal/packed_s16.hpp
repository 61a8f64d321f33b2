// SPDX-License-Identifier: Apache-2.0
#pragma once
// Two int16 lanes in one 32-bit word: a complex int16 value (real in the low half, imaginary in
// the high half, as Complex<std::int16_t> lays it out) and the lane-wise operations the int16
// FFTs are made of. On a core with the Arm DSP extension each is one instruction (SADD16, QASX,
// SHSAX, SMLSD, ...); elsewhere, and in constant evaluation, the same integer arithmetic in C++,
// so every target computes the same bits.
//
// Naming follows the complex meaning, with the instruction in the comment:
//   add / sub         a + b, a - b                      (SADD16 / SSUB16, wrapping)
//   add_i / sub_i     a + i b, a - i b                  (SASX / SSAX, wrapping)
//   q...              the same, saturating to int16     (QADD16, QSUB16, QASX, QSAX)
//   h...              the same, halved: floor(v / 2)    (SHADD16, SHSUB16, SHASX, SHSAX)
//   mul<Shift>        round(a * b / 2^Shift), complex   (SMLSD + SMLADX with the rounding constant)
//   headroom_bits     OR-accumulated bits saying how many spare sign bits every lane has
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <ctml/core/target.hpp>
#if defined(CTML_HAVE_DSP)
#include <arm_acle.h>
#endif

namespace ctml::kernels::signal::packed_s16 {

using word = std::uint32_t;
static_assert(std::endian::native == std::endian::little,
              "packed_s16: the real part is the low half of a word, as Complex<std::int16_t> is stored on a "
              "little-endian target");

constexpr std::int32_t lo(word w) { return static_cast<std::int16_t>(w); }
constexpr std::int32_t hi(word w) { return static_cast<std::int16_t>(w >> 16); }
// Low 16 bits of each (wrapping).
constexpr word pack(std::int32_t re, std::int32_t im) {
  return static_cast<std::uint16_t>(re) | (static_cast<word>(static_cast<std::uint16_t>(im)) << 16);
}
// Two consecutive int16 as one word (one load where the target allows unaligned words).
constexpr word load(const std::int16_t* p) {
  if (std::is_constant_evaluated()) return pack(p[0], p[1]);
  word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// PKHTB: the high half of top, the low half of (bottom >> Shift) (arithmetic). GCC does not form
// PKHTB / PKHBT from the equivalent C, so the DSP build names them.
template <int Shift>
constexpr word pack_high_low(std::int32_t top, std::int32_t bottom) {
  static_assert(Shift >= 1 && Shift <= 31);
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) {
    word r;
    __asm__("pkhtb %0, %1, %2, asr %3" : "=r"(r) : "r"(top), "r"(bottom), "i"(Shift));
    return r;
  }
#endif
  return (static_cast<word>(top) & 0xFFFF0000u) | static_cast<std::uint16_t>(bottom >> Shift);
}
// PKHBT: the low half of low, the low half of high in the high half.
constexpr word pack_low_high(std::int32_t low, std::int32_t high) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) {
    word r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(low), "r"(high));
    return r;
  }
#endif
  return pack(low, high);
}

constexpr std::int32_t sat16(std::int32_t v) { return v > 32767 ? 32767 : (v < -32768 ? -32768 : v); }

#if defined(CTML_HAVE_DSP)
#define CTML_PACKED_S16_OP(name, intrinsic, re, im)                                           \
  constexpr word name(word a, word b) {                                                       \
    if (!std::is_constant_evaluated())                                                        \
      return static_cast<word>(intrinsic(static_cast<std::int32_t>(a), static_cast<std::int32_t>(b))); \
    return pack(re, im);                                                                      \
  }
#else
#define CTML_PACKED_S16_OP(name, intrinsic, re, im) \
  constexpr word name(word a, word b) { return pack(re, im); }
#endif

CTML_PACKED_S16_OP(add, __sadd16, lo(a) + lo(b), hi(a) + hi(b))
CTML_PACKED_S16_OP(sub, __ssub16, lo(a) - lo(b), hi(a) - hi(b))
CTML_PACKED_S16_OP(add_i, __sasx, lo(a) - hi(b), hi(a) + lo(b))
CTML_PACKED_S16_OP(sub_i, __ssax, lo(a) + hi(b), hi(a) - lo(b))
CTML_PACKED_S16_OP(qadd, __qadd16, sat16(lo(a) + lo(b)), sat16(hi(a) + hi(b)))
CTML_PACKED_S16_OP(qsub, __qsub16, sat16(lo(a) - lo(b)), sat16(hi(a) - hi(b)))
CTML_PACKED_S16_OP(qadd_i, __qasx, sat16(lo(a) - hi(b)), sat16(hi(a) + lo(b)))
CTML_PACKED_S16_OP(qsub_i, __qsax, sat16(lo(a) + hi(b)), sat16(hi(a) - lo(b)))
CTML_PACKED_S16_OP(hadd, __shadd16, (lo(a) + lo(b)) >> 1, (hi(a) + hi(b)) >> 1)
CTML_PACKED_S16_OP(hsub, __shsub16, (lo(a) - lo(b)) >> 1, (hi(a) - hi(b)) >> 1)
CTML_PACKED_S16_OP(hadd_i, __shasx, (lo(a) - hi(b)) >> 1, (hi(a) + lo(b)) >> 1)
CTML_PACKED_S16_OP(hsub_i, __shsax, (lo(a) + hi(b)) >> 1, (hi(a) - lo(b)) >> 1)
#undef CTML_PACKED_S16_OP

// round(a * b / 2^Shift) of the complex product, each part: (re + 2^(Shift-1)) >> Shift, its low
// 16 bits. The 32-bit sums cannot overflow for int16 operands whose parts are not both -32768.
// (re, -im), saturated: QSUB16 from zero, then PKHBT keeps the real part.
constexpr word conj(word a) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) {
    const word n = static_cast<word>(__qsub16(0, static_cast<std::int32_t>(a)));
    word r;
    __asm__("pkhbt %0, %1, %2" : "=r"(r) : "r"(a), "r"(n));
    return r;
  }
#endif
  return pack(lo(a), sat16(-hi(a)));
}

// Both parts times 2^k, 0 <= k <= 14, where the caller knows they stay in range (SMULBB, SMULTB,
// PKHBT).
constexpr word shift_left(word a, int k) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) {
    const std::int32_t m = std::int32_t{1} << k;
    return pack_low_high(__smlabb(static_cast<std::int32_t>(a), m, 0), __smlatb(static_cast<std::int32_t>(a), m, 0));
  }
#endif
  return pack(lo(a) * (std::int32_t{1} << k), hi(a) * (std::int32_t{1} << k));
}

// Shift = 16 costs one instruction less on the DSP extension (one PKHTB packs both halves).
// Plus = 1 adds one to both parts at no extra cost (through the rounding constant), where the caller
// knows the result stays in range.
template <int Shift, int Plus = 0>
constexpr word mul(word a, word b) {
  static_assert(Shift >= 1 && Shift <= 16 && (Plus == 0 || Plus == 1));
  constexpr std::int32_t r = (std::int32_t{1} << (Shift - 1)) + (Plus << Shift);
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) {
    const std::int32_t re = __smlsd(static_cast<std::int32_t>(a), static_cast<std::int32_t>(b), r);
    const std::int32_t im = __smladx(static_cast<std::int32_t>(a), static_cast<std::int32_t>(b), r);
    // One PKHTB when Shift = 16; otherwise the imaginary part moves up first.
    return pack_high_low<Shift>(static_cast<std::int32_t>(static_cast<word>(im) << (16 - Shift)), re);
  }
#endif
  return pack((lo(a) * lo(b) - hi(a) * hi(b) + r) >> Shift, (lo(a) * hi(b) + hi(a) * lo(b) + r) >> Shift);
}

// |a|^2 = re^2 + im^2 as an unsigned 32-bit value (SMUAD; exact: at most 2^31).
constexpr std::uint32_t norm(word a) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) return static_cast<std::uint32_t>(__smuad(static_cast<std::int32_t>(a), static_cast<std::int32_t>(a)));
#endif
  return static_cast<std::uint32_t>(lo(a) * lo(a)) + static_cast<std::uint32_t>(hi(a) * hi(a));
}

// OR these over a block of words, then headroom(acc) is the number of bits every lane of every
// word can be shifted left by without overflow (its redundant sign bits; 15 for all zeros).
// Lane bit i of w ^ (w << 1) is set where bit i differs from bit i - 1: its highest set bit is
// the lane's highest significant bit. (Bit 16 also sees the low lane's bit 15; that can only
// claim one significant bit for the high lane, which every nonzero lane has anyway.)
constexpr word significance(word w) { return w ^ (w << 1); }
constexpr int headroom(word acc) {
  const int l = std::countl_zero(static_cast<word>(acc << 16));
  const int h = std::countl_zero(static_cast<word>(acc & 0xFFFF0000u));
  const int m = l < h ? l : h;
  return m > 15 ? 15 : m;
}

}  // namespace ctml::kernels::signal::packed_s16
