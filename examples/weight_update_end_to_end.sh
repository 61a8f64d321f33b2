#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A field update end to end with the host tool, as docs/updates.md shows it: the vendor exports the
# two models' weights and self-tests (weight_update --export), packs and signs them with ctml-blob
# (Ed25519, then HMAC), and a simulated device provisioned with the factory model receives them
# (weight_update --device). Checked: the update is installed, self-tested and confirmed (accuracy
# 206/271 -> 261/271); a blob signed with another key, an altered one and the factory blob replayed
# after the update are refused with their reasons.
# Usage: weight_update_end_to_end.sh CTML_BLOB WEIGHT_UPDATE WORKDIR
set -euo pipefail
blob=$1 device=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

# The vendor: keys, the models' weights and self-tests, blobs.
"$blob" keygen --ed25519 vendor.sk vendor.pk
"$blob" keygen --ed25519 intruder.sk intruder.pk
mkdir -p out && "$device" --export out
pack() {  # pack NAME WEIGHTS OUTPUTS VERSION [ALG]
  "$blob" pack "out/$2" -o "$1.unsigned" --version "$4" --counter "$4" --alg "${5:-ed25519}" \
    --cases 8 --inputs out/inputs.bin --outputs "out/$3"
}
pack factory factory.bin factory_outputs.bin 1
pack update update.bin update_outputs.bin 2
"$blob" sign factory.unsigned -o factory.ctup --ed25519 vendor.sk
"$blob" sign update.unsigned -o update.ctup --ed25519 vendor.sk
"$blob" sign update.unsigned -o forged.ctup --ed25519 intruder.sk
cp update.ctup altered.ctup && printf '\x01' | dd of=altered.ctup bs=1 seek=2000 conv=notrunc status=none
"$blob" inspect update.ctup

# The device: provisioned with the factory model, then the blobs in this order.
"$device" --device factory.ctup forged.ctup altered.ctup update.ctup factory.ctup --ed25519-public vendor.pk | tee device.txt
expect() { grep -qF -- "$1" device.txt || { echo "missing: $1"; exit 1; }; }
expect "factory model: version 1, accuracy 206/271"
expect "forged.ctup: refused (the tag does not verify"
expect "altered.ctup: refused (the tag does not verify"
expect "update.ctup: accepted"
expect "running: version 2, accuracy 261/271 (self-test passed, confirmed)"
expect "factory.ctup: refused (security counter below the device's floor"

# The same with HMAC-SHA256 and a provisioned device key (what a part without public-key crypto uses).
"$blob" keygen --hmac device.key
pack hfactory factory.bin factory_outputs.bin 1 hmac
pack hupdate update.bin update_outputs.bin 2 hmac
# A signed blob whose golden outputs are not its weights' (the factory model's outputs): reverted.
pack hbroken update.bin factory_outputs.bin 3 hmac
for b in hfactory hupdate hbroken; do "$blob" sign "$b.unsigned" -o "$b.ctup" --hmac device.key; done
"$device" --device hfactory.ctup hupdate.ctup hbroken.ctup --hmac device.key | tee device.txt
expect "running: version 2, accuracy 261/271 (self-test passed, confirmed)"
expect "hbroken.ctup: accepted"
expect "running: version 2, accuracy 261/271 (self-test failed, reverted)"
echo "weight update end to end: ok"
