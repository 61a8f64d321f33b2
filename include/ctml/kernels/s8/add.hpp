// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 ADD of two tensors of n elements with TFLite semantics (quant/add_s8.hpp has the formula:
// both inputs rescaled to a common scale, summed, requantized), one entry point for every target
// (as CMSIS-NN's arm_elementwise_add_s8):
//   add_s8(p, tables, a, b, y, n)    y[i] = ADD(a[i], b[i]); y may be a or b (element i is read
//                                    before it is written)
// p: the ADD's parameters (quant::AddParams); tables: the rescaled inputs tabulated per int8 value
// (quant::AddTables) or none (quant::NoAddTables), as the layer holds them.
//   Helium    four elements per step in int32 lanes, the last step tail-predicated: the rescaled
//             inputs gathered from the tables (VLDRW gather), or computed in vector lanes without
//             them; the output stage is requantize_mve.hpp's.
//   otherwise one element at a time: the tables' apply (two loads and one requantization), or
//             AddParams::apply. Every path gives the same bytes (tests/quant test_ops_s8).
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/requantize_mve.hpp>

namespace ctml::kernels::s8 {

#if defined(CTML_HAVE_MVE)
template <class P, class Tables>
void add_s8_mve(const P& p, const Tables& t, const std::int8_t* a, const std::int8_t* b, std::int8_t* y, std::size_t n) {
  const mve::Requant4 ro = mve::make_requant4(p.output.value, p.output.shift);
  const mve::Finish4 fin = mve::make_finish4(p.output_offset, p.act_min, p.act_max);
  [[maybe_unused]] const mve::Requant4 r1 = mve::make_requant4(p.input1.value, p.input1.shift);
  [[maybe_unused]] const mve::Requant4 r2 = mve::make_requant4(p.input2.value, p.input2.shift);
  for (std::size_t i = 0; i < n; i += 4) {
    const mve_pred16_t live = vctp32q(static_cast<std::uint32_t>(n - i));
    const int32x4_t va = vldrbq_z_s32(a + i, live), vb = vldrbq_z_s32(b + i, live);
    int32x4_t sum;
    if constexpr (Tables::enabled) {
      // Entry v + 128 of each table is the rescaled input for the int8 value v.
      const int32x4_t sa = vldrwq_gather_shifted_offset_z_s32(t.t1, vreinterpretq_u32_s32(vaddq_n_s32(va, 128)), live);
      const int32x4_t sb = vldrwq_gather_shifted_offset_z_s32(t.t2, vreinterpretq_u32_s32(vaddq_n_s32(vb, 128)), live);
      sum = vaddq_s32(sa, sb);
    } else {
      // (v + offset) * 2^left_shift is within 2^28: no shift wraps.
      const int32x4_t xa = vshlq_n_s32(vaddq_n_s32(va, p.input1_offset), P::left_shift);
      const int32x4_t xb = vshlq_n_s32(vaddq_n_s32(vb, p.input2_offset), P::left_shift);
      sum = vaddq_s32(mve::requantize4(xa, r1), mve::requantize4(xb, r2));
    }
    const int32x4_t out = vaddq_s32(mve::requantize4(sum, ro), fin.out_zp);
    vstrbq_p_s32(y + i, vminq_s32(vmaxq_s32(out, fin.lo), fin.hi), live);
  }
}
#endif

template <class P, class Tables>
constexpr void add_s8(const P& p, const Tables& t, const std::int8_t* a, const std::int8_t* b, std::int8_t* y, std::size_t n) {
  ::ctml::detail::side_effect_fence();
#if defined(CTML_HAVE_MVE)
  if (!std::is_constant_evaluated()) return add_s8_mve(p, t, a, b, y, n);
#endif
  const P local = p;  // a local: the int8 stores could alias the parameters
  for (std::size_t i = 0; i < n; ++i) y[i] = t.apply(local, a[i], b[i]);
}

}  // namespace ctml::kernels::s8
