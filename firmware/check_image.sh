#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks on a linked firmware image (inspects symbols, does not trust flags):
#   check_image.sh IMAGE no-heap          no malloc/free/new/delete/exception/unwinder symbols
#   check_image.sh IMAGE flash SYMBOL     SYMBOL (the constexpr model) lies in flash, not RAM
set -euo pipefail
image=$1
mode=$2
case "$mode" in
  no-heap)
    bad=$(arm-none-eabi-nm -C "$image" | grep -E ' (malloc|free|calloc|realloc|_malloc_r|_free_r|_calloc_r|_realloc_r|operator new|operator delete|__cxa_allocate_exception|__cxa_throw|_Unwind_[A-Za-z_]*)(\(|$)' || true)
    if [[ -n "$bad" ]]; then echo "heap or exception symbols linked:"; echo "$bad"; exit 1; fi
    echo "no heap or exception symbols in $(basename "$image")" ;;
  flash)
    sym=$3
    line=$(arm-none-eabi-nm -C "$image" | grep -F " ${sym}" | grep -E " [A-Za-z] " | head -1)
    [[ -n "$line" ]] || { echo "symbol $sym not found"; exit 1; }
    addr=$((16#${line%% *}))
    if (( addr >= 0x20000000 )); then echo "$sym is in RAM: $line"; exit 1; fi
    echo "$sym in flash: $line" ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
