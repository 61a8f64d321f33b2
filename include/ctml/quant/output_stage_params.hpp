// SPDX-License-Identifier: Apache-2.0
#pragma once
// The output stage of a weighted int8 layer (conv, depthwise conv, conv1d, dense and their sparse
// twins; the 16x8 layers of dense_s16.hpp and conv_s16.hpp too) from the quantization of its
// tensors, as TFLite's Prepare derives it. The one place this is computed: PTQ (quantize_weighted) and the builders the generated headers call
// (make_qconv2d, make_qdepthwise_conv2d, make_qdense) all come here.
//   multiplier[c], shift[c] = quantize_multiplier(in_scale * w_scale[c] / out_scale)
//                             (in double, from the float scales, as TFLite's
//                             GetQuantizedConvolutionMultipler / PopulateConvolutionQuantizationParams)
//   act_min, act_max        = activation_range(act, out)   (CalculateActivationRangeQuantized,
//                             over the output type's range)
//   input/output zero point = in.zero_point, out.zero_point
// w_scales holds one scale per output channel, or a single one (per-tensor weights).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <utility>
#include <ctml/core/options.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/quant/activation_range.hpp>

namespace ctml::quant {

namespace detail {
// Not constexpr on purpose: reaching it in a constant expression stops the compiler with this
// function's name as the message; at run time (a builder called with a bad list) it traps.
[[noreturn]] inline void weight_scales_must_be_one_or_one_per_output_channel() { __builtin_trap(); }
}  // namespace detail

// Output channels of a weighted int8 layer (the length of its bias).
template <class QL>
inline constexpr std::size_t output_channels_v = std::remove_cvref_t<decltype(std::declval<QL&>().bias)>::size();

template <class QL>
constexpr void set_output_stage(QL& q, QParams in, const double* w_scales, std::size_t n_scales, QParams out,
                                Activation act) {
  constexpr std::size_t C = output_channels_v<QL>;
  if (n_scales != 1 && n_scales != C) detail::weight_scales_must_be_one_or_one_per_output_channel();
  for (std::size_t c = 0; c < C; ++c) {
    const double ws = w_scales[n_scales == 1 ? 0 : c];
    const Multiplier m = quantize_multiplier(static_cast<double>(in.scale) * ws / static_cast<double>(out.scale));
    q.multiplier[c] = m.value;
    q.shift[c] = m.shift;
  }
  q.input_zero_point = in.zero_point;
  q.output_zero_point = out.zero_point;
  const ActivationRange r = activation_range<typename QL::output_type::value_type>(act, out);
  q.act_min = r.min;
  q.act_max = r.max;
}

// A weighted int8 layer from TFLite's raw values: int8 weights and int32 bias as stored, the
// input and output tensors' quantization, the weight scales (float in the file, given as double)
// and the fused activation. Derived data (effective bias, packed weights, tables) by prepare().
template <class QL>
constexpr QL make_weighted_s8(const typename QL::weight_type& weights, const typename QL::bias_type& bias, QParams in,
                              std::initializer_list<double> w_scales, QParams out, Activation act) {
  QL q{};
  q.weights = weights;
  q.bias = bias;
  set_output_stage(q, in, w_scales.begin(), w_scales.size(), out, act);
  q.prepare();
  return q;
}

}  // namespace ctml::quant
