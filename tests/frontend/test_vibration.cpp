// SPDX-License-Identifier: Apache-2.0
// The vibration/motion front end (frontend/vibration.hpp) against the numpy reference of
// tests/data/frontend/gen_vibration.py, streamed through FeatureStream; and the statistics and
// Welch kernels on signals with known answers.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/vibration.hpp>
#include <ctml/kernels/signal/statistics.hpp>
#include <ctml/kernels/signal/welch.hpp>
#include "no_heap.hpp"
#include "read_file.hpp"

namespace ks = ctml::kernels::signal;

using ctml::test::read_file;

TEST_CASE("statistics of signals with known moments") {
  static float x[4000];
  // A full-scale sine over whole periods: mean 0, rms 1/sqrt 2, skewness 0, kurtosis -1.5, crest sqrt 2.
  for (std::size_t i = 0; i < 4000; ++i) x[i] = static_cast<float>(std::sin(2 * 3.14159265358979323846 * 10.0 * i / 4000.0));
  const auto s = ks::statistics(x, 4000);
  CHECK(s.mean == doctest::Approx(0.0).scale(1.0).epsilon(1e-5));
  CHECK(s.rms == doctest::Approx(std::sqrt(0.5)).epsilon(1e-5));
  CHECK(s.skewness == doctest::Approx(0.0).scale(1.0).epsilon(1e-4));
  CHECK(s.kurtosis == doctest::Approx(-1.5).epsilon(1e-4));
  CHECK(s.crest_factor == doctest::Approx(std::sqrt(2.0)).epsilon(1e-4));
  CHECK(s.zero_crossing_rate == doctest::Approx(19.0 / 3999.0).epsilon(1e-6));
  // A constant: std, skewness, kurtosis 0.
  for (auto& v : x) v = 3.0f;
  const auto c = ks::statistics(x, 100);
  CHECK(c.std == 0.0f);
  CHECK(c.kurtosis == 0.0f);
  CHECK(c.crest_factor == doctest::Approx(1.0));
  constexpr auto ce = [] {
    float y[4] = {1, -1, 1, -1};
    return ks::statistics(y, 4);
  }();
  static_assert(ce.mean == 0.0f && ce.rms == 1.0f && ce.zero_crossing_rate == 1.0f);
}

TEST_CASE("Welch PSD of a sine: its power at its frequency, Parseval over the band") {
  static float x[8192];
  const float fs = 1000.0f;
  for (std::size_t i = 0; i < 8192; ++i)
    x[i] = 2.0f * static_cast<float>(std::sin(2 * 3.14159265358979323846 * 125.0 * i / 1000.0)) + 0.5f;
  static float psd[129];
  static ks::WelchScratch<256> w;
  ctml::test::NoHeapScope guard;
  const std::size_t segments = ks::welch_psd<256>(x, 8192, fs, 128, psd, w);
  CHECK(segments == 63);
  // Power of A sin: A^2 / 2 = 2; the mean (0.5) is removed per segment.
  CHECK(ks::band_energy(psd, 129, fs, 256, 100.0f, 150.0f) == doctest::Approx(2.0).epsilon(1e-3));
  CHECK(ks::band_energy(psd, 129, fs, 256, 0.0f, 10.0f) < 1e-6f);
  ks::SpectralPeak p[2];
  ks::spectral_peaks(psd, 129, fs, 256, p);
  CHECK(p[0].bin == 32);  // 125 Hz = bin 32 of 256 at 1 kHz
  CHECK(p[0].frequency == doctest::Approx(125.0));
}

TEST_CASE("vibration features equal the numpy reference") {
  using Vib = ctml::frontend::Vibration<>;
  static_assert(Vib::features == 39 && Vib::window == 3072 && Vib::hop == 1536);
  static_assert(ctml::frontend::FrontEnd<Vib>);
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/frontend/";
  for (const char* name : {"machine", "walking"}) {
    const auto raw = read_file(dir + "vibration_" + name + ".f32");
    const auto ref_raw = read_file(dir + "vibration_" + name + ".feat");
    REQUIRE(raw.size() == 4096 * 3 * 4);
    REQUIRE(ref_raw.size() == 7 * 39 * 4);
    static float x[4096 * 3], ref[7 * 39];
    std::memcpy(x, raw.data(), sizeof x);
    std::memcpy(ref, ref_raw.data(), sizeof ref);
    static ctml::frontend::FeatureStream<Vib, 7> stream;
    stream.reset();
    {
      ctml::test::NoHeapScope guard;
      for (std::size_t p = 0; p < 4096 * 3; p += 300) stream.push(x + p, std::min<std::size_t>(300, 4096 * 3 - p));
    }
    REQUIRE(stream.frames_seen() == 7);
    static float got[7 * 39];
    stream.copy_window(got);
    for (std::size_t f = 0; f < 7; ++f)
      for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t j = 0; j < 13; ++j) {
          const std::size_t i = f * 39 + a * 13 + j;
          INFO(name << " window " << f << " axis " << a << " feature " << j << ": ctml " << got[i] << " numpy " << ref[i]);
          if (j >= 11) CHECK(got[i] == ref[i]);  // peak frequencies: the same bins
          else CHECK(got[i] == doctest::Approx(ref[i]).epsilon(2e-4).scale(j == 0 || j == 3 ? 1e-3 : 1e-6));
        }
  }
}
