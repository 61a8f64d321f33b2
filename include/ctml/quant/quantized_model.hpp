// SPDX-License-Identifier: Apache-2.0
#pragma once
// QuantizedModel: an int8 network with its edges, what quantize() returns.
#include <cstddef>
#include <ctml/core/concepts.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/quant/quantize_s8.hpp>
#include <ctml/quant/type_map.hpp>

namespace ctml::quant {

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

}  // namespace ctml::quant
