// SPDX-License-Identifier: Apache-2.0
#pragma once
// A float matrix product in register tiles, for the SIMD hosts' pointwise and KxK convolutions:
//   out[r][co] = act((((0 + x_r[0] w[co][0]) + x_r[1] w[co][1]) + ... + x_r[K-1] w[co][K-1]) + bias[co])
// for rows r < Rows of K values each (a pixel's channels for a pointwise conv, its patch for a KxK
// one), w [Cout][K] (OHWI rows). Each output is one chain of additions in k order and the bias
// last: TFLite's reference float conv and fully connected sum, so a float model gives TFLite
// Micro's bits where the compiler does not contract multiply-adds (a patch's padding taps add
// 0 * w = +-0 to a sum that is never -0: no bit changes, for finite weights). Vectors run across
// output channels:
//   - w is transposed once per call to [K][Cout] on the stack (K * Cout floats, at most 64 KB; the
//     cost is 1 / Rows of the multiply-adds);
//   - a tile is 4 rows x 8 channels (16 with AVX): 8 vector accumulators, independent chains, the
//     row values broadcast, two weight vectors loaded per k for 4 rows;
//   - fill(r0, n, x) writes rows r0 .. r0 + n - 1 to x (n * K floats) before the tile's outputs are
//     written, so a caller whose output overlays its input (a pointwise conv in place) is safe when a
//     tile's outputs end where the next tile's inputs begin.
// The channels past the last whole tile take the same sum one at a time.
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <ctml/core/target.hpp>
#include <ctml/kernels/activation.hpp>

namespace ctml::kernels {

// Output channels per tile: two vectors of 4 floats, or of 8 with AVX.
#if defined(CTML_HAVE_AVX)
inline constexpr std::size_t float_tile_channels = 16;
#else
inline constexpr std::size_t float_tile_channels = 8;
#endif

// Whether the tiles serve a product of this size: float on a SIMD host, enough rows to pay for the
// transposition, at least one whole tile of channels, the transposed weights within 64 KB.
template <std::size_t Rows, std::size_t K, std::size_t Cout, class T>
inline constexpr bool by_float_tiles =
#if defined(CTML_HAVE_VECTOR_EXT)
    std::is_same_v<T, float> && Rows >= 8 && Cout >= float_tile_channels && K * Cout * sizeof(T) <= 65536;
#else
    false;
#endif

#if defined(CTML_HAVE_VECTOR_EXT)
template <std::size_t Rows, std::size_t K, std::size_t Cout, Activation A, class Fill>
void rows_times_weights(Fill&& fill, const float* w, const float* bias, float* out) {
#if defined(CTML_HAVE_AVX)
  typedef float vec __attribute__((vector_size(32)));
#else
  typedef float vec __attribute__((vector_size(16)));
#endif
  constexpr std::size_t V = sizeof(vec) / sizeof(float), NV = 2, CT = NV * V, RT = 4;
  static_assert(CT == float_tile_channels);
  const auto load = [](const float* p) {
    vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  alignas(64) float wt[K * Cout];
  for (std::size_t co = 0; co < Cout; ++co)
    for (std::size_t k = 0; k < K; ++k) wt[k * Cout + co] = w[co * K + k];
  alignas(64) float x[RT * K];
  const auto tile = [&]<std::size_t R>(std::size_t r0) {
    fill(r0, R, x);
    for (std::size_t co0 = 0; co0 + CT <= Cout; co0 += CT) {
      vec acc[R][NV];
      for (std::size_t r = 0; r < R; ++r)
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = vec{};
      for (std::size_t k = 0; k < K; ++k) {
        vec wv[NV];
        for (std::size_t v = 0; v < NV; ++v) wv[v] = load(wt + k * Cout + co0 + v * V);
#pragma GCC unroll 4
        for (std::size_t r = 0; r < R; ++r) {
          const float xv = x[r * K + k];
          for (std::size_t v = 0; v < NV; ++v) acc[r][v] += xv * wv[v];
        }
      }
      for (std::size_t r = 0; r < R; ++r)
        for (std::size_t v = 0; v < NV; ++v) {
          const vec sum = acc[r][v] + load(bias + co0 + v * V);
          float lanes[V];
          std::memcpy(lanes, &sum, sizeof lanes);
          float* o = out + (r0 + r) * Cout + co0 + v * V;
          for (std::size_t l = 0; l < V; ++l) o[l] = activate<A>(lanes[l]);
        }
    }
    for (std::size_t co = Cout - Cout % CT; co < Cout; ++co)
      for (std::size_t r = 0; r < R; ++r) {
        float acc = 0.0f;
        for (std::size_t k = 0; k < K; ++k) acc += x[r * K + k] * wt[k * Cout + co];
        out[(r0 + r) * Cout + co] = activate<A>(acc + bias[co]);
      }
  };
  constexpr std::size_t full = Rows - Rows % RT;
  for (std::size_t r0 = 0; r0 < full; r0 += RT) tile.template operator()<RT>(r0);
  if constexpr (full < Rows)
    for (std::size_t r0 = full; r0 < Rows; ++r0) tile.template operator()<1>(r0);
}
#else
// Declared for the callers' discarded branches (by_float_tiles is false here); never defined.
template <std::size_t Rows, std::size_t K, std::size_t Cout, Activation A, class Fill>
void rows_times_weights(Fill&& fill, const float* w, const float* bias, float* out);
#endif

}  // namespace ctml::kernels
