// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward pass of Conv2D, NHWC, OHWI weights (backward_op protocol, train/backward.hpp):
//   z[o][co] = b[co] + sum_{ky,kx,ci} w[co][ky][kx][ci] x[i(o,ky,kx)][ci]
//   dz = dy * act'(y);  db[co] += dz;  dw[co][ky][kx][ci] += dz x[..][ci];  dx[i(o,ky,kx)][ci] += dz w[co][ky][kx][ci]
// i(o,ky,kx) = (oy*sh - pt + ky*dh, ox*sw - pl + kx*dw); taps in the padding contribute nothing.
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

namespace detail {

template <kernels::Conv2DGeometry G, Activation A, class T>
constexpr void conv2d_backward(const T* x, const T* y, const T* dy, const T* w, T* dx, T* dw, T* db) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < G.ih * G.iw * G.cin; ++i) dx[i] = T(0);
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const std::size_t o = (oy * G.ow + ox) * G.cout;
      for (std::size_t co = 0; co < G.cout; ++co) {
        const T dz = dy[o + co] * activation_grad<A>(y[o + co]);
        if (dz == T(0)) continue;
        db[co] += dz;
        for (std::size_t ky = 0; ky < G.kh; ++ky) {
          const long iy = tap(oy, ky, G.sh, G.dh, G.pt, G.ih);
          if (iy < 0) continue;
          for (std::size_t kx = 0; kx < G.kw; ++kx) {
            const long ix = tap(ox, kx, G.sw, G.dw, G.pl, G.iw);
            if (ix < 0) continue;
            const std::size_t xi = (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin;
            const std::size_t wi = ((co * G.kh + ky) * G.kw + kx) * G.cin;
            for (std::size_t ci = 0; ci < G.cin; ++ci) {
              dw[wi + ci] += dz * x[xi + ci];
              dx[xi + ci] += dz * w[wi + ci];
            }
          }
        }
      }
    }
}

}  // namespace detail

template <class T, ShapeType In, std::size_t F, std::size_t KH, std::size_t KW, class Opt>
struct backward_op<Conv2DLayer<T, In, F, KH, KW, Opt>> {
  using L = Conv2DLayer<T, In, F, KH, KW, Opt>;
  template <class G>
  static constexpr void run(const L& l, const T* x, const T* y, const T* dy, T* dx, G&& g) {
    detail::conv2d_backward<L::geometry, L::activation>(x, y, dy, l.weights.data(), dx, std::get<0>(g).data(),
                                                        std::get<1>(g).data());
  }
};

}  // namespace ctml::train
