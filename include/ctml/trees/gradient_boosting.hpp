// SPDX-License-Identifier: Apache-2.0
#pragma once
// Gradient-boosted trees as XGBoost grows them with tree_method=exact (Chen & Guestrin 2016),
// so that an XGBoost run on the same data is the reference (tests/trees):
//   margins start at the base margin (base_score; logistic: its logit), in float;
//   each round, gradients g and hessians h of every row and output from the current margins
//   (float, as XGBoost's objectives):
//     squared_error  g = m - y,           h = 1
//     logistic       p = 1 / (1 + e^-m),  g = p - y,  h = max(p (1 - p), 1e-16)
//     softmax        p = softmax(m),      g = p_k - [y == k],  h = max(2 p_k (1 - p_k), 1e-16)
//   then one tree per output (trees/grower.hpp, Criterion::boosting: gain G_L^2/(H_L+lambda) +
//   G_R^2/(H_R+lambda) - G^2/(H+lambda) > max(1e-6, gamma), hessian sums >= min_child_weight),
//   leaves -G/(H+lambda) * eta, each added to its output's margins.
// The model: base = base margin, link logistic / softmax / identity, tree t scores output
// t % outputs (XGBoost's tree_info), every round's trees in output order.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ctml/trees/grower.hpp>

namespace ctml::trees {

enum class Objective : std::uint8_t { squared_error, logistic, softmax };

struct BoostOptions {
  TreeOptions tree{.criterion = Criterion::boosting, .min_gain = 1e-6};
  Objective objective = Objective::logistic;
  std::size_t rounds = 10;
  float base_score = 0.5f;  // XGBoost 1.7's default (a probability for logistic)
};

template <class Model, class WS>
TrainResult train_gradient_boosting(const Dataset& d, const BoostOptions& opt, Model& model, WS& ws) {
  const bool classification = opt.objective != Objective::squared_error;
  const std::size_t outputs = opt.objective == Objective::softmax ? d.classes : 1;
  if (Model::leaf_width != 1) return {"a boosted tree's leaf rows hold one score (leaf width 1)"};
  if (opt.objective == Objective::logistic && d.classes != 2) return {"the logistic objective needs two classes (softmax: more)"};
  if (opt.rounds == 0 || opt.rounds * outputs > Model::trees) return {"rounds x outputs trees is 0 or above the model type's capacity"};
  if (const char* e = detail::check_training_input<Model, WS>(d, classification, outputs)) return {e};
  if (!(opt.base_score > 0.0f && opt.base_score < 1.0f) && opt.objective == Objective::logistic)
    return {"the logistic objective's base_score is a probability in (0, 1)"};
  detail::clear(model);
  TreeOptions tree = opt.tree;
  tree.criterion = Criterion::boosting;
  const float base = opt.objective == Objective::logistic ? -std::log(1.0f / opt.base_score - 1.0f) : opt.base_score;
  constexpr std::size_t K = WS::max_classes;
  for (std::size_t r = 0; r < d.rows; ++r)
    for (std::size_t k = 0; k < outputs; ++k) ws.margin[r * K + k] = base;
  for (std::size_t k = 0; k < outputs; ++k) model.base[k] = base;
  SplitMix64 rng{0};
  detail::Grower<Model, WS> g{d, tree, model, ws, rng};
  for (std::size_t round = 0; round < opt.rounds; ++round) {
    for (std::size_t r = 0; r < d.rows; ++r) {
      float* m = ws.margin.data() + r * K;
      float* gr = ws.grad.data() + r * K;
      float* he = ws.hess.data() + r * K;
      if (opt.objective == Objective::squared_error) {
        gr[0] = m[0] - d.targets[r];
        he[0] = 1.0f;
      } else if (opt.objective == Objective::logistic) {
        const float p = 1.0f / (1.0f + std::exp(-m[0]));
        gr[0] = p - static_cast<float>(d.labels[r]);
        he[0] = std::fmax(p * (1.0f - p), 1e-16f);
      } else {
        float mx = m[0];
        for (std::size_t k = 1; k < outputs; ++k) mx = std::fmax(mx, m[k]);
        float sum = 0.0f;
        for (std::size_t k = 0; k < outputs; ++k) sum += he[k] = std::exp(m[k] - mx);  // he: scratch for exp
        for (std::size_t k = 0; k < outputs; ++k) {
          const float p = he[k] / sum;
          gr[k] = static_cast<std::size_t>(d.labels[r]) == k ? p - 1.0f : p;
          he[k] = std::fmax(2.0f * p * (1.0f - p), 1e-16f);
        }
      }
    }
    for (std::size_t k = 0; k < outputs; ++k) {
      for (std::size_t r = 0; r < d.rows; ++r) ws.rows[r] = static_cast<std::uint32_t>(r);
      g.output = k;
      const std::size_t t = model.tree_count;
      // Every tree sees all rows: the presorted lists of the first are reused.
      if (!g.grow(d.rows, k, model.tree_count > 0)) return {"the ensemble does not fit the model's capacity (trees, nodes or leaf rows)"};
      for (std::size_t r = 0; r < d.rows; ++r) ws.margin[r * K + k] += model.leaf_value[model.leaf_row(t, d.x + r * d.features)];
    }
  }
  model.link = opt.objective == Objective::logistic ? Link::logistic : (opt.objective == Objective::softmax ? Link::softmax : Link::identity);
  // Classes in the type, one score per tree: outputs == classes for softmax.
  return {nullptr, model.tree_count, model.node_count, model.leaf_count, g.deepest};
}

}  // namespace ctml::trees
