// SPDX-License-Identifier: Apache-2.0
#pragma once
// Decision-tree traversal over flat node arrays (trees/forest.hpp holds the layout). Only the
// internal nodes are stored; a child c >= 0 is the internal node c, a child c < 0 is the leaf
// row ~c (so a leaf costs no node, and the loop tests no marker):
//   i = root;  while (i >= 0) i = x[feature[i]] < threshold[i] ? left[i] : right[i];  leaf = ~i
// "x < t" is XGBoost's test; sklearn's "x <= t" is the same test with t rounded up to the next
// float, and integer features with integer thresholds compare exactly (trees/quantize.hpp).
// A NaN feature goes right (NaN < t is false): inputs are expected finite.
// At most Depth steps are taken (the model's depth, a compile-time fact), so no array can make the
// loop run longer; that every path ends at a leaf within Depth and every index is in range is
// checked once, by trees::Forest::valid() (a static_assert in generated headers).
#include <cstddef>

namespace ctml::kernels {

namespace detail {
// Depth levels, unrolled by the recursion (Depth is small): one sign test per level, no counter.
template <std::size_t Depth, class F, class T, class C, class X>
constexpr C tree_walk(const F* feature, const T* threshold, const C* left, const C* right, C i, const X* x) {
  if constexpr (Depth == 0) {
    return i;
  } else {
    if (i < 0) return i;
    const auto n = static_cast<std::size_t>(i);
    i = x[feature[n]] < threshold[n] ? left[n] : right[n];
    return tree_walk<Depth - 1>(feature, threshold, left, right, i, x);
  }
}
}  // namespace detail

// The leaf row x reaches from child `root`. F, T, C: the node arrays' element types (C signed);
// X: the features' (float with float thresholds, the same integer type with integer ones).
template <std::size_t Depth, class F, class T, class C, class X>
constexpr std::size_t tree_leaf(const F* feature, const T* threshold, const C* left, const C* right, C root, const X* x) {
  return static_cast<std::size_t>(~detail::tree_walk<Depth>(feature, threshold, left, right, root, x));
}

}  // namespace ctml::kernels
