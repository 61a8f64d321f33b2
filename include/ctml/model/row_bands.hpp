// SPDX-License-Identifier: Apache-2.0
#pragma once
// Row-banded execution of a chain of convolutions (a residual block's body), so that the chain's
// intermediate tensors never exist whole: each layer after the first reads a window of the rows
// it needs, held in a buffer of kh rows (more with dilation), and the last layer's rows come out
// one at a time. MCUNetV2's patch-based inference applies the idea to columns and rows of the
// first layers; here it keeps a ResNet block's two 16 KB intermediates down to a few rows.
//
// The schedule (walk) pulls rows: to compute row q of layer i, the window of layer i's input is
// shifted so that it starts at the first row q taps (rows above are no longer needed by any
// later row of layer i), then the previous layer computes the rows q still lacks into the
// window's tail, recursively; layer 0 reads the chain's input directly. Each row is computed by
// the layer's own kernel on the sub-geometry kernels::row_band gives (one output row, the window
// as the input), so every byte equals the unbanded chain's.
//
//   window[i]  (i >= 1): rows of layer i's input,  rows(i) = max over q of row_band(G_i, q).g.ih
//   scratch    = windows + the last layer's row + (a projection's row) + the largest kernel scratch
//
// The order is fixed at compile time, so which bytes of the chain's input are still to be read
// when an output row is written is known too: `lead_bytes` lets the block's output overlap its
// input (model/plan.hpp, in-place lead).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <ctml/kernels/conv2d.hpp>

namespace ctml::bands {

using kernels::Conv2DGeometry;
using kernels::row_band;
using kernels::RowGeometries;
using kernels::window_rows;

inline constexpr std::size_t align = 16;
constexpr std::size_t align_up(std::size_t n) { return (n + align - 1) / align * align; }

constexpr std::size_t in_row_bytes(const Conv2DGeometry& g) { return g.iw * g.cin; }
constexpr std::size_t out_row_bytes(const Conv2DGeometry& g) { return g.ow * g.cout; }

// A chain of N convolutions, geometries g[0..N-1] (g[i]'s output is g[i+1]'s input), run row by
// row; `Ops` receives the work in order:
//   ops.shift(i, from, rows)   window i: move rows [from, from + rows) to the front
//   ops.row(i, q, first, slot) compute row q of layer i; its input starts at row `first` (of the
//                              chain's input for i = 0, window i's front otherwise); its output
//                              goes to row `slot` of window i + 1 (the last layer: its row buffer)
//   ops.output(r)              the last layer's row r is complete
template <std::size_t N, class Ops>
constexpr void walk(const std::array<Conv2DGeometry, N>& g, Ops& ops) {
  std::array<std::size_t, N> produced{};  // rows of layer i computed (or skipped) so far
  std::array<std::size_t, N> base{};      // window i's first row (an index into layer i's input)
  // Row q of layer i; every row of layer i before q has been computed or is never needed.
  auto compute = [&](auto& self, std::size_t i, std::size_t q) -> void {
    const auto b = row_band(g[i], q);
    if (i > 0) {
      std::size_t& have = produced[i - 1];
      if (b.first > base[i]) {
        const std::size_t keep = have > b.first ? have - b.first : 0;
        if (keep > 0) ops.shift(i, b.first - base[i], keep);
        base[i] = b.first;
      }
      if (have < b.first) have = b.first;  // rows no later row taps (a stride beyond the kernel)
      while (have < b.first + b.g.ih) self(self, i - 1, have);
    }
    ops.row(i, q, b.first, i + 1 < N ? q - base[i + 1] : 0);
    produced[i] = q + 1;
  };
  for (std::size_t r = 0; r < g[N - 1].oh; ++r) {
    compute(compute, N - 1, r);
    ops.output(r);
  }
}

// How far the chain's output may start before its input in one buffer (model/plan.hpp's in-place
// lead), given when the block reads its input: layer 0's rows, and the shortcut's rows when
// output row r is written (`shortcut_first(r)`: the first input row a projection reads for it,
// before the row is written; an identity shortcut reads input row r element by element as output
// row r is written, so only later rows count). Rows: the last layer's output rows; in_row and
// out_row: bytes of one input and one output row. Rounded up to the arena's alignment.
enum class Shortcut { none, identity, projection };
template <std::size_t N, std::size_t Rows, class ShortcutFirst>
constexpr std::size_t lead_bytes(const std::array<Conv2DGeometry, N>& g, std::size_t in_row, std::size_t out_row,
                                 Shortcut shortcut, ShortcutFirst shortcut_first) {
  constexpr std::size_t none = ~std::size_t{0};
  // first_read[k]: the first input byte read after k output rows were written.
  struct Rec {
    std::array<std::size_t, Rows + 1> first_read{};
    std::size_t written = 0, in_row;
    Shortcut shortcut;
    ShortcutFirst sf;
    constexpr void read(std::size_t row) { first_read[written] = std::min(first_read[written], row * in_row); }
    constexpr void shift(std::size_t, std::size_t, std::size_t) {}
    constexpr void row(std::size_t i, std::size_t, std::size_t first, std::size_t) {
      if (i == 0) read(first);
    }
    constexpr void output(std::size_t r) {
      if (shortcut == Shortcut::projection) read(sf(r));
      ++written;
      if (shortcut == Shortcut::identity && r + 1 < Rows) read(r + 1);
    }
  } rec{{}, 0, in_row, shortcut, shortcut_first};
  for (auto& f : rec.first_read) f = none;
  walk(g, rec);
  std::size_t lead = 0, first_later = none;
  for (std::size_t r = Rows; r-- > 0;) {
    first_later = std::min(first_later, rec.first_read[r + 1]);  // reads after row r is written
    const std::size_t end = (r + 1) * out_row;
    if (first_later != none && end > first_later) lead = std::max(lead, end - first_later);
  }
  return align_up(lead);
}

}  // namespace ctml::bands
