// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the tree trainers read: a row-major feature matrix and, per row, a class label or a
// regression target (views: the caller owns the data; nothing is copied).
#include <cstddef>
#include <cstdint>

namespace ctml::trees {

struct Dataset {
  const float* x = nullptr;              // [rows][features]
  std::size_t rows = 0, features = 0;
  const std::int32_t* labels = nullptr;  // classification: 0 .. classes - 1
  const float* targets = nullptr;        // regression
  std::size_t classes = 0;               // classification; 0 for regression

  constexpr float at(std::size_t r, std::size_t f) const { return x[r * features + f]; }
};

// The trainers' random numbers: SplitMix64 (Steele, Lea, Flood 2014), documented so a reference
// implementation (tests/trees/reference.py) draws the same bootstrap rows and features.
struct SplitMix64 {
  std::uint64_t state;
  constexpr std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n): the high 32 bits times n, shifted (n < 2^32; bias below 2^-32 n).
  constexpr std::size_t below(std::size_t n) { return static_cast<std::size_t>(((next() >> 32) * static_cast<std::uint64_t>(n)) >> 32); }
};

}  // namespace ctml::trees
