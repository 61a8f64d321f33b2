// SPDX-License-Identifier: Apache-2.0
// Front-end kernels side by side with CMSIS-DSP on the same core, in one QEMU run, same inputs:
//   float real FFT, N = 256 and 512:  ctml RfftF32<N>         vs arm_rfft_fast_f32
//   int16 real FFT, N = 256 and 512:  ctml KissRfftS16<N>     vs arm_rfft_q15 (TFLM's arithmetic
//                                     in ctml; both scale the output down, see output bits)
//   MFCC frame (MLPerf KWS: 512-point, 40 mels, 10 coefficients): ctml Mfcc vs arm_mfcc_f32 with
//                                     the same window, mel bank and DCT tables
// Checks that each pair computes the same thing (float FFTs within 1e-4 of the largest bin;
// MFCCs within 2e-3: CMSIS's arm_vlog_f32 is an approximation); reports instructions and, for the
// int16 FFTs, the output's significant bits on a full-scale sine.
// Output: one line per pair "NAME ctml=N cmsis=N ratio=R", then "fw_fft_compare ... ok".
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <ctml/frontend/mlperf_kws.hpp>
#include <ctml/kernels/signal/kiss_rfft_s16.hpp>
#include <ctml/kernels/signal/rfft_f32.hpp>

#include "board.hpp"

#include "arm_math.h"  // declares its functions extern "C" itself (wrapping it breaks arm_mve.h's C++ overloads)

namespace {
namespace ks = ctml::kernels::signal;
bool ok = true;

void report(const char* name, std::uint64_t ctml_n, std::uint64_t cmsis_n) {
  board::Out() << name << " ctml=" << ctml_n << " cmsis=" << cmsis_n
               << " ratio=" << board::fixed(static_cast<double>(ctml_n) / static_cast<double>(cmsis_n), 3) << '\n';
}

float in_f[512], work_f[512], out_cmsis[512];
ks::Complex<float> out_ctml[257], z[256];

template <std::size_t N>
void float_fft() {
  arm_rfft_fast_instance_f32 s;
  ok &= arm_rfft_fast_init_f32(&s, N) == ARM_MATH_SUCCESS;
  std::uint32_t r = 1;
  for (std::size_t i = 0; i < N; ++i) {
    r = r * 1664525u + 1013904223u;
    in_f[i] = static_cast<float>(static_cast<int>(r >> 16) % 2001 - 1000) / 1000.0f;
  }
  const std::uint64_t c = board::count_instructions([] { ks::RfftF32<N>::forward(in_f, out_ctml, z); });
  std::memcpy(work_f, in_f, sizeof(float) * N);  // arm_rfft_fast_f32 overwrites its input
  const std::uint64_t m = board::count_instructions([&] { arm_rfft_fast_f32(&s, work_f, out_cmsis, 0); });
  // CMSIS's packing: [DC, Nyquist, re1, im1, ...].
  float peak = 0, worst = 0;
  for (std::size_t k = 0; k <= N / 2; ++k) peak = std::fmax(peak, std::fabs(out_ctml[k].real));
  worst = std::fmax(std::fabs(out_ctml[0].real - out_cmsis[0]), std::fabs(out_ctml[N / 2].real - out_cmsis[1]));
  for (std::size_t k = 1; k < N / 2; ++k)
    worst = std::fmax(worst, std::fmax(std::fabs(out_ctml[k].real - out_cmsis[2 * k]), std::fabs(out_ctml[k].imag - out_cmsis[2 * k + 1])));
  ok &= worst <= 1e-4f * peak;
  report(N == 256 ? "rfft_f32 N=256" : "rfft_f32 N=512", c, m);
}

std::int16_t in_q[512];
q15_t in_cmsis_q[512], out_q[1024];
ks::Complex<std::int16_t> out_kiss[257], z_kiss[256];

// Bits of a full-scale sine's peak bin: log2 of its magnitude.
int bits(double v) { return v <= 1 ? 0 : static_cast<int>(std::floor(std::log2(v))) + 1; }

template <std::size_t N>
void q15_fft() {
  arm_rfft_instance_q15 s;
  ok &= arm_rfft_init_q15(&s, N, 0, 1) == ARM_MATH_SUCCESS;
  for (std::size_t i = 0; i < N; ++i)
    in_q[i] = static_cast<std::int16_t>(std::lround(32000.0 * std::sin(2 * 3.14159265358979323846 * 8.0 * static_cast<double>(i) / N)));
  const std::uint64_t c = board::count_instructions([] { ks::KissRfftS16<N>::forward(in_q, out_kiss, z_kiss); });
  std::memcpy(in_cmsis_q, in_q, sizeof(std::int16_t) * N);
  const std::uint64_t m = board::count_instructions([&] { arm_rfft_q15(&s, in_cmsis_q, out_q); });
  const double kiss_peak = std::hypot(out_kiss[8].real, out_kiss[8].imag);
  const double cmsis_peak = std::hypot(out_q[16], out_q[17]);
  // Both equal DFT / N up to their scaling: 32000 * N / 2 / N = 16000 for KISS.
  ok &= std::fabs(kiss_peak - 16000.0) < 64.0;
  ok &= cmsis_peak > 0;
  report(N == 256 ? "rfft_s16 N=256" : "rfft_s16 N=512", c, m);
  board::Out() << "  full-scale sine peak bin: ctml (KISS) " << static_cast<int>(kiss_peak) << " (" << bits(kiss_peak)
               << " bits), cmsis q15 " << static_cast<int>(cmsis_peak) << " (" << bits(cmsis_peak) << " bits)\n";
}

// MFCC: CMSIS gets ctml's own tables (window zero-padded to 512, the sparse mel bank, the DCT).
using Kws = ctml::frontend::MlperfKws;
float window512[512];
std::uint32_t filter_pos[Kws::mels], filter_len[Kws::mels];
float dct[Kws::features * Kws::mels];
float frame[512], frame_cmsis[512], tmp[1024], mfcc_cmsis[Kws::features], mfcc_ctml[Kws::features];
Kws::scratch_type scratch;

void mfcc() {
  for (std::size_t i = 0; i < Kws::window; ++i) window512[i] = Kws::hann[i];
  for (std::size_t m = 0; m < Kws::mels; ++m) {
    filter_pos[m] = static_cast<std::uint32_t>(Kws::mel_bank.first[m]);
    filter_len[m] = static_cast<std::uint32_t>(Kws::mel_bank.count[m]);
  }
  for (std::size_t k = 0; k < Kws::features; ++k)
    for (std::size_t m = 0; m < Kws::mels; ++m) dct[k * Kws::mels + m] = ctml::kernels::signal::mfcc_dct<Kws::features, Kws::mels>[k][m];
  arm_mfcc_instance_f32 s;
  ok &= arm_mfcc_init_f32(&s, 512, Kws::mels, Kws::features, dct, filter_pos, filter_len, Kws::mel_bank.weights, window512) ==
        ARM_MATH_SUCCESS;
  std::uint32_t r = 5;
  for (std::size_t i = 0; i < 512; ++i) {
    r = r * 1664525u + 1013904223u;
    frame[i] = i < Kws::window ? static_cast<float>(std::sin(0.05 * static_cast<double>(i))) * 0.5f +
                                     static_cast<float>(static_cast<int>(r >> 16) % 2001 - 1000) / 20000.0f
                               : 0.0f;
  }
  Kws::state_type st;
  const Kws fe;
  const std::uint64_t c = board::count_instructions([&] { fe(frame, mfcc_ctml, st, scratch); });
  std::memcpy(frame_cmsis, frame, sizeof frame);
  const std::uint64_t m = board::count_instructions([&] { arm_mfcc_f32(&s, frame_cmsis, mfcc_cmsis, tmp); });
  for (std::size_t k = 0; k < Kws::features; ++k) ok &= std::fabs(mfcc_ctml[k] - mfcc_cmsis[k]) <= 2e-3f * (1.0f + std::fabs(mfcc_ctml[k]));
  report("mfcc frame (512, 40 mels, 10)", c, m);
}
}  // namespace

int main() {
  board::counter_start();
  float_fft<256>();
  float_fft<512>();
  q15_fft<256>();
  q15_fft<512>();
  mfcc();
  board::Out() << "fw_fft_compare (" << board::name << ", ctml vs CMSIS-DSP, same inputs): "
               << (ok ? "both compute the same ok\n" : "FAILED: results differ\n");
  return ok ? 0 : 1;
}
