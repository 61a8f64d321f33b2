// SPDX-License-Identifier: Apache-2.0
// The MLPerf Tiny int8 models imported by ctml-import (built only when ../shared is present):
// latency per inference, MACs/s, arena and weight bytes. Compare with shared/README.md's TFLite
// Micro figures on this machine: KWS 2.39 ms / 24,000 B arena, AD 0.108 ms / 3,424 B.
//   ./build/default/benchmarks/bench_int8_models --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

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

// One layer of an imported model on its own buffers (where the time of a model goes).
template <class Model, std::size_t I, bool InPlace>
void run_layer(benchmark::State& state, const Model& model) {
  using Tr = ctml::layer_traits<typename Model::template layer_type<I>>;
  if constexpr (InPlace && !Tr::in_place) {
    state.SkipWithError("not an in-place layer");
    return;
  }
  constexpr std::size_t bytes = std::max(Tr::input_type::size() * sizeof(typename Tr::input_value),
                                         Tr::output_type::size() * sizeof(typename Tr::output_value));
  alignas(16) static std::byte in[bytes], out[bytes], scratch[Tr::scratch_bytes + 16];
  for (std::size_t i = 0; i < bytes; ++i) in[i] = static_cast<std::byte>(i * 37u);
  for (auto _ : state) {
    model.template layer<I>().forward(reinterpret_cast<const typename Tr::input_value*>(in),
                                      reinterpret_cast<typename Tr::output_value*>(InPlace ? in : out),
                                      reinterpret_cast<typename Tr::scratch_value*>(scratch));
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.counters["MACs/s"] = benchmark::Counter(static_cast<double>(Tr::macs), benchmark::Counter::kIsIterationInvariantRate);
}

template <class Model, std::size_t... I>
void register_layers(const char* prefix, const Model& model, std::index_sequence<I...>) {
  (benchmark::RegisterBenchmark((std::string(prefix) + "/layer" + std::to_string(I) + "_" +
                                 std::string(ctml::layer_traits<typename Model::template layer_type<I>>::name))
                                    .c_str(),
                                [&model](benchmark::State& s) { run_layer<Model, I, false>(s, model); }),
   ...);
  // The in-place layers as the model runs them (output over input).
  ((ctml::layer_traits<typename Model::template layer_type<I>>::in_place
        ? (void)benchmark::RegisterBenchmark((std::string(prefix) + "/layer" + std::to_string(I) + "_in_place").c_str(),
                                             [&model](benchmark::State& s) { run_layer<Model, I, true>(s, model); })
        : (void)0),
   ...);
}
const bool registered = [] {
  register_layers("BM_kws_int8", kws::model, std::make_index_sequence<kws::Model::layer_count>{});
  return true;
}();
}  // namespace

static void BM_kws_ds_cnn_int8(benchmark::State& s) { run(s, kws::model); }
static void BM_ad_autoencoder_int8(benchmark::State& s) { run(s, ad::model); }
BENCHMARK(BM_kws_ds_cnn_int8);
BENCHMARK(BM_ad_autoencoder_int8);

// Per-layer float vs int8 for the int8 ops of issue 3, and the KWS DS-CNN float vs its PTQ twin.
#include "int8_ops_float_vs_int8.hpp"
