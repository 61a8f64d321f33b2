// SPDX-License-Identifier: Apache-2.0
// Firmware image: activity recognition on Cortex-M under QEMU (examples/activity_recognition).
// The device simulates its accelerometer (the example's motion simulator: an unseen person with
// an unseen 100 Hz device), brings the samples to 50 Hz orientation-free channels, and every
// 1.28 s classifies the last 2.56 s with both models trained on the host: the gradient-boosted
// trees on ctml's Vibration features (a generated header) and the Conv1D network (a weight blob
// loaded by the compiler). Checked against the training machine's run of the same scenario
// (data/har_model.hpp): every window's logits within 1e-3 and every tree class equal. Reports
// instructions per window and per second of signal, and the memory.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include <ctml/model/serialize.hpp>

#include "board.hpp"
#include "data/har_model.hpp"
#include "data/har_trees.hpp"
#include "har_features.hpp"

namespace fw {
namespace t = har::trained;
struct Loaded {
  har::Net net{};
  ctml::BlobResult result{};
};
inline constexpr Loaded loaded = [] {
  Loaded l{};
  l.result = ex::load_blob(l.net, t::net_blob);
  return l;
}();
static_assert(loaded.result, "examples/activity_recognition/data/har_model.hpp: the network blob does not load");
inline constexpr const har::Net& net = loaded.net;
inline constexpr har::ChannelScale scale = [] {
  har::ChannelScale s{};
  for (std::size_t c = 0; c < har::channels; ++c) s.mean[c] = t::channel_mean[c], s.inv_std[c] = t::channel_inv_std[c];
  return s;
}();
}  // namespace fw

namespace {
constexpr std::size_t block = 64;  // device samples per read (0.64 s at 100 Hz)
float xyz[3 * block], ch[3 * block];
float win[har::window * har::channels];  // the last 2.56 s of channels
float features[har::features];
har::Net::input_type x{};
har::FrontEnd::state_type fe_state;
har::FrontEnd::scratch_type fe_scratch;
alignas(16) std::byte arena[har::Net::arena_bytes];
}  // namespace

int main() {
  namespace t = fw::t;
  board::paint_stack();
  board::counter_start();
  const har::Device device = har::Device::make(t::scenario_device);
  const har::Person person = har::Person::make(t::scenario_person);
  std::size_t k = 0, close = 0, same = 0, right_trees = 0, right_net = 0;
  std::uint64_t fe_n = 0, net_n = 0, tree_n = 0;
  for (std::size_t a = 0; a < har::activity_count; ++a) {
    har::Simulator sim(person, device, static_cast<har::Activity>(a), 7000 + a);
    const std::size_t total = static_cast<std::size_t>(t::scenario_seconds * device.rate);
    std::size_t filled = 0, fresh = 0;
    for (std::size_t done = 0; done < total; done += block) {
      const std::size_t n = total - done < block ? total - done : block;
      sim.generate(xyz, n);
      const std::size_t m = har::to_channels(xyz, n, device.rate, ch);
      for (std::size_t i = 0; i < m; ++i) {
        if (filled == har::window) {  // slide by one sample
          std::memmove(win, win + har::channels, sizeof win - har::channels * sizeof(float));
          --filled;
        }
        for (std::size_t c = 0; c < har::channels; ++c) win[filled * har::channels + c] = ch[i * har::channels + c];
        ++filled, ++fresh;
        if (filled < har::window || (fresh < har::hop && fresh != har::window)) continue;
        fresh = 0;
        // A window: features and trees, the network.
        std::size_t tree_class = 0;
        fe_n = board::count_instructions([&] { har::FrontEnd{}(win, features, fe_state, fe_scratch); });
        tree_n = board::count_instructions([&] { tree_class = board::opaque(har_trees::model.predict_class(features)); });
        har::Net::output_type z{};
        net_n = board::count_instructions([&] {
          fw::scale.apply(win, x.data());
          fw::net(x, z, arena);
        });
        if (k < t::scenario_windows) {
          bool ok = true;
          for (std::size_t j = 0; j < har::activity_count; ++j)
            ok = ok && std::fabs(z[j] - t::scenario_logits[k * har::activity_count + j]) <= 1e-3f * (1.0f + std::fabs(t::scenario_logits[k * har::activity_count + j]));
          close += ok;
          same += tree_class == t::scenario_tree_classes[k];
        }
        std::size_t best = 0;
        for (std::size_t j = 1; j < har::activity_count; ++j) best = z[j] > z[best] ? j : best;
        right_net += best == a;
        right_trees += tree_class == a;
        ++k;
      }
    }
  }
  const std::size_t stack = board::stack_used();
  const bool ok = k == t::scenario_windows && close == k && same == k;
  const double per_second = static_cast<double>(fe_n + tree_n + net_n) * har::rate / har::hop;
  board::Out() << "fw_har (" << board::name << "): " << k << " windows, logits within 1e-3 of the host " << close << "/" << k
               << ", tree classes equal " << same << "/" << k << "; right: trees " << right_trees << ", network " << right_net << "\n";
  board::Out() << "instructions per window: features " << fe_n << ", trees " << tree_n << ", network " << net_n
               << "; per second of signal (both models) " << static_cast<std::uint64_t>(per_second) << " (duty cycle at 80 MHz "
               << board::fixed(100.0 * per_second / 80e6, 3) << " %)\n";
  board::Out() << "memory: network weights " << sizeof(har::Net) << " bytes (arena " << har::Net::arena_bytes << "), trees "
               << sizeof(har_trees::Model) << ", window " << sizeof win << ", front-end scratch " << sizeof fe_scratch << ", stack " << stack
               << (ok ? "\nfw_har: ok\n" : "\nfw_har: FAILED\n");
  return ok ? 0 : 1;
}
