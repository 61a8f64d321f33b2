// SPDX-License-Identifier: Apache-2.0
#include "ctml-import/tflite_writer.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace ctml::tflite {

namespace fb {

void Builder::reserve_front(std::size_t n) {
  if (head_ >= n) return;
  // Grow, keeping the used bytes at the end of the storage.
  const std::size_t used = size();
  const std::size_t capacity = std::max({buf_.size() * 2, used + n, std::size_t{1024}});
  std::vector<std::uint8_t> grown(capacity);
  if (used != 0) std::memcpy(grown.data() + capacity - used, buf_.data() + head_, used);
  buf_ = std::move(grown);
  head_ = capacity - used;
}

void Builder::push_bytes(const std::uint8_t* p, std::size_t n) {
  reserve_front(n);
  head_ -= n;
  if (n != 0) std::memcpy(buf_.data() + head_, p, n);
}

void Builder::push_zeros(std::size_t n) {
  reserve_front(n);
  head_ -= n;
  if (n != 0) std::memset(buf_.data() + head_, 0, n);
}

std::uint8_t& Builder::byte_at(Ref ref, std::size_t k) { return buf_[buf_.size() - ref + k]; }

void Builder::prealign(std::size_t len, std::size_t alignment) {
  if (alignment <= 1) return;
  minalign_ = std::max(minalign_, alignment);
  push_zeros((alignment - (size() + len) % alignment) % alignment);
}

Builder::Ref Builder::create_string(std::string_view s) {
  prealign(s.size() + 1, 4);
  push_zeros(1);
  push_bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  push_le(static_cast<std::uint32_t>(s.size()));
  return static_cast<Ref>(size());
}

Builder::Ref Builder::create_bytes(std::span<const std::uint8_t> bytes, std::size_t alignment) {
  prealign(bytes.size(), 4);
  prealign(bytes.size(), alignment);
  push_bytes(bytes.data(), bytes.size());
  push_le(static_cast<std::uint32_t>(bytes.size()));
  return static_cast<Ref>(size());
}

Builder::Ref Builder::create_offset_vector(std::span<const Ref> refs) {
  prealign(refs.size() * 4, 4);
  for (std::size_t i = refs.size(); i-- > 0;) {
    // The element's own position is size() + 4 from the end once written.
    push_le(static_cast<std::uint32_t>(size() + 4 - refs[i]));
  }
  push_le(static_cast<std::uint32_t>(refs.size()));
  return static_cast<Ref>(size());
}

void Builder::start_table() {
  if (in_table_) throw std::logic_error("fb::Builder: nested start_table()");
  in_table_ = true;
  fields_.clear();
  table_end_ = size();
}

void Builder::add_offset(unsigned id, Ref target) {
  if (target == 0) return;
  prealign(4, 4);
  push_le(static_cast<std::uint32_t>(size() + 4 - target));
  fields_.emplace_back(id, static_cast<Ref>(size()));
}

Builder::Ref Builder::end_table() {
  if (!in_table_) throw std::logic_error("fb::Builder: end_table() without start_table()");
  in_table_ = false;
  prealign(4, 4);
  push_le(std::int32_t{0});  // soffset to the vtable, patched below
  const Ref table = static_cast<Ref>(size());

  unsigned num_ids = 0;
  for (const auto& [id, ref] : fields_) num_ids = std::max(num_ids, id + 1);
  std::vector<std::uint16_t> vt(2 + num_ids, 0);
  vt[0] = static_cast<std::uint16_t>(2 * vt.size());
  vt[1] = static_cast<std::uint16_t>(table - table_end_);
  for (const auto& [id, ref] : fields_) vt[2 + id] = static_cast<std::uint16_t>(table - ref);
  std::vector<std::uint8_t> vt_bytes(2 * vt.size());
  for (std::size_t i = 0; i < vt.size(); ++i) {
    vt_bytes[2 * i] = static_cast<std::uint8_t>(vt[i] & 0xff);
    vt_bytes[2 * i + 1] = static_cast<std::uint8_t>(vt[i] >> 8);
  }

  Ref vtable = 0;
  if (cfg_.dedup_vtables) {
    for (const Ref r : vtables_) {
      bool same = r >= vt_bytes.size();
      for (std::size_t k = 0; same && k < vt_bytes.size(); ++k) same = byte_at(r, k) == vt_bytes[k];
      if (same) {
        vtable = r;
        break;
      }
    }
  }
  if (vtable == 0) {
    push_bytes(vt_bytes.data(), vt_bytes.size());
    vtable = static_cast<Ref>(size());
    vtables_.push_back(vtable);
  }
  // soffset = table position - vtable position = vtable ref - table ref.
  const auto so = static_cast<std::int32_t>(static_cast<std::int64_t>(vtable) - table);
  std::uint8_t b[4];
  std::memcpy(b, &so, 4);
  for (std::size_t k = 0; k < 4; ++k) byte_at(table, k) = b[k];
  fields_.clear();
  return table;
}

std::vector<std::uint8_t> Builder::finish(Ref root, std::string_view file_identifier) {
  if (in_table_) throw std::logic_error("fb::Builder: finish() inside a table");
  if (file_identifier.size() != 4) throw std::invalid_argument("file identifier must be 4 bytes");
  prealign(8, minalign_);
  push_bytes(reinterpret_cast<const std::uint8_t*>(file_identifier.data()), 4);
  push_le(static_cast<std::uint32_t>(size() + 4 - root));
  std::vector<std::uint8_t> out(buf_.begin() + static_cast<std::ptrdiff_t>(head_), buf_.end());
  buf_.clear();
  head_ = 0;
  vtables_.clear();
  minalign_ = 4;
  return out;
}

}  // namespace fb

namespace {

using fb::Builder;
using Ref = Builder::Ref;

std::int8_t raw(Padding p) { return static_cast<std::int8_t>(p); }
std::int8_t raw(Activation a) { return static_cast<std::int8_t>(a); }
std::uint8_t raw(bool b) { return b ? 1 : 0; }

struct OptionsWriter {
  Builder& b;

  Ref operator()(const std::monostate&) const { return 0; }
  Ref operator()(const Conv2DOptions& o) const {
    b.start_table();
    b.add<std::int32_t>(1, o.stride_w, 0);
    b.add<std::int32_t>(2, o.stride_h, 0);
    b.add<std::int32_t>(4, o.dilation_w, 1);
    b.add<std::int32_t>(5, o.dilation_h, 1);
    b.add<std::int8_t>(0, raw(o.padding), 0);
    b.add<std::int8_t>(3, raw(o.activation), 0);
    b.add<std::int8_t>(6, static_cast<std::int8_t>(o.quantized_bias_type), 0);
    return b.end_table();
  }
  Ref operator()(const DepthwiseConv2DOptions& o) const {
    b.start_table();
    b.add<std::int32_t>(1, o.stride_w, 0);
    b.add<std::int32_t>(2, o.stride_h, 0);
    b.add<std::int32_t>(3, o.depth_multiplier, 0);
    b.add<std::int32_t>(5, o.dilation_w, 1);
    b.add<std::int32_t>(6, o.dilation_h, 1);
    b.add<std::int8_t>(0, raw(o.padding), 0);
    b.add<std::int8_t>(4, raw(o.activation), 0);
    return b.end_table();
  }
  Ref operator()(const Pool2DOptions& o) const {
    b.start_table();
    b.add<std::int32_t>(1, o.stride_w, 0);
    b.add<std::int32_t>(2, o.stride_h, 0);
    b.add<std::int32_t>(3, o.filter_width, 0);
    b.add<std::int32_t>(4, o.filter_height, 0);
    b.add<std::int8_t>(0, raw(o.padding), 0);
    b.add<std::int8_t>(5, raw(o.activation), 0);
    return b.end_table();
  }
  Ref operator()(const FullyConnectedOptions& o) const {
    b.start_table();
    b.add<std::int8_t>(0, raw(o.activation), 0);
    b.add<std::int8_t>(1, static_cast<std::int8_t>(o.weights_format), 0);
    b.add<std::uint8_t>(2, raw(o.keep_num_dims), 0);
    b.add<std::uint8_t>(3, raw(o.asymmetric_quantize_inputs), 0);
    b.add<std::int8_t>(4, static_cast<std::int8_t>(o.quantized_bias_type), 0);
    return b.end_table();
  }
  Ref operator()(const SoftmaxOptions& o) const {
    b.start_table();
    b.add<float>(0, o.beta, 0.0f);
    return b.end_table();
  }
  Ref operator()(const ConcatenationOptions& o) const {
    b.start_table();
    b.add<std::int32_t>(0, o.axis, 0);
    b.add<std::int8_t>(1, raw(o.activation), 0);
    return b.end_table();
  }
  Ref operator()(const AddOptions& o) const {
    b.start_table();
    b.add<std::int8_t>(0, raw(o.activation), 0);
    b.add<std::uint8_t>(1, raw(o.pot_scale_int16), 1);
    return b.end_table();
  }
  Ref operator()(const ReshapeOptions& o) const {
    const Ref shape = o.new_shape ? b.create_vector(*o.new_shape) : 0;
    b.start_table();
    b.add_offset(0, shape);
    return b.end_table();
  }
  Ref operator()(const MulOptions& o) const {
    b.start_table();
    b.add<std::int8_t>(0, raw(o.activation), 0);
    return b.end_table();
  }
  Ref operator()(const ReducerOptions& o) const {
    b.start_table();
    b.add<std::uint8_t>(0, raw(o.keep_dims), 0);
    return b.end_table();
  }
  Ref operator()(const SubOptions& o) const {
    b.start_table();
    b.add<std::int8_t>(0, raw(o.activation), 0);
    b.add<std::uint8_t>(1, raw(o.pot_scale_int16), 1);
    return b.end_table();
  }
  Ref operator()(const SqueezeOptions& o) const {
    const Ref dims = b.create_vector(o.squeeze_dims);
    b.start_table();
    b.add_offset(0, dims);
    return b.end_table();
  }
  Ref operator()(const LeakyReluOptions& o) const {
    b.start_table();
    b.add<float>(0, o.alpha, 0.0f);
    return b.end_table();
  }
  Ref operator()(const TransposeConvOptions& o) const {
    b.start_table();
    b.add<std::int8_t>(0, raw(o.padding), 0);
    b.add<std::int32_t>(1, o.stride_w, 0);
    b.add<std::int32_t>(2, o.stride_h, 0);
    b.add<std::int8_t>(3, raw(o.activation), 0);
    return b.end_table();
  }
  Ref operator()(const SVDFOptions& o) const {
    b.start_table();
    b.add<std::int32_t>(0, o.rank, 0);
    b.add<std::int8_t>(1, raw(o.activation), 0);
    b.add<std::uint8_t>(2, raw(o.asymmetric_quantize_inputs), 0);
    return b.end_table();
  }
  Ref operator()(const UnidirectionalSequenceLSTMOptions& o) const {
    b.start_table();
    b.add<float>(1, o.cell_clip, 0.0f);
    b.add<float>(2, o.proj_clip, 0.0f);
    b.add<std::int8_t>(0, raw(o.activation), 0);
    b.add<std::uint8_t>(3, raw(o.time_major), 0);
    b.add<std::uint8_t>(4, raw(o.asymmetric_quantize_inputs), 0);
    b.add<std::uint8_t>(5, raw(o.diagonal_recurrent_tensors), 0);
    return b.end_table();
  }
  Ref operator()(const StridedSliceOptions& o) const {
    b.start_table();
    b.add<std::int32_t>(0, o.begin_mask, 0);
    b.add<std::int32_t>(1, o.end_mask, 0);
    b.add<std::int32_t>(2, o.ellipsis_mask, 0);
    b.add<std::int32_t>(3, o.new_axis_mask, 0);
    b.add<std::int32_t>(4, o.shrink_axis_mask, 0);
    b.add<std::uint8_t>(5, raw(o.offset), 0);
    return b.end_table();
  }
  // Empty tables.
  template <class T>
  Ref operator()(const T&) const {
    b.start_table();
    return b.end_table();
  }
};

Ref write_quantization(Builder& b, const Quantization& q) {
  const bool any = !q.scale.empty() || !q.zero_point.empty() || !q.min.empty() || !q.max.empty() ||
                   q.quantized_dimension != 0 || q.has_custom_details;
  if (!any) return 0;
  const Ref min = q.min.empty() ? 0 : b.create_vector(q.min);
  const Ref max = q.max.empty() ? 0 : b.create_vector(q.max);
  const Ref scale = q.scale.empty() ? 0 : b.create_vector(q.scale);
  const Ref zp = q.zero_point.empty() ? 0 : b.create_vector(q.zero_point);
  Ref details = 0;
  if (q.has_custom_details) {
    b.start_table();  // CustomQuantization with no bytes
    details = b.end_table();
  }
  b.start_table();
  b.add_offset(0, min);
  b.add_offset(1, max);
  b.add_offset(2, scale);
  b.add_offset(3, zp);
  b.add_offset(5, details);
  b.add<std::int32_t>(6, q.quantized_dimension, 0);
  if (details != 0) b.add<std::uint8_t>(4, 1);
  return b.end_table();
}

Ref write_tensor(Builder& b, const Tensor& t) {
  const Ref quant = write_quantization(b, t.quantization);
  const Ref shape = b.create_vector(t.shape);
  const Ref name = b.create_string(t.name);
  const Ref sig = t.shape_signature.empty() ? 0 : b.create_vector(t.shape_signature);
  Ref sparsity = 0;
  if (t.is_sparse) {
    b.start_table();  // SparsityParameters placeholder
    sparsity = b.end_table();
  }
  b.start_table();
  b.add_offset(0, shape);
  b.add<std::uint32_t>(2, t.buffer, 0);
  b.add_offset(3, name);
  b.add_offset(4, quant);
  b.add_offset(6, sparsity);
  b.add_offset(7, sig);
  b.add<std::int8_t>(1, static_cast<std::int8_t>(t.type), 0);
  b.add<std::uint8_t>(5, raw(t.is_variable), 0);
  b.add<std::uint8_t>(8, raw(t.has_rank), 0);
  return b.end_table();
}

Ref write_operator(Builder& b, const Operator& o) {
  const Ref inputs = b.create_vector(o.inputs);
  const Ref outputs = b.create_vector(o.outputs);
  const Ref intermediates = o.intermediates.empty() ? 0 : b.create_vector(o.intermediates);
  const Ref custom = o.has_custom_options ? b.create_bytes({}) : 0;
  const Ref options = std::visit(OptionsWriter{b}, o.options);
  const std::uint8_t type = options_type_of(o.options);
  b.start_table();
  b.add<std::uint32_t>(0, o.opcode_index, 0);
  b.add_offset(1, inputs);
  b.add_offset(2, outputs);
  b.add_offset(4, options);
  b.add_offset(5, custom);
  b.add_offset(8, intermediates);
  b.add<std::uint8_t>(3, type, 0);
  return b.end_table();
}

Ref write_subgraph(Builder& b, const SubGraph& g) {
  std::vector<Ref> tensors;
  tensors.reserve(g.tensors.size());
  for (const Tensor& t : g.tensors) tensors.push_back(write_tensor(b, t));
  const Ref tensor_vec = b.create_offset_vector(tensors);
  const Ref inputs = b.create_vector(g.inputs);
  const Ref outputs = b.create_vector(g.outputs);
  std::vector<Ref> ops;
  ops.reserve(g.operators.size());
  for (const Operator& o : g.operators) ops.push_back(write_operator(b, o));
  const Ref op_vec = b.create_offset_vector(ops);
  const Ref name = g.name.empty() ? 0 : b.create_string(g.name);
  b.start_table();
  b.add_offset(0, tensor_vec);
  b.add_offset(1, inputs);
  b.add_offset(2, outputs);
  b.add_offset(3, op_vec);
  b.add_offset(4, name);
  return b.end_table();
}

Ref write_operator_code(Builder& b, const OperatorCode& oc, bool legacy) {
  const Ref custom = oc.custom_code.empty() ? 0 : b.create_string(oc.custom_code);
  const std::int32_t code = oc.builtin_code;
  const auto deprecated = static_cast<std::int8_t>(std::clamp<std::int32_t>(
      code, std::numeric_limits<std::int8_t>::min(), op::kPlaceholderForGreaterOpCodes));
  b.start_table();
  b.add<std::int32_t>(2, oc.version, 1);
  b.add_offset(1, custom);
  if (!legacy || code >= op::kPlaceholderForGreaterOpCodes) b.add<std::int32_t>(3, code, 0);
  b.add<std::int8_t>(0, deprecated, 0);
  return b.end_table();
}

std::vector<std::uint8_t> build(const Model& m, const WriteOptions& opt,
                                const std::vector<std::uint64_t>& external_offsets) {
  Builder b(Builder::Config{opt.dedup_vtables, opt.force_defaults});
  std::vector<Ref> buffers;
  buffers.reserve(m.buffers.size());
  for (std::size_t i = 0; i < m.buffers.size(); ++i) {
    const Buffer& buf = m.buffers[i];
    if (opt.external_buffers && !buf.data.empty()) {
      b.start_table();
      b.add<std::uint64_t>(1, external_offsets.empty() ? 2 : external_offsets[i]);
      b.add<std::uint64_t>(2, buf.data.size());
      buffers.push_back(b.end_table());
      continue;
    }
    const Ref data = buf.data.empty() ? 0 : b.create_bytes(buf.data, 16);
    b.start_table();
    b.add_offset(0, data);
    buffers.push_back(b.end_table());
  }
  const Ref buffer_vec = b.create_offset_vector(buffers);

  std::vector<Ref> subgraphs;
  subgraphs.reserve(m.subgraphs.size());
  for (const SubGraph& g : m.subgraphs) subgraphs.push_back(write_subgraph(b, g));
  const Ref subgraph_vec = b.create_offset_vector(subgraphs);

  std::vector<Ref> codes;
  codes.reserve(m.operator_codes.size());
  for (const OperatorCode& oc : m.operator_codes) {
    codes.push_back(write_operator_code(b, oc, opt.legacy_opcodes));
  }
  const Ref code_vec = b.create_offset_vector(codes);
  const Ref description = m.description.empty() ? 0 : b.create_string(m.description);

  b.start_table();
  b.add<std::uint32_t>(0, m.version);
  b.add_offset(1, code_vec);
  b.add_offset(2, subgraph_vec);
  b.add_offset(3, description);
  b.add_offset(4, buffer_vec);
  const Ref root = b.end_table();
  return b.finish(root, "TFL3");
}

}  // namespace

std::vector<std::uint8_t> write_model(const Model& m, const WriteOptions& options) {
  if (!options.external_buffers) return build(m, options, {});
  // The flatbuffer's size does not depend on the offset values, so build once to learn it,
  // then again with the real offsets, and append the data (16-byte aligned) after it.
  const std::size_t fb_size = build(m, options, {}).size();
  std::vector<std::uint64_t> offsets(m.buffers.size(), 0);
  std::uint64_t pos = (fb_size + 15) / 16 * 16;
  for (std::size_t i = 0; i < m.buffers.size(); ++i) {
    if (m.buffers[i].data.empty()) continue;
    offsets[i] = pos;
    pos = (pos + m.buffers[i].data.size() + 15) / 16 * 16;
  }
  std::vector<std::uint8_t> out = build(m, options, offsets);
  for (std::size_t i = 0; i < m.buffers.size(); ++i) {
    if (m.buffers[i].data.empty()) continue;
    out.resize(offsets[i], 0);
    out.insert(out.end(), m.buffers[i].data.begin(), m.buffers[i].data.end());
  }
  return out;
}

bool write_file_bytes(const std::string& path, std::span<const std::uint8_t> bytes,
                      std::string& error) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) {
    error = "cannot create '" + path + "'";
    return false;
  }
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

}  // namespace ctml::tflite
