// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 FULLY_CONNECTED with TFLite semantics (per-tensor or per-channel weights), one entry point
// for every target:
//   acc[o] = bias[o] + sum_i w[o][i] * (x[i] - in_zp) = eff_bias[o] + sum_i w[o][i] * x[i]
//   y[o]   = clamp(MultiplyByQuantizedMultiplier(acc[o], M[o]) + out_zp, act_min, act_max)
// The zero-point term is folded into the bias once (eff_bias = bias - in_zp * sum_i w[o][i]), so
// the inner loop is a plain int8 x int8 -> int32 dot product:
//   AVX-512 VNNI   the packed-weight GEMM (gemm_avx512.hpp), one row of unsigned inputs
//   otherwise      output units in pairs (each loaded input word serves two weight rows), the dot
//                  products of dot.hpp (Arm DSP: SMLAD; Helium: VMLADAV)
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/target.hpp>
#include <ctml/kernels/s8/avx512.hpp>
#include <ctml/kernels/s8/dot.hpp>
#include <ctml/kernels/s8/gemm_avx512.hpp>
#include <ctml/kernels/s8/output_stage.hpp>

namespace ctml::kernels::s8 {

template <std::size_t In, std::size_t Units>
struct DenseFacts {
  // The weights in the layout of this target's fastest kernel (empty where kernels read them as
  // they are): flash, reported per target by sizeof.
  using packed_type = PackedS8ForTarget<Units, In>;
};

template <std::size_t In, std::size_t Units>
struct DenseParams {
  using facts = DenseFacts<In, Units>;
  const std::int8_t* weights;      // [units][in], symmetric
  const std::int32_t* bias;        // effective bias
  const std::int32_t* multiplier;  // per output unit (per-tensor models repeat one value)
  const std::int32_t* shift;
  quant::OutputStage stage;
  const typename facts::packed_type* packed;
};

template <std::size_t In, std::size_t Units>
constexpr void dense_portable(const DenseParams<In, Units>& d, const std::int8_t* in, std::int8_t* out) {
  ::ctml::detail::side_effect_fence();
  const quant::OutputStage st = d.stage;  // a local: the int8 stores could alias the layer's members
  std::size_t o = 0;
  for (; o + 1 < Units; o += 2) {
    std::int32_t acc0 = d.bias[o], acc1 = d.bias[o + 1];
    kernels::dot_s8_1x2<In>(in, d.weights + o * In, d.weights + (o + 1) * In, acc0, acc1);
    const std::int32_t m0 = d.multiplier[o], m1 = d.multiplier[o + 1], s0 = d.shift[o], s1 = d.shift[o + 1];
    out[o] = st.finish(acc0, m0, s0);
    out[o + 1] = st.finish(acc1, m1, s1);
  }
  for (; o < Units; ++o) out[o] = st.finish(kernels::dot_s8<In>(d.weights + o * In, in) + d.bias[o], d.multiplier[o], d.shift[o]);
}

template <std::size_t In, std::size_t Units>
constexpr void dense(const DenseParams<In, Units>& d, const std::int8_t* in, std::int8_t* out) {
#if defined(CTML_HAVE_AVX512_VNNI)
  if (!std::is_constant_evaluated()) {
    ::ctml::detail::side_effect_fence();
    using Gemm = quant::avx512::GemmS8<Units, In>;
    alignas(64) std::uint8_t u[Gemm::row_stride] = {};
    for (std::size_t i = 0; i < In; ++i) u[i] = static_cast<std::uint8_t>(in[i] ^ 0x80);
    Gemm(*d.packed, d.bias, d.multiplier, d.shift, d.stage.output_zero_point, d.stage.act_min, d.stage.act_max)
        .template run<1>(u, out);
    return;
  }
#endif
  dense_portable(d, in, out);
}

}  // namespace ctml::kernels::s8
