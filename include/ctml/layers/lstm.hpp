// SPDX-License-Identifier: Apache-2.0
#pragma once
// Long short-term memory, float. Specs: LSTM<Units, Output> over a [time, features] input and
// StreamingLSTM<Units> one step per call (layers/recurrent.hpp); math: kernels/lstm.hpp.
// Parameters in PyTorch's nn.LSTM layout (weight_ih_l0 [4H][F], weight_hh_l0 [4H][H], bias_ih_l0,
// bias_hh_l0 [4H]; gate rows i, f, g, o, TFLite's order too). From Keras: kernel [F][4H] and
// recurrent_kernel [H][4H] transposed (Keras's order i, f, c, o is the same), bias as b_ih with
// b_hh = 0. From TFLite (ctml-import): the four gates' weights stacked, the gate biases as b_ih,
// b_hh = 0, its cell_clip.
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/kernels/lstm.hpp>
#include <ctml/layers/recurrent.hpp>

namespace ctml {

// The parameters of an LSTM cell of F inputs and H units (and its initial state h0, c0).
template <class T, std::size_t F, std::size_t H>
struct LSTMCell {
  static_assert(F > 0 && H > 0, "ctml::LSTM needs at least one feature and one unit");
  static constexpr std::size_t features = F;
  static constexpr std::size_t units = H;
  static constexpr std::size_t parameter_count = 4 * H * (F + H) + 8 * H;
  static constexpr std::size_t macs_per_step = 4 * H * (F + H);
  static constexpr std::size_t step_scratch = 4 * H;

  using weight_ih_type = Tensor<T, Shape<4 * H, F>>;
  using weight_hh_type = Tensor<T, Shape<4 * H, H>>;
  using bias_type = Tensor<T, Shape<4 * H>>;

  Tensor<T, Shape<4 * H, F>> w_ih;  // rows i, f, g, o
  Tensor<T, Shape<4 * H, H>> w_hh;
  Tensor<T, Shape<4 * H>> b_ih;
  Tensor<T, Shape<4 * H>> b_hh;
  Tensor<T, Shape<H>> h0;  // the initial state (zero unless set)
  Tensor<T, Shape<H>> c0;
  T cell_clip{};  // > 0: the cell state is clipped to [-cell_clip, cell_clip] (TFLite's option)

  constexpr auto parameters() { return std::tie(w_ih, w_hh, b_ih, b_hh); }
  constexpr auto parameters() const { return std::tie(w_ih, w_hh, b_ih, b_hh); }
  constexpr auto buffers() { return std::tie(h0, c0, cell_clip); }
  constexpr auto buffers() const { return std::tie(h0, c0, cell_clip); }

  // Not inlined: both forms run the same machine code, so they agree to the bit under every flag
  // (see GRUCell::step).
  [[gnu::noinline]] constexpr void step(const T* x, const T* h, const T* c, T* h_next, T* c_next, T* scratch) const {
    kernels::lstm_step<T, F, H>(x, h, c, h_next, c_next, w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), scratch, cell_clip);
  }
};

template <class T, ShapeType In, std::size_t Units, rnn::Output O = rnn::Output::last, std::size_t Truncation = 0>
struct LSTMLayer : LSTMCell<T, (In::rank == 2 ? In::extent(1) : 1), Units> {
  static_assert(In::rank == 2, "ctml::LSTM expects a [time, features] input (StreamingLSTM takes one step's [features])");
  using cell = LSTMCell<T, In::extent(1), Units>;
  static constexpr std::size_t steps = In::extent(0);
  static constexpr rnn::Output output = O;
  // Training: gradients flow back through at most this many steps (0: the whole sequence);
  // train/backward_lstm.hpp.
  static constexpr std::size_t truncation = Truncation;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, std::conditional_t<O == rnn::Output::sequence, Shape<steps, Units>, Shape<Units>>>;
  static constexpr std::string_view name = "LSTM";
  static constexpr std::size_t macs = steps * cell::macs_per_step;
  // The gate sums, the cell state, and the hidden state when only the last one is output.
  static constexpr std::size_t scratch_size = cell::step_scratch + Units + (O == rnn::Output::last ? Units : 0);

  constexpr void forward(const T* in, T* out, T* scratch) const {
    ::ctml::detail::side_effect_fence();
    T* c = scratch + cell::step_scratch;
    T* h = O == rnn::Output::last ? c + Units : out;
    for (std::size_t j = 0; j < Units; ++j) c[j] = this->c0[j];
    const T* prev = this->h0.data();
    for (std::size_t t = 0; t < steps; ++t) {
      T* cur = O == rnn::Output::sequence ? out + t * Units : h;
      this->step(in + t * cell::features, prev, c, cur, c, scratch);
      prev = cur;
    }
    if constexpr (O == rnn::Output::last)
      for (std::size_t j = 0; j < Units; ++j) out[j] = h[j];
  }
};

template <class T, ShapeType In, std::size_t Units>
struct StreamingLSTMLayer : LSTMCell<T, In::size, Units> {
  static_assert(In::rank == 1, "ctml::StreamingLSTM takes one time step's [features] per call (LSTM takes a [time, features] sequence)");
  using cell = LSTMCell<T, In::size, Units>;
  using input_type = Tensor<T, In>;
  using output_type = Tensor<T, Shape<Units>>;
  static constexpr std::string_view name = "StreamingLSTM";
  static constexpr std::size_t macs = cell::macs_per_step;
  static constexpr std::size_t scratch_size = cell::step_scratch;

  struct state_type {
    T h[Units];
    T c[Units];
  };
  constexpr void reset(state_type& s) const {
    for (std::size_t j = 0; j < Units; ++j) s.h[j] = this->h0[j], s.c[j] = this->c0[j];
  }
  constexpr void forward(const T* in, T* out, T* scratch, state_type& s) const {
    this->step(in, s.h, s.c, s.h, s.c, scratch);
    for (std::size_t j = 0; j < Units; ++j) out[j] = s.h[j];
  }
};

template <std::size_t Units, rnn::Output O = rnn::Output::last, std::size_t Truncation = 0>
struct LSTM {
  template <class T, ShapeType In>
  using bind = LSTMLayer<T, In, Units, O, Truncation>;
};
template <std::size_t Units>
struct StreamingLSTM {
  template <class T, ShapeType In>
  using bind = StreamingLSTMLayer<T, In, Units>;
};

}  // namespace ctml
