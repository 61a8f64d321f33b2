// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 dot product with int32 accumulation: sum_i a[i] * b[i].
// On Arm cores with the DSP extension (Cortex-M4/M7/M33/M55: __ARM_FEATURE_DSP) four products
// take two SMLAD (dual 16x16 multiply-accumulate) after SXTB16 sign-extends even and odd bytes;
// define CTML_NO_DSP to force the portable loop. Integer arithmetic is exact, so both paths give
// identical results; the portable loop is also the constexpr path.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#if defined(__ARM_FEATURE_DSP) && !defined(CTML_NO_DSP)
#include <arm_acle.h>
#define CTML_HAVE_DSP 1
#endif

namespace ctml::kernels {

template <std::size_t N>
constexpr std::int32_t dot_s8_ref(const std::int8_t* a, const std::int8_t* b) {
  std::int32_t acc = 0;
  for (std::size_t i = 0; i < N; ++i) acc += static_cast<std::int32_t>(a[i]) * b[i];
  return acc;
}

template <std::size_t N>
constexpr std::int32_t dot_s8(const std::int8_t* a, const std::int8_t* b) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) {
    constexpr std::size_t body = N - N % 4;
    std::int32_t acc = 0;
    for (std::size_t i = 0; i < body; i += 4) {
      std::uint32_t x, y;
      std::memcpy(&x, a + i, 4);
      std::memcpy(&y, b + i, 4);
      acc = __smlad(__sxtb16(x), __sxtb16(y), acc);                                     // bytes 0, 2
      acc = __smlad(__sxtb16((x >> 8) | (x << 24)), __sxtb16((y >> 8) | (y << 24)), acc);  // bytes 1, 3
    }
    for (std::size_t i = body; i < N; ++i) acc += static_cast<std::int32_t>(a[i]) * b[i];
    return acc;
  }
#endif
  return dot_s8_ref<N>(a, b);
}

}  // namespace ctml::kernels
