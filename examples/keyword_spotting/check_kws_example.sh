#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kws_example's interface: on the bundled clip it hears "yes", "stop" and "go", in that order and
# nothing else, each line as `heard WORD at T.TTs (score P.PP)`, then one summary line; a WAV it
# cannot use (truncated, another sample rate, not a WAV, missing) gets one line saying why and
# exit status 1. The detection lines of the shipped model, the small one (--small) and the GRU
# and DS-CNN variants (--gru, --dscnn) are exactly data/clip_detections.txt and
# clip_detections_{small,gru,dscnn}.txt, which the Cortex-M firmware (fw_kws) must print too. --svg writes the picture.
# Usage: check_kws_example.sh KWS_EXAMPLE CLIP.wav WORKDIR
set -euo pipefail
kws=$1 clip=$2 dir=$3
data=$(cd "$(dirname "$clip")" && pwd)
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
"$kws" --svg . | tee out.txt
grep -E '^heard ' out.txt | awk '{print $2}' | tr '\n' ' ' | grep -qx 'yes stop go ' || { echo "expected: heard yes, stop, go"; exit 1; }
grep -E '^heard ' out.txt | diff - "$data/clip_detections.txt" || { echo "the detections differ from $data/clip_detections.txt"; exit 1; }
grep -q '</svg>' kws_clip.svg || { echo "no picture written"; exit 1; }
"$kws" --small | grep -E '^heard ' | diff - "$data/clip_detections_small.txt" || { echo "the small model's detections differ from $data/clip_detections_small.txt"; exit 1; }
"$kws" --gru | grep -E '^heard ' | diff - "$data/clip_detections_gru.txt" || { echo "the GRU variant's detections differ from $data/clip_detections_gru.txt"; exit 1; }
"$kws" --dscnn | grep -E '^heard ' | diff - "$data/clip_detections_dscnn.txt" || { echo "the DS-CNN variant's detections differ from $data/clip_detections_dscnn.txt"; exit 1; }
grep -Eq '^heard [a-z]+ at [0-9]+\.[0-9]{2}s \(score [01]\.[0-9]{2}\)$' out.txt || { echo "detection lines not in the documented format"; exit 1; }
[ "$(grep -vc '^heard ' out.txt)" = 1 ] || { echo "expected exactly one summary line"; exit 1; }
refused() {  # refused FILE WHY
  if out=$("$kws" "$1"); then echo "accepted $1, expected a refusal"; exit 1; fi
  [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { echo "more than one line for $1: $out"; exit 1; }
  grep -q "$2" <<<"$out" || { echo "refused $1 for another reason: $out"; exit 1; }
  echo "refused as expected: $out"
}
head -c 30000 "$clip" >truncated.wav
refused truncated.wav "truncated"
cp "$clip" rate.wav && printf '\x44\xac\x00\x00' | dd of=rate.wav bs=1 seek=24 conv=notrunc status=none  # 44100 Hz
refused rate.wav "16 kHz"
printf 'not a wav file at all, just text' >text.wav
refused text.wav "RIFF"
refused missing.wav "cannot open"
echo "kws_example interface: ok"
