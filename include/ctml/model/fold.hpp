// SPDX-License-Identifier: Apache-2.0
#pragma once
// Deployment transform: fold every BatchNorm into the conv/dense layer right before it.
//   auto deployed = ctml::fold_batchnorms(trained);     // a new, smaller network type
// A BatchNorm is folded when the layer before it has `weights`, `bias` and no fused activation
// (Dense, Conv1D, Conv2D, DepthwiseConv2D); others stay. Nested networks (residual bodies and
// shortcuts) are folded too. The result computes the same function with fewer layers, fewer
// parameters and one pass less over each activation; it is constexpr.
#include <cstddef>
#include <type_traits>
#include <utility>
#include <ctml/layers/batchnorm.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/residual.hpp>

namespace ctml {

namespace detail {
template <class L>
struct is_batchnorm : std::false_type {};
template <class T, class S>
struct is_batchnorm<BatchNormLayer<T, S>> : std::true_type {};

template <class L>
concept FoldTarget = requires(L l) {
  l.weights;
  l.bias;
  { L::activation } -> std::convertible_to<Activation>;
} && (L::activation == Activation::none);

template <class A, class B>
inline constexpr bool foldable_pair = FoldTarget<A> && is_batchnorm<B>::value &&
                                      std::is_same_v<typename A::output_type, typename B::input_type>;

template <class L>
struct folded_layer {
  using type = L;
};

// Walk a layer list, emitting kept layers and remembering each one's source index.
template <class Done, std::size_t I, class... Ls>
struct fold_list;
template <class... Done, std::size_t I>
struct fold_list<LayerPack<Done...>, I> {
  using type = LayerPack<Done...>;
};
template <class... Done, std::size_t I, class L>
struct fold_list<LayerPack<Done...>, I, L> {
  using type = LayerPack<Done..., typename folded_layer<L>::type>;
};
// Only the chosen branch is instantiated (std::conditional_t would instantiate both and make the
// walk exponential in the number of layers).
template <bool Fold, class Done, std::size_t I, class A, class B, class... Rest>
struct fold_step;
template <class... Done, std::size_t I, class A, class B, class... Rest>
struct fold_step<true, LayerPack<Done...>, I, A, B, Rest...> {
  using type = typename fold_list<LayerPack<Done..., A>, I + 2, Rest...>::type;
};
template <class... Done, std::size_t I, class A, class B, class... Rest>
struct fold_step<false, LayerPack<Done...>, I, A, B, Rest...> {
  using type = typename fold_list<LayerPack<Done..., typename folded_layer<A>::type>, I + 1, B, Rest...>::type;
};
template <class... Done, std::size_t I, class A, class B, class... Rest>
struct fold_list<LayerPack<Done...>, I, A, B, Rest...> {
  using type = typename fold_step<foldable_pair<A, B>, LayerPack<Done...>, I, A, B, Rest...>::type;
};

template <class List>
struct fold_network;
template <class... Ls>
struct fold_network<LayerPack<Ls...>> {
  using type = Network<typename fold_list<LayerPack<>, 0, Ls...>::type>;
};

// The layers of any network (LayerPack or aggregate) as a LayerPack.
template <class Net, class Seq = std::make_index_sequence<Net::layer_count>>
struct pack_of;
template <class Net, std::size_t... I>
struct pack_of<Net, std::index_sequence<I...>> {
  using type = LayerPack<typename Net::template layer_type<I>...>;
};

template <class List>
struct folded_layer<Network<List>> {
  using type = typename fold_network<typename pack_of<Network<List>>::type>::type;
};
template <class T, class In, class Body, class Short>
struct folded_layer<ResidualLayer<T, In, Body, Short>> {
  using type = ResidualLayer<T, In, typename folded_layer<Body>::type, typename folded_layer<Short>::type>;
};
}  // namespace detail

template <class L>
using folded_t = typename detail::folded_layer<L>::type;

template <class L>
constexpr folded_t<L> fold_batchnorms(const L& layer);

namespace detail {
// Source index of each layer of the folded list, and whether a BatchNorm follows it.
template <class Net>
constexpr auto fold_map() {
  constexpr std::size_t n = Net::layer_count;
  struct Map {
    std::size_t src[n]{};
    bool with_bn[n]{};
    std::size_t count = 0;
  } m{};
  bool prev_folded_into = false;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (([&] {
       if (prev_folded_into) {
         prev_folded_into = false;
         return;
       }
       m.src[m.count] = I;
       if constexpr (I + 1 < n) {
         if constexpr (foldable_pair<typename Net::template layer_type<I>,
                                     typename Net::template layer_type<I + 1>>) {
           m.with_bn[m.count] = true;
           prev_folded_into = true;
         }
       }
       ++m.count;
     }()),
     ...);
  }(std::make_index_sequence<n>{});
  return m;
}

template <class List>
constexpr auto fold_net(const Network<List>& net) {
  using Src = Network<List>;
  using Dst = folded_t<Src>;
  constexpr auto map = fold_map<Src>();
  static_assert(map.count == Dst::layer_count);
  Dst out{};
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (([&] {
       constexpr std::size_t s = map.src[J];
       if constexpr (map.with_bn[J])
         out.template layer<J>() = fold_batchnorm(net.template layer<s>(), net.template layer<s + 1>());
       else
         out.template layer<J>() = fold_batchnorms(net.template layer<s>());
     }()),
     ...);
  }(std::make_index_sequence<Dst::layer_count>{});
  return out;
}
}  // namespace detail

template <class L>
constexpr folded_t<L> fold_batchnorms(const L& layer) {
  if constexpr (requires { typename L::list; L::layer_count; }) {
    return detail::fold_net(layer);
  } else if constexpr (requires { layer.body; layer.shortcut; }) {
    folded_t<L> r{};
    r.body = fold_batchnorms(layer.body);
    if constexpr (L::projected) r.shortcut = fold_batchnorms(layer.shortcut);
    return r;
  } else {
    return layer;
  }
}

}  // namespace ctml
