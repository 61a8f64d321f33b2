// SPDX-License-Identifier: Apache-2.0
// Implementation of the zero-heap guard declared in no_heap.hpp. See there for the design.
#include "no_heap.hpp"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define CTML_NH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CTML_NH_ASAN 1
#endif
#endif

#if defined(CTML_NH_ASAN)
#define CTML_NH_MODE_HOOKS 1  // sanitizer allocator hooks see everything; replace nothing
#elif defined(__GLIBC__)
#define CTML_NH_MODE_GLIBC 1  // replace operator new and the C allocator
#else
#define CTML_NH_MODE_NEW_ONLY 1  // replace operator new only
#endif

namespace {

// Constant-initialised, trivially destructible thread-locals: no TLS init wrapper, no heap.
thread_local std::size_t t_depth = 0;
thread_local ctml::test::HeapStats t_stats{};
std::atomic<bool> g_trap{false};

void note_alloc(std::size_t bytes) noexcept {
  if (t_depth == 0) return;
  ++t_stats.allocations;
  t_stats.bytes += bytes;
  if (g_trap.load(std::memory_order_relaxed)) {
    t_depth = 0;  // stderr is unbuffered; make sure reporting cannot recurse into the guard
    std::fprintf(stderr,
                 "ctml no-heap guard: heap allocation of %zu bytes inside a NoHeapScope "
                 "(CTML_NO_HEAP_TRAP set); aborting\n",
                 bytes);
    std::abort();
  }
}

void note_free(const volatile void* p) noexcept {
  if (p != nullptr && t_depth != 0) ++t_stats.deallocations;
}

bool env_flag(const char* name) noexcept {
  const char* v = std::getenv(name);
  return v != nullptr && v[0] != '\0' && !(v[0] == '0' && v[1] == '\0');
}

}  // namespace

#if defined(CTML_NH_MODE_HOOKS)
extern "C" int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, std::size_t),
    void (*free_hook)(const volatile void*));

namespace {
void sanitizer_malloc_hook(const volatile void*, std::size_t size) { note_alloc(size); }
void sanitizer_free_hook(const volatile void* p) { note_free(p); }
}  // namespace
#endif

namespace {
[[maybe_unused]] const bool g_initialised = [] {
  if (env_flag("CTML_NO_HEAP_TRAP")) g_trap.store(true, std::memory_order_relaxed);
#if defined(CTML_NH_MODE_HOOKS)
  __sanitizer_install_malloc_and_free_hooks(&sanitizer_malloc_hook, &sanitizer_free_hook);
#endif
  return true;
}();
}  // namespace

namespace ctml::test {

HeapStats heap_stats() noexcept { return t_stats; }

bool malloc_guarded() noexcept {
#if defined(CTML_NH_MODE_NEW_ONLY)
  return false;
#else
  return true;
#endif
}

void set_trap_on_heap(bool on) noexcept { g_trap.store(on, std::memory_order_relaxed); }

namespace detail {
void arm() noexcept { ++t_depth; }
void disarm() noexcept {
  if (t_depth != 0) --t_depth;
}
bool armed() noexcept { return t_depth != 0; }
}  // namespace detail

}  // namespace ctml::test

// ---------------------------------------------------------------------------------------------
// glibc: replace the C allocator, forwarding to glibc's own implementation.
// ---------------------------------------------------------------------------------------------
#if defined(CTML_NH_MODE_GLIBC)
extern "C" {
void* __libc_malloc(std::size_t);
void __libc_free(void*);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void* __libc_valloc(std::size_t);
void* __libc_pvalloc(std::size_t);

void* malloc(std::size_t size) noexcept {
  note_alloc(size);
  return __libc_malloc(size);
}

void free(void* p) noexcept {
  note_free(p);
  __libc_free(p);
}

void* calloc(std::size_t n, std::size_t size) noexcept {
  note_alloc(n * size);
  return __libc_calloc(n, size);
}

void* realloc(void* p, std::size_t size) noexcept {
  if (size != 0 || p == nullptr) {
    note_alloc(size);
  } else {
    note_free(p);
  }
  return __libc_realloc(p, size);
}

void* reallocarray(void* p, std::size_t n, std::size_t size) noexcept {
  if (size != 0 && n > SIZE_MAX / size) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(p, n * size);
}

void* memalign(std::size_t alignment, std::size_t size) noexcept {
  note_alloc(size);
  return __libc_memalign(alignment, size);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  note_alloc(size);
  return __libc_memalign(alignment, size);
}

int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0)
    return EINVAL;
  note_alloc(size);
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(std::size_t size) noexcept {
  note_alloc(size);
  return __libc_valloc(size);
}

void* pvalloc(std::size_t size) noexcept {
  note_alloc(size);
  return __libc_pvalloc(size);
}
}  // extern "C"
#endif  // CTML_NH_MODE_GLIBC

// ---------------------------------------------------------------------------------------------
// Global operator new / delete (not under ASan: its own operators feed the hooks above).
// ---------------------------------------------------------------------------------------------
#if !defined(CTML_NH_MODE_HOOKS)
namespace {

#if defined(CTML_NH_MODE_GLIBC)
void* raw_alloc(std::size_t n) noexcept { return __libc_malloc(n); }
void raw_free(void* p) noexcept { __libc_free(p); }
void* raw_aligned_alloc(std::size_t n, std::size_t align) noexcept {
  return __libc_memalign(align, n);
}
void raw_aligned_free(void* p) noexcept { __libc_free(p); }
#else
void* raw_alloc(std::size_t n) noexcept { return std::malloc(n); }
void raw_free(void* p) noexcept { std::free(p); }
// Portable over-allocation: the original pointer is stored just below the aligned block.
void* raw_aligned_alloc(std::size_t n, std::size_t align) noexcept {
  if (align < alignof(void*)) align = alignof(void*);
  void* base = std::malloc(n + align + sizeof(void*));
  if (base == nullptr) return nullptr;
  auto addr = reinterpret_cast<std::uintptr_t>(base) + sizeof(void*);
  addr = (addr + align - 1) & ~(static_cast<std::uintptr_t>(align) - 1);
  reinterpret_cast<void**>(addr)[-1] = base;
  return reinterpret_cast<void*>(addr);
}
void raw_aligned_free(void* p) noexcept {
  if (p != nullptr) std::free(static_cast<void**>(p)[-1]);
}
#endif

[[noreturn]] void throw_bad_alloc() {
#if defined(__cpp_exceptions)
  throw std::bad_alloc();
#else
  std::abort();
#endif
}

void* new_impl(std::size_t n) {
  if (n == 0) n = 1;
  note_alloc(n);
  for (;;) {
    if (void* p = raw_alloc(n)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw_bad_alloc();
    handler();
  }
}

void* new_aligned_impl(std::size_t n, std::align_val_t al) {
  if (n == 0) n = 1;
  note_alloc(n);
  for (;;) {
    if (void* p = raw_aligned_alloc(n, static_cast<std::size_t>(al))) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw_bad_alloc();
    handler();
  }
}

void* new_nothrow_impl(std::size_t n) noexcept {
#if defined(__cpp_exceptions)
  try {
    return new_impl(n);
  } catch (...) {
    return nullptr;
  }
#else
  if (n == 0) n = 1;
  note_alloc(n);
  return raw_alloc(n);
#endif
}

void* new_aligned_nothrow_impl(std::size_t n, std::align_val_t al) noexcept {
#if defined(__cpp_exceptions)
  try {
    return new_aligned_impl(n, al);
  } catch (...) {
    return nullptr;
  }
#else
  if (n == 0) n = 1;
  note_alloc(n);
  return raw_aligned_alloc(n, static_cast<std::size_t>(al));
#endif
}

void delete_impl(void* p) noexcept {
  note_free(p);
  raw_free(p);
}

void delete_aligned_impl(void* p) noexcept {
  note_free(p);
  raw_aligned_free(p);
}

}  // namespace

void* operator new(std::size_t n) { return new_impl(n); }
void* operator new[](std::size_t n) { return new_impl(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return new_nothrow_impl(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return new_nothrow_impl(n); }
void* operator new(std::size_t n, std::align_val_t al) { return new_aligned_impl(n, al); }
void* operator new[](std::size_t n, std::align_val_t al) { return new_aligned_impl(n, al); }
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return new_aligned_nothrow_impl(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return new_aligned_nothrow_impl(n, al);
}

void operator delete(void* p) noexcept { delete_impl(p); }
void operator delete[](void* p) noexcept { delete_impl(p); }
void operator delete(void* p, std::size_t) noexcept { delete_impl(p); }
void operator delete[](void* p, std::size_t) noexcept { delete_impl(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { delete_impl(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { delete_impl(p); }
void operator delete(void* p, std::align_val_t) noexcept { delete_aligned_impl(p); }
void operator delete[](void* p, std::align_val_t) noexcept { delete_aligned_impl(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { delete_aligned_impl(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { delete_aligned_impl(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  delete_aligned_impl(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  delete_aligned_impl(p);
}
#endif  // !CTML_NH_MODE_HOOKS
