# SPDX-License-Identifier: Apache-2.0
#
# 64-bit Arm Linux (Raspberry Pi 4/5 class) with Debian's cross GCC (g++-aarch64-linux-gnu).
# Programs run on this machine through qemu-user: CTest prefixes every test with
#   qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu ${CTML_QEMU_CPU}
# (cortex-a72: Raspberry Pi 4, NEON without the dot-product instructions; cortex-a76: Raspberry
# Pi 5, with SDOT). Unlike the Cortex-M builds the target has an operating system: files, heap and
# stdio work as on the host, so the test suites run as they are (CTML_BARE_METAL is off). The
# code is generic ARMv8-A (NEON is part of it); the host tools (ctml-import) come from a host
# sub-build, as for every cross build.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# GCC notes that passing some empty-base aggregates changed ABI in GCC 10.1: a fact about calls
# between objects built by different GCC versions, not about this build.
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

if(NOT CTML_QEMU_CPU)
  set(CTML_QEMU_CPU cortex-a72)
endif()
set(CTML_QEMU_CPU "${CTML_QEMU_CPU}" CACHE STRING "qemu-aarch64 -cpu value the tests run on")
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-aarch64;-L;/usr/aarch64-linux-gnu;-cpu;${CTML_QEMU_CPU}")
