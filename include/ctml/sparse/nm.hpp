// SPDX-License-Identifier: Apache-2.0
#pragma once
// N:M semi-structured sparse weights: of every M consecutive inputs of a row at most N are
// non-zero, so each row stores exactly Cols/M*N values and as many in-group offsets, packed:
// B = 1, 2, 4 or 8 bits each (2 bits for M = 4: four offsets per byte). No row pointers are
// needed and every row has the same trip count (kernel: kernels/sparse/rows.hpp).
//   NmMatrix<T, Rows, Cols, N, M>      e.g. 2:4 float: per 4 dense weights, 2 values (8 bytes)
//                                      and 4 bits of offsets (56 % of dense); 1:4: 28 %
//   to_n_m<N, M, Rows, Cols>(dense)    packs; weights that are not N:M do not compile (constant
//                                      evaluation) or trap (run time): prune with prune_n_m first
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/sparse/rows.hpp>
#include <ctml/sparse/csr.hpp>

namespace ctml::sparse {

namespace detail {
constexpr std::size_t offset_bits_for(std::size_t m) {
  std::size_t bits = 1;
  while ((std::size_t{1} << bits) < m) bits *= 2;  // 1, 2, 4, 8: offsets never straddle a byte
  return bits;
}
}  // namespace detail

template <class T, std::size_t Rows, std::size_t Cols, std::size_t N, std::size_t M>
struct NmMatrix {
  static_assert(N > 0 && N < M && M <= 256, "ctml::sparse::NmMatrix: need 0 < N < M <= 256");
  static_assert(Cols % M == 0, "ctml::sparse::NmMatrix: the input size must be a multiple of M");
  using value_type = T;
  static constexpr std::size_t rows = Rows, cols_count = Cols, n = N, m = M;
  static constexpr std::size_t groups = Cols / M, per_row = Cols / M * N;
  static constexpr std::size_t nnz = Rows * per_row;  // stored values (padding zeros included)
  static constexpr std::size_t offset_bits = detail::offset_bits_for(M);
  static constexpr std::size_t per_byte = 8 / offset_bits;
  static constexpr std::size_t bytes_per_row = (per_row + per_byte - 1) / per_byte;
  static constexpr std::size_t storage_bytes = Rows * (per_row * sizeof(T) + bytes_per_row);

  T values[Rows * per_row];
  std::uint8_t offsets[Rows * bytes_per_row];

  constexpr std::size_t offset(std::size_t r, std::size_t k) const {
    return (offsets[r * bytes_per_row + k / per_byte] >> ((k % per_byte) * offset_bits)) &
           ((1u << offset_bits) - 1u);
  }
  template <class Acc, class X, class Emit>
  constexpr void rows_dot(const X* x, Emit&& emit) const {
    kernels::nm_rows<Acc>(*this, x, emit);
  }
  template <class F>
  constexpr void for_each(F&& f) const {
    for (std::size_t r = 0; r < Rows; ++r)
      for (std::size_t k = 0; k < per_row; ++k)
        if (values[r * per_row + k] != T(0)) f(r, (k / N) * M + offset(r, k), values[r * per_row + k]);
  }
};

namespace detail {
inline void weights_are_not_n_m_sparse_prune_them_with_prune_n_m_first() {}
}  // namespace detail

// From a source with value(r, j) over Src::logical == Cols weights per row (see csr.hpp RowMajor).
template <std::size_t N, std::size_t M, std::size_t Cols, class Src>
constexpr auto to_n_m(const Src& src) {
  ::ctml::detail::side_effect_fence();
  using T = std::remove_cvref_t<decltype(src.value(0, 0))>;
  using Mat = NmMatrix<T, Src::rows, Cols, N, M>;
  Mat mat{};
  for (std::size_t r = 0; r < Src::rows; ++r)
    for (std::size_t g = 0; g < Cols / M; ++g) {
      std::size_t n = 0;
      for (std::size_t i = 0; i < M; ++i) {
        const T v = src.value(r, g * M + i);
        if (v == T(0)) continue;
        if (n == N) {
          if (std::is_constant_evaluated()) detail::weights_are_not_n_m_sparse_prune_them_with_prune_n_m_first();
          else __builtin_trap();
        }
        const std::size_t k = g * N + n++;
        mat.values[r * Mat::per_row + k] = v;
        mat.offsets[r * Mat::bytes_per_row + k / Mat::per_byte] |=
            static_cast<std::uint8_t>(i << ((k % Mat::per_byte) * Mat::offset_bits));
      }
      // Groups with fewer than N non-zeros are padded with zero weights at offset 0.
    }
  return mat;
}
template <std::size_t N, std::size_t M, std::size_t Rows, std::size_t Cols, class T>
constexpr NmMatrix<T, Rows, Cols, N, M> to_n_m(const T* dense) {
  return to_n_m<N, M, Cols>(RowMajor<T, Rows, Cols>{dense});
}

}  // namespace ctml::sparse
