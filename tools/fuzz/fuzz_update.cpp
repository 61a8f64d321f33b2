// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the model-update readers (include/ctml/update; built with -DCTML_FUZZ=ON
// and clang):
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DCTML_FUZZ=ON
//   cmake --build build/fuzz --target fuzz_update
//   build/fuzz/tools/fuzz_update CORPUS_DIR [seed dirs] -max_total_time=600
// The first input byte chooses what the rest is:
//   0  an update blob: header, tag (HMAC with a fixed key), policy, self-test section;
//   1  the same, re-tagged with the fixed key first, so that mutations reach the policy and the
//      self-test parser instead of stopping at the tag;
//   2  the commit-record pages of a simulated flash holding a valid installed model: the record
//      log is read, the device boots, installs a valid blob, boots again.
// Properties: no crash, UB or leak (ASan/UBSan); a refusal has a reason; boot never reports a
// model whose slot does not hold the blob its record names (boot checks the digest itself; the
// harness checks that an accepted blob's header is consistent with its size).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>

#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/make_update_blob.hpp>
#include <ctml/update/self_test.hpp>
#include <ctml/update/slots.hpp>

namespace {
using namespace ctml::update;

constexpr std::array<std::uint8_t, 32> key = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_update: %s\n", what);
  std::abort();
}

void check_blob(std::span<const std::uint8_t> blob) {
  HmacVerifier<1> v{{{{0, key}}}};
  UpdateHeader h;
  const UpdateResult r = verify_update(v, blob, {h.fingerprint, 0, 0}, h);
  if (!r && (r.reason == nullptr || std::string_view(r.reason).empty())) die("a refusal without a reason");
  UpdateHeader p;
  if (parse_update_header(blob, blob.size(), p)) {
    if (p.total_bytes() != blob.size()) die("an accepted header that does not describe the blob");
    SelfTestView t;
    if (p.self_test_bytes > 0 && parse_self_test(blob.subspan(p.self_test_offset(), p.self_test_bytes), t)) {
      std::array<std::uint8_t, 64> out{};
      if (t.output_bytes <= out.size())
        (void)run_self_test(t, [&](const std::uint8_t*, std::uint8_t* o) { std::memset(o, 0, t.output_bytes); }, out);
    }
  }
}

using TestFlash = SimulatedNorFlash<256, 10, 8>;
using Slots = SlotManager<TestFlash, 4>;

std::size_t valid_blob(std::uint32_t version, std::span<std::uint8_t> out) {
  std::array<std::uint8_t, 100> payload{};
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * version);
  UpdateHeader h;
  h.fingerprint = 42, h.model_version = version, h.security_counter = version, h.key_id = 0;
  return write_update_blob_hmac(out, h, payload, {}, key.data(), key.size());
}

void check_records(std::span<const std::uint8_t> pages) {
  static TestFlash flash;
  flash = TestFlash{};
  HmacVerifier<1> v{{{{0, key}}}};
  Slots slots(flash);
  std::array<std::uint8_t, 512> blob{};
  const std::size_t n = valid_blob(1, blob);
  if (!slots.provision(v, std::span(blob.data(), n), 42)) die("provisioning a valid blob failed");
  // Overwrite the record pages with the input (erase, then program what fits in whole words).
  for (std::size_t p = 8; p < 10; ++p) (void)flash.erase(p);
  std::array<std::uint8_t, 512> rec{};
  rec.fill(0xFF);
  std::memcpy(rec.data(), pages.data(), pages.size() < rec.size() ? pages.size() : rec.size());
  (void)flash.program(8 * 256, rec.data(), rec.size());
  BootChoice c = slots.boot();
  if (c.has_model && c.blob_bytes > Slots::slot_bytes) die("boot chose a model larger than a slot");
  const std::size_t m = valid_blob(1000, blob);
  (void)slots.install(v, std::span(blob.data(), m), 42);
  c = slots.boot();
  if (c.has_model && c.blob_bytes > Slots::slot_bytes) die("boot chose a model larger than a slot");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: check_blob(rest); break;
    case 1: {
      static std::array<std::uint8_t, 1 << 16> copy;
      if (rest.size() > copy.size()) return 0;
      std::memcpy(copy.data(), rest.data(), rest.size());
      UpdateHeader h;
      if (parse_update_header(rest, rest.size(), h) && h.algorithm == TagAlgorithm::hmac_sha256) {
        const auto t = hmac_sha256(key.data(), key.size(), copy.data(), h.signed_bytes());
        std::memcpy(copy.data() + h.signed_bytes(), t.data(), t.size());
      }
      check_blob(std::span<const std::uint8_t>(copy.data(), rest.size()));
      break;
    }
    default: check_records(rest); break;
  }
  return 0;
}
