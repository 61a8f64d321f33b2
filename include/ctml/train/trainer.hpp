// SPDX-License-Identifier: Apache-2.0
#pragma once
// Trainer<Net>: forward that keeps every activation, backward through the chain, and statically
// sized gradient buffers shaped like Net::parameters(). All storage is inside the Trainer object
// (make it static on a device): train_arena_bytes says how much (= train::train_arena_bytes<Net>).
// BatchNorm layers run in inference mode here (running statistics held fixed); BatchTrainer<Net, B>
// below trains them with mini-batch statistics.
//   static ctml::train::Trainer<Net> tr;
//   tr.zero_grad();
//   for (sample in batch) { auto& z = tr.forward(net, x); loss(z, ..., dz); tr.backward(net, x, dz); }
//   opt.step(net, tr.gradients(), 1.0f / batch);
#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/train/backward.hpp>
#include <ctml/train/backward_batchnorm.hpp>

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

template <class Net, bool Top = true>
struct Trainer;

namespace detail {
struct NoState {};
// What a layer needs kept for backward besides its output: nothing, except for a residual block,
// whose body (and projection shortcut) keep their own activations in nested trainers. Nested
// trainers write their parameter gradients straight into the outer trainer's.
template <class L>
struct layer_train_state {
  static constexpr bool nested = false;
};
template <class T, ShapeType In, Layer Body, class Short>
struct layer_train_state<ResidualLayer<T, In, Body, Short>> {
  static constexpr bool nested = true;
  static constexpr bool projected = ResidualLayer<T, In, Body, Short>::projected;
  Trainer<Body, false> body{};
  [[no_unique_address]] std::conditional_t<projected, Trainer<Short, false>, NoState> shortcut{};
  static constexpr std::size_t bytes = [] {
    if constexpr (projected) return Trainer<Body, false>::train_arena_bytes + Trainer<Short, false>::train_arena_bytes;
    else return Trainer<Body, false>::train_arena_bytes;
  }();
};
// A residual block's parameter gradients (a tuple of references, body's then shortcut's) split
// into the body's and the projection's (empty for an identity shortcut).
template <class L, class LG>
constexpr auto residual_branch_gradients(LG& lg) {
  constexpr std::size_t nb = std::tuple_size_v<Gradients<decltype(std::declval<L&>().body)>>;
  auto body = [&]<std::size_t... K>(std::index_sequence<K...>) {
    return std::tie(std::get<K>(lg)...);
  }(std::make_index_sequence<nb>{});
  auto shortcut = [&]<std::size_t... K>(std::index_sequence<K...>) {
    return std::tie(std::get<nb + K>(lg)...);
  }(std::make_index_sequence<std::tuple_size_v<std::remove_cvref_t<LG>> - nb>{});
  return std::pair{body, shortcut};
}

template <class Net, class Seq = std::make_index_sequence<Net::layer_count>>
struct states_of;
template <class Net, std::size_t... I>
struct states_of<Net, std::index_sequence<I...>> {
  using type = std::tuple<layer_train_state<typename Net::template layer_type<I>>...>;
  static constexpr std::size_t nested_bytes = (std::size_t{0} + ... + [] {
    using St = layer_train_state<typename Net::template layer_type<I>>;
    if constexpr (St::nested) return St::bytes;
    else return std::size_t{0};
  }());
};
}  // namespace detail

// Top = false: a trainer nested in a residual block's state; it owns no gradient storage.
template <class Net, bool Top>
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

 public:
  // Index of layer I's first parameter tensor in net.parameters().
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

  using states_type = typename detail::states_of<Net>::type;

  activations_type acts{};
  [[no_unique_address]] std::conditional_t<Top, gradients_type, detail::NoState> grads{};
  Tensor<T, Shape<max_activation>> dbuf[2]{};
  Tensor<T, Shape<max_scratch(std::make_index_sequence<layers>{})>> scratch{};
  states_type states{};

  // Memory a training step needs besides the model, its gradients and the optimizer state: every
  // activation of one sample (backward reads them), two gradient ping-pong buffers, the forward
  // scratch, and the same for the insides of residual blocks (train::train_arena_bytes<Net>).
  static constexpr std::size_t train_arena_bytes =
      sizeof(activations_type) + sizeof(dbuf) + sizeof(scratch) + detail::states_of<Net>::nested_bytes;

  constexpr void zero_grad()
    requires Top
  {
    std::apply([](auto&... g) { (g.fill(T(0)), ...); }, grads);
  }
  constexpr gradients_type& gradients()
    requires Top
  {
    return grads;
  }

  // The parameter gradients of layer I, as a tuple of references into g (all of Net's gradients).
  template <std::size_t I, class G>
  static constexpr auto layer_gradients(G&& g) {
    constexpr std::size_t off = param_offset<I>();
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return std::tie(std::get<off + K>(g)...);
    }(std::make_index_sequence<detail::param_tensors<typename Net::template layer_type<I>>>{});
  }
  template <std::size_t I>
  constexpr auto layer_gradients()
    requires Top
  {
    return layer_gradients<I>(grads);
  }

  constexpr const typename Net::output_type& forward(const Net& net, const typename Net::input_type& x) {
    return forward(net, x.data());
  }
  constexpr const typename Net::output_type& forward(const Net& net, const T* x) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (forward_layer<I>(net, x), ...); }(std::make_index_sequence<layers>{});
    return std::get<layers - 1>(acts);
  }

  // Accumulates parameter gradients for the sample x last passed to forward(); dy = dL/d(output).
  constexpr void backward(const Net& net, const typename Net::input_type& x, const T* dy)
    requires Top
  {
    backward(net, x.data(), dy, std::apply([](auto&... g) { return std::tie(g...); }, grads));
  }
  // The same, accumulating into g (a tuple of references shaped like net.parameters()).
  template <class G>
  constexpr void backward(const Net& net, const T* x, const T* dy, G&& g) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < Net::output_type::size(); ++i) dbuf[0][i] = dy[i];
    [&]<std::size_t... R>(std::index_sequence<R...>) {
      ((step_back<layers - 1 - R>(net, x, g)), ...);
    }(std::make_index_sequence<layers>{});
  }

  // dL/dx of the sample after backward().
  constexpr const T* input_gradient() const { return dbuf[layers % 2].data(); }

 private:
  template <std::size_t I>
  constexpr const T* input_of(const T* x) const {
    if constexpr (I == 0) return x;
    else return std::get<I - 1>(acts).data();
  }
  template <std::size_t I>
  constexpr void forward_layer(const Net& net, const T* x) {
    ::ctml::detail::side_effect_fence();
    using L = typename Net::template layer_type<I>;
    const L& l = net.template layer<I>();
    T* y = std::get<I>(acts).data();
    if constexpr (detail::layer_train_state<L>::nested) {
      // Residual block: y = body(x) + shortcut(x), each through its own nested trainer.
      auto& st = std::get<I>(states);
      const auto& b = st.body.forward(l.body, input_of<I>(x));
      if constexpr (L::projected) {
        const auto& s = st.shortcut.forward(l.shortcut, input_of<I>(x));
        for (std::size_t i = 0; i < b.size(); ++i) y[i] = b[i] + s[i];
      } else {
        for (std::size_t i = 0; i < b.size(); ++i) y[i] = b[i] + input_of<I>(x)[i];
      }
    } else {
      l.forward(input_of<I>(x), y, scratch.data());
    }
  }
  template <std::size_t I, class G>
  constexpr void step_back(const Net& net, const T* x, G& g) {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t r = layers - 1 - I;  // steps taken so far
    T* dy = dbuf[r % 2].data();
    T* dx = dbuf[(r + 1) % 2].data();
    using L = typename Net::template layer_type<I>;
    const L& l = net.template layer<I>();
    if constexpr (detail::layer_train_state<L>::nested) {
      // dy reaches both branches; dx is the sum of what they send back. The block's parameters
      // are the body's followed by the shortcut's.
      auto& st = std::get<I>(states);
      auto lg = layer_gradients<I>(g);
      auto [body_g, short_g] = detail::residual_branch_gradients<L>(lg);
      st.body.backward(l.body, input_of<I>(x), dy, body_g);
      const T* dxb = st.body.input_gradient();
      constexpr std::size_t n_in = Net::template layer_type<I>::input_type::size();
      if constexpr (L::projected) {
        st.shortcut.backward(l.shortcut, input_of<I>(x), dy, short_g);
        const T* dxs = st.shortcut.input_gradient();
        for (std::size_t i = 0; i < n_in; ++i) dx[i] = dxb[i] + dxs[i];
      } else {
        for (std::size_t i = 0; i < n_in; ++i) dx[i] = dxb[i] + dy[i];
      }
    } else {
      if constexpr (!Trainable<L>) require_trainable<L>();  // the one error, with the list
      else backward_op<L>::run(l, input_of<I>(x), std::get<I>(acts).data(), dy, dx, layer_gradients<I>(g));
    }
  }
};

// RAM a per-sample training step of Net needs besides the model, its gradients and the optimizer
// state: a compile-time fact to static_assert against a budget, like Net::arena_bytes.
template <class Net>
inline constexpr std::size_t train_arena_bytes = Trainer<Net>::train_arena_bytes;

}  // namespace ctml::train

namespace ctml::train {

// BatchTrainer<Net, B>: a mini-batch of B samples, layer by layer (all samples through layer I
// before layer I + 1), so BatchNorm layers can normalise with the batch's statistics and update
// their running statistics (momentum, as PyTorch's BatchNorm in train mode). Everything else is
// computed per sample as in Trainer. Storage: B copies of every activation plus two gradient
// buffers per sample, all inside the object (train_arena_bytes).
//   static BatchTrainer<Net, 8> tr;
//   tr.zero_grad(); tr.forward(net, xs);  loss gradients into dys (B x outputs);  tr.backward(net, xs, dys);
//   opt.step(net, tr.gradients(), 1.0f / 8);
template <class Net, std::size_t B, bool Top = true>
struct BatchTrainer;

namespace detail {
// Residual blocks inside a BatchTrainer: nested batch trainers for the body and the projection.
template <class L, std::size_t B>
struct batch_layer_state {
  static constexpr bool nested = false;
};
template <class T, ShapeType In, Layer Body, class Short, std::size_t B>
struct batch_layer_state<ResidualLayer<T, In, Body, Short>, B> {
  static constexpr bool nested = true;
  static constexpr bool projected = ResidualLayer<T, In, Body, Short>::projected;
  BatchTrainer<Body, B, false> body{};
  [[no_unique_address]] std::conditional_t<projected, BatchTrainer<Short, B, false>, NoState> shortcut{};
  static constexpr std::size_t bytes = [] {
    if constexpr (projected)
      return BatchTrainer<Body, B, false>::train_arena_bytes + BatchTrainer<Short, B, false>::train_arena_bytes;
    else
      return BatchTrainer<Body, B, false>::train_arena_bytes;
  }();
};
template <class Net, std::size_t B, class Seq = std::make_index_sequence<Net::layer_count>>
struct batch_states_of;
template <class Net, std::size_t B, std::size_t... I>
struct batch_states_of<Net, B, std::index_sequence<I...>> {
  using type = std::tuple<batch_layer_state<typename Net::template layer_type<I>, B>...>;
  static constexpr std::size_t nested_bytes = (std::size_t{0} + ... + [] {
    using St = batch_layer_state<typename Net::template layer_type<I>, B>;
    if constexpr (St::nested) return St::bytes;
    else return std::size_t{0};
  }());
};
}  // namespace detail

template <class Net, std::size_t B, bool Top>
struct BatchTrainer {
  static_assert(Net::uniform, "ctml::train::BatchTrainer: the network must use one element type");
  static_assert(B >= 1, "ctml::train::BatchTrainer: the batch needs at least one sample");
  using T = typename Net::input_value;
  using input_type = typename Net::input_type;
  using output_type = typename Net::output_type;
  static constexpr std::size_t layers = Net::layer_count, batch = B;
  using shapes = Trainer<Net>;
  using activations_type = typename shapes::activations_type;
  using gradients_type = typename shapes::gradients_type;
  using states_type = typename detail::batch_states_of<Net, B>::type;

  activations_type acts[B]{};
  [[no_unique_address]] std::conditional_t<Top, gradients_type, detail::NoState> grads{};
  Tensor<T, Shape<shapes::max_activation>> dbuf[2][B]{};
  decltype(shapes::scratch) scratch{};
  states_type states{};
  T momentum = T(0.1);

  static constexpr std::size_t train_arena_bytes =
      sizeof(acts) + sizeof(dbuf) + sizeof(scratch) + detail::batch_states_of<Net, B>::nested_bytes;

  constexpr void zero_grad()
    requires Top
  {
    std::apply([](auto&... g) { (g.fill(T(0)), ...); }, grads);
  }
  constexpr gradients_type& gradients()
    requires Top
  {
    return grads;
  }
  constexpr const output_type& output(std::size_t b) const { return std::get<layers - 1>(acts[b]); }

  // Training-mode forward of xs[0..B): BatchNorm layers use and update batch statistics.
  constexpr void forward(Net& net, const input_type* xs) {
    ::ctml::detail::side_effect_fence();
    const T* x[B];
    for (std::size_t b = 0; b < B; ++b) x[b] = xs[b].data();
    forward(net, x);
  }
  constexpr void forward(Net& net, const T* const (&xs)[B]) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (forward_layer<I>(net, xs), ...); }(std::make_index_sequence<layers>{});
  }

  // Accumulates parameter gradients of the batch last passed to forward(); dys holds B output
  // gradients one after the other (dL/d output of sample b at dys + b * output size).
  constexpr void backward(const Net& net, const input_type* xs, const T* dys)
    requires Top
  {
    const T* x[B];
    const T* dy[B];
    for (std::size_t b = 0; b < B; ++b) {
      x[b] = xs[b].data();
      dy[b] = dys + b * output_type::size();
    }
    backward(net, x, dy, std::apply([](auto&... g) { return std::tie(g...); }, grads));
  }
  // The same with per-sample pointers, accumulating into g (references shaped like net.parameters()).
  template <class G>
  constexpr void backward(const Net& net, const T* const (&xs)[B], const T* const (&dys)[B], G&& g) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t i = 0; i < output_type::size(); ++i) dbuf[0][b][i] = dys[b][i];
    [&]<std::size_t... R>(std::index_sequence<R...>) {
      (backward_layer<layers - 1 - R>(net, xs, g), ...);
    }(std::make_index_sequence<layers>{});
  }

  // dL/dx of sample b after backward().
  constexpr const T* input_gradient(std::size_t b) const { return dbuf[layers % 2][b].data(); }

 private:
  template <std::size_t I>
  constexpr const T* input_of(std::size_t b, const T* const (&xs)[B]) const {
    if constexpr (I == 0) return xs[b];
    else return std::get<I - 1>(acts[b]).data();
  }
  template <std::size_t I>
  constexpr void inputs_of(const T* const (&xs)[B], const T* (&in)[B]) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t b = 0; b < B; ++b) in[b] = input_of<I>(b, xs);
  }
  template <std::size_t I>
  constexpr void forward_layer(Net& net, const T* const (&xs)[B]) {
    ::ctml::detail::side_effect_fence();
    using L = typename Net::template layer_type<I>;
    L& l = net.template layer<I>();
    const T* in[B];
    inputs_of<I>(xs, in);
    if constexpr (is_batchnorm<L>) {
      T* out[B];
      for (std::size_t b = 0; b < B; ++b) out[b] = std::get<I>(acts[b]).data();
      batchnorm_train_forward(l, in, out, momentum);
    } else if constexpr (detail::batch_layer_state<L, B>::nested) {
      // Residual block: y = body(x) + shortcut(x), both through nested batch trainers.
      auto& st = std::get<I>(states);
      st.body.momentum = momentum;
      st.body.forward(l.body, in);
      if constexpr (L::projected) {
        st.shortcut.momentum = momentum;
        st.shortcut.forward(l.shortcut, in);
      }
      for (std::size_t b = 0; b < B; ++b) {
        const auto& bo = st.body.output(b);
        T* y = std::get<I>(acts[b]).data();
        for (std::size_t i = 0; i < bo.size(); ++i) {
          if constexpr (L::projected) y[i] = bo[i] + st.shortcut.output(b)[i];
          else y[i] = bo[i] + in[b][i];
        }
      }
    } else {
      for (std::size_t b = 0; b < B; ++b) l.forward(in[b], std::get<I>(acts[b]).data(), scratch.data());
    }
  }
  template <std::size_t I, class G>
  constexpr void backward_layer(const Net& net, const T* const (&xs)[B], G& g) {
    ::ctml::detail::side_effect_fence();
    using L = typename Net::template layer_type<I>;
    const L& l = net.template layer<I>();
    constexpr std::size_t r = layers - 1 - I;  // steps taken so far
    auto lg = shapes::template layer_gradients<I>(g);
    const T* x[B];
    inputs_of<I>(xs, x);
    const T* dy[B];
    T* dx[B];
    for (std::size_t b = 0; b < B; ++b) {
      dy[b] = dbuf[r % 2][b].data();
      dx[b] = dbuf[(r + 1) % 2][b].data();
    }
    if constexpr (is_batchnorm<L>) {
      batchnorm_train_backward(l, x, dy, dx, lg);
    } else if constexpr (detail::batch_layer_state<L, B>::nested) {
      auto& st = std::get<I>(states);
      auto [body_g, short_g] = detail::residual_branch_gradients<L>(lg);
      st.body.backward(l.body, x, dy, body_g);
      constexpr std::size_t n_in = L::input_type::size();
      if constexpr (L::projected) {
        st.shortcut.backward(l.shortcut, x, dy, short_g);
        for (std::size_t b = 0; b < B; ++b)
          for (std::size_t i = 0; i < n_in; ++i) dx[b][i] = st.body.input_gradient(b)[i] + st.shortcut.input_gradient(b)[i];
      } else {
        for (std::size_t b = 0; b < B; ++b)
          for (std::size_t i = 0; i < n_in; ++i) dx[b][i] = st.body.input_gradient(b)[i] + dy[b][i];
      }
    } else {
      if constexpr (!Trainable<L>) require_trainable<L>();  // the one error, with the list
      else
        for (std::size_t b = 0; b < B; ++b) backward_op<L>::run(l, x[b], std::get<I>(acts[b]).data(), dy[b], dx[b], lg);
    }
  }
};

namespace detail {
template <class L, std::size_t... K>
constexpr void mark_statistics(bool* out, std::index_sequence<K...>) {
  ((out[K] = is_statistic<L, K>::value), ...);
}
template <class Net, std::size_t... I>
constexpr auto statistics_mask(std::index_sequence<I...>) {
  std::array<bool, std::tuple_size_v<Gradients<Net>>> mask{};
  std::size_t base = 0;
  ((mark_statistics<typename Net::template layer_type<I>>(
        mask.data() + base, std::make_index_sequence<param_tensors<typename Net::template layer_type<I>>>{}),
    base += param_tensors<typename Net::template layer_type<I>>),
   ...);
  return mask;
}
}  // namespace detail

// statistic_tensors<Net>[k]: parameter tensor k (in net.parameters() order) holds statistics
// (BatchNorm's running mean and variance), not trainable weights.
template <class Net>
inline constexpr auto statistic_tensors = detail::statistics_mask<Net>(std::make_index_sequence<Net::layer_count>{});

// A residual block's parameters are its body's, then its shortcut's: so are its statistics.
template <class T, ShapeType In, Layer Body, class Short, std::size_t K>
struct is_statistic<ResidualLayer<T, In, Body, Short>, K> : std::bool_constant<[] {
  constexpr std::size_t nb = std::tuple_size_v<Gradients<Body>>;
  if constexpr (K < nb) return statistic_tensors<Body>[K];
  else if constexpr (ResidualLayer<T, In, Body, Short>::projected) return statistic_tensors<Short>[K - nb];
  else return false;
}()> {};

}  // namespace ctml::train
