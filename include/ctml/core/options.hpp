// SPDX-License-Identifier: Apache-2.0
#pragma once
// Option types for layer specs: Conv2D<64, Kernel<10, 4>, Stride<2>, Same, Fuse<Activation::relu>>.
// Options are types, so they can be given in any order and each has a default.
#include <cstddef>
#include <type_traits>

namespace ctml {

template <std::size_t H, std::size_t W = H>
struct Kernel {
  static_assert(H > 0 && W > 0, "ctml::Kernel: kernel extents must be at least 1");
  static constexpr std::size_t h = H, w = W;
};
template <std::size_t H, std::size_t W = H>
struct Stride {
  static_assert(H > 0 && W > 0, "ctml::Stride: strides must be at least 1");
  static constexpr std::size_t h = H, w = W;
};
template <std::size_t H, std::size_t W = H>
struct Dilation {
  static_assert(H > 0 && W > 0, "ctml::Dilation: dilations must be at least 1");
  static constexpr std::size_t h = H, w = W;
};
// For pools: the window.
template <std::size_t H, std::size_t W = H>
struct Pool {
  static_assert(H > 0 && W > 0, "ctml::Pool: pool window extents must be at least 1");
  static constexpr std::size_t h = H, w = W;
};

enum class Padding { valid, same };
struct Valid { static constexpr Padding value = Padding::valid; };
struct Same { static constexpr Padding value = Padding::same; };

// Activations a conv/dense/pool may apply to its result without another pass (as TFLite fuses).
enum class Activation { none, relu, relu6, relu_n1_to_1 };
template <Activation A>
struct Fuse { static constexpr Activation value = A; };

template <std::size_t M>
struct DepthMultiplier {
  static_assert(M > 0, "ctml::DepthMultiplier must be at least 1");
  static constexpr std::size_t value = M;
};

namespace detail {
template <template <std::size_t, std::size_t> class Tmpl, class T>
struct is_pair_opt : std::false_type {};
template <template <std::size_t, std::size_t> class Tmpl, std::size_t A, std::size_t B>
struct is_pair_opt<Tmpl, Tmpl<A, B>> : std::true_type {};

template <class T> struct is_padding : std::bool_constant<std::is_same_v<T, Same> || std::is_same_v<T, Valid>> {};
template <class T> struct is_fuse : std::false_type {};
template <Activation A> struct is_fuse<Fuse<A>> : std::true_type {};
template <class T> struct is_depth_mult : std::false_type {};
template <std::size_t M> struct is_depth_mult<DepthMultiplier<M>> : std::true_type {};
template <class T> struct is_stride : is_pair_opt<Stride, T> {};
template <class T> struct is_dilation : is_pair_opt<Dilation, T> {};
template <class T> struct is_kernel : is_pair_opt<Kernel, T> {};
template <class T> struct is_pool : is_pair_opt<Pool, T> {};

// First option satisfying Pred, or Default.
template <template <class> class Pred, class Default, class... Opts>
struct find_opt { using type = Default; };
template <template <class> class Pred, class Default, class O, class... Rest>
struct find_opt<Pred, Default, O, Rest...>
    : std::conditional_t<Pred<O>::value, std::type_identity<O>, find_opt<Pred, Default, Rest...>> {};

template <template <class> class Pred, class... Opts>
inline constexpr std::size_t count_opt = (std::size_t{0} + ... + (Pred<Opts>::value ? 1u : 0u));

template <class O>
inline constexpr bool is_conv_option =
    is_stride<O>::value || is_dilation<O>::value || is_padding<O>::value || is_fuse<O>::value ||
    is_depth_mult<O>::value;
}  // namespace detail

// Resolved convolution/pool options with defaults (stride 1, valid padding, no dilation, no
// activation, depth multiplier 1). Unknown or repeated options are compile errors.
template <class... Opts>
struct ConvOptions {
  static_assert((detail::is_conv_option<Opts> && ...),
                "ctml: unknown layer option; expected Stride<>, Dilation<>, Same, Valid, "
                "Fuse<Activation::...> or DepthMultiplier<>");
  static_assert(detail::count_opt<detail::is_stride, Opts...> <= 1, "ctml: Stride<> given twice");
  static_assert(detail::count_opt<detail::is_dilation, Opts...> <= 1, "ctml: Dilation<> given twice");
  static_assert(detail::count_opt<detail::is_padding, Opts...> <= 1, "ctml: padding given twice");
  static_assert(detail::count_opt<detail::is_fuse, Opts...> <= 1, "ctml: Fuse<> given twice");
  using stride = typename detail::find_opt<detail::is_stride, Stride<1, 1>, Opts...>::type;
  using dilation = typename detail::find_opt<detail::is_dilation, Dilation<1, 1>, Opts...>::type;
  static constexpr Padding padding =
      detail::find_opt<detail::is_padding, Valid, Opts...>::type::value;
  static constexpr Activation activation =
      detail::find_opt<detail::is_fuse, Fuse<Activation::none>, Opts...>::type::value;
  static constexpr std::size_t depth_multiplier =
      detail::find_opt<detail::is_depth_mult, DepthMultiplier<1>, Opts...>::type::value;
};

// Output extent and leading padding along one axis, TensorFlow convention:
// valid: out = ceil((in - eff_k + 1) / s); same: out = ceil(in / s), pad_total split with the
// smaller half before.
struct AxisGeometry {
  std::size_t out;
  std::size_t pad_before;
};
constexpr AxisGeometry axis_geometry(std::size_t in, std::size_t k, std::size_t s, std::size_t d,
                                     Padding p) {
  const std::size_t eff_k = (k - 1) * d + 1;
  if (p == Padding::same) {
    const std::size_t out = (in + s - 1) / s;
    const std::size_t need = (out - 1) * s + eff_k;
    const std::size_t total = need > in ? need - in : 0;
    return {out, total / 2};
  }
  if (eff_k > in) return {0, 0};
  return {(in - eff_k) / s + 1, 0};
}

}  // namespace ctml
