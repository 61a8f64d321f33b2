// SPDX-License-Identifier: Apache-2.0
// TFLite Micro's own example models (../shared/models/tflm-examples) through ctml-import, checked
// as TFLM's example tests check them, and byte for byte against TFLM itself (tflm-run) on the
// same inputs:
//   person_detection: person.bmp scores "person" above "no person", no_person.bmp the reverse
//     (person_detection_test.cc). The images go in as TFLM's test builds them
//     (generate_cc_arrays.py): the BMP's 8-bit pixel bytes, top row first, copied into the int8
//     input unchanged.
//   hello_world (int8): the sine of TFLM's golden inputs within 0.05 (hello_world_test.cc), with
//     the generated header's quantize_input / dequantize_output.
//   hello_world (float) and the hand-made FLOAT32 model tiny_float_f32.tflite (every float op
//     ctml-import maps): within 1e-5 of TFLM's floats (relative to the largest output, or
//     absolute below 1), on several inputs.
//   tiny_layout_{int8,f32}.tflite: the layout ops of PyTorch-converted models (TRANSPOSE from
//     NCHW, PAD, PADV2, SQUEEZE, EXPAND_DIMS): int8 bytes equal to TFLM's, floats within 1e-5.
//   act_*.tflite: int8 LEAKY_RELU (alpha 0.2 and -0.3) and HARD_SWISH (three scale pairs: the
//     reluish multiplier shifting right, by one, and left) on all 256 input bytes, equal to
//     TFLM's; the float chain within 1e-5.
//   tiny_binary_{int8,f32}.tflite: ADD / SUB / MUL with a constant (scalar, per channel,
//     elementwise; as first or second operand): int8 bytes equal to TFLM's, floats within 1e-5.
//   tiny_merge_{int8,f32}.tflite: merges of two branches other than a residual ADD (CONCATENATION,
//     MUL with squeeze-and-excitation broadcasting, SUB, MAXIMUM; MINIMUM with a constant; a float
//     ADD with a fused ReLU): int8 bytes equal to TFLM's, floats within 1e-5; tiny_misc_int8
//     (QUANTIZE, MAX_POOL, MEAN keep_dims, RESHAPE, CONCATENATION of a tensor with itself, ADD of
//     a constant with ReLU, DEQUANTIZE): TFLM's floats exactly.
//   tiny_requant_int8.tflite: QUANTIZE int8 -> int8 and DEQUANTIZE / QUANTIZE inside the graph
//     around a float LOGISTIC: bytes equal to TFLM's on every input byte pattern tried.
//   tiny_slice_{int8,f32}.tflite: STRIDED_SLICE (strides, negative begin and stride, masks,
//     shrink_axis_mask): bytes and floats equal to TFLM's.
//   tiny_tconv_{int8,f32}.tflite: TRANSPOSE_CONV (stride 2 SAME with bias and ReLU, stride 1
//     VALID without bias): bytes equal to TFLM's, floats within 1e-5 (bit for bit unless the
//     compiler contracts into FMA: the gather adds the terms in the scatter's order).
//   tiny_16x8_{int16,mixed}.tflite: 16x8 (int16 activations, int8 weights): CONV_2D, DEPTHWISE
//     (multiplier 2), FULLY_CONNECTED with int64 biases, an int32 bias, no bias with
//     quantized_bias_type INT32 and without; PAD, RESHAPE; QUANTIZE float -> int16, int16 -> int8,
//     int8 -> int16, int16 -> int16; DEQUANTIZE int16: int16 values and floats equal to TFLM's.
//   tiny_concat_{int8,f32}.tflite: CONCATENATION of four branches (the input itself, convs, a
//     pool) along the channels and of three along the width: bytes equal to TFLM's, floats
//     within 1e-5.
//   mnist_lstm (UNIDIRECTIONAL_SEQUENCE_LSTM, float and int8): the ten sample digits classified as
//     their labels by both models (evaluate_test.py's testQuantModelAccuracy and the float
//     model's), int8 bytes equal to TFLM's and float within 1e-5 of TFLM's on them, and the int8
//     model's dequantized outputs within evaluate_test.py's 1e-2 of the float model's on random
//     inputs (testQuantOutputs); pre-processing as evaluate.py: pixel / 255, quantized with
//     x / scale + zero_point truncated (numpy's astype).
//   tiny_lstm_{a,b}_int8, tiny_lstm_f32: UNIDIRECTIONAL_SEQUENCE_LSTM + FULLY_CONNECTED with a
//     hidden zero point of 5 / -3, cell scale 2^-11 with cell_clip 3 / 2^-14 (the integer tanh's
//     other shift) without clipping, float with cell_clip 2: bytes equal to TFLM's on 8 inputs,
//     floats within 1e-5.
//   tiny_svdf_{a,b}_int8, tiny_svdf_f32: SVDF streamed frame by frame (tflm-run --stream; the
//     memory in Model::state_type): int16 state rank 2, int8 state with zero point 4 rank 1,
//     float rank 2 + ReLU: every frame's bytes equal to TFLM's, floats within
//     1e-5.
//   act16_{logistic,tanh}{,_pot}.tflite: int16 LOGISTIC and TANH (16x8) on all 65536 input
//     values, input scales a power of two and not: equal to TFLM's.
//   act16_softmax_{a,b,c}.tflite: int16 SOFTMAX (rows of 16, 5, 300; scales and betas giving
//     multipliers above and below one), random inputs: equal to TFLM's.
//   tiny_16x8_ops.tflite, tiny_16x8_more.tflite: the other 16x8 ops (pools, ADD/SUB of two
//     branches, MUL/MAXIMUM/MINIMUM with constants, CONCATENATION, SOFTMAX; RELU, RELU6,
//     LEAKY_RELU, MEAN), random inputs: equal to TFLM's.
//   tiny_16x8_tconv.tflite: 16x8 TRANSPOSE_CONV (int64 bias + ReLU, stride 2 SAME; int16 bias,
//     stride 1 VALID), random inputs: equal to TFLM's.
// BMP decoding lives here, not in the library.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>
#include <ctml/quant/quantize_model.hpp>
#include "hello_world_float.hpp"
#include "trained_lstm.hpp"
#include "trained_lstm_int8.hpp"
#include "hello_world_int8.hpp"
#include "person_detect.hpp"
#include "tiny_float.hpp"
#include "tiny_layout_f32.hpp"
#include "tiny_layout_int8.hpp"
#include "act_float.hpp"
#include "tiny_binary_f32.hpp"
#include "tiny_binary_int8.hpp"
#include "tiny_merge_f32.hpp"
#include "tiny_merge_int8.hpp"
#include "tiny_misc_int8.hpp"
#include "tiny_requant.hpp"
#include "tiny_slice_f32.hpp"
#include "tiny_slice_int8.hpp"
#include "tiny_tconv_f32.hpp"
#include "tiny_tconv_int8.hpp"
#include "tiny_16x8_int16.hpp"
#include "tiny_16x8_mixed.hpp"
#include "tiny_concat_f32.hpp"
#include "tiny_concat_int8.hpp"
#include "tiny_lstm_a_int8.hpp"
#include "tiny_lstm_b_int8.hpp"
#include "tiny_lstm_f32.hpp"
#include "tiny_lstm_a_16x8.hpp"
#include "tiny_lstm_b_16x8.hpp"
#include "tiny_svdf_a_int8.hpp"
#include "tiny_svdf_b_int8.hpp"
#include "tiny_svdf_f32.hpp"
#include "act16_logistic.hpp"
#include "act16_logistic_pot.hpp"
#include "act16_tanh.hpp"
#include "act16_tanh_pot.hpp"
#include "act16_softmax_a.hpp"
#include "act16_softmax_b.hpp"
#include "act16_softmax_c.hpp"
#include "tiny_16x8_ops.hpp"
#include "tiny_16x8_more.hpp"
#include "tiny_16x8_tconv.hpp"
#include "act_hswish_a.hpp"
#include "act_hswish_b.hpp"
#include "act_hswish_c.hpp"
#include "act_leaky.hpp"
#include "act_leaky_neg.hpp"
#include "read_file.hpp"
#include "tflm_run.hpp"

using ctml::test::read_file;
using ctml::test::tflm_output;
using ctml::test::tflm_stream_output;

namespace {
const std::string examples = std::string(CTML_SHARED_DIR) + "/models/tflm-examples/";

std::uint32_t le32(const std::vector<unsigned char>& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

// An uncompressed 8-bit BMP's pixel bytes, top row first (BMP stores rows bottom-up, padded to 4
// bytes, unless the height is negative). Empty if the file is not such a BMP of w x h.
std::vector<std::uint8_t> bmp_pixels(const std::vector<unsigned char>& f, std::uint32_t w, std::uint32_t h) {
  if (f.size() < 54 || f[0] != 'B' || f[1] != 'M') return {};
  const std::uint32_t offset = le32(f, 10), width = le32(f, 18);
  const auto height = static_cast<std::int32_t>(le32(f, 22));
  const std::uint32_t bits = static_cast<std::uint32_t>(f[28]) | static_cast<std::uint32_t>(f[29]) << 8;
  const std::uint32_t compression = le32(f, 30);
  const std::uint32_t rows = static_cast<std::uint32_t>(height < 0 ? -height : height);
  const std::size_t stride = (width + 3) / 4 * 4;
  if (bits != 8 || compression != 0 || width != w || rows != h || offset + stride * rows > f.size()) return {};
  std::vector<std::uint8_t> px(static_cast<std::size_t>(w) * h);
  for (std::uint32_t r = 0; r < h; ++r) {
    const std::uint32_t src_row = height < 0 ? r : h - 1 - r;
    std::memcpy(px.data() + static_cast<std::size_t>(r) * w, f.data() + offset + stride * src_row, w);
  }
  return px;
}

}  // namespace

TEST_CASE("person_detection: ctml-import of TFLM's person_detect.tflite scores as TFLM's test expects, bytes equal TFLM's") {
  static_assert(person_detect::label_count == 2);
  static_assert(!person_detect::input_is_float && !person_detect::output_is_float);
  constexpr int person = 1, no_person = 0;  // model_settings.h: kPersonIndex, kNotAPersonIndex
  for (const char* name : {"person", "no_person"}) {
    const auto file = read_file(examples + "person_detection/" + name + ".bmp");
    REQUIRE_MESSAGE(!file.empty(), name << ".bmp");
    const auto px = bmp_pixels(file, 96, 96);
    REQUIRE(px.size() == 96 * 96);
    static person_detect::Model::input_type in{};
    static person_detect::Model::output_type out{};
    alignas(16) static std::byte arena[person_detect::arena_bytes];
    std::memcpy(in.data(), px.data(), px.size());  // as TFLM's test: the bytes, unchanged
    person_detect::model(in, out, arena);
    INFO(name << ": person " << int(out[person]) << ", no person " << int(out[no_person]));
    if (std::string(name) == "person") CHECK(out[person] > out[no_person]);
    else CHECK(out[no_person] > out[person]);
    const auto ref = tflm_output(examples + "person_detection/person_detect.tflite", in.data(), in.size(), name);
    if (ref.empty()) {
      MESSAGE("tflm-run not found: compared with TFLM's expectations only");
      continue;
    }
    REQUIRE(ref.size() == 2);
    CHECK(static_cast<std::int8_t>(ref[0]) == out[0]);
    CHECK(static_cast<std::int8_t>(ref[1]) == out[1]);
  }
}

TEST_CASE("hello_world int8: the sine within TFLM's 0.05, through quantize_input / dequantize_output") {
  static_assert(hello_world::label_count == 1);
  // TFLM's test feeds {-96, -63, -34, 0} for {0.77, 1.57, 2.3, 3.14} (x / scale + zero point,
  // truncated as its comment says); quantize_input rounds, so it may differ by one step.
  const float golden[] = {0.77f, 1.57f, 2.3f, 3.14f};
  const std::int8_t tflm_inputs[] = {-96, -63, -34, 0};
  for (int i = 0; i < 4; ++i) {
    CHECK(std::abs(hello_world::quantize_input(golden[i]) - tflm_inputs[i]) <= 1);
    for (const std::int8_t q : {tflm_inputs[i], hello_world::quantize_input(golden[i])}) {
      hello_world::Model::input_type in{};
      hello_world::Model::output_type out{};
      alignas(16) static std::byte arena[hello_world::arena_bytes];
      in[0] = q;
      hello_world::model(in, out, arena);
      const float y = hello_world::dequantize_output(out[0]);
      INFO("x " << golden[i] << " input " << int(q) << " y " << y);
      CHECK(std::fabs(std::sin(golden[i]) - y) <= 0.05f);
      const auto ref = tflm_output(examples + "hello_world/hello_world_int8.tflite", in.data(), 1, "hello" + std::to_string(i));
      if (!ref.empty()) CHECK(static_cast<std::int8_t>(ref[0]) == out[0]);
    }
  }
}

namespace {
// max |a - b| over max(1, max |b|): float models agree with TFLM up to the order of float
// operations (relative to the outputs' size, absolute for outputs below 1).
template <class Out>
double relative_difference(const Out& out, const std::vector<unsigned char>& ref) {
  REQUIRE(ref.size() == out.size() * sizeof(float));
  double worst = 0, peak = 1;
  for (std::size_t i = 0; i < out.size(); ++i) {
    float r;
    std::memcpy(&r, ref.data() + 4 * i, 4);
    worst = std::fmax(worst, std::fabs(static_cast<double>(out[i]) - r));
    peak = std::fmax(peak, std::fabs(static_cast<double>(r)));
  }
  return worst / peak;
}
}  // namespace

TEST_CASE("hello_world float: TFLM's golden inputs within 0.05 of the sine, and TFLM's floats within 1e-5") {
  static_assert(hello_world_float::input_is_float && hello_world_float::output_is_float);
  for (const float x : {0.0f, 1.0f, 3.0f, 5.0f}) {
    hello_world_float::Model::input_type in{};
    hello_world_float::Model::output_type out{};
    alignas(16) static std::byte arena[hello_world_float::arena_bytes];
    in[0] = x;
    hello_world_float::model(in, out, arena);
    INFO("x " << x << " y " << out[0]);
    CHECK(std::fabs(std::sin(x) - out[0]) <= 0.05f);
    const auto ref = tflm_output(examples + "hello_world/hello_world_float.tflite", in.data(), 4, "hello_float");
    if (!ref.empty()) CHECK(relative_difference(out, ref) <= 1e-5);
  }
}

TEST_CASE("a FLOAT32 model of every float op ctml-import maps equals TFLM's floats within 1e-5") {
  const std::string model = std::string(CTML_TEST_DATA_DIR) + "/tflite/tiny_float_f32.tflite";
  static tiny_float::Model::input_type in{};
  static tiny_float::Model::output_type out{};
  alignas(16) static std::byte arena[tiny_float::arena_bytes];
  std::uint32_t s = 9;
  bool compared = false;
  for (int trial = 0; trial < 5; ++trial) {
    for (std::size_t i = 0; i < in.size(); ++i) {
      s = s * 1664525u + 1013904223u;
      in[i] = static_cast<float>(static_cast<int>(s >> 16) % 2001 - 1000) / (trial == 4 ? 50.0f : 500.0f);
    }
    tiny_float::model(in, out, arena);
    float total = 0;
    for (std::size_t i = 0; i < out.size(); ++i) total += out[i];
    CHECK(total == doctest::Approx(1.0f).epsilon(1e-5));  // a softmax
    const auto ref = tflm_output(model, in.data(), in.size() * sizeof(float), "tiny_float");
    if (ref.empty()) continue;
    compared = true;
    INFO("trial " << trial);
    CHECK(relative_difference(out, ref) <= 1e-5);
  }
  if (!compared) MESSAGE("tflm-run not found: checked the softmax sum only");
}

TEST_CASE("layout ops (TRANSPOSE from NCHW, PAD, PADV2, SQUEEZE, EXPAND_DIMS): int8 bytes and floats as TFLM's") {
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  std::uint32_t s = 21;
  bool compared = false;
  for (int trial = 0; trial < 6; ++trial) {
    static tiny_layout_int8::Model::input_type qin{};
    static tiny_layout_int8::Model::output_type qout{};
    alignas(16) static std::byte qarena[tiny_layout_int8::arena_bytes];
    static tiny_layout_f32::Model::input_type fin{};
    static tiny_layout_f32::Model::output_type fout{};
    alignas(16) static std::byte farena[tiny_layout_f32::arena_bytes];
    for (std::size_t i = 0; i < qin.size(); ++i) {
      s = s * 1664525u + 1013904223u;
      qin[i] = static_cast<std::int8_t>(static_cast<int>(s >> 24) - 128);
      fin[i] = static_cast<float>(static_cast<int>(s >> 16) % 2001 - 1000) / 1000.0f;
    }
    tiny_layout_int8::model(qin, qout, qarena);
    tiny_layout_f32::model(fin, fout, farena);
    const auto qref = tflm_output(dir + "tiny_layout_int8.tflite", qin.data(), qin.size(), "layout_int8");
    const auto fref = tflm_output(dir + "tiny_layout_f32.tflite", fin.data(), fin.size() * sizeof(float), "layout_f32");
    if (qref.empty() || fref.empty()) continue;
    compared = true;
    INFO("trial " << trial);
    REQUIRE(qref.size() == qout.size());
    for (std::size_t i = 0; i < qout.size(); ++i) CHECK(static_cast<std::int8_t>(qref[i]) == qout[i]);
    CHECK(relative_difference(fout, fref) <= 1e-5);
  }
  if (!compared) MESSAGE("tflm-run not found: not compared");
}

namespace {
// All 256 int8 inputs through a generated one-op model and through TFLM: equal bytes.
template <class Model>
void all_bytes_equal(const Model& model, const char* file) {
  typename Model::input_type in{};
  typename Model::output_type out{};
  alignas(16) static std::byte arena[Model::arena_bytes + 1];
  for (int i = 0; i < 256; ++i) in[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i - 128);
  model(in, out, arena);
  const auto ref = tflm_output(std::string(CTML_TEST_DATA_DIR) + "/tflite/" + file, in.data(), 256, file);
  if (ref.empty()) {
    MESSAGE("tflm-run not found: ", file, " not compared");
    return;
  }
  REQUIRE(ref.size() == 256);
  int differ = 0;
  for (std::size_t i = 0; i < 256; ++i) differ += static_cast<std::int8_t>(ref[i]) != out[i];
  INFO(file);
  CHECK(differ == 0);
}
}  // namespace

TEST_CASE("LEAKY_RELU and HARD_SWISH int8: every input byte as TFLM; float within 1e-5") {
  all_bytes_equal(act_leaky::model, "act_leaky_int8.tflite");
  all_bytes_equal(act_leaky_neg::model, "act_leaky_neg_int8.tflite");
  all_bytes_equal(act_hswish_a::model, "act_hswish_a_int8.tflite");
  all_bytes_equal(act_hswish_b::model, "act_hswish_b_int8.tflite");
  all_bytes_equal(act_hswish_c::model, "act_hswish_c_int8.tflite");
  act_float::Model::input_type in{};
  act_float::Model::output_type out{};
  alignas(16) static std::byte arena[act_float::arena_bytes];
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = -6.5f + 0.2f * static_cast<float>(i);
  act_float::model(in, out, arena);
  const auto ref = tflm_output(std::string(CTML_TEST_DATA_DIR) + "/tflite/act_float_f32.tflite", in.data(), in.size() * 4, "act_float");
  if (!ref.empty()) CHECK(relative_difference(out, ref) <= 1e-5);
}

TEST_CASE("ADD / SUB / MUL with a constant operand: int8 bytes and floats as TFLM's") {
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  std::uint32_t s = 33;
  bool compared = false;
  for (int trial = 0; trial < 8; ++trial) {
    tiny_binary_int8::Model::input_type qin{};
    tiny_binary_int8::Model::output_type qout{};
    alignas(16) static std::byte qarena[tiny_binary_int8::arena_bytes];
    tiny_binary_f32::Model::input_type fin{};
    tiny_binary_f32::Model::output_type fout{};
    alignas(16) static std::byte farena[tiny_binary_f32::arena_bytes];
    for (std::size_t i = 0; i < qin.size(); ++i) {
      s = s * 1664525u + 1013904223u;
      qin[i] = static_cast<std::int8_t>(static_cast<int>(s >> 24) - 128);
      fin[i] = static_cast<float>(static_cast<int>(s >> 16) % 2001 - 1000) / 250.0f;
    }
    tiny_binary_int8::model(qin, qout, qarena);
    tiny_binary_f32::model(fin, fout, farena);
    const auto qref = tflm_output(dir + "tiny_binary_int8.tflite", qin.data(), qin.size(), "binary_int8");
    const auto fref = tflm_output(dir + "tiny_binary_f32.tflite", fin.data(), fin.size() * 4, "binary_f32");
    if (qref.empty() || fref.empty()) continue;
    compared = true;
    INFO("trial " << trial);
    REQUIRE(qref.size() == qout.size());
    int differ = 0;
    for (std::size_t i = 0; i < qout.size(); ++i) differ += static_cast<std::int8_t>(qref[i]) != qout[i];
    CHECK(differ == 0);
    CHECK(relative_difference(fout, fref) <= 1e-5);
  }
  if (!compared) MESSAGE("tflm-run not found: not compared");
}

TEST_CASE("two-branch merges (CONCATENATION, MUL with broadcasting, SUB, MAXIMUM, MINIMUM, ADD+ReLU): bytes and floats as TFLM's") {
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  static_assert(tiny_merge_int8::Model::output_shape::size == 6 * 6 * 10);
  std::uint32_t s = 77;
  bool compared = false;
  for (int trial = 0; trial < 6; ++trial) {
    tiny_merge_int8::Model::input_type qin{};
    tiny_merge_int8::Model::output_type qout{};
    alignas(16) static std::byte qarena[tiny_merge_int8::arena_bytes];
    tiny_merge_f32::Model::input_type fin{};
    tiny_merge_f32::Model::output_type fout{};
    alignas(16) static std::byte farena[tiny_merge_f32::arena_bytes];
    tiny_misc_int8::Model::input_type min{};
    tiny_misc_int8::Model::output_type mout{};
    alignas(16) static std::byte marena[tiny_misc_int8::arena_bytes];
    for (std::size_t i = 0; i < qin.size(); ++i) {
      s = s * 1664525u + 1013904223u;
      qin[i] = static_cast<std::int8_t>(static_cast<int>(s >> 24) - 128);
      fin[i] = static_cast<float>(static_cast<int>(s >> 16) % 2001 - 1000) / 250.0f;
    }
    for (std::size_t i = 0; i < min.size(); ++i) min[i] = fin[i];
    tiny_merge_int8::model(qin, qout, qarena);
    tiny_merge_f32::model(fin, fout, farena);
    tiny_misc_int8::model(min, mout, marena);
    const auto qref = tflm_output(dir + "tiny_merge_int8.tflite", qin.data(), qin.size(), "merge_int8");
    const auto fref = tflm_output(dir + "tiny_merge_f32.tflite", fin.data(), fin.size() * 4, "merge_f32");
    const auto mref = tflm_output(dir + "tiny_misc_int8.tflite", min.data(), min.size() * 4, "misc_int8");
    if (qref.empty() || fref.empty() || mref.empty()) continue;
    compared = true;
    INFO("trial " << trial);
    REQUIRE(qref.size() == qout.size());
    int differ = 0, nonzero = 0;
    for (std::size_t i = 0; i < qout.size(); ++i) {
      differ += static_cast<std::int8_t>(qref[i]) != qout[i];
      nonzero += qout[i] != -128;  // the ReLU'd output is not all clamped
    }
    CHECK(differ == 0);
    CHECK(nonzero > 30);
    CHECK(relative_difference(fout, fref) <= 1e-5);
    REQUIRE(mref.size() == mout.size() * 4);
    CHECK(std::memcmp(mref.data(), mout.data(), mref.size()) == 0);
  }
  if (!compared) MESSAGE("tflm-run not found: not compared");
}

TEST_CASE("QUANTIZE (int8 -> int8 and float -> int8) and DEQUANTIZE inside a graph: bytes as TFLM's") {
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  std::uint32_t s = 5;
  bool compared = false;
  for (int trial = 0; trial < 8; ++trial) {
    tiny_requant::Model::input_type in{};
    tiny_requant::Model::output_type out{};
    alignas(16) static std::byte arena[tiny_requant::arena_bytes];
    for (auto& v : in) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<std::int8_t>(static_cast<int>(s >> 24) - 128);
    }
    tiny_requant::model(in, out, arena);
    const auto ref = tflm_output(dir + "tiny_requant_int8.tflite", in.data(), in.size(), "requant");
    if (ref.empty()) continue;
    compared = true;
    REQUIRE(ref.size() == out.size());
    int differ = 0;
    for (std::size_t i = 0; i < out.size(); ++i) differ += static_cast<std::int8_t>(ref[i]) != out[i];
    INFO("trial " << trial);
    CHECK(differ == 0);
  }
  if (!compared) MESSAGE("tflm-run not found: not compared");
}

namespace {
// An int8 model and its float twin on `trials` pseudo-random inputs (one LCG feeds both): the
// int8 bytes must equal TFLM's, the floats be within `tolerance` of TFLM's (relative, 0: bit for
// bit). Returns how many int8 outputs differ from the first (that the outputs carry information).
template <class Q, class F>
int compare_with_tflm(const Q& qm, const F& fm, const std::string& name, std::uint32_t seed, int trials, double tolerance) {
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  alignas(16) static std::byte arena[1 << 16];
  REQUIRE(Q::arena_bytes <= sizeof(arena));
  REQUIRE(F::arena_bytes <= sizeof(arena));
  bool compared = false;
  int distinct = 0;
  for (int trial = 0; trial < trials; ++trial) {
    typename Q::input_type qin{};
    typename Q::output_type qout{};
    typename F::input_type fin{};
    typename F::output_type fout{};
    for (std::size_t i = 0; i < qin.size(); ++i) {
      seed = seed * 1664525u + 1013904223u;
      qin[i] = static_cast<std::int8_t>(static_cast<int>(seed >> 24) - 128);
      fin[i] = static_cast<float>(static_cast<int>(seed >> 16) % 2001 - 1000) / 250.0f;
    }
    qm(qin, qout, std::span<std::byte>(arena));
    fm(fin, fout, std::span<std::byte>(arena));
    for (std::size_t i = 0; i < qout.size(); ++i) distinct += qout[i] != qout[0];
    const auto qref = tflm_output(dir + name + "_int8.tflite", qin.data(), qin.size(), name + "_int8");
    const auto fref = tflm_output(dir + name + "_f32.tflite", fin.data(), fin.size() * 4, name + "_f32");
    if (qref.empty() || fref.empty()) continue;
    compared = true;
    REQUIRE(qref.size() == qout.size());
    REQUIRE(fref.size() == fout.size() * 4);
    INFO(name << " trial " << trial);
    CHECK(std::memcmp(qref.data(), qout.data(), qref.size()) == 0);
    if (tolerance == 0) CHECK(std::memcmp(fref.data(), fout.data(), fref.size()) == 0);
    else CHECK(relative_difference(fout, fref) <= tolerance);
  }
  if (!compared) MESSAGE("tflm-run not found: not compared");
  return distinct;
}
}  // namespace

TEST_CASE("STRIDED_SLICE (strides, negative index and stride, end_mask, shrink_axis_mask): bytes and floats as TFLM's") {
  static_assert(tiny_slice_int8::Model::output_shape::size == 9);
  // A slice copies, and the float pointwise conv before it sums in TFLite's reference order
  // (kernels/float_tiles.hpp): TFLM's bits, unless the compiler contracts the multiply-adds into
  // FMA (GCC does by default when the target has FMA, e.g. -march=native; tflm-run is built without).
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
  constexpr double tolerance = 1e-6;
#else
  constexpr double tolerance = 0.0;
#endif
  compare_with_tflm(tiny_slice_int8::model, tiny_slice_f32::model, "tiny_slice", 11, 4, tolerance);
}

TEST_CASE("TRANSPOSE_CONV (stride 2 SAME + bias + ReLU, stride 1 VALID): bytes and floats as TFLM's") {
  static_assert(tiny_tconv_int8::Model::output_shape::size == 9 * 9 * 2);
  // The gather adds the terms in the scatter's order: bit-identical to TFLM's floats when the
  // compiler keeps a + x * w two roundings (the default host build); with FMA contraction
  // (-march=native) one rounding fewer, so within 1e-5.
  CHECK(compare_with_tflm(tiny_tconv_int8::model, tiny_tconv_f32::model, "tiny_tconv", 3, 6, 1e-5) > 6 * 40);
}

TEST_CASE("16x8 (int16 activations, int8 weights; int64 and int32 accumulators): values as TFLM's") {
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  static_assert(std::is_same_v<tiny_16x8_int16::Model::input_type::value_type, std::int16_t>);
  static_assert(std::is_same_v<tiny_16x8_int16::Model::output_type::value_type, std::int16_t>);
  static_assert(tiny_16x8_int16::input_zero_point == 0 && tiny_16x8_mixed::input_is_float && tiny_16x8_mixed::output_is_float);
  static_assert(std::is_same_v<decltype(tiny_16x8_int16::quantize_input(0.0f)), std::int16_t>);
  std::uint32_t s = 17;
  bool compared = false;
  for (int trial = 0; trial < 6; ++trial) {
    tiny_16x8_int16::Model::input_type qin{};
    tiny_16x8_int16::Model::output_type qout{};
    alignas(16) static std::byte qarena[tiny_16x8_int16::arena_bytes];
    tiny_16x8_mixed::Model::input_type fin{};
    tiny_16x8_mixed::Model::output_type fout{};
    alignas(16) static std::byte farena[tiny_16x8_mixed::arena_bytes];
    for (auto& v : qin) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<std::int16_t>(static_cast<std::int32_t>(s >> 16) - 32768);
    }
    for (auto& v : fin) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<float>(static_cast<int>(s >> 16) % 2001 - 1000) / 300.0f;
    }
    tiny_16x8_int16::model(qin, qout, qarena);
    tiny_16x8_mixed::model(fin, fout, farena);
    const auto qref = tflm_output(dir + "tiny_16x8_int16.tflite", qin.data(), qin.size() * 2, "16x8_int16");
    const auto fref = tflm_output(dir + "tiny_16x8_mixed.tflite", fin.data(), fin.size() * 4, "16x8_mixed");
    if (qref.empty() || fref.empty()) continue;
    compared = true;
    REQUIRE(qref.size() == qout.size() * 2);
    REQUIRE(fref.size() == fout.size() * 4);
    int differ = 0, saturated = 0;
    for (std::size_t i = 0; i < qout.size(); ++i) {
      std::int16_t r = 0;
      std::memcpy(&r, qref.data() + 2 * i, 2);
      differ += r != qout[i];
      saturated += qout[i] == 32767 || qout[i] == -32768;
    }
    int fdiffer = 0;
    for (std::size_t i = 0; i < fout.size(); ++i) {
      float r = 0;
      std::memcpy(&r, fref.data() + 4 * i, 4);
      fdiffer += r != fout[i];
    }
    INFO("trial " << trial);
    CHECK(differ == 0);
    CHECK(saturated < 3);  // the outputs carry information
    CHECK(fdiffer == 0);
  }
  if (!compared) MESSAGE("tflm-run not found: not compared");
}

TEST_CASE("CONCATENATION of three and four branches: bytes and floats as TFLM's") {
  static_assert(tiny_concat_int8::Model::output_shape::size == 6 * 11 * 4);
  CHECK(compare_with_tflm(tiny_concat_int8::model, tiny_concat_f32::model, "tiny_concat", 23, 4, 1e-5) > 4 * 100);
}

namespace {
// evaluate.py's pre-processing: float pixel / 255; the int8 model's input x / scale + zero point
// in float32, truncated toward zero (numpy's astype(int8)).
template <class QIn, class FIn>
void mnist_inputs(const float* data, QIn& q, FIn& f) {
  for (std::size_t i = 0; i < f.size(); ++i) {
    f[i] = data[i];
    const float v = data[i] / mnist_lstm_int8::input_scale + static_cast<float>(mnist_lstm_int8::input_zero_point);
    q[i] = static_cast<std::int8_t>(v);
  }
}
template <class Out>
std::size_t argmax(const Out& y) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < y.size(); ++i)
    if (y[i] > y[best]) best = i;
  return best;
}
}  // namespace

TEST_CASE("mnist_lstm (UNIDIRECTIONAL_SEQUENCE_LSTM): the ten digits by both models, TFLM's bytes, int8 within 1e-2 of float") {
  static_assert(mnist_lstm_int8::Model::input_shape::size == 28 * 28 && mnist_lstm_int8::label_count == 10);
  const std::string dir = examples + "mnist_lstm/";
  alignas(16) static std::byte qarena[mnist_lstm_int8::arena_bytes];
  alignas(16) static std::byte farena[mnist_lstm_float::arena_bytes];
  bool compared = false;
  for (int label = 0; label < 10; ++label) {
    const auto img = read_file(dir + "sample" + std::to_string(label) + ".u8");
    REQUIRE(img.size() == 784);
    float data[784];
    for (std::size_t i = 0; i < 784; ++i) data[i] = static_cast<float>(img[i]) / 255.0f;
    mnist_lstm_int8::Model::input_type qin{};
    mnist_lstm_int8::Model::output_type qout{};
    mnist_lstm_float::Model::input_type fin{};
    mnist_lstm_float::Model::output_type fout{};
    mnist_inputs(data, qin, fin);
    mnist_lstm_int8::model(qin, qout, qarena);
    mnist_lstm_float::model(fin, fout, farena);
    INFO("sample " << label);
    CHECK(argmax(qout) == static_cast<std::size_t>(label));
    CHECK(argmax(fout) == static_cast<std::size_t>(label));
    const auto qref = tflm_output(dir + "trained_lstm_int8.tflite", qin.data(), qin.size(), "mnist_int8");
    const auto fref = tflm_output(dir + "trained_lstm.tflite", fin.data(), fin.size() * 4, "mnist_float");
    if (qref.empty() || fref.empty()) continue;
    compared = true;
    REQUIRE(qref.size() == qout.size());
    int differ = 0;
    for (std::size_t i = 0; i < qout.size(); ++i) differ += static_cast<std::int8_t>(qref[i]) != qout[i];
    CHECK(differ == 0);
    CHECK(relative_difference(fout, fref) <= 1e-5);
  }
  if (!compared) MESSAGE("tflm-run not found: not compared");
  // testQuantOutputs: random inputs in [0, 1).
  std::uint32_t s = 42;
  double worst = 0;
  for (int trial = 0; trial < 10; ++trial) {
    float data[784];
    for (auto& v : data) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<float>(s >> 8) / 16777216.0f;
    }
    mnist_lstm_int8::Model::input_type qin{};
    mnist_lstm_int8::Model::output_type qout{};
    mnist_lstm_float::Model::input_type fin{};
    mnist_lstm_float::Model::output_type fout{};
    mnist_inputs(data, qin, fin);
    mnist_lstm_int8::model(qin, qout, qarena);
    mnist_lstm_float::model(fin, fout, farena);
    for (std::size_t i = 0; i < qout.size(); ++i)
      worst = std::max(worst, std::fabs(static_cast<double>(mnist_lstm_int8::dequantize_output(qout[i])) - fout[i]));
  }
  INFO("largest |float - dequantized int8| " << worst);
  CHECK(worst < 1e-2);
}

TEST_CASE("mnist_lstm float model quantized by ctml's PTQ: the ten digits, within 1e-2 of float, as close as TFLite's int8 model") {
  const std::string dir = examples + "mnist_lstm/";
  using FIn = mnist_lstm_float::Model::input_type;
  // Calibration: the ten sample digits and ten images of uniform noise (evaluate_test.py's two
  // kinds of input); the check runs on other noise images.
  static std::array<FIn, 20> calib{};
  std::array<FIn, 10> samples{};
  for (int label = 0; label < 10; ++label) {
    const auto img = read_file(dir + "sample" + std::to_string(label) + ".u8");
    REQUIRE(img.size() == 784);
    for (std::size_t i = 0; i < 784; ++i) samples[label][i] = static_cast<float>(img[i]) / 255.0f;
    calib[label] = samples[label];
  }
  std::uint32_t s = 7;
  auto noise = [&](FIn& x) {
    for (auto& v : x) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<float>(s >> 8) / 16777216.0f;
    }
  };
  for (std::size_t k = 10; k < calib.size(); ++k) noise(calib[k]);
  static const auto q = ctml::quant::quantize(mnist_lstm_float::model, calib);
  alignas(16) static std::byte farena[mnist_lstm_float::arena_bytes];
  alignas(16) static std::byte qarena[mnist_lstm_int8::arena_bytes];
  double worst_ctml = 0, worst_tflite = 0;
  auto compare = [&](const FIn& x) {
    mnist_lstm_float::Model::output_type fout{};
    mnist_lstm_float::model(x, fout, farena);
    const auto y = q(x);
    mnist_lstm_int8::Model::input_type qin{};
    mnist_lstm_int8::Model::output_type qout{};
    FIn unused{};
    mnist_inputs(x.data(), qin, unused);
    mnist_lstm_int8::model(qin, qout, qarena);
    for (std::size_t i = 0; i < 10; ++i) {
      worst_ctml = std::max(worst_ctml, std::fabs(static_cast<double>(y[i] - fout[i])));
      worst_tflite = std::max(worst_tflite, std::fabs(static_cast<double>(mnist_lstm_int8::dequantize_output(qout[i]) - fout[i])));
    }
    return argmax(y);
  };
  for (int label = 0; label < 10; ++label) {
    INFO("sample " << label);
    CHECK(compare(samples[label]) == static_cast<std::size_t>(label));
  }
  for (int trial = 0; trial < 10; ++trial) {
    FIn x{};
    noise(x);
    compare(x);
  }
  MESSAGE("mnist_lstm: largest |float - int8| over 10 digits and 10 noise images: ctml PTQ " << worst_ctml
          << ", TFLite converter's model " << worst_tflite);
  CHECK(worst_ctml < 1e-2);
  CHECK(worst_ctml <= 2 * worst_tflite + 1.0 / 256);
}

namespace {
template <class Net>
void check_lstm_int8(const Net& model, std::size_t arena_bytes_needed, const std::string& file, std::uint32_t seed) {
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  static std::byte arena[4096];
  REQUIRE(arena_bytes_needed <= sizeof(arena));
  bool compared = false;
  int distinct = 0;
  for (int trial = 0; trial < 8; ++trial) {
    typename Net::input_type in{};
    typename Net::output_type out{};
    for (auto& v : in) {
      seed = seed * 1664525u + 1013904223u;
      v = static_cast<std::int8_t>(static_cast<int>(seed >> 24) - 128);
    }
    model(in, out, std::span<std::byte>(arena));
    const auto ref = tflm_output(dir + file, in.data(), in.size(), "lstm");
    if (ref.empty()) continue;
    compared = true;
    REQUIRE(ref.size() == out.size());
    int differ = 0;
    for (std::size_t i = 0; i < out.size(); ++i) differ += static_cast<std::int8_t>(ref[i]) != out[i];
    for (std::size_t i = 1; i < out.size(); ++i) distinct += out[i] != out[0];
    INFO(file << " trial " << trial);
    CHECK(differ == 0);
  }
  CHECK(distinct > 8);
  if (!compared) MESSAGE("tflm-run not found: not compared");
}
}  // namespace

TEST_CASE("UNIDIRECTIONAL_SEQUENCE_LSTM int8 (hidden zero points, both tanh shift paths, cell_clip) and float: as TFLM's") {
  check_lstm_int8(tiny_lstm_a_int8::model, tiny_lstm_a_int8::arena_bytes, "tiny_lstm_a_int8.tflite", 3);
  check_lstm_int8(tiny_lstm_b_int8::model, tiny_lstm_b_int8::arena_bytes, "tiny_lstm_b_int8.tflite", 5);
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  std::uint32_t s = 9;
  for (int trial = 0; trial < 4; ++trial) {
    tiny_lstm_f32::Model::input_type in{};
    tiny_lstm_f32::Model::output_type out{};
    alignas(16) static std::byte arena[tiny_lstm_f32::arena_bytes];
    for (auto& v : in) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<float>(static_cast<int>(s >> 16) % 2001 - 1000) / 250.0f;
    }
    tiny_lstm_f32::model(in, out, arena);
    const auto ref = tflm_output(dir + "tiny_lstm_f32.tflite", in.data(), in.size() * 4, "lstm_f32");
    if (ref.empty()) continue;
    CHECK(relative_difference(out, ref) <= 1e-5);
  }
}

namespace {
// A 16x8 LSTM whose output is its sequence: every hidden state of 8 random int16 sequences equal
// to TFLM's.
template <class Net>
void check_lstm_16x8(const Net& model, std::size_t arena_bytes_needed, const std::string& file, std::uint32_t seed) {
  static_assert(std::is_same_v<typename Net::input_type::value_type, std::int16_t>);
  static_assert(std::is_same_v<typename Net::output_type::value_type, std::int16_t>);
  const std::string dir = std::string(CTML_TEST_DATA_DIR) + "/tflite/";
  alignas(16) static std::byte arena[4096];
  REQUIRE(arena_bytes_needed <= sizeof(arena));
  bool compared = false;
  int distinct = 0, saturated = 0;
  for (int trial = 0; trial < 8; ++trial) {
    typename Net::input_type in{};
    typename Net::output_type out{};
    for (auto& v : in) {
      seed = seed * 1664525u + 1013904223u;
      v = static_cast<std::int16_t>(static_cast<int>(seed >> 16) - 32768);
    }
    model(in, out, std::span<std::byte>(arena));
    const auto ref = tflm_output(dir + file, in.data(), in.size() * 2, "lstm16");
    if (ref.empty()) continue;
    compared = true;
    REQUIRE(ref.size() == out.size() * 2);
    int differ = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto r = static_cast<std::int16_t>(static_cast<std::uint16_t>(ref[2 * i]) | static_cast<std::uint16_t>(ref[2 * i + 1]) << 8);
      differ += r != out[i];
      distinct += out[i] != out[0];
      saturated += out[i] == 32767 || out[i] == -32768;
    }
    INFO(file << " trial " << trial);
    CHECK(differ == 0);
  }
  CHECK(distinct > 100);
  CHECK(saturated < 8);
  if (!compared) MESSAGE("tflm-run not found: not compared");
}
}  // namespace

TEST_CASE("UNIDIRECTIONAL_SEQUENCE_LSTM 16x8 (int16 activations, int64 biases; zero points, both tanh shift paths, cell_clip): as TFLM's") {
  static_assert(std::is_same_v<tiny_lstm_a_16x8::Model::input_shape, ctml::Shape<6, 5>>);
  static_assert(std::is_same_v<tiny_lstm_a_16x8::Model::output_shape, ctml::Shape<6, 7>>);
  static_assert(tiny_lstm_a_16x8::input_zero_point == 0 && tiny_lstm_b_16x8::output_zero_point == 0);
  check_lstm_16x8(tiny_lstm_a_16x8::model, tiny_lstm_a_16x8::arena_bytes, "tiny_lstm_a_16x8.tflite", 11);
  check_lstm_16x8(tiny_lstm_b_16x8::model, tiny_lstm_b_16x8::arena_bytes, "tiny_lstm_b_16x8.tflite", 12);
}

namespace {
// Frames through a stateful imported model, one per call, against TFLM streaming the same frames.
template <class NS_Model, class T>
void check_stream(const NS_Model& model, std::span<std::byte> arena, const std::string& file, std::uint32_t seed, bool is_float) {
  constexpr std::size_t frames = 20;
  using In = typename NS_Model::input_type;
  using Out = typename NS_Model::output_type;
  std::vector<T> stream(frames * In::size()), out(frames * Out::size());
  for (auto& v : stream) {
    seed = seed * 1664525u + 1013904223u;
    if constexpr (std::is_same_v<T, float>) v = static_cast<float>(static_cast<int>(seed >> 16) % 2001 - 1000) / 400.0f;
    else v = static_cast<T>(static_cast<int>(seed >> 24) - 128);
  }
  typename NS_Model::state_type state{};
  model.reset(state);
  for (std::size_t k = 0; k < frames; ++k) {
    In x{};
    Out y{};
    std::copy_n(stream.data() + k * In::size(), In::size(), x.data());
    model(x, y, arena, state);
    std::copy_n(y.data(), Out::size(), out.data() + k * Out::size());
  }
  const auto ref = tflm_stream_output(std::string(CTML_TEST_DATA_DIR) + "/tflite/" + file, stream.data(), stream.size() * sizeof(T), "svdf");
  if (ref.empty()) {
    MESSAGE("tflm-run not found: not compared");
    return;
  }
  REQUIRE(ref.size() == out.size() * sizeof(T));
  std::vector<T> r(out.size());
  std::memcpy(r.data(), ref.data(), ref.size());
  INFO(file);
  if (is_float) {
    double worst = 0, peak = 1;
    for (std::size_t i = 0; i < r.size(); ++i) {
      worst = std::max(worst, std::fabs(static_cast<double>(out[i]) - static_cast<double>(r[i])));
      peak = std::max(peak, std::fabs(static_cast<double>(r[i])));
    }
    CHECK(worst / peak <= 1e-5);
  } else {
    int differ = 0, distinct = 0;
    for (std::size_t i = 0; i < r.size(); ++i) differ += r[i] != out[i], distinct += out[i] != out[0];
    CHECK(differ == 0);
    CHECK(distinct > 20);
  }
}
}  // namespace

TEST_CASE("SVDF streamed frame by frame (int16 and int8 state, rank 1 and 2, float): as TFLM streams it") {
  static std::byte arena[4096];
  static_assert(tiny_svdf_a_int8::Model::state_bytes == 8 * 5 * 2);
  check_stream<tiny_svdf_a_int8::Model, std::int8_t>(tiny_svdf_a_int8::model, arena, "tiny_svdf_a_int8.tflite", 3, false);
  check_stream<tiny_svdf_b_int8::Model, std::int8_t>(tiny_svdf_b_int8::model, arena, "tiny_svdf_b_int8.tflite", 4, false);
  check_stream<tiny_svdf_f32::Model, float>(tiny_svdf_f32::model, arena, "tiny_svdf_f32.tflite", 5, true);
}

namespace {
// How many int16 outputs differ from tflm-run's output bytes (little-endian int16).
template <class Bytes, class Out>
int int16_differences(const Bytes& ref, const Out& out) {
  REQUIRE(ref.size() == out.size() * 2);
  int differ = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::int16_t r = 0;
    std::memcpy(&r, ref.data() + 2 * i, 2);
    differ += r != out[i];
  }
  return differ;
}

template <class Net>
void check_all_int16(const Net& model, const std::string& file) {
  static typename Net::input_type in{};
  static typename Net::output_type out{};
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::int16_t>(static_cast<int>(i) - 32768);
  alignas(16) static std::byte arena[Net::arena_bytes + 1];
  model(in, out, arena);
  const auto ref = tflm_output(std::string(CTML_TEST_DATA_DIR) + "/tflite/" + file, in.data(), in.size() * 2, "act16");
  if (ref.empty()) {
    MESSAGE("tflm-run not found: not compared");
    return;
  }
  const int differ = int16_differences(ref, out);
  INFO(file);
  CHECK(differ == 0);
}
}  // namespace

TEST_CASE("int16 LOGISTIC and TANH (power-of-two and other input scales): all 65536 inputs as TFLM's") {
  static_assert(act16_logistic_pot::Model::input_shape::size == 65536);
  check_all_int16(act16_logistic_pot::model, "act16_logistic_pot.tflite");
  check_all_int16(act16_logistic::model, "act16_logistic.tflite");
  check_all_int16(act16_tanh_pot::model, "act16_tanh_pot.tflite");
  check_all_int16(act16_tanh::model, "act16_tanh.tflite");
}

namespace {
// Random int16 inputs (an LCG over the whole range) through the model and through tflm-run: every
// output value equal. Returns the number of outputs compared (0 without tflm-run).
template <class Net>
std::size_t check_random_int16(const Net& model, const std::string& file, int trials, std::uint32_t seed) {
  static typename Net::input_type in{};
  static typename Net::output_type out{};
  alignas(16) static std::byte arena[Net::arena_bytes + 1];
  std::size_t compared = 0;
  for (int trial = 0; trial < trials; ++trial) {
    for (auto& v : in) {
      seed = seed * 1664525u + 1013904223u;
      v = static_cast<std::int16_t>(static_cast<std::int32_t>(seed >> 16) - 32768);
    }
    model(in, out, arena);
    const auto ref = tflm_output(std::string(CTML_TEST_DATA_DIR) + "/tflite/" + file, in.data(), in.size() * 2, "int16");
    if (ref.empty()) {
      MESSAGE("tflm-run not found: not compared");
      return 0;
    }
    const int differ = int16_differences(ref, out);
    INFO(file << " trial " << trial);
    CHECK(differ == 0);
    compared += out.size();
  }
  return compared;
}
}  // namespace

TEST_CASE("int16 SOFTMAX (TFLite's exp and 1/(1+x) tables, interpolated): values as TFLM's") {
  static_assert(std::is_same_v<act16_softmax_a::Model::output_type::value_type, std::int16_t>);
  // rows of 16 with differences over the whole exp table, rows of 5 with a multiplier below one,
  // rows of 300 (large sums: the reciprocal table's far end)
  CHECK(check_random_int16(act16_softmax_a::model, "act16_softmax_a.tflite", 4, 3) % (2048 * 16) == 0);
  CHECK(check_random_int16(act16_softmax_b::model, "act16_softmax_b.tflite", 4, 5) % (1024 * 5) == 0);
  CHECK(check_random_int16(act16_softmax_c::model, "act16_softmax_c.tflite", 4, 7) % (64 * 300) == 0);
  // The probabilities of a row sum to about one (2^15): the tables are TFLite's, not noise.
  act16_softmax_b::Model::input_type in{};
  act16_softmax_b::Model::output_type out{};
  alignas(16) static std::byte arena[act16_softmax_b::arena_bytes + 1];
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::int16_t>((static_cast<int>(i) * 7919) % 65536 - 32768);
  act16_softmax_b::model(in, out, arena);
  for (std::size_t r = 0; r < 1024; r += 97) {
    int sum = 0;
    for (std::size_t c = 0; c < 5; ++c) sum += out[r * 5 + c];
    CHECK(sum > 32768 - 40);
    CHECK(sum < 32768 + 40);
  }
}

TEST_CASE("16x8 MAX/AVERAGE_POOL, ADD/SUB of branches, MUL/MAXIMUM/MINIMUM with constants, CONCATENATION, SOFTMAX: values as TFLM's") {
  static_assert(std::is_same_v<tiny_16x8_ops::Model::input_type::value_type, std::int16_t>);
  static_assert(tiny_16x8_ops::Model::output_shape::size == 10);
  check_random_int16(tiny_16x8_ops::model, "tiny_16x8_ops.tflite", 8, 29);
  // The probabilities are spread (not one-hot): the layers before the softmax carry information.
  tiny_16x8_ops::Model::input_type in{};
  tiny_16x8_ops::Model::output_type out{};
  alignas(16) static std::byte arena[tiny_16x8_ops::arena_bytes + 1];
  std::uint32_t s = 29;
  for (auto& v : in) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<std::int16_t>(static_cast<std::int32_t>(s >> 16) - 32768);
  }
  tiny_16x8_ops::model(in, out, arena);
  int spread = 0;
  for (const auto v : out) spread += v > 16 && v < 32000;
  CHECK(spread >= 3);
}

TEST_CASE("16x8 RELU, RELU6, LEAKY_RELU (to another scale) and MEAN: values as TFLM's") {
  static_assert(std::is_same_v<tiny_16x8_more::Model::output_type::value_type, std::int16_t>);
  check_random_int16(tiny_16x8_more::model, "tiny_16x8_more.tflite", 8, 31);
}

TEST_CASE("16x8 TRANSPOSE_CONV (int64 and int16 biases, SAME and VALID): values as TFLM's") {
  static_assert(tiny_16x8_tconv::Model::output_shape::size == 9 * 9 * 2);
  check_random_int16(tiny_16x8_tconv::model, "tiny_16x8_tconv.tflite", 6, 37);
}
