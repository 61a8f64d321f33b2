// SPDX-License-Identifier: Apache-2.0
#pragma once
// The output stage of int8 conv and fully connected layers (TFLite semantics):
//   y = clamp(MultiplyByQuantizedMultiplier(acc, M[c]) + out_zp, act_min, act_max)
// with the quantization facts of the layer's input and output. Layers derive from it (convs) or
// hold its values as members (fully connected) and call finish() per output, or pick a faster
// form for a whole call with with_requant().
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <ctml/core/target.hpp>
#include <ctml/core/requantize.hpp>

namespace ctml::quant {

struct OutputStage {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  std::int32_t act_min = -128, act_max = 127;
  constexpr std::int8_t finish(std::int32_t acc, std::int32_t mult, std::int32_t shift) const {
    std::int32_t y = multiply_by_quantized_multiplier(acc, {mult, static_cast<int>(shift)}) + output_zero_point;
    y = clamp_activation(y, act_min, act_max);
    return static_cast<std::int8_t>(y);
  }

  // Faster forms of finish() for the common output stages, chosen once per layer call by
  // with_requant(): every channel's multiplier normalized with a right shift
  // (is_normalized_right_shift, requantize.hpp), and also no activation clamp narrower than int8
  // (then the clamp is one saturation, SSAT on Cortex-M).
  // The tabulated forms are the normalized ones with per-channel constants from a RequantTable
  // (requantize_tabulated); a kernel uses the table in its hot loop and may call finish_as with
  // them elsewhere (same results).
  enum class Requant { general, normalized, normalized_full_range, tabulated, tabulated_full_range };
  static constexpr bool is_tabulated(Requant r) { return r == Requant::tabulated || r == Requant::tabulated_full_range; }
  static constexpr bool is_full_range(Requant r) {
    return r == Requant::normalized_full_range || r == Requant::tabulated_full_range;
  }

  template <Requant R>
  constexpr std::int8_t finish_as(std::int32_t acc, std::int32_t mult, std::int32_t shift) const {
    if constexpr (R == Requant::general) {
      return finish(acc, mult, shift);
    } else {
      return clamp_as<R>(multiply_by_quantized_multiplier_normalized(acc, mult, shift) + output_zero_point);
    }
  }
  template <Requant R>
  constexpr std::int8_t finish_as(std::int32_t acc, const ChannelRequant& c) const {
    static_assert(is_tabulated(R), "finish_as(acc, ChannelRequant): a tabulated form only");
    return clamp_as<R>(requantize_tabulated(acc, c));
  }

  // Calls f(std::integral_constant<Requant, R>) with the fastest R valid for all n channels.
  template <class F>
  void with_requant(const std::int32_t* mult, const std::int32_t* shift, std::size_t n, F&& f) const {
    if (!all_normalized_right_shifts(mult, shift, n)) f(std::integral_constant<Requant, Requant::general>{});
    else if (full_range()) f(std::integral_constant<Requant, Requant::normalized_full_range>{});
    else f(std::integral_constant<Requant, Requant::normalized>{});
  }
  // The same, preferring the table's forms when it holds every channel.
  template <class Table, class F>
  void with_requant(const std::int32_t* mult, const std::int32_t* shift, std::size_t n, const Table& table, F&& f) const {
    if constexpr (Table::enabled) {
      if (table.ok) {
        if (full_range()) f(std::integral_constant<Requant, Requant::tabulated_full_range>{});
        else f(std::integral_constant<Requant, Requant::tabulated>{});
        return;
      }
    }
    with_requant(mult, shift, n, static_cast<F&&>(f));
  }

 private:
  constexpr bool full_range() const { return act_min <= -128 && act_max >= 127; }
  template <Requant R>
  constexpr std::int8_t clamp_as(std::int32_t y) const {
    if constexpr (is_full_range(R)) return saturate_int8(y);
    else return static_cast<std::int8_t>(clamp_activation(y, act_min, act_max));
  }
};

// The output stage of a layer's data (the layers derive from OutputStage).
constexpr const OutputStage& stage_of(const OutputStage& s) { return s; }

// Per-channel constants of the tabulated output stage (for N channels), derived from the
// multipliers, shifts and output zero point by a layer's prepare() like its other derived data.
// ok is false when a channel does not qualify (tabulate()); layers then take the other forms.
template <std::size_t N>
struct RequantTable {
  static constexpr bool enabled = true;
  bool ok = false;
  ChannelRequant ch[N] = {};
  static constexpr RequantTable make(const std::int32_t* mult, const std::int32_t* shift, std::int32_t out_zp) {
    RequantTable t{};
    t.ok = true;
    for (std::size_t i = 0; i < N; ++i) t.ok = tabulate(mult[i], shift[i], out_zp, t.ch[i]) && t.ok;
    return t;
  }
};
struct NoRequantTable {
  static constexpr bool enabled = false;
  static constexpr NoRequantTable make(const std::int32_t*, const std::int32_t*, std::int32_t) { return {}; }
};
// The table costs 16 bytes of flash per channel; it pays where the output stage is a large part
// of a layer's instructions: the Cortex-M DSP kernels (not Helium, not x86). CTML_OPTIMIZE_FOR_FLASH
// leaves it out.
#if defined(CTML_HAVE_DSP) && !defined(CTML_HAVE_MVE) && !defined(CTML_OPTIMIZE_FOR_FLASH)
template <std::size_t N>
using RequantTableForTarget = RequantTable<N>;
#else
template <std::size_t N>
using RequantTableForTarget = NoRequantTable;
#endif

}  // namespace ctml::quant

namespace ctml::kernels::s8 {
// The int8 kernels' names for the output stage.
using quant::OutputStage;
using quant::stage_of;
using Requant = quant::OutputStage::Requant;
}  // namespace ctml::kernels::s8
