// SPDX-License-Identifier: Apache-2.0
// The block-floating-point q15 real FFT (kernels/signal/rfft_q15.hpp) against a double-precision
// DFT: every size 8 ... 1024 (and 4096) on noise, sines, an impulse, a full-scale DC, clipped and
// alternating signals, loud and quiet. Stated bounds (measured worst case with margin):
//   |out[k] * 2^e - X[k]| <= (1 + sqrt(N) / 1.5) * 2^e per part, signal-to-error >= 45 dB,
//   and the output uses at least 13 bits of its int16 range for any nonzero input.
// The transform in constant evaluation (portable integer arithmetic) gives the same bits as at
// run time (the Arm DSP instructions on Cortex-M).
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ctml/kernels/signal/rfft_q15.hpp>
#include "dft_reference.hpp"
#include "no_heap.hpp"

namespace ka = ctml::kernels::signal;

namespace {
constexpr std::size_t max_n = 4096;
std::int16_t g_x[max_n];
ka::Complex<std::int16_t> g_out[max_n / 2 + 1];
std::uint32_t g_z[max_n / 2];

enum Kind { noise, sine, impulse, dc, clipped_square, alternating, kinds };

template <std::size_t N>
void make_input(Kind kind, int amplitude, std::uint32_t seed) {
  std::uint32_t s = seed;
  const double pi = 3.14159265358979323846;
  for (std::size_t n = 0; n < N; ++n) {
    s = s * 1664525u + 1013904223u;
    double v = 0;
    switch (kind) {
      case noise: v = static_cast<double>(static_cast<int>(s >> 16) % 2001 - 1000) / 1000.0; break;
      case sine: v = std::sin(2 * pi * (static_cast<double>(N) / 7.3) * static_cast<double>(n) / N); break;
      case impulse: v = n == 0 ? -1.0 : 0.0; break;
      case dc: v = -1.0; break;
      case clipped_square: v = std::sin(2 * pi * 3.0 * static_cast<double>(n) / N) >= 0 ? 1.0 : -1.0; break;
      default: v = n % 2 ? 1.0 : -1.0; break;
    }
    long q = std::lround(v * amplitude);
    g_x[n] = static_cast<std::int16_t>(q > 32767 ? 32767 : (q < -32768 ? -32768 : q));
  }
}

struct Result {
  double worst_steps, snr_db;
  int peak;
};

template <std::size_t N>
Result run() {
  const int e = ka::RfftQ15<N>::forward(g_x, g_out, g_z);
  const double step = std::ldexp(1.0, e);
  double worst = 0, signal = 0, error = 0;
  int peak = 0;
  for (std::size_t k = 0; k <= N / 2; ++k) {
    const auto [re, im] = ctml::test::dft_bin(g_x, N, k);
    const double dr = g_out[k].real * step - re, di = g_out[k].imag * step - im;
    worst = std::fmax(worst, std::fmax(std::fabs(dr), std::fabs(di)) / step);
    signal += re * re + im * im;
    error += dr * dr + di * di;
    peak = std::max(peak, std::max(std::abs(int{g_out[k].real}), std::abs(int{g_out[k].imag})));
  }
  return {worst, error > 0 ? 10 * std::log10(signal / error) : 200.0, peak};
}

template <std::size_t N>
void check_size() {
  for (int kind = 0; kind < kinds; ++kind)
    for (int amplitude : {32767, 20000, 1000, 3}) {
      make_input<N>(static_cast<Kind>(kind), amplitude, 99u + static_cast<std::uint32_t>(kind));
      const Result r = run<N>();
      INFO("N " << N << " kind " << kind << " amplitude " << amplitude << ": worst " << r.worst_steps
                << " steps, " << r.snr_db << " dB, peak " << r.peak);
      CHECK(r.worst_steps <= 1.0 + std::sqrt(static_cast<double>(N)) / 1.5);
      CHECK(r.snr_db >= 45.0);
      CHECK(r.peak >= 4096);
    }
}

// The same transform in constant evaluation: outputs and exponent.
template <std::size_t N>
struct Packed {
  std::array<ka::Complex<std::int16_t>, N / 2 + 1> out{};
  int e = 0;
};
template <std::size_t N>
constexpr Packed<N> constexpr_fft(int kind) {
  std::array<std::int16_t, N> x{};
  std::uint32_t s = 5;
  for (std::size_t n = 0; n < N; ++n) {
    s = s * 1664525u + 1013904223u;
    const int r = static_cast<int>(s >> 16) % 65536 - 32768;
    x[n] = static_cast<std::int16_t>(kind == 0 ? r : (kind == 1 ? r / 300 : (n % 3 ? 32767 : -32768)));
  }
  Packed<N> p;
  std::array<std::uint32_t, N / 2> z{};
  p.e = ka::RfftQ15<N>::forward(x.data(), p.out.data(), z.data());
  return p;
}
template <std::size_t N>
void check_constexpr_equals_runtime() {
  static constexpr Packed<N> c0 = constexpr_fft<N>(0), c1 = constexpr_fft<N>(1), c2 = constexpr_fft<N>(2);
  const Packed<N>* expected[3] = {&c0, &c1, &c2};
  for (int kind = 0; kind < 3; ++kind) {
    Packed<N> r = constexpr_fft<N>(kind);  // run time: the same code, the target's instructions
    INFO("N " << N << " kind " << kind);
    CHECK(r.e == expected[kind]->e);
    for (std::size_t k = 0; k <= N / 2; ++k) {
      CHECK(r.out[k].real == expected[kind]->out[k].real);
      CHECK(r.out[k].imag == expected[kind]->out[k].imag);
    }
  }
}
static_assert(constexpr_fft<16>(2).e > 0, "the q15 FFT runs in constant evaluation");
}  // namespace

TEST_CASE("q15 real FFT equals a double DFT within its stated bound, every size 8 ... 1024 and 4096") {
  ctml::test::NoHeapScope guard;
  check_size<8>();
  check_size<16>();
  check_size<32>();
  check_size<64>();
  check_size<128>();
  check_size<256>();
  check_size<512>();
  check_size<1024>();
  make_input<4096>(noise, 32767, 1);
  const Result r = run<4096>();
  INFO("N 4096 noise: worst " << r.worst_steps << " steps, " << r.snr_db << " dB");
  CHECK(r.worst_steps <= 1.0 + std::sqrt(4096.0) / 1.5);
  CHECK(r.snr_db >= 45.0);
}

TEST_CASE("q15 real FFT keeps a quiet input's bits (block floating point) and maps zeros to zeros") {
  // A sine of amplitude 100: a fixed X / N scaling (CMSIS-DSP's arm_rfft_q15, KISS FFT) leaves its
  // peak bin at 100 / 2 = 50, under 6 bits; here the exponent is small and the peak fills int16.
  make_input<512>(sine, 100, 0);
  const int e = ka::RfftQ15<512>::forward(g_x, g_out, g_z);
  CHECK(e <= 1);
  const Result r = run<512>();
  CHECK(r.peak >= 8192);
  CHECK(r.snr_db >= 50.0);
  for (std::size_t n = 0; n < 256; ++n) g_x[n] = 0;
  ka::RfftQ15<256>::forward(g_x, g_out, g_z);
  for (std::size_t k = 0; k <= 128; ++k) CHECK((g_out[k].real == 0 && g_out[k].imag == 0));
}

TEST_CASE("q15 real FFT: constant evaluation and run time give the same bits") {
  check_constexpr_equals_runtime<16>();
  check_constexpr_equals_runtime<64>();
  check_constexpr_equals_runtime<128>();
}
