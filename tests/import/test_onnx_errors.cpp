// SPDX-License-Identifier: Apache-2.0
// The ONNX reader refuses what it cannot import with a reason naming the node and op, and never
// crashes or reads past the end on a hostile file: every truncation of a real exported model and
// thousands of deterministic byte mutations (run under ASan/UBSan by the `asan` preset) either
// import into a model that satisfies check_model_invariants() or are refused with a message.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ctml-import/onnx_import.hpp"
#include "onnx.pb.h"
#include "read_file.hpp"

namespace {

std::vector<std::uint8_t> model_bytes(const std::string& name) {
  const auto b = ctml::test::read_file(std::string(CTML_TEST_DATA_DIR) + "/onnx/" + name + ".onnx");
  return {b.begin(), b.end()};
}

std::vector<std::uint8_t> serialize(const ::onnx::ModelProto& m) {
  std::string s;
  REQUIRE(m.SerializeToString(&s));
  return {s.begin(), s.end()};
}

::onnx::ModelProto parse(const std::vector<std::uint8_t>& b) {
  ::onnx::ModelProto m;
  REQUIRE(m.ParseFromArray(b.data(), static_cast<int>(b.size())));
  return m;
}

std::string import_error(const std::vector<std::uint8_t>& b) {
  auto r = ctml::onnx::import_model(b);
  return r ? std::string() : r.error().message;
}

::onnx::NodeProto* find_node(::onnx::ModelProto& m, const std::string& op) {
  for (auto& n : *m.mutable_graph()->mutable_node())
    if (n.op_type() == op) return &n;
  return nullptr;
}

}  // namespace

TEST_CASE("the exported models import; the format is told by the content") {
  for (const char* name : {"cnn", "gap", "mlp", "branches", "decoder", "sensor1d", "inception", "cnn_qdq", "qlinear"}) {
    const auto b = model_bytes(name);
    REQUIRE(!b.empty());
    CHECK(ctml::onnx::looks_like_onnx(b));
    auto r = ctml::onnx::import_model(b);
    INFO(name << ": " << (r ? "" : r.error().message));
    REQUIRE(r);
    CHECK(ctml::tflite::check_model_invariants(r.value()).empty());
  }
  const std::vector<std::uint8_t> tfl = {0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0};
  CHECK_FALSE(ctml::onnx::looks_like_onnx(tfl));
}

TEST_CASE("unsupported operators and attributes are refused naming the node and op") {
  const auto base = parse(model_bytes("cnn"));
  {
    auto m = base;
    find_node(m, "Relu")->set_op_type("LSTM");
    const auto e = import_error(serialize(m));
    CHECK(e.find("(LSTM): op LSTM is not supported") != std::string::npos);
    CHECK(e.find("node 1") != std::string::npos);
  }
  {
    auto m = base;
    auto* conv = find_node(m, "Conv");
    ::onnx::AttributeProto* g = nullptr;
    for (auto& a : *conv->mutable_attribute())
      if (a.name() == "group") g = &a;
    if (!g) {
      g = conv->add_attribute();
      g->set_name("group");
      g->set_type(::onnx::AttributeProto::INT);
    }
    g->set_i(3);
    CHECK(import_error(serialize(m)).find("only ordinary (group 1) and depthwise") != std::string::npos);
  }
  {
    auto m = base;
    find_node(m, "Softmax")->mutable_attribute(0)->set_i(0);  // softmax over the batch
    CHECK(import_error(serialize(m)).find("softmax over the channels") != std::string::npos);
  }
  {
    auto m = base;
    m.mutable_opset_import(0)->set_version(5);
    CHECK(import_error(serialize(m)).find("opset 5") != std::string::npos);
  }
  {
    auto m = base;
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(4);
    CHECK(import_error(serialize(m)).find("batch 4") != std::string::npos);
  }
  {
    auto m = base;
    auto* init = m.mutable_graph()->mutable_initializer(0);
    init->set_data_location(::onnx::TensorProto::EXTERNAL);
    CHECK(import_error(serialize(m)).find("external file") != std::string::npos);
  }
  {
    auto m = base;
    auto* init = m.mutable_graph()->mutable_initializer(0);
    init->mutable_raw_data()->resize(init->raw_data().size() - 4);
    CHECK(import_error(serialize(m)).find("raw_data holds") != std::string::npos);
  }
  {
    auto m = base;
    m.mutable_graph()->mutable_initializer(0)->set_dims(0, 1 << 30);
    CHECK(import_error(serialize(m)).find("2^24 elements") != std::string::npos);
  }
  {  // found by fuzz_onnx_reader: a HardSigmoid without an input
    auto m = base;
    find_node(m, "HardSigmoid")->clear_input();
    CHECK(import_error(serialize(m)).find("(HardSigmoid): expected an input") != std::string::npos);
  }
  CHECK(import_error({0x08}).find("not a valid ONNX model") != std::string::npos);
  CHECK(import_error({}).find("no graph") != std::string::npos);
}

TEST_CASE("every truncation and thousands of byte mutations are refused with a reason or import consistently") {
  for (const char* name : {"mlp", "gap", "sensor1d", "cnn_qdq", "qlinear"}) {
    const auto base = model_bytes(name);
    REQUIRE(!base.empty());
    std::size_t accepted = 0, refused = 0;
    auto check = [&](const std::vector<std::uint8_t>& b) {
      auto r = ctml::onnx::import_model(b);
      if (r) {
        ++accepted;
        CHECK(ctml::tflite::check_model_invariants(r.value()).empty());
      } else {
        ++refused;
        CHECK(!r.error().message.empty());
      }
    };
    for (std::size_t n = 0; n < base.size(); ++n) check({base.begin(), base.begin() + static_cast<std::ptrdiff_t>(n)});
    std::uint64_t s = 0x9E3779B97F4A7C15ull;
    auto next = [&] {
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      return s;
    };
    for (int k = 0; k < 3000; ++k) {
      auto b = base;
      const int edits = 1 + static_cast<int>(next() % 4);
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = next() % b.size();
        switch (next() % 3) {
          case 0: b[at] ^= static_cast<std::uint8_t>(1u << (next() % 8)); break;
          case 1: b[at] = static_cast<std::uint8_t>(next()); break;
          default: b[at] = static_cast<std::uint8_t>(0x80 | next()); break;  // long varints
        }
      }
      check(b);
    }
    MESSAGE(std::string(name) << ": " << accepted << " accepted, " << refused << " refused");
    CHECK(refused > 0);
  }
}

TEST_CASE("every node stripped of its inputs, outputs or attributes is refused or imported, never read past") {
  // Structural mutations the byte fuzzer reaches only by chance (it found HardSigmoid without an
  // input): for every node of every test model, no inputs / no outputs / no attributes / one
  // input more than it had.
  for (const char* name : {"cnn", "gap", "mlp", "branches", "decoder", "sensor1d", "inception", "cnn_qdq", "qlinear"}) {
    const auto base = parse(model_bytes(name));
    for (int k = 0; k < base.graph().node_size(); ++k)
      for (int how = 0; how < 4; ++how) {
        auto m = base;
        auto* node = m.mutable_graph()->mutable_node(k);
        if (how == 0) node->clear_input();
        if (how == 1) node->clear_output();
        if (how == 2) node->clear_attribute();
        if (how == 3) node->add_input(node->input_size() > 0 ? node->input(0) : std::string("input"));
        INFO(name << " node " << k << " (" << node->op_type() << ") mutation " << how);
        auto r = ctml::onnx::import_model(serialize(m));
        if (r) CHECK(ctml::tflite::check_model_invariants(r.value()).empty());
        else CHECK(!r.error().message.empty());
      }
  }
}
