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
