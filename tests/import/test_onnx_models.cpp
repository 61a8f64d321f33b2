// SPDX-License-Identifier: Apache-2.0
// PyTorch models through `ctml-import model.onnx`: the headers generated at build time from
// tests/data/onnx/*.onnx (exported by torch.onnx.export, gen_onnx_models.py) run the inputs
// PyTorch ran, in PyTorch's layout (NCHW), and give PyTorch's outputs within 1e-5 (relative to
// the largest output, or absolute below 1). The models cover every ONNX operator the importer
// maps (see the script) with BatchNormalization folded by the exporter and by the importer,
// HardSwish as opset 13 writes it (x * HardSigmoid(x)), padding TFLite's SAME cannot express, a
// Flatten of a 2x2x12 tensor (NCHW order), a residual Add and constants in Mul / Add, and the
// merges of two branches (Concat, Mul with broadcasting, Sub, Max; Min with a constant), and
// ConvTranspose (TRANSPOSE_CONV and a crop for PyTorch's padding) with a 4-D output.
//
// The int8 QDQ export of a PyTorch post-training-quantized CNN (cnn_qdq.onnx, uint8 activations,
// int8 weights, int32 biases) runs as TFLite's int8 kernels would run its translation: bytes equal
// to TFLite Micro's on that translation (written by `ctml-import --tflite`), and within one output
// step of ONNX Runtime evaluating the QDQ graph as written (float ops between DequantizeLinear and
// QuantizeLinear; run_onnxruntime.js). The rule that explains the steps: TFLite requantizes the
// exact int32 accumulator with a fixed-point multiplier and rounds half away from zero, ONNX
// computes the op in float and QuantizeLinear rounds half to even; a value within float rounding
// of a half step goes different ways (per layer a few outputs in a thousand, measured with
// tflm-run --dump, docs/int8.md). PyTorch's own quantized kernels (qnnpack) differ from both by
// up to a step as well; they are checked within two. The operator form (QLinearConv,
// QLinearMatMul; qlinear.onnx from gen_qlinear_model.py) is held to the same rules.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <string>
#include <vector>

#include "onnx_branches.hpp"
#include "onnx_cnn.hpp"
#include "onnx_decoder.hpp"
#include "onnx_sensor1d.hpp"
#include "onnx_inception.hpp"
#include "onnx_cnn_qdq.hpp"
#include "onnx_gap.hpp"
#include "onnx_mlp.hpp"
#include "onnx_qlinear.hpp"
#include "onnx_conv_gru.hpp"
#include "onnx_gru_hn.hpp"
#include "onnx_gru_spec.hpp"
#include "onnx_lstm_last.hpp"
#include "onnx_lstm_spec.hpp"
#include "onnx_lstm_stack.hpp"
#include "read_file.hpp"
#include "tflm_run.hpp"

namespace {

std::vector<float> floats(const std::string& path) {
  const auto b = ctml::test::read_file(path);
  std::vector<float> v(b.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
  return v;
}

// Input k of a file of inputs (into x) through the model; its output.
template <class Model>
typename Model::output_type run_input(const Model& model, const std::vector<float>& in, std::size_t k, typename Model::input_type& x) {
  constexpr std::size_t n_in = Model::input_shape::size;
  typename Model::output_type y{};
  std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(k * n_in), n_in, x.data());
  alignas(16) static std::byte arena[Model::arena_bytes + 1];
  model(x, y, arena);
  return y;
}

// Runs every input of NAME.in through the model and compares with NAME.out.
template <class Model>
void check_against_pytorch(const Model& model, const std::string& name) {
  const auto in = floats(std::string(CTML_TEST_DATA_DIR) + "/onnx/" + name + ".in");
  const auto out = floats(std::string(CTML_TEST_DATA_DIR) + "/onnx/" + name + ".out");
  constexpr std::size_t n_in = Model::input_shape::size, n_out = Model::output_shape::size;
  REQUIRE(in.size() % n_in == 0);
  const std::size_t count = in.size() / n_in;
  REQUIRE(count >= 3);
  REQUIRE(out.size() == count * n_out);
  for (std::size_t k = 0; k < count; ++k) {
    typename Model::input_type x{};
    const auto y = run_input(model, in, k, x);
    double peak = 1.0, worst = 0.0;
    for (std::size_t i = 0; i < n_out; ++i) peak = std::max(peak, std::fabs(static_cast<double>(out[k * n_out + i])));
    for (std::size_t i = 0; i < n_out; ++i)
      worst = std::max(worst, std::fabs(static_cast<double>(y[i]) - static_cast<double>(out[k * n_out + i])));
    INFO(name << " input " << k << ": largest difference " << worst << " (peak " << peak << ")");
    CHECK(worst / peak <= 1e-5);
  }
}

}  // namespace

TEST_CASE("ONNX from PyTorch: a CNN (conv + BN, depthwise, ReLU6, HardSwish, pools, residual, BN, flatten, Gemm, softmax)") {
  static_assert(onnx_cnn::input_is_float && onnx_cnn::output_is_float);
  static_assert(onnx_cnn::Model::input_shape::size == 3 * 16 * 16);
  static_assert(onnx_cnn::label_count == 10);
  check_against_pytorch(onnx_cnn::model, "cnn");
}

TEST_CASE("ONNX from PyTorch (opset 17): dilation, PyTorch's stride-2 padding, LeakyReLU, sigmoid, global pool, tanh, constants") {
  static_assert(onnx_gap::Model::input_shape::size == 2 * 13 * 13);
  static_assert(onnx_gap::label_count == 4);
  check_against_pytorch(onnx_gap::model, "gap");
}

TEST_CASE("ONNX from PyTorch: two-branch merges (cat, squeeze-excitation Mul, Sub, Max; Min with a constant)") {
  static_assert(onnx_branches::Model::input_shape::size == 3 * 10 * 10);
  check_against_pytorch(onnx_branches::model, "branches");
}

TEST_CASE("ONNX from PyTorch: ConvTranspose2d (padding, output_padding) to a 4-D NCHW output") {
  static_assert(onnx_decoder::Model::input_shape::size == 4 * 5 * 5);
  static_assert(onnx_decoder::Model::output_shape::size == 2 * 20 * 20);
  check_against_pytorch(onnx_decoder::model, "decoder");
}

TEST_CASE("ONNX from PyTorch: a 1-D CNN on a [3, 64] window (Conv1d + BN, MaxPool1d, depthwise, dilation, residual, AvgPool1d, mean over time)") {
  static_assert(onnx_sensor1d::Model::input_shape::size == 3 * 64);
  static_assert(std::is_same_v<onnx_sensor1d::Model::input_shape, ctml::Shape<3, 64>>);  // PyTorch's NCL at the edge
  check_against_pytorch(onnx_sensor1d::model, "sensor1d");
}

TEST_CASE("ONNX from PyTorch: torch.cat of four branches (one the input itself) and of slices along the width") {
  check_against_pytorch(onnx_inception::model, "inception");
}

TEST_CASE("ONNX from PyTorch: an MLP of Gemm, ReLU and sigmoid") {
  static_assert(onnx_mlp::Model::input_shape::size == 20);
  check_against_pytorch(onnx_mlp::model, "mlp");
}

// Recurrent layers (tests/data/onnx/gen_onnx_rnn_models.py). PyTorch writes the zero initial state
// as a shape computation (Expand of Concat of Gather of Shape), evaluated by the importer, and
// works time-major inside (the batch of one moved by Transpose / Squeeze), which the importer
// follows without moving data.
TEST_CASE("ONNX from PyTorch: LSTM (batch_first) and its last step y[:, -1], Linear") {
  static_assert(std::is_same_v<onnx_lstm_last::Model::input_shape, ctml::Shape<12, 6>>);
  static_assert(onnx_lstm_last::macs == 12 * 4 * 16 * (6 + 16) + 16 * 5);
  check_against_pytorch(onnx_lstm_last::model, "lstm_last");
}

TEST_CASE("ONNX from PyTorch: GRU returning h_n (Y_h), h_n[0], two Linear layers") {
  static_assert(onnx_gru_hn::Model::output_shape::size == 3);
  check_against_pytorch(onnx_gru_hn::model, "gru_hn");
}

TEST_CASE("ONNX from PyTorch: a time-major two-layer LSTM (two LSTM nodes), y[-1], Linear, Softmax") {
  check_against_pytorch(onnx_lstm_stack::model, "lstm_stack");
}

TEST_CASE("ONNX from PyTorch: Conv1d + MaxPool1d into a GRU over the pooled time axis") {
  static_assert(std::is_same_v<onnx_conv_gru::Model::input_shape, ctml::Shape<3, 32>>);
  check_against_pytorch(onnx_conv_gru::model, "conv_gru");
}

// What PyTorch never writes, against a float64 evaluation of the ONNX operator definitions.
TEST_CASE("ONNX GRU with linear_before_reset = 0, a constant initial state, layout = 1, sequence output") {
  static_assert(onnx_gru_spec::Model::output_shape::size == 7 * 6);
  check_against_pytorch(onnx_gru_spec::model, "gru_spec");
}

TEST_CASE("ONNX LSTM on a time-major input [time, 1, features], separate W and R biases, Y_h") {
  static_assert(std::is_same_v<onnx_lstm_spec::Model::input_shape, ctml::Shape<9, 4>>);
  check_against_pytorch(onnx_lstm_spec::model, "lstm_spec");
}

namespace {
// TFLM's float outputs for one input of a .tflite (empty when tflm-run is absent).
std::vector<float> tflm_floats(const std::string& model, const float* in, std::size_t n, const std::string& tag) {
  const auto b = ctml::test::tflm_output(model, in, n * sizeof(float), tag);
  std::vector<float> v(b.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
  return v;
}
}  // namespace

// A quantized model: bytes (as floats out of DEQUANTIZE) equal to TFLM's on the translation, and
// ONNX Runtime's outputs (and PyTorch's, when given) within `ort_steps` / `torch_steps` steps.
template <class Model>
void check_quantized(const Model& model, const std::string& name, float step, int ort_steps, int torch_steps) {
  using M = Model;
  constexpr std::size_t n_in = M::input_shape::size, n_out = M::output_shape::size;
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/onnx/";
  const auto in = floats(dir + name + ".in"), ort = floats(dir + name + ".ort.out");
  const auto torch = torch_steps >= 0 ? floats(dir + name + ".out") : std::vector<float>{};
  REQUIRE(in.size() % n_in == 0);
  const std::size_t count = in.size() / n_in;
  REQUIRE(count >= 4);
  REQUIRE(ort.size() == count * n_out);
  if (torch_steps >= 0) REQUIRE(torch.size() == count * n_out);
  int worst_ort = 0, worst_torch = 0, differ_ort = 0;
  bool tflm_checked = false;
  for (std::size_t k = 0; k < count; ++k) {
    typename M::input_type x{};
    const auto y = run_input(model, in, k, x);
    for (std::size_t i = 0; i < n_out; ++i) {
      // Outputs are dequantized int8: whole steps apart.
      const auto d_ort = static_cast<int>(std::lround((static_cast<double>(y[i]) - ort[k * n_out + i]) / step));
      worst_ort = std::max(worst_ort, std::abs(d_ort));
      differ_ort += d_ort != 0;
      if (torch_steps >= 0)
        worst_torch = std::max(worst_torch, std::abs(static_cast<int>(std::lround((static_cast<double>(y[i]) - torch[k * n_out + i]) / step))));
    }
    const auto ref = tflm_floats(std::string(CTML_BINARY_DIR) + "/generated_onnx/" + name + ".tflite", x.data(), n_in, name);
    if (!ref.empty()) {
      tflm_checked = true;
      REQUIRE(ref.size() == n_out);
      for (std::size_t i = 0; i < n_out; ++i) CHECK(ref[i] == y[i]);
    }
  }
  MESSAGE(name << ": " << differ_ort << " of " << count * n_out << " outputs one step from ONNX Runtime; largest step difference "
               << worst_ort << " (ONNX Runtime)" << (torch_steps >= 0 ? ", " + std::to_string(worst_torch) + " (PyTorch qnnpack)" : ""));
  if (!tflm_checked) MESSAGE("tflm-run not found under " << CTML_SHARED_DIR << ": the TFLM byte comparison was skipped");
  CHECK(worst_ort <= ort_steps);
  if (torch_steps >= 0) CHECK(worst_torch <= torch_steps);
}

TEST_CASE("ONNX QDQ int8 from PyTorch: TFLM's bytes, ONNX Runtime within one output step, PyTorch within two") {
  static_assert(onnx_cnn_qdq::input_is_float && onnx_cnn_qdq::output_is_float);
  static_assert(std::is_same_v<decltype(onnx_cnn_qdq::output_quantization), const ctml::quant::QParams>);
  check_quantized(onnx_cnn_qdq::model, "cnn_qdq", onnx_cnn_qdq::output_scale, 1, 2);
}

TEST_CASE("ONNX QLinearConv / QLinearMatMul (operator form): TFLM's bytes, ONNX Runtime within one output step") {
  static_assert(onnx_qlinear::Model::input_shape::size == 3 * 8 * 8);
  check_quantized(onnx_qlinear::model, "qlinear", onnx_qlinear::output_scale, 1, -1);
}
