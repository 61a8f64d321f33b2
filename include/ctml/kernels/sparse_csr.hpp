// SPDX-License-Identifier: Apache-2.0
#pragma once
// Row kernels for compressed sparse weights. A format only has to say which (value, column) pairs
// make up each row; these kernels compute, for every row r, acc_r = sum_k value_k * x[col_k] in an
// accumulator type Acc (float for float layers, int32 for int8) and hand (r, acc_r) to an `emit`
// callback that adds the bias, requantizes, activates and stores. One kernel therefore serves
// Dense, pointwise and general convolutions (over an im2col patch), float and int8.
//
//   csr_rows<Acc>(w, x, emit)      plain CSR: values, cols, row_ptr[Rows + 1]
//   sliced_rows<Acc>(w, x, emit)   sliced CSR: rows sorted by length and processed four at a time,
//                                  their common prefix interleaved so that one 16-byte load brings
//                                  the weights of four rows (the input is gathered); short tails
//                                  per row follow. No padding: exactly NNZ values are stored.
//
// Float sums are formed in a different order than the dense kernel (independent partial sums), so
// float results equal the dense layer's up to rounding. Integer sums are exact in any order.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/dot.hpp>
// Helium (Cortex-M55/M85): gather loads fetch four inputs at once, so a sparse row costs about as
// many instructions per four non-zeros as the scalar kernels spend per one.
#if defined(CTML_HAVE_MVE)
#include <ctml/kernels/mve.hpp>
#endif
#if defined(CTML_HAVE_SSE2)
#include <emmintrin.h>
#endif

namespace ctml::kernels {

namespace detail {
template <class Acc, class V, class X>
constexpr Acc mul(V v, X x) {
  return static_cast<Acc>(v) * static_cast<Acc>(x);
}
// a[l] += v[l] * x[c[l]] for l < sizeof...(L), written out (GCC at -O2 does not unroll the loop
// form for integer accumulators and then keeps them in memory).
template <class Acc, class V, class C, class X, std::size_t... L>
constexpr void mac_step(Acc* a, const V* v, const C* c, const X* x, std::index_sequence<L...>) {
  ((a[L] += mul<Acc>(v[L], x[c[L]])), ...);
}

// The end of slice s of a sliced CSR (csr.hpp): lane l's prefix sum plus the tail of permuted row
// 4s + l, emitted for the row's original index. `lane` is anything indexable by l (an array, a
// vector register).
template <class Acc, class W, class X, class Lanes, class Emit>
constexpr void finish_slice(const W& w, const X* x, std::size_t s, const Lanes& lane, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t l = 0; l < 4 && 4 * s + l < W::rows; ++l) {
    const std::size_t p = 4 * s + l;
    Acc t = lane[l];
    for (std::size_t k = w.tail_ptr[p]; k < w.tail_ptr[p + 1]; ++k) t += mul<Acc>(w.values[k], x[w.cols[k]]);
    emit(static_cast<std::size_t>(w.perm[p]), t);
  }
}

#if defined(CTML_HAVE_MVE)
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
void csr_rows_mve(const W& w, const X* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  mve_fence();  // kernels/mve.hpp
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
void sliced_rows_mve(const W& w, const X* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  mve_fence();  // kernels/mve.hpp
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
    finish_slice<Acc>(w, x, s, lane, emit);
  }
}
#endif
}  // namespace detail

// Plain CSR. Each non-zero costs three loads (value, index, input); eight partial sums keep enough
// of them in flight, and local pointers stop the compiler from re-reading the format after each
// store the callback makes.
template <class Acc, class W, class X, class Emit>
constexpr void csr_rows(const W& w, const X* x, Emit&& emit) {
  ::ctml::detail::side_effect_fence();
#if defined(CTML_HAVE_MVE)
  if constexpr (detail::mve_sparse<Acc, typename W::value_type, X>) {
    if (!std::is_constant_evaluated()) {
      detail::csr_rows_mve<Acc>(w, x, emit);
      return;
    }
  }
#endif
  const auto* v = w.values;
  const auto* c = w.cols;
  std::size_t k = w.row_ptr[0];
  for (std::size_t r = 0; r < W::rows; ++r) {
    const std::size_t end = w.row_ptr[r + 1];
    Acc a[8]{};
    for (; k + 8 <= end; k += 8) detail::mac_step(a, v + k, c + k, x, std::make_index_sequence<8>{});
    for (; k < end; ++k) a[0] += detail::mul<Acc>(v[k], x[c[k]]);
    emit(r, ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])));
  }
}

// P pixels at once (pointwise convolutions): each non-zero is loaded once and applied to the same
// input channel of P pixels `stride` elements apart, so value and index loads are shared by P
// multiply-adds. emit(r, acc) receives the P sums of row r.
template <class Acc, std::size_t P, class W, class X, class Emit>
constexpr void csr_rows_pixels(const W& w, const X* x, std::size_t stride, Emit&& emit) {
  ::ctml::detail::side_effect_fence();
  const auto* v = w.values;
  const auto* c = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    Acc a[P]{};
    for (std::size_t k = w.row_ptr[r]; k < w.row_ptr[r + 1]; ++k) {
      const auto wk = v[k];
      const X* xc = x + c[k];
      [&]<std::size_t... p>(std::index_sequence<p...>) {
        ((a[p] += detail::mul<Acc>(wk, xc[p * stride])), ...);
      }(std::make_index_sequence<P>{});
    }
    emit(r, a);
  }
}

// P inputs at once from an interleaved copy, xt[col * P + p] = input p's element col (P frames of
// a Dense layer, P pixels of a pointwise conv). Each non-zero's value and index are loaded once
// and multiply P contiguous inputs: on a SIMD host P / 4 vector multiply-adds with the value
// broadcast, so the gather of single inputs that limits one-input sparse kernels disappears.
// emit(r, const Acc (&)[P]) receives the P sums of row r; each is formed in the order of the
// row's non-zeros, in two interleaved partial sums (even and odd non-zeros).
template <class Acc, std::size_t P, class W, class X, class Emit>
constexpr void csr_rows_interleaved(const W& w, const X* xt, Emit&& emit);

namespace detail {
template <class Acc, std::size_t P, class W, class X, class Emit>
constexpr void csr_rows_interleaved_generic(const W& w, const X* xt, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const auto* v = w.values;
  const auto* c = w.cols;
  // The P lanes are a pack expansion, not a loop: GCC keeps loop-indexed accumulator arrays in
  // memory on Cortex-M (a load and a store around every multiply-add), constant indices in registers.
  [&]<std::size_t... p>(std::index_sequence<p...>) {
    for (std::size_t r = 0; r < W::rows; ++r) {
      if constexpr (std::is_integral_v<Acc>) {  // exact in any order: one set, fewer registers
        Acc a[P]{};
        for (std::size_t k = w.row_ptr[r]; k < w.row_ptr[r + 1]; ++k) {
          const auto wk = v[k];
          const X* xk = xt + static_cast<std::size_t>(c[k]) * P;
          ((a[p] += mul<Acc>(wk, xk[p])), ...);
        }
        emit(r, a);
        continue;
      }
      Acc a[P]{}, b[P]{};
      const std::size_t end = w.row_ptr[r + 1];
      std::size_t k = w.row_ptr[r];
      for (; k + 2 <= end; k += 2) {
        const auto w0 = v[k], w1 = v[k + 1];
        const X* x0 = xt + static_cast<std::size_t>(c[k]) * P;
        const X* x1 = xt + static_cast<std::size_t>(c[k + 1]) * P;
        ((a[p] += mul<Acc>(w0, x0[p])), ...);
        ((b[p] += mul<Acc>(w1, x1[p])), ...);
      }
      if (k < end) {
        const auto w0 = v[k];
        const X* x0 = xt + static_cast<std::size_t>(c[k]) * P;
        ((a[p] += mul<Acc>(w0, x0[p])), ...);
      }
      ((a[p] += b[p]), ...);
      emit(r, a);
    }
  }(std::make_index_sequence<P>{});
}
}  // namespace detail

namespace detail {
// Four rows in lock step over their interleaved prefix, then each row's tail. `lanes` is where the
// four partial sums live; the generic version uses an array (constant evaluation, int8, targets
// without float SIMD), the float version below a 4-wide vector.
template <class Acc, class W, class X, class Emit>
constexpr void sliced_rows_generic(const W& w, const X* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const auto* v = w.values;
  const auto* c = w.cols;
  for (std::size_t s = 0; s < W::slices; ++s) {
    Acc a[4]{};
    for (std::size_t k = w.slice_ptr[s]; k < w.slice_ptr[s + 1]; k += 4)
      mac_step(a, v + k, c + k, x, std::make_index_sequence<4>{});
    finish_slice<Acc>(w, x, s, a, emit);
  }
}

#if defined(CTML_HAVE_VECTOR_EXT)
typedef float f32x4 __attribute__((vector_size(16)));

// Four column indices from one load: the kernel is load-bound (per non-zero an index and an input
// element; the values come four per vector load), so fetching the indices of a lane group as one
// integer and splitting it with shifts moves three of every four index loads to the ALUs.
template <class Index>
inline void load_index4(const Index* c, std::size_t (&i)[4]) {
  if constexpr (sizeof(Index) <= 2) {
    using Word = std::conditional_t<sizeof(Index) == 1, std::uint32_t, std::uint64_t>;
    constexpr unsigned bits = 8 * sizeof(Index);
    constexpr Word mask = (Word(1) << bits) - 1;
    Word u;
    std::memcpy(&u, c, sizeof u);  // the four indices in memory order (little-endian lanes below)
    if constexpr (std::endian::native == std::endian::little) {
      i[0] = static_cast<std::size_t>(u & mask);
      i[1] = static_cast<std::size_t>((u >> bits) & mask);
      i[2] = static_cast<std::size_t>((u >> 2 * bits) & mask);
      i[3] = static_cast<std::size_t>(u >> 3 * bits);
      return;
    }
  }
  for (std::size_t l = 0; l < 4; ++l) i[l] = c[l];
}

template <class W, class Emit>
void sliced_rows_f32x4(const W& w, const float* x, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const float* v = w.values;
  const auto* c = w.cols;
  for (std::size_t s = 0; s < W::slices; ++s) {
    f32x4 a0{}, a1{};
    std::size_t k = w.slice_ptr[s];
    const std::size_t end = w.slice_ptr[s + 1];
    std::size_t i[4], j[4];
    for (; k + 8 <= end; k += 8) {
      f32x4 w0, w1;
      std::memcpy(&w0, v + k, sizeof w0);
      std::memcpy(&w1, v + k + 4, sizeof w1);
      load_index4(c + k, i);
      load_index4(c + k + 4, j);
      const f32x4 g0{x[i[0]], x[i[1]], x[i[2]], x[i[3]]};
      const f32x4 g1{x[j[0]], x[j[1]], x[j[2]], x[j[3]]};
      a0 += w0 * g0;
      a1 += w1 * g1;
    }
    if (k < end) {
      f32x4 w0;
      std::memcpy(&w0, v + k, sizeof w0);
      load_index4(c + k, i);
      const f32x4 g0{x[i[0]], x[i[1]], x[i[2]], x[i[3]]};
      a0 += w0 * g0;
    }
    a0 += a1;
    finish_slice<float>(w, x, s, a0, emit);
  }
}

// csr_rows_interleaved with vector variables: per non-zero one broadcast of the value and P / 4
// multiply-adds on inputs that sit together in memory. Two sets of partial sums (even and odd
// non-zeros) keep the adder busy while a row's chain waits on its latency.
template <std::size_t P, class W, class Emit>
void csr_rows_interleaved_f32x4(const W& w, const float* xt_unaligned, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t V = P / 4;
  const float* v = w.values;
  const auto* c = w.cols;
  // The caller aligns xt to 16 bytes, so the input loads fold into the multiplies.
  const float* xt = static_cast<const float*>(__builtin_assume_aligned(xt_unaligned, 16));
  const auto ld = [](const float* p) { f32x4 q; std::memcpy(&q, p, sizeof q); return q; };
  for (std::size_t r = 0; r < W::rows; ++r) {
    f32x4 a[4][V] = {};
    const std::size_t end = w.row_ptr[r + 1];
    std::size_t k = w.row_ptr[r];
    const auto step = [&](f32x4 (&s)[V], f32x4 wk, std::size_t j) {
      const float* xc = static_cast<const float*>(__builtin_assume_aligned(xt + static_cast<std::size_t>(c[j]) * P, 16));
#pragma GCC unroll 8
      for (std::size_t q = 0; q < V; ++q) s[q] += wk * ld(xc + 4 * q);
    };
    for (; k + 4 <= end; k += 4) {
      const f32x4 w4 = ld(v + k);
      step(a[0], __builtin_shufflevector(w4, w4, 0, 0, 0, 0), k);
      step(a[1], __builtin_shufflevector(w4, w4, 1, 1, 1, 1), k + 1);
      step(a[2], __builtin_shufflevector(w4, w4, 2, 2, 2, 2), k + 2);
      step(a[3], __builtin_shufflevector(w4, w4, 3, 3, 3, 3), k + 3);
    }
    for (; k < end; ++k) {
      const float vk = v[k];
      step(a[0], f32x4{vk, vk, vk, vk}, k);
    }
    float out[P];
    for (std::size_t q = 0; q < V; ++q) {
      const f32x4 t = (a[0][q] + a[1][q]) + (a[2][q] + a[3][q]);
      std::memcpy(out + 4 * q, &t, sizeof t);
    }
    emit(r, out);
  }
}
#endif
}  // namespace detail

// How many inputs csr_rows_interleaved takes per pass: two vectors' worth on SIMD hosts; four on
// scalar cores, where they share each non-zero's value and index loads.
#if defined(CTML_HAVE_VECTOR_EXT)
inline constexpr std::size_t interleave_block = 8;
inline constexpr bool interleave_vectorised = true;
#else
inline constexpr std::size_t interleave_block = 4;
inline constexpr bool interleave_vectorised = false;
#endif
// Whether int8 interleaved inputs have a vector kernel (x86: SSE2, two non-zeros per PMADDWD).
#if defined(CTML_HAVE_SSE2)
inline constexpr bool interleave_s8_vectorised = true;
#else
inline constexpr bool interleave_s8_vectorised = false;
#endif

#if defined(CTML_HAVE_MVE)
namespace detail {
#if defined(CTML_HAVE_MVE_FLOAT)
inline constexpr bool mve_float = true;
#else
inline constexpr bool mve_float = false;
#endif
}  // namespace detail
#endif

// xt[i * P + p] = x[p * stride + i] for i < N, p < P: P inputs (frames, pixels) interleaved so
// that element i of all of them is contiguous. xt is 16-byte aligned on SIMD hosts (the layers
// align their scratch), where 4x4 blocks are transposed in registers.
template <std::size_t P, std::size_t N, class T>
constexpr void interleave(const T* x, std::size_t stride, T* xt) {
  ::ctml::detail::side_effect_fence();
  const auto scalar = [&](std::size_t from) {
    for (std::size_t i = from; i < N; ++i)
      for (std::size_t p = 0; p < P; ++p) xt[i * P + p] = x[p * stride + i];
  };
#if defined(CTML_HAVE_VECTOR_EXT)
  if constexpr (std::is_same_v<T, float> && P % 4 == 0) {
    if (!std::is_constant_evaluated()) {
      using detail::f32x4;
      const auto ld = [](const float* p) { f32x4 q; std::memcpy(&q, p, sizeof q); return q; };
      float* out = static_cast<float*>(__builtin_assume_aligned(xt, 16));
      constexpr std::size_t Body = N - N % 4;
      for (std::size_t i = 0; i < Body; i += 4)
        for (std::size_t g = 0; g < P; g += 4) {
          const f32x4 r0 = ld(x + g * stride + i), r1 = ld(x + (g + 1) * stride + i);
          const f32x4 r2 = ld(x + (g + 2) * stride + i), r3 = ld(x + (g + 3) * stride + i);
          const f32x4 lo01 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), hi01 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
          const f32x4 lo23 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), hi23 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
          const f32x4 c[4] = {__builtin_shufflevector(lo01, lo23, 0, 1, 4, 5), __builtin_shufflevector(lo01, lo23, 2, 3, 6, 7),
                              __builtin_shufflevector(hi01, hi23, 0, 1, 4, 5), __builtin_shufflevector(hi01, hi23, 2, 3, 6, 7)};
          for (std::size_t j = 0; j < 4; ++j) std::memcpy(out + (i + j) * P + g, &c[j], sizeof c[j]);
        }
      if constexpr (Body < N) scalar(Body);
      return;
    }
  }
#endif
#if defined(CTML_HAVE_MVE)
  // Helium: VST4 stores four vectors interleaved, element i of vector p at 4 * i + p.
  if constexpr (P == 4 && (std::is_same_v<T, std::int8_t> || (std::is_same_v<T, float> && detail::mve_float))) {
    if (!std::is_constant_evaluated()) {
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
      if constexpr (Body < N) scalar(Body);
      return;
    }
  }
#endif
#if defined(CTML_HAVE_SSE2)
  // x86 int8, eight inputs: an 8x8 byte transpose per step (bytes, then 16-bit, then 32-bit
  // unpacks), eight elements of every input in, eight interleaved columns out.
  if constexpr (std::is_same_v<T, std::int8_t> && P == 8) {
    if (!std::is_constant_evaluated()) {
      constexpr std::size_t Body = N - N % 8;
      for (std::size_t i = 0; i < Body; i += 8) {
        __m128i a[8];
        for (std::size_t p = 0; p < 8; ++p) a[p] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x + p * stride + i));
        const __m128i t01 = _mm_unpacklo_epi8(a[0], a[1]), t23 = _mm_unpacklo_epi8(a[2], a[3]);
        const __m128i t45 = _mm_unpacklo_epi8(a[4], a[5]), t67 = _mm_unpacklo_epi8(a[6], a[7]);
        const __m128i u0 = _mm_unpacklo_epi16(t01, t23), u1 = _mm_unpackhi_epi16(t01, t23);  // inputs 0-3
        const __m128i v0 = _mm_unpacklo_epi16(t45, t67), v1 = _mm_unpackhi_epi16(t45, t67);  // inputs 4-7
        __m128i* o = reinterpret_cast<__m128i*>(xt + i * 8);
        _mm_storeu_si128(o, _mm_unpacklo_epi32(u0, v0));      // elements i, i+1
        _mm_storeu_si128(o + 1, _mm_unpackhi_epi32(u0, v0));  // i+2, i+3
        _mm_storeu_si128(o + 2, _mm_unpacklo_epi32(u1, v1));  // i+4, i+5
        _mm_storeu_si128(o + 3, _mm_unpackhi_epi32(u1, v1));  // i+6, i+7
      }
      if constexpr (Body < N) scalar(Body);
      return;
    }
  }
#endif
  if constexpr (sizeof(T) == 1 && P == 4 && std::endian::native == std::endian::little) {
    if (!std::is_constant_evaluated()) {
      // 4x4 bytes per step in integer registers (Cortex-M int8 frames): rows r0..r3 hold elements
      // i..i+3 of inputs 0..3; pair inputs 0/1 and 2/3 bytewise, then halfwords.
      constexpr std::size_t Body = N - N % 4;
      const auto ld = [&](std::size_t p, std::size_t i) { std::uint32_t v; std::memcpy(&v, x + p * stride + i, 4); return v; };
      for (std::size_t i = 0; i < Body; i += 4) {
        const std::uint32_t r0 = ld(0, i), r1 = ld(1, i), r2 = ld(2, i), r3 = ld(3, i);
        const std::uint32_t t0 = (r0 & 0x00FF00FFu) | ((r1 << 8) & 0xFF00FF00u);  // 0:i 1:i 0:i+2 1:i+2
        const std::uint32_t t1 = ((r0 >> 8) & 0x00FF00FFu) | (r1 & 0xFF00FF00u);  // 0:i+1 1:i+1 ...
        const std::uint32_t t2 = (r2 & 0x00FF00FFu) | ((r3 << 8) & 0xFF00FF00u);
        const std::uint32_t t3 = ((r2 >> 8) & 0x00FF00FFu) | (r3 & 0xFF00FF00u);
        const std::uint32_t out[4] = {(t0 & 0xFFFFu) | (t2 << 16), (t1 & 0xFFFFu) | (t3 << 16),
                                      (t0 >> 16) | (t2 & 0xFFFF0000u), (t1 >> 16) | (t3 & 0xFFFF0000u)};
        std::memcpy(xt + i * 4, out, sizeof out);
      }
      if constexpr (Body < N) scalar(Body);
      return;
    }
  }
  scalar(0);
}

#if defined(CTML_HAVE_DSP) && !defined(CTML_HAVE_MVE)
namespace detail {
// int8, four inputs per pass, Arm DSP extension: the four inputs of a column are one word; SXTB16
// splits it into inputs 0 and 2 (even bytes) and 1 and 3 (odd bytes) as int16 halves, and
// SMLABB / SMLATB multiply the bottom or top half by the weight. Per non-zero: index, weight and
// one word loaded, two extends, four multiply-adds (the portable form loads the four bytes one
// by one and runs out of registers).
template <class W, class Emit>
inline void csr_rows_interleaved_s8x4_dsp(const W& w, const std::int8_t* xt, Emit& emit) {
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
      const auto odd = static_cast<std::int32_t>(sxtb16_ror8(q));   // inputs 1 and 3
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
}  // namespace detail
#endif

#if defined(CTML_HAVE_MVE)
namespace detail {
// Helium, four inputs per pass: a column's four inputs are one vector (widened from int8 by the
// load), multiplied by the non-zero as a scalar operand (VMLA / VFMA with a general register).
// Out of line: inlined into a large caller, GCC 12 spills the input base and reloads it from the
// stack in the loop (Cortex-M55 fw_sparse: 21,023 -> 19,320 instructions per frame).
template <class W, class Emit>
[[gnu::noinline]] inline void csr_rows_interleaved_s8x4_mve(const W& w, const std::int8_t* xt, Emit& emit) {
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
inline void csr_rows_interleaved_f32x4_mve(const W& w, const float* xt, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  mve_fence();  // kernels/mve.hpp
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
}  // namespace detail
#endif

#if defined(CTML_HAVE_SSE2)
namespace detail {
// int8, eight inputs per pass on x86 (SSE2), two non-zeros at a time: their columns' eight inputs
// are interleaved bytewise and widened to int16 (inputs 0-3, then 4-7), and PMADDWD multiplies
// each (column 0, column 1) pair by the two weights and adds the products in int32 (exact: at most
// 2 * 128 * 128). Per two non-zeros: two 8-byte loads, four shuffles, two multiply-adds.
template <class W, class Emit>
inline void csr_rows_interleaved_s8x8_sse2(const W& w, const std::int8_t* xt, Emit& emit) {
  ::ctml::detail::side_effect_fence();
  const std::int8_t* pv = w.values;
  const auto* pc = w.cols;
  for (std::size_t r = 0; r < W::rows; ++r) {
    const auto* const end = w.cols + w.row_ptr[r + 1];
    __m128i lo = _mm_setzero_si128(), hi = lo;
    const auto pair = [&](std::int32_t w0, std::size_t c0, std::int32_t w1, std::size_t c1) {
      const __m128i x0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(xt + c0 * 8));
      const __m128i x1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(xt + c1 * 8));
      const __m128i u = _mm_unpacklo_epi8(x0, x1);                   // x0[0] x1[0] x0[1] x1[1] ...
      const __m128i a = _mm_srai_epi16(_mm_unpacklo_epi8(u, u), 8);  // as int16, inputs 0-3
      const __m128i b = _mm_srai_epi16(_mm_unpackhi_epi8(u, u), 8);  // inputs 4-7
      const __m128i wv = _mm_set1_epi32(static_cast<int>((static_cast<std::uint32_t>(w1) << 16) |
                                                         static_cast<std::uint16_t>(w0)));
      lo = _mm_add_epi32(lo, _mm_madd_epi16(a, wv));
      hi = _mm_add_epi32(hi, _mm_madd_epi16(b, wv));
    };
    for (; pc + 2 <= end; pc += 2, pv += 2) pair(pv[0], pc[0], pv[1], pc[1]);
    if (pc < end) pair(*pv++, *pc, 0, *pc), ++pc;
    std::int32_t a[8];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a), lo);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a + 4), hi);
    emit(r, a);
  }
}
}  // namespace detail
#endif

template <class Acc, std::size_t P, class W, class X, class Emit>
constexpr void csr_rows_interleaved(const W& w, const X* xt, Emit&& emit) {
#if defined(CTML_HAVE_SSE2)
  if constexpr (P == 8 && std::is_same_v<Acc, std::int32_t> && std::is_same_v<X, std::int8_t> &&
                std::is_same_v<typename W::value_type, std::int8_t>) {
    if (!std::is_constant_evaluated()) {
      detail::csr_rows_interleaved_s8x8_sse2(w, xt, emit);
      return;
    }
  }
#endif
#if defined(CTML_HAVE_MVE)
  if constexpr (P == 4 && std::is_same_v<Acc, std::int32_t> && std::is_same_v<X, std::int8_t> &&
                std::is_same_v<typename W::value_type, std::int8_t>) {
    if (!std::is_constant_evaluated()) {
      detail::csr_rows_interleaved_s8x4_mve(w, xt, emit);
      return;
    }
  }
#if defined(CTML_HAVE_MVE_FLOAT)
  if constexpr (P == 4 && std::is_same_v<Acc, float> && std::is_same_v<X, float> &&
                std::is_same_v<typename W::value_type, float>) {
    if (!std::is_constant_evaluated()) {
      detail::csr_rows_interleaved_f32x4_mve(w, xt, emit);
      return;
    }
  }
#endif
#endif
#if defined(CTML_HAVE_DSP) && !defined(CTML_HAVE_MVE)
  if constexpr (P == 4 && std::is_same_v<Acc, std::int32_t> && std::is_same_v<X, std::int8_t> &&
                std::is_same_v<typename W::value_type, std::int8_t>) {
    if (!std::is_constant_evaluated()) {
      detail::csr_rows_interleaved_s8x4_dsp(w, xt, emit);
      return;
    }
  }
#endif
#if defined(CTML_HAVE_VECTOR_EXT)
  if constexpr (std::is_same_v<Acc, float> && std::is_same_v<X, float> &&
                std::is_same_v<typename W::value_type, float> && P % 4 == 0) {
    if (!std::is_constant_evaluated()) {
      detail::csr_rows_interleaved_f32x4<P>(w, xt, emit);
      return;
    }
  }
#endif
  detail::csr_rows_interleaved_generic<Acc, P>(w, xt, emit);
}

template <class Acc, class W, class X, class Emit>
constexpr void sliced_rows(const W& w, const X* x, Emit&& emit) {
#if defined(CTML_HAVE_MVE)
  if constexpr (detail::mve_sparse<Acc, typename W::value_type, X>) {
    if (!std::is_constant_evaluated()) {
      detail::sliced_rows_mve<Acc>(w, x, emit);
      return;
    }
  }
#endif
#if defined(CTML_HAVE_VECTOR_EXT)
  if constexpr (std::is_same_v<Acc, float> && std::is_same_v<X, float> &&
                std::is_same_v<typename W::value_type, float>) {
    if (!std::is_constant_evaluated()) {
      detail::sliced_rows_f32x4(w, x, emit);
      return;
    }
  }
#endif
  detail::sliced_rows_generic<Acc>(w, x, emit);
}

// im2col for one output pixel of a convolution (geometry G as in kernels/conv2d.hpp): the
// KH*KW*Cin window in weight order, taps outside the input set to `pad` (0 for float, the input
// zero point for int8, whose (x - zp) is exactly zero). Returns true when the whole window is
// inside the input.
template <class G, class T>
constexpr void im2col_pixel(const G& g, const T* in, std::size_t oy, std::size_t ox, T pad, T* patch) {
  ::ctml::detail::side_effect_fence();
  const long y0 = static_cast<long>(oy * g.sh) - static_cast<long>(g.pt);
  const long x0 = static_cast<long>(ox * g.sw) - static_cast<long>(g.pl);
  T* p = patch;
  for (std::size_t ky = 0; ky < g.kh; ++ky) {
    const long iy = y0 + static_cast<long>(ky * g.dh);
    for (std::size_t kx = 0; kx < g.kw; ++kx, p += g.cin) {
      const long ix = x0 + static_cast<long>(kx * g.dw);
      if (iy < 0 || iy >= static_cast<long>(g.ih) || ix < 0 || ix >= static_cast<long>(g.iw)) {
        for (std::size_t ci = 0; ci < g.cin; ++ci) p[ci] = pad;
      } else {
        const T* src = in + (static_cast<std::size_t>(iy) * g.iw + static_cast<std::size_t>(ix)) * g.cin;
        for (std::size_t ci = 0; ci < g.cin; ++ci) p[ci] = src[ci];
      }
    }
  }
}

}  // namespace ctml::kernels
