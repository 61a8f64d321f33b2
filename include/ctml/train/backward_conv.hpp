// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward passes of the convolutions and pools (NHWC), in the backward_op protocol of
// train/backward.hpp: parameter gradients are accumulated, dL/dx is overwritten.
//
//   conv (OHWI weights):  z[o][co] = b[co] + sum_{ky,kx,ci} w[co][ky][kx][ci] x[i(o,ky,kx)][ci]
//                         dz = dy * act'(y);  db[co] += dz;  dw[co][ky][kx][ci] += dz x[..][ci];
//                         dx[i(o,ky,kx)][ci] += dz w[co][ky][kx][ci]
//   depthwise (HWC weights, channel c feeds outputs c*M .. c*M+M-1):
//                         dw[ky][kx][c*M+m] += dz x[..][c];  dx[..][c] += dz w[ky][kx][c*M+m]
//   max pool:             dy goes to the first maximum of the window (the tap forward kept)
//   average pool:         dy / (taps inside the input) to each of those taps
//   global average pool:  dx[p][c] = dy[c] / pixels
// i(o,ky,kx) = (oy*sh - pt + ky*dh, ox*sw - pl + kx*dw); taps in the padding contribute nothing.
// Conv1D is the same computation with one row (its geometry has ih = oh = kh = 1).
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/pool2d.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/depthwise_conv2d.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

namespace detail {

// Input coordinate of a tap, or -1 when it falls in the padding.
constexpr long tap(std::size_t o, std::size_t k, std::size_t stride, std::size_t dilation, std::size_t pad,
                   std::size_t extent) {
  const long i = static_cast<long>(o * stride + k * dilation) - static_cast<long>(pad);
  return i < 0 || i >= static_cast<long>(extent) ? -1 : i;
}

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

// Calls f(input index) for each tap of pooling window (oy, ox) that lies inside the input, in the
// forward kernel's order, for channel c.
template <kernels::Conv2DGeometry G, class F>
constexpr void for_window_taps(std::size_t oy, std::size_t ox, std::size_t c, F&& f) {
  for (std::size_t ky = 0; ky < G.kh; ++ky) {
    const long iy = tap(oy, ky, G.sh, 1, G.pt, G.ih);
    if (iy < 0) continue;
    for (std::size_t kx = 0; kx < G.kw; ++kx) {
      const long ix = tap(ox, kx, G.sw, 1, G.pl, G.iw);
      if (ix >= 0) f((static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin + c);
    }
  }
}

template <kernels::Conv2DGeometry G, kernels::PoolKind K, Activation A, class T>
constexpr void pool2d_backward(const T* x, const T* y, const T* dy, T* dx) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t i = 0; i < G.ih * G.iw * G.cin; ++i) dx[i] = T(0);
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox)
      for (std::size_t c = 0; c < G.cin; ++c) {
        const std::size_t o = (oy * G.ow + ox) * G.cin + c;
        const T g = dy[o] * activation_grad<A>(y[o]);
        if constexpr (K == kernels::PoolKind::max) {
          std::size_t best = 0;
          bool first = true;
          for_window_taps<G>(oy, ox, c, [&](std::size_t i) {
            if (first || x[best] < x[i]) best = i;  // forward keeps the first of equal maxima
            first = false;
          });
          dx[best] += g;
        } else {
          std::size_t taps = 0;
          for_window_taps<G>(oy, ox, c, [&](std::size_t) { ++taps; });
          const T share = g / static_cast<T>(taps);
          for_window_taps<G>(oy, ox, c, [&](std::size_t i) { dx[i] += share; });
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

template <class T, ShapeType In, std::size_t F, std::size_t K, class Opt>
struct backward_op<Conv1DLayer<T, In, F, K, Opt>> {
  using L = Conv1DLayer<T, In, F, K, Opt>;
  template <class G>
  static constexpr void run(const L& l, const T* x, const T* y, const T* dy, T* dx, G&& g) {
    detail::conv2d_backward<L::geometry, L::activation>(x, y, dy, l.weights.data(), dx, std::get<0>(g).data(),
                                                        std::get<1>(g).data());
  }
};

template <class T, ShapeType In, std::size_t KH, std::size_t KW, class Opt>
struct backward_op<DepthwiseConv2DLayer<T, In, KH, KW, Opt>> {
  using L = DepthwiseConv2DLayer<T, In, KH, KW, Opt>;
  template <class G>
  static constexpr void run(const L& l, const T* x, const T* y, const T* dy, T* dx, G&& g) {
    detail::depthwise_backward<L::geometry, L::multiplier, L::activation>(x, y, dy, l.weights.data(), dx,
                                                                          std::get<0>(g).data(), std::get<1>(g).data());
  }
};

template <class T, ShapeType In, kernels::PoolKind K, std::size_t PH, std::size_t PW, class Stride_, class Opt>
struct backward_op<Pool2DLayer<T, In, K, PH, PW, Stride_, Opt>> {
  using L = Pool2DLayer<T, In, K, PH, PW, Stride_, Opt>;
  template <class G>
  static constexpr void run(const L&, const T* x, const T* y, const T* dy, T* dx, G&&) {
    detail::pool2d_backward<L::geometry, K, Opt::activation>(x, y, dy, dx);
  }
};

template <class T, ShapeType In>
struct backward_op<GlobalAveragePoolLayer<T, In>> {
  using L = GlobalAveragePoolLayer<T, In>;
  template <class G>
  static constexpr void run(const L&, const T*, const T*, const T* dy, T* dx, G&&) {
    ::ctml::detail::side_effect_fence();
    constexpr std::size_t C = L::c, P = In::size / C;
    for (std::size_t p = 0; p < P; ++p)
      for (std::size_t c = 0; c < C; ++c) dx[p * C + c] = dy[c] / static_cast<T>(P);
  }
};

}  // namespace ctml::train
