// SPDX-License-Identifier: Apache-2.0
#pragma once
// The features MLPerf Tiny's keyword-spotting DS-CNN was trained with (mlcommons/tiny,
// benchmark/training/keyword_spotting/get_dataset.py, feature_type "mfcc"): 16 kHz, 1 s clips
// scaled by 1 / their largest sample, 30 ms periodic-Hann frames every 20 ms, 512-point FFT
// magnitude, 40 HTK mel bins over 20-4000 Hz, ln(mel + 1e-6), 10 MFCCs: 49 x 10 per clip; the
// model's int8 input is trunc(mfcc / 0.584703 + 83) as make_bin_files.py makes it.
//   static float x[16000]; ctml::frontend::normalize_by_max(clip, 16000, x);
//   ctml::frontend::mlperf_kws_clip(x, mfcc);                       // float [49][10]
//   ctml::frontend::quantize_features(mfcc, 490, ctml::frontend::mlperf_kws_input_scale,
//                                     ctml::frontend::mlperf_kws_input_zero_point, input);
#include <cstddef>
#include <cstdint>
#include <ctml/frontend/mfcc.hpp>

namespace ctml::frontend {

using MlperfKws = Mfcc<MfccConfig{}>;
inline constexpr std::size_t mlperf_kws_frames = 49;
// The input quantization of the MLPerf Tiny KWS model (kws_ds_cnn_int8: scale 0.584703, zp 83).
inline constexpr float mlperf_kws_input_scale = 0.584703f;
inline constexpr int mlperf_kws_input_zero_point = 83;

// The 49 x 10 features of a normalized 1 s clip (16,000 samples).
inline void mlperf_kws_clip(const float* clip, float* out) {
  static MlperfKws::scratch_type w;
  MlperfKws::state_type s;
  const MlperfKws fe;
  for (std::size_t f = 0; f < mlperf_kws_frames; ++f) fe(clip + f * MlperfKws::hop, out + f * MlperfKws::features, s, w);
}

}  // namespace ctml::frontend
