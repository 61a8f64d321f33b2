// SPDX-License-Identifier: Apache-2.0
// The micro_speech front end against TensorFlow Lite Micro, byte for byte:
//  * the two feature arrays of TFLM's own micro_speech_test.cc (yes_30ms, no_30ms), read from
//    ../shared at run time;
//  * TFLM's features of every clip of the corpus (tests/frontend/make_clips.py: espeak-ng speech
//    with five voices, noise, silence, tones, a sweep, clipping, a 3 s stream, and the example's
//    own WAVs), computed by `tflm-run --stream` at build time, streamed here through the WAV
//    reader and FeatureStream in uneven blocks.
// Skipped (reported as such) when the shared data, tflm-run, espeak-ng or sox is missing.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/micro_speech.hpp>
#include <ctml/frontend/wav.hpp>
#include "read_file.hpp"

using FE = ctml::frontend::MicroSpeech<>;

namespace {
using ctml::test::read_file;

// The features of a WAV, streamed in blocks of 37, 160, 333, ... samples.
std::vector<std::int8_t> features_of(const std::vector<unsigned char>& file, std::size_t& frames) {
  ctml::frontend::WavView w;
  const auto e = ctml::frontend::parse_wav(file.data(), file.size(), w);
  REQUIRE_MESSAGE(e == ctml::frontend::WavError::none, ctml::frontend::describe(e));
  REQUIRE(w.sample_rate == 16000);
  REQUIRE(w.channels == 1);
  static ctml::frontend::FeatureStream<FE, 4> stream;
  static std::int8_t last[4 * FE::features];
  stream.reset();
  std::vector<std::int8_t> out;
  const std::size_t blocks[] = {37, 160, 333, 1, 640, 999};
  std::int16_t buf[1000];
  std::size_t pos = 0, b = 0;
  while (pos < w.frames) {
    const std::size_t n = std::min(blocks[b++ % 6], w.frames - pos);
    for (std::size_t i = 0; i < n; ++i) buf[i] = w.sample_s16(pos + i);
    const std::size_t made = stream.push(buf, n);
    REQUIRE(made <= 4);
    if (made > 0) {
      stream.copy_window(last);  // the `made` newest frames are the last ones of the window
      out.insert(out.end(), last + (4 - made) * FE::features, last + 4 * FE::features);
    }
    pos += n;
  }
  frames = stream.frames_seen();
  return out;
}

// expected_feature[kFeatureSize] = { ... } after `test_name` in TFLM's micro_speech_test.cc.
std::vector<int> expected_array(const std::string& source, const std::string& test_name) {
  std::vector<int> v;
  auto p = source.find(test_name);
  if (p == std::string::npos) return v;
  p = source.find('{', source.find("expected_feature", p));
  const auto end = source.find('}', p);
  std::string body = source.substr(p + 1, end - p - 1);
  // Integers separated by commas and white space (no exceptions: this also runs on Cortex-M).
  int sign = 1, value = 0;
  bool in_number = false;
  for (char c : body + " ") {
    if (c == '-') {
      sign = -1;
    } else if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      in_number = true;
    } else if (in_number) {
      v.push_back(sign * value);
      sign = 1;
      value = 0;
      in_number = false;
    }
  }
  return v;
}
}  // namespace

TEST_CASE("micro_speech features equal micro_speech_test.cc's arrays (yes_30ms, no_30ms)") {
  const std::string dir = std::string(CTML_SHARED_DIR) + "/models/tflm-examples/micro_speech/";
  const auto src = read_file(dir + "micro_speech_test.cc");
  if (src.empty()) {
    MESSAGE("SKIPPED: " << dir << " not found");
    return;
  }
  const std::string text(src.begin(), src.end());
  for (const auto& [wav, test] : {std::pair{"yes_30ms.wav", "YesFeatureTest"}, std::pair{"no_30ms.wav", "NoFeatureTest"}}) {
    const auto expected = expected_array(text, test);
    REQUIRE(expected.size() == FE::features);
    std::size_t frames = 0;
    const auto got = features_of(read_file(dir + wav), frames);
    REQUIRE(frames == 1);
    for (std::size_t i = 0; i < FE::features; ++i) {
      INFO(wav << " feature " << i);
      CHECK(got[i] == expected[i]);
    }
  }
}

TEST_CASE("micro_speech features equal TFLite Micro's on every clip of the corpus") {
  const std::string dir = CTML_FRONTEND_CLIPS_DIR;
  const auto list = read_file(dir + "/clips.txt");
  if (list.empty()) {
    MESSAGE("SKIPPED: no clip corpus at " << dir << " (needs tflm-run, espeak-ng and sox at build time)");
    return;
  }
  std::string names(list.begin(), list.end());
  std::size_t clips = 0, frames_total = 0;
  for (std::size_t p = 0; p < names.size();) {
    const auto nl = names.find('\n', p);
    const std::string name = names.substr(p, nl - p);
    p = nl == std::string::npos ? names.size() : nl + 1;
    if (name.empty()) continue;
    const auto ref = read_file(dir + "/" + name + ".ref");
    std::size_t frames = 0;
    const auto got = features_of(read_file(dir + "/" + name + ".wav"), frames);
    INFO("clip " << name);
    REQUIRE(ref.size() == frames * FE::features);
    std::size_t differ = 0, first = 0;
    for (std::size_t i = 0; i < ref.size(); ++i)
      if (static_cast<std::int8_t>(ref[i]) != got[i] && differ++ == 0) first = i;
    INFO("first difference at frame " << first / FE::features << " channel " << first % FE::features);
    CHECK(differ == 0);
    ++clips;
    frames_total += frames;
  }
  MESSAGE(clips << " clips, " << frames_total << " frames, bit-exact with TFLite Micro");
  CHECK(clips >= 20);
}
