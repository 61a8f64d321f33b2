# SPDX-License-Identifier: Apache-2.0
#
# Test-time driver for the consumer_* CTest tests (registered in tests/CMakeLists.txt).
#   CTML_CONSUMER_MODE = find_package      cmake --install the ctml build tree into
#                                          <work>/prefix, then build tests/consumer with
#                                          CMAKE_PREFIX_PATH=<work>/prefix
#                      = add_subdirectory  build tests/consumer with CTML_CONSUMER_CTML_SOURCE
#                                          pointing at the ctml source tree
# Then runs the consumer executable, which must exit 0.
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS CTML_CONSUMER_MODE CTML_CONSUMER_SOURCE_DIR CTML_SOURCE_DIR CTML_BINARY_DIR
                     CTML_WORK_DIR CTML_GENERATOR CTML_CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "CtmlConsumerTest: ${var} is required")
  endif()
endforeach()
if(NOT CTML_CONFIG)
  set(CTML_CONFIG Release)
endif()

function(run)
  list(JOIN ARGN " " line)
  message(STATUS "+ ${line}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${line}")
  endif()
endfunction()

file(REMOVE_RECURSE "${CTML_WORK_DIR}")
file(MAKE_DIRECTORY "${CTML_WORK_DIR}")
set(build "${CTML_WORK_DIR}/build")
set(configure_args
  -S "${CTML_CONSUMER_SOURCE_DIR}" -B "${build}" -G "${CTML_GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CTML_CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${CTML_CONFIG}")

if(CTML_CONSUMER_MODE STREQUAL "find_package")
  set(prefix "${CTML_WORK_DIR}/prefix")
  run("${CMAKE_COMMAND}" --install "${CTML_BINARY_DIR}" --prefix "${prefix}" --config "${CTML_CONFIG}")
  if(NOT EXISTS "${prefix}/include/ctml")
    message(FATAL_ERROR "install did not produce ${prefix}/include/ctml")
  endif()
  file(GLOB_RECURSE config_files "${prefix}/*ctmlConfig.cmake")
  if(NOT config_files)
    message(FATAL_ERROR "install did not produce ctmlConfig.cmake under ${prefix}")
  endif()
  # Only the scratch prefix may provide ctml (not, say, a ctml installed in /usr/local).
  run("${CMAKE_COMMAND}" ${configure_args} "-DCMAKE_PREFIX_PATH=${prefix}"
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
elseif(CTML_CONSUMER_MODE STREQUAL "add_subdirectory")
  run("${CMAKE_COMMAND}" ${configure_args} "-DCTML_CONSUMER_CTML_SOURCE=${CTML_SOURCE_DIR}")
else()
  message(FATAL_ERROR "CtmlConsumerTest: unknown CTML_CONSUMER_MODE '${CTML_CONSUMER_MODE}'")
endif()

run("${CMAKE_COMMAND}" --build "${build}" --config "${CTML_CONFIG}")

find_program(consumer_exe NAMES ctml_consumer
             PATHS "${build}" "${build}/${CTML_CONFIG}" NO_DEFAULT_PATH NO_CACHE)
if(NOT consumer_exe)
  message(FATAL_ERROR "consumer executable not found in ${build}")
endif()
run("${consumer_exe}")
message(STATUS "consumer (${CTML_CONSUMER_MODE}) built and ran successfully")
