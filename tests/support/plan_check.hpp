// SPDX-License-Identifier: Apache-2.0
#pragma once
// A memory plan's invariant, checked at compile time in tests (tests/model, tests/quant).
#include <array>
#include <cstddef>
#include <ctml/model/plan.hpp>

namespace ctml::test {

// Every step of a plan: input, output and scratch inside the arena, 16-byte aligned, pairwise
// disjoint, except input and output of a step that runs in place (same offset) or with a lead
// (the output starts at least `lead` bytes before the input).
template <std::size_t N>
constexpr bool plan_is_valid(const std::array<::ctml::plan::StepFacts, N>& s, const ::ctml::plan::Plan<N>& p) {
  auto inside = [&](std::size_t off, std::size_t bytes) { return off % 16 == 0 && off + bytes <= p.arena_bytes; };
  auto disjoint = [](std::size_t a, std::size_t an, std::size_t b, std::size_t bn) { return an == 0 || bn == 0 || a + an <= b || b + bn <= a; };
  for (std::size_t i = 0; i < N; ++i) {
    const bool in_a = p.where[i] == ::ctml::plan::Where::arena, out_a = p.where[i + 1] == ::ctml::plan::Where::arena;
    const std::size_t io = p.offset[i], oo = p.offset[i + 1], so = p.scratch_offset[i];
    if (in_a && !inside(io, s[i].in_bytes)) return false;
    if (out_a && !inside(oo, s[i].out_bytes)) return false;
    if (s[i].scratch_bytes && !inside(so, s[i].scratch_bytes)) return false;
    if (in_a && !disjoint(io, s[i].in_bytes, so, s[i].scratch_bytes)) return false;
    if (out_a && !disjoint(oo, s[i].out_bytes, so, s[i].scratch_bytes)) return false;
    if (in_a && out_a && !disjoint(io, s[i].in_bytes, oo, s[i].out_bytes)) {
      if (!p.runs_in_place[i]) return false;
      const bool same = io == oo && s[i].in_place && s[i].in_bytes == s[i].out_bytes;
      const bool led = s[i].lead != ::ctml::no_lead && oo + s[i].lead <= io;
      if (!same && !led) return false;
    }
  }
  return true;
}

}  // namespace ctml::test
