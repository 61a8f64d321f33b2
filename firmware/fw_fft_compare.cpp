// SPDX-License-Identifier: Apache-2.0
// Front-end kernels side by side with CMSIS-DSP on the same core, in one QEMU run, same inputs:
//   float real FFT, N = 256 and 512:  ctml RfftF32<N>         vs arm_rfft_fast_f32
//   int16 real FFT, N = 256 and 512:  ctml RfftQ15<N> (block floating point) and KissRfftS16<N>
//                                     (TFLM's arithmetic) vs arm_rfft_q15; signal-to-error ratios
//                                     of all three against the float FFT, loud and quiet input
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
#include <ctml/kernels/signal/rfft_q15.hpp>

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
ks::Complex<std::int16_t> out_kiss[257], z_kiss[256], out_bfp[257];
std::uint32_t z_bfp[256];

// Bits of a full-scale sine's peak bin: log2 of its magnitude.
int bits(double v) { return v <= 1 ? 0 : static_cast<int>(std::floor(std::log2(v))) + 1; }

// Signal-to-error ratio in dB of an int16 spectrum (bin k = out(k) * scale) against the float FFT
// of the same int16 input (RfftF32, within 1e-6 of a double DFT: far below either's error).
template <std::size_t N, class Bin>
double snr_db(Bin bin) {
  for (std::size_t i = 0; i < N; ++i) in_f[i] = in_q[i];
  ks::RfftF32<N>::forward(in_f, out_ctml, z);
  double sig = 0, err = 0;
  for (std::size_t k = 0; k <= N / 2; ++k) {
    const ks::Complex<double> b = bin(k);
    const double dr = b.real - out_ctml[k].real, di = b.imag - out_ctml[k].imag;
    sig += static_cast<double>(out_ctml[k].real) * out_ctml[k].real + static_cast<double>(out_ctml[k].imag) * out_ctml[k].imag;
    err += dr * dr + di * di;
  }
  return 10.0 * std::log10(sig / err);
}

// The three int16 FFTs on one input: KISS (TFLM's arithmetic), ctml's block-floating-point q15
// FFT, arm_rfft_q15 (output = X / N, its 9.7 format at N = 256). amplitude: of a sine at bin 8
// plus a little noise, so that every bin has something to get right.
template <std::size_t N>
void q15_fft(double amplitude, bool count) {
  arm_rfft_instance_q15 s;
  ok &= arm_rfft_init_q15(&s, N, 0, 1) == ARM_MATH_SUCCESS;
  std::uint32_t r = 7;
  for (std::size_t i = 0; i < N; ++i) {
    r = r * 1664525u + 1013904223u;
    const double noise = static_cast<double>(static_cast<int>(r >> 16) % 201 - 100) * amplitude / 4000.0;
    in_q[i] = static_cast<std::int16_t>(std::lround(amplitude * std::sin(2 * 3.14159265358979323846 * 8.0 * static_cast<double>(i) / N) + noise));
  }
  int e = 0;
  const std::uint64_t c_kiss = board::count_instructions([] { ks::KissRfftS16<N>::forward(in_q, out_kiss, z_kiss); });
  const std::uint64_t c_bfp = board::count_instructions([&] { e = ks::RfftQ15<N>::forward(in_q, out_bfp, z_bfp); });
  std::memcpy(in_cmsis_q, in_q, sizeof(std::int16_t) * N);
  const std::uint64_t m = board::count_instructions([&] { arm_rfft_q15(&s, in_cmsis_q, out_q); });
  const double scale = std::ldexp(1.0, e);
  const double snr_bfp = snr_db<N>([&](std::size_t k) {
    return ks::Complex<double>{out_bfp[k].real * scale, out_bfp[k].imag * scale}; });
  const double snr_cmsis = snr_db<N>([&](std::size_t k) {
    return ks::Complex<double>{static_cast<double>(out_q[2 * k]) * N, static_cast<double>(out_q[2 * k + 1]) * N}; });
  const double snr_kiss = snr_db<N>([&](std::size_t k) {
    return ks::Complex<double>{static_cast<double>(out_kiss[k].real) * N, static_cast<double>(out_kiss[k].imag) * N}; });
  if (count) {
    report(N == 256 ? "rfft_q15 N=256" : "rfft_q15 N=512", c_bfp, m);
    report(N == 256 ? "rfft_s16 (KISS) N=256" : "rfft_s16 (KISS) N=512", c_kiss, m);
  }
  // At full scale all three end at the same output scale (X / N) and differ only in rounding:
  // ctml's q15 FFT must be as accurate as CMSIS's (within 0.5 dB). On a quiet input CMSIS still
  // divides by N and keeps a few bits; ctml's must keep its accuracy (30 dB better at least).
  ok &= snr_bfp > 40.0 && (amplitude > 10000.0 ? snr_bfp >= snr_cmsis - 0.5 : snr_bfp >= snr_cmsis + 30.0);
  board::Out() << "  sine amplitude " << static_cast<int>(amplitude) << ": signal/error ctml q15 " << board::fixed(snr_bfp, 1)
               << " dB, cmsis q15 " << board::fixed(snr_cmsis, 1) << " dB, KISS " << board::fixed(snr_kiss, 1)
               << " dB; peak bin ctml " << bits(std::hypot(out_bfp[8].real, out_bfp[8].imag)) << " bits (e = " << e << "), cmsis "
               << bits(std::hypot(out_q[16], out_q[17])) << " bits\n";
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
  q15_fft<256>(32000.0, true);
  q15_fft<256>(320.0, false);
  q15_fft<512>(32000.0, true);
  q15_fft<512>(320.0, false);
  mfcc();
  board::Out() << "fw_fft_compare (" << board::name << ", ctml vs CMSIS-DSP, same inputs): "
               << (ok ? "both compute the same ok\n" : "FAILED: results differ\n");
  return ok ? 0 : 1;
}
