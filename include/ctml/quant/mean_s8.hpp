// SPDX-License-Identifier: Apache-2.0
#pragma once
// MEAN over height and width, int8 (global average pooling as TFLite converts it), computed as
// TFLite Micro's int8 MEAN does (EvalIntegerMean -> reference_ops::QuantizedMeanOrSum, for every
// pair of parameters; older TFLM releases had a truncating sum(x) / n path when input and output
// shared them, which the TFLM the tests run against no longer has):
//     M, shift = QuantizeMultiplier(in_scale / out_scale)
//     s        = min(floor(log2 n), 32, 31 + shift)                      (1/n folded into M)
//     M'       = (M << s) / n  (64-bit, truncating),   shift' = shift - s
//     y        = clamp(MultiplyByQuantizedMultiplier(sum(x) - in_zp * n, M', shift') + out_zp)
// with n = H * W. M' and shift' are members computed once (make_qmean), never per inference.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

// In: (H, W, C) or (L, C); the output keeps only the channels. T: std::int8_t, or std::int16_t
// for 16x8 models (TFLite's int16 MEAN: the same QuantizedMeanOrSum with int32 sums).
template <ShapeType In, class T = std::int8_t>
struct QMeanLayer {
  static_assert(In::rank >= 2, "ctml::quant::QMean reduces (H, W, C) or (L, C) over all but the channels");
  static_assert(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>, "ctml::quant::QMean: int8 or int16 activations");
  static constexpr std::size_t channels = In::extents[In::rank - 1];
  static constexpr std::size_t pixels = In::size / channels;
  static_assert(sizeof(T) == 1 || pixels < 65536, "ctml::quant::QMean: 65536 or more int16 values per channel overflow the int32 sum");
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<channels>>;
  static constexpr std::string_view name = sizeof(T) == 1 ? "QMean" : "QMean16";

  std::int32_t multiplier = 0;  // Q31, 1/n included
  std::int32_t shift = 0;
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  constexpr auto buffers() { return std::tie(multiplier, shift, input_zero_point, output_zero_point); }
  constexpr auto buffers() const { return std::tie(multiplier, shift, input_zero_point, output_zero_point); }

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    constexpr auto n = static_cast<std::int32_t>(pixels);
    // Sums of raw values, channels innermost (vectorises).
    std::int32_t acc[channels]{};
    for (std::size_t p = 0; p < pixels; ++p)
      for (std::size_t c = 0; c < channels; ++c) acc[c] += in[p * channels + c];
    for (std::size_t c = 0; c < channels; ++c) {
      std::int32_t y = multiply_by_quantized_multiplier(acc[c] - input_zero_point * n, {multiplier, static_cast<int>(shift)}) +
                       output_zero_point;
      constexpr std::int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
      y = y < lo ? lo : (y > hi ? hi : y);
      out[c] = static_cast<T>(y);
    }
  }
};

template <ShapeType In, class T = std::int8_t>
constexpr QMeanLayer<In, T> make_qmean(QParams in, QParams out) {
  constexpr auto n = static_cast<std::int64_t>(QMeanLayer<In, T>::pixels);
  QMeanLayer<In, T> l{};
  l.input_zero_point = in.zero_point;
  l.output_zero_point = out.zero_point;
  const Multiplier m = quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
  int s = 0;
  while ((n >> (s + 1)) != 0) ++s;  // floor(log2 n)
  if (s > 32) s = 32;
  if (s > 31 + m.shift) s = 31 + m.shift;
  l.multiplier = static_cast<std::int32_t>((static_cast<std::int64_t>(m.value) << s) / n);
  l.shift = m.shift - s;
  return l;
}

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
template <class In>
struct qmap<GlobalAveragePoolLayer<float, In>> : qmap_base {
  using type = QMeanLayer<In>;
  static constexpr QKind kind = QKind::mean;
};
}  // namespace detail

}  // namespace ctml::quant
