// SPDX-License-Identifier: Apache-2.0
// Firmware image: a field update of a real model on Cortex-M under QEMU, the whole path of
// docs/updates.md on the device: verify the blob (HMAC-SHA256 with a provisioned key), write it
// to the other slot of a NOR flash, trial boot, self-test, confirm or revert.
//
// The model is the int8 GRU digit classifier trained in ctml (examples/gru_digits.cpp). The
// device leaves the factory with the model after 3 epochs (version 1, 206/271 test digits right)
// and is updated in the field to the fully trained one (version 2, 261/271). Each blob carries a
// self-test: 8 test digits and the logit bytes the training machine recorded for its weights.
// The blobs are made by the compiler with the writer the host tools use (update/
// make_update_blob.hpp) and sit in flash, as they would in a radio buffer or a download area.
//
// What the firmware supplies, as a board would: the flash (here update::SimulatedNorFlash in RAM,
// 2 KB pages and 8-byte words like an STM32L4; a board passes its flash driver) and the verifier
// (here HmacVerifier with the key provisioned at manufacture; a part with PSA Crypto would
// supply an Ed25519 or ECDSA verifier with the same four calls).
//
// Checked, with every result required: the factory model and the update run with exactly the
// recorded logit bytes on all 271 digits; a damaged, truncated, forged (other key), replayed
// (not newer), rolled-back (below the security floor) and other-model blob is refused with its
// reason and leaves the flash byte for byte as it was; a blob whose model fails its self-test is
// reverted; a model on trial that is not confirmed before the next reset is reverted; and a power
// cut after every single erase or program step of an update session (install, trial boot,
// confirm) boots exactly the old or exactly the new model. Reports instructions of each step,
// the stack each used, and the RAM the update path holds; the code bytes of the update path
// come from the symbol table (test fw_update_code_size).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/make_update_blob.hpp>

#include "board.hpp"
#include "data/gru_digits_trained.hpp"
#include "gru_digits_update.hpp"

namespace fw {
namespace t = gru_digits::trained;
using namespace ctml::update;

// The key provisioned at manufacture (on a real part: OTP, a secure element or a key slot) and
// one the device does not trust.
inline constexpr std::uint32_t key_id = 1;
inline constexpr std::array<std::uint8_t, 32> device_key = {0x3a, 0x91, 0x5c, 0x07, 0xe2, 0x48, 0xb6, 0x1f, 0x84, 0x2d, 0xc9,
                                                            0x70, 0x15, 0xae, 0x63, 0xd8, 0x0b, 0xf4, 0x57, 0x9e, 0x21, 0xca,
                                                            0x6d, 0x38, 0xb0, 0x4f, 0xe7, 0x12, 0x85, 0x5a, 0xc3, 0x96};
inline constexpr std::array<std::uint8_t, 32> other_key = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                                                           0xcc, 0xdd, 0xee, 0xff, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
                                                           0xde, 0xf0, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21};

inline constexpr std::size_t blob_bytes = update_blob_bytes(gru_digits::update::weight_bytes, gru_digits::update::self_test_bytes,
                                                            TagAlgorithm::hmac_sha256);

struct Blob {
  std::array<std::uint8_t, blob_bytes> bytes{};
  std::size_t size = 0;
};

// An update blob as the vendor's build makes it (ctml-blob pack + sign --hmac write the same bytes).
constexpr Blob make_blob(const unsigned char (&weights)[gru_digits::update::weight_bytes],
                         const std::int8_t (&golden)[t::test_count][gru_digits::classes], std::uint32_t version, std::uint32_t counter,
                         const std::array<std::uint8_t, 32>& key, std::uint64_t for_model = gru_digits::update::fingerprint) {
  UpdateHeader h;
  h.fingerprint = for_model, h.model_version = version, h.security_counter = counter, h.key_id = key_id;
  Blob b;
  b.size = write_update_blob_hmac(b.bytes, h, std::span<const std::uint8_t>(weights, sizeof weights), gru_digits::update::self_test(golden),
                                  key.data(), key.size());
  return b;
}

// Version and security counter rise together here; a vendor can keep the counter (the floor) and
// raise only the version for updates that may be rolled back to.
inline constexpr Blob factory = make_blob(t::qblob_early, t::qlogits_early, 1, 1, device_key);
inline constexpr Blob update = make_blob(t::qblob, t::qlogits, 2, 2, device_key);
// Signed correctly, but its golden outputs are not what its weights give (a broken build).
inline constexpr Blob lying = make_blob(t::qblob, t::qlogits_early, 3, 3, device_key);
// The next update, installed and then never confirmed (the model hangs before its self-test).
inline constexpr Blob unconfirmed = make_blob(t::qblob_early, t::qlogits_early, 4, 4, device_key);
inline constexpr Blob forged = make_blob(t::qblob, t::qlogits, 9, 9, other_key);
inline constexpr Blob other_model = make_blob(t::qblob, t::qlogits, 9, 9, device_key, ctml::weight_blob_fingerprint<gru_digits::Stream>);
static_assert(factory.size == blob_bytes && update.size == blob_bytes && lying.size == blob_bytes && forged.size == blob_bytes &&
                  unconfirmed.size == blob_bytes && other_model.size == blob_bytes,
              "the update blobs are written at compile time");

// 2 KB pages, 8-byte words: 3 pages per slot and 2 record pages.
inline constexpr std::size_t page_bytes = 2048, slot_pages = (blob_bytes + page_bytes - 1) / page_bytes;
using DeviceFlash = SimulatedNorFlash<page_bytes, 2 * slot_pages + 2, 8>;
using Slots = SlotManager<DeviceFlash, slot_pages>;
}  // namespace fw

// ---- the device: its flash, its verifier, the model and its update path ----------------------------
namespace device {
fw::DeviceFlash flash;  // the board's flash (simulated)
ctml::update::HmacVerifier<1> verifier{{{{fw::key_id, fw::device_key}}}};
gru_digits::update::Device<fw::DeviceFlash, fw::slot_pages, ctml::update::HmacVerifier<1>> unit{flash, verifier};
}  // namespace device

namespace {
using namespace ctml::update;
bool all_ok = true;

void check(bool ok, const char* what) {
  if (!ok) {
    all_ok = false;
    board::Out() << "FAILED: " << what << "\n";
  }
}

// The running model against the logit bytes recorded for its weights, on all 271 test digits.
std::size_t accuracy(const std::int8_t (&recorded)[fw::t::test_count][gru_digits::classes], bool& same) {
  std::size_t correct = 0;
  same = true;
  for (std::size_t k = 0; k < fw::t::test_count; ++k) {
    std::int8_t z[gru_digits::classes];
    device::unit.classify(fw::t::test_pixels[k], z);
    correct += gru_digits::argmax(z) == fw::t::test_labels[k];
    for (std::size_t i = 0; i < gru_digits::classes; ++i) same = same && z[i] == recorded[k][i];
  }
  return correct;
}

// Which of the two models runs, from its outputs on the self-test digits: 1 (factory), 2 (update), 0 (neither).
int which_model() {
  bool early = true, trained = true;
  for (std::size_t k = 0; k < gru_digits::update::self_test_cases; ++k) {
    std::int8_t z[gru_digits::classes];
    device::unit.classify(fw::t::test_pixels[k], z);
    for (std::size_t i = 0; i < gru_digits::classes; ++i) {
      early = early && z[i] == fw::t::qlogits_early[k][i];
      trained = trained && z[i] == fw::t::qlogits[k][i];
    }
  }
  return early ? 1 : (trained ? 2 : 0);
}

// The blob as it arrives: a RAM buffer (a radio's), which transit may damage.
std::array<std::uint8_t, fw::blob_bytes> rx{};
std::span<const std::uint8_t> arrive(const fw::Blob& b) {
  for (std::size_t i = 0; i < b.size; ++i) rx[i] = b.bytes[i];
  return {rx.data(), b.size};
}

// A refused blob: the expected reason, and not one byte of flash changed.
void refused(const char* what, std::span<const std::uint8_t> blob, UpdateError expected) {
  static std::array<std::uint8_t, fw::DeviceFlash::size> before{};
  before = device::flash.contents();
  const UpdateResult r = device::unit.receive(blob);
  const bool flash_same = before == device::flash.contents();
  board::Out() << "  " << what << ": " << (r ? "accepted" : "refused") << " (" << r.reason << ")"
               << (flash_same ? ", flash unchanged\n" : ", FLASH CHANGED\n");
  check(r.error == expected && flash_same, what);
}
}  // namespace

int main() {
  using namespace ctml::update;
  board::counter_start();
  board::Out() << "fw_update (" << board::name << "): int8 GRU digits, blob " << fw::blob_bytes << " bytes (weights "
               << gru_digits::update::weight_bytes << ", self-test " << gru_digits::update::self_test_bytes << "), slots of " << fw::slot_pages << " x "
               << fw::page_bytes << " bytes\n";

  // At the factory: the first model is written and confirmed; the device boots it.
  {
    check(static_cast<bool>(device::unit.provision(fw::factory.bytes)), "provisioning");
  }
  gru_digits::update::Boot b = device::unit.boot();
  bool same = false;
  std::size_t correct = accuracy(fw::t::qlogits_early, same);
  board::Out() << "factory model: version " << b.version << ", accuracy " << correct << "/" << fw::t::test_count
               << (same ? ", logits equal to the recorded bytes\n" : ", LOGITS DIFFER\n");
  check(b.ok && b.version == 1 && same && correct == fw::t::qtest_correct_early, "the factory model");

  // Power cut after every single flash step of an update session (install, trial boot with
  // self-test, confirm), each from the same starting state: the next boot runs exactly the old or
  // exactly the new model, and an interrupted update can be completed by installing it again.
  static fw::DeviceFlash start{};
  start = device::flash;
  const std::size_t steps0 = device::flash.erases() + device::flash.programs();
  check(static_cast<bool>(device::unit.receive(fw::update.bytes)), "the update session without cuts (install)");
  b = device::unit.boot();
  check(b.ok && b.version == 2 && b.tested && which_model() == 2, "the update session without cuts (boot)");
  const std::size_t steps = device::flash.erases() + device::flash.programs() - steps0;
  std::size_t old_model = 0, new_model = 0, completed = 0;
  for (std::size_t cut = 1; cut <= steps; ++cut) {
    device::flash = start;
    device::flash.cut_after(cut);
    (void)device::unit.receive(fw::update.bytes);
    if (device::flash.powered()) (void)device::unit.boot();
    device::flash.power_on();  // the reset after the cut
    b = device::unit.boot();
    const int m = which_model();
    const bool exact = b.ok && ((b.version == 1 && m == 1) || (b.version == 2 && m == 2));
    old_model += b.version == 1, new_model += b.version == 2;
    check(exact, "a boot after a power cut runs exactly the old or the new model");
    if (b.version == 1) {  // the update did not take: sending it again completes it
      const UpdateResult r = device::unit.receive(fw::update.bytes);
      b = device::unit.boot();
      completed += r && b.ok && b.version == 2 && which_model() == 2;
    }
  }
  board::Out() << "power cut after each of the " << steps << " flash steps of an update session: old model " << old_model
               << ", new model " << new_model << ", interrupted updates completed by resending " << completed << "/" << old_model
               << "\n";
  check(old_model + new_model == steps && completed == old_model, "every power cut");

  // Back to the factory state; the update arrives, with its refusals first.
  device::flash = start;
  b = device::unit.boot();
  board::Out() << "refused, the factory model running on:\n";
  {
    auto damaged = arrive(fw::update);
    rx[fw::blob_bytes / 2] ^= 0x04;  // one bit flipped in transit
    refused("damaged in transit", damaged, UpdateError::bad_tag);
    refused("truncated", arrive(fw::update).first(fw::blob_bytes - 100), UpdateError::truncated);
    refused("signed with another key", arrive(fw::forged), UpdateError::bad_tag);
    refused("for another model", arrive(fw::other_model), UpdateError::wrong_model);
    refused("the running version again", arrive(fw::factory), UpdateError::not_newer);
  }
  b = device::unit.boot();
  check(b.ok && b.version == 1 && which_model() == 1, "the factory model still runs");

  // The update: verified and written (instructions and stack of each step), then the reset.
  UpdateHeader h;
  UpdateResult vr{};
  const auto incoming = arrive(fw::update);
  const std::uint64_t verify_n = board::count_instructions([&] {
    HmacVerifier<1> v = device::verifier;
    vr = verify_update(v, incoming, {gru_digits::update::fingerprint, 1, 1}, h);
  });
  check(static_cast<bool>(vr), "verify");
  board::paint_stack();
  UpdateResult ir{};
  const std::uint64_t install_n = board::count_instructions([&] { ir = device::unit.receive(incoming); });
  const std::size_t install_stack = board::stack_used();
  check(static_cast<bool>(ir), "install");
  board::paint_stack();
  const std::uint64_t trial_n = board::count_instructions([&] { b = device::unit.boot(); });
  const std::size_t boot_stack = board::stack_used();
  check(b.ok && b.version == 2 && b.tested && !b.reverted, "trial boot, self-test, confirm");
  correct = accuracy(fw::t::qlogits, same);
  board::Out() << "update: version " << b.version << ", self-test passed, confirmed; accuracy " << correct << "/"
               << fw::t::test_count << (same ? ", logits equal to the recorded bytes\n" : ", LOGITS DIFFER\n");
  check(same && correct == fw::t::qtest_correct, "the updated model");
  const std::uint64_t boot_n = board::count_instructions([&] { b = device::unit.boot(); });
  check(b.ok && b.version == 2, "a normal boot");

  // After the update: the factory blob, correctly signed, is below the security floor.
  refused("the factory blob after the update (downgrade)", arrive(fw::factory), UpdateError::rolled_back);

  // A model that fails its self-test is reverted at once.
  check(static_cast<bool>(device::unit.receive(arrive(fw::lying))), "install of the lying blob");
  b = device::unit.boot();
  board::Out() << "a model failing its self-test: " << (b.reverted ? "reverted" : "NOT REVERTED") << ", version " << b.version
               << " runs\n";
  check(b.ok && b.reverted && b.version == 2 && which_model() == 2, "revert after a failed self-test");

  // A model on trial that is never confirmed (it hangs before its self-test; the watchdog resets):
  // the next boot goes back to the previous model.
  check(static_cast<bool>(device::unit.receive(arrive(fw::unconfirmed))), "install of version 4");
  {
    fw::Slots slots(device::flash);
    const BootChoice c = slots.boot();  // the trial boot that never reaches confirm()
    check(c.has_model && c.state == SlotState::trial && c.version == 4, "version 4 on trial");
  }
  b = device::unit.boot();
  board::Out() << "a model on trial never confirmed: version " << b.version << " runs after the next reset\n";
  check(b.ok && !b.tested && b.version == 2 && which_model() == 2, "revert of an unconfirmed model");

  board::Out() << "instructions: verify " << verify_n << " (" << fw::blob_bytes << " bytes, HMAC-SHA256), install " << install_n
               << " (verify, erase and write " << fw::slot_pages << " pages, read back and verify), trial boot with self-test and confirm "
               << trial_n << ", normal boot " << boot_n << " (record scan, slot SHA-256, load weights)\n";
  board::Out() << "RAM of the update path: stack install " << install_stack << " / boot " << boot_stack
               << " bytes, verifier state " << sizeof device::verifier << " bytes (weights in RAM " << device::unit.model_bytes
               << ", receive buffer " << sizeof rx << ")\n";
  board::Out() << (all_ok ? "fw_update: ok\n" : "fw_update: FAILED\n");
  return all_ok ? 0 : 1;
}
