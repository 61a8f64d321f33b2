// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float models of the firmware images: the MLPerf Tiny DS-CNN (BatchNorm folded) and the
// anomaly-detection autoencoder, with deterministic weights generated at compile time so that the
// whole model is constexpr data (flash) and nothing large is stored in the repository.
#include <cstdint>
#include <ctml/ctml.hpp>

namespace fw {

using Kws = ctml::folded_t<ctml::zoo::KwsDsCnn<float>>;
using Ad = ctml::zoo::AdAutoencoder<float>;

// Every parameter uniform in about [-scale, scale), from an LCG seeded with `seed`.
template <class Model>
constexpr Model make_random(std::uint32_t seed, float scale) {
  Model m{};
  std::uint32_t s = seed;
  std::apply(
      [&](auto&... t) {
        ((void)[&] {
          for (auto& v : t) {
            s = s * 1664525u + 1013904223u;
            v = static_cast<float>(static_cast<std::int32_t>(s >> 16) - 32768) / 32768.0f * scale;
          }
        }(), ...);
      },
      m.parameters());
  return m;
}

// Deterministic input in [-4, 4).
template <class Tensor>
constexpr Tensor make_input(std::uint32_t seed) {
  Tensor t{};
  std::uint32_t s = seed;
  for (auto& v : t) v = static_cast<float>(static_cast<std::int32_t>((s = s * 1664525u + 1013904223u) >> 20) - 2048) / 512.0f;
  return t;
}

inline constexpr Kws kws_model = make_random<Kws>(12345, 0.25f);
inline constexpr Ad ad_model = make_random<Ad>(777, 0.1f);

}  // namespace fw
