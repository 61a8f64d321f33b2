// SPDX-License-Identifier: Apache-2.0
#pragma once
// ctml-import: human-readable dump of a model description (used by ctml-tflite-dump).
#include <string>

#include "ctml-import/tflite_model.hpp"

namespace ctml::tflite {

struct DumpOptions {
  bool all_scales = false;  // print every per-channel scale / zero point, not just a summary
};

// "CONV_2D padding=SAME stride=2x2 dilation=1x1 act=RELU" style one-line options summary.
std::string format_options(const Operator& op);
// "INT8 [1,49,10,1] q(scale=0.5847 zp=83)" style one-line tensor summary.
std::string format_tensor(const Model& m, const Tensor& t, const DumpOptions& options = {});
// Multi-line dump: header, operator codes, and per subgraph its tensors and operators.
std::string format_model(const Model& m, const DumpOptions& options = {});

}  // namespace ctml::tflite
