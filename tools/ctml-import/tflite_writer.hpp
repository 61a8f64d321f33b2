// SPDX-License-Identifier: Apache-2.0
#pragma once
// ctml-import: minimal flatbuffer builder and a TFLite writer for the subset the reader
// decodes. Used to generate small hand-made .tflite models for tests (tools/make_test_models.cpp)
// and to round-trip models: read_model(write_model(m)) == m for every model the reader accepts
// (UnsupportedOptions are written as empty tables, custom options / sparsity / custom
// quantization details as empty placeholders).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctml-import/tflite_model.hpp"

namespace ctml::tflite {

namespace fb {

// Back-to-front flatbuffer builder (the layout flatc's builders produce): children are created
// before their parents, so every uoffset points forward. A Ref identifies a finished object by
// its distance from the END of the buffer, which does not change as more bytes are prepended.
//
//   Builder b;
//   Ref name = b.create_string("x");
//   b.start_table();
//   b.add_offset(3, name);          // field id 3
//   b.add<std::int8_t>(1, 9, 0);    // skipped when equal to the default (unless force_defaults)
//   Ref t = b.end_table();
//   std::vector<std::uint8_t> bytes = b.finish(t, "TFL3");
class Builder {
 public:
  using Ref = std::uint32_t;  // 0 is never a valid object

  struct Config {
    bool dedup_vtables = true;    // share identical vtables (yields negative soffsets too)
    bool force_defaults = false;  // write scalar fields even when equal to their default
  };

  Builder() = default;
  explicit Builder(Config config) : cfg_(config) {}

  std::size_t size() const noexcept { return buf_.size() - head_; }

  Ref create_string(std::string_view s);
  Ref create_bytes(std::span<const std::uint8_t> bytes, std::size_t alignment = 4);
  template <class T>
  Ref create_vector(std::span<const T> values) {
    const std::size_t bytes = values.size() * sizeof(T);
    prealign(bytes, 4);
    prealign(bytes, sizeof(T));
    for (std::size_t i = values.size(); i-- > 0;) push_le(values[i]);
    push_le(static_cast<std::uint32_t>(values.size()));
    return static_cast<Ref>(size());
  }
  template <class T>
  Ref create_vector(const std::vector<T>& values) {
    return create_vector(std::span<const T>(values));
  }
  Ref create_offset_vector(std::span<const Ref> refs);

  void start_table();
  template <class T>
  void add(unsigned id, T value) {
    prealign(sizeof(T), sizeof(T));
    push_le(value);
    fields_.emplace_back(id, static_cast<Ref>(size()));
  }
  template <class T>
  void add(unsigned id, T value, T default_value) {
    if (cfg_.force_defaults || !(value == default_value)) add(id, value);
  }
  void add_offset(unsigned id, Ref target);  // no-op for target 0
  Ref end_table();

  // Finishes the buffer with `root` as root table; the builder is left empty.
  std::vector<std::uint8_t> finish(Ref root, std::string_view file_identifier);

 private:
  void prealign(std::size_t len, std::size_t alignment);
  void reserve_front(std::size_t n);
  void push_bytes(const std::uint8_t* p, std::size_t n);  // prepends p[0..n) in this order
  void push_zeros(std::size_t n);
  std::uint8_t& byte_at(Ref ref, std::size_t k);  // byte k of the object identified by ref
  template <class T>
  void push_le(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // ctml tools assume a little-endian host
    push_bytes(b, sizeof(T));
  }

  Config cfg_{};
  std::vector<std::uint8_t> buf_;  // storage; the finished bytes are buf_[head_, end)
  std::size_t head_ = 0;
  std::size_t minalign_ = 4;
  bool in_table_ = false;
  std::size_t table_end_ = 0;
  std::vector<std::pair<unsigned, Ref>> fields_;
  std::vector<Ref> vtables_;
};

}  // namespace fb

struct WriteOptions {
  bool dedup_vtables = true;
  bool force_defaults = false;
  // Write only the legacy int8 deprecated_builtin_code (as pre-2.4 converters did); codes
  // >= 127 are then written as PLACEHOLDER_FOR_GREATER_OP_CODES plus builtin_code.
  bool legacy_opcodes = false;
  // Store non-empty buffers after the flatbuffer, referenced by Buffer.offset/size (the layout
  // of TFLite's >2 GB format), instead of in Buffer.data.
  bool external_buffers = false;
};

// Serialises `m` as a .tflite file (file_identifier "TFL3"). The model is written as given
// (no validation), so tests can also produce models the reader must reject.
std::vector<std::uint8_t> write_model(const Model& m, const WriteOptions& options = {});

bool write_file_bytes(const std::string& path, std::span<const std::uint8_t> bytes,
                      std::string& error);

}  // namespace ctml::tflite
