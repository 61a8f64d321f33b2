// SPDX-License-Identifier: Apache-2.0
#pragma once
// Integer LSTM, bit-exact with TFLite Micro's UNIDIRECTIONAL_SEQUENCE_LSTM in its two integer
// forms: 8x8->16 (T = int8_t: int8 input and hidden state, int32 gate biases) and 16x8->16
// (T = int16_t: int16 input and hidden state, int64 gate biases); int8 weights per tensor, int16
// gates and cell state; no peephole, projection or layer norm. Math: kernels/s8/lstm.hpp. Two
// forms, as the float LSTM (layers/recurrent.hpp):
//   QLSTMLayer<Steps, F, H, Output, T>   a [Steps, F] sequence per call, from the initial state
//                                        (hidden = its zero point, cell = 0; TFLM's reset state)
//   QStreamingLSTMLayer<F, H, T>          one [F] step per call, the state (T h, int16 c) in the
//                                        caller's Model::state_type
// Built from TFLite's values by make_qlstm_cell: weights [4H][F] and [4H][H] and biases [4H] in
// TFLite's gate order (input, forget, cell, output), the input / hidden quantization, each gate's
// weight scales, the cell state scale (a power of two) and cell_clip, and derived as TFLM's
// Prepare does (lstm_eval_common.cc):
//   M_in[k]  = x_scale * w_in_scale[k] / 2^-12        M_rec[k] = h_scale * w_rec_scale[k] / 2^-12
//   M_fc     = 2^-15 * c_scale / c_scale              M_ig     = 2^-15 * 2^-15 / c_scale
//   M_h      = 2^-15 * 2^-15 / h_scale                tanh of the cell: input shift 12 + log2(c_scale)
//   clip     = trunc(cell_clip / c_scale) when cell_clip > 0
// The initial state is TFLM's reset state (h = the hidden zero point, c = 0) unless set.
//
// Post-training quantization of a float LSTM to 8x8->16 (quantize() does it for an LSTM layer in a network;
// make_qlstm_cell(float_cell, ...) for one cell), as TFLite's converter quantizes the op:
//   input      the incoming tensor's parameters; hidden: asymmetric int8 over the calibrated
//              range of h (every step, and h0)
//   weights    symmetric int8 per tensor and gate (scale max|W| / 127, values in [-127, 127]);
//              bias b_ih + b_hh as int32 at x_scale * w_in_scale[gate]
//   cell       int16 with a power-of-two scale 2^(ceil(log2 max|c|) - 15) over the calibrated
//              |c| (every step, and c0), so that [-max|c|, max|c|] fits; at least 2^-15
//   gates      Q3.12 in, Q0.15 out (fixed by the integer kernel, as in TFLite)
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/lstm.hpp>
#include <ctml/layers/lstm.hpp>
#include <ctml/layers/recurrent.hpp>
#include <ctml/quant/qmap.hpp>
#include <ctml/quant/quantize_s8.hpp>
#include <ctml/quant/quantize_weights.hpp>

namespace ctml::quant {

// The gate bias type of each integer form (TFLite's: 32 bits for 8x8, 64 for 16x8).
template <class T>
using lstm_bias_t = std::conditional_t<std::is_same_v<T, std::int16_t>, std::int64_t, std::int32_t>;

template <std::size_t F, std::size_t H, class T = std::int8_t>
struct QLSTMCell {
  static_assert(F > 0 && H > 0, "ctml::quant::QLSTM needs at least one feature and one unit");
  static_assert(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>,
                "ctml::quant::QLSTM has int8 (8x8->16) or int16 (16x8->16) activations");
  using activation_type = T;
  using bias_type = lstm_bias_t<T>;
  static constexpr std::size_t features = F;
  static constexpr std::size_t units = H;
  static constexpr std::size_t macs_per_step = 4 * H * (F + H);

  Tensor<std::int8_t, Shape<4 * H, F>> w_in;   // gate rows: input, forget, cell, output
  Tensor<std::int8_t, Shape<4 * H, H>> w_rec;
  Tensor<bias_type, Shape<4 * H>> bias;        // scale x_scale * w_in_scale[gate]
  Tensor<std::int32_t, Shape<4>> mult_in, shift_in, mult_rec, shift_rec;
  Multiplier mul_fc{}, mul_ig{}, mul_h{};
  std::int32_t input_zero_point = 0;
  std::int32_t hidden_zero_point = 0;
  std::int32_t cell_clip = -1;  // quantized; < 0: no clipping
  std::int32_t tanh_mult = 0, tanh_shift = 0;
  Tensor<T, Shape<H>> h0;              // the initial state
  Tensor<std::int16_t, Shape<H>> c0;
  // Derived by prepare(): the biases with the zero points folded in.
  Tensor<bias_type, Shape<4 * H>> bias_in;   // bias - x_zp * sum(w_in row)
  Tensor<bias_type, Shape<4 * H>> bias_rec;  // -h_zp * sum(w_rec row)

  constexpr auto parameters() { return std::tie(w_in, w_rec, bias); }
  constexpr auto parameters() const { return std::tie(w_in, w_rec, bias); }
  constexpr auto buffers() {
    return std::tie(mult_in, shift_in, mult_rec, shift_rec, mul_fc, mul_ig, mul_h, input_zero_point, hidden_zero_point, cell_clip,
                    tanh_mult, tanh_shift, h0, c0);
  }
  constexpr auto buffers() const {
    return std::tie(mult_in, shift_in, mult_rec, shift_rec, mul_fc, mul_ig, mul_h, input_zero_point, hidden_zero_point, cell_clip,
                    tanh_mult, tanh_shift, h0, c0);
  }

  constexpr void prepare() {
    if constexpr (std::is_same_v<T, std::int8_t>) {
      fold_zero_point_rows<4 * H, F>(bias.data(), input_zero_point, w_in.data(), bias_in.data());
      fold_zero_point_rows<4 * H, H>(nullptr, hidden_zero_point, w_rec.data(), bias_rec.data());
    } else {  // in 64 bits, modulo 2^64 (exact for every bias TFLite's int64 sum does not overflow)
      auto fold = [](const bias_type* b, std::int32_t zp, const std::int8_t* w, std::size_t n, bias_type* out) {
        for (std::size_t r = 0; r < 4 * H; ++r) {
          std::int64_t sum = 0;
          for (std::size_t i = 0; i < n; ++i) sum += w[r * n + i];
          out[r] = static_cast<std::int64_t>(static_cast<std::uint64_t>(b ? b[r] : 0) - static_cast<std::uint64_t>(zp * sum));
        }
      };
      fold(bias.data(), input_zero_point, w_in.data(), F, bias_in.data());
      fold(nullptr, hidden_zero_point, w_rec.data(), H, bias_rec.data());
    }
  }
  constexpr void step(const T* x, T* h, std::int16_t* c, std::int16_t* gates) const {
    kernels::s8::lstm_step<F, H>(*this, x, h, c, gates);
  }
};

namespace detail {
[[noreturn]] inline void lstm_cell_scale_must_be_a_power_of_two_from_2_pow_minus_42_to_4() { __builtin_trap(); }
}  // namespace detail

// A cell from TFLite's raw values (see the top of this file); T = int16_t for a 16x8 LSTM (its
// biases int64).
template <std::size_t F, std::size_t H, class T = std::int8_t>
constexpr QLSTMCell<F, H, T> make_qlstm_cell(const Tensor<std::int8_t, Shape<4 * H, F>>& w_in, const Tensor<std::int8_t, Shape<4 * H, H>>& w_rec,
                                             const Tensor<lstm_bias_t<T>, Shape<4 * H>>& bias, QParams input,
                                             std::array<double, 4> w_in_scales, std::array<double, 4> w_rec_scales, QParams hidden,
                                             float cell_scale, float cell_clip) {
  QLSTMCell<F, H, T> q{};
  q.w_in = w_in;
  q.w_rec = w_rec;
  q.bias = bias;
  constexpr double gate_scale = 1.0 / 4096.0, unit = 1.0 / 32768.0;  // Q3.12 in, Q0.15 out
  for (std::size_t k = 0; k < 4; ++k) {
    const Multiplier mi = quantize_multiplier(static_cast<double>(input.scale) * w_in_scales[k] / gate_scale);
    const Multiplier mr = quantize_multiplier(static_cast<double>(hidden.scale) * w_rec_scales[k] / gate_scale);
    q.mult_in[k] = mi.value, q.shift_in[k] = mi.shift;
    q.mult_rec[k] = mr.value, q.shift_rec[k] = mr.shift;
  }
  const double cs = static_cast<double>(cell_scale);
  q.mul_fc = quantize_multiplier(unit * cs / cs);
  q.mul_ig = quantize_multiplier(unit * unit / cs);
  q.mul_h = quantize_multiplier(unit * unit / static_cast<double>(hidden.scale));
  q.input_zero_point = input.zero_point;
  q.hidden_zero_point = hidden.zero_point;
  // The cell scale's power of two (TFLM's CheckedLog2) gives the tanh input shift.
  int e = 0;
  const double m = cell_scale > 0.0f ? ::ctml::quant::detail::frexp_pos(cs, e) : 0.0;
  const int power = e - 1;
  if (m != 0.5 || power < -42 || power > 4) detail::lstm_cell_scale_must_be_a_power_of_two_from_2_pow_minus_42_to_4();
  const int left = 15 + power - 3;
  q.tanh_mult = left < 0 ? 3 : 0;
  q.tanh_shift = left < 0 ? -left : left;
  if (cell_clip > 0.0f) {
    const double v = static_cast<double>(cell_clip) / cs;
    q.cell_clip = static_cast<std::int16_t>(v > 32767.0 ? 32767.0 : v);
  }
  q.h0.fill(static_cast<T>(hidden.zero_point));
  q.prepare();
  return q;
}

// The power-of-two cell scale that holds [-max_abs, max_abs] in int16 (see the top of this file).
constexpr float lstm_cell_scale(double max_abs) {
  int pot = 0;  // ceil(log2(max_abs)), at least 0 (the scale 2^-15 holds [-1, 1))
  while (pot < 19 && static_cast<double>(1ll << pot) < max_abs) ++pot;
  double s = 1.0;
  for (int k = 15 - pot; k > 0; --k) s *= 0.5;
  return static_cast<float>(s);
}

// Post-training quantization of a float cell (see the top of this file): input and hidden
// parameters and the largest |c| from calibration.
template <std::size_t F, std::size_t H>
constexpr QLSTMCell<F, H> make_qlstm_cell(const LSTMCell<float, F, H>& f, QParams input, QParams hidden, double cell_max_abs) {
  Tensor<std::int8_t, Shape<4 * H, F>> w_in{};
  Tensor<std::int8_t, Shape<4 * H, H>> w_rec{};
  Tensor<std::int32_t, Shape<4 * H>> bias{};
  std::array<double, 4> s_in{}, s_rec{};
  for (std::size_t k = 0; k < 4; ++k) {
    s_in[k] = symmetric_weight_scale(f.w_ih.data() + k * H * F, H * F);
    s_rec[k] = symmetric_weight_scale(f.w_hh.data() + k * H * H, H * H);
    for (std::size_t i = 0; i < H * F; ++i) w_in[k * H * F + i] = quantize_weight(static_cast<double>(f.w_ih[k * H * F + i]), s_in[k]);
    for (std::size_t i = 0; i < H * H; ++i) w_rec[k * H * H + i] = quantize_weight(static_cast<double>(f.w_hh[k * H * H + i]), s_rec[k]);
    for (std::size_t j = 0; j < H; ++j)
      bias[k * H + j] = quantize_bias(static_cast<double>(f.b_ih[k * H + j]) + static_cast<double>(f.b_hh[k * H + j]),
                                      static_cast<double>(input.scale) * s_in[k]);
  }
  const double clip = static_cast<double>(f.cell_clip);
  const float cell_scale = lstm_cell_scale(clip > 0 && clip < cell_max_abs ? clip : cell_max_abs);
  QLSTMCell<F, H> q = make_qlstm_cell<F, H>(w_in, w_rec, bias, input, s_in, s_rec, hidden, cell_scale, f.cell_clip);
  for (std::size_t j = 0; j < H; ++j) {
    q.h0[j] = quantize_to<std::int8_t>(f.h0[j], hidden);
    q.c0[j] = quantize_to<std::int16_t>(f.c0[j], QParams{cell_scale, 0});
  }
  return q;
}

template <std::size_t Steps, std::size_t F, std::size_t H, rnn::Output O = rnn::Output::sequence, class T = std::int8_t>
struct QLSTMLayer : QLSTMCell<F, H, T> {
  using cell = QLSTMCell<F, H, T>;
  static constexpr std::size_t steps = Steps;
  using input_type = Tensor<T, Shape<Steps, F>>;
  using output_type = Tensor<T, std::conditional_t<O == rnn::Output::sequence, Shape<Steps, H>, Shape<H>>>;
  static constexpr std::string_view name = std::is_same_v<T, std::int8_t> ? "QLSTM" : "QLSTM16x8";
  static constexpr std::size_t macs = Steps * cell::macs_per_step;
  using scratch_value_type = std::int16_t;
  static constexpr std::size_t scratch_size = 4 * H;  // the cell state and three gates

  constexpr void forward(const T* in, T* out, std::int16_t* scratch) const {
    std::int16_t* c = scratch;
    for (std::size_t j = 0; j < H; ++j) c[j] = this->c0[j];
    // The hidden state lives in the output: step t updates row t (a copy of row t - 1) in place.
    for (std::size_t j = 0; j < H; ++j) out[j] = this->h0[j];
    for (std::size_t t = 0; t < Steps; ++t) {
      T* h = O == rnn::Output::sequence ? out + t * H : out;
      // Row t - 1 by its own index: h[j - H] would add a wrapped size_t to the pointer (UB, which
      // clang's UBSan reports as a pointer overflow).
      if (O == rnn::Output::sequence && t > 0)
        for (std::size_t j = 0; j < H; ++j) h[j] = out[(t - 1) * H + j];
      this->step(in + t * F, h, c, scratch + H);
    }
  }
};

template <std::size_t F, std::size_t H, class T = std::int8_t>
struct QStreamingLSTMLayer : QLSTMCell<F, H, T> {
  using cell = QLSTMCell<F, H, T>;
  using input_type = Tensor<T, Shape<F>>;
  using output_type = Tensor<T, Shape<H>>;
  static constexpr std::string_view name = std::is_same_v<T, std::int8_t> ? "QStreamingLSTM" : "QStreamingLSTM16x8";
  static constexpr std::size_t macs = cell::macs_per_step;
  using scratch_value_type = std::int16_t;
  static constexpr std::size_t scratch_size = 3 * H;

  struct state_type {
    T h[H];
    std::int16_t c[H];
  };
  constexpr void reset(state_type& s) const {
    for (std::size_t j = 0; j < H; ++j) s.h[j] = this->h0[j], s.c[j] = this->c0[j];
  }
  constexpr void forward(const T* in, T* out, std::int16_t* scratch, state_type& s) const {
    this->step(in, s.h, s.c, scratch);
    for (std::size_t j = 0; j < H; ++j) out[j] = s.h[j];
  }
};

// The layers from a cell (make_qlstm_cell).
template <std::size_t Steps, std::size_t F, std::size_t H, rnn::Output O = rnn::Output::sequence, class T>
constexpr QLSTMLayer<Steps, F, H, O, T> make_qlstm(const QLSTMCell<F, H, T>& c) {
  QLSTMLayer<Steps, F, H, O, T> l{};
  static_cast<QLSTMCell<F, H, T>&>(l) = c;
  return l;
}
template <std::size_t F, std::size_t H, class T>
constexpr QStreamingLSTMLayer<F, H, T> make_qstreaming_lstm(const QLSTMCell<F, H, T>& c) {
  QStreamingLSTMLayer<F, H, T> l{};
  static_cast<QLSTMCell<F, H, T>&>(l) = c;
  return l;
}

// Its place in the float -> int8 map of PTQ (qmap.hpp): an LSTM sequence layer. (A streaming
// LSTM is quantized through its sequence form: make_qstreaming_lstm(q.model.layer<K>()).)
namespace detail {
template <ShapeType In, std::size_t Units, rnn::Output O, std::size_t Truncation>
struct qmap<LSTMLayer<float, In, Units, O, Truncation>> : qmap_base {
  using type = QLSTMLayer<In::extent(0), In::extent(1), Units, O>;
  static constexpr QKind kind = QKind::lstm;
};
}  // namespace detail

}  // namespace ctml::quant
