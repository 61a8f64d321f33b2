// SPDX-License-Identifier: Apache-2.0
#pragma once
// Float sparse layers over any weight format (Csr, SlicedCsr, NmMatrix) and the conversions from
// the dense layers. They follow the layer protocol (input_type/output_type, forward(in, out,
// scratch), macs = non-zero based, name, parameters()), so they go into aggregate models and
// Chains like the dense layers they replace.
//   SparseDenseLayer<W, In, Act>            out[r] = act(b[r] + sum_k W[r][k] x[k])
//   SparseConvLayer<W, G, Out, Act, DW>     Conv2D / Conv1D / DepthwiseConv2D, any geometry G
//
// Convolutions store, for every non-zero, the offset of its input element relative to the
// top-left tap of the window, in an input whose rows are `row_stride` pixels wide. With no padding
// that is the input itself (a pointwise conv is then a CSR matvec per pixel, in place when it
// does not widen); with padding the layer first copies the input into a zero-bordered image in
// its scratch, so border pixels need no checks either. Depthwise weights become rows with one
// input channel each: out[c*M+m] reads only channel c, so its offsets are tap offset + c.
//
// Conversions (NNZ is checked against the weights; see compress() for counting it at compile time):
//   to_sparse<Format, NNZ>(dense_layer)      Format: csr_format, sliced_format, nm_format<N, M>
//   to_csr_layer<NNZ>(l), to_sliced_layer<NNZ>(l), to_n_m_layer<N, M>(l)
//   compress<constexpr_layer, Format = csr_format>()   NNZ = count_nonzero(layer.weights)
//   CTML_SPARSE(constexpr_layer)                       the same as an expression
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/activation.hpp>
#include <ctml/kernels/conv2d.hpp>
#include <ctml/layers/conv1d.hpp>
#include <ctml/layers/conv2d.hpp>
#include <ctml/layers/dense.hpp>
#include <ctml/layers/depthwise_conv2d.hpp>
#include <ctml/sparse/csr.hpp>
#include <ctml/sparse/nm.hpp>
#include <ctml/sparse/prune.hpp>

namespace ctml::sparse {

// ---- format tags --------------------------------------------------------------------------------
struct csr_format {
  template <std::size_t NNZ, std::size_t Cols, class Src>
  static constexpr auto make(const Src& s) { return to_csr<NNZ, Cols>(s); }
};
struct sliced_format {
  template <std::size_t NNZ, std::size_t Cols, class Src>
  static constexpr auto make(const Src& s) { return to_sliced_csr<NNZ, Cols>(s); }
};
template <std::size_t N, std::size_t M>
struct nm_format {
  // N:M groups run along the stored columns, so only sources whose column is the logical index
  // (Dense, 1x1 convolutions, Conv1D) can be packed; the NNZ argument is unused (the shape fixes it).
  template <std::size_t NNZ, std::size_t Cols, class Src>
  static constexpr auto make(const Src& s) {
    static_assert(Src::logical == Cols,
                  "ctml::sparse::nm_format: N:M needs each weight's input at its own index: Dense, "
                  "1x1 convolutions and Conv1D (no general KxK or depthwise convolutions)");
    return to_n_m<N, M, Cols>(s);
  }
};

namespace detail {
// Formats with a kernel over several interleaved inputs (Csr).
template <class W>
concept interleaved_format = requires(const W& w, const typename W::value_type* x) {
  w.template rows_dot_interleaved<typename W::value_type, 4>(x, [](std::size_t, const typename W::value_type (&)[4]) {});
};
// p rounded up to 16 bytes (the SIMD interleaved kernels load whole vectors; the layers reserve
// 16 bytes of slack). Unchanged in a constant evaluation, where addresses have no numeric value.
template <class T>
constexpr T* align16(T* p) {
  if (std::is_constant_evaluated()) return p;
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  return p + ((16 - a % 16) % 16) / sizeof(T);
}

// n vectors of K values each (in, K apart: the frames of a clip, the pixels of a pointwise conv)
// through a format with an interleaved kernel, P per pass over the non-zeros:
// out[i * rows + r] = finish(r, sum of vector i and row r). The last n % P go one by one through
// single(copy, i) from a copy in scratch, so in may be out (a block is read before it is
// written). scratch: K * P values plus 16 bytes of alignment slack.
template <class Acc, std::size_t P, std::size_t K, class W, class T, class Finish, class Single>
constexpr void interleaved_rows(const W& w, const T* in, T* out, std::size_t n, T* scratch, Finish&& finish,
                                Single&& single) {
  ::ctml::detail::side_effect_fence();
  T* xt = align16(scratch);
  const std::size_t blocks = n / P;
  for (std::size_t blk = 0; blk < blocks; ++blk) {
    kernels::interleave<P, K>(in + blk * P * K, K, xt);
    T* o = out + blk * P * W::rows;
    w.template rows_dot_interleaved<Acc, P>(xt, [&](std::size_t r, const Acc (&acc)[P]) {
      for (std::size_t p = 0; p < P; ++p) o[p * W::rows + r] = finish(r, acc[p]);
    });
  }
  for (std::size_t i = blocks * P; i < n; ++i) {
    for (std::size_t k = 0; k < K; ++k) xt[k] = in[i * K + k];
    single(xt, i);
  }
}
}  // namespace detail

// Weight formats count as parameters: size() stored weights, size_bytes() with their indices.
template <class W>
struct SparseWeights : W {
  static constexpr std::size_t rank = 0;  // not a dense tensor: pruning and masks skip it
  static constexpr std::size_t size() noexcept { return W::nnz; }
  static constexpr std::size_t size_bytes() noexcept { return W::storage_bytes; }
};

// ---- Dense ------------------------------------------------------------------------------------
template <class W, ShapeType In, Activation Act = Activation::none>
struct SparseDenseLayer {
  using T = typename W::value_type;
  static_assert(In::rank == 1, "ctml::sparse::SparseDense expects a rank-1 input; Flatten first");
  static_assert(W::cols_count == In::size, "ctml::sparse::SparseDense: weight columns != inputs");
  static constexpr std::size_t in_features = In::size, out_features = W::rows;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<W::rows>>;
  using weight_type = SparseWeights<W>;
  using bias_type = Tensor<T, Shape<W::rows>>;
  static constexpr Activation activation = Act;
  static constexpr std::string_view name = "SparseDense";
  static constexpr std::size_t nnz = W::nnz;
  static constexpr std::size_t macs = W::nnz;

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void forward(const T* in, T* out, T*) const {
    const T* b = bias.data();
    weights.template rows_dot<T>(in, [&](std::size_t r, T acc) { out[r] = kernels::activate<Act>(b[r] + acc); });
  }

  // n inputs at once (in: n x In, out: n x Units, each contiguous, not overlapping): the frames of
  // a clip, a mini-batch. Formats with an interleaved kernel (Csr) pass over the non-zeros once
  // per batch_block inputs, so each non-zero's value and index serve that many multiply-adds and
  // the inputs come as vectors instead of gathered one by one; others run forward() per input.
  // Results equal forward()'s up to float rounding (the partial sums differ).
  static constexpr std::size_t batch_block = detail::interleaved_format<W> ? kernels::interleave_block : 1;
  static constexpr std::size_t batch_scratch_size = batch_block > 1 ? In::size * batch_block + 16 / sizeof(T) : 0;

  constexpr void forward_batch(const T* in, T* out, std::size_t n, T* scratch) const {
    ::ctml::detail::side_effect_fence();
    if constexpr (batch_block > 1) {
      const T* b = bias.data();
      detail::interleaved_rows<T, batch_block, In::size>(
          weights, in, out, n, scratch, [&](std::size_t r, T acc) { return kernels::activate<Act>(b[r] + acc); },
          [&](const T* x, std::size_t f) { forward(x, out + f * W::rows, nullptr); });
    } else {
      for (std::size_t f = 0; f < n; ++f) forward(in + f * In::size, out + f * W::rows, scratch);
    }
  }
};

template <class T, ShapeType In, std::size_t Units, std::size_t NNZ, Activation Act = Activation::none>
using CsrDenseLayer = SparseDenseLayer<Csr<T, Units, In::size, NNZ>, In, Act>;

// ---- convolutions --------------------------------------------------------------------------------
namespace detail {
template <kernels::Conv2DGeometry G>
struct ConvFrame {
  static constexpr std::size_t hp = (G.oh - 1) * G.sh + (G.kh - 1) * G.dh + 1;  // rows the windows span
  static constexpr std::size_t wp = (G.ow - 1) * G.sw + (G.kw - 1) * G.dw + 1;
  static constexpr bool padded = G.pt > 0 || G.pl > 0 || hp > G.ih + G.pt || wp > G.iw + G.pl;
  static constexpr std::size_t row_stride = padded ? wp : G.iw;  // pixels per row of the image read
  static constexpr std::size_t image_size = hp * wp * G.cin;
  static constexpr std::size_t tap_offset(std::size_t ky, std::size_t kx) {
    return (ky * G.dh * row_stride + kx * G.dw) * G.cin;
  }
  static constexpr std::size_t span = tap_offset(G.kh - 1, G.kw - 1) + G.cin;  // stored column range
  static constexpr bool pointwise = G.kh == 1 && G.kw == 1 && G.sh == 1 && G.sw == 1 && !padded;

  // Zero-bordered copy of the input (pad: 0, or the int8 input zero point): the border filled,
  // then each input row copied whole. (A per-pixel form with the bounds test inside was
  // miscompiled by GCC 12 at -O3 with AVX2 loop vectorisation.)
  template <class T>
  static constexpr void pad_image(const T* in, T* img, T pad) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t i = 0; i < image_size; ++i) img[i] = pad;
    constexpr std::size_t cols = wp - G.pl < G.iw ? wp - G.pl : G.iw;  // input pixels a row keeps
    for (std::size_t iy = 0; iy < G.ih && iy + G.pt < hp; ++iy) {
      const T* s = in + iy * G.iw * G.cin;
      T* d = img + ((iy + G.pt) * wp + G.pl) * G.cin;
      for (std::size_t i = 0; i < cols * G.cin; ++i) d[i] = s[i];
    }
  }

  // Calls pixel(window origin pointer, output pixel index) for every output pixel. For a pointwise
  // conv running in place, each input pixel is first copied to `pixel_copy`.
  template <class T, class F>
  static constexpr void for_pixels(const T* image, T* pixel_copy, bool copy_pixel, F&& pixel) {
    ::ctml::detail::side_effect_fence();
    for (std::size_t oy = 0; oy < G.oh; ++oy)
      for (std::size_t ox = 0; ox < G.ow; ++ox) {
        const T* origin = image + (oy * G.sh * row_stride + ox * G.sw) * G.cin;
        if (copy_pixel) {
          for (std::size_t c = 0; c < G.cin; ++c) pixel_copy[c] = origin[c];
          origin = pixel_copy;
        }
        pixel(origin, oy * G.ow + ox);
      }
  }
};

template <class W>
constexpr std::size_t pixel_block_for(bool pointwise) {
  if (!pointwise) return 1;
  if constexpr (requires(const W& w, const float* x) {
                  w.template rows_dot_pixels<float, 4>(x, 1, [](std::size_t, const float (&)[4]) {});
                })
    return 4;
  else
    return 1;
}

// Pointwise conv by blocks of P pixels: block(x, first pixel) for whole blocks (x = the block's
// first pixel, copied to scratch first when running in place), single(x, pixel) for the rest.
template <kernels::Conv2DGeometry G, std::size_t P, class T, class Block, class Single>
constexpr void pointwise_blocks(const T* in, T* scratch, bool copy, Block&& block, Single&& single) {
  ::ctml::detail::side_effect_fence();
  constexpr std::size_t pixels = G.ih * G.iw;
  std::size_t p0 = 0;
  for (; p0 + P <= pixels; p0 += P) {
    const T* x = in + p0 * G.cin;
    if (copy) {
      for (std::size_t i = 0; i < P * G.cin; ++i) scratch[i] = x[i];
      x = scratch;
    }
    block(x, p0);
  }
  if constexpr (pixels % P != 0) {
    for (; p0 < pixels; ++p0) {
      const T* x = in + p0 * G.cin;
      if (copy) {
        for (std::size_t i = 0; i < G.cin; ++i) scratch[i] = x[i];
        x = scratch;
      }
      single(x, p0);
    }
  } else {
    (void)single;
  }
}

// Conv2D OHWI [Cout][KH][KW][Cin] (Conv1D [Cout][K][Cin] is the KH = 1 case) as rows of Cout.
template <kernels::Conv2DGeometry G, class T>
struct ConvSource {
  const T* w;
  using F = ConvFrame<G>;
  static constexpr std::size_t rows = G.cout, logical = G.kh * G.kw * G.cin;
  constexpr T value(std::size_t r, std::size_t j) const { return w[r * logical + j]; }
  static constexpr std::size_t col(std::size_t, std::size_t j) {
    const std::size_t t = j / G.cin, ci = j % G.cin;
    return F::tap_offset(t / G.kw, t % G.kw) + ci;
  }
};
// Depthwise [KH][KW][C*Mult]: row co has one tap per (ky, kx), on input channel co / Mult.
template <kernels::Conv2DGeometry G, std::size_t Mult, class T>
struct DepthwiseSource {
  const T* w;
  using F = ConvFrame<G>;
  static constexpr std::size_t rows = G.cout, logical = G.kh * G.kw;
  constexpr T value(std::size_t r, std::size_t t) const { return w[t * G.cout + r]; }
  static constexpr std::size_t col(std::size_t r, std::size_t t) {
    return F::tap_offset(t / G.kw, t % G.kw) + r / Mult;
  }
};
}  // namespace detail

template <class W, kernels::Conv2DGeometry G, ShapeType InS, ShapeType OutS, Activation Act = Activation::none,
          bool Depthwise = false>
struct SparseConvLayer {
  using T = typename W::value_type;
  using frame = detail::ConvFrame<G>;
  static_assert(W::rows == G.cout && W::cols_count == frame::span,
                "ctml::sparse::SparseConv: weight format does not match the geometry");
  static_assert(InS::size == G.ih * G.iw * G.cin && OutS::size == G.oh * G.ow * G.cout);
  static constexpr kernels::Conv2DGeometry geometry = G;
  using input_type = Tensor<T, InS>;
  using output_type = Tensor<T, OutS>;
  using weight_type = SparseWeights<W>;
  using bias_type = Tensor<T, Shape<G.cout>>;
  static constexpr Activation activation = Act;
  static constexpr bool pointwise = frame::pointwise;
  static constexpr bool in_place = pointwise && G.cout <= G.cin;
  // Pointwise convs on formats with a multi-pixel kernel take several pixels per weight pass: on
  // SIMD hosts interleave_block pixels interleaved into scratch (whole-vector input loads; the copy
  // also makes running in place safe), elsewhere pixel_block pixels read where they are.
  static constexpr bool interleaved =
      kernels::interleave_vectorised && pointwise && detail::interleaved_format<W>;
  static constexpr std::size_t pixel_block = interleaved ? 1 : detail::pixel_block_for<W>(pointwise);
  static constexpr std::size_t scratch_size =
      interleaved ? G.cin * kernels::interleave_block + 16 / sizeof(T)
                  : (frame::padded ? frame::image_size : (in_place ? G.cin * pixel_block : 0));
  static constexpr std::string_view name = Depthwise ? "SparseDepthwiseConv2D" : (pointwise ? "SparseConv 1x1" : "SparseConv");
  static constexpr std::size_t nnz = W::nnz;
  static constexpr std::size_t macs = W::nnz * G.oh * G.ow;

  weight_type weights;
  bias_type bias;

  constexpr auto parameters() { return std::tie(weights, bias); }
  constexpr auto parameters() const { return std::tie(weights, bias); }

  constexpr void forward(const T* in, T* out, T* scratch) const {
    ::ctml::detail::side_effect_fence();
    const T* image = in;
    if constexpr (frame::padded) {
      frame::pad_image(in, scratch, T(0));
      image = scratch;
    }
    const T* b = bias.data();
    if constexpr (interleaved) {
      detail::interleaved_rows<T, kernels::interleave_block, G.cin>(
          weights, in, out, G.ih * G.iw, scratch, [&](std::size_t r, T acc) { return kernels::activate<Act>(b[r] + acc); },
          [&](const T* x, std::size_t p) {
            T* o = out + p * G.cout;
            weights.template rows_dot<T>(x, [&](std::size_t r, T acc) { o[r] = kernels::activate<Act>(b[r] + acc); });
          });
    } else if constexpr (pixel_block > 1) {
      detail::pointwise_blocks<G, pixel_block, T>(in, scratch, in_place, [&](const T* x, std::size_t p0) {
        weights.template rows_dot_pixels<T, pixel_block>(x, G.cin, [&](std::size_t r, const T (&acc)[pixel_block]) {
          for (std::size_t p = 0; p < pixel_block; ++p)
            out[(p0 + p) * G.cout + r] = kernels::activate<Act>(b[r] + acc[p]);
        });
      }, [&](const T* x, std::size_t p) {
        T* o = out + p * G.cout;
        weights.template rows_dot<T>(x, [&](std::size_t r, T acc) { o[r] = kernels::activate<Act>(b[r] + acc); });
      });
    } else {
      frame::for_pixels(image, scratch, in_place, [&](const T* x, std::size_t p) {
        T* o = out + p * G.cout;
        weights.template rows_dot<T>(x, [&](std::size_t r, T acc) { o[r] = kernels::activate<Act>(b[r] + acc); });
      });
    }
  }
};

// ---- conversions -------------------------------------------------------------------------------
// to_sparse<Format, NNZ>(layer) dispatches on the layer type through sparse_conversion<Layer>,
// which other headers specialise (quantized.hpp for the int8 layers).
template <class L>
struct sparse_conversion;

template <class Fmt, std::size_t NNZ, class L>
  requires requires { sizeof(sparse_conversion<L>); }
constexpr auto to_sparse(const L& l) {
  return sparse_conversion<L>::template convert<Fmt, NNZ>(l);
}

template <class T, class In, std::size_t Units, Activation A>
struct sparse_conversion<DenseLayer<T, In, Units, A>> {
  template <class Fmt, std::size_t NNZ>
  static constexpr auto convert(const DenseLayer<T, In, Units, A>& d) {
    const RowMajor<T, Units, In::size> src{d.weights.data()};
    using W = decltype(Fmt::template make<NNZ, In::size>(src));
    return SparseDenseLayer<W, In, A>{{Fmt::template make<NNZ, In::size>(src)}, d.bias};
  }
};

namespace detail {
template <class Fmt, std::size_t NNZ, bool DW, class Src, class L>
constexpr auto to_sparse_conv(const L& l) {
  constexpr auto G = L::geometry;
  const Src src{l.weights.data()};
  using W = decltype(Fmt::template make<NNZ, ConvFrame<G>::span>(src));
  using Out = typename L::output_type::shape_type;
  using In = typename L::input_type::shape_type;
  using T = typename L::input_type::value_type;
  return SparseConvLayer<W, G, In, Out, L::activation, DW>{
      {Fmt::template make<NNZ, ConvFrame<G>::span>(src)}, Tensor<T, Shape<G.cout>>{l.bias}};
}
}  // namespace detail

template <class T, class In, std::size_t F, std::size_t KH, std::size_t KW, class Opt>
struct sparse_conversion<Conv2DLayer<T, In, F, KH, KW, Opt>> {
  using L = Conv2DLayer<T, In, F, KH, KW, Opt>;
  template <class Fmt, std::size_t NNZ>
  static constexpr auto convert(const L& c) {
    return detail::to_sparse_conv<Fmt, NNZ, false, detail::ConvSource<L::geometry, T>>(c);
  }
};
template <class T, class In, std::size_t F, std::size_t K, class Opt>
struct sparse_conversion<Conv1DLayer<T, In, F, K, Opt>> {
  using L = Conv1DLayer<T, In, F, K, Opt>;
  template <class Fmt, std::size_t NNZ>
  static constexpr auto convert(const L& c) {
    return detail::to_sparse_conv<Fmt, NNZ, false, detail::ConvSource<L::geometry, T>>(c);
  }
};
template <class T, class In, std::size_t KH, std::size_t KW, class Opt>
struct sparse_conversion<DepthwiseConv2DLayer<T, In, KH, KW, Opt>> {
  using L = DepthwiseConv2DLayer<T, In, KH, KW, Opt>;
  template <class Fmt, std::size_t NNZ>
  static constexpr auto convert(const L& c) {
    return detail::to_sparse_conv<Fmt, NNZ, true, detail::DepthwiseSource<L::geometry, L::multiplier, T>>(c);
  }
};

template <std::size_t NNZ, class L>
constexpr auto to_csr_layer(const L& l) { return to_sparse<csr_format, NNZ>(l); }
template <std::size_t NNZ, class L>
constexpr auto to_sliced_layer(const L& l) { return to_sparse<sliced_format, NNZ>(l); }
template <std::size_t N, std::size_t M, class L>
constexpr auto to_n_m_layer(const L& l) { return to_sparse<nm_format<N, M>, 0>(l); }

// Number of non-zero weights of a layer (or tensor): the NNZ template argument.
template <class L>
  requires requires(const L& l) { l.weights; }
constexpr std::size_t nnz(const L& layer) { return count_nonzero(layer.weights); }
template <TensorLike Tn>
constexpr std::size_t nnz(const Tn& t) { return count_nonzero(t); }

// The sparse twin of a constexpr dense layer, NNZ counted at compile time:
//   static constexpr auto fc = make_pruned_fc();
//   constexpr auto sp = ctml::sparse::compress<fc>();              // CSR
//   constexpr auto sl = ctml::sparse::compress<fc, sliced_format>();
template <const auto& Dense, class Fmt = csr_format>
constexpr auto compress() {
  return to_sparse<Fmt, count_nonzero(Dense.weights)>(Dense);
}
template <const auto& Dense, class Fmt = csr_format>
using compressed_t = decltype(compress<Dense, Fmt>());

}  // namespace ctml::sparse

// Expression form for a constexpr layer object (no template parameter object needed):
//   constexpr auto sp = CTML_SPARSE(fc);   constexpr auto sl = CTML_SPARSE(fc, sliced_format);
#define CTML_SPARSE_FMT_(layer, fmt) \
  ::ctml::sparse::to_sparse<::ctml::sparse::fmt, ::ctml::sparse::count_nonzero((layer).weights)>(layer)
#define CTML_SPARSE_1_(layer) CTML_SPARSE_FMT_(layer, csr_format)
#define CTML_SPARSE_PICK_(a, b, name, ...) name
#define CTML_SPARSE(...) CTML_SPARSE_PICK_(__VA_ARGS__, CTML_SPARSE_FMT_, CTML_SPARSE_1_, unused)(__VA_ARGS__)
