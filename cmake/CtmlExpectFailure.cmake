# SPDX-License-Identifier: Apache-2.0
#
# Runs a command that is expected to FAIL (non-zero exit or a signal such as SIGABRT) and whose
# combined output must match a regex. Used for tests of failure paths, e.g. the heap guard's
# trap mode, where CTest's WILL_FAIL / PASS_REGULAR_EXPRESSION cannot express "crashes with
# this message".
#   cmake -DEXPECT=<regex> [-DREJECT=<regex>] [-DENV=VAR=value;...] -P CtmlExpectFailure.cmake
#         -- <command> [args...]
cmake_minimum_required(VERSION 3.25)

set(command)
set(seen_separator FALSE)
foreach(i RANGE 1 ${CMAKE_ARGC})
  if(i EQUAL CMAKE_ARGC)
    break()
  endif()
  set(arg "${CMAKE_ARGV${i}}")
  if(seen_separator)
    list(APPEND command "${arg}")
  elseif(arg STREQUAL "--")
    set(seen_separator TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "CtmlExpectFailure: no command given after --")
endif()
if(NOT DEFINED EXPECT)
  message(FATAL_ERROR "CtmlExpectFailure: -DEXPECT=<regex> is required")
endif()

foreach(assignment IN LISTS ENV)
  string(FIND "${assignment}" "=" eq)
  string(SUBSTRING "${assignment}" 0 ${eq} name)
  math(EXPR value_start "${eq} + 1")
  string(SUBSTRING "${assignment}" ${value_start} -1 value)
  set(ENV{${name}} "${value}")
endforeach()

execute_process(COMMAND ${command} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(log "${out}${err}")
message("${log}")

if("${result}" STREQUAL "0")
  message(FATAL_ERROR "expected the command to fail, but it exited with 0")
endif()
if(NOT log MATCHES "${EXPECT}")
  message(FATAL_ERROR "command failed (${result}) as expected, but its output does not match: ${EXPECT}")
endif()
if(DEFINED REJECT AND NOT REJECT STREQUAL "" AND log MATCHES "${REJECT}")
  message(FATAL_ERROR "output matches the rejected pattern: ${REJECT}")
endif()
message(STATUS "failed as expected (${result}); output matched: ${EXPECT}")
