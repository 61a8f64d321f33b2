// SPDX-License-Identifier: Apache-2.0
#pragma once
// Gated recurrent unit, float. Specs: GRU<Units, Output, Reset> over a [time, features] input and
// StreamingGRU<Units, Reset> one step per call (layers/recurrent.hpp); math: kernels/gru.hpp.
// Parameters in PyTorch's nn.GRU layout (weight_ih_l0 [3H][F], weight_hh_l0 [3H][H], bias_ih_l0,
// bias_hh_l0 [3H]; gate rows r, z, n). From Keras: its kernel [F][3H] and recurrent_kernel
// [H][3H] transposed, the gate blocks reordered from z, r, h to r, z, n, bias[0] / bias[1] as
// b_ih / b_hh (reset_after=True) or bias as b_ih with b_hh = 0 (reset_after=False, Reset::before).
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/gru.hpp>
#include <ctml/layers/recurrent.hpp>

namespace ctml {

// The parameters of a GRU cell of F inputs and H units (and its initial state h0).
template <class T, std::size_t F, std::size_t H, rnn::Reset R>
struct GRUCell {
  static_assert(F > 0 && H > 0, "ctml::GRU needs at least one feature and one unit");
  static constexpr std::size_t features = F;
  static constexpr std::size_t units = H;
  static constexpr bool reset_after = R == rnn::Reset::after;
  static constexpr std::size_t parameter_count = 3 * H * (F + H) + 6 * H;
  static constexpr std::size_t macs_per_step = 3 * H * (F + H);
  static constexpr std::size_t step_scratch = 4 * H;

  using weight_ih_type = Tensor<T, Shape<3 * H, F>>;
  using weight_hh_type = Tensor<T, Shape<3 * H, H>>;
  using bias_type = Tensor<T, Shape<3 * H>>;

  Tensor<T, Shape<3 * H, F>> w_ih;  // rows r, z, n
  Tensor<T, Shape<3 * H, H>> w_hh;
  Tensor<T, Shape<3 * H>> b_ih;
  Tensor<T, Shape<3 * H>> b_hh;
  Tensor<T, Shape<H>> h0;  // the initial hidden state (zero unless set)

  constexpr auto parameters() { return std::tie(w_ih, w_hh, b_ih, b_hh); }
  constexpr auto parameters() const { return std::tie(w_ih, w_hh, b_ih, b_hh); }
  constexpr auto buffers() { return std::tie(h0); }
  constexpr auto buffers() const { return std::tie(h0); }

  // h' from x and h (h' may be h). Not inlined: the sequence and streaming forms then run the
  // same machine code, so they give the same bits under every flag (inlined into two contexts, GCC
  // contracted multiply-adds into FMAs differently there under -march=native: 1 ulp apart).
  [[gnu::noinline]] constexpr void step(const T* x, const T* h, T* h_next, T* scratch) const {
    kernels::gru_step<T, F, H, reset_after>(x, h, h_next, w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), scratch);
  }
};

template <class T, ShapeType In, std::size_t Units, rnn::Output O = rnn::Output::last, rnn::Reset R = rnn::Reset::after,
          std::size_t Truncation = 0>
struct GRULayer : GRUCell<T, (In::rank == 2 ? In::extent(1) : 1), Units, R> {
  static_assert(In::rank == 2, "ctml::GRU expects a [time, features] input (StreamingGRU takes one step's [features])");
  using cell = GRUCell<T, In::extent(1), Units, R>;
  static constexpr std::size_t steps = In::extent(0);
  static constexpr rnn::Output output = O;
  // Training: gradients flow back through at most this many steps (0: the whole sequence);
  // train/backward_gru.hpp.
  static constexpr std::size_t truncation = Truncation;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, std::conditional_t<O == rnn::Output::sequence, Shape<steps, Units>, Shape<Units>>>;
  static constexpr std::string_view name = "GRU";
  static constexpr std::size_t macs = steps * cell::macs_per_step;
  // The gate sums, and the running state when only the last one is output.
  static constexpr std::size_t scratch_size = cell::step_scratch + (O == rnn::Output::last ? Units : 0);

  constexpr void forward(const T* in, T* out, T* scratch) const {
    ::ctml::detail::side_effect_fence();
    T* h = O == rnn::Output::last ? scratch + cell::step_scratch : out;  // the state written at step t
    const T* prev = this->h0.data();
    for (std::size_t t = 0; t < steps; ++t) {
      T* cur = O == rnn::Output::sequence ? out + t * Units : h;
      this->step(in + t * cell::features, prev, cur, scratch);
      prev = cur;
    }
    if constexpr (O == rnn::Output::last)
      for (std::size_t j = 0; j < Units; ++j) out[j] = h[j];
  }
};

template <class T, ShapeType In, std::size_t Units, rnn::Reset R = rnn::Reset::after>
struct StreamingGRULayer : GRUCell<T, In::size, Units, R> {
  static_assert(In::rank == 1, "ctml::StreamingGRU takes one time step's [features] per call (GRU takes a [time, features] sequence)");
  using cell = GRUCell<T, In::size, Units, R>;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<Units>>;
  static constexpr std::string_view name = "StreamingGRU";
  static constexpr std::size_t macs = cell::macs_per_step;
  static constexpr std::size_t scratch_size = cell::step_scratch;

  struct state_type {
    T h[Units];
  };
  constexpr void reset(state_type& s) const {
    for (std::size_t j = 0; j < Units; ++j) s.h[j] = this->h0[j];
  }
  constexpr void forward(const T* in, T* out, T* scratch, state_type& s) const {
    this->step(in, s.h, s.h, scratch);
    for (std::size_t j = 0; j < Units; ++j) out[j] = s.h[j];
  }
};

template <std::size_t Units, rnn::Output O = rnn::Output::last, rnn::Reset R = rnn::Reset::after, std::size_t Truncation = 0>
struct GRU {
  template <class T, ShapeType In>
  using bind = GRULayer<T, In, Units, O, R, Truncation>;
};
template <std::size_t Units, rnn::Reset R = rnn::Reset::after>
struct StreamingGRU {
  template <class T, ShapeType In>
  using bind = StreamingGRULayer<T, In, Units, R>;
};

}  // namespace ctml
