#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Size and cost of the firmware images of a Cortex-M preset (default cortex-m4), under QEMU:
#   flash   text + rodata + .data initialisers (code and weights)
#   RAM     arena + static (.data + .bss without the stack region and the arena) + stack peak
#           (the stack is painted before inference and scanned after it)
#   instructions per inference (QEMU -icount shift=0: instructions retired, not cycles)
# and, for the int8 images, the portable/DSP instruction ratio per model and per layer; last, the
# dense vs sparse kernels of fw_sparse (Dense 640x128 at 90 % sparsity, float and int8).
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
  [[ $name == *_layers* || $name == fw_sparse* ]] && continue
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
for dsp in "build/$preset"/firmware/*_int8_layers.elf; do
  portable=${dsp%.elf}_portable.elf
  [[ -f $portable ]] || continue
  echo
  echo "$(basename "$dsp" .elf): instructions per layer"
  printf '%-6s %-18s %10s %12s %12s %8s\n' layer kind macs portable DSP ratio
  join -j1 <(bsp/qemu-run.sh "$machine" "$portable" 2>&1 | awk '$1=="layer"{sub("instructions=","",$NF); sub("macs=","",$(NF-1)); name=$3; for (i=4; i<NF-1; ++i) name=name "_" $i; print $2, name, $(NF-1), $NF}') \
           <(bsp/qemu-run.sh "$machine" "$dsp" 2>&1 | awk '$1=="layer"{sub("instructions=","",$NF); print $2, $NF}') |
    awk '{printf "%-6s %-18s %10d %12d %12d %8s\n", $1, $2, $3, $4, $5, ($5 > 0 ? sprintf("%.2f", $4 / $5) : "-")}'
done
if [[ -f "build/$preset/firmware/fw_sparse.elf" ]]; then
  echo
  echo "fw_sparse: Dense 640x128, 90 % of the weights pruned (instructions per inference)"
  bsp/qemu-run.sh "$machine" "build/$preset/firmware/fw_sparse.elf" 2>&1 | grep 'instructions='
fi
if [[ -f "build/$preset/firmware/fw_sparse_ad.elf" ]]; then
  echo
  echo "fw_sparse_ad: the whole AD autoencoder, every Dense layer 90 % pruned (instructions per inference)"
  bsp/qemu-run.sh "$machine" "build/$preset/firmware/fw_sparse_ad.elf" 2>&1 | grep 'instructions=\|flash'
fi
