// Float layers against (1) double-precision loops written here from the formulas, (2) PyTorch
// (tests/data/layers/torch_vectors.hpp, made by tools/gen/gen_layer_vectors.py), and (3) their own
// reference kernels; in-place runs against out-of-place runs.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include <ctml/ctml.hpp>
#include "../data/layers/torch_vectors.hpp"
#include "no_heap.hpp"

using namespace ctml;

namespace {

unsigned g_seed = 99;
float rnd() {
  g_seed = g_seed * 1664525u + 1013904223u;
  return static_cast<float>(static_cast<int>(g_seed >> 8) - (1 << 23)) / static_cast<float>(1 << 23);
}
template <class Tn>
void randomize(Tn& t, float scale = 1.0f) {
  for (auto& v : t) v = scale * rnd();
}
template <class L>
void randomize_params(L& l) {
  std::apply([](auto&... t) { (randomize(t, 0.5f), ...); }, l.parameters());
}
template <class A, class B>
void check_close(const A& got, const B& want, std::size_t n, double tol = 1e-5) {
  for (std::size_t i = 0; i < n; ++i) {
    INFO("element " << i);
    CHECK(static_cast<double>(got[i]) == doctest::Approx(static_cast<double>(want[i])).epsilon(tol).scale(1.0));
  }
}

// Convolution from the definition, in double: out = bias + sum in * w over taps inside the input.
// Padding follows TensorFlow: same -> out = ceil(in/s), leading pad = floor(total/2).
struct RefGeom {
  long ih, iw, c, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl;
};
RefGeom ref_geometry(long ih, long iw, long c, long co, long kh, long kw, long sh, long sw, long dh,
                     long dw, bool same) {
  auto axis = [&](long in, long k, long s, long d, long& out, long& pad) {
    const long eff = (k - 1) * d + 1;
    if (same) {
      out = (in + s - 1) / s;
      pad = std::max(0L, (out - 1) * s + eff - in) / 2;
    } else {
      out = (in - eff) / s + 1;
      pad = 0;
    }
  };
  RefGeom g{ih, iw, c, 0, 0, co, kh, kw, sh, sw, dh, dw, 0, 0};
  axis(ih, kh, sh, dh, g.oh, g.pt);
  axis(iw, kw, sw, dw, g.ow, g.pl);
  return g;
}
// depthwise: weight index (ky,kx,co) with co = ci*M+m; conv: (co,ky,kx,ci).
std::vector<double> ref_conv(const RefGeom& g, const float* in, const float* w, const float* b, bool depthwise) {
  std::vector<double> out(static_cast<std::size_t>(g.oh * g.ow * g.co));
  const long m = depthwise ? g.co / g.c : 1;
  for (long oy = 0; oy < g.oh; ++oy)
    for (long ox = 0; ox < g.ow; ++ox)
      for (long co = 0; co < g.co; ++co) {
        double acc = b[co];
        for (long ky = 0; ky < g.kh; ++ky)
          for (long kx = 0; kx < g.kw; ++kx) {
            const long iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
            if (iy < 0 || ix < 0 || iy >= g.ih || ix >= g.iw) continue;
            if (depthwise) {
              acc += double(in[(iy * g.iw + ix) * g.c + co / m]) * w[(ky * g.kw + kx) * g.co + co];
            } else {
              for (long ci = 0; ci < g.c; ++ci)
                acc += double(in[(iy * g.iw + ix) * g.c + ci]) * w[((co * g.kh + ky) * g.kw + kx) * g.c + ci];
            }
          }
        out[static_cast<std::size_t>((oy * g.ow + ox) * g.co + co)] = acc;
      }
  return out;
}

template <class Spec, class InShape>
void check_conv_layer(bool same, bool depthwise) {
  using L = bind_t<Spec, float, InShape>;
  static L layer{};
  randomize_params(layer);
  typename L::input_type x{};
  randomize(x);
  typename L::output_type y{};
  std::vector<float> scratch(layer_traits<L>::scratch_size + 1);
  layer.forward(x.data(), y.data(), scratch.data());
  const auto& G = L::geometry;
  const auto g = ref_geometry(long(G.ih), long(G.iw), long(G.cin), long(G.cout), long(G.kh), long(G.kw),
                              long(G.sh), long(G.sw), long(G.dh), long(G.dw), same);
  REQUIRE(std::size_t(g.oh * g.ow * g.co) == L::output_type::size());
  const auto want = ref_conv(g, x.data(), layer.weights.data(), layer.bias.data(), depthwise);
  check_close(y, want, want.size(), 1e-5);
}

}  // namespace

TEST_CASE("Conv2D matches the double-precision definition") {
  check_conv_layer<Conv2D<5, Kernel<3, 3>, Same>, Shape<7, 6, 3>>(true, false);
  check_conv_layer<Conv2D<4, Kernel<3, 2>, Stride<2>, Same>, Shape<9, 7, 5>>(true, false);
  check_conv_layer<Conv2D<3, Kernel<3, 3>, Valid, Dilation<2>>, Shape<9, 8, 2>>(false, false);
  check_conv_layer<Conv2D<6, Kernel<10, 4>, Stride<2, 2>, Same>, Shape<49, 10, 1>>(true, false);
  check_conv_layer<Conv2D<7, Kernel<1, 1>>, Shape<4, 5, 9>>(true, false);   // pointwise, in place
  check_conv_layer<Conv2D<12, Kernel<1, 1>>, Shape<4, 5, 9>>(true, false);  // pointwise, widening
  check_conv_layer<Conv2D<2, Kernel<4, 4>, Stride<3, 2>, Same, Dilation<1, 2>>, Shape<11, 13, 3>>(true, false);
}

TEST_CASE("DepthwiseConv2D matches the double-precision definition") {
  check_conv_layer<DepthwiseConv2D<Kernel<3, 3>, Same>, Shape<6, 5, 4>>(true, true);
  check_conv_layer<DepthwiseConv2D<Kernel<3, 3>, Stride<2>, Same, DepthMultiplier<2>>, Shape<7, 8, 3>>(true, true);
  check_conv_layer<DepthwiseConv2D<Kernel<5, 3>, Valid, Dilation<2, 1>>, Shape<12, 6, 2>>(false, true);
  check_conv_layer<DepthwiseConv2D<Kernel<5, 5>, Same>, Shape<9, 7, 3>>(true, true);  // ring of 3 rows
}

TEST_CASE("Conv1D matches the double-precision definition") {
  using L = bind_t<Conv1D<4, Kernel<3>, Same>, float, Shape<11, 3>>;
  static_assert(std::is_same_v<L::output_type, Tensor<float, Shape<11, 4>>>);
  L layer{};
  randomize_params(layer);
  L::input_type x{};
  randomize(x);
  L::output_type y{};
  layer.forward(x.data(), y.data(), nullptr);
  const auto g = ref_geometry(1, 11, 3, 4, 1, 3, 1, 1, 1, 1, true);
  const auto want = ref_conv(g, x.data(), layer.weights.data(), layer.bias.data(), false);
  check_close(y, want, want.size());
}

// One out-of-line copy of a layer's forward for both calls of the in-place tests: with GCC's
// default -ffp-contract=fast, two inlined copies of the same kernel may fuse multiply-adds
// differently (seen on Cortex-M55), which would hide what these tests check, the buffer handling.
template <class L>
[[gnu::noinline]] void forward_once(const L& layer, const float* in, float* out, float* scratch) {
  layer.forward(in, out, scratch);
}

TEST_CASE("in-place layers give bit-identical results in place and out of place") {
  SUBCASE("pointwise conv") {
    using L = bind_t<Conv2D<6, Kernel<1, 1>, Fuse<Activation::relu>>, float, Shape<5, 4, 8>>;
    static_assert(L::in_place && L::scratch_size == 8);
    L layer{};
    randomize_params(layer);
    L::input_type x{};
    randomize(x);
    L::output_type y{};
    float scratch[8];
    forward_once(layer, x.data(), y.data(), scratch);
    std::vector<float> buf(x.begin(), x.end());
    forward_once(layer, buf.data(), buf.data(), scratch);
    CHECK(std::memcmp(buf.data(), y.data(), y.size_bytes()) == 0);
  }
  SUBCASE("depthwise conv") {
    using L = bind_t<DepthwiseConv2D<Kernel<3, 3>, Same>, float, Shape<6, 5, 4>>;
    static_assert(L::in_place && L::scratch_size == 2 * 5 * 4);
    L layer{};
    randomize_params(layer);
    L::input_type x{};
    randomize(x);
    L::output_type y{};
    float scratch[L::scratch_size];
    forward_once(layer, x.data(), y.data(), scratch);
    L::input_type z = x;
    forward_once(layer, z.data(), z.data(), scratch);
    CHECK(std::memcmp(z.data(), y.data(), y.size_bytes()) == 0);
  }
}

TEST_CASE("optimised conv kernels equal their reference kernels") {
  using L = bind_t<Conv2D<5, Kernel<3, 3>, Stride<2>, Same, Fuse<Activation::relu6>>, float, Shape<9, 7, 11>>;
  L layer{};
  randomize_params(layer);
  L::input_type x{};
  randomize(x);
  L::output_type a{}, b{};
  layer.forward(x.data(), a.data(), nullptr);
  kernels::conv2d_ref<L::geometry, Activation::relu6>(x.data(), layer.weights.data(), layer.bias.data(), b.data());
  check_close(a, b, a.size(), 1e-6);
  using D = bind_t<DepthwiseConv2D<Kernel<3, 3>, Same, DepthMultiplier<3>>, float, Shape<6, 6, 2>>;
  D dw{};
  randomize_params(dw);
  D::input_type u{};
  randomize(u);
  D::output_type c{}, d{};
  dw.forward(u.data(), c.data(), nullptr);
  kernels::depthwise_conv2d_ref<D::geometry, 3, Activation::none>(u.data(), dw.weights.data(), dw.bias.data(), d.data());
  check_close(c, d, c.size(), 1e-6);
}

// ---- PyTorch vectors --------------------------------------------------------------------------

namespace {
template <class L, std::size_t NI, std::size_t NW, std::size_t NB, std::size_t NO>
void check_torch_conv(const float (&in)[NI], const float (&w)[NW], const float (&b)[NB], const float (&out)[NO]) {
  static_assert(NI == L::input_type::size() && NW == L::weight_type::size() && NO == L::output_type::size());
  static L layer{};
  std::memcpy(layer.weights.data(), w, sizeof w);
  std::memcpy(layer.bias.data(), b, sizeof b);
  typename L::input_type x{};
  std::memcpy(x.data(), in, sizeof in);
  typename L::output_type y{};
  std::vector<float> scratch(layer_traits<L>::scratch_size + 1);
  layer.forward(x.data(), y.data(), scratch.data());
  check_close(y, out, NO, 1e-5);
}
}  // namespace

TEST_CASE("conv layers match PyTorch") {
  using namespace torch_ref;
  check_torch_conv<bind_t<Conv2D<5, Kernel<3, 3>, Stride<2>, Same>, float, Shape<9, 7, 3>>>(
      conv_same_s2_in, conv_same_s2_w, conv_same_s2_b, conv_same_s2_out);
  check_torch_conv<bind_t<Conv2D<4, Kernel<3, 2>, Dilation<2>>, float, Shape<10, 9, 2>>>(
      conv_valid_dil_in, conv_valid_dil_w, conv_valid_dil_b, conv_valid_dil_out);
  check_torch_conv<bind_t<Conv2D<8, Kernel<10, 4>, Stride<2>, Same>, float, Shape<49, 10, 1>>>(
      conv_kws_first_in, conv_kws_first_w, conv_kws_first_b, conv_kws_first_out);
  check_torch_conv<bind_t<Conv2D<6, Kernel<1, 1>, Same>, float, Shape<5, 4, 8>>>(
      conv_pointwise_in, conv_pointwise_w, conv_pointwise_b, conv_pointwise_out);
  check_torch_conv<bind_t<DepthwiseConv2D<Kernel<3, 3>, Same>, float, Shape<6, 5, 4>>>(
      dw_same_in, dw_same_w, dw_same_b, dw_same_out);
  check_torch_conv<bind_t<DepthwiseConv2D<Kernel<3, 3>, Stride<2>, Same, DepthMultiplier<2>>, float, Shape<7, 8, 3>>>(
      dw_s2_m2_in, dw_s2_m2_w, dw_s2_m2_b, dw_s2_m2_out);
  check_torch_conv<bind_t<Conv1D<4, Kernel<3>, Same>, float, Shape<11, 3>>>(
      conv1d_same_in, conv1d_same_w, conv1d_same_b, conv1d_same_out);
  check_torch_conv<bind_t<Conv1D<3, Kernel<3>, Stride<2>, Dilation<2>>, float, Shape<16, 2>>>(
      conv1d_valid_s2_d2_in, conv1d_valid_s2_d2_w, conv1d_valid_s2_d2_b, conv1d_valid_s2_d2_out);
}

TEST_CASE("pools match PyTorch (TFLite padding semantics)") {
  using namespace torch_ref;
  auto run = [](auto layer, const float* in, const float* out) {
    using L = decltype(layer);
    typename L::input_type x{};
    std::memcpy(x.data(), in, x.size_bytes());
    typename L::output_type y{};
    layer.forward(x.data(), y.data(), nullptr);
    check_close(y, out, y.size(), 1e-5);
  };
  run(bind_t<MaxPool2D<Pool<3, 3>, Stride<2>, Same>, float, Shape<7, 6, 3>>{}, maxpool_same_in, maxpool_same_out);
  run(bind_t<AveragePool2D<Pool<3, 3>, Stride<2>, Same>, float, Shape<7, 6, 3>>{}, avgpool_same_in, avgpool_same_out);
  run(bind_t<AveragePool2D<Pool<2, 3>>, float, Shape<8, 6, 2>>{}, avgpool_valid_in, avgpool_valid_out);
}

TEST_CASE("global average pool") {
  using L = bind_t<GlobalAveragePool, float, Shape<3, 4, 5>>;
  L::input_type x{};
  randomize(x);
  L::output_type y{};
  L{}.forward(x.data(), y.data(), nullptr);
  for (std::size_t c = 0; c < 5; ++c) {
    double s = 0;
    for (std::size_t p = 0; p < 12; ++p) s += x[p * 5 + c];
    CHECK(y[c] == doctest::Approx(s / 12).epsilon(1e-6));
  }
}

TEST_CASE("BatchNorm matches PyTorch and folds into conv and dense") {
  using namespace torch_ref;
  using B = bind_t<BatchNorm, float, Shape<3, 4, 5>>;
  B bn{};
  std::memcpy(bn.gamma.data(), bn_gamma, sizeof bn_gamma);
  std::memcpy(bn.beta.data(), bn_beta, sizeof bn_beta);
  std::memcpy(bn.running_mean.data(), bn_mean, sizeof bn_mean);
  std::memcpy(bn.running_var.data(), bn_var, sizeof bn_var);
  B::input_type x{};
  std::memcpy(x.data(), bn_in, sizeof bn_in);
  B::output_type y{};
  bn.forward(x.data(), y.data(), nullptr);
  check_close(y, bn_out, y.size(), 1e-5);

  auto check_fold = [](auto layer, auto norm) {
    using L = decltype(layer);
    randomize_params(layer);
    randomize(norm.gamma);
    randomize(norm.beta);
    randomize(norm.running_mean);
    for (auto& v : norm.running_var) v = 0.5f + std::abs(rnd());
    typename L::input_type in{};
    randomize(in);
    typename L::output_type a{}, b{};
    std::vector<float> scratch(layer_traits<L>::scratch_size + 1);
    layer.forward(in.data(), a.data(), scratch.data());
    norm.forward(a.data(), a.data(), nullptr);
    const L folded = fold_batchnorm(layer, norm);
    folded.forward(in.data(), b.data(), scratch.data());
    check_close(b, a, a.size(), 1e-5);
  };
  check_fold(bind_t<Conv2D<4, Kernel<3, 3>, Same>, float, Shape<5, 5, 3>>{}, bind_t<BatchNorm, float, Shape<5, 5, 4>>{});
  check_fold(bind_t<DepthwiseConv2D<Kernel<3, 3>, Same, DepthMultiplier<2>>, float, Shape<5, 5, 3>>{},
             bind_t<BatchNorm, float, Shape<5, 5, 6>>{});
  check_fold(bind_t<Dense<7>, float, Shape<9>>{}, bind_t<BatchNorm, float, Shape<7>>{});
  check_fold(bind_t<Conv1D<3, Kernel<2>>, float, Shape<6, 2>>{}, bind_t<BatchNorm, float, Shape<5, 3>>{});
}

TEST_CASE("activations and softmax match PyTorch") {
  using namespace torch_ref;
  using S = Shape<29>;
  auto run = [](auto layer, const float* want) {
    Tensor<float, S> x{};
    std::memcpy(x.data(), act_in, sizeof act_in);
    layer.forward(x.data(), x.data(), nullptr);  // in place, as the planner runs them
    check_close(x, want, 29, 1e-6);
  };
  run(HardSwishLayer<float, S>{}, act_hardswish);
  run(ReLU6Layer<float, S>{}, act_relu6);
  run(LeakyReLULayer<float, S>{}, act_leaky);
  run(SigmoidLayer<float, S>{}, act_sigmoid);
  run(TanhLayer<float, S>{}, act_tanh);

  SoftmaxLayer<float, Shape<3, 7>> sm{};
  Tensor<float, Shape<3, 7>> x{}, y{};
  std::memcpy(x.data(), softmax_in, sizeof softmax_in);
  sm.forward(x.data(), y.data(), nullptr);
  check_close(y, softmax_t1, 21, 1e-6);
  sm.temperature = 4.0f;
  sm.forward(x.data(), y.data(), nullptr);
  check_close(y, softmax_t4, 21, 1e-6);
}

TEST_CASE("Dense matches PyTorch and its reference kernel") {
  using namespace torch_ref;
  using L = bind_t<Dense<6>, float, Shape<13>>;
  L d{};
  std::memcpy(d.weights.data(), dense_w, sizeof dense_w);
  std::memcpy(d.bias.data(), dense_b, sizeof dense_b);
  L::input_type x{};
  std::memcpy(x.data(), dense_in, sizeof dense_in);
  L::output_type y{}, r{};
  d.forward(x.data(), y.data(), nullptr);
  check_close(y, dense_out, 6, 1e-6);
  kernels::dense_ref<float, 13, 6>(x.data(), d.weights.data(), d.bias.data(), r.data());
  check_close(y, r, 6, 1e-6);
}

TEST_CASE("Dense: outputs computed together keep the bits of one output at a time") {
  // 7 outputs (four together plus three alone on SIMD hosts) of 645 inputs (80 lane groups and a
  // ragged end of 5), each compared with the kernel run for that output alone. Same statements on
  // both sides, so this holds under -ffp-contract=fast (FMA) too.
  constexpr std::size_t In = 645, Out = 7;
  DenseLayer<float, Shape<In>, Out> d{};
  randomize_params(d);
  Tensor<float, Shape<In>> x{};
  randomize(x);
  Tensor<float, Shape<Out>> y{};
  d.forward(x.data(), y.data(), nullptr);
  for (std::size_t o = 0; o < Out; ++o) {
    float one = 0.0f;
    kernels::dense<float, In, 1>(x.data(), d.weights.data() + o * In, d.bias.data() + o, &one);
    CHECK(y[o] == one);
  }
}

// ---- shapes, networks, memory -----------------------------------------------------------------

TEST_CASE("output shapes are inferred at compile time") {
  static_assert(std::is_same_v<bind_t<Conv2D<64, Kernel<10, 4>, Stride<2>, Same>, float, Shape<49, 10, 1>>::output_type,
                               Tensor<float, Shape<25, 5, 64>>>);
  static_assert(std::is_same_v<bind_t<Conv2D<8, Kernel<3>, Valid>, float, Shape<32, 32, 3>>::output_type,
                               Tensor<float, Shape<30, 30, 8>>>);
  static_assert(std::is_same_v<bind_t<AveragePool2D<Pool<25, 5>>, float, Shape<25, 5, 64>>::output_type,
                               Tensor<float, Shape<1, 1, 64>>>);
  static_assert(std::is_same_v<bind_t<MaxPool2D<Pool<2>>, float, Shape<7, 7, 3>>::output_type,
                               Tensor<float, Shape<3, 3, 3>>>);
  static_assert(std::is_same_v<bind_t<DepthwiseConv2D<Kernel<3>, Stride<2>, Same, DepthMultiplier<2>>, float,
                                      Shape<48, 48, 8>>::output_type,
                               Tensor<float, Shape<24, 24, 16>>>);
  static_assert(std::is_same_v<bind_t<Conv1D<4, Kernel<5>, Stride<2>>, float, Shape<20, 3>>::output_type,
                               Tensor<float, Shape<8, 4>>>);
  CHECK(true);
}

TEST_CASE("MLPerf Tiny networks: parameters, MACs and arena as published") {
  using Kws = zoo::KwsDsCnn<>;
  static_assert(Kws::macs == 2'656'768, "DS-CNN MACs as listed for the MLPerf Tiny model");
  static_assert(Kws::param_count == 24'908);  // with BatchNorm; 22,604 + 2,304 BN statistics/affine
  // In-place depthwise and pointwise convs: one activation buffer + a ring of two rows.
  static_assert(Kws::arena_bytes == 25 * 5 * 64 * 4 + 2 * 5 * 64 * 4);
  static_assert(Kws::arena_bytes < 2 * 25 * 5 * 64 * 4, "better than ping-pong");

  using Ae = zoo::AdAutoencoder<>;
  static_assert(Ae::macs == 264'192);
  static_assert(Ae::output_type::size() == 640);

  using Res = zoo::ResNet8<>;
  static_assert(std::is_same_v<Res::output_type, Tensor<float, Shape<10>>>);
  using Vww = zoo::VwwMobileNetV1<>;
  static_assert(std::is_same_v<Vww::output_type, Tensor<float, Shape<2>>>);
  MESSAGE("DS-CNN arena ", Kws::arena_bytes, " B; AE ", Ae::arena_bytes, " B; ResNet-8 ", Res::arena_bytes,
          " B; VWW ", Vww::arena_bytes, " B");
  MESSAGE("params/MACs: ResNet-8 ", Res::param_count, "/", Res::macs, "; VWW ", Vww::param_count, "/", Vww::macs);
}

TEST_CASE("networks with every layer kind run without touching the heap") {
  using Net = Sequential<float, Shape<12, 10, 2>, Conv2D<4, Kernel<3>, Same, Fuse<Activation::relu>>,
                         DepthwiseConv2D<Kernel<3>, Same>, BatchNorm, ReLU6, Conv2D<4, Kernel<1>>,
                         MaxPool2D<Pool<2>>, Residual<Block<Conv2D<4, Kernel<3>, Same>, BatchNorm>>, HardSwish,
                         AveragePool2D<Pool<3, 5>>, Flatten, Dense<3>, Softmax<>>;
  static Net net{};
  randomize_params(net);
  // Keep BatchNorm variances (also those nested in the residual body) positive.
  std::apply([](auto&... t) { ((void)[&] { for (auto& v : t) v = std::abs(v); }(), ...); }, net.parameters());
  Net::input_type x{};
  randomize(x);
  Net::output_type y{};
  alignas(16) static std::byte arena[Net::arena_bytes];
  {
    ctml::test::NoHeapScope guard;
    net(x, y, arena);
    CHECK(guard.allocations() == 0);
  }
  CHECK(y[0] + y[1] + y[2] == doctest::Approx(1.0));
}
