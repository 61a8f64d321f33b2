// SPDX-License-Identifier: Apache-2.0
// Weight blobs (ctml/model/serialize.hpp): round trips of float, aggregate (PFR) and int8 models,
// and every way a blob can be wrong — each refused with a reason while the model keeps its
// weights. No heap anywhere (STRICT_NO_HEAP).
#include <doctest/doctest.h>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <type_traits>

#include <ctml/layers/batchnorm.hpp>
#include <ctml/layers/binary_const.hpp>
#include <ctml/model/sequential.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/quant/quantize_model.hpp>
#include <ctml/quant/svdf_s8.hpp>

using namespace ctml;

namespace {

// Deterministic values in every arithmetic leaf of a model's parameters (BatchNorm variances
// positive).
template <class Net>
constexpr void fill(Net& net, std::uint32_t seed) {
  std::apply([&](auto&... t) {
    ((serial::records_of(t, [&](auto* data, std::size_t n) {
       for (std::size_t i = 0; i < n; ++i) {
         seed = seed * 1664525u + 1013904223u;
         data[i] = static_cast<float>(static_cast<int>(seed >> 24) - 128) / 256.0f + 0.75f;
       }
     })),
     ...);
  }, net.parameters());
}

template <class Net>
bool same_parameters(const Net& a, const Net& b) {
  bool same = true;
  std::apply([&](const auto&... x) {
    std::apply([&](const auto&... y) { ((same = same && std::memcmp(&x, &y, sizeof(x)) == 0), ...); }, b.parameters());
  }, a.parameters());
  return same;
}

template <class T>
void fill_input(T& x, std::uint32_t seed) {
  for (auto& v : x) {
    seed = seed * 1664525u + 1013904223u;
    v = static_cast<typename T::value_type>(static_cast<float>(static_cast<int>(seed >> 20) - 2048) / 2048.0f);
  }
}

using ConvNet = Sequential<float, Shape<6, 5, 3>, Conv2D<4, Kernel<3, 3>, Same>, BatchNorm, ReLU,
                           Residual<Block<Conv2D<4, Kernel<3, 3>, Same>, ReLU>>, GlobalAveragePool, Dense<3>, Softmax<>>;
using Tiny = Sequential<float, Shape<4>, Dense<3>, ReLU, Dense<2>>;

struct TinyAggregate {
  DenseLayer<float, Shape<4>, 3> fc1;
  ReLULayer<float, Shape<3>> act;
  DenseLayer<float, Shape<3>, 2> fc2;
};
using TinyPfr = Network<TinyAggregate>;

std::byte g_blob[4096], g_other[4096];

}  // namespace

TEST_CASE("CRC-32 of the standard check string") {
  constexpr std::string_view check = "123456789";
  std::array<std::byte, 9> bytes{};
  for (std::size_t i = 0; i < 9; ++i) bytes[i] = static_cast<std::byte>(check[i]);
  CHECK(serial::crc32(bytes) == 0xCBF43926u);
  static_assert(serial::crc32({}) == 0u);
}

TEST_CASE("blob size and fingerprint are type facts") {
  // Header 24 + records (8 + payload): W 12 floats, b 3, W 6, b 2 + CRC 4.
  static_assert(weight_blob_bytes<Tiny> == 24 + (8 + 48) + (8 + 12) + (8 + 24) + (8 + 8) + 4);
  // The aggregate model has the same layers, so the same blob.
  static_assert(weight_blob_bytes<TinyPfr> == weight_blob_bytes<Tiny>);
  static_assert(weight_blob_fingerprint<TinyPfr> == weight_blob_fingerprint<Tiny>);
  // Same parameter count and layout but another activation, or another split of 15 parameters:
  // different fingerprints.
  using OtherAct = Sequential<float, Shape<4>, Dense<3>, Tanh, Dense<2>>;
  using OtherSplit = Sequential<float, Shape<2>, Dense<5>>;
  using Plain = Sequential<float, Shape<4>, Dense<3>>;
  static_assert(weight_blob_bytes<OtherAct> == weight_blob_bytes<Tiny>);
  static_assert(weight_blob_fingerprint<OtherAct> != weight_blob_fingerprint<Tiny>);
  static_assert(Plain::param_count == OtherSplit::param_count);
  static_assert(weight_blob_fingerprint<OtherSplit> != weight_blob_fingerprint<Plain>);
  CHECK(weight_blob_bytes<ConvNet> > ConvNet::param_bytes);
}

TEST_CASE("a float net with BatchNorm and a residual block round-trips bit for bit") {
  static ConvNet a{}, b{};
  fill(a, 7);
  constexpr std::size_t n = weight_blob_bytes<ConvNet>;
  static_assert(n <= sizeof(g_blob));
  const BlobResult saved = save_weights(a, std::span<std::byte>(g_blob, n));
  REQUIRE(saved);
  CHECK(saved.offset == n);
  const BlobResult loaded = load_weights(b, std::span<const std::byte>(g_blob, n));
  REQUIRE(loaded);
  CHECK(same_parameters(a, b));
  static ConvNet::input_type x{};
  fill_input(x, 3);
  static ConvNet::output_type ya{}, yb{};
  alignas(16) static std::byte arena[ConvNet::arena_bytes];
  a(x, ya, arena);
  b(x, yb, arena);
  CHECK(ya == yb);
}

TEST_CASE("an aggregate (PFR) model round-trips, and its blob loads into the Sequential twin") {
  static TinyPfr a{};
  static Tiny t{};
  fill(a, 9);
  constexpr std::size_t n = weight_blob_bytes<TinyPfr>;
  REQUIRE(save_weights(a, std::span<std::byte>(g_blob, n)));
  REQUIRE(load_weights(t, std::span<const std::byte>(g_blob, n)));
  Tiny::input_type x{};
  fill_input(x, 5);
  static_assert(std::is_same_v<TinyPfr::input_type, Tiny::input_type>);
  CHECK(a.infer(x) == t.infer(x));
}

TEST_CASE("save and load work in constant expressions") {
  constexpr bool ok = [] {
    Tiny a{}, b{};
    fill(a, 1);
    std::array<std::byte, weight_blob_bytes<Tiny>> blob{};
    if (!save_weights(a, blob)) return false;
    if (!load_weights(b, blob)) return false;
    Tiny::input_type x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.25f * static_cast<float>(i) - 0.3f;
    return a.infer(x) == b.infer(x);
  }();
  static_assert(ok);
  CHECK(ok);
}

TEST_CASE("every truncation, extension and single-byte corruption is refused; the model is intact") {
  static Tiny src{}, dst{}, before{};
  fill(src, 11);
  fill(dst, 12);
  before = dst;
  constexpr std::size_t n = weight_blob_bytes<Tiny>;
  REQUIRE(save_weights(src, std::span<std::byte>(g_blob, n)));

  std::size_t refused = 0;
  for (std::size_t len = 0; len < n; ++len) {
    const BlobResult r = load_weights(dst, std::span<const std::byte>(g_blob, len));
    CHECK_FALSE(r);
    refused += !r;
  }
  g_blob[n] = std::byte{0};
  CHECK(load_weights(dst, std::span<const std::byte>(g_blob, n + 1)).error == BlobError::wrong_size);

  for (std::size_t i = 0; i < n; ++i) {
    for (std::uint8_t flip : {0x01, 0x80, 0xFF}) {
      std::memcpy(g_other, g_blob, n);
      g_other[i] ^= std::byte{flip};
      const BlobResult r = load_weights(dst, std::span<const std::byte>(g_other, n));
      if (r) FAIL_CHECK("corruption at byte " << i << " was accepted");
      CHECK(r.reason != nullptr);
      refused += !r;
    }
  }
  CHECK(refused == n + 3 * n);
  CHECK(same_parameters(dst, before));

  // Which check fires, for a few cases.
  std::memcpy(g_other, g_blob, n);
  g_other[0] = std::byte{'X'};
  CHECK(load_weights(dst, std::span<const std::byte>(g_other, n)).error == BlobError::bad_magic);
  std::memcpy(g_other, g_blob, n);
  g_other[4] = std::byte{2};
  CHECK(load_weights(dst, std::span<const std::byte>(g_other, n)).error == BlobError::bad_version);
  std::memcpy(g_other, g_blob, n);
  g_other[40] ^= std::byte{1};
  const BlobResult crc = load_weights(dst, std::span<const std::byte>(g_other, n));
  CHECK(crc.error == BlobError::bad_checksum);
  CHECK(crc.offset == n - 4);
  CHECK(same_parameters(dst, before));

  // The untouched blob loads.
  REQUIRE(load_weights(dst, std::span<const std::byte>(g_blob, n)));
  CHECK(same_parameters(dst, src));
}

TEST_CASE("a blob of another architecture, a non-finite weight, a short output buffer") {
  using OtherAct = Sequential<float, Shape<4>, Dense<3>, Tanh, Dense<2>>;
  static OtherAct other{};
  static Tiny dst{}, before{};
  fill(other, 21);
  fill(dst, 22);
  before = dst;
  constexpr std::size_t n = weight_blob_bytes<Tiny>;
  REQUIRE(save_weights(other, std::span<std::byte>(g_blob, n)));
  const BlobResult r = load_weights(dst, std::span<const std::byte>(g_blob, n));
  CHECK(r.error == BlobError::wrong_model);
  CHECK(std::string_view(r.reason).find("different model") != std::string_view::npos);
  CHECK(same_parameters(dst, before));

  static Tiny nan_net{};
  fill(nan_net, 23);
  nan_net.layer<2>().bias[1] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE(save_weights(nan_net, std::span<std::byte>(g_blob, n)));  // saving is faithful
  const BlobResult v = load_weights(dst, std::span<const std::byte>(g_blob, n));
  CHECK(v.error == BlobError::bad_value);
  CHECK(v.offset == n - 4 - 4);  // the last float before the CRC
  CHECK(same_parameters(dst, before));

  const BlobResult s = save_weights(dst, std::span<std::byte>(g_blob, n - 1));
  CHECK(s.error == BlobError::buffer_too_small);
}

TEST_CASE("an int8 model (post-training quantized) round-trips with its requantization data") {
  using Net = Sequential<float, Shape<6, 6, 2>, Conv2D<4, Kernel<3, 3>, Same>, ReLU, DepthwiseConv2D<Kernel<3, 3>, Same>,
                         ReLU, Conv2D<8, Kernel<1, 1>>, ReLU, GlobalAveragePool, Dense<3>, Softmax<>>;
  static Net net{};
  fill(net, 31);
  static std::array<Net::input_type, 8> calib{};
  for (std::size_t i = 0; i < calib.size(); ++i) fill_input(calib[i], static_cast<std::uint32_t>(40 + i));
  static const auto q = quant::quantize(net, calib);
  using Q = std::remove_cvref_t<decltype(q.model)>;
  static Q loaded{};
  constexpr std::size_t n = weight_blob_bytes<Q>;
  static_assert(n <= sizeof(g_blob));
  REQUIRE(save_weights(q.model, std::span<std::byte>(g_blob, n)));
  REQUIRE(load_weights(loaded, std::span<const std::byte>(g_blob, n)));
  // Derived data is recomputed by prepare(), requantization data is carried.
  CHECK(loaded.layer<0>().effective_bias == q.model.layer<0>().effective_bias);
  CHECK(loaded.layer<0>().multiplier == q.model.layer<0>().multiplier);
  CHECK(loaded.layer<0>().input_zero_point == q.model.layer<0>().input_zero_point);
  static Q::input_type x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int8_t>(static_cast<int>(i * 37 % 256) - 128);
  static Q::output_type ya{}, yb{};
  alignas(16) static std::byte arena[Q::arena_bytes];
  q.model(x, ya, arena);
  loaded(x, yb, arena);
  CHECK(ya == yb);
}

namespace {

// Index of the record whose first element is `member` (a tensor or scalar inside net), in blob order.
template <class Net>
std::size_t record_index_of(Net& net, const void* member) {
  std::size_t k = 0, found = ~std::size_t{0};
  serial::for_each_owner(net, [&](auto& layer) {
    std::apply([&](auto&... item) {
      ((serial::records_of(item, [&](auto* data, std::size_t) {
         if (static_cast<const void*>(data) == member) found = k;
         ++k;
       })),
       ...);
    }, serial::items_of(layer));
  });
  return found;
}

// Byte offset of the first element of record k.
std::size_t record_data_offset(const std::byte* blob, std::size_t k) {
  std::size_t at = serial::header_bytes;
  for (std::size_t r = 0; r < k; ++r) {
    const auto code = static_cast<std::uint8_t>(serial::get(blob + at, 1));
    at += serial::record_header_bytes + serial::get(blob + at + 4, 4) * serial::code_size(code);
  }
  return at + serial::record_header_bytes;
}

// A crafted blob: one element rewritten and the CRC recomputed, so only the value checks can
// refuse it.
void rewrite(std::byte* blob, std::size_t n, std::size_t offset, std::uint64_t v, std::size_t bytes) {
  serial::put(blob + offset, v, bytes);
  serial::put(blob + n - 4, serial::crc32(std::span<const std::byte>(blob, n - 4)), 4);
}

// int8 model with every kind of int8 state: conv/dense output stages, a residual ADD, max pool,
// logistic, tanh, mean and softmax.
using Int8Float = Sequential<float, Shape<6, 6, 2>, Conv2D<4, Kernel<3, 3>, Same>, ReLU,
                             Residual<Block<Conv2D<4, Kernel<3, 3>, Same>, ReLU>>, MaxPool2D<Pool<2, 2>>, Sigmoid,
                             Conv2D<4, Kernel<1, 1>>, Tanh, GlobalAveragePool, Dense<3>, Softmax<>>;
using Int8Net = quant::quantized_t<Int8Float>;

const Int8Net& int8_model() {
  static const auto q = [] {
    static Int8Float net{};
    fill(net, 51);
    static std::array<Int8Float::input_type, 8> calib{};
    for (std::size_t i = 0; i < calib.size(); ++i) fill_input(calib[i], static_cast<std::uint32_t>(60 + i));
    return quant::quantize(net, calib);
  }();
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(q.model)>, Int8Net>);
  return q.model;
}

}  // namespace

TEST_CASE("fingerprints tell apart architectures whose blobs have the same size") {
  // Same weight count, other kernel shape.
  using K31 = Sequential<float, Shape<5, 5, 2>, Conv2D<3, Kernel<3, 1>, Same>, GlobalAveragePool, Dense<2>>;
  using K13 = Sequential<float, Shape<5, 5, 2>, Conv2D<3, Kernel<1, 3>, Same>, GlobalAveragePool, Dense<2>>;
  static_assert(weight_blob_bytes<K31> == weight_blob_bytes<K13>);
  static_assert(weight_blob_fingerprint<K31> != weight_blob_fingerprint<K13>);
  // Same weights, other stride.
  using S1 = Sequential<float, Shape<6, 6, 2>, Conv2D<3, Kernel<3, 3>, Same>, GlobalAveragePool, Dense<2>>;
  using S2 = Sequential<float, Shape<6, 6, 2>, Conv2D<3, Kernel<3, 3>, Same, Stride<2>>, GlobalAveragePool, Dense<2>>;
  static_assert(weight_blob_bytes<S1> == weight_blob_bytes<S2>);
  static_assert(weight_blob_fingerprint<S1> != weight_blob_fingerprint<S2>);
  // The same layers in the same order, a ReLU inside or after the residual body.
  using Inside = Sequential<float, Shape<4>, Residual<Block<Dense<4>, ReLU>>, Dense<2>>;
  using After = Sequential<float, Shape<4>, Residual<Block<Dense<4>>>, ReLU, Dense<2>>;
  static_assert(weight_blob_bytes<Inside> == weight_blob_bytes<After>);
  static_assert(weight_blob_fingerprint<Inside> != weight_blob_fingerprint<After>);

  static Inside src{};
  static After dst{}, before{};
  fill(src, 41);
  fill(dst, 42);
  before = dst;
  constexpr std::size_t n = weight_blob_bytes<Inside>;
  REQUIRE(save_weights(src, std::span<std::byte>(g_blob, n)));
  const BlobResult r = load_weights(dst, std::span<const std::byte>(g_blob, n));
  CHECK(r.error == BlobError::wrong_model);
  CHECK(same_parameters(dst, before));
}

TEST_CASE("an int8 model with residual ADD, pools, logistic, tanh, mean and softmax round-trips") {
  const Int8Net& q = int8_model();
  static Int8Net loaded{};
  constexpr std::size_t n = weight_blob_bytes<Int8Net>;
  static_assert(n <= sizeof(g_blob));
  REQUIRE(save_weights(q, std::span<std::byte>(g_blob, n)));
  const BlobResult r = load_weights(loaded, std::span<const std::byte>(g_blob, n));
  CHECK(std::string_view(r.reason) == "ok");
  REQUIRE(r);
  static Int8Net::input_type x{};
  static Int8Net::output_type ya{}, yb{};
  alignas(16) static std::byte arena[Int8Net::arena_bytes];
  for (std::uint32_t s = 0; s < 4; ++s) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int8_t>(static_cast<int>((i * 37 + s * 101) % 256) - 128);
    q(x, ya, arena);
    loaded(x, yb, arena);
    CHECK(ya == yb);
  }
}

TEST_CASE("values out of range in a blob with a valid CRC are refused with a reason; the model is intact") {
  const Int8Net& q = int8_model();
  static_assert(std::is_trivially_copyable_v<Int8Net>);
  static Int8Net dst{};
  static unsigned char before[sizeof(Int8Net)];
  dst = q;
  std::memcpy(before, &dst, sizeof(dst));
  constexpr std::size_t n = weight_blob_bytes<Int8Net>;
  REQUIRE(save_weights(q, std::span<std::byte>(g_blob, n)));

  const auto& conv = q.layer<0>();
  const auto& block = q.layer<1>();
  const auto& logistic = q.layer<3>();
  const auto& mean = q.layer<6>();
  const auto& softmax = q.layer<8>();
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(logistic.params)>, quant::fp::InputRescale>);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(block.add)>, quant::AddParams>);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(softmax.params)>, quant::SoftmaxParams>);
  struct Bad {
    const void* member;
    std::uint64_t value;
    std::size_t bytes;
    std::string_view reason;
  };
  const Bad cases[] = {
      {conv.shift.data(), static_cast<std::uint32_t>(40), 4, "shift"},
      {conv.shift.data(), static_cast<std::uint32_t>(-32), 4, "shift"},
      {conv.multiplier.data(), static_cast<std::uint32_t>(-5), 4, "multiplier"},
      {&conv.input_zero_point, 200, 4, "zero point"},
      {&conv.output_zero_point, static_cast<std::uint32_t>(-129), 4, "zero point"},
      {&conv.act_max, static_cast<std::uint32_t>(-129), 4, "act_min > act_max"},
      {&block.add.input1.shift, 31, 4, "shift"},
      {&block.add.output.value, static_cast<std::uint32_t>(-1), 4, "multiplier"},
      {&block.add.input2_offset, static_cast<std::uint32_t>(-128), 4, "offset"},
      {&block.add.output_offset, 128, 4, "zero point"},
      {&logistic.params.left_shift, 35, 4, "shift"},
      {&logistic.params.zero_point, 300, 4, "zero point"},
      {&mean.input_zero_point, 300, 4, "zero point"},
      {&softmax.params.input_left_shift, static_cast<std::uint32_t>(-1), 4, "left shift"},
      {&softmax.params.input_multiplier, 0x80000000u, 4, "multiplier"},
  };
  for (const Bad& c : cases) {
    const std::size_t k = record_index_of(q, c.member);
    REQUIRE(k != ~std::size_t{0});
    std::memcpy(g_other, g_blob, n);
    const std::size_t off = record_data_offset(g_other, k);
    rewrite(g_other, n, off, c.value, c.bytes);
    const BlobResult r = load_weights(dst, std::span<const std::byte>(g_other, n));
    const bool refused_as_expected = r.error == BlobError::bad_value && r.offset == off &&
                                     std::string_view(r.reason).find(c.reason) != std::string_view::npos;
    if (!refused_as_expected)
      FAIL_CHECK("record " << k << ": expected a value error mentioning \"" << c.reason << "\" at " << off << ", got \""
                           << r.reason << "\" at " << r.offset);
    CHECK(std::memcmp(before, &dst, sizeof(dst)) == 0);
  }

  // A float model: a negative BatchNorm variance.
  static ConvNet src{}, fdst{}, fbefore{};
  fill(src, 61);
  fill(fdst, 62);
  fbefore = fdst;
  constexpr std::size_t m = weight_blob_bytes<ConvNet>;
  REQUIRE(save_weights(src, std::span<std::byte>(g_blob, m)));
  const std::size_t kv = record_index_of(src, src.layer<1>().running_var.data());
  REQUIRE(kv != ~std::size_t{0});
  const std::size_t off = record_data_offset(g_blob, kv) + 2 * sizeof(float);
  rewrite(g_blob, m, off, std::bit_cast<std::uint32_t>(-0.5f), 4);
  const BlobResult r = load_weights(fdst, std::span<const std::byte>(g_blob, m));
  CHECK(r.error == BlobError::bad_value);
  CHECK(r.offset == off);
  CHECK(std::string_view(r.reason).find("variance") != std::string_view::npos);
  CHECK(same_parameters(fdst, fbefore));

  // A non-zero reserved header field is a format this reader does not know.
  REQUIRE(save_weights(src, std::span<std::byte>(g_blob, m)));
  rewrite(g_blob, m, 6, 1, 2);
  CHECK(load_weights(fdst, std::span<const std::byte>(g_blob, m)).error == BlobError::bad_version);
  CHECK(same_parameters(fdst, fbefore));
}

TEST_CASE("the int8 recurrent cells' requantization values are checked too (GRU, LSTM, SVDF)") {
  // Found by fuzz_update: a shift_in of 33025 passed the checks and shifted by 33025 in the GRU.
  using RNN = Chain<quant::QStreamingGRULayer<3, 4>, quant::QStreamingLSTMLayer<4, 2>, quant::QSVDFLayer<2, 2, 1, 3>>;
  static RNN src{}, dst{};
  static unsigned char before[sizeof(RNN)];
  static_assert(std::is_trivially_copyable_v<RNN>);
  constexpr std::size_t n = weight_blob_bytes<RNN>;
  static_assert(n <= sizeof(g_blob));
  REQUIRE(save_weights(src, std::span<std::byte>(g_blob, n)));
  REQUIRE(load_weights(dst, std::span<const std::byte>(g_blob, n)));
  std::memcpy(before, &dst, sizeof(dst));
  const auto& gru = src.layer<0>();
  const auto& lstm = src.layer<1>();
  const auto& svdf = src.layer<2>();
  struct Bad {
    const void* member;
    std::uint64_t value;
    std::string_view reason;
  };
  const Bad cases[] = {
      {gru.shift_in.data(), 33025, "shift"},
      {gru.shift_rec.data(), static_cast<std::uint32_t>(-40), "shift"},
      {gru.mult_in.data(), static_cast<std::uint32_t>(-7), "multiplier"},
      {&gru.hidden_zero_point, 300, "zero point"},
      {lstm.shift_rec.data(), 31, "shift"},
      {lstm.mult_rec.data(), 0x80000000u, "multiplier"},
      {&lstm.tanh_shift, 32, "tanh input shift"},
      {&lstm.tanh_shift, static_cast<std::uint32_t>(-1), "tanh input shift"},
      {&svdf.shift1, 64, "shift"},
      {&svdf.mult2, static_cast<std::uint32_t>(-1), "multiplier"},
      {&svdf.state_zero_point, 1000, "zero point"},
  };
  for (const Bad& c : cases) {
    const std::size_t k = record_index_of(src, c.member);
    REQUIRE(k != ~std::size_t{0});
    std::memcpy(g_other, g_blob, n);
    const std::size_t off = record_data_offset(g_other, k);
    rewrite(g_other, n, off, c.value, 4);
    const BlobResult r = load_weights(dst, std::span<const std::byte>(g_other, n));
    const bool refused_as_expected = r.error == BlobError::bad_value && r.offset == off &&
                                     std::string_view(r.reason).find(c.reason) != std::string_view::npos;
    if (!refused_as_expected)
      FAIL_CHECK("record " << k << ": expected a value error mentioning \"" << c.reason << "\" at " << off << ", got \""
                           << r.reason << "\" at " << r.offset);
    CHECK(std::memcmp(before, &dst, sizeof(dst)) == 0);
  }
}

TEST_CASE("a bool in a blob must be 0 or 1") {
  // BinaryConstLayer carries which operand the constant is (c - x or x - c) as a bool.
  using Net = Chain<BinaryConstLayer<float, Shape<2, 3>, 3, ConstOp::sub>>;
  static Net src{}, dst{}, before{};
  src.layer<0>().constant = {{0.5f, -1.0f, 2.0f}};
  src.layer<0>().constant_first = true;
  dst.layer<0>().constant = {{1.0f, 1.0f, 1.0f}};
  before = dst;
  constexpr std::size_t n = weight_blob_bytes<Net>;
  REQUIRE(save_weights(src, std::span<std::byte>(g_blob, n)));
  std::memcpy(g_other, g_blob, n);
  const std::size_t k = record_index_of(src, &src.layer<0>().constant_first);
  REQUIRE(k != ~std::size_t{0});
  const std::size_t off = record_data_offset(g_other, k);
  rewrite(g_other, n, off, 2, 1);
  const BlobResult r = load_weights(dst, std::span<const std::byte>(g_other, n));
  CHECK(r.error == BlobError::bad_value);
  CHECK(r.offset == off);
  CHECK(std::string_view(r.reason).find("bool") != std::string_view::npos);
  CHECK(std::memcmp(&before, &dst, sizeof(dst)) == 0);
  REQUIRE(load_weights(dst, std::span<const std::byte>(g_blob, n)).error == BlobError::none);
  CHECK(dst.layer<0>().constant_first);
  CHECK(dst.layer<0>().constant[2] == 2.0f);
}

TEST_CASE("a LeakyReLU's slope travels with the weights") {
  using Net = Sequential<float, Shape<4>, Dense<3>, LeakyReLU, Dense<2>>;
  static Net src{}, dst{};
  fill(src, 71);
  for (auto& w : src.layer<0>().weights) w -= 1.0f;  // some negative pre-activations
  src.layer<1>().alpha = 0.2f;
  constexpr std::size_t n = weight_blob_bytes<Net>;
  static_assert(n == weight_blob_bytes<Tiny> + 8 + 4);  // one more record: alpha
  REQUIRE(save_weights(src, std::span<std::byte>(g_blob, n)));
  REQUIRE(load_weights(dst, std::span<const std::byte>(g_blob, n)));
  CHECK(dst.layer<1>().alpha == 0.2f);
  Net::input_type x{};
  fill_input(x, 13);
  CHECK(src.infer(x) == dst.infer(x));
}
