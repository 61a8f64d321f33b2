// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float sparse row kernels written with GCC/clang vector extensions (x86 SSE and wider, any host
// with CTML_HAVE_VECTOR_EXT; core/target.hpp decides it). Four floats per vector; the portable
// kernels (portable.hpp) are what these must equal up to the order of float additions.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/sparse/portable.hpp>
#if defined(CTML_HAVE_VECTOR_EXT)

namespace ctml::kernels::vec {

typedef float f32x4 __attribute__((vector_size(16)));

// Four column indices from one load: the kernel is load-bound (per non-zero an index and an input
// element; the values come four per vector load), so fetching the indices of a lane group as one
// integer and splitting it with shifts moves three of every four index loads to the ALUs.
template <class Index>
inline void load_index4(const Index* c, std::size_t (&i)[4]) {
  if constexpr (sizeof(Index) <= 2) {
    using Word = std::conditional_t<sizeof(Index) == 1, std::uint32_t, std::uint64_t>;
    constexpr unsigned bits = 8 * sizeof(Index);
    constexpr Word mask = (Word(1) << bits) - 1;
    Word u;
    std::memcpy(&u, c, sizeof u);  // the four indices in memory order (little-endian lanes below)
    if constexpr (std::endian::native == std::endian::little) {
      i[0] = static_cast<std::size_t>(u & mask);
      i[1] = static_cast<std::size_t>((u >> bits) & mask);
      i[2] = static_cast<std::size_t>((u >> 2 * bits) & mask);
      i[3] = static_cast<std::size_t>(u >> 3 * bits);
      return;
    }
  }
  for (std::size_t l = 0; l < 4; ++l) i[l] = c[l];
}

template <class W, class Emit>
void sliced_rows(const W& w, const float* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const float* v = w.values;
  const auto* c = w.cols;
  for (std::size_t s = 0; s < W::slices; ++s) {
    f32x4 a0{}, a1{};
    std::size_t k = w.slice_ptr[s];
    const std::size_t end = w.slice_ptr[s + 1];
    std::size_t i[4], j[4];
    for (; k + 8 <= end; k += 8) {
      f32x4 w0, w1;
      std::memcpy(&w0, v + k, sizeof w0);
      std::memcpy(&w1, v + k + 4, sizeof w1);
      load_index4(c + k, i);
      load_index4(c + k + 4, j);
      const f32x4 g0{x[i[0]], x[i[1]], x[i[2]], x[i[3]]};
      const f32x4 g1{x[j[0]], x[j[1]], x[j[2]], x[j[3]]};
      a0 += w0 * g0;
      a1 += w1 * g1;
    }
    if (k < end) {
      f32x4 w0;
      std::memcpy(&w0, v + k, sizeof w0);
      load_index4(c + k, i);
      const f32x4 g0{x[i[0]], x[i[1]], x[i[2]], x[i[3]]};
      a0 += w0 * g0;
    }
    a0 += a1;
    portable::finish_slice<float>(w, x, s, a0, emit);
  }
}

// csr_rows_interleaved with vector variables: per non-zero one broadcast of the value and P / 4
// multiply-adds on inputs that sit together in memory. Two sets of partial sums (even and odd
// non-zeros) keep the adder busy while a row's chain waits on its latency.
template <std::size_t P, class W, class Emit>
void csr_rows_interleaved(const W& w, const float* xt_unaligned, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t V = P / 4;
  const float* v = w.values;
  const auto* c = w.cols;
  // The caller aligns xt to 16 bytes, so the input loads fold into the multiplies.
  const float* xt = static_cast<const float*>(__builtin_assume_aligned(xt_unaligned, 16));
  const auto ld = [](const float* p) { f32x4 q; std::memcpy(&q, p, sizeof q); return q; };
  for (std::size_t r = 0; r < W::rows; ++r) {
    f32x4 a[4][V] = {};
    const std::size_t end = w.row_ptr[r + 1];
    std::size_t k = w.row_ptr[r];
    const auto step = [&](f32x4 (&s)[V], f32x4 wk, std::size_t j) {
      const float* xc = static_cast<const float*>(__builtin_assume_aligned(xt + static_cast<std::size_t>(c[j]) * P, 16));
#pragma GCC unroll 8
      for (std::size_t q = 0; q < V; ++q) s[q] += wk * ld(xc + 4 * q);
    };
    for (; k + 4 <= end; k += 4) {
      const f32x4 w4 = ld(v + k);
      step(a[0], __builtin_shufflevector(w4, w4, 0, 0, 0, 0), k);
      step(a[1], __builtin_shufflevector(w4, w4, 1, 1, 1, 1), k + 1);
      step(a[2], __builtin_shufflevector(w4, w4, 2, 2, 2, 2), k + 2);
      step(a[3], __builtin_shufflevector(w4, w4, 3, 3, 3, 3), k + 3);
    }
    for (; k < end; ++k) {
      const float vk = v[k];
      step(a[0], f32x4{vk, vk, vk, vk}, k);
    }
    float out[P];
    for (std::size_t q = 0; q < V; ++q) {
      const f32x4 t = (a[0][q] + a[1][q]) + (a[2][q] + a[3][q]);
      std::memcpy(out + 4 * q, &t, sizeof t);
    }
    emit(r, out);
  }
}

// Float, four values per byte (M = 4, N = 1 or 2): one 16-byte load of weights and a gather of
// four inputs per byte.
template <class W, class Emit>
void nm_rows(const W& w, const float* x, Emit& emit) {
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

// interleave for floats, P a multiple of 4: 4x4 blocks transposed in registers. xt is 16-byte
// aligned (the layers align their scratch).
template <std::size_t P, std::size_t N>
void interleave(const float* x, std::size_t stride, float* xt) {
  static_assert(P % 4 == 0);
  ::ctml::detail::side_effect_fence();
  const auto ld = [](const float* p) { f32x4 q; std::memcpy(&q, p, sizeof q); return q; };
  float* out = static_cast<float*>(__builtin_assume_aligned(xt, 16));
  constexpr std::size_t Body = N - N % 4;
  for (std::size_t i = 0; i < Body; i += 4)
    for (std::size_t g = 0; g < P; g += 4) {
      const f32x4 r0 = ld(x + g * stride + i), r1 = ld(x + (g + 1) * stride + i);
      const f32x4 r2 = ld(x + (g + 2) * stride + i), r3 = ld(x + (g + 3) * stride + i);
      const f32x4 lo01 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), hi01 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
      const f32x4 lo23 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), hi23 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
      const f32x4 c[4] = {__builtin_shufflevector(lo01, lo23, 0, 1, 4, 5), __builtin_shufflevector(lo01, lo23, 2, 3, 6, 7),
                          __builtin_shufflevector(hi01, hi23, 0, 1, 4, 5), __builtin_shufflevector(hi01, hi23, 2, 3, 6, 7)};
      for (std::size_t j = 0; j < 4; ++j) std::memcpy(out + (i + j) * P + g, &c[j], sizeof c[j]);
    }
  if constexpr (Body < N) portable::interleave<P, N>(x, stride, xt, Body);
}

}  // namespace ctml::kernels::vec
#endif
