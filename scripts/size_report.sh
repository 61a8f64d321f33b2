#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Size and cost of the firmware images of a Cortex-M preset (default cortex-m4), under QEMU:
#   flash   text + rodata + .data initialisers (code and weights)
#   RAM     arena + static (.data + .bss without the stack region and the arena) + stack peak
#           (the stack is painted before inference and scanned after it)
#   instructions per inference (QEMU -icount shift=0: instructions retired, not cycles)
# and, for the int8 images, the portable/DSP instruction ratio.
#   scripts/size_report.sh [cortex-m4|cortex-m7|cortex-m55]    (configures and builds the preset)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=${1:-cortex-m4}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" >/dev/null
machine=$(sed -n 's/^CTML_QEMU_MACHINE:STRING=//p' "build/$preset/CMakeCache.txt")
echo "preset $preset, QEMU $machine"
printf '%-22s %11s %8s %8s %8s %10s %14s\n' image flash_bytes arena static stack_peak ram_total instructions
declare -A instr_of
for elf in "build/$preset"/firmware/*.elf; do
  name=$(basename "$elf" .elf)
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -1)
  stack_region=$((16#$(arm-none-eabi-nm "$elf" | awk '$3=="__stack_size"{print $1}')))
  line=$(bsp/qemu-run.sh "$machine" "$elf" 2>&1)
  instr=$(sed -n 's/.*instructions=\([0-9]*\).*/\1/p' <<<"$line")
  arena=$(sed -n 's/.*arena=\([0-9]*\).*/\1/p' <<<"$line")
  stack=$(sed -n 's/.*stack=\([0-9]*\).*/\1/p' <<<"$line")
  static=$((data + bss - stack_region - arena))
  instr_of[$name]=$instr
  printf '%-22s %11d %8d %8d %8d %10d %14d\n' "$name" $((text + data)) "$arena" "$static" "$stack" \
    $((arena + static + stack)) "$instr"
done
for name in "${!instr_of[@]}"; do
  if [[ $name == *_int8 && -n "${instr_of[${name}_portable]:-}" ]]; then
    awk -v n="$name" -v p="${instr_of[${name}_portable]}" -v d="${instr_of[$name]}" \
      'BEGIN { printf "%s: portable/DSP instructions = %.2f\n", n, p / d }'
  fi
done
