// SPDX-License-Identifier: Apache-2.0
#pragma once
// LOGISTIC and TANH on int16 (16x8 models), as TFLite Micro computes them: its reference int16
// kernels (kernels/s16/activation.hpp: one table of sigmoid(i/24), interpolated) after an input
// rescaling chosen in Prepare (logistic_common.cc, tanh.cc):
//   scale a power of two, 2^-12 (logistic) or 2^-12 / 2^-11 (tanh):   x' = x * (3 << shift)
//   otherwise: m = scale * 4096 * 3 doubled until above 16383.5 (shift counts the doublings),
//              x' = (x * int(m) + 2^(shift-1)) >> shift
// Input and output zero points 0; the output scale 2^-15 (TFLite's fixed output range).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/math.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s16/activation.hpp>

namespace ctml::quant {

struct Activation16Params {
  std::int32_t multiplier = 0;  // 0: the power-of-two path
  std::int32_t shift = 0;
};

// TFLite's Prepare for an int16 LOGISTIC (is_tanh false) or TANH of input scale `scale`.
constexpr Activation16Params activation16_params(float scale, bool is_tanh) {
  // CheckedLog2: log2 rounded, and whether it is within 1e-3 of an integer.
  const double l = math::log(static_cast<double>(scale)) / math::log(2.0);
  const double r = l < 0 ? -static_cast<double>(static_cast<long long>(-l + 0.5)) : static_cast<double>(static_cast<long long>(l + 0.5));
  bool pot = (l - r < 0 ? r - l : l - r) < 1e-3;
  Activation16Params p{0, 12 + static_cast<std::int32_t>(r)};
  pot = pot && (p.shift == 0 || (is_tanh && p.shift == 1));
  if (pot) return p;
  double m = static_cast<double>(scale) * 4096.0 * 3.0;
  p.shift = 0;
  while (m <= 32767.0 / 2.0 && p.shift <= 30) {
    ++p.shift;
    m *= 2.0;
  }
  p.multiplier = static_cast<std::int32_t>(m);
  return p;
}

template <ShapeType S, bool IsTanh>
struct QActivation16Layer {
  using input_type = Tensor<std::int16_t, S>;
  using output_type = Tensor<std::int16_t, S>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = IsTanh ? "QTanh16" : "QLogistic16";
  Activation16Params params{};
  constexpr auto buffers() { return std::tie(params.multiplier, params.shift); }
  constexpr auto buffers() const { return std::tie(params.multiplier, params.shift); }
  constexpr void forward(const std::int16_t* in, std::int16_t* out, std::int16_t*) const {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < S::size; ++i)
      out[i] = IsTanh ? kernels::s16::tanh(in[i], params.multiplier, params.shift)
                      : kernels::s16::logistic(in[i], params.multiplier, params.shift);
  }
};

template <ShapeType S>
using QLogistic16Layer = QActivation16Layer<S, false>;
template <ShapeType S>
using QTanh16Layer = QActivation16Layer<S, true>;

template <ShapeType S>
constexpr QLogistic16Layer<S> make_qlogistic16(QParams in) {
  return {activation16_params(in.scale, false)};
}
template <ShapeType S>
constexpr QTanh16Layer<S> make_qtanh16(QParams in) {
  return {activation16_params(in.scale, true)};
}

}  // namespace ctml::quant
