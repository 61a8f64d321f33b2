// SPDX-License-Identifier: Apache-2.0
// Included by int8_models.cpp (the one int8 benchmark binary): per-layer float vs int8 cases for
// the int8 ops of issue 3 (MAX_POOL_2D, MEAN, ADD, LOGISTIC, TANH, QUANTIZE, DEQUANTIZE, Conv1D)
// and the KWS DS-CNN float (BatchNorm folded) vs its PTQ int8 twin (ctml::quant::quantize, random
// weights):
//   ./build/default/benchmarks/bench_int8_models --benchmark_filter='BM_layer_|BM_ptq_'
#pragma once
#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include <ctml/kernels/elementwise.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/model/fold.hpp>
#include <ctml/quant/add_s8.hpp>
#include <ctml/quant/conv1d_s8.hpp>
#include <ctml/quant/logistic_s8.hpp>
#include <ctml/quant/maxpool_s8.hpp>
#include <ctml/quant/mean_s8.hpp>
#include <ctml/quant/quantize_model.hpp>
#include <ctml/quant/quantize_s8.hpp>
#include <ctml/quant/tanh_s8.hpp>
#include <ctml/zoo/mlperf_tiny.hpp>

namespace issue3 {
std::uint32_t g_state = 0x9e3779b9u;
float rnd() {
  g_state = g_state * 1664525u + 1013904223u;
  return static_cast<float>(static_cast<int>(g_state >> 8) - (1 << 23)) / static_cast<float>(1 << 23);
}
template <class T>
void fill(T* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, float>) p[i] = 2.0f * rnd();
    else p[i] = static_cast<T>(static_cast<int>(rnd() * 127.0f));
  }
}

template <class L>
void layer(benchmark::State& state, const L& l) {
  using In = typename ctml::layer_traits<L>::input_type;
  using Out = typename ctml::layer_traits<L>::output_type;
  using S = typename ctml::layer_traits<L>::scratch_value;
  static In in{};
  static Out out{};
  static std::array<S, ctml::layer_traits<L>::scratch_size + 1> scratch{};
  fill(in.data(), in.size());
  for (auto _ : state) {
    l.forward(in.data(), out.data(), scratch.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["elems/s"] = benchmark::Counter(static_cast<double>(In::size()), benchmark::Counter::kIsIterationInvariantRate);
}

using Act = ctml::Shape<25, 5, 64>;  // a KWS DS-CNN activation
constexpr ctml::quant::QParams act_q{0.05f, -10};

// MAX_POOL_2D 2x2 stride 2 on 24x24x16.
using FMaxPool = ctml::bind_t<ctml::MaxPool2D<ctml::Pool<2, 2>>, float, ctml::Shape<24, 24, 16>>;
void BM_layer_maxpool_float(benchmark::State& s) { layer(s, FMaxPool{}); }
void BM_layer_maxpool_int8(benchmark::State& s) { layer(s, ctml::quant::QMaxPool2DLayer<FMaxPool::geometry>{}); }

// MEAN over H, W (global average pool) of a 25x5x64 activation.
void BM_layer_mean_float(benchmark::State& s) { layer(s, ctml::GlobalAveragePoolLayer<float, Act>{}); }
void BM_layer_mean_int8(benchmark::State& s) { layer(s, ctml::quant::make_qmean<Act>(act_q, {0.04f, -3})); }

// LOGISTIC / TANH on 25x5x64: float, int8 table (the layer), int8 evaluated per element.
void BM_layer_logistic_float(benchmark::State& s) { layer(s, ctml::SigmoidLayer<float, Act>{}); }
void BM_layer_logistic_int8(benchmark::State& s) { layer(s, ctml::quant::make_qlogistic<Act>(act_q)); }
void BM_layer_logistic_int8_no_table(benchmark::State& state) {
  const auto p = ctml::quant::make_qlogistic<ctml::Shape<1>>(act_q).params;
  static ctml::Tensor<std::int8_t, Act> in{}, out{};
  fill(in.data(), in.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = ctml::quant::logistic_s8(in[i], p);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
}
void BM_layer_tanh_float(benchmark::State& s) { layer(s, ctml::TanhLayer<float, Act>{}); }
void BM_layer_tanh_int8(benchmark::State& s) { layer(s, ctml::quant::make_qtanh<Act>(act_q)); }

// QUANTIZE / DEQUANTIZE of the KWS input (49x10).
void BM_layer_quantize(benchmark::State& s) { layer(s, ctml::quant::QuantizeLayer<ctml::Shape<49, 10, 1>>{{0.03f, 5}}); }
void BM_layer_dequantize(benchmark::State& s) { layer(s, ctml::quant::DequantizeLayer<ctml::Shape<12>>{{1.0f / 256, -128}}); }

// ADD of two 25x5x64 activations (residual merge).
template <class T>
void add_case(benchmark::State& state) {
  static ctml::Tensor<T, Act> a{}, b{}, y{};
  fill(a.data(), a.size());
  fill(b.data(), b.size());
  const auto q = ctml::quant::make_qadd<Act>(act_q, {0.07f, 3}, {0.1f, 0}, ctml::Activation::relu);
  for (auto _ : state) {
    if constexpr (std::is_same_v<T, float>) ctml::kernels::add<Act::size>(a.data(), b.data(), y.data());
    else q(a, b, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.counters["elems/s"] = benchmark::Counter(static_cast<double>(Act::size), benchmark::Counter::kIsIterationInvariantRate);
}
void BM_layer_add_float(benchmark::State& s) { add_case<float>(s); }
void BM_layer_add_int8(benchmark::State& s) { add_case<std::int8_t>(s); }

// Conv1D: length 64, 16 -> 32 channels, kernel 3, same padding.
using FConv1D = ctml::bind_t<ctml::Conv1D<32, ctml::Kernel<3>, ctml::Same>, float, ctml::Shape<64, 16>>;
void BM_layer_conv1d_float(benchmark::State& s) {
  static FConv1D l{};
  fill(l.weights.data(), l.weights.size());
  layer(s, l);
}
void BM_layer_conv1d_int8(benchmark::State& s) {
  static ctml::quant::QConv1DLayer<FConv1D::geometry> l{};
  fill(l.weights.data(), l.weights.size());
  for (std::size_t c = 0; c < 32; ++c) {
    const auto m = ctml::quant::quantize_multiplier(0.001);
    l.multiplier[c] = m.value;
    l.shift[c] = m.shift;
  }
  l.prepare();
  layer(s, l);
}

// Whole KWS DS-CNN: float (BatchNorm folded) vs its PTQ int8 twin.
using Kws = ctml::zoo::KwsDsCnn<float>;
struct KwsPair {
  ctml::folded_t<Kws> f{};
  ctml::quant::quantized_model_t<Kws> q{};
};
const KwsPair& kws_pair() {
  static const KwsPair p = [] {
    static Kws net{};
    for (auto& w : net.layer<0>().weights) w = 0.3f * rnd();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (([&] {
         auto& l = net.template layer<I>();
         if constexpr (requires { l.running_var; }) {
           for (auto& v : l.gamma) v = 1.0f + 0.2f * rnd();
           for (auto& v : l.running_var) v = 1.0f + 0.5f * rnd();
         } else if constexpr (requires { l.weights; }) {
           const float a = std::sqrt(3.0f / static_cast<float>(l.weights.size() / l.bias.size()));
           for (auto& v : l.weights) v = a * rnd();
         }
       }()),
       ...);
    }(std::make_index_sequence<Kws::layer_count>{});
    static std::array<Kws::input_type, 8> calib{};
    for (auto& x : calib) fill(x.data(), x.size());
    return KwsPair{ctml::fold_batchnorms(net), ctml::quant::quantize(net, calib)};
  }();
  return p;
}
void BM_ptq_kws_float(benchmark::State& state) {
  const auto& p = kws_pair();
  static Kws::input_type in{};
  fill(in.data(), in.size());
  for (auto _ : state) {
    auto y = p.f.infer(in);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["arena_B"] = static_cast<double>(decltype(p.f)::arena_bytes);
}
void BM_ptq_kws_int8(benchmark::State& state) {
  const auto& p = kws_pair();
  using Q = decltype(p.q.model);
  static Kws::input_type in{};
  fill(in.data(), in.size());
  const auto qin = p.q.quantize_input(in);
  static Q::output_type out{};
  alignas(16) static std::byte arena[Q::arena_bytes + 16];
  for (auto _ : state) {
    p.q.model(qin, out, std::span<std::byte>(arena));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["arena_B"] = static_cast<double>(Q::arena_bytes);
}

// Whole ResNet-8: float (BatchNorm folded) vs its PTQ int8 twin (residual ADDs in int8).
using ResNet = ctml::zoo::ResNet8<float>;
template <class L>
void init_random(L& l) {
  if constexpr (requires { L::layer_count; l.template layer<0>(); }) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (init_random(l.template layer<I>()), ...); }(
        std::make_index_sequence<L::layer_count>{});
  } else if constexpr (requires { l.body; L::projected; }) {
    init_random(l.body);
    if constexpr (L::projected) init_random(l.shortcut);
  } else if constexpr (requires { l.running_var; }) {
    for (auto& v : l.gamma) v = 1.0f + 0.2f * rnd();
    for (auto& v : l.running_var) v = 1.0f + 0.5f * rnd();
  } else if constexpr (requires { l.weights; }) {
    const float a = std::sqrt(3.0f / static_cast<float>(l.weights.size() / l.bias.size()));
    for (auto& v : l.weights) v = a * rnd();
  }
}
struct ResNetPair {
  ctml::folded_t<ResNet> f{};
  ctml::quant::quantized_model_t<ResNet> q{};
};
const ResNetPair& resnet_pair() {
  static const ResNetPair& p = []() -> const ResNetPair& {
    static ResNet net{};
    init_random(net);
    static std::array<ResNet::input_type, 4> calib{};
    for (auto& x : calib) fill(x.data(), x.size());
    static ResNetPair r{ctml::fold_batchnorms(net), ctml::quant::quantize(net, calib)};
    return r;
  }();
  return p;
}
void BM_ptq_resnet8_float(benchmark::State& state) {
  const auto& p = resnet_pair();
  using F = std::remove_cvref_t<decltype(p.f)>;
  static ResNet::input_type in{};
  static ResNet::output_type out{};
  fill(in.data(), in.size());
  alignas(16) static std::byte arena[F::arena_bytes + 16];
  for (auto _ : state) {
    p.f(in, out, std::span<std::byte>(arena));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["arena_B"] = static_cast<double>(F::arena_bytes);
}
void BM_ptq_resnet8_int8(benchmark::State& state) {
  const auto& p = resnet_pair();
  using Q = decltype(p.q.model);
  static ResNet::input_type in{};
  fill(in.data(), in.size());
  const auto qin = p.q.quantize_input(in);
  static Q::output_type out{};
  alignas(16) static std::byte arena[Q::arena_bytes + 16];
  for (auto _ : state) {
    p.q.model(qin, out, std::span<std::byte>(arena));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["arena_B"] = static_cast<double>(Q::arena_bytes);
}
}  // namespace issue3

BENCHMARK(issue3::BM_layer_maxpool_float);
BENCHMARK(issue3::BM_layer_maxpool_int8);
BENCHMARK(issue3::BM_layer_mean_float);
BENCHMARK(issue3::BM_layer_mean_int8);
BENCHMARK(issue3::BM_layer_add_float);
BENCHMARK(issue3::BM_layer_add_int8);
BENCHMARK(issue3::BM_layer_logistic_float);
BENCHMARK(issue3::BM_layer_logistic_int8);
BENCHMARK(issue3::BM_layer_logistic_int8_no_table);
BENCHMARK(issue3::BM_layer_tanh_float);
BENCHMARK(issue3::BM_layer_tanh_int8);
BENCHMARK(issue3::BM_layer_quantize);
BENCHMARK(issue3::BM_layer_dequantize);
BENCHMARK(issue3::BM_layer_conv1d_float);
BENCHMARK(issue3::BM_layer_conv1d_int8);
BENCHMARK(issue3::BM_ptq_kws_float);
BENCHMARK(issue3::BM_ptq_kws_int8);
BENCHMARK(issue3::BM_ptq_resnet8_float);
BENCHMARK(issue3::BM_ptq_resnet8_int8);
