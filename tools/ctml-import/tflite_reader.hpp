// SPDX-License-Identifier: Apache-2.0
#pragma once
// ctml-import: dependency-free TFLite (.tflite flatbuffer, schema v3) reader.
//
//   std::vector<std::uint8_t> bytes = ...;
//   ctml::tflite::Result<ctml::tflite::Model> r = ctml::tflite::read_model(bytes);
//   if (!r) { std::cerr << r.error().to_string() << '\n'; return 1; }
//   const ctml::tflite::Model& m = r.value();     // see tflite_model.hpp
//
// The reader never throws and never reads outside the given bytes: every uoffset/soffset,
// vtable, vector and string length, alignment (relative to the start of the buffer, as the
// flatbuffers verifier does), nesting depth and the total decoded size are checked before use.
// Errors name the byte offset and what was expected, plus the path of the object being decoded:
//   "byte 1234: vector length 4000000 exceeds file size 52000 (in subgraphs[0].tensors[3].shape)"
// After the structural decode the model is validated semantically (index ranges, data sizes,
// quantization parameter counts; see tflite_model.hpp for the full list of guarantees).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ctml-import/tflite_model.hpp"

namespace ctml::tflite {

struct Error {
  std::size_t offset = 0;  // byte offset in the file the problem was detected at
  std::string message;     // what was expected / found
  std::string context;     // object path, e.g. "subgraphs[0].operators[2].inputs"; may be empty

  // "byte <offset>: <message> (in <context>)"
  std::string to_string() const;
};

// A value or an Error (std::expected is C++23).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct ReadOptions {
  // false (default, what the code generator wants): an operator whose builtin code is not
  // decoded by the reader (is_supported_op() is false, or a CUSTOM op) is an error naming the
  // op, e.g. "operator 3 uses unsupported op TRANSPOSE_CONV (builtin code 67)".
  // true (the dump tool): such operators are kept with UnsupportedOptions / monostate options.
  bool allow_unsupported_ops = false;
  // Upper bound of the memory the decoded description may take, as a multiple of the file
  // size (plus 1 MiB). Guards against files whose offsets alias the same objects many times.
  std::size_t max_expansion = 64;
};

// Parses a complete .tflite file held in `bytes` (file_identifier "TFL3" required).
Result<Model> read_model(std::span<const std::uint8_t> bytes,
                         const ReadOptions& options = {}) noexcept;

// Reads the file at `path` and parses it; I/O errors are reported as Error with offset 0.
Result<Model> read_model_file(const std::string& path, const ReadOptions& options = {}) noexcept;

// Whole-file helper shared by the tools: false (and a message in `error`) on I/O failure.
bool read_file_bytes(const std::string& path, std::vector<std::uint8_t>& out, std::string& error);

}  // namespace ctml::tflite
