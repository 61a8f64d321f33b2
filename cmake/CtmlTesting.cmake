# SPDX-License-Identifier: Apache-2.0
#
# Test helpers for ctml. Included by tests/CMakeLists.txt; every tests/<area>/CMakeLists.txt can
# call these functions directly.
#
# ctml_add_test(NAME <name> SOURCES <src>...
#               [LIBRARIES <lib>...] [DEFINITIONS <def>...] [INCLUDE_DIRECTORIES <dir>...]
#               [LABELS <label>...] [ARGS <arg>...] [TIMEOUT <seconds>]
#               [WORKING_DIRECTORY <dir>] [NO_HEAP_GUARD | STRICT_NO_HEAP] [WILL_FAIL] [HOST_ONLY])
#   Builds executable `test_<name>` from the sources plus the shared doctest main, links
#   ctml::ctml, doctest, ctml::warnings (-Wall -Wextra -Wpedantic [-Werror]) and
#   ctml::sanitizers, and registers CTest test `<name>` (one CTest test per binary), labelled
#   with the area folder name. tests/support is on the include path, so sources can
#   #include "no_heap.hpp". Compile definitions:
#     CTML_TEST_DATA_DIR="<source>/tests/data"   CTML_SHARED_DIR="<source>/../shared"
#     CTML_SOURCE_DIR="<source>"
#   The test runs with the repository root as working directory (override: WORKING_DIRECTORY).
#   Heap guard (tests/support/no_heap.hpp) is linked by default so ctml::test::NoHeapScope is
#   available; NO_HEAP_GUARD leaves the allocator untouched; STRICT_NO_HEAP additionally arms
#   the guard around every TEST_CASE body and fails the binary if any of them allocates.
#   HOST_ONLY: not built in bare-metal builds (tests too large for the boards' RAM).
#   A test that cannot run what it checks (shared data missing, ...) prints a line starting with
#   "SKIPPED:" and CTest reports it as skipped, not passed (SKIP_REGULAR_EXPRESSION).
#
# ctml_add_skipped_test(NAME <name> REASON <text>)
#   Registers <name> as a test that reports "SKIPPED: <text>" and is counted as skipped by CTest
#   (exit code 77, SKIP_RETURN_CODE), for tests whose prerequisites are missing at configure time.
#
# ctml_add_compile_fail_test(NAME <name> SOURCE <file.cpp> EXPECT <regex>
#                            [DEFINITIONS <def>...] [INCLUDE_DIRECTORIES <dir>...]
#                            [LABELS <label>...] [TIMEOUT <seconds>])
#   CTest test `<name>` that, at test time, runs the C++ compiler (-fsyntax-only, same compiler,
#   CMAKE_CXX_FLAGS, C++20, ctml + Boost + tests/support include dirs) on <file.cpp>. PASSES only
#   if compilation FAILS and the diagnostics match <regex> (CMake regex syntax; `.` also matches
#   newlines) -- use it to pin the readable static_assert message.
#
# ctml_add_header_selfcontained_test([NAME <target>] [EXCLUDE <regex>...])
#   For every include/ctml/**/*.hpp generates a .cpp that includes only that header (twice, to
#   check the include guard) and compiles them all, as part of the normal build, into OBJECT
#   library <target> (default ctml_headers_selfcontained) with -Wall -Wextra -Wpedantic -Werror.
#   Headers whose path (relative to include/) matches an EXCLUDE regex are skipped.
#   The glob uses CONFIGURE_DEPENDS, so new headers are picked up by the next build.
include_guard(GLOBAL)
include(CtmlHostHeaders)

get_filename_component(CTML_ROOT_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CTML_TEST_SUPPORT_DIR "${CTML_ROOT_DIR}/tests/support")
set(CTML_TEST_DATA_DIR "${CTML_ROOT_DIR}/tests/data")
get_filename_component(_ctml_shared_default "${CTML_ROOT_DIR}/../shared" ABSOLUTE)
set(CTML_SHARED_DIR "${_ctml_shared_default}" CACHE PATH
    "Directory with the shared MLPerf-Tiny models used by tests (never copied into the repo)")
unset(_ctml_shared_default)

# ---------------------------------------------------------------------------------------------
# One-time setup: doctest and the shared support objects.
# ---------------------------------------------------------------------------------------------
macro(_ctml_testing_find_doctest)
  # Cross builds never use the host's package: its include directory is /usr/include, whose
  # glibc headers would shadow newlib's.
  if(NOT TARGET doctest::doctest AND NOT CMAKE_CROSSCOMPILING)
    find_package(doctest CONFIG QUIET)
  endif()
  if(TARGET doctest::doctest)
    get_target_property(_ctml_doctest_imported doctest::doctest IMPORTED)
    get_target_property(_ctml_doctest_global doctest::doctest IMPORTED_GLOBAL)
    if(_ctml_doctest_imported AND NOT _ctml_doctest_global)
      # Make it visible to every tests/<area> directory, not only the one that found it.
      set_target_properties(doctest::doctest PROPERTIES IMPORTED_GLOBAL TRUE)
    endif()
    unset(_ctml_doctest_imported)
    unset(_ctml_doctest_global)
  else()
    # No CMake package (e.g. cross-compiling): header-only fallback, exposed without the rest
    # of the host include directory.
    ctml_find_host_header(CTML_DOCTEST_INCLUDE_DIR doctest/doctest.h
                          "Directory containing doctest/doctest.h")
    if(NOT CTML_DOCTEST_INCLUDE_DIR)
      message(FATAL_ERROR "ctml: doctest not found (Debian: apt-get install doctest-dev), or set "
                          "CTML_DOCTEST_INCLUDE_DIR, or configure with -DCTML_BUILD_TESTS=OFF")
    endif()
    ctml_expose_host_headers(_ctml_doctest_dir "${CTML_DOCTEST_INCLUDE_DIR}" doctest)
    add_library(doctest::doctest INTERFACE IMPORTED GLOBAL)
    set_target_properties(doctest::doctest PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${_ctml_doctest_dir}"
      INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_ctml_doctest_dir}")
    unset(_ctml_doctest_dir)
  endif()
endmacro()

# ctml_testing_init(): finds doctest and creates the support object libraries. Called by
# tests/CMakeLists.txt (so doctest is found in the parent of all areas); idempotent.
function(ctml_testing_init)
  if(TARGET ctml_test_main)
    return()
  endif()
  _ctml_testing_find_doctest()

  # Plain and strict doctest mains, and the heap guard. EXCLUDE_FROM_ALL: built only if used.
  add_library(ctml_test_main OBJECT EXCLUDE_FROM_ALL "${CTML_TEST_SUPPORT_DIR}/doctest_main.cpp")
  add_library(ctml_test_main_strict OBJECT EXCLUDE_FROM_ALL
              "${CTML_TEST_SUPPORT_DIR}/doctest_main.cpp")
  target_compile_definitions(ctml_test_main_strict PRIVATE CTML_STRICT_NO_HEAP=1)
  add_library(ctml_no_heap OBJECT EXCLUDE_FROM_ALL "${CTML_TEST_SUPPORT_DIR}/no_heap.cpp")
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # The replacement allocator must not be "optimised" using builtin knowledge of malloc.
    target_compile_options(ctml_no_heap PRIVATE -fno-builtin)
  endif()
  foreach(t IN ITEMS ctml_test_main ctml_test_main_strict ctml_no_heap)
    target_compile_features(${t} PRIVATE cxx_std_20)
    target_include_directories(${t} PRIVATE "${CTML_TEST_SUPPORT_DIR}")
    target_link_libraries(${t} PRIVATE doctest::doctest ctml::warnings ctml::sanitizers)
  endforeach()
endfunction()

# Writes <file> only when its content changes (keeps timestamps, so nothing rebuilds needlessly).
function(_ctml_write_if_changed file content)
  if(EXISTS "${file}")
    file(READ "${file}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${file}" "${content}")
endfunction()

function(_ctml_test_area out_var)
  file(RELATIVE_PATH rel "${CTML_ROOT_DIR}/tests" "${CMAKE_CURRENT_SOURCE_DIR}")
  if(rel STREQUAL "" OR rel MATCHES "^\\.\\.")
    set(rel "tests")
  else()
    string(REGEX REPLACE "/.*" "" rel "${rel}")
  endif()
  set(${out_var} "${rel}" PARENT_SCOPE)
endfunction()

function(_ctml_test_definitions out_var)
  set(${out_var}
    "CTML_TEST_DATA_DIR=\"${CTML_TEST_DATA_DIR}\""
    "CTML_SHARED_DIR=\"${CTML_SHARED_DIR}\""
    "CTML_SOURCE_DIR=\"${CTML_ROOT_DIR}\""
    PARENT_SCOPE)
endfunction()

# ---------------------------------------------------------------------------------------------
function(ctml_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg
    "NO_HEAP_GUARD;STRICT_NO_HEAP;WILL_FAIL;HOST_ONLY"
    "NAME;TIMEOUT;WORKING_DIRECTORY"
    "SOURCES;LIBRARIES;DEFINITIONS;INCLUDE_DIRECTORIES;LABELS;ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ctml_add_test: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME OR NOT arg_SOURCES)
    message(FATAL_ERROR "ctml_add_test: NAME and SOURCES are required")
  endif()
  if(arg_NO_HEAP_GUARD AND arg_STRICT_NO_HEAP)
    message(FATAL_ERROR "ctml_add_test(${arg_NAME}): NO_HEAP_GUARD and STRICT_NO_HEAP exclude each other")
  endif()
  if(arg_HOST_ONLY AND CTML_BARE_METAL)
    return()
  endif()
  ctml_testing_init()

  set(target "test_${arg_NAME}")
  add_executable(${target} ${arg_SOURCES})
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_include_directories(${target} PRIVATE "${CTML_TEST_SUPPORT_DIR}" ${arg_INCLUDE_DIRECTORIES})
  _ctml_test_definitions(defs)
  target_compile_definitions(${target} PRIVATE ${defs} ${arg_DEFINITIONS})
  target_link_libraries(${target} PRIVATE
    ctml::ctml doctest::doctest ctml::warnings ctml::sanitizers ${arg_LIBRARIES})
  if(arg_STRICT_NO_HEAP)
    target_link_libraries(${target} PRIVATE ctml_test_main_strict ctml_no_heap)
  elseif(arg_NO_HEAP_GUARD)
    target_link_libraries(${target} PRIVATE ctml_test_main)
  else()
    target_link_libraries(${target} PRIVATE ctml_test_main ctml_no_heap)
  endif()

  # Cross builds: the test runner is a firmware image for the board (bsp/ctml_bsp.cmake) with
  # newlib + semihosting (stdio, files, malloc), run by CMAKE_CROSSCOMPILING_EMULATOR (QEMU).
  # Its stack is CTML_TEST_STACK_SIZE bytes (tests keep tensors on the stack); no instruction counting needed.
  if(CMAKE_CROSSCOMPILING AND TARGET ctml::test_runtime)
    target_link_libraries(${target} PRIVATE ctml::test_runtime)
    target_link_options(${target} PRIVATE "-Wl,--defsym=__stack_size=${CTML_TEST_STACK_SIZE}")
    set_target_properties(${target} PROPERTIES SUFFIX ".elf")
  endif()

  if(arg_WORKING_DIRECTORY)
    set(workdir "${arg_WORKING_DIRECTORY}")
  else()
    set(workdir "${CTML_ROOT_DIR}")
  endif()
  add_test(NAME ${arg_NAME}
           COMMAND ${target} --no-intro --no-version ${arg_ARGS}
           WORKING_DIRECTORY "${workdir}")
  _ctml_test_area(area)
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  set_tests_properties(${arg_NAME} PROPERTIES
    LABELS "${area};${arg_LABELS}"
    TIMEOUT ${arg_TIMEOUT}
    SKIP_REGULAR_EXPRESSION "SKIPPED:")
  if(arg_WILL_FAIL)
    set_tests_properties(${arg_NAME} PROPERTIES WILL_FAIL TRUE)
  endif()
  if(CMAKE_CROSSCOMPILING)
    set_tests_properties(${arg_NAME} PROPERTIES ENVIRONMENT "CTML_QEMU_ICOUNT=0" LABELS "${area};${arg_LABELS};on_target")
  endif()
endfunction()

# ---------------------------------------------------------------------------------------------
function(ctml_add_skipped_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;REASON" "")
  add_test(NAME ${arg_NAME} COMMAND sh -c "echo 'SKIPPED: ${arg_REASON}'; exit 77")
  _ctml_test_area(area)
  set_tests_properties(${arg_NAME} PROPERTIES SKIP_RETURN_CODE 77 LABELS "${area};skipped")
endfunction()

# ---------------------------------------------------------------------------------------------
function(ctml_add_compile_fail_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;SOURCE;EXPECT;TIMEOUT"
                        "DEFINITIONS;INCLUDE_DIRECTORIES;LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ctml_add_compile_fail_test: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME OR NOT arg_SOURCE OR NOT DEFINED arg_EXPECT OR arg_EXPECT STREQUAL "")
    message(FATAL_ERROR "ctml_add_compile_fail_test: NAME, SOURCE and EXPECT are required")
  endif()
  get_filename_component(source "${arg_SOURCE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${source}")
    message(FATAL_ERROR "ctml_add_compile_fail_test(${arg_NAME}): ${source} does not exist")
  endif()

  # The compiler invocation, mirroring what a real target would get.
  set(cmd "${CMAKE_CXX_COMPILER}")
  if(CMAKE_CXX_COMPILER_TARGET AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    list(APPEND cmd "--target=${CMAKE_CXX_COMPILER_TARGET}")
  endif()
  if(CMAKE_SYSROOT)
    list(APPEND cmd "--sysroot=${CMAKE_SYSROOT}")
  endif()
  separate_arguments(cxx_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
  list(APPEND cmd ${cxx_flags})
  if(CMAKE_CXX20_STANDARD_COMPILE_OPTION)
    list(APPEND cmd "${CMAKE_CXX20_STANDARD_COMPILE_OPTION}")
  else()
    list(APPEND cmd "-std=c++20")
  endif()
  list(APPEND cmd -fsyntax-only -fdiagnostics-color=never)
  list(APPEND cmd "-I${CTML_ROOT_DIR}/include" "-I${CTML_TEST_SUPPORT_DIR}")
  foreach(dir IN LISTS arg_INCLUDE_DIRECTORIES)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND cmd "-I${dir}")
  endforeach()
  get_target_property(ctml_incs ctml INTERFACE_INCLUDE_DIRECTORIES)
  foreach(dir IN LISTS ctml_incs)
    # Pick up the plain (Boost) directories; skip the BUILD/INSTALL_INTERFACE generator exprs.
    string(REGEX REPLACE "^\\$<BUILD_INTERFACE:(.*)>$" "\\1" dir "${dir}")
    if(dir MATCHES "^\\$<" OR dir STREQUAL "${CTML_ROOT_DIR}/include")
      continue()
    endif()
    if(NOT dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
      list(APPEND cmd -isystem "${dir}")
    endif()
  endforeach()
  _ctml_test_definitions(defs)
  foreach(def IN LISTS defs arg_DEFINITIONS)
    list(APPEND cmd "-D${def}")
  endforeach()
  list(APPEND cmd "${source}")

  # Write the invocation to a small CMake file (bracket arguments: no escaping problems with
  # regexes or quotes), read back by the test-time script.
  set(content "# Generated by ctml_add_compile_fail_test(${arg_NAME})\n")
  string(APPEND content "set(CTML_CF_NAME [==[${arg_NAME}]==])\n")
  string(APPEND content "set(CTML_CF_SOURCE [==[${source}]==])\n")
  string(APPEND content "set(CTML_CF_EXPECT [==[${arg_EXPECT}]==])\n")
  string(APPEND content "set(CTML_CF_COMMAND)\n")
  foreach(item IN LISTS cmd)
    string(APPEND content "list(APPEND CTML_CF_COMMAND [==[${item}]==])\n")
  endforeach()
  set(config "${CMAKE_CURRENT_BINARY_DIR}/compile_fail/${arg_NAME}.cmake")
  _ctml_write_if_changed("${config}" "${content}")

  add_test(NAME ${arg_NAME}
           COMMAND "${CMAKE_COMMAND}" "-DCTML_CF_CONFIG=${config}"
                   -P "${CTML_ROOT_DIR}/cmake/CtmlCompileFail.cmake")
  _ctml_test_area(area)
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  set_tests_properties(${arg_NAME} PROPERTIES
    LABELS "${area};compile_fail;${arg_LABELS}"
    TIMEOUT ${arg_TIMEOUT})
endfunction()

# ---------------------------------------------------------------------------------------------
function(ctml_add_header_selfcontained_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME" "EXCLUDE")
  if(NOT arg_NAME)
    set(arg_NAME ctml_headers_selfcontained)
  endif()
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS "${CTML_ROOT_DIR}/include/ctml/*.hpp")
  list(SORT headers)
  set(sources)
  foreach(header IN LISTS headers)
    file(RELATIVE_PATH rel "${CTML_ROOT_DIR}/include" "${header}")
    set(skip FALSE)
    foreach(pattern IN LISTS arg_EXCLUDE)
      if(rel MATCHES "${pattern}")
        set(skip TRUE)
      endif()
    endforeach()
    if(skip)
      continue()
    endif()
    set(cpp "${CMAKE_CURRENT_BINARY_DIR}/${arg_NAME}/${rel}.cpp")
    _ctml_write_if_changed("${cpp}"
      "// Generated: ${rel} must compile on its own.\n#include <${rel}>\n#include <${rel}>\n")
    list(APPEND sources "${cpp}")
  endforeach()
  if(NOT sources)
    message(STATUS "ctml: no headers under include/ctml yet; header self-containment check skipped")
    return()
  endif()
  add_library(${arg_NAME} OBJECT ${sources})
  target_compile_features(${arg_NAME} PRIVATE cxx_std_20)
  target_link_libraries(${arg_NAME} PRIVATE ctml::ctml)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${arg_NAME} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  endif()
  list(LENGTH sources count)
  message(STATUS "ctml: header self-containment check covers ${count} headers")
endfunction()

# ---------------------------------------------------------------------------------------------
# ctml_add_gcc_audit_test(NAME <name> SOURCES <src>...)
#   CTest test that reads GCC's dumps of its late pure-const and mod/ref analyses for the sources
#   and fails if a function in which those analyses met a null-based address lacks ctml's
#   side-effect fence (tools/audit/gcc_null_base_audit.py, docs/compiler-notes.md). The build
#   itself writes the dumps (the two -fdump flags are added to each source in this directory and
#   the folders added from it: call this after the targets that compile them are defined), so the
#   test reads what every target that compiled a source saw with its own flags, and compiles
#   nothing again. Reported as skipped (exit code 77) for compilers other than GCC and
#   unoptimized builds (the build's flags are passed for that decision only).
function(ctml_add_gcc_audit_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME" "SOURCES")
  find_program(CTML_PYTHON3 python3)
  if(NOT CTML_PYTHON3)
    ctml_add_skipped_test(NAME ${arg_NAME} REASON "python3 not found (needed to read GCC's dumps)")
    return()
  endif()
  set(cmd "${CTML_PYTHON3}" "${CTML_ROOT_DIR}/tools/audit/gcc_null_base_audit.py" "--compiler=${CMAKE_CXX_COMPILER}"
          "--dumps-under=${CMAKE_BINARY_DIR}")
  separate_arguments(cxx_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
  if(CMAKE_BUILD_TYPE)
    string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
    separate_arguments(config_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS_${config}}")
    list(APPEND cxx_flags ${config_flags})
  endif()
  foreach(flag IN LISTS cxx_flags)
    list(APPEND cmd "--flag=${flag}")
  endforeach()
  # Targets that compile a source are defined here or in the folders added from here (tests/core
  # builds test_quant.cpp again without the DSP or MVE kernels, for instance).
  get_property(dirs DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" PROPERTY SUBDIRECTORIES)
  foreach(src IN LISTS arg_SOURCES)
    get_filename_component(src "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND cmd "${src}")
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      set_property(SOURCE "${src}" DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" ${dirs} APPEND PROPERTY COMPILE_OPTIONS
                   -fdump-tree-local-pure-const2 -fdump-tree-modref2)
    endif()
  endforeach()
  add_test(NAME ${arg_NAME} COMMAND ${cmd} WORKING_DIRECTORY "${CTML_ROOT_DIR}")
  _ctml_test_area(area)
  set_tests_properties(${arg_NAME} PROPERTIES LABELS "${area};audit" TIMEOUT 900 SKIP_RETURN_CODE 77)
endfunction()
