// SPDX-License-Identifier: Apache-2.0
#pragma once
// SHA-256 (FIPS 180-4), streaming and constexpr, no allocation: the digest of model-update blobs
// and the hash under HMAC-SHA256 (update/hmac_sha256.hpp), which authenticates blobs on devices
// that have no public-key verifier.
//   Sha256 h;  h.update(bytes, n);  ...  auto digest = h.finish();   // std::array<uint8_t, 32>
//   auto d = sha256(bytes, n);                                         // one call
// Message schedule W[0..63] from each 64-byte block (big-endian words), 64 rounds of
//   T1 = h + S1(e) + Ch(e,f,g) + K[t] + W[t];  T2 = S0(a) + Maj(a,b,c)
// then the padding: 0x80, zeros, the bit length as a big-endian 64-bit number. Tested against
// the NIST example vectors (tests/update/test_sha256.cpp), at run time and in constant evaluation.
#include <array>
#include <cstddef>
#include <cstdint>

namespace ctml::update {

class Sha256 {
 public:
  using digest_type = std::array<std::uint8_t, 32>;
  static constexpr std::size_t block_size = 64;

  constexpr void update(const std::uint8_t* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      block_[fill_++] = data[i];
      if (fill_ == block_size) {
        compress();
        fill_ = 0;
      }
    }
    length_ += static_cast<std::uint64_t>(n);
  }

  // The digest; the object is then spent (reset() to reuse it).
  constexpr digest_type finish() {
    const std::uint64_t bits = length_ * 8u;
    block_[fill_++] = 0x80;
    if (fill_ > block_size - 8) {
      while (fill_ < block_size) block_[fill_++] = 0;
      compress();
      fill_ = 0;
    }
    while (fill_ < block_size - 8) block_[fill_++] = 0;
    for (int k = 7; k >= 0; --k) block_[fill_++] = static_cast<std::uint8_t>(bits >> (8 * k));
    compress();
    digest_type d{};
    for (std::size_t i = 0; i < 8; ++i)
      for (std::size_t k = 0; k < 4; ++k) d[4 * i + k] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * k));
    return d;
  }

  constexpr void reset() { *this = Sha256{}; }

 private:
  static constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
  static constexpr std::array<std::uint32_t, 64> k_ = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
      0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
      0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
      0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
      0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
      0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

  constexpr void compress() {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t t = 0; t < 16; ++t)
      w[t] = static_cast<std::uint32_t>(block_[4 * t]) << 24 | static_cast<std::uint32_t>(block_[4 * t + 1]) << 16 |
             static_cast<std::uint32_t>(block_[4 * t + 2]) << 8 | static_cast<std::uint32_t>(block_[4 * t + 3]);
    for (std::size_t t = 16; t < 64; ++t) {
      const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (std::size_t t = 0; t < 64; ++t) {
      const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k_[t] + w[t];
      const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d, h_[4] += e, h_[5] += f, h_[6] += g, h_[7] += h;
  }

  std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint8_t, block_size> block_{};
  std::size_t fill_ = 0;
  std::uint64_t length_ = 0;
};

constexpr Sha256::digest_type sha256(const std::uint8_t* data, std::size_t n) {
  Sha256 h;
  h.update(data, n);
  return h.finish();
}

}  // namespace ctml::update
