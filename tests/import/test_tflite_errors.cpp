// SPDX-License-Identifier: Apache-2.0
// TFLite reader: malformed and unsupported inputs produce errors that name the byte offset and
// what was expected.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ctml-import/test_models.hpp"
#include "ctml-import/tflite_reader.hpp"
#include "ctml-import/tflite_writer.hpp"

using namespace ctml::tflite;

namespace {

// Reads `bytes`, requires failure, and returns the formatted error.
std::string read_error(const std::vector<std::uint8_t>& bytes, const ReadOptions& o = {}) {
  const Result<Model> r = read_model(bytes, o);
  REQUIRE_FALSE(r.ok());
  const std::string s = r.error().to_string();
  CHECK(s.rfind("byte ", 0) == 0);
  CHECK(r.error().offset <= bytes.size());
  return s;
}

std::string model_error(const Model& m, const ReadOptions& o = {}) {
  return read_error(write_model(m), o);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

void put_u32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  std::memcpy(b.data() + at, &v, 4);
}

Tensor& tensor(Model& m, std::size_t i) { return m.subgraphs[0].tensors[i]; }

}  // namespace

TEST_CASE("header checks") {
  CHECK(contains(read_error({}), "too small for a flatbuffer header"));
  CHECK(contains(read_error({1, 2, 3}), "file is 3 bytes"));
  std::vector<std::uint8_t> bytes = write_model(testmodels::tiny_fc());
  std::vector<std::uint8_t> wrong_id = bytes;
  std::memcpy(wrong_id.data() + 4, "TFL2", 4);
  const std::string e = read_error(wrong_id);
  CHECK(e == "byte 4: file_identifier is \"TFL2\", expected \"TFL3\" (not a TFLite model?)");

  std::vector<std::uint8_t> bad_root = bytes;
  put_u32(bad_root, 0, 0x00100000);
  CHECK(contains(read_error(bad_root), "byte 0: offset 1048576 to root table points to byte"));
  put_u32(bad_root, 0, 0);
  CHECK(contains(read_error(bad_root), "offset to root table is 0"));
  put_u32(bad_root, 0, 6);
  CHECK(contains(read_error(bad_root), "Model table is not 4-byte aligned"));
}

TEST_CASE("vector length beyond the end of the file names the offset") {
  std::vector<std::uint8_t> bytes = write_model(testmodels::tiny_fc());
  const Model m = read_model(bytes).value();
  const Buffer& weights = m.buffers.at(1);
  REQUIRE(weights.data.size() == 32);
  const std::size_t length_at = weights.file_offset - 4;
  put_u32(bytes, length_at, 4000000);
  const std::string e = read_error(bytes);
  CHECK(contains(e, "byte " + std::to_string(length_at) +
                        ": vector length 4000000 exceeds file size " +
                        std::to_string(bytes.size())));
  CHECK(contains(e, "(in buffers[1])"));
}

TEST_CASE("every truncation of a valid model is an error, never a crash") {
  const std::vector<std::uint8_t> bytes = write_model(testmodels::tiny_conv());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<std::uint8_t> cut(bytes.begin(),
                                        bytes.begin() + static_cast<std::ptrdiff_t>(n));
    const Result<Model> r = read_model(cut);
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("schema version") {
  Model m = testmodels::tiny_fc();
  m.version = 2;
  CHECK(contains(model_error(m), "schema version 2 is not supported (expected 3)"));
}

TEST_CASE("unsupported ops are named") {
  Model m = testmodels::tiny_fc();
  constexpr std::int32_t kResizeBilinear = 23;
  m.operator_codes.push_back({kResizeBilinear, {}, 1});
  m.subgraphs[0].operators[1].opcode_index =
      static_cast<std::uint32_t>(m.operator_codes.size() - 1);
  m.subgraphs[0].operators[1].builtin_code = kResizeBilinear;
  m.subgraphs[0].operators[1].options = UnsupportedOptions{15};
  CHECK(
      contains(model_error(m), "operator 1 uses unsupported op RESIZE_BILINEAR (builtin code 23)"));
  CHECK(contains(model_error(m), "(in subgraphs[0].operators[1])"));

  ReadOptions lenient;
  lenient.allow_unsupported_ops = true;
  const Result<Model> r = read_model(write_model(m), lenient);
  REQUIRE(r.ok());
  CHECK(r.value() == m);
  CHECK(check_model_invariants(r.value()).empty());

  m.operator_codes.back() = {op::kCustom, "MyCustomOp", 1};
  m.subgraphs[0].operators[1].builtin_code = op::kCustom;
  m.subgraphs[0].operators[1].options = std::monostate{};
  CHECK(contains(model_error(m), "operator 1 uses unsupported custom op 'MyCustomOp'"));

  // ctml's own custom ops (the ONNX translation's GRU) read, without options only.
  m.operator_codes.back() = {op::kCustom, "CTML_GRU", 1};
  CHECK(read_model(write_model(m)).ok());
  m.subgraphs[0].operators[1].options = UnsupportedOptions{1};
  CHECK(contains(model_error(m), "operator 1 (ctml's custom op 'CTML_GRU') carries options; it takes none"));
  m.subgraphs[0].operators[1].options = std::monostate{};

  m.operator_codes.back() = {400, {}, 1};
  m.subgraphs[0].operators[1].builtin_code = 400;
  CHECK(contains(model_error(m), "unsupported op UNKNOWN_OP(400) (builtin code 400)"));
}

TEST_CASE("builtin code resolution: max(builtin_code, deprecated_builtin_code)") {
  Model m = testmodels::tiny_fc();
  // Extended codes (>= 127) are stored as PLACEHOLDER_FOR_GREATER_OP_CODES + builtin_code.
  m.operator_codes[1].builtin_code = 150;  // GELU
  m.subgraphs[0].operators[1].builtin_code = 150;
  m.subgraphs[0].operators[1].options = std::monostate{};
  WriteOptions legacy;
  legacy.legacy_opcodes = true;
  ReadOptions lenient;
  lenient.allow_unsupported_ops = true;
  for (const WriteOptions& w : {WriteOptions{}, legacy}) {
    const Result<Model> r = read_model(write_model(m, w), lenient);
    REQUIRE(r.ok());
    CHECK(r.value().operator_codes[1].builtin_code == 150);
    CHECK(read_error(write_model(m, w)).find("unsupported op GELU") != std::string::npos);
  }
  // Legacy files carry only the int8 field; modern ones both.
  const Result<Model> r = read_model(write_model(testmodels::tiny_conv(), legacy));
  REQUIRE(r.ok());
  CHECK(r.value() == testmodels::tiny_conv());
}

TEST_CASE("index and size checks") {
  SUBCASE("operator input out of range") {
    Model m = testmodels::tiny_fc();
    m.subgraphs[0].operators[0].inputs[1] = 99;
    const std::string e = model_error(m);
    CHECK(contains(
        e,
        "input tensor index 99 out of range (subgraph has 5 tensors; -1 marks an omitted input)"));
    CHECK(contains(e, "(in subgraphs[0].operators[0].inputs)"));
  }
  SUBCASE("omitted optional input (-1) is accepted") {
    Model m = testmodels::tiny_fc();
    m.subgraphs[0].operators[0].inputs[2] = -1;
    CHECK(read_model(write_model(m)).ok());
  }
  SUBCASE("operator output -1 is rejected") {
    Model m = testmodels::tiny_fc();
    m.subgraphs[0].operators[0].outputs[0] = -1;
    CHECK(contains(model_error(m), "output tensor index -1 out of range"));
  }
  SUBCASE("subgraph output out of range") {
    Model m = testmodels::tiny_fc();
    m.subgraphs[0].outputs[0] = 5;
    CHECK(contains(model_error(m), "(in subgraphs[0].outputs)"));
  }
  SUBCASE("opcode_index out of range") {
    Model m = testmodels::tiny_fc();
    m.subgraphs[0].operators[1].opcode_index = 7;
    CHECK(contains(model_error(m),
                   "operator 1: opcode_index 7 out of range (model has 2 operator codes)"));
  }
  SUBCASE("buffer index out of range") {
    Model m = testmodels::tiny_fc();
    tensor(m, 1).buffer = 42;
    CHECK(contains(model_error(m),
                   "tensor 1 'dense/MatMul': buffer index 42 out of range (model has 3 buffers)"));
  }
  SUBCASE("data size does not match the shape") {
    Model m = testmodels::tiny_fc();
    tensor(m, 1).shape = {4, 9};
    CHECK(contains(
        model_error(m),
        "tensor 1 'dense/MatMul' (INT8, 36 elements) needs 36 bytes but buffer 1 holds 32"));
  }
  SUBCASE("negative dimension") {
    Model m = testmodels::tiny_fc();
    tensor(m, 0).shape = {-1, 8};
    CHECK(contains(model_error(m), "tensor 0 'input': negative dimension -1"));
  }
  SUBCASE("element count overflow") {
    Model m = testmodels::tiny_fc();
    tensor(m, 0).shape = {65536, 65536, 2};
    CHECK(contains(model_error(m), "has more than 2^31 elements"));
  }
  SUBCASE("unknown tensor type") {
    Model m = testmodels::tiny_fc();
    tensor(m, 3).type = static_cast<TensorType>(42);
    CHECK(contains(model_error(m), "unknown tensor type 42"));
  }
  SUBCASE("no subgraphs") {
    Model m = testmodels::tiny_fc();
    m.subgraphs.clear();
    CHECK(contains(model_error(m), "model has no subgraphs"));
  }
  SUBCASE("no buffers at all") {
    Model m = testmodels::tiny_fc();
    m.buffers.clear();
    CHECK(contains(model_error(m), "buffer index 0 out of range (model has 0 buffers)"));
  }
}

TEST_CASE("quantization checks") {
  SUBCASE("scale / zero_point count mismatch") {
    Model m = testmodels::tiny_fc();
    tensor(m, 0).quantization.zero_point.push_back(1);
    CHECK(contains(model_error(m), "tensor 'input': 1 scale values but 2 zero_point values"));
  }
  SUBCASE("per-channel count must match the quantized dimension") {
    Model m = testmodels::tiny_conv();
    tensor(m, 1).quantization.quantized_dimension = 3;  // size 2, but 3 scales
    CHECK(contains(model_error(m), "3 per-channel scales but dimension 3 has size 2"));
    tensor(m, 1).quantization.quantized_dimension = 4;
    CHECK(contains(model_error(m), "quantized_dimension 4 out of range for rank 4"));
  }
  SUBCASE("non-finite or negative scale") {
    Model m = testmodels::tiny_fc();
    tensor(m, 0).quantization.scale[0] = std::numeric_limits<float>::quiet_NaN();
    CHECK(contains(model_error(m), "tensor 'input': scale[0] = nan must be finite and >= 0"));
    tensor(m, 0).quantization.scale[0] = -1.0f;
    CHECK(contains(model_error(m), "scale[0] = -1 must be finite and >= 0"));
  }
}

TEST_CASE("options checks") {
  SUBCASE("options table of the wrong type") {
    Model m = testmodels::tiny_conv();
    m.subgraphs[0].operators[0].options =
        Pool2DOptions{Padding::Same, 1, 1, 1, 1, Activation::None};
    CHECK(contains(model_error(m), "operator 0 (CONV_2D): builtin_options_type 5, expected 1"));
  }
  SUBCASE("invalid enums") {
    Model m = testmodels::tiny_conv();
    std::get<Conv2DOptions>(m.subgraphs[0].operators[0].options).padding = static_cast<Padding>(7);
    CHECK(contains(model_error(m), "invalid padding 7 (expected 0 SAME or 1 VALID)"));
    m = testmodels::tiny_conv();
    std::get<Conv2DOptions>(m.subgraphs[0].operators[0].options).activation =
        static_cast<Activation>(9);
    const std::string e = model_error(m);
    CHECK(contains(e, "invalid fused_activation_function 9 (expected 0..5)"));
    CHECK(contains(e, "(in subgraphs[0].operators[0].builtin_options)"));
  }
  SUBCASE("zero stride") {
    Model m = testmodels::tiny_conv();
    std::get<DepthwiseConv2DOptions>(m.subgraphs[0].operators[1].options).stride_h = 0;
    CHECK(contains(model_error(m), "stride_h must be >= 1, got 0"));
  }
  SUBCASE("missing options table decodes as schema defaults") {
    Model m = testmodels::tiny_conv();
    // Writing a CONV_2D without options: defaults have stride 0, which is rejected.
    m.subgraphs[0].operators[0].options = std::monostate{};
    CHECK(contains(model_error(m), "stride_w must be >= 1, got 0"));
    // A SOFTMAX without options decodes as beta = 0 (schema default).
    m = testmodels::tiny_fc();
    m.subgraphs[0].operators[1].options = std::monostate{};
    const Result<Model> r = read_model(write_model(m));
    REQUIRE(r.ok());
    CHECK(std::get<SoftmaxOptions>(r.value().subgraphs[0].operators[1].options).beta == 0.0f);
  }
  SUBCASE("non-finite softmax beta") {
    Model m = testmodels::tiny_fc();
    std::get<SoftmaxOptions>(m.subgraphs[0].operators[1].options).beta =
        std::numeric_limits<float>::infinity();
    CHECK(contains(model_error(m), "beta is not a finite number"));
  }
}

TEST_CASE("aliased objects cannot blow up memory") {
  // A subgraph whose tensor vector holds 100000 offsets to one tensor with a 64-dim shape:
  // ~400 KB of file that would decode to ~50 MB (more than 64 x the file size).
  fb::Builder b;
  const std::vector<std::int32_t> dims(64, 1);
  const auto shape = b.create_vector(dims);
  const auto name = b.create_string("t");
  b.start_table();
  b.add_offset(0, shape);
  b.add_offset(3, name);
  const auto t = b.end_table();
  const std::vector<fb::Builder::Ref> refs(100000, t);
  const auto tensors = b.create_offset_vector(refs);
  b.start_table();
  b.add_offset(0, tensors);
  const auto sg = b.end_table();
  const fb::Builder::Ref sgs[] = {sg};
  const auto subgraphs = b.create_offset_vector(sgs);
  b.start_table();  // empty buffer 0
  const auto buf0 = b.end_table();
  const fb::Builder::Ref bufs[] = {buf0};
  const auto buffers = b.create_offset_vector(bufs);
  b.start_table();
  b.add<std::uint32_t>(0, 3);
  b.add_offset(2, subgraphs);
  b.add_offset(4, buffers);
  const std::vector<std::uint8_t> bytes = b.finish(b.end_table(), "TFL3");
  const std::string e = read_error(bytes);
  CHECK(contains(e, "aliased or overlapping objects?"));
  CHECK(contains(e, "subgraphs[0].tensors["));

  // The same file is fine with a generous expansion limit (it is structurally valid).
  ReadOptions generous;
  generous.max_expansion = 1u << 20;
  const Result<Model> r = read_model(bytes, generous);
  REQUIRE(r.ok());
  CHECK(r.value().subgraphs[0].tensors.size() == 100000);
}

TEST_CASE("errors are values, I/O errors included") {
  const Result<Model> r = read_model_file("/nonexistent/dir/model.tflite");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().to_string() == "byte 0: cannot open '/nonexistent/dir/model.tflite'");
}
