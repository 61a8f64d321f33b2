// SPDX-License-Identifier: Apache-2.0
#pragma once
// Backward passes of the pools, NHWC (backward_op protocol, train/backward.hpp):
//   max pool:             dy goes to the first maximum of the window (the tap forward kept)
//   average pool:         dy / (taps inside the input) to each of those taps
//   global average pool:  dx[p][c] = dy[c] / pixels
#include <cstddef>
#include <tuple>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/kernels/pool2d.hpp>
#include <ctml/layers/pool2d.hpp>
#include <ctml/train/backward.hpp>

namespace ctml::train {

namespace detail {

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
