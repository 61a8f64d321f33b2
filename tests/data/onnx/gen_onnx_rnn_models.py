#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Recurrent ONNX models (LSTM, GRU) with inputs and reference outputs, for ctml-import's tests.

Written next to this script, as gen_onnx_models.py does (NAME.onnx, NAME.in, NAME.out: float32
LE, inputs and outputs one after the other):

PyTorch exports (torch.onnx.export of Debian's python3-torch; reference = PyTorch's outputs):
  lstm_last   nn.LSTM(6, 16, batch_first=True), the last step y[:, -1] (Gather), Linear. The
              exporter writes the zero initial state as Expand(0, Concat(1, Gather(Shape(x))));
              the transposes around the LSTM move a batch of 1 (time-major inside). Opset 13.
  gru_hn      nn.GRU(6, 10, batch_first=True) returning h_n (Y_h), h_n[0] (Gather on axis 0 of
              [directions, batch, units]), Linear + ReLU, Linear. Opset 14.
  lstm_stack  a time-major two-layer LSTM (batch_first=False, num_layers=2: two LSTM nodes, the
              second reading the first's Y through Squeeze) on x.transpose(0, 1), y[-1], Linear,
              Softmax. Opset 13.
  conv_gru    a 1-D CNN front (Conv1d + ReLU, MaxPool1d on a [3, 32] window) into a GRU over the
              pooled time axis (permute(0, 2, 1)), the sequence's last step, Linear. Opset 13.

Hand-written (onnx.helper), what PyTorch never writes; reference = a float64 evaluation of the
ONNX operator definitions (the formulas of onnx/docs/Operators.md), written below:
  gru_spec    GRU with linear_before_reset = 0 (the reset gate applied before the recurrent
              product), a non-zero constant initial_h, layout = 1 (batch first), both biases,
              sequence_lens equal to the length; the output is Y ([batch, time, directions,
              units], 4-D) reshaped to [1, time * units]. Opset 14.
  lstm_spec   LSTM with separate W and R biases, default layout, output Y_h through Reshape
              to [1, units]. Opset 13.

Run: /usr/bin/python3 tests/data/onnx/gen_onnx_rnn_models.py
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch
from torch import nn

HERE = pathlib.Path(__file__).resolve().parent


class LstmLast(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(6, 16, batch_first=True)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1])


class GruHn(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(6, 10, batch_first=True)
        self.fc1 = nn.Linear(10, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.fc2(torch.relu(self.fc1(h[0])))


class LstmStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 12, num_layers=2)
        self.fc = nn.Linear(12, 6)

    def forward(self, x):
        y, _ = self.rnn(x.transpose(0, 1))
        return torch.softmax(self.fc(y[-1]), dim=-1)


class ConvGru(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 8, 5, padding=2)
        self.pool = nn.MaxPool1d(2)
        self.rnn = nn.GRU(8, 12, batch_first=True)
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        f = self.pool(torch.relu(self.conv(x)))
        y, _ = self.rnn(f.permute(0, 2, 1))
        return self.fc(y[:, -1])


def export(name, model, shape, opset, count=3):
    gen = torch.Generator().manual_seed(4321)
    model.eval()
    inputs = [torch.randn(*shape, generator=gen) for _ in range(count)]
    torch.onnx.export(model, inputs[0], str(HERE / f"{name}.onnx"), opset_version=opset,
                      input_names=["input"], output_names=["output"], do_constant_folding=True)
    with torch.no_grad():
        outputs = [model(x) for x in inputs]
    write(name, [x.numpy() for x in inputs], [y.numpy() for y in outputs])
    print(f"{name}: {shape} -> {tuple(outputs[0].shape)}, {count} inputs, opset {opset}")


def write(name, inputs, outputs):
    np.concatenate([np.asarray(x).ravel() for x in inputs]).astype("<f4").tofile(HERE / f"{name}.in")
    np.concatenate([np.asarray(y).ravel() for y in outputs]).astype("<f4").tofile(HERE / f"{name}.out")


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def gru_reference(x, w, r, b, h0, linear_before_reset):
    """ONNX GRU, one direction, x [T, F]; gate blocks z, r, h. Returns every step [T, H]."""
    hsz = r.shape[1]
    wz, wr, wh = np.split(w, 3)
    rz, rr, rh = np.split(r, 3)
    wbz, wbr, wbh, rbz, rbr, rbh = np.split(b, 6)
    h = h0.astype(np.float64)
    ys = []
    for xt in x:
        z = sigmoid(xt @ wz.T + h @ rz.T + wbz + rbz)
        rt = sigmoid(xt @ wr.T + h @ rr.T + wbr + rbr)
        if linear_before_reset:
            n = np.tanh(xt @ wh.T + rt * (h @ rh.T + rbh) + wbh)
        else:
            n = np.tanh(xt @ wh.T + (rt * h) @ rh.T + rbh + wbh)
        h = (1 - z) * n + z * h
        ys.append(h)
    assert len(ys[0]) == hsz
    return np.array(ys)


def lstm_reference(x, w, r, b):
    """ONNX LSTM, one direction, zero initial state, x [T, F]; gate blocks i, o, f, c. Returns Y_h."""
    wi, wo, wf, wc = np.split(w, 4)
    ri, ro, rf, rc = np.split(r, 4)
    wb, rb = np.split(b, 2)
    wbi, wbo, wbf, wbc = np.split(wb, 4)
    rbi, rbo, rbf, rbc = np.split(rb, 4)
    h = np.zeros(r.shape[1])
    c = np.zeros(r.shape[1])
    for xt in x:
        i = sigmoid(xt @ wi.T + h @ ri.T + wbi + rbi)
        f = sigmoid(xt @ wf.T + h @ rf.T + wbf + rbf)
        g = np.tanh(xt @ wc.T + h @ rc.T + wbc + rbc)
        o = sigmoid(xt @ wo.T + h @ ro.T + wbo + rbo)
        c = f * c + i * g
        h = o * np.tanh(c)
    return h


def const(name, a, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(a, dtype=dtype), name)


def gru_spec():
    rng = np.random.default_rng(11)
    t, f, hsz = 7, 5, 6
    w = rng.normal(0, 0.5, (3 * hsz, f))
    r = rng.normal(0, 0.5, (3 * hsz, hsz))
    b = rng.normal(0, 0.3, 6 * hsz)
    h0 = rng.normal(0, 0.5, hsz)
    # float32 parameters; the reference computes in float64 from the same float32 values
    w, r, b, h0 = (a.astype(np.float32) for a in (w, r, b, h0))
    nodes = [
        helper.make_node("GRU", ["input", "W", "R", "B", "lens", "h0"], ["Y"], hidden_size=hsz, linear_before_reset=0, layout=1),
        helper.make_node("Reshape", ["Y", "shape"], ["output"]),
    ]
    inits = [const("W", w[None]), const("R", r[None]), const("B", b[None]), const("lens", [t], np.int32),
             const("h0", h0.reshape(1, 1, hsz)), const("shape", [1, t * hsz], np.int64)]
    graph = helper.make_graph(nodes, "gru_spec", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, t, f])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, t * hsz])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="gen_onnx_rnn_models.py")
    onnx.checker.check_model(model)
    onnx.save(model, str(HERE / "gru_spec.onnx"))
    xs = [rng.normal(0, 1, (t, f)).astype(np.float32) for _ in range(3)]
    ys = [gru_reference(x.astype(np.float64), w, r, b, h0, False).reshape(-1) for x in xs]
    write("gru_spec", xs, ys)
    print(f"gru_spec: (1, {t}, {f}) -> (1, {t * hsz}), 3 inputs, opset 14")


def lstm_spec():
    rng = np.random.default_rng(12)
    t, f, hsz = 9, 4, 5
    w = rng.normal(0, 0.5, (4 * hsz, f)).astype(np.float32)
    r = rng.normal(0, 0.5, (4 * hsz, hsz)).astype(np.float32)
    b = rng.normal(0, 0.3, 8 * hsz).astype(np.float32)
    nodes = [
        helper.make_node("LSTM", ["input", "W", "R", "B"], ["", "Y_h"], hidden_size=hsz),
        helper.make_node("Reshape", ["Y_h", "shape"], ["output"]),
    ]
    inits = [const("W", w[None]), const("R", r[None]), const("B", b[None]), const("shape", [1, hsz], np.int64)]
    graph = helper.make_graph(nodes, "lstm_spec", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [t, 1, f])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, hsz])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="gen_onnx_rnn_models.py")
    onnx.checker.check_model(model)
    onnx.save(model, str(HERE / "lstm_spec.onnx"))
    xs = [rng.normal(0, 1, (t, f)).astype(np.float32) for _ in range(3)]
    ys = [lstm_reference(x.astype(np.float64), w, r, b) for x in xs]
    write("lstm_spec", xs, ys)
    print(f"lstm_spec: ({t}, 1, {f}) -> (1, {hsz}), 3 inputs, opset 13")


def main():
    torch.manual_seed(17)
    export("lstm_last", LstmLast(), (1, 12, 6), 13)
    export("gru_hn", GruHn(), (1, 9, 6), 14)
    export("lstm_stack", LstmStack(), (1, 8, 4), 13)
    export("conv_gru", ConvGru(), (1, 3, 32), 13)
    gru_spec()
    lstm_spec()


if __name__ == "__main__":
    main()
