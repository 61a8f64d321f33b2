// SPDX-License-Identifier: Apache-2.0
#pragma once
// The int8 dot products of the int8 kernels, portable reference versions (also the constexpr path
// and the scalar tails of every target's variant; dot.hpp picks the variant):
//   dot_s8          sum_i a[i] * b[i]                                 (int32 accumulation)
//   dot_s8_2x2      acc += {a0.b0, a0.b1, a1.b0, a1.b1}              (a 2x2 block of a matrix product)
//   dot_s8_1x2      acc0 += a.b0, acc1 += a.b1                        (two rows of a matrix-vector product)
//   mac4_s8_offset  acc[k] += w[k] * (x[k] + offset), k = 0..3        (four depthwise channels)
//   dot_s16         sum_i a[i] * b[i] of int16 values, int32 wrapping as TFLite's int32 sums
//                   wrap on the device (the SVDF's time weights x state)
#include <cstddef>
#include <cstdint>

namespace ctml::kernels {

// acc + v modulo 2^32, as the device's adds (SMLAD, ADD) wrap: a crafted weight blob can carry a
// bias near the int32 limits, and a wrapped sum is then a wrong number rather than undefined
// behaviour. Valid models never come near (their sums fit), so results are unchanged.
constexpr std::int32_t add_wrap(std::int32_t acc, std::int32_t v) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(v));
}

template <std::size_t N>
constexpr std::int32_t dot_s8_ref(const std::int8_t* a, const std::int8_t* b) {
  std::int32_t acc = 0;
  for (std::size_t i = 0; i < N; ++i) acc += static_cast<std::int32_t>(a[i]) * b[i];
  return acc;
}

template <std::size_t N>
constexpr void dot_s8_2x2_ref(const std::int8_t* a0, const std::int8_t* a1, const std::int8_t* b0,
                              const std::int8_t* b1, std::int32_t* acc) {
  acc[0] = add_wrap(acc[0], dot_s8_ref<N>(a0, b0));
  acc[1] = add_wrap(acc[1], dot_s8_ref<N>(a0, b1));
  acc[2] = add_wrap(acc[2], dot_s8_ref<N>(a1, b0));
  acc[3] = add_wrap(acc[3], dot_s8_ref<N>(a1, b1));
}

template <std::size_t N>
constexpr void dot_s8_1x2_ref(const std::int8_t* a, const std::int8_t* b0, const std::int8_t* b1, std::int32_t& acc0,
                              std::int32_t& acc1) {
  acc0 = add_wrap(acc0, dot_s8_ref<N>(a, b0));
  acc1 = add_wrap(acc1, dot_s8_ref<N>(a, b1));
}

template <std::size_t N>
constexpr std::int32_t dot_s16_ref(const std::int16_t* a, const std::int16_t* b) {
  std::uint32_t acc = 0;  // unsigned: M products of up to 2^30 may pass 2^31 (defined, modular)
  for (std::size_t i = 0; i < N; ++i) acc += static_cast<std::uint32_t>(static_cast<std::int32_t>(a[i]) * b[i]);
  return static_cast<std::int32_t>(acc);
}

constexpr void mac4_s8_offset_ref(const std::int8_t* x, const std::int8_t* w, std::int32_t offset, std::int32_t& acc0,
                                  std::int32_t& acc1, std::int32_t& acc2, std::int32_t& acc3) {
  acc0 = add_wrap(acc0, static_cast<std::int32_t>(w[0]) * (x[0] + offset));
  acc1 = add_wrap(acc1, static_cast<std::int32_t>(w[1]) * (x[1] + offset));
  acc2 = add_wrap(acc2, static_cast<std::int32_t>(w[2]) * (x[2] + offset));
  acc3 = add_wrap(acc3, static_cast<std::int32_t>(w[3]) * (x[3] + offset));
}

}  // namespace ctml::kernels
