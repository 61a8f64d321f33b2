// SPDX-License-Identifier: Apache-2.0
#include "ctml-import/tflite_dump.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ctml::tflite {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

template <class T>
std::string join(const std::vector<T>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) s += ',';
    if constexpr (std::is_floating_point_v<T>) {
      s += num(v[i]);
    } else {
      s += std::to_string(v[i]);
    }
  }
  return s + "]";
}

std::string pad_right(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string format_quant(const Quantization& q, const DumpOptions& o) {
  if (q.empty()) return q.has_custom_details ? " q(custom)" : "";
  if (!q.per_channel()) {
    return " q(scale=" + num(q.scale[0]) + " zp=" + std::to_string(q.zero_point[0]) + ")";
  }
  std::string s = " q(axis " + std::to_string(q.quantized_dimension) + ", " +
                  std::to_string(q.scale.size()) + " channels";
  if (o.all_scales) {
    s += ", scale=" + join(q.scale) + " zp=" + join(q.zero_point);
  } else {
    const auto [smin, smax] = std::minmax_element(q.scale.begin(), q.scale.end());
    const auto [zmin, zmax] = std::minmax_element(q.zero_point.begin(), q.zero_point.end());
    s += ", scale " + num(*smin) + ".." + num(*smax);
    s += *zmin == *zmax ? ", zp=" + std::to_string(*zmin)
                        : ", zp " + std::to_string(*zmin) + ".." + std::to_string(*zmax);
  }
  return s + ")";
}

std::string bias_type(TensorType t) {
  return t == TensorType::Float32 ? "" : " quantized_bias_type=" + std::string(tensor_type_name(t));
}

struct OptionsFormatter {
  std::string operator()(const std::monostate&) const { return ""; }
  std::string operator()(const Conv2DOptions& c) const {
    return "padding=" + std::string(padding_name(c.padding)) +
           " stride=" + std::to_string(c.stride_h) + "x" + std::to_string(c.stride_w) +
           " dilation=" + std::to_string(c.dilation_h) + "x" + std::to_string(c.dilation_w) +
           " act=" + std::string(activation_name(c.activation)) + bias_type(c.quantized_bias_type);
  }
  std::string operator()(const DepthwiseConv2DOptions& c) const {
    return "padding=" + std::string(padding_name(c.padding)) +
           " stride=" + std::to_string(c.stride_h) + "x" + std::to_string(c.stride_w) +
           " dilation=" + std::to_string(c.dilation_h) + "x" + std::to_string(c.dilation_w) +
           " depth_multiplier=" + std::to_string(c.depth_multiplier) +
           " act=" + std::string(activation_name(c.activation));
  }
  std::string operator()(const Pool2DOptions& p) const {
    return "padding=" + std::string(padding_name(p.padding)) +
           " filter=" + std::to_string(p.filter_height) + "x" + std::to_string(p.filter_width) +
           " stride=" + std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w) +
           " act=" + std::string(activation_name(p.activation));
  }
  std::string operator()(const FullyConnectedOptions& f) const {
    return "act=" + std::string(activation_name(f.activation)) +
           " weights_format=" + std::string(weights_format_name(f.weights_format)) +
           " keep_num_dims=" + (f.keep_num_dims ? "true" : "false") +
           (f.asymmetric_quantize_inputs ? " asymmetric_quantize_inputs=true" : "") + bias_type(f.quantized_bias_type);
  }
  std::string operator()(const SoftmaxOptions& s) const { return "beta=" + num(s.beta); }
  std::string operator()(const ConcatenationOptions& c) const {
    return "axis=" + std::to_string(c.axis) + " act=" + std::string(activation_name(c.activation));
  }
  std::string operator()(const AddOptions& a) const {
    return "act=" + std::string(activation_name(a.activation));
  }
  std::string operator()(const ReshapeOptions& r) const {
    return r.new_shape ? "new_shape=" + join(*r.new_shape) : "new_shape=(input 1)";
  }
  std::string operator()(const MulOptions& m) const {
    return "act=" + std::string(activation_name(m.activation));
  }
  std::string operator()(const PadOptions&) const { return ""; }
  std::string operator()(const ReducerOptions& r) const {
    return std::string("keep_dims=") + (r.keep_dims ? "true" : "false");
  }
  std::string operator()(const SubOptions& s) const {
    return "act=" + std::string(activation_name(s.activation));
  }
  std::string operator()(const SqueezeOptions& s) const {
    return "squeeze_dims=" + join(s.squeeze_dims);
  }
  std::string operator()(const DequantizeOptions&) const { return ""; }
  std::string operator()(const LeakyReluOptions& l) const { return "alpha=" + num(l.alpha); }
  std::string operator()(const QuantizeOptions&) const { return ""; }
  std::string operator()(const HardSwishOptions&) const { return ""; }
  std::string operator()(const TransposeOptions&) const { return ""; }
  std::string operator()(const PadV2Options&) const { return ""; }
  std::string operator()(const ExpandDimsOptions&) const { return ""; }
  std::string operator()(const MaximumMinimumOptions&) const { return ""; }
  std::string operator()(const TransposeConvOptions& o) const {
    return "padding=" + std::string(padding_name(o.padding)) + " stride=" + std::to_string(o.stride_h) + "x" + std::to_string(o.stride_w) +
           " act=" + std::string(activation_name(o.activation));
  }
  std::string operator()(const SVDFOptions& o) const {
    return "rank=" + std::to_string(o.rank) + " act=" + std::string(activation_name(o.activation)) +
           (o.asymmetric_quantize_inputs ? " asymmetric_quantize_inputs" : "");
  }
  std::string operator()(const UnidirectionalSequenceLSTMOptions& o) const {
    return "act=" + std::string(activation_name(o.activation)) + " cell_clip=" + num(o.cell_clip) + " proj_clip=" + num(o.proj_clip) +
           (o.time_major ? " time_major" : "") + (o.asymmetric_quantize_inputs ? " asymmetric_quantize_inputs" : "") +
           (o.diagonal_recurrent_tensors ? " diagonal_recurrent_tensors" : "");
  }
  std::string operator()(const StridedSliceOptions& o) const {
    return "begin_mask=" + std::to_string(o.begin_mask) + " end_mask=" + std::to_string(o.end_mask) +
           " shrink_axis_mask=" + std::to_string(o.shrink_axis_mask) +
           (o.ellipsis_mask || o.new_axis_mask ? " ellipsis_mask=" + std::to_string(o.ellipsis_mask) + " new_axis_mask=" + std::to_string(o.new_axis_mask) : "") +
           (o.offset ? " offset" : "");
  }
  std::string operator()(const UnsupportedOptions& u) const {
    return "(options type " + std::to_string(u.type) + " not decoded)";
  }
};

std::string tensor_ref(const Model& m, const SubGraph& g, std::int32_t idx, const DumpOptions& o) {
  if (idx < 0 || static_cast<std::size_t>(idx) >= g.tensors.size()) return "-";
  const Tensor& t = g.tensors[static_cast<std::size_t>(idx)];
  return "#" + std::to_string(idx) + " " + format_tensor(m, t, o);
}

}  // namespace

std::string format_options(const Operator& op) {
  std::string s = builtin_op_display_name(op.builtin_code);
  const std::string opts = std::visit(OptionsFormatter{}, op.options);
  if (!opts.empty()) s += " " + opts;
  return s;
}

std::string format_tensor(const Model& m, const Tensor& t, const DumpOptions& o) {
  std::string s = std::string(tensor_type_name(t.type)) + " " + join(t.shape);
  const auto data = m.tensor_data(t);
  if (!data.empty()) s += " const(" + std::to_string(data.size()) + " B)";
  if (t.is_variable) s += " variable";
  if (t.is_sparse) s += " sparse";
  return s + format_quant(t.quantization, o);
}

std::string format_model(const Model& m, const DumpOptions& o) {
  std::string s;
  s += "model: schema v" + std::to_string(m.version) + ", " + std::to_string(m.subgraphs.size()) +
       " subgraph(s), " + std::to_string(m.buffers.size()) + " buffers, " +
       std::to_string(m.operator_codes.size()) + " operator codes";
  if (!m.description.empty()) s += ", description \"" + m.description + "\"";
  s += "\noperator codes:\n";
  for (std::size_t i = 0; i < m.operator_codes.size(); ++i) {
    const OperatorCode& oc = m.operator_codes[i];
    s += "  " + std::to_string(i) + ": " + builtin_op_display_name(oc.builtin_code) + " v" +
         std::to_string(oc.version);
    if (!oc.custom_code.empty()) s += " custom '" + oc.custom_code + "'";
    s += "\n";
  }
  for (std::size_t gi = 0; gi < m.subgraphs.size(); ++gi) {
    const SubGraph& g = m.subgraphs[gi];
    s += "subgraph " + std::to_string(gi) + " \"" + g.name +
         "\": " + std::to_string(g.tensors.size()) + " tensors, " +
         std::to_string(g.operators.size()) + " operators\n";
    for (const std::int32_t i : g.inputs) s += "  input  " + tensor_ref(m, g, i, o) + "\n";
    for (const std::int32_t i : g.outputs) s += "  output " + tensor_ref(m, g, i, o) + "\n";
    s += "tensors:\n";
    for (std::size_t ti = 0; ti < g.tensors.size(); ++ti) {
      const Tensor& t = g.tensors[ti];
      s += "  " + pad_right("#" + std::to_string(ti), 5) + " " +
           pad_right(format_tensor(m, t, o), 60) + " buf " + std::to_string(t.buffer) + "  \"" +
           t.name + "\"\n";
    }
    s += "operators:\n";
    for (std::size_t oi = 0; oi < g.operators.size(); ++oi) {
      const Operator& op = g.operators[oi];
      s += "  [" + std::to_string(oi) + "] " + format_options(op) + "\n";
      for (const std::int32_t i : op.inputs) s += "        in  " + tensor_ref(m, g, i, o) + "\n";
      for (const std::int32_t i : op.outputs) s += "        out " + tensor_ref(m, g, i, o) + "\n";
    }
    // Op histogram in first-use order: "ops: CONV_2D x5, DEPTHWISE_CONV_2D x4, ...".
    std::vector<std::pair<std::string, int>> counts;
    for (const Operator& op : g.operators) {
      const std::string name = builtin_op_display_name(op.builtin_code);
      auto it = std::find_if(counts.begin(), counts.end(),
                             [&](const auto& c) { return c.first == name; });
      if (it == counts.end()) {
        counts.emplace_back(name, 1);
      } else {
        ++it->second;
      }
    }
    s += "ops:";
    for (std::size_t i = 0; i < counts.size(); ++i) {
      s += (i == 0 ? " " : ", ") + counts[i].first + " x" + std::to_string(counts[i].second);
    }
    s += "\n";
  }
  return s;
}

}  // namespace ctml::tflite
