// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 FULLY_CONNECTED with TFLite semantics (per-tensor or per-channel weights), one entry point
// for every target:
//   acc[o] = bias[o] + sum_i w[o][i] * (x[i] - in_zp) = eff_bias[o] + sum_i w[o][i] * x[i]
//   y[o]   = clamp(MultiplyByQuantizedMultiplier(acc[o], M[o]) + out_zp, act_min, act_max)
// The zero-point term is folded into the bias once (eff_bias = bias - in_zp * sum_i w[o][i]), so
// the inner loop is a plain int8 x int8 -> int32 dot product:
//   AVX-512 VNNI   the packed-weight GEMM (gemm_avx512.hpp), one row of unsigned inputs
//   Arm DSP        (not Helium) output units in fours against weights sign-extended at compile
//                  time (PackedS16Blocks4, when the layer is within the widening bound of
//                  dot_dsp.hpp): each input word is extended once for four rows, 15 instructions
//                  per 16 MACs (dot_s8_s16w_1x4)
//   AArch64 NEON   output units in fours, the output stage in vectors (rows_neon.hpp; SDOT
//                  where the CPU has it, chosen once per call)
//   Helium         output units in fours (VMLADAVA, dot_s8_1x4), the output stage in vectors
//                  (requantize_mve.hpp)
//   otherwise      output units in pairs (each loaded input word serves two weight rows), the dot
//                  products of dot.hpp (Arm DSP: SMLAD)
#include <cstddef>
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/avx512.hpp>
#include <ctml/kernels/s8/dot.hpp>
#include <ctml/kernels/s8/gemm_avx512.hpp>
#include <ctml/kernels/s8/output_stage.hpp>
#include <ctml/kernels/s8/requantize_mve.hpp>
#include <ctml/kernels/s8/rows_neon.hpp>

namespace ctml::kernels::s8 {

template <std::size_t In, std::size_t Units>
struct DenseFacts {
#if defined(CTML_HAVE_DSP) && !defined(CTML_HAVE_MVE)
  static constexpr bool widened_weights = Units >= 4 && In >= 8 && In * Units <= widen_weights_max;
#else
  static constexpr bool widened_weights = false;
#endif
  // The weights in the layout of this target's fastest kernel (empty where kernels read them as
  // they are): flash, reported per target by sizeof.
  using packed_type =
      std::conditional_t<widened_weights, PackedS16Blocks4<Units, In>, PackedS8ForTarget<Units, In>>;
};

// What the dense kernels read: the members of one object (quant::QDenseLayer; one base address
// keeps registers free on Cortex-M).
//   weights [units][in] int8 symmetric;  effective_bias;  multiplier, shift per output unit (a
//   per-tensor model repeats one value);  input/output zero points, act_min/act_max;  packed
template <class D, std::size_t In, std::size_t Units>
concept DenseData = requires(const D& d) {
  { d.weights.data() } -> std::same_as<const std::int8_t*>;
  { d.effective_bias.data() } -> std::same_as<const std::int32_t*>;
  { d.multiplier.data() } -> std::same_as<const std::int32_t*>;
  { d.shift.data() } -> std::same_as<const std::int32_t*>;
  { d.output_zero_point } -> std::convertible_to<std::int32_t>;
  { d.act_min } -> std::convertible_to<std::int32_t>;
  { d.act_max } -> std::convertible_to<std::int32_t>;
  requires std::same_as<std::remove_cvref_t<decltype(d.packed)>, typename DenseFacts<In, Units>::packed_type>;
  requires decltype(d.weights)::size() == In * Units;
};

template <std::size_t In, std::size_t Units, class D>
constexpr void dense_portable(const D& d, const std::int8_t* in, std::int8_t* out) {
  ::ctml::detail::side_effect_fence();
  // A local: the int8 stores could alias the layer's members.
  const quant::OutputStage st{d.input_zero_point, d.output_zero_point, d.act_min, d.act_max};
  const std::int8_t* w = d.weights.data();
  std::size_t o = 0;
  for (; o + 1 < Units; o += 2) {
    std::int32_t acc0 = d.effective_bias[o], acc1 = d.effective_bias[o + 1];
    kernels::dot_s8_1x2<In>(in, w + o * In, w + (o + 1) * In, acc0, acc1);
    out[o] = st.finish(acc0, d.multiplier[o], d.shift[o]);
    out[o + 1] = st.finish(acc1, d.multiplier[o + 1], d.shift[o + 1]);
  }
  for (; o < Units; ++o) out[o] = st.finish(kernels::dot_s8<In>(w + o * In, in) + d.effective_bias[o], d.multiplier[o], d.shift[o]);
}

#if defined(CTML_HAVE_DSP)
// Four output units at a time against the widened weights; the last Units % 4 units and the last
// In % 4 inputs from the int8 weights.
template <std::size_t In, std::size_t Units, class D>
void dense_dsp_widened(const D& d, const std::int8_t* in, std::int8_t* out) {
  ::ctml::detail::side_effect_fence();
  const quant::OutputStage st{d.input_zero_point, d.output_zero_point, d.act_min, d.act_max};
  constexpr std::size_t body = In - In % 4;
  constexpr std::size_t blocked = Units - Units % 4;
  const std::int8_t* w = d.weights.data();
  const std::int32_t* bias = d.effective_bias.data();
  const std::int32_t* mult = d.multiplier.data();
  const std::int32_t* shift = d.shift.data();
  // The output stage's fastest valid form, chosen once per call (output_stage.hpp).
  st.with_requant(mult, shift, Units, [&](auto form) {
    constexpr Requant R = decltype(form)::value;
    for (std::size_t o = 0; o < blocked; o += 4) {
      std::int32_t a0 = bias[o], a1 = bias[o + 1], a2 = bias[o + 2], a3 = bias[o + 3];
      dsp::dot_s8_s16w_1x4<body / 4>(in, d.packed.block(o), a0, a1, a2, a3);
      if constexpr (body < In) {
        a0 = add_wrap(a0, dot_s8_ref<In - body>(in + body, w + o * In + body));
        a1 = add_wrap(a1, dot_s8_ref<In - body>(in + body, w + (o + 1) * In + body));
        a2 = add_wrap(a2, dot_s8_ref<In - body>(in + body, w + (o + 2) * In + body));
        a3 = add_wrap(a3, dot_s8_ref<In - body>(in + body, w + (o + 3) * In + body));
      }
      out[o] = st.finish_as<R>(a0, mult[o], shift[o]);
      out[o + 1] = st.finish_as<R>(a1, mult[o + 1], shift[o + 1]);
      out[o + 2] = st.finish_as<R>(a2, mult[o + 2], shift[o + 2]);
      out[o + 3] = st.finish_as<R>(a3, mult[o + 3], shift[o + 3]);
    }
    for (std::size_t o = blocked; o < Units; ++o)
      out[o] = st.finish_as<R>(kernels::dot_s8<In>(w + o * In, in) + bias[o], mult[o], shift[o]);
  });
}
#endif

#if defined(CTML_HAVE_MVE)
// Helium: output units in fours (one input vector against four weight rows, dot_s8_1x4), the
// output stage in vector lanes (requantize_mve.hpp); the last Units % 4 units one at a time.
template <std::size_t In, std::size_t Units, class D>
void dense_mve(const D& d, const std::int8_t* in, std::int8_t* out) {
  ::ctml::detail::side_effect_fence();
  const quant::OutputStage st{d.input_zero_point, d.output_zero_point, d.act_min, d.act_max};
  const mve::Finish4 fin = mve::make_finish4(d.output_zero_point, d.act_min, d.act_max);
  const std::int8_t* w = d.weights.data();
  const std::int32_t* bias = d.effective_bias.data();
  for (std::size_t o = 0; o + 3 < Units; o += 4) {
    std::int32_t a[4] = {bias[o], bias[o + 1], bias[o + 2], bias[o + 3]};
    mve::dot_s8_1x4<In>(in, w + o * In, a);
    mve::finish4(mve::lanes4(a[0], a[1], a[2], a[3]), mve::make_requant4(d.multiplier.data() + o, d.shift.data() + o), fin, out + o);
  }
  if constexpr (Units % 4 != 0)
    for (std::size_t o = Units - Units % 4; o < Units; ++o)
      out[o] = st.finish(mve::dot_s8<In>(w + o * In, in) + bias[o], d.multiplier[o], d.shift[o]);
}
#endif

#if defined(CTML_AVX512_KERNELS)
CTML_AVX512_BEGIN
// AVX-512 VNNI: one row through the packed-weight GEMM (gemm_avx512.hpp).
template <std::size_t In, std::size_t Units, class D>
[[gnu::flatten]] void dense_avx512(const D& d, const std::int8_t* in, std::int8_t* out) {
  ::ctml::detail::side_effect_fence();
  using Gemm = avx512::GemmS8<Units, In>;
  alignas(64) std::uint8_t u[Gemm::row_stride] = {};
  for (std::size_t i = 0; i < In; ++i) u[i] = static_cast<std::uint8_t>(in[i] ^ 0x80);
  Gemm(d.packed, d.effective_bias.data(), d.multiplier.data(), d.shift.data(), d.output_zero_point, d.act_min, d.act_max)
      .template run<1>(u, out);
}
CTML_AVX512_END
#endif

#if defined(CTML_HAVE_NEON)
// AArch64: the row kernel of a one-pixel convolution (rows_neon.hpp), SDOT or SMULL per call.
template <std::size_t In, std::size_t Units, class D>
void dense_neon(const D& d, const std::int8_t* in, std::int8_t* out) {
  ::ctml::detail::side_effect_fence();
  const neon::ConvPass pass{d.weights.data(), d.effective_bias.data(), d.multiplier.data(), d.shift.data(),
                            quant::OutputStage{d.input_zero_point, d.output_zero_point, d.act_min, d.act_max},
                            vdupq_n_s32(d.output_zero_point), vdupq_n_s16(static_cast<std::int16_t>(d.act_min)),
                            vdupq_n_s16(static_cast<std::int16_t>(d.act_max))};
#if defined(CTML_HAVE_NEON_DOTPROD) || defined(CTML_DISPATCH_NEON_DOTPROD)
  if (target::neon_dotprod_now()) return neon::sdot::conv_pass1<In, Units>(pass, in, out);
#endif
  neon::smull::conv_pass1<In, Units>(pass, in, out);
}
#endif

template <std::size_t In, std::size_t Units, DenseData<In, Units> D>
constexpr void dense(const D& d, const std::int8_t* in, std::int8_t* out) {
#if defined(CTML_HAVE_NEON)
  if (!std::is_constant_evaluated()) return dense_neon<In, Units>(d, in, out);
#endif
#if defined(CTML_HAVE_MVE)
  if (!std::is_constant_evaluated()) return dense_mve<In, Units>(d, in, out);
#endif
#if defined(CTML_HAVE_DSP)
  if constexpr (DenseFacts<In, Units>::widened_weights) {
    if (!std::is_constant_evaluated()) return dense_dsp_widened<In, Units>(d, in, out);
  }
#endif
#if defined(CTML_AVX512_KERNELS)
  if (!std::is_constant_evaluated() && target::avx512_vnni_now()) return dense_avx512<In, Units>(d, in, out);
#endif
  dense_portable<In, Units>(d, in, out);
}

}  // namespace ctml::kernels::s8
