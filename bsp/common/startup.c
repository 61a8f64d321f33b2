/* SPDX-License-Identifier: Apache-2.0 */
/* Startup for the ctml firmware images and on-target test runners (any Cortex-M board of bsp/):
 * vector table, reset handler (copy .data, zero .bss, enable the FPU/MVE, stack limit on v8-M,
 * C++ constructors, main), fault handlers that report and end the run with a non-zero exit code
 * through semihosting, and a SysTick handler that counts wraps for bsp's instruction counter.
 *
 * Two flavours, chosen by the CMake target (bsp/ctml_bsp.cmake):
 *   bare    (firmware images): no newlib I/O at all; main's return value is the exit code.
 *   hosted  (CTML_BSP_HOSTED, test runners): newlib + librdimon (stdio and files through
 *           semihosting, malloc in the RAM between .bss and the stack), argc/argv from the QEMU
 *           command line, exit() so stdio is flushed. */
#include <stdint.h>

#include "ctml_semihost.h"

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__;
extern uint32_t __tdata_load__, __tdata_start__, __tdata_end__, __tbss_start__, __tbss_end__;
extern uint32_t __stack_limit__, __stack_top__;
extern void __libc_init_array(void);
int main(int argc, char** argv);

#define REG32(addr) (*(volatile uint32_t*)(addr))
#define SCB_CPACR 0xE000ED88u
#define SCB_SHCSR 0xE000ED24u
#define SCB_CFSR 0xE000ED28u
#define SCB_HFSR 0xE000ED2Cu
#define SCB_MMFAR 0xE000ED34u
#define SCB_BFAR 0xE000ED38u

/* Incremented by SysTick on each wrap of the 24-bit counter (see board.hpp). */
volatile uint32_t ctml_systick_wraps;

void ctml_systick_handler(void) { ctml_systick_wraps = ctml_systick_wraps + 1u; }

/* ---- fault reporting (no newlib: formats by hand) ---- */
static void put_hex(const char* label, uint32_t v) {
  char buf[24];
  int n = 0;
  while (label[n] != 0 && n < 10) {
    buf[n] = label[n];
    ++n;
  }
  buf[n++] = '0';
  buf[n++] = 'x';
  for (int shift = 28; shift >= 0; shift -= 4) buf[n++] = "0123456789abcdef"[(v >> shift) & 0xFu];
  buf[n] = 0;
  ctml_sh_write0(buf);
}

void ctml_fault_report(const uint32_t* frame, uint32_t exc_return) __attribute__((noreturn, used));
void ctml_fault_report(const uint32_t* frame, uint32_t exc_return) {
  static const char* const names[] = {"?",          "Reset",      "NMI",        "HardFault",
                                      "MemManage",  "BusFault",   "UsageFault", "SecureFault"};
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  ipsr &= 0x1FFu;
  ctml_sh_write0("\nctml bsp: ");
  ctml_sh_write0(ipsr < 8 ? names[ipsr] : "unexpected interrupt");
  put_hex(" pc=", frame[6]);
  put_hex(" lr=", frame[5]);
  put_hex(" CFSR=", REG32(SCB_CFSR));
  put_hex(" HFSR=", REG32(SCB_HFSR));
  put_hex(" MMFAR=", REG32(SCB_MMFAR));
  put_hex(" BFAR=", REG32(SCB_BFAR));
  put_hex(" EXC_RETURN=", exc_return);
  ctml_sh_write0("\n");
  ctml_sh_exit(3);
}

/* Passes the stacked exception frame (MSP or PSP, from EXC_RETURN bit 2) to the reporter. */
__attribute__((naked)) void ctml_fault_handler(void) {
  __asm__ volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "mov r1, lr\n"
      "b ctml_fault_report\n");
}

/* ---- hosted flavour: newlib glue ---- */
#if defined(CTML_BSP_HOSTED)
#include <errno.h>
#include <stdlib.h>

void initialise_monitor_handles(void);

/* Exit code through SYS_EXIT_EXTENDED (librdimon's _exit may drop it on some hosts). */
void _exit(int code) { ctml_sh_exit(code); }

/* malloc's memory: from the end of .bss up to the bottom of the stack region. */
extern char __heap_start__, __heap_end__;
void* _sbrk(ptrdiff_t increment) {
  static char* brk = &__heap_start__;
  if (increment > &__heap_end__ - brk || (increment < 0 && brk + increment < &__heap_start__)) {
    errno = ENOMEM;
    return (void*)-1;
  }
  char* old = brk;
  brk += increment;
  return old;
}

static char cmdline[512];
static char* argv_store[48];

/* argv from the semihosting command line (split at spaces; QEMU joins its arg= values so). */
static int make_argv(void) {
  int argc = 0;
  int len = ctml_sh_get_cmdline(cmdline, sizeof cmdline - 1);
  if (len < 0) len = 0;
  cmdline[len] = 0;
  for (char* p = cmdline; *p != 0 && argc < (int)(sizeof argv_store / sizeof argv_store[0]) - 1;) {
    while (*p == ' ') *p++ = 0;
    if (*p == 0) break;
    argv_store[argc++] = p;
    while (*p != 0 && *p != ' ') ++p;
  }
  if (argc == 0) argv_store[argc++] = (char*)"ctml";
  argv_store[argc] = 0;
  return argc;
}
#endif

/* Static destructors register with __cxa_atexit(f, obj, &__dso_handle); crtbegin.o, which
 * normally defines it, is not linked (-nostartfiles). One module: any unique address does. */
void* __dso_handle __attribute__((weak)) = &__dso_handle;

void _init(void) __attribute__((weak));
void _init(void) {}
void _fini(void) __attribute__((weak));
void _fini(void) {}

__attribute__((noreturn, used)) void ctml_reset_handler(void) {
  for (uint32_t *s = &__data_load__, *d = &__data_start__; d < &__data_end__;) *d++ = *s++;
  for (uint32_t* d = &__bss_start__; d < &__bss_end__;) *d++ = 0;
  for (uint32_t *s = &__tdata_load__, *d = &__tdata_start__; d < &__tdata_end__;) *d++ = *s++;
  for (uint32_t* d = &__tbss_start__; d < &__tbss_end__;) *d++ = 0;
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  REG32(SCB_CPACR) |= 0xFu << 20; /* CP10, CP11: full access to the FPU (and MVE) */
#endif
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
  /* v8-M: overflowing the stack region faults (STKOF) instead of corrupting the heap/.bss. */
  __asm__ volatile("msr msplim, %0" : : "r"(&__stack_limit__));
#endif
  REG32(SCB_SHCSR) |= 7u << 16; /* MemManage, BusFault and UsageFault get their own report */
  __asm__ volatile("dsb\n isb" ::: "memory");
#if defined(CTML_BSP_HOSTED)
  initialise_monitor_handles();
  const int argc = make_argv();
  __libc_init_array();
  exit(main(argc, argv_store));
#else
  __libc_init_array();
  ctml_sh_exit(main(0, 0));
#endif
}

/* ARM EABI TLS (variant 1): thread pointer = start of the TLS block minus the 8-byte TCB. There
 * is one thread; its TLS block is .tdata + .tbss in RAM. */
void* __aeabi_read_tp(void) __attribute__((naked));
void* __aeabi_read_tp(void) {
  __asm__ volatile(
      "movw r0, #:lower16:__tdata_start__\n"
      "movt r0, #:upper16:__tdata_start__\n"
      "sub.w r0, r0, #8\n"
      "bx lr\n");
}

typedef void (*ctml_vector)(void);
__attribute__((section(".vectors"), used)) const ctml_vector ctml_vectors[16] = {
    (ctml_vector)&__stack_top__,
    ctml_reset_handler,
    ctml_fault_handler, /* NMI */
    ctml_fault_handler, /* HardFault */
    ctml_fault_handler, /* MemManage */
    ctml_fault_handler, /* BusFault */
    ctml_fault_handler, /* UsageFault */
    ctml_fault_handler, /* SecureFault (v8-M) */
    0,
    0,
    0,
    ctml_fault_handler, /* SVCall */
    ctml_fault_handler, /* DebugMonitor */
    0,
    ctml_fault_handler, /* PendSV */
    ctml_systick_handler};
