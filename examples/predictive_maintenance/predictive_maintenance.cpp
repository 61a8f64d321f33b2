// SPDX-License-Identifier: Apache-2.0
// Predictive maintenance from vibration, end to end on the host: a simulated fleet of 12 machines
// of one type (vibration_sim.hpp: shaft harmonics, gear mesh, bearing defects exciting the
// housing's resonance, drift and noise, each machine within its tolerances), features by ctml's
// vibration front end, an autoencoder trained in ctml on normal windows only (MLPerf Tiny AD
// style) whose threshold is set for a 1 % false-alarm rate on validation windows, and a gradient-
// boosted tree ensemble trained in ctml that names the fault. Models are trained on 8 machines and
// tested on the 4 others.
//   predictive_maintenance [--svg DIR] [--write DIR]
// --write DIR also writes the trained models for the firmware (firmware/fw_pdm.cpp):
// DIR/pdm_model.hpp (the autoencoder as a weight blob, the standardizer, the threshold, and the
// scores this machine computed for a test scenario) and DIR/pdm_classifier.hpp (the trees, by
// tools/trees/codegen.hpp). The shipped ones are in examples/predictive_maintenance/data.
// Prints the detection table (ROC AUC and detection rate per fault and severity), the fault
// classifier's accuracy and confusion matrix, and when a slowly growing outer-race defect is
// caught; writes roc.svg, degradation.svg and confusion.svg (into DIR, default: the current
// directory). Exits 1 if moderate bearing faults are detected less than 95 % of the time at the
// threshold, the false-alarm rate on the unseen machines exceeds 3 %, or the classifier is below
// 90 % on moderate and severe faults.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include <ctml/ctml.hpp>
#include <ctml/frontend/feature_stream.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/train.hpp>
#include <ctml/trees/gradient_boosting.hpp>

#include <fstream>

#include "../common/host_utils.hpp"
#include "../common/svg_plot.hpp"
#include "data/pdm_classifier.hpp"
#include "data/pdm_model.hpp"
#include "trees/codegen.hpp"
#include "pdm_features.hpp"
#include "vibration_sim.hpp"

namespace {
using namespace pdm;
constexpr std::size_t machines = 48, train_machines = 36;
constexpr std::size_t smoothing = 8;
const MachineType machine_type{};

struct Window {
  std::array<float, tree_features> f;
};

// `count` consecutive feature windows of one machine in one condition (a recording session; the
// first window needs 2048 samples, then one every 1024), as the model's features.
std::vector<Window> raw_record(std::size_t machine, Condition c, std::size_t count, std::uint64_t session) {
  const Machine m = Machine::make(machine_type, machine);
  Simulator sim(m, machine * 1000003u + session);
  static ctml::frontend::FeatureStream<MachineFrontEnd, 1> stream;
  stream.reset();
  std::vector<Window> out;
  std::array<float, 1024> block{};
  std::array<float, MachineFrontEnd::features> fe{};
  while (out.size() < count) {
    sim.generate(c, block.data(), block.size());
    if (stream.push(block.data(), block.size()) > 0) {
      stream.copy_window(fe.data());
      Window w;
      model_features(fe.data(), w.f.data());
      out.push_back(w);
    }
  }
  return out;
}

// Each machine's baseline, from its commissioning session (normal operation).
const Baseline& baseline(std::size_t machine) {
  static std::vector<Baseline> cache(machines);
  Baseline& b = cache[machine];
  if (b.count == 0)
    for (const Window& w : raw_record(machine, {}, commissioning_windows, 999)) b.add(w.f.data());
  return b;
}

// The same, as deviations from the machine's baseline.
std::vector<Window> record(std::size_t machine, Condition c, std::size_t count, std::uint64_t session) {
  std::vector<Window> ws = raw_record(machine, c, count, session);
  for (Window& w : ws) baseline(machine).subtract(w.f.data());
  return ws;
}

using ex::Progress;

// ---- the autoencoder ---------------------------------------------------------------------------
Autoencoder autoencoder{};
Standardizer standardizer{};

void train_autoencoder(const std::vector<Window>& normal) {
  // Standardize with the training windows' statistics.
  for (std::size_t i = 0; i < ae_features; ++i) {
    double s = 0, s2 = 0;
    for (const Window& w : normal) s += w.f[i], s2 += static_cast<double>(w.f[i]) * w.f[i];
    const double mean = s / static_cast<double>(normal.size());
    const double var = s2 / static_cast<double>(normal.size()) - mean * mean;
    standardizer.mean[i] = static_cast<float>(mean);
    standardizer.inv_std[i] = static_cast<float>(1.0 / std::sqrt(var > 1e-12 ? var : 1e-12));
  }
  std::vector<Autoencoder::input_type> x(normal.size());
  for (std::size_t k = 0; k < normal.size(); ++k) standardizer.apply(normal[k].f.data(), x[k].data());
  Rng rng{7};
  ex::init_uniform(autoencoder, rng);  // He-uniform weights, zero biases (deterministic)
  static ctml::train::Trainer<Autoencoder> tr;
  static ctml::train::Adam<Autoencoder> opt{2e-3f};
  constexpr int epochs = 80;
  constexpr std::size_t batch = 32;
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  const Progress progress{"training the autoencoder (epochs)", epochs};
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.next() % (i + 1)]);
    for (std::size_t b = 0; b < order.size(); b += batch) {
      tr.zero_grad();
      const std::size_t end = std::min(b + batch, order.size());
      for (std::size_t k = b; k < end; ++k) {
        const auto& in = x[order[k]];
        const auto& y = tr.forward(autoencoder, in);
        float dy[ae_features];
        ctml::train::mse<ae_features>(y.data(), in.data(), dy);
        tr.backward(autoencoder, in, dy);
      }
      opt.step(autoencoder, tr.grads, 1.0f / static_cast<float>(end - b));
    }
    progress(static_cast<std::size_t>(epoch + 1));
  }
}

// The decisions over a session: the anomaly score averaged over the last `smoothing` windows
// (about a second of signal; one decision per window once that many exist).
std::vector<float> decisions(const std::vector<Window>& ws) {
  std::vector<float> s, out;
  for (const Window& w : ws) s.push_back(anomaly_score(autoencoder, standardizer, w.f.data()));
  float sum = 0.0f;
  for (std::size_t i = 0; i < s.size(); ++i) {
    sum += s[i];
    if (i >= smoothing) sum -= s[i - smoothing];
    if (i + 1 >= smoothing) out.push_back(sum / static_cast<float>(smoothing));
  }
  return out;
}

// ROC AUC: the probability that a fault window scores above a normal one (ties count half).
double auc(const std::vector<float>& normal, const std::vector<float>& fault) {
  std::vector<float> n = normal;
  std::sort(n.begin(), n.end());
  double sum = 0;
  for (float f : fault) {
    const auto lo = std::lower_bound(n.begin(), n.end(), f), hi = std::upper_bound(n.begin(), n.end(), f);
    sum += static_cast<double>(lo - n.begin()) + 0.5 * static_cast<double>(hi - lo);
  }
  return sum / (static_cast<double>(n.size()) * static_cast<double>(fault.size()));
}

double rate_above(const std::vector<float>& s, float threshold) {
  return static_cast<double>(std::count_if(s.begin(), s.end(), [&](float v) { return v > threshold; })) / static_cast<double>(s.size());
}

// ---- the fault classifier ----------------------------------------------------------------------
constexpr std::size_t rounds = 40, max_rows = 3000;
using Classifier = ctml::trees::Forest<ctml::trees::ForestShape<tree_features, fault_count, rounds * fault_count, rounds * fault_count * 15,
                                                                rounds * fault_count * 16, 1, 4>>;
Classifier classifier;
ctml::trees::Workspace<max_rows, tree_features, fault_count> workspace;

// ---- the models for the firmware ------------------------------------------------------------------
// The scenario the firmware replays: an unseen machine's commissioning, then each condition for
// `scenario_windows` windows.
constexpr std::size_t scenario_machine = 40, scenario_windows = 16;
constexpr Condition scenario[] = {{Fault::none, 0.0}, {Fault::outer_race, moderate}, {Fault::inner_race, moderate},
                                  {Fault::ball, moderate}, {Fault::imbalance, moderate}, {Fault::misalignment, moderate}};

bool write_models(const std::string& dir, float threshold) {
  std::ofstream o(dir + "/pdm_model.hpp");
  o << "// SPDX-License-Identifier: Apache-2.0\n"
       "// Generated by `predictive_maintenance --write DIR` (examples/predictive_maintenance): the autoencoder\n"
       "// trained in ctml (a weight blob of pdm::Autoencoder), its standardizer and threshold, and the scores\n"
       "// the training machine computed for the firmware's scenario (machine "
    << scenario_machine << ", " << scenario_windows
    << " windows per condition).\n"
       "// Regenerate with the same command; do not edit.\n#pragma once\n#include <cstddef>\n\nnamespace pdm::trained {\n\n";
  static std::array<std::byte, ctml::weight_blob_bytes<Autoencoder>> blob{};
  if (!ctml::save_weights(autoencoder, blob)) return false;
  ex::write_array(o, "unsigned char", "autoencoder_blob", reinterpret_cast<const unsigned char*>(blob.data()), blob.size());
  ex::write_array(o, "float", "standard_mean", standardizer.mean, ae_features);
  ex::write_array(o, "float", "standard_inv_std", standardizer.inv_std, ae_features);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%af", static_cast<double>(threshold));
  o << "inline constexpr float threshold = " << buf << ";\ninline constexpr std::size_t smoothing = " << smoothing
    << ";\ninline constexpr std::size_t scenario_machine = " << scenario_machine << ", scenario_windows = " << scenario_windows
    << ", scenario_conditions = " << std::size(scenario) << ";\n";
  // The scenario's window scores and classes on this machine.
  std::vector<float> scores;
  std::vector<unsigned char> classes;
  for (std::size_t c = 0; c < std::size(scenario); ++c)
    for (const Window& w : record(scenario_machine, scenario[c], scenario_windows, 500 + c)) {
      scores.push_back(anomaly_score(autoencoder, standardizer, w.f.data()));
      classes.push_back(static_cast<unsigned char>(classifier.predict_class(w.f.data())));
    }
  ex::write_array(o, "float", "scenario_scores", scores.data(), scores.size());
  ex::write_array(o, "unsigned char", "scenario_classes", classes.data(), classes.size());
  o << "\n}  // namespace pdm::trained\n";
  if (!o) return false;
  std::ofstream t(dir + "/pdm_classifier.hpp");
  ctml::trees::HeaderOptions options;
  options.name = "pdm_classifier";
  const std::string err = ctml::trees::write_header(t, ctml::trees::flatten(classifier), options);
  if (!err.empty()) std::fprintf(stderr, "predictive_maintenance: %s\n", err.c_str());
  std::printf("wrote %s/pdm_model.hpp, pdm_classifier.hpp\n", dir.c_str());
  return err.empty() && static_cast<bool>(t);
}

// The shipped models (data/, what the firmware runs) on this machine: the scenario's scores within
// 1e-3 of the recorded ones and the same classes (a changed simulator or front end shows here).
bool check_shipped() {
  namespace tr = pdm::trained;
  static Autoencoder shipped{};
  if (const ctml::BlobResult r = ex::load_blob(shipped, tr::autoencoder_blob); !r) {
    std::printf("shipped autoencoder: refused: %s\n", r.reason);
    return false;
  }
  Standardizer st{};
  std::memcpy(st.mean, tr::standard_mean, sizeof st.mean);
  std::memcpy(st.inv_std, tr::standard_inv_std, sizeof st.inv_std);
  std::size_t close = 0, same = 0, n = 0;
  for (std::size_t c = 0; c < std::size(scenario); ++c)
    for (const Window& w : record(scenario_machine, scenario[c], scenario_windows, 500 + c)) {
      const float s = anomaly_score(shipped, st, w.f.data()), host = tr::scenario_scores[n];
      close += std::fabs(s - host) <= 1e-3f * std::fabs(host) + 1e-5f;
      same += pdm_classifier::model.predict_class(w.f.data()) == tr::scenario_classes[n];
      ++n;
    }
  std::printf("shipped models (data/): scenario scores within 1e-3 of the recorded ones %zu/%zu, classes equal %zu/%zu\n", close, n, same, n);
  return close == n && same == n;
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
      std::fprintf(stderr, "usage: predictive_maintenance [--svg DIR] [--write DIR]\n");
      return 2;
    }
  }
  const Bearing& b = machine_type.bearing;
  std::printf("fleet: %zu machines (%zu for training, %zu unseen for testing), shaft %.1f Hz, BPFO %.1f Hz, BPFI %.1f Hz, 2 BSF %.1f Hz\n",
              machines, train_machines, machines - train_machines, machine_type.speed, b.bpfo(machine_type.speed),
              b.bpfi(machine_type.speed), 2 * b.bsf(machine_type.speed));
  std::printf("features: %zu per window of %zu samples at %.0f Hz (%.3f s, one every %.3f s)\n", ae_features, vibration_config.window,
              vibration_config.sample_rate, vibration_config.window / vibration_config.sample_rate,
              vibration_config.hop / vibration_config.sample_rate);

  // Normal operation of the training machines: training and validation sessions.
  std::vector<Window> train;
  std::vector<std::vector<Window>> validation;
  {
    const Progress progress{"simulating normal operation (machines)", train_machines};
    for (std::size_t m = 0; m < train_machines; ++m) {
      for (std::size_t s = 0; s < 2; ++s) {
        auto w = record(m, {}, 30, s);
        train.insert(train.end(), w.begin(), w.end());
      }
      validation.push_back(record(m, {}, 30, 4));
      progress(m + 1);
    }
  }
  train_autoencoder(train);
  std::vector<float> val;
  for (const auto& session : validation) {
    auto d = decisions(session);
    val.insert(val.end(), d.begin(), d.end());
  }
  std::sort(val.begin(), val.end());
  const float threshold = val[static_cast<std::size_t>(0.99 * static_cast<double>(val.size()))];
  std::printf("autoencoder: %zu parameters, trained on %zu normal windows; threshold %.4f (99th percentile of %zu validation decisions)\n",
              static_cast<std::size_t>(Autoencoder::param_count), train.size(), static_cast<double>(threshold), val.size());
  std::printf("a decision every window (0.128 s) from the mean score of the last %zu windows (%.2f s of signal)\n", smoothing,
              (static_cast<double>(smoothing - 1) * vibration_config.hop + vibration_config.window) / vibration_config.sample_rate);

  // The unseen machines: normal, and every fault at three severities.
  std::vector<float> normal;
  for (std::size_t m = train_machines; m < machines; ++m) {
    auto s = decisions(record(m, {}, 80, 100));
    normal.insert(normal.end(), s.begin(), s.end());
  }
  const double false_alarms = rate_above(normal, threshold);
  std::printf("\nunseen machines, %zu normal decisions: false-alarm rate %.2f %% at the threshold\n", normal.size(), 100 * false_alarms);
  std::printf("%-13s %-30s %s\n", "fault", "ROC AUC (incip. / mod. / sev.)", "detected at the threshold (incip. / mod. / sev.)");
  const double severities[3] = {incipient, moderate, severe};
  double worst_moderate_bearing = 1.0;
  svg::Plot roc("ROC on unseen machines, incipient faults (severity 0.1)", "false-alarm rate", "detection rate", 0, 1, 0, 1);
  std::sort(normal.begin(), normal.end());
  for (std::size_t f = 1; f < fault_count; ++f) {
    double a[3], d[3];
    for (int k = 0; k < 3; ++k) {
      std::vector<float> fs;
      for (std::size_t m = train_machines; m < machines; ++m) {
        auto s = decisions(record(m, {static_cast<Fault>(f), severities[k]}, 24, 200 + f * 10 + k));
        fs.insert(fs.end(), s.begin(), s.end());
      }
      a[k] = auc(normal, fs);
      d[k] = rate_above(fs, threshold);
      if (k == 0) {
        // The ROC curve of the incipient faults (the moderate ones are all at AUC 1): every
        // normal decision's score as a threshold.
        std::vector<double> xs{0.0}, ys{rate_above(fs, normal.back())};
        for (std::size_t i = normal.size(); i-- > 0;) {
          xs.push_back(static_cast<double>(normal.size() - i) / static_cast<double>(normal.size()));
          ys.push_back(rate_above(fs, normal[i]));
        }
        roc.line(xs.data(), ys.data(), xs.size(), fault_names[f]);
      }
      if (k == 1 && f >= static_cast<std::size_t>(Fault::outer_race)) worst_moderate_bearing = std::min(worst_moderate_bearing, d[k]);
    }
    std::printf("%-13s %.3f / %.3f / %.3f          %5.1f %% / %5.1f %% / %5.1f %%\n", fault_names[f], a[0], a[1], a[2], 100 * d[0], 100 * d[1],
                100 * d[2]);
  }
  roc.vline(0.01, "1 % false alarms");
  roc.write(dir + "/roc.svg");

  // A slowly growing outer-race defect on an unseen machine: severity 0 -> 0.6 over 1,200 windows
  // (the life of the bearing, compressed).
  constexpr std::size_t life = 1200;
  std::vector<double> t, score, sev;
  double front_end_s = 0, model_s = 0;  // host time of the pipeline (the simulation excluded)
  {
    const Machine m = Machine::make(machine_type, 10);
    Simulator sim(m, 4242);
    static ctml::frontend::FeatureStream<MachineFrontEnd, 1> stream;
    stream.reset();
    std::array<float, 1024> block{};
    std::array<float, MachineFrontEnd::features> fe{};
    std::array<float, tree_features> x{};
    while (t.size() < life) {
      const double s = severe * static_cast<double>(t.size()) / life;
      sim.generate({Fault::outer_race, s}, block.data(), block.size());
      const auto t0 = std::chrono::steady_clock::now();
      const bool made = stream.push(block.data(), block.size()) > 0;
      const auto t1 = std::chrono::steady_clock::now();
      if (made) {
        stream.copy_window(fe.data());
        model_features(fe.data(), x.data());
        baseline(10).subtract(x.data());
        t.push_back(static_cast<double>(t.size()));
        score.push_back(anomaly_score(autoencoder, standardizer, x.data()));
        sev.push_back(s);
        front_end_s += std::chrono::duration<double>(t1 - t0).count();
        model_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      }
    }
  }
  // Decisions as above (the mean of the last windows); the alarm is the first one above the threshold.
  std::size_t alarm = life;
  {
    const std::vector<double> raw = score;
    double sum = 0;
    for (std::size_t i = 0; i < life; ++i) {
      sum += raw[i] - (i >= smoothing ? raw[i - smoothing] : 0.0);
      score[i] = i + 1 >= smoothing ? sum / smoothing : raw[i];
    }
    for (std::size_t i = smoothing; i < life && alarm == life; ++i)
      if (score[i] > threshold) alarm = i;
  }
  const std::size_t moderate_at = static_cast<std::size_t>(moderate / severe * life);
  std::printf("\nhost, per window: front end %.1f us, features and autoencoder %.1f us\n", 1e6 * front_end_s / life, 1e6 * model_s / life);
  if (alarm < life)
    std::printf("growing outer-race defect: alarm at window %zu (severity %.3f; moderate %.1f is reached at window %zu)\n", alarm, sev[alarm],
                moderate, moderate_at);
  else
    std::printf("growing outer-race defect: NO ALARM\n");
  {
    std::vector<double> logscore(score.size());
    for (std::size_t i = 0; i < score.size(); ++i) logscore[i] = std::log10(score[i]);
    svg::Plot p("Anomaly score over a growing outer-race defect", "window (0.128 s apart; severity 0 -> 0.6)", "log10 score", 0,
                static_cast<double>(life), std::floor(*std::min_element(logscore.begin(), logscore.end())),
                std::ceil(*std::max_element(logscore.begin(), logscore.end())));
    p.line(t.data(), logscore.data(), t.size(), "score");
    p.hline(std::log10(threshold), "threshold (1 % FA)");
    if (alarm < life) p.vline(static_cast<double>(alarm), "alarm");
    p.vline(static_cast<double>(moderate_at), "moderate severity");
    p.write(dir + "/degradation.svg");
  }

  // The fault classifier: gradient-boosted trees on labelled windows of the training machines
  // (every fault at severities from incipient to severe), tested on the unseen machines.
  std::vector<float> rows;
  std::vector<std::int32_t> labels;
  for (std::size_t m = 0; m < train_machines; ++m)
    for (std::size_t f = 0; f < fault_count; ++f)
      for (std::size_t k = 0; k < 6; ++k) {
        const double s = f == 0 ? 0.0 : incipient + (severe - incipient) * static_cast<double>(k) / 5.0;
        for (const Window& w : record(m, {static_cast<Fault>(f), s}, 2, 300 + f * 10 + k)) {
          rows.insert(rows.end(), w.f.begin(), w.f.end());
          labels.push_back(static_cast<std::int32_t>(f));
        }
      }
  ctml::trees::Dataset data{rows.data(), labels.size(), tree_features, labels.data(), nullptr, fault_count};
  ctml::trees::BoostOptions opt;
  opt.objective = ctml::trees::Objective::softmax;
  opt.rounds = rounds;
  opt.tree.max_depth = 4;
  const auto trained = ctml::trees::train_gradient_boosting(data, opt, classifier, workspace);
  if (!trained) {
    std::printf("fault classifier: training failed: %s\n", trained.error);
    return 1;
  }
  std::array<std::size_t, fault_count * fault_count> confusion{};
  double classifier_s = 0;
  std::size_t classified = 0;
  std::size_t right = 0, total = 0, right_incipient = 0, total_incipient = 0;
  for (std::size_t m = train_machines; m < machines; ++m)
    for (std::size_t f = 0; f < fault_count; ++f)
      for (int k = 0; k < 3; ++k) {
        if (f == 0 && k > 0) continue;
        const double s = f == 0 ? 0.0 : severities[k];
        for (const Window& w : record(m, {static_cast<Fault>(f), s}, 10, 400 + f * 10 + static_cast<std::size_t>(k))) {
          const auto t0 = std::chrono::steady_clock::now();
          const std::size_t p = classifier.predict_class(w.f.data());
          classifier_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), ++classified;
          if (k == 0 && f != 0) {
            right_incipient += p == f, ++total_incipient;
            continue;
          }
          ++confusion[f * fault_count + p];
          right += p == f, ++total;
        }
      }
  const double accuracy = static_cast<double>(right) / static_cast<double>(total);
  std::printf("\nfault classifier: gradient boosting, %zu trees of depth <= 4 (%zu nodes), trained on %zu labelled windows\n", trained.trees,
              trained.nodes, labels.size());
  std::printf("unseen machines: accuracy %.1f %% (normal, moderate and severe faults; %zu windows), %.1f %% on incipient faults; "
              "host %.2f us per window\n",
              100 * accuracy, total, 100.0 * static_cast<double>(right_incipient) / static_cast<double>(total_incipient),
              1e6 * classifier_s / static_cast<double>(classified));
  std::printf("%-13s", "true \\ pred");
  for (std::size_t j = 0; j < fault_count; ++j) std::printf(" %12s", fault_names[j]);
  std::printf("\n");
  for (std::size_t i = 0; i < fault_count; ++i) {
    std::printf("%-13s", fault_names[i]);
    for (std::size_t j = 0; j < fault_count; ++j) std::printf(" %12zu", confusion[i * fault_count + j]);
    std::printf("\n");
  }
  svg::write_matrix(dir + "/confusion.svg", "Fault classifier on unseen machines", fault_names, fault_count, confusion.data());
  std::printf("wrote %s/roc.svg, degradation.svg, confusion.svg\n", dir.c_str());

  if (!write_dir.empty() && !write_models(write_dir, threshold)) {
    std::fprintf(stderr, "predictive_maintenance: cannot write to %s\n", write_dir.c_str());
    return 1;
  }
  const bool shipped_ok = check_shipped();
  const bool ok = shipped_ok && worst_moderate_bearing >= 0.95 && false_alarms <= 0.03 && accuracy >= 0.90 && alarm < moderate_at;
  std::printf("%s\n", ok ? "predictive maintenance: ok"
                         : "predictive maintenance: FAILED (moderate bearing faults >= 95 % detected, <= 3 % false alarms, "
                           "classifier >= 90 %, alarm before moderate severity, shipped models as recorded)");
  return ok ? 0 : 1;
}
