// SPDX-License-Identifier: Apache-2.0
// STRICT_NO_HEAP binary with a test case that allocates but has no failing assertion: the binary
// must still exit non-zero and name the test case (registered with WILL_FAIL plus an output
// check in heapguard/CMakeLists.txt).
#include <doctest/doctest.h>

namespace {
int* volatile g_sink = nullptr;
}

TEST_CASE("clean") { CHECK(1 + 1 == 2); }

TEST_CASE("allocates behind the guard's back") {
  g_sink = new int(1);
  CHECK(*g_sink == 1);
  delete g_sink;
}
