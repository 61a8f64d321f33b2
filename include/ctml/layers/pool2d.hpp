// SPDX-License-Identifier: Apache-2.0
#pragma once
// MaxPool2D / AveragePool2D over HWC activations, and GlobalAveragePool (HWC -> C).
// Spec: MaxPool2D<Pool<H, W>, Stride<>, Same|Valid, Fuse<>>. Without a Stride the stride equals
// the window (Keras' default), so AveragePool2D<Pool<25, 5>> on a 25x5 map yields 1x1.
#include <cstddef>
#include <string_view>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/pool2d.hpp>

namespace ctml {

template <class T, ShapeType In, kernels::PoolKind K, std::size_t PH, std::size_t PW, class Stride_,
          class Opt>
struct Pool2DLayer {
  static_assert(In::rank == 3, "ctml::MaxPool2D/AveragePool2D expect an HWC (rank-3) input");
  static_assert(Opt::dilation::h == 1 && Opt::dilation::w == 1, "ctml: pools take no Dilation<>");
  static constexpr std::size_t ih = In::extents[0], iw = In::extents[1], c = In::extents[2];
  static constexpr auto gy = axis_geometry(ih, PH, Stride_::h, 1, Opt::padding);
  static constexpr auto gx = axis_geometry(iw, PW, Stride_::w, 1, Opt::padding);
  static_assert(gy.out > 0 && gx.out > 0,
                "ctml: the pool window is larger than the input and padding is Valid");
  static constexpr kernels::Conv2DGeometry geometry =
      kernels::conv_geometry(ih, iw, c, c, PH, PW, Stride_::h, Stride_::w, 1, 1, Opt::padding);
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<gy.out, gx.out, c>>;
  static constexpr std::string_view name = K == kernels::PoolKind::max ? "MaxPool2D" : "AveragePool2D";
  constexpr void forward(const T* in, T* out, T*) const {
    kernels::pool2d<geometry, K, Opt::activation>(in, out);
  }
};

namespace detail {
template <class P, class... Opts>
using pool_stride_t = typename find_opt<is_stride, Stride<P::h, P::w>, Opts...>::type;
template <class P>
inline constexpr bool check_pool = is_pool<P>::value;
}  // namespace detail

template <class P, class... Opts>
struct MaxPool2D {
  static_assert(detail::check_pool<P>, "ctml::MaxPool2D<Pool<H, W>, options...>: first argument must be a Pool<>");
  template <class T, ShapeType In>
  using bind = Pool2DLayer<T, In, kernels::PoolKind::max, P::h, P::w, detail::pool_stride_t<P, Opts...>,
                           ConvOptions<Opts...>>;
};

template <class P, class... Opts>
struct AveragePool2D {
  static_assert(detail::check_pool<P>, "ctml::AveragePool2D<Pool<H, W>, options...>: first argument must be a Pool<>");
  template <class T, ShapeType In>
  using bind = Pool2DLayer<T, In, kernels::PoolKind::average, P::h, P::w,
                           detail::pool_stride_t<P, Opts...>, ConvOptions<Opts...>>;
};

template <class T, ShapeType In>
struct GlobalAveragePoolLayer {
  static_assert(In::rank >= 2, "ctml::GlobalAveragePool expects a (H, W, C) or (L, C) input");
  static constexpr std::size_t c = In::extents[In::rank - 1];
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<c>>;
  static constexpr std::string_view name = "GlobalAveragePool";
  constexpr void forward(const T* in, T* out, T*) const {
    kernels::global_average_pool<In::size / c, c>(in, out);
  }
};

struct GlobalAveragePool {
  template <class T, ShapeType In>
  using bind = GlobalAveragePoolLayer<T, In>;
};

}  // namespace ctml
