// SPDX-License-Identifier: Apache-2.0
#pragma once
// Arm DSP-extension (Cortex-M4/M7/M33) int8 sparse kernel: four interleaved inputs per pass.
// Exact integer sums, equal to portable.hpp's. Not used on Helium cores, which have their own
// (mve.hpp). CTML_NO_DSP turns it off (core/target.hpp).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#if defined(CTML_HAVE_DSP) && !defined(CTML_HAVE_MVE)
#include <ctml/kernels/s8/dot_dsp.hpp>  // sxtb16_ror8

namespace ctml::kernels::dsp {

// int8, four inputs per pass, Arm DSP extension: the four inputs of a column are one word; SXTB16
// splits it into inputs 0 and 2 (even bytes) and 1 and 3 (odd bytes) as int16 halves, and
// SMLABB / SMLATB multiply the bottom or top half by the weight. Per non-zero: index, weight and
// one word loaded, two extends, four multiply-adds (the portable form loads the four bytes one
// by one and runs out of registers).
template <class W, class Emit>
inline void csr_rows_interleaved_s8x4(const W& w, const std::int8_t* xt, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  // Walking pointers and four named sums: with an index and a sum array GCC spills both.
  const std::int8_t* pv = w.values;
  const auto* pc = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    const auto* const end = w.cols + w.row_ptr[r + 1];
    std::int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const auto step = [&](std::int32_t wk, std::size_t col) {
      std::uint32_t q;
      std::memcpy(&q, xt + col * 4, sizeof q);
      const auto even = static_cast<std::int32_t>(__sxtb16(q));     // inputs 0 and 2
      const auto odd = static_cast<std::int32_t>(detail::sxtb16_ror8(q));  // inputs 1 and 3
      a0 = __smlabb(even, wk, a0);
      a2 = __smlatb(even, wk, a2);
      a1 = __smlabb(odd, wk, a1);
      a3 = __smlatb(odd, wk, a3);
    };
    for (; pc + 2 <= end; pc += 2, pv += 2) {
      step(pv[0], pc[0]);
      step(pv[1], pc[1]);
    }
    if (pc < end) step(*pv++, *pc++);
    const std::int32_t a[4] = {a0, a1, a2, a3};
    emit(r, a);
  }
}

}  // namespace ctml::kernels::dsp
#endif
