// SPDX-License-Identifier: Apache-2.0
// Keyword spotting, from audio to decision: a 16 kHz WAV streamed in 20 ms hops through TFLite
// Micro's micro_speech front end (ctml::frontend::MicroSpeech), ctml's own int8 keyword model on
// the last second of features after every hop, and posterior smoothing as TFLite Micro's
// RecognizeCommands (average over 0.5 s, threshold 0.7; a keyword is reported once, silence and
// unknown words never).
//   kws_example              the bundled clip (examples/keyword_spotting/data/clip.wav: a
//                            synthetic voice says "yes", "stop", "go")
//   kws_example FILE.wav     your recording: 16-bit PCM at 16 kHz (the first channel if several)
//   kws_example --small ...  the small model (distilled, pruned, int8) instead of the shipped one
//   kws_example --gru ...    the recurrent variant (a GRU over the frames, distilled, int8)
//   kws_example --dscnn ...  the depthwise-separable variant (a DS-CNN, distilled, int8)
//   kws_example --threshold P --average-ms MS ...   RecognizeCommands' threshold (default 0.7)
//                            and averaging window (default 500 ms)
//   kws_example --svg DIR [FILE.wav]   also writes DIR/kws_clip.svg: the waveform, the features,
//                            the keyword probability per hop and the detections
// Output: one line per keyword, `heard WORD at T.TTs (score P.PP)`, then one summary line; a WAV
// it cannot use gets one line saying why and exit status 1. With KWS_DEBUG=1 in the environment,
// every hop's most likely class and its probability are printed too.
// The model (examples/keyword_spotting: trained in ctml on speech synthesized with espeak-ng,
// quantized to int8 by ctml; README.md there) is a weight blob checked and loaded at start.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ctml/ctml.hpp>
#include <ctml/frontend/wav.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/quant/quantize_model.hpp>

#include "common/example_utils.hpp"
#include "keyword_spotting/clip_svg.hpp"
#include "keyword_spotting/data/kws_model.hpp"
#include "keyword_spotting/data/kws_dscnn_model.hpp"
#include "keyword_spotting/data/kws_gru_model.hpp"
#include "keyword_spotting/data/kws_small_model.hpp"
#include "keyword_spotting/kws_data.hpp"
#include "keyword_spotting/spotter.hpp"

#ifndef CTML_SOURCE_DIR
#define CTML_SOURCE_DIR "."
#endif

namespace {
using QNet = ctml::quant::quantized_t<kws::Net>;

using SmallQNet = ctml::quant::quantized_t<kws::Pruned>;
QNet model{};
SmallQNet small_model{};
ctml::quant::quantized_t<kws::GruNet> gru_model{};
ctml::quant::quantized_t<kws::DsCnn> dscnn_model{};

int refuse(const char* path, const char* why) {
  std::printf("kws_example: cannot use %s: %s\n", path, why);
  return 1;
}

// Streams the audio through a spotter with `model`; prints the detections and the summary line.
template <class QNet>
int listen(const QNet& model, kws::ModelIo io, std::size_t params, const ctml::frontend::WavView& wav, const char* path,
           const std::string& svg_dir, kws::RecognizeOptions options) {
  // Stream: 20 ms hops through the spotter (keyword_spotting/spotter.hpp: front end, model,
  // int8 softmax, RecognizeCommands; the same code runs on the Cortex-M firmware).
  static kws::Spotter<QNet> spotter(model, io, options);
  constexpr std::size_t hop = kws::Spotter<QNet>::hop;
  std::vector<std::int16_t> block(hop), pcm;
  std::size_t heard = 0, hops = 0;
  double model_seconds = 0;
  const bool debug = std::getenv("KWS_DEBUG") != nullptr, picture = !svg_dir.empty();
  // For the picture: every feature frame, the best keyword's probability per hop, the detections.
  std::vector<std::int8_t> features;
  std::vector<double> score_t, score;
  std::vector<kws::Mark> marks;
  for (std::size_t at = 0; at + hop <= wav.frames; at += hop) {
    for (std::size_t i = 0; i < hop; ++i) block[i] = wav.sample_s16(at + i, 0);
    const auto t0 = std::chrono::steady_clock::now();
    const kws::Hop h = spotter.push(block.data());
    ++hops;
    model_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (picture) {
      pcm.insert(pcm.end(), block.begin(), block.end());
      if (h.new_frame) features.insert(features.end(), spotter.last_frame(), spotter.last_frame() + kws::channels);
      if (h.inferred) {
        int best = -128;
        for (std::size_t c = 0; c < kws::keywords; ++c) best = std::max<int>(best, spotter.scores()[c]);
        score_t.push_back(h.time_ms / 1000.0), score.push_back((best + 128) / 256.0);
      }
    }
    if (debug && h.inferred)
      std::printf("  %5d ms %-10s %.2f\n", h.time_ms, kws::labels[h.top], (h.top_score + 128) / 256.0);
    if (h.detection.heard) {
      char line[64];
      kws::format_detection(line, h.detection.label, h.time_ms, h.detection.score_q);
      std::fputs(line, stdout);
      marks.push_back({h.time_ms / 1000.0, kws::labels[h.detection.label]});
      ++heard;
    }
  }
  const std::size_t inferences = spotter.inferences();
  std::printf("kws_example: %zu keyword%s in %.2f s of audio; %zu inferences of the int8 model (%zu parameters), %.0f us per 20 ms hop on this host\n",
              heard, heard == 1 ? "" : "s", static_cast<double>(wav.frames) / kws::sample_rate, inferences,
              params, hops ? 1e6 * model_seconds / static_cast<double>(hops) : 0.0);
  if (picture) {
    const std::string out = svg_dir + "/kws_clip.svg";
    const double frame_s = static_cast<double>(kws::FrontEnd::hop) / kws::sample_rate;
    const double first_end = static_cast<double>(kws::FrontEnd::window) / kws::sample_rate;
    if (!kws::write_clip_svg(out, std::string("keyword spotting: ") + std::string(path).substr(std::string(path).find_last_of('/') + 1), pcm, kws::sample_rate, features, kws::channels, frame_s,
                             first_end, score_t, score, options.threshold, marks))
      return std::fprintf(stderr, "kws_example: cannot write %s\n", out.c_str()), 1;
    std::fprintf(stderr, "wrote %s\n", out.c_str());
  }
  return 0;
}


// The three models the example ships (examples/keyword_spotting/README.md).
enum class Choice { shipped, small, gru, dscnn };

// Loads one of them (its weight blob, checked first) and streams the audio through it.
template <class QNet, std::size_t N>
int load_and_listen(QNet& m, const unsigned char (&blob)[N], kws::ModelIo io, std::size_t params, const ctml::frontend::WavView& wav,
                    const char* path, const std::string& svg_dir, kws::RecognizeOptions options) {
  if (const ctml::BlobResult r = ex::load_blob(m, blob); !r) return std::printf("kws_example: the model does not load: %s\n", r.reason), 1;
  return listen(m, io, params, wav, path, svg_dir, options);
}
}  // namespace

int main(int argc, char** argv) {
  const char* path = CTML_SOURCE_DIR "/examples/keyword_spotting/data/clip.wav";
  std::string svg_dir;
  int files = 0;
  Choice choice = Choice::shipped;
  kws::RecognizeOptions options = kws::spotter_options;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--small") choice = Choice::small;
    else if (std::string(argv[i]) == "--gru") choice = Choice::gru;
    else if (std::string(argv[i]) == "--dscnn") choice = Choice::dscnn;
    else if (std::string(argv[i]) == "--threshold" && i + 1 < argc) options.threshold = std::strtof(argv[++i], nullptr);
    else if (std::string(argv[i]) == "--average-ms" && i + 1 < argc) options.average_ms = std::atoi(argv[++i]);
    else if (std::string(argv[i]) == "--svg" && i + 1 < argc) svg_dir = argv[++i];
    else if (argv[i][0] != '-' && files++ == 0) path = argv[i];
    else return std::fprintf(stderr, "usage: kws_example [--small | --gru | --dscnn] [--threshold P] [--average-ms MS] [--svg DIR] [FILE.wav]\n"), 2;
  }
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

  namespace t = kws::trained;
  namespace s = kws::trained_small;
  namespace g = kws::trained_gru;
  namespace d = kws::trained_dscnn;
  switch (choice) {
    case Choice::small:
      return load_and_listen(small_model, s::qblob, {s::input_scale, s::input_zero_point, s::output_scale, s::output_zero_point},
                             kws::Pruned::param_count, wav, path, svg_dir, options);
    case Choice::gru:
      return load_and_listen(gru_model, g::qblob, {g::input_scale, g::input_zero_point, g::output_scale, g::output_zero_point},
                             kws::GruNet::param_count, wav, path, svg_dir, options);
    case Choice::dscnn:
      return load_and_listen(dscnn_model, d::qblob, {d::input_scale, d::input_zero_point, d::output_scale, d::output_zero_point},
                             kws::DsCnn::param_count, wav, path, svg_dir, options);
    case Choice::shipped: break;
  }
  return load_and_listen(model, t::qblob, {t::input_scale, t::input_zero_point, t::output_scale, t::output_zero_point}, kws::Net::param_count,
                         wav, path, svg_dir, options);
}
