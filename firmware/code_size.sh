#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The flash of a firmware image split into what a model costs (issue 22, item 6), from the symbol
# table (arm-none-eabi-nm -S: every sized symbol in flash; literal pools belong to their function):
#   weights   the constexpr model object (SYMBOL): weights, biases, requantization tables
#   ctml code functions of namespace ctml (kernels, layers, the network's run)
#   app code  the image's own functions that call the model (main, checks, printing; the network's
#             run is often inlined into the image's infer(), so part of ctml's code is counted here)
#   runtime   start-up, the board support and libc/libgcc (memcpy, division helpers)
#   data      other read-only data (test inputs, golden outputs, strings)
#   code      all code beyond the weights: ctml + app + runtime
#   code_size.sh IMAGE SYMBOL [MAX_CODE_BYTES]   fails when the code beyond the weights exceeds it
set -euo pipefail
image=$1
sym=$2
max=${3:-}
symbols=$(arm-none-eabi-nm -C -S -t d "$image")
awk -v s="$sym" -v max="$max" -v name="$(basename "$image" .elf)" '
  NF >= 4 {
    size = $2 + 0; type = $3; n = $0; sub(/^[0-9]+ [0-9]+ . /, "", n)
    if (n == s) { weights += size; next }
    if (type ~ /^[TtWw]$/) {
      if (n ~ /^(void |[a-z_ ]+ )?ctml::/ || n ~ /^ctml::/) ctml += size
      else if (n ~ /^(ctml_|board::|_|mem|str|abort|exit)|^(__|_)/ || n ~ /^(put_hex|ctml_fault_report)$/) runtime += size
      else app += size
    } else if (type ~ /^[RrVv]$/) data += size
  }
  END {
    code = ctml + app + runtime
    printf "%s: weights %d, code %d (ctml %d, app %d, runtime %d), other read-only data %d (bytes)\n", name, weights, code, ctml, app, runtime, data
    if (weights == 0) { print "model symbol " s " not found"; exit 1 }
    if (max != "" && code > max) { printf "the code beyond the weights, %d bytes, exceeds %d\n", code, max; exit 1 }
  }' <<<"$symbols"
