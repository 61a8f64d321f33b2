// SPDX-License-Identifier: Apache-2.0
// Decision-tree ensembles on Cortex-M under QEMU: two XGBoost models of the breast-cancer data
// (tests/trees/reference: gradient boosting, 20 trees of depth 3; XGBoost's random-forest mode,
// 10 trees of depth <= 6) imported by ctml-import as constexpr flat arrays in flash, run on the
// 284 held-out rows:
//   float   model.predict: every probability within 2e-6 of XGBoost's own prediction (host)
//   int16   quantizer + qmodel.predict_class: integer thresholds, no float in the traversal;
//           the same class as the float model on every row
//   inlined ctml::trees::Inlined: the same data expanded by the compiler into nested comparisons,
//           float and int16 thresholds
//   if-else the peer: the trees as a straightforward tree-to-C generator writes them (nested ifs
//           on float features, the thresholds as constants; written here by template recursion)
// All margins must agree bit for bit (float) and all classes (int16). Output: per model the
// instructions per margin of each form and flash bytes; then "fw_trees ... ok".
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>

#include <ctml/trees/inlined.hpp>

#include "board.hpp"
#include "breast_cancer_logistic.hpp"
#include "breast_cancer_rf.hpp"
#include "cancer_rows.hpp"

namespace {
bool ok = true;

// The generated-code form: each tree a nested if-else over its constexpr nodes (always inlined:
// thresholds and leaf values become immediates or literal-pool constants).
template <const auto& M, auto Child>
[[gnu::always_inline]] inline float tree_if_else(const float* x) {
  if constexpr (Child < 0) {
    return M.leaf_value[static_cast<std::size_t>(~Child)];
  } else {
    if (x[M.feature[Child]] < M.threshold[Child]) return tree_if_else<M, M.left[Child]>(x);
    return tree_if_else<M, M.right[Child]>(x);
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
  using Data = Model;
  static_assert(Model::outputs == 1, "fw_trees runs binary models");
  std::uint64_t n_predict = 0, n_data = 0, n_inlined = 0, n_quant = 0, n_qdata = 0, n_qinlined = 0, n_if = 0;
  std::size_t close = 0, same = 0, correct = 0;
  float worst = 0;
  for (std::size_t r = 0; r < rows::count; ++r) {
    const float* x = rows::x[r];
    float p = 0, m_data = 0, m_inlined = 0, m_if = 0;
    // (opaque/keep: results that stay in registers cannot leave the counted region; board.hpp)
    n_predict += board::count_instructions([&] { M.predict(board::opaque(x), &p); board::keep(p); });
    const float d = std::fabs(p - ref[r]);
    worst = d > worst ? d : worst;
    close += d <= 2e-6f;
    n_data += board::count_instructions([&] { M.decision_function(board::opaque(x), &m_data); board::keep(m_data); });
    n_inlined += board::count_instructions([&] { ctml::trees::Inlined<M>::decision_function(board::opaque(x), &m_inlined); board::keep(m_inlined); });
    n_if += board::count_instructions([&] { m_if = margin_if_else<M>(board::opaque(x), std::make_index_sequence<Data::trees>{}); board::keep(m_if); });
    std::int16_t q[Model::features];
    n_quant += board::count_instructions([&] { Q(board::opaque(x), q); board::keep(q); });
    std::size_t c_data = 0, c_inlined = 0;
    n_qdata += board::count_instructions([&] { c_data = QM.predict_class(board::opaque(&q[0])); board::keep(c_data); });
    n_qinlined += board::count_instructions([&] { c_inlined = ctml::trees::Inlined<QM>::predict_class(board::opaque(&q[0])); board::keep(c_inlined); });
    const std::size_t c = p > 0.5f ? 1u : 0u;
    same += m_data == m_inlined && m_data == m_if && c_data == c && c_inlined == c;
    correct += static_cast<std::int32_t>(c_data) == rows::label[r];
  }
  ok &= close == rows::count && same == rows::count;
  const auto per = [](std::uint64_t n) { return static_cast<std::uint32_t>(n / rows::count); };
  board::Out() << name << " (" << Model::trees << " trees, " << Model::nodes << " internal nodes, depth " << Model::depth << "), instructions per row:"
               << " predict=" << per(n_predict) << " margin data=" << per(n_data) << " inlined=" << per(n_inlined) << " if-else=" << per(n_if)
               << " | int16 quantize=" << per(n_quant) << " class data=" << per(n_qdata) << " inlined=" << per(n_qinlined)
               << "; flash float=" << sizeof(M) << " int16=" << sizeof(QM) << " bytes; within 2e-6 of XGBoost " << close << "/" << rows::count
               << " (worst " << board::fixed(worst * 1e6f, 2) << "e-6), forms agree " << same << "/" << rows::count << ", accuracy " << correct
               << "/" << rows::count << '\n';
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
