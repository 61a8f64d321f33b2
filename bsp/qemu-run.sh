#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs a firmware image or an on-target test runner under QEMU (CMAKE_CROSSCOMPILING_EMULATOR).
#   bsp/qemu-run.sh MACHINE IMAGE.elf [ARGS...]
# Semihosting carries the console output, the exit code (QEMU exits with the image's code) and
# the command line (IMAGE ARGS..., read by the hosted startup as argc/argv; arguments must not
# contain spaces). -icount shift=0 retires one instruction per virtual nanosecond, so SysTick
# readings are instruction counts, identical from run to run.
# Environment: CTML_QEMU_TIMEOUT (seconds of wall time, default 600), CTML_QEMU_ICOUNT=0 to run
# without -icount (faster, but the counters are then meaningless).
set -euo pipefail
if (($# < 2)); then
  echo "usage: $0 MACHINE IMAGE.elf [ARGS...]" >&2
  exit 2
fi
machine=$1
image=$2
shift 2
semihosting="enable=on,target=native,arg=$(basename "$image")"
for a in "$@"; do
  semihosting+=",arg=${a//,/,,}"  # QEMU option syntax: a literal comma is doubled
done
icount=(-icount shift=0)
[[ "${CTML_QEMU_ICOUNT:-1}" == 0 ]] && icount=()
exec timeout --signal=KILL "${CTML_QEMU_TIMEOUT:-600}" \
  qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
  -semihosting-config "$semihosting" "${icount[@]}" -kernel "$image"
