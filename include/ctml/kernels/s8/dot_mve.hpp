// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helium (M-profile Vector Extension, Cortex-M55/M85) variants of the int8 dot products
// (dot_portable.hpp has the formulas): VMLADAVA multiplies 16 int8 pairs and adds all products to
// a scalar accumulator in one instruction; the last N % 16 elements are one more with a tail
// predicate (VCTP: the loads leave the other lanes zero, whose products add nothing, and read no
// byte beyond the N).
// CTML_NO_MVE (or CTML_NO_DSP, CTML_NO_SIMD) turns them off (core/target.hpp).
#include <cstddef>
#include <cstdint>
#include <ctml/core/target.hpp>
#if defined(CTML_HAVE_MVE)
#include <arm_mve.h>

namespace ctml::kernels::mve {

// The last N % 16 bytes at p as a vector whose other lanes are zero.
template <std::size_t N>
inline int8x16_t load_tail(const std::int8_t* p) {
  return vldrbq_z_s8(p, vctp8q(N % 16));
}

template <std::size_t N>
inline std::int32_t dot_s8(const std::int8_t* a, const std::int8_t* b) {
  constexpr std::size_t body = N - N % 16;
  std::int32_t acc = 0;
  for (std::size_t i = 0; i < body; i += 16) acc = vmladavaq_s8(acc, vld1q_s8(a + i), vld1q_s8(b + i));
  if constexpr (N != body) acc = vmladavaq_s8(acc, load_tail<N>(a + body), load_tail<N>(b + body));
  return acc;
}

template <std::size_t N>
inline void dot_s8_2x2(const std::int8_t* a0, const std::int8_t* a1, const std::int8_t* b0, const std::int8_t* b1,
                       std::int32_t* acc) {
  constexpr std::size_t body = N - N % 16;
  std::int32_t c00 = acc[0], c01 = acc[1], c10 = acc[2], c11 = acc[3];
  for (std::size_t i = 0; i < body; i += 16) {
    const int8x16_t x0 = vld1q_s8(a0 + i), x1 = vld1q_s8(a1 + i), y0 = vld1q_s8(b0 + i), y1 = vld1q_s8(b1 + i);
    c00 = vmladavaq_s8(c00, x0, y0);
    c01 = vmladavaq_s8(c01, x0, y1);
    c10 = vmladavaq_s8(c10, x1, y0);
    c11 = vmladavaq_s8(c11, x1, y1);
  }
  if constexpr (N != body) {
    const int8x16_t x0 = load_tail<N>(a0 + body), x1 = load_tail<N>(a1 + body), y0 = load_tail<N>(b0 + body),
                    y1 = load_tail<N>(b1 + body);
    c00 = vmladavaq_s8(c00, x0, y0);
    c01 = vmladavaq_s8(c01, x0, y1);
    c10 = vmladavaq_s8(c10, x1, y0);
    c11 = vmladavaq_s8(c11, x1, y1);
  }
  acc[0] = c00;
  acc[1] = c01;
  acc[2] = c10;
  acc[3] = c11;
}

template <std::size_t N>
inline void dot_s8_1x2(const std::int8_t* a, const std::int8_t* b0, const std::int8_t* b1, std::int32_t& acc0,
                       std::int32_t& acc1) {
  constexpr std::size_t body = N - N % 16;
  std::int32_t c0 = acc0, c1 = acc1;
  for (std::size_t i = 0; i < body; i += 16) {
    const int8x16_t x = vld1q_s8(a + i);
    c0 = vmladavaq_s8(c0, x, vld1q_s8(b0 + i));
    c1 = vmladavaq_s8(c1, x, vld1q_s8(b1 + i));
  }
  if constexpr (N != body) {
    const int8x16_t x = load_tail<N>(a + body);
    c0 = vmladavaq_s8(c0, x, load_tail<N>(b0 + body));
    c1 = vmladavaq_s8(c1, x, load_tail<N>(b1 + body));
  }
  acc0 = c0;
  acc1 = c1;
}

// One input vector against four weight rows (w, w + N, w + 2N, w + 3N): acc[j] += a . row j.
// Per 16 bytes five loads and four VMLADAVA (a dense layer's units in fours).
template <std::size_t N>
inline void dot_s8_1x4(const std::int8_t* a, const std::int8_t* w, std::int32_t* acc) {
  constexpr std::size_t body = N - N % 16;
  std::int32_t c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3];
#pragma GCC unroll 4
  for (std::size_t i = 0; i < body; i += 16) {
    const int8x16_t x = vld1q_s8(a + i);
    c0 = vmladavaq_s8(c0, x, vld1q_s8(w + i));
    c1 = vmladavaq_s8(c1, x, vld1q_s8(w + N + i));
    c2 = vmladavaq_s8(c2, x, vld1q_s8(w + 2 * N + i));
    c3 = vmladavaq_s8(c3, x, vld1q_s8(w + 3 * N + i));
  }
  if constexpr (N != body) {
    const int8x16_t x = load_tail<N>(a + body);
    c0 = vmladavaq_s8(c0, x, load_tail<N>(w + body));
    c1 = vmladavaq_s8(c1, x, load_tail<N>(w + N + body));
    c2 = vmladavaq_s8(c2, x, load_tail<N>(w + 2 * N + body));
    c3 = vmladavaq_s8(c3, x, load_tail<N>(w + 3 * N + body));
  }
  acc[0] = c0;
  acc[1] = c1;
  acc[2] = c2;
  acc[3] = c3;
}

// Two input vectors (a0, a1) against four weight rows (w, w + N, w + 2N, w + 3N): acc[j] +=
// a0 . row j, acc[4 + j] += a1 . row j. Per 16 bytes six loads and eight VMLADAVA (two 2x2
// blocks would take eight loads). The accumulators stay in scalar registers; the empty asm per
// step keeps GCC from hoisting every step's loads into the eight vector registers (it spilled).
template <std::size_t N>
inline void dot_s8_2x4(const std::int8_t* a0, const std::int8_t* a1, const std::int8_t* w, std::int32_t* acc) {
  constexpr std::size_t body = N - N % 16;
  std::int32_t c00 = acc[0], c01 = acc[1], c02 = acc[2], c03 = acc[3];
  std::int32_t c10 = acc[4], c11 = acc[5], c12 = acc[6], c13 = acc[7];
  const auto step = [&](int8x16_t x0, int8x16_t x1, int8x16_t y0, int8x16_t y1, int8x16_t y2, int8x16_t y3) {
    c00 = vmladavaq_s8(c00, x0, y0);
    c10 = vmladavaq_s8(c10, x1, y0);
    c01 = vmladavaq_s8(c01, x0, y1);
    c11 = vmladavaq_s8(c11, x1, y1);
    c02 = vmladavaq_s8(c02, x0, y2);
    c12 = vmladavaq_s8(c12, x1, y2);
    c03 = vmladavaq_s8(c03, x0, y3);
    c13 = vmladavaq_s8(c13, x1, y3);
    __asm__ volatile("" ::: "memory");
  };
#pragma GCC unroll 16
  for (std::size_t i = 0; i < body; i += 16)
    step(vld1q_s8(a0 + i), vld1q_s8(a1 + i), vld1q_s8(w + i), vld1q_s8(w + N + i), vld1q_s8(w + 2 * N + i),
         vld1q_s8(w + 3 * N + i));
  if constexpr (N != body)
    step(load_tail<N>(a0 + body), load_tail<N>(a1 + body), load_tail<N>(w + body), load_tail<N>(w + N + body),
         load_tail<N>(w + 2 * N + body), load_tail<N>(w + 3 * N + body));
  acc[0] = c00;
  acc[1] = c01;
  acc[2] = c02;
  acc[3] = c03;
  acc[4] = c10;
  acc[5] = c11;
  acc[6] = c12;
  acc[7] = c13;
}

}  // namespace ctml::kernels::mve
#endif
