// SPDX-License-Identifier: Apache-2.0
#pragma once
// How closely an int8 twin follows its float network on a set of inputs:
//   top-1 agreement   fraction of inputs whose largest output has the same index in both
//   max / mean |err|  over every output value, after dequantizing the int8 output
//   auto a = ctml::quant::measure_agreement(float_model, quantized, inputs);
#include <cstddef>
#include <ctml/core/concepts.hpp>

namespace ctml::quant {

struct Agreement {
  std::size_t samples = 0;
  std::size_t top1_matches = 0;
  double max_abs_error = 0;
  double mean_abs_error = 0;
  constexpr double top1() const { return samples ? static_cast<double>(top1_matches) / static_cast<double>(samples) : 0.0; }
};

namespace detail {
template <class T>
constexpr std::size_t argmax(const T& t) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < t.size(); ++i)
    if (t[i] > t[best]) best = i;
  return best;
}
}  // namespace detail

// FloatNet: a float ctml network (infer()); Quantized: a QuantizedModel (float in, float out).
template <class FloatNet, class Quantized, class Samples>
constexpr Agreement measure_agreement(const FloatNet& f, const Quantized& q, const Samples& inputs) {
  Agreement a{};
  double sum = 0;
  std::size_t count = 0;
  for (const auto& x : inputs) {
    const auto yf = f.infer(x);
    const auto yq = q(x);
    ++a.samples;
    if (detail::argmax(yf) == detail::argmax(yq)) ++a.top1_matches;
    for (std::size_t i = 0; i < yf.size(); ++i) {
      const double d = static_cast<double>(yf[i]) - static_cast<double>(yq[i]);
      const double e = d < 0 ? -d : d;
      a.max_abs_error = e > a.max_abs_error ? e : a.max_abs_error;
      sum += e;
      ++count;
    }
  }
  a.mean_abs_error = count ? sum / static_cast<double>(count) : 0.0;
  return a;
}

}  // namespace ctml::quant
