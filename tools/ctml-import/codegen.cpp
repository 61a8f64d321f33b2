// SPDX-License-Identifier: Apache-2.0
#include "codegen.hpp"

#include <ctml/quant/requantize.hpp>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
#include <variant>
#include <vector>

namespace ctml::import {
namespace {

// The generated multipliers are exactly what the headers would compute (same function).
void quantize_multiplier(double m, std::int32_t& q, int& shift) {
  const auto r = ctml::quant::quantize_multiplier(m);
  q = r.value;
  shift = r.shift;
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

struct ActRange {
  std::int32_t lo = -128, hi = 127;
};
ActRange activation_range(tflite::Activation a, float scale, std::int32_t zp) {
  ActRange r;
  auto q = [&](float v) { return zp + static_cast<std::int32_t>(std::round(v / scale)); };
  if (a == tflite::Activation::Relu) r.lo = std::max(-128, q(0.0f));
  if (a == tflite::Activation::Relu6) {
    r.lo = std::max(-128, q(0.0f));
    r.hi = std::min(127, q(6.0f));
  }
  if (a == tflite::Activation::ReluN1To1) {
    r.lo = std::max(-128, q(-1.0f));
    r.hi = std::min(127, q(1.0f));
  }
  return r;
}

// TFLite 'same' padding: leading pad = floor(total / 2).
int pad_before(int in, int out, int k, int s, int d, tflite::Padding p) {
  if (p != tflite::Padding::Same) return 0;
  const int total = std::max((out - 1) * s + (k - 1) * d + 1 - in, 0);
  return total / 2;
}

std::string geometry(int ih, int iw, int cin, int oh, int ow, int cout, int kh, int kw, int sh, int sw, int dh,
                     int dw, int pt, int pl) {
  std::ostringstream os;
  os << "ctml::kernels::Conv2DGeometry{" << ih << ", " << iw << ", " << cin << ", " << oh << ", " << ow << ", "
     << cout << ", " << kh << ", " << kw << ", " << sh << ", " << sw << ", " << dh << ", " << dw << ", " << pt
     << ", " << pl << "}";
  return os.str();
}

bool same_qparams(const tflite::Tensor& a, const tflite::Tensor& b) {
  return !a.quantization.empty() && !b.quantization.empty() && a.quantization.scale[0] == b.quantization.scale[0] &&
         a.quantization.zero_point[0] == b.quantization.zero_point[0];
}

// ctml::quant::QParams{scale, zero_point} with the float scale written exactly.
std::string qparams_literal(const tflite::Tensor& t) {
  std::ostringstream os;
  os << "ctml::quant::QParams{" << std::hexfloat << t.quantization.scale[0] << std::defaultfloat << "f, "
     << t.quantization.zero_point[0] << "}";
  return os.str();
}

// "{" + s + "}" built by appending: GCC 12 at -O3 reports a false -Wrestrict for the
// operator+ form (GCC bug 105329).
std::string braced(const std::string& s) {
  std::string r;
  r.reserve(s.size() + 2);
  r.push_back('{');
  r.append(s);
  r.push_back('}');
  return r;
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
    // int8 activations throughout; float only at the edges (QUANTIZE in, DEQUANTIZE out).
    const bool float_in = op.builtin_code == op::kQuantize, float_out = op.builtin_code == op::kDequantize;
    if (in.type != (float_in ? TensorType::Float32 : TensorType::Int8) ||
        out.type != (float_out ? TensorType::Float32 : TensorType::Int8)) {
      r.error = where + ": only int8 activations are supported (float only into QUANTIZE and out of DEQUANTIZE)";
      return r;
    }
    if ((float_in && k != 0) || (float_out && k + 1 != g.operators.size())) {
      r.error = where + ": QUANTIZE/DEQUANTIZE are supported at the model's input/output only";
      return r;
    }
    const bool needs_in_q = !float_in, needs_out_q = !float_out;
    if ((needs_in_q && in.quantization.empty()) || (needs_out_q && out.quantization.empty())) {
      r.error = where + ": int8 tensors must carry quantization parameters";
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
    } else if (op.builtin_code == op::kConv2D || op.builtin_code == op::kDepthwiseConv2D) {
      const bool dw = op.builtin_code == op::kDepthwiseConv2D;
      if (op.inputs.size() < 3 || op.inputs[1] < 0 || op.inputs[2] < 0 || in.shape.size() != 4 || out.shape.size() != 4) {
        r.error = where + ": expected NHWC input/output, weights and bias";
        return r;
      }
      const Tensor& w = g.tensors[static_cast<std::size_t>(op.inputs[1])];
      auto wv = tensor_values<std::int8_t>(model, w);
      auto bv = tensor_values<std::int32_t>(model, g.tensors[static_cast<std::size_t>(op.inputs[2])]);
      if (!wv || !bv || w.shape.size() != 4 || w.quantization.empty() || in.quantization.empty() || out.quantization.empty()) {
        r.error = where + ": weights must be constant int8 and bias constant int32, all quantized";
        return r;
      }
      Padding pad;
      int sh, sw, dh, dwl;
      Activation act;
      if (dw) {
        const auto& o = std::get<DepthwiseConv2DOptions>(op.options);
        pad = o.padding; sh = o.stride_h; sw = o.stride_w; dh = o.dilation_h; dwl = o.dilation_w; act = o.activation;
      } else {
        const auto& o = std::get<Conv2DOptions>(op.options);
        pad = o.padding; sh = o.stride_h; sw = o.stride_w; dh = o.dilation_h; dwl = o.dilation_w; act = o.activation;
      }
      const int ih = in.shape[1], iw = in.shape[2], cin = in.shape[3], oh = out.shape[1], ow = out.shape[2], cout = out.shape[3];
      const int kh = w.shape[1], kw = w.shape[2];
      if ((dw ? w.shape[3] : w.shape[0]) != cout || (!dw && w.shape[3] != cin) || static_cast<int>(bv->size()) != cout) {
        r.error = where + ": weight/bias shapes do not match the activations";
        return r;
      }
      const auto in_zp = static_cast<std::int32_t>(in.quantization.zero_point[0]);
      const auto out_zp = static_cast<std::int32_t>(out.quantization.zero_point[0]);
      std::vector<std::int32_t> mult(static_cast<std::size_t>(cout)), shift(static_cast<std::size_t>(cout)), eff(static_cast<std::size_t>(cout));
      const std::size_t per = static_cast<std::size_t>(kh * kw * cin);
      for (int c = 0; c < cout; ++c) {
        const float ws = w.quantization.per_channel() ? w.quantization.scale[static_cast<std::size_t>(c)] : w.quantization.scale[0];
        int sft = 0;
        quantize_multiplier(static_cast<double>(in.quantization.scale[0]) * static_cast<double>(ws) /
                                static_cast<double>(out.quantization.scale[0]),
                            mult[static_cast<std::size_t>(c)], sft);
        shift[static_cast<std::size_t>(c)] = sft;
        std::int32_t sum = 0;
        if (!dw)
          for (std::size_t k = 0; k < per; ++k) sum += (*wv)[static_cast<std::size_t>(c) * per + k];
        eff[static_cast<std::size_t>(c)] = (*bv)[static_cast<std::size_t>(c)] - in_zp * sum;
      }
      const ActRange ar = activation_range(act, out.quantization.scale[0], out_zp);
      const std::string geo = geometry(ih, iw, cin, oh, ow, cout, kh, kw, sh, sw, dh, dwl,
                                       pad_before(ih, oh, kh, sh, dh, pad), pad_before(iw, ow, kw, sw, dwl, pad));
      std::ostringstream t, init;
      t << (dw ? "ctml::quant::QDepthwiseConv2DLayer<" : "ctml::quant::QConv2DLayer<") << geo << ">";
      init << "{{" << in_zp << ", " << out_zp << ", " << ar.lo << ", " << ar.hi << "},\n";
      emit_list(init, *wv);
      init << ",\n";
      emit_list(init, *bv);
      init << ",\n";
      emit_list(init, mult);
      init << ",\n";
      emit_list(init, shift);
      if (!dw) {
        init << ",\n";
        emit_list(init, eff);
      }
      init << "}";
      layers.push_back({t.str(), init.str()});
    } else if (op.builtin_code == op::kAveragePool2D) {
      const auto& o = std::get<Pool2DOptions>(op.options);
      if (in.shape.size() != 4 || out.shape.size() != 4) {
        r.error = where + ": expected NHWC tensors";
        return r;
      }
      const int ih = in.shape[1], iw = in.shape[2], c = in.shape[3], oh = out.shape[1], ow = out.shape[2];
      const ActRange ar = activation_range(o.activation, out.quantization.scale[0],
                                           static_cast<std::int32_t>(out.quantization.zero_point[0]));
      const std::string geo = geometry(ih, iw, c, oh, ow, c, o.filter_height, o.filter_width, o.stride_h, o.stride_w, 1,
                                       1, pad_before(ih, oh, o.filter_height, o.stride_h, 1, o.padding),
                                       pad_before(iw, ow, o.filter_width, o.stride_w, 1, o.padding));
      std::ostringstream init;
      init << "{" << ar.lo << ", " << ar.hi << "}";
      layers.push_back({"ctml::quant::QAveragePool2DLayer<" + geo + ">", init.str()});
    } else if (op.builtin_code == op::kMaxPool2D) {
      const auto& o = std::get<Pool2DOptions>(op.options);
      if (in.shape.size() != 4 || out.shape.size() != 4 || !same_qparams(in, out)) {
        r.error = where + ": expected NHWC tensors with equal input/output quantization";
        return r;
      }
      const int ih = in.shape[1], iw = in.shape[2], c = in.shape[3], oh = out.shape[1], ow = out.shape[2];
      const ActRange ar = activation_range(o.activation, out.quantization.scale[0],
                                           static_cast<std::int32_t>(out.quantization.zero_point[0]));
      const std::string geo = geometry(ih, iw, c, oh, ow, c, o.filter_height, o.filter_width, o.stride_h, o.stride_w, 1,
                                       1, pad_before(ih, oh, o.filter_height, o.stride_h, 1, o.padding),
                                       pad_before(iw, ow, o.filter_width, o.stride_w, 1, o.padding));
      std::ostringstream init;
      init << "{" << ar.lo << ", " << ar.hi << "}";
      layers.push_back({"ctml::quant::QMaxPool2DLayer<" + geo + ">", init.str()});
    } else if (op.builtin_code == op::kRelu || op.builtin_code == op::kRelu6) {
      if (!same_qparams(in, out)) {
        r.error = where + ": a standalone RELU/RELU6 must keep its input's quantization";
        return r;
      }
      const ActRange ar = activation_range(op.builtin_code == op::kRelu ? Activation::Relu : Activation::Relu6,
                                           out.quantization.scale[0],
                                           static_cast<std::int32_t>(out.quantization.zero_point[0]));
      std::ostringstream init;
      init << "{" << ar.lo << ", " << ar.hi << "}";
      layers.push_back({"ctml::quant::QReLULayer<" + shape_of(in.shape, true) + ">", init.str()});
    } else if (op.builtin_code == op::kLogistic || op.builtin_code == op::kTanh) {
      const bool logistic = op.builtin_code == op::kLogistic;
      const float want_scale = logistic ? 1.0f / 256.0f : 1.0f / 128.0f;
      const std::int64_t want_zp = logistic ? -128 : 0;
      if (out.quantization.scale[0] != want_scale || out.quantization.zero_point[0] != want_zp) {
        r.error = where + ": output quantization must be " + (logistic ? "1/256, -128" : "1/128, 0") +
                  " (TFLite's fixed output range)";
        return r;
      }
      std::ostringstream init;
      init << (logistic ? "ctml::quant::make_qlogistic<" : "ctml::quant::make_qtanh<") << shape_of(in.shape, true)
           << ">(" << qparams_literal(in) << ")";
      layers.push_back({std::string(logistic ? "ctml::quant::QLogisticLayer<" : "ctml::quant::QTanhLayer<") +
                            shape_of(in.shape, true) + ">",
                        init.str()});
    } else if (op.builtin_code == op::kMean) {
      // Global average pooling: the mean over height and width of an NHWC tensor.
      const auto axes = op.inputs.size() > 1 && op.inputs[1] >= 0
                            ? tensor_values<std::int32_t>(model, g.tensors[static_cast<std::size_t>(op.inputs[1])])
                            : std::nullopt;
      if (in.shape.size() != 4 || !axes || axes->size() != 2 || std::min((*axes)[0], (*axes)[1]) != 1 ||
          std::max((*axes)[0], (*axes)[1]) != 2) {
        r.error = where + ": only the mean over height and width (axes 1, 2) of an NHWC tensor is supported";
        return r;
      }
      const std::string in_shape = shape_of(in.shape, true);
      std::ostringstream init;
      init << "ctml::quant::make_qmean<" << in_shape << ">(" << qparams_literal(in) << ", " << qparams_literal(out) << ")";
      layers.push_back({"ctml::quant::QMeanLayer<" + in_shape + ">", init.str()});
      const std::string flat = "ctml::Shape<" + std::to_string(in.shape[3]) + ">";
      if (shape_of(out.shape, true) != flat)  // keep_dims: back to [1, 1, C]
        layers.push_back({"ctml::ReshapeLayer<std::int8_t, " + flat + ", " + shape_of(out.shape, true) + ">", "{}"});
    } else if (op.builtin_code == op::kQuantize) {
      layers.push_back({"ctml::quant::QuantizeLayer<" + shape_of(out.shape, true) + ">",
                        braced(qparams_literal(out))});
    } else if (op.builtin_code == op::kDequantize) {
      layers.push_back({"ctml::quant::DequantizeLayer<" + shape_of(in.shape, true) + ">",
                        braced(qparams_literal(in))});
    } else if (op.builtin_code == op::kSoftmax) {
      const auto& o = std::get<SoftmaxOptions>(op.options);
      std::ostringstream init;
      init << "{ctml::quant::make_softmax_params(" << static_cast<double>(o.beta) << ", " << std::hexfloat
           << static_cast<double>(in.quantization.scale[0]) << std::defaultfloat << ")}";
      layers.push_back({"ctml::quant::QSoftmaxLayer<" + shape_of(in.shape, true) + ">", init.str()});
    } else if (op.builtin_code == op::kReshape) {
      if (count(in.shape) != count(out.shape)) {
        r.error = where + ": element counts differ";
        return r;
      }
      layers.push_back({"ctml::ReshapeLayer<std::int8_t, " + shape_of(in.shape, true) + ", " + shape_of(out.shape, true) + ">", "{}"});
    } else {
      r.error = where + ": op " + std::string(builtin_op_name(op.builtin_code)) +
                " is not supported by ctml-import yet (supported: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, "
                "AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, RESHAPE, SOFTMAX, RELU, RELU6, LOGISTIC, TANH, QUANTIZE, DEQUANTIZE)";
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
     << "#include <ctml/quant/conv_s8.hpp>\n#include <ctml/quant/dense_s8.hpp>\n#include <ctml/quant/logistic_s8.hpp>\n"
     << "#include <ctml/quant/maxpool_s8.hpp>\n#include <ctml/quant/mean_s8.hpp>\n#include <ctml/quant/quantize_s8.hpp>\n"
     << "#include <ctml/quant/relu_s8.hpp>\n#include <ctml/quant/softmax_s8.hpp>\n#include <ctml/quant/tanh_s8.hpp>\n\nnamespace " << ns << " {\n\nusing Model = ctml::Chain<\n";
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
