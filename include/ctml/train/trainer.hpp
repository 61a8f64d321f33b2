// SPDX-License-Identifier: Apache-2.0
#pragma once
// Training walks over a network: forward that keeps every activation, backward through the chain,
// statically sized gradient buffers shaped like Net::parameters(). All storage is inside the
// trainer object (make it static on a device); train_arena_bytes says how much.
//
//   Trainer<Net>          one sample at a time; BatchNorm in inference mode (running statistics
//                         held fixed). train::train_arena_bytes<Net> is its storage.
//   BatchTrainer<Net, B>  a mini-batch of B samples layer by layer (all samples through layer I
//                         before layer I + 1), so BatchNorm normalises with the batch's statistics
//                         and updates its running statistics (momentum, as PyTorch's train mode).
//
// Both are one walk, detail::TrainWalk<Net, B, BatchNormMode>: a Trainer is the walk with B = 1
// and BatchNorm's running statistics, plus the one-sample calls. Residual blocks hold nested walks
// of the same kind for their body and projection, which write their parameter gradients straight
// into the outer trainer's.
//   static ctml::train::Trainer<Net> tr;
//   tr.zero_grad();
//   for (sample in batch) { auto& z = tr.forward(net, x); loss(z, ..., dz); tr.backward(net, x, dz); }
//   opt.step(net, tr.gradients(), 1.0f / batch);
//
//   static ctml::train::BatchTrainer<Net, 8> tr;
//   tr.zero_grad(); tr.forward(net, xs);  loss gradients into dys (B x outputs);  tr.backward(net, xs, dys);
//   opt.step(net, tr.gradients(), 1.0f / 8);
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

namespace detail {
// How a training walk runs BatchNorm: with its running statistics held fixed (inference mode, as
// one sample cannot give batch statistics) or with the mini-batch's statistics (training mode).
enum class BatchNormMode { running, batch };

// Top = false: a walk nested in a residual block's state; it owns no gradient storage.
template <class Net, std::size_t B, BatchNormMode M, bool Top = true>
struct TrainWalk;

struct NoState {};
// What a layer needs kept for backward besides its outputs: nothing, except for a residual block,
// whose body (and projection shortcut) keep their own activations in nested walks.
template <class L, std::size_t B, BatchNormMode M>
struct layer_train_state {
  static constexpr bool nested = false;
};
template <class T, ShapeType In, Layer Body, class Short, std::size_t B, BatchNormMode M>
struct layer_train_state<ResidualLayer<T, In, Body, Short>, B, M> {
  static constexpr bool nested = true;
  static constexpr bool projected = ResidualLayer<T, In, Body, Short>::projected;
  TrainWalk<Body, B, M, false> body{};
  [[no_unique_address]] std::conditional_t<projected, TrainWalk<Short, B, M, false>, NoState> shortcut{};
  static constexpr std::size_t bytes = [] {
    if constexpr (projected)
      return TrainWalk<Body, B, M, false>::train_arena_bytes + TrainWalk<Short, B, M, false>::train_arena_bytes;
    else
      return TrainWalk<Body, B, M, false>::train_arena_bytes;
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

template <class Net, std::size_t B, BatchNormMode M, class Seq = std::make_index_sequence<Net::layer_count>>
struct states_of;
template <class Net, std::size_t B, BatchNormMode M, std::size_t... I>
struct states_of<Net, B, M, std::index_sequence<I...>> {
  using type = std::tuple<layer_train_state<typename Net::template layer_type<I>, B, M>...>;
  static constexpr std::size_t nested_bytes = (std::size_t{0} + ... + [] {
    using St = layer_train_state<typename Net::template layer_type<I>, B, M>;
    if constexpr (St::nested) return St::bytes;
    else return std::size_t{0};
  }());
};

template <class T>
struct Momentum {
  T momentum = T(0.1);  // running = (1 - momentum) * running + momentum * batch statistic
};

// The walk: B samples, each layer's forward for all of them before the next layer; backward in
// reverse, two ping-pong gradient buffers per sample.
template <class Net, std::size_t B, BatchNormMode M, bool Top>
struct TrainWalk : std::conditional_t<M == BatchNormMode::batch, Momentum<typename Net::input_value>, NoState> {
  static_assert(Net::uniform, "ctml::train: a trained network must use one element type");
  static_assert(B >= 1, "ctml::train::BatchTrainer: the batch needs at least one sample");
  using T = typename Net::input_value;
  using input_type = typename Net::input_type;
  using output_type = typename Net::output_type;
  static constexpr std::size_t layers = Net::layer_count, batch = B;

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
      return (std::size_t{0} + ... + param_tensors<typename Net::template layer_type<J>>);
    }(std::make_index_sequence<I>{});
  }

  static constexpr std::size_t max_activation = max_size(std::make_index_sequence<layers>{});
  using activations_type = typename activations_of<Net>::type;
  using gradients_type = Gradients<Net>;
  using states_type = typename states_of<Net, B, M>::type;
  using scratch_type = Tensor<T, Shape<max_scratch(std::make_index_sequence<layers>{})>>;

  activations_type acts[B]{};
  [[no_unique_address]] std::conditional_t<Top, gradients_type, NoState> grads{};
  Tensor<T, Shape<max_activation>> dbuf[2][B]{};
  scratch_type scratch{};
  states_type states{};

  // Memory a training step needs besides the model, its gradients and the optimizer state: every
  // activation of the B samples (backward reads them), two gradient ping-pong buffers per sample,
  // the forward scratch, and the same for the insides of residual blocks.
  static constexpr std::size_t train_arena_bytes =
      sizeof(acts) + sizeof(dbuf) + sizeof(scratch) + states_of<Net, B, M>::nested_bytes;

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
    }(std::make_index_sequence<param_tensors<typename Net::template layer_type<I>>>{});
  }

  // Layer I's output for sample b after forward() (the network's output is layer layers - 1's).
  template <std::size_t I>
  constexpr const auto& activation(std::size_t b = 0) const {
    return std::get<I>(acts[b]);
  }
  constexpr const output_type& output(std::size_t b) const { return std::get<layers - 1>(acts[b]); }
  // dL/dx of sample b after backward().
  constexpr const T* input_gradient(std::size_t b) const { return dbuf[layers % 2][b].data(); }

  // Forward of xs[0..B) keeping every activation. With BatchNormMode::batch, BatchNorm layers use
  // and update batch statistics, so the network is written (N = Net); otherwise N may be const.
  template <class N>
    requires std::is_same_v<std::remove_const_t<N>, Net>
  constexpr void forward(N& net, const T* const (&xs)[B]) {
    static_assert(M == BatchNormMode::running || !std::is_const_v<N>,
                  "ctml::train::BatchTrainer: training-mode BatchNorm updates the running statistics, so "
                  "forward() needs the network as non-const");
    [&]<std::size_t... I>(std::index_sequence<I...>) { (forward_layer<I>(net, xs), ...); }(std::make_index_sequence<layers>{});
  }

  // Accumulates into g (references shaped like net.parameters()) the parameter gradients of the
  // samples last passed to forward(); dys[b] = dL/d(output of sample b).
  template <class G>
  constexpr void backward(const Net& net, const T* const (&xs)[B], const T* const (&dys)[B], G&& g) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t i = 0; i < output_type::size(); ++i) dbuf[0][b][i] = dys[b][i];
    [&]<std::size_t... R>(std::index_sequence<R...>) {
      (backward_layer<layers - 1 - R>(net, xs, g), ...);
    }(std::make_index_sequence<layers>{});
  }

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
  template <std::size_t I, class N>
  constexpr void forward_layer(N& net, const T* const (&xs)[B]) {
    ::ctml::detail::side_effect_fence();
    using L = typename Net::template layer_type<I>;
    auto& l = net.template layer<I>();
    const T* in[B];
    inputs_of<I>(xs, in);
    if constexpr (M == BatchNormMode::batch && is_batchnorm<L>) {
      T* out[B];
      for (std::size_t b = 0; b < B; ++b) out[b] = std::get<I>(acts[b]).data();
      batchnorm_train_forward(l, in, out, this->momentum);
    } else if constexpr (layer_train_state<L, B, M>::nested) {
      // Residual block: y = body(x) + shortcut(x), both through nested walks.
      auto& st = std::get<I>(states);
      if constexpr (M == BatchNormMode::batch) st.body.momentum = this->momentum;
      st.body.forward(l.body, in);
      if constexpr (L::projected) {
        if constexpr (M == BatchNormMode::batch) st.shortcut.momentum = this->momentum;
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
    auto lg = layer_gradients<I>(g);
    const T* x[B];
    inputs_of<I>(xs, x);
    const T* dy[B];
    T* dx[B];
    for (std::size_t b = 0; b < B; ++b) {
      dy[b] = dbuf[r % 2][b].data();
      dx[b] = dbuf[(r + 1) % 2][b].data();
    }
    if constexpr (M == BatchNormMode::batch && is_batchnorm<L>) {
      batchnorm_train_backward(l, x, dy, dx, lg);
    } else if constexpr (layer_train_state<L, B, M>::nested) {
      // dy reaches both branches; dx is the sum of what they send back. The block's parameters
      // are the body's followed by the shortcut's.
      auto& st = std::get<I>(states);
      auto [body_g, short_g] = residual_branch_gradients<L>(lg);
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
}  // namespace detail

// One sample at a time, BatchNorm in inference mode.
template <class Net>
struct Trainer : detail::TrainWalk<Net, 1, detail::BatchNormMode::running> {
  using Walk = detail::TrainWalk<Net, 1, detail::BatchNormMode::running>;
  using T = typename Walk::T;
  using typename Walk::input_type;
  using typename Walk::output_type;

  constexpr const output_type& forward(const Net& net, const input_type& x) { return forward(net, x.data()); }
  constexpr const output_type& forward(const Net& net, const T* x) {
    const T* const xs[1] = {x};
    Walk::forward(net, xs);
    return this->output(0);
  }
  // Accumulates parameter gradients for the sample x last passed to forward(); dy = dL/d(output).
  constexpr void backward(const Net& net, const input_type& x, const T* dy) {
    backward(net, x.data(), dy, std::apply([](auto&... g) { return std::tie(g...); }, this->grads));
  }
  // The same, accumulating into g (a tuple of references shaped like net.parameters()).
  template <class G>
  constexpr void backward(const Net& net, const T* x, const T* dy, G&& g) {
    const T* const xs[1] = {x};
    const T* const dys[1] = {dy};
    Walk::backward(net, xs, dys, g);
  }
  // dL/dx of the sample after backward().
  constexpr const T* input_gradient() const { return Walk::input_gradient(0); }
};

// RAM a per-sample training step of Net needs besides the model, its gradients and the optimizer
// state: a compile-time fact to static_assert against a budget, like Net::arena_bytes.
template <class Net>
inline constexpr std::size_t train_arena_bytes = Trainer<Net>::train_arena_bytes;

// A mini-batch of B samples, BatchNorm in training mode (batch statistics, running statistics
// updated with `momentum`).
template <class Net, std::size_t B>
struct BatchTrainer : detail::TrainWalk<Net, B, detail::BatchNormMode::batch> {
  using Walk = detail::TrainWalk<Net, B, detail::BatchNormMode::batch>;
  using T = typename Walk::T;
  using typename Walk::input_type;
  using typename Walk::output_type;
  using Walk::backward;
  using Walk::forward;

  // Training-mode forward of xs[0..B).
  constexpr void forward(Net& net, const input_type* xs) {
    ::ctml::detail::side_effect_fence();
    const T* x[B];
    for (std::size_t b = 0; b < B; ++b) x[b] = xs[b].data();
    Walk::forward(net, x);
  }
  // Accumulates parameter gradients of the batch last passed to forward(); dys holds B output
  // gradients one after the other (dL/d output of sample b at dys + b * output size).
  constexpr void backward(const Net& net, const input_type* xs, const T* dys) {
    const T* x[B];
    const T* dy[B];
    for (std::size_t b = 0; b < B; ++b) {
      x[b] = xs[b].data();
      dy[b] = dys + b * output_type::size();
    }
    Walk::backward(net, x, dy, std::apply([](auto&... g) { return std::tie(g...); }, this->grads));
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
