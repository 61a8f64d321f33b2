// SPDX-License-Identifier: Apache-2.0
#pragma once
// Board support for ctml firmware images under QEMU (bsp/<board>/ supplies board_config.h and the
// linker script; this header is the same for every board):
//   * console output through semihosting with a small formatter (integers, hex, fixed-point
//     floats) -- newlib's stdio allocates and is never linked into an image;
//   * exit codes (QEMU's exit status);
//   * an instruction counter: SysTick on the processor clock. Under QEMU with -icount shift=0 one
//     instruction takes one virtual nanosecond, so ticks * (1e9 / clock) = instructions retired.
//     This is an instruction count, not a cycle count;
//   * stack painting and the high-water mark of the stack region.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "board_config.h"
#include "ctml_semihost.h"

extern "C" {
extern volatile std::uint32_t ctml_systick_wraps;
extern std::uint32_t __stack_limit__, __stack_top__;
}

namespace board {

inline constexpr std::string_view name = CTML_BOARD_NAME;

// ---- output -------------------------------------------------------------------------------

inline void write(const char* s) { ctml_sh_write0(s); }
[[noreturn]] inline void exit(int code) { ctml_sh_exit(code); }

// A float printed with a fixed number of decimals: out << board::fixed(x, 6).
struct Fixed {
  double value;
  int decimals;
};
constexpr Fixed fixed(double v, int decimals = 6) { return {v, decimals}; }
// An unsigned value in hexadecimal: out << board::hex(x).
struct Hex {
  std::uint32_t value;
};
constexpr Hex hex(std::uint32_t v) { return {v}; }

// One line (or a few) of output, formatted into a fixed buffer and written when flushed,
// destroyed or full. No heap, no locale, no stdio.
class Out {
 public:
  Out() = default;
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  ~Out() { flush(); }

  void flush() {
    if (n_ == 0) return;
    buf_[n_] = 0;
    ctml_sh_write0(buf_);
    n_ = 0;
  }

  Out& operator<<(char c) {
    if (n_ + 1 >= sizeof buf_) flush();
    buf_[n_++] = c;
    return *this;
  }
  Out& operator<<(std::string_view s) {
    for (char c : s) *this << c;
    return *this;
  }
  Out& operator<<(const char* s) { return *this << std::string_view(s); }
  Out& operator<<(bool b) { return *this << (b ? "true" : "false"); }

  template <std::integral I>
    requires(!std::same_as<I, bool> && !std::same_as<I, char>)
  Out& operator<<(I v) {
    if constexpr (std::is_signed_v<I>) {
      if (v < 0) {
        *this << '-';
        return put_unsigned(0ull - static_cast<unsigned long long>(v));
      }
    }
    return put_unsigned(static_cast<unsigned long long>(v));
  }

  Out& operator<<(Hex h) {
    *this << "0x";
    for (int shift = 28; shift >= 0; shift -= 4) *this << "0123456789abcdef"[(h.value >> shift) & 0xFu];
    return *this;
  }

  // Fixed notation, rounded to nearest; values beyond 1e15 in magnitude print as "big".
  Out& operator<<(Fixed f) {
    double v = f.value;
    if (v != v) return *this << "nan";
    if (v < 0) {
      *this << '-';
      v = -v;
    }
    if (v > 1e15) return *this << "big";
    int decimals = f.decimals < 0 ? 0 : (f.decimals > 9 ? 9 : f.decimals);
    unsigned long long scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    // Split before scaling so the integer part keeps its precision.
    auto whole = static_cast<unsigned long long>(v);
    auto frac = static_cast<unsigned long long>((v - static_cast<double>(whole)) * static_cast<double>(scale) + 0.5);
    if (frac >= scale) {
      ++whole;
      frac -= scale;
    }
    put_unsigned(whole);
    if (decimals > 0) {
      *this << '.';
      char digits[10];
      for (int i = decimals - 1; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + frac % 10);
        frac /= 10;
      }
      *this << std::string_view(digits, static_cast<std::size_t>(decimals));
    }
    return *this;
  }
  Out& operator<<(float v) { return *this << fixed(v); }
  Out& operator<<(double v) { return *this << fixed(v); }

 private:
  Out& put_unsigned(unsigned long long v) {
    char digits[24];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) *this << digits[--n];
    return *this;
  }

  char buf_[200];
  std::size_t n_ = 0;
};

// ---- instruction counter ------------------------------------------------------------------

namespace detail {
inline volatile std::uint32_t& reg(std::uintptr_t a) { return *reinterpret_cast<volatile std::uint32_t*>(a); }
inline constexpr std::uintptr_t syst_csr = 0xE000E010, syst_rvr = 0xE000E014, syst_cvr = 0xE000E018;
inline constexpr std::uint64_t systick_period = 1u << 24;
}  // namespace detail

// Starts SysTick on the processor clock, free-running over its full 24-bit range; its interrupt
// counts the wraps, so counts are 64-bit (each wrap costs the handler's few instructions).
inline void counter_start() {
  using namespace detail;
  reg(syst_csr) = 0;
  reg(syst_rvr) = static_cast<std::uint32_t>(systick_period - 1);
  reg(syst_cvr) = 0;
  ctml_systick_wraps = 0;
  reg(syst_csr) = 7;  // ENABLE | TICKINT | CLKSOURCE=processor
  while (reg(syst_cvr) == 0) {
  }  // the first tick loads the reload value
}

// SysTick ticks since counter_start().
inline std::uint64_t ticks() {
  using namespace detail;
  std::uint32_t wraps, value;
  do {
    wraps = ctml_systick_wraps;
    value = reg(syst_cvr);
  } while (wraps != ctml_systick_wraps);
  return static_cast<std::uint64_t>(wraps) * systick_period + (systick_period - 1 - value);
}

// Instructions retired between two ticks() readings (QEMU -icount shift=0: 1 instruction = 1 ns).
inline constexpr std::uint64_t instructions(std::uint64_t tick_count) {
  return tick_count * 1000000000ull / CTML_BOARD_SYSTICK_HZ;
}
// Resolution of instructions(): one tick.
inline constexpr std::uint32_t instructions_per_tick = 1000000000u / CTML_BOARD_SYSTICK_HZ;

// Instructions of f() (the counter reads add a few instructions, below the one-tick resolution).
template <class F>
std::uint64_t count_instructions(F&& f) {
  const std::uint64_t t0 = ticks();
  f();
  const std::uint64_t t1 = ticks();
  return instructions(t1 - t0);
}

// A computation measured by count_instructions whose result stays in registers (no store) could be
// moved out of the region by the compiler. Take its input through opaque() (the value is unknown
// to the compiler until that point, so nothing computed from it can start earlier) and pass its
// result to keep() (consumed there, so it cannot finish later).
template <class T>
inline T opaque(T v) {
  asm volatile("" : "+r"(v));
  return v;
}
template <class T>
inline void keep(const T& v) {
  asm volatile("" : : "m"(v) : "memory");
}

// ---- stack high-water mark ----------------------------------------------------------------

inline constexpr std::uint32_t paint_word = 0xC0FFEE11u;

// Paints the stack region below the caller's frame (leaving a small margin).
[[gnu::noinline]] inline void paint_stack() {
  std::uintptr_t sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  for (std::uint32_t* p = &__stack_limit__; reinterpret_cast<std::uintptr_t>(p) + 128 < sp; ++p) *p = paint_word;
}

// Bytes of the stack region used since the start (measured from its top: includes main's frame
// and everything called since paint_stack()).
inline std::size_t stack_used() {
  const std::uint32_t* p = &__stack_limit__;
  while (p < &__stack_top__ && *p == paint_word) ++p;
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(&__stack_top__) - reinterpret_cast<std::uintptr_t>(p));
}

inline std::size_t stack_size() {
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(&__stack_top__) -
                                  reinterpret_cast<std::uintptr_t>(&__stack_limit__));
}

}  // namespace board
