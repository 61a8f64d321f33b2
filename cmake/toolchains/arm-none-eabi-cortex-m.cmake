# SPDX-License-Identifier: Apache-2.0
#
# arm-none-eabi GCC for Cortex-M boards emulated by QEMU. Not used directly: the per-core files
# (cortex-m4.cmake, cortex-m7.cmake, cortex-m55.cmake) set
#   CTML_CPU_FLAGS     -mcpu/-mfpu/-mfloat-abi
#   CTML_BSP_BOARD     board directory in bsp/ (linker script, board_config.h)
#   CTML_QEMU_MACHINE  qemu-system-arm -M value
#   CTML_TEST_STACK_SIZE  stack of the on-target test runners (optional, default 1 MiB)
# and include this file. Firmware images and test runners run through bsp/qemu-run.sh, which CTest
# uses as CMAKE_CROSSCOMPILING_EMULATOR.
get_filename_component(_ctml_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# Compiler checks build a static library: linking needs the board's startup and linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "${CTML_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${CTML_CPU_FLAGS} -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${CTML_CPU_FLAGS}")

set(CTML_QEMU_MACHINE "${CTML_QEMU_MACHINE}" CACHE STRING "QEMU machine the images and tests run on")
set(CTML_BSP_BOARD "${CTML_BSP_BOARD}" CACHE STRING "board support directory in bsp/")
if(NOT CTML_TEST_STACK_SIZE)
  set(CTML_TEST_STACK_SIZE 0x100000)
endif()
set(CTML_TEST_STACK_SIZE "${CTML_TEST_STACK_SIZE}" CACHE STRING "stack bytes of the on-target test runners")
set(CMAKE_CROSSCOMPILING_EMULATOR "${_ctml_root}/bsp/qemu-run.sh;${CTML_QEMU_MACHINE}")
# Board support targets (ctml::bsp, ctml::bsp_bare, ctml::test_runtime), right after project().
set(CMAKE_PROJECT_ctml_INCLUDE "${_ctml_root}/bsp/ctml_bsp.cmake")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
unset(_ctml_root)
