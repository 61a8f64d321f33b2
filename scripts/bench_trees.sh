#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Tree ensembles on the host, ctml against XGBoost in one sitting (docs/trees.md):
#   bench_trees (Google Benchmark; ctml and XGBoost's library in one binary): per-row prediction
#   times of the two imported breast-cancer models, and the time of 20 boosting rounds;
#   XGBoost's command line training on the same rows, and its peak memory (/usr/bin/time), next
#   to ctml's static training memory (model capacity + workspace, from the benchmark's counter).
# Usage: scripts/bench_trees.sh [build dir]   (CPU times: run on an idle machine)
set -euo pipefail
build=${1:-build/default}
here=$(cd "$(dirname "$0")/.." && pwd)
cmake --build "$build" --target bench_trees >/dev/null
csv=$("$build/benchmarks/bench_trees" --benchmark_min_time=0.5 --benchmark_format=csv 2>/dev/null | grep '^"BM_')
cpu() { awk -F, -v n="\"$1\"" '$1 == n {print $4}' <<<"$csv"; }  # cpu_time, ns
rows=284
echo "per row (ns, CPU time)          data walk   inlined   int16 (quantize+class)   XGBoost in-place   data/XGBoost"
for m in boost forest; do
  d=$(cpu "BM_ctml_predict_$m"); i=$(cpu "BM_ctml_inlined_$m"); q=$(cpu "BM_ctml_int16_$m"); x=$(cpu "BM_xgboost_predict_$m")
  awk -v m="$m" -v d="$d" -v i="$i" -v q="$q" -v x="$x" -v r=$rows 'BEGIN {
    printf "%-30s %9.1f %9.1f %24.1f %18s %14s\n", m, d / r, i / r, q / r, (x == "" ? "-" : sprintf("%.1f", x / r)),
           (x == "" ? "-" : sprintf("%.3f", d / x)) }'
done
t=$(cpu BM_ctml_train_boost); tx=$(cpu BM_xgboost_train_boost)
static=$(awk -F, '$1 == "\"BM_ctml_train_boost\"" {print $8}' <<<"$csv" | tr -d '"' | sed 's/static_bytes=//')
awk -v t="$t" -v x="$tx" 'BEGIN { printf "training, 20 rounds depth 3 (ms, CPU): ctml %.2f  XGBoost library %s  ratio %s\n", t / 1e6,
  (x == "" ? "-" : sprintf("%.2f", x / 1e6)), (x == "" ? "-" : sprintf("%.2f", t / x)) }'
echo "ctml training memory: model capacity + workspace = ${static} bytes, static (no allocation)"
if command -v xgboost >/dev/null && [[ -x /usr/bin/time ]]; then
  tmp=$(mktemp -d)
  awk -F, 'NR > 1 && (NR - 2) % 2 == 0 { printf "%s", $NF; for (i = 1; i < NF; ++i) printf ",%s", $i; printf "\n" }' \
    "$here/tests/data/sklearn/breast_cancer.csv" >"$tmp/train.csv"
  cat >"$tmp/train.conf" <<CONF
booster = gbtree
objective = binary:logistic
eta = 0.3
max_depth = 3
num_round = 20
tree_method = exact
nthread = 1
base_score = 0.5
data = "$tmp/train.csv?format=csv&label_column=0"
model_out = "$tmp/model.json"
CONF
  /usr/bin/time -f "XGBoost command line (load + train + save): %e s wall, peak RSS %M KB" xgboost "$tmp/train.conf" 2>&1 >/dev/null | tail -1
  rm -rf "$tmp"
else
  echo "XGBoost command line: not installed (Debian package xgboost)"
fi
