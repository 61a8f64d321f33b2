#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""PyTorch models exported to ONNX, with inputs and PyTorch's outputs, for ctml-import's tests.

Each model is built with a fixed seed, put in eval mode, exported by torch.onnx.export (Debian's
python3-torch), and run by PyTorch itself on a few deterministic inputs. Written next to this
script:
  NAME.onnx                  the exported model
  NAME.in                    float32 LE, the inputs one after the other, in PyTorch's layout (NCHW)
  NAME.out                   float32 LE, PyTorch's outputs for them (float64 reference would be
                             no more independent: PyTorch is the framework the user trained in)
The models cover the operators ctml-import maps from ONNX:
  cnn      Conv+BatchNorm (folded by the exporter) + ReLU, depthwise Conv (groups = channels,
           stride 2), ReLU6 (Clip), 1x1 Conv + HardSwish, MaxPool, a residual block (Add of two
           branches), a BatchNorm the exporter cannot fold (after the Add), AvgPool, Flatten of a
           2x2x12 tensor (NCHW order), Linear (Gemm), Softmax. Opset 13.
  gap      Conv (no padding, dilation 2) + LeakyReLU, Conv stride 2 with asymmetric need
           (PyTorch pads 1/1 where TFLite's SAME pads 0/1), Sigmoid, GlobalAveragePool,
           Flatten, Linear + Tanh, Linear, x * 0.5 + 1 (Mul/Add with constants). Opset 17.
  mlp      Linear + ReLU, Linear + Sigmoid, Linear (as MatMul + Add when bias is split: the
           exporter writes Gemm for 2-D inputs). Opset 13.
  branches two-branch merges: torch.cat of a 3x3 conv and a depthwise conv (inception-style),
           squeeze-and-excitation (x * sigmoid(conv(mean(x))), broadcasting [1,C,1,1]), x - conv(x),
           torch.maximum of two branches, torch.minimum with a constant, global pool, Linear.
           Opset 13.
  decoder  ConvTranspose2d twice (3x3 stride 2, padding 1, output_padding 1, + ReLU; 4x4 stride 2,
           padding 1, + Sigmoid): a 4-D output (NCHW again at the model's edge). Opset 13.
  sensor1d a 1-D CNN on a [1, 3, 64] window (rank-3 NCL tensors): Conv1d + BatchNorm1d + ReLU,
           MaxPool1d, depthwise Conv1d stride 2 + ReLU6, 1x1 Conv1d, a residual block with a
           dilated Conv1d, AvgPool1d, mean over time (ReduceMean), Linear. Opset 13.
  inception torch.cat of four branches (the input itself, 1x1 conv, 3x3 conv + ReLU, max pool)
           along the channels and of three (two slices and the whole) along the width. Opset 13.
  cnn_qdq  the int8 QDQ form as PyTorch writes it: eager-mode post-training quantization
           (torch.ao.quantization, qnnpack: uint8 activations, symmetric int8 weights per tensor,
           int32 biases), calibrated on 16 random inputs, exported with QuantizeLinear /
           DequantizeLinear (and PyTorch's Cast / ConstantOfShape) around Conv+ReLU, depthwise
           Conv+ReLU, MaxPool, 1x1 Conv, a residual add, AvgPool, Flatten and Linear. NAME.out
           holds PyTorch's quantized outputs; run_onnxruntime.js writes ONNX Runtime's
           (NAME.ort.out), the oracle the test compares with.
Run: /usr/bin/python3 tests/data/onnx/gen_onnx_models.py
"""
import pathlib

import numpy as np
import torch
from torch import nn

HERE = pathlib.Path(__file__).resolve().parent


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.dw = nn.Sequential(nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8), nn.BatchNorm2d(8), nn.ReLU6())
        self.pw = nn.Sequential(nn.Conv2d(8, 12, 1), nn.Hardswish())
        self.pool = nn.MaxPool2d(2)
        self.body = nn.Sequential(nn.Conv2d(12, 12, 3, padding=1), nn.ReLU(), nn.Conv2d(12, 12, 3, padding=1))
        self.bn = nn.BatchNorm2d(12)
        self.avg = nn.AvgPool2d(2)
        self.fc = nn.Linear(12 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(self.pw(self.dw(self.stem(x))))
        x = self.bn(x + self.body(x))
        x = torch.flatten(self.avg(x), 1)
        return torch.softmax(self.fc(x), dim=1)


class Gap(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 6, 3, dilation=2)
        self.c2 = nn.Conv2d(6, 10, 3, stride=2, padding=1)
        self.fc1 = nn.Linear(10, 7)
        self.fc2 = nn.Linear(7, 4)

    def forward(self, x):
        x = nn.functional.leaky_relu(self.c1(x), 0.1)
        x = torch.sigmoid(self.c2(x))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        x = torch.tanh(self.fc1(x))
        return self.fc2(x) * 0.5 + 1.0


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(20, 16)
        self.b = nn.Linear(16, 12)
        self.c = nn.Linear(12, 5)

    def forward(self, x):
        return self.c(torch.sigmoid(self.b(torch.relu(self.a(x)))))


class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 6, 1)
        self.a = nn.Conv2d(6, 5, 3, padding=1)
        self.b = nn.Conv2d(6, 6, 3, padding=1, groups=6)
        self.se = nn.Conv2d(11, 11, 1)
        self.p = nn.Conv2d(11, 11, 1)
        self.q = nn.Conv2d(11, 11, 3, padding=1)
        self.fc = nn.Linear(11, 4)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        x = torch.cat([self.a(x), torch.relu(self.b(x))], dim=1)
        x = x * torch.sigmoid(self.se(x.mean(dim=(2, 3), keepdim=True)))
        x = self.p(x) - x
        x = torch.maximum(self.q(x), x)
        x = torch.minimum(x, torch.full((1, 11, 1, 1), 0.75))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.up1 = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
        self.up2 = nn.ConvTranspose2d(6, 2, 4, stride=2, padding=1)

    def forward(self, x):
        return torch.sigmoid(self.up2(torch.relu(self.up1(x))))


class Sensor1d(nn.Module):
    # A 1-D CNN over a window of 3-axis motion samples, the shape of activity-recognition models.
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(3, 8, 5, padding=2), nn.BatchNorm1d(8), nn.ReLU())
        self.pool = nn.MaxPool1d(2)
        self.dw = nn.Sequential(nn.Conv1d(8, 8, 3, stride=2, padding=1, groups=8), nn.ReLU6())
        self.pw = nn.Conv1d(8, 16, 1)
        self.body = nn.Sequential(nn.Conv1d(16, 16, 3, padding=2, dilation=2), nn.ReLU())
        self.avg = nn.AvgPool1d(2)
        self.fc = nn.Linear(16, 6)

    def forward(self, x):
        x = self.pw(self.dw(self.pool(self.stem(x))))
        x = self.avg(x + self.body(x))
        return self.fc(x.mean(dim=2))


class Inception(nn.Module):
    # torch.cat of four branches (the block input itself among them) and of three along the width.
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU())
        self.a = nn.Conv2d(6, 4, 1)
        self.b = nn.Conv2d(6, 5, 3, padding=1)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1)
        self.mix = nn.Conv2d(21, 8, 1)
        self.fc = nn.Linear(8 * 6 * 12, 5)

    def forward(self, x):
        x = self.stem(x)
        x = torch.cat([x, self.a(x), torch.relu(self.b(x)), self.pool(x)], dim=1)
        x = self.mix(x)
        x = torch.cat([x[:, :, :, :3], x, x[:, :, :, 3:]], dim=3)
        return self.fc(torch.flatten(x, 1))


class CnnQ(nn.Module):
    def __init__(self):
        super().__init__()
        q = torch.ao.quantization
        self.quant, self.dequant = q.QuantStub(), q.DeQuantStub()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.dw = nn.Sequential(nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.pw = nn.Conv2d(8, 8, 1)
        self.add = nn.quantized.FloatFunctional()
        self.avg = nn.AvgPool2d(2)
        self.fc = nn.Linear(8 * 2 * 2, 6)

    def forward(self, x):
        x = self.pool(self.dw(self.stem(self.quant(x))))
        x = self.add.add(x, self.pw(x))
        x = torch.flatten(self.avg(x), 1)
        return self.dequant(self.fc(x))


def quantize_qnnpack(model, shape, gen):
    q = torch.ao.quantization
    torch.backends.quantized.engine = "qnnpack"
    model.eval()
    model.qconfig = q.get_default_qconfig("qnnpack")
    q.fuse_modules(model, [["stem.0", "stem.1"], ["dw.0", "dw.1"]], inplace=True)
    q.prepare(model, inplace=True)
    with torch.no_grad():
        for _ in range(16):
            model(torch.randn(*shape, generator=gen))
    q.convert(model, inplace=True)
    return model


def randomize_batchnorm(model, gen):
    # Fresh BatchNorm layers are the identity; give them real statistics so folding is tested.
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.3)
            m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.2)


def export(name, model, shape, opset, count=3):
    gen = torch.Generator().manual_seed(1234)
    randomize_batchnorm(model, gen)
    model.eval()
    inputs = [torch.randn(*shape, generator=gen) for _ in range(count)]
    torch.onnx.export(model, inputs[0], str(HERE / f"{name}.onnx"), opset_version=opset,
                      input_names=["input"], output_names=["output"], do_constant_folding=True)
    with torch.no_grad():
        outputs = [model(x) for x in inputs]
    np.concatenate([x.numpy().ravel() for x in inputs]).astype("<f4").tofile(HERE / f"{name}.in")
    np.concatenate([y.numpy().ravel() for y in outputs]).astype("<f4").tofile(HERE / f"{name}.out")
    print(f"{name}: {shape} -> {tuple(outputs[0].shape)}, {count} inputs, opset {opset}")


def main():
    torch.manual_seed(7)
    export("cnn", Cnn(), (1, 3, 16, 16), 13)
    export("gap", Gap(), (1, 2, 13, 13), 17)
    export("mlp", Mlp(), (1, 20), 13)
    export("cnn_qdq", quantize_qnnpack(CnnQ(), (1, 3, 16, 16), torch.Generator().manual_seed(99)), (1, 3, 16, 16), 13, count=8)
    export("branches", Branches(), (1, 3, 10, 10), 13)  # after the others: their weights stay as they were
    export("decoder", Decoder(), (1, 4, 5, 5), 13)
    export("sensor1d", Sensor1d(), (1, 3, 64), 13)
    export("inception", Inception(), (1, 3, 6, 6), 13)


if __name__ == "__main__":
    main()
