// SPDX-License-Identifier: Apache-2.0
#pragma once
// DepthwiseConv2D: each input channel convolved with its own M filters.
// Spec: DepthwiseConv2D<Kernel<KH, KW>, Stride<>, Same|Valid, Dilation<>, DepthMultiplier<M>,
// Fuse<>>; weights [KH][KW][C*M] (TFLite), output channel c*M+m reads input channel c.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/depthwise_conv2d.hpp>

namespace ctml {

template <class T, ShapeType In, std::size_t KH, std::size_t KW, class Opt>
struct DepthwiseConv2DLayer {
  static_assert(In::rank == 3,
                "ctml::DepthwiseConv2D expects an HWC (rank-3) input; reshape a flat input with "
                "Reshape<H, W, C> first");
  static constexpr std::size_t ih = In::extents[0], iw = In::extents[1], cin = In::extents[2];
  static constexpr std::size_t multiplier = Opt::depth_multiplier;
  static constexpr std::size_t cout = cin * multiplier;
  static constexpr auto gy = axis_geometry(ih, KH, Opt::stride::h, Opt::dilation::h, Opt::padding);
  static constexpr auto gx = axis_geometry(iw, KW, Opt::stride::w, Opt::dilation::w, Opt::padding);
  static_assert(gy.out > 0 && gx.out > 0,
                "ctml::DepthwiseConv2D: the kernel (with dilation) is larger than the input and "
                "padding is Valid, so the output would be empty; use Same or a smaller kernel");
  static constexpr kernels::Conv2DGeometry geometry = kernels::conv_geometry(
      ih, iw, cin, cout, KH, KW, Opt::stride::h, Opt::stride::w, Opt::dilation::h, Opt::dilation::w, Opt::padding);
  static constexpr Activation activation = Opt::activation;
  using options = Opt;

  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<gy.out, gx.out, cout>>;
  using weight_type = Tensor<T, Shape<KH, KW, cout>>;
  using bias_type = Tensor<T, Shape<cout>>;

  // Stride 1, multiplier 1 and an output as large as the input: runs in place, keeping the
  // (pad_top + 1) input rows it still needs in a ring: scratch = (pad_top + 1) * W * C elements.
  static constexpr bool in_place = multiplier == 1 && Opt::stride::h == 1 && Opt::stride::w == 1 &&
                                   gy.out == ih && gx.out == iw;
  static constexpr std::size_t scratch_size = in_place ? (gy.pad_before + 1) * iw * cin : 0;

  static constexpr std::string_view name = "DepthwiseConv2D";
  static constexpr std::size_t macs = gy.out * gx.out * cout * KH * KW;

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void forward(const T* in, T* out, T* scratch) const {
    kernels::depthwise_conv2d<geometry, multiplier, activation>(in, weights.data(), bias.data(), out,
                                                                in_place ? scratch : nullptr);
  }
};

template <class K, class... Opts>
struct DepthwiseConv2D {
  static_assert(detail::is_kernel<K>::value,
                "ctml::DepthwiseConv2D<Kernel<KH, KW>, options...>: the first argument must be a "
                "Kernel<>");
  template <class T, ShapeType In>
  using bind = DepthwiseConv2DLayer<T, In, K::h, K::w, ConvOptions<Opts...>>;
};

}  // namespace ctml
