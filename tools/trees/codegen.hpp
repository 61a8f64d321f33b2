// SPDX-License-Identifier: Apache-2.0
#pragma once
// Host-side tooling, outside include/ (the library itself allocates nothing): a trained or imported
// ensemble as a C++ header of constexpr data, its Forest type sized exactly.
//
//   trees::FlatForest flat = trees::flatten(trained);     // or an importer's result (ctml-import)
//   trees::write_header(std::cout, flat, {.name = "my_model"});
//
// The header defines, in namespace NAME: `Model` (Forest<ForestShape<features, outputs, trees,
// nodes, leaf rows, leaf width, depth>>), `inline constexpr Model model`, a static_assert that
// the arrays are valid, and a comment with the sizes and flash bytes; identical leaf rows are
// stored once. With a feature quantizer (HeaderOptions::quantizer_*) also `QModel` /
// `qmodel` (integer thresholds, computed by the compiler from `model`) and `quantizer`.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <map>
#include <utility>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>
#include <ctml/trees/forest.hpp>

namespace ctml::trees {

// An ensemble in Forest's layout with run-time sizes (internal nodes only; a child c < 0 is the
// leaf row ~c).
struct FlatForest {
  std::size_t features = 0, outputs = 0, leaf_width = 1;
  std::vector<std::uint32_t> feature;
  std::vector<float> threshold;
  std::vector<std::int32_t> left, right;
  std::vector<std::int32_t> root;
  std::vector<std::uint32_t> group;
  std::vector<float> leaf_value;  // rows of leaf_width
  std::vector<float> base;        // outputs values
  float scale = 1.0f;
  Link link = Link::identity;
  std::string description;  // one line for the header's comment (objective, origin)

  std::size_t leaves() const { return leaf_width ? leaf_value.size() / leaf_width : 0; }

  // The deepest leaf's depth (comparisons on its path); 0 for single-leaf trees. Call on checked
  // arrays.
  std::size_t depth() const {
    std::size_t deepest = 0;
    for (std::int32_t r : root) deepest = std::max(deepest, depth_from(r));
    return deepest;
  }

  // Why the arrays cannot be a model (empty when they can): the checks of Forest::valid, with
  // the node that fails.
  std::string check() const {
    const std::size_t n = feature.size();
    if (features == 0 || outputs == 0 || root.empty()) return "no features, outputs or trees";
    if (threshold.size() != n || left.size() != n || right.size() != n || group.size() != root.size()) return "array sizes disagree";
    if (leaf_width != 1 && leaf_width != outputs) return "leaf width is neither 1 nor the output count";
    if (leaf_value.size() % leaf_width != 0 || leaf_value.empty()) return "leaf values are not whole rows";
    if (base.size() != outputs) return "base has not one value per output";
    std::vector<char> seen(n, 0);
    std::size_t reached = 0;
    for (std::size_t t = 0; t < root.size(); ++t) {
      if (group[t] + leaf_width > outputs) return "tree " + std::to_string(t) + ": output group out of range";
      // Iterative (a hostile model cannot exhaust the stack): (child, depth) pairs.
      std::vector<std::pair<std::int32_t, std::size_t>> todo{{root[t], 0}};
      while (!todo.empty()) {
        const auto [c, d] = todo.back();
        todo.pop_back();
        if (c < 0) {
          if (static_cast<std::size_t>(~c) >= leaves()) return "tree " + std::to_string(t) + ": a leaf row past the leaf values";
          continue;
        }
        const auto i = static_cast<std::size_t>(c);
        if (i >= n) return "tree " + std::to_string(t) + ": child " + std::to_string(i) + " out of range";
        if (seen[i]) return "tree " + std::to_string(t) + ": node " + std::to_string(i) + " reached twice (a cycle or a shared node)";
        if (d >= 64) return "tree " + std::to_string(t) + ": deeper than 64";
        if (feature[i] >= features) return "node " + std::to_string(i) + ": feature out of range";
        seen[i] = 1;
        ++reached;
        todo.push_back({right[i], d + 1});
        todo.push_back({left[i], d + 1});
      }
    }
    if (reached != n) return "nodes not reachable from any root";
    return {};
  }

  // Stores identical leaf rows once (a forest's pure leaves repeat the same probabilities).
  void share_leaves() {
    std::map<std::vector<float>, std::int32_t> seen;
    std::vector<float> rows;
    std::vector<std::int32_t> remap(leaves());
    for (std::size_t l = 0; l < leaves(); ++l) {
      std::vector<float> row(leaf_value.begin() + static_cast<std::ptrdiff_t>(l * leaf_width),
                             leaf_value.begin() + static_cast<std::ptrdiff_t>((l + 1) * leaf_width));
      auto [it, fresh] = seen.emplace(row, static_cast<std::int32_t>(rows.size() / leaf_width));
      if (fresh) rows.insert(rows.end(), row.begin(), row.end());
      remap[l] = it->second;
    }
    auto fix = [&](std::int32_t& c) {
      if (c < 0) c = ~remap[static_cast<std::size_t>(~c)];
    };
    for (auto& c : left) fix(c);
    for (auto& c : right) fix(c);
    for (auto& c : root) fix(c);
    leaf_value = std::move(rows);
  }

 private:
  std::size_t depth_from(std::int32_t c) const {
    if (c < 0) return 0;
    const auto i = static_cast<std::size_t>(c);
    return 1 + std::max(depth_from(left[i]), depth_from(right[i]));
  }
};

// A trained Forest (its used part) as a FlatForest.
template <class Model>
FlatForest flatten(const Model& m) {
  static_assert(std::is_same_v<typename Model::threshold_type, float> && std::is_same_v<typename Model::leaf_type, float>,
                "flatten reads float models (quantize in the generated header)");
  FlatForest f;
  f.features = Model::features;
  f.outputs = Model::outputs;
  f.leaf_width = Model::leaf_width;
  for (std::size_t i = 0; i < m.node_count; ++i) {
    f.feature.push_back(m.feature[i]);
    f.threshold.push_back(m.threshold[i]);
    f.left.push_back(m.left[i]);
    f.right.push_back(m.right[i]);
  }
  for (std::size_t t = 0; t < m.tree_count; ++t) {
    f.root.push_back(m.root[t]);
    f.group.push_back(m.group[t]);
  }
  f.leaf_value.assign(m.leaf_value.begin(), m.leaf_value.begin() + static_cast<std::ptrdiff_t>(m.leaf_count * Model::leaf_width));
  f.base.assign(m.base.begin(), m.base.end());
  f.scale = m.scale;
  f.link = m.link;
  return f;
}

struct HeaderOptions {
  std::string name = "model";  // the namespace
  // Optional integer features and thresholds (trees/quantize.hpp): "int16" or "int8"; empty:
  // float only. The quantizer: one scale and zero point per feature, or, when these are empty,
  // quantizer_from_thresholds (from the model alone).
  std::string quantizer_type;
  std::vector<float> quantizer_scale;
  std::vector<std::int32_t> quantizer_zero_point;
};

namespace detail {
inline std::string float_literal(float v) {
  if (v != v) return "__builtin_nanf(\"\")";
  if (v == std::numeric_limits<float>::infinity()) return "__builtin_inff()";
  if (v == -std::numeric_limits<float>::infinity()) return "-__builtin_inff()";
  std::ostringstream s;
  s << std::setprecision(9) << v;
  std::string t = s.str();
  if (t.find_first_of(".eE") == std::string::npos) t += ".0";
  return t + "f";
}
template <class V, class Fn>
void write_array(std::ostream& o, const char* member, const std::vector<V>& v, Fn fmt) {
  o << "  m." << member << " = {";
  for (std::size_t i = 0; i < v.size(); ++i) o << (i % 16 == 0 ? "\n      " : " ") << fmt(v[i]) << (i + 1 < v.size() ? "," : "");
  o << "};\n";
}
}  // namespace detail

// Writes the header; returns the reason when the arrays cannot be a model (nothing written).
inline std::string write_header(std::ostream& o, FlatForest f, const HeaderOptions& opt) {
  if (std::string e = f.check(); !e.empty()) return e;
  f.share_leaves();
  const std::size_t depth = f.depth(), nodes = f.feature.size(), trees = f.root.size(), leaves = f.leaves();
  const char* link = f.link == Link::logistic ? "logistic" : (f.link == Link::softmax ? "softmax" : "identity");
  const std::string shape = "ctml::trees::ForestShape<" + std::to_string(f.features) + ", " + std::to_string(f.outputs) + ", " +
                            std::to_string(trees) + ", " + std::to_string(nodes) + ", " + std::to_string(leaves) + ", " +
                            std::to_string(f.leaf_width) + ", " + std::to_string(depth) + ">";
  const bool quant = !opt.quantizer_type.empty();
  if (quant && (opt.quantizer_type != "int16" && opt.quantizer_type != "int8")) return "quantizer type is int16 or int8";
  const bool given = !opt.quantizer_scale.empty() || !opt.quantizer_zero_point.empty();
  if (quant && given && (opt.quantizer_scale.size() != f.features || opt.quantizer_zero_point.size() != f.features))
    return "the quantizer needs one scale and zero point per feature";
  o << "// Generated by ctml (tools/trees/codegen.hpp). Do not edit.\n";
  if (!f.description.empty()) o << "// " << f.description << "\n";
  o << "// " << trees << " trees, " << nodes << " internal nodes, " << leaves << " leaf rows of " << f.leaf_width << ", depth " << depth << "; "
    << f.features << " features, " << f.outputs << " outputs, link " << link << ".\n"
    << "// Use: " << opt.name << "::model.predict(features, out) (out: " << f.outputs
    << (f.link == Link::identity ? " values" : " probabilities") << "), " << opt.name << "::model.predict_class(features).\n"
    << "#pragma once\n#include <cstdint>\n#include <ctml/trees/forest.hpp>\n";
  if (quant) o << "#include <ctml/trees/quantize.hpp>\n";
  o << "\nnamespace " << opt.name << " {\n\nusing Model = ctml::trees::Forest<" << shape << ">;\n\n"
    << "inline constexpr Model model = [] {\n  Model m{};\n";
  const auto u = [](std::uint32_t v) { return std::to_string(v); };
  const auto i = [](std::int32_t v) { return std::to_string(v); };
  const auto fl = [](float v) { return detail::float_literal(v); };
  if (nodes > 0) {  // (an array of zero nodes stays as the Model's default)
    detail::write_array(o, "feature", f.feature, u);
    detail::write_array(o, "threshold", f.threshold, fl);
    detail::write_array(o, "left", f.left, i);
    detail::write_array(o, "right", f.right, i);
  }
  detail::write_array(o, "root", f.root, i);
  detail::write_array(o, "group", f.group, u);
  detail::write_array(o, "leaf_value", f.leaf_value, fl);
  detail::write_array(o, "base", f.base, fl);
  o << "  m.scale = " << fl(f.scale) << ";\n  m.link = ctml::trees::Link::" << link << ";\n  return m;\n}();\n"
    << "static_assert(model.valid(), \"" << opt.name << ": the tree arrays are not a valid model\");\n"
    << "inline constexpr std::size_t flash_bytes = sizeof(Model);  // the stored model (Model::flash_bytes: its arrays)\n";
  if (quant) {
    const std::string q = opt.quantizer_type == "int16" ? "std::int16_t" : "std::int8_t";
    o << "\n// Integer features and thresholds (trees/quantize.hpp): quantizer(x, q); qmodel.predict(q, out).\n";
    if (given) {
      o << "inline constexpr ctml::trees::FeatureQuantizer<" << q << ", " << f.features << "> quantizer = [] {\n"
        << "  ctml::trees::FeatureQuantizer<" << q << ", " << f.features << "> m{};\n";
      detail::write_array(o, "scale", opt.quantizer_scale, fl);
      detail::write_array(o, "zero_point", opt.quantizer_zero_point, [](std::int32_t v) { return std::to_string(v); });
      o << "  return m;\n}();\n";
    } else {
      o << "inline constexpr auto quantizer = ctml::trees::quantizer_from_thresholds<" << q << ">(model);\n";
    }
    o
      << "using QModel = ctml::trees::Forest<" << shape << ", " << q << ", float>;\n"
      << "inline constexpr QModel qmodel = ctml::trees::quantize<" << q << ", float>(model, quantizer);\n"
      << "static_assert(qmodel.valid());\n";
  }
  o << "\n}  // namespace " << opt.name << "\n";
  return {};
}

}  // namespace ctml::trees
