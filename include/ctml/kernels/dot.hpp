// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float dot products with independent partial sums ("lanes"): sum_i a[i] * b[i] split into Lanes
// interleaved sums, so a host compiler vectorises the loop without -ffast-math (no single sum is
// reassociated) and a scalar FPU (Cortex-M4/M7) keeps every partial sum in a register.
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>
#include <ctml/core/target.hpp>
#include <ctml/kernels/mve.hpp>

namespace ctml::kernels {

// lane[l] += a[l] * b[l] for every lane. Where the compiler vectorises (SIMD hosts) the loop over
// l becomes one vector multiply-add per 4 or 8 lanes. Without float SIMD (Cortex-M4/M7) GCC leaves
// that loop rolled and the lanes in a stack array (7 instructions per multiply-add); written as a
// fold the lanes are separate variables in FPU registers (3 per multiply-add, about 2x faster).
// The fold is not used on SIMD hosts: there GCC's straight-line vectoriser does worse than its
// loop vectoriser (Dense 640->128: 5.9 vs 5.0 us on x86-64).
template <std::size_t Lanes, class T>
constexpr void mac_lanes(T (&lane)[Lanes], const T* a, const T* b) {
#if defined(CTML_HAVE_FLOAT_SIMD)
  for (std::size_t l = 0; l < Lanes; ++l) lane[l] += a[l] * b[l];
#else
  [&]<std::size_t... L>(std::index_sequence<L...>) {
    ((lane[L] += a[L] * b[L]), ...);
  }(std::make_index_sequence<Lanes>{});
#endif
}

// R rows at once (rows `stride` apart, the same input): acc[r] += lane_0 + lane_1 + ... (in that
// order), where lane_l = sum over i of row_r[i * Lanes + l] * in[i * Lanes + l] for the first
// N / Lanes groups: exactly what one row at a time computes. On SIMD hosts the R * 8 partial sums
// are independent chains (one row alone gives two dependent vector additions per 8 inputs, and the
// loop waits on the adder: x86-64 Dense 640->128 ran at half the multiply-add throughput), the
// input loads are shared, and four rows' lanes are added vertically after a transpose, in
// registers and in the same order.
template <std::size_t R, std::size_t N, std::size_t Lanes, class T>
constexpr void dot_rows(const T* w, std::size_t stride, const T* in, T (&acc)[R]) {
  constexpr std::size_t Body = N - N % Lanes;
#if defined(CTML_HAVE_VECTOR_EXT)
  // Vector variables, not GCC's loop vectoriser: that keeps a [R][Lanes] array in memory.
  if constexpr (std::is_same_v<T, float> && Lanes == 8) {
    if (!std::is_constant_evaluated()) {
      typedef float v4 __attribute__((vector_size(16)));
      v4 a[R][2] = {};
#if defined(CTML_HAVE_AVX)
      // 256-bit registers (a -march with AVX): the eight lanes in one vector, the same sums.
      typedef float v8 __attribute__((vector_size(32)));
      const auto ld8 = [](const float* p) { v8 v; std::memcpy(&v, p, sizeof v); return v; };
      v8 a8[R] = {};
      for (std::size_t i = 0; i < Body; i += 8) {
        const v8 x = ld8(in + i);
#pragma GCC unroll 8
        for (std::size_t r = 0; r < R; ++r) a8[r] += ld8(w + r * stride + i) * x;
      }
      for (std::size_t r = 0; r < R; ++r) {
        a[r][0] = __builtin_shufflevector(a8[r], a8[r], 0, 1, 2, 3);
        a[r][1] = __builtin_shufflevector(a8[r], a8[r], 4, 5, 6, 7);
      }
#else
      const auto ld = [](const float* p) { v4 v; std::memcpy(&v, p, sizeof v); return v; };
      for (std::size_t i = 0; i < Body; i += 8) {
        const v4 x0 = ld(in + i), x1 = ld(in + i + 4);
        // Unrolled so that a[][] lives in registers.
#pragma GCC unroll 8
        for (std::size_t r = 0; r < R; ++r) {
          a[r][0] += ld(w + r * stride + i) * x0;
          a[r][1] += ld(w + r * stride + i + 4) * x1;
        }
      }
#endif
      if constexpr (R % 4 == 0) {
        for (std::size_t g = 0; g < R; g += 4) {  // rows g..g+3
          v4 s;
          std::memcpy(&s, acc + g, sizeof s);
          for (std::size_t h = 0; h < 2; ++h) {  // lanes 0-3, then 4-7: t[l] = lane l of rows g..g+3
            const v4 p = __builtin_shufflevector(a[g][h], a[g + 1][h], 0, 4, 1, 5);
            const v4 q = __builtin_shufflevector(a[g + 2][h], a[g + 3][h], 0, 4, 1, 5);
            const v4 u = __builtin_shufflevector(a[g][h], a[g + 1][h], 2, 6, 3, 7);
            const v4 v = __builtin_shufflevector(a[g + 2][h], a[g + 3][h], 2, 6, 3, 7);
            s += __builtin_shufflevector(p, q, 0, 1, 4, 5);
            s += __builtin_shufflevector(p, q, 2, 3, 6, 7);
            s += __builtin_shufflevector(u, v, 0, 1, 4, 5);
            s += __builtin_shufflevector(u, v, 2, 3, 6, 7);
          }
          std::memcpy(acc + g, &s, sizeof s);
        }
      } else {
        for (std::size_t r = 0; r < R; ++r)
          for (std::size_t l = 0; l < 8; ++l) acc[r] += a[r][l / 4][l % 4];
      }
      return;
    }
  }
#endif
#if defined(CTML_HAVE_MVE_FLOAT)
  // Helium: the same eight lanes (products rounded, then added) as two vector variables walked by
  // pointers. Left to the loop vectoriser the code depended on inlining: out of line GCC 12 kept a
  // second copy of the row pointer, one more instruction per 8 inputs (Cortex-M55 Dense 640->128:
  // 118,437 instead of 97,687 instructions).
  if constexpr (std::is_same_v<T, float> && Lanes == 8) {
    if (!std::is_constant_evaluated()) {
      detail::mve_fence();  // kernels/mve.hpp: the vector loads must see earlier float stores
      for (std::size_t r = 0; r < R; ++r) {
        const float* pw = w + r * stride;
        const float* px = in;
        float32x4_t l0 = vdupq_n_f32(0.0f), l1 = l0;
        for (std::size_t k = Body / 8; k > 0; --k, pw += 8, px += 8) {
          const float32x4_t w1 = vld1q_f32(pw + 4), x1 = vld1q_f32(px + 4);
          l0 = vaddq_f32(l0, vmulq_f32(vld1q_f32(pw), vld1q_f32(px)));
          l1 = vaddq_f32(l1, vmulq_f32(w1, x1));
        }
        acc[r] += vgetq_lane_f32(l0, 0);
        acc[r] += vgetq_lane_f32(l0, 1);
        acc[r] += vgetq_lane_f32(l0, 2);
        acc[r] += vgetq_lane_f32(l0, 3);
        acc[r] += vgetq_lane_f32(l1, 0);
        acc[r] += vgetq_lane_f32(l1, 1);
        acc[r] += vgetq_lane_f32(l1, 2);
        acc[r] += vgetq_lane_f32(l1, 3);
      }
      return;
    }
  }
#endif
  for (std::size_t r = 0; r < R; ++r) {
    T lane[Lanes]{};
    for (std::size_t i = 0; i < Body; i += Lanes) mac_lanes(lane, w + r * stride + i, in + i);
    for (std::size_t l = 0; l < Lanes; ++l) acc[r] += lane[l];
  }
}

// Partial sums a dot product of N values uses.
template <std::size_t N>
inline constexpr std::size_t dot_lanes = N >= 8 ? 8 : (N >= 4 ? 4 : 1);

// Dot product of N contiguous values.
template <std::size_t N, class T>
constexpr T dot(const T* a, const T* b) {
  constexpr std::size_t Lanes = dot_lanes<N>;
  constexpr std::size_t Body = N - N % Lanes;
  T lane[Lanes]{};
  for (std::size_t i = 0; i < Body; i += Lanes) mac_lanes(lane, a + i, b + i);
  T acc{};
  for (std::size_t l = 0; l < Lanes; ++l) acc += lane[l];
  for (std::size_t i = Body; i < N; ++i) acc += a[i] * b[i];
  return acc;
}

// R dot products with dot<N>'s lanes and order: out[r] = dot<N>(in, w + r * stride).
template <std::size_t R, std::size_t N, class T>
constexpr void dots(const T* w, std::size_t stride, const T* in, T (&out)[R]) {
  if constexpr (R == 1) {  // dot<N> itself: Helium's vectoriser does better with its lane array
    out[0] = dot<N>(in, w);
  } else {
    constexpr std::size_t Lanes = dot_lanes<N>;
    for (std::size_t r = 0; r < R; ++r) out[r] = T{};
    dot_rows<R, N, Lanes>(w, stride, in, out);
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t i = N - N % Lanes; i < N; ++i) out[r] += in[i] * w[r * stride + i];
  }
}

// How many outputs the float Dense and pointwise kernels take through dot_rows at once: four on
// SIMD hosts, eight with 256-bit registers (eight independent chains of vector additions: four
// left the adder waiting on its latency); a scalar FPU has registers for one output's lanes only.
#if defined(CTML_HAVE_AVX)
inline constexpr std::size_t float_rows = 8;
#elif defined(CTML_HAVE_VECTOR_EXT)
inline constexpr std::size_t float_rows = 4;
#else
inline constexpr std::size_t float_rows = 1;
#endif

}  // namespace ctml::kernels
