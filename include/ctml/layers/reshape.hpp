// SPDX-License-Identifier: Apache-2.0
#pragma once
// Flatten and Reshape change only the type: the data is already contiguous row-major, so in place
// they do nothing at all, and out of place they copy.
#include <cstddef>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>

namespace ctml {

template <class T, ShapeType In, ShapeType Out>
struct ReshapeLayer {
  static_assert(In::size == Out::size,
                "ctml::Reshape: the target shape must have as many elements as the input");
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Out>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = "Reshape";
  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    if (in != out)
      for (std::size_t i = 0; i < In::size; ++i) out[i] = in[i];
  }
};

struct Flatten {
  template <class T, ShapeType In>
  using bind = ReshapeLayer<T, In, Shape<In::size>>;
};

template <std::size_t... Dims>
struct Reshape {
  template <class T, ShapeType In>
  using bind = ReshapeLayer<T, In, Shape<Dims...>>;
};

}  // namespace ctml
