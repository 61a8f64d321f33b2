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

namespace ctml::quant {

template <ShapeType In, Layer Body, class Short = Identity>
struct QResidualLayer {
  static constexpr bool projected = !std::is_same_v<Short, Identity>;
  using body_traits = layer_traits<Body>;
  static_assert(std::is_same_v<typename body_traits::input_type, Tensor<std::int8_t, In>>,
                "ctml::quant::QResidual: the body's input does not match the block's input");
  using input_type = Tensor<std::int8_t, In>;
  using output_type = typename body_traits::output_type;
  using scratch_value_type = std::int8_t;
  static constexpr std::string_view name = projected ? "QResidual+proj" : "QResidual";

 private:
  static constexpr std::size_t body_scratch = body_traits::scratch_size;
  static constexpr std::size_t short_out = plan::align_up(output_type::size_bytes());
  static constexpr std::size_t short_scratch = [] {
    if constexpr (projected) return layer_traits<Short>::scratch_size;
    else return std::size_t{0};
  }();

 public:
  static constexpr std::size_t scratch_size = [] {
    std::size_t need = body_scratch;
    if constexpr (projected) {
      static_assert(std::is_same_v<typename layer_traits<Short>::output_type, output_type>,
                    "ctml::quant::QResidual: the shortcut's output shape differs from the body's");
      if (short_out + short_scratch > need) need = short_out + short_scratch;
    }
    return need;
  }();
  static constexpr std::size_t macs = body_traits::macs + [] {
    if constexpr (projected) return layer_traits<Short>::macs;
    else return std::size_t{0};
  }();

  Body body;
  [[no_unique_address]] Short shortcut;
  AddParams add;  // input1: the body's output, input2: the shortcut's (or the block's input)

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

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    ::ctml::detail::side_effect_fence();
    body.forward(in, out, scratch);
    if constexpr (projected) {
      shortcut.forward(in, scratch, scratch + short_out);
      for (std::size_t i = 0; i < output_type::size(); ++i) out[i] = add.apply(out[i], scratch[i]);
    } else {
      for (std::size_t i = 0; i < output_type::size(); ++i) out[i] = add.apply(out[i], in[i]);
    }
  }
};

}  // namespace ctml::quant
