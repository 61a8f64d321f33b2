// SPDX-License-Identifier: Apache-2.0
#pragma once
// MAX_POOL_2D, int8, as TFLite's reference_integer_ops::MaxPool: per channel the largest value over
// the window's taps that lie inside the input (padding never wins), then the fused activation's
// clamp. Input and output share one scale and zero point, so no requantization happens.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/quant/activation_range.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/quant/conv_s8.hpp>
#include <ctml/quant/qmap.hpp>

namespace ctml::quant {

// Geometry: a Conv2DGeometry with cout == cin and dilation 1 (as float pools use). T: std::int8_t,
// or std::int16_t for 16x8 models (TFLite's int16 MaxPool: the same rule).
template <kernels::Conv2DGeometry G, class T = std::int8_t>
struct QMaxPool2DLayer {
  static_assert(G.cout == G.cin, "ctml::quant::QMaxPool2D: a pool keeps the channel count");
  static_assert(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>, "ctml::quant::QMaxPool2D: int8 or int16 activations");
  using input_type = Tensor<T, Shape<G.ih, G.iw, G.cin>>;
  using output_type = Tensor<T, Shape<G.oh, G.ow, G.cin>>;
  static constexpr std::string_view name = sizeof(T) == 1 ? "QMaxPool2D" : "QMaxPool2D16";
  std::int32_t act_min = std::numeric_limits<T>::min(), act_max = std::numeric_limits<T>::max();
  constexpr auto buffers() { return std::tie(act_min, act_max); }
  constexpr auto buffers() const { return std::tie(act_min, act_max); }

  constexpr void forward(const T* in, T* out, T*) const {
    ::ctml::detail::side_effect_fence();
    // Channels innermost: one running maximum per channel over the taps, so the loops vectorise.
    for (std::size_t oy = 0; oy < G.oh; ++oy) {
      const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
      for (std::size_t ox = 0; ox < G.ow; ++ox) {
        const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
        T m[G.cin];
        for (std::size_t c = 0; c < G.cin; ++c) m[c] = std::numeric_limits<T>::min();
        for (std::size_t ky = 0; ky < G.kh; ++ky) {
          const long iy = y0 + static_cast<long>(ky);
          if (iy < 0 || iy >= static_cast<long>(G.ih)) continue;
          for (std::size_t kx = 0; kx < G.kw; ++kx) {
            const long ix = x0 + static_cast<long>(kx);
            if (ix < 0 || ix >= static_cast<long>(G.iw)) continue;
            const T* x = in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin;
            for (std::size_t c = 0; c < G.cin; ++c) m[c] = x[c] > m[c] ? x[c] : m[c];
          }
        }
        T* o = out + (oy * G.ow + ox) * G.cin;
        const auto lo = static_cast<T>(act_min), hi = static_cast<T>(act_max);
        for (std::size_t c = 0; c < G.cin; ++c) o[c] = m[c] < lo ? lo : (m[c] > hi ? hi : m[c]);
      }
    }
  }
};

template <kernels::Conv2DGeometry G>
using QMaxPool2D16Layer = QMaxPool2DLayer<G, std::int16_t>;

// The pool with TFLite's fused activation on its (shared) quantization.
template <kernels::Conv2DGeometry G, class T = std::int8_t>
constexpr QMaxPool2DLayer<G, T> make_qmax_pool2d(QParams q, Activation act = Activation::none) {
  return clamped_layer<QMaxPool2DLayer<G, T>>(q, act);
}

// Its place in the float -> int8 map of PTQ (qmap.hpp).
namespace detail {
template <class In, kernels::PoolKind K, std::size_t PH, std::size_t PW, class St, class Opt>
struct qmap<Pool2DLayer<float, In, K, PH, PW, St, Opt>> : qmap_base {
  static constexpr auto g = Pool2DLayer<float, In, K, PH, PW, St, Opt>::geometry;
  using type = std::conditional_t<K == kernels::PoolKind::max, QMaxPool2DLayer<g>, QAveragePool2DLayer<g>>;
  static constexpr QKind kind = QKind::same_params;
  static constexpr Activation act = Opt::activation;
  static constexpr bool fusable = true;
};
}  // namespace detail

}  // namespace ctml::quant
