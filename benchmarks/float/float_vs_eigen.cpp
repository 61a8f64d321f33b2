// SPDX-License-Identifier: Apache-2.0
// ctml's float Dense and Conv2D layers against Eigen's fixed-size matrices in the same binary,
// same weights and inputs, at the MLPerf Tiny layer sizes of bench_float_layers (issue 22, item 4:
// "Dense/Conv layers within 1.2x of Eigen fixed-size").
//   ./build/default/benchmarks/bench_float_vs_eigen --benchmark_min_time=0.3 --benchmark_repetitions=3
// What each Eigen peer computes (the way an Eigen user writes these layers):
//   Dense       y = W x + b                    W: Matrix<float, Units, In, RowMajor> (ctml's [out][in])
//   pointwise   Y = X W^T + b (rowwise)        X: the NHWC input seen as [H*W][Cin]
//   conv KxK    Y = P W^T + b (rowwise)        P: im2col patches [OH*OW][KH*KW*Cin] (zero padding,
//                                              TFLite's SAME), built every call; W: OHWI rows
// Before timing, each pair's outputs are compared (the largest difference relative to the largest
// output must stay below 1e-5; otherwise the benchmark reports an error instead of a time).
// The compiler flags are the build's (-O2, and -march=native in the native preset) for both.
#include <benchmark/benchmark.h>

// Fixed-size matrices beyond 128 KB (the 640x128 weights, ResNet's patches) are allowed: every
// Eigen object here lives on the heap (std::make_unique), and products are evaluated in place
// (noalias), so nothing of that size is put on the stack.
#define EIGEN_STACK_ALLOCATION_LIMIT 0
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

#include <ctml/ctml.hpp>

#include "fill.hpp"

using namespace ctml;

namespace {

using bench::fill;

double relative_difference(const float* a, const float* b, std::size_t n) {
  double worst = 0, range = 0;
  for (std::size_t i = 0; i < n; ++i) {
    worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    range = std::max(range, std::fabs(static_cast<double>(b[i])));
  }
  return worst / std::max(range, 1e-30);
}

// ---- the Eigen peers ----------------------------------------------------------------------------
template <int In, int Units>
struct EigenDense {
  using W = Eigen::Matrix<float, Units, In, Eigen::RowMajor>;
  using X = Eigen::Matrix<float, In, 1>;
  using Y = Eigen::Matrix<float, Units, 1>;
  W w;
  Y b;
  X x;
  Y y;
  template <class L>
  void load(const L& l, const float* in) {
    for (int o = 0; o < Units; ++o) {
      b(o) = l.bias[static_cast<std::size_t>(o)];
      for (int i = 0; i < In; ++i) w(o, i) = l.weights[static_cast<std::size_t>(o * In + i)];
    }
    for (int i = 0; i < In; ++i) x(i) = in[i];
  }
  void run() { y.noalias() = w * x + b; }
  const float* out() const { return y.data(); }
};

// A convolution as im2col + GEMM, NHWC, OHWI weights, TFLite's SAME padding.
template <int H, int Wd, int C, int F, int KH, int KW, int S>
struct EigenConv {
  static constexpr int OH = (H + S - 1) / S, OW = (Wd + S - 1) / S, K = KH * KW * C;
  static constexpr int pad_top = std::max((OH - 1) * S + KH - H, 0) / 2, pad_left = std::max((OW - 1) * S + KW - Wd, 0) / 2;
  static constexpr bool pointwise = KH == 1 && KW == 1 && S == 1;
  using P = Eigen::Matrix<float, OH * OW, K, Eigen::RowMajor>;
  using Wm = Eigen::Matrix<float, F, K, Eigen::RowMajor>;
  using Y = Eigen::Matrix<float, OH * OW, F, Eigen::RowMajor>;
  using B = Eigen::Matrix<float, 1, F>;
  P p;  // the input itself for a pointwise conv
  Wm w;
  B b;
  Y y;
  std::vector<float> x;
  template <class L>
  void load(const L& l, const float* in) {
    for (int f = 0; f < F; ++f) {
      b(f) = l.bias[static_cast<std::size_t>(f)];
      for (int k = 0; k < K; ++k) w(f, k) = l.weights[static_cast<std::size_t>(f * K + k)];
    }
    x.assign(in, in + H * Wd * C);
    if (pointwise) p = Eigen::Map<const P>(x.data());
  }
  void im2col() {
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        float* row = p.data() + static_cast<std::ptrdiff_t>(oy * OW + ox) * K;
        for (int ky = 0; ky < KH; ++ky) {
          const int iy = oy * S - pad_top + ky;
          for (int kx = 0; kx < KW; ++kx, row += C) {
            const int ix = ox * S - pad_left + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= Wd)
              std::fill(row, row + C, 0.0f);
            else
              std::copy_n(x.data() + (iy * Wd + ix) * C, C, row);
          }
        }
      }
  }
  void run() {
    if (!pointwise) im2col();
    y.noalias() = p * w.transpose();
    y.rowwise() += b;
  }
  const float* out() const { return y.data(); }
};

// ---- the pairs ------------------------------------------------------------------------------------
template <class L, class E>
struct Pair {
  std::unique_ptr<L> layer = std::make_unique<L>();
  std::unique_ptr<E> eigen = std::make_unique<E>();
  std::unique_ptr<typename L::input_type> in = std::make_unique<typename L::input_type>();
  std::unique_ptr<typename L::output_type> out = std::make_unique<typename L::output_type>();
  std::vector<float> scratch = std::vector<float>(layer_traits<L>::scratch_size + 1);
  double difference = 0;
  Pair() {
    unsigned seed = 1;
    std::apply([&](auto&... t) { ((fill(t, seed++), void()), ...); }, parameters_of(*layer));
    fill(*in, 7);
    eigen->load(*layer, in->data());
    ctml_run();
    eigen->run();
    difference = relative_difference(eigen->out(), out->data(), out->size());
  }
  void ctml_run() { layer->forward(in->data(), out->data(), scratch.data()); }
};

template <class L, class E, bool Ctml>
void BM_pair(benchmark::State& state) {
  Pair<L, E> p;
  if (!(p.difference <= 1e-5)) {
    state.SkipWithError("ctml and Eigen disagree (relative difference above 1e-5)");
    return;
  }
  for (auto _ : state) {
    if constexpr (Ctml) {
      p.ctml_run();
      benchmark::DoNotOptimize(p.out->data());
    } else {
      p.eigen->run();
      benchmark::DoNotOptimize(p.eigen->out());
    }
    benchmark::ClobberMemory();
  }
  state.counters["MACs/s"] = benchmark::Counter(static_cast<double>(layer_traits<L>::macs), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["rel_diff"] = p.difference;
}

// The layers of bench_float_layers that are Dense or Conv2D.
using KwsConv1 = bind_t<Conv2D<64, Kernel<10, 4>, Stride<2>, Same>, float, Shape<49, 10, 1>>;
using KwsPw = bind_t<Conv2D<64, Kernel<1, 1>, Same>, float, Shape<25, 5, 64>>;
using KwsFc = bind_t<Dense<12>, float, Shape<64>>;
using AeIn = bind_t<Dense<128>, float, Shape<640>>;
using AeMid = bind_t<Dense<128>, float, Shape<128>>;
using AeOut = bind_t<Dense<640>, float, Shape<128>>;
using ResConv = bind_t<Conv2D<16, Kernel<3, 3>, Same>, float, Shape<32, 32, 16>>;
using VwwPw = bind_t<Conv2D<32, Kernel<1, 1>, Same>, float, Shape<24, 24, 16>>;

using EKwsConv1 = EigenConv<49, 10, 1, 64, 10, 4, 2>;
using EKwsPw = EigenConv<25, 5, 64, 64, 1, 1, 1>;
using EKwsFc = EigenDense<64, 12>;
using EAeIn = EigenDense<640, 128>;
using EAeMid = EigenDense<128, 128>;
using EAeOut = EigenDense<128, 640>;
using EResConv = EigenConv<32, 32, 16, 16, 3, 3, 1>;
using EVwwPw = EigenConv<24, 24, 16, 32, 1, 1, 1>;

}  // namespace

#define CTML_PAIR(L, E, name)                                               \
  BENCHMARK(BM_pair<L, E, true>)->Name("ctml/" name)->Unit(benchmark::kMicrosecond); \
  BENCHMARK(BM_pair<L, E, false>)->Name("eigen/" name)->Unit(benchmark::kMicrosecond)

CTML_PAIR(KwsConv1, EKwsConv1, "kws_conv2d_10x4_s2");
CTML_PAIR(KwsPw, EKwsPw, "kws_pointwise_64x64");
CTML_PAIR(KwsFc, EKwsFc, "kws_dense_64x12");
CTML_PAIR(AeIn, EAeIn, "ae_dense_640x128");
CTML_PAIR(AeMid, EAeMid, "ae_dense_128x128");
CTML_PAIR(AeOut, EAeOut, "ae_dense_128x640");
CTML_PAIR(ResConv, EResConv, "resnet_conv3x3_16");
CTML_PAIR(VwwPw, EVwwPw, "vww_pointwise_16x32");
