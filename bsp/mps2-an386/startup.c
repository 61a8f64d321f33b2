/* SPDX-License-Identifier: Apache-2.0 */
/* Reset and fault handlers and the vector table for mps2-an386 (Cortex-M4F). */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void __libc_init_array(void);

static int semihost(int op, const void* arg) {
  register int r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

__attribute__((noreturn)) static void finish(int ok) {
  /* SYS_EXIT: ADP_Stopped_ApplicationExit -> QEMU exits 0; RunTimeErrorUnknown -> 1. */
  semihost(0x18, (const void*)(uintptr_t)(ok ? 0x20026u : 0x20023u));
  for (;;) {}
}

__attribute__((noreturn)) void reset_handler(void) {
  for (uint32_t *s = &_sidata, *d = &_sdata; d < &_edata;) *d++ = *s++;
  for (uint32_t* d = &_sbss; d < &_ebss;) *d++ = 0;
  *(volatile uint32_t*)0xE000ED88u |= 0xFu << 20; /* CPACR: enable the FPU (CP10, CP11) */
  __asm__ volatile("dsb\n isb");
  __libc_init_array();
  finish(main() == 0);
}

__attribute__((noreturn)) void fault_handler(void) {
  semihost(0x04, "fault\n");
  finish(0);
}

void _init(void) {}
void _fini(void) {}

typedef void (*handler)(void);
__attribute__((section(".vectors"), used)) const handler vectors[16] = {
    (handler)&_estack, reset_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    fault_handler, 0, 0, 0, 0, fault_handler, fault_handler, 0, fault_handler, fault_handler};
