// SPDX-License-Identifier: Apache-2.0
// Firmware image: an MLPerf Tiny int8 model imported by ctml-import (FW_NS names its namespace;
// generated.hpp and golden.hpp are made at build time from ../shared), on Cortex-M under QEMU.
// Runs all eight golden inputs of ../shared and checks every output against TensorFlow Lite
// Micro's bytes; reports instructions per inference (input 0), arena and stack high-water mark.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "board.hpp"
#include "generated.hpp"
#include "golden.hpp"

#ifndef FW_NS
#error "FW_NS: the namespace given to ctml-import --name"
#endif
#define FW_STR2(x) #x
#define FW_STR(x) FW_STR2(x)

using Model = FW_NS::Model;
alignas(16) static std::byte arena[Model::arena_bytes];
static Model::input_type input{};
static Model::output_type output{};

// The model's one call site: every run goes through infer(), the way firmware calls a model. (The
// count depends on how GCC inlines the whole model into its caller: a second inlined call site, or
// the call inside a loop, moved the AD autoencoder by 2 to 12 %.)
[[gnu::noinline]] void infer() { FW_NS::model(input, output, arena); }

int main() {
  static_assert(sizeof golden_in[0] == Model::input_type::size(), "golden inputs do not match the model's input");
  static_assert(sizeof golden_out[0] == Model::output_type::size(), "golden outputs do not match the model's output");
  board::paint_stack();
  board::counter_start();
  std::uint64_t instructions = 0;
  std::size_t exact = 0;
  for (std::size_t n = 0; n < golden_pairs; ++n) {
    std::memcpy(input.data(), golden_in[n], sizeof golden_in[n]);
    if (n == 0) instructions = board::count_instructions([] { infer(); });
    else infer();
    if (std::memcmp(output.data(), golden_out[n], sizeof golden_out[n]) == 0) ++exact;
    else board::Out() << "input " << n << ": output differs from TFLite Micro\n";
  }
  const std::size_t stack = board::stack_used();
  const bool ok = exact == golden_pairs;
#if defined(CTML_HAVE_MVE)
  constexpr const char* kernels = "MVE+DSP";
#elif defined(CTML_HAVE_DSP) && defined(CTML_OPTIMIZE_FOR_FLASH)
  constexpr const char* kernels = "DSP (CTML_OPTIMIZE_FOR_FLASH)";
#elif defined(CTML_HAVE_DSP)
  constexpr const char* kernels = "DSP";
#else
  constexpr const char* kernels = "portable";
#endif
  board::Out() << "fw_" FW_STR(FW_NS) "_int8 (" << kernels << " kernels, " << board::name
               << "): instructions=" << instructions << " arena=" << Model::arena_bytes << " stack=" << stack
               << " bit-exact " << exact << "/" << golden_pairs
               << (ok ? " ok\n" : " FAILED: output differs from TFLite Micro\n");
  return ok ? 0 : 1;
}
