// SPDX-License-Identifier: Apache-2.0
// The MLPerf Tiny int8 models imported by ctml-import (built only when ../shared is present):
// latency per inference, MACs/s, arena and weight bytes. Compare with shared/README.md's TFLite
// Micro figures on this machine: KWS 2.39 ms / 24,000 B arena, AD 0.108 ms / 3,424 B.
//   ./build/default/benchmarks/bench_int8_models --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdint>

#include "ad.hpp"
#include "kws.hpp"

namespace {
template <class Model>
void run(benchmark::State& state, const Model& model) {
  static typename Model::input_type in{};
  static typename Model::output_type out{};
  alignas(16) static std::byte arena[Model::arena_bytes + 16];
  std::uint32_t s = 0x12345678u;
  for (auto& v : in) v = static_cast<std::int8_t>((s = s * 1664525u + 1013904223u) >> 24);
  for (auto _ : state) {
    model(in, out, std::span<std::byte>(arena));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["MACs/s"] = benchmark::Counter(static_cast<double>(Model::macs), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["arena_B"] = static_cast<double>(Model::arena_bytes);
  state.counters["param_B"] = static_cast<double>(Model::param_bytes);
}
}  // namespace

static void BM_kws_ds_cnn_int8(benchmark::State& s) { run(s, kws::model); }
static void BM_ad_autoencoder_int8(benchmark::State& s) { run(s, ad::model); }
BENCHMARK(BM_kws_ds_cnn_int8);
BENCHMARK(BM_ad_autoencoder_int8);
