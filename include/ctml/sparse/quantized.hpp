// SPDX-License-Identifier: Apache-2.0
#pragma once
// int8 sparse layers with TFLite int8 semantics, bit-identical to the dense int8 layers
// (ctml/quant/) on the same pruned weights:
//   acc[r] = bias[r] + sum_k w[r][k] * (x[col_k] - in_zp)
//          = (bias[r] - in_zp * sum_k w[r][k]) + sum_k w[r][k] * x[col_k]
//   y[r]   = clamp(MultiplyByQuantizedMultiplier(acc[r], M[r]) + out_zp, act_min, act_max)
// The first term is the effective bias, computed from the *pruned* weights (prepare()); the sum
// is accumulated exactly in int32, so the order of the non-zeros does not matter. Padded
// convolution taps read the input zero point, whose (x - zp) is exactly zero, as in TFLite.
//   QSparseDenseLayer<W, In>                 from quant::QDenseLayer
//   QSparseConvLayer<W, G, In, Out, DW>      from quant::QConv2DLayer / QDepthwiseConv2DLayer
//   to_sparse<Format, NNZ>(qlayer), to_csr_layer<NNZ>, to_sliced_layer<NNZ>, to_n_m_layer<N, M>,
//   compress<constexpr_qlayer>()             as for float (layers.hpp)
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/quant/conv_s8.hpp>
#include <ctml/quant/dense_s8.hpp>
#include <ctml/core/requantize.hpp>
#include <ctml/sparse/layers.hpp>

namespace ctml::sparse {

template <class W, ShapeType In>
struct QSparseDenseLayer : quant::OutputStage {
  static_assert(std::is_same_v<typename W::value_type, std::int8_t>);
  static_assert(In::rank == 1 && W::cols_count == In::size);
  static constexpr std::size_t rows = W::rows;
  using input_type = Tensor<std::int8_t, In>;
  using output_type = Tensor<std::int8_t, Shape<rows>>;
  using weight_type = SparseWeights<W>;
  static constexpr std::string_view name = "QSparseDense";
  static constexpr std::size_t nnz = W::nnz;
  static constexpr std::size_t macs = W::nnz;

  weight_type weights;
  Tensor<std::int32_t, Shape<rows>> bias;
  Tensor<std::int32_t, Shape<rows>> multiplier;
  Tensor<std::int32_t, Shape<rows>> shift;
  Tensor<std::int32_t, Shape<rows>> effective_bias;  // bias - in_zp * sum of the kept weights

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void prepare() {
    ::ctml::detail::side_effect_fence();
    std::int32_t sum[rows]{};
    weights.for_each([&](std::size_t r, std::size_t, std::int8_t v) { sum[r] += v; });
    for (std::size_t r = 0; r < rows; ++r) effective_bias[r] = quant::fold_zero_point(bias[r], input_zero_point, sum[r]);
  }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t*) const {
    weights.template rows_dot<std::int32_t>(in, [&](std::size_t r, std::int32_t acc) {
      out[r] = finish(acc + effective_bias[r], multiplier[r], shift[r]);
    });
  }

  // n inputs at once (in: n x In, out: n x rows), as SparseDenseLayer::forward_batch: with Csr one
  // pass over the non-zeros per batch_block inputs, interleaved into scratch (batch_scratch_size
  // bytes). The int32 sums are exact, so every output equals forward()'s bit for bit.
  static constexpr std::size_t batch_block = detail::interleaved_format<W> ? kernels::interleave_block : 1;
  static constexpr std::size_t batch_scratch_size = batch_block > 1 ? In::size * batch_block + 16 : 0;

  constexpr void forward_batch(const std::int8_t* in, std::int8_t* out, std::size_t n, std::int8_t* scratch) const {
    ::ctml::detail::side_effect_fence();
    if constexpr (batch_block > 1) {
      detail::interleaved_rows<std::int32_t, batch_block, In::size>(
          weights, in, out, n, scratch,
          [&](std::size_t r, std::int32_t acc) { return finish(acc + effective_bias[r], multiplier[r], shift[r]); },
          [&](const std::int8_t* x, std::size_t f) { forward(x, out + f * rows, nullptr); });
    } else {
      for (std::size_t f = 0; f < n; ++f) forward(in + f * In::size, out + f * rows, scratch);
    }
  }
};

template <class W, kernels::Conv2DGeometry G, ShapeType InS, ShapeType OutS, bool Depthwise = false>
struct QSparseConvLayer : quant::OutputStage {
  using frame = detail::ConvFrame<G>;
  static_assert(std::is_same_v<typename W::value_type, std::int8_t>);
  static_assert(W::rows == G.cout && W::cols_count == frame::span);
  static constexpr kernels::Conv2DGeometry geometry = G;
  using input_type = Tensor<std::int8_t, InS>;
  using output_type = Tensor<std::int8_t, OutS>;
  using weight_type = SparseWeights<W>;
  static constexpr bool pointwise = frame::pointwise;
  static constexpr bool in_place = pointwise && G.cout <= G.cin;
  // Pointwise convs with CSR on x86 interleave interleave_block pixels into scratch for the SSE2
  // kernel (as the float layer on SIMD hosts); elsewhere pixel_block pixels are read in place.
  static constexpr bool interleaved =
      kernels::interleave_s8_vectorised && pointwise && detail::interleaved_format<W>;
  static constexpr std::size_t pixel_block = interleaved ? 1 : detail::pixel_block_for<W>(pointwise);
  static constexpr std::size_t scratch_size =
      interleaved ? G.cin * kernels::interleave_block + 16
                  : (frame::padded ? frame::image_size : (in_place ? G.cin * pixel_block : 0));
  static constexpr std::string_view name = Depthwise ? "QSparseDepthwiseConv2D" : (pointwise ? "QSparseConv 1x1" : "QSparseConv");
  static constexpr std::size_t nnz = W::nnz;
  static constexpr std::size_t macs = W::nnz * G.oh * G.ow;

  weight_type weights;
  Tensor<std::int32_t, Shape<G.cout>> bias;
  Tensor<std::int32_t, Shape<G.cout>> multiplier;
  Tensor<std::int32_t, Shape<G.cout>> shift;
  Tensor<std::int32_t, Shape<G.cout>> effective_bias;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void prepare() {
    ::ctml::detail::side_effect_fence();
    std::int32_t sum[G.cout]{};
    weights.for_each([&](std::size_t r, std::size_t, std::int8_t v) { sum[r] += v; });
    for (std::size_t r = 0; r < G.cout; ++r) effective_bias[r] = quant::fold_zero_point(bias[r], input_zero_point, sum[r]);
  }

  constexpr void forward(const std::int8_t* in, std::int8_t* out, std::int8_t* scratch) const {
    ::ctml::detail::side_effect_fence();
    const std::int8_t* image = in;
    if constexpr (frame::padded) {
      frame::pad_image(in, scratch, static_cast<std::int8_t>(input_zero_point));
      image = scratch;
    }
    auto single = [&](const std::int8_t* x, std::size_t p) {
      std::int8_t* o = out + p * G.cout;
      weights.template rows_dot<std::int32_t>(x, [&](std::size_t r, std::int32_t acc) {
        o[r] = finish(acc + effective_bias[r], multiplier[r], shift[r]);
      });
    };
    if constexpr (interleaved) {
      detail::interleaved_rows<std::int32_t, kernels::interleave_block, G.cin>(
          weights, in, out, G.ih * G.iw, scratch,
          [&](std::size_t r, std::int32_t acc) { return finish(acc + effective_bias[r], multiplier[r], shift[r]); },
          single);
    } else if constexpr (pixel_block > 1) {
      detail::pointwise_blocks<G, pixel_block, std::int8_t>(in, scratch, in_place, [&](const std::int8_t* x, std::size_t p0) {
        weights.template rows_dot_pixels<std::int32_t, pixel_block>(
            x, G.cin, [&](std::size_t r, const std::int32_t (&acc)[pixel_block]) {
              for (std::size_t p = 0; p < pixel_block; ++p)
                out[(p0 + p) * G.cout + r] = finish(acc[p] + effective_bias[r], multiplier[r], shift[r]);
            });
      }, single);
    } else {
      frame::for_pixels(image, scratch, in_place, single);
    }
  }
};

namespace detail {
template <class Dst, class Src>
constexpr void copy_output_stage(Dst& d, const Src& s) {
  d.input_zero_point = s.input_zero_point;
  d.output_zero_point = s.output_zero_point;
  d.act_min = s.act_min;
  d.act_max = s.act_max;
  d.bias = s.bias;
  d.multiplier = s.multiplier;
  d.shift = s.shift;
  d.prepare();
}
}  // namespace detail

template <class In, std::size_t Units>
struct sparse_conversion<quant::QDenseLayer<In, Units>> {
  template <class Fmt, std::size_t NNZ>
  static constexpr auto convert(const quant::QDenseLayer<In, Units>& d) {
    const RowMajor<std::int8_t, Units, In::size> src{d.weights.data()};
    using W = decltype(Fmt::template make<NNZ, In::size>(src));
    QSparseDenseLayer<W, In> s{};
    static_cast<W&>(s.weights) = Fmt::template make<NNZ, In::size>(src);
    detail::copy_output_stage(s, d);
    return s;
  }
};

namespace detail {
template <class Fmt, std::size_t NNZ, bool DW, kernels::Conv2DGeometry G, class Src, class L>
constexpr auto to_sparse_qconv(const L& l) {
  const Src src{l.weights.data()};
  using W = decltype(Fmt::template make<NNZ, ConvFrame<G>::span>(src));
  QSparseConvLayer<W, G, typename L::input_type::shape_type, typename L::output_type::shape_type, DW> s{};
  static_cast<W&>(s.weights) = Fmt::template make<NNZ, ConvFrame<G>::span>(src);
  copy_output_stage(s, l);
  return s;
}
}  // namespace detail

template <kernels::Conv2DGeometry G>
struct sparse_conversion<quant::QConv2DLayer<G>> {
  template <class Fmt, std::size_t NNZ>
  static constexpr auto convert(const quant::QConv2DLayer<G>& c) {
    return detail::to_sparse_qconv<Fmt, NNZ, false, G, detail::ConvSource<G, std::int8_t>>(c);
  }
};
template <kernels::Conv2DGeometry G>
struct sparse_conversion<quant::QDepthwiseConv2DLayer<G>> {
  template <class Fmt, std::size_t NNZ>
  static constexpr auto convert(const quant::QDepthwiseConv2DLayer<G>& c) {
    return detail::to_sparse_qconv<Fmt, NNZ, true, G, detail::DepthwiseSource<G, G.cout / G.cin, std::int8_t>>(c);
  }
};

}  // namespace ctml::sparse
