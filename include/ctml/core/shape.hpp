// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compile-time tensor shapes. A Shape carries its extents as template arguments so that every
// size, stride and offset a kernel needs is a constant the compiler can fold.
#include <array>
#include <cstddef>
#include <type_traits>

namespace ctml {

template <std::size_t... Dims>
struct Shape {
  static_assert(((Dims > 0) && ...), "ctml::Shape: every extent must be at least 1");

  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr std::array<std::size_t, rank> extents{Dims...};
  static constexpr std::size_t size = (std::size_t{1} * ... * Dims);

  // Row-major (last index fastest); for rank-3 activations that is HWC, i.e. NHWC without N.
  static constexpr std::array<std::size_t, rank> strides = [] {
    std::array<std::size_t, rank> s{};
    std::size_t acc = 1;
    for (std::size_t i = rank; i-- > 0;) {
      s[i] = acc;
      acc *= extents[i];
    }
    return s;
  }();

  static constexpr std::size_t extent(std::size_t i) { return extents[i]; }
  static constexpr std::size_t stride(std::size_t i) { return strides[i]; }

  template <class... I>
    requires(sizeof...(I) == rank && (std::is_integral_v<I> && ...))
  static constexpr std::size_t offset(I... idx) {
    std::size_t off = 0;
    std::size_t k = 0;
    ((off += static_cast<std::size_t>(idx) * strides[k++]), ...);
    return off;
  }
};

namespace detail {
template <class T>
struct is_shape : std::false_type {};
template <std::size_t... D>
struct is_shape<Shape<D...>> : std::true_type {};
}  // namespace detail

template <class S>
concept ShapeType = detail::is_shape<S>::value;

// Dimension I of a shape (compile time).
template <ShapeType S, std::size_t I>
inline constexpr std::size_t dim_v = S::extents[I];

// Shapes are equal when their extents are equal (they are then the same type).
template <ShapeType A, ShapeType B>
inline constexpr bool same_shape_v = std::is_same_v<A, B>;

// Flatten to rank 1.
template <ShapeType S>
using flat_shape_t = Shape<S::size>;

}  // namespace ctml
