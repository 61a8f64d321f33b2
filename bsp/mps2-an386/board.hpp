// SPDX-License-Identifier: Apache-2.0
#pragma once
// Minimal board support for firmware images under QEMU: semihosting output and exit, SysTick as
// an instruction counter (with -icount shift=0: 40 instructions per tick on mps2), stack painting.
// No newlib stdio (it allocates): numbers are formatted here.
#include <cstddef>
#include <cstdint>

namespace board {

inline int semihost(int op, const void* arg) {
  register int r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
inline void write(const char* s) { semihost(0x04, s); }  // SYS_WRITE0
inline void write_u(unsigned long long v) {
  char buf[24];
  int n = 23;
  buf[n] = 0;
  do {
    buf[--n] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v && n > 0);
  write(buf + n);
}
inline void write_i(long long v) {
  if (v < 0) {
    write("-");
    write_u(static_cast<unsigned long long>(-v));
  } else {
    write_u(static_cast<unsigned long long>(v));
  }
}
[[noreturn]] inline void exit(bool ok) {
  // SYS_EXIT: ADP_Stopped_ApplicationExit -> QEMU exits 0; RunTimeErrorUnknown -> 1.
  semihost(0x18, reinterpret_cast<const void*>(ok ? 0x20026u : 0x20023u));
  for (;;) {}
}

// SysTick (processor clock): 24-bit down counter.
inline volatile std::uint32_t& reg(std::uintptr_t a) { return *reinterpret_cast<volatile std::uint32_t*>(a); }
inline void systick_start() {
  reg(0xE000E010) = 0;
  reg(0xE000E014) = 0xFFFFFF;
  reg(0xE000E018) = 0;
  reg(0xE000E010) = 5;
  while (reg(0xE000E018) == 0) {}  // the first tick loads the reload value
}
// Ticks elapsed between two readings of the down-counter (one wrap at most: 2^24 ticks).
inline std::uint32_t ticks_between(std::uint32_t earlier, std::uint32_t later) { return (earlier - later) & 0xFFFFFFu; }
inline std::uint32_t systick() { return reg(0xE000E018); }
inline constexpr std::uint32_t instructions_per_tick = 40;

extern "C" std::uint32_t _stack_bottom, _estack;
// Paint the unused stack below the current frame, then count how much of it was overwritten.
inline constexpr std::uint32_t paint = 0xC0FFEE11u;
inline void paint_stack() {
  std::uintptr_t sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  for (std::uint32_t* p = &_stack_bottom; reinterpret_cast<std::uintptr_t>(p) + 64 < sp; ++p) *p = paint;
}
inline std::size_t stack_used() {
  std::uint32_t* p = &_stack_bottom;
  while (p < &_estack && *p == paint) ++p;
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(&_estack) - reinterpret_cast<std::uintptr_t>(p));
}

}  // namespace board
