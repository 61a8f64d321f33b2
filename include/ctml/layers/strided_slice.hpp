// SPDX-License-Identifier: Apache-2.0
#pragma once
// Strided slice: y[i_0, ..., i_k] = x[start_0 + i_0 * step_0, ..., start_k + i_k * step_k] for
// i_d in [0, Count_d), steps of either sign (TFLite's STRIDED_SLICE once its masks and negative
// indices are resolved, which the importer does as TFLite's StartForAxis / StopForAxis do). Out is
// the result's shape, which may drop axes of extent 1 (shrink_axis_mask) without changing the
// element order. Any element type: int8 slices keep their quantization.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>

namespace ctml {

template <class T, ShapeType In, ShapeType Out, std::array<std::int32_t, In::rank> Start, std::array<std::int32_t, In::rank> Step,
          std::array<std::size_t, In::rank> Count>
struct StridedSliceLayer {
  static constexpr std::size_t count_size = [] {
    std::size_t n = 1;
    for (const std::size_t c : Count) n *= c;
    return n;
  }();
  static_assert(count_size == Out::size, "ctml::StridedSliceLayer: the counts do not give the output's size");
  static constexpr bool in_bounds = [] {
    for (std::size_t d = 0; d < In::rank; ++d) {
      if (Count[d] == 0 || Step[d] == 0) return false;
      const long long first = Start[d], last = first + static_cast<long long>(Count[d] - 1) * Step[d];
      const auto extent = static_cast<long long>(In::extents[d]);
      if (first < 0 || first >= extent || last < 0 || last >= extent) return false;
    }
    return true;
  }();
  static_assert(in_bounds, "ctml::StridedSliceLayer: the slice reaches outside the input (or a step is 0)");

  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Out>;
  static constexpr std::string_view name = "StridedSlice";

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    // The output in row-major order of Count; the input offset advances by each axis' step.
    std::array<std::size_t, In::rank> i{};
    long long at = 0;
    for (std::size_t d = 0; d < In::rank; ++d) at += static_cast<long long>(Start[d]) * static_cast<long long>(In::strides[d]);
    for (std::size_t k = 0; k < Out::size; ++k) {
      out[k] = in[at];
      for (std::size_t d = In::rank; d-- > 0;) {  // odometer
        const long long move = static_cast<long long>(Step[d]) * static_cast<long long>(In::strides[d]);
        if (++i[d] < Count[d]) {
          at += move;
          break;
        }
        at -= move * static_cast<long long>(Count[d] - 1);
        i[d] = 0;
      }
    }
  }
};

}  // namespace ctml
