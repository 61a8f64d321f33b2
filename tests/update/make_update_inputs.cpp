// SPDX-License-Identifier: Apache-2.0
// Writes what ctml-blob packs, for tests/update/ctml_blob_test.sh: the weight blob of a small
// ctml network (weights.bin), two golden inputs (inputs.bin) and the outputs the network gives
// for them (outputs.bin), and, with --check BLOB KEY, installs a signed HMAC blob on a simulated
// device (SlotManager on the simulated NOR flash), boots it, loads its weights, runs its
// self-test and confirms it: exit 0 only if the device ends up running those weights.
// Usage: update_make_inputs DIR | update_make_inputs --check BLOB HMAC_KEY
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <ctml/ctml.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/self_test.hpp>
#include <ctml/update/slots.hpp>

namespace {
using Net = ctml::Sequential<float, ctml::Shape<4>, ctml::Dense<3>, ctml::ReLU, ctml::Dense<2>>;
constexpr std::array<float, 8> golden = {0.5f, -1.0f, 0.25f, 2.0f, -0.5f, 0.75f, 1.5f, -2.0f};

Net model() {
  Net n{};
  float v = 0.4f;
  auto fill = [&](auto&... t) { ((void)[&] { for (auto& w : t) w = (v = v * 1.37f + 0.11f, v - static_cast<float>(static_cast<int>(v)) - 0.5f); }(), ...); };
  std::apply(fill, n.template layer<0>().parameters());
  std::apply(fill, n.template layer<2>().parameters());
  return n;
}
void run(const Net& n, const std::uint8_t* in, std::uint8_t* out) {
  Net::input_type x{};
  std::memcpy(x.data(), in, 16);
  const auto y = n.infer(x);
  std::memcpy(out, y.data(), 8);
}
bool write(const std::string& path, const void* p, std::size_t n) {
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
  return static_cast<bool>(f);
}
std::vector<std::uint8_t> read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

int check(const std::string& blob_path, const std::string& key_path) {
  using namespace ctml::update;
  const auto blob = read(blob_path);
  const auto key = read(key_path);
  if (blob.empty() || key.size() != 32) return std::fprintf(stderr, "cannot read %s / %s\n", blob_path.c_str(), key_path.c_str()), 1;
  static SimulatedNorFlash<256, 10, 8> flash;
  SlotManager<decltype(flash), 4> slots(flash);
  UpdateHeader peek;
  if (!parse_update_header(blob, blob.size(), peek)) return std::fprintf(stderr, "bad header\n"), 1;
  ProvisionedKey k{peek.key_id, {}};
  std::memcpy(k.key.data(), key.data(), 32);
  HmacVerifier<1> v{{k}};
  if (const auto r = slots.provision(v, blob, ctml::weight_blob_fingerprint<Net>); !r) return std::fprintf(stderr, "provision: %s\n", r.reason), 1;
  const BootChoice c = slots.boot();
  if (!c.has_model) return std::fprintf(stderr, "boot: %s\n", c.result.reason), 1;
  std::vector<std::uint8_t> slot(c.blob_bytes);
  flash.read(c.offset, slot.data(), slot.size());
  UpdateHeader h;
  parse_update_header(slot, slot.size(), h);
  Net net{};
  if (const auto r = ctml::load_weights(net, std::span(reinterpret_cast<const std::byte*>(slot.data()) + h.payload_offset(), h.payload_bytes)); !r)
    return std::fprintf(stderr, "load_weights: %s\n", r.reason), 1;
  SelfTestView t;
  std::array<std::uint8_t, 8> out{};
  if (!parse_self_test(std::span(slot.data() + h.self_test_offset(), h.self_test_bytes), t) ||
      !run_self_test(t, [&](const std::uint8_t* in, std::uint8_t* o) { run(net, in, o); }, out))
    return std::fprintf(stderr, "self-test failed\n"), 1;
  std::printf("device: installed version %u, self-test passed (%u cases)\n", c.version, t.cases);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--check") return check(argv[2], argv[3]);
  if (argc != 2) return std::fprintf(stderr, "usage: update_make_inputs DIR | --check BLOB KEY\n"), 2;
  const std::string dir = argv[1];
  const Net n = model();
  std::array<std::byte, ctml::weight_blob_bytes<Net>> w{};
  if (!ctml::save_weights(n, w)) return 1;
  std::array<std::uint8_t, 16> out{};
  for (std::size_t k = 0; k < 2; ++k) run(n, reinterpret_cast<const std::uint8_t*>(golden.data() + 4 * k), out.data() + 8 * k);
  const bool ok = write(dir + "/weights.bin", w.data(), w.size()) && write(dir + "/inputs.bin", golden.data(), sizeof golden) &&
                  write(dir + "/outputs.bin", out.data(), out.size());
  return ok ? 0 : 1;
}
