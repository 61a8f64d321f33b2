# SPDX-License-Identifier: Apache-2.0
#
# Test-time driver for ctml_add_compile_fail_test() (see CtmlTesting.cmake):
#   cmake -DCTML_CF_CONFIG=<generated .cmake> -P CtmlCompileFail.cmake
# The config file defines CTML_CF_NAME, CTML_CF_SOURCE, CTML_CF_EXPECT (regex) and
# CTML_CF_COMMAND (the compiler invocation). The test passes only if the compiler fails AND its
# diagnostics match CTML_CF_EXPECT.
cmake_minimum_required(VERSION 3.25)

if(NOT CTML_CF_CONFIG OR NOT EXISTS "${CTML_CF_CONFIG}")
  message(FATAL_ERROR "CtmlCompileFail: CTML_CF_CONFIG not given or missing: '${CTML_CF_CONFIG}'")
endif()
include("${CTML_CF_CONFIG}")

execute_process(
  COMMAND ${CTML_CF_COMMAND}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
set(log "${out}${err}")

string(LENGTH "${log}" log_length)
set(shown "${log}")
if(log_length GREATER 20000)
  string(SUBSTRING "${log}" 0 20000 shown)
  string(APPEND shown "\n... (${log_length} characters of diagnostics, truncated)")
endif()

list(JOIN CTML_CF_COMMAND " " command_line)
if(result EQUAL 0)
  message(FATAL_ERROR
    "[${CTML_CF_NAME}] ${CTML_CF_SOURCE} COMPILED, but it is a compile-fail test "
    "(expected diagnostics matching: ${CTML_CF_EXPECT})\ncommand: ${command_line}\n${shown}")
endif()

if(NOT log MATCHES "${CTML_CF_EXPECT}")
  message(FATAL_ERROR
    "[${CTML_CF_NAME}] ${CTML_CF_SOURCE} failed to compile as expected, but no diagnostic "
    "matched the regex: ${CTML_CF_EXPECT}\ncommand: ${command_line}\n"
    "---- compiler output ----\n${shown}")
endif()

message(STATUS "[${CTML_CF_NAME}] failed to compile with the expected diagnostic: ${CMAKE_MATCH_0}")
