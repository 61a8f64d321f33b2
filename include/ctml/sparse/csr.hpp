// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compressed sparse rows with the number of non-zeros as a template argument.
//   Csr<T, Rows, Cols, NNZ>   values[NNZ], cols[NNZ], row_ptr[Rows + 1]; index types are the
//                             narrowest that hold Cols and NNZ (uint8 / uint16 / uint32)
//   CsrDenseLayer<...>        a Dense layer on Csr weights: out[r] = act(b[r] + sum_k v[k] x[c[k]])
//   CsrConv2DLayer<...>       the same for pointwise (1x1) convolutions, per pixel
// A user never writes NNZ: sparse::compress<dense_layer>() reads it off a constexpr layer, and
// sparse::to_csr<NNZ>() rejects a wrong count (a compile error in a constant expression).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/sparse/prune.hpp>

namespace ctml::sparse {

// Narrowest unsigned type that can hold values 0..Max.
template <std::size_t Max>
using index_for = std::conditional_t<Max <= 0xFFu, std::uint8_t,
                                     std::conditional_t<Max <= 0xFFFFu, std::uint16_t, std::uint32_t>>;

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
};

namespace detail {
// Called only when the count is wrong: not constexpr, so a constant evaluation stops here.
inline void nnz_mismatch_the_weights_have_a_different_number_of_non_zeros() {}
}  // namespace detail

// Dense row-major [Rows][Cols] -> Csr. In a constant expression a wrong NNZ does not compile.
template <std::size_t NNZ, std::size_t Rows, std::size_t Cols, class T>
constexpr Csr<T, Rows, Cols, NNZ> to_csr(const T* dense) {
  Csr<T, Rows, Cols, NNZ> c{};
  std::size_t k = 0;
  for (std::size_t r = 0; r < Rows; ++r) {
    c.row_ptr[r] = static_cast<typename Csr<T, Rows, Cols, NNZ>::row_index>(k);
    for (std::size_t j = 0; j < Cols; ++j) {
      const T v = dense[r * Cols + j];
      if (v == T(0)) continue;
      if (k < NNZ) {
        c.values[k] = v;
        c.cols[k] = static_cast<typename Csr<T, Rows, Cols, NNZ>::col_index>(j);
      }
      ++k;
    }
  }
  c.row_ptr[Rows] = static_cast<typename Csr<T, Rows, Cols, NNZ>::row_index>(k);
  if (k != NNZ) {
    if (std::is_constant_evaluated()) detail::nnz_mismatch_the_weights_have_a_different_number_of_non_zeros();
    else __builtin_trap();
  }
  return c;
}

}  // namespace ctml::sparse

namespace ctml::kernels {
// y[r] = act(b[r] + sum over row r of values * x[cols]). Each non-zero costs three loads (value,
// index, input), so the loop is load-bound: eight partial sums keep enough loads in flight, and
// local pointers stop the compiler from re-reading the format after each store to y.
template <class C, Activation A, class T>
constexpr void csr_matvec(const C& w, const T* x, const T* bias, T* y) {
  const T* v = w.values;
  const auto* c = w.cols;
  std::size_t k = w.row_ptr[0];
  for (std::size_t r = 0; r < C::rows; ++r) {
    const std::size_t end = w.row_ptr[r + 1];
    T a[8]{};
    for (; k + 8 <= end; k += 8)
      for (std::size_t l = 0; l < 8; ++l) a[l] += v[k + l] * x[c[k + l]];
    for (; k < end; ++k) a[0] += v[k] * x[c[k]];
    y[r] = activate<A>(bias[r] + (((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))));
  }
}
}  // namespace ctml::kernels

namespace ctml::sparse {

template <class T, ShapeType In, std::size_t Units, std::size_t NNZ, Activation Act = Activation::none>
struct CsrDenseLayer {
  static_assert(In::rank == 1, "ctml::sparse::CsrDense expects a rank-1 input; Flatten first");
  static constexpr std::size_t in_features = In::size;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<Units>>;
  using weight_type = Csr<T, Units, in_features, NNZ>;
  using bias_type = Tensor<T, Shape<Units>>;
  static constexpr Activation activation = Act;
  static constexpr std::string_view name = "CsrDense";
  static constexpr std::size_t macs = NNZ;
  static constexpr std::size_t nnz = NNZ;
  static constexpr double density = static_cast<double>(NNZ) / static_cast<double>(Units * in_features);

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(bias); }
  constexpr auto parameters() const { return std::tie(bias); }

  constexpr void forward(const T* in, T* out, T*) const {
    kernels::csr_matvec<weight_type, Act>(weights, in, bias.data(), out);
  }
};

// Pointwise convolution with CSR weights [Cout][Cin], applied at every pixel.
template <class T, ShapeType In, std::size_t Filters, std::size_t NNZ, Activation Act = Activation::none>
struct CsrConv2DLayer {
  static_assert(In::rank == 3, "ctml::sparse::CsrConv2D expects an HWC input");
  static constexpr std::size_t pixels = In::extents[0] * In::extents[1], cin = In::extents[2];
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<In::extents[0], In::extents[1], Filters>>;
  using weight_type = Csr<T, Filters, cin, NNZ>;
  using bias_type = Tensor<T, Shape<Filters>>;
  static constexpr std::string_view name = "CsrConv2D 1x1";
  static constexpr std::size_t macs = NNZ * pixels;
  static constexpr std::size_t nnz = NNZ;
  // Like the dense pointwise conv: in place when it does not widen, one pixel of scratch.
  static constexpr bool in_place = Filters <= cin;
  static constexpr std::size_t scratch_size = in_place ? cin : 0;

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(bias); }
  constexpr auto parameters() const { return std::tie(bias); }

  constexpr void forward(const T* in, T* out, T* scratch) const {
    for (std::size_t p = 0; p < pixels; ++p) {
      const T* src = in + p * cin;
      if constexpr (in_place) {
        for (std::size_t c = 0; c < cin; ++c) scratch[c] = src[c];
        src = scratch;
      }
      kernels::csr_matvec<weight_type, Act>(weights, src, bias.data(), out + p * Filters);
    }
  }
};

// Sparse twin of a dense layer with NNZ stated: CSR weights, same bias and activation.
template <std::size_t NNZ, class T, class In, std::size_t Units, Activation A>
constexpr CsrDenseLayer<T, In, Units, NNZ, A> to_csr_layer(const DenseLayer<T, In, Units, A>& d) {
  return {to_csr<NNZ, Units, In::size>(d.weights.data()), d.bias};
}
template <std::size_t NNZ, class T, class In, std::size_t F, class Opt>
  requires Conv2DLayer<T, In, F, 1, 1, Opt>::pointwise
constexpr CsrConv2DLayer<T, In, F, NNZ, Opt::activation> to_csr_layer(const Conv2DLayer<T, In, F, 1, 1, Opt>& c) {
  return {to_csr<NNZ, F, In::extents[2]>(c.weights.data()), c.bias};
}

// The sparse twin of a constexpr dense layer, NNZ counted at compile time:
//   static constexpr auto dense = ...;  constexpr auto sparse = ctml::sparse::compress<dense>();
template <const auto& Dense>
constexpr auto compress() {
  return to_csr_layer<count_nonzero(Dense.weights)>(Dense);
}

}  // namespace ctml::sparse
