// SPDX-License-Identifier: Apache-2.0
// MLPerf Tiny's VWW MobileNetV1-0.25 (96x96x3) and ResNet-8 (32x32x3) as int8 networks from PTQ of
// the zoo types with random weights (their cost and kernels do not depend on the weight values):
//  * every top-level conv and depthwise layer, run out of line on the previous layer's output,
//    equals the TFLite reference formula (tests/support/int8_reference.hpp);
//  * the whole network in its planned arena equals the same layers run one at a time in separate
//    buffers, byte for byte, and each residual block (run in row bands) equals the same block run
//    tensor by tensor.
// GCC 12 -O2 once deleted calls to some of these layers (docs/compiler-notes.md); this is the
// calling context that exposed it.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <ctml/model/summary.hpp>
#include <ctml/quant/ptq.hpp>
#include <ctml/quant/quantize_model.hpp>
#include <ctml/zoo/mlperf_tiny.hpp>

#include "int8_reference.hpp"
#include "plan_check.hpp"
#include "random_net.hpp"

using namespace ctml;

namespace {
#if defined(__clang__)
#define CTML_TEST_OUT_OF_LINE [[gnu::noinline]]
#else
// noipa: the caller may not use what GCC concludes about this function (pure, clobbers, ...).
#define CTML_TEST_OUT_OF_LINE [[gnu::noipa]]
#endif

using test::Rng;
using test::init_layer;

template <class L>
CTML_TEST_OUT_OF_LINE void run_layer(const L& l, const std::int8_t* in, std::int8_t* out, std::byte* scratch) {
  using S = typename layer_traits<L>::scratch_value;
  l.forward(in, out, reinterpret_cast<S*>(scratch));
}

template <class L>
constexpr bool has_reference = requires(const L& l, const std::int8_t* x) { test::ref_layer(l, x); };

constexpr std::size_t max_activation = 96 * 96 * 8 * 2;
alignas(16) std::int8_t buf_a[max_activation], buf_b[max_activation];
alignas(16) std::int8_t whole_block[max_activation];
alignas(16) std::byte scratch[64 * 1024];
int blocks_checked = 0;

// Runs q's layers one at a time (ping-pong between buf_a and buf_b), checking each conv layer
// against the reference; returns the output, which ends in buf_a.
template <class Q>
void layers_one_at_a_time(const Q& q, const typename Q::input_type& x, typename Q::output_type& y, const char* name,
                          int& layers_checked) {
  std::copy_n(x.data(), x.size(), buf_a);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Q::template layer_type<I>;
          using Tr = layer_traits<L>;
          static_assert(std::is_same_v<typename Tr::input_value, std::int8_t> &&
                        std::is_same_v<typename Tr::output_value, std::int8_t>);
          static_assert(Tr::input_type::size() <= max_activation && Tr::output_type::size() <= max_activation);
          static_assert(Tr::scratch_bytes <= sizeof scratch);
          const L& l = q.template layer<I>();
          run_layer(l, buf_a, buf_b, scratch);
          if constexpr (requires { l.forward_whole(buf_a, buf_b, nullptr); }) {
            // A residual block in row bands against the same block tensor by tensor.
            static_assert(L::whole_scratch_size <= sizeof scratch);
            l.forward_whole(buf_a, whole_block, reinterpret_cast<std::int8_t*>(scratch));
            CHECK_MESSAGE(std::equal(buf_b, buf_b + Tr::output_type::size(), whole_block), std::string(name), " layer ", I,
                          " (", std::string(L::name), "): row bands differ from the whole-tensor block");
            ++blocks_checked;
          }
          if constexpr (has_reference<L>) {
            const auto ref = test::ref_layer(l, buf_a);
            std::size_t differ = 0;
            for (std::size_t k = 0; k < ref.size(); ++k) differ += ref[k] != buf_b[k];
            CHECK_MESSAGE(differ == 0, std::string(name), " layer ", I, " (", std::string(L::name), "): ", differ, " of ",
                          ref.size(), " bytes differ from the reference formula");
            ++layers_checked;
          }
          std::copy_n(buf_b, Tr::output_type::size(), buf_a);
        }(),
        ...);
  }(std::make_index_sequence<Q::layer_count>{});
  std::copy_n(buf_a, y.size(), y.data());
}

template <class Net, std::size_t Inputs>
void check_network(const char* name, std::uint32_t seed, int expected_conv_layers) {
  static Net net{};
  Rng r{seed};
  init_layer(net, r);
  static std::array<typename Net::input_type, Inputs> xs{};
  for (auto& x : xs)
    for (auto& v : x) v = r.uniform(-1.0f, 1.0f);
  static quant::Calibrator<Net> cal(net);
  for (const auto& x : xs) cal.observe(x);
  static const auto q = cal.quantize();
  using Q = std::remove_cvref_t<decltype(q.model)>;
  alignas(16) static std::byte arena[Q::arena_bytes];
  static_assert(test::plan_is_valid(Q::plan_facts, Q::memory_plan));
  MESSAGE(std::string(name), ": arena ", Q::arena_bytes, " bytes (ping-pong: ", plan::ping_pong_plan(Q::plan_facts).arena_bytes,
          ")");
  for (const auto& x : xs) {
    const auto xq = q.quantize_input(x);
    typename Q::output_type whole{}, split{};
    q.model(xq, whole, arena);
    int checked = 0;
    layers_one_at_a_time(q.model, xq, split, name, checked);
    CHECK(checked == expected_conv_layers);
    CHECK_MESSAGE(whole == split, std::string(name), ": the whole network differs from its layers run one at a time");
  }
}
}  // namespace

TEST_CASE("VWW MobileNetV1-0.25 int8 (96x96x3): conv layers equal the reference, whole network equals its layers") {
  // 1 conv + 13 depthwise + 13 pointwise at the top level.
  check_network<zoo::VwwMobileNetV1<float>, 3>("VWW MobileNetV1", 7, 27);
  // Its pointwise expansions and strided depthwise convs overlap their inputs with a lead
  // (docs/memory-plan.md): 38,800 bytes instead of ping-pong's 55,344.
  using Q = decltype(quant::Calibrator<zoo::VwwMobileNetV1<float>>{std::declval<const zoo::VwwMobileNetV1<float>&>()}.quantize().model);
  static_assert(Q::arena_bytes < plan::ping_pong_plan(Q::plan_facts).arena_bytes);
  // The summary says where such a layer's output went.
  std::string s;
  summary<Q>([&](std::string_view l) { s += l; });
  CHECK(s.find(" over its input") != std::string::npos);
}

TEST_CASE("ResNet-8 int8 (32x32x3): first conv equals the reference, whole network equals its layers") {
  // The residual blocks hold the stride-2 3x3 and 1x1 projection convs; their geometries are
  // checked one by one in test_quant.cpp.
  blocks_checked = 0;
  check_network<zoo::ResNet8<float>, 3>("ResNet-8", 11, 1);
  CHECK(blocks_checked == 3 * 3);
  // Its residual blocks run in row bands (model/row_bands.hpp): the goal, 0.4x of
  // TFLite Micro's 54,340 bytes (ping-pong over whole-tensor blocks: 49,744).
  using Q = decltype(quant::Calibrator<zoo::ResNet8<float>>{std::declval<const zoo::ResNet8<float>&>()}.quantize().model);
  static_assert(Q::arena_bytes <= 21'700);
}
