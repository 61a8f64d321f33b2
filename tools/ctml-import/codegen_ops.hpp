// SPDX-License-Identifier: Apache-2.0
#pragma once
// ctml-import's per-operator code generation: one emitter per TFLite op, each checking what the
// op's tensors must satisfy and writing the ctml layer(s) as a type and a builder call with the
// file's raw values (weights, bias, scales, zero points, options). Nothing is derived here that the
// library derives: multipliers, clamps, effective biases and geometries are computed by the
// builders (ctml/quant/*_s8.hpp) when the generated header is compiled. Host tool code.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "tflite_model.hpp"

namespace ctml::import {

// One ctml layer of the generated network.
struct Layer {
  std::string type;  // C++ type
  std::string init;  // its initializer: a builder call or an aggregate
  // Where TFLite holds this layer's output: its tensor index (-1 when TFLite has no such tensor,
  // e.g. the flat mean before a keep_dims reshape) and the operator(s) it came from. The generated
  // header lists both for the divergence locator (tools/difftest).
  std::int32_t tensor = -1;
  std::string origin = {};
  // Declarations the type and init refer to (named geometries), one per line, or empty.
  std::string decl = {};
};

// What an emitter sees: the model, the operator, its first input and its output.
struct OpContext {
  const tflite::Model& model;
  const tflite::SubGraph& graph;
  const tflite::Operator& op;
  std::size_t index;  // the operator's index in the graph
  const tflite::Tensor& in;
  const tflite::Tensor& out;
  std::string where;  // "operator 3 (CONV_2D)", the prefix of every error

  const tflite::Tensor& tensor(std::int32_t i) const { return graph.tensors[static_cast<std::size_t>(i)]; }
  // Input i when present (an optional input may be -1 or absent).
  const tflite::Tensor* input(std::size_t i) const {
    return i < op.inputs.size() && op.inputs[i] >= 0 ? &tensor(op.inputs[i]) : nullptr;
  }
};

// Appends the layers of one single-input operator. Returns "" or why the operator cannot be
// imported (starting with ctx.where).
std::string emit_operator(const OpContext& ctx, std::vector<Layer>& layers);

// Literals shared with the graph walk (residual ADDs).
std::string qparams_literal(const tflite::Tensor& t);   // ctml::quant::QParams{scale, zp}, scale exact
std::string shape_literal(const std::vector<std::int32_t>& shape);  // ctml::Shape<...>, batch dropped
// ctml::Activation::... for a fused activation; empty when ctml has no such clamp (TANH, SIGN_BIT).
std::string activation_literal(tflite::Activation a);
std::size_t element_count(const std::vector<std::int32_t>& shape);
// "{" + s + "}"
std::string braced(const std::string& s);
// The BinaryOp (int8) or ConstOp (float) enumerator of ADD, SUB, MUL, MAXIMUM, MINIMUM.
const char* binary_name(std::int32_t code, bool int8);
// True when both tensors carry one (first) scale and zero point and they are equal.
bool same_qparams(const tflite::Tensor& a, const tflite::Tensor& b);

}  // namespace ctml::import
