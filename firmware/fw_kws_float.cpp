// SPDX-License-Identifier: Apache-2.0
// Firmware image: DS-CNN keyword spotter (float, weights in flash) on Cortex-M under QEMU.
// The expected scores are computed by the compiler (constexpr inference on the build host, through
// the portable kernels); the device's optimized kernels must agree to float rounding (the device
// may fuse multiply-adds and sums in another order, the constant evaluator does not).
// Reports instructions per inference (SysTick with -icount), arena and stack high-water mark.
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "fw_models.hpp"

alignas(16) static std::byte arena[fw::Kws::arena_bytes];
static constexpr fw::Kws::input_type reference_input = fw::make_input<fw::Kws::input_type>(7);
static constexpr fw::Kws::output_type expected = fw::kws_model.infer(reference_input);
static fw::Kws::input_type input = reference_input;
static fw::Kws::output_type output{};

int main() {
  board::paint_stack();
  board::counter_start();
  const std::uint64_t instructions = board::count_instructions([] { fw::kws_model(input, output, arena); });
  const std::size_t stack = board::stack_used();

  // Scores are probabilities: an absolute tolerance of 1e-5 plus 1e-4 relative.
  float worst = 0;
  std::size_t best = 0;
  for (std::size_t i = 0; i < output.size(); ++i) {
    const float d = output[i] - expected[i];
    const float tol = 1e-5f + 1e-4f * (expected[i] < 0 ? -expected[i] : expected[i]);
    if ((d < 0 ? -d : d) / tol > worst) worst = (d < 0 ? -d : d) / tol;
    if (output[i] > output[best]) best = i;
  }
  std::size_t expected_best = 0;
  for (std::size_t i = 0; i < expected.size(); ++i)
    if (expected[i] > expected[expected_best]) expected_best = i;
  const bool ok = worst <= 1.0f && best == expected_best;
  board::Out() << "fw_kws_float (" << board::name << "): instructions=" << instructions
               << " arena=" << fw::Kws::arena_bytes << " stack=" << stack << " class=" << best
               << (ok ? " matches the compile-time result ok\n" : " FAILED: differs from the compile-time result\n");
  return ok ? 0 : 1;
}
