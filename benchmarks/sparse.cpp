// SPDX-License-Identifier: Apache-2.0
// Dense vs sparse kernels at MLPerf Tiny sizes and 50..95 % unstructured sparsity, float and int8:
//   dense      the dense kernel on the pruned weights (zeros multiplied like any weight)
//   csr        compressed rows (values + narrow column indices + row pointers)
//   sliced     sliced CSR: rows sorted by length, four rows' common prefix interleaved
//   nm_2of4 / nm_1of4   N:M with 2-bit packed offsets (sparsity 50 % / 75 % by construction)
//   unrolled   constant pattern: weights and indices are template facts (128x128 only)
// Layers: autoencoder Dense 640->128 and 128->128, DS-CNN pointwise 64->64 on 25x5 and DS-CNN's
// first conv (10x4, stride 2, same, 49x10x1 -> 25x5x64). batch32: 32 frames per forward_batch call
// (dense: the dense kernel frame by frame; csr: interleaved, one pass over the non-zeros per block
// of frames); the per_frame counter is the time per frame.
// Counters: storage_B (weight bytes incl. indices), storage_pct (vs the dense weights), density.
//   ./build/default/benchmarks/bench_sparse --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <memory>

#include <ctml/ctml.hpp>
#include <ctml/quant/conv_s8.hpp>
#include <ctml/quant/dense_s8.hpp>
#include <ctml/sparse.hpp>

using namespace ctml;

namespace {

constexpr unsigned lcg(unsigned& s) { return s = s * 1664525u + 1013904223u; }

template <class Tn>
constexpr void fill(Tn& t, unsigned s) {
  for (auto& v : t) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(v)>, float>) {
      v = static_cast<float>(static_cast<int>(lcg(s) >> 16) - 32768) / 32768.0f;
    } else {  // int8 weights in +-[1, 127]: no accidental zeros, so NNZ is exactly the target
      const int m = static_cast<int>(lcg(s) >> 25) % 127 + 1;
      v = static_cast<std::int8_t>((lcg(s) >> 31) ? m : -m);
    }
  }
}

constexpr std::size_t nnz_at(std::size_t n, int pct) {
  return n - static_cast<std::size_t>(pct / 100.0 * static_cast<double>(n) + 0.5);
}

// A dense float or int8 layer with magnitude-pruned weights.
template <class L>
std::unique_ptr<L> pruned(int pct) {
  auto l = std::make_unique<L>();
  fill(l->weights, 5);
  if constexpr (requires { l->multiplier; }) {
    for (std::size_t c = 0; c < l->bias.size(); ++c) {
      l->bias[c] = static_cast<std::int32_t>(c * 37) - 1000;
      const auto m = quant::quantize_multiplier(0.0004);
      l->multiplier[c] = m.value;
      l->shift[c] = m.shift;
    }
    l->input_zero_point = -3;
    l->output_zero_point = 2;
  } else {
    fill(l->bias, 6);
  }
  if (pct > 0) sparse::prune_magnitude(l->weights, pct / 100.0);
  if constexpr (requires { l->prepare(); }) l->prepare();
  return l;
}

template <class L>
void run(benchmark::State& state, const L& layer, std::size_t storage, std::size_t dense_bytes,
         double density) {
  auto in = std::make_unique<typename L::input_type>();
  auto out = std::make_unique<typename L::output_type>();
  fill(*in, 9);
  using S = typename layer_traits<L>::scratch_value;
  auto scratch = std::make_unique<S[]>(layer_traits<L>::scratch_size + 1);
  for (auto _ : state) {
    layer.forward(in->data(), out->data(), scratch.get());
    benchmark::DoNotOptimize(out->data());
    benchmark::ClobberMemory();
  }
  state.counters["storage_B"] = static_cast<double>(storage);
  state.counters["storage_pct"] = 100.0 * static_cast<double>(storage) / static_cast<double>(dense_bytes);
  state.counters["density"] = density;
}

template <class D, int Pct>
void BM_dense(benchmark::State& state) {
  auto l = pruned<D>(Pct);
  run(state, *l, D::weights_type_bytes(), D::weights_type_bytes(), 1.0 - Pct / 100.0);
}

// Fmt: sparse::csr_format / sliced_format.
template <class D, class Fmt, int Pct>
void BM_sparse(benchmark::State& state) {
  constexpr std::size_t total = decltype(D::weights)::size();
  constexpr std::size_t nnz = nnz_at(total, Pct);
  auto l = pruned<D>(Pct);
  using S = decltype(sparse::to_sparse<Fmt, nnz>(*l));
  auto s = std::make_unique<S>(sparse::to_sparse<Fmt, nnz>(*l));
  run(state, *s, S::weight_type::storage_bytes, D::weights_type_bytes(), static_cast<double>(nnz) / total);
}

template <class D, std::size_t N, std::size_t M>
void BM_nm(benchmark::State& state) {
  auto l = pruned<D>(0);
  sparse::prune_n_m<N, M>(l->weights);
  if constexpr (requires { l->prepare(); }) l->prepare();
  using S = decltype(sparse::to_n_m_layer<N, M>(*l));
  auto s = std::make_unique<S>(sparse::to_n_m_layer<N, M>(*l));
  run(state, *s, S::weight_type::storage_bytes, D::weights_type_bytes(), double(N) / M);
}

// n frames through forward_batch (the anomaly-detection autoencoder reconstructs every 640-vector
// of a clip, so frames come in batches). Time is per call; per_frame is the time per frame.
constexpr std::size_t batch_frames = 32;
template <class L>
void run_batch(benchmark::State& state, const L& layer, std::size_t storage, std::size_t dense_bytes,
               double density) {
  using V = typename L::input_type::value_type;
  constexpr std::size_t in_n = L::input_type::size(), out_n = L::output_type::size();
  auto in = std::make_unique<V[]>(in_n * batch_frames);
  auto out = std::make_unique<V[]>(out_n * batch_frames);
  unsigned s = 9;
  for (std::size_t i = 0; i < in_n * batch_frames; ++i) {
    if constexpr (std::is_same_v<V, float>) in[i] = static_cast<float>(lcg(s) >> 8) / 16777216.0f - 0.5f;
    else in[i] = static_cast<V>(static_cast<int>(lcg(s) >> 24) - 128);
  }
  constexpr bool batched = requires { L::batch_scratch_size; };
  constexpr std::size_t scratch_n = [] {
    if constexpr (batched) return L::batch_scratch_size;
    else return layer_traits<L>::scratch_size;
  }();
  auto scratch = std::make_unique<V[]>(scratch_n + 1);
  for (auto _ : state) {
    if constexpr (batched) {
      layer.forward_batch(in.get(), out.get(), batch_frames, scratch.get());
    } else {  // a dense layer without forward_batch (int8): frame by frame
      for (std::size_t f = 0; f < batch_frames; ++f) layer.forward(in.get() + f * in_n, out.get() + f * out_n, scratch.get());
    }
    benchmark::DoNotOptimize(out.get());
    benchmark::ClobberMemory();
  }
  state.counters["per_frame"] = benchmark::Counter(static_cast<double>(state.iterations() * batch_frames),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["storage_pct"] = 100.0 * static_cast<double>(storage) / static_cast<double>(dense_bytes);
  state.counters["density"] = density;
}

template <class D>
void BM_dense_batch(benchmark::State& state) {
  auto l = pruned<D>(0);
  run_batch(state, *l, D::weights_type_bytes(), D::weights_type_bytes(), 1.0);
}
template <class D, int Pct>
void BM_csr_batch(benchmark::State& state) {
  constexpr std::size_t total = decltype(D::weights)::size();
  constexpr std::size_t nnz = nnz_at(total, Pct);
  auto l = pruned<D>(Pct);
  using S = decltype(sparse::to_csr_layer<nnz>(*l));
  auto s = std::make_unique<S>(sparse::to_csr_layer<nnz>(*l));
  run_batch(state, *s, S::weight_type::storage_bytes, D::weights_type_bytes(), static_cast<double>(nnz) / total);
}

// The whole anomaly-detection autoencoder (BatchNorm folded into the Dense layers: 640-128-128-
// 128-128-8-128-128-128-128-640, ReLU after all but the last), every layer pruned to 90 %, as
// sparse CSR layers; against the same network with dense layers. 32 frames per call: the dense
// network frame by frame (operator()), the sparse one frame by frame and through
// Network::forward_batch (each sparse layer takes batch_block frames per pass).
template <std::size_t In, std::size_t Out, Activation A>
using AeDenseFc = DenseLayer<float, Shape<In>, Out, A>;
template <std::size_t In, std::size_t Out, Activation A>
using AeSparseFc = sparse::CsrDenseLayer<float, Shape<In>, Out, nnz_at(In * Out, 90), A>;
template <template <std::size_t, std::size_t, Activation> class F>
using AeNet = Chain<F<640, 128, Activation::relu>, F<128, 128, Activation::relu>, F<128, 128, Activation::relu>,
                    F<128, 128, Activation::relu>, F<128, 8, Activation::relu>, F<8, 128, Activation::relu>,
                    F<128, 128, Activation::relu>, F<128, 128, Activation::relu>, F<128, 128, Activation::relu>,
                    F<128, 640, Activation::none>>;
using AeDenseNet = AeNet<AeDenseFc>;
using AeSparseNet = AeNet<AeSparseFc>;

// Dense network with 90 %-pruned weights, and its CSR copy.
std::unique_ptr<AeDenseNet> ae_dense() {
  auto n = std::make_unique<AeDenseNet>();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((fill(n->template layer<I>().weights, 5 + I), fill(n->template layer<I>().bias, 50 + I),
      sparse::prune_magnitude(n->template layer<I>().weights, 0.9)), ...);
  }(std::make_index_sequence<AeDenseNet::layer_count>{});
  return n;
}
std::unique_ptr<AeSparseNet> ae_sparse(const AeDenseNet& d) {
  auto n = std::make_unique<AeSparseNet>();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((n->template layer<I>() = sparse::to_csr_layer<AeSparseNet::layer_type<I>::nnz>(d.template layer<I>())), ...);
  }(std::make_index_sequence<AeDenseNet::layer_count>{});
  return n;
}

template <class Net, int Mode>  // 0: frame by frame, 1: forward_batch
void run_ae(benchmark::State& state, const Net& net) {
  constexpr std::size_t in_n = 640, out_n = 640;
  auto in = std::make_unique<float[]>(in_n * batch_frames);
  auto out = std::make_unique<float[]>(out_n * batch_frames);
  unsigned s = 9;
  for (std::size_t i = 0; i < in_n * batch_frames; ++i) in[i] = static_cast<float>(lcg(s) >> 8) / 16777216.0f - 0.5f;
  constexpr std::size_t arena_n = Mode == 1 ? Net::template batch_arena_bytes<Net::batch_block> : Net::arena_bytes;
  auto arena = std::make_unique<std::byte[]>(arena_n + 16);
  const std::span<std::byte> a(arena.get(), arena_n);
  auto x = std::make_unique<typename Net::input_type>();
  auto y = std::make_unique<typename Net::output_type>();
  for (auto _ : state) {
    if constexpr (Mode == 1) {
      net.forward_batch(in.get(), out.get(), batch_frames, a);
    } else {
      for (std::size_t f = 0; f < batch_frames; ++f) {
        std::memcpy(x->data(), in.get() + f * in_n, in_n * sizeof(float));
        net(*x, *y, a);
        std::memcpy(out.get() + f * out_n, y->data(), out_n * sizeof(float));
      }
    }
    benchmark::DoNotOptimize(out.get());
    benchmark::ClobberMemory();
  }
  state.counters["per_frame"] = benchmark::Counter(static_cast<double>(state.iterations() * batch_frames),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["param_B"] = static_cast<double>(Net::param_bytes);
  state.counters["arena_B"] = static_cast<double>(arena_n);
}
void BM_ae_dense(benchmark::State& state) { run_ae<AeDenseNet, 0>(state, *ae_dense()); }
void BM_ae_sparse(benchmark::State& state) { run_ae<AeSparseNet, 0>(state, *ae_sparse(*ae_dense())); }
void BM_ae_sparse_batch(benchmark::State& state) { run_ae<AeSparseNet, 1>(state, *ae_sparse(*ae_dense())); }

// The layers, with their dense weight bytes.
template <class L>
struct Bench : L {
  static constexpr std::size_t weights_type_bytes() { return decltype(L::weights)::size_bytes(); }
};
using Ae640 = Bench<DenseLayer<float, Shape<640>, 128>>;
using Ae128 = Bench<DenseLayer<float, Shape<128>, 128>>;
using Pw = Bench<bind_t<Conv2D<64, Kernel<1, 1>>, float, Shape<25, 5, 64>>>;
using First = Bench<bind_t<Conv2D<64, Kernel<10, 4>, Same, Stride<2>>, float, Shape<49, 10, 1>>>;
using QAe640 = Bench<quant::QDenseLayer<Shape<640>, 128>>;
using QAe128 = Bench<quant::QDenseLayer<Shape<128>, 128>>;
using QPw = Bench<quant::QConv2DLayer<Pw::geometry>>;
using QFirst = Bench<quant::QConv2DLayer<First::geometry>>;

}  // namespace

// sparse::sparse_conversion is specialised for the library's layers; the Bench wrappers convert as
// their base.
namespace ctml::sparse {
template <class L>
struct sparse_conversion<Bench<L>> : sparse_conversion<L> {};
}  // namespace ctml::sparse

namespace {
// Constant-pattern layers (constexpr pruning at compile time).
template <int Pct>
constexpr DenseLayer<float, Shape<128>, 128> make_const128() {
  DenseLayer<float, Shape<128>, 128> d{};
  fill(d.weights, 5);
  fill(d.bias, 6);
  sparse::prune_magnitude(d.weights, Pct / 100.0);
  return d;
}
constexpr auto c128_90 = make_const128<90>();
constexpr auto c128_95 = make_const128<95>();

template <const auto& L>
void BM_unrolled(benchmark::State& state) {
  sparse::StaticCsrDense<L> layer;
  using C = sparse::compressed_t<L>;
  run(state, layer, C::weight_type::storage_bytes, 65536, static_cast<double>(C::nnz) / 16384.0);
}
}  // namespace

#define CTML_SPARSE_SWEEP(D, name)                                                                  \
  BENCHMARK(BM_dense<D, 0>)->Name(name "/dense");                                                   \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 50>)->Name(name "/csr/50");                            \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 70>)->Name(name "/csr/70");                            \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 80>)->Name(name "/csr/80");                            \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 90>)->Name(name "/csr/90");                            \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 95>)->Name(name "/csr/95");                            \
  BENCHMARK(BM_sparse<D, sparse::sliced_format, 50>)->Name(name "/sliced/50");                      \
  BENCHMARK(BM_sparse<D, sparse::sliced_format, 70>)->Name(name "/sliced/70");                      \
  BENCHMARK(BM_sparse<D, sparse::sliced_format, 80>)->Name(name "/sliced/80");                      \
  BENCHMARK(BM_sparse<D, sparse::sliced_format, 90>)->Name(name "/sliced/90");                      \
  BENCHMARK(BM_sparse<D, sparse::sliced_format, 95>)->Name(name "/sliced/95");                      \
  BENCHMARK(BM_nm<D, 2, 4>)->Name(name "/nm_2of4/50");                                              \
  BENCHMARK(BM_nm<D, 1, 4>)->Name(name "/nm_1of4/75");

#define CTML_SPARSE_SWEEP_BATCH(D, name)                                                            \
  BENCHMARK(BM_dense_batch<D>)->Name(name "/batch32/dense");                                        \
  BENCHMARK(BM_csr_batch<D, 50>)->Name(name "/batch32/csr/50");                                     \
  BENCHMARK(BM_csr_batch<D, 70>)->Name(name "/batch32/csr/70");                                     \
  BENCHMARK(BM_csr_batch<D, 80>)->Name(name "/batch32/csr/80");                                     \
  BENCHMARK(BM_csr_batch<D, 90>)->Name(name "/batch32/csr/90");                                     \
  BENCHMARK(BM_csr_batch<D, 95>)->Name(name "/batch32/csr/95");

CTML_SPARSE_SWEEP(Ae640, "f32/dense_640x128")
CTML_SPARSE_SWEEP_BATCH(Ae640, "f32/dense_640x128")
CTML_SPARSE_SWEEP_BATCH(Ae128, "f32/dense_128x128")
BENCHMARK(BM_ae_dense)->Name("f32/ad_autoencoder_net/dense");
BENCHMARK(BM_ae_sparse)->Name("f32/ad_autoencoder_net/csr/90");
BENCHMARK(BM_ae_sparse_batch)->Name("f32/ad_autoencoder_net/batch32/csr/90");
CTML_SPARSE_SWEEP(Ae128, "f32/dense_128x128")
BENCHMARK(BM_unrolled<c128_90>)->Name("f32/dense_128x128/unrolled/90");
BENCHMARK(BM_unrolled<c128_95>)->Name("f32/dense_128x128/unrolled/95");
CTML_SPARSE_SWEEP(Pw, "f32/pointwise_64x64_25x5")
CTML_SPARSE_SWEEP(QAe640, "s8/dense_640x128")
CTML_SPARSE_SWEEP_BATCH(QAe640, "s8/dense_640x128")
CTML_SPARSE_SWEEP(QAe128, "s8/dense_128x128")
CTML_SPARSE_SWEEP(QPw, "s8/pointwise_64x64_25x5")

#define CTML_SPARSE_SWEEP_CSR(D, name)                                                              \
  BENCHMARK(BM_dense<D, 0>)->Name(name "/dense");                                                   \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 50>)->Name(name "/csr/50");                            \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 70>)->Name(name "/csr/70");                            \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 80>)->Name(name "/csr/80");                            \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 90>)->Name(name "/csr/90");                            \
  BENCHMARK(BM_sparse<D, sparse::csr_format, 95>)->Name(name "/csr/95");                            \
  BENCHMARK(BM_sparse<D, sparse::sliced_format, 90>)->Name(name "/sliced/90");

CTML_SPARSE_SWEEP_CSR(First, "f32/first_conv_10x4_s2")
CTML_SPARSE_SWEEP_CSR(QFirst, "s8/first_conv_10x4_s2")
