// SPDX-License-Identifier: Apache-2.0
// The arena's aliasing contract (docs/memory-plan.md): every layer that declares in_place gives the
// same bytes when its output buffer is its input buffer as when they are separate. Both runs go
// through one out-of-line function, so the comparison is about buffer handling, not about two
// differently optimized copies of the kernel. Pointwise/depthwise convs (float and int8) and sparse
// pointwise convs are checked in place in test_layers.cpp, test_quant.cpp and test_sparse.cpp.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include <ctml/layers/activations.hpp>
#include <ctml/layers/batchnorm.hpp>
#include <ctml/layers/reshape.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/quant/add_s8.hpp>
#include <ctml/quant/logistic_s8.hpp>
#include <ctml/quant/relu_s8.hpp>
#include <ctml/quant/softmax_s8.hpp>
#include <ctml/quant/tanh_s8.hpp>

using namespace ctml;

namespace {
std::uint32_t g_state = 99;
std::uint32_t next() { return g_state = g_state * 1664525u + 1013904223u; }
float uniform(float lo, float hi) { return lo + (hi - lo) * static_cast<float>(next() >> 8) / 16777216.0f; }

template <class L, class T>
[[gnu::noinline]] void forward_once(const L& l, const T* in, T* out) {
  l.forward(in, out, nullptr);
}

// Runs l out of place and in place on the same input and compares the bytes.
template <class L>
void check_in_place(const L& l, const char* what) {
  static_assert(L::in_place, "check_in_place: the layer does not declare in_place");
  using T = typename L::input_type::value_type;
  static typename L::input_type x{};
  for (auto& v : x) {
    if constexpr (std::is_floating_point_v<T>) v = uniform(-4.0f, 4.0f);
    else v = static_cast<T>(next() >> 24);
  }
  static typename L::output_type y{};
  forward_once(l, x.data(), y.data());
  static typename L::input_type io{};
  io = x;
  forward_once(l, io.data(), reinterpret_cast<typename L::output_type::value_type*>(io.data()));
  CHECK_MESSAGE(std::memcmp(io.data(), y.data(), y.size_bytes()) == 0, std::string(what),
                ": in place differs from out of place");
}
}  // namespace

TEST_CASE("float in-place layers: activations, BatchNorm, Softmax, Reshape") {
  using S = Shape<5, 7, 6>;
  check_in_place(ReLULayer<float, S>{}, "ReLU");
  check_in_place(ReLU6Layer<float, S>{}, "ReLU6");
  check_in_place(LeakyReLULayer<float, S>{}, "LeakyReLU");
  check_in_place(SigmoidLayer<float, S>{}, "Sigmoid");
  check_in_place(TanhLayer<float, S>{}, "Tanh");
  check_in_place(HardSwishLayer<float, S>{}, "HardSwish");
  BatchNormLayer<float, S> bn{};
  for (std::size_t c = 0; c < 6; ++c) {
    bn.gamma[c] = uniform(0.5f, 1.5f);
    bn.beta[c] = uniform(-0.5f, 0.5f);
    bn.running_mean[c] = uniform(-0.5f, 0.5f);
    bn.running_var[c] = uniform(0.5f, 2.0f);
  }
  check_in_place(bn, "BatchNorm");
  SoftmaxLayer<float, Shape<4, 11>> sm{};
  check_in_place(sm, "Softmax");
  sm.temperature = 3.0f;
  check_in_place(sm, "Softmax (T = 3)");
  check_in_place(ReshapeLayer<float, S, Shape<35, 6>>{}, "Reshape");
}

TEST_CASE("int8 in-place layers: ReLU, LOGISTIC, TANH, SOFTMAX") {
  using S = Shape<9, 29>;
  quant::QReLULayer<S> relu{};
  relu.act_min = -100;
  relu.act_max = 90;
  check_in_place(relu, "QReLU");
  auto logistic = quant::make_qlogistic<S>({0.05f, 3});
  logistic.prepare();
  check_in_place(logistic, "QLogistic");
  auto tanh = quant::make_qtanh<S>({0.03f, -7});
  tanh.prepare();
  check_in_place(tanh, "QTanh");
  quant::QSoftmaxLayer<S> softmax{};
  softmax.params = quant::make_softmax_params(1.0, 0.1);
  check_in_place(softmax, "QSoftmax");
}

TEST_CASE("int8 ADD writes over either input (the residual block adds into its body's output)") {
  using S = Shape<6, 6, 5>;
  const auto add = quant::make_qadd<S>({0.04f, -3}, {0.07f, 11}, {0.09f, -20}, Activation::relu);
  static Tensor<std::int8_t, S> a{}, b{}, y{}, ya{}, yb{};
  for (auto& v : a) v = static_cast<std::int8_t>(next() >> 24);
  for (auto& v : b) v = static_cast<std::int8_t>(next() >> 24);
  add(a, b, y);
  ya = a;
  add(ya.data(), b.data(), ya.data());
  yb = b;
  add(a.data(), yb.data(), yb.data());
  CHECK(ya == y);
  CHECK(yb == y);
}
