// SPDX-License-Identifier: Apache-2.0
#pragma once
// ctml-import: ONNX models in. Reads an ONNX ModelProto (protobuf, the schema of the system's
// onnx.proto compiled by protoc) and translates its graph into the same checked TFLite model
// description (tflite_model.hpp) the .tflite reader produces, so one code generator serves both.
//
//   std::vector<std::uint8_t> bytes = ...;
//   ctml::tflite::Result<ctml::tflite::Model> r = ctml::onnx::import_model(bytes);
//
// Layout: ONNX activations are NCHW, ctml's NHWC. Four-dimensional activations are kept NHWC
// inside (weights are permuted at import: Conv [Cout][Cin][KH][KW] -> OHWI, depthwise ->
// [1][KH][KW][C]); a TRANSPOSE at the input and, for a four-dimensional output, at the output
// keeps the model's interface the ONNX one (feed the tensor PyTorch was fed). A Flatten or
// Reshape of an NHWC tensor that would change the element order gets a TRANSPOSE to NCHW first.
//
// Operators (opset 7-18, domain ai.onnx): Conv (group 1 or depthwise), Gemm, MatMul with a
// constant right operand (+ Add of a constant = bias), Relu, Clip (0..6 / 0..inf), Sigmoid, Tanh,
// LeakyRelu, HardSwish (also as HardSigmoid * x, the opset < 14 export), MaxPool, AveragePool,
// GlobalAveragePool, ReduceMean over H and W, BatchNormalization (folded into the Conv or Gemm
// before it, else a per-channel Mul + Add), Add (two branches: residual; or a constant), Sub / Mul
// / Div with a constant, Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Pad (constant mode),
// Softmax over the last axis, Identity, Dropout, Constant. Anything else is refused naming the
// node and its op.
//
// The translation is exact in float: weights are permuted, never re-rounded, except where a fold
// changes arithmetic (BatchNormalization into a Conv: w * gamma / sqrt(var + eps) rounded once to
// float, as the exporter's own fold does; Div by a constant as Mul by its reciprocal).
// Host tool code.
#include <cstdint>
#include <span>
#include <string>

#include "ctml-import/tflite_model.hpp"
#include "ctml-import/tflite_reader.hpp"

namespace ctml::onnx {

// True when the bytes cannot be a .tflite file (no "TFL3" identifier at offset 4); the caller
// then tries ONNX.
bool looks_like_onnx(std::span<const std::uint8_t> bytes) noexcept;

// Parses and translates. Errors: Error::offset is 0 (protobuf reports no offset); the message
// names the node ("node 7 'Conv_3' (Conv): ..."); Error::context is "protobuf" when the bytes are
// not a ModelProto at all (then they may be neither format).
tflite::Result<tflite::Model> import_model(std::span<const std::uint8_t> bytes);

}  // namespace ctml::onnx
