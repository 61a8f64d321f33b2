// SPDX-License-Identifier: Apache-2.0
#pragma once
// GRU int8: the float GRU (layers/gru.hpp) quantized as TFLite quantizes its LSTM (TFLite has no
// GRU op): int8 input and hidden state, int8 weights per tensor and gate, int32 biases, Q3.12 gate
// pre-activations, Q0.15 gates and state update. Math: kernels/s8/gru.hpp. Two forms, as the float
// GRU (layers/recurrent.hpp):
//   QGRULayer<Steps, F, H, Output, Reset>  a [Steps, F] sequence per call, from the initial state
//   QStreamingGRULayer<F, H, Reset>         one [F] step per call, the int8 h in the caller's
//                                           Model::state_type
// Post-training quantization (quantize() for a GRU layer in a network; make_qgru_cell for one
// cell):
//   input      the incoming tensor's parameters; hidden: asymmetric int8 over the calibrated range
//              of h (every step, and h0), which lies in [-1, 1] when h0 does
//   weights    symmetric int8 per tensor and gate (scale max|W| / 127, values in [-127, 127])
//   biases     r, z: b_ih + b_hh at x_scale * w_in_scale[gate]; n: b_in there, b_hn at
//              h_scale * w_rec_scale[n] inside the reset product (reset after) or with b_in
//              (reset before, where it is outside the product)
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/gru.hpp>
#include <ctml/layers/gru.hpp>
#include <ctml/layers/recurrent.hpp>
#include <ctml/quant/qmap.hpp>
#include <ctml/quant/quantize_s8.hpp>
#include <ctml/quant/quantize_weights.hpp>

namespace ctml::quant {

template <std::size_t F, std::size_t H, rnn::Reset R = rnn::Reset::after>
struct QGRUCell {
  static_assert(F > 0 && H > 0, "ctml::quant::QGRU needs at least one feature and one unit");
  static constexpr std::size_t features = F;
  static constexpr std::size_t units = H;
  static constexpr bool reset_after = R == rnn::Reset::after;
  static constexpr std::size_t macs_per_step = 3 * H * (F + H);
  static constexpr std::size_t step_scratch = 4 * H;  // int16: r, z, n, h in Q0.15

  Tensor<std::int8_t, Shape<3 * H, F>> w_in;  // gate rows: r, z, n
  Tensor<std::int8_t, Shape<3 * H, H>> w_rec;
  Tensor<std::int32_t, Shape<3 * H>> b_in;    // at x_scale * w_in_scale[gate]
  Tensor<std::int32_t, Shape<3 * H>> b_rec;   // at h_scale * w_rec_scale[gate]: b_hn (reset after), else 0
  Tensor<std::int32_t, Shape<3>> mult_in, shift_in, mult_rec, shift_rec;
  Multiplier mul_hq{}, mul_h{};
  std::int32_t input_zero_point = 0;
  std::int32_t hidden_zero_point = 0;
  Tensor<std::int8_t, Shape<H>> h0;  // the initial state
  // Derived by prepare(): the biases with the zero points folded in.
  Tensor<std::int32_t, Shape<3 * H>> bias_in;   // b_in - x_zp * sum(w_in row)
  Tensor<std::int32_t, Shape<3 * H>> bias_rec;  // b_rec - h_zp * sum(w_rec row)

  constexpr auto parameters() { return std::tie(w_in, w_rec, b_in, b_rec); }
  constexpr auto parameters() const { return std::tie(w_in, w_rec, b_in, b_rec); }
  constexpr auto buffers() { return std::tie(mult_in, shift_in, mult_rec, shift_rec, mul_hq, mul_h, input_zero_point, hidden_zero_point, h0); }
  constexpr auto buffers() const { return std::tie(mult_in, shift_in, mult_rec, shift_rec, mul_hq, mul_h, input_zero_point, hidden_zero_point, h0); }

  constexpr void prepare() {
    fold_zero_point_rows<3 * H, F>(b_in.data(), input_zero_point, w_in.data(), bias_in.data());
    fold_zero_point_rows<3 * H, H>(b_rec.data(), hidden_zero_point, w_rec.data(), bias_rec.data());
  }
  constexpr void step(const std::int8_t* x, const std::int8_t* h, std::int8_t* h_next, std::int16_t* scratch) const {
    kernels::s8::gru_step<F, H, reset_after>(*this, x, h, h_next, scratch);
  }
};

// Post-training quantization of a float cell (see the top of this file).
template <std::size_t F, std::size_t H, rnn::Reset R>
constexpr QGRUCell<F, H, R> make_qgru_cell(const GRUCell<float, F, H, R>& f, QParams input, QParams hidden) {
  QGRUCell<F, H, R> q{};
  constexpr double gate_scale = 1.0 / 4096.0, unit = 1.0 / 32768.0;  // Q3.12 in, Q0.15 out
  const double xs = static_cast<double>(input.scale), hs = static_cast<double>(hidden.scale);
  for (std::size_t k = 0; k < 3; ++k) {
    const double s_in = symmetric_weight_scale(f.w_ih.data() + k * H * F, H * F);
    const double s_rec = symmetric_weight_scale(f.w_hh.data() + k * H * H, H * H);
    for (std::size_t i = 0; i < H * F; ++i) q.w_in[k * H * F + i] = quantize_weight(static_cast<double>(f.w_ih[k * H * F + i]), s_in);
    for (std::size_t i = 0; i < H * H; ++i) q.w_rec[k * H * H + i] = quantize_weight(static_cast<double>(f.w_hh[k * H * H + i]), s_rec);
    const bool rec_bias_inside = k == 2 && q.reset_after;  // b_hn multiplied by r
    for (std::size_t j = 0; j < H; ++j) {
      const double bi = static_cast<double>(f.b_ih[k * H + j]), bh = static_cast<double>(f.b_hh[k * H + j]);
      q.b_in[k * H + j] = quantize_bias(rec_bias_inside ? bi : bi + bh, xs * s_in);
      q.b_rec[k * H + j] = rec_bias_inside ? quantize_bias(bh, hs * s_rec) : 0;
    }
    const Multiplier mi = quantize_multiplier(xs * s_in / gate_scale);
    // The reset-before n gate multiplies r * h in Q0.15, the others h at its scale.
    const Multiplier mr = quantize_multiplier((k == 2 && !q.reset_after ? unit : hs) * s_rec / gate_scale);
    q.mult_in[k] = mi.value, q.shift_in[k] = mi.shift;
    q.mult_rec[k] = mr.value, q.shift_rec[k] = mr.shift;
  }
  q.mul_hq = quantize_multiplier(hs / unit);
  q.mul_h = quantize_multiplier(unit / hs);
  q.input_zero_point = input.zero_point;
  q.hidden_zero_point = hidden.zero_point;
  for (std::size_t j = 0; j < H; ++j) q.h0[j] = quantize_to<std::int8_t>(f.h0[j], hidden);
  q.prepare();
  return q;
}

template <std::size_t Steps, std::size_t F, std::size_t H, rnn::Output O = rnn::Output::last, rnn::Reset R = rnn::Reset::after>
struct QGRULayer : QGRUCell<F, H, R> {
  using cell = QGRUCell<F, H, R>;
  static constexpr std::size_t steps = Steps;
  using input_type = Tensor<std::int8_t, Shape<Steps, F>>;
  using output_type = Tensor<std::int8_t, std::conditional_t<O == rnn::Output::sequence, Shape<Steps, H>, Shape<H>>>;
  static constexpr std::string_view name = "QGRU";
  static constexpr std::size_t macs = Steps * cell::macs_per_step;
  using scratch_value_type = std::int16_t;
  static constexpr std::size_t scratch_size = cell::step_scratch;

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int16_t* scratch) const {
    // The hidden state lives in the output: step t writes row t from row t - 1 (or h0).
    const std::int8_t* prev = this->h0.data();
    for (std::size_t t = 0; t < Steps; ++t) {
      std::int8_t* cur = O == rnn::Output::sequence ? out + t * H : out;
      this->step(in + t * F, prev, cur, scratch);
      prev = cur;
    }
  }
};

template <std::size_t F, std::size_t H, rnn::Reset R = rnn::Reset::after>
struct QStreamingGRULayer : QGRUCell<F, H, R> {
  using cell = QGRUCell<F, H, R>;
  using input_type = Tensor<std::int8_t, Shape<F>>;
  using output_type = Tensor<std::int8_t, Shape<H>>;
  static constexpr std::string_view name = "QStreamingGRU";
  static constexpr std::size_t macs = cell::macs_per_step;
  using scratch_value_type = std::int16_t;
  static constexpr std::size_t scratch_size = cell::step_scratch;

  struct state_type {
    std::int8_t h[H];
  };
  constexpr void reset(state_type& s) const {
    for (std::size_t j = 0; j < H; ++j) s.h[j] = this->h0[j];
  }
  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int16_t* scratch, state_type& s) const {
    this->step(in, s.h, s.h, scratch);
    for (std::size_t j = 0; j < H; ++j) out[j] = s.h[j];
  }
};

// The layers from a cell.
template <std::size_t Steps, rnn::Output O = rnn::Output::last, std::size_t F, std::size_t H, rnn::Reset R>
constexpr QGRULayer<Steps, F, H, O, R> make_qgru(const QGRUCell<F, H, R>& c) {
  QGRULayer<Steps, F, H, O, R> l{};
  static_cast<QGRUCell<F, H, R>&>(l) = c;
  return l;
}
template <std::size_t F, std::size_t H, rnn::Reset R>
constexpr QStreamingGRULayer<F, H, R> make_qstreaming_gru(const QGRUCell<F, H, R>& c) {
  QStreamingGRULayer<F, H, R> l{};
  static_cast<QGRUCell<F, H, R>&>(l) = c;
  return l;
}

// Its place in the float -> int8 map of PTQ (qmap.hpp): a GRU sequence layer. (A streaming GRU is
// quantized through its sequence form: make_qstreaming_gru(q.model.layer<K>()).)
namespace detail {
template <ShapeType In, std::size_t Units, rnn::Output O, rnn::Reset R, std::size_t Truncation>
struct qmap<GRULayer<float, In, Units, O, R, Truncation>> : qmap_base {
  using type = QGRULayer<In::extent(0), In::extent(1), Units, O, R>;
  static constexpr QKind kind = QKind::gru;
};
}  // namespace detail

}  // namespace ctml::quant
