// SPDX-License-Identifier: Apache-2.0
// The int8 LSTM's two forms against each other (bit for bit), its int16 sigmoid / tanh against
// the real functions, and constant evaluation. Bit-exactness with TFLite Micro is checked on
// whole models in tests/import (mnist_lstm, tiny_lstm_* against tflm-run).
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <ctml/model/network.hpp>
#include <ctml/quant/lstm_s8.hpp>

namespace q = ctml::quant;

namespace {
constexpr std::size_t T = 9, F = 4, H = 6;

constexpr q::QLSTMCell<F, H> cell() {
  ctml::Tensor<std::int8_t, ctml::Shape<4 * H, F>> w_in{};
  ctml::Tensor<std::int8_t, ctml::Shape<4 * H, H>> w_rec{};
  ctml::Tensor<std::int32_t, ctml::Shape<4 * H>> bias{};
  std::uint32_t s = 77;
  auto next = [&] {
    s = s * 1664525u + 1013904223u;
    return static_cast<int>(s >> 24) - 128;
  };
  for (auto& v : w_in) v = static_cast<std::int8_t>(next() | 1);
  for (auto& v : w_rec) v = static_cast<std::int8_t>(next());
  for (auto& v : bias) v = next() * 9;
  return q::make_qlstm_cell<F, H>(w_in, w_rec, bias, {0.03f, -4}, {0.008, 0.007, 0.009, 0.006}, {0.005, 0.006, 0.004, 0.007},
                                  {0.0078f, 3}, 1.0f / 2048.0f, 4.0f);
}
constexpr auto seq = q::make_qlstm<T, F, H>(cell());
}  // namespace

TEST_CASE("QStreamingLSTM step by step gives QLSTM's sequence bit for bit; the state resets to the zero point") {
  using Net = ctml::Chain<q::QStreamingLSTMLayer<F, H>>;
  const Net net{{{{q::make_qstreaming_lstm(cell())}}}};
  static_assert(Net::state_bytes == H * (1 + 2));
  q::QLSTMLayer<T, F, H>::input_type x{};
  std::uint32_t s = 5;
  for (auto& v : x) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<std::int8_t>(static_cast<int>(s >> 24) - 128);
  }
  q::QLSTMLayer<T, F, H>::output_type y{};
  std::array<std::int16_t, q::QLSTMLayer<T, F, H>::scratch_size> scratch{};
  seq.forward(x.data(), y.data(), scratch.data());
  int distinct = 0;
  for (std::size_t i = 1; i < y.size(); ++i) distinct += y[i] != y[0];
  CHECK(distinct > 10);
  Net::state_type st{};
  net.reset(st);
  for (std::size_t j = 0; j < H; ++j) CHECK(st.head.h[j] == 3);
  alignas(16) static std::byte arena[Net::arena_bytes + 1];
  for (std::size_t t = 0; t < T; ++t) {
    Net::input_type step{};
    for (std::size_t i = 0; i < F; ++i) step[i] = x[t * F + i];
    Net::output_type h{};
    net(step, h, arena, st);
    for (std::size_t j = 0; j < H; ++j) CHECK(h[j] == y[t * H + j]);
  }
}

TEST_CASE("int16 sigmoid and tanh (Q3.12 in, Q0.15 out) follow the real functions within TFLite's table accuracy") {
  double worst_s = 0, worst_t = 0;
  for (int x = -32768; x <= 32767; x += 7) {
    const double r = x / 4096.0;
    const double s = ctml::kernels::s16::logistic(static_cast<std::int16_t>(x)) / 32768.0;
    const double t = ctml::kernels::s16::tanh(static_cast<std::int16_t>(x), 3, 0) / 32768.0;
    worst_s = std::max(worst_s, std::fabs(s - 1.0 / (1.0 + std::exp(-r))));
    worst_t = std::max(worst_t, std::fabs(t - std::tanh(r)));
  }
  INFO("sigmoid " << worst_s << ", tanh " << worst_t);
  CHECK(worst_s < 1e-4);
  CHECK(worst_t < 2e-4);
  static_assert(ctml::kernels::s16::logistic(0) == 16384);
  static_assert(ctml::kernels::s16::tanh(0, 3, 0) == 0);
}

TEST_CASE("an int8 LSTM sequence evaluated by the compiler equals the run-time result") {
  constexpr auto run = [] {
    q::QLSTMLayer<T, F, H, ctml::rnn::Output::last>::input_type x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int8_t>(static_cast<int>(i * 37 % 251) - 125);
    q::QLSTMLayer<T, F, H, ctml::rnn::Output::last>::output_type y{};
    std::array<std::int16_t, 4 * H> scratch{};
    const auto l = q::make_qlstm<T, F, H, ctml::rnn::Output::last>(cell());
    l.forward(x.data(), y.data(), scratch.data());
    return y;
  };
  constexpr auto at_compile_time = run();
  const auto at_run_time = run();
  for (std::size_t j = 0; j < H; ++j) CHECK(at_compile_time[j] == at_run_time[j]);
}

// ---- post-training quantization of a float LSTM ----------------------------------------------
#include <ctml/layers/dense.hpp>
#include <ctml/model/sequential.hpp>
#include <ctml/quant/quantize_model.hpp>

namespace {
constexpr std::size_t PT = 12, PF = 3, PH = 8;
using FloatLstmNet = ctml::Sequential<float, ctml::Shape<PT, PF>, ctml::LSTM<PH, ctml::rnn::Output::sequence>, ctml::LSTM<PH>, ctml::Dense<4>>;

struct Lcg {
  std::uint32_t s;
  float uniform(float a) {  // in [-a, a)
    s = s * 1664525u + 1013904223u;
    return a * (static_cast<float>(s >> 8) / 8388608.0f - 1.0f);
  }
};

FloatLstmNet make_float_lstm_net(bool initial_state) {
  FloatLstmNet net{};
  Lcg g{5};
  std::apply([&](auto&... t) { ((void)[&] { for (auto& v : t) v = g.uniform(0.6f); }(), ...); }, net.parameters());
  if (initial_state)
    for (std::size_t j = 0; j < PH; ++j) net.layer<0>().h0[j] = g.uniform(0.5f), net.layer<0>().c0[j] = g.uniform(2.0f);
  return net;
}

std::array<FloatLstmNet::input_type, 96> lstm_inputs(std::uint32_t seed) {
  std::array<FloatLstmNet::input_type, 96> xs{};
  Lcg g{seed};
  for (auto& x : xs)
    for (auto& v : x) v = g.uniform(2.0f);
  return xs;
}
}  // namespace

TEST_CASE("PTQ of float LSTMs: TFLite's scheme, outputs within int8 rounding of the float network") {
  for (const bool initial_state : {false, true}) {
    CAPTURE(initial_state);
    const FloatLstmNet net = make_float_lstm_net(initial_state);
    static const auto calib = lstm_inputs(1);
    const auto qm = q::quantize(net, calib);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(qm.model.layer<0>())>, q::QLSTMLayer<PT, PF, PH, ctml::rnn::Output::sequence>>);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(qm.model.layer<1>())>, q::QLSTMLayer<PT, PH, PH, ctml::rnn::Output::last>>);

    // The scheme: each gate's weights use the full symmetric range; the cell scale is the power of
    // two that just holds the largest |c| seen in calibration.
    const auto& l0 = qm.model.layer<0>();
    for (std::size_t k = 0; k < 4; ++k) {
      int m = 0;
      for (std::size_t i = 0; i < PH * PF; ++i) m = std::max(m, std::abs(static_cast<int>(l0.w_in[k * PH * PF + i])));
      CHECK(m == 127);
    }
    double cmax = 0;
    for (const auto& x : calib) {  // the float cell state of layer 0, every step
      std::array<float, PH> h{}, c{};
      for (std::size_t j = 0; j < PH; ++j) h[j] = net.layer<0>().h0[j], c[j] = net.layer<0>().c0[j];
      for (std::size_t j = 0; j < PH; ++j) cmax = std::max(cmax, std::fabs(static_cast<double>(c[j])));
      std::array<float, 4 * PH> scratch{};
      for (std::size_t t = 0; t < PT; ++t) {
        net.layer<0>().step(x.data() + t * PF, h.data(), c.data(), h.data(), c.data(), scratch.data());
        for (std::size_t j = 0; j < PH; ++j) cmax = std::max(cmax, std::fabs(static_cast<double>(c[j])));
      }
    }
    REQUIRE(cmax > 1);  // (below 1 the scale stays at 2^-15)
    const double cell_scale = std::ldexp(1.0, static_cast<int>(std::ceil(std::log2(cmax))) - 15);
    CHECK(static_cast<double>(q::lstm_cell_scale(cmax)) == cell_scale);
    CHECK(cmax <= 32768 * cell_scale);
    CHECK(cmax > 16384 * cell_scale);
    // mul_fc is 2^-15 (f * c back at the cell scale), so its shift says nothing; tanh's input shift
    // is where the cell scale shows: 12 + log2(cell scale) = 12 + ceil(log2 cmax) - 15.
    CHECK(l0.tanh_shift == std::abs(static_cast<int>(std::ceil(std::log2(cmax))) - 3));

    // Float in, float out through QUANTIZE -> int8 LSTMs -> DEQUANTIZE, on inputs calibration
    // did not see: within a few output steps of the float network.
    const auto test = lstm_inputs(2);
    double worst = 0, out_range = 0;
    for (const auto& x : test) {
      const auto yf = net.infer(x);
      const auto yq = qm(x);
      for (std::size_t i = 0; i < yf.size(); ++i) {
        worst = std::max(worst, std::fabs(static_cast<double>(yq[i] - yf[i])));
        out_range = std::max(out_range, std::fabs(static_cast<double>(yf[i])));
      }
    }
    MESSAGE("PTQ LSTM (initial state " << initial_state << "): worst |int8 - float| = " << worst << " of outputs up to " << out_range
                                       << " (output step " << qm.output.scale << ")");
    CHECK(worst <= 6 * static_cast<double>(qm.output.scale));

    // The streaming form of a PTQ cell gives the sequence form's bytes, step by step.
    using Stream = ctml::Chain<q::QStreamingLSTMLayer<PF, PH>>;
    const Stream stream{{{{q::make_qstreaming_lstm(static_cast<const q::QLSTMCell<PF, PH>&>(l0))}}}};
    q::QLSTMLayer<PT, PF, PH, ctml::rnn::Output::sequence>::input_type xq{};
    for (std::size_t i = 0; i < xq.size(); ++i) xq[i] = q::quantize_s8(test[0][i], qm.input);
    q::QLSTMLayer<PT, PF, PH, ctml::rnn::Output::sequence>::output_type yseq{};
    std::array<std::int16_t, q::QLSTMLayer<PT, PF, PH>::scratch_size> scratch{};
    l0.forward(xq.data(), yseq.data(), scratch.data());
    Stream::state_type state{};
    stream.reset(state);
    alignas(16) std::array<std::byte, Stream::arena_bytes + 1> arena{};
    for (std::size_t t = 0; t < PT; ++t) {
      Stream::input_type frame{};
      Stream::output_type y{};
      for (std::size_t i = 0; i < PF; ++i) frame[i] = xq[t * PF + i];
      stream(frame, y, arena, state);
      for (std::size_t j = 0; j < PH; ++j) CHECK(y[j] == yseq[t * PH + j]);
    }
  }
}

// ---- 16x8: int16 activations, int64 biases -----------------------------------------------------
// Bit-exactness with TFLite Micro: tiny_lstm_{a,b}_16x8 against tflm-run in tests/import. Here: the
// two forms against each other, TFLM's step as written (zero points subtracted in each 64-bit sum,
// not folded into the bias; which ctml does) bit for bit with non-zero zero points, a
// double-precision LSTM on the dequantized values, and constant evaluation.
namespace {
constexpr std::size_t ST = 10, SF = 5, SH = 6;
constexpr q::QParams s16_in{4.0f / 32768, 3}, s16_hidden{1.0f / 32768, -2};
constexpr std::array<double, 4> s16_w_in{0.006, 0.008, 0.007, 0.009}, s16_w_rec{0.011, 0.009, 0.012, 0.010};
constexpr float s16_cell_scale = 1.0f / 4096.0f, s16_clip = 1.25f;

struct Raw16 {
  ctml::Tensor<std::int8_t, ctml::Shape<4 * SH, SF>> w_in{};
  ctml::Tensor<std::int8_t, ctml::Shape<4 * SH, SH>> w_rec{};
  ctml::Tensor<std::int64_t, ctml::Shape<4 * SH>> bias{};
};
constexpr Raw16 raw16() {
  Raw16 r{};
  std::uint32_t s = 91;
  auto next = [&] {
    s = s * 1664525u + 1013904223u;
    return static_cast<int>(s >> 24) - 128;
  };
  for (auto& v : r.w_in) v = static_cast<std::int8_t>(next() | 1);
  for (auto& v : r.w_rec) v = static_cast<std::int8_t>(next());
  for (auto& v : r.bias) v = static_cast<std::int64_t>(next()) * 1500;  // up to ~0.9 at scale x_scale * w_scale
  return r;
}
constexpr q::QLSTMCell<SF, SH, std::int16_t> cell16() {
  const Raw16 r = raw16();
  return q::make_qlstm_cell<SF, SH, std::int16_t>(r.w_in, r.w_rec, r.bias, s16_in, s16_w_in, s16_w_rec, s16_hidden, s16_cell_scale,
                                                  s16_clip);
}
using Seq16 = q::QLSTMLayer<ST, SF, SH, ctml::rnn::Output::sequence, std::int16_t>;
constexpr auto seq16 = q::make_qlstm<ST, SF, SH>(cell16());

std::array<std::int16_t, ST * SF> inputs16(std::uint32_t s) {
  std::array<std::int16_t, ST * SF> x{};
  for (auto& v : x) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<std::int16_t>(static_cast<int>(s >> 16) - 32768);
  }
  return x;
}

// TFLM's LstmStep<int16_t, int8_t, int16_t, int64_t> as lstm_eval.h writes it: forget, input and
// cell gates, the cell update, the output gate, the hidden state.
void tflm_step16(const q::QLSTMCell<SF, SH, std::int16_t>& c, const std::int16_t* x, std::int16_t* h, std::int16_t* cs) {
  namespace k = ctml::kernels;
  auto clamp = [](std::int64_t v, std::int64_t lo, std::int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); };
  auto gate = [&](std::size_t g, bool is_tanh, std::int16_t* out) {
    const q::Multiplier mi{c.mult_in[g], static_cast<int>(c.shift_in[g])}, mr{c.mult_rec[g], static_cast<int>(c.shift_rec[g])};
    for (std::size_t j = 0; j < SH; ++j) {
      std::int64_t a = 0, b = 0;
      for (std::size_t i = 0; i < SF; ++i) a += c.w_in[(g * SH + j) * SF + i] * (static_cast<std::int32_t>(x[i]) - c.input_zero_point);
      a += c.bias[g * SH + j];
      for (std::size_t i = 0; i < SH; ++i) b += c.w_rec[(g * SH + j) * SH + i] * (static_cast<std::int32_t>(h[i]) - c.hidden_zero_point);
      const auto fa = clamp(q::multiply_by_quantized_multiplier_64(a, mi), -32768, 32767);
      const auto fb = clamp(q::multiply_by_quantized_multiplier_64(b, mr), -32768, 32767);
      const auto sum = static_cast<std::int16_t>(clamp(fa + fb, -32768, 32767));
      out[j] = is_tanh ? k::s16::tanh(sum, 3, 0) : k::s16::logistic(sum, 0, 0);
    }
  };
  std::array<std::int16_t, SH> f{}, i{}, g{}, o{};
  gate(1, false, f.data());
  gate(0, false, i.data());
  gate(2, true, g.data());
  for (std::size_t j = 0; j < SH; ++j) {
    const auto fc = clamp(q::multiply_by_quantized_multiplier(f[j] * cs[j], c.mul_fc), -32768, 32767);
    const auto ig = clamp(q::multiply_by_quantized_multiplier(i[j] * g[j], c.mul_ig), -32768, 32767);
    std::int64_t v = clamp(fc + ig, -32768, 32767);
    if (c.cell_clip > 0) v = clamp(v, -c.cell_clip, c.cell_clip);
    cs[j] = static_cast<std::int16_t>(v);
  }
  gate(3, false, o.data());
  for (std::size_t j = 0; j < SH; ++j) {
    const std::int32_t t = k::s16::tanh(cs[j], c.tanh_mult, c.tanh_shift);
    h[j] = static_cast<std::int16_t>(clamp(q::multiply_by_quantized_multiplier(t * o[j], c.mul_h) + c.hidden_zero_point, -32768, 32767));
  }
}
}  // namespace

TEST_CASE("16x8 LSTM: TFLM's step as written (zero points in the 64-bit sums), bit for bit, and the streaming form") {
  static_assert(std::is_same_v<Seq16::input_type::value_type, std::int16_t>);
  static_assert(std::is_same_v<decltype(seq16.bias)::value_type, std::int64_t>);
  static_assert(Seq16::name == "QLSTM16x8");
  using Net = ctml::Chain<q::QStreamingLSTMLayer<SF, SH, std::int16_t>>;
  static_assert(Net::state_bytes == SH * (2 + 2));
  const Net net{{{{q::make_qstreaming_lstm(cell16())}}}};
  int distinct = 0, clipped = 0;
  for (std::uint32_t trial = 0; trial < 20; ++trial) {
    const auto x = inputs16(trial + 1);
    Seq16::output_type y{};
    std::array<std::int16_t, Seq16::scratch_size> scratch{};
    seq16.forward(x.data(), y.data(), scratch.data());
    std::array<std::int16_t, SH> h{}, c{};
    h.fill(static_cast<std::int16_t>(s16_hidden.zero_point));
    Net::state_type st{};
    net.reset(st);
    alignas(16) static std::byte arena[Net::arena_bytes + 1];
    for (std::size_t t = 0; t < ST; ++t) {
      tflm_step16(seq16, x.data() + t * SF, h.data(), c.data());
      Net::input_type frame{};
      Net::output_type hs{};
      for (std::size_t i = 0; i < SF; ++i) frame[i] = x[t * SF + i];
      net(frame, hs, arena, st);
      for (std::size_t j = 0; j < SH; ++j) {
        CHECK(y[t * SH + j] == h[j]);
        CHECK(hs[j] == h[j]);
        distinct += h[j] != y[0];
        clipped += c[j] == seq16.cell_clip || c[j] == -seq16.cell_clip;
      }
    }
  }
  CHECK(distinct > 500);
  MESSAGE("16x8 LSTM: " << clipped << " of " << 20 * ST * SH << " cell values at the clip");
  CHECK(clipped > 0);  // the clipping path runs
}

TEST_CASE("16x8 LSTM follows a double-precision LSTM on the dequantized weights and inputs") {
  const Raw16 r = raw16();
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  double worst = 0;
  for (std::uint32_t trial = 0; trial < 20; ++trial) {
    const auto x = inputs16(100 + trial);
    Seq16::output_type y{};
    std::array<std::int16_t, Seq16::scratch_size> scratch{};
    seq16.forward(x.data(), y.data(), scratch.data());
    std::array<double, SH> h{}, c{};  // h0 = the hidden zero point = 0.0; c0 = 0
    for (std::size_t t = 0; t < ST; ++t) {
      std::array<double, 4 * SH> pre{};
      for (std::size_t g = 0; g < 4; ++g)
        for (std::size_t j = 0; j < SH; ++j) {
          const std::size_t row = g * SH + j;
          double a = static_cast<double>(r.bias[row]) * static_cast<double>(s16_in.scale) * s16_w_in[g];
          for (std::size_t i = 0; i < SF; ++i)
            a += r.w_in[row * SF + i] * s16_w_in[g] * static_cast<double>(s16_in.scale) * (x[t * SF + i] - s16_in.zero_point);
          for (std::size_t i = 0; i < SH; ++i) a += r.w_rec[row * SH + i] * s16_w_rec[g] * h[i];
          pre[row] = a;
        }
      for (std::size_t j = 0; j < SH; ++j) {
        const double ig = sig(pre[j]), fg = sig(pre[SH + j]), gg = std::tanh(pre[2 * SH + j]), og = sig(pre[3 * SH + j]);
        c[j] = std::clamp(fg * c[j] + ig * gg, -static_cast<double>(s16_clip), static_cast<double>(s16_clip));
        h[j] = og * std::tanh(c[j]);
        const double got = (y[t * SH + j] - s16_hidden.zero_point) * static_cast<double>(s16_hidden.scale);
        worst = std::max(worst, std::fabs(got - h[j]));
      }
    }
  }
  MESSAGE("16x8 LSTM against double precision: worst |h| difference " << worst << " (hidden step " << s16_hidden.scale << ")");
  CHECK(worst < 2e-3);
}

TEST_CASE("a 16x8 LSTM sequence evaluated by the compiler equals the run-time result") {
  constexpr auto run = [] {
    q::QLSTMLayer<ST, SF, SH, ctml::rnn::Output::last, std::int16_t>::input_type x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int16_t>(static_cast<int>(i * 7919 % 65521) - 32760);
    q::QLSTMLayer<ST, SF, SH, ctml::rnn::Output::last, std::int16_t>::output_type y{};
    std::array<std::int16_t, 4 * SH> scratch{};
    const auto l = q::make_qlstm<ST, SF, SH, ctml::rnn::Output::last>(cell16());
    l.forward(x.data(), y.data(), scratch.data());
    return y;
  };
  constexpr auto at_compile_time = run();
  const auto at_run_time = run();
  for (std::size_t j = 0; j < SH; ++j) CHECK(at_compile_time[j] == at_run_time[j]);
}
