// SPDX-License-Identifier: Apache-2.0
// ctml-make-test-models: writes the hand-made int8 .tflite test models (see
// ctml-import/test_models.hpp) into a directory, by default the repository's tests/data/tflite.
//
//   ctml-make-test-models [OUTPUT_DIR]
//
// The output is deterministic; tests/import checks that the committed files match it, so after
// changing a model regenerate with `cmake --build <dir> --target ctml-regen-test-models`.
#include <cstdio>
#include <string>

#include "ctml-import/test_models.hpp"
#include "ctml-import/tflite_reader.hpp"
#include "ctml-import/tflite_writer.hpp"

#ifndef CTML_DEFAULT_TFLITE_DATA_DIR
#define CTML_DEFAULT_TFLITE_DATA_DIR "tests/data/tflite"
#endif

int main(int argc, char** argv) {
  if (argc > 2) {
    std::fputs("usage: ctml-make-test-models [OUTPUT_DIR]\n", stderr);
    return 2;
  }
  const std::string dir = argc == 2 ? argv[1] : CTML_DEFAULT_TFLITE_DATA_DIR;
  for (const auto& [name, model] : ctml::tflite::testmodels::all()) {
    const auto bytes = ctml::tflite::write_model(model);
    // Never write a file the reader would not accept back unchanged.
    const auto back = ctml::tflite::read_model(bytes);
    if (!back) {
      std::fprintf(stderr, "%s: generated model does not parse: %s\n", name.c_str(),
                   back.error().to_string().c_str());
      return 1;
    }
    if (!(back.value() == model)) {
      std::fprintf(stderr, "%s: generated model does not round-trip\n", name.c_str());
      return 1;
    }
    const std::string path = dir + "/" + name;
    std::string error;
    if (!ctml::tflite::write_file_bytes(path, bytes, error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    std::printf("wrote %s (%zu bytes)\n", path.c_str(), bytes.size());
  }
  return 0;
}
