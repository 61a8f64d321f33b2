// SPDX-License-Identifier: Apache-2.0
// TFLite reader/writer: hand-made models (committed bytes, round trips, decoded content) and
// the shared MLPerf Tiny models.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "ctml-import/test_models.hpp"
#include "ctml-import/tflite_dump.hpp"
#include "ctml-import/tflite_reader.hpp"
#include "ctml-import/tflite_writer.hpp"
#include "tflite_test_support.hpp"

using namespace ctml::tflite;
using ctml::tflite::test::data_path;
using ctml::tflite::test::load;
using ctml::tflite::test::op_histogram;
using ctml::tflite::test::shared_model_path;
using ctml::tflite::test::tensor;

namespace {

Model read_ok(const std::vector<std::uint8_t>& bytes, const ReadOptions& o = {}) {
  const Result<Model> r = read_model(bytes, o);
  if (!r) FAIL_CHECK(r.error().to_string());
  REQUIRE(r.ok());
  return r.value();
}

bool close(double a, double b, double rel = 1e-6) {
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

}  // namespace

TEST_CASE("committed hand-made models match the generator byte for byte") {
  for (const auto& [name, model] : testmodels::all()) {
    CAPTURE(name);
    const std::vector<std::uint8_t> committed = load(data_path(name));
    REQUIRE_MESSAGE(!committed.empty(), "missing tests/data/tflite/", name,
                    " (build target ctml-regen-test-models)");
    const std::vector<std::uint8_t> generated = write_model(model);
    CHECK_MESSAGE(committed == generated, name,
                  " is stale: regenerate with `cmake --build <build> --target "
                  "ctml-regen-test-models` and commit it");
    CHECK(check_model_invariants(model).empty());
    const Model back = read_ok(committed);
    CHECK(back == model);
    CHECK(check_model_invariants(back).empty());
    // Every buffer's data is 16-byte aligned in the file (Buffer.data has force_align: 16).
    for (const Buffer& b : back.buffers) {
      if (!b.data.empty()) CHECK(b.file_offset % 16 == 0);
    }
  }
}

TEST_CASE("writer variants round-trip through the reader") {
  for (const auto& [name, model] : testmodels::all()) {
    for (int variant = 0; variant < 16; ++variant) {
      WriteOptions w;
      w.dedup_vtables = (variant & 1) != 0;
      w.force_defaults = (variant & 2) != 0;
      w.legacy_opcodes = (variant & 4) != 0;
      w.external_buffers = (variant & 8) != 0;
      CAPTURE(name);
      CAPTURE(variant);
      const std::vector<std::uint8_t> bytes = write_model(model, w);
      const Model back = read_ok(bytes);
      CHECK(back == model);
      for (const Buffer& b : back.buffers) {
        CHECK(b.external == (w.external_buffers && !b.data.empty()));
        if (!b.data.empty()) CHECK(b.file_offset % 16 == 0);
      }
      // A second generation is byte-identical.
      CHECK(write_model(back, w) == bytes);
    }
  }
}

TEST_CASE("tiny_fc: decoded content") {
  const Model m = read_ok(load(data_path("tiny_fc_int8.tflite")));
  CHECK(m.version == 3);
  const SubGraph& g = m.main_graph();
  REQUIRE(g.operators.size() == 2);
  CHECK(g.inputs == std::vector<std::int32_t>{0});
  CHECK(tensor(m, 0).type == TensorType::Int8);
  CHECK(tensor(m, 0).shape == std::vector<std::int32_t>{1, 8});
  CHECK(tensor(m, 0).quantization.zero_point == std::vector<std::int64_t>{-3});

  const Operator& fc = g.operators[0];
  CHECK(fc.builtin_code == op::kFullyConnected);
  REQUIRE(std::holds_alternative<FullyConnectedOptions>(fc.options));
  CHECK(std::get<FullyConnectedOptions>(fc.options).activation == Activation::Relu);
  const Tensor& w = tensor(m, fc.inputs[1]);
  const Tensor& b = tensor(m, fc.inputs[2]);
  CHECK(w.shape == std::vector<std::int32_t>{4, 8});
  CHECK(b.type == TensorType::Int32);
  CHECK(b.quantization.scale[0] == tensor(m, 0).quantization.scale[0] * w.quantization.scale[0]);
  const auto wv = tensor_values<std::int8_t>(m, w);
  REQUIRE(wv.has_value());
  CHECK(wv->size() == 32);
  CHECK(!tensor_values<std::int32_t>(m, w).has_value());  // wrong element size
  const auto bv = tensor_values<std::int32_t>(m, b);
  REQUIRE(bv.has_value());
  CHECK(bv->size() == 4);

  const Operator& sm = g.operators[1];
  CHECK(sm.builtin_code == op::kSoftmax);
  CHECK(std::get<SoftmaxOptions>(sm.options).beta == 1.0f);
  const Tensor& out = tensor(m, sm.outputs[0]);
  CHECK(out.quantization.scale[0] == 1.0f / 256.0f);
  CHECK(out.quantization.zero_point[0] == -128);
}

TEST_CASE("tiny_conv: decoded content") {
  const Model m = read_ok(load(data_path("tiny_conv_int8.tflite")));
  const SubGraph& g = m.main_graph();
  std::vector<std::int32_t> codes;
  for (const Operator& o : g.operators) codes.push_back(o.builtin_code);
  CHECK(codes == std::vector<std::int32_t>{op::kConv2D, op::kDepthwiseConv2D, op::kAveragePool2D,
                                           op::kReshape, op::kFullyConnected, op::kSoftmax});
  const Tensor& in = tensor(m, g.inputs[0]);
  CHECK(in.shape == std::vector<std::int32_t>{1, 6, 6, 2});

  const Operator& conv = g.operators[0];
  const auto& co = std::get<Conv2DOptions>(conv.options);
  CHECK(co.padding == Padding::Same);
  CHECK(co.stride_w == 1);
  CHECK(co.stride_h == 1);
  CHECK(co.dilation_w == 1);
  CHECK(co.activation == Activation::Relu);
  const Tensor& cw = tensor(m, conv.inputs[1]);
  const Tensor& cb = tensor(m, conv.inputs[2]);
  CHECK(cw.shape == std::vector<std::int32_t>{3, 3, 3, 2});
  CHECK(cw.quantization.per_channel());
  CHECK(cw.quantization.quantized_dimension == 0);
  CHECK(cw.quantization.scale.size() == 3);
  REQUIRE(cb.quantization.scale.size() == 3);
  for (std::size_t c = 0; c < 3; ++c) {
    CHECK(cw.quantization.zero_point[c] == 0);
    CHECK(cb.quantization.scale[c] == in.quantization.scale[0] * cw.quantization.scale[c]);
  }
  // Symmetric weights use the full range in every channel.
  const auto wv = tensor_values<std::int8_t>(m, cw).value();
  for (std::size_t c = 0; c < 3; ++c) {
    int peak = 0;
    for (std::size_t i = 0; i < 18; ++i) peak = std::max(peak, std::abs(int{wv[c * 18 + i]}));
    CHECK(peak == 127);
  }

  const Operator& dw = g.operators[1];
  const auto& dwo = std::get<DepthwiseConv2DOptions>(dw.options);
  CHECK(dwo.stride_w == 2);
  CHECK(dwo.stride_h == 2);
  CHECK(dwo.depth_multiplier == 1);
  CHECK(dwo.activation == Activation::Relu6);
  const Tensor& dww = tensor(m, dw.inputs[1]);
  CHECK(dww.shape == std::vector<std::int32_t>{1, 3, 3, 3});
  CHECK(dww.quantization.quantized_dimension == 3);
  CHECK(tensor(m, dw.outputs[0]).shape == std::vector<std::int32_t>{1, 3, 3, 3});

  const auto& po = std::get<Pool2DOptions>(g.operators[2].options);
  CHECK(po.padding == Padding::Valid);
  CHECK(po.filter_width == 3);
  CHECK(po.filter_height == 3);

  const auto& ro = std::get<ReshapeOptions>(g.operators[3].options);
  REQUIRE(ro.new_shape.has_value());
  CHECK(*ro.new_shape == std::vector<std::int32_t>{1, 3});
  CHECK(tensor_values<std::int32_t>(m, tensor(m, g.operators[3].inputs[1])).value() ==
        std::vector<std::int32_t>{1, 3});
  CHECK(std::get<FullyConnectedOptions>(g.operators[4].options).activation == Activation::None);

  const std::string dump = format_model(m);
  CHECK(dump.find("DEPTHWISE_CONV_2D padding=SAME stride=2x2") != std::string::npos);
  CHECK(dump.find("q(axis 3, 3 channels") != std::string::npos);
}

TEST_CASE("tiny_misc: QUANTIZE, MAX_POOL_2D, MEAN, CONCATENATION, ADD, DEQUANTIZE options") {
  const Model m = read_ok(load(data_path("tiny_misc_int8.tflite")));
  const SubGraph& g = m.main_graph();
  REQUIRE(g.operators.size() == 7);
  CHECK(std::holds_alternative<QuantizeOptions>(g.operators[0].options));
  CHECK(tensor(m, g.inputs[0]).type == TensorType::Float32);
  CHECK(std::get<Pool2DOptions>(g.operators[1].options).stride_w == 2);
  CHECK(g.operators[1].builtin_code == op::kMaxPool2D);
  CHECK(std::get<ReducerOptions>(g.operators[2].options).keep_dims);
  CHECK(!std::get<ReshapeOptions>(g.operators[3].options).new_shape.has_value());
  CHECK(std::get<ConcatenationOptions>(g.operators[4].options).axis == 1);
  CHECK(g.operators[4].inputs == std::vector<std::int32_t>{6, 6});
  const auto& add = std::get<AddOptions>(g.operators[5].options);
  CHECK(add.activation == Activation::Relu);
  CHECK(add.pot_scale_int16);
  CHECK(std::holds_alternative<DequantizeOptions>(g.operators[6].options));
  CHECK(tensor(m, g.outputs[0]).type == TensorType::Float32);
}

TEST_CASE("op name table") {
  CHECK(builtin_op_name(op::kConv2D) == "CONV_2D");
  CHECK(builtin_op_name(op::kDepthwiseConv2D) == "DEPTHWISE_CONV_2D");
  CHECK(builtin_op_name(op::kAveragePool2D) == "AVERAGE_POOL_2D");
  CHECK(builtin_op_name(op::kQuantize) == "QUANTIZE");
  CHECK(builtin_op_name(150) == "GELU");
  CHECK(builtin_op_name(-1) == "UNKNOWN");
  CHECK(builtin_op_display_name(1000) == "UNKNOWN_OP(1000)");
  CHECK(tensor_type_name(TensorType::Int8) == "INT8");
  CHECK(element_size(TensorType::Int16) == 2);
  CHECK(element_size(TensorType::String) == 0);
}

TEST_CASE("shared MLPerf Tiny KWS DS-CNN model") {
  const std::string path = shared_model_path("kws_ds_cnn_int8");
  if (path.empty()) {
    MESSAGE("SKIPPED: shared model kws_ds_cnn_int8 not found under " CTML_SHARED_DIR);
    return;
  }
  const std::vector<std::uint8_t> bytes = load(path);
  const Model m = read_ok(bytes);  // strict: every op must be supported
  CHECK(check_model_invariants(m).empty());
  const SubGraph& g = m.main_graph();
  const auto h = op_histogram(m);
  CHECK(h.at("CONV_2D") == 5);
  CHECK(h.at("DEPTHWISE_CONV_2D") == 4);
  CHECK(h.at("AVERAGE_POOL_2D") == 1);
  CHECK(h.at("RESHAPE") == 1);
  CHECK(h.at("FULLY_CONNECTED") == 1);
  CHECK(h.at("SOFTMAX") == 1);
  CHECK(g.operators.size() == 13);

  const Tensor& in = tensor(m, g.inputs.at(0));
  CHECK(in.type == TensorType::Int8);
  CHECK(in.shape == std::vector<std::int32_t>{1, 49, 10, 1});
  const Tensor& out = tensor(m, g.outputs.at(0));
  CHECK(out.shape == std::vector<std::int32_t>{1, 12});
  CHECK(out.quantization.scale.at(0) == 1.0f / 256.0f);
  CHECK(out.quantization.zero_point.at(0) == -128);

  // First conv: 10x4 kernel, stride 2, SAME, fused RELU, 64 per-channel scales.
  const Operator& conv = g.operators.at(0);
  CHECK(conv.builtin_code == op::kConv2D);
  const auto& co = std::get<Conv2DOptions>(conv.options);
  CHECK(co.padding == Padding::Same);
  CHECK(co.stride_w == 2);
  CHECK(co.stride_h == 2);
  CHECK(co.activation == Activation::Relu);
  const Tensor& w = tensor(m, conv.inputs.at(1));
  const Tensor& b = tensor(m, conv.inputs.at(2));
  CHECK(w.shape == std::vector<std::int32_t>{64, 10, 4, 1});
  CHECK(w.quantization.scale.size() == 64);
  CHECK(w.quantization.quantized_dimension == 0);
  CHECK(b.type == TensorType::Int32);
  REQUIRE(b.quantization.scale.size() == 64);
  for (std::size_t c = 0; c < 64; ++c) {
    CHECK(w.quantization.zero_point[c] == 0);
    CHECK(close(b.quantization.scale[c], double{in.quantization.scale[0]} * w.quantization.scale[c],
                1e-5));
  }
  CHECK(tensor(m, conv.outputs.at(0)).shape == std::vector<std::int32_t>{1, 25, 5, 64});

  for (const Operator& o : g.operators) {
    if (o.builtin_code == op::kDepthwiseConv2D) {
      const auto& d = std::get<DepthwiseConv2DOptions>(o.options);
      CHECK(d.activation == Activation::Relu);
      CHECK(tensor(m, o.inputs.at(1)).quantization.quantized_dimension == 3);
    }
  }
  const auto& pool = std::get<Pool2DOptions>(g.operators.at(9).options);
  CHECK(pool.filter_height == 25);
  CHECK(pool.filter_width == 5);

  // Round trip through the writer.
  const Model back = read_ok(write_model(m));
  CHECK(back == m);
}

TEST_CASE("shared MLPerf Tiny anomaly-detection autoencoder model") {
  const std::string path = shared_model_path("ad_autoencoder_int8");
  if (path.empty()) {
    MESSAGE("SKIPPED: shared model ad_autoencoder_int8 not found under " CTML_SHARED_DIR);
    return;
  }
  const Model m = read_ok(load(path));
  CHECK(check_model_invariants(m).empty());
  const SubGraph& g = m.main_graph();
  const auto h = op_histogram(m);
  CHECK(h.size() == 1);
  CHECK(h.at("FULLY_CONNECTED") == 10);
  CHECK(tensor(m, g.inputs.at(0)).shape == std::vector<std::int32_t>{1, 640});
  CHECK(tensor(m, g.outputs.at(0)).shape == std::vector<std::int32_t>{1, 640});
  std::size_t params = 0;
  for (const Operator& o : g.operators) {
    const Tensor& w = tensor(m, o.inputs.at(1));
    const Tensor& b = tensor(m, o.inputs.at(2));
    CHECK(w.type == TensorType::Int8);
    CHECK(w.quantization.scale.size() == 1);
    CHECK(b.type == TensorType::Int32);
    params += w.element_count() + b.element_count();
  }
  CHECK(params == 265864);  // as listed in shared/README.md
  const Model back = read_ok(write_model(m));
  CHECK(back == m);
}
