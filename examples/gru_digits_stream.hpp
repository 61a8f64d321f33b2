// SPDX-License-Identifier: Apache-2.0
#pragma once
// The streaming GRU digit classifier: trained by examples/gru_digits.cpp (as a sequence model,
// then copied into this form), shipped as examples/data/gru_digits_trained.hpp (a weight blob and
// test digits, written by `gru_digits --write`), and run on Cortex-M by firmware/fw_gru_digits.cpp.
// One call per 8-pixel row of an 8x8 digit; after the 8th row the 10 outputs are the logits.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/ctml.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/quant.hpp>

#include "common/example_utils.hpp"

namespace gru_digits {

inline constexpr std::size_t rows = 8, row_pixels = 8, classes = 10;
using Stream = ctml::Sequential<float, ctml::Shape<row_pixels>, ctml::StreamingGRU<24>, ctml::Dense<classes>>;
// Its int8 twin (post-training quantization of the sequence model, whose int8 GRU cell and Dense
// layer it holds): int8 pixels in, int8 logits out.
using QStream = ctml::Chain<ctml::quant::QStreamingGRULayer<row_pixels, 24>, ctml::quant::QDenseLayer<ctml::Shape<24>, classes>>;

// Loads a blob stored as bytes in a header (examples/common/example_utils.hpp).
template <class Net, std::size_t N>
constexpr ctml::BlobResult load(Net& net, const unsigned char (&bytes)[N]) {
  return ex::load_blob(net, bytes);
}

// The logits of one digit (pixels 0..16, as the data set stores them), fed row by row.
inline void classify(const Stream& net, const unsigned char* pixels, float* logits, std::span<std::byte> arena) {
  Stream::state_type state{};
  net.reset(state);
  Stream::output_type z{};
  for (std::size_t r = 0; r < rows; ++r) {
    Stream::input_type frame{};
    for (std::size_t i = 0; i < row_pixels; ++i) frame[i] = static_cast<float>(pixels[r * row_pixels + i]) / 16.0f;
    net(frame, z, arena, state);
  }
  for (std::size_t i = 0; i < classes; ++i) logits[i] = z[i];
}

// The int8 logits of one digit: pixel / 16 quantized with the model's input parameters.
inline void classify(const QStream& net, ctml::quant::QParams input, const unsigned char* pixels, std::int8_t* logits,
                     std::span<std::byte> arena) {
  QStream::state_type state{};
  net.reset(state);
  QStream::output_type z{};
  for (std::size_t r = 0; r < rows; ++r) {
    QStream::input_type frame{};
    for (std::size_t i = 0; i < row_pixels; ++i)
      frame[i] = ctml::quant::quantize_s8(static_cast<float>(pixels[r * row_pixels + i]) / 16.0f, input);
    net(frame, z, arena, state);
  }
  for (std::size_t i = 0; i < classes; ++i) logits[i] = z[i];
}

// Two runs of the same weights on two machines agree to float rounding (another libm's expf, fused
// multiply-adds): |a - b| <= 1e-4 + 1e-4 |b| per logit.
inline bool logits_close(const float* a, const float* b) {
  for (std::size_t i = 0; i < classes; ++i)
    if (!(std::fabs(a[i] - b[i]) <= 1e-4f + 1e-4f * std::fabs(b[i]))) return false;
  return true;
}

template <class T>
inline std::size_t argmax(const T* z) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < classes; ++i)
    if (z[i] > z[best]) best = i;
  return best;
}

}  // namespace gru_digits
