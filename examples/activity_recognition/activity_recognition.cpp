// SPDX-License-Identifier: Apache-2.0
// Activity recognition from a pocket accelerometer, end to end on the host: simulated people and
// devices (motion_sim.hpp: six activities, per-person gait and phone orientation, per-device
// rate, noise, bias and scale), the pipeline of har_features.hpp, and two models trained in ctml:
// gradient-boosted trees on window features, and a small Conv1D network on the raw windows.
// Trained on 20 people with 8 devices, tested on 10 other people with 4 other devices.
//   activity_recognition [--svg DIR] [--write DIR]
// --write DIR also writes the trained models for the firmware (firmware/fw_har.cpp):
// DIR/har_model.hpp (the network as a weight blob, its channel scaling, and the classes and
// logits this machine computed for the firmware's scenario) and DIR/har_trees.hpp (the trees, by
// tools/trees/codegen.hpp). The shipped ones are in examples/activity_recognition/data.
// Prints accuracy and the confusion matrix of both models on the unseen people and devices, and
// writes confusion_trees.svg and confusion_cnn.svg. Exits 1 if either model is below 90 %.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include <ctml/ctml.hpp>
#include <ctml/train.hpp>
#include <ctml/trees/gradient_boosting.hpp>

#include <ctml/model/serialize.hpp>
#include <fstream>

#include "../common/host_utils.hpp"
#include "../common/svg_plot.hpp"
#include "data/har_model.hpp"
#include "data/har_trees.hpp"
#include "trees/codegen.hpp"
#include "har_features.hpp"
#include "motion_sim.hpp"

namespace {
using namespace har;
constexpr std::size_t people = 45, train_people = 30, devices = 12, train_devices = 8;
constexpr double session_seconds = 40.0;

struct Example {
  std::array<float, window * channels> raw;  // 50 Hz channels
  std::array<float, features> f;
  std::int32_t label;
};

// One session: a person doing an activity for 40 s with a device, cut into windows.
// With `as_50hz`, the device's samples are taken for 50 Hz ones whatever its rate (what a pipeline
// without the resampling step does).
void session(std::size_t person, std::size_t device, Activity a, std::uint64_t seed, std::vector<Example>& out, bool as_50hz = false) {
  const Device d = Device::make(device);
  Simulator sim(Person::make(person), d, a, seed);
  const std::size_t n = static_cast<std::size_t>(session_seconds * d.rate);
  std::vector<float> xyz(3 * n), ch(3 * n);
  sim.generate(xyz.data(), n);
  const std::size_t m = to_channels(xyz.data(), n, as_50hz ? rate : d.rate, ch.data());
  static FrontEnd::state_type state;
  static FrontEnd::scratch_type scratch;
  for (std::size_t at = 0; at + window <= m; at += hop) {
    Example e;
    std::copy_n(ch.data() + 3 * at, window * channels, e.raw.data());
    FrontEnd{}(e.raw.data(), e.f.data(), state, scratch);
    e.label = static_cast<std::int32_t>(a);
    out.push_back(e);
  }
}

using ex::Progress;

void print_confusion(const char* title, const std::array<std::size_t, activity_count * activity_count>& cm) {
  std::printf("%s\n%-10s", title, "true\\pred");
  for (const char* n : activity_names) std::printf(" %9s", n);
  std::printf("\n");
  for (std::size_t i = 0; i < activity_count; ++i) {
    std::printf("%-10s", activity_names[i]);
    for (std::size_t j = 0; j < activity_count; ++j) std::printf(" %9zu", cm[i * activity_count + j]);
    std::printf("\n");
  }
}

// ---- the tree ensemble -------------------------------------------------------------------------
constexpr std::size_t rounds = 30;
using Trees = ctml::trees::Forest<ctml::trees::ForestShape<features, activity_count, rounds * activity_count, rounds * activity_count * 15,
                                                           rounds * activity_count * 16, 1, 4>>;
Trees trees;
ctml::trees::Workspace<11000, features, activity_count> workspace;

// ---- the network -------------------------------------------------------------------------------
Net net{};
ChannelScale scale{};

void train_net(const std::vector<Example>& train) {
  for (std::size_t c = 0; c < channels; ++c) {
    double s = 0, s2 = 0, n = 0;
    for (const Example& e : train)
      for (std::size_t i = 0; i < window; ++i) s += e.raw[i * channels + c], s2 += static_cast<double>(e.raw[i * channels + c]) * e.raw[i * channels + c], ++n;
    const double mean = s / n, var = s2 / n - mean * mean;
    scale.mean[c] = static_cast<float>(mean);
    scale.inv_std[c] = static_cast<float>(1.0 / std::sqrt(var > 1e-12 ? var : 1e-12));
  }
  std::vector<Net::input_type> x(train.size());
  for (std::size_t k = 0; k < train.size(); ++k) scale.apply(train[k].raw.data(), x[k].data());
  Rng rng{11};
  ex::init_uniform(net, rng);
  static ctml::train::Trainer<Net> tr;
  static ctml::train::Adam<Net> opt{2e-3f};
  constexpr int epochs = 12;
  constexpr std::size_t batch = 32;
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  const Progress progress{"training the network (epochs)", epochs};
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.next() % (i + 1)]);
    for (std::size_t b = 0; b < order.size(); b += batch) {
      tr.zero_grad();
      const std::size_t end = std::min(b + batch, order.size());
      for (std::size_t k = b; k < end; ++k) {
        const auto& z = tr.forward(net, x[order[k]]);
        float dz[activity_count];
        ctml::train::cross_entropy<activity_count>(z.data(), static_cast<std::size_t>(train[order[k]].label), dz);
        tr.backward(net, x[order[k]], dz);
      }
      opt.step(net, tr.grads, 1.0f / static_cast<float>(end - b));
    }
    progress(static_cast<std::size_t>(epoch + 1));
  }
}

std::size_t net_class(const Example& e) {
  static Net::input_type x{};
  scale.apply(e.raw.data(), x.data());
  const auto z = net.infer(x);
  return static_cast<std::size_t>(std::max_element(z.begin(), z.end()) - z.begin());
}
// ---- the models for the firmware, and the check of the shipped ones ------------------------------
// The scenario the firmware replays: an unseen person with an unseen 100 Hz device, 20 s of each
// activity.
constexpr std::size_t scenario_person = 25, scenario_device = 9;
constexpr double scenario_seconds = 20.0;

std::vector<Example> scenario() {
  std::vector<Example> out;
  for (std::size_t a = 0; a < activity_count; ++a) {
    const Device d = Device::make(scenario_device);
    Simulator sim(Person::make(scenario_person), d, static_cast<Activity>(a), 7000 + a);
    const std::size_t n = static_cast<std::size_t>(scenario_seconds * d.rate);
    std::vector<float> xyz(3 * n), ch(3 * n);
    sim.generate(xyz.data(), n);
    const std::size_t m = to_channels(xyz.data(), n, d.rate, ch.data());
    static FrontEnd::state_type state;
    static FrontEnd::scratch_type scratch;
    for (std::size_t at = 0; at + window <= m; at += hop) {
      Example e;
      std::copy_n(ch.data() + 3 * at, window * channels, e.raw.data());
      FrontEnd{}(e.raw.data(), e.f.data(), state, scratch);
      e.label = static_cast<std::int32_t>(a);
      out.push_back(e);
    }
  }
  return out;
}

bool write_models(const std::string& dir) {
  std::ofstream o(dir + "/har_model.hpp");
  o << "// SPDX-License-Identifier: Apache-2.0\n"
       "// Generated by `activity_recognition --write DIR` (examples/activity_recognition): the Conv1D network\n"
       "// trained in ctml (a weight blob of har::Net), its channel scaling, and the classes and logits the\n"
       "// training machine computed for the firmware's scenario (person "
    << scenario_person << ", device " << scenario_device
    << ").\n// Regenerate with the same command; do not edit.\n#pragma once\n#include <cstddef>\n\nnamespace har::trained {\n\n";
  static std::array<std::byte, ctml::weight_blob_bytes<Net>> blob{};
  if (!ctml::save_weights(net, blob)) return false;
  ex::write_array(o, "unsigned char", "net_blob", reinterpret_cast<const unsigned char*>(blob.data()), blob.size());
  ex::write_array(o, "float", "channel_mean", scale.mean, channels);
  ex::write_array(o, "float", "channel_inv_std", scale.inv_std, channels);
  const std::vector<Example> sc = scenario();
  std::vector<float> logits;
  std::vector<unsigned char> tree_classes;
  for (const Example& e : sc) {
    static Net::input_type x{};
    scale.apply(e.raw.data(), x.data());
    const auto z = net.infer(x);
    logits.insert(logits.end(), z.begin(), z.end());
    tree_classes.push_back(static_cast<unsigned char>(trees.predict_class(e.f.data())));
  }
  o << "inline constexpr std::size_t scenario_person = " << scenario_person << ", scenario_device = " << scenario_device
    << ", scenario_windows = " << sc.size() << ";\ninline constexpr double scenario_seconds = " << scenario_seconds << ";\n";
  ex::write_array(o, "float", "scenario_logits", logits.data(), logits.size());
  ex::write_array(o, "unsigned char", "scenario_tree_classes", tree_classes.data(), tree_classes.size());
  o << "\n}  // namespace har::trained\n";
  if (!o) return false;
  std::ofstream t(dir + "/har_trees.hpp");
  ctml::trees::HeaderOptions options;
  options.name = "har_trees";
  const std::string err = ctml::trees::write_header(t, ctml::trees::flatten(trees), options);
  if (!err.empty()) std::fprintf(stderr, "activity_recognition: %s\n", err.c_str());
  std::printf("wrote %s/har_model.hpp, har_trees.hpp\n", dir.c_str());
  return err.empty() && static_cast<bool>(t);
}

// The shipped models (data/, what the firmware runs) on this machine: the scenario's logits within
// 1e-3 of the recorded ones, the same tree classes.
bool check_shipped() {
  namespace tr = har::trained;
  static Net shipped{};
  if (const ctml::BlobResult r = ex::load_blob(shipped, tr::net_blob); !r) {
    std::printf("shipped network: refused: %s\n", r.reason);
    return false;
  }
  ChannelScale sc{};
  std::memcpy(sc.mean, tr::channel_mean, sizeof sc.mean);
  std::memcpy(sc.inv_std, tr::channel_inv_std, sizeof sc.inv_std);
  const std::vector<Example> s = scenario();
  std::size_t close = 0, same = 0;
  for (std::size_t k = 0; k < s.size() && k < tr::scenario_windows; ++k) {
    static Net::input_type x{};
    sc.apply(s[k].raw.data(), x.data());
    const auto z = shipped.infer(x);
    bool ok = true;
    for (std::size_t i = 0; i < activity_count; ++i)
      ok = ok && std::fabs(z[i] - tr::scenario_logits[k * activity_count + i]) <= 1e-3f * (1.0f + std::fabs(tr::scenario_logits[k * activity_count + i]));
    close += ok;
    same += har_trees::model.predict_class(s[k].f.data()) == tr::scenario_tree_classes[k];
  }
  std::printf("shipped models (data/): scenario logits within 1e-3 of the recorded ones %zu/%zu, tree classes equal %zu/%zu\n", close,
              tr::scenario_windows, same, tr::scenario_windows);
  return s.size() == tr::scenario_windows && close == s.size() && same == s.size();
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".", write_dir;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 < argc && std::strcmp(argv[i], "--svg") == 0) {
      dir = argv[i + 1];
    } else if (i + 1 < argc && std::strcmp(argv[i], "--write") == 0) {
      write_dir = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: activity_recognition [--svg DIR] [--write DIR]\n");
      return 2;
    }
  }
  std::printf("people: %zu (%zu for training), devices: %zu (%zu for training; 50 and 100 Hz), %zu activities, %.0f s per session\n", people,
              train_people, devices, train_devices, activity_count, session_seconds);
  std::vector<Example> train, test;
  {
    const Progress progress{"simulating (people)", people};
    for (std::size_t p = 0; p < people; ++p) {
      for (std::size_t a = 0; a < activity_count; ++a) {
        if (p < train_people) {
          session(p, p % train_devices, static_cast<Activity>(a), p * 100 + a, train);
          session(p, (p + 3) % train_devices, static_cast<Activity>(a), p * 100 + 50 + a, train);
        } else {
          session(p, train_devices + p % (devices - train_devices), static_cast<Activity>(a), p * 100 + a, test);
        }
      }
      progress(p + 1);
    }
  }
  std::printf("windows of %.2f s every %.2f s: %zu for training, %zu for testing (unseen people and devices)\n", window / rate, hop / rate,
              train.size(), test.size());

  // Trees on features.
  std::vector<float> rows;
  std::vector<std::int32_t> labels;
  for (const Example& e : train) rows.insert(rows.end(), e.f.begin(), e.f.end()), labels.push_back(e.label);
  ctml::trees::Dataset data{rows.data(), labels.size(), features, labels.data(), nullptr, activity_count};
  ctml::trees::BoostOptions opt;
  opt.objective = ctml::trees::Objective::softmax;
  opt.rounds = rounds;
  opt.tree.max_depth = 4;
  const auto trained = ctml::trees::train_gradient_boosting(data, opt, trees, workspace);
  if (!trained) {
    std::printf("trees: training failed: %s\n", trained.error);
    return 1;
  }
  std::array<std::size_t, activity_count * activity_count> cm_trees{}, cm_net{};
  std::size_t right_trees = 0;
  double tree_s = 0;
  for (const Example& e : test) {
    const auto t0 = std::chrono::steady_clock::now();
    static Example copy;
    copy = e;
    static FrontEnd::state_type st;
    static FrontEnd::scratch_type sc;
    FrontEnd{}(copy.raw.data(), copy.f.data(), st, sc);  // the features again, timed
    const std::size_t p = trees.predict_class(copy.f.data());
    tree_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++cm_trees[static_cast<std::size_t>(e.label) * activity_count + p];
    right_trees += p == static_cast<std::size_t>(e.label);
  }
  const double acc_trees = static_cast<double>(right_trees) / static_cast<double>(test.size());
  std::printf("\ntrees: gradient boosting, %zu trees of depth <= 4 (%zu nodes) on %zu features: accuracy %.1f %% on unseen people and devices "
              "(host: %.1f us per window with the features)\n",
              trained.trees, trained.nodes, features, 100 * acc_trees, 1e6 * tree_s / static_cast<double>(test.size()));
  print_confusion("", cm_trees);

  // Why the pipeline resamples: the 100 Hz test devices read as if they were 50 Hz.
  {
    std::vector<Example> naive;
    for (std::size_t p = train_people; p < people; ++p)
      for (std::size_t a = 0; a < activity_count; ++a)
        if (Device::make(train_devices + p % (devices - train_devices)).rate > 75.0)
          session(p, train_devices + p % (devices - train_devices), static_cast<Activity>(a), p * 100 + a, naive, true);
    std::size_t right = 0;
    for (const Example& e : naive) right += trees.predict_class(e.f.data()) == static_cast<std::size_t>(e.label);
    std::printf("the same trees on the 100 Hz test devices without resampling (samples taken for 50 Hz ones): accuracy %.1f %% "
                "(%zu windows)\n",
                100.0 * static_cast<double>(right) / static_cast<double>(naive.size()), naive.size());
  }

  // The network on raw windows.
  train_net(train);
  std::size_t right_net = 0;
  double net_s = 0;
  for (const Example& e : test) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t p = net_class(e);
    net_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++cm_net[static_cast<std::size_t>(e.label) * activity_count + p];
    right_net += p == static_cast<std::size_t>(e.label);
  }
  const double acc_net = static_cast<double>(right_net) / static_cast<double>(test.size());
  std::printf("\nnetwork: Conv1D x3 (%zu parameters, %zu MACs) on raw windows: accuracy %.1f %% on unseen people and devices (host: %.1f us "
              "per window)\n",
              static_cast<std::size_t>(Net::param_count), static_cast<std::size_t>(Net::macs), 100 * acc_net,
              1e6 * net_s / static_cast<double>(test.size()));
  print_confusion("", cm_net);

  svg::write_matrix(dir + "/confusion_trees.svg", "Trees on features, unseen people and devices", activity_names, activity_count, cm_trees.data());
  svg::write_matrix(dir + "/confusion_cnn.svg", "Conv1D on raw windows, unseen people and devices", activity_names, activity_count, cm_net.data());
  std::printf("wrote %s/confusion_trees.svg, confusion_cnn.svg\n", dir.c_str());
  if (!write_dir.empty() && !write_models(write_dir)) {
    std::fprintf(stderr, "activity_recognition: cannot write to %s\n", write_dir.c_str());
    return 1;
  }
  const bool shipped_ok = check_shipped();
  const bool ok = shipped_ok && acc_trees >= 0.90 && acc_net >= 0.90;
  std::printf("%s\n", ok ? "activity recognition: ok" : "activity recognition: FAILED (each model >= 90 % on unseen people and devices, shipped models as recorded)");
  return ok ? 0 : 1;
}
