// SPDX-License-Identifier: Apache-2.0
// Must not compile; the diagnostic must carry the readable message below.
#include <ctml/core/tensor.hpp>

template <class T>
constexpr void require_rank_two() {
  static_assert(T::rank == 2, "ctml selftest: tensor rank must be 2");
}

int main() {
  require_rank_two<ctml::Tensor<float, ctml::Shape<4>>>();
  return 0;
}
