// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compile-time activation memory planning for a chain of layers.
//
// Activation k is the input of layer k (activation 0 is the caller's input, activation N the
// caller's output); a trailing run of in-place layers works directly in the caller's output
// buffer. The other activations get offsets in one arena by two planners, and the one with the
// smaller arena wins (ties: ping-pong):
//
// Ping-pong. Activations are grouped into buffers: an in-place layer (elementwise, Flatten,
// Softmax, ...) writes over its input, so its output joins its input's buffer; every other
// activation opens a buffer of its own. Consecutive buffers are never alive together with any
// third one, so buffers alternate between the bottom and the top of the arena, and each step's
// scratch sits in the gap between them:
//   arena_bytes = max over layers of (bottom buffer + scratch + top buffer),
// at most, and usually well under, two copies of the largest activation.
//
// Placed. Layer by layer, the output goes where the arena grows least: over the input (in place),
// `lead` bytes before the input (layers that declare an in-place lead: a pointwise expansion, a
// strided depthwise conv; the output then overwrites only inputs already read), or next to the
// input, below or above it, with the scratch beside them. Only a layer's input, output and scratch
// are alive during its step, so the arena is the span of all steps' placements. This keeps a
// MobileNet's expanding pointwise convs in their output's bytes instead of input plus output.
#include <array>
#include <cstddef>
#include <ctml/core/concepts.hpp>

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
  // ... or over its input when the output starts this many bytes (or more) before it; no_lead:
  // never (the layer's in_place_lead, for layers whose input and output have one element type)
  std::size_t lead = no_lead;
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
constexpr Plan<N> ping_pong_plan(const std::array<StepFacts, N>& s) {
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

template <std::size_t N>
constexpr Plan<N> placed_plan(const std::array<StepFacts, N>& s, const Plan<N>& base) {
  // `base` (the ping-pong plan) has decided which activations are the caller's.
  Plan<N> p{};
  p.where = base.where;
  using Off = long long;
  std::array<Off, N + 1> at{};     // offsets relative to the first arena activation
  std::array<Off, N> scratch_at{};
  Off lo = 0, hi = 0;
  auto bytes = [](std::size_t n) { return static_cast<Off>(align_up(n)); };
  for (std::size_t i = 0; i < N; ++i) {
    const bool in_arena = p.where[i] == Where::arena, out_arena = p.where[i + 1] == Where::arena;
    const Off in = bytes(s[i].in_bytes), out = bytes(s[i].out_bytes), sc = bytes(s[i].scratch_bytes);
    // Candidates: the output's offset and the scratch's; the best keeps hi - lo smallest.
    struct Choice {
      Off out_at, scratch_at, lo, hi;
      bool in_place;
    };
    Choice best{0, 0, 0, 0, false};
    bool have = false;
    auto consider = [&](Off o, Off sa, bool ip) {
      Off l = lo, h = hi;
      if (out_arena) l = l < o ? l : o, h = h > o + out ? h : o + out;
      if (sc > 0) l = l < sa ? l : sa, h = h > sa + sc ? h : sa + sc;
      if (!have || h - l < best.hi - best.lo) best = {o, sa, l, h, ip}, have = true;
    };
    if (!in_arena) {
      // The caller's input (or output): the output and scratch go at the arena's low end.
      if (i == 0) consider(0, out_arena ? out : 0, false);
      else consider(lo, out_arena ? lo + out : lo, false);
    } else {
      const Off a = at[i];
      std::size_t lead = no_lead;
      if (s[i].lead != no_lead) lead = align_up(s[i].lead);
      else if (s[i].in_place && s[i].in_bytes == s[i].out_bytes) lead = 0;
      if (out_arena && lead != no_lead) {
        const Off o = a - static_cast<Off>(lead);
        const Off span_lo = o < a ? o : a, span_hi = a + in > o + out ? a + in : o + out;
        consider(o, span_lo - sc, true);
        consider(o, span_hi, true);
      }
      if (out_arena) {
        consider(a - sc - out, a - sc, false);  // out, scratch, in
        consider(a + in + sc, a + in, false);   // in, scratch, out
      } else {
        consider(0, a - sc, false);
        consider(0, a + in, false);
      }
    }
    lo = best.lo;
    hi = best.hi;
    if (out_arena) at[i + 1] = best.out_at;
    scratch_at[i] = best.scratch_at;
    p.runs_in_place[i] = best.in_place;
    p.buffers += out_arena && !best.in_place;
  }
  p.arena_bytes = static_cast<std::size_t>(hi - lo);
  for (std::size_t k = 0; k <= N; ++k)
    if (p.where[k] == Where::arena) p.offset[k] = static_cast<std::size_t>(at[k] - lo);
  for (std::size_t i = 0; i < N; ++i) {
    p.scratch_offset[i] = s[i].scratch_bytes > 0 ? static_cast<std::size_t>(scratch_at[i] - lo) : 0;
    if (p.where[i + 1] == Where::output && base.runs_in_place[i]) p.runs_in_place[i] = true;
  }
  return p;
}

template <std::size_t N>
constexpr Plan<N> make_plan(const std::array<StepFacts, N>& s) {
  const Plan<N> a = ping_pong_plan(s);
  const Plan<N> b = placed_plan(s, a);
  return b.arena_bytes < a.arena_bytes ? b : a;
}

}  // namespace ctml::plan
