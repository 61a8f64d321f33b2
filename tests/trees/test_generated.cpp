// SPDX-License-Identifier: Apache-2.0
// Trained ensembles as generated constexpr data (gen_models.cpp -> tools/trees/codegen.hpp headers):
//   - the header's model predicts exactly what the trained model predicts (every held-out row);
//   - its sizes are compile-time facts, and identical leaf rows are stored once;
//   - the int16 model (quantizer from the thresholds) decides on the quantized features exactly
//     as the float model decides on their dequantized values, node by node; its accuracy.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <ctml/trees/inlined.hpp>

#include "cancer_boost.hpp"
#include "cancer_forest.hpp"
#include "common.hpp"
#include "wine_forest.hpp"

namespace {
test_trees::CancerForest trained_cancer_forest;
test_trees::CancerBoost trained_cancer_boost;
test_trees::WineForest trained_wine_forest;

// Compile-time facts.
static_assert(cancer_forest::Model::trees == 10 && cancer_forest::Model::depth <= 8);
static_assert(cancer_boost::Model::trees == 30 && cancer_boost::Model::outputs == 1 && cancer_boost::Model::depth <= 4);
static_assert(wine_forest::Model::outputs == 3 && wine_forest::Model::leaf_width == 3);
static_assert(sizeof(cancer_forest::Model::feature_type) == 1 && sizeof(cancer_forest::Model::child_type) == 1);
static_assert(cancer_forest::flash_bytes == sizeof(cancer_forest::Model));

template <class Gen, class Trained>
void same_predictions(const Gen& gen, const Trained& trained, const test_trees::Split& s) {
  std::size_t same = 0;
  for (std::size_t i = 0; i < s.test_rows(); ++i) {
    float a[Gen::outputs], b[Gen::outputs];
    gen.predict(s.test_row(i), a);
    trained.predict(s.test_row(i), b);
    bool eq = gen.predict_class(s.test_row(i)) == trained.predict_class(s.test_row(i));
    for (std::size_t k = 0; k < Gen::outputs; ++k) eq &= a[k] == b[k];
    same += eq;
  }
  CHECK(same == s.test_rows());
}

// Node by node: q < qt (integer model) iff (q - zp) * scale < t (float model), for every
// internal node and held-out row; and the two models' classes agree on the dequantized features.
template <class Model, class QModel, class FQ>
double check_quantized(const Model& m, const QModel& qm, const FQ& fq, const test_trees::Split& s) {
  std::size_t decisions = 0, agree = 0, correct = 0;
  using Q = typename QModel::threshold_type;
  for (std::size_t r = 0; r < s.test_rows(); ++r) {
    Q q[Model::features];
    fq(s.test_row(r), q);
    float deq[Model::features];
    for (std::size_t f = 0; f < Model::features; ++f) {
      const double x = (static_cast<double>(q[f]) - fq.zero_point[f]) * static_cast<double>(fq.scale[f]);
      deq[f] = static_cast<float>(x);
      for (std::size_t i = 0; i < m.node_count; ++i) {
        if (m.feature[i] != f) continue;
        ++decisions;
        agree += (x < static_cast<double>(m.threshold[i])) == (q[f] < qm.threshold[i]);
      }
    }
    (void)deq;
    correct += static_cast<std::int32_t>(qm.predict_class(q)) == s.lte[r];
  }
  CHECK(agree == decisions);
  return static_cast<double>(correct) / static_cast<double>(s.test_rows());
}

template <class Model>
double accuracy(const Model& m, const test_trees::Split& s) {
  std::size_t ok = 0;
  for (std::size_t i = 0; i < s.test_rows(); ++i) ok += static_cast<std::int32_t>(m.predict_class(s.test_row(i))) == s.lte[i];
  return static_cast<double>(ok) / static_cast<double>(s.test_rows());
}
}  // namespace

TEST_CASE("a generated forest header predicts exactly as the trained model") {
  const auto cancer = test_trees::load_split(std::string(CTML_TEST_DATA_DIR) + "/sklearn/breast_cancer.csv", 2);
  const auto wine = test_trees::load_split(std::string(CTML_TEST_DATA_DIR) + "/sklearn/wine_data.csv", 3);
  REQUIRE(cancer.ok);
  REQUIRE(wine.ok);
  REQUIRE(test_trees::train_cancer_forest(cancer, trained_cancer_forest));
  REQUIRE(test_trees::train_cancer_boost(cancer, trained_cancer_boost));
  REQUIRE(test_trees::train_wine_forest(wine, trained_wine_forest));
  same_predictions(cancer_forest::model, trained_cancer_forest, cancer);
  // The inlined form (nested comparisons made by the compiler from the same data): the same bits.
  std::size_t inlined_same = 0;
  for (std::size_t i = 0; i < cancer.test_rows(); ++i) {
    float a[2], b[2], c, d;
    cancer_forest::model.predict(cancer.test_row(i), a);
    ctml::trees::Inlined<cancer_forest::model>::predict(cancer.test_row(i), b);
    cancer_boost::model.predict(cancer.test_row(i), &c);
    ctml::trees::Inlined<cancer_boost::model>::predict(cancer.test_row(i), &d);
    std::int16_t q[30];
    cancer_forest::quantizer(cancer.test_row(i), q);
    inlined_same += a[0] == b[0] && a[1] == b[1] && c == d &&
                    ctml::trees::Inlined<cancer_forest::qmodel>::predict_class(q) == cancer_forest::qmodel.predict_class(q);
  }
  CHECK(inlined_same == cancer.test_rows());
  same_predictions(cancer_boost::model, trained_cancer_boost, cancer);
  same_predictions(wine_forest::model, trained_wine_forest, wine);
  // Shared leaf rows: the forest's pure leaves are one row each.
  CHECK(cancer_forest::Model::leaves < trained_cancer_forest.leaf_count);
  CHECK(cancer_forest::Model::nodes == trained_cancer_forest.node_count);
  MESSAGE("cancer forest: " << cancer_forest::Model::nodes << " nodes, " << cancer_forest::Model::leaves << " leaf rows (of "
                            << trained_cancer_forest.leaf_count << " leaves), " << sizeof(cancer_forest::Model) << " bytes; boost: "
                            << cancer_boost::Model::nodes << " nodes, " << sizeof(cancer_boost::Model) << " bytes");
}

TEST_CASE("int16 thresholds: the same decisions on quantized features, node by node") {
  const auto cancer = test_trees::load_split(std::string(CTML_TEST_DATA_DIR) + "/sklearn/breast_cancer.csv", 2);
  const auto wine = test_trees::load_split(std::string(CTML_TEST_DATA_DIR) + "/sklearn/wine_data.csv", 3);
  const double a1 = check_quantized(cancer_forest::model, cancer_forest::qmodel, cancer_forest::quantizer, cancer);
  const double a2 = check_quantized(cancer_boost::model, cancer_boost::qmodel, cancer_boost::quantizer, cancer);
  const double a3 = check_quantized(wine_forest::model, wine_forest::qmodel, wine_forest::quantizer, wine);
  MESSAGE("held-out accuracy float / int16: cancer forest " << accuracy(cancer_forest::model, cancer) << " / " << a1 << ", cancer boost "
                                                           << accuracy(cancer_boost::model, cancer) << " / " << a2 << ", wine forest "
                                                           << accuracy(wine_forest::model, wine) << " / " << a3);
  CHECK(std::fabs(a1 - accuracy(cancer_forest::model, cancer)) <= 0.01);
  CHECK(std::fabs(a2 - accuracy(cancer_boost::model, cancer)) <= 0.01);
  CHECK(std::fabs(a3 - accuracy(wine_forest::model, wine)) <= 0.02);
  // Integer leaves too: int16 probabilities / scores, the class from int32 sums (no float).
  constexpr auto q16 = ctml::trees::quantize<std::int16_t, std::int16_t>(cancer_forest::model, cancer_forest::quantizer);
  static_assert(q16.valid());
  std::size_t same = 0;
  for (std::size_t r = 0; r < cancer.test_rows(); ++r) {
    std::int16_t q[30];
    cancer_forest::quantizer(cancer.test_row(r), q);
    same += q16.predict_class(q) == cancer_forest::qmodel.predict_class(q);
  }
  CHECK(same >= cancer.test_rows() - 1);  // ties of the mean probability may round either way
  // int8 thresholds and leaves (255 levels per feature): still exact node by node.
  constexpr auto q8 = ctml::trees::quantizer_from_thresholds<std::int8_t>(cancer_forest::model);
  constexpr auto m8 = ctml::trees::quantize<std::int8_t, std::int8_t>(cancer_forest::model, q8);
  static_assert(m8.valid() && sizeof(m8) < sizeof(cancer_forest::model));
  const double a8 = check_quantized(cancer_forest::model, m8, q8, cancer);
  MESSAGE("int8 thresholds and leaves: cancer forest held-out accuracy " << a8);
  CHECK(a8 >= accuracy(cancer_forest::model, cancer) - 0.03);
}

TEST_CASE("Forest::valid refuses every corruption of a generated model's arrays") {
  static auto m = cancer_forest::model;  // a mutable copy
  REQUIRE(m.valid());
  using C = cancer_forest::Model::child_type;
  std::size_t refused = 0, tried = 0;
  for (std::size_t i = 0; i < m.node_count; ++i) {
    const auto saved = m;
    // A loop to itself, past the nodes, past the leaf rows, the sibling node twice (a sibling
    // leaf row twice is legal: both sides of a split may give the same leaf values).
    const C bad[] = {static_cast<C>(i), static_cast<C>(m.node_count), static_cast<C>(~static_cast<C>(m.leaf_count)),
                     m.right[i] >= 0 ? m.right[i] : static_cast<C>(i)};
    for (C b : bad) {
      m.left[i] = b;
      refused += !m.valid();
      ++tried;
      m = saved;
    }
    m.feature[i] = 30;  // beyond the features
    refused += !m.valid();
    ++tried;
    m = saved;
  }
  for (std::size_t t = 0; t + 1 < m.tree_count; ++t) {
    const auto saved = m;
    m.root[t + 1] = m.root[t];  // two trees sharing nodes
    refused += !m.valid();
    ++tried;
    m = saved;
  }
  m.node_count -= 1;  // a node outside the counted ones
  refused += !m.valid();
  ++tried;
  CHECK(refused == tried);
}
