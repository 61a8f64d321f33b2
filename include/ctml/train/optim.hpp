// SPDX-License-Identifier: Apache-2.0
#pragma once
// Optimizers with state in static storage sized from the model type.
//   Sgd<Net>{lr, momentum, weight_decay}    v = mu v + g + wd w;  w -= lr v
//   Adam<Net>{lr, beta1, beta2, eps, weight_decay}   (decoupled weight decay, as AdamW)
// step(net, grads, scale) applies gradients scaled by `scale` (1 / batch size). Parameter tensors
// can be frozen (freeze(k)); pruning masks (ctml/sparse/mask.hpp or anything with apply(net)) are
// re-applied after the update so pruned weights stay zero.
#include <array>
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/train/trainer.hpp>

namespace ctml::train {

template <class Net>
struct OptimizerBase {
  using T = typename Net::input_value;
  static constexpr std::size_t tensors = std::tuple_size_v<Gradients<Net>>;
  // Statistics (BatchNorm's running mean/variance) start frozen: the forward pass, not the
  // optimizer, updates them.
  std::array<bool, tensors> frozen = statistic_tensors<Net>;
  // Freeze parameter tensor k (in net.parameters() order); frozen tensors are not updated.
  constexpr void freeze(std::size_t k, bool f = true) { frozen[k] = f; }
};

template <class Net>
struct Sgd : OptimizerBase<Net> {
  using T = typename Net::input_value;
  T lr = T(0.01), momentum = T(0.9), weight_decay = T(0);
  Gradients<Net> velocity{};

  constexpr Sgd() = default;
  constexpr Sgd(T lr_, T momentum_ = T(0.9), T wd = T(0)) : lr(lr_), momentum(momentum_), weight_decay(wd) {}

  template <class Mask = std::nullptr_t>
  constexpr void step(Net& net, const Gradients<Net>& g, T scale, const Mask* mask = nullptr) {
    ::ctml::detail::side_effect_fence();
    auto params = net.parameters();
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((void)[&] {
        if (this->frozen[K]) return;
        auto& w = std::get<K>(params);
        auto& v = std::get<K>(velocity);
        const auto& gk = std::get<K>(g);
        for (std::size_t i = 0; i < w.size(); ++i) {
          v[i] = momentum * v[i] + scale * gk[i] + weight_decay * w[i];
          w[i] -= lr * v[i];
        }
      }(), ...);
    }(std::make_index_sequence<OptimizerBase<Net>::tensors>{});
    if constexpr (!std::is_same_v<Mask, std::nullptr_t>)
      if (mask) mask->apply(net);
  }
};

template <class Net>
struct Adam : OptimizerBase<Net> {
  using T = typename Net::input_value;
  T lr = T(1e-3), beta1 = T(0.9), beta2 = T(0.999), eps = T(1e-8), weight_decay = T(0);
  Gradients<Net> m{}, v{};
  T b1t = T(1), b2t = T(1);

  constexpr Adam() = default;
  constexpr Adam(T lr_, T wd = T(0)) : lr(lr_), weight_decay(wd) {}

  template <class Mask = std::nullptr_t>
  constexpr void step(Net& net, const Gradients<Net>& g, T scale, const Mask* mask = nullptr) {
    ::ctml::detail::side_effect_fence();
    b1t *= beta1;
    b2t *= beta2;
    const T c1 = T(1) / (T(1) - b1t), c2 = T(1) / (T(1) - b2t);
    auto params = net.parameters();
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((void)[&] {
        if (this->frozen[K]) return;
        auto& w = std::get<K>(params);
        auto& mk = std::get<K>(m);
        auto& vk = std::get<K>(v);
        const auto& gk = std::get<K>(g);
        for (std::size_t i = 0; i < w.size(); ++i) {
          const T gi = scale * gk[i];
          mk[i] = beta1 * mk[i] + (T(1) - beta1) * gi;
          vk[i] = beta2 * vk[i] + (T(1) - beta2) * gi * gi;
          w[i] -= lr * ((mk[i] * c1) / (math::sqrt(vk[i] * c2) + eps) + weight_decay * w[i]);
        }
      }(), ...);
    }(std::make_index_sequence<OptimizerBase<Net>::tensors>{});
    if constexpr (!std::is_same_v<Mask, std::nullptr_t>)
      if (mask) mask->apply(net);
  }
};

}  // namespace ctml::train
