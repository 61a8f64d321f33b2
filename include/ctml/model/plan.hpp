// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compile-time activation memory planning for a chain of layers.
//
// Activation k is the input of layer k (activation 0 is the caller's input, activation N the
// caller's output). Activations that must live in the arena are grouped into buffers:
//  * an in-place layer (elementwise, Flatten, Softmax, ...) writes over its input, so its output
//    joins its input's buffer;
//  * a trailing run of in-place layers works directly in the caller's output buffer;
//  * every other activation opens a buffer of its own.
// Consecutive buffers are never alive together with any third one, so buffers alternate between
// the bottom and the top of the arena, and each step's scratch sits in the gap between them:
//   arena_bytes = max over layers of (bottom buffer + scratch + top buffer),
// which is at most, and usually well under, two copies of the largest activation ("ping-pong").
#include <array>
#include <cstddef>

namespace ctml::plan {

inline constexpr std::size_t alignment = 16;
constexpr std::size_t align_up(std::size_t n) { return (n + alignment - 1) / alignment * alignment; }

enum class Where : unsigned char { input, output, arena };

// Facts the planner needs about one layer.
struct StepFacts {
  std::size_t in_bytes;
  std::size_t out_bytes;
  std::size_t scratch_bytes;
  bool in_place;  // may write its output over its input (same element type and size)
};

template <std::size_t N>
struct Plan {
  std::size_t arena_bytes = 0;
  std::array<Where, N + 1> where{};
  std::array<std::size_t, N + 1> offset{};   // byte offset of each activation in the arena
  std::array<std::size_t, N> scratch_offset{};
  std::array<bool, N> runs_in_place{};
  std::size_t buffers = 0;
};

template <std::size_t N>
constexpr Plan<N> make_plan(const std::array<StepFacts, N>& s) {
  static_assert(N > 0, "ctml: a network needs at least one layer");
  Plan<N> p{};
  constexpr int none = -1;
  std::array<int, N + 1> buf{};
  for (auto& b : buf) b = none;
  p.where[0] = Where::input;
  p.where[N] = Where::output;

  // Trailing in-place layers run in the caller's output buffer.
  std::size_t first_out = N;
  for (std::size_t k = N; k-- > 1;) {
    if (s[k].in_place && s[k].in_bytes == s[k].out_bytes) {
      first_out = k;
      p.runs_in_place[k] = true;
    } else {
      break;
    }
  }
  for (std::size_t k = first_out; k < N; ++k) p.where[k] = Where::output;

  // Group the remaining activations into arena buffers.
  int next = 0;
  std::array<std::size_t, N + 1> buf_bytes{};
  for (std::size_t k = 1; k < first_out; ++k) {
    p.where[k] = Where::arena;
    const bool alias = k >= 2 && s[k - 1].in_place && s[k - 1].in_bytes == s[k - 1].out_bytes;
    if (alias) {
      buf[k] = buf[k - 1];
      p.runs_in_place[k - 1] = true;
    } else {
      buf[k] = next++;
    }
    const std::size_t bytes = align_up(s[k - 1].out_bytes);
    if (buf_bytes[static_cast<std::size_t>(buf[k])] < bytes) buf_bytes[static_cast<std::size_t>(buf[k])] = bytes;
  }
  p.buffers = static_cast<std::size_t>(next);

  // Even buffers at the bottom, odd ones at the top. Size the arena for the worst step.
  auto at_bottom = [&](std::size_t k) { return p.where[k] == Where::arena && buf[k] % 2 == 0; };
  auto at_top = [&](std::size_t k) { return p.where[k] == Where::arena && buf[k] % 2 == 1; };
  auto bytes_of = [&](std::size_t k) { return buf_bytes[static_cast<std::size_t>(buf[k])]; };
  std::size_t arena = 0;
  for (std::size_t i = 0; i < N; ++i) {
    std::size_t bottom = 0, top = 0;
    for (std::size_t k : {i, i + 1}) {
      if (at_bottom(k)) bottom = bytes_of(k);
      if (at_top(k)) top = bytes_of(k);
    }
    const std::size_t need = bottom + align_up(s[i].scratch_bytes) + top;
    if (need > arena) arena = need;
  }
  p.arena_bytes = arena;
  for (std::size_t k = 0; k <= N; ++k)
    p.offset[k] = at_top(k) ? arena - bytes_of(k) : 0;
  for (std::size_t i = 0; i < N; ++i) {
    std::size_t bottom = 0;
    for (std::size_t k : {i, i + 1})
      if (at_bottom(k)) bottom = bytes_of(k);
    p.scratch_offset[i] = bottom;
  }
  return p;
}

}  // namespace ctml::plan
