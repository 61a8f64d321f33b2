// SPDX-License-Identifier: Apache-2.0
// Dense vs sparse float kernels at MLPerf Tiny sizes and 50..95 % unstructured sparsity:
//   dense      the dense float kernel on the pruned weights (zeros multiplied like any weight)
//   csr        compressed rows (values + narrow column indices + row pointers)
//   nm         N:M (2:4 at 50 %, 1:4 at 75 %), regular trip counts, byte offsets
//   unrolled   constant pattern: weights and indices are template facts (128x128 only)
// Counters: storage_B (weight bytes incl. indices) and density.
//   ./build/default/benchmarks/bench_sparse --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <memory>

#include <ctml/ctml.hpp>
#include <ctml/sparse.hpp>

using namespace ctml;

namespace {

template <class Tn>
constexpr void fill(Tn& t, unsigned s) {
  for (auto& v : t) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<float>(static_cast<int>(s >> 16) - 32768) / 32768.0f;
  }
}

template <class L>
std::unique_ptr<L> pruned(double sparsity) {
  auto l = std::make_unique<L>();
  fill(l->weights, 5);
  fill(l->bias, 6);
  if (sparsity > 0) sparse::prune_magnitude(l->weights, sparsity);
  return l;
}

template <class L>
void run(benchmark::State& state, const L& layer, std::size_t storage, double density) {
  auto in = std::make_unique<typename L::input_type>();
  auto out = std::make_unique<typename L::output_type>();
  fill(*in, 9);
  float scratch[1024];
  for (auto _ : state) {
    layer.forward(in->data(), out->data(), scratch);
    benchmark::DoNotOptimize(out->data());
    benchmark::ClobberMemory();
  }
  state.counters["storage_B"] = static_cast<double>(storage);
  state.counters["density"] = density;
}

constexpr std::size_t nnz_at(std::size_t n, double s) { return n - static_cast<std::size_t>(s * static_cast<double>(n) + 0.5); }

template <class D, int Pct>
void BM_dense(benchmark::State& state) {
  auto l = pruned<D>(Pct / 100.0);
  run(state, *l, D::weight_type::size_bytes(), 1.0 - Pct / 100.0);
}

template <class D, int Pct>
void BM_csr(benchmark::State& state) {
  constexpr std::size_t nnz = nnz_at(D::weight_type::size(), Pct / 100.0);
  auto l = pruned<D>(Pct / 100.0);
  using S = decltype(sparse::to_csr_layer<nnz>(*l));
  auto s = std::make_unique<S>(sparse::to_csr_layer<nnz>(*l));
  run(state, *s, S::weight_type::storage_bytes, static_cast<double>(nnz) / D::weight_type::size());
}

template <class D, std::size_t N, std::size_t M>
void BM_nm(benchmark::State& state) {
  auto l = std::make_unique<D>();
  fill(l->weights, 5);
  sparse::prune_n_m<N, M>(l->weights);
  using S = decltype(sparse::to_n_m_layer<N, M>(*l));
  auto s = std::make_unique<S>(sparse::to_n_m_layer<N, M>(*l));
  run(state, *s, S::weight_type::storage_bytes, double(N) / M);
}

using Ae640 = DenseLayer<float, Shape<640>, 128>;
using Ae128 = DenseLayer<float, Shape<128>, 128>;
using Pw = bind_t<Conv2D<64, Kernel<1, 1>>, float, Shape<25, 5, 64>>;

// Constant-pattern layers (constexpr pruning at compile time).
template <int Pct>
constexpr Ae128 make_const128() {
  Ae128 d{};
  fill(d.weights, 5);
  fill(d.bias, 6);
  sparse::prune_magnitude(d.weights, Pct / 100.0);
  return d;
}
constexpr Ae128 c128_90 = make_const128<90>();
constexpr Ae128 c128_95 = make_const128<95>();

template <const auto& L>
void BM_unrolled(benchmark::State& state) {
  sparse::StaticCsrDense<L> layer;
  run(state, layer, decltype(layer)::nnz * 0 + decltype(sparse::compress<L>())::weight_type::storage_bytes,
      static_cast<double>(decltype(layer)::nnz) / 16384.0);
}

template <int Pct>
void BM_pw_csr(benchmark::State& state) {
  auto l = pruned<Pw>(Pct / 100.0);
  constexpr std::size_t nnz = nnz_at(4096, Pct / 100.0);
  using S = decltype(sparse::to_csr_layer<nnz>(*l));
  auto s = std::make_unique<S>(sparse::to_csr_layer<nnz>(*l));
  run(state, *s, S::weight_type::storage_bytes, nnz / 4096.0);
}

}  // namespace

#define CTML_SPARSE_SWEEP(D, name)                                                  \
  BENCHMARK(BM_dense<D, 0>)->Name(name "/dense");                                   \
  BENCHMARK(BM_csr<D, 50>)->Name(name "/csr/50");                                   \
  BENCHMARK(BM_csr<D, 70>)->Name(name "/csr/70");                                   \
  BENCHMARK(BM_csr<D, 80>)->Name(name "/csr/80");                                   \
  BENCHMARK(BM_csr<D, 90>)->Name(name "/csr/90");                                   \
  BENCHMARK(BM_csr<D, 95>)->Name(name "/csr/95");                                   \
  BENCHMARK(BM_nm<D, 2, 4>)->Name(name "/nm_2of4/50");                              \
  BENCHMARK(BM_nm<D, 1, 4>)->Name(name "/nm_1of4/75");

CTML_SPARSE_SWEEP(Ae640, "dense_640x128")
CTML_SPARSE_SWEEP(Ae128, "dense_128x128")
BENCHMARK(BM_unrolled<c128_90>)->Name("dense_128x128/unrolled/90");
BENCHMARK(BM_unrolled<c128_95>)->Name("dense_128x128/unrolled/95");
BENCHMARK(BM_dense<Pw, 0>)->Name("pointwise_64x64_25x5/dense");
BENCHMARK(BM_pw_csr<50>)->Name("pointwise_64x64_25x5/csr/50");
BENCHMARK(BM_pw_csr<70>)->Name("pointwise_64x64_25x5/csr/70");
BENCHMARK(BM_pw_csr<80>)->Name("pointwise_64x64_25x5/csr/80");
BENCHMARK(BM_pw_csr<90>)->Name("pointwise_64x64_25x5/csr/90");
BENCHMARK(BM_pw_csr<95>)->Name("pointwise_64x64_25x5/csr/95");
