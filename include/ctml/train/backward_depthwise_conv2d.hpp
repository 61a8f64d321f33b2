// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward pass of DepthwiseConv2D, NHWC, HWC weights (backward_op protocol, train/backward.hpp);
// channel c feeds outputs c*M .. c*M+M-1:
//   dz = dy * act'(y);  db += dz;  dw[ky][kx][c*M+m] += dz x[..][c];  dx[..][c] += dz w[ky][kx][c*M+m]
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/layers/depthwise_conv2d.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

namespace detail {

template <kernels::Conv2DGeometry G, std::size_t M, Activation A, class T>
constexpr void depthwise_backward(const T* x, const T* y, const T* dy, const T* w, T* dx, T* dw, T* db) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < G.ih * G.iw * G.cin; ++i) dx[i] = T(0);
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const std::size_t o = (oy * G.ow + ox) * G.cout;
      for (std::size_t co = 0; co < G.cout; ++co) db[co] += dy[o + co] * activation_grad<A>(y[o + co]);
      for (std::size_t ky = 0; ky < G.kh; ++ky) {
        const long iy = tap(oy, ky, G.sh, G.dh, G.pt, G.ih);
        if (iy < 0) continue;
        for (std::size_t kx = 0; kx < G.kw; ++kx) {
          const long ix = tap(ox, kx, G.sw, G.dw, G.pl, G.iw);
          if (ix < 0) continue;
          const std::size_t xi = (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin;
          const std::size_t wi = (ky * G.kw + kx) * G.cout;
          for (std::size_t c = 0; c < G.cin; ++c)
            for (std::size_t m = 0; m < M; ++m) {
              const std::size_t co = c * M + m;
              const T dz = dy[o + co] * activation_grad<A>(y[o + co]);
              dw[wi + co] += dz * x[xi + c];
              dx[xi + c] += dz * w[wi + co];
            }
        }
      }
    }
}

}  // namespace detail

template <class T, ShapeType In, std::size_t KH, std::size_t KW, class Opt>
struct backward_op<DepthwiseConv2DLayer<T, In, KH, KW, Opt>> {
  using L = DepthwiseConv2DLayer<T, In, KH, KW, Opt>;
  template <class G>
  static constexpr void run(const L& l, const T* x, const T* y, const T* dy, T* dx, G&& g) {
    detail::depthwise_backward<L::geometry, L::multiplier, L::activation>(x, y, dy, l.weights.data(), dx,
                                                                          std::get<0>(g).data(), std::get<1>(g).data());
  }
};

}  // namespace ctml::train
