// SPDX-License-Identifier: Apache-2.0
#pragma once
// Deterministic pseudo-random values in [-0.5, 0.5) for the float benchmarks' weights and inputs.
namespace ctml::bench {
template <class Tn>
void fill(Tn& t, unsigned seed) {
  for (auto& v : t) {
    seed = seed * 1664525u + 1013904223u;
    v = static_cast<float>(static_cast<int>(seed >> 8) - (1 << 23)) / static_cast<float>(1 << 24);
  }
}
}  // namespace ctml::bench
