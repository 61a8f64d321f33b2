// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pruning masks for "prune, fine-tune, repeat": one byte per weight, 1 = alive.
//
// Per tensor (optimizer-agnostic):
//   sparse::Mask<Tensor>                       Tensor<uint8_t, same shape>
//   magnitude_mask(w, s)                       1 except the fraction s of smallest |w|
//   n_m_mask<N, M>(w)                          1 for the N largest of every M along the last axis
//   apply_mask(w, m)                           zero the weights whose mask is 0
//   apply_masks(params, masks)                 the same over tuples (net.parameters(), a mask tuple)
// Per network:
//   sparse::Masks<Net>                         one Mask per parameter tensor; biases stay alive
//     .reset()  .capture(net)  .apply(net)  .prune_to(net, s)  .prune_n_m<N, M>(net)
//   Masks<Net>::apply(net) is the hook ctml::train optimizers call after every step (SGD/Adam
//   step(net, grads, scale, &masks)); any other optimizer calls apply(net) (or apply_masks) itself.
//   iterative_prune(net, masks, schedule, finetune)   for s in schedule: prune_to(s), finetune(s)
//   geometric_schedule<Rounds>(step)                  remove `step` of what is left each round
//
//   ctml::sparse::Masks<Net> masks{};
//   masks.reset();
//   ctml::sparse::iterative_prune(net, masks, ctml::sparse::geometric_schedule<10>(0.2),
//                                 [&](double) { for (epoch ...) trainer.fit(..., &masks); });
#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/sparse/prune.hpp>

namespace ctml::sparse {

template <class Tn>
using Mask = Tensor<std::uint8_t, typename std::remove_cvref_t<Tn>::shape_type>;
template <class Tn>
using mask_for = Mask<Tn>;

template <TensorLike Tn>
constexpr Mask<Tn> magnitude_mask(const Tn& w, double sparsity) {
  Mask<Tn> m{};
  m.fill(1);
  select_smallest(w, sparsity, [&](std::size_t i) { m[i] = 0; });
  return m;
}

template <std::size_t N, std::size_t M, TensorLike Tn>
constexpr Mask<Tn> n_m_mask(const Tn& w) {
  ::ctml::detail::side_effect_fence();
  using S = typename Tn::shape_type;
  static_assert(N < M && M > 0, "ctml::sparse::n_m_mask<N, M>: keep N < M of every M weights");
  static_assert(S::extents[S::rank - 1] % M == 0,
                "ctml::sparse::n_m_mask<N, M>: the input axis must be a multiple of M");
  Mask<Tn> m{};
  for (std::size_t g = 0; g < Tn::size() / M; ++g)
    for (std::size_t i = 0; i < M; ++i) {
      const auto vi = magnitude(w.data()[g * M + i]);
      std::size_t rank = 0;
      for (std::size_t j = 0; j < M; ++j) {
        const auto vj = magnitude(w.data()[g * M + j]);
        if (vj > vi || (vj == vi && j < i)) ++rank;
      }
      m[g * M + i] = rank < N ? 1 : 0;
    }
  return m;
}

template <TensorLike Tn>
constexpr void apply_mask(Tn& w, const Mask<Tn>& m) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < Tn::size(); ++i)
    if (!m[i]) w.data()[i] = 0;
}

// Tuples of references (net.parameters()) and of masks, element by element.
template <class Params, class Masks>
constexpr void apply_masks(Params&& params, const Masks& masks) {
  static_assert(std::tuple_size_v<std::remove_cvref_t<Params>> == std::tuple_size_v<Masks>,
                "ctml::sparse::apply_masks: one mask per parameter tensor");
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (apply_mask(std::get<I>(params), std::get<I>(masks)), ...);
  }(std::make_index_sequence<std::tuple_size_v<Masks>>{});
}

template <class Net>
struct Masks {
  using params_tuple = decltype(std::declval<Net&>().parameters());
  template <class Tup>
  struct masks_of;
  template <class... Ts>
  struct masks_of<std::tuple<Ts...>> {
    using type = std::tuple<Mask<Ts>...>;
  };
  static constexpr std::size_t count = std::tuple_size_v<params_tuple>;
  typename masks_of<params_tuple>::type masks;

  // Everything alive.
  constexpr void reset() {
    std::apply([](auto&... m) { (m.fill(1), ...); }, masks);
  }
  // Mark zero weights as pruned (e.g. after prune_global); biases always stay alive.
  constexpr void capture(Net& net) {
    ::ctml::detail::side_effect_fence();
    auto params = net.parameters();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((void)[&] {
        auto& p = std::get<I>(params);
        auto& m = std::get<I>(masks);
        for (std::size_t k = 0; k < p.size(); ++k)
          m[k] = (!is_weight_tensor<decltype(p)> || p[k] != 0) ? 1 : 0;
      }(), ...);
    }(std::make_index_sequence<count>{});
  }
  // Zero every masked weight; call after each optimizer step.
  constexpr void apply(Net& net) const { apply_masks(net.parameters(), masks); }
  // Global magnitude pruning to `sparsity` of all weight tensors, never reviving pruned weights.
  constexpr std::size_t prune_to(Net& net, double sparsity) {
    apply(net);
    const std::size_t zeros = prune_global(net, sparsity);
    capture(net);
    return zeros;
  }
  // N:M on every weight tensor whose last axis is a multiple of M (others are left alone).
  template <std::size_t N, std::size_t M>
  constexpr void prune_n_m(Net& net) {
    ::ctml::detail::side_effect_fence();
    apply(net);
    auto params = net.parameters();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((void)[&] {
        auto& p = std::get<I>(params);
        using P = std::remove_cvref_t<decltype(p)>;
        if constexpr (is_weight_tensor<P>) {
          if constexpr (P::shape_type::extents[P::rank - 1] % M == 0) {
            const auto nm = n_m_mask<N, M>(p);
            auto& m = std::get<I>(masks);
            for (std::size_t k = 0; k < p.size(); ++k) m[k] = m[k] && nm[k];
          }
        }
      }(), ...);
    }(std::make_index_sequence<count>{});
    apply(net);
  }
  // Mask entry for weight k of parameter tensor I (for optimizers that check it themselves).
  template <std::size_t I>
  constexpr bool alive(std::size_t k) const { return std::get<I>(masks)[k] != 0; }
  template <std::size_t I>
  constexpr const auto& mask() const { return std::get<I>(masks); }
};

// Sparsity after each of Rounds rounds that each remove `step` (0..1) of the surviving weights:
// 1 - (1 - step)^i. "Prune 10 %, fine-tune, repeat" is geometric_schedule<R>(0.1).
template <std::size_t Rounds>
constexpr std::array<double, Rounds> geometric_schedule(double step) {
  std::array<double, Rounds> s{};
  double alive = 1.0;
  for (std::size_t i = 0; i < Rounds; ++i) {
    alive *= 1.0 - step;
    s[i] = 1.0 - alive;
  }
  return s;
}

// The loop: for every target sparsity, prune (globally, by magnitude, among surviving weights)
// and call finetune(sparsity); masks stay in force for the optimizer in between.
template <class Net, class Schedule, class FineTune>
constexpr void iterative_prune(Net& net, Masks<Net>& masks, const Schedule& schedule, FineTune&& finetune) {
  for (double s : schedule) {
    masks.prune_to(net, s);
    finetune(s);
    masks.apply(net);
  }
}

}  // namespace ctml::sparse
