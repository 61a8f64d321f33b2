// SPDX-License-Identifier: Apache-2.0
// Cost report image: an imported int8 model (FW_NS, as fw_int8.cpp) run layer by layer, each
// layer's instructions counted separately, so the DSP-extension and portable kernels can be
// compared per layer. The layers run through two ping-pong buffers of their own (not the model's
// planned arena) and the final output is still checked against TensorFlow Lite Micro's bytes.
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
std::uint64_t run_layer() {
  using Tr = traits<I>;
  const auto* src = reinterpret_cast<const typename Tr::input_value*>(buffers[I % 2]);
  auto* dst = reinterpret_cast<typename Tr::output_value*>(buffers[(I + 1) % 2]);
  auto* s = reinterpret_cast<typename Tr::scratch_value*>(scratch);
  const std::uint64_t n = board::count_instructions([&] { FW_NS::model.template layer<I>().forward(src, dst, s); });
  board::Out() << "layer " << I << ' ' << Tr::name << " macs=" << Tr::macs << " instructions=" << n << '\n';
  return n;
}

}  // namespace

int main() {
  auto* in = reinterpret_cast<std::int8_t*>(buffers[0]);
  std::uint32_t s = 0x12345678u;  // shared/README.md's generator for input 0
  for (std::size_t i = 0; i < Model::input_type::size(); ++i)
    in[i] = static_cast<std::int8_t>(static_cast<std::uint8_t>((s = s * 1664525u + 1013904223u) >> 24));
  board::counter_start();
  const std::uint64_t total = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (std::uint64_t{0} + ... + run_layer<I>());
  }(Layers{});
  std::memcpy(output.data(), buffers[Model::layer_count % 2], Model::output_type::size());
  const bool ok = std::memcmp(output.data(), golden, sizeof golden) == 0;
#if defined(CTML_HAVE_MVE)
  constexpr const char* kernels = "MVE+DSP";
#elif defined(CTML_HAVE_DSP)
  constexpr const char* kernels = "DSP";
#else
  constexpr const char* kernels = "portable";
#endif
  board::Out() << "fw_" FW_STR(FW_NS) "_int8_layers (" << kernels << " kernels, " << board::name
               << "): layers=" << Model::layer_count << " instructions=" << total
               << (ok ? " bit-exact ok\n" : " FAILED: output differs from TFLite Micro\n");
  return ok ? 0 : 1;
}
