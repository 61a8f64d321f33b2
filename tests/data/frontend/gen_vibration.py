#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reference features of frontend/vibration.hpp, in numpy (float64).

Per axis of a 3-axis window (1024 samples at 1 kHz, hop 512):
  mean, rms, std (ddof 0), skewness m3/m2^1.5, excess kurtosis m4/m2^2 - 3 (scipy.stats, bias=True),
  crest factor max|x|/rms, zero-crossing rate (sign changes / (n - 1), x >= 0 positive);
  Welch PSD as scipy.signal.welch(x, 1000, 'hann', nperseg=256, noverlap=128, detrend='constant',
  scaling='density'): segments every 128, each mean-removed, times the periodic Hann window,
  |rfft|^2 / (fs sum w^2), bins 1..127 doubled, averaged;
  energies in 4 equal bands of [0, 500] Hz (sum psd * fs / 256; the last band includes 500 Hz);
  the frequencies of the 2 largest local maxima of the PSD.
Signals (deterministic): a machine with a 50 Hz shaft line, a 157 Hz bearing tone with periodic
impacts and noise, on three axes with different mixes; and a walking-like motion signal.
Writes vibration_NAME.f32 (interleaved x y z, float32) and vibration_NAME.feat (float32,
windows x 3 x 13). Run: /usr/bin/python3 tests/data/frontend/gen_vibration.py
"""
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent
FS, WIN, HOP, SEG, OVL, BANDS, PEAKS = 1000.0, 1024, 512, 256, 128, 4, 2


def welch(x):
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(SEG) / SEG)
    step = SEG - OVL
    n = (len(x) - OVL) // step
    acc = np.zeros(SEG // 2 + 1)
    for s in range(n):
        seg = x[s * step:s * step + SEG]
        seg = (seg - seg.mean()) * w
        acc += np.abs(np.fft.rfft(seg)) ** 2
    psd = acc / (FS * (w * w).sum() * n)
    psd[1:-1] *= 2
    return psd


def features(x):
    out = []
    for a in range(3):
        v = x[:, a].astype(np.float64)
        mean = v.mean()
        d = v - mean
        m2, m3, m4 = (d ** 2).mean(), (d ** 3).mean(), (d ** 4).mean()
        rms = np.sqrt((v ** 2).mean())
        skew = m3 / m2 ** 1.5 if m2 > 0 else 0.0
        kurt = m4 / m2 ** 2 - 3 if m2 > 0 else 0.0
        crest = np.abs(v).max() / rms if rms > 0 else 0.0
        pos = v >= 0
        zcr = np.count_nonzero(pos[1:] != pos[:-1]) / (len(v) - 1)
        psd = welch(v)
        f = np.arange(len(psd)) * FS / SEG
        bands = []
        bw = FS / 2 / BANDS
        for b in range(BANDS):
            hi = FS if b == BANDS - 1 else bw * (b + 1)
            bands.append(psd[(f >= bw * b) & (f < hi)].sum() * FS / SEG)
        peaks = [k for k in range(1, len(psd) - 1) if psd[k] > psd[k - 1] and psd[k] > psd[k + 1]]
        peaks.sort(key=lambda k: (-psd[k], k))
        pf = [peaks[j] * FS / SEG if j < len(peaks) else 0.0 for j in range(PEAKS)]
        out += [mean, rms, np.sqrt(m2), skew, kurt, crest, zcr] + bands + pf
    return out


def signals():
    rng = np.random.default_rng(4242)
    n = 4096
    t = np.arange(n) / FS
    shaft = np.sin(2 * np.pi * 50 * t)
    bearing = 0.4 * np.sin(2 * np.pi * 157 * t)
    impacts = np.zeros(n)
    impacts[::97] = 3.0
    impacts = np.convolve(impacts, np.exp(-np.arange(20) / 3.0) * np.sin(2 * np.pi * 320 * np.arange(20) / FS), 'same')
    machine = np.stack([shaft + bearing + impacts + 0.1 * rng.standard_normal(n),
                        0.5 * shaft + 0.8 * impacts + 0.1 * rng.standard_normal(n) + 0.2,
                        0.2 * shaft + 2.0 * bearing + 0.05 * rng.standard_normal(n) - 9.81], axis=1)
    step = 2 * np.pi * 1.8 * t
    walking = np.stack([0.8 * np.sin(step) + 0.3 * np.sin(2 * step) + 0.05 * rng.standard_normal(n),
                        0.4 * np.sin(step + 1.0) + 0.05 * rng.standard_normal(n),
                        9.81 + 1.5 * np.abs(np.sin(step)) + 0.1 * rng.standard_normal(n)], axis=1)
    return {'machine': machine.astype(np.float32), 'walking': walking.astype(np.float32)}


def main():
    for name, x in signals().items():
        rows = [features(x[s:s + WIN]) for s in range(0, len(x) - WIN + 1, HOP)]
        (OUT / f'vibration_{name}.f32').write_bytes(x.astype('<f4').tobytes())
        (OUT / f'vibration_{name}.feat').write_bytes(np.array(rows, dtype='<f4').tobytes())
        print(name, len(rows), 'windows x', len(rows[0]), 'features')


if __name__ == '__main__':
    main()
