// SPDX-License-Identifier: Apache-2.0
#pragma once
// 2-D convolution, float, NHWC activations and OHWI weights (TFLite's layout):
//   out[oy][ox][co] = act(bias[co] + sum_{ky,kx,ci} in[iy][ix][ci] * w[co][ky][kx][ci])
//   iy = oy*SH - PT + ky*DH,  ix = ox*SW - PL + kx*DW   (taps outside the input are zero padding)
// Geometry (extents, strides, padding) is a compile-time parameter pack, so every bound is a
// constant.
#include <array>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/options.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/kernels/dot.hpp>
#include <ctml/kernels/float_tiles.hpp>

namespace ctml::kernels {

struct Conv2DGeometry {
  std::size_t ih, iw, cin;   // input
  std::size_t oh, ow, cout;  // output
  std::size_t kh, kw;        // kernel
  std::size_t sh, sw;        // stride
  std::size_t dh, dw;        // dilation
  std::size_t pt, pl;        // leading (top/left) padding
};

// The geometry of a conv, depthwise conv or pool from its framework parameters, TensorFlow's
// padding convention (axis_geometry, core/options.hpp). oh or ow is 0 when a valid-padded window
// (with dilation) is larger than the input. Layers and ctml-import both derive geometries here.
constexpr Conv2DGeometry conv_geometry(std::size_t ih, std::size_t iw, std::size_t cin, std::size_t cout,
                                       std::size_t kh, std::size_t kw, std::size_t sh, std::size_t sw,
                                       std::size_t dh, std::size_t dw, Padding p) {
  const AxisGeometry y = axis_geometry(ih, kh, sh, dh, p), x = axis_geometry(iw, kw, sw, dw, p);
  return {ih, iw, cin, y.out, x.out, cout, kh, kw, sh, sw, dh, dw, y.pad_before, x.pad_before};
}

// Running a conv "in place with a lead": its output starts `lead` bytes before its input in one
// buffer and overwrites input bytes no longer needed. Safe for a kernel that computes output
// pixels in raster order and has written at most `ahead` pixels beyond the first pixel whose
// inputs it still reads (the int8 convs: two or four pixels per step, inputs read before the
// step's outputs are written). The first input byte that pixel p or any later pixel still needs
// is the smallest over q >= p of the first byte of q's window,
//   first(q) = (max(oy*sh - pt, 0) * iw + max(ox*sw - pl, 0)) * cin,
// and every write up to pixel p + ahead must end at or before it:
//   lead >= max over p of  (min(p + ahead, P) * cout - min over q >= p of first(q)) * element bytes,
// rounded up to `multiple` bytes (the arena's alignment; for depthwise convs also a whole number
// of pixels, so that channel c's outputs land only on channel c's inputs: a depthwise kernel that
// runs channel by channel, or a group of channels a row at a time, then needs the condition only
// within a channel). 0 when the output never overtakes its input.
template <Conv2DGeometry G>
constexpr std::size_t raster_lead_bytes(std::size_t element_bytes, std::size_t ahead, std::size_t multiple) {
  const std::size_t P = G.oh * G.ow;
  std::size_t lead = 0, first_later = ~std::size_t{0};
  for (std::size_t p = P; p-- > 0;) {
    const std::size_t oy = p / G.ow, ox = p % G.ow;
    const std::size_t iy = oy * G.sh > G.pt ? oy * G.sh - G.pt : 0;
    const std::size_t ix = ox * G.sw > G.pl ? ox * G.sw - G.pl : 0;
    const std::size_t first = (iy * G.iw + ix) * G.cin;
    if (first < first_later) first_later = first;
    const std::size_t written = (p + ahead < P ? p + ahead : P) * G.cout;
    if (written > first_later && written - first_later > lead) lead = written - first_later;
  }
  lead *= element_bytes;
  return (lead + multiple - 1) / multiple * multiple;
}

// Output row q of G computed on its own (row-banded execution, model/row_bands.hpp): the input
// rows it taps, first .. first + g.ih - 1, and G restricted to them: one output row, those rows as
// the whole input, the top padding that is left (rows above the input), and rows past the input's
// end absent from the window, so they are bottom padding exactly as in G. A kernel run on g with
// `in` at row `first` computes G's output row q bit for bit (the same taps in the same order).
// g.ih is 0 when the row taps only padding (a valid output row never does).
struct RowBand {
  std::size_t first;
  Conv2DGeometry g;
};
constexpr RowBand row_band(const Conv2DGeometry& G, std::size_t q) {
  const long top = static_cast<long>(q * G.sh) - static_cast<long>(G.pt);  // first row tapped
  const long bottom = top + static_cast<long>((G.kh - 1) * G.dh);          // last row tapped
  const long last = bottom < static_cast<long>(G.ih) ? bottom : static_cast<long>(G.ih) - 1;
  const long first = top > 0 ? top : 0;
  RowBand b{static_cast<std::size_t>(first), G};
  b.g.oh = 1;
  b.g.ih = last >= first ? static_cast<std::size_t>(last - first + 1) : 0;
  b.g.pt = top < 0 ? static_cast<std::size_t>(-top) : 0;
  return b;
}

// Rows of layer i's input its window holds: the most any one output row taps.
constexpr std::size_t window_rows(const Conv2DGeometry& g) {
  std::size_t n = 0;
  for (std::size_t q = 0; q < g.oh; ++q) n = (row_band(g, q).g.ih > n ? row_band(g, q).g.ih : n);
  return n;
}

// The distinct sub-geometries of G's rows (rows differ only in the top padding and the window's
// height: a 3x3 same conv has three, first, middle and last), and which one each row uses; one
// kernel instantiation each.
template <Conv2DGeometry G>
struct RowGeometries {
  static constexpr auto make() {
    struct R {
      std::array<Conv2DGeometry, G.oh> g{};
      std::array<unsigned char, G.oh> which{};
      std::size_t count = 0;
    } r{};
    for (std::size_t q = 0; q < G.oh; ++q) {
      const Conv2DGeometry b = row_band(G, q).g;
      std::size_t k = 0;
      while (k < r.count && !(r.g[k].ih == b.ih && r.g[k].pt == b.pt)) ++k;
      if (k == r.count) r.g[r.count++] = b;
      r.which[q] = static_cast<unsigned char>(k);
    }
    return r;
  }
  static constexpr auto all = make();
  static constexpr std::size_t count = all.count;
  static constexpr Conv2DGeometry at(std::size_t k) { return all.g[k]; }
  static constexpr bool valid = [] {
    for (std::size_t k = 0; k < count; ++k)
      if (all.g[k].ih == 0) return false;
    return count <= 255;
  }();
};

// Reference: the formula, one accumulator, every tap bounds-checked.
template <Conv2DGeometry G, Activation A, class T>
constexpr void conv2d_ref(const T* in, const T* w, const T* bias, T* out) {
  ::ctml::detail::side_effect_fence();
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox)
      for (std::size_t co = 0; co < G.cout; ++co) {
        T acc = bias[co];
        for (std::size_t ky = 0; ky < G.kh; ++ky)
          for (std::size_t kx = 0; kx < G.kw; ++kx) {
            const long iy = static_cast<long>(oy * G.sh + ky * G.dh) - static_cast<long>(G.pt);
            const long ix = static_cast<long>(ox * G.sw + kx * G.dw) - static_cast<long>(G.pl);
            if (iy < 0 || ix < 0 || iy >= static_cast<long>(G.ih) || ix >= static_cast<long>(G.iw)) continue;
            for (std::size_t ci = 0; ci < G.cin; ++ci)
              acc += in[(static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin + ci] *
                     w[((co * G.kh + ky) * G.kw + kx) * G.cin + ci];
          }
        out[(oy * G.ow + ox) * G.cout + co] = activate<A>(acc);
      }
}

// SIMD hosts: each output pixel's window gathered into one patch of KH*KW*Cin values (taps in the
// padding are 0; with finite weights a 0 * w term leaves the sum as it is), then every output
// channel is one dot<KH*KW*Cin> of the patch and its OHWI weight row, float_rows channels at a
// time sharing the patch loads (dots, kernels/dot.hpp). One reduction per output instead of one per
// tap: the per-tap form below spends most of its time adding lanes when Cin is small (KWS's
// first conv has Cin = 1, ResNet-8's convs 16). The patch lives on the stack (at most 64 KB).
template <Conv2DGeometry G, class T>
inline constexpr bool conv2d_by_patches =
#if defined(CTML_HAVE_VECTOR_EXT)
    std::is_same_v<T, float> && G.kh * G.kw * G.cin * sizeof(T) <= 65536;
#else
    false;
#endif

// Output pixel q's window as KH*KW*Cin values, OHWI order, taps in the padding 0.
template <Conv2DGeometry G, class T>
void conv2d_patch_of(const T* in, std::size_t q, T* p) {
  const std::size_t oy = q / G.ow, ox = q % G.ow;
  const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
  const bool row_inside = G.dw == 1 && x0 >= 0 && x0 + static_cast<long>(G.kw) <= static_cast<long>(G.iw);
  for (std::size_t ky = 0; ky < G.kh; ++ky) {
    const long iy = static_cast<long>(oy * G.sh + ky * G.dh) - static_cast<long>(G.pt);
    if (iy < 0 || iy >= static_cast<long>(G.ih)) {
      std::memset(p, 0, G.kw * G.cin * sizeof(T));
      p += G.kw * G.cin;
    } else if (row_inside) {  // KW taps of a row: contiguous in the input
      std::memcpy(p, in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(x0)) * G.cin, G.kw * G.cin * sizeof(T));
      p += G.kw * G.cin;
    } else {
      for (std::size_t kx = 0; kx < G.kw; ++kx, p += G.cin) {
        const long ix = x0 + static_cast<long>(kx * G.dw);
        if (ix < 0 || ix >= static_cast<long>(G.iw))
          std::memset(p, 0, G.cin * sizeof(T));
        else
          std::memcpy(p, in + (static_cast<std::size_t>(iy) * G.iw + static_cast<std::size_t>(ix)) * G.cin, G.cin * sizeof(T));
      }
    }
  }
}

template <Conv2DGeometry G, Activation A, class T>
void conv2d_patches(const T* in, const T* w, const T* bias, T* out) {
  constexpr std::size_t K = G.kh * G.kw * G.cin;
  alignas(64) T patch[K];
  for (std::size_t oy = 0; oy < G.oh; ++oy)
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      conv2d_patch_of<G>(in, oy * G.ow + ox, patch);
      T* o = out + (oy * G.ow + ox) * G.cout;
      const auto outputs = [&]<std::size_t R>(std::size_t co) {
        T d[R];
        dots<R, K>(w + co * K, K, patch, d);
        for (std::size_t r = 0; r < R; ++r) o[co + r] = activate<A>(bias[co + r] + d[r]);
      };
      constexpr std::size_t R = G.cout >= float_rows ? float_rows : 1;
      for (std::size_t co = 0; co + R <= G.cout; co += R) outputs.template operator()<R>(co);
      for (std::size_t co = G.cout - G.cout % R; co < G.cout; ++co) outputs.template operator()<1>(co);
    }
}

// Optimised: per output pixel the valid kernel window is computed once, so the inner loops carry
// no padding checks; each output channel is a sum of Cin-contiguous dot products. (SIMD hosts:
// conv2d_patches above, outside constant evaluation.)
template <Conv2DGeometry G, Activation A, class T>
constexpr void conv2d(const T* in, const T* w, const T* bias, T* out) {
  ::ctml::detail::side_effect_fence();
  if constexpr (by_float_tiles<G.oh * G.ow, G.kh * G.kw * G.cin, G.cout, T>) {
    if (!std::is_constant_evaluated()) {
      // Rows: each output pixel's patch (conv2d_patch_of).
      rows_times_weights<G.oh * G.ow, G.kh * G.kw * G.cin, G.cout, A>(
          [&](std::size_t p0, std::size_t n, float* x) {
            for (std::size_t p = 0; p < n; ++p) conv2d_patch_of<G>(in, p0 + p, x + p * G.kh * G.kw * G.cin);
          },
          w, bias, out);
      return;
    }
  } else if constexpr (conv2d_by_patches<G, T>) {
    if (!std::is_constant_evaluated()) {
      conv2d_patches<G, A>(in, w, bias, out);
      return;
    }
  }
  for (std::size_t oy = 0; oy < G.oh; ++oy) {
    const long y0 = static_cast<long>(oy * G.sh) - static_cast<long>(G.pt);
    std::size_t ky0 = 0, ky1 = G.kh;
    while (ky0 < ky1 && y0 + static_cast<long>(ky0 * G.dh) < 0) ++ky0;
    while (ky1 > ky0 && y0 + static_cast<long>((ky1 - 1) * G.dh) >= static_cast<long>(G.ih)) --ky1;
    for (std::size_t ox = 0; ox < G.ow; ++ox) {
      const long x0 = static_cast<long>(ox * G.sw) - static_cast<long>(G.pl);
      std::size_t kx0 = 0, kx1 = G.kw;
      while (kx0 < kx1 && x0 + static_cast<long>(kx0 * G.dw) < 0) ++kx0;
      while (kx1 > kx0 && x0 + static_cast<long>((kx1 - 1) * G.dw) >= static_cast<long>(G.iw)) --kx1;
      T* o = out + (oy * G.ow + ox) * G.cout;
      for (std::size_t co = 0; co < G.cout; ++co) {
        T acc = bias[co];
        const T* wc = w + co * G.kh * G.kw * G.cin;
        for (std::size_t ky = ky0; ky < ky1; ++ky) {
          const std::size_t iy = static_cast<std::size_t>(y0 + static_cast<long>(ky * G.dh));
          if (G.dw == 1 && kx1 > kx0) {
            // Consecutive taps of a row are contiguous in both input and weights.
            const std::size_t ix = static_cast<std::size_t>(x0 + static_cast<long>(kx0));
            const T* ip = in + (iy * G.iw + ix) * G.cin;
            const T* wp = wc + (ky * G.kw + kx0) * G.cin;
            for (std::size_t kx = kx0; kx < kx1; ++kx, ip += G.cin, wp += G.cin)
              acc += dot<G.cin>(ip, wp);
          } else {
            for (std::size_t kx = kx0; kx < kx1; ++kx) {
              const std::size_t ix = static_cast<std::size_t>(x0 + static_cast<long>(kx * G.dw));
              acc += dot<G.cin>(in + (iy * G.iw + ix) * G.cin, wc + (ky * G.kw + kx) * G.cin);
            }
          }
        }
        o[co] = activate<A>(acc);
      }
    }
  }
}

// Pointwise (1x1, stride 1, no padding) convolution: a (pixels x Cin) * (Cin x Cout) product.
// With Cout <= Cin it runs in place: each pixel's input is copied to `pixel` (Cin elements)
// before its outputs overwrite it, and output pixel p never reaches input pixel p+1. (SIMD hosts:
// rows_times_weights (kernels/float_tiles.hpp), outside constant evaluation.)
template <std::size_t Pixels, std::size_t Cin, std::size_t Cout, Activation A, class T>
constexpr void pointwise_conv(const T* in, const T* w, const T* bias, T* out, T* pixel) {
  ::ctml::detail::side_effect_fence();
  if constexpr (by_float_tiles<Pixels, Cin, Cout, T>) {
    if (!std::is_constant_evaluated()) {
      // A tile's rows are its pixels; copied before its outputs are written, so the in-place
      // case stays safe (a tile's outputs end where the next tile's inputs begin).
      rows_times_weights<Pixels, Cin, Cout, A>([&](std::size_t p0, std::size_t n, float* x) { std::memcpy(x, in + p0 * Cin, n * Cin * sizeof(float)); },
                                               w, bias, out);
      return;
    }
  }
  for (std::size_t p = 0; p < Pixels; ++p) {
    const T* src = in + p * Cin;
    if (pixel != nullptr) {
      for (std::size_t c = 0; c < Cin; ++c) pixel[c] = src[c];
      src = pixel;
    }
    T* o = out + p * Cout;
    // float_rows output channels together (kernels/dot.hpp), each summed as dot<Cin> would.
    const auto outputs = [&]<std::size_t R>(std::size_t co) {
      T d[R];
      dots<R, Cin>(w + co * Cin, Cin, src, d);
      for (std::size_t r = 0; r < R; ++r) o[co + r] = activate<A>(bias[co + r] + d[r]);
    };
    constexpr std::size_t R = Cout >= float_rows ? float_rows : 1;
    for (std::size_t co = 0; co + R <= Cout; co += R) outputs.template operator()<R>(co);
    for (std::size_t co = Cout - Cout % R; co < Cout; ++co) outputs.template operator()<1>(co);
  }
}

}  // namespace ctml::kernels
