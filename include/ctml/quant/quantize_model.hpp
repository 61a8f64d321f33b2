// SPDX-License-Identifier: Apache-2.0
#pragma once
// Whole-model post-training quantization: a float network becomes its int8 twin, whose type is
// computed from the float type.
//
//   auto q = ctml::quant::quantize(float_model, calibration_set);            // min/max ranges
//   auto q = ctml::quant::quantize(float_model, calibration_set,
//                                  {ctml::quant::RangeMethod::percentile, 99.99});
//   q.model                    the int8 network: quantized_t<FloatModel>, a ctml::Chain of
//                              QDense / QConv2D / QDepthwiseConv2D / ... layers
//   q.input, q.output          QParams of the network's input and output (no scale by hand)
//   q(x)                       float in -> QUANTIZE -> int8 model -> DEQUANTIZE -> float out
//   q.quantize_input(x), q.dequantize_output(y), q.model(in, out, arena)   for firmware
//
// What happens, in order:
//   1. BatchNorms are folded into the conv/dense before them (ctml::fold_batchnorms).
//   2. Calibration: the folded float network runs layer by layer over the calibration set and the
//      range of the input and of every layer's output is recorded (min/max; for the percentile
//      method a second pass fills a fixed-size histogram per tensor). A Calibrator can be fed
//      samples one at a time when the set is not in memory.
//   3. The type map, float layer -> int8 layer (TFLite's int8 ops):
//        Dense               -> QDenseLayer                  FULLY_CONNECTED
//        Conv2D              -> QConv2DLayer                 CONV_2D
//        DepthwiseConv2D     -> QDepthwiseConv2DLayer        DEPTHWISE_CONV_2D
//        Conv1D              -> QConv1DLayer                 CONV_2D with H = 1
//        AveragePool2D       -> QAveragePool2DLayer          AVERAGE_POOL_2D (same in/out params)
//        MaxPool2D           -> QMaxPool2DLayer              MAX_POOL_2D     (same in/out params)
//        GlobalAveragePool   -> QMeanLayer                   MEAN over H, W
//        Reshape / Flatten   -> ReshapeLayer<int8_t>         RESHAPE         (same in/out params)
//        Softmax             -> QSoftmaxLayer                SOFTMAX (output 1/256, -128)
//        Sigmoid / Tanh      -> QLogisticLayer / QTanhLayer  LOGISTIC / TANH
//        Residual            -> QResidualLayer               body and shortcut networks, then ADD
//        ReLU / ReLU6        -> fused into the layer before (its output clamp) when that layer is
//                               a Dense, conv, pool or residual (ADD) without an activation of its
//                               own, else QReLULayer (a clamp, same in/out params)
//      Anything else (an unfolded BatchNorm) is a compile error naming the layer.
//   4. Weights: symmetric int8 per output channel (scale max|w| / 127, values in [-127, 127]);
//      biases int32 at input_scale * weight_scale; per-channel multipliers and shifts, zero-point
//      folding and activation clamps are computed here, once, never per inference.
// No heap anywhere; the calibrator's tables are fixed-size arrays.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/layers/activations.hpp>
#include <ctml/layers/batchnorm.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/layers/depthwise_conv2d.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/layers/reshape.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/model/fold.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/quant/calibration.hpp>
#include <ctml/quant/conv1d_s8.hpp>
#include <ctml/quant/conv_s8.hpp>
#include <ctml/quant/dense_s8.hpp>
#include <ctml/quant/logistic_s8.hpp>
#include <ctml/quant/maxpool_s8.hpp>
#include <ctml/quant/mean_s8.hpp>
#include <ctml/quant/quantize_s8.hpp>
#include <ctml/quant/quantize_weights.hpp>
#include <ctml/quant/relu_s8.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/quant/residual_s8.hpp>
#include <ctml/quant/softmax_s8.hpp>
#include <ctml/quant/tanh_s8.hpp>

namespace ctml::quant {

// How the output parameters of an int8 layer are chosen.
enum class QKind {
  weighted,     // Dense / conv: from the calibrated range of its (activated) output
  same_params,  // pools, reshape: the input's parameters
  relu,         // a standalone ReLU: the input's parameters, clamped
  mean,         // from the calibrated range, requantized by the MEAN multiplier
  softmax,      // fixed 1/256, -128
  logistic,     // fixed 1/256, -128
  tanh,         // fixed 1/128, 0
  residual,     // body and shortcut quantized recursively; their ADD to the calibrated output range
};

namespace detail {

// qmap<FloatLayer>: the layer's int8 twin and how it is quantized. The primary is empty: a layer
// without a specialization is not Quantizable, and quantize() says so (qinfo below).
template <class L>
struct qmap {};

struct qmap_base {
  static constexpr bool fusable = false;
  static constexpr bool channel_last = false;
  static constexpr Activation act = Activation::none;
};

template <class In, std::size_t U, Activation A>
struct qmap<DenseLayer<float, In, U, A>> : qmap_base {
  using type = QDenseLayer<In, U>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = A;
  static constexpr bool fusable = true;
};
template <class In, std::size_t F, std::size_t KH, std::size_t KW, class Opt>
struct qmap<Conv2DLayer<float, In, F, KH, KW, Opt>> : qmap_base {
  using type = QConv2DLayer<Conv2DLayer<float, In, F, KH, KW, Opt>::geometry>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
};
template <class In, std::size_t KH, std::size_t KW, class Opt>
struct qmap<DepthwiseConv2DLayer<float, In, KH, KW, Opt>> : qmap_base {
  using type = QDepthwiseConv2DLayer<DepthwiseConv2DLayer<float, In, KH, KW, Opt>::geometry>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
  static constexpr bool channel_last = true;
};
template <class In, std::size_t F, std::size_t K, class Opt>
struct qmap<Conv1DLayer<float, In, F, K, Opt>> : qmap_base {
  using type = QConv1DLayer<Conv1DLayer<float, In, F, K, Opt>::geometry>;
  static constexpr QKind kind = QKind::weighted;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
};
template <class In, kernels::PoolKind K, std::size_t PH, std::size_t PW, class St, class Opt>
struct qmap<Pool2DLayer<float, In, K, PH, PW, St, Opt>> : qmap_base {
  static constexpr auto g = Pool2DLayer<float, In, K, PH, PW, St, Opt>::geometry;
  using type = std::conditional_t<K == kernels::PoolKind::max, QMaxPool2DLayer<g>, QAveragePool2DLayer<g>>;
  static constexpr QKind kind = QKind::same_params;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
};
template <class In>
struct qmap<GlobalAveragePoolLayer<float, In>> : qmap_base {
  using type = QMeanLayer<In>;
  static constexpr QKind kind = QKind::mean;
};
template <class In, class Out>
struct qmap<ReshapeLayer<float, In, Out>> : qmap_base {
  using type = ReshapeLayer<std::int8_t, In, Out>;
  static constexpr QKind kind = QKind::same_params;
};
template <class S>
struct qmap<SoftmaxLayer<float, S>> : qmap_base {
  using type = QSoftmaxLayer<S>;
  static constexpr QKind kind = QKind::softmax;
};
template <class S>
struct qmap<SigmoidLayer<float, S>> : qmap_base {
  using type = QLogisticLayer<S>;
  static constexpr QKind kind = QKind::logistic;
};
template <class S>
struct qmap<TanhLayer<float, S>> : qmap_base {
  using type = QTanhLayer<S>;
  static constexpr QKind kind = QKind::tanh;
};
template <class S>
struct qmap<ReLULayer<float, S>> : qmap_base {
  using type = QReLULayer<S>;
  static constexpr QKind kind = QKind::relu;
  static constexpr Activation act = Activation::relu;
};
template <class S>
struct qmap<ReLU6Layer<float, S>> : qmap_base {
  using type = QReLULayer<S>;
  static constexpr QKind kind = QKind::relu;
  static constexpr Activation act = Activation::relu6;
};

template <class Net>
struct quantized_of;
template <class In, class Body, class Short>
struct qmap<ResidualLayer<float, In, Body, Short>> : qmap_base {
  using qshort = typename std::conditional_t<std::is_same_v<Short, Identity>, std::type_identity<Identity>,
                                             quantized_of<Short>>::type;
  using type = QResidualLayer<In, typename quantized_of<Body>::type, qshort>;
  static constexpr QKind kind = QKind::residual;
  static constexpr bool fusable = true;  // a following ReLU becomes the ADD's clamp
};

template <class L>
concept has_qmap = requires { typename qmap<L>::type; };
template <class L>
inline constexpr bool is_float_batchnorm = false;
template <class S>
inline constexpr bool is_float_batchnorm<BatchNormLayer<float, S>> = true;
// Stands in for the missing int8 twin so that the static_assert below is the only error.
template <class L>
struct QUnsupported {
  using input_type = Tensor<std::int8_t, typename layer_traits<L>::input_shape>;
  using output_type = Tensor<std::int8_t, typename layer_traits<L>::output_shape>;
  constexpr void forward(const std::int8_t*, std::int8_t*, std::int8_t*) const {}
};
template <class L>
struct qmap_unsupported : qmap_base {
  using type = QUnsupported<L>;
  static constexpr QKind kind = QKind::same_params;
};
// qmap with the error a user sees for a layer that has no int8 twin.
template <class L>
struct qinfo : std::conditional_t<has_qmap<L>, qmap<L>, qmap_unsupported<L>> {
  static_assert(!is_float_batchnorm<L>,
                "ctml::quant::quantize: a BatchNorm that does not directly follow a Dense or conv "
                "without activation cannot be folded, and int8 has no BatchNorm op");
  static_assert(has_qmap<L> || is_float_batchnorm<L>,
                "ctml::quant::quantize: this float layer has no int8 counterpart (supported: Dense, "
                "Conv1D, Conv2D, DepthwiseConv2D, AveragePool2D, MaxPool2D, GlobalAveragePool, "
                "Reshape/Flatten, ReLU, ReLU6, Softmax, Sigmoid, Tanh, Residual, and BatchNorm right "
                "after a Dense or conv, which is folded); see the template argument L");
};

// The activation a ReLU/ReLU6 layer would fuse, or none.
template <class L>
inline constexpr Activation fusable_activation = Activation::none;
template <class S>
inline constexpr Activation fusable_activation<ReLULayer<float, S>> = Activation::relu;
template <class S>
inline constexpr Activation fusable_activation<ReLU6Layer<float, S>> = Activation::relu6;

template <class A, class B>
constexpr bool fuses() {
  if constexpr (fusable_activation<B> == Activation::none) return false;
  else return qinfo<A>::fusable && qinfo<A>::act == Activation::none;
}

// Type walk: emit the int8 layer of each float layer, skipping a ReLU fused into the one before.
template <class Done, class... Ls>
struct qwalk;
template <class... D>
struct qwalk<LayerPack<D...>> {
  using type = LayerPack<D...>;
};
template <class... D, class L>
struct qwalk<LayerPack<D...>, L> {
  using type = LayerPack<D..., typename qinfo<L>::type>;
};
template <bool Fuse, class Done, class A, class B, class... R>
struct qstep;
template <class... D, class A, class B, class... R>
struct qstep<true, LayerPack<D...>, A, B, R...> {
  using type = typename qwalk<LayerPack<D..., typename qinfo<A>::type>, R...>::type;
};
template <class... D, class A, class B, class... R>
struct qstep<false, LayerPack<D...>, A, B, R...> {
  using type = typename qwalk<LayerPack<D..., typename qinfo<A>::type>, B, R...>::type;
};
template <class... D, class A, class B, class... R>
struct qwalk<LayerPack<D...>, A, B, R...> : qstep<fuses<A, B>(), LayerPack<D...>, A, B, R...> {};

template <class... Ls>
struct quantized_of<Network<LayerPack<Ls...>>> {
  using type = Network<typename qwalk<LayerPack<>, Ls...>::type>;
};

// Which float layers each int8 layer comes from.
struct QStep {
  std::size_t src = 0;    // float layer it quantizes
  std::size_t range = 0;  // float layer whose output range it takes (src + 1 when a ReLU is fused)
  Activation act = Activation::none;
};

template <class Net, std::size_t N = quantized_of<Net>::type::layer_count>
constexpr std::array<QStep, N> make_qsteps() {
  constexpr std::size_t n = Net::layer_count;
  std::array<bool, n> fuse_next{};
  std::array<Activation, n> own{}, next_act{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((own[I] = qinfo<typename Net::template layer_type<I>>::act), ...);
    (([&] {
       if constexpr (I + 1 < n) {
         using A = typename Net::template layer_type<I>;
         using B = typename Net::template layer_type<(I + 1 < n ? I + 1 : I)>;
         fuse_next[I] = fuses<A, B>();
         next_act[I] = fusable_activation<B>;
       }
     }()),
     ...);
  }(std::make_index_sequence<n>{});
  std::array<QStep, N> steps{};
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i, ++k) {
    steps[k] = {i, i, own[i]};
    if (fuse_next[i]) {
      steps[k] = {i, i + 1, next_act[i]};
      ++i;
    }
  }
  return steps;
}

template <class T>
constexpr T max_of(std::initializer_list<T> v) {
  T m{};
  for (T x : v) m = x > m ? x : m;
  return m;
}

}  // namespace detail

// A float layer with an int8 twin that quantize() builds (tests/static lists every layer).
template <class L>
concept Quantizable = detail::has_qmap<L>;

// The int8 twin's type: a ctml::Chain of int8 layers, from the float network's type.
template <class FloatNet>
using quantized_t = typename detail::quantized_of<folded_t<FloatNet>>::type;

// An int8 network with its edges: quantization parameters of input and output, and float entry
// points. `model` alone is what runs on a device.
template <class QNet, ShapeType InShape, ShapeType OutShape>
struct QuantizedModel {
  using int8_model = QNet;
  using input_type = Tensor<float, InShape>;
  using output_type = Tensor<float, OutShape>;
  using qinput_type = typename QNet::input_type;
  using qoutput_type = typename QNet::output_type;
  static constexpr std::size_t arena_bytes = QNet::arena_bytes;

  QNet model{};
  QParams input{};   // of model's input tensor
  QParams output{};  // of model's output tensor

  constexpr QuantizeLayer<InShape> input_layer() const { return {input}; }
  constexpr DequantizeLayer<OutShape> output_layer() const { return {output}; }

  constexpr qinput_type quantize_input(const input_type& x) const {
    qinput_type q{};
    input_layer().forward(x.data(), q.data(), nullptr);
    return q;
  }
  constexpr output_type dequantize_output(const qoutput_type& y) const {
    output_type f{};
    output_layer().forward(y.data(), f.data(), nullptr);
    return f;
  }
  // QUANTIZE -> int8 network -> DEQUANTIZE (tests, host tools; firmware calls model directly).
  constexpr output_type operator()(const input_type& x) const { return dequantize_output(model.infer(quantize_input(x))); }
};

template <class FloatNet>
using quantized_model_t = QuantizedModel<quantized_t<FloatNet>, typename FloatNet::input_shape, typename FloatNet::output_shape>;

namespace detail {

template <class Net, std::size_t Bins>
struct NetCalib;

// Calibration state nested inside one layer: nothing for plain layers; for a residual block the
// tables of its body and shortcut networks.
template <class L, std::size_t Bins>
struct NestedCalib {
  constexpr void run(const L& l, const float* in, float* out, float* scratch, int) { l.forward(in, out, scratch); }
};
template <class In, class Body, class Short, std::size_t Bins>
struct NestedCalib<ResidualLayer<float, In, Body, Short>, Bins> {
  using L = ResidualLayer<float, In, Body, Short>;
  static constexpr bool projected = L::projected;
  static constexpr std::size_t n = L::output_type::size();
  NetCalib<Body, Bins> body{};
  std::conditional_t<projected, NetCalib<std::conditional_t<projected, Short, Body>, Bins>, std::array<int, 0>> shortcut{};  // unused without projection
  constexpr void run(const L& l, const float* in, float* out, float*, int pass) {
    ::ctml::detail::side_effect_fence();
    body.run(l.body, in, out, pass);
    if constexpr (projected) {
      std::array<float, n> s{};
      shortcut.run(l.shortcut, in, s.data(), pass);
      for (std::size_t i = 0; i < n; ++i) out[i] += s[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) out[i] += in[i];
    }
  }
};

template <class Net, std::size_t Bins, class Seq = std::make_index_sequence<Net::layer_count>>
struct nested_tuple;
template <class Net, std::size_t Bins, std::size_t... I>
struct nested_tuple<Net, Bins, std::index_sequence<I...>> {
  using type = std::tuple<NestedCalib<typename Net::template layer_type<I>, Bins>...>;
};

// Ranges of a network's input (t[0]) and of each layer's output (t[i + 1]).
template <class Net, std::size_t Bins>
struct NetCalib {
  static constexpr std::size_t n = Net::layer_count;
  std::array<TensorStats<Bins>, n + 1> t{};
  typename nested_tuple<Net, Bins>::type nested{};

  template <std::size_t... I>
  static constexpr std::size_t max_activation(std::index_sequence<I...>) {
    return max_of<std::size_t>({Net::input_type::size(), layer_traits<typename Net::template layer_type<I>>::output_type::size()...});
  }
  template <std::size_t... I>
  static constexpr std::size_t max_scratch(std::index_sequence<I...>) {
    return max_of<std::size_t>({std::size_t{1}, layer_traits<typename Net::template layer_type<I>>::scratch_size...});
  }
  static constexpr std::size_t buffer_size = max_activation(std::make_index_sequence<n>{});
  static constexpr std::size_t scratch_size = max_scratch(std::make_index_sequence<n>{});

  static constexpr void record(TensorStats<Bins>& s, const float* v, std::size_t count, int pass) {
    if (pass == 0) s.observe_range(v, count);
    else s.observe_histogram(v, count);
  }

  // Run the network on in (its input) into out (its output), recording every activation.
  constexpr void run(const Net& net, const float* in, float* out, int pass) {
    std::array<float, buffer_size> a{}, b{};
    std::array<float, scratch_size> s{};
    record(t[0], in, Net::input_type::size(), pass);
    const float* cur = in;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (([&] {
         using L = typename Net::template layer_type<I>;
         static_assert(std::is_same_v<typename layer_traits<L>::scratch_value, float>,
                       "ctml::quant::Calibrator: float layers only");
         float* dst = I + 1 == n ? out : (I % 2 == 0 ? a.data() : b.data());
         std::get<I>(nested).run(net.template layer<I>(), cur, dst, s.data(), pass);
         record(t[I + 1], dst, layer_traits<L>::output_type::size(), pass);
         cur = dst;
       }()),
       ...);
    }(std::make_index_sequence<n>{});
  }
};

template <class Net, std::size_t Bins>
constexpr QParams quantize_net(typename quantized_of<Net>::type& q, const Net& f, const NetCalib<Net, Bins>& c, QParams in,
                               const CalibrationOptions& o);

// Fill int8 layer K of a network from its float source; returns its output parameters.
template <std::size_t K, class Net, std::size_t Bins, class QL>
constexpr QParams quantize_step(QL& q, const Net& net, const NetCalib<Net, Bins>& c, QParams in, const CalibrationOptions& o) {
  constexpr QStep st = make_qsteps<Net>()[K];
  using FL = typename Net::template layer_type<st.src>;
  using M = qinfo<FL>;
  const FL& f = net.template layer<st.src>();
  if constexpr (M::kind == QKind::weighted) {
    const QParams out = c.t[st.range + 1].qparams(o);
    quantize_weighted<M::channel_last>(q, f, in, out, st.act);
    return out;
  } else if constexpr (M::kind == QKind::same_params) {
    if constexpr (requires { q.act_min; }) {
      const ActivationRange r = activation_range(st.act, in);
      q.act_min = r.min;
      q.act_max = r.max;
    }
    return in;
  } else if constexpr (M::kind == QKind::relu) {
    const ActivationRange r = activation_range(st.act, in);
    q.act_min = r.min;
    q.act_max = r.max;
    return in;
  } else if constexpr (M::kind == QKind::mean) {
    const QParams out = c.t[st.range + 1].qparams(o);
    q = make_qmean<typename FL::input_type::shape_type>(in, out);
    return out;
  } else if constexpr (M::kind == QKind::softmax) {
    q.params = make_softmax_params(1.0 / static_cast<double>(f.temperature), static_cast<double>(in.scale));
    return QParams{1.0f / 256.0f, -128};
  } else if constexpr (M::kind == QKind::logistic) {
    q = make_qlogistic<typename FL::input_type::shape_type>(in);
    return logistic_output_qparams;
  } else if constexpr (M::kind == QKind::tanh) {
    q = make_qtanh<typename FL::input_type::shape_type>(in);
    return tanh_output_qparams;
  } else {
    const auto& nc = std::get<st.src>(c.nested);
    const QParams body_out = quantize_net(q.body, f.body, nc.body, in, o);
    QParams short_out = in;
    if constexpr (FL::projected) short_out = quantize_net(q.shortcut, f.shortcut, nc.shortcut, in, o);
    const QParams out = c.t[st.range + 1].qparams(o);
    q.add = make_add_params(body_out, short_out, out, st.act);
    return out;
  }
}

template <class Net, std::size_t Bins>
constexpr QParams quantize_net(typename quantized_of<Net>::type& q, const Net& f, const NetCalib<Net, Bins>& c, QParams in,
                               const CalibrationOptions& o) {
  QParams cur = in;
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    ((cur = quantize_step<K>(q.template layer<K>(), f, c, cur, o)), ...);
  }(std::make_index_sequence<quantized_of<Net>::type::layer_count>{});
  return cur;
}

}  // namespace detail

// Streams calibration samples through the folded float network and builds the int8 twin.
//   Calibrator<Net> cal(net, options);                 (large: keep it static or on the host)
//   for (x : set) cal.observe(x);
//   if (cal.needs_second_pass()) { cal.start_second_pass(); for (x : set) cal.observe(x); }
//   auto q = cal.quantize();
template <class FloatNet, std::size_t Bins = 2048>
class Calibrator {
 public:
  using float_model = folded_t<FloatNet>;
  using int8_model = quantized_t<FloatNet>;
  using input_type = typename FloatNet::input_type;
  using result_type = quantized_model_t<FloatNet>;
  static constexpr std::size_t layer_count = float_model::layer_count;
  static constexpr std::size_t tensor_count = layer_count + 1;  // input, then each layer's output

  constexpr explicit Calibrator(const FloatNet& net, CalibrationOptions o = {})
      : model_(fold_batchnorms(net)), options_(o) {}

  constexpr bool needs_second_pass() const { return options_.method == RangeMethod::percentile && pass_ == 0; }
  constexpr void start_second_pass() { pass_ = 1; }

  // Run one sample through the float network, recording every activation (also those inside
  // residual blocks).
  constexpr void observe(const input_type& x) {
    typename float_model::output_type y{};
    calib_.run(model_, x.data(), y.data(), pass_);
  }

  // Ranges of the top-level tensors: 0 the input, i + 1 the output of folded layer i.
  const TensorStats<Bins>& stats(std::size_t tensor) const { return calib_.t[tensor]; }
  constexpr QParams tensor_qparams(std::size_t tensor) const { return calib_.t[tensor].qparams(options_); }

  constexpr result_type quantize() const {
    result_type r{};
    r.input = tensor_qparams(0);
    r.output = detail::quantize_net(r.model, model_, calib_, r.input, options_);
    return r;
  }

 private:
  float_model model_;
  CalibrationOptions options_;
  detail::NetCalib<float_model, Bins> calib_{};
  int pass_ = 0;
};

// One call: calibrate on a range of float input tensors (two passes for the percentile method)
// and return the int8 twin. The calibrator lives on the stack: for large networks on a small
// stack, use a (static) Calibrator directly.
template <class FloatNet, class Samples>
constexpr quantized_model_t<FloatNet> quantize(const FloatNet& net, const Samples& calibration_set,
                                               CalibrationOptions options = {}) {
  Calibrator<FloatNet> cal(net, options);
  for (const auto& x : calibration_set) cal.observe(x);
  if (cal.needs_second_pass()) {
    cal.start_second_pass();
    for (const auto& x : calibration_set) cal.observe(x);
  }
  return cal.quantize();
}

}  // namespace ctml::quant
