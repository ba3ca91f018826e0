"""Explanations stay bit for bit what they were: the speed work must not change them.

The hashes are of the float64 ``glassnet.trace/1`` documents as first recorded
(before the training path was optimised), on these machines' NumPy (OpenBLAS). A
change of any digit of any number of a trace changes its hash.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from glassnet import explain_step, load_spec

from conftest import EXAMPLES, random_case

GOLDEN = {
    "seed000.toml": "18504372586b9de7",
    "seed001.toml": "f52fa4c309ffe057",
    "seed003.toml": "85ba70ef293bb8e7",
    "relu-softmax-cross_entropy": "90444f43bb6296e2",
    "sigmoid-sigmoid-binary_cross_entropy": "35e1c1f48037a842",
    "tanh-identity-half_squared_error": "417214b8387b0a48",
    "elu-softmax-binary_cross_entropy": "b6004901ea6396d5",
    "leaky_relu-softplus-mean_squared_error": "dd9e78c8cb720c33",
    "softplus-tanh-squared_error": "517b5607a9e58a54",
}
CASES = [
    ("relu", "softmax", "cross_entropy"),
    ("sigmoid", "sigmoid", "binary_cross_entropy"),
    ("tanh", "identity", "half_squared_error"),
    ("elu", "softmax", "binary_cross_entropy"),
    ("leaky_relu", "softplus", "mean_squared_error"),
    ("softplus", "tanh", "squared_error"),
]


def digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document).encode()).hexdigest()[:16]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_unchanged(path):
    assert digest(load_spec(path).explain().to_dict()) == GOLDEN[path.name]


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_random_networks_unchanged(case):
    hidden, output, loss = case
    net, X, Y = random_case(
        100 + CASES.index(case), [5, 6, 4, 3], [hidden, hidden, output], loss, 4
    )
    assert digest(explain_step(net, X, Y, 0.05).to_dict()) == GOLDEN["-".join(case)]
