// SPDX-License-Identifier: Apache-2.0
// Float layers at MLPerf Tiny sizes and the four MLPerf Tiny networks, deterministic
// pseudo-random weights. Reports time per inference and MACs/s (counter "MACs/s").
//   ./build/default/benchmarks/bench_float_layers --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

#include <ctml/ctml.hpp>

#include "float/fill.hpp"

using namespace ctml;

namespace {

using bench::fill;

template <class L>
void fill_params(L& l) {
  unsigned seed = 1;
  std::apply([&](auto&... t) { ((fill(t, seed++), void()), ...); }, parameters_of(l));
}

template <class L>
void BM_layer(benchmark::State& state) {
  auto layer = std::make_unique<L>();
  fill_params(*layer);
  auto in = std::make_unique<typename L::input_type>();
  auto out = std::make_unique<typename L::output_type>();
  fill(*in, 7);
  std::vector<float> scratch(layer_traits<L>::scratch_size + 1);
  for (auto _ : state) {
    layer->forward(in->data(), out->data(), scratch.data());
    benchmark::DoNotOptimize(out->data());
    benchmark::ClobberMemory();
  }
  state.counters["MACs/s"] = benchmark::Counter(static_cast<double>(layer_traits<L>::macs),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

template <class Net>
void BM_network(benchmark::State& state) {
  auto net = std::make_unique<Net>();
  std::apply([](auto&... t) { ((void)[&] { fill(t, 3); for (auto& v : t) v = std::abs(v) * 0.5f + 0.01f; }(), ...); },
             net->parameters());
  auto in = std::make_unique<typename Net::input_type>();
  auto out = std::make_unique<typename Net::output_type>();
  fill(*in, 9);
  std::vector<std::byte> arena(Net::arena_bytes + 16);
  std::span<std::byte> a(arena.data(), arena.size());
  for (auto _ : state) {
    (*net)(*in, *out, a);
    benchmark::DoNotOptimize(out->data());
    benchmark::ClobberMemory();
  }
  state.counters["MACs/s"] = benchmark::Counter(static_cast<double>(Net::macs),
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.counters["arena_B"] = static_cast<double>(Net::arena_bytes);
  state.counters["params"] = static_cast<double>(Net::param_count);
}

// DS-CNN layers.
using KwsConv1 = bind_t<Conv2D<64, Kernel<10, 4>, Stride<2>, Same>, float, Shape<49, 10, 1>>;
using KwsDw = bind_t<DepthwiseConv2D<Kernel<3, 3>, Same>, float, Shape<25, 5, 64>>;
using KwsPw = bind_t<Conv2D<64, Kernel<1, 1>, Same>, float, Shape<25, 5, 64>>;
using KwsFc = bind_t<Dense<12>, float, Shape<64>>;
// Autoencoder layers.
using AeIn = bind_t<Dense<128>, float, Shape<640>>;
using AeMid = bind_t<Dense<128>, float, Shape<128>>;
using AeOut = bind_t<Dense<640>, float, Shape<128>>;
// ResNet-8 / VWW representative convs.
using ResConv = bind_t<Conv2D<16, Kernel<3, 3>, Same>, float, Shape<32, 32, 16>>;
using VwwDw = bind_t<DepthwiseConv2D<Kernel<3, 3>, Stride<2>, Same>, float, Shape<48, 48, 16>>;
using VwwPw = bind_t<Conv2D<32, Kernel<1, 1>, Same>, float, Shape<24, 24, 16>>;
using KwsPool = bind_t<AveragePool2D<Pool<25, 5>>, float, Shape<25, 5, 64>>;
using Bn = bind_t<BatchNorm, float, Shape<25, 5, 64>>;

}  // namespace

BENCHMARK(BM_layer<KwsConv1>)->Name("layer/kws_conv2d_10x4_s2");
BENCHMARK(BM_layer<KwsDw>)->Name("layer/kws_depthwise_3x3");
BENCHMARK(BM_layer<KwsPw>)->Name("layer/kws_pointwise_64x64");
BENCHMARK(BM_layer<KwsFc>)->Name("layer/kws_dense_64x12");
BENCHMARK(BM_layer<KwsPool>)->Name("layer/kws_avgpool_25x5");
BENCHMARK(BM_layer<Bn>)->Name("layer/kws_batchnorm");
BENCHMARK(BM_layer<AeIn>)->Name("layer/ae_dense_640x128");
BENCHMARK(BM_layer<AeMid>)->Name("layer/ae_dense_128x128");
BENCHMARK(BM_layer<AeOut>)->Name("layer/ae_dense_128x640");
BENCHMARK(BM_layer<ResConv>)->Name("layer/resnet_conv3x3_16");
BENCHMARK(BM_layer<VwwDw>)->Name("layer/vww_depthwise_s2");
BENCHMARK(BM_layer<VwwPw>)->Name("layer/vww_pointwise_16x32");

BENCHMARK(BM_network<zoo::KwsDsCnn<float>>)->Name("net/kws_ds_cnn");
BENCHMARK(BM_network<zoo::VwwMobileNetV1<float>>)->Name("net/vww_mobilenet_v1_025");
BENCHMARK(BM_network<zoo::ResNet8<float>>)->Name("net/resnet8");
BENCHMARK(BM_network<zoo::AdAutoencoder<float>>)->Name("net/ad_autoencoder");
