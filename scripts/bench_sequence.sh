#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctml's imported mnist_lstm models against TFLite Micro's reference kernels on the same models,
# in one sitting on this machine (host). Usage: scripts/bench_sequence.sh [build dir]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build/default}
shared=${CTML_SHARED_DIR:-../shared}
cmake --build "$build" --target bench_mnist_lstm >/dev/null
runner="$shared/peers/tflite-micro/tflm-run"
models="$shared/models/tflm-examples/mnist_lstm"
ctml=$("$build/benchmarks/bench_mnist_lstm" --benchmark_min_time=0.5 --benchmark_format=csv 2>/dev/null | grep '^"BM_')
for kind in int8 float; do
  file=trained_lstm_int8.tflite
  [ "$kind" = float ] && file=trained_lstm.tflite
  tflm=$("$runner" "$models/$file" --lcg 1 --repeat 2000 --quiet 2>&1 | sed -n 's/^invoke_median_us: \([0-9.]*\).*/\1/p')
  ours=$(echo "$ctml" | grep "BM_mnist_lstm_$kind\"" | cut -d, -f4)  # real_time, ns
  awk -v k="$kind" -v t="$tflm" -v c="$ours" 'BEGIN { printf "mnist_lstm %-5s  ctml %8.1f us   TFLM reference %8.1f us   ratio %.2f\n", k, c / 1000, t, (c / 1000) / t }'
done
