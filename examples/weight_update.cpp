// SPDX-License-Identifier: Apache-2.0
// A field update of a model's weights, as a device does it (docs/updates.md): the architecture is
// compiled in, a signed blob travels; the device verifies it, writes it to its other flash slot,
// boots it on trial, runs the self-test the blob carries and confirms it, or reverts.
//
// The model is the int8 GRU digit classifier trained in ctml (examples/gru_digits.cpp): the device
// leaves the factory with the model after 3 epochs and is updated to the fully trained one.
//
//   weight_update
//       the whole story on a simulated device, with blobs made here (HMAC-SHA256, a demo key)
//   weight_update --export DIR
//       the vendor's side: writes (into DIR, which must exist) what ctml-blob packs: DIR/factory.bin and DIR/update.bin (the two
//       models' weight blobs), DIR/inputs.bin (8 test digits) and DIR/factory_outputs.bin,
//       DIR/update_outputs.bin (the logit bytes each model must give for them)
//   weight_update --device FACTORY.ctup UPDATE.ctup... (--hmac KEY.bin | --ed25519-public PUBLIC.key)
//       a device trusting that key is provisioned with FACTORY and receives each UPDATE in turn,
//       with a reset after each; exit 0 when a model runs at the end
// With ctml-blob (docs/updates.md, "End to end"):
//   ctml-blob keygen --ed25519 vendor.sk vendor.pk
//   weight_update --export out
//   ctml-blob pack out/update.bin -o update.unsigned --version 2 --counter 2 --cases 8
//       --inputs out/inputs.bin --outputs out/update_outputs.bin
//   ctml-blob sign update.unsigned -o update.ctup --ed25519 vendor.sk
//   (the same for factory.bin, version 1) then: weight_update --device factory.ctup update.ctup --ed25519-public vendor.pk
//
// Output: one line per step: `factory model: version 1, accuracy 206/271`, for each blob
// `NAME: accepted` or `NAME: refused (REASON)`, after each reset `running: version V, accuracy
// N/271` with `(self-test passed, confirmed)` or `(self-test failed, reverted)` when one ran.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>

#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/make_update_blob.hpp>

#include "gru_digits_update.hpp"
#if CTML_EXAMPLE_SODIUM
#include <sodium.h>
#endif

namespace {
namespace cu = ctml::update;
namespace t = gru_digits::trained;
namespace gu = gru_digits::update;
using Flash = cu::SimulatedNorFlash<2048, 8, 8>;  // 3 pages per slot, 2 record pages

// The running model's accuracy on the 271 test digits.
template <class D>
std::size_t accuracy(D& device) {
  std::size_t correct = 0;
  for (std::size_t k = 0; k < t::test_count; ++k) {
    std::int8_t z[gru_digits::classes];
    device.classify(t::test_pixels[k], z);
    correct += gru_digits::argmax(z) == t::test_labels[k];
  }
  return correct;
}

template <class D>
void report_boot(D& device, const gu::Boot& b) {
  if (!b.ok) {
    std::printf("running: no model (%s)\n", b.reason);
    return;
  }
  std::printf("running: version %u, accuracy %zu/%zu%s\n", static_cast<unsigned>(b.version), accuracy(device), t::test_count,
              b.reverted ? " (self-test failed, reverted)" : (b.tested ? " (self-test passed, confirmed)" : ""));
}

// ---- the story with blobs made here ----------------------------------------------------------------
constexpr std::array<std::uint8_t, 32> demo_key = {'c', 't', 'm', 'l', '-', 'd', 'e', 'm', 'o', '-', 'k', 'e', 'y', '-', '0', '1',
                                                   'n', 'o', 't', '-', 'f', 'o', 'r', '-', 'r', 'e', 'a', 'l', '-', 'u', 's', 'e'};
struct Blob {
  std::array<std::uint8_t, gu::max_blob_bytes> bytes{};
  std::size_t size = 0;
  std::span<const std::uint8_t> view() const { return {bytes.data(), size}; }
};

Blob make_blob(const unsigned char (&weights)[gu::weight_bytes], const std::int8_t (&golden)[t::test_count][gru_digits::classes],
               std::uint32_t version) {
  cu::UpdateHeader h;
  h.fingerprint = gu::fingerprint, h.model_version = version, h.security_counter = version, h.key_id = 1;
  Blob b;
  b.size = cu::write_update_blob_hmac(b.bytes, h, std::span<const std::uint8_t>(weights, sizeof weights), gu::self_test(golden),
                                      demo_key.data(), demo_key.size());
  return b;
}

int story() {
  static Flash flash;
  cu::HmacVerifier<1> verifier{{{{1, demo_key}}}};
  static gu::Device<Flash, 3, cu::HmacVerifier<1>> device{flash, verifier};
  static const Blob factory = make_blob(t::qblob_early, t::qlogits_early, 1), update = make_blob(t::qblob, t::qlogits, 2),
                    lying = make_blob(t::qblob, t::qlogits_early, 3);
  if (!device.provision(factory.view())) return 1;
  gu::Boot b = device.boot();
  std::printf("factory model: version %u, accuracy %zu/%zu\n", static_cast<unsigned>(b.version), accuracy(device), t::test_count);

  auto receive = [&](const char* name, std::span<const std::uint8_t> blob) {
    const cu::UpdateResult r = device.receive(blob);
    if (r) std::printf("%s: accepted\n", name);
    else std::printf("%s: refused (%s)\n", name, r.reason);
    return static_cast<bool>(r);
  };
  static Blob damaged = update;
  damaged.bytes[1000] ^= 0x20;
  receive("update damaged in transit", damaged.view());
  receive("update cut short", update.view().first(update.size / 2));
  if (receive("update", update.view())) report_boot(device, b = device.boot());
  const bool updated = b.ok && b.version == 2;
  receive("factory blob again (downgrade)", factory.view());
  if (receive("version 3 with wrong golden outputs", lying.view())) report_boot(device, b = device.boot());
  return updated && b.ok && b.version == 2 ? 0 : 1;
}

// ---- the vendor's side: what ctml-blob packs --------------------------------------------------------
bool write(const std::string& path, const void* p, std::size_t n) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(p, 1, n, f) == n;
  return std::fclose(f) == 0 && ok;
}

int export_inputs(const std::string& dir) {
  const auto in = gu::self_test_inputs();
  const auto early = gu::self_test_outputs(t::qlogits_early), trained_out = gu::self_test_outputs(t::qlogits);
  const bool ok = write(dir + "/factory.bin", t::qblob_early, sizeof t::qblob_early) && write(dir + "/update.bin", t::qblob, sizeof t::qblob) &&
                  write(dir + "/inputs.bin", in.data(), in.size()) && write(dir + "/factory_outputs.bin", early.data(), early.size()) &&
                  write(dir + "/update_outputs.bin", trained_out.data(), trained_out.size());
  if (!ok) {
    std::fprintf(stderr, "weight_update: cannot write to %s\n", dir.c_str());
    return 1;
  }
  std::printf("wrote %s/factory.bin, update.bin (weights), inputs.bin, factory_outputs.bin, update_outputs.bin (self-test: %u cases)\n",
              dir.c_str(), static_cast<unsigned>(gu::self_test_cases));
  return 0;
}

// ---- a device trusting a key file -----------------------------------------------------------------------
struct File {
  std::array<std::uint8_t, gu::max_blob_bytes + 1> bytes{};
  std::size_t size = 0;
  bool ok = false;
  std::span<const std::uint8_t> view() const { return {bytes.data(), size}; }
};
// Reads at most max_blob_bytes + 1 bytes: a longer file is then refused by the header's size check.
File read(const char* path) {
  File f;
  if (std::FILE* p = std::fopen(path, "rb")) {
    f.size = std::fread(f.bytes.data(), 1, f.bytes.size(), p);
    f.ok = std::ferror(p) == 0;
    std::fclose(p);
  }
  return f;
}

#if CTML_EXAMPLE_SODIUM
// A Verifier for Ed25519 signatures (libsodium): the signed bytes are collected (a fixed buffer: an
// update blob of this model) and checked at finish.
struct Ed25519Verifier {
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<std::uint8_t, gu::max_blob_bytes> message{};
  std::size_t size = 0;
  bool overflow = false;
  bool accepts(cu::TagAlgorithm a, std::uint32_t) const { return a == cu::TagAlgorithm::ed25519; }
  void begin(cu::TagAlgorithm, std::uint32_t) { size = 0, overflow = false; }
  void update(const std::uint8_t* p, std::size_t n) {
    if (n > message.size() - size) {
      overflow = true;
      return;
    }
    std::memcpy(message.data() + size, p, n);
    size += n;
  }
  bool finish(const std::uint8_t* tag, std::size_t n) {
    return !overflow && n == crypto_sign_BYTES && crypto_sign_verify_detached(tag, message.data(), size, public_key.data()) == 0;
  }
};
#endif

template <class V>
int run_device(V& verifier, const char* factory_path, char** updates, int n) {
  static Flash flash;
  static gu::Device<Flash, 3, V> device{flash, verifier};
  const File factory = read(factory_path);
  if (!factory.ok) return std::fprintf(stderr, "weight_update: cannot read %s\n", factory_path), 2;
  if (const cu::UpdateResult r = device.provision(factory.view()); !r) {
    std::printf("%s: refused at the factory (%s)\n", factory_path, r.reason);
    return 1;
  }
  gu::Boot b = device.boot();
  std::printf("factory model: version %u, accuracy %zu/%zu\n", static_cast<unsigned>(b.version), accuracy(device), t::test_count);
  for (int i = 0; i < n; ++i) {
    static File blob;
    blob = read(updates[i]);
    if (!blob.ok) return std::fprintf(stderr, "weight_update: cannot read %s\n", updates[i]), 2;
    const cu::UpdateResult r = device.receive(blob.view());
    if (!r) {
      std::printf("%s: refused (%s)\n", updates[i], r.reason);
      continue;
    }
    std::printf("%s: accepted\n", updates[i]);
    report_boot(device, b = device.boot());  // the reset into the new model
  }
  return b.ok ? 0 : 1;
}

int usage() {
  std::fprintf(stderr,
               "usage: weight_update\n"
               "       weight_update --export DIR\n"
               "       weight_update --device FACTORY.ctup UPDATE.ctup... (--hmac KEY.bin | --ed25519-public PUBLIC.key)\n");
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc == 1) return story();
  if (argc == 3 && std::strcmp(argv[1], "--export") == 0) return export_inputs(argv[2]);
  if (argc < 5 || std::strcmp(argv[1], "--device") != 0) return usage();
  const char* option = argv[argc - 2];
  const File key = read(argv[argc - 1]);
  if (!key.ok) return std::fprintf(stderr, "weight_update: cannot read %s\n", argv[argc - 1]), 2;
  if (std::strcmp(option, "--hmac") == 0) {
    if (key.size != 32) return std::fprintf(stderr, "weight_update: %s is not a 32-byte HMAC key\n", argv[argc - 1]), 2;
    // Key id 0 (ctml-blob pack's default); a device with several keys lists them all.
    cu::ProvisionedKey k{};
    std::memcpy(k.key.data(), key.bytes.data(), 32);
    static cu::HmacVerifier<1> verifier{{k}};
    return run_device(verifier, argv[2], argv + 3, argc - 5);
  }
  if (std::strcmp(option, "--ed25519-public") == 0) {
#if CTML_EXAMPLE_SODIUM
    if (sodium_init() < 0) return std::fprintf(stderr, "weight_update: libsodium failed to start\n"), 1;
    if (key.size != crypto_sign_PUBLICKEYBYTES) return std::fprintf(stderr, "weight_update: %s is not a 32-byte Ed25519 public key\n", argv[argc - 1]), 2;
    static Ed25519Verifier verifier;
    std::memcpy(verifier.public_key.data(), key.bytes.data(), verifier.public_key.size());
    return run_device(verifier, argv[2], argv + 3, argc - 5);
#else
    std::fprintf(stderr, "weight_update: built without libsodium (libsodium-dev): Ed25519 is not available\n");
    return 2;
#endif
  }
  return usage();
}
