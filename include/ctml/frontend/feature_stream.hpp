// SPDX-License-Identifier: Apache-2.0
#pragma once
// FeatureStream<FE, Frames>: feeds a front end from samples as they arrive (any block size) and
// keeps the last `Frames` feature frames ready as a model's input, without recomputing old frames.
// Keyword spotting runs the front end every hop (20 ms) and the model on the last second
// (49 frames) whenever it wants.
//
//   static ctml::frontend::FeatureStream<ctml::frontend::MicroSpeech<>, 49> stream;
//   stream.reset();
//   std::size_t fresh = stream.push(block, n);       // frames completed by this block
//   if (stream.full()) stream.copy_window(model_input);   // oldest frame first, frames x features
//
// Frame k covers samples [k hop, k hop + window) of the stream: the same framing as TFLM's
// audio_preprocessor run window by window (`tflm-run --stream --hop`). Memory: the last window of
// samples, the ring of frames, the front end's state and scratch, all inside the object
// (bytes = sizeof(FeatureStream)); no heap.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/frontend/front_end.hpp>

namespace ctml::frontend {

template <FrontEnd FE, std::size_t Frames>
class FeatureStream {
 public:
  static_assert(Frames >= 1, "ctml::frontend::FeatureStream: keep at least one frame");
  using front_end_type = FE;
  using sample_type = typename FE::sample_type;
  using feature_type = typename FE::feature_type;
  static constexpr std::size_t frames = Frames;
  static constexpr std::size_t features = FE::features;
  static constexpr std::size_t window_elements = Frames * FE::features;  // the model's input size

  constexpr FeatureStream() { reset(); }
  constexpr explicit FeatureStream(const FE& fe) : fe_(fe) { reset(); }

  // Back to the start of a stream: no samples, no frames, the front end's initial state.
  constexpr void reset() {
    ::ctml::detail::side_effect_fence();
    fe_.reset(state_);
    filled_ = 0;
    until_next_ = FE::window;
    frames_seen_ = 0;
    next_slot_ = 0;
  }

  // Appends n samples; computes every frame they complete. Returns how many.
  constexpr std::size_t push(const sample_type* x, std::size_t n) {
    ::ctml::detail::side_effect_fence();
    std::size_t made = 0;
    while (n > 0) {
      // Copy up to the end of the next frame's window.
      const std::size_t take = n < until_next_ ? n : until_next_;
      for (std::size_t i = 0; i < take; ++i) samples_[filled_ + i] = x[i];
      filled_ += take;
      until_next_ -= take;
      x += take;
      n -= take;
      if (until_next_ == 0) {
        fe_(samples_, ring_ + next_slot_ * FE::features, state_, scratch_);
        next_slot_ = next_slot_ + 1 == Frames ? 0 : next_slot_ + 1;
        ++frames_seen_;
        ++made;
        // Keep the overlap (window - hop samples) for the next frame.
        constexpr std::size_t keep = FE::window - FE::hop;
        for (std::size_t i = 0; i < keep; ++i) samples_[i] = samples_[FE::hop + i];
        filled_ = keep;
        until_next_ = FE::hop;
      }
    }
    return made;
  }

  // Frames computed since reset().
  constexpr std::size_t frames_seen() const { return frames_seen_; }
  // Whether `Frames` frames exist (before that, copy_window pads the oldest slots with zeros).
  constexpr bool full() const { return frames_seen_ >= Frames; }

  // The last `Frames` frames, oldest first, frames x features (row-major).
  constexpr void copy_window(feature_type* out) const {
    ::ctml::detail::side_effect_fence();
    const std::size_t have = frames_seen_ < Frames ? frames_seen_ : Frames;
    const std::size_t missing = Frames - have;
    for (std::size_t i = 0; i < missing * FE::features; ++i) out[i] = feature_type{};
    // The oldest kept frame is in slot next_slot_ when the ring is full, slot 0 otherwise.
    std::size_t slot = have == Frames ? next_slot_ : 0;
    for (std::size_t f = 0; f < have; ++f) {
      const feature_type* src = ring_ + slot * FE::features;
      for (std::size_t i = 0; i < FE::features; ++i) out[(missing + f) * FE::features + i] = src[i];
      slot = slot + 1 == Frames ? 0 : slot + 1;
    }
  }
  // The newest frame (valid when frames_seen() > 0).
  constexpr const feature_type* last_frame() const {
    return ring_ + (next_slot_ == 0 ? Frames - 1 : next_slot_ - 1) * FE::features;
  }

 private:
  FE fe_{};
  typename FE::state_type state_{};
  typename FE::scratch_type scratch_{};
  sample_type samples_[FE::window]{};
  feature_type ring_[Frames * FE::features]{};
  std::size_t filled_ = 0;
  std::size_t until_next_ = FE::window;
  std::size_t frames_seen_ = 0;
  std::size_t next_slot_ = 0;
};

}  // namespace ctml::frontend
