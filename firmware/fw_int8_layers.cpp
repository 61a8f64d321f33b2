// SPDX-License-Identifier: Apache-2.0
// Cost report image: an imported int8 model (FW_NS, as fw_int8.cpp) run layer by layer, each
// layer's instructions counted separately, so the DSP-extension and portable kernels can be
// compared per layer. The layers run through two ping-pong buffers of their own (not the model's
// planned arena); the outputs of all eight golden inputs are checked against TensorFlow Lite Micro's
// bytes.
// Output: one line per layer "layer I NAME macs=M instructions=N", then a summary line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "board.hpp"
#include "generated.hpp"
#include "golden.hpp"

#ifndef FW_NS
#error "FW_NS: the namespace given to ctml-import --name"
#endif
#define FW_STR2(x) #x
#define FW_STR(x) FW_STR2(x)

using Model = FW_NS::Model;

namespace {

template <std::size_t I>
using traits = ctml::layer_traits<typename Model::template layer_type<I>>;

template <std::size_t... I>
constexpr std::size_t max_activation(std::index_sequence<I...>) {
  return std::max({traits<I>::input_type::size()..., traits<I>::output_type::size()...});
}
template <std::size_t... I>
constexpr std::size_t max_scratch_bytes(std::index_sequence<I...>) {
  return std::max({std::size_t{16}, traits<I>::scratch_bytes...});
}
using Layers = std::make_index_sequence<Model::layer_count>;

alignas(16) std::byte buffers[2][max_activation(Layers{}) * sizeof(std::int32_t)];
alignas(16) std::byte scratch[max_scratch_bytes(Layers{})];
Model::output_type output{};

template <std::size_t I>
std::uint64_t run_layer(bool report) {
  using Tr = traits<I>;
  const auto* src = reinterpret_cast<const typename Tr::input_value*>(buffers[I % 2]);
  auto* dst = reinterpret_cast<typename Tr::output_value*>(buffers[(I + 1) % 2]);
  auto* s = reinterpret_cast<typename Tr::scratch_value*>(scratch);
  const std::uint64_t n = board::count_instructions([&] { FW_NS::model.template layer<I>().forward(src, dst, s); });
  if (report) board::Out() << "layer " << I << ' ' << Tr::name << " macs=" << Tr::macs << " instructions=" << n << '\n';
  return n;
}

}  // namespace

// All eight golden inputs run layer by layer; the per-layer counts are those of input 0.
int main() {
  static_assert(sizeof golden_in[0] == Model::input_type::size(), "golden inputs do not match the model's input");
  static_assert(sizeof golden_out[0] == Model::output_type::size(), "golden outputs do not match the model's output");
  board::counter_start();
  std::uint64_t total = 0;
  std::size_t exact = 0;
  for (std::size_t n = 0; n < golden_pairs; ++n) {
    std::memcpy(buffers[0], golden_in[n], sizeof golden_in[n]);
    const std::uint64_t t = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (std::uint64_t{0} + ... + run_layer<I>(n == 0));
    }(Layers{});
    if (n == 0) total = t;
    std::memcpy(output.data(), buffers[Model::layer_count % 2], Model::output_type::size());
    if (std::memcmp(output.data(), golden_out[n], sizeof golden_out[n]) == 0) ++exact;
    else board::Out() << "input " << n << ": output differs from TFLite Micro\n";
  }
  const bool ok = exact == golden_pairs;
#if defined(CTML_HAVE_MVE)
  constexpr const char* kernels = "MVE+DSP";
#elif defined(CTML_HAVE_DSP)
  constexpr const char* kernels = "DSP";
#else
  constexpr const char* kernels = "portable";
#endif
  board::Out() << "fw_" FW_STR(FW_NS) "_int8_layers (" << kernels << " kernels, " << board::name
               << "): layers=" << Model::layer_count << " instructions=" << total << " bit-exact " << exact << "/"
               << golden_pairs << (ok ? " ok\n" : " FAILED: output differs from TFLite Micro\n");
  return ok ? 0 : 1;
}
