// The int8 ops added for issue 3 (MAX_POOL_2D, MEAN, ADD, LOGISTIC, TANH, QUANTIZE, DEQUANTIZE,
// Conv1D) against references written here independently: the real-number formula evaluated in
// double / long double, followed by TFLite's rounding rules spelled out (round half up for the
// doubling high multiply, half away from zero for power-of-two divisions and integer means).
// Elementwise ops are checked exhaustively over all 256 int8 inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <ctml/layers/conv1d.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/quant/add_s8.hpp>
#include <ctml/quant/conv1d_s8.hpp>
#include <ctml/quant/logistic_s8.hpp>
#include <ctml/quant/maxpool_s8.hpp>
#include <ctml/quant/mean_s8.hpp>
#include <ctml/quant/quantize_s8.hpp>
#include <ctml/quant/tanh_s8.hpp>

using namespace ctml;

namespace {
std::uint32_t g_seed = 77;
std::int8_t r8() { return static_cast<std::int8_t>((g_seed = g_seed * 1664525u + 1013904223u) >> 24); }

long long clamp8(long long v, long long lo = -128, long long hi = 127) { return v < lo ? lo : (v > hi ? hi : v); }

// Round half away from zero.
long long round_away(long double v) { return static_cast<long long>(v >= 0 ? std::floor(v + 0.5L) : -std::floor(-v + 0.5L)); }

// TFLite MultiplyByQuantizedMultiplier, from its definition: x * 2^left, then the doubling high
// multiply rounds x*q / 2^31 half up (toward +inf), then the right shift divides by 2^right
// rounding half away from zero. Exact in 64-bit integers (TFLite keeps x * 2^left within int32, so
// |x * 2^left * q| < 2^62), also on targets whose long double is only a double.
long long ref_mbqm(long long x, std::int32_t q, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const long long prod = x * (1ll << left) * static_cast<long long>(q);
  const long long hi = (prod + (1ll << 30)) >> 31;  // floor((prod + 2^30) / 2^31): half up
  if (right == 0) return hi;
  const long long half = 1ll << (right - 1);
  return hi >= 0 ? (hi + half) >> right : -((-hi + half) >> right);
}

constexpr quant::QParams qp(double scale, int zp) { return {static_cast<float>(scale), zp}; }
}  // namespace

// ---------------------------------------------------------------------------------------------
TEST_CASE("MAX_POOL_2D int8: window max over taps inside the input, fused clamp") {
  // 7x6x3 input, 3x2 window, stride 2, same padding (pad top 1, left 0), relu6-like clamp.
  constexpr kernels::Conv2DGeometry g{7, 6, 3, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1, 0};
  quant::QMaxPool2DLayer<g> l{};
  const auto q = qp(0.05, -20);
  const auto r = quant::activation_range(Activation::relu6, q);
  l.act_min = r.min;
  l.act_max = r.max;
  CHECK(r.min == -20);
  CHECK(r.max == -20 + 120);
  std::vector<std::int8_t> in(7 * 6 * 3), out(4 * 3 * 3);
  for (auto& v : in) v = r8();
  l.forward(in.data(), out.data(), nullptr);
  for (std::size_t oy = 0; oy < 4; ++oy)
    for (std::size_t ox = 0; ox < 3; ++ox)
      for (std::size_t c = 0; c < 3; ++c) {
        // Max of the real values, then requantized: pooling commutes with the affine map.
        double best = -1e30;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 2; ++kx) {
            const int iy = int(oy) * 2 + ky - 1, ix = int(ox) * 2 + kx;
            if (iy < 0 || ix < 0 || iy >= 7 || ix >= 6) continue;
            best = std::max(best, 0.05 * (in[(std::size_t(iy) * 6 + std::size_t(ix)) * 3 + c] + 20));
          }
        best = std::min(std::max(best, 0.0), 6.0);
        CHECK(out[(oy * 3 + ox) * 3 + c] == clamp8(round_away(best / 0.05L) - 20));
      }
}

TEST_CASE("MAX_POOL_2D int8 in a constant expression") {
  static constexpr kernels::Conv2DGeometry g{2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 0, 0};
  constexpr auto y = [] {
    quant::QMaxPool2DLayer<g> l{};
    l.act_max = 50;
    const std::int8_t in[4] = {-7, 3, 100, -128};
    std::int8_t out[1]{};
    l.forward(in, out, nullptr);
    return out[0];
  }();
  static_assert(y == 50);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("MEAN over H,W int8: TFLite Micro's integer mean (1/n folded into the multiplier), equal parameters too") {
  using In = Shape<5, 4, 6>;  // n = 20
  struct Case {
    quant::QParams in, out;
  };
  for (const Case cs : {Case{qp(0.1, 3), qp(0.1, 3)}, Case{qp(0.1, 3), qp(0.04, -9)}, Case{qp(0.02, -128), qp(0.05, 20)},
                        Case{qp(0.37, 100), qp(0.011, -1)}, Case{qp(0.05, 7), qp(0.05, -7)}}) {
    const auto l = quant::make_qmean<In>(cs.in, cs.out);
    // Parameters from their definition: QuantizeMultiplier(in/out), then s = min(floor(log2 20) = 4,
    // 32, 31 + shift), M' = trunc(M * 2^s / 20), shift' = shift - s.
    const double m = static_cast<double>(cs.in.scale) / static_cast<double>(cs.out.scale);
    int e = 0;
    const double f = std::frexp(m, &e);
    const auto mq = std::llround(f * 2147483648.0);
    const int s = std::min(4, 31 + e);
    const auto m2 = static_cast<std::int32_t>((mq << s) / 20);
    CHECK(l.multiplier == m2);
    CHECK(l.shift == e - s);
    for (int trial = 0; trial < 50; ++trial) {
      Tensor<std::int8_t, In> x{};
      for (auto& v : x) v = r8();
      if (trial == 0) x.fill(-128);
      if (trial == 1) x.fill(127);
      Tensor<std::int8_t, Shape<6>> y{};
      l.forward(x.data(), y.data(), nullptr);
      for (std::size_t c = 0; c < 6; ++c) {
        long long raw = 0;
        for (std::size_t p = 0; p < 20; ++p) raw += x[p * 6 + c];
        // TFLM's QuantizedMeanOrSum for every parameter pair (the TFLM the tests run against has no
        // truncating path for equal parameters; tests/import compares a whole model with it).
        const long long expect = clamp8(ref_mbqm(raw - 20ll * cs.in.zero_point, m2, e - s) + cs.out.zero_point);
        CHECK(y[c] == expect);
        // And within one step of the real-number mean.
        const double real = static_cast<double>(cs.in.scale) * (static_cast<double>(raw) / 20.0 - cs.in.zero_point) /
                                static_cast<double>(cs.out.scale) +
                            cs.out.zero_point;
        CHECK(std::abs(static_cast<double>(y[c]) - static_cast<double>(clamp8(std::llround(real)))) <= 1.0);
      }
    }
  }
  static_assert([] {  // equal parameters: 66.75 rounds to 67 (a truncating mean gave 66)
    const auto l = quant::make_qmean<Shape<4, 1>>(qp(0.0392, -1), qp(0.0392, -1));
    const std::int8_t in[4] = {95, 47, 58, 67};
    std::int8_t out[1]{};
    l.forward(in, out, nullptr);
    return out[0];
  }() == 67);
  static_assert([] {
    const auto l = quant::make_qmean<Shape<2, 1>>(qp(0.1, 0), qp(0.2, 5));
    const std::int8_t in[2] = {40, 23};  // real mean 3.15 = 15.75 steps of 0.2, + 5 -> 20.75
    std::int8_t out[1]{};
    l.forward(in, out, nullptr);
    return out[0];
  }() == 21);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("ADD int8: both inputs rescaled with left_shift 20, exhaustive over all input pairs") {
  struct Case {
    quant::QParams a, b, out;
    Activation act;
  };
  const Case cases[] = {{qp(0.05, -3), qp(0.05, -3), qp(0.1, -6), Activation::none},
                        {qp(0.0313, 10), qp(0.127, -128), qp(0.13, 5), Activation::relu},
                        {qp(0.2, 0), qp(0.01, 7), qp(0.03, -40), Activation::relu6},
                        {qp(0.004, -128), qp(0.009, 90), qp(0.011, 0), Activation::relu_n1_to_1}};
  for (const Case& cs : cases) {
    const auto add = quant::make_qadd<Shape<1>>(cs.a, cs.b, cs.out, cs.act);
    // Parameters from their definitions.
    const double twice = 2.0 * std::max(static_cast<double>(cs.a.scale), static_cast<double>(cs.b.scale));
    auto quantized = [](double m) {
      int e = 0;
      const double f = std::frexp(m, &e);
      long long q = std::llround(f * 2147483648.0);
      if (q == (1ll << 31)) {
        q /= 2;
        ++e;
      }
      return std::pair<std::int32_t, int>{static_cast<std::int32_t>(q), e};
    };
    const auto [ma, ea] = quantized(static_cast<double>(cs.a.scale) / twice);
    const auto [mb, eb] = quantized(static_cast<double>(cs.b.scale) / twice);
    const auto [mo, eo] = quantized(twice / (1048576.0 * static_cast<double>(cs.out.scale)));
    // Clamp bounds: zero_point + round(r / scale), the quotient in float.
    auto bound = [&](float r) { return cs.out.zero_point + round_away(static_cast<long double>(r / cs.out.scale)); };
    long long lo = -128, hi = 127;
    if (cs.act == Activation::relu || cs.act == Activation::relu6) lo = std::max(lo, bound(0.0f));
    if (cs.act == Activation::relu6) hi = std::min(hi, bound(6.0f));
    if (cs.act == Activation::relu_n1_to_1) {
      lo = std::max(lo, bound(-1.0f));
      hi = std::min(hi, bound(1.0f));
    }
    int exact = 0, near = 0, tabulated = 0;
    const auto tables = quant::AddTables::make(add.params);  // what a residual block's ADD runs
    for (int a = -128; a <= 127; ++a)
      for (int b = -128; b <= 127; ++b) {
        const std::int8_t xa = static_cast<std::int8_t>(a), xb = static_cast<std::int8_t>(b);
        std::int8_t y = 0;
        add(&xa, &xb, &y);
        tabulated += tables.apply(add.params, xa, xb) == y;
        const long long sa = ref_mbqm(static_cast<long long>(a - cs.a.zero_point) * 1048576, ma, ea);
        const long long sb = ref_mbqm(static_cast<long long>(b - cs.b.zero_point) * 1048576, mb, eb);
        const long long expect = clamp8(ref_mbqm(sa + sb, mo, eo) + cs.out.zero_point, lo, hi);
        exact += y == expect;
        const double real = (static_cast<double>(cs.a.scale) * (a - cs.a.zero_point) +
                             static_cast<double>(cs.b.scale) * (b - cs.b.zero_point)) /
                                static_cast<double>(cs.out.scale) +
                            cs.out.zero_point;
        near += std::abs(static_cast<double>(y) - static_cast<double>(clamp8(std::llround(real), lo, hi))) <= 1.0;
      }
    CHECK(exact == 65536);
    CHECK(near == 65536);
    CHECK(tabulated == 65536);
    // The kernel over whole tensors (kernels/s8/add.hpp; Helium: four lanes per step, gathers
    // from the tables or the rescaling in vector lanes, the last step predicated), with and
    // without tables, over every pair, 255 elements (not a multiple of 4), nothing written beyond.
    std::size_t vector_wrong = 0;
    static std::int8_t va[256], vb[256], vy[256], vz[256];
    for (int b = -128; b <= 127; ++b) {
      for (int i = 0; i < 256; ++i) {
        va[i] = static_cast<std::int8_t>(i - 128);
        vb[i] = static_cast<std::int8_t>(b);
      }
      vy[255] = vz[255] = 77;
      kernels::s8::add_s8(add.params, tables, va, vb, vy, 255);
      kernels::s8::add_s8(add.params, quant::NoAddTables{}, va, vb, vz, 255);
      for (int i = 0; i < 255; ++i) {
        const std::int8_t want = add.params.apply(va[i], vb[i]);
        vector_wrong += (vy[i] != want) + (vz[i] != want);
      }
      vector_wrong += (vy[255] != 77) + (vz[255] != 77);
      // In place (y is a), as a residual block's merge runs it.
      kernels::s8::add_s8(add.params, tables, va, vb, va, 256);
      for (int i = 0; i < 256; ++i) vector_wrong += va[i] != add.params.apply(static_cast<std::int8_t>(i - 128), vb[i]);
    }
    CHECK(vector_wrong == 0);
  }
  // Aliasing output with an input, tensors.
  const auto add = quant::make_qadd<Shape<4>>(qp(0.1, 0), qp(0.1, 0), qp(0.1, 0));
  Tensor<std::int8_t, Shape<4>> a{{1, -2, 100, -100}}, b{{3, 4, 100, -100}};
  add(a, b, a);
  CHECK(a == Tensor<std::int8_t, Shape<4>>{{4, 2, 127, -128}});
  static_assert(quant::make_add_params(qp(0.1, 0), qp(0.1, 0), qp(0.1, 0)).apply(20, 22) == 42);
}

// ---------------------------------------------------------------------------------------------
namespace {
// LOGISTIC/TANH reference: the rescaled input a = MBQM(d) (exact integer step, TFLite rounding),
// read as a / 2^27, through the double-precision function, scaled to Q0.31 and divided by 2^k
// with round-half-away; outside the input radius TFLite saturates without evaluating.
struct FnStats {
  int exact = 0, within_one = 0;
};
template <class Fn>
FnStats check_fn(Fn op, double (*f)(double), quant::QParams in, int out_shift_bits, int out_zp) {
  // TFLite's Prepare, from its definition.
  int e = 0;
  const double frac = std::frexp(static_cast<double>(in.scale) * 134217728.0, &e);
  const auto m = static_cast<std::int32_t>(std::llround(frac * 2147483648.0));
  const auto radius = static_cast<long long>(std::floor(15.0 * 134217728.0 / std::ldexp(1.0, e)));
  FnStats s;
  for (int x = -128; x <= 127; ++x) {
    const long long d = x - in.zero_point;
    long long expect = 0;
    if (d <= -radius) expect = -128;
    else if (d >= radius) expect = 127;
    else {
      const long long a = ref_mbqm(d, m, e);
      const long double v = static_cast<long double>(f(static_cast<double>(a) / 134217728.0)) * 2147483648.0L;
      expect = clamp8(round_away(v / std::ldexp(1.0L, out_shift_bits)) + out_zp);
    }
    const int got = op(static_cast<std::int8_t>(x));
    s.exact += got == expect;
    s.within_one += std::abs(got - expect) <= 1;
    // Monotone in x.
    if (x > -128) CHECK(op(static_cast<std::int8_t>(x)) >= op(static_cast<std::int8_t>(x - 1)));
  }
  return s;
}
double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }
double tanh_d(double v) { return std::tanh(v); }
}  // namespace

TEST_CASE("LOGISTIC int8: exhaustive over all inputs, for several input scales") {
  int total_exact = 0, total = 0;
  for (const auto in : {qp(0.1, 0), qp(0.0625, -10), qp(0.02, -128), qp(0.25, 30), qp(0.0039, 5), qp(0.5, 127)}) {
    const auto l = quant::make_qlogistic<Shape<256>>(in);
    const auto st = check_fn([&](std::int8_t x) { return quant::logistic_s8(x, l.params); }, sigmoid, in, 23, -128);
    CHECK(st.within_one == 256);
    CHECK(st.exact == 256);
    total_exact += st.exact;
    total += 256;
    // The layer equals the scalar function, in place.
    Tensor<std::int8_t, Shape<256>> t{};
    for (int i = 0; i < 256; ++i) t[std::size_t(i)] = static_cast<std::int8_t>(i - 128);
    l.forward(t.data(), t.data(), nullptr);
    for (int i = 0; i < 256; ++i) CHECK(t[std::size_t(i)] == quant::logistic_s8(static_cast<std::int8_t>(i - 128), l.params));
  }
  std::printf("LOGISTIC int8: %d of %d outputs equal the double-precision reference\n", total_exact, total);
  // x == zp gives exactly one half: 2^30 / 2^23 = 128 -> 0.
  static_assert(quant::logistic_s8(0, quant::make_qlogistic<Shape<1>>(qp(0.1, 0)).params) == 0);
  static_assert(quant::logistic_s8(127, quant::make_qlogistic<Shape<1>>(qp(0.1, 0)).params) == 127);
  static_assert(quant::logistic_s8(-128, quant::make_qlogistic<Shape<1>>(qp(0.1, 0)).params) == -128);
}

TEST_CASE("TANH int8: exhaustive over all inputs, for several input scales") {
  int total_exact = 0, total = 0;
  for (const auto in : {qp(0.1, 0), qp(0.0625, -10), qp(0.02, -128), qp(0.25, 30), qp(0.0039, 5), qp(0.5, 127)}) {
    const auto l = quant::make_qtanh<Shape<256>>(in);
    const auto st = check_fn([&](std::int8_t x) { return quant::tanh_s8(x, l.params); }, tanh_d, in, 24, 0);
    // The layer's table equals the scalar function.
    Tensor<std::int8_t, Shape<256>> t{};
    for (int i = 0; i < 256; ++i) t[std::size_t(i)] = static_cast<std::int8_t>(i - 128);
    Tensor<std::int8_t, Shape<256>> y{};
    l.forward(t.data(), y.data(), nullptr);
    for (int i = 0; i < 256; ++i) CHECK(y[std::size_t(i)] == quant::tanh_s8(t[std::size_t(i)], l.params));
    CHECK(st.within_one == 256);
    CHECK(st.exact == 256);
    total_exact += st.exact;
    total += 256;
  }
  std::printf("TANH int8: %d of %d outputs equal the double-precision reference\n", total_exact, total);
  constexpr auto p = quant::make_qtanh<Shape<1>>(qp(0.05, 0)).params;
  static_assert(quant::tanh_s8(0, p) == 0);
  static_assert(quant::tanh_s8(20, p) == -quant::tanh_s8(-20, p));
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("QUANTIZE / DEQUANTIZE: TFLite's affine maps, ties away from zero, saturation") {
  const auto q = qp(0.0123, -7);
  quant::QuantizeLayer<Shape<1>> ql{q};
  quant::DequantizeLayer<Shape<1>> dl{q};
  // Dequantize: exhaustive.
  for (int v = -128; v <= 127; ++v) {
    const std::int8_t x = static_cast<std::int8_t>(v);
    float y = 0;
    dl.forward(&x, &y, nullptr);
    CHECK(y == static_cast<float>(static_cast<double>(q.scale) * (v - q.zero_point)));
    // Quantize inverts it exactly.
    std::int8_t back = 0;
    ql.forward(&y, &back, nullptr);
    CHECK(back == x);
  }
  // Quantize: a fine grid including exact ties.
  for (int k = -40000; k <= 40000; ++k) {
    const float x = static_cast<float>(k) * 0.00007f;
    std::int8_t got = 0;
    ql.forward(&x, &got, nullptr);
    const float ratio = x / q.scale;
    const long long r = static_cast<long long>(std::round(ratio));  // std::round: half away from zero
    CHECK(got == clamp8(r + q.zero_point));
  }
  const auto q2 = qp(0.5, 0);
  CHECK(quant::quantize_s8(0.25f, q2) == 1);
  CHECK(quant::quantize_s8(-0.25f, q2) == -1);
  CHECK(quant::quantize_s8(0.75f, q2) == 2);
  CHECK(quant::quantize_s8(1e30f, q2) == 127);
  CHECK(quant::quantize_s8(-1e30f, q2) == -128);
  static_assert(quant::quantize_s8(-0.75f, {0.5f, 0}) == -2);
  static_assert(quant::dequantize_s8(-2, {0.5f, 3}) == -2.5f);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("Conv1D int8: the Conv2D kernel with a height of one equals the 1-D formula") {
  using F = Conv1DLayer<float, Shape<11, 3>, 5, 3, ConvOptions<Stride<2>, Same>>;
  constexpr auto G = F::geometry;
  quant::QConv1DLayer<G> l{};
  for (auto& w : l.weights) w = r8();
  for (auto& b : l.bias) b = r8() * 11;
  for (std::size_t co = 0; co < 5; ++co) {
    const auto m = quant::quantize_multiplier(0.003 + 0.0007 * static_cast<double>(co));
    l.multiplier[co] = m.value;
    l.shift[co] = m.shift;
  }
  l.input_zero_point = -9;
  l.output_zero_point = 4;
  l.prepare();
  static_assert(std::is_same_v<quant::QConv1DLayer<G>::input_type, Tensor<std::int8_t, Shape<11, 3>>>);
  static_assert(std::is_same_v<quant::QConv1DLayer<G>::output_type, Tensor<std::int8_t, Shape<6, 5>>>);
  Tensor<std::int8_t, Shape<11, 3>> x{};
  for (auto& v : x) v = r8();
  Tensor<std::int8_t, Shape<6, 5>> y{};
  std::int8_t scratch[quant::QConv1DLayer<G>::scratch_size + 1];  // as a network's plan provides it
  l.forward(x.data(), y.data(), scratch);
  // Same padding, kernel 3, stride 2 on 11: output 6, total pad (5*2+3-11) = 2, 1 before.
  for (std::size_t o = 0; o < 6; ++o)
    for (std::size_t co = 0; co < 5; ++co) {
      long long acc = l.bias[co];
      for (std::size_t k = 0; k < 3; ++k) {
        const long i = long(o * 2 + k) - 1;
        if (i < 0 || i >= 11) continue;
        for (std::size_t c = 0; c < 3; ++c) acc += l.weights[(co * 3 + k) * 3 + c] * (x(std::size_t(i), c) + 9);
      }
      CHECK(y(o, co) == clamp8(ref_mbqm(acc, l.multiplier[co], l.shift[co]) + 4));
    }
}
