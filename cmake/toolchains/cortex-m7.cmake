# SPDX-License-Identifier: Apache-2.0
# Cortex-M7 (hard float, double-precision FPv5, DSP extension) on QEMU's mps2-an500.
set(CTML_CPU_FLAGS "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")
set(CTML_BSP_BOARD mps2-an500)
set(CTML_QEMU_MACHINE mps2-an500)
include("${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-cortex-m.cmake")
