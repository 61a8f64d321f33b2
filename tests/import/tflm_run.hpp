// SPDX-License-Identifier: Apache-2.0
#pragma once
// TFLite Micro's output for one input of a .tflite, by running the reference runner in ../shared
// (`tflm-run MODEL --in IN --out OUT --quiet`): the oracle of the import tests. Empty when
// tflm-run is not there (the tests then say so and skip the comparison). Files go to
// CTML_BINARY_DIR as TAG.in.bin / TAG.out.bin.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "read_file.hpp"

namespace ctml::test {

inline const std::string& tflm_run_path() {
  static const std::string path = std::string(CTML_SHARED_DIR) + "/peers/tflite-micro/tflm-run";
  return path;
}

inline std::vector<unsigned char> tflm_output(const std::string& model, const void* in, std::size_t bytes, const std::string& tag) {
  if (std::FILE* probe = std::fopen(tflm_run_path().c_str(), "rb")) std::fclose(probe);
  else return {};
  const std::string dir = std::string(CTML_BINARY_DIR) + "/";
  const std::string in_file = dir + tag + ".in.bin", out_file = dir + tag + ".out.bin";
  std::FILE* f = std::fopen(in_file.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(in, 1, bytes, f) == bytes);
  std::fclose(f);
  std::remove(out_file.c_str());
  const std::string cmd = "'" + tflm_run_path() + "' '" + model + "' --in '" + in_file + "' --out '" + out_file + "' --quiet 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return read_file(out_file);
}

// The same for a stateful model: `bytes` of consecutive input windows fed one per invoke
// (tflm-run --stream), the outputs of every invoke concatenated.
inline std::vector<unsigned char> tflm_stream_output(const std::string& model, const void* in, std::size_t bytes, const std::string& tag) {
  if (std::FILE* probe = std::fopen(tflm_run_path().c_str(), "rb")) std::fclose(probe);
  else return {};
  const std::string dir = std::string(CTML_BINARY_DIR) + "/";
  const std::string in_file = dir + tag + ".stream.bin", out_file = dir + tag + ".out.bin";
  std::FILE* f = std::fopen(in_file.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(in, 1, bytes, f) == bytes);
  std::fclose(f);
  std::remove(out_file.c_str());
  const std::string cmd = "'" + tflm_run_path() + "' '" + model + "' --stream '" + in_file + "' --out '" + out_file + "' --quiet 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return read_file(out_file);
}

}  // namespace ctml::test
