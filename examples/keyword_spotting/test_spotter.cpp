// SPDX-License-Identifier: Apache-2.0
// The keyword spotter's decision code (recognize_commands.hpp, spotter.hpp's output line) against
// what it documents: printf's bytes for every score, TFLM's RecognizeCommands rules (integer mean
// over the window, threshold, minimum count, suppression, silence and unknown never reported).
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "recognize_commands.hpp"
#include "spotter.hpp"

namespace {
using RC = kws::RecognizeCommands<kws::classes, 64>;

// A result in which class c has int8 probability s and the rest share what is left (below it).
struct Scores {
  std::int8_t v[kws::classes];
  Scores(std::size_t c, int s) {
    for (auto& x : v) x = -128;
    v[c] = static_cast<std::int8_t>(s);
  }
};
}  // namespace

TEST_CASE("format_detection prints what printf's %.2f prints, for every score and many times") {
  for (std::size_t label = 0; label < kws::keywords; ++label)
    for (int q = -128; q <= 127; ++q)
      for (std::int32_t t = 0; t <= 120000; t += 20 * 37) {
        char line[64], want[64];
        kws::format_detection(line, label, t, q);
        std::snprintf(want, sizeof want, "heard %s at %.2fs (score %.2f)\n", kws::labels[label], t / 1000.0,
                      static_cast<double>(static_cast<float>(q + 128) / 256.0f));
        REQUIRE(std::string(line) == want);
      }
}

TEST_CASE("RecognizeCommands: the threshold is a probability, compared on the int8 scale") {
  // 0.7 * 256 = 179.2: a mean of 180 / 256 (int8 52) is enough, 179 / 256 (51) is not.
  for (const int s : {51, 52}) {
    RC rc({.average_ms = 500, .threshold = 0.7f, .suppression_ms = 1500, .minimum_count = 3}, kws::silence, kws::unknown);
    bool heard = false;
    for (std::int32_t t = 20; t <= 400; t += 20) heard = heard || rc.process(Scores(3, s).v, t).heard;
    CHECK(heard == (s == 52));
  }
}

TEST_CASE("RecognizeCommands: minimum count, one report per word, suppression, ignored classes") {
  RC rc({.average_ms = 500, .threshold = 0.7f, .suppression_ms = 1500, .minimum_count = 3}, kws::silence, kws::unknown);
  // Two results are not enough; the third reports, with the mean as its score.
  CHECK_FALSE(rc.process(Scores(0, 127).v, 20).heard);
  CHECK_FALSE(rc.process(Scores(0, 127).v, 40).heard);
  const kws::Detection d = rc.process(Scores(0, 127).v, 60);
  REQUIRE(d.heard);
  CHECK(d.label == 0);
  CHECK(d.score_q == 127);
  CHECK(d.score == doctest::Approx(255.0 / 256.0));
  // The same word again within 1.5 s: suppressed; another word is reported at once.
  for (std::int32_t t = 80; t < 1000; t += 20) CHECK_FALSE(rc.process(Scores(0, 127).v, t).heard);
  std::int32_t t = 1000;
  bool other = false;
  for (; t < 1600 && !other; t += 20) other = rc.process(Scores(4, 127).v, t).heard;
  CHECK(other);
  // Silence and unknown are never reported, however sure.
  for (std::int32_t u = 3000; u < 5000; u += 20) {
    CHECK_FALSE(rc.process(Scores(kws::silence, 127).v, u).heard);
  }
  for (std::int32_t u = 5000; u < 7000; u += 20) {
    CHECK_FALSE(rc.process(Scores(kws::unknown, 127).v, u).heard);
  }
}

TEST_CASE("RecognizeCommands: the mean is over the last average_ms only") {
  RC rc({.average_ms = 500, .threshold = 0.7f, .suppression_ms = 1500, .minimum_count = 3}, kws::silence, kws::unknown);
  // 1 s of a sure "no", then silence: once the window holds mostly silence, "no" is below the
  // threshold; and a word that wins only briefly (two hops) is outvoted by the window.
  std::int32_t t = 20;
  int reports = 0;
  for (; t <= 1000; t += 20) reports += rc.process(Scores(1, 127).v, t).heard;
  CHECK(reports == 1);
  for (; t <= 3000; t += 20) CHECK_FALSE(rc.process(Scores(kws::silence, 127).v, t).heard);
  CHECK_FALSE(rc.process(Scores(5, 127).v, t += 20).heard);
  CHECK_FALSE(rc.process(Scores(5, 127).v, t += 20).heard);
  CHECK_FALSE(rc.process(Scores(kws::silence, 127).v, t += 20).heard);
}
