// SPDX-License-Identifier: Apache-2.0
#include "random_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

namespace ctml::difftest {

namespace {

using namespace ctml::tflite;

// splitmix64: fully specified, identical everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed * 0x2545F4914F6CDD1Dull + 0x9E3779B97F4A7C15ull) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int uniform(int lo, int hi) {  // [lo, hi]
    return static_cast<int>(lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool chance(int percent) { return uniform(0, 99) < percent; }
  // log-uniform in [lo, hi], rounded to a float with few mantissa bits set so that every host
  // computes the same value
  float log_uniform(double lo, double hi) {
    const double u = static_cast<double>(next() >> 11) / 9007199254740992.0;
    const double v = lo * std::pow(hi / lo, u);
    int e = 0;
    const double m = std::frexp(v, &e);
    return static_cast<float>(std::ldexp(std::round(m * 4096.0) / 4096.0, e));
  }
  template <class T>
  T pick(std::initializer_list<T> xs) {
    return *(xs.begin() + uniform(0, static_cast<int>(xs.size()) - 1));
  }

 private:
  std::uint64_t s_;
};

template <class T>
std::vector<std::uint8_t> le_bytes(const std::vector<T>& v) {
  std::vector<std::uint8_t> out(v.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

Quantization per_tensor(float scale, std::int64_t zp) {
  Quantization q;
  q.scale = {scale};
  q.zero_point = {zp};
  return q;
}

struct Act {  // an activation tensor and its quantization
  std::int32_t index = -1;
  std::vector<std::int32_t> shape;
  float scale = 1.0f;
  std::int32_t zp = 0;
  std::size_t size() const {
    std::size_t n = 1;
    for (const auto d : shape) n *= static_cast<std::size_t>(d);
    return n;
  }
  bool spatial() const { return shape.size() == 4; }
};

class Gen {
 public:
  Gen(std::uint64_t seed, const GenOptions& o) : rng_(seed), opt_(o) {
    m_.version = 3;
    m_.description = "ctml difftest random model, seed " + std::to_string(seed);
    m_.buffers.emplace_back();
    m_.subgraphs.emplace_back();
    m_.subgraphs[0].name = "main";
  }

  // MLPerf Tiny's architectures with random weights and quantization (their cost and kernels do
  // not depend on the values): the geometries of issue 15 against TFLite Micro.
  GeneratedModel arch(const std::string& name) {
    Act x;
    if (name == "mobilenet_v1_025") {
      summary_ << "in[96x96x3]";
      x = activation({1, 96, 96, 3}, rng_.log_uniform(0.004, 0.02), zero_point());
      const Act in = x;
      x = conv(x, Forced{3, 2, 8, Activation::Relu6});
      const int blocks[13][2] = {{16, 1}, {32, 2}, {32, 1}, {64, 2}, {64, 1}, {128, 2}, {128, 1},
                                 {128, 1}, {128, 1}, {128, 1}, {128, 1}, {256, 2}, {256, 1}};
      for (const auto& b : blocks) {
        x = depthwise(x, b[1], Activation::Relu6);
        x = conv(x, Forced{1, 1, b[0], Activation::Relu6});
      }
      x = pool_fixed(x, 3);
      x = flatten(x);
      x = dense(x, true, 2);
      x = softmax(x);
      return finish(in, x);
    }
    if (name == "resnet8") {
      summary_ << "in[32x32x3]";
      x = activation({1, 32, 32, 3}, rng_.log_uniform(0.004, 0.02), zero_point());
      const Act in = x;
      x = conv(x, Forced{3, 1, 16, Activation::Relu});
      const int stages[3][2] = {{16, 1}, {32, 2}, {64, 2}};
      for (const auto& st : stages) x = resnet_block(x, st[0], st[1]);
      x = pool_fixed(x, 8);
      x = flatten(x);
      x = dense(x, true, 10);
      x = softmax(x);
      return finish(in, x);
    }
    return {};
  }

  GeneratedModel run() {
    Act x = input();
    const Act in = x;
    const int steps = rng_.uniform(1, opt_.max_ops);
    for (int s = 0; s < steps; ++s) x = step(x, 0);
    x = tail(x);
    // A flat input too large for any dense layer leaves the graph empty: a model of nothing,
    // which neither runner can take. An element-wise op gives it one (seeds such as 107369).
    if (m_.subgraphs[0].operators.empty()) x = rng_.chance(50) ? relu(x) : squash(x);
    return finish(in, x);
  }
  GeneratedModel finish(const Act& in, const Act& out) {
    m_.subgraphs[0].inputs = {in.index};
    m_.subgraphs[0].outputs = {out.index};
    return {std::move(m_), summary_.str()};
  }
  Act pool_fixed(const Act& x, int k) {  // AVERAGE_POOL_2D k x k, VALID, over the whole map
    Act y = activation({1, x.shape[1] / k, x.shape[2] / k, x.shape[3]}, x.scale, x.zp);
    op(op::kAveragePool2D, 2, {x.index}, {y.index}, Pool2DOptions{Padding::Valid, k, k, k, k, Activation::None});
    summary_ << " avgpool" << k << "x" << k;
    return y;
  }
  Act softmax(const Act& x) {
    Act y = activation(x.shape, 1.0f / 256.0f, -128);
    op(op::kSoftmax, 2, {x.index}, {y.index}, SoftmaxOptions{1.0f});
    summary_ << " softmax";
    return y;
  }
  // A residual block's shortcut: identity when the body kept the shape, else a 1x1/s projection.
  Act shortcut_of(const Act& x, const Act& body, int s, int cout) {
    if (x.shape == body.shape) {
      summary_ << " | id";
      return x;
    }
    summary_ << " | proj";
    return conv(x, Forced{1, s, cout, Activation::None});
  }
  // ResNet-8's block: conv3x3/s + ReLU, conv3x3, shortcut (identity or 1x1/s projection), ADD + ReLU.
  Act resnet_block(const Act& x, int cout, int s) {
    summary_ << " [res";
    Act a = conv(x, Forced{3, s, cout, Activation::Relu});
    a = conv(a, Forced{3, 1, cout, Activation::None});
    const Act shortcut = shortcut_of(x, a, s, cout);
    const double hi = std::max(a.scale, shortcut.scale);
    Act y = activation(a.shape, rng_.log_uniform(hi * 0.8, hi * 2.0), -128);
    op(op::kAdd, 2, {a.index, shortcut.index}, {y.index}, AddOptions{Activation::Relu, true});
    summary_ << " add+relu]";
    return y;
  }

 private:
  // ---- building blocks ------------------------------------------------------------------------
  std::int32_t tensor(TensorType type, std::vector<std::int32_t> shape, Quantization q = {},
                      std::vector<std::uint8_t> data = {}) {
    Tensor t;
    // (append, not "t" + to_string: GCC 12 -O3 warns -Wrestrict on that, GCC bug 105329)
    t.name = "t";
    t.name += std::to_string(m_.subgraphs[0].tensors.size());
    t.type = type;
    t.shape = std::move(shape);
    t.quantization = std::move(q);
    if (!data.empty()) {
      t.buffer = static_cast<std::uint32_t>(m_.buffers.size());
      m_.buffers.emplace_back().data = std::move(data);
    }
    m_.subgraphs[0].tensors.push_back(std::move(t));
    return static_cast<std::int32_t>(m_.subgraphs[0].tensors.size() - 1);
  }
  Act activation(std::vector<std::int32_t> shape, float scale, std::int32_t zp) {
    Act a;
    a.shape = std::move(shape);
    a.scale = scale;
    a.zp = zp;
    a.index = tensor(TensorType::Int8, a.shape, per_tensor(scale, zp));
    return a;
  }
  void op(std::int32_t code, std::int32_t version, std::vector<std::int32_t> in, std::vector<std::int32_t> out,
          Options options = {}) {
    std::uint32_t index = 0;
    while (index < m_.operator_codes.size() && m_.operator_codes[index].builtin_code != code) ++index;
    if (index == m_.operator_codes.size()) m_.operator_codes.push_back({code, {}, version});
    Operator o;
    o.opcode_index = index;
    o.builtin_code = code;
    o.inputs = std::move(in);
    o.outputs = std::move(out);
    o.options = std::move(options);
    m_.subgraphs[0].operators.push_back(std::move(o));
  }
  // Zero points: mostly moderate, sometimes the extremes.
  std::int32_t zero_point() {
    const int r = rng_.uniform(0, 9);
    if (r == 0) return -128;
    if (r == 1) return 127;
    if (r == 2) return 0;
    return rng_.uniform(-100, 100);
  }
  Activation fused() {
    const int r = rng_.uniform(0, 9);
    return r < 5 ? Activation::None : (r < 8 ? Activation::Relu : Activation::Relu6);
  }
  // Output quantization for an accumulator of K products of an input with scale in_scale and
  // weights of about w_scale * 64: mostly a range that keeps the outputs inside int8, sometimes a
  // small one (saturation) or a large one (few steps).
  std::pair<float, std::int32_t> output_qparams(float in_scale, float w_scale, std::size_t k, Activation act) {
    const double typical = static_cast<double>(in_scale) * w_scale * 64.0 * 64.0 * std::sqrt(static_cast<double>(k)) / 40.0;
    const double f = rng_.chance(15) ? rng_.log_uniform(0.02, 0.2) : rng_.log_uniform(0.3, 4.0);
    const float scale = rng_.log_uniform(typical * f, typical * f * 1.01 + 1e-12);
    const std::int32_t zp = act == Activation::None ? zero_point() : (rng_.chance(70) ? -128 : zero_point());
    return {scale, zp};
  }
  std::vector<std::int8_t> weights(std::size_t channels, std::size_t per_channel, bool channel_last) {
    std::vector<std::int8_t> w(channels * per_channel);
    for (std::size_t c = 0; c < channels; ++c) {
      for (std::size_t i = 0; i < per_channel; ++i)
        w[channel_last ? i * channels + c : c * per_channel + i] = static_cast<std::int8_t>(rng_.uniform(-127, 127));
      const std::size_t peak = static_cast<std::size_t>(rng_.uniform(0, static_cast<int>(per_channel) - 1));
      w[channel_last ? peak * channels + c : c * per_channel + peak] = rng_.chance(50) ? 127 : -127;
    }
    return w;
  }
  std::vector<std::int32_t> biases(std::size_t n, std::size_t k) {
    const int mag = static_cast<int>(std::min<std::size_t>(200000, 300 * (k + 1)));
    std::vector<std::int32_t> b(n);
    for (auto& v : b) v = rng_.chance(10) ? 0 : rng_.uniform(-mag, mag);
    return b;
  }
  static int out_size(int in, int k, int s, int d, Padding p) {
    const int eff = (k - 1) * d + 1;
    return p == Padding::Same ? (in + s - 1) / s : (in < eff ? 0 : (in - eff) / s + 1);
  }
  bool fits(std::size_t params, std::size_t activation) {
    if (params_ + params > opt_.max_params || activation > opt_.max_activation) return false;
    params_ += params;
    return true;
  }

  // ---- the model ------------------------------------------------------------------------------
  Act input() {
    if (rng_.chance(20)) {  // a feature vector: dense layers
      const int n = rng_.pick({1, 3, 8, 16, 37, 64, 100, 257, 300});
      summary_ << "in[" << n << "]";
      return activation({1, n}, rng_.log_uniform(0.004, 0.2), zero_point());
    }
    const int h = rng_.pick({1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16});
    const int w = rng_.chance(70) ? h : rng_.pick({1, 2, 3, 5, 8, 10});
    const int c = rng_.pick({1, 1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 32});
    summary_ << "in[" << h << "x" << w << "x" << c << "]";
    return activation({1, h, w, c}, rng_.log_uniform(0.004, 0.2), zero_point());
  }

  Act step(const Act& x, int depth) {
    if (!x.spatial()) return dense(x, false);
    const int r = rng_.uniform(0, 99);
    if (r < 30) return conv(x, std::nullopt);
    if (r < 50) return depthwise(x);
    if (r < 60) return pool(x);
    if (r < 66) return relu(x);
    if (r < 72) return squash(x);
    if (r < 90 && depth < 2) return residual(x, depth);
    return conv(x, std::nullopt);
  }

  // CONV_2D; `forced` = {kernel, stride, cout} for residual bodies and projections (SAME, no
  // dilation).
  struct Forced {
    int k, s, cout;
    Activation act;
  };
  Act conv(const Act& x, std::optional<Forced> forced) {
    const int ih = x.shape[1], iw = x.shape[2], cin = x.shape[3];
    int kh, kw, sh, sw, dh = 1, dw = 1, cout;
    Padding pad = Padding::Same;
    Activation act;
    if (forced) {
      kh = kw = forced->k;
      sh = sw = forced->s;
      cout = forced->cout;
      act = forced->act;
    } else {
      kh = rng_.pick({1, 1, 2, 3, 3, 3, 5});
      kw = rng_.chance(75) ? kh : rng_.pick({1, 2, 3, 4});
      sh = rng_.pick({1, 1, 1, 2, 2, 3});
      sw = rng_.chance(80) ? sh : rng_.pick({1, 2, 3});
      if (kh > 1 && rng_.chance(15)) dh = 2;
      if (kw > 1 && rng_.chance(15)) dw = 2;
      pad = rng_.chance(60) ? Padding::Same : Padding::Valid;
      if (out_size(ih, kh, sh, dh, pad) < 1 || out_size(iw, kw, sw, dw, pad) < 1) pad = Padding::Same;
      cout = rng_.pick({1, 2, 3, 4, 5, 7, 8, 8, 12, 16, 16, 24, 32, 33});
      if (ih * iw <= 4 && rng_.chance(20)) cout = rng_.pick({130, 260, 300});
      act = fused();
    }
    const int oh = out_size(ih, kh, sh, dh, pad), ow = out_size(iw, kw, sw, dw, pad);
    const std::size_t k = static_cast<std::size_t>(kh * kw * cin);
    // Residual bodies and projections must have their shape: they are not subject to the budget
    // (a block starts only while the budget has room, see residual()).
    if (forced) params_ += k * static_cast<std::size_t>(cout);
    else if (!fits(k * static_cast<std::size_t>(cout), static_cast<std::size_t>(oh * ow * cout))) return x;
    std::vector<float> ws(static_cast<std::size_t>(cout));
    for (auto& s : ws) s = rng_.log_uniform(0.002, 0.02);
    Quantization wq;
    wq.scale = ws;
    wq.zero_point.assign(ws.size(), 0);
    wq.quantized_dimension = 0;
    const std::size_t kk = static_cast<std::size_t>(kh * kw * cin);
    const auto w = tensor(TensorType::Int8, {cout, kh, kw, cin}, wq,
                          le_bytes(weights(static_cast<std::size_t>(cout), kk, false)));
    Quantization bq;
    for (const float s : ws) bq.scale.push_back(x.scale * s);
    bq.zero_point.assign(ws.size(), 0);
    const auto b = tensor(TensorType::Int32, {cout}, bq, le_bytes(biases(static_cast<std::size_t>(cout), kk)));
    const auto [os, oz] = output_qparams(x.scale, ws[0], kk, act);
    Act y = activation({1, oh, ow, cout}, os, oz);
    op(op::kConv2D, 3, {x.index, w, b}, {y.index}, Conv2DOptions{pad, sw, sh, act, dw, dh});
    summary_ << " conv" << kh << "x" << kw << "/s" << sh << (sw != sh ? "," + std::to_string(sw) : "")
             << (dh > 1 || dw > 1 ? "/d2" : "") << (pad == Padding::Same ? "/same" : "/valid") << "->" << cout
             << (act == Activation::Relu ? "+relu" : act == Activation::Relu6 ? "+relu6" : "");
    return y;
  }

  Act depthwise(const Act& x, int forced_stride = 0, Activation forced_act = Activation::None) {
    const int ih = x.shape[1], iw = x.shape[2], cin = x.shape[3];
    const bool forced = forced_stride > 0;
    const int m = forced || rng_.chance(70) ? 1 : rng_.pick({2, 3});
    const int kh = forced ? 3 : rng_.pick({1, 2, 3, 3, 3, 5}), kw = forced || rng_.chance(80) ? kh : rng_.pick({1, 3});
    const int sh = forced ? forced_stride : rng_.pick({1, 1, 2, 2, 3}), sw = forced || rng_.chance(85) ? sh : rng_.pick({1, 2});
    int dh = 1, dw = 1;
    if (!forced && kh > 1 && rng_.chance(10)) dh = 2;
    if (!forced && kw > 1 && rng_.chance(10)) dw = 2;
    Padding pad = forced || rng_.chance(65) ? Padding::Same : Padding::Valid;
    if (out_size(ih, kh, sh, dh, pad) < 1 || out_size(iw, kw, sw, dw, pad) < 1) pad = Padding::Same;
    const int oh = out_size(ih, kh, sh, dh, pad), ow = out_size(iw, kw, sw, dw, pad), cout = cin * m;
    if (forced) params_ += static_cast<std::size_t>(kh * kw * cout);
    else if (!fits(static_cast<std::size_t>(kh * kw * cout), static_cast<std::size_t>(oh * ow * cout))) return x;
    const Activation act = forced ? forced_act : fused();
    std::vector<float> ws(static_cast<std::size_t>(cout));
    for (auto& s : ws) s = rng_.log_uniform(0.004, 0.05);
    Quantization wq;
    wq.scale = ws;
    wq.zero_point.assign(ws.size(), 0);
    wq.quantized_dimension = 3;
    const std::size_t kk = static_cast<std::size_t>(kh * kw);
    const auto w = tensor(TensorType::Int8, {1, kh, kw, cout}, wq, le_bytes(weights(static_cast<std::size_t>(cout), kk, true)));
    Quantization bq;
    for (const float s : ws) bq.scale.push_back(x.scale * s);
    bq.zero_point.assign(ws.size(), 0);
    const auto b = tensor(TensorType::Int32, {cout}, bq, le_bytes(biases(static_cast<std::size_t>(cout), kk)));
    const auto [os, oz] = output_qparams(x.scale, ws[0], kk, act);
    Act y = activation({1, oh, ow, cout}, os, oz);
    op(op::kDepthwiseConv2D, 3, {x.index, w, b}, {y.index}, DepthwiseConv2DOptions{pad, sw, sh, m, act, dw, dh});
    summary_ << " dw" << kh << "x" << kw << "/s" << sh << (dh > 1 || dw > 1 ? "/d2" : "")
             << (pad == Padding::Same ? "/same" : "/valid") << "*" << m
             << (act == Activation::Relu ? "+relu" : act == Activation::Relu6 ? "+relu6" : "");
    return y;
  }

  Act pool(const Act& x) {
    const int ih = x.shape[1], iw = x.shape[2], c = x.shape[3];
    const bool max = rng_.chance(50);
    const int fh = rng_.pick({1, 2, 2, 3}), fw = rng_.chance(80) ? fh : rng_.pick({1, 2, 3});
    const int sh = rng_.pick({1, 2, 2, 3}), sw = rng_.chance(85) ? sh : rng_.pick({1, 2});
    Padding pad = rng_.chance(50) ? Padding::Same : Padding::Valid;
    if (out_size(ih, fh, sh, 1, pad) < 1 || out_size(iw, fw, sw, 1, pad) < 1) pad = Padding::Same;
    const int oh = out_size(ih, fh, sh, 1, pad), ow = out_size(iw, fw, sw, 1, pad);
    const Activation act = rng_.chance(80) ? Activation::None : Activation::Relu;
    Act y = activation({1, oh, ow, c}, x.scale, x.zp);
    op(max ? op::kMaxPool2D : op::kAveragePool2D, 2, {x.index}, {y.index}, Pool2DOptions{pad, sw, sh, fw, fh, act});
    summary_ << (max ? " maxpool" : " avgpool") << fh << "x" << fw << "/s" << sh << (pad == Padding::Same ? "/same" : "/valid");
    return y;
  }

  Act relu(const Act& x) {
    const bool six = rng_.chance(40);
    Act y = activation(x.shape, x.scale, x.zp);
    op(six ? op::kRelu6 : op::kRelu, 2, {x.index}, {y.index});
    summary_ << (six ? " relu6" : " relu");
    return y;
  }

  Act squash(const Act& x) {
    const bool logistic = rng_.chance(50);
    Act y = logistic ? activation(x.shape, 1.0f / 256.0f, -128) : activation(x.shape, 1.0f / 128.0f, 0);
    op(logistic ? op::kLogistic : op::kTanh, 2, {x.index}, {y.index});
    summary_ << (logistic ? " logistic" : " tanh");
    return y;
  }

  // x -> body (1-2 convs, maybe a nested block) + shortcut (identity or 1x1 projection) -> ADD.
  // A nested block (inside a body) keeps its input's shape.
  Act residual(const Act& x, int depth) {
    const int cin = x.shape[3];
    const bool nested = depth > 0;
    const int s = !nested && x.shape[1] > 1 && rng_.chance(35) ? 2 : 1;
    const int cout = nested || (s == 1 && rng_.chance(50)) ? cin : rng_.pick({2, 4, 8, 12, 16});
    const std::size_t area = static_cast<std::size_t>(x.shape[1] * x.shape[2]);
    if (params_ + static_cast<std::size_t>(9 * (cin + cout) * cout) > opt_.max_params * 7 / 10 ||
        area * static_cast<std::size_t>(std::max(cin, cout)) > opt_.max_activation)
      return nested ? x : conv(x, std::nullopt);  // a nested block must keep the body's shape
    summary_ << " [res";
    Act a = conv(x, Forced{rng_.pick({1, 3, 3}), s, cout, rng_.chance(70) ? Activation::Relu : Activation::None});
    if (!nested && rng_.chance(25)) a = residual(a, depth + 1);
    if (rng_.chance(60)) a = conv(a, Forced{rng_.pick({1, 3}), 1, cout, Activation::None});
    const Act shortcut = shortcut_of(x, a, s, cout);
    const Activation act = rng_.chance(60) ? Activation::Relu : Activation::None;
    const double hi = std::max(a.scale, shortcut.scale);
    Act y = activation(a.shape, rng_.log_uniform(hi * 0.6, hi * 2.5),
                       act == Activation::Relu && rng_.chance(70) ? -128 : zero_point());
    // TFLite graphs list the operands either way round.
    if (rng_.chance(50)) op(op::kAdd, 2, {a.index, shortcut.index}, {y.index}, AddOptions{act, true});
    else op(op::kAdd, 2, {shortcut.index, a.index}, {y.index}, AddOptions{act, true});
    summary_ << " add" << (act == Activation::Relu ? "+relu" : "") << "]";
    return y;
  }

  Act flatten(const Act& x) {
    const auto n = static_cast<std::int32_t>(x.size());
    const auto shape = tensor(TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, n}));
    Act y = activation({1, n}, x.scale, x.zp);
    op(op::kReshape, 1, {x.index, shape}, {y.index}, ReshapeOptions{std::vector<std::int32_t>{1, n}});
    summary_ << " reshape[" << n << "]";
    return y;
  }

  Act dense(const Act& x, bool last, int fixed_units = 0) {
    const int n = x.shape[1];
    int units = rng_.pick({1, 2, 3, 4, 7, 10, 12, 16, 32, 64});
    if (rng_.chance(10)) units = rng_.pick({257, 300});
    if (fixed_units > 0) {
      units = fixed_units;
      params_ = 0;  // architectures are not subject to the budget
    }
    if (!fits(static_cast<std::size_t>(n * units), static_cast<std::size_t>(units))) {
      units = 2;
      if (!fits(static_cast<std::size_t>(n * units), 2)) return x;
    }
    const Activation act = last ? Activation::None : fused();
    const float ws = rng_.log_uniform(0.002, 0.02);
    const auto w = tensor(TensorType::Int8, {units, n}, per_tensor(ws, 0),
                          le_bytes(weights(static_cast<std::size_t>(units), static_cast<std::size_t>(n), false)));
    const auto b = tensor(TensorType::Int32, {units}, per_tensor(x.scale * ws, 0),
                          le_bytes(biases(static_cast<std::size_t>(units), static_cast<std::size_t>(n))));
    const auto [os, oz] = output_qparams(x.scale, ws, static_cast<std::size_t>(n), act);
    Act y = activation({1, units}, os, oz);
    op(op::kFullyConnected, 4, {x.index, w, b}, {y.index}, FullyConnectedOptions{act});
    summary_ << " fc->" << units << (act == Activation::Relu ? "+relu" : act == Activation::Relu6 ? "+relu6" : "");
    return y;
  }

  Act tail(Act x) {
    const int r = rng_.uniform(0, 99);
    if (x.spatial() && r < 25) return x;  // end on a feature map
    if (x.spatial()) {
      if (rng_.chance(50)) {
        const bool keep = rng_.chance(30);
        const auto axes = tensor(TensorType::Int32, {2}, {}, le_bytes(std::vector<std::int32_t>{1, 2}));
        const int c = x.shape[3];
        Act y = keep ? activation({1, 1, 1, c}, rng_.log_uniform(x.scale * 0.3, x.scale * 1.5), zero_point())
                     : activation({1, c}, rng_.log_uniform(x.scale * 0.3, x.scale * 1.5), zero_point());
        op(op::kMean, 2, {x.index, axes}, {y.index}, ReducerOptions{keep});
        summary_ << " mean" << (keep ? "(keep)" : "");
        x = y;
      }
      if (x.spatial()) x = flatten(x);
    }
    if (rng_.chance(70)) x = dense(x, false);
    if (rng_.chance(40)) x = dense(x, true);
    // SOFTMAX over a classifier's outputs (tflm-run aborts on some rows of several hundred).
    if (x.size() <= 300 && rng_.chance(50)) {
      Act y = activation(x.shape, 1.0f / 256.0f, -128);
      op(op::kSoftmax, 2, {x.index}, {y.index}, SoftmaxOptions{1.0f});
      summary_ << " softmax";
      x = y;
    }
    return x;
  }

  Rng rng_;
  GenOptions opt_;
  Model m_;
  std::size_t params_ = 0;
  std::ostringstream summary_;
};

}  // namespace

GeneratedModel random_model(std::uint64_t seed, const GenOptions& options) { return Gen(seed, options).run(); }

GeneratedModel architecture_model(const std::string& name, std::uint64_t seed) {
  GenOptions o;
  o.max_activation = 1u << 20;
  return Gen(seed, o).arch(name);
}

}  // namespace ctml::difftest
