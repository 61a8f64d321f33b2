// SPDX-License-Identifier: Apache-2.0
#pragma once
// The int8 dot products of the int8 kernels, one entry point each, the target's variant chosen
// here (core/target.hpp decides the macros):
//   dot_s8, dot_s8_2x2, dot_s8_1x2   Helium  dot_mve.hpp  (N >= 4)
//                                    Arm DSP dot_dsp.hpp
//                                    AArch64 dot_neon.hpp (N >= 16; SDOT or SMULL/SADALP)
//                                    else    dot_portable.hpp (the formulas; also in constant
//                                            evaluation and the variants' scalar tails)
//   mac4_s8_offset                   Arm DSP dot_dsp.hpp, else dot_portable.hpp
//   dot_s16 (int16 x int16)          Arm DSP dot_dsp.hpp, else dot_portable.hpp
// dot_dsp.hpp also holds the int16-widened kernels of the Cortex-M conv and depthwise paths
// (expand_s8_pairs, dot_s16s8_2x2, dot_s16_2x2, mac4_s16w_offset) and their packed weight layouts.
// Integer arithmetic is exact, so every variant gives identical results (tests/quant
// test_dsp_kernels, and the target_no_* builds).
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/dot_dsp.hpp>
#include <ctml/kernels/s8/dot_mve.hpp>
#include <ctml/kernels/s8/dot_neon.hpp>
#include <ctml/kernels/s8/dot_portable.hpp>

namespace ctml::kernels {

template <std::size_t N>
constexpr std::int32_t dot_s8(const std::int8_t* a, const std::int8_t* b) {
#if defined(CTML_HAVE_MVE)
  if (!std::is_constant_evaluated() && N >= 4) return mve::dot_s8<N>(a, b);
#endif
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) return dsp::dot_s8<N>(a, b);
#endif
#if defined(CTML_HAVE_NEON)
  if (!std::is_constant_evaluated() && N >= 16) return neon::dot_s8<N>(a, b);
#endif
  return dot_s8_ref<N>(a, b);
}

template <std::size_t N>
constexpr void dot_s8_2x2(const std::int8_t* a0, const std::int8_t* a1, const std::int8_t* b0,
                          const std::int8_t* b1, std::int32_t* acc) {
#if defined(CTML_HAVE_MVE)
  if (!std::is_constant_evaluated() && N >= 4) return mve::dot_s8_2x2<N>(a0, a1, b0, b1, acc);
#endif
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) return dsp::dot_s8_2x2<N>(a0, a1, b0, b1, acc);
#endif
#if defined(CTML_HAVE_NEON)
  if (!std::is_constant_evaluated() && N >= 16) return neon::dot_s8_2x2<N>(a0, a1, b0, b1, acc);
#endif
  dot_s8_2x2_ref<N>(a0, a1, b0, b1, acc);
}

template <std::size_t N>
constexpr void dot_s8_1x2(const std::int8_t* a, const std::int8_t* b0, const std::int8_t* b1, std::int32_t& acc0,
                          std::int32_t& acc1) {
#if defined(CTML_HAVE_MVE)
  if (!std::is_constant_evaluated() && N >= 4) return mve::dot_s8_1x2<N>(a, b0, b1, acc0, acc1);
#endif
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) return dsp::dot_s8_1x2<N>(a, b0, b1, acc0, acc1);
#endif
#if defined(CTML_HAVE_NEON)
  if (!std::is_constant_evaluated() && N >= 16) return neon::dot_s8_1x2<N>(a, b0, b1, acc0, acc1);
#endif
  dot_s8_1x2_ref<N>(a, b0, b1, acc0, acc1);
}

template <std::size_t N>
constexpr std::int32_t dot_s16(const std::int16_t* a, const std::int16_t* b) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) return dsp::dot_s16<N>(a, b);
#endif
  return dot_s16_ref<N>(a, b);
}

// The accumulators are separate scalars so that they stay in registers over a loop of taps (an
// int32 array would be re-stored after every int8 load, which may alias it).
constexpr void mac4_s8_offset(const std::int8_t* x, const std::int8_t* w, std::int32_t offset, std::int32_t& acc0,
                              std::int32_t& acc1, std::int32_t& acc2, std::int32_t& acc3) {
#if defined(CTML_HAVE_DSP)
  if (!std::is_constant_evaluated()) return dsp::mac4_s8_offset(x, w, offset, acc0, acc1, acc2, acc3);
#endif
  mac4_s8_offset_ref(x, w, offset, acc0, acc1, acc2, acc3);
}

}  // namespace ctml::kernels
