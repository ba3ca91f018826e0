"""Worksheets for the tests of `glassnet check`: a person's numbers for one step.

A :class:`Sheet` writes every quantity of a step in the order the step computes them:
the true values (rounded) before an injected place, a known mistake at it, and after
it what the person's own numbers give (the mistake carried forward). Every mistaken and
carried value is computed here with NumPy from the person's own written (rounded)
numbers, as the person would compute them, independently of glassnet.check; glassnet
provides only the true trace and the spec.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.check import computation_order
from glassnet.spec import Spec, parse_spec

from conftest import random_case

Slot = tuple[int | None, str]
KEYS = ("z", "a", "dL_da", "da_dz", "delta", "grad_W", "grad_b", "W_new", "b_new")
W_SHAPED = ("grad_W", "W_new")
# a claim with d decimals is right within one unit of its last place; an expectation is
# left undecided (None) within 10 % of that edge, and a sheet with one is redrawn
CLEAR_WRONG = 1e-4


# --- specs ---------------------------------------------------------------------------


def spec_dict(
    net: Any, X: np.ndarray, Y: np.ndarray, *, layout: str = "in_out", learning_rate: float = 0.1
) -> dict[str, Any]:
    """A spec as read from TOML, with explicit weights written in ``layout``."""
    one = X.shape[0] == 1
    return {
        "input": X[0].tolist() if one else X.tolist(),
        "target": Y[0].tolist() if one else Y.tolist(),
        "loss": net.loss.name,
        "learning_rate": learning_rate,
        "weights_layout": layout,
        "layer": [
            {
                "activation": layer.activation.name,
                "weights": (layer.W if layout == "in_out" else layer.W.T).tolist(),
                "bias": layer.b.tolist(),
            }
            for layer in net.layers
        ],
    }


def make_spec(
    seed: int,
    sizes: list[int],
    activations: list[str],
    loss: str,
    m: int,
    *,
    layout: str = "in_out",
    learning_rate: float = 0.1,
    transform: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[Spec, dict[str, Any]]:
    """A random network and batch (conftest.random_case) as a parsed spec and its dict."""
    net, X, Y = random_case(seed, sizes, activations, loss, m)
    data = spec_dict(net, X, Y, layout=layout, learning_rate=learning_rate)
    if transform is not None:
        transform(data)
    return parse_spec(data, f"<seed {seed}>"), data


def toml_value(value: Any) -> str:
    """A number, string or nested list as TOML (floats by repr: read back exactly)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def spec_toml(data: dict[str, Any]) -> str:
    """The text of a spec dict (of :func:`spec_dict`)."""
    lines = [f"{k} = {toml_value(v)}" for k, v in data.items() if k != "layer"]
    for layer in data["layer"]:
        lines += ["", "[[layer]]", *(f"{k} = {toml_value(v)}" for k, v in layer.items())]
    return "\n".join(lines) + "\n"


# --- the math, independently ---------------------------------------------------------


def activation(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "identity":
        return z.copy()
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise KeyError(name)


def derivative(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f'(z) from the person's z and a; for softmax J_ij = a_i (δ_ij − a_j), (m, n, n)."""
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a**2
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if name == "identity":
        return np.ones_like(z)
    if name == "softmax":
        eye = np.eye(a.shape[1])
        return a[:, :, None] * (eye[None, :, :] - a[:, None, :])
    raise KeyError(name)


def loss_terms(name: str, a: np.ndarray, y: np.ndarray, log: Callable = np.log) -> np.ndarray:
    """The summands of ℓ, one per output unit, shape (m, n)."""
    with np.errstate(all="ignore"):
        if name == "half_squared_error":
            return 0.5 * (a - y) ** 2
        if name == "squared_error":
            return (a - y) ** 2
        if name == "mean_squared_error":
            return (a - y) ** 2 / a.shape[1]
        if name == "binary_cross_entropy":
            return -(y * log(a) + (1 - y) * log(1 - a))
        if name == "cross_entropy":
            return -np.where(y != 0, y * log(a), 0.0)
    raise KeyError(name)


def loss_gradient(name: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂ℓ/∂a."""
    if name == "half_squared_error":
        return a - y
    if name == "squared_error":
        return 2 * (a - y)
    if name == "mean_squared_error":
        return 2 * (a - y) / a.shape[1]
    if name == "binary_cross_entropy":
        return -y / a + (1 - y) / (1 - a)
    if name == "cross_entropy":
        return -y / a
    raise KeyError(name)


def true_values(spec: Spec, trace: Any) -> dict[Slot, np.ndarray]:
    """Every quantity of the step from the engine's trace (in_out, examples first)."""
    true: dict[Slot, np.ndarray] = {
        (None, "loss"): np.asarray(trace.loss, dtype=float),
        (None, "loss_after"): np.asarray(trace.loss_after, dtype=float),
        (None, "loss_terms"): loss_terms(spec.network.loss.name, trace.layers[-1].a, spec.Y),
    }
    for layer in trace.layers:
        for key in KEYS:
            true[(layer.index, key)] = np.asarray(getattr(layer, key), dtype=float)
    return true


# --- the person ----------------------------------------------------------------------


class Person:
    """The person's own numbers so far, and what they give for the next one."""

    def __init__(self, spec: Spec, decimals: int) -> None:
        net = spec.network
        self.X, self.Y = spec.X, spec.Y
        self.eta = spec.learning_rate
        self.m = spec.X.shape[0]
        self.L = len(net.layers)
        self.W = [layer.W.copy() for layer in net.layers]  # before the step, in_out
        self.b = [layer.b.copy() for layer in net.layers]
        self.act = [layer.activation.name for layer in net.layers]
        self.loss = net.loss.name
        self.decimals = decimals
        self.own: dict[Slot, np.ndarray] = {}

    def __getitem__(self, slot: Slot) -> np.ndarray:
        return self.own[slot]

    def write(self, value: np.ndarray) -> np.ndarray:
        """What the person writes: the value at their precision (as read back)."""
        value = np.asarray(value, dtype=float)
        return np.vectorize(lambda x: float(fmt(x, self.decimals)), otypes=[float])(value)

    def a_prev(self, layer: int) -> np.ndarray:
        return self.X if layer == 1 else self.own[(layer - 1, "a")]

    def correct(self, slot: Slot) -> np.ndarray:
        """The quantity by the right formula from the person's own earlier numbers."""
        layer, key = slot
        if layer is None:
            if key == "loss_terms":
                return loss_terms(self.loss, self.own[(self.L, "a")], self.Y)
            if key == "loss":
                return np.asarray(
                    loss_terms(self.loss, self.own[(self.L, "a")], self.Y).sum(1).mean()
                )
            a = self.X  # loss_after: forward with the person's updated parameters
            for l in range(1, self.L + 1):
                z = a @ self.own[(l, "W_new")] + self.own[(l, "b_new")]
                a = activation(self.act[l - 1], z)
            return np.asarray(loss_terms(self.loss, a, self.Y).sum(1).mean())
        i = layer - 1
        if key == "z":
            return self.a_prev(layer) @ self.W[i] + self.b[i]
        if key == "a":
            return activation(self.act[i], self.own[(layer, "z")])
        if key == "dL_da":
            if layer == self.L:
                return loss_gradient(self.loss, self.own[(layer, "a")], self.Y)
            return self.own[(layer + 1, "delta")] @ self.W[layer].T
        if key == "da_dz":
            return derivative(self.act[i], self.own[(layer, "z")], self.own[(layer, "a")])
        if key == "delta":
            g, d = self.own[(layer, "dL_da")], self.own[(layer, "da_dz")]
            if self.act[i] == "softmax":
                return np.einsum("mij,mi->mj", d, g)
            return g * d
        if key == "grad_W":
            return self.a_prev(layer).T @ self.own[(layer, "delta")] / self.m
        if key == "grad_b":
            return self.own[(layer, "delta")].sum(axis=0) / self.m
        if key == "W_new":
            return self.W[i] - self.eta * self.own[(layer, "grad_W")]
        if key == "b_new":
            return self.b[i] - self.eta * self.own[(layer, "grad_b")]
        raise KeyError(key)


Mistake = Callable[[Person], np.ndarray]


def fmt(x: float, decimals: int) -> str:
    """A number as a person writes it: fixed point at ``decimals`` decimals."""
    return f"{float(x):.{decimals}f}"


@dataclass
class Sheet:
    """A worksheet: what the person wrote, slot by slot, and what check should say."""

    spec: Spec
    trace: Any
    true: dict[Slot, np.ndarray]
    written: dict[Slot, np.ndarray]
    decimals: int
    inject: Slot | None = None
    order: list[Slot] = field(default_factory=list)
    precision: dict[Slot, int] = field(default_factory=dict)  # decimals written, per slot

    def decimals_of(self, slot: Slot) -> int:
        return self.precision.get(slot, self.decimals)

    @property
    def layout(self) -> str:
        return self.spec.weights_layout

    def expected(self) -> dict[Slot, np.ndarray]:
        """The status of each written element: right, wrong, carried, or None (too close)."""
        unit = 10.0**-self.decimals
        out = {}
        after = False
        for slot in self.order:
            if slot not in self.written:
                continue
            diff = np.abs(self.written[slot] - self.true[slot])
            status = np.full(diff.shape, None, dtype=object)
            if slot == self.inject:
                status[diff > CLEAR_WRONG] = "wrong"
                status[diff < 0.9 * unit] = "right"
                after = True
            elif after:
                status[diff > 1.1 * unit] = "carried"
                status[diff < 0.9 * unit] = "right"
            else:
                status[diff < 0.9 * unit] = "right"
            out[slot] = status
        return out

    def clean(self, must_carry: tuple[Slot, ...] = ()) -> bool:
        """Every value finite, every expectation decided, a clear mistake to find, and
        each slot of ``must_carry`` carrying it clearly (off by more than 1e-4)."""
        if not all(np.isfinite(v).all() for v in self.written.values()):
            return False
        expected = self.expected()
        if any(None in status.flat for status in expected.values()):
            return False
        if self.inject is not None and "wrong" not in expected[self.inject].flat:
            return False
        for slot in must_carry:
            diff = np.abs(self.written[slot] - self.true[slot])
            if not (diff > CLEAR_WRONG).any():
                return False
        return True

    def written_index(self, slot: Slot, index: tuple[int, ...]) -> tuple[int, ...]:
        """The 1-based index the person writes (and the report shows)."""
        if slot[1] in W_SHAPED and self.layout == "out_in":
            index = (index[1], index[0])
        return tuple(i + 1 for i in index)

    def trace_index(self, slot: Slot, written: tuple[int, ...]) -> tuple[int, ...]:
        """The 0-based index into the trace's array of a report's 1-based index."""
        index = tuple(i - 1 for i in written)
        if slot[1] in W_SHAPED and self.layout == "out_in":
            index = (index[1], index[0])
        return index

    def claims_toml(self, vectors: bool = True, elements: tuple[Slot, ...] = ()) -> str:
        """The claims file; one-example values as vectors when ``vectors``; the slots of
        ``elements`` as one claim per element ("a[2]", "grad_W[1,3]")."""
        m = self.spec.X.shape[0]
        tables: dict[int | None, list[str]] = {}
        for slot in self.order:
            if slot not in self.written:
                continue
            layer, key = slot
            value = self.written[slot]
            lines = tables.setdefault(layer, [])
            if slot in elements:
                for index in np.ndindex(value.shape):
                    shown = self.written_index(slot, index)
                    if m == 1 and vectors and key not in (*W_SHAPED, "grad_b", "b_new"):
                        shown = shown[1:]
                    name = f"{key}[{','.join(map(str, shown))}]"
                    lines.append(f'"{name}" = {fmt(value[index], self.decimals_of(slot))}')
                continue
            if key in W_SHAPED and self.layout == "out_in":
                value = value.T
            if m == 1 and vectors and value.ndim >= 2 and key not in (*W_SHAPED, "grad_b"):
                value = value[0]
            lines.append(f"{key} = {nested(value, self.decimals_of(slot))}")
        text = []
        for layer in sorted(k for k in tables if k is not None):
            text += [f"[layer.{layer}]", *tables[layer], ""]
        if None in tables:
            text += ["[result]", *tables[None], ""]
        return "\n".join(text)


def nested(value: np.ndarray, decimals: int) -> str:
    if value.ndim == 0:
        return fmt(value, decimals)
    return "[" + ", ".join(nested(v, decimals) for v in value) + "]"


def build_sheet(
    spec: Spec,
    *,
    inject: Slot | None = None,
    mistake: Mistake | None = None,
    decimals: int = 6,
    upto: Slot | None = None,
    omit: tuple[Slot, ...] = (),
) -> Sheet:
    """Every quantity of the step: true before ``inject``, ``mistake`` at it, carried after
    it (the right formulas on the person's own numbers), up to ``upto`` (default: all).

    The slots of ``omit`` are left out of the claims: the person's own value there is
    what their earlier numbers imply (the right formula, not rounded)."""
    trace = spec.explain()
    true = true_values(spec, trace)
    order = computation_order(len(trace.layers))
    person = Person(spec, decimals)
    reached = False
    for slot in order:
        if slot == inject:
            assert mistake is not None
            with np.errstate(all="ignore"):
                value = mistake(person)
            reached = True
        elif reached:
            with np.errstate(all="ignore"):
                value = person.correct(slot)
        else:
            value = true[slot]
        value = np.asarray(value, dtype=float)
        assert value.shape == true[slot].shape, (slot, value.shape, true[slot].shape)
        if slot in omit:
            assert slot != inject
            with np.errstate(all="ignore"):
                person.own[slot] = np.asarray(person.correct(slot), dtype=float)
        else:
            person.own[slot] = person.write(value)
        if slot == upto:
            break
    written = {slot: v for slot, v in person.own.items() if slot not in omit}
    return Sheet(spec, trace, true, written, decimals, inject, order)
