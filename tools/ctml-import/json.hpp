// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small strict JSON reader for ctml-import (XGBoost models): RFC 8259 values, nesting at most
// 64 deep, errors with the byte offset. Numbers keep their text, so a float field is read with
// strtof (one rounding, as the writer's float) and an integer field exactly.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctml::json {

struct Value {
  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  std::string text;  // a string's value, or a number's literal
  std::vector<Value> items;       // an array's elements, or an object's member values
  std::vector<std::string> keys;  // an object's member names (keys[i] names items[i])

  const Value* find(std::string_view key) const;
  bool is_number() const { return type == Type::number; }
  // A number (or a string holding one, as XGBoost writes its parameters) as double / float /
  // int64; nullopt when it is not one or does not fit.
  std::optional<double> as_double() const;
  std::optional<float> as_float() const;
  std::optional<std::int64_t> as_int() const;
};

struct Error {
  std::size_t offset = 0;
  std::string message;
};

// The document's one value; nullopt with err set when the text is not JSON.
std::optional<Value> parse(std::string_view text, Error& err);

}  // namespace ctml::json
