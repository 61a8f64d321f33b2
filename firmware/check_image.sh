#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks on a linked firmware image (inspects symbols, does not trust flags):
#   check_image.sh IMAGE no-heap          no malloc/free/new/delete/exception/unwinder symbols
#   check_image.sh IMAGE flash SYMBOL     SYMBOL (the constexpr model) lies in a flash section (.rodata/.text), not in RAM
set -euo pipefail
image=$1
mode=$2
case "$mode" in
  no-heap)
    # nm first, on its own: a failing nm (missing tool, unreadable image) fails the check instead
    # of looking like an image without heap symbols; an image without main is not an image.
    symbols=$(arm-none-eabi-nm -C "$image")
    grep -qE ' T main$' <<<"$symbols" || { echo "no main in the symbols of $image: not a firmware image"; exit 1; }
    bad=$(grep -E ' (malloc|free|calloc|realloc|_malloc_r|_free_r|_calloc_r|_realloc_r|operator new|operator delete|__cxa_allocate_exception|__cxa_throw|_Unwind_[A-Za-z_]*)(\(|$)' <<<"$symbols" || true)
    if [[ -n "$bad" ]]; then echo "heap or exception symbols linked:"; echo "$bad"; exit 1; fi
    echo "no heap or exception symbols in $(basename "$image")" ;;
  flash)
    # (awk reads all of objdump's output: exiting early would make objdump die of SIGPIPE, which
    # pipefail turns into a failure.)
    # The section that holds the symbol decides (addresses differ per board): read-only
    # sections are loaded from flash; .data/.bss/.tdata would be RAM.
    sym=$3
    line=$(arm-none-eabi-objdump -t -C "$image" | awk -v s="$sym" '!found {n=$0; sub(/^.*\t[0-9a-f]+ +/, "", n); if (n == s) {print; found=1}}')
    [[ -n "$line" ]] || { echo "symbol $sym not found"; exit 1; }
    section=$(awk '{for (i = 1; i <= NF; ++i) if ($i ~ /^\./ || $i == "*ABS*") {print $i; exit}}' <<<"$line")
    case "$section" in
      .rodata|.text) echo "$sym in flash ($section): $line" ;;
      *) echo "$sym is not in flash (section $section): $line"; exit 1 ;;
    esac ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
