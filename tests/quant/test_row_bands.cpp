// SPDX-License-Identifier: Apache-2.0
// int8 residual blocks run in row bands (model/row_bands.hpp, quant/residual_s8.hpp) give the
// bytes of the same block run tensor by tensor (body, projection, ADD; forward_whole), on every
// target's kernels, for the geometries a row schedule can get wrong: strides with odd sizes, a
// projection, bodies of one and three convs, tall and dilated kernels, valid padding, a stride
// beyond the kernel (rows no later row taps), and with the output overlapping the input by the
// block's declared lead (in_place_lead). Also: the row sub-geometries and the schedule's facts.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include <ctml/model/row_bands.hpp>
#include <ctml/quant/ptq.hpp>
#include <ctml/core/target.hpp>
#include <ctml/ctml.hpp>
#include <ctml/quant/quantize_model.hpp>

#include "random_net.hpp"

using namespace ctml;

namespace {

template <class L>
constexpr bool is_qresidual = requires(const L& l) {
  l.body;
  l.add;
  L::projected;
  L::banded;
};

template <class L>
constexpr bool banded_or_other = [] {
  if constexpr (is_qresidual<L>) return L::banded;
  else return true;
}();

alignas(16) std::int8_t in_buf[8192], ref_out[8192], out_buf[8192];
alignas(16) std::int8_t overlap[16384];
alignas(16) std::int8_t scratch[16384];

// Every residual block of q's model, on its input in that model: banded == whole, apart and
// overlapped with the lead.
template <class M>
int check_blocks(const M& m, const typename M::input_type& x, const char* name) {
  int checked = 0;
  std::memcpy(in_buf, x.data(), x.size());
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename M::template layer_type<I>;
          using Tr = layer_traits<L>;
          static_assert(Tr::input_type::size() <= sizeof in_buf && Tr::output_type::size() <= sizeof out_buf);
          const L& l = m.template layer<I>();
          if constexpr (is_qresidual<L>) {
            static_assert(L::scratch_size <= sizeof scratch && L::whole_scratch_size <= sizeof scratch);
            constexpr std::size_t n_in = Tr::input_type::size(), n_out = Tr::output_type::size();
            l.forward_whole(in_buf, ref_out, scratch);
            std::memset(out_buf, 0x5a, n_out);
            l.forward(in_buf, out_buf, scratch);
            CHECK_MESSAGE(std::memcmp(out_buf, ref_out, n_out) == 0, std::string(name), " layer ", I, ": banded differs from whole");
            if constexpr (L::in_place_lead != no_lead) {
              constexpr std::size_t lead = L::in_place_lead;
              static_assert(lead + (n_in > n_out ? n_in : n_out) <= sizeof overlap);
              std::memset(overlap, 0x33, sizeof overlap);
              std::memcpy(overlap + lead, in_buf, n_in);
              l.forward(overlap + lead, overlap, scratch);
              CHECK_MESSAGE(std::memcmp(overlap, ref_out, n_out) == 0, std::string(name), " layer ", I,
                            ": banded over its input (lead ", lead, ") differs from whole");
            }
            ++checked;
            std::memcpy(in_buf, ref_out, n_out);
          } else {
            using S = typename Tr::scratch_value;
            l.forward(in_buf, out_buf, reinterpret_cast<S*>(scratch));
            std::memcpy(in_buf, out_buf, Tr::output_type::size());
          }
        }(),
        ...);
  }(std::make_index_sequence<M::layer_count>{});
  return checked;
}

template <class Net>
void check_net(const char* name, std::uint32_t seed, int blocks, bool expect_banded) {
  static Net net{};
  test::Rng r{seed};
  test::init_layer(net, r);
  static std::array<typename Net::input_type, 3> xs{};
  for (auto& x : xs)
    for (auto& v : x) v = r.uniform(-1.0f, 1.0f);
  static quant::Calibrator<Net> cal(net);
  for (const auto& x : xs) cal.observe(x);
  static const auto q = cal.quantize();
  using M = std::remove_cvref_t<decltype(q.model)>;
  constexpr bool banded = []<std::size_t... I>(std::index_sequence<I...>) {
    return (banded_or_other<typename M::template layer_type<I>> && ...);
  }(std::make_index_sequence<M::layer_count>{});
  CHECK_MESSAGE(banded == expect_banded, std::string(name), ": banded ", banded);
  for (const auto& x : xs) CHECK(check_blocks(q.model, q.quantize_input(x), name) == blocks);
}

using C3 = Kernel<3, 3>;

}  // namespace

TEST_CASE("row sub-geometries of a conv: first, middle and last rows, and what they tap") {
  constexpr auto G = kernels::conv_geometry(9, 7, 3, 4, 3, 3, 1, 1, 1, 1, Padding::same);
  static_assert(kernels::row_band(G, 0).first == 0 && kernels::row_band(G, 0).g.ih == 2 && kernels::row_band(G, 0).g.pt == 1);
  static_assert(kernels::row_band(G, 4).first == 3 && kernels::row_band(G, 4).g.ih == 3 && kernels::row_band(G, 4).g.pt == 0);
  static_assert(kernels::row_band(G, 8).first == 7 && kernels::row_band(G, 8).g.ih == 2 && kernels::row_band(G, 8).g.pt == 0);
  static_assert(kernels::RowGeometries<G>::count == 3 && kernels::window_rows(G) == 3);
  // Stride 2 on an even height: TensorFlow pads only at the bottom.
  constexpr auto S = kernels::conv_geometry(8, 8, 4, 4, 3, 3, 2, 2, 1, 1, Padding::same);
  static_assert(kernels::row_band(S, 0).first == 0 && kernels::row_band(S, 0).g.ih == 3 && kernels::row_band(S, 0).g.pt == 0);
  static_assert(kernels::row_band(S, 3).first == 6 && kernels::row_band(S, 3).g.ih == 2);
  // Dilation 2: the window spans five rows.
  constexpr auto D = kernels::conv_geometry(9, 9, 2, 2, 3, 3, 1, 1, 2, 2, Padding::same);
  static_assert(kernels::window_rows(D) == 5 && kernels::row_band(D, 0).g.pt == 2);
  CHECK(kernels::RowGeometries<S>::count == 2);
}

TEST_CASE("the row schedule: windows never overflow, rows computed once, outputs in order") {
  constexpr std::array<kernels::Conv2DGeometry, 3> g{kernels::conv_geometry(11, 5, 2, 4, 3, 3, 2, 2, 1, 1, Padding::same),
                                                     kernels::conv_geometry(6, 3, 4, 4, 5, 1, 1, 1, 1, 1, Padding::same),
                                                     kernels::conv_geometry(6, 3, 4, 3, 1, 1, 1, 1, 1, 1, Padding::same)};
  struct Rec {
    std::array<std::array<int, 16>, 3> done{};
    std::array<std::size_t, 3> slot_max{};
    std::size_t outputs = 0;
    bool ok = true;
    constexpr void shift(std::size_t, std::size_t, std::size_t) {}
    constexpr void row(std::size_t i, std::size_t q, std::size_t, std::size_t slot) {
      ok = ok && done[i][q] == 0;
      ++done[i][q];
      if (slot > slot_max[i]) slot_max[i] = slot;
    }
    constexpr void output(std::size_t r) { ok = ok && r == outputs++; }
  } rec{};
  bands::walk(g, rec);
  CHECK(rec.ok);
  CHECK(rec.outputs == 6);
  // Layer 0 (11 rows, stride 2) computes its 6 rows, each once; its output fills window 1's five rows.
  for (std::size_t q = 0; q < 6; ++q) CHECK(rec.done[0][q] == 1);
  CHECK(rec.slot_max[0] + 1 == kernels::window_rows(g[1]));
  CHECK(rec.slot_max[1] + 1 == kernels::window_rows(g[2]));
}

TEST_CASE("int8 residual blocks in row bands equal the whole-tensor block, also over their input") {
  // Identity blocks around 3x3 convs on an odd-sized image.
  check_net<Sequential<float, Shape<9, 7, 3>, Conv2D<8, C3, Same>, ReLU,
                       Residual<Block<Conv2D<8, C3, Same>, BatchNorm, ReLU, Conv2D<8, C3, Same>, BatchNorm>>, ReLU,
                       Residual<Block<Conv2D<8, C3, Same>, ReLU>>, GlobalAveragePool, Dense<3>>>("identity 9x7", 1, 2, true);
  // Strided bodies with a 1x1 strided projection, odd and even heights.
  check_net<Sequential<float, Shape<11, 9, 4>, Conv2D<6, C3, Same>, ReLU,
                       Residual<Block<Conv2D<12, C3, Stride<2>, Same>, ReLU, Conv2D<12, C3, Same>>,
                                Block<Conv2D<12, Kernel<1>, Stride<2>, Same>>>,
                       ReLU,
                       Residual<Block<Conv2D<16, C3, Stride<2>, Same>, ReLU, Conv2D<16, C3, Same>>,
                                Block<Conv2D<16, Kernel<1>, Stride<2>, Same>>>,
                       GlobalAveragePool, Dense<2>>>("strided projections 11x9", 2, 2, true);
  // A body of three convs (tall 5x1, dilated 3x3, 1x1) and a valid-padded block with a valid
  // projection of the same extent; a 1x1 stride-3 body whose rows skip input rows.
  check_net<Sequential<float, Shape<12, 10, 4>, Conv2D<8, C3, Same>, ReLU,
                       Residual<Block<Conv2D<8, Kernel<5, 1>, Same>, ReLU, Conv2D<8, C3, Dilation<2>, Same>, ReLU,
                                      Conv2D<8, Kernel<1>, Same>>>,
                       Residual<Block<Conv2D<6, C3, Valid>, ReLU>, Block<Conv2D<6, C3, Valid>>>,
                       Residual<Block<Conv2D<6, Kernel<1>, Stride<3>, Same>>, Block<Conv2D<6, Kernel<1>, Stride<3>, Same>>>,
                       GlobalAveragePool, Dense<2>>>("three-conv body, valid, stride 3", 3, 3, true);
  // One-pixel rows: the Arm DSP kernel reads other weights for a single pixel than for a pair,
  // so there the block runs whole (same bytes either way).
  check_net<Sequential<float, Shape<8, 1, 4>, Residual<Block<Conv2D<4, Kernel<3, 1>, Same>, ReLU, Conv2D<4, Kernel<3, 1>, Same>>>,
                       Flatten, Dense<2>>>("one column", 4, 1, !(target::dsp && !target::mve));
}

TEST_CASE("ResNet-8's first block: banded scratch and lead") {
  using B = quant::QResidualLayer<Shape<32, 32, 16>,
                                  Chain<quant::QConv2DLayer<kernels::conv_geometry(32, 32, 16, 16, 3, 3, 1, 1, 1, 1, Padding::same)>,
                                        quant::QConv2DLayer<kernels::conv_geometry(32, 32, 16, 16, 3, 3, 1, 1, 1, 1, Padding::same)>>>;
  static_assert(B::banded);
  // Window of three 512-byte rows, the output row, the kernels' scratch; the output over the input.
  static_assert(B::band_facts::row_at == 3 * 512 && B::band_facts::kernel_at == 4 * 512);
  static_assert(B::in_place_lead == 0);
  static_assert(B::scratch_size < 3 * 1024 && B::whole_scratch_size > 16 * 1024);
  CHECK(B::scratch_size == 4 * 512 + B::band_facts::kernel_scratch);
}
