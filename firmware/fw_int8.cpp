// SPDX-License-Identifier: Apache-2.0
// Firmware image: an MLPerf Tiny int8 model imported by ctml-import (FW_NS names its namespace;
// generated.hpp and golden.hpp are made at build time from ../shared), on Cortex-M under QEMU.
// Checks the output against TensorFlow Lite Micro's golden bytes for input 0 and reports
// instructions per inference, arena and stack high-water mark.
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

int main() {
  static_assert(sizeof golden == Model::output_type::size(), "golden bytes do not match the model's output");
  // shared/README.md's generator for input 0.
  std::uint32_t s = 0x12345678u;
  for (auto& v : input) v = static_cast<std::int8_t>(static_cast<std::uint8_t>((s = s * 1664525u + 1013904223u) >> 24));
  board::paint_stack();
  board::counter_start();
  const std::uint64_t instructions = board::count_instructions([] { FW_NS::model(input, output, arena); });
  const std::size_t stack = board::stack_used();
  const bool ok = std::memcmp(output.data(), golden, sizeof golden) == 0;
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
               << (ok ? " bit-exact ok\n" : " FAILED: output differs from TFLite Micro\n");
  return ok ? 0 : 1;
}
