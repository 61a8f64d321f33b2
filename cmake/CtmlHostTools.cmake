# SPDX-License-Identifier: Apache-2.0
#
# ctml_host_tools(<out_var>): the directory holding the host tools ctml-import and
# ctml-difftest-gen. In a host build with tools: this build's tools directory (the targets are
# built as part of it; depend on the targets ctml-import / ctml-difftest-gen). In a cross build:
# a host sub-build made at configure time under <build>/host-tools and brought up to date at build
# time (target ctml_host_tools_update; depend on the binaries); <out_var> is empty if it
# cannot be built.
include_guard(GLOBAL)

function(ctml_host_tools out_var)
  if(NOT CMAKE_CROSSCOMPILING AND TARGET ctml-import AND TARGET ctml-difftest-gen)
    set(${out_var} "${CMAKE_BINARY_DIR}/tools" PARENT_SCOPE)
    return()
  endif()
  get_property(done GLOBAL PROPERTY CTML_HOST_TOOLS_DIR)
  if(DEFINED done)
    set(${out_var} "${done}" PARENT_SCOPE)
    return()
  endif()
  set(host "${CMAKE_BINARY_DIR}/host-tools")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${CMAKE_SOURCE_DIR}" -B "${host}" -G Ninja -DCMAKE_BUILD_TYPE=Release
            -DCMAKE_CXX_COMPILER=g++ -DCTML_BUILD_TESTS=OFF -DCTML_BUILD_EXAMPLES=OFF
            -DCTML_BUILD_BENCHMARKS=OFF -DCTML_BUILD_TOOLS=ON -DCTML_INSTALL=OFF
    RESULT_VARIABLE rc OUTPUT_QUIET)
  if(rc EQUAL 0)
    execute_process(COMMAND "${CMAKE_COMMAND}" --build "${host}" --target ctml-import ctml-difftest-gen
                    RESULT_VARIABLE rc OUTPUT_QUIET)
  endif()
  if(rc EQUAL 0)
    set(dir "${host}/tools")
    # Rebuilt at build time too (a no-op when up to date), so that a change to the tools' sources
    # regenerates what they made (imported firmware headers, the difftest corpus) without a
    # reconfigure. The binaries are byproducts: Ninja re-checks them after this step.
    add_custom_target(ctml_host_tools_update
      COMMAND "${CMAKE_COMMAND}" --build "${host}" --target ctml-import ctml-difftest-gen
      BYPRODUCTS "${dir}/ctml-import" "${dir}/ctml-difftest-gen"
      COMMENT "ctml: host tools (ctml-import, ctml-difftest-gen)"
      VERBATIM)
  else()
    message(WARNING "ctml: could not build the host tools (ctml-import, ctml-difftest-gen) in ${host}")
    set(dir "")
  endif()
  set_property(GLOBAL PROPERTY CTML_HOST_TOOLS_DIR "${dir}")
  set(${out_var} "${dir}" PARENT_SCOPE)
endfunction()
