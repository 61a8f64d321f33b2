// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the int8 CONV_2D kernels read (ConvData: the layer's members, CMSIS-NN's conv params and
// per-channel quant params in one object), and the facts of a geometry they depend on.
//
// ConvFacts<G>: decided from the geometry and core/target.hpp, here and nowhere else.
//   scratch_bytes   the largest scratch any target's kernel needs for G, so a model's arena is the
//                   same number on every target (what the host computes is what the device needs)
//   packed_type     the weights in the layout this target's kernel reads (int16 pairs on the Arm
//                   DSP extension, VNNI quads on AVX-512, empty elsewhere): flash, not RAM, and the
//                   one part of a layer whose size differs by target (sizeof, in summaries)
//   requant_table_type  per-channel output-stage constants where this target's kernel uses them
#include <cstddef>
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <ctml/core/target.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/s8/avx512.hpp>
#include <ctml/kernels/s8/dot.hpp>
#include <ctml/kernels/s8/output_stage.hpp>

namespace ctml::kernels::s8 {

template <Conv2DGeometry G>
struct ConvFacts {
  static constexpr std::size_t K = G.kh * G.kw * G.cin;  // taps per output value
  static constexpr std::size_t pixels = G.oh * G.ow;
  static constexpr bool pointwise = G.kh == 1 && G.kw == 1 && G.sh == 1 && G.sw == 1 && G.pt == 0 && G.pl == 0;
  // Pointwise convs with no more outputs than inputs per pixel run in place (two pixels copied out).
  static constexpr bool in_place = pointwise && G.cout <= G.cin;
  // Otherwise the output may still overlap the input if it starts this many bytes before it
  // (raster_lead_bytes: every kernel here runs pixels in order, at most four per step, and reads
  // a step's inputs before writing its outputs). A pointwise expansion then needs its output's
  // bytes plus four input pixels instead of input plus output.
  static constexpr std::size_t in_place_lead = in_place ? 0 : raster_lead_bytes<G>(1, 4, 16);
  // The Arm DSP kernel sign-extends each pair of input pixels once into int16 words (4 bytes per
  // input value for the pair, plus slack to word-align it) instead of once per output channel.
  // A patch whose kernel rows are whole words (kw * cin a multiple of 4, no column dilation) is
  // widened row by row straight from the input and its dot products run per kernel row
  // (conv_dsp.hpp), so only a row, not the whole patch, must fit the kernels' reach (512).
  static constexpr std::size_t R = G.kw * G.cin;
  static constexpr bool rows_direct = !pointwise && G.dw == 1 && R % 4 == 0 && R <= 512 && G.cout % 2 == 0;
  // Per kernel row when the patch is beyond reach, or its rows are long enough (8 quads) that
  // the shorter loops cost nothing: ResNet-8's 3x3 layers, not KWS's 10x4 one-channel conv.
  static constexpr bool row_segments = rows_direct && (K > 512 || R >= 32);
  static constexpr bool expandable = pixels > 1 && ((K % 4 == 0 && K <= 512) || row_segments);
  static constexpr bool expands_inputs = target::dsp && !target::mve && expandable;
  // ... and reads weights sign-extended at compile time (PackedS16Pairs: twice the int8 weights'
  // bytes more flash, a quarter fewer instructions per MAC) up to widen_weights_max weights.
  static constexpr bool widened_weights = expands_inputs && G.cout * K <= widen_weights_max;

  static constexpr std::size_t portable_scratch = in_place ? (pixels > 1 ? 2 : 1) * G.cin : 0;
  static constexpr std::size_t dsp_scratch = expandable ? 4 * K + 4 : 0;
  static constexpr std::size_t scratch_bytes = portable_scratch > dsp_scratch ? portable_scratch : dsp_scratch;

  using packed_type = std::conditional_t<widened_weights, PackedS16Pairs<G.cout, K>, PackedS8ForConv<G.cout, K>>;
  using requant_table_type =
      std::conditional_t<expands_inputs, quant::RequantTableForTarget<G.cout>, quant::NoRequantTable>;
};

// What the conv kernels read: the members of one object (the layer, quant::QConv2DLayer), which
// derives from OutputStage (zero points, clamp). One base address for all of them keeps registers
// free on Cortex-M: a struct of separate pointers cost 4 % more instructions on the M4 (depthwise).
//   weights         [cout][kh][kw][cin] int8, symmetric (zero point 0)
//   effective_bias  bias[co] - in_zp * sum(w[co]), int32
//   multiplier, shift  per output channel (Q31 and exponent)
//   packed, requant_table  of the types ConvFacts<G> names, derived from the above
template <class D, Conv2DGeometry G>
concept ConvData = std::derived_from<D, OutputStage> && requires(const D& d) {
  { d.weights.data() } -> std::same_as<const std::int8_t*>;
  { d.effective_bias.data() } -> std::same_as<const std::int32_t*>;
  { d.multiplier.data() } -> std::same_as<const std::int32_t*>;
  { d.shift.data() } -> std::same_as<const std::int32_t*>;
  requires std::same_as<std::remove_cvref_t<decltype(d.packed)>, typename ConvFacts<G>::packed_type>;
  requires std::same_as<std::remove_cvref_t<decltype(d.requant_table)>, typename ConvFacts<G>::requant_table_type>;
  requires decltype(d.weights)::size() == G.cout * ConvFacts<G>::K;
};

}  // namespace ctml::kernels::s8
