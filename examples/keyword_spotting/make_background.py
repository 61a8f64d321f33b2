#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Background audio for the keyword spotter's false-alarm rate: minutes of speech that holds no
keyword (the corpus's unknown words, spoken by its test speakers, about one every 2.5 s at random
levels) over pink noise and mains hum whose levels drift. 16 kHz mono 16-bit; deterministic
(numpy's seeded generator). Every `heard` line kws_example prints on it is a false alarm.

With --keywords TRUTH.txt, one word in three is a keyword (again only test speakers), and
TRUTH.txt lists each as `WORD START_S END_S`: score_stream.py then counts the keywords heard, the
ones missed and the false alarms (the streaming test TensorFlow's speech_commands example runs).

Usage: make_background.py CORPUS_DIR OUT.wav [MINUTES] [--keywords TRUTH.txt]
       (CORPUS_DIR from make_speech.sh; 10 min)
"""
import sys
import wave

import numpy as np

KEYWORDS = {"yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"}


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == 16000 and w.getsampwidth() == 2 and w.getnchannels() == 1, path
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0


def main():
    args = sys.argv[1:]
    truth_path = None
    if "--keywords" in args:
        k = args.index("--keywords")
        truth_path = args[k + 1]
        del args[k:k + 2]
    corpus, out = args[0], args[1]
    minutes = float(args[2]) if len(args) > 2 else 10.0
    rng = np.random.default_rng(20261206 if truth_path is None else 20261207)
    clips, keyword_clips = [], []
    with open(f"{corpus}/manifest.txt") as m:
        for line in m:
            word, _speaker, split, path = line.split()
            if split == "test" and word not in KEYWORDS:
                clips.append(read_wav(f"{corpus}/{path}"))
            elif split == "test" and truth_path is not None:
                keyword_clips.append((word, read_wav(f"{corpus}/{path}")))
    n = int(minutes * 60 * 16000)
    x = np.zeros(n)
    # Pink noise (Voss-McCartney by filtering white noise) and hum, their levels drifting.
    white = rng.standard_normal(n)
    b = np.array([0.049922035, -0.095993537, 0.050612699, -0.004408786])
    a = np.array([1, -2.494956002, 2.017265875, -0.522189400])
    pink = np.zeros(n)
    for i in range(4, n):  # direct form: slow in Python for long inputs, so keep minutes modest
        pink[i] = b[0] * white[i] + b[1] * white[i - 1] + b[2] * white[i - 2] + b[3] * white[i - 3] \
            - a[1] * pink[i - 1] - a[2] * pink[i - 2] - a[3] * pink[i - 3]
    pink /= np.sqrt(np.mean(pink ** 2)) + 1e-12
    t = np.arange(n) / 16000
    level = 10 ** (rng.uniform(-3.0, -1.5) + 0.5 * np.sin(2 * np.pi * t / 47.0))
    hum = 0.003 * np.sin(2 * np.pi * 50 * t)
    x += level * pink + hum
    at = 0
    truth = []
    while True:
        at += int(rng.uniform(0.8, 4.2) * 16000)
        word = None
        if keyword_clips and rng.uniform() < 1 / 3:
            word, c = keyword_clips[rng.integers(len(keyword_clips))]
            # A keyword at least 1.5 s after the previous word: each is heard on its own.
            at += 16000
        else:
            c = clips[rng.integers(len(clips))]
        c = c * rng.uniform(0.2, 1.4)
        if at + len(c) >= n:
            break
        x[at:at + len(c)] += c
        if word is not None:
            # The spoken part: where the clip is above 2 % of its peak.
            loud = np.nonzero(np.abs(c) > 0.02 * np.max(np.abs(c)))[0]
            truth.append((word, (at + loud[0]) / 16000, (at + loud[-1]) / 16000))
            at += 16000
        at += len(c)
    pcm = np.clip(np.round(x * 32768), -32768, 32767).astype("<i2")
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(pcm.tobytes())
    if truth_path is not None:
        with open(truth_path, "w") as f:
            for word, start, end in truth:
                f.write(f"{word} {start:.3f} {end:.3f}\n")
    print(f"make_background.py: wrote {out} ({minutes:g} min, {len(clips)} unknown-word clips to draw from"
          + (f", {len(truth)} keywords listed in {truth_path})" if truth_path else ")"))


if __name__ == "__main__":
    main()
