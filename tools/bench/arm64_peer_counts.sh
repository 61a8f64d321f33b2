#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Instructions per inference of ctml and XNNPACK on the four MLPerf Tiny int8 models, for 64-bit
# Arm (issue 22, item 5), in one sitting: benchmarks/int8/peer_repeat.cpp cross-compiled once with
# Debian's aarch64-linux-gnu-g++ (-O2, generic ARMv8-A: ctml chooses its SDOT kernels at run time,
# XNNPACK its own through cpuinfo), run under qemu-aarch64 on a Cortex-A72 (Raspberry Pi 4) and a
# Cortex-A76 (Raspberry Pi 5), counted exactly by tools/bench/qemu_user_icount.py. One inference
# is (count for 11 runs - count for 1 run) / 10.
#
# Usage: tools/bench/arm64_peer_counts.sh [--models "kws ad resnet8 vww"] [--cpus "cortex-a72 cortex-a76"] [--layers]
#   --layers   also each top-level layer on its own (ctml's layer and its mirrored XNNPACK operators)
# Needs: the default preset's ctml-import (cmake --build --preset default --target ctml-import),
# ../shared's MLPerf Tiny models, g++-aarch64-linux-gnu and qemu-user (scripts/install_deps.sh
# aarch64), XNNPACK for arm64 in build/arm64-peers (tools/bench/arm64_peers.sh build/arm64-peers).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

models="kws ad resnet8 vww"
cpus="cortex-a72 cortex-a76"
layers=0
while (($#)); do
  case "$1" in
    --models) models=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --layers) layers=1; shift ;;
    *) sed -n '3,15p' "$0"; exit 2 ;;
  esac
done

peers=build/arm64-peers
import=build/default/tools/ctml-import
shared=${CTML_SHARED_DIR:-../shared}
out=build/arm64-peer-counts
for need in "$peers/usr/lib/aarch64-linux-gnu/libXNNPACK.so" "$import" "$shared/models/mlperf-tiny/kws_ds_cnn_int8/model.tflite"; do
  [[ -e "$need" ]] || { echo "arm64_peer_counts: $need missing (see --help)" >&2; exit 1; }
done
mkdir -p "$out/gen"
"$import" "$shared/models/mlperf-tiny/kws_ds_cnn_int8/model.tflite" -o "$out/gen/kws.hpp" --name kws > /dev/null
"$import" "$shared/models/mlperf-tiny/ad_autoencoder_int8/model.tflite" -o "$out/gen/ad.hpp" --name ad > /dev/null
lib="$(realpath "$peers")/usr/lib/aarch64-linux-gnu"
aarch64-linux-gnu-g++ -std=c++20 -O2 -Wall -Wextra -Wno-psabi -Iinclude -Itests/support -Ibenchmarks/int8 -I"$out/gen" \
  -I"$peers/usr/include" benchmarks/int8/peer_repeat.cpp -o "$out/peer_repeat" \
  -L"$lib" -Wl,-rpath-link,"$lib" -lXNNPACK -lpthreadpool -lcpuinfo -lpthread
echo "compiled $out/peer_repeat ($(aarch64-linux-gnu-g++ --version | head -1), -O2)"

count() {  # cpu model engine runs [layer] -> instruction count
  QEMU_SET_ENV="LD_LIBRARY_PATH=$lib" tools/bench/qemu_user_icount.py --cpu "$1" -- "$out/peer_repeat" "$2" "$3" "$4" ${5:+"$5"} \
    2> "$out/err.txt" > "$out/out.txt" || { cat "$out/out.txt" "$out/err.txt" >&2; exit 1; }
  grep -o 'instructions=[0-9]*' "$out/err.txt" | cut -d= -f2
}

printf '%-11s %-8s %14s %14s %7s  %s\n' cpu model ctml xnnpack ratio "ctml kernels / XNNPACK check"
for cpu in $cpus; do
  for m in $models; do
    declare -A per=()
    note=""
    for e in ctml xnnpack; do
      one=$(count "$cpu" "$m" "$e" 1)
      eleven=$(count "$cpu" "$m" "$e" 11)
      per[$e]=$(((eleven - one) / 10))
      note+="$(grep -o 'kernels=[^ ]*\|max_diff=[0-9]*' "$out/out.txt") "
    done
    printf '%-11s %-8s %14d %14d %7.3f  %s\n' "$cpu" "$m" "${per[ctml]}" "${per[xnnpack]}" \
      "$(echo "scale=4; ${per[ctml]} / ${per[xnnpack]}" | bc)" "$note"
  done
done

((layers)) || exit 0
echo
printf '%-11s %-8s %-5s %-22s %12s %12s %7s\n' cpu model layer kind ctml xnnpack ratio
for cpu in $cpus; do
  for m in $models; do
    for ((i = 0; ; ++i)); do
      QEMU_SET_ENV="LD_LIBRARY_PATH=$lib" qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu "$cpu" "$out/peer_repeat" "$m" ctml 0 "$i" \
        > "$out/out.txt" 2> /dev/null || break
      kind=$(grep -o 'kind=[^ ]*' "$out/out.txt" | cut -d= -f2)
      declare -A per=()
      for e in ctml xnnpack; do
        one=$(count "$cpu" "$m" "$e" 1 "$i")
        eleven=$(count "$cpu" "$m" "$e" 11 "$i")
        per[$e]=$(((eleven - one) / 10))
      done
      ratio=-
      ((per[xnnpack] > 0)) && ratio=$(echo "scale=3; ${per[ctml]} / ${per[xnnpack]}" | bc)
      printf '%-11s %-8s %-5s %-22s %12d %12d %7s\n' "$cpu" "$m" "$i" "$kind" "${per[ctml]}" "${per[xnnpack]}" "$ratio"
    done
  done
done
