// SPDX-License-Identifier: Apache-2.0
#pragma once
// int16 AVERAGE_POOL_2D (16x8 models) with TFLite's semantics, NHWC: the int32 sum over the taps
// inside the input, divided by their count rounded half away from zero, clamped to the fused
// activation; input and output share quantization (zero point 0), so no requantization:
//   y[c] = clamp(round_half_away(sum over taps inside of x[c] / count), act_min, act_max)
// The formula is the int8 pool's (kernels/s8/avg_pool.hpp, avg_pool_ref) on int16 values; one
// version for every target.
#include <cstdint>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/s8/avg_pool.hpp>

namespace ctml::kernels::s16 {

template <Conv2DGeometry G>
constexpr void avg_pool(const std::int16_t* in, std::int16_t* out, std::int32_t act_min, std::int32_t act_max) {
  s8::avg_pool_ref<G, std::int16_t>(in, out, act_min, act_max);
}

}  // namespace ctml::kernels::s16
