// Stateful layers and networks (core/concepts.hpp StatefulLayer, model/state.hpp): the state is a
// compile-time fact, lives with the caller, and a streaming step gives what the stateless network
// gives on the window a reference keeps by hand.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include <ctml/ctml.hpp>

using namespace ctml;

namespace {
constexpr std::size_t F = 3, N = 4;
using Window = SlidingWindowLayer<float, Shape<F>, N>;
using Stream = Sequential<float, Shape<F>, SlidingWindow<N>, Flatten, Dense<2>>;
using OnWindow = Sequential<float, Shape<N, F>, Flatten, Dense<2>>;
using Stateless = Sequential<float, Shape<F>, Dense<2>, ReLU>;

// The facts, at compile time.
static_assert(StatefulLayer<Window>);
static_assert(!StatefulLayer<DenseLayer<float, Shape<F>, 2, Activation::none>>);
static_assert(std::is_same_v<Window::output_type, Tensor<float, Shape<N, F>>>);
static_assert(std::is_same_v<SlidingWindowLayer<float, Shape<2, 5>, 3>::output_type, Tensor<float, Shape<3, 2, 5>>>);
static_assert(Stream::stateful && !Stateless::stateful);
static_assert(Stream::state_bytes == sizeof(Window::state_type));
static_assert(sizeof(Window::state_type) >= N * F * sizeof(float));
static_assert(Stateless::state_bytes == 0);
static_assert(std::is_trivially_copyable_v<Stream::state_type> && std::is_aggregate_v<Stream::state_type>);
static_assert(StatefulLayer<Stream>, "a stateful network nests as a stateful layer");
// The state is not in the arena, which holds only activations: here the window (N x F floats)
// between the layers, as much as the stateless network on a window needs for its input.
static_assert(Stream::arena_bytes == N * F * sizeof(float));

Stream make_stream() {
  Stream s{};
  for (std::size_t i = 0; i < 2 * N * F; ++i) s.layer<2>().weights[i] = 0.01f * static_cast<float>(i % 7) - 0.02f;
  s.layer<2>().bias[0] = 0.5f;
  s.layer<2>().bias[1] = -0.25f;
  return s;
}
OnWindow same_dense(const Stream& s) {
  OnWindow w{};
  w.layer<1>() = s.layer<2>();
  return w;
}
Tensor<float, Shape<F>> frame_at(int k) {
  Tensor<float, Shape<F>> x{};
  for (std::size_t i = 0; i < F; ++i) x[i] = static_cast<float>(k * 10 + static_cast<int>(i)) * 0.125f;
  return x;
}
// The reference window after frames 0..k: row t is frame k-N+1+t, zeros before frame 0.
Tensor<float, Shape<N, F>> reference_window(int k) {
  Tensor<float, Shape<N, F>> w{};
  for (std::size_t t = 0; t < N; ++t) {
    const int j = k - static_cast<int>(N) + 1 + static_cast<int>(t);
    if (j < 0) continue;
    const auto x = frame_at(j);
    for (std::size_t i = 0; i < F; ++i) w[t * F + i] = x[i];
  }
  return w;
}
}  // namespace

TEST_CASE("SlidingWindow keeps the last N frames, oldest first, zeros before the first") {
  const Window layer{};
  Window::state_type st{};
  layer.reset(st);
  for (int k = 0; k < 11; ++k) {
    Window::output_type out{};
    const auto x = frame_at(k);
    layer.forward(x.data(), out.data(), nullptr, st);
    const auto ref = reference_window(k);
    for (std::size_t i = 0; i < N * F; ++i) REQUIRE(out[i] == ref[i]);
  }
}

TEST_CASE("a stateful network steps frame by frame and equals the stateless network on the window") {
  const Stream stream = make_stream();
  const OnWindow on_window = same_dense(stream);
  Stream::state_type st{};
  stream.reset(st);
  alignas(16) static std::byte arena[Stream::arena_bytes + 1];
  for (int k = 0; k < 9; ++k) {
    Stream::output_type y{};
    stream(frame_at(k), y, arena, st);
    const auto ref = on_window.infer(reference_window(k));
    CHECK(y[0] == ref[0]);
    CHECK(y[1] == ref[1]);
  }
}

TEST_CASE("states are independent, copyable and reset to the initial state") {
  const Stream stream = make_stream();
  Stream::state_type a{}, b{};
  stream.reset(a);
  stream.reset(b);
  for (int k = 0; k < 5; ++k) (void)stream.infer(frame_at(k), a);  // only a advances
  const auto yb = stream.infer(frame_at(0), b);
  Stream::state_type fresh{};
  stream.reset(fresh);
  CHECK(stream.infer(frame_at(0), fresh) == yb);
  // A copy of a continues exactly as a does.
  Stream::state_type c = a;
  CHECK(stream.infer(frame_at(5), a) == stream.infer(frame_at(5), c));
  // reset() forgets the frames.
  stream.reset(a);
  Stream::state_type d{};
  stream.reset(d);
  CHECK(stream.infer(frame_at(7), a) == stream.infer(frame_at(7), d));
}

TEST_CASE("a stateful network nested in another carries its state inside the outer one") {
  using Inner = Sequential<float, Shape<F>, SlidingWindow<2>>;
  using Outer = Chain<Inner, ReshapeLayer<float, Shape<2, F>, Shape<2 * F>>>;
  static_assert(Outer::stateful && Outer::state_bytes == Inner::state_bytes);
  const Outer net{};
  Outer::state_type st{};
  net.reset(st);
  Outer::output_type y{};
  for (int k = 0; k < 3; ++k) y = net.infer(frame_at(k), st);
  const auto prev = frame_at(1), last = frame_at(2);
  for (std::size_t i = 0; i < F; ++i) {
    CHECK(y[i] == prev[i]);
    CHECK(y[F + i] == last[i]);
  }
}

// Streaming in a constant expression: the window of a constexpr model after three frames.
static_assert([] {
  const Sequential<float, Shape<1>, SlidingWindow<3>> net{};
  decltype(net)::state_type st{};
  net.reset(st);
  Tensor<float, Shape<3, 1>> y{};
  for (int k = 1; k <= 4; ++k) {
    Tensor<float, Shape<1>> x{};
    x[0] = static_cast<float>(k);
    y = net.infer(x, st);
  }
  return y[0] == 2.0f && y[1] == 3.0f && y[2] == 4.0f;
}());

TEST_CASE("summary shows each layer's state and the network's state bytes") {
  std::string s;
  summary<Stream>([&](std::string_view l) { s += l; });
  const std::string per_layer = " +state " + std::to_string(sizeof(Window::state_type));
  CHECK(s.find("SlidingWindow") != std::string::npos);
  CHECK(s.find(per_layer) != std::string::npos);
  CHECK(s.find(", state " + std::to_string(Stream::state_bytes) + " bytes") != std::string::npos);
  std::string plain;
  summary<Stateless>([&](std::string_view l) { plain += l; });
  CHECK(plain.find("state") == std::string::npos);
}
