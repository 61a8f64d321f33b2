// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 convolutions and average pooling with TFLite semantics, NHWC:
//   conv:       acc = bias[co] + sum over taps inside the input of w[co][ky][kx][ci] * (x - in_zp)
//   depthwise:  acc = bias[c*M+m] + sum over taps of w[ky][kx][c*M+m] * (x[c] - in_zp)
//   y = clamp(MultiplyByQuantizedMultiplier(acc, M[co]) + out_zp, act_min, act_max)
// Per-channel multipliers and shifts are data members computed before inference (by ctml-import
// or PTQ), never per call. Padded taps contribute nothing, as in TFLite (they are real zeros).
// Pointwise 1x1 convs fold sum(w) * in_zp into an effective bias and run in place (two pixels of
// scratch); stride-1 same-padded depthwise convs run in place with a ring of (pad_top + 1) rows.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/s8/avx512.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/s8/dot.hpp>
#include <ctml/kernels/s8/gemm_avx512.hpp>
#include <ctml/kernels/s8/output_stage.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/requantize_avx512.hpp>

namespace ctml::quant {

template <kernels::Conv2DGeometry G>
struct QConv2DLayer : OutputStage {
  using input_type = Tensor<std::int8_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int8_t, Shape<G.oh, G.ow, G.cout>>;
  static constexpr bool pointwise = G.kh == 1 && G.kw == 1 && G.sh == 1 && G.sw == 1 && G.pt == 0 && G.pl == 0;
  static constexpr bool in_place = pointwise && G.cout <= G.cin;
  // Cortex-M DSP kernels sign-extend each pair of input pixels once into int16 words (4 bytes per
  // input value for the pair, plus slack to word-align it) instead of once per output channel.
#if defined(CTML_HAVE_DSP) && !defined(CTML_HAVE_MVE)
  static constexpr bool expands_inputs =
      (G.kh * G.kw * G.cin) % 4 == 0 && G.kh * G.kw * G.cin <= 512 && G.oh * G.ow > 1;
#else
  static constexpr bool expands_inputs = false;
#endif
  // ... and read weights sign-extended at compile time (kernels::PackedS16Pairs: twice the int8
  // weights' bytes more flash, a quarter fewer instructions per MAC) up to
  // kernels::widen_weights_max weights; larger layers extend their weights in the loop.
  static constexpr bool widened_weights = expands_inputs && G.cout * G.kh * G.kw * G.cin <= kernels::widen_weights_max;
  static constexpr std::size_t scratch_size =
      expands_inputs ? 4 * G.kh * G.kw * G.cin + 4 : (in_place ? (G.oh * G.ow > 1 ? 2 : 1) * G.cin : 0);
  static constexpr std::string_view name = pointwise ? "QConv2D 1x1" : "QConv2D";
  static constexpr std::size_t macs = G.oh * G.ow * G.cout * G.kh * G.kw * G.cin;

  Tensor<std::int8_t, Shape<G.cout, G.kh, G.kw, G.cin>> weights;
  Tensor<std::int32_t, Shape<G.cout>> bias;
  Tensor<std::int32_t, Shape<G.cout>> multiplier;
  Tensor<std::int32_t, Shape<G.cout>> shift;
  Tensor<std::int32_t, Shape<G.cout>> effective_bias;  // bias - in_zp * sum(w)
  // The weights in the layout of this target's fastest kernel, derived like effective_bias (and
  // empty on targets whose kernels read `weights` directly).
  using packed_type = std::conditional_t<widened_weights, kernels::PackedS16Pairs<G.cout, G.kh * G.kw * G.cin>,
                                         kernels::PackedS8ForTarget<G.cout, G.kh * G.kw * G.cin>>;
  [[no_unique_address]] packed_type packed = packed_type::pack(weights.data());
  // Only the expanded-input kernel reads the table.
  using requant_table_type = std::conditional_t<expands_inputs, RequantTableForTarget<G.cout>, NoRequantTable>;
  [[no_unique_address]] requant_table_type requant_table =
      requant_table_type::make(multiplier.data(), shift.data(), this->output_zero_point);

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }
  // Non-trained data a weight blob carries besides parameters() (requantization and ranges).
  constexpr auto buffers() { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr auto buffers() const { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }

  constexpr void prepare() {
    ::ctml::detail::side_effect_fence();
    for (std::size_t co = 0; co < G.cout; ++co) {
      std::int32_t s = 0;
      for (std::size_t k = 0; k < G.kh * G.kw * G.cin; ++k) s += weights[co * G.kh * G.kw * G.cin + k];
      effective_bias[co] = bias[co] - this->input_zero_point * s;
    }
    packed = packed_type::pack(weights.data());
    requant_table = requant_table_type::make(multiplier.data(), shift.data(), this->output_zero_point);
  }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
#if defined(CTML_HAVE_AVX512_VNNI)
    if (!std::is_constant_evaluated()) {
      forward_avx512(in, out);
      return;
    }
#endif
#if defined(CTML_HAVE_DSP)
    if constexpr (expands_inputs) {
      if (!std::is_constant_evaluated()) {
        this->with_requant(multiplier.data(), shift.data(), G.cout, requant_table,
                           [&](auto r) { forward_expanded<decltype(r)::value>(in, out, scratch); });
        return;
      }
    }
#endif
    if (!std::is_constant_evaluated()) {
      this->with_requant(multiplier.data(), shift.data(), G.cout,
                         [&](auto r) { forward_pairs<decltype(r)::value>(in, out, scratch); });
      return;
    }
    forward_pairs<Requant::general>(in, out, scratch);
  }

 private:
  static constexpr std::size_t K = G.kh * G.kw * G.cin;

  // The portable (and Helium) kernels: output pixels and channels in pairs.
  template <Requant Rq>
  constexpr void forward_pairs(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t P = G.oh * G.ow;
    if constexpr (pointwise) {
      // Two pixels at a time (each weight row loaded once for both). In place, both input pixels
      // are copied out first: their outputs overwrite only inputs of pixels already read.
      std::size_t p = 0;
      for (; p + 1 < P; p += 2) {
        const std::int8_t* x = in + p * G.cin;
        if constexpr (in_place) {
          for (std::size_t c = 0; c < 2 * G.cin; ++c) scratch[c] = x[c];
          x = scratch;
        }
        pixel_pair<Rq>(x, x + G.cin, out + p * G.cout, out + (p + 1) * G.cout);
      }
      if (p < P) {
        const std::int8_t* x = in + p * G.cin;
        if constexpr (in_place) {
          for (std::size_t c = 0; c < G.cin; ++c) scratch[c] = x[c];
          x = scratch;
        }
        pixel_one<Rq>(x, out + p * G.cout);
      }
    } else {
      // im2col, two output pixels at a time: taps outside the input are filled with the input
      // zero point, whose (x - zp) is exactly zero, so every pixel becomes one full-length dot
      // product and the zero-point term is the precomputed effective bias.
      std::int8_t patch[2][K];
      std::size_t q = 0;
      for (; q + 1 < P; q += 2) {
        fill_patch<0>(in, q, patch[0]);
        fill_patch<0>(in, q + 1, patch[1]);
        pixel_pair<Rq>(patch[0], patch[1], out + q * G.cout, out + (q + 1) * G.cout);
      }
      if (q < P) {
        fill_patch<0>(in, q, patch[0]);
        pixel_one<Rq>(patch[0], out + q * G.cout);
      }
    }
  }

  // The input patch of output pixel q, every byte XORed with Flip (0, or 0x80 for the unsigned
  // inputs of the AVX-512 kernels).
  template <std::uint8_t Flip>
  constexpr void fill_patch(const std::int8_t* in, std::size_t q, std::int8_t* p) const {
    ::ctml::detail::side_effect_fence();
    const auto zp = static_cast<std::int8_t>(this->input_zero_point ^ Flip);
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


#if defined(CTML_HAVE_DSP)
  // Pixel pairs expanded to int16 words in the scratch (kernels::expand_s8_pairs), then two output
  // channels at a time with kernels::dot_s16s8_2x2. In place, the pair's inputs are all read (the
  // expansion, and an odd last channel first) before any of its outputs is written.
  template <Requant Rq>
  void forward_expanded(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t P = G.oh * G.ow;
    const OutputStage st = *this;  // locals: the int8 stores could alias the members
    auto* xa = reinterpret_cast<std::uint32_t*>((reinterpret_cast<std::uintptr_t>(scratch) + 3) & ~std::uintptr_t{3});
    std::int8_t patch[pointwise ? 1 : 2][K];
    std::size_t p = 0;
    for (; p + 1 < P; p += 2) {
      const std::int8_t* x0 = in + p * G.cin;
      const std::int8_t* x1 = x0 + G.cin;
      if constexpr (!pointwise) {
        fill_patch<0>(in, p, patch[0]);
        fill_patch<0>(in, p + 1, patch[1]);
        x0 = patch[0];
        x1 = patch[1];
      }
      std::int32_t last0 = 0, last1 = 0;
      if constexpr (G.cout % 2 != 0) {
        const std::int8_t* w = weights.data() + (G.cout - 1) * K;
        last0 = kernels::dot_s8<K>(w, x0) + effective_bias[G.cout - 1];
        last1 = kernels::dot_s8<K>(w, x1) + effective_bias[G.cout - 1];
      }
      kernels::expand_s8_pairs<K>(x0, xa);
      kernels::expand_s8_pairs<K>(x1, xa + K / 2);
      std::int8_t* o0 = out + p * G.cout;
      std::int8_t* o1 = o0 + G.cout;
      for (std::size_t co = 0; co + 1 < G.cout; co += 2) {
        std::int32_t acc[4] = {effective_bias[co], effective_bias[co + 1], effective_bias[co], effective_bias[co + 1]};
        if constexpr (widened_weights)
          kernels::dot_s16_2x2<K>(xa, packed.pair(co), acc);
        else
          kernels::dot_s16s8_2x2<K>(xa, weights.data() + co * K, acc);
        if constexpr (is_tabulated(Rq)) {
          // All four results before the int8 stores, which could alias the table.
          const ChannelRequant& r0 = requant_table.ch[co];
          const ChannelRequant& r1 = requant_table.ch[co + 1];
          const std::int8_t y00 = st.template finish_as<Rq>(acc[0], r0), y10 = st.template finish_as<Rq>(acc[2], r0);
          const std::int8_t y01 = st.template finish_as<Rq>(acc[1], r1), y11 = st.template finish_as<Rq>(acc[3], r1);
          o0[co] = y00;
          o0[co + 1] = y01;
          o1[co] = y10;
          o1[co + 1] = y11;
        } else {
          const std::int32_t m0 = multiplier[co], m1 = multiplier[co + 1], s0 = shift[co], s1 = shift[co + 1];
          o0[co] = st.template finish_as<Rq>(acc[0], m0, s0);
          o0[co + 1] = st.template finish_as<Rq>(acc[1], m1, s1);
          o1[co] = st.template finish_as<Rq>(acc[2], m0, s0);
          o1[co + 1] = st.template finish_as<Rq>(acc[3], m1, s1);
        }
      }
      if constexpr (G.cout % 2 != 0) {
        o0[G.cout - 1] = st.template finish_as<Rq>(last0, multiplier[G.cout - 1], shift[G.cout - 1]);
        o1[G.cout - 1] = st.template finish_as<Rq>(last1, multiplier[G.cout - 1], shift[G.cout - 1]);
      }
    }
    if (p < P) {
      const std::int8_t* x = in + p * G.cin;
      if constexpr (in_place) {
        for (std::size_t c = 0; c < G.cin; ++c) scratch[c] = x[c];
        x = scratch;
      } else if constexpr (!pointwise) {
        fill_patch<0>(in, p, patch[0]);
        x = patch[0];
      }
      pixel_one<Rq>(x, out + p * G.cout);
    }
  }
#endif

#if defined(CTML_HAVE_AVX512_VNNI)
  // Blocks of four output pixels; each block's unsigned inputs (the pixels, or their im2col
  // patches) are copied out first, so in-place pointwise convs stay correct (as above).
  void forward_avx512(const std::int8_t* in, std::int8_t* out) const {
    ::ctml::detail::side_effect_fence();
    using Gemm = avx512::GemmS8<G.cout, K>;
    const Gemm gemm(packed, effective_bias.data(), multiplier.data(), shift.data(), this->output_zero_point,
                    this->act_min, this->act_max);
    constexpr std::size_t P = G.oh * G.ow, NP = 4;
    alignas(64) std::uint8_t u[NP][Gemm::row_stride] = {};
    for (std::size_t p0 = 0; p0 < P; p0 += NP) {
      const std::size_t np = P - p0 < NP ? P - p0 : NP;
      for (std::size_t i = 0; i < np; ++i) {
        if constexpr (pointwise) {
          const std::int8_t* x = in + (p0 + i) * G.cin;
          for (std::size_t c = 0; c < G.cin; ++c) u[i][c] = static_cast<std::uint8_t>(x[c] ^ 0x80);
        } else {
          fill_patch<0x80>(in, p0 + i, reinterpret_cast<std::int8_t*>(u[i]));
        }
      }
      std::int8_t* o = out + p0 * G.cout;
      if (np == NP) {
        gemm.template run<NP>(u[0], o);
      } else {
        for (std::size_t i = 0; i < np; ++i) gemm.template run<1>(u[i], o + i * G.cout);
      }
    }
  }
#endif

  // Outputs of two pixels (input vectors x0, x1 of K values), output channels in pairs.
  template <Requant Rq>
  constexpr void pixel_pair(const std::int8_t* x0, const std::int8_t* x1, std::int8_t* o0, std::int8_t* o1) const {
    ::ctml::detail::side_effect_fence();
    const OutputStage st = *this;  // locals: the int8 stores could alias the members
    std::size_t co = 0;
    for (; co + 1 < G.cout; co += 2) {
      std::int32_t acc[4] = {effective_bias[co], effective_bias[co + 1], effective_bias[co], effective_bias[co + 1]};
      kernels::dot_s8_2x2<K>(x0, x1, weights.data() + co * K, weights.data() + (co + 1) * K, acc);
      // Read before the int8 stores (which may alias them, so they would be reloaded after).
      const std::int32_t m0 = multiplier[co], m1 = multiplier[co + 1], s0 = shift[co], s1 = shift[co + 1];
      o0[co] = st.template finish_as<Rq>(acc[0], m0, s0);
      o0[co + 1] = st.template finish_as<Rq>(acc[1], m1, s1);
      o1[co] = st.template finish_as<Rq>(acc[2], m0, s0);
      o1[co + 1] = st.template finish_as<Rq>(acc[3], m1, s1);
    }
    if (co < G.cout) {
      const std::int8_t* w = weights.data() + co * K;
      o0[co] = st.template finish_as<Rq>(kernels::dot_s8<K>(w, x0) + effective_bias[co], multiplier[co], shift[co]);
      o1[co] = st.template finish_as<Rq>(kernels::dot_s8<K>(w, x1) + effective_bias[co], multiplier[co], shift[co]);
    }
  }
  template <Requant Rq>
  constexpr void pixel_one(const std::int8_t* x, std::int8_t* o) const {
    ::ctml::detail::side_effect_fence();
    const OutputStage st = *this;
    for (std::size_t co = 0; co < G.cout; ++co)
      o[co] = st.template finish_as<Rq>(kernels::dot_s8<K>(weights.data() + co * K, x) + effective_bias[co], multiplier[co],
                                        shift[co]);
  }
};

template <kernels::Conv2DGeometry G>
struct QDepthwiseConv2DLayer : OutputStage {
  static constexpr std::size_t mult_depth = G.cout / G.cin;
  using input_type = Tensor<std::int8_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int8_t, Shape<G.oh, G.ow, G.cout>>;
  static constexpr bool in_place = mult_depth == 1 && G.sh == 1 && G.sw == 1 && G.oh == G.ih && G.ow == G.iw;
  static constexpr std::size_t scratch_size = in_place ? (G.pt + 1) * G.iw * G.cin : 0;
  static constexpr std::string_view name = "QDepthwiseConv2D";
  static constexpr std::size_t macs = G.oh * G.ow * G.cout * G.kh * G.kw;

  Tensor<std::int8_t, Shape<G.kh, G.kw, G.cout>> weights;
  Tensor<std::int32_t, Shape<G.cout>> bias;
  Tensor<std::int32_t, Shape<G.cout>> multiplier;
  Tensor<std::int32_t, Shape<G.cout>> shift;
  // Cortex-M DSP: the weights sign-extended at compile time (kernels::PackedS16ByQuad, 2 bytes per
  // weight more flash), up to kernels::widen_weights_max weights.
#if defined(CTML_HAVE_DSP) && !defined(CTML_HAVE_MVE)
  static constexpr bool widened_weights = mult_depth == 1 && G.cin % 4 == 0 && G.kh * G.kw <= 128 &&
                                          G.kh * G.kw * G.cout <= kernels::widen_weights_max;
#else
  static constexpr bool widened_weights = false;
#endif
  using packed_type =
      std::conditional_t<widened_weights, kernels::PackedS16ByQuad<G.kh * G.kw, G.cout>, kernels::NoPacking>;
  [[no_unique_address]] packed_type packed = packed_type::pack(weights.data());
  // No RequantTable: measured on the M4, the depthwise loop keeps too many values live to gain
  // from it (0.1 % of the layer for 1 KB of flash).

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }
  // Non-trained data a weight blob carries besides parameters() (requantization and ranges).
  constexpr auto buffers() { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }
  constexpr auto buffers() const { return std::tie(multiplier, shift, input_zero_point, output_zero_point, act_min, act_max); }

  constexpr void prepare() { packed = packed_type::pack(weights.data()); }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t* ring) const {
#if defined(CTML_HAVE_AVX512_VNNI)
    if constexpr (mult_depth == 1) {
      if (!std::is_constant_evaluated()) {
        forward_avx512(in, out, ring);
        return;
      }
    }
#endif
#if defined(CTML_HAVE_DSP)
    if constexpr (mult_depth == 1 && G.cin % 4 == 0) {
      if (!std::is_constant_evaluated()) {
        this->with_requant(multiplier.data(), shift.data(), G.cout,
                           [&](auto r) { forward_by_quads<decltype(r)::value>(in, out, ring); });
        return;
      }
    }
#endif
    forward_ref(in, out, ring);
  }

  // Depth multiplier 1, channels in groups of four. Per output pixel the kh x kw input pointers
  // are listed once; taps outside the input point at a row of input zero points, whose (x - zp)
  // is zero, so every pixel runs all taps with the weights at constant offsets (the tap loop is
  // unrolled). Each group of four channels keeps its accumulators in registers over the taps
  // (kernels::mac4_s8_offset) and is requantized at once.
  template <Requant Rq>
  void forward_by_quads(const std::int8_t* in, std::int8_t* out, std::int8_t* ring) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t row = G.iw * G.cin;
    constexpr std::size_t R = G.pt + 1;
    constexpr std::size_t T = G.kh * G.kw;
    const std::int32_t offset = -this->input_zero_point;
    [[maybe_unused]] const std::uint32_t off2 = (static_cast<std::uint32_t>(offset) & 0xFFFFu) * 0x10001u;
    // The output stage as locals: int8 stores may alias the members, which would otherwise be
    // reloaded for every output.
    const OutputStage st = *this;
    std::int8_t pad[G.cin];
    for (auto& v : pad) v = static_cast<std::int8_t>(this->input_zero_point);
    const std::int8_t* xs[T];
    for (std::size_t oy = 0; oy < G.oh; ++oy) {
      if constexpr (in_place) {
        std::int8_t* slot = ring + (oy % R) * row;
        for (std::size_t i = 0; i < row; ++i) slot[i] = in[oy * row + i];
      }
      const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
      for (std::size_t ox = 0; ox < G.ow; ++ox) {
        const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
        for (std::size_t ky = 0; ky < G.kh; ++ky) {
          const long iy = y0 + static_cast<long>(ky * G.dh);
          const bool row_inside = iy >= 0 && iy < static_cast<long>(G.ih);
          const std::size_t uy = row_inside ? static_cast<std::size_t>(iy) : 0;
          const std::int8_t* rowp = (in_place && uy <= oy) ? ring + (uy % R) * row : in + uy * row;
          for (std::size_t kx = 0; kx < G.kw; ++kx) {
            const long ix = x0 + static_cast<long>(kx * G.dw);
            const bool inside = row_inside && ix >= 0 && ix < static_cast<long>(G.iw);
            xs[ky * G.kw + kx] = inside ? rowp + static_cast<std::size_t>(ix) * G.cin : pad;
          }
        }
        std::int8_t* o = out + (oy * G.ow + ox) * G.cout;
        for (std::size_t c = 0; c < G.cin; c += 4) {
          const std::int8_t* w = weights.data() + c;
#if defined(CTML_HAVE_MVE)
          // Helium: four channels as int32 lanes (sign-extending loads), a multiply and an add per tap.
          int32x4_t acc = vldrwq_s32(bias.data() + c);
#pragma GCC unroll 64
          for (std::size_t t = 0; t < T; ++t)
            acc = vaddq_s32(acc, vmulq_s32(vaddq_n_s32(vldrbq_s32(xs[t] + c), offset), vldrbq_s32(w + t * G.cout)));
          const std::int32_t a0 = vgetq_lane_s32(acc, 0), a1 = vgetq_lane_s32(acc, 1), a2 = vgetq_lane_s32(acc, 2),
                             a3 = vgetq_lane_s32(acc, 3);
#else
          std::int32_t a0 = bias[c], a1 = bias[c + 1], a2 = bias[c + 2], a3 = bias[c + 3];
#if defined(CTML_HAVE_DSP)
          if constexpr (widened_weights) {
            const std::uint32_t* wq = packed.quad(c);
            [&]<std::size_t... t>(std::index_sequence<t...>) {
              (kernels::mac4_s16w_offset<t>(xs[t] + c, wq, off2, a0, a1, a2, a3), ...);
            }(std::make_index_sequence<T>{});
          } else
#endif
          {
#pragma GCC unroll 64
            for (std::size_t t = 0; t < T; ++t) kernels::mac4_s8_offset(xs[t] + c, w + t * G.cout, offset, a0, a1, a2, a3);
          }
#endif
          o[c] = st.template finish_as<Rq>(a0, multiplier[c], shift[c]);
          o[c + 1] = st.template finish_as<Rq>(a1, multiplier[c + 1], shift[c + 1]);
          o[c + 2] = st.template finish_as<Rq>(a2, multiplier[c + 2], shift[c + 2]);
          o[c + 3] = st.template finish_as<Rq>(a3, multiplier[c + 3], shift[c + 3]);
        }
      }
    }
  }

#if defined(CTML_HAVE_AVX512_VNNI)
  // Depth multiplier 1 on AVX-512: sixteen channels per int32 vector. Per output row and group of
  // 16 channels, the group's weights of every tap (sign-extended once per call) and its output
  // stage stay in registers while the row's pixels are computed; interior pixels, whose taps are
  // all inside the input, start from a bias with the zero-point term folded in.
  void forward_avx512(const std::int8_t* in, std::int8_t* out, std::int8_t* ring) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t row = G.iw * G.cin, R = G.pt + 1, groups = (G.cin + 15) / 16, T = G.kh * G.kw;
    avx512::RequantGroup rq[groups];
    __m512i w32[groups][T], b32[groups], b32_interior[groups];
    __mmask16 live[groups];
    const __m512i zp = _mm512_set1_epi32(this->input_zero_point);
    for (std::size_t g = 0; g < groups; ++g) {
      const std::size_t valid = G.cin - 16 * g < 16 ? G.cin - 16 * g : 16;
      live[g] = static_cast<__mmask16>(valid >= 16 ? 0xFFFFu : (1u << valid) - 1u);
      rq[g] = avx512::make_requant_group(multiplier.data() + 16 * g, shift.data() + 16 * g, valid);
      b32[g] = _mm512_maskz_loadu_epi32(live[g], bias.data() + 16 * g);
      b32_interior[g] = b32[g];
      for (std::size_t t = 0; t < T; ++t) {
        w32[g][t] = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(live[g], weights.data() + t * G.cout + 16 * g));
        b32_interior[g] = _mm512_sub_epi32(b32_interior[g], _mm512_mullo_epi32(zp, w32[g][t]));
      }
    }
    const __m512i ozp = _mm512_set1_epi32(this->output_zero_point), lo = _mm512_set1_epi32(this->act_min),
                  hi = _mm512_set1_epi32(this->act_max);
    const std::int8_t* rows[G.kh];  // input row of each kernel row, or null outside the input
    for (std::size_t oy = 0; oy < G.oh; ++oy) {
      if constexpr (in_place) {
        std::int8_t* slot = ring + (oy % R) * row;
        for (std::size_t i = 0; i < row; ++i) slot[i] = in[oy * row + i];
      }
      bool rows_inside = true;
      for (std::size_t ky = 0; ky < G.kh; ++ky) {
        const long iy = static_cast<long>(oy * G.sh + ky * G.dh) - static_cast<long>(G.pt);
        if (iy < 0 || iy >= static_cast<long>(G.ih)) {
          rows[ky] = nullptr;
          rows_inside = false;
          continue;
        }
        const std::size_t uy = static_cast<std::size_t>(iy);
        rows[ky] = (in_place && uy <= oy) ? ring + (uy % R) * row : in + uy * row;
      }
      for (std::size_t g = 0; g < groups; ++g) {
        const __m512i* w = w32[g];
        const __mmask16 m = live[g];
        for (std::size_t ox = 0; ox < G.ow; ++ox) {
          const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
          const bool inside = rows_inside && x0 >= 0 && x0 + static_cast<long>((G.kw - 1) * G.dw) < static_cast<long>(G.iw);
          __m512i acc;
          if (inside) {
            acc = b32_interior[g];
            for (std::size_t ky = 0; ky < G.kh; ++ky) {
              const std::int8_t* x = rows[ky] + static_cast<std::size_t>(x0) * G.cin + 16 * g;
              for (std::size_t kx = 0; kx < G.kw; ++kx) {
                const __m512i xv = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x + kx * G.dw * G.cin));
                acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(xv, w[ky * G.kw + kx]));
              }
            }
          } else {
            acc = b32[g];
            for (std::size_t ky = 0; ky < G.kh; ++ky) {
              if (!rows[ky]) continue;
              for (std::size_t kx = 0; kx < G.kw; ++kx) {
                const long ix = x0 + static_cast<long>(kx * G.dw);
                if (ix < 0 || ix >= static_cast<long>(G.iw)) continue;
                const std::int8_t* x = rows[ky] + static_cast<std::size_t>(ix) * G.cin + 16 * g;
                const __m512i xv = _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x)), zp);
                acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(xv, w[ky * G.kw + kx]));
              }
            }
          }
          std::int8_t* o = out + (oy * G.ow + ox) * G.cout + 16 * g;
          if (rq[g].vector_ok) {
            _mm_mask_storeu_epi8(o, m, avx512::requantize16(acc, rq[g], ozp, lo, hi));
          } else {
            alignas(64) std::int32_t a[16];
            _mm512_store_si512(a, acc);
            for (std::size_t l = 0; l < 16 && 16 * g + l < G.cout; ++l)
              o[l] = this->finish(a[l], multiplier[16 * g + l], shift[16 * g + l]);
          }
        }
      }
    }
  }
#endif

  // Reference: any depth multiplier; also the constant-evaluation path.
  constexpr void forward_ref(const std::int8_t* in, std::int8_t* out, std::int8_t* ring) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t row = G.iw * G.cin;
    constexpr std::size_t R = G.pt + 1;
    const std::int32_t zp = this->input_zero_point;
    std::int32_t acc[G.cout]{};
    for (std::size_t oy = 0; oy < G.oh; ++oy) {
      if constexpr (in_place) {
        std::int8_t* slot = ring + (oy % R) * row;
        for (std::size_t i = 0; i < row; ++i) slot[i] = in[oy * row + i];
      }
      const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
      for (std::size_t ox = 0; ox < G.ow; ++ox) {
        const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
        for (std::size_t co = 0; co < G.cout; ++co) acc[co] = bias[co];
        for (std::size_t ky = 0; ky < G.kh; ++ky) {
          const long iy = y0 + static_cast<long>(ky * G.dh);
          if (iy < 0 || iy >= static_cast<long>(G.ih)) continue;
          const std::size_t uy = static_cast<std::size_t>(iy);
          const std::int8_t* rowp = (in_place && uy <= oy) ? ring + (uy % R) * row : in + uy * row;
          for (std::size_t kx = 0; kx < G.kw; ++kx) {
            const long ix = x0 + static_cast<long>(kx * G.dw);
            if (ix < 0 || ix >= static_cast<long>(G.iw)) continue;
            const std::int8_t* x = rowp + static_cast<std::size_t>(ix) * G.cin;
            const std::int8_t* w = weights.data() + (ky * G.kw + kx) * G.cout;
            for (std::size_t c = 0; c < G.cin; ++c)
              for (std::size_t m = 0; m < mult_depth; ++m)
                acc[c * mult_depth + m] += static_cast<std::int32_t>(w[c * mult_depth + m]) * (x[c] - zp);
          }
        }
        std::int8_t* o = out + (oy * G.ow + ox) * G.cout;
        for (std::size_t co = 0; co < G.cout; ++co) o[co] = this->finish(acc[co], multiplier[co], shift[co]);
      }
    }
  }
};

// TFLite int8 AVERAGE_POOL_2D: integer mean over the taps inside the input, rounded half away from
// zero; input and output share quantization.
template <kernels::Conv2DGeometry G>
struct QAveragePool2DLayer {
  using input_type = Tensor<std::int8_t, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<std::int8_t, Shape<G.oh, G.ow, G.cin>>;
  static constexpr std::string_view name = "QAveragePool2D";
  std::int32_t act_min = -128, act_max = 127;

  constexpr auto buffers() { return std::tie(act_min, act_max); }
  constexpr auto buffers() const { return std::tie(act_min, act_max); }

  // The window is clipped to the input once per output pixel; channels are summed in chunks of
  // 16 accumulators (contiguous in NHWC, so the inner loop vectorises on hosts).
  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t*) const {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t chunk = G.cin < 16 ? G.cin : 16;
    for (std::size_t oy = 0; oy < G.oh; ++oy)
      for (std::size_t ox = 0; ox < G.ow; ++ox) {
        const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
        const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
        const std::size_t iy0 = y0 < 0 ? 0 : static_cast<std::size_t>(y0);
        const std::size_t ix0 = x0 < 0 ? 0 : static_cast<std::size_t>(x0);
        const long y1 = y0 + static_cast<long>(G.kh), x1 = x0 + static_cast<long>(G.kw);
        const std::size_t iy1 = y1 > static_cast<long>(G.ih) ? G.ih : static_cast<std::size_t>(y1 < 0 ? 0 : y1);
        const std::size_t ix1 = x1 > static_cast<long>(G.iw) ? G.iw : static_cast<std::size_t>(x1 < 0 ? 0 : x1);
        const auto count = static_cast<std::int32_t>((iy1 > iy0 ? iy1 - iy0 : 0) * (ix1 > ix0 ? ix1 - ix0 : 0));
        std::int8_t* o = out + (oy * G.ow + ox) * G.cin;
        for (std::size_t c0 = 0; c0 < G.cin; c0 += chunk) {
          const std::size_t n = G.cin - c0 < chunk ? G.cin - c0 : chunk;
          std::int32_t acc[chunk]{};
          for (std::size_t iy = iy0; iy < iy1; ++iy)
            for (std::size_t ix = ix0; ix < ix1; ++ix) {
              const std::int8_t* x = in + (iy * G.iw + ix) * G.cin + c0;
              for (std::size_t c = 0; c < n; ++c) acc[c] += x[c];
            }
          for (std::size_t c = 0; c < n; ++c) {
            std::int32_t a = acc[c];
            if (count > 0) a = a > 0 ? (a + count / 2) / count : (a - count / 2) / count;
            a = a < act_min ? act_min : (a > act_max ? act_max : a);
            o[c0 + c] = static_cast<std::int8_t>(a);
          }
        }
      }
  }
};

}  // namespace ctml::quant
