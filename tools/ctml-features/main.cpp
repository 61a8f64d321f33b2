// SPDX-License-Identifier: Apache-2.0
// ctml-features FRONTEND IN.wav -o OUT.bin: the feature frames of a WAV as the model sees them
// (frames x features, row-major, the front end's element type), for people who debug features.
//   ctml-features --list                  the front ends and what they expect
//   ctml-features micro_speech yes.wav -o yes.bin
// A WAV the front end cannot use (not RIFF/PCM, another sample rate or channel count, a truncated
// data chunk, no samples, shorter than one window) is refused with the reason and exit code 1;
// no output file is written then.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/micro_speech.hpp>
#include <ctml/frontend/mlperf_kws.hpp>
#include <ctml/frontend/wav.hpp>

namespace {

struct FrontEndEntry {
  const char* name;
  const char* description;
  std::size_t sample_rate, window, hop, features;
  const char* type;
  // Features of mono int16 samples; returns the bytes.
  std::vector<unsigned char> (*run)(const std::vector<std::int16_t>&, std::size_t& frames);
};

// The frames of samples x (the front end's sample type), fed one hop at a time.
template <class FE>
std::vector<unsigned char> frames_of(const std::vector<typename FE::sample_type>& x, std::size_t& frames) {
  static ctml::frontend::FeatureStream<FE, 1> stream;
  stream.reset();
  std::vector<unsigned char> out;
  for (std::size_t p = 0; p < x.size(); p += FE::hop) {
    if (stream.push(x.data() + p, std::min(FE::hop, x.size() - p)) > 0) {
      const auto* f = reinterpret_cast<const unsigned char*>(stream.last_frame());
      out.insert(out.end(), f, f + FE::features * sizeof(typename FE::feature_type));
    }
  }
  frames = stream.frames_seen();
  return out;
}

template <class FE>
std::vector<unsigned char> run_front_end(const std::vector<std::int16_t>& x, std::size_t& frames) {
  return frames_of<FE>(x, frames);
}

// MLPerf Tiny's KWS MFCCs: the whole clip scaled by 1 / its largest sample, then framed.
std::vector<unsigned char> run_mlperf_kws(const std::vector<std::int16_t>& x, std::size_t& frames) {
  std::vector<float> y(x.size());
  ctml::frontend::normalize_by_max(x.data(), x.size(), y.data());
  return frames_of<ctml::frontend::MlperfKws>(y, frames);
}

template <class FE>
constexpr FrontEndEntry entry(const char* name, const char* description, const char* type) {
  return {name, description, FE::sample_rate, FE::window, FE::hop, FE::features, type, &run_front_end<FE>};
}

const FrontEndEntry front_ends[] = {
    entry<ctml::frontend::MicroSpeech<>>("micro_speech",
                                         "TFLite Micro's micro_speech features (bit-exact): 30 ms Hann, 512-point int16 FFT, "
                                         "40 mel channels 125-7500 Hz, noise reduction, PCAN, log",
                                         "int8"),
    {"mlperf_kws", "MLPerf Tiny's KWS DS-CNN features: clip / max, 30 ms periodic Hann, 512-point FFT magnitude, 40 HTK "
     "mel bins 20-4000 Hz, ln(mel + 1e-6), 10 MFCCs (float32)",
     ctml::frontend::MlperfKws::sample_rate, ctml::frontend::MlperfKws::window, ctml::frontend::MlperfKws::hop,
     ctml::frontend::MlperfKws::features, "float32", &run_mlperf_kws},
};

int usage() {
  std::fprintf(stderr,
               "usage: ctml-features FRONTEND IN.wav -o OUT.bin\n"
               "       ctml-features --list\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--list") {
    for (const auto& f : front_ends)
      std::printf("%-14s %zu Hz mono int16 in; window %zu, hop %zu samples; %zu %s features per frame\n  %s\n", f.name,
                  f.sample_rate, f.window, f.hop, f.features, f.type, f.description);
    return 0;
  }
  std::string front_end, in, out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) out = args[++i];
    else if (front_end.empty()) front_end = args[i];
    else if (in.empty()) in = args[i];
    else return usage();
  }
  if (front_end.empty() || in.empty() || out.empty()) return usage();
  const FrontEndEntry* fe = nullptr;
  for (const auto& f : front_ends)
    if (front_end == f.name) fe = &f;
  if (!fe) {
    std::fprintf(stderr, "ctml-features: unknown front end '%s' (--list names them)\n", front_end.c_str());
    return 2;
  }
  std::ifstream file(in, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "ctml-features: %s: cannot open\n", in.c_str());
    return 1;
  }
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)), {});
  ctml::frontend::WavView wav;
  if (const auto e = ctml::frontend::parse_wav(bytes.data(), bytes.size(), wav); e != ctml::frontend::WavError::none) {
    std::fprintf(stderr, "ctml-features: %s: refused: %s\n", in.c_str(), ctml::frontend::describe(e));
    return 1;
  }
  if (wav.sample_rate != fe->sample_rate || wav.channels != 1) {
    std::fprintf(stderr, "ctml-features: %s: refused: %u Hz, %u channel(s); %s needs %zu Hz mono (resample first, e.g. "
                 "sox IN.wav -r %zu -c 1 OUT.wav)\n",
                 in.c_str(), wav.sample_rate, static_cast<unsigned>(wav.channels), fe->name, fe->sample_rate, fe->sample_rate);
    return 1;
  }
  if (wav.frames < fe->window) {
    std::fprintf(stderr, "ctml-features: %s: refused: %zu samples, shorter than one window (%zu)\n", in.c_str(), wav.frames,
                 fe->window);
    return 1;
  }
  std::vector<std::int16_t> x(wav.frames);
  for (std::size_t i = 0; i < wav.frames; ++i) x[i] = wav.sample_s16(i);
  std::size_t frames = 0;
  const auto features = fe->run(x, frames);
  std::FILE* o = std::fopen(out.c_str(), "wb");
  if (!o || std::fwrite(features.data(), 1, features.size(), o) != features.size() || std::fclose(o) != 0) {
    std::fprintf(stderr, "ctml-features: %s: cannot write\n", out.c_str());
    return 1;
  }
  std::printf("%s: %zu frames x %zu features, %s, row-major -> %s\n", in.c_str(), frames, fe->features, fe->type, out.c_str());
  return 0;
}
