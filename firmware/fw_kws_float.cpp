// SPDX-License-Identifier: Apache-2.0
// Firmware image: DS-CNN keyword spotter (float, weights in flash) on Cortex-M under QEMU.
// Reports instructions per inference (SysTick with -icount), arena and stack high-water mark.
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "fw_models.hpp"

alignas(16) static std::byte arena[fw::Kws::arena_bytes];
static fw::Kws::input_type input = fw::make_input<fw::Kws::input_type>(7);
static fw::Kws::output_type output{};

int main() {
  board::paint_stack();
  board::counter_start();
  const std::uint64_t instructions = board::count_instructions([] { fw::kws_model(input, output, arena); });
  const std::size_t stack = board::stack_used();

  float sum = 0;
  std::size_t best = 0;
  for (std::size_t i = 0; i < output.size(); ++i) {
    sum += output[i];
    if (output[i] > output[best]) best = i;
  }
  const bool ok = sum > 0.999f && sum < 1.001f;
  board::Out() << "fw_kws_float (" << board::name << "): instructions=" << instructions
               << " arena=" << fw::Kws::arena_bytes << " stack=" << stack << " class=" << best
               << (ok ? " ok\n" : " FAILED: output is not a distribution\n");
  return ok ? 0 : 1;
}
