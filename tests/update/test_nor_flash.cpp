// SPDX-License-Identifier: Apache-2.0
// The simulated NOR flash behaves as NOR flash does (erase to 0xFF, program clears bits once per
// erase, whole aligned words) and its faults are what the power-fail tests need: a cut tears the
// operation in progress and stops everything after it until power_on(); an injected failure
// reports and leaves power on.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>

#include <ctml/update/nor_flash.hpp>

namespace {
using ctml::update::FlashStatus;
using Flash = ctml::update::SimulatedNorFlash<256, 4, 8>;
static_assert(ctml::update::Flash<Flash>);

bool all(const Flash& f, std::size_t from, std::size_t n, std::uint8_t v) {
  for (std::size_t i = 0; i < n; ++i)
    if (f.contents()[from + i] != v) return false;
  return true;
}
}  // namespace

TEST_CASE("NOR flash: erase, program once per erase, whole aligned words") {
  static Flash f;
  CHECK(all(f, 0, Flash::size, 0xFF));
  std::array<std::uint8_t, 16> data{};
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(0xA0 + i);
  CHECK(f.program(256, data.data(), 16) == FlashStatus::ok);
  std::array<std::uint8_t, 16> back{};
  CHECK(f.read(256, back.data(), 16) == FlashStatus::ok);
  CHECK(back == data);
  CHECK(f.program(256, data.data(), 8) == FlashStatus::not_erased);  // a word is programmed once
  CHECK(f.program(257, data.data(), 8) == FlashStatus::misaligned);
  CHECK(f.program(256 + 16, data.data(), 4) == FlashStatus::misaligned);
  CHECK(f.program(Flash::size - 8, data.data(), 16) == FlashStatus::out_of_range);
  CHECK(f.erase(4) == FlashStatus::out_of_range);
  CHECK(f.erase(1) == FlashStatus::ok);
  CHECK(all(f, 256, 256, 0xFF));
  CHECK(f.program(256, data.data(), 16) == FlashStatus::ok);
  CHECK(f.erases() == 1);
  CHECK(f.programs() == 2);
}

TEST_CASE("NOR flash: a power cut tears the operation in progress and stops the rest") {
  std::array<std::uint8_t, 256> zeros{};
  for (std::uint32_t seed = 1; seed <= 50; ++seed) {
    static Flash f;
    f = Flash{};
    f.seed(seed);
    CHECK(f.program(0, zeros.data(), 256) == FlashStatus::ok);
    f.cut_after(1);
    CHECK(f.erase(0) == FlashStatus::power_lost);
    // A prefix of whole words erased, the rest still programmed.
    std::size_t erased = 0;
    while (erased < 256 && f.contents()[erased] == 0xFF) ++erased;
    CHECK(erased % 8 == 0);
    CHECK(erased < 256);
    CHECK(all(f, erased, 256 - erased, 0x00));
    CHECK(f.program(512, zeros.data(), 8) == FlashStatus::power_lost);
    CHECK(f.erase(1) == FlashStatus::power_lost);
    f.power_on();
    CHECK(f.erase(0) == FlashStatus::ok);
    // A torn program: whole words written, then one partly, then erased words.
    f.cut_after(1);
    CHECK(f.program(0, zeros.data(), 64) == FlashStatus::power_lost);
    std::size_t written = 0;
    while (written < 64 && all(f, written, 8, 0x00)) written += 8;
    CHECK(written < 64);
    CHECK(all(f, written + 8, 64 - written - 8, 0xFF));
    f.power_on();
  }
}

TEST_CASE("NOR flash: an injected failure reports, leaves power on, and counts operations") {
  static Flash f;
  std::array<std::uint8_t, 8> word{};
  f.fail_next(2);
  CHECK(f.program(0, word.data(), 8) == FlashStatus::ok);
  CHECK(f.program(8, word.data(), 8) == FlashStatus::failed);
  CHECK(f.powered());
  CHECK(f.erase(0) == FlashStatus::ok);
  CHECK(all(f, 0, 256, 0xFF));
}
