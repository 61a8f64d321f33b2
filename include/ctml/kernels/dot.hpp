// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float dot products with independent partial sums ("lanes"): sum_i a[i] * b[i] split into Lanes
// interleaved sums, so a host compiler vectorises the loop without -ffast-math (no single sum is
// reassociated) and a scalar FPU (Cortex-M4/M7) keeps every partial sum in a register.
#include <cstddef>
#include <utility>

namespace ctml::kernels {

// lane[l] += a[l] * b[l] for every lane. Where the compiler vectorises (SIMD hosts) the loop over
// l becomes one vector multiply-add per 4 or 8 lanes. Without float SIMD (Cortex-M4/M7) GCC leaves
// that loop rolled and the lanes in a stack array (7 instructions per multiply-add); written as a
// fold the lanes are separate variables in FPU registers (3 per multiply-add, about 2x faster).
// The fold is not used on SIMD hosts: there GCC's straight-line vectoriser does worse than its
// loop vectoriser (Dense 640->128: 5.9 vs 5.0 us on x86-64).
template <std::size_t Lanes, class T>
constexpr void mac_lanes(T (&lane)[Lanes], const T* a, const T* b) {
#if defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__) || defined(__ARM_FEATURE_MVE)
  for (std::size_t l = 0; l < Lanes; ++l) lane[l] += a[l] * b[l];
#else
  [&]<std::size_t... L>(std::index_sequence<L...>) {
    ((lane[L] += a[L] * b[L]), ...);
  }(std::make_index_sequence<Lanes>{});
#endif
}

// Dot product of N contiguous values.
template <std::size_t N, class T>
constexpr T dot(const T* a, const T* b) {
  constexpr std::size_t Lanes = N >= 8 ? 8 : (N >= 4 ? 4 : 1);
  constexpr std::size_t Body = N - N % Lanes;
  T lane[Lanes]{};
  for (std::size_t i = 0; i < Body; i += Lanes) mac_lanes(lane, a + i, b + i);
  T acc{};
  for (std::size_t l = 0; l < Lanes; ++l) acc += lane[l];
  for (std::size_t i = Body; i < N; ++i) acc += a[i] * b[i];
  return acc;
}

}  // namespace ctml::kernels
