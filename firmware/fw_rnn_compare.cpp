// SPDX-License-Identifier: Apache-2.0
// Recurrent steps on Cortex-M under QEMU, ctml side by side with CMSIS-NN in one run, same cells,
// same inputs (input size = units = 16, 32, 64, 128; 8 steps from the initial state):
//   int8 LSTM step       ctml QLSTMCell::step        vs arm_lstm_unidirectional_s8 (TFLite's
//                                                       8x8->16 scheme; CMSIS gets ctml's folded
//                                                       biases and multipliers, one to one)
//   int8 SVDF (int16 state, two shapes)  ctml QSVDFLayer  vs arm_svdf_state_s16_s8
// and ctml alone (no CMSIS-NN counterpart on M4): float LSTM and GRU steps, int8 GRU steps.
// Each pair must give the same bytes, every step; the cells are constexpr data in flash (int8:
// ctml's PTQ of random float cells, uniform weights in [-0.3, 0.3), a cell clip).
// Output: "NAME ctml=N cmsis=N ratio=R" per pair (instructions per step), "NAME ctml=N" for
// ctml alone, then "fw_rnn_compare ... ok".
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>

#include <ctml/layers/gru.hpp>
#include <ctml/layers/lstm.hpp>
#include <ctml/quant/gru_s8.hpp>
#include <ctml/quant/lstm_s8.hpp>
#include <ctml/quant/svdf_s8.hpp>

#include "board.hpp"

extern "C" {
#include "arm_nnfunctions.h"
}

namespace fw {
constexpr std::size_t steps = 8;

struct Lcg {
  std::uint32_t s;
  constexpr std::uint32_t next() { return s = s * 1664525u + 1013904223u; }
  constexpr float uniform(float a) { return a * (static_cast<float>(next() >> 8) / 8388608.0f - 1.0f); }
};

template <class Cell>
constexpr Cell random_cell(std::uint32_t seed) {
  Cell c{};
  Lcg g{seed};
  std::apply([&](auto&... t) { ((void)[&] { for (auto& v : t) v = g.uniform(0.3f); }(), ...); }, c.parameters());
  return c;
}

template <std::size_t H>
constexpr ctml::LSTMCell<float, H, H> float_lstm = [] {
  auto c = random_cell<ctml::LSTMCell<float, H, H>>(3);
  c.cell_clip = 3.0f;  // TFLite's option; CMSIS-NN always clips, so both get the same bound
  return c;
}();
template <std::size_t H>
constexpr ctml::GRUCell<float, H, H, ctml::rnn::Reset::after> float_gru = random_cell<ctml::GRUCell<float, H, H, ctml::rnn::Reset::after>>(5);

// Input 1/100 with zero point -3, hidden 1/128 with zero point 2: the zero points are folded.
template <std::size_t H>
constexpr ctml::quant::QLSTMCell<H, H> q_lstm = ctml::quant::make_qlstm_cell(float_lstm<H>, {0.01f, -3}, {1.0f / 128.0f, 2}, 4.0);
template <std::size_t H>
constexpr auto q_gru = ctml::quant::make_qstreaming_gru(ctml::quant::make_qgru_cell(float_gru<H>, {0.01f, -3}, {1.0f / 128.0f, 2}));

// The flash check reads the largest int8 cell
// (check_image.sh finds it as fw::q_lstm<128u>)

template <std::size_t F, std::size_t U, std::size_t R, std::size_t M>
constexpr ctml::quant::QSVDFLayer<F, U, R, M> q_svdf = [] {
  ctml::Tensor<std::int8_t, ctml::Shape<U * R, F>> wf{};
  ctml::Tensor<std::int16_t, ctml::Shape<U * R, M>> wt{};
  ctml::Tensor<std::int32_t, ctml::Shape<U>> b{};
  Lcg g{11};
  for (auto& v : wf) v = static_cast<std::int8_t>(static_cast<int>(g.next() >> 24) - 128);
  for (auto& v : wt) v = static_cast<std::int16_t>(static_cast<int>(g.next() >> 16) - 32768);
  for (auto& v : b) v = static_cast<std::int32_t>(g.next() >> 20) - 2048;
  return ctml::quant::make_qsvdf<F, U, R, M>(wf, wt, b, {0.02f, 4}, 0.004f, {0.001f, 0}, 0.00003f, {0.05f, -1});
}();
}  // namespace fw

namespace {
bool ok = true;

void report(const char* what, std::size_t h, std::uint64_t ctml_n, std::uint64_t cmsis_n) {
  board::Out() << what << h << " ctml=" << ctml_n << " cmsis=" << cmsis_n
               << " ratio=" << board::fixed(static_cast<double>(ctml_n) / static_cast<double>(cmsis_n), 3) << '\n';
}
void report(const char* what, std::size_t h, std::uint64_t ctml_n) { board::Out() << what << h << " ctml=" << ctml_n << '\n'; }

alignas(4) std::int8_t x8[fw::steps][128];
float xf[fw::steps][128];
void make_inputs() {
  fw::Lcg g{7};
  for (std::size_t t = 0; t < fw::steps; ++t)
    for (std::size_t i = 0; i < 128; ++i) {
      xf[t][i] = g.uniform(1.0f);
      x8[t][i] = static_cast<std::int8_t>(static_cast<int>(g.next() >> 24) - 128);
    }
}

// CMSIS-NN's LSTM parameters from ctml's cell: per gate the input and recurrent multipliers and
// the folded biases, the cell's three multipliers, its clip and the cell scale's power of two.
template <std::size_t H>
cmsis_nn_lstm_params cmsis_params(const ctml::quant::QLSTMCell<H, H>& c) {
  cmsis_nn_lstm_params p{};
  p.time_major = 1;
  p.batch_size = 1;
  p.time_steps = fw::steps;
  p.input_size = H;
  p.hidden_size = H;
  p.input_offset = -c.input_zero_point;
  p.forget_to_cell_multiplier = c.mul_fc.value, p.forget_to_cell_shift = c.mul_fc.shift;
  p.input_to_cell_multiplier = c.mul_ig.value, p.input_to_cell_shift = c.mul_ig.shift;
  p.cell_clip = c.cell_clip >= 0 ? c.cell_clip : 32767;
  // ctml's tanh of the cell: tanh_shift = 12 + log2(cell scale) (left) or its negation (right).
  p.cell_scale_power = (c.tanh_mult == 0 ? c.tanh_shift : -c.tanh_shift) - 12;
  p.output_multiplier = c.mul_h.value, p.output_shift = c.mul_h.shift;
  p.output_offset = c.hidden_zero_point;
  auto gate = [&](std::size_t k, arm_nn_activation_type act) {
    cmsis_nn_lstm_gate g{};
    g.input_multiplier = c.mult_in[k], g.input_shift = c.shift_in[k];
    g.input_weights = c.w_in.data() + k * H * H;
    g.input_effective_bias = c.bias_in.data() + k * H;
    g.hidden_multiplier = c.mult_rec[k], g.hidden_shift = c.shift_rec[k];
    g.hidden_weights = c.w_rec.data() + k * H * H;
    g.hidden_effective_bias = c.bias_rec.data() + k * H;
    g.bias = c.bias.data() + k * H;
    g.activation_type = act;
    return g;
  };
  namespace k = ctml::kernels::s8;
  p.forget_gate = gate(k::lstm_forget, ARM_SIGMOID);
  p.input_gate = gate(k::lstm_input, ARM_SIGMOID);
  p.cell_gate = gate(k::lstm_cell, ARM_TANH);
  p.output_gate = gate(k::lstm_output, ARM_SIGMOID);
  return p;
}

std::int8_t h_ctml[128], out_ctml[fw::steps][128], out_cmsis[fw::steps][128], h_cmsis[128];
std::int16_t c_ctml[128], c_cmsis[128], gates[3 * 128], temp1[128], temp2[128];

template <std::size_t H>
void lstm_s8() {
  const auto& cell = fw::q_lstm<H>;
  std::memcpy(h_ctml, cell.h0.data(), H);
  std::memcpy(c_ctml, cell.c0.data(), 2 * H);
  const std::uint64_t n = board::count_instructions([&] {
    for (std::size_t t = 0; t < fw::steps; ++t) {
      cell.step(x8[t], h_ctml, c_ctml, gates);
      std::memcpy(out_ctml[t], h_ctml, H);
    }
  });
  const cmsis_nn_lstm_params p = cmsis_params(cell);
  std::memcpy(h_cmsis, cell.h0.data(), H);
  std::memcpy(c_cmsis, cell.c0.data(), 2 * H);
  cmsis_nn_lstm_context ctx{temp1, temp2, c_cmsis, h_cmsis};
  // CMSIS reads the sequence as [steps][H] contiguous: x8's rows are 128 wide, so pack them.
  static std::int8_t seq[fw::steps * 128];
  for (std::size_t t = 0; t < fw::steps; ++t) std::memcpy(seq + t * H, x8[t], H);
  arm_cmsis_nn_status st = ARM_CMSIS_NN_SUCCESS;
  const std::uint64_t m = board::count_instructions([&] { st = arm_lstm_unidirectional_s8(seq, &out_cmsis[0][0], &p, &ctx); });
  ok &= st == ARM_CMSIS_NN_SUCCESS;
  bool same = std::memcmp(c_ctml, c_cmsis, 2 * H) == 0;
  for (std::size_t t = 0; t < fw::steps; ++t) same &= std::memcmp(out_ctml[t], &out_cmsis[0][0] + t * H, H) == 0;
  if (!same) board::Out() << "  lstm_s8 H=" << H << ": ctml and CMSIS-NN differ\n";
  ok &= same;
  report("lstm_s8 step H=", H, n / fw::steps, m / fw::steps);
}

template <std::size_t H>
void gru_s8() {
  const auto& layer = fw::q_gru<H>;
  using L = std::remove_cvref_t<decltype(layer)>;
  static std::int16_t scratch[L::scratch_size];
  typename L::state_type s{};
  layer.reset(s);
  const std::uint64_t n = board::count_instructions([&] {
    for (std::size_t t = 0; t < fw::steps; ++t) layer.forward(x8[t], out_ctml[t], scratch, s);
  });
  report("gru_s8 step H=", H, n / fw::steps);
}

float hf[128], cf[128], scratch_f[4 * 128];
template <std::size_t H>
void lstm_f32() {
  const auto& cell = fw::float_lstm<H>;
  for (std::size_t j = 0; j < H; ++j) hf[j] = cell.h0[j], cf[j] = cell.c0[j];
  const std::uint64_t n = board::count_instructions([&] {
    for (std::size_t t = 0; t < fw::steps; ++t) cell.step(xf[t], hf, cf, hf, cf, scratch_f);
  });
  for (std::size_t j = 0; j < H; ++j) ok &= hf[j] > -1.0f && hf[j] < 1.0f;
  report("lstm_f32 step H=", H, n / fw::steps);
}

template <std::size_t H>
void gru_f32() {
  const auto& cell = fw::float_gru<H>;
  for (std::size_t j = 0; j < H; ++j) hf[j] = cell.h0[j];
  const std::uint64_t n = board::count_instructions([&] {
    for (std::size_t t = 0; t < fw::steps; ++t) cell.step(xf[t], hf, hf, scratch_f);
  });
  for (std::size_t j = 0; j < H; ++j) ok &= hf[j] >= -1.0f && hf[j] <= 1.0f;
  report("gru_f32 step H=", H, n / fw::steps);
}

template <std::size_t F, std::size_t U, std::size_t R, std::size_t M>
void svdf_s8() {
  const auto& layer = fw::q_svdf<F, U, R, M>;
  using L = std::remove_cvref_t<decltype(layer)>;
  static typename L::state_type s;
  static std::int16_t state_cmsis[U * R * M];
  static std::int32_t scratch[L::scratch_size], buf_a[U * R], buf_b[U];
  static std::int8_t y_ctml[fw::steps][U], y_cmsis[fw::steps][U];
  layer.reset(s);
  std::memset(state_cmsis, 0, sizeof state_cmsis);
  const std::uint64_t n = board::count_instructions([&] {
    for (std::size_t t = 0; t < fw::steps; ++t) layer.forward(x8[t], y_ctml[t], scratch, s);
  });
  const cmsis_nn_context in_ctx{buf_a, sizeof buf_a}, out_ctx{buf_b, sizeof buf_b};
  const cmsis_nn_svdf_params p{static_cast<std::int32_t>(R), layer.input_zero_point, layer.output_zero_point, {-32768, 32767}, {-128, 127}};
  const cmsis_nn_per_tensor_quant_params q_in{layer.mult1, layer.shift1}, q_out{layer.mult2, layer.shift2};
  const cmsis_nn_dims in_dims{1, static_cast<std::int32_t>(F), 1, 1}, state_dims{1, static_cast<std::int32_t>(U * R), static_cast<std::int32_t>(M), 1};
  const cmsis_nn_dims wf_dims{static_cast<std::int32_t>(U * R), static_cast<std::int32_t>(F), 1, 1};
  const cmsis_nn_dims wt_dims{static_cast<std::int32_t>(U * R), static_cast<std::int32_t>(M), 1, 1};
  const cmsis_nn_dims b_dims{static_cast<std::int32_t>(U), 1, 1, 1}, out_dims{1, static_cast<std::int32_t>(U), 1, 1};
  arm_cmsis_nn_status st = ARM_CMSIS_NN_SUCCESS;
  const std::uint64_t m = board::count_instructions([&] {
    for (std::size_t t = 0; t < fw::steps; ++t)
      st = static_cast<arm_cmsis_nn_status>(st | arm_svdf_state_s16_s8(&in_ctx, &out_ctx, &p, &q_in, &q_out, &in_dims, x8[t], &state_dims, state_cmsis,
                                                                      &wf_dims, layer.w_feature.data(), &wt_dims, layer.w_time.data(), &b_dims,
                                                                      layer.bias.data(), &out_dims, y_cmsis[t]));
  });
  ok &= st == ARM_CMSIS_NN_SUCCESS;
  const bool same = std::memcmp(y_ctml, y_cmsis, sizeof y_ctml) == 0 && std::memcmp(s.memory, state_cmsis, sizeof state_cmsis) == 0;
  if (!same) board::Out() << "  svdf_s8 F=" << F << " units=" << U << ": ctml and CMSIS-NN differ\n";
  ok &= same;
  board::Out() << "svdf_s8 step F=" << F << " units=" << U << " rank=" << R << " memory=" << M << " ctml=" << n / fw::steps
               << " cmsis=" << m / fw::steps << " ratio=" << board::fixed(static_cast<double>(n) / static_cast<double>(m), 3) << '\n';
}
}  // namespace

int main() {
  board::counter_start();
  make_inputs();
  lstm_s8<16>();
  lstm_s8<32>();
  lstm_s8<64>();
  lstm_s8<128>();
  svdf_s8<40, 64, 1, 8>();
  svdf_s8<64, 128, 2, 16>();
  gru_s8<16>();
  gru_s8<32>();
  gru_s8<64>();
  gru_s8<128>();
  lstm_f32<16>();
  lstm_f32<32>();
  lstm_f32<64>();
  lstm_f32<128>();
  gru_f32<16>();
  gru_f32<32>();
  gru_f32<64>();
  gru_f32<128>();
  board::Out() << "fw_rnn_compare (" << board::name << ", ctml vs CMSIS-NN, same cells and inputs): "
               << (ok ? "same bytes ok\n" : "FAILED: results differ\n");
  return ok ? 0 : 1;
}
