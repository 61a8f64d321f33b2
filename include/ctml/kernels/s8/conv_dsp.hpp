// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 CONV_2D on Arm cores with the DSP extension (Cortex-M4/M7/M33; not Helium, whose dot
// products are faster): pixel pairs sign-extended once to int16 words in the scratch
// (expand_s8_pairs), then two output channels at a time with dot_s16s8_2x2, or dot_s16_2x2 on
// weights widened at compile time (ConvFacts::widened_weights). In place, the pair's inputs are
// all read (the expansion, and an odd last channel first) before any of its outputs is written.
// Taken for geometries with ConvFacts::expands_inputs; the output stage may be tabulated.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/conv_params.hpp>
#include <ctml/kernels/s8/conv_portable.hpp>
#include <ctml/kernels/s8/dot.hpp>

#if defined(CTML_HAVE_DSP)
namespace ctml::kernels::s8 {

// The widened im2col patch of output pixel q straight from the input, without an int8 patch:
// each kernel row inside the input is kw * cin contiguous bytes, sign-extended where it lies; a
// row or column outside takes the input zero point, as fill_patch. Pixel j of a pair goes to
// xa + j * K / 2 words (the two whole patches one after the other), or with Interleaved its rows
// alternate with the other pixel's (row ky of pixel j at xa + (2 ky + j) * R / 2 words), so that
// each kernel row is a pixel pair of R values for the 2x2 kernels, whatever the patch's length
// (ConvFacts::row_segments).
template <bool Interleaved, Conv2DGeometry G, class D>
void expand_patch(const D& cp, const std::int8_t* in, std::size_t q, std::uint32_t* xa, std::size_t j) {
  constexpr std::size_t row = ConvFacts<G>::R;
  constexpr std::size_t step = Interleaved ? row : row / 2;
  const long y0 = static_cast<long>((q / G.ow) * G.sh) - static_cast<long>(G.pt);
  const long x0 = static_cast<long>((q % G.ow) * G.sw) - static_cast<long>(G.pl);
  const bool cols_inside = x0 >= 0 && x0 + static_cast<long>(G.kw) <= static_cast<long>(G.iw);
  xa += Interleaved ? j * row / 2 : j * ConvFacts<G>::K / 2;
  for (std::size_t ky = 0; ky < G.kh; ++ky, xa += step) {
    const long iy = y0 + static_cast<long>(ky * G.dh);
    const bool row_inside = iy >= 0 && iy < static_cast<long>(G.ih);
    if (row_inside && cols_inside) {
      kernels::expand_s8_pairs<row>(in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(x0)) * G.cin, xa);
      continue;
    }
    std::int8_t part[row];
    const auto zp = static_cast<std::int8_t>(stage_of(cp).input_zero_point);
    for (std::size_t kx = 0; kx < G.kw; ++kx) {
      const long ix = x0 + static_cast<long>(kx);
      const bool inside = row_inside && ix >= 0 && ix < static_cast<long>(G.iw);
      const std::int8_t* x = inside ? in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin : nullptr;
      for (std::size_t c = 0; c < G.cin; ++c) part[kx * G.cin + c] = inside ? x[c] : zp;
    }
    kernels::expand_s8_pairs<row>(part, xa);
  }
}

template <Requant Rq, Conv2DGeometry G, class D>
void conv_dsp(const D& cp, const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) {
  ::ctml::detail::side_effect_fence();
  using F = ConvFacts<G>;
  constexpr std::size_t P = F::pixels, K = F::K;
  const OutputStage st = stage_of(cp);  // locals: the int8 stores could alias the layer's members
  auto* xa = reinterpret_cast<std::uint32_t*>((reinterpret_cast<std::uintptr_t>(scratch) + 3) & ~std::uintptr_t{3});
  [[maybe_unused]] std::int8_t patch[F::pointwise ? 1 : 2][K];
  std::size_t p = 0;
  for (; p + 1 < P; p += 2) {
    const std::int8_t* x0 = in + p * G.cin;
    const std::int8_t* x1 = x0 + G.cin;
    constexpr bool direct = F::rows_direct, segmented = F::row_segments;
    if constexpr (!F::pointwise && !direct) {
      fill_patch<0, G>(cp, in, p, patch[0]);
      fill_patch<0, G>(cp, in, p + 1, patch[1]);
      x0 = patch[0];
      x1 = patch[1];
    }
    std::int32_t last0 = 0, last1 = 0;
    if constexpr (G.cout % 2 != 0) {
      const std::int8_t* w = cp.weights.data() + (G.cout - 1) * K;
      last0 = kernels::dot_s8<K>(w, x0) + cp.effective_bias[G.cout - 1];
      last1 = kernels::dot_s8<K>(w, x1) + cp.effective_bias[G.cout - 1];
    }
    if constexpr (direct) {
      expand_patch<segmented, G>(cp, in, p, xa, 0);
      expand_patch<segmented, G>(cp, in, p + 1, xa, 1);
    } else {
      kernels::expand_s8_pairs<K>(x0, xa);
      kernels::expand_s8_pairs<K>(x1, xa + K / 2);
    }
    std::int8_t* o0 = out + p * G.cout;
    std::int8_t* o1 = o0 + G.cout;
    for (std::size_t co = 0; co + 1 < G.cout; co += 2) {
      std::int32_t acc[4] = {cp.effective_bias[co], cp.effective_bias[co + 1], cp.effective_bias[co], cp.effective_bias[co + 1]};
      if constexpr (segmented) {
        // Kernel row by kernel row: the pixel pair's row ky and the two channels' segment of it.
        constexpr std::size_t R = F::R;
        for (std::size_t ky = 0; ky < G.kh; ++ky) {
          if constexpr (F::widened_weights)
            kernels::dot_s16_2x2<R>(xa + ky * R, cp.packed.pair(co) + ky * R, acc);
          else
            kernels::dot_s16s8_2x2<R, K>(xa + ky * R, cp.weights.data() + co * K + ky * R, acc);
        }
      } else if constexpr (F::widened_weights) {
        kernels::dot_s16_2x2<K>(xa, cp.packed.pair(co), acc);
      } else {
        kernels::dot_s16s8_2x2<K>(xa, cp.weights.data() + co * K, acc);
      }
      if constexpr (OutputStage::is_tabulated(Rq)) {
        // All four results before the int8 stores, which could alias the table.
        const quant::ChannelRequant& r0 = cp.requant_table.ch[co];
        const quant::ChannelRequant& r1 = cp.requant_table.ch[co + 1];
        const std::int8_t y00 = st.template finish_as<Rq>(acc[0], r0), y10 = st.template finish_as<Rq>(acc[2], r0);
        const std::int8_t y01 = st.template finish_as<Rq>(acc[1], r1), y11 = st.template finish_as<Rq>(acc[3], r1);
        o0[co] = y00;
        o0[co + 1] = y01;
        o1[co] = y10;
        o1[co + 1] = y11;
      } else {
        const std::int32_t m0 = cp.multiplier[co], m1 = cp.multiplier[co + 1], s0 = cp.shift[co], s1 = cp.shift[co + 1];
        o0[co] = st.template finish_as<Rq>(acc[0], m0, s0);
        o0[co + 1] = st.template finish_as<Rq>(acc[1], m1, s1);
        o1[co] = st.template finish_as<Rq>(acc[2], m0, s0);
        o1[co + 1] = st.template finish_as<Rq>(acc[3], m1, s1);
      }
    }
    if constexpr (G.cout % 2 != 0) {
      o0[G.cout - 1] = st.template finish_as<Rq>(last0, cp.multiplier[G.cout - 1], cp.shift[G.cout - 1]);
      o1[G.cout - 1] = st.template finish_as<Rq>(last1, cp.multiplier[G.cout - 1], cp.shift[G.cout - 1]);
    }
  }
  if (p < P) {
    const std::int8_t* x = in + p * G.cin;
    if constexpr (F::in_place) {
      for (std::size_t c = 0; c < G.cin; ++c) scratch[c] = x[c];
      x = scratch;
    } else if constexpr (!F::pointwise) {
      fill_patch<0, G>(cp, in, p, patch[0]);
      x = patch[0];
    }
    conv_pixel_one<Rq, G>(cp, x, out + p * G.cout);
  }
}

}  // namespace ctml::kernels::s8
#endif
