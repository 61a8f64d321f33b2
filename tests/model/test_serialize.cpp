// SPDX-License-Identifier: Apache-2.0
// Weight blobs (ctml/model/serialize.hpp): round trips of float, aggregate (PFR) and int8 models,
// and every way a blob can be wrong — each refused with a reason while the model keeps its
// weights. No heap anywhere (STRICT_NO_HEAP).
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include <ctml/layers/batchnorm.hpp>
#include <ctml/model/sequential.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/quant/quantize_model.hpp>

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
