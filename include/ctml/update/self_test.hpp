// SPDX-License-Identifier: Apache-2.0
#pragma once
// The self-test section of an update blob: golden inputs and the output bytes the model must
// produce for them, checked on the device before an update on trial is confirmed.
//
// Layout (little-endian): u32 case count, u32 input bytes per case, u32 output bytes per case,
// then per case its input bytes and its expected output bytes. Inputs and outputs are the
// model's tensors as bytes (int8 models: exact; a float model's outputs are compared with a
// tolerance the firmware chooses, as its libm may differ from the host that made the blob).
//   SelfTestView t;  parse_self_test(section, t)  -> UpdateResult
//   run_self_test(t, [&](const uint8_t* in, uint8_t* out) { ... run the model ... }, scratch_out)
#include <cstddef>
#include <cstdint>
#include <span>
#include <ctml/update/update_blob.hpp>

namespace ctml::update {

struct SelfTestView {
  std::uint32_t cases = 0, input_bytes = 0, output_bytes = 0;
  std::span<const std::uint8_t> data;  // the cases
  constexpr std::span<const std::uint8_t> input(std::size_t k) const {
    return data.subspan(k * (input_bytes + output_bytes), input_bytes);
  }
  constexpr std::span<const std::uint8_t> expected(std::size_t k) const {
    return data.subspan(k * (input_bytes + output_bytes) + input_bytes, output_bytes);
  }
};

constexpr UpdateResult parse_self_test(std::span<const std::uint8_t> section, SelfTestView& t) {
  if (section.size() < 12) return {UpdateError::bad_payload, "self-test section shorter than its 12-byte header"};
  t.cases = detail::le32(section.data());
  t.input_bytes = detail::le32(section.data() + 4);
  t.output_bytes = detail::le32(section.data() + 8);
  const std::uint64_t need = std::uint64_t{12} + std::uint64_t{t.cases} * (std::uint64_t{t.input_bytes} + t.output_bytes);
  if (t.cases == 0) return {UpdateError::bad_payload, "self-test section with no cases"};
  if (need != section.size()) return {UpdateError::bad_payload, "self-test section size does not match its cases"};
  t.data = section.subspan(12);
  return {};
}

// Runs every case through run(input, output) and compares the output bytes; out: scratch of
// output_bytes. Any difference fails the self-test.
template <class Run>
constexpr UpdateResult run_self_test(const SelfTestView& t, Run&& run, std::span<std::uint8_t> out) {
  if (out.size() < t.output_bytes) return {UpdateError::self_test_failed, "self-test output buffer too small"};
  for (std::size_t k = 0; k < t.cases; ++k) {
    run(t.input(k).data(), out.data());
    const auto e = t.expected(k);
    for (std::size_t i = 0; i < e.size(); ++i)
      if (out[i] != e[i]) return {UpdateError::self_test_failed, "the model does not reproduce its golden outputs"};
  }
  return {};
}

// Writes a section: count, sizes, then the cases' inputs and outputs (in: cases x input_bytes,
// expected: cases x output_bytes). Returns the bytes written, 0 when out is too small.
constexpr std::size_t write_self_test(std::span<std::uint8_t> out, std::uint32_t cases, std::span<const std::uint8_t> in,
                                      std::uint32_t input_bytes, std::span<const std::uint8_t> expected, std::uint32_t output_bytes) {
  const std::size_t need = 12 + std::size_t{cases} * (input_bytes + output_bytes);
  if (out.size() < need || in.size() < std::size_t{cases} * input_bytes || expected.size() < std::size_t{cases} * output_bytes) return 0;
  detail::put32(out.data(), cases);
  detail::put32(out.data() + 4, input_bytes);
  detail::put32(out.data() + 8, output_bytes);
  std::size_t at = 12;
  for (std::size_t k = 0; k < cases; ++k) {
    for (std::size_t i = 0; i < input_bytes; ++i) out[at++] = in[k * input_bytes + i];
    for (std::size_t i = 0; i < output_bytes; ++i) out[at++] = expected[k * output_bytes + i];
  }
  return at;
}

}  // namespace ctml::update
