// SPDX-License-Identifier: Apache-2.0
#pragma once
// Dense (fully connected) layer. Spec: Dense<Units, Fuse<...>?>; layer: DenseLayer<T, In, Units>.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/dense.hpp>

namespace ctml {

template <class T, ShapeType In, std::size_t Units, Activation Act = Activation::none>
struct DenseLayer {
  static_assert(In::rank == 1,
                "ctml::Dense expects a rank-1 input (features); insert ctml::Flatten before it");
  static_assert(Units > 0, "ctml::Dense needs at least one unit");
  static constexpr std::size_t in_features = In::size;
  static constexpr std::size_t out_features = Units;
  static constexpr Activation activation = Act;

  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<Units>>;
  using weight_type = Tensor<T, Shape<Units, in_features>>;  // [out][in]
  using bias_type = Tensor<T, Shape<Units>>;

  static constexpr std::string_view name = "Dense";
  static constexpr std::size_t macs = Units * in_features;

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void forward(const T* in, T* out, T* /*scratch*/) const {
    kernels::dense<T, in_features, Units, Act>(in, weights.data(), bias.data(), out);
  }
  // n inputs (in: n x In, out: n x Units, contiguous), one after the other: the dense kernel is
  // already bound by multiply-add throughput, not by loads a batch could share. The same call as
  // the sparse layers' forward_batch.
  static constexpr std::size_t batch_scratch_size = 0;
  constexpr void forward_batch(const T* in, T* out, std::size_t n, T* scratch) const {
    for (std::size_t f = 0; f < n; ++f) forward(in + f * in_features, out + f * Units, scratch);
  }
};

template <std::size_t Units, class... Opts>
struct Dense {
  static_assert(((detail::is_fuse<Opts>::value) && ...),
                "ctml::Dense accepts only a Fuse<Activation::...> option");
  template <class T, ShapeType In>
  using bind = DenseLayer<T, In, Units, ConvOptions<Opts...>::activation>;
};

}  // namespace ctml
