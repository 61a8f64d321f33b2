// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for ctml-import's ONNX reader (built with -DCTML_FUZZ=ON, clang, and
// protobuf + onnx.proto present), seeded with tests/data/onnx/*.onnx:
//
//   cmake --build build/fuzz --target fuzz_onnx_reader
//   mkdir -p /tmp/onnx_corpus && build/fuzz/tools/fuzz_onnx_reader /tmp/onnx_corpus tests/data/onnx \
//         -max_total_time=600 -max_len=65536
//
// Properties checked for every input:
//   * no crash, leak, UB or uncaught exception (ASan/UBSan/libFuzzer), including protobuf's own
//     range checks, which throw when the translator would index past a repeated field;
//   * a refusal has a message;
//   * an accepted model satisfies check_model_invariants(), survives write_model() -> read_model()
//     unchanged, and the code generator either writes a header or refuses with a message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "ctml-import/codegen.hpp"
#include "ctml-import/onnx_import.hpp"
#include "ctml-import/tflite_reader.hpp"
#include "ctml-import/tflite_writer.hpp"

namespace {

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_onnx_reader: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  auto r = ctml::onnx::import_model(bytes);
  if (!r) {
    if (r.error().message.empty()) die("refusal without a message", "");
    return 0;
  }
  const ctml::tflite::Model& m = r.value();
  if (auto e = ctml::tflite::check_model_invariants(m); !e.empty()) die("invariant violated", e);
  const auto fb = ctml::tflite::write_model(m);
  auto back = ctml::tflite::read_model(fb);
  if (!back) die("the translation does not read back", back.error().to_string());
  if (!(back.value() == m)) die("the translation changed on a write/read round trip", "");
  const auto h = ctml::import::generate_header(m, "fuzzed", "fuzz.onnx");
  if (!h.ok && h.error.empty()) die("code generator refused without a message", "");
  return 0;
}
