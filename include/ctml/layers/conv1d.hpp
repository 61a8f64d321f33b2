// SPDX-License-Identifier: Apache-2.0
#pragma once
// Conv1D on (length, channels) activations. Spec: Conv1D<Filters, Kernel<K>, Stride<S>, Same|Valid,
// Dilation<D>, Fuse<>>; weights [Filters][K][Cin]. It is Conv2D with a height of one, and runs on
// the same kernel.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/conv2d.hpp>

namespace ctml {

template <class T, ShapeType In, std::size_t Filters, std::size_t K, class Opt>
struct Conv1DLayer {
  static_assert(In::rank == 2,
                "ctml::Conv1D expects a (length, channels) rank-2 input; use Reshape<L, C> first");
  static constexpr std::size_t len = In::extents[0], cin = In::extents[1];
  static constexpr auto g = axis_geometry(len, K, Opt::stride::h, Opt::dilation::h, Opt::padding);
  static_assert(g.out > 0, "ctml::Conv1D: the kernel is longer than the input and padding is Valid");
  static constexpr kernels::Conv2DGeometry geometry{
      1, len, cin, 1, g.out, Filters, 1, K, 1, Opt::stride::h, 1, Opt::dilation::h, 0, g.pad_before};
  static constexpr Activation activation = Opt::activation;

  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<g.out, Filters>>;
  using weight_type = Tensor<T, Shape<Filters, K, cin>>;
  using bias_type = Tensor<T, Shape<Filters>>;
  static constexpr std::string_view name = "Conv1D";
  static constexpr std::size_t macs = g.out * Filters * K * cin;

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void forward(const T* in, T* out, T*) const {
    kernels::conv2d<geometry, activation>(in, weights.data(), bias.data(), out);
  }
};

template <std::size_t Filters, class Kn, class... Opts>
struct Conv1D {
  static_assert(detail::is_kernel<Kn>::value && Kn::h == Kn::w,
                "ctml::Conv1D<Filters, Kernel<K>, options...>: the second argument must be Kernel<K>");
  template <class T, ShapeType In>
  using bind = Conv1DLayer<T, In, Filters, Kn::h, ConvOptions<Opts...>>;
};

}  // namespace ctml
