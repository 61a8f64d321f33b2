// SPDX-License-Identifier: Apache-2.0
// ctml-import's generator on models built in memory: the header is made of the library's builder
// calls with the file's raw values, and what ctml cannot run exactly is refused with the operator
// and the reason (never a header that compiles and computes something else).
#include <doctest/doctest.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "ctml-import/codegen.hpp"
#include "ctml-import/test_models.hpp"

using namespace ctml::tflite;

namespace {

std::string generate(const Model& m) {
  const auto r = ctml::import::generate_header(m, "net", "test.tflite");
  REQUIRE_MESSAGE(r.ok, r.error);
  return r.text;
}

std::string refusal(const Model& m) {
  const auto r = ctml::import::generate_header(m, "net", "test.tflite");
  REQUIRE_FALSE(r.ok);
  CHECK(r.text.empty());
  return r.error;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

Tensor& tensor(Model& m, std::int32_t i) { return m.main_graph().tensors[static_cast<std::size_t>(i)]; }

// Rewrites an int64 tensor as int32, keeping each value's low four bytes (a converter's int32 bias
// where TFLite Micro reads int64).
void narrow_to_int32(Model& m, std::int32_t tensor_index) {
  Tensor& t = tensor(m, tensor_index);
  const auto& data = m.buffers[t.buffer].data;
  std::vector<std::uint8_t> narrow;
  for (std::size_t i = 0; i < data.size(); i += 8)
    narrow.insert(narrow.end(), data.begin() + static_cast<std::ptrdiff_t>(i), data.begin() + static_cast<std::ptrdiff_t>(i + 4));
  m.buffers[t.buffer].data = narrow;
  t.type = TensorType::Int32;
}

std::string hex(float f) {
  std::ostringstream os;
  os << std::hexfloat << static_cast<double>(f);
  return os.str();
}

}  // namespace

TEST_CASE("the header calls the builders with the file's raw values") {
  const Model m = testmodels::tiny_conv();
  const std::string h = generate(m);
  // Geometry from the file's window parameters, derived by the library.
  CHECK(contains(h, "inline constexpr auto op0_geometry = ctml::kernels::conv_geometry(6, 6, 2, 3, 3, 3, 1, 1, 1, 1, "
                    "ctml::Padding::same);"));
  CHECK(contains(h, "ctml::quant::make_qconv2d<op0_geometry>("));
  CHECK(contains(h, "ctml::quant::make_qdepthwise_conv2d<op1_geometry>("));
  CHECK(contains(h, "ctml::quant::make_qaverage_pool2d<op2_geometry>("));
  CHECK(contains(h, "ctml::quant::make_qdense<ctml::Shape<3>, 4>("));
  CHECK(contains(h, "ctml::quant::make_qsoftmax<ctml::Shape<4>>("));
  // The per-channel weight scales and the fused activations as written in the file.
  const auto& g = m.main_graph();
  const auto& conv_w = g.tensors[static_cast<std::size_t>(g.operators[0].inputs[1])];
  CHECK(contains(h, std::string("{") + hex(conv_w.quantization.scale[0]) + ", " + hex(conv_w.quantization.scale[1]) + ", " +
                        hex(conv_w.quantization.scale[2]) + "}, "));
  CHECK(contains(h, "ctml::Activation::relu)"));
  CHECK(contains(h, "ctml::Activation::relu6)"));
  // No pre-derived requantization in the header: the multipliers are computed by the builders.
  CHECK_FALSE(contains(h, "effective_bias"));
}

TEST_CASE("a fused activation ctml has no clamp for is refused") {
  for (const Activation a : {Activation::Tanh, Activation::SignBit}) {
    Model m = testmodels::tiny_conv();
    std::get<Conv2DOptions>(m.main_graph().operators[0].options).activation = a;
    const std::string e = refusal(m);
    CHECK(contains(e, "operator 0 (CONV_2D): fused activation "));
    CHECK(contains(e, "is not supported (ctml fuses NONE, RELU, RELU6, RELU_N1_TO_1)"));
  }
  Model m = testmodels::tiny_conv();
  std::get<FullyConnectedOptions>(m.main_graph().operators[4].options).activation = Activation::Tanh;
  CHECK(contains(refusal(m), "operator 4 (FULLY_CONNECTED): fused activation TANH"));
}

TEST_CASE("an output size the window parameters do not give is refused") {
  Model m = testmodels::tiny_conv();
  std::get<Conv2DOptions>(m.main_graph().operators[0].options).padding = Padding::Valid;  // 6x6 -> 4x4, file says 6x6
  CHECK(contains(refusal(m), "operator 0 (CONV_2D): kernel, stride, dilation or padding do not give the output size"));
  m = testmodels::tiny_conv();
  std::get<DepthwiseConv2DOptions>(m.main_graph().operators[1].options).stride_h = 1;
  CHECK(contains(refusal(m), "operator 1 (DEPTHWISE_CONV_2D): kernel, stride"));
  m = testmodels::tiny_conv();
  std::get<Pool2DOptions>(m.main_graph().operators[2].options).filter_height = 2;
  CHECK(contains(refusal(m), "operator 2 (AVERAGE_POOL_2D): window, stride or padding do not give the output size"));
}

TEST_CASE("a bias that does not fit int32 with the input zero point folded in is refused") {
  Model m = testmodels::tiny_conv();
  auto& g = m.main_graph();
  // Input zero point 7; channel 0 of the conv gets bias INT32_MIN + 1 and all-positive weights, so
  // bias - 7 * sum(w) < INT32_MIN.
  const auto& w = tensor(m, g.operators[0].inputs[1]);
  auto& wb = m.buffers[w.buffer].data;
  for (std::size_t i = 0; i < 18; ++i) wb[i] = 100;
  const auto& b = tensor(m, g.operators[0].inputs[2]);
  const std::int32_t low = INT_MIN + 1;
  std::memcpy(m.buffers[b.buffer].data.data(), &low, 4);
  CHECK(contains(refusal(m), "operator 0 (CONV_2D): bias 0 does not fit int32 once the input zero point is folded in"));
}

TEST_CASE("an op without an emitter names the op and lists what is supported") {
  Model m = testmodels::tiny_conv();
  m.main_graph().operators[5].builtin_code = 23;  // RESIZE_BILINEAR
  const std::string e = refusal(m);
  CHECK(contains(e, "operator 5 (RESIZE_BILINEAR): op RESIZE_BILINEAR is not supported by ctml-import yet"));
  CHECK(contains(e, "supported: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED"));
}

TEST_CASE("16x8: the accumulator follows the bias (and quantized_bias_type); what TFLite cannot run is refused") {
  const Model good = testmodels::tiny_16x8();
  const std::string h = generate(good);
  CHECK(contains(h, "ctml::quant::QConv2D16x8Layer<op0_geometry, std::int64_t>"));
  CHECK(contains(h, "ctml::quant::QDepthwiseConv2D16x8Layer<op1_geometry, std::int64_t>"));
  CHECK(contains(h, "ctml::quant::QDense16x8Layer<ctml::Shape<300>, 10, std::int64_t>"));
  CHECK(contains(h, "constexpr std::int16_t quantize_input(float x)"));
  const std::string mixed = generate(testmodels::tiny_16x8_mixed());
  CHECK(contains(mixed, "ctml::quant::QConv2D16x8Layer<op1_geometry, std::int32_t>"));     // int32 bias
  CHECK(contains(mixed, "ctml::quant::QDense16x8Layer<ctml::Shape<32>, 12, std::int32_t>"));  // no bias, INT32 option
  CHECK(contains(mixed, "ctml::quant::QDense16x8Layer<ctml::Shape<12>, 6, std::int64_t>"));   // no bias
  CHECK(contains(mixed, "ctml::quant::RequantizeLayer<ctml::Shape<2, 2, 8>, std::int16_t, std::int8_t>"));
  CHECK(contains(mixed, "ctml::quant::DequantizeLayer<ctml::Shape<6>, std::int16_t>"));

  Model m = good;
  tensor(m, 0).quantization.zero_point = {3};
  CHECK(contains(refusal(m), "is int16 with zero point 3 (TFLite's int16 activations are symmetric: zero point 0)"));

  m = good;  // a depthwise conv with an int32 bias: TFLM would read it as int64
  narrow_to_int32(m, m.main_graph().operators[1].inputs[2]);
  CHECK(contains(refusal(m), "operator 1 (DEPTHWISE_CONV_2D): a 16x8 DEPTHWISE_CONV_2D needs an int64 bias"));

  m = good;  // a bias beyond TFLite's 2^47 accumulator contract
  {
    Tensor& bt = tensor(m, m.main_graph().operators[2 + 2].inputs[2]);
    const std::int64_t huge = std::int64_t{1} << 50;
    std::memcpy(m.buffers[bt.buffer].data.data(), &huge, 8);
  }
  CHECK(contains(refusal(m), "operator 4 (FULLY_CONNECTED): bias 0 is beyond 2^46"));

  m = good;  // an int16 op ctml does not have
  {
    auto& o = m.main_graph().operators[2];
    m.operator_codes.push_back({op::kHardSwish, {}, 1});
    o.opcode_index = static_cast<std::uint32_t>(m.operator_codes.size() - 1);
    o.builtin_code = op::kHardSwish;
    o.inputs = {o.inputs[0]};
    o.options = HardSwishOptions{};
  }
  const std::string e = refusal(m);
  CHECK(contains(e, "HARD_SWISH with int16 activations is not supported by ctml-import yet (16x8: CONV_2D"));
  CHECK(contains(e, "MAX_POOL_2D, AVERAGE_POOL_2D, SOFTMAX, ADD"));

  // A 16x8 TRANSPOSE_CONV with an int32 bias: TFLite Micro would read it as int64.
  Model tc = testmodels::tiny_16x8_tconv();
  narrow_to_int32(tc, tc.main_graph().operators[0].inputs[3]);
  CHECK(contains(refusal(tc), "operator 0 (TRANSPOSE_CONV): a 16x8 TRANSPOSE_CONV's bias must be int64 or int16"));
  CHECK(contains(generate(testmodels::tiny_16x8_tconv()), "ctml::quant::QTransposeConv2D16x8Layer<op0_geometry>"));

  // The other 16x8 ops: the int8 layers on int16, the int16 softmax, int16 merges of two branches.
  const std::string ops = generate(testmodels::tiny_16x8_ops());
  CHECK(contains(ops, "ctml::quant::QMaxPool2DLayer<op1_geometry, std::int16_t>"));
  CHECK(contains(ops, "ctml::quant::make_qaverage_pool2d<op4_geometry, std::int16_t>"));
  CHECK(contains(ops, "ctml::MergeLayer<std::int16_t"));
  CHECK(contains(ops, "ctml::quant::QElementwise<ctml::quant::BinaryOp::add, std::int16_t>"));
  CHECK(contains(ops, "ctml::quant::QElementwise<ctml::quant::BinaryOp::sub, std::int16_t>"));
  CHECK(contains(ops, "ctml::quant::QBinaryConstLayer<ctml::Shape<3, 3, 8>, 8, ctml::quant::BinaryOp::mul, std::int16_t>"));
  CHECK(contains(ops, "ctml::quant::QSoftmax16Layer<ctml::Shape<10>>"));

  m = good;  // an effective scale of 128 or more (shift beyond TFLite's 64-bit path)
  tensor(m, m.main_graph().operators[0].outputs[0]).quantization.scale = {1e-9f};
  CHECK(contains(refusal(m), "operator 0 (CONV_2D): the effective scale of channel 0 is 128 or more"));
}

TEST_CASE("a 16x8 LSTM: int16 layers with int64 biases; an int32 bias, a bias beyond 2^46 or a huge gate scale is refused") {
  const Model good = testmodels::tiny_lstm(3);
  CHECK(contains(generate(good), "ctml::quant::QLSTMLayer<6, 5, 7, ctml::rnn::Output::sequence, std::int16_t>"));
  CHECK(contains(generate(good), "ctml::quant::make_qlstm_cell<5, 7, std::int16_t>("));
  CHECK(contains(generate(testmodels::tiny_lstm(0)), "ctml::quant::QLSTMLayer<6, 5, 7>"));
  const auto& op = good.main_graph().operators[0];

  Model m = good;  // TFLM reads a 16x8 LSTM's biases as int64 whatever the file says
  narrow_to_int32(m, op.inputs[13]);
  CHECK(contains(refusal(m), "operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): gate 1: the bias must be int64 for an int16 LSTM"));

  m = good;
  {
    Tensor& bt = tensor(m, op.inputs[14]);
    const std::int64_t huge = -(std::int64_t{1} << 50);
    std::memcpy(m.buffers[bt.buffer].data.data() + 8, &huge, 8);
  }
  CHECK(contains(refusal(m), "operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): gate bias 15 is beyond 2^46"));

  m = good;
  tensor(m, op.inputs[6]).quantization.scale = {1.0f};  // h_scale * 1 * 4096 >= 128 needs h_scale >= 2^-5
  tensor(m, op.inputs[18]).quantization.scale = {0.5f};
  CHECK(contains(refusal(m), "gate 1's effective scale is 128 or more"));

  m = good;  // the hidden state must have the input's type
  tensor(m, op.inputs[18]).type = TensorType::Int8;
  CHECK(contains(refusal(m), "an integer LSTM needs int8 (8x8->16) or int16 (16x8->16) input, hidden state and output of one type"));
}
