// SPDX-License-Identifier: Apache-2.0
#pragma once
// Softmax, int8 in and out, exactly as TFLite's reference kernel computes it: differences to the
// row maximum are rescaled by beta * input_scale into Q5.26, exponentiated in fixed point, summed
// in Q12.19, and divided through a fixed-point reciprocal. Output scale 1/256, zero point -128.
// The multipliers come from make_softmax_params() at construction (constexpr).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/fixedpoint.hpp>
#include <ctml/layers/softmax.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

struct SoftmaxParams {
  std::int32_t input_multiplier = 0;
  std::int32_t input_left_shift = 0;
  std::int32_t diff_min = 0;
};

// TFLite PreprocessSoftmaxScaling + CalculateInputRadius with 5 integer bits for the differences.
constexpr SoftmaxParams make_softmax_params(double beta, double input_scale) {
  constexpr int int_bits = 5;
  double real = beta * input_scale * static_cast<double>(1ll << (31 - int_bits));
  const double cap = static_cast<double>((1ll << 31) - 1);
  if (real > cap) real = cap;
  const Multiplier m = quantize_multiplier(real);
  SoftmaxParams p{m.value, m.shift, 0};
  const double radius = 1.0 * ((1 << int_bits) - 1) * static_cast<double>(1ll << (31 - int_bits)) /
                        static_cast<double>(1ll << m.shift);
  auto r = static_cast<std::int64_t>(radius);
  if (static_cast<double>(r) > radius) --r;  // floor
  p.diff_min = -static_cast<std::int32_t>(r);
  return p;
}

template <ShapeType S>
struct QSoftmaxLayer {
  static constexpr std::size_t depth = S::extents[S::rank - 1];
  static constexpr std::size_t rows = S::size / depth;
  using input_type = Tensor<std::int8_t, S>;
  using output_type = Tensor<std::int8_t, S>;
  static constexpr std::string_view name = "QSoftmax";
  static constexpr bool in_place = true;  // a row is fully read before any of it is written
  SoftmaxParams params;
  constexpr auto buffers() { return std::tie(params); }
  constexpr auto buffers() const { return std::tie(params); }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t*) const {
    ::ctml::detail::side_effect_fence();
    using namespace fp;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::int8_t* x = in + r * depth;
      std::int8_t* y = out + r * depth;
      std::int32_t max_in = -128;
      for (std::size_t c = 0; c < depth; ++c) max_in = x[c] > max_in ? x[c] : max_in;
      // Exponentials first (into a local row), so out may alias in.
      std::int32_t exps[depth]{};
      bool valid[depth]{};
      Fixed<12> sum{0};
      for (std::size_t c = 0; c < depth; ++c) {
        const std::int32_t diff = static_cast<std::int32_t>(x[c]) - max_in;
        valid[c] = diff >= params.diff_min;
        if (!valid[c]) continue;
        const std::int32_t rescaled = saturating_rounding_doubling_high_mul(
            static_cast<std::int32_t>(static_cast<std::uint32_t>(diff) << params.input_left_shift), params.input_multiplier);
        const Fixed<0> e = exp_on_negative_values(Fixed<5>{rescaled});
        exps[c] = e.raw;
        sum = sum + rescale<12>(e);
      }
      const int headroom_plus_one = count_leading_zeros(static_cast<std::uint32_t>(sum.raw));
      const int num_bits_over_unit = 12 - headroom_plus_one;
      const std::int32_t shifted_sum_minus_one = static_cast<std::int32_t>(
          (static_cast<std::uint32_t>(sum.raw) << headroom_plus_one) - (static_cast<std::uint32_t>(1) << 31));
      const Fixed<0> scale = one_over_one_plus_x_for_x_in_0_1(Fixed<0>{shifted_sum_minus_one});
      for (std::size_t c = 0; c < depth; ++c) {
        if (!valid[c]) {
          y[c] = -128;
          continue;
        }
        const std::int32_t unsat = rounding_divide_by_pot((scale * Fixed<0>{exps[c]}).raw, num_bits_over_unit + 31 - 8);
        std::int32_t v = unsat - 128;
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
        y[c] = static_cast<std::int8_t>(v);
      }
    }
  }
};

// SOFTMAX with TFLite's beta on an input quantized with in (the output is always 1/256, -128).
template <ShapeType S>
constexpr QSoftmaxLayer<S> make_qsoftmax(double beta, QParams in) {
  return {make_softmax_params(beta, static_cast<double>(in.scale))};
}

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
template <class S>
struct qmap<SoftmaxLayer<float, S>> : qmap_base {
  using type = QSoftmaxLayer<S>;
  static constexpr QKind kind = QKind::softmax;
};
}  // namespace detail

}  // namespace ctml::quant
