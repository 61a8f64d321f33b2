// SPDX-License-Identifier: Apache-2.0
#pragma once
// SOFTMAX on int16 (16x8 models), as TFLite Micro computes it (kernels/s16/softmax.hpp: its two
// interpolated tables and reference arithmetic). Input zero point 0; the output is always scale
// 2^-15, zero point 0 (TFLite's fixed range [0, 1)). The input multiplier is TFLite's Prepare:
// QuantizeMultiplier(input_scale * beta / (10 / 65535)), so that the differences to the row
// maximum span exp's table argument [-10, 0].
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s16/softmax.hpp>

namespace ctml::quant {

template <ShapeType S>
struct QSoftmax16Layer {
  static constexpr std::size_t depth = S::extents[S::rank - 1];
  static constexpr std::size_t rows = S::size / depth;
  using input_type = Tensor<std::int16_t, S>;
  using output_type = Tensor<std::int16_t, S>;
  static constexpr std::string_view name = "QSoftmax16";
  static constexpr bool in_place = true;  // a row is fully read before any of it is written
  Multiplier input{};
  constexpr auto buffers() { return std::tie(input); }
  constexpr auto buffers() const { return std::tie(input); }

  constexpr void forward(const std::int16_t* in, std::int16_t* out, std::int16_t*) const {
    kernels::s16::softmax<rows, depth>(in, out, input);
  }
};

// SOFTMAX with TFLite's beta on an int16 input quantized with `in` (zero point 0).
template <ShapeType S>
constexpr QSoftmax16Layer<S> make_qsoftmax16(double beta, QParams in) {
  return {quantize_multiplier(static_cast<double>(in.scale) * beta / (10.0 / 65535.0))};
}

}  // namespace ctml::quant
