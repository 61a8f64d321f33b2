// The MLPerf Tiny anomaly-detection autoencoder, imported by ctml-import at build time, must
// reproduce TensorFlow Lite Micro's output bytes exactly for all eight golden inputs.
// The first block is the stable interface snippet from the README, unchanged.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ad.hpp"  // ctml-import model.tflite -o ad.hpp --name ad
#include <cstring>
ad::Model::input_type in{};                   // a ctml tensor (int8 or float): in.data(), in.size()
ad::Model::output_type out{};
alignas(16) static std::byte arena[ad::Model::arena_bytes];
void run(const void* bytes) {
  std::memcpy(in.data(), bytes, in.size() * sizeof(*in.data()));
  ad::model(in, out, arena);                  // `model` is a constexpr object of type Model
}

#include "no_heap.hpp"

namespace {
std::vector<char> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}
}  // namespace

// The input bytes as shared/README.md documents them: for input N a 32-bit state starts at
// 0x12345678 + N; per byte, state = state * 1664525 + 1013904223, byte = state >> 24.
std::vector<char> documented_input(int n, std::size_t size) {
  std::vector<char> v(size);
  std::uint32_t s = 0x12345678u + static_cast<std::uint32_t>(n);
  for (auto& b : v) {
    s = s * 1664525u + 1013904223u;
    b = static_cast<char>(static_cast<std::uint8_t>(s >> 24));
  }
  return v;
}

TEST_CASE("AD autoencoder: every output byte equals TFLite Micro's") {
  const std::string dir = std::string(CTML_SHARED_DIR) + "/models/mlperf-tiny/ad_autoencoder_int8/";
  static_assert(ad::Model::input_type::size() == 640 && ad::Model::output_type::size() == 640);
  static_assert(ad::Model::param_count == 265'864, "as listed in shared/README.md");
  for (int n = 0; n < 8; ++n) {
    INFO("golden pair " << n);
    // TFLite Micro's input and output bytes (shared/README.md); the inputs are also those of the
    // documented generator.
    const auto input = slurp(dir + "in" + std::to_string(n) + ".bin");
    const auto golden = slurp(dir + "out" + std::to_string(n) + ".bin");
    REQUIRE(input.size() == 640);
    REQUIRE(golden.size() == 640);
    CHECK(input == documented_input(n, 640));
    {
      ctml::test::NoHeapScope guard;
      run(input.data());
      CHECK(guard.allocations() == 0);
    }
    int mismatches = 0;
    for (std::size_t i = 0; i < 640; ++i) mismatches += static_cast<std::int8_t>(golden[i]) != out[i];
    CHECK(mismatches == 0);
  }
  MESSAGE("AD autoencoder: arena ", ad::Model::arena_bytes, " bytes (TFLM: 3,424), weights ",
          ad::Model::param_bytes, " bytes");
}

TEST_CASE("the imported model's weights are compile-time data") {
  static_assert(ad::model.layer<0>().weights.size() == 640 * 128);
  constexpr auto w0 = ad::model.layer<0>().weights[0];  // readable in a constant expression
  CHECK(w0 == ad::model.layer<0>().weights[0]);
}
