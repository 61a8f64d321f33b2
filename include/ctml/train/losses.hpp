// SPDX-License-Identifier: Apache-2.0
#pragma once
// Losses on logits, each returning the loss and writing its gradient w.r.t. the logits.
//   cross_entropy(z, label)         -log softmax(z)[label]
//   mse(y, target)                  mean (y - t)^2
//   kl_divergence(zs, zt, T)        KL(softmax(zt/T) || softmax(zs/T))
//   distillation(zs, zt, label, alpha, T)
//        alpha * T^2 * KL(teacher_T || student_T) + (1 - alpha) * CE(student, label)
// The T^2 factor keeps the soft-target gradients on the scale of the hard-label ones (Hinton et al.).
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>

namespace ctml::train {

namespace detail {
template <std::size_t N, class T>
constexpr void softmax_t(const T* z, T temperature, T* p) {
  ::ctml::detail::side_effect_fence();
  T m = z[0];
  for (std::size_t i = 1; i < N; ++i) m = z[i] > m ? z[i] : m;
  T s = 0;
  for (std::size_t i = 0; i < N; ++i) s += (p[i] = math::exp((z[i] - m) / temperature));
  for (std::size_t i = 0; i < N; ++i) p[i] /= s;
}
}  // namespace detail

template <std::size_t N, class T>
constexpr T cross_entropy(const T* z, std::size_t label, T* dz) {
  ::ctml::detail::side_effect_fence();
  T p[N]{};
  detail::softmax_t<N>(z, T(1), p);
  for (std::size_t i = 0; i < N; ++i) dz[i] = p[i] - (i == label ? T(1) : T(0));
  return -math::log(p[label] > T(1e-30) ? p[label] : T(1e-30));
}

template <std::size_t N, class T>
constexpr T mse(const T* y, const T* target, T* dy) {
  ::ctml::detail::side_effect_fence();
  T loss = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const T d = y[i] - target[i];
    loss += d * d;
    dy[i] = T(2) * d / T(N);
  }
  return loss / T(N);
}

// d/dzs KL(pt || ps) with p = softmax(z / T) is (ps - pt) / T.
template <std::size_t N, class T>
constexpr T kl_divergence(const T* zs, const T* zt, T temperature, T* dzs) {
  ::ctml::detail::side_effect_fence();
  T ps[N]{}, pt[N]{};
  detail::softmax_t<N>(zs, temperature, ps);
  detail::softmax_t<N>(zt, temperature, pt);
  T kl = 0;
  for (std::size_t i = 0; i < N; ++i) {
    if (pt[i] > T(0)) kl += pt[i] * (math::log(pt[i]) - math::log(ps[i] > T(1e-30) ? ps[i] : T(1e-30)));
    dzs[i] = (ps[i] - pt[i]) / temperature;
  }
  return kl;
}

template <std::size_t N, class T>
constexpr T distillation(const T* zs, const T* zt, std::size_t label, T alpha, T temperature, T* dzs) {
  ::ctml::detail::side_effect_fence();
  T d_kl[N]{}, d_ce[N]{};
  const T kl = kl_divergence<N>(zs, zt, temperature, d_kl);
  const T ce = cross_entropy<N>(zs, label, d_ce);
  const T t2 = temperature * temperature;
  for (std::size_t i = 0; i < N; ++i) dzs[i] = alpha * t2 * d_kl[i] + (T(1) - alpha) * d_ce[i];
  return alpha * t2 * kl + (T(1) - alpha) * ce;
}

}  // namespace ctml::train
