// SPDX-License-Identifier: Apache-2.0
#include "codegen_ops.hpp"

#include <ctml/kernels/transpose_conv2d.hpp>

#include <ctml/core/requantize.hpp>
#include <ctml/kernels/conv2d.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <limits>
#include <sstream>
#include <variant>

namespace ctml::import {

using tflite::FullyConnectedOptions;
using tflite::Conv2DOptions;
using tflite::DepthwiseConv2DOptions;
using tflite::Pool2DOptions;
using tflite::SoftmaxOptions;
using tflite::Quantization;
using tflite::TensorType;
using tflite::builtin_op_name;
using tflite::tensor_values;
namespace op = tflite::op;

std::string braced(const std::string& s) {
  // Built by appending: GCC 12 at -O3 reports a false -Wrestrict for the operator+ form (GCC bug 105329).
  std::string r;
  r.reserve(s.size() + 2);
  r.push_back('{');
  r.append(s);
  r.push_back('}');
  return r;
}

std::size_t element_count(const std::vector<std::int32_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::string shape_literal(const std::vector<std::int32_t>& shape) {
  std::ostringstream os;
  os << "ctml::Shape<";
  bool first = true;
  for (std::size_t i = shape.size() > 1 ? 1 : 0; i < shape.size(); ++i) {
    if (!first) os << ", ";
    os << shape[i];
    first = false;
  }
  if (first) os << "1";
  os << ">";
  return os.str();
}

std::string qparams_literal(const tflite::Tensor& t) {
  std::ostringstream os;
  os << "ctml::quant::QParams{" << std::hexfloat << t.quantization.scale[0] << std::defaultfloat << "f, "
     << t.quantization.zero_point[0] << "}";
  return os.str();
}

std::string activation_literal(tflite::Activation a) {
  switch (a) {
    case tflite::Activation::None: return "ctml::Activation::none";
    case tflite::Activation::Relu: return "ctml::Activation::relu";
    case tflite::Activation::Relu6: return "ctml::Activation::relu6";
    case tflite::Activation::ReluN1To1: return "ctml::Activation::relu_n1_to_1";
    default: return {};
  }
}

namespace {

// {{v0,v1,...}}: the initializer of a ctml::Tensor.
template <class T>
std::string tensor_literal(const std::vector<T>& v) {
  std::ostringstream os;
  os << "{{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) os << (i % 32 == 0 ? ",\n" : ",");
    // The most negative int64 has no literal (its magnitude does not fit; a hostile bias can hold it).
    if (static_cast<long long>(v[i]) == std::numeric_limits<long long>::min())
      os << "(-9223372036854775807LL - 1)";
    else
      os << static_cast<long long>(v[i]);
  }
  os << "}}";
  return os.str();
}

// The weight scales as written in the file (float), exact, for the builders' initializer list.
std::string scales_literal(const Quantization& q) {
  std::ostringstream os;
  os << "{" << std::hexfloat;
  for (std::size_t i = 0; i < q.scale.size(); ++i) os << (i ? (i % 16 == 0 ? ",\n" : ", ") : "") << static_cast<double>(q.scale[i]);
  os << "}";
  return os.str();
}

std::string padding_literal(tflite::Padding p) { return p == tflite::Padding::Same ? "ctml::Padding::same" : "ctml::Padding::valid"; }

// A window's parameters in the range the library's geometry arithmetic takes without overflow.
bool window_in_range(int in, int k, int s, int d) {
  constexpr int kMax = 1 << 16;
  return in >= 1 && k >= 1 && s >= 1 && d >= 1 && in <= kMax && k <= kMax && s <= kMax && d <= kMax;
}

// What a conv or pool's window parameters are, as the file states them.
struct Window {
  int kh, kw, sh, sw, dh, dw;
  tflite::Padding padding;
};

// The library's geometry for these parameters (kernels::conv_geometry): its name and declaration,
// or an error when the file's output size is not the one TFLite computes.
std::string geometry_of(const OpContext& c, int cin, int cout, const Window& w, std::string& literal,
                        std::string& decl) {
  const int ih = c.in.shape[1], iw = c.in.shape[2], oh = c.out.shape[1], ow = c.out.shape[2];
  if (!window_in_range(ih, w.kh, w.sh, w.dh) || !window_in_range(iw, w.kw, w.sw, w.dw))
    return c.where + ": kernel, stride, dilation or padding out of range";
  const auto g = kernels::conv_geometry(static_cast<std::size_t>(ih), static_cast<std::size_t>(iw),
                                        static_cast<std::size_t>(cin), static_cast<std::size_t>(cout),
                                        static_cast<std::size_t>(w.kh), static_cast<std::size_t>(w.kw),
                                        static_cast<std::size_t>(w.sh), static_cast<std::size_t>(w.sw),
                                        static_cast<std::size_t>(w.dh), static_cast<std::size_t>(w.dw),
                                        w.padding == tflite::Padding::Same ? ctml::Padding::same : ctml::Padding::valid);
  if (oh < 1 || ow < 1 || g.oh != static_cast<std::size_t>(oh) || g.ow != static_cast<std::size_t>(ow))
    return c.where + ": kernel, stride, dilation or padding do not give the output size";
  std::ostringstream os;
  literal = std::string("op") + std::to_string(c.index) + "_geometry";
  os << "inline constexpr auto " << literal << " = ctml::kernels::conv_geometry(" << ih << ", " << iw << ", " << cin << ", " << cout << ", " << w.kh << ", "
     << w.kw << ", " << w.sh << ", " << w.sw << ", " << w.dh << ", " << w.dw << ", " << padding_literal(w.padding)
     << ");\n";
  decl = os.str();
  return {};
}

std::string fused(const OpContext& c, tflite::Activation a, std::string& literal) {
  literal = activation_literal(a);
  if (literal.empty())
    return c.where + ": fused activation " + std::string(activation_name(a)) +
           " is not supported (ctml fuses NONE, RELU, RELU6, RELU_N1_TO_1)";
  return {};
}

// Every output channel's int32 bias with the input zero point folded in must fit int32, as the
// layer computes it once (zero_point_folds_exactly, core/requantize.hpp).
std::string check_folded_bias(const OpContext& c, const std::vector<std::int8_t>& w, const std::vector<std::int32_t>& bias) {
  const std::size_t per = w.size() / bias.size();
  const auto in_zp = static_cast<std::int32_t>(c.in.quantization.zero_point[0]);
  for (std::size_t o = 0; o < bias.size(); ++o) {
    std::int64_t s = 0;
    for (std::size_t i = 0; i < per; ++i) s += w[o * per + i];
    if (!ctml::quant::zero_point_folds_exactly(bias[o], in_zp, s))
      return c.where + ": bias " + std::to_string(o) + " does not fit int32 once the input zero point is folded in";
  }
  return {};
}

// The weights and bias as named constants beside the layer (declarations, "opN_weights",
// "opN_bias"): the builder call then reads as the layer's recipe. They cost nothing in the binary
// (only the layer's copy is odr-used).
// The bias is int32 (int8 layers) or int64 (16x8 layers).
template <class B>
std::string weight_tensors(const OpContext& c, const std::string& type, const std::vector<std::int8_t>& w,
                           const std::vector<B>& bias, std::string& decl) {
  const std::string name = std::string("op") + std::to_string(c.index);
  decl += "inline constexpr " + type + "::weight_type " + name + "_weights" + tensor_literal(w) + ";\n";
  decl += "inline constexpr " + type + "::bias_type " + name + "_bias" + tensor_literal(bias) + ";\n";
  return name + "_weights, " + name + "_bias";
}

// TFLite flattens an FC's input implicitly (e.g. a [1, 25, 20, 8] conv output into 4000 values)
// and may keep the output's leading dimensions: explicit reshapes around the layer.
void push_flattened(const OpContext& c, std::vector<Layer>& layers, Layer fc, std::size_t inputs, std::size_t units) {
  const std::string flat_in = "ctml::Shape<" + std::to_string(inputs) + ">";
  const std::string flat_out = "ctml::Shape<" + std::to_string(units) + ">";
  const std::string t = c.in.type == TensorType::Int16 ? "std::int16_t" : "std::int8_t";
  if (shape_literal(c.in.shape) != flat_in)
    layers.push_back({"ctml::ReshapeLayer<" + t + ", " + shape_literal(c.in.shape) + ", " + flat_in + ">", "{}"});
  layers.push_back(std::move(fc));
  if (shape_literal(c.out.shape) != flat_out)
    layers.push_back({"ctml::ReshapeLayer<" + t + ", " + flat_out + ", " + shape_literal(c.out.shape) + ">", "{}"});
}

std::string fully_connected(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<FullyConnectedOptions>(c.op.options);
  const tflite::Tensor* wt = c.input(1);
  if (!wt) return c.where + ": missing weights";
  const tflite::Tensor& w = *wt;
  auto wv = tensor_values<std::int8_t>(c.model, w);
  if (w.type != TensorType::Int8 || !wv || w.shape.size() != 2) return c.where + ": weights must be constant int8 [out][in]";
  const auto units = static_cast<std::size_t>(w.shape[0]), inputs = static_cast<std::size_t>(w.shape[1]);
  if (w.shape[0] <= 0 || w.shape[1] <= 0 || wv->size() != units * inputs || element_count(c.in.shape) != inputs ||
      element_count(c.out.shape) != units || (w.quantization.per_channel() && w.quantization.scale.size() != units))
    return c.where + ": input/output sizes do not match the weights";
  std::vector<std::int32_t> bias(units, 0);
  if (const tflite::Tensor* bt = c.input(2)) {
    auto bv = tensor_values<std::int32_t>(c.model, *bt);
    if (!bv || bv->size() != units) return c.where + ": bias must be constant int32 [out]";
    bias = *bv;
  }
  if (w.quantization.empty()) return c.where + ": tensors are not quantized";
  std::string act;
  if (auto e = fused(c, o.activation, act); !e.empty()) return e;
  if (auto e = check_folded_bias(c, *wv, bias); !e.empty()) return e;
  const std::string type = std::string("ctml::quant::QDenseLayer<ctml::Shape<") + std::to_string(inputs) + ">, " + std::to_string(units) + ">";
  std::string decl;
  const std::string values = weight_tensors(c, type, *wv, bias, decl);
  std::ostringstream init;
  init << "ctml::quant::make_qdense<ctml::Shape<" << inputs << ">, " << units << ">(" << values << ", "
       << qparams_literal(c.in) << ", " << scales_literal(w.quantization) << ", " << qparams_literal(c.out) << ", " << act
       << ")";
  push_flattened(c, layers, {type, init.str(), -1, {}, decl}, inputs, units);
  return {};
}

std::string conv(const OpContext& c, std::vector<Layer>& layers) {
  const bool dw = c.op.builtin_code == op::kDepthwiseConv2D;
  const tflite::Tensor* wt = c.input(1);
  const tflite::Tensor* bt = c.input(2);
  if (!wt || !bt || c.in.shape.size() != 4 || c.out.shape.size() != 4)
    return c.where + ": expected NHWC input/output, weights and bias";
  const tflite::Tensor& w = *wt;
  auto wv = tensor_values<std::int8_t>(c.model, w);
  auto bv = tensor_values<std::int32_t>(c.model, *bt);
  if (!wv || !bv || w.shape.size() != 4 || w.quantization.empty())
    return c.where + ": weights must be constant int8 and bias constant int32, all quantized";
  Window win{};
  tflite::Activation a;
  if (dw) {
    const auto& o = std::get<DepthwiseConv2DOptions>(c.op.options);
    win = {w.shape[1], w.shape[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, o.padding};
    a = o.activation;
  } else {
    const auto& o = std::get<Conv2DOptions>(c.op.options);
    win = {w.shape[1], w.shape[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, o.padding};
    a = o.activation;
  }
  const int cin = c.in.shape[3], cout = c.out.shape[3];
  if (std::min({cin, cout, win.kh, win.kw}) <= 0 || (dw ? w.shape[3] : w.shape[0]) != cout || (!dw && w.shape[3] != cin) ||
      (dw && (w.shape[0] != 1 || cout % cin != 0)) || static_cast<int>(bv->size()) != cout ||
      wv->size() != element_count(w.shape) ||
      (w.quantization.per_channel() && w.quantization.scale.size() != static_cast<std::size_t>(cout)))
    return c.where + ": weight/bias shapes do not match the activations";
  std::string geo, decl, act;
  if (auto e = geometry_of(c, cin, cout, win, geo, decl); !e.empty()) return e;
  if (auto e = fused(c, a, act); !e.empty()) return e;
  if (!dw)
    if (auto e = check_folded_bias(c, *wv, *bv); !e.empty()) return e;
  const std::string type = std::string(dw ? "ctml::quant::QDepthwiseConv2DLayer<" : "ctml::quant::QConv2DLayer<") + geo + ">";
  const std::string values = weight_tensors(c, type, *wv, *bv, decl);
  std::ostringstream init;
  init << (dw ? "ctml::quant::make_qdepthwise_conv2d<" : "ctml::quant::make_qconv2d<") << geo << ">(" << values << ", "
       << qparams_literal(c.in) << ", " << scales_literal(w.quantization) << ", " << qparams_literal(c.out) << ", " << act
       << ")";
  layers.push_back({type, init.str(), -1, {}, decl});
  return {};
}

// ---- 16x8: int16 activations, int8 weights (TFLite's reference_integer_ops with int16 data).
// The accumulator (and bias) type as TFLite Micro chooses it: the bias tensor's type, or, without
// a bias, int32 only when the op's quantized_bias_type says INT32.
std::string accumulator_16x8(const OpContext& c, const tflite::Tensor* bt, tflite::TensorType option, std::string& acc) {
  const TensorType t = bt ? bt->type : (option == TensorType::Int32 ? TensorType::Int32 : TensorType::Int64);
  if (t != TensorType::Int64 && t != TensorType::Int32)
    return c.where + ": a 16x8 op's bias must be int64 or int32, not " + std::string(tensor_type_name(t));
  acc = t == TensorType::Int64 ? "std::int64_t" : "std::int32_t";
  return {};
}

// The bias values (zeros without a bias tensor) as int64, within TFLite's contract: the
// accumulator of the int64 path stays below 2^47, so a bias beyond 2^46 is refused.
std::string bias_16x8(const OpContext& c, const tflite::Tensor* bt, std::size_t n, std::vector<std::int64_t>& bias) {
  bias.assign(n, 0);
  if (!bt) return {};
  if (bt->type == TensorType::Int64) {
    auto v = tensor_values<std::int64_t>(c.model, *bt);
    if (!v || v->size() != n) return c.where + ": bias must be a constant int64 [" + std::to_string(n) + "]";
    bias = *v;
  } else {
    auto v = tensor_values<std::int32_t>(c.model, *bt);
    if (!v || v->size() != n) return c.where + ": bias must be a constant int32 [" + std::to_string(n) + "]";
    bias.assign(v->begin(), v->end());
  }
  for (std::size_t i = 0; i < n; ++i)
    if (bias[i] > (std::int64_t{1} << 46) || bias[i] < -(std::int64_t{1} << 46))
      return c.where + ": bias " + std::to_string(i) + " is beyond 2^46, outside TFLite's 16x8 accumulator range";
  return {};
}

// Every output channel's multiplier in TFLite's range for the int64 path (shift <= 7: an
// effective scale below 128).
std::string multipliers_16x8(const OpContext& c, const tflite::Tensor& w, std::size_t channels) {
  const double in = c.in.quantization.scale[0], out = c.out.quantization.scale[0];
  for (std::size_t o = 0; o < channels; ++o) {
    const double ws = w.quantization.scale[w.quantization.scale.size() == 1 ? 0 : o];
    if (ctml::quant::quantize_multiplier(in * ws / out).shift > 7)
      return c.where + ": the effective scale of channel " + std::to_string(o) + " is 128 or more, outside TFLite's 16x8 range";
  }
  return {};
}

std::string fully_connected_16x8(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<FullyConnectedOptions>(c.op.options);
  const tflite::Tensor* wt = c.input(1);
  auto wv = wt ? tensor_values<std::int8_t>(c.model, *wt) : std::nullopt;
  if (!wt || wt->type != TensorType::Int8 || !wv || wt->shape.size() != 2 || wt->quantization.empty())
    return c.where + ": weights must be constant int8 [out][in], quantized";
  const tflite::Tensor& w = *wt;
  const auto units = static_cast<std::size_t>(w.shape[0]), inputs = static_cast<std::size_t>(w.shape[1]);
  if (w.shape[0] <= 0 || w.shape[1] <= 0 || wv->size() != units * inputs || element_count(c.in.shape) != inputs ||
      element_count(c.out.shape) != units || (w.quantization.per_channel() && w.quantization.scale.size() != units))
    return c.where + ": input/output sizes do not match the weights";
  const tflite::Tensor* bt = c.input(2);
  std::string acc, act;
  std::vector<std::int64_t> bias;
  if (auto e = accumulator_16x8(c, bt, o.quantized_bias_type, acc); !e.empty()) return e;
  if (auto e = bias_16x8(c, bt, units, bias); !e.empty()) return e;
  if (auto e = multipliers_16x8(c, w, units); !e.empty()) return e;
  if (auto e = fused(c, o.activation, act); !e.empty()) return e;
  const std::string args = "ctml::Shape<" + std::to_string(inputs) + ">, " + std::to_string(units) + ", " + acc;
  const std::string type = "ctml::quant::QDense16x8Layer<" + args + ">";
  std::string decl;
  const std::string values = weight_tensors(c, type, *wv, bias, decl);
  std::ostringstream init;
  init << "ctml::quant::make_qdense16x8<" << args << ">(" << values << ", " << qparams_literal(c.in) << ", "
       << scales_literal(w.quantization) << ", " << qparams_literal(c.out) << ", " << act << ")";
  push_flattened(c, layers, {type, init.str(), -1, {}, decl}, inputs, units);
  return {};
}

std::string conv_16x8(const OpContext& c, std::vector<Layer>& layers) {
  const bool dw = c.op.builtin_code == op::kDepthwiseConv2D;
  const tflite::Tensor* wt = c.input(1);
  const tflite::Tensor* bt = c.input(2);
  if (!wt || c.in.shape.size() != 4 || c.out.shape.size() != 4) return c.where + ": expected NHWC input/output and weights";
  const tflite::Tensor& w = *wt;
  auto wv = tensor_values<std::int8_t>(c.model, w);
  if (w.type != TensorType::Int8 || !wv || w.shape.size() != 4 || w.quantization.empty())
    return c.where + ": weights must be constant int8, quantized";
  Window win{};
  tflite::Activation a;
  TensorType bias_option = TensorType::Float32;
  if (dw) {
    const auto& o = std::get<DepthwiseConv2DOptions>(c.op.options);
    win = {w.shape[1], w.shape[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, o.padding};
    a = o.activation;
  } else {
    const auto& o = std::get<Conv2DOptions>(c.op.options);
    win = {w.shape[1], w.shape[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, o.padding};
    a = o.activation;
    bias_option = o.quantized_bias_type;
  }
  const int cin = c.in.shape[3], cout = c.out.shape[3];
  if (std::min({cin, cout, win.kh, win.kw}) <= 0 || (dw ? w.shape[3] : w.shape[0]) != cout || (!dw && w.shape[3] != cin) ||
      (dw && (w.shape[0] != 1 || cout % cin != 0)) || wv->size() != element_count(w.shape) ||
      (w.quantization.per_channel() && w.quantization.scale.size() != static_cast<std::size_t>(cout)))
    return c.where + ": weight shapes do not match the activations";
  std::string acc, geo, decl, act;
  std::vector<std::int64_t> bias;
  if (auto e = accumulator_16x8(c, bt, bias_option, acc); !e.empty()) return e;
  if (dw && acc != "std::int64_t")  // depthwise_conv.cc: GetOptionalTensorData<int64_t>(bias)
    return c.where + ": a 16x8 DEPTHWISE_CONV_2D needs an int64 bias (TFLite Micro reads it as int64)";
  if (auto e = bias_16x8(c, bt, static_cast<std::size_t>(cout), bias); !e.empty()) return e;
  if (auto e = multipliers_16x8(c, w, static_cast<std::size_t>(cout)); !e.empty()) return e;
  if (auto e = geometry_of(c, cin, cout, win, geo, decl); !e.empty()) return e;
  if (auto e = fused(c, a, act); !e.empty()) return e;
  const std::string type = std::string(dw ? "ctml::quant::QDepthwiseConv2D16x8Layer<" : "ctml::quant::QConv2D16x8Layer<") + geo + ", " + acc + ">";
  const std::string values = weight_tensors(c, type, *wv, bias, decl);
  std::ostringstream init;
  init << (dw ? "ctml::quant::make_qdepthwise_conv2d16x8<" : "ctml::quant::make_qconv2d16x8<") << geo << ", " << acc << ">(" << values
       << ", " << qparams_literal(c.in) << ", " << scales_literal(w.quantization) << ", " << qparams_literal(c.out) << ", " << act << ")";
  layers.push_back({type, init.str(), -1, {}, decl});
  return {};
}

}  // namespace

bool same_qparams(const tflite::Tensor& a, const tflite::Tensor& b) {
  return !a.quantization.empty() && !b.quantization.empty() && a.quantization.scale[0] == b.quantization.scale[0] &&
         a.quantization.zero_point[0] == b.quantization.zero_point[0];
}

namespace {

std::string pool(const OpContext& c, std::vector<Layer>& layers) {
  // TFLite's int8 (and int16) pools keep the input's quantization (no requantization).
  const auto& o = std::get<Pool2DOptions>(c.op.options);
  const std::string t = c.in.type == TensorType::Int16 ? ", std::int16_t" : "";
  if (c.in.shape.size() != 4 || c.out.shape.size() != 4 || !same_qparams(c.in, c.out))
    return c.where + ": expected NHWC tensors with equal input/output quantization";
  const int ch = c.in.shape[3];
  if (ch < 1 || c.out.shape[3] != ch) return c.where + ": window, stride or padding do not give the output size";
  std::string geo, decl, act;
  const Window win{o.filter_height, o.filter_width, o.stride_h, o.stride_w, 1, 1, o.padding};
  if (auto e = geometry_of(c, ch, ch, win, geo, decl); !e.empty()) return c.where + ": window, stride or padding do not give the output size";
  if (auto e = fused(c, o.activation, act); !e.empty()) return e;
  const bool max = c.op.builtin_code == op::kMaxPool2D;
  layers.push_back({std::string(max ? "ctml::quant::QMaxPool2DLayer<" : "ctml::quant::QAveragePool2DLayer<") + geo + t + ">",
                    std::string(max ? "ctml::quant::make_qmax_pool2d<" : "ctml::quant::make_qaverage_pool2d<") + geo + t +
                        ">(" + qparams_literal(c.out) + ", " + act + ")",
                    -1, {}, decl});
  return {};
}

std::string relu(const OpContext& c, std::vector<Layer>& layers) {
  if (!same_qparams(c.in, c.out)) return c.where + ": a standalone RELU/RELU6 must keep its input's quantization";
  const std::string s = shape_literal(c.in.shape) + (c.in.type == TensorType::Int16 ? ", std::int16_t" : "");
  layers.push_back({"ctml::quant::QReLULayer<" + s + ">",
                    "ctml::quant::make_qrelu<" + s + ">(" + qparams_literal(c.out) + ", " +
                        (c.op.builtin_code == op::kRelu ? "ctml::Activation::relu" : "ctml::Activation::relu6") + ")"});
  return {};
}

std::string table(const OpContext& c, std::vector<Layer>& layers) {
  const bool logistic = c.op.builtin_code == op::kLogistic;
  const float want_scale = logistic ? 1.0f / 256.0f : 1.0f / 128.0f;
  const std::int64_t want_zp = logistic ? -128 : 0;
  if (c.out.quantization.scale[0] != want_scale || c.out.quantization.zero_point[0] != want_zp)
    return c.where + ": output quantization must be " + (logistic ? "1/256, -128" : "1/128, 0") +
           " (TFLite's fixed output range)";
  const std::string s = shape_literal(c.in.shape);
  layers.push_back({std::string(logistic ? "ctml::quant::QLogisticLayer<" : "ctml::quant::QTanhLayer<") + s + ">",
                    std::string(logistic ? "ctml::quant::make_qlogistic<" : "ctml::quant::make_qtanh<") + s + ">(" +
                        qparams_literal(c.in) + ")"});
  return {};
}

// MEAN as ctml has it: global average pooling, the mean over height and width of an NHWC tensor.
std::string mean_axes(const OpContext& c) {
  const tflite::Tensor* at = c.input(1);
  const auto axes = at ? tensor_values<std::int32_t>(c.model, *at) : std::nullopt;
  if (c.in.shape.size() != 4 || !axes || axes->size() != 2 || std::min((*axes)[0], (*axes)[1]) != 1 ||
      std::max((*axes)[0], (*axes)[1]) != 2)
    return c.where + ": only the mean over height and width (axes 1, 2) of an NHWC tensor is supported";
  return {};
}

std::string mean(const OpContext& c, std::vector<Layer>& layers) {
  if (auto e = mean_axes(c); !e.empty()) return e;
  const bool int16 = c.in.type == TensorType::Int16;
  const std::string s = shape_literal(c.in.shape), t = int16 ? ", std::int16_t" : "";
  layers.push_back({"ctml::quant::QMeanLayer<" + s + t + ">",
                    "ctml::quant::make_qmean<" + s + t + ">(" + qparams_literal(c.in) + ", " + qparams_literal(c.out) + ")"});
  const std::string flat = std::string("ctml::Shape<") + std::to_string(c.in.shape[3]) + ">";
  if (shape_literal(c.out.shape) != flat)  // keep_dims: back to [1, 1, C]
    layers.push_back({std::string("ctml::ReshapeLayer<") + (int16 ? "std::int16_t" : "std::int8_t") + ", " + flat + ", " +
                          shape_literal(c.out.shape) + ">",
                      "{}"});
  return {};
}

// The C++ type of a tensor's elements in the generated header.
std::string element_type(const tflite::Tensor& t) {
  return t.type == TensorType::Float32 ? "float" : t.type == TensorType::Int16 ? "std::int16_t" : "std::int8_t";
}

bool integer_activation(TensorType t) { return t == TensorType::Int8 || t == TensorType::Int16; }

std::string quantize(const OpContext& c, std::vector<Layer>& layers) {
  if (!integer_activation(c.out.type) || c.out.quantization.empty()) return c.where + ": the output must be int8 or int16 and quantized";
  if (element_count(c.in.shape) != element_count(c.out.shape)) return c.where + ": input and output sizes differ";
  const std::string s = shape_literal(c.out.shape), out_t = element_type(c.out);
  if (integer_activation(c.in.type)) {  // a change of scale / zero point, and of width
    if (c.in.quantization.empty()) return c.where + ": the input is not quantized";
    const std::string args = s + ", " + element_type(c.in) + ", " + out_t;
    layers.push_back({"ctml::quant::RequantizeLayer<" + args + ">",
                      "ctml::quant::make_requantize<" + args + ">(" + qparams_literal(c.in) + ", " + qparams_literal(c.out) + ")"});
    return {};
  }
  if (c.in.type != TensorType::Float32) return c.where + ": QUANTIZE from " + std::string(tensor_type_name(c.in.type)) + " is not supported";
  layers.push_back({"ctml::quant::QuantizeLayer<" + s + ", " + out_t + ">", braced(qparams_literal(c.out))});
  return {};
}

std::string dequantize(const OpContext& c, std::vector<Layer>& layers) {
  if (!integer_activation(c.in.type) || c.in.quantization.empty() || c.out.type != TensorType::Float32)
    return c.where + ": DEQUANTIZE from int8 or int16 (quantized) to float32 is supported";
  if (element_count(c.in.shape) != element_count(c.out.shape)) return c.where + ": input and output sizes differ";
  layers.push_back({"ctml::quant::DequantizeLayer<" + shape_literal(c.in.shape) + ", " + element_type(c.in) + ">",
                    braced(qparams_literal(c.in))});
  return {};
}

std::string softmax(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<SoftmaxOptions>(c.op.options);
  const std::string s = shape_literal(c.in.shape);
  std::ostringstream init;
  init << "ctml::quant::make_qsoftmax<" << s << ">(" << std::hexfloat << static_cast<double>(o.beta) << std::defaultfloat
       << ", " << qparams_literal(c.in) << ")";
  layers.push_back({"ctml::quant::QSoftmaxLayer<" + s + ">", init.str()});
  return {};
}

std::string reshape(const OpContext& c, std::vector<Layer>& layers) {
  if (element_count(c.in.shape) != element_count(c.out.shape)) return c.where + ": element counts differ";
  layers.push_back({"ctml::ReshapeLayer<std::int8_t, " + shape_literal(c.in.shape) + ", " + shape_literal(c.out.shape) + ">", "{}"});
  return {};
}

using Emitter = std::string (*)(const OpContext&, std::vector<Layer>&);
struct OpEntry {
  std::int32_t code;
  Emitter emit;
};
std::string leaky_relu(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<tflite::LeakyReluOptions>(c.op.options);
  const std::string s = shape_literal(c.in.shape);
  // int8: a 256-entry table; int16: the formula per value.
  const std::string type = std::string(c.in.type == TensorType::Int16 ? "ctml::quant::QLeakyReLU16Layer<" : "ctml::quant::QLeakyReLULayer<") + s + ">";
  std::ostringstream init;
  init << "ctml::quant::make_qleaky_relu<" << s << ", " << type << ">(" << qparams_literal(c.in) << ", " << std::hexfloat
       << static_cast<double>(o.alpha) << std::defaultfloat << "f, " << qparams_literal(c.out) << ")";
  layers.push_back({type, init.str()});
  return {};
}

std::string hard_swish(const OpContext& c, std::vector<Layer>& layers) {
  // TFLM refuses an output scale below in_scale / 128 (the output multiplier must not shift left).
  const float hires = (1.0f / 128.0f) * c.in.quantization.scale[0];
  if (ctml::quant::quantize_multiplier(static_cast<double>(hires / c.out.quantization.scale[0])).shift > 0)
    return c.where + ": output scale below input scale / 128, which TFLite Micro refuses";
  const std::string s = shape_literal(c.in.shape);
  layers.push_back({"ctml::quant::QHardSwishLayer<" + s + ">",
                    "ctml::quant::make_qhard_swish<" + s + ">(" + qparams_literal(c.in) + ", " + qparams_literal(c.out) + ")"});
  return {};
}

std::string float_leaky_relu(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<tflite::LeakyReluOptions>(c.op.options);
  std::ostringstream init;
  init << "{{}, " << std::hexfloat << static_cast<double>(o.alpha) << "f}";
  layers.push_back({"ctml::LeakyReLULayer<float, " + shape_literal(c.in.shape) + ">", init.str()});
  return {};
}

std::string float_hard_swish(const OpContext& c, std::vector<Layer>& layers) {
  layers.push_back({"ctml::HardSwishLayer<float, " + shape_literal(c.in.shape) + ">", "{}"});
  return {};
}

std::string plausible(const OpContext& c, const tflite::Tensor& t);
std::string float_literal(const std::vector<float>& v);

// ADD / SUB / MUL with one constant operand (the graph walk's ADD of two activations is a
// residual merge). The constant repeats along the activation's trailing axes.
struct ConstOperand {
  const tflite::Tensor* tensor = nullptr;
  bool first = false;  // the constant is input 0
};
std::string const_operand(const OpContext& c, ConstOperand& k) {
  if (c.op.inputs.size() != 2 || !c.input(0) || !c.input(1)) return c.where + ": expected two inputs";
  const tflite::Tensor& t0 = c.tensor(c.op.inputs[0]);
  k.first = &t0 != &c.in;
  k.tensor = &c.tensor(c.op.inputs[k.first ? 0 : 1]);
  if (k.tensor == &c.in) return c.where + ": both operands are activations; only a residual ADD merges two branches";
  const std::size_t n = element_count(k.tensor->shape), total = element_count(c.in.shape);
  // Broadcast along trailing axes only: the constant's shape, without leading 1s, ends the input's.
  std::vector<std::int32_t> cs = k.tensor->shape;
  while (!cs.empty() && cs.front() == 1) cs.erase(cs.begin());
  if (n == 0 || total % n != 0 || cs.size() > c.in.shape.size() ||
      !std::equal(cs.rbegin(), cs.rend(), c.in.shape.rbegin()) || element_count(c.out.shape) != total)
    return c.where + ": the constant must broadcast along the input's trailing axes";
  return {};
}

tflite::Activation binary_activation(const tflite::Operator& op) {
  if (const auto* a = std::get_if<tflite::AddOptions>(&op.options)) return a->activation;
  if (const auto* s = std::get_if<tflite::SubOptions>(&op.options)) return s->activation;
  if (const auto* m = std::get_if<tflite::MulOptions>(&op.options)) return m->activation;
  return tflite::Activation::None;
}

}  // namespace

const char* binary_name(std::int32_t code, bool int8) {
  if (code == op::kAdd) return int8 ? "ctml::quant::BinaryOp::add" : "ctml::ConstOp::add";
  if (code == op::kSub) return int8 ? "ctml::quant::BinaryOp::sub" : "ctml::ConstOp::sub";
  if (code == op::kMaximum) return int8 ? "ctml::quant::BinaryOp::maximum" : "ctml::ConstOp::maximum";
  if (code == op::kMinimum) return int8 ? "ctml::quant::BinaryOp::minimum" : "ctml::ConstOp::minimum";
  return int8 ? "ctml::quant::BinaryOp::mul" : "ctml::ConstOp::mul";
}

namespace {

// T: the activation type, int8 or int16 (16x8 models: TFLite's int16 ADD, SUB, MUL, MAXIMUM,
// MINIMUM run the int8 formulas with the int16 shift and clamp).
template <class T>
std::string binary_const_typed(const OpContext& c, std::vector<Layer>& layers) {
  constexpr bool int16 = sizeof(T) == 2;
  const char* tname = int16 ? "int16" : "int8";
  ConstOperand k;
  if (auto e = const_operand(c, k); !e.empty()) return e;
  auto v = tensor_values<T>(c.model, *k.tensor);
  if (k.tensor->type != (int16 ? TensorType::Int16 : TensorType::Int8) || !v || k.tensor->quantization.empty())
    return c.where + ": the constant must be " + tname + " and quantized";
  if (auto e = plausible(c, *k.tensor); !e.empty()) return e;
  if ((c.op.builtin_code == op::kMaximum || c.op.builtin_code == op::kMinimum) &&
      (!same_qparams(c.in, *k.tensor) || !same_qparams(c.in, c.out)))
    return c.where + ": " + tname + " MAXIMUM / MINIMUM compare the " + tname + " values, so the operands and the output must share one quantization";
  std::string act;
  if (auto e = fused(c, binary_activation(c.op), act); !e.empty()) return e;
  const std::string s = shape_literal(c.in.shape), n = std::to_string(v->size()), t = int16 ? ", std::int16_t" : "";
  const std::string q1 = qparams_literal(k.first ? *k.tensor : c.in), q2 = qparams_literal(k.first ? c.in : *k.tensor);
  std::ostringstream init;
  init << "ctml::quant::make_qbinary_const<" << s << ", " << n << ", " << binary_name(c.op.builtin_code, true) << t << ">("
       << tensor_literal(*v) << ", " << (k.first ? "true" : "false") << ", " << q1 << ", " << q2 << ", " << qparams_literal(c.out)
       << ", " << act << ")";
  layers.push_back({"ctml::quant::QBinaryConstLayer<" + s + ", " + n + ", " + binary_name(c.op.builtin_code, true) + t + ">", init.str()});
  return {};
}
std::string binary_const(const OpContext& c, std::vector<Layer>& layers) { return binary_const_typed<std::int8_t>(c, layers); }
std::string binary_const_16x8(const OpContext& c, std::vector<Layer>& layers) { return binary_const_typed<std::int16_t>(c, layers); }

std::string float_binary_const(const OpContext& c, std::vector<Layer>& layers) {
  ConstOperand k;
  if (auto e = const_operand(c, k); !e.empty()) return e;
  auto v = tensor_values<float>(c.model, *k.tensor);
  if (k.tensor->type != TensorType::Float32 || !v) return c.where + ": the constant must be float";
  std::string act;
  if (auto e = fused(c, binary_activation(c.op), act); !e.empty()) return e;
  const std::string s = shape_literal(c.in.shape), n = std::to_string(v->size());
  layers.push_back({"ctml::BinaryConstLayer<float, " + s + ", " + n + ", " + binary_name(c.op.builtin_code, false) + ", " + act + ">",
                    "{" + float_literal(*v) + ", " + (k.first ? "true" : "false") + "}"});
  return {};
}

// ---- Data movement, int8, int16 and float alike (the element type from the tensors): PAD /
// PADV2, TRANSPOSE, SQUEEZE, EXPAND_DIMS, STRIDED_SLICE. TFLite keeps the quantization through
// them.

std::string same_type_and_quantization(const OpContext& c) {
  if (c.in.type != c.out.type) return c.where + ": input and output types differ";
  if (c.in.type != TensorType::Float32 && !same_qparams(c.in, c.out))
    return c.where + ": input and output quantization differ (TFLite keeps it through this op)";
  return {};
}

// Axis constants (int32 or int64 tensors) as int64.
std::optional<std::vector<std::int64_t>> int_values(const OpContext& c, std::size_t input) {
  const tflite::Tensor* t = c.input(input);
  if (!t) return std::nullopt;
  if (t->type == TensorType::Int32) {
    auto v = tensor_values<std::int32_t>(c.model, *t);
    if (!v) return std::nullopt;
    return std::vector<std::int64_t>(v->begin(), v->end());
  }
  if (t->type == TensorType::Int64) return tensor_values<std::int64_t>(c.model, *t);
  return std::nullopt;
}

std::string reshape_like(const OpContext& c, std::vector<Layer>& layers) {
  if (auto e = same_type_and_quantization(c); !e.empty()) return e;
  if (element_count(c.in.shape) != element_count(c.out.shape)) return c.where + ": element counts differ";
  layers.push_back({"ctml::ReshapeLayer<" + element_type(c.in) + ", " + shape_literal(c.in.shape) + ", " + shape_literal(c.out.shape) + ">", "{}"});
  return {};
}

std::string pad(const OpContext& c, std::vector<Layer>& layers) {
  if (auto e = same_type_and_quantization(c); !e.empty()) return e;
  const auto p = int_values(c, 1);
  const std::size_t r = c.in.shape.size();
  if (!p || r == 0 || p->size() != 2 * r || c.out.shape.size() != r) return c.where + ": paddings must be a constant [rank][2] integer tensor";
  const std::size_t first = r > 1 ? 1 : 0;  // ctml shapes leave the batch out
  if (first == 1 && ((*p)[0] != 0 || (*p)[1] != 0)) return c.where + ": padding the batch dimension is not supported";
  std::string before;
  for (std::size_t d = 0; d < r; ++d) {
    const std::int64_t b = (*p)[2 * d], a = (*p)[2 * d + 1];
    if (b < 0 || a < 0 || b > (1 << 20) || a > (1 << 20) || c.in.shape[d] + b + a != c.out.shape[d])
      return c.where + ": paddings do not give the output shape";
    if (d >= first) before += ", " + std::to_string(b);
  }
  // The value: 0 (float) or the zero point (int8); PADV2 gives it as input 2.
  std::ostringstream value;
  if (c.in.type == TensorType::Float32) {
    float v = 0.0f;
    if (c.op.builtin_code == op::kPadV2) {
      const tflite::Tensor* vt = c.input(2);
      auto vv = vt ? tensor_values<float>(c.model, *vt) : std::nullopt;
      if (!vv || vv->size() != 1) return c.where + ": the constant value must be one float";
      v = (*vv)[0];
    }
    value << std::hexfloat << static_cast<double>(v) << "f";
  } else {
    std::int64_t v = c.out.quantization.zero_point[0];
    if (c.op.builtin_code == op::kPadV2) {
      const tflite::Tensor* vt = c.input(2);
      if (c.in.type == TensorType::Int16) {
        auto vv = vt && vt->type == TensorType::Int16 ? tensor_values<std::int16_t>(c.model, *vt) : std::nullopt;
        if (!vv || vv->size() != 1) return c.where + ": the constant value must be one int16";
        v = (*vv)[0];
      } else {
        auto vv = vt ? tensor_values<std::int8_t>(c.model, *vt) : std::nullopt;
        if (!vv || vv->size() != 1) return c.where + ": the constant value must be one int8";
        v = (*vv)[0];
      }
    }
    value << v;
  }
  layers.push_back({"ctml::PadLayer<" + element_type(c.in) + ", " + shape_literal(c.in.shape) + ", " + shape_literal(c.out.shape) + before + ">",
                    "{" + value.str() + "}"});
  return {};
}

std::string transpose(const OpContext& c, std::vector<Layer>& layers) {
  if (auto e = same_type_and_quantization(c); !e.empty()) return e;
  const auto perm = int_values(c, 1);
  const std::size_t r = c.in.shape.size();
  if (!perm || perm->size() != r || c.out.shape.size() != r) return c.where + ": the permutation must be a constant integer vector of the input's rank";
  std::vector<bool> seen(r, false);
  for (std::size_t d = 0; d < r; ++d) {
    const std::int64_t q = (*perm)[d];
    if (q < 0 || static_cast<std::size_t>(q) >= r || seen[static_cast<std::size_t>(q)]) return c.where + ": not a permutation";
    seen[static_cast<std::size_t>(q)] = true;
    if (c.out.shape[d] != c.in.shape[static_cast<std::size_t>(q)]) return c.where + ": the permutation does not give the output shape";
  }
  // ctml's axes are TFLite's without the batch, which must stay first (PyTorch converters' NCHW ->
  // NHWC transposes keep it there).
  const std::size_t first = r > 1 ? 1 : 0;
  if (first == 1 && (*perm)[0] != 0) return c.where + ": moving the batch dimension is not supported";
  std::string axes;
  for (std::size_t d = first; d < r; ++d) axes += ", " + std::to_string((*perm)[d] - static_cast<std::int64_t>(first));
  layers.push_back({"ctml::TransposeLayer<" + element_type(c.in) + ", " + shape_literal(c.in.shape) + axes + ">", "{}"});
  return {};
}

// STRIDED_SLICE with constant begin / end / strides, resolved per axis as TFLite Micro does
// (strided_slice_logic.h: masks, negative indices, clamping; shrink_axis_mask keeps one element).
std::string strided_slice(const OpContext& c, std::vector<Layer>& layers) {
  if (auto e = same_type_and_quantization(c); !e.empty()) return e;
  const auto& o = std::get<tflite::StridedSliceOptions>(c.op.options);
  if (o.ellipsis_mask != 0 || o.new_axis_mask != 0 || o.offset)
    return c.where + ": ellipsis_mask, new_axis_mask and offset are not supported (TFLite Micro ignores them)";
  const std::size_t r = c.in.shape.size();
  const auto begin = int_values(c, 1), end = int_values(c, 2), strides = int_values(c, 3);
  if (r == 0 || r > 5 || !begin || !end || !strides || begin->size() != r || end->size() != r || strides->size() != r)
    return c.where + ": begin, end and strides must be constant integer vectors of the input's rank (1 to 5)";
  std::vector<std::int64_t> start(r), step(r), count(r);
  std::size_t total = 1;
  for (std::size_t d = 0; d < r; ++d) {
    const std::int64_t n = c.in.shape[d], st = (*strides)[d];
    if (st == 0 || st > (1 << 20) || st < -(1 << 20)) return c.where + ": strides must be non-zero";
    const auto clamp = [](std::int64_t v, std::int64_t lo, std::int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); };
    std::int64_t b = (*begin)[d], e = (*end)[d];
    if (o.begin_mask & (1 << d)) b = st > 0 ? -(std::int64_t{1} << 40) : (std::int64_t{1} << 40);
    if (b < 0) b += n;
    b = st > 0 ? clamp(b, 0, n) : clamp(b, -1, n - 1);
    const bool shrink = (o.shrink_axis_mask & (1 << d)) != 0;
    if (shrink) e = b + 1;
    else {
      if (o.end_mask & (1 << d)) e = st > 0 ? (std::int64_t{1} << 40) : -(std::int64_t{1} << 40);
      if (e < 0) e += n;
      e = st > 0 ? clamp(e, 0, n) : clamp(e, -1, n - 1);
    }
    const std::int64_t k = shrink ? 1 : st > 0 ? (e > b ? (e - b + st - 1) / st : 0) : (b > e ? (b - e - st - 1) / -st : 0);
    if (k <= 0 || b < 0 || b >= n) return c.where + ": the slice along axis " + std::to_string(d) + " is empty";
    start[d] = b, step[d] = st, count[d] = k;
    total *= static_cast<std::size_t>(k);
  }
  if (total != element_count(c.out.shape)) return c.where + ": the slice does not give the output's size";
  const std::size_t first = r > 1 ? 1 : 0;  // ctml shapes leave the batch out
  if (first == 1 && (start[0] != 0 || count[0] != 1)) return c.where + ": slicing the batch dimension is not supported";
  std::string a, b, k;
  for (std::size_t d = first; d < r; ++d) {
    a += (d > first ? ", " : "") + std::to_string(start[d]);
    b += (d > first ? ", " : "") + std::to_string(step[d]);
    k += (d > first ? ", " : "") + std::to_string(count[d]);
  }
  const std::string n = std::to_string(r - first);
  layers.push_back({"ctml::StridedSliceLayer<" + element_type(c.in) + ", " + shape_literal(c.in.shape) + ", " + shape_literal(c.out.shape) +
                        ", std::array<std::int32_t, " + n + ">{" + a + "}, std::array<std::int32_t, " + n + ">{" + b +
                        "}, std::array<std::size_t, " + n + ">{" + k + "}>",
                    "{}"});
  return {};
}

std::string float_weights(const OpContext& c, const std::string& type, const std::vector<float>& w, const std::vector<float>& bias,
                          std::string& decl);

// TRANSPOSE_CONV (inputs: output shape, weights [Cout][KH][KW][Cin], input, optional bias), int8
// or float; the geometry (with TFLite's padding) as a named constant.
std::string transpose_conv(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<tflite::TransposeConvOptions>(c.op.options);
  const tflite::Tensor* wt = c.input(1);
  const auto shape = int_values(c, 0);
  if (!wt || wt->shape.size() != 4 || c.in.shape.size() != 4 || c.out.shape.size() != 4 || !shape || shape->size() != 4 ||
      c.op.inputs.size() < 3 || c.op.inputs[2] < 0 || &c.tensor(c.op.inputs[2]) != &c.in)
    return c.where + ": expected an output shape, 4-D weights and an NHWC input";
  for (std::size_t d = 0; d < 4; ++d)
    if ((*shape)[d] != c.out.shape[d]) return c.where + ": the output-shape input differs from the output tensor's shape";
  const auto& w = wt->shape;
  const int cin = c.in.shape[3], cout = c.out.shape[3];
  if (w[0] != cout || w[3] != cin || std::min({w[1], w[2], cin, cout}) <= 0 || c.in.shape[1] <= 0 || c.in.shape[2] <= 0 ||
      c.out.shape[1] <= 0 || c.out.shape[2] <= 0 || w[1] > 64 || w[2] > 64 || o.stride_h > 64 || o.stride_w > 64)
    return c.where + ": weight shape [" + std::to_string(w[0]) + ", ..., " + std::to_string(w[3]) + "] does not match the channels";
  const bool same = o.padding == tflite::Padding::Same;
  const auto pt = ctml::kernels::transpose_conv_padding(static_cast<std::size_t>(c.out.shape[1]), static_cast<std::size_t>(w[1]),
                                                        static_cast<std::size_t>(o.stride_h), same);
  const auto pl = ctml::kernels::transpose_conv_padding(static_cast<std::size_t>(c.out.shape[2]), static_cast<std::size_t>(w[2]),
                                                        static_cast<std::size_t>(o.stride_w), same);
  std::ostringstream g;
  g << "ctml::kernels::TransposeConv2DGeometry{" << c.in.shape[1] << ", " << c.in.shape[2] << ", " << cin << ", " << c.out.shape[1] << ", "
    << c.out.shape[2] << ", " << cout << ", " << w[1] << ", " << w[2] << ", " << o.stride_h << ", " << o.stride_w << ", " << pt << ", " << pl
    << "}";
  const std::string name = "op" + std::to_string(c.index);
  std::string decl = "inline constexpr auto " + name + "_geometry = " + g.str() + ";\n";
  std::string act;
  if (auto e = fused(c, o.activation, act); !e.empty()) return e;
  const tflite::Tensor* bt = c.input(3);
  if (c.in.type == TensorType::Float32) {
    auto wv = tensor_values<float>(c.model, *wt);
    if (!wv || wt->type != TensorType::Float32 || wv->size() != element_count(w)) return c.where + ": weights must be constant float";
    std::vector<float> bias(static_cast<std::size_t>(cout), 0.0f);
    if (bt) {
      auto bv = tensor_values<float>(c.model, *bt);
      if (!bv || bv->size() != bias.size()) return c.where + ": bias must be constant float [out]";
      bias = *bv;
    }
    const std::string type = "ctml::TransposeConv2DLayer<" + name + "_geometry, " + act + ">";
    const std::string init = float_weights(c, type, *wv, bias, decl);
    layers.push_back({type, init, -1, {}, decl});
    return {};
  }
  auto wv = tensor_values<std::int8_t>(c.model, *wt);
  if (!wv || wt->type != TensorType::Int8 || wt->quantization.empty() || wv->size() != element_count(w) ||
      (wt->quantization.per_channel() && (wt->quantization.quantized_dimension != 0 || wt->quantization.scale.size() != static_cast<std::size_t>(cout))))
    return c.where + ": weights must be constant int8, quantized per tensor or per output channel";
  if (c.in.type == TensorType::Int16) {  // 16x8: an int64 sum and bias (TFLite Micro also widens an int16 bias)
    std::vector<std::int64_t> bias;
    if (bt && bt->type == TensorType::Int16) {
      auto bv = tensor_values<std::int16_t>(c.model, *bt);
      if (!bv || bv->size() != static_cast<std::size_t>(cout)) return c.where + ": bias must be a constant int16 [" + std::to_string(cout) + "]";
      bias.assign(bv->begin(), bv->end());
    } else {
      if (bt && bt->type != TensorType::Int64)
        return c.where + ": a 16x8 TRANSPOSE_CONV's bias must be int64 or int16 (TFLite Micro reads it as int64), not " +
               std::string(tensor_type_name(bt->type));
      if (auto e = bias_16x8(c, bt, static_cast<std::size_t>(cout), bias); !e.empty()) return e;
    }
    if (auto e = multipliers_16x8(c, *wt, static_cast<std::size_t>(cout)); !e.empty()) return e;
    const std::string type = "ctml::quant::QTransposeConv2D16x8Layer<" + name + "_geometry>";
    const std::string values = weight_tensors(c, type, *wv, bias, decl);
    layers.push_back({type,
                      "ctml::quant::make_qtranspose_conv2d16x8<" + name + "_geometry>(" + values + ", " + qparams_literal(c.in) + ", " +
                          scales_literal(wt->quantization) + ", " + qparams_literal(c.out) + ", " + act + ")",
                      -1, {}, decl});
    return {};
  }
  std::vector<std::int32_t> bias(static_cast<std::size_t>(cout), 0);
  if (bt) {
    auto bv = tensor_values<std::int32_t>(c.model, *bt);
    if (!bv || bt->type != TensorType::Int32 || bv->size() != bias.size()) return c.where + ": bias must be constant int32 [out]";
    bias = *bv;
  }
  std::vector<float> scales(static_cast<std::size_t>(cout), wt->quantization.scale[0]);
  if (wt->quantization.per_channel()) scales = wt->quantization.scale;
  std::ostringstream sl;
  sl << "std::array<float, " << cout << ">{";
  for (std::size_t k = 0; k < scales.size(); ++k) sl << (k ? ", " : "") << std::hexfloat << static_cast<double>(scales[k]) << "f";
  sl << "}";
  const std::string type = "ctml::quant::QTransposeConv2DLayer<" + name + "_geometry>";
  const std::string values = weight_tensors(c, type, *wv, bias, decl);
  layers.push_back({type,
                    "ctml::quant::make_qtranspose_conv2d<" + name + "_geometry>(" + values + ", " + qparams_literal(c.in) + ", " + sl.str() +
                        ", " + qparams_literal(c.out) + ", " + act + ")",
                    -1, {}, decl});
  return {};
}

// ---- FLOAT32 models: the same ops as ctml's float layers (layers/*.hpp), weights as exact
// hexadecimal float literals in TFLite's own layouts (OHWI conv, [1][KH][KW][C*M] depthwise,
// [out][in] fully connected: ctml's layouts too).

std::string float_literal(const std::vector<float>& v) {
  std::ostringstream os;
  os << "{{" << std::hexfloat;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) os << (i % 16 == 0 ? ",\n" : ",");
    os << static_cast<double>(v[i]) << "f";
  }
  os << "}}";
  return os.str();
}

std::string float_weights(const OpContext& c, const std::string& type, const std::vector<float>& w,
                          const std::vector<float>& bias, std::string& decl) {
  const std::string name = std::string("op") + std::to_string(c.index);
  decl += "inline constexpr " + type + "::weight_type " + name + "_weights" + float_literal(w) + ";\n";
  decl += "inline constexpr " + type + "::bias_type " + name + "_bias" + float_literal(bias) + ";\n";
  return "{" + name + "_weights, " + name + "_bias}";
}

std::optional<std::vector<float>> float_bias(const OpContext& c, std::size_t n) {
  if (const tflite::Tensor* bt = c.input(2)) {
    auto bv = tensor_values<float>(c.model, *bt);
    if (!bv || bt->type != TensorType::Float32 || bv->size() != n) return std::nullopt;
    return bv;
  }
  return std::vector<float>(n, 0.0f);
}

std::string float_fully_connected(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<FullyConnectedOptions>(c.op.options);
  const tflite::Tensor* wt = c.input(1);
  if (!wt || wt->type != TensorType::Float32 || wt->shape.size() != 2) return c.where + ": weights must be constant float [out][in]";
  auto wv = tensor_values<float>(c.model, *wt);
  const auto units = static_cast<std::size_t>(wt->shape[0]), inputs = static_cast<std::size_t>(wt->shape[1]);
  if (!wv || wt->shape[0] <= 0 || wt->shape[1] <= 0 || wv->size() != units * inputs || element_count(c.in.shape) != inputs ||
      element_count(c.out.shape) != units)
    return c.where + ": input/output sizes do not match the weights";
  const auto bias = float_bias(c, units);
  if (!bias) return c.where + ": bias must be constant float [out]";
  std::string act;
  if (auto e = fused(c, o.activation, act); !e.empty()) return e;
  const std::string flat_in = "ctml::Shape<" + std::to_string(inputs) + ">", flat_out = "ctml::Shape<" + std::to_string(units) + ">";
  const std::string type = "ctml::DenseLayer<float, " + flat_in + ", " + std::to_string(units) + ", " + act + ">";
  std::string decl;
  const std::string init = float_weights(c, type, *wv, *bias, decl);
  if (shape_literal(c.in.shape) != flat_in) layers.push_back({"ctml::ReshapeLayer<float, " + shape_literal(c.in.shape) + ", " + flat_in + ">", "{}"});
  layers.push_back({type, init, -1, {}, decl});
  if (shape_literal(c.out.shape) != flat_out) layers.push_back({"ctml::ReshapeLayer<float, " + flat_out + ", " + shape_literal(c.out.shape) + ">", "{}"});
  return {};
}

// ctml::ConvOptions<Stride<>, Dilation<>, Same|Valid, Fuse<>[, DepthMultiplier<>]>
std::string conv_options(const Window& w, const std::string& act, int multiplier) {
  std::ostringstream os;
  os << "ctml::ConvOptions<ctml::Stride<" << w.sh << ", " << w.sw << ">, ctml::Dilation<" << w.dh << ", " << w.dw << ">, "
     << (w.padding == tflite::Padding::Same ? "ctml::Same" : "ctml::Valid") << ", ctml::Fuse<" << act << ">";
  if (multiplier > 1) os << ", ctml::DepthMultiplier<" << multiplier << ">";
  os << ">";
  return os.str();
}

std::string float_conv(const OpContext& c, std::vector<Layer>& layers) {
  const bool dw = c.op.builtin_code == op::kDepthwiseConv2D;
  const tflite::Tensor* wt = c.input(1);
  if (!wt || wt->type != TensorType::Float32 || wt->shape.size() != 4 || c.in.shape.size() != 4 || c.out.shape.size() != 4)
    return c.where + ": expected NHWC input/output and constant float weights";
  auto wv = tensor_values<float>(c.model, *wt);
  const auto& w = wt->shape;
  Window win{};
  tflite::Activation a;
  if (dw) {
    const auto& o = std::get<DepthwiseConv2DOptions>(c.op.options);
    win = {w[1], w[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, o.padding};
    a = o.activation;
  } else {
    const auto& o = std::get<Conv2DOptions>(c.op.options);
    win = {w[1], w[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, o.padding};
    a = o.activation;
  }
  const int cin = c.in.shape[3], cout = c.out.shape[3];
  if (!wv || std::min({cin, cout, win.kh, win.kw}) <= 0 || (dw ? w[3] : w[0]) != cout || (!dw && w[3] != cin) ||
      (dw && (w[0] != 1 || cout % cin != 0)) || wv->size() != element_count(w))
    return c.where + ": weight shapes do not match the activations";
  const auto bias = float_bias(c, static_cast<std::size_t>(cout));
  if (!bias) return c.where + ": bias must be constant float [out]";
  std::string geo, decl, act;
  if (auto e = geometry_of(c, cin, cout, win, geo, decl); !e.empty()) return e;  // checks the output size
  decl.clear();
  if (auto e = fused(c, a, act); !e.empty()) return e;
  const std::string in_shape = "ctml::Shape<" + std::to_string(c.in.shape[1]) + ", " + std::to_string(c.in.shape[2]) + ", " + std::to_string(cin) + ">";
  const std::string type =
      dw ? "ctml::DepthwiseConv2DLayer<float, " + in_shape + ", " + std::to_string(win.kh) + ", " + std::to_string(win.kw) + ", " +
               conv_options(win, act, cout / cin) + ">"
         : "ctml::Conv2DLayer<float, " + in_shape + ", " + std::to_string(cout) + ", " + std::to_string(win.kh) + ", " +
               std::to_string(win.kw) + ", " + conv_options(win, act, 1) + ">";
  const std::string init = float_weights(c, type, *wv, *bias, decl);
  layers.push_back({type, init, -1, {}, decl});
  return {};
}

std::string float_pool(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<Pool2DOptions>(c.op.options);
  if (c.in.shape.size() != 4 || c.out.shape.size() != 4 || c.in.shape[3] != c.out.shape[3] || c.in.shape[3] < 1)
    return c.where + ": expected NHWC tensors with equal channels";
  std::string geo, decl, act;
  const Window win{o.filter_height, o.filter_width, o.stride_h, o.stride_w, 1, 1, o.padding};
  if (auto e = geometry_of(c, c.in.shape[3], c.in.shape[3], win, geo, decl); !e.empty())
    return c.where + ": window, stride or padding do not give the output size";
  if (auto e = fused(c, o.activation, act); !e.empty()) return e;
  const bool max = c.op.builtin_code == op::kMaxPool2D;
  std::ostringstream t;
  t << "ctml::Pool2DLayer<float, ctml::Shape<" << c.in.shape[1] << ", " << c.in.shape[2] << ", " << c.in.shape[3] << ">, "
    << (max ? "ctml::kernels::PoolKind::max" : "ctml::kernels::PoolKind::average") << ", " << win.kh << ", " << win.kw
    << ", ctml::Stride<" << win.sh << ", " << win.sw << ">, ctml::ConvOptions<"
    << (win.padding == tflite::Padding::Same ? "ctml::Same" : "ctml::Valid") << ", ctml::Fuse<" << act << ">>>";
  layers.push_back({t.str(), "{}"});
  return {};
}

std::string float_elementwise(const OpContext& c, std::vector<Layer>& layers) {
  const std::string s = shape_literal(c.in.shape);
  const char* layer = nullptr;
  switch (c.op.builtin_code) {
    case op::kRelu: layer = "ctml::ReLULayer"; break;
    case op::kRelu6: layer = "ctml::ReLU6Layer"; break;
    case op::kLogistic: layer = "ctml::SigmoidLayer"; break;
    case op::kTanh: layer = "ctml::TanhLayer"; break;
    default: return c.where + ": not an elementwise activation";
  }
  layers.push_back({std::string(layer) + "<float, " + s + ">", "{}"});
  return {};
}

std::string float_softmax(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<SoftmaxOptions>(c.op.options);
  if (!(o.beta > 0.0f) || !std::isfinite(o.beta)) return c.where + ": softmax beta must be a finite positive number";
  std::ostringstream init;  // softmax(beta x) = softmax(x / T), T = 1 / beta
  init << "{" << std::hexfloat << static_cast<double>(1.0f / o.beta) << "f}";
  layers.push_back({"ctml::SoftmaxLayer<float, " + shape_literal(c.in.shape) + ">", init.str()});
  return {};
}

std::string float_reshape(const OpContext& c, std::vector<Layer>& layers) {
  if (element_count(c.in.shape) != element_count(c.out.shape)) return c.where + ": element counts differ";
  layers.push_back({"ctml::ReshapeLayer<float, " + shape_literal(c.in.shape) + ", " + shape_literal(c.out.shape) + ">", "{}"});
  return {};
}

std::string float_mean(const OpContext& c, std::vector<Layer>& layers) {
  if (auto e = mean_axes(c); !e.empty()) return e;
  const std::string s = shape_literal(c.in.shape);
  layers.push_back({"ctml::GlobalAveragePoolLayer<float, " + s + ">", "{}"});
  const std::string flat = "ctml::Shape<" + std::to_string(c.in.shape[3]) + ">";
  if (shape_literal(c.out.shape) != flat) layers.push_back({"ctml::ReshapeLayer<float, " + flat + ", " + shape_literal(c.out.shape) + ">", "{}"});
  return {};
}

// SVDF (TFLite's rank-R factored fully connected layer over the last M frames) as a stateful
// layer, one frame per call: int8 (int16 or int8 state and time weights, bit-exact with TFLM)
// or float (with its fused activation; TFLM's integer SVDF applies none).
std::string svdf(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<tflite::SVDFOptions>(c.op.options);
  const tflite::Tensor* wf = c.input(1);
  const tflite::Tensor* wt = c.input(2);
  const tflite::Tensor* bt = c.input(3);
  const tflite::Tensor* st = c.input(4);
  if (!wf || !wt || !st || wf->shape.size() != 2 || wt->shape.size() != 2) return c.where + ": expected feature weights, time weights and a state";
  const std::int32_t filters = wf->shape[0], f = wf->shape[1], memory = wt->shape[1];
  if (o.rank < 1 || filters < 1 || filters % o.rank != 0 || wt->shape[0] != filters || memory < 1 || f < 1 || filters > (1 << 16) ||
      memory > (1 << 16) || f > (1 << 16))
    return c.where + ": the weights' shapes do not fit rank " + std::to_string(o.rank);
  const std::int32_t units = filters / o.rank;
  if (element_count(c.in.shape) != static_cast<std::size_t>(f) || element_count(c.out.shape) != static_cast<std::size_t>(units) ||
      (!c.in.shape.empty() && c.in.shape[0] != 1) || st->element_count() != static_cast<std::size_t>(filters) * static_cast<std::size_t>(memory))
    return c.where + ": expected a [1, features] input, a [1, units] output and a [1, filters * memory] state";
  if (bt && bt->element_count() != static_cast<std::size_t>(units)) return c.where + ": the bias must have one value per unit";
  const std::string dims = std::to_string(f) + ", " + std::to_string(units) + ", " + std::to_string(o.rank) + ", " + std::to_string(memory);
  const std::string name = "op" + std::to_string(c.index);
  std::string decl;
  if (c.in.type == TensorType::Float32) {
    auto vf = tensor_values<float>(c.model, *wf);
    auto vt = tensor_values<float>(c.model, *wt);
    std::vector<float> vb(static_cast<std::size_t>(units), 0.0f);
    if (bt) {
      auto v = tensor_values<float>(c.model, *bt);
      if (!v || bt->type != TensorType::Float32) return c.where + ": the bias must be constant float";
      vb = *v;
    }
    if (!vf || !vt || wf->type != TensorType::Float32 || wt->type != TensorType::Float32) return c.where + ": weights must be constant float";
    std::string act;
    if (auto e = fused(c, o.activation, act); !e.empty()) return e;
    const std::string type = "ctml::SVDFLayer<float, ctml::Shape<" + std::to_string(f) + ">, " + std::to_string(units) + ", " +
                             std::to_string(o.rank) + ", " + std::to_string(memory) + ", " + act + ">";
    layers.push_back({type, "{" + float_literal(*vf) + ", " + float_literal(*vt) + ", " + float_literal(vb) + "}"});
    return {};
  }
  const bool s16 = wt->type == TensorType::Int16;
  if (c.in.type != TensorType::Int8 || wf->type != TensorType::Int8 || (wt->type != TensorType::Int16 && wt->type != TensorType::Int8) ||
      st->type != wt->type || (bt && bt->type != TensorType::Int32) || wf->quantization.scale.size() != 1 ||
      wt->quantization.scale.size() != 1 || st->quantization.empty())
    return c.where + ": an integer SVDF needs int8 input and feature weights, int16 or int8 time weights and state (the same type), an "
                     "int32 bias, per-tensor scales";
  auto vf = tensor_values<std::int8_t>(c.model, *wf);
  std::vector<std::int32_t> vb(static_cast<std::size_t>(units), 0);
  if (bt) {
    auto v = tensor_values<std::int32_t>(c.model, *bt);
    if (!v) return c.where + ": the bias must be constant";
    vb = *v;
  }
  std::string time_values;
  if (s16) {
    auto v = tensor_values<std::int16_t>(c.model, *wt);
    if (!v) return c.where + ": the time weights must be constant";
    time_values = tensor_literal(*v);
  } else {
    auto v = tensor_values<std::int8_t>(c.model, *wt);
    if (!v) return c.where + ": the time weights must be constant";
    time_values = tensor_literal(*v);
  }
  if (!vf) return c.where + ": the feature weights must be constant";
  const std::string s_type = s16 ? "std::int16_t" : "std::int8_t";
  const std::string type = "ctml::quant::QSVDFLayer<" + dims + ", " + s_type + ">";
  decl += "inline constexpr ctml::Tensor<std::int8_t, ctml::Shape<" + std::to_string(filters) + ", " + std::to_string(f) + ">> " + name +
          "_w_feature" + tensor_literal(*vf) + ";\n";
  decl += "inline constexpr ctml::Tensor<" + s_type + ", ctml::Shape<" + std::to_string(filters) + ", " + std::to_string(memory) + ">> " +
          name + "_w_time" + time_values + ";\n";
  decl += "inline constexpr ctml::Tensor<std::int32_t, ctml::Shape<" + std::to_string(units) + ">> " + name + "_bias" + tensor_literal(vb) + ";\n";
  std::ostringstream init;
  init << "ctml::quant::make_qsvdf<" << dims << ", " << s_type << ">(" << name << "_w_feature, " << name << "_w_time, " << name << "_bias, "
       << qparams_literal(c.in) << ", " << std::hexfloat << static_cast<double>(wf->quantization.scale[0]) << "f, " << qparams_literal(*st)
       << ", " << static_cast<double>(wt->quantization.scale[0]) << std::defaultfloat << "f, " << qparams_literal(c.out) << ")";
  layers.push_back({type, init.str(), -1, {}, decl});
  return {};
}

// UNIDIRECTIONAL_SEQUENCE_LSTM (lstm_shared.h's 24 inputs) as ctml's LSTM in its sequence form:
// int8 (8x8->16) or int16 (16x8->16, int64 biases), both bit-exact with TFLM's integer paths, or float, batch 1, no peephole, projection,
// layer norm or CIFG; the output is every step's hidden state [time, units].
std::string lstm(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<tflite::UnidirectionalSequenceLSTMOptions>(c.op.options);
  const bool is_float = c.in.type == TensorType::Float32;
  if (c.op.inputs.size() < 20) return c.where + ": expected 24 inputs (input, weights, biases, states)";
  for (const std::size_t k : {9u, 10u, 11u, 16u, 17u})
    if (c.input(k)) return c.where + ": peephole and projection tensors are not supported (nor by TFLite Micro)";
  for (std::size_t k = 20; k < c.op.inputs.size() && k < 24; ++k)
    if (c.input(k)) return c.where + ": layer normalization is not supported (nor by TFLite Micro)";
  for (std::size_t k = 1; k <= 8; ++k)
    if (!c.input(k)) return c.where + ": the input gate's weights are missing (CIFG LSTMs are not supported)";
  if (o.activation != tflite::Activation::Tanh) return c.where + ": only the TANH cell activation is supported";
  const auto& xs = c.in.shape;
  if (xs.size() != 3 || c.out.shape.size() != 3) return c.where + ": expected a [batch, time, features] input and output";
  if (o.time_major) return c.where + ": a time-major LSTM ([time, batch, features]) is not supported; convert with time_major=False";
  const std::int32_t steps = xs[1], batch = xs[0], f = xs[2];
  const tflite::Tensor& w0 = *c.input(2);
  if (w0.shape.size() != 2 || w0.shape[1] != f) return c.where + ": the input weights are not [units][features]";
  const std::int32_t h = w0.shape[0];
  if (batch != 1) return c.where + ": batch " + std::to_string(batch) + " (ctml runs one sequence per call)";
  if (steps < 1 || f < 1 || h < 1 || steps > (1 << 16) || f > (1 << 16) || h > (1 << 12) ||
      c.out.shape != std::vector<std::int32_t>{1, steps, h})
    return c.where + ": the output is not [1, time, units]";
  const tflite::Tensor* hs = c.input(18);
  const tflite::Tensor* cs = c.input(19);
  if (!hs || !cs || hs->element_count() != static_cast<std::size_t>(h) || cs->element_count() != static_cast<std::size_t>(h))
    return c.where + ": the hidden and cell state tensors must hold one state of " + std::to_string(h) + " units";
  const std::string name = "op" + std::to_string(c.index);
  const auto n = static_cast<std::size_t>(h), fi = static_cast<std::size_t>(f);
  std::string decl;
  std::ostringstream init;
  if (is_float) {
    std::vector<float> w_ih, w_hh, b_ih;
    for (std::size_t g = 0; g < 4; ++g) {
      const tflite::Tensor* wi = c.input(1 + g);
      const tflite::Tensor* wr = c.input(5 + g);
      const tflite::Tensor* b = c.input(12 + g);
      auto vi = wi ? tensor_values<float>(c.model, *wi) : std::nullopt;
      auto vr = wr ? tensor_values<float>(c.model, *wr) : std::nullopt;
      auto vb = b ? tensor_values<float>(c.model, *b) : std::nullopt;
      if (!vi || !vr || !vb || wi->type != TensorType::Float32 || vi->size() != n * fi || vr->size() != n * n || vb->size() != n)
        return c.where + ": gate " + std::to_string(g) + ": weights [units][features], [units][units] and bias [units] must be constant float";
      w_ih.insert(w_ih.end(), vi->begin(), vi->end());
      w_hh.insert(w_hh.end(), vr->begin(), vr->end());
      b_ih.insert(b_ih.end(), vb->begin(), vb->end());
    }
    if (!(o.cell_clip >= 0.0f) || !std::isfinite(o.cell_clip)) return c.where + ": cell_clip must be finite and non-negative";
    const std::string type = "ctml::LSTMLayer<float, ctml::Shape<" + std::to_string(steps) + ", " + std::to_string(f) + ">, " +
                             std::to_string(h) + ", ctml::rnn::Output::sequence>";
    decl += "inline constexpr " + type + "::cell::weight_ih_type " + name + "_w_ih" + float_literal(w_ih) + ";\n";
    decl += "inline constexpr " + type + "::cell::weight_hh_type " + name + "_w_hh" + float_literal(w_hh) + ";\n";
    decl += "inline constexpr " + type + "::cell::bias_type " + name + "_b_ih" + float_literal(b_ih) + ";\n";
    init << "{{" << name << "_w_ih, " << name << "_w_hh, " << name << "_b_ih, {}, {}, {}, " << std::hexfloat
         << static_cast<double>(o.cell_clip) << std::defaultfloat << "f}}";
    layers.push_back({type, init.str(), -1, {}, decl});
    return {};
  }
  const bool s16 = c.in.type == TensorType::Int16;  // 16x8->16: int16 activations, int64 biases
  if ((c.in.type != TensorType::Int8 && !s16) || hs->type != c.in.type || c.out.type != c.in.type || cs->type != TensorType::Int16 ||
      c.in.quantization.empty() || hs->quantization.empty() || cs->quantization.empty())
    return c.where + ": an integer LSTM needs int8 (8x8->16) or int16 (16x8->16) input, hidden state and output of one type, "
                     "quantized, and a quantized int16 cell state (TFLM's integer LSTMs)";
  const TensorType bias_type = s16 ? TensorType::Int64 : TensorType::Int32;
  std::vector<std::int8_t> w_in, w_rec;
  std::vector<std::int64_t> bias;
  std::string in_scales, rec_scales;
  for (std::size_t g = 0; g < 4; ++g) {
    const tflite::Tensor* wi = c.input(1 + g);
    const tflite::Tensor* wr = c.input(5 + g);
    const tflite::Tensor* b = c.input(12 + g);
    auto vi = wi ? tensor_values<std::int8_t>(c.model, *wi) : std::nullopt;
    auto vr = wr ? tensor_values<std::int8_t>(c.model, *wr) : std::nullopt;
    if (b && b->type != bias_type)
      return c.where + ": gate " + std::to_string(g) + ": the bias must be " + (s16 ? "int64" : "int32") + " for an " +
             (s16 ? "int16" : "int8") + " LSTM (TFLM reads it as " + (s16 ? "int64" : "int32") + " whatever the file says)";
    std::optional<std::vector<std::int64_t>> vb;
    if (b && s16) vb = tensor_values<std::int64_t>(c.model, *b);
    if (b && !s16)
      if (auto v32 = tensor_values<std::int32_t>(c.model, *b)) vb = std::vector<std::int64_t>(v32->begin(), v32->end());
    if (!vi || !vr || !vb || wi->type != TensorType::Int8 || wr->type != TensorType::Int8 || vi->size() != n * fi || vr->size() != n * n ||
        vb->size() != n)
      return c.where + ": gate " + std::to_string(g) + ": weights must be constant int8 [units][features] and [units][units], the bias " +
             (s16 ? "int64" : "int32") + " [units]";
    if (wi->quantization.scale.size() != 1 || wr->quantization.scale.size() != 1 || wi->quantization.zero_point[0] != 0 ||
        wr->quantization.zero_point[0] != 0)
      return c.where + ": gate " + std::to_string(g) + ": weights must be quantized per tensor with zero point 0 (TFLM's LSTM)";
    w_in.insert(w_in.end(), vi->begin(), vi->end());
    w_rec.insert(w_rec.end(), vr->begin(), vr->end());
    bias.insert(bias.end(), vb->begin(), vb->end());
    std::ostringstream si, sr;
    si << std::hexfloat << static_cast<double>(wi->quantization.scale[0]);
    sr << std::hexfloat << static_cast<double>(wr->quantization.scale[0]);
    in_scales += (g ? ", " : "") + si.str();
    rec_scales += (g ? ", " : "") + sr.str();
  }
  const float cscale = cs->quantization.scale[0];
  int e = 0;
  const double m = std::frexp(static_cast<double>(cscale), &e);
  if (m != 0.5 || e - 1 < -42 || e - 1 > 4 || cs->quantization.zero_point[0] != 0)
    return c.where + ": the cell state's scale must be a power of two from 2^-42 to 2^4 with zero point 0 (TFLM's integer tanh)";
  if (!(o.cell_clip >= 0.0f) || !std::isfinite(o.cell_clip)) return c.where + ": cell_clip must be finite and non-negative";
  // 16x8: TFLite's 64-bit contract, as for FULLY_CONNECTED: biases within 2^46, gate multipliers
  // (x_scale * w_scale / 2^-12, h_scale * w_rec_scale / 2^-12) below 128.
  for (std::size_t r = 0; r < 4 * n && s16; ++r)
    if (bias[r] > (std::int64_t{1} << 46) || bias[r] < -(std::int64_t{1} << 46))
      return c.where + ": gate bias " + std::to_string(r) + " is beyond 2^46, outside TFLite's 16x8 accumulator range";
  for (std::size_t g = 0; g < 4 && s16; ++g)
    for (const auto& [x, w] : {std::pair{&c.in, c.input(1 + g)}, std::pair{hs, c.input(5 + g)}})
      if (ctml::quant::quantize_multiplier(static_cast<double>(x->quantization.scale[0]) * static_cast<double>(w->quantization.scale[0]) * 4096.0).shift > 7)
        return c.where + ": gate " + std::to_string(g) + "'s effective scale is 128 or more, outside TFLite's 16x8 range";
  // The folded biases must fit int32 (as for FULLY_CONNECTED); the 16x8 path sums in 64 bits.
  for (std::size_t r = 0; r < 4 * n && !s16; ++r) {
    std::int64_t si = 0;
    for (std::size_t i = 0; i < fi; ++i) si += w_in[r * fi + i];
    if (!ctml::quant::zero_point_folds_exactly(static_cast<std::int32_t>(bias[r]), static_cast<std::int32_t>(c.in.quantization.zero_point[0]), si))
      return c.where + ": a gate bias does not fit int32 once the input zero point is folded in";
  }
  const std::string shape = std::to_string(steps) + ", " + std::to_string(f) + ", " + std::to_string(h);
  const std::string act = s16 ? "std::int16_t" : "std::int8_t";
  const std::string type = "ctml::quant::QLSTMLayer<" + shape + (s16 ? ", ctml::rnn::Output::sequence, std::int16_t>" : ">");
  decl += "inline constexpr ctml::Tensor<std::int8_t, ctml::Shape<" + std::to_string(4 * h) + ", " + std::to_string(f) + ">> " + name +
          "_w_in" + tensor_literal(w_in) + ";\n";
  decl += "inline constexpr ctml::Tensor<std::int8_t, ctml::Shape<" + std::to_string(4 * h) + ", " + std::to_string(h) + ">> " + name +
          "_w_rec" + tensor_literal(w_rec) + ";\n";
  if (s16)
    decl += "inline constexpr ctml::Tensor<std::int64_t, ctml::Shape<" + std::to_string(4 * h) + ">> " + name + "_bias" +
            tensor_literal(bias) + ";\n";
  else
    decl += "inline constexpr ctml::Tensor<std::int32_t, ctml::Shape<" + std::to_string(4 * h) + ">> " + name + "_bias" +
            tensor_literal(std::vector<std::int32_t>(bias.begin(), bias.end())) + ";\n";
  init << "ctml::quant::make_qlstm<" << shape << ">(ctml::quant::make_qlstm_cell<" << f << ", " << h << ", " << act << ">(" << name << "_w_in, "
       << name << "_w_rec, " << name << "_bias, " << qparams_literal(c.in) << ", {" << in_scales << "}, {" << rec_scales << "}, "
       << qparams_literal(*hs) << ", " << std::hexfloat << static_cast<double>(cscale) << "f, " << static_cast<double>(o.cell_clip)
       << std::defaultfloat << "f))";
  layers.push_back({type, init.str(), -1, {}, decl});
  return {};
}

// CUSTOM "CTML_GRU" / "CTML_GRU_RESET_BEFORE": a GRU translated from ONNX (onnx_import.cpp; a
// .tflite file cannot hold one: TFLite has no GRU op and the reader refuses custom ops). Inputs
// x [1, T, F], w_ih [3H, F], w_hh [3H, H], b_ih, b_hh [3H], h0 [H] (rows r, z, n, PyTorch's
// layout); output every step's state [1, T, H]. Float only.
std::string custom(const OpContext& c, std::vector<Layer>& layers) {
  const std::string& code = c.model.operator_codes[c.op.opcode_index].custom_code;
  if (code != "CTML_GRU" && code != "CTML_GRU_RESET_BEFORE") return c.where + ": custom op '" + code + "' is not supported";
  if (c.in.type != TensorType::Float32 || c.out.type != TensorType::Float32) return c.where + ": a GRU on float tensors only";
  const auto& xs = c.in.shape;
  if (c.op.inputs.size() != 6 || xs.size() != 3 || xs[0] != 1) return c.where + ": expected x [1, time, features] and five constants";
  const std::int32_t steps = xs[1], f = xs[2];
  const tflite::Tensor* w = c.input(1);
  if (!w || w->shape.size() != 2 || w->shape[0] % 3 != 0 || w->shape[1] != f) return c.where + ": w_ih is not [3 * units, features]";
  const std::int32_t h = w->shape[0] / 3;
  if (steps < 1 || f < 1 || h < 1 || c.out.shape != std::vector<std::int32_t>{1, steps, h}) return c.where + ": the output is not [1, time, units]";
  const auto n = static_cast<std::size_t>(h), fi = static_cast<std::size_t>(f);
  const std::size_t sizes[6] = {0, 3 * n * fi, 3 * n * n, 3 * n, 3 * n, n};
  std::vector<float> v[6];
  for (std::size_t k = 1; k < 6; ++k) {
    const tflite::Tensor* t = c.input(k);
    auto vals = t && t->type == TensorType::Float32 ? tensor_values<float>(c.model, *t) : std::nullopt;
    if (!vals || vals->size() != sizes[k]) return c.where + ": input " + std::to_string(k) + " must be a constant float tensor of " + std::to_string(sizes[k]) + " values";
    v[k] = std::move(*vals);
  }
  const std::string name = "op" + std::to_string(c.index);
  const std::string type = "ctml::GRULayer<float, ctml::Shape<" + std::to_string(steps) + ", " + std::to_string(f) + ">, " +
                           std::to_string(h) + ", ctml::rnn::Output::sequence, ctml::rnn::Reset::" +
                           (code == "CTML_GRU" ? "after" : "before") + ">";
  std::string decl;
  decl += "inline constexpr " + type + "::cell::weight_ih_type " + name + "_w_ih" + float_literal(v[1]) + ";\n";
  decl += "inline constexpr " + type + "::cell::weight_hh_type " + name + "_w_hh" + float_literal(v[2]) + ";\n";
  decl += "inline constexpr " + type + "::cell::bias_type " + name + "_b_ih" + float_literal(v[3]) + ";\n";
  decl += "inline constexpr " + type + "::cell::bias_type " + name + "_b_hh" + float_literal(v[4]) + ";\n";
  decl += "inline constexpr ctml::Tensor<float, ctml::Shape<" + std::to_string(h) + ">> " + name + "_h0" + float_literal(v[5]) + ";\n";
  layers.push_back({type, "{{" + name + "_w_ih, " + name + "_w_hh, " + name + "_b_ih, " + name + "_b_hh, " + name + "_h0}}", -1, {}, decl});
  return {};
}

constexpr OpEntry kFloatOps[] = {
    {op::kConv2D, float_conv},        {op::kDepthwiseConv2D, float_conv}, {op::kFullyConnected, float_fully_connected},
    {op::kAveragePool2D, float_pool}, {op::kMaxPool2D, float_pool},       {op::kMean, float_mean},
    {op::kReshape, float_reshape},    {op::kSoftmax, float_softmax},      {op::kRelu, float_elementwise},
    {op::kRelu6, float_elementwise},  {op::kLogistic, float_elementwise}, {op::kTanh, float_elementwise},
    {op::kPad, pad},                  {op::kPadV2, pad},                  {op::kTranspose, transpose},
    {op::kSqueeze, reshape_like},     {op::kExpandDims, reshape_like},    {op::kLeakyRelu, float_leaky_relu},
    {op::kHardSwish, float_hard_swish}, {op::kAdd, float_binary_const}, {op::kSub, float_binary_const},
    {op::kMul, float_binary_const}, {op::kMaximum, float_binary_const}, {op::kMinimum, float_binary_const},
    {op::kStridedSlice, strided_slice}, {op::kTransposeConv, transpose_conv}, {op::kUnidirectionalSequenceLstm, lstm},
    {op::kSvdf, svdf},                {op::kCustom, custom},
};

// The single-input operators ctml-import maps to layers (ADD is handled by the graph walk, as the
// merge of a residual block). The error for any other op lists these names.
constexpr OpEntry kOps[] = {
    {op::kConv2D, conv},           {op::kDepthwiseConv2D, conv}, {op::kFullyConnected, fully_connected},
    {op::kAveragePool2D, pool},    {op::kMaxPool2D, pool},       {op::kMean, mean},
    {op::kReshape, reshape},       {op::kSoftmax, softmax},      {op::kRelu, relu},
    {op::kRelu6, relu},            {op::kLogistic, table},       {op::kTanh, table},
    {op::kQuantize, quantize},     {op::kDequantize, dequantize}, {op::kPad, pad},
    {op::kPadV2, pad},             {op::kTranspose, transpose},  {op::kSqueeze, reshape_like},
    {op::kExpandDims, reshape_like}, {op::kLeakyRelu, leaky_relu}, {op::kHardSwish, hard_swish},
    {op::kAdd, binary_const},      {op::kSub, binary_const},     {op::kMul, binary_const},
    {op::kMaximum, binary_const},  {op::kMinimum, binary_const}, {op::kStridedSlice, strided_slice},
    {op::kTransposeConv, transpose_conv}, {op::kUnidirectionalSequenceLstm, lstm}, {op::kSvdf, svdf},
    {op::kCustom, custom},
};

// LOGISTIC / TANH on int16: TFLite's fixed output range (2^-15, zero point 0).
std::string table_16x8(const OpContext& c, std::vector<Layer>& layers) {
  const bool logistic = c.op.builtin_code == op::kLogistic;
  if (c.out.quantization.scale[0] != 1.0f / 32768.0f || c.out.quantization.zero_point[0] != 0)
    return c.where + ": output quantization must be 2^-15, 0 (TFLite's fixed int16 output range)";
  if (element_count(c.in.shape) != element_count(c.out.shape)) return c.where + ": input and output sizes differ";
  const std::string s = shape_literal(c.in.shape);
  layers.push_back({std::string(logistic ? "ctml::quant::QLogistic16Layer<" : "ctml::quant::QTanh16Layer<") + s + ">",
                    std::string(logistic ? "ctml::quant::make_qlogistic16<" : "ctml::quant::make_qtanh16<") + s + ">(" +
                        qparams_literal(c.in) + ")"});
  return {};
}

// SOFTMAX on int16: TFLite's fixed output range (2^-15, zero point 0; TFLM accepts 0.1 % off).
std::string softmax_16x8(const OpContext& c, std::vector<Layer>& layers) {
  const auto& o = std::get<SoftmaxOptions>(c.op.options);
  const double out_scale = static_cast<double>(c.out.quantization.scale[0]);
  if (c.out.quantization.zero_point[0] != 0 || std::fabs(out_scale - 1.0 / 32768.0) > 0.001 / 32768.0)
    return c.where + ": output quantization must be 2^-15, 0 (TFLite's fixed int16 softmax range)";
  if (element_count(c.in.shape) != element_count(c.out.shape)) return c.where + ": input and output sizes differ";
  if (!(o.beta > 0.0f) || !std::isfinite(o.beta)) return c.where + ": beta must be finite and positive";
  const std::string s = shape_literal(c.in.shape);
  std::ostringstream init;
  init << "ctml::quant::make_qsoftmax16<" << s << ">(" << std::hexfloat << static_cast<double>(o.beta) << std::defaultfloat << ", "
       << qparams_literal(c.in) << ")";
  layers.push_back({"ctml::quant::QSoftmax16Layer<" + s + ">", init.str()});
  return {};
}

// The operators ctml-import maps with int16 activations (16x8: int8 weights).
constexpr OpEntry kInt16Ops[] = {
    {op::kConv2D, conv_16x8},      {op::kDepthwiseConv2D, conv_16x8}, {op::kFullyConnected, fully_connected_16x8},
    {op::kQuantize, quantize},     {op::kDequantize, dequantize},     {op::kReshape, reshape_like},
    {op::kSqueeze, reshape_like},  {op::kExpandDims, reshape_like},   {op::kPad, pad},
    {op::kPadV2, pad},             {op::kTranspose, transpose},       {op::kStridedSlice, strided_slice},
    {op::kLogistic, table_16x8},   {op::kTanh, table_16x8},           {op::kMaxPool2D, pool},
    {op::kAveragePool2D, pool},    {op::kSoftmax, softmax_16x8},      {op::kAdd, binary_const_16x8},
    {op::kSub, binary_const_16x8}, {op::kMul, binary_const_16x8},     {op::kMaximum, binary_const_16x8},
    {op::kMinimum, binary_const_16x8}, {op::kMean, mean},             {op::kRelu, relu},
    {op::kRelu6, relu},            {op::kLeakyRelu, leaky_relu},      {op::kTransposeConv, transpose_conv},
    {op::kUnidirectionalSequenceLstm, lstm},
};

std::string supported_ops() {
  std::string s;
  for (const auto& e : kOps)
    if (e.code != op::kCustom) s += (s.empty() ? "" : ", ") + std::string(builtin_op_name(e.code));
  return s;
}

// Quantization parameters a TFLite converter can produce: finite positive scales, int8 zero
// points in range (a corrupt file gets a reason, never a hang or an overflow later).
std::string plausible(const OpContext& c, const tflite::Tensor& t) {
  for (const float sc : t.quantization.scale)
    if (!(sc > 0.0f) || !std::isfinite(sc)) return c.where + ": tensor '" + t.name + "' has a scale that is not a finite positive number";
  if (t.type == TensorType::Int8)
    for (const auto z : t.quantization.zero_point)
      if (z < -128 || z > 127) return c.where + ": tensor '" + t.name + "' has an int8 zero point outside [-128, 127]";
  if (t.type == TensorType::Int16)
    for (const auto z : t.quantization.zero_point)
      if (z != 0) return c.where + ": tensor '" + t.name + "' is int16 with zero point " + std::to_string(z) + " (TFLite's int16 activations are symmetric: zero point 0)";
  return {};
}

}  // namespace

std::string emit_operator(const OpContext& c, std::vector<Layer>& layers) {
  const auto* entry = std::find_if(std::begin(kOps), std::end(kOps), [&](const OpEntry& e) { return e.code == c.op.builtin_code; });
  if (entry == std::end(kOps))
    return c.where + ": op " + std::string(builtin_op_name(c.op.builtin_code)) +
           " is not supported by ctml-import yet (supported: " + supported_ops() + ", and ADD as a residual block)";
  // A float model: FLOAT32 activations in and out of a float op.
  if (c.in.type == TensorType::Float32 && c.out.type == TensorType::Float32 && c.op.builtin_code != op::kQuantize &&
      c.op.builtin_code != op::kDequantize) {
    const auto* f = std::find_if(std::begin(kFloatOps), std::end(kFloatOps), [&](const OpEntry& e) { return e.code == c.op.builtin_code; });
    if (f == std::end(kFloatOps)) {
      std::string names;
      for (const auto& e : kFloatOps) names += (names.empty() ? "" : ", ") + std::string(builtin_op_name(e.code));
      return c.where + ": op " + std::string(builtin_op_name(c.op.builtin_code)) +
             " on float tensors is not supported by ctml-import yet (float: " + names + ", and ADD as a residual block)";
    }
    return f->emit(c, layers);
  }
  // Integer activations (int8, or int16 for the 16x8 ops); float only into QUANTIZE and out of
  // DEQUANTIZE (anywhere in the graph; QUANTIZE of an integer tensor changes its quantization).
  const bool float_in = c.op.builtin_code == op::kQuantize && c.in.type == TensorType::Float32,
             float_out = c.op.builtin_code == op::kDequantize;
  const bool requant = c.op.builtin_code == op::kQuantize && !float_in;
  const bool in_ok = float_in ? true : integer_activation(c.in.type);
  const bool out_ok = float_out ? c.out.type == TensorType::Float32 : integer_activation(c.out.type);
  if (!in_ok || !out_ok || (!float_in && !float_out && !requant && c.in.type != c.out.type))
    return c.where + ": " + std::string(tensor_type_name(c.in.type)) + " -> " + std::string(tensor_type_name(c.out.type)) +
           " is not supported: ctml-import takes float32, int8 and int16 tensors (an op's float input comes out of "
           "DEQUANTIZE, its integer input out of QUANTIZE or integer ops of the same type)";
  const bool int16 = (!float_in && c.in.type == TensorType::Int16) || (!float_out && c.out.type == TensorType::Int16);
  if (int16) {
    entry = std::find_if(std::begin(kInt16Ops), std::end(kInt16Ops), [&](const OpEntry& e) { return e.code == c.op.builtin_code; });
    if (entry == std::end(kInt16Ops)) {
      std::string names;
      for (const auto& e : kInt16Ops) names += (names.empty() ? "" : ", ") + std::string(builtin_op_name(e.code));
      return c.where + ": op " + std::string(builtin_op_name(c.op.builtin_code)) +
             " with int16 activations is not supported by ctml-import yet (16x8: " + names + ")";
    }
  }
  for (const auto t : c.op.inputs)
    if (t >= 0)
      if (auto e = plausible(c, c.tensor(t)); !e.empty()) return e;
  if (auto e = plausible(c, c.out); !e.empty()) return e;
  if ((!float_in && c.in.quantization.empty()) || (!float_out && c.out.quantization.empty()))
    return c.where + ": integer tensors must carry quantization parameters";
  return entry->emit(c, layers);
}

}  // namespace ctml::import
