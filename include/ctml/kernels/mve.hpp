// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helium (MVE) float accesses and GCC's alias analysis.
// GCC 12's arm_mve.h hands the pointer of its float loads and stores to the builtins as an int*
// (vld1q_f32, vst1q_f32, vldrwq_gather_*_f32, vst4q_f32 ...), so those accesses carry int's alias
// set: the compiler may move a plain float store to the same memory after such a load, or a plain
// float load before such a store. On Cortex-M55 this made a Dense layer read an input that an
// inlined layer before it had not yet written. The float Helium kernels therefore
//   * begin with mve_fence(), which emits nothing but lets no memory access move across it, and
//   * read vector sums with vgetq_lane, never through vst1q_f32 into a float array.
// (int8 accesses go through signed char pointers, which alias everything.)
#include <ctml/core/target.hpp>
#if defined(CTML_HAVE_MVE)
#include <arm_mve.h>

namespace ctml::kernels::detail {

inline void mve_fence() { __asm__ volatile("" ::: "memory"); }

}  // namespace ctml::kernels::detail
#endif
