// SPDX-License-Identifier: Apache-2.0
#pragma once
// Sequential composition from shape-agnostic specs. The user writes the input shape once; each
// spec is bound to the output shape of the one before it:
//   using Net = ctml::Sequential<float, ctml::Shape<16>, ctml::Dense<32>, ctml::ReLU, ctml::Dense<4>>;
// Block<Specs...> is the same chain as a spec, so chains nest (residual bodies, repeated stages).
#include <type_traits>
#include <ctml/core/concepts.hpp>
#include <ctml/model/network.hpp>

namespace ctml {

namespace detail {
template <class T, class In, class Acc, class... Specs>
struct bind_chain {
  using type = Acc;
};
template <class T, class In, class... Done, class S, class... Rest>
struct bind_chain<T, In, LayerPack<Done...>, S, Rest...> {
  static_assert(requires { typename S::template bind<T, In>; },
                "ctml::Sequential: an argument is not a layer spec (expected e.g. Dense<32>, "
                "ReLU, Conv2D<...>; concrete layers go in an aggregate model or a Chain)");
  using L = typename S::template bind<T, In>;
  using type = typename bind_chain<T, typename L::output_type::shape_type, LayerPack<Done..., L>,
                                   Rest...>::type;
};
}  // namespace detail

template <class... Specs>
struct Block;

namespace detail {
// A Block inside a Sequential (or another Block) is spliced into the chain: the layers stay one
// flat list, so the planner can run each of them in place or ping-pong across block boundaries.
template <class T, class In, class... Done, class... Inner, class... Rest>
struct bind_chain<T, In, LayerPack<Done...>, Block<Inner...>, Rest...>
    : bind_chain<T, In, LayerPack<Done...>, Inner..., Rest...> {};
}  // namespace detail

template <class... Specs>
struct Block {
  static_assert(sizeof...(Specs) > 0, "ctml::Block/Sequential needs at least one layer spec");
  template <class T, ShapeType In>
  using bind = Network<typename detail::bind_chain<T, In, LayerPack<>, Specs...>::type>;
};

template <class T, ShapeType In, class... Specs>
using Sequential = typename Block<Specs...>::template bind<T, In>;

}  // namespace ctml
