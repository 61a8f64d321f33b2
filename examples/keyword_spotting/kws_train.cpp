// SPDX-License-Identifier: Apache-2.0
// Trains ctml's keyword spotter on speech synthesized by make_speech.sh (espeak-ng + sox), with the
// library's own tools: micro_speech features, a float CNN trained in ctml, int8 by ctml's post-
// training quantization.
//   kws_train CORPUS_DIR [--epochs N] [--write HEADER]
// The data: every keyword clip of a split's speakers, as many unknown-word clips (other words of
// the same speakers) and silence / background examples as half the keywords each (about 25 %
// each, as Speech Commands models are trained), each placed at a random offset in a 1 s window,
// played 12 % slower to 12 % faster, with a random gain, over background noise (white, pink or
// brown noise, mains hum, distant babble of other speakers' words) at 5 to 30 dB SNR that starts
// 0.5 s before the window (the front end's state settles as on a stream); the training examples
// are drawn anew every epoch.
// Speakers are split 70/15/15 (make_speech.sh): test speakers are never heard in training.
// Prints the float and int8 accuracy on the validation and test speakers; --write writes the int8
// model (a weight blob of the quantized network and its input parameters) as a header.
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
#include <ctml/train.hpp>

#include "../common/example_utils.hpp"
#include "../common/host_utils.hpp"
#include "kws_data.hpp"

namespace {
using namespace kws;

using ex::Rng;

struct Clip {
  std::vector<float> x;  // samples in [-1, 1)
  std::size_t speaker = 0;
};

std::vector<float> read_wav(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ctml::frontend::WavView w;
  if (ctml::frontend::parse_wav(bytes.data(), bytes.size(), w) != ctml::frontend::WavError::none || w.sample_rate != sample_rate) return {};
  std::vector<float> x(w.frames);
  for (std::size_t i = 0; i < w.frames; ++i) x[i] = static_cast<float>(w.sample_s16(i, 0)) / 32768.0f;
  return x;
}

// Background of n samples: one of white / pink / brown noise, mains hum, babble, at unit RMS.
std::vector<float> background(Rng& rng, std::size_t n, const std::vector<Clip>& babble_pool) {
  std::vector<float> b(n, 0.0f);
  const std::size_t kind = rng.below(5);
  double p1 = 0, p2 = 0, br = 0, phase = rng.uniform() * 6.283;
  const double hum = rng.between(49, 61);
  for (std::size_t i = 0; i < n; ++i) {
    const double w = rng.normal();
    switch (kind) {
      case 0: b[i] = static_cast<float>(w); break;
      case 1: p1 = 0.97 * p1 + w, p2 = 0.6 * p2 + w, b[i] = static_cast<float>(0.3 * p1 + 0.5 * p2); break;  // pinkish
      case 2: br = 0.995 * br + w, b[i] = static_cast<float>(br); break;                                     // brown
      case 3: b[i] = static_cast<float>(std::sin(phase) + 0.5 * std::sin(3 * phase) + 0.05 * w), phase += 6.283185307 * hum / sample_rate; break;
      default: break;
    }
  }
  if (kind == 4 && !babble_pool.empty()) {  // three distant words
    for (int k = 0; k < 3; ++k) {
      const Clip& c = babble_pool[rng.below(babble_pool.size())];
      const std::size_t at = rng.below(n);
      for (std::size_t i = 0; i < c.x.size() && at + i < n; ++i) b[at + i] += c.x[i];
    }
  }
  double e = 0;
  for (float v : b) e += static_cast<double>(v) * v;
  const float rms = static_cast<float>(std::sqrt(e / static_cast<double>(n)) + 1e-9);
  for (float& v : b) v /= rms;
  return b;
}

struct Example {
  std::array<std::int8_t, frames * channels> f;
  std::uint8_t label;
};

// One example: the word (or none) at a random offset in 1 s over background, as features.
Example make_example(Rng& rng, const Clip* word, std::uint8_t label, const std::vector<Clip>& babble_pool) {
  std::vector<float> x(sample_rate, 0.0f);
  double word_rms = 0.1;
  if (word) {
    // The spoken part (above 2 % of the peak), played 12 % slower to 12 % faster (linear
    // interpolation: tempo and pitch together), at a random offset and gain.
    std::size_t lo = 0, hi = word->x.size();
    float peak = 0;
    for (float v : word->x) peak = std::max(peak, std::fabs(v));
    while (lo < hi && std::fabs(word->x[lo]) < 0.02f * peak) ++lo;
    while (hi > lo && std::fabs(word->x[hi - 1]) < 0.02f * peak) --hi;
    const double speed = rng.between(0.88, 1.12);
    const std::size_t len = std::min<std::size_t>(static_cast<std::size_t>(static_cast<double>(hi - lo - 1) / speed), sample_rate);
    const std::size_t at = rng.below(sample_rate - len + 1);
    const float gain = static_cast<float>(rng.between(0.3, 1.6));
    double e = 0;
    for (std::size_t i = 0; i < len; ++i) {
      const double pos = static_cast<double>(i) * speed;
      const std::size_t j = static_cast<std::size_t>(pos);
      const double frac = pos - static_cast<double>(j);
      const float v = static_cast<float>((1.0 - frac) * word->x[lo + j] + frac * word->x[std::min(lo + j + 1, hi - 1)]);
      x[at + i] = gain * v, e += static_cast<double>(x[at + i]) * x[at + i];
    }
    word_rms = std::sqrt(e / static_cast<double>(len)) + 1e-9;
  }
  // The background starts `lead` before the window: the front end's noise estimate and gain
  // control settle as they have when it runs on a stream (kws_example), not from a fresh state.
  constexpr std::size_t lead = sample_rate / 2;
  const std::vector<float> b = background(rng, lead + sample_rate, babble_pool);
  // Words: 5 to 30 dB SNR; silence: any level from almost nothing to loud.
  const double level = word ? word_rms * std::pow(10.0, -rng.between(5, 30) / 20.0) : std::pow(10.0, rng.between(-4.0, -0.7));
  std::vector<std::int16_t> pcm(lead + sample_rate);
  for (std::size_t i = 0; i < pcm.size(); ++i) {
    const double v = ((i >= lead ? x[i - lead] : 0.0f) + level * b[i]) * 32768.0;
    pcm[i] = static_cast<std::int16_t>(std::clamp(v, -32768.0, 32767.0));
  }
  static ctml::frontend::FeatureStream<FrontEnd, frames> stream;
  stream.reset();
  stream.push(pcm.data(), pcm.size());  // the last 49 frames: the 1 s window
  Example ex;
  stream.copy_window(ex.f.data());
  ex.label = label;
  return ex;
}

struct Split {
  std::vector<Example> examples;
};

// A split's examples: every keyword clip (copies times), half as many unknown-word clips and
// silences each.
Split build(Rng& rng, const std::vector<std::vector<Clip>>& words_of, const std::vector<Clip>& unknown_pool, const std::vector<Clip>& babble,
            int copies) {
  Split s;
  std::size_t keyword_count = 0;
  for (int c = 0; c < copies; ++c)
    for (std::size_t k = 0; k < keywords; ++k)
      for (const Clip& clip : words_of[k]) s.examples.push_back(make_example(rng, &clip, static_cast<std::uint8_t>(k), babble)), ++keyword_count;
  for (std::size_t i = 0; i < keyword_count / 2 && !unknown_pool.empty(); ++i)
    s.examples.push_back(make_example(rng, &unknown_pool[rng.below(unknown_pool.size())], unknown, babble));
  for (std::size_t i = 0; i < keyword_count / 2; ++i) s.examples.push_back(make_example(rng, nullptr, silence, babble));
  return s;
}

Net net{};

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

template <class Fresh>
void train(Fresh&& fresh_split, const Split& val, int epochs) {
  Rng rng{5};
  ex::init_uniform(net, rng);
  static ctml::train::Trainer<Net> tr;
  static ctml::train::Adam<Net> opt{1e-3f};
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    // The learning rate: 1e-3, then a cosine decay to 5e-5 over the last two thirds.
    const double t = epoch < epochs / 3 ? 0.0 : static_cast<double>(epoch - epochs / 3) / static_cast<double>(epochs - epochs / 3);
    opt.lr = static_cast<float>(5e-5 + 0.5 * (1e-3 - 5e-5) * (1.0 + std::cos(3.141592653589793 * t)));
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
        static Net::input_type x{};
        const Example& e = tr_split.examples[order[k]];
        to_input(e.f.data(), x.data());
        const auto& z = tr.forward(net, x);
        float dz[classes];
        loss += ctml::train::cross_entropy<classes>(z.data(), e.label, dz);
        tr.backward(net, x, dz);
      }
      opt.step(net, tr.grads, 1.0f / static_cast<float>(end - b));
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "epoch %2d/%d  loss %.4f  validation %.4f  %.0f s, about %.0f s left\n", epoch + 1, epochs,
                 loss / static_cast<double>(order.size()), accuracy(net, val), s, s / (epoch + 1) * (epochs - epoch - 1));
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kws_train CORPUS_DIR [--epochs N] [--write HEADER]\n");
    return 2;
  }
  const std::string dir = argv[1];
  int epochs = 20;
  std::string write_path;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--epochs") == 0) epochs = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--write") == 0) write_path = argv[i + 1];
  }
  // The corpus.
  std::ifstream m(dir + "/manifest.txt");
  if (!m) {
    std::fprintf(stderr, "kws_train: no %s/manifest.txt (run make_speech.sh first)\n", dir.c_str());
    return 2;
  }
  std::map<std::string, std::size_t> keyword_index;
  for (std::size_t k = 0; k < keywords; ++k) keyword_index[labels[k]] = k;
  std::map<std::string, std::vector<std::vector<Clip>>> words_of;  // split -> keyword -> clips
  std::map<std::string, std::vector<Clip>> unknown_of;             // split -> unknown-word clips
  std::string word, split, file;
  std::size_t speaker = 0, clips = 0;
  while (m >> word >> speaker >> split >> file) {
    Clip c{read_wav(dir + "/" + file), speaker};
    if (c.x.empty()) {
      std::fprintf(stderr, "kws_train: cannot use %s/%s (16 kHz PCM WAV expected)\n", dir.c_str(), file.c_str());
      return 1;
    }
    auto& w = words_of[split];
    w.resize(keywords);
    if (auto it = keyword_index.find(word); it != keyword_index.end()) w[it->second].push_back(std::move(c));
    else unknown_of[split].push_back(std::move(c));
    ++clips;
  }
  std::printf("corpus: %zu clips; speakers: train %zu, validation %zu, test %zu per keyword\n", clips, words_of["train"][0].size(),
              words_of["validation"][0].size(), words_of["test"][0].size());
  Rng rng{2024};
  const auto t0 = std::chrono::steady_clock::now();
  Rng train_rng{77};
  auto fresh = [&] { return build(train_rng, words_of["train"], unknown_of["train"], unknown_of["train"], 1); };
  const Split train_split = fresh();  // (calibration)
  const Split val = build(rng, words_of["validation"], unknown_of["validation"], unknown_of["validation"], 1);
  const Split test = build(rng, words_of["test"], unknown_of["test"], unknown_of["test"], 1);
  std::printf("examples: train %zu, validation %zu, test %zu (features in %.1f s)\n", train_split.examples.size(), val.examples.size(),
              test.examples.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  train(fresh, val, epochs);
  std::array<std::size_t, classes * classes> confusion{};
  const double acc_val = accuracy(net, val), acc_test = accuracy(net, test, &confusion);
  std::printf("float: validation %.4f, test %.4f (%zu parameters, %zu MACs)\n", acc_val, acc_test, static_cast<std::size_t>(Net::param_count),
              static_cast<std::size_t>(Net::macs));
  // int8: calibration on 300 training examples.
  static std::vector<Net::input_type> calibration(300);
  for (std::size_t k = 0; k < calibration.size(); ++k) to_input(train_split.examples[k * 7 % train_split.examples.size()].f.data(), calibration[k].data());
  static const auto q = ctml::quant::quantize(net, calibration);
  std::size_t right = 0;
  for (const Example& e : test.examples) {
    static Net::input_type x{};
    to_input(e.f.data(), x.data());
    const auto z = q.model.infer(q.quantize_input(x));
    right += static_cast<std::size_t>(std::max_element(z.begin(), z.end()) - z.begin()) == e.label;
  }
  std::printf("int8: test %.4f\n", static_cast<double>(right) / static_cast<double>(test.examples.size()));
  std::printf("test confusion (rows: truth):\n");
  for (std::size_t i = 0; i < classes; ++i) {
    std::printf("%-10s", labels[i]);
    for (std::size_t j = 0; j < classes; ++j) std::printf(" %4zu", confusion[i * classes + j]);
    std::printf("\n");
  }
  if (!write_path.empty()) {
    using QNet = ctml::quant::quantized_t<Net>;
    static std::array<std::byte, ctml::weight_blob_bytes<QNet>> qblob{};
    if (!ctml::save_weights(q.model, qblob)) return 1;
    std::ofstream f(write_path);
    char line[400];
    std::snprintf(line, sizeof line,
                  "// SPDX-License-Identifier: Apache-2.0\n"
                  "// Generated by kws_train (examples/keyword_spotting) from the corpus of make_speech.sh: ctml's keyword\n"
                  "// spotter, int8 (a weight blob of ctml::quant::quantized_t<kws::Net>) with its input and output\n"
                  "// quantization. Test speakers: float %.4f, int8 %.4f (%zu examples). Regenerate with\n",
                  acc_test, static_cast<double>(right) / static_cast<double>(test.examples.size()), test.examples.size());
    f << line << "//   examples/keyword_spotting/make_speech.sh CORPUS 400 && kws_train CORPUS --epochs " << epochs
      << " --write FILE\n#pragma once\n#include <cstdint>\n\nnamespace kws::trained {\n\n";
    std::snprintf(line, sizeof line,
                  "inline constexpr float input_scale = %af, output_scale = %af;\n"
                  "inline constexpr std::int32_t input_zero_point = %d, output_zero_point = %d;\n"
                  "inline constexpr double float_test_accuracy = %.4f, int8_test_accuracy = %.4f;\n",
                  static_cast<double>(q.input.scale), static_cast<double>(q.output.scale), static_cast<int>(q.input.zero_point),
                  static_cast<int>(q.output.zero_point), acc_test, static_cast<double>(right) / static_cast<double>(test.examples.size()));
    f << line;
    ex::write_array(f, "unsigned char", "qblob", reinterpret_cast<const unsigned char*>(qblob.data()), qblob.size());
    f << "\n}  // namespace kws::trained\n";
    if (!f) return std::fprintf(stderr, "kws_train: cannot write %s\n", write_path.c_str()), 1;
    std::printf("wrote %s\n", write_path.c_str());
  }
  return 0;
}
