// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 CONV_2D, the portable kernel, and
// the constant-evaluation path of every target. Output pixels and output channels in pairs, so
// each loaded weight serves two pixels and each loaded input two channels:
//   pointwise 1x1:  the pixels themselves are the dot products' inputs (in place: the pair is
//                   copied to the scratch first; its outputs overwrite only inputs already read)
//   otherwise:      im2col per pixel (fill_patch), taps outside the input filled with the input
//                   zero point, whose (x - zp) is exactly zero: every pixel is one full-length dot
//                   product and the zero-point term is the precomputed effective bias.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/s8/conv_params.hpp>
#include <ctml/kernels/s8/dot.hpp>

namespace ctml::kernels::s8 {

// The input patch of output pixel q ([kh][kw][cin]), every byte XORed with Flip (0, or 0x80 for
// the unsigned inputs of the AVX-512 kernel).
template <std::uint8_t Flip, Conv2DGeometry G, class D>
constexpr void fill_patch(const D& cp, const std::int8_t* in, std::size_t q, std::int8_t* p) {
  ::ctml::detail::side_effect_fence();
  const auto zp = static_cast<std::int8_t>(stage_of(cp).input_zero_point ^ Flip);
  const long y0 = static_cast<long>((q / G.ow) * G.sh) - static_cast<long>(G.pt);
  const long x0 = static_cast<long>((q % G.ow) * G.sw) - static_cast<long>(G.pl);
  // With dilation 1 a kernel row inside the input is kw * cin contiguous bytes: one copy.
  const bool cols_inside = G.dw == 1 && x0 >= 0 && x0 + static_cast<long>(G.kw) <= static_cast<long>(G.iw);
  for (std::size_t ky = 0; ky < G.kh; ++ky) {
    const long iy = y0 + static_cast<long>(ky * G.dh);
    const bool row_inside = iy >= 0 && iy < static_cast<long>(G.ih);
    if (row_inside && cols_inside) {
      const std::int8_t* x = in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(x0)) * G.cin;
      for (std::size_t c = 0; c < G.kw * G.cin; ++c) p[c] = static_cast<std::int8_t>(x[c] ^ Flip);
      p += G.kw * G.cin;
      continue;
    }
    for (std::size_t kx = 0; kx < G.kw; ++kx, p += G.cin) {
      const long ix = x0 + static_cast<long>(kx * G.dw);
      if (!row_inside || ix < 0 || ix >= static_cast<long>(G.iw)) {
        for (std::size_t c = 0; c < G.cin; ++c) p[c] = zp;
      } else {
        const std::int8_t* x = in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin;
        for (std::size_t c = 0; c < G.cin; ++c) p[c] = static_cast<std::int8_t>(x[c] ^ Flip);
      }
    }
  }
}

// Outputs of two pixels (input vectors x0, x1 of K values), output channels in pairs. Always
// inlined: GCC -O3 for the Cortex-M55 otherwise leaves it out of line and the call per pixel pair
// cost the pointwise layers 3.5 % (KWS).
template <Requant Rq, Conv2DGeometry G, class D>
[[gnu::always_inline]] constexpr void conv_pixel_pair(const D& cp, const std::int8_t* x0, const std::int8_t* x1, std::int8_t* o0,
                               std::int8_t* o1) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t K = ConvFacts<G>::K;
  const OutputStage st = stage_of(cp);  // locals: the int8 stores could alias the layer's members
  std::size_t co = 0;
  for (; co + 1 < G.cout; co += 2) {
    std::int32_t acc[4] = {cp.effective_bias[co], cp.effective_bias[co + 1], cp.effective_bias[co], cp.effective_bias[co + 1]};
    kernels::dot_s8_2x2<K>(x0, x1, cp.weights.data() + co * K, cp.weights.data() + (co + 1) * K, acc);
    // Read before the int8 stores (which may alias them, so they would be reloaded after).
    const std::int32_t m0 = cp.multiplier[co], m1 = cp.multiplier[co + 1], s0 = cp.shift[co], s1 = cp.shift[co + 1];
    o0[co] = st.template finish_as<Rq>(acc[0], m0, s0);
    o0[co + 1] = st.template finish_as<Rq>(acc[1], m1, s1);
    o1[co] = st.template finish_as<Rq>(acc[2], m0, s0);
    o1[co + 1] = st.template finish_as<Rq>(acc[3], m1, s1);
  }
  if (co < G.cout) {
    const std::int8_t* w = cp.weights.data() + co * K;
    o0[co] = st.template finish_as<Rq>(kernels::dot_s8<K>(w, x0) + cp.effective_bias[co], cp.multiplier[co], cp.shift[co]);
    o1[co] = st.template finish_as<Rq>(kernels::dot_s8<K>(w, x1) + cp.effective_bias[co], cp.multiplier[co], cp.shift[co]);
  }
}

template <Requant Rq, Conv2DGeometry G, class D>
constexpr void conv_pixel_one(const D& cp, const std::int8_t* x, std::int8_t* o) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t K = ConvFacts<G>::K;
  const OutputStage st = stage_of(cp);
  for (std::size_t co = 0; co < G.cout; ++co)
    o[co] = st.template finish_as<Rq>(kernels::dot_s8<K>(cp.weights.data() + co * K, x) + cp.effective_bias[co], cp.multiplier[co],
                                      cp.shift[co]);
}

template <Requant Rq, Conv2DGeometry G, class D>
constexpr void conv_portable(const D& cp, const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) {
  ::ctml::detail::side_effect_fence();
  using F = ConvFacts<G>;
  constexpr std::size_t P = F::pixels, K = F::K;
  if constexpr (F::pointwise) {
    std::size_t p = 0;
    for (; p + 1 < P; p += 2) {
      const std::int8_t* x = in + p * G.cin;
      if constexpr (F::in_place) {
        for (std::size_t c = 0; c < 2 * G.cin; ++c) scratch[c] = x[c];
        x = scratch;
      }
      conv_pixel_pair<Rq, G>(cp, x, x + G.cin, out + p * G.cout, out + (p + 1) * G.cout);
    }
    if (p < P) {
      const std::int8_t* x = in + p * G.cin;
      if constexpr (F::in_place) {
        for (std::size_t c = 0; c < G.cin; ++c) scratch[c] = x[c];
        x = scratch;
      }
      conv_pixel_one<Rq, G>(cp, x, out + p * G.cout);
    }
  } else {
    std::int8_t patch[2][K];
    std::size_t q = 0;
    for (; q + 1 < P; q += 2) {
      fill_patch<0, G>(cp, in, q, patch[0]);
      fill_patch<0, G>(cp, in, q + 1, patch[1]);
      conv_pixel_pair<Rq, G>(cp, patch[0], patch[1], out + q * G.cout, out + (q + 1) * G.cout);
    }
    if (q < P) {
      fill_patch<0, G>(cp, in, q, patch[0]);
      conv_pixel_one<Rq, G>(cp, patch[0], out + q * G.cout);
    }
  }
}

}  // namespace ctml::kernels::s8
