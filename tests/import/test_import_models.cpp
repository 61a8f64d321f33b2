// SPDX-License-Identifier: Apache-2.0
// ctml-import end to end on the hand-made models of tests/data/tflite (always present, unlike
// ../shared): the generated headers (made at build time) run, and their outputs are checked
// against an independent float reference interpreter written here over the decoded .tflite:
// weights dequantized, each op computed in double precision, every activation rounded to its
// tensor's int8 grid as TFLite stores it. Integer kernels may differ from that by a rounding step
// per op, so outputs must agree within 2 quantization steps (most agree exactly).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ctml-import/tflite_reader.hpp"
#include "tiny_conv.hpp"
#include "tiny_fc.hpp"
#include "tiny_ops.hpp"
#include "tiny_residual.hpp"
#include "tiny_nested.hpp"

namespace {

using namespace ctml::tflite;

struct Value {  // a tensor during reference evaluation: real values and the tensor it is
  std::vector<double> real;
};

double scale_of(const Tensor& t) { return t.quantization.scale.at(0); }
double zp_of(const Tensor& t) { return static_cast<double>(t.quantization.zero_point.at(0)); }

// Rounds to the tensor's int8 grid (round half away from zero, clamp) and back to real.
double on_grid(double v, const Tensor& t) {
  const double q = std::clamp(std::round(v / scale_of(t)) + zp_of(t), -128.0, 127.0);
  return (q - zp_of(t)) * scale_of(t);
}

double activate(double v, Activation a) {
  switch (a) {
    case Activation::Relu: return std::max(v, 0.0);
    case Activation::Relu6: return std::clamp(v, 0.0, 6.0);
    case Activation::ReluN1To1: return std::clamp(v, -1.0, 1.0);
    default: return v;
  }
}

std::vector<double> weights_real(const Model& m, const Tensor& w, std::size_t channel_axis_size, bool channel_last) {
  const auto q = tensor_values<std::int8_t>(m, w).value();
  std::vector<double> r(q.size());
  const std::size_t n = q.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ch = channel_last ? i % channel_axis_size : i / (n / channel_axis_size);
    const double s = w.quantization.per_channel() ? w.quantization.scale.at(ch) : w.quantization.scale.at(0);
    r[i] = s * q[i];
  }
  return r;
}
std::vector<double> bias_real(const Model& m, const Tensor& b) {
  const auto q = tensor_values<std::int32_t>(m, b).value();
  std::vector<double> r(q.size());
  for (std::size_t i = 0; i < q.size(); ++i)
    r[i] = (b.quantization.per_channel() ? b.quantization.scale.at(i) : b.quantization.scale.at(0)) * q[i];
  return r;
}

int pad_before(int in, int out, int k, int s, int d, Padding p) {
  if (p != Padding::Same) return 0;
  return std::max((out - 1) * s + (k - 1) * d + 1 - in, 0) / 2;
}

// Runs the model's graph (operators in order, any tensor may feed several) on `input` (real
// values of the input tensor).
std::vector<double> reference(const Model& m, const std::vector<double>& input) {
  const SubGraph& g = m.main_graph();
  std::vector<std::vector<double>> values(g.tensors.size());
  values.at(static_cast<std::size_t>(g.inputs[0])) = input;
  for (const Operator& op : g.operators) {
    const std::vector<double>& x = values.at(static_cast<std::size_t>(op.inputs.at(0)));
    const Tensor& in = g.tensors.at(static_cast<std::size_t>(op.inputs.at(0)));
    const Tensor& out = g.tensors.at(static_cast<std::size_t>(op.outputs.at(0)));
    std::vector<double> y(out.element_count());
    const auto& is = in.shape;
    const auto& os = out.shape;
    switch (op.builtin_code) {
      case op::kQuantize:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = on_grid(x[i], out);
        break;
      case op::kDequantize:
        y = x;
        break;
      case op::kAdd: {
        const std::vector<double>& x2 = values.at(static_cast<std::size_t>(op.inputs.at(1)));
        const auto act = std::get<AddOptions>(op.options).activation;
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = on_grid(activate(x[i] + x2[i], act), out);
        break;
      }
      case op::kReshape:
        y = x;
        break;
      case op::kFullyConnected: {
        const Tensor& wt = g.tensors.at(static_cast<std::size_t>(op.inputs[1]));
        const std::size_t units = static_cast<std::size_t>(wt.shape[0]), n = static_cast<std::size_t>(wt.shape[1]);
        const auto w = weights_real(m, wt, units, false);
        const auto b = bias_real(m, g.tensors.at(static_cast<std::size_t>(op.inputs[2])));
        const auto act = std::get<FullyConnectedOptions>(op.options).activation;
        for (std::size_t u = 0; u < units; ++u) {
          double s = b[u];
          for (std::size_t i = 0; i < n; ++i) s += w[u * n + i] * x[i];
          y[u] = on_grid(activate(s, act), out);
        }
        break;
      }
      case op::kConv2D:
      case op::kDepthwiseConv2D: {
        const bool dw = op.builtin_code == op::kDepthwiseConv2D;
        const Tensor& wt = g.tensors.at(static_cast<std::size_t>(op.inputs[1]));
        const int ih = is[1], iw = is[2], cin = is[3], oh = os[1], ow = os[2], cout = os[3], kh = wt.shape[1], kw = wt.shape[2];
        const auto w = weights_real(m, wt, static_cast<std::size_t>(cout), dw);
        const auto b = bias_real(m, g.tensors.at(static_cast<std::size_t>(op.inputs[2])));
        Padding pad;
        int sh, sw, dh, dwd;
        Activation act;
        if (dw) {
          const auto& o = std::get<DepthwiseConv2DOptions>(op.options);
          pad = o.padding, sh = o.stride_h, sw = o.stride_w, dh = o.dilation_h, dwd = o.dilation_w, act = o.activation;
        } else {
          const auto& o = std::get<Conv2DOptions>(op.options);
          pad = o.padding, sh = o.stride_h, sw = o.stride_w, dh = o.dilation_h, dwd = o.dilation_w, act = o.activation;
        }
        const int pt = pad_before(ih, oh, kh, sh, dh, pad), pl = pad_before(iw, ow, kw, sw, dwd, pad);
        const int mult = dw ? cout / cin : 1;
        for (int oy = 0; oy < oh; ++oy)
          for (int ox = 0; ox < ow; ++ox)
            for (int co = 0; co < cout; ++co) {
              double s = b[static_cast<std::size_t>(co)];
              for (int ky = 0; ky < kh; ++ky)
                for (int kx = 0; kx < kw; ++kx) {
                  const int iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dwd;
                  if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
                  if (dw) {
                    const int ci = co / mult;
                    s += w[static_cast<std::size_t>((ky * kw + kx) * cout + co)] *
                         x[static_cast<std::size_t>((iy * iw + ix) * cin + ci)];
                  } else {
                    for (int ci = 0; ci < cin; ++ci)
                      s += w[static_cast<std::size_t>(((co * kh + ky) * kw + kx) * cin + ci)] *
                           x[static_cast<std::size_t>((iy * iw + ix) * cin + ci)];
                  }
                }
              y[static_cast<std::size_t>((oy * ow + ox) * cout + co)] = on_grid(activate(s, act), out);
            }
        break;
      }
      case op::kAveragePool2D:
      case op::kMaxPool2D: {
        const bool avg = op.builtin_code == op::kAveragePool2D;
        const auto& o = std::get<Pool2DOptions>(op.options);
        const int ih = is[1], iw = is[2], c = is[3], oh = os[1], ow = os[2];
        const int pt = pad_before(ih, oh, o.filter_height, o.stride_h, 1, o.padding);
        const int pl = pad_before(iw, ow, o.filter_width, o.stride_w, 1, o.padding);
        for (int oy = 0; oy < oh; ++oy)
          for (int ox = 0; ox < ow; ++ox)
            for (int ch = 0; ch < c; ++ch) {
              double acc = avg ? 0.0 : -1e300;
              int n = 0;
              for (int ky = 0; ky < o.filter_height; ++ky)
                for (int kx = 0; kx < o.filter_width; ++kx) {
                  const int iy = oy * o.stride_h - pt + ky, ix = ox * o.stride_w - pl + kx;
                  if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
                  const double v = x[static_cast<std::size_t>((iy * iw + ix) * c + ch)];
                  acc = avg ? acc + v : std::max(acc, v);
                  ++n;
                }
              y[static_cast<std::size_t>((oy * ow + ox) * c + ch)] = on_grid(activate(avg ? acc / n : acc, o.activation), out);
            }
        break;
      }
      case op::kMean: {
        const int c = is[3], n = is[1] * is[2];
        for (int ch = 0; ch < c; ++ch) {
          double s = 0;
          for (int p = 0; p < n; ++p) s += x[static_cast<std::size_t>(p * c + ch)];
          y[static_cast<std::size_t>(ch)] = on_grid(s / n, out);
        }
        break;
      }
      case op::kRelu:
      case op::kRelu6:
        for (std::size_t i = 0; i < y.size(); ++i)
          y[i] = on_grid(activate(x[i], op.builtin_code == op::kRelu ? Activation::Relu : Activation::Relu6), out);
        break;
      case op::kLogistic:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = on_grid(1.0 / (1.0 + std::exp(-x[i])), out);
        break;
      case op::kTanh:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = on_grid(std::tanh(x[i]), out);
        break;
      case op::kSoftmax: {
        const double beta = std::get<SoftmaxOptions>(op.options).beta;
        const double mx = *std::max_element(x.begin(), x.end());
        double sum = 0;
        for (std::size_t i = 0; i < x.size(); ++i) sum += std::exp(beta * (x[i] - mx));
        for (std::size_t i = 0; i < x.size(); ++i) y[i] = on_grid(std::exp(beta * (x[i] - mx)) / sum, out);
        break;
      }
      default:
        FAIL("reference interpreter: unexpected op " << op.builtin_code);
    }
    values.at(static_cast<std::size_t>(op.outputs.at(0))) = std::move(y);
  }
  return values.at(static_cast<std::size_t>(g.outputs[0]));
}

template <class GenModel>
// tolerance_steps: allowed distance in output quantization steps; min_exact: the fraction that must
// match exactly. Deeper models accumulate more rounding differences before the softmax.
void check_model(const char* file, const GenModel& model, int samples, double tolerance_steps = 2.0,
                 double min_exact = 0.7) {
  const auto parsed = read_model_file(std::string(CTML_TEST_DATA_DIR) + "/tflite/" + file);
  REQUIRE(parsed);
  const Model& m = parsed.value();
  const SubGraph& g = m.main_graph();
  const Tensor& tin = g.tensors.at(static_cast<std::size_t>(g.inputs[0]));
  const Tensor& tout = g.tensors.at(static_cast<std::size_t>(g.outputs[0]));
  // The last int8 tensor sets the comparison step (a DEQUANTIZE output has no grid of its own).
  const Tensor& last_q = g.operators.back().builtin_code == op::kDequantize
                             ? g.tensors.at(static_cast<std::size_t>(g.operators.back().inputs[0]))
                             : tout;
  using In = typename GenModel::input_type;
  using Out = typename GenModel::output_type;
  static In in{};
  static Out out{};
  alignas(16) static std::byte arena[GenModel::arena_bytes + 16];
  std::uint32_t s = 12345;
  int exact = 0, total = 0;
  double worst = 0;
  for (int k = 0; k < samples; ++k) {
    std::vector<double> x(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      s = s * 1664525u + 1013904223u;
      if constexpr (std::is_same_v<typename In::value_type, float>) {
        in[i] = static_cast<float>(static_cast<std::int32_t>(s >> 16) - 32768) / 16384.0f;  // [-2, 2)
        x[i] = in[i];
      } else {
        in[i] = static_cast<std::int8_t>(s >> 24);
        x[i] = (in[i] - zp_of(tin)) * scale_of(tin);
      }
    }
    model(in, out, arena);
    const auto want = reference(m, x);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double got = std::is_same_v<typename Out::value_type, float> ? static_cast<double>(out[i])
                                                                          : (out[i] - zp_of(tout)) * scale_of(tout);
      const double steps = std::abs(got - want[i]) / scale_of(last_q);
      worst = std::max(worst, steps);
      exact += steps < 1e-3;
      ++total;
      INFO(std::string(file) << " sample " << k << " output " << i << ": ctml " << got << ", reference " << want[i]);
      CHECK(steps <= tolerance_steps + 1e-9);
    }
  }
  MESSAGE(std::string(file) << ": " << exact << "/" << total << " outputs equal the reference, worst " << worst << " steps");
  CHECK(exact >= min_exact * total);
}

}  // namespace

TEST_CASE("ctml-import: tiny_fc (FULLY_CONNECTED + RELU, SOFTMAX) against the reference interpreter") {
  check_model("tiny_fc_int8.tflite", tiny_fc::model, 200);
}

TEST_CASE("ctml-import: tiny_conv (CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, RESHAPE, FC, SOFTMAX)") {
  check_model("tiny_conv_int8.tflite", tiny_conv::model, 100);
}

TEST_CASE("ctml-import: tiny_ops (QUANTIZE, RELU, MAX_POOL_2D, LOGISTIC, MEAN, TANH, DEQUANTIZE) with float edges") {
  static_assert(std::is_same_v<tiny_ops::Model::input_type::value_type, float>);
  static_assert(std::is_same_v<tiny_ops::Model::output_type::value_type, float>);
  check_model("tiny_ops_int8.tflite", tiny_ops::model, 100);
}

TEST_CASE("ctml-import: tiny_residual (residual blocks with identity and projection shortcuts, ADD with ReLU)") {
  static_assert(tiny_residual::Model::layer_count == 6, "stem, two residual blocks, MEAN, FC, SOFTMAX");
  // Seven requantized convolutions and two ADDs before the softmax: up to 5 steps apart here,
  // 72 % exact; a wrong operand order in either ADD gives hundreds of steps.
  check_model("tiny_residual_int8.tflite", tiny_residual::model, 100, 8.0, 0.6);
}

TEST_CASE("ctml-import: tiny_nested (a residual block inside a residual block's body)") {
  static_assert(tiny_nested::Model::layer_count == 5, "stem, the outer block, MEAN, FC, SOFTMAX");
  using Outer = tiny_nested::Model::layer_type<1>;
  static_assert(!std::is_same_v<decltype(Outer::shortcut), ctml::Identity>, "the outer block has its projection");
  using Body = decltype(Outer::body);
  static_assert(Body::layer_count == 3, "conv, the inner block, conv");
  static_assert(std::is_same_v<decltype(Body::layer_type<1>::shortcut), ctml::Identity>,
                "the inner block's shortcut is the identity (listed first in its ADD)");
  check_model("tiny_nested_int8.tflite", tiny_nested::model, 100, 8.0, 0.6);
}
