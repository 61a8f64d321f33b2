// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helium (Cortex-M55/M85) sparse kernels: gather loads fetch four inputs at once, so a sparse row
// costs about as many instructions per four non-zeros as the scalar kernels spend per one. int8
// always, float with the floating-point extension (CTML_HAVE_MVE_FLOAT). Integer results equal
// portable.hpp's exactly; float ones up to the order of additions. CTML_NO_MVE turns them off.
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/sparse/portable.hpp>
#if defined(CTML_HAVE_MVE)
#include <ctml/kernels/mve.hpp>

namespace ctml::kernels::mve {

// Which (accumulator, weight, input) types have a Helium kernel: int8 layers and, with the
// floating-point extension, float layers.
template <class Acc, class V, class X>
inline constexpr bool mve_sparse =
    (std::is_same_v<Acc, std::int32_t> && std::is_same_v<V, std::int8_t> && std::is_same_v<X, std::int8_t>)
#if defined(CTML_HAVE_MVE_FLOAT)
    || (std::is_same_v<Acc, float> && std::is_same_v<V, float> && std::is_same_v<X, float>)
#endif
    ;

// The column indices of up to four non-zeros (lanes where p is false read nothing and are 0),
// widened to the 32-bit offsets a gather load takes.
template <class Index>
inline uint32x4_t mve_cols(const Index* c, mve_pred16_t p) {
  if constexpr (sizeof(Index) == 1) return vldrbq_z_u32(c, p);
  else if constexpr (sizeof(Index) == 2) return vldrhq_z_u32(c, p);
  else return vldrwq_z_u32(c, p);
}

// Plain CSR, one row at a time, four non-zeros per step, the row's last step predicated (VCTP).
template <class Acc, class W, class X, class Emit>
void csr_rows(const W& w, const X* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  detail::mve_fence();  // kernels/mve.hpp
  const auto* v = w.values;
  const auto* c = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    const std::size_t end = w.row_ptr[r + 1];
    if constexpr (std::is_same_v<Acc, float>) {
#if defined(CTML_HAVE_MVE_FLOAT)
      float32x4_t a = vdupq_n_f32(0.0f);
      for (std::size_t k = w.row_ptr[r]; k < end; k += 4) {
        const mve_pred16_t p = vctp32q(static_cast<std::uint32_t>(end - k));
        const float32x4_t xs = vldrwq_gather_shifted_offset_z_f32(x, mve_cols(c + k, p), p);
        a = vfmaq_f32(a, vld1q_z_f32(v + k, p), xs);
      }
      emit(r, (vgetq_lane_f32(a, 0) + vgetq_lane_f32(a, 1)) + (vgetq_lane_f32(a, 2) + vgetq_lane_f32(a, 3)));
#endif
    } else {
      std::int32_t a = 0;
      for (std::size_t k = w.row_ptr[r]; k < end; k += 4) {
        const mve_pred16_t p = vctp32q(static_cast<std::uint32_t>(end - k));
        // VMLADAVA: the four products added into the scalar sum in one instruction.
        a = vmladavaq_s32(a, vldrbq_z_s32(v + k, p), vldrbq_gather_offset_z_s32(x, mve_cols(c + k, p), p));
      }
      emit(r, a);
    }
  }
}

// Sliced CSR: the interleaved prefix of four rows is whole vectors (lane l = row l of the slice):
// one weight load, one index load and one gather per four non-zeros; the short tails stay scalar.
template <class Acc, class W, class X, class Emit>
void sliced_rows(const W& w, const X* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  detail::mve_fence();  // kernels/mve.hpp
  const auto* v = w.values;
  const auto* c = w.cols;
  const mve_pred16_t all = vctp32q(4);
  for (std::size_t s = 0; s < W::slices; ++s) {
    Acc lane[4];
    if constexpr (std::is_same_v<Acc, float>) {
#if defined(CTML_HAVE_MVE_FLOAT)
      float32x4_t a = vdupq_n_f32(0.0f);
      for (std::size_t k = w.slice_ptr[s]; k < w.slice_ptr[s + 1]; k += 4)
        a = vfmaq_f32(a, vld1q_f32(v + k), vldrwq_gather_shifted_offset_f32(x, mve_cols(c + k, all)));
      lane[0] = vgetq_lane_f32(a, 0);  // not vst1q_f32 into lane: kernels/mve.hpp
      lane[1] = vgetq_lane_f32(a, 1);
      lane[2] = vgetq_lane_f32(a, 2);
      lane[3] = vgetq_lane_f32(a, 3);
#endif
    } else {
      // int8 values and inputs widened to int32 lanes (no vector multiply-accumulate for them).
      int32x4_t a = vdupq_n_s32(0);
      for (std::size_t k = w.slice_ptr[s]; k < w.slice_ptr[s + 1]; k += 4)
        a = vaddq_s32(a, vmulq_s32(vldrbq_s32(v + k), vldrbq_gather_offset_s32(x, mve_cols(c + k, all))));
      vst1q_s32(lane, a);
    }
    portable::finish_slice<Acc>(w, x, s, lane, emit);
  }
}

// Helium, four inputs per pass: a column's four inputs are one vector (widened from int8 by the
// load), multiplied by the non-zero as a scalar operand (VMLA / VFMA with a general register).
// Out of line: inlined into a large caller, GCC 12 spills the input base and reloads it from the
// stack in the loop (Cortex-M55 fw_sparse: 21,023 -> 19,320 instructions per frame).
template <class W, class Emit>
[[gnu::noinline]] inline void csr_rows_interleaved_s8x4(const W& w, const std::int8_t* xt, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const std::int8_t* pv = w.values;
  const auto* pc = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    const auto* const end = w.cols + w.row_ptr[r + 1];
    int32x4_t acc = vdupq_n_s32(0);
    for (; pc < end; ++pc, ++pv) acc = vmlaq_n_s32(acc, vldrbq_s32(xt + static_cast<std::size_t>(*pc) * 4), *pv);
    std::int32_t a[4];
    vst1q_s32(a, acc);
    emit(r, a);
  }
}
#if defined(CTML_HAVE_MVE_FLOAT)
// Float: even and odd non-zeros in two vector sums, as the other interleaved kernels.
template <class W, class Emit>
inline void csr_rows_interleaved_f32x4(const W& w, const float* xt, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  detail::mve_fence();  // kernels/mve.hpp
  const float* pv = w.values;
  const auto* pc = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    const auto* const end = w.cols + w.row_ptr[r + 1];
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0;
    for (; pc + 2 <= end; pc += 2, pv += 2) {
      a0 = vfmaq_n_f32(a0, vld1q_f32(xt + static_cast<std::size_t>(pc[0]) * 4), pv[0]);
      a1 = vfmaq_n_f32(a1, vld1q_f32(xt + static_cast<std::size_t>(pc[1]) * 4), pv[1]);
    }
    if (pc < end) a0 = vfmaq_n_f32(a0, vld1q_f32(xt + static_cast<std::size_t>(*pc++) * 4), *pv++);
    const float32x4_t sum = vaddq_f32(a0, a1);
    const float a[4] = {vgetq_lane_f32(sum, 0), vgetq_lane_f32(sum, 1), vgetq_lane_f32(sum, 2), vgetq_lane_f32(sum, 3)};
    emit(r, a);
  }
}
#endif

// Which element types interleave has a VST4 form for.
template <class T>
inline constexpr bool interleave4_supported = std::is_same_v<T, std::int8_t>
#if defined(CTML_HAVE_MVE_FLOAT)
                                              || std::is_same_v<T, float>
#endif
    ;

// interleave, four inputs: VST4 stores four vectors interleaved, element i of vector p at 4i + p.
template <std::size_t N, class T>
inline void interleave4(const T* x, std::size_t stride, T* xt) {
  static_assert(interleave4_supported<T>);
  ::ctml::detail::side_effect_fence();
  detail::mve_fence();  // kernels/mve.hpp
  constexpr std::size_t L = 16 / sizeof(T);
  constexpr std::size_t Body = N - N % L;
  for (std::size_t i = 0; i < Body; i += L) {
    if constexpr (std::is_same_v<T, std::int8_t>) {
      const int8x16x4_t v = {{vld1q_s8(x + i), vld1q_s8(x + stride + i), vld1q_s8(x + 2 * stride + i), vld1q_s8(x + 3 * stride + i)}};
      vst4q_s8(xt + i * 4, v);
    } else {
#if defined(CTML_HAVE_MVE_FLOAT)
      const float32x4x4_t v = {{vld1q_f32(x + i), vld1q_f32(x + stride + i), vld1q_f32(x + 2 * stride + i), vld1q_f32(x + 3 * stride + i)}};
      vst4q_f32(xt + i * 4, v);
#endif
    }
  }
  if constexpr (Body < N) portable::interleave<4, N>(x, stride, xt, Body);
}

}  // namespace ctml::kernels::mve
#endif
