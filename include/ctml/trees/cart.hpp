// SPDX-License-Identifier: Apache-2.0
#pragma once
// One CART decision tree: classification (Gini or entropy; leaves hold class probabilities) or
// regression (squared error; leaves hold the mean), grown by trees/grower.hpp into a Forest of
// one tree whose sizes are the capacity:
//   trees::Forest<trees::ForestShape<Features, Classes, 1, MaxNodes, MaxLeaves, Classes, MaxDepth>> m;
//   trees::Workspace<MaxRows, Features, Classes> ws;
//   auto r = trees::train_tree(data, {.criterion = Criterion::gini, .max_depth = 5}, m, ws);
// then m.predict(x, probabilities) / m.predict_class(x); trees::write_header turns it into
// constexpr data of exact size.
#include <cstddef>
#include <ctml/trees/grower.hpp>

namespace ctml::trees {

template <class Model, class WS>
TrainResult train_tree(const Dataset& d, const TreeOptions& opt, Model& model, WS& ws) {
  const bool classification = opt.criterion == Criterion::gini || opt.criterion == Criterion::entropy;
  if (opt.criterion == Criterion::boosting) return {"train_tree grows CART trees (gini, entropy, mse); boosting: train_gradient_boosting"};
  if (const char* e = detail::check_training_input<Model, WS>(d, classification, classification ? d.classes : 1)) return {e};
  if (classification && Model::leaf_width != d.classes) return {"a classification tree's leaf rows hold one probability per class"};
  detail::clear(model);
  for (std::size_t r = 0; r < d.rows; ++r) ws.rows[r] = static_cast<std::uint32_t>(r);
  SplitMix64 rng{0};
  detail::Grower<Model, WS> g{d, opt, model, ws, rng};
  if (!g.grow(d.rows, 0)) return {"the tree does not fit the model's capacity (nodes or leaf rows)"};
  return {nullptr, model.tree_count, model.node_count, model.leaf_count, g.deepest};
}

}  // namespace ctml::trees
