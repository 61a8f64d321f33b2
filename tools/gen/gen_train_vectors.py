#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reference gradients for ctml's training code, computed by PyTorch autograd (Debian's
python3-torch), in double precision.

Writes tests/data/train/torch_grads.hpp. For each network: the inputs (HWC), the parameters in
ctml's layouts, the outputs, the gradient of L = sum(c * out) for every parameter (ctml layouts)
and for the inputs, and (for the batch case) BatchNorm's running statistics after the step.
Run from the repository root:
    /usr/bin/python3 tools/gen/gen_train_vectors.py
Layout notes: ctml is NHWC, PyTorch NCHW; conv weights OIHW -> OHWI, depthwise (C*M, 1, KH, KW)
-> (KH, KW, C*M); Flatten is taken in HWC order so Dense weights need no permutation.
TensorFlow's asymmetric 'same' padding is reproduced with an explicit F.pad.
"""
import pathlib
import torch
import torch.nn.functional as F

torch.manual_seed(2026)
torch.set_default_dtype(torch.float64)
out = []


def arr(name, t):
    flat = t.detach().contiguous().reshape(-1).tolist()
    body = ", ".join(f"{v:.17g}" for v in flat)
    out.append(f"inline constexpr double {name}[{len(flat)}] = {{{body}}};\n")


def same_pad(size, k, s, d=1):
    o = (size + s - 1) // s
    eff = (k - 1) * d + 1
    total = max((o - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


def hwc(x):  # (N, C, H, W) -> (N, H, W, C)
    return x.permute(0, 2, 3, 1)


def leaf(t):
    return t.clone().requires_grad_(True)


# --- 1. mini-batch of 3, BatchNorm in training mode ---------------------------------------
# Conv2D(3, 3x3, stride 2, same) -> BatchNorm -> ReLU -> DepthwiseConv2D(3x3, x2, same)
# -> AveragePool2D(2x2) -> Flatten -> Dense(4); input 8x6x2.
B, H, W, C = 3, 8, 6, 2
x = leaf(torch.randn(B, C, H, W))
w1 = leaf(torch.randn(3, C, 3, 3) * 0.4)
b1 = leaf(torch.randn(3) * 0.1)
gamma = leaf(1 + 0.2 * torch.randn(3))
beta = leaf(0.1 * torch.randn(3))
rmean0 = 0.1 * torch.randn(3)
rvar0 = 1 + 0.2 * torch.rand(3)
wd = leaf(torch.randn(6, 1, 3, 3) * 0.4)
bd = leaf(torch.randn(6) * 0.1)
wfc = leaf(torch.randn(4, 2 * 1 * 6) * 0.3)
bfc = leaf(torch.randn(4) * 0.1)

pt, pb = same_pad(H, 3, 2)
pl, pr = same_pad(W, 3, 2)
z = F.conv2d(F.pad(x, (pl, pr, pt, pb)), w1, b1, stride=2)           # (B, 3, 4, 3)
rmean, rvar = rmean0.clone(), rvar0.clone()
z = F.batch_norm(z, rmean, rvar, gamma, beta, training=True, momentum=0.1, eps=1e-5)
z = F.relu(z)
z = F.conv2d(F.pad(z, (1, 1, 1, 1)), wd, bd, groups=3)               # (B, 6, 4, 3)
z = F.avg_pool2d(z, 2)                                                # (B, 6, 2, 1)
z = hwc(z).reshape(B, -1)
y = F.linear(z, wfc, bfc)
c = torch.randn(B, 4)
(y * c).sum().backward()

arr("batch_x", hwc(x))
arr("batch_w1", w1.permute(0, 2, 3, 1))
arr("batch_b1", b1)
arr("batch_gamma", gamma)
arr("batch_beta", beta)
arr("batch_rmean0", rmean0)
arr("batch_rvar0", rvar0)
arr("batch_wd", wd[:, 0].permute(1, 2, 0))
arr("batch_bd", bd)
arr("batch_wfc", wfc)
arr("batch_bfc", bfc)
arr("batch_c", c)
arr("batch_y", y)
arr("batch_dx", hwc(x.grad))
arr("batch_dw1", w1.grad.permute(0, 2, 3, 1))
arr("batch_db1", b1.grad)
arr("batch_dgamma", gamma.grad)
arr("batch_dbeta", beta.grad)
arr("batch_dwd", wd.grad[:, 0].permute(1, 2, 0))
arr("batch_dbd", bd.grad)
arr("batch_dwfc", wfc.grad)
arr("batch_dbfc", bfc.grad)
arr("batch_rmean1", rmean)
arr("batch_rvar1", rvar)

# --- 2. one sample: dilated conv with fused ReLU, max pool (same), BatchNorm (inference),
# global average pool, Dense, Softmax with temperature 2; input 9x7x2.
H, W, C = 9, 7, 2
x = leaf(torch.randn(1, C, H, W))
w1 = leaf(torch.randn(4, C, 3, 2) * 0.4)
b1 = leaf(torch.randn(4) * 0.1)
gamma = leaf(1 + 0.2 * torch.randn(4))
beta = leaf(0.1 * torch.randn(4))
rmean = 0.1 * torch.randn(4)
rvar = 1 + 0.2 * torch.rand(4)
wfc = leaf(torch.randn(3, 4) * 0.5)
bfc = leaf(torch.randn(3) * 0.1)

z = F.relu(F.conv2d(x, w1, b1, dilation=(2, 1)))                     # (1, 4, 5, 6)
pt, pb = same_pad(5, 2, 2)
pl, pr = same_pad(6, 2, 2)
z = F.max_pool2d(F.pad(z, (pl, pr, pt, pb), value=-1e30), 2)          # (1, 4, 3, 3)
z = F.batch_norm(z, rmean, rvar, gamma, beta, training=False, eps=1e-5)
z = z.mean(dim=(2, 3))
y = torch.softmax(F.linear(z, wfc, bfc) / 2.0, dim=1)
c = torch.randn(1, 3)
(y * c).sum().backward()

arr("single_x", hwc(x))
arr("single_w1", w1.permute(0, 2, 3, 1))
arr("single_b1", b1)
arr("single_gamma", gamma)
arr("single_beta", beta)
arr("single_rmean", rmean)
arr("single_rvar", rvar)
arr("single_wfc", wfc)
arr("single_bfc", bfc)
arr("single_c", c)
arr("single_y", y)
arr("single_dx", hwc(x.grad))
arr("single_dw1", w1.grad.permute(0, 2, 3, 1))
arr("single_db1", b1.grad)
arr("single_dgamma", gamma.grad)
arr("single_dbeta", beta.grad)
arr("single_dwfc", wfc.grad)
arr("single_dbfc", bfc.grad)

# --- 3. one sample: Conv1D (3 filters, kernel 3, stride 2, same, ReLU6) -> Flatten -> Dense(2);
# input length 10, 2 channels.
L, C = 10, 2
x = leaf(torch.randn(1, C, L))
w1 = leaf(torch.randn(3, C, 3) * 0.6)
b1 = leaf(torch.randn(3) * 0.3)
wfc = leaf(torch.randn(2, 5 * 3) * 0.4)
bfc = leaf(torch.randn(2) * 0.1)
pl, pr = same_pad(L, 3, 2)
z = torch.clamp(F.conv1d(F.pad(x, (pl, pr)), w1, b1, stride=2), 0, 6)  # (1, 3, 5)
y = F.linear(z.permute(0, 2, 1).reshape(1, -1), wfc, bfc)
c = torch.randn(1, 2)
(y * c).sum().backward()

arr("conv1d_x", x[0].t())
arr("conv1d_w1", w1.permute(0, 2, 1))
arr("conv1d_b1", b1)
arr("conv1d_wfc", wfc)
arr("conv1d_bfc", bfc)
arr("conv1d_c", c)
arr("conv1d_y", y)
arr("conv1d_dx", x.grad[0].t())
arr("conv1d_dw1", w1.grad.permute(0, 2, 1))
arr("conv1d_db1", b1.grad)
arr("conv1d_dwfc", wfc.grad)
arr("conv1d_dbfc", bfc.grad)

path = pathlib.Path("tests/data/train/torch_grads.hpp")
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text("// Generated by tools/gen/gen_train_vectors.py (PyTorch " + torch.__version__ +
                ", double precision); do not edit.\n#pragma once\nnamespace torch_grads {\n" + "".join(out) +
                "}  // namespace torch_grads\n")
print(f"wrote {path} ({path.stat().st_size} bytes)")
