// SPDX-License-Identifier: Apache-2.0
#pragma once
// Constant padding (TFLite PAD / PADV2, ONNX Pad mode=constant): Out is In with Before[d] values
// added before and Out[d] - In[d] - Before[d] after along every axis d, all equal to `value`
// (0 for float; for int8 the tensor's zero point, which is what "zero" is there).
//   out[o] = in[o - Before]   where Before <= o < Before + In, else value
// Layout: row-major; the innermost axis is copied as one run per output row.
#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>

namespace ctml {

template <class T, ShapeType In, ShapeType Out, std::size_t... Before>
struct PadLayer {
  static_assert(In::rank == Out::rank && sizeof...(Before) == In::rank,
                "ctml::Pad: input, output and the padding must have one rank");
  static constexpr std::array<std::size_t, In::rank> before{Before...};
  static constexpr bool fits = [] {
    for (std::size_t d = 0; d < In::rank; ++d)
      if (Out::extents[d] < In::extents[d] + before[d]) return false;
    return true;
  }();
  static_assert(fits, "ctml::Pad: the output must hold the input and the padding before it on every axis");
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Out>;
  static constexpr std::string_view name = "Pad";
  T value{};
  constexpr auto buffers() { return std::tie(value); }
  constexpr auto buffers() const { return std::tie(value); }

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t r = In::rank;
    constexpr std::size_t inner = In::extents[r - 1];
    for (std::size_t i = 0; i < Out::size; ++i) out[i] = value;
    // Every input row (all axes but the last fixed) lands at one offset of the output.
    constexpr std::size_t rows = In::size / inner;
    for (std::size_t row = 0; row < rows; ++row) {
      std::size_t rest = row, src = row * inner, dst = before[r - 1];
      for (std::size_t d = r - 1; d-- > 0;) {
        const std::size_t idx = rest % In::extents[d];
        rest /= In::extents[d];
        dst += (idx + before[d]) * Out::strides[d];
      }
      for (std::size_t k = 0; k < inner; ++k) out[dst + k] = in[src + k];
    }
  }
};

}  // namespace ctml
