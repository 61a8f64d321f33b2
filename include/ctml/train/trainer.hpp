// SPDX-License-Identifier: Apache-2.0
#pragma once
// Trainer<Net>: forward that keeps every activation, backward through the chain, and statically
// sized gradient buffers shaped like Net::parameters(). All storage is inside the Trainer object
// (make it static on a device): train_arena_bytes says how much.
//   static ctml::train::Trainer<Net> tr;
//   tr.zero_grad();
//   for (sample in batch) { auto& z = tr.forward(net, x); loss(z, ..., dz); tr.backward(net, x, dz); }
//   opt.step(net, tr.gradients(), 1.0f / batch);
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/concepts.hpp>
#include <ctml/model/network.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

namespace detail {
template <class Net, class Seq = std::make_index_sequence<Net::layer_count>>
struct activations_of;
template <class Net, std::size_t... I>
struct activations_of<Net, std::index_sequence<I...>> {
  using type = std::tuple<typename layer_traits<typename Net::template layer_type<I>>::output_type...>;
};
template <class Tup>
struct values_of;
template <class... Ts>
struct values_of<std::tuple<Ts...>> {
  using type = std::tuple<std::remove_cvref_t<Ts>...>;
};
template <class L>
inline constexpr std::size_t param_tensors = std::tuple_size_v<typename ctml::detail::params_tuple_of<L>::type>;
}  // namespace detail

// Gradients<Net>: one tensor per parameter tensor, same shapes, same order as net.parameters().
template <class Net>
using Gradients = typename detail::values_of<decltype(std::declval<Net&>().parameters())>::type;

template <class Net>
struct Trainer {
  static_assert(Net::uniform, "ctml::train::Trainer: the network must use one element type");
  using T = typename Net::input_value;
  static constexpr std::size_t layers = Net::layer_count;

 private:
  template <std::size_t... I>
  static constexpr std::size_t max_size(std::index_sequence<I...>) {
    std::size_t m = Net::input_type::size();
    ((m = layer_traits<typename Net::template layer_type<I>>::output_type::size() > m
              ? layer_traits<typename Net::template layer_type<I>>::output_type::size()
              : m),
     ...);
    return m;
  }
  template <std::size_t... I>
  static constexpr std::size_t max_scratch(std::index_sequence<I...>) {
    std::size_t m = 1;
    ((m = layer_traits<typename Net::template layer_type<I>>::scratch_size > m
              ? layer_traits<typename Net::template layer_type<I>>::scratch_size
              : m),
     ...);
    return m;
  }
  template <std::size_t I>
  static constexpr std::size_t param_offset() {
    return []<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + detail::param_tensors<typename Net::template layer_type<J>>);
    }(std::make_index_sequence<I>{});
  }

 public:
  static constexpr std::size_t max_activation = max_size(std::make_index_sequence<layers>{});
  using activations_type = typename detail::activations_of<Net>::type;
  using gradients_type = Gradients<Net>;

  activations_type acts{};
  gradients_type grads{};
  Tensor<T, Shape<max_activation>> dbuf[2]{};
  Tensor<T, Shape<max_scratch(std::make_index_sequence<layers>{})>> scratch{};

  // Memory a training step needs besides the model and optimizer state: every activation of one
  // sample (backward reads them), two gradient ping-pong buffers and the forward scratch.
  static constexpr std::size_t train_arena_bytes = sizeof(activations_type) + sizeof(dbuf) + sizeof(scratch);

  constexpr void zero_grad() {
    std::apply([](auto&... g) { (g.fill(T(0)), ...); }, grads);
  }
  constexpr gradients_type& gradients() { return grads; }

  template <std::size_t I>
  constexpr auto layer_gradients() {
    constexpr std::size_t off = param_offset<I>();
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return std::tie(std::get<off + K>(grads)...);
    }(std::make_index_sequence<detail::param_tensors<typename Net::template layer_type<I>>>{});
  }

  constexpr const typename Net::output_type& forward(const Net& net, const typename Net::input_type& x) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((net.template layer<I>().forward(input_of<I>(x), std::get<I>(acts).data(), scratch.data())), ...);
    }(std::make_index_sequence<layers>{});
    return std::get<layers - 1>(acts);
  }

  // Accumulates parameter gradients for the sample x last passed to forward(); dy = dL/d(output).
  constexpr void backward(const Net& net, const typename Net::input_type& x, const T* dy) {
    for (std::size_t i = 0; i < Net::output_type::size(); ++i) dbuf[0][i] = dy[i];
    [&]<std::size_t... R>(std::index_sequence<R...>) {
      ((step_back<layers - 1 - R>(net, x)), ...);
    }(std::make_index_sequence<layers>{});
  }

 private:
  template <std::size_t I>
  constexpr const T* input_of(const typename Net::input_type& x) const {
    if constexpr (I == 0) return x.data();
    else return std::get<I - 1>(acts).data();
  }
  template <std::size_t I>
  constexpr void step_back(const Net& net, const typename Net::input_type& x) {
    constexpr std::size_t r = layers - 1 - I;  // steps taken so far
    T* dy = dbuf[r % 2].data();
    T* dx = dbuf[(r + 1) % 2].data();
    using L = typename Net::template layer_type<I>;
    backward_op<L>::run(net.template layer<I>(), input_of<I>(x), std::get<I>(acts).data(), dy, dx,
                        layer_gradients<I>());
  }
};

}  // namespace ctml::train
