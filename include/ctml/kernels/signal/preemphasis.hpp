// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pre-emphasis, the first-order high-pass many speech front ends apply before framing:
//   y[n] = x[n] - a x[n - 1]        (a typically 0.97; x[-1] = the previous block's last sample)
// The previous sample is state (a stream's blocks join without a seam); `PreEmphasis::reset`
// starts a stream with x[-1] = 0, as python_speech_features / librosa.effects.preemphasis do.
#include <cstddef>
#include <ctml/core/compiler.hpp>

namespace ctml::kernels::signal {

struct PreEmphasis {
  float coefficient = 0.97f;
  struct state_type {
    float last = 0.0f;
  };
  constexpr void reset(state_type& s) const { s.last = 0.0f; }
  // In place is allowed (y == x): each output only needs the input before it, kept in a register.
  constexpr void operator()(const float* x, float* y, std::size_t n, state_type& s) const {
    ::ctml::detail::side_effect_fence();
    float prev = s.last;
    for (std::size_t i = 0; i < n; ++i) {
      const float v = x[i];
      y[i] = v - coefficient * prev;
      prev = v;
    }
    s.last = prev;
  }
};

}  // namespace ctml::kernels::signal
