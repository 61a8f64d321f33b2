// SPDX-License-Identifier: Apache-2.0
#pragma once
// Batch normalisation for inference, over the last (channel) axis:
//   y = gamma * (x - running_mean) / sqrt(running_var + epsilon) + beta
// Runs in place. fold_batchnorm() merges it into the preceding Dense / Conv1D / Conv2D /
// DepthwiseConv2D, which is what a deployed model should do.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/core/math.hpp>
#include <ctml/core/options.hpp>
#include <type_traits>

namespace ctml {

template <class T, ShapeType S>
struct BatchNormLayer {
  static constexpr std::size_t channels = S::extents[S::rank - 1];
  using input_type = Tensor<T, S>;
  using output_type = Tensor<T, S>;
  using param_type = Tensor<T, Shape<channels>>;
  static constexpr bool in_place = true;
  static constexpr std::string_view name = "BatchNorm";

  param_type gamma;
  param_type beta;
  param_type running_mean;
  param_type running_var;
  T epsilon = T(1e-5);  // PyTorch's default; Keras uses 1e-3

  // All four are stored with the model (they are part of its state dict), hence "parameters".
  constexpr auto parameters() { return std::tie(gamma, beta, running_mean, running_var); }
  constexpr auto parameters() const { return std::tie(gamma, beta, running_mean, running_var); }

  // Per channel y = x * scale + shift.
  constexpr T scale(std::size_t c) const { return gamma[c] / math::sqrt(running_var[c] + epsilon); }
  constexpr T shift(std::size_t c) const { return beta[c] - running_mean[c] * scale(c); }

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    T sc[channels]{}, sh[channels]{};
    for (std::size_t c = 0; c < channels; ++c) {
      sc[c] = scale(c);
      sh[c] = shift(c);
    }
    // A pixel is copied to a local before it is scaled: the arithmetic loop then reads only locals,
    // so the vectorizer needs no run-time overlap check between in and out. With one, in place
    // (in == out) took the scalar fallback and out of place the vector loop, and with FMA
    // contraction (GCC's default for C++) the two rounded differently (Cortex-M55).
    for (std::size_t p = 0; p < S::size / channels; ++p) {
      T v[channels];
      for (std::size_t c = 0; c < channels; ++c) v[c] = in[p * channels + c];
      for (std::size_t c = 0; c < channels; ++c) out[p * channels + c] = v[c] * sc[c] + sh[c];
    }
  }
};

struct BatchNorm {
  template <class T, ShapeType S>
  using bind = BatchNormLayer<T, S>;
};

// Fold BN into the layer before it: w' = w * scale[co] (per output channel), b' = b * scale + shift.
// Works for any layer whose `weights` have the output channel either first (Dense [Out][In],
// Conv OHWI, Conv1D [Cout][K][Cin]) or last (depthwise [KH][KW][C*M]); the layer says which via
// its type. Returns a copy; constexpr, so a folded model can still be a compile-time constant.
template <class L, class T, ShapeType S>
constexpr L fold_batchnorm(const L& layer, const BatchNormLayer<T, S>& bn) {
  ::ctml::detail::side_effect_fence();
  static_assert(std::is_same_v<typename L::output_type, Tensor<T, S>>,
                "ctml::fold_batchnorm: the BatchNorm must directly follow the layer (same shape)");
  static_assert(L::activation == Activation::none,
                "ctml::fold_batchnorm: the layer has a fused activation, which sits between it "
                "and the BatchNorm; fold before fusing the activation");
  constexpr std::size_t C = BatchNormLayer<T, S>::channels;
  constexpr std::size_t W = L::weight_type::size();
  L out = layer;
  // Output channel of weight element i.
  constexpr bool channel_last = requires { L::multiplier; };  // depthwise layout
  for (std::size_t i = 0; i < W; ++i) {
    const std::size_t co = channel_last ? i % C : i / (W / C);
    out.weights[i] = layer.weights[i] * bn.scale(co);
  }
  for (std::size_t c = 0; c < C; ++c) out.bias[c] = layer.bias[c] * bn.scale(c) + bn.shift(c);
  return out;
}

}  // namespace ctml
