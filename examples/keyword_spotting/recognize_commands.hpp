// SPDX-License-Identifier: Apache-2.0
#pragma once
// Posterior smoothing and suppression for streaming keyword spotting, as TensorFlow Lite Micro's
// micro_speech example does it (RecognizeCommands): the model runs every hop on the last second
// of features; its int8 class scores (an int8 SOFTMAX: probability = (score + 128) / 256) are
// averaged over the last `average_ms`, and a keyword is reported when its average is the highest,
// at or above `threshold`, at least `minimum_count` results are in the window, and it is not the
// keyword reported less than `suppression_ms` ago. Silence and unknown are never reported.
// Integer arithmetic throughout (int32 sums, an integer mean, as TFLM), so a device and a host
// decide exactly alike. Fixed capacity, no heap.
//   RecognizeCommands<12, 64> rc({.average_ms = 1000, .threshold = 0.7f, .suppression_ms = 1500}, 10, 11);
//   if (auto d = rc.process(scores, time_ms); d.heard) ... d.label, d.score
#include <cstddef>
#include <cstdint>

namespace kws {

struct RecognizeOptions {
  std::int32_t average_ms = 1000;
  float threshold = 0.7f;  // a probability; compared as ceil(threshold * 256) - 128 on the int8 scale
  std::int32_t suppression_ms = 1500;
  std::size_t minimum_count = 3;
};

struct Detection {
  bool heard = false;
  std::size_t label = 0;
  float score = 0;          // the smoothed probability, a multiple of 1/256
  std::int32_t score_q = 0;  // the same on the int8 scale: score = (score_q + 128) / 256
};

template <std::size_t Classes, std::size_t Capacity>
class RecognizeCommands {
 public:
  explicit RecognizeCommands(RecognizeOptions o, std::size_t first_ignored, std::size_t last_ignored)
      : o_(o), ignored_lo_(first_ignored), ignored_hi_(last_ignored) {
    std::int32_t t = static_cast<std::int32_t>(o.threshold * 256.0f);
    if (static_cast<float>(t) < o.threshold * 256.0f) ++t;
    threshold_ = t - 128;
  }

  // scores: Classes int8 probabilities of an int8 SOFTMAX; time_ms: of the end of the audio they
  // cover, non-decreasing.
  Detection process(const std::int8_t* scores, std::int32_t time_ms) {
    // Drop results older than the averaging window, then append this one.
    while (count_ > 0 && time_[head_] < time_ms - o_.average_ms) head_ = (head_ + 1) % Capacity, --count_;
    if (count_ == Capacity) head_ = (head_ + 1) % Capacity, --count_;
    const std::size_t slot = (head_ + count_) % Capacity;
    for (std::size_t c = 0; c < Classes; ++c) p_[slot][c] = scores[c];
    time_[slot] = time_ms;
    ++count_;
    if (count_ < o_.minimum_count) return {};
    std::int32_t avg[Classes] = {};
    for (std::size_t k = 0; k < count_; ++k)
      for (std::size_t c = 0; c < Classes; ++c) avg[c] += p_[(head_ + k) % Capacity][c];
    for (std::int32_t& a : avg) a /= static_cast<std::int32_t>(count_);  // toward zero, as TFLM
    std::size_t best = 0;
    for (std::size_t c = 1; c < Classes; ++c) best = avg[c] > avg[best] ? c : best;
    const bool ignored = best >= ignored_lo_ && best <= ignored_hi_;
    const bool suppressed = has_last_ && best == last_ && time_ms - last_time_ < o_.suppression_ms;
    if (ignored || avg[best] < threshold_ || suppressed) return {};
    has_last_ = true, last_ = best, last_time_ = time_ms;
    return {true, best, static_cast<float>(avg[best] + 128) / 256.0f, avg[best]};
  }

 private:
  RecognizeOptions o_;
  std::size_t ignored_lo_, ignored_hi_;
  std::int32_t threshold_ = 0;
  std::int8_t p_[Capacity][Classes] = {};
  std::int32_t time_[Capacity] = {};
  std::size_t head_ = 0, count_ = 0;
  bool has_last_ = false;
  std::size_t last_ = 0;
  std::int32_t last_time_ = 0;
};

}  // namespace kws
