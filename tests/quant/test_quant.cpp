// Requantization primitives against wide-integer/double formulas, and the int8 Dense kernel
// against a straightforward reference loop.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

#include <ctml/quant/ptq.hpp>

using namespace ctml;

namespace {
// Reference: round(x * m) with m = q * 2^(shift - 31), ties away from zero, computed in long
// double arithmetic (exact for these ranges) with TFLite's two-step rounding.
std::int32_t ref_mbqm(std::int32_t x, std::int32_t q, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const long long xl = static_cast<long long>(x) * (1ll << left);
  // SRDHM: round(xl * q / 2^31), half away from zero.
  const long double prod = static_cast<long double>(xl) * q / 2147483648.0L;
  const long long hi = static_cast<long long>(prod >= 0 ? std::floor(prod + 0.5L) : -std::floor(-prod + 0.5L));
  if (right == 0) return static_cast<std::int32_t>(hi);
  const long double d = static_cast<long double>(hi) / static_cast<long double>(1ll << right);
  return static_cast<std::int32_t>(d >= 0 ? std::floor(d + 0.5L) : -std::floor(-d + 0.5L));
}
}  // namespace

TEST_CASE("quantize_multiplier represents the real multiplier") {
  for (double m : {1e-6, 0.0003, 0.0123, 0.25, 0.5, 0.75, 0.999999, 1.0, 1.5, 7.3}) {
    const auto q = quant::quantize_multiplier(m);
    CHECK(q.value >= (1 << 30));
    CHECK(static_cast<double>(q.value) * std::ldexp(1.0, q.shift - 31) == doctest::Approx(m).epsilon(1e-9));
  }
  static_assert(quant::quantize_multiplier(0.0).value == 0);
}

TEST_CASE("multiply_by_quantized_multiplier matches the rounding formula") {
  std::uint32_t s = 1;
  for (int k = 0; k < 20000; ++k) {
    s = s * 1664525u + 1013904223u;
    const auto x = static_cast<std::int32_t>(s) >> (s % 12);
    s = s * 1664525u + 1013904223u;
    const double m = std::ldexp(0.5 + (s >> 8) / double(1 << 25), -static_cast<int>(s % 20));
    const auto q = quant::quantize_multiplier(m);
    CHECK(quant::multiply_by_quantized_multiplier(x, q) == ref_mbqm(x, q.value, q.shift));
  }
  CHECK(quant::rounding_divide_by_pot(-5, 1) == -3);
  CHECK(quant::rounding_divide_by_pot(5, 1) == 3);
  CHECK(quant::rounding_divide_by_pot(-6, 2) == -2);
  CHECK(quant::saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX);
}

TEST_CASE("int8 Dense equals a reference loop and tracks its float twin") {
  DenseLayer<float, Shape<20>, 7, Activation::relu> f{};
  std::uint32_t s = 9;
  auto rnd = [&] {
    s = s * 1664525u + 1013904223u;
    return static_cast<float>(static_cast<int>(s >> 8) - (1 << 23)) / static_cast<float>(1 << 23);
  };
  for (auto& v : f.weights) v = rnd();
  for (auto& v : f.bias) v = 0.1f * rnd();
  const auto in_q = quant::choose_qparams(-1.0, 1.0), out_q = quant::choose_qparams(0.0, 6.0);
  const auto q = quant::make_qdense(f, in_q, out_q);
  Tensor<float, Shape<20>> x{};
  Tensor<std::int8_t, Shape<20>> qx{};
  for (std::size_t i = 0; i < 20; ++i) {
    x[i] = rnd();
    qx[i] = quant::quantize_value(x[i], in_q);
  }
  Tensor<std::int8_t, Shape<7>> y{};
  q.forward(qx.data(), y.data(), nullptr);
  Tensor<float, Shape<7>> yf{};
  f.forward(x.data(), yf.data(), nullptr);
  for (std::size_t o = 0; o < 7; ++o) {
    long long acc = q.bias[o];
    for (std::size_t i = 0; i < 20; ++i) acc += static_cast<long long>(q.weights(o, i)) * (qx[i] - in_q.zero_point);
    long long r = quant::multiply_by_quantized_multiplier(static_cast<std::int32_t>(acc), {q.multiplier[o], q.shift[o]}) +
                  out_q.zero_point;
    r = r < q.act_min ? q.act_min : (r > q.act_max ? q.act_max : r);
    CHECK(y[o] == r);
    CHECK(quant::dequantize_value(y[o], out_q) == doctest::Approx(yf[o]).epsilon(0.05).scale(1.0));
  }
}
