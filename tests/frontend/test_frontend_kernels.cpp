// SPDX-License-Identifier: Apache-2.0
// Front-end kernels against independent references: the int16 KISS FFT against a double-precision
// DFT, the integer square root and logarithm against <cmath>, the windows against their formulas,
// the WAV reader on valid and broken files, and FeatureStream against frame-by-frame calls.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>
#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/micro_speech.hpp>
#include <ctml/frontend/wav.hpp>
#include <ctml/kernels/signal/fixed_point.hpp>
#include <ctml/kernels/signal/kiss_rfft_s16.hpp>
#include <ctml/kernels/signal/preemphasis.hpp>
#include <ctml/kernels/signal/window.hpp>
#include "no_heap.hpp"

using namespace ctml;
namespace ka = ctml::kernels::signal;

namespace {
std::uint32_t lcg(std::uint32_t& s) {
  s = s * 1664525u + 1013904223u;
  return s;
}

// Worst |kiss - DFT / N| in int16 steps over a few inputs of length N, less the gain error of
// KISS's Q15 constants (32767 for 1, 8191 for 1/4: at most 1.6e-4 relative per stage).
template <std::size_t N>
double kiss_worst_error(int amplitude, int kind) {
  constexpr double stages = static_cast<double>(ka::KissRfftS16<N>::stages) + 1;
  static std::int16_t x[N];
  static ka::Complex<std::int16_t> out[N / 2 + 1], scratch[N / 2];
  std::uint32_t s = 12345u + static_cast<std::uint32_t>(kind);
  for (std::size_t n = 0; n < N; ++n) {
    double v = 0;
    if (kind == 0) v = static_cast<double>(static_cast<int>(lcg(s) >> 16) % (2 * amplitude + 1) - amplitude);
    else if (kind == 1) v = n == 3 ? amplitude : 0;  // impulse
    else v = amplitude * std::sin(2 * 3.14159265358979323846 * 17.0 * static_cast<double>(n) / N);
    x[n] = static_cast<std::int16_t>(std::lround(v));
  }
  ka::KissRfftS16<N>::forward(x, out, scratch);
  // cos / sin of 2 pi m / N, indexed below (cheap on soft-float cores); one buffer for all sizes
  // (the Cortex-M test boards have 512 KB of RAM).
  static double tables[2][1024];
  static_assert(N <= 1024);
  double* c = tables[0];
  double* sn = tables[1];
  for (std::size_t m = 0; m < N; ++m) {
    c[m] = std::cos(2 * 3.14159265358979323846 * static_cast<double>(m) / N);
    sn[m] = std::sin(2 * 3.14159265358979323846 * static_cast<double>(m) / N);
  }
  double worst = 0;
  for (std::size_t k = 0; k <= N / 2; ++k) {
    double re = 0, im = 0;
    for (std::size_t n = 0, m = 0; n < N; ++n, m = (m + k) % N) {
      re += x[n] * c[m];
      im -= x[n] * sn[m];
    }
    const double gain_error = std::hypot(re, im) / N * stages * 1.6e-4;
    worst = std::fmax(worst, std::fabs(out[k].real - re / N) - gain_error);
    worst = std::fmax(worst, std::fabs(out[k].imag - im / N) - gain_error);
  }
  return worst;
}

// A constexpr FFT: DC and Nyquist of a constant and an alternating sequence.
constexpr bool constexpr_fft() {
  std::int16_t x[64]{};
  for (int i = 0; i < 64; ++i) x[i] = static_cast<std::int16_t>(i % 2 ? -8192 : 8192);
  ka::Complex<std::int16_t> out[33]{}, scratch[32]{};
  ka::KissRfftS16<64>::forward(x, out, scratch);
  return out[0].real == 0 && out[32].real > 8000 && out[32].real <= 8192 && out[5].real == 0;
}
static_assert(constexpr_fft(), "the int16 real FFT runs in constant evaluation");
static_assert(ka::KissRfftS16<512>::factors[0] == 4 && ka::KissRfftS16<512>::factors[6] == 4 &&
              ka::KissRfftS16<256>::factors[6] == 2, "KISS FFT's factorization: powers of 4, then 2");
static_assert(ka::KissRfftS16<512>::twiddles[0].real == 32767 && ka::KissRfftS16<512>::twiddles[64].imag == -32767);
}  // namespace

TEST_CASE("KISS int16 real FFT equals the DFT / N within its rounding (every size 8..1024)") {
  // Each stage (log4(N/2) butterflies and the real split) rounds once (<= 1/2 step) and halves
  // or quarters the error of the stages before it; the bound below is 1 step per stage plus 1.5,
  // on top of the constants' gain error.
  const auto check = [](auto run, double stages) {
    for (int kind = 0; kind < 3; ++kind)
      for (int amp : {32767, 8000, 100}) {
        const double e = run(amp, kind);
        INFO("kind " << kind << " amplitude " << amp << " worst error " << e);
        CHECK(e <= stages + 1.5);
      }
  };
  check([](int a, int k) { return kiss_worst_error<8>(a, k); }, 2);
  check([](int a, int k) { return kiss_worst_error<64>(a, k); }, 3);
  check([](int a, int k) { return kiss_worst_error<128>(a, k); }, 4);
  check([](int a, int k) { return kiss_worst_error<256>(a, k); }, 4);
  check([](int a, int k) { return kiss_worst_error<512>(a, k); }, 5);
  check([](int a, int k) { return kiss_worst_error<1024>(a, k); }, 5);
}

TEST_CASE("integer square root and logarithm (TFLM's) against <cmath>") {
  ctml::test::NoHeapScope guard;
  std::uint32_t s = 7;
  for (int i = 0; i < 20000; ++i) {
    const std::uint32_t x = lcg(s) >> (lcg(s) % 32);
    const double r = std::sqrt(static_cast<double>(x));
    const std::uint16_t q = ka::isqrt32(x);
    CHECK(std::fabs(q - r) <= 1.0);
    const std::uint64_t y = (static_cast<std::uint64_t>(lcg(s)) << 32 | lcg(s)) >> (lcg(s) % 64);
    const double ry = std::sqrt(static_cast<double>(y));
    CHECK(std::fabs(ka::isqrt64(y) - ry) <= 1.0 + ry * 1e-9);
    if (x > 1) {
      const double l = 64.0 * std::log(static_cast<double>(x));
      CHECK(std::fabs(static_cast<double>(ka::log32(x, 64)) - l) <= 1.0 + l * 0.002);
    }
  }
  CHECK(ka::isqrt32(0) == 0);
  CHECK(ka::isqrt32(0xFFFFFFFFu) == 0xFFFF);
  CHECK(ka::msb32(0) == 32);  // TFLM's GCC build
  CHECK(ka::msb32(1) == 1);
}

TEST_CASE("windows equal their formulas") {
  constexpr double pi = 3.14159265358979323846;
  for (std::size_t n = 0; n < 480; ++n) {
    CHECK(ka::hann_periodic<480>[n] == doctest::Approx(0.5 - 0.5 * std::cos(2 * pi * n / 480.0)).epsilon(1e-6));
    CHECK(ka::hann_symmetric<480>[n] == doctest::Approx(0.5 - 0.5 * std::cos(2 * pi * n / 479.0)).epsilon(1e-6));
    CHECK(ka::hamming_periodic<480>[n] == doctest::Approx(0.54 - 0.46 * std::cos(2 * pi * n / 480.0)).epsilon(1e-6));
    const double t = 4096.0 * (0.5 - 0.5 * std::cos(2 * pi / 480.0 * (n + 0.5)));
    CHECK(std::fabs(ka::hann_tflm_s16<480, 12>[n] - t) <= 0.5);
    CHECK(ka::hann_tflm_s16<480, 12>[n] == ka::hann_tflm_s16<480, 12>[479 - n]);
  }
  static_assert(ka::hann_symmetric<5>[2] == 1.0f && ka::hann_periodic<4>[0] == 0.0f);
}

namespace {
std::vector<unsigned char> make_wav(std::uint32_t rate, std::uint16_t channels, std::uint16_t bits,
                                    const std::vector<std::int16_t>& samples, bool extra_chunk = false) {
  std::vector<unsigned char> b;
  auto u32 = [&](std::uint32_t v) { for (int i = 0; i < 4; ++i) b.push_back(static_cast<unsigned char>(v >> (8 * i))); };
  auto u16 = [&](std::uint16_t v) { b.push_back(static_cast<unsigned char>(v)); b.push_back(static_cast<unsigned char>(v >> 8)); };
  auto tag = [&](const char* t) { for (int i = 0; i < 4; ++i) b.push_back(static_cast<unsigned char>(t[i])); };
  tag("RIFF"); u32(0); tag("WAVE");
  if (extra_chunk) { tag("LIST"); u32(3); b.push_back('a'); b.push_back('b'); b.push_back('c'); b.push_back(0); }
  tag("fmt "); u32(16); u16(1); u16(channels); u32(rate); u32(rate * channels * bits / 8); u16(static_cast<std::uint16_t>(channels * bits / 8)); u16(bits);
  tag("data"); u32(static_cast<std::uint32_t>(samples.size() * 2));
  for (auto v : samples) u16(static_cast<std::uint16_t>(v));
  return b;
}
}  // namespace

TEST_CASE("WAV reader: PCM read in place, broken files refused with the reason") {
  using frontend::WavError;
  const std::vector<std::int16_t> pcm = {0, 1000, -1000, 32767, -32768, 7};
  frontend::WavView w;
  for (bool extra : {false, true}) {
    const auto f = make_wav(16000, 1, 16, pcm, extra);
    REQUIRE(frontend::parse_wav(f.data(), f.size(), w) == WavError::none);
    CHECK(w.sample_rate == 16000);
    CHECK(w.channels == 1);
    CHECK(w.frames == pcm.size());
    for (std::size_t i = 0; i < pcm.size(); ++i) CHECK(w.sample_s16(i) == pcm[i]);
  }
  const auto good = make_wav(16000, 1, 16, pcm);
  auto broken = [&](auto mutate) { auto b = good; mutate(b); frontend::WavView v{}; return frontend::parse_wav(b.data(), b.size(), v); };
  CHECK(broken([](auto& b) { b.resize(8); }) == WavError::too_short);
  CHECK(broken([](auto& b) { b[0] = 'X'; }) == WavError::not_riff);
  CHECK(broken([](auto& b) { b[8] = 'X'; }) == WavError::not_wave);
  CHECK(broken([](auto& b) { b[20] = 3; }) == WavError::not_pcm);  // IEEE float
  CHECK(broken([](auto& b) { b[22] = 0; }) == WavError::bad_channels);
  CHECK(broken([](auto& b) { b[34] = 12; }) == WavError::unsupported_bits);
  CHECK(broken([](auto& b) { b[32] = 4; }) == WavError::bad_block_align);
  CHECK(broken([](auto& b) { b.resize(b.size() - 3); }) == WavError::truncated_data);
  CHECK(broken([](auto& b) { b.resize(36); }) == WavError::no_data);
  CHECK(broken([](auto& b) { b[12] = 'j'; }) == WavError::no_fmt);  // fmt renamed: data without fmt
  CHECK(broken([](auto& b) { b[16] = 0xFF; b[17] = 0xFF; }) == WavError::bad_chunk);
  CHECK(broken([](auto& b) { b[40] = 0; b.resize(44); }) == WavError::empty);
  // Every truncation of a valid file is refused or read within its bytes, never past them.
  for (std::size_t n = 0; n < good.size(); ++n) {
    frontend::WavView v{};
    const auto e = frontend::parse_wav(good.data(), n, v);
    CHECK(e != WavError::none);
    CHECK(std::strlen(frontend::describe(e)) > 5);
  }
}

TEST_CASE("FeatureStream: any block size gives the frames of window-by-window calls") {
  using FE = frontend::MicroSpeech<>;
  static std::int16_t audio[16000 + 777];
  std::uint32_t s = 99;
  for (auto& v : audio) v = static_cast<std::int16_t>(static_cast<int>(lcg(s) >> 20) - 2048 + (static_cast<int>(lcg(s) >> 31) * 6000));
  constexpr std::size_t n_frames = (sizeof(audio) / 2 - FE::window) / FE::hop + 1;
  static std::int8_t expected[n_frames][FE::features];
  {
    static FE::state_type st;
    static FE::scratch_type w;
    const FE fe;
    fe.reset(st);
    for (std::size_t f = 0; f < n_frames; ++f) fe(audio + f * FE::hop, expected[f], st, w);
  }
  for (std::size_t block : {std::size_t{1}, std::size_t{7}, std::size_t{160}, std::size_t{320}, std::size_t{1000}, std::size_t{16777}}) {
    ctml::test::NoHeapScope guard;
    static frontend::FeatureStream<FE, 49> stream;
    stream.reset();
    static std::int8_t window[49 * FE::features];
    std::size_t made = 0;
    for (std::size_t p = 0; p < sizeof(audio) / 2; p += block) {
      const std::size_t n = std::min(block, sizeof(audio) / 2 - p);
      made += stream.push(audio + p, n);
      if (stream.frames_seen() > 0)
        CHECK(std::memcmp(stream.last_frame(), expected[stream.frames_seen() - 1], FE::features) == 0);
    }
    INFO("block " << block);
    CHECK(made == n_frames);
    CHECK(stream.full());
    stream.copy_window(window);
    CHECK(std::memcmp(window, expected[n_frames - 49], sizeof(window)) == 0);
  }
  // Before the window is full, the oldest frames are zeros.
  static frontend::FeatureStream<FE, 49> fresh;
  fresh.push(audio, FE::window + FE::hop);
  CHECK(fresh.frames_seen() == 2);
  CHECK_FALSE(fresh.full());
  static std::int8_t window[49 * FE::features];
  fresh.copy_window(window);
  for (std::size_t i = 0; i < 47 * FE::features; ++i) CHECK(window[i] == 0);
  CHECK(std::memcmp(window + 47 * FE::features, expected[0], 2 * FE::features) == 0);
}

TEST_CASE("MicroSpeech's facts are compile-time") {
  using FE = frontend::MicroSpeech<>;
  static_assert(frontend::FrontEnd<FE>);
  static_assert(FE::window == 480 && FE::hop == 320 && FE::features == 40 && FE::fft_size == 512);
  static_assert(FE::bank.start_index == 5 && FE::bank.end_index == 241 && FE::bank_weights == 316,
                "TFLM's micro_speech tables: bins [5, 241), 316 weights");
  static_assert(FE::state_bytes == 40 * 4);
  static_assert(FE::snr_shift == 6 && FE::correction_bits == 3);
  // Another configuration: 8 kHz, 20 channels, 64 ms windows.
  using Small = frontend::MicroSpeech<frontend::MicroSpeechConfig{.sample_rate = 8000, .window_ms = 64, .stride_ms = 32,
                                                                   .channels = 20, .upper_hz = 3800.0}>;
  static_assert(Small::window == 512 && Small::fft_size == 512 && Small::features == 20);
  static_assert(Small::bank.end_index <= Small::bins);
}

TEST_CASE("pre-emphasis: y[n] = x[n] - a x[n-1], blocks join without a seam, in place") {
  const ka::PreEmphasis pre{0.97f};
  float x[100], whole[100], blocks[100];
  for (int i = 0; i < 100; ++i) x[i] = static_cast<float>((i * 37) % 23) - 11.0f;
  ka::PreEmphasis::state_type s;
  pre.reset(s);
  pre(x, whole, 100, s);
  for (int i = 0; i < 100; ++i) CHECK(whole[i] == doctest::Approx(x[i] - 0.97f * (i ? x[i - 1] : 0.0f)));
  pre.reset(s);
  std::memcpy(blocks, x, sizeof x);
  for (int p = 0; p < 100; p += 7) pre(blocks + p, blocks + p, static_cast<std::size_t>(std::min(7, 100 - p)), s);  // in place
  for (int i = 0; i < 100; ++i) CHECK(blocks[i] == whole[i]);
  constexpr float first = [] {
    ka::PreEmphasis::state_type st{2.0f};
    float y[1]{}, in[1]{1.0f};
    ka::PreEmphasis{0.5f}(in, y, 1, st);
    return y[0];
  }();
  static_assert(first == 0.0f);
}
