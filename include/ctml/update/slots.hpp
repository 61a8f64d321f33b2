// SPDX-License-Identifier: Apache-2.0
#pragma once
// A/B model slots on NOR flash with a commit record: install, trial boot, confirm or revert,
// surviving a power cut at any step (the scheme of MCUboot's swap-with-revert, for model blobs).
//
// Flash layout (any update::Flash): slot 0 and slot 1 of SlotPages pages each, then two pages of
// commit records. A record is 64 bytes, appended to the current record page (a page holds
// page_size / 64 of them); when a page is full the other page is erased and the log continues
// there. Each record (128 bytes):
//   magic "CTCR", sequence number (u32, +1 per record), the active slot, its state (pending,
//   trial, confirmed), the active model's version, blob size and SHA-256, the same three of the
//   previous model (for a revert), the security counter floor and the pending blob's counter,
//   CRC-32 of the 124 bytes before it.
// Boot reads every record of both pages and takes the valid one (magic, CRC) with the highest
// sequence number: a torn record write is never valid, so the one before it stands.
//
// Life of an update (SlotManager):
//   install(blob)  the blob must verify against the running state (verify.hpp); it is written to
//                  the inactive slot, read back and verified again from flash (a write error is
//                  caught there), then a record {active: that slot, pending} is appended;
//   boot()         pending -> a record {trial} is appended and the trial model runs; trial (it
//                  was booted once and never confirmed) -> a record reverting to the previous
//                  slot, confirmed; otherwise the active slot. If that record cannot be
//                  written (a failing flash), the previous model runs and the next boot tries
//                  again; the chosen slot's SHA-256 is checked against its record every boot;
//   confirm()      after the model passed its self-test: {confirmed}, the security counter floor
//                  raised to the blob's;
//   revert()       a failed self-test: back to the previous slot at once.
// Until the record that names it is complete, a slot's content is never chosen, so a power cut
// anywhere leaves the device running exactly the previous model or exactly the installed one.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <ctml/update/nor_flash.hpp>
#include <ctml/update/sha256.hpp>
#include <ctml/update/verify.hpp>

namespace ctml::update {

enum class SlotState : std::uint8_t { empty = 0, pending = 1, trial = 2, confirmed = 3 };

struct CommitRecord {
  std::uint32_t sequence = 0;
  std::uint8_t active = 0;  // slot 0 or 1
  SlotState state = SlotState::empty;
  std::uint8_t previous = 0;
  std::uint32_t version = 0, previous_version = 0;
  std::uint32_t floor = 0;  // the security counter floor
  std::uint32_t blob_bytes = 0, previous_bytes = 0;
  std::uint32_t pending_counter = 0;  // the installed blob's security counter (raised on confirm)
  Sha256::digest_type digest{}, previous_digest{};  // of the active / previous slot's blob
};

namespace detail {
inline constexpr std::size_t record_bytes = 128;

constexpr std::uint32_t crc32_bytes(const std::uint8_t* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// magic(4) sequence(4) active(1) state(1) previous(1) zero(1) version(4) previous_version(4)
// floor(4) blob_bytes(4) previous_bytes(4) pending_counter(4) zero(24) digest(32)
// previous_digest(32) crc(4)
constexpr void encode(const CommitRecord& r, std::uint8_t* out) {
  for (std::size_t i = 0; i < record_bytes; ++i) out[i] = 0;
  out[0] = 'C', out[1] = 'T', out[2] = 'C', out[3] = 'R';
  put32(out + 4, r.sequence);
  out[8] = r.active, out[9] = static_cast<std::uint8_t>(r.state), out[10] = r.previous;
  put32(out + 12, r.version);
  put32(out + 16, r.previous_version);
  put32(out + 20, r.floor);
  put32(out + 24, r.blob_bytes);
  put32(out + 28, r.previous_bytes);
  put32(out + 32, r.pending_counter);
  for (std::size_t i = 0; i < 32; ++i) out[60 + i] = r.digest[i], out[92 + i] = r.previous_digest[i];
  put32(out + 124, crc32_bytes(out, 124));
}

constexpr bool decode(const std::uint8_t* in, CommitRecord& r) {
  if (in[0] != 'C' || in[1] != 'T' || in[2] != 'C' || in[3] != 'R') return false;
  if (le32(in + 124) != crc32_bytes(in, 124)) return false;
  if (in[8] > 1 || in[10] > 1 || in[9] < 1 || in[9] > 3 || in[11] != 0) return false;
  r.sequence = le32(in + 4);
  r.active = in[8];
  r.state = static_cast<SlotState>(in[9]);
  r.previous = in[10];
  r.version = le32(in + 12);
  r.previous_version = le32(in + 16);
  r.floor = le32(in + 20);
  r.blob_bytes = le32(in + 24);
  r.previous_bytes = le32(in + 28);
  r.pending_counter = le32(in + 32);
  for (std::size_t i = 0; i < 32; ++i) r.digest[i] = in[60 + i], r.previous_digest[i] = in[92 + i];
  return true;
}
}  // namespace detail

// What boot() decided: the slot to load (its blob at offset, blob_bytes long) or none.
struct BootChoice {
  bool has_model = false;
  std::uint8_t slot = 0;
  std::size_t offset = 0, blob_bytes = 0;
  std::uint32_t version = 0;
  SlotState state = SlotState::empty;
  UpdateResult result{};  // why there is no model, or why a flash step failed
};

template <Flash F, std::size_t SlotPages>
class SlotManager {
 public:
  static constexpr std::size_t slot_bytes = SlotPages * F::page_size;
  static constexpr std::size_t record_page0 = 2 * SlotPages;
  static constexpr std::size_t records_per_page = F::page_size / detail::record_bytes;
  static_assert(F::pages >= 2 * SlotPages + 2, "the flash holds two slots and two record pages");
  static_assert(F::page_size % detail::record_bytes == 0 && detail::record_bytes % F::word_size == 0,
                "commit records (64 bytes) tile the record pages in whole words");

  constexpr explicit SlotManager(F& flash) : flash_(flash) {}

  // The latest valid commit record (scan of both record pages); false when there is none.
  constexpr bool latest(CommitRecord& r, std::size_t* page = nullptr, std::size_t* index = nullptr) const {
    bool found = false;
    for (std::size_t p = 0; p < 2; ++p)
      for (std::size_t i = 0; i < records_per_page; ++i) {
        std::array<std::uint8_t, detail::record_bytes> buf{};
        if (flash_.read((record_page0 + p) * F::page_size + i * detail::record_bytes, buf.data(), buf.size()) != FlashStatus::ok) continue;
        CommitRecord c{};
        if (detail::decode(buf.data(), c) && (!found || c.sequence > r.sequence)) {
          r = c;
          found = true;
          if (page) *page = p;
          if (index) *index = i;
        }
      }
    return found;
  }

  // The device state an incoming blob is checked against.
  constexpr DeviceState state(std::uint64_t fingerprint) const {
    CommitRecord r{};
    if (!latest(r)) return {fingerprint, 0, 0};
    return {fingerprint, r.version, r.floor};
  }

  // First model (factory): written to slot 0 and confirmed, with no checks of version (but the
  // tag and model are still verified by the caller's verifier).
  template <Verifier V>
  constexpr UpdateResult provision(V& verifier, std::span<const std::uint8_t> blob, std::uint64_t fingerprint) {
    CommitRecord none{};
    if (latest(none)) return {UpdateError::bad_header, "already provisioned"};
    UpdateHeader h;
    if (UpdateResult r = verify_update(verifier, blob, {fingerprint, 0, 0}, h); !r && r.error != UpdateError::not_newer) return r;
    if (UpdateResult r = write_slot(0, blob); !r) return r;
    CommitRecord c{};
    c.sequence = 1, c.active = 0, c.state = SlotState::confirmed, c.previous = 0;
    c.version = h.model_version, c.floor = h.security_counter, c.blob_bytes = static_cast<std::uint32_t>(blob.size());
    c.digest = sha256(blob.data(), blob.size());
    return append(c);
  }

  // Install a blob into the inactive slot (see the top of this file). The running model is never
  // touched: any refusal or flash failure leaves the device as it was.
  template <Verifier V>
  constexpr UpdateResult install(V& verifier, std::span<const std::uint8_t> blob, std::uint64_t fingerprint) {
    CommitRecord cur{};
    if (!latest(cur)) return {UpdateError::bad_header, "no running model (provision first)"};
    if (cur.state != SlotState::confirmed) return {UpdateError::not_newer, "an update is on trial: confirm or revert it first"};
    UpdateHeader h;
    if (UpdateResult r = verify_update(verifier, blob, {fingerprint, cur.version, cur.floor}, h); !r) return r;
    if (blob.size() > slot_bytes) return {UpdateError::too_long, "the blob does not fit a slot"};
    const std::uint8_t target = static_cast<std::uint8_t>(1 - cur.active);
    if (UpdateResult r = write_slot(target, blob); !r) return r;
    // Read back from flash and verify there: what is installed is what was checked.
    UpdateHeader again;
    if (UpdateResult r = verify_slot(verifier, target, blob.size(), {fingerprint, cur.version, cur.floor}, again); !r) return r;
    CommitRecord c = cur;
    c.sequence = cur.sequence + 1;
    c.previous = cur.active, c.previous_version = cur.version, c.previous_bytes = cur.blob_bytes, c.previous_digest = cur.digest;
    c.active = target, c.state = SlotState::pending, c.version = h.model_version;
    c.blob_bytes = static_cast<std::uint32_t>(blob.size());
    c.pending_counter = h.security_counter;
    c.digest = digest_of(target, blob.size());
    return append(c);
  }

  // At reset: which slot to run (see the top of this file); appends the trial or revert record.
  constexpr BootChoice boot() {
    CommitRecord r{};
    if (!latest(r)) return {false, 0, 0, 0, 0, SlotState::empty, {UpdateError::truncated, "no commit record: nothing installed"}};
    UpdateResult note{};
    if (r.state == SlotState::pending || r.state == SlotState::trial) {
      CommitRecord next = r;
      next.sequence = r.sequence + 1;
      if (r.state == SlotState::pending) next.state = SlotState::trial;
      else next = reverted(r);
      note = append(next);
      // The record could not be written: run the previous model (the next boot tries again).
      r = note ? next : reverted(r);
    }
    BootChoice c{true, r.active, slot_offset(r.active), r.blob_bytes, r.version, r.state, note};
    // The slot must hold what its record says (flash that changed under the record: refused).
    if (digest_of(r.active, r.blob_bytes) != r.digest) {
      c.has_model = false;
      c.result = {UpdateError::bad_payload, "the active slot does not hold what its record says"};
    }
    return c;
  }

  // The model on trial passed its self-test: keep it, raise the floor.
  constexpr UpdateResult confirm() {
    CommitRecord r{};
    if (!latest(r) || r.state != SlotState::trial) return {UpdateError::bad_header, "no model on trial"};
    CommitRecord c = r;
    c.sequence = r.sequence + 1, c.state = SlotState::confirmed;
    c.floor = r.pending_counter > r.floor ? r.pending_counter : r.floor;
    return append(c);
  }

  // The model on trial failed its self-test: back to the previous one now.
  constexpr UpdateResult revert() {
    CommitRecord r{};
    if (!latest(r) || r.state != SlotState::trial) return {UpdateError::bad_header, "no model on trial"};
    return revert_record(r);
  }

  static constexpr std::size_t slot_offset(std::uint8_t slot) { return static_cast<std::size_t>(slot) * slot_bytes; }

 private:
  constexpr UpdateResult flash_error(FlashStatus s) const {
    return {UpdateError::bad_payload, s == FlashStatus::power_lost ? "power lost during a flash operation" : "a flash operation failed"};
  }

  constexpr UpdateResult write_slot(std::uint8_t slot, std::span<const std::uint8_t> blob) {
    const std::size_t base = slot_offset(slot);
    const std::size_t pages = (blob.size() + F::page_size - 1) / F::page_size;
    for (std::size_t p = 0; p < pages; ++p)
      if (FlashStatus s = flash_.erase(base / F::page_size + p); s != FlashStatus::ok) return flash_error(s);
    std::array<std::uint8_t, F::word_size * 8> chunk{};
    for (std::size_t at = 0; at < blob.size(); at += chunk.size()) {
      const std::size_t n = blob.size() - at < chunk.size() ? blob.size() - at : chunk.size();
      chunk.fill(0xFF);
      for (std::size_t i = 0; i < n; ++i) chunk[i] = blob[at + i];
      const std::size_t words = (n + F::word_size - 1) / F::word_size;
      if (FlashStatus s = flash_.program(base + at, chunk.data(), words * F::word_size); s != FlashStatus::ok) return flash_error(s);
    }
    return {};
  }

  template <Verifier V>
  constexpr UpdateResult verify_slot(V& verifier, std::uint8_t slot, std::size_t size, const DeviceState& d, UpdateHeader& h) const {
    const std::size_t base = slot_offset(slot);
    return verify_update_source(
        verifier, size, [&](std::size_t at, std::uint8_t* out, std::size_t n) { return flash_.read(base + at, out, n) == FlashStatus::ok; }, d,
        h);
  }

  constexpr Sha256::digest_type digest_of(std::uint8_t slot, std::size_t size) const {
    Sha256 h;
    std::array<std::uint8_t, 64> buf{};
    for (std::size_t at = 0; at < size; at += buf.size()) {
      const std::size_t n = size - at < buf.size() ? size - at : buf.size();
      (void)flash_.read(slot_offset(slot) + at, buf.data(), n);
      h.update(buf.data(), n);
    }
    return h.finish();
  }

  // The record that goes back to the previous model (confirmed).
  static constexpr CommitRecord reverted(const CommitRecord& r) {
    CommitRecord c = r;
    c.sequence = r.sequence + 1;
    c.active = r.previous, c.version = r.previous_version, c.blob_bytes = r.previous_bytes, c.digest = r.previous_digest;
    c.state = SlotState::confirmed, c.pending_counter = 0;
    return c;
  }
  constexpr UpdateResult revert_record(const CommitRecord& r) { return append(reverted(r)); }

  // Appends a record after the latest one (the next free slot of its page, or the other page,
  // erased first, when the page is full).
  constexpr UpdateResult append(const CommitRecord& c) {
    CommitRecord last{};
    std::size_t page = 0, index = 0;
    const bool any = latest(last, &page, &index);
    std::size_t p = any ? page : 0, i = any ? index + 1 : 0;
    if (!any) {
      // First record: start on a clean page 0.
      if (FlashStatus s = flash_.erase(record_page0); s != FlashStatus::ok) return flash_error(s);
    }
    // Skip slots that are not erased (a torn record): programming needs erased words.
    while (i < records_per_page && !erased_record(p, i)) ++i;
    if (i >= records_per_page) {
      p = 1 - p, i = 0;
      if (FlashStatus s = flash_.erase(record_page0 + p); s != FlashStatus::ok) return flash_error(s);
    }
    std::array<std::uint8_t, detail::record_bytes> buf{};
    detail::encode(c, buf.data());
    if (FlashStatus s = flash_.program((record_page0 + p) * F::page_size + i * detail::record_bytes, buf.data(), buf.size());
        s != FlashStatus::ok)
      return flash_error(s);
    return {};
  }

  constexpr bool erased_record(std::size_t page, std::size_t index) const {
    std::array<std::uint8_t, detail::record_bytes> buf{};
    if (flash_.read((record_page0 + page) * F::page_size + index * detail::record_bytes, buf.data(), buf.size()) != FlashStatus::ok) return false;
    for (std::uint8_t b : buf)
      if (b != 0xFF) return false;
    return true;
  }

  F& flash_;
};

}  // namespace ctml::update
