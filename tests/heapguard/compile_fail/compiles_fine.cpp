// SPDX-License-Identifier: Apache-2.0
// Compiles cleanly: a compile-fail test on it must FAIL (registered with WILL_FAIL).
#include <ctml/core/tensor.hpp>

int main() {
  ctml::Tensor<float, ctml::Shape<2>> t{};
  return static_cast<int>(t[0]);
}
