// SPDX-License-Identifier: Apache-2.0
#pragma once
// Residual block, int8: y = ADD(body(x), shortcut(x)) with TFLite's int8 ADD (add_s8.hpp): both
// operands are rescaled to a common scale, summed and requantized to the block's output
// parameters, the fused activation (a ReLU after the block) being the ADD's clamp. The shortcut is
// the identity or a projection network.
//
// Memory. When the body is a chain of convolutions that run row by row and the projection (if
// any) is one such conv, the block runs in row bands (model/row_bands.hpp): the body's
// intermediate tensors are windows of a few rows, each output row is added to its shortcut row
// as soon as it is complete, and the output may overlap the input (`in_place_lead`: how far it
// must start before it). ResNet-8's first block then needs its 16 KB input plus 2.6 KB instead
// of four 16 KB tensors. Otherwise as ctml::ResidualLayer: the body runs from the block's input
// into its output, a projection writes into scratch, the input stays intact. Both give the same
// bytes (the same kernels on the same taps); `forward_whole` is the second, for tests.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/model/plan.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/model/row_bands.hpp>
#include <ctml/quant/add_s8.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

namespace detail {
template <class L>
constexpr bool runs_in_rows = [] {
  if constexpr (requires { L::runs_in_rows; }) return bool{L::runs_in_rows};
  else return false;
}();
template <class L>
concept chain = requires(const L& l) {
  L::layer_count;
  l.template layer<0>();
};

// A residual block's body and projection as a chain of convs run in row bands, when they are one.
template <class Body, class Short>
struct RowBandedResidual {
  static constexpr bool body_ok = [] {
    if constexpr (chain<Body>)
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return (runs_in_rows<typename Body::template layer_type<I>> && ...);
      }(std::make_index_sequence<Body::layer_count>{});
    else return false;
  }();
  // The projection: a conv, or a chain of one conv (Block<Conv2D<...>>).
  static constexpr auto proj_type() {
    if constexpr (runs_in_rows<Short>) return std::type_identity<Short>{};
    else if constexpr (chain<Short>) {
      if constexpr (Short::layer_count == 1) return std::type_identity<typename Short::template layer_type<0>>{};
      else return std::type_identity<void>{};
    } else return std::type_identity<void>{};
  }
  using Proj = typename decltype(proj_type())::type;
  static constexpr bool identity = std::is_same_v<Short, Identity>;
  static constexpr bool ok = body_ok && (identity || runs_in_rows<Proj>);
};

template <class Body, class Short, bool = RowBandedResidual<Body, Short>::ok>
struct RowBandFacts {
  static constexpr bool banded = false;
};
template <class Body, class Short>
struct RowBandFacts<Body, Short, true> {
  static constexpr bool banded = true;
  using R = RowBandedResidual<Body, Short>;
  using Proj = typename R::Proj;
  static constexpr std::size_t N = Body::layer_count;
  template <std::size_t I>
  using layer = typename Body::template layer_type<I>;
  static constexpr std::array<kernels::Conv2DGeometry, N> g = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<kernels::Conv2DGeometry, N>{layer<I>::geometry...};
  }(std::make_index_sequence<N>{});
  static constexpr std::size_t rows = g[N - 1].oh;
  static constexpr std::size_t in_row = bands::in_row_bytes(g[0]), out_row = bands::out_row_bytes(g[N - 1]);

  // Scratch: window i (i >= 1), the last layer's row, the projection's row, the kernels' scratch.
  static constexpr std::array<std::size_t, N + 1> window_at = [] {
    std::array<std::size_t, N + 1> at{};
    for (std::size_t i = 1; i < N; ++i)
      at[i + 1] = at[i] + bands::align_up(kernels::window_rows(g[i]) * bands::in_row_bytes(g[i]));
    return at;
  }();
  static constexpr std::size_t row_at = window_at[N];
  static constexpr std::size_t short_at = row_at + bands::align_up(out_row);
  static constexpr std::size_t kernel_at = short_at + (R::identity ? 0 : bands::align_up(out_row));
  static constexpr std::size_t kernel_scratch = [] {
    std::size_t m = []<std::size_t... I>(std::index_sequence<I...>) {
      return std::max({std::size_t{0}, layer<I>::row_scratch_bytes...});
    }(std::make_index_sequence<N>{});
    if constexpr (!R::identity) m = std::max(m, Proj::row_scratch_bytes);
    return m;
  }();
  static constexpr std::size_t scratch_bytes = kernel_at + kernel_scratch;

  static constexpr std::size_t lead = [] {
    if constexpr (R::identity) {
      return bands::lead_bytes<N, rows>(g, in_row, out_row, bands::Shortcut::identity, [](std::size_t) { return std::size_t{0}; });
    } else {
      static_assert(Proj::geometry.oh == rows && bands::out_row_bytes(Proj::geometry) == out_row);
      return bands::lead_bytes<N, rows>(g, in_row, out_row, bands::Shortcut::projection,
                                        [](std::size_t r) { return kernels::row_band(Proj::geometry, r).first; });
    }
  }();
};
}  // namespace detail

template <ShapeType In, Layer Body, class Short = Identity>
struct QResidualLayer {
  using facts = ::ctml::detail::ResidualFacts<std::int8_t, In, Body, Short>;  // model/residual.hpp
  static constexpr bool projected = facts::projected;
  using body_traits = typename facts::body_traits;
  using input_type = typename facts::input_type;
  using output_type = typename facts::output_type;
  using scratch_value_type = std::int8_t;
  static constexpr std::string_view name = projected ? "QResidual+proj" : "QResidual";
  // Run in row bands (see the top of this file), with the scratch and lead that takes.
  using band_facts = detail::RowBandFacts<Body, Short>;
  static constexpr bool banded = band_facts::banded;
  static constexpr std::size_t scratch_size = [] {
    if constexpr (banded) return band_facts::scratch_bytes;
    else return facts::scratch_size;
  }();
  static constexpr std::size_t in_place_lead = [] {
    if constexpr (banded) return band_facts::lead;
    else return no_lead;
  }();
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
    kernels::s8::add_s8(add, add_tables, y, other, y, output_type::size());
  }

  // Row by row: out[i] = ADD(row[i], other[i]); out may be other (the identity shortcut's row).
  constexpr void merge_row(std::int8_t* out, const std::int8_t* row, const std::int8_t* other, std::size_t n) const {
    kernels::s8::add_s8(add, add_tables, row, other, out, n);
  }

  // The whole tensors one after the other: the body, the projection, the ADD; with a scratch of
  // whole_scratch_size bytes, and out apart from in.
  static constexpr std::size_t whole_scratch_size = facts::scratch_size;
  constexpr void forward_whole(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    facts::forward(body, shortcut, in, out, scratch, [this](std::int8_t* y, const std::int8_t* other) { merge(y, other); });
  }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    if constexpr (banded) forward_banded(in, out, scratch);
    else forward_whole(in, out, scratch);
  }

 private:
  // The row schedule's work (bands::walk) on this block's layers and scratch.
  struct BandOps {
    using F = band_facts;
    const QResidualLayer& self;
    const std::int8_t* in;
    std::int8_t* out;
    std::int8_t* s;
    constexpr void shift(std::size_t i, std::size_t from, std::size_t rows) {
      // Window i keeps its rows from `from` on: a move to the front (the regions may overlap).
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((i == I ? move_rows(s + F::window_at[I], from * bands::in_row_bytes(F::g[I]), rows * bands::in_row_bytes(F::g[I]))
                 : void()),
         ...);
      }(std::make_index_sequence<F::N>{});
    }
    constexpr void row(std::size_t i, std::size_t q, std::size_t first, std::size_t slot) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((i == I ? layer_row<I>(q, first, slot) : void()), ...);
      }(std::make_index_sequence<F::N>{});
    }
    template <std::size_t I>
    constexpr void layer_row(std::size_t q, std::size_t first, std::size_t slot) {
      const std::int8_t* src = I == 0 ? in + first * F::in_row : s + F::window_at[I];
      std::int8_t* dst = I + 1 < F::N ? s + F::window_at[I + 1] + slot * bands::out_row_bytes(F::g[I]) : s + F::row_at;
      self.body.template layer<I>().forward_row(q, src, dst, s + F::kernel_at);
    }
    constexpr void output(std::size_t r) {
      const std::int8_t* other = in + r * F::in_row;  // the identity: the same shape
      if constexpr (projected) {
        const auto& proj = [&]() -> const typename F::Proj& {
          if constexpr (std::is_same_v<typename F::Proj, Short>) return self.shortcut;
          else return self.shortcut.template layer<0>();
        }();
        proj.forward_row(r, in + kernels::row_band(F::Proj::geometry, r).first * F::in_row, s + F::short_at, s + F::kernel_at);
        other = s + F::short_at;
      }
      self.merge_row(out + r * F::out_row, s + F::row_at, other, F::out_row);
    }
    static constexpr void move_rows(std::int8_t* w, std::size_t from, std::size_t n) {
      ::ctml::detail::side_effect_fence();
      if (std::is_constant_evaluated()) {
        for (std::size_t k = 0; k < n; ++k) w[k] = w[from + k];
      } else {
        std::memmove(w, w + from, n);
      }
    }
  };

  constexpr void forward_banded(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    ::ctml::detail::side_effect_fence();
    BandOps ops{*this, in, out, scratch};
    bands::walk(band_facts::g, ops);
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
