// SPDX-License-Identifier: Apache-2.0
// A/B slots and the commit record (update/slots.hpp) on the simulated NOR flash:
//   - the life of updates: provision, install, trial boot, confirm; no confirmation -> revert at
//     the next reset; a failed self-test -> revert at once; refusals leave the device as it was;
//   - power cut after every single erase or program step of an install, of the trial boot, of a
//     confirm and of a revert (all of them, not a sample): the next boot runs exactly the old or
//     exactly the installed model, never a half-written slot;
//   - flash operations that fail and report it;
//   - random runs: many updates with several cuts each at random points, checking after every
//     reboot that the running slot holds exactly the blob of the version its record names and
//     that the version never drops below the security floor.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <span>

#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/make_update_blob.hpp>
#include <ctml/update/slots.hpp>

#include "no_heap.hpp"

namespace {
using namespace ctml::update;

using TestFlash = SimulatedNorFlash<256, 6, 8>;  // two slots of 2 pages, two record pages
using Slots = SlotManager<TestFlash, 2>;
constexpr std::uint64_t fingerprint = 0xABCDEF0123456789ull;
constexpr std::array<std::uint8_t, 32> key = [] {
  std::array<std::uint8_t, 32> k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 11 + 5);
  return k;
}();

HmacVerifier<1> verifier() { return HmacVerifier<1>{{{{1, key}}}}; }

// Blob of version v (security counter c): payload bytes depend on v, sizes vary with v too.
struct Blob {
  std::array<std::uint8_t, 512> bytes{};
  std::size_t size = 0;
  std::span<const std::uint8_t> span() const { return {bytes.data(), size}; }
};
Blob blob(std::uint32_t v, std::uint32_t counter) {
  std::array<std::uint8_t, 300> payload{};
  const std::size_t n = 200 + (v * 37) % 100;
  for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<std::uint8_t>(v * 29 + i * 3);
  const std::array<std::uint8_t, 8> self_test{1, 2, 3, 4, 5, 6, 7, 8};
  UpdateHeader h;
  h.fingerprint = fingerprint, h.model_version = v, h.security_counter = counter, h.key_id = 1;
  Blob b;
  b.size = write_update_blob_hmac(b.bytes, h, std::span<const std::uint8_t>(payload.data(), n), self_test, key.data(), key.size());
  return b;
}

// The running model after a reset: its version, and whether its slot holds exactly that blob.
struct Running {
  bool ok = false;
  std::uint32_t version = 0;
  SlotState state = SlotState::empty;
};
Running reset_and_boot(TestFlash& f, std::uint32_t counter_of_version(std::uint32_t)) {
  f.power_on();
  Slots s(f);
  BootChoice c = s.boot();
  // Power lost during the boot's own record write: the device resets again (a pending cut fires
  // at most once).
  if (!f.powered()) {
    f.power_on();
    c = s.boot();
  }
  if (!c.has_model) return {};
  const Blob expect = blob(c.version, counter_of_version(c.version));
  std::array<std::uint8_t, 512> got{};
  if (c.blob_bytes != expect.size || f.read(c.offset, got.data(), c.blob_bytes) != FlashStatus::ok) return {};
  for (std::size_t i = 0; i < expect.size; ++i)
    if (got[i] != expect.bytes[i]) return {};
  return {true, c.version, c.state};
}
std::uint32_t counter_same(std::uint32_t v) { return v; }

TestFlash provisioned() {
  TestFlash f;
  Slots s(f);
  auto v = verifier();
  REQUIRE(static_cast<bool>(s.provision(v, blob(1, 1).span(), fingerprint)));
  return f;
}
}  // namespace

TEST_CASE("install, trial, confirm; no confirmation reverts at the next reset; revert at once") {
  static TestFlash f;
  f = provisioned();
  auto v = verifier();
  Slots s(f);
  Running r = reset_and_boot(f, counter_same);
  CHECK(r.ok);
  CHECK(r.version == 1);
  CHECK(r.state == SlotState::confirmed);
  REQUIRE(static_cast<bool>(s.install(v, blob(2, 2).span(), fingerprint)));
  r = reset_and_boot(f, counter_same);
  CHECK((r.ok && r.version == 2 && r.state == SlotState::trial));
  CHECK(static_cast<bool>(s.confirm()));
  r = reset_and_boot(f, counter_same);
  CHECK((r.ok && r.version == 2 && r.state == SlotState::confirmed));
  CHECK(s.state(fingerprint).security_counter == 2);
  // Not confirmed before the next reset: reverted.
  REQUIRE(static_cast<bool>(s.install(v, blob(3, 3).span(), fingerprint)));
  r = reset_and_boot(f, counter_same);
  CHECK((r.ok && r.version == 3 && r.state == SlotState::trial));
  r = reset_and_boot(f, counter_same);
  CHECK((r.ok && r.version == 2 && r.state == SlotState::confirmed));
  // A failed self-test: revert at once; the floor stays where it was.
  REQUIRE(static_cast<bool>(s.install(v, blob(4, 4).span(), fingerprint)));
  r = reset_and_boot(f, counter_same);
  CHECK(r.version == 4);
  CHECK(static_cast<bool>(s.revert()));
  r = reset_and_boot(f, counter_same);
  CHECK((r.ok && r.version == 2 && r.state == SlotState::confirmed));
  CHECK(s.state(fingerprint).security_counter == 2);
}

TEST_CASE("refused blobs and updates on trial leave the device as it was") {
  static TestFlash f;
  f = provisioned();
  auto v = verifier();
  Slots s(f);
  REQUIRE(static_cast<bool>(s.install(v, blob(5, 5).span(), fingerprint)));
  (void)reset_and_boot(f, counter_same);
  REQUIRE(static_cast<bool>(s.confirm()));
  const auto before = f.contents();
  CHECK(s.install(v, blob(4, 6).span(), fingerprint).error == UpdateError::not_newer);
  CHECK(s.install(v, blob(9, 3).span(), fingerprint).error == UpdateError::rolled_back);  // signed, newer, below the floor
  CHECK(s.install(v, blob(9, 9).span(), 0x1234).error == UpdateError::wrong_model);
  Blob bad = blob(9, 9);
  bad.bytes[100] ^= 0x40;
  CHECK(s.install(v, bad.span(), fingerprint).error == UpdateError::bad_tag);
  CHECK(f.contents() == before);  // not one byte written
  REQUIRE(static_cast<bool>(s.install(v, blob(9, 9).span(), fingerprint)));
  CHECK(s.install(v, blob(10, 10).span(), fingerprint).error == UpdateError::not_newer);  // 9 is pending
}

TEST_CASE("a power cut after every single flash step of install, trial boot, confirm and revert") {
  // Count the steps of each phase on a clean run.
  static TestFlash f;
  f = provisioned();
  auto v = verifier();
  std::size_t ops0 = f.erases() + f.programs();
  {
    Slots s(f);
    REQUIRE(static_cast<bool>(s.install(v, blob(2, 2).span(), fingerprint)));
  }
  const std::size_t install_steps = f.erases() + f.programs() - ops0;
  REQUIRE(install_steps >= 5);
  std::size_t cuts = 0;
  // Install: old model, or the installed one on trial (once its record is complete).
  for (std::size_t k = 1; k <= install_steps; ++k) {
    f = provisioned();
    f.seed(static_cast<std::uint32_t>(k * 7919));
    f.cut_after(k);
    Slots s(f);
    const UpdateResult r = s.install(v, blob(2, 2).span(), fingerprint);
    CHECK(!r);  // the cut interrupted it
    const Running after = reset_and_boot(f, counter_same);
    CHECK(after.ok);
    CHECK(after.version == 1);  // the record naming slot 1 is the last step: never complete here
    ++cuts;
  }
  // Trial boot, confirm, revert: each record append cut at each of its steps (a page switch
  // adds an erase: up to 2 steps).
  for (int phase = 0; phase < 3; ++phase)
    for (std::size_t k = 1; k <= 2; ++k) {
      f = provisioned();
      Slots s(f);
      REQUIRE(static_cast<bool>(s.install(v, blob(2, 2).span(), fingerprint)));
      if (phase >= 1) REQUIRE(reset_and_boot(f, counter_same).version == 2);
      f.seed(static_cast<std::uint32_t>(k * 31 + static_cast<std::size_t>(phase)));
      f.cut_after(k);
      if (phase == 0) (void)s.boot();
      else if (phase == 1) (void)s.confirm();
      else (void)s.revert();
      const Running after = reset_and_boot(f, counter_same);
      CHECK(after.ok);
      CHECK((after.version == 1 || after.version == 2));
      ++cuts;
    }
  MESSAGE("install takes " << install_steps << " flash steps; " << cuts << " single-cut runs");
}

TEST_CASE("flash operations that fail and report it: the update is refused, the model stays") {
  auto v = verifier();
  for (std::size_t k = 1; k <= 14; ++k) {
    static TestFlash f;
    f = provisioned();
    f.fail_next(k);
    Slots s(f);
    const UpdateResult r = s.install(v, blob(2, 2).span(), fingerprint);
    Running after = reset_and_boot(f, counter_same);
    CHECK(after.ok);
    if (!r) {
      CHECK(after.version == 1);  // refused: the model stays
    } else if (after.version == 1) {
      // The failure hit the boot's trial record: the previous model ran; the next boot tries again.
      after = reset_and_boot(f, counter_same);
      CHECK((after.ok && after.version == 2 && after.state == SlotState::trial));
    } else {
      CHECK(after.version == 2);
    }
  }
}

TEST_CASE("random runs: many updates, several power cuts each, every reboot consistent") {
  static TestFlash f;
  f = provisioned();
  auto v = verifier();
  std::uint32_t rng = 12345, next_version = 2, floor = 1, reboots = 0, installed = 0, confirmed = 0;
  auto rand = [&](std::uint32_t n) {
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) % n;
  };
  std::size_t allocations = 0;
  for (int round = 0; round < 300; ++round) {
    ctml::test::NoHeapScope no_heap;
    if (rand(3) == 0) {
      f.seed(rng | 1);
      f.cut_after(1 + rand(12));
    }
    Slots s(f);
    const std::uint32_t version = next_version++;
    if (s.install(v, blob(version, version).span(), fingerprint)) ++installed;
    for (int step = 0; step < 3; ++step) {
      if (rand(4) == 0) {
        f.seed(rng | 1);
        f.cut_after(1 + rand(3));
      }
      const Running r = reset_and_boot(f, counter_same);
      ++reboots;
      REQUIRE(r.ok);
      CHECK(r.version >= floor);
      if (r.state == SlotState::trial && rand(2) == 0 && s.confirm()) {
        floor = r.version > floor ? r.version : floor;
        ++confirmed;
      }
    }
    f.cut_after(0);
    f.power_on();
    allocations += no_heap.allocations();
  }
  CHECK(allocations == 0);  // the update path allocates nothing
  MESSAGE(installed << " installs, " << confirmed << " confirmed, " << reboots << " reboots with random cuts, all consistent");
  CHECK(installed > 50);
  CHECK(confirmed > 20);
}
