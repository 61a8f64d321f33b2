// SPDX-License-Identifier: Apache-2.0
#pragma once
// A decision tree, random forest or gradient-boosted ensemble as constexpr data: flat node arrays
// whose sizes are template arguments, so node count, depth and flash bytes are compile-time facts
// and the compiler reads the model as data (no generated if-else code to swallow).
//
// Layout (kernels/tree.hpp walks it): only internal nodes are stored, the trees' nodes one after
// the other in depth-first preorder; a child c >= 0 is internal node c, c < 0 is leaf row ~c:
//   feature[i]    the split feature                                     uint8 / uint16
//   threshold[i]  go left iff x[feature[i]] < threshold[i]              float, int16 or int8
//   left[i], right[i]  the children                                     smallest signed type
//   root[t]       tree t's root (a child: a one-leaf tree is ~row);  group[t]: the first output
//                 its leaf rows add to
//   leaf_value    rows of LeafWidth values (Outputs for a forest's class probabilities, 1 for a
//                 boosted tree's score); rows may be shared (identical leaves stored once)
// Output k = (base[k] + sum over trees of the leaf values added to k) * scale, summed in tree
// order from base (XGBoost's order: its base score, then each tree), then the link:
//   identity  regression values, or a random forest's mean class probabilities (scale 1/Trees)
//   logistic  binary:logistic: sigmoid of the one margin (the probability of class 1)
//   softmax   multi:softprob: softmax over the Outputs margins
// With integer leaves (Leaf = int16/int8: quantized probabilities or scores) the sums are int32
// and `accumulate` gives them without any float; predict_class compares them as integers when
// the outputs share a base (forests, softmax), so it needs no float on an FPU-less core.
// With integer thresholds the features are quantized the same way (trees/quantize.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <ctml/kernels/sigmoid_tanh.hpp>
#include <ctml/kernels/tree.hpp>

namespace ctml::trees {

enum class Link : std::uint8_t { identity, logistic, softmax };

// The smallest unsigned type that holds 0..Max.
template <std::size_t Max>
using uint_for = std::conditional_t<Max <= 0xFFu, std::uint8_t, std::conditional_t<Max <= 0xFFFFu, std::uint16_t, std::uint32_t>>;
// The smallest signed type that holds -Max..Max-1 (node indices and ~leaf rows below Max).
template <std::size_t Max>
using child_for = std::conditional_t<Max <= 128u, std::int8_t, std::conditional_t<Max <= 32768u, std::int16_t, std::int32_t>>;

template <std::size_t Features, std::size_t Outputs, std::size_t Trees, std::size_t Nodes, std::size_t Leaves, std::size_t LeafWidth,
          std::size_t Depth>
struct ForestShape {
  static_assert(Features > 0 && Outputs > 0 && Trees > 0, "ctml::trees: a model needs features, outputs and at least one tree");
  static_assert(Leaves > 0, "ctml::trees: a model has at least one leaf");
  static_assert(LeafWidth == 1 || LeafWidth == Outputs, "ctml::trees: a leaf row holds one score or one value per output");
  static constexpr std::size_t features = Features, outputs = Outputs, trees = Trees, nodes = Nodes, leaves = Leaves,
                               leaf_width = LeafWidth, depth = Depth;
};

template <class Shape, class Thr = float, class Leaf = float>
struct Forest {
  static_assert(std::is_same_v<Thr, float> || std::is_same_v<Thr, std::int16_t> || std::is_same_v<Thr, std::int8_t>,
                "ctml::trees::Forest: thresholds are float, int16 or int8");
  static_assert(std::is_same_v<Leaf, float> || std::is_same_v<Leaf, std::int16_t> || std::is_same_v<Leaf, std::int8_t>,
                "ctml::trees::Forest: leaf values are float, int16 or int8");
  using shape = Shape;
  using threshold_type = Thr;
  using leaf_type = Leaf;
  using feature_type = uint_for<Shape::features - 1>;
  using child_type = child_for<(Shape::nodes > Shape::leaves ? Shape::nodes : Shape::leaves)>;
  using group_type = uint_for<Shape::outputs>;
  // The sums' type: float, or int32 for integer leaves (no float needed until `predict`).
  using accumulator_type = std::conditional_t<std::is_same_v<Leaf, float>, float, std::int32_t>;
  static constexpr std::size_t features = Shape::features, outputs = Shape::outputs, trees = Shape::trees, nodes = Shape::nodes,
                               leaves = Shape::leaves, leaf_width = Shape::leaf_width, depth = Shape::depth;

  std::array<feature_type, nodes> feature{};
  std::array<Thr, nodes> threshold{};
  std::array<child_type, nodes> left{}, right{};
  std::array<child_type, trees> root{};
  std::array<group_type, trees> group{};
  std::array<Leaf, leaves * leaf_width> leaf_value{};
  std::array<float, outputs> base{};
  float scale = 1.0f;
  Link link = Link::identity;
  // In use: a generated model fills its arrays (the defaults); a trainer writes into a Forest
  // whose sizes are its capacity and sets these.
  std::size_t tree_count = trees, node_count = nodes, leaf_count = leaves;

  // Flash bytes of the arrays (what a device stores; the struct adds only padding).
  static constexpr std::size_t flash_bytes = nodes * (sizeof(feature_type) + sizeof(Thr) + 2 * sizeof(child_type)) +
                                             trees * (sizeof(child_type) + sizeof(group_type)) + leaves * leaf_width * sizeof(Leaf) +
                                             outputs * sizeof(float) + sizeof(float) + 1;  // (+ the three counts, host-side bookkeeping)

  // The input type: float features for float thresholds, the threshold type otherwise.
  using input_type = Thr;

  // The leaf row tree t reaches for x.
  constexpr std::size_t leaf_row(std::size_t t, const Thr* x) const {
    return kernels::tree_leaf<depth>(feature.data(), threshold.data(), left.data(), right.data(), root[t], x);
  }

  // sums[k] = sum over trees of the leaf values added to output k (float leaves: starting from
  // base[k], in tree order; integer leaves: from 0, exactly in int32).
  constexpr void accumulate(const Thr* x, accumulator_type* sums) const {
    if constexpr (outputs == 1) {
      // One output (binary or regression): the sum in a register, no group to look up.
      accumulator_type s = std::is_same_v<Leaf, float> ? static_cast<accumulator_type>(base[0]) : 0;
      for (std::size_t t = 0; t < tree_count; ++t) s += leaf_value[leaf_row(t, x)];
      sums[0] = s;
    } else {
      for (std::size_t k = 0; k < outputs; ++k) sums[k] = std::is_same_v<Leaf, float> ? static_cast<accumulator_type>(base[k]) : 0;
      for (std::size_t t = 0; t < tree_count; ++t) {
        const Leaf* v = leaf_value.data() + leaf_row(t, x) * leaf_width;
        accumulator_type* s = leaf_width == outputs ? sums : sums + group[t];  // (a full row: group 0)
        for (std::size_t j = 0; j < leaf_width; ++j) s[j] += v[j];
      }
    }
  }

  // The margins before the link: (base + sums) * scale.
  constexpr void decision_function(const Thr* x, float* out) const {
    std::array<accumulator_type, outputs> s{};
    accumulate(x, s.data());
    margins(s.data(), out);
  }

  // The model's output: probabilities (logistic: of class 1; softmax and forests: of each class)
  // or regression values.
  constexpr void predict(const Thr* x, float* out) const {
    std::array<accumulator_type, outputs> s{};
    accumulate(x, s.data());
    finish(s.data(), out);
  }
  constexpr void predict_proba(const Thr* x, float* out) const { predict(x, out); }

  // The class: with one logistic output, 1 iff the margin is positive; otherwise the largest
  // sum (the link is monotonic). Ties: the first.
  constexpr std::size_t predict_class(const Thr* x) const {
    std::array<accumulator_type, outputs> s{};
    accumulate(x, s.data());
    return class_of(s.data());
  }

  // From the sums (accumulate, or another traversal of the same trees: trees/inlined.hpp):
  constexpr void margins(const accumulator_type* s, float* out) const {
    for (std::size_t k = 0; k < outputs; ++k) {
      const float v = std::is_same_v<Leaf, float> ? static_cast<float>(s[k]) : base[k] + static_cast<float>(s[k]);
      out[k] = scale == 1.0f ? v : v * scale;
    }
  }
  constexpr void finish(const accumulator_type* s, float* out) const {
    margins(s, out);
    if (link == Link::logistic) {
      for (std::size_t k = 0; k < outputs; ++k) out[k] = kernels::detail::sigmoid_f(out[k]);
    } else if (link == Link::softmax) {
      // XGBoost's order: the largest margin first, exp of the differences, then their sum.
      float m = out[0];
      for (std::size_t k = 1; k < outputs; ++k) m = out[k] > m ? out[k] : m;
      float sum = 0.0f;
      for (std::size_t k = 0; k < outputs; ++k) sum += out[k] = kernels::detail::exp_nonpositive(out[k] - m);
      for (std::size_t k = 0; k < outputs; ++k) out[k] /= sum;
    }
  }
  constexpr std::size_t class_of(const accumulator_type* s) const {
    const auto margin = [&](std::size_t k) { return std::is_same_v<Leaf, float> ? static_cast<float>(s[k]) : base[k] + static_cast<float>(s[k]); };
    if constexpr (outputs == 1) {
      return margin(0) > 0.0f ? 1 : 0;
    } else {
      std::size_t best = 0;
      for (std::size_t k = 1; k < outputs; ++k)
        if (std::is_same_v<Leaf, float> || base[k] == base[best] ? s[k] > s[best] : margin(k) > margin(best)) best = k;
      return best;
    }
  }

  // Every invariant traversal relies on: features, children and leaf rows in range, every node
  // reached exactly once (no cycle, no sharing), every path ending at a leaf within `depth`
  // comparisons, groups leaving room for a leaf row. Generated headers static_assert it.
  constexpr bool valid() const {
    if (tree_count == 0 || tree_count > trees || node_count > nodes || leaf_count > leaves) return false;
    std::array<bool, nodes> seen{};
    std::size_t reached = 0;
    for (std::size_t t = 0; t < tree_count; ++t) {
      if (static_cast<std::size_t>(group[t]) + leaf_width > outputs) return false;
      if (!subtree_valid(root[t], 0, seen, reached)) return false;
    }
    return reached == node_count;
  }

 private:
  template <class Seen>
  constexpr bool subtree_valid(child_type c, std::size_t d, Seen& seen, std::size_t& reached) const {
    if (c < 0) return static_cast<std::size_t>(~c) < leaf_count;
    const auto i = static_cast<std::size_t>(c);
    if (i >= node_count || d >= depth || seen[i] || feature[i] >= features) return false;
    seen[i] = true;
    ++reached;
    return subtree_valid(left[i], d + 1, seen, reached) && subtree_valid(right[i], d + 1, seen, reached);
  }
};

}  // namespace ctml::trees
