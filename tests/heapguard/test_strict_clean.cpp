// SPDX-License-Identifier: Apache-2.0
// STRICT_NO_HEAP binary whose test cases never touch the heap: must pass. Shows that doctest's
// own bookkeeping for TEST_CASE + passing CHECK/REQUIRE does not allocate.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>

#include <ctml/core/tensor.hpp>

TEST_CASE("tensor arithmetic on the stack") {
  ctml::Tensor<int, ctml::Shape<4, 4>> t{};
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<int>(i);
  int trace = 0;
  for (int i = 0; i < 4; ++i) trace += t(i, i);
  CHECK(trace == 0 + 5 + 10 + 15);
  REQUIRE(t(3, 3) == 15);
  CHECK_EQ(t[7], 7);
}

TEST_CASE("constant evaluation") {
  constexpr auto square = [](int x) { return x * x; };
  static_assert(square(7) == 49);
  std::array<int, 8> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = square(static_cast<int>(i));
  CHECK(a[7] == 49);
  CHECK_FALSE(a[0] != 0);
}
