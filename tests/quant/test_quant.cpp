// Requantization primitives against wide-integer/double formulas, and the int8 Dense kernel
// against a straightforward reference loop.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

#include <ctml/quant/ptq.hpp>
#include <ctml/kernels/s8/requantize_avx512.hpp>

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

// Shapes that reach every path of the kernels: whole blocks of four units and the leftover units,
// whole quads of inputs and the leftover inputs (Cortex-M DSP: widened weights, dense.hpp).
template <std::size_t In, std::size_t Units>
void check_dense_against_reference() {
  CAPTURE(In);
  CAPTURE(Units);
  DenseLayer<float, Shape<In>, Units, Activation::relu> f{};
  std::uint32_t s = 9 + In;
  auto rnd = [&] {
    s = s * 1664525u + 1013904223u;
    return static_cast<float>(static_cast<int>(s >> 8) - (1 << 23)) / static_cast<float>(1 << 23);
  };
  for (auto& v : f.weights) v = rnd();
  for (auto& v : f.bias) v = 0.1f * rnd();
  const auto in_q = quant::choose_qparams(-1.0, 1.0), out_q = quant::choose_qparams(0.0, 6.0);
  static const auto q = quant::make_qdense(f, in_q, out_q);
  Tensor<float, Shape<In>> x{};
  Tensor<std::int8_t, Shape<In>> qx{};
  for (std::size_t i = 0; i < In; ++i) {
    x[i] = rnd();
    qx[i] = quant::quantize_value(x[i], in_q);
  }
  Tensor<std::int8_t, Shape<Units>> y{};
  q.forward(qx.data(), y.data(), nullptr);
  Tensor<float, Shape<Units>> yf{};
  f.forward(x.data(), yf.data(), nullptr);
  const float tolerance = 0.05f * (In >= 64 ? 4.0f : 1.0f);  // wider layers accumulate more rounding
  for (std::size_t o = 0; o < Units; ++o) {
    long long acc = q.bias[o];
    for (std::size_t i = 0; i < In; ++i) acc += static_cast<long long>(q.weights(o, i)) * (qx[i] - in_q.zero_point);
    long long r = quant::multiply_by_quantized_multiplier(static_cast<std::int32_t>(acc), {q.multiplier[o], q.shift[o]}) +
                  out_q.zero_point;
    r = r < q.act_min ? q.act_min : (r > q.act_max ? q.act_max : r);
    CHECK(y[o] == r);
    CHECK(quant::dequantize_value(y[o], out_q) == doctest::Approx(yf[o]).epsilon(tolerance).scale(1.0));
  }
}

TEST_CASE("int8 Dense equals a reference loop and tracks its float twin") {
  check_dense_against_reference<20, 7>();   // a block of four units and three more
  check_dense_against_reference<22, 9>();   // two inputs past the last quad
  check_dense_against_reference<8, 4>();    // two quads, one block
  check_dense_against_reference<128, 12>();
  check_dense_against_reference<3, 5>();    // fewer inputs than a quad
}

#include <vector>

#include <ctml/layers/conv2d.hpp>
#include <ctml/quant/conv_s8.hpp>

#include "int8_reference.hpp"

namespace {
std::uint32_t g_s = 5;
std::int8_t r8() { return static_cast<std::int8_t>((g_s = g_s * 1664525u + 1013904223u) >> 24); }

// The TFLite reference formula (tests/support/int8_reference.hpp), for Tagged layers.
template <class L>
std::vector<std::int8_t> ref_conv(const L& l, const std::int8_t* in, bool depthwise) {
  return test::ref_conv2d<decltype(l.geometry_tag())::value>(l, in, depthwise);
}

template <kernels::Conv2DGeometry G>
struct Tagged : quant::QConv2DLayer<G> {
  static constexpr auto geometry_tag() { return std::integral_constant<kernels::Conv2DGeometry, G>{}; }
};
template <kernels::Conv2DGeometry G>
struct TaggedDw : quant::QDepthwiseConv2DLayer<G> {
  static constexpr auto geometry_tag() { return std::integral_constant<kernels::Conv2DGeometry, G>{}; }
};

// The scratch a layer declares (scratch_size), as a network's plan provides it.
template <class L>
std::vector<std::int8_t> scratch_of(const L&) {
  return std::vector<std::int8_t>(L::scratch_size + 1);
}

template <class L>
void randomize(L& l) {
  for (auto& w : l.weights) w = r8();
  for (auto& b : l.bias) b = static_cast<std::int32_t>(r8()) * 37;
  for (std::size_t i = 0; i < l.multiplier.size(); ++i) {
    const auto q = quant::quantize_multiplier(0.002 + 0.001 * static_cast<double>(i % 7));
    l.multiplier[i] = q.value;
    l.shift[i] = q.shift;
  }
  l.input_zero_point = 17;
  l.output_zero_point = -5;
  l.act_min = -100;
  l.act_max = 120;
}
}  // namespace

namespace {
// TFLite's CalculateActivationRangeQuantized for one bound: zero_point + round(r / scale), the
// quotient in float, half away from zero, inside [-128, 127].
std::int32_t tflite_bound(float r, quant::QParams q) {
  const float ratio = r / q.scale;
  const long v = q.zero_point + std::lround(static_cast<double>(ratio));
  return static_cast<std::int32_t>(std::clamp(v, -128L, 127L));
}
template <Activation A>
auto qdense_with(float bias, quant::QParams in_q, quant::QParams out_q) {
  DenseLayer<float, Shape<3>, 2, A> f{};
  f.weights[0] = 3.0f;
  f.weights[4] = -0.25f;
  f.bias[0] = bias;
  return quant::make_qdense(f, in_q, out_q);
}
}  // namespace

// make_qdense had its own copy of the weight quantizer, which left relu_n1_to_1 unclamped, cast
// an out-of-range bias without saturating and divided 6 by the scale in double: one quantizer now.
TEST_CASE("make_qdense fuses every activation as TFLite does and saturates the bias") {
  const auto in_q = quant::choose_qparams(-1.0, 1.0);
  const auto out_q = quant::choose_qparams(-2.0, 6.0);
  const auto none = qdense_with<Activation::none>(0.0f, in_q, out_q);
  CHECK(none.act_min == -128);
  CHECK(none.act_max == 127);
  const auto relu = qdense_with<Activation::relu>(0.0f, in_q, out_q);
  CHECK(relu.act_min == tflite_bound(0.0f, out_q));
  CHECK(relu.act_max == 127);
  const auto relu6 = qdense_with<Activation::relu6>(0.0f, in_q, out_q);
  CHECK(relu6.act_min == tflite_bound(0.0f, out_q));
  CHECK(relu6.act_max == tflite_bound(6.0f, out_q));
  const auto n1 = qdense_with<Activation::relu_n1_to_1>(0.0f, in_q, out_q);
  CHECK(n1.act_min == tflite_bound(-1.0f, out_q));
  CHECK(n1.act_max == tflite_bound(1.0f, out_q));
  CHECK(n1.act_max < 0);  // q(1) with zero point -64 and scale 8/255: a real clamp, not 127
  // A bias beyond the int32 range at in_scale * w_scale saturates (as the converter's does).
  const auto big = qdense_with<Activation::none>(1e30f, in_q, out_q);
  CHECK(big.bias[0] == INT32_MAX);
  const auto small = qdense_with<Activation::none>(-1e30f, in_q, out_q);
  CHECK(small.bias[0] == INT32_MIN);
  // And the int8 layer clamps its outputs to that range.
  Tensor<std::int8_t, Shape<3>> x{};
  x[0] = 127;
  Tensor<std::int8_t, Shape<2>> y{};
  n1.forward(x.data(), y.data(), nullptr);
  CHECK(y[0] == n1.act_max);
}

// One builder per weighted int8 layer, shared by PTQ and ctml-import's headers
// (quant/output_stage_params.hpp): a layer built from raw values (int8 weights, int32 bias, the
// scales) equals the one PTQ made from the float layer with those scales, member for member.
namespace {
constexpr quant::QParams builder_in{0.5f, 3}, builder_out{0.125f, -7};
// in 0.5 * w 0.25 / out 0.125 = 1.0 = 2^30 (Q31) << 1; in 0.5 * w 0.375 / out 0.125 = 1.5.
constexpr auto built_dense = quant::make_qdense<Shape<2>, 2>({{1, -2, 3, 4}}, {{100, -50}}, builder_in, {0.25, 0.375},
                                                            builder_out, Activation::relu6);
static_assert(built_dense.multiplier[0] == (1 << 30) && built_dense.shift[0] == 1);
static_assert(built_dense.multiplier[1] == 3 * (1 << 29) && built_dense.shift[1] == 1);
static_assert(built_dense.effective_bias[0] == 100 - 3 * (1 - 2) && built_dense.effective_bias[1] == -50 - 3 * 7);
static_assert(built_dense.input_zero_point == 3 && built_dense.output_zero_point == -7);
static_assert(built_dense.act_min == -7 && built_dense.act_max == 41);  // q(0) = -7, q(6) = -7 + 48
}  // namespace

TEST_CASE("the builders give what PTQ gives for the same raw values") {
  const auto in_q = quant::choose_qparams(-1.0, 2.0);
  const auto out_q = quant::choose_qparams(-3.0, 5.0);
  // Conv2D, 3x3 same, 2 -> 3 channels: PTQ of a float layer, then the builder on PTQ's results.
  using FC = Conv2DLayer<float, Shape<5, 4, 2>, 3, 3, 3, ConvOptions<Same, Fuse<Activation::relu>>>;
  FC f{};
  for (std::size_t i = 0; i < f.weights.size(); ++i) f.weights[i] = 0.01f * static_cast<float>(static_cast<int>(i * 37 % 41) - 20);
  for (std::size_t c = 0; c < 3; ++c) f.bias[c] = 0.1f * static_cast<float>(c) - 0.07f;
  quant::QConv2DLayer<FC::geometry> q{};
  quant::quantize_weighted<false>(q, f, in_q, out_q, Activation::relu);
  double ws[3] = {};
  for (std::size_t i = 0; i < f.weights.size(); ++i) ws[i / 18] = std::max(ws[i / 18], std::fabs(static_cast<double>(f.weights[i])) / 127.0);
  const auto b = quant::make_qconv2d<FC::geometry>(q.weights, q.bias, in_q, {ws[0], ws[1], ws[2]}, out_q, Activation::relu);
  CHECK(b.weights == q.weights);
  CHECK(b.bias == q.bias);
  CHECK(b.multiplier == q.multiplier);
  CHECK(b.shift == q.shift);
  CHECK(b.effective_bias == q.effective_bias);
  CHECK(b.input_zero_point == q.input_zero_point);
  CHECK(b.output_zero_point == q.output_zero_point);
  CHECK(b.act_min == q.act_min);
  CHECK(b.act_max == q.act_max);
  // One scale stands for every channel (per-tensor weights).
  const auto pt = quant::make_qconv2d<FC::geometry>(q.weights, q.bias, in_q, {ws[1]}, out_q);
  const auto pc = quant::make_qconv2d<FC::geometry>(q.weights, q.bias, in_q, {ws[1], ws[1], ws[1]}, out_q);
  CHECK(pt.multiplier == pc.multiplier);
  CHECK(pt.shift == pc.shift);
  CHECK(pt.act_min == -128);
  CHECK(pt.act_max == 127);
  // Depthwise: the same output stage, no effective bias.
  constexpr auto gd = kernels::conv_geometry(5, 4, 2, 2, 3, 3, 1, 1, 1, 1, Padding::same);
  const auto d = quant::make_qdepthwise_conv2d<gd>({}, {{5, 6}}, in_q, {ws[0], ws[2]}, out_q, Activation::relu_n1_to_1);
  CHECK(d.multiplier[0] == q.multiplier[0]);
  CHECK(d.multiplier[1] == q.multiplier[2]);
  CHECK(d.act_min == quant::activation_range(Activation::relu_n1_to_1, out_q).min);
  CHECK(d.act_max == quant::activation_range(Activation::relu_n1_to_1, out_q).max);
}

namespace {
// Runs a layer out of line, as a network does when GCC does not inline a layer's kernel: the caller
// then relies on what GCC's interprocedural analyses concluded about the callee. GCC 12 -O2 had
// concluded "pure" for several int8 convs (their stores hidden behind a null-based address that
// IVOPTs made), deleted this call and left `out` unwritten (docs/compiler-notes.md).
template <class L>
[[gnu::noinline]] void run_layer(const L& l, const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) {
  l.forward(in, out, scratch);
}

// The output stages a conv is checked with.
enum class Stage {
  random,             // randomize(): small multipliers, zero points 17 / -5, clamp [-100, 120]
  large_multipliers,  // some channels with real multipliers >= 0.5 (shift >= 0: the scalar path)
  full_range,         // no clamp narrower than int8 (the saturating forms)
  ptq,                // as PTQ gives: normalized multipliers, zero points -128, full range; out of line
};

// One int8 conv or depthwise conv of geometry G on random data equals TFLite's reference formula
// (tests/support/int8_reference.hpp), and in place equals out of place where the layer runs in
// place. The table of cases is in the TEST_CASEs below.
template <kernels::Conv2DGeometry G, bool Depthwise, Stage S = Stage::random>
void check_conv() {
  using L = std::conditional_t<Depthwise, TaggedDw<G>, Tagged<G>>;
  static L l{};
  randomize(l);
  if constexpr (S == Stage::large_multipliers) {
    for (std::size_t co = 3; co < l.multiplier.size(); co += 11) {
      const auto q = quant::quantize_multiplier(co % 2 ? 0.75 : 1.5);
      l.multiplier[co] = q.value;
      l.shift[co] = q.shift;
    }
  }
  if constexpr (S == Stage::ptq) {
    for (std::size_t i = 0; i < l.multiplier.size(); ++i) {
      const auto q = quant::quantize_multiplier(0.003 + 0.0007 * static_cast<double>(i % 13));
      l.multiplier[i] = q.value;
      l.shift[i] = q.shift;
    }
    l.input_zero_point = -128;  // after a ReLU, as in the MLPerf models
    l.output_zero_point = -128;
  }
  if constexpr (S == Stage::full_range || S == Stage::ptq) {
    l.act_min = -128;
    l.act_max = 127;
  }
  l.prepare();  // derived data (effective bias, packed weights, tables), as after any weight change
  std::vector<std::int8_t> in(G.ih * G.iw * G.cin), out(G.oh * G.ow * G.cout, 0x55);
  for (auto& v : in) v = r8();
  auto scratch = scratch_of(l);  // what the layer declares, as a network plans it
  if constexpr (S == Stage::ptq) run_layer(l, in.data(), out.data(), scratch.data());
  else l.forward(in.data(), out.data(), scratch.data());
  const auto ref = ref_conv(l, in.data(), Depthwise);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < out.size(); ++i) differ += out[i] != ref[i];
  CHECK_MESSAGE(differ == 0, L::name, " ", G.ih, "x", G.iw, "x", G.cin, " -> ", G.oh, "x", G.ow, "x", G.cout, ": ",
                differ, " of ", out.size(), " bytes differ from the reference formula");
  if constexpr (L::in_place) {
    std::vector<std::int8_t> io = in;
    l.forward(io.data(), io.data(), scratch.data());
    CHECK(std::equal(out.begin(), out.end(), io.begin()));
  } else if constexpr (L::in_place_lead != no_lead) {
    // Overlapping with a lead, as the memory plan places it: the output starts in_place_lead
    // bytes before the input, in one buffer (docs/memory-plan.md, "Aliasing contract").
    constexpr std::size_t lead = L::in_place_lead, in_end = lead + G.ih * G.iw * G.cin;
    std::vector<std::int8_t> buffer(std::max(in_end, out.size()), 0x33);
    std::copy(in.begin(), in.end(), buffer.begin() + lead);
    l.forward(buffer.data() + lead, buffer.data(), scratch.data());
    CHECK_MESSAGE(std::equal(out.begin(), out.end(), buffer.begin()), L::name, " ", G.ih, "x", G.iw, "x", G.cin,
                  " -> ", G.oh, "x", G.ow, "x", G.cout, ": output ", lead, " bytes before the input differs");
  }
}
constexpr bool conv = false, depthwise = true;
}  // namespace

TEST_CASE("int8 convolutions equal the reference formula (padding, stride, dilation, in place)") {
  check_conv<kernels::Conv2DGeometry{9, 7, 3, 5, 4, 6, 5, 4, 2, 2, 1, 1, 2, 1}, conv>();     // 5x4, stride 2, same
  check_conv<kernels::Conv2DGeometry{9, 9, 2, 5, 5, 3, 3, 3, 1, 1, 2, 2, 0, 0}, conv>();     // dilation 2, valid
  check_conv<kernels::Conv2DGeometry{4, 5, 8, 4, 5, 8, 1, 1, 1, 1, 1, 1, 0, 0}, conv>();     // pointwise, in place
  check_conv<kernels::Conv2DGeometry{6, 5, 4, 6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1}, depthwise>();  // in place, row ring
  check_conv<kernels::Conv2DGeometry{7, 6, 3, 4, 3, 6, 3, 3, 2, 2, 1, 1, 1, 1}, depthwise>();  // multiplier 2, stride 2
}

// Layers that overlap their input with a lead (the output starts before the input; check_conv
// runs every geometry that declares one that way too): pointwise expansions with pixel counts
// that are not multiples of the kernels' two or four, strided and valid-padded depthwise convs
// (channel counts of 1, 3, 12, 16, 24: the planar, portable and quad kernels), general convs.
TEST_CASE("int8 convolutions overlapping their input with a lead equal the reference") {
  static_assert(Tagged<kernels::Conv2DGeometry{48, 48, 8, 48, 48, 16, 1, 1, 1, 1, 1, 1, 0, 0}>::in_place_lead ==
                48 * 48 * 8 + 4 * 8);  // the output's bytes plus four input pixels
  check_conv<kernels::Conv2DGeometry{5, 3, 8, 5, 3, 16, 1, 1, 1, 1, 1, 1, 0, 0}, conv>();
  check_conv<kernels::Conv2DGeometry{1, 7, 3, 1, 7, 17, 1, 1, 1, 1, 1, 1, 0, 0}, conv, Stage::full_range>();
  check_conv<kernels::Conv2DGeometry{2, 3, 20, 2, 3, 44, 1, 1, 1, 1, 1, 1, 0, 0}, conv>();
  check_conv<kernels::Conv2DGeometry{9, 9, 16, 5, 5, 16, 3, 3, 2, 2, 1, 1, 1, 1}, depthwise>();
  check_conv<kernels::Conv2DGeometry{8, 8, 12, 4, 4, 12, 3, 3, 2, 2, 1, 1, 0, 0}, depthwise>();
  check_conv<kernels::Conv2DGeometry{7, 5, 3, 3, 2, 3, 3, 3, 2, 2, 1, 1, 0, 0}, depthwise>();
  check_conv<kernels::Conv2DGeometry{6, 6, 24, 4, 4, 24, 3, 3, 1, 1, 1, 1, 0, 0}, depthwise>();  // valid
  check_conv<kernels::Conv2DGeometry{9, 2, 1, 3, 1, 1, 5, 3, 2, 2, 1, 1, 1, 1}, depthwise, Stage::full_range>();
  check_conv<kernels::Conv2DGeometry{6, 6, 8, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1}, conv>();
  check_conv<kernels::Conv2DGeometry{7, 7, 4, 4, 4, 12, 3, 3, 2, 2, 1, 1, 1, 1}, conv>();
  // Strided depthwise convs on images large enough for the Cortex-M planar kernel to take them in
  // bands of rows (a plane of at most 2 KB): padding above the first band and below the last, a
  // last band shorter than the others, a 5x5 kernel.
  static_assert(TaggedDw<kernels::Conv2DGeometry{65, 65, 4, 33, 33, 4, 3, 3, 2, 2, 1, 1, 1, 1}>::kernel_facts::band_rows == 7);
  check_conv<kernels::Conv2DGeometry{65, 65, 4, 33, 33, 4, 3, 3, 2, 2, 1, 1, 1, 1}, depthwise>();
  check_conv<kernels::Conv2DGeometry{60, 40, 8, 30, 20, 8, 5, 5, 2, 2, 1, 1, 1, 1}, depthwise, Stage::full_range>();
}

// Shapes that stress the blocked kernels (x86 AVX-512: 16 channels per vector, four pixels and up
// to 64 channels per pass, inputs in groups of four bytes; Cortex-M: channel and pixel pairs):
// channel counts that are not multiples of 16 or 4, more than 64 output channels, pixel counts
// with remainders, and output stages a vectorised requantization cannot take (real multipliers
// >= 0.5 have shift >= 0 and go through the scalar path); then the output-stage forms chosen per
// call (general / normalized / normalized with the full int8 range).
TEST_CASE("int8 convolutions: odd channel counts, wide outputs and large multipliers equal the reference") {
  // Pointwise, 22 -> 80 channels over 3x3 pixels (not in place: more outputs than inputs).
  check_conv<kernels::Conv2DGeometry{3, 3, 22, 3, 3, 80, 1, 1, 1, 1, 1, 1, 0, 0}, conv, Stage::large_multipliers>();
  // Pointwise in place, 37 -> 21 channels over 7 pixels.
  check_conv<kernels::Conv2DGeometry{1, 7, 37, 1, 7, 21, 1, 1, 1, 1, 1, 1, 0, 0}, conv>();
  // General conv, 3x3 same with stride 1 on 5 channels (patches of 45 bytes), 17 filters.
  constexpr kernels::Conv2DGeometry g3{5, 6, 5, 5, 6, 17, 3, 3, 1, 1, 1, 1, 1, 1};
  check_conv<g3, conv, Stage::large_multipliers>();
  check_conv<g3, conv, Stage::full_range>();
  // Patches longer than 512 (72 channels, 3x3: K = 648) taken row by row, an odd pixel count and
  // padding on every side; and the same with an odd filter count (the whole-patch path).
  check_conv<kernels::Conv2DGeometry{5, 3, 72, 5, 3, 6, 3, 3, 1, 1, 1, 1, 1, 1}, conv>();
  check_conv<kernels::Conv2DGeometry{5, 3, 72, 5, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1}, conv, Stage::full_range>();
  // Depthwise on 20 channels (a full and a partial group of 16), in place, and with dilation 2.
  constexpr kernels::Conv2DGeometry g4{5, 4, 20, 5, 4, 20, 3, 3, 1, 1, 1, 1, 1, 1};
  check_conv<g4, depthwise, Stage::large_multipliers>();
  check_conv<g4, depthwise, Stage::full_range>();
  check_conv<kernels::Conv2DGeometry{7, 7, 33, 3, 3, 33, 3, 3, 1, 1, 2, 2, 0, 0}, depthwise>();
  // Kernels of even width (only tap pairs) and of odd height and width on one channel with stride
  // 2 (the Cortex-M planar kernel: pairs and a last single tap per row), in place and not.
  check_conv<kernels::Conv2DGeometry{9, 8, 5, 9, 8, 5, 3, 4, 1, 1, 1, 1, 1, 1}, depthwise>();
  check_conv<kernels::Conv2DGeometry{6, 7, 1, 3, 4, 1, 5, 3, 2, 2, 1, 1, 1, 1}, depthwise, Stage::full_range>();
}

// Depth multiplier 1 on a multiple of eight channels (the AArch64 NEON kernel's groups of eight;
// the other shapes above take it too where they qualify): in place with output stages the
// vectorised requantization must take with a left shift, dilation, a 5x3 kernel on one group.
TEST_CASE("int8 depthwise convs on groups of eight channels equal the reference") {
  check_conv<kernels::Conv2DGeometry{5, 6, 16, 5, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1}, depthwise, Stage::large_multipliers>();
  check_conv<kernels::Conv2DGeometry{9, 8, 24, 5, 4, 24, 3, 3, 1, 1, 2, 2, 0, 0}, depthwise>();
  check_conv<kernels::Conv2DGeometry{7, 5, 8, 7, 5, 8, 5, 3, 1, 1, 1, 1, 2, 1}, depthwise, Stage::full_range>();
  check_conv<kernels::Conv2DGeometry{7, 5, 8, 4, 3, 8, 5, 3, 2, 2, 1, 1, 2, 1}, depthwise, Stage::ptq>();
}

// ResNet-8's projection shortcut (1x1, stride 2, 16 -> 32 channels: a 16-long patch per pixel)
// with every multiplier normalized and no clamp: GCC 12 -O2 (x86-64) once dropped this layer's
// whole output loop for the fastest output-stage form. The cause was GCC's pure-const analysis
// (docs/compiler-notes.md); the test below runs the real MLPerf Tiny geometries in the calling
// context that exposed it. Also 2x2 stride-2 patches of 4 channels.
TEST_CASE("int8 strided 1x1 and 2x2 convs with 16-byte patches and the full int8 range equal the reference") {
  check_conv<kernels::Conv2DGeometry{8, 8, 16, 4, 4, 32, 1, 1, 2, 2, 1, 1, 0, 0}, conv, Stage::full_range>();
  check_conv<kernels::Conv2DGeometry{8, 8, 4, 4, 4, 32, 2, 2, 2, 2, 1, 1, 0, 0}, conv, Stage::full_range>();
}

// The layers of MLPerf Tiny's VWW MobileNetV1-0.25 (96x96x3) and ResNet-8 (32x32x3) at their real
// sizes and with PTQ's output stages (normalized multipliers, zero points -128, full int8 range).
TEST_CASE("MobileNetV1-0.25 and ResNet-8 int8 layers at their real sizes equal the reference formula") {
  // MobileNet: first conv 3x3 stride 2, depthwise stride 1 and stride 2 (multiplier 1), pointwise.
  check_conv<kernels::Conv2DGeometry{96, 96, 3, 48, 48, 8, 3, 3, 2, 2, 1, 1, 0, 0}, conv, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{48, 48, 8, 48, 48, 8, 3, 3, 1, 1, 1, 1, 1, 1}, depthwise, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{48, 48, 16, 24, 24, 16, 3, 3, 2, 2, 1, 1, 0, 0}, depthwise, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{12, 12, 64, 6, 6, 64, 3, 3, 2, 2, 1, 1, 0, 0}, depthwise, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{48, 48, 8, 48, 48, 16, 1, 1, 1, 1, 1, 1, 0, 0}, conv, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{24, 24, 16, 24, 24, 32, 1, 1, 1, 1, 1, 1, 0, 0}, conv, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{3, 3, 128, 3, 3, 256, 1, 1, 1, 1, 1, 1, 0, 0}, conv, Stage::ptq>();
  // ResNet-8: 3x3 same, 3x3 stride 2 (16 -> 32, 32 -> 64), 1x1 stride-2 projections.
  check_conv<kernels::Conv2DGeometry{32, 32, 3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1}, conv, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{32, 32, 16, 16, 16, 32, 3, 3, 2, 2, 1, 1, 0, 0}, conv, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{16, 16, 32, 8, 8, 64, 3, 3, 2, 2, 1, 1, 0, 0}, conv, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{32, 32, 16, 16, 16, 32, 1, 1, 2, 2, 1, 1, 0, 0}, conv, Stage::ptq>();
  // KWS's first conv (10x4 on one channel, stride 2), patches widened row by row from the input.
  check_conv<kernels::Conv2DGeometry{49, 10, 1, 25, 5, 8, 10, 4, 2, 2, 1, 1, 4, 1}, conv, Stage::ptq>();
  check_conv<kernels::Conv2DGeometry{16, 16, 32, 8, 8, 64, 1, 1, 2, 2, 1, 1, 0, 0}, conv, Stage::ptq>();
}

TEST_CASE("weights are widened into flash only for layers up to kernels::widen_weights_max weights") {
  // Cortex-M DSP builds keep an int16 copy of small layers' weights; a large layer keeps its int8
  // weights only (bounded flash) and must compute the same results through the other kernel.
  constexpr kernels::Conv2DGeometry small{3, 4, 64, 3, 4, 64, 1, 1, 1, 1, 1, 1, 0, 0};  // 4,096 weights
  constexpr kernels::Conv2DGeometry big{3, 4, 256, 3, 4, 130, 1, 1, 1, 1, 1, 1, 0, 0};  // 33,280 weights
  static_assert(kernels::widen_weights_max < 130 * 256);
  static_assert(!quant::QConv2DLayer<big>::widened_weights);
  static_assert(quant::QConv2DLayer<small>::widened_weights == quant::QConv2DLayer<small>::expands_inputs);
  // The target's packed copy (empty, or int8 rows padded for AVX-512 VNNI) stays under 2 bytes per weight.
  static_assert(sizeof(quant::QConv2DLayer<big>::packed_type) < 2 * 130 * 256, "no int16 copy of a large layer's weights");
  static Tagged<big> b{};
  randomize(b);
  b.prepare();
  std::vector<std::int8_t> in(3 * 4 * 256), out(3 * 4 * 130);
  for (auto& v : in) v = r8();
  b.forward(in.data(), out.data(), scratch_of(b).data());
  CHECK(out == ref_conv(b, in.data(), false));
  static Tagged<small> sm{};
  randomize(sm);
  sm.prepare();
  std::vector<std::int8_t> in2(3 * 4 * 64), out2(3 * 4 * 64);
  for (auto& v : in2) v = r8();
  sm.forward(in2.data(), out2.data(), scratch_of(sm).data());
  CHECK(out2 == ref_conv(sm, in2.data(), false));
}

TEST_CASE("int8 average pooling equals TFLite's formula (padding, stride, channel chunks)") {
  // 3x3 window, stride 2, one row/column of leading padding, on 7x6x20 (chunks of 16 + 4).
  constexpr kernels::Conv2DGeometry g{7, 6, 20, 4, 3, 20, 3, 3, 2, 2, 1, 1, 1, 1};
  quant::QAveragePool2DLayer<g> pool{};
  pool.act_min = -90;
  pool.act_max = 100;
  std::vector<std::int8_t> in(7 * 6 * 20), out(4 * 3 * 20);
  for (auto& v : in) v = r8();
  pool.forward(in.data(), out.data(), nullptr);
  for (std::size_t oy = 0; oy < g.oh; ++oy)
    for (std::size_t ox = 0; ox < g.ow; ++ox)
      for (std::size_t c = 0; c < g.cin; ++c) {
        int sum = 0, n = 0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            const int iy = int(oy) * 2 - 1 + ky, ix = int(ox) * 2 - 1 + kx;
            if (iy < 0 || ix < 0 || iy >= 7 || ix >= 6) continue;
            sum += in[(std::size_t(iy) * 6 + std::size_t(ix)) * 20 + c];
            ++n;
          }
        // Rounded to nearest, ties away from zero, as TFLite's reference AveragePool.
        const double mean = double(sum) / n;
        int want = int(mean >= 0 ? std::floor(mean + 0.5) : -std::floor(-mean + 0.5));
        want = std::clamp(want, -90, 100);
        CHECK(out[(oy * g.ow + ox) * g.cin + c] == want);
      }
}

TEST_CASE("int8 average pooling at the int16 bound of the DSP path: 256 taps of -128 and of 127") {
  // A global pool of 16x16 over 48 channels (chunks of 16): every lane sums 256 values.
  constexpr kernels::Conv2DGeometry g{16, 16, 48, 1, 1, 48, 16, 16, 1, 1, 1, 1, 0, 0};
  quant::QAveragePool2DLayer<g> pool{};
  static std::int8_t in[16 * 16 * 48];
  std::int8_t out[48];
  for (std::size_t i = 0; i < sizeof in; ++i) in[i] = (i % 48) % 3 == 0 ? -128 : ((i % 48) % 3 == 1 ? 127 : r8());
  pool.forward(in, out, nullptr);
  for (std::size_t c = 0; c < 48; ++c) {
    int sum = 0;
    for (std::size_t p = 0; p < 256; ++p) sum += in[p * 48 + c];
    const double mean = double(sum) / 256;
    const int want = int(mean >= 0 ? std::floor(mean + 0.5) : -std::floor(-mean + 0.5));
    CHECK(out[c] == want);
    if (c % 3 == 0) CHECK(out[c] == -128);
    if (c % 3 == 1) CHECK(out[c] == 127);
  }
}

namespace {
// An int8 average pool against TFLite's formula in double precision: the mean of the taps inside
// the input rounded half away from zero, clamped.
template <kernels::Conv2DGeometry g>
void check_avg_pool(std::int32_t act_min, std::int32_t act_max, int extremes) {
  quant::QAveragePool2DLayer<g> pool{};
  pool.act_min = act_min;
  pool.act_max = act_max;
  static std::int8_t in[g.ih * g.iw * g.cin], out[g.oh * g.ow * g.cout];
  // extremes: 0 random, 1 every third channel at -128 and the next at 127 (sums at the int16
  // bound), 2 all one value per channel (exact multiples: ties where count is even).
  for (std::size_t i = 0; i < sizeof in; ++i) {
    const std::size_t c = i % g.cin;
    in[i] = extremes == 1 ? (c % 3 == 0 ? -128 : (c % 3 == 1 ? 127 : r8()))
          : extremes == 2 ? static_cast<std::int8_t>(static_cast<int>(c * 37 % 256) - 128) : r8();
  }
  pool.forward(in, out, nullptr);
  std::size_t wrong = 0;
  for (std::size_t oy = 0; oy < g.oh; ++oy)
    for (std::size_t ox = 0; ox < g.ow; ++ox)
      for (std::size_t c = 0; c < g.cin; ++c) {
        int sum = 0, n = 0;
        for (std::size_t ky = 0; ky < g.kh; ++ky)
          for (std::size_t kx = 0; kx < g.kw; ++kx) {
            const long iy = long(oy * g.sh + ky) - long(g.pt), ix = long(ox * g.sw + kx) - long(g.pl);
            if (iy < 0 || ix < 0 || iy >= long(g.ih) || ix >= long(g.iw)) continue;
            sum += in[(std::size_t(iy) * g.iw + std::size_t(ix)) * g.cin + c];
            ++n;
          }
        const double mean = n ? double(sum) / n : 0.0;
        const int want = std::clamp(int(mean >= 0 ? std::floor(mean + 0.5) : -std::floor(-mean + 0.5)), int(act_min), int(act_max));
        wrong += out[(oy * g.ow + ox) * g.cin + c] != want;
      }
  CHECK(wrong == 0);
}
}  // namespace

TEST_CASE("int8 average pooling on channels in eights (the Helium path): every window size up to 256 taps") {
  // 16x16 windows with 7 rows and columns of padding: counts from 81 to 256 taps.
  check_avg_pool<kernels::Conv2DGeometry{16, 16, 8, 16, 16, 8, 16, 16, 1, 1, 1, 1, 7, 7}>(-128, 127, 0);
  check_avg_pool<kernels::Conv2DGeometry{16, 16, 8, 16, 16, 8, 16, 16, 1, 1, 1, 1, 7, 7}>(-128, 127, 1);
  check_avg_pool<kernels::Conv2DGeometry{16, 16, 8, 16, 16, 8, 16, 16, 1, 1, 1, 1, 7, 7}>(-128, 127, 2);
  // 3x4 windows, stride 2, padding 2 and 3: counts 1 to 12 (one tap at the corners), 24 channels
  // (chunks of eight), a clamp.
  check_avg_pool<kernels::Conv2DGeometry{9, 7, 24, 6, 5, 24, 3, 4, 2, 2, 1, 1, 2, 3}>(-100, 90, 0);
  check_avg_pool<kernels::Conv2DGeometry{9, 7, 24, 6, 5, 24, 3, 4, 2, 2, 1, 1, 2, 3}>(-128, 127, 2);
  // KWS's global pool (25x5 over 64 channels: chunks of 32) and 48 channels (chunks of 16).
  check_avg_pool<kernels::Conv2DGeometry{25, 5, 64, 1, 1, 64, 25, 5, 1, 1, 1, 1, 0, 0}>(-128, 127, 1);
  check_avg_pool<kernels::Conv2DGeometry{5, 5, 48, 2, 2, 48, 3, 3, 2, 2, 1, 1, 0, 0}>(-128, 127, 0);
}

TEST_CASE("the rounded mean's division by a high multiply is exact (avg_pool_mve's argument)") {
  // floor(n * ceil(2^32 / d) / 2^32) == floor(n / d) for every n < 2^16 and 2 <= d <= 256 (the
  // kernel's |sum| + d/2 is at most 256 * 128 + 128); ceil(2^32 / d) = (2^32 - 1) / d + 1.
  std::size_t wrong = 0;
  for (std::uint32_t d = 2; d <= 256; ++d) {
    const std::uint64_t m = 0xFFFFFFFFu / d + 1u;
    for (std::uint32_t n = 0; n < 65536; n += (d < 16 ? 1 : 7)) wrong += std::uint32_t((n * m) >> 32) != n / d;
    for (std::uint32_t n = 65536 - 300; n < 65536; ++n) wrong += std::uint32_t((n * m) >> 32) != n / d;
  }
  CHECK(wrong == 0);
}

#if defined(CTML_HAVE_AVX512_VNNI)
TEST_CASE("AVX-512 requantization equals the scalar one for every right shift") {
  std::uint32_t s = 7;
  const auto next = [&] { return s = s * 1664525u + 1013904223u; };
  const std::int32_t extremes[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX};
  for (int e = 1; e <= 31; ++e) {
    for (int round = 0; round < 40; ++round) {
      alignas(64) std::int32_t x[16], q[16], sh[16];
      for (int l = 0; l < 16; ++l) {
        x[l] = round < 2 ? extremes[(l + round) % 7] : static_cast<std::int32_t>(next()) >> (next() % 24);
        q[l] = l == 0 ? 0 : (l == 1 ? INT32_MAX : static_cast<std::int32_t>(next() >> 1));
        sh[l] = -e;
      }
      const auto g = kernels::s8::avx512::make_requant_group(q, sh, 16);
      REQUIRE(g.vector_ok);
      alignas(16) std::int8_t y[16];
      _mm_store_si128(reinterpret_cast<__m128i*>(y),
                      kernels::s8::avx512::requantize16(_mm512_load_si512(x), g, _mm512_set1_epi32(3),
                                                  _mm512_set1_epi32(-128), _mm512_set1_epi32(127)));
      for (int l = 0; l < 16; ++l) {
        std::int32_t r = quant::multiply_by_quantized_multiplier_ref(x[l], {q[l], sh[l]}) + 3;
        r = r < -128 ? -128 : (r > 127 ? 127 : r);
        CHECK(y[l] == r);
      }
    }
  }
  // Shifts the one-sum form does not cover are flagged for the scalar path.
  alignas(64) std::int32_t q[16] = {}, sh[16];
  for (auto& v : sh) v = -3;
  sh[5] = 0;
  CHECK_FALSE(kernels::s8::avx512::make_requant_group(q, sh, 16).vector_ok);
  CHECK(kernels::s8::avx512::make_requant_group(q, sh, 5).vector_ok);  // lane 5 is padding
}
#endif

// dot_s8 and its 2x2 / 1x2 forms against a 64-bit sum written here. On Cortex-M builds (this suite
// also runs on the M4/M7/M55 under QEMU) they take the DSP (SMLAD) or Helium (VMLADAVA) paths; on
// the host they are the portable loops, which the constant evaluator also uses.
TEST_CASE("int8 dot products (dot_s8, 2x2, 1x2) equal a 64-bit sum, extremes and odd lengths included") {
  std::int8_t a[67], b[67], c[67], d[67];
  for (auto* v : {a, b, c, d})
    for (std::size_t i = 0; i < 67; ++i) v[i] = r8();
  a[0] = b[0] = -128;  // -128 * -128 overflows int16: the kernels must widen first
  c[5] = d[5] = -128;
  a[66] = 127;
  b[66] = -128;
  const auto sum = [](const std::int8_t* x, const std::int8_t* y, std::size_t n) {
    long long s = 0;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<long long>(x[i]) * y[i];
    return static_cast<std::int32_t>(s);
  };
  CHECK(kernels::dot_s8<67>(a, b) == sum(a, b, 67));
  CHECK(kernels::dot_s8<64>(a + 3, b + 1) == sum(a + 3, b + 1, 64));  // unaligned
  CHECK(kernels::dot_s8<16>(a, b) == sum(a, b, 16));
  CHECK(kernels::dot_s8<3>(c, d) == sum(c, d, 3));
  CHECK(kernels::dot_s8_ref<67>(a, b) == sum(a, b, 67));
  std::int32_t acc[4] = {5, -7, 11, 13};
  kernels::dot_s8_2x2<67>(a, c, b, d, acc);
  CHECK(acc[0] == 5 + sum(a, b, 67));
  CHECK(acc[1] == -7 + sum(a, d, 67));
  CHECK(acc[2] == 11 + sum(c, b, 67));
  CHECK(acc[3] == 13 + sum(c, d, 67));
  std::int32_t acc0 = 1, acc1 = -1;
  kernels::dot_s8_1x2<35>(a + 1, b, d + 2, acc0, acc1);
  CHECK(acc0 == 1 + sum(a + 1, b, 35));
  CHECK(acc1 == -1 + sum(a + 1, d + 2, 35));
}
