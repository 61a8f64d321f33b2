// SPDX-License-Identifier: Apache-2.0
#pragma once
// Row kernels for compressed sparse weights: the entry points, the target's variant chosen here
// (core/target.hpp decides the macros). A format only has to say which (value, column) pairs make
// up each row; these kernels compute, for every row r, acc_r = sum_k value_k * x[col_k] in an
// accumulator type Acc (float for float layers, int32 for int8) and hand (r, acc_r) to an `emit`
// callback that adds the bias, requantizes, activates and stores. One kernel therefore serves
// Dense, pointwise and general convolutions (over an im2col patch), float and int8.
//
//   format (sparse/)   entry point                      variants beside portable.hpp
//   CSR                csr_rows<Acc>(w, x, emit)        mve.hpp (int8; float with MVE-F)
//                      csr_rows_pixels<Acc, P>          portable only
//                      csr_rows_interleaved<Acc, P>     sse2.hpp (int8, P = 8), mve.hpp (P = 4),
//                                                       dsp.hpp (int8, P = 4), vector.hpp (float)
//   sliced CSR         sliced_rows<Acc>(w, x, emit)     mve.hpp, vector.hpp (float)
//   N:M                nm_rows<Acc>(w, x, emit)         vector.hpp (float, M = 4, N = 1 or 2)
//   (inputs)           interleave<P, N>(x, stride, xt)  vector.hpp, mve.hpp, sse2.hpp, portable
//                                                       4x4 bytes
//
// Sliced CSR: rows sorted by length and processed four at a time, their common prefix interleaved
// so that one 16-byte load brings the weights of four rows (the input is gathered); short tails
// per row follow. No padding: exactly NNZ values are stored.
//
// Float sums are formed in a different order than the dense kernel (independent partial sums), so
// float results equal the dense layer's up to rounding. Integer sums are exact in any order, and
// every int8 variant equals the portable kernel bit for bit (tests/sparse, the target_no_* builds).
// In constant evaluation the portable kernels run.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/sparse/dsp.hpp>
#include <ctml/kernels/sparse/mve.hpp>
#include <ctml/kernels/sparse/portable.hpp>
#include <ctml/kernels/sparse/sse2.hpp>
#include <ctml/kernels/sparse/vector.hpp>

namespace ctml::kernels {

template <class Acc, class W, class X, class Emit>
constexpr void csr_rows(const W& w, const X* x, Emit&& emit) {
#if defined(CTML_HAVE_MVE)
  if constexpr (mve::mve_sparse<Acc, typename W::value_type, X>) {
    if (!std::is_constant_evaluated()) return mve::csr_rows<Acc>(w, x, emit);
  }
#endif
  portable::csr_rows<Acc>(w, x, emit);
}

// P pixels at once (pointwise convolutions): each non-zero is loaded once and applied to the same
// input channel of P pixels `stride` elements apart, so value and index loads are shared by P
// multiply-adds. emit(r, acc) receives the P sums of row r.
template <class Acc, std::size_t P, class W, class X, class Emit>
constexpr void csr_rows_pixels(const W& w, const X* x, std::size_t stride, Emit&& emit) {
  ::ctml::detail::side_effect_fence();
  const auto* v = w.values;
  const auto* c = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    Acc a[P]{};
    for (std::size_t k = w.row_ptr[r]; k < w.row_ptr[r + 1]; ++k) {
      const auto wk = v[k];
      const X* xc = x + c[k];
      [&]<std::size_t... p>(std::index_sequence<p...>) {
        ((a[p] += portable::mul<Acc>(wk, xc[p * stride])), ...);
      }(std::make_index_sequence<P>{});
    }
    emit(r, a);
  }
}

// P inputs at once from an interleaved copy, xt[col * P + p] = input p's element col (P frames of
// a Dense layer, P pixels of a pointwise conv). Each non-zero's value and index are loaded once
// and multiply P contiguous inputs: on a SIMD host P / 4 vector multiply-adds with the value
// broadcast, so the gather of single inputs that limits one-input sparse kernels disappears.
// emit(r, const Acc (&)[P]) receives the P sums of row r; each is formed in the order of the
// row's non-zeros, in two interleaved partial sums (even and odd non-zeros).
template <class Acc, std::size_t P, class W, class X, class Emit>
constexpr void csr_rows_interleaved(const W& w, const X* xt, Emit&& emit) {
  using V = typename W::value_type;
  [[maybe_unused]] constexpr bool s8 =
      std::is_same_v<Acc, std::int32_t> && std::is_same_v<X, std::int8_t> && std::is_same_v<V, std::int8_t>;
  [[maybe_unused]] constexpr bool f32 =
      std::is_same_v<Acc, float> && std::is_same_v<X, float> && std::is_same_v<V, float>;
#if defined(CTML_HAVE_SSE2)
  if constexpr (s8 && P == 8) {
    if (!std::is_constant_evaluated()) return sse2::csr_rows_interleaved_s8x8(w, xt, emit);
  }
#endif
#if defined(CTML_HAVE_MVE)
  if constexpr (s8 && P == 4) {
    if (!std::is_constant_evaluated()) return mve::csr_rows_interleaved_s8x4(w, xt, emit);
  }
#if defined(CTML_HAVE_MVE_FLOAT)
  if constexpr (f32 && P == 4) {
    if (!std::is_constant_evaluated()) return mve::csr_rows_interleaved_f32x4(w, xt, emit);
  }
#endif
#endif
#if defined(CTML_HAVE_DSP) && !defined(CTML_HAVE_MVE)
  if constexpr (s8 && P == 4) {
    if (!std::is_constant_evaluated()) return dsp::csr_rows_interleaved_s8x4(w, xt, emit);
  }
#endif
#if defined(CTML_HAVE_VECTOR_EXT)
  if constexpr (f32 && P % 4 == 0) {
    if (!std::is_constant_evaluated()) return vec::csr_rows_interleaved<P>(w, xt, emit);
  }
#endif
  portable::csr_rows_interleaved<Acc, P>(w, xt, emit);
}

template <class Acc, class W, class X, class Emit>
constexpr void sliced_rows(const W& w, const X* x, Emit&& emit) {
#if defined(CTML_HAVE_MVE)
  if constexpr (mve::mve_sparse<Acc, typename W::value_type, X>) {
    if (!std::is_constant_evaluated()) return mve::sliced_rows<Acc>(w, x, emit);
  }
#endif
#if defined(CTML_HAVE_VECTOR_EXT)
  if constexpr (std::is_same_v<Acc, float> && std::is_same_v<X, float> &&
                std::is_same_v<typename W::value_type, float>) {
    if (!std::is_constant_evaluated()) return vec::sliced_rows(w, x, emit);
  }
#endif
  portable::sliced_rows<Acc>(w, x, emit);
}

template <class Acc, class W, class X, class Emit>
constexpr void nm_rows(const W& w, const X* x, Emit&& emit) {
#if defined(CTML_HAVE_VECTOR_EXT)
  if constexpr (std::is_same_v<Acc, float> && std::is_same_v<X, float> &&
                std::is_same_v<typename W::value_type, float> && W::per_byte == 4 && W::m == 4 &&
                (W::n == 1 || W::n == 2)) {
    if (!std::is_constant_evaluated()) return vec::nm_rows(w, x, emit);
  }
#endif
  portable::nm_rows<Acc>(w, x, emit);
}

// How many inputs csr_rows_interleaved takes per pass: two vectors' worth on SIMD hosts; four on
// scalar cores, where they share each non-zero's value and index loads.
#if defined(CTML_HAVE_VECTOR_EXT)
inline constexpr std::size_t interleave_block = 8;
inline constexpr bool interleave_vectorised = true;
#else
inline constexpr std::size_t interleave_block = 4;
inline constexpr bool interleave_vectorised = false;
#endif
// Whether int8 interleaved inputs have a vector kernel (x86: SSE2, two non-zeros per PMADDWD).
#if defined(CTML_HAVE_SSE2)
inline constexpr bool interleave_s8_vectorised = true;
#else
inline constexpr bool interleave_s8_vectorised = false;
#endif

// xt[i * P + p] = x[p * stride + i] for i < N, p < P: P inputs (frames, pixels) interleaved so
// that element i of all of them is contiguous. xt is 16-byte aligned on SIMD hosts (the layers
// align their scratch).
template <std::size_t P, std::size_t N, class T>
constexpr void interleave(const T* x, std::size_t stride, T* xt) {
  if (!std::is_constant_evaluated()) {
#if defined(CTML_HAVE_VECTOR_EXT)
    if constexpr (std::is_same_v<T, float> && P % 4 == 0) return vec::interleave<P, N>(x, stride, xt);
#endif
#if defined(CTML_HAVE_MVE)
    if constexpr (P == 4 && mve::interleave4_supported<T>) return mve::interleave4<N>(x, stride, xt);
#endif
#if defined(CTML_HAVE_SSE2)
    if constexpr (std::is_same_v<T, std::int8_t> && P == 8) return sse2::interleave_s8x8<N>(x, stride, xt);
#endif
    if constexpr (sizeof(T) == 1 && P == 4 && std::endian::native == std::endian::little)
      return portable::interleave_bytes4<N>(x, stride, xt);
  }
  portable::interleave<P, N>(x, stride, xt);
}

}  // namespace ctml::kernels
