// SPDX-License-Identifier: Apache-2.0
// The whole update path with a real model: a ctml network's weight blob wrapped in an update blob
// whose self-test section holds golden inputs and the outputs they must give; installed into the
// inactive slot, booted on trial, loaded from flash (load_weights), self-tested, then confirmed;
// a blob whose model does not reproduce its golden outputs is reverted and the previous weights
// run again, byte for byte.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include <ctml/ctml.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/update/hmac_verifier.hpp>
#include <ctml/update/make_update_blob.hpp>
#include <ctml/update/self_test.hpp>
#include <ctml/update/slots.hpp>

namespace {
using namespace ctml::update;
using Net = ctml::Sequential<float, ctml::Shape<4>, ctml::Dense<3>, ctml::ReLU, ctml::Dense<2>>;
constexpr std::size_t weights = ctml::weight_blob_bytes<Net>;
using TestFlash = SimulatedNorFlash<256, 10, 8>;  // slots of 4 pages, two record pages
using Slots = SlotManager<TestFlash, 4>;
constexpr std::uint64_t fp = ctml::weight_blob_fingerprint<Net>;
constexpr std::array<std::uint8_t, 32> key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                           17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

Net with_weights(float seed) {
  Net n{};
  float v = seed;
  std::apply([&](auto&... t) { ((void)[&] { for (auto& w : t) w = (v = v * 1.37f + 0.11f, v - static_cast<float>(static_cast<int>(v)) - 0.5f); }(), ...); },
             n.template layer<0>().parameters());
  std::apply([&](auto&... t) { ((void)[&] { for (auto& w : t) w = (v = v * 1.37f + 0.11f, v - static_cast<float>(static_cast<int>(v)) - 0.5f); }(), ...); },
             n.template layer<2>().parameters());
  return n;
}

constexpr std::array<float, 8> golden_in = {0.5f, -1.0f, 0.25f, 2.0f, -0.5f, 0.75f, 1.5f, -2.0f};

void run(const Net& n, const std::uint8_t* in, std::uint8_t* out) {
  Net::input_type x{};
  std::memcpy(x.data(), in, sizeof(float) * 4);
  const auto y = n.infer(x);
  std::memcpy(out, y.data(), sizeof(float) * 2);
}

// An update blob for net at version v; with `lie`, the golden outputs are not the model's.
struct Blob {
  std::array<std::uint8_t, 1024> bytes{};
  std::size_t size = 0;
};
Blob make(const Net& net, std::uint32_t v, bool lie = false) {
  std::array<std::byte, weights> w{};
  REQUIRE(static_cast<bool>(ctml::save_weights(net, w)));
  std::array<std::uint8_t, 16> expected{};
  for (std::size_t k = 0; k < 2; ++k) run(net, reinterpret_cast<const std::uint8_t*>(golden_in.data() + 4 * k), expected.data() + 8 * k);
  if (lie) expected[3] ^= 0x10;
  std::array<std::uint8_t, 12 + 2 * (16 + 8)> st{};
  REQUIRE(write_self_test(st, 2, std::span(reinterpret_cast<const std::uint8_t*>(golden_in.data()), 32), 16, expected, 8) == st.size());
  UpdateHeader h;
  h.fingerprint = fp, h.model_version = v, h.security_counter = v, h.key_id = 3;
  Blob b;
  b.size = write_update_blob_hmac(b.bytes, h, std::span(reinterpret_cast<const std::uint8_t*>(w.data()), w.size()), st, key.data(), key.size());
  REQUIRE(b.size > 0);
  return b;
}

// What the device does at reset: boot, load the chosen slot's weights, self-test a trial model,
// confirm or revert. Returns the running network.
Net device_boot(TestFlash& flash, std::uint32_t& version) {
  Slots slots(flash);
  const BootChoice c = slots.boot();
  REQUIRE(c.has_model);
  std::array<std::uint8_t, 1024> blob{};
  REQUIRE(flash.read(c.offset, blob.data(), c.blob_bytes) == FlashStatus::ok);
  UpdateHeader h;
  REQUIRE(static_cast<bool>(parse_update_header(std::span(blob.data(), c.blob_bytes), c.blob_bytes, h)));
  Net net{};
  REQUIRE(static_cast<bool>(ctml::load_weights(net, std::span(reinterpret_cast<const std::byte*>(blob.data()) + h.payload_offset(), h.payload_bytes))));
  version = c.version;
  if (c.state == SlotState::trial) {
    SelfTestView t;
    REQUIRE(static_cast<bool>(parse_self_test(std::span(blob.data() + h.self_test_offset(), h.self_test_bytes), t)));
    std::array<std::uint8_t, 8> out{};
    if (run_self_test(t, [&](const std::uint8_t* in, std::uint8_t* o) { run(net, in, o); }, out)) {
      REQUIRE(static_cast<bool>(slots.confirm()));
    } else {
      REQUIRE(static_cast<bool>(slots.revert()));
      return device_boot(flash, version);  // the previous model, as a reset would
    }
  }
  return net;
}

bool same_outputs(const Net& a, const Net& b) {
  std::array<std::uint8_t, 8> x{}, y{};
  run(a, reinterpret_cast<const std::uint8_t*>(golden_in.data()), x.data());
  run(b, reinterpret_cast<const std::uint8_t*>(golden_in.data()), y.data());
  return x == y;
}
}  // namespace

TEST_CASE("a real model's update: install, trial, self-test, confirm; a lying blob is reverted") {
  static TestFlash flash;
  HmacVerifier<1> v{{{{3, key}}}};
  Slots slots(flash);
  const Net v1 = with_weights(0.3f), v2 = with_weights(0.7f), v3 = with_weights(0.9f);
  const Blob b1 = make(v1, 1), b2 = make(v2, 2), b3 = make(v3, 3, /*lie=*/true);
  REQUIRE(static_cast<bool>(slots.provision(v, std::span(b1.bytes.data(), b1.size), fp)));
  std::uint32_t version = 0;
  CHECK(same_outputs(device_boot(flash, version), v1));
  CHECK(version == 1);
  REQUIRE(static_cast<bool>(slots.install(v, std::span(b2.bytes.data(), b2.size), fp)));
  CHECK(same_outputs(device_boot(flash, version), v2));  // trial, self-test passes, confirmed
  CHECK(version == 2);
  CHECK(same_outputs(device_boot(flash, version), v2));  // and stays
  REQUIRE(static_cast<bool>(slots.install(v, std::span(b3.bytes.data(), b3.size), fp)));
  CHECK(same_outputs(device_boot(flash, version), v2));  // v3 fails its self-test: reverted
  CHECK(version == 2);
  CHECK(slots.state(fp).security_counter == 2);  // the floor did not move to 3
  // The weight blob inside is checked too: a blob whose payload is another model's is refused.
  using Other = ctml::Sequential<float, ctml::Shape<4>, ctml::Dense<2>>;
  CHECK(slots.install(v, std::span(b2.bytes.data(), b2.size), ctml::weight_blob_fingerprint<Other>).error == UpdateError::wrong_model);
}
