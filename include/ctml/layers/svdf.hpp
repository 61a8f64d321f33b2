// SPDX-License-Identifier: Apache-2.0
#pragma once
// SVDF, float: one frame per call with the last M feature responses in the caller's state (a
// StatefulLayer: TFLite's SVDF keeps them in a variable tensor). Spec: SVDF<Units, Rank, Memory,
// Fuse<...>?> over a [features] input; math: kernels/svdf.hpp. Its int8 twin:
// quant/svdf_s8.hpp.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/svdf.hpp>

namespace ctml {

template <class T, ShapeType In, std::size_t Units, std::size_t Rank, std::size_t Memory, Activation Act = Activation::none>
struct SVDFLayer {
  static_assert(In::rank == 1, "ctml::SVDF takes one frame's [features] per call");
  static_assert(Units > 0 && Rank > 0 && Memory > 0, "ctml::SVDF needs units, rank and memory of at least 1");
  static constexpr std::size_t features = In::size;
  static constexpr std::size_t filters = Units * Rank;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<Units>>;
  static constexpr std::string_view name = "SVDF";
  static constexpr std::size_t macs = filters * (features + Memory);
  static constexpr std::size_t scratch_size = filters;

  Tensor<T, Shape<filters, features>> w_feature;
  Tensor<T, Shape<filters, Memory>> w_time;
  Tensor<T, Shape<Units>> bias;

  constexpr auto parameters() { return std::tie(w_feature, w_time, bias); }
  constexpr auto parameters() const { return std::tie(w_feature, w_time, bias); }

  struct state_type {
    T memory[filters * Memory];  // per filter, the last Memory responses, oldest first
  };
  constexpr void reset(state_type& s) const {
    for (auto& v : s.memory) v = T{};
  }
  constexpr void forward(const T* in, T* out, T* scratch, state_type& s) const {
    kernels::svdf_step<T, features, Units, Rank, Memory, Act>(in, s.memory, w_feature.data(), w_time.data(), bias.data(), out,
                                                               scratch);
  }
};

template <std::size_t Units, std::size_t Rank, std::size_t Memory, class... Opts>
struct SVDF {
  static_assert(((detail::is_fuse<Opts>::value) && ...), "ctml::SVDF accepts only a Fuse<Activation::...> option");
  template <class T, ShapeType In>
  using bind = SVDFLayer<T, In, Units, Rank, Memory, ConvOptions<Opts...>::activation>;
};

}  // namespace ctml
