// SPDX-License-Identifier: Apache-2.0
// One recurrent time step (input size = units = 16, 32, 64, 128), as a streaming model runs it:
//   BM_ctml_gru_f32/H, BM_ctml_lstm_f32/H     ctml StreamingGRU / StreamingLSTM, float
//   BM_ctml_gru_s8/H,  BM_ctml_lstm_s8/H      ctml's int8 GRU / LSTM (TFLite's LSTM scheme)
//   BM_ctml_svdf_s8/...                       ctml's int8 SVDF (int16 state), two shapes
//   BM_rtneural_gru_f32/H, BM_rtneural_lstm_f32/H   RTNeural's compile-time GRULayerT / LSTMLayerT
//                                             (Eigen backend) in the same binary, when
//                                             ../shared/peers/rtneural is present
// Weights uniform in [-0.3, 0.3), inputs cycle through 64 random vectors; the state carries over
// from step to step. scripts/bench_sequence.sh runs it and prints the ratios (docs/sequence.md).
// RTNeural's own figures (i7-8700B, xsimd/Eigen): GRU 16->16 219 ns, LSTM 16->16 320 ns per step.
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctml/layers/gru.hpp>
#include <ctml/layers/lstm.hpp>
#include <ctml/quant/gru_s8.hpp>
#include <ctml/quant/lstm_s8.hpp>
#include <ctml/quant/svdf_s8.hpp>
#include <type_traits>

#if CTML_HAVE_RTNEURAL
#define RTNEURAL_USE_EIGEN 1
#define RTNEURAL_DEFAULT_ALIGNMENT 16
#define EIGEN_STACK_ALLOCATION_LIMIT 0  // the 128-unit layers hold over 128 KB of weights (static objects here)
#include <RTNeural/config.h>
#include <RTNeural/Layer.h>
#include <RTNeural/common.h>
#include <RTNeural/gru/gru.h>
#include <RTNeural/lstm/lstm.h>
#include <vector>
#endif

namespace {

struct Lcg {
  std::uint32_t s = 1;
  float uniform(float a) {
    s = s * 1664525u + 1013904223u;
    return a * (static_cast<float>(s >> 8) / 8388608.0f - 1.0f);
  }
};

template <std::size_t H>
struct Inputs {
  std::array<std::array<float, H>, 64> x{};
  std::array<std::array<std::int8_t, H>, 64> q{};
  Inputs() {
    Lcg g{7};
    for (std::size_t k = 0; k < 64; ++k)
      for (std::size_t i = 0; i < H; ++i) {
        x[k][i] = g.uniform(1.0f);
        q[k][i] = static_cast<std::int8_t>(x[k][i] * 127.0f);
      }
  }
};

template <class Cell>
void randomize(Cell& c) {
  Lcg g{3};
  std::apply([&](auto&... t) { ((void)[&] { for (auto& v : t) v = g.uniform(0.3f); }(), ...); }, c.parameters());
}

// One streaming step per iteration, the state carried over; inputs cycle through 64 vectors.
template <class Layer, class In>
void run_steps(benchmark::State& state, const Layer& layer, const std::array<In, 64>& inputs) {
  typename Layer::state_type s{};
  layer.reset(s);
  typename Layer::output_type out{};
  std::array<typename ctml::layer_traits<Layer>::scratch_value, Layer::scratch_size> scratch{};
  std::size_t k = 0;
  for (auto _ : state) {
    layer.forward(inputs[k++ & 63].data(), out.data(), scratch.data(), s);
    benchmark::DoNotOptimize(out.data());
  }
}

template <std::size_t H>
void BM_ctml_gru_f32(benchmark::State& state) {
  static ctml::StreamingGRULayer<float, ctml::Shape<H>, H> layer{};
  randomize(layer);
  static const Inputs<H> in;
  run_steps(state, layer, in.x);
}

template <std::size_t H>
void BM_ctml_lstm_f32(benchmark::State& state) {
  static ctml::StreamingLSTMLayer<float, ctml::Shape<H>, H> layer{};
  randomize(layer);
  static const Inputs<H> in;
  run_steps(state, layer, in.x);
}

// The int8 layers from PTQ of the float cells (input 1/127, hidden 1/128).
template <std::size_t H>
void BM_ctml_gru_s8(benchmark::State& state) {
  static ctml::GRUCell<float, H, H, ctml::rnn::Reset::after> f{};
  randomize(f);
  static const auto layer = ctml::quant::make_qstreaming_gru(ctml::quant::make_qgru_cell(f, {1.0f / 127.0f, 0}, {1.0f / 128.0f, 0}));
  static const Inputs<H> in;
  run_steps(state, layer, in.q);
}

template <std::size_t H>
void BM_ctml_lstm_s8(benchmark::State& state) {
  static ctml::LSTMCell<float, H, H> f{};
  randomize(f);
  static const auto layer = ctml::quant::make_qstreaming_lstm(ctml::quant::make_qlstm_cell(f, {1.0f / 127.0f, 0}, {1.0f / 128.0f, 0}, 4.0));
  static const Inputs<H> in;
  run_steps(state, layer, in.q);
}

#define CTML_RNN_SIZES(fn) BENCHMARK(fn<16>)->Name(#fn "/16"); BENCHMARK(fn<32>)->Name(#fn "/32"); \
  BENCHMARK(fn<64>)->Name(#fn "/64"); BENCHMARK(fn<128>)->Name(#fn "/128")
CTML_RNN_SIZES(BM_ctml_gru_f32);
CTML_RNN_SIZES(BM_ctml_lstm_f32);
CTML_RNN_SIZES(BM_ctml_gru_s8);
CTML_RNN_SIZES(BM_ctml_lstm_s8);

// int8 SVDF with int16 state (TFLite's), one frame per iteration, the shapes of
// firmware/fw_rnn_compare.cpp: F inputs, U units, rank R, memory M.
template <std::size_t F, std::size_t U, std::size_t R, std::size_t M>
void BM_ctml_svdf_s8(benchmark::State& state) {
  static const auto layer = [] {
    ctml::Tensor<std::int8_t, ctml::Shape<U * R, F>> wf{};
    ctml::Tensor<std::int16_t, ctml::Shape<U * R, M>> wt{};
    ctml::Tensor<std::int32_t, ctml::Shape<U>> b{};
    std::uint32_t s = 11;
    for (auto& v : wf) v = static_cast<std::int8_t>(static_cast<int>((s = s * 1664525u + 1013904223u) >> 24) - 128);
    for (auto& v : wt) v = static_cast<std::int16_t>(static_cast<int>((s = s * 1664525u + 1013904223u) >> 16) - 32768);
    return ctml::quant::make_qsvdf<F, U, R, M>(wf, wt, b, {0.02f, 4}, 0.004f, {0.001f, 0}, 0.00003f, {0.05f, -1});
  }();
  using L = std::remove_cvref_t<decltype(layer)>;
  static const Inputs<F> in;
  typename L::state_type st{};
  layer.reset(st);
  std::array<std::int8_t, U> out{};
  std::array<std::int32_t, L::scratch_size> scratch{};
  std::size_t k = 0;
  for (auto _ : state) {
    layer.forward(in.q[k++ & 63].data(), out.data(), scratch.data(), st);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_ctml_svdf_s8<40, 64, 1, 8>)->Name("BM_ctml_svdf_s8/F40_U64_R1_M8");
BENCHMARK(BM_ctml_svdf_s8<64, 128, 2, 16>)->Name("BM_ctml_svdf_s8/F64_U128_R2_M16");

#if CTML_HAVE_RTNEURAL
std::vector<std::vector<float>> random_matrix(std::size_t rows, std::size_t cols, Lcg& g) {
  std::vector<std::vector<float>> m(rows, std::vector<float>(cols));
  for (auto& r : m)
    for (auto& v : r) v = g.uniform(0.3f);
  return m;
}

template <std::size_t H>
void BM_rtneural_gru_f32(benchmark::State& state) {
  static RTNeural::GRULayerT<float, H, H> layer;
  Lcg g{3};
  layer.setWVals(random_matrix(H, 3 * H, g));
  layer.setUVals(random_matrix(H, 3 * H, g));
  layer.setBVals(random_matrix(2, 3 * H, g));
  layer.reset();
  static const Inputs<H> in;
  std::array<Eigen::Matrix<float, H, 1>, 64> x{};
  for (std::size_t k = 0; k < 64; ++k)
    for (std::size_t i = 0; i < H; ++i) x[k](static_cast<Eigen::Index>(i)) = in.x[k][i];
  std::size_t k = 0;
  for (auto _ : state) {
    layer.forward(x[k++ & 63]);
    benchmark::DoNotOptimize(layer.outs.data());
  }
}

template <std::size_t H>
void BM_rtneural_lstm_f32(benchmark::State& state) {
  static RTNeural::LSTMLayerT<float, H, H> layer;
  Lcg g{3};
  layer.setWVals(random_matrix(H, 4 * H, g));
  layer.setUVals(random_matrix(H, 4 * H, g));
  layer.setBVals(random_matrix(1, 4 * H, g)[0]);
  layer.reset();
  static const Inputs<H> in;
  std::array<Eigen::Matrix<float, H, 1>, 64> x{};
  for (std::size_t k = 0; k < 64; ++k)
    for (std::size_t i = 0; i < H; ++i) x[k](static_cast<Eigen::Index>(i)) = in.x[k][i];
  std::size_t k = 0;
  for (auto _ : state) {
    layer.forward(x[k++ & 63]);
    benchmark::DoNotOptimize(layer.outs.data());
  }
}
CTML_RNN_SIZES(BM_rtneural_gru_f32);
CTML_RNN_SIZES(BM_rtneural_lstm_f32);
#endif

}  // namespace
