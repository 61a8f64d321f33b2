// SPDX-License-Identifier: Apache-2.0
// Cost report image for the front ends: TFLite Micro's micro_speech features of a 1 s clip
// (yes_1000ms.wav from ../shared, embedded with TFLM's own features of it) computed on the core,
// hop by hop through FeatureStream. Checks every feature byte against TFLM's; reports
// instructions per 20 ms hop and per 1 s clip, the RAM it needs (state, scratch, sample window)
// and the flash of its constant tables.
// Output: "micro_speech instructions_per_hop=N per_clip=N ram=... flash_tables=...", then "... ok".
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <ctml/frontend/feature_stream.hpp>
#include <ctml/frontend/micro_speech.hpp>
#include <ctml/frontend/mlperf_kws.hpp>
#include <ctml/frontend/vibration.hpp>

#include "board.hpp"
#include "clip_yes.hpp"

namespace fw {
using FE = ctml::frontend::MicroSpeech<>;
// The front end's constant tables live in flash (checked by check_image.sh: fw::FE...).
constexpr std::size_t table_bytes = sizeof(FE::hann) + sizeof(FE::bank) + sizeof(FE::pcan_lut) +
                                    sizeof(FE::fft::twiddles) + sizeof(FE::fft::super_twiddles);
ctml::frontend::FeatureStream<FE, 49> stream;
std::int8_t window[49 * FE::features];
// MLPerf Tiny's KWS MFCCs (float, FPU) of the same clip, scaled by 1 / its largest sample.
using Kws = ctml::frontend::MlperfKws;
ctml::frontend::FeatureStream<Kws, 49> kws_stream;
float clip_float[16000];
float mfcc_clip[49 * Kws::features], mfcc_stream[49 * Kws::features];
// Vibration features (default configuration: 3 axes at 1 kHz, 1,024-sample windows every 512)
// of a synthetic machine: a 50 Hz shaft line of amplitude 1 on every axis (phase-shifted), a
// 180 Hz bearing tone of 0.3 on z, and noise.
using Vib = ctml::frontend::Vibration<>;
constexpr std::size_t vib_samples = 4 * 512;  // per axis: 4 hops, 3 windows
float vib_signal[vib_samples * Vib::axes];
ctml::frontend::FeatureStream<Vib, 1> vib_stream;
float vib_direct[Vib::features];
Vib::scratch_type vib_scratch;
}  // namespace fw

int main() {
  board::counter_start();
  static_assert(clip_feature_bytes == 49 * fw::FE::features, "a 1 s clip gives 49 frames");
  bool ok = true;
  std::uint64_t total = 0;
  std::size_t frames = 0;
  // One hop (320 samples) at a time, as a device's audio callback delivers them.
  for (std::size_t p = 0; p < clip_samples; p += fw::FE::hop) {
    const std::size_t n = clip_samples - p < fw::FE::hop ? clip_samples - p : fw::FE::hop;
    std::size_t made = 0;
    total += board::count_instructions([&] { made = fw::stream.push(clip_pcm + p, n); });
    if (made > 0) {
      const std::int8_t* f = fw::stream.last_frame();
      for (std::size_t i = 0; i < fw::FE::features; ++i) ok &= f[i] == clip_tflm_features[frames * fw::FE::features + i];
      frames += made;
    }
  }
  fw::stream.copy_window(fw::window);
  for (std::size_t i = 0; i < clip_feature_bytes; ++i) ok &= fw::window[i] == clip_tflm_features[i];
  ok &= frames == 49;
  board::Out() << "micro_speech instructions_per_hop=" << total / frames << " per_clip=" << total
               << " ram: state=" << fw::FE::state_bytes << " scratch=" << fw::FE::scratch_bytes
               << " stream(total, 49 frames)=" << sizeof(fw::stream) << " flash_tables=" << fw::table_bytes << '\n';

  // MFCC: per hop through the stream, and the whole clip at once; both must agree exactly.
  ctml::frontend::normalize_by_max(clip_pcm, 16000, fw::clip_float);
  std::uint64_t kws_total = 0;
  for (std::size_t p = 0; p < 16000; p += fw::Kws::hop)
    kws_total += board::count_instructions([&] { fw::kws_stream.push(fw::clip_float + p, fw::Kws::hop); });
  const std::uint64_t kws_clip = board::count_instructions([] { ctml::frontend::mlperf_kws_clip(fw::clip_float, fw::mfcc_clip); });
  fw::kws_stream.copy_window(fw::mfcc_stream);
  for (std::size_t i = 0; i < 49 * fw::Kws::features; ++i) ok &= fw::mfcc_stream[i] == fw::mfcc_clip[i];
  ok &= fw::kws_stream.frames_seen() == 49;
  board::Out() << "mlperf_kws_mfcc instructions_per_hop=" << kws_total / 49 << " per_clip=" << kws_clip
               << " ram: scratch=" << fw::Kws::scratch_bytes << " stream(total, 49 frames)=" << sizeof(fw::kws_stream)
               << " flash_tables=" << sizeof(fw::Kws::hann) + sizeof(fw::Kws::mel_bank) + sizeof(fw::Kws::fft::twiddles) +
                                          sizeof(fw::Kws::fft::split)
               << '\n';
  // Vibration: instructions per hop (one window's features), RAM, flash; the stream's last frame
  // must equal a direct call on the same window, and the shaft line's RMS and peak be found.
  {
    std::uint32_t r = 11;
    for (std::size_t i = 0; i < fw::vib_samples; ++i) {
      const double t = static_cast<double>(i) / 1000.0;
      for (std::size_t a = 0; a < fw::Vib::axes; ++a) {
        r = r * 1664525u + 1013904223u;
        const double noise = static_cast<double>(static_cast<int>(r >> 16) % 2001 - 1000) / 20000.0;
        double v = std::sin(2 * 3.14159265358979323846 * 50.0 * t + 0.7 * static_cast<double>(a)) + noise;
        if (a == 2) v += 0.3 * std::sin(2 * 3.14159265358979323846 * 180.0 * t);
        fw::vib_signal[i * fw::Vib::axes + a] = static_cast<float>(v);
      }
    }
    std::uint64_t vib_total = 0;
    std::size_t vib_frames = 0;
    for (std::size_t p = 0; p < fw::vib_samples * fw::Vib::axes; p += fw::Vib::hop) {
      std::size_t made = 0;
      vib_total += board::count_instructions([&] { made = fw::vib_stream.push(fw::vib_signal + p, fw::Vib::hop); });
      vib_frames += made;
    }
    const fw::Vib fe;
    fw::Vib::state_type st;
    const float* last_window = fw::vib_signal + (fw::vib_samples * fw::Vib::axes - fw::Vib::window);
    const std::uint64_t vib_one = board::count_instructions([&] { fe(last_window, fw::vib_direct, st, fw::vib_scratch); });
    const float* f = fw::vib_stream.last_frame();
    for (std::size_t i = 0; i < fw::Vib::features; ++i) ok &= f[i] == fw::vib_direct[i];
    ok &= vib_frames == 3;
    // Axis x: RMS of a unit sine plus noise ~ 0.707; the largest PSD peak at 50 Hz (bins of 3.9 Hz).
    ok &= f[1] > 0.69f && f[1] < 0.73f;
    ok &= f[fw::Vib::statistics_per_axis + 4] > 46.0f && f[fw::Vib::statistics_per_axis + 4] < 54.0f;
    board::Out() << "vibration instructions_per_window=" << vib_one << " per_hop(stream)=" << vib_total / vib_frames
                 << " ram: scratch=" << fw::Vib::scratch_bytes << " stream(total)=" << sizeof(fw::vib_stream)
                 << " flash_tables=" << sizeof(ctml::kernels::signal::RfftF32<256>::twiddles) +
                                            sizeof(ctml::kernels::signal::RfftF32<256>::split)
                 << '\n';
  }
  board::Out() << "fw_frontend (" << board::name << ", micro_speech front end on yes_1000ms.wav): "
               << (ok ? "micro_speech features equal TFLite Micro's, MFCC stream equals the clip, vibration stream equals direct ok\n"
                      : "FAILED: features differ\n");
  return ok ? 0 : 1;
}
