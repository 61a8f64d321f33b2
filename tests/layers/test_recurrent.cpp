// SPDX-License-Identifier: Apache-2.0
// Float GRU and LSTM against PyTorch (nn.GRU, nn.LSTM) and a float64 numpy reset-before GRU:
// vectors made by tests/data/rnn/gen_rnn_vectors.py and checked in. The streaming forms against
// the sequence forms (bit for bit), compile-time facts, and constant evaluation.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <ctml/layers/dense.hpp>
#include <ctml/layers/gru.hpp>
#include <ctml/layers/lstm.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/sequential.hpp>

#include "../data/rnn/rnn_vectors.hpp"

namespace v = rnn_vectors;
using In = ctml::Shape<v::T, v::F>;

namespace {
template <class Dst, std::size_t N>
void fill(Dst& d, const float (&src)[N]) {
  REQUIRE(d.size() == N);
  std::copy_n(src, N, d.data());
}
template <class Cell>
void load_gru(Cell& c) {
  fill(c.w_ih, v::gru_w_ih);
  fill(c.w_hh, v::gru_w_hh);
  fill(c.b_ih, v::gru_b_ih);
  fill(c.b_hh, v::gru_b_hh);
  fill(c.h0, v::gru_h0);
}
template <class Cell>
void load_lstm(Cell& c) {
  fill(c.w_ih, v::lstm_w_ih);
  fill(c.w_hh, v::lstm_w_hh);
  fill(c.b_ih, v::lstm_b_ih);
  fill(c.b_hh, v::lstm_b_hh);
  fill(c.h0, v::lstm_h0);
  fill(c.c0, v::lstm_c0);
}
template <class L>
typename L::output_type run(const L& l, const typename L::input_type& x) {
  typename L::output_type y{};
  std::array<float, L::scratch_size> scratch{};
  l.forward(x.data(), y.data(), scratch.data());
  return y;
}
double worst(const float* a, const float* b, std::size_t n) {
  double w = 0;
  for (std::size_t i = 0; i < n; ++i) w = std::max(w, std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  return w;
}
ctml::Tensor<float, In> input() {
  ctml::Tensor<float, In> x{};
  std::copy_n(v::x, In::size, x.data());
  return x;
}
}  // namespace

TEST_CASE("GRU (reset after, PyTorch's nn.GRU): every step within 1e-5 of PyTorch; last state too") {
  ctml::GRULayer<float, In, v::H, ctml::rnn::Output::sequence> seq{};
  ctml::GRULayer<float, In, v::H> last{};
  load_gru(seq);
  load_gru(last);
  const auto x = input();
  const auto y = run(seq, x);
  INFO("largest difference " << worst(y.data(), v::gru_y, y.size()));
  CHECK(worst(y.data(), v::gru_y, y.size()) <= 1e-5);
  const auto z = run(last, x);
  CHECK(worst(z.data(), y.data() + (v::T - 1) * v::H, v::H) == 0.0);  // the same arithmetic
}

TEST_CASE("GRU reset before (the original GRU, Keras reset_after=False) against a float64 loop") {
  ctml::GRULayer<float, In, v::H, ctml::rnn::Output::sequence, ctml::rnn::Reset::before> seq{};
  load_gru(seq);
  const auto y = run(seq, input());
  INFO("largest difference " << worst(y.data(), v::gru_before_y, y.size()));
  CHECK(worst(y.data(), v::gru_before_y, y.size()) <= 1e-5);
  CHECK(worst(y.data(), v::gru_y, y.size()) > 1e-3);  // the formulas differ
}

TEST_CASE("LSTM (PyTorch's nn.LSTM, initial h0 and c0): every step within 1e-5") {
  ctml::LSTMLayer<float, In, v::H, ctml::rnn::Output::sequence> seq{};
  ctml::LSTMLayer<float, In, v::H> last{};
  load_lstm(seq);
  load_lstm(last);
  const auto x = input();
  const auto y = run(seq, x);
  INFO("largest difference " << worst(y.data(), v::lstm_y, y.size()));
  CHECK(worst(y.data(), v::lstm_y, y.size()) <= 1e-5);
  const auto z = run(last, x);
  CHECK(worst(z.data(), y.data() + (v::T - 1) * v::H, v::H) == 0.0);
}

TEST_CASE("streaming GRU / LSTM in a network: one step per call, state in Model::state_type, equal to the sequence form") {
  using G = ctml::Sequential<float, ctml::Shape<v::F>, ctml::StreamingGRU<v::H>>;
  using L = ctml::Sequential<float, ctml::Shape<v::F>, ctml::StreamingLSTM<v::H>>;
  static_assert(G::state_bytes == v::H * sizeof(float));
  static_assert(L::state_bytes == 2 * v::H * sizeof(float));
  G g{};
  L l{};
  load_gru(g.layer<0>());
  load_lstm(l.layer<0>());
  ctml::GRULayer<float, In, v::H, ctml::rnn::Output::sequence> gs{};
  ctml::LSTMLayer<float, In, v::H, ctml::rnn::Output::sequence> ls{};
  load_gru(gs);
  load_lstm(ls);
  const auto x = input();
  const auto gy = run(gs, x);
  const auto ly = run(ls, x);
  G::state_type gst{};
  L::state_type lst{};
  g.reset(gst);
  l.reset(lst);
  alignas(16) static std::byte arena[std::max(G::arena_bytes, L::arena_bytes) + 1];
  for (std::size_t t = 0; t < v::T; ++t) {
    G::input_type step{};
    std::copy_n(x.data() + t * v::F, v::F, step.data());
    G::output_type gh{};
    L::output_type lh{};
    g(step, gh, arena, gst);
    l(step, lh, arena, lst);
    INFO("step " << t);
    CHECK(worst(gh.data(), gy.data() + t * v::H, v::H) == 0.0);
    CHECK(worst(lh.data(), ly.data() + t * v::H, v::H) == 0.0);
  }
  // reset() starts over from h0 (and c0).
  g.reset(gst);
  for (std::size_t j = 0; j < v::H; ++j) CHECK(gst.head.h[j] == v::gru_h0[j]);
}

TEST_CASE("compile-time facts: parameters, MACs, scratch; a GRU network evaluated by the compiler") {
  using Net = ctml::Sequential<float, ctml::Shape<6, 3>, ctml::GRU<4>, ctml::Dense<2>>;
  static_assert(Net::layer_type<0>::parameter_count == 3 * 4 * (3 + 4) + 6 * 4);
  static_assert(Net::layer_type<0>::macs == 6 * 3 * 4 * (3 + 4));
  static_assert(ctml::LSTMLayer<float, ctml::Shape<10, 3>, 5>::macs == 10 * 4 * 5 * (3 + 5));
  static_assert(std::is_same_v<ctml::GRULayer<float, ctml::Shape<10, 3>, 5, ctml::rnn::Output::sequence>::output_type,
                               ctml::Tensor<float, ctml::Shape<10, 5>>>);
  constexpr auto y = [] {
    Net n{};
    auto& gru = n.layer<0>();
    for (std::size_t i = 0; i < gru.w_ih.size(); ++i) gru.w_ih[i] = 0.1f * static_cast<float>(static_cast<int>(i % 7) - 3);
    for (std::size_t i = 0; i < gru.w_hh.size(); ++i) gru.w_hh[i] = 0.05f * static_cast<float>(static_cast<int>(i % 5) - 2);
    auto& d = n.layer<1>();
    for (std::size_t i = 0; i < d.weights.size(); ++i) d.weights[i] = 1.0f;
    Net::input_type x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) * 0.1f;
    return n.infer(x);
  }();
  static_assert(y[0] == y[1] && y[0] != 0.0f);
}

namespace {
// The optimised step kernels against their one-accumulator definitions, over sizes with ragged
// ends (F, H not multiples of the 8 lanes or 4 rows) and several steps of state.
template <std::size_t F, std::size_t H>
void step_kernels_against_reference() {
  CAPTURE(F);
  CAPTURE(H);
  std::uint32_t s = static_cast<std::uint32_t>(F * 131 + H);
  auto u = [&](float a) {
    s = s * 1664525u + 1013904223u;
    return a * (static_cast<float>(s >> 8) / 8388608.0f - 1.0f);
  };
  std::array<float, 4 * H * F> w_ih{};
  std::array<float, 4 * H * H> w_hh{};
  std::array<float, 4 * H> b_ih{}, b_hh{};
  for (auto& v : w_ih) v = u(0.5f);
  for (auto& v : w_hh) v = u(0.5f);
  for (auto& v : b_ih) v = u(0.5f);
  for (auto& v : b_hh) v = u(0.5f);
  std::array<float, H> h1{}, h2{}, c1{}, c2{}, g1{}, g2{}, hb1{}, hb2{};
  std::array<float, 4 * H> sc{};
  double worst = 0;
  for (int t = 0; t < 6; ++t) {
    std::array<float, F> x{};
    for (auto& v : x) v = u(2.0f);
    ctml::kernels::lstm_step<float, F, H>(x.data(), h1.data(), c1.data(), h1.data(), c1.data(), w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), sc.data(), 3.0f);
    ctml::kernels::lstm_step_ref<float, F, H>(x.data(), h2.data(), c2.data(), h2.data(), c2.data(), w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), sc.data(), 3.0f);
    ctml::kernels::gru_step<float, F, H, true>(x.data(), g1.data(), g1.data(), w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), sc.data());
    ctml::kernels::gru_step_ref<float, F, H, true>(x.data(), g2.data(), g2.data(), w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), sc.data());
    ctml::kernels::gru_step<float, F, H, false>(x.data(), hb1.data(), hb1.data(), w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), sc.data());
    ctml::kernels::gru_step_ref<float, F, H, false>(x.data(), hb2.data(), hb2.data(), w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), sc.data());
    for (std::size_t j = 0; j < H; ++j) {
      worst = std::max({worst, std::fabs(static_cast<double>(h1[j] - h2[j])), std::fabs(static_cast<double>(c1[j] - c2[j])),
                        std::fabs(static_cast<double>(g1[j] - g2[j])), std::fabs(static_cast<double>(hb1[j] - hb2[j]))});
    }
  }
  CHECK(worst <= 1e-5);
}
}  // namespace

TEST_CASE("optimised GRU / LSTM step kernels equal their definitions to float summation order") {
  step_kernels_against_reference<1, 1>();
  step_kernels_against_reference<3, 5>();
  step_kernels_against_reference<8, 8>();
  step_kernels_against_reference<13, 7>();
  step_kernels_against_reference<28, 20>();
  step_kernels_against_reference<64, 64>();
}

TEST_CASE("the recurrent kernels' float sigmoid and tanh: within 3 ulp (sigmoid above -80) and 1 ulp of double") {
  long worst_s = 0, worst_t = 0;
  auto ulps = [](float a, double ref) {
    return std::labs(static_cast<long>(std::bit_cast<std::int32_t>(a)) - static_cast<long>(std::bit_cast<std::int32_t>(static_cast<float>(ref))));
  };
  // Through the vector loops (SIMD hosts; 4 lanes and a scalar tail of 3) and the scalar form.
  std::array<float, 63> xs{}, sv{}, tv{};
  std::size_t fill = 0;
  auto check_batch = [&] {
    sv = xs;
    tv = xs;
    ctml::kernels::sigmoid_inplace<63>(sv.data());
    ctml::kernels::tanh_inplace<63>(tv.data());
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const float x = xs[i];
      const double sd = 1.0 / (1.0 + std::exp(-static_cast<double>(x))), td = std::tanh(static_cast<double>(x));
      for (const float s : {sv[i], ctml::kernels::detail::sigmoid_f(x)}) {
        if (x > -80.0f) worst_s = std::max(worst_s, ulps(s, sd));
        else CHECK(std::fabs(static_cast<double>(s) - sd) < 1e-37);
      }
      for (const float t : {tv[i], ctml::kernels::detail::tanh_f(x)})
        if (std::fabs(td) > 1.2e-38) worst_t = std::max(worst_t, ulps(t, td));
    }
  };
  for (std::uint32_t b = 0; b < 0x7F800000u; b += 4099)
    for (const std::uint32_t sign : {0u, 0x80000000u}) {
      xs[fill++] = std::bit_cast<float>(b | sign);
      if (fill == xs.size()) check_batch(), fill = 0;
    }
  CHECK(worst_s <= 3);
  CHECK(worst_t <= 1);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(ctml::kernels::detail::sigmoid_f(inf) == 1.0f);
  CHECK(ctml::kernels::detail::sigmoid_f(-inf) == doctest::Approx(0.0).epsilon(1e-30));
  CHECK(ctml::kernels::detail::tanh_f(inf) == 1.0f);
  CHECK(ctml::kernels::detail::tanh_f(-inf) == -1.0f);
  CHECK(std::isnan(ctml::kernels::detail::sigmoid_f(nan)));
  CHECK(std::isnan(ctml::kernels::detail::tanh_f(nan)));
  // The constant evaluator runs the same float operations: the same bits, unless the compiler
  // fuses multiply-adds at run time (GCC does where the target has FMA: -march=native, Cortex-M4F),
  // which the constant evaluator never does; then within an ulp.
  constexpr float cs = ctml::kernels::detail::sigmoid_f(-1.15729f), ct = ctml::kernels::detail::tanh_f(0.7f);
  volatile float vx = -1.15729f, vy = 0.7f;
  const float rs = ctml::kernels::detail::sigmoid_f(vx), rt = ctml::kernels::detail::tanh_f(vy);
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA) || defined(__aarch64__)
  CHECK(ulps(rs, cs) <= 1);
  CHECK(ulps(rt, ct) <= 1);
#else
  CHECK(std::bit_cast<std::uint32_t>(cs) == std::bit_cast<std::uint32_t>(rs));
  CHECK(std::bit_cast<std::uint32_t>(ct) == std::bit_cast<std::uint32_t>(rt));
#endif
}
