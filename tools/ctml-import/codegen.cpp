// SPDX-License-Identifier: Apache-2.0
#include "codegen.hpp"

#include <ctml/core/requantize.hpp>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <climits>
#include <functional>
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
  // Where TFLite holds this layer's output: its tensor index (-1 when TFLite has no such tensor,
  // e.g. the flat mean before a keep_dims reshape) and the operator(s) it came from. The generated
  // header lists both for the divergence locator (tools/difftest).
  std::int32_t tensor = -1;
  std::string origin = {};
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
  // In double and clamped before the cast: a tiny (but valid) scale must not overflow an int32.
  auto q = [&](float v) {
    const double d = static_cast<double>(std::round(v / scale)) + zp;  // float division, as TFLite
    return static_cast<std::int32_t>(std::clamp(d, -1e9, 1e9));
  };
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

// TFLite 'same' padding: leading pad = floor(total / 2). Arguments already checked by
// spatial_ok, computed in 64 bits all the same.
int pad_before(int in, int out, int k, int s, int d, tflite::Padding p) {
  if (p != tflite::Padding::Same) return 0;
  const std::int64_t total = std::max<std::int64_t>(
      (std::int64_t{out} - 1) * s + (std::int64_t{k} - 1) * d + 1 - in, 0);
  return static_cast<int>(total / 2);
}

// One spatial axis of a conv or pool: sizes, kernel, stride and dilation in range, and the output
// size the one TFLite computes for this padding.
bool spatial_ok(int in, int out, int k, int s, int d, tflite::Padding p) {
  constexpr int kMax = 1 << 16;
  if (in < 1 || out < 1 || k < 1 || s < 1 || d < 1 || in > kMax || k > kMax || s > kMax || d > kMax) return false;
  const std::int64_t eff = (std::int64_t{k} - 1) * d + 1;
  const std::int64_t want = p == tflite::Padding::Same ? (std::int64_t{in} + s - 1) / s : (in - eff + s) / s;
  return want == out;
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
  // Consumers and producer of every tensor (the graph's operators are in execution order).
  std::vector<int> consumers(g.tensors.size(), 0);
  std::vector<std::int64_t> producer(g.tensors.size(), -1);
  for (std::size_t k = 0; k < g.operators.size(); ++k) {
    for (const auto t : g.operators[k].inputs)
      if (t >= 0 && static_cast<std::size_t>(t) < g.tensors.size()) ++consumers[static_cast<std::size_t>(t)];
    for (const auto t : g.operators[k].outputs)
      if (t >= 0 && static_cast<std::size_t>(t) < g.tensors.size()) producer[static_cast<std::size_t>(t)] = static_cast<std::int64_t>(k);
  }

  // One single-input operator as ctml layers (most ops give one, MEAN with keep_dims two).
  auto emit_op = [&](std::size_t k, std::vector<Layer>& layers) -> bool {
    const Operator& op = g.operators[k];
    const std::string where = "operator " + std::to_string(k) + " (" + std::string(builtin_op_name(op.builtin_code)) + ")";
    if (op.inputs.empty() || op.outputs.size() != 1) {
      r.error = where + ": expected one data input and one output";
      return false;
    }
    const Tensor& in = g.tensors[static_cast<std::size_t>(op.inputs[0])];
    const Tensor& out = g.tensors[static_cast<std::size_t>(op.outputs[0])];
    // int8 activations throughout; float only at the edges (QUANTIZE in, DEQUANTIZE out).
    const bool float_in = op.builtin_code == op::kQuantize, float_out = op.builtin_code == op::kDequantize;
    if (in.type != (float_in ? TensorType::Float32 : TensorType::Int8) ||
        out.type != (float_out ? TensorType::Float32 : TensorType::Int8)) {
      r.error = where + ": only int8 activations are supported (float only into QUANTIZE and out of DEQUANTIZE)";
      return false;
    }
    if ((float_in && k != 0) || (float_out && k + 1 != g.operators.size())) {
      r.error = where + ": QUANTIZE/DEQUANTIZE are supported at the model's input/output only";
      return false;
    }
    // Quantization parameters a TFLite converter can produce: finite positive scales, int8 zero
    // points in range (a corrupt file gets a reason, never a hang or an overflow later).
    auto plausible = [&](const Tensor& qt) {
      for (const float sc : qt.quantization.scale)
        if (!(sc > 0.0f) || !std::isfinite(sc)) {
          r.error = where + ": tensor '" + qt.name + "' has a scale that is not a finite positive number";
          return false;
        }
      if (qt.type == TensorType::Int8)
        for (const auto z : qt.quantization.zero_point)
          if (z < -128 || z > 127) {
            r.error = where + ": tensor '" + qt.name + "' has an int8 zero point outside [-128, 127]";
            return false;
          }
      return true;
    };
    for (const auto t : op.inputs)
      if (t >= 0 && !plausible(g.tensors[static_cast<std::size_t>(t)])) return false;
    if (!plausible(out)) return false;
    const bool needs_in_q = !float_in, needs_out_q = !float_out;
    if ((needs_in_q && in.quantization.empty()) || (needs_out_q && out.quantization.empty())) {
      r.error = where + ": int8 tensors must carry quantization parameters";
      return false;
    }
    if (op.builtin_code == op::kFullyConnected) {
      const auto& o = std::get<FullyConnectedOptions>(op.options);
      if (op.inputs.size() < 2 || op.inputs[1] < 0) {
        r.error = where + ": missing weights";
        return false;
      }
      const Tensor& w = g.tensors[static_cast<std::size_t>(op.inputs[1])];
      auto wv = tensor_values<std::int8_t>(model, w);
      if (w.type != TensorType::Int8 || !wv || w.shape.size() != 2) {
        r.error = where + ": weights must be constant int8 [out][in]";
        return false;
      }
      const auto units = static_cast<std::size_t>(w.shape[0]), inputs = static_cast<std::size_t>(w.shape[1]);
      if (w.shape[0] <= 0 || w.shape[1] <= 0 || wv->size() != units * inputs || count(in.shape) != inputs ||
          count(out.shape) != units || (w.quantization.per_channel() && w.quantization.scale.size() != units)) {
        r.error = where + ": input/output sizes do not match the weights";
        return false;
      }
      std::vector<std::int32_t> bias(units, 0);
      if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
        auto bv = tensor_values<std::int32_t>(model, g.tensors[static_cast<std::size_t>(op.inputs[2])]);
        if (!bv || bv->size() != units) {
          r.error = where + ": bias must be constant int32 [out]";
          return false;
        }
        bias = *bv;
      }
      const auto& wq = w.quantization;
      if (in.quantization.empty() || out.quantization.empty() || wq.empty()) {
        r.error = where + ": tensors are not quantized";
        return false;
      }
      const auto in_zp = static_cast<std::int32_t>(in.quantization.zero_point[0]);
      const auto out_zp = static_cast<std::int32_t>(out.quantization.zero_point[0]);
      const float out_scale = out.quantization.scale[0];
      std::vector<std::int32_t> eff(units), mult(units), shift(units);
      for (std::size_t u = 0; u < units; ++u) {
        std::int64_t s = 0;
        for (std::size_t i = 0; i < inputs; ++i) s += (*wv)[u * inputs + i];
        const std::int64_t e = static_cast<std::int64_t>(bias[u]) - static_cast<std::int64_t>(in_zp) * s;
        if (e < INT32_MIN || e > INT32_MAX) {
          r.error = where + ": bias " + std::to_string(u) + " does not fit int32 once the input zero point is folded in";
          return false;
        }
        eff[u] = static_cast<std::int32_t>(e);
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
        act_max = std::min(127, activation_range(Activation::Relu6, out_scale, out_zp).hi);
      if (o.activation == Activation::ReluN1To1) {
        act_min = activation_range(Activation::ReluN1To1, out_scale, out_zp).lo;
        act_max = activation_range(Activation::ReluN1To1, out_scale, out_zp).hi;
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
        return false;
      }
      const Tensor& w = g.tensors[static_cast<std::size_t>(op.inputs[1])];
      auto wv = tensor_values<std::int8_t>(model, w);
      auto bv = tensor_values<std::int32_t>(model, g.tensors[static_cast<std::size_t>(op.inputs[2])]);
      if (!wv || !bv || w.shape.size() != 4 || w.quantization.empty() || in.quantization.empty() || out.quantization.empty()) {
        r.error = where + ": weights must be constant int8 and bias constant int32, all quantized";
        return false;
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
      if (!spatial_ok(ih, oh, kh, sh, dh, pad) || !spatial_ok(iw, ow, kw, sw, dwl, pad)) {
        r.error = where + ": kernel, stride, dilation or padding do not give the output size";
        return false;
      }
      if (std::min({ih, iw, cin, oh, ow, cout, kh, kw}) <= 0 || (dw ? w.shape[3] : w.shape[0]) != cout ||
          (!dw && w.shape[3] != cin) || static_cast<int>(bv->size()) != cout ||
          wv->size() != count(w.shape) || (!w.quantization.per_channel() ? false : w.quantization.scale.size() != static_cast<std::size_t>(cout))) {
        r.error = where + ": weight/bias shapes do not match the activations";
        return false;
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
        std::int64_t sum = 0;
        if (!dw)
          for (std::size_t k = 0; k < per; ++k) sum += (*wv)[static_cast<std::size_t>(c) * per + k];
        const std::int64_t e = static_cast<std::int64_t>((*bv)[static_cast<std::size_t>(c)]) -
                               static_cast<std::int64_t>(in_zp) * sum;
        if (e < INT32_MIN || e > INT32_MAX) {
          r.error = where + ": bias " + std::to_string(c) + " does not fit int32 once the input zero point is folded in";
          return false;
        }
        eff[static_cast<std::size_t>(c)] = static_cast<std::int32_t>(e);
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
    } else if (op.builtin_code == op::kAveragePool2D || op.builtin_code == op::kMaxPool2D) {
      // TFLite's int8 pools keep the input's quantization (no requantization).
      const auto& o = std::get<Pool2DOptions>(op.options);
      if (in.shape.size() != 4 || out.shape.size() != 4 || !same_qparams(in, out)) {
        r.error = where + ": expected NHWC tensors with equal input/output quantization";
        return false;
      }
      const int ih = in.shape[1], iw = in.shape[2], c = in.shape[3], oh = out.shape[1], ow = out.shape[2];
      if (c < 1 || out.shape[3] != c || !spatial_ok(ih, oh, o.filter_height, o.stride_h, 1, o.padding) ||
          !spatial_ok(iw, ow, o.filter_width, o.stride_w, 1, o.padding)) {
        r.error = where + ": window, stride or padding do not give the output size";
        return false;
      }
      const ActRange ar = activation_range(o.activation, out.quantization.scale[0],
                                           static_cast<std::int32_t>(out.quantization.zero_point[0]));
      const std::string geo = geometry(ih, iw, c, oh, ow, c, o.filter_height, o.filter_width, o.stride_h, o.stride_w, 1,
                                       1, pad_before(ih, oh, o.filter_height, o.stride_h, 1, o.padding),
                                       pad_before(iw, ow, o.filter_width, o.stride_w, 1, o.padding));
      std::ostringstream init;
      init << "{" << ar.lo << ", " << ar.hi << "}";
      layers.push_back({std::string(op.builtin_code == op::kMaxPool2D ? "ctml::quant::QMaxPool2DLayer<"
                                                                       : "ctml::quant::QAveragePool2DLayer<") +
                            geo + ">",
                        init.str()});
    } else if (op.builtin_code == op::kRelu || op.builtin_code == op::kRelu6) {
      if (!same_qparams(in, out)) {
        r.error = where + ": a standalone RELU/RELU6 must keep its input's quantization";
        return false;
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
        return false;
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
        return false;
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
        return false;
      }
      layers.push_back({"ctml::ReshapeLayer<std::int8_t, " + shape_of(in.shape, true) + ", " + shape_of(out.shape, true) + ">", "{}"});
    } else {
      r.error = where + ": op " + std::string(builtin_op_name(op.builtin_code)) +
                " is not supported by ctml-import yet (supported: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, "
                "AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, RESHAPE, SOFTMAX, RELU, RELU6, LOGISTIC, TANH, QUANTIZE, DEQUANTIZE)";
      return false;
    }
    return true;
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
      t = g.operators[static_cast<std::size_t>(k)].inputs[0];
    }
    return path;
  };
  auto on = [](const std::vector<std::int32_t>& path, std::int32_t t) {
    return std::find(path.begin(), path.end(), t) != path.end();
  };
  // The ADD that merges the branches leaving `from` on the way to `way`'s end: the paths back from
  // its two operands first meet at `from` (an ADD inside a branch meets before it).
  auto merge_of = [&](std::int32_t from, const std::vector<std::int32_t>& way) -> std::int64_t {
    for (std::size_t k = 0; k < g.operators.size(); ++k) {
      const Operator& add = g.operators[k];
      if (done[k] || add.builtin_code != op::kAdd || add.inputs.size() != 2 || add.outputs.size() != 1 ||
          !on(way, add.outputs[0]))
        continue;
      const auto p0 = back_path(add.inputs[0]), p1 = back_path(add.inputs[1]);
      for (const auto t : p0)
        if (on(p1, t)) {
          if (t == from) return static_cast<std::int64_t>(k);
          break;
        }
    }
    return -1;
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
        const std::string where = "operator " + std::to_string(k) + " (ADD)";
        std::vector<Layer> branch[2];
        std::size_t ops[2];
        for (int i = 0; i < 2; ++i) {
          const std::size_t before = handled;
          if (!build(current, add.inputs[static_cast<std::size_t>(i)], branch[i], depth + 1)) return false;
          ops[i] = handled - before;
        }
        if (ops[0] == 0 && ops[1] == 0) {
          r.error = where + ": adds a tensor to itself";
          return false;
        }
        const int body = ops[0] >= ops[1] ? 0 : 1;
        const Tensor& block_in = g.tensors[static_cast<std::size_t>(current)];
        const Tensor& body_out = g.tensors[static_cast<std::size_t>(add.inputs[static_cast<std::size_t>(body)])];
        const Tensor& short_out = g.tensors[static_cast<std::size_t>(add.inputs[static_cast<std::size_t>(1 - body)])];
        const Tensor& sum = g.tensors[static_cast<std::size_t>(add.outputs[0])];
        if (body_out.type != TensorType::Int8 || short_out.type != TensorType::Int8 || sum.type != TensorType::Int8 ||
            body_out.quantization.empty() || short_out.quantization.empty() || sum.quantization.empty() ||
            count(body_out.shape) != count(short_out.shape) || count(sum.shape) != count(body_out.shape)) {
          r.error = where + ": a residual ADD needs int8 quantized operands of one shape";
          return false;
        }
        auto chain = [](const std::vector<Layer>& ls, std::string& type, std::string& init) {
          type = "ctml::Chain<";
          init = "{{{";
          for (std::size_t i = 0; i < ls.size(); ++i) {
            type += (i ? ", " : "") + ls[i].type;
            init += (i ? ",\n" : "\n") + braced(ls[i].init);
          }
          type += ">";
          init += "\n}}}";
        };
        std::string body_type, body_init, short_type = "ctml::Identity", short_init = "{}";
        chain(branch[body], body_type, body_init);
        if (!branch[1 - body].empty()) chain(branch[1 - body], short_type, short_init);
        const auto& ao = std::get<AddOptions>(add.options);
        const char* act = ao.activation == Activation::Relu        ? "ctml::Activation::relu"
                          : ao.activation == Activation::Relu6     ? "ctml::Activation::relu6"
                          : ao.activation == Activation::ReluN1To1 ? "ctml::Activation::relu_n1_to_1"
                                                                   : "ctml::Activation::none";
        std::ostringstream init;
        init << "{" << body_init << ",\n" << short_init << ",\nctml::quant::make_add_params(" << qparams_literal(body_out)
             << ", " << qparams_literal(short_out) << ", " << qparams_literal(sum) << ", " << act << ")}";
        out.push_back({"ctml::quant::QResidualLayer<" + shape_of(block_in.shape, true) + ", " + body_type + ", " +
                           short_type + ">",
                       init.str(), add.outputs[0],
                       "operator " + std::to_string(k) + " (ADD: residual block of " +
                           std::to_string(ops[0] + ops[1] + 1) + " operators)"});
        done[static_cast<std::size_t>(k)] = true;
        ++handled;
        current = add.outputs[0];
        continue;
      }
      // One operator: the consumer of `current` on the way to `to`.
      std::int64_t next = -1;
      for (std::size_t k = 0; k < g.operators.size() && next < 0; ++k)
        if (!done[k] && !g.operators[k].inputs.empty() && g.operators[k].inputs[0] == current &&
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
  // FC layers read a flat input; give the model the flat shapes of its first/last layers.
  std::ostringstream os;
  os << "// Generated by ctml-import from " << source_name << "; do not edit.\n"
     << "// A ctml network type with its int8 weights and requantization parameters as constexpr data.\n"
     << "#pragma once\n#include <cstdint>\n#include <ctml/layers/reshape.hpp>\n#include <ctml/model/network.hpp>\n"
     << "#include <ctml/quant/conv_s8.hpp>\n#include <ctml/quant/dense_s8.hpp>\n#include <ctml/quant/logistic_s8.hpp>\n"
     << "#include <ctml/quant/maxpool_s8.hpp>\n#include <ctml/quant/mean_s8.hpp>\n#include <ctml/quant/quantize_s8.hpp>\n"
     << "#include <ctml/quant/relu_s8.hpp>\n#include <ctml/quant/residual_s8.hpp>\n#include <ctml/quant/softmax_s8.hpp>\n"
     << "#include <ctml/quant/tanh_s8.hpp>\n\nnamespace " << ns << " {\n\nusing Model = ctml::Chain<\n";
  for (std::size_t i = 0; i < layers.size(); ++i) os << "    " << layers[i].type << (i + 1 < layers.size() ? ",\n" : ">;\n\n");
  // Network{ LayerPack{ PackBase{ PackLeaf{ layer }... } } }
  os << "inline constexpr Model model{{{\n";
  for (std::size_t i = 0; i < layers.size(); ++i) os << "{" << layers[i].init << "}" << (i + 1 < layers.size() ? ",\n" : "\n");
  os << "}}};\n\n";
  // The divergence locator's map (tools/difftest/README.md): TFLite Micro's --dump writes tensor
  // i as tNNN.bin; layer I's output is tensor tflite_tensor_of_layer[I].
  os << "// Where TFLite holds each layer's output (tensor index, -1: none) and the operator(s) it\n"
     << "// comes from; for comparing a run layer by layer with TFLite Micro's intermediate tensors.\n"
     << "inline constexpr int tflite_tensor_of_layer[] = {";
  for (std::size_t i = 0; i < layers.size(); ++i) os << (i ? ", " : "") << layers[i].tensor;
  os << "};\ninline constexpr const char* tflite_origin_of_layer[] = {\n";
  for (std::size_t i = 0; i < layers.size(); ++i) os << "    \"" << layers[i].origin << "\",\n";
  os << "};\n\n}  // namespace " << ns << "\n";
  r.ok = true;
  r.text = os.str();
  return r;
}

}  // namespace ctml::import
