# SPDX-License-Identifier: Apache-2.0
# Cortex-M4F (hard float, single-precision FPv4, DSP extension) on QEMU's mps2-an386.
set(CTML_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CTML_BSP_BOARD mps2-an386)
set(CTML_QEMU_MACHINE mps2-an386)
include("${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-cortex-m.cmake")
