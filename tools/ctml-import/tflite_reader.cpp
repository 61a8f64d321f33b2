// SPDX-License-Identifier: Apache-2.0
// TFLite flatbuffer reader: bounds-checked decode of the subset of schema.fbs ctml needs.
//
// Flatbuffer layout recap (all little-endian):
//   file:    [uoffset root][file_identifier "TFL3"] ...
//   uoffset: u32, target = position of the offset field + value (always forward)
//   table:   [soffset (i32) to its vtable: vtable = table - soffset][fields ...]
//   vtable:  [u16 vtable bytes][u16 table bytes][u16 field offset, per field id; 0 = absent]
//   vector:  [u32 count][elements]; vectors of tables hold one uoffset per element
//   string:  [u32 length][bytes][0]
// Union fields take two ids: the u8 type tag, then the uoffset of the value table.
//
// Implementation note: internally a failed check throws ParseError (with the byte offset and
// the object path captured at the throw site); read_model() catches everything, so no exception
// leaves the library. Positions are uint64_t and every addition is checked against the file
// size before any byte is touched.
#include "ctml-import/tflite_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <type_traits>

namespace ctml::tflite {

std::string Error::to_string() const {
  std::string s = "byte " + std::to_string(offset) + ": " + message;
  if (!context.empty()) s += " (in " + context + ")";
  return s;
}

namespace {

struct ParseError {
  std::uint64_t offset;
  std::string message;
  std::string context;
};

// --- message formatting ------------------------------------------------------------------------
void append(std::string& s, std::string_view v) { s += v; }
void append(std::string& s, const char* v) { s += v; }
void append(std::string& s, const std::string& v) { s += v; }
void append(std::string& s, char c) { s += c; }
void append(std::string& s, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  s += buf;
}
template <class T>
requires std::is_integral_v<T>
void append(std::string& s, T v) { s += std::to_string(v); }
template <class... A>
std::string cat(const A&... a) {
  std::string s;
  (append(s, a), ...);
  return s;
}

std::string printable(const std::uint8_t* p, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      s += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      s += buf;
    }
  }
  return s;
}

constexpr int kMaxDepth = 32;
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 31;
constexpr std::uint32_t kSchemaVersion = 3;

// Field ids (schema.fbs order; a union occupies two ids: type tag, then value).
namespace fid {
// Model
constexpr unsigned kModelVersion = 0, kModelOperatorCodes = 1, kModelSubgraphs = 2,
                   kModelDescription = 3, kModelBuffers = 4;
// OperatorCode
constexpr unsigned kOcDeprecatedBuiltinCode = 0, kOcCustomCode = 1, kOcVersion = 2,
                   kOcBuiltinCode = 3;
// SubGraph
constexpr unsigned kSgTensors = 0, kSgInputs = 1, kSgOutputs = 2, kSgOperators = 3, kSgName = 4;
// Tensor
constexpr unsigned kTShape = 0, kTType = 1, kTBuffer = 2, kTName = 3, kTQuantization = 4,
                   kTIsVariable = 5, kTSparsity = 6, kTShapeSignature = 7, kTHasRank = 8;
// QuantizationParameters
constexpr unsigned kQMin = 0, kQMax = 1, kQScale = 2, kQZeroPoint = 3, kQDetailsType = 4,
                   kQQuantizedDimension = 6;
// Operator
constexpr unsigned kOpOpcodeIndex = 0, kOpInputs = 1, kOpOutputs = 2, kOpOptionsType = 3,
                   kOpOptions = 4, kOpCustomOptions = 5, kOpIntermediates = 8;
// Buffer
constexpr unsigned kBufData = 0, kBufOffset = 1, kBufSize = 2;
}  // namespace fid

struct Table {
  std::uint64_t pos = 0;      // table start (its soffset)
  std::uint64_t vt = 0;       // vtable start
  std::uint16_t vt_size = 0;  // vtable bytes
  std::uint16_t size = 0;     // inline table bytes
};

struct Vec {
  std::uint64_t start = 0;  // first element
  std::uint32_t count = 0;
};

class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, const ReadOptions& options)
      : p_(bytes.data()), n_(bytes.size()), opt_(options) {
    const std::uint64_t mult = std::max<std::uint64_t>(1, options.max_expansion);
    const std::uint64_t lim = std::numeric_limits<std::uint64_t>::max() / 2;
    budget_ = (n_ > lim / mult ? lim : n_ * mult) + (std::uint64_t{1} << 20);
  }

  Model parse();

 private:
  // --- errors and context ------------------------------------------------------------------
  [[noreturn]] void fail(std::uint64_t at, std::string msg) const {
    throw ParseError{at, std::move(msg), context()};
  }

  std::string context() const {
    std::string s;
    for (const std::string& seg : path_) {
      if (!s.empty() && seg.front() != '[') s += '.';
      s += seg;
    }
    return s;
  }

  class Scope {
   public:
    Scope(Reader& r, std::string segment, std::uint64_t at) : r_(r) {
      r_.path_.push_back(std::move(segment));
      if (static_cast<int>(r_.path_.size()) > kMaxDepth) {
        r_.fail(at, cat("nesting deeper than ", kMaxDepth, " levels"));
      }
    }
    ~Scope() { r_.path_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Reader& r_;
  };
  static std::string index_segment(std::uint64_t i) { return cat('[', i, ']'); }

  void charge(std::uint64_t bytes, std::uint64_t at) {
    used_ += bytes;
    if (used_ > budget_) {
      fail(at, cat("decoded model would exceed ", budget_,
                   " bytes (ReadOptions::max_expansion x file size); aliased or overlapping "
                   "objects?"));
    }
  }

  // --- raw access ----------------------------------------------------------------------------
  void need(std::uint64_t pos, std::uint64_t len, std::string_view what) const {
    if (pos > n_ || len > n_ - pos) {
      fail(pos, cat(what, " (", len, " bytes) runs past the end of the file (size ", n_, ")"));
    }
  }

  template <class T>
  T load(std::uint64_t pos, std::string_view what) const {
    static_assert(std::is_trivially_copyable_v<T>);
    need(pos, sizeof(T), what);
    using U = std::conditional_t<
        sizeof(T) == 1, std::uint8_t,
        std::conditional_t<sizeof(T) == 2, std::uint16_t,
                           std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
    U u = 0;
    for (std::size_t b = 0; b < sizeof(T); ++b) {
      u = static_cast<U>(u | (static_cast<U>(p_[pos + b]) << (8 * b)));
    }
    T v;
    std::memcpy(&v, &u, sizeof(T));
    return v;
  }

  // Follows the uoffset stored at `at`.
  std::uint64_t deref(std::uint64_t at, std::string_view what) const {
    if (at % 4 != 0) fail(at, cat("offset to ", what, " is not 4-byte aligned"));
    const auto u = load<std::uint32_t>(at, cat("offset to ", what));
    if (u == 0) fail(at, cat("offset to ", what, " is 0 (must point forward)"));
    if (u > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max())) {
      fail(at, cat("offset to ", what, " is ", u, ", beyond the 2 GiB flatbuffer limit"));
    }
    const std::uint64_t target = at + u;
    if (target >= n_) {
      fail(at, cat("offset ", u, " to ", what, " points to byte ", target,
                   ", past the end of the file (size ", n_, ")"));
    }
    return target;
  }

  Table table_at(std::uint64_t pos, std::string_view what) const {
    if (pos % 4 != 0) fail(pos, cat(what, " table is not 4-byte aligned"));
    const auto so = load<std::int32_t>(pos, cat(what, " table header"));
    const std::int64_t vt = static_cast<std::int64_t>(pos) - static_cast<std::int64_t>(so);
    if (vt < 0 || static_cast<std::uint64_t>(vt) > n_ || n_ - static_cast<std::uint64_t>(vt) < 4) {
      fail(pos, cat(what, " table: vtable offset ", so, " points to byte ", vt,
                    ", outside the file (size ", n_, ")"));
    }
    Table t;
    t.pos = pos;
    t.vt = static_cast<std::uint64_t>(vt);
    if (t.vt % 2 != 0) fail(t.vt, cat(what, " vtable is not 2-byte aligned"));
    t.vt_size = load<std::uint16_t>(t.vt, "vtable size");
    t.size = load<std::uint16_t>(t.vt + 2, "table size");
    if (t.vt_size < 4 || t.vt_size % 2 != 0) {
      fail(t.vt, cat(what, " vtable size ", t.vt_size, " is invalid (must be even and >= 4)"));
    }
    if (t.vt_size > n_ - t.vt) {
      fail(t.vt, cat(what, " vtable size ", t.vt_size, " exceeds file size ", n_));
    }
    if (t.size < 4) {
      fail(t.vt + 2, cat(what, " table size ", t.size, " is smaller than its 4-byte header"));
    }
    if (t.size > n_ - pos) {
      fail(pos, cat(what, " table size ", t.size, " exceeds file size ", n_));
    }
    return t;
  }

  // Absolute position of field `id` (`size` bytes, naturally aligned), 0 if absent.
  std::uint64_t field(const Table& t, unsigned id, unsigned size, std::string_view name) const {
    const std::uint64_t slot = 4 + 2 * std::uint64_t{id};
    if (slot + 2 > t.vt_size) return 0;
    const auto off = load<std::uint16_t>(t.vt + slot, "vtable entry");
    if (off == 0) return 0;
    if (off < 4) {
      fail(t.vt + slot,
           cat("field '", name, "' at table offset ", off, " overlaps the table's vtable offset"));
    }
    if (std::uint64_t{off} + size > t.size) {
      fail(t.vt + slot, cat("field '", name, "' (", size, " bytes at table offset ", off,
                            ") exceeds the table size ", t.size));
    }
    const std::uint64_t abs = t.pos + off;
    if (abs % size != 0) fail(abs, cat("field '", name, "' is not ", size, "-byte aligned"));
    return abs;
  }

  template <class T>
  T scalar(const Table& t, unsigned id, T def, std::string_view name) const {
    const std::uint64_t at = field(t, id, sizeof(T), name);
    return at != 0 ? load<T>(at, name) : def;
  }

  bool boolean(const Table& t, unsigned id, bool def, std::string_view name) const {
    return scalar<std::uint8_t>(t, id, def ? 1 : 0, name) != 0;
  }

  // A TensorType enum field (FLOAT32 when absent).
  TensorType tensor_type(const Table& t, unsigned id, std::string_view name) const {
    const auto v = scalar<std::int8_t>(t, id, 0, name);
    if (v < 0 || v > kMaxTensorType) fail(field(t, id, 1, name), cat("invalid ", name, " ", int{v}));
    return static_cast<TensorType>(v);
  }

  // Target of an offset field, 0 if absent.
  std::uint64_t ref(const Table& t, unsigned id, std::string_view name) const {
    const std::uint64_t at = field(t, id, 4, name);
    return at != 0 ? deref(at, name) : 0;
  }

  Vec vec_at(std::uint64_t v, unsigned elem, std::string_view name) {
    if (v % 4 != 0) fail(v, cat("vector '", name, "' is not 4-byte aligned"));
    const auto len = load<std::uint32_t>(v, cat("length of vector '", name, "'"));
    const std::uint64_t start = v + 4;
    const std::uint64_t bytes = std::uint64_t{len} * elem;
    if (bytes > n_ - start) {
      fail(v,
           cat("vector length ", len, " exceeds file size ", n_, " (vector '", name, "' of ", elem,
               "-byte elements at byte ", start, " has room for ", (n_ - start) / elem, ")"));
    }
    const unsigned align = std::min(elem, 8u);
    if (start % align != 0) {
      fail(start, cat("elements of vector '", name, "' are not ", align, "-byte aligned"));
    }
    charge(bytes, v);
    return Vec{start, len};
  }

  std::optional<Vec> vec(const Table& t, unsigned id, unsigned elem, std::string_view name) {
    const std::uint64_t v = ref(t, id, name);
    if (v == 0) return std::nullopt;
    return vec_at(v, elem, name);
  }

  std::string string_at(std::uint64_t s, std::string_view name) {
    const Vec v = vec_at(s, 1, name);
    const std::uint64_t end = v.start + v.count;
    if (end >= n_) {
      fail(s, cat("string '", name, "' of length ", v.count,
                  " has no terminating zero before the end of the file"));
    }
    if (p_[end] != 0) fail(end, cat("string '", name, "' is not zero-terminated"));
    return std::string(reinterpret_cast<const char*>(p_ + v.start), v.count);
  }

  std::string string_field(const Table& t, unsigned id, std::string_view name) {
    const std::uint64_t s = ref(t, id, name);
    return s != 0 ? string_at(s, name) : std::string();
  }

  template <class T>
  std::vector<T> scalar_vector(const Vec& v, std::string_view name) const {
    std::vector<T> out;
    out.reserve(v.count);
    for (std::uint64_t i = 0; i < v.count; ++i)
      out.push_back(load<T>(v.start + i * sizeof(T), name));
    return out;
  }

  template <class T>
  std::vector<T> scalar_vector_field(const Table& t, unsigned id, std::string_view name) {
    const std::optional<Vec> v = vec(t, id, sizeof(T), name);
    return v ? scalar_vector<T>(*v, name) : std::vector<T>();
  }

  // Calls fn(index, table_position) for each element of a vector of tables.
  template <class Fn>
  void for_each_table(const Vec& v, std::string_view name, Fn&& fn) {
    for (std::uint64_t i = 0; i < v.count; ++i) {
      Scope s(*this, index_segment(i), v.start + 4 * i);
      const std::uint64_t pos = deref(v.start + 4 * i, cat(name, '[', i, ']'));
      fn(i, pos);
    }
  }

  // --- enum validation -----------------------------------------------------------------------
  Padding padding(const Table& t, unsigned id) const {
    const auto v = scalar<std::int8_t>(t, id, 0, "padding");
    if (v != 0 && v != 1)
      fail(field(t, id, 1, "padding"),
           cat("invalid padding ", int{v}, " (expected 0 SAME or 1 VALID)"));
    return static_cast<Padding>(v);
  }
  Activation activation(const Table& t, unsigned id) const {
    const auto v = scalar<std::int8_t>(t, id, 0, "fused_activation_function");
    if (v < 0 || v > 5) {
      fail(field(t, id, 1, "fused_activation_function"),
           cat("invalid fused_activation_function ", int{v}, " (expected 0..5)"));
    }
    return static_cast<Activation>(v);
  }
  std::int32_t positive(const Table& t, unsigned id, std::int32_t def,
                        std::string_view name) const {
    const auto v = scalar<std::int32_t>(t, id, def, name);
    if (v < 1) {
      const std::uint64_t at = field(t, id, 4, name);
      fail(at != 0 ? at : t.pos, cat(name, " must be >= 1, got ", v));
    }
    return v;
  }
  float finite(const Table& t, unsigned id, float def, std::string_view name) const {
    const auto v = scalar<float>(t, id, def, name);
    if (!std::isfinite(v)) fail(field(t, id, 4, name), cat(name, " is not a finite number"));
    return v;
  }

  // --- model parts ---------------------------------------------------------------------------
  OperatorCode parse_operator_code(std::uint64_t pos);
  Buffer parse_buffer(std::uint64_t pos);
  SubGraph parse_subgraph(std::uint64_t pos);
  Tensor parse_tensor(std::uint64_t pos, std::uint64_t index);
  Quantization parse_quantization(std::uint64_t pos, const Tensor& t);
  Operator parse_operator(std::uint64_t pos, std::uint64_t index, std::size_t num_tensors);
  Options parse_options(const Table& op, std::int32_t code);
  void check_indices(const Vec& v, std::string_view name, std::size_t num_tensors,
                     bool allow_omitted);

  const std::uint8_t* p_;
  std::uint64_t n_;
  ReadOptions opt_;
  std::uint64_t budget_ = 0;
  std::uint64_t used_ = 0;
  std::vector<std::string> path_;
  Model* model_ = nullptr;
};

Model Reader::parse() {
  Model m;
  model_ = &m;
  if (n_ < 8) fail(0, cat("file is ", n_, " bytes, too small for a flatbuffer header (8 bytes)"));
  if (std::memcmp(p_ + 4, "TFL3", 4) != 0) {
    fail(4, cat("file_identifier is \"", printable(p_ + 4, 4),
                "\", expected \"TFL3\" (not a TFLite model?)"));
  }
  const Table root = table_at(deref(0, "root table"), "Model");
  charge(sizeof(Model), root.pos);

  const std::uint64_t version_at = field(root, fid::kModelVersion, 4, "version");
  m.version = scalar<std::uint32_t>(root, fid::kModelVersion, 0, "version");
  if (m.version != kSchemaVersion) {
    fail(version_at != 0 ? version_at : root.pos,
         cat("schema version ", m.version, " is not supported (expected ", kSchemaVersion, ")"));
  }

  if (const auto v = vec(root, fid::kModelOperatorCodes, 4, "operator_codes")) {
    Scope s(*this, "operator_codes", v->start);
    charge(std::uint64_t{v->count} * sizeof(OperatorCode), v->start);
    m.operator_codes.reserve(v->count);
    for_each_table(*v, "operator_codes", [&](std::uint64_t, std::uint64_t pos) {
      m.operator_codes.push_back(parse_operator_code(pos));
    });
  }

  if (const auto v = vec(root, fid::kModelBuffers, 4, "buffers")) {
    Scope s(*this, "buffers", v->start);
    charge(std::uint64_t{v->count} * sizeof(Buffer), v->start);
    m.buffers.reserve(v->count);
    for_each_table(*v, "buffers", [&](std::uint64_t, std::uint64_t pos) {
      m.buffers.push_back(parse_buffer(pos));
    });
  }

  {
    Scope s(*this, "description", root.pos);
    m.description = string_field(root, fid::kModelDescription, "description");
  }

  const auto sg = vec(root, fid::kModelSubgraphs, 4, "subgraphs");
  if (!sg || sg->count == 0) fail(root.pos, "model has no subgraphs");
  {
    Scope s(*this, "subgraphs", sg->start);
    charge(std::uint64_t{sg->count} * sizeof(SubGraph), sg->start);
    m.subgraphs.reserve(sg->count);
    for_each_table(*sg, "subgraphs", [&](std::uint64_t, std::uint64_t pos) {
      m.subgraphs.push_back(parse_subgraph(pos));
    });
  }
  model_ = nullptr;
  return m;
}

OperatorCode Reader::parse_operator_code(std::uint64_t pos) {
  const Table t = table_at(pos, "OperatorCode");
  OperatorCode oc;
  const auto deprecated =
      scalar<std::int8_t>(t, fid::kOcDeprecatedBuiltinCode, 0, "deprecated_builtin_code");
  const auto extended = scalar<std::int32_t>(t, fid::kOcBuiltinCode, 0, "builtin_code");
  oc.builtin_code = std::max(extended, static_cast<std::int32_t>(deprecated));
  oc.version = scalar<std::int32_t>(t, fid::kOcVersion, 1, "version");
  oc.custom_code = string_field(t, fid::kOcCustomCode, "custom_code");
  return oc;
}

Buffer Reader::parse_buffer(std::uint64_t pos) {
  const Table t = table_at(pos, "Buffer");
  Buffer b;
  const auto offset = scalar<std::uint64_t>(t, fid::kBufOffset, 0, "offset");
  const auto size = scalar<std::uint64_t>(t, fid::kBufSize, 0, "size");
  if (const auto v = vec(t, fid::kBufData, 1, "data"); v && v->count > 0) {
    if (offset > 1) {
      fail(t.pos, cat("buffer has both inline data (", v->count, " bytes) and offset ", offset));
    }
    b.data.assign(p_ + v->start, p_ + v->start + v->count);
    b.file_offset = v->start;
  } else if (offset > 1) {
    // >2 GB format: data stored outside the flatbuffer, offset relative to the file start.
    if (offset > n_ || size > n_ - offset) {
      fail(field(t, fid::kBufOffset, 8, "offset"),
           cat("external buffer at offset ", offset, " with size ", size, " exceeds file size ",
               n_));
    }
    charge(size, t.pos);
    b.data.assign(p_ + offset, p_ + offset + size);
    b.file_offset = offset;
    b.external = true;
  }
  return b;
}

SubGraph Reader::parse_subgraph(std::uint64_t pos) {
  const Table t = table_at(pos, "SubGraph");
  SubGraph g;
  if (const auto v = vec(t, fid::kSgTensors, 4, "tensors")) {
    Scope s(*this, "tensors", v->start);
    charge(std::uint64_t{v->count} * sizeof(Tensor), v->start);
    g.tensors.reserve(v->count);
    for_each_table(*v, "tensors", [&](std::uint64_t i, std::uint64_t tpos) {
      g.tensors.push_back(parse_tensor(tpos, i));
    });
  }
  const std::size_t nt = g.tensors.size();
  if (const auto v = vec(t, fid::kSgInputs, 4, "inputs")) {
    Scope s(*this, "inputs", v->start);
    check_indices(*v, "input", nt, false);
    g.inputs = scalar_vector<std::int32_t>(*v, "inputs");
  }
  if (const auto v = vec(t, fid::kSgOutputs, 4, "outputs")) {
    Scope s(*this, "outputs", v->start);
    check_indices(*v, "output", nt, false);
    g.outputs = scalar_vector<std::int32_t>(*v, "outputs");
  }
  if (const auto v = vec(t, fid::kSgOperators, 4, "operators")) {
    Scope s(*this, "operators", v->start);
    charge(std::uint64_t{v->count} * sizeof(Operator), v->start);
    g.operators.reserve(v->count);
    for_each_table(*v, "operators", [&](std::uint64_t i, std::uint64_t opos) {
      g.operators.push_back(parse_operator(opos, i, nt));
    });
  }
  {
    Scope s(*this, "name", t.pos);
    g.name = string_field(t, fid::kSgName, "name");
  }
  return g;
}

void Reader::check_indices(const Vec& v, std::string_view name, std::size_t num_tensors,
                           bool allow_omitted) {
  for (std::uint64_t i = 0; i < v.count; ++i) {
    const std::uint64_t at = v.start + 4 * i;
    const auto idx = load<std::int32_t>(at, name);
    const bool omitted = allow_omitted && idx == -1;
    if (!omitted && (idx < 0 || static_cast<std::uint64_t>(idx) >= num_tensors)) {
      fail(at, cat(name, " tensor index ", idx, " out of range (subgraph has ", num_tensors,
                   " tensors", allow_omitted ? "; -1 marks an omitted input" : "", ")"));
    }
  }
}

Tensor Reader::parse_tensor(std::uint64_t pos, std::uint64_t index) {
  const Table t = table_at(pos, "Tensor");
  Tensor x;
  {
    Scope s(*this, "name", t.pos);
    x.name = string_field(t, fid::kTName, "name");
  }
  const auto type = scalar<std::int8_t>(t, fid::kTType, 0, "type");
  if (type < 0 || type > kMaxTensorType) {
    fail(field(t, fid::kTType, 1, "type"),
         cat("tensor ", index, " '", x.name, "': unknown tensor type ", int{type}));
  }
  x.type = static_cast<TensorType>(type);

  std::uint64_t elements = 1;
  if (const auto v = vec(t, fid::kTShape, 4, "shape")) {
    Scope s(*this, "shape", v->start);
    x.shape = scalar_vector<std::int32_t>(*v, "shape");
    for (std::size_t i = 0; i < x.shape.size(); ++i) {
      const std::int32_t d = x.shape[i];
      if (d < 0)
        fail(v->start + 4 * i, cat("tensor ", index, " '", x.name, "': negative dimension ", d));
      elements *= static_cast<std::uint64_t>(d);
      if (elements > kMaxElements) {
        fail(v->start + 4 * i,
             cat("tensor ", index, " '", x.name, "' has more than 2^31 elements"));
      }
    }
  }
  if (const auto v = vec(t, fid::kTShapeSignature, 4, "shape_signature")) {
    x.shape_signature = scalar_vector<std::int32_t>(*v, "shape_signature");
  }
  x.is_variable = boolean(t, fid::kTIsVariable, false, "is_variable");
  x.has_rank = boolean(t, fid::kTHasRank, false, "has_rank");
  if (const std::uint64_t sp = ref(t, fid::kTSparsity, "sparsity")) {
    table_at(sp, "SparsityParameters");
    x.is_sparse = true;
  }

  const std::uint64_t buffer_at = field(t, fid::kTBuffer, 4, "buffer");
  x.buffer = scalar<std::uint32_t>(t, fid::kTBuffer, 0, "buffer");
  if (x.buffer >= model_->buffers.size()) {
    fail(buffer_at != 0 ? buffer_at : t.pos,
         cat("tensor ", index, " '", x.name, "': buffer index ", x.buffer,
             " out of range (model has ", model_->buffers.size(), " buffers)"));
  }
  const Buffer& b = model_->buffers[x.buffer];
  const std::size_t esize = element_size(x.type);
  if (!b.data.empty() && esize != 0 && !x.is_sparse && b.data.size() != elements * esize) {
    fail(buffer_at != 0 ? buffer_at : t.pos,
         cat("tensor ", index, " '", x.name, "' (", tensor_type_name(x.type), ", ", elements,
             " elements) needs ", elements * esize, " bytes but buffer ", x.buffer, " holds ",
             b.data.size()));
  }

  if (const std::uint64_t q = ref(t, fid::kTQuantization, "quantization")) {
    Scope s(*this, "quantization", q);
    x.quantization = parse_quantization(q, x);
  }
  return x;
}

Quantization Reader::parse_quantization(std::uint64_t pos, const Tensor& x) {
  const Table t = table_at(pos, "QuantizationParameters");
  Quantization q;
  q.min = scalar_vector_field<float>(t, fid::kQMin, "min");
  q.max = scalar_vector_field<float>(t, fid::kQMax, "max");
  const auto scale = vec(t, fid::kQScale, 4, "scale");
  if (scale) q.scale = scalar_vector<float>(*scale, "scale");
  q.zero_point = scalar_vector_field<std::int64_t>(t, fid::kQZeroPoint, "zero_point");
  q.has_custom_details = scalar<std::uint8_t>(t, fid::kQDetailsType, 0, "details_type") != 0;
  const std::uint64_t qd_at = field(t, fid::kQQuantizedDimension, 4, "quantized_dimension");
  q.quantized_dimension =
      scalar<std::int32_t>(t, fid::kQQuantizedDimension, 0, "quantized_dimension");

  if (q.scale.size() != q.zero_point.size()) {
    fail(t.pos, cat("tensor '", x.name, "': ", q.scale.size(), " scale values but ",
                    q.zero_point.size(), " zero_point values"));
  }
  for (std::size_t i = 0; i < q.scale.size(); ++i) {
    if (!std::isfinite(q.scale[i]) || q.scale[i] < 0.0f) {
      fail(scale->start + 4 * i, cat("tensor '", x.name, "': scale[", i, "] = ", double{q.scale[i]},
                                     " must be finite and >= 0"));
    }
  }
  if (q.scale.size() > 1) {
    // A rank-1 tensor has only axis 0. Converters write the weights' axis on per-channel biases
    // (person_detect.tflite: quantized_dimension 3 on a [8] bias), and TFLite Micro never reads
    // it there, so that case is read as axis 0.
    if (x.shape.size() == 1 && q.quantized_dimension != 0 &&
        static_cast<std::size_t>(x.shape[0]) == q.scale.size())
      q.quantized_dimension = 0;
    const std::int32_t qd = q.quantized_dimension;
    if (qd < 0 || static_cast<std::size_t>(qd) >= x.shape.size()) {
      fail(qd_at != 0 ? qd_at : t.pos, cat("tensor '", x.name, "': quantized_dimension ", qd,
                                           " out of range for rank ", x.shape.size()));
    }
    if (static_cast<std::size_t>(x.shape[static_cast<std::size_t>(qd)]) != q.scale.size()) {
      fail(t.pos,
           cat("tensor '", x.name, "': ", q.scale.size(), " per-channel scales but dimension ", qd,
               " has size ", x.shape[static_cast<std::size_t>(qd)]));
    }
  }
  return q;
}

Operator Reader::parse_operator(std::uint64_t pos, std::uint64_t index, std::size_t num_tensors) {
  const Table t = table_at(pos, "Operator");
  Operator o;
  const std::uint64_t oi_at = field(t, fid::kOpOpcodeIndex, 4, "opcode_index");
  o.opcode_index = scalar<std::uint32_t>(t, fid::kOpOpcodeIndex, 0, "opcode_index");
  if (o.opcode_index >= model_->operator_codes.size()) {
    fail(oi_at != 0 ? oi_at : t.pos,
         cat("operator ", index, ": opcode_index ", o.opcode_index, " out of range (model has ",
             model_->operator_codes.size(), " operator codes)"));
  }
  const OperatorCode& oc = model_->operator_codes[o.opcode_index];
  o.builtin_code = oc.builtin_code;

  if (const auto v = vec(t, fid::kOpInputs, 4, "inputs")) {
    Scope s(*this, "inputs", v->start);
    check_indices(*v, "input", num_tensors, true);
    o.inputs = scalar_vector<std::int32_t>(*v, "inputs");
  }
  if (const auto v = vec(t, fid::kOpOutputs, 4, "outputs")) {
    Scope s(*this, "outputs", v->start);
    check_indices(*v, "output", num_tensors, false);
    o.outputs = scalar_vector<std::int32_t>(*v, "outputs");
  }
  if (const auto v = vec(t, fid::kOpIntermediates, 4, "intermediates")) {
    Scope s(*this, "intermediates", v->start);
    check_indices(*v, "intermediate", num_tensors, true);
    o.intermediates = scalar_vector<std::int32_t>(*v, "intermediates");
  }
  o.has_custom_options = vec(t, fid::kOpCustomOptions, 1, "custom_options").has_value();

  const auto type = scalar<std::uint8_t>(t, fid::kOpOptionsType, 0, "builtin_options_type");
  const int expected = expected_options_type(o.builtin_code);
  if (o.builtin_code == op::kCustom && is_ctml_custom_op(oc.custom_code)) {  // ctml's own ops: no options
    if (type != 0 || o.has_custom_options)
      fail(t.pos, cat("operator ", index, " (ctml's custom op '", oc.custom_code, "') carries options; it takes none"));
    return o;
  }
  if (expected < 0) {
    if (!opt_.allow_unsupported_ops) {
      if (o.builtin_code == op::kCustom) {
        fail(t.pos, cat("operator ", index, " uses unsupported custom op '", oc.custom_code, "'"));
      }
      fail(t.pos,
           cat("operator ", index, " uses unsupported op ", builtin_op_display_name(o.builtin_code),
               " (builtin code ", o.builtin_code, ")"));
    }
    if (type != 0) {
      // Verify the table's structure even though its fields are not decoded.
      if (const std::uint64_t opt = ref(t, fid::kOpOptions, "builtin_options")) {
        table_at(opt, "builtin_options");
      }
      o.options = UnsupportedOptions{type};
    }
    return o;
  }
  if (type != 0 && type != expected) {
    fail(field(t, fid::kOpOptionsType, 1, "builtin_options_type"),
         cat("operator ", index, " (", builtin_op_name(o.builtin_code), "): builtin_options_type ",
             int{type}, ", expected ", expected));
  }
  Scope s(*this, "builtin_options", t.pos);
  o.options = parse_options(t, o.builtin_code);
  return o;
}

Options Reader::parse_options(const Table& op, std::int32_t code) {
  const int expected = expected_options_type(code);
  if (expected == 0) return std::monostate{};
  // An absent options table decodes as the schema defaults (which then may fail the checks,
  // e.g. a CONV_2D without options has stride 0): a table with an empty vtable misses every
  // field lookup. Errors about it point at the operator table.
  Table t{op.pos, 0, 0, 4};
  const auto type = scalar<std::uint8_t>(op, fid::kOpOptionsType, 0, "builtin_options_type");
  if (const std::uint64_t pos = type != 0 ? ref(op, fid::kOpOptions, "builtin_options") : 0) {
    t = table_at(pos, "builtin_options");
    charge(sizeof(Options), pos);
  }

  switch (expected) {
    case 1: {
      Conv2DOptions c;
      c.padding = padding(t, 0);
      c.stride_w = positive(t, 1, 0, "stride_w");
      c.stride_h = positive(t, 2, 0, "stride_h");
      c.activation = activation(t, 3);
      c.dilation_w = positive(t, 4, 1, "dilation_w_factor");
      c.dilation_h = positive(t, 5, 1, "dilation_h_factor");
      c.quantized_bias_type = tensor_type(t, 6, "quantized_bias_type");
      return c;
    }
    case 2: {
      DepthwiseConv2DOptions c;
      c.padding = padding(t, 0);
      c.stride_w = positive(t, 1, 0, "stride_w");
      c.stride_h = positive(t, 2, 0, "stride_h");
      c.depth_multiplier = scalar<std::int32_t>(t, 3, 0, "depth_multiplier");
      c.activation = activation(t, 4);
      c.dilation_w = positive(t, 5, 1, "dilation_w_factor");
      c.dilation_h = positive(t, 6, 1, "dilation_h_factor");
      return c;
    }
    case 5: {
      Pool2DOptions p;
      p.padding = padding(t, 0);
      p.stride_w = positive(t, 1, 0, "stride_w");
      p.stride_h = positive(t, 2, 0, "stride_h");
      p.filter_width = positive(t, 3, 0, "filter_width");
      p.filter_height = positive(t, 4, 0, "filter_height");
      p.activation = activation(t, 5);
      return p;
    }
    case 8: {
      FullyConnectedOptions f;
      f.activation = activation(t, 0);
      const auto wf = scalar<std::int8_t>(t, 1, 0, "weights_format");
      if (wf != 0 && wf != 1) {
        fail(field(t, 1, 1, "weights_format"), cat("invalid weights_format ", int{wf}));
      }
      f.weights_format = static_cast<FullyConnectedWeightsFormat>(wf);
      f.keep_num_dims = boolean(t, 2, false, "keep_num_dims");
      f.asymmetric_quantize_inputs = boolean(t, 3, false, "asymmetric_quantize_inputs");
      f.quantized_bias_type = tensor_type(t, 4, "quantized_bias_type");
      return f;
    }
    case 9:
      return SoftmaxOptions{finite(t, 0, 0.0f, "beta")};
    case 10: {
      ConcatenationOptions c;
      c.axis = scalar<std::int32_t>(t, 0, 0, "axis");
      c.activation = activation(t, 1);
      return c;
    }
    case 11:
      return AddOptions{activation(t, 0), boolean(t, 1, true, "pot_scale_int16")};
    case 17: {
      ReshapeOptions r;
      if (const auto v = vec(t, 0, 4, "new_shape")) {
        r.new_shape = scalar_vector<std::int32_t>(*v, "new_shape");
      }
      return r;
    }
    case 21:
      return MulOptions{activation(t, 0)};
    case 22:
      return PadOptions{};
    case 27:
      return ReducerOptions{boolean(t, 0, false, "keep_dims")};
    case 28:
      return SubOptions{activation(t, 0), boolean(t, 1, true, "pot_scale_int16")};
    case 30:
      return SqueezeOptions{scalar_vector_field<std::int32_t>(t, 0, "squeeze_dims")};
    case 38:
      return DequantizeOptions{};
    case 75:
      return LeakyReluOptions{finite(t, 0, 0.0f, "alpha")};
    case 89:
      return QuantizeOptions{};
    case 91:
      return HardSwishOptions{};
    case 31:
      return TransposeOptions{};
    case 37:
      return PadV2Options{};
    case 52:
      return ExpandDimsOptions{};
    case 39:
      return MaximumMinimumOptions{};
    case 49: {
      TransposeConvOptions o;
      o.padding = padding(t, 0);
      o.stride_w = positive(t, 1, 0, "stride_w");
      o.stride_h = positive(t, 2, 0, "stride_h");
      o.activation = activation(t, 3);
      return o;
    }
    case 6: {
      SVDFOptions o;
      o.rank = positive(t, 0, 0, "rank");
      o.activation = activation(t, 1);
      o.asymmetric_quantize_inputs = boolean(t, 2, false, "asymmetric_quantize_inputs");
      return o;
    }
    case 71: {
      UnidirectionalSequenceLSTMOptions o;
      o.activation = activation(t, 0);
      o.cell_clip = finite(t, 1, 0.0f, "cell_clip");
      o.proj_clip = finite(t, 2, 0.0f, "proj_clip");
      o.time_major = boolean(t, 3, false, "time_major");
      o.asymmetric_quantize_inputs = boolean(t, 4, false, "asymmetric_quantize_inputs");
      o.diagonal_recurrent_tensors = boolean(t, 5, false, "diagonal_recurrent_tensors");
      return o;
    }
    case 32: {
      StridedSliceOptions o;
      o.begin_mask = scalar<std::int32_t>(t, 0, 0, "begin_mask");
      o.end_mask = scalar<std::int32_t>(t, 1, 0, "end_mask");
      o.ellipsis_mask = scalar<std::int32_t>(t, 2, 0, "ellipsis_mask");
      o.new_axis_mask = scalar<std::int32_t>(t, 3, 0, "new_axis_mask");
      o.shrink_axis_mask = scalar<std::int32_t>(t, 4, 0, "shrink_axis_mask");
      o.offset = boolean(t, 5, false, "offset");
      return o;
    }
    default:
      break;
  }
  fail(op.pos, cat("internal: no decoder for options type ", expected));
}

}  // namespace

Result<Model> read_model(std::span<const std::uint8_t> bytes, const ReadOptions& options) noexcept {
  try {
    try {
      Reader r(bytes, options);
      return r.parse();
    } catch (const ParseError& e) {
      return Error{static_cast<std::size_t>(e.offset), e.message, e.context};
    } catch (const std::bad_alloc&) {
      return Error{0, "out of memory while decoding the model", {}};
    } catch (const std::length_error&) {
      return Error{0, "internal: container length error while decoding the model", {}};
    }
  } catch (...) {
    // Only reachable if building the Error itself fails (out of memory).
    return Error{};
  }
}

bool read_file_bytes(const std::string& path, std::vector<std::uint8_t>& out, std::string& error) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    error = "cannot open '" + path + "'";
    return false;
  }
  const std::streamoff size = f.tellg();
  if (size < 0) {
    error = "cannot determine the size of '" + path + "'";
    return false;
  }
  out.resize(static_cast<std::size_t>(size));
  f.seekg(0);
  if (size > 0 && !f.read(reinterpret_cast<char*>(out.data()), size)) {
    error = "cannot read '" + path + "'";
    return false;
  }
  return true;
}

Result<Model> read_model_file(const std::string& path, const ReadOptions& options) noexcept {
  try {
    std::vector<std::uint8_t> bytes;
    std::string error;
    if (!read_file_bytes(path, bytes, error)) return Error{0, error, {}};
    return read_model(bytes, options);
  } catch (...) {
    return Error{0, "out of memory reading '" + path + "'", {}};
  }
}

}  // namespace ctml::tflite
