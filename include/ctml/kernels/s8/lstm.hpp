// SPDX-License-Identifier: Apache-2.0
#pragma once
// One integer LSTM time step as TFLite Micro computes it (lstm_eval.h, LstmStep): the 8x8->16 path
// (int8 input and hidden state, int32 biases) and the 16x8->16 path (int16 input and hidden state,
// int64 biases, 64-bit gate sums requantized by the 64-bit MultiplyByQuantizedMultiplier); both
// with int8 weights per tensor and int16 gates and cell state:
//   gate k in (forget, input, cell, output), for each unit j:
//     a = clamp16(MBQM(eb_in[j] + sum_i W_in[j][i] x[i], M_in))          the input FC, Q3.12
//     b = clamp16(MBQM(eb_rec[j] + sum_i W_rec[j][i] h[i], M_rec))       the recurrent FC, Q3.12
//     gate[j] = act(sat16(a + b))      act: int16 sigmoid, or tanh for the cell gate (Q0.15 out)
//   (eb: the bias with the input / hidden zero point folded in: eb_in = bias - x_zp sum W_in,
//   eb_rec = -h_zp sum W_rec)
//   c = sat16(clamp16(MBQM(f * c, M_fc)) + clamp16(MBQM(i * g, M_ig)));  |c| <= clip if clip > 0
//   h = clampT(MBQM(tanh_c(c) * o, M_h) + h_zp)                        tanh_c: tanh at the cell scale
// in TFLM's order (forget, input, cell gates; the cell update; the output gate; the hidden state),
// every gate from the previous h. The int16 sigmoid/tanh: kernels/s16/activation.hpp.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s16/activation.hpp>
#include <ctml/kernels/s16/output_stage.hpp>
#include <ctml/kernels/s8/dot.hpp>

namespace ctml::kernels::s8 {

namespace detail {
constexpr std::int16_t clamp16(std::int32_t v) { return static_cast<std::int16_t>(v < -32768 ? -32768 : (v > 32767 ? 32767 : v)); }

// One fully connected part of a gate, H rows of N int8 weights against the int8 vector v:
//   y[j] = clamp16(MBQM(bias[j] + sum_i w[j][i] v[i], m))
// and out[j] = y[j], or with Accumulate out[j] = clamp16(out[j] + y[j]) (TFLite's saturating
// add of the input and recurrent parts). Rows in pairs: each loaded word of v serves two rows
// (dot_s8_1x2: SMLAD on the Arm DSP extension, VMLADAV on Helium, the formula elsewhere).
template <std::size_t N, std::size_t H, bool Accumulate>
constexpr void gate_fc(const std::int8_t* w, const std::int32_t* bias, const std::int8_t* v, quant::Multiplier m, std::int16_t* out) {
  auto finish = [&](std::size_t j, std::int32_t acc) {
    const std::int16_t y = clamp16(quant::multiply_by_quantized_multiplier(acc, m));
    out[j] = Accumulate ? clamp16(static_cast<std::int32_t>(out[j]) + y) : y;
  };
  std::size_t j = 0;
  for (; j + 1 < H; j += 2) {
    std::int32_t a0 = bias[j], a1 = bias[j + 1];
    kernels::dot_s8_1x2<N>(v, w + j * N, w + (j + 1) * N, a0, a1);
    finish(j, a0);
    finish(j + 1, a1);
  }
  if constexpr (H % 2 == 1) finish(j, kernels::add_wrap(bias[j], kernels::dot_s8<N>(w + j * N, v)));
}

// The same for the 16x8 path: int16 v, an int64 bias, the sum in 64 bits (each product fits 23
// bits) and TFLite's 64-bit requantization; the bias is added modulo 2^64 (a hostile bias gives a
// value, never undefined behaviour). The reference loop on every target, as the 16x8 dense.
template <std::size_t N, std::size_t H, bool Accumulate>
constexpr void gate_fc(const std::int8_t* w, const std::int64_t* bias, const std::int16_t* v, quant::Multiplier m, std::int16_t* out) {
  for (std::size_t j = 0; j < H; ++j, w += N) {
    std::int64_t acc = 0;
    for (std::size_t i = 0; i < N; ++i) acc += static_cast<std::int32_t>(w[i]) * static_cast<std::int32_t>(v[i]);
    const std::int16_t y = clamp16(quant::multiply_by_quantized_multiplier_64(s16::add_wrapping(acc, bias[j]), m));
    out[j] = Accumulate ? clamp16(static_cast<std::int32_t>(out[j]) + y) : y;
  }
}
}  // namespace detail

// The gates in TFLite's tensor order: 0 input, 1 forget, 2 cell, 3 output.
enum LstmGate : std::size_t { lstm_input = 0, lstm_forget = 1, lstm_cell = 2, lstm_output = 3 };

// C: quant::QLSTMCell<F, H, T> (weights [4][H][F] and [4][H][H], folded biases, multipliers);
// T, the activation type: int8_t (8x8->16) or int16_t (16x8->16). gates: scratch of 3H int16 values.
template <std::size_t F, std::size_t H, class C, class T>
constexpr void lstm_step(const C& cell, const T* x, T* h, std::int16_t* c, std::int16_t* gates) {
  static_assert(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>, "an integer LSTM has int8 or int16 activations");
  ::ctml::detail::side_effect_fence();
  auto gate = [&](std::size_t k, bool is_tanh, std::int16_t* out) {
    detail::gate_fc<F, H, false>(cell.w_in.data() + k * H * F, cell.bias_in.data() + k * H, x, {cell.mult_in[k], static_cast<int>(cell.shift_in[k])}, out);
    detail::gate_fc<H, H, true>(cell.w_rec.data() + k * H * H, cell.bias_rec.data() + k * H, h, {cell.mult_rec[k], static_cast<int>(cell.shift_rec[k])}, out);
    for (std::size_t j = 0; j < H; ++j) out[j] = is_tanh ? s16::tanh(out[j], 3, 0) : s16::logistic(out[j], 0, 0);  // Q3.12 -> Q0.15
  };
  std::int16_t* f = gates;
  std::int16_t* i = gates + H;
  std::int16_t* g = gates + 2 * H;
  gate(lstm_forget, false, f);
  gate(lstm_input, false, i);
  gate(lstm_cell, true, g);
  for (std::size_t j = 0; j < H; ++j) {
    const std::int16_t fc = detail::clamp16(quant::multiply_by_quantized_multiplier(static_cast<std::int32_t>(f[j]) * c[j], cell.mul_fc));
    const std::int16_t ig = detail::clamp16(quant::multiply_by_quantized_multiplier(static_cast<std::int32_t>(i[j]) * g[j], cell.mul_ig));
    std::int16_t cn = detail::clamp16(static_cast<std::int32_t>(fc) + ig);
    if (cell.cell_clip >= 0) {
      const std::int32_t k = cell.cell_clip;
      cn = static_cast<std::int16_t>(cn > k ? k : (cn < -k ? -k : cn));
    }
    c[j] = cn;
  }
  std::int16_t* o = gates + H;  // reuses the input gate's slot, as TFLM does
  gate(lstm_output, false, o);
  for (std::size_t j = 0; j < H; ++j) {
    const std::int32_t t = s16::tanh(c[j], cell.tanh_mult, cell.tanh_shift);
    std::int32_t y = quant::multiply_by_quantized_multiplier(t * o[j], cell.mul_h) + cell.hidden_zero_point;
    constexpr std::int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
    y = y < lo ? lo : (y > hi ? hi : y);
    h[j] = static_cast<T>(y);
  }
}

}  // namespace ctml::kernels::s8
