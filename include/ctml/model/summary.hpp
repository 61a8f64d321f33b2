// SPDX-License-Identifier: Apache-2.0
#pragma once
// Model summary: one row per layer (name, output shape, parameters, MACs, activation bytes, where
// the activation lives) and totals, written line by line to a sink callable(std::string_view).
// No stdio and no heap, so it works in firmware too:
//   ctml::summary<Net>([](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stdout); });
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/model/network.hpp>

namespace ctml {

namespace detail {
// Fixed-capacity line builder.
struct Line {
  std::array<char, 160> buf{};
  std::size_t n = 0;
  constexpr Line& put(std::string_view s) {
    ::ctml::detail::side_effect_fence();
    for (char c : s)
      if (n < buf.size()) buf[n++] = c;
    return *this;
  }
  constexpr Line& num(std::size_t v) {
    ::ctml::detail::side_effect_fence();
    char tmp[24];
    std::size_t k = 0;
    do {
      tmp[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    while (k) put(std::string_view(&tmp[--k], 1));
    return *this;
  }
  // Thousands separators make MAC counts readable.
  constexpr Line& grouped(std::size_t v) {
    ::ctml::detail::side_effect_fence();
    char tmp[32];
    std::size_t k = 0, digits = 0;
    do {
      if (digits && digits % 3 == 0) tmp[k++] = ',';
      tmp[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
      ++digits;
    } while (v);
    while (k) put(std::string_view(&tmp[--k], 1));
    return *this;
  }
  constexpr Line& pad_to(std::size_t col) {
    ::ctml::detail::side_effect_fence();
    while (n < col && n < buf.size()) buf[n++] = ' ';
    return *this;
  }
  constexpr std::string_view view() const { return {buf.data(), n}; }
};

template <ShapeType S>
constexpr Line& put_shape(Line& l) {
  for (std::size_t i = 0; i < S::rank; ++i) {
    if (i) l.put("x");
    l.num(S::extents[i]);
  }
  return l;
}
}  // namespace detail

template <class Net, class Sink>
constexpr void summary(Sink&& sink) {
  using detail::Line;
  constexpr std::size_t c_shape = 24, c_params = 40, c_macs = 52, c_bytes = 66, c_where = 76;
  {
    Line h;
    h.put(" #  layer").pad_to(c_shape).put("output").pad_to(c_params).put("params").pad_to(c_macs)
        .put("MACs").pad_to(c_bytes).put("act bytes").pad_to(c_where).put("memory\n");
    sink(h.view());
  }
  {
    Line in;
    in.put("    input").pad_to(c_shape);
    detail::put_shape<typename Net::input_shape>(in);
    in.pad_to(c_bytes).num(Net::input_type::size_bytes()).pad_to(c_where).put("caller\n");
    sink(in.view());
  }
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using Tr = layer_traits<typename Net::template layer_type<I>>;
          Line l;
          l.put(I < 10 ? " " : "").num(I).put("  ").put(Tr::name).pad_to(c_shape);
          detail::put_shape<typename Tr::output_shape>(l);
          l.pad_to(c_params).grouped(Tr::param_count).pad_to(c_macs).grouped(Tr::macs);
          l.pad_to(c_bytes).num(Tr::output_type::size_bytes()).pad_to(c_where);
          constexpr auto where = Net::memory_plan.where[I + 1];
          if (Net::memory_plan.runs_in_place[I] && where == plan::Where::arena &&
              Net::memory_plan.offset[I + 1] != Net::memory_plan.offset[I])
            l.put("arena@").num(Net::memory_plan.offset[I + 1]).put(" over its input");  // with a lead
          else if (Net::memory_plan.runs_in_place[I]) l.put("in place");
          else if (where == plan::Where::output) l.put("caller");
          else l.put("arena@").num(Net::memory_plan.offset[I + 1]);
          if constexpr (Tr::scratch_bytes > 0) l.put(" +scratch ").num(Tr::scratch_bytes);
          if constexpr (Tr::stateful) l.put(" +state ").num(Tr::state_bytes);
          l.put("\n");
          sink(l.view());
        }(),
        ...);
  }(std::make_index_sequence<Net::layer_count>{});
  Line t;
  t.put("total: params ").grouped(Net::param_count).put(" (").grouped(Net::param_bytes)
      .put(" bytes), MACs ").grouped(Net::macs).put(", arena ").grouped(Net::arena_bytes)
      .put(" bytes");
  if constexpr (Net::stateful) t.put(", state ").grouped(Net::state_bytes).put(" bytes");
  t.put("\n");
  sink(t.view());
}

template <class Net, class Sink>
constexpr void summary(const Net&, Sink&& sink) {
  summary<Net>(static_cast<Sink&&>(sink));
}

}  // namespace ctml
