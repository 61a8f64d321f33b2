// SPDX-License-Identifier: Apache-2.0
// XNNPACK (Debian's libxnnpack-dev) on the same int8 operators as a ctml model (issue 22, items 4
// and 5): every layer of a ctml int8 model is mirrored into the XNNPACK operator TFLite's XNNPACK
// delegate would use, with the layer's own shape, weights, bias, zero points, clamp and
// requantization scale (XNNPACK takes float scales: input and output scale 1, the kernel scale
// the layer's real multiplier M * 2^shift / 2^31), single-threaded:
//   Conv2D -> convolution2d_nhwc_qc8        DepthwiseConv2D -> the same, one group per channel
//   Dense  -> fully_connected_nc_qs8        AveragePool2D over the whole input -> global average pooling
//   residual ADD -> add_nd_qs8 (scales from the ADD's multipliers)      Reshape -> nothing
// The int8 SOFTMAX at the end of KWS, ResNet-8 and VWW has no XNNPACK operator in this version and
// is left out of XNNPACK's work (ctml's includes it: a few hundred nanoseconds).
// Each mirrored layer's output can be compared with the ctml layer run on the same input
// (XnnModel::max_diff): XNNPACK rounds its requantization in float, so values may differ by one; a
// wrong mirror gives large differences.
// Used by bench_int8_models (xnnpack_peer.cpp, timed on the host) and peer_repeat.cpp
// (instruction counts under an emulator). Not a ctml header: benchmarks only.
#pragma once

#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <ctml/quant/ptq.hpp>
#include <ctml/quant/quantize_model.hpp>

namespace ctml_bench {

using namespace ctml;


inline void check(xnn_status s, const char* what) {
  if (s != xnn_status_success) throw std::runtime_error(std::string("XNNPACK: ") + what + " failed (status " + std::to_string(s) + ")");
}

inline double real_multiplier(std::int32_t m, std::int32_t shift) { return std::ldexp(static_cast<double>(m), shift - 31); }

// The XNNPACK operators of one model, set up on buffers of their own, and the checks of each
// mirrored layer against ctml.
struct XnnModel {
  std::vector<xnn_operator_t> ops;
  std::vector<std::size_t> layer_ops;  // ops[layer_ops[i] .. layer_ops[i + 1]) mirror top-level layer i
  std::vector<const std::int8_t*> layer_in;  // the input of top-level layer i in XNNPACK's buffers
  std::vector<std::unique_ptr<std::vector<std::int8_t>>> buffers;
  std::vector<std::function<int()>> checks;  // each returns the largest |XNNPACK - ctml| of its layer
  ~XnnModel() {
    for (auto* op : ops) xnn_delete_operator(op);
  }
  std::int8_t* buffer(std::size_t n) {
    buffers.push_back(std::make_unique<std::vector<std::int8_t>>(n + 64));
    return buffers.back()->data();
  }
  void run() const {
    for (auto* op : ops) check(xnn_run_operator(op, nullptr), "run");
  }
  void run_layer(std::size_t i) const {
    for (std::size_t k = layer_ops[i]; k < layer_ops[i + 1]; ++k) check(xnn_run_operator(ops[k], nullptr), "run");
  }
  int max_diff() const {
    int d = 0;
    for (const auto& c : checks) d = std::max(d, c());
    return d;
  }
};

// ctml's layer on XNNPACK's input, against XNNPACK's output.
template <class L>
void add_check(XnnModel& x, const L& l, const std::int8_t* in, const std::int8_t* out) {
  using Tr = layer_traits<L>;
  x.checks.push_back([&l, in, out] {
    std::vector<std::int8_t> y(Tr::output_type::size());
    std::vector<std::byte> scratch(Tr::scratch_bytes + 64);
    l.forward(in, y.data(), reinterpret_cast<typename Tr::scratch_value*>(scratch.data()));
    int d = 0;
    for (std::size_t i = 0; i < y.size(); ++i) d = std::max(d, std::abs(int{y[i]} - int{out[i]}));
    return d;
  });
}

template <class L>
const std::int8_t* mirror(XnnModel& x, const L& l, const std::int8_t* in);

template <kernels::Conv2DGeometry G, class L>
const std::int8_t* mirror_conv(XnnModel& x, const L& l, const std::int8_t* in, bool depthwise) {
  const auto pad_end = [](std::size_t in_n, std::size_t out_n, std::size_t k, std::size_t s, std::size_t d, std::size_t before) {
    const long need = static_cast<long>((out_n - 1) * s + (k - 1) * d + 1) - static_cast<long>(in_n) - static_cast<long>(before);
    return static_cast<std::uint32_t>(need > 0 ? need : 0);
  };
  std::vector<float> scale(G.cout);
  for (std::size_t c = 0; c < G.cout; ++c) scale[c] = static_cast<float>(real_multiplier(l.multiplier[c], l.shift[c]));
  std::int8_t* out = x.buffer(G.oh * G.ow * G.cout);
  xnn_operator_t op = nullptr;
  check(xnn_create_convolution2d_nhwc_qc8(
            static_cast<std::uint32_t>(G.pt), pad_end(G.iw, G.ow, G.kw, G.sw, G.dw, G.pl), pad_end(G.ih, G.oh, G.kh, G.sh, G.dh, G.pt),
            static_cast<std::uint32_t>(G.pl), G.kh, G.kw, G.sh, G.sw, G.dh, G.dw, depthwise ? G.cin : 1, depthwise ? 1 : G.cin,
            depthwise ? G.cout / G.cin : G.cout, G.cin, G.cout, static_cast<std::int8_t>(l.input_zero_point), 1.0f, scale.data(),
            l.weights.data(), l.bias.data(), static_cast<std::int8_t>(l.output_zero_point), 1.0f,
            static_cast<std::int8_t>(l.act_min), static_cast<std::int8_t>(l.act_max), depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &op),
        "create convolution");
  x.ops.push_back(op);
  check(xnn_setup_convolution2d_nhwc_qc8(op, 1, G.ih, G.iw, in, out, nullptr), "setup convolution");
  add_check(x, l, in, out);
  return out;
}

template <class L>
constexpr bool is_chain = requires(const L& l) {
  L::layer_count;
  l.template layer<0>();
};
template <class L>
constexpr bool is_residual = requires(const L& l) {
  l.body;
  l.add;
  L::projected;
};

// The geometry of a layer of kind Of (QConv2DLayer, QDepthwiseConv2DLayer, QAveragePool2DLayer).
template <template <kernels::Conv2DGeometry> class Of, class T>
struct layer_of : std::false_type {};
template <template <kernels::Conv2DGeometry> class Of, kernels::Conv2DGeometry G>
struct layer_of<Of, Of<G>> : std::true_type {
  static constexpr kernels::Conv2DGeometry g = G;
};
template <class T>
using is_conv = layer_of<quant::QConv2DLayer, T>;
template <class T>
using is_depthwise = layer_of<quant::QDepthwiseConv2DLayer, T>;
template <class T>
using is_pool = layer_of<quant::QAveragePool2DLayer, T>;
template <class T>
struct is_dense : std::false_type {};
template <class In, std::size_t U>
struct is_dense<quant::QDenseLayer<In, U>> : std::true_type {
  static constexpr std::size_t in = In::size, units = U;
};

template <class L>
const std::int8_t* mirror(XnnModel& x, const L& l, const std::int8_t* in) {
  if constexpr (is_chain<L>) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((in = mirror(x, l.template layer<I>(), in)), ...);
    }(std::make_index_sequence<L::layer_count>{});
    return in;
  } else if constexpr (is_conv<L>::value) {
    return mirror_conv<is_conv<L>::g>(x, l, in, false);
  } else if constexpr (is_depthwise<L>::value) {
    // XNN_FLAG_DEPTHWISE_CONVOLUTION: the kernel as TFLite stores it, [kh][kw][channels].
    return mirror_conv<is_depthwise<L>::g>(x, l, in, true);
  } else if constexpr (is_pool<L>::value) {
    constexpr auto G = is_pool<L>::g;
    static_assert(G.kh == G.ih && G.kw == G.iw, "only a pool over the whole input is mirrored");
    std::int8_t* out = x.buffer(G.cin);
    xnn_operator_t op = nullptr;
    check(xnn_create_global_average_pooling_nwc_qs8(G.cin, G.cin, G.cin, 0, 1.0f, 0, 1.0f, static_cast<std::int8_t>(l.act_min),
                                                    static_cast<std::int8_t>(l.act_max), 0, &op),
          "create global average pooling");
    x.ops.push_back(op);
    check(xnn_setup_global_average_pooling_nwc_qs8(op, 1, G.ih * G.iw, in, out, nullptr), "setup global average pooling");
    add_check(x, l, in, out);
    return out;
  } else if constexpr (is_dense<L>::value) {
    constexpr std::size_t In = is_dense<L>::in, U = is_dense<L>::units;
    // XNNPACK's qs8 fully connected op has one kernel scale (TFLite's FULLY_CONNECTED is per tensor).
    std::int8_t* out = x.buffer(U);
    xnn_operator_t op = nullptr;
    check(xnn_create_fully_connected_nc_qs8(In, U, In, U, static_cast<std::int8_t>(l.input_zero_point), 1.0f,
                                            static_cast<float>(real_multiplier(l.multiplier[0], l.shift[0])), l.weights.data(),
                                            l.bias.data(), static_cast<std::int8_t>(l.output_zero_point), 1.0f,
                                            static_cast<std::int8_t>(l.act_min), static_cast<std::int8_t>(l.act_max), 0, &op),
          "create fully connected");
    x.ops.push_back(op);
    check(xnn_setup_fully_connected_nc_qs8(op, 1, in, out, nullptr), "setup fully connected");
    add_check(x, l, in, out);
    return out;
  } else if constexpr (is_residual<L>) {
    const std::int8_t* body = mirror(x, l.body, in);
    const std::int8_t* other = in;
    if constexpr (L::projected) other = mirror(x, l.shortcut, in);
    // TFLite's ADD: input i is scaled by s_i / (2 max(s1, s2)), the sum by 2 max / (2^20 s_out).
    // With s_out = 1 the scales follow from the three multipliers.
    const quant::AddParams& a = l.add;
    const double two_max = std::ldexp(real_multiplier(a.output.value, a.output.shift), quant::AddParams::left_shift);
    const double s1 = real_multiplier(a.input1.value, a.input1.shift) * two_max, s2 = real_multiplier(a.input2.value, a.input2.shift) * two_max;
    constexpr std::size_t n = layer_traits<L>::output_type::size();
    std::int8_t* out = x.buffer(n);
    xnn_operator_t op = nullptr;
    check(xnn_create_add_nd_qs8(static_cast<std::int8_t>(-a.input1_offset), static_cast<float>(s1), static_cast<std::int8_t>(-a.input2_offset),
                                static_cast<float>(s2), static_cast<std::int8_t>(a.output_offset), 1.0f, static_cast<std::int8_t>(a.act_min),
                                static_cast<std::int8_t>(a.act_max), 0, &op),
          "create add");
    x.ops.push_back(op);
    const std::size_t shape[1] = {n};
    check(xnn_setup_add_nd_qs8(op, 1, shape, 1, shape, body, other, out, nullptr), "setup add");
    add_check(x, l, in, out);
    return out;
  } else if constexpr (std::is_same_v<typename layer_traits<L>::input_value, std::int8_t> &&
                       layer_traits<L>::input_type::size() == layer_traits<L>::output_type::size() &&
                       (std::string_view(layer_traits<L>::name) == "Reshape" || std::string_view(layer_traits<L>::name) == "QSoftmax")) {
    return in;  // Reshape: nothing to do; QSoftmax: no XNNPACK int8 operator (see the top)
  } else {
    static_assert(sizeof(L) == 0, "a layer this mirror does not know");
    return in;
  }
}

// A model mirrored once (per model object), its top-level layers' operators recorded.
template <class Model>
const XnnModel& mirrored(const Model& model) {
  static std::vector<std::int8_t> in = [] {
    std::vector<std::int8_t> v(Model::input_type::size());
    std::uint32_t s = 0x12345678u;
    for (auto& b : v) b = static_cast<std::int8_t>((s = s * 1664525u + 1013904223u) >> 24);
    return v;
  }();
  static const std::unique_ptr<XnnModel> x = [&] {
    check(xnn_initialize(nullptr), "initialize");
    auto m = std::make_unique<XnnModel>();
    const std::int8_t* a = in.data();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((m->layer_ops.push_back(m->ops.size()), m->layer_in.push_back(a), a = mirror(*m, model.template layer<I>(), a)), ...);
    }(std::make_index_sequence<Model::layer_count>{});
    m->layer_ops.push_back(m->ops.size());
    m->run();
    return m;
  }();
  return *x;
}

}  // namespace ctml_bench
