// SPDX-License-Identifier: Apache-2.0
#pragma once
// One int8 GRU time step. TFLite has no GRU op; ctml quantizes it the way TFLite quantizes its
// LSTM (kernels/s8/lstm.hpp): int8 input x and hidden state h (asymmetric), int8 weights per
// tensor and gate, int32 biases, gate pre-activations in Q3.12, gates in Q0.15 through the same
// int16 sigmoid / tanh, and the state update in Q0.15. For each unit j:
//   gate k in (r, z):
//     a = clamp16(MBQM(eb_in[j] + sum_i W_in[j][i] x[i], M_in[k]))       the input FC, Q3.12
//     b = clamp16(MBQM(eb_rec[j] + sum_i W_rec[j][i] h[i], M_rec[k]))    the recurrent FC, Q3.12
//     gate[j] = sigmoid(sat16(a + b))                                     Q0.15
//   n, reset after the product (PyTorch, Keras 2's default):
//     a_n = clamp16(MBQM(eb_in + W_in x, M_in[n]));  b_n = clamp16(MBQM(eb_rec + W_rec h, M_rec[n]))
//     n = tanh(sat16(a_n + rdbp(r * b_n, 15)))                            r * b_n back to Q3.12
//   n, reset before (the original GRU; Keras reset_after=False):
//     hq = clamp16(MBQM(h - h_zp, M_hq))                                  h in Q0.15
//     rh = rdbp(r * hq, 15)                                               r * h, Q0.15
//     b_n = clamp16(MBQM64(sum_i W_rec[j][i] rh[i], M_rec[n]))            (64-bit sum: int8 x int16)
//     n = tanh(sat16(a_n + b_n))                                          (b_hn is in eb_in)
//   h' = clamp8(MBQM(sat16(n + rdbp(z * (hq - n), 15)), M_h) + h_zp)     (1 - z) n + z h, Q0.15
// eb: the int32 biases with the zero points folded in (eb_in = bias_in - x_zp sum W_in, eb_rec =
// bias_rec - h_zp sum W_rec; the reset-before n rows see rh, which has no zero point).
// rdbp: rounding divide by a power of two (ties away from zero). Multipliers (quant/gru_s8.hpp):
// M_in[k] = x_scale w_in_scale[k] / 2^-12, M_rec[k] = h_scale w_rec_scale[k] / 2^-12 (reset
// before, gate n: 2^-15 w_rec_scale[n] / 2^-12), M_hq = h_scale / 2^-15, M_h = 2^-15 / h_scale.
// The hidden state of a GRU stays in [-1, 1] when it starts there (a convex combination of tanh
// values and itself), so Q0.15 holds it.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s16/activation.hpp>
#include <initializer_list>
#include <ctml/kernels/s8/lstm.hpp>

namespace ctml::kernels::s8 {

// The gate order of the weights, PyTorch's: 0 reset (r), 1 update (z), 2 candidate (n).
enum GruGate : std::size_t { gru_reset = 0, gru_update = 1, gru_candidate = 2 };

// C: quant::QGRUCell<F, H, R> (weights [3][H][F] and [3][H][H], folded biases, multipliers).
// scratch: 4H int16 values. h may be updated in place (every gate reads h before it is written).
template <std::size_t F, std::size_t H, bool ResetAfter, class C>
constexpr void gru_step(const C& cell, const std::int8_t* x, const std::int8_t* h, std::int8_t* h_next, std::int16_t* scratch) {
  ::ctml::detail::side_effect_fence();
  using detail::clamp16;
  using detail::gate_fc;
  std::int16_t* r = scratch;
  std::int16_t* z = scratch + H;
  std::int16_t* n = scratch + 2 * H;
  std::int16_t* hq = scratch + 3 * H;  // h in Q0.15
  const quant::Multiplier m_in[3] = {{cell.mult_in[0], static_cast<int>(cell.shift_in[0])},
                                     {cell.mult_in[1], static_cast<int>(cell.shift_in[1])},
                                     {cell.mult_in[2], static_cast<int>(cell.shift_in[2])}};
  const quant::Multiplier m_rec[3] = {{cell.mult_rec[0], static_cast<int>(cell.shift_rec[0])},
                                      {cell.mult_rec[1], static_cast<int>(cell.shift_rec[1])},
                                      {cell.mult_rec[2], static_cast<int>(cell.shift_rec[2])}};
  const std::int8_t* w_in = cell.w_in.data();
  const std::int8_t* w_rec = cell.w_rec.data();
  // r and z: clamp16(a + b), then the sigmoid.
  for (std::size_t k : {std::size_t{gru_reset}, std::size_t{gru_update}}) {
    std::int16_t* g = k == gru_reset ? r : z;
    gate_fc<F, H, false>(w_in + k * H * F, cell.bias_in.data() + k * H, x, m_in[k], g);
    gate_fc<H, H, true>(w_rec + k * H * H, cell.bias_rec.data() + k * H, h, m_rec[k], g);
    for (std::size_t j = 0; j < H; ++j) g[j] = s16::logistic(g[j], 0, 0);
  }
  for (std::size_t j = 0; j < H; ++j)
    hq[j] = clamp16(quant::multiply_by_quantized_multiplier(static_cast<std::int32_t>(h[j]) - cell.hidden_zero_point, cell.mul_hq));
  // n: the recurrent part b_n first (reset after: r * b_n; |r| < 2^15 keeps it in int16), then
  // the input part added as the other gates add it: clamp16(a_n + b).
  if constexpr (ResetAfter) {
    gate_fc<H, H, false>(w_rec + gru_candidate * H * H, cell.bias_rec.data() + gru_candidate * H, h, m_rec[gru_candidate], n);
    for (std::size_t j = 0; j < H; ++j)
      n[j] = static_cast<std::int16_t>(quant::rounding_divide_by_pot(static_cast<std::int32_t>(r[j]) * n[j], 15));
  } else {
    std::int16_t* rh = r;  // r * h replaces r, which nothing reads after it
    for (std::size_t j = 0; j < H; ++j) rh[j] = clamp16(quant::rounding_divide_by_pot(static_cast<std::int32_t>(r[j]) * hq[j], 15));
    for (std::size_t j = 0; j < H; ++j) {
      const std::int8_t* w = w_rec + (gru_candidate * H + j) * H;
      std::int64_t acc = 0;
      for (std::size_t i = 0; i < H; ++i) acc += static_cast<std::int32_t>(w[i]) * static_cast<std::int32_t>(rh[i]);
      n[j] = clamp16(quant::multiply_by_quantized_multiplier_64(acc, m_rec[gru_candidate]));
    }
  }
  gate_fc<F, H, true>(w_in + gru_candidate * H * F, cell.bias_in.data() + gru_candidate * H, x, m_in[gru_candidate], n);
  for (std::size_t j = 0; j < H; ++j) n[j] = s16::tanh(n[j], 3, 0);
  for (std::size_t j = 0; j < H; ++j) {
    // z <= 32767 and |hq - n| <= 65535: the product fits int32.
    const std::int32_t mix = n[j] + quant::rounding_divide_by_pot(static_cast<std::int32_t>(z[j]) * (static_cast<std::int32_t>(hq[j]) - n[j]), 15);
    std::int32_t y = quant::multiply_by_quantized_multiplier(clamp16(mix), cell.mul_h) + cell.hidden_zero_point;
    y = y < -128 ? -128 : (y > 127 ? 127 : y);
    h_next[j] = static_cast<std::int8_t>(y);
  }
}

}  // namespace ctml::kernels::s8
