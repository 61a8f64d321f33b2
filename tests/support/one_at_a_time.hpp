// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reference for batched inference: n inputs (in: n x input size, contiguous) run one at a time
// through the network's operator(), outputs written n x output size into out.
#include <algorithm>
#include <cstddef>

namespace ctml::test {

template <class Net, std::size_t N>
void one_at_a_time(const Net& net, const typename Net::input_value* in, typename Net::output_value* out,
                   std::size_t n, std::byte (&arena)[N]) {
  constexpr std::size_t a = Net::input_type::size(), b = Net::output_type::size();
  for (std::size_t f = 0; f < n; ++f) {
    typename Net::input_type x{};
    typename Net::output_type y{};
    std::copy_n(in + f * a, a, x.data());
    net(x, y, arena);
    std::copy_n(y.data(), b, out + f * b);
  }
}

}  // namespace ctml::test
