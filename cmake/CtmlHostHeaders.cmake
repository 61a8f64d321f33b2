# SPDX-License-Identifier: Apache-2.0
#
# Locating header-only third-party packages (Boost.PFR, doctest) in a way that also works when
# cross-compiling.
#
# A cross compiler (arm-none-eabi-g++) does not search the host's /usr/include, and adding all
# of /usr/include to a cross build would pull glibc/host headers in front of newlib's. So when a
# package is found in a *host system include directory* during a cross build, only its
# sub-directory is exposed, through a staging directory in the build tree that holds a single
# symlink:  <build>/_ctml_host_headers/<name>/<subdir> -> /usr/include/<subdir>
#
# Cache variables (all overridable, e.g. from a toolchain file or preset):
#   CTML_BOOST_INCLUDE_DIR    directory containing boost/pfr.hpp
#   CTML_DOCTEST_INCLUDE_DIR  directory containing doctest/doctest.h (tests only)
include_guard(GLOBAL)

# ctml_expose_host_headers(<out_var> <dir> <subdir>)
#   <out_var> = <dir> unless we are cross-compiling and <dir> looks like a host system include
#   directory (contains stdlib.h), in which case <out_var> is a staging dir with only <subdir>.
function(ctml_expose_host_headers out_var dir subdir)
  set(result "${dir}")
  if(CMAKE_CROSSCOMPILING AND EXISTS "${dir}/stdlib.h" AND EXISTS "${dir}/${subdir}")
    set(stage "${CMAKE_BINARY_DIR}/_ctml_host_headers/${subdir}")
    file(MAKE_DIRECTORY "${stage}")
    if(NOT EXISTS "${stage}/${subdir}")
      file(CREATE_LINK "${dir}/${subdir}" "${stage}/${subdir}" SYMBOLIC)
    endif()
    set(result "${stage}")
  endif()
  set(${out_var} "${result}" PARENT_SCOPE)
endfunction()

# ctml_find_host_header(<cache_var> <probe> <docstring>)
#   find_path() that, when cross-compiling and not found inside the target root path, falls back
#   to the host's include directories.
function(ctml_find_host_header cache_var probe doc)
  find_path(${cache_var} NAMES "${probe}" DOC "${doc}")
  if(NOT ${cache_var} AND CMAKE_CROSSCOMPILING)
    find_path(${cache_var} NAMES "${probe}" DOC "${doc}" NO_CMAKE_FIND_ROOT_PATH
              PATHS /usr/local/include /usr/include)
  endif()
endfunction()

# ctml_find_boost_pfr(<out_var>)
#   Finds Boost >= 1.75 (first release with PFR) and returns the include directory to use.
function(ctml_find_boost_pfr out_var)
  ctml_find_host_header(CTML_BOOST_INCLUDE_DIR boost/pfr.hpp
                        "Directory containing boost/pfr.hpp (Boost >= 1.75)")
  if(NOT CTML_BOOST_INCLUDE_DIR)
    message(FATAL_ERROR
      "ctml: Boost.PFR (boost/pfr.hpp, Boost >= 1.75) not found. Install libboost-dev "
      "(Debian 12: libboost1.81-dev) or pass -DCTML_BOOST_INCLUDE_DIR=<dir containing boost/>.")
  endif()
  set(version_file "${CTML_BOOST_INCLUDE_DIR}/boost/version.hpp")
  if(EXISTS "${version_file}")
    file(STRINGS "${version_file}" line REGEX "^#define[ \t]+BOOST_VERSION[ \t]+[0-9]+")
    string(REGEX MATCH "[0-9]+$" boost_version "${line}")
    if(boost_version AND boost_version LESS 107500)
      message(FATAL_ERROR "ctml: Boost ${boost_version} in ${CTML_BOOST_INCLUDE_DIR} is too old "
                          "(Boost.PFR needs >= 1.75, i.e. 107500).")
    endif()
  endif()
  ctml_expose_host_headers(dir "${CTML_BOOST_INCLUDE_DIR}" boost)
  set(${out_var} "${dir}" PARENT_SCOPE)
endfunction()
