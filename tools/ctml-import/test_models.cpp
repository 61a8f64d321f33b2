// SPDX-License-Identifier: Apache-2.0
#include "ctml-import/test_models.hpp"

#include <cstdint>
#include <cstring>
#include <utility>

namespace ctml::tflite::testmodels {

namespace {

// splitmix64: tiny, fully specified, identical everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform integer in [lo, hi].
  std::int32_t uniform(std::int32_t lo, std::int32_t hi) {
    const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
    return static_cast<std::int32_t>(lo + static_cast<std::int64_t>(next() % span));
  }

 private:
  std::uint64_t s_;
};

template <class T>
std::vector<std::uint8_t> le_bytes(const std::vector<T>& v) {
  std::vector<std::uint8_t> out(v.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), v.data(), out.size());  // little-endian host
  return out;
}

// Symmetric int8 weights for `channels` output channels of `per_channel` values each, laid out
// channel-major (`channel_stride` apart) or interleaved (stride 1, for depthwise [1,H,W,C]).
// Each channel uses the full [-127, 127] range at least once, as a calibrated quantizer would.
std::vector<std::int8_t> weights(Rng& rng, std::size_t channels, std::size_t per_channel,
                                 bool channel_last) {
  std::vector<std::int8_t> w(channels * per_channel);
  for (std::size_t c = 0; c < channels; ++c) {
    for (std::size_t i = 0; i < per_channel; ++i) {
      const std::size_t at = channel_last ? i * channels + c : c * per_channel + i;
      w[at] = static_cast<std::int8_t>(rng.uniform(-100, 100));
    }
    const std::size_t peak =
        static_cast<std::size_t>(rng.uniform(0, static_cast<std::int32_t>(per_channel) - 1));
    const std::size_t at = channel_last ? peak * channels + c : c * per_channel + peak;
    w[at] = static_cast<std::int8_t>(rng.uniform(0, 1) != 0 ? 127 : -127);
  }
  return w;
}

std::vector<std::int32_t> biases(Rng& rng, std::size_t n, std::int32_t magnitude) {
  std::vector<std::int32_t> b(n);
  for (auto& x : b) x = rng.uniform(-magnitude, magnitude);
  return b;
}

Quantization per_tensor(float scale, std::int64_t zero_point) {
  Quantization q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

Quantization per_channel(std::vector<float> scales, std::int32_t dim) {
  Quantization q;
  q.zero_point.assign(scales.size(), 0);
  q.scale = std::move(scales);
  q.quantized_dimension = dim;
  return q;
}

Quantization bias_quant(float input_scale, const std::vector<float>& weight_scales) {
  std::vector<float> s;
  s.reserve(weight_scales.size());
  for (const float w : weight_scales) s.push_back(input_scale * w);
  return per_channel(std::move(s), 0);
}

// Builds the model incrementally; activations share the empty buffer 0.
class Builder {
 public:
  Builder() {
    m_.version = 3;
    m_.description = "ctml hand-made test model (tools/make_test_models.cpp)";
    m_.buffers.emplace_back();  // sentinel
    m_.subgraphs.emplace_back();
    m_.subgraphs[0].name = "main";
  }

  std::int32_t tensor(std::string name, TensorType type, std::vector<std::int32_t> shape,
                      Quantization q = {}, std::vector<std::uint8_t> data = {}) {
    Tensor t;
    t.name = std::move(name);
    t.type = type;
    t.shape = std::move(shape);
    t.quantization = std::move(q);
    if (!data.empty()) {
      t.buffer = static_cast<std::uint32_t>(m_.buffers.size());
      m_.buffers.emplace_back().data = std::move(data);
    }
    auto& ts = m_.subgraphs[0].tensors;
    ts.push_back(std::move(t));
    return static_cast<std::int32_t>(ts.size() - 1);
  }

  void op(std::int32_t code, std::int32_t version, std::vector<std::int32_t> in,
          std::vector<std::int32_t> out, Options options = {}) {
    std::uint32_t index = 0;
    while (index < m_.operator_codes.size() && m_.operator_codes[index].builtin_code != code)
      ++index;
    if (index == m_.operator_codes.size()) m_.operator_codes.push_back({code, {}, version});
    Operator o;
    o.opcode_index = index;
    o.builtin_code = code;
    o.inputs = std::move(in);
    o.outputs = std::move(out);
    o.options = std::move(options);
    m_.subgraphs[0].operators.push_back(std::move(o));
  }

  Model& model() { return m_; }

  Model finish(std::vector<std::int32_t> inputs, std::vector<std::int32_t> outputs) {
    m_.subgraphs[0].inputs = std::move(inputs);
    m_.subgraphs[0].outputs = std::move(outputs);
    return std::move(m_);
  }

 private:
  Model m_;
};

constexpr float kSoftmaxScale = 1.0f / 256.0f;

// A convolution's weights [cout][k][k][cin] (depthwise: [1][k][k][cout]) and bias for an input of
// scale x_scale: int8 per output channel with an int32 bias, or float. The bias tensor only when
// with_bias (the float values are drawn either way, so the random sequence stays the same).
std::pair<std::int32_t, std::int32_t> conv_params(Builder& b, Rng& rng, const std::string& name, float x_scale, std::int32_t cin,
                                                  std::int32_t cout, std::int32_t k, bool int8, bool depthwise, bool with_bias) {
  const std::size_t per = static_cast<std::size_t>(k * k * (depthwise ? 1 : cin)), n = static_cast<std::size_t>(cout);
  const std::vector<std::int32_t> wshape = depthwise ? std::vector<std::int32_t>{1, k, k, cout} : std::vector<std::int32_t>{cout, k, k, cin};
  std::int32_t w = -1, bias = -1;
  if (int8) {
    std::vector<float> ws;
    for (std::size_t c = 0; c < n; ++c) ws.push_back(static_cast<float>(30 + 5 * rng.uniform(0, 10)) * 0.0001f);
    w = b.tensor(name + "/w", TensorType::Int8, wshape, per_channel(ws, depthwise ? 3 : 0), le_bytes(weights(rng, n, per, depthwise)));
    if (with_bias) bias = b.tensor(name + "/b", TensorType::Int32, {cout}, bias_quant(x_scale, ws), le_bytes(biases(rng, n, 900)));
  } else {
    std::vector<float> wv(n * per), bv(n);
    for (auto& v : wv) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.4f / 1000.0f);
    for (auto& v : bv) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.1f / 1000.0f);
    w = b.tensor(name + "/w", TensorType::Float32, wshape, {}, le_bytes(wv));
    if (with_bias) bias = b.tensor(name + "/b", TensorType::Float32, {cout}, {}, le_bytes(bv));
  }
  return {w, bias};
}

// 16x8 weights and bias for an int16 input of scale x_scale: int8 weights per output channel, the
// bias as bias_type (INT64, what converters write, or INT32) at scale x_scale * w_scale, drawn to
// about +-0.5 real units. No bias tensor when bias_type is FLOAT32.
std::pair<std::int32_t, std::int32_t> params_16x8(Builder& b, Rng& rng, const std::string& name, float x_scale,
                                                  std::vector<std::int32_t> wshape, std::int32_t channel_dim, TensorType bias_type) {
  const std::size_t n = static_cast<std::size_t>(wshape[static_cast<std::size_t>(channel_dim)]);
  std::size_t total = 1;
  for (const auto d : wshape) total *= static_cast<std::size_t>(d);
  std::vector<float> ws;
  for (std::size_t c = 0; c < n; ++c) ws.push_back(static_cast<float>(40 + 3 * rng.uniform(0, 20)) * 0.0001f);
  const auto w = b.tensor(name + "/w", TensorType::Int8, wshape, per_channel(ws, channel_dim),
                          le_bytes(weights(rng, n, total / n, channel_dim != 0)));
  if (bias_type == TensorType::Float32) return {w, -1};
  std::vector<std::int64_t> bv(n);
  for (std::size_t c = 0; c < n; ++c) bv[c] = static_cast<std::int64_t>(rng.uniform(-5000, 5000)) * static_cast<std::int64_t>(0.5 / 5000 / (x_scale * ws[c]) + 1);
  if (bias_type == TensorType::Int64) return {w, b.tensor(name + "/b", TensorType::Int64, {static_cast<std::int32_t>(n)}, bias_quant(x_scale, ws), le_bytes(bv))};
  std::vector<std::int32_t> b32(bv.begin(), bv.end());
  return {w, b.tensor(name + "/b", TensorType::Int32, {static_cast<std::int32_t>(n)}, bias_quant(x_scale, ws), le_bytes(b32))};
}

}  // namespace

// int16 activations throughout (TFLite's 16x8 mode as the converter writes it: int64 biases):
// CONV_2D + ReLU, DEPTHWISE_CONV_2D (multiplier 2, stride 2) + ReLU6, PAD, RESHAPE, FULLY_CONNECTED.
Model tiny_16x8() {
  Rng rng(0xC7A1'0017);
  Builder b;
  auto q = [](float scale) { return per_tensor(scale, 0); };
  const float s_in = 4.0f / 32768.0f, s_c = 16.0f / 32768.0f, s_d = 6.0f / 32767.0f, s_fc = 64.0f / 32768.0f;
  const auto in = b.tensor("input", TensorType::Int16, {1, 8, 8, 3}, q(s_in));
  const auto [cw, cb] = params_16x8(b, rng, "conv", s_in, {6, 3, 3, 3}, 0, TensorType::Int64);
  const auto c = b.tensor("conv", TensorType::Int16, {1, 8, 8, 6}, q(s_c));
  b.op(op::kConv2D, 4, {in, cw, cb}, {c}, Conv2DOptions{Padding::Same, 1, 1, Activation::Relu, 1, 1});
  const auto [dw, db] = params_16x8(b, rng, "dw", s_c, {1, 3, 3, 12}, 3, TensorType::Int64);
  const auto d = b.tensor("dw", TensorType::Int16, {1, 4, 4, 12}, q(s_d));
  b.op(op::kDepthwiseConv2D, 5, {c, dw, db}, {d}, DepthwiseConv2DOptions{Padding::Same, 2, 2, 2, Activation::Relu6, 1, 1});
  const auto pads = b.tensor("pad/paddings", TensorType::Int32, {4, 2}, {}, le_bytes(std::vector<std::int32_t>{0, 0, 1, 0, 0, 1, 0, 0}));
  const auto p = b.tensor("pad", TensorType::Int16, {1, 5, 5, 12}, q(s_d));
  b.op(op::kPad, 2, {d, pads}, {p}, PadOptions{});
  const auto shape = b.tensor("flatten/shape", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 300}));
  const auto flat = b.tensor("flatten", TensorType::Int16, {1, 300}, q(s_d));
  b.op(op::kReshape, 1, {p, shape}, {flat}, ReshapeOptions{std::vector<std::int32_t>{1, 300}});
  const auto [fw, fb] = params_16x8(b, rng, "fc", s_d, {10, 300}, 0, TensorType::Int64);
  const auto out = b.tensor("fc", TensorType::Int16, {1, 10}, q(s_fc));
  b.op(op::kFullyConnected, 7, {flat, fw, fb}, {out}, FullyConnectedOptions{});
  return b.finish({in}, {out});
}

// Float in and out around 16x8 layers with int32 accumulators (an int32 bias; no bias with
// quantized_bias_type INT32) and an int64 one without a bias, and the QUANTIZE forms between
// int16 and int8: float -> int16, int16 -> int8, int8 -> int16, int16 -> int16, int16 -> float.
Model tiny_16x8_mixed() {
  Rng rng(0xC7A1'0018);
  Builder b;
  auto q = [](float scale, std::int64_t zp = 0) { return per_tensor(scale, zp); };
  const float s_q = 3.0f / 32768.0f, s_c = 16.0f / 32768.0f, s_f = 24.0f / 32768.0f, s_w = 16.0f / 32768.0f;
  const auto in = b.tensor("input", TensorType::Float32, {1, 4, 4, 4});
  const auto x = b.tensor("quantize", TensorType::Int16, {1, 4, 4, 4}, q(s_q));
  b.op(op::kQuantize, 1, {in}, {x}, QuantizeOptions{});
  const auto [cw, cb] = params_16x8(b, rng, "conv", s_q, {8, 3, 3, 4}, 0, TensorType::Int32);
  const auto c = b.tensor("conv", TensorType::Int16, {1, 2, 2, 8}, q(s_c));
  b.op(op::kConv2D, 4, {x, cw, cb}, {c}, Conv2DOptions{Padding::Same, 2, 2, Activation::None, 1, 1});
  const auto n8 = b.tensor("narrow", TensorType::Int8, {1, 2, 2, 8}, q(0.12f, -5));
  b.op(op::kQuantize, 1, {c}, {n8}, QuantizeOptions{});
  const auto w16 = b.tensor("widen", TensorType::Int16, {1, 2, 2, 8}, q(s_w));
  b.op(op::kQuantize, 1, {n8}, {w16}, QuantizeOptions{});
  const auto shape = b.tensor("flatten/shape", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 32}));
  const auto flat = b.tensor("flatten", TensorType::Int16, {1, 32}, q(s_w));
  b.op(op::kReshape, 1, {w16, shape}, {flat}, ReshapeOptions{std::vector<std::int32_t>{1, 32}});
  const auto [f1, f1b] = params_16x8(b, rng, "fc32", s_w, {12, 32}, 0, TensorType::Float32);
  (void)f1b;
  const auto h = b.tensor("fc32", TensorType::Int16, {1, 12}, q(s_f));
  FullyConnectedOptions o32{Activation::Relu};
  o32.quantized_bias_type = TensorType::Int32;
  b.op(op::kFullyConnected, 11, {flat, f1, -1}, {h}, o32);
  const auto [f2, f2b] = params_16x8(b, rng, "fc64", s_f, {6, 12}, 0, TensorType::Float32);
  (void)f2b;
  const auto y = b.tensor("fc64", TensorType::Int16, {1, 6}, q(16.0f / 32768.0f));
  b.op(op::kFullyConnected, 7, {h, f2, -1}, {y}, FullyConnectedOptions{});
  const auto y2 = b.tensor("rescale", TensorType::Int16, {1, 6}, q(24.0f / 32768.0f));
  b.op(op::kQuantize, 1, {y}, {y2}, QuantizeOptions{});
  const auto out = b.tensor("output", TensorType::Float32, {1, 6});
  b.op(op::kDequantize, 2, {y2}, {out}, DequantizeOptions{});
  return b.finish({in}, {out});
}

// The 16x8 ops beside the weighted ones, int16 throughout (zero points 0): MAX_POOL_2D, a residual
// ADD of two int16 branches with different scales, AVERAGE_POOL_2D + RELU6, MUL by a per-channel
// int16 constant, SUB of two branches, CONCATENATION (of tensors with different scales: TFLite Micro
// copies int16 values as they are), MAXIMUM and MINIMUM with constants, SOFTMAX.
Model tiny_16x8_ops() {
  Rng rng(0xC7A1'0019);
  Builder b;
  auto q = [](float scale) { return per_tensor(scale, 0); };
  const float s_in = 4.0f / 32768.0f, s_c = 12.0f / 32768.0f, s_r = 9.0f / 32768.0f, s_a = 14.0f / 32768.0f, s_m = 5.0f / 32768.0f,
              s_k = 2.0f / 32768.0f, s_s = 7.0f / 32768.0f, s_fc = 40.0f / 32768.0f;
  const auto in = b.tensor("input", TensorType::Int16, {1, 8, 8, 4}, q(s_in));
  const auto [cw, cb] = params_16x8(b, rng, "conv", s_in, {8, 3, 3, 4}, 0, TensorType::Int64);
  const auto c = b.tensor("conv", TensorType::Int16, {1, 8, 8, 8}, q(s_c));
  b.op(op::kConv2D, 4, {in, cw, cb}, {c}, Conv2DOptions{Padding::Same, 1, 1, Activation::None, 1, 1});
  const auto p = b.tensor("maxpool", TensorType::Int16, {1, 4, 4, 8}, q(s_c));
  b.op(op::kMaxPool2D, 3, {c}, {p}, Pool2DOptions{Padding::Valid, 2, 2, 2, 2, Activation::Relu});
  const auto [rw, rb] = params_16x8(b, rng, "res", s_c, {8, 1, 1, 8}, 0, TensorType::Int64);
  const auto r = b.tensor("res", TensorType::Int16, {1, 4, 4, 8}, q(s_r));
  b.op(op::kConv2D, 4, {p, rw, rb}, {r}, Conv2DOptions{Padding::Same, 1, 1, Activation::None, 1, 1});
  const auto a = b.tensor("add", TensorType::Int16, {1, 4, 4, 8}, q(s_a));
  b.op(op::kAdd, 4, {p, r}, {a}, AddOptions{Activation::None, false});
  const auto av = b.tensor("avgpool", TensorType::Int16, {1, 3, 3, 8}, q(s_a));
  b.op(op::kAveragePool2D, 3, {a}, {av}, Pool2DOptions{Padding::Valid, 1, 1, 2, 2, Activation::Relu6});
  std::vector<std::int16_t> kv(8);
  for (auto& v : kv) v = static_cast<std::int16_t>(rng.uniform(-30000, 30000));
  const auto k = b.tensor("mul/k", TensorType::Int16, {8}, q(s_k), le_bytes(kv));
  const auto m = b.tensor("mul", TensorType::Int16, {1, 3, 3, 8}, q(s_m));
  b.op(op::kMul, 4, {av, k}, {m}, MulOptions{Activation::None});
  const auto [dw, db] = params_16x8(b, rng, "side", s_m, {8, 1, 1, 8}, 0, TensorType::Int64);
  const auto d = b.tensor("side", TensorType::Int16, {1, 3, 3, 8}, q(s_s));
  b.op(op::kConv2D, 4, {m, dw, db}, {d}, Conv2DOptions{Padding::Same, 1, 1, Activation::None, 1, 1});
  const auto sub = b.tensor("sub", TensorType::Int16, {1, 3, 3, 8}, q(s_s));
  b.op(op::kSub, 3, {d, m}, {sub}, SubOptions{Activation::None, false});
  const auto cat = b.tensor("concat", TensorType::Int16, {1, 3, 3, 16}, q(s_s));
  b.op(op::kConcatenation, 3, {sub, m}, {cat}, ConcatenationOptions{3, Activation::None});
  std::vector<std::int16_t> lo(16), hi(1);
  for (auto& v : lo) v = static_cast<std::int16_t>(rng.uniform(-8000, 2000));
  hi[0] = 20000;
  const auto lo_t = b.tensor("max/lo", TensorType::Int16, {16}, q(s_s), le_bytes(lo));
  const auto mx = b.tensor("max", TensorType::Int16, {1, 3, 3, 16}, q(s_s));
  b.op(op::kMaximum, 2, {cat, lo_t}, {mx}, MaximumMinimumOptions{});
  const auto hi_t = b.tensor("min/hi", TensorType::Int16, {1}, q(s_s), le_bytes(hi));
  const auto mn = b.tensor("min", TensorType::Int16, {1, 3, 3, 16}, q(s_s));
  b.op(op::kMinimum, 2, {mx, hi_t}, {mn}, MaximumMinimumOptions{});
  const auto shape = b.tensor("flatten/shape", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 144}));
  const auto flat = b.tensor("flatten", TensorType::Int16, {1, 144}, q(s_s));
  b.op(op::kReshape, 1, {mn, shape}, {flat}, ReshapeOptions{std::vector<std::int32_t>{1, 144}});
  const auto [fw, fb] = params_16x8(b, rng, "fc", s_s, {10, 144}, 0, TensorType::Int64);
  const auto logits = b.tensor("fc", TensorType::Int16, {1, 10}, q(s_fc));
  b.op(op::kFullyConnected, 7, {flat, fw, fb}, {logits}, FullyConnectedOptions{});
  const auto out = b.tensor("softmax", TensorType::Int16, {1, 10}, q(1.0f / 32768.0f));
  b.op(op::kSoftmax, 2, {logits}, {out}, SoftmaxOptions{0.05f});  // a temperature that keeps the probabilities apart
  return b.finish({in}, {out});
}

// More 16x8 ops: standalone RELU and RELU6, LEAKY_RELU to another scale, MEAN over height and width
// (keep_dims), then FULLY_CONNECTED.
Model tiny_16x8_more() {
  Rng rng(0xC7A1'001A);
  Builder b;
  auto q = [](float scale) { return per_tensor(scale, 0); };
  const float s_in = 3.0f / 32768.0f, s_c = 10.0f / 32768.0f, s_l = 7.0f / 32768.0f, s_m = 5.0f / 32768.0f, s_fc = 16.0f / 32768.0f;
  const auto in = b.tensor("input", TensorType::Int16, {1, 6, 6, 4}, q(s_in));
  const auto [cw, cb] = params_16x8(b, rng, "conv", s_in, {8, 3, 3, 4}, 0, TensorType::Int64);
  const auto c = b.tensor("conv", TensorType::Int16, {1, 6, 6, 8}, q(s_c));
  b.op(op::kConv2D, 4, {in, cw, cb}, {c}, Conv2DOptions{Padding::Same, 1, 1, Activation::None, 1, 1});
  const auto leaky = b.tensor("leaky", TensorType::Int16, {1, 6, 6, 8}, q(s_l));
  b.op(op::kLeakyRelu, 1, {c}, {leaky}, LeakyReluOptions{0.2f});
  const auto relu6 = b.tensor("relu6", TensorType::Int16, {1, 6, 6, 8}, q(s_l));
  b.op(op::kRelu6, 1, {leaky}, {relu6}, std::monostate{});
  const auto axes = b.tensor("mean/axes", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 2}));
  const auto mean = b.tensor("mean", TensorType::Int16, {1, 1, 1, 8}, q(s_m));
  b.op(op::kMean, 1, {relu6, axes}, {mean}, ReducerOptions{true});
  const auto shape = b.tensor("flatten/shape", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 8}));
  const auto flat = b.tensor("flatten", TensorType::Int16, {1, 8}, q(s_m));
  b.op(op::kReshape, 1, {mean, shape}, {flat}, ReshapeOptions{std::vector<std::int32_t>{1, 8}});
  const auto [fw, fb] = params_16x8(b, rng, "fc", s_m, {6, 8}, 0, TensorType::Int64);
  const auto fc = b.tensor("fc", TensorType::Int16, {1, 6}, q(s_fc));
  b.op(op::kFullyConnected, 7, {flat, fw, fb}, {fc}, FullyConnectedOptions{});
  const auto out = b.tensor("relu", TensorType::Int16, {1, 6}, q(s_fc));
  b.op(op::kRelu, 1, {fc}, {out}, std::monostate{});
  return b.finish({in}, {out});
}

// 16x8 TRANSPOSE_CONV: stride 2 SAME with an int64 bias + ReLU, then stride 1 VALID 2x2 with an
// int16 bias (TFLite Micro widens it to int64).
Model tiny_16x8_tconv() {
  Rng rng(0xC7A1'001B);
  Builder b;
  auto q = [](float scale) { return per_tensor(scale, 0); };
  auto ints = [&](const std::string& name, std::vector<std::int32_t> v) {
    const auto n = static_cast<std::int32_t>(v.size());
    return b.tensor(name, TensorType::Int32, {n}, {}, le_bytes(v));
  };
  const float s_in = 4.0f / 32768.0f, s_up = 9.0f / 32768.0f, s_out = 6.0f / 32768.0f;
  const auto in = b.tensor("input", TensorType::Int16, {1, 4, 4, 3}, q(s_in));
  const auto [w1, b1] = params_16x8(b, rng, "up", s_in, {5, 3, 3, 3}, 0, TensorType::Int64);
  const auto up = b.tensor("up", TensorType::Int16, {1, 8, 8, 5}, q(s_up));
  b.op(op::kTransposeConv, 4, {ints("up/shape", {1, 8, 8, 5}), w1, in, b1}, {up}, TransposeConvOptions{Padding::Same, 2, 2, Activation::Relu});
  const auto [w2, none] = params_16x8(b, rng, "grow", s_up, {2, 2, 2, 5}, 0, TensorType::Float32);
  (void)none;
  std::vector<std::int16_t> b2(2);
  for (auto& v : b2) v = static_cast<std::int16_t>(rng.uniform(-20000, 20000));
  const auto bias2 = b.tensor("grow/b", TensorType::Int16, {2}, q(s_up * 0.005f), le_bytes(b2));
  const auto out = b.tensor("grow", TensorType::Int16, {1, 9, 9, 2}, q(s_out));
  b.op(op::kTransposeConv, 4, {ints("grow/shape", {1, 9, 9, 2}), w2, up, bias2}, {out}, TransposeConvOptions{Padding::Valid, 1, 1, Activation::None});
  return b.finish({in}, {out});
}

// An int16 SOFTMAX over rows of `depth` (TFLite's two interpolated tables).
Model tiny_softmax16(std::int32_t rows, std::int32_t depth, float in_scale, float beta) {
  Builder b;
  const auto in = b.tensor("input", TensorType::Int16, {1, rows, depth}, per_tensor(in_scale, 0));
  const auto out = b.tensor("Identity", TensorType::Int16, {1, rows, depth}, per_tensor(1.0f / 32768.0f, 0));
  b.op(op::kSoftmax, 2, {in}, {out}, SoftmaxOptions{beta});
  return b.finish({in}, {out});
}

Model tiny_fc() {
  Rng rng(0xC7A1'0001);
  Builder b;
  const float in_scale = 0.0235f;
  const float w_scale = 0.0078f;
  const auto in = b.tensor("input", TensorType::Int8, {1, 8}, per_tensor(in_scale, -3));
  const auto w = b.tensor("dense/MatMul", TensorType::Int8, {4, 8}, per_tensor(w_scale, 0),
                          le_bytes(weights(rng, 4, 8, false)));
  const auto bias = b.tensor("dense/BiasAdd/ReadVariableOp", TensorType::Int32, {4},
                             per_tensor(in_scale * w_scale, 0), le_bytes(biases(rng, 4, 1500)));
  const auto fc = b.tensor("dense/Relu", TensorType::Int8, {1, 4}, per_tensor(0.0412f, -128));
  const auto out = b.tensor("Identity", TensorType::Int8, {1, 4}, per_tensor(kSoftmaxScale, -128));
  b.op(op::kFullyConnected, 4, {in, w, bias}, {fc}, FullyConnectedOptions{Activation::Relu});
  b.op(op::kSoftmax, 2, {fc}, {out}, SoftmaxOptions{1.0f});
  return b.finish({in}, {out});
}

Model tiny_conv() {
  Rng rng(0xC7A1'0002);
  Builder b;
  const float in_scale = 0.0196f;
  const auto in = b.tensor("input", TensorType::Int8, {1, 6, 6, 2}, per_tensor(in_scale, 7));

  const std::vector<float> conv_ws = {0.0041f, 0.0063f, 0.0029f};
  const auto conv_w =
      b.tensor("conv2d/Conv2D", TensorType::Int8, {3, 3, 3, 2}, per_channel(conv_ws, 0),
               le_bytes(weights(rng, 3, 3 * 3 * 2, false)));
  const auto conv_b = b.tensor("conv2d/BiasAdd/ReadVariableOp", TensorType::Int32, {3},
                               bias_quant(in_scale, conv_ws), le_bytes(biases(rng, 3, 1500)));
  const float conv_scale = 0.0317f;
  const auto conv =
      b.tensor("conv2d/Relu", TensorType::Int8, {1, 6, 6, 3}, per_tensor(conv_scale, -128));

  const std::vector<float> dw_ws = {0.0112f, 0.0087f, 0.0154f};
  const auto dw_w = b.tensor("depthwise_conv2d/depthwise", TensorType::Int8, {1, 3, 3, 3},
                             per_channel(dw_ws, 3), le_bytes(weights(rng, 3, 3 * 3, true)));
  const auto dw_b = b.tensor("depthwise_conv2d/BiasAdd/ReadVariableOp", TensorType::Int32, {3},
                             bias_quant(conv_scale, dw_ws), le_bytes(biases(rng, 3, 800)));
  const float dw_scale = 6.0f / 255.0f;
  const auto dw = b.tensor("depthwise_conv2d/Relu6", TensorType::Int8, {1, 3, 3, 3},
                           per_tensor(dw_scale, -128));

  const auto pool = b.tensor("average_pooling2d/AvgPool", TensorType::Int8, {1, 1, 1, 3},
                             per_tensor(dw_scale, -128));
  const auto shape = b.tensor("flatten/Const", TensorType::Int32, {2}, {},
                              le_bytes(std::vector<std::int32_t>{1, 3}));
  const auto flat =
      b.tensor("flatten/Reshape", TensorType::Int8, {1, 3}, per_tensor(dw_scale, -128));

  const float fc_ws = 0.0094f;
  const auto fc_w = b.tensor("dense/MatMul", TensorType::Int8, {4, 3}, per_tensor(fc_ws, 0),
                             le_bytes(weights(rng, 4, 3, false)));
  const auto fc_b = b.tensor("dense/BiasAdd/ReadVariableOp", TensorType::Int32, {4},
                             per_tensor(dw_scale * fc_ws, 0), le_bytes(biases(rng, 4, 2000)));
  const auto fc = b.tensor("dense/BiasAdd", TensorType::Int8, {1, 4}, per_tensor(0.0871f, 9));
  const auto out = b.tensor("Identity", TensorType::Int8, {1, 4}, per_tensor(kSoftmaxScale, -128));

  b.op(op::kConv2D, 3, {in, conv_w, conv_b}, {conv},
       Conv2DOptions{Padding::Same, 1, 1, Activation::Relu, 1, 1});
  b.op(op::kDepthwiseConv2D, 3, {conv, dw_w, dw_b}, {dw},
       DepthwiseConv2DOptions{Padding::Same, 2, 2, 1, Activation::Relu6, 1, 1});
  b.op(op::kAveragePool2D, 2, {dw}, {pool},
       Pool2DOptions{Padding::Valid, 1, 1, 3, 3, Activation::None});
  b.op(op::kReshape, 1, {pool, shape}, {flat}, ReshapeOptions{std::vector<std::int32_t>{1, 3}});
  b.op(op::kFullyConnected, 4, {flat, fc_w, fc_b}, {fc}, FullyConnectedOptions{});
  b.op(op::kSoftmax, 2, {fc}, {out}, SoftmaxOptions{1.0f});
  return b.finish({in}, {out});
}

Model tiny_misc() {
  Rng rng(0xC7A1'0003);
  Builder b;
  const float q_scale = 0.0392f;
  const auto in = b.tensor("input", TensorType::Float32, {1, 4, 4, 2});
  const auto q = b.tensor("quantize", TensorType::Int8, {1, 4, 4, 2}, per_tensor(q_scale, -1));
  const auto pool =
      b.tensor("max_pooling2d/MaxPool", TensorType::Int8, {1, 2, 2, 2}, per_tensor(q_scale, -1));
  const auto axes = b.tensor("mean/reduction_indices", TensorType::Int32, {2}, {},
                             le_bytes(std::vector<std::int32_t>{1, 2}));
  const auto mean = b.tensor("mean/Mean", TensorType::Int8, {1, 1, 1, 2}, per_tensor(q_scale, -1));
  const auto shape = b.tensor("reshape/shape", TensorType::Int32, {2}, {},
                              le_bytes(std::vector<std::int32_t>{1, 2}));
  const auto flat = b.tensor("reshape/Reshape", TensorType::Int8, {1, 2}, per_tensor(q_scale, -1));
  const auto cat = b.tensor("concat/concat", TensorType::Int8, {1, 4}, per_tensor(q_scale, -1));
  std::vector<std::int8_t> offsets(4);
  for (auto& v : offsets) v = static_cast<std::int8_t>(rng.uniform(-127, 127));
  const auto konst =
      b.tensor("add/y", TensorType::Int8, {1, 4}, per_tensor(0.0157f, 0), le_bytes(offsets));
  const auto add = b.tensor("add/Relu", TensorType::Int8, {1, 4}, per_tensor(0.0471f, -128));
  const auto out = b.tensor("Identity", TensorType::Float32, {1, 4});

  b.op(op::kQuantize, 2, {in}, {q}, QuantizeOptions{});
  b.op(op::kMaxPool2D, 2, {q}, {pool}, Pool2DOptions{Padding::Valid, 2, 2, 2, 2, Activation::None});
  b.op(op::kMean, 2, {pool, axes}, {mean}, ReducerOptions{true});
  b.op(op::kReshape, 1, {mean, shape}, {flat}, ReshapeOptions{});
  b.op(op::kConcatenation, 3, {flat, flat}, {cat}, ConcatenationOptions{1, Activation::None});
  b.op(op::kAdd, 2, {cat, konst}, {add}, AddOptions{Activation::Relu, true});
  b.op(op::kDequantize, 2, {add}, {out}, DequantizeOptions{});
  return b.finish({in}, {out});
}

Model tiny_ops() {
  Rng rng(0xC7A1'0004);
  Builder b;
  const float q_scale = 0.0275f;
  const auto in = b.tensor("input", TensorType::Float32, {1, 6, 6, 2});
  const auto q = b.tensor("quantize", TensorType::Int8, {1, 6, 6, 2}, per_tensor(q_scale, 3));

  const std::vector<float> conv_ws = {0.0052f, 0.0038f, 0.0071f, 0.0044f};
  const auto conv_w = b.tensor("conv2d/Conv2D", TensorType::Int8, {4, 3, 3, 2}, per_channel(conv_ws, 0),
                               le_bytes(weights(rng, 4, 3 * 3 * 2, false)));
  const auto conv_b = b.tensor("conv2d/BiasAdd/ReadVariableOp", TensorType::Int32, {4},
                               bias_quant(q_scale, conv_ws), le_bytes(biases(rng, 4, 1200)));
  const float conv_scale = 0.0219f;
  const auto conv = b.tensor("conv2d/BiasAdd", TensorType::Int8, {1, 6, 6, 4}, per_tensor(conv_scale, 5));
  const auto relu = b.tensor("re_lu/Relu", TensorType::Int8, {1, 6, 6, 4}, per_tensor(conv_scale, 5));
  const auto pool = b.tensor("max_pooling2d/MaxPool", TensorType::Int8, {1, 3, 3, 4}, per_tensor(conv_scale, 5));
  const auto sig = b.tensor("activation/Sigmoid", TensorType::Int8, {1, 3, 3, 4}, per_tensor(1.0f / 256.0f, -128));
  const auto axes = b.tensor("global_average_pooling2d/Mean/reduction_indices", TensorType::Int32, {2}, {},
                             le_bytes(std::vector<std::int32_t>{1, 2}));
  const float mean_scale = 0.0031f;
  const auto mean = b.tensor("global_average_pooling2d/Mean", TensorType::Int8, {1, 4}, per_tensor(mean_scale, -100));

  const float fc_ws = 0.0112f;
  const auto fc_w = b.tensor("dense/MatMul", TensorType::Int8, {3, 4}, per_tensor(fc_ws, 0),
                             le_bytes(weights(rng, 3, 4, false)));
  const auto fc_b = b.tensor("dense/BiasAdd/ReadVariableOp", TensorType::Int32, {3},
                             per_tensor(mean_scale * fc_ws, 0), le_bytes(biases(rng, 3, 3000)));
  const auto fc = b.tensor("dense/BiasAdd", TensorType::Int8, {1, 3}, per_tensor(0.0093f, -4));
  const auto tanh = b.tensor("activation_1/Tanh", TensorType::Int8, {1, 3}, per_tensor(1.0f / 128.0f, 0));
  const auto out = b.tensor("Identity", TensorType::Float32, {1, 3});

  b.op(op::kQuantize, 2, {in}, {q}, QuantizeOptions{});
  b.op(op::kConv2D, 3, {q, conv_w, conv_b}, {conv}, Conv2DOptions{Padding::Same, 1, 1, Activation::None, 1, 1});
  b.op(op::kRelu, 2, {conv}, {relu});
  b.op(op::kMaxPool2D, 2, {relu}, {pool}, Pool2DOptions{Padding::Valid, 2, 2, 2, 2, Activation::None});
  b.op(op::kLogistic, 2, {pool}, {sig});
  b.op(op::kMean, 2, {sig, axes}, {mean}, ReducerOptions{false});
  b.op(op::kFullyConnected, 4, {mean, fc_w, fc_b}, {fc}, FullyConnectedOptions{});
  b.op(op::kTanh, 2, {fc}, {tanh});
  b.op(op::kDequantize, 2, {tanh}, {out}, DequantizeOptions{});
  return b.finish({in}, {out});
}

Model tiny_residual() {
  Rng rng(0xC7A1'0005);
  Builder b;
  const float in_scale = 0.0231f;
  const auto in = b.tensor("input", TensorType::Int8, {1, 6, 6, 3}, per_tensor(in_scale, -3));
  // A conv layer with per-channel weights, returning its output tensor.
  auto conv = [&](const char* name, std::int32_t x, float x_scale, std::int32_t cin, std::int32_t cout, std::int32_t k,
                  std::int32_t stride, std::int32_t hw_out, float out_scale, std::int64_t out_zp, Activation act) {
    std::vector<float> ws;
    for (std::int32_t c = 0; c < cout; ++c) ws.push_back(static_cast<float>(30 + 4 * rng.uniform(0, 10)) * 0.0001f);
    const auto w = b.tensor(std::string(name) + "/Conv2D", TensorType::Int8, {cout, k, k, cin}, per_channel(ws, 0),
                            le_bytes(weights(rng, static_cast<std::size_t>(cout), static_cast<std::size_t>(k * k * cin), false)));
    const auto bias = b.tensor(std::string(name) + "/BiasAdd/ReadVariableOp", TensorType::Int32, {cout},
                               bias_quant(x_scale, ws), le_bytes(biases(rng, static_cast<std::size_t>(cout), 900)));
    const auto y = b.tensor(std::string(name) + "/out", TensorType::Int8, {1, hw_out, hw_out, cout},
                            per_tensor(out_scale, out_zp));
    b.op(op::kConv2D, 3, {x, w, bias}, {y}, Conv2DOptions{Padding::Same, stride, stride, act, 1, 1});
    return y;
  };
  const auto stem = conv("stem", in, in_scale, 3, 4, 3, 1, 6, 0.0277f, -128, Activation::Relu);
  // Block 1, identity shortcut: stem -> conv+relu -> conv, ADD(stem) with ReLU.
  const auto b1a = conv("block1a", stem, 0.0277f, 4, 4, 3, 1, 6, 0.0301f, -128, Activation::Relu);
  const auto b1b = conv("block1b", b1a, 0.0301f, 4, 4, 3, 1, 6, 0.0412f, 6, Activation::None);
  const auto add1 = b.tensor("add/Relu", TensorType::Int8, {1, 6, 6, 4}, per_tensor(0.0388f, -128));
  b.op(op::kAdd, 2, {b1b, stem}, {add1}, AddOptions{Activation::Relu, true});
  // Block 2, projection shortcut (1x1 stride 2) listed first, as TFLite often orders it.
  const auto proj = conv("block2proj", add1, 0.0388f, 4, 8, 1, 2, 3, 0.0295f, 2, Activation::None);
  const auto b2a = conv("block2a", add1, 0.0388f, 4, 8, 3, 2, 3, 0.0322f, -128, Activation::Relu);
  const auto b2b = conv("block2b", b2a, 0.0322f, 8, 8, 3, 1, 3, 0.0456f, -9, Activation::None);
  const auto add2 = b.tensor("add_1/Relu", TensorType::Int8, {1, 3, 3, 8}, per_tensor(0.0510f, -128));
  b.op(op::kAdd, 2, {proj, b2b}, {add2}, AddOptions{Activation::Relu, true});
  const auto axes = b.tensor("mean/reduction_indices", TensorType::Int32, {2}, {},
                             le_bytes(std::vector<std::int32_t>{1, 2}));
  const auto mean = b.tensor("mean/Mean", TensorType::Int8, {1, 8}, per_tensor(0.0255f, -128));
  b.op(op::kMean, 2, {add2, axes}, {mean}, ReducerOptions{false});
  const float fc_ws = 0.0101f;
  const auto fc_w = b.tensor("dense/MatMul", TensorType::Int8, {3, 8}, per_tensor(fc_ws, 0),
                             le_bytes(weights(rng, 3, 8, false)));
  const auto fc_b = b.tensor("dense/BiasAdd/ReadVariableOp", TensorType::Int32, {3},
                             per_tensor(0.0255f * fc_ws, 0), le_bytes(biases(rng, 3, 2000)));
  const auto fc = b.tensor("dense/BiasAdd", TensorType::Int8, {1, 3}, per_tensor(0.0733f, 3));
  const auto out = b.tensor("Identity", TensorType::Int8, {1, 3}, per_tensor(kSoftmaxScale, -128));
  b.op(op::kFullyConnected, 4, {mean, fc_w, fc_b}, {fc}, FullyConnectedOptions{});
  b.op(op::kSoftmax, 2, {fc}, {out}, SoftmaxOptions{1.0f});
  return b.finish({in}, {out});
}

// Residual blocks inside a residual block's body: stem -> [conv -> [conv -> conv] + identity ->
// conv] + 1x1 projection -> MEAN -> FC -> SOFTMAX. The inner ADD lists its shortcut first.
Model tiny_nested() {
  Rng rng(0xC7A1'0006);
  Builder b;
  const float in_scale = 0.0247f;
  const auto in = b.tensor("input", TensorType::Int8, {1, 5, 5, 3}, per_tensor(in_scale, 4));
  auto conv = [&](const char* name, std::int32_t x, float x_scale, std::int32_t cin, std::int32_t cout, std::int32_t k,
                  float out_scale, std::int64_t out_zp, Activation act) {
    std::vector<float> ws;
    // One rounding (an exact integer over 10^4), so a compiler that fuses a*b+c (FMA under
    // -march=native) produces the same bytes.
    for (std::int32_t c = 0; c < cout; ++c)
      ws.push_back(static_cast<float>(static_cast<double>(32 + 4 * rng.uniform(0, 10)) / 10000.0));
    const auto w = b.tensor(std::string(name) + "/Conv2D", TensorType::Int8, {cout, k, k, cin}, per_channel(ws, 0),
                            le_bytes(weights(rng, static_cast<std::size_t>(cout), static_cast<std::size_t>(k * k * cin), false)));
    const auto bias = b.tensor(std::string(name) + "/BiasAdd/ReadVariableOp", TensorType::Int32, {cout},
                               bias_quant(x_scale, ws), le_bytes(biases(rng, static_cast<std::size_t>(cout), 800)));
    const auto y = b.tensor(std::string(name) + "/out", TensorType::Int8, {1, 5, 5, cout}, per_tensor(out_scale, out_zp));
    b.op(op::kConv2D, 3, {x, w, bias}, {y}, Conv2DOptions{Padding::Same, 1, 1, act, 1, 1});
    return y;
  };
  const auto stem = conv("stem", in, in_scale, 3, 4, 3, 0.0281f, -128, Activation::Relu);
  const auto a = conv("outer_a", stem, 0.0281f, 4, 4, 3, 0.0305f, -128, Activation::Relu);
  const auto ib = conv("inner_b", a, 0.0305f, 4, 4, 3, 0.0297f, -128, Activation::Relu);
  const auto ic = conv("inner_c", ib, 0.0297f, 4, 4, 3, 0.0398f, 5, Activation::None);
  const auto inner = b.tensor("add/Relu", TensorType::Int8, {1, 5, 5, 4}, per_tensor(0.0402f, -128));
  b.op(op::kAdd, 2, {a, ic}, {inner}, AddOptions{Activation::Relu, true});
  const auto d = conv("outer_d", inner, 0.0402f, 4, 4, 3, 0.0433f, -7, Activation::None);
  const auto proj = conv("outer_proj", stem, 0.0281f, 4, 4, 1, 0.0288f, 3, Activation::None);
  const auto outer = b.tensor("add_1/Relu", TensorType::Int8, {1, 5, 5, 4}, per_tensor(0.0491f, -128));
  b.op(op::kAdd, 2, {d, proj}, {outer}, AddOptions{Activation::Relu, true});
  const auto axes = b.tensor("mean/reduction_indices", TensorType::Int32, {2}, {},
                             le_bytes(std::vector<std::int32_t>{1, 2}));
  const auto mean = b.tensor("mean/Mean", TensorType::Int8, {1, 4}, per_tensor(0.0249f, -128));
  b.op(op::kMean, 2, {outer, axes}, {mean}, ReducerOptions{false});
  const float fc_ws = 0.0104f;
  const auto fc_w = b.tensor("dense/MatMul", TensorType::Int8, {3, 4}, per_tensor(fc_ws, 0),
                             le_bytes(weights(rng, 3, 4, false)));
  const auto fc_b = b.tensor("dense/BiasAdd/ReadVariableOp", TensorType::Int32, {3},
                             per_tensor(0.0249f * fc_ws, 0), le_bytes(biases(rng, 3, 2000)));
  const auto fc = b.tensor("dense/BiasAdd", TensorType::Int8, {1, 3}, per_tensor(0.0711f, 2));
  const auto out = b.tensor("Identity", TensorType::Int8, {1, 3}, per_tensor(kSoftmaxScale, -128));
  b.op(op::kFullyConnected, 4, {mean, fc_w, fc_b}, {fc}, FullyConnectedOptions{});
  b.op(op::kSoftmax, 2, {fc}, {out}, SoftmaxOptions{1.0f});
  return b.finish({in}, {out});
}

// (g) A FLOAT32 model of every float op ctml-import maps: float [1,8,8,3] -> CONV_2D 3x3 SAME (4,
//     RELU) -> residual block (DEPTHWISE 3x3 SAME RELU6, CONV 1x1, ADD with the identity) ->
//     MAX_POOL 2x2/2 -> DEPTHWISE 3x3 VALID x2 -> TANH -> AVERAGE_POOL 2x2/1 SAME ->
//     MEAN(1, 2, keep_dims) -> RESHAPE [1,8] -> FULLY_CONNECTED(5, RELU6) -> LOGISTIC -> RELU ->
//     FULLY_CONNECTED(5) -> SOFTMAX(beta 0.5) -> float [1,5].
Model tiny_float() {
  Rng rng(0xC7A1'0007);
  Builder b;
  auto values = [&](std::size_t n, float scale) {
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(rng.uniform(-1000, 1000)) * (scale / 1000.0f);
    return v;
  };
  auto f32 = [&](const std::string& name, std::vector<std::int32_t> shape) { return b.tensor(name, TensorType::Float32, std::move(shape)); };
  auto konst = [&](const std::string& name, std::vector<std::int32_t> shape, float scale) {
    std::size_t n = 1;
    for (const auto d : shape) n *= static_cast<std::size_t>(d);
    return b.tensor(name, TensorType::Float32, std::move(shape), {}, le_bytes(values(n, scale)));
  };
  const auto in = f32("input", {1, 8, 8, 3});
  const auto stem = f32("stem/Relu", {1, 8, 8, 4});
  b.op(op::kConv2D, 1, {in, konst("stem/Conv2D", {4, 3, 3, 3}, 0.4f), konst("stem/bias", {4}, 0.1f)}, {stem},
       Conv2DOptions{Padding::Same, 1, 1, Activation::Relu, 1, 1});
  const auto dw1 = f32("block/dw/Relu6", {1, 8, 8, 4});
  b.op(op::kDepthwiseConv2D, 1, {stem, konst("block/dw/w", {1, 3, 3, 4}, 0.5f), konst("block/dw/bias", {4}, 0.1f)}, {dw1},
       DepthwiseConv2DOptions{Padding::Same, 1, 1, 1, Activation::Relu6, 1, 1});
  const auto pw = f32("block/pw/Conv2D", {1, 8, 8, 4});
  b.op(op::kConv2D, 1, {dw1, konst("block/pw/w", {4, 1, 1, 4}, 0.5f), konst("block/pw/bias", {4}, 0.1f)}, {pw},
       Conv2DOptions{Padding::Same, 1, 1, Activation::None, 1, 1});
  const auto sum = f32("block/add", {1, 8, 8, 4});
  b.op(op::kAdd, 1, {pw, stem}, {sum}, AddOptions{Activation::None, true});
  const auto pool = f32("max_pool", {1, 4, 4, 4});
  b.op(op::kMaxPool2D, 1, {sum}, {pool}, Pool2DOptions{Padding::Valid, 2, 2, 2, 2, Activation::None});
  const auto dw2 = f32("dw2", {1, 2, 2, 8});
  b.op(op::kDepthwiseConv2D, 1, {pool, konst("dw2/w", {1, 3, 3, 8}, 0.4f), konst("dw2/bias", {8}, 0.1f)}, {dw2},
       DepthwiseConv2DOptions{Padding::Valid, 1, 1, 2, Activation::None, 1, 1});
  const auto th = f32("tanh", {1, 2, 2, 8});
  b.op(op::kTanh, 1, {dw2}, {th}, std::monostate{});
  const auto avg = f32("avg_pool", {1, 2, 2, 8});
  b.op(op::kAveragePool2D, 1, {th}, {avg}, Pool2DOptions{Padding::Same, 1, 1, 2, 2, Activation::None});
  const auto axes = b.tensor("mean/axes", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 2}));
  const auto mean = f32("mean", {1, 1, 1, 8});
  b.op(op::kMean, 1, {avg, axes}, {mean}, ReducerOptions{true});
  const auto shape = b.tensor("reshape/shape", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 8}));
  const auto flat = f32("reshape", {1, 8});
  b.op(op::kReshape, 1, {mean, shape}, {flat}, ReshapeOptions{});
  const auto fc1 = f32("fc1/Relu6", {1, 5});
  b.op(op::kFullyConnected, 1, {flat, konst("fc1/w", {5, 8}, 1.5f), konst("fc1/bias", {5}, 0.5f)}, {fc1},
       FullyConnectedOptions{Activation::Relu6});
  const auto sig = f32("logistic", {1, 5});
  b.op(op::kLogistic, 1, {fc1}, {sig}, std::monostate{});
  const auto relu = f32("relu", {1, 5});
  b.op(op::kRelu, 1, {sig}, {relu}, std::monostate{});
  const auto fc2 = f32("fc2", {1, 5});
  b.op(op::kFullyConnected, 1, {relu, konst("fc2/w", {5, 5}, 3.0f), konst("fc2/bias", {5}, 0.5f)}, {fc2},
       FullyConnectedOptions{});
  const auto out = f32("Identity", {1, 5});
  b.op(op::kSoftmax, 1, {fc2}, {out}, SoftmaxOptions{0.5f});
  return b.finish({in}, {out});
}

// (h) The layout ops PyTorch-converted models start with, int8 or float: [1,3,8,8] (NCHW) ->
//     TRANSPOSE(0,2,3,1) -> PAD(H 1/1, W 2/0) -> CONV_2D 3x3 VALID (4, RELU) -> PADV2(H 0/1,
//     W 0/1, a constant) -> MAX_POOL 3x3/3 -> MEAN(1,2, keep_dims) -> SQUEEZE(1,2) ->
//     EXPAND_DIMS(1) -> RESHAPE [1,4] -> FULLY_CONNECTED(3) -> SOFTMAX -> [1,3].
Model tiny_layout(bool int8) {
  Rng rng(int8 ? 0xC7A1'0008 : 0xC7A1'0009);
  Builder b;
  const TensorType act = int8 ? TensorType::Int8 : TensorType::Float32;
  const float s_in = 0.0213f, s_conv = 0.0311f;
  auto q = [&](float scale, std::int64_t zp) { return int8 ? per_tensor(scale, zp) : Quantization{}; };
  auto ints = [&](const std::string& name, std::vector<std::int32_t> shape, std::vector<std::int32_t> v) {
    return b.tensor(name, TensorType::Int32, std::move(shape), {}, le_bytes(v));
  };
  auto fvalues = [&](std::size_t n, float scale) {
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(rng.uniform(-1000, 1000)) * (scale / 1000.0f);
    return v;
  };
  const auto in = b.tensor("input", act, {1, 3, 8, 8}, q(s_in, 5));
  const auto nhwc = b.tensor("transpose", act, {1, 8, 8, 3}, q(s_in, 5));
  b.op(op::kTranspose, 1, {in, ints("transpose/perm", {4}, {0, 2, 3, 1})}, {nhwc}, TransposeOptions{});
  const auto padded = b.tensor("pad", act, {1, 10, 10, 3}, q(s_in, 5));
  b.op(op::kPad, 1, {nhwc, ints("pad/paddings", {4, 2}, {0, 0, 1, 1, 2, 0, 0, 0})}, {padded}, PadOptions{});
  std::int32_t w, bias;
  std::vector<float> ws;
  if (int8) {
    for (int c = 0; c < 4; ++c) ws.push_back(static_cast<float>(40 + 5 * rng.uniform(0, 8)) * 0.0001f);
    w = b.tensor("conv/w", TensorType::Int8, {4, 3, 3, 3}, per_channel(ws, 0), le_bytes(weights(rng, 4, 27, false)));
    bias = b.tensor("conv/bias", TensorType::Int32, {4}, bias_quant(s_in, ws), le_bytes(biases(rng, 4, 700)));
  } else {
    w = b.tensor("conv/w", TensorType::Float32, {4, 3, 3, 3}, {}, le_bytes(fvalues(108, 0.4f)));
    bias = b.tensor("conv/bias", TensorType::Float32, {4}, {}, le_bytes(fvalues(4, 0.1f)));
  }
  const auto conv = b.tensor("conv", act, {1, 8, 8, 4}, q(s_conv, -128));
  b.op(op::kConv2D, 3, {padded, w, bias}, {conv}, Conv2DOptions{Padding::Valid, 1, 1, Activation::Relu, 1, 1});
  const auto value = int8 ? b.tensor("padv2/value", TensorType::Int8, {}, q(s_conv, -128), le_bytes(std::vector<std::int8_t>{-100}))
                          : b.tensor("padv2/value", TensorType::Float32, {}, {}, le_bytes(std::vector<float>{-0.5f}));
  const auto padded2 = b.tensor("padv2", act, {1, 9, 9, 4}, q(s_conv, -128));
  b.op(op::kPadV2, 1, {conv, ints("padv2/paddings", {4, 2}, {0, 0, 0, 1, 0, 1, 0, 0}), value}, {padded2}, PadV2Options{});
  const auto pool = b.tensor("max_pool", act, {1, 3, 3, 4}, q(s_conv, -128));
  b.op(op::kMaxPool2D, 2, {padded2}, {pool}, Pool2DOptions{Padding::Valid, 3, 3, 3, 3, Activation::None});
  const auto mean = b.tensor("mean", act, {1, 1, 1, 4}, q(0.0207f, -120));
  b.op(op::kMean, 2, {pool, ints("mean/axes", {2}, {1, 2})}, {mean}, ReducerOptions{true});
  const auto squeezed = b.tensor("squeeze", act, {1, 4}, q(0.0207f, -120));
  b.op(op::kSqueeze, 1, {mean}, {squeezed}, SqueezeOptions{{1, 2}});
  const auto expanded = b.tensor("expand_dims", act, {1, 1, 4}, q(0.0207f, -120));
  b.op(op::kExpandDims, 1, {squeezed, ints("expand_dims/axis", {}, {1})}, {expanded}, ExpandDimsOptions{});
  const auto flat = b.tensor("reshape", act, {1, 4}, q(0.0207f, -120));
  b.op(op::kReshape, 1, {expanded, ints("reshape/shape", {2}, {1, 4})}, {flat}, ReshapeOptions{});
  std::int32_t fw, fb;
  if (int8) {
    fw = b.tensor("fc/w", TensorType::Int8, {3, 4}, per_tensor(0.0021f, 0), le_bytes(weights(rng, 3, 4, false)));
    fb = b.tensor("fc/bias", TensorType::Int32, {3}, per_tensor(0.0207f * 0.0021f, 0), le_bytes(biases(rng, 3, 3000)));
  } else {
    fw = b.tensor("fc/w", TensorType::Float32, {3, 4}, {}, le_bytes(fvalues(12, 0.3f)));
    fb = b.tensor("fc/bias", TensorType::Float32, {3}, {}, le_bytes(fvalues(3, 0.5f)));
  }
  const auto fc = b.tensor("fc", act, {1, 3}, q(0.0512f, 4));
  b.op(op::kFullyConnected, 4, {flat, fw, fb}, {fc}, FullyConnectedOptions{});
  const auto out = b.tensor("Identity", act, {1, 3}, q(1.0f / 256.0f, -128));
  b.op(op::kSoftmax, 1, {fc}, {out}, SoftmaxOptions{1.0f});
  return b.finish({in}, {out});
}

// (i) One int8 activation op on [1,256] (the test feeds all 256 input bytes): LEAKY_RELU or
//     HARD_SWISH with the given scales.
Model tiny_activation(std::int32_t code, float alpha, float in_scale, std::int64_t in_zp, float out_scale, std::int64_t out_zp) {
  Builder b;
  const auto in = b.tensor("input", TensorType::Int8, {1, 256}, per_tensor(in_scale, in_zp));
  const auto out = b.tensor("Identity", TensorType::Int8, {1, 256}, per_tensor(out_scale, out_zp));
  if (code == op::kLeakyRelu) b.op(op::kLeakyRelu, 2, {in}, {out}, LeakyReluOptions{alpha});
  else b.op(op::kHardSwish, 1, {in}, {out}, HardSwishOptions{});
  return b.finish({in}, {out});
}

// (j) The same activations in a float model: [1,64] -> LEAKY_RELU(0.2) -> HARD_SWISH ->
//     LEAKY_RELU(-0.3) -> [1,64].
Model tiny_activation_float() {
  Builder b;
  const auto in = b.tensor("input", TensorType::Float32, {1, 64});
  const auto a = b.tensor("leaky", TensorType::Float32, {1, 64});
  const auto h = b.tensor("hard_swish", TensorType::Float32, {1, 64});
  const auto out = b.tensor("Identity", TensorType::Float32, {1, 64});
  b.op(op::kLeakyRelu, 1, {in}, {a}, LeakyReluOptions{0.2f});
  b.op(op::kHardSwish, 1, {a}, {h}, HardSwishOptions{});
  b.op(op::kLeakyRelu, 1, {h}, {out}, LeakyReluOptions{-0.3f});
  return b.finish({in}, {out});
}

// (k) ADD / SUB / MUL with a constant operand, int8 or float: [1,4,4,3] -> MUL(x, c[3]) ->
//     ADD(c[1], x, RELU) (constant first) -> SUB(x, c[1,4,4,3]) -> SUB(c[3], x) -> [1,4,4,3].
Model tiny_binary(bool int8) {
  Rng rng(int8 ? 0xC7A1'000A : 0xC7A1'000B);
  Builder b;
  const TensorType act = int8 ? TensorType::Int8 : TensorType::Float32;
  auto q = [&](float scale, std::int64_t zp) { return int8 ? per_tensor(scale, zp) : Quantization{}; };
  auto konst = [&](const std::string& name, std::vector<std::int32_t> shape, float scale, std::int64_t zp) {
    std::size_t n = 1;
    for (const auto d : shape) n *= static_cast<std::size_t>(d);
    if (int8) {
      std::vector<std::int8_t> v(n);
      for (auto& x : v) x = static_cast<std::int8_t>(rng.uniform(-128, 127));
      return b.tensor(name, TensorType::Int8, std::move(shape), per_tensor(scale, zp), le_bytes(v));
    }
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(rng.uniform(-1000, 1000)) * (scale * 100.0f / 1000.0f);
    return b.tensor(name, TensorType::Float32, std::move(shape), {}, le_bytes(v));
  };
  const auto in = b.tensor("input", act, {1, 4, 4, 3}, q(0.031f, -7));
  const auto mul = b.tensor("mul", act, {1, 4, 4, 3}, q(0.045f, 3));
  b.op(op::kMul, 1, {in, konst("mul/c", {3}, 0.017f, 2)}, {mul}, MulOptions{Activation::None});
  const auto add = b.tensor("add", act, {1, 4, 4, 3}, q(0.038f, -128));
  b.op(op::kAdd, 1, {konst("add/c", {1}, 0.02f, -5), mul}, {add}, AddOptions{Activation::Relu, true});
  const auto sub = b.tensor("sub", act, {1, 4, 4, 3}, q(0.051f, 9));
  b.op(op::kSub, 1, {add, konst("sub/c", {1, 4, 4, 3}, 0.025f, 0)}, {sub}, SubOptions{Activation::None, true});
  const auto out = b.tensor("Identity", act, {1, 4, 4, 3}, q(0.06f, -2));
  b.op(op::kSub, 1, {konst("rsub/c", {3}, 0.03f, 11), sub}, {out}, SubOptions{Activation::None, true});
  return b.finish({in}, {out});
}

Model tiny_merge(bool int8) {
  Rng rng(int8 ? 0xC7A1'0010 : 0xC7A1'0011);
  Builder b;
  const TensorType act_type = int8 ? TensorType::Int8 : TensorType::Float32;
  // An activation tensor (quantized when int8).
  auto tensor = [&](const std::string& name, std::vector<std::int32_t> shape, float scale, std::int64_t zp) {
    return b.tensor(name, act_type, std::move(shape), int8 ? per_tensor(scale, zp) : Quantization{});
  };
  // A convolution (1x1 / 3x3 SAME, or depthwise 3x3) from x (scale x_scale) to y.
  auto conv = [&](const std::string& name, std::int32_t x, float x_scale, std::int32_t cin, std::int32_t cout, std::int32_t k,
                  bool depthwise, std::int32_t y, Activation act) {
    const auto [w, bias] = conv_params(b, rng, name, x_scale, cin, cout, k, int8, depthwise, true);
    if (depthwise)
      b.op(op::kDepthwiseConv2D, 1, {x, w, bias}, {y}, DepthwiseConv2DOptions{Padding::Same, 1, 1, 1, act, 1, 1});
    else
      b.op(op::kConv2D, 1, {x, w, bias}, {y}, Conv2DOptions{Padding::Same, 1, 1, act, 1, 1});
  };
  const float s_in = 0.0231f, s0 = 0.0277f, s_cat = 0.0342f, s_mean = 0.0301f, s_g = 0.0412f, s_se = 0.0297f, s_sub = 0.0388f,
              s_r = 0.0356f, s_add = 0.0402f;
  const auto in = tensor("input", {1, 6, 6, 4}, s_in, -3);
  const auto c0 = tensor("stem", {1, 6, 6, 4}, s0, -128);
  conv("stem", in, s_in, 4, 4, 1, false, c0, Activation::Relu);
  // Inception-style: a 3x3 conv and a depthwise conv of the same tensor, concatenated.
  const auto ca = tensor("branch_a", {1, 6, 6, 6}, s_cat, 4);
  conv("branch_a", c0, s0, 4, 6, 3, false, ca, Activation::None);
  const auto cb = tensor("branch_b", {1, 6, 6, 4}, s_cat, 4);
  conv("branch_b", c0, s0, 4, 4, 3, true, cb, Activation::Relu6);
  const auto cat = tensor("concat", {1, 6, 6, 10}, s_cat, 4);
  b.op(op::kConcatenation, 1, {ca, cb}, {cat}, ConcatenationOptions{-1, Activation::None});
  // Squeeze-and-excitation: gates from the global mean, multiplied into the feature map.
  const auto axes = b.tensor("mean/axes", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 2}));
  const auto mean = tensor("se/mean", {1, 1, 1, 10}, s_mean, -20);
  b.op(op::kMean, 1, {cat, axes}, {mean}, ReducerOptions{true});
  const auto g = tensor("se/conv", {1, 1, 1, 10}, s_g, 3);
  conv("se/conv", mean, s_mean, 10, 10, 1, false, g, Activation::None);
  const auto gates = tensor("se/sigmoid", {1, 1, 1, 10}, 1.0f / 256.0f, -128);
  b.op(op::kLogistic, 1, {g}, {gates}, std::monostate{});
  const auto se = tensor("se/mul", {1, 6, 6, 10}, s_se, -5);
  b.op(op::kMul, 1, {cat, gates}, {se}, MulOptions{Activation::None});
  // SUB of a conv of the tensor and the tensor itself; MAXIMUM likewise; MINIMUM with a constant.
  const auto p = tensor("sub/conv", {1, 6, 6, 10}, s_se, 2);
  conv("sub/conv", se, s_se, 10, 10, 1, false, p, Activation::None);
  const auto sub = tensor("sub", {1, 6, 6, 10}, s_sub, 1);
  b.op(op::kSub, 1, {p, se}, {sub}, SubOptions{Activation::None, true});
  const auto q = tensor("max/conv", {1, 6, 6, 10}, s_sub, 1);
  conv("max/conv", sub, s_sub, 10, 10, 1, false, q, Activation::None);
  const auto mx = tensor("max", {1, 6, 6, 10}, s_sub, 1);
  b.op(op::kMaximum, 1, {q, sub}, {mx}, MaximumMinimumOptions{});
  std::int32_t cap;
  if (int8) {
    std::vector<std::int8_t> cv(10);
    for (auto& v : cv) v = static_cast<std::int8_t>(rng.uniform(-20, 100));
    cap = b.tensor("min/cap", TensorType::Int8, {10}, per_tensor(s_sub, 1), le_bytes(cv));
  } else {
    std::vector<float> cv(10);
    for (auto& v : cv) v = static_cast<float>(rng.uniform(-200, 1000)) * (3.0f / 1000.0f);
    cap = b.tensor("min/cap", TensorType::Float32, {10}, {}, le_bytes(cv));
  }
  const auto mn = tensor("min", {1, 6, 6, 10}, s_sub, 1);
  b.op(op::kMinimum, 1, {mx, cap}, {mn}, MaximumMinimumOptions{});
  // A residual ADD with a fused ReLU (float: a merge with the activation).
  const auto r = tensor("res/conv", {1, 6, 6, 10}, s_r, -7);
  conv("res/conv", mn, s_sub, 10, 10, 3, false, r, Activation::None);
  const auto add = tensor("res/add", {1, 6, 6, 10}, s_add, -128);
  b.op(op::kAdd, 1, {r, mn}, {add}, AddOptions{Activation::Relu, true});
  return b.finish({in}, {add});  // every element compared, nothing averaged away
}

Model tiny_requant() {
  Rng rng(0xC7A1'0012);
  Builder b;
  auto conv = [&](const std::string& name, std::int32_t x, float x_scale, std::int32_t cin, std::int32_t cout, std::int32_t k,
                  std::int32_t y, Activation act) {
    const auto [w, bias] = conv_params(b, rng, name, x_scale, cin, cout, k, true, false, true);
    b.op(op::kConv2D, 3, {x, w, bias}, {y}, Conv2DOptions{Padding::Same, 1, 1, act, 1, 1});
  };
  const auto in = b.tensor("input", TensorType::Int8, {1, 4, 4, 3}, per_tensor(0.0231f, -3));
  const auto c1 = b.tensor("conv1", TensorType::Int8, {1, 4, 4, 4}, per_tensor(0.0301f, -128));
  conv("conv1", in, 0.0231f, 3, 4, 3, c1, Activation::Relu);
  const auto rq = b.tensor("requantize", TensorType::Int8, {1, 4, 4, 4}, per_tensor(0.0517f, 9));
  b.op(op::kQuantize, 1, {c1}, {rq}, QuantizeOptions{});
  const auto f = b.tensor("dequantize", TensorType::Float32, {1, 4, 4, 4});
  b.op(op::kDequantize, 2, {rq}, {f}, DequantizeOptions{});
  const auto sig = b.tensor("sigmoid", TensorType::Float32, {1, 4, 4, 4});
  b.op(op::kLogistic, 1, {f}, {sig}, std::monostate{});
  const auto q = b.tensor("quantize", TensorType::Int8, {1, 4, 4, 4}, per_tensor(1.0f / 200.0f, -100));
  b.op(op::kQuantize, 1, {sig}, {q}, QuantizeOptions{});
  const auto out = b.tensor("conv2", TensorType::Int8, {1, 4, 4, 5}, per_tensor(0.0193f, 4));
  conv("conv2", q, 1.0f / 200.0f, 4, 5, 1, out, Activation::None);
  return b.finish({in}, {out});
}

Model tiny_slice(bool int8) {
  Rng rng(int8 ? 0xC7A1'0013 : 0xC7A1'0014);
  Builder b;
  const TensorType t = int8 ? TensorType::Int8 : TensorType::Float32;
  const float s_in = 0.0231f, s_c = 0.0374f;
  auto q = [&](float scale, std::int64_t zp) { return int8 ? per_tensor(scale, zp) : Quantization{}; };
  auto ints = [&](const std::string& name, std::vector<std::int32_t> v) {
    const auto n = static_cast<std::int32_t>(v.size());
    return b.tensor(name, TensorType::Int32, {n}, {}, le_bytes(v));
  };
  const auto in = b.tensor("input", t, {1, 6, 6, 8}, q(s_in, -3));
  const auto c = b.tensor("conv", t, {1, 6, 6, 8}, q(s_c, 6));
  const auto [w, bias] = conv_params(b, rng, "conv", s_in, 8, 8, 1, int8, false, true);
  b.op(op::kConv2D, int8 ? 3 : 1, {in, w, bias}, {c}, Conv2DOptions{Padding::Same, 1, 1, Activation::None, 1, 1});
  // Rows 1..4, every other column, channels 2..7.
  const auto s1 = b.tensor("slice1", t, {1, 4, 3, 6}, q(s_c, 6));
  b.op(op::kStridedSlice, 1, {c, ints("s1/begin", {0, 1, 0, 2}), ints("s1/end", {1, 5, 6, 8}), ints("s1/strides", {1, 1, 2, 1})}, {s1},
       StridedSliceOptions{});
  // Rows backwards from the last (begin -1) down to, not including, row 0; every other channel
  // (end_mask on batch, columns, channels).
  const auto s2 = b.tensor("slice2", t, {1, 3, 3, 3}, q(s_c, 6));
  b.op(op::kStridedSlice, 1, {s1, ints("s2/begin", {0, -1, 0, 0}), ints("s2/end", {0, 0, 0, 0}), ints("s2/strides", {1, -1, 1, 2})},
       {s2}, StridedSliceOptions{0, 0b1101, 0, 0, 0, false});
  // Column 1 only, its axis dropped (shrink_axis_mask).
  const auto out = b.tensor("slice3", t, {1, 3, 3}, q(s_c, 6));
  b.op(op::kStridedSlice, 1, {s2, ints("s3/begin", {0, 0, 1, 0}), ints("s3/end", {1, 3, 2, 3}), ints("s3/strides", {1, 1, 1, 1})}, {out},
       StridedSliceOptions{0, 0, 0, 0, 0b0100, false});
  return b.finish({in}, {out});
}

Model tiny_tconv(bool int8) {
  Rng rng(int8 ? 0xC7A1'0015 : 0xC7A1'0016);
  Builder b;
  const TensorType t = int8 ? TensorType::Int8 : TensorType::Float32;
  auto q = [&](float scale, std::int64_t zp) { return int8 ? per_tensor(scale, zp) : Quantization{}; };
  auto ints = [&](const std::string& name, std::vector<std::int32_t> v) {
    const auto n = static_cast<std::int32_t>(v.size());
    return b.tensor(name, TensorType::Int32, {n}, {}, le_bytes(v));
  };
  auto params = [&](const std::string& name, float x_scale, std::int32_t cin, std::int32_t cout, std::int32_t k, bool with_bias) {
    return conv_params(b, rng, name, x_scale, cin, cout, k, int8, false, with_bias);
  };
  const auto in = b.tensor("input", t, {1, 4, 4, 3}, q(0.0231f, -3));
  const auto [w1, b1] = params("up", 0.0231f, 3, 5, 3, true);
  const auto up = b.tensor("up", t, {1, 8, 8, 5}, q(0.0412f, -128));
  b.op(op::kTransposeConv, 4, {ints("up/shape", {1, 8, 8, 5}), w1, in, b1}, {up},
       TransposeConvOptions{Padding::Same, 2, 2, Activation::Relu});
  const auto [w2, b2] = params("grow", 0.0412f, 5, 2, 2, false);
  const auto out = b.tensor("grow", t, {1, 9, 9, 2}, q(0.0377f, 5));
  b.op(op::kTransposeConv, 3, {ints("grow/shape", {1, 9, 9, 2}), w2, up}, {out}, TransposeConvOptions{Padding::Valid, 1, 1, Activation::None});
  (void)b2;
  return b.finish({in}, {out});
}

// Inception-style: CONCATENATION of four inputs (the block input itself, a 1x1 conv, a 3x3 conv,
// a max pool) along the channels, then of three along the width; int8 with one quantization for
// the concatenated tensors (TFLM's requirement), or float.
Model tiny_concat(bool int8) {
  Rng rng(int8 ? 0xC7A1'0019 : 0xC7A1'001A);
  Builder b;
  const TensorType t = int8 ? TensorType::Int8 : TensorType::Float32;
  auto q = [&](float scale, std::int64_t zp) { return int8 ? per_tensor(scale, zp) : Quantization{}; };
  const float s_in = 0.0231f, s_cat = 0.0412f;
  auto conv = [&](const std::string& name, std::int32_t x, float x_scale, std::int32_t cin, std::int32_t cout, std::int32_t k,
                  std::int32_t y, Activation act) {
    const auto [w, bias] = conv_params(b, rng, name, x_scale, cin, cout, k, int8, false, true);
    b.op(op::kConv2D, int8 ? 3 : 1, {x, w, bias}, {y}, Conv2DOptions{Padding::Same, 1, 1, act, 1, 1});
  };
  const auto in = b.tensor("input", t, {1, 6, 6, 3}, q(s_in, -3));
  const auto stem = b.tensor("stem", t, {1, 6, 6, 4}, q(s_cat, -20));
  conv("stem", in, s_in, 3, 4, 3, stem, Activation::Relu);
  const auto a = b.tensor("a", t, {1, 6, 6, 3}, q(s_cat, -20));
  conv("a", stem, s_cat, 4, 3, 1, a, Activation::None);
  const auto c3 = b.tensor("b", t, {1, 6, 6, 5}, q(s_cat, -20));
  conv("b", stem, s_cat, 4, 5, 3, c3, Activation::Relu);
  const auto pool = b.tensor("pool", t, {1, 6, 6, 4}, q(s_cat, -20));
  b.op(op::kMaxPool2D, 2, {stem}, {pool}, Pool2DOptions{Padding::Same, 1, 1, 3, 3, Activation::None});
  const auto cat = b.tensor("concat", t, {1, 6, 6, 16}, q(s_cat, -20));
  b.op(op::kConcatenation, 1, {stem, a, c3, pool}, {cat}, ConcatenationOptions{-1, Activation::None});
  const auto mix = b.tensor("mix", t, {1, 6, 6, 4}, q(0.0517f, 3));
  conv("mix", cat, s_cat, 16, 4, 1, mix, Activation::None);
  const auto p1 = b.tensor("p1", t, {1, 6, 2, 4}, q(0.0517f, 3));
  b.op(op::kMaxPool2D, 2, {mix}, {p1}, Pool2DOptions{Padding::Valid, 3, 1, 3, 1, Activation::None});
  const auto p2 = b.tensor("p2", t, {1, 6, 3, 4}, q(0.0517f, 3));
  b.op(op::kMaxPool2D, 2, {mix}, {p2}, Pool2DOptions{Padding::Valid, 2, 1, 2, 1, Activation::None});
  const auto out = b.tensor("concat_w", t, {1, 6, 11, 4}, q(0.0517f, 3));
  b.op(op::kConcatenation, 1, {p1, mix, p2}, {out}, ConcatenationOptions{2, Activation::None});
  return b.finish({in}, {out});
}

// UNIDIRECTIONAL_SEQUENCE_LSTM as TFLite's converter writes it (24 inputs; the states as variable
// tensors), then a FULLY_CONNECTED on every step's hidden state (RESHAPE): int8 (8x8->16: a hidden
// zero point of 5, cell scale 2^-11 and cell_clip 3, or cell scale 2^-14 (the tanh's other shift
// path) and no clipping), float (cell_clip 2), or 16x8 (int16 activations, int64 biases: variant 3
// as the converter writes it, zero points 0, cell scale 2^-11, cell_clip 3; variant 4 with cell
// scale 2^-14, no clipping, and larger recurrent weights; the 16x8
// models output the LSTM's sequence itself, so that every hidden state is compared).
Model tiny_lstm(int variant) {
  const bool quantized = variant != 2, s16 = variant >= 3;
  Rng rng(0xC7A1'0020 + static_cast<std::uint64_t>(variant));
  Builder b;
  constexpr std::int32_t T = 6, F = 5, H = 7;
  const TensorType t = s16 ? TensorType::Int16 : (quantized ? TensorType::Int8 : TensorType::Float32);
  const float s_in = s16 ? 0.0312f / 256 : 0.0312f, s_h = s16 ? 1.0f / 32768 : 0.0078f;
  const std::int64_t h_zp = variant == 0 ? 5 : (s16 ? 0 : -3);  // int16 activations are symmetric
  const std::int64_t in_zp = s16 ? 0 : -7;
  const float cell_scale = variant == 0 || variant == 3 ? 1.0f / 2048.0f : 1.0f / 16384.0f;
  const bool time_major = false;  // ctml's shapes leave out a leading batch of 1; time-major is refused
  auto q = [&](float scale, std::int64_t zp) { return quantized ? per_tensor(scale, zp) : Quantization{}; };
  const std::vector<std::int32_t> in_shape = time_major ? std::vector<std::int32_t>{T, 1, F} : std::vector<std::int32_t>{1, T, F};
  const auto in = b.tensor("input", t, in_shape, q(s_in, in_zp));
  std::int32_t w_in[4], w_rec[4], bias[4];
  for (int g = 0; g < 4; ++g) {
    const std::string gn = std::string("gate") + std::to_string(g);
    if (quantized) {
      const float wi = static_cast<float>(60 + 10 * rng.uniform(0, 6)) * 0.0001f, wr = static_cast<float>(50 + 10 * rng.uniform(0, 6)) * 0.0001f;
      w_in[g] = b.tensor(gn + "/w_in", TensorType::Int8, {H, F}, per_tensor(wi, 0), le_bytes(weights(rng, H, F, false)));
      w_rec[g] = b.tensor(gn + "/w_rec", TensorType::Int8, {H, H}, per_tensor(variant == 4 ? wr * 4 : wr, 0), le_bytes(weights(rng, H, H, false)));
      if (s16) {  // the same real range as the int8 model's biases, at the 16x8 bias scale
        std::vector<std::int64_t> v;
        for (const std::int32_t x : biases(rng, H, 1200)) v.push_back(static_cast<std::int64_t>(x) * 256);
        bias[g] = b.tensor(gn + "/bias", TensorType::Int64, {H}, per_tensor(s_in * wi, 0), le_bytes(v));
      } else {
        bias[g] = b.tensor(gn + "/bias", TensorType::Int32, {H}, per_tensor(s_in * wi, 0), le_bytes(biases(rng, H, 1200)));
      }
    } else {
      std::vector<float> vi(H * F), vr(H * H), vb(H);
      for (auto& v : vi) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.5f / 1000.0f);
      for (auto& v : vr) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.4f / 1000.0f);
      for (auto& v : vb) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.3f / 1000.0f);
      w_in[g] = b.tensor(gn + "/w_in", t, {H, F}, {}, le_bytes(vi));
      w_rec[g] = b.tensor(gn + "/w_rec", t, {H, H}, {}, le_bytes(vr));
      bias[g] = b.tensor(gn + "/bias", t, {H}, {}, le_bytes(vb));
    }
  }
  auto state = [&](const std::string& name, TensorType type, Quantization qq) {
    const auto id = b.tensor(name, type, {1, H}, std::move(qq));
    b.model().subgraphs[0].tensors[static_cast<std::size_t>(id)].is_variable = true;
    return id;
  };
  const auto hs = state("hidden_state", t, q(s_h, h_zp));
  const auto cs = state("cell_state", quantized ? TensorType::Int16 : t, quantized ? per_tensor(cell_scale, 0) : Quantization{});
  const std::vector<std::int32_t> out_shape = time_major ? std::vector<std::int32_t>{T, 1, H} : std::vector<std::int32_t>{1, T, H};
  const auto seq = b.tensor("lstm", t, out_shape, q(s_h, h_zp));
  UnidirectionalSequenceLSTMOptions o;
  o.activation = Activation::Tanh;
  o.cell_clip = variant == 0 || variant == 3 ? 3.0f : (variant == 2 ? 2.0f : 0.0f);
  o.time_major = time_major;
  b.op(op::kUnidirectionalSequenceLstm, 1,
       {in, w_in[0], w_in[1], w_in[2], w_in[3], w_rec[0], w_rec[1], w_rec[2], w_rec[3], -1, -1, -1, bias[0], bias[1], bias[2], bias[3],
        -1, -1, hs, cs, -1, -1, -1, -1},
       {seq}, o);
  if (s16) return b.finish({in}, {seq});  // every hidden state compared, not a summary of them
  const auto shape = b.tensor("flatten/shape", TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, T * H}));
  const auto flat = b.tensor("flatten", t, {1, T * H}, q(s_h, h_zp));
  b.op(op::kReshape, 1, {seq, shape}, {flat}, ReshapeOptions{std::vector<std::int32_t>{1, T * H}});
  std::int32_t fw, fb;
  if (quantized) {
    fw = b.tensor("fc/w", TensorType::Int8, {4, T * H}, per_tensor(0.0061f, 0), le_bytes(weights(rng, 4, T * H, false)));
    fb = b.tensor("fc/b", TensorType::Int32, {4}, per_tensor(s_h * 0.0061f, 0), le_bytes(biases(rng, 4, 2000)));
  } else {
    std::vector<float> vw(4 * T * H), vb(4);
    for (auto& v : vw) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.2f / 1000.0f);
    for (auto& v : vb) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.1f / 1000.0f);
    fw = b.tensor("fc/w", t, {4, T * H}, {}, le_bytes(vw));
    fb = b.tensor("fc/b", t, {4}, {}, le_bytes(vb));
  }
  const auto out = b.tensor("fc", t, {1, 4}, q(0.0412f, 2));
  b.op(op::kFullyConnected, 4, {flat, fw, fb}, {out}, FullyConnectedOptions{});
  return b.finish({in}, {out});
}

// SVDF, one frame per invoke with the memory in a variable tensor: int8 with int16 state and time
// weights (rank 2), int8 with int8 state (zero point 4, rank 1), or float (rank 2, fused ReLU).
Model tiny_svdf(int variant) {
  Rng rng(0xC7A1'0030 + static_cast<std::uint64_t>(variant));
  Builder b;
  const bool is_float = variant == 2, s16 = variant == 0;
  constexpr std::int32_t F = 6, M = 5;
  const std::int32_t rank = variant == 1 ? 1 : 2, units = 4, filters = units * rank;
  const TensorType t = is_float ? TensorType::Float32 : TensorType::Int8;
  auto q = [&](float scale, std::int64_t zp) { return is_float ? Quantization{} : per_tensor(scale, zp); };
  const float s_in = 0.0231f, s_wf = 0.0047f, s_state = s16 ? 0.00061f : 0.0712f, s_wt = s16 ? 0.0000813f : 0.0089f, s_out = 0.0397f;
  const auto in = b.tensor("input", t, {1, F}, q(s_in, -5));
  std::int32_t wf, wt, bias = -1, st;
  if (is_float) {
    std::vector<float> vf(static_cast<std::size_t>(filters * F)), vt(static_cast<std::size_t>(filters * M)), vb(static_cast<std::size_t>(units));
    for (auto& v : vf) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.5f / 1000.0f);
    for (auto& v : vt) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.4f / 1000.0f);
    for (auto& v : vb) v = static_cast<float>(rng.uniform(-1000, 1000)) * (0.2f / 1000.0f);
    wf = b.tensor("svdf/w_feature", t, {filters, F}, {}, le_bytes(vf));
    wt = b.tensor("svdf/w_time", t, {filters, M}, {}, le_bytes(vt));
    bias = b.tensor("svdf/bias", t, {units}, {}, le_bytes(vb));
  } else {
    wf = b.tensor("svdf/w_feature", TensorType::Int8, {filters, F}, per_tensor(s_wf, 0), le_bytes(weights(rng, static_cast<std::size_t>(filters), F, false)));
    if (s16) {
      std::vector<std::int16_t> vt(static_cast<std::size_t>(filters * M));
      for (auto& v : vt) v = static_cast<std::int16_t>(rng.uniform(-30000, 30000));
      wt = b.tensor("svdf/w_time", TensorType::Int16, {filters, M}, per_tensor(s_wt, 0), le_bytes(vt));
      bias = b.tensor("svdf/bias", TensorType::Int32, {units}, per_tensor(s_state * s_wt, 0), le_bytes(biases(rng, static_cast<std::size_t>(units), 40000)));
    } else {
      wt = b.tensor("svdf/w_time", TensorType::Int8, {filters, M}, per_tensor(s_wt, 0), le_bytes(weights(rng, static_cast<std::size_t>(filters), M, false)));
      // TFLM's integer SVDF dereferences the bias in Prepare: it needs one.
      bias = b.tensor("svdf/bias", TensorType::Int32, {units}, per_tensor(s_state * s_wt, 0), le_bytes(biases(rng, static_cast<std::size_t>(units), 300)));
    }
  }
  st = b.tensor("svdf/state", is_float ? t : (s16 ? TensorType::Int16 : TensorType::Int8), {1, filters * M},
                is_float ? Quantization{} : per_tensor(s_state, s16 ? 0 : 4));
  b.model().subgraphs[0].tensors[static_cast<std::size_t>(st)].is_variable = true;
  const auto out = b.tensor("svdf", t, {1, units}, q(s_out, 3));
  SVDFOptions o;
  o.rank = rank;
  o.activation = is_float ? Activation::Relu : Activation::None;
  b.op(op::kSvdf, 1, {in, wf, wt, bias, st}, {out}, o);
  return b.finish({in}, {out});
}

// An int16 LOGISTIC or TANH over [1, 65536] (the test feeds every int16 value), input scale a
// power of two (TFLite's fast path) or not (its multiplier path).
Model tiny_activation16(std::int32_t code, float in_scale) {
  Builder b;
  const auto in = b.tensor("input", TensorType::Int16, {1, 65536}, per_tensor(in_scale, 0));
  const auto out = b.tensor("Identity", TensorType::Int16, {1, 65536}, per_tensor(1.0f / 32768.0f, 0));
  b.op(code, 1, {in}, {out}, std::monostate{});
  return b.finish({in}, {out});
}

std::vector<Named> all() {
  std::vector<Named> v;
  v.push_back({"tiny_fc_int8.tflite", tiny_fc()});
  v.push_back({"tiny_conv_int8.tflite", tiny_conv()});
  v.push_back({"tiny_misc_int8.tflite", tiny_misc()});
  v.push_back({"tiny_ops_int8.tflite", tiny_ops()});
  v.push_back({"tiny_residual_int8.tflite", tiny_residual()});
  v.push_back({"tiny_nested_int8.tflite", tiny_nested()});
  v.push_back({"tiny_float_f32.tflite", tiny_float()});
  v.push_back({"tiny_layout_int8.tflite", tiny_layout(true)});
  v.push_back({"tiny_layout_f32.tflite", tiny_layout(false)});
  v.push_back({"act_leaky_int8.tflite", tiny_activation(op::kLeakyRelu, 0.2f, 0.05f, -10, 0.04f, -60)});
  v.push_back({"act_leaky_neg_int8.tflite", tiny_activation(op::kLeakyRelu, -0.3f, 0.03f, 7, 0.05f, 3)});
  v.push_back({"act_hswish_a_int8.tflite", tiny_activation(op::kHardSwish, 0, 0.005f, 4, 0.004f, -90)});
  v.push_back({"act_hswish_b_int8.tflite", tiny_activation(op::kHardSwish, 0, 0.02f, -5, 0.015f, -110)});
  v.push_back({"act_hswish_c_int8.tflite", tiny_activation(op::kHardSwish, 0, 0.2f, 20, 0.1f, -120)});
  v.push_back({"act_float_f32.tflite", tiny_activation_float()});
  v.push_back({"tiny_binary_int8.tflite", tiny_binary(true)});
  v.push_back({"tiny_binary_f32.tflite", tiny_binary(false)});
  v.push_back({"tiny_merge_int8.tflite", tiny_merge(true)});
  v.push_back({"tiny_merge_f32.tflite", tiny_merge(false)});
  v.push_back({"tiny_requant_int8.tflite", tiny_requant()});
  v.push_back({"tiny_slice_int8.tflite", tiny_slice(true)});
  v.push_back({"tiny_slice_f32.tflite", tiny_slice(false)});
  v.push_back({"tiny_tconv_int8.tflite", tiny_tconv(true)});
  v.push_back({"tiny_tconv_f32.tflite", tiny_tconv(false)});
  v.push_back({"tiny_16x8_int16.tflite", tiny_16x8()});
  v.push_back({"tiny_16x8_mixed.tflite", tiny_16x8_mixed()});
  v.push_back({"tiny_concat_int8.tflite", tiny_concat(true)});
  v.push_back({"tiny_concat_f32.tflite", tiny_concat(false)});
  v.push_back({"tiny_lstm_a_int8.tflite", tiny_lstm(0)});
  v.push_back({"tiny_lstm_b_int8.tflite", tiny_lstm(1)});
  v.push_back({"tiny_lstm_f32.tflite", tiny_lstm(2)});
  v.push_back({"tiny_lstm_a_16x8.tflite", tiny_lstm(3)});
  v.push_back({"tiny_lstm_b_16x8.tflite", tiny_lstm(4)});
  v.push_back({"tiny_svdf_a_int8.tflite", tiny_svdf(0)});
  v.push_back({"tiny_svdf_b_int8.tflite", tiny_svdf(1)});
  v.push_back({"tiny_svdf_f32.tflite", tiny_svdf(2)});
  v.push_back({"act16_logistic_pot.tflite", tiny_activation16(op::kLogistic, 1.0f / 4096.0f)});
  v.push_back({"act16_logistic.tflite", tiny_activation16(op::kLogistic, 0.00037f)});
  v.push_back({"act16_tanh_pot.tflite", tiny_activation16(op::kTanh, 1.0f / 2048.0f)});
  v.push_back({"act16_tanh.tflite", tiny_activation16(op::kTanh, 0.00021f)});
  v.push_back({"tiny_16x8_ops.tflite", tiny_16x8_ops()});
  v.push_back({"tiny_16x8_more.tflite", tiny_16x8_more()});
  v.push_back({"tiny_16x8_tconv.tflite", tiny_16x8_tconv()});
  v.push_back({"act16_softmax_a.tflite", tiny_softmax16(2048, 16, 8.0f / 32768.0f, 1.0f)});
  v.push_back({"act16_softmax_b.tflite", tiny_softmax16(1024, 5, 0.00007f, 0.6f)});
  v.push_back({"act16_softmax_c.tflite", tiny_softmax16(64, 300, 0.0011f, 1.0f)});
  return v;
}

}  // namespace ctml::tflite::testmodels
