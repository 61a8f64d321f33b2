// SPDX-License-Identifier: Apache-2.0
#pragma once
// ADD, int8, both inputs rescaled to a common scale first (TFLite's reference_integer_ops::Add):
//   s      = 2 * max(scale_a, scale_b)
//   M_a    = scale_a / s,  M_b = scale_b / s             (both <= 1/2)
//   M_out  = s / (2^20 * scale_out)
//   a'     = MultiplyByQuantizedMultiplier((a - zp_a) * 2^20, M_a)      (likewise b')
//   y      = clamp(MultiplyByQuantizedMultiplier(a' + b', M_out) + zp_out, act_min, act_max)
// The 20-bit left shift keeps the rescaled inputs' fractional bits; the three multipliers and the
// fused activation's clamp are members computed once by make_qadd.
// ADD has two inputs, so it is not a single-input Layer: QAdd<Shape> is called as
// add(a, b, y) (y may alias a or b), which is how a residual merge uses it.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/kernels/s8/add.hpp>

namespace ctml::quant {

struct AddParams {
  static constexpr int left_shift = 20;
  std::int32_t input1_offset = 0;  // -zp_a
  std::int32_t input2_offset = 0;  // -zp_b
  std::int32_t output_offset = 0;  // zp_out
  Multiplier input1{}, input2{}, output{};
  std::int32_t act_min = -128, act_max = 127;

  constexpr std::int32_t scaled1(std::int8_t a) const {
    return multiply_by_quantized_multiplier((input1_offset + a) * (static_cast<std::int32_t>(1) << left_shift), input1);
  }
  constexpr std::int32_t scaled2(std::int8_t b) const {
    return multiply_by_quantized_multiplier((input2_offset + b) * (static_cast<std::int32_t>(1) << left_shift), input2);
  }
  // The output from the sum of the rescaled inputs.
  constexpr std::int8_t finish(std::int32_t sum) const {
    std::int32_t y = multiply_by_quantized_multiplier(sum, output) + output_offset;
    y = y < act_min ? act_min : (y > act_max ? act_max : y);
    return static_cast<std::int8_t>(y);
  }
  constexpr std::int8_t apply(std::int8_t a, std::int8_t b) const { return finish(scaled1(a) + scaled2(b)); }
};

// Each rescaled input depends on one int8 value, so both can be tables of 256 entries, made once
// from the parameters like a layer's other derived data: per element then two loads, an add and
// one requantization instead of three (2 KB of flash per ADD; CTML_OPTIMIZE_FOR_FLASH leaves the
// tables out). Same results as AddParams::apply for every pair (tests/quant test_ops_s8).
struct AddTables {
  static constexpr bool enabled = true;
  std::int32_t t1[256] = {}, t2[256] = {};
  static constexpr AddTables make(const AddParams& p) {
    AddTables t{};
    for (int v = -128; v < 128; ++v) {
      t.t1[v + 128] = p.scaled1(static_cast<std::int8_t>(v));
      t.t2[v + 128] = p.scaled2(static_cast<std::int8_t>(v));
    }
    return t;
  }
  constexpr std::int8_t apply(const AddParams& p, std::int8_t a, std::int8_t b) const {
    return p.finish(t1[a + 128] + t2[b + 128]);
  }
};
struct NoAddTables {
  static constexpr bool enabled = false;
  static constexpr NoAddTables make(const AddParams&) { return {}; }
  constexpr std::int8_t apply(const AddParams& p, std::int8_t a, std::int8_t b) const { return p.apply(a, b); }
};
#if defined(CTML_OPTIMIZE_FOR_FLASH)
using AddTablesForTarget = NoAddTables;
#else
using AddTablesForTarget = AddTables;
#endif

// TFLite's Prepare for int8 ADD. left_shift: 20 for int8; the int16 ADD (binary_const_s8.hpp)
// takes the multipliers made with 15.
constexpr AddParams make_add_params(QParams a, QParams b, QParams out, Activation act = Activation::none,
                                    int left_shift = AddParams::left_shift) {
  AddParams p{};
  p.input1_offset = -a.zero_point;
  p.input2_offset = -b.zero_point;
  p.output_offset = out.zero_point;
  const double twice_max = 2.0 * static_cast<double>(a.scale > b.scale ? a.scale : b.scale);
  p.input1 = quantize_multiplier(static_cast<double>(a.scale) / twice_max);
  p.input2 = quantize_multiplier(static_cast<double>(b.scale) / twice_max);
  p.output = quantize_multiplier(twice_max / (static_cast<double>(1 << left_shift) * static_cast<double>(out.scale)));
  const ActivationRange r = activation_range(act, out);
  p.act_min = r.min;
  p.act_max = r.max;
  return p;
}

template <ShapeType S>
struct QAdd {
  using tensor_type = Tensor<std::int8_t, S>;
  static constexpr std::string_view name = "QAdd";
  AddParams params;
  constexpr auto buffers() { return std::tie(params); }
  constexpr auto buffers() const { return std::tie(params); }

  // y[i] = a[i] + b[i] in real terms; y may alias a or b.
  constexpr void operator()(const std::int8_t* a, const std::int8_t* b, std::int8_t* y) const {
    kernels::s8::add_s8(params, NoAddTables{}, a, b, y, S::size);
  }
  constexpr void operator()(const tensor_type& a, const tensor_type& b, tensor_type& y) const {
    (*this)(a.data(), b.data(), y.data());
  }
};

template <ShapeType S>
constexpr QAdd<S> make_qadd(QParams a, QParams b, QParams out, Activation act = Activation::none) {
  return QAdd<S>{make_add_params(a, b, out, act)};
}

}  // namespace ctml::quant
