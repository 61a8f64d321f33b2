// SPDX-License-Identifier: Apache-2.0
#pragma once
// The portable sparse row kernels (formats: sparse/csr.hpp; entry points: kernels/sparse/rows.hpp).
// They are the formulas: what every target variant must equal (exactly for integer sums, up to
// the order of float additions otherwise), what runs in constant evaluation, and the scalar tails
// the variants share (finish_slice).
//
//   csr_rows             acc_r = sum_{k in row r} v_k * x[c_k], eight partial sums per row
//   csr_rows_interleaved acc_r[p] = sum_k v_k * xt[c_k * P + p], P inputs at once
//   sliced_rows          four rows in lock step over their interleaved prefix, then each tail
//   interleave           xt[i * P + p] = x[p * stride + i]
//   nm_rows              N:M rows, fixed trip counts
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>

namespace ctml::kernels::portable {

template <class Acc, class V, class X>
constexpr Acc mul(V v, X x) {
  return static_cast<Acc>(v) * static_cast<Acc>(x);
}

// a[l] += v[l] * x[c[l]] for l < sizeof...(L), written out (GCC at -O2 does not unroll the loop
// form for integer accumulators and then keeps them in memory).
template <class Acc, class V, class C, class X, std::size_t... L>
constexpr void mac_step(Acc* a, const V* v, const C* c, const X* x, std::index_sequence<L...>) {
  ((a[L] += mul<Acc>(v[L], x[c[L]])), ...);
}

// Plain CSR. Each non-zero costs three loads (value, index, input); eight partial sums keep enough
// of them in flight, and local pointers stop the compiler from re-reading the format after each
// store the callback makes.
template <class Acc, class W, class X, class Emit>
constexpr void csr_rows(const W& w, const X* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const auto* v = w.values;
  const auto* c = w.cols;
  std::size_t k = w.row_ptr[0];
  for (std::size_t r = 0; r < W::rows; ++r) {
    const std::size_t end = w.row_ptr[r + 1];
    Acc a[8]{};
    for (; k + 8 <= end; k += 8) mac_step(a, v + k, c + k, x, std::make_index_sequence<8>{});
    for (; k < end; ++k) a[0] += mul<Acc>(v[k], x[c[k]]);
    emit(r, ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])));
  }
}

// P inputs from an interleaved copy. Integer sums are exact in any order: one set of P sums.
// Float sums in two sets (even and odd non-zeros), added at the end of the row. The P lanes are a
// pack expansion, not a loop: GCC keeps loop-indexed accumulator arrays in memory on Cortex-M (a
// load and a store around every multiply-add), constant indices in registers. Always inlined into
// csr_rows_interleaved: out of line, GCC passes the lanes' state through memory (+5 % on the
// Cortex-M4 batch kernel).
template <class Acc, std::size_t P, class W, class X, class Emit, std::size_t... p>
[[gnu::always_inline]] constexpr void csr_rows_interleaved_lanes(const W& w, const X* xt, Emit& emit,
                                                                 std::index_sequence<p...>) {
  const auto* v = w.values;
  const auto* c = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    if constexpr (std::is_integral_v<Acc>) {
      Acc a[P]{};
      for (std::size_t k = w.row_ptr[r]; k < w.row_ptr[r + 1]; ++k) {
        const auto wk = v[k];
        const X* xk = xt + static_cast<std::size_t>(c[k]) * P;
        ((a[p] += mul<Acc>(wk, xk[p])), ...);
      }
      emit(r, a);
      continue;
    }
    Acc a[P]{}, b[P]{};
    const std::size_t end = w.row_ptr[r + 1];
    std::size_t k = w.row_ptr[r];
    for (; k + 2 <= end; k += 2) {
      const auto w0 = v[k], w1 = v[k + 1];
      const X* x0 = xt + static_cast<std::size_t>(c[k]) * P;
      const X* x1 = xt + static_cast<std::size_t>(c[k + 1]) * P;
      ((a[p] += mul<Acc>(w0, x0[p])), ...);
      ((b[p] += mul<Acc>(w1, x1[p])), ...);
    }
    if (k < end) {
      const auto w0 = v[k];
      const X* x0 = xt + static_cast<std::size_t>(c[k]) * P;
      ((a[p] += mul<Acc>(w0, x0[p])), ...);
    }
    ((a[p] += b[p]), ...);
    emit(r, a);
  }
}

template <class Acc, std::size_t P, class W, class X, class Emit>
constexpr void csr_rows_interleaved(const W& w, const X* xt, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  csr_rows_interleaved_lanes<Acc, P>(w, xt, emit, std::make_index_sequence<P>{});
}

// The end of slice s of a sliced CSR (sparse/csr.hpp): lane l's prefix sum plus the tail of
// permuted row 4s + l, emitted for the row's original index. `lane` is anything indexable by l (an
// array, a vector register). Every target's sliced kernel ends each slice here.
template <class Acc, class W, class X, class Lanes, class Emit>
constexpr void finish_slice(const W& w, const X* x, std::size_t s, const Lanes& lane, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t l = 0; l < 4 && 4 * s + l < W::rows; ++l) {
    const std::size_t p = 4 * s + l;
    Acc t = lane[l];
    for (std::size_t k = w.tail_ptr[p]; k < w.tail_ptr[p + 1]; ++k) t += mul<Acc>(w.values[k], x[w.cols[k]]);
    emit(static_cast<std::size_t>(w.perm[p]), t);
  }
}

// Sliced CSR: four rows in lock step over their interleaved prefix (four partial sums in an
// array), then each row's tail.
template <class Acc, class W, class X, class Emit>
constexpr void sliced_rows(const W& w, const X* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const auto* v = w.values;
  const auto* c = w.cols;
  for (std::size_t s = 0; s < W::slices; ++s) {
    Acc a[4]{};
    for (std::size_t k = w.slice_ptr[s]; k < w.slice_ptr[s + 1]; k += 4)
      mac_step(a, v + k, c + k, x, std::make_index_sequence<4>{});
    finish_slice<Acc>(w, x, s, a, emit);
  }
}

// xt[i * P + p] = x[p * stride + i] for i in [from, N), p < P.
template <std::size_t P, std::size_t N, class T>
constexpr void interleave(const T* x, std::size_t stride, T* xt, std::size_t from = 0) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = from; i < N; ++i)
    for (std::size_t p = 0; p < P; ++p) xt[i * P + p] = x[p * stride + i];
}

// Bytes, four inputs, little-endian: 4x4 bytes per step in integer registers (Cortex-M int8
// frames). Rows r0..r3 hold elements i..i+3 of inputs 0..3; pair inputs 0/1 and 2/3 bytewise,
// then halfwords.
template <std::size_t N, class T>
inline void interleave_bytes4(const T* x, std::size_t stride, T* xt) {
  static_assert(sizeof(T) == 1 && std::endian::native == std::endian::little);
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t Body = N - N % 4;
  const auto ld = [&](std::size_t p, std::size_t i) { std::uint32_t v; std::memcpy(&v, x + p * stride + i, 4); return v; };
  for (std::size_t i = 0; i < Body; i += 4) {
    const std::uint32_t r0 = ld(0, i), r1 = ld(1, i), r2 = ld(2, i), r3 = ld(3, i);
    const std::uint32_t t0 = (r0 & 0x00FF00FFu) | ((r1 << 8) & 0xFF00FF00u);  // 0:i 1:i 0:i+2 1:i+2
    const std::uint32_t t1 = ((r0 >> 8) & 0x00FF00FFu) | (r1 & 0xFF00FF00u);  // 0:i+1 1:i+1 ...
    const std::uint32_t t2 = (r2 & 0x00FF00FFu) | ((r3 << 8) & 0xFF00FF00u);
    const std::uint32_t t3 = ((r2 >> 8) & 0x00FF00FFu) | (r3 & 0xFF00FF00u);
    const std::uint32_t out[4] = {(t0 & 0xFFFFu) | (t2 << 16), (t1 & 0xFFFFu) | (t3 << 16),
                                  (t0 >> 16) | (t2 & 0xFFFF0000u), (t1 >> 16) | (t3 & 0xFFFF0000u)};
    std::memcpy(xt + i * 4, out, sizeof out);
  }
  if constexpr (Body < N) interleave<4, N>(x, stride, xt, Body);
}

// N:M semi-structured rows (sparse/nm.hpp): every row has W::per_row values, value k's column is
// (k / N) * M plus its B-bit offset, 8 / B offsets to a byte. When a byte covers whole groups
// (E % N == 0) every input position inside it is a compile-time constant plus an offset.
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

template <class Acc, class W, class X, class Emit>
constexpr void nm_rows(const W& w, const X* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t r = 0; r < W::rows; ++r) emit(r, nm_row<Acc>(w, x, r));
}

}  // namespace ctml::kernels::portable
