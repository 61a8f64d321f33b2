// SPDX-License-Identifier: Apache-2.0
// Firmware image: keyword spotting on Cortex-M under QEMU (examples/keyword_spotting). The device
// reads the bundled clip (the WAV file's bytes in flash, parsed by ctml::frontend::parse_wav as
// a file from a card would be) and streams it in 20 ms hops through the same kws::Spotter as the
// host example: the micro_speech front end, ctml's own int8 model on the last second (a weight
// blob loaded into flash by the compiler), an int8 SOFTMAX and RecognizeCommands; with the
// shipped model, the small one and the GRU and DS-CNN variants in turn. It prints the detections
// in the example's format and checks them against data/clip_detections.txt and
// clip_detections_{small,gru,dscnn}.txt, which the host example's test checks too: the device hears exactly what the host hears, at the same times
// with the same scores. Reports instructions per hop (front end alone while warming up;
// front end + model + recognizer after), per second of audio, the duty cycle at 80 MHz and the
// memory.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

#include <ctml/frontend/wav.hpp>
#include <ctml/model/serialize.hpp>
#include <ctml/quant/quantize_model.hpp>

#include "board.hpp"
#include "clip_detections_dscnn_txt.hpp"
#include "clip_detections_gru_txt.hpp"
#include "clip_detections_small_txt.hpp"
#include "clip_detections_txt.hpp"
#include "clip_wav.hpp"
#include "common/example_utils.hpp"
#include "keyword_spotting/data/kws_dscnn_model.hpp"
#include "keyword_spotting/data/kws_gru_model.hpp"
#include "keyword_spotting/data/kws_model.hpp"
#include "keyword_spotting/data/kws_small_model.hpp"
#include "keyword_spotting/spotter.hpp"

namespace fw {
// The models, loaded from their weight blobs by the compiler into flash.
template <class QNet, std::size_t N>
struct Loaded {
  QNet net{};
  ctml::BlobResult result{};
};
template <class QNet, std::size_t N>
constexpr Loaded<QNet, N> load(const unsigned char (&blob)[N]) {
  Loaded<QNet, N> l{};
  l.result = ex::load_blob(l.net, blob);
  return l;
}
using QNet = ctml::quant::quantized_t<kws::Net>;
using SmallQNet = ctml::quant::quantized_t<kws::Pruned>;
using GruQNet = ctml::quant::quantized_t<kws::GruNet>;
using DsQNet = ctml::quant::quantized_t<kws::DsCnn>;
inline constexpr auto loaded = load<QNet>(kws::trained::qblob);
inline constexpr auto loaded_small = load<SmallQNet>(kws::trained_small::qblob);
static_assert(loaded.result, "examples/keyword_spotting/data/kws_model.hpp: the model's blob does not load");
inline constexpr auto loaded_gru = load<GruQNet>(kws::trained_gru::qblob);
static_assert(loaded_gru.result, "examples/keyword_spotting/data/kws_gru_model.hpp: the model's blob does not load");
inline constexpr auto loaded_dscnn = load<DsQNet>(kws::trained_dscnn::qblob);
static_assert(loaded_dscnn.result, "examples/keyword_spotting/data/kws_dscnn_model.hpp: the model's blob does not load");
static_assert(loaded_small.result, "examples/keyword_spotting/data/kws_small_model.hpp: the model's blob does not load");
}  // namespace fw

namespace {
// The spotters live in static storage (placement: no static constructor, no heap); one at a time.
template <class QNet>
using SpotterOf = kws::Spotter<QNet>;
constexpr std::size_t spotter_bytes_max =
    std::max({sizeof(SpotterOf<fw::QNet>), sizeof(SpotterOf<fw::SmallQNet>), sizeof(SpotterOf<fw::GruQNet>), sizeof(SpotterOf<fw::DsQNet>)});
alignas(16) std::byte spotter_bytes[spotter_bytes_max];

// Where a model's instructions go: its layers run one by one on ping-pong buffers (an input of
// zeros; the kernels' cost does not depend on the values), each counted.
template <class QNet, std::size_t I>
using layer_traits_of = ctml::layer_traits<typename QNet::template layer_type<I>>;
alignas(16) std::byte ping[2][16384];
alignas(16) std::byte layer_scratch[16384];
template <class QNet>
void per_layer(const QNet& model) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    std::memset(ping, 0, sizeof ping);
    board::Out out;
    out << "  per layer:";
    (
        [&] {
          using Tr = layer_traits_of<QNet, I>;
          static_assert(Tr::input_type::size() * sizeof(typename Tr::input_value) <= sizeof ping[0] &&
                            Tr::output_type::size() * sizeof(typename Tr::output_value) <= sizeof ping[0] &&
                            Tr::scratch_bytes <= sizeof layer_scratch,
                        "fw_kws: per_layer's buffers are too small for this model");
          const auto* src = reinterpret_cast<const typename Tr::input_value*>(ping[I % 2]);
          auto* dst = reinterpret_cast<typename Tr::output_value*>(ping[(I + 1) % 2]);
          auto* sc = reinterpret_cast<typename Tr::scratch_value*>(layer_scratch);
          const std::uint64_t n = board::count_instructions([&] { model.template layer<I>().forward(src, dst, sc); });
          out << ' ' << Tr::name << ' ' << n;
          if (Tr::macs) out << " (" << Tr::macs << " MACs)";
          out << (I + 1 < sizeof...(I) ? ";" : "\n");
        }(),
        ...);
  }(std::make_index_sequence<QNet::layer_count>{});
}

// Streams the clip through a spotter with `model`, prints its detections and what they cost, and
// compares the lines with `expected` (the host example's output for the same model).
template <class QNet>
bool listen(const char* name, const QNet& model, kws::ModelIo io, std::size_t params, std::size_t macs, const ctml::frontend::WavView& wav,
            const unsigned char* expected, std::size_t expected_size) {
  auto& spotter = *new (spotter_bytes) SpotterOf<QNet>(model, io);
  constexpr std::size_t hop = SpotterOf<QNet>::hop;
  std::int16_t block[hop];
  std::uint64_t warm_n = 0, warm_hops = 0, run_n = 0, run_hops = 0, run_max = 0;
  char heard[512];
  std::size_t heard_n = 0, detections = 0;
  for (std::size_t at = 0; at + hop <= wav.frames; at += hop) {
    for (std::size_t i = 0; i < hop; ++i) block[i] = wav.sample_s16(at + i, 0);
    kws::Hop h;
    const std::uint64_t n = board::count_instructions([&] { h = spotter.push(block); });
    if (h.inferred) run_n += n, ++run_hops, run_max = n > run_max ? n : run_max;
    else warm_n += n, ++warm_hops;
    if (h.detection.heard) {
      char line[64];
      const std::size_t len = kws::format_detection(line, h.detection.label, h.time_ms, h.detection.score_q);
      board::write(line);
      if (heard_n + len < sizeof heard) std::memcpy(heard + heard_n, line, len), heard_n += len;
      ++detections;
    }
  }
  spotter.~SpotterOf<QNet>();
  const bool same = heard_n == expected_size && std::memcmp(heard, expected, heard_n) == 0;
  const std::uint64_t fe = warm_hops ? warm_n / warm_hops : 0, full = run_hops ? run_n / run_hops : 0;
  const std::uint64_t per_second = full * kws::sample_rate / hop;
  board::Out() << "fw_kws, " << name << " (" << params << " parameters, " << macs << " MACs): " << detections << " keywords, "
               << (same ? "the host's lines" : "NOT the host's lines") << "\n";
  board::Out() << "  instructions per 20 ms hop: front end " << fe << " (mean of " << warm_hops << " warm-up hops); front end + model + "
               << "recognizer " << full << " (mean of " << run_hops << ", max " << run_max << "); model and recognizer "
               << (full > fe ? full - fe : 0) << "\n";
  board::Out() << "  an inference every hop: " << per_second << " instructions per second of audio, duty cycle at 80 MHz "
               << board::fixed(100.0 * static_cast<double>(per_second) / 80e6, 1) << " %; every 2nd hop "
               << board::fixed(100.0 * static_cast<double>(fe * 50 + (full - fe) * 25) / 80e6, 1) << " %, every 4th "
               << board::fixed(100.0 * static_cast<double>(fe * 50 + (full - fe) * 25 / 2) / 80e6, 1) << " %\n";
  board::Out() << "  memory: model " << sizeof(QNet) << " bytes in flash (int8 weights, biases, requantization); spotter "
               << sizeof(SpotterOf<QNet>) << " bytes of RAM (front end and 49 frames "
               << sizeof(ctml::frontend::FeatureStream<kws::FrontEnd, kws::frames>) << ", arena " << QNet::arena_bytes << ")\n";
  per_layer(model);
  return same;
}
}  // namespace

int main() {
  board::paint_stack();
  board::counter_start();
  ctml::frontend::WavView wav;
  if (const auto e = ctml::frontend::parse_wav(clip_wav, clip_wav_size, wav); e != ctml::frontend::WavError::none) {
    board::Out() << "fw_kws: FAILED: the clip is not a usable WAV: " << ctml::frontend::describe(e) << "\n";
    return 1;
  }
  namespace t = kws::trained;
  namespace s = kws::trained_small;
  const bool big = listen("shipped model", fw::loaded.net, {t::input_scale, t::input_zero_point, t::output_scale, t::output_zero_point},
                          kws::Net::param_count, kws::Net::macs, wav, clip_detections, clip_detections_size);
  const bool small = listen("small model", fw::loaded_small.net, {s::input_scale, s::input_zero_point, s::output_scale, s::output_zero_point},
                            kws::Pruned::param_count, kws::Pruned::macs, wav, clip_detections_small, clip_detections_small_size);
  namespace g = kws::trained_gru;
  const bool gru = listen("GRU variant", fw::loaded_gru.net, {g::input_scale, g::input_zero_point, g::output_scale, g::output_zero_point},
                          kws::GruNet::param_count, kws::GruNet::macs, wav, clip_detections_gru, clip_detections_gru_size);
  namespace d = kws::trained_dscnn;
  const bool dscnn = listen("DS-CNN variant", fw::loaded_dscnn.net, {d::input_scale, d::input_zero_point, d::output_scale, d::output_zero_point},
                            kws::DsCnn::param_count, kws::DsCnn::macs, wav, clip_detections_dscnn, clip_detections_dscnn_size);
  const bool ok = big && small && gru && dscnn;
  board::Out() << "fw_kws (" << board::name << "): " << wav.frames << " samples of the bundled clip; stack " << board::stack_used()
               << (ok ? " bytes\nfw_kws: ok\n" : " bytes\nfw_kws: FAILED\n");
  return ok ? 0 : 1;
}
