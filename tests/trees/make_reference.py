#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The references of tests/trees, written into tests/trees/reference/ (checked in):

* CART and random forests: an independent implementation of the algorithm docs/trees.md states
  (plain Python + numpy float32 where the C++ uses float), trained on the same rows with the same
  random numbers (SplitMix64), predicting the held-out rows: <name>.cart.txt / <name>.rf.txt,
  one row of probabilities (or the value) per held-out row.
* Gradient boosting: XGBoost 1.7 itself (Debian's `xgboost` command line, tree_method=exact,
  one thread): its model (<name>.xgb.json, also the import tests' and fw_trees' input) and its
  predictions (<name>.xgb.txt); breast_cancer_rf is XGBoost's random-forest mode.

Split: the data set's even rows train, its odd rows are held out.
Run: /usr/bin/python3 tests/trees/make_reference.py   (needs numpy and the xgboost command)
"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "sklearn")
OUT = os.path.join(HERE, "reference")
f32 = np.float32
MASK = (1 << 64) - 1


def load(name):
    lines = open(os.path.join(DATA, name)).read().split("\n")
    rows, features = (int(v) for v in lines[0].split(",")[:2])
    data = [[float(v) for v in l.split(",")] for l in lines[1:] if l.strip()]
    assert len(data) == rows
    x = np.array([r[:features] for r in data], dtype=np.float32)
    y = np.array([r[features] for r in data], dtype=np.float32)
    return x[0::2], y[0::2], x[1::2], y[1::2]


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return ((self.next() >> 32) * n) >> 32


class Cart:
    """CART as docs/trees.md states it: exact greedy, first strictly best split wins."""

    def __init__(self, x, y, classes, criterion, max_depth, min_leaf=1, min_split=2, max_features=0, min_gain=1e-7, rng=None):
        self.x, self.y, self.classes, self.criterion = x, y, classes, criterion
        self.max_depth, self.min_leaf, self.min_split = max_depth, min_leaf, min_split
        self.max_features, self.min_gain, self.rng = max_features, min_gain, rng

    def stats(self, rows):
        if self.classes:
            c = [0.0] * self.classes
            for r in rows:
                c[int(self.y[r])] += 1.0
            return (float(len(rows)), c, 0.0)
        s = 0.0
        for r in rows:
            s += float(self.y[r])
        return (float(len(rows)), None, s)

    def score(self, w, c, s):
        if self.criterion == "gini":
            return sum(v * v for v in c) / w
        if self.criterion == "entropy":
            return sum(v * math.log(v / w) for v in c if v > 0)
        return s * s / w

    def leaf(self, w, c, s):
        if self.classes:
            return [f32(v / w) for v in c]
        return [f32(s / w)]

    def build(self, rows, depth):
        w, c, s = self.stats(rows)
        n = len(rows)
        best = None
        if depth < self.max_depth and n >= self.min_split and n >= 2 * self.min_leaf:
            parent = self.score(w, c, s)
            best_gain = self.min_gain
            nf = self.x.shape[1]
            order = list(range(nf))
            tries = nf if self.max_features == 0 or self.max_features > nf else self.max_features
            for k in range(tries):
                if tries < nf:
                    j = k + self.rng.below(nf - k)
                    order[k], order[j] = order[j], order[k]
                f = order[k]
                srt = sorted(rows, key=lambda r: (self.x[r, f], r))
                lw, lc, ls = 0.0, [0.0] * (self.classes or 1), 0.0
                for i in range(n - 1):
                    r = srt[i]
                    lw += 1.0
                    if self.classes:
                        lc[int(self.y[r])] += 1.0
                    else:
                        ls += float(self.y[r])
                    a, b = self.x[srt[i], f], self.x[srt[i + 1], f]
                    if not a < b:
                        continue
                    nl = i + 1
                    if nl < self.min_leaf or n - nl < self.min_leaf:
                        continue
                    rc = [c[q] - lc[q] for q in range(self.classes)] if self.classes else None
                    gain = self.score(lw, lc, ls) + self.score(w - lw, rc, s - ls) - parent
                    if gain > best_gain:
                        best_gain = gain
                        t = f32(f32(a + b) * f32(0.5))
                        best = (f, t if a < t else b)
        if best is None:
            return ("leaf", self.leaf(w, c, s))
        f, t = best
        left = [r for r in rows if self.x[r, f] < t]
        right = [r for r in rows if not self.x[r, f] < t]
        return ("split", f, t, self.build(left, depth + 1), self.build(right, depth + 1))

    @staticmethod
    def predict(node, row):
        while node[0] == "split":
            node = node[3] if row[node[1]] < node[2] else node[4]
        return node[1]


def forest_predict(trees, row, scale):
    acc = None
    for t in trees:
        v = Cart.predict(t, row)
        acc = [f32(q) for q in v] if acc is None else [f32(p + q) for p, q in zip(acc, v)]
    return [f32(a * scale) for a in acc]


def write_rows(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(" ".join("%.9g" % v for v in r) + "\n")


def cart_and_forest(name, file, classes, criterion, depth, trees, seed):
    xtr, ytr, xte, _ = load(file)
    rows = list(range(len(xtr)))
    tree = Cart(xtr, ytr, classes, criterion, depth).build(rows, 0)
    write_rows(os.path.join(OUT, name + ".cart.txt"), [Cart.predict(tree, r) for r in xte])
    rng = SplitMix64(seed)
    max_features = max(1, int(math.sqrt(xtr.shape[1]))) if classes else 0
    forest = []
    for _ in range(trees):
        boot = [rng.below(len(xtr)) for _ in rows]
        forest.append(Cart(xtr, ytr, classes, criterion, depth, max_features=max_features, rng=rng).build(boot, 0))
    scale = f32(f32(1.0) / f32(trees))
    write_rows(os.path.join(OUT, name + ".rf.txt"), [forest_predict(forest, r, scale) for r in xte])


def xgboost(name, file, objective, depth, rounds, eta, classes=0, extra=()):
    xtr, ytr, xte, yte = load(file)
    with tempfile.TemporaryDirectory() as tmp:
        for part, x, y in (("train", xtr, ytr), ("test", xte, yte)):
            with open(os.path.join(tmp, part + ".csv"), "w") as f:
                for xv, yv in zip(x, y):
                    f.write(",".join(["%.9g" % yv] + ["%.9g" % v for v in xv]) + "\n")
        model = os.path.join(OUT, name + ".xgb.json")
        conf = [
            "booster = gbtree", "objective = " + objective, "eta = %g" % eta, "max_depth = %d" % depth,
            "num_round = %d" % rounds, "tree_method = exact", "nthread = 1", "base_score = 0.5", "seed = 0",
            'data = "%s?format=csv&label_column=0"' % os.path.join(tmp, "train.csv"), 'model_out = "%s"' % model,
        ]
        if classes:
            conf.append("num_class = %d" % classes)
        conf.extend(extra)
        open(os.path.join(tmp, "train.conf"), "w").write("\n".join(conf) + "\n")
        subprocess.run(["xgboost", os.path.join(tmp, "train.conf")], check=True, capture_output=True)
        pred = os.path.join(tmp, "pred.txt")
        open(os.path.join(tmp, "pred.conf"), "w").write(
            'task = pred\nmodel_in = "%s"\ntest:data = "%s?format=csv&label_column=0"\nname_pred = "%s"\nnthread = 1\n'
            % (model, os.path.join(tmp, "test.csv"), pred))
        subprocess.run(["xgboost", os.path.join(tmp, "pred.conf")], check=True, capture_output=True)
        values = [float(v) for v in open(pred).read().split()]
        k = classes if classes else 1
        write_rows(os.path.join(OUT, name + ".xgb.txt"), [values[i:i + k] for i in range(0, len(values), k)])


def main():
    os.makedirs(OUT, exist_ok=True)
    cart_and_forest("breast_cancer_gini", "breast_cancer.csv", 2, "gini", 6, 20, 7)
    cart_and_forest("wine_entropy", "wine_data.csv", 3, "entropy", 5, 20, 11)
    cart_and_forest("diabetes_mse", "diabetes.csv", 0, "mse", 4, 20, 13)
    xgboost("breast_cancer_logistic", "breast_cancer.csv", "binary:logistic", 3, 20, 0.3)
    xgboost("wine_softprob", "wine_data.csv", "multi:softprob", 3, 10, 0.3, classes=3)
    xgboost("diabetes_squarederror", "diabetes.csv", "reg:squarederror", 3, 30, 0.1)
    # XGBoost's random forest mode: 10 parallel trees in one round, rows and features subsampled.
    xgboost("breast_cancer_rf", "breast_cancer.csv", "binary:logistic", 6, 1, 1.0,
            extra=("num_parallel_tree = 10", "subsample = 0.8", "colsample_bynode = 0.5"))
    print("references written to", OUT)


if __name__ == "__main__":
    sys.exit(main())
