#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reference features of MLPerf Tiny's keyword-spotting front end, in numpy (float64).

The features MLPerf Tiny's KWS DS-CNN was trained with (mlcommons/tiny,
benchmark/training/keyword_spotting/get_dataset.py, feature_type 'mfcc'), written out from the
definitions of the tf.signal functions it calls:
  x = clip / max(clip)                          (the clip's largest sample becomes 1.0)
  frames: 480 samples (30 ms) every 320 (20 ms), no padding: 49 frames of a 1 s clip
  stft = rfft(frame * hann_periodic(480), 512)  (tf.signal.stft, fft_length=None -> 512)
  spec = |stft|                                 (257 bins)
  mel  = spec @ W, W = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20, 4000):
         HTK mel m(f) = 1127 ln(1 + f / 700); band edges linspace(m(20), m(4000), 42);
         bin k at f_k = linspace(0, 8000, 257)[k]; weight = max(0, min(lower, upper slope));
         the DC bin's row is zero
  logm = ln(mel + 1e-6)
  mfcc = dct2(logm)[:10] / sqrt(2 * 40), dct2(x)[k] = 2 sum_n x[n] cos(pi k (2n + 1) / 80)
         (tf.signal.mfccs_from_log_mel_spectrograms)
  int8 = int8(mfcc / 0.584703 + 83), truncated toward zero (make_bin_files.py: np.array(...,
         dtype=np.int8)); values outside [-128, 127] saturate here (numpy would wrap)
Clips (16 kHz int16, 1 s, deterministic): a chirp with noise, tones with an envelope, pink-ish
noise, a near-silent clip, and three spoken keywords of MLPerf Tiny's vocabulary ("yes", "left",
"stop") synthesized by espeak-ng in three voices, resampled to 16 kHz by sox, centred in 1 s
with a noise floor 60 dB down (regenerating needs espeak-ng and sox). Writes NAME.pcm (int16 LE), NAME.mfcc (float32, 49 x 10) and
NAME.int8 (49 x 10) next to this script.
Run: /usr/bin/python3 tests/data/frontend/gen_mlperf_kws.py
"""
import pathlib
import subprocess
import tempfile
import wave

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent
SR, WIN, HOP, NFFT, MELS, LO, HI, NDCT = 16000, 480, 320, 512, 40, 20.0, 4000.0, 10
SCALE, ZP = np.float32(0.584703), 83


def hz_to_mel(f):
    return 1127.0 * np.log1p(np.asarray(f, dtype=np.float64) / 700.0)


def mel_matrix():
    bins = NFFT // 2 + 1
    freqs = np.linspace(0.0, SR / 2.0, bins)[1:]
    m = hz_to_mel(freqs)[:, None]
    edges = np.linspace(hz_to_mel(LO), hz_to_mel(HI), MELS + 2)
    lower, center, upper = edges[:-2][None, :], edges[1:-1][None, :], edges[2:][None, :]
    lower_slopes = (m - lower) / (center - lower)
    upper_slopes = (upper - m) / (upper - center)
    w = np.maximum(0.0, np.minimum(lower_slopes, upper_slopes))
    return np.vstack([np.zeros((1, MELS)), w])


def features(clip):
    x = clip.astype(np.float64)
    x = x / np.max(x)
    n_frames = 1 + (len(x) - WIN) // HOP
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(WIN) / WIN)
    frames = np.stack([x[i * HOP:i * HOP + WIN] * window for i in range(n_frames)])
    spec = np.abs(np.fft.rfft(frames, NFFT))
    logm = np.log(spec @ mel_matrix() + 1e-6)
    n = np.arange(MELS)
    dct = np.stack([2.0 * np.cos(np.pi * k * (2 * n + 1) / (2 * MELS)) for k in range(NDCT)])  # [10, 40]
    mfcc = (logm @ dct.T) / np.sqrt(2.0 * MELS)
    q = np.clip(np.trunc(mfcc / np.float64(SCALE) + ZP), -128, 127).astype(np.int8)
    return mfcc, q


def spoken(word, voice, speed):
    """One word from espeak-ng at 16 kHz (sox), float in [-1, 1], centred in SR samples."""
    with tempfile.TemporaryDirectory() as d:
        raw, wav = pathlib.Path(d) / 'raw.wav', pathlib.Path(d) / 'word.wav'
        subprocess.run(['espeak-ng', '-v', voice, '-s', str(speed), '-w', str(raw), word], check=True)
        subprocess.run(['sox', str(raw), '-r', str(SR), '-c', '1', '-b', '16', str(wav)], check=True)
        with wave.open(str(wav), 'rb') as f:
            x = np.frombuffer(f.readframes(f.getnframes()), dtype='<i2').astype(np.float64) / 32768.0
    x = x[:SR]
    clip = np.zeros(SR)
    start = (SR - len(x)) // 2
    clip[start:start + len(x)] = x
    return clip


def clips():
    rng = np.random.default_rng(20261205)
    t = np.arange(SR) / SR
    out = {}
    chirp = 0.5 * np.sin(2 * np.pi * (100 * t + 1900 * t * t)) + 0.05 * rng.standard_normal(SR)
    out['chirp_noise'] = chirp
    env = np.exp(-((t - 0.5) ** 2) / 0.02)
    # A noise floor 60 dB down, as any microphone has: pure tones alone leave most mel bands at
    # float32's rounding floor, where ln(mel + 1e-6) magnifies float32 FFT rounding (~1e-7 of the
    # frame's peak) beyond 1e-4 (TF's own float32 pipeline would differ from float64 there too).
    out['tones_envelope'] = env * (0.6 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 1250 * t) +
                                   0.1 * np.sin(2 * np.pi * 3100 * t)) + 0.001 * rng.standard_normal(SR)
    white = rng.standard_normal(SR)
    out['pinkish_noise'] = np.cumsum(white) * 0.01 - np.convolve(np.cumsum(white) * 0.01, np.ones(64) / 64, 'same')
    out['near_silence'] = 0.0005 * rng.standard_normal(SR) + 0.0003
    for word, voice, speed in (('yes', 'en-us', 150), ('left', 'en-gb', 170), ('stop', 'en-us+f3', 140)):
        out[f'speech_{word}'] = spoken(word, voice, speed) + 0.001 * rng.standard_normal(SR)
    res = {}
    for name, v in out.items():
        v = v / np.max(np.abs(v)) * 0.8 * 32767
        res[name] = np.round(v).astype(np.int16)
    return res


def main():
    for name, clip in clips().items():
        mfcc, q = features(clip)
        assert mfcc.shape == (49, NDCT)
        (OUT / f'mlperf_kws_{name}.pcm').write_bytes(clip.astype('<i2').tobytes())
        (OUT / f'mlperf_kws_{name}.mfcc').write_bytes(mfcc.astype('<f4').tobytes())
        (OUT / f'mlperf_kws_{name}.int8').write_bytes(q.tobytes())
        print(name, 'mfcc range', float(mfcc.min()), float(mfcc.max()), 'int8 range', int(q.min()), int(q.max()))


if __name__ == '__main__':
    main()
