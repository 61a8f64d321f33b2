// SPDX-License-Identifier: Apache-2.0
#pragma once
// Gradient checks for the training tests: a network's backward pass (parameter and input
// gradients, from train::Trainer) against central finite differences of the loss
// L = sum_i c_i * out_i (fixed random c, so dL/dout = c), in double precision.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <tuple>
#include <utility>

#include <ctml/ctml.hpp>
#include <ctml/train.hpp>

namespace ctml::test {

// Parameters uniform in [-0.7, 0.7]; statistics (BatchNorm's running mean/variance) positive,
// so that a variance is a variance.
template <class Net>
void randomize_parameters(Net& net);

inline unsigned g_seed = 3;
inline double rnd() {
  g_seed = g_seed * 1664525u + 1013904223u;
  return static_cast<double>(static_cast<int>(g_seed >> 8) - (1 << 23)) / static_cast<double>(1 << 23);
}

// Loss used for the checks: L = sum_i c_i * out_i with fixed random c, so dL/dout = c.
template <class Net>
double loss_of(const Net& net, const typename Net::input_type& x, const double* c) {
  const auto y = net.infer(x);
  double l = 0;
  for (std::size_t i = 0; i < y.size(); ++i) l += c[i] * y[i];
  return l;
}

template <class Net>
void check_gradients(Net& net) {
  randomize_parameters(net);
  typename Net::input_type x{};
  for (auto& v : x) v = rnd();
  double c[Net::output_type::size()];
  for (auto& v : c) v = rnd();

  static train::Trainer<Net> tr;
  tr.zero_grad();
  tr.forward(net, x);
  tr.backward(net, x, c);

  const double h = 1e-6;
  auto params = net.parameters();
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    ((void)[&] {
      if (train::statistic_tensors<Net>[K]) return;  // not trained: no gradient
      auto& w = std::get<K>(params);
      const auto& g = std::get<K>(tr.grads);
      for (std::size_t i = 0; i < w.size(); ++i) {
        const double keep = w[i];
        w[i] = keep + h;
        const double lp = loss_of(net, x, c);
        w[i] = keep - h;
        const double lm = loss_of(net, x, c);
        w[i] = keep;
        INFO("parameter tensor " << K << " element " << i);
        CHECK(g[i] == doctest::Approx((lp - lm) / (2 * h)).epsilon(1e-5).scale(1.0));
      }
    }(), ...);
  }(std::make_index_sequence<std::tuple_size_v<train::Gradients<Net>>>{});

  // Input gradient.
  const double* dx = tr.input_gradient();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double lp = loss_of(net, x, c);
    x[i] = keep - h;
    const double lm = loss_of(net, x, c);
    x[i] = keep;
    CHECK(dx[i] == doctest::Approx((lp - lm) / (2 * h)).epsilon(1e-5).scale(1.0));
  }
}

template <class Net>
void randomize_parameters(Net& net) {
  auto params = net.parameters();
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    ((void)[&] {
      for (auto& v : std::get<K>(params)) {
        v = 0.7 * rnd();
        if (train::statistic_tensors<Net>[K]) v = std::abs(v) + 0.5;
      }
    }(), ...);
  }(std::make_index_sequence<std::tuple_size_v<train::Gradients<Net>>>{});
}

// BatchTrainer's gradients (training-mode BatchNorm: batch statistics) against finite differences
// of L = sum_b sum_i c[b][i] out_b[i].
template <class Net, std::size_t B>
void check_batch_gradients(Net& net) {
  randomize_parameters(net);
  static typename Net::input_type xs[B];
  for (auto& x : xs)
    for (auto& v : x) v = rnd();
  constexpr std::size_t O = Net::output_type::size();
  static double c[B * O];
  for (auto& v : c) v = rnd();
  static train::BatchTrainer<Net, B> tr;
  auto loss = [&] {
    tr.forward(net, xs);
    double l = 0;
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t i = 0; i < O; ++i) l += c[b * O + i] * tr.output(b)[i];
    return l;
  };
  tr.zero_grad();
  tr.forward(net, xs);
  tr.backward(net, xs, c);
  static typename train::BatchTrainer<Net, B>::gradients_type grads;
  grads = tr.grads;
  static typename Net::input_type dxs[B];
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < Net::input_type::size(); ++i) dxs[b][i] = tr.input_gradient(b)[i];

  const double h = 1e-6;
  auto params = net.parameters();
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    ((void)[&] {
      if (train::statistic_tensors<Net>[K]) return;
      auto& w = std::get<K>(params);
      for (std::size_t i = 0; i < w.size(); ++i) {
        const double keep = w[i];
        w[i] = keep + h;
        const double lp = loss();
        w[i] = keep - h;
        const double lm = loss();
        w[i] = keep;
        INFO("parameter tensor " << K << " element " << i);
        CHECK(std::get<K>(grads)[i] == doctest::Approx((lp - lm) / (2 * h)).epsilon(1e-5).scale(1.0));
      }
    }(), ...);
  }(std::make_index_sequence<std::tuple_size_v<train::Gradients<Net>>>{});
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < Net::input_type::size(); ++i) {
      const double keep = xs[b][i];
      xs[b][i] = keep + h;
      const double lp = loss();
      xs[b][i] = keep - h;
      const double lm = loss();
      xs[b][i] = keep;
      CHECK(dxs[b][i] == doctest::Approx((lp - lm) / (2 * h)).epsilon(1e-5).scale(1.0));
    }
}


}  // namespace ctml::test
