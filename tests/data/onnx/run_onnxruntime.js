#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// ONNX Runtime's outputs for a model's test inputs: the oracle for the QDQ int8 models.
//   NAME.onnx, NAME.in (float32 LE inputs, one after the other)  ->  NAME.ort.out (float32 LE)
// ONNX Runtime evaluates the graph as written (graph optimizations disabled): each float op
// between DequantizeLinear and QuantizeLinear runs in float, which is the QDQ form's definition.
// With its default optimizations ONNX Runtime fuses each group into an integer kernel
// (QLinearConv, ...) whose uint8 x int8 products are summed in pairs with int16 saturation
// (VPMADDUBSW) on x86 CPUs without VNNI, as this machine's: there, 90 of the 2,048 stem outputs
// of cnn_qdq are off by up to 83 steps (ONNX Runtime's documentation warns of this for U8S8 and
// recommends reduce_range), so the optimized run is not an oracle.
// Setup (no network access at run time; the package carries its native library):
//   npm install --prefix /tmp/ort --ignore-scripts onnxruntime-node@1.30.0
//   NODE_PATH=/tmp/ort/node_modules node tests/data/onnx/run_onnxruntime.js cnn_qdq
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main(name) {
  const dir = __dirname;
  const session = await ort.InferenceSession.create(path.join(dir, `${name}.onnx`), { graphOptimizationLevel: 'disabled' });
  const input = session.inputNames[0];
  const bytes = fs.readFileSync(path.join(dir, `${name}.in`));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const meta = session.inputMetadata ? session.inputMetadata[0] : null;
  const shape = meta && meta.shape ? meta.shape.map((d) => (typeof d === 'number' ? d : 1)) : null;
  if (!shape) throw new Error('cannot read the input shape');
  const per = shape.reduce((a, b) => a * b, 1);
  const outs = [];
  for (let k = 0; k * per < all.length; ++k) {
    const x = new ort.Tensor('float32', Float32Array.from(all.subarray(k * per, (k + 1) * per)), shape);
    const r = await session.run({ [input]: x });
    outs.push(Float32Array.from(r[session.outputNames[0]].data));
  }
  const out = new Float32Array(outs.reduce((a, o) => a + o.length, 0));
  let at = 0;
  for (const o of outs) { out.set(o, at); at += o.length; }
  fs.writeFileSync(path.join(dir, `${name}.ort.out`), Buffer.from(out.buffer));
  console.log(`${name}: ${outs.length} inputs of ${shape} -> ${outs[0].length} outputs (onnxruntime-node ${require('onnxruntime-node/package.json').version})`);
}

main(process.argv[2] || 'cnn_qdq').catch((e) => { console.error(e); process.exit(1); });
