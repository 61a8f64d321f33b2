// SPDX-License-Identifier: Apache-2.0
#pragma once
// XGBoost models (the JSON that xgboost's save_model / the xgboost command line's model_out
// writes, 1.x and 2.x) as a trees::FlatForest for trees::write_header. Tree ensembles of
// numerical splits ("gbtree", any num_parallel_tree) with the objectives
//   binary:logistic, reg:logistic        logistic link, 1 output (the probability of class 1)
//   binary:logitraw                      identity link, 1 output (the margin)
//   reg:squarederror, reg:linear         identity link, 1 output (the value)
//   multi:softprob, multi:softmax        softmax link, num_class outputs (class probabilities;
//                                        predict_class is multi:softmax's label)
// Everything else is refused with the reason: other objectives (name them), dart and gblinear
// boosters, categorical splits, vector leaves, and any malformed tree (children out of range or
// shared, a cycle, a feature index beyond num_feature, array sizes that disagree).
#include <optional>
#include <string>
#include <string_view>
#include "trees/codegen.hpp"

namespace ctml::xgboost {

// A JSON object that holds a "learner" (what XGBoost writes); cheap, before parsing.
bool looks_like_xgboost_json(std::string_view text);

struct ImportResult {
  std::optional<trees::FlatForest> model;
  std::string error;
};

ImportResult import_model(std::string_view text);

}  // namespace ctml::xgboost
