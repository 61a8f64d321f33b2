// SPDX-License-Identifier: Apache-2.0
#pragma once
// The persistent state of a network: one member per layer, in layer order (NoState, an empty
// member, for layers without state). An aggregate and trivially copyable like every layer's
// state, so firmware can keep it in retained RAM, copy it, or zero-initialise it; a Network
// fills it with reset() (the layers' initial states).
//   typename Model::state_type s{};  model.reset(s);  model(in, out, arena, s);   // per frame
#include <cstddef>
#include <type_traits>
#include <ctml/core/concepts.hpp>

namespace ctml {

template <class... S>
struct StatePack;
template <>
struct StatePack<> {};
template <class S0, class... Rest>
struct StatePack<S0, Rest...> {
  [[no_unique_address]] S0 head{};
  [[no_unique_address]] StatePack<Rest...> tail{};
};

// Layer I's state in a StatePack.
template <std::size_t I, class... S>
constexpr auto& state_at(StatePack<S...>& p) noexcept {
  if constexpr (I == 0) return p.head;
  else return state_at<I - 1>(p.tail);
}
template <std::size_t I, class... S>
constexpr const auto& state_at(const StatePack<S...>& p) noexcept {
  if constexpr (I == 0) return p.head;
  else return state_at<I - 1>(p.tail);
}

}  // namespace ctml
