// SPDX-License-Identifier: Apache-2.0
#pragma once
// The data split of tests/trees (the even rows of a data set train, the odd rows are held out)
// and the models gen_models.cpp trains (test_generated.cpp trains them again and compares).
#include <cstdint>
#include <string>
#include <vector>
#include <ctml/trees/gradient_boosting.hpp>
#include <ctml/trees/random_forest.hpp>
#include "csv.hpp"

namespace test_trees {

struct Split {
  std::size_t features = 0, classes = 0;
  std::vector<float> xtr, ytr, xte, yte;
  std::vector<std::int32_t> ltr, lte;
  bool ok = false;
  ctml::trees::Dataset train() const {
    return {xtr.data(), ytr.size(), features, classes ? ltr.data() : nullptr, classes ? nullptr : ytr.data(), classes};
  }
  std::size_t test_rows() const { return yte.size(); }
  const float* test_row(std::size_t i) const { return xte.data() + i * features; }
};

inline Split load_split(const std::string& path, std::size_t classes) {
  const auto t = read_csv(path);
  Split s;
  s.ok = t.ok;
  s.features = t.features;
  s.classes = classes;
  for (std::size_t r = 0; r < t.rows; ++r) {
    const bool train = r % 2 == 0;
    auto& x = train ? s.xtr : s.xte;
    x.insert(x.end(), t.x.begin() + static_cast<std::ptrdiff_t>(r * t.features), t.x.begin() + static_cast<std::ptrdiff_t>((r + 1) * t.features));
    (train ? s.ytr : s.yte).push_back(t.y[r]);
    (train ? s.ltr : s.lte).push_back(t.labels[r]);
  }
  return s;
}

// The generated models (capacities) and how they are trained.
using CancerForest = ctml::trees::Forest<ctml::trees::ForestShape<30, 2, 10, 2000, 1000, 2, 8>>;
using CancerBoost = ctml::trees::Forest<ctml::trees::ForestShape<30, 1, 30, 1000, 500, 1, 4>>;
using WineForest = ctml::trees::Forest<ctml::trees::ForestShape<13, 3, 10, 1000, 500, 3, 6>>;
inline ctml::trees::Workspace<300, 32, 4> workspace;

inline ctml::trees::TrainResult train_cancer_forest(const Split& s, CancerForest& m) {
  return ctml::trees::train_random_forest(s.train(), {.tree = {.criterion = ctml::trees::Criterion::gini, .max_depth = 8}, .trees = 10, .seed = 3}, m, workspace);
}
inline ctml::trees::TrainResult train_cancer_boost(const Split& s, CancerBoost& m) {
  ctml::trees::BoostOptions o;
  o.tree.max_depth = 4;
  o.rounds = 30;
  return ctml::trees::train_gradient_boosting(s.train(), o, m, workspace);
}
inline ctml::trees::TrainResult train_wine_forest(const Split& s, WineForest& m) {
  return ctml::trees::train_random_forest(s.train(), {.tree = {.criterion = ctml::trees::Criterion::entropy, .max_depth = 6}, .trees = 10, .seed = 5}, m, workspace);
}

}  // namespace test_trees
