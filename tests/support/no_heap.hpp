// SPDX-License-Identifier: Apache-2.0
#pragma once
// Zero-heap guard for ctml tests.
//
// Every test binary built with ctml_add_test() (unless NO_HEAP_GUARD) links no_heap.cpp, which
// observes all heap allocations of the process:
//   * glibc host build:   global operator new/delete (all sized/aligned/nothrow forms) and the
//                         C allocator (malloc, calloc, realloc, reallocarray, aligned_alloc,
//                         posix_memalign, memalign, valloc, pvalloc, free) are replaced and
//                         forwarded to glibc's __libc_* implementation.
//   * ASan build (CTML_SANITIZE): nothing is replaced (that would fight ASan's interceptors);
//                         the sanitizer allocator's malloc/free hooks are used instead, which see
//                         malloc *and* operator new.
//   * other platforms:    only operator new/delete are replaced; malloc_guarded() is false.
//
// Allocations are counted only while a NoHeapScope is alive on the current thread; outside a
// scope they pass through untouched (doctest and test fixtures may allocate freely).
//
//   {
//     ctml::test::NoHeapScope guard;
//     net(input, output, arena);
//     CHECK(guard.allocations() == 0);
//   }
//
// A passing CHECK does not allocate, so checking inside the scope is fine. (Running a test
// binary with doctest's -s / --success makes every assertion stringify, i.e. allocate, and thus
// breaks exact allocation counts; don't use -s with guarded tests.)
//
// Whole-binary mode: ctml_add_test(... STRICT_NO_HEAP) arms the guard around every TEST_CASE
// body and makes the binary exit non-zero, naming the offending test cases, if any of them
// touched the heap. doctest itself allocates for SUBCASE bookkeeping, INFO/CAPTURE/MESSAGE and
// for failing assertions, so STRICT_NO_HEAP binaries should stick to TEST_CASE + CHECK/REQUIRE
// (use a local NoHeapScope where SUBCASEs are needed).
//
// Debugging: set CTML_NO_HEAP_TRAP=1 in the environment (or call set_trap_on_heap(true)) to
// abort() at the first guarded allocation, so a debugger shows the offending call stack.
#include <cstddef>

namespace ctml::test {

// Monotonic per-thread counters of allocation events that happened while a guard was armed.
struct HeapStats {
  std::size_t allocations = 0;
  std::size_t deallocations = 0;
  std::size_t bytes = 0;
};

// Counters for the calling thread.
[[nodiscard]] HeapStats heap_stats() noexcept;

// True when C allocation functions (malloc & co.) are observed, not only operator new.
[[nodiscard]] bool malloc_guarded() noexcept;

// When on, the first allocation made under an armed guard prints a message and aborts.
void set_trap_on_heap(bool on) noexcept;

namespace detail {
void arm() noexcept;
void disarm() noexcept;
[[nodiscard]] bool armed() noexcept;
}  // namespace detail

// RAII: arms the guard on the current thread for its lifetime. Scopes nest.
class NoHeapScope {
 public:
  NoHeapScope() noexcept : start_(heap_stats()) { detail::arm(); }
  ~NoHeapScope() { detail::disarm(); }
  NoHeapScope(const NoHeapScope&) = delete;
  NoHeapScope& operator=(const NoHeapScope&) = delete;

  // Allocations (operator new, malloc, calloc, realloc, ...) made since construction.
  [[nodiscard]] std::size_t allocations() const noexcept {
    return heap_stats().allocations - start_.allocations;
  }
  // Bytes requested by those allocations.
  [[nodiscard]] std::size_t bytes() const noexcept { return heap_stats().bytes - start_.bytes; }
  // Calls to operator delete / free with a non-null pointer since construction.
  [[nodiscard]] std::size_t deallocations() const noexcept {
    return heap_stats().deallocations - start_.deallocations;
  }

 private:
  HeapStats start_;
};

}  // namespace ctml::test
