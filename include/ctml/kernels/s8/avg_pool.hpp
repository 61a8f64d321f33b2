// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 AVERAGE_POOL_2D with TFLite semantics, NHWC: the integer mean over the taps inside the input,
// rounded half away from zero, clamped to the fused activation; input and output share
// quantization, so there is no requantization:
//   y[c] = clamp(round_half_away(sum over taps inside of x[c] / count), act_min, act_max)
// avg_pool_ref: the formula for every target (the compiler vectorises its channel loop on hosts);
// Arm DSP extension: avg_pool_dsp sums four channels per word with SXTAB16 into int16 lanes;
// Helium: avg_pool_mve, eight channels per vector of int16 lanes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/s8/dot_dsp.hpp>
#if defined(CTML_HAVE_MVE)
#include <arm_mve.h>
#endif

namespace ctml::kernels::s8 {

namespace detail {
// The rounded, clamped mean of one channel's sum (T: the activation type).
template <class T = std::int8_t>
constexpr T avg_finish(std::int32_t a, std::int32_t count, std::int32_t act_min, std::int32_t act_max) {
  if (count > 0) a = a > 0 ? (a + count / 2) / count : (a - count / 2) / count;
  a = a < act_min ? act_min : (a > act_max ? act_max : a);
  return static_cast<T>(a);
}
// The window of output pixel (oy, ox) clipped to the input: rows [iy0, iy1), columns [ix0, ix1),
// and its tap count.
struct PoolWindow {
  std::size_t iy0, iy1, ix0, ix1;
  std::int32_t count;
};
template <Conv2DGeometry G>
constexpr PoolWindow pool_window(std::size_t oy, std::size_t ox) {
  const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
  const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
  const std::size_t iy0 = y0 < 0 ? 0 : static_cast<std::size_t>(y0);
  const std::size_t ix0 = x0 < 0 ? 0 : static_cast<std::size_t>(x0);
  const long y1 = y0 + static_cast<long>(G.kh), x1 = x0 + static_cast<long>(G.kw);
  const std::size_t iy1 = y1 > static_cast<long>(G.ih) ? G.ih : static_cast<std::size_t>(y1 < 0 ? 0 : y1);
  const std::size_t ix1 = x1 > static_cast<long>(G.iw) ? G.iw : static_cast<std::size_t>(x1 < 0 ? 0 : x1);
  const auto count = static_cast<std::int32_t>((iy1 > iy0 ? iy1 - iy0 : 0) * (ix1 > ix0 ? ix1 - ix0 : 0));
  return {iy0, iy1, ix0, ix1, count};
}
}  // namespace detail

// The window is clipped to the input once per output pixel; channels are summed in chunks of
// 16 accumulators (contiguous in NHWC, so the inner loop vectorises on hosts). T: std::int8_t, or
// std::int16_t for the 16x8 pool (kernels/s16/avg_pool.hpp: TFLite's int16 AveragePool is the same
// formula with int32 sums).
template <Conv2DGeometry G, class T = std::int8_t>
constexpr void avg_pool_ref(const T* in, T* out, std::int32_t act_min, std::int32_t act_max) {
  static_assert(G.kh * G.kw < 65536, "ctml: an average pool window of 65536 taps or more overflows the int32 sum");
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t chunk = G.cin < 16 ? G.cin : 16;
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const auto [iy0, iy1, ix0, ix1, count] = detail::pool_window<G>(oy, ox);
      T* o = out + (oy * G.ow + ox) * G.cin;
      for (std::size_t c0 = 0; c0 < G.cin; c0 += chunk) {
        const std::size_t n = G.cin - c0 < chunk ? G.cin - c0 : chunk;
        std::int32_t acc[chunk]{};
        for (std::size_t iy = iy0; iy < iy1; ++iy)
          for (std::size_t ix = ix0; ix < ix1; ++ix) {
            const T* x = in + (iy * G.iw + ix) * G.cin + c0;
            for (std::size_t c = 0; c < n; ++c) acc[c] += x[c];
          }
        for (std::size_t c = 0; c < n; ++c) {
          o[c0 + c] = detail::avg_finish<T>(acc[c], count, act_min, act_max);
        }
      }
    }
}


#if defined(CTML_HAVE_DSP)
// Channels in chunks of up to 16 (a multiple of 4) held in int16 lanes of eight words: per word of
// four input bytes one LDR and two SXTAB16 (even bytes, odd bytes), 0.75 instructions per input
// byte against ~3 for a byte loop. A window of at most 256 taps keeps every lane within int16
// (256 * -128 = -32768, 256 * 127 = 32512), so the sums are exact.
template <Conv2DGeometry G>
inline constexpr bool avg_pool_dsp_ok = G.cin % 4 == 0 && G.kh * G.kw <= 256;

template <Conv2DGeometry G>
void avg_pool_dsp(const std::int8_t* in, std::int8_t* out, std::int32_t act_min, std::int32_t act_max) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t chunk = G.cin % 16 == 0 ? 16 : (G.cin % 8 == 0 ? 8 : 4);
  constexpr std::size_t words = chunk / 4;
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const auto [iy0, iy1, ix0, ix1, count] = detail::pool_window<G>(oy, ox);
      std::int8_t* o = out + (oy * G.ow + ox) * G.cin;
      for (std::size_t c0 = 0; c0 < G.cin; c0 += chunk) {
        std::uint32_t even[words] = {}, odd[words] = {};  // lanes: channels 4j, 4j+2 / 4j+1, 4j+3
        for (std::size_t iy = iy0; iy < iy1; ++iy) {
          const std::int8_t* x = in + (iy * G.iw + ix0) * G.cin + c0;
          for (std::size_t ix = ix0; ix < ix1; ++ix, x += G.cin)
            for (std::size_t j = 0; j < words; ++j) {
              std::uint32_t v;
              std::memcpy(&v, x + 4 * j, 4);
              even[j] = __sxtab16(even[j], v);
              odd[j] = ::ctml::kernels::detail::sxtab16_ror8(odd[j], v);
            }
        }
        for (std::size_t j = 0; j < words; ++j) {
          std::int8_t* y = o + c0 + 4 * j;
          y[0] = detail::avg_finish(static_cast<std::int16_t>(even[j] & 0xFFFF), count, act_min, act_max);
          y[1] = detail::avg_finish(static_cast<std::int16_t>(odd[j] & 0xFFFF), count, act_min, act_max);
          y[2] = detail::avg_finish(static_cast<std::int16_t>(even[j] >> 16), count, act_min, act_max);
          y[3] = detail::avg_finish(static_cast<std::int16_t>(odd[j] >> 16), count, act_min, act_max);
        }
      }
    }
}
#endif

#if defined(CTML_HAVE_MVE)
// Helium: channels in chunks of 8, 16 or 32 held in int16 lanes (exact up to 256 taps, as above):
// per tap and eight channels one sign-extending load (VLDRB.S16) and one add. The rounded mean
//   y = sign(s) * floor((|s| + count/2) / count)      (TFLite's: the division truncates)
// takes one unsigned high multiply per four lanes: with m = ceil(2^32 / count), 2 <= count <= 256,
// and n = |s| + count/2 < 2^16, floor(n * m / 2^32) = floor(n / count), because n*m/2^32 exceeds
// n/count by less than n * count / (count * 2^32) < 2^-16, which is below the 1/count that
// separates n/count's fraction from the next integer. count <= 1 leaves the sum as it is.
template <Conv2DGeometry G>
inline constexpr bool avg_pool_mve_ok = G.cin % 8 == 0 && G.kh * G.kw <= 256;

namespace detail {
// Four sums of a window of count taps: the rounded, clamped means (int32 lanes).
inline int32x4_t avg_finish4(int32x4_t s, std::int32_t half, std::uint32_t m, bool divide, int32x4_t lo, int32x4_t hi) {
  if (divide) {
    const int32x4_t n = vaddq_n_s32(vabsq_s32(s), half);
    const int32x4_t q = vreinterpretq_s32_u32(vmulhq_u32(vreinterpretq_u32_s32(n), vdupq_n_u32(m)));
    s = vpselq_s32(vnegq_s32(q), q, vcmpltq_n_s32(s, 0));
  }
  return vminq_s32(vmaxq_s32(s, lo), hi);
}
}  // namespace detail

template <Conv2DGeometry G>
void avg_pool_mve(const std::int8_t* in, std::int8_t* out, std::int32_t act_min, std::int32_t act_max) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t chunk = G.cin % 32 == 0 ? 32 : (G.cin % 16 == 0 ? 16 : 8);
  constexpr std::size_t vecs = chunk / 8;
  const int32x4_t lo = vdupq_n_s32(act_min), hi = vdupq_n_s32(act_max);
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const auto [iy0, iy1, ix0, ix1, count] = detail::pool_window<G>(oy, ox);
      const bool divide = count > 1;
      const std::uint32_t m = divide ? 0xFFFFFFFFu / static_cast<std::uint32_t>(count) + 1u : 0u;  // ceil(2^32 / count)
      const std::int32_t half = count / 2;
      std::int8_t* o = out + (oy * G.ow + ox) * G.cin;
      for (std::size_t c0 = 0; c0 < G.cin; c0 += chunk) {
        int16x8_t acc[vecs];
        for (auto& a : acc) a = vdupq_n_s16(0);
        for (std::size_t iy = iy0; iy < iy1; ++iy) {
          const std::int8_t* x = in + (iy * G.iw + ix0) * G.cin + c0;
          for (std::size_t ix = ix0; ix < ix1; ++ix, x += G.cin)
#pragma GCC unroll 4
            for (std::size_t j = 0; j < vecs; ++j) acc[j] = vaddq_s16(acc[j], vldrbq_s16(x + 8 * j));
        }
#pragma GCC unroll 4
        for (std::size_t j = 0; j < vecs; ++j) {
          // Even and odd lanes widened, finished, and narrowed back into their lanes.
          const int32x4_t even = detail::avg_finish4(vmovlbq_s16(acc[j]), half, m, divide, lo, hi);
          const int32x4_t odd = detail::avg_finish4(vmovltq_s16(acc[j]), half, m, divide, lo, hi);
          vstrbq_s16(o + c0 + 8 * j, vmovntq_s32(vmovnbq_s32(vdupq_n_s16(0), even), odd));
        }
      }
    }
}
#endif

template <Conv2DGeometry G>
constexpr void avg_pool(const std::int8_t* in, std::int8_t* out, std::int32_t act_min, std::int32_t act_max) {
#if defined(CTML_HAVE_MVE)
  if constexpr (avg_pool_mve_ok<G>) {
    if (!std::is_constant_evaluated()) return avg_pool_mve<G>(in, out, act_min, act_max);
  }
#endif
#if defined(CTML_HAVE_DSP)
  if constexpr (avg_pool_dsp_ok<G>) {
    if (!std::is_constant_evaluated()) return avg_pool_dsp<G>(in, out, act_min, act_max);
  }
#endif
  avg_pool_ref<G>(in, out, act_min, act_max);
}

}  // namespace ctml::kernels::s8
