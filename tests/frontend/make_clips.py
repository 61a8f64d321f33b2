#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Audio clips for the front-end tests, with TensorFlow Lite Micro's own features for each.

Usage: make_clips.py --tflm TFLM_RUN --preprocessor audio_preprocessor_int8.tflite --out DIR [--wav NAME=FILE]...

Makes 16 kHz mono 16-bit WAVs (speech synthesized by espeak-ng with several voices, speeds and
pitches; white/pink/brown noise; silence; pure tones and a sweep; clipped speech; speech over
noise; a 3 s stream), then runs TFLM's audio preprocessor on each one window at a time with its
state carried over (`tflm-run --stream --hop 640`) and writes NAME.wav and NAME.ref (int8, 40 per
frame). DIR/clips.txt lists the names. Deterministic: sox runs in repeatable mode (-R).
"""
import argparse
import os
import pathlib
import subprocess
import sys
import wave

WORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'stop', 'go', 'seven', 'marvin']
VOICES = [('en', 175, 50), ('en-us', 140, 35), ('en+f3', 200, 70), ('en+m3', 120, 40), ('en-gb', 160, 60)]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True)
    if r.returncode != 0:
        sys.exit(f'make_clips: {" ".join(map(str, cmd))} failed: {r.stderr.decode(errors="replace")}')
    return r


def to_16k(src, dst, extra=()):
    # 16 kHz mono 16-bit, padded / cut to 1 s, then any extra effects.
    run(['sox', '-R', '-V1', str(src), '-r', '16000', '-c', '1', '-b', '16', str(dst), 'pad', '0.15', '1', 'trim', '0', '1', *extra])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tflm', required=True)
    ap.add_argument('--preprocessor', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--wav', action='append', default=[], help='NAME=FILE.wav: also run an existing 16 kHz WAV')
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    names = []
    tmp = out / 'tmp.wav'
    for i, word in enumerate(WORDS):
        voice, speed, pitch = VOICES[i % len(VOICES)]
        run(['espeak-ng', '-v', voice, '-s', str(speed), '-p', str(pitch), '-w', str(tmp), word])
        name = f'speech_{word}_{voice.replace("+", "_")}'
        to_16k(tmp, out / f'{name}.wav', ['gain', '-n', '-3'])
        names.append(name)
    run(['espeak-ng', '-v', 'en', '-w', str(tmp), 'go'])
    to_16k(tmp, out / 'clipped_go.wav', ['gain', '18'])  # deliberately clipped
    names.append('clipped_go')
    run(['espeak-ng', '-v', 'en-us', '-s', '150', '-w', str(tmp), 'no'])
    to_16k(tmp, out / 'quiet_no.wav', ['gain', '-n', '-40'])
    names.append('quiet_no')
    for kind in ['whitenoise', 'pinknoise', 'brownnoise']:
        run(['sox', '-R', '-V1', '-n', '-r', '16000', '-c', '1', '-b', '16', str(out / f'{kind}.wav'), 'synth', '1', kind, 'vol', '0.3'])
        names.append(kind)
    run(['sox', '-R', '-V1', '-n', '-r', '16000', '-c', '1', '-b', '16', str(out / 'silence.wav'), 'trim', '0', '1'])
    names.append('silence')
    for f in [440, 1000, 3000, 7000]:
        run(['sox', '-R', '-V1', '-n', '-r', '16000', '-c', '1', '-b', '16', str(out / f'tone_{f}.wav'), 'synth', '1', 'sine', str(f), 'vol', '0.5'])
        names.append(f'tone_{f}')
    run(['sox', '-R', '-V1', '-n', '-r', '16000', '-c', '1', '-b', '16', str(out / 'sweep.wav'), 'synth', '1', 'sine', '100-7900'])
    names.append('sweep')
    run(['sox', '-R', '-V1', '-n', '-r', '16000', '-c', '1', '-b', '16', str(out / 'square_full_scale.wav'), 'synth', '1', 'square', '300', 'vol', '1'])
    names.append('square_full_scale')
    run(['sox', '-R', '-V1', '-n', '-r', '16000', '-c', '1', '-b', '16', str(out / 'noise_bed.wav'), 'synth', '1', 'pinknoise', 'vol', '0.05'])
    run(['sox', '-R', '-V1', '-m', str(out / f'{names[0]}.wav'), str(out / 'noise_bed.wav'), str(out / 'yes_over_noise.wav')])
    names.append('yes_over_noise')
    # A 3 s stream: noise, then words, then silence; the noise estimate carries across 148 frames.
    run(['sox', '-R', '-V1', str(out / 'pinknoise.wav'), str(out / f'{names[4]}.wav'), str(out / f'{names[6]}.wav'),
         str(out / 'silence.wav'), str(out / 'stream_3s.wav')])
    names.append('stream_3s')
    for spec in a.wav:
        name, _, path = spec.partition('=')
        (out / f'{name}.wav').write_bytes(pathlib.Path(path).read_bytes())
        names.append(name)
    (out / 'noise_bed.wav').unlink()
    tmp.unlink(missing_ok=True)
    for name in names:
        with wave.open(str(out / f'{name}.wav')) as w:
            assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2, name
            pcm = w.readframes(w.getnframes())
        (out / f'{name}.pcm').write_bytes(pcm)
        run([a.tflm, a.preprocessor, '--stream', str(out / f'{name}.pcm'), '--hop', '640', '--out', str(out / f'{name}.ref'),
             '--quiet'])
        (out / f'{name}.pcm').unlink()
    (out / 'clips.txt').write_text('\n'.join(names) + '\n')
    print(f'make_clips: {len(names)} clips in {out}')


if __name__ == '__main__':
    main()
