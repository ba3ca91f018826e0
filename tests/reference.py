"""An independent reference for the tests: one training step in plain Python.

Scalars, lists and the math module only, no NumPy and nothing of glassnet: each
derivative is written from its textbook definition and the backward pass sums
explicitly over every path (∂ℓ/∂a_j = Σ_k δ_k W_jk, δ_j = Σ_i J_ij ∂ℓ/∂a_i),
as seed 003 does by hand. A second, independent way to the same numbers is
PyTorch autograd (tests/test_torch.py).
"""

from __future__ import annotations

import math


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def activation(name: str, z: list[float]) -> list[float]:
    if name == "softmax":
        top = max(z)
        e = [math.exp(v - top) for v in z]
        s = sum(e)
        return [v / s for v in e]
    f = {
        "identity": lambda v: v,
        "sigmoid": _sigmoid,
        "tanh": math.tanh,
        "relu": lambda v: v if v > 0 else 0.0,
        "leaky_relu": lambda v: v if v >= 0 else 0.01 * v,
        "elu": lambda v: v if v > 0 else math.exp(v) - 1.0,
        "softplus": lambda v: math.log1p(math.exp(v)) if v < 30 else v + math.log1p(math.exp(-v)),
    }[name]
    return [f(v) for v in z]


def jacobian(name: str, z: list[float], a: list[float]) -> list[list[float]]:
    """J[i][j] = ∂a_i/∂z_j."""
    n = len(z)
    if name == "softmax":
        return [[a[i] * ((1.0 if i == j else 0.0) - a[j]) for j in range(n)] for i in range(n)]
    d = {
        "identity": lambda v, s: 1.0,
        "sigmoid": lambda v, s: _sigmoid(v) * (1.0 - _sigmoid(v)),
        "tanh": lambda v, s: 1.0 / math.cosh(v) ** 2,
        "relu": lambda v, s: 1.0 if v > 0 else 0.0,
        "leaky_relu": lambda v, s: 1.0 if v >= 0 else 0.01,
        "elu": lambda v, s: 1.0 if v > 0 else math.exp(v),
        "softplus": lambda v, s: _sigmoid(v),
    }[name]
    return [[d(z[i], a[i]) if i == j else 0.0 for j in range(n)] for i in range(n)]


def loss(name: str, a: list[float], y: list[float]) -> float:
    n = len(a)
    if name == "half_squared_error":
        return 0.5 * sum((a[j] - y[j]) ** 2 for j in range(n))
    if name == "squared_error":
        return sum((a[j] - y[j]) ** 2 for j in range(n))
    if name == "mean_squared_error":
        return sum((a[j] - y[j]) ** 2 for j in range(n)) / n
    if name == "binary_cross_entropy":
        return -sum(y[j] * math.log(a[j]) + (1 - y[j]) * math.log(1 - a[j]) for j in range(n))
    if name == "cross_entropy":
        return -sum(y[j] * math.log(a[j]) for j in range(n))
    raise KeyError(name)


def loss_gradient(name: str, a: list[float], y: list[float]) -> list[float]:
    n = len(a)
    if name == "half_squared_error":
        return [a[j] - y[j] for j in range(n)]
    if name == "squared_error":
        return [2 * (a[j] - y[j]) for j in range(n)]
    if name == "mean_squared_error":
        return [2 * (a[j] - y[j]) / n for j in range(n)]
    if name == "binary_cross_entropy":
        return [-y[j] / a[j] + (1 - y[j]) / (1 - a[j]) for j in range(n)]
    if name == "cross_entropy":
        return [-y[j] / a[j] for j in range(n)]
    raise KeyError(name)


def _forward(Ws, bs, acts, x):
    zs, avs = [None], [list(x)]
    for W, b, act in zip(Ws, bs, acts, strict=True):
        prev = avs[-1]
        z = [sum(prev[i] * W[i][j] for i in range(len(prev))) + b[j] for j in range(len(b))]
        zs.append(z)
        avs.append(activation(act, z))
    return zs, avs


def step(Ws, bs, acts, loss_name, X, Y, lr):
    """One step of gradient descent on the batch (X, Y); W[i][j] joins input i to unit j.

    Returns a dict with per layer lists (index l - 1) of z, a, dL_da, jac, delta
    (each a list over examples), grad_W, grad_b, W_new, b_new, and loss, loss_after.
    """
    L = len(Ws)
    m = len(X)
    out = {key: [[] for _ in range(L)] for key in ("z", "a", "dL_da", "jac", "delta")}
    losses = []
    for x, y in zip(X, Y, strict=True):
        zs, avs = _forward(Ws, bs, acts, x)
        losses.append(loss(loss_name, avs[L], y))
        delta_next = None
        for l in range(L, 0, -1):
            n = len(bs[l - 1])
            if l == L:
                g = loss_gradient(loss_name, avs[L], y)
            else:
                W_next = Ws[l]
                # every path from unit j of layer l through the units k of layer l + 1
                g = [
                    sum(delta_next[k] * W_next[j][k] for k in range(len(delta_next)))
                    for j in range(n)
                ]
            J = jacobian(acts[l - 1], zs[l], avs[l])
            delta = [sum(J[i][j] * g[i] for i in range(n)) for j in range(n)]
            for key, value in (
                ("z", zs[l]),
                ("a", avs[l]),
                ("dL_da", g),
                ("jac", J),
                ("delta", delta),
            ):
                out[key][l - 1].append(value)
            delta_next = delta
    out["grad_W"], out["grad_b"], out["W_new"], out["b_new"] = [], [], [], []
    for l in range(1, L + 1):
        prev = X if l == 1 else out["a"][l - 2]
        n_in, n_out = len(Ws[l - 1]), len(bs[l - 1])
        deltas = out["delta"][l - 1]
        gW = [
            [sum(prev[k][i] * deltas[k][j] for k in range(m)) / m for j in range(n_out)]
            for i in range(n_in)
        ]
        gb = [sum(deltas[k][j] for k in range(m)) / m for j in range(n_out)]
        out["grad_W"].append(gW)
        out["grad_b"].append(gb)
        out["W_new"].append(
            [[Ws[l - 1][i][j] - lr * gW[i][j] for j in range(n_out)] for i in range(n_in)]
        )
        out["b_new"].append([bs[l - 1][j] - lr * gb[j] for j in range(n_out)])
    out["loss"] = sum(losses) / m
    after = [
        loss(loss_name, _forward(out["W_new"], out["b_new"], acts, x)[1][L], y)
        for x, y in zip(X, Y, strict=True)
    ]
    out["loss_after"] = sum(after) / m
    return out
