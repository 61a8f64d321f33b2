// SPDX-License-Identifier: Apache-2.0
#pragma once
// Depthwise 2-D convolution, float, NHWC, weights [KH][KW][C*M] (TFLite's layout):
//   out[oy][ox][c*M+m] = act(bias[c*M+m] + sum_{ky,kx} in[iy][ix][c] * w[ky][kx][c*M+m])
//   iy = oy*SH - PT + ky*DH,  ix = ox*SW - PL + kx*DW
#include <cstddef>
#include <ctml/core/compiler.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/kernels/conv2d.hpp>

namespace ctml::kernels {

// Geometry reuses Conv2DGeometry; cout = cin * M.
template <Conv2DGeometry G, std::size_t M, Activation A, class T>
constexpr void depthwise_conv2d_ref(const T* in, const T* w, const T* bias, T* out) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox)
      for (std::size_t c = 0; c < G.cin; ++c)
        for (std::size_t m = 0; m < M; ++m) {
          const std::size_t co = c * M + m;
          T acc = bias[co];
          for (std::size_t ky = 0; ky < G.kh; ++ky)
            for (std::size_t kx = 0; kx < G.kw; ++kx) {
              const long iy = static_cast<long>(oy * G.sh + ky * G.dh) - static_cast<long>(G.pt);
              const long ix = static_cast<long>(ox * G.sw + kx * G.dw) - static_cast<long>(G.pl);
              if (iy < 0 || ix < 0 || iy >= static_cast<long>(G.ih) || ix >= static_cast<long>(G.iw)) continue;
              acc += in[(static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin + c] *
                     w[(ky * G.kw + kx) * G.cout + co];
            }
          out[(oy * G.ow + ox) * G.cout + co] = activate<A>(acc);
        }
}

// Optimised, with optional in-place operation. Output pixels accumulate over channels as the
// innermost (contiguous, vectorisable) loop. When `ring` is non-null (stride 1, M = 1), input row
// y is saved in a ring of PT+1 rows before output row y overwrites it, and rows <= y are read from
// the ring: that lets out == in with only (PT+1)*W*C elements of scratch.
template <Conv2DGeometry G, std::size_t M, Activation A, class T>
constexpr void depthwise_conv2d(const T* in, const T* w, const T* bias, T* out, T* ring) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t row = G.iw * G.cin;
  constexpr std::size_t R = G.pt + 1;
  T acc[G.cout]{};
  for (std::size_t oy = 0; oy < G.oh; ++oy) {
    if (ring != nullptr) {
      T* slot = ring + (oy % R) * row;
      const T* src = in + oy * row;
      for (std::size_t i = 0; i < row; ++i) slot[i] = src[i];
    }
    const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
      for (std::size_t co = 0; co < G.cout; ++co) acc[co] = bias[co];
      for (std::size_t ky = 0; ky < G.kh; ++ky) {
        const long iy = y0 + static_cast<long>(ky * G.dh);
        if (iy < 0 || iy >= static_cast<long>(G.ih)) continue;
        const std::size_t uy = static_cast<std::size_t>(iy);
        const T* rowp = (ring != nullptr && uy <= oy) ? ring + (uy % R) * row : in + uy * row;
        for (std::size_t kx = 0; kx < G.kw; ++kx) {
          const long ix = x0 + static_cast<long>(kx * G.dw);
          if (ix < 0 || ix >= static_cast<long>(G.iw)) continue;
          const T* ip = rowp + static_cast<std::size_t>(ix) * G.cin;
          const T* wp = w + (ky * G.kw + kx) * G.cout;
          if constexpr (M == 1) {
            for (std::size_t c = 0; c < G.cin; ++c) acc[c] += ip[c] * wp[c];
          } else {
            for (std::size_t c = 0; c < G.cin; ++c)
              for (std::size_t m = 0; m < M; ++m) acc[c * M + m] += ip[c] * wp[c * M + m];
          }
        }
      }
      T* o = out + (oy * G.ow + ox) * G.cout;
      for (std::size_t co = 0; co < G.cout; ++co) o[co] = activate<A>(acc[co]);
    }
  }
}

}  // namespace ctml::kernels
