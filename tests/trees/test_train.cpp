// SPDX-License-Identifier: Apache-2.0
// Tree training against independent references (tests/trees/make_reference.py, outputs checked in
// under tests/trees/reference/): CART and random forests against a Python implementation of the
// documented algorithm, gradient boosting against XGBoost 1.7 itself (tree_method=exact), on
// three small data sets (tests/data/sklearn): the even rows train, the odd rows are held out.
// Also the accuracy each reaches (docs/trees.md's table), so a regression in the trainers fails.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <ctml/trees/cart.hpp>
#include <ctml/trees/gradient_boosting.hpp>
#include <ctml/trees/random_forest.hpp>

#include "common.hpp"

namespace {
using namespace ctml::trees;

using test_trees::Split;

Split load(const char* file, std::size_t classes) {
  Split s = test_trees::load_split(std::string(CTML_TEST_DATA_DIR) + "/sklearn/" + file, classes);
  REQUIRE(s.ok);
  return s;
}

std::vector<std::vector<double>> reference(const std::string& name) {
  auto rows = test_trees::read_rows(std::string(CTML_TREES_REFERENCE_DIR) + "/" + name);
  REQUIRE(!rows.empty());
  return rows;
}

// Every held-out row's outputs against the reference's: |a - b| <= abs + rel |b|. Returns the
// largest difference.
template <class Model>
double compare(const Model& m, const Split& s, const std::string& ref_name, double abs, double rel) {
  const auto ref = reference(ref_name);
  REQUIRE(ref.size() == s.test_rows());
  double worst = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < s.test_rows(); ++i) {
    float out[Model::outputs];
    m.predict(s.test_row(i), out);
    REQUIRE(ref[i].size() == Model::outputs);
    for (std::size_t k = 0; k < Model::outputs; ++k) {
      const double d = std::fabs(static_cast<double>(out[k]) - ref[i][k]);
      worst = d > worst ? d : worst;
      bad += d > abs + rel * std::fabs(ref[i][k]);
    }
  }
  CHECK_MESSAGE(bad == 0, ref_name << ": " << bad << " outputs differ, largest difference " << worst);
  return worst;
}

template <class Model>
double accuracy(const Model& m, const Split& s) {
  std::size_t ok = 0;
  for (std::size_t i = 0; i < s.test_rows(); ++i) ok += static_cast<std::int32_t>(m.predict_class(s.test_row(i))) == s.lte[i];
  return static_cast<double>(ok) / static_cast<double>(s.test_rows());
}

template <class Model>
double rmse(const Model& m, const Split& s) {
  double e = 0;
  for (std::size_t i = 0; i < s.test_rows(); ++i) {
    float y;
    m.predict(s.test_row(i), &y);
    e += (static_cast<double>(y) - s.yte[i]) * (static_cast<double>(y) - s.yte[i]);
  }
  return std::sqrt(e / static_cast<double>(s.test_rows()));
}

// Capacities (static storage: the trainers allocate nothing).
Workspace<300, 32, 4> ws;
Forest<ForestShape<30, 2, 1, 255, 128, 2, 6>> cancer_tree;
Forest<ForestShape<30, 2, 20, 4000, 2000, 2, 6>> cancer_forest;
Forest<ForestShape<30, 1, 20, 400, 200, 1, 3>> cancer_boost;
Forest<ForestShape<13, 3, 1, 255, 128, 3, 5>> wine_tree;
Forest<ForestShape<13, 3, 20, 2000, 1000, 3, 5>> wine_forest;
Forest<ForestShape<13, 3, 30, 1000, 500, 1, 3>> wine_boost;
Forest<ForestShape<10, 1, 1, 255, 128, 1, 4>> diabetes_tree;
Forest<ForestShape<10, 1, 20, 2000, 1000, 1, 4>> diabetes_forest;
Forest<ForestShape<10, 1, 30, 1000, 500, 1, 3>> diabetes_boost;

}  // namespace

TEST_CASE("CART (Gini, entropy, squared error) equals the reference implementation on held-out rows") {
  const Split cancer = load("breast_cancer.csv", 2), wine = load("wine_data.csv", 3), diabetes = load("diabetes.csv", 0);
  auto r = train_tree(cancer.train(), {.criterion = Criterion::gini, .max_depth = 6}, cancer_tree, ws);
  REQUIRE_MESSAGE(r, r.error);
  CHECK(cancer_tree.valid());
  compare(cancer_tree, cancer, "breast_cancer_gini.cart.txt", 1e-7, 1e-6);
  r = train_tree(wine.train(), {.criterion = Criterion::entropy, .max_depth = 5}, wine_tree, ws);
  REQUIRE_MESSAGE(r, r.error);
  compare(wine_tree, wine, "wine_entropy.cart.txt", 1e-7, 1e-6);
  r = train_tree(diabetes.train(), {.criterion = Criterion::mse, .max_depth = 4}, diabetes_tree, ws);
  REQUIRE_MESSAGE(r, r.error);
  compare(diabetes_tree, diabetes, "diabetes_mse.cart.txt", 1e-6, 1e-6);
  MESSAGE("CART held-out: breast cancer accuracy " << accuracy(cancer_tree, cancer) << " (" << r.nodes << " nodes), wine "
                                                   << accuracy(wine_tree, wine) << ", diabetes RMSE " << rmse(diabetes_tree, diabetes));
  CHECK(accuracy(cancer_tree, cancer) >= 0.90);
  CHECK(accuracy(wine_tree, wine) >= 0.85);
  CHECK(rmse(diabetes_tree, diabetes) <= 75.0);
}

TEST_CASE("random forests (bootstrap, sqrt(features) per node) equal the reference implementation") {
  const Split cancer = load("breast_cancer.csv", 2), wine = load("wine_data.csv", 3), diabetes = load("diabetes.csv", 0);
  auto r = train_random_forest(cancer.train(), {.tree = {.criterion = Criterion::gini, .max_depth = 6}, .trees = 20, .seed = 7}, cancer_forest, ws);
  REQUIRE_MESSAGE(r, r.error);
  CHECK(cancer_forest.valid());
  compare(cancer_forest, cancer, "breast_cancer_gini.rf.txt", 1e-6, 1e-6);
  r = train_random_forest(wine.train(), {.tree = {.criterion = Criterion::entropy, .max_depth = 5}, .trees = 20, .seed = 11}, wine_forest, ws);
  REQUIRE_MESSAGE(r, r.error);
  compare(wine_forest, wine, "wine_entropy.rf.txt", 1e-6, 1e-6);
  r = train_random_forest(diabetes.train(), {.tree = {.criterion = Criterion::mse, .max_depth = 4}, .trees = 20, .seed = 13}, diabetes_forest, ws);
  REQUIRE_MESSAGE(r, r.error);
  compare(diabetes_forest, diabetes, "diabetes_mse.rf.txt", 1e-5, 1e-6);
  MESSAGE("random forest (20 trees) held-out: breast cancer accuracy " << accuracy(cancer_forest, cancer) << ", wine "
                                                                       << accuracy(wine_forest, wine) << ", diabetes RMSE " << rmse(diabetes_forest, diabetes));
  CHECK(accuracy(cancer_forest, cancer) >= 0.92);
  CHECK(accuracy(wine_forest, wine) >= 0.92);
  CHECK(rmse(diabetes_forest, diabetes) <= 62.0);
}

TEST_CASE("gradient boosting equals XGBoost's exact method (logistic, softmax, squared error)") {
  const Split cancer = load("breast_cancer.csv", 2), wine = load("wine_data.csv", 3), diabetes = load("diabetes.csv", 0);
  BoostOptions o;
  o.tree.max_depth = 3;
  o.objective = Objective::logistic;
  o.rounds = 20;
  auto r = train_gradient_boosting(cancer.train(), o, cancer_boost, ws);
  REQUIRE_MESSAGE(r, r.error);
  CHECK(cancer_boost.valid());
  compare(cancer_boost, cancer, "breast_cancer_logistic.xgb.txt", 1e-6, 0);
  o.objective = Objective::softmax;
  o.rounds = 10;
  r = train_gradient_boosting(wine.train(), o, wine_boost, ws);
  REQUIRE_MESSAGE(r, r.error);
  compare(wine_boost, wine, "wine_softprob.xgb.txt", 1e-6, 0);
  o.objective = Objective::squared_error;
  o.rounds = 30;
  o.tree.eta = 0.1f;
  r = train_gradient_boosting(diabetes.train(), o, diabetes_boost, ws);
  REQUIRE_MESSAGE(r, r.error);
  compare(diabetes_boost, diabetes, "diabetes_squarederror.xgb.txt", 1e-6, 1e-6);
  MESSAGE("gradient boosting held-out: breast cancer accuracy " << accuracy(cancer_boost, cancer) << ", wine " << accuracy(wine_boost, wine)
                                                                << ", diabetes RMSE " << rmse(diabetes_boost, diabetes));
  CHECK(accuracy(cancer_boost, cancer) >= 0.93);
  CHECK(accuracy(wine_boost, wine) >= 0.90);
  CHECK(rmse(diabetes_boost, diabetes) <= 62.0);
}

TEST_CASE("trainers refuse bad input with a reason and leave nothing half-valid") {
  const float x[4] = {1, 2, NAN, 4};
  const std::int32_t y[4] = {0, 1, 0, 1};
  CHECK(std::string(train_tree(Dataset{x, 4, 1, y, nullptr, 2}, {}, cancer_tree, ws).error).find("not finite") != std::string::npos);
  const float ok[4] = {1, 2, 3, 4};
  const std::int32_t bad[4] = {0, 1, 2, 1};
  CHECK(std::string(train_tree(Dataset{ok, 4, 1, bad, nullptr, 2}, {}, cancer_tree, ws).error).find("label") != std::string::npos);
  CHECK(std::string(train_tree(Dataset{ok, 4, 1, y, nullptr, 3}, {}, cancer_tree, ws).error).find("output count") != std::string::npos);
  std::vector<float> many(1000, 1.0f);
  std::vector<std::int32_t> labels(1000, 0);
  CHECK(std::string(train_tree(Dataset{many.data(), 1000, 1, labels.data(), nullptr, 2}, {}, cancer_tree, ws).error).find("workspace") !=
        std::string::npos);
  // A capacity too small for the tree: refused, not truncated.
  static Forest<ForestShape<30, 2, 1, 7, 4, 2, 6>> tiny;
  const Split cancer = load("breast_cancer.csv", 2);
  const auto r = train_tree(cancer.train(), {.criterion = Criterion::gini, .max_depth = 6}, tiny, ws);
  CHECK(!r);
  CHECK(std::string(r.error).find("capacity") != std::string::npos);
}

TEST_CASE("presorted and per-node sorting grow the same trees") {
  static Workspace<300, 32, 4, false> plain;  // sorts every candidate feature at every node
  static Forest<ForestShape<30, 2, 20, 4000, 2000, 2, 6>> a, b;
  static Forest<ForestShape<30, 1, 20, 400, 200, 1, 3>> c, d;
  const Split cancer = load("breast_cancer.csv", 2);
  const ForestOptions fo{.tree = {.criterion = Criterion::entropy, .max_depth = 6}, .trees = 20, .seed = 99};
  REQUIRE(train_random_forest(cancer.train(), fo, a, ws));
  REQUIRE(train_random_forest(cancer.train(), fo, b, plain));
  BoostOptions bo;
  bo.tree.max_depth = 3;
  bo.rounds = 20;
  REQUIRE(train_gradient_boosting(cancer.train(), bo, c, ws));
  REQUIRE(train_gradient_boosting(cancer.train(), bo, d, plain));
  CHECK(a.node_count == b.node_count);
  CHECK(c.node_count == d.node_count);
  bool same = a.feature == b.feature && a.threshold == b.threshold && a.left == b.left && a.right == b.right && a.leaf_value == b.leaf_value;
  same &= c.feature == d.feature && c.threshold == d.threshold && c.leaf_value == d.leaf_value;
  CHECK(same);
}
