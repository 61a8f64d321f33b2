#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An operator-form quantized ONNX model (QLinearConv, QLinearMatMul) built with onnx.helper.

  x (float [1,3,8,8]) -> QuantizeLinear (uint8) -> QLinearConv 3x3 pad 1 (6 filters, per-channel
  int8 weights, int32 bias) -> MaxPool 2x2 -> QLinearConv 1x1 (4 filters, per-tensor weights)
  -> Flatten -> QLinearMatMul [64 x 5] -> DequantizeLinear -> y (float [1,5])

Weights are drawn from [-63, 63]: with uint8 activations no pair of products exceeds the int16
range, so ONNX Runtime's x86 u8 x s8 kernels (which sum products in pairs with int16 saturation
when the CPU lacks VNNI) compute exactly and are a valid oracle (run_onnxruntime.js). Output
scales are calibrated on the test inputs with a float64 forward pass. Writes qlinear.onnx,
qlinear.in (float32 LE, 4 inputs); run_onnxruntime.js qlinear writes ONNX Runtime's outputs.
Run: /usr/bin/python3 tests/data/onnx/gen_qlinear_model.py
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = pathlib.Path(__file__).resolve().parent


def main():
    rng = np.random.default_rng(2024)
    x = rng.standard_normal((4, 1, 3, 8, 8)).astype(np.float32)
    s_in, zp_in = 0.03, 128
    w1 = rng.integers(-63, 64, (6, 3, 3, 3)).astype(np.int8)
    w1_s = (0.004 + 0.002 * rng.random(6)).astype(np.float32)
    b1 = rng.integers(-600, 600, 6).astype(np.int32)
    w2 = rng.integers(-63, 64, (4, 6, 1, 1)).astype(np.int8)
    w2_s = np.float32(0.006)
    b2 = rng.integers(-300, 300, 4).astype(np.int32)
    w3 = rng.integers(-63, 64, (64, 5)).astype(np.int8)
    w3_s = np.float32(0.005)

    # Float64 forward pass for the output scales (calibration).
    def conv(a, w, stride=1, pad=0):
        n, c, h, wd = a.shape
        o, _, kh, kw = w.shape
        a = np.pad(a, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        oh, ow = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
        y = np.zeros((n, o, oh, ow))
        for i in range(oh):
            for j in range(ow):
                y[:, :, i, j] = np.tensordot(a[:, :, i:i + kh, j:j + kw], w, axes=([1, 2, 3], [1, 2, 3]))
        return y

    xr = np.clip(np.round(x / s_in) + zp_in, 0, 255) - zp_in
    xr = xr.reshape(4, 3, 8, 8) * s_in
    y1 = np.maximum(conv(xr, w1 * w1_s[:, None, None, None], pad=1) + (b1 * s_in * w1_s)[None, :, None, None], 0)
    s1 = float(np.max(y1) / 255)
    y2 = y1.reshape(4, 6, 4, 2, 4, 2).max(axis=(3, 5))
    y3 = conv(y2, w2 * w2_s) + (b2 * s1 * w2_s)[None, :, None, None]
    s3 = float((np.max(y3) - np.min(y3)) / 255)
    zp3 = int(np.clip(np.round(-np.min(y3) / s3), 0, 255))
    y5 = y3.reshape(4, 64) @ (w3 * w3_s)
    s5 = float((np.max(y5) - np.min(y5)) / 255)
    zp5 = int(np.clip(np.round(-np.min(y5) / s5), 0, 255))

    def t(name, v, dt=None):
        return numpy_helper.from_array(np.asarray(v, dtype=dt), name)

    inits = [
        t("s_in", s_in, np.float32), t("zp_in", zp_in, np.uint8),
        t("w1", w1), t("w1_s", w1_s), t("w1_zp", np.zeros(6, np.int8)), t("b1", b1),
        t("s1", s1, np.float32), t("zp1", 0, np.uint8),
        t("w2", w2), t("w2_s", w2_s), t("w2_zp", 0, np.int8), t("b2", b2),
        t("s3", s3, np.float32), t("zp3", zp3, np.uint8),
        t("w3", w3), t("w3_s", w3_s), t("w3_zp", 0, np.int8),
        t("s5", s5, np.float32), t("zp5", zp5, np.uint8),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s_in", "zp_in"], ["xq"]),
        helper.make_node("QLinearConv", ["xq", "s_in", "zp_in", "w1", "w1_s", "w1_zp", "s1", "zp1", "b1"], ["c1"],
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("MaxPool", ["c1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("QLinearConv", ["p1", "s1", "zp1", "w2", "w2_s", "w2_zp", "s3", "zp3", "b2"], ["c2"], kernel_shape=[1, 1]),
        helper.make_node("Flatten", ["c2"], ["f"], axis=1),
        helper.make_node("QLinearMatMul", ["f", "s3", "zp3", "w3", "w3_s", "w3_zp", "s5", "zp5"], ["m"]),
        helper.make_node("DequantizeLinear", ["m", "s5", "zp5"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "qlinear", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="ctml gen_qlinear_model.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, HERE / "qlinear.onnx")
    x.astype("<f4").tofile(HERE / "qlinear.in")
    print(f"qlinear: scales {s1:.5f} {s3:.5f} {s5:.5f}, zero points {zp3} {zp5}")


if __name__ == "__main__":
    main()
