// SPDX-License-Identifier: Apache-2.0
// Self-test of the zero-heap guard (tests/support/no_heap.hpp): proves that allocations made
// through every route are seen while a NoHeapScope is alive, and only then.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <ctml/core/tensor.hpp>

#include "no_heap.hpp"

namespace {

// Every allocation escapes through this volatile pointer, so the compiler cannot elide
// new/delete or malloc/free pairs (allowed for new-expressions since C++14).
void* volatile g_sink = nullptr;

template <class T>
T* escape(T* p) {
  g_sink = p;
  return p;
}

struct alignas(64) OverAligned {
  float v[16];
};

}  // namespace

using ctml::test::NoHeapScope;

TEST_CASE("allocation-free code reports zero allocations") {
  NoHeapScope guard;
  ctml::Tensor<float, ctml::Shape<2, 3>> t{};
  t(1, 2) = 5.0f;
  float sum = 0.0f;
  for (float x : t) sum += x;
  CHECK(sum == 5.0f);
  CHECK(guard.allocations() == 0);
  CHECK(guard.bytes() == 0);
  CHECK(guard.deallocations() == 0);
}

TEST_CASE("new int is detected") {
  NoHeapScope guard;
  int* p = escape(new int(42));
  CHECK(guard.allocations() == 1);
  CHECK(guard.bytes() >= sizeof(int));
  delete p;
  CHECK(guard.deallocations() == 1);
}

TEST_CASE("every operator new form is detected") {
  NoHeapScope guard;
  std::size_t expected = 0;

  int* array = escape(new int[16]);
  CHECK(guard.allocations() == ++expected);
  delete[] array;

  OverAligned* aligned = escape(new OverAligned);  // operator new(size_t, align_val_t)
  CHECK(guard.allocations() == ++expected);
  CHECK(reinterpret_cast<std::uintptr_t>(aligned) % alignof(OverAligned) == 0);
  delete aligned;

  OverAligned* aligned_array = escape(new OverAligned[3]);
  CHECK(guard.allocations() == ++expected);
  delete[] aligned_array;

  int* nothrow = escape(new (std::nothrow) int(1));
  CHECK(nothrow != nullptr);
  CHECK(guard.allocations() == ++expected);
  delete nothrow;

  int* nothrow_array = escape(new (std::nothrow) int[4]);
  CHECK(guard.allocations() == ++expected);
  delete[] nothrow_array;

  OverAligned* nothrow_aligned = escape(new (std::nothrow) OverAligned);
  CHECK(guard.allocations() == ++expected);
  delete nothrow_aligned;

  CHECK(guard.deallocations() == expected);
}

TEST_CASE("standard containers are caught") {
  NoHeapScope guard;
  {
    std::vector<int> v(100, 1);
    g_sink = v.data();
    CHECK(guard.allocations() == 1);
  }
  {
    auto p = std::make_unique<double>(1.0);
    g_sink = p.get();
    CHECK(guard.allocations() == 2);
  }
  {
    std::string s(200, 'x');  // beyond any small-string buffer
    g_sink = s.data();
    CHECK(guard.allocations() == 3);
  }
  CHECK(guard.deallocations() == 3);
}

TEST_CASE("malloc family is detected") {
  if (!ctml::test::malloc_guarded()) {
    MESSAGE("C allocator not observable on this platform; only operator new is guarded");
    return;
  }
  NoHeapScope guard;
  std::size_t expected = 0;

  void* m = escape(std::malloc(24));
  CHECK(guard.allocations() == ++expected);

  void* c = escape(std::calloc(4, 8));
  CHECK(guard.allocations() == ++expected);

  m = escape(std::realloc(m, 4096));
  CHECK(m != nullptr);
  CHECK(guard.allocations() == ++expected);

  void* a = escape(std::aligned_alloc(64, 256));
  CHECK(guard.allocations() == ++expected);

  void* pm = nullptr;
  CHECK(posix_memalign(&pm, 32, 100) == 0);
  escape(pm);
  CHECK(guard.allocations() == ++expected);

  const std::size_t frees_before = guard.deallocations();
  std::free(m);
  std::free(c);
  std::free(a);
  std::free(pm);
  CHECK(guard.deallocations() - frees_before == 4);
  CHECK(guard.bytes() >= 24 + 32 + 4096 + 256 + 100);
}

TEST_CASE("allocations outside a scope pass through uncounted") {
  CHECK_FALSE(ctml::test::detail::armed());
  const ctml::test::HeapStats before = ctml::test::heap_stats();
  int* p = escape(new int(3));
  void* m = escape(std::malloc(64));
  std::free(m);
  delete p;
  const ctml::test::HeapStats after = ctml::test::heap_stats();
  CHECK(after.allocations == before.allocations);
  CHECK(after.deallocations == before.deallocations);
  CHECK(after.bytes == before.bytes);
}

TEST_CASE("scopes nest and disarm on exit") {
  NoHeapScope outer;
  CHECK(ctml::test::detail::armed());
  delete escape(new int(1));
  {
    NoHeapScope inner;
    delete escape(new int(2));
    CHECK(inner.allocations() == 1);
  }
  CHECK(ctml::test::detail::armed());
  CHECK(outer.allocations() == 2);
}

TEST_CASE("the guard is off after the last scope closes") {
  { NoHeapScope guard; }
  CHECK_FALSE(ctml::test::detail::armed());
}

// Run explicitly (see heapguard/CMakeLists.txt) with CTML_NO_HEAP_TRAP=1: must abort.
TEST_CASE("trap aborts on the first guarded allocation" * doctest::skip()) {
  NoHeapScope guard;
  delete escape(new int(5));
  CHECK(guard.allocations() == 1);  // unreachable when the trap is active
}
