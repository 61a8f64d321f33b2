// SPDX-License-Identifier: Apache-2.0
#pragma once
// The requirements the library is written against.
//
//   TensorLike  contiguous storage with a compile-time Shape: value_type, shape_type, data(), size().
//   Layer       a concrete layer: input_type/output_type are Tensor types (shape and element type
//               known at compile time) and forward(in, out, scratch) maps one to the other.
//   LayerSpec   a shape-agnostic description (Dense<32>, ReLU) that binds to a Layer once the
//               element type and input shape are known: Spec::bind<T, InShape>.
//
// Optional layer members, with the defaults layer_traits supplies when they are absent:
//   static constexpr std::size_t scratch_size   elements of scratch_value_type forward needs (0)
//   using scratch_value_type                    element type of that scratch (output value type)
//   static constexpr bool in_place              forward tolerates out aliasing in (false)
//   static constexpr std::size_t macs           multiply-accumulates per inference (0)
//   constexpr auto parameters()                 std::tuple of references to parameter tensors
//   static constexpr std::string_view name      shown by summaries ("layer")
//
//   StatefulLayer  a layer with state that persists between calls (a streaming window, a
//               recurrent cell, a running normaliser). The state is not in the layer (whose
//               forward stays const, so the model can live in flash) nor in the arena (which is
//               reused by every call): it is a separate object the caller owns, like the arena.
//                 using state_type = ...;                       trivially copyable aggregate
//                 constexpr void reset(state_type&) const;      the initial state
//                 constexpr void forward(in, out, scratch, state_type&) const;   one step
//               Networks collect their layers' states (Model::state_type, Model::state_bytes, a
//               compile-time fact like arena_bytes) and run them with model(in, out, arena, state).
#include <concepts>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/shape.hpp>
#include <ctml/core/tensor.hpp>

namespace ctml {

template <class T>
concept TensorLike = requires(T& t) {
  typename T::value_type;
  typename T::shape_type;
  requires ShapeType<typename T::shape_type>;
  { t.data() };
  { T::size() } -> std::convertible_to<std::size_t>;
};

namespace detail {
template <class T>
struct is_tensor : std::false_type {};
template <class T, class S>
struct is_tensor<Tensor<T, S>> : std::true_type {};
}  // namespace detail

template <class T>
concept TensorType = detail::is_tensor<T>::value;

template <class L>
concept Layer = requires {
  typename L::input_type;
  typename L::output_type;
  requires TensorType<typename L::input_type>;
  requires TensorType<typename L::output_type>;
};

template <class L>
concept StatefulLayer = Layer<L> && requires { typename L::state_type; } &&
                        std::is_trivially_copyable_v<typename L::state_type> &&
                        requires(const L& l, typename L::state_type& s) { l.reset(s); };

// A layer's in_place_lead when its output may never overlap its input (core/concepts.hpp's
// layer_traits, model/plan.hpp).
inline constexpr std::size_t no_lead = ~std::size_t{0};

// The state of a layer without one: empty, and counted as zero bytes.
struct NoState {};

template <class S, class T, class InShape>
concept LayerSpec = ShapeType<InShape> && requires { typename S::template bind<T, InShape>; } &&
                    Layer<typename S::template bind<T, InShape>>;

// Concrete layer a spec produces for element type T and input shape In.
template <class Spec, class T, ShapeType In>
using bind_t = typename Spec::template bind<T, In>;

namespace detail {
template <class L> concept has_scratch = requires { { L::scratch_size } -> std::convertible_to<std::size_t>; };
template <class L> concept has_scratch_type = requires { typename L::scratch_value_type; };
template <class L> concept has_in_place = requires { { L::in_place } -> std::convertible_to<bool>; };
template <class L> concept has_in_place_lead = requires { { L::in_place_lead } -> std::convertible_to<std::size_t>; };
template <class L> concept has_macs = requires { { L::macs } -> std::convertible_to<std::size_t>; };
template <class L> concept has_name = requires { { L::name } -> std::convertible_to<std::string_view>; };
template <class L> concept has_params = requires(L& l) { l.parameters(); };

template <class L>
struct params_tuple_of { using type = std::tuple<>; };
template <class L>
  requires has_params<L>
struct params_tuple_of<L> { using type = decltype(std::declval<L&>().parameters()); };

template <class Tup>
constexpr std::size_t tuple_elems() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return (std::size_t{0} + ... + std::remove_cvref_t<std::tuple_element_t<I, Tup>>::size());
  }(std::make_index_sequence<std::tuple_size_v<Tup>>{});
}
template <class Tup>
constexpr std::size_t tuple_bytes() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return (std::size_t{0} + ... + std::remove_cvref_t<std::tuple_element_t<I, Tup>>::size_bytes());
  }(std::make_index_sequence<std::tuple_size_v<Tup>>{});
}
}  // namespace detail

// Uniform access to a layer's facts, with defaults for the optional ones.
template <Layer L>
struct layer_traits {
  using input_type = typename L::input_type;
  using output_type = typename L::output_type;
  using input_shape = typename input_type::shape_type;
  using output_shape = typename output_type::shape_type;
  using input_value = typename input_type::value_type;
  using output_value = typename output_type::value_type;

  using scratch_value = typename decltype([] {
    if constexpr (detail::has_scratch_type<L>) return std::type_identity<typename L::scratch_value_type>{};
    else return std::type_identity<output_value>{};
  }())::type;

  static constexpr std::size_t scratch_size = [] {
    if constexpr (detail::has_scratch<L>) return std::size_t{L::scratch_size};
    else return std::size_t{0};
  }();
  static constexpr std::size_t scratch_bytes = scratch_size * sizeof(scratch_value);

  static constexpr bool in_place = [] {
    if constexpr (detail::has_in_place<L>) return bool{L::in_place};
    else return false;
  }();
  // A layer whose output may overlap its input when the output starts in_place_lead bytes before
  // it (in_place: the same address). no_lead: never. See docs/memory-plan.md, "Aliasing contract".
  static constexpr std::size_t in_place_lead = [] {
    if constexpr (detail::has_in_place_lead<L>) return std::size_t{L::in_place_lead};
    else return no_lead;
  }();

  static constexpr std::size_t macs = [] {
    if constexpr (detail::has_macs<L>) return std::size_t{L::macs};
    else return std::size_t{0};
  }();

  static constexpr std::string_view name = [] {
    if constexpr (detail::has_name<L>) return std::string_view{L::name};
    else return std::string_view{"layer"};
  }();

  static constexpr bool stateful = StatefulLayer<L>;
  using state_type = typename decltype([] {
    if constexpr (StatefulLayer<L>) return std::type_identity<typename L::state_type>{};
    else return std::type_identity<NoState>{};
  }())::type;
  static constexpr std::size_t state_bytes = stateful ? sizeof(state_type) : 0;

  using params_tuple = typename detail::params_tuple_of<L>::type;
  static constexpr std::size_t param_count = detail::tuple_elems<params_tuple>();
  static constexpr std::size_t param_bytes = detail::tuple_bytes<params_tuple>();
};

// Parameters of a layer as a tuple of references (empty for parameter-free layers).
template <Layer L>
constexpr auto parameters_of(L& layer) {
  if constexpr (detail::has_params<L>) return layer.parameters();
  else return std::tuple<>{};
}

}  // namespace ctml
