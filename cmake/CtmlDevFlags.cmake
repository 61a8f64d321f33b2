# SPDX-License-Identifier: Apache-2.0
#
# Build flags for ctml's *own* targets (tests, examples, benchmarks, tools). These are separate
# INTERFACE targets that are neither installed nor exported, so nothing here reaches consumers
# of ctml::ctml.
#
#   ctml::warnings    -Wall -Wextra -Wpedantic, plus -Werror when CTML_WERROR is ON
#   ctml::sanitizers  -fsanitize=address,undefined -fno-sanitize-recover=all when CTML_SANITIZE
#                     is ON (empty otherwise; ignored when cross-compiling)
#
# Usage:  target_link_libraries(my_tool PRIVATE ctml::ctml ctml::warnings)
include_guard(GLOBAL)

add_library(ctml_warnings INTERFACE)
add_library(ctml::warnings ALIAS ctml_warnings)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(ctml_warnings INTERFACE -Wall -Wextra -Wpedantic)
  if(CTML_WERROR)
    target_compile_options(ctml_warnings INTERFACE -Werror)
  endif()
elseif(MSVC)
  target_compile_options(ctml_warnings INTERFACE /W4 /permissive-)
  if(CTML_WERROR)
    target_compile_options(ctml_warnings INTERFACE /WX)
  endif()
endif()

add_library(ctml_sanitizers INTERFACE)
add_library(ctml::sanitizers ALIAS ctml_sanitizers)
if(CTML_SANITIZE)
  if(CMAKE_CROSSCOMPILING)
    message(WARNING "ctml: CTML_SANITIZE is ignored when cross-compiling")
  elseif(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(WARNING "ctml: CTML_SANITIZE needs GCC or Clang; ignored for ${CMAKE_CXX_COMPILER_ID}")
  else()
    set(_ctml_san_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_compile_options(ctml_sanitizers INTERFACE ${_ctml_san_flags})
    target_link_options(ctml_sanitizers INTERFACE ${_ctml_san_flags})
    # Lets sources tell which heap-guard strategy applies (see tests/support/no_heap.cpp).
    target_compile_definitions(ctml_sanitizers INTERFACE CTML_SANITIZE=1)
    unset(_ctml_san_flags)
  endif()
endif()
