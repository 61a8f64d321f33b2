// SPDX-License-Identifier: Apache-2.0
#pragma once
// Row kernel for N:M semi-structured weights (format: ctml/sparse/nm.hpp). Every row has the same
// number of values, Cols/M*N, and each value's column is (its group) * M + (a B-bit offset), with
// 8/B offsets packed in a byte. One byte therefore covers 8/B values; when that is a multiple of
// N the byte covers whole groups and all input positions inside it are compile-time constants
// plus the unpacked offsets, so the loop has fixed trip counts and no row pointers.
//   nm_rows<Acc>(w, x, emit)   emit(r, sum_k v[r][k] * x[col(r, k)]) for every row r
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/sparse_csr.hpp>

namespace ctml::kernels {

namespace detail {
template <class Acc, class W, class X>
constexpr Acc nm_row(const W& w, const X* x, std::size_t r) {
  using V = typename W::value_type;
  constexpr std::size_t N = W::n, M = W::m, B = W::offset_bits, E = W::per_byte, P = W::per_row;
  constexpr unsigned mask = (1u << B) - 1u;
  const V* v = w.values + r * P;
  const std::uint8_t* o = w.offsets + r * W::bytes_per_row;
  Acc a[E]{};
  std::size_t b = 0;
  if constexpr (E % N == 0) {
    constexpr std::size_t groups_per_byte = E / N;
    for (; b < P / E; ++b) {
      const unsigned byte = o[b];
      const X* xg = x + b * groups_per_byte * M;
      [&]<std::size_t... e>(std::index_sequence<e...>) {
        ((a[e] += mul<Acc>(v[b * E + e], xg[(e / N) * M + ((byte >> (e * B)) & mask)])), ...);
      }(std::make_index_sequence<E>{});
    }
  }
  for (std::size_t k = b * E; k < P; ++k) {
    const unsigned off = (o[k / E] >> ((k % E) * B)) & mask;
    a[0] += mul<Acc>(v[k], x[(k / N) * M + off]);
  }
  Acc s{};
  for (std::size_t e = 0; e < E; ++e) s += a[e];
  return s;
}

#if defined(CTML_HAVE_VECTOR_EXT)
// Float, four values per byte (M = 4, N = 1 or 2): one 16-byte load of weights and a gather of
// four inputs per byte.
template <class W, class Emit>
void nm_rows_f32x4(const W& w, const float* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t N = W::n, M = W::m, P = W::per_row;
  for (std::size_t r = 0; r < W::rows; ++r) {
    const float* v = w.values + r * P;
    const std::uint8_t* o = w.offsets + r * W::bytes_per_row;
    f32x4 a0{}, a1{};
    std::size_t b = 0;
    for (; b + 2 <= P / 4; b += 2) {
      const unsigned o0 = o[b], o1 = o[b + 1];
      const float* x0 = x + b * (4 / N) * M;
      const float* x1 = x0 + (4 / N) * M;
      f32x4 w0, w1;
      std::memcpy(&w0, v + b * 4, sizeof w0);
      std::memcpy(&w1, v + b * 4 + 4, sizeof w1);
      const f32x4 g0{x0[(0 / N) * M + (o0 & 3u)], x0[(1 / N) * M + ((o0 >> 2) & 3u)],
                     x0[(2 / N) * M + ((o0 >> 4) & 3u)], x0[(3 / N) * M + (o0 >> 6)]};
      const f32x4 g1{x1[(0 / N) * M + (o1 & 3u)], x1[(1 / N) * M + ((o1 >> 2) & 3u)],
                     x1[(2 / N) * M + ((o1 >> 4) & 3u)], x1[(3 / N) * M + (o1 >> 6)]};
      a0 += w0 * g0;
      a1 += w1 * g1;
    }
    a0 += a1;
    float s = (a0[0] + a0[1]) + (a0[2] + a0[3]);
    for (std::size_t k = b * 4; k < P; ++k) s += v[k] * x[(k / N) * M + ((o[k / 4] >> ((k % 4) * 2)) & 3u)];
    emit(r, s);
  }
}
#endif
}  // namespace detail

template <class Acc, class W, class X, class Emit>
constexpr void nm_rows(const W& w, const X* x, Emit&& emit) {
  ::ctml::detail::side_effect_fence();
#if defined(CTML_HAVE_VECTOR_EXT)
  if constexpr (std::is_same_v<Acc, float> && std::is_same_v<X, float> &&
                std::is_same_v<typename W::value_type, float> && W::per_byte == 4 && W::m == 4 &&
                (W::n == 1 || W::n == 2)) {
    if (!std::is_constant_evaluated()) {
      detail::nm_rows_f32x4(w, x, emit);
      return;
    }
  }
#endif
  for (std::size_t r = 0; r < W::rows; ++r) emit(r, detail::nm_row<Acc>(w, x, r));
}

}  // namespace ctml::kernels
