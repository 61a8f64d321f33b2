// SPDX-License-Identifier: Apache-2.0
#include "codegen.hpp"

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <sstream>
#include <variant>
#include <vector>

namespace ctml::import {
namespace {

// TFLite QuantizeMultiplier, as in include/ctml/quant/requantize.hpp (kept independent of the
// headers so the tool builds without them).
void quantize_multiplier(double m, std::int32_t& q, int& shift) {
  if (m == 0.0) {
    q = 0;
    shift = 0;
    return;
  }
  const double f = std::frexp(m, &shift);
  auto q_fixed = static_cast<std::int64_t>(std::round(f * static_cast<double>(1ll << 31)));
  if (q_fixed == (1ll << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  q = static_cast<std::int32_t>(q_fixed);
}

template <class T>
void emit_list(std::ostringstream& os, const std::vector<T>& v) {
  os << "{{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) os << (i % 32 == 0 ? ",\n" : ",");
    os << static_cast<long long>(v[i]);
  }
  os << "}}";
}

struct Layer {
  std::string type;  // C++ type
  std::string init;  // aggregate initializer
};

std::string shape_of(const std::vector<std::int32_t>& shape, bool drop_batch) {
  std::ostringstream os;
  os << "ctml::Shape<";
  bool first = true;
  for (std::size_t i = (drop_batch && shape.size() > 1) ? 1 : 0; i < shape.size(); ++i) {
    if (!first) os << ", ";
    os << shape[i];
    first = false;
  }
  if (first) os << "1";
  os << ">";
  return os.str();
}

std::size_t count(const std::vector<std::int32_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

}  // namespace

GenerateResult generate_header(const tflite::Model& model, const std::string& ns, const std::string& source_name) {
  using namespace tflite;
  GenerateResult r;
  const SubGraph& g = model.main_graph();
  if (g.inputs.size() != 1 || g.outputs.size() != 1) {
    r.error = "only models with one input and one output are supported";
    return r;
  }
  std::vector<Layer> layers;
  std::int32_t current = g.inputs[0];
  for (std::size_t k = 0; k < g.operators.size(); ++k) {
    const Operator& op = g.operators[k];
    const std::string where = "operator " + std::to_string(k) + " (" + std::string(builtin_op_name(op.builtin_code)) + ")";
    if (op.inputs.empty() || op.inputs[0] != current || op.outputs.size() != 1) {
      r.error = where + ": the graph is not a single chain; ctml-import supports sequential models";
      return r;
    }
    const Tensor& in = g.tensors[static_cast<std::size_t>(op.inputs[0])];
    const Tensor& out = g.tensors[static_cast<std::size_t>(op.outputs[0])];
    if (in.type != TensorType::Int8 || out.type != TensorType::Int8) {
      r.error = where + ": only int8 activations are supported";
      return r;
    }
    if (op.builtin_code == op::kFullyConnected) {
      const auto& o = std::get<FullyConnectedOptions>(op.options);
      if (op.inputs.size() < 2 || op.inputs[1] < 0) {
        r.error = where + ": missing weights";
        return r;
      }
      const Tensor& w = g.tensors[static_cast<std::size_t>(op.inputs[1])];
      auto wv = tensor_values<std::int8_t>(model, w);
      if (w.type != TensorType::Int8 || !wv || w.shape.size() != 2) {
        r.error = where + ": weights must be constant int8 [out][in]";
        return r;
      }
      const auto units = static_cast<std::size_t>(w.shape[0]), inputs = static_cast<std::size_t>(w.shape[1]);
      if (count(in.shape) != inputs || count(out.shape) != units) {
        r.error = where + ": input/output sizes do not match the weights";
        return r;
      }
      std::vector<std::int32_t> bias(units, 0);
      if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
        auto bv = tensor_values<std::int32_t>(model, g.tensors[static_cast<std::size_t>(op.inputs[2])]);
        if (!bv || bv->size() != units) {
          r.error = where + ": bias must be constant int32 [out]";
          return r;
        }
        bias = *bv;
      }
      const auto& wq = w.quantization;
      if (in.quantization.empty() || out.quantization.empty() || wq.empty()) {
        r.error = where + ": tensors are not quantized";
        return r;
      }
      const auto in_zp = static_cast<std::int32_t>(in.quantization.zero_point[0]);
      const auto out_zp = static_cast<std::int32_t>(out.quantization.zero_point[0]);
      const float out_scale = out.quantization.scale[0];
      std::vector<std::int32_t> eff(units), mult(units), shift(units);
      for (std::size_t u = 0; u < units; ++u) {
        std::int32_t s = 0;
        for (std::size_t i = 0; i < inputs; ++i) s += (*wv)[u * inputs + i];
        eff[u] = bias[u] - in_zp * s;
        const float ws = wq.per_channel() ? wq.scale[u] : wq.scale[0];
        const double real = static_cast<double>(in.quantization.scale[0]) * static_cast<double>(ws) /
                            static_cast<double>(out_scale);
        int sh = 0;
        quantize_multiplier(real, mult[u], sh);
        shift[u] = sh;
      }
      std::int32_t act_min = -128, act_max = 127;
      if (o.activation == Activation::Relu || o.activation == Activation::Relu6) act_min = std::max(-128, out_zp);
      if (o.activation == Activation::Relu6)
        act_max = std::min(127, out_zp + static_cast<std::int32_t>(std::round(6.0f / out_scale)));
      if (o.activation == Activation::ReluN1To1) {
        act_min = std::max(-128, out_zp + static_cast<std::int32_t>(std::round(-1.0f / out_scale)));
        act_max = std::min(127, out_zp + static_cast<std::int32_t>(std::round(1.0f / out_scale)));
      }
      std::ostringstream t, init;
      t << "ctml::quant::QDenseLayer<ctml::Shape<" << inputs << ">, " << units << ">";
      init << "{";
      emit_list(init, *wv);
      init << ",\n";
      emit_list(init, bias);
      init << ",\n";
      emit_list(init, eff);
      init << ",\n";
      emit_list(init, mult);
      init << ",\n";
      emit_list(init, shift);
      init << ",\n" << in_zp << ", " << out_zp << ", " << act_min << ", " << act_max << "}";
      layers.push_back({t.str(), init.str()});
    } else if (op.builtin_code == op::kReshape) {
      if (count(in.shape) != count(out.shape)) {
        r.error = where + ": element counts differ";
        return r;
      }
      layers.push_back({"ctml::ReshapeLayer<std::int8_t, " + shape_of(in.shape, true) + ", " + shape_of(out.shape, true) + ">", "{}"});
    } else {
      r.error = where + ": op " + std::string(builtin_op_name(op.builtin_code)) +
                " is not supported by ctml-import yet (supported: FULLY_CONNECTED, RESHAPE)";
      return r;
    }
    current = op.outputs[0];
  }
  if (current != g.outputs[0]) {
    r.error = "the last operator does not produce the model output";
    return r;
  }
  if (layers.empty()) {
    r.error = "the model has no operators";
    return r;
  }
  // FC layers read a flat input; give the model the flat shapes of its first/last layers.
  std::ostringstream os;
  os << "// Generated by ctml-import from " << source_name << "; do not edit.\n"
     << "// A ctml network type with its int8 weights and requantization parameters as constexpr data.\n"
     << "#pragma once\n#include <cstdint>\n#include <ctml/layers/reshape.hpp>\n#include <ctml/model/network.hpp>\n"
     << "#include <ctml/quant/dense_s8.hpp>\n\nnamespace " << ns << " {\n\nusing Model = ctml::Chain<\n";
  for (std::size_t i = 0; i < layers.size(); ++i) os << "    " << layers[i].type << (i + 1 < layers.size() ? ",\n" : ">;\n\n");
  // Network{ LayerPack{ PackBase{ PackLeaf{ layer }... } } }
  os << "inline constexpr Model model{{{\n";
  for (std::size_t i = 0; i < layers.size(); ++i) os << "{" << layers[i].init << "}" << (i + 1 < layers.size() ? ",\n" : "\n");
  os << "}}};\n\n}  // namespace " << ns << "\n";
  r.ok = true;
  r.text = os.str();
  return r;
}

}  // namespace ctml::import
