#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scores a keyword spotter on a long stream, as TensorFlow's speech_commands streaming test
does: TRUTH.txt (make_background.py --keywords) lists every keyword spoken, `WORD START_S END_S`;
DETECTIONS is kws_example's output on that WAV (`heard WORD at T.TTs (score P.PP)` lines). A
detection at time t belongs to the spoken keyword whose [start, end + 1.0 s] holds t (the
spotter reports once it has heard enough of the word; its averaging adds up to 0.5 s): the
right word is a hit, another word a wrong one; a detection that belongs to no keyword is a false
alarm, and a keyword with no detection is missed.

Usage: score_stream.py TRUTH.txt DETECTIONS.txt MINUTES
Prints one line: keywords, hit %, wrong %, missed %, false alarms per hour.
"""
import re
import sys


def main():
    truth_path, det_path, minutes = sys.argv[1], sys.argv[2], float(sys.argv[3])
    truth = []
    with open(truth_path) as f:
        for line in f:
            word, start, end = line.split()
            truth.append([word, float(start), float(end), None])
    detections = []
    with open(det_path) as f:
        for line in f:
            m = re.match(r"heard (\S+) at ([0-9.]+)s \(score ([0-9.]+)\)$", line.strip())
            if m:
                detections.append((m.group(1), float(m.group(2))))
    false_alarms = 0
    for word, t in detections:
        owner = next((k for k in truth if k[1] <= t <= k[2] + 1.0 and k[3] is None), None)
        if owner is None:
            false_alarms += 1
        else:
            owner[3] = word
    n = len(truth)
    hits = sum(1 for k in truth if k[3] == k[0])
    wrong = sum(1 for k in truth if k[3] is not None and k[3] != k[0])
    missed = n - hits - wrong
    print(f"{n} keywords: {100 * hits / n:.1f} % heard, {100 * wrong / n:.1f} % heard as another word, "
          f"{100 * missed / n:.1f} % missed; {false_alarms} false alarms in {minutes:g} min "
          f"({false_alarms * 60 / minutes:.1f} per hour)")


if __name__ == "__main__":
    main()
