// SPDX-License-Identifier: Apache-2.0
#pragma once
// The flash an update is written to, as the update code sees it (concept Flash), and a simulated
// NOR flash that behaves like one, with power cuts and failing operations on demand: what the
// power-fail tests run against (host and QEMU), and a stand-in until a board supplies its driver.
//
// NOR flash, as modelled:
//   - erase(page) sets every byte of a page to 0xFF;
//   - program(address, bytes) writes whole aligned words and can only clear bits: a word ends as
//     old & written, and programming a word that is not erased fails (as flashes with ECC do: a word
//     is programmed once between erases);
//   - read(address, bytes) returns what is there.
// Power cuts (SimulatedNorFlash::cut_after(n)): the n-th erase or program from now is torn (an
// erase leaves the page partly erased: a prefix of its words 0xFF, the rest as they were; a
// program leaves a prefix of its words written and the next word half written: some of the bits
// it would clear, cleared) and every operation after it fails with FlashStatus::power_lost, until
// power_on() (a reboot). fail_next(n) makes the n-th operation from now report a failure without
// a power cut (a worn page, a controller error): nothing or part of it done, as a cut would.
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>

namespace ctml::update {

enum class FlashStatus : std::uint8_t { ok, out_of_range, misaligned, not_erased, failed, power_lost };

// What the update code needs of a flash: its geometry and three operations.
template <class F>
concept Flash = requires(F& f, const F& cf, std::size_t a, const std::uint8_t* in, std::uint8_t* out, std::size_t n) {
  { F::page_size } -> std::convertible_to<std::size_t>;
  { F::pages } -> std::convertible_to<std::size_t>;
  { F::word_size } -> std::convertible_to<std::size_t>;
  { f.erase(a) } -> std::same_as<FlashStatus>;
  { f.program(a, in, n) } -> std::same_as<FlashStatus>;
  { cf.read(a, out, n) } -> std::same_as<FlashStatus>;
};

template <std::size_t PageSize, std::size_t Pages, std::size_t WordSize = 8>
class SimulatedNorFlash {
  static_assert(WordSize > 0 && PageSize % WordSize == 0, "a flash page is a whole number of words");
  static_assert(Pages > 0, "a flash has at least one page");

 public:
  static constexpr std::size_t page_size = PageSize, pages = Pages, word_size = WordSize, size = PageSize * Pages;

  constexpr SimulatedNorFlash() { bytes_.fill(0xFF); }

  constexpr FlashStatus erase(std::size_t page) {
    if (!powered_) return FlashStatus::power_lost;
    if (page >= pages) return FlashStatus::out_of_range;
    const std::size_t base = page * page_size;
    const Step s = step();
    if (s == Step::fail) {
      erase_prefix(base, torn_words(page_size / word_size));
      return FlashStatus::failed;
    }
    if (s == Step::cut) {
      erase_prefix(base, torn_words(page_size / word_size));
      return FlashStatus::power_lost;
    }
    erase_prefix(base, page_size / word_size);
    ++erases_;
    return FlashStatus::ok;
  }

  constexpr FlashStatus program(std::size_t address, const std::uint8_t* data, std::size_t n) {
    if (!powered_) return FlashStatus::power_lost;
    if (address > size || n > size - address) return FlashStatus::out_of_range;
    if (address % word_size != 0 || n % word_size != 0) return FlashStatus::misaligned;
    for (std::size_t i = 0; i < n; i += word_size)
      if (!erased(address + i)) return FlashStatus::not_erased;
    const Step s = step();
    const std::size_t words = n / word_size;
    std::size_t done = words;
    if (s != Step::ok) done = torn_words(words);
    for (std::size_t w = 0; w < done; ++w)
      for (std::size_t k = 0; k < word_size; ++k) bytes_[address + w * word_size + k] &= data[w * word_size + k];
    if (s != Step::ok && done < words) {
      // The word being written when the power went: some of its bits cleared.
      const std::uint32_t mask = next_random();
      for (std::size_t k = 0; k < word_size; ++k) {
        const auto keep = static_cast<std::uint8_t>(mask >> (8 * (k % 4)));
        bytes_[address + done * word_size + k] &= static_cast<std::uint8_t>(data[done * word_size + k] | keep);
      }
    }
    if (s == Step::fail) return FlashStatus::failed;
    if (s == Step::cut) return FlashStatus::power_lost;
    ++programs_;
    return FlashStatus::ok;
  }

  constexpr FlashStatus read(std::size_t address, std::uint8_t* out, std::size_t n) const {
    if (address > size || n > size - address) return FlashStatus::out_of_range;
    for (std::size_t i = 0; i < n; ++i) out[i] = bytes_[address + i];
    return FlashStatus::ok;
  }

  // The contents as memory, as internal flash on a Cortex-M is mapped (code runs a model's
  // weights from there); address <= size.
  constexpr const std::uint8_t* mapped(std::size_t address) const { return bytes_.data() + (address < size ? address : size); }

  // Fault injection. cut_after(n): the n-th erase/program from now (1: the next) loses power
  // halfway; fail_next(n): the n-th reports a failure (partly done) and power stays on.
  constexpr void cut_after(std::size_t n) { cut_in_ = n; }
  constexpr void fail_next(std::size_t n) { fail_in_ = n; }
  constexpr void power_on() { powered_ = true; }
  constexpr bool powered() const { return powered_; }
  constexpr void seed(std::uint32_t s) { rng_ = s ? s : 1; }

  // Operations completed (for tests: how many steps an update takes).
  constexpr std::size_t erases() const { return erases_; }
  constexpr std::size_t programs() const { return programs_; }
  constexpr const std::array<std::uint8_t, size>& contents() const { return bytes_; }

 private:
  enum class Step : std::uint8_t { ok, fail, cut };

  constexpr Step step() {
    Step s = Step::ok;
    if (cut_in_ > 0 && --cut_in_ == 0) {
      powered_ = false;
      s = Step::cut;
    }
    if (fail_in_ > 0 && --fail_in_ == 0 && s == Step::ok) s = Step::fail;
    return s;
  }
  constexpr bool erased(std::size_t address) const {
    for (std::size_t k = 0; k < word_size; ++k)
      if (bytes_[address + k] != 0xFF) return false;
    return true;
  }
  constexpr void erase_prefix(std::size_t base, std::size_t words) {
    for (std::size_t i = 0; i < words * word_size; ++i) bytes_[base + i] = 0xFF;
  }
  // How many of n words a torn operation completed: 0 .. n - 1.
  constexpr std::size_t torn_words(std::size_t n) { return n == 0 ? 0 : next_random() % n; }
  constexpr std::uint32_t next_random() {  // xorshift32: torn states differ from cut to cut
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 17;
    rng_ ^= rng_ << 5;
    return rng_;
  }

  std::array<std::uint8_t, size> bytes_{};
  std::size_t cut_in_ = 0, fail_in_ = 0, erases_ = 0, programs_ = 0;
  std::uint32_t rng_ = 0x9E3779B9u;
  bool powered_ = true;
};

}  // namespace ctml::update
