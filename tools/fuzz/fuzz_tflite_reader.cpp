// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the TFLite reader (built with -DCTML_FUZZ=ON and clang):
//
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DCTML_FUZZ=ON \
//         -DCTML_BUILD_TESTS=OFF -DCTML_BUILD_BENCHMARKS=OFF -DCTML_BUILD_EXAMPLES=OFF
//   cmake --build build/fuzz --target fuzz_tflite_reader
//   mkdir -p /tmp/corpus && cp tests/data/tflite/*.tflite
//   ../shared/models/mlperf-tiny/*/model.tflite /tmp/corpus build/fuzz/tools/fuzz_tflite_reader
//   /tmp/corpus -max_total_time=300 -rss_limit_mb=2048
//
// Properties checked for every input, in both ReadOptions::allow_unsupported_ops modes:
//   * no crash, leak, UB or uncaught exception (ASan/UBSan/libFuzzer);
//   * an error has a message and an offset inside the input;
//   * an accepted model satisfies check_model_invariants(), dumps, and write_model() of it reads
//     back and re-serialises to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "ctml-import/tflite_dump.hpp"
#include "ctml-import/tflite_reader.hpp"
#include "ctml-import/tflite_writer.hpp"

namespace {

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_tflite_reader: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ctml::tflite;
  const std::span<const std::uint8_t> bytes(data, size);
  for (const bool allow : {false, true}) {
    ReadOptions options;
    options.allow_unsupported_ops = allow;
    const Result<Model> r = read_model(bytes, options);
    if (!r) {
      const Error& e = r.error();
      if (e.message.empty()) die("empty error message", e.to_string());
      if (e.offset > size) die("error offset beyond the input", e.to_string());
      continue;
    }
    const Model& m = r.value();
    if (const std::string v = check_model_invariants(m); !v.empty()) die("invariant violated", v);
    (void)format_model(m);
    const std::vector<std::uint8_t> w1 = write_model(m);
    const Result<Model> r2 = read_model(w1, options);
    if (!r2) die("re-serialised model does not parse", r2.error().to_string());
    if (write_model(r2.value()) != w1) die("re-serialisation is not stable", "");
  }
  return 0;
}
