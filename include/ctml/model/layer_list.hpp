// SPDX-License-Identifier: Apache-2.0
#pragma once
// A network's layers are held either in a LayerPack (the Sequential form, built from specs) or in
// a plain aggregate struct written by the user (walked with Boost.PFR). Both are read through
// layer_list<List>, so everything downstream (planning, forward, summary) is written once.
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <boost/pfr/core.hpp>
#include <boost/pfr/tuple_size.hpp>

namespace ctml {

namespace detail {
template <std::size_t I, class L>
struct PackLeaf {
  L value;
};
template <class Seq, class... Ls>
struct PackBase;
template <std::size_t... I, class... Ls>
struct PackBase<std::index_sequence<I...>, Ls...> : PackLeaf<I, Ls>... {};
template <std::size_t I, class L>
constexpr L& pack_get(PackLeaf<I, L>& leaf) { return leaf.value; }
template <std::size_t I, class L>
constexpr const L& pack_get(const PackLeaf<I, L>& leaf) { return leaf.value; }
}  // namespace detail

// Indexed storage for a fixed list of layers. Unlike std::tuple it is an aggregate with no empty-base
// tricks, so it is trivially copyable when its layers are, brace-initialisable, and cheap to
// evaluate in constant expressions.
template <class... Ls>
struct LayerPack : detail::PackBase<std::index_sequence_for<Ls...>, Ls...> {};

template <class List>
struct layer_list {
  static_assert(std::is_aggregate_v<List>,
                "ctml::Network: the layer list must be a ctml::LayerPack of layers or an aggregate "
                "struct whose members are layers (no constructors, no base classes)");
  static constexpr std::size_t size = boost::pfr::tuple_size_v<List>;
  template <std::size_t I>
  using type = std::remove_cvref_t<boost::pfr::tuple_element_t<I, List>>;
  template <std::size_t I>
  static constexpr auto& get(List& l) { return boost::pfr::get<I>(l); }
  template <std::size_t I>
  static constexpr const auto& get(const List& l) { return boost::pfr::get<I>(l); }
};

template <class... Ls>
struct layer_list<LayerPack<Ls...>> {
  static constexpr std::size_t size = sizeof...(Ls);
  template <std::size_t I>
  using type = std::tuple_element_t<I, std::tuple<Ls...>>;
  template <std::size_t I>
  static constexpr auto& get(LayerPack<Ls...>& l) { return detail::pack_get<I>(l); }
  template <std::size_t I>
  static constexpr const auto& get(const LayerPack<Ls...>& l) { return detail::pack_get<I>(l); }
};

}  // namespace ctml
