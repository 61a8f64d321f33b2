#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Unpacks Debian's arm64 XNNPACK (with pthreadpool and cpuinfo) into a directory, for the
# same-emulator comparison of issue 22, item 5 (tools/bench/peer_repeat.cpp, docs/performance.md,
# "Raspberry Pi class"). The packages are downloaded and extracted, not installed: Debian's
# libcpuinfo-dev is not co-installable for two architectures (both ship the same cmake file), and
# a benchmark peer has no business in the system's package set.
#
# Usage: tools/bench/arm64_peers.sh DIR
#   then link with -IDIR/usr/include -LDIR/usr/lib/aarch64-linux-gnu -lXNNPACK -lpthreadpool -lcpuinfo
#   and run with QEMU_SET_ENV=LD_LIBRARY_PATH=DIR/usr/lib/aarch64-linux-gnu (or -E for qemu-aarch64).
# Needs root (or sudo) once, to register arm64 as a foreign architecture and update the lists.
set -euo pipefail
if (($# != 1)); then
  sed -n '3,13p' "$0"
  exit 2
fi
dir=$(realpath -m "$1")
sudo_cmd=()
if ((EUID != 0)); then
  command -v sudo > /dev/null || { echo "arm64_peers: needs root or sudo to add the arm64 architecture" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  "${sudo_cmd[@]}" dpkg --add-architecture arm64
  "${sudo_cmd[@]}" apt-get update -qq
fi
packages=(libxnnpack0 libxnnpack-dev libpthreadpool0 libpthreadpool-dev libcpuinfo0 libcpuinfo-dev)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
(cd "$tmp" && apt-get download -q "${packages[@]/%/:arm64}" 2> >(grep -v "unsandboxed" >&2))
mkdir -p "$dir"
for deb in "$tmp"/*.deb; do
  dpkg -x "$deb" "$dir"
done
lib="$dir/usr/lib/aarch64-linux-gnu"
for l in libXNNPACK libpthreadpool libcpuinfo; do
  [[ -e "$lib/$l.so" ]] || { echo "arm64_peers: $lib/$l.so missing after unpacking" >&2; exit 1; }
done
echo "arm64_peers: XNNPACK for arm64 in $dir ($(dpkg-deb -f "$tmp"/libxnnpack0_*.deb Version))"
