// SPDX-License-Identifier: Apache-2.0
#pragma once
// A constexpr trees::Forest expanded by the compiler into nested comparisons, each threshold an
// immediate or literal-pool constant: what a tree-to-C generator writes, made from the same data
// (the header stays data; the expansion happens in the compiler, only where this is used).
//   ctml::trees::Inlined<my_model::model>::predict(x, out);   // = my_model::model.predict(x, out)
// Same results, bit for bit (the same comparisons, the same additions in the same order); fewer
// instructions per prediction, more flash (code per node instead of a few bytes of data): for
// small models where speed matters most (docs/trees.md measures both). One template instance per
// node: keep it to models of a few thousand nodes (compile time and memory grow with them).
#include <array>
#include <cstddef>
#include <utility>
#include <ctml/trees/forest.hpp>

namespace ctml::trees {

template <const auto& M>
struct Inlined {
  using model_type = std::remove_cvref_t<decltype(M)>;
  using input_type = typename model_type::threshold_type;
  using accumulator_type = typename model_type::accumulator_type;
  static constexpr std::size_t outputs = model_type::outputs, leaf_width = model_type::leaf_width;
  static_assert(M.tree_count == model_type::trees && M.valid(), "ctml::trees::Inlined: a valid model whose arrays are all in use (a generated one)");

  // The leaf row of the subtree at Child.
  template <auto Child>
  [[gnu::always_inline]] static constexpr std::size_t leaf_row(const input_type* x) {
    if constexpr (Child < 0) {
      return static_cast<std::size_t>(~Child);
    } else {
      constexpr auto i = static_cast<std::size_t>(Child);
      if (x[M.feature[i]] < M.threshold[i]) return leaf_row<M.left[i]>(x);
      return leaf_row<M.right[i]>(x);
    }
  }

  template <std::size_t T>
  [[gnu::always_inline]] static constexpr void add_tree(const input_type* x, accumulator_type* sums) {
    const std::size_t row = leaf_row<M.root[T]>(x);
    constexpr std::size_t g = leaf_width == outputs ? 0 : M.group[T];
    for (std::size_t j = 0; j < leaf_width; ++j) sums[g + j] += M.leaf_value[row * leaf_width + j];
  }

  // Forest::accumulate's sums (float leaves: from base, in tree order).
  static constexpr void accumulate(const input_type* x, accumulator_type* sums) {
    for (std::size_t k = 0; k < outputs; ++k) sums[k] = std::is_same_v<accumulator_type, float> ? static_cast<accumulator_type>(M.base[k]) : 0;
    [&]<std::size_t... T>(std::index_sequence<T...>) { (add_tree<T>(x, sums), ...); }(std::make_index_sequence<model_type::trees>{});
  }
  static constexpr void decision_function(const input_type* x, float* out) {
    std::array<accumulator_type, outputs> s{};
    accumulate(x, s.data());
    M.margins(s.data(), out);
  }
  static constexpr void predict(const input_type* x, float* out) {
    std::array<accumulator_type, outputs> s{};
    accumulate(x, s.data());
    M.finish(s.data(), out);
  }
  static constexpr std::size_t predict_class(const input_type* x) {
    std::array<accumulator_type, outputs> s{};
    accumulate(x, s.data());
    return M.class_of(s.data());
  }
};

}  // namespace ctml::trees
