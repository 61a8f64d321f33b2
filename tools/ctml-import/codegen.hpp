// SPDX-License-Identifier: Apache-2.0
#pragma once
// ctml-import's code generator: a checked TFLite model description in, a self-contained C++
// header out, defining `namespace NS { using Model = ...; inline constexpr Model model{...}; }`
// with the weights and quantization parameters as constexpr data. Host tool code.
#include <string>
#include "tflite_model.hpp"

namespace ctml::import {

struct GenerateResult {
  bool ok = false;
  std::string text;   // the header when ok
  std::string error;  // why not, naming the operator and op when unsupported
};

GenerateResult generate_header(const tflite::Model& model, const std::string& ns, const std::string& source_name);

}  // namespace ctml::import
