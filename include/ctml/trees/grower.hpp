// SPDX-License-Identifier: Apache-2.0
#pragma once
// Growing one tree (CART, exact greedy) into a trees::Forest whose sizes are a capacity: the
// engine under train_tree (cart.hpp), train_random_forest and train_gradient_boosting.
//
// At a node holding rows R (a bootstrap sample may hold a row more than once):
//   for each candidate feature f (all, or max_features drawn without replacement, in draw order):
//     sort R by (x[r][f], r); for each boundary between two different values a < b, with at least
//     min_samples_leaf rows on each side (boosting: hessian sums >= min_child_weight), the split
//     "x[f] < t", t = (a + b) / 2 in float (b if that rounds to a), scores
//       gain = score(left) + score(right) - score(node)
//   the first best (strictly greater gain wins: lower features first, then lower thresholds)
//   splits the node if gain > min_gain (and, boosting, > gamma); otherwise, or at max_depth, or
//   below min_samples_split rows, the node is a leaf.
// Scores (W: weight of the rows; w_c: of class c; s: sum of targets; G, H: gradient sums):
//   gini      sum_c w_c^2 / W             (gain = the decrease of W * Gini impurity)
//   entropy   sum_c w_c ln(w_c / W)       (the decrease of W * entropy)
//   mse       s^2 / W                     (the decrease of the squared error)
//   boosting  G^2 / (H + lambda)          (XGBoost's loss change; its kRtEps = 1e-6 = min_gain)
// Leaf values: class probabilities w_c / W; the mean s / W; boosting: -G / (H + lambda) * eta.
// Sums in double, rows' weights from the class weights (or 1).
//
// Memory: nothing is allocated. The model's capacity (trees, internal nodes, leaf rows) is its
// type; when it is full the trainer fails with the reason (never a silently cut tree).
// Workspace<MaxRows, MaxFeatures, MaxClasses, Presort> holds the rest: sizeof(Workspace) bytes,
// about 12 * MaxRows + 12 * MaxRows * MaxClasses + 4 * MaxFeatures, plus 8 * MaxRows *
// MaxFeatures + 5 * MaxRows with Presort; recursion depth <= max_depth.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ctml/trees/dataset.hpp>
#include <ctml/trees/forest.hpp>

namespace ctml::trees {

enum class Criterion : std::uint8_t { gini, entropy, mse, boosting };

struct TreeOptions {
  Criterion criterion = Criterion::gini;
  std::size_t max_depth = 6;
  std::size_t min_samples_leaf = 1;
  std::size_t min_samples_split = 2;
  std::size_t max_features = 0;         // features tried per node; 0: all
  double min_gain = 1e-7;               // a split must gain more than this
  const float* class_weight = nullptr;  // per class (classification); null: 1 each
  // Boosting (XGBoost's parameters and defaults).
  double lambda = 1.0, gamma = 0.0, min_child_weight = 1.0;
  float eta = 0.3f;
};

// Presort (the default): each feature's rows are sorted once per tree (once per training for
// boosting, whose trees all see the same rows) and split nodes partition the sorted lists, where
// otherwise every node sorts every candidate feature again: the same trees, several times faster,
// for 8 * MaxRows * MaxFeatures more bytes (a device that trains may prefer Presort = false).
template <std::size_t MaxRows, std::size_t MaxFeatures, std::size_t MaxClasses = 16, bool Presort = true>
struct Workspace {
  static constexpr std::size_t max_rows = MaxRows, max_features = MaxFeatures, max_classes = MaxClasses;
  static constexpr bool presort = Presort;
  struct Entry {
    float value;
    std::uint32_t row;
  };
  std::array<std::uint32_t, MaxRows> rows{};  // the rows of the tree being grown, partitioned per node
  std::array<Entry, MaxRows> sorted{};        // one feature's values over one node
  std::array<std::uint32_t, MaxFeatures> feature_order{};
  // Boosting: margins, gradients and hessians, [row][output].
  std::array<float, MaxRows * MaxClasses> margin{}, grad{}, hess{};
  // Presort: per feature f, the tree's rows in (x[row][f], row) order at [f * MaxRows, ...); a
  // node is the same segment [lo, hi) of every list. `first` keeps the lists of the tree's
  // start (boosting reuses them), `side` marks the rows of a split's left child.
  std::array<std::uint32_t, Presort ? MaxRows * MaxFeatures : 0> by_feature{}, first{};
  std::array<std::uint32_t, Presort ? MaxRows : 0> tmp{};
  std::array<std::uint8_t, Presort ? MaxRows : 0> side{};
};

// What a trainer reports: success, or why not (the model is then not to be used).
struct TrainResult {
  const char* error = nullptr;
  std::size_t trees = 0, nodes = 0, leaves = 0, depth = 0;
  constexpr explicit operator bool() const { return error == nullptr; }
};

namespace detail {

struct NodeStats {
  double weight = 0, sum = 0, g = 0, h = 0;
  std::size_t count = 0;
};

template <class Model, class WS>
struct Grower {
  const Dataset& data;
  const TreeOptions& opt;
  Model& model;
  WS& ws;
  SplitMix64& rng;
  std::size_t output = 0;  // boosting: the output (class) this tree scores
  bool overflow = false;
  std::size_t deepest = 0;  // the depth of the deepest leaf grown
  std::array<double, WS::max_classes> cls{}, cls_left{};  // class weights of a node / a scan's left side

  bool classify() const { return opt.criterion == Criterion::gini || opt.criterion == Criterion::entropy; }
  double row_weight(std::uint32_t r) const {
    return opt.class_weight && data.labels ? static_cast<double>(opt.class_weight[data.labels[r]]) : 1.0;
  }
  std::size_t classes() const { return classify() ? data.classes : 1; }

  void add(NodeStats& s, std::array<double, WS::max_classes>& c, std::uint32_t r) const {
    const double w = row_weight(r);
    s.weight += w;
    ++s.count;
    if (classify()) c[static_cast<std::size_t>(data.labels[r])] += w;
    else if (opt.criterion == Criterion::mse) s.sum += w * static_cast<double>(data.targets[r]);
    else {
      const std::size_t k = r * WS::max_classes + output;
      s.g += static_cast<double>(ws.grad[k]);
      s.h += static_cast<double>(ws.hess[k]);
    }
  }

  double score(const NodeStats& s, const std::array<double, WS::max_classes>& c) const {
    switch (opt.criterion) {
      case Criterion::gini: {
        double q = 0;
        for (std::size_t k = 0; k < data.classes; ++k) q += c[k] * c[k];
        return q / s.weight;
      }
      case Criterion::entropy: {
        double e = 0;
        for (std::size_t k = 0; k < data.classes; ++k)
          if (c[k] > 0) e += c[k] * std::log(c[k] / s.weight);
        return e;
      }
      case Criterion::mse: return s.sum * s.sum / s.weight;
      case Criterion::boosting: return s.g * s.g / (s.h + opt.lambda);
    }
    return 0;
  }

  // Appends the leaf row of a node; returns its index (on overflow: the last row, and the
  // trainer fails).
  std::size_t leaf_row(const NodeStats& s, const std::array<double, WS::max_classes>& c) {
    constexpr std::size_t w = Model::leaf_width;
    if (model.leaf_count >= Model::leaves) {
      overflow = true;
      return model.leaf_count - 1;
    }
    float* v = model.leaf_value.data() + model.leaf_count * w;
    for (std::size_t j = 0; j < w; ++j) v[j] = 0.0f;
    if (classify()) {
      for (std::size_t k = 0; k < data.classes && k < w; ++k) v[k] = static_cast<float>(c[k] / s.weight);
    } else if (opt.criterion == Criterion::mse) {
      v[0] = static_cast<float>(s.sum / s.weight);
    } else {
      const double weight = s.h < opt.min_child_weight || s.h <= 0 ? 0.0 : -s.g / (s.h + opt.lambda);
      v[0] = static_cast<float>(weight * static_cast<double>(opt.eta));
    }
    return model.leaf_count++;
  }

  using child_type = typename Model::child_type;

  // Rows [lo, hi) of ws.rows form the node; returns it as a child (a leaf: ~row).
  child_type build(std::size_t lo, std::size_t hi, std::size_t depth) {
    NodeStats s{};
    cls.fill(0.0);
    for (std::size_t i = lo; i < hi; ++i) add(s, cls, ws.rows[i]);
    const auto parent_cls = cls;
    std::size_t best_f = 0;
    float best_t = 0;
    double best_gain = opt.criterion == Criterion::boosting && opt.gamma > opt.min_gain ? opt.gamma : opt.min_gain;
    bool found = false;
    // A split needs a node; depth, size and purity can forbid it.
    if (depth < opt.max_depth && depth < Model::depth && hi - lo >= opt.min_samples_split && hi - lo >= 2 * opt.min_samples_leaf) {
      const double parent = score(s, parent_cls);
      const std::size_t nf = data.features;
      for (std::size_t f = 0; f < nf; ++f) ws.feature_order[f] = static_cast<std::uint32_t>(f);
      const std::size_t tries = opt.max_features == 0 || opt.max_features > nf ? nf : opt.max_features;
      for (std::size_t k = 0; k < tries; ++k) {
        if (tries < nf) std::swap(ws.feature_order[k], ws.feature_order[k + rng.below(nf - k)]);
        const std::size_t f = ws.feature_order[k];
        if constexpr (WS::presort) {
          const std::uint32_t* list = ws.by_feature.data() + f * WS::max_rows;
          for (std::size_t i = lo; i < hi; ++i) ws.sorted[i] = {data.at(list[i], f), list[i]};
        } else {
          for (std::size_t i = lo; i < hi; ++i) ws.sorted[i] = {data.at(ws.rows[i], f), ws.rows[i]};
          std::sort(ws.sorted.begin() + static_cast<std::ptrdiff_t>(lo), ws.sorted.begin() + static_cast<std::ptrdiff_t>(hi), by_value_then_row);
        }
        NodeStats left{};
        cls_left.fill(0.0);
        for (std::size_t i = lo; i + 1 < hi; ++i) {
          add(left, cls_left, ws.sorted[i].row);
          const float a = ws.sorted[i].value, b = ws.sorted[i + 1].value;
          if (!(a < b)) continue;
          const std::size_t nl = i + 1 - lo, nr = hi - lo - nl;
          if (nl < opt.min_samples_leaf || nr < opt.min_samples_leaf) continue;
          NodeStats right{s.weight - left.weight, s.sum - left.sum, s.g - left.g, s.h - left.h, nr};
          std::array<double, WS::max_classes> cls_right{};
          if (classify())
            for (std::size_t c = 0; c < data.classes; ++c) cls_right[c] = parent_cls[c] - cls_left[c];
          if (opt.criterion == Criterion::boosting && (left.h < opt.min_child_weight || right.h < opt.min_child_weight)) continue;
          const double gain = score(left, cls_left) + score(right, cls_right) - parent;
          if (gain > best_gain) {
            best_gain = gain;
            best_f = f;
            float t = (a + b) * 0.5f;
            best_t = a < t ? t : b;
            found = true;
          }
        }
      }
    }
    if (found && model.node_count >= Model::nodes) {
      overflow = true;  // the split has no room: the trainer fails (never a silently cut tree)
      found = false;
    }
    if (!found) {
      deepest = depth > deepest ? depth : deepest;
      return static_cast<child_type>(~static_cast<child_type>(leaf_row(s, parent_cls)));
    }
    const auto mid = std::partition(ws.rows.begin() + static_cast<std::ptrdiff_t>(lo), ws.rows.begin() + static_cast<std::ptrdiff_t>(hi),
                                    [&](std::uint32_t r) { return data.at(r, best_f) < best_t; });
    const std::size_t m = static_cast<std::size_t>(mid - ws.rows.begin());
    if constexpr (WS::presort) {
      // Every feature's segment split the same way, each side keeping its sorted order.
      for (std::size_t i = lo; i < hi; ++i) ws.side[ws.rows[i]] = i < m ? 1 : 0;
      for (std::size_t f = 0; f < data.features; ++f) {
        std::uint32_t* list = ws.by_feature.data() + f * WS::max_rows;
        std::size_t l = lo, r = 0;
        for (std::size_t i = lo; i < hi; ++i) {
          if (ws.side[list[i]]) list[l++] = list[i];
          else ws.tmp[r++] = list[i];
        }
        for (std::size_t i = 0; i < r; ++i) list[l + i] = ws.tmp[i];
      }
    }
    const std::size_t node = model.node_count++;  // preorder: the node before its subtrees
    model.feature[node] = static_cast<typename Model::feature_type>(best_f);
    model.threshold[node] = best_t;
    const child_type l = build(lo, m, depth + 1);
    model.left[node] = l;
    const child_type r = build(m, hi, depth + 1);
    model.right[node] = r;
    return static_cast<child_type>(node);
  }

  static bool by_value_then_row(const typename WS::Entry& a, const typename WS::Entry& b) {
    return a.value < b.value || (a.value == b.value && a.row < b.row);
  }

  // Presort: the lists of rows ws.rows[0, n) (reuse: the lists of the previous tree's start,
  // for trees grown from the same rows).
  void presort(std::size_t n, bool reuse) {
    if constexpr (WS::presort) {
      for (std::size_t f = 0; f < data.features; ++f) {
        std::uint32_t* first = ws.first.data() + f * WS::max_rows;
        if (!reuse) {
          for (std::size_t i = 0; i < n; ++i) ws.sorted[i] = {data.at(ws.rows[i], f), ws.rows[i]};
          std::sort(ws.sorted.begin(), ws.sorted.begin() + static_cast<std::ptrdiff_t>(n), by_value_then_row);
          for (std::size_t i = 0; i < n; ++i) first[i] = ws.sorted[i].row;
        }
        std::copy(first, first + n, ws.by_feature.data() + f * WS::max_rows);
      }
    } else {
      (void)n, (void)reuse;
    }
  }

  // Grows tree model.tree_count from rows ws.rows[0, n); false when the model is full. reuse:
  // the rows are the previous tree's (presorted lists kept).
  bool grow(std::size_t n, std::size_t group, bool reuse = false) {
    presort(n, reuse);
    if (model.tree_count >= Model::trees || model.leaf_count >= Model::leaves) {
      overflow = true;
      return false;
    }
    model.group[model.tree_count] = static_cast<typename Model::group_type>(group);
    model.root[model.tree_count] = build(0, n, 0);
    ++model.tree_count;
    return !overflow;
  }
};

template <class Model>
constexpr void clear(Model& m) {
  m.tree_count = m.node_count = m.leaf_count = 0;
  m.base.fill(0.0f);
  m.scale = 1.0f;
  m.link = Link::identity;
}

// The checks every trainer makes before touching the model: sizes within the capacities, labels
// in range, finite features and targets. Returns the reason, or null.
template <class Model, class WS>
const char* check_training_input(const Dataset& d, bool classification, std::size_t outputs) {
  if (d.x == nullptr || d.rows == 0 || d.features == 0) return "empty data set";
  if (d.rows > WS::max_rows) return "more rows than the workspace holds (Workspace<MaxRows, ...>)";
  if (d.features > WS::max_features) return "more features than the workspace holds (Workspace<.., MaxFeatures, ..>)";
  if (d.features > Model::features) return "more features than the model type has";
  if (outputs != Model::outputs) return "the model type's output count does not match (classes, 1 for logistic or regression)";
  if (classification) {
    if (d.labels == nullptr || d.classes < 2) return "classification needs labels and at least two classes";
    if (d.classes > WS::max_classes) return "more classes than the workspace holds (Workspace<.., .., MaxClasses>)";
    for (std::size_t r = 0; r < d.rows; ++r)
      if (d.labels[r] < 0 || static_cast<std::size_t>(d.labels[r]) >= d.classes) return "a label is outside 0 .. classes - 1";
  } else if (d.targets == nullptr) {
    return "regression needs targets";
  } else {
    for (std::size_t r = 0; r < d.rows; ++r)
      if (!std::isfinite(d.targets[r])) return "a target is not finite";
  }
  for (std::size_t i = 0; i < d.rows * d.features; ++i)
    if (!std::isfinite(d.x[i])) return "a feature value is not finite (NaN or infinity)";
  return nullptr;
}

}  // namespace detail
}  // namespace ctml::trees
