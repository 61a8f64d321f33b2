// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the GRU and LSTM backward passes share: which output gradient reaches step t, and where
// truncated back-propagation through time cuts the carried gradient.
#include <cstddef>
#include <ctml/layers/recurrent.hpp>

namespace ctml::train::detail {

// dL/dh_t from the layer's output: every step's (sequence output) or the last step's only.
template <rnn::Output O, std::size_t H, class T>
constexpr T output_grad(const T* dy, std::size_t steps, std::size_t t, std::size_t j) {
  if constexpr (O == rnn::Output::sequence) return dy[t * H + j];
  else return t + 1 == steps ? dy[j] : T{};
}

// Truncation K > 0: the sequence is cut, from its end, into chunks of K steps, and the gradient
// carried from step t + 1 back to step t is dropped where t + 1 starts a chunk. So the gradient
// of an output reaches at most K steps back (fewer for outputs early in their chunk); memory and
// time stay those of one pass.
constexpr bool carries(std::size_t steps, std::size_t t_next, std::size_t truncation) {
  return truncation == 0 || (steps - t_next) % truncation != 0;
}

}  // namespace ctml::train::detail
