#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the Debian 12 packages ctml needs for building, testing and cross-compiling --
# only those that are missing (`install_deps.sh aarch64` adds the aarch64 preset's). Idempotent: with everything present it does nothing (no
# `apt-get update`, no root needed). Uses sudo only when not already root.
set -euo pipefail

packages=(
  g++                              # host compiler (GCC 12)
  cmake                            # >= 3.25 (presets v6, workflow presets)
  ninja-build
  doctest-dev                      # unit tests
  libbenchmark-dev                 # micro-benchmarks
  libboost1.81-dev                 # Boost.PFR (header-only)
  clang-19                         # second host compiler (`clang` preset)
  libclang-rt-19-dev               # its sanitizer and libFuzzer runtimes (the clang preset fuzzes)
  python3-numpy                    # test-data generators (tests/data/*/gen_*.py, tools/)
  gcc-arm-none-eabi                # Cortex-M cross compiler
  libnewlib-arm-none-eabi
  libstdc++-arm-none-eabi-newlib
  qemu-system-arm                  # runs the Cortex-M tests
  espeak-ng                        # speech clips for the front-end tests (tests/frontend)
  sox                              # noise, tones and resampling for those clips
  libfftw3-dev                     # FFTW, the peer in benchmarks/signal/fft_vs_fftw.cpp only
  libprotobuf-dev                  # ctml-import's ONNX reader (host tool only, never the headers)
  protobuf-compiler                # protoc, for onnx.proto
  python3-onnx                     # ships onnx.proto, the ONNX schema
  libxgboost-dev                   # XGBoost's library, the peer in benchmarks/trees/trees.cpp only
  xgboost                          # its command line (scripts/bench_trees.sh, tests/trees/make_reference.py)
  libsodium-dev                    # Ed25519 in the ctml-blob host tool (never the headers)
  libxnnpack-dev                   # XNNPACK, the peer in benchmarks/int8/xnnpack_peer.cpp only
  libpthreadpool-dev               # (its thread pool and CPU detection)
  libcpuinfo-dev
)
# With the argument `aarch64` (scripts/test_all.sh passes it when that workflow is selected):
# the 64-bit Arm Linux cross compiler and qemu-user, which runs its tests.
if [[ " $* " == *" aarch64 "* ]]; then
  packages+=(g++-aarch64-linux-gnu qemu-user)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install_deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install_deps: installing ${missing[*]}"
as_root=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install_deps: not root and sudo is unavailable; install as root: ${missing[*]}" >&2
    exit 1
  fi
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
