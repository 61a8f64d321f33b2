// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fused activation clamps, applied by conv/dense/pool kernels to each result as it is produced.
#include <ctml/core/options.hpp>

namespace ctml::kernels {

template <Activation A, class T>
constexpr T activate(T v) {
  if constexpr (A == Activation::relu) return v < T(0) ? T(0) : v;
  else if constexpr (A == Activation::relu6) return v < T(0) ? T(0) : (T(6) < v ? T(6) : v);
  else if constexpr (A == Activation::relu_n1_to_1) return v < T(-1) ? T(-1) : (T(1) < v ? T(1) : v);
  else return v;
}

}  // namespace ctml::kernels
