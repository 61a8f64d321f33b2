// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pruning masks for "prune, fine-tune, repeat": one byte per weight, 1 = alive. An optimizer (or
// this header's apply_masks after each step) keeps masked weights at zero while the rest train.
//   ctml::sparse::Masks<Net> masks{};
//   for (double s : {0.5, 0.7, 0.8, 0.9}) {
//     masks.prune_to(net, s);            // magnitude, among the weights still alive
//     for (epoch ...) { train_step(...); masks.apply(net); }
//   }
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <ctml/core/concepts.hpp>
#include <ctml/sparse/prune.hpp>

namespace ctml::sparse {

template <class Tn>
using mask_for = Tensor<std::uint8_t, typename std::remove_cvref_t<Tn>::shape_type>;

template <class Net>
struct Masks {
  using params_tuple = decltype(std::declval<Net&>().parameters());
  template <class Tup>
  struct masks_of;
  template <class... Ts>
  struct masks_of<std::tuple<Ts...>> {
    using type = std::tuple<mask_for<Ts>...>;
  };
  typename masks_of<params_tuple>::type masks;

  // Everything alive.
  constexpr void reset() {
    std::apply([](auto&... m) { (m.fill(1), ...); }, masks);
  }
  // Mark zero weights as pruned (e.g. after prune_global).
  constexpr void capture(Net& net) {
    auto params = net.parameters();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((void)[&] {
        auto& p = std::get<I>(params);
        auto& m = std::get<I>(masks);
        for (std::size_t k = 0; k < p.size(); ++k)
          m[k] = (!is_weight_tensor<decltype(p)> || p[k] != 0) ? 1 : 0;
      }(), ...);
    }(std::make_index_sequence<std::tuple_size_v<params_tuple>>{});
  }
  // Zero every masked weight; call after each optimizer step.
  constexpr void apply(Net& net) const {
    auto params = net.parameters();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((void)[&] {
        auto& p = std::get<I>(params);
        const auto& m = std::get<I>(masks);
        for (std::size_t k = 0; k < p.size(); ++k)
          if (!m[k]) p[k] = 0;
      }(), ...);
    }(std::make_index_sequence<std::tuple_size_v<params_tuple>>{});
  }
  // Global magnitude pruning to `sparsity` of all weight tensors, never reviving pruned weights.
  constexpr std::size_t prune_to(Net& net, double sparsity) {
    apply(net);
    const std::size_t zeros = prune_global(net, sparsity);
    capture(net);
    return zeros;
  }
  // Mask entry for weight k of parameter tensor I (for optimizers that check it themselves).
  template <std::size_t I>
  constexpr bool alive(std::size_t k) const { return std::get<I>(masks)[k] != 0; }
};

}  // namespace ctml::sparse
