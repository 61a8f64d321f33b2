// SPDX-License-Identifier: Apache-2.0
#pragma once
// Decision-tree traversal over flat node arrays (trees/forest.hpp holds the layout):
//   nodes of one tree in depth-first preorder; for node i
//     feature[i] == leaf:  a leaf, next[i] = its row in the leaf table
//     otherwise:           go left (to i + 1) iff x[feature[i]] < threshold[i], else right (to
//                          i + next[i])
// "x < t" is XGBoost's test; sklearn's "x <= t" is the same test with t rounded up to the next
// float, and integer features with integer thresholds compare exactly (trees/quantize.hpp).
// A NaN feature goes right (NaN < t is false): inputs are expected finite.
// The loop is bounded by the tree's depth, a compile-time fact of the model, so no array can make
// it run longer; that every path ends at a leaf within Depth and every index is in range is
// checked once, by trees::Forest::valid() (a static_assert in generated headers).
#include <cstddef>

namespace ctml::kernels {

// The leaf row that x reaches from root. F, T, I: the node arrays' element types; X: the
// features' (float with float thresholds, the same integer type with integer thresholds).
template <class F, class T, class I, class X>
constexpr std::size_t tree_leaf(const F* feature, const T* threshold, const I* next, std::size_t root, const X* x, F leaf, std::size_t depth) {
  std::size_t i = root;
  for (std::size_t d = 0; d < depth && feature[i] != leaf; ++d) i = x[feature[i]] < threshold[i] ? i + 1 : i + next[i];
  return static_cast<std::size_t>(next[i]);
}

}  // namespace ctml::kernels
