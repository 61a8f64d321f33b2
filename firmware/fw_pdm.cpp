// SPDX-License-Identifier: Apache-2.0
// Firmware image: predictive maintenance on Cortex-M under QEMU (examples/predictive_maintenance).
// The device simulates its machine's accelerometer (the example's vibration simulator, an unseen
// machine of the fleet), learns its baseline during commissioning, then streams each condition
// (normal, moderate outer race, inner race, ball, imbalance, misalignment) through ctml's
// vibration front end with envelope analysis, the autoencoder trained on the host (a weight blob
// loaded by the compiler) and the gradient-boosted fault classifier (a generated header).
// Checked against the training machine's run of the same scenario (data/pdm_model.hpp): every
// window's anomaly score within 1e-3 (relative; the device's libm differs), the fault class of
// every window, and the alarm decisions (mean score of the last 8 windows against the threshold):
// none on the normal machine, every decision on the faulty ones. Reports instructions per window
// and per second of signal, the duty cycle at 80 MHz, and the memory.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctml/frontend/feature_stream.hpp>
#include <ctml/model/serialize.hpp>

#include "board.hpp"
#include "data/pdm_classifier.hpp"
#include "data/pdm_model.hpp"
#include "pdm_features.hpp"

namespace fw {
namespace t = pdm::trained;
struct Loaded {
  pdm::Autoencoder ae{};
  ctml::BlobResult result{};
};
inline constexpr Loaded loaded = [] {
  Loaded l{};
  l.result = ex::load_blob(l.ae, t::autoencoder_blob);
  return l;
}();
static_assert(loaded.result, "examples/predictive_maintenance/data/pdm_model.hpp: the autoencoder blob does not load");
inline constexpr const pdm::Autoencoder& autoencoder = loaded.ae;
inline constexpr pdm::Standardizer standardizer = [] {
  pdm::Standardizer s{};
  for (std::size_t i = 0; i < pdm::ae_features; ++i) s.mean[i] = t::standard_mean[i], s.inv_std[i] = t::standard_inv_std[i];
  return s;
}();
}  // namespace fw

namespace {
ctml::frontend::FeatureStream<pdm::MachineFrontEnd, 1> stream;
pdm::Baseline baseline;
float block[1024];
float fe[pdm::MachineFrontEnd::features];
float x[pdm::tree_features];

const pdm::Machine machine = pdm::Machine::make(pdm::MachineType{}, fw::t::scenario_machine);
std::uint64_t seed(std::uint64_t session) { return fw::t::scenario_machine * 1000003u + session; }
}  // namespace

int main() {
  namespace t = fw::t;
  board::paint_stack();
  board::counter_start();
  // Commissioning: the machine's own normal (30 windows).
  {
    pdm::Simulator sim(machine, seed(999));
    stream.reset();
    while (baseline.count < pdm::commissioning_windows) {
      sim.generate({}, block, 1024);
      if (stream.push(block, 1024) > 0) {
        stream.copy_window(fe);
        pdm::model_features(fe, x);
        baseline.add(x);
      }
    }
  }
  constexpr pdm::Condition scenario[] = {{pdm::Fault::none, 0.0}, {pdm::Fault::outer_race, pdm::moderate}, {pdm::Fault::inner_race, pdm::moderate},
                                         {pdm::Fault::ball, pdm::moderate}, {pdm::Fault::imbalance, pdm::moderate},
                                         {pdm::Fault::misalignment, pdm::moderate}};
  static_assert(std::size(scenario) == t::scenario_conditions);
  std::size_t close = 0, same_class = 0, windows = 0, decisions_right = 0, decisions = 0;
  std::uint64_t fe_n = 0, ae_n = 0, tree_n = 0;
  bool ok = true;
  for (std::size_t c = 0; c < t::scenario_conditions; ++c) {
    pdm::Simulator sim(machine, seed(500 + c));
    stream.reset();
    float recent[t::smoothing]{}, host_recent[t::smoothing]{};
    std::size_t j = 0;
    while (j < t::scenario_windows) {
      sim.generate(scenario[c], block, 1024);
      std::size_t made = 0;
      const std::uint64_t n_fe = board::count_instructions([&] { made = stream.push(block, 1024); });
      if (made == 0) continue;
      float score = 0;
      std::size_t cls = 0;
      const std::uint64_t n_ae = board::count_instructions([&] {
        stream.copy_window(fe);
        pdm::model_features(fe, x);
        baseline.subtract(x);
        score = board::opaque(pdm::anomaly_score(fw::autoencoder, fw::standardizer, x));
      });
      const std::uint64_t n_tree = board::count_instructions([&] { cls = board::opaque(pdm_classifier::model.predict_class(x)); });
      if (windows == 0) fe_n = n_fe, ae_n = n_ae, tree_n = n_tree;
      const std::size_t k = c * t::scenario_windows + j;
      const float host = t::scenario_scores[k];
      close += std::fabs(score - host) <= 1e-3f * std::fabs(host) + 1e-5f;
      same_class += cls == t::scenario_classes[k];
      recent[j % t::smoothing] = score, host_recent[j % t::smoothing] = host;
      if (j + 1 >= t::smoothing) {
        float mean = 0, host_mean = 0;
        for (std::size_t i = 0; i < t::smoothing; ++i) mean += recent[i], host_mean += host_recent[i];
        mean /= t::smoothing, host_mean /= t::smoothing;
        const bool alarm = mean > t::threshold;
        const bool expected = scenario[c].fault != pdm::Fault::none;
        decisions_right += alarm == expected && (host_mean > t::threshold) == expected;
        ++decisions;
      }
      ++windows, ++j;
    }
  }
  const std::size_t stack = board::stack_used();
  ok = close == windows && same_class == windows && decisions_right == decisions;
  const double per_second = static_cast<double>(fe_n + ae_n + tree_n) * pdm::vibration_config.sample_rate / pdm::vibration_config.hop;
  board::Out() << "fw_pdm (" << board::name << "): " << windows << " windows, scores within 1e-3 of the host " << close << "/" << windows
               << ", fault classes equal " << same_class << "/" << windows << ", alarm decisions right " << decisions_right << "/"
               << decisions << "\n";
  board::Out() << "instructions per window: front end " << fe_n << ", features + autoencoder " << ae_n << ", classifier " << tree_n
               << "; per second of signal " << static_cast<std::uint64_t>(per_second) << " (duty cycle at 80 MHz "
               << board::fixed(100.0 * per_second / 80e6, 2) << " %)\n";
  board::Out() << "memory: feature stream " << sizeof stream << " bytes, autoencoder weights " << sizeof(pdm::Autoencoder)
               << " (arena " << pdm::Autoencoder::arena_bytes << "), classifier " << sizeof(pdm_classifier::Model) << ", stack " << stack
               << (ok ? "\nfw_pdm: ok\n" : "\nfw_pdm: FAILED\n");
  return ok ? 0 : 1;
}
