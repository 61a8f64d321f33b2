// SPDX-License-Identifier: Apache-2.0
// The int8 GRU (quant/gru_s8.hpp; TFLite has no GRU op, so ctml quantizes it with TFLite's LSTM
// scheme): the kernel against a reference written here from the formulas in kernels/s8/gru.hpp
// (its own rounding arithmetic, int64 throughout), bit for bit, both reset modes; post-training
// quantization of float GRUs against the float network; streaming == sequence; constant
// evaluation == run time.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <ctml/layers/dense.hpp>
#include <ctml/model/sequential.hpp>
#include <ctml/quant/gru_s8.hpp>
#include <ctml/quant/quantize_model.hpp>

namespace q = ctml::quant;
using ctml::rnn::Reset;

namespace {

// ---- the reference ----------------------------------------------------------------------------
namespace ref {
std::int64_t rdbp(std::int64_t x, int e) {  // x / 2^e, nearest, ties away from zero
  if (e == 0) return x;
  const std::int64_t half = std::int64_t{1} << (e - 1);
  return x >= 0 ? (x + half) >> e : -((-x + half) >> e);
}
std::int64_t mbqm(std::int64_t x, q::Multiplier m) {  // TFLite's MultiplyByQuantizedMultiplier
  const int left = m.shift > 0 ? m.shift : 0, right = m.shift > 0 ? 0 : -m.shift;
  const std::int64_t xs = x * (std::int64_t{1} << left);
  REQUIRE(xs >= INT32_MIN);
  REQUIRE(xs <= INT32_MAX);
  const std::int64_t p = xs * m.value;
  // SaturatingRoundingDoublingHighMul: round(p / 2^31) with ties away from zero... as gemmlowp:
  // nudge 2^30 (or 1 - 2^30 for p < 0), then truncate toward zero.
  const std::int64_t nudge = p >= 0 ? (std::int64_t{1} << 30) : 1 - (std::int64_t{1} << 30);
  const std::int64_t high = (p + nudge) / (std::int64_t{1} << 31);
  return rdbp(high, right);
}
std::int64_t mbqm64(std::int64_t x, q::Multiplier m) {  // TFLite's 64-bit form (16x8 kernels)
  const std::int64_t reduced = (static_cast<std::int64_t>(m.value) + (1 << 15)) >> 16;
  const int total = 15 - m.shift;
  return (x * reduced + (std::int64_t{1} << (total - 1))) >> total;
}
std::int64_t clamp(std::int64_t v, std::int64_t lo, std::int64_t hi) { return std::min(std::max(v, lo), hi); }
std::int64_t c16(std::int64_t v) { return clamp(v, -32768, 32767); }

template <std::size_t F, std::size_t H, Reset R>
void step(const q::QGRUCell<F, H, R>& c, const std::int8_t* x, std::int8_t* h) {
  const bool after = R == Reset::after;
  auto dot_in = [&](std::size_t row) {
    std::int64_t a = 0;
    for (std::size_t i = 0; i < F; ++i) a += c.w_in[row * F + i] * (std::int64_t{x[i]} - c.input_zero_point);
    return a;
  };
  auto dot_rec = [&](std::size_t row) {
    std::int64_t a = 0;
    for (std::size_t i = 0; i < H; ++i) a += c.w_rec[row * H + i] * (std::int64_t{h[i]} - c.hidden_zero_point);
    return a;
  };
  auto m = [&](const auto& mult, const auto& shift, std::size_t k) { return q::Multiplier{mult[k], static_cast<int>(shift[k])}; };
  std::array<std::int64_t, H> r{}, z{}, n{}, hq{};
  for (std::size_t j = 0; j < H; ++j) {
    for (std::size_t k = 0; k < 2; ++k) {
      const std::int64_t a = c16(mbqm(c.b_in[k * H + j] + dot_in(k * H + j), m(c.mult_in, c.shift_in, k)));
      const std::int64_t b = c16(mbqm(c.b_rec[k * H + j] + dot_rec(k * H + j), m(c.mult_rec, c.shift_rec, k)));
      (k == 0 ? r : z)[j] = ctml::kernels::s16::logistic(static_cast<std::int16_t>(c16(a + b)), 0, 0);
    }
    hq[j] = c16(mbqm(std::int64_t{h[j]} - c.hidden_zero_point, c.mul_hq));
  }
  for (std::size_t j = 0; j < H; ++j) {
    const std::int64_t a = c16(mbqm(c.b_in[2 * H + j] + dot_in(2 * H + j), m(c.mult_in, c.shift_in, 2)));
    std::int64_t b = 0;
    if (after) {
      b = rdbp(r[j] * c16(mbqm(c.b_rec[2 * H + j] + dot_rec(2 * H + j), m(c.mult_rec, c.shift_rec, 2))), 15);
    } else {
      std::int64_t acc = 0;
      for (std::size_t i = 0; i < H; ++i) acc += c.w_rec[(2 * H + j) * H + i] * c16(rdbp(r[i] * hq[i], 15));
      b = c16(mbqm64(acc, m(c.mult_rec, c.shift_rec, 2)));
    }
    n[j] = ctml::kernels::s16::tanh(static_cast<std::int16_t>(c16(a + b)), 3, 0);
  }
  for (std::size_t j = 0; j < H; ++j) {
    const std::int64_t mix = c16(n[j] + rdbp(z[j] * (hq[j] - n[j]), 15));
    h[j] = static_cast<std::int8_t>(clamp(mbqm(mix, c.mul_h) + c.hidden_zero_point, -128, 127));
  }
}
}  // namespace ref

struct Lcg {
  std::uint32_t s;
  constexpr float uniform(float a) {  // in [-a, a)
    s = s * 1664525u + 1013904223u;
    return a * (static_cast<float>(s >> 8) / 8388608.0f - 1.0f);
  }
};

template <std::size_t F, std::size_t H, Reset R>
constexpr ctml::GRUCell<float, F, H, R> random_cell(std::uint32_t seed, float scale) {
  ctml::GRUCell<float, F, H, R> c{};
  Lcg g{seed};
  std::apply([&](auto&... t) { ((void)[&] { for (auto& v : t) v = g.uniform(scale); }(), ...); }, c.parameters());
  return c;
}

template <Reset R>
void kernel_against_reference() {
  constexpr std::size_t F = 5, H = 7;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    // Weights of growing size (gates from gentle to saturated), hidden ranges narrow and wide.
    const auto f = random_cell<F, H, R>(seed, 0.2f + 0.1f * static_cast<float>(seed % 12));
    const q::QParams xin{0.01f + 0.002f * static_cast<float>(seed % 7), static_cast<std::int32_t>(seed % 9) - 4};
    const q::QParams hid{(seed % 3 == 0 ? 1.0f : 2.0f) / (seed % 2 ? 255.0f : 180.0f), static_cast<std::int32_t>(seed % 5) - 2};
    const auto c = q::make_qgru_cell(f, xin, hid);
    Lcg g{seed * 7919u};
    std::array<std::int8_t, H> h{}, h_ref{};
    for (std::size_t j = 0; j < H; ++j) h[j] = h_ref[j] = static_cast<std::int8_t>(g.uniform(120.0f));
    std::array<std::int16_t, 4 * H> scratch{};
    for (int t = 0; t < 12; ++t) {
      std::array<std::int8_t, F> x{};
      for (auto& v : x) v = static_cast<std::int8_t>(g.uniform(128.0f));
      c.step(x.data(), h.data(), h.data(), scratch.data());
      ref::step(c, x.data(), h_ref.data());
      for (std::size_t j = 0; j < H; ++j) CHECK(h[j] == h_ref[j]);
    }
  }
}

}  // namespace

TEST_CASE("int8 GRU step: bit for bit with the reference, reset after and before") {
  kernel_against_reference<Reset::after>();
  kernel_against_reference<Reset::before>();
}

namespace {
constexpr std::size_t PT = 10, PF = 4, PH = 12;

template <Reset R>
using FloatGruNet = ctml::Sequential<float, ctml::Shape<PT, PF>, ctml::GRU<PH, ctml::rnn::Output::sequence, R>, ctml::GRU<PH, ctml::rnn::Output::last, R>,
                                     ctml::Dense<3>>;

template <Reset R>
void ptq_against_float() {
  using Net = FloatGruNet<R>;
  Net net{};
  Lcg g{9};
  std::apply([&](auto&... t) { ((void)[&] { for (auto& v : t) v = g.uniform(0.7f); }(), ...); }, net.parameters());
  for (std::size_t j = 0; j < PH; ++j) net.template layer<0>().h0[j] = g.uniform(0.8f);
  static std::array<typename Net::input_type, 96> calib{}, test{};
  for (auto& x : calib)
    for (auto& v : x) v = g.uniform(2.0f);
  for (auto& x : test)
    for (auto& v : x) v = g.uniform(2.0f);
  const auto qm = q::quantize(net, calib);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(qm.model.template layer<0>())>, q::QGRULayer<PT, PF, PH, ctml::rnn::Output::sequence, R>>);
  double worst = 0;
  for (const auto& x : test) {
    const auto yf = net.infer(x);
    const auto yq = qm(x);
    for (std::size_t i = 0; i < yf.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(yq[i] - yf[i])));
  }
  MESSAGE("PTQ GRU (reset " << std::string(R == Reset::after ? "after" : "before") << "): worst |int8 - float| = " << worst << ", output step "
                            << qm.output.scale);
  CHECK(worst <= 6 * static_cast<double>(qm.output.scale));

  // Streaming == sequence, byte for byte, from the same cell (h0 included).
  const auto& l0 = qm.model.template layer<0>();
  using Stream = ctml::Chain<q::QStreamingGRULayer<PF, PH, R>>;
  const Stream stream{{{{q::make_qstreaming_gru(static_cast<const q::QGRUCell<PF, PH, R>&>(l0))}}}};
  typename q::QGRULayer<PT, PF, PH, ctml::rnn::Output::sequence, R>::input_type xq{};
  for (std::size_t i = 0; i < xq.size(); ++i) xq[i] = q::quantize_s8(test[3][i], qm.input);
  typename q::QGRULayer<PT, PF, PH, ctml::rnn::Output::sequence, R>::output_type yseq{};
  std::array<std::int16_t, 4 * PH> scratch{};
  l0.forward(xq.data(), yseq.data(), scratch.data());
  typename Stream::state_type state{};
  stream.reset(state);
  alignas(16) std::array<std::byte, Stream::arena_bytes + 1> arena{};
  for (std::size_t t = 0; t < PT; ++t) {
    typename Stream::input_type frame{};
    typename Stream::output_type y{};
    for (std::size_t i = 0; i < PF; ++i) frame[i] = xq[t * PF + i];
    stream(frame, y, arena, state);
    for (std::size_t j = 0; j < PH; ++j) CHECK(y[j] == yseq[t * PH + j]);
  }
}
}  // namespace

TEST_CASE("PTQ of float GRUs: within int8 rounding of the float network; streaming == sequence") {
  ptq_against_float<Reset::after>();
  ptq_against_float<Reset::before>();
}

TEST_CASE("an int8 GRU evaluated by the compiler equals the run-time result") {
  constexpr auto run = [] {
    const auto c = q::make_qgru_cell(random_cell<3, 5, Reset::before>(3, 0.8f), q::QParams{0.02f, 3}, q::QParams{1.0f / 200.0f, -5});
    const auto l = q::make_qgru<6, ctml::rnn::Output::last>(c);
    typename decltype(l)::input_type x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int8_t>(static_cast<int>(i * 37 % 251) - 125);
    typename decltype(l)::output_type y{};
    std::array<std::int16_t, decltype(l)::scratch_size> scratch{};
    l.forward(x.data(), y.data(), scratch.data());
    return y;
  };
  constexpr auto at_compile_time = run();
  const auto at_run_time = run();
  for (std::size_t j = 0; j < at_run_time.size(); ++j) CHECK(at_compile_time[j] == at_run_time[j]);
}
