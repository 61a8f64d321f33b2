// SPDX-License-Identifier: Apache-2.0
#pragma once
// BatchNorm for training.
//
// Inference mode (backward_op, used by the per-sample Trainer): the running statistics are
// constants, y = gamma * xhat + beta with xhat = (x - running_mean) / sqrt(running_var + eps):
//   dgamma[c] += sum dy * xhat;  dbeta[c] += sum dy;  dx = dy * gamma / sqrt(running_var + eps)
//
// Training mode (BatchTrainer): per channel over the N = batch * positions values of a mini-batch,
//   mu = mean(x), var = mean((x - mu)^2) (biased, used to normalise), xhat = (x - mu) / sqrt(var + eps)
//   dgamma = sum dy * xhat;  dbeta = sum dy;
//   dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat * mean(dy * xhat))
// and the running statistics move toward the batch's: r = (1 - momentum) r + momentum * stat, with
// the unbiased variance N / (N - 1) var, as PyTorch does.
//
// running_mean and running_var are parameters() of the layer (they are serialised with it) but
// statistics, not trained: is_statistic<L, K> marks them, and the optimizers leave them alone.
#include <cstddef>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/math.hpp>
#include <ctml/layers/batchnorm.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

// Parameter tensor K of layer L holds statistics (updated by the forward pass in training mode,
// never by an optimizer).
template <class L, std::size_t K>
struct is_statistic : std::false_type {};
template <class T, ShapeType S, std::size_t K>
struct is_statistic<BatchNormLayer<T, S>, K> : std::bool_constant<(K >= 2)> {};

template <class T, ShapeType S>
struct backward_op<BatchNormLayer<T, S>> {
  using L = BatchNormLayer<T, S>;
  static constexpr std::size_t C = L::channels, P = S::size / C;
  template <class G>
  static constexpr void run(const L& l, const T* x, const T*, const T* dy, T* dx, G&& g) {
    ::ctml::detail::side_effect_fence();
    auto& dgamma = std::get<0>(g);
    auto& dbeta = std::get<1>(g);
    for (std::size_t c = 0; c < C; ++c) {
      const T inv = T(1) / math::sqrt(l.running_var[c] + l.epsilon);
      for (std::size_t p = 0; p < P; ++p) {
        const std::size_t i = p * C + c;
        dgamma[c] += dy[i] * (x[i] - l.running_mean[c]) * inv;
        dbeta[c] += dy[i];
        dx[i] = dy[i] * l.gamma[c] * inv;
      }
    }
  }
};

template <class L>
inline constexpr bool is_batchnorm = false;
template <class T, ShapeType S>
inline constexpr bool is_batchnorm<BatchNormLayer<T, S>> = true;

namespace detail {
// Mean and biased variance of channel c over the batch and all positions.
template <class T, std::size_t B, std::size_t C, std::size_t P>
constexpr void batch_statistics(const T* const (&x)[B], std::size_t c, T& mu, T& var) {
  mu = 0;
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t p = 0; p < P; ++p) mu += x[b][p * C + c];
  mu /= static_cast<T>(B * P);
  var = 0;
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t p = 0; p < P; ++p) var += (x[b][p * C + c] - mu) * (x[b][p * C + c] - mu);
  var /= static_cast<T>(B * P);
}
}  // namespace detail

// Training-mode forward over a mini-batch: x[b] and y[b] point at sample b's activation.
template <class T, ShapeType S, std::size_t B>
constexpr void batchnorm_train_forward(BatchNormLayer<T, S>& l, const T* const (&x)[B], T* const (&y)[B],
                                       T momentum) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t C = BatchNormLayer<T, S>::channels, P = S::size / C, N = B * P;
  for (std::size_t c = 0; c < C; ++c) {
    T mu, var;
    detail::batch_statistics<T, B, C, P>(x, c, mu, var);
    const T inv = T(1) / math::sqrt(var + l.epsilon);
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t p = 0; p < P; ++p) y[b][p * C + c] = l.gamma[c] * (x[b][p * C + c] - mu) * inv + l.beta[c];
    l.running_mean[c] = (T(1) - momentum) * l.running_mean[c] + momentum * mu;
    const T unbiased = N > 1 ? var * static_cast<T>(N) / static_cast<T>(N - 1) : var;
    l.running_var[c] = (T(1) - momentum) * l.running_var[c] + momentum * unbiased;
  }
}

// Training-mode backward over the same mini-batch (statistics recomputed from x).
template <class T, ShapeType S, std::size_t B, class G>
constexpr void batchnorm_train_backward(const BatchNormLayer<T, S>& l, const T* const (&x)[B],
                                        const T* const (&dy)[B], T* const (&dx)[B], G&& g) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t C = BatchNormLayer<T, S>::channels, P = S::size / C, N = B * P;
  auto& dgamma = std::get<0>(g);
  auto& dbeta = std::get<1>(g);
  for (std::size_t c = 0; c < C; ++c) {
    T mu, var;
    detail::batch_statistics<T, B, C, P>(x, c, mu, var);
    const T inv = T(1) / math::sqrt(var + l.epsilon);
    T sum_dy = 0, sum_dy_xhat = 0;
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t p = 0; p < P; ++p) {
        const std::size_t i = p * C + c;
        sum_dy += dy[b][i];
        sum_dy_xhat += dy[b][i] * (x[b][i] - mu) * inv;
      }
    dgamma[c] += sum_dy_xhat;
    dbeta[c] += sum_dy;
    const T mean_dy = sum_dy / static_cast<T>(N), mean_dy_xhat = sum_dy_xhat / static_cast<T>(N);
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t p = 0; p < P; ++p) {
        const std::size_t i = p * C + c;
        const T xhat = (x[b][i] - mu) * inv;
        dx[b][i] = l.gamma[c] * inv * (dy[b][i] - mean_dy - xhat * mean_dy_xhat);
      }
  }
}

}  // namespace ctml::train
