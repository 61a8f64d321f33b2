// SPDX-License-Identifier: Apache-2.0
#pragma once
// The keyword spotter as it runs on a stream, shared by the host example (examples/kws_example.cpp)
// and the Cortex-M firmware (firmware/fw_kws.cpp), so both take the same decisions from the same
// samples:
//   every 20 ms hop: the micro_speech front end on the new samples (FeatureStream keeps the last
//   49 frames) -> once warm, the int8 model on the last second -> an int8 SOFTMAX on its logits
//   -> RecognizeCommands (average over 0.5 s, threshold 0.7, 1.5 s suppression).
// Everything after the samples is integer arithmetic, so the device and the host hear exactly
// the same keywords at the same times with the same scores.
//   kws::Spotter<QNet> spotter(model, {scale, zero point of the model's input and output});
//   const kws::Hop h = spotter.push(samples);   // FrontEnd::hop samples (320)
//   if (h.detection.heard) ... kws::labels[h.detection.label], h.time_ms, h.detection.score
// Memory: all in the object (sizeof(Spotter): the front end's stream and its frames, the model's
// input, arena and output, the recognizer's window); no heap.
#include <cstddef>
#include <cstdint>

#include <ctml/frontend/feature_stream.hpp>
#include <ctml/quant/softmax_s8.hpp>

#include "kws_data.hpp"
#include "recognize_commands.hpp"

namespace kws {

// The quantization of a model's input and output (from the header kws_train writes).
struct ModelIo {
  float input_scale;
  std::int32_t input_zero_point;
  float output_scale;
  std::int32_t output_zero_point;
};

// The defaults of the shipped example: the model was trained on features whose front end had
// run 0.5 s before its window, so the first result comes once the stream holds that much more
// (warmup_frames); results are averaged over 0.5 s (25 at one per hop).
inline constexpr RecognizeOptions spotter_options{.average_ms = 500, .threshold = 0.7f, .suppression_ms = 1500, .minimum_count = 3};
inline constexpr std::size_t warmup_frames = 25;

struct Hop {
  bool new_frame = false;     // the front end completed a frame (last_frame()) on this hop
  bool inferred = false;      // the model ran on this hop (false while the stream warms up)
  std::int32_t time_ms = 0;   // end of the audio pushed so far
  std::size_t top = 0;        // most likely class of this hop's result
  std::int8_t top_score = 0;  // its int8 probability
  Detection detection{};
};

// The documented output line of a detection, `heard WORD at T.TTs (score P.PP)` and a newline, as
// printf's %.2f writes it (round half to even on the exact value), from integers only: the host
// and the device print the same bytes. Returns the length; `line` holds 64 bytes.
inline std::size_t format_detection(char* line, std::size_t label, std::int32_t time_ms, std::int32_t score_q) {
  std::size_t n = 0;
  auto put = [&](const char* s) {
    while (*s && n < 62) line[n++] = *s++;
  };
  auto put_hundredths = [&](std::int32_t h) {  // h / 100 with two decimals
    char d[12];
    int k = 0;
    for (std::int32_t w = h / 100; k == 0 || w > 0; w /= 10) d[k++] = static_cast<char>('0' + w % 10);
    while (k > 0 && n < 62) line[n++] = d[--k];
    const char frac[4] = {'.', static_cast<char>('0' + h / 10 % 10), static_cast<char>('0' + h % 10), 0};
    put(frac);
  };
  put("heard ");
  put(labels[label]);
  put(" at ");
  put_hundredths((time_ms + 5) / 10);  // time_ms is a multiple of 20 (the hop): exact
  put("s (score ");
  // score = s / 256 with s = score_q + 128; in hundredths: s * 25 / 64, ties to even.
  const std::int32_t q = (score_q + 128) * 25;
  std::int32_t h = q / 64;
  if (q % 64 > 32 || (q % 64 == 32 && h % 2 == 1)) ++h;
  put_hundredths(h);
  put(")\n");
  line[n] = 0;
  return n;
}

template <class QNet>
class Spotter {
 public:
  static constexpr std::size_t hop = FrontEnd::hop;

  Spotter(const QNet& model, ModelIo io, RecognizeOptions options = spotter_options)
      : model_(model), recognize_(options, silence, unknown), softmax_(ctml::quant::make_qsoftmax<ctml::Shape<classes>>(
                                                                     1.0, {io.output_scale, io.output_zero_point})) {
    // The front end's int8 features as the model's input, once for each of the 256 values.
    for (int f = -128; f < 128; ++f) to_model_[f + 128] = to_model_input(static_cast<std::int8_t>(f), io.input_scale, io.input_zero_point);
  }

  // Appends one hop of samples; runs the model and the recognizer when a frame is complete.
  Hop push(const std::int16_t* samples) {
    Hop h;
    samples_seen_ += hop;
    h.time_ms = static_cast<std::int32_t>(samples_seen_ * 1000 / sample_rate);
    h.new_frame = stream_.push(samples, hop) > 0;
    if (stream_.frames_seen() < frames + warmup_frames) return h;
    stream_.copy_window(x_.data());
    for (auto& v : x_) v = to_model_[v + 128];
    model_(x_, logits_, arena_);
    softmax_.forward(logits_.data(), scores_, nullptr);
    ++inferences_;
    h.inferred = true;
    for (std::size_t c = 1; c < classes; ++c) h.top = scores_[c] > scores_[h.top] ? c : h.top;
    h.top_score = scores_[h.top];
    h.detection = recognize_.process(scores_, h.time_ms);
    return h;
  }

  std::size_t inferences() const { return inferences_; }
  const std::int8_t* scores() const { return scores_; }  // the last result, int8 probabilities
  const std::int8_t* last_frame() const { return stream_.last_frame(); }  // the newest feature frame

 private:
  const QNet& model_;
  ctml::frontend::FeatureStream<FrontEnd, frames> stream_;
  RecognizeCommands<classes, 64> recognize_;
  ctml::quant::QSoftmaxLayer<ctml::Shape<classes>> softmax_;
  std::int8_t to_model_[256] = {};
  typename QNet::input_type x_{};
  typename QNet::output_type logits_{};
  std::int8_t scores_[classes] = {};
  alignas(16) std::byte arena_[QNet::arena_bytes > 0 ? QNet::arena_bytes : 1];  // a model may need none
  std::size_t samples_seen_ = 0, inferences_ = 0;
};

}  // namespace kws
