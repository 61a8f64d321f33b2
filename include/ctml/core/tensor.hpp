// SPDX-License-Identifier: Apache-2.0
#pragma once
// Tensor<T, Shape>: an aggregate over a fixed, SIMD-aligned array. Being an aggregate it can be
// brace-initialised, used in constant expressions and placed in flash as constexpr data.
// TensorView<T, Shape>: the same interface over caller memory (arena slices, sensor buffers).
#include <cstddef>
#include <type_traits>
#include <ctml/core/shape.hpp>

namespace ctml {

// 16 bytes suits SSE/NEON/Helium loads and the Cortex-M4 LDRD/LDM paths.
inline constexpr std::size_t tensor_alignment = 16;

template <class T, ShapeType S>
struct Tensor {
  using value_type = T;
  using shape_type = S;
  using iterator = T*;
  using const_iterator = const T*;
  static constexpr std::size_t rank = S::rank;

  alignas(tensor_alignment) T values[S::size];

  static constexpr std::size_t size() noexcept { return S::size; }
  static constexpr std::size_t size_bytes() noexcept { return S::size * sizeof(T); }
  static constexpr auto extents() noexcept { return S::extents; }

  constexpr T* data() noexcept { return values; }
  constexpr const T* data() const noexcept { return values; }
  constexpr T* begin() noexcept { return values; }
  constexpr T* end() noexcept { return values + S::size; }
  constexpr const T* begin() const noexcept { return values; }
  constexpr const T* end() const noexcept { return values + S::size; }

  // Flat access.
  constexpr T& operator[](std::size_t i) noexcept { return values[i]; }
  constexpr const T& operator[](std::size_t i) const noexcept { return values[i]; }

  // Multi-index access, row-major.
  template <class... I>
    requires(sizeof...(I) == S::rank)
  constexpr T& operator()(I... idx) noexcept {
    return values[S::offset(idx...)];
  }
  template <class... I>
    requires(sizeof...(I) == S::rank)
  constexpr const T& operator()(I... idx) const noexcept {
    return values[S::offset(idx...)];
  }

  constexpr void fill(const T& v) noexcept {
    for (auto& x : values) x = v;
  }

  friend constexpr bool operator==(const Tensor& a, const Tensor& b) noexcept {
    for (std::size_t i = 0; i < S::size; ++i)
      if (!(a.values[i] == b.values[i])) return false;
    return true;
  }
};

template <class T, ShapeType S>
struct TensorView {
  using value_type = std::remove_const_t<T>;
  using element_type = T;
  using shape_type = S;
  static constexpr std::size_t rank = S::rank;

  T* ptr;

  constexpr TensorView(T* p) noexcept : ptr(p) {}
  template <class U>
    requires std::is_convertible_v<U (*)[], T (*)[]>
  constexpr TensorView(Tensor<U, S>& t) noexcept : ptr(t.data()) {}
  template <class U>
    requires std::is_convertible_v<const U (*)[], T (*)[]>
  constexpr TensorView(const Tensor<U, S>& t) noexcept : ptr(t.data()) {}

  static constexpr std::size_t size() noexcept { return S::size; }
  static constexpr std::size_t size_bytes() noexcept { return S::size * sizeof(T); }
  constexpr T* data() const noexcept { return ptr; }
  constexpr T* begin() const noexcept { return ptr; }
  constexpr T* end() const noexcept { return ptr + S::size; }
  constexpr T& operator[](std::size_t i) const noexcept { return ptr[i]; }
  template <class... I>
    requires(sizeof...(I) == S::rank)
  constexpr T& operator()(I... idx) const noexcept {
    return ptr[S::offset(idx...)];
  }
};

// Tensors of the same element type and shape compare equal element by element.
template <class T, ShapeType S>
constexpr bool equal(const Tensor<T, S>& a, const Tensor<T, S>& b) noexcept {
  return a == b;
}

}  // namespace ctml
