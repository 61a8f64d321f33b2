// SPDX-License-Identifier: Apache-2.0
#pragma once
// Transposed 2-D convolution (TFLite's TRANSPOSE_CONV, a "deconvolution"), NHWC, weights
// [Cout][KH][KW][Cin]:
//   y[oy][ox][co] = sum over (iy, ix, ci, ky, kx) with oy = iy*sh - pt + ky, ox = ix*sw - pl + kx
//                   of x[iy][ix][ci] * w[co][ky][kx][ci]
// TFLite's reference scatters each input pixel into the output; this gathers each output value
// from the input pixels that reach it, which needs no accumulator buffer. For one output the
// terms come in the same order as the scatter adds them (iy, ix, ci ascending: for a given iy at
// most one ky reaches oy), so float sums are bit-identical (unless the compiler contracts the
// multiply-add into an FMA, as -march=native allows) and integer sums trivially so.
#include <cstddef>
#include <cstdint>
#include <ctml/core/compiler.hpp>

namespace ctml::kernels {

struct TransposeConv2DGeometry {
  std::size_t ih, iw, cin;   // input
  std::size_t oh, ow, cout;  // output (a fact of the model: TFLite gives it as a tensor)
  std::size_t kh, kw;        // kernel
  std::size_t sh, sw;        // stride
  std::size_t pt, pl;        // leading padding, as TFLite's ComputePaddingHeightWidth gives it
};

// TFLite's padding for a transposed conv: the padding of the ordinary conv from the output back to
// the input (SAME: ((in - 1) * stride + k - out) / 2 with in = ceil(out / stride), at least 0;
// VALID: 0).
constexpr std::size_t transpose_conv_padding(std::size_t out, std::size_t k, std::size_t stride, bool same) {
  if (!same) return 0;
  const std::size_t in = (out + stride - 1) / stride;
  const long long p = (static_cast<long long>(in) - 1) * static_cast<long long>(stride) + static_cast<long long>(k) - static_cast<long long>(out);
  return p > 0 ? static_cast<std::size_t>(p / 2) : 0;
}

// Calls term(acc, in_index, weight_index) for each contribution to output (oy, ox, co), in order,
// then returns acc. Acc is float (float model) or int32 (int8 model, the caller adds the offset).
template <TransposeConv2DGeometry G, class Acc, class Term>
constexpr Acc transpose_conv2d_gather(std::size_t oy, std::size_t ox, std::size_t co, Acc acc, Term term) {
  // iy with ky = oy + pt - iy*sh in [0, kh): iy in [ceil((oy + pt - kh + 1) / sh), (oy + pt) / sh].
  const long long ry = static_cast<long long>(oy + G.pt), rx = static_cast<long long>(ox + G.pl);
  const long long sh = static_cast<long long>(G.sh), sw = static_cast<long long>(G.sw);
  long long y0 = ry - static_cast<long long>(G.kh) + 1;
  y0 = y0 <= 0 ? 0 : (y0 + sh - 1) / sh;
  long long y1 = ry / sh;
  if (y1 > static_cast<long long>(G.ih) - 1) y1 = static_cast<long long>(G.ih) - 1;
  long long x0 = rx - static_cast<long long>(G.kw) + 1;
  x0 = x0 <= 0 ? 0 : (x0 + sw - 1) / sw;
  long long x1 = rx / sw;
  if (x1 > static_cast<long long>(G.iw) - 1) x1 = static_cast<long long>(G.iw) - 1;
  for (long long iy = y0; iy <= y1; ++iy) {
    const auto ky = static_cast<std::size_t>(ry - iy * sh);
    for (long long ix = x0; ix <= x1; ++ix) {
      const auto kx = static_cast<std::size_t>(rx - ix * sw);
      const std::size_t in_at = (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin;
      const std::size_t w_at = ((co * G.kh + ky) * G.kw + kx) * G.cin;
      for (std::size_t ci = 0; ci < G.cin; ++ci) acc = term(acc, in_at + ci, w_at + ci);
    }
  }
  return acc;
}

// Float: y = act(gather + bias).
template <TransposeConv2DGeometry G, class Activate>
constexpr void transpose_conv2d(const float* in, const float* w, const float* bias, float* out, Activate act) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox)
      for (std::size_t co = 0; co < G.cout; ++co) {
        const float s = transpose_conv2d_gather<G>(oy, ox, co, 0.0f,
                                                   [&](float a, std::size_t i, std::size_t k) { return a + in[i] * w[k]; });
        out[(oy * G.ow + ox) * G.cout + co] = act(s + bias[co]);
      }
}

}  // namespace ctml::kernels
