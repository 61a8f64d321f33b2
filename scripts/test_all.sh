#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The complete ctml check, as run by CI (.ci/run): installs missing Debian packages, then runs
# the configure + build + test workflow presets
#   default (GCC -O2; each difftest batch also at one of -O0, -O1, -O3, -Os)
#   ->  clang-asan (clang++-19 -O2 with ASan+UBSan; the libFuzzer harnesses)
#   ->  native (GCC -O3 -march=native: the numeric test areas and the benchmarks)
#   ->  cortex-m4, cortex-m7, cortex-m55 (firmware images and differential tests under QEMU; the
#       doctest suites on the M4 and M55, the M7 running the M4's instruction set)
# One build per compiler and target, each adding what the others do not cover (README, "Presets").
# On request: asan (GCC -O0 with ASan+UBSan), clang (clang-19 -O2 without sanitizers), debug,
# aarch64 (64-bit Arm Linux under qemu-aarch64): test_all.sh asan clang aarch64.
# Stops at the first failing workflow. Build trees: build/<preset>/ (reused between runs).
#
# Usage: scripts/test_all.sh [--fresh] [workflow...]
#   --fresh       reconfigure from scratch (passes --fresh to cmake)
#   workflow...   run only these workflow presets (default: the six above)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fresh=()
selected=()
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=(--fresh) ;;
    -h|--help) sed -n '3,17p' "$0"; exit 0 ;;
    *) selected+=("$arg") ;;
  esac
done

if ((${#selected[@]} == 0)); then
  selected=(default clang-asan native cortex-m4 cortex-m7 cortex-m55)
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
