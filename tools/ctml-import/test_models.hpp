// SPDX-License-Identifier: Apache-2.0
#pragma once
// Hand-made int8 TFLite models for tests (written to tests/data/tflite/ by
// tools/make_test_models.cpp). Deterministic: the same bytes on every host, compiler and flag
// (integer pseudo-random weights; every float is one rounding of exact values, e.g. an integer
// times a constant, so no FMA contraction under -march=native can change a byte).
#include <string>
#include <vector>

#include "ctml-import/tflite_model.hpp"

namespace ctml::tflite::testmodels {

// (a) input int8 [1,8] -> FULLY_CONNECTED(4, RELU) -> SOFTMAX -> int8 [1,4].
Model tiny_fc();
// (b) input int8 [1,6,6,2] -> CONV_2D 3x3/1 SAME (3 filters, per-channel, RELU)
//     -> DEPTHWISE_CONV_2D 3x3/2 SAME (RELU6) -> AVERAGE_POOL_2D 3x3 VALID -> RESHAPE [1,3]
//     -> FULLY_CONNECTED(4) -> SOFTMAX -> int8 [1,4].
Model tiny_conv();
// (c) float [1,4,4,2] -> QUANTIZE -> MAX_POOL_2D 2x2/2 -> MEAN(axes 1,2, keep_dims)
//     -> RESHAPE [1,2] (shape as input tensor only) -> CONCATENATION(x, x) -> ADD(const, RELU)
//     -> DEQUANTIZE -> float [1,4].
Model tiny_misc();
// (d) float [1,6,6,2] -> QUANTIZE -> CONV_2D 3x3/1 SAME (4 filters, per-channel, no activation)
//     -> RELU -> MAX_POOL_2D 2x2/2 -> LOGISTIC -> MEAN(axes 1,2) -> FULLY_CONNECTED(3) -> TANH
//     -> DEQUANTIZE -> float [1,3]. Every op ctml-import maps besides those of (a) and (b).
Model tiny_ops();
// (e) int8 [1,6,6,3] -> CONV_2D (stem, RELU) -> residual block with identity shortcut (CONV+RELU,
//     CONV, ADD+RELU) -> residual block with a 1x1 stride-2 projection shortcut (listed first)
//     -> MEAN -> FULLY_CONNECTED(3) -> SOFTMAX -> int8 [1,3]. A ResNet-shaped graph.
Model tiny_residual();
// Residual blocks nested in a residual body (identity inside, projection outside).
Model tiny_nested();
// A FLOAT32 model of every float op ctml-import maps (conv, depthwise with multiplier 2, pools,
// residual ADD, MEAN, RESHAPE, fully connected, RELU/RELU6/TANH/LOGISTIC, SOFTMAX with beta).
Model tiny_float();
// The layout ops of PyTorch-converted models (TRANSPOSE from NCHW, PAD, PADV2, SQUEEZE,
// EXPAND_DIMS) around a conv, int8 or float.
Model tiny_layout(bool int8);
// One int8 LEAKY_RELU (alpha) or HARD_SWISH on [1,256] with the given scales, and the float
// chain LEAKY_RELU -> HARD_SWISH -> LEAKY_RELU on [1,64].
Model tiny_activation(std::int32_t code, float alpha, float in_scale, std::int64_t in_zp, float out_scale, std::int64_t out_zp);
Model tiny_activation_float();
// ADD / SUB / MUL with a constant operand (scalar, per channel, elementwise; first or second).
Model tiny_binary(bool int8);

// Two-branch merges other than a residual ADD: CONCATENATION of a conv and a depthwise conv
// (inception-style), MUL of a feature map and its squeeze-and-excitation gates ([1,6,6,10] x
// [1,1,1,10]), SUB and MAXIMUM of a conv of a tensor and the tensor, MINIMUM with a constant, and a
// residual ADD with a fused ReLU, which is the output [1,6,6,10]; int8 (operands of CONCATENATION / MAXIMUM / MINIMUM share one
// quantization, as converters write them) or float.
Model tiny_merge(bool int8);

// QUANTIZE and DEQUANTIZE inside a graph: int8 conv -> QUANTIZE int8 -> int8 (a new scale and
// zero point) -> DEQUANTIZE -> float LOGISTIC -> QUANTIZE -> int8 conv.
Model tiny_requant();

// STRIDED_SLICE three ways after a conv: a window with a column stride, rows backwards (negative
// index and stride, end_mask), and one column with shrink_axis_mask (rank 4 -> 3); int8 or float.
Model tiny_slice(bool int8);

// TRANSPOSE_CONV twice: 3x3 stride 2 SAME with bias and ReLU (4x4 -> 8x8, per-channel int8
// weights), then 2x2 stride 1 VALID without bias (8x8 -> 9x9); int8 or float.
Model tiny_tconv(bool int8);
Model tiny_16x8();
Model tiny_16x8_mixed();
Model tiny_16x8_ops();
Model tiny_16x8_more();
Model tiny_16x8_tconv();
Model tiny_softmax16(std::int32_t rows, std::int32_t depth, float in_scale, float beta);
Model tiny_concat(bool int8);
Model tiny_lstm(int variant);
Model tiny_svdf(int variant);
Model tiny_activation16(std::int32_t code, float in_scale);

struct Named {
  std::string file_name;  // e.g. "tiny_fc_int8.tflite"
  Model model;
};
std::vector<Named> all();

}  // namespace ctml::tflite::testmodels
