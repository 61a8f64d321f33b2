// SPDX-License-Identifier: Apache-2.0
#pragma once
// Calibration over a float network: the range tables of its input and of every layer's output
// (also inside residual blocks), filled by running samples layer by layer (NetCalib).
#include <array>
#include <cstddef>
#include <initializer_list>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctml/core/compiler.hpp>
#include <ctml/core/concepts.hpp>
#include <ctml/layers/gru.hpp>
#include <ctml/layers/lstm.hpp>
#include <ctml/model/network.hpp>
#include <ctml/model/residual.hpp>
#include <ctml/quant/calibration.hpp>
#include <ctml/quant/type_map.hpp>

namespace ctml::quant {

namespace detail {

template <class Net, std::size_t Bins>
struct NetCalib;

// Calibration state nested inside one layer: nothing for plain layers; for a residual block the
// tables of its body and shortcut networks.
template <class L, std::size_t Bins>
struct NestedCalib {
  constexpr void run(const L& l, const float* in, float* out, float* scratch, int) { l.forward(in, out, scratch); }
};
template <class In, class Body, class Short, std::size_t Bins>
struct NestedCalib<ResidualLayer<float, In, Body, Short>, Bins> {
  using L = ResidualLayer<float, In, Body, Short>;
  static constexpr bool projected = L::projected;
  static constexpr std::size_t n = L::output_type::size();
  NetCalib<Body, Bins> body{};
  std::conditional_t<projected, NetCalib<std::conditional_t<projected, Short, Body>, Bins>, std::array<int, 0>> shortcut{};  // unused without projection
  constexpr void run(const L& l, const float* in, float* out, float*, int pass) {
    ::ctml::detail::side_effect_fence();
    body.run(l.body, in, out, pass);
    if constexpr (projected) {
      std::array<float, n> s{};
      shortcut.run(l.shortcut, in, s.data(), pass);
      for (std::size_t i = 0; i < n; ++i) out[i] += s[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) out[i] += in[i];
    }
  }
};

// An LSTM: also the hidden state of every step (the int8 hidden state's range, which the output
// alone does not show when only the last step is output) and the largest |cell state| (its
// int16 power-of-two scale), both including the initial state.
template <class In, std::size_t U, rnn::Output O, std::size_t Tr, std::size_t Bins>
struct NestedCalib<LSTMLayer<float, In, U, O, Tr>, Bins> {
  using L = LSTMLayer<float, In, U, O, Tr>;
  TensorStats<Bins> hidden{};
  double cell_max_abs = 0;
  constexpr void record(const float* h, const float* c, int pass) {
    if (pass == 0) hidden.observe_range(h, U);
    else hidden.observe_histogram(h, U);
    for (std::size_t j = 0; j < U; ++j) {
      const double a = c[j] < 0 ? -static_cast<double>(c[j]) : static_cast<double>(c[j]);
      cell_max_abs = a > cell_max_abs ? a : cell_max_abs;
    }
  }
  constexpr void run(const L& l, const float* in, float* out, float* scratch, int pass) {
    ::ctml::detail::side_effect_fence();
    std::array<float, U> h{}, c{};
    for (std::size_t j = 0; j < U; ++j) h[j] = l.h0[j], c[j] = l.c0[j];
    record(h.data(), c.data(), pass);
    for (std::size_t t = 0; t < L::steps; ++t) {
      l.step(in + t * L::cell::features, h.data(), c.data(), h.data(), c.data(), scratch);
      record(h.data(), c.data(), pass);
      if constexpr (O == rnn::Output::sequence)
        for (std::size_t j = 0; j < U; ++j) out[t * U + j] = h[j];
    }
    if constexpr (O == rnn::Output::last)
      for (std::size_t j = 0; j < U; ++j) out[j] = h[j];
  }
};

// A GRU: also the hidden state of every step, including the initial one.
template <class In, std::size_t U, rnn::Output O, rnn::Reset R, std::size_t Tr, std::size_t Bins>
struct NestedCalib<GRULayer<float, In, U, O, R, Tr>, Bins> {
  using L = GRULayer<float, In, U, O, R, Tr>;
  TensorStats<Bins> hidden{};
  constexpr void record(const float* h, int pass) {
    if (pass == 0) hidden.observe_range(h, U);
    else hidden.observe_histogram(h, U);
  }
  constexpr void run(const L& l, const float* in, float* out, float* scratch, int pass) {
    ::ctml::detail::side_effect_fence();
    std::array<float, U> h{};
    for (std::size_t j = 0; j < U; ++j) h[j] = l.h0[j];
    record(h.data(), pass);
    for (std::size_t t = 0; t < L::steps; ++t) {
      l.step(in + t * L::cell::features, h.data(), h.data(), scratch);
      record(h.data(), pass);
      if constexpr (O == rnn::Output::sequence)
        for (std::size_t j = 0; j < U; ++j) out[t * U + j] = h[j];
    }
    if constexpr (O == rnn::Output::last)
      for (std::size_t j = 0; j < U; ++j) out[j] = h[j];
  }
};

template <class Net, std::size_t Bins, class Seq = std::make_index_sequence<Net::layer_count>>
struct nested_tuple;
template <class Net, std::size_t Bins, std::size_t... I>
struct nested_tuple<Net, Bins, std::index_sequence<I...>> {
  using type = std::tuple<NestedCalib<typename Net::template layer_type<I>, Bins>...>;
};

// Ranges of a network's input (t[0]) and of each layer's output (t[i + 1]).
template <class Net, std::size_t Bins>
struct NetCalib {
  static constexpr std::size_t n = Net::layer_count;
  std::array<TensorStats<Bins>, n + 1> t{};
  typename nested_tuple<Net, Bins>::type nested{};

  template <std::size_t... I>
  static constexpr std::size_t max_activation(std::index_sequence<I...>) {
    return max_of<std::size_t>({Net::input_type::size(), layer_traits<typename Net::template layer_type<I>>::output_type::size()...});
  }
  template <std::size_t... I>
  static constexpr std::size_t max_scratch(std::index_sequence<I...>) {
    return max_of<std::size_t>({std::size_t{1}, layer_traits<typename Net::template layer_type<I>>::scratch_size...});
  }
  static constexpr std::size_t buffer_size = max_activation(std::make_index_sequence<n>{});
  static constexpr std::size_t scratch_size = max_scratch(std::make_index_sequence<n>{});

  static constexpr void record(TensorStats<Bins>& s, const float* v, std::size_t count, int pass) {
    if (pass == 0) s.observe_range(v, count);
    else s.observe_histogram(v, count);
  }

  // Run the network on in (its input) into out (its output), recording every activation.
  constexpr void run(const Net& net, const float* in, float* out, int pass) {
    std::array<float, buffer_size> a{}, b{};
    std::array<float, scratch_size> s{};
    record(t[0], in, Net::input_type::size(), pass);
    const float* cur = in;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (([&] {
         using L = typename Net::template layer_type<I>;
         static_assert(std::is_same_v<typename layer_traits<L>::scratch_value, float>,
                       "ctml::quant::Calibrator: float layers only");
         float* dst = I + 1 == n ? out : (I % 2 == 0 ? a.data() : b.data());
         std::get<I>(nested).run(net.template layer<I>(), cur, dst, s.data(), pass);
         record(t[I + 1], dst, layer_traits<L>::output_type::size(), pass);
         cur = dst;
       }()),
       ...);
    }(std::make_index_sequence<n>{});
  }
};

}  // namespace detail
}  // namespace ctml::quant
