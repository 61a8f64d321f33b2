#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run a firmware image under QEMU: semihosting for output and the exit code, -icount shift=0 so
# that one instruction takes one virtual nanosecond (SysTick then counts 40 instructions a tick).
# Usage: bsp/qemu-run.sh MACHINE IMAGE.elf
set -euo pipefail
machine=$1
image=$2
exec timeout 120 qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native -icount shift=0 -kernel "$image"
