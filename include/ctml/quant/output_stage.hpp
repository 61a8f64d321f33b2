// SPDX-License-Identifier: Apache-2.0
#pragma once
// The output stage of int8 conv and fully connected layers (TFLite semantics):
//   y = clamp(MultiplyByQuantizedMultiplier(acc, M[c]) + out_zp, act_min, act_max)
// with the quantization facts of the layer's input and output. Layers derive from it (convs) or
// hold its values as members (fully connected) and call finish() per output, or pick a faster
// form for a whole call with with_requant().
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/quant/requantize.hpp>

namespace ctml::quant {

struct OutputStage {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  std::int32_t act_min = -128, act_max = 127;
  constexpr std::int8_t finish(std::int32_t acc, std::int32_t mult, std::int32_t shift) const {
    std::int32_t y = multiply_by_quantized_multiplier(acc, {mult, static_cast<int>(shift)}) + output_zero_point;
    y = clamp_activation(y, act_min, act_max);
    return static_cast<std::int8_t>(y);
  }

  // Faster forms of finish() for the common output stages, chosen once per layer call by
  // with_requant(): every channel's multiplier normalized with a right shift
  // (is_normalized_right_shift, requantize.hpp), and also no activation clamp narrower than int8
  // (then the clamp is one saturation, SSAT on Cortex-M).
  enum class Requant { general, normalized, normalized_full_range };

  template <Requant R>
  constexpr std::int8_t finish_as(std::int32_t acc, std::int32_t mult, std::int32_t shift) const {
    if constexpr (R == Requant::general) {
      return finish(acc, mult, shift);
    } else {
      const std::int32_t y = multiply_by_quantized_multiplier_normalized(acc, mult, shift) + output_zero_point;
      if constexpr (R == Requant::normalized) return static_cast<std::int8_t>(clamp_activation(y, act_min, act_max));
      else return saturate_int8(y);
    }
  }

  // Calls f(std::integral_constant<Requant, R>) with the fastest R valid for all n channels.
  template <class F>
  void with_requant(const std::int32_t* mult, const std::int32_t* shift, std::size_t n, F&& f) const {
    if (!all_normalized_right_shifts(mult, shift, n)) f(std::integral_constant<Requant, Requant::general>{});
    else if (act_min <= -128 && act_max >= 127) f(std::integral_constant<Requant, Requant::normalized_full_range>{});
    else f(std::integral_constant<Requant, Requant::normalized>{});
  }
};

}  // namespace ctml::quant
