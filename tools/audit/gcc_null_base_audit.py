#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Audit for the GCC pure-const / mod-ref miscompilation described in docs/compiler-notes.md.

Compiles each source with GCC's dumps of its late pure-const and mod/ref analyses and fails if a
function in which an analysis stopped at a null-based address ("NULL memory access; terminating
BB") either was declared pure/const or does not contain ctml's side-effect fence (the empty
volatile asm with a memory clobber, ctml::detail::side_effect_fence). Such a function is exactly
one whose stores GCC may not see; with the fence it cannot be misjudged, whatever the inlining.

usage: gcc_null_base_audit.py --compiler g++ [--flag F]... --dumps-under DIR SOURCE...
The dumps are the ones the build wrote beside each object of SOURCE (CMake adds the two dump
flags to the audited sources, cmake/CtmlTesting.cmake): every target that compiled it, with that
target's real flags, found under DIR; nothing is compiled here. The --flags (the build's) only
tell whether it optimizes.
Exit 0: clean; 1: findings (listed); 2: usage error, or no dumps; 77: the compiler is not GCC,
or the flags do not optimize.
"""
import argparse
import pathlib
import re
import subprocess
import sys

FENCE = '__asm__ __volatile__("" :  :  : "memory");'


def sections(text):
    return re.split(r'\n;; Function ', text)


def audit(dump_text, analysis):
    findings = []
    for sec in sections(dump_text):
        if 'NULL memory access' not in sec:
            continue
        name = sec.split('\n', 1)[0].split(' (')[0]
        if re.search(r'Function found to be (pure|const)', sec):
            findings.append(f'{analysis}: declared pure/const after a null-based access: {name}')
        elif FENCE not in sec:
            findings.append(f'{analysis}: null-based access without the side-effect fence: {name}')
    return findings


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--compiler', required=True)
    ap.add_argument('--flag', action='append', default=[])
    ap.add_argument('--dumps-under', required=True, help='the build tree holding the dumps')
    ap.add_argument('sources', nargs='+')
    a = ap.parse_args()
    version = subprocess.run([a.compiler, '--version'], capture_output=True, text=True).stdout
    if 'clang' in version or 'Free Software Foundation' not in version:
        print(f'SKIPPED: {a.compiler} is not GCC (the audit reads GCC dumps)')
        return 77
    # The last -O flag decides (GCC's rule). At -O0 GCC runs neither IVOPTs nor the late pure-const
    # and mod/ref passes, so the defect cannot occur and there are no dumps to read.
    levels = [f for f in a.flag if f.startswith('-O')]
    if not levels or levels[-1] == '-O0':
        print('SKIPPED: built without optimization (-O0): GCC runs neither IVOPTs nor its late pure-const '
              'analysis, so the defect cannot occur')
        return 77
    return report_build_dumps(pathlib.Path(a.dumps_under), a.sources)


def report_build_dumps(root, sources):
    """The dumps GCC wrote beside each object built from `sources` (object foo.cpp.o -> dumps
    foo.cpp.cpp.NNNt.local-pure-const2 and foo.cpp.cpp.NNNt.modref2 in its directory)."""
    total, audited = [], 0
    for src in sources:
        name = pathlib.Path(src).name
        objects = {}
        for analysis, pattern in (('pure-const', f'{name}.*t.local-pure-const2'), ('modref', f'{name}.*t.modref2')):
            for path in root.rglob(pattern):
                objects.setdefault(path.parent, []).append((analysis, path))
        if not objects:
            print(f'{src}: not built in this configuration (no dumps under {root})')
            continue
        for obj_dir, dumps in sorted(objects.items()):
            found, nulls = [], 0
            for analysis, path in dumps:
                text = path.read_text(errors='replace')
                nulls += text.count('NULL memory access')
                found += audit(text, analysis)
            where = obj_dir.relative_to(root) if obj_dir.is_relative_to(root) else obj_dir
            print(f'{src} ({where}): {nulls} null-based accesses seen by the analyses, {len(set(found))} unguarded')
            total += [f'  {src} ({where}): {f}' for f in sorted(set(found))]
            audited += 1
    if audited == 0:
        print(f'no dump files under {root}: build the audited targets first')
        return 2
    if total:
        print('FAILED: functions GCC may have miscompiled (docs/compiler-notes.md):')
        print('\n'.join(total))
        return 1
    print(f'ok: {audited} objects, every function with a null-based access carries the side-effect fence')
    return 0


if __name__ == '__main__':
    sys.exit(main())
