// SPDX-License-Identifier: Apache-2.0
#pragma once
// SlidingWindow<N>: the last N input frames as one [N, frame...] tensor, oldest first — the delay
// line of a streaming model. A keyword spotter computes one feature frame per 20 ms hop and runs
// its network on the last 49 frames; with this layer first, each call takes the latest frame alone
// and no frame is recomputed or moved more than once per step:
//   window[t][i] = x_{k-N+1+t}[i]   (t = 0..N-1, oldest first; x_j = 0 for j < 0 after reset)
// A StatefulLayer (core/concepts.hpp): the N frames live in a ring in the caller's state, with the
// slot the next frame goes to; forward writes the latest frame into the ring, then copies the ring
// out in time order.
#include <cstddef>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>

namespace ctml {

namespace detail {
template <std::size_t N, class S>
struct prepend_dim;
template <std::size_t N, std::size_t... D>
struct prepend_dim<N, Shape<D...>> {
  using type = Shape<N, D...>;
};
}  // namespace detail

template <class T, ShapeType In, std::size_t N>
struct SlidingWindowLayer {
  static_assert(N >= 1, "ctml::SlidingWindow<N>: the window needs at least one frame");
  static constexpr std::size_t frame = In::size;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, typename detail::prepend_dim<N, In>::type>;
  static constexpr std::string_view name = "SlidingWindow";

  struct state_type {
    T ring[N * frame];      // frame j of the last N in slot j % N
    std::size_t next;       // the slot the next frame is written to (the oldest frame's slot)
  };

  constexpr void reset(state_type& s) const {
    ::ctml::detail::side_effect_fence();
    for (auto& v : s.ring) v = T{};
    s.next = 0;
  }

  constexpr void forward(const T* in, T* out, T*, state_type& s) const {
    ::ctml::detail::side_effect_fence();
    const std::size_t slot = s.next < N ? s.next : 0;  // a corrupted index cannot write outside the ring
    T* dst = s.ring + slot * frame;
    for (std::size_t i = 0; i < frame; ++i) dst[i] = in[i];
    const std::size_t oldest = slot + 1 == N ? 0 : slot + 1;
    s.next = oldest;
    // Oldest first: slots oldest..N-1, then 0..slot.
    const std::size_t head = (N - oldest) * frame;
    for (std::size_t i = 0; i < head; ++i) out[i] = s.ring[oldest * frame + i];
    for (std::size_t i = 0; i < oldest * frame; ++i) out[head + i] = s.ring[i];
  }
};

template <std::size_t N>
struct SlidingWindow {
  template <class T, ShapeType In>
  using bind = SlidingWindowLayer<T, In, N>;
};

}  // namespace ctml
