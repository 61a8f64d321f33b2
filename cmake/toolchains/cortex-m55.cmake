# SPDX-License-Identifier: Apache-2.0
# Cortex-M55 (Armv8.1-M: hard float, MVE/Helium, DSP extension) on QEMU's mps3-an547.
set(CTML_CPU_FLAGS "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard")
set(CTML_BSP_BOARD mps3-an547)
set(CTML_QEMU_MACHINE mps3-an547)
# 512 KB of DTCM hold .data, .bss, the test runners' heap and the stack.
set(CTML_TEST_STACK_SIZE 0x30000)
include("${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-cortex-m.cmake")
