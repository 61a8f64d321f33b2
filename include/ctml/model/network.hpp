// SPDX-License-Identifier: Apache-2.0
#pragma once
// Network<List>: a chain of layers held in a LayerPack (Sequential) or a user aggregate (PFR).
//
//   static constexpr std::size_t arena_bytes;   // activation RAM, planned at compile time
//   static constexpr std::size_t param_count, param_bytes, macs;
//   model(in, out, arena);                      // run in a caller-provided arena, no heap
//   constexpr output_type infer(in);            // same, with an arena of its own; usable in
//                                               // constant expressions (static_assert)
//   model.forward_batch<B>(in, out, n, arena);  // n inputs, B at a time through every layer
//   static constexpr std::size_t batch_arena_bytes<B>, batch_block;
// Networks with a StatefulLayer (core/concepts.hpp) advance one step per call and keep what
// persists in a caller-owned state, like the arena:
//   static constexpr bool stateful;  using state_type;  static constexpr std::size_t state_bytes;
//   model.reset(state);  model(in, out, arena, state);  infer(in, state);
// A Network is itself a Layer, so networks nest (residual bodies, blocks).
#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/concepts.hpp>
#include <ctml/model/layer_list.hpp>
#include <ctml/model/plan.hpp>
#include <ctml/model/state.hpp>

namespace ctml {

namespace detail {
// Instantiated for each link of an aggregate model; when it fails, the compiler's note shows the
// failing index and both tensor types.
template <std::size_t LayerIndex, class Produced, class Expected>
struct check_link {
  static_assert(std::is_same_v<Produced, Expected>,
                "ctml: shape mismatch between consecutive layers: layer LayerIndex produces "
                "Produced but layer LayerIndex+1 expects Expected (see the template arguments of "
                "check_link in this error)");
  static constexpr bool value = std::is_same_v<Produced, Expected>;
};

template <class L, std::size_t I>
concept LayerAt = Layer<L>;

// Arena access. At run time the arena is raw bytes; in a constant expression (and when a Network
// runs as a nested layer) it is an array of the network's single element type.
struct ByteArena {
  std::byte* base;
  template <class T>
  T* at(std::size_t byte_offset) const {
    return reinterpret_cast<T*>(base + byte_offset);
  }
};
template <class E>
struct TypedArena {
  E* base;
  template <class T>
  constexpr T* at(std::size_t byte_offset) const {
    static_assert(std::is_same_v<T, E>,
                  "ctml: a typed arena needs one element type throughout the network; use the "
                  "std::byte arena overload of operator() for mixed-type networks");
    return base + byte_offset / sizeof(E);
  }
};
}  // namespace detail

template <class List>
struct Network {
  using list = layer_list<List>;
  static constexpr std::size_t layer_count = list::size;
  static_assert(layer_count > 0, "ctml::Network: a network needs at least one layer");

  template <std::size_t I>
  using layer_type = typename list::template type<I>;

 private:
  template <std::size_t... I>
  static constexpr bool all_layers(std::index_sequence<I...>) {
    return (Layer<layer_type<I>> && ...);
  }
  static_assert(all_layers(std::make_index_sequence<layer_count>{}),
                "ctml::Network: every member must be a ctml::Layer (input_type and output_type "
                "Tensor types and a forward(in, out, scratch) member)");

  template <std::size_t... I>
  static constexpr bool links_ok(std::index_sequence<I...>) {
    return (detail::check_link<I, typename layer_traits<layer_type<I>>::output_type,
                               typename layer_traits<layer_type<I + 1>>::input_type>::value &&
            ...);
  }
  static_assert(links_ok(std::make_index_sequence<layer_count - 1>{}));

  // One layer's facts for the planner; overlapping needs one element type on both sides.
  template <class L>
  static constexpr plan::StepFacts step_fact() {
    using Tr = layer_traits<L>;
    constexpr bool same_type = std::is_same_v<typename Tr::input_value, typename Tr::output_value>;
    return {Tr::input_type::size_bytes(), Tr::output_type::size_bytes(), Tr::scratch_bytes,
            Tr::in_place && same_type, same_type ? Tr::in_place_lead : no_lead};
  }
  template <std::size_t... I>
  static constexpr auto step_facts(std::index_sequence<I...>) {
    return std::array<plan::StepFacts, layer_count>{step_fact<layer_type<I>>()...};
  }

  template <std::size_t... I>
  static constexpr bool uniform_types(std::index_sequence<I...>) {
    using T = typename layer_traits<layer_type<0>>::input_value;
    return ((std::is_same_v<typename layer_traits<layer_type<I>>::output_value, T> &&
             (layer_traits<layer_type<I>>::scratch_size == 0 ||
              std::is_same_v<typename layer_traits<layer_type<I>>::scratch_value, T>)) &&
            ...);
  }

 public:
  using input_type = typename layer_traits<layer_type<0>>::input_type;
  using output_type = typename layer_traits<layer_type<layer_count - 1>>::output_type;
  using input_shape = typename input_type::shape_type;
  using output_shape = typename output_type::shape_type;
  using input_value = typename input_type::value_type;
  using output_value = typename output_type::value_type;

  // What the planner knows of each layer (bytes in, out, scratch; in place or with a lead) and
  // what it decided (model/plan.hpp).
  static constexpr std::array<plan::StepFacts, layer_count> plan_facts = step_facts(std::make_index_sequence<layer_count>{});
  static constexpr plan::Plan<layer_count> memory_plan = plan::make_plan(plan_facts);

  // Bytes of activation memory forward() needs besides the caller's input and output tensors.
  static constexpr std::size_t arena_bytes = memory_plan.arena_bytes;

  // True when every activation and scratch has the input's element type; such networks can run in
  // constant expressions and nest as layers.
  static constexpr bool uniform = uniform_types(std::make_index_sequence<layer_count>{});

  // Layer protocol, so a Network nests inside another (Residual bodies, Blocks).
  using scratch_value_type = std::conditional_t<uniform, input_value, std::byte>;
  static constexpr std::size_t scratch_size = arena_bytes / sizeof(scratch_value_type);
  static constexpr std::string_view name = "Network";

 private:
  template <std::size_t... I>
  static constexpr std::size_t sum_macs(std::index_sequence<I...>) {
    return (std::size_t{0} + ... + layer_traits<layer_type<I>>::macs);
  }
  template <std::size_t... I>
  static constexpr std::size_t sum_params(std::index_sequence<I...>) {
    return (std::size_t{0} + ... + layer_traits<layer_type<I>>::param_count);
  }
  template <std::size_t... I>
  static constexpr std::size_t sum_param_bytes(std::index_sequence<I...>) {
    return (std::size_t{0} + ... + layer_traits<layer_type<I>>::param_bytes);
  }

 public:
  static constexpr std::size_t macs = sum_macs(std::make_index_sequence<layer_count>{});
  static constexpr std::size_t param_count = sum_params(std::make_index_sequence<layer_count>{});
  static constexpr std::size_t param_bytes = sum_param_bytes(std::make_index_sequence<layer_count>{});

  // ---- state -----------------------------------------------------------------------------------
 private:
  template <std::size_t... I>
  static constexpr auto state_pack(std::index_sequence<I...>) -> StatePack<typename layer_traits<layer_type<I>>::state_type...>;

 public:
  // True when a layer keeps state between calls; such a network runs with a state argument.
  static constexpr bool stateful = []<std::size_t... I>(std::index_sequence<I...>) {
    return (layer_traits<layer_type<I>>::stateful || ...);
  }(std::make_index_sequence<layer_count>{});
  // One member per layer (NoState where there is none); reset() gives the initial state.
  using state_type = decltype(state_pack(std::make_index_sequence<layer_count>{}));
  // Bytes of persistent state: the sum of the stateful layers' states (0 for a stateless network).
  static constexpr std::size_t state_bytes = []<std::size_t... I>(std::index_sequence<I...>) {
    return (std::size_t{0} + ... + layer_traits<layer_type<I>>::state_bytes);
  }(std::make_index_sequence<layer_count>{});

  constexpr void reset(state_type& state) const {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (reset_layer<I>(state), ...);
    }(std::make_index_sequence<layer_count>{});
  }

 private:
  template <std::size_t I>
  constexpr void reset_layer(state_type& state) const {
    if constexpr (layer_traits<layer_type<I>>::stateful) layer<I>().reset(state_at<I>(state));
  }

 public:

  List layers;

  template <std::size_t I>
  constexpr auto& layer() noexcept { return list::template get<I>(layers); }
  template <std::size_t I>
  constexpr const auto& layer() const noexcept { return list::template get<I>(layers); }

  // All parameter tensors of all layers, in order, as one tuple of references.
  constexpr auto parameters() {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tuple_cat(parameters_of(layer<I>())...);
    }(std::make_index_sequence<layer_count>{});
  }
  constexpr auto parameters() const {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tuple_cat(parameters_of(layer<I>())...);
    }(std::make_index_sequence<layer_count>{});
  }

  // Run in a caller arena of at least arena_bytes bytes, aligned to 16. A static array is checked
  // at compile time; a span (e.g. a linker-placed region) is checked at run time and a short one
  // traps rather than overrun memory.
  template <std::size_t N>
  void operator()(const input_type& in, output_type& out, std::byte (&arena)[N]) const {
    require_stateless();
    static_assert(N >= arena_bytes, "ctml: the arena passed to the model is smaller than "
                                    "Model::arena_bytes");
    run(in.data(), out.data(), detail::ByteArena{arena}, no_state());
  }
  void operator()(const input_type& in, output_type& out, std::span<std::byte> arena) const {
    require_stateless();
    if (arena.size() < arena_bytes) __builtin_trap();
    run(in.data(), out.data(), detail::ByteArena{arena.data()}, no_state());
  }
  // One step of a stateful network (also accepted by a stateless one, whose state is empty).
  template <std::size_t N>
  void operator()(const input_type& in, output_type& out, std::byte (&arena)[N], state_type& state) const {
    static_assert(N >= arena_bytes, "ctml: the arena passed to the model is smaller than "
                                    "Model::arena_bytes");
    run(in.data(), out.data(), detail::ByteArena{arena}, &state);
  }
  void operator()(const input_type& in, output_type& out, std::span<std::byte> arena, state_type& state) const {
    if (arena.size() < arena_bytes) __builtin_trap();
    run(in.data(), out.data(), detail::ByteArena{arena.data()}, &state);
  }
  // Anything else is a usage error; say which.
  template <class In, class Out, class A>
  void operator()(const In&, Out&, A&&) const {
    static_assert(std::is_same_v<In, input_type>,
                  "ctml: model input has the wrong tensor type; use Model::input_type");
    static_assert(std::is_same_v<Out, output_type>,
                  "ctml: model output has the wrong tensor type; use Model::output_type");
    static_assert(std::is_same_v<In, input_type> && std::is_same_v<Out, output_type>,
                  "ctml: the arena must be std::byte storage: a std::byte[N] array or a "
                  "std::span<std::byte>");
  }

  // Nested-layer entry point: scratch is this network's arena.
  constexpr void forward(const input_value* in, output_value* out, scratch_value_type* scratch) const {
    require_stateless();
    if constexpr (uniform) run(in, out, detail::TypedArena<input_value>{scratch}, no_state());
    else run(in, out, detail::ByteArena{scratch}, no_state());
  }
  // ... and a nested stateful network (a StatefulLayer itself).
  constexpr void forward(const input_value* in, output_value* out, scratch_value_type* scratch, state_type& state) const {
    if constexpr (uniform) run(in, out, detail::TypedArena<input_value>{scratch}, &state);
    else run(in, out, detail::ByteArena{scratch}, &state);
  }

  // Returns the output; the arena is a local array. Meant for constant expressions and tests:
  // on a device prefer operator() with a static arena.
  constexpr output_type infer(const input_type& in) const {
    require_stateless();
    return infer_with(in, no_state());
  }
  constexpr output_type infer(const input_type& in, state_type& state) const { return infer_with(in, &state); }

 private:
  static constexpr state_type* no_state() { return nullptr; }
  constexpr output_type infer_with(const input_type& in, state_type* state) const {
    output_type out{};
    if constexpr (uniform) {
      std::array<input_value, scratch_size == 0 ? 1 : scratch_size> arena{};
      run(in.data(), out.data(), detail::TypedArena<input_value>{arena.data()}, state);
    } else {
      // Layers with other scratch types (an int8 LSTM's int16 gates): a byte arena, which a
      // constant expression cannot reinterpret, so this runs at run time only.
      alignas(16) std::array<std::byte, arena_bytes == 0 ? 1 : arena_bytes> arena{};
      run(in.data(), out.data(), detail::ByteArena{arena.data()}, state);
    }
    return out;
  }
  // The entry points without a state argument, on a stateful network: one message for all.
  static constexpr void require_stateless() {
    static_assert(!stateful, "ctml: this network keeps state between calls (a StatefulLayer; Model::stateful): pass a "
                             "Model::state_type: model(in, out, arena, state), infer(in, state)");
  }

 public:

  // ---- batches -------------------------------------------------------------------------------
  // n inputs (in: n x input_type::size() values, out: n x output_type::size(), contiguous) through
  // the network B at a time: every activation holds B inputs, layers with a batched kernel
  // (forward_batch: sparse CSR Dense, ...) take all B in one pass over their weights, the others
  // run input by input. The memory plan is the single-input one with B-fold activations and each
  // layer's batch scratch, so batch_arena_bytes<B> is as exact as arena_bytes.
 private:
  template <class L>
  static constexpr bool batched_layer = requires(const L& l, const typename layer_traits<L>::input_value* i,
                                                 typename layer_traits<L>::output_value* o,
                                                 typename layer_traits<L>::scratch_value* s) {
    { L::batch_scratch_size } -> std::convertible_to<std::size_t>;
    { L::batch_block } -> std::convertible_to<std::size_t>;
    l.forward_batch(i, o, std::size_t{1}, s);
  };
  template <class L>
  static constexpr std::size_t batch_scratch_bytes() {
    if constexpr (batched_layer<L>) return L::batch_scratch_size * sizeof(typename layer_traits<L>::scratch_value);
    else return layer_traits<L>::scratch_bytes;
  }
  template <std::size_t B, std::size_t... I>
  static constexpr auto batch_step_facts(std::index_sequence<I...> seq) {
    // The single-input facts with B-fold activations and the batch scratch. Batched kernels read
    // all B inputs before writing: never in place. A lead is worked out for one input, not for B
    // run one after another: none.
    auto facts = step_facts(seq);
    ((facts[I].in_bytes *= B, facts[I].out_bytes *= B, facts[I].scratch_bytes = batch_scratch_bytes<layer_type<I>>(),
      facts[I].in_place = facts[I].in_place && !batched_layer<layer_type<I>>, facts[I].lead = no_lead), ...);
    return facts;
  }
  template <std::size_t... I>
  static constexpr std::size_t max_batch_block(std::index_sequence<I...>) {
    std::size_t b = 1;
    ((b = std::max(b, [] {
        if constexpr (batched_layer<layer_type<I>>) return std::size_t{layer_type<I>::batch_block};
        else return std::size_t{1};
      }())), ...);
    return b;
  }

 public:
  // The batch size the layers' batched kernels take per pass (1: no layer has one).
  static constexpr std::size_t batch_block = max_batch_block(std::make_index_sequence<layer_count>{});
  template <std::size_t B>
  static constexpr plan::Plan<layer_count> batch_plan =
      plan::make_plan(batch_step_facts<B>(std::make_index_sequence<layer_count>{}));
  // Arena bytes forward_batch<B> needs (B inputs in flight).
  template <std::size_t B>
  static constexpr std::size_t batch_arena_bytes = batch_plan<B>.arena_bytes;

  template <std::size_t B = batch_block, std::size_t N>
  void forward_batch(const input_value* in, output_value* out, std::size_t n, std::byte (&arena)[N]) const {
    static_assert(B > 0, "ctml: forward_batch<B> needs B >= 1");
    static_assert(!stateful, "ctml: forward_batch runs independent inputs; a stateful network takes one step at a time");
    static_assert(N >= batch_arena_bytes<B>, "ctml: the arena passed to forward_batch<B> is smaller than "
                                             "Model::batch_arena_bytes<B>");
    run_batch<B>(in, out, n, detail::ByteArena{arena});
  }
  template <std::size_t B = batch_block>
  void forward_batch(const input_value* in, output_value* out, std::size_t n, std::span<std::byte> arena) const {
    static_assert(B > 0, "ctml: forward_batch<B> needs B >= 1");
    static_assert(!stateful, "ctml: forward_batch runs independent inputs; a stateful network takes one step at a time");
    if (arena.size() < batch_arena_bytes<B>) __builtin_trap();
    run_batch<B>(in, out, n, detail::ByteArena{arena.data()});
  }

 private:
  template <std::size_t B, class Arena>
  void run_batch(const input_value* in, output_value* out, std::size_t n, Arena arena) const {
    constexpr std::size_t in_n = input_type::size(), out_n = output_type::size();
    for (std::size_t f = 0; f < n; f += B) {
      const std::size_t m = n - f < B ? n - f : B;
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (batch_step<B, I>(in + f * in_n, out + f * out_n, m, arena), ...);
      }(std::make_index_sequence<layer_count>{});
    }
  }

  template <std::size_t B, std::size_t I, class Arena>
  void batch_step(const input_value* in, output_value* out, std::size_t m, Arena arena) const {
    using L = layer_type<I>;
    using Tr = layer_traits<L>;
    const auto [src, dst, scratch] = io_of<batch_plan<B>, I, (batch_scratch_bytes<L>() > 0)>(in, out, arena);
    if constexpr (batched_layer<L>) {
      layer<I>().forward_batch(src, dst, m, scratch);
    } else {
      constexpr std::size_t a = Tr::input_type::size(), b = Tr::output_type::size();
      for (std::size_t f = 0; f < m; ++f) layer<I>().forward(src + f * a, dst + f * b, scratch);
    }
  }

 private:
  // `state` is null only for stateless networks.
  template <class Arena>
  constexpr void run(const input_value* in, output_value* out, Arena arena, state_type* state) const {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (step<I>(in, out, arena, state), ...);
    }(std::make_index_sequence<layer_count>{});
  }

  // Layer I's input, output and scratch under plan P: the caller's tensors or arena offsets.
  template <const plan::Plan<layer_count>& P, std::size_t I, bool with_scratch, class Arena>
  static constexpr auto io_of(const input_value* in, output_value* out, Arena arena) {
    using Tr = layer_traits<layer_type<I>>;
    struct Buffers {
      const typename Tr::input_value* src;
      typename Tr::output_value* dst;
      typename Tr::scratch_value* scratch;
    } b{};
    if constexpr (P.where[I] == plan::Where::input) b.src = in;
    else if constexpr (P.where[I] == plan::Where::output) b.src = out;
    else b.src = arena.template at<typename Tr::input_value>(P.offset[I]);
    if constexpr (P.where[I + 1] == plan::Where::output) b.dst = out;
    else b.dst = arena.template at<typename Tr::output_value>(P.offset[I + 1]);
    if constexpr (with_scratch) b.scratch = arena.template at<typename Tr::scratch_value>(P.scratch_offset[I]);
    return b;
  }

  template <std::size_t I, class Arena>
  constexpr void step(const input_value* in, output_value* out, Arena arena, state_type* state) const {
    const auto [src, dst, scratch] =
        io_of<memory_plan, I, (layer_traits<layer_type<I>>::scratch_size > 0)>(in, out, arena);
    if constexpr (layer_traits<layer_type<I>>::stateful) layer<I>().forward(src, dst, scratch, state_at<I>(*state));
    else layer<I>().forward(src, dst, scratch);
  }
};

// Network over a list of concrete layers (what a Block or Sequential binds to).
template <Layer... Ls>
using Chain = Network<LayerPack<Ls...>>;

}  // namespace ctml
