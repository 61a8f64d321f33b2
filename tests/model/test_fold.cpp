// fold_batchnorms: BatchNorm layers disappear into the conv/dense before them, nested networks
// included, and the function computed does not change.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>

#include <ctml/ctml.hpp>
#include <ctml/model/fold.hpp>

using namespace ctml;

namespace {
template <class Net>
void fill(Net& net, unsigned s) {
  std::apply(
      [&](auto&... t) {
        ((void)[&] {
          for (auto& v : t) {
            s = s * 1664525u + 1013904223u;
            v = static_cast<float>(static_cast<int>(s >> 8) - (1 << 23)) / static_cast<float>(1 << 25);
          }
        }(), ...);
      },
      net.parameters());
}
// BatchNorm parameters come as (gamma, beta, mean, var): give every rank-1 tensor of the BNs a
// positive, variance-like value by walking the layers.
template <class L>
void fix_bn(L& l) {
  if constexpr (requires { l.running_var; }) {
    for (auto& v : l.running_var) v = 0.5f + std::abs(v);
    for (auto& g : l.gamma) g = 1.0f + g;
  } else if constexpr (requires { l.body; }) {
    fix_bn(l.body);
    if constexpr (L::projected) fix_bn(l.shortcut);
  } else if constexpr (requires { L::layer_count; }) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (fix_bn(l.template layer<I>()), ...); }(
        std::make_index_sequence<L::layer_count>{});
  }
}
}  // namespace

TEST_CASE("folding DS-CNN removes every BatchNorm and keeps the output") {
  using Kws = zoo::KwsDsCnn<>;
  using Folded = folded_t<Kws>;
  static_assert(Folded::layer_count == Kws::layer_count - 9);
  static_assert(Folded::param_count == 22'604, "MLPerf Tiny DS-CNN: 22.6 K parameters once BN is folded");
  static_assert(Folded::macs == Kws::macs);
  static Kws net{};
  fill(net, 3);
  fix_bn(net);
  static Folded folded{};
  folded = fold_batchnorms(net);
  Kws::input_type x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.1f * static_cast<float>(i));
  Kws::output_type a{}, b{};
  alignas(16) static std::byte arena[Kws::arena_bytes];
  net(x, a, arena);
  folded(x, b, std::span<std::byte>(arena));
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == doctest::Approx(a[i]).epsilon(1e-4));
}

TEST_CASE("folding reaches into residual bodies and leaves unfoldable BNs") {
  using Net = Sequential<float, Shape<6, 6, 3>, Conv2D<4, Kernel<3>, Same>, BatchNorm, ReLU,
                         Residual<Block<Conv2D<4, Kernel<3>, Same>, BatchNorm, ReLU, Conv2D<4, Kernel<3>, Same>,
                                        BatchNorm>>,
                         BatchNorm,  // follows a residual block: stays
                         Flatten, Dense<5>, BatchNorm, Dense<3>>;
  using F = folded_t<Net>;
  static_assert(F::layer_count == Net::layer_count - 2);
  static_assert(F::layer_type<2>::body_traits::input_type::size() == 6 * 6 * 4);
  static_assert(layer_traits<F::layer_type<2>>::param_count < layer_traits<Net::layer_type<3>>::param_count);
  static Net net{};
  fill(net, 9);
  fix_bn(net);
  constexpr auto check = [] {};
  (void)check;
  static F f{};
  f = fold_batchnorms(net);
  Net::input_type x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.3f * static_cast<float>(i));
  const auto a = net.infer(x);
  const auto b = f.infer(x);
  for (std::size_t i = 0; i < 3; ++i) CHECK(b[i] == doctest::Approx(a[i]).epsilon(1e-4));
}
