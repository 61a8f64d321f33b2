// SPDX-License-Identifier: Apache-2.0
#pragma once
// A sparse Dense layer whose weights are compile-time constants: the non-zero pattern and values
// are template facts, so the kernel is fully unrolled over them. There is no index stream at run
// time at all: each non-zero becomes one load of the input at a constant offset and one
// multiply-add with a constant. Code size grows with NNZ (see docs/sparse.md for the trade-off).
//   static constexpr auto fc = ...;                          // a constexpr DenseLayer
//   using Fc = ctml::sparse::StaticCsrDense<fc>;             // NNZ counted at compile time
#include <cstddef>
#include <string_view>
#include <utility>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/sparse/layers.hpp>

namespace ctml::sparse {

template <const auto& Dense>
struct StaticCsrDense {
  using dense_type = std::remove_cvref_t<decltype(Dense)>;
  using T = typename dense_type::input_type::value_type;
  static constexpr std::size_t units = dense_type::out_features, in_features = dense_type::in_features;
  static constexpr std::size_t nnz = count_nonzero(Dense.weights);
  static constexpr auto csr = to_csr<nnz, units, in_features>(Dense.weights.data());

  using input_type = typename dense_type::input_type;
  using output_type = typename dense_type::output_type;
  static constexpr std::string_view name = "StaticCsrDense";
  static constexpr std::size_t macs = nnz;

 private:
  template <std::size_t Row, std::size_t... K>
  static constexpr T row_sum([[maybe_unused]] const T* x, std::index_sequence<K...>) {
    constexpr std::size_t base = csr.row_ptr[Row];
    T acc[4]{};
    ((acc[K % 4] += csr.values[base + K] * x[csr.cols[base + K]]), ...);
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
  }
  template <std::size_t... R>
  static constexpr void rows(const T* x, T* y, std::index_sequence<R...>) {
    ((y[R] = kernels::activate<dense_type::activation>(
          Dense.bias[R] + row_sum<R>(x, std::make_index_sequence<csr.row_ptr[R + 1] - csr.row_ptr[R]>{}))),
     ...);
  }

 public:
  constexpr void forward(const T* in, T* out, T*) const {
    rows(in, out, std::make_index_sequence<units>{});
  }
};

}  // namespace ctml::sparse
