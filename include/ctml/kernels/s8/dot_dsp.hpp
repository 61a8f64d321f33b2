// SPDX-License-Identifier: Apache-2.0
#pragma once
// Arm DSP-extension (Cortex-M4/M7/M33/M55: __ARM_FEATURE_DSP) variants of the int8 dot products
// (dot_portable.hpp has the formulas): SXTB16 sign-extends the even and odd bytes of a word into
// int16 pairs, SMLAD multiplies and adds two pairs; the last N % 4 elements go through the
// reference. Also the int16-widened forms the conv and depthwise kernels use (inputs expanded
// once per pixel, weights widened at compile time: PackedS16Pairs, PackedS16ByQuad) and their
// flash bound. CTML_NO_DSP turns the kernels off (core/target.hpp); the packed layouts are types
// every target can name (the kernels' facts choose them only on DSP builds).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/dot_portable.hpp>
#if defined(CTML_HAVE_DSP)
#include <arm_acle.h>
#endif

namespace ctml::kernels {

// Cortex-M DSP builds keep a sign-extended int16 copy of a layer's weights in flash (the two
// structs below) when the layer has at most this many weights, so a model's flash grows by a
// bounded amount (2 bytes per widened weight) for the small layers of MCU networks; larger layers
// extend their weights in the loop. CTML_OPTIMIZE_FOR_FLASH widens none.
#if defined(CTML_OPTIMIZE_FOR_FLASH)
inline constexpr std::size_t widen_weights_max = 0;
#elif defined(CTML_WIDEN_WEIGHTS_MAX)
inline constexpr std::size_t widen_weights_max = CTML_WIDEN_WEIGHTS_MAX;
#else
inline constexpr std::size_t widen_weights_max = 16384;
#endif

// Int8 weight rows sign-extended ahead of time (at compile time for a constexpr model) into the
// int16 words dot_s16_2x2 reads: per pair of rows (co, co + 1) and per quad q of k, the words
//   (w[co][4q], w[co][4q+2]), (w[co][4q+1], w[co][4q+3]), then the same two for row co + 1,
// i.e. the order expand_s8_pairs gives the inputs. Twice the bytes of the int8 rows, which stay
// the layer's parameters; an odd last row is not packed (callers take it from the int8 rows).
template <std::size_t Cout, std::size_t K>
struct PackedS16Pairs {
  static_assert(K % 4 == 0, "PackedS16Pairs: K must be a multiple of 4");
  static constexpr std::size_t pairs = Cout / 2;
  std::uint32_t words[pairs > 0 ? pairs * K : 1];

  static constexpr std::uint32_t pack2(std::int8_t lo, std::int8_t hi) {
    return static_cast<std::uint16_t>(static_cast<std::int16_t>(lo)) |
           static_cast<std::uint32_t>(static_cast<std::uint16_t>(static_cast<std::int16_t>(hi))) << 16;
  }
  // From row-major weights w[co][k].
  static constexpr PackedS16Pairs pack(const std::int8_t* w) {
    ::ctml::detail::side_effect_fence();
    PackedS16Pairs p{};
    for (std::size_t pr = 0; pr < pairs; ++pr)
      for (std::size_t q = 0; q < K / 4; ++q)
        for (std::size_t r = 0; r < 2; ++r) {
          const std::int8_t* row = w + (2 * pr + r) * K + 4 * q;
          p.words[pr * K + 4 * q + 2 * r] = pack2(row[0], row[2]);
          p.words[pr * K + 4 * q + 2 * r + 1] = pack2(row[1], row[3]);
        }
    return p;
  }
  // The words of rows co and co + 1 (co even).
  constexpr const std::uint32_t* pair(std::size_t co) const { return words + co / 2 * K; }
};

// Fully connected weights w[o][k] (Rows x K) sign-extended ahead of time for dot_s8_s16w_1x4: per
// block of four rows and per quad q of k, the words (w[r][4q], w[r][4q+2]), (w[r][4q+1], w[r][4q+3])
// of rows r = 0..3 one after the other, so a block streams from one pointer, two rows per LDM.
// Only whole blocks and whole quads are packed (callers take the last Rows % 4 rows and K % 4
// columns from the int8 weights). Twice the bytes of the packed int8 weights.
template <std::size_t Rows, std::size_t K>
struct PackedS16Blocks4 {
  static constexpr std::size_t blocks = Rows / 4, quads = K / 4;
  std::uint32_t words[blocks * quads > 0 ? blocks * quads * 8 : 1];

  static constexpr PackedS16Blocks4 pack(const std::int8_t* w) {
    ::ctml::detail::side_effect_fence();
    PackedS16Blocks4 p{};
    for (std::size_t b = 0; b < blocks; ++b)
      for (std::size_t q = 0; q < quads; ++q)
        for (std::size_t r = 0; r < 4; ++r) {
          const std::int8_t* v = w + (4 * b + r) * K + 4 * q;
          p.words[(b * quads + q) * 8 + 2 * r] = PackedS16Pairs<2, 4>::pack2(v[0], v[2]);
          p.words[(b * quads + q) * 8 + 2 * r + 1] = PackedS16Pairs<2, 4>::pack2(v[1], v[3]);
        }
    return p;
  }
  // The words of rows o..o+3 (o a multiple of 4).
  constexpr const std::uint32_t* block(std::size_t o) const { return words + o / 4 * quads * 8; }
};

// Depthwise weights w[t][c] (T taps, C channels, C a multiple of 4) sign-extended ahead of time
// for mac4_s16w_offset: per quad of channels, the T taps' word pairs (w[c], w[c+2]),
// (w[c+1], w[c+3]) one after the other, so a quad's taps sit at constant offsets (8 bytes each)
// from one pointer. Twice the bytes of the int8 weights.
template <std::size_t T, std::size_t C>
struct PackedS16ByQuad {
  static_assert(C % 4 == 0, "PackedS16ByQuad: the channel count must be a multiple of 4");
  std::uint32_t words[C / 2 * T];

  static constexpr PackedS16ByQuad pack(const std::int8_t* w) {
    ::ctml::detail::side_effect_fence();
    PackedS16ByQuad p{};
    for (std::size_t q = 0; q < C / 4; ++q)
      for (std::size_t t = 0; t < T; ++t) {
        const std::int8_t* v = w + t * C + 4 * q;
        p.words[(q * T + t) * 2] = PackedS16Pairs<2, 4>::pack2(v[0], v[2]);
        p.words[(q * T + t) * 2 + 1] = PackedS16Pairs<2, 4>::pack2(v[1], v[3]);
      }
    return p;
  }
  // The taps of channels c..c+3 (c a multiple of 4).
  constexpr const std::uint32_t* quad(std::size_t c) const { return words + c / 4 * 2 * T; }
};

#if defined(CTML_HAVE_DSP)
namespace detail {
// SXTB16 of the word rotated by 8 (bytes 1 and 3 as int16 pairs) in one instruction: GCC 12 does
// not fold the rotation of __sxtb16((x >> 8) | (x << 24)) into SXTB16's operand.
inline std::uint32_t sxtb16_ror8(std::uint32_t x) {
  std::uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
inline std::uint32_t sxtab16_ror8(std::uint32_t acc, std::uint32_t x) {
  std::uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(x));
  return r;
}
}  // namespace detail

namespace dsp {

template <std::size_t N>
inline std::int32_t dot_s8(const std::int8_t* a, const std::int8_t* b) {
  constexpr std::size_t body = N - N % 4;
  std::int32_t acc = 0;
  for (std::size_t i = 0; i < body; i += 4) {
    std::uint32_t x, y;
    std::memcpy(&x, a + i, 4);
    std::memcpy(&y, b + i, 4);
    acc = __smlad(__sxtb16(x), __sxtb16(y), acc);                        // bytes 0, 2
    acc = __smlad(detail::sxtb16_ror8(x), detail::sxtb16_ror8(y), acc);  // bytes 1, 3
  }
  return acc + dot_s8_ref<N - body>(a + body, b + body);
}

// Each loaded and sign-extended word of a0/a1/b0/b1 feeds two SMLADs instead of one: 1.25
// instructions per MAC instead of 2 on Cortex-M4.
template <std::size_t N>
inline void dot_s8_2x2(const std::int8_t* a0, const std::int8_t* a1, const std::int8_t* b0, const std::int8_t* b1,
                       std::int32_t* acc) {
  constexpr std::size_t body = N - N % 4;
  std::int32_t c00 = acc[0], c01 = acc[1], c10 = acc[2], c11 = acc[3];
  for (std::size_t i = 0; i < body; i += 4) {
    std::uint32_t x0, x1, y0, y1;
    std::memcpy(&x0, a0 + i, 4);
    std::memcpy(&x1, a1 + i, 4);
    std::memcpy(&y0, b0 + i, 4);
    std::memcpy(&y1, b1 + i, 4);
    // Even bytes (0, 2) and odd bytes (1, 3) as int16 pairs; the same split on both operands
    // keeps each product's factors in the same lane.
    const std::uint32_t x0e = __sxtb16(x0), x0o = detail::sxtb16_ror8(x0);
    const std::uint32_t x1e = __sxtb16(x1), x1o = detail::sxtb16_ror8(x1);
    const std::uint32_t y0e = __sxtb16(y0), y0o = detail::sxtb16_ror8(y0);
    const std::uint32_t y1e = __sxtb16(y1), y1o = detail::sxtb16_ror8(y1);
    c00 = __smlad(x0o, y0o, __smlad(x0e, y0e, c00));
    c01 = __smlad(x0o, y1o, __smlad(x0e, y1e, c01));
    c10 = __smlad(x1o, y0o, __smlad(x1e, y0e, c10));
    c11 = __smlad(x1o, y1o, __smlad(x1e, y1e, c11));
  }
  acc[0] = c00;
  acc[1] = c01;
  acc[2] = c10;
  acc[3] = c11;
  dot_s8_2x2_ref<N - body>(a0 + body, a1 + body, b0 + body, b1 + body, acc);
}

// The sign-extended words of a feed two SMLADs each: 1.6 instructions per MAC instead of 2.
template <std::size_t N>
inline void dot_s8_1x2(const std::int8_t* a, const std::int8_t* b0, const std::int8_t* b1, std::int32_t& acc0,
                       std::int32_t& acc1) {
  constexpr std::size_t body = N - N % 4;
  std::int32_t c0 = acc0, c1 = acc1;
  for (std::size_t i = 0; i < body; i += 4) {
    std::uint32_t x, y0, y1;
    std::memcpy(&x, a + i, 4);
    std::memcpy(&y0, b0 + i, 4);
    std::memcpy(&y1, b1 + i, 4);
    const std::uint32_t xe = __sxtb16(x), xo = detail::sxtb16_ror8(x);
    c0 = __smlad(xo, detail::sxtb16_ror8(y0), __smlad(xe, __sxtb16(y0), c0));
    c1 = __smlad(xo, detail::sxtb16_ror8(y1), __smlad(xe, __sxtb16(y1), c1));
  }
  acc0 = c0;
  acc1 = c1;
  dot_s8_1x2_ref<N - body>(a + body, b0 + body, b1 + body, acc0, acc1);
}

// Four rows of a matrix-vector product against widened weights (PackedS16Blocks4): acc_r +=
// sum_{k < 4Q} w[r][k] * x[k]. Each input word is sign-extended once for the four rows; per quad
// one LDR, two SXTB16, four LDRDs of weight pairs and eight SMLADs: 15 instructions per 16 MACs.
// (LDM could load four weight words in one instruction, but fills ascending registers, so its
// operands would be fixed registers, which GCC 12 fails to allocate in some callers: "impossible
// constraints". Only registers of the compiler's choice here.)
#define CTML_DOT_S8_S16W_QUAD                     \
  "ldr %[xe], [%[x]], #4\n\t"                    \
  "sxtb16 %[xo], %[xe], ror #8\n\t"              \
  "sxtb16 %[xe], %[xe]\n\t"                      \
  "ldrd %[w0], %[w1], [%[w]], #8\n\t"            \
  "smlad %[c0], %[xe], %[w0], %[c0]\n\t"         \
  "smlad %[c0], %[xo], %[w1], %[c0]\n\t"         \
  "ldrd %[w0], %[w1], [%[w]], #8\n\t"            \
  "smlad %[c1], %[xe], %[w0], %[c1]\n\t"         \
  "smlad %[c1], %[xo], %[w1], %[c1]\n\t"         \
  "ldrd %[w0], %[w1], [%[w]], #8\n\t"            \
  "smlad %[c2], %[xe], %[w0], %[c2]\n\t"         \
  "smlad %[c2], %[xo], %[w1], %[c2]\n\t"         \
  "ldrd %[w0], %[w1], [%[w]], #8\n\t"            \
  "smlad %[c3], %[xe], %[w0], %[c3]\n\t"         \
  "smlad %[c3], %[xo], %[w1], %[c3]\n\t"
#define CTML_DOT_S8_S16W_OUTPUTS                                                                           \
  [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2), [c3] "+r"(c3), [x] "+r"(x), [w] "+r"(w), [xe] "=&r"(xe), \
      [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1)

template <std::size_t Q>
inline void dot_s8_s16w_1x4(const std::int8_t* x, const std::uint32_t* w, std::int32_t& acc0, std::int32_t& acc1,
                            std::int32_t& acc2, std::int32_t& acc3) {
  std::int32_t c0 = acc0, c1 = acc1, c2 = acc2, c3 = acc3;
#if defined(__OPTIMIZE__)
  std::uint32_t xe, xo, w0, w1;
  if constexpr (Q <= 32) {
    // Unrolled by the assembler (.rept): no loop, no end pointer (K <= 128).
    __asm__ volatile(".rept %c[q]\n\t" CTML_DOT_S8_S16W_QUAD ".endr"
                     : CTML_DOT_S8_S16W_OUTPUTS
                     : [q] "n"(Q)
                     : "memory");
  } else {
    const std::int8_t* const end = x + 4 * Q;
    __asm__ volatile("1:\n\t" CTML_DOT_S8_S16W_QUAD
                     "cmp %[x], %[end]\n\t"
                     "bne 1b\n\t"
                     : CTML_DOT_S8_S16W_OUTPUTS
                     : [end] "r"(end)
                     : "cc", "memory");
  }
#else
  for (std::size_t q = 0; q < Q; ++q, x += 4, w += 8) {
    std::uint32_t v;
    std::memcpy(&v, x, 4);
    const std::uint32_t xe = __sxtb16(v), xo = detail::sxtb16_ror8(v);
    c0 = __smlad(xo, w[1], __smlad(xe, w[0], c0));
    c1 = __smlad(xo, w[3], __smlad(xe, w[2], c1));
    c2 = __smlad(xo, w[5], __smlad(xe, w[4], c2));
    c3 = __smlad(xo, w[7], __smlad(xe, w[6], c3));
  }
#endif
  acc0 = c0;
  acc1 = c1;
  acc2 = c2;
  acc3 = c3;
}
#undef CTML_DOT_S8_S16W_OUTPUTS
#undef CTML_DOT_S8_S16W_QUAD

// Two int16 products per SMLAD (modular, as dot_s16_ref): 2 instructions per 2 MACs with the
// loads. Unaligned word loads are fine on M4/M7/M55 (LDR, not LDRD).
template <std::size_t N>
inline std::int32_t dot_s16(const std::int16_t* a, const std::int16_t* b) {
  constexpr std::size_t body = N - N % 2;
  std::int32_t acc = 0;
  for (std::size_t i = 0; i < body; i += 2) {
    std::uint32_t x, y;
    std::memcpy(&x, a + i, 4);
    std::memcpy(&y, b + i, 4);
    acc = __smlad(x, y, acc);
  }
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(dot_s16_ref<N - body>(a + body, b + body)));
}

// SXTAB16 sign-extends two bytes and adds the offset in one instruction, SMLABB/SMLATT
// multiply-accumulate the bottom/top halves: 10 instructions per 4 MACs. x + offset must fit
// int16 (it does for int8 data and an int8 zero point).
inline void mac4_s8_offset(const std::int8_t* x, const std::int8_t* w, std::int32_t offset, std::int32_t& acc0,
                           std::int32_t& acc1, std::int32_t& acc2, std::int32_t& acc3) {
  // One asm statement per call: when a caller unrolls its loop over taps, GCC 12 would otherwise
  // hoist and interleave the extensions of many taps and spill most of them to the stack.
  const std::uint32_t off2 = (static_cast<std::uint32_t>(offset) & 0xFFFFu) * 0x10001u;
  std::uint32_t xv, wv, xe, we;
  __asm__("ldr %[xv], %[xm]\n\t"
          "ldr %[wv], %[wm]\n\t"
          "sxtab16 %[xe], %[off2], %[xv]\n\t"           // x0, x2 (+ offset)
          "sxtab16 %[xv], %[off2], %[xv], ror #8\n\t"   // x1, x3
          "sxtb16 %[we], %[wv]\n\t"
          "sxtb16 %[wv], %[wv], ror #8\n\t"
          "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
          "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
          "smlabb %[a1], %[xv], %[wv], %[a1]\n\t"
          "smlatt %[a3], %[xv], %[wv], %[a3]"
          : [a0] "+r"(acc0), [a1] "+r"(acc1), [a2] "+r"(acc2), [a3] "+r"(acc3), [xv] "=&r"(xv), [wv] "=&r"(wv),
            [xe] "=&r"(xe), [we] "=&r"(we)
          : [xm] "m"(*reinterpret_cast<const std::uint32_t*>(x)), [wm] "m"(*reinterpret_cast<const std::uint32_t*>(w)),
            [off2] "r"(off2));
}

}  // namespace dsp

// Sign-extends K int8 values (K a multiple of 4) into K/2 words of int16 pairs in the order SXTB16
// produces them: per four bytes x0..x3, the word (x0, x2) and then the word (x1, x3). An input
// row reused against many weight rows (a pixel of a pointwise or im2col convolution) is expanded
// once, so the inner loop below extends only the weights.
template <std::size_t K>
inline void expand_s8_pairs(const std::int8_t* x, std::uint32_t* out) {
  static_assert(K % 4 == 0, "expand_s8_pairs: K must be a multiple of 4");
  for (std::size_t i = 0; i < K; i += 4) {
    std::uint32_t v;
    std::memcpy(&v, x + i, 4);
    out[i / 2] = __sxtb16(v);
    out[i / 2 + 1] = detail::sxtb16_ror8(v);
  }
}


// The 2x2 block of dot_s8_2x2 with the two input rows already expanded: a holds rows a0 and a1
// (K/2 words each, a1 right after a0), b holds the int8 weight rows b0 and b1 (K bytes each, b1
// right after b0); acc += {a0.b0, a0.b1, a1.b0, a1.b1}. Both pairs sit at constant offsets from
// one pointer, so the loop needs three address registers and leaves room for the eight operands:
// per 16 MACs two LDRDs, two LDRs, four SXTB16s and eight SMLADs.
// RowStride: the bytes from weight row b0 to b1 (K when the rows are whole; the conv's full patch
// length when this is one kernel row's segment of it).
template <std::size_t K, std::size_t RowStride = K>
inline void dot_s16s8_2x2(const std::uint32_t* a, const std::int8_t* b, std::int32_t* acc) {
  static_assert(K % 4 == 0, "dot_s16s8_2x2: K must be a multiple of 4");
  std::int32_t c00 = acc[0], c01 = acc[1], c10 = acc[2], c11 = acc[3];
  constexpr std::size_t quads = K / 4;
#if defined(__OPTIMIZE__)
  // Two quads per iteration in assembly: GCC 12 neither pairs the input loads into LDRD nor keeps
  // the thirteen live values out of the stack (22 instructions per quad instead of 17). The
  // offsets of the second pixel (2K - 8 bytes after the post-incremented a) and of the second
  // weight row (K - 4 after b) are immediates, within LDRD's range for K <= 512.
  if constexpr (quads % 2 == 0 && K <= 512 && RowStride <= 4095) {
    const std::int8_t* const end = b + K;
    std::uint32_t x0e, x0o, x1e, x1o, w, wo;
#define CTML_DOT_S16S8_QUAD                                   \
  "ldrd %[x0e], %[x0o], [%[a]], #8\n\t"                     \
  "ldrd %[x1e], %[x1o], [%[a], %[xoff]]\n\t"                \
  "ldr %[w], [%[b]], #4\n\t"                                \
  "sxtb16 %[wo], %[w], ror #8\n\t"                          \
  "sxtb16 %[w], %[w]\n\t"                                   \
  "smlad %[c00], %[x0e], %[w], %[c00]\n\t"                  \
  "smlad %[c00], %[x0o], %[wo], %[c00]\n\t"                 \
  "smlad %[c10], %[x1e], %[w], %[c10]\n\t"                  \
  "smlad %[c10], %[x1o], %[wo], %[c10]\n\t"                 \
  "ldr %[w], [%[b], %[woff]]\n\t"                           \
  "sxtb16 %[wo], %[w], ror #8\n\t"                          \
  "sxtb16 %[w], %[w]\n\t"                                   \
  "smlad %[c01], %[x0e], %[w], %[c01]\n\t"                  \
  "smlad %[c01], %[x0o], %[wo], %[c01]\n\t"                 \
  "smlad %[c11], %[x1e], %[w], %[c11]\n\t"                  \
  "smlad %[c11], %[x1o], %[wo], %[c11]\n\t"
    __asm__ volatile("1:\n\t" CTML_DOT_S16S8_QUAD CTML_DOT_S16S8_QUAD
                     "cmp %[b], %[end]\n\t"
                     "bne 1b\n\t"
                     : [c00] "+r"(c00), [c01] "+r"(c01), [c10] "+r"(c10), [c11] "+r"(c11), [a] "+r"(a), [b] "+r"(b),
                       [x0e] "=&r"(x0e), [x0o] "=&r"(x0o), [x1e] "=&r"(x1e), [x1o] "=&r"(x1o), [w] "=&r"(w),
                       [wo] "=&r"(wo)
                     : [end] "r"(end), [xoff] "n"(2 * K - 8), [woff] "n"(RowStride - 4)
                     : "cc", "memory");
#undef CTML_DOT_S16S8_QUAD
    acc[0] = c00;
    acc[1] = c01;
    acc[2] = c10;
    acc[3] = c11;
    return;
  }
#endif
  for (std::size_t i = 0; i < quads; ++i, a += 2, b += 4) {
    const std::uint32_t x0e = a[0], x0o = a[1], x1e = a[K / 2], x1o = a[K / 2 + 1];
    std::uint32_t w;
    std::memcpy(&w, b, 4);
    std::uint32_t we = __sxtb16(w), wo = detail::sxtb16_ror8(w);
    c00 = __smlad(x0o, wo, __smlad(x0e, we, c00));
    c10 = __smlad(x1o, wo, __smlad(x1e, we, c10));
    std::memcpy(&w, b + RowStride, 4);
    we = __sxtb16(w);
    wo = detail::sxtb16_ror8(w);
    c01 = __smlad(x0o, wo, __smlad(x0e, we, c01));
    c11 = __smlad(x1o, wo, __smlad(x1e, we, c11));
  }
  acc[0] = c00;
  acc[1] = c01;
  acc[2] = c10;
  acc[3] = c11;
}

// The 2x2 block of dot_s16s8_2x2 with both operands already sign-extended: a holds the expanded
// rows a0 and a1 (as there), w a pair of PackedS16Pairs rows. Per 16 MACs four LDRDs and eight
// SMLADs (12 instructions instead of 17): the weights cost no extension in the loop.
template <std::size_t K>
inline void dot_s16_2x2(const std::uint32_t* a, const std::uint32_t* w, std::int32_t* acc) {
  static_assert(K % 4 == 0, "dot_s16_2x2: K must be a multiple of 4");
  std::int32_t c00 = acc[0], c01 = acc[1], c10 = acc[2], c11 = acc[3];
  constexpr std::size_t quads = K / 4;
#if defined(__OPTIMIZE__)
  // Up to 32 quads (K <= 128, the pointwise layers of MCU networks): unrolled by the assembler
  // (.rept), so no loop counter, no end pointer and no branch: 12 instructions per 16 MACs
  // instead of 13. (Loading a quad's four weight words with one LDM would save one more, but LDM
  // needs fixed registers, which GCC 12 fails to allocate in some callers.)
  if constexpr (quads <= 32) {
    std::uint32_t x0e, x0o, x1e, x1o, we, wo;
    __asm__ volatile(
        ".rept %c[quads]\n\t"
        "ldrd %[x0e], %[x0o], [%[a]], #8\n\t"
        "ldrd %[x1e], %[x1o], [%[a], %[xoff]]\n\t"
        "ldrd %[we], %[wo], [%[w]], #8\n\t"
        "smlad %[c00], %[x0e], %[we], %[c00]\n\t"
        "smlad %[c00], %[x0o], %[wo], %[c00]\n\t"
        "smlad %[c10], %[x1e], %[we], %[c10]\n\t"
        "smlad %[c10], %[x1o], %[wo], %[c10]\n\t"
        "ldrd %[we], %[wo], [%[w]], #8\n\t"
        "smlad %[c01], %[x0e], %[we], %[c01]\n\t"
        "smlad %[c01], %[x0o], %[wo], %[c01]\n\t"
        "smlad %[c11], %[x1e], %[we], %[c11]\n\t"
        "smlad %[c11], %[x1o], %[wo], %[c11]\n\t"
        ".endr"
        : [c00] "+r"(c00), [c01] "+r"(c01), [c10] "+r"(c10), [c11] "+r"(c11), [a] "+r"(a), [w] "+r"(w),
          [x0e] "=&r"(x0e), [x0o] "=&r"(x0o), [x1e] "=&r"(x1e), [x1o] "=&r"(x1o), [we] "=&r"(we), [wo] "=&r"(wo)
        : [quads] "n"(quads), [xoff] "n"(2 * K - 8)
        : "memory");
    acc[0] = c00;
    acc[1] = c01;
    acc[2] = c10;
    acc[3] = c11;
    return;
  }
  // Assembly for the same reasons as dot_s16s8_2x2; two quads per iteration when K allows. The
  // second pixel is 2K - 8 bytes after the post-incremented a (LDRD reaches 1020 bytes).
  if constexpr (K <= 512) {
    const std::uint32_t* const end = w + K;
    std::uint32_t x0e, x0o, x1e, x1o, we, wo;
#define CTML_DOT_S16_QUAD                                     \
  "ldrd %[x0e], %[x0o], [%[a]], #8\n\t"                     \
  "ldrd %[x1e], %[x1o], [%[a], %[xoff]]\n\t"                \
  "ldrd %[we], %[wo], [%[w]], #8\n\t"                       \
  "smlad %[c00], %[x0e], %[we], %[c00]\n\t"                 \
  "smlad %[c00], %[x0o], %[wo], %[c00]\n\t"                 \
  "smlad %[c10], %[x1e], %[we], %[c10]\n\t"                 \
  "smlad %[c10], %[x1o], %[wo], %[c10]\n\t"                 \
  "ldrd %[we], %[wo], [%[w]], #8\n\t"                       \
  "smlad %[c01], %[x0e], %[we], %[c01]\n\t"                 \
  "smlad %[c01], %[x0o], %[wo], %[c01]\n\t"                 \
  "smlad %[c11], %[x1e], %[we], %[c11]\n\t"                 \
  "smlad %[c11], %[x1o], %[wo], %[c11]\n\t"
#define CTML_DOT_S16_OPERANDS                                                                                  \
  : [c00] "+r"(c00), [c01] "+r"(c01), [c10] "+r"(c10), [c11] "+r"(c11), [a] "+r"(a), [w] "+r"(w), [x0e] "=&r"(x0e), \
    [x0o] "=&r"(x0o), [x1e] "=&r"(x1e), [x1o] "=&r"(x1o), [we] "=&r"(we), [wo] "=&r"(wo)                           \
  : [end] "r"(end), [xoff] "n"(2 * K - 8)                                                                          \
  : "cc", "memory"
    if constexpr (quads % 2 == 0)
      __asm__ volatile("1:\n\t" CTML_DOT_S16_QUAD CTML_DOT_S16_QUAD "cmp %[w], %[end]\n\tbne 1b" CTML_DOT_S16_OPERANDS);
    else
      __asm__ volatile("1:\n\t" CTML_DOT_S16_QUAD "cmp %[w], %[end]\n\tbne 1b" CTML_DOT_S16_OPERANDS);
#undef CTML_DOT_S16_OPERANDS
#undef CTML_DOT_S16_QUAD
    acc[0] = c00;
    acc[1] = c01;
    acc[2] = c10;
    acc[3] = c11;
    return;
  }
#endif
  for (std::size_t i = 0; i < quads; ++i, a += 2, w += 4) {
    const std::uint32_t x0e = a[0], x0o = a[1], x1e = a[K / 2], x1o = a[K / 2 + 1];
    c00 = __smlad(x0o, w[1], __smlad(x0e, w[0], c00));
    c10 = __smlad(x1o, w[1], __smlad(x1e, w[0], c10));
    c01 = __smlad(x0o, w[3], __smlad(x0e, w[2], c01));
    c11 = __smlad(x1o, w[3], __smlad(x1e, w[2], c11));
  }
  acc[0] = c00;
  acc[1] = c01;
  acc[2] = c10;
  acc[3] = c11;
}

// mac4_s8_offset with the weights of tap Tap already sign-extended: w points at the channel
// quad's PackedS16ByQuad words. One LDRD replaces a load and two SXTB16s: 8 instructions per
// 4 MACs.
template <std::size_t Tap>
inline void mac4_s16w_offset(const std::int8_t* x, const std::uint32_t* w, std::uint32_t off2, std::int32_t& acc0,
                             std::int32_t& acc1, std::int32_t& acc2, std::int32_t& acc3) {
  static_assert(Tap * 8 <= 1020, "mac4_s16w_offset: the tap's offset is beyond LDRD's immediate range");
  std::uint32_t xv, we, wo, xe;
  __asm__("ldr %[xv], %[xm]\n\t"
          "ldrd %[we], %[wo], [%[w], %[woff]]\n\t"
          "sxtab16 %[xe], %[off2], %[xv]\n\t"          // x0, x2 (+ offset)
          "sxtab16 %[xv], %[off2], %[xv], ror #8\n\t"  // x1, x3
          "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
          "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
          "smlabb %[a1], %[xv], %[wo], %[a1]\n\t"
          "smlatt %[a3], %[xv], %[wo], %[a3]"
          : [a0] "+r"(acc0), [a1] "+r"(acc1), [a2] "+r"(acc2), [a3] "+r"(acc3), [xv] "=&r"(xv), [we] "=&r"(we),
            [wo] "=&r"(wo), [xe] "=&r"(xe)
          : [xm] "m"(*reinterpret_cast<const std::uint32_t*>(x)), [w] "r"(w), [woff] "n"(Tap * 8), [off2] "r"(off2),
            "m"(*reinterpret_cast<const std::uint32_t(*)[2]>(w + 2 * Tap)));
}
#endif

}  // namespace ctml::kernels
