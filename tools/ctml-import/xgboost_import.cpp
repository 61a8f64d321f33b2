// SPDX-License-Identifier: Apache-2.0
#include "xgboost_import.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

#include "json.hpp"

namespace ctml::xgboost {

namespace {

using json::Value;

struct Fail {
  std::string message;
};

const Value& member(const Value& v, const char* key, const std::string& where) {
  const Value* m = v.type == Value::Type::object ? v.find(key) : nullptr;
  if (!m) throw Fail{where + ": no \"" + key + "\""};
  return *m;
}

std::int64_t integer(const Value& v, const std::string& what) {
  const auto i = v.as_int();
  if (!i) throw Fail{what + " is not an integer"};
  return *i;
}

std::vector<std::int64_t> int_array(const Value& tree, const char* key, std::size_t n, const std::string& where) {
  const Value& a = member(tree, key, where);
  if (a.type != Value::Type::array || a.items.size() != n)
    throw Fail{where + ": \"" + key + "\" is not an array of num_nodes (" + std::to_string(n) + ") values"};
  std::vector<std::int64_t> out;
  out.reserve(n);
  for (const Value& v : a.items) out.push_back(integer(v, where + ": an element of \"" + key + "\""));
  return out;
}

std::vector<float> float_array(const Value& tree, const char* key, std::size_t n, const std::string& where) {
  const Value& a = member(tree, key, where);
  if (a.type != Value::Type::array || a.items.size() != n)
    throw Fail{where + ": \"" + key + "\" is not an array of num_nodes (" + std::to_string(n) + ") values"};
  std::vector<float> out;
  out.reserve(n);
  for (const Value& v : a.items) {
    const auto f = v.as_float();
    if (!f || !std::isfinite(*f)) throw Fail{where + ": an element of \"" + key + "\" is not a finite number"};
    out.push_back(*f);
  }
  return out;
}

// One XGBoost tree (node 0 the root, children by index) appended to f in preorder.
void append_tree(const Value& tree, std::size_t t, std::size_t features, trees::FlatForest& f) {
  const std::string where = "tree " + std::to_string(t);
  const Value& param = member(tree, "tree_param", where);
  const std::int64_t nodes = integer(member(param, "num_nodes", where + " tree_param"), where + ": num_nodes");
  if (nodes < 1 || nodes > (1 << 24)) throw Fail{where + ": num_nodes " + std::to_string(nodes) + " out of range"};
  if (const Value* v = param.find("size_leaf_vector"); v && v->as_int().value_or(0) > 1)
    throw Fail{where + ": vector leaves (multi-target trees) are not supported"};
  const auto n = static_cast<std::size_t>(nodes);
  const auto left = int_array(tree, "left_children", n, where);
  const auto right = int_array(tree, "right_children", n, where);
  const auto split = int_array(tree, "split_indices", n, where);
  const auto cond = float_array(tree, "split_conditions", n, where);
  if (const Value* st = tree.find("split_type")) {
    if (st->type != Value::Type::array || st->items.size() != n) throw Fail{where + ": \"split_type\" is not an array of num_nodes values"};
    for (std::size_t i = 0; i < n; ++i)
      if (st->items[i].as_int().value_or(-1) != 0) throw Fail{where + ": node " + std::to_string(i) + " is a categorical split (not supported)"};
  }
  std::vector<char> seen(n, 0);
  // Iterative preorder (an explicit stack: a hostile file cannot overflow the call stack). Each
  // item is an XGBoost node and where its ctml child index goes: the tree's root (parent -1) or
  // its parent's left / right.
  struct Item {
    std::size_t node, depth;
    std::int64_t parent;
    bool is_right;
  };
  f.root.push_back(0);
  std::vector<Item> stack{{0, 0, -1, false}};
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    const std::size_t i = it.node;
    if (seen[i]) throw Fail{where + ": node " + std::to_string(i) + " is reached twice (a cycle or a shared child)"};
    seen[i] = 1;
    if (it.depth > 64) throw Fail{where + ": deeper than 64"};
    std::int32_t child = 0;
    if (left[i] == -1 && right[i] == -1) {
      child = ~static_cast<std::int32_t>(f.leaf_value.size());
      f.leaf_value.push_back(cond[i]);
    } else {
      if (left[i] < 1 || right[i] < 1 || left[i] >= nodes || right[i] >= nodes || left[i] == right[i])
        throw Fail{where + ": node " + std::to_string(i) + " has children out of range"};
      if (split[i] < 0 || static_cast<std::size_t>(split[i]) >= features)
        throw Fail{where + ": node " + std::to_string(i) + " tests feature " + std::to_string(split[i]) + ", beyond num_feature " +
                   std::to_string(features)};
      child = static_cast<std::int32_t>(f.feature.size());
      f.feature.push_back(static_cast<std::uint32_t>(split[i]));
      f.threshold.push_back(cond[i]);
      f.left.push_back(0);  // set when the children are emitted
      f.right.push_back(0);
    }
    if (it.parent < 0) f.root.back() = child;
    else (it.is_right ? f.right : f.left)[static_cast<std::size_t>(it.parent)] = child;
    if (child >= 0) {  // left first in preorder: push right, then left
      stack.push_back({static_cast<std::size_t>(right[i]), it.depth + 1, child, true});
      stack.push_back({static_cast<std::size_t>(left[i]), it.depth + 1, child, false});
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!seen[i]) throw Fail{where + ": node " + std::to_string(i) + " is not reachable from the root"};
}

}  // namespace

bool looks_like_xgboost_json(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) ++i;
  return i < text.size() && text[i] == '{' && text.find("\"learner\"") != std::string_view::npos;
}

ImportResult import_model(std::string_view text) {
  json::Error err;
  const auto doc = json::parse(text, err);
  if (!doc) return {std::nullopt, "not valid JSON at byte " + std::to_string(err.offset) + ": " + err.message};
  try {
    const Value& learner = member(*doc, "learner", "the model");
    const Value& mp = member(learner, "learner_model_param", "learner");
    const std::int64_t features = integer(member(mp, "num_feature", "learner_model_param"), "num_feature");
    if (features < 1 || features > 65535) throw Fail{"num_feature " + std::to_string(features) + " out of range (1 .. 65535)"};
    if (const Value* nt = mp.find("num_target"); nt && nt->as_int().value_or(1) != 1)
      throw Fail{"multi-target models (num_target > 1) are not supported"};
    const auto base_score = member(mp, "base_score", "learner_model_param").as_float();
    if (!base_score || !std::isfinite(*base_score)) throw Fail{"base_score is not a number"};
    std::int64_t num_class = 0;
    if (const Value* nc = mp.find("num_class")) num_class = nc->as_int().value_or(0);

    const Value& objective = member(learner, "objective", "learner");
    const Value& oname = member(objective, "name", "objective");
    const std::string obj = oname.text;
    trees::FlatForest f;
    f.features = static_cast<std::size_t>(features);
    float base = *base_score;
    if (obj == "binary:logistic" || obj == "reg:logistic" || obj == "binary:logitraw") {
      if (!(base > 0.0f && base < 1.0f)) throw Fail{obj + ": base_score " + std::to_string(base) + " is not a probability"};
      base = -std::log(1.0f / base - 1.0f);  // XGBoost's ProbToMargin, in float
      f.outputs = 1;
      f.link = obj == "binary:logitraw" ? trees::Link::identity : trees::Link::logistic;
    } else if (obj == "reg:squarederror" || obj == "reg:linear") {
      f.outputs = 1;
      f.link = trees::Link::identity;
    } else if (obj == "multi:softprob" || obj == "multi:softmax") {
      if (num_class < 2 || num_class > 255) throw Fail{obj + ": num_class " + std::to_string(num_class) + " out of range (2 .. 255)"};
      f.outputs = static_cast<std::size_t>(num_class);
      f.link = trees::Link::softmax;
    } else {
      throw Fail{"objective \"" + obj +
                 "\" is not supported (supported: binary:logistic, reg:logistic, binary:logitraw, reg:squarederror, multi:softprob, "
                 "multi:softmax)"};
    }
    f.base.assign(f.outputs, base);
    f.leaf_width = 1;

    const Value& gb = member(learner, "gradient_booster", "learner");
    const Value& gname = member(gb, "name", "gradient_booster");
    if (gname.text != "gbtree")
      throw Fail{"booster \"" + gname.text + "\" is not supported (gbtree only; dart weights its trees, gblinear has none)"};
    const Value& model = member(gb, "model", "gradient_booster");
    const Value& trees_v = member(model, "trees", "gbtree model");
    const Value& info = member(model, "tree_info", "gbtree model");
    if (trees_v.type != Value::Type::array || trees_v.items.empty()) throw Fail{"the model has no trees"};
    if (info.type != Value::Type::array || info.items.size() != trees_v.items.size())
      throw Fail{"tree_info does not give one output group per tree"};
    for (std::size_t t = 0; t < trees_v.items.size(); ++t) {
      const std::int64_t g = integer(info.items[t], "tree_info[" + std::to_string(t) + "]");
      if (g < 0 || static_cast<std::size_t>(g) >= f.outputs) throw Fail{"tree " + std::to_string(t) + ": output group out of range"};
      f.group.push_back(static_cast<std::uint32_t>(g));
      append_tree(trees_v.items[t], t, f.features, f);
    }
    f.description = "XGBoost " + obj + ", " + std::to_string(trees_v.items.size()) + " trees";
    if (std::string e = f.check(); !e.empty()) throw Fail{"the trees do not form a valid model: " + e};
    return {std::move(f), {}};
  } catch (const Fail& e) {
    return {std::nullopt, e.message};
  }
}

}  // namespace ctml::xgboost
