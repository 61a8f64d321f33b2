// SPDX-License-Identifier: Apache-2.0
// Update blobs (update/update_blob.hpp, verify.hpp): a correctly made blob verifies; every
// single-bit flip anywhere in it, every truncation and an extra byte are refused, each with its
// reason; a blob for another model, an older or equal version, a security counter below the
// device's floor, an untrusted key id or a wrong key are refused even when correctly tagged.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/make_update_blob.hpp>
#include <ctml/update/verify.hpp>

namespace {
using namespace ctml::update;

constexpr std::array<std::uint8_t, 32> key_of(std::uint8_t seed) {
  std::array<std::uint8_t, 32> k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
  return k;
}
constexpr auto key1 = key_of(1), key2 = key_of(2);

std::array<std::uint8_t, 40> payload = [] {
  std::array<std::uint8_t, 40> p{};
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i * 13);
  return p;
}();
std::array<std::uint8_t, 12> self_test{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

constexpr DeviceState device{0x1122334455667788ull, 3, 2};

std::array<std::uint8_t, 256> blob{};
std::size_t make(UpdateHeader h, const std::array<std::uint8_t, 32>& key) {
  return write_update_blob_hmac(blob, h, payload, self_test, key.data(), key.size());
}
UpdateHeader fields(std::uint32_t version, std::uint32_t counter, std::uint64_t fingerprint = device.fingerprint, std::uint32_t key_id = 1) {
  UpdateHeader h;
  h.fingerprint = fingerprint;
  h.model_version = version;
  h.security_counter = counter;
  h.key_id = key_id;
  return h;
}
UpdateResult check(std::size_t n, const DeviceState& d = device) {
  HmacVerifier<2> v{{{{1, key1}, {7, key2}}}};
  UpdateHeader h;
  return verify_update(v, std::span<const std::uint8_t>(blob.data(), n), d, h);
}
}  // namespace

TEST_CASE("an update blob made with a trusted key verifies, and its header reads back") {
  const std::size_t n = make(fields(4, 2), key1);
  REQUIRE(n == update_blob_bytes(payload.size(), self_test.size(), TagAlgorithm::hmac_sha256));
  CHECK(static_cast<bool>(check(n)));
  UpdateHeader h;
  REQUIRE(parse_update_header(std::span<const std::uint8_t>(blob.data(), n), n, h));
  CHECK(h.fingerprint == device.fingerprint);
  CHECK(h.model_version == 4);
  CHECK(h.security_counter == 2);
  CHECK(h.payload_bytes == payload.size());
  CHECK(h.self_test_bytes == self_test.size());
  CHECK(h.total_bytes() == n);
}

TEST_CASE("every bit flip, every truncation and an extra byte are refused with a reason") {
  const std::size_t n = make(fields(4, 2), key1);
  const auto good = blob;
  std::size_t refused = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (int bit = 0; bit < 8; ++bit) {
      blob = good;
      blob[i] = static_cast<std::uint8_t>(blob[i] ^ (1u << bit));
      const UpdateResult r = check(n);
      refused += !r;
      CHECK(std::string_view(r.reason) != "ok");
    }
  CHECK(refused == n * 8);
  blob = good;
  for (std::size_t len = 0; len < n; ++len) CHECK(check(len).error != UpdateError::none);
  CHECK(check(n - 1).error == UpdateError::truncated);
  CHECK(check(n + 1).error == UpdateError::too_long);
  CHECK(check(n));
}

TEST_CASE("policy and keys: other model, not newer, downgrade, untrusted key id, wrong key") {
  CHECK(check(make(fields(4, 2, 0x99), key1)).error == UpdateError::wrong_model);
  CHECK(check(make(fields(3, 2), key1)).error == UpdateError::not_newer);
  CHECK(check(make(fields(2, 2), key1)).error == UpdateError::not_newer);
  CHECK(check(make(fields(9, 1), key1)).error == UpdateError::rolled_back);  // signed, newer, but below the floor
  CHECK(check(make(fields(4, 2, device.fingerprint, 5), key1)).error == UpdateError::no_verifier);
  CHECK(check(make(fields(4, 2, device.fingerprint, 7), key1)).error == UpdateError::bad_tag);  // id 7 holds key2
  CHECK(check(make(fields(4, 2, device.fingerprint, 7), key2)));
  // Header checks that need no key.
  std::size_t n = make(fields(4, 2), key1);
  blob[32] = 9;
  CHECK(check(n).error == UpdateError::unknown_algorithm);
  n = make(fields(4, 2), key1);
  blob[50] = 1;
  CHECK(check(n).error == UpdateError::bad_header);
  n = make(fields(4, 2), key1);
  blob[0] = 'X';
  CHECK(check(n).error == UpdateError::bad_magic);
  // A payload size that would overflow 32 bits with the rest: refused, not wrapped.
  n = make(fields(4, 2), key1);
  blob[24] = blob[25] = blob[26] = blob[27] = 0xFF;
  CHECK(check(n).error == UpdateError::truncated);
}
