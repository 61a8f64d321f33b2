// SPDX-License-Identifier: Apache-2.0
// Keyword spotting, from audio to decision: a 16 kHz WAV streamed in 20 ms hops through TFLite
// Micro's micro_speech front end (ctml::frontend::MicroSpeech), ctml's own int8 keyword model on
// the last second of features after every hop, and posterior smoothing as TFLite Micro's
// RecognizeCommands (average over 0.5 s, threshold 0.7; a keyword is reported once, silence and
// unknown words never).
//   kws_example              the bundled clip (examples/keyword_spotting/data/clip.wav: a
//                            synthetic voice says "yes", "stop", "go")
//   kws_example FILE.wav     your recording: 16-bit PCM at 16 kHz (the first channel if several)
// Output: one line per keyword, `heard WORD at T.TTs (score P.PP)`, then one summary line; a WAV
// it cannot use gets one line saying why and exit status 1. With KWS_DEBUG=1 in the environment,
// every hop's most likely class and its probability are printed too.
// The model (examples/keyword_spotting: trained in ctml on speech synthesized with espeak-ng,
// quantized to int8 by ctml; README.md there) is a weight blob checked and loaded at start.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include <ctml/ctml.hpp>
#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/wav.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/quant/quantize_model.hpp>

#include "common/example_utils.hpp"
#include "keyword_spotting/data/kws_model.hpp"
#include "keyword_spotting/kws_data.hpp"
#include "keyword_spotting/recognize_commands.hpp"

#ifndef CTML_SOURCE_DIR
#define CTML_SOURCE_DIR "."
#endif

namespace {
using QNet = ctml::quant::quantized_t<kws::Net>;
QNet model{};
ctml::frontend::FeatureStream<kws::FrontEnd, kws::frames> stream;
alignas(16) std::byte arena[QNet::arena_bytes];

int refuse(const char* path, const char* why) {
  std::printf("kws_example: cannot use %s: %s\n", path, why);
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) {
    std::fprintf(stderr, "usage: kws_example [FILE.wav]\n");
    return 2;
  }
  const char* path = argc == 2 ? argv[1] : CTML_SOURCE_DIR "/examples/keyword_spotting/data/clip.wav";
  // The model: a weight blob, checked before it is loaded.
  if (const ctml::BlobResult r = ex::load_blob(model, kws::trained::qblob); !r)
    return std::printf("kws_example: the model does not load: %s\n", r.reason), 1;
  // The audio.
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return refuse(path, "cannot open the file");
  std::vector<unsigned char> bytes;
  unsigned char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.insert(bytes.end(), buf, buf + n);
  std::fclose(f);
  ctml::frontend::WavView wav;
  if (const auto e = ctml::frontend::parse_wav(bytes.data(), bytes.size(), wav); e != ctml::frontend::WavError::none)
    return refuse(path, ctml::frontend::describe(e));
  if (wav.bits != 16) return refuse(path, "not 16-bit PCM (the front end reads 16-bit samples)");
  if (wav.sample_rate != kws::sample_rate) return refuse(path, "not sampled at 16 kHz (there is no resampler here: convert it, e.g. sox IN -r 16000 OUT.wav)");

  // Stream: 20 ms hops; after each, the model on the last second and the recognizer.
  // Smoothing over the last 0.5 s of results (25 at one per hop); the model was trained on
  // features whose front end had run 0.5 s before its window (kws_train), so the first results
  // come once the stream holds that much more.
  kws::RecognizeCommands<kws::classes, 64> recognize({.average_ms = 500, .threshold = 0.7f, .suppression_ms = 1500, .minimum_count = 3},
                                                     kws::silence, kws::unknown);
  constexpr std::size_t warmup_frames = 25;
  std::size_t frames_seen = 0;
  constexpr std::size_t hop = kws::FrontEnd::hop;
  std::vector<std::int16_t> block(hop);
  std::size_t heard = 0, inferences = 0;
  double model_seconds = 0;
  for (std::size_t at = 0; at + hop <= wav.frames; at += hop) {
    for (std::size_t i = 0; i < hop; ++i) block[i] = wav.sample_s16(at + i, 0);
    frames_seen += stream.push(block.data(), hop);
    if (frames_seen < kws::frames + warmup_frames) continue;
    const auto t0 = std::chrono::steady_clock::now();
    QNet::input_type x{};
    stream.copy_window(x.data());
    // The front end's int8 features are the float model's input times 128, quantized with the
    // model's input parameters.
    for (auto& v : x) {
      const float real = static_cast<float>(v) / 128.0f;
      v = static_cast<std::int8_t>(std::clamp<long>(std::lround(real / kws::trained::input_scale) + kws::trained::input_zero_point, -128, 127));
    }
    QNet::output_type y{};
    model(x, y, arena);
    float p[kws::classes], mx = -1e30f, sum = 0;
    for (std::size_t c = 0; c < kws::classes; ++c)
      p[c] = (static_cast<float>(y[c]) - static_cast<float>(kws::trained::output_zero_point)) * kws::trained::output_scale, mx = std::max(mx, p[c]);
    for (float& v : p) sum += (v = std::exp(v - mx));
    for (float& v : p) v /= sum;
    model_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++inferences;
    const auto time_ms = static_cast<std::int32_t>((at + hop) * 1000 / kws::sample_rate);
    if (std::getenv("KWS_DEBUG")) {
      std::size_t b = 0;
      for (std::size_t c = 1; c < kws::classes; ++c) b = p[c] > p[b] ? c : b;
      std::printf("  %5d ms %-10s %.2f\n", time_ms, kws::labels[b], static_cast<double>(p[b]));
    }
    if (const kws::Detection d = recognize.process(p, time_ms); d.heard) {
      std::printf("heard %s at %.2fs (score %.2f)\n", kws::labels[d.label], time_ms / 1000.0, static_cast<double>(d.score));
      ++heard;
    }
  }
  std::printf("kws_example: %zu keyword%s in %.2f s of audio; %zu inferences of the int8 model (%zu parameters), %.0f us each on this host\n",
              heard, heard == 1 ? "" : "s", static_cast<double>(wav.frames) / kws::sample_rate, inferences,
              static_cast<std::size_t>(kws::Net::param_count), inferences ? 1e6 * model_seconds / static_cast<double>(inferences) : 0.0);
  return 0;
}
