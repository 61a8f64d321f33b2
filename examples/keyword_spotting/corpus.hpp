// SPDX-License-Identifier: Apache-2.0
#pragma once
// The keyword spotter's data (host code: kws_train and kws_models): the corpus make_speech.sh
// synthesizes, and the examples made from it. An example is one keyword clip (or an unknown
// word, or none for silence / background) at a random offset in a 1 s window, played 12 % slower
// to 12 % faster, with a random gain, over background noise (white, pink or brown noise, mains
// hum, distant babble of other speakers' words) at 5 to 30 dB SNR that starts 0.5 s before the
// window (the front end's state settles as on a stream). A split holds every keyword clip of its
// speakers and as many unknown-word and silence examples as half the keywords each (about 25 %
// each, as Speech Commands models are trained). Speakers are split 70/15/15 (make_speech.sh).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/wav.hpp>

#include "../common/example_utils.hpp"
#include "kws_data.hpp"

namespace kws::corpus {

using ex::Rng;

struct Clip {
  std::vector<float> x;  // samples in [-1, 1)
  std::size_t speaker = 0;
};

inline std::vector<float> read_wav(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ctml::frontend::WavView w;
  if (ctml::frontend::parse_wav(bytes.data(), bytes.size(), w) != ctml::frontend::WavError::none || w.sample_rate != sample_rate) return {};
  std::vector<float> x(w.frames);
  for (std::size_t i = 0; i < w.frames; ++i) x[i] = static_cast<float>(w.sample_s16(i, 0)) / 32768.0f;
  return x;
}

// Background of n samples: one of white / pink / brown noise, mains hum, babble, at unit RMS.
inline std::vector<float> background(Rng& rng, std::size_t n, const std::vector<Clip>& babble_pool) {
  std::vector<float> b(n, 0.0f);
  const std::size_t kind = rng.below(5);
  double p1 = 0, p2 = 0, br = 0, phase = rng.uniform() * 6.283;
  const double hum = rng.between(49, 61);
  for (std::size_t i = 0; i < n; ++i) {
    const double w = rng.normal();
    switch (kind) {
      case 0: b[i] = static_cast<float>(w); break;
      case 1: p1 = 0.97 * p1 + w, p2 = 0.6 * p2 + w, b[i] = static_cast<float>(0.3 * p1 + 0.5 * p2); break;  // pinkish
      case 2: br = 0.995 * br + w, b[i] = static_cast<float>(br); break;                                     // brown
      case 3: b[i] = static_cast<float>(std::sin(phase) + 0.5 * std::sin(3 * phase) + 0.05 * w), phase += 6.283185307 * hum / sample_rate; break;
      default: break;
    }
  }
  if (kind == 4 && !babble_pool.empty()) {  // three distant words
    for (int k = 0; k < 3; ++k) {
      const Clip& c = babble_pool[rng.below(babble_pool.size())];
      const std::size_t at = rng.below(n);
      for (std::size_t i = 0; i < c.x.size() && at + i < n; ++i) b[at + i] += c.x[i];
    }
  }
  double e = 0;
  for (float v : b) e += static_cast<double>(v) * v;
  const float rms = static_cast<float>(std::sqrt(e / static_cast<double>(n)) + 1e-9);
  for (float& v : b) v /= rms;
  return b;
}

struct Example {
  std::array<std::int8_t, frames * channels> f;  // micro_speech features of the 1 s window
  std::uint8_t label;
  std::vector<std::int16_t> pcm;  // the audio (0.5 s lead, then the window) when asked for
};

// One example: the word (or none) at a random offset in 1 s over background, as features.
inline Example make_example(Rng& rng, const Clip* word, std::uint8_t label, const std::vector<Clip>& babble_pool, bool keep_audio = false) {
  std::vector<float> x(sample_rate, 0.0f);
  double word_rms = 0.1;
  if (word) {
    // The spoken part (above 2 % of the peak), played 12 % slower to 12 % faster (linear
    // interpolation: tempo and pitch together), at a random offset and gain.
    std::size_t lo = 0, hi = word->x.size();
    float peak = 0;
    for (float v : word->x) peak = std::max(peak, std::fabs(v));
    while (lo < hi && std::fabs(word->x[lo]) < 0.02f * peak) ++lo;
    while (hi > lo && std::fabs(word->x[hi - 1]) < 0.02f * peak) --hi;
    const double speed = rng.between(0.88, 1.12);
    const std::size_t len = std::min<std::size_t>(static_cast<std::size_t>(static_cast<double>(hi - lo - 1) / speed), sample_rate);
    const std::size_t at = rng.below(sample_rate - len + 1);
    const float gain = static_cast<float>(rng.between(0.3, 1.6));
    double e = 0;
    for (std::size_t i = 0; i < len; ++i) {
      const double pos = static_cast<double>(i) * speed;
      const std::size_t j = static_cast<std::size_t>(pos);
      const double frac = pos - static_cast<double>(j);
      const float v = static_cast<float>((1.0 - frac) * word->x[lo + j] + frac * word->x[std::min(lo + j + 1, hi - 1)]);
      x[at + i] = gain * v, e += static_cast<double>(x[at + i]) * x[at + i];
    }
    word_rms = std::sqrt(e / static_cast<double>(len)) + 1e-9;
  }
  // The background starts `lead` before the window: the front end's noise estimate and gain
  // control settle as they have when it runs on a stream (kws_example), not from a fresh state.
  constexpr std::size_t lead = sample_rate / 2;
  const std::vector<float> b = background(rng, lead + sample_rate, babble_pool);
  // Words: 5 to 30 dB SNR; silence: any level from almost nothing to loud.
  const double level = word ? word_rms * std::pow(10.0, -rng.between(5, 30) / 20.0) : std::pow(10.0, rng.between(-4.0, -0.7));
  std::vector<std::int16_t> pcm(lead + sample_rate);
  for (std::size_t i = 0; i < pcm.size(); ++i) {
    const double v = ((i >= lead ? x[i - lead] : 0.0f) + level * b[i]) * 32768.0;
    pcm[i] = static_cast<std::int16_t>(std::clamp(v, -32768.0, 32767.0));
  }
  static ctml::frontend::FeatureStream<FrontEnd, frames> stream;
  stream.reset();
  stream.push(pcm.data(), pcm.size());  // the last 49 frames: the 1 s window
  Example ex;
  stream.copy_window(ex.f.data());
  ex.label = label;
  if (keep_audio) ex.pcm = std::move(pcm);
  return ex;
}

struct Split {
  std::vector<Example> examples;
};

// A split's examples: every keyword clip (copies times), half as many unknown-word clips and
// silences each.
inline Split build(Rng& rng, const std::vector<std::vector<Clip>>& words_of, const std::vector<Clip>& unknown_pool, const std::vector<Clip>& babble,
                   int copies, bool keep_audio = false) {
  Split s;
  std::size_t keyword_count = 0;
  for (int c = 0; c < copies; ++c)
    for (std::size_t k = 0; k < keywords; ++k)
      for (const Clip& clip : words_of[k]) s.examples.push_back(make_example(rng, &clip, static_cast<std::uint8_t>(k), babble, keep_audio)), ++keyword_count;
  for (std::size_t i = 0; i < keyword_count / 2 && !unknown_pool.empty(); ++i)
    s.examples.push_back(make_example(rng, &unknown_pool[rng.below(unknown_pool.size())], unknown, babble, keep_audio));
  for (std::size_t i = 0; i < keyword_count / 2; ++i) s.examples.push_back(make_example(rng, nullptr, silence, babble, keep_audio));
  return s;
}

// The corpus of make_speech.sh: every clip of the manifest, by split ("train", "validation",
// "test"): the keywords' clips by keyword, the other words' clips as unknown.
struct Corpus {
  std::map<std::string, std::vector<std::vector<Clip>>> words_of;  // split -> keyword -> clips
  std::map<std::string, std::vector<Clip>> unknown_of;             // split -> unknown-word clips
  std::size_t clips = 0;
  std::string error;  // empty when loaded
};
inline Corpus load_corpus(const std::string& dir) {
  Corpus c;
  std::ifstream m(dir + "/manifest.txt");
  if (!m) {
    c.error = "no " + dir + "/manifest.txt (run make_speech.sh first)";
    return c;
  }
  std::map<std::string, std::size_t> keyword_index;
  for (std::size_t k = 0; k < keywords; ++k) keyword_index[labels[k]] = k;
  std::string word, split, file;
  std::size_t speaker = 0;
  while (m >> word >> speaker >> split >> file) {
    Clip clip{read_wav(dir + "/" + file), speaker};
    if (clip.x.empty()) {
      c.error = "cannot use " + dir + "/" + file + " (16 kHz PCM WAV expected)";
      return c;
    }
    auto& w = c.words_of[split];
    w.resize(keywords);
    if (auto it = keyword_index.find(word); it != keyword_index.end()) w[it->second].push_back(std::move(clip));
    else c.unknown_of[split].push_back(std::move(clip));
    ++c.clips;
  }
  for (const char* sp : {"train", "validation", "test"})
    if (c.words_of[sp].empty()) c.error = std::string("the manifest has no ") + sp + " split";
  return c;
}

}  // namespace kws::corpus
