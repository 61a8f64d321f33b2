// SPDX-License-Identifier: Apache-2.0
#pragma once
// Random forests (Breiman 2001): each tree a CART tree (trees/grower.hpp) grown on a bootstrap
// sample of the rows (n draws with replacement, SplitMix64 from `seed`), trying max_features
// features per node drawn without replacement (default: floor(sqrt(features)) for
// classification, all for regression, as scikit-learn). The forest's output is the mean of its
// trees' leaf rows (class probabilities or values): scale = 1 / trees.
// Draw order, for a reference to reproduce: per tree, the n bootstrap rows; then, per node in
// preorder, the features (a partial Fisher-Yates shuffle of 0 .. features - 1 restarted at
// each node, draw k taking position k + below(features - k)).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ctml/trees/grower.hpp>

namespace ctml::trees {

struct ForestOptions {
  TreeOptions tree{};
  std::size_t trees = 10;
  bool bootstrap = true;
  std::uint64_t seed = 1;
};

template <class Model, class WS>
TrainResult train_random_forest(const Dataset& d, const ForestOptions& opt, Model& model, WS& ws) {
  const bool classification = opt.tree.criterion == Criterion::gini || opt.tree.criterion == Criterion::entropy;
  if (opt.tree.criterion == Criterion::boosting) return {"a random forest's trees are CART trees (gini, entropy, mse)"};
  if (opt.trees == 0 || opt.trees > Model::trees) return {"the tree count is 0 or above the model type's capacity"};
  if (const char* e = detail::check_training_input<Model, WS>(d, classification, classification ? d.classes : 1)) return {e};
  if (classification && Model::leaf_width != d.classes) return {"a classification forest's leaf rows hold one probability per class"};
  detail::clear(model);
  TreeOptions tree = opt.tree;
  if (tree.max_features == 0 && classification) {
    const auto k = static_cast<std::size_t>(std::sqrt(static_cast<double>(d.features)));
    tree.max_features = k < 1 ? 1 : k;
  }
  SplitMix64 rng{opt.seed};
  detail::Grower<Model, WS> g{d, tree, model, ws, rng};
  for (std::size_t t = 0; t < opt.trees; ++t) {
    for (std::size_t r = 0; r < d.rows; ++r) ws.rows[r] = static_cast<std::uint32_t>(opt.bootstrap ? rng.below(d.rows) : r);
    if (!g.grow(d.rows, 0)) return {"the forest does not fit the model's capacity (trees, nodes or leaf rows)"};
  }
  model.scale = 1.0f / static_cast<float>(opt.trees);
  return {nullptr, model.tree_count, model.node_count, model.leaf_count, g.deepest};
}

}  // namespace ctml::trees
