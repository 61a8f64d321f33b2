// SPDX-License-Identifier: Apache-2.0
// ctml or XNNPACK running one of the four MLPerf Tiny int8 models N times, for instruction counts
// under an emulator (issue 22, item 5: tools/bench/arm64_peer_counts.sh runs it under
// qemu-aarch64 through tools/bench/qemu_user_icount.py). The count for N + 10 runs minus the count
// for N runs, divided by 10, is one inference: start-up, XNNPACK's operator creation and weight
// packing, and the layer checks below are the same in both and cancel out.
//   peer_repeat MODEL ENGINE RUNS [LAYER]   MODEL: kws | ad | resnet8 | vww   ENGINE: ctml | xnnpack
// With LAYER, only that top-level layer runs (on the input XNNPACK's mirror gives it), N times.
// XNNPACK runs the model mirrored layer by layer (xnnpack_mirror.hpp). Both engines start from the
// same input bytes. Printed: the output checksum (ctml), or the largest difference between each
// mirrored XNNPACK layer and ctml's layer on the same input (XNNPACK rounds in float: 0 or 1 is
// right, more is a wrong mirror, and the program then fails).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "peer_models.hpp"
#include "xnnpack_mirror.hpp"

namespace {

// Top-level layer `layer` alone, `runs` times: ctml's layer on its own buffers, or its XNNPACK
// operators.
template <class Model, std::size_t... I>
int run_layer(const Model& model, std::string_view engine, long runs, std::size_t layer, std::index_sequence<I...>) {
  const ctml_bench::XnnModel& x = ctml_bench::mirrored(model);
  if (layer >= Model::layer_count) {
    std::fprintf(stderr, "peer_repeat: the model has %zu top-level layers\n", Model::layer_count);
    return 2;
  }
  std::uint32_t sum = 0;
  std::string_view name;
  (..., [&] {
    if (I != layer) return;
    using L = typename Model::template layer_type<I>;
    using Tr = ctml::layer_traits<L>;
    name = Tr::name;
    if (engine == "xnnpack") {
      for (long r = 0; r < runs; ++r) x.run_layer(I);
      return;
    }
    std::vector<std::int8_t> out(Tr::output_type::size() + 64);
    std::vector<std::byte> scratch(Tr::scratch_bytes + 64);
    for (long r = 0; r < runs; ++r)
      model.template layer<I>().forward(x.layer_in[I], out.data(), reinterpret_cast<typename Tr::scratch_value*>(scratch.data()));
    for (std::size_t i = 0; i < Tr::output_type::size(); ++i) sum = sum * 31u + static_cast<std::uint8_t>(out[i]);
  }());
  std::printf("engine=%.*s layer=%zu kind=%.*s runs=%ld checksum=%08x\n", static_cast<int>(engine.size()), engine.data(), layer,
              static_cast<int>(name.size()), name.data(), runs, static_cast<unsigned>(sum));
  return 0;
}

template <class Model>
int run(const Model& model, std::string_view engine, long runs, long layer) {
  if (layer >= 0)
    return run_layer(model, engine, runs, static_cast<std::size_t>(layer), std::make_index_sequence<Model::layer_count>{});
  if (engine == "xnnpack") {
    const ctml_bench::XnnModel& x = ctml_bench::mirrored(model);  // built and run once
    for (long r = 0; r < runs; ++r) x.run();
    const int diff = x.max_diff();
    std::printf("engine=xnnpack runs=%ld operators=%zu max_diff=%d\n", runs, x.ops.size(), diff);
    return diff <= 3 ? 0 : 1;  // ResNet-8's ADDs round up to 3 apart (docs/performance.md)
  }
  // The input the mirror uses (xnnpack_mirror.hpp, mirrored()).
  typename Model::input_type in{};
  std::uint32_t s = 0x12345678u;
  for (auto& v : in) v = static_cast<std::int8_t>((s = s * 1664525u + 1013904223u) >> 24);
  typename Model::output_type out{};
  std::vector<std::byte> arena(Model::arena_bytes + 16);
  for (long r = 0; r < runs; ++r) model(in, out, std::span<std::byte>(arena));
  std::uint32_t sum = 0;
  for (auto v : out) sum = sum * 31u + static_cast<std::uint8_t>(v);
  std::printf("engine=ctml kernels=%s runs=%ld checksum=%08x\n", ctml::target::int8_kernels_now(), runs, static_cast<unsigned>(sum));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s kws|ad|resnet8|vww ctml|xnnpack RUNS [LAYER]\n", argv[0]);
    return 2;
  }
  const std::string_view model = argv[1], engine = argv[2];
  const long runs = std::atol(argv[3]), layer = argc == 5 ? std::atol(argv[4]) : -1;
  if ((engine != "ctml" && engine != "xnnpack") || runs < 0) {
    std::fprintf(stderr, "peer_repeat: unknown engine '%s' or bad run count\n", argv[2]);
    return 2;
  }
  if (model == "kws") return run(ctml_bench::kws_model(), engine, runs, layer);
  if (model == "ad") return run(ctml_bench::ad_model(), engine, runs, layer);
  if (model == "resnet8") return run(ctml_bench::resnet8_model(), engine, runs, layer);
  if (model == "vww") return run(ctml_bench::vww_model(), engine, runs, layer);
  std::fprintf(stderr, "peer_repeat: unknown model '%s'\n", argv[1]);
  return 2;
}
