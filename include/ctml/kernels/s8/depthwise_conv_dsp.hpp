// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 DEPTHWISE_CONV_2D on Arm cores with the DSP extension, and Helium: depth multiplier 1,
// channels in groups of four. Per output pixel the kh x kw input pointers are listed once; taps
// outside the input point at a row of input zero points, whose (x - zp) is zero, so every pixel
// runs all taps with the weights at constant offsets (the tap loop is unrolled). Each group of
// four channels keeps its accumulators in registers over the taps (mac4_s8_offset, or
// mac4_s16w_offset on weights widened at compile time; Helium: four int32 lanes) and is
// requantized at once (Helium: in vector lanes, requantize_mve.hpp, every form of multiplier, so
// Rq is not used there).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/depthwise_conv_params.hpp>
#include <ctml/kernels/s8/dot.hpp>
#if defined(CTML_HAVE_MVE)
#include <ctml/kernels/mve.hpp>
#include <ctml/kernels/s8/requantize_mve.hpp>
#endif

#if defined(CTML_HAVE_DSP)
namespace ctml::kernels::s8 {

template <Requant Rq, Conv2DGeometry G, class D>
void depthwise_conv_quads(const D& dp, const std::int8_t* in, std::int8_t* out, std::int8_t* ring) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t T = G.kh * G.kw;
  const std::int32_t offset = -stage_of(dp).input_zero_point;
  [[maybe_unused]] const std::uint32_t off2 = (static_cast<std::uint32_t>(offset) & 0xFFFFu) * 0x10001u;
  // The output stage as locals: int8 stores may alias the members, which would otherwise be
  // reloaded for every output.
  const OutputStage st = stage_of(dp);
#if defined(CTML_HAVE_MVE)
  const mve::Finish4 fin = mve::make_finish4(st.output_zero_point, st.act_min, st.act_max);
#endif
  std::int8_t pad[G.cin];
  for (auto& v : pad) v = static_cast<std::int8_t>(stage_of(dp).input_zero_point);
  const std::int8_t* xs[T];
  for (std::size_t oy = 0; oy < G.oh; ++oy) {
    keep_input_row<G>(in, ring, oy);
    const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
      for (std::size_t ky = 0; ky < G.kh; ++ky) {
        const long iy = y0 + static_cast<long>(ky * G.dh);
        const bool row_inside = iy >= 0 && iy < static_cast<long>(G.ih);
        const std::size_t uy = row_inside ? static_cast<std::size_t>(iy) : 0;
        const std::int8_t* rowp = input_row<G>(in, ring, uy, oy);
        for (std::size_t kx = 0; kx < G.kw; ++kx) {
          const long ix = x0 + static_cast<long>(kx * G.dw);
          const bool inside = row_inside && ix >= 0 && ix < static_cast<long>(G.iw);
          xs[ky * G.kw + kx] = inside ? rowp + static_cast<std::size_t>(ix) * G.cin : pad;
        }
      }
      std::int8_t* o = out + (oy * G.ow + ox) * G.cout;
      for (std::size_t c = 0; c < G.cin; c += 4) {
        const std::int8_t* w = dp.weights.data() + c;
#if defined(CTML_HAVE_MVE)
        // Helium: four channels as int32 lanes (sign-extending loads), a multiply and an add per tap.
        int32x4_t acc = vldrwq_s32(dp.bias.data() + c);
#pragma GCC unroll 64
        for (std::size_t t = 0; t < T; ++t)
          acc = vaddq_s32(acc, vmulq_s32(vaddq_n_s32(vldrbq_s32(xs[t] + c), offset), vldrbq_s32(w + t * G.cout)));
        mve::finish4(acc, mve::make_requant4(dp.multiplier.data() + c, dp.shift.data() + c), fin, o + c);
#else
        std::int32_t a0 = dp.bias[c], a1 = dp.bias[c + 1], a2 = dp.bias[c + 2], a3 = dp.bias[c + 3];
#if defined(CTML_HAVE_DSP)
        if constexpr (DepthwiseFacts<G>::widened_weights) {
          const std::uint32_t* wq = dp.packed.quad(c);
          [&]<std::size_t... t>(std::index_sequence<t...>) {
            (kernels::mac4_s16w_offset<t>(xs[t] + c, wq, off2, a0, a1, a2, a3), ...);
          }(std::make_index_sequence<T>{});
        } else
#endif
        {
#pragma GCC unroll 64
          for (std::size_t t = 0; t < T; ++t) kernels::mac4_s8_offset(xs[t] + c, w + t * G.cout, offset, a0, a1, a2, a3);
        }
        o[c] = st.template finish_as<Rq>(a0, dp.multiplier[c], dp.shift[c]);
        o[c + 1] = st.template finish_as<Rq>(a1, dp.multiplier[c + 1], dp.shift[c + 1]);
        o[c + 2] = st.template finish_as<Rq>(a2, dp.multiplier[c + 2], dp.shift[c + 2]);
        o[c + 3] = st.template finish_as<Rq>(a3, dp.multiplier[c + 3], dp.shift[c + 3]);
#endif
      }
    }
  }
}


}  // namespace ctml::kernels::s8
#endif
