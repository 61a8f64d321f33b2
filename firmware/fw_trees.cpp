// SPDX-License-Identifier: Apache-2.0
// Decision-tree ensembles on Cortex-M under QEMU: two XGBoost models of the breast-cancer data
// (tests/trees/reference: gradient boosting, 20 trees of depth 3; XGBoost's random-forest mode,
// 10 trees of depth <= 6) imported by ctml-import as constexpr flat arrays in flash, run on the
// 284 held-out rows:
//   float   model.predict: every probability within 2e-6 of XGBoost's own prediction (host)
//   int16   quantizer + qmodel.predict_class: integer thresholds, no float in the traversal;
//           the same class as the float model on every row
//   if-else the same trees expanded by the compiler into nested ifs with the thresholds as
//           constants (what a tree-to-C generator writes): the same sums, for the instruction
//           comparison
// Output: per model the instructions per prediction of each form, flash bytes; then
// "fw_trees ... ok".
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "board.hpp"
#include "breast_cancer_logistic.hpp"
#include "breast_cancer_rf.hpp"
#include "cancer_rows.hpp"

namespace {
bool ok = true;

// The generated-code form: each tree a nested if-else over its constexpr nodes (always inlined:
// thresholds and leaf values become immediates or literal-pool constants).
template <const auto& M, std::size_t Node>
[[gnu::always_inline]] inline float tree_if_else(const float* x) {
  if constexpr (M.feature[Node] == M.leaf) {
    return M.leaf_value[M.next[Node]];
  } else {
    if (x[M.feature[Node]] < M.threshold[Node]) return tree_if_else<M, Node + 1>(x);
    return tree_if_else<M, Node + M.next[Node]>(x);
  }
}
// The margin: base, then the trees in order (the same float additions as Forest::accumulate).
template <const auto& M, std::size_t... T>
float margin_if_else(const float* x, std::index_sequence<T...>) {
  float m = M.base[0];
  ((m += tree_if_else<M, M.root[T]>(x)), ...);
  return m;
}

template <const auto& M, const auto& QM, const auto& Q>
void run(const char* name, const float (&ref)[rows::count]) {
  using Model = std::remove_cvref_t<decltype(M)>;
  static_assert(Model::outputs == 1, "fw_trees runs binary models");
  std::uint64_t n_float = 0, n_quant = 0, n_class = 0, n_if = 0;
  std::size_t close = 0, same_class = 0, same_if = 0, correct = 0;
  float worst = 0;
  for (std::size_t r = 0; r < rows::count; ++r) {
    const float* x = rows::x[r];
    float p = 0;
    n_float += board::count_instructions([&] { M.predict(x, &p); });
    const float d = std::fabs(p - ref[r]);
    worst = d > worst ? d : worst;
    close += d <= 2e-6f;
    std::int16_t q[Model::features];
    n_quant += board::count_instructions([&] { Q(x, q); });
    std::size_t c = 0;
    n_class += board::count_instructions([&] { c = QM.predict_class(q); });
    same_class += c == (p > 0.5f ? 1u : 0u);
    correct += static_cast<std::int32_t>(c) == rows::label[r];
    float m = 0;
    n_if += board::count_instructions([&] { m = margin_if_else<M>(x, std::make_index_sequence<Model::trees>{}); });
    float margin = 0;
    M.decision_function(x, &margin);
    same_if += m == margin;
  }
  ok &= close == rows::count && same_class == rows::count && same_if == rows::count;
  const auto per = [](std::uint64_t n) { return static_cast<std::uint32_t>(n / rows::count); };
  board::Out() << name << " (" << Model::trees << " trees, " << Model::nodes << " nodes, depth " << Model::depth << "): float predict="
               << per(n_float) << " int16 quantize=" << per(n_quant) << " int16 predict_class=" << per(n_class)
               << " if-else margin=" << per(n_if) << " instructions; flash float=" << sizeof(M) << " int16=" << sizeof(QM)
               << " bytes; within 2e-6 of XGBoost " << close << "/" << rows::count << " (worst " << board::fixed(worst * 1e6f, 2)
               << "e-6), int16 class as float " << same_class << "/" << rows::count << ", accuracy " << correct << "/" << rows::count
               << '\n';
}
}  // namespace

int main() {
  board::counter_start();
  run<breast_cancer_logistic::model, breast_cancer_logistic::qmodel, breast_cancer_logistic::quantizer>("boosted trees",
                                                                                                      rows::boost_ref);
  run<breast_cancer_rf::model, breast_cancer_rf::qmodel, breast_cancer_rf::quantizer>("random forest", rows::forest_ref);
  board::Out() << "fw_trees (" << board::name << ", XGBoost models imported by ctml-import): "
               << (ok ? "predictions as XGBoost's ok\n" : "FAILED: predictions differ\n");
  return ok ? 0 : 1;
}
