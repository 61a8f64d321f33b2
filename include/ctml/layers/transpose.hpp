// SPDX-License-Identifier: Apache-2.0
#pragma once
// Axis permutation (TFLite TRANSPOSE, ONNX Transpose): output axis d is input axis Perm[d].
//   out[i_0, ..., i_{r-1}] = in[j] with j[Perm[d]] = i_d
// e.g. Perm = 1, 2, 0 turns a CHW tensor (PyTorch's layout without the batch) into HWC.
// The output shape is a compile-time fact: TransposeLayer<T, In, Perm...>::output_type.
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>

namespace ctml {

namespace detail {
template <ShapeType In, std::size_t... Perm>
struct permuted_shape {
  using type = Shape<In::extents[Perm]...>;
};
template <std::size_t R, std::size_t... Perm>
constexpr bool is_permutation() {
  std::array<bool, R> seen{};
  for (const std::size_t p : {Perm...}) {
    if (p >= R || seen[p]) return false;
    seen[p] = true;
  }
  return true;
}
}  // namespace detail

template <class T, ShapeType In, std::size_t... Perm>
struct TransposeLayer {
  static_assert(sizeof...(Perm) == In::rank && detail::is_permutation<In::rank, Perm...>(),
                "ctml::Transpose: Perm must list every input axis exactly once");
  using Out = typename detail::permuted_shape<In, Perm...>::type;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Out>;
  static constexpr std::string_view name = "Transpose";
  static constexpr std::array<std::size_t, In::rank> perm{Perm...};

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t r = In::rank;
    // The input stride of each output axis.
    constexpr std::array<std::size_t, r> step = [] {
      std::array<std::size_t, r> s{};
      for (std::size_t d = 0; d < r; ++d) s[d] = In::strides[perm[d]];
      return s;
    }();
    std::array<std::size_t, r> idx{};
    std::size_t src = 0;
    for (std::size_t o = 0; o < Out::size; ++o) {
      out[o] = in[src];
      // Advance the output index (last axis fastest) and the input offset with it.
      for (std::size_t d = r; d-- > 0;) {
        src += step[d];
        if (++idx[d] < Out::extents[d]) break;
        src -= step[d] * Out::extents[d];
        idx[d] = 0;
      }
    }
  }
};

}  // namespace ctml
