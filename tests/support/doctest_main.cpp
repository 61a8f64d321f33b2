// SPDX-License-Identifier: Apache-2.0
// Shared doctest main for every ctml test binary (see cmake/CtmlTesting.cmake).
//
// Compiled twice: once plainly, once with CTML_STRICT_NO_HEAP=1 for binaries registered with
// ctml_add_test(... STRICT_NO_HEAP). In strict mode a doctest listener arms the zero-heap guard
// (no_heap.hpp) for the body of every test case; any heap allocation there makes the binary
// exit non-zero and the offending test cases are listed on stderr. The listener runs before
// the reporters, so this assumes the default console reporter (other reporters allocate).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdio>

#if defined(CTML_STRICT_NO_HEAP) && CTML_STRICT_NO_HEAP
#include "no_heap.hpp"

namespace {

struct Violation {
  const char* name;
  const char* file;
  unsigned line;
  std::size_t allocations;
  std::size_t bytes;
};

// Fixed storage: the bookkeeping of a no-heap checker must not allocate itself.
constexpr std::size_t kMaxRecorded = 64;
Violation g_violations[kMaxRecorded];
std::size_t g_num_violations = 0;
ctml::test::HeapStats g_start{};
const doctest::TestCaseData* g_current = nullptr;

struct StrictNoHeapListener final : doctest::IReporter {
  explicit StrictNoHeapListener(const doctest::ContextOptions&) {}

  void test_case_start(const doctest::TestCaseData& tc) override {
    g_current = &tc;
    g_start = ctml::test::heap_stats();
    ctml::test::detail::arm();
  }

  void test_case_end(const doctest::CurrentTestCaseStats&) override {
    ctml::test::detail::disarm();
    const ctml::test::HeapStats now = ctml::test::heap_stats();
    const std::size_t allocations = now.allocations - g_start.allocations;
    if (allocations == 0 || g_current == nullptr) return;
    if (g_num_violations < kMaxRecorded) {
      g_violations[g_num_violations] = {g_current->m_name, g_current->m_file.c_str(),
                                        g_current->m_line, allocations,
                                        now.bytes - g_start.bytes};
    }
    ++g_num_violations;
  }

  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

int report_violations() {
  if (g_num_violations == 0) return 0;
  std::fprintf(stderr, "\nctml STRICT_NO_HEAP: %zu test case(s) used the heap:\n",
               g_num_violations);
  const std::size_t shown = g_num_violations < kMaxRecorded ? g_num_violations : kMaxRecorded;
  for (std::size_t i = 0; i < shown; ++i) {
    const Violation& v = g_violations[i];
    std::fprintf(stderr, "  %s:%u: TEST_CASE \"%s\": %zu heap allocation(s), %zu bytes\n", v.file,
                 v.line, v.name, v.allocations, v.bytes);
  }
  std::fprintf(stderr, "(re-run with CTML_NO_HEAP_TRAP=1 under a debugger to see the call stack)\n");
  return 1;
}

}  // namespace

REGISTER_LISTENER("ctml_strict_no_heap", 1, StrictNoHeapListener);
#endif

int main(int argc, char** argv) {
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  const int result = context.run();
  if (context.shouldExit()) return result;
#if defined(CTML_STRICT_NO_HEAP) && CTML_STRICT_NO_HEAP
  if (report_violations() != 0 && result == 0) return 1;
#endif
  return result;
}
