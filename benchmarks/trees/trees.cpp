// SPDX-License-Identifier: Apache-2.0
// Tree ensembles on the host, ctml and XGBoost's own C++ library (libxgboost-dev) in one binary,
// same data (tests/data/sklearn/breast_cancer.csv: the even rows train, the 284 odd rows are
// predicted), same models (tests/trees/reference/*.xgb.json, imported by ctml-import at build
// time and loaded by XGBoost):
//   BM_ctml_predict_{boost,forest}           Forest::predict over the 284 rows (data walk)
//   BM_ctml_inlined_{boost,forest}           trees::Inlined over the 284 rows
//   BM_ctml_int16_{boost,forest}             the int16 twin: quantize + predict_class
//   BM_xgboost_predict_{boost,forest}        XGBoost's in-place prediction over the 284 rows (one
//                                            XGBoosterPredictFromDense call; no prediction cache,
//                                            as a new input would be)
//   BM_ctml_train_boost, BM_xgboost_train_boost   20 rounds of depth-3 logistic boosting on the
//                                            285 training rows (XGBoost: tree_method=exact,
//                                            nthread=1; ctml's trainer gives the same trees)
// Times are per batch (per training); scripts/bench_trees.sh prints per-row figures and ratios.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <ctml/trees/gradient_boosting.hpp>
#include <ctml/trees/inlined.hpp>

#include "breast_cancer_logistic.hpp"
#include "breast_cancer_rf.hpp"

#if CTML_HAVE_XGBOOST
#include <xgboost/c_api.h>
#endif

namespace {

struct Data {
  std::vector<float> xtr, xte, ytr;
  std::vector<std::int32_t> ltr;
  std::size_t features = 30;
  Data() {
    std::ifstream in(std::string(CTML_SOURCE_DIR) + "/tests/data/sklearn/breast_cancer.csv");
    std::string line;
    std::getline(in, line);
    for (std::size_t r = 0; std::getline(in, line); ++r) {
      std::stringstream s(line);
      std::string v;
      std::vector<float> row;
      while (std::getline(s, v, ',')) row.push_back(std::stof(v));
      auto& x = r % 2 == 0 ? xtr : xte;
      x.insert(x.end(), row.begin(), row.end() - 1);
      if (r % 2 == 0) {
        ytr.push_back(row.back());
        ltr.push_back(static_cast<std::int32_t>(row.back()));
      }
    }
  }
  std::size_t test_rows() const { return xte.size() / features; }
};
const Data& data() {
  static const Data d;
  return d;
}

template <const auto& M>
void predict_all(benchmark::State& state) {
  const Data& d = data();
  float out = 0, sum = 0;
  for (auto _ : state) {
    for (std::size_t r = 0; r < d.test_rows(); ++r) {
      M.predict(d.xte.data() + r * d.features, &out);
      sum += out;
    }
    benchmark::DoNotOptimize(sum);
  }
}

template <const auto& M>
void inlined_all(benchmark::State& state) {
  const Data& d = data();
  float out = 0, sum = 0;
  for (auto _ : state) {
    for (std::size_t r = 0; r < d.test_rows(); ++r) {
      ctml::trees::Inlined<M>::predict(d.xte.data() + r * d.features, &out);
      sum += out;
    }
    benchmark::DoNotOptimize(sum);
  }
}

template <const auto& QM, const auto& Q>
void int16_all(benchmark::State& state) {
  const Data& d = data();
  std::size_t ones = 0;
  std::int16_t q[30];
  for (auto _ : state) {
    for (std::size_t r = 0; r < d.test_rows(); ++r) {
      Q(d.xte.data() + r * d.features, q);
      ones += QM.predict_class(q);
    }
    benchmark::DoNotOptimize(ones);
  }
}

void BM_ctml_predict_boost(benchmark::State& s) { predict_all<breast_cancer_logistic::model>(s); }
void BM_ctml_predict_forest(benchmark::State& s) { predict_all<breast_cancer_rf::model>(s); }
void BM_ctml_inlined_boost(benchmark::State& s) { inlined_all<breast_cancer_logistic::model>(s); }
void BM_ctml_inlined_forest(benchmark::State& s) { inlined_all<breast_cancer_rf::model>(s); }
void BM_ctml_int16_boost(benchmark::State& s) { int16_all<breast_cancer_logistic::qmodel, breast_cancer_logistic::quantizer>(s); }
void BM_ctml_int16_forest(benchmark::State& s) { int16_all<breast_cancer_rf::qmodel, breast_cancer_rf::quantizer>(s); }
BENCHMARK(BM_ctml_predict_boost);
BENCHMARK(BM_ctml_predict_forest);
BENCHMARK(BM_ctml_inlined_boost);
BENCHMARK(BM_ctml_inlined_forest);
BENCHMARK(BM_ctml_int16_boost);
BENCHMARK(BM_ctml_int16_forest);

ctml::trees::Forest<ctml::trees::ForestShape<30, 1, 20, 400, 200, 1, 3>> trained;
ctml::trees::Workspace<300, 32, 2> workspace;

void BM_ctml_train_boost(benchmark::State& state) {
  const Data& d = data();
  const ctml::trees::Dataset ds{d.xtr.data(), d.ltr.size(), d.features, d.ltr.data(), nullptr, 2};
  ctml::trees::BoostOptions o;
  o.tree.max_depth = 3;
  o.rounds = 20;
  for (auto _ : state) {
    const auto r = ctml::trees::train_gradient_boosting(ds, o, trained, workspace);
    if (!r) state.SkipWithError(r.error);
    benchmark::DoNotOptimize(trained.node_count);
  }
  state.SetLabel("static_bytes=" + std::to_string(sizeof(trained) + sizeof(workspace)));
}
BENCHMARK(BM_ctml_train_boost);

#if CTML_HAVE_XGBOOST
struct Booster {
  BoosterHandle h = nullptr;
  explicit Booster(const char* model) {
    XGBoosterCreate(nullptr, 0, &h);
    XGBoosterSetParam(h, "nthread", "1");
    if (XGBoosterLoadModel(h, (std::string(CTML_SOURCE_DIR) + "/tests/trees/reference/" + model).c_str()) != 0) {
      XGBoosterFree(h);
      h = nullptr;
    }
  }
  ~Booster() {
    if (h) XGBoosterFree(h);
  }
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
};

void xgb_predict(benchmark::State& state, const char* model) {
  Booster b(model);
  if (!b.h) {
    state.SkipWithError("XGBoosterLoadModel failed");
    return;
  }
  const Data& d = data();
  // __array_interface__ of the held-out rows, and the prediction config (type 0: the output).
  const std::string values = "{\"data\": [" + std::to_string(reinterpret_cast<std::uintptr_t>(d.xte.data())) + ", true], \"shape\": [" +
                             std::to_string(d.test_rows()) + ", " + std::to_string(d.features) + "], \"typestr\": \"<f4\", \"version\": 3}";
  const char* config = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false, \"cache_id\": 0, \"missing\": NaN}";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  for (auto _ : state) {
    if (XGBoosterPredictFromDense(b.h, values.c_str(), config, nullptr, &shape, &dim, &out) != 0) {
      state.SkipWithError(XGBGetLastError());
      return;
    }
    benchmark::DoNotOptimize(out);
  }
  // The same probabilities as ctml's (the ctest suite checks 1e-6; here a spot check).
  float p = 0;
  const std::string name = model;
  if (name.find("rf") != std::string::npos) breast_cancer_rf::model.predict(d.xte.data(), &p);
  else breast_cancer_logistic::model.predict(d.xte.data(), &p);
  if (dim < 1 || shape[0] != d.test_rows() || std::fabs(out[0] - p) > 1e-6f) state.SkipWithError("XGBoost's prediction differs from ctml's");
}
void BM_xgboost_predict_boost(benchmark::State& s) { xgb_predict(s, "breast_cancer_logistic.xgb.json"); }
void BM_xgboost_predict_forest(benchmark::State& s) { xgb_predict(s, "breast_cancer_rf.xgb.json"); }
BENCHMARK(BM_xgboost_predict_boost);
BENCHMARK(BM_xgboost_predict_forest);

void BM_xgboost_train_boost(benchmark::State& state) {
  const Data& d = data();
  DMatrixHandle train = nullptr;
  XGDMatrixCreateFromMat(d.xtr.data(), d.ytr.size(), d.features, NAN, &train);
  XGDMatrixSetFloatInfo(train, "label", d.ytr.data(), d.ytr.size());
  for (auto _ : state) {
    BoosterHandle h = nullptr;
    XGBoosterCreate(&train, 1, &h);
    for (const auto& [k, v] : {std::pair{"nthread", "1"}, {"tree_method", "exact"}, {"objective", "binary:logistic"}, {"max_depth", "3"},
                               {"eta", "0.3"}, {"base_score", "0.5"}})
      XGBoosterSetParam(h, k, v);
    for (int round = 0; round < 20; ++round) XGBoosterUpdateOneIter(h, round, train);
    XGBoosterFree(h);
  }
  XGDMatrixFree(train);
}
BENCHMARK(BM_xgboost_train_boost);
#endif

}  // namespace
