// SPDX-License-Identifier: Apache-2.0
#pragma once
// Transposed 2-D convolution, float (kernels/transpose_conv2d.hpp): the upsampling layer of
// decoders and segmentation heads (TFLite's TRANSPOSE_CONV, PyTorch's ConvTranspose2d with
// groups 1). The output size is part of the geometry, as TFLite gives it.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/concepts.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/kernels/transpose_conv2d.hpp>

namespace ctml {

template <kernels::TransposeConv2DGeometry G, Activation Act = Activation::none>
struct TransposeConv2DLayer {
  static_assert(G.ih > 0 && G.iw > 0 && G.cin > 0 && G.oh > 0 && G.ow > 0 && G.cout > 0 && G.kh > 0 && G.kw > 0 && G.sh > 0 &&
                    G.sw > 0,
                "ctml::TransposeConv2DLayer: every extent, kernel size and stride must be at least 1");
  using input_type = Tensor<float, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<float, Shape<G.oh, G.ow, G.cout>>;
  using weight_type = Tensor<float, Shape<G.cout, G.kh, G.kw, G.cin>>;
  using bias_type = Tensor<float, Shape<G.cout>>;
  static constexpr std::string_view name = "TransposeConv2D";
  static constexpr std::size_t macs = G.ih * G.iw * G.cin * G.kh * G.kw * G.cout;  // every tap, in range or not

  weight_type weights{};
  bias_type bias{};
  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void forward(const float* in, float* out, float*) const {
    kernels::transpose_conv2d<G>(in, weights.data(), bias.data(), out, [](float v) { return kernels::activate<Act>(v); });
  }
};

}  // namespace ctml
