// SPDX-License-Identifier: Apache-2.0
// Real FFTs on the host, ctml and FFTW side by side in one run (FFTW only in this benchmark, never
// a dependency of the headers). Same input for all: N float samples of a noisy sine; for the q15
// FFT the same signal in int16.
//   BM_ctml_rfft_f32/N   RfftF32<N>::forward (out-of-place, its scratch)
//   BM_fftw_rfft_f32/N   fftwf_execute of an r2c plan made with FFTW_MEASURE (out-of-place)
//   BM_ctml_rfft_q15/N   RfftQ15<N>::forward (block floating point, int16)
// Run: ./build/default/benchmarks/bench_fft_vs_fftw --benchmark_min_time=0.5s
// The ratio ctml / FFTW at N = 512 is the figure (docs/frontend.md).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>
#include <ctml/kernels/signal/rfft_f32.hpp>
#include <ctml/kernels/signal/rfft_q15.hpp>
#if defined(CTML_BENCH_FFTW)
#include <fftw3.h>
#endif

namespace ks = ctml::kernels::signal;

namespace {
template <std::size_t N>
void fill(float* x) {
  std::uint32_t r = 1;
  for (std::size_t i = 0; i < N; ++i) {
    r = r * 1664525u + 1013904223u;
    x[i] = static_cast<float>(0.6 * std::sin(0.3 * static_cast<double>(i)) +
                              static_cast<double>(static_cast<int>(r >> 16) % 2001 - 1000) / 4000.0);
  }
}

template <std::size_t N>
void BM_ctml_rfft_f32(benchmark::State& state) {
  alignas(64) static float x[N];
  alignas(64) static ks::Complex<float> out[N / 2 + 1], z[N / 2];
  fill<N>(x);
  for (auto _ : state) {
    ks::RfftF32<N>::forward(x, out, z);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
}

template <std::size_t N>
void BM_ctml_rfft_q15(benchmark::State& state) {
  static float xf[N];
  static std::int16_t x[N];
  static ks::Complex<std::int16_t> out[N / 2 + 1];
  static std::uint32_t z[N / 2];
  fill<N>(xf);
  for (std::size_t i = 0; i < N; ++i) x[i] = static_cast<std::int16_t>(std::lround(xf[i] * 32000.0f));
  for (auto _ : state) {
    benchmark::DoNotOptimize(ks::RfftQ15<N>::forward(x, out, z));
    benchmark::ClobberMemory();
  }
}

#if defined(CTML_BENCH_FFTW)
template <std::size_t N>
void BM_fftw_rfft_f32(benchmark::State& state) {
  float* x = fftwf_alloc_real(N);
  fftwf_complex* out = fftwf_alloc_complex(N / 2 + 1);
  fftwf_plan plan = fftwf_plan_dft_r2c_1d(static_cast<int>(N), x, out, FFTW_MEASURE);  // planning may overwrite x
  fill<N>(x);
  for (auto _ : state) {
    fftwf_execute(plan);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  fftwf_destroy_plan(plan);
  fftwf_free(out);
  fftwf_free(x);
}
#endif
}  // namespace

BENCHMARK(BM_ctml_rfft_f32<256>);
BENCHMARK(BM_ctml_rfft_f32<512>);
BENCHMARK(BM_ctml_rfft_f32<1024>);
#if defined(CTML_BENCH_FFTW)
BENCHMARK(BM_fftw_rfft_f32<256>);
BENCHMARK(BM_fftw_rfft_f32<512>);
BENCHMARK(BM_fftw_rfft_f32<1024>);
#endif
BENCHMARK(BM_ctml_rfft_q15<256>);
BENCHMARK(BM_ctml_rfft_q15<512>);
BENCHMARK(BM_ctml_rfft_q15<1024>);
