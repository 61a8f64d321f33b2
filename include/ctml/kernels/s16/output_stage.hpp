// SPDX-License-Identifier: Apache-2.0
#pragma once
// The output stage of TFLite's 16x8 layers (int16 activations, int8 weights): an accumulator of
// one of TFLite's two widths, requantized to int16.
//   Acc = int64_t  (int64 bias; the converter's default)
//     y = clamp(MultiplyByQuantizedMultiplier64(acc, M) + out_zp, act_min, act_max)
//   Acc = int32_t  (int32 bias, or no bias with quantized_bias_type INT32)
//     y = clamp(MultiplyByQuantizedMultiplier(int32 acc, M) + out_zp, act_min, act_max)
// The kernels sum in 64 bits whatever Acc is: for int32 the sum taken modulo 2^32 is what
// TFLite's int32 accumulator holds whenever it does not overflow (and a defined value when it
// would, where TFLite's is undefined). The bias is added in wrapping arithmetic for the same
// reason: a hostile int64 bias gives a value, not undefined behaviour.
#include <cstdint>
#include <type_traits>
#include <ctml/core/requantize.hpp>

namespace ctml::quant {
// The quantization data every 16x8 weighted layer carries (its zero points are 0: TFLite's int16
// activations are symmetric; the builders refuse others).
struct OutputStage16x8 {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  std::int32_t act_min = -32768, act_max = 32767;
};
}  // namespace ctml::quant

namespace ctml::kernels::s16 {

template <class Acc>
inline constexpr bool is_accumulator_v = std::is_same_v<Acc, std::int64_t> || std::is_same_v<Acc, std::int32_t>;

// acc + bias modulo 2^64.
constexpr std::int64_t add_wrapping(std::int64_t acc, std::int64_t bias) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(acc) + static_cast<std::uint64_t>(bias));
}

template <class Acc>
constexpr std::int16_t finish(std::int64_t acc, std::int32_t mult, std::int32_t shift, std::int32_t out_zp, std::int32_t act_min,
                              std::int32_t act_max) {
  static_assert(is_accumulator_v<Acc>, "a 16x8 layer accumulates in int64_t or int32_t (TFLite's two bias types)");
  std::int32_t y = 0;
  if constexpr (std::is_same_v<Acc, std::int64_t>)
    y = quant::multiply_by_quantized_multiplier_64(acc, {mult, static_cast<int>(shift)});
  else
    y = quant::multiply_by_quantized_multiplier(static_cast<std::int32_t>(acc), {mult, static_cast<int>(shift)});
  y = quant::clamp_activation(static_cast<std::int32_t>(static_cast<std::uint32_t>(y) + static_cast<std::uint32_t>(out_zp)), act_min, act_max);
  return static_cast<std::int16_t>(y);
}

}  // namespace ctml::kernels::s16
