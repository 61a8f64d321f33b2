// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 DEPTHWISE_CONV_2D with TFLite semantics, NHWC, one entry point for every target:
//   acc[c*M+m] = bias[c*M+m] + sum over taps inside the input of w[ky][kx][c*M+m] * (x[c] - in_zp)
//   y          = clamp(MultiplyByQuantizedMultiplier(acc, M[co]) + out_zp, act_min, act_max)
// depthwise_conv(params, in, out, ring) picks the kernel from the geometry (DepthwiseFacts) and
// the target (core/target.hpp):
//   AVX-512 VNNI, depth multiplier 1             depthwise_conv_avx512.hpp
//   AArch64 NEON, multiplier 1, 8n channels      depthwise_conv_neon.hpp
//   Helium, multiplier 1, 8n channels            depthwise_conv_mve.hpp
//   Arm DSP, DepthwiseFacts::planar              depthwise_conv_planar.hpp
//   Arm DSP / Helium, DepthwiseFacts::by_quads   depthwise_conv_dsp.hpp
//   otherwise, and in constant expressions       depthwise_conv_portable.hpp
#include <cstdint>
#include <type_traits>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/depthwise_conv_avx512.hpp>
#include <ctml/kernels/s8/depthwise_conv_dsp.hpp>
#include <ctml/kernels/s8/depthwise_conv_mve.hpp>
#include <ctml/kernels/s8/depthwise_conv_neon.hpp>
#include <ctml/kernels/s8/depthwise_conv_params.hpp>
#include <ctml/kernels/s8/depthwise_conv_planar.hpp>
#include <ctml/kernels/s8/depthwise_conv_portable.hpp>

namespace ctml::kernels::s8 {

template <Conv2DGeometry G, DepthwiseData<G> D>
constexpr void depthwise_conv(const D& dp, const std::int8_t* in, std::int8_t* out, std::int8_t* ring) {
  if (!std::is_constant_evaluated()) {
#if defined(CTML_AVX512_KERNELS)
    if constexpr (DepthwiseFacts<G>::mult_depth == 1) {
      if (target::avx512_vnni_now()) {
        depthwise_conv_avx512<G>(dp, in, out, ring);
        return;
      }
    }
#elif defined(CTML_HAVE_NEON)
    if constexpr (neon_depthwise<G>) {
      // int8 zero points (every valid model's): the border taps subtract it in int16 lanes.
      if (stage_of(dp).input_zero_point >= -128 && stage_of(dp).input_zero_point <= 127) {
        depthwise_conv_neon<G>(dp, in, out, ring);
        return;
      }
    }
#elif defined(CTML_HAVE_DSP)
#if defined(CTML_HAVE_MVE)
    if constexpr (mve_depthwise<G>) {
      if (stage_of(dp).input_zero_point >= -128 && stage_of(dp).input_zero_point <= 127) {
        depthwise_conv_mve<G>(dp, in, out, ring);
        return;
      }
    }
#endif
    if constexpr (DepthwiseFacts<G>::planar) {
      stage_of(dp).with_requant(dp.multiplier.data(), dp.shift.data(), G.cout,
                            [&](auto r) { depthwise_conv_planar<decltype(r)::value, G>(dp, in, out, ring); });
      return;
    } else if constexpr (DepthwiseFacts<G>::by_quads && target::mve) {
      depthwise_conv_quads<Requant::general, G>(dp, in, out, ring);  // one vector output stage for every form
      return;
    } else if constexpr (DepthwiseFacts<G>::by_quads) {
      stage_of(dp).with_requant(dp.multiplier.data(), dp.shift.data(), G.cout,
                            [&](auto r) { depthwise_conv_quads<decltype(r)::value, G>(dp, in, out, ring); });
      return;
    }
#endif
  }
  depthwise_conv_portable<G>(dp, in, out, ring);
}

}  // namespace ctml::kernels::s8
