#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctml-blob end to end: keygen, pack (the model's weights and self-test), inspect, sign, verify;
# refusals with their reasons (altered byte, truncated, wrong key, not newer, below the floor,
# another model); then a signed HMAC blob installed, booted and self-tested on a simulated
# device. Usage: ctml_blob_test.sh CTML_BLOB UPDATE_MAKE_INPUTS WORKDIR
set -euo pipefail
blob=$1 make=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
"$make" .
"$blob" keygen --ed25519 ed.sk ed.pk
"$blob" keygen --ed25519 other.sk other.pk
"$blob" keygen --hmac device.key
"$blob" pack weights.bin -o model.unsigned --version 7 --counter 3 --key-id 1 --cases 2 --inputs inputs.bin --outputs outputs.bin
"$blob" inspect model.unsigned | tee inspect.txt
grep -q "not signed yet" inspect.txt
grep -q "2 cases, 16 input bytes, 8 output bytes" inspect.txt
"$blob" sign model.unsigned -o model.ctup --ed25519 ed.sk
"$blob" verify model.ctup --ed25519-public ed.pk
expect_refusal() {  # expect_refusal "reason" command...
  local reason=$1; shift
  if out=$("$@" 2>&1); then echo "accepted, expected refusal ($reason): $*"; exit 1; fi
  grep -q "$reason" <<<"$out" || { echo "refused for another reason than '$reason': $out"; exit 1; }
  echo "refused as expected: $out"
}
expect_refusal "tag does not verify" "$blob" verify model.ctup --ed25519-public other.pk
cp model.ctup altered.ctup && printf '\x55' | dd of=altered.ctup bs=1 seek=100 conv=notrunc status=none
expect_refusal "tag does not verify" "$blob" verify altered.ctup --ed25519-public ed.pk
head -c 200 model.ctup >truncated.ctup
expect_refusal "truncated" "$blob" verify truncated.ctup --ed25519-public ed.pk
expect_refusal "not above" "$blob" verify model.ctup --ed25519-public ed.pk --running-version 7
expect_refusal "below the device" "$blob" verify model.ctup --ed25519-public ed.pk --floor 4
expect_refusal "another model" "$blob" verify model.ctup --ed25519-public ed.pk --fingerprint 1234
expect_refusal "packed for Ed25519" "$blob" sign model.unsigned -o x.ctup --hmac device.key
head -c 40 weights.bin >short.bin
expect_refusal "does not match the file" "$blob" pack short.bin -o x --version 1 --counter 1
# The device path: an HMAC-signed blob, installed and self-tested on a simulated device.
"$blob" pack weights.bin -o dev.unsigned --version 1 --counter 1 --key-id 9 --alg hmac --cases 2 --inputs inputs.bin --outputs outputs.bin
"$blob" sign dev.unsigned -o dev.ctup --hmac device.key
"$blob" verify dev.ctup --hmac device.key
"$make" --check dev.ctup device.key
echo "ctml-blob end to end: ok"
