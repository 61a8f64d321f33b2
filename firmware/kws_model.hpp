// SPDX-License-Identifier: Apache-2.0
#pragma once
// The MLPerf Tiny DS-CNN, BatchNorm folded, with deterministic weights generated at compile time
// so that the whole model is constexpr data (flash) and nothing large is stored in the repository.
#include <cstdint>
#include <ctml/ctml.hpp>

namespace fw {

using Kws = ctml::folded_t<ctml::zoo::KwsDsCnn<float>>;

constexpr Kws make_kws() {
  Kws m{};
  std::uint32_t s = 12345;
  std::apply(
      [&](auto&... t) {
        ((void)[&] {
          for (auto& v : t) {
            s = s * 1664525u + 1013904223u;
            v = static_cast<float>(static_cast<std::int32_t>(s >> 16) - 32768) / 131072.0f;
          }
        }(), ...);
      },
      m.parameters());
  return m;
}

inline constexpr Kws kws_model = make_kws();

}  // namespace fw
