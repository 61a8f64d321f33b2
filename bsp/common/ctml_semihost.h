/* SPDX-License-Identifier: Apache-2.0 */
/* Arm semihosting (QEMU -semihosting-config enable=on,target=native), usable from C and C++.
 * Thumb on M-profile: the call is `bkpt 0xAB` with the operation in r0 and the argument in r1.
 * Only what the firmware images and test runners need: console output, the command line, the
 * exit code. Nothing here allocates or touches newlib. */
#ifndef CTML_SEMIHOST_H
#define CTML_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  CTML_SH_SYS_OPEN = 0x01,
  CTML_SH_SYS_WRITE = 0x05,
  CTML_SH_SYS_WRITE0 = 0x04,
  CTML_SH_SYS_GET_CMDLINE = 0x15,
  CTML_SH_SYS_EXIT = 0x18,
  CTML_SH_SYS_EXIT_EXTENDED = 0x20,
  CTML_SH_ADP_STOPPED_APPLICATION_EXIT = 0x20026,
  CTML_SH_ADP_STOPPED_RUNTIME_ERROR = 0x20023
};

static inline uintptr_t ctml_sh_call(uintptr_t op, const void* arg) {
  register uintptr_t r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* NUL-terminated string to the debug console (stdout of QEMU). */
static inline void ctml_sh_write0(const char* s) { ctml_sh_call(CTML_SH_SYS_WRITE0, s); }

/* len bytes to the console: SYS_WRITE on the ":tt" handle opened for writing (once). */
static inline void ctml_sh_write(const char* s, size_t len) {
  static intptr_t handle = -2;
  if (handle == -2) {
    const uintptr_t open_args[3] = {(uintptr_t) ":tt", 4u /* "w" */, 3u};
    handle = (intptr_t)ctml_sh_call(CTML_SH_SYS_OPEN, open_args);
  }
  if (handle >= 0) {
    const uintptr_t write_args[3] = {(uintptr_t)handle, (uintptr_t)s, (uintptr_t)len};
    ctml_sh_call(CTML_SH_SYS_WRITE, write_args);
  }
}

/* Ends the simulation with this exit code (QEMU's own exit status): SYS_EXIT_EXTENDED carries
 * the code; if the host does not know it, SYS_EXIT reports success (0) or failure only. */
__attribute__((noreturn)) static inline void ctml_sh_exit(int code) {
  const uintptr_t block[2] = {CTML_SH_ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)code};
  ctml_sh_call(CTML_SH_SYS_EXIT_EXTENDED, block);
  ctml_sh_call(CTML_SH_SYS_EXIT, (const void*)(uintptr_t)(code == 0 ? CTML_SH_ADP_STOPPED_APPLICATION_EXIT
                                                                   : CTML_SH_ADP_STOPPED_RUNTIME_ERROR));
  for (;;) {
  }
}

/* The command line given to QEMU (-semihosting-config ...,arg=a,arg=b): "a b". Returns the length
 * or -1. */
static inline int ctml_sh_get_cmdline(char* buf, size_t size) {
  uintptr_t block[2] = {(uintptr_t)buf, (uintptr_t)size};
  if (ctml_sh_call(CTML_SH_SYS_GET_CMDLINE, block) != 0) return -1;
  return (int)block[1];
}

#ifdef __cplusplus
}
#endif

#endif /* CTML_SEMIHOST_H */
