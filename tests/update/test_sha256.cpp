// SPDX-License-Identifier: Apache-2.0
// SHA-256 against the NIST example vectors (FIPS 180-4's "abc", the empty message, the 448- and
// 896-bit messages, one million 'a') and HMAC-SHA256 against RFC 4231 (test cases 1, 2, 3 and 6:
// short key, text key, 0xdd data, key longer than a block); streaming in every chunk size equals
// one call; the same digests in constant evaluation. Runs on the host and under QEMU.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string_view>

#include <ctml/update/hmac_sha256.hpp>
#include <ctml/update/sha256.hpp>

namespace {
using ctml::update::Sha256;

constexpr std::array<std::uint8_t, 32> hex(std::string_view h) {
  std::array<std::uint8_t, 32> out{};
  auto nib = [](char c) { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
  for (std::size_t i = 0; i < 32; ++i) out[i] = static_cast<std::uint8_t>(nib(h[2 * i]) << 4 | nib(h[2 * i + 1]));
  return out;
}
const std::uint8_t* bytes(std::string_view s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }
Sha256::digest_type of(std::string_view s) { return ctml::update::sha256(bytes(s), s.size()); }

// In constant evaluation too (no reinterpret_cast there: the bytes of "abc" spelled out).
constexpr std::array<std::uint8_t, 3> abc = {'a', 'b', 'c'};
static_assert(ctml::update::sha256(abc.data(), abc.size()) == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}  // namespace

TEST_CASE("SHA-256: the NIST example vectors") {
  CHECK(of("abc") == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  CHECK(of("") == hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  CHECK(of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
        hex("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
  Sha256 h;
  static const std::array<std::uint8_t, 1000> a = [] {
    std::array<std::uint8_t, 1000> v{};
    v.fill('a');
    return v;
  }();
  for (int i = 0; i < 1000; ++i) h.update(a.data(), a.size());
  CHECK(h.finish() == hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

TEST_CASE("SHA-256: streaming in any chunk size gives the one-call digest") {
  static std::array<std::uint8_t, 300> msg{};
  for (std::size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<std::uint8_t>(i * 7 + 3);
  for (std::size_t len : {0u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u, 300u}) {
    const auto one = ctml::update::sha256(msg.data(), len);
    for (std::size_t chunk : {1u, 3u, 63u, 64u, 100u}) {
      Sha256 h;
      for (std::size_t at = 0; at < len; at += chunk) h.update(msg.data() + at, len - at < chunk ? len - at : chunk);
      CHECK(h.finish() == one);
    }
  }
}

TEST_CASE("HMAC-SHA256: RFC 4231 test cases 1, 2, 3 and 6; constant-time tag comparison") {
  std::array<std::uint8_t, 131> key{};
  key.fill(0x0b);
  const std::string_view hi = "Hi There";
  CHECK(ctml::update::hmac_sha256(key.data(), 20, bytes(hi), hi.size()) ==
        hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
  const std::string_view jefe = "Jefe", what = "what do ya want for nothing?";
  CHECK(ctml::update::hmac_sha256(bytes(jefe), jefe.size(), bytes(what), what.size()) ==
        hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  key.fill(0xaa);
  std::array<std::uint8_t, 50> dd{};
  dd.fill(0xdd);
  CHECK(ctml::update::hmac_sha256(key.data(), 20, dd.data(), dd.size()) ==
        hex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"));
  const std::string_view large = "Test Using Larger Than Block-Size Key - Hash Key First";
  const auto tag = ctml::update::hmac_sha256(key.data(), 131, bytes(large), large.size());
  CHECK(tag == hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
  auto other = tag;
  CHECK(ctml::update::tags_equal(tag.data(), other.data(), 32));
  other[31] ^= 1;
  CHECK_FALSE(ctml::update::tags_equal(tag.data(), other.data(), 32));
}
