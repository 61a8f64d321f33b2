// SPDX-License-Identifier: Apache-2.0
#pragma once
// Conv2D on HWC activations. Spec: Conv2D<Filters, Kernel<KH, KW>, Stride<>, Same|Valid,
// Dilation<>, Fuse<>> (options in any order); layer: Conv2DLayer<T, In, Filters, KH, KW, Options>.
// Weights are OHWI: [Filters][KH][KW][Cin], as TFLite stores them.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/conv2d.hpp>

namespace ctml {

template <class T, ShapeType In, std::size_t Filters, std::size_t KH, std::size_t KW, class Opt>
struct Conv2DLayer {
  static_assert(In::rank == 3,
                "ctml::Conv2D expects an HWC (rank-3) input; reshape a flat input with "
                "Reshape<H, W, C> first");
  static constexpr std::size_t ih = In::extents[0], iw = In::extents[1], cin = In::extents[2];
  static constexpr auto gy = axis_geometry(ih, KH, Opt::stride::h, Opt::dilation::h, Opt::padding);
  static constexpr auto gx = axis_geometry(iw, KW, Opt::stride::w, Opt::dilation::w, Opt::padding);
  static_assert(gy.out > 0 && gx.out > 0,
                "ctml::Conv2D: the kernel (with dilation) is larger than the input and padding is "
                "Valid, so the output would be empty; use Same or a smaller kernel");
  static constexpr kernels::Conv2DGeometry geometry = kernels::conv_geometry(
      ih, iw, cin, Filters, KH, KW, Opt::stride::h, Opt::stride::w, Opt::dilation::h, Opt::dilation::w, Opt::padding);
  static constexpr Activation activation = Opt::activation;
  using options = Opt;

  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<gy.out, gx.out, Filters>>;
  using weight_type = Tensor<T, Shape<Filters, KH, KW, cin>>;
  using bias_type = Tensor<T, Shape<Filters>>;

  static constexpr bool pointwise = KH == 1 && KW == 1 && Opt::stride::h == 1 && Opt::stride::w == 1;
  // A pointwise conv that does not widen the activation runs in place with one pixel of scratch.
  static constexpr bool in_place = pointwise && Filters <= cin;
  static constexpr std::size_t scratch_size = in_place ? cin : 0;

  static constexpr std::string_view name = pointwise ? "Conv2D 1x1" : "Conv2D";
  static constexpr std::size_t macs = gy.out * gx.out * Filters * KH * KW * cin;

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void forward(const T* in, T* out, T* scratch) const {
    if constexpr (pointwise)
      kernels::pointwise_conv<ih * iw, cin, Filters, activation>(in, weights.data(), bias.data(), out,
                                                                 in_place ? scratch : nullptr);
    else
      kernels::conv2d<geometry, activation>(in, weights.data(), bias.data(), out);
  }
};

template <std::size_t Filters, class K, class... Opts>
struct Conv2D {
  static_assert(detail::is_kernel<K>::value,
                "ctml::Conv2D<Filters, Kernel<KH, KW>, options...>: the second argument must be "
                "a Kernel<>");
  static_assert(Filters > 0, "ctml::Conv2D needs at least one filter");
  template <class T, ShapeType In>
  using bind = Conv2DLayer<T, In, Filters, K::h, K::w, ConvOptions<Opts...>>;
};

}  // namespace ctml
