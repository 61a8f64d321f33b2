#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CI's smoke run of the keyword spotter's training path (CI never retrains the shipped models):
# a corpus of 8 synthetic speakers (make_speech.sh), one epoch of each step of kws_train (the
# model, the distilled student with its labels-only baseline, pruning and fine-tuning, the GRU
# and DS-CNN variants, int8 of each), and the four model headers written. Accuracy is not checked (one
# epoch on 2 training speakers); that every step runs and writes is.
# Usage: smoke_train.sh KWS_TRAIN WORKDIR   (exit 77, skipped, without espeak-ng or sox: make_speech.sh)
set -euo pipefail
kws_train=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir"
"$here/make_speech.sh" "$dir/corpus" 8 >/dev/null
"$kws_train" "$dir/corpus" --epochs 1 --student-epochs 1 --baseline --gru-epochs 1 --dscnn-epochs 1 \
  --write "$dir/kws_model.hpp" --write-student "$dir/kws_small_model.hpp" --write-gru "$dir/kws_gru_model.hpp" \
  --write-dscnn "$dir/kws_dscnn_model.hpp" | tee "$dir/out.txt"
for row in "teacher, int8" "student, labels only" "student, distilled" "pruned, fine-tuned" "pruned, int8" "GRU(64), int8" "DS-CNN, int8"; do
  grep -qF "| $row |" "$dir/out.txt" || { echo "kws_train printed no '$row' row"; exit 1; }
done
for h in kws_model kws_small_model kws_gru_model kws_dscnn_model; do
  grep -q 'inline constexpr unsigned char qblob\[' "$dir/$h.hpp" || { echo "$h.hpp holds no weight blob"; exit 1; }
done
echo "kws_train smoke run: ok"
