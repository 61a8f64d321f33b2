// SPDX-License-Identifier: Apache-2.0
// PyTorch models through `ctml-import model.onnx`: the headers generated at build time from
// tests/data/onnx/*.onnx (exported by torch.onnx.export, gen_onnx_models.py) run the inputs
// PyTorch ran, in PyTorch's layout (NCHW), and give PyTorch's outputs within 1e-5 (relative to
// the largest output, or absolute below 1). The models cover every ONNX operator the importer
// maps (see the script) with BatchNormalization folded by the exporter and by the importer,
// HardSwish as opset 13 writes it (x * HardSigmoid(x)), padding TFLite's SAME cannot express, a
// Flatten of a 2x2x12 tensor (NCHW order), a residual Add and constants in Mul / Add.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "onnx_cnn.hpp"
#include "onnx_gap.hpp"
#include "onnx_mlp.hpp"
#include "read_file.hpp"

namespace {

std::vector<float> floats(const std::string& path) {
  const auto b = ctml::test::read_file(path);
  std::vector<float> v(b.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
  return v;
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
    typename Model::output_type y{};
    std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(k * n_in), n_in, x.data());
    alignas(16) static std::byte arena[Model::arena_bytes + 1];
    model(x, y, arena);
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

TEST_CASE("ONNX from PyTorch: an MLP of Gemm, ReLU and sigmoid") {
  static_assert(onnx_mlp::Model::input_shape::size == 20);
  check_against_pytorch(onnx_mlp::model, "mlp");
}
