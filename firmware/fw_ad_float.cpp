// SPDX-License-Identifier: Apache-2.0
// Firmware image: the MLPerf Tiny anomaly-detection autoencoder (float, weights in flash) on
// Cortex-M under QEMU. The expected output is computed by the compiler (constexpr inference on
// the build host); the device's result must agree to float rounding (the device may fuse
// multiply-adds, the constant evaluator does not).
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "fw_models.hpp"

alignas(16) static std::byte arena[fw::Ad::arena_bytes];
static constexpr fw::Ad::input_type reference_input = fw::make_input<fw::Ad::input_type>(99);
static constexpr fw::Ad::output_type expected = fw::ad_model.infer(reference_input);
static fw::Ad::input_type input = reference_input;
static fw::Ad::output_type output{};

int main() {
  board::paint_stack();
  board::counter_start();
  const std::uint64_t instructions = board::count_instructions([] { fw::ad_model(input, output, arena); });
  const std::size_t stack = board::stack_used();

  float worst = 0;
  for (std::size_t i = 0; i < output.size(); ++i) {
    const float d = output[i] - expected[i];
    const float tol = 1e-4f * (1.0f + (expected[i] < 0 ? -expected[i] : expected[i]));
    if ((d < 0 ? -d : d) / tol > worst) worst = (d < 0 ? -d : d) / tol;
  }
  const bool ok = worst <= 1.0f;
  board::Out() << "fw_ad_float (" << board::name << "): instructions=" << instructions
               << " arena=" << fw::Ad::arena_bytes << " stack=" << stack
               << (ok ? " matches the compile-time result ok\n" : " FAILED: differs from the compile-time result\n");
  return ok ? 0 : 1;
}
