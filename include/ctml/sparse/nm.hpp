// SPDX-License-Identifier: Apache-2.0
#pragma once
// N:M semi-structured sparse weights: of every M consecutive inputs at most N are non-zero, so
// each row stores exactly In/M*N values and as many in-group offsets (one byte each, < M). No row
// pointers are needed and every row has the same trip count, which keeps the loop regular.
//   NmDenseLayer<T, In, Units, N, M, Act>   out[r] = act(b[r] + sum_g sum_n v[r][g][n] x[g*M + o[r][g][n]])
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/sparse/prune.hpp>

namespace ctml::sparse {

template <class T, std::size_t Rows, std::size_t Cols, std::size_t N, std::size_t M>
struct NmMatrix {
  static_assert(N > 0 && N < M && M <= 256, "ctml::sparse::NmMatrix: need 0 < N < M <= 256");
  static_assert(Cols % M == 0, "ctml::sparse::NmMatrix: the input size must be a multiple of M");
  static constexpr std::size_t rows = Rows, groups = Cols / M, per_row = Cols / M * N;
  static constexpr std::size_t storage_bytes = Rows * per_row * (sizeof(T) + 1);
  T values[Rows * per_row];
  std::uint8_t offsets[Rows * per_row];
};

namespace detail {
inline void weights_are_not_n_m_sparse_prune_them_with_prune_n_m_first() {}
}  // namespace detail

template <std::size_t N, std::size_t M, std::size_t Rows, std::size_t Cols, class T>
constexpr NmMatrix<T, Rows, Cols, N, M> to_n_m(const T* dense) {
  NmMatrix<T, Rows, Cols, N, M> m{};
  for (std::size_t r = 0; r < Rows; ++r)
    for (std::size_t g = 0; g < Cols / M; ++g) {
      std::size_t n = 0;
      for (std::size_t i = 0; i < M; ++i) {
        const T v = dense[r * Cols + g * M + i];
        if (v == T(0)) continue;
        if (n == N) {
          if (std::is_constant_evaluated()) detail::weights_are_not_n_m_sparse_prune_them_with_prune_n_m_first();
          else __builtin_trap();
        }
        const std::size_t k = (r * (Cols / M) + g) * N + n++;
        m.values[k] = v;
        m.offsets[k] = static_cast<std::uint8_t>(i);
      }
      // Groups with fewer than N non-zeros are padded with zero weights at offset 0.
    }
  return m;
}

template <class T, ShapeType In, std::size_t Units, std::size_t N, std::size_t M,
          Activation Act = Activation::none>
struct NmDenseLayer {
  static_assert(In::rank == 1, "ctml::sparse::NmDense expects a rank-1 input; Flatten first");
  static constexpr std::size_t in_features = In::size;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<Units>>;
  using weight_type = NmMatrix<T, Units, in_features, N, M>;
  using bias_type = Tensor<T, Shape<Units>>;
  static constexpr std::string_view name = "NmDense";
  static constexpr std::size_t macs = Units * weight_type::per_row;

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(bias); }
  constexpr auto parameters() const { return std::tie(bias); }

  constexpr void forward(const T* in, T* out, T*) const {
    constexpr std::size_t P = weight_type::per_row;
    for (std::size_t r = 0; r < Units; ++r) {
      const T* v = weights.values + r * P;
      const std::uint8_t* o = weights.offsets + r * P;
      // Value k belongs to group k / N, so its input is x[(k / N) * M + offset]. Rows hold a
      // multiple of N values; N partial sums (one per slot of a group) stay in registers.
      T a[N]{};
      for (std::size_t g = 0; g < P / N; ++g)
        for (std::size_t n = 0; n < N; ++n) a[n] += v[g * N + n] * in[g * M + o[g * N + n]];
      T sum = bias[r];
      for (std::size_t n = 0; n < N; ++n) sum += a[n];
      out[r] = kernels::activate<Act>(sum);
    }
  }
};

template <std::size_t N, std::size_t M, class T, class In, std::size_t Units, Activation A>
constexpr NmDenseLayer<T, In, Units, N, M, A> to_n_m_layer(const DenseLayer<T, In, Units, A>& d) {
  return {to_n_m<N, M, Units, In::size>(d.weights.data()), d.bias};
}

}  // namespace ctml::sparse
