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
