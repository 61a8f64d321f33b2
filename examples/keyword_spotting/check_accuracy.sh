#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The shipped keyword models' accuracy in CI, which has no time to synthesize the full corpus: 80
# synthetic speakers (make_speech.sh; the same voices as the first 80 of the full corpus, so its
# 12 test speakers are test speakers there too, never heard in training), then `kws_train --check`:
# each shipped int8 model on the test split must reach its floor (kws_train.cpp).
# Usage: check_accuracy.sh KWS_TRAIN WORKDIR   (exit 77, skipped, without espeak-ng or sox: make_speech.sh)
set -euo pipefail
kws_train=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir"
"$here/make_speech.sh" "$dir/corpus" 80 | tail -1
"$kws_train" "$dir/corpus" --check
