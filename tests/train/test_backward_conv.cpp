// SPDX-License-Identifier: Apache-2.0
// Backward passes of convolutions, pools and BatchNorm against central finite differences in
// double precision (per-sample Trainer, and BatchTrainer with batch statistics); a small conv net
// with BatchNorm learns to tell bars apart, without touching the heap.
#include <doctest/doctest.h>

#include <cmath>

#include <ctml/ctml.hpp>
#include <ctml/train.hpp>
#include "grad_check.hpp"
#include "no_heap.hpp"

using namespace ctml;
using ctml::test::check_batch_gradients;
using ctml::test::check_gradients;
using ctml::test::rnd;

TEST_CASE("Conv2D (stride, same padding, fused ReLU, dilation) and pointwise: gradients match") {
  static Sequential<double, Shape<7, 6, 2>, Conv2D<3, Kernel<3, 3>, Stride<2>, Same, Fuse<Activation::relu>>,
                    Conv2D<4, Kernel<2, 3>, Dilation<2, 1>, Valid>, Conv2D<2, Kernel<1, 1>>, Flatten, Dense<3>>
      net{};
  check_gradients(net);
}

TEST_CASE("Conv1D (same, stride 2) and global average pool: gradients match") {
  static Sequential<double, Shape<9, 3>, Conv1D<4, Kernel<3>, Stride<2>, Same, Fuse<Activation::relu6>>,
                    Conv1D<2, Kernel<2>, Valid>, GlobalAveragePool, Dense<2>>
      net{};
  check_gradients(net);
}

TEST_CASE("DepthwiseConv2D (multiplier 2, stride 2, same; multiplier 1 valid): gradients match") {
  static Sequential<double, Shape<6, 5, 3>, DepthwiseConv2D<Kernel<3, 3>, DepthMultiplier<2>, Stride<2>, Same>,
                    DepthwiseConv2D<Kernel<2, 2>, Valid, Fuse<Activation::relu>>, Flatten, Dense<3>>
      net{};
  check_gradients(net);
}

TEST_CASE("MaxPool2D and AveragePool2D (valid and same, padding excluded from the mean): gradients match") {
  static Sequential<double, Shape<7, 7, 2>, Conv2D<3, Kernel<2, 2>>, MaxPool2D<Pool<2, 2>, Same>,
                    AveragePool2D<Pool<3, 2>, Stride<2, 1>, Same>, MaxPool2D<Pool<2, 1>, Stride<1>>, Flatten, Dense<2>>
      net{};
  check_gradients(net);
}

TEST_CASE("BatchNorm in inference mode (running statistics fixed): gradients match") {
  static Sequential<double, Shape<4, 4, 3>, BatchNorm, Conv2D<2, Kernel<3, 3>, Same>, BatchNorm, Flatten, Dense<3>,
                    BatchNorm, Dense<2>>
      net{};
  check_gradients(net);
}

TEST_CASE("train::train_arena_bytes is what the Trainer holds") {
  using Net = Sequential<float, Shape<8, 8, 1>, Conv2D<4, Kernel<3, 3>, Same, Fuse<Activation::relu>>,
                         MaxPool2D<Pool<2, 2>>, DepthwiseConv2D<Kernel<3, 3>, Same>, Conv2D<8, Kernel<1, 1>>,
                         GlobalAveragePool, Dense<2>>;
  static_assert(train::train_arena_bytes<Net> == train::Trainer<Net>::train_arena_bytes);
  static_assert(train::train_arena_bytes<Net> > Net::arena_bytes,
                "training keeps every activation, inference only two at a time");
  // int8 networks do not train.
  CHECK(train::train_arena_bytes<Net> == sizeof(train::Trainer<Net>::activations_type) +
                                      2 * sizeof(Tensor<float, Shape<8 * 8 * 4>>) + sizeof(train::Trainer<Net>::scratch_type));
}


TEST_CASE("BatchTrainer: training-mode BatchNorm (batch statistics) gradients match, running stats move") {
  using Net = Sequential<double, Shape<5, 4, 2>, Conv2D<3, Kernel<3, 3>, Same>, BatchNorm, ReLU,
                         DepthwiseConv2D<Kernel<2, 2>, Valid>, AveragePool2D<Pool<2, 2>>, Flatten, Dense<4>,
                         BatchNorm, Dense<3>>;
  static Net net{};
  check_batch_gradients<Net, 3>(net);

  // Running statistics move toward the batch's by `momentum` (PyTorch: unbiased variance).
  auto& bn = net.layer<1>();
  bn.running_mean.fill(0.0);
  bn.running_var.fill(1.0);
  static train::BatchTrainer<Net, 3> tr;
  static Net::input_type xs[3];
  for (auto& x : xs)
    for (auto& v : x) v = rnd();
  tr.momentum = 0.25;
  tr.forward(net, xs);
  double mu = 0, sq = 0;
  const std::size_t n = 3 * 5 * 4;
  for (std::size_t b = 0; b < 3; ++b)
    for (std::size_t p = 0; p < 20; ++p) mu += tr.template activation<0>(b)[p * 3 + 1];
  mu /= n;
  for (std::size_t b = 0; b < 3; ++b)
    for (std::size_t p = 0; p < 20; ++p) sq += (tr.template activation<0>(b)[p * 3 + 1] - mu) * (tr.template activation<0>(b)[p * 3 + 1] - mu);
  CHECK(bn.running_mean[1] == doctest::Approx(0.25 * mu));
  CHECK(bn.running_var[1] == doctest::Approx(0.75 + 0.25 * sq / (n - 1)));
}

TEST_CASE("optimizers leave BatchNorm statistics to the forward pass") {
  using Net = Sequential<float, Shape<4>, Dense<3>, BatchNorm, Dense<2>>;
  static train::Adam<Net> adam;
  static train::Sgd<Net> sgd;
  // parameters(): dense w, b | gamma, beta, running_mean, running_var | dense w, b
  const bool expected[8] = {false, false, false, false, true, true, false, false};
  for (std::size_t k = 0; k < 8; ++k) {
    CHECK(adam.frozen[k] == expected[k]);
    CHECK(sgd.frozen[k] == expected[k]);
  }
}

TEST_CASE("a conv net with BatchNorm learns horizontal vs vertical bars (mini-batches, no heap)") {
  using Net = Sequential<float, Shape<8, 8, 1>, Conv2D<4, Kernel<3, 3>, Same>, BatchNorm, ReLU,
                         MaxPool2D<Pool<2, 2>>, DepthwiseConv2D<Kernel<3, 3>, Same, Fuse<Activation::relu>>,
                         GlobalAveragePool, Dense<2>>;
  static Net net{};
  ctml::test::g_seed = 5;
  ctml::test::randomize_parameters(net);
  net.layer<1>().gamma.fill(1.0f);
  net.layer<1>().beta.fill(0.0f);
  net.layer<1>().running_mean.fill(0.0f);
  net.layer<1>().running_var.fill(1.0f);
  constexpr std::size_t B = 8;
  static train::BatchTrainer<Net, B> tr;
  static train::Adam<Net> opt{0.02f};
  static Net::input_type xs[B];
  std::size_t labels[B];
  static float dys[B * 2];

  auto make_batch = [&] {
    for (std::size_t b = 0; b < B; ++b) {
      labels[b] = b % 2;
      const std::size_t line = static_cast<std::size_t>((rnd() + 1) * 3.99);
      for (std::size_t y = 0; y < 8; ++y)
        for (std::size_t x = 0; x < 8; ++x) {
          const bool on = labels[b] == 0 ? (y == line || y == line + 4) : (x == line || x == line + 4);
          xs[b](y, x, 0) = (on ? 1.0f : 0.0f) + 0.2f * static_cast<float>(rnd());
        }
    }
  };
  auto accuracy = [&] {
    // Inference mode: the running statistics the training accumulated.
    std::size_t right = 0;
    for (int round = 0; round < 8; ++round) {
      make_batch();
      for (std::size_t b = 0; b < B; ++b) {
        const auto y = net.infer(xs[b]);
        right += (y[1] > y[0]) == (labels[b] == 1);
      }
    }
    return static_cast<double>(right) / (8 * B);
  };
  const double before = accuracy();
  double first_loss = 0, last_loss = 0;
  {
    ctml::test::NoHeapScope guard;
    for (int step = 0; step < 150; ++step) {
      make_batch();
      tr.zero_grad();
      tr.forward(net, xs);
      float loss = 0;
      for (std::size_t b = 0; b < B; ++b) loss += train::cross_entropy<2>(tr.output(b).data(), labels[b], dys + 2 * b);
      tr.backward(net, xs, dys);
      opt.step(net, tr.gradients(), 1.0f / B);
      if (step < 10) first_loss += loss / 10;
      if (step >= 140) last_loss += loss / 10;
    }
    CHECK(guard.allocations() == 0);
  }
  const double after = accuracy();
  MESSAGE("bars: accuracy " << before << " -> " << after << ", batch loss " << first_loss << " -> " << last_loss);
  CHECK(last_loss < 0.5 * first_loss);
  CHECK(after > 0.95);
}
