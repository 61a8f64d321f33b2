// SPDX-License-Identifier: Apache-2.0
// TFLite Micro's mnist_lstm models (28 steps of 28 pixels, LSTM of 20 units, FULLY_CONNECTED,
// SOFTMAX) imported by ctml-import, one inference per iteration, int8 and float. The reference
// kernels of TFLM run the same models with `tflm-run MODEL --lcg 1 --repeat N`;
// scripts/bench_sequence.sh runs both in one sitting and prints the ratios (docs/sequence.md).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>

#include "trained_lstm.hpp"
#include "trained_lstm_int8.hpp"

namespace {

void BM_mnist_lstm_int8(benchmark::State& state) {
  static mnist_lstm_int8::Model::input_type in{};
  static mnist_lstm_int8::Model::output_type out{};
  alignas(16) static std::byte arena[mnist_lstm_int8::arena_bytes];
  std::uint32_t s = 1;
  for (auto& v : in) v = static_cast<std::int8_t>((s = s * 1664525u + 1013904223u) >> 24);
  for (auto _ : state) {
    mnist_lstm_int8::model(in, out, arena);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_mnist_lstm_int8);

void BM_mnist_lstm_float(benchmark::State& state) {
  static mnist_lstm_float::Model::input_type in{};
  static mnist_lstm_float::Model::output_type out{};
  alignas(16) static std::byte arena[mnist_lstm_float::arena_bytes];
  std::uint32_t s = 1;
  for (auto& v : in) v = static_cast<float>((s = s * 1664525u + 1013904223u) >> 8) / 16777216.0f;
  for (auto _ : state) {
    mnist_lstm_float::model(in, out, arena);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_mnist_lstm_float);

}  // namespace
