// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the application examples share on the host and on the device: a documented random number
// generator (their simulators and trainers draw from it, so every run is the same on every
// machine), the weight initialization of their networks, and loading a weight blob shipped as
// bytes in a generated header. Host-only helpers: host_utils.hpp.
// Not part of the library.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>
#include <type_traits>

#include <ctml/model/serialize.hpp>

namespace ex {

// SplitMix64 (Steele, Lea, Flood 2014); uniform doubles from its top 53 bits; normal deviates by
// Box-Muller, both of each pair used.
struct Rng {
  std::uint64_t state;
  explicit Rng(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u = 1.0 - uniform(), v = uniform();
    const double r = std::sqrt(-2.0 * std::log(u));
    spare_ = r * std::sin(6.283185307179586 * v);
    has_spare_ = true;
    return r * std::cos(6.283185307179586 * v);
  }

 private:
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// Uniform weights in +-sqrt(6 / fan_in) (He), zero biases: every parameter tensor of rank >= 2 is
// a weight whose first extent is the output (fan_in = the rest).
template <class Net>
void init_uniform(Net& net, Rng& rng) {
  std::apply([&](auto&... t) {
    ((void)[&] {
      using Tn = std::remove_cvref_t<decltype(t)>;
      if constexpr (Tn::rank >= 2) {
        const std::size_t fan_in = Tn::shape_type::size / Tn::shape_type::extents[0];
        const double a = std::sqrt(6.0 / static_cast<double>(fan_in));
        for (auto& v : t) v = static_cast<float>(rng.between(-a, a));
      } else {
        t.fill(0.0f);
      }
    }(), ...);
  }, net.parameters());
}

// Loads a weight blob stored as bytes in a generated header (also at compile time, where unsigned
// char cannot be viewed as std::byte): ctml::load_weights on a std::byte copy.
template <class Net, std::size_t N>
constexpr ctml::BlobResult load_blob(Net& net, const unsigned char (&bytes)[N]) {
  std::byte blob[N]{};
  for (std::size_t i = 0; i < N; ++i) blob[i] = static_cast<std::byte>(bytes[i]);
  return ctml::load_weights(net, std::span<const std::byte>(blob));
}

}  // namespace ex
