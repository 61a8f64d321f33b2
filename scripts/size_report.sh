#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Size and cost of the firmware images (Cortex-M4 under QEMU mps2-an386):
# flash (text + rodata + data init), RAM (arena + .data + .bss without the stack region + stack
# peak), instructions per inference (QEMU -icount: instructions, not cycles).
#   scripts/size_report.sh            (builds the cortex-m4 preset first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake --preset cortex-m4 >/dev/null
cmake --build --preset cortex-m4 >/dev/null
printf '%-14s %12s %10s %10s %10s %10s %16s\n' image flash_bytes arena static stack_peak ram_total instructions
for elf in build/cortex-m4/firmware/*.elf; do
  name=$(basename "$elf" .elf)
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -1)
  stack_region=$((16#$(arm-none-eabi-nm "$elf" | awk '$3=="_stack_size"{print $1}')))
  line=$(bsp/qemu-run.sh mps2-an386 "$elf" 2>&1)
  instr=$(sed -n 's/.*instructions=\([0-9]*\).*/\1/p' <<<"$line")
  arena=$(sed -n 's/.*arena=\([0-9]*\).*/\1/p' <<<"$line")
  stack=$(sed -n 's/.*stack=\([0-9]*\).*/\1/p' <<<"$line")
  static=$((data + bss - stack_region - arena))
  printf '%-14s %12d %10d %10d %10d %10d %16d\n' "$name" $((text + data)) "$arena" "$static" "$stack" \
    $((arena + static + stack)) "$instr"
done
