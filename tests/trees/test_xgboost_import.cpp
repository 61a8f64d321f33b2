// SPDX-License-Identifier: Apache-2.0
// XGBoost JSON models through ctml-import (tests/trees/reference/*.xgb.json, written by XGBoost 1.7
// via make_reference.py): the generated headers predict the held-out rows as XGBoost's own
// predictor did (its outputs are checked in next to the models), within 1e-6; and the importer
// refuses malformed or unsupported files with a reason (never a crash: truncations at every
// length, cycles, shared children, out-of-range features, categorical splits, other boosters and
// objectives).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "breast_cancer_logistic.hpp"
#include "breast_cancer_rf.hpp"
#include "common.hpp"
#include "diabetes_squarederror.hpp"
#include "wine_softprob.hpp"
#include "xgboost_import.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::vector<double>> reference(const std::string& name) {
  auto rows = test_trees::read_rows(std::string(CTML_TREES_REFERENCE_DIR) + "/" + name);
  REQUIRE(!rows.empty());
  return rows;
}

template <class Model>
void matches_xgboost(const Model& m, const char* data, std::size_t classes, const char* ref_name, double tolerance) {
  const auto s = test_trees::load_split(std::string(CTML_TEST_DATA_DIR) + "/sklearn/" + data, classes);
  REQUIRE(s.ok);
  const auto ref = reference(ref_name);
  REQUIRE(ref.size() == s.test_rows());
  double worst = 0;
  for (std::size_t i = 0; i < s.test_rows(); ++i) {
    float out[Model::outputs];
    m.predict(s.test_row(i), out);
    REQUIRE(ref[i].size() == Model::outputs);
    for (std::size_t k = 0; k < Model::outputs; ++k) worst = std::fmax(worst, std::fabs(static_cast<double>(out[k]) - ref[i][k]));
  }
  MESSAGE(std::string(ref_name) << ": largest difference from XGBoost's prediction " << worst << " over " << s.test_rows() << " rows");
  CHECK(worst <= tolerance);
}

std::string import_error(const std::string& text) {
  const auto r = ctml::xgboost::import_model(text);
  return r.model ? std::string() : r.error;
}

std::string replace_first(std::string s, const std::string& a, const std::string& b) {
  const auto at = s.find(a);
  REQUIRE(at != std::string::npos);
  return s.replace(at, a.size(), b);
}

}  // namespace

TEST_CASE("XGBoost models through ctml-import predict as XGBoost does (binary:logistic, multi:softprob, reg:squarederror)") {
  matches_xgboost(breast_cancer_logistic::model, "breast_cancer.csv", 2, "breast_cancer_logistic.xgb.txt", 1e-6);
  matches_xgboost(wine_softprob::model, "wine_data.csv", 3, "wine_softprob.xgb.txt", 1e-6);
  // Values near 150: the same float additions in XGBoost's order; what differs is the printing of
  // XGBoost's values (9 significant digits).
  matches_xgboost(diabetes_squarederror::model, "diabetes.csv", 0, "diabetes_squarederror.xgb.txt", 1e-6);
  // XGBoost's random-forest mode (10 parallel trees, one round).
  matches_xgboost(breast_cancer_rf::model, "breast_cancer.csv", 2, "breast_cancer_rf.xgb.txt", 1e-6);
  static_assert(breast_cancer_rf::Model::trees == 10);
  static_assert(breast_cancer_logistic::Model::trees == 20 && breast_cancer_logistic::Model::depth == 3);
  static_assert(wine_softprob::Model::outputs == 3 && wine_softprob::Model::leaf_width == 1);
  // The int16 twin decides as the float model does on the dequantized features (trees/quantize.hpp).
  const auto s = test_trees::load_split(std::string(CTML_TEST_DATA_DIR) + "/sklearn/breast_cancer.csv", 2);
  std::size_t same = 0;
  for (std::size_t i = 0; i < s.test_rows(); ++i) {
    std::int16_t q[30];
    breast_cancer_logistic::quantizer(s.test_row(i), q);
    same += breast_cancer_logistic::qmodel.predict_class(q) == breast_cancer_logistic::model.predict_class(s.test_row(i));
  }
  MESSAGE("int16 thresholds: " << same << " of " << s.test_rows() << " classes as with float features");
  CHECK(same >= s.test_rows() - 2);
}

TEST_CASE("the XGBoost importer refuses malformed and unsupported models with a reason") {
  const std::string good = slurp(std::string(CTML_TREES_REFERENCE_DIR) + "/breast_cancer_logistic.xgb.json");
  REQUIRE(import_error(good).empty());
  // Every truncation: refused (not valid JSON), never a crash.
  for (std::size_t n = 0; n < good.size(); n += (n < 200 ? 1 : 97)) CHECK_FALSE(import_error(good.substr(0, n)).empty());
  CHECK(import_error("{\"learner\": 1}").find("learner_model_param") != std::string::npos);
  CHECK(import_error(replace_first(good, "\"binary:logistic\"", "\"count:poisson\"")).find("count:poisson") != std::string::npos);
  CHECK(import_error(replace_first(good, "\"gbtree\"", "\"dart\"")).find("dart") != std::string::npos);
  // Tree 0: node 0's children are 1 and 2; make 2 point back at 0, at itself, out of range.
  CHECK(import_error(replace_first(good, "\"left_children\":[1,3,5,7,", "\"left_children\":[1,3,0,7,")).find("node") != std::string::npos);
  CHECK(import_error(replace_first(good, "\"left_children\":[1,3,5,7,", "\"left_children\":[1,3,5,70,")).find("out of range") !=
        std::string::npos);
  CHECK(import_error(replace_first(good, "\"left_children\":[1,3,5,7,", "\"left_children\":[1,1,5,7,")).find("twice") != std::string::npos);
  CHECK(import_error(replace_first(good, "\"split_indices\":[22,", "\"split_indices\":[30,")).find("beyond num_feature") !=
        std::string::npos);
  CHECK(import_error(replace_first(good, "\"split_type\":[0,", "\"split_type\":[1,")).find("categorical") != std::string::npos);
  CHECK(import_error(replace_first(good, "\"split_conditions\":[1.1285E2,", "\"split_conditions\":[\"x\",")).find("finite") !=
        std::string::npos);
  CHECK(import_error(replace_first(good, "\"num_nodes\":\"9\"", "\"num_nodes\":\"8\"")).find("num_nodes") != std::string::npos);
  CHECK(import_error(replace_first(good, "\"base_score\":\"5E-1\"", "\"base_score\":\"2\"")).find("probability") != std::string::npos);
  CHECK(import_error(std::string(100, '[')).find("JSON") != std::string::npos);
  CHECK(import_error("{\"learner\": {}} trailing").find("JSON") != std::string::npos);
}
