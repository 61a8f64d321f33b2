// SPDX-License-Identifier: Apache-2.0
// Firmware image: DS-CNN keyword spotter (float, weights in flash) on Cortex-M4 under QEMU.
// Reports instructions per inference (SysTick with -icount), arena and stack high-water mark.
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "kws_model.hpp"

alignas(16) static std::byte arena[fw::Kws::arena_bytes];
static fw::Kws::input_type input{};
static fw::Kws::output_type output{};

int main() {
  std::uint32_t s = 7;
  for (auto& v : input) v = static_cast<float>(static_cast<std::int32_t>((s = s * 1664525u + 1013904223u) >> 20) - 2048) / 512.0f;
  board::paint_stack();
  board::systick_start();
  const std::uint32_t t0 = board::systick();
  fw::kws_model(input, output, arena);
  const std::uint32_t t1 = board::systick();
  const std::size_t stack = board::stack_used();

  float sum = 0;
  std::size_t best = 0;
  for (std::size_t i = 0; i < output.size(); ++i) {
    sum += output[i];
    if (output[i] > output[best]) best = i;
  }
  const bool ok = sum > 0.999f && sum < 1.001f;
  board::write("fw_kws_float: instructions=");
  board::write_u(static_cast<unsigned long long>(board::ticks_between(t0, t1)) * board::instructions_per_tick);
  board::write(" arena=");
  board::write_u(fw::Kws::arena_bytes);
  board::write(" stack=");
  board::write_u(stack);
  board::write(" class=");
  board::write_u(best);
  board::write(ok ? " ok\n" : " FAILED: output is not a distribution\n");
  return ok ? 0 : 1;
}
