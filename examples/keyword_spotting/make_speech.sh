#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Synthesizes the keyword-spotting corpus with Debian's espeak-ng and sox (nothing downloaded):
# every word of words.txt spoken by many synthetic speakers (English accents x espeak-ng voice
# variants, each with its own speed and pitch), as 16 kHz mono 16-bit WAVs, and a manifest
# (word, speaker, split, file). Speakers, not clips, are split 70/15/15 into train / validation /
# test, so the test speakers are never heard in training. Noise, gain and time shift are added
# by the trainer (deterministically), not here. Deterministic: the same files on every run.
# Usage: make_speech.sh OUT_DIR [SPEAKERS]   (default 200 speakers)
set -euo pipefail
out=$1
speakers=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
# Without espeak-ng or sox: a message and exit status 77, which the CTest scripts that synthesize
# a corpus (smoke_train.sh, check_accuracy.sh) pass on as "skipped".
command -v espeak-ng >/dev/null || { echo "SKIPPED: make_speech.sh needs espeak-ng (apt-get install espeak-ng)" >&2; exit 77; }
command -v sox >/dev/null || { echo "SKIPPED: make_speech.sh needs sox (apt-get install sox)" >&2; exit 77; }
mkdir -p "$out/wav"
accents=(en-us en-gb en-gb-scotland en-gb-x-gbclan en-gb-x-rp en-gb-x-gbcwmd en-029)
mapfile -t variants < <(espeak-ng --voices=variant | awk 'NR > 1 {print $5}' | sed 's#!v/##' | grep -viE 'whisper|croak|demonic|robo|storm|tweaky|announce|anxious' | sort)
mapfile -t words < <(grep -v '^#' "$here/words.txt" | awk 'NF {print $1}')
manifest="$out/manifest.txt"
: >"$manifest"
n=0
for ((s = 0; s < speakers; ++s)); do
  # A speaker: an accent, a variant, a speed (words per minute) and a pitch, from its number.
  h=$(( (s * 2654435761) % 4294967296 ))
  accent=${accents[$(( s % ${#accents[@]} ))]}
  variant=${variants[$(( (h >> 8) % ${#variants[@]} ))]}
  speed=$(( 120 + (h >> 16) % 90 ))
  pitch=$(( 25 + (h >> 4) % 60 ))
  case $(( s % 20 )) in 0|1|2) split=validation ;; 3|4|5) split=test ;; *) split=train ;; esac
  for w in "${words[@]}"; do
    f="wav/${w}_${s}.wav"
    espeak-ng -v "${accent}+${variant}" -s "$speed" -p "$pitch" --stdout "$w" | sox -q -D -V1 -t wav - -r 16000 -c 1 -b 16 "$out/$f" gain -3
    echo "$w $s $split $f" >>"$manifest"
    n=$((n + 1))
  done
  if (( (s + 1) % 20 == 0 )); then echo "make_speech.sh: $((s + 1))/$speakers speakers, $n clips"; fi
done
echo "make_speech.sh: $n clips of ${#words[@]} words by $speakers speakers in $out (manifest.txt)"
