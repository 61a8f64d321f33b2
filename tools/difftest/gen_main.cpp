// SPDX-License-Identifier: Apache-2.0
// ctml-difftest-gen --seed S [--count N] --out DIR
// ctml-difftest-gen --arch NAME [--seed S] --out DIR   (mobilenet_v1_025, resnet8: DIR/NAME.*)
// Writes N random int8 models (seeds S .. S+N-1) as DIR/m<seed>.tflite, with DIR/m<seed>.txt (a
// one-line summary of the ops) and DIR/m<seed>.in.bin (an input: random bytes from the seed).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "ctml-import/tflite_writer.hpp"
#include "random_model.hpp"

int main(int argc, char** argv) {
  std::uint64_t seed = 1, count = 1;
  std::string out, arch;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--count" && i + 1 < argc) count = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--arch" && i + 1 < argc) arch = argv[++i];
    else {
      std::fprintf(stderr, "usage: ctml-difftest-gen --seed S [--count N] --out DIR\n");
      return 1;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "usage: ctml-difftest-gen --seed S [--count N] --out DIR\n");
    return 1;
  }
  if (!arch.empty()) count = 1;
  for (std::uint64_t s = seed; s < seed + count; ++s) {
    const auto g = arch.empty() ? ctml::difftest::random_model(s) : ctml::difftest::architecture_model(arch, s);
    if (g.model.subgraphs.empty() || g.model.main_graph().operators.empty()) {
      std::fprintf(stderr, "ctml-difftest-gen: unknown architecture '%s' (mobilenet_v1_025, resnet8)\n", arch.c_str());
      return 1;
    }
    std::string base = out;
    base += arch.empty() ? "/m" + std::to_string(s) : "/" + arch;
    std::string error;
    if (!ctml::tflite::write_file_bytes(base + ".tflite", ctml::tflite::write_model(g.model), error)) {
      std::fprintf(stderr, "ctml-difftest-gen: %s\n", error.c_str());
      return 1;
    }
    std::ofstream(base + ".txt") << g.summary << "\n";
    const auto& t = g.model.main_graph().tensors[static_cast<std::size_t>(g.model.main_graph().inputs[0])];
    std::uint64_t state = s * 0x9E3779B97F4A7C15ull + 12345;
    std::string bytes(t.element_count(), '\0');
    for (auto& b : bytes) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      b = static_cast<char>(state >> 56);
    }
    std::ofstream(base + ".in.bin", std::ios::binary) << bytes;
  }
  return 0;
}
