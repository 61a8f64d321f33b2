// SPDX-License-Identifier: Apache-2.0
// MLPerf Tiny's KWS features (frontend/mlperf_kws.hpp) against the numpy reference of
// tests/data/frontend/gen_mlperf_kws.py (tf.signal's definitions in float64): MFCCs within 1e-4,
// the model's int8 input identical; the float real FFT against a double-precision DFT and
// Parseval; the mel bank against its formula.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/mlperf_kws.hpp>
#include <ctml/kernels/signal/rfft_f32.hpp>
#include "dft_reference.hpp"
#include "no_heap.hpp"
#include "read_file.hpp"

namespace ka = ctml::kernels::signal;

namespace {
using ctml::test::read_file;

// One set of buffers for every size (the Cortex-M test boards have 512 KB of RAM).
constexpr std::size_t max_n = 4096;
float g_x[max_n];
ka::Complex<float> g_out[max_n / 2 + 1], g_z[max_n / 2];

template <std::size_t N>
void check_rfft(int kind) {
  static_assert(N <= max_n);
  float* x = g_x;
  ka::Complex<float>* out = g_out;
  ka::Complex<float>* z = g_z;
  std::uint32_t s = 77u + static_cast<std::uint32_t>(kind);
  double energy = 0;
  for (std::size_t n = 0; n < N; ++n) {
    s = s * 1664525u + 1013904223u;
    if (kind == 0) x[n] = static_cast<float>(static_cast<int>(s >> 16) % 2001 - 1000) / 1000.0f;
    else if (kind == 1) x[n] = n == 1 ? 1.0f : 0.0f;
    else x[n] = static_cast<float>(std::sin(2 * 3.14159265358979323846 * 5.0 * static_cast<double>(n) / N));
    energy += static_cast<double>(x[n]) * x[n];
  }
  ka::RfftF32<N>::forward(x, out, z);
  double worst = 0, peak = 0, spectrum_energy = 0;
  for (std::size_t k = 0; k <= N / 2; ++k) {
    const auto [re, im] = ctml::test::dft_bin(x, N, k);
    worst = std::fmax(worst, std::hypot(out[k].real - re, out[k].imag - im));
    peak = std::fmax(peak, std::hypot(re, im));
    const double p = static_cast<double>(out[k].real) * out[k].real + static_cast<double>(out[k].imag) * out[k].imag;
    spectrum_energy += (k == 0 || k == N / 2) ? p : 2 * p;
  }
  INFO("N " << N << " kind " << kind << " worst " << worst << " peak " << peak);
  // float32: a few ulps of the largest bin per stage.
  CHECK(worst <= 1e-6 * static_cast<double>(N > 64 ? 64 : N) * (peak > 1 ? peak : 1));
  CHECK(spectrum_energy / N == doctest::Approx(energy).epsilon(1e-5));  // Parseval
}
}  // namespace

TEST_CASE("float real FFT equals a double DFT (N = 4 ... 4096) and keeps Parseval") {
  for (int kind = 0; kind < 3; ++kind) {
    check_rfft<4>(kind);
    check_rfft<8>(kind);
    check_rfft<64>(kind);
    check_rfft<256>(kind);
    check_rfft<512>(kind);
    check_rfft<1024>(kind);
  }
  check_rfft<4096>(0);
}

TEST_CASE("constexpr float FFT and mel bank") {
  constexpr auto dc = [] {
    float x[16]{};
    for (auto& v : x) v = 1.0f;
    ka::Complex<float> out[9]{}, z[8]{};
    ka::RfftF32<16>::forward(x, out, z);
    return out[0].real == 16.0f && out[3].real == 0.0f && out[8].real == 0.0f;
  }();
  static_assert(dc, "the float real FFT runs in constant evaluation");
  using K = ctml::frontend::MlperfKws;
  static_assert(K::window == 480 && K::hop == 320 && K::fft_size == 512 && K::features == 10 && K::mels == 40);
  static_assert(K::mel_bank.first[0] >= 1, "the DC bin has no weight");
  static_assert(ctml::frontend::FrontEnd<K>);
  // Every band's weights rise to <= 1 and are positive.
  for (std::size_t m = 0; m < K::mels; ++m) {
    CHECK(K::mel_bank.count[m] >= 1);
    for (std::size_t j = 0; j < K::mel_bank.count[m]; ++j) {
      const float w = K::mel_bank.weights[K::mel_bank.offset[m] + j];
      CHECK(w > 0.0f);
      CHECK(w <= 1.0f);
    }
  }
}

namespace {
// The FFT in constant evaluation (the scalar code) and at run time (the four-lane code on hosts
// with vector extensions, the scalar code elsewhere): one algorithm, the same operations per
// element, so the same floats, unless the compiler fuses a multiply and an add at run time
// (targets with a fast FMA: Cortex-M4F, -march=native), where they agree within rounding.
template <std::size_t N>
struct Spectrum {
  std::array<ka::Complex<float>, N / 2 + 1> bins{};
};
template <std::size_t N>
constexpr Spectrum<N> spectrum_of(int kind) {
  std::array<float, N> x{};
  std::uint32_t s = 3 + static_cast<std::uint32_t>(kind);
  for (std::size_t n = 0; n < N; ++n) {
    s = s * 1664525u + 1013904223u;
    x[n] = kind == 0 ? static_cast<float>(static_cast<int>(s >> 16) % 2001 - 1000) / 1000.0f : (n % 7 < 3 ? 0.75f : -0.25f);
  }
  Spectrum<N> r;
  std::array<ka::Complex<float>, N / 2> z{};
  ka::RfftF32<N>::forward(x.data(), r.bins.data(), z.data());
  return r;
}
template <std::size_t N>
void check_constexpr_equals_runtime() {
  static constexpr Spectrum<N> c0 = spectrum_of<N>(0), c1 = spectrum_of<N>(1);
  const Spectrum<N>* expected[2] = {&c0, &c1};
  for (int kind = 0; kind < 2; ++kind) {
    const Spectrum<N> r = spectrum_of<N>(kind);
    for (std::size_t k = 0; k <= N / 2; ++k) {
      INFO("N " << N << " kind " << kind << " bin " << k);
#if defined(__FP_FAST_FMAF)
      const float tol = 1e-5f * static_cast<float>(N);
      CHECK(std::fabs(r.bins[k].real - expected[kind]->bins[k].real) <= tol);
      CHECK(std::fabs(r.bins[k].imag - expected[kind]->bins[k].imag) <= tol);
#else
      CHECK(r.bins[k].real == expected[kind]->bins[k].real);
      CHECK(r.bins[k].imag == expected[kind]->bins[k].imag);
#endif
    }
  }
}
}  // namespace

TEST_CASE("float FFT: constant evaluation and run time give the same floats (both code widths)") {
  check_constexpr_equals_runtime<32>();
  check_constexpr_equals_runtime<64>();
  check_constexpr_equals_runtime<128>();
  check_constexpr_equals_runtime<512>();
}

TEST_CASE("MLPerf Tiny KWS MFCCs equal the numpy reference (<= 1e-4), int8 input identical") {
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/frontend/";
  std::size_t clips = 0;
  for (const char* name : {"chirp_noise", "tones_envelope", "pinkish_noise", "near_silence", "speech_yes", "speech_left",
                           "speech_stop"}) {
    const auto pcm = read_file(dir + "mlperf_kws_" + name + ".pcm");
    const auto ref = read_file(dir + "mlperf_kws_" + name + ".mfcc");
    const auto q = read_file(dir + "mlperf_kws_" + name + ".int8");
    REQUIRE(pcm.size() == 32000);
    REQUIRE(ref.size() == 490 * 4);
    REQUIRE(q.size() == 490);
    static std::int16_t clip[16000];
    std::memcpy(clip, pcm.data(), sizeof clip);
    static float x[16000], mfcc[490];
    static std::int8_t in[490];
    {
      ctml::test::NoHeapScope guard;
      ctml::frontend::normalize_by_max(clip, 16000, x);
      ctml::frontend::mlperf_kws_clip(x, mfcc);
      ctml::frontend::quantize_features(mfcc, 490, ctml::frontend::mlperf_kws_input_scale,
                                        ctml::frontend::mlperf_kws_input_zero_point, in);
    }
    float r[490];
    std::memcpy(r, ref.data(), sizeof r);
    double worst = 0;
    std::size_t int8_differ = 0;
    for (std::size_t i = 0; i < 490; ++i) {
      worst = std::fmax(worst, std::fabs(static_cast<double>(mfcc[i]) - r[i]));
      int8_differ += in[i] != static_cast<std::int8_t>(q[i]);
    }
    INFO(name << ": worst |ctml - numpy| " << worst);
    CHECK(worst <= 1e-4);
    CHECK(int8_differ == 0);
    // Streaming gives the same frames as the clip function.
    static ctml::frontend::FeatureStream<ctml::frontend::MlperfKws, 49> stream;
    stream.reset();
    for (std::size_t p = 0; p < 16000; p += 123) stream.push(x + p, p + 123 <= 16000 ? 123 : 16000 - p);
    static float window[490];
    stream.copy_window(window);
    CHECK(std::memcmp(window, mfcc, sizeof window) == 0);
    ++clips;
  }
  CHECK(clips == 7);
}
