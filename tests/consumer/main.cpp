// SPDX-License-Identifier: Apache-2.0
// Downstream smoke test: only public, installed headers and the ctml::ctml target.
#include <ctml/core/tensor.hpp>

#if __has_include(<ctml/ctml.hpp>)
#include <ctml/ctml.hpp>  // umbrella header: every installed header (and Boost.PFR) resolves
#endif

int main() {
  ctml::Tensor<float, ctml::Shape<2, 3>> t{};
  t(1, 2) = 5;
  return t[5] == 5 ? 0 : 1;
}
