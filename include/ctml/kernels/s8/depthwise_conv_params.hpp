// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the int8 DEPTHWISE_CONV_2D kernels read, and the facts of a geometry they depend on.
//   scratch_bytes  the ring of (pad_top + 1) input rows a stride-1 same-size depthwise conv with
//                  depth multiplier 1 needs to run in place (the four-channel kernels), or the
//                  int16 plane of the planar kernel, whichever is larger: the same on every target
//   packed_type    Arm DSP: the weights sign-extended at compile time (PackedS16ByQuad, 2 bytes
//                  more flash per weight) up to widen_weights_max weights; empty elsewhere.
// No RequantTable: measured on the M4, the depthwise loop keeps too many values live to gain from
// it (0.1 % of the layer for 1 KB of flash).
#include <cstddef>
#include <numeric>
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <ctml/core/concepts.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/s8/avx512.hpp>
#include <ctml/kernels/s8/dot.hpp>
#include <ctml/kernels/s8/output_stage.hpp>

namespace ctml::kernels::s8 {

// Depthwise weights as int16 pairs per channel for the planar kernel (depthwise_conv_planar.hpp):
// channel c's kernel rows one after the other, each as words (w[ky][2j], w[ky][2j+1]) and, for an
// odd width, a last word (w[ky][kw-1], 0). kh * ceil(kw / 2) words per channel (3x3: 24 bytes
// against 9 int8 weights).
template <std::size_t KH, std::size_t KW, std::size_t C>
struct PackedDepthwisePairs {
  static constexpr std::size_t row_words = (KW + 1) / 2, channel_words = KH * row_words;
  std::uint32_t words[C * channel_words];
  static constexpr auto pack2 = PackedS16Pairs<2, 4>::pack2;
  // From w[ky][kx][c].
  static constexpr PackedDepthwisePairs pack(const std::int8_t* w) {
    ::ctml::detail::side_effect_fence();
    PackedDepthwisePairs p{};
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t ky = 0; ky < KH; ++ky)
        for (std::size_t j = 0; j < row_words; ++j) {
          const std::int8_t lo = w[(ky * KW + 2 * j) * C + c];
          const std::int8_t hi = 2 * j + 1 < KW ? w[(ky * KW + 2 * j + 1) * C + c] : std::int8_t{0};
          p.words[c * channel_words + ky * row_words + j] = pack2(lo, hi);
        }
    return p;
  }
  constexpr const std::uint32_t* channel(std::size_t c) const { return words + c * channel_words; }
};

template <Conv2DGeometry G>
struct DepthwiseFacts {
  static constexpr std::size_t mult_depth = G.cout / G.cin;
  static constexpr std::size_t taps = G.kh * G.kw;
  static constexpr bool in_place = mult_depth == 1 && G.sh == 1 && G.sw == 1 && G.oh == G.ih && G.ow == G.iw;
  // Any other multiplier-1 geometry (strided, or valid padding) may still overlap its input if the
  // output starts this many bytes before it (raster_lead_bytes): a whole number of pixels, so a
  // channel's outputs fall only on its own inputs. Within a channel every kernel runs pixels in
  // order, at most two per step (AVX-512 a row per group of 16 channels, the other channels'
  // bytes untouched); the planar kernel has a channel's inputs in its plane before writing them.
  static constexpr std::size_t in_place_lead =
      in_place ? 0 : (mult_depth == 1 ? raster_lead_bytes<G>(1, 4, std::lcm(std::size_t{16}, G.cin)) : no_lead);
  // The planar kernel (Arm DSP, not Helium): one channel at a time, its input gathered once into
  // an int16 plane with the zero point subtracted and the padding as zeros (plane_h x plane_w), so
  // that adjacent taps are int16 pairs for SMLAD and every tap is inside. Depth multiplier 1,
  // no dilation, a plane of at most 8 KB; it runs in place without a ring (a channel's outputs
  // overwrite only that channel's inputs, already in the plane).
  static constexpr std::size_t plane_w = (G.ow - 1) * G.sw + G.kw;
  static constexpr bool planar_geometry = mult_depth == 1 && G.dh == 1 && G.dw == 1 && G.oh > 0 && G.ow > 0 &&
                                          ((G.oh - 1) * G.sh + G.kh) * plane_w * 2 <= 8192;
  // Output rows per pass over a channel: all of them in place (the plane is what keeps the
  // inputs the outputs overwrite), else bands whose plane is at most 2 KB (a strided depthwise on
  // a large image, often a model's arena peak; one more row gathered per band for 3x3 stride 2).
  static constexpr std::size_t band_rows = [] {
    if (in_place || G.oh == 0) return G.oh;
    std::size_t b = G.oh;
    while (b > 1 && ((b - 1) * G.sh + G.kh) * plane_w * 2 > 2048) --b;
    return b;
  }();
  static constexpr std::size_t plane_h = band_rows > 0 ? (band_rows - 1) * G.sh + G.kh : 0;
  static constexpr std::size_t plane_bytes = plane_h * plane_w * 2;
  static constexpr bool planar = target::dsp && !target::mve && planar_geometry;
  // The largest scratch any target's kernel needs (the plane, or the other kernels' ring when in
  // place), so that a model's arena is the same number on every target.
  static constexpr std::size_t ring_bytes = in_place ? (G.pt + 1) * G.iw * G.cin : 0;
  static constexpr std::size_t scratch_bytes =
      planar_geometry && plane_bytes + 4 > ring_bytes ? plane_bytes + 4 : ring_bytes;
  // Depth multiplier 1 with channels in groups of four: the DSP / Helium kernel (and AVX-512's
  // for any channel count).
  static constexpr bool by_quads = mult_depth == 1 && G.cin % 4 == 0;
  static constexpr bool widened_weights =
      !planar && target::dsp && !target::mve && by_quads && taps <= 128 && taps * G.cout <= widen_weights_max;
  using packed_type = std::conditional_t<
      planar, PackedDepthwisePairs<G.kh, G.kw, G.cout>,
      std::conditional_t<widened_weights, PackedS16ByQuad<taps, G.cout>, NoPacking>>;
};

// What the depthwise kernels read: the members of one object (quant::QDepthwiseConv2DLayer)
// deriving from OutputStage, as for ConvData (one base address: registers on Cortex-M).
//   weights   [kh][kw][cin * mult_depth] int8, symmetric
//   bias      as in the model (the zero point is applied per tap, because of padding)
//   multiplier, shift  per output channel;  packed  of DepthwiseFacts<G>::packed_type
template <class D, Conv2DGeometry G>
concept DepthwiseData = std::derived_from<D, OutputStage> && requires(const D& d) {
  { d.weights.data() } -> std::same_as<const std::int8_t*>;
  { d.bias.data() } -> std::same_as<const std::int32_t*>;
  { d.multiplier.data() } -> std::same_as<const std::int32_t*>;
  { d.shift.data() } -> std::same_as<const std::int32_t*>;
  requires std::same_as<std::remove_cvref_t<decltype(d.packed)>, typename DepthwiseFacts<G>::packed_type>;
  requires decltype(d.weights)::size() == G.kh * G.kw * G.cout;
};

// Running in place (DepthwiseFacts::in_place), output row oy overwrites input row oy, which rows
// below still read: every kernel first keeps input row oy in a ring of (pad_top + 1) rows, and
// reads row uy from the ring once it may be overwritten (uy <= oy), else from the input.
template <Conv2DGeometry G>
constexpr void keep_input_row(const std::int8_t* in, std::int8_t* ring, std::size_t oy) {
  if constexpr (DepthwiseFacts<G>::in_place) {
    constexpr std::size_t row = G.iw * G.cin;
    std::int8_t* slot = ring + (oy % (G.pt + 1)) * row;
    for (std::size_t i = 0; i < row; ++i) slot[i] = in[oy * row + i];
  }
}
template <Conv2DGeometry G>
constexpr const std::int8_t* input_row(const std::int8_t* in, const std::int8_t* ring, std::size_t uy, std::size_t oy) {
  constexpr std::size_t row = G.iw * G.cin;
  return (DepthwiseFacts<G>::in_place && uy <= oy) ? ring + (uy % (G.pt + 1)) * row : in + uy * row;
}

// The input row each kernel row of output row oy taps (input_row's), or null where it falls in the
// padding; returns whether all of them are inside the input.
template <Conv2DGeometry G>
constexpr bool tapped_rows(const std::int8_t* in, const std::int8_t* ring, std::size_t oy, const std::int8_t* (&rows)[G.kh]) {
  bool inside = true;
  for (std::size_t ky = 0; ky < G.kh; ++ky) {
    const long iy = static_cast<long>(oy * G.sh + ky * G.dh) - static_cast<long>(G.pt);
    if (iy < 0 || iy >= static_cast<long>(G.ih)) {
      rows[ky] = nullptr;
      inside = false;
    } else {
      rows[ky] = input_row<G>(in, ring, static_cast<std::size_t>(iy), oy);
    }
  }
  return inside;
}

}  // namespace ctml::kernels::s8
