// Core types: Shape, Tensor, TensorView, options and the constexpr math functions.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <string>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <type_traits>

#include <ctml/core/concepts.hpp>
#include <ctml/core/math.hpp>
#include <ctml/core/options.hpp>
#include <ctml/core/shape.hpp>
#include <ctml/core/target.hpp>
#include <ctml/core/tensor.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace ctml;

TEST_CASE("Shape: rank, extents, size and row-major strides are compile-time constants") {
  using S = Shape<2, 3, 4>;
  static_assert(S::rank == 3 && S::size == 24);
  static_assert(S::extents[0] == 2 && S::extent(2) == 4);
  static_assert(S::strides[0] == 12 && S::strides[1] == 4 && S::strides[2] == 1);
  static_assert(S::offset(1, 2, 3) == 23);
  static_assert(Shape<7>::strides[0] == 1);
  static_assert(Shape<>::size == 1 && Shape<>::rank == 0);
  static_assert(ShapeType<S> && !ShapeType<int>);
  static_assert(std::is_same_v<flat_shape_t<S>, Shape<24>>);
  // Every index maps to a distinct offset, in order.
  std::size_t expect = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) CHECK(S::offset(i, j, k) == expect++);
}

TEST_CASE("Tensor: aggregate, aligned, contiguous, multi-index access, equality") {
  using T = Tensor<float, Shape<2, 3>>;
  static_assert(std::is_aggregate_v<T> && std::is_trivially_copyable_v<T>);
  static_assert(alignof(T) >= 16);
  static_assert(TensorLike<T> && TensorType<T>);
  static_assert(T::size() == 6 && T::size_bytes() == 24);
  constexpr T t{{1, 2, 3, 4, 5, 6}};
  static_assert(t(0, 0) == 1 && t(1, 2) == 6 && t[4] == 5);
  T u = t;
  CHECK(u == t);
  u(1, 1) = -1;
  CHECK_FALSE(u == t);
  CHECK(u[4] == -1);
  CHECK(reinterpret_cast<std::uintptr_t>(u.data()) % 16 == 0);
  float sum = 0;
  for (float v : t) sum += v;
  CHECK(sum == 21);
  CHECK(std::accumulate(t.begin(), t.end(), 0.0f) == 21);
  u.fill(2);
  CHECK(std::accumulate(u.begin(), u.end(), 0.0f) == 12);
}

TEST_CASE("Tensor: usable in constant expressions") {
  constexpr auto make = [] {
    Tensor<int, Shape<3, 3>> m{};
    for (int i = 0; i < 3; ++i) m(i, i) = 1;
    return m;
  };
  constexpr auto eye = make();
  static_assert(eye(0, 0) == 1 && eye(0, 1) == 0 && eye(2, 2) == 1);
  CHECK(eye(1, 1) == 1);
}

TEST_CASE("TensorView: the tensor interface over caller memory") {
  alignas(16) float buffer[12] = {};
  TensorView<float, Shape<3, 4>> v(buffer);
  v(2, 3) = 7;
  CHECK(buffer[11] == 7);
  CHECK(v.size() == 12);
  Tensor<float, Shape<3, 4>> t{};
  TensorView<const float, Shape<3, 4>> cv(t);
  t(1, 1) = 3;
  CHECK(cv(1, 1) == 3);
  static_assert(TensorLike<TensorView<float, Shape<3, 4>>>);
}

TEST_CASE("axis geometry follows TensorFlow's same/valid rules") {
  // valid: out = floor((in - eff_k) / s) + 1
  static_assert(axis_geometry(10, 3, 1, 1, Padding::valid).out == 8);
  static_assert(axis_geometry(10, 3, 2, 1, Padding::valid).out == 4);
  static_assert(axis_geometry(10, 3, 1, 2, Padding::valid).out == 6);
  // same: out = ceil(in / s), padding split with the smaller half first
  static_assert(axis_geometry(49, 10, 2, 1, Padding::same).out == 25);
  static_assert(axis_geometry(49, 10, 2, 1, Padding::same).pad_before == 4);
  static_assert(axis_geometry(10, 4, 2, 1, Padding::same).out == 5);
  static_assert(axis_geometry(10, 4, 2, 1, Padding::same).pad_before == 1);
  static_assert(axis_geometry(5, 3, 1, 1, Padding::same).pad_before == 1);
  static_assert(axis_geometry(2, 3, 1, 1, Padding::valid).out == 0);
  // Brute-force check of "same" against its definition.
  for (std::size_t in = 1; in < 20; ++in)
    for (std::size_t k = 1; k < 6; ++k)
      for (std::size_t s = 1; s < 4; ++s) {
        const auto g = axis_geometry(in, k, s, 1, Padding::same);
        CHECK(g.out == (in + s - 1) / s);
        const long total = std::max(0L, static_cast<long>((g.out - 1) * s + k) - static_cast<long>(in));
        CHECK(g.pad_before == static_cast<std::size_t>(total / 2));
      }
}

TEST_CASE("conv options resolve defaults in any order") {
  using A = ConvOptions<Same, Stride<2>>;
  using B = ConvOptions<Stride<2, 2>, Same>;
  static_assert(A::padding == Padding::same && B::padding == Padding::same);
  static_assert(A::stride::h == 2 && A::stride::w == 2 && std::is_same_v<typename A::stride, typename B::stride>);
  using D = ConvOptions<>;
  static_assert(D::padding == Padding::valid && D::stride::h == 1 && D::dilation::w == 1);
  static_assert(D::activation == Activation::none && D::depth_multiplier == 1);
  static_assert(ConvOptions<Fuse<Activation::relu6>>::activation == Activation::relu6);
  CHECK(true);
}

TEST_CASE("constexpr math matches <cmath>") {
  // Compile-time values, compared at run time against the library functions.
  static constexpr std::array<double, 11> xs{-20.0, -5.5, -1.0, -0.3, 0.0, 1e-4, 0.5, 1.0, 2.5, 7.0, 30.0};
  constexpr auto ce = [](auto f) {
    std::array<double, 11> r{};
    for (std::size_t i = 0; i < 11; ++i) r[i] = f(xs[i]);
    return r;
  };
  constexpr auto e = ce([](double x) { return math::exp(x); });
  constexpr auto t = ce([](double x) { return math::tanh(x); });
  constexpr auto s = ce([](double x) { return math::sigmoid(x); });
  constexpr auto l = ce([](double x) { return math::log(x < 0 ? -x + 0.1 : x + 0.1); });
  constexpr auto q = ce([](double x) { return math::sqrt(x < 0 ? -x : x); });
  for (std::size_t i = 0; i < std::size(xs); ++i) {
    const double x = xs[i];
    CHECK(e[i] == doctest::Approx(std::exp(x)).epsilon(1e-12));
    CHECK(t[i] == doctest::Approx(std::tanh(x)).epsilon(1e-12));
    CHECK(s[i] == doctest::Approx(1.0 / (1.0 + std::exp(-x))).epsilon(1e-12));
    CHECK(l[i] == doctest::Approx(std::log(x < 0 ? -x + 0.1 : x + 0.1)).epsilon(1e-12));
    CHECK(q[i] == doctest::Approx(std::sqrt(std::abs(x))).epsilon(1e-12));
  }
  static_assert(math::exp(0.0) == 1.0);
  static_assert(math::exp(-1000.0) == 0.0);
  static_assert(math::sigmoid(-800.0) >= 0.0 && math::sigmoid(800.0) <= 1.0);
  static_assert(math::clamp(7, 0, 6) == 6 && math::max(2.0f, 3.0f) == 3.0f);
}

TEST_CASE("layer_traits supplies defaults for optional layer facts") {
  struct Minimal {
    using input_type = Tensor<float, Shape<4>>;
    using output_type = Tensor<float, Shape<2>>;
    constexpr void forward(const float*, float*, float*) const {}
  };
  using Tr = layer_traits<Minimal>;
  static_assert(Layer<Minimal>);
  static_assert(Tr::scratch_size == 0 && !Tr::in_place && Tr::macs == 0 && Tr::param_count == 0);
  static_assert(Tr::name == "layer");
  static_assert(std::is_same_v<Tr::output_shape, Shape<2>>);
  static_assert(!Layer<int>);
  CHECK(true);
}

TEST_CASE("target: the int8 kernels this binary runs, and the run-time choice of a generic x86-64 or AArch64 build") {
  const std::string_view now = ctml::target::int8_kernels_now();
  // stderr: unbuffered, so printing allocates nothing (doctest's MESSAGE and stdout's buffer would).
  std::fprintf(stderr, "ctml int8 kernels: %s\n", ctml::target::int8_kernels_now());
  if constexpr (ctml::target::avx512_vnni_dispatch) {
#if defined(CTML_DISPATCH_AVX512_VNNI)
    const char* env = std::getenv("CTML_X86_KERNELS");
    const bool forced_portable = env != nullptr && std::string_view(env) == "portable";
    __builtin_cpu_init();
    const bool cpu = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                     __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    CHECK(ctml::target::avx512_vnni_now() == (cpu && !forced_portable));
    const bool named = now == (ctml::target::avx512_vnni_now() ? "avx512-vnni (chosen at run time)" : "portable (chosen at run time)");
    CHECK(named);
#endif
  } else if constexpr (ctml::target::neon_dotprod_dispatch) {
    // A generic AArch64 build: SDOT exactly when the CPU has it. The aarch64 preset runs this
    // binary on a Cortex-A72 (no dot product) and again on a Cortex-A76 and says which it is.
    const char* expect = std::getenv("CTML_EXPECT_DOTPROD");
    const char* env = std::getenv("CTML_ARM_KERNELS");
    const bool forced_neon = env != nullptr && std::string_view(env) == "neon";
    if (expect != nullptr) CHECK(ctml::target::neon_dotprod_now() == (std::string_view(expect) == "1" && !forced_neon));
    const bool named = now == (ctml::target::neon_dotprod_now() ? "neon-dotprod (chosen at run time)" : "neon (chosen at run time)");
    CHECK(named);
  } else {
    const bool named = now == ctml::target::int8_kernels;
    CHECK(named);
    CHECK(ctml::target::avx512_vnni_now() == ctml::target::avx512_vnni);
    CHECK(ctml::target::neon_dotprod_now() == ctml::target::neon_dotprod);
  }
}
