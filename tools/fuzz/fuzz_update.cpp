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
//      log is read, the device boots, installs a valid blob, boots again;
//   3  a weight blob (model/serialize.hpp) with its CRC-32 recomputed, so that mutations reach the
//      record parser and the value checks: loaded into the int8 GRU digit classifier
//      (examples/gru_digits_stream.hpp); a refused blob must leave the model's bytes unchanged.
// Seeds from real blobs (the trained model of examples/data/gru_digits_trained.hpp in an update
// blob with its self-test, the commit records of a real install, the weight blob itself):
//   CTML_FUZZ_WRITE_SEEDS=DIR fuzz_update     writes them to DIR and exits (the CTest fixture does).
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

#include <ctml/model/serialize.hpp>
#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/make_update_blob.hpp>
#include <ctml/update/self_test.hpp>
#include <ctml/update/slots.hpp>
#include <fstream>
#include <string>

#include "data/gru_digits_trained.hpp"
#include "gru_digits_stream.hpp"

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
// A weight blob for the int8 GRU model, its CRC made right: a refusal keeps the model's bytes.
void check_weights(std::span<const std::uint8_t> in) {
  using Model = gru_digits::QStream;
  constexpr std::size_t n = ctml::weight_blob_bytes<Model>;
  static std::array<std::byte, n + 8> blob{};  // up to 8 bytes too long
  static std::array<std::byte, n> before{}, after{};
  static Model model{};
  if (in.size() > blob.size()) return;
  std::memcpy(blob.data(), in.data(), in.size());
  const std::size_t len = in.size();
  if (len >= 4) {
    const std::uint32_t crc = ctml::update::detail::crc32_bytes(reinterpret_cast<const std::uint8_t*>(blob.data()), len - 4);
    for (int k = 0; k < 4; ++k) blob[len - 4 + static_cast<std::size_t>(k)] = static_cast<std::byte>(crc >> (8 * k));
  }
  if (!ctml::save_weights(model, before)) die("save_weights failed");
  const ctml::BlobResult r = ctml::load_weights(model, std::span<const std::byte>(blob.data(), len));
  if (!ctml::save_weights(model, after)) die("save_weights failed");
  if (!r) {
    if (r.reason == nullptr || std::string_view(r.reason).empty()) die("a weight blob refused without a reason");
    if (before != after) die("a refused weight blob changed the model");
    return;
  }
  // Loaded: the model runs (UBSan/ASan watch the kernels on whatever values passed the checks).
  static std::array<std::byte, Model::arena_bytes> arena{};
  std::int8_t z[gru_digits::classes];
  gru_digits::classify(model, {gru_digits::trained::input_scale, gru_digits::trained::input_zero_point},
                       gru_digits::trained::test_pixels[0], z, arena);
}

// Seeds: real blobs, each with its mode byte.
void write_seed(const std::string& path, std::uint8_t mode, const std::uint8_t* p, std::size_t n) {
  std::ofstream f(path, std::ios::binary);
  f.put(static_cast<char>(mode));
  f.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
  if (!f) die("cannot write a seed");
}
void write_seeds(const std::string& dir) {
  namespace t = gru_digits::trained;
  // The trained int8 model's update blob, tagged with the harness key, with a self-test section.
  std::array<std::uint8_t, 8 * 64> in{};
  std::array<std::uint8_t, 8 * 10> out{};
  for (std::size_t k = 0; k < 8; ++k) {
    for (std::size_t i = 0; i < 64; ++i) in[k * 64 + i] = t::test_pixels[k][i];
    for (std::size_t i = 0; i < 10; ++i) out[k * 10 + i] = static_cast<std::uint8_t>(t::qlogits[k][i]);
  }
  std::array<std::uint8_t, 12 + 8 * 74> st{};
  (void)write_self_test(st, 8, in, 64, out, 10);
  std::array<std::uint8_t, 8192> blob{};
  UpdateHeader h;
  h.fingerprint = ctml::weight_blob_fingerprint<gru_digits::QStream>, h.model_version = 2, h.security_counter = 2, h.key_id = 0;
  const std::size_t n = write_update_blob_hmac(blob, h, std::span<const std::uint8_t>(t::qblob, sizeof t::qblob), st, key.data(), key.size());
  if (n == 0) die("seed blob");
  write_seed(dir + "/gru_update_blob", 0, blob.data(), n);
  write_seed(dir + "/gru_update_blob_retag", 1, blob.data(), n);
  // The commit records of a real session (provision, install, trial boot, confirm).
  static TestFlash flash;
  HmacVerifier<1> v{{{{0, key}}}};
  Slots slots(flash);
  std::array<std::uint8_t, 512> small{};
  if (!slots.provision(v, std::span(small.data(), valid_blob(1, small)), 42)) die("seed provision");
  if (!slots.install(v, std::span(small.data(), valid_blob(2, small)), 42) || !slots.boot().has_model || !slots.confirm()) die("seed install");
  write_seed(dir + "/records_after_update", 2, flash.mapped(8 * 256), 512);
  // The weight blobs themselves (int8: the trained and the 3-epoch model).
  write_seed(dir + "/gru_int8_weights", 3, t::qblob, sizeof t::qblob);
  write_seed(dir + "/gru_int8_weights_early", 3, t::qblob_early, sizeof t::qblob_early);
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("CTML_FUZZ_WRITE_SEEDS")) {
    write_seeds(dir);
    std::printf("fuzz_update: seeds written to %s\n", dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  switch (data[0] % 4) {
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
    case 2: check_records(rest); break;
    default: check_weights(rest); break;
  }
  return 0;
}
