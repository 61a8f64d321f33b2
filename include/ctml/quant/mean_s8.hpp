// SPDX-License-Identifier: Apache-2.0
#pragma once
// MEAN over height and width, int8 (global average pooling as TFLite converts it), computed as
// reference_integer_ops::Mean does:
//   acc = sum over the H*W pixels of (x - in_zp)
//   acc = MultiplyByQuantizedMultiplier(acc, M)        M = in_scale / out_scale (QuantizeMultiplier)
//   acc = acc / (H*W), rounded half away from zero (integer division)
//   y   = clamp(acc + out_zp, -128, 127)
// The multiplier is a member computed once (make_qmean), never per inference.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/concepts.hpp>
#include <ctml/quant/requantize.hpp>

namespace ctml::quant {

// In: (H, W, C) or (L, C); the output keeps only the channels.
template <ShapeType In>
struct QMeanLayer {
  static_assert(In::rank >= 2, "ctml::quant::QMean reduces (H, W, C) or (L, C) over all but the channels");
  static constexpr std::size_t channels = In::extents[In::rank - 1];
  static constexpr std::size_t pixels = In::size / channels;
  using input_type = Tensor<std::int8_t, In>;
  using output_type = Tensor<std::int8_t, Shape<channels>>;
  static constexpr std::string_view name = "QMean";

  std::int32_t multiplier = 0;  // Q31
  std::int32_t shift = 0;
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t*) const {
    constexpr auto n = static_cast<std::int32_t>(pixels);
    // Sums of raw values, channels innermost (vectorises); the zero-point term is subtracted once:
    // sum(x - zp) = sum(x) - n * zp, exact in int32.
    std::int32_t acc[channels]{};
    for (std::size_t p = 0; p < pixels; ++p)
      for (std::size_t c = 0; c < channels; ++c) acc[c] += in[p * channels + c];
    for (std::size_t c = 0; c < channels; ++c) {
      std::int32_t a = acc[c] - n * input_zero_point;
      a = multiply_by_quantized_multiplier(a, {multiplier, static_cast<int>(shift)});
      a = a > 0 ? (a + n / 2) / n : (a - n / 2) / n;
      a += output_zero_point;
      a = a < -128 ? -128 : (a > 127 ? 127 : a);
      out[c] = static_cast<std::int8_t>(a);
    }
  }
};

template <ShapeType In>
constexpr QMeanLayer<In> make_qmean(QParams in, QParams out) {
  QMeanLayer<In> l{};
  const Multiplier m = quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
  l.multiplier = m.value;
  l.shift = m.shift;
  l.input_zero_point = in.zero_point;
  l.output_zero_point = out.zero_point;
  return l;
}

}  // namespace ctml::quant
