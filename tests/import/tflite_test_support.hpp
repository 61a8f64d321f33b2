// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers shared by the tests/import test sources.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ctml-import/tflite_model.hpp"
#include "ctml-import/tflite_reader.hpp"

namespace ctml::tflite::test {

inline std::string data_path(const std::string& name) {
  return std::string(CTML_TEST_DATA_DIR) + "/tflite/" + name;
}

// Shared MLPerf Tiny model ("kws_ds_cnn_int8", "ad_autoencoder_int8"); empty if not present.
inline std::string shared_model_path(const std::string& folder) {
  const std::string p =
      std::string(CTML_SHARED_DIR) + "/models/mlperf-tiny/" + folder + "/model.tflite";
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) ? p : std::string();
}

inline std::vector<std::uint8_t> load(const std::string& path) {
  std::vector<std::uint8_t> bytes;
  std::string error;
  if (!read_file_bytes(path, bytes, error)) bytes.clear();
  return bytes;
}

// Op name -> count in subgraph 0.
inline std::map<std::string, int> op_histogram(const Model& m) {
  std::map<std::string, int> h;
  for (const Operator& o : m.main_graph().operators) ++h[builtin_op_display_name(o.builtin_code)];
  return h;
}

inline const Tensor& tensor(const Model& m, std::int32_t index) {
  return m.main_graph().tensors.at(static_cast<std::size_t>(index));
}

}  // namespace ctml::tflite::test
