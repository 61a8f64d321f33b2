// SPDX-License-Identifier: Apache-2.0
// A field update of a model's weights: the architecture is compiled in, only a weight blob travels.
// The device keeps running its current weights when an update arrives damaged or was made for
// another model.
//   build/default/examples/weight_update
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <ctml/ctml.hpp>
#include <ctml/model/serialize.hpp>

using Net = ctml::Sequential<float, ctml::Shape<8>, ctml::Dense<16>, ctml::ReLU, ctml::Dense<4>, ctml::Softmax<>>;

namespace {
Net device{};                                             // the model in use
std::array<std::byte, ctml::weight_blob_bytes<Net>> update{};  // what arrives over the air

// Stand-in for training: deterministic weights in [-0.5, 0.5).
template <class N>
void set_weights(N& net, std::uint32_t seed) {
  std::apply([&](auto&... t) {
    ((void)[&] {
      for (auto& x : t) x = static_cast<float>((seed = seed * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
    }(), ...);
  }, net.parameters());
}

float probe(const Net& net) {
  Net::input_type x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) / 8.0f;
  return net.infer(x)[0];
}

void report(const char* what, const ctml::BlobResult& r, const Net& net) {
  std::printf("%-26s %-8s %-70s output[0]=%.6f\n", what, r ? "accepted" : "refused", r.reason,
              static_cast<double>(probe(net)));
}
}  // namespace

int main() {
  set_weights(device, 1);
  std::printf("blob size %zu bytes for %zu parameters\n", update.size(), Net::param_count);
  std::printf("%-26s %-79s output[0]=%.6f\n", "weights in use", "", static_cast<double>(probe(device)));

  // The vendor trains new weights and ships them.
  static Net trained{};
  set_weights(trained, 2);
  if (!ctml::save_weights(trained, update)) return 1;

  // A bit flipped in transit: refused, the device keeps its weights.
  update[100] ^= std::byte{0x10};
  report("damaged update", ctml::load_weights(device, update), device);
  update[100] ^= std::byte{0x10};

  // Cut short: refused.
  report("truncated update", ctml::load_weights(device, std::span(update).first(update.size() / 2)), device);

  // Weights for another model of the same size: refused by the fingerprint.
  using Other = ctml::Sequential<float, ctml::Shape<8>, ctml::Dense<16>, ctml::Tanh, ctml::Dense<4>, ctml::Softmax<>>;
  static Other other{};
  set_weights(other, 3);
  static std::array<std::byte, ctml::weight_blob_bytes<Other>> other_blob{};
  if (!ctml::save_weights(other, other_blob)) return 1;
  report("update for another model", ctml::load_weights(device, other_blob), device);

  // The intact update: accepted.
  const auto ok = ctml::load_weights(device, update);
  report("intact update", ok, device);
  return ok ? 0 : 1;
}
