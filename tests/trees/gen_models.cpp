// SPDX-License-Identifier: Apache-2.0
// Build-time generator of tests/trees: trains the models of common.hpp and writes them as
// headers (trees/codegen.hpp), with int16 quantizers from their thresholds.
// Usage: trees_gen_models DATA_DIR OUT_DIR
#include <cstdio>
#include <fstream>
#include <string>
#include "trees/codegen.hpp"
#include "common.hpp"

namespace {
test_trees::CancerForest cancer_forest;
test_trees::CancerBoost cancer_boost;
test_trees::WineForest wine_forest;

template <class Model>
bool emit(const std::string& dir, const char* name, const Model& m, const ctml::trees::TrainResult& r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "trees_gen_models: %s: %s\n", name, r.error);
    return false;
  }
  auto flat = ctml::trees::flatten(m);
  flat.description = what;
  std::ofstream out(dir + "/" + name + ".hpp");
  ctml::trees::HeaderOptions opt;
  opt.name = name;
  opt.quantizer_type = "int16";
  const std::string e = ctml::trees::write_header(out, flat, opt);
  if (!e.empty() || !out) {
    std::fprintf(stderr, "trees_gen_models: %s: %s\n", name, e.empty() ? "cannot write" : e.c_str());
    return false;
  }
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: trees_gen_models DATA_DIR OUT_DIR\n");
    return 2;
  }
  const std::string data = argv[1], out = argv[2];
  const auto cancer = test_trees::load_split(data + "/breast_cancer.csv", 2);
  const auto wine = test_trees::load_split(data + "/wine_data.csv", 3);
  if (!cancer.ok || !wine.ok) {
    std::fprintf(stderr, "trees_gen_models: cannot read the data sets in %s\n", data.c_str());
    return 1;
  }
  bool ok = emit(out, "cancer_forest", cancer_forest, test_trees::train_cancer_forest(cancer, cancer_forest),
                 "random forest, 10 trees, depth <= 8, Gini; breast cancer (even rows)");
  ok &= emit(out, "cancer_boost", cancer_boost, test_trees::train_cancer_boost(cancer, cancer_boost),
             "gradient boosting, logistic, 30 rounds, depth <= 4; breast cancer (even rows)");
  ok &= emit(out, "wine_forest", wine_forest, test_trees::train_wine_forest(wine, wine_forest),
             "random forest, 10 trees, depth <= 6, entropy; wine (even rows)");
  return ok ? 0 : 1;
}
