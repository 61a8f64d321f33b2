// SPDX-License-Identifier: Apache-2.0
#pragma once
// Two branches from one input, merged: y = merge(a(x), b(x)).
//
// The blocks converted models contain besides residual additions: inception- and fire-style
// concatenations of parallel convolutions, squeeze-and-excitation's product of a feature map and
// its gates, and the SUB / MAXIMUM / MINIMUM of two computed tensors (TFLite's CONCATENATION, MUL,
// SUB, MAXIMUM, MINIMUM with two activation inputs). Each branch is a network or `Identity` (the
// block's input itself). The merge is a small policy object:
//   merge::Concat<Axis>                 concatenation along Axis (ctml axes: no batch), any T;
//   merge::Elementwise<Op, Act>         float a OP b (ConstOp: add, sub, mul, maximum, minimum),
//                                       then the fused activation;
//   quant::QElementwise<Op>             int8, TFLite's arithmetic (quant/merge_s8.hpp).
// A residual block (model/residual.hpp) is the special case of an addition with an identity or
// projection shortcut, whose body writes straight into the output.
//
// Memory: a non-identity branch writes its output into scratch (a's first, then b's, each
// aligned), followed by the scratch both branches use in turn; the merge then writes the block's
// output. The input stays intact until both branches have read it.
#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/layers/binary_const.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/plan.hpp>
#include <ctml/model/residual.hpp>

namespace ctml {

namespace detail {
template <ShapeType A, ShapeType B, std::size_t Axis>
struct concat_shape {
  static_assert(A::rank == B::rank, "ctml::merge::Concat: the two branches' outputs have different ranks");
  static_assert(Axis < A::rank, "ctml::merge::Concat: the axis is beyond the branches' rank");
  static constexpr bool others_equal = [] {
    for (std::size_t i = 0; i < A::rank; ++i)
      if (i != Axis && A::extents[i] != B::extents[i]) return false;
    return true;
  }();
  static_assert(others_equal, "ctml::merge::Concat: the branches' outputs differ in an axis other than the concatenation axis");
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) -> Shape<(I == Axis ? A::extents[I] + B::extents[I] : A::extents[I])...>;
  using type = decltype(make(std::make_index_sequence<A::rank>{}));
};
}  // namespace detail

namespace merge {

// y = [a, b] along Axis: for every index of the axes before Axis, a's block then b's.
template <std::size_t Axis>
struct Concat {
  template <ShapeType A, ShapeType B>
  using output_shape = typename detail::concat_shape<A, B, Axis>::type;
  static constexpr std::string_view name = "Concat";

  template <ShapeType A, ShapeType B, class T>
  constexpr void apply(const T* a, const T* b, T* out) const {
    constexpr std::size_t outer = [] {
      std::size_t n = 1;
      for (std::size_t i = 0; i < Axis; ++i) n *= A::extents[i];
      return n;
    }();
    constexpr std::size_t ia = A::size / outer, ib = B::size / outer;
    for (std::size_t o = 0; o < outer; ++o) {
      for (std::size_t i = 0; i < ia; ++i) out[o * (ia + ib) + i] = a[o * ia + i];
      for (std::size_t i = 0; i < ib; ++i) out[o * (ia + ib) + ia + i] = b[o * ib + i];
    }
  }
};

// The larger of two shapes whose smaller one repeats along it (broadcasting along the leading
// axes, as a squeeze-and-excitation block multiplies [H, W, C] by [1, 1, C]; the importer checks
// the axes, this checks the sizes).
template <ShapeType A, ShapeType B>
using broadcast_shape = std::conditional_t<(A::size >= B::size), A, B>;
template <ShapeType A, ShapeType B>
inline constexpr bool broadcastable_v = (A::size >= B::size ? A::size % B::size : B::size % A::size) == 0;

// y = act(a OP b), elementwise over the larger output, the smaller one repeating (float).
template <ConstOp Op, Activation Act = Activation::none>
struct Elementwise {
  template <ShapeType A, ShapeType B>
  using output_shape = broadcast_shape<A, B>;
  static constexpr std::string_view name = "Elementwise";

  template <ShapeType A, ShapeType B, class T>
  constexpr void apply(const T* a, const T* b, T* out) const {
    static_assert(broadcastable_v<A, B>, "ctml::merge::Elementwise: one branch's output must repeat along the other's");
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < broadcast_shape<A, B>::size; ++i)
      out[i] = kernels::activate<Act>(apply_const_op<Op>(a[i % A::size], b[i % B::size]));
  }
};

}  // namespace merge

template <class T, ShapeType In, class A, class B, class Merge>
struct MergeLayer {
 private:
  template <class L>
  static constexpr bool identity = std::is_same_v<L, Identity>;
  template <class L>
  static auto branch_output() {
    if constexpr (identity<L>) return std::type_identity<Tensor<T, In>>{};
    else {
      static_assert(std::is_same_v<typename layer_traits<L>::input_type, Tensor<T, In>>,
                    "ctml::MergeLayer: a branch's input does not match the block's input");
      return std::type_identity<typename layer_traits<L>::output_type>{};
    }
  }
  template <class L>
  static constexpr std::size_t branch_scratch() {
    if constexpr (identity<L>) return 0;
    else return layer_traits<L>::scratch_size;
  }
  template <class L>
  static constexpr std::size_t branch_macs() {
    if constexpr (identity<L>) return 0;
    else return layer_traits<L>::macs;
  }

 public:
  using a_output = typename decltype(branch_output<A>())::type;
  using b_output = typename decltype(branch_output<B>())::type;
  using a_shape = typename a_output::shape_type;
  using b_shape = typename b_output::shape_type;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, typename Merge::template output_shape<a_shape, b_shape>>;
  using scratch_value_type = T;
  static constexpr std::string_view name = "Merge";

  // Scratch (elements of T): a's output, b's output, then the branches' own scratch.
  static constexpr std::size_t a_at = 0;
  static constexpr std::size_t b_at = identity<A> ? 0 : plan::align_up(a_output::size_bytes()) / sizeof(T);
  static constexpr std::size_t shared_at = b_at + (identity<B> ? 0 : plan::align_up(b_output::size_bytes()) / sizeof(T));
  static constexpr std::size_t scratch_size =
      shared_at + (branch_scratch<A>() > branch_scratch<B>() ? branch_scratch<A>() : branch_scratch<B>());
  static constexpr std::size_t macs = branch_macs<A>() + branch_macs<B>();

  [[no_unique_address]] A a;
  [[no_unique_address]] B b;
  [[no_unique_address]] Merge merge;

  // The layers inside, for walks over a model's data (ctml/model/serialize.hpp), and the merge's
  // own parameters when it has any.
  constexpr auto sublayers() { return std::tie(a, b); }
  constexpr auto sublayers() const { return std::tie(a, b); }
  constexpr auto buffers()
    requires(!std::is_empty_v<Merge>)
  {
    return merge.buffers();
  }
  constexpr auto buffers() const
    requires(!std::is_empty_v<Merge>)
  {
    return merge.buffers();
  }
  constexpr auto parameters() {
    if constexpr (identity<A> && identity<B>) return std::tuple<>{};
    else if constexpr (identity<A>) return parameters_of(b);
    else if constexpr (identity<B>) return parameters_of(a);
    else return std::tuple_cat(parameters_of(a), parameters_of(b));
  }
  constexpr auto parameters() const {
    if constexpr (identity<A> && identity<B>) return std::tuple<>{};
    else if constexpr (identity<A>) return parameters_of(b);
    else if constexpr (identity<B>) return parameters_of(a);
    else return std::tuple_cat(parameters_of(a), parameters_of(b));
  }

  constexpr void forward(const T* in, T* out, T* scratch) const {
    const T* ya = in;
    const T* yb = in;
    if constexpr (!identity<A>) {
      a.forward(in, scratch + a_at, scratch + shared_at);
      ya = scratch + a_at;
    }
    if constexpr (!identity<B>) {
      b.forward(in, scratch + b_at, scratch + shared_at);
      yb = scratch + b_at;
    }
    merge.template apply<a_shape, b_shape>(ya, yb, out);
  }
};

}  // namespace ctml
