"""The engine against an independent implementation: PyTorch autograd (test-only).

Skipped only where torch is not installed; CI installs torch==2.13.0 so it runs.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from glassnet import ACTIVATIONS, explain_step, load_spec

from conftest import OUTPUT_LOSS, random_case

torch = pytest.importorskip("torch")

TORCH_ACTIVATIONS = {
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "elu": lambda z: torch.nn.functional.elu(z, alpha=1.0),
    "softplus": torch.nn.functional.softplus,
    "softmax": lambda z: torch.softmax(z, dim=1),
}

TORCH_LOSSES = {  # per example, summed over units; the batch loss is their mean
    "half_squared_error": lambda a, y: 0.5 * ((a - y) ** 2).sum(1),
    "squared_error": lambda a, y: ((a - y) ** 2).sum(1),
    "mean_squared_error": lambda a, y: ((a - y) ** 2).mean(1),
    "binary_cross_entropy": lambda a, y: -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(1),
    "cross_entropy": lambda a, y: -(y * torch.log(a)).sum(1),
}


def torch_step(net, X, Y, lr):
    """Loss, δ of each layer, gradients, updated parameters and loss after, by autograd."""
    Ws = [torch.tensor(layer.W, requires_grad=True) for layer in net.layers]
    bs = [torch.tensor(layer.b, requires_grad=True) for layer in net.layers]
    acts = [TORCH_ACTIVATIONS[layer.activation.name] for layer in net.layers]
    loss_fn = TORCH_LOSSES[net.loss.name]
    X, Y = torch.tensor(X), torch.tensor(Y)

    def forward(Ws, bs):
        a, zs = X, []
        for W, b, f in zip(Ws, bs, acts, strict=True):
            z = a @ W + b
            if z.requires_grad:
                z.retain_grad()
            zs.append(z)
            a = f(z)
        return a, zs

    a, zs = forward(Ws, bs)
    loss = loss_fn(a, Y).mean()
    loss.backward()
    m = X.shape[0]
    with torch.no_grad():
        W_new = [W - lr * W.grad for W in Ws]
        b_new = [b - lr * b.grad for b in bs]
        loss_after = loss_fn(forward(W_new, b_new)[0], Y).mean()
    return {
        "loss": loss.item(),
        "delta": [(z.grad * m).numpy() for z in zs],  # ∂L/∂z = δ / m
        "grad_W": [W.grad.numpy() for W in Ws],
        "grad_b": [b.grad.numpy() for b in bs],
        "W_new": [W.numpy() for W in W_new],
        "b_new": [b.numpy() for b in b_new],
        "loss_after": loss_after.item(),
    }


def assert_trace_matches_torch(net, X, Y, lr, rtol=1e-10):
    trace = explain_step(net, X, Y, lr)
    expected = torch_step(net, X, Y, lr)
    assert trace.loss == pytest.approx(expected["loss"], rel=rtol)
    assert trace.loss_after == pytest.approx(expected["loss_after"], rel=rtol)
    for l, layer in enumerate(trace.layers):
        for key in ("delta", "grad_W", "grad_b", "W_new", "b_new"):
            np.testing.assert_allclose(
                getattr(layer, key),
                expected[key][l],
                rtol=rtol,
                atol=1e-13,
                err_msg=f"layer {l + 1} {key}",
            )
    # the gradients without a recording (the fused δ_L where the pair has one)
    bp = net.gradients(X, Y)
    for l in range(len(net.layers)):
        np.testing.assert_allclose(bp.grad_W[l + 1], expected["grad_W"][l], rtol=rtol, atol=1e-13)
        np.testing.assert_allclose(bp.grad_b[l + 1], expected["grad_b"][l], rtol=rtol, atol=1e-13)
    # and training's own path (fit: a workspace's in-place pass, the step folded into
    # the products), one step on the whole batch
    trained = net.copy()
    trained.fit(X, Y, epochs=1, batch_size=None, shuffle=False, learning_rate=lr, verbose=False)
    for l, layer in enumerate(trained.layers):
        np.testing.assert_allclose(layer.W, expected["W_new"][l], rtol=rtol, atol=1e-13)
        np.testing.assert_allclose(layer.b, expected["b_new"][l], rtol=rtol, atol=1e-13)


@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
@pytest.mark.parametrize("hidden", list(ACTIVATIONS))
def test_every_combination_matches_torch(hidden, output, loss, m):
    seed = zlib.crc32(f"torch-{hidden}-{output}-{loss}-{m}".encode())
    net, X, Y = random_case(seed, [4, 5, 3], [hidden, output], loss, m)
    assert_trace_matches_torch(net, X, Y, lr=0.1)


def test_deep_network_matches_torch():
    acts = ["relu", "elu", "tanh", "softplus", "leaky_relu", "sigmoid", "softmax"]
    net, X, Y = random_case(17, [6, 8, 7, 6, 5, 6, 5, 4], acts, "cross_entropy", 8)
    assert_trace_matches_torch(net, X, Y, lr=0.05)


@pytest.mark.parametrize("name", ["seed000.toml", "seed001.toml", "seed003.toml"])
def test_examples_match_torch(name):
    from conftest import ROOT

    spec = load_spec(ROOT / "examples" / name)
    assert_trace_matches_torch(spec.network, spec.X, spec.Y, spec.learning_rate, rtol=1e-13)
