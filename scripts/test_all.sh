#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The complete ctml check, as run by CI (.ci/run): installs missing Debian packages, then runs
# the configure + build + test workflow presets
#   default (GCC)  ->  asan (GCC, ASan+UBSan)  ->  clang (clang++-19)  ->  native (GCC -O3 -march=native)
#   ->  cortex-m4, cortex-m7, cortex-m55 (firmware images and differential tests under QEMU; the
#       doctest suites on the M4 and M55, the M7 running the M4's instruction set)
# The aarch64 workflow (64-bit Arm Linux under qemu-aarch64) runs on request: test_all.sh aarch64.
# Stops at the first failing workflow. Build trees: build/<preset>/ (reused between runs).
#
# Usage: scripts/test_all.sh [--fresh] [workflow...]
#   --fresh       reconfigure from scratch (passes --fresh to cmake)
#   workflow...   run only these workflow presets (default: all of the above but aarch64)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fresh=()
selected=()
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=(--fresh) ;;
    -h|--help) sed -n '3,14p' "$0"; exit 0 ;;
    *) selected+=("$arg") ;;
  esac
done

if ((${#selected[@]} == 0)); then
  selected=(default asan clang native cortex-m4 cortex-m7 cortex-m55)
fi

./scripts/install_deps.sh "${selected[@]}"

start_all=$SECONDS
for preset in "${selected[@]}"; do
  echo
  echo "==================== workflow: ${preset} ===================="
  start=$SECONDS
  cmake --workflow --preset "$preset" "${fresh[@]}"
  echo "==================== ${preset}: OK ($((SECONDS - start)) s) ===================="
done
echo
echo "test_all: ${selected[*]} passed in $((SECONDS - start_all)) s"
