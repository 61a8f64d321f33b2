// Whole-model post-training quantization: the int8 twin's type is computed from the float type,
// its parameters come from calibration data, and it follows the float network (top-1 agreement,
// max/mean absolute error after dequantizing). Deterministic random weights and inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include <ctml/layers/conv1d.hpp>
#include <ctml/model/sequential.hpp>
#include <ctml/quant/agreement.hpp>
#include <ctml/quant/ptq.hpp>
#include <ctml/quant/quantize_model.hpp>
#include <ctml/quant/residual_s8.hpp>
#include <ctml/zoo/mlperf_tiny.hpp>

#include "random_net.hpp"

using namespace ctml;

namespace {
using test::Rng;
using test::init_net;

template <class Tensor_, std::size_t N>
std::array<Tensor_, N>& random_inputs(std::uint32_t seed, float lo, float hi) {
  static std::array<Tensor_, N> xs{};
  Rng r{seed};
  for (auto& x : xs)
    for (auto& v : x) v = r.uniform(lo, hi);
  return xs;
}

// Structured inputs: per sample an offset, an amplitude and a 2-D frequency, plus noise, so that
// pooled features differ from sample to sample.
template <class Tensor_, std::size_t N>
std::array<Tensor_, N>& structured_inputs(std::uint32_t seed) {
  static std::array<Tensor_, N> xs{};
  Rng r{seed};
  constexpr auto ext = Tensor_::extents();
  for (auto& x : xs) {
    const float off = r.uniform(-1.0f, 1.0f), amp = r.uniform(0.0f, 2.0f);
    const float wt = r.uniform(0.0f, 1.5f), wf = r.uniform(0.0f, 3.0f), ph = r.uniform(0.0f, 6.28f);
    for (std::size_t t = 0; t < ext[0]; ++t)
      for (std::size_t f = 0; f < ext[1]; ++f)
        for (std::size_t c = 0; c < ext[2]; ++c)
          x(t, f, c) = off + amp * std::sin(wt * static_cast<float>(t) + wf * static_cast<float>(f) + ph + static_cast<float>(c)) +
                       r.uniform(-0.3f, 0.3f);
  }
  return xs;
}

// Number of different classes the float net predicts over the inputs.
template <class Net, class Set>
int distinct_classes(const Net& net, const Set& set) {
  std::array<int, Net::output_type::size()> hits{};
  for (const auto& x : set) {
    const auto y = net.infer(x);
    std::size_t best = 0;
    for (std::size_t i = 1; i < y.size(); ++i) best = y[i] > y[best] ? i : best;
    ++hits[best];
  }
  int distinct = 0;
  for (int h : hits) distinct += h > 0;
  std::printf("float net: %d distinct top-1 classes over %zu inputs\n", distinct, set.size());
  return distinct;
}

// Data-dependent init of the last Dense before the Softmax (a random net otherwise answers one
// class for every input): bias_c = -mean over the inputs of log y_c with a zero bias, so every
// class's average logit is the same and the top-1 class follows the input.
template <class Net, class Set>
void balance_classes(Net& net, const Set& set, float gain) {
  auto& last = net.template layer<Net::layer_count - 2>();
  for (auto& w : last.weights) w *= gain;
  for (auto& b : last.bias) b = 0;
  std::array<double, Net::output_type::size()> mean{};
  for (const auto& x : set) {
    const auto y = net.infer(x);
    for (std::size_t c = 0; c < y.size(); ++c) mean[c] += std::log(std::max(static_cast<double>(y[c]), 1e-30));
  }
  for (std::size_t c = 0; c < mean.size(); ++c) last.bias[c] = static_cast<float>(-mean[c] / static_cast<double>(set.size()));
}

void report(const char* what, const quant::Agreement& a) {
  std::printf("%-40s top-1 %5.1f %% (%zu/%zu)  max |err| %.4f  mean |err| %.5f\n", what, 100.0 * a.top1(), a.top1_matches,
              a.samples, a.max_abs_error, a.mean_abs_error);
}
}  // namespace

TEST_CASE("PTQ of a small Dense net: computed type, make_qdense-compatible weights, agreement") {
  using Net = Sequential<float, Shape<16>, Dense<32>, ReLU, Dense<16, Fuse<Activation::relu6>>, Dense<4>, Softmax<>>;
  using Q = quant::quantized_t<Net>;
  static_assert(std::is_same_v<Q, Chain<quant::QDenseLayer<Shape<16>, 32>, quant::QDenseLayer<Shape<32>, 16>,
                                        quant::QDenseLayer<Shape<16>, 4>, quant::QSoftmaxLayer<Shape<4>>>>);
  static Net net{};
  init_net(net, 11);
  auto& calib = random_inputs<Net::input_type, 64>(1, -1.0f, 1.0f);
  const auto q = quant::quantize(net, calib);
  static_assert(std::is_same_v<decltype(q.model), Q>);

  // Input parameters cover the calibration range; ReLU-fused outputs start at zero (zp -128).
  CHECK(q.input.zero_point == quant::choose_qparams(-1.0, 1.0).zero_point);
  CHECK(q.model.layer<0>().output_zero_point == -128);
  CHECK(q.model.layer<0>().act_min == -128);
  CHECK(q.model.layer<1>().act_min == -128);
  CHECK(q.output.scale == 1.0f / 256.0f);
  CHECK(q.output.zero_point == -128);

  // The first layer equals what make_qdense gives for the same parameters.
  const quant::QParams out0{1.0f, 0};
  const auto ref = quant::make_qdense(net.layer<0>(), q.input, out0);
  CHECK(ref.weights == q.model.layer<0>().weights);
  CHECK(ref.bias == q.model.layer<0>().bias);

  auto& test = random_inputs<Net::input_type, 500>(2, -1.0f, 1.0f);
  CHECK(distinct_classes(net, test) >= 3);
  const auto a = quant::measure_agreement(net, q, test);
  report("Dense 16-32-16-4 + softmax, min/max", a);
  CHECK(a.top1() >= 0.95);
  CHECK(a.mean_abs_error < 0.01);
}

TEST_CASE("PTQ of a conv net with BatchNorm, ReLU6, MaxPool, GlobalAveragePool") {
  using Net = Sequential<float, Shape<8, 8, 2>, Conv2D<6, Kernel<3, 3>, Same>, BatchNorm, ReLU6, MaxPool2D<Pool<2, 2>>,
                         DepthwiseConv2D<Kernel<3, 3>, Same>, ReLU, GlobalAveragePool, Dense<5>, Softmax<>>;
  using Q = quant::quantized_t<Net>;
  static_assert(Q::layer_count == 6);
  using F = folded_t<Net>;  // conv, relu6, maxpool, dw, relu, gap, dense, softmax
  static_assert(std::is_same_v<Q::layer_type<1>, quant::QMaxPool2DLayer<F::layer_type<2>::geometry>>);
  static_assert(std::is_same_v<Q::layer_type<3>, quant::QMeanLayer<Shape<4, 4, 6>>>);
  static Net net{};
  init_net(net, 5);
  auto& calib = random_inputs<Net::input_type, 64>(3, -2.0f, 2.0f);
  balance_classes(net, calib, 4.0f);
  const auto q = quant::quantize(net, calib);
  // ReLU6 fused into the conv: its clamp stops at q(6).
  const auto& c0 = q.model.layer<0>();
  CHECK(c0.act_max <= 127);
  CHECK(c0.act_min == c0.output_zero_point);
  auto& test = random_inputs<Net::input_type, 300>(4, -2.0f, 2.0f);
  CHECK(distinct_classes(net, test) >= 3);
  const auto a = quant::measure_agreement(net, q, test);
  report("Conv+BN+ReLU6+MaxPool+DW+GAP+Dense", a);
  CHECK(a.top1() >= 0.9);
  CHECK(a.mean_abs_error < 0.02);
}

TEST_CASE("PTQ of a Conv1D net with Tanh and Sigmoid") {
  using Net = Sequential<float, Shape<16, 2>, Conv1D<4, Kernel<3>, Same>, Tanh, Flatten, Dense<3>, Sigmoid>;
  using Q = quant::quantized_t<Net>;
  static_assert(std::is_same_v<Q::layer_type<1>, quant::QTanhLayer<Shape<16, 4>>>);
  static_assert(std::is_same_v<Q::layer_type<4>, quant::QLogisticLayer<Shape<3>>>);
  static Net net{};
  init_net(net, 9);
  auto& calib = random_inputs<Net::input_type, 64>(5, -1.0f, 1.0f);
  const auto q = quant::quantize(net, calib, {quant::RangeMethod::percentile, 99.9});
  CHECK(q.output.scale == 1.0f / 256.0f);
  auto& test = random_inputs<Net::input_type, 300>(6, -1.0f, 1.0f);
  const auto a = quant::measure_agreement(net, q, test);
  report("Conv1D+Tanh+Dense+Sigmoid, p99.9", a);
  CHECK(a.max_abs_error < 0.05);
}

TEST_CASE("PTQ of the KWS DS-CNN (MLPerf Tiny), min/max and 99.99th percentile") {
  using Net = zoo::KwsDsCnn<float>;
  using Q = quant::quantized_t<Net>;
  // BatchNorms folded, ReLUs fused: conv, 4 x (depthwise, pointwise), pool, flatten, dense, softmax.
  static_assert(Q::layer_count == 13);
  static_assert(std::is_same_v<Q::layer_type<0>, quant::QConv2DLayer<folded_t<Net>::layer_type<0>::geometry>>);
  static_assert(std::is_same_v<Q::layer_type<1>, quant::QDepthwiseConv2DLayer<folded_t<Net>::layer_type<2>::geometry>>);
  static_assert(std::is_same_v<Q::layer_type<9>, quant::QAveragePool2DLayer<folded_t<Net>::layer_type<18>::geometry>>);
  static_assert(std::is_same_v<Q::layer_type<10>, ReshapeLayer<std::int8_t, Shape<1, 1, 64>, Shape<64>>>);
  static_assert(std::is_same_v<Q::layer_type<11>, quant::QDenseLayer<Shape<64>, 12>>);
  static_assert(std::is_same_v<Q::layer_type<12>, quant::QSoftmaxLayer<Shape<12>>>);
  static_assert(Q::arena_bytes <= 8640 + 1024);

  static Net net{};
  init_net(net, 2024);
  auto& calib = structured_inputs<Net::input_type, 32>(7);
  auto& test = structured_inputs<Net::input_type, 200>(8);
  balance_classes(net, calib, 4.0f);

  CHECK(distinct_classes(net, test) >= 4);  // else top-1 agreement would say nothing

  static quant::Calibrator<Net> cal(net);
  for (const auto& x : calib) cal.observe(x);
  CHECK_FALSE(cal.needs_second_pass());
  static const auto q = cal.quantize();
  const auto a = quant::measure_agreement(net, q, test);
  report("KWS DS-CNN, min/max (32 calib, 200 test)", a);
  CHECK(a.top1() >= 0.85);
  CHECK(a.mean_abs_error < 0.02);

  static quant::Calibrator<Net> calp(net, {quant::RangeMethod::percentile, 99.99});
  for (const auto& x : calib) calp.observe(x);
  CHECK(calp.needs_second_pass());
  calp.start_second_pass();
  for (const auto& x : calib) calp.observe(x);
  static const auto qp = calp.quantize();
  const auto ap = quant::measure_agreement(net, qp, test);
  report("KWS DS-CNN, 99.99th percentile", ap);
  CHECK(ap.top1() >= 0.85);
  CHECK(ap.mean_abs_error < 0.02);
  // The percentile range is never wider than min/max.
  for (std::size_t t = 0; t < cal.tensor_count; ++t) CHECK(calp.tensor_qparams(t).scale <= cal.tensor_qparams(t).scale * 1.0001f);

  // The int8 model runs in its planned arena, as on a device.
  alignas(16) static std::byte arena[Q::arena_bytes];
  Q::output_type y{};
  q.model(q.quantize_input(test[0]), y, arena);
  CHECK(y == q.model.infer(q.quantize_input(test[0])));
}

namespace {
using TinyNet = Sequential<float, Shape<2>, Dense<3>, ReLU, Dense<2>>;
constexpr TinyNet tiny_net() {
  TinyNet n{};
  n.layer<0>().weights = {{1.0f, -0.5f, 0.25f, 0.75f, -1.0f, 0.5f}};
  n.layer<0>().bias = {{0.1f, 0.0f, -0.1f}};
  n.layer<2>().weights = {{0.5f, -0.25f, 1.0f, 0.3f, 0.6f, -0.9f}};
  return n;
}
constexpr auto tiny_quantized() {
  const std::array<TinyNet::input_type, 3> calib{{{{1.0f, -1.0f}}, {{0.5f, 0.5f}}, {{-1.0f, 0.25f}}}};
  return quant::quantize(tiny_net(), calib);
}
constexpr double cabs(double v) { return v < 0 ? -v : v; }
}  // namespace

TEST_CASE("PTQ runs in a constant expression") {
  constexpr auto q = tiny_quantized();
  // Row 0 of the first Dense: max |w| = 1 -> scale 1/127; -0.5 * 127 = -63.5 rounds away to -64.
  static_assert(q.model.layer<0>().weights(0, 0) == 127 && q.model.layer<0>().weights(0, 1) == -64);
  // Input range [-1, 1]: scale 2/255, zero point -128 + 127.5 = -0.5, rounded away from zero.
  static_assert(q.input.scale == static_cast<float>(2.0 / 255.0) && q.input.zero_point == -1);
  constexpr TinyNet::input_type x{{0.5f, 0.5f}};
  constexpr auto yq = q(x);
  constexpr auto yf = tiny_net().infer(x);
  static_assert(cabs(static_cast<double>(yq[0]) - static_cast<double>(yf[0])) < 0.02);
  static_assert(cabs(static_cast<double>(yq[1]) - static_cast<double>(yf[1])) < 0.02);
  CHECK(yq[0] == doctest::Approx(yf[0]).epsilon(0.05));
}

namespace {
template <class L>
struct is_qresidual : std::false_type {};
template <class In, class B, class S>
struct is_qresidual<quant::QResidualLayer<In, B, S>> : std::true_type {};
}  // namespace

TEST_CASE("PTQ of a net with a residual block: int8 ADD with the block's ReLU fused") {
  using Net = Sequential<float, Shape<6, 6, 4>, Conv2D<4, Kernel<3, 3>, Same>, ReLU,
                         Residual<Block<Conv2D<4, Kernel<3, 3>, Same>, BatchNorm, ReLU, Conv2D<4, Kernel<3, 3>, Same>>>, ReLU,
                         GlobalAveragePool, Dense<3>, Softmax<>>;
  using Q = quant::quantized_t<Net>;
  static_assert(Q::layer_count == 5);  // conv+relu, residual+relu, mean, dense, softmax
  using R = Q::layer_type<1>;
  static_assert(is_qresidual<R>::value && !R::projected);
  static_assert(decltype(R::body)::layer_count == 2);  // conv (BN folded, ReLU fused), conv
  static Net net{};
  init_net(net, 21);
  auto& calib = random_inputs<Net::input_type, 64>(11, -1.0f, 1.0f);
  balance_classes(net, calib, 4.0f);
  const auto q = quant::quantize(net, calib);
  // The block's ReLU is the ADD's clamp: output range starts at 0.
  CHECK(q.model.layer<1>().add.act_min == q.model.layer<1>().add.output_offset);
  auto& test = random_inputs<Net::input_type, 300>(12, -1.0f, 1.0f);
  CHECK(distinct_classes(net, test) >= 2);
  const auto a = quant::measure_agreement(net, q, test);
  report("Conv + Residual(identity) + GAP + Dense", a);
  CHECK(a.top1() >= 0.9);
  CHECK(a.mean_abs_error < 0.02);
}

TEST_CASE("PTQ of ResNet-8 (MLPerf Tiny): residual blocks with projections") {
  using Net = zoo::ResNet8<float>;
  using Q = quant::quantized_t<Net>;
  // conv, 3 residual blocks (ReLU fused into their ADDs), pool, flatten, dense, softmax.
  static_assert(Q::layer_count == 8);
  static_assert(is_qresidual<Q::layer_type<1>>::value && !Q::layer_type<1>::projected);
  static_assert(is_qresidual<Q::layer_type<2>>::value && Q::layer_type<2>::projected);
  static_assert(is_qresidual<Q::layer_type<3>>::value && Q::layer_type<3>::projected);
  static Net net{};
  init_net(net, 8);
  auto& calib = structured_inputs<Net::input_type, 16>(31);
  auto& test = structured_inputs<Net::input_type, 60>(32);
  balance_classes(net, calib, 4.0f);
  CHECK(distinct_classes(net, test) >= 3);
  static quant::Calibrator<Net> cal(net);
  for (const auto& x : calib) cal.observe(x);
  static const auto q = cal.quantize();
  const auto a = quant::measure_agreement(net, q, test);
  report("ResNet-8, min/max (16 calib, 60 test)", a);
  CHECK(a.top1() >= 0.85);
  CHECK(a.mean_abs_error < 0.06);
  static quant::Calibrator<Net> calp(net, {quant::RangeMethod::percentile, 99.99});
  for (const auto& x : calib) calp.observe(x);
  calp.start_second_pass();
  for (const auto& x : calib) calp.observe(x);
  static const auto qp = calp.quantize();
  const auto ap = quant::measure_agreement(net, qp, test);
  report("ResNet-8, 99.99th percentile", ap);
  CHECK(ap.top1() >= 0.85);
  CHECK(ap.mean_abs_error < 0.06);
  alignas(16) static std::byte arena[Q::arena_bytes];
  Q::output_type y{};
  q.model(q.quantize_input(test[0]), y, arena);
  CHECK(y == q.model.infer(q.quantize_input(test[0])));
}
