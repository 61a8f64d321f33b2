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
//        GRU                 -> QGRULayer                    (no TFLite op: TFLite's LSTM scheme,
//                               quant/gru_s8.hpp; hidden range of every step)
//        LSTM                -> QLSTMLayer                   UNIDIRECTIONAL_SEQUENCE_LSTM (8x8->16;
//                               hidden and cell state ranges of every step, quant/lstm_s8.hpp)
//        ReLU / ReLU6        -> fused into the layer before (its output clamp) when that layer is
//                               a Dense, conv, pool or residual (ADD) without an activation of its
//                               own, else QReLULayer (a clamp, same in/out params)
//      Anything else (an unfolded BatchNorm) is a compile error naming the layer.
//   4. Weights: symmetric int8 per output channel (scale max|w| / 127, values in [-127, 127]);
//      biases int32 at input_scale * weight_scale; per-channel multipliers and shifts, zero-point
//      folding and activation clamps are computed here, once, never per inference.
// No heap anywhere; the calibrator's tables are fixed-size arrays.
// Split by concern: type_map.hpp (the float -> int8 type map and fusion), network_calibration.hpp
// (range tables over a network), quantize_weights.hpp (the weight quantizer), quantized_model.hpp
// (the result type); this header fills the int8 layers from the tables and drives calibration.
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/options.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/model/fold.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/quant/calibration.hpp>
#include <ctml/quant/network_calibration.hpp>
#include <ctml/quant/quantize_weights.hpp>
#include <ctml/quant/quantized_model.hpp>
#include <ctml/quant/type_map.hpp>

namespace ctml::quant {

namespace detail {

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
  } else if constexpr (M::kind == QKind::lstm) {
    const auto& nc = std::get<st.src>(c.nested);
    const QParams hidden = nc.hidden.qparams(o);
    static_cast<typename QL::cell&>(q) = make_qlstm_cell(static_cast<const typename FL::cell&>(f), in, hidden, nc.cell_max_abs);
    return hidden;
  } else if constexpr (M::kind == QKind::gru) {
    const QParams hidden = std::get<st.src>(c.nested).hidden.qparams(o);
    static_cast<typename QL::cell&>(q) = make_qgru_cell(static_cast<const typename FL::cell&>(f), in, hidden);
    return hidden;
  } else {
    const auto& nc = std::get<st.src>(c.nested);
    const QParams body_out = quantize_net(q.body, f.body, nc.body, in, o);
    QParams short_out = in;
    if constexpr (FL::projected) short_out = quantize_net(q.shortcut, f.shortcut, nc.shortcut, in, o);
    const QParams out = c.t[st.range + 1].qparams(o);
    q.add = make_add_params(body_out, short_out, out, st.act);
    q.prepare();
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
