// SPDX-License-Identifier: Apache-2.0
#pragma once
// Writing an update blob (update/update_blob.hpp) with an HMAC-SHA256 tag: what tests and the
// QEMU firmware use to make blobs; the ctml-blob host tool also signs with Ed25519.
//   std::size_t n = update_blob_bytes(payload_n, self_test_n, TagAlgorithm::hmac_sha256);
//   write_update_blob_hmac(out, header_fields, payload, self_test, key)   -> bytes written, 0 on
//   a short output
#include <cstddef>
#include <cstdint>
#include <span>
#include <ctml/update/hmac_sha256.hpp>
#include <ctml/update/update_blob.hpp>

namespace ctml::update {

constexpr std::size_t update_blob_bytes(std::size_t payload, std::size_t self_test, TagAlgorithm a) {
  return update_header_bytes + payload + self_test + tag_bytes(a);
}

// The 64 header bytes of h (its sizes as given).
constexpr void write_update_header(std::uint8_t* out, const UpdateHeader& h) {
  for (std::size_t i = 0; i < update_header_bytes; ++i) out[i] = 0;
  out[0] = 'C', out[1] = 'T', out[2] = 'U', out[3] = 'P';
  out[4] = update_blob_version & 0xFF, out[5] = update_blob_version >> 8;
  out[6] = update_header_bytes & 0xFF, out[7] = 0;
  detail::put32(out + 8, static_cast<std::uint32_t>(h.fingerprint));
  detail::put32(out + 12, static_cast<std::uint32_t>(h.fingerprint >> 32));
  detail::put32(out + 16, h.model_version);
  detail::put32(out + 20, h.security_counter);
  detail::put32(out + 24, h.payload_bytes);
  detail::put32(out + 28, h.self_test_bytes);
  out[32] = static_cast<std::uint8_t>(h.algorithm);
  detail::put32(out + 36, h.key_id);
}

constexpr std::size_t write_update_blob_hmac(std::span<std::uint8_t> out, UpdateHeader h, std::span<const std::uint8_t> payload,
                                             std::span<const std::uint8_t> self_test, const std::uint8_t* key, std::size_t key_len) {
  h.algorithm = TagAlgorithm::hmac_sha256;
  h.payload_bytes = static_cast<std::uint32_t>(payload.size());
  h.self_test_bytes = static_cast<std::uint32_t>(self_test.size());
  if (out.size() < h.total_bytes()) return 0;
  write_update_header(out.data(), h);
  std::size_t at = update_header_bytes;
  for (std::uint8_t b : payload) out[at++] = b;
  for (std::uint8_t b : self_test) out[at++] = b;
  const auto tag = hmac_sha256(key, key_len, out.data(), at);
  for (std::uint8_t b : tag) out[at++] = b;
  return at;
}

}  // namespace ctml::update
