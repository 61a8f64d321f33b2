// SPDX-License-Identifier: Apache-2.0
#pragma once
// Residual (skip) block: y = body(x) + shortcut(x), shortcut = identity or a projection
// (ResNet's strided 1x1 conv when the body changes the shape).
//   ctml::Residual<ctml::Block<Conv2D<16, Kernel<3>, Same>, BatchNorm, ReLU,
//                              Conv2D<16, Kernel<3>, Same>, BatchNorm>>
//   ctml::Residual<ctml::Block<...stride 2...>, ctml::Block<Conv2D<32, Kernel<1>, Stride<2>>>>
// Memory: the body runs from the block's input straight into the block's output, its own arena
// lives in the block's scratch; a projection then writes into scratch and is added into the
// output. The input stays intact throughout, which is what the skip connection needs.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/elementwise.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/plan.hpp>

namespace ctml {

// Marker for an identity shortcut.
struct Identity {};

namespace detail {
// What a residual block is in memory, for float (ResidualLayer) and int8 (quant::QResidualLayer)
// alike: the shape checks, the scratch (the body's, or the projection's output followed by its own
// scratch, whichever is larger) and the order of work. Only the merge differs (a float add, the
// int8 ADD with rescaling).
template <class T, ShapeType In, class Body, class Short>
struct ResidualFacts {
  static constexpr bool projected = !std::is_same_v<Short, Identity>;
  using body_traits = layer_traits<Body>;
  static_assert(std::is_same_v<typename body_traits::input_type, Tensor<T, In>>,
                "ctml::Residual: the body's input does not match the block's input");
  static_assert(projected || std::is_same_v<typename body_traits::output_type, Tensor<T, In>>,
                "ctml::Residual: the body changes the shape, so an identity shortcut cannot be "
                "added; give a projection shortcut, e.g. Residual<Body, Block<Conv2D<C, "
                "Kernel<1>, Stride<S>>>>");
  using input_type = Tensor<T, In>;
  using output_type = typename body_traits::output_type;

  static constexpr std::size_t body_scratch = body_traits::scratch_size;
  // Where the projection's output ends in scratch (in elements of T) and its own scratch begins.
  static constexpr std::size_t short_out = plan::align_up(output_type::size_bytes()) / sizeof(T);
  static constexpr std::size_t short_scratch = [] {
    if constexpr (projected) return layer_traits<Short>::scratch_size;
    else return std::size_t{0};
  }();
  static constexpr std::size_t scratch_size = [] {
    std::size_t need = body_scratch;
    if constexpr (projected) {
      static_assert(std::is_same_v<typename layer_traits<Short>::output_type, output_type>,
                    "ctml::Residual: the shortcut's output shape differs from the body's");
      static_assert(std::is_same_v<typename layer_traits<Short>::input_type, input_type>,
                    "ctml::Residual: the shortcut's input does not match the block's input");
      if (short_out + short_scratch > need) need = short_out + short_scratch;
    }
    return need;
  }();
  static constexpr std::size_t macs = body_traits::macs + [] {
    if constexpr (projected) return layer_traits<Short>::macs;
    else return std::size_t{0};
  }();

  // The body from the input into out, then merge(out, other) with other = the projection's
  // output (in scratch) or the block's input, which stays intact.
  template <class Merge>
  static constexpr void forward(const Body& body, const Short& shortcut, const T* in, T* out, T* scratch, Merge merge) {
    body.forward(in, out, scratch);
    if constexpr (projected) {
      shortcut.forward(in, scratch, scratch + short_out);
      merge(out, static_cast<const T*>(scratch));
    } else {
      merge(out, in);
    }
  }
};
}  // namespace detail

template <class T, ShapeType In, Layer Body, class Short = Identity>
struct ResidualLayer {
  using facts = detail::ResidualFacts<T, In, Body, Short>;
  static constexpr bool projected = facts::projected;
  using body_traits = typename facts::body_traits;
  using input_type = typename facts::input_type;
  using output_type = typename facts::output_type;
  using scratch_value_type = T;
  static constexpr std::string_view name = projected ? "Residual+proj" : "Residual";
  static constexpr std::size_t scratch_size = facts::scratch_size;
  static constexpr std::size_t macs = facts::macs;

  Body body;
  [[no_unique_address]] Short shortcut;

  // The layers inside, for walks over a model's data (ctml/model/serialize.hpp).
  constexpr auto sublayers() { return std::tie(body, shortcut); }
  constexpr auto sublayers() const { return std::tie(body, shortcut); }

  constexpr auto parameters() {
    if constexpr (projected) return std::tuple_cat(parameters_of(body), parameters_of(shortcut));
    else return parameters_of(body);
  }
  constexpr auto parameters() const {
    if constexpr (projected) return std::tuple_cat(parameters_of(body), parameters_of(shortcut));
    else return parameters_of(body);
  }

  constexpr void forward(const T* in, T* out, T* scratch) const {
    facts::forward(body, shortcut, in, out, scratch,
                   [](T* y, const T* other) { kernels::add<output_type::size()>(y, other, y); });
  }
};

template <class BodySpec, class ShortSpec = Identity>
struct Residual {
  template <class T, ShapeType In>
  using bind = ResidualLayer<T, In, bind_t<BodySpec, T, In>,
                             typename decltype([] {
                               if constexpr (std::is_same_v<ShortSpec, Identity>)
                                 return std::type_identity<Identity>{};
                               else
                                 return std::type_identity<bind_t<ShortSpec, T, In>>{};
                             }())::type>;
};

}  // namespace ctml
