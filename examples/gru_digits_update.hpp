// SPDX-License-Identifier: Apache-2.0
#pragma once
// A field update of the GRU digit classifier's int8 model (gru_digits_stream.hpp), as a device does
// it (docs/updates.md): verify the blob, write it to the other slot, trial boot, self-test, confirm
// or revert. Shared by examples/weight_update.cpp (a simulated device on the host, blobs made by
// ctml-blob) and firmware/fw_update.cpp (the same on Cortex-M under QEMU).
//
// The device brings its flash (any ctml::update::Flash whose contents are memory-mapped, as
// internal flash on a Cortex-M is: mapped(address)) and its verifier (any ctml::update::Verifier:
// HMAC with a provisioned key, Ed25519 through libsodium or PSA Crypto). The model's self-test is
// the first 8 test digits of examples/data/gru_digits_trained.hpp and the logit bytes the
// training machine recorded for the blob's weights.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/update/make_update_blob.hpp>
#include <ctml/update/self_test.hpp>
#include <ctml/update/slots.hpp>

#include "data/gru_digits_trained.hpp"
#include "gru_digits_stream.hpp"

namespace gru_digits::update {
namespace cu = ctml::update;

inline constexpr std::uint64_t fingerprint = ctml::weight_blob_fingerprint<QStream>;
inline constexpr std::uint32_t self_test_cases = 8, input_bytes = rows * row_pixels, output_bytes = classes;
inline constexpr std::size_t self_test_bytes = 12 + std::size_t{self_test_cases} * (input_bytes + output_bytes);
inline constexpr std::size_t weight_bytes = sizeof trained::qblob;
// An update blob of this model: 4,264 bytes with an HMAC tag, 4,296 with an Ed25519 signature.
inline constexpr std::size_t max_blob_bytes = cu::update_blob_bytes(weight_bytes, self_test_bytes, cu::TagAlgorithm::ed25519);

// The self-test's inputs (the first test digits' pixels) and expected outputs (the logits recorded
// for the weights the blob carries: trained::qlogits or trained::qlogits_early).
constexpr std::array<std::uint8_t, self_test_cases * input_bytes> self_test_inputs() {
  std::array<std::uint8_t, self_test_cases * input_bytes> in{};
  for (std::size_t k = 0; k < self_test_cases; ++k)
    for (std::size_t i = 0; i < input_bytes; ++i) in[k * input_bytes + i] = trained::test_pixels[k][i];
  return in;
}
constexpr std::array<std::uint8_t, self_test_cases * output_bytes> self_test_outputs(const std::int8_t (&logits)[trained::test_count][classes]) {
  std::array<std::uint8_t, self_test_cases * output_bytes> out{};
  for (std::size_t k = 0; k < self_test_cases; ++k)
    for (std::size_t i = 0; i < output_bytes; ++i) out[k * output_bytes + i] = static_cast<std::uint8_t>(logits[k][i]);
  return out;
}
constexpr std::array<std::uint8_t, self_test_bytes> self_test(const std::int8_t (&logits)[trained::test_count][classes]) {
  std::array<std::uint8_t, self_test_bytes> st{};
  (void)cu::write_self_test(st, self_test_cases, self_test_inputs(), input_bytes, self_test_outputs(logits), output_bytes);
  return st;
}

// What a boot did.
struct Boot {
  bool ok = false;          // a model runs
  std::uint32_t version = 0;
  bool tested = false;      // a model on trial was self-tested
  bool reverted = false;    // ... and failed it: the previous model runs
  const char* reason = "ok";
};

template <cu::Flash F, std::size_t SlotPages, cu::Verifier V>
class Device {
  static_assert(requires(const F& f) {
    { f.mapped(std::size_t{}) } -> std::same_as<const std::uint8_t*>;
  }, "the device runs its model straight from memory-mapped flash: the flash type needs mapped(address)");

 public:
  using Slots = cu::SlotManager<F, SlotPages>;
  static_assert(Slots::slot_bytes >= max_blob_bytes, "a slot holds an update blob of this model");

  Device(F& flash, V& verifier) : flash_(flash), verifier_(verifier) {}

  // At the factory: the first model, written and confirmed.
  cu::UpdateResult provision(std::span<const std::uint8_t> blob) { return Slots(flash_).provision(verifier_, blob, fingerprint); }

  // A blob has arrived (over the air, into RAM): verify it and write it to the inactive slot. The
  // running model and its slot are not touched, whatever happens.
  [[gnu::noinline]] cu::UpdateResult receive(std::span<const std::uint8_t> blob) { return Slots(flash_).install(verifier_, blob, fingerprint); }

  // At reset: choose the slot, load its weights from flash, and for a model on trial run its
  // self-test, then confirm it or revert to the previous model and load that one.
  [[gnu::noinline]] Boot boot() {
    Boot b;
    for (int pass = 0; pass < 2; ++pass) {
      Slots slots(flash_);
      const cu::BootChoice c = slots.boot();
      if (!c.has_model) return fail(b, c.result.reason);
      const std::span<const std::uint8_t> blob(flash_.mapped(c.offset), c.blob_bytes);
      cu::UpdateHeader h;
      if (cu::UpdateResult r = cu::parse_update_header(blob, blob.size(), h); !r) return fail(b, r.reason);
      const ctml::BlobResult loaded = ctml::load_weights(model_, std::as_bytes(blob.subspan(h.payload_offset(), h.payload_bytes)));
      if (c.state != cu::SlotState::trial) {
        if (!loaded) return fail(b, loaded.reason);
        return run(b, c.version);
      }
      b.tested = true;
      if (loaded && self_test(blob.subspan(h.self_test_offset(), h.self_test_bytes))) {
        if (cu::UpdateResult r = slots.confirm(); !r) return fail(b, r.reason);
        return run(b, c.version);
      }
      // Failed: back to the previous model now (its record is written here); the next pass loads it.
      if (cu::UpdateResult r = slots.revert(); !r) return fail(b, r.reason);
      b.reverted = true;
    }
    return fail(b, "no model after a revert");
  }

  // The running model's int8 logits for one digit (pixels 0..16).
  void classify(const unsigned char* pixels, std::int8_t* logits) {
    gru_digits::classify(model_, {trained::input_scale, trained::input_zero_point}, pixels, logits, arena_);
  }
  std::uint32_t version() const { return version_; }
  static constexpr std::size_t model_bytes = sizeof(QStream);

 private:
  static Boot fail(Boot& b, const char* reason) {
    b.ok = false, b.reason = reason;
    return b;
  }
  Boot run(Boot& b, std::uint32_t v) {
    version_ = v;
    b.ok = true, b.version = v;
    return b;
  }
  bool self_test(std::span<const std::uint8_t> section) {
    cu::SelfTestView t;
    std::array<std::uint8_t, output_bytes> out{};
    return cu::parse_self_test(section, t) && t.input_bytes == input_bytes && t.output_bytes == output_bytes &&
           cu::run_self_test(t, [&](const std::uint8_t* in, std::uint8_t* o) { classify(in, reinterpret_cast<std::int8_t*>(o)); }, out);
  }

  F& flash_;
  V& verifier_;
  QStream model_{};  // the running weights, loaded from the active slot at boot
  std::uint32_t version_ = 0;
  alignas(16) std::byte arena_[QStream::arena_bytes];
};

}  // namespace gru_digits::update
