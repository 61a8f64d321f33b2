# SPDX-License-Identifier: Apache-2.0
#
# Board support targets for cross builds. Included right after project(ctml) by the Cortex-M
# toolchain files (cmake/toolchains/, through CMAKE_PROJECT_ctml_INCLUDE), so the targets exist
# before tests/ and firmware/ are configured. Needs CTML_BSP_BOARD (a directory of bsp/ with
# linker.ld and board_config.h) and CTML_QEMU_MACHINE.
#
#   ctml::bsp            headers: board.hpp (output/formatting, exit code, instruction counter,
#                        stack painting), ctml_semihost.h
#   ctml::bsp_bare       startup + linker script for firmware images: newlib-nano with nosys stubs,
#                        no stdio, no heap (the images prove it with nm); link it directly
#   ctml::test_runtime   startup + linker script for test runners: full newlib with librdimon
#                        (stdio, files and malloc via semihosting), argc/argv from QEMU's command
#                        line. cmake/CtmlTesting.cmake's ctml_add_test links it when it exists.
include_guard(GLOBAL)

if(NOT CTML_BSP_BOARD OR NOT EXISTS "${CMAKE_CURRENT_LIST_DIR}/${CTML_BSP_BOARD}/linker.ld")
  message(FATAL_ERROR "ctml bsp: CTML_BSP_BOARD='${CTML_BSP_BOARD}' is not a board of ${CMAKE_CURRENT_LIST_DIR}")
endif()
enable_language(C)

set(CTML_BSP_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "")
set(_bsp_common "${CMAKE_CURRENT_LIST_DIR}/common")
set(_bsp_board "${CMAKE_CURRENT_LIST_DIR}/${CTML_BSP_BOARD}")

add_library(ctml_bsp INTERFACE)
add_library(ctml::bsp ALIAS ctml_bsp)
target_include_directories(ctml_bsp INTERFACE "${_bsp_common}" "${_bsp_board}")

set(_bsp_link_common -nostartfiles "-L${_bsp_common}" "-T${_bsp_board}/linker.ld" -Wl,--gc-sections)

add_library(ctml_bsp_bare OBJECT "${_bsp_common}/startup.c")
add_library(ctml::bsp_bare ALIAS ctml_bsp_bare)
target_link_libraries(ctml_bsp_bare PUBLIC ctml_bsp)
target_compile_options(ctml_bsp_bare PRIVATE -O2 -Wall -Wextra)
target_link_options(ctml_bsp_bare INTERFACE ${_bsp_link_common} --specs=nano.specs --specs=nosys.specs)

add_library(ctml_bsp_hosted OBJECT "${_bsp_common}/startup.c")
add_library(ctml::test_runtime ALIAS ctml_bsp_hosted)
target_link_libraries(ctml_bsp_hosted PUBLIC ctml_bsp)
target_compile_definitions(ctml_bsp_hosted PRIVATE CTML_BSP_HOSTED=1)
target_compile_options(ctml_bsp_hosted PRIVATE -O2 -Wall -Wextra)
# A board may give test runners their own memory map (linker_tests.ld: mps3-an547 runs their code
# from QSPI flash, as some doctest suites outgrow the 512 KB ITCM).
set(_bsp_tests_ld "${_bsp_board}/linker.ld")
if(EXISTS "${_bsp_board}/linker_tests.ld")
  set(_bsp_tests_ld "${_bsp_board}/linker_tests.ld")
endif()
target_link_options(ctml_bsp_hosted INTERFACE -nostartfiles "-L${_bsp_common}" "-T${_bsp_tests_ld}" -Wl,--gc-sections
                    --specs=rdimon.specs)

# Bare-metal newlib has no signals and no threads, and images build without exceptions:
# configure doctest (test runners) accordingly,
# identically for its implementation (tests/support/doctest_main.cpp) and every test source.
add_compile_definitions(DOCTEST_CONFIG_NO_POSIX_SIGNALS DOCTEST_CONFIG_NO_MULTITHREADING
                        DOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS)

unset(_bsp_common)
unset(_bsp_board)
unset(_bsp_link_common)
