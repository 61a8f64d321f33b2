// SPDX-License-Identifier: Apache-2.0
#pragma once
// Random int8 TFLite models for differential testing against TensorFlow Lite Micro
// (tools/difftest/README.md). Deterministic from a seed: the same model bytes on every host.
#include <cstdint>
#include <string>

#include "ctml-import/tflite_model.hpp"

namespace ctml::difftest {

struct GenOptions {
  // Upper bounds that keep a model small enough to compile quickly (its weights become constexpr
  // data) and to run on the Cortex-M test boards.
  std::size_t max_params = 24'000;
  std::size_t max_activation = 8'192;  // elements of any one tensor
  int max_ops = 8;                     // main-chain steps (a residual block counts as one)
};

struct GeneratedModel {
  tflite::Model model;
  std::string summary;  // one line: the ops in order with their main parameters
};

// The model for `seed`: int8 input [1,H,W,C] or [1,N] -> random stack of CONV_2D (1x1..5x5,
// strides 1..3, SAME/VALID, dilation, per-channel), DEPTHWISE_CONV_2D (multiplier 1..3),
// AVERAGE/MAX_POOL_2D, RELU/RELU6, LOGISTIC, TANH, residual blocks (ADD with identity or 1x1
// projection shortcut, nested), MEAN, RESHAPE, FULLY_CONNECTED, SOFTMAX -> int8 output, with
// random scales and zero points (extremes included), fused activations and edge shapes (1x1
// spatial, one channel, odd and > 256 channel counts, stride larger than the kernel).
GeneratedModel random_model(std::uint64_t seed, const GenOptions& options = {});

// MLPerf Tiny's architectures with random weights and quantization: "mobilenet_v1_025" (VWW,
// 96x96x3, 13 depthwise/pointwise blocks) and "resnet8" (32x32x3, identity and projection
// blocks). An empty model for any other name.
GeneratedModel architecture_model(const std::string& name, std::uint64_t seed);

}  // namespace ctml::difftest
