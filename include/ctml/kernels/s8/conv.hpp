// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 CONV_2D with TFLite semantics, NHWC, one entry point for every target (as CMSIS-NN's
// arm_convolve_wrapper_s8):
//   acc[co] = bias[co] + sum over taps inside the input of w[co][ky][kx][ci] * (x - in_zp)
//           = eff_bias[co] + sum over the im2col patch of w * x   (padded taps = in_zp, exact)
//   y       = clamp(MultiplyByQuantizedMultiplier(acc, M[co]) + out_zp, act_min, act_max)
// conv(params, in, out, scratch) picks the kernel from the geometry (ConvFacts) and the target
// (core/target.hpp):
//   AVX-512 VNNI (compiled in, or chosen at run time in a generic x86-64 build)
//                                      conv_avx512.hpp    four pixels per GEMM block
//   Arm DSP, ConvFacts::expands_inputs conv_dsp.hpp       int16 pixel pairs, SMLAD, tabulated requant
//   AArch64 NEON                       conv_neon.hpp      pixel pairs x four channels, NEON requant
//   Helium (Cortex-M55/M85)            conv_mve.hpp       pixel pairs x four channels, MVE requant
//   otherwise (portable)               conv_portable.hpp  pixel pairs x channel pairs
// In a constant expression the portable kernel runs with the general output stage. Every path
// gives the same bytes (tests/quant, and tests/core target_no_* with each opt-out).
#include <cstdint>
#include <type_traits>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/conv_avx512.hpp>
#include <ctml/kernels/s8/conv_dsp.hpp>
#include <ctml/kernels/s8/conv_mve.hpp>
#include <ctml/kernels/s8/conv_neon.hpp>
#include <ctml/kernels/s8/conv_params.hpp>
#include <ctml/kernels/s8/conv_portable.hpp>

namespace ctml::kernels::s8 {

template <Conv2DGeometry G, ConvData<G> D>
constexpr void conv(const D& cp, const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) {
  if (std::is_constant_evaluated()) {
    conv_portable<Requant::general, G>(cp, in, out, scratch);
    return;
  }
#if defined(CTML_HAVE_AVX512_VNNI)
  conv_avx512<G>(cp, in, out);
#else
#if defined(CTML_DISPATCH_AVX512_VNNI)
  if (target::avx512_vnni_now()) {
    conv_avx512<G>(cp, in, out);
    return;
  }
#endif
#if defined(CTML_HAVE_NEON)
  conv_neon<G>(cp, in, out, scratch);
#elif defined(CTML_HAVE_MVE)
  conv_mve<G>(cp, in, out, scratch);
#else
#if defined(CTML_HAVE_DSP)
  if constexpr (ConvFacts<G>::expands_inputs) {
    stage_of(cp).with_requant(cp.multiplier.data(), cp.shift.data(), G.cout, cp.requant_table,
                          [&](auto r) { conv_dsp<decltype(r)::value, G>(cp, in, out, scratch); });
    return;
  }
#endif
  stage_of(cp).with_requant(cp.multiplier.data(), cp.shift.data(), G.cout,
                        [&](auto r) { conv_portable<decltype(r)::value, G>(cp, in, out, scratch); });
#endif
#endif
}

}  // namespace ctml::kernels::s8
