// SPDX-License-Identifier: Apache-2.0
#pragma once
// Deterministic random float networks for the PTQ and int8 model tests: He-style uniform weights
// per layer, BatchNorm statistics in plausible ranges, residual bodies and projections too.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace ctml::test {

struct Rng {
  std::uint32_t s;
  float uniform(float lo, float hi) {
    s = s * 1664525u + 1013904223u;
    return lo + (hi - lo) * static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
};

template <class L>
void init_layer(L& l, Rng& r) {
  if constexpr (requires { L::layer_count; l.template layer<0>(); }) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (init_layer(l.template layer<I>(), r), ...);
    }(std::make_index_sequence<L::layer_count>{});
  } else if constexpr (requires { l.body; L::projected; }) {
    init_layer(l.body, r);
    if constexpr (L::projected) init_layer(l.shortcut, r);
  } else if constexpr (requires { l.running_var; }) {
    for (auto& v : l.gamma) v = r.uniform(0.6f, 1.4f);
    for (auto& v : l.beta) v = r.uniform(-0.2f, 0.2f);
    for (auto& v : l.running_mean) v = r.uniform(-0.2f, 0.2f);
    for (auto& v : l.running_var) v = r.uniform(0.5f, 1.5f);
  } else if constexpr (requires { l.weights; l.bias; }) {
    const float fan_in = static_cast<float>(L::weight_type::size() / L::bias_type::size());
    const float a = std::sqrt(6.0f / fan_in);
    for (auto& v : l.weights) v = r.uniform(-a, a);
    for (auto& v : l.bias) v = r.uniform(-0.1f, 0.1f);
  }
}
template <class Net>
void init_net(Net& net, std::uint32_t seed) {
  Rng r{seed};
  init_layer(net, r);
}

}  // namespace ctml::test
