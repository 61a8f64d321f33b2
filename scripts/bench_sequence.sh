#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# In one sitting on this machine (host): ctml's imported mnist_lstm models against TFLite Micro's
# reference kernels on the same models, and one GRU / LSTM step (16..128 units) of ctml against
# RTNeural's compile-time layers (bench_rnn_steps; RTNeural in the same binary).
# Usage: scripts/bench_sequence.sh [build dir]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build/default}
shared=${CTML_SHARED_DIR:-../shared}
cmake --build "$build" --target bench_mnist_lstm bench_rnn_steps >/dev/null
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

steps=$("$build/benchmarks/bench_rnn_steps" --benchmark_min_time=0.5 --benchmark_format=csv 2>/dev/null | grep '^"BM_')
echo
echo "one step, ns (real time)      ctml f32   RTNeural f32   ratio    ctml int8"
for cell in gru lstm; do
  for h in 16 32 64 128; do
    get() { echo "$steps" | grep "\"BM_$1/$h\"" | cut -d, -f4; }
    awk -v c="$cell" -v h="$h" -v f="$(get ctml_${cell}_f32)" -v r="$(get rtneural_${cell}_f32)" -v q="$(get ctml_${cell}_s8)" \
      'BEGIN { if (r == "") printf "%-4s %3d units            %9.0f   %12s   %5s  %9.0f\n", c, h, f, "-", "-", q;
               else printf "%-4s %3d units            %9.0f   %12.0f   %5.2f  %9.0f\n", c, h, f, r, f / r, q }'
  done
done
