// SPDX-License-Identifier: Apache-2.0
#pragma once
// 2-D pooling over HWC activations, per channel:
//   max:     out[oy][ox][c] = max over the window of in[iy][ix][c]
//   average: out[oy][ox][c] = mean over the window's taps that fall inside the input
//            (padding is excluded from the count, as TensorFlow Lite does)
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/kernels/conv2d.hpp>

namespace ctml::kernels {

enum class PoolKind { max, average };

// Geometry: Conv2DGeometry with cout == cin and dilation 1.
template <Conv2DGeometry G, PoolKind K, Activation A, class T>
constexpr void pool2d(const T* in, T* out) {
  ::ctml::detail::side_effect_fence();
  T acc[G.cin]{};
  for (std::size_t oy = 0; oy < G.oh; ++oy) {
    const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
    const std::size_t ky0 = y0 < 0 ? static_cast<std::size_t>(-y0) : 0;
    const std::size_t ky1 = static_cast<long>(G.kh) + y0 > static_cast<long>(G.ih)
                                ? static_cast<std::size_t>(static_cast<long>(G.ih) - y0)
                                : G.kh;
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
      const std::size_t kx0 = x0 < 0 ? static_cast<std::size_t>(-x0) : 0;
      const std::size_t kx1 = static_cast<long>(G.kw) + x0 > static_cast<long>(G.iw)
                                  ? static_cast<std::size_t>(static_cast<long>(G.iw) - x0)
                                  : G.kw;
      bool first = true;
      for (std::size_t ky = ky0; ky < ky1; ++ky)
        for (std::size_t kx = kx0; kx < kx1; ++kx) {
          const T* ip = in + ((static_cast<std::size_t>(y0 + static_cast<long>(ky))) * G.iw +
                              static_cast<std::size_t>(x0 + static_cast<long>(kx))) * G.cin;
          if (first) {
            for (std::size_t c = 0; c < G.cin; ++c) acc[c] = ip[c];
            first = false;
          } else if constexpr (K == PoolKind::max) {
            for (std::size_t c = 0; c < G.cin; ++c) acc[c] = acc[c] < ip[c] ? ip[c] : acc[c];
          } else {
            for (std::size_t c = 0; c < G.cin; ++c) acc[c] += ip[c];
          }
        }
      T* o = out + (oy * G.ow + ox) * G.cin;
      if constexpr (K == PoolKind::average) {
        const T inv = T(1) / static_cast<T>((ky1 - ky0) * (kx1 - kx0));
        for (std::size_t c = 0; c < G.cin; ++c) o[c] = activate<A>(acc[c] * inv);
      } else {
        for (std::size_t c = 0; c < G.cin; ++c) o[c] = activate<A>(acc[c]);
      }
    }
  }
}

// Global average pool: out[c] = mean over all pixels of in[.][.][c].
template <std::size_t Pixels, std::size_t C, class T>
constexpr void global_average_pool(const T* in, T* out) {
  ::ctml::detail::side_effect_fence();
  T acc[C]{};
  for (std::size_t p = 0; p < Pixels; ++p)
    for (std::size_t c = 0; c < C; ++c) acc[c] += in[p * C + c];
  for (std::size_t c = 0; c < C; ++c) out[c] = acc[c] / static_cast<T>(Pixels);
}

}  // namespace ctml::kernels
