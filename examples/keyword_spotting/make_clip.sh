#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The clip kws_example plays when given no file (examples/keyword_spotting/data/clip.wav): a
# synthetic voice of its own (accent, variant, speed and pitch: not one of make_speech.sh's
# speakers) says "yes", "stop" and "go" with pauses, over faint pink noise; 16 kHz mono 16-bit.
# Deterministic (espeak-ng, and sox in repeatable mode without dither).
# Usage: make_clip.sh OUT.wav
set -euo pipefail
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say() {  # say WORD FILE
  espeak-ng -v en-gb-x-rp+m3 -s 160 -p 50 --stdout "$1" | sox -q -D -V1 -t wav - -r 16000 -c 1 -b 16 "$2" gain -3
}
sox -q -D -V1 -n -r 16000 -c 1 -b 16 "$tmp/gap.wav" trim 0 0.8
say yes "$tmp/w1.wav"
say stop "$tmp/w2.wav"
say go "$tmp/w3.wav"
sox -q -D -V1 "$tmp/gap.wav" "$tmp/w1.wav" "$tmp/gap.wav" "$tmp/w2.wav" "$tmp/gap.wav" "$tmp/w3.wav" "$tmp/gap.wav" "$tmp/speech.wav"
len=$(soxi -D "$tmp/speech.wav")
sox -q -D -V1 -R -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth "$len" pinknoise vol 0.01
sox -q -D -V1 -m "$tmp/speech.wav" "$tmp/noise.wav" -b 16 "$out"
echo "make_clip.sh: wrote $out ($(soxi -D "$out") s)"
