// SPDX-License-Identifier: Apache-2.0
#pragma once
// Checking an update blob before anything is installed: the header (no key needed), the tag with
// the device's Verifier, then the policy (model, version, security counter). The blob is read in
// chunks through a callable, so it can sit in RAM (verify_update over a span) or in the flash
// slot it was written to (update/slots.hpp reads it back): no copy of the blob in RAM is needed.
//   read(offset, buffer, n) -> bool   (false: the source failed: reported as truncated)
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <ctml/update/update_blob.hpp>

namespace ctml::update {

template <Verifier V, class Read>
constexpr UpdateResult verify_update_source(V& verifier, std::size_t size, Read&& read, const DeviceState& device, UpdateHeader& h) {
  std::array<std::uint8_t, update_header_bytes> head{};
  if (size < update_header_bytes) return {UpdateError::truncated, "shorter than the 64-byte header"};
  if (!read(0, head.data(), head.size())) return {UpdateError::truncated, "the blob could not be read"};
  if (UpdateResult r = parse_update_header(head, size, h); !r) return r;
  if (!verifier.accepts(h.algorithm, h.key_id)) return {UpdateError::no_verifier, "no trusted key for the blob's algorithm and key id"};
  verifier.begin(h.algorithm, h.key_id);
  std::array<std::uint8_t, 64> chunk{};
  for (std::size_t at = 0; at < h.signed_bytes(); at += chunk.size()) {
    const std::size_t n = h.signed_bytes() - at < chunk.size() ? h.signed_bytes() - at : chunk.size();
    if (!read(at, chunk.data(), n)) return {UpdateError::truncated, "the blob could not be read"};
    verifier.update(chunk.data(), n);
  }
  std::array<std::uint8_t, 64> tag{};
  const std::size_t tn = tag_bytes(h.algorithm);
  if (!read(h.signed_bytes(), tag.data(), tn)) return {UpdateError::truncated, "the blob could not be read"};
  // The tag first: nothing about an unauthenticated blob is reported beyond that it is not.
  if (!verifier.finish(tag.data(), tn)) return {UpdateError::bad_tag, "the tag does not verify (not from a trusted key, or altered)"};
  return check_update_policy(h, device);
}

template <Verifier V>
constexpr UpdateResult verify_update(V& verifier, std::span<const std::uint8_t> blob, const DeviceState& device, UpdateHeader& h) {
  return verify_update_source(
      verifier, blob.size(),
      [&](std::size_t at, std::uint8_t* out, std::size_t n) {
        if (at > blob.size() || n > blob.size() - at) return false;
        for (std::size_t i = 0; i < n; ++i) out[i] = blob[at + i];
        return true;
      },
      device, h);
}

}  // namespace ctml::update
