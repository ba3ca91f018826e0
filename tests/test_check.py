"""`glassnet check`: every diagnosis on injected mistakes, correct worksheets, the seed
worksheets, and the command line (the glassnet.check/1 document, exit codes, templates,
mistakes in claims files).

The worksheets (tests/worksheets.py) are written from the true trace up to an injected
mistake, which is computed here with NumPy from the person's own numbers, and carried on
after it by the right formulas on the person's own (wrong) numbers.
"""

from __future__ import annotations

import ast
import decimal
import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import glassnet.check as check_module
from glassnet.check import (
    RULE_IDS,
    CheckReport,
    Claim,
    ClaimsError,
    _at_precision,
    check,
    parse_claims,
)
from glassnet.cli import main
from glassnet.io import export_spec
from glassnet.spec import load_spec, parse_spec

from conftest import random_case
from worksheets import (
    KEYS,
    W_SHAPED,
    Mistake,
    Person,
    Sheet,
    Slot,
    build_sheet,
    computation_order,
    loss_gradient,
    loss_terms,
    make_spec,
    nested,
    spec_toml,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STATUSES = ("right", "wrong", "carried")


def example_claims(seed: str) -> Path:
    """The claims file of a seed worksheet (examples/claims/ or examples/*-claims.toml)."""
    for path in (EXAMPLES / "claims" / f"{seed}.toml", EXAMPLES / f"{seed}-claims.toml"):
        if path.exists():
            return path
    raise AssertionError(f"no claims file for {seed}")  # pragma: no cover


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_check(sheet: Sheet, text: str) -> CheckReport:
    claims = parse_claims(text, sheet.spec, sheet.trace, "claims.toml")
    return check(sheet.spec, claims, sheet.trace)


# --- the injected mistakes -----------------------------------------------------------
# Each computes the mistaken value from the person's own numbers p[(layer, key)] (in_out,
# examples first), the spec's weights p.W[l - 1] and biases p.b[l - 1] before the step.


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def softmax_without_exp(l: int) -> Mistake:
    return lambda p: p[(l, "z")] / p[(l, "z")].sum(axis=1, keepdims=True)


def jacobian_diagonal_only(l: int) -> Mistake:
    def mistake(p: Person) -> np.ndarray:
        a = p[(l, "a")]
        return np.einsum("mi,ij->mij", a * (1 - a), np.eye(a.shape[1]))

    return mistake


def delta_diagonal_only(l: int) -> Mistake:
    # δ_j = ∂ℓ/∂a_j · J_jj: one path from z_j, through a_j only
    return lambda p: p[(l, "dL_da")] * np.diagonal(p[(l, "da_dz")], axis1=1, axis2=2)


def one_path(l: int, k: int) -> Mistake:
    # ∂ℓ/∂a_j = δ_{l+1,k} W_{l+1}[j, k] for the one unit k, not the sum over k
    return lambda p: p[(l + 1, "delta")][:, [k]] * p.W[l][:, k][None, :]


def bce_second_sign(p: Person) -> np.ndarray:
    a, y = p[(p.L, "a")], p.Y
    return -y / a - (1 - y) / (1 - a)


def mean_loss(terms: np.ndarray) -> np.ndarray:
    return np.asarray(terms.sum(axis=1).mean())


def updated_weights_backward(l: int) -> Mistake:
    # ∂ℓ/∂a_l from W_{l+1} after its update: W − η (a_lᵀ δ_{l+1} / m), as the person writes
    # their grad_W and W_new of layer l + 1 (the same numbers their sheet shows later)
    def mistake(p: Person) -> np.ndarray:
        grad = p.write(p[(l, "a")].T @ p[(l + 1, "delta")] / p.m)
        W_new = p.write(p.W[l] - p.eta * grad)
        return p[(l + 1, "delta")] @ W_new.T

    return mistake


def positive_output(data: dict[str, Any]) -> None:
    """Make the last layer's weights and biases positive: with a positive hidden layer, every
    z of the output is positive and z / Σz is a probability (its logs are defined)."""
    last = data["layer"][-1]
    last["weights"] = np.abs(last["weights"]).tolist()
    last["bias"] = np.abs(last["bias"]).tolist()


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    m: int
    layout: str
    inject: Slot
    mistake: Mistake
    carry: tuple[Slot, ...] = ()  # slots that must show the mistake carried
    learning_rate: float = 0.1
    transform: Callable[[dict[str, Any]], None] | None = None
    vectors: bool = True  # one example written as vectors (else as 1-row matrices)
    elements: bool = False  # the injected slot written element by element

    def __str__(self) -> str:
        return f"{self.rule}-{self.name}"


SIG, TANH, RELU, ID, SOFT = "sigmoid", "tanh", "relu", "identity", "softmax"
HSE, SE, BCE, CE = "half_squared_error", "squared_error", "binary_cross_entropy", "cross_entropy"
MSE = "mean_squared_error"

# fmt: off
CASES = [
    # softmax_without_exp: a = z / Σz
    Case(
        "softmax_without_exp", "output-hse-m1", (3, 4, 3), (SIG, SOFT), HSE, 1, "in_out",
        (2, "a"), softmax_without_exp(2),
        carry=((None, "loss"), (2, "dL_da"), (2, "delta"), (2, "grad_W"), (None, "loss_after")),
    ),
    Case(
        "softmax_without_exp", "output-ce-m3", (2, 3, 3), (SIG, SOFT), CE, 3, "out_in",
        (2, "a"), softmax_without_exp(2),
        carry=((None, "loss_terms"), (None, "loss"), (2, "dL_da"), (2, "delta"), (1, "dL_da")),
        transform=positive_output,
    ),
    Case(
        "softmax_without_exp", "hidden-bce-m1", (3, 3, 2), (SOFT, SIG), BCE, 1, "in_out",
        (1, "a"), softmax_without_exp(1),
        carry=((2, "z"), (2, "a"), (None, "loss"), (2, "dL_da")), elements=True,
    ),
    # softmax_diagonal_only: the Jacobian without −a_i a_j, or δ_j = ∂ℓ/∂a_j J_jj
    Case(
        "softmax_diagonal_only", "jacobian-ce-m1", (3, 4, 3), (TANH, SOFT), CE, 1, "out_in",
        (2, "da_dz"), jacobian_diagonal_only(2),
        carry=((2, "delta"), (1, "dL_da"), (1, "delta"), (2, "grad_W"), (2, "W_new")),
    ),
    Case(
        "softmax_diagonal_only", "delta-hse-m3", (2, 3, 4), (RELU, SOFT), HSE, 3, "in_out",
        (2, "delta"), delta_diagonal_only(2),
        carry=((1, "dL_da"), (2, "grad_W"), (2, "grad_b"), (2, "W_new")),
    ),
    Case(
        "softmax_diagonal_only", "delta-bce-m1", (3, 3, 3), (SIG, SOFT), BCE, 1, "in_out",
        (2, "delta"), delta_diagonal_only(2),
        carry=((1, "dL_da"), (2, "grad_W")), vectors=False, elements=True,
    ),
    # missing_path_sum: ∂ℓ/∂a_j from one unit k of the next layer
    Case(
        "missing_path_sum", "sigmoid-bce-m1", (3, 4, 3), (SIG, SIG), BCE, 1, "in_out",
        (1, "dL_da"), one_path(1, 0),
        carry=((1, "delta"), (1, "grad_W"), (1, "W_new"), (None, "loss_after")),
    ),
    Case(
        "missing_path_sum", "tanh-se-m3", (2, 3, 3, 2), (TANH, TANH, ID), SE, 3, "out_in",
        (2, "dL_da"), one_path(2, 1),
        carry=((2, "delta"), (1, "dL_da"), (1, "delta"), (2, "grad_W"), (1, "grad_W")),
    ),
    Case(
        "missing_path_sum", "softmax-ce-m1", (2, 3, 3), (RELU, SOFT), CE, 1, "out_in",
        (1, "dL_da"), one_path(1, 2),
        carry=((1, "grad_W"), (1, "W_new")), elements=True,
    ),
    # weights_skipped: ∂ℓ/∂a_l = δ_{l+1}, without W_{l+1} (layers of equal width)
    Case(
        "weights_skipped", "sigmoid-hse-m1", (2, 3, 3), (SIG, SIG), HSE, 1, "in_out",
        (1, "dL_da"), lambda p: p[(2, "delta")].copy(),
        carry=((1, "delta"), (1, "grad_W"), (1, "W_new")),
    ),
    Case(
        "weights_skipped", "tanh-se-m3", (2, 3, 3, 3), (TANH, TANH, ID), SE, 3, "out_in",
        (2, "dL_da"), lambda p: p[(3, "delta")].copy(),
        carry=((2, "delta"), (1, "dL_da"), (2, "grad_W")),
    ),
    # input_missing: ∂L/∂W_ij = mean of δ_j, without the input a_i
    Case(
        "input_missing", "output-hse-m1", (3, 4, 2), (SIG, ID), HSE, 1, "out_in",
        (2, "grad_W"), lambda p: np.ones_like(p.a_prev(2)).T @ p[(2, "delta")],
        carry=((2, "W_new"), (None, "loss_after")),
    ),
    Case(
        "input_missing", "first-bce-m3", (3, 4, 2), (TANH, SIG), BCE, 3, "in_out",
        (1, "grad_W"), lambda p: np.ones_like(p.a_prev(1)).T @ p[(1, "delta")] / 3,
        carry=((1, "W_new"),),
    ),
    # derivative_for_input: ∂L/∂W_ij = mean of δ_j f′(z_j), ∂z_j/∂w_ij taken as f′(z_j)
    Case(
        "derivative_for_input", "output-hse-m1", (3, 4, 2), (SIG, SIG), HSE, 1, "in_out",
        (2, "grad_W"),
        lambda p: np.ones_like(p.a_prev(2)).T @ (p[(2, "delta")] * p[(2, "da_dz")]),
        carry=((2, "W_new"), (None, "loss_after")),
    ),
    Case(
        "derivative_for_input", "first-bce-m3", (3, 4, 2), (TANH, SIG), BCE, 3, "out_in",
        (1, "grad_W"),
        lambda p: np.ones_like(p.a_prev(1)).T @ (p[(1, "delta")] * p[(1, "da_dz")]) / 3,
        carry=((1, "W_new"),),
    ),
    # weight_in_gradient: ∂L/∂W_ij = mean of a_i δ_j w_ij, ∂z_j/∂w_ij taken as w_ij a_i
    Case(
        "weight_in_gradient", "output-hse-m1", (3, 4, 2), (SIG, ID), HSE, 1, "out_in",
        (2, "grad_W"), lambda p: p.a_prev(2).T @ p[(2, "delta")] * p.W[1],
        carry=((2, "W_new"), (None, "loss_after")),
    ),
    Case(
        "weight_in_gradient", "first-bce-m3", (3, 4, 2), (TANH, SIG), BCE, 3, "in_out",
        (1, "grad_W"), lambda p: p.a_prev(1).T @ p[(1, "delta")] / 3 * p.W[0],
        carry=((1, "W_new"),),
    ),
    # loss_derivative_sign: −∂ℓ/∂a, or the (1 − y)/(1 − a) term of BCE with the wrong sign
    Case(
        "loss_derivative_sign", "hse-m1", (3, 4, 2), (SIG, ID), HSE, 1, "out_in",
        (2, "dL_da"), lambda p: p.Y - p[(2, "a")],
        carry=((2, "delta"), (1, "dL_da"), (2, "grad_W"), (2, "W_new")),
    ),
    Case(
        "loss_derivative_sign", "bce-m3", (3, 3, 3), (RELU, SIG), BCE, 3, "in_out",
        (2, "dL_da"), bce_second_sign,
        carry=((2, "delta"), (1, "dL_da"), (2, "grad_b"), (2, "b_new")),
    ),
    Case(
        "loss_derivative_sign", "ce-m1", (2, 3, 3), (TANH, SOFT), CE, 1, "in_out",
        (2, "dL_da"), lambda p: p.Y / p[(2, "a")],
        carry=((2, "delta"), (1, "dL_da")), vectors=False,
    ),
    # half_factor: ½ or 2 missing or extra in a squared error's derivative or loss
    Case(
        "half_factor", "hse-dL_da-m1", (3, 3, 2), (SIG, TANH), HSE, 1, "in_out",
        (2, "dL_da"), lambda p: 2 * (p[(2, "a")] - p.Y),
        carry=((2, "delta"), (1, "dL_da"), (1, "delta")),
    ),
    Case(
        "half_factor", "se-dL_da-m3", (2, 4, 3), (RELU, SIG), SE, 3, "out_in",
        (2, "dL_da"), lambda p: p[(2, "a")] - p.Y,
        carry=((2, "delta"), (2, "grad_W"), (2, "W_new"), (None, "loss_after")),
    ),
    Case(
        "half_factor", "se-loss-m1", (3, 2, 2), (TANH, ID), SE, 1, "out_in",
        (None, "loss"), lambda p: mean_loss(0.5 * (p[(2, "a")] - p.Y) ** 2),
    ),
    Case(
        "half_factor", "hse-loss-m3", (2, 3, 2), (SIG, SIG), HSE, 3, "in_out",
        (None, "loss"), lambda p: mean_loss((p[(2, "a")] - p.Y) ** 2),
    ),
    Case(  # the terms as the loss's: the ½ there too
        "half_factor", "se-loss_terms-m3", (2, 3, 2), (TANH, SIG), SE, 3, "in_out",
        (None, "loss_terms"), lambda p: 0.5 * (p[(2, "a")] - p.Y) ** 2,
    ),
    # unit_mean: mean_squared_error's 1/n over the output units left out (or taken twice)
    Case(
        "unit_mean", "dL_da-m1", (3, 3, 3), (SIG, TANH), MSE, 1, "in_out",
        (2, "dL_da"), lambda p: 2 * (p[(2, "a")] - p.Y),
        carry=((2, "delta"), (1, "dL_da"), (1, "delta")),
    ),
    Case(
        "unit_mean", "loss_terms-m3", (2, 3, 3), (RELU, SIG), MSE, 3, "out_in",
        (None, "loss_terms"), lambda p: (p[(2, "a")] - p.Y) ** 2,
    ),
    Case(
        "unit_mean", "loss-m1", (3, 2, 4), (TANH, ID), MSE, 1, "out_in",
        (None, "loss"), lambda p: mean_loss((p[(2, "a")] - p.Y) ** 2),
    ),
    # mean_vs_sum: the batch's gradient or loss summed, not averaged over m
    Case(
        "mean_vs_sum", "grad_W-bce", (3, 4, 2), (SIG, SIG), BCE, 3, "out_in",
        (2, "grad_W"), lambda p: p[(1, "a")].T @ p[(2, "delta")],
        carry=((2, "W_new"), (None, "loss_after")),
    ),
    Case(
        "mean_vs_sum", "grad_b-hse", (2, 3, 2), (TANH, ID), HSE, 3, "in_out",
        (1, "grad_b"), lambda p: p[(1, "delta")].sum(axis=0),
        carry=((1, "b_new"), (None, "loss_after")),
    ),
    Case(
        "mean_vs_sum", "loss-ce", (2, 3, 3), (RELU, SOFT), CE, 3, "in_out",
        (None, "loss"), lambda p: np.asarray(loss_terms(CE, p[(2, "a")], p.Y).sum()),
    ),
    Case(
        "mean_vs_sum", "W_new-hse", (2, 3, 2), (TANH, ID), HSE, 3, "in_out",
        (2, "W_new"), lambda p: p.W[1] - p.eta * p.m * p[(2, "grad_W")],
        carry=((None, "loss_after"),),
    ),
    # derivative_missing: δ = ∂ℓ/∂a
    Case(
        "derivative_missing", "output-se-m1", (3, 4, 2), (TANH, SIG), SE, 1, "out_in",
        (2, "delta"), lambda p: p[(2, "dL_da")].copy(),
        carry=((1, "dL_da"), (1, "delta"), (2, "grad_W"), (2, "W_new"), (None, "loss_after")),
    ),
    Case(
        "derivative_missing", "hidden-hse-m3", (2, 3, 2), (SIG, ID), HSE, 3, "in_out",
        (1, "delta"), lambda p: p[(1, "dL_da")].copy(),
        carry=((1, "grad_W"), (1, "grad_b"), (1, "W_new"), (1, "b_new")),
    ),
    Case(
        "derivative_missing", "da_dz-m1", (3, 4, 2), (SIG, SIG), BCE, 1, "in_out",
        (1, "da_dz"), lambda p: np.ones_like(p[(1, "z")]),
        carry=((1, "delta"), (1, "grad_W")),
    ),
    # derivative_as_activation: f(z) for f'(z)
    Case(
        "derivative_as_activation", "da_dz-sigmoid-m1", (3, 3, 2), (SIG, SIG), BCE, 1, "in_out",
        (1, "da_dz"), lambda p: sigmoid(p[(1, "z")]),
        carry=((1, "delta"), (1, "grad_W"), (1, "W_new")),
    ),
    Case(
        "derivative_as_activation", "delta-tanh-m3", (2, 3, 3), (RELU, TANH), HSE, 3, "out_in",
        (2, "delta"), lambda p: p[(2, "dL_da")] * np.tanh(p[(2, "z")]),
        carry=((1, "dL_da"), (2, "grad_W"), (2, "W_new")),
    ),
    # bias_missing: z = a W, the bias left out of the forward pass
    Case(
        "bias_missing", "z-m1", (3, 3, 2), (SIG, ID), HSE, 1, "out_in",
        (1, "z"), lambda p: p.X @ p.W[0],
        carry=((1, "a"), (2, "z"), (2, "a"), (None, "loss"), (2, "dL_da")),
    ),
    Case(
        "bias_missing", "z-m3", (2, 3, 3), (TANH, SIG), BCE, 3, "in_out",
        (2, "z"), lambda p: p[(1, "a")] @ p.W[1],
        carry=((2, "a"), (None, "loss"), (2, "dL_da")),
    ),
    # bias_after_activation: a = f(z − b) + b, the bias added after f (seed 000)
    Case(
        "bias_after_activation", "hidden-m1", (3, 4, 2), (SIG, ID), HSE, 1, "in_out",
        (1, "a"), lambda p: sigmoid(p[(1, "z")] - p.b[0]) + p.b[0],
        carry=((2, "z"), (2, "a"), (None, "loss"), (2, "dL_da")),
    ),
    Case(
        "bias_after_activation", "output-m3", (2, 3, 2), (TANH, SIG), HSE, 3, "out_in",
        (2, "a"), lambda p: sigmoid(p[(2, "z")] - p.b[1]) + p.b[1],
        carry=((None, "loss"), (2, "dL_da"), (2, "delta")),
    ),
    Case(
        "bias_after_activation", "tanh-elements-m3", (2, 3, 2), (TANH, ID), SE, 3, "in_out",
        (1, "a"), lambda p: np.tanh(p[(1, "z")] - p.b[0]) + p.b[0],
        carry=((2, "z"), (None, "loss")), elements=True,
    ),
    # transposed_weights: z = a Wᵀ + b, or ∂ℓ/∂a = δ W
    Case(
        "transposed_weights", "z-m1", (3, 3, 2), (SIG, ID), HSE, 1, "out_in",
        (1, "z"), lambda p: p.X @ p.W[0].T + p.b[0],
        carry=((1, "a"), (2, "z"), (2, "a"), (None, "loss"), (2, "dL_da")),
    ),
    Case(
        "transposed_weights", "z-m3", (2, 3, 3), (TANH, SIG), BCE, 3, "in_out",
        (2, "z"), lambda p: p[(1, "a")] @ p.W[1].T + p.b[1],
        carry=((2, "a"), (None, "loss"), (2, "dL_da")),
    ),
    Case(
        "transposed_weights", "dL_da-m3", (2, 3, 3), (TANH, SIG), BCE, 3, "in_out",
        (1, "dL_da"), lambda p: p[(2, "delta")] @ p.W[1],
        carry=((1, "delta"), (1, "grad_W"), (1, "W_new")),
    ),
    Case(
        "transposed_weights", "grad_W-m1", (3, 3, 2), (SIG, ID), HSE, 1, "in_out",
        (1, "grad_W"), lambda p: (p.X.T @ p[(1, "delta")] / p.m).T,
        carry=((1, "W_new"),),
    ),
    # z_a_confused: f′ from z where the formula takes a (z(1 − z)), f′ at a, z from z
    Case(
        "z_a_confused", "da_dz-sigmoid-m1", (3, 3, 2), (SIG, SIG), BCE, 1, "in_out",
        (1, "da_dz"), lambda p: p[(1, "z")] * (1 - p[(1, "z")]),
        carry=((1, "delta"), (1, "grad_W"), (1, "W_new")),
    ),
    Case(
        "z_a_confused", "z-m3", (2, 3, 2), (TANH, ID), HSE, 3, "out_in",
        (2, "z"), lambda p: p[(1, "z")] @ p.W[1] + p.b[1],
        carry=((2, "a"), (None, "loss"), (2, "dL_da")),
    ),
    Case(
        "z_a_confused", "delta-tanh-at-a-m3", (2, 3, 3), (TANH, SIG), BCE, 3, "in_out",
        (1, "delta"), lambda p: p[(1, "dL_da")] * (1 - np.tanh(p[(1, "a")]) ** 2),
        carry=((1, "grad_W"), (1, "W_new")),
    ),
    # batch_derivative: ∂ℓ/∂a_L written as that of the batch's mean, (a − y) / m
    Case(
        "batch_derivative", "hse-m3", (2, 3, 2), (SIG, ID), HSE, 3, "in_out",
        (2, "dL_da"), lambda p: (p[(2, "a")] - p.Y) / p.m,
        carry=((2, "delta"), (2, "grad_W"), (2, "W_new")),
    ),
    Case(
        "batch_derivative", "ce-m3", (3, 4, 3), (TANH, SOFT), CE, 3, "out_in",
        (2, "dL_da"), lambda p: loss_gradient(CE, p[(2, "a")], p.Y) / p.m,
        carry=((2, "delta"),),
    ),
    # updated_weights_in_backward: ∂ℓ/∂a_l = δ_{l+1} W_new_{l+1}ᵀ
    Case(
        "updated_weights_in_backward", "sigmoid-m1", (3, 3, 2), (SIG, SIG), HSE, 1, "in_out",
        (1, "dL_da"), updated_weights_backward(1),
        carry=((1, "delta"), (1, "grad_W")), learning_rate=1.0,
    ),
    Case(
        "updated_weights_in_backward", "softmax-m3", (2, 4, 3), (TANH, SOFT), CE, 3, "out_in",
        (1, "dL_da"), updated_weights_backward(1),
        carry=((1, "delta"), (1, "grad_b"), (1, "b_new")), learning_rate=2.0,
    ),
    # bias_not_updated: b_new = b
    Case(
        "bias_not_updated", "layer1-m1", (3, 4, 2), (SIG, SIG), BCE, 1, "in_out",
        (1, "b_new"), lambda p: p.b[0].copy(), carry=((None, "loss_after"),),
        learning_rate=0.5,
    ),
    Case(
        "bias_not_updated", "layer2-m3", (2, 3, 2), (RELU, ID), HSE, 3, "out_in",
        (2, "b_new"), lambda p: p.b[1].copy(), carry=((None, "loss_after"),),
    ),
    Case(  # ∂L/∂b = 0: the bias left out of the chain
        "bias_not_updated", "grad_b-m3", (2, 3, 2), (TANH, ID), HSE, 3, "in_out",
        (1, "grad_b"), lambda p: np.zeros_like(p.b[0]), carry=((1, "b_new"),),
    ),
    # update_sign: θ + η∇
    Case(
        "update_sign", "W-m1", (3, 3, 2), (TANH, SIG), BCE, 1, "out_in",
        (2, "W_new"), lambda p: p.W[1] + p.eta * p[(2, "grad_W")],
        carry=((None, "loss_after"),), learning_rate=0.5,
    ),
    Case(
        "update_sign", "b-m3", (2, 4, 3), (SIG, SOFT), CE, 3, "in_out",
        (1, "b_new"), lambda p: p.b[0] + p.eta * p[(1, "grad_b")],
        carry=((None, "loss_after"),), learning_rate=0.5,
    ),
    Case(
        "update_sign", "W-elements-m3", (2, 3, 2), (RELU, TANH), SE, 3, "out_in",
        (1, "W_new"), lambda p: p.W[0] + p.eta * p[(1, "grad_W")],
        carry=((None, "loss_after"),), elements=True,
    ),
    # learning_rate: θ − ∇ (η left out) or θ − η²∇
    Case(
        "learning_rate", "W-missing-m1", (3, 3, 2), (SIG, SIG), HSE, 1, "in_out",
        (2, "W_new"), lambda p: p.W[1] - p[(2, "grad_W")],
        carry=((None, "loss_after"),), learning_rate=0.3,
    ),
    Case(
        "learning_rate", "b-twice-m3", (2, 3, 2), (TANH, SOFT), CE, 3, "out_in",
        (1, "b_new"), lambda p: p.b[0] - p.eta**2 * p[(1, "grad_b")],
        carry=((None, "loss_after"),), learning_rate=0.3,
    ),
    # bias_with_input: ∂L/∂b_j = mean of δ_j times an input, as a weight's
    Case(
        "bias_with_input", "x1-m1", (2, 3, 2), (SIG, ID), HSE, 1, "out_in",
        (1, "grad_b"), lambda p: (p.X[:, [0]] * p[(1, "delta")]).sum(axis=0) / p.m,
        carry=((1, "b_new"),),
    ),
    Case(
        "bias_with_input", "a2-m3", (2, 3, 2), (TANH, SIG), BCE, 3, "in_out",
        (2, "grad_b"), lambda p: (p[(1, "a")][:, [1]] * p[(2, "delta")]).sum(axis=0) / p.m,
        carry=((2, "b_new"),),
    ),
    # update_times_weight: θ − η θ ⊙ ∇
    Case(
        "update_times_weight", "m1", (3, 4, 2), (SIG, ID), SE, 1, "in_out",
        (1, "W_new"), lambda p: p.W[0] - p.eta * p.W[0] * p[(1, "grad_W")],
        carry=((None, "loss_after"),), learning_rate=0.5,
    ),
    Case(
        "update_times_weight", "m3", (2, 3, 3), (TANH, SOFT), HSE, 3, "out_in",
        (2, "W_new"), lambda p: p.W[1] - p.eta * p.W[1] * p[(2, "grad_W")],
        carry=((None, "loss_after"),), learning_rate=0.5,
    ),
    # log10: base-10 logarithms in the loss
    Case(
        "log10", "loss-bce-m1", (3, 3, 2), (SIG, SIG), BCE, 1, "in_out",
        (None, "loss"), lambda p: mean_loss(loss_terms(BCE, p[(2, "a")], p.Y, np.log10)),
    ),
    Case(
        "log10", "loss-ce-m3", (2, 4, 3), (RELU, SOFT), CE, 3, "out_in",
        (None, "loss"), lambda p: mean_loss(loss_terms(CE, p[(2, "a")], p.Y, np.log10)),
    ),
    Case(
        "log10", "loss_terms-bce-m3", (2, 3, 2), (TANH, SIG), BCE, 3, "in_out",
        (None, "loss_terms"), lambda p: loss_terms(BCE, p[(2, "a")], p.Y, np.log10),
    ),
]
# fmt: on


def solve(case: Case, omit: tuple[Slot, ...] = ()) -> Sheet:
    """The first seed whose worksheet shows the mistake clearly (see Sheet.clean)."""
    for seed in range(60):
        spec, _ = make_spec(
            seed,
            list(case.sizes),
            list(case.activations),
            case.loss,
            case.m,
            layout=case.layout,
            learning_rate=case.learning_rate,
            transform=case.transform,
        )
        sheet = build_sheet(spec, inject=case.inject, mistake=case.mistake, omit=omit)
        if sheet.clean(tuple(slot for slot in case.carry if slot not in omit)):
            return sheet
    raise AssertionError(f"{case}: no seed shows the mistake clearly")  # pragma: no cover


def test_every_rule_has_cases() -> None:
    tested = {case.rule for case in CASES}
    assert tested == set(RULE_IDS) - {"arithmetic", "rounded_inputs"}
    for rule in tested:
        cases = [case for case in CASES if case.rule == rule]
        assert {case.layout for case in cases} == {"in_out", "out_in"}, rule
        ms = {case.m for case in cases}
        assert ms == ({3} if rule in ("mean_vs_sum", "batch_derivative") else {1, 3}), rule


@pytest.mark.parametrize("case", CASES, ids=str)
def test_diagnosis_of_an_injected_mistake(case: Case) -> None:
    sheet = solve(case)
    elements = (case.inject,) if case.elements else ()
    report = run_check(sheet, sheet.claims_toml(vectors=case.vectors, elements=elements))
    assert_report(case, sheet, report)


def case_named(name: str) -> Case:
    (case,) = [c for c in CASES if str(c) == name]
    return case


# Worksheets with gaps: where the person wrote nothing, their own value is what their
# earlier numbers imply, and what follows from it is still carried.
GAPS = [
    ("transposed_weights-z-m1", ((1, "a"), (2, "z"))),
    ("missing_path_sum-tanh-se-m3", ((2, "da_dz"), (2, "delta"), (1, "dL_da"))),
    ("derivative_missing-hidden-hse-m3", ((1, "grad_W"), (1, "grad_b"))),
    ("softmax_diagonal_only-jacobian-ce-m1", ((2, "delta"), (1, "dL_da"), (2, "grad_W"))),
    ("update_sign-W-m1", ((2, "b_new"), (1, "W_new"))),
]


@pytest.mark.parametrize(("name", "omit"), GAPS, ids=[name for name, _ in GAPS])
def test_carried_through_gaps(name: str, omit: tuple[Slot, ...]) -> None:
    case = case_named(name)
    sheet = solve(case, omit)
    assert not set(omit) & set(sheet.written)
    report = run_check(sheet, sheet.claims_toml(vectors=case.vectors))
    assert_report(case, sheet, report, omit)


# A hidden ∂ℓ/∂a computed from an unwritten δ of the next layer made under a known
# mistake: the mistake is named at ∂ℓ/∂a, the first number that shows it.
UPSTREAM = [
    (
        Case(
            "softmax_diagonal_only",
            "upstream-hse-m1",
            (3, 4, 3),
            (TANH, SOFT),
            HSE,
            1,
            "out_in",
            (1, "dL_da"),
            lambda p: delta_diagonal_only(2)(p) @ p.W[1].T,
            carry=((1, "delta"), (1, "grad_W")),
        ),
        ((2, "delta"),),
    ),
    (
        Case(
            "derivative_missing",
            "upstream-hse-m3",
            (2, 4, 3),
            (SIG, SIG),
            HSE,
            3,
            "in_out",
            (1, "dL_da"),
            lambda p: p[(2, "dL_da")] @ p.W[1].T,
            carry=((1, "delta"), (1, "grad_W"), (1, "W_new")),
        ),
        ((2, "delta"),),
    ),
]


@pytest.mark.parametrize(("case", "omit"), UPSTREAM, ids=[str(c) for c, _ in UPSTREAM])
def test_a_mistake_in_an_unwritten_delta_is_named_at_the_gradient_below(
    case: Case, omit: tuple[Slot, ...]
) -> None:
    sheet = solve(case, omit)
    report = run_check(sheet, sheet.claims_toml(vectors=case.vectors))
    assert_report(case, sheet, report, omit)


def assert_report(
    case: Case, sheet: Sheet, report: CheckReport, omit: tuple[Slot, ...] = ()
) -> None:
    """Every finding as the worksheet expects; the rule diagnosed at the injected place."""
    expected = sheet.expected()
    found = {
        (f.layer, f.key, sheet.trace_index((f.layer, f.key), f.index)): f for f in report.findings
    }
    assert len(report.findings) == len(found) == sum(s.size for s in expected.values())
    for slot, statuses in expected.items():
        for index in np.ndindex(statuses.shape):
            f = found[(*slot, index)]
            assert f.status == statuses[index], f"{slot} {index}: {f.message}"
            assert f.claimed == pytest.approx(sheet.written[slot][index], abs=1e-12)
            assert f.correct == pytest.approx(sheet.true[slot][index], rel=1e-9, abs=1e-12)
            if f.status == "wrong":
                assert case.rule in f.diagnosis, f.message
                assert "arithmetic" not in f.diagnosis, f.message
                assert case.rule in f.message
            else:
                assert f.diagnosis == [], f.message
    # the error entered at the injected place, at its first wrong element
    first = report.first_error
    assert first is not None
    assert (first.layer, first.key) == case.inject
    wrong = [
        i for i in np.ndindex(expected[case.inject].shape) if expected[case.inject][i] == "wrong"
    ]
    assert first.index == sheet.written_index(case.inject, wrong[0])
    assert report.to_dict()["first_error"] == {
        "layer": first.layer,
        "key": first.key,
        "index": list(first.index),
    }
    # only the injected place is wrong; the mistake is carried where it was carried on
    assert {f.status for f in report.findings if (f.layer, f.key) != case.inject} <= {
        "right",
        "carried",
    }
    for slot in (slot for slot in case.carry if slot not in omit):
        carried = [f for f in report.findings if (f.layer, f.key) == slot and f.status == "carried"]
        assert carried, f"{slot} not carried"
        for f in carried:
            assert f.from_own_values is not None
            assert abs(f.from_own_values - f.claimed) < 1e-6


@pytest.mark.parametrize(
    ("name", "says", "not_said"),
    [
        ("z_a_confused-da_dz-sigmoid-m1", "not σ′(a)", "next layer's z"),
        ("z_a_confused-z-m3", "z is formed from the layer below's a", "σ′"),
    ],
)
def test_a_mistake_explained_as_it_shows_where_it_is(name: str, says: str, not_said: str) -> None:
    """z and a confused: in f′, that f′ is taken at z; in a z, that it is formed from a."""
    case = case_named(name)
    sheet = solve(case)
    report = run_check(sheet, sheet.claims_toml(vectors=case.vectors))
    first = report.first_error
    assert first is not None and first.diagnosis == ["z_a_confused"]
    assert says in first.message and not_said not in first.message, first.message


def test_a_mistake_made_twice_is_wrong_twice() -> None:
    """A later place where the same mistake is made again (not carried) is wrong again,
    with the same diagnosis: update_sign on every layer."""
    spec, _ = make_spec(3, [3, 3, 2], [SIG, SIG], BCE, 1, layout="out_in", learning_rate=0.5)

    def both(p: Person) -> np.ndarray:
        return p.W[0] + p.eta * p[(1, "grad_W")]

    sheet = build_sheet(spec, inject=(1, "W_new"), mistake=both)
    person = Person(spec, 6)
    person.own = dict(sheet.written)
    sheet.written[(2, "W_new")] = person.write(person.W[1] + person.eta * person[(2, "grad_W")])
    person.own[(2, "W_new")] = sheet.written[(2, "W_new")]
    sheet.written[(None, "loss_after")] = person.write(person.correct((None, "loss_after")))
    report = run_check(sheet, sheet.claims_toml())
    by_slot: dict[tuple[Any, str], set[str]] = {}
    for f in report.findings:
        by_slot.setdefault((f.layer, f.key), set()).add(f.status)
        if f.status == "wrong":
            assert "update_sign" in f.diagnosis
    assert "wrong" in by_slot[(1, "W_new")] and "wrong" in by_slot[(2, "W_new")]
    assert report.first_error is not None and report.first_error.key == "W_new"
    assert report.first_error.layer == 1
    assert by_slot[(None, "loss_after")] == {"carried"}


def test_loss_carried_from_own_loss_terms() -> None:
    """ℓ = Σ_j terms_j: a loss summed from the person's own wrong loss_terms is carried."""
    for seed in range(20):
        spec, _ = make_spec(seed, [2, 3, 2], [TANH, SIG], BCE, 3)
        sheet = build_sheet(
            spec,
            inject=(None, "loss_terms"),
            mistake=lambda p: loss_terms(BCE, p[(2, "a")], p.Y, np.log10),
            upto=(None, "loss_terms"),
        )
        if sheet.clean():
            break
    terms = sheet.written[(None, "loss_terms")]
    loss = float(f"{terms.sum(axis=1).mean():.6f}")
    text = sheet.claims_toml() + f"loss = {loss:.6f}\n"
    report = run_check(sheet, text)
    (finding,) = [f for f in report.findings if f.key == "loss"]
    assert report.first_error is not None and report.first_error.key == "loss_terms"
    assert finding.status == "carried", finding.message


# --- correct worksheets ---------------------------------------------------------------

CORRECT = [
    # sizes, activations, loss, m, layout, learning rate
    ((3, 4, 3), (SIG, SOFT), CE, 1, "in_out", 0.1),
    ((2, 3, 2), (TANH, ID), HSE, 3, "out_in", 0.5),
    ((3, 3, 2, 2), (RELU, TANH, SIG), BCE, 3, "in_out", 0.2),
    ((2, 4, 3), (SIG, SOFT), SE, 1, "out_in", 1.0),
    ((2, 3, 3), (TANH, SOFT), CE, 3, "out_in", 0.3),
    ((3, 2, 3), (RELU, ID), "mean_squared_error", 3, "in_out", 0.1),
]


def write_spec(tmp_path: Path, seed: int, params: tuple[Any, ...]) -> tuple[Path, Any]:
    """The spec file: export_spec for in_out, our own TOML for out_in."""
    sizes, activations, loss, m, layout, lr = params
    path = tmp_path / "spec.toml"
    if layout == "in_out":
        net, X, Y = random_case(seed, list(sizes), list(activations), loss, m)
        export_spec(net, path, X, Y, learning_rate=lr)
    else:
        _, data = make_spec(seed, list(sizes), list(activations), loss, m, layout=layout)
        data["learning_rate"] = lr
        path.write_text(spec_toml(data), encoding="utf-8")
    spec = load_spec(path)
    assert spec.weights_layout == layout
    return path, spec


@pytest.mark.parametrize("decimals", [2, 3, 4, 6, "mixed"])
@pytest.mark.parametrize("params", CORRECT, ids=lambda p: f"{'-'.join(p[1])}-{p[2]}-m{p[3]}-{p[4]}")
def test_correct_worksheet_is_all_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], params: tuple[Any, ...], decimals: Any
) -> None:
    spec_path, spec = write_spec(tmp_path, 11, params)
    sheet = build_sheet(spec, decimals=6)
    elements: tuple[Slot, ...] = ()
    if decimals == "mixed":  # each key at its own precision, some element by element
        sheet.precision = {s: (2, 3, 4, 6)[i % 4] for i, s in enumerate(sheet.order)}
        elements = ((1, "a"), (1, "W_new"), (len(spec.network.layers), "grad_W"))
    else:
        sheet = build_sheet(spec, decimals=decimals)
    text = sheet.claims_toml(vectors=params[3] == 1, elements=elements)
    claims_path = tmp_path / "claims.toml"
    claims_path.write_text(text, encoding="utf-8")
    n = sum(v.size for v in sheet.written.values())

    report = check(spec, parse_claims(text, spec, sheet.trace))
    assert len(report.findings) == n
    assert all(f.status == "right" and f.diagnosis == [] for f in report.findings)
    assert report.first_error is None and report.all_right

    code, out, err = run_main(capsys, "check", str(spec_path), str(claims_path), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["summary"] == {"claims": n, "right": n, "wrong": 0, "carried": 0}
    assert doc["first_error"] is None
    code, out, err = run_main(capsys, "check", str(spec_path), str(claims_path))
    assert (code, err) == (0, "")
    assert f"{n} claims: {n} right, 0 wrong, 0 carried" in out


def test_every_key_is_claimed_in_correct_worksheets() -> None:
    sheet = build_sheet(make_spec(1, [2, 3, 2], [SIG, SIG], BCE, 1)[0])
    keys = {key for _, key in sheet.written}
    assert keys == {*KEYS, "loss", "loss_after", "loss_terms"}


def test_worksheet_helpers_agree_with_the_trace() -> None:
    """The tests' own formulas, on the exact numbers, give the trace: their mistakes and
    carried values are computed the way glassnet computes the step."""
    for params in CORRECT:
        sizes, activations, loss, m, layout, _ = params
        spec, _ = make_spec(5, list(sizes), list(activations), loss, m, layout=layout)
        sheet = build_sheet(spec)
        person = Person(spec, 6)
        for slot in computation_order(len(sizes) - 1):
            value = person.correct(slot)
            np.testing.assert_allclose(value, sheet.true[slot], rtol=1e-9, atol=1e-12)
            person.own[slot] = sheet.true[slot]


# --- precision --------------------------------------------------------------------------


def test_right_within_one_unit_of_the_last_place() -> None:
    """d decimals: right when within one unit of the last place (strictly), else wrong."""
    spec, _ = make_spec(2, [3, 4, 2], [SIG, TANH], HSE, 1)
    trace = spec.explain()
    a = trace.layers[0].a[0]
    for d in (1, 2, 3, 4, 6):
        for j, t in enumerate(a):
            scaled = t * 10**d
            if min(scaled % 1, 1 - scaled % 1) < 1e-6:  # pragma: no cover - on the grid
                continue
            low, high = np.floor(scaled) / 10**d, np.ceil(scaled) / 10**d
            for value, status in (
                (low, "right"),  # cut off
                (high, "right"),  # rounded up
                (low - 10**-d, "wrong"),
                (high + 10**-d, "wrong"),
            ):
                text = f'[layer.1]\n"a[{j + 1}]" = {value:.{d}f}\n'
                (f,) = check(spec, parse_claims(text, spec, trace), trace).findings
                assert f.status == status, (d, t, f.message)


def test_one_unit_off_exactly_is_wrong() -> None:
    """Within one unit means strictly less: 0.6 or 0.4 for exactly 0.5 is wrong."""
    data = {
        "input": [0.5],
        "target": [0.0],
        "loss": HSE,
        "layer": [{"activation": ID, "weights": [[1.0]], "bias": [0.0]}],
    }
    spec = parse_spec(data)
    trace = spec.explain()
    assert trace.layers[0].z[0, 0] == 0.5
    cases = {
        "0.5": "right",
        "0.50": "right",
        "0.500000": "right",
        "1": "right",
        "0": "right",
        "0.6": "wrong",
        "0.4": "wrong",
        "0.51": "wrong",
        "0.49": "wrong",
        "0.501": "wrong",
        "2": "wrong",
        "5.0e-1": "right",
        "4.9e-1": "wrong",
    }
    for value, status in cases.items():
        (f,) = check(spec, parse_claims(f"[layer.1]\nz = [{value}]\n", spec, trace), trace).findings
        assert f.status == status, (value, f.message)


# --- the seed worksheets --------------------------------------------------------------


def seed_report(capsys: pytest.CaptureFixture[str], seed: str) -> tuple[int, dict[str, Any]]:
    spec = EXAMPLES / f"{seed}.toml"
    code, out, err = run_main(
        capsys, "check", str(spec), str(example_claims(seed)), "--format", "json"
    )
    assert err == ""
    return code, json.loads(out)


def finding(doc: dict[str, Any], layer: int | None, key: str, index: list[int]) -> dict[str, Any]:
    (f,) = [f for f in doc["findings"] if (f["layer"], f["key"], f["index"]) == (layer, key, index)]
    return f


def test_seed003(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = seed_report(capsys, "seed003")
    assert code == 1
    assert doc["first_error"] == {"layer": 1, "key": "z", "index": [1, 2]}
    first = finding(doc, 1, "z", [1, 2])
    assert first["status"] == "wrong"
    assert first["claimed"] == 1.4 and first["correct"] == pytest.approx(3.4)
    for j in (1, 3, 4):
        assert finding(doc, 1, "z", [1, j])["status"] == "right"
    assert finding(doc, 1, "a", [1, 2])["status"] == "carried"
    for key in ("z", "a"):
        for j in (1, 2):
            assert finding(doc, 2, key, [1, j])["status"] == "carried", (key, j)
    delta = finding(doc, 2, "delta", [1, 1])
    assert delta["status"] == "wrong"
    assert "softmax_diagonal_only" in delta["diagnosis"]
    # the one-path gradient from the worksheet's own δ, with its da21/dW212 = w212·h12
    # (grad_W out_in: unit 1, input 2)
    grad = finding(doc, 2, "grad_W", [1, 2])
    assert grad["status"] == "wrong" and grad["diagnosis"] == ["weight_in_gradient"]
    assert grad["from_own_values"] == pytest.approx(-0.0815 * 0.80)  # the true derivative
    assert [f["status"] for f in doc["findings"]].count("wrong") == 3


def test_seed001(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = seed_report(capsys, "seed001")
    assert code == 1
    ids = {d for f in doc["findings"] for d in f["diagnosis"]}
    assert ids >= {
        "softmax_without_exp",
        "log10",
        "loss_derivative_sign",
        "softmax_diagonal_only",
        "missing_path_sum",
    }
    for j in (1, 2, 3):
        f = finding(doc, 3, "a", [1, j])
        assert f["status"] == "wrong" and "softmax_without_exp" in f["diagnosis"]
        f = finding(doc, 1, "dL_da", [1, j])
        assert f["status"] == "wrong" and "missing_path_sum" in f["diagnosis"]


# --- the command line -------------------------------------------------------------------

FINDING_KEYS = [
    "layer",
    "key",
    "index",
    "claimed",
    "correct",
    "status",
    "from_own_values",
    "diagnosis",
    "message",
    "written",
]


def check_document(doc: dict[str, Any]) -> None:
    """The glassnet.check/1 document, exactly."""
    assert list(doc) == ["format", "summary", "first_error", "findings"]
    assert doc["format"] == "glassnet.check/1"
    summary = doc["summary"]
    assert list(summary) == ["claims", "right", "wrong", "carried"]
    assert all(type(v) is int for v in summary.values())
    statuses = [f["status"] for f in doc["findings"]]
    assert summary["claims"] == len(doc["findings"])
    for status in STATUSES:
        assert summary[status] == statuses.count(status)
    for f in doc["findings"]:
        assert list(f) == FINDING_KEYS
        assert f["layer"] is None or type(f["layer"]) is int
        assert (f["layer"] is None) == (f["key"] in ("loss", "loss_after", "loss_terms"))
        assert f["key"] in (*KEYS, "loss", "loss_after", "loss_terms")
        assert all(type(i) is int and i >= 1 for i in f["index"])
        assert (f["index"] == []) == (f["key"] in ("loss", "loss_after"))
        assert isinstance(f["claimed"], float) and isinstance(f["correct"], float)
        assert f["status"] in STATUSES
        assert f["from_own_values"] is None or isinstance(f["from_own_values"], float)
        assert isinstance(f["diagnosis"], list)
        assert all(d in RULE_IDS for d in f["diagnosis"])
        assert (f["diagnosis"] != []) == (f["status"] == "wrong")
        assert isinstance(f["message"], str) and f["message"]
        assert float(decimal.Decimal(f["written"])) == f["claimed"]
    first = next((f for f in doc["findings"] if f["status"] == "wrong"), None)
    if first is None:
        assert doc["first_error"] is None
    else:
        assert doc["first_error"] == {k: first[k] for k in ("layer", "key", "index")}


@pytest.fixture
def mistake_files(tmp_path: Path) -> tuple[Path, Path, Sheet]:
    """A spec and a worksheet with a mistake (softmax_without_exp, a batch of 3, out_in)
    carried on to loss_after."""
    case = next(c for c in CASES if str(c) == "softmax_without_exp-output-ce-m3")
    sheet = solve(case)
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(
        spec_toml(
            {
                "input": sheet.spec.X.tolist(),
                "target": sheet.spec.Y.tolist(),
                "loss": sheet.spec.network.loss.name,
                "learning_rate": sheet.spec.learning_rate,
                "weights_layout": "out_in",
                "layer": [
                    {
                        "activation": lay.activation.name,
                        "weights": lay.W.T.tolist(),
                        "bias": lay.b.tolist(),
                    }
                    for lay in sheet.spec.network.layers
                ],
            }
        ),
        encoding="utf-8",
    )
    claims_path = tmp_path / "claims.toml"
    claims_path.write_text(sheet.claims_toml(), encoding="utf-8")
    return spec_path, claims_path, sheet


def test_json_document(
    capsys: pytest.CaptureFixture[str], mistake_files: tuple[Path, Path, Sheet]
) -> None:
    spec_path, claims_path, sheet = mistake_files
    code, out, err = run_main(capsys, "check", str(spec_path), str(claims_path), "--format", "json")
    assert (code, err) == (1, "")
    assert out.endswith("\n") and out.count("\n") == 1
    doc = json.loads(out)
    check_document(doc)
    assert doc["summary"]["wrong"] > 0 and doc["summary"]["carried"] > 0
    assert doc["first_error"]["layer"] == 2 and doc["first_error"]["key"] == "a"
    # loss and loss_after: layer null, index []; loss_terms: [example, unit]
    loss = finding(doc, None, "loss", [])
    assert loss["status"] == "carried" and isinstance(loss["from_own_values"], float)
    assert finding(doc, None, "loss_terms", [3, 3])["layer"] is None
    # the same document as check(...).to_dict()
    report = run_check(sheet, claims_path.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(report.to_dict())) == doc


def test_json_seed_documents(capsys: pytest.CaptureFixture[str]) -> None:
    for seed in ("seed001", "seed003"):
        _, doc = seed_report(capsys, seed)
        check_document(doc)


def test_text_and_markdown(
    capsys: pytest.CaptureFixture[str], mistake_files: tuple[Path, Path, Sheet], tmp_path: Path
) -> None:
    spec_path, claims_path, _ = mistake_files
    _, out, _ = run_main(capsys, "check", str(spec_path), str(claims_path), "--format", "json")
    doc = json.loads(out)
    s = doc["summary"]
    summary = (
        f"{s['claims']} claims: {s['right']} right, {s['wrong']} wrong, {s['carried']} carried"
    )

    code, text, err = run_main(capsys, "check", str(spec_path), str(claims_path))
    assert (code, err) == (1, "")
    lines = text.splitlines()
    assert lines[0].startswith("glassnet check: " + summary)
    where = ",".join(map(str, doc["first_error"]["index"]))
    assert f"the first error entered at layer 2, a[{where}]" in lines[0]
    assert len(lines) == 1 + s["claims"]
    marks = {"right": "✓", "carried": "~", "wrong": "✗"}
    for line, f in zip(lines[1:], doc["findings"], strict=True):
        assert line == f"{marks[f['status']]} {f['message']}"
    assert "\033[" not in text  # no colour when not at a terminal
    _, explicit, _ = run_main(capsys, "check", str(spec_path), str(claims_path), "--format", "text")
    assert explicit == text

    code, markdown, err = run_main(
        capsys, "check", str(spec_path), str(claims_path), "--format", "markdown"
    )
    assert (code, err) == (1, "")
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + s["claims"]  # the header, its rule, and one row per claim
    assert summary in markdown
    assert any("softmax_without_exp" in row and "wrong" in row for row in rows)

    output = tmp_path / "report.json"
    code, out, err = run_main(
        capsys, "check", str(spec_path), str(claims_path), "--format", "json", "-o", str(output)
    )
    assert (code, out, err) == (1, "", "")
    assert json.loads(output.read_text(encoding="utf-8")) == doc


def test_exit_1_when_only_carried(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Right but coarse z (1 decimal), then a from it at 6 decimals: carried, nothing wrong."""
    for seed in range(20):
        spec, _ = make_spec(seed, [3, 4, 2], [SIG, SIG], HSE, 1)
        sheet = build_sheet(spec, decimals=1, upto=(1, "z"))
        person = Person(spec, 6)
        person.own[(1, "z")] = sheet.written[(1, "z")]
        a = person.write(sigmoid(person[(1, "z")]))
        if (np.abs(a - sheet.true[(1, "a")]) > 1e-4).all():
            break
    spec_path = tmp_path / "spec.toml"
    net, X, Y = random_case(seed, [3, 4, 2], [SIG, SIG], HSE, 1)
    export_spec(net, spec_path, X, Y, learning_rate=0.1)
    claims = tmp_path / "claims.toml"
    claims.write_text(sheet.claims_toml() + "a = [" + ", ".join(f"{v:.6f}" for v in a[0]) + "]\n")
    code, out, _ = run_main(capsys, "check", str(spec_path), str(claims), "--format", "json")
    doc = json.loads(out)
    assert doc["summary"] == {"claims": 8, "right": 4, "wrong": 0, "carried": 4}
    assert doc["first_error"] is None
    assert code == 1


SOFTMAX_SPEC = """
input = [1.0, 2.0]
target = [0.0, 1.0]
loss = "cross_entropy"
learning_rate = 0.1

[[layer]]
activation = "sigmoid"
weights = [[0.1, -0.2], [0.3, 0.4]]

[[layer]]
activation = "softmax"
weights = [[0.5, -0.6], [0.7, 0.2]]
"""


def test_rounded_right_numbers_carried_on_at_their_precision_are_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A worksheet worked to 6 decimals throughout: ℓ = −ln a₂ and ∂ℓ/∂a = −1/a₂ from the
    a₂ written (0.257723) land a few units of the 6th decimal off the true values (1/a
    magnifies a's rounding). Right, exit 0: the working is right (a learner's report
    from review: "carried" with nothing wrong)."""
    x, W1, W2 = (
        np.array([1.0, 2.0]),
        np.array([[0.1, -0.2], [0.3, 0.4]]),
        np.array([[0.5, -0.6], [0.7, 0.2]]),
    )
    z1 = x @ W1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = a1 @ W2
    a2 = np.exp(z2) / np.exp(z2).sum()
    written_a = [round(float(v), 6) for v in a2]
    loss = -math.log(written_a[1])  # from the a₂ written, as the person works
    dL_da = -1 / written_a[1]
    # the true values (from the unrounded a₂) differ beyond a unit of the 6th decimal
    assert abs(round(loss, 6) + math.log(a2[1])) > 1e-6
    assert abs(round(dL_da, 6) + 1 / a2[1]) > 1e-6
    spec_path, claims = tmp_path / "spec.toml", tmp_path / "claims.toml"
    spec_path.write_text(SOFTMAX_SPEC, encoding="utf-8")

    def six(values: Any) -> str:
        return "[" + ", ".join(f"{v:.6f}" for v in values) + "]"

    claims.write_text(
        f"[layer.1]\nz = {six(z1)}\na = {six(a1)}\n"
        f"[layer.2]\nz = {six(z2)}\na = {six(written_a)}\ndL_da = [0, {dL_da:.6f}]\n"
        f"[result]\nloss = {loss:.6f}\n",
        encoding="utf-8",
    )
    code, out, _ = run_main(capsys, "check", str(spec_path), str(claims), "--format", "json")
    doc = json.loads(out)
    assert doc["summary"] == {"claims": 11, "right": 11, "wrong": 0, "carried": 0}
    assert code == 0
    loss_finding = next(f for f in doc["findings"] if f["key"] == "loss")
    assert "right from your rounded earlier values" in loss_finding["message"]
    # the true value shown to a digit more than written: it differs visibly from the claim
    assert f"unrounded, it is {-math.log(a2[1]):.8g})" in loss_finding["message"]
    assert loss_finding["from_own_values"] == pytest.approx(loss, abs=1e-6)


ONE_OUTPUT_SPEC = """
input = [1.0, 2.0]
target = [1.0]
loss = "half_squared_error"
learning_rate = 0.5

[[layer]]
activation = "sigmoid"
weights = [[0.1, 0.2], [0.3, 0.4]]

[[layer]]
activation = "sigmoid"
weights = [[0.5], [0.6]]
bias = [0.1]
"""


def test_shapes_of_a_one_unit_layer() -> None:
    """One number may be written as a number (z of one unit, grad_b of one unit); a bias
    of one unit has no example's row to leave out, so a wrong shape names (1,)."""
    spec = parse_spec(tomllib.loads(ONE_OUTPUT_SPEC))
    trace = spec.explain()
    for text in ("[layer.2]\nz = 0.5\n", "[layer.2]\ngrad_b = 0.5\n", "[layer.2]\nz = [0.5]\n"):
        (claim,) = parse_claims(text, spec, trace)
        assert float(claim.value) == 0.5
    with pytest.raises(ClaimsError, match=r"grad_b: expected shape \(1,\), found shape \(2,\)$"):
        parse_claims("[layer.2]\ngrad_b = [0.1, 0.2]\n", spec, trace)
    with pytest.raises(ClaimsError, match=r"z: expected shape \(1,\) \(one example\), found"):
        parse_claims("[layer.2]\nz = [0.1, 0.2]\n", spec, trace)
    with pytest.raises(ClaimsError, match=r"for shape \(2,\) \(one example; indices are 1-based"):
        parse_claims('[layer.1]\n"z[3]" = 0.5\n', spec, trace)


def test_rounding_magnified_far_beyond_the_last_place_is_carried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """a = σ(−9) written 0.000123 (6 decimals, 3 significant digits): −1/a from it is 26
    off the true ∂ℓ/∂a, millions of units of its 6th decimal: carried, not right from
    rounding; and a 0 judged at 6 decimals after an a written to 2 is carried too."""
    spec_path, claims = tmp_path / "spec.toml", tmp_path / "claims.toml"
    spec_path.write_text(
        'input = [1.0]\ntarget = [1.0]\nloss = "binary_cross_entropy"\nlearning_rate = 0.1\n'
        '[[layer]]\nactivation = "sigmoid"\nweights = [[-9.0]]\n',
        encoding="utf-8",
    )
    a = 1 / (1 + math.exp(9))
    written = round(a, 6)
    claims.write_text(
        f"[layer.1]\nz = [-9.000000]\na = [{written:.6f}]\ndL_da = [{-1 / written:.6f}]\n",
        encoding="utf-8",
    )
    assert abs(-1 / written + 1 / a) > 20
    code, out, _ = run_main(capsys, "check", str(spec_path), str(claims), "--format", "json")
    statuses = {f["key"]: f["status"] for f in json.loads(out)["findings"]}
    assert statuses == {"z": "right", "a": "right", "dL_da": "carried"} and code == 1
    spec_path.write_text(
        'input = [1.0]\ntarget = [0.5]\nloss = "half_squared_error"\nlearning_rate = 0.1\n'
        '[[layer]]\nactivation = "sigmoid"\nweights = [[0.012]]\n',
        encoding="utf-8",
    )
    claims.write_text("[layer.1]\nz = [0.012000]\na = [0.50]\ndL_da = [0]\n", encoding="utf-8")
    code, out, _ = run_main(capsys, "check", str(spec_path), str(claims), "--format", "json")
    statuses = {f["key"]: f["status"] for f in json.loads(out)["findings"]}
    assert statuses == {"z": "right", "a": "right", "dL_da": "carried"} and code == 1


def test_no_learning_rate_diagnosis_where_another_mistake_gives_the_same_factor() -> None:
    """With η = 0.5, θ − ∇ is θ − 2η∇ (a ∂ℓ/∂a without its ½) and θ − η²∇ is θ − η∇/2:
    not named learning_rate; with η = 0.3 it is."""
    for eta, named in ((0.5, False), (0.3, True)):
        spec = parse_spec(
            tomllib.loads(ONE_OUTPUT_SPEC.replace("0.5\n\n[[layer]]", f"{eta}\n\n[[layer]]", 1))
        )
        assert spec.learning_rate == eta
        trace = spec.explain()
        layer = trace.layers[1]
        W_new = np.asarray(layer.W) - np.asarray(layer.grad_W)  # η left out
        text = "[layer.2]\nW_new = [" + ", ".join(f"[{v:.6f}]" for v in W_new[:, 0]) + "]\n"
        report = check(spec, parse_claims(text, spec, trace), trace)
        diagnoses = {d for f in report.findings for d in f.diagnosis}
        assert ("learning_rate" in diagnoses) == named, diagnoses


def test_a_bias_gradient_from_an_input_of_0_is_no_bias_with_input() -> None:
    """Seed 000's x = (1, 0, 1): ∂L/∂b written 0 is the bias left out (δ·x₂ = 0 too)."""
    spec = load_spec(EXAMPLES / "seed000.toml")
    trace = spec.explain()
    delta = ", ".join(f"{v:.6f}" for v in np.ravel(trace.layers[0].delta))
    text = f"[layer.1]\ndelta = [{delta}]\ngrad_b = {[0] * len(trace.layers[0].b)}\n"
    report = check(spec, parse_claims(text, spec, trace), trace)
    wrong = [f for f in report.findings if f.status == "wrong"]
    assert wrong and all(f.diagnosis == ["bias_not_updated"] for f in wrong)


def test_markdown_shows_numbers_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Markdown table: where as the text says it (z[1] of one example), the number as
    written (0.786053, not %.6g's 0.786053 of 0.7860530), the true one a digit finer."""
    spec_path, claims = tmp_path / "spec.toml", tmp_path / "claims.toml"
    spec_path.write_text(SOFTMAX_SPEC, encoding="utf-8")
    a1 = 1 / (1 + np.exp(-np.array([0.7, 0.6])))
    z2 = a1 @ np.array([[0.5, -0.6], [0.7, 0.2]])
    claims.write_text(
        f"[layer.2]\nz = [{z2[0]:.6f}, {z2[1]:.6f}]\na = [0.74227700, 0.2577230]\n",
        encoding="utf-8",
    )
    code, markdown, _ = run_main(
        capsys, "check", str(spec_path), str(claims), "--format", "markdown"
    )
    rows = [line for line in markdown.splitlines() if line.startswith("| ✓")]
    assert rows[0].startswith(f"| ✓ right | layer 2, z[1] | {z2[0]:.6f} | {z2[0]:.7g} |")
    assert rows[1].startswith(f"| ✓ right | layer 2, z[2] | {z2[1]:.6f} | {z2[1]:.7g} |")
    # trailing zeros as written; the true a₂ to a digit more (9: 0.742277 is 0.7422769…)
    a2 = np.exp(z2) / np.exp(z2).sum()
    wrong = [line for line in markdown.splitlines() if line.startswith("| ✗")]
    assert wrong[0].startswith(f"| ✗ wrong | layer 2, a[1] | 0.74227700 | {a2[0]:.9g} |")
    assert code == 1


@pytest.mark.parametrize(
    "params", [CORRECT[0], CORRECT[4], CORRECT[2]], ids=["m1", "m3-softmax", "m3-3layers"]
)
def test_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], params: tuple[Any, ...]
) -> None:
    spec_path, spec = write_spec(tmp_path, 4, params)
    code, out, err = run_main(capsys, "check", str(spec_path), "--template")
    assert (code, err) == (0, "")
    data = tomllib.loads(out)
    m = spec.X.shape[0]
    rows = "Vectors are one example's values" if m == 1 else f"A row for each of the {m} examples"
    assert out.splitlines()[2].startswith(f"# {rows}")
    n_layers = len(spec.network.layers)
    assert list(data) == ["layer", "result"]
    assert list(data["layer"]) == [str(l) for l in range(1, n_layers + 1)]
    for table in data["layer"].values():
        assert list(table) == list(KEYS)
        assert all(v in ([], "") for v in table.values())
    assert set(data["result"]) == {"loss", "loss_after", "loss_terms"}
    assert all(v in ([], "") for v in data["result"].values())

    template = tmp_path / "claims.toml"
    code, out, err = run_main(capsys, "check", str(spec_path), "--template", "-o", str(template))
    assert (code, out, err) == (0, "", "")
    code, out, err = run_main(capsys, "check", str(spec_path), str(template), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["summary"] == {"claims": 0, "right": 0, "wrong": 0, "carried": 0}
    assert doc["first_error"] is None and doc["findings"] == []
    assert run_main(capsys, "check", str(spec_path), str(template))[0] == 0


def test_a_file_of_no_numbers_says_that_nothing_was_checked(
    small_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "0 claims: 0 right, 0 wrong, 0 carried" read as a pass; exit 0 stays (docs/check.md)
    template, empty = tmp_path / "claims.toml", tmp_path / "empty.toml"
    assert run_main(capsys, "check", str(small_spec), "--template", "-o", str(template))[0] == 0
    empty.write_text("", encoding="utf-8")
    said = (
        "0 claims: the claims file holds no numbers (only blanks, or nothing), "
        "so nothing was checked"
    )
    for claims in (template, empty):
        code, out, err = run_main(capsys, "check", str(small_spec), str(claims))
        assert (code, out, err) == (0, f"glassnet check: {said}\n", "")
        code, out, err = run_main(
            capsys, "check", str(small_spec), str(claims), "--format", "markdown"
        )
        assert (code, out, err) == (0, f"## Check of a hand calculation\n\n{said}.\n", "")
        page = tmp_path / "page.html"
        code = run_main(
            capsys, "check", str(small_spec), str(claims), "--format", "html", "-o", str(page)
        )[0]
        written = page.read_text("utf-8")
        assert code == 0 and f'<p class="worksheet">Your worksheet: {said}.</p>' in written


@pytest.mark.parametrize("params", [CORRECT[3], CORRECT[1]], ids=["m1-softmax-out_in", "m3-out_in"])
def test_template_filled_in_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], params: tuple[Any, ...]
) -> None:
    """Each blank of the template, filled with the true values at the shape its comment
    gives, is checked right."""
    spec_path, spec = write_spec(tmp_path, 4, params)
    _, template, _ = run_main(capsys, "check", str(spec_path), "--template")
    sheet = build_sheet(spec, decimals=4)
    m = spec.X.shape[0]
    lines = []
    layer: int | None = None
    for line in template.splitlines():
        if line.startswith("[layer."):
            layer = int(line.split("]")[0].removeprefix("[layer."))
        elif line.startswith("[result]"):
            layer = None
        elif " = " in line:
            key = line.split(" = ")[0]
            value = sheet.written[(layer, key)]
            if key in W_SHAPED and spec.weights_layout == "out_in":
                value = value.T
            if m == 1 and value.ndim >= 2 and key not in W_SHAPED:
                value = value[0]
            if "# shape " in line:
                assert value.shape == ast.literal_eval(line.split("# shape ")[1]), line
            line = f"{key} = {nested(value, 4)}"
        lines.append(line)
    claims = tmp_path / "claims.toml"
    claims.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_main(capsys, "check", str(spec_path), str(claims), "--format", "json")
    assert (code, err) == (0, ""), out
    n = sum(v.size for v in sheet.written.values())
    assert json.loads(out)["summary"] == {"claims": n, "right": n, "wrong": 0, "carried": 0}


# --- mistakes in claims files -----------------------------------------------------------

BAD_CLAIMS = {
    "toml-syntax": ("[layer.1]\nz = [1.0,\n", ["TOML syntax"]),
    "toml-huge-integer": (
        '[layer.1]\n"z[1]" = 1' + "0" * 5000 + "\n",
        ["layer.1: z[1] (line 2): an integer of more than 4300 digits"],
    ),
    "unknown-key": (
        "[layer.1]\ndelt = [0.1, 0.2, 0.3]\n",
        ["layer.1", "delt", "did you mean 'delta'"],
    ),
    "claimed-twice": (
        '[layer.1]\nz = [0.1, 0.2, 0.3]\n"z[2]" = 9.0\n',
        ["layer.1: z[2]", "claimed twice"],
    ),
    "unknown-element-key": (
        '[layer.2]\n"gradW[1,1]" = 0.1\n',
        ["layer.2", "did you mean 'grad_W'"],
    ),
    "unknown-result-key": ("[result]\nlos = 0.5\n", ["result", "did you mean 'loss'"]),
    "unknown-table": ("[layers.1]\nz = [0.1, 0.2, 0.3]\n", ["layers", "did you mean 'layer'"]),
    "layer-out-of-range": ("[layer.3]\nz = [0.1, 0.2]\n", ["layer.3", "from 1 to 2"]),
    "layer-zero": ("[layer.0]\nz = [0.1, 0.2]\n", ["layer.0", "from 1 to 2"]),
    "layer-not-a-number": ("[layer.one]\nz = [0.1, 0.2]\n", ["layer.one"]),
    "wrong-shape": ("[layer.1]\nz = [0.1, 0.2]\n", ["layer.1", "z", "shape"]),
    "wrong-shape-W": (
        "[layer.2]\ngrad_W = [[0.1, 0.2], [0.3, 0.4]]\n",
        ["layer.2", "grad_W", "shape"],
    ),
    "ragged": ("[layer.2]\nW_new = [[0.1, 0.2, 0.3], [0.3]]\n", ["layer.2", "W_new"]),
    "string": ('[layer.1]\nz = [0.1, "0.2", 0.3]\n', ["layer.1", "z", "number"]),
    "string-element": ('[layer.1]\n"a[2]" = "zero"\n', ["layer.1", "a[2]", "number"]),
    "string-loss": ('[result]\nloss = "low"\n', ["result", "loss", "number"]),
    "boolean": (
        "[result]\nloss = true\n",
        ["result: loss: expected a number, found a boolean (true)"],
    ),
    # as written (TOML), not Python's repr: [Decimal('1.0'), Decimal('2.0')], True, {'a': 1}
    "list-for-an-element": (
        '[layer.1]\n"z[1]" = [1.0, 2.0]\n',
        ["layer.1: z[1]: expected a number, found a list ([1.0, 2.0])"],
    ),
    "boolean-element": (
        '[layer.1]\n"z[2]" = false\n',
        ["z[2]: expected a number, found a boolean (false)"],
    ),
    "table-in-a-list": (
        "[layer.1]\nz = [1.0, {a = 1}, 2.0]\n",
        ["z: expected a number, found a table"],
    ),
    "date": ("[result]\nloss = 1979-05-27\n", ["found a date or time (1979-05-27)"]),
    "index-out-of-range": (
        '[layer.1]\n"a[4]" = 0.5\n',
        ["layer.1", "a[4]", "out of range for shape (3,) (one example;"],
    ),
    "index-zero": ('[layer.1]\n"a[0]" = 0.5\n', ["layer.1", "a[0]", "out of range"]),
    "index-too-many": (
        '[layer.1]\n"a[1,1,1]" = 0.5\n',
        ["layer.1", "expected 1 or 2 indices for shape (1, 3), such as a[1]"],
    ),
    "index-too-few": (
        '[layer.2]\n"grad_W[2]" = 0.5\n',
        ["layer.2", "grad_W[2]: expected 2 indices for shape (2, 3), such as grad_W[1,1]"],
    ),
    "index-of-a-number": ('[result]\n"loss[1]" = 0.5\n', ["loss is one number"]),
    "index-W-layout": (
        '[layer.2]\n"grad_W[3,2]" = 0.5\n',
        ["layer.2", "grad_W[3,2]", "out of range"],
    ),
    "nan": ("[layer.1]\nz = [nan, 0.1, 0.2]\n", ["layer.1", "z", "found nan"]),
    "beyond-float64": ("[layer.1]\nz = [0.1, 1e400, 0.2]\n", ["layer.1", "z", "found 1e400"]),
    "not-a-table": ("layer = 3\n", ["layer"]),
}


@pytest.fixture
def small_spec(tmp_path: Path) -> Path:
    """Two layers, 2 → 3 → 2, one example, out_in: layer 2's grad_W is written (2, 3)."""
    _, data = make_spec(0, [2, 3, 2], [SIG, SIG], HSE, 1, layout="out_in")
    path = tmp_path / "spec.toml"
    path.write_text(spec_toml(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(BAD_CLAIMS))
def test_bad_claims_exit_2(
    small_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    text, fragments = BAD_CLAIMS[name]
    claims = tmp_path / "my-claims.toml"
    claims.write_text(text, encoding="utf-8")
    code, out, err = run_main(capsys, "check", str(small_spec), str(claims))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"glassnet: error: {claims}: "), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    spec = load_spec(small_spec)
    with pytest.raises(ClaimsError):
        parse_claims(text, spec, spec.explain(), str(claims))


def test_unreadable_claims_files(
    small_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[layer.1]\n")
    for path, fragment in (
        (binary, "not UTF-8"),
        (tmp_path, "directory"),
        (tmp_path / "nope.toml", "no such file"),
    ):
        code, out, err = run_main(capsys, "check", str(small_spec), str(path))
        assert (code, out) == (2, "")
        assert err.count("\n") == 1 and err.startswith(f"glassnet: error: {path}: "), err
        assert fragment in err


@pytest.mark.parametrize("value", ["1e400", "1" + "0" * 400])
def test_claim_too_large_for_a_float_is_bad_input(
    small_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    claims = tmp_path / "claims.toml"
    claims.write_text(f"[result]\nloss = {value}\n", encoding="utf-8")
    code, out, err = run_main(capsys, "check", str(small_spec), str(claims), "--format", "json")
    assert "Infinity" not in out
    assert code == 2 and out == "" and str(claims) in err and "finite" in err


@pytest.mark.parametrize(("typo", "meant"), [("grad_w", "grad_W"), ("w_new", "W_new")])
def test_did_you_mean_ignores_case(
    small_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], typo: str, meant: str
) -> None:
    claims = tmp_path / "claims.toml"
    claims.write_text(f"[layer.2]\n{typo} = [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]\n")
    code, _, err = run_main(capsys, "check", str(small_spec), str(claims))
    assert code == 2
    assert f"did you mean '{meant}'" in err, err


def test_element_claims_follow_the_weights_layout(small_spec: Path) -> None:
    """out_in: "grad_W[j,i]" is unit j, input i; the report shows it the same way."""
    spec = load_spec(small_spec)
    trace = spec.explain()
    grad = trace.layers[1].grad_W  # in_out: (3 inputs, 2 units)
    W_new = trace.layers[1].W_new
    text = f'[layer.2]\n"grad_W[2,3]" = {grad[2, 1]:.6f}\n"W_new[1,2]" = {W_new[1, 0]:.6f}\n'
    report = check(spec, parse_claims(text, spec, trace), trace)
    assert [(f.key, f.index, f.status) for f in report.findings] == [
        ("grad_W", (2, 3), "right"),
        ("W_new", (1, 2), "right"),
    ]


def test_missing_claims_file(
    small_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"
    code, out, err = run_main(capsys, "check", str(small_spec), str(missing))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and str(missing) in err
    code, out, err = run_main(capsys, "check", str(small_spec))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--template" in err


def test_blank_values_are_not_claims(small_spec: Path) -> None:
    spec = load_spec(small_spec)
    trace = spec.explain()
    text = '[layer.1]\nz = []\n"a[2]" = ""\n[result]\nloss = ""\nloss_terms = []\n'
    assert parse_claims(text, spec, trace) == []


def test_claims_keep_the_written_precision(small_spec: Path) -> None:
    spec = load_spec(small_spec)
    trace = spec.explain()
    text = "[layer.1]\nz = [0.10, 2, 0.125]\n[result]\nloss = 1.5e-1\n"
    claims = parse_claims(text, spec, trace)
    assert [(c.key, c.decimals) for c in claims] == [("z", 2), ("z", 0), ("z", 3), ("loss", 2)]
    assert [c.index for c in claims] == [(0, 0), (0, 1), (0, 2), ()]


def _claims_for(spec_path: Path, text: str) -> CheckReport:
    spec = load_spec(spec_path)
    trace = spec.explain()
    return check(spec, parse_claims(text, spec, trace, "mine.toml"), trace)


def test_a_slip_is_diagnosed_as_arithmetic() -> None:
    spec = load_spec(EXAMPLES / "seed003.toml")
    z = spec.explain().layers[0].z[0].copy()
    z[1] += 0.37  # no known mistake: a slip
    text = "[layer.1]\nz = [" + ", ".join(f"{v:.4f}" for v in z) + "]\n"
    report = _claims_for(EXAMPLES / "seed003.toml", text)
    wrong = [f for f in report.findings if f.status == "wrong"]
    assert [(f.key, f.index) for f in wrong] == [("z", (1, 2))]
    assert wrong[0].diagnosis == ["arithmetic"]


def test_coarsely_rounded_inputs_are_diagnosed() -> None:
    # the person rounded a of layer 2 to one decimal (not written down), then computed z
    spec = load_spec(EXAMPLES / "seed001.toml")
    trace = spec.explain()
    a2 = np.round(trace.layers[1].a, 1)
    z3 = a2 @ trace.layers[2].W + trace.layers[2].b
    assert np.abs(z3 - trace.layers[2].z).max() > 1e-3  # the rounding shows at 4 decimals
    text = "[layer.3]\nz = [" + ", ".join(f"{v:.4f}" for v in z3[0]) + "]\n"
    report = _claims_for(EXAMPLES / "seed001.toml", text)
    wrong = [f for f in report.findings if f.status == "wrong"]
    assert wrong and all(f.diagnosis == ["rounded_inputs"] for f in wrong)


def test_a_zero_or_an_unchanged_parameter_is_read_at_the_finest_precision() -> None:
    """0 for a gradient, or b_new = b, says "nothing", not "rounded": a forgotten bias."""
    spec = load_spec(EXAMPLES / "seed001.toml")
    trace = spec.explain()
    out = trace.layers[2]
    assert np.all(np.abs(out.grad_b) > 0.2) and np.all(np.abs(out.b_new - out.b) > 1e-3)
    zeros = "[layer.3]\ngrad_b = [0, 0, 0]\nb_new = [" + ", ".join(f"{v:g}" for v in out.b) + "]\n"
    alone = check(spec, parse_claims(zeros, spec, trace), trace)
    # alone, 0 is judged as written, to the unit: 0 for 0.266 is right there
    assert [f.status for f in alone.findings if f.key == "grad_b"].count("right") >= 1
    fine = zeros + f'"z[1]" = {out.z[0, 0]:.6f}\n'  # the person works to 6 decimals
    report = check(spec, parse_claims(fine, spec, trace), trace)
    judged = {(f.key, f.index): f for f in report.findings}
    for j in (1, 2, 3):
        assert judged[("grad_b", (j,))].status == "wrong"
        assert "taken as exactly 0, to 6 decimals" in judged[("grad_b", (j,))].message
        assert judged[("b_new", (j,))].status == "carried"  # b − η·0 = b: their own step
    # b_new = b alone, beside numbers to 6 decimals: the bias was not updated
    unchanged = fine.replace("grad_b = [0, 0, 0]\n", "")
    report = check(spec, parse_claims(unchanged, spec, trace), trace)
    for f in report.findings:
        if f.key == "b_new":
            assert f.status == "wrong" and "bias_not_updated" in f.diagnosis, f.message


def test_a_whole_number_is_read_at_the_sheets_precision() -> None:
    """f′ written as 1 says "no derivative", not "rounded to a unit"."""
    spec = load_spec(EXAMPLES / "seed000.toml")
    trace = spec.explain()
    layer = trace.layers[0]
    sigma_prime = layer.a[0] * (1 - layer.a[0])  # by hand: σ′ = a(1 − a)
    assert np.all(sigma_prime < 0.26)  # within a unit of 1: right if read as written
    a = ", ".join(f"{v:.6f}" for v in layer.a[0])
    text = f"[layer.1]\na = [{a}]\nda_dz = [1, 1]\n"
    report = check(spec, parse_claims(text, spec, trace), trace)
    for f in report.findings:
        if f.key == "da_dz":
            assert f.status == "wrong" and f.diagnosis == ["derivative_missing"], f.message
            assert "your 1 is taken as exactly 1, to 5 decimals" in f.message
    alone = check(spec, parse_claims("[layer.1]\nda_dz = [1, 1]\n", spec, trace), trace)
    assert all(f.status == "right" for f in alone.findings)  # to a unit, as written
    # beside 0.125, 1 is read to two decimals; other whole numbers as written
    for whole, true, status in ((1, 1.004, "right"), (1, 1.04, "wrong"), (2, 2.4, "right")):
        claims = [
            Claim(1, "z", (0, 0), decimal.Decimal(whole)),
            Claim(1, "a", (0, 0), decimal.Decimal("0.125")),
        ]
        judged = _at_precision(claims, trace)[0]
        assert judged.matches(true) is (status == "right"), (whole, true)


def test_numbers_kept_to_more_digits_than_written_are_carried() -> None:
    """A value computed from the unrounded form of a mistaken number follows from it."""
    spec = load_spec(EXAMPLES / "seed001.toml")
    trace = spec.explain()
    out = trace.layers[2]
    a = out.a[0]
    g = -np.asarray(spec.network.loss.gradient(out.a, spec.Y))[0]  # ∂ℓ/∂a with its sign flipped
    delta = a * g - a * np.dot(a, g)  # softmax: δ = Jᵀ g, J = diag(a) − a aᵀ (by hand)
    text = (
        "[layer.3]\ndL_da = [" + ", ".join(f"{v:.3f}" for v in g) + "]\n"
        "delta = [" + ", ".join(f"{v:.6f}" for v in delta) + "]\n"
    )
    # written to 3 decimals, g gives δ that differ from the claimed ones at 6 decimals...
    rounded = a * np.round(g, 3) - a * np.dot(a, np.round(g, 3))
    assert np.abs(rounded - delta).max() > 1e-5
    report = check(spec, parse_claims(text, spec, trace), trace)
    statuses = {(f.key, f.index): f for f in report.findings}
    for j in (1, 2, 3):
        assert statuses[("dL_da", (1, j))].status == "wrong"
        assert "loss_derivative_sign" in statuses[("dL_da", (1, j))].diagnosis
        # ...but follow from g as the sign error gives it, unrounded
        kept = statuses[("delta", (1, j))]
        assert kept.status == "carried", kept.message
        assert "kept to more digits" in kept.message


def test_a_slip_is_not_excused_by_kept_digits() -> None:
    code_doc = load_spec(EXAMPLES / "seed001.toml")
    claims = example_claims("seed001")
    trace = code_doc.explain()
    report = check(code_doc, parse_claims(claims.read_text(), code_doc, trace), trace)
    judged = {(f.layer, f.key, f.index): f for f in report.findings}
    slip = judged[(2, "z", (1, 3))]  # 4.001 for 4.004: the article's slip
    assert slip.status == "wrong" and slip.diagnosis == ["arithmetic"]
    # −3.70644 · 0.15911 · 0.94 = −0.554347, as printed: the article kept the digits of δ
    assert judged[(3, "grad_W", (2, 1))].status == "carried"


def test_the_worksheets_shown_in_the_docs_are_what_check_says(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line of docs/check.md's `$ glassnet check …` blocks is a line of its output."""
    monkeypatch.chdir(EXAMPLES.parent)
    doc = (EXAMPLES.parent / "docs" / "check.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n\$ glassnet check (\S+) (\S+)\n(.*?)```", doc, re.S)
    assert len(blocks) == 2
    for spec_path, claims_path, shown in blocks:
        _, out, _ = run_main(capsys, "check", spec_path, claims_path)
        lines = set(out.splitlines())
        for line in shown.splitlines():
            if line != "...":
                assert line in lines, line


def test_a_delta_from_an_unwritten_jacobian_rounded_as_the_sheet_is_named_rounding() -> None:
    # seed 001's output layer worked to 6 decimals, the softmax Jacobian rounded too but
    # not written: ∂ℓ/∂a ≈ −5 makes J's rounding more than a unit of δ's sixth decimal
    spec = load_spec(EXAMPLES / "seed001.toml")
    trace = spec.explain()
    out = trace.layers[2]
    a = np.round(out.a[0], 6)
    g = np.round(np.asarray(spec.network.loss.gradient(a[None], spec.Y))[0], 6)
    J = np.round(np.diag(a) - np.outer(a, a), 6)  # by hand, from the a written
    delta = np.round(g @ J, 6)
    exact = g @ (np.diag(a) - np.outer(a, a))
    assert np.abs(delta - exact).max() > 1.2e-6  # not within a unit of their exact own δ

    def vec(v: np.ndarray) -> str:
        return "[" + ", ".join(f"{x:.6f}" for x in v) + "]"

    text = f"[layer.3]\na = {vec(a)}\ndL_da = {vec(g)}\ndelta = {vec(delta)}\n"
    report = check(spec, parse_claims(text, spec, trace), trace)
    off = [f for f in report.findings if f.key == "delta" and f.status == "wrong"]
    assert off and all(f.diagnosis == ["rounded_inputs"] for f in off), [f.message for f in off]


def test_the_first_error_counts_only_the_carried_numbers_after_it() -> None:
    # seed 001's worksheet with its slip z2[3] mended: the first error is softmax without
    # exp at a3, and the z3 before it, carried from a2 rounded, are not its followers
    spec = load_spec(EXAMPLES / "seed001.toml")
    trace = spec.explain()
    text = example_claims("seed001").read_text().replace("4.001]", "4.004]")
    findings = check(spec, parse_claims(text, spec, trace), trace).findings
    first = next(i for i, f in enumerate(findings) if f.status == "wrong")
    assert (findings[first].layer, findings[first].key) == (3, "a")
    before = [f for f in findings[:first] if f.status == "carried"]
    after = [f for f in findings[first + 1 :] if f.status == "carried"]
    assert {(f.layer, f.key) for f in before} == {(3, "z")} and after
    # of those after it, only ∂ℓ/∂a3[1] = −1/a3[1] (y1 = 1) is computed from a3[1]: the
    # rest follow from the δ3 and ∂ℓ/∂a2 written wrong after it
    assert findings[first].message.endswith(
        ". 1 later number follows correctly from your own values"
    )


def test_halved_and_turned_or_added_loss_derivatives_are_named() -> None:
    """Seed 002 writes ∂L/∂a = ½(y − a) for ½(a − y)²: halved and its sign turned."""
    W1 = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
    W2 = np.array([[0.2, -0.1, 0.4], [0.3, 0.6, -0.2], [-0.5, 0.1, 0.3]])
    x, y = np.array([0.5, 0.2, 0.1]), np.array([1.0, 0.0, 0.0])
    spec = parse_spec(
        {
            "input": x.tolist(),
            "target": y.tolist(),
            "loss": HSE,
            "learning_rate": 0.1,
            "layer": [
                {"activation": SIG, "weights": W1.tolist(), "bias": [0.1] * 3},
                {"activation": SIG, "weights": W2.tolist(), "bias": [0.0] * 3},
            ],
        }
    )
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    a = sigmoid(sigmoid(x @ W1 + 0.1) @ W2)  # by hand
    trace = spec.explain()
    for written, ids in (
        (0.5 * (y - a), {"loss_derivative_sign", "half_factor"}),
        (a + y, {"loss_derivative_sign"}),
    ):
        text = "[layer.2]\ndL_da = [" + ", ".join(f"{v:.5f}" for v in written) + "]\n"
        report = check(spec, parse_claims(text, spec, trace), trace)
        for f in report.findings:
            if abs(written[f.index[-1] - 1] - (a - y)[f.index[-1] - 1]) > 1e-4:
                assert f.status == "wrong" and set(f.diagnosis) == ids, f.message
    # δ = (y + a) σ′ written alone (seed 002): the unwritten ∂ℓ/∂a's mistake is named
    delta = (a + y) * a * (1 - a)
    text = "[layer.2]\ndelta = [" + ", ".join(f"{v:.5f}" for v in delta) + "]\n"
    (first, *rest) = check(spec, parse_claims(text, spec, trace), trace).findings
    assert first.status == "wrong" and first.diagnosis == ["loss_derivative_sign"]
    assert all(f.status == "right" for f in rest)  # y = 0 there: a + y = a − y
    # δ = ½(y − a) σ′ written alone: both mistakes of its unwritten ∂ℓ/∂a, as written
    delta = 0.5 * (y - a) * a * (1 - a)
    text = "[layer.2]\ndelta = [" + ", ".join(f"{v:.6f}" for v in delta) + "]\n"
    findings = check(spec, parse_claims(text, spec, trace), trace).findings
    assert [f.status for f in findings] == ["wrong"] * 3
    for f in findings:
        assert set(f.diagnosis) == {"loss_derivative_sign", "half_factor"}, f.message


def test_a_mistake_in_a_squared_error_is_explained_in_its_own_loss() -> None:
    """squared_error has no ½: its sign and its factor are said of (a − y)²."""
    spec = parse_spec(
        {
            "input": [1.0, 2.0],
            "target": [1.0, 0.0],
            "loss": SE,
            "layer": [{"activation": SIG, "weights": [[0.5, -0.6], [0.7, 0.8]]}],
        }
    )
    trace = spec.explain()
    a = 1 / (1 + np.exp(-(np.array([1.0, 2.0]) @ np.array([[0.5, -0.6], [0.7, 0.8]]))))
    y = np.array([1.0, 0.0])
    for written, said in (
        (2 * (y - a), "loss_derivative_sign: mind the signs: ∂/∂a of (a − y)² is 2(a − y)"),
        (a - y, "half_factor: this loss is squared_error, without ½"),
    ):
        text = "[layer.1]\ndL_da = [" + ", ".join(f"{v:.6f}" for v in written) + "]\n"
        for f in check(spec, parse_claims(text, spec, trace), trace).findings:
            assert f.status == "wrong" and said in f.message, f.message


def test_mean_squared_error_of_two_units_halved_or_doubled() -> None:
    """n = 2: ×2 is the 1/n left out (unit_mean); ÷2 the 1/n twice or the 2 forgotten."""
    W = np.array([[0.5, -0.6], [0.7, 0.8]])
    spec = parse_spec(
        {
            "input": [1.0, 2.0],
            "target": [1.0, 0.0],
            "loss": "mean_squared_error",
            "layer": [{"activation": SIG, "weights": W.tolist()}],
        }
    )
    trace = spec.explain()
    a, y = 1 / (1 + np.exp(-(np.array([1.0, 2.0]) @ W))), np.array([1.0, 0.0])
    for written, ids in ((2 * (a - y), ["unit_mean"]), ((a - y) / 2, ["half_factor", "unit_mean"])):
        text = "[layer.1]\ndL_da = [" + ", ".join(f"{v:.6f}" for v in written) + "]\n"
        for f in check(spec, parse_claims(text, spec, trace), trace).findings:
            assert f.status == "wrong" and f.diagnosis == ids, f.message


def test_a_transposed_gradient_s_shape_is_named_as_the_layout_s() -> None:
    """A non-square grad_W written the other way round is no shape of the sheet: said so."""
    spec = parse_spec(
        {
            "input": [1.0, 2.0],
            "target": [1.0, 0.0, 0.0],
            "loss": CE,
            "weights_layout": "out_in",
            "layer": [{"activation": SOFT, "weights": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]}],
        }
    )
    trace = spec.explain()
    text = "[layer.1]\ngrad_W = [[0, 0, 0], [0, 0, 0]]\n"
    expected = r"expected shape \(3, 2\), a row per unit \(unit by input"
    with pytest.raises(ClaimsError, match=expected):
        parse_claims(text, spec, trace)


def test_a_right_0_stays_right_beside_numbers_at_full_precision() -> None:
    """float64 leaves a true 0 as ~1e-17: a 0 is read at 12 decimals at most."""
    spec = load_spec(EXAMPLES / "seed003.toml")
    trace = spec.explain()
    g = trace.layers[0].dL_da[0]
    assert 0 < abs(g[0]) < 1e-15  # δ2 (x, −x) times equal weights
    text = "[layer.1]\ndL_da = [0, " + ", ".join(repr(float(v)) for v in g[1:]) + "]\n"
    report = check(spec, parse_claims(text, spec, trace), trace)
    assert all(f.status == "right" for f in report.findings), report.findings[0].message


def test_messages_of_a_w_x_spec_speak_its_notation() -> None:
    """seed 003 writes W x: unit j's weights are row j of its W, ∂ℓ/∂a uses columns."""
    spec = load_spec(EXAMPLES / "seed003.toml")
    assert spec.weights_layout == "out_in"
    trace = spec.explain()
    x, W1 = spec.X[0], trace.layers[0].W  # trace: in_out, W1 = (person's W1)ᵀ
    xW = x @ W1.T  # z computed with the person's matrix the wrong way round
    text = "[layer.1]\nz = [" + ", ".join(f"{v:.4f}" for v in xW) + "]\n"
    wrong = _claims_for(EXAMPLES / "seed003.toml", text).findings
    assert wrong[0].status == "wrong" and "transposed_weights" in wrong[0].diagnosis
    assert "(W1 row 1·x + b1[1])" in wrong[0].message
    assert "z = W a + b with W[j][i] joining input i to unit j" in wrong[0].message
    back = _claims_for(EXAMPLES / "seed003.toml", '[layer.1]\n"dL_da[2]" = 0.5\n').findings[0]
    assert "(column 2 of W2)·δ2" in back.message
    grad = _claims_for(EXAMPLES / "seed003.toml", '[layer.1]\n"grad_W[1,2]" = 0.5\n').findings[0]
    assert "(δ1·xᵀ / m)" in grad.message
    # the same mistakes in an x W spec keep its own words
    small = load_spec(EXAMPLES / "seed001.toml")
    assert small.weights_layout == "in_out"
    back = _claims_for(EXAMPLES / "seed001.toml", '[layer.1]\n"dL_da[2]" = 0.5\n').findings[0]
    assert "δ2·(row 2 of W2)" in back.message


def test_a_parameter_the_step_moves_below_its_digits_is_right_as_written(tmp_path: Path) -> None:
    """−1.88000 for a weight moved by 4·10⁻⁶ is right beside gradients written 1.24634e-05.

    An unchanged parameter is read at the person's most significant digits, not at the
    most decimals: a small gradient in significant figures carries many decimals.
    """
    text = (
        (EXAMPLES / "seed001.toml")
        .read_text()
        .replace("learning_rate = 0.01", "learning_rate = 1e-7")
    )
    path = tmp_path / "slow.toml"
    path.write_text(text)
    spec = load_spec(path)
    trace = spec.explain()
    out = trace.layers[2]
    W, W_new, grad = out.W[0, 0], out.W_new[0, 0], out.grad_W[0, 0]
    assert W_new != W and f"{W:.6g}" == f"{W_new:.6g}"  # the move is below 6 digits
    small = trace.layers[0].grad_W[0, 0]  # 0.00101664: six digits, eight decimals
    claims = (
        f'[layer.1]\n"grad_W[1,1]" = {small:.6g}\n'
        f'[layer.3]\n"W_new[1,1]" = {W_new:.6g}\n"grad_W[1,1]" = {grad:.6g}\n'
    )
    report = check(spec, parse_claims(claims, spec, trace), trace)
    judged = {(f.key, f.index): f for f in report.findings}
    assert judged[("W_new", (1, 1))].status == "right", judged[("W_new", (1, 1))].message
    # but a bias left as it was, written to fewer digits than the person's others, is not
    b, b_new = out.b[0], out.b_new[0]
    moved = f'[layer.3]\n"b_new[1]" = {b:g}\n"z[1]" = {out.z[0, 0]:.9f}\n'
    fast = load_spec(EXAMPLES / "seed001.toml")
    assert abs(fast.explain().layers[2].b_new[0] - b) > 1e-4 and b_new != b
    fast_trace = fast.explain()
    report = check(fast, parse_claims(moved, fast, fast_trace), fast_trace)
    found = {(f.key, f.index): f for f in report.findings}[("b_new", (1,))]
    assert found.status == "wrong" and "bias_not_updated" in found.diagnosis
    assert f"you wrote {b:g}, it is {b:g} " not in found.message  # the digits that differ


def test_one_claim_is_counted_in_the_singular(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    claims = tmp_path / "one.toml"
    claims.write_text('[layer.1]\n"z[1]" = 2.9\n')
    code, out, _ = run_main(capsys, "check", str(EXAMPLES / "seed003.toml"), str(claims))
    assert code == 0 and "glassnet check: 1 claim: 1 right, 0 wrong, 0 carried" in out


def _full_worksheet(spec: Any, trace: Any, write: Callable[[float], str]) -> str:
    """Every number of the step, right, each written by ``write``, in the spec's layout."""
    one = spec.X.shape[0] == 1

    def row(value: Any) -> str:
        if np.ndim(value) == 0:
            return write(float(value))
        return "[" + ", ".join(row(v) for v in value) + "]"

    lines = []
    for layer in trace.layers:
        lines.append(f"[layer.{layer.index}]")
        for key in ("z", "a", "dL_da", "da_dz", "delta", "grad_W", "grad_b", "W_new", "b_new"):
            value = np.asarray(getattr(layer, key))
            if key in W_SHAPED and spec.weights_layout == "out_in":
                value = value.T
            elif one and key not in (*W_SHAPED, "grad_b", "b_new"):
                value = value[0]
            lines.append(f"{key} = {row(value)}")
    lines += ["[result]", f"loss = {write(trace.loss)}", f"loss_after = {write(trace.loss_after)}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("example", ["seed000", "seed001", "seed003"])
@pytest.mark.parametrize(
    "write",
    [
        *(lambda v, d=d: f"{v:.{d}f}" for d in (2, 3, 4, 6)),  # fixed decimals, zeros kept
        lambda v: f"{v:.4f}".rstrip("0").rstrip("."),  # fixed decimals, zeros dropped
        *(lambda v, d=d: f"{v:.{d}g}" for d in (4, 6)),  # significant figures
    ],
    ids=["2dp", "3dp", "4dp", "6dp", "4dp-stripped", "4sig", "6sig"],
)
def test_a_whole_right_worksheet_is_right_at_any_precision(example: str, write: Any) -> None:
    # an unchanged-looking W_new (0.1000 for 0.0999898) is read finer than written only
    # where the sheet itself is finer: here every number has the same precision
    spec = load_spec(EXAMPLES / f"{example}.toml")
    trace = spec.explain()
    text = _full_worksheet(spec, trace, lambda v: write(v) if write(v) not in ("-0", "") else "0")
    report = check(spec, parse_claims(text, spec, trace), trace)
    wrong = [f.message for f in report.findings if f.status != "right"]
    assert not wrong, wrong[:3]


def test_halved_squared_error_derivative_of_two_examples_is_not_also_a_batch_mean() -> None:
    # with m = 2, (a − y) is both ∂ℓ/∂a ÷ 2 (half_factor) and ∂ℓ/∂a ÷ m: the first is named
    net = {
        "input": [[0.5, -1.0, 0.3], [1.0, 0.2, -0.4]],
        "target": [[0.2, 0.9], [0.7, 0.1]],
        "loss": "squared_error",
        "layer": [
            {"activation": "sigmoid", "weights": [[0.1, -0.4], [0.3, 0.2], [-0.5, 0.6]]},
            {"activation": "sigmoid", "weights": [[0.7, -0.3], [0.2, 0.8]]},
        ],
    }
    spec = parse_spec(net)
    trace = spec.explain()
    g = trace.layers[1].dL_da / 2
    claims = (
        "[layer.2]\ndL_da = ["
        + ", ".join("[" + ", ".join(f"{v:.4f}" for v in row) + "]" for row in g)
        + "]\n"
    )
    for f in check(spec, parse_claims(claims, spec, trace), trace).findings:
        assert f.diagnosis == ["half_factor"], f.message


@pytest.mark.parametrize(
    ("z", "written", "right"),
    [
        ("2.03e3", "2.03e3", True),  # its last place is the tens: 2034 is within 10
        ("2.2e3", "2.2e3", False),  # the hundreds: 2034 is 166 from 2200
        ("0.30000000000000000000", "0.30000000000000000000", True),  # beyond float64
    ],
)
def test_the_last_place_of_what_was_written_is_its_precision(z, written, right):
    # x = 1017, W = 2: z = 2034; and x = 0.1, W = 3: 0.1·3 is 0.30000000000000004 in floats
    x, w = (1017.0, 2.0) if "e3" in z else (0.1, 3.0)
    spec = parse_spec(
        {
            "input": [x],
            "target": [0.0],
            "loss": "half_squared_error",
            "layer": [{"activation": "identity", "weights": [[w]]}],
        }
    )
    trace = spec.explain()
    (finding,) = check(spec, parse_claims(f"[layer.1]\nz = [{z}]\n", spec, trace), trace).findings
    assert f": {written} is right" in finding.message or f"you wrote {written}," in finding.message
    assert (finding.status == "right") is right


def test_check_json_writes_what_is_not_finite_as_strings(capsys, tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(
        'input = [1e200]\ntarget = [0.0]\nloss = "half_squared_error"\n'
        '[[layer]]\nactivation = "identity"\nweights = [[1e200]]\n'
    )
    claims = tmp_path / "c.toml"
    claims.write_text("[layer.1]\nz = [1.0]\n[result]\nloss = 1\n")
    code, out, _ = run_main(capsys, "check", str(spec), str(claims), "--format", "json")
    document = json.loads(out, parse_constant=lambda c: pytest.fail(f"JSON has {c}"))
    assert code == 1 and "inf" in [f["correct"] for f in document["findings"]]


def test_a_claimed_parameter_that_underflows_to_0_is_judged(tmp_path):
    spec = load_spec(EXAMPLES / "seed003.toml")
    trace = spec.explain()
    text = '[layer.1]\n"z[1]" = 2.9\n"b_new[1]" = 1e-400\n'
    statuses = [f.status for f in check(spec, parse_claims(text, spec, trace), trace).findings]
    assert statuses[0] == "right" and len(statuses) == 2


def test_a_layer_number_is_written_once():
    spec = load_spec(EXAMPLES / "seed003.toml")
    trace = spec.explain()
    with pytest.raises(ClaimsError, match=r"layer\.01: expected a layer number"):
        parse_claims('[layer.1]\n"z[1]" = 2.9\n[layer.01]\n"z[1]" = 3.0\n', spec, trace)


SIGMOID_2_3_2 = """input = [0.5, -1.0]
target = [1.0, 0.0]
loss = "squared_error"
learning_rate = 0.5
[[layer]]
activation = "sigmoid"
weights = [[0.2, -0.4, 0.6], [0.5, 0.3, -0.1]]
bias = [0.1, -0.2, 0.3]
[[layer]]
activation = "sigmoid"
weights = [[0.7, -0.3], [-0.5, 0.2], [0.4, 0.8]]
bias = [0.05, -0.1]
"""
RELU_SIGMOID_BCE = """input = [0.8, 0.2]
target = [1.0, 0.0]
loss = "binary_cross_entropy"
learning_rate = 0.1
[[layer]]
activation = "relu"
weights = [[0.5, -0.3, 0.9], [0.4, 0.7, -0.2]]
bias = [0.1, 0.2, -0.1]
[[layer]]
activation = "sigmoid"
weights = [[0.3, -0.6], [0.2, 0.5], [-0.4, 0.1]]
"""


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _vector(v: np.ndarray, decimals: int = 4) -> str:
    return "[" + ", ".join(f"{x:.{decimals}f}" for x in v) + "]"


def test_a_known_mistake_beside_right_rounded_inputs_is_named(tmp_path: Path) -> None:
    # ∂ℓ/∂a with its sign flipped, and δ without f′, beside the right a written to 4
    # decimals: from the rounded a each is a unit of the last place off what was written
    path = tmp_path / "net.toml"
    path.write_text(SIGMOID_2_3_2)
    x, y = np.array([0.5, -1.0]), np.array([1.0, 0.0])
    a1 = _sigmoid(x @ np.array([[0.2, -0.4, 0.6], [0.5, 0.3, -0.1]]) + [0.1, -0.2, 0.3])
    a2 = _sigmoid(a1 @ np.array([[0.7, -0.3], [-0.5, 0.2], [0.4, 0.8]]) + [0.05, -0.1])
    a = np.round(a2, 4)
    flipped = np.round(-2 * (a2 - y), 4)  # (a − y)² differentiated with the sign turned
    assert not np.array_equal(np.round(-2 * (a - y), 4), flipped)  # not from the rounded a
    for key, rule in (("dL_da", "loss_derivative_sign"), ("delta", "derivative_missing")):
        value = flipped if key == "dL_da" else -flipped
        report = _claims_for(path, f"[layer.2]\na = {_vector(a)}\n{key} = {_vector(value)}\n")
        wrong = [f for f in report.findings if f.status == "wrong"]
        assert [f.key for f in wrong] == [key, key]
        assert all(f.diagnosis == [rule] for f in wrong), [f.message for f in wrong]


def test_a_loss_derivative_with_log10_is_named_log10(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(RELU_SIGMOID_BCE)
    x, y = np.array([0.8, 0.2]), np.array([1.0, 0.0])
    a1 = np.maximum(x @ np.array([[0.5, -0.3, 0.9], [0.4, 0.7, -0.2]]) + [0.1, 0.2, -0.1], 0)
    a2 = _sigmoid(a1 @ np.array([[0.3, -0.6], [0.2, 0.5], [-0.4, 0.1]]))
    # ℓ = −y log₁₀ a − (1 − y) log₁₀(1 − a): ∂ℓ/∂a = (−y/a + (1 − y)/(1 − a)) / ln 10
    log10 = (-y / a2 + (1 - y) / (1 - a2)) / np.log(10)
    report = _claims_for(path, f"[layer.2]\ndL_da = {_vector(log10)}\n")
    assert [f.diagnosis for f in report.findings] == [["log10"], ["log10"]]


def test_numbers_rounded_step_by_step_are_named_rounding(tmp_path: Path) -> None:
    # a worksheet worked to 3 decimals, each number from the rounded ones before it;
    # only the gradient written, to 4
    path = tmp_path / "net.toml"
    path.write_text(RELU_SIGMOID_BCE)
    x, y = np.array([0.8, 0.2]), np.array([1.0, 0.0])
    W1 = np.array([[0.5, -0.3, 0.9], [0.4, 0.7, -0.2]])
    W2 = np.array([[0.3, -0.6], [0.2, 0.5], [-0.4, 0.1]])

    def worked(r: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        a1 = r(np.maximum(r(x @ W1 + [0.1, 0.2, -0.1]), 0))
        a2 = r(_sigmoid(r(a1 @ W2)))
        delta = r(r(-y / a2 + (1 - y) / (1 - a2)) * r(a2 * (1 - a2)))
        return np.outer(a1, delta)

    steps = np.round(worked(lambda v: np.round(v, 3)), 4)
    exact = worked(lambda v: v)
    assert steps[0, 1] != np.round(exact[0, 1], 4)
    report = _claims_for(path, f'[layer.2]\n"grad_W[1,2]" = {steps[0, 1]:.4f}\n')
    assert report.findings[0].status == "wrong"
    assert report.findings[0].diagnosis == ["rounded_inputs"], report.findings[0].message


def test_a_loss_term_of_a_zero_target_is_0_not_minus_0(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(
        'input = [0.5, 1.0]\ntarget = [0.0, 1.0]\nloss = "cross_entropy"\n'
        '[[layer]]\nactivation = "softmax"\nweights = [[0.1, 0.2], [0.3, -0.4]]\n'
    )
    report = _claims_for(path, "[result]\nloss_terms = [0.5, 0.5]\n")
    zero = report.findings[0]
    assert zero.correct == 0 and math.copysign(1.0, zero.correct) == 1.0
    assert "it is 0 " in zero.message


def test_two_mistakes_that_cancel_are_said_beside_the_right_number(tmp_path: Path) -> None:
    # ∂ℓ/∂a with its sign turned, carried into the gradient, then the update θ + η∇:
    # the new weights come out right, and the second mistake must not go unsaid
    path = tmp_path / "net.toml"
    path.write_text(SIGMOID_2_3_2)
    x, y = np.array([0.5, -1.0]), np.array([1.0, 0.0])
    W2, b2 = np.array([[0.7, -0.3], [-0.5, 0.2], [0.4, 0.8]]), np.array([0.05, -0.1])
    a1 = _sigmoid(x @ np.array([[0.2, -0.4, 0.6], [0.5, 0.3, -0.1]]) + [0.1, -0.2, 0.3])
    a2 = _sigmoid(a1 @ W2 + b2)
    flipped = -2 * (a2 - y)
    grad_b = flipped * a2 * (1 - a2)  # the person's own ∂L/∂b2, of the wrong sign
    b_new = b2 + 0.5 * grad_b  # their θ + η∇: the true b2 − η ∂L/∂b2
    text = f"[layer.2]\ndL_da = {_vector(flipped, 6)}\nb_new = {_vector(b_new, 6)}\n"
    report = _claims_for(path, text)
    right = [f for f in report.findings if f.key == "b_new"]
    assert [f.status for f in right] == ["right", "right"]
    assert all("two cancel: update_sign" in f.message and not f.diagnosis for f in right)
    # a right number that follows from right ones says nothing more
    true_grad_b = -grad_b
    plain = _claims_for(path, f"[layer.2]\nb_new = {_vector(b2 - 0.5 * true_grad_b, 6)}\n")
    assert [f.message.endswith("is right") for f in plain.findings] == [True, True]


def test_a_delta_rounding_explains_is_not_named_a_mistake_that_holds_on_the_true_values() -> None:
    # seed 001's output layer worked to 2 decimals; from the true values, softmax's
    # diagonal alone gives δ_2 = a_2 (binary cross-entropy, target 0): a coincidence
    # that must not beat rounding, which the written numbers show
    a = np.array([0.20, 0.29, 0.52])
    g = np.array([-5.00, 1.41, 2.08])
    J = np.round(np.diag(a) - np.outer(a, a), 2)  # worked from a, rounded as the sheet
    delta = np.round(J.T @ g, 2)
    text = f"[layer.3]\na = {_vector(a, 2)}\ndL_da = {_vector(g, 2)}\ndelta = {_vector(delta, 2)}\n"
    report = _claims_for(EXAMPLES / "seed001.toml", text)
    wrong = [f for f in report.findings if f.key == "delta" and f.status == "wrong"]
    assert wrong and all(f.diagnosis == ["rounded_inputs"] for f in wrong), [
        f.message for f in wrong
    ]


def test_no_cancelling_mistakes_are_said_where_there_is_no_known_mistake(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(RELU_SIGMOID_BCE)
    x = np.array([0.8, 0.2])
    W1 = np.array([[0.5, -0.3, 0.9], [0.4, 0.7, -0.2]])
    W2 = np.array([[0.3, -0.6], [0.2, 0.5], [-0.4, 0.1]])
    a1 = np.maximum(x @ W1 + [0.1, 0.2, -0.1], 0)
    # a slip in a1[3], then layer 2's z right: relu's z = a there, so z from z (a known
    # mistake) gives it too, from the slipped a: no second mistake to speak of
    text = f'[layer.1]\n"a[3]" = {a1[2] + 0.008:.3f}\n[layer.2]\nz = {_vector(a1 @ W2, 3)}\n'
    report = _claims_for(path, text)
    assert [f.status for f in report.findings] == ["wrong", "right", "right"]
    assert all(f.message.endswith("is right") for f in report.findings[1:])


def test_rounding_step_by_step_is_not_tried_at_one_decimal(tmp_path: Path) -> None:
    # σ(0.5) = 0.622 is what z rounded to 1 decimal at every step gives; 0.610 is right
    path = tmp_path / "net.toml"
    path.write_text(SIGMOID_2_3_2)
    report = _claims_for(path, '[layer.2]\n"a[1]" = 0.622\n')
    assert report.findings[0].diagnosis == ["arithmetic"]


def test_a_derivative_of_a_zero_target_is_0_not_minus_0(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(
        'input = [0.5, 1.0]\ntarget = [0.0, 1.0]\nloss = "cross_entropy"\n'
        '[[layer]]\nactivation = "softmax"\nweights = [[0.1, 0.2], [0.3, -0.4]]\n'
    )
    zero = _claims_for(path, "[layer.1]\ndL_da = [0.5, -2.0]\n").findings[0]
    assert zero.correct == 0 and math.copysign(1.0, zero.correct) == 1.0
    assert "it is 0 " in zero.message


def test_the_half_factor_explanation_speaks_of_the_loss_as_of_its_derivative() -> None:
    """half_factor explains a loss claim too: the two losses, not only their derivatives."""
    case = case_named("half_factor-se-loss-m1")
    sheet = solve(case)
    report = run_check(sheet, sheet.claims_toml())
    (loss,) = [f for f in report.findings if f.key == "loss"]
    assert loss.status == "wrong" and loss.diagnosis == ["half_factor"], loss.message
    assert "the loss ½(a − y)²" in loss.message and "the loss (a − y)²" in loss.message
    assert "derivative a − y" in loss.message


def test_a_bias_added_after_the_activation_is_named() -> None:
    """Seed 000 writes x₁ = f(w₁x₀) + b₀: its z without b, then b added to f(z)."""
    spec = parse_spec(
        {
            "input": [1.0, 0.0, 1.0],
            "target": [1.0, 0.0],
            "loss": HSE,
            "learning_rate": 0.1,
            "layer": [
                {
                    "activation": SIG,
                    "weights": [[1.0, 0.0], [1.0, 1.0], [1.0, 0.0]],
                    "bias": [0.5, -0.5],
                }
            ],
        }
    )
    trace = spec.explain()
    z = np.array([2.0, 0.0])  # x·W, the bias left out
    a = 1 / (1 + np.exp(-z)) + np.array([0.5, -0.5])  # by hand: f(x W) + b
    text = f"[layer.1]\nz = [2.5, -0.5]\na = {_vector(a, 6)}\n"
    for claims, z_status in ((text, "right"), (text.replace("[2.5, -0.5]", "[2, 0.0]"), None)):
        findings = check(spec, parse_claims(claims, spec, trace), trace).findings
        if z_status is not None:  # a = f(z − b) + b from the right z
            assert [f.status for f in findings if f.key == "z"] == ["right", "right"]
        for f in findings:
            if f.key == "a":
                assert f.status == "wrong", f.message
                assert f.diagnosis == ["bias_after_activation"], f.message
                assert "the bias enters before the activation" in f.message


def test_seed003s_diagonal_only_in_an_unwritten_delta_is_named() -> None:
    """Seed 003's sheet writes ∂ℓ/∂h13 from δ2 of the Jacobian's diagonal, δ2 unwritten."""
    spec = load_spec(EXAMPLES / "seed003.toml")
    trace = spec.explain()
    out = trace.layers[1]
    g, a = out.dL_da[0], out.a[0]
    delta = g * a * (1 - a)  # by hand: one path from z_j, through a_j
    W2 = trace.layers[1].W  # in_out: row 3 joins h13 to the outputs
    text = (
        "[layer.2]\ndL_da = " + _vector(g, 6) + f'\n[layer.1]\n"dL_da[3]" = {delta @ W2[2]:.6f}\n'
    )
    findings = check(spec, parse_claims(text, spec, trace), trace).findings
    (f,) = [f for f in findings if f.key == "dL_da" and f.layer == 1]
    assert f.status == "wrong" and f.diagnosis == ["softmax_diagonal_only"], f.message


def _seed000_with_bias(x: list[float], bias: list[float], W3: list[float]) -> Any:
    """Seed 000's layer: integer x and W (W's third row ``W3``), sigmoid, and a bias."""
    return parse_spec(
        {
            "input": x,
            "target": [1.0, 0.0],
            "loss": HSE,
            "learning_rate": 0.1,
            "layer": [{"activation": SIG, "weights": [[1.0, 0.0], [1.0, 1.0], W3], "bias": bias}],
        }
    )


def test_a_whole_number_a_known_mistake_gives_exactly_is_read_at_the_sheets_precision() -> None:
    """z = x W = [3, 2] for [3.6, 2.6] beside numbers to 6 decimals: the bias forgotten,
    not z rounded to the unit; a whole number no known mistake gives stays as written."""
    spec = _seed000_with_bias([1.0, 1.0, 1.0], [0.6, 0.6], [1.0, 1.0])
    trace = spec.explain()
    a = _vector(1 / (1 + np.exp(-np.array([3.0, 2.0]))), 6)  # σ(x W), carried on
    text = f"[layer.1]\nz = [3, 2]\na = {a}\n"
    report = check(spec, parse_claims(text, spec, trace), trace)
    z = [f for f in report.findings if f.key == "z"]
    for f in z:
        assert f.status == "wrong" and f.diagnosis == ["bias_missing"], f.message
        assert "gives exactly is taken as that mistake's, to 6 decimals" in f.message
    assert report.to_dict()["first_error"] == {"layer": 1, "key": "z", "index": [1, 1]}
    assert all(f.status == "carried" for f in report.findings if f.key == "a")
    # 4 and 3 (3.6 and 2.6 rounded up): no known mistake gives them, right at the unit
    fours = text.replace("z = [3, 2]", "z = [4, 3]")
    report = check(spec, parse_claims(fours, spec, trace), trace)
    assert [f.status for f in report.findings if f.key == "z"] == ["right", "right"]
    # alone, with no number finer than the unit, 3 is judged as written
    alone = check(spec, parse_claims("[layer.1]\nz = [3, 2]\n", spec, trace), trace)
    assert all(f.status == "right" for f in alone.findings)
    # seed 000's own z = [2, 0] beside a bias of (0.5, −0.5): x W, the bias left out
    spec = _seed000_with_bias([1.0, 0.0, 1.0], [0.5, -0.5], [1.0, 0.0])
    trace = spec.explain()
    text = "[layer.1]\nz = [2, 0]\na = [0.880797, 0.5]\n"
    report = check(spec, parse_claims(text, spec, trace), trace)
    first = report.first_error
    assert first is not None and (first.key, first.index) == ("z", (1, 1)), first
    assert first.diagnosis == ["bias_missing"], first.message


def test_the_first_error_counts_only_the_carried_numbers_that_follow_from_it() -> None:
    """Seed 001's slip z2[3] = 4.001 goes no further (its a2[3] is right): the 59 carried
    numbers after it follow from later mistakes, and no count is said. Seed 003's 1.4 is
    carried on through a1[2] = 0.80 as written: the 7 carried after it follow from it."""
    for seed, followers in (("seed001", 0), ("seed003", 7)):
        spec = load_spec(EXAMPLES / f"{seed}.toml")
        trace = spec.explain()
        claims = parse_claims(example_claims(seed).read_text(), spec, trace)
        report = check(spec, claims, trace)
        first = report.first_error
        assert first is not None and first.diagnosis == ["arithmetic"]
        carried = [f for f in report.findings if f.status == "carried"]
        assert len(carried) >= followers and carried
        if followers:
            assert first.message.endswith(
                f". {followers} later numbers follow correctly from your own values"
            ), first.message
        else:
            assert "later number" not in first.message, first.message


def test_loss_terms_are_only_of_the_losses_that_sum_over_the_units(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import glassnet
    from glassnet import losses
    from glassnet.check import TERM_LOSSES

    assert TERM_LOSSES == losses._BUILT_IN  # glassnet's own: each a sum over the units
    saved = dict(losses.LOSSES)

    def norm(a: np.ndarray, y: np.ndarray) -> np.ndarray:  # ℓ = √Σ_j (a_j − y_j)²: no sum
        return np.sqrt(((a - y) ** 2).sum(axis=-1))

    def norm_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (a - y) / norm(a, y)[:, None]

    glassnet.register_loss("euclid", norm, norm_gradient)
    try:
        spec_path = tmp_path / "euclid.toml"
        spec_path.write_text(
            'input = [0.1, 0.2]\ntarget = [1.0, 0.0]\nloss = "euclid"\n'
            '[[layer]]\nactivation = "identity"\nweights = [[1.0, 0.0], [0.0, 1.0]]\n'
        )
        spec = load_spec(spec_path)
        trace = spec.explain()
        code, out, err = run_main(capsys, "check", str(spec_path), "--template")
        assert (code, err) == (0, "") and "loss_terms =" not in out
        assert set(tomllib.loads(out)["result"]) == {"loss", "loss_after"}
        # terms that sum to 1.1, not ℓ = 0.922: refused, not taken for ℓ's summands
        for claim in ("loss_terms = [0.9, 0.2]", '"loss_terms[1]" = 0.9'):
            text = f"[result]\nloss = 1.1\n{claim}\n"
            with pytest.raises(ClaimsError, match=r"^<claims>: result: loss_terms.*'euclid'"):
                parse_claims(text, spec, trace)
            claims = tmp_path / "claims.toml"
            claims.write_text(text)
            code, out, err = run_main(capsys, "check", str(spec_path), str(claims))
            assert code == 2 and out == "" and err.count("\n") == 1
            assert "result: loss_terms" in err and "'euclid'" in err
        claims.write_text("[result]\nloss = 1.1\nloss_terms = []\n")  # a blank is no claim
        code, out, _ = run_main(capsys, "check", str(spec_path), str(claims))
        assert code == 1 and "✗ loss: you wrote 1.1, it is 0.921954" in out
        assert "the mean over the examples of ℓ" in out and "terms" not in out
        claims.write_text("[result]\nloss = 0.922\n")
        assert run_main(capsys, "check", str(spec_path), str(claims))[0] == 0
    finally:
        losses.LOSSES.clear()
        losses.LOSSES.update(saved)


def test_check_reads_each_finding_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # not timed: whether a right number comes after a known mistake is kept as findings
    # are appended; rescanning them for every right claim made a whole worksheet of a
    # 64-32-10 network (53k claims) take 35 s, quadratic in the claims
    reads = 0

    class Counted(check_module.Finding):
        def __getattribute__(self, name: str) -> Any:
            nonlocal reads
            reads += name == "status"
            return super().__getattribute__(name)

    monkeypatch.setattr(check_module, "Finding", Counted)
    for sizes in ([3, 4, 2], [6, 12, 12, 4]):
        spec = make_spec(1, sizes, [SIG] * (len(sizes) - 1), HSE, 3)[0]
        sheet = build_sheet(spec)
        reads = 0
        report = check(spec, parse_claims(sheet.claims_toml(), spec, sheet.trace))
        n = len(report.findings)
        assert report.all_right
        assert reads <= 4 * n, (n, reads)  # one scan of earlier findings each: n²/2


def test_a_delta_from_another_formula_than_its_written_dl_da_is_diagnosed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # seed 002: ∂L/∂a written as ½(y − a), then the boxed δ = (y + a)σ′, which that ∂L/∂a
    # does not give: its sign mistake is found on the true values, not called arithmetic
    spec = tmp_path / "s002.toml"
    spec.write_text(
        'input = [0.5, 0.2, 0.0]\ntarget = [1.0, 0.0, 0.0]\nloss = "half_squared_error"\n'
        'weights_layout = "in_out"\n[[layer]]\nactivation = "sigmoid"\n'
        "weights = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]\n"
        "bias = [-0.9772978603872036, -0.2, -1.6562943611198906]\n",  # a = (0.3, 0.5, 0.2)
        encoding="utf-8",
    )
    claims = tmp_path / "c.toml"
    claims.write_text(
        "[layer.1]\ndL_da = [0.35, -0.25, -0.1]\nda_dz = [0.21, 0.25, 0.16]\n"
        "delta = [0.273, 0.125, 0.032]\n",
        encoding="utf-8",
    )
    code, out, err = run_main(capsys, "check", str(spec), str(claims), "--format", "json")
    assert code == 1 and err == ""
    doc = json.loads(out)
    a = sigmoid(
        np.array([0.5, 0.2, 0.0]) @ np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
        + np.array([-0.9772978603872036, -0.2, -1.6562943611198906])
    )
    y = np.array([1.0, 0.0, 0.0])
    assert np.allclose((y + a) * a * (1 - a), [0.273, 0.125, 0.032])  # the boxed formula
    f = finding(doc, 1, "delta", [1, 1])
    assert f["status"] == "wrong" and f["diagnosis"] == ["loss_derivative_sign"]
    assert finding(doc, 1, "delta", [1, 2])["status"] == "right"  # y = 0: a + y = a − y


@pytest.mark.parametrize(
    ("written", "value", "how"),
    [
        ("0.569858", 0.568958, "two digits swapped"),  # seed 001's −log₁₀ 0.2698
        ("4.001", 4.004, "one digit changed"),
        ("-1.2345", -1.2745, "one digit changed"),
        ("0.16886", 0.168963, "one digit changed"),  # 0.16896 at its decimals
        ("0.5690", 0.5691, None),  # the last digit by 1: rounding, no slip
        ("0.5690", 0.5693, "one digit changed"),
        ("0.985", 0.965, None),  # 3 digits: one changed is any other number
        ("0.958", 0.985, "two digits swapped"),
        ("0.57", 0.75, None),  # too few digits to tell
        ("1.2345", -1.2345, None),  # a sign is no slip of a digit
        ("12.345", 2.345, None),
        ("1.2e3", 2.1e3, None),
        ("0.5698", float("nan"), None),
        ("0.5698", 0.6589, None),
        ("0.3067", 0.0067, None),  # a leading digit made 0: 45 times the value, no slip
        ("0.001234", 0.000234, None),
    ],
)
def test_a_slip_of_the_pen_is_one_digit_or_two_swapped(written, value, how):
    from glassnet.check import digit_slip

    assert digit_slip(written, value) == how


def test_a_slip_beside_a_known_mistake_names_both() -> None:
    # seed 001's loss terms: −log₁₀ a with two digits swapped (0.569858 for 0.568958)
    spec = load_spec(EXAMPLES / "seed001.toml")
    trace = spec.explain()
    report = check(spec, parse_claims(example_claims("seed001").read_text(), spec, trace), trace)
    term = next(f for f in report.findings if f.key == "loss_terms" and f.index == (1, 1))
    assert term.diagnosis == ["arithmetic"]  # the value itself: no known mistake's
    assert term.message.endswith(
        "arithmetic: no known mistake gives this value itself; a slip: 0.569858 is 0.568958 "
        "with two digits swapped, and that is what a known mistake gives: log10: the loss and "
        "its derivative use the natural logarithm ln, not log₁₀"
    ), term.message
    z = next(f for f in report.findings if f.key == "z" and f.layer == 2 and f.index == (1, 3))
    assert z.message.endswith("a slip: 4.001 is 4.004, the right value, with one digit changed")
    # a slip no single change explains says only that
    other = check(spec, parse_claims('[layer.2]\n"z[3]" = 4.321\n', spec, trace), trace)
    assert other.findings[0].message.endswith(
        "no known mistake gives this value; a slip of the arithmetic"
    )


def _sig(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def test_a_gradient_written_alone_names_a_mistake_two_steps_up() -> None:
    # seed 004's ∂f/∂W¹ = W³ σ′ σ′ x as one product, W² left out, nothing in between
    # written; and seed 002's boxed ∂L/∂w_ij = (y_j + a_j)σ′(z_j) a_i written alone
    x = np.array([1.0, 2.0])
    W1, W2, W3 = (
        np.array([[0.1, 0.3], [-0.2, 0.4]]),
        np.array([[0.5, -0.6], [0.7, 0.2]]),
        [0.8, -0.5],
    )
    spec = parse_spec(
        {
            "input": x.tolist(),
            "target": [0.0],
            "loss": HSE,
            "weights_layout": "out_in",
            "layer": [
                {"activation": SIG, "weights": W1.tolist()},
                {"activation": SIG, "weights": W2.tolist()},
                {"activation": "identity", "weights": [W3]},
            ],
        }
    )
    a1 = _sig(W1 @ x)
    a2 = _sig(W2 @ a1)
    f = float(np.dot(W3, a2))
    delta2 = f * np.array(W3) * a2 * (1 - a2)  # ∂L/∂f = f − 0
    skipped = np.outer(delta2 * a1 * (1 - a1), x)  # δ² taken for ∂ℓ/∂a¹: no W²ᵀ
    text = "[layer.1]\ngrad_W = " + str(np.round(skipped, 6).tolist()) + "\n"
    report = check(spec, parse_claims(text, spec, spec.explain()), spec.explain())
    assert [f.diagnosis for f in report.findings] == [["weights_skipped"]] * 4, [
        f.message for f in report.findings
    ]
    # listed as the sheet writes W x: row by row, unit 1's weights first
    assert [f.index for f in report.findings] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    # the sign: a + y for a − y in ∂ℓ/∂a, two steps before the gradient
    x = np.array([1.0, 0.5])
    V1 = np.array([[0.0, 0.0, 1.0, 0.0], [2.0, 0.0, 3.0, 0.0]])
    V2 = np.array([[0.2, -0.3, 0.4], [0.1, 0.5, -0.2], [-0.4, 0.3, 0.2], [0.3, 0.1, -0.1]])
    y = np.array([1.0, 0.0, 0.0])
    spec = parse_spec(
        {
            "input": x.tolist(),
            "target": y.tolist(),
            "loss": HSE,
            "layer": [
                {"activation": SIG, "weights": V1.tolist()},
                {"activation": SIG, "weights": V2.tolist()},
            ],
        }
    )
    h = _sig(x @ V1)
    a = _sig(h @ V2)
    boxed = np.outer(h, (y + a) * a * (1 - a))
    text = "[layer.2]\ngrad_W = " + str(np.round(boxed, 6).tolist()) + "\n"
    report = check(spec, parse_claims(text, spec, spec.explain()), spec.explain())
    wrong = [f for f in report.findings if f.status == "wrong"]
    assert len(wrong) == 4  # the column of y = 1 (where y = 0, a + y = a − y: right)
    for finding in wrong:
        assert finding.diagnosis == ["loss_derivative_sign"], finding.message
        # in the terms of the squared error, not of a cross-entropy
        assert finding.message.endswith(
            "loss_derivative_sign: mind the signs: ∂/∂a of ½(a − y)² is a − y, not y − a nor "
            "a + y (of (a − y)², 2(a − y))"
        ), finding.message


def test_loss_terms_of_a_saturated_output_are_the_step_s_own() -> None:
    # softmax + cross-entropy of logits 0 and −1000: ℓ = 1000, from the logits; the
    # clamped ln of a made the second term 708.396, which did not add up to the loss
    spec = parse_spec(
        {
            "input": [1.0],
            "target": [0.0, 1.0],
            "loss": "cross_entropy",
            "layer": [{"activation": SOFT, "weights": [[0.0, -1000.0]]}],
        }
    )
    trace = spec.explain()
    assert trace.loss == pytest.approx(1000.0)
    claims = parse_claims("[result]\nloss_terms = [0, 1000]\nloss = 1000\n", spec, trace)
    assert [f.status for f in check(spec, claims, trace).findings] == ["right"] * 3
    # glassnet's old 708.396 follows from no number of the person's: wrong, not carried
    claims = parse_claims("[result]\nloss_terms = [0, 708.396]\nloss = 354.198\n", spec, trace)
    assert [f.status for f in check(spec, claims, trace).findings] == ["right", "wrong", "wrong"]


def test_a_weight_of_0_or_1_names_no_weight_in_gradient() -> None:
    # w·a δ is 0 for a weight of 0, whatever was done, the true value for 1, its negative
    # for −1 (a sign, said as such)
    spec = parse_spec(
        {
            "input": [0.5, -0.3],
            "target": [1.0],
            "loss": HSE,
            "layer": [{"activation": "identity", "weights": [[0.0], [1.0]]}],
        }
    )
    trace = spec.explain()
    # beside a number of 6 decimals the 0 is read at 6: wrong (the true one is −0.65)
    text = '[layer.1]\n"grad_W[1,1]" = 0\n"grad_W[2,1]" = 0.390000\n'
    zero, other = check(spec, parse_claims(text, spec, trace), trace).findings
    assert other.status == "right"
    assert zero.status == "wrong" and zero.diagnosis == ["arithmetic"], zero.message


def test_the_right_value_with_its_sign_turned_says_so() -> None:
    spec = load_spec(EXAMPLES / "seed001.toml")
    trace = spec.explain()
    true = float(trace.layers[0].grad_W[0, 0])
    text = f'[layer.1]\n"grad_W[1,1]" = {-true:.6f}\n'
    (finding,) = check(spec, parse_claims(text, spec, trace), trace).findings
    assert finding.diagnosis == ["arithmetic"]
    assert finding.message.endswith(
        "is the right value with its sign turned: a sign lost on the way"
    )


def test_weight_minus_one_and_relu_layers_name_no_rule_of_their_own() -> None:
    spec = parse_spec(
        {
            "input": [0.5, -0.3],
            "target": [1.0],
            "loss": HSE,
            "layer": [
                {"activation": RELU, "weights": [[0.4, -0.2], [0.1, 0.3]], "bias": [0.1, 0.2]},
                {"activation": "identity", "weights": [[-1.0], [0.5]]},
            ],
        }
    )
    trace = spec.explain()
    negated = -float(trace.layers[1].grad_W[0, 0])
    text = f'[layer.2]\n"grad_W[1,1]" = {negated:.6f}\n'
    (finding,) = check(spec, parse_claims(text, spec, trace), trace).findings
    # a sign turned (before the output's δ: loss_derivative_sign), not a weight in it
    assert finding.diagnosis == ["loss_derivative_sign"], finding.message
    # a relu layer's f′ is 0 or 1: δ f′ is δ, input_missing's number alone
    delta = np.asarray(trace.layers[0].delta)[0]
    text = "[layer.1]\ngrad_W = " + str(np.round(np.tile(delta, (2, 1)), 6).tolist()) + "\n"
    for f in check(spec, parse_claims(text, spec, trace), trace).findings:
        if f.status == "wrong":
            assert f.diagnosis == ["input_missing"], f.message


def test_an_unwritten_saturated_row_s_loss_is_the_step_s_beside_a_written_one() -> None:
    # two examples; row 2's logits (0.5, −1000) make ℓ = 1000.5, from the logits. The
    # person writes row 1's a (wrongly) and carries it into the loss: their loss follows
    # from their a of row 1 and the step's ℓ of row 2, not the clamped 708.4 of its a
    spec = parse_spec(
        {
            "input": [[1.0], [2.0]],
            "target": [[1.0, 0.0], [0.0, 1.0]],
            "loss": "cross_entropy",
            "layer": [{"activation": SOFT, "weights": [[0.25, -500.0]], "bias": [0.0, 0.0]}],
        }
    )
    trace = spec.explain()
    row2 = float(trace.example_loss[1])
    assert row2 == pytest.approx(1000.5)
    mine = (-np.log(0.9) + row2) / 2
    text = f'[layer.1]\n"a[1,1]" = 0.9\n"a[1,2]" = 0.1\n[result]\nloss = {mine:.4f}\n'
    findings = check(spec, parse_claims(text, spec, trace), trace).findings
    loss = next(f for f in findings if f.key == "loss")
    assert loss.status == "carried", loss.message
