// The MLPerf Tiny keyword-spotting DS-CNN, imported by ctml-import at build time, must reproduce
// TensorFlow Lite Micro's output bytes exactly for all eight golden inputs, within an arena well
// under half of TFLM's 24,000 bytes. The first block is the README's stable snippet, unchanged.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "kws.hpp"          // ctml-import model.tflite -o kws.hpp --name kws
#include <cstring>
kws::Model::input_type in{};                   // a ctml tensor (int8 or float): in.data(), in.size()
kws::Model::output_type out{};
alignas(16) static std::byte arena[kws::Model::arena_bytes];
void run(const void* bytes) {
  std::memcpy(in.data(), bytes, in.size() * sizeof(*in.data()));
  kws::model(in, out, arena);                  // `model` is a constexpr object of type Model
}

#include "no_heap.hpp"

namespace {
std::vector<char> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}
// shared/README.md's input generator (the inN.bin files hold the same bytes).
std::vector<char> documented_input(int n, std::size_t size) {
  std::vector<char> v(size);
  std::uint32_t s = 0x12345678u + static_cast<std::uint32_t>(n);
  for (auto& b : v) {
    s = s * 1664525u + 1013904223u;
    b = static_cast<char>(static_cast<std::uint8_t>(s >> 24));
  }
  return v;
}
}  // namespace

static_assert(kws::Model::input_type::size() == 49 * 10 && kws::Model::output_type::size() == 12);
static_assert(kws::Model::arena_bytes * 2 <= 24'000, "at most half of TFLite Micro's arena");
static_assert(kws::Model::macs == 2'656'768);

TEST_CASE("KWS DS-CNN: every output byte equals TFLite Micro's") {
  const std::string dir = std::string(CTML_SHARED_DIR) + "/models/mlperf-tiny/kws_ds_cnn_int8/";
  for (int n = 0; n < 8; ++n) {
    INFO("golden pair " << n);
    const auto input = slurp(dir + "in" + std::to_string(n) + ".bin");
    const auto golden = slurp(dir + "out" + std::to_string(n) + ".bin");
    REQUIRE(input.size() == 490);
    REQUIRE(golden.size() == 12);
    CHECK(input == documented_input(n, 490));
    {
      ctml::test::NoHeapScope guard;
      run(input.data());
      CHECK(guard.allocations() == 0);
    }
    for (std::size_t i = 0; i < 12; ++i) CHECK(static_cast<int>(out[i]) == static_cast<int>(static_cast<std::int8_t>(golden[i])));
  }
  MESSAGE("KWS DS-CNN: arena ", kws::Model::arena_bytes, " bytes (TFLM: 24,000), weights+bias ",
          kws::Model::param_bytes, " bytes");
}
