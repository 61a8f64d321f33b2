// SPDX-License-Identifier: Apache-2.0
// XNNPACK on the same int8 operators as ctml's models, in the same binary and run (issue 22,
// item 4; the mirror is xnnpack_mirror.hpp): whole models and each top-level layer, timed.
//   ./build/native/benchmarks/bench_int8_models --benchmark_filter='BM_peer_[a-z0-9_]*/(ctml|xnnpack)$'   (whole models)
//   ./build/native/benchmarks/bench_int8_models --benchmark_filter='BM_peer_vww_mobilenet/layer'  (per layer)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "peer_models.hpp"
#include "xnnpack_mirror.hpp"

namespace {

using namespace ctml;
using ctml_bench::kws_model;
using ctml_bench::ad_model;
using ctml_bench::resnet8_model;
using ctml_bench::vww_model;
using ctml_bench::mirrored;
using ctml_bench::XnnModel;

template <class Model>
void bench_pair(benchmark::State& state, const Model& model, bool xnnpack) {
  static_assert(std::is_same_v<typename Model::input_value, std::int8_t>);
  if (xnnpack) {
    const XnnModel& x = mirrored(model);
    state.counters["max_diff"] = x.max_diff();
    for (auto _ : state) {
      x.run();
      benchmark::ClobberMemory();
    }
    state.counters["operators"] = static_cast<double>(x.ops.size());
  } else {
    typename Model::input_type xin{};
    const std::int8_t* src = mirrored(model).layer_in[0];
    std::copy(src, src + xin.size(), xin.begin());
    typename Model::output_type out{};
    std::vector<std::byte> arena(Model::arena_bytes + 16);
    for (auto _ : state) {
      model(xin, out, std::span<std::byte>(arena));
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
    state.SetLabel(target::int8_kernels_now());
  }
  state.counters["MACs"] = static_cast<double>(Model::macs);
}

// Top-level layer I alone: ctml's layer on its own buffers, or its XNNPACK operators.
template <class Model, std::size_t I>
void bench_layer(benchmark::State& state, const Model& model, bool xnnpack) {
  const XnnModel& x = mirrored(model);
  using L = typename Model::template layer_type<I>;
  using Tr = layer_traits<L>;
  if (xnnpack) {
    for (auto _ : state) {
      x.run_layer(I);
      benchmark::ClobberMemory();
    }
  } else {
    std::vector<std::int8_t> out(Tr::output_type::size() + 64);
    std::vector<std::byte> scratch(Tr::scratch_bytes + 64);
    const std::int8_t* in = x.layer_in[I];
    for (auto _ : state) {
      model.template layer<I>().forward(in, out.data(), reinterpret_cast<typename Tr::scratch_value*>(scratch.data()));
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  }
  state.counters["MACs"] = static_cast<double>(Tr::macs);
}

template <class Model, std::size_t... I>
void register_layers(const std::string& prefix, const Model& (*get)(), std::index_sequence<I...>) {
  (..., [&] {
    using L = typename Model::template layer_type<I>;
    if constexpr (layer_traits<L>::macs > 0) {
      std::string kind(layer_traits<L>::name);
      for (char& c : kind) c = c == ' ' ? '_' : c;
      const std::string base = prefix + "/layer" + std::to_string(I) + "_" + kind;
      benchmark::RegisterBenchmark((base + "/ctml").c_str(), [get](benchmark::State& s) { bench_layer<Model, I>(s, get(), false); });
      benchmark::RegisterBenchmark((base + "/xnnpack").c_str(), [get](benchmark::State& s) { bench_layer<Model, I>(s, get(), true); });
    }
  }());
}

template <auto Get>
void register_model(const char* name) {
  using Model = std::remove_cvref_t<decltype(Get())>;
  const std::string prefix = std::string("BM_peer_") + name;
  benchmark::RegisterBenchmark((prefix + "/ctml").c_str(), [](benchmark::State& s) { bench_pair(s, Get(), false); });
  benchmark::RegisterBenchmark((prefix + "/xnnpack").c_str(), [](benchmark::State& s) { bench_pair(s, Get(), true); });
  register_layers<Model>(prefix, +[]() -> const Model& { return Get(); }, std::make_index_sequence<Model::layer_count>{});
}

const bool registered = [] {
  register_model<kws_model>("kws_ds_cnn");
  register_model<ad_model>("ad_autoencoder");
  register_model<resnet8_model>("resnet8");
  register_model<vww_model>("vww_mobilenet");
  return true;
}();

}  // namespace
