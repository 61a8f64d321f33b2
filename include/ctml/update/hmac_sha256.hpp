// SPDX-License-Identifier: Apache-2.0
#pragma once
// HMAC-SHA256 (RFC 2104, FIPS 198-1) over update/sha256.hpp, streaming and constexpr: the
// authentication tag of model-update blobs on devices that hold a provisioned secret key instead
// of a public-key verifier (the QEMU firmware tests; docs/updates.md's threat model says what
// that does and does not protect).
//   HmacSha256 m(key, key_len);  m.update(bytes, n);  auto tag = m.finish();
//   HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m)),  K0 = K padded (or hashed, if longer
//   than 64 bytes) to 64 bytes, ipad = 0x36.., opad = 0x5c..
// Tags are compared in constant time (tags_equal): the comparison's duration does not depend on
// where two tags first differ. Tested against RFC 4231's vectors.
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctml/update/sha256.hpp>

namespace ctml::update {

class HmacSha256 {
 public:
  using tag_type = Sha256::digest_type;

  constexpr HmacSha256(const std::uint8_t* key, std::size_t key_len) {
    std::array<std::uint8_t, Sha256::block_size> k0{};
    if (key_len > Sha256::block_size) {
      const auto d = sha256(key, key_len);
      for (std::size_t i = 0; i < d.size(); ++i) k0[i] = d[i];
    } else {
      for (std::size_t i = 0; i < key_len; ++i) k0[i] = key[i];
    }
    std::array<std::uint8_t, Sha256::block_size> pad{};
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = static_cast<std::uint8_t>(k0[i] ^ 0x36);
    inner_.update(pad.data(), pad.size());
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = static_cast<std::uint8_t>(k0[i] ^ 0x5c);
    outer_.update(pad.data(), pad.size());
  }

  constexpr void update(const std::uint8_t* data, std::size_t n) { inner_.update(data, n); }

  // The tag; the object is then spent.
  constexpr tag_type finish() {
    const auto inner = inner_.finish();
    outer_.update(inner.data(), inner.size());
    return outer_.finish();
  }

 private:
  Sha256 inner_{}, outer_{};
};

constexpr HmacSha256::tag_type hmac_sha256(const std::uint8_t* key, std::size_t key_len, const std::uint8_t* data, std::size_t n) {
  HmacSha256 m(key, key_len);
  m.update(data, n);
  return m.finish();
}

// Constant-time equality of two tags (every byte is compared, whatever the first difference).
constexpr bool tags_equal(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < n; ++i) diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

}  // namespace ctml::update
