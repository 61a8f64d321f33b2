// Training: every backward pass and loss gradient against central finite differences in double
// precision; small problems learned; no heap during training.
#include <doctest/doctest.h>

#include <cmath>

#include <ctml/ctml.hpp>
#include <ctml/train.hpp>
#include "grad_check.hpp"
#include "no_heap.hpp"

using namespace ctml;
using ctml::test::check_gradients;
using ctml::test::g_seed;
using ctml::test::rnd;


TEST_CASE("Dense (plain and fused), ReLU, Tanh, Sigmoid: gradients match finite differences") {
  static Sequential<double, Shape<5>, Dense<7>, Tanh, Dense<6, Fuse<Activation::relu>>, Sigmoid, Dense<3>, ReLU> net{};
  check_gradients(net);
}

TEST_CASE("ReLU6, LeakyReLU, HardSwish, Flatten, Softmax with temperature: gradients match") {
  using Net = Sequential<double, Shape<2, 3>, Flatten, Dense<8>, HardSwish, Dense<8>, LeakyReLU, Dense<8>,
                         ReLU6, Dense<4>, Softmax<>>;
  static Net net{};
  net.layer<8>().temperature = 2.5;
  net.layer<4>().alpha = 0.1;
  check_gradients(net);
}

TEST_CASE("loss gradients match finite differences") {
  double zs[5], zt[5], d[5];
  for (auto& v : zs) v = 2 * rnd();
  for (auto& v : zt) v = 2 * rnd();
  const double h = 1e-6;
  auto fd = [&](auto f, std::size_t i) {
    const double keep = zs[i];
    double tmp[5];
    zs[i] = keep + h;
    const double lp = f(tmp);
    zs[i] = keep - h;
    const double lm = f(tmp);
    zs[i] = keep;
    return (lp - lm) / (2 * h);
  };
  auto ce = [&](double* g) { return train::cross_entropy<5>(zs, 2, g); };
  auto kl = [&](double* g) { return train::kl_divergence<5>(zs, zt, 3.0, g); };
  auto ds = [&](double* g) { return train::distillation<5>(zs, zt, 4, 0.7, 4.0, g); };
  double target[5] = {0.1, -0.2, 0.3, 0.0, 1.0};
  auto ms = [&](double* g) { return train::mse<5>(zs, target, g); };
  for (auto f : {+[](double*) { return 0.0; }}) (void)f;
  ce(d);
  for (std::size_t i = 0; i < 5; ++i) CHECK(d[i] == doctest::Approx(fd(ce, i)).epsilon(1e-6));
  kl(d);
  for (std::size_t i = 0; i < 5; ++i) CHECK(d[i] == doctest::Approx(fd(kl, i)).epsilon(1e-6).scale(1.0));
  ds(d);
  for (std::size_t i = 0; i < 5; ++i) CHECK(d[i] == doctest::Approx(fd(ds, i)).epsilon(1e-6));
  ms(d);
  for (std::size_t i = 0; i < 5; ++i) CHECK(d[i] == doctest::Approx(fd(ms, i)).epsilon(1e-6));
  // KL of a distribution with itself is zero, with zero gradient.
  CHECK(train::kl_divergence<5>(zt, zt, 2.0, d) == doctest::Approx(0.0).scale(1.0));
}

TEST_CASE("a tiny network learns XOR without touching the heap") {
  using Net = Sequential<float, Shape<2>, Dense<8>, Tanh, Dense<2>>;
  static Net net{};
  g_seed = 11;
  std::apply([](auto&... t) { ((void)[&] { for (auto& v : t) v = static_cast<float>(rnd()); }(), ...); },
             net.parameters());
  static train::Trainer<Net> tr;
  static train::Adam<Net> opt{0.05f};
  const float xs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const std::size_t ys[4] = {0, 1, 1, 0};
  float loss = 0;
  {
    ctml::test::NoHeapScope guard;
    for (int epoch = 0; epoch < 300; ++epoch) {
      tr.zero_grad();
      loss = 0;
      for (int s = 0; s < 4; ++s) {
        const Net::input_type x{{xs[s][0], xs[s][1]}};
        const auto& z = tr.forward(net, x);
        float dz[2];
        loss += train::cross_entropy<2>(z.data(), ys[s], dz);
        tr.backward(net, x, dz);
      }
      opt.step(net, tr.grads, 0.25f);
    }
    CHECK(guard.allocations() == 0);
  }
  CHECK(loss / 4 < 0.05f);
  for (int s = 0; s < 4; ++s) {
    const auto z = net.infer(Net::input_type{{xs[s][0], xs[s][1]}});
    CHECK((z[1] > z[0] ? 1u : 0u) == ys[s]);
  }
}

TEST_CASE("SGD with momentum separates two Gaussian blobs; frozen tensors stay put") {
  using Net = Sequential<float, Shape<2>, Dense<2>>;
  static Net net{};
  static train::Trainer<Net> tr;
  static train::Sgd<Net> opt{0.1f, 0.9f};
  opt.freeze(1);  // the bias
  net.layer<0>().bias[0] = 0.25f;
  int correct = 0;
  for (int epoch = 0; epoch < 50; ++epoch) {
    tr.zero_grad();
    correct = 0;
    for (int s = 0; s < 40; ++s) {
      const std::size_t label = s % 2;
      const float c = label ? 1.5f : -1.5f;
      const Net::input_type x{{c + 0.5f * static_cast<float>(rnd()), c + 0.5f * static_cast<float>(rnd())}};
      const auto& z = tr.forward(net, x);
      correct += ((z[1] > z[0]) ? 1u : 0u) == label;
      float dz[2];
      train::cross_entropy<2>(z.data(), label, dz);
      tr.backward(net, x, dz);
    }
    opt.step(net, tr.grads, 1.0f / 40);
  }
  CHECK(correct == 40);
  CHECK(net.layer<0>().bias[0] == 0.25f);
  static_assert(train::Trainer<Net>::train_arena_bytes > 0);
}

TEST_CASE("GRU (reset after and before, last and every step) and LSTM (with and without cell_clip): BPTT matches finite differences") {
  static Sequential<double, Shape<5, 3>, GRU<4>, Dense<2>> gru_last{};
  check_gradients(gru_last);
  static Sequential<double, Shape<4, 3>, GRU<3, rnn::Output::sequence, rnn::Reset::before>, Flatten, Dense<2>> gru_before{};
  check_gradients(gru_before);
  static Sequential<double, Shape<5, 2>, LSTM<4, rnn::Output::sequence>, Flatten, Dense<3>> lstm{};
  check_gradients(lstm);
  static Sequential<double, Shape<6, 2>, LSTM<3>, Dense<2>> clipped{};
  clipped.layer<0>().cell_clip = 0.3;  // some steps clip (gradient 0 there), most do not
  check_gradients(clipped);
}

TEST_CASE("truncated BPTT: gradients from steps further back than the truncation are cut") {
  using Full = Sequential<double, Shape<6, 2>, GRU<3, rnn::Output::last>>;
  using Cut = Sequential<double, Shape<6, 2>, GRU<3, rnn::Output::last, rnn::Reset::after, 2>>;
  static Full full{};
  static Cut cut{};
  ctml::test::randomize_parameters(full);
  auto p = full.parameters();
  auto q = cut.parameters();
  [&]<std::size_t... K>(std::index_sequence<K...>) { ((std::get<K>(q) = std::get<K>(p)), ...); }(std::make_index_sequence<4>{});
  Full::input_type x{};
  for (auto& v : x) v = rnd();
  const double c[3] = {0.3, -0.7, 0.5};
  static train::Trainer<Full> tf;
  static train::Trainer<Cut> tc;
  tf.zero_grad();
  tc.zero_grad();
  tf.forward(full, x);
  tc.forward(cut, x);
  tf.backward(full, x, c);
  tc.backward(cut, x, c);
  const double* df = tf.input_gradient();
  const double* dc = tc.input_gradient();
  // The last two steps (one chunk) get the full gradient; earlier steps none.
  for (std::size_t i = 4 * 2; i < 6 * 2; ++i) CHECK(dc[i] == doctest::Approx(df[i]));
  for (std::size_t i = 0; i < 4 * 2; ++i) CHECK(dc[i] == 0.0);
  bool earlier_nonzero = false;
  for (std::size_t i = 0; i < 4 * 2; ++i) earlier_nonzero = earlier_nonzero || df[i] != 0.0;
  CHECK(earlier_nonzero);
}
