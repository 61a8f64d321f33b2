// SPDX-License-Identifier: Apache-2.0
// Firmware image: the MLPerf Tiny KWS DS-CNN int8, imported by ctml-import, on Cortex-M4 under
// QEMU. Checks its output against TensorFlow Lite Micro's golden bytes for input 0 (embedded at
// build time), and reports instructions per inference, arena and stack high-water mark.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "board.hpp"
#include "kws.hpp"
#include "kws_golden.hpp"

alignas(16) static std::byte arena[kws::Model::arena_bytes];
static kws::Model::input_type input{};
static kws::Model::output_type output{};

int main() {
  // shared/README.md's generator for input 0.
  std::uint32_t s = 0x12345678u;
  for (auto& v : input) v = static_cast<std::int8_t>(static_cast<std::uint8_t>((s = s * 1664525u + 1013904223u) >> 24));
  board::paint_stack();
  board::systick_start();
  const std::uint32_t t0 = board::systick();
  kws::model(input, output, arena);
  const std::uint32_t t1 = board::systick();
  const std::size_t stack = board::stack_used();
  const bool ok = std::memcmp(output.data(), kws_golden, sizeof kws_golden) == 0;
#if defined(CTML_HAVE_DSP)
  board::write("fw_kws_int8 (DSP kernels): instructions=");
#else
  board::write("fw_kws_int8 (portable kernels): instructions=");
#endif
  board::write_u(static_cast<unsigned long long>(board::ticks_between(t0, t1)) * board::instructions_per_tick);
  board::write(" arena=");
  board::write_u(kws::Model::arena_bytes);
  board::write(" stack=");
  board::write_u(stack);
  board::write(ok ? " bit-exact ok\n" : " FAILED: output differs from TFLite Micro\n");
  return ok ? 0 : 1;
}
