// SPDX-License-Identifier: Apache-2.0
#include "codegen.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <sstream>
#include <variant>
#include <vector>

#include "codegen_ops.hpp"

namespace ctml::import {

namespace {

// What the header says about the model as a whole: a comment block (ops, parameters, MACs, edges)
// and the constants a user needs to feed real values in and read them out.
std::string model_facts(const tflite::Model& model, const std::string& source_name) {
  using namespace tflite;
  const SubGraph& g = model.main_graph();
  std::map<std::string, std::size_t> ops;
  std::uint64_t macs = 0, weights = 0, weight_bytes = 0;
  std::vector<bool> counted(g.tensors.size(), false);
  for (const Operator& op : g.operators) {
    const std::string& custom = model.operator_codes[op.opcode_index].custom_code;
    ++ops[op.builtin_code == op::kCustom && !custom.empty() ? custom : std::string(builtin_op_name(op.builtin_code))];
    auto shape_of = [&](std::size_t i) -> const std::vector<std::int32_t>* {
      return i < op.inputs.size() && op.inputs[i] >= 0 ? &g.tensors[static_cast<std::size_t>(op.inputs[i])].shape : nullptr;
    };
    const std::size_t out_elems = op.outputs.empty() || op.outputs[0] < 0 ? 0 : g.tensors[static_cast<std::size_t>(op.outputs[0])].element_count();
    const auto* w = shape_of(1);
    if (w && w->size() == 4 && op.builtin_code == op::kConv2D)
      macs += static_cast<std::uint64_t>(out_elems) * static_cast<std::uint64_t>((*w)[1]) * static_cast<std::uint64_t>((*w)[2]) *
              static_cast<std::uint64_t>((*w)[3]);
    else if (w && w->size() == 4 && op.builtin_code == op::kDepthwiseConv2D)
      macs += static_cast<std::uint64_t>(out_elems) * static_cast<std::uint64_t>((*w)[1]) * static_cast<std::uint64_t>((*w)[2]);
    else if (w && w->size() == 2 && op.builtin_code == op::kFullyConnected)
      macs += static_cast<std::uint64_t>(out_elems) * static_cast<std::uint64_t>((*w)[1]);
    else if (w && w->size() == 2 && (op.builtin_code == op::kUnidirectionalSequenceLstm || op.builtin_code == op::kCustom)) {
      // Recurrent layers: every step multiplies the input and the state by each gate's rows
      // (LSTM: four [H, F] tensors; the GRU's w_ih holds its three gates, [3H, F]).
      const auto* rec = shape_of(op.builtin_code == op::kCustom ? 2 : 5);
      if (rec && rec->size() == 2 && (*rec)[1] > 0) {
        const auto units = static_cast<std::uint64_t>((*rec)[1]);
        const std::uint64_t rows = static_cast<std::uint64_t>((*w)[0]) * (op.builtin_code == op::kCustom ? 1 : 4);
        macs += static_cast<std::uint64_t>(out_elems) / units * rows * (static_cast<std::uint64_t>((*w)[1]) + units);
      }
    }
    for (const auto t : op.inputs) {  // constant inputs: the parameters
      if (t < 0 || counted[static_cast<std::size_t>(t)]) continue;
      const Tensor& x = g.tensors[static_cast<std::size_t>(t)];
      if (x.buffer == 0 || x.buffer >= model.buffers.size() || model.buffers[x.buffer].data.empty()) continue;
      counted[static_cast<std::size_t>(t)] = true;
      weights += x.element_count();
      weight_bytes += model.buffers[x.buffer].data.size();
    }
  }
  auto group = [](std::uint64_t v) {
    std::string d = std::to_string(v), r;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (i && (d.size() - i) % 3 == 0) r += ',';
      r += d[i];
    }
    return r;
  };
  auto shape_text = [](const std::vector<std::int32_t>& shape) {
    std::string t = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) t += (i ? ", " : "") + std::to_string(shape[i]);
    return t + "]";
  };
  // The integer tensors at the edges: the model's own input/output, or the ones QUANTIZE makes and
  // DEQUANTIZE reads when the model takes and gives floats.
  const Tensor& in = g.tensors[static_cast<std::size_t>(g.inputs[0])];
  const Tensor& out = g.tensors[static_cast<std::size_t>(g.outputs[0])];
  const bool float_in = in.type == TensorType::Float32, float_out = out.type == TensorType::Float32;
  const Tensor* qin = &in;
  const Tensor* qout = &out;
  if (float_in && !g.operators.empty() && g.operators.front().builtin_code == op::kQuantize)
    qin = &g.tensors[static_cast<std::size_t>(g.operators.front().outputs[0])];
  if (float_out && !g.operators.empty() && g.operators.back().builtin_code == op::kDequantize)
    qout = &g.tensors[static_cast<std::size_t>(g.operators.back().inputs[0])];
  auto int_name = [](const Tensor& t) { return t.type == TensorType::Int16 ? "int16" : "int8"; };
  auto int_type = [](const Tensor& t) { return t.type == TensorType::Int16 ? "std::int16_t" : "std::int8_t"; };
  auto edge = [&](const char* what, const Tensor& t, const Tensor* q, bool is_float) {
    std::ostringstream e;
    e << "// " << what << ": " << (is_float ? "float32 " : std::string(int_name(t)) + " ") << shape_text(t.shape);
    if (!q->quantization.empty())
      e << (is_float ? " (" + std::string(int_name(*q)) + " inside: scale " : std::string(", scale ")) << q->quantization.scale[0]
        << ", zero point " << q->quantization.zero_point[0] << (is_float ? ")" : "");
    e << "\n";
    return e.str();
  };
  std::ostringstream os;
  os << "// ---- Model ----\n// Source: " << source_name;
  if (!model.description.empty()) os << " (\"" << model.description << "\")";
  os << ", " << g.operators.size() << " operators:";
  for (const auto& [name, n] : ops) os << " " << name << " x" << n << ",";
  os.seekp(-1, std::ios_base::cur);
  os << "\n" << edge("Input", in, qin, float_in) << edge("Output", out, qout, float_out)
     << "// Parameters: " << group(weights) << " values, " << group(weight_bytes) << " bytes in flash\n"
     << "// Multiply-accumulates per inference (conv, depthwise, fully connected, recurrent): " << group(macs) << "\n"
     << "// Arena: arena_bytes below (Model::arena_bytes, computed by ctml when this header is compiled)\n\n";
  os << "inline constexpr std::uint64_t macs = " << macs << "ull;\n"
     << "inline constexpr std::size_t label_count = " << out.element_count() << ";  // output elements\n"
     << "inline constexpr bool input_is_float = " << (float_in ? "true" : "false") << ";\n"
     << "inline constexpr bool output_is_float = " << (float_out ? "true" : "false") << ";\n";
  if (!qin->quantization.empty() && !qout->quantization.empty()) {
    const std::string qi = int_name(*qin), qo = int_name(*qout);
    os << "// The " << (qi == qo ? qi : qi + " / " + qo) << " input and output: real value = scale * (q - zero_point)."
       << (float_in || float_out ? " The model converts its float edge(s) itself." : "") << "\n"
       << "inline constexpr ctml::quant::QParams input_quantization = " << qparams_literal(*qin) << ";\n"
       << "inline constexpr ctml::quant::QParams output_quantization = " << qparams_literal(*qout) << ";\n"
       << "inline constexpr float input_scale = input_quantization.scale;\n"
       << "inline constexpr std::int32_t input_zero_point = input_quantization.zero_point;\n"
       << "inline constexpr float output_scale = output_quantization.scale;\n"
       << "inline constexpr std::int32_t output_zero_point = output_quantization.zero_point;\n"
       << "// A real input value as the model's " << qi << " (TFLite's QUANTIZE: round half away from zero,\n"
       << "// saturated), and an " << qo << " output as its real value.\n"
       << "constexpr " << int_type(*qin) << " quantize_input(float x) { return ctml::quant::quantize_to<" << int_type(*qin)
       << ">(x, input_quantization); }\n"
       << "constexpr float dequantize_output(" << int_type(*qout) << " q) { return ctml::quant::dequantize_from(q, output_quantization); }\n";
  }
  return os.str();
}

// The header: the network type, its constexpr value (one builder call per layer) and the map from
// layers to TFLite's tensors.
std::string header_text(const std::vector<Layer>& layers, const std::string& ns, const std::string& source_name,
                        const std::string& facts) {
  std::ostringstream os;
  os << "// Generated by ctml-import from " << source_name << "; do not edit.\n"
     << "// A ctml network type with its weights (and, for int8, requantization parameters) as constexpr data.\n"
     << "#pragma once\n#include <cstddef>\n#include <cstdint>\n#include <ctml/layers/reshape.hpp>\n#include <ctml/model/network.hpp>\n"
     << "#include <ctml/quant/binary_const_s8.hpp>\n#include <ctml/quant/conv_s8.hpp>\n#include <ctml/quant/conv_s16.hpp>\n#include <ctml/quant/activation_s16.hpp>\n"
     << "#include <ctml/quant/dense_s8.hpp>\n#include <ctml/quant/dense_s16.hpp>\n"
     << "#include <ctml/quant/hard_swish_s8.hpp>\n"
     << "#include <ctml/quant/leaky_relu_s8.hpp>\n#include <ctml/quant/logistic_s8.hpp>\n"
     << "#include <ctml/quant/maxpool_s8.hpp>\n#include <ctml/quant/mean_s8.hpp>\n#include <ctml/quant/quantize_s8.hpp>\n"
     << "#include <ctml/quant/relu_s8.hpp>\n#include <ctml/quant/residual_s8.hpp>\n#include <ctml/quant/softmax_s8.hpp>\n#include <ctml/quant/softmax_s16.hpp>\n"
     << "#include <ctml/quant/tanh_s8.hpp>\n#include <ctml/layers/activations.hpp>\n#include <ctml/layers/conv2d.hpp>\n"
     << "#include <ctml/layers/dense.hpp>\n#include <ctml/layers/depthwise_conv2d.hpp>\n#include <ctml/layers/pool2d.hpp>\n"
     << "#include <ctml/layers/pad.hpp>\n#include <ctml/layers/softmax.hpp>\n#include <ctml/layers/strided_slice.hpp>\n#include <ctml/layers/transpose_conv2d.hpp>\n#include <ctml/quant/transpose_conv_s8.hpp>\n#include <ctml/quant/transpose_conv_s16.hpp>\n#include <ctml/layers/transpose.hpp>\n"
     << "#include <ctml/layers/binary_const.hpp>\n#include <ctml/model/residual.hpp>\n#include <ctml/model/merge.hpp>\n#include <ctml/quant/merge_s8.hpp>\n#include <ctml/layers/lstm.hpp>\n#include <ctml/layers/gru.hpp>\n#include <ctml/quant/lstm_s8.hpp>\n#include <ctml/layers/svdf.hpp>\n#include <ctml/quant/svdf_s8.hpp>\n\nnamespace " << ns << " {\n\n" << facts << "\n";
  std::string decls;
  for (const auto& l : layers) decls += l.decl;
  if (decls.find("conv_geometry(") != std::string::npos)
    os << "// conv_geometry(in h, w, c, out c, kernel h, w, stride h, w, dilation h, w, padding)\n";
  os << decls;
  // Every top-level layer a builder makes is its own constant (opN_layer): each is then evaluated
  // as a constant expression of its own, within the compiler's per-expression budget (GCC's
  // -fconstexpr-ops-limit), rather than all of a model's multipliers, folded biases and packed
  // weights in one (a 10-layer MLPerf autoencoder packed for AVX-512 VNNI exceeded GCC's default
  // budget that way). The model copies them; only the model is odr-used.
  std::vector<std::string> inits(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    inits[i] = layers[i].init;
    if (layers[i].init.rfind("ctml::quant::make_", 0) == 0) {
      const std::string name = "layer" + std::to_string(i);
      os << "inline constexpr " << layers[i].type << " " << name << "{" << layers[i].init << "};\n";
      inits[i] = name;
    }
  }
  os << "\nusing Model = ctml::Chain<\n";
  for (std::size_t i = 0; i < layers.size(); ++i) os << "    " << layers[i].type << (i + 1 < layers.size() ? ",\n" : ">;\n\n");
  // Network{ LayerPack{ PackBase{ PackLeaf{ layer }... } } }
  os << "inline constexpr Model model{{{\n";
  for (std::size_t i = 0; i < layers.size(); ++i) os << "{" << inits[i] << "}" << (i + 1 < layers.size() ? ",\n" : "\n");
  os << "}}};\n\n";
  os << "// The scratch memory `model` needs (at least 1, so that `std::byte arena[arena_bytes]` is an array).\n"
     << "inline constexpr std::size_t arena_bytes = Model::arena_bytes > 0 ? Model::arena_bytes : 1;\n\n";
  // The divergence locator's map (tools/difftest/README.md): TFLite Micro's --dump writes tensor
  // i as tNNN.bin; layer I's output is tensor tflite_tensor_of_layer[I].
  os << "// Where TFLite holds each layer's output (tensor index, -1: none) and the operator(s) it\n"
     << "// comes from; for comparing a run layer by layer with TFLite Micro's intermediate tensors.\n"
     << "inline constexpr int tflite_tensor_of_layer[] = {";
  for (std::size_t i = 0; i < layers.size(); ++i) os << (i ? ", " : "") << layers[i].tensor;
  os << "};\ninline constexpr const char* tflite_origin_of_layer[] = {\n";
  for (std::size_t i = 0; i < layers.size(); ++i) os << "    \"" << layers[i].origin << "\",\n";
  os << "};\n\n}  // namespace " << ns << "\n";
  return os.str();
}

}  // namespace

// A CONCATENATION of more than two activations as a chain of two-input ones, in place (the same
// values: each step appends the next input along the axis, with the output's type and
// quantization, which int8 CONCATENATION requires of every input anyway). The walk then sees
// nested two-branch merges. Returns an error for a concatenation whose parts cannot be sized.
std::string split_concatenations(tflite::Model& model) {
  using namespace tflite;
  SubGraph& g = model.main_graph();
  for (std::size_t k = 0; k < g.operators.size(); ++k) {
    Operator& c = g.operators[k];
    if (c.builtin_code != op::kConcatenation || c.inputs.size() <= 2 || c.outputs.size() != 1) continue;
    const std::string where = "operator " + std::to_string(k) + " (CONCATENATION)";
    const auto* o = std::get_if<ConcatenationOptions>(&c.options);
    auto valid = [&](std::int32_t t) { return t >= 0 && static_cast<std::size_t>(t) < g.tensors.size(); };
    if (!o || !valid(c.outputs[0])) return where + ": malformed";
    const Tensor out = g.tensors[static_cast<std::size_t>(c.outputs[0])];
    const auto rank = static_cast<std::int32_t>(out.shape.size());
    const std::int32_t axis = o->axis < 0 ? o->axis + rank : o->axis;
    if (axis < 0 || axis >= rank) return where + ": axis " + std::to_string(o->axis) + " out of range";
    for (const auto t : c.inputs)
      if (!valid(t) || g.tensors[static_cast<std::size_t>(t)].shape.size() != out.shape.size())
        return where + ": its inputs must be activations of the output's rank";
    const std::vector<std::int32_t> inputs = c.inputs;
    const ConcatenationOptions opts = *o;
    const std::uint32_t opcode = c.opcode_index;
    std::vector<Operator> chain;
    std::int32_t acc = inputs[0];
    std::int32_t width = g.tensors[static_cast<std::size_t>(inputs[0])].shape[static_cast<std::size_t>(axis)];
    for (std::size_t i = 1; i < inputs.size(); ++i) {
      width += g.tensors[static_cast<std::size_t>(inputs[i])].shape[static_cast<std::size_t>(axis)];
      std::int32_t y = c.outputs[0];
      if (i + 1 < inputs.size()) {
        Tensor part = out;
        part.name = out.name + "/part" + std::to_string(i);
        part.buffer = 0;
        part.shape[static_cast<std::size_t>(axis)] = width;
        g.tensors.push_back(std::move(part));
        y = static_cast<std::int32_t>(g.tensors.size() - 1);
      }
      Operator step;
      step.opcode_index = opcode;
      step.builtin_code = op::kConcatenation;
      step.inputs = {acc, inputs[i]};
      step.outputs = {y};
      step.options = ConcatenationOptions{opts.axis, i + 1 < inputs.size() ? Activation::None : opts.activation};
      chain.push_back(std::move(step));
      acc = y;
    }
    g.operators.erase(g.operators.begin() + static_cast<std::ptrdiff_t>(k));
    g.operators.insert(g.operators.begin() + static_cast<std::ptrdiff_t>(k), chain.begin(), chain.end());
    k += chain.size() - 1;
  }
  return {};
}

GenerateResult generate_header(const tflite::Model& source, const std::string& ns, const std::string& source_name) {
  using namespace tflite;
  GenerateResult r;
  // N-input concatenations as chains of two-input ones (a copy of the model only when needed).
  tflite::Model split;
  bool has_wide_concat = false;
  for (const auto& o : source.main_graph().operators)
    has_wide_concat = has_wide_concat || (o.builtin_code == op::kConcatenation && o.inputs.size() > 2);
  if (has_wide_concat) {
    split = source;
    r.error = split_concatenations(split);
    if (!r.error.empty()) return r;
  }
  const tflite::Model& model = has_wide_concat ? split : source;
  const SubGraph& g = model.main_graph();
  if (g.inputs.size() != 1 || g.outputs.size() != 1) {
    r.error = "only models with one input and one output are supported";
    return r;
  }
  // The producer of every tensor (the graph's operators are in execution order).
  std::vector<std::int64_t> producer(g.tensors.size(), -1);
  for (std::size_t k = 0; k < g.operators.size(); ++k)
    for (const auto t : g.operators[k].outputs)
      if (t >= 0 && static_cast<std::size_t>(t) < g.tensors.size()) producer[static_cast<std::size_t>(t)] = static_cast<std::int64_t>(k);

  // An operator's data input: its first input that is not a constant (ADD/SUB/MUL may take a
  // constant first); -1 when it has none.
  auto is_constant = [&](std::int32_t t) {
    if (t < 0 || static_cast<std::size_t>(t) >= g.tensors.size()) return false;
    const Tensor& x = g.tensors[static_cast<std::size_t>(t)];
    return x.buffer != 0 && x.buffer < model.buffers.size() && !model.buffers[x.buffer].data.empty();
  };
  auto data_input = [&](const Operator& op) -> std::int32_t {
    for (const auto t : op.inputs)
      if (t >= 0 && !is_constant(t)) return t;
    return op.inputs.empty() ? -1 : op.inputs[0];
  };

  // One single-input operator as ctml layers (codegen_ops.cpp; most ops give one, MEAN with
  // keep_dims two).
  auto emit_op = [&](std::size_t k, std::vector<Layer>& layers) -> bool {
    const Operator& op = g.operators[k];
    const std::string where = "operator " + std::to_string(k) + " (" + std::string(builtin_op_name(op.builtin_code)) + ")";
    const std::int32_t data = data_input(op);
    if (data < 0 || op.outputs.size() != 1 || op.outputs[0] < 0) {
      r.error = where + ": expected one data input and one output";
      return false;
    }
    const OpContext ctx{model, g, op, k, g.tensors[static_cast<std::size_t>(data)],
                        g.tensors[static_cast<std::size_t>(op.outputs[0])], where};
    r.error = emit_operator(ctx, layers);
    return r.error.empty();
  };

  // emit_op, and where TFLite holds the output of the layers it added.
  auto emit = [&](std::size_t k, std::vector<Layer>& layers) -> bool {
    const std::size_t before = layers.size();
    if (!emit_op(k, layers)) return false;
    const Operator& op = g.operators[k];
    std::ostringstream what;
    what << "operator " << k << " (" << builtin_op_name(op.builtin_code);
    if (const auto* c = std::get_if<Conv2DOptions>(&op.options)) {
      const auto& w = g.tensors[static_cast<std::size_t>(op.inputs[1])].shape;
      what << " " << w[1] << "x" << w[2] << " s" << c->stride_h;
    } else if (const auto* d = std::get_if<DepthwiseConv2DOptions>(&op.options)) {
      const auto& w = g.tensors[static_cast<std::size_t>(op.inputs[1])].shape;
      what << " " << w[1] << "x" << w[2] << " s" << d->stride_h;
    } else if (const auto* p = std::get_if<Pool2DOptions>(&op.options)) {
      what << " " << p->filter_height << "x" << p->filter_width << " s" << p->stride_h;
    }
    what << ")";
    for (std::size_t i = before; i < layers.size(); ++i) {
      layers[i].tensor = i + 1 == layers.size() ? op.outputs[0] : -1;
      layers[i].origin = what.str();
    }
    return true;
  };

  // The graph as a chain of layers: single-input operators one after the other, and residual
  // blocks where a tensor feeds two branches that an ADD merges again: the branch with more
  // operators is the body, the other the shortcut (identity when empty). Branches may contain
  // residual blocks themselves, so the walk is recursive.
  std::vector<bool> done(g.operators.size(), false);
  std::size_t handled = 0;
  auto valid_tensor = [&](std::int32_t t) { return t >= 0 && static_cast<std::size_t>(t) < g.tensors.size(); };
  // Tensor t, the first input of its producer, and so on back to a graph input (a residual ADD is
  // passed through its first operand, which leads back to the block's input all the same).
  auto back_path = [&](std::int32_t t) {
    std::vector<std::int32_t> path;
    while (valid_tensor(t) && path.size() <= g.operators.size()) {  // bounded: a malformed file may loop
      path.push_back(t);
      const auto k = producer[static_cast<std::size_t>(t)];
      if (k < 0 || g.operators[static_cast<std::size_t>(k)].inputs.empty()) break;
      t = data_input(g.operators[static_cast<std::size_t>(k)]);
    }
    return path;
  };
  auto on = [](const std::vector<std::int32_t>& path, std::int32_t t) {
    return std::find(path.begin(), path.end(), t) != path.end();
  };
  // Ops that merge two computed tensors (both inputs activations).
  auto is_merge = [&](const Operator& m) {
    switch (m.builtin_code) {
      case op::kAdd: case op::kSub: case op::kMul: case op::kMaximum: case op::kMinimum: case op::kConcatenation: break;
      default: return false;
    }
    return m.inputs.size() == 2 && m.outputs.size() == 1 && valid_tensor(m.inputs[0]) && valid_tensor(m.inputs[1]) &&
           !is_constant(m.inputs[0]) && !is_constant(m.inputs[1]);
  };
  // The op that merges the branches leaving `from` on the way to `way`'s end: the paths back from
  // its two operands first meet at `from` (a merge inside a branch meets before it).
  // When `from` feeds three or more branches (a concatenation of three split into two steps, a
  // residual block and another branch merged again), several merges meet there: the outermost
  // (last) one is the block, the others are inside its branches.
  auto merge_of = [&](std::int32_t from, const std::vector<std::int32_t>& way) -> std::int64_t {
    std::int64_t found = -1;
    for (std::size_t k = 0; k < g.operators.size(); ++k) {
      const Operator& add = g.operators[k];
      if (done[k] || !is_merge(add) || !on(way, add.outputs[0])) continue;
      const auto p0 = back_path(add.inputs[0]), p1 = back_path(add.inputs[1]);
      for (const auto t : p0)
        if (on(p1, t)) {
          if (t == from) found = static_cast<std::int64_t>(k);
          break;
        }
    }
    return found;
  };
  // A branch as a type and its initializer: a ctml::Chain of its layers, or ctml::Identity.
  auto chain_of = [](const std::vector<Layer>& ls, std::string& type, std::string& init) {
    if (ls.empty()) {
      type = "ctml::Identity";
      init = "{}";
      return;
    }
    type = "ctml::Chain<";
    init = "{{{";
    for (std::size_t i = 0; i < ls.size(); ++i) {
      type += (i ? ", " : "") + ls[i].type;
      init += (i ? ",\n" : "\n") + braced(ls[i].init);
    }
    type += ">";
    init += "\n}}}";
  };
  // A merge of two branches (CONCATENATION, SUB, MUL, MAXIMUM, MINIMUM, ADD with broadcasting or
  // a fused float activation) as a MergeLayer: branch a computes input 0, branch b input 1.
  auto merge_layer = [&](const Operator& m, std::size_t k, std::int32_t from, const std::vector<Layer> (&branch)[2], Layer& merged) {
    const std::string where = "operator " + std::to_string(k) + " (" + std::string(builtin_op_name(m.builtin_code)) + ")";
    const Tensor& a = g.tensors[static_cast<std::size_t>(m.inputs[0])];
    const Tensor& b = g.tensors[static_cast<std::size_t>(m.inputs[1])];
    const Tensor& y = g.tensors[static_cast<std::size_t>(m.outputs[0])];
    const Tensor& x = g.tensors[static_cast<std::size_t>(from)];
    const bool is_float = a.type == TensorType::Float32 && b.type == TensorType::Float32 && y.type == TensorType::Float32;
    const bool quantized = !a.quantization.empty() && !b.quantization.empty() && !y.quantization.empty();
    const bool is_int8 = a.type == TensorType::Int8 && b.type == TensorType::Int8 && y.type == TensorType::Int8 && quantized;
    // 16x8 models: int16 activations with zero point 0 (TFLite's int16 ADD, SUB, MUL, MAXIMUM,
    // MINIMUM are the int8 formulas with the int16 shift and clamp; CONCATENATION copies).
    const bool is_int16 = a.type == TensorType::Int16 && b.type == TensorType::Int16 && y.type == TensorType::Int16 && quantized &&
                          a.quantization.zero_point[0] == 0 && b.quantization.zero_point[0] == 0 && y.quantization.zero_point[0] == 0;
    if (!is_float && !is_int8 && !is_int16) {
      r.error = where + ": the operands and the output must be float32, or int8 (int16 with zero point 0) and quantized";
      return false;
    }
    std::string policy, policy_init = "{}";
    if (m.builtin_code == op::kConcatenation) {
      const auto& o = std::get<ConcatenationOptions>(m.options);
      const auto rank = static_cast<std::int32_t>(y.shape.size());
      const std::int32_t axis = o.axis < 0 ? o.axis + rank : o.axis;
      if (a.shape.size() != y.shape.size() || b.shape.size() != y.shape.size() || axis < 1 || axis >= rank) {
        r.error = where + ": concatenation along axis " + std::to_string(o.axis) + " of rank-" + std::to_string(rank) +
                  " tensors is not supported (any axis but the batch)";
        return false;
      }
      for (std::int32_t d = 0; d < rank; ++d) {
        const auto u = static_cast<std::size_t>(d);
        if (d == axis ? a.shape[u] + b.shape[u] != y.shape[u] : (a.shape[u] != y.shape[u] || b.shape[u] != y.shape[u])) {
          r.error = where + ": the operands' shapes do not concatenate to the output's";
          return false;
        }
      }
      if (o.activation != Activation::None) {
        r.error = where + ": a fused activation on CONCATENATION is not supported";
        return false;
      }
      if (is_int8 && (!same_qparams(a, y) || !same_qparams(b, y))) {
        r.error = where + ": int8 CONCATENATION needs its inputs and output in one quantization (as TFLite Micro does)";
        return false;
      }
      // int16: TFLite Micro copies the values whatever the scales (it checks the zero points only).
      policy = "ctml::merge::Concat<" + std::to_string(axis - 1) + ">";
    } else {
      // Elementwise; the smaller operand may repeat along the larger's leading axes (numpy rules:
      // its shape, leading 1s dropped, ends the larger one's).
      const Tensor& big = element_count(a.shape) >= element_count(b.shape) ? a : b;
      const Tensor& small = &big == &a ? b : a;
      std::vector<std::int32_t> ss = small.shape;
      while (!ss.empty() && ss.front() == 1) ss.erase(ss.begin());
      if (ss.size() > big.shape.size() || !std::equal(ss.rbegin(), ss.rend(), big.shape.rbegin()) ||
          element_count(y.shape) != element_count(big.shape)) {
        r.error = where + ": the operands must have one shape, or the smaller repeat along the larger's leading axes";
        return false;
      }
      Activation act = Activation::None;
      if (const auto* o = std::get_if<AddOptions>(&m.options)) act = o->activation;
      else if (const auto* s = std::get_if<SubOptions>(&m.options)) act = s->activation;
      else if (const auto* mu = std::get_if<MulOptions>(&m.options)) act = mu->activation;
      const std::string act_lit = activation_literal(act);
      if (act_lit.empty()) {
        r.error = where + ": fused activation " + std::string(activation_name(act)) + " is not supported";
        return false;
      }
      const char* opname = binary_name(m.builtin_code, !is_float);
      if (is_float) {
        policy = std::string("ctml::merge::Elementwise<") + opname + ", " + act_lit + ">";
      } else {
        if ((m.builtin_code == op::kMaximum || m.builtin_code == op::kMinimum) && (!same_qparams(a, y) || !same_qparams(b, y))) {
          r.error = where + ": integer MAXIMUM / MINIMUM compare the stored values, so the operands and the output must share one quantization";
          return false;
        }
        const std::string tt = is_int16 ? ", std::int16_t" : "";
        policy = std::string("ctml::quant::QElementwise<") + opname + tt + ">";
        policy_init = std::string("ctml::quant::make_qelementwise<") + opname + tt + ">(" + qparams_literal(a) + ", " +
                      qparams_literal(b) + ", " + qparams_literal(y) + ", " + act_lit + ")";
      }
    }
    std::string ta, ia, tb, ib;
    chain_of(branch[0], ta, ia);
    chain_of(branch[1], tb, ib);
    const std::string t = is_float ? "float" : (is_int16 ? "std::int16_t" : "std::int8_t");
    merged.type = "ctml::MergeLayer<" + t + ", " + shape_literal(x.shape) + ", " + ta + ", " + tb + ", " + policy + ">";
    merged.init = "{" + ia + ",\n" + ib + ",\n" + policy_init + "}";
    merged.tensor = m.outputs[0];
    for (const auto& br : branch)
      for (const auto& l : br) merged.decl += l.decl;
    return true;
  };
  // Layers for the operators from tensor `from` to tensor `to`.
  std::function<bool(std::int32_t, std::int32_t, std::vector<Layer>&, int)> build =
      [&](std::int32_t from, std::int32_t to, std::vector<Layer>& out, int depth) -> bool {
    if (depth > 64) {
      r.error = "residual blocks nested more than 64 deep";
      return false;
    }
    const auto way = back_path(to);
    if (!on(way, from)) {
      r.error = "tensor " + std::to_string(to) + " is not computed from tensor " + std::to_string(from) +
                " by a chain of layers and residual blocks";
      return false;
    }
    std::int32_t current = from;
    while (current != to) {
      if (const auto k = merge_of(current, way); k >= 0) {
        const Operator& add = g.operators[static_cast<std::size_t>(k)];
        const std::string where = "operator " + std::to_string(k) + " (" + std::string(builtin_op_name(add.builtin_code)) + ")";
        std::vector<Layer> branch[2];
        std::size_t ops[2];
        for (int i = 0; i < 2; ++i) {
          const std::size_t before = handled;
          if (!build(current, add.inputs[static_cast<std::size_t>(i)], branch[i], depth + 1)) return false;
          ops[i] = handled - before;
        }
        if (add.builtin_code != op::kAdd || (ops[0] == 0 && ops[1] == 0) ||
            g.tensors[static_cast<std::size_t>(add.outputs[0])].type == TensorType::Int16 ||  // 16x8: the merge's int16 ADD
            (g.tensors[static_cast<std::size_t>(add.outputs[0])].type == TensorType::Float32 &&
             std::get<AddOptions>(add.options).activation != Activation::None) ||
            element_count(g.tensors[static_cast<std::size_t>(add.inputs[0])].shape) !=
                element_count(g.tensors[static_cast<std::size_t>(add.inputs[1])].shape)) {
          // A general two-branch merge (model/merge.hpp).
          Layer merged;
          if (!merge_layer(add, static_cast<std::size_t>(k), current, branch, merged)) return false;
          merged.origin = "operator " + std::to_string(k) + " (" + std::string(builtin_op_name(add.builtin_code)) +
                          ": merge of two branches, " + std::to_string(ops[0] + ops[1] + 1) + " operators)";
          out.push_back(std::move(merged));
          done[static_cast<std::size_t>(k)] = true;
          ++handled;
          current = add.outputs[0];
          continue;
        }
        const int body = ops[0] >= ops[1] ? 0 : 1;
        const Tensor& block_in = g.tensors[static_cast<std::size_t>(current)];
        const Tensor& body_out = g.tensors[static_cast<std::size_t>(add.inputs[static_cast<std::size_t>(body)])];
        const Tensor& short_out = g.tensors[static_cast<std::size_t>(add.inputs[static_cast<std::size_t>(1 - body)])];
        const Tensor& sum = g.tensors[static_cast<std::size_t>(add.outputs[0])];
        const bool float_add = body_out.type == TensorType::Float32 && short_out.type == TensorType::Float32 &&
                               sum.type == TensorType::Float32;
        if ((!float_add && (body_out.type != TensorType::Int8 || short_out.type != TensorType::Int8 || sum.type != TensorType::Int8 ||
                            body_out.quantization.empty() || short_out.quantization.empty() || sum.quantization.empty())) ||
            element_count(body_out.shape) != element_count(short_out.shape) || element_count(sum.shape) != element_count(body_out.shape)) {
          r.error = where + ": a residual ADD needs float32, or int8 quantized, operands of one shape";
          return false;
        }
        std::string decls;
        for (const auto& b : branch)
          for (const auto& l : b) decls += l.decl;
        std::string body_type, body_init, short_type, short_init;  // an empty shortcut is ctml::Identity
        chain_of(branch[body], body_type, body_init);
        chain_of(branch[1 - body], short_type, short_init);
        const auto& ao = std::get<AddOptions>(add.options);
        const std::string act = activation_literal(ao.activation);
        if (act.empty()) {
          r.error = where + ": fused activation " + std::string(activation_name(ao.activation)) +
                    " is not supported (ctml fuses NONE, RELU, RELU6, RELU_N1_TO_1)";
          return false;
        }
        std::ostringstream init;
        std::string type;
        if (float_add) {
          if (ao.activation != Activation::None) {
            r.error = where + ": a float residual ADD with a fused activation is not supported yet";
            return false;
          }
          init << "{" << body_init << ",\n" << short_init << "}";
          type = "ctml::ResidualLayer<float, " + shape_literal(block_in.shape) + ", " + body_type + ", " + short_type + ">";
        } else {
          init << "{" << body_init << ",\n" << short_init << ",\nctml::quant::make_add_params(" << qparams_literal(body_out)
               << ", " << qparams_literal(short_out) << ", " << qparams_literal(sum) << ", " << act << ")}";
          type = "ctml::quant::QResidualLayer<" + shape_literal(block_in.shape) + ", " + body_type + ", " + short_type + ">";
        }
        out.push_back({type,
                       init.str(), add.outputs[0],
                       "operator " + std::to_string(k) + " (ADD: residual block of " +
                           std::to_string(ops[0] + ops[1] + 1) + " operators)", decls});
        done[static_cast<std::size_t>(k)] = true;
        ++handled;
        current = add.outputs[0];
        continue;
      }
      // One operator: the consumer of `current` on the way to `to`.
      std::int64_t next = -1;
      for (std::size_t k = 0; k < g.operators.size() && next < 0; ++k)
        if (!done[k] && !g.operators[k].inputs.empty() && data_input(g.operators[k]) == current &&
            g.operators[k].outputs.size() == 1 && on(way, g.operators[k].outputs[0]))
          next = static_cast<std::int64_t>(k);
      if (next < 0) {
        r.error = "tensor " + std::to_string(current) + " (" + g.tensors[static_cast<std::size_t>(current)].name +
                  ") feeds several operators that do not merge in a residual ADD, or none; ctml-import supports "
                  "chains of layers and residual blocks";
        return false;
      }
      if (!emit(static_cast<std::size_t>(next), out)) return false;
      done[static_cast<std::size_t>(next)] = true;
      ++handled;
      current = g.operators[static_cast<std::size_t>(next)].outputs[0];
    }
    return true;
  };
  std::vector<Layer> layers;
  if (!build(g.inputs[0], g.outputs[0], layers, 0)) return r;
  if (handled != g.operators.size()) {
    for (std::size_t k = 0; k < g.operators.size(); ++k)
      if (!done[k]) {
        r.error = "operator " + std::to_string(k) + " (" + std::string(builtin_op_name(g.operators[k].builtin_code)) +
                  ") is not on the way from the model input to its output through chains of layers and residual "
                  "blocks";
        return r;
      }
  }
  if (layers.empty()) {
    r.error = "the model has no operators";
    return r;
  }
  r.ok = true;
  r.text = header_text(layers, ns, source_name, model_facts(source, source_name));
  return r;
}

}  // namespace ctml::import
