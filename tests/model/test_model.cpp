// Networks: shape inference, memory planning, aggregate (PFR) models, residual blocks, summaries,
// constexpr inference. References are written here independently of the library's kernels.
#include <doctest/doctest.h>

#include "plan_check.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <ctml/layers/activations.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/layers/reshape.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/model/sequential.hpp>
#include <ctml/model/summary.hpp>
#include "no_heap.hpp"
#include "one_at_a_time.hpp"

using namespace ctml;

namespace {

// Deterministic fill of every parameter tensor (an LCG, so values differ layer to layer).
template <class Net>
constexpr void fill_params(Net& net, unsigned seed = 1) {
  unsigned s = seed;
  std::apply(
      [&](auto&... t) {
        (
            [&] {
              for (auto& v : t) {
                s = s * 1664525u + 1013904223u;
                v = static_cast<typename std::remove_cvref_t<decltype(t)>::value_type>(
                        static_cast<int>(s >> 24) - 128) /
                    256;
              }
            }(),
            ...);
      },
      net.parameters());
}

template <class T, std::size_t N>
void fill_input(Tensor<T, Shape<N>>& x) {
  for (std::size_t i = 0; i < N; ++i) x[i] = static_cast<T>(std::sin(0.7 * static_cast<double>(i) + 0.3));
}

// Independent double-precision dense + activation reference.
std::vector<double> dense_ref(const std::vector<double>& x, const float* w, const float* b, std::size_t out) {
  std::vector<double> y(out);
  for (std::size_t o = 0; o < out; ++o) {
    double acc = b[o];
    for (std::size_t i = 0; i < x.size(); ++i) acc += static_cast<double>(w[o * x.size() + i]) * x[i];
    y[o] = acc;
  }
  return y;
}
std::vector<double> relu(std::vector<double> v) {
  for (auto& x : v) x = x > 0 ? x : 0;
  return v;
}

using Mlp = Sequential<float, Shape<6>, Dense<10>, ReLU, Dense<7>, Tanh, Dense<3>, Softmax<>>;

struct MlpAggregate {
  DenseLayer<float, Shape<6>, 10> fc1;
  ReLULayer<float, Shape<10>> act1;
  DenseLayer<float, Shape<10>, 7> fc2;
  TanhLayer<float, Shape<7>> act2;
  DenseLayer<float, Shape<7>, 3> fc3;
  SoftmaxLayer<float, Shape<3>> out;
};
using MlpNet = Network<MlpAggregate>;

}  // namespace

TEST_CASE("shape inference chains output shapes through specs") {
  using Net = Sequential<float, Shape<4, 3, 2>, Flatten, Dense<5>, ReLU, Reshape<5, 1>, Flatten,
                         Dense<2>>;
  static_assert(Net::layer_count == 6);
  static_assert(std::is_same_v<Net::input_type, Tensor<float, Shape<4, 3, 2>>>);
  static_assert(std::is_same_v<Net::layer_type<0>::output_type, Tensor<float, Shape<24>>>);
  static_assert(std::is_same_v<Net::layer_type<3>::output_type, Tensor<float, Shape<5, 1>>>);
  static_assert(std::is_same_v<Net::output_type, Tensor<float, Shape<2>>>);
  static_assert(Net::param_count == 24 * 5 + 5 + 5 * 2 + 2);
  static_assert(Net::param_bytes == Net::param_count * sizeof(float));
  static_assert(Net::macs == 24 * 5 + 5 * 2);
  CHECK(Net::layer_count == 6);
}

TEST_CASE("blocks splice into the sequence") {
  using B = Block<Dense<8>, ReLU>;
  using Net = Sequential<float, Shape<4>, B, B, Dense<2>>;
  static_assert(Net::layer_count == 5);
  static_assert(std::is_same_v<Net::layer_type<2>, DenseLayer<float, Shape<8>, 8>>);
  CHECK(Net::param_count == (4 * 8 + 8) + (8 * 8 + 8) + (8 * 2 + 2));
}

TEST_CASE("sequential forward matches a double-precision reference") {
  Mlp net{};
  fill_params(net);
  Tensor<float, Shape<6>> x{};
  fill_input(x);
  Mlp::output_type y{};
  alignas(16) static std::byte arena[Mlp::arena_bytes];
  net(x, y, arena);

  std::vector<double> h(x.begin(), x.end());
  h = relu(dense_ref(h, net.layer<0>().weights.data(), net.layer<0>().bias.data(), 10));
  h = dense_ref(h, net.layer<2>().weights.data(), net.layer<2>().bias.data(), 7);
  for (auto& v : h) v = std::tanh(v);
  h = dense_ref(h, net.layer<4>().weights.data(), net.layer<4>().bias.data(), 3);
  double m = std::max({h[0], h[1], h[2]}), sum = 0;
  for (auto& v : h) sum += (v = std::exp(v - m));
  for (std::size_t i = 0; i < 3; ++i) CHECK(y[i] == doctest::Approx(h[i] / sum).epsilon(1e-6));
}

TEST_CASE("aggregate (PFR) model equals the sequential form") {
  static_assert(MlpNet::layer_count == Mlp::layer_count);
  static_assert(MlpNet::param_count == Mlp::param_count);
  static_assert(MlpNet::macs == Mlp::macs);
  static_assert(MlpNet::arena_bytes == Mlp::arena_bytes);
  static_assert(std::is_same_v<MlpNet::input_type, Mlp::input_type>);
  Mlp seq{};
  MlpNet agg{};
  fill_params(seq, 7);
  fill_params(agg, 7);
  CHECK(agg.layers.fc1.weights == seq.layer<0>().weights);
  CHECK(agg.layers.fc3.bias == seq.layer<4>().bias);
  Tensor<float, Shape<6>> x{};
  fill_input(x);
  Mlp::output_type a{}, b{};
  alignas(16) std::byte arena[Mlp::arena_bytes];
  seq(x, a, arena);
  agg(x, b, arena);
  CHECK(a == b);

  std::string s1, s2;
  summary(seq, [&](std::string_view l) { s1 += l; });
  summary(agg, [&](std::string_view l) { s2 += l; });
  CHECK(s1 == s2);
}

TEST_CASE("aggregate members are reachable through the layer list") {
  MlpNet agg{};
  agg.layer<0>().bias[3] = 2.5f;
  CHECK(agg.layers.fc1.bias[3] == 2.5f);
  static_assert(std::tuple_size_v<decltype(agg.parameters())> == 6);
}

// ---- memory planning -------------------------------------------------------------------------

TEST_CASE("arena: ping-pong between consecutive activations, elementwise layers in place") {
  // 16 -> 64 -> relu -> 32 -> relu -> 8 -> softmax: live pairs (64,32) = 96 floats.
  using Net = Sequential<float, Shape<16>, Dense<64>, ReLU, Dense<32>, ReLU, Dense<8>, Softmax<>>;
  constexpr auto& p = Net::memory_plan;
  static_assert(Net::arena_bytes == (64 + 32) * sizeof(float));
  static_assert(p.runs_in_place[1] && p.runs_in_place[3] && p.runs_in_place[5]);
  static_assert(p.where[6] == plan::Where::output && p.where[5] == plan::Where::output);
  static_assert(p.offset[1] == 0 && p.offset[3] == Net::arena_bytes - 32 * sizeof(float));
  // Naive allocation (a buffer per activation) would need 64+64+32+32+8 floats.
  static_assert(Net::arena_bytes < (64 + 64 + 32 + 32 + 8) * sizeof(float));
  CHECK(Net::arena_bytes == 384);
}

TEST_CASE("arena: a single layer needs none; trailing in-place layers use the output") {
  using One = Sequential<float, Shape<16>, Dense<4>>;
  static_assert(One::arena_bytes == 0);
  using Two = Sequential<float, Shape<16>, Dense<4>, ReLU, Softmax<>>;
  static_assert(Two::arena_bytes == 0);
  using Lead = Sequential<float, Shape<16>, ReLU, Dense<4>>;  // the caller's input is never written
  static_assert(Lead::arena_bytes == 16 * sizeof(float));
  CHECK(true);
}

TEST_CASE("arena: sizes are 16-byte aligned and top/bottom buffers never overlap") {
  using Net = Sequential<float, Shape<5>, Dense<3>, Dense<7>, Dense<1>, Dense<9>, Dense<2>>;
  constexpr auto& p = Net::memory_plan;
  static_assert(Net::arena_bytes % 16 == 0);
  for (std::size_t k = 1; k + 1 < Net::layer_count; ++k) {
    // Activations k and k+1 are alive together: [off, off+size) must be disjoint.
    const std::size_t a0 = p.offset[k], b0 = p.offset[k + 1];
    const std::size_t sizes[] = {5, 3, 7, 1, 9, 2};
    const std::size_t a1 = a0 + sizes[k] * 4, b1 = b0 + sizes[k + 1] * 4;
    CHECK((a1 <= b0 || b1 <= a0));
  }
}

TEST_CASE("arena: a layer with an in-place lead writes its output before its input, in one region") {
  // A MobileNet-like chain (bytes): conv to 1008 -> in-place depthwise (scratch 112) ->
  // pointwise expansion to 2000 (lead 1056: the output's extra 992 and four input pixels) ->
  // strided depthwise to 496 (lead 96, scratch 240) -> dense to 16.
  constexpr std::array<plan::StepFacts, 5> s{{{4000, 1008, 0, false},
                                              {1008, 1008, 112, true},
                                              {1008, 2000, 0, false, 1056},
                                              {2000, 496, 240, false, 96},
                                              {496, 16, 0, false}}};
  constexpr auto p = plan::make_plan(s);
  static_assert(test::plan_is_valid(s, p));
  static_assert(p.runs_in_place[1] && p.runs_in_place[2] && p.runs_in_place[3]);
  // Ping-pong keeps the expansion's input and output apart (1008 + 2000); placed, the expansion
  // needs its input plus the lead (2064), the strided step its input, its lead and its scratch
  // (2000 + 96 + 240): the arena is the span of both.
  static_assert(plan::ping_pong_plan(s).arena_bytes == 3008);
  static_assert(p.arena_bytes == 2336);
  // Where nothing runs with a lead, make_plan keeps ping-pong unless placing wins.
  constexpr std::array<plan::StepFacts, 4> t{{{64, 48, 0, false}, {48, 304, 32, false}, {304, 16, 0, false}, {16, 8, 0, false}}};
  static_assert(test::plan_is_valid(t, plan::make_plan(t)));
  static_assert(plan::make_plan(t).arena_bytes <= plan::ping_pong_plan(t).arena_bytes);
  CHECK(p.arena_bytes == 2336);
}

TEST_CASE("arena contents before the call do not matter") {
  Mlp net{};
  fill_params(net, 3);
  Tensor<float, Shape<6>> x{};
  fill_input(x);
  alignas(16) std::byte arena[Mlp::arena_bytes + 16];
  Mlp::output_type a{}, b{};
  std::memset(arena, 0xFF, sizeof arena);  // NaN patterns
  net(x, a, arena);
  std::memset(arena, 0x00, sizeof arena);
  net(x, b, std::span<std::byte>(arena));
  CHECK(a == b);
}

// ---- residual ---------------------------------------------------------------------------------

TEST_CASE("residual blocks: identity and projection shortcuts") {
  using Net = Sequential<float, Shape<6>, Residual<Block<Dense<9>, ReLU, Dense<6>>>, ReLU,
                         Residual<Block<Dense<4>, Tanh>, Block<Dense<4>>>, Dense<2>>;
  Net net{};
  fill_params(net, 11);
  Tensor<float, Shape<6>> x{};
  fill_input(x);
  Net::output_type y{};
  alignas(16) std::byte arena[Net::arena_bytes];
  net(x, y, arena);

  const auto& r1 = net.layer<0>().body;
  const auto& r2 = net.layer<2>();
  std::vector<double> in(x.begin(), x.end());
  auto h = relu(dense_ref(in, r1.layer<0>().weights.data(), r1.layer<0>().bias.data(), 9));
  h = dense_ref(h, r1.layer<2>().weights.data(), r1.layer<2>().bias.data(), 6);
  for (std::size_t i = 0; i < 6; ++i) h[i] += in[i];
  h = relu(h);
  auto b = dense_ref(h, r2.body.layer<0>().weights.data(), r2.body.layer<0>().bias.data(), 4);
  for (auto& v : b) v = std::tanh(v);
  auto s = dense_ref(h, r2.shortcut.layer<0>().weights.data(), r2.shortcut.layer<0>().bias.data(), 4);
  for (std::size_t i = 0; i < 4; ++i) b[i] += s[i];
  const auto& fc = net.layer<3>();
  auto out = dense_ref(b, fc.weights.data(), fc.bias.data(), 2);
  CHECK(y[0] == doctest::Approx(out[0]).epsilon(1e-5));
  CHECK(y[1] == doctest::Approx(out[1]).epsilon(1e-5));
  static_assert(Net::param_count == (6 * 9 + 9 + 9 * 6 + 6) + 2 * (6 * 4 + 4) + (4 * 2 + 2));
}

// ---- batches -----------------------------------------------------------------------------------

TEST_CASE("forward_batch without batched layers: one input at a time, same plan scaled, same bits") {
  // Residual blocks, in-place activations (also trailing ones in the caller's output buffer).
  using Net = Sequential<float, Shape<6>, Residual<Block<Dense<9>, ReLU, Dense<6>>>, ReLU, Dense<5>, Tanh, Softmax<>>;
  static_assert(Net::batch_block == 1);
  static_assert(Net::batch_arena_bytes<1> == Net::arena_bytes, "B = 1 is the single-input plan");
  static_assert(Net::batch_arena_bytes<3> >= 3 * 6 * sizeof(float));
  Net net{};
  fill_params(net, 5);
  constexpr std::size_t n = 7;
  std::array<float, 6 * n> in{};
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(static_cast<int>(i * 5 % 11) - 5) * 0.3f;
  std::array<float, 5 * n> got{}, want{};
  alignas(16) std::byte arena[Net::arena_bytes];
  alignas(16) std::byte arena3[Net::batch_arena_bytes<3>];
  {
    ctml::test::NoHeapScope guard;
    net.forward_batch<3>(in.data(), got.data(), n, arena3);  // blocks of 3, 3, 1
    CHECK(guard.allocations() == 0);
  }
  ctml::test::one_at_a_time(net, in.data(), want.data(), n, arena);
  CHECK(got == want);
}

// ---- constexpr inference ----------------------------------------------------------------------

namespace {
using Tiny = Sequential<float, Shape<3>, Dense<4, Fuse<Activation::relu>>, Dense<2>, Sigmoid>;
constexpr Tiny make_tiny() {
  Tiny t{};
  fill_params(t, 5);
  return t;
}
constexpr Tiny tiny = make_tiny();
constexpr Tensor<float, Shape<3>> tiny_in{{0.5f, -1.0f, 2.0f}};
constexpr auto tiny_out = tiny.infer(tiny_in);
static_assert(tiny_out[0] > 0.0f && tiny_out[0] < 1.0f, "sigmoid range, evaluated at compile time");
}  // namespace

TEST_CASE("constexpr forward agrees with the run-time forward") {
  Tiny::output_type y{};
  alignas(16) std::byte arena[Tiny::arena_bytes + 1];
  tiny(tiny_in, y, arena);
  for (std::size_t i = 0; i < 2; ++i) CHECK(tiny_out[i] == doctest::Approx(y[i]).epsilon(1e-6));
}

// ---- zero heap ----------------------------------------------------------------------------------

TEST_CASE("forward, infer and summary allocate nothing") {
  static Mlp net{};
  fill_params(net);
  Tensor<float, Shape<6>> x{};
  fill_input(x);
  Mlp::output_type y{};
  alignas(16) static std::byte arena[Mlp::arena_bytes];
  std::size_t lines = 0;
  {
    ctml::test::NoHeapScope guard;
    net(x, y, arena);
    y = net.infer(x);
    summary(net, [&](std::string_view) { ++lines; });
    CHECK(guard.allocations() == 0);
  }
  CHECK(lines == Mlp::layer_count + 3);
}

// ---- summary -------------------------------------------------------------------------------------

TEST_CASE("summary lists every layer with shape, params, MACs and the totals") {
  std::string s;
  summary<Mlp>([&](std::string_view l) { s += l; });
  CHECK(s.find("Dense") != std::string::npos);
  CHECK(s.find("Softmax") != std::string::npos);
  CHECK(s.find("total: params 171 (684 bytes), MACs 151, arena 80 bytes") != std::string::npos);
  CHECK(s.find("in place") != std::string::npos);
}
