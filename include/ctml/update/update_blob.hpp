// SPDX-License-Identifier: Apache-2.0
#pragma once
// The model-update blob: a weight blob (model/serialize.hpp) wrapped with what a device needs to
// decide whether to install it: which model it is for, its version, the security counter it
// raises, the self-test it must pass, and an authentication tag over all of it.
//
// Layout (little-endian; docs/updates.md has the threat model):
//   offset  0  4 bytes  magic "CTUP"
//           4  u16      format version (1)
//           6  u16      header size (64)
//           8  u64      model fingerprint (weight_blob_fingerprint<Net> of the model it updates)
//          16  u32      model version (installed only if above the running model's)
//          20  u32      security counter (the version floor it sets once confirmed; refused if
//                       below the device's floor, so even a correctly signed old blob cannot
//                       downgrade)
//          24  u32      payload size (the weight blob)
//          28  u32      self-test size (golden inputs and expected output bytes; layout:
//                       update/self_test.hpp)
//          32  u8       tag algorithm (1: HMAC-SHA256, 32 bytes; 2: Ed25519, 64 bytes)
//          33  u8[3]    zero
//          36  u32      key id (which provisioned key or public key)
//          40  u8[24]   zero
//          64  payload, then the self-test section, then the tag over every byte before it
// parse_update_header checks everything that needs no key: the magic, version, reserved bytes,
// sizes consistent with the blob's length (no overflow), a known algorithm. The tag is checked by
// a Verifier (below) the firmware supplies; the policy (model, versions, counter) by
// check_update_policy. Each check reports its reason; nothing is written anywhere.
#include <cstddef>
#include <cstdint>
#include <span>

namespace ctml::update {

inline constexpr std::uint16_t update_blob_version = 1;
inline constexpr std::size_t update_header_bytes = 64;

enum class TagAlgorithm : std::uint8_t { hmac_sha256 = 1, ed25519 = 2 };

constexpr std::size_t tag_bytes(TagAlgorithm a) { return a == TagAlgorithm::hmac_sha256 ? 32 : (a == TagAlgorithm::ed25519 ? 64 : 0); }

struct UpdateHeader {
  std::uint64_t fingerprint = 0;
  std::uint32_t model_version = 0, security_counter = 0;
  std::uint32_t payload_bytes = 0, self_test_bytes = 0;
  TagAlgorithm algorithm = TagAlgorithm::hmac_sha256;
  std::uint32_t key_id = 0;

  constexpr std::size_t payload_offset() const { return update_header_bytes; }
  constexpr std::size_t self_test_offset() const { return update_header_bytes + payload_bytes; }
  constexpr std::size_t signed_bytes() const { return update_header_bytes + payload_bytes + self_test_bytes; }
  constexpr std::size_t total_bytes() const { return signed_bytes() + tag_bytes(algorithm); }
};

enum class UpdateError : std::uint8_t {
  none,
  truncated,         // shorter than its header says
  too_long,          // longer than its header says
  bad_magic,
  bad_version,
  bad_header,        // header size, reserved bytes, or sizes that overflow
  unknown_algorithm,
  no_verifier,       // an algorithm this device cannot check
  bad_tag,           // not signed by a key the device trusts, or altered
  wrong_model,       // for another model (fingerprint)
  not_newer,         // model version not above the running one
  rolled_back,       // security counter below the device's floor
  bad_payload,       // the weight blob inside does not load (its own reason in detail)
  self_test_failed,  // the installed model does not reproduce its golden outputs
};

struct UpdateResult {
  UpdateError error = UpdateError::none;
  const char* reason = "ok";  // a static string
  constexpr explicit operator bool() const noexcept { return error == UpdateError::none; }
};

namespace detail {
constexpr std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 | static_cast<std::uint32_t>(p[2]) << 16 |
         static_cast<std::uint32_t>(p[3]) << 24;
}
constexpr std::uint64_t le64(const std::uint8_t* p) { return le32(p) | static_cast<std::uint64_t>(le32(p + 4)) << 32; }
constexpr void put32(std::uint8_t* p, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) p[k] = static_cast<std::uint8_t>(v >> (8 * k));
}
}  // namespace detail

// The header of a blob of `size` bytes whose first bytes are `head` (at least 64 of them, or
// all of a shorter blob).
constexpr UpdateResult parse_update_header(std::span<const std::uint8_t> head, std::size_t size, UpdateHeader& h) {
  if (head.size() < update_header_bytes || size < update_header_bytes) return {UpdateError::truncated, "shorter than the 64-byte header"};
  const std::uint8_t* p = head.data();
  if (p[0] != 'C' || p[1] != 'T' || p[2] != 'U' || p[3] != 'P') return {UpdateError::bad_magic, "not a ctml update blob (magic)"};
  if ((p[4] | p[5] << 8) != update_blob_version) return {UpdateError::bad_version, "unknown update blob format version"};
  if ((p[6] | p[7] << 8) != update_header_bytes) return {UpdateError::bad_header, "header size is not 64"};
  for (std::size_t i : {33u, 34u, 35u})
    if (p[i] != 0) return {UpdateError::bad_header, "reserved header bytes are not zero"};
  for (std::size_t i = 40; i < 64; ++i)
    if (p[i] != 0) return {UpdateError::bad_header, "reserved header bytes are not zero"};
  h.fingerprint = detail::le64(p + 8);
  h.model_version = detail::le32(p + 16);
  h.security_counter = detail::le32(p + 20);
  h.payload_bytes = detail::le32(p + 24);
  h.self_test_bytes = detail::le32(p + 28);
  h.algorithm = static_cast<TagAlgorithm>(p[32]);
  h.key_id = detail::le32(p + 36);
  if (tag_bytes(h.algorithm) == 0) return {UpdateError::unknown_algorithm, "unknown tag algorithm"};
  // In 64 bits: two u32 sizes and the header cannot overflow.
  const std::uint64_t total = std::uint64_t{update_header_bytes} + h.payload_bytes + h.self_test_bytes + tag_bytes(h.algorithm);
  if (total > size) return {UpdateError::truncated, "shorter than its header says (truncated)"};
  if (total < size) return {UpdateError::too_long, "longer than its header says"};
  return {};
}

// What the device knows when a blob arrives.
struct DeviceState {
  std::uint64_t fingerprint = 0;       // of the model type it runs
  std::uint32_t model_version = 0;     // of the model it runs
  std::uint32_t security_counter = 0;  // the floor: only rises
};

constexpr UpdateResult check_update_policy(const UpdateHeader& h, const DeviceState& d) {
  if (h.fingerprint != d.fingerprint) return {UpdateError::wrong_model, "the blob is for another model (fingerprint)"};
  if (h.security_counter < d.security_counter) return {UpdateError::rolled_back, "security counter below the device's floor (downgrade)"};
  if (h.model_version <= d.model_version) return {UpdateError::not_newer, "model version not above the running model's"};
  return {};
}

// A verifier checks a tag over a message given in pieces (the blob is read back from flash in
// chunks): the firmware supplies one per algorithm it trusts (HMAC with a provisioned key:
// update/hmac_verifier.hpp; Ed25519 on the host through libsodium: tools/ctml-blob; PSA Crypto or
// mbedTLS on a real part).
template <class V>
concept Verifier = requires(V& v, const std::uint8_t* p, std::size_t n, std::uint32_t key_id, TagAlgorithm a) {
  { v.accepts(a, key_id) } -> std::same_as<bool>;  // a key for this algorithm and id
  v.begin(a, key_id);
  v.update(p, n);
  { v.finish(p, n) } -> std::same_as<bool>;  // the tag, its length: true iff it verifies
};

}  // namespace ctml::update
