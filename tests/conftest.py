"""Shared helpers: random networks of every activation and loss, and their data."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from glassnet import ACTIVATIONS, LOSSES, Layer, Network

sys.path.insert(0, str(Path(__file__).parent))  # tests/reference.py

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
# the tests parametrized over them would otherwise be skipped, as "got empty parameter set"
assert EXAMPLES, f"no example specs in {ROOT / 'examples'}: run the tests from a checkout"

# The keys of the glassnet.trace/1 document, in order (docs/trace-format.md).
TOP_KEYS = [
    "format",
    "loss_name",
    "learning_rate",
    "input",
    "target",
    "loss",
    "loss_after",
    "layers",
]
LAYER_KEYS = [
    "index",
    "activation",
    "W",
    "b",
    "z",
    "a",
    "dL_da",
    "da_dz",
    "delta",
    "grad_W",
    "grad_b",
    "W_new",
    "b_new",
]

PROBABILITY_LOSSES = ("binary_cross_entropy", "cross_entropy")
# Output activations whose values lie in (0, 1), as the log of the cross-entropies needs.
PROBABILITY_OUTPUTS = ("sigmoid", "softmax")

# Every output activation with every loss that is defined on its values.
OUTPUT_LOSS = [
    (act, loss)
    for act in ACTIVATIONS
    for loss in LOSSES
    if loss not in PROBABILITY_LOSSES or act in PROBABILITY_OUTPUTS
]


def random_network(
    rng: np.random.Generator,
    sizes: list[int],
    activations: list[str],
    loss: str,
    dtype: str = "float64",
) -> Network:
    """Weights and biases drawn from N(0, 1): larger than an initialiser's, so that
    every activation is exercised away from its linear region."""
    layers = [
        Layer(rng.normal(size=(n_in, n_out)), rng.normal(size=n_out) * 0.5, ACTIVATIONS[act])
        for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations, strict=True)
    ]
    return Network(layers, loss=loss, dtype=dtype)


def random_batch(rng: np.random.Generator, net: Network, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs from N(0, 1) and targets that suit the loss and output activation."""
    X = rng.normal(size=(m, net.sizes[0]))
    n_out = net.sizes[-1]
    if net.loss.name == "cross_entropy":
        Y = np.eye(n_out)[rng.integers(0, n_out, size=m)]
    elif net.loss.name == "binary_cross_entropy":
        Y = rng.uniform(0, 1, size=(m, n_out))
    else:
        Y = rng.normal(size=(m, n_out))
    return X, Y


def random_case(
    seed: int, sizes: list[int], activations: list[str], loss: str, m: int
) -> tuple[Network, np.ndarray, np.ndarray]:
    """A random network and batch whose outputs stay clear of 0 and 1 for the cross-entropies.

    Near a = 0 or 1 the logs are ill-conditioned (at a within ~1e-16 of 1, ln(1 − a) has
    lost every digit) and a finite difference checks nothing there; such draws are redrawn.
    """
    rng = np.random.default_rng(seed)
    for _ in range(100):
        net = random_network(rng, sizes, activations, loss)
        X, Y = random_batch(rng, net, m)
        a = net.output(X)
        if loss not in PROBABILITY_LOSSES or (a.min() > 1e-4 and a.max() < 1 - 1e-4):
            return net, X, Y
    raise AssertionError("no well-conditioned draw")  # pragma: no cover


def assert_same_parameters(net: Network, other: Network) -> None:
    """Every layer's W and b of the two networks equal, bit for bit."""
    for a, b in zip(net.layers, other.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.b, b.b)
