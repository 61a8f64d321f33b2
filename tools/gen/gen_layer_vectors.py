#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reference vectors for ctml's float layers, computed by PyTorch (Debian's python3-torch).

Writes tests/data/layers/torch_vectors.hpp: for each case the input (HWC), the parameters in
ctml's layouts and PyTorch's output (HWC). Run from the repository root:
    /usr/bin/python3 tools/gen/gen_layer_vectors.py
TensorFlow's asymmetric 'same' padding is reproduced with an explicit F.pad.
"""
import math
import pathlib
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
cases = []


def arr(name, t):
    flat = t.detach().contiguous().reshape(-1).tolist()
    body = ", ".join(f"{v:.9g}" for v in flat)
    return f"inline constexpr float {name}[{len(flat)}] = {{{body}}};\n"


def same_pad(size, k, s, d):
    out = (size + s - 1) // s
    eff = (k - 1) * d + 1
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


def conv2d_case(name, h, w, cin, cout, kh, kw, s, d, same, groups=1):
    x = torch.randn(1, cin, h, w)
    wt = torch.randn(cout, cin // groups, kh, kw) * 0.3
    b = torch.randn(cout) * 0.1
    xp = x
    if same:
        pt, pb = same_pad(h, kh, s[0], d[0])
        pl, pr = same_pad(w, kw, s[1], d[1])
        xp = F.pad(x, (pl, pr, pt, pb))
    y = F.conv2d(xp, wt, b, stride=s, dilation=d, groups=groups)
    if groups == 1:
        w_ctml = wt.permute(0, 2, 3, 1)  # OIHW -> OHWI
    else:  # depthwise: (C*M, 1, KH, KW) -> (KH, KW, C*M)
        w_ctml = wt[:, 0].permute(1, 2, 0)
    cases.append(arr(f"{name}_in", x[0].permute(1, 2, 0)) + arr(f"{name}_w", w_ctml) +
                 arr(f"{name}_b", b) + arr(f"{name}_out", y[0].permute(1, 2, 0)))


def conv1d_case(name, length, cin, cout, k, s, d, same):
    x = torch.randn(1, cin, length)
    wt = torch.randn(cout, cin, k) * 0.3
    b = torch.randn(cout) * 0.1
    xp = x
    if same:
        pl, pr = same_pad(length, k, s, d)
        xp = F.pad(x, (pl, pr))
    y = F.conv1d(xp, wt, b, stride=s, dilation=d)
    cases.append(arr(f"{name}_in", x[0].t()) + arr(f"{name}_w", wt.permute(0, 2, 1)) +
                 arr(f"{name}_b", b) + arr(f"{name}_out", y[0].t()))


def pool_case(name, h, w, c, k, s, same, kind):
    x = torch.randn(1, c, h, w)
    if same:
        pt, pb = same_pad(h, k[0], s[0], 1)
        pl, pr = same_pad(w, k[1], s[1], 1)
        if kind == "max":
            y = F.max_pool2d(F.pad(x, (pl, pr, pt, pb), value=-math.inf), k, s)
        else:  # TFLite excludes padding from the count
            ones = torch.ones(1, 1, h, w)
            num = F.avg_pool2d(F.pad(x, (pl, pr, pt, pb)), k, s, divisor_override=1)
            den = F.avg_pool2d(F.pad(ones, (pl, pr, pt, pb)), k, s, divisor_override=1)
            y = num / den
    else:
        y = F.max_pool2d(x, k, s) if kind == "max" else F.avg_pool2d(x, k, s)
    cases.append(arr(f"{name}_in", x[0].permute(1, 2, 0)) + arr(f"{name}_out", y[0].permute(1, 2, 0)))


conv2d_case("conv_same_s2", 9, 7, 3, 5, 3, 3, (2, 2), (1, 1), True)
conv2d_case("conv_valid_dil", 10, 9, 2, 4, 3, 2, (1, 1), (2, 2), False)
conv2d_case("conv_kws_first", 49, 10, 1, 8, 10, 4, (2, 2), (1, 1), True)
conv2d_case("conv_pointwise", 5, 4, 8, 6, 1, 1, (1, 1), (1, 1), True)
conv2d_case("dw_same", 6, 5, 4, 4, 3, 3, (1, 1), (1, 1), True, groups=4)
conv2d_case("dw_s2_m2", 7, 8, 3, 6, 3, 3, (2, 2), (1, 1), True, groups=3)
conv1d_case("conv1d_same", 11, 3, 4, 3, 1, 1, True)
conv1d_case("conv1d_valid_s2_d2", 16, 2, 3, 3, 2, 2, False)
pool_case("maxpool_same", 7, 6, 3, (3, 3), (2, 2), True, "max")
pool_case("avgpool_same", 7, 6, 3, (3, 3), (2, 2), True, "avg")
pool_case("avgpool_valid", 8, 6, 2, (2, 3), (2, 3), False, "avg")

# BatchNorm (eval mode), over channels of an HWC tensor.
x = torch.randn(1, 5, 3, 4)
bn = torch.nn.BatchNorm2d(5, eps=1e-5).eval()
with torch.no_grad():
    bn.weight.copy_(torch.randn(5)); bn.bias.copy_(torch.randn(5))
    bn.running_mean.copy_(torch.randn(5)); bn.running_var.copy_(torch.rand(5) + 0.5)
y = bn(x)
cases.append(arr("bn_in", x[0].permute(1, 2, 0)) + arr("bn_gamma", bn.weight) + arr("bn_beta", bn.bias) +
             arr("bn_mean", bn.running_mean) + arr("bn_var", bn.running_var) +
             arr("bn_out", y[0].permute(1, 2, 0)))

# Elementwise activations and softmax with temperature.
x = torch.linspace(-7, 7, 29)
cases.append(arr("act_in", x) + arr("act_hardswish", F.hardswish(x)) + arr("act_relu6", F.relu6(x)) +
             arr("act_leaky", F.leaky_relu(x, 0.01)) + arr("act_sigmoid", torch.sigmoid(x)) +
             arr("act_tanh", torch.tanh(x)))
logits = torch.randn(3, 7) * 3
cases.append(arr("softmax_in", logits) + arr("softmax_t1", F.softmax(logits, -1)) +
             arr("softmax_t4", F.softmax(logits / 4.0, -1)))

# Dense.
x = torch.randn(13)
lin = torch.nn.Linear(13, 6)
cases.append(arr("dense_in", x) + arr("dense_w", lin.weight) + arr("dense_b", lin.bias) +
             arr("dense_out", lin(x)))

out = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "layers" / "torch_vectors.hpp"
out.write_text("// Generated by tools/gen/gen_layer_vectors.py (PyTorch " + torch.__version__ +
               "); do not edit.\n#pragma once\nnamespace torch_ref {\n" + "".join(cases) + "}  // namespace torch_ref\n")
print("wrote", out, out.stat().st_size, "bytes")
