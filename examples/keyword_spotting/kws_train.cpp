// SPDX-License-Identifier: Apache-2.0
// Trains ctml's keyword spotter on speech synthesized by make_speech.sh (espeak-ng + sox), with the
// library's own tools: micro_speech features, a float CNN trained in ctml, int8 by ctml's post-
// training quantization.
//   kws_train CORPUS_DIR --check     the shipped int8 models on the corpus's test speakers (CI)
//   kws_train CORPUS_DIR [--epochs N] [--write HEADER] [--save-teacher FILE | --load-teacher FILE]
//                        [--student-epochs N [--baseline] [--write-student HEADER]]
//                        [--gru-epochs N [--write-gru HEADER]] [--dscnn-epochs N [--write-dscnn HEADER]]
// 1. The model (kws::Net), float, trained for --epochs (or loaded from a float weight blob that
//    --save-teacher wrote), then int8 by ctml's PTQ; --write writes the int8 model (a weight blob
//    and its input and output quantization) as the header the example ships.
// 2. With --student-epochs: the optimization path for smaller parts. A student with half the
//    filters (kws::Student) distilled from that model (soft targets at temperature 4, weight
//    0.7; --baseline also trains it on the labels alone from the same start), pruned to
//    kws::pruned_filters filters in its first convolution (kws::Pruned, a smaller dense type),
//    fine-tuned with the teacher, then int8; --write-student writes that one.
// 3. With --gru-epochs: the recurrent variant (kws::GruNet: a GRU of 64 units over the frames),
//    distilled from the model, then int8 (TFLite's LSTM scheme); --write-gru writes it. With
//    --dscnn-epochs the same for the depthwise-separable variant (kws::DsCnn; --write-dscnn).
// Prints the test accuracy at every step (a Markdown table), parameters and MACs.
// The data (corpus.hpp): keyword clips, unknown words and silence over background noise, about
// 25 % silence and 25 % unknown, drawn anew every epoch; the front end warmed up on 0.5 s of audio.
// Speakers are split 70/15/15 (make_speech.sh): test speakers are never heard in training.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include <ctml/ctml.hpp>
#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/wav.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/quant/quantize_model.hpp>
#include <ctml/sparse/structured.hpp>
#include <ctml/train.hpp>

#include "../common/example_utils.hpp"
#include "../common/host_utils.hpp"
#include "corpus.hpp"
#include "data/kws_dscnn_model.hpp"
#include "data/kws_gru_model.hpp"
#include "data/kws_model.hpp"
#include "data/kws_small_model.hpp"
#include "kws_data.hpp"

namespace {
using namespace kws;

// --check's floors: the shipped models on the test speakers of a small corpus (check_accuracy.sh:
// 80 speakers, of whom 12 are among the full corpus's 60 test speakers; 240 examples) land a few
// points below the full test set's figures (shipped, small, GRU, DS-CNN: 90.8, 87.9, 89.2,
// 80.8 %; 88.3, 85.4, 86.7, 77.1 % here), far above chance (8.3 %).
constexpr double check_floor_shipped = 0.85, check_floor_small = 0.80, check_floor_gru = 0.80, check_floor_dscnn = 0.72;
using corpus::Example;
using corpus::Rng;
using corpus::Split;

template <class N>
double accuracy(const N& model, const Split& s, std::array<std::size_t, classes * classes>* confusion = nullptr) {
  std::size_t right = 0;
  for (const Example& e : s.examples) {
    static typename N::input_type x{};
    to_input(e.f.data(), x.data());
    const auto z = model.infer(x);
    const std::size_t p = static_cast<std::size_t>(std::max_element(z.begin(), z.end()) - z.begin());
    right += p == e.label;
    if (confusion) ++(*confusion)[e.label * classes + p];
  }
  return static_cast<double>(right) / static_cast<double>(s.examples.size());
}

// The int8 twin by ctml's post-training quantization (calibration: 300 training examples), and
// its test accuracy.
template <class N>
struct Int8 {
  ctml::quant::quantized_model_t<N> q;
  double test = 0;
};
template <class N>
const Int8<N>& quantize(const N& net, const Split& calibration_split, const Split& test) {
  static std::vector<typename N::input_type> calibration(300);
  for (std::size_t k = 0; k < calibration.size(); ++k)
    to_input(calibration_split.examples[k * 7 % calibration_split.examples.size()].f.data(), calibration[k].data());
  static Int8<N> r;
  r.q = ctml::quant::quantize(net, calibration);
  std::size_t right = 0;
  for (const Example& e : test.examples) {
    static typename N::input_type x{};
    to_input(e.f.data(), x.data());
    const auto z = r.q.model.infer(r.q.quantize_input(x));
    right += static_cast<std::size_t>(std::max_element(z.begin(), z.end()) - z.begin()) == e.label;
  }
  r.test = static_cast<double>(right) / static_cast<double>(test.examples.size());
  return r;
}

// What a training run is: its epochs, peak learning rate and, for distillation, the teacher
// (float logits) with the weight of its soft targets and their temperature.
template <class Teacher>
struct Schedule {
  int epochs = 50;
  double lr = 1e-3;
  const Teacher* teacher = nullptr;
  float alpha = 0.7f, temperature = 4.0f;
  const char* name = "";
};

// Adam on mini-batches of 32, fresh augmented examples every epoch; the learning rate stays at
// its peak for the first third, then decays (cosine) to 5 % of it.
template <class N, class Fresh, class Teacher = N>
void train(N& net, Fresh&& fresh_split, const Split& val, const Schedule<Teacher>& s) {
  Rng rng{5};
  static ctml::train::Trainer<N> tr;
  static ctml::train::Adam<N> opt{1e-3f};
  opt = ctml::train::Adam<N>{static_cast<float>(s.lr)};
  const auto start = std::chrono::steady_clock::now();
  const int epochs = s.epochs;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const double t = epoch < epochs / 3 ? 0.0 : static_cast<double>(epoch - epochs / 3) / static_cast<double>(epochs - epochs / 3);
    opt.lr = static_cast<float>(s.lr * (0.05 + 0.475 * (1.0 + std::cos(3.141592653589793 * t))));
    // Every epoch sees the training clips with new noise, offsets, gains and speeds.
    const Split tr_split = fresh_split();
    std::vector<std::size_t> order(tr_split.examples.size());
    std::iota(order.begin(), order.end(), 0);
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
    double loss = 0;
    for (std::size_t b = 0; b < order.size(); b += 32) {
      tr.zero_grad();
      const std::size_t end = std::min(b + 32, order.size());
      for (std::size_t k = b; k < end; ++k) {
        static typename N::input_type x{};
        const Example& e = tr_split.examples[order[k]];
        to_input(e.f.data(), x.data());
        const auto& z = tr.forward(net, x);
        float dz[classes];
        if (s.teacher) {
          // The teacher reads the same 49 x 40 features (its input shape may differ: [49, 40, 1]).
          static typename Teacher::input_type xt{};
          static_assert(xt.size() == x.size(), "the teacher and the student must read the same features");
          std::copy(x.begin(), x.end(), xt.begin());
          const auto zt = s.teacher->infer(xt);
          loss += ctml::train::distillation<classes>(z.data(), zt.data(), e.label, s.alpha, s.temperature, dz);
        } else {
          loss += ctml::train::cross_entropy<classes>(z.data(), e.label, dz);
        }
        tr.backward(net, x, dz);
      }
      opt.step(net, tr.grads, 1.0f / static_cast<float>(end - b));
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%-9s epoch %2d/%d  loss %.4f  validation %.4f  %.0f s, about %.0f s left\n", s.name, epoch + 1, epochs,
                 loss / static_cast<double>(order.size()), accuracy(net, val), secs, secs / (epoch + 1) * (epochs - epoch - 1));
  }
}

// An int8 model as a header: the weight blob of ctml::quant::quantized_t<NET> and its input and
// output quantization, in namespace NS.
template <class N>
bool write_header(const std::string& path, const Int8<N>& m, const char* ns, const char* net_name, double float_test, std::size_t test_n,
                  const char* command) {
  using QNet = ctml::quant::quantized_t<N>;
  static std::array<std::byte, ctml::weight_blob_bytes<QNet>> qblob{};
  if (!ctml::save_weights(m.q.model, qblob)) return false;
  std::ofstream f(path);
  char line[600];
  std::snprintf(line, sizeof line,
                "// SPDX-License-Identifier: Apache-2.0\n"
                "// Generated by kws_train (examples/keyword_spotting) from the corpus of make_speech.sh: ctml's keyword\n"
                "// spotter, int8 (a weight blob of ctml::quant::quantized_t<%s>) with its input and output\n"
                "// quantization. Test speakers: float %.4f, int8 %.4f (%zu examples). Regenerate with\n"
                "//   examples/keyword_spotting/make_speech.sh CORPUS 400 && kws_train CORPUS %s\n",
                net_name, float_test, m.test, test_n, command);
  f << line << "#pragma once\n#include <cstdint>\n\nnamespace " << ns << " {\n\n";
  std::snprintf(line, sizeof line,
                "inline constexpr float input_scale = %af, output_scale = %af;\n"
                "inline constexpr std::int32_t input_zero_point = %d, output_zero_point = %d;\n"
                "inline constexpr double float_test_accuracy = %.4f, int8_test_accuracy = %.4f;\n",
                static_cast<double>(m.q.input.scale), static_cast<double>(m.q.output.scale), static_cast<int>(m.q.input.zero_point),
                static_cast<int>(m.q.output.zero_point), float_test, m.test);
  f << line;
  ex::write_array(f, "unsigned char", "qblob", reinterpret_cast<const unsigned char*>(qblob.data()), qblob.size());
  f << "\n}  // namespace " << ns << "\n";
  if (!f) return std::fprintf(stderr, "kws_train: cannot write %s\n", path.c_str()), false;
  std::printf("wrote %s\n", path.c_str());
  return true;
}

template <class N>
bool save_float(const N& net, const std::string& path) {
  static std::array<std::byte, ctml::weight_blob_bytes<N>> blob{};
  if (!ctml::save_weights(net, blob)) return false;
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size()));
  return static_cast<bool>(f);
}
template <class N>
bool load_float(N& net, const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const ctml::BlobResult r = ctml::load_weights(net, std::as_bytes(std::span(bytes.data(), bytes.size())));
  if (!r) std::fprintf(stderr, "kws_train: %s: %s\n", path.c_str(), r.reason);
  return static_cast<bool>(r);
}

void print_confusion(const std::array<std::size_t, classes * classes>& confusion) {
  std::printf("test confusion (rows: truth):\n");
  for (std::size_t i = 0; i < classes; ++i) {
    std::printf("%-10s", labels[i]);
    for (std::size_t j = 0; j < classes; ++j) std::printf(" %4zu", confusion[i * classes + j]);
    std::printf("\n");
  }
}

// --check: the shipped int8 models (data/*.hpp) on this corpus's test speakers, the features
// quantized as the spotter does; each must reach its floor.
template <class QNet>
double shipped_accuracy(const unsigned char* blob, std::size_t n, float input_scale, std::int32_t input_zero_point, const Split& test) {
  static QNet q{};
  if (!ctml::load_weights(q, std::as_bytes(std::span(blob, n)))) return -1;
  std::size_t right = 0;
  for (const Example& e : test.examples) {
    typename QNet::input_type x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = to_model_input(e.f[i], input_scale, input_zero_point);
    const auto y = q.infer(x);
    right += static_cast<std::size_t>(std::max_element(y.begin(), y.end()) - y.begin()) == e.label;
  }
  return static_cast<double>(right) / static_cast<double>(test.examples.size());
}

int check_shipped(const Split& test) {
  namespace t = kws::trained;
  namespace s = kws::trained_small;
  namespace g = kws::trained_gru;
  namespace d = kws::trained_dscnn;
  struct Result {
    const char* name;
    double accuracy, floor;
  } results[] = {
      {"shipped model", shipped_accuracy<ctml::quant::quantized_t<Net>>(t::qblob, sizeof t::qblob, t::input_scale, t::input_zero_point, test),
       check_floor_shipped},
      {"small model", shipped_accuracy<ctml::quant::quantized_t<Pruned>>(s::qblob, sizeof s::qblob, s::input_scale, s::input_zero_point, test),
       check_floor_small},
      {"GRU variant", shipped_accuracy<ctml::quant::quantized_t<GruNet>>(g::qblob, sizeof g::qblob, g::input_scale, g::input_zero_point, test),
       check_floor_gru},
      {"DS-CNN variant", shipped_accuracy<ctml::quant::quantized_t<DsCnn>>(d::qblob, sizeof d::qblob, d::input_scale, d::input_zero_point, test),
       check_floor_dscnn},
  };
  bool ok = true;
  for (const Result& r : results) {
    const bool pass = r.accuracy >= r.floor;
    std::printf("%s: test accuracy %.4f on %zu examples (floor %.2f)%s\n", r.name, r.accuracy, test.examples.size(), r.floor, pass ? "" : "  FAILED");
    ok = ok && pass;
  }
  return ok ? 0 : 1;
}

Net net{};
Student student{}, labels_only{};
Pruned pruned{};
GruNet gru{};
DsCnn dscnn{};
}  // namespace

constexpr const char* usage =
    "usage: kws_train CORPUS_DIR --check\n"
    "       kws_train CORPUS_DIR [--epochs N] [--write HEADER] [--save-teacher FILE | --load-teacher FILE]\n"
    "                 [--student-epochs N [--baseline] [--write-student HEADER]] [--gru-epochs N [--write-gru HEADER]]\n"
    "                 [--dscnn-epochs N [--write-dscnn HEADER]]\n";

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "%s", usage);
    return 2;
  }
  const std::string dir = argv[1];
  int epochs = 20, student_epochs = 0, gru_epochs = 0, dscnn_epochs = 0;
  bool baseline = false, check = false;
  std::string write_path, student_path, teacher_in, teacher_out, gru_path, dscnn_path;
  for (int i = 2; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--baseline") == 0) baseline = true;
    else if (std::strcmp(argv[i], "--check") == 0) check = true;
    else if (has_value && std::strcmp(argv[i], "--epochs") == 0) epochs = std::atoi(argv[++i]);
    else if (has_value && std::strcmp(argv[i], "--student-epochs") == 0) student_epochs = std::atoi(argv[++i]);
    else if (has_value && std::strcmp(argv[i], "--write") == 0) write_path = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--write-student") == 0) student_path = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--gru-epochs") == 0) gru_epochs = std::atoi(argv[++i]);
    else if (has_value && std::strcmp(argv[i], "--write-gru") == 0) gru_path = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--dscnn-epochs") == 0) dscnn_epochs = std::atoi(argv[++i]);
    else if (has_value && std::strcmp(argv[i], "--write-dscnn") == 0) dscnn_path = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--load-teacher") == 0) teacher_in = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--save-teacher") == 0) teacher_out = argv[++i];
    else return std::fprintf(stderr, "kws_train: unknown or incomplete option %s\n%s", argv[i], usage), 2;
  }
  // The corpus.
  corpus::Corpus c = corpus::load_corpus(dir);
  if (!c.error.empty()) return std::fprintf(stderr, "kws_train: %s\n", c.error.c_str()), 2;
  auto& words_of = c.words_of;
  auto& unknown_of = c.unknown_of;
  const std::size_t clips = c.clips;
  std::printf("corpus: %zu clips; speakers: train %zu, validation %zu, test %zu per keyword\n", clips, words_of["train"][0].size(),
              words_of["validation"][0].size(), words_of["test"][0].size());
  Rng rng{2024};
  const auto t0 = std::chrono::steady_clock::now();
  Rng train_rng{77};
  auto fresh = [&] { return corpus::build(train_rng, words_of["train"], unknown_of["train"], unknown_of["train"], 1); };
  // Every later stage draws its training examples from a stream of its own, so that each model is
  // the same whichever other stages run (the headers' regeneration commands name only theirs).
  auto fresh_from = [&](std::uint64_t seed) {
    return [&, r = Rng{seed}]() mutable { return corpus::build(r, words_of["train"], unknown_of["train"], unknown_of["train"], 1); };
  };
  const Split train_split = fresh();  // (calibration)
  const Split val = corpus::build(rng, words_of["validation"], unknown_of["validation"], unknown_of["validation"], 1);
  const Split test = corpus::build(rng, words_of["test"], unknown_of["test"], unknown_of["test"], 1);
  if (check) return check_shipped(test);
  std::printf("examples: train %zu, validation %zu, test %zu (features in %.1f s)\n", train_split.examples.size(), val.examples.size(),
              test.examples.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  // 1. The teacher: the shipped model (kws::Net).
  if (!teacher_in.empty()) {
    if (!load_float(net, teacher_in)) return 1;
    std::printf("teacher: loaded %s\n", teacher_in.c_str());
  } else {
    Rng init{5};
    ex::init_uniform(net, init);
    train(net, fresh, val, Schedule<Net>{.epochs = epochs, .name = "teacher"});
  }
  // How the regeneration command names the teacher in the other headers.
  const std::string teacher_arg =
      teacher_in.empty() ? "--epochs " + std::to_string(epochs) : "--load-teacher TEACHER (the float model kws_model.hpp's run saved with --save-teacher)";
  if (!teacher_out.empty() && !save_float(net, teacher_out)) return std::fprintf(stderr, "kws_train: cannot write %s\n", teacher_out.c_str()), 1;
  std::array<std::size_t, classes * classes> confusion{};
  const double acc_val = accuracy(net, val), acc_test = accuracy(net, test, &confusion);
  std::printf("float: validation %.4f, test %.4f (%zu parameters, %zu MACs)\n", acc_val, acc_test, static_cast<std::size_t>(Net::param_count),
              static_cast<std::size_t>(Net::macs));
  const auto& q = quantize(net, train_split, test);
  std::printf("int8: test %.4f\n", q.test);
  print_confusion(confusion);
  if (!write_path.empty() && !write_header(write_path, q, "kws::trained", "kws::Net", acc_test, test.examples.size(),
                                           ("--epochs " + std::to_string(epochs) + " --write FILE").c_str()))
    return 1;
  // 3. The variants, each distilled from the teacher on a stream of its own, then int8.
  auto variant = [&](auto& model, const char* name, const char* row, std::uint64_t seed, int n_epochs, const std::string& path, const char* ns,
                     const char* type_name, const char* option) {
    using M = std::remove_reference_t<decltype(model)>;
    Rng init{seed};
    ex::init_uniform(model, init);
    auto stream = fresh_from(seed + 70);
    train(model, stream, val, Schedule<Net>{.epochs = n_epochs, .lr = 2e-3, .teacher = &net, .name = name});
    const double acc = accuracy(model, test);
    const auto& qv = quantize(model, train_split, test);
    std::printf("\n| %s, distilled | %.1f %% | %zu | %zu |\n", row, 100 * acc, M::param_count, M::macs);
    std::printf("| %s, int8 | %.1f %% | %zu | %zu |\n", row, 100 * qv.test, M::param_count, M::macs);
    return path.empty() || write_header(path, qv, ns, type_name, acc, test.examples.size(),
                                        (teacher_arg + " --" + option + "-epochs " + std::to_string(n_epochs) + " --write-" + option + " FILE").c_str());
  };
  if (gru_epochs > 0 && !variant(gru, "gru", "GRU(64)", 11, gru_epochs, gru_path, "kws::trained_gru", "kws::GruNet", "gru")) return 1;
  if (dscnn_epochs > 0 && !variant(dscnn, "dscnn", "DS-CNN", 12, dscnn_epochs, dscnn_path, "kws::trained_dscnn", "kws::DsCnn", "dscnn"))
    return 1;
  if (student_epochs <= 0) return 0;

  // 2. The student (kws::Student: half the filters), distilled from the teacher's soft targets;
  //    for comparison the same student from the same start trained on the labels alone.
  Rng init{9};
  ex::init_uniform(student, init);
  labels_only = student;
  auto fresh_student = fresh_from(78), fresh_labels = fresh_from(79), fresh_pruned = fresh_from(80);
  train(student, fresh_student, val, Schedule<Net>{.epochs = student_epochs, .lr = 2e-3, .teacher = &net, .name = "student"});
  if (baseline) train(labels_only, fresh_labels, val, Schedule<Net>{.epochs = student_epochs, .lr = 2e-3, .name = "labels"});
  const double acc_student = accuracy(student, test), acc_labels = baseline ? accuracy(labels_only, test) : 0.0;

  // 3. Pruned: the student's first convolution keeps its kws::pruned_filters strongest filters
  //    (and the second convolution the matching input channels: a smaller dense type), then
  //    fine-tuned with the teacher.
  auto [c1, c2] = ctml::sparse::keep_filters<pruned_filters>(student.layer<0>(), student.layer<2>());
  pruned.layer<0>() = c1;
  pruned.layer<2>() = c2;
  pruned.layer<5>() = student.layer<5>();
  const double acc_cut = accuracy(pruned, test);
  train(pruned, fresh_pruned, val, Schedule<Net>{.epochs = std::max(1, student_epochs / 3), .lr = 5e-4, .teacher = &net, .name = "pruned"});
  const double acc_pruned = accuracy(pruned, test);

  // 4. int8.
  const auto& qs = quantize(pruned, train_split, test);
  std::printf("\n| step | test accuracy | parameters | MACs |\n|---|---|---|---|\n");
  std::printf("| teacher, float | %.1f %% | %zu | %zu |\n", 100 * acc_test, Net::param_count, Net::macs);
  std::printf("| teacher, int8 | %.1f %% | %zu | %zu |\n", 100 * q.test, Net::param_count, Net::macs);
  if (baseline) std::printf("| student, labels only | %.1f %% | %zu | %zu |\n", 100 * acc_labels, Student::param_count, Student::macs);
  std::printf("| student, distilled | %.1f %% | %zu | %zu |\n", 100 * acc_student, Student::param_count, Student::macs);
  std::printf("| pruned to %zu filters, before fine-tuning | %.1f %% | %zu | %zu |\n", pruned_filters, 100 * acc_cut, Pruned::param_count,
              Pruned::macs);
  std::printf("| pruned, fine-tuned | %.1f %% | %zu | %zu |\n", 100 * acc_pruned, Pruned::param_count, Pruned::macs);
  std::printf("| pruned, int8 | %.1f %% | %zu | %zu |\n", 100 * qs.test, Pruned::param_count, Pruned::macs);
  if (!student_path.empty() &&
      !write_header(student_path, qs, "kws::trained_small", "kws::Pruned", acc_pruned, test.examples.size(),
                    (teacher_arg + " --student-epochs " + std::to_string(student_epochs) + " --write-student FILE").c_str()))
    return 1;
  return 0;
}
