// SPDX-License-Identifier: Apache-2.0
#pragma once
// Weight blobs: a network's data as bytes, to update a device's model in the field or to keep a
// trained student. No heap, no exceptions; constexpr-capable.
//
//   constexpr std::size_t n = ctml::weight_blob_bytes<Net>;          // exact size, a type fact
//   ctml::BlobResult r = ctml::save_weights(net, std::span<std::byte>(buf, n));
//   ctml::BlobResult r = ctml::load_weights(net, blob);   // if (!r) r.reason, r.offset
//
// load_weights checks the whole blob before it writes a byte of the model: a short, long,
// corrupted or foreign blob, or one whose values no valid model has (a requantization shift
// outside [-31, 30], a zero point outside int8, act_min > act_max, a negative variance, a
// non-finite float), is refused with a reason and the byte offset, and the model keeps its
// previous weights. After a successful load, every layer with a prepare() recomputes what it
// derives from its data (int8 layers' effective bias, packed weights, lookup tables).
//
// Format, all integers little-endian whatever the host:
//   offset 0   4 bytes  magic "CTWB"
//          4   u16      format version (1)
//          6   u16      reserved, 0 (refused otherwise)
//          8   u64      model fingerprint: FNV-1a 64 over every layer's name and input/output
//                       tensor types, every record's element type, count, rank and extents, and
//                       the nesting of networks and blocks, so a blob for another architecture
//                       is refused (a compile-time constant, weight_blob_fingerprint<Net>)
//         16   u32      record count
//         20   u32      total blob size in bytes
//         24   records: u8 element type, 3 reserved zero bytes, u32 element count, then the
//                       elements (floats as their IEEE-754 bits)
//        end-4 u32      CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of all bytes before
// What a layer contributes, in order: each tensor of parameters() (weights, biases, BatchNorm
// statistics...), then each item of buffers() when the layer has one (requantization multipliers
// and shifts, zero points, activation ranges). Items are tensors, arithmetic scalars, C arrays or
// aggregates of those (walked with Boost.PFR); each arithmetic leaf run is one record. Networks
// and residual blocks contribute their sublayers' records in order.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <boost/pfr/core.hpp>
#include <boost/pfr/tuple_size.hpp>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>

namespace ctml {

enum class BlobError : std::uint8_t {
  none,
  buffer_too_small,  // save: the output span is shorter than weight_blob_bytes<Net>
  wrong_size,        // load: the blob is not exactly weight_blob_bytes<Net> long
  bad_magic,
  bad_version,
  bad_checksum,
  wrong_model,       // fingerprint or record layout of another architecture
  bad_value,         // a non-finite float
};

struct BlobResult {
  BlobError error = BlobError::none;
  std::size_t offset = 0;      // where the problem is (load), or bytes written (save)
  const char* reason = "ok";  // a static string
  constexpr explicit operator bool() const noexcept { return error == BlobError::none; }
};

inline constexpr std::uint16_t weight_blob_version = 1;

namespace serial {

// ---- element types ----------------------------------------------------------------------------
template <class T>
constexpr std::uint8_t type_code() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) return 11;
  else if constexpr (std::is_same_v<U, float>) return 9;
  else if constexpr (std::is_same_v<U, double>) return 10;
  else if constexpr (std::is_integral_v<U>) return static_cast<std::uint8_t>((sizeof(U) == 1 ? 1 : sizeof(U) == 2 ? 3 : sizeof(U) == 4 ? 5 : 7) + (std::is_signed_v<U> ? 0 : 1));
  else static_assert(sizeof(U) == 0, "ctml::save_weights: unsupported arithmetic type");
}
template <class T>
inline constexpr std::size_t wire_size = std::is_same_v<std::remove_cv_t<T>, bool> ? 1 : sizeof(T);

template <class T>
concept Arithmetic = std::is_arithmetic_v<std::remove_cv_t<T>>;
template <class T>
concept DenseTensor = requires(T& t) {
  typename T::value_type;
  typename T::shape_type;
  { t.data() };
} && Arithmetic<typename T::value_type>;
template <class T>
concept SparseFormat = requires { T::nnz; T::storage_bytes; };
template <class T>
concept Reflectable = std::is_aggregate_v<T> && !std::is_array_v<T> && !DenseTensor<T> && !SparseFormat<T>;

// ---- records of one item (type level: code and count; value level: a pointer and count) -------
// rank and extents only feed the fingerprint (the wire carries code and count): two tensors with
// the same count but another shape (a 3x1 kernel for a 1x3 one) mean another architecture.
struct Record {
  std::uint8_t code;
  std::uint32_t count;
  std::uint8_t rank = 0;
  const std::size_t* extents = nullptr;
};
template <std::size_t N>
inline constexpr std::size_t extent_of_array[1] = {N};

template <class T, class F>
constexpr void records_of_type(F&& f) {
  using U = std::remove_cvref_t<T>;
  if constexpr (Arithmetic<U>) {
    f(Record{type_code<U>(), 1});
  } else if constexpr (DenseTensor<U>) {
    using S = typename U::shape_type;
    f(Record{type_code<typename U::value_type>(), static_cast<std::uint32_t>(S::size),
             static_cast<std::uint8_t>(S::rank), S::extents.data()});
  } else if constexpr (std::is_array_v<U>) {
    using E = std::remove_extent_t<U>;
    if constexpr (Arithmetic<E>)
      f(Record{type_code<E>(), static_cast<std::uint32_t>(std::extent_v<U>), 1, extent_of_array<std::extent_v<U>>});
    else
      for (std::size_t i = 0; i < std::extent_v<U>; ++i) records_of_type<E>(f);
  } else if constexpr (Reflectable<U>) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (records_of_type<boost::pfr::tuple_element_t<I, U>>(f), ...);
    }(std::make_index_sequence<boost::pfr::tuple_size_v<U>>{});
  } else {
    static_assert(sizeof(U) == 0,
                  "ctml::save_weights: a layer's parameters() or buffers() holds a type that is not a "
                  "tensor, an arithmetic scalar, a C array or an aggregate of those (sparse formats "
                  "are not serialisable: save the dense model and convert after loading)");
  }
}

// f(pointer to the first element, count) for each record of the object x.
template <class T, class F>
constexpr void records_of(T& x, F&& f) {
  using U = std::remove_cvref_t<T>;
  if constexpr (Arithmetic<U>) {
    f(&x, std::size_t{1});
  } else if constexpr (DenseTensor<U>) {
    f(x.data(), U::shape_type::size);
  } else if constexpr (std::is_array_v<U>) {
    if constexpr (Arithmetic<std::remove_extent_t<U>>) f(&x[0], std::extent_v<U>);
    else
      for (auto& e : x) records_of(e, f);
  } else {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (records_of(boost::pfr::get<I>(x), f), ...);
    }(std::make_index_sequence<boost::pfr::tuple_size_v<U>>{});
  }
}

// ---- walking a network --------------------------------------------------------------------------
template <class L>
concept Network = requires { L::layer_count; } && requires(L& l) { l.template layer<0>(); };
template <class L>
concept Composite = requires(L& l) { l.sublayers(); };

template <class L>
constexpr auto state_of(L& l) {
  if constexpr (requires { l.buffers(); }) return l.buffers();
  else return std::tuple<>{};
}
// A leaf's items: parameters, then state. A composite (residual block) has only its own state:
// its parameters() repeats its sublayers'.
template <class L>
constexpr auto items_of(L& l) {
  if constexpr (Composite<std::remove_const_t<L>>) return state_of(l);
  else return std::tuple_cat(parameters_of(l), state_of(l));
}

template <class L>
constexpr std::string_view name_of() {
  if constexpr (requires { L::name; }) return std::string_view(L::name);
  else return {};
}

// f(layer) for every layer that owns data, depth first, in forward order.
template <class L, class F>
constexpr void for_each_owner(L& l, F&& f) {
  using U = std::remove_const_t<L>;
  if constexpr (!Layer<U>) {
    return;  // an identity shortcut: nothing inside
  } else if constexpr (Network<U>) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (for_each_owner(l.template layer<I>(), f), ...);
    }(std::make_index_sequence<U::layer_count>{});
  } else {
    f(l);
    if constexpr (Composite<U>) std::apply([&](auto&... sub) { (for_each_owner(sub, f), ...); }, l.sublayers());
  }
}

template <class L, class F>
constexpr void records_of_layer_type(F&& f) {
  using Items = decltype(items_of(std::declval<L&>()));
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (records_of_type<std::tuple_element_t<I, Items>>(f), ...);
  }(std::make_index_sequence<std::tuple_size_v<Items>>{});
}

struct Layout {
  std::size_t records = 0, bytes = 0;
  std::uint64_t fingerprint = 0xcbf29ce484222325ull;  // FNV-1a offset basis
  constexpr void mix(std::uint8_t b) { fingerprint = (fingerprint ^ b) * 0x100000001b3ull; }
  constexpr void mix32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) mix(static_cast<std::uint8_t>(v >> (8 * i)));
  }
};

inline constexpr std::size_t header_bytes = 24, record_header_bytes = 8, trailer_bytes = 4;

constexpr std::size_t code_size(std::uint8_t code) {
  switch (code) {
    case 1: case 2: case 11: return 1;
    case 3: case 4: return 2;
    case 5: case 6: case 9: return 4;
    default: return 8;
  }
}

template <class T>
constexpr void mix_tensor_type(Layout& l) {
  using S = typename T::shape_type;
  l.mix(type_code<typename T::value_type>());
  l.mix(static_cast<std::uint8_t>(S::rank));
  for (std::size_t e : S::extents) l.mix32(static_cast<std::uint32_t>(e));
}

// The fingerprint covers what makes a blob's numbers mean something for a given type: each layer's
// name and input/output tensors (a stride or padding change with the same weight shapes), each
// record's type, rank and extents, and where blocks open and close (a ReLU inside or after a
// residual body visits the same layers in the same order).
template <class L>
constexpr void describe(Layout& l) {
  using U = std::remove_cvref_t<L>;
  if constexpr (!Layer<U>) {
    return;  // an identity shortcut: nothing inside
  } else if constexpr (Network<U>) {
    l.mix('[');
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (describe<typename U::template layer_type<I>>(l), ...);
    }(std::make_index_sequence<U::layer_count>{});
    l.mix(']');
  } else {
    for (char c : name_of<U>()) l.mix(static_cast<std::uint8_t>(c));
    l.mix(0);
    mix_tensor_type<typename U::input_type>(l);
    mix_tensor_type<typename U::output_type>(l);
    records_of_layer_type<U>([&](Record r) {
      ++l.records;
      l.bytes += record_header_bytes + r.count * code_size(r.code);
      l.mix(r.code);
      l.mix32(r.count);
      l.mix(r.rank);
      for (std::size_t d = 0; d < r.rank; ++d) l.mix32(static_cast<std::uint32_t>(r.extents[d]));
    });
    if constexpr (Composite<U>) {
      using Subs = decltype(std::declval<U&>().sublayers());
      l.mix('(');
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (describe<std::tuple_element_t<I, Subs>>(l), ...);
      }(std::make_index_sequence<std::tuple_size_v<Subs>>{});
      l.mix(')');
    }
  }
}

template <class Net>
constexpr Layout layout() {
  Layout l;
  for (char c : std::string_view("ctml weights")) l.mix(static_cast<std::uint8_t>(c));
  describe<Net>(l);
  l.bytes += header_bytes + trailer_bytes;
  return l;
}

// ---- bytes ----------------------------------------------------------------------------------------
constexpr std::uint32_t crc32(std::span<const std::byte> data) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::byte b : data) {
    c ^= static_cast<std::uint8_t>(b);
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

constexpr void put(std::byte* p, std::uint64_t v, std::size_t n) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
}
constexpr std::uint64_t get(const std::byte* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(p[i])) << (8 * i);
  return v;
}

template <class T>
constexpr std::uint64_t to_wire(T v) {
  if constexpr (std::is_same_v<T, bool>) return v ? 1 : 0;
  else if constexpr (std::is_same_v<T, float>) return std::bit_cast<std::uint32_t>(v);
  else if constexpr (std::is_same_v<T, double>) return std::bit_cast<std::uint64_t>(v);
  else return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<T>>(v));
}
template <class T>
constexpr T from_wire(std::uint64_t w) {
  if constexpr (std::is_same_v<T, bool>) return w != 0;
  else if constexpr (std::is_same_v<T, float>) return std::bit_cast<float>(static_cast<std::uint32_t>(w));
  else if constexpr (std::is_same_v<T, double>) return std::bit_cast<double>(w);
  else return static_cast<T>(static_cast<std::make_unsigned_t<T>>(w));
}
// Finite check on the wire form (exponent not all ones), usable in constant expressions.
constexpr bool finite_wire(std::uint8_t code, std::uint64_t w) {
  if (code == 9) return ((w >> 23) & 0xFF) != 0xFF;
  if (code == 10) return ((w >> 52) & 0x7FF) != 0x7FF;
  return true;
}
// The value of a wire element as a double (exact for every integer a range check looks at).
constexpr double wire_value(std::uint8_t code, std::uint64_t w) {
  switch (code) {
    case 9: return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(w)));
    case 10: return std::bit_cast<double>(w);
    case 1: return static_cast<std::int8_t>(w);
    case 3: return static_cast<std::int16_t>(w);
    case 5: return static_cast<std::int32_t>(w);
    case 7: return static_cast<double>(static_cast<std::int64_t>(w));
    default: return static_cast<double>(w);
  }
}

// ---- semantic checks ------------------------------------------------------------------------------
// A blob with a valid CRC can still carry data no writer of a valid model produces (a crafted or
// buggy blob): a shift of 40 is undefined behaviour in the requantization, a negative variance a
// NaN after the square root. The int8 layers name their data as TFLite does, so a value is checked
// by the name of the member it is, found by address within the layer or parameter struct that
// holds it (AddParams, Multiplier, InputRescale, SoftmaxParams, QParams, BatchNorm...).
enum class Role : std::uint8_t {
  none, shift, left_shift, tanh_shift, multiplier, zero_point, negated_zero_point, act_min, act_max, variance, scale
};

template <class C, class X>
constexpr Role role_in(const C& c, const X& x) {
  const void* const p = &x;
  const auto is = [p](const auto& m) { return static_cast<const void*>(&m) == p; };
  if constexpr (requires { c.shift; }) {
    if (is(c.shift)) return Role::shift;
  }
  if constexpr (requires { c.left_shift; }) {
    if (is(c.left_shift)) return Role::shift;
  }
  if constexpr (requires { c.input_left_shift; }) {
    if (is(c.input_left_shift)) return Role::left_shift;
  }
  // The recurrent cells' per-gate requantizations (GRU, LSTM) and the SVDF's two stages.
  if constexpr (requires { c.shift_in; c.shift_rec; c.mult_in; c.mult_rec; }) {
    if (is(c.shift_in) || is(c.shift_rec)) return Role::shift;
    if (is(c.mult_in) || is(c.mult_rec)) return Role::multiplier;
  }
  if constexpr (requires { c.shift1; c.shift2; c.mult1; c.mult2; }) {
    if (is(c.shift1) || is(c.shift2)) return Role::shift;
    if (is(c.mult1) || is(c.mult2)) return Role::multiplier;
  }
  if constexpr (requires { c.tanh_mult; c.tanh_shift; }) {  // the LSTM's int16 tanh input scaling
    if (is(c.tanh_mult)) return Role::multiplier;
    if (is(c.tanh_shift)) return Role::tanh_shift;
  }
  if constexpr (requires { c.hidden_zero_point; }) {
    if (is(c.hidden_zero_point)) return Role::zero_point;
  }
  if constexpr (requires { c.state_zero_point; }) {
    if (is(c.state_zero_point)) return Role::zero_point;
  }
  if constexpr (requires { c.multiplier; }) {
    if (is(c.multiplier)) return Role::multiplier;
  }
  if constexpr (requires { c.input_multiplier; }) {
    if (is(c.input_multiplier)) return Role::multiplier;
  }
  if constexpr (requires { c.value; c.shift; }) {  // quant::Multiplier
    if (is(c.value)) return Role::multiplier;
  }
  if constexpr (requires { c.zero_point; }) {
    if (is(c.zero_point)) return Role::zero_point;
  }
  if constexpr (requires { c.input_zero_point; }) {
    if (is(c.input_zero_point)) return Role::zero_point;
  }
  if constexpr (requires { c.output_zero_point; }) {
    if (is(c.output_zero_point)) return Role::zero_point;
  }
  if constexpr (requires { c.output_offset; }) {
    if (is(c.output_offset)) return Role::zero_point;
  }
  if constexpr (requires { c.input1_offset; c.input2_offset; }) {
    if (is(c.input1_offset) || is(c.input2_offset)) return Role::negated_zero_point;
  }
  if constexpr (requires { c.act_min; c.act_max; }) {
    if (is(c.act_min)) return Role::act_min;
    if (is(c.act_max)) return Role::act_max;
  }
  if constexpr (requires { c.running_var; }) {
    if (is(c.running_var)) return Role::variance;
  }
  if constexpr (requires { c.scale; }) {
    if (is(c.scale)) return Role::scale;
  }
  return Role::none;
}

// f(pointer to the first element, count, role) for each record of x, a member of the layer or
// struct c; the const twin of records_of, with the role each record plays.
template <class C, class T, class F>
constexpr void checked_records_of(const C& c, const T& x, F&& f) {
  using U = std::remove_cvref_t<T>;
  if constexpr (Arithmetic<U>) {
    f(&x, std::size_t{1}, role_in(c, x));
  } else if constexpr (DenseTensor<U>) {
    f(x.data(), std::size_t{U::shape_type::size}, role_in(c, x));
  } else if constexpr (std::is_array_v<U>) {
    if constexpr (Arithmetic<std::remove_extent_t<U>>) f(&x[0], std::extent_v<U>, role_in(c, x));
    else
      for (const auto& e : x) checked_records_of(c, e, f);
  } else {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (checked_records_of(x, boost::pfr::get<I>(x), f), ...);
    }(std::make_index_sequence<boost::pfr::tuple_size_v<U>>{});
  }
}

// The act_max a layer stores is compared with the act_min stored just before it (both orders of
// TFLite's output stage and ADD).
struct RangeCheck {
  bool have_min = false;
  double min = 0;
};

// nullptr when the element is acceptable, else why not.
constexpr const char* check_value(Role role, std::uint8_t code, std::uint64_t w, RangeCheck& range) {
  if (!finite_wire(code, w)) return "non-finite float value";
  if (code == 11 && w > 1) return "bool value other than 0 or 1";
  if (role == Role::none) return nullptr;  // most elements: no double arithmetic (soft-float on M4)
  const double v = wire_value(code, w);
  switch (role) {
    case Role::shift:
      if (v < -31 || v > 30) return "requantization shift outside [-31, 30]";
      break;
    case Role::left_shift:
      if (v < 0 || v > 31) return "input left shift outside [0, 31]";
      break;
    case Role::tanh_shift:
      if (v < 0 || v > 31) return "tanh input shift outside [0, 31]";
      break;
    case Role::multiplier:
      if (v < 0) return "negative requantization multiplier";
      break;
    case Role::zero_point:
      if (v < -128 || v > 127) return "zero point outside int8 [-128, 127]";
      break;
    case Role::negated_zero_point:
      if (v < -127 || v > 128) return "input offset (negated zero point) outside [-127, 128]";
      break;
    case Role::act_min:
      range = {true, v};
      break;
    case Role::act_max:
      if (range.have_min && v < range.min) return "activation range with act_min > act_max";
      break;
    case Role::variance:
      if (v < 0) return "negative BatchNorm variance";
      break;
    case Role::scale:
      if (!(v > 0)) return "quantization scale not positive";
      break;
    case Role::none:
      break;
  }
  return nullptr;
}

}  // namespace serial

// Exact size of the blob of a network type, and its fingerprint.
template <class Net>
inline constexpr std::size_t weight_blob_bytes = serial::layout<Net>().bytes;
template <class Net>
inline constexpr std::uint64_t weight_blob_fingerprint = serial::layout<Net>().fingerprint;

template <class Net>
constexpr BlobResult save_weights(const Net& net, std::span<std::byte> out) {
  ::ctml::detail::side_effect_fence();
  constexpr serial::Layout lay = serial::layout<Net>();
  if (out.size() < lay.bytes) return {BlobError::buffer_too_small, lay.bytes, "output buffer is smaller than weight_blob_bytes"};
  std::byte* p = out.data();
  serial::put(p, 0x42575443u, 4);  // "CTWB"
  serial::put(p + 4, weight_blob_version, 2);
  serial::put(p + 6, 0, 2);
  serial::put(p + 8, lay.fingerprint, 8);
  serial::put(p + 16, lay.records, 4);
  serial::put(p + 20, lay.bytes, 4);
  std::size_t at = serial::header_bytes;
  serial::for_each_owner(net, [&](const auto& layer) {
    std::apply([&](const auto&... item) {
      (serial::records_of(item, [&](const auto* data, std::size_t n) {
         using E = std::remove_cv_t<std::remove_pointer_t<decltype(data)>>;
         serial::put(p + at, serial::type_code<E>(), 1);
         serial::put(p + at + 1, 0, 3);
         serial::put(p + at + 4, n, 4);
         at += serial::record_header_bytes;
         for (std::size_t i = 0; i < n; ++i, at += serial::wire_size<E>) serial::put(p + at, serial::to_wire(data[i]), serial::wire_size<E>);
       }),
       ...);
    }, serial::items_of(layer));
  });
  serial::put(p + at, serial::crc32(std::span<const std::byte>(p, at)), 4);
  return {BlobError::none, at + 4, "ok"};
}

template <class Net>
constexpr BlobResult load_weights(Net& net, std::span<const std::byte> blob) {
  ::ctml::detail::side_effect_fence();
  constexpr serial::Layout lay = serial::layout<Net>();
  const std::byte* p = blob.data();
  if (blob.size() < serial::header_bytes + serial::trailer_bytes)
    return {BlobError::wrong_size, blob.size(), "blob too short for a weight blob header"};
  if (serial::get(p, 4) != 0x42575443u) return {BlobError::bad_magic, 0, "not a ctml weight blob (bad magic)"};
  if (serial::get(p + 4, 2) != weight_blob_version) return {BlobError::bad_version, 4, "unsupported weight blob format version"};
  if (serial::get(p + 6, 2) != 0) return {BlobError::bad_version, 6, "unknown format flags (reserved header bytes not zero)"};
  if (serial::get(p + 20, 4) != blob.size()) return {BlobError::wrong_size, 20, "blob length differs from the size in its header (truncated or padded)"};
  if (serial::get(p + blob.size() - 4, 4) != serial::crc32(blob.first(blob.size() - 4)))
    return {BlobError::bad_checksum, blob.size() - 4, "checksum mismatch: the blob is corrupted"};
  if (serial::get(p + 8, 8) != lay.fingerprint || serial::get(p + 16, 4) != lay.records || blob.size() != lay.bytes)
    return {BlobError::wrong_model, 8, "blob is for a different model (fingerprint or layout mismatch)"};
  // Every record against the model's layout, and every value against its range, before anything
  // is written.
  BlobResult bad{};
  std::size_t at = serial::header_bytes;
  serial::for_each_owner(std::as_const(net), [&](const auto& layer) {
    serial::RangeCheck range{};
    std::apply([&](const auto&... item) {
      (serial::checked_records_of(layer, item, [&](const auto* data, std::size_t n, serial::Role role) {
         using E = std::remove_cv_t<std::remove_pointer_t<decltype(data)>>;
         constexpr std::uint8_t code = serial::type_code<E>();
         if (!bad) return;
         if (serial::get(p + at, 1) != code || serial::get(p + at + 1, 3) != 0 || serial::get(p + at + 4, 4) != n) {
           bad = {BlobError::wrong_model, at, "record header differs from this model's layout (element type or count)"};
           return;
         }
         at += serial::record_header_bytes;
         for (std::size_t i = 0; i < n; ++i, at += serial::wire_size<E>)
           if (const char* why = serial::check_value(role, code, serial::get(p + at, serial::wire_size<E>), range)) {
             bad = {BlobError::bad_value, at, why};
             return;
           }
       }),
       ...);
    }, serial::items_of(layer));
  });
  if (!bad) return bad;
  // Commit.
  at = serial::header_bytes;
  serial::for_each_owner(net, [&](auto& layer) {
    std::apply([&](auto&... item) {
      (serial::records_of(item, [&](auto* data, std::size_t n) {
         using E = std::remove_pointer_t<decltype(data)>;
         at += serial::record_header_bytes;
         for (std::size_t i = 0; i < n; ++i, at += serial::wire_size<E>) data[i] = serial::from_wire<E>(serial::get(p + at, serial::wire_size<E>));
       }),
       ...);
    }, serial::items_of(layer));
  });
  serial::for_each_owner(net, [](auto& layer) {
    if constexpr (requires { layer.prepare(); }) layer.prepare();
  });
  return {BlobError::none, blob.size(), "ok"};
}

}  // namespace ctml
