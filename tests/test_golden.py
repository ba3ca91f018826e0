"""Explanations stay bit for bit what they were: the speed work must not change them.

The hashes are of the float64 ``glassnet.trace/1`` documents as first recorded
(before the training path was optimised, at 07564ce), on these machines' NumPy
(OpenBLAS). A change of any digit of any number of a trace changes its hash.

NumPy's float64 exp, log1p and tanh take the CPU's widest instructions, and round
differently with AVX-512 than with AVX2 alone: the traces that use them can differ
in their last bits between the two kinds of machine (three of the cases here do).
Those cases have a hash for each, both recorded from 07564ce's code.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from glassnet import explain_step, load_spec

from conftest import EXAMPLES, random_case

GOLDEN = {
    "seed000.toml": "18504372586b9de7",
    "seed001.toml": "f52fa4c309ffe057",
    "seed003.toml": "85ba70ef293bb8e7",
    "relu-softmax-cross_entropy": "90444f43bb6296e2",
    "tanh-identity-half_squared_error": "417214b8387b0a48",
    "leaky_relu-softplus-mean_squared_error": "dd9e78c8cb720c33",
}
# the cases whose last bits follow the CPU's instructions (see above)
BY_CPU = {
    "AVX512_SKX": {
        "sigmoid-sigmoid-binary_cross_entropy": "35e1c1f48037a842",
        "elu-softmax-binary_cross_entropy": "b6004901ea6396d5",
        "softplus-tanh-squared_error": "517b5607a9e58a54",
    },
    "AVX2": {  # (AMD EPYC of family 25 model 1, 2026-11-27)
        "sigmoid-sigmoid-binary_cross_entropy": "bc46b49ee27e5d2f",
        "elu-softmax-binary_cross_entropy": "62739c771cc18d82",
        "softplus-tanh-squared_error": "3515e4f8ec89133c",
    },
}


def _cpu() -> str | None:
    """The widest of BY_CPU's instruction sets this CPU has, as NumPy sees it."""
    features = np._core._multiarray_umath.__cpu_features__
    return next((name for name in BY_CPU if features.get(name)), None)


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
    name = "-".join(case)
    if name in GOLDEN:
        expected = GOLDEN[name]
    else:
        if _cpu() is None:
            pytest.skip(f"{name}: its hash is recorded for x86-64 with AVX2 or AVX-512 only")
        expected = BY_CPU[_cpu()][name]
    assert digest(explain_step(net, X, Y, 0.05).to_dict()) == expected
