// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compressed sparse row formats with the number of non-zeros as a template argument.
//   Csr<T, Rows, Cols, NNZ>         values[NNZ], cols[NNZ], row_ptr[Rows + 1]
//   SlicedCsr<T, Rows, Cols, NNZ>   the same non-zeros, rows sorted by length and taken four at a
//                                   time: their common prefix interleaved (one 16-byte load feeds
//                                   four rows), then each row's short tail; + a row permutation
// Index types are the narrowest that hold the largest value they store (uint8 / uint16 / uint32),
// chosen from the shape and NNZ. A user never writes NNZ: sparse::compress<layer>() (layers.hpp)
// counts the non-zeros of a constexpr layer, and to_csr<NNZ>() rejects a wrong count (a compile
// error in a constant expression, a trap at run time).
// Each format has rows_dot<Acc>(x, emit) (the kernel, kernels/sparse/rows.hpp) and for_each(f)
// (every stored (row, col, value), e.g. for weight sums and tests); Csr also takes several inputs
// per pass over its non-zeros (rows_dot_pixels, rows_dot_interleaved).
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/sparse/rows.hpp>

namespace ctml::sparse {

// Narrowest unsigned type that can hold values 0..Max.
template <std::size_t Max>
using index_for = std::conditional_t<Max <= 0xFFu, std::uint8_t,
                                     std::conditional_t<Max <= 0xFFFFu, std::uint16_t, std::uint32_t>>;

namespace detail {
// Called only when the count is wrong: not constexpr, so a constant evaluation stops here and the
// compiler names this function in its diagnostic.
inline void nnz_mismatch_the_weights_have_a_different_number_of_non_zeros() {}

template <std::size_t NNZ>
constexpr void check_nnz(std::size_t counted) {
  if (counted != NNZ) {
    if (std::is_constant_evaluated()) nnz_mismatch_the_weights_have_a_different_number_of_non_zeros();
    else __builtin_trap();
  }
}
}  // namespace detail

// Where a format's non-zeros come from: Rows rows of Logical weights each, weight j of row r has
// value(r, j) and sits at stored column col(r, j) (ascending in j). For a Dense layer col(r, j) = j;
// for convolutions it is the offset of the tap's input element relative to the window origin.
template <class T, std::size_t Rows, std::size_t Logical>
struct RowMajor {
  const T* w;
  static constexpr std::size_t rows = Rows, logical = Logical;
  constexpr T value(std::size_t r, std::size_t j) const { return w[r * Logical + j]; }
  static constexpr std::size_t col(std::size_t, std::size_t j) { return j; }
};

template <class T, std::size_t Rows, std::size_t Cols, std::size_t NNZ>
struct Csr {
  using value_type = T;
  using col_index = index_for<Cols - 1>;
  using row_index = index_for<NNZ>;
  static constexpr std::size_t rows = Rows, cols_count = Cols, nnz = NNZ;
  // Bytes the format occupies (values + column indices + row pointers), vs Rows * Cols * sizeof(T).
  static constexpr std::size_t storage_bytes =
      NNZ * (sizeof(T) + sizeof(col_index)) + (Rows + 1) * sizeof(row_index);

  T values[NNZ == 0 ? 1 : NNZ];
  col_index cols[NNZ == 0 ? 1 : NNZ];
  row_index row_ptr[Rows + 1];

  template <class Acc, class X, class Emit>
  constexpr void rows_dot(const X* x, Emit&& emit) const {
    kernels::csr_rows<Acc>(*this, x, emit);
  }
  // P pixels `stride` apart (pointwise convolutions); emit(r, const Acc (&)[P]).
  template <class Acc, std::size_t P, class X, class Emit>
  constexpr void rows_dot_pixels(const X* x, std::size_t stride, Emit&& emit) const {
    kernels::csr_rows_pixels<Acc, P>(*this, x, stride, emit);
  }
  // P inputs interleaved by kernels::interleave (frames of a Dense layer, pixels of a pointwise
  // conv); emit(r, const Acc (&)[P]).
  template <class Acc, std::size_t P, class X, class Emit>
  constexpr void rows_dot_interleaved(const X* xt, Emit&& emit) const {
    kernels::csr_rows_interleaved<Acc, P>(*this, xt, emit);
  }
  template <class F>
  constexpr void for_each(F&& f) const {
    for (std::size_t r = 0; r < Rows; ++r)
      for (std::size_t k = row_ptr[r]; k < row_ptr[r + 1]; ++k) f(r, static_cast<std::size_t>(cols[k]), values[k]);
  }
};

// Any source -> Csr. In a constant expression a wrong NNZ does not compile.
template <std::size_t NNZ, std::size_t Cols, class Src>
constexpr auto to_csr(const Src& src) {
  ::ctml::detail::side_effect_fence();
  using T = std::remove_cvref_t<decltype(src.value(0, 0))>;
  using C = Csr<T, Src::rows, Cols, NNZ>;
  C c{};
  std::size_t k = 0;
  for (std::size_t r = 0; r < Src::rows; ++r) {
    c.row_ptr[r] = static_cast<typename C::row_index>(k < NNZ ? k : NNZ);
    for (std::size_t j = 0; j < Src::logical; ++j) {
      const T v = src.value(r, j);
      if (v == T(0)) continue;
      if (k < NNZ) {
        c.values[k] = v;
        c.cols[k] = static_cast<typename C::col_index>(src.col(r, j));
      }
      ++k;
    }
  }
  c.row_ptr[Src::rows] = static_cast<typename C::row_index>(k < NNZ ? k : NNZ);
  detail::check_nnz<NNZ>(k);
  return c;
}
// Dense row-major [Rows][Cols] -> Csr.
template <std::size_t NNZ, std::size_t Rows, std::size_t Cols, class T>
constexpr Csr<T, Rows, Cols, NNZ> to_csr(const T* dense) {
  return to_csr<NNZ, Cols>(RowMajor<T, Rows, Cols>{dense});
}

template <class T, std::size_t Rows, std::size_t Cols, std::size_t NNZ>
struct SlicedCsr {
  using value_type = T;
  using col_index = index_for<Cols - 1>;
  using row_index = index_for<NNZ>;
  using perm_index = index_for<Rows - 1>;
  static constexpr std::size_t rows = Rows, cols_count = Cols, nnz = NNZ;
  static constexpr std::size_t slices = (Rows + 3) / 4;
  static constexpr std::size_t storage_bytes = NNZ * (sizeof(T) + sizeof(col_index)) +
                                               Rows * sizeof(perm_index) +
                                               (slices + 1 + Rows + 1) * sizeof(row_index);

  // Interleaved prefixes of all slices first (slice s: values[slice_ptr[s] .. slice_ptr[s+1]),
  // entry 4k+l is the k-th non-zero of lane l), then the tails of the permuted rows
  // (row p: [tail_ptr[p], tail_ptr[p+1])). perm[p] is the original row of permuted row p.
  T values[NNZ == 0 ? 1 : NNZ];
  col_index cols[NNZ == 0 ? 1 : NNZ];
  perm_index perm[Rows];
  row_index slice_ptr[slices + 1];
  row_index tail_ptr[Rows + 1];

  template <class Acc, class X, class Emit>
  constexpr void rows_dot(const X* x, Emit&& emit) const {
    kernels::sliced_rows<Acc>(*this, x, emit);
  }
  template <class F>
  constexpr void for_each(F&& f) const {
    for (std::size_t s = 0; s < slices; ++s)
      for (std::size_t k = slice_ptr[s]; k < slice_ptr[s + 1]; ++k)
        f(static_cast<std::size_t>(perm[4 * s + (k - slice_ptr[s]) % 4]), static_cast<std::size_t>(cols[k]), values[k]);
    for (std::size_t p = 0; p < Rows; ++p)
      for (std::size_t k = tail_ptr[p]; k < tail_ptr[p + 1]; ++k)
        f(static_cast<std::size_t>(perm[p]), static_cast<std::size_t>(cols[k]), values[k]);
  }
};

template <std::size_t NNZ, std::size_t Cols, class Src>
constexpr auto to_sliced_csr(const Src& src) {
  ::ctml::detail::side_effect_fence();
  using T = std::remove_cvref_t<decltype(src.value(0, 0))>;
  constexpr std::size_t Rows = Src::rows, L = Src::logical;
  using S = SlicedCsr<T, Rows, Cols, NNZ>;
  S s{};
  std::size_t len[Rows]{};
  std::size_t total = 0;
  for (std::size_t r = 0; r < Rows; ++r) {
    for (std::size_t j = 0; j < L; ++j) len[r] += src.value(r, j) != T(0) ? 1 : 0;
    total += len[r];
  }
  detail::check_nnz<NNZ>(total);
  if (total != NNZ) return s;
  // Stable order by decreasing length, so that the rows of a slice have similar lengths.
  std::size_t order[Rows]{};
  for (std::size_t r = 0; r < Rows; ++r) {
    std::size_t pos = 0;
    for (std::size_t q = 0; q < Rows; ++q) pos += (len[q] > len[r] || (len[q] == len[r] && q < r)) ? 1 : 0;
    order[pos] = r;
  }
  for (std::size_t p = 0; p < Rows; ++p) s.perm[p] = static_cast<typename S::perm_index>(order[p]);
  std::size_t prefix[S::slices]{};
  std::size_t k = 0;
  for (std::size_t sl = 0; sl < S::slices; ++sl) {
    s.slice_ptr[sl] = static_cast<typename S::row_index>(k);
    if (4 * sl + 3 >= Rows) continue;  // a partial last slice has tails only
    std::size_t m = len[order[4 * sl]];
    for (std::size_t l = 1; l < 4; ++l) m = len[order[4 * sl + l]] < m ? len[order[4 * sl + l]] : m;
    prefix[sl] = m;
    // Walk the four rows' non-zeros in step.
    std::size_t pos[4]{};
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t l = 0; l < 4; ++l) {
        const std::size_t r = order[4 * sl + l];
        while (src.value(r, pos[l]) == T(0)) ++pos[l];
        s.values[k] = src.value(r, pos[l]);
        s.cols[k] = static_cast<typename S::col_index>(src.col(r, pos[l]));
        ++pos[l];
        ++k;
      }
  }
  s.slice_ptr[S::slices] = static_cast<typename S::row_index>(k);
  for (std::size_t p = 0; p < Rows; ++p) {
    s.tail_ptr[p] = static_cast<typename S::row_index>(k);
    const std::size_t r = order[p];
    std::size_t seen = 0;
    for (std::size_t j = 0; j < L; ++j) {
      if (src.value(r, j) == T(0)) continue;
      if (seen++ < prefix[p / 4]) continue;
      s.values[k] = src.value(r, j);
      s.cols[k] = static_cast<typename S::col_index>(src.col(r, j));
      ++k;
    }
  }
  s.tail_ptr[Rows] = static_cast<typename S::row_index>(k);
  return s;
}
template <std::size_t NNZ, std::size_t Rows, std::size_t Cols, class T>
constexpr SlicedCsr<T, Rows, Cols, NNZ> to_sliced_csr(const T* dense) {
  return to_sliced_csr<NNZ, Cols>(RowMajor<T, Rows, Cols>{dense});
}

}  // namespace ctml::sparse
