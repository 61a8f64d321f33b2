// SPDX-License-Identifier: Apache-2.0
#pragma once
// The keyword spotter's classes, front end and model type, shared by the trainer (kws_train.cpp),
// the example (examples/kws_example.cpp) and the firmware.
//   audio: 16 kHz mono int16
//   front end: TFLite Micro's micro_speech features (ctml::frontend::MicroSpeech: 30 ms windows
//              every 20 ms, 40 channels, noise reduction, PCAN, log; int8), the last 49 frames
//              (1 s) as the model's input
//   model: two strided convolutions (16 and 32 filters) and a dense layer over the 49 x 40
//          feature image, 12 classes
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <ctml/ctml.hpp>
#include <ctml/frontend/micro_speech.hpp>

namespace kws {

inline constexpr std::size_t classes = 12, keywords = 10, silence = 10, unknown = 11;
inline constexpr const char* labels[classes] = {"yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "_silence_", "_unknown_"};

using FrontEnd = ctml::frontend::MicroSpeech<>;
inline constexpr std::size_t frames = 49, channels = FrontEnd::features;
inline constexpr std::size_t sample_rate = 16000;

// The float model reads the int8 features as f / 128.
using Net = ctml::Sequential<float, ctml::Shape<frames, channels, 1>, ctml::Conv2D<16, ctml::Kernel<10, 8>, ctml::Stride<2, 2>, ctml::Same>,
                             ctml::ReLU, ctml::Conv2D<32, ctml::Kernel<5, 5>, ctml::Stride<2, 2>, ctml::Same>, ctml::ReLU, ctml::Flatten,
                             ctml::Dense<classes>>;

// The small model for the smallest parts: a student with half the filters (8 and 16), distilled
// from Net, whose first convolution is then pruned to its pruned_filters strongest filters
// (ctml::sparse::keep_filters: a smaller dense type, no sparse kernel needed) and fine-tuned.
template <std::size_t F1, std::size_t F2>
using SmallNet = ctml::Sequential<float, ctml::Shape<frames, channels, 1>, ctml::Conv2D<F1, ctml::Kernel<10, 8>, ctml::Stride<2, 2>, ctml::Same>,
                                  ctml::ReLU, ctml::Conv2D<F2, ctml::Kernel<5, 5>, ctml::Stride<2, 2>, ctml::Same>, ctml::ReLU,
                                  ctml::Flatten, ctml::Dense<classes>>;
inline constexpr std::size_t pruned_filters = 6;
using Student = SmallNet<8, 16>;
using Pruned = SmallNet<pruned_filters, 16>;

// The recurrent variant: a GRU of 64 units reads the 49 frames in time order (40 features each);
// its last state goes to the dense layer. Distilled from Net like the student.
using GruNet = ctml::Sequential<float, ctml::Shape<frames, channels>, ctml::GRU<64>, ctml::Dense<classes>>;

// The depthwise-separable variant (a DS-CNN, as MLPerf Tiny's keyword model but sized for the 40
// micro_speech channels): a strided 10x8 convolution of 32 filters, two depthwise-separable
// blocks (3x3 depthwise, 1x1 pointwise; the second strided, 64 filters), global average pooling
// and a dense layer; few parameters, most of the MACs in the first layer.
using DsCnn = ctml::Sequential<float, ctml::Shape<frames, channels, 1>, ctml::Conv2D<32, ctml::Kernel<10, 8>, ctml::Stride<2, 2>, ctml::Same>,
                               ctml::ReLU, ctml::DepthwiseConv2D<ctml::Kernel<3, 3>, ctml::Same>, ctml::ReLU,
                               ctml::Conv2D<32, ctml::Kernel<1, 1>, ctml::Same>, ctml::ReLU,
                               ctml::DepthwiseConv2D<ctml::Kernel<3, 3>, ctml::Stride<2, 2>, ctml::Same>, ctml::ReLU,
                               ctml::Conv2D<64, ctml::Kernel<1, 1>, ctml::Same>, ctml::ReLU, ctml::AveragePool2D<ctml::Pool<13, 10>>,
                               ctml::Flatten, ctml::Dense<classes>>;

// A feature as an int8 model's input: the float model read f / 128; quantized with the int8
// model's input scale and zero point (round to nearest, saturated).
inline std::int8_t to_model_input(std::int8_t f, float input_scale, std::int32_t input_zero_point) {
  const long q = std::lround(static_cast<float>(f) / 128.0f / input_scale) + input_zero_point;
  return static_cast<std::int8_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
}

inline void to_input(const std::int8_t* features, float* x) {
  for (std::size_t i = 0; i < frames * channels; ++i) x[i] = static_cast<float>(features[i]) / 128.0f;
}

}  // namespace kws
