// SPDX-License-Identifier: Apache-2.0
#pragma once
// An update::Verifier for HMAC-SHA256 tags with keys provisioned on the device (an id and 32
// bytes each): what the QEMU firmware tests use, and a device without a public-key verifier can
// use. A secret key on the device authenticates updates only as long as no device's key leaks
// (docs/updates.md, threat model); Ed25519 signatures do not have that weakness.
//   HmacVerifier<2> v{{{1, key1}, {7, key7}}};
//   verify_update_tag(v, blob)   // update/verify.hpp
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctml/update/hmac_sha256.hpp>
#include <ctml/update/update_blob.hpp>

namespace ctml::update {

struct ProvisionedKey {
  std::uint32_t id = 0;
  std::array<std::uint8_t, 32> key{};
};

template <std::size_t Keys>
class HmacVerifier {
 public:
  constexpr explicit HmacVerifier(const std::array<ProvisionedKey, Keys>& keys) : keys_(keys) {}

  constexpr bool accepts(TagAlgorithm a, std::uint32_t key_id) const { return a == TagAlgorithm::hmac_sha256 && find(key_id) < Keys; }
  constexpr void begin(TagAlgorithm, std::uint32_t key_id) {
    const std::size_t k = find(key_id);
    mac_ = HmacSha256(keys_[k < Keys ? k : 0].key.data(), 32);
  }
  constexpr void update(const std::uint8_t* p, std::size_t n) { mac_.update(p, n); }
  constexpr bool finish(const std::uint8_t* tag, std::size_t n) {
    const auto t = mac_.finish();
    return n == t.size() && tags_equal(t.data(), tag, n);
  }

 private:
  constexpr std::size_t find(std::uint32_t id) const {
    for (std::size_t k = 0; k < Keys; ++k)
      if (keys_[k].id == id) return k;
    return Keys;
  }
  std::array<ProvisionedKey, Keys> keys_;
  HmacSha256 mac_{nullptr, 0};
};

}  // namespace ctml::update
