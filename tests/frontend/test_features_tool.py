#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ctml-features end to end: --list, a WAV's features equal TFLite Micro's (the clip corpus's
.ref), and every kind of bad WAV refused with its reason, exit code 1 and no output file.
Usage: test_features_tool.py CTML_FEATURES CLIPS_DIR WORK_DIR"""
import pathlib
import struct
import subprocess
import sys

tool, clips, work = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
work.mkdir(parents=True, exist_ok=True)
failures = 0


def check(cond, what):
    global failures
    print(('ok   ' if cond else 'FAIL ') + what)
    failures += 0 if cond else 1


r = subprocess.run([tool, '--list'], capture_output=True, text=True)
check(r.returncode == 0 and 'micro_speech' in r.stdout and 'mlperf_kws' in r.stdout, '--list names micro_speech and mlperf_kws')

good = clips / 'tflm_yes_1000ms.wav'
if not good.exists():
    print('SKIPPED: no clip corpus at', clips)
    sys.exit(77)
out = work / 'yes.bin'
out.unlink(missing_ok=True)
r = subprocess.run([tool, 'micro_speech', str(good), '-o', str(out)], capture_output=True, text=True)
check(r.returncode == 0 and '49 frames x 40 features, int8' in r.stdout, 'yes_1000ms: 49 frames x 40 int8 reported')
check(out.exists() and out.read_bytes() == (clips / 'tflm_yes_1000ms.ref').read_bytes(), 'yes_1000ms: bytes equal TFLite Micro\'s')

data = good.read_bytes()
assert data[:4] == b'RIFF' and data[36:40] == b'data', 'expected a plain 44-byte header'


def patched(offset, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


bad = {
    'truncated': (data[:1000], 'truncated'),
    'header_only': (data[:30], 'runs past the end of the file'),
    'not_riff': (b'hello, this is not a wav file at all', "not a RIFF"),
    'empty_file': (b'', 'shorter than a WAV header'),
    'float_format': (patched(20, '<H', 3), 'not PCM'),
    'rate_8k': (patched(24, '<I', 8000), '8000 Hz'),
    'stereo': (patched(32, '<H', 4)[:22] + struct.pack('<H', 2) + patched(32, '<H', 4)[24:], 'channel'),
    'no_samples': (data[:40] + struct.pack('<I', 0), 'no samples'),
    'short_clip': (data[:40] + struct.pack('<I', 200) + data[44:244], 'shorter than one window'),
    'bits_12': (patched(34, '<H', 12), 'bits per sample'),
}
for name, (content, reason) in bad.items():
    path = work / f'{name}.wav'
    path.write_bytes(content)
    o = work / f'{name}.bin'
    o.unlink(missing_ok=True)
    r = subprocess.run([tool, 'micro_speech', str(path), '-o', str(o)], capture_output=True, text=True)
    check(r.returncode == 1 and 'refused' in r.stderr and reason in r.stderr and not o.exists(),
          f'{name}: refused ({r.stderr.strip()})')
# mlperf_kws: float32 MFCCs of a committed reference clip equal the numpy reference within 1e-4.
data_dir = pathlib.Path(__file__).resolve().parents[1] / 'data' / 'frontend'
pcm = (data_dir / 'mlperf_kws_chirp_noise.pcm').read_bytes()
ref = struct.unpack('<490f', (data_dir / 'mlperf_kws_chirp_noise.mfcc').read_bytes())
wav = work / 'chirp.wav'
wav.write_bytes(b'RIFF' + struct.pack('<I', 36 + len(pcm)) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, 1, 16000, 32000, 2, 16) +
                b'data' + struct.pack('<I', len(pcm)) + pcm)
o = work / 'chirp.bin'
r = subprocess.run([tool, 'mlperf_kws', str(wav), '-o', str(o)], capture_output=True, text=True)
got = struct.unpack('<490f', o.read_bytes()) if o.exists() and o.stat().st_size == 1960 else None
check(r.returncode == 0 and got is not None and max(abs(a - b) for a, b in zip(got, ref)) <= 1e-4,
      'mlperf_kws: 49 x 10 float32 MFCCs equal the numpy reference within 1e-4')
r = subprocess.run([tool, 'nonesuch', str(good), '-o', str(work / 'x.bin')], capture_output=True, text=True)
check(r.returncode != 0 and 'unknown front end' in r.stderr, 'unknown front end refused')
sys.exit(1 if failures else 0)
