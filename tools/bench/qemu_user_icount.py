#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Exact guest instruction counts of a program run by qemu-user (qemu-aarch64, ...).

Debian's qemu-user ships no TCG plugins, so this counts from QEMU's own logs instead:
  -d in_asm      every translated block, its guest instructions one per line ("0xPC:  insn"),
  -d exec        a "Trace" line each time a block runs, naming its guest PC,
  -d nochain     no direct jumps between blocks, so every execution is logged.
The count is the sum, over executed blocks, of the instructions of the block's latest
translation at that PC. The log is a temporary file (about 100 bytes per executed block).

  qemu_user_icount.py [--qemu qemu-aarch64] [--cpu cortex-a72] [--sysroot /usr/aarch64-linux-gnu]
                      -- PROGRAM [ARGS...]
prints "instructions=N" on stderr; the program's own output and exit code pass through.

Per-inference counts: run the program twice with two repetition counts and divide the
difference (start-up, dynamic loading and the final report cancel out).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

TRACE = re.compile(rb'^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/')
INSN = re.compile(rb'^0x([0-9a-f]+):\s')


def count(log):
    """Reads QEMU's in_asm + exec log from a binary stream; returns the instruction count."""
    sizes = {}          # block start PC -> instructions in its latest translation
    block_pc = None     # the block being listed by in_asm
    block_len = 0
    total = 0
    for line in log:
        if line.startswith(b'IN:'):
            block_pc, block_len = None, 0
            continue
        m = INSN.match(line)
        if m:
            if block_pc is None:
                block_pc = int(m.group(1), 16)
            block_len += 1
            continue
        if block_pc is not None and (line.strip() == b'' or line.startswith(b'---')):
            sizes[block_pc] = block_len
            block_pc, block_len = None, 0
            continue
        m = TRACE.match(line)
        if m:
            if block_pc is not None:  # a listing not yet closed by a blank line
                sizes[block_pc] = block_len
                block_pc, block_len = None, 0
            total += sizes.get(int(m.group(1), 16), 0)
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--qemu', default='qemu-aarch64')
    ap.add_argument('--cpu', default='cortex-a72')
    ap.add_argument('--sysroot', default='/usr/aarch64-linux-gnu')
    ap.add_argument('program', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    prog = a.program[1:] if a.program and a.program[0] == '--' else a.program
    if not prog:
        ap.error('no program given')
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, 'qemu.log')  # about 100 bytes per executed block
        rc = subprocess.call([a.qemu, '-L', a.sysroot, '-cpu', a.cpu, '-d', 'in_asm,exec,nochain', '-D', log, *prog])
        with open(log, 'rb') as f:
            result = {'n': count(f)}
    print(f'instructions={result.get("n", 0)}', file=sys.stderr)
    return rc


if __name__ == '__main__':
    sys.exit(main())
