// SPDX-License-Identifier: Apache-2.0
#pragma once
// Residual block, int8: y = ADD(body(x), shortcut(x)) with TFLite's int8 ADD (add_s8.hpp): both
// operands are rescaled to a common scale, summed and requantized to the block's output
// parameters, the fused activation (a ReLU after the block) being the ADD's clamp. The shortcut is
// the identity or a projection network. Memory as ctml::ResidualLayer: the body runs from the
// block's input into its output, a projection writes into scratch, the input stays intact.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/model/plan.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/quant/add_s8.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

template <ShapeType In, Layer Body, class Short = Identity>
struct QResidualLayer {
  using facts = ::ctml::detail::ResidualFacts<std::int8_t, In, Body, Short>;  // model/residual.hpp
  static constexpr bool projected = facts::projected;
  using body_traits = typename facts::body_traits;
  using input_type = typename facts::input_type;
  using output_type = typename facts::output_type;
  using scratch_value_type = std::int8_t;
  static constexpr std::string_view name = projected ? "QResidual+proj" : "QResidual";
  static constexpr std::size_t scratch_size = facts::scratch_size;
  static constexpr std::size_t macs = facts::macs;

  Body body;
  [[no_unique_address]] Short shortcut;
  AddParams add;  // input1: the body's output, input2: the shortcut's (or the block's input)
  // Derived from add (add_s8.hpp), recomputed by prepare() after add changes.
  [[no_unique_address]] AddTablesForTarget add_tables = AddTablesForTarget::make(add);

  // The layers inside, for walks over a model's data (ctml/model/serialize.hpp), and the ADD's own.
  constexpr auto sublayers() { return std::tie(body, shortcut); }
  constexpr auto sublayers() const { return std::tie(body, shortcut); }
  constexpr auto buffers() { return std::tie(add); }
  constexpr auto buffers() const { return std::tie(add); }

  constexpr auto parameters() {
    if constexpr (projected) return std::tuple_cat(parameters_of(body), parameters_of(shortcut));
    else return parameters_of(body);
  }
  constexpr auto parameters() const {
    if constexpr (projected) return std::tuple_cat(parameters_of(body), parameters_of(shortcut));
    else return parameters_of(body);
  }

  constexpr void prepare() { add_tables = AddTablesForTarget::make(add); }

  // The ADD of the block: y = body's output (in place) + other (the shortcut's output or the input).
  constexpr void merge(std::int8_t* y, const std::int8_t* other) const {
    ::ctml::detail::side_effect_fence();
    const AddParams p = add;  // a local: the int8 stores could alias the member
    for (std::size_t i = 0; i < output_type::size(); ++i) y[i] = add_tables.apply(p, y[i], other[i]);
  }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    facts::forward(body, shortcut, in, out, scratch, [this](std::int8_t* y, const std::int8_t* other) { merge(y, other); });
  }
};

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
template <class In, class Body, class Short>
struct qmap<ResidualLayer<float, In, Body, Short>> : qmap_base {
  using qshort = typename std::conditional_t<std::is_same_v<Short, Identity>, std::type_identity<Identity>,
                                             quantized_of<Short>>::type;
  using type = QResidualLayer<In, typename quantized_of<Body>::type, qshort>;
  static constexpr QKind kind = QKind::residual;
  static constexpr bool fusable = true;  // a following ReLU becomes the ADD's clamp
};
}  // namespace detail

}  // namespace ctml::quant
