// SPDX-License-Identifier: Apache-2.0
#pragma once
// Structured pruning: remove whole units (Dense neurons, Conv2D filters) and the matching inputs of
// the layer that consumes them. The result is a smaller *dense* type, so it needs no sparse kernel
// at all and every downstream shape shrinks with it:
//   auto [fc1, fc2] = ctml::sparse::keep_units<48>(net.layer<0>(), net.layer<2>());
//   // fc1: Dense 64 -> 48, fc2: Dense 48 -> 10; the ReLU between them becomes ReLU<48>.
// Units are ranked by the L2 (default) or L1 norm of their incoming weights and bias (keep_units<K,
// Norm::l1>); ties keep the earlier. Conv2D and Conv1D filters: keep_filters<K>(conv_a, conv_b).
// Elementwise layers between the two (ReLU, ...) carry no per-unit state and need no change.
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/dense.hpp>

namespace ctml::sparse {

// How units are ranked: L1 (sum |w|) or L2 (sum w^2) of a unit's incoming weights and bias.
enum class Norm { l1, l2 };

template <class First, class Second>
struct PrunedPair {
  First first;
  Second second;
};

namespace detail {
// Indices of the K largest scores, in ascending index order (so the kept units keep their order).
template <std::size_t K, std::size_t U, class T>
constexpr void top_k(const T (&score)[U], std::size_t (&kept)[K]) {
  ::ctml::detail::side_effect_fence();
  bool take[U]{};
  for (std::size_t i = 0; i < U; ++i) {
    std::size_t rank = 0;
    for (std::size_t j = 0; j < U; ++j)
      if (score[j] > score[i] || (score[j] == score[i] && j < i)) ++rank;
    take[i] = rank < K;
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < U; ++i)
    if (take[i]) kept[k++] = i;
}
template <Norm Nm, class T>
constexpr double norm_term(T v) {
  const double d = static_cast<double>(v);
  if constexpr (Nm == Norm::l1) return d < 0 ? -d : d;
  else return d * d;
}
}  // namespace detail

// Dense U -> Dense: keep K of the U units of `a`.
template <std::size_t K, Norm Nm = Norm::l2, class T, class In, std::size_t U, Activation A, std::size_t V, Activation B>
constexpr PrunedPair<DenseLayer<T, In, K, A>, DenseLayer<T, Shape<K>, V, B>> keep_units(
    const DenseLayer<T, In, U, A>& a, const DenseLayer<T, Shape<U>, V, B>& b) {
  ::ctml::detail::side_effect_fence();
  static_assert(K > 0 && K <= U, "ctml::sparse::keep_units<K>: keep between 1 and all units");
  constexpr std::size_t I = In::size;
  double score[U]{};
  for (std::size_t u = 0; u < U; ++u) {
    double s = detail::norm_term<Nm>(a.bias[u]);
    for (std::size_t i = 0; i < I; ++i) s += detail::norm_term<Nm>(a.weights(u, i));
    score[u] = s;
  }
  std::size_t kept[K]{};
  detail::top_k(score, kept);
  PrunedPair<DenseLayer<T, In, K, A>, DenseLayer<T, Shape<K>, V, B>> r{};
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t i = 0; i < I; ++i) r.first.weights(k, i) = a.weights(kept[k], i);
    r.first.bias[k] = a.bias[kept[k]];
    for (std::size_t v = 0; v < V; ++v) r.second.weights(v, k) = b.weights(v, kept[k]);
  }
  r.second.bias = b.bias;
  return r;
}

// Conv2D with F filters -> Conv2D: keep K filters of `a` and the matching input channels of `b`.
template <std::size_t K, Norm Nm = Norm::l2, class T, class In, std::size_t F, std::size_t KH, std::size_t KW, class Opt,
          class In2, std::size_t F2, std::size_t KH2, std::size_t KW2, class Opt2>
constexpr auto keep_filters(const Conv2DLayer<T, In, F, KH, KW, Opt>& a,
                            const Conv2DLayer<T, In2, F2, KH2, KW2, Opt2>& b) {
  ::ctml::detail::side_effect_fence();
  static_assert(K > 0 && K <= F, "ctml::sparse::keep_filters<K>: keep between 1 and all filters");
  static_assert(In2::extents[2] == F, "ctml::sparse::keep_filters: `b` must consume `a`'s output");
  using A2 = Conv2DLayer<T, In, K, KH, KW, Opt>;
  using B2 = Conv2DLayer<T, Shape<In2::extents[0], In2::extents[1], K>, F2, KH2, KW2, Opt2>;
  constexpr std::size_t per = KH * KW * In::extents[2];
  double score[F]{};
  for (std::size_t f = 0; f < F; ++f) {
    double s = detail::norm_term<Nm>(a.bias[f]);
    for (std::size_t i = 0; i < per; ++i) s += detail::norm_term<Nm>(a.weights[f * per + i]);
    score[f] = s;
  }
  std::size_t kept[K]{};
  detail::top_k(score, kept);
  PrunedPair<A2, B2> r{};
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t i = 0; i < per; ++i) r.first.weights[k * per + i] = a.weights[kept[k] * per + i];
    r.first.bias[k] = a.bias[kept[k]];
  }
  for (std::size_t f2 = 0; f2 < F2; ++f2)
    for (std::size_t t = 0; t < KH2 * KW2; ++t)
      for (std::size_t k = 0; k < K; ++k)
        r.second.weights[(f2 * KH2 * KW2 + t) * K + k] = b.weights[(f2 * KH2 * KW2 + t) * F + kept[k]];
  r.second.bias = b.bias;
  return r;
}

// Conv1D with F filters -> Conv1D: keep K filters of `a` and the matching input channels of `b`
// (weights [F][K][Cin]).
template <std::size_t K, Norm Nm = Norm::l2, class T, class In, std::size_t F, std::size_t KA, class Opt,
          class In2, std::size_t F2, std::size_t KB, class Opt2>
constexpr auto keep_filters(const Conv1DLayer<T, In, F, KA, Opt>& a, const Conv1DLayer<T, In2, F2, KB, Opt2>& b) {
  ::ctml::detail::side_effect_fence();
  static_assert(K > 0 && K <= F, "ctml::sparse::keep_filters<K>: keep between 1 and all filters");
  static_assert(In2::extents[1] == F, "ctml::sparse::keep_filters: `b` must consume `a`'s output");
  using A2 = Conv1DLayer<T, In, K, KA, Opt>;
  using B2 = Conv1DLayer<T, Shape<In2::extents[0], K>, F2, KB, Opt2>;
  constexpr std::size_t per = KA * In::extents[1];
  double score[F]{};
  for (std::size_t f = 0; f < F; ++f) {
    double s = detail::norm_term<Nm>(a.bias[f]);
    for (std::size_t i = 0; i < per; ++i) s += detail::norm_term<Nm>(a.weights[f * per + i]);
    score[f] = s;
  }
  std::size_t kept[K]{};
  detail::top_k(score, kept);
  PrunedPair<A2, B2> r{};
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t i = 0; i < per; ++i) r.first.weights[k * per + i] = a.weights[kept[k] * per + i];
    r.first.bias[k] = a.bias[kept[k]];
  }
  for (std::size_t f2 = 0; f2 < F2; ++f2)
    for (std::size_t t = 0; t < KB; ++t)
      for (std::size_t k = 0; k < K; ++k)
        r.second.weights[(f2 * KB + t) * K + k] = b.weights[(f2 * KB + t) * F + kept[k]];
  r.second.bias = b.bias;
  return r;
}

}  // namespace ctml::sparse
