"""Check a hand calculation of one training step: right, wrong or carried, and why.

A person writes the numbers they computed (any subset, at their own precision) in a
claims file; :func:`check` compares each with the engine's trace of the same step
(:mod:`glassnet.trace`) and reports, per number:

- **right** — it equals the true value at the precision written: a value with d
  decimals is right when it is within one unit of its last place of the truth (the
  half unit of rounding, and half a unit more). A 0, a 1, a parameter left unchanged,
  and a whole number that a known mistake gives exactly are read at the precision of
  the person's other numbers (:func:`_at_precision`, :func:`_whole_numbers`);
- **carried** — it is wrong, but follows correctly from the person's own earlier
  values (every claim is recomputed from their claimed inputs of that step);
- **wrong** — with the correct value, where the error entered, and a diagnosis when
  the value matches a known mistake, recomputed under that mistake (:data:`RULES`).

The claims file format and the rules are documented in docs/check.md.
"""

from __future__ import annotations

import dataclasses
import decimal
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.errors import (
    InputError,
    did_you_mean,
    quote,
    read_toml,
    read_user_text,
    toml_kind,
    toml_text,
)
from glassnet.losses import TERM_LOSSES, loss_terms
from glassnet.network import PROBABILITY_TARGETS
from glassnet.spec import Spec

FORMAT = "glassnet.check/1"
FINEST = 12  # decimals: the finest precision a 0 or an unchanged parameter is read at
LAYER_KEYS = ("z", "a", "dL_da", "da_dz", "delta", "grad_W", "grad_b", "W_new", "b_new")
RESULT_KEYS = ("loss", "loss_after", "loss_terms")
W_SHAPED = ("grad_W", "W_new")
BIAS_SHAPED = ("grad_b", "b_new")  # one number per unit: no example's row, no input's
# the order in which a step computes its numbers: where an error "entered" first
STAGE = {
    "z": 0,
    "a": 1,
    "loss_terms": 2,
    "loss": 2,
    "dL_da": 3,
    "da_dz": 4,
    "delta": 5,
    "grad_W": 6,
    "grad_b": 7,
    "W_new": 8,
    "b_new": 9,
    "loss_after": 10,
}


class ClaimsError(InputError):
    """A mistake in a claims file."""


@dataclass
class Claim:
    """One number the person wrote.

    Attributes
    ----------
    layer : int or None
        None for ``loss`` and ``loss_after``.
    key : str
    index : tuple of int
        0-based, in the trace's array (rows are examples; W-shaped in_out).
    value : decimal.Decimal
        As written.
    precision : int or None
        Decimals it is judged at when not its own: a 0, or a new weight or bias left
        as it was, is read at the finest precision of the person's numbers (see
        :func:`check`).
    """

    layer: int | None
    key: str
    index: tuple[int, ...]
    value: decimal.Decimal
    precision: int | None = None

    @property
    def decimals(self) -> int:
        """The place of the last digit written: 0 for 12, 3 for 0.125, 2 for 1.5e-1, −1 for 2.03e3.

        Negative where the last digit is left of the units (tens for 2.03e3): a
        tolerance of 10.
        """
        exponent = self.value.as_tuple().exponent
        return -exponent if isinstance(exponent, int) else 0

    @property
    def written(self) -> str:
        """The number as the person wrote it (2.03e3, not Decimal's 2.03E+3)."""
        return str(self.value).replace("E+", "e").replace("E", "e")

    @property
    def significant(self) -> int:
        """Significant digits as written (3 for 0.00123, 6 for -1.88000; 0 for a 0)."""
        return len(self.value.as_tuple().digits) if self.value != 0 else 0

    @property
    def tolerance(self) -> float:
        """One unit in the last place: rounding's half unit, and half a unit more."""
        return 10.0 ** (-(self.decimals if self.precision is None else self.precision))

    def matches(self, value: float) -> bool:
        """True when what was written is ``value`` at its precision.

        Within a unit of the last place: 0.938 for 0.938831 (rounded) and 1.4755 for
        1.475579 (cut off) are right; 1 for 0 is not. Never finer than float64 holds
        the true value (a few of its ulps): 0.30000000000000000000 for the 0.1 · 3
        that float64 makes 0.30000000000000004 is right.
        """
        if not np.isfinite(value):
            return False
        tolerance = max(self.tolerance * (1 - 1e-9), 8 * np.spacing(abs(value)))
        return abs(float(self.value) - value) < tolerance

    def order(self) -> tuple[int, int, int, tuple[int, ...]]:
        """Where the number stands in the computation of the step.

        Forward up the layers (z, a), the loss, backward down the layers (∂ℓ/∂a, f', δ),
        the gradients (down), the updates (up), the loss after.
        """
        stage = STAGE[self.key]
        layer = self.layer or 0
        if stage <= STAGE["a"]:
            phase, position = 0, layer
        elif self.key in ("loss", "loss_terms"):
            phase, position = 1, 0 if self.key == "loss_terms" else 1
        elif stage <= STAGE["delta"]:
            phase, position = 2, -layer
        elif stage <= STAGE["grad_b"]:
            phase, position = 3, -layer
        elif stage <= STAGE["b_new"]:
            phase, position = 4, layer
        else:
            phase, position = 5, 0
        return (phase, position, stage, self.index)


# --- reading claims --------------------------------------------------------------------


def _shape(spec: Spec, trace: Any, layer: int | None, key: str) -> tuple[int, ...]:
    if layer is None:
        return spec.Y.shape if key == "loss_terms" else ()
    return np.shape(getattr(trace.layers[layer - 1], key))


def load_claims(path: str, spec: Spec, trace: Any) -> list[Claim]:
    """Read a claims file (TOML, numbers kept as written) into element claims."""
    text = read_user_text(path, ClaimsError, "claims file")
    return parse_claims(text, spec, trace, path)


def parse_claims(text: str, spec: Spec, trace: Any, path: str = "<claims>") -> list[Claim]:
    """Parse claims TOML; see the module docstring."""
    data = read_toml(text, path, ClaimsError, parse_float=decimal.Decimal)
    claims: list[Claim] = []
    for top, table in data.items():
        if top not in ("layer", "result"):
            raise ClaimsError(
                path,
                quote(top) if not top.isidentifier() else top,
                f"unknown table{did_you_mean(top, ('layer', 'result'))}; "
                "expected [layer.N] and [result]",
            )
        if not isinstance(table, dict):
            raise ClaimsError(path, top, "expected a table ([layer.1], [result])")
        if top == "result":
            claims += _parse_table(table, None, RESULT_KEYS, spec, trace, path)
            continue
        for number, layer_table in table.items():
            where = f"layer.{number}"
            # as written once: [layer.01] beside [layer.1] would claim numbers twice
            canonical = number.isdigit() and number == str(int(number))
            if not canonical or not 1 <= int(number) <= len(trace.layers):
                raise ClaimsError(
                    path, where, f"expected a layer number from 1 to {len(trace.layers)}"
                )
            if not isinstance(layer_table, dict):
                raise ClaimsError(path, where, "expected a table of keys such as z = [...]")
            claims += _parse_table(layer_table, int(number), LAYER_KEYS, spec, trace, path)
    return claims


ELEMENT = re.compile(r"^([A-Za-z_]+)\[([0-9 ,]+)\]$")


def _parse_table(
    table: dict, layer: int | None, keys: tuple[str, ...], spec: Spec, trace: Any, path: str
) -> list[Claim]:
    where_layer = f"layer.{layer}" if layer is not None else "result"
    claims = []
    for name, value in table.items():
        match = ELEMENT.match(name)
        key = match.group(1) if match else name
        field = f"{where_layer}: {name if name.isprintable() else quote(name)}"
        if key not in keys:
            raise ClaimsError(
                path, field, f"unknown key{did_you_mean(key, keys)}; known: {', '.join(keys)}"
            )
        if value == [] or value == "":
            continue  # left blank (a template)
        if key == "loss_terms" and spec.network.loss.name not in TERM_LOSSES:
            raise ClaimsError(
                path,
                field,
                f"the loss '{spec.network.loss.name}' is registered from Python, not one of "
                "glassnet's own sums over the output units; claim loss, not its terms",
            )
        shape = _shape(spec, trace, layer, key)
        written = _written_shape(shape, key, spec)
        if match:
            try:
                index = tuple(int(part) - 1 for part in match.group(2).split(","))
            except ValueError:
                raise ClaimsError(path, field, "expected 1-based indices such as a[3]") from None
            full = _expand_index(index, written)
            if full is None:
                raise ClaimsError(path, field, _index_problem(index, written, layer, key))
            claims.append(
                Claim(layer, key, _to_trace_index(full, key, spec), _number(value, path, field))
            )
            continue
        array = _nested(value, path, field)
        one = array.shape == () and math.prod(written) == 1  # one number for one number
        if array.shape != written and (array.shape != written[1:] or written[0] != 1) and not one:
            expected = f"shape {written}"
            if _one_example(written, layer, key):
                expected = f"shape {written[1:]} (one example)"
            if key in W_SHAPED and array.shape == written[::-1]:  # transposed_weights' shape
                expected += (
                    ", a row per unit (unit by input: weights_layout out_in)"
                    if spec.weights_layout == "out_in"
                    else ", a row per input (input by unit: W[i][j] joins input i to unit j)"
                )
            raise ClaimsError(path, field, f"expected {expected}, found shape {array.shape}")
        if array.shape != written:
            array = array.reshape(written)
        for index in np.ndindex(array.shape):
            claims.append(Claim(layer, key, _to_trace_index(index, key, spec), array[index]))
    # one number, one claim: a second value for it would be judged beside the first
    # and silently decide what follows from it
    seen: set[tuple[str, tuple[int, ...]]] = set()
    for claim in claims:
        if (claim.key, claim.index) in seen:
            written_at = _to_trace_index(claim.index, claim.key, spec)  # back to the layout
            element = _label(None, claim.key, tuple(i + 1 for i in written_at), len(spec.X))
            raise ClaimsError(path, f"{where_layer}: {element}", "claimed twice; write it once")
        seen.add((claim.key, claim.index))
    return claims


def _written_shape(shape: tuple[int, ...], key: str, spec: Spec) -> tuple[int, ...]:
    if key in W_SHAPED and spec.weights_layout == "out_in":
        return (shape[1], shape[0])
    return shape


def _to_trace_index(index: tuple[int, ...], key: str, spec: Spec) -> tuple[int, ...]:
    if key in W_SHAPED and spec.weights_layout == "out_in":
        return (index[1], index[0])
    return tuple(index)


def _one_example(shape: tuple[int, ...], layer: int | None, key: str) -> bool:
    """A quantity of one example, rows by example (z, a, δ, …): written as its one row."""
    by_example = layer is not None and key not in W_SHAPED + BIAS_SHAPED
    return (by_example or key == "loss_terms") and len(shape) >= 2 and shape[0] == 1


def _index_problem(
    index: tuple[int, ...], shape: tuple[int, ...], layer: int | None, key: str
) -> str:
    """Why an element's index does not fit the shape: how many indices, or their range."""
    n = len(shape)
    if not n:
        return f"{key} is one number: write it without an index"
    short = n - 1 if n >= 2 and shape[0] == 1 else n  # one example's row: a[3] for a[1,3]
    if len(index) not in (n, short):
        counts = f"{short} or {n} indices" if short != n else f"{n} ind{'ex' if n == 1 else 'ices'}"
        return f"expected {counts} for shape {shape}, such as {key}[{','.join(['1'] * short)}]"
    if len(index) == short < n and _one_example(shape, layer, key):
        shape = shape[1:]  # as the person indexes it, a[3] of one example's row
        return f"index out of range for shape {shape} (one example; indices are 1-based)"
    return f"index out of range for shape {shape} (indices are 1-based)"


def _expand_index(index: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """A 1-example shortcut: a[3] for a[1,3] when there is one example."""
    if len(index) == len(shape) - 1 and shape and shape[0] == 1 and len(shape) >= 2:
        index = (0, *index)
    if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape, strict=True)):
        return None
    return index


def _number(value: Any, path: str, field: str) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, decimal.Decimal)):
        raise ClaimsError(path, field, f"expected a number, found {toml_kind(value)}")
    number = decimal.Decimal(value)
    if not number.is_finite() or not np.isfinite(float(number)):
        raise ClaimsError(path, field, f"expected a finite number, found {toml_text(value)}")
    return number


def _nested(value: Any, path: str, field: str) -> np.ndarray:
    if not isinstance(value, list):
        return np.array(_number(value, path, field), dtype=object)

    def walk(v: Any) -> Any:
        if isinstance(v, list):
            return [walk(x) for x in v]
        return _number(v, path, field)

    numbers = walk(value)  # a ClaimsError for a non-number, first
    try:
        array = np.array(numbers, dtype=object)
    except ValueError:
        raise ClaimsError(path, field, "ragged rows") from None
    if array.dtype != object or any(isinstance(x, list) for x in array.flat):
        raise ClaimsError(path, field, "ragged rows")
    return array


# --- the person's own values -----------------------------------------------------------


@dataclass
class Worksheet:
    """The true values of the step, and the person's where they wrote them."""

    spec: Spec
    trace: Any
    true: dict[tuple[int | None, str], np.ndarray]
    own: dict[tuple[int | None, str], np.ndarray]
    claimed: dict[tuple[int | None, str], np.ndarray]  # bool masks
    # the person's values rounded step by step, by decimals (:func:`_rounded_steps`), and
    # :func:`_rounded_inputs`' answers (asked by the diagnosis and the mistakes alike)
    rounded_steps: dict[int, dict] = field(default_factory=dict, repr=False)
    rounded: dict[tuple, bool] = field(default_factory=dict, repr=False)

    def value(self, layer: int | None, key: str) -> np.ndarray:
        """The array as the person has it: their numbers where written, implied elsewhere."""
        return self.own[(layer, key)]


def _worksheet(
    spec: Spec,
    trace: Any,
    claims: list[Claim],
    follow: dict[tuple[int | None, str], tuple[np.ndarray, np.ndarray]] | None = None,
) -> Worksheet:
    """The person's values: their claims where written, what their earlier ones imply elsewhere.

    ``follow``, per slot, (mask, before): the claims that follow their own values, which
    take what their earlier values now imply where that is not ``before`` (what they
    implied as written): a changed number carried on, as the person would carry it
    (:func:`_followers`).
    """
    out = trace.layers[-1]
    true: dict[tuple[int | None, str], np.ndarray] = {
        (None, "loss"): np.array(trace.loss),
        (None, "loss_after"): np.array(trace.loss_after),
        (None, "loss_terms"): _loss_terms(spec.network, out.a, spec.Y, {}, z=out.z),
    }
    for layer in trace.layers:
        for key in LAYER_KEYS:
            true[(layer.index, key)] = np.asarray(getattr(layer, key), dtype=np.float64)
    own = {k: v.copy() for k, v in true.items()}
    claimed = {k: np.zeros(v.shape, dtype=bool) for k, v in true.items()}
    values = {k: np.zeros(v.shape) for k, v in true.items()}
    for c in claims:
        values[(c.layer, c.key)][c.index] = float(c.value)
        claimed[(c.layer, c.key)][c.index] = True
    ws = Worksheet(spec, trace, true, own, claimed)
    # The person's world: in the order of the step, what they wrote where they wrote
    # it, and elsewhere what their own earlier numbers imply.
    for slot in computation_order(len(trace.layers)):
        with np.errstate(all="ignore"):
            implied = np.asarray(from_own(ws, *slot), dtype=np.float64)
        if implied.shape != own[slot].shape:  # pragma: no cover - defensive
            implied = own[slot]
        own[slot] = np.where(claimed[slot], values[slot], implied)
        if follow is not None and slot in follow:
            mask, before = follow[slot]
            own[slot] = np.where(mask & (implied != before), implied, own[slot])
    return ws


def computation_order(n_layers: int) -> list[tuple[int | None, str]]:
    """Every quantity of a step, in the order it is computed."""
    order: list[tuple[int | None, str]] = []
    for l in range(1, n_layers + 1):
        order += [(l, "z"), (l, "a")]
    order += [(None, "loss_terms"), (None, "loss")]
    for l in range(n_layers, 0, -1):
        order += [(l, "dL_da"), (l, "da_dz"), (l, "delta")]
    for l in range(n_layers, 0, -1):
        order += [(l, "grad_W"), (l, "grad_b")]
    for l in range(1, n_layers + 1):
        order += [(l, "W_new"), (l, "b_new")]
    return [*order, (None, "loss_after")]


def from_own(ws: Worksheet, layer: int | None, key: str, **mistake: Any) -> np.ndarray:
    """Recompute one quantity of the step from the person's own inputs of that step.

    The formulas are those of :mod:`glassnet.network`, through the same activation
    and loss functions; ``mistake`` switches one of them to a known wrong variant
    (used by the diagnosis rules).
    """
    net = ws.spec.network
    X, Y, eta = ws.spec.X, ws.spec.Y, ws.spec.learning_rate
    m = X.shape[0]
    L = len(net.layers)
    if layer is None and not mistake and key in ("loss_terms", "loss"):
        if key == "loss_terms" or not ws.claimed[(None, "loss_terms")].any():
            return _own_loss(ws, key)
        # ℓ is the sum of its terms: from the terms the person wrote
        return np.array(ws.value(None, "loss_terms").sum(axis=1).mean())
    if layer is None:
        if key == "loss_terms":
            return _loss_terms(net, ws.value(L, "a"), Y, mistake)
        # (``from_a=True``, not a mistake, asks for the loss from a_L, below)
        if key == "loss":
            a = ws.value(L, "a")
            return np.array(
                _loss_value(net, a, Y, mistake).mean()
                if not mistake.get("sum_over_examples")
                else _loss_value(net, a, Y, mistake).sum()
            )
        # loss_after: forward with the person's updated parameters
        a = X
        for l, lay in enumerate(net.layers, start=1):
            z = a @ ws.value(l, "W_new") + ws.value(l, "b_new")
            a = lay.activation.forward(z)
        return np.array(net.example_losses(_fp(z, a, L), Y).mean())
    lay = net.layers[layer - 1]
    act = lay.activation
    W = lay.W if not mistake.get("transposed") else lay.W.T
    a_prev = X if layer == 1 else ws.value(layer - 1, "a")
    if key == "z" and mistake.get("z_as_a"):  # the activation below skipped: z from z
        if layer == 1:
            return np.full(ws.true[(layer, "z")].shape, np.nan)
        a_prev = ws.value(layer - 1, "z")
    if key == "z":
        return (
            a_prev @ W + (0.0 if mistake.get("bias_missing") else lay.b)
            if W.shape[0] == a_prev.shape[1]
            else np.full(ws.true[(layer, "z")].shape, np.nan)
        )
    z = ws.value(layer, "z")
    a = ws.value(layer, "a")
    if key == "a":
        if mistake.get("softmax_without_exp"):
            return z / z.sum(axis=1, keepdims=True)
        if "bias_after" in mistake:  # f(z − b) + b from a z with b; f(z) + b from one without
            return act.forward(z - lay.b if mistake["bias_after"] == "z_with_b" else z) + lay.b
        return act.forward(z)
    if key == "da_dz":
        if mistake.get("as_activation"):
            return act.forward(z)
        if mistake.get("derivative_missing"):  # f' written as 1 (the identity's)
            d = act.derivative(z, a)
            return (
                np.broadcast_to(np.eye(d.shape[-1]), d.shape).copy()
                if act.jacobian
                else np.ones_like(d)
            )
        if mistake.get("z_as_a"):  # a formula in a fed z: z(1 − z) for σ′
            return act.derivative(z, z)
        if mistake.get("a_as_z"):  # f′ at a: σ′(a)
            return act.derivative(a, act.forward(a))
        d = act.derivative(z, a)
        if mistake.get("diagonal_only") and act.jacobian:
            return d * np.eye(d.shape[-1])
        return d
    if key == "dL_da":
        if layer == L and mistake.get("over_m"):  # ∂L/∂a of the batch mean, PyTorch's a.grad
            return _loss_gradient(net, a, Y, {}) / m
        if layer == L:
            return _loss_gradient(net, a, Y, mistake)
        delta_next = ws.value(layer + 1, "delta")
        W_next = (
            ws.value(layer + 1, "W_new") if mistake.get("updated_weights") else net.layers[layer].W
        )
        if mistake.get("transposed"):
            W_next = W_next.T
            if W_next.shape[1] != delta_next.shape[1]:
                return np.full(ws.true[(layer, "dL_da")].shape, np.nan)
        if "one_path" in mistake:
            k = mistake["one_path"]
            return delta_next[:, k : k + 1] * W_next[:, k][None, :]
        if mistake.get("weights_skipped"):  # δ_{l+1} itself, where the widths allow it
            if delta_next.shape != ws.true[(layer, "dL_da")].shape:
                return np.full(ws.true[(layer, "dL_da")].shape, np.nan)
            return delta_next.copy()
        return delta_next @ W_next.T
    if key == "delta":
        g = ws.value(layer, "dL_da")
        d = ws.value(layer, "da_dz")
        if mistake.get("derivative_missing"):
            return g.copy()
        if mistake.get("as_activation"):
            return g * act.forward(z)
        if mistake.get("z_as_a") and not act.jacobian:
            return g * act.derivative(z, z)
        if mistake.get("a_as_z") and not act.jacobian:
            return g * act.derivative(a, act.forward(a))
        if act.jacobian:
            if mistake.get("diagonal_only"):
                return g * np.diagonal(d, axis1=1, axis2=2)
            return np.einsum("mij,mi->mj", d, g)
        return g * d
    if key in ("grad_W", "grad_b"):
        delta = ws.value(layer, "delta")
        divide = 1.0 if mistake.get("no_mean") else float(m)
        if key == "grad_W":
            if mistake.get("input_missing"):  # δ_j for every weight into unit j
                return np.ones_like(a_prev).T @ delta / divide
            grad = a_prev.T @ delta / divide
            if mistake.get("derivative_for_input"):  # ∂z_j/∂w_ij taken as f′(z_j)
                d = ws.value(layer, "da_dz")
                # (where f′ is 0 or 1 — relu, identity — δ f′ = δ: input_missing's number)
                plain = np.all((d == 0) | (d == 1), axis=0)
                return np.where(plain, np.nan, np.ones_like(a_prev).T @ (delta * d) / divide)
            if mistake.get("weight_factor"):  # ∂z_j/∂w_ij taken as w_ij a_i
                # (a weight of 0 or ±1 gives 0, or the true value or its negative: no
                # mistake of its own)
                return np.where((lay.W == 0) | (np.abs(lay.W) == 1), np.nan, grad * lay.W)
            if mistake.get("transposed"):  # δᵀ a: unit by input, where W is input by unit
                return grad.T if grad.shape[0] == grad.shape[1] else np.full(grad.shape, np.nan)
            return grad
        if mistake.get("not_updated"):  # the bias left out of the chain: ∂L/∂b = 0
            return np.zeros(delta.shape[1])
        if "input" in mistake:  # as a weight's: δ_j times input i's a (or unit j's own input)
            i = mistake["input"]
            inputs = a_prev if i == "own" else a_prev[:, i : i + 1]
            # an input of 0 gives ∂L/∂b = 0 (the bias left out), one of 1 the true value:
            # no mistake of its own there
            plain = np.all((inputs == 0) | (inputs == 1), axis=0) & (
                np.all(inputs == inputs[:1], axis=0)
            )
            return np.where(plain, np.nan, (inputs * delta).sum(axis=0) / divide)
        return delta.sum(axis=0) / divide
    # W_new, b_new
    old = lay.W if key == "W_new" else lay.b
    grad = ws.value(layer, "grad_W" if key == "W_new" else "grad_b")
    if mistake.get("not_updated"):
        return old.copy()
    if mistake.get("plus"):
        return old + eta * grad
    if mistake.get("times_weight"):
        return old - eta * old * grad
    if mistake.get("no_mean"):  # the step from the gradient summed over the batch
        return old - eta * m * grad
    if "rate" in mistake:  # η left out (1), or taken twice (η²)
        return old - mistake["rate"] * grad
    return old - eta * grad


def _own_loss(ws: Worksheet, key: str) -> np.ndarray:
    """The person's ℓ terms (``loss_terms``) or mean ℓ (``loss``), as the step takes them.

    Row by row: from their z_L where they wrote none of the row's a_L (as the step takes ℓ
    from the logits: a loss of 1000 is not the clamped 708.4 of a rounded a), else from
    the a_L they wrote.
    """
    net, Y = ws.spec.network, ws.spec.Y
    L = len(net.layers)
    a, z = ws.value(L, "a"), ws.value(L, "z")
    from_a = ws.claimed[(L, "a")].any(axis=1)  # the rows of a_L the person wrote in
    if key == "loss":
        with np.errstate(all="ignore"):
            by_z = net.example_losses(_fp(z, a, L), Y)
        return np.array(np.where(from_a, _loss_value(net, a, Y, {}), by_z).mean())
    return np.where(from_a[:, None], _loss_terms(net, a, Y, {}), _loss_terms(net, a, Y, {}, z=z))


def _fp(z: np.ndarray, a: np.ndarray, L: int) -> Any:
    from glassnet.network import ForwardPass

    return ForwardPass([None] * L + [z], [None] * L + [a])  # type: ignore[list-item]


def _loss_terms(
    net: Any, a: np.ndarray, Y: np.ndarray, mistake: dict[str, Any], z: np.ndarray | None = None
) -> np.ndarray:
    """The summands of ℓ, one per output unit: ℓ = Σ_j terms_j (shape (m, n)).

    Under ``mistake``, from a; without one and given the logits ``z``, as the step takes
    them (:func:`glassnet.losses.loss_terms`). NaN for a loss not of
    :data:`TERM_LOSSES`, which has none (no claim can be of them).
    """
    value = (lambda a, y: _loss_value(net, a, y, mistake)) if mistake else None
    act = net.output_activation.name
    terms = loss_terms(net.loss, a, Y, value, z=None if mistake else z, activation=act)
    return np.full(Y.shape, np.nan) if terms is None else terms


def _loss_value(net: Any, a: np.ndarray, Y: np.ndarray, mistake: dict[str, Any]) -> np.ndarray:
    if mistake.get("log10"):
        with np.errstate(divide="ignore", invalid="ignore"):
            if net.loss.name == "cross_entropy":
                return -(Y * np.log10(a)).sum(axis=1)
            if net.loss.name == "binary_cross_entropy":
                return -(Y * np.log10(a) + (1 - Y) * np.log10(1 - a)).sum(axis=1)
        return np.full(len(a), np.nan)
    value = net.loss.value(a, Y)
    if mistake.get("factor"):
        value = value * mistake["factor"]
    return value


def _loss_gradient(net: Any, a: np.ndarray, Y: np.ndarray, mistake: dict[str, Any]) -> np.ndarray:
    g = net.loss.gradient(a, Y)
    if mistake.get("log10"):  # d/da log₁₀ a = 1 / (a ln 10): every term ÷ ln 10
        return g / math.log(10.0)
    if mistake.get("negated"):
        return -g
    if mistake.get("added"):  # a squared error's c (a − y) as c (a + y): y's sign lost
        c = net.loss.gradient(np.ones_like(a), np.zeros_like(a))
        return c * (a + Y)
    if mistake.get("bce_second_sign") and net.loss.name == "binary_cross_entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            return -(Y / a) - (1 - Y) / (1 - a)
    if mistake.get("factor"):
        return g * mistake["factor"]
    return g


# --- diagnosis rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A known mistake: which numbers it can explain and how to recompute them under it.

    Attributes
    ----------
    id : str
    keys : tuple of str
        The quantities the mistake shows in.
    variants : callable
        ``variants(worksheet, layer) -> list of dict``: the ``mistake`` settings of
        :func:`from_own` to try.
    explain : str
        The correct formula beside the one used, for the message.
    applies : callable
        ``applies(worksheet, layer) -> bool``: whether the mistake can happen there.
    explain_out_in : str or None
        ``explain`` in the notation of a spec written W x (``weights_layout = "out_in"``),
        where it differs.
    explain_at : dict
        For some of ``keys``, the explanation of the mistake as it shows there, in place
        of ``explain`` (f′ taken at a, where f′ is claimed; z from z, where z is).
    explain_for : dict
        For some losses (by name), the explanation in their terms, in place of
        ``explain`` (a sign of a squared error's derivative, or of a cross-entropy's).
    """

    id: str
    keys: tuple[str, ...]
    variants: Callable[[Worksheet, int | None], list[dict[str, Any]]]
    explain: str
    applies: Callable[[Worksheet, int | None], bool] = lambda ws, layer: True
    explain_out_in: str | None = None
    explain_at: dict[str, str] = field(default_factory=dict)
    explain_for: dict[str, str] = field(default_factory=dict)

    def explained(self, layout: str, key: str | None = None, loss: str | None = None) -> str:
        """The explanation of the mistake as it shows at ``key``, in the person's notation.

        x W (``in_out``) or W x (``out_in``), and in the terms of their ``loss``.
        """
        if key in self.explain_at:
            return self.explain_at[key]
        if loss in self.explain_for:
            return self.explain_for[loss]
        return self.explain_out_in if layout == "out_in" and self.explain_out_in else self.explain


def _is_softmax(ws: Worksheet, layer: int | None) -> bool:
    return layer is not None and ws.spec.network.layers[layer - 1].activation.jacobian


def _squared(ws: Worksheet, layer: int | None) -> bool:
    return ws.spec.network.loss.name in (
        "half_squared_error",
        "squared_error",
        "mean_squared_error",
    )


def _log_loss(ws: Worksheet, layer: int | None) -> bool:
    return ws.spec.network.loss.name in PROBABILITY_TARGETS


def _hidden(ws: Worksheet, layer: int | None) -> bool:
    return layer is not None and layer < len(ws.spec.network.layers)


def _output(ws: Worksheet, layer: int | None) -> bool:
    return layer == len(ws.spec.network.layers)


def _has_bias(ws: Worksheet, layer: int | None) -> bool:
    return layer is not None and bool(np.any(ws.spec.network.layers[layer - 1].b))


def _paths(ws: Worksheet, layer: int | None) -> list[dict[str, Any]]:
    n_next = ws.spec.network.layers[layer].n_out if layer is not None else 0
    return [{"one_path": k} for k in range(n_next)]


def _rates(ws: Worksheet, layer: int | None) -> list[dict[str, Any]]:
    """The step with η left out (rate 1) or taken twice (η²).

    Not where the factor that puts in the step is one another mistake makes: 2 or ½ (a ½
    of the loss), m or 1/m (a sum for a mean).
    """
    eta, m = ws.spec.learning_rate, ws.spec.X.shape[0]
    others = {2.0, 0.5, float(m), 1.0 / m, 1.0}
    rates = [(1.0, 1.0 / eta), (eta**2, eta)]  # (the rate, the factor it puts in the step)
    return [
        {"rate": rate} for rate, factor in rates if not any(math.isclose(factor, f) for f in others)
    ]


def _bias_inputs(ws: Worksheet, layer: int | None) -> list[dict[str, Any]]:
    """∂L/∂b_j as a weight's, from each input i, or from input j where there are as many."""
    if layer is None:
        return []
    lay = ws.spec.network.layers[layer - 1]
    return [{"input": i} for i in range(lay.n_in)] + (
        [{"input": "own"}] if lay.n_in == lay.n_out else []
    )


def _weight_named(explain: str) -> dict[str, str]:
    """``explain`` with w_ij, and for a spec written W x with w_ji (unit j, input i)."""
    return {"explain": explain, "explain_out_in": explain.replace("w_ij", "w_ji")}


RULES: tuple[Rule, ...] = (
    Rule(
        "softmax_without_exp",
        ("a",),
        lambda ws, l: [{"softmax_without_exp": True}],
        "softmax is e^{z_j} / Σ_k e^{z_k}, not z_j / Σ_k z_k",
        _is_softmax,
    ),
    Rule(
        "softmax_diagonal_only",
        ("delta", "da_dz"),
        lambda ws, l: [{"diagonal_only": True}],
        "δ_j = Σ_i J_ij ∂ℓ/∂a_i with J_ij = a_i(δ_ij − a_j): every output depends on every "
        "z, so the off-diagonal terms −a_i a_j count too",
        _is_softmax,
    ),
    Rule(
        "missing_path_sum",
        ("dL_da",),
        _paths,
        "∂ℓ/∂a_j = Σ_k δ_k W_jk sums over every unit k of the next layer, not one",
        _hidden,
        "∂ℓ/∂a_j = Σ_k W_kj δ_k sums over every unit k of the next layer, not one",
    ),
    Rule(
        "weights_skipped",
        ("dL_da",),
        lambda ws, l: [{"weights_skipped": True}],
        "∂ℓ/∂a_l = δ_{l+1} W_{l+1}ᵀ: the weights into the next layer are a factor of the "
        "chain (∂z_{l+1}/∂a_l = W_{l+1})",
        _hidden,
        "∂ℓ/∂a_l = W_{l+1}ᵀ δ_{l+1}: the weights into the next layer are a factor of the "
        "chain (∂z_{l+1}/∂a_l = W_{l+1})",
    ),
    Rule(
        "loss_derivative_sign",
        ("dL_da",),
        lambda ws, l: (
            [{"negated": True}, {"bce_second_sign": True}]
            + ([{"added": True}, {"factor": -0.5}, {"factor": -2.0}] if _squared(ws, l) else [])
        ),
        "mind the signs: ∂/∂a of −(1 − y) ln(1 − a) is +(1 − y)/(1 − a), of ½(a − y)² is a − y",
        _output,
        explain_for={
            "half_squared_error": "mind the signs: ∂/∂a of ½(a − y)² is a − y, not y − a "
            "nor a + y (of (a − y)², 2(a − y))",
            "squared_error": "mind the signs: ∂/∂a of (a − y)² is 2(a − y), not 2(y − a) "
            "nor 2(a + y)",
            "mean_squared_error": "mind the signs: ∂/∂a_j of (1/n) Σ_j (a_j − y_j)² is "
            "2(a_j − y_j)/n, not 2(y_j − a_j)/n nor 2(a_j + y_j)/n",
            **dict.fromkeys(
                ("binary_cross_entropy", "cross_entropy"),
                "mind the signs: ∂/∂a of −y ln a is −y/a, of −(1 − y) ln(1 − a) is "
                "+(1 − y)/(1 − a)",
            ),
        },
    ),
    Rule(
        "half_factor",
        ("dL_da", "loss", "loss_terms"),
        # also halved or doubled with the sign turned: ½(y − a), seed 002's
        lambda ws, l: [{"factor": 0.5}, {"factor": 2.0}, {"factor": -0.5}, {"factor": -2.0}],
        "the loss ½(a − y)² has the derivative a − y; the loss (a − y)² is twice it, with "
        "the derivative 2(a − y)",
        _squared,
        explain_for={
            "squared_error": "this loss is squared_error, without ½: the loss (a − y)² has "
            "the derivative 2(a − y); the loss ½(a − y)² is half of it, with the derivative "
            "a − y",
            "mean_squared_error": "this loss is mean_squared_error, without ½: the loss "
            "(1/n) Σ_j (a_j − y_j)² has the terms (a_j − y_j)²/n and the derivative "
            "2(a_j − y_j)/n",
        },
    ),
    Rule(
        "unit_mean",
        ("dL_da", "loss", "loss_terms"),
        lambda ws, l: [{"factor": float(ws.spec.Y.shape[1])}, {"factor": 1 / ws.spec.Y.shape[1]}],
        "mean_squared_error is the mean over the n output units, ℓ = (1/n) Σ_j (a_j − y_j)²: "
        "each term (a_j − y_j)²/n, ∂ℓ/∂a_j = 2(a_j − y_j)/n; the 1/n enters once",
        lambda ws, l: ws.spec.network.loss.name == "mean_squared_error" and ws.spec.Y.shape[1] > 1,
    ),
    Rule(
        "input_missing",
        ("grad_W",),
        lambda ws, l: [{"input_missing": True}],
        "∂L/∂W_l = a_{l−1}ᵀ δ_l / m: each weight's gradient carries the input it multiplies "
        "(∂z_j/∂w_ij = a_i, x for the first layer)",
        explain_out_in="∂L/∂W_l = δ_l a_{l−1}ᵀ / m: each weight's gradient carries the input "
        "it multiplies (∂z_j/∂w_ji = a_i, x for the first layer)",
    ),
    Rule(
        "weight_in_gradient",
        ("grad_W",),
        lambda ws, l: [{"weight_factor": True}],
        **_weight_named(
            "∂z_j/∂w_ij = a_i: z is linear in each weight, so the weight drops out of its "
            "own derivative (∂(w a)/∂w = a, not w a)"
        ),
    ),
    Rule(
        "derivative_for_input",
        ("grad_W",),
        lambda ws, l: [{"derivative_for_input": True}],
        applies=lambda ws, l: l is not None and not _is_softmax(ws, l),
        **_weight_named(
            "∂z_j/∂w_ij = a_i, the input the weight multiplies: f′(z_j) is ∂a_j/∂z_j, "
            "already in δ_j, not ∂z_j/∂w_ij"
        ),
    ),
    Rule(
        "mean_vs_sum",
        ("grad_W", "grad_b", "loss", "W_new", "b_new"),
        lambda ws, l: [{"no_mean": True}, {"sum_over_examples": True}],
        "the batch loss is the mean over the m examples, so each gradient is divided by m",
        lambda ws, l: ws.spec.X.shape[0] > 1,
    ),
    Rule(
        "derivative_missing",
        ("delta", "da_dz"),
        lambda ws, l: [{"derivative_missing": True}],
        "δ = ∂ℓ/∂a ⊙ f'(z): the derivative of the activation is a factor of the chain",
    ),
    Rule(
        "derivative_as_activation",
        ("delta", "da_dz"),
        lambda ws, l: [{"as_activation": True}],
        "f'(z) is the derivative (for sigmoid a(1 − a)), not f(z) itself",
    ),
    Rule(
        "bias_missing",
        ("z",),
        lambda ws, l: [{"bias_missing": True}],
        "z = a W + b: the bias is a term of every unit's input; a constant, it drops out of "
        "∂z/∂a and ∂z/∂W, not out of z",
        _has_bias,
        "z = W a + b: the bias is a term of every unit's input; a constant, it drops out of "
        "∂z/∂a and ∂z/∂W, not out of z",
    ),
    Rule(
        "bias_after_activation",
        ("a",),
        lambda ws, l: [{"bias_after": "z_with_b"}, {"bias_after": "z_without_b"}],
        "a = f(z) with z = a W + b: the bias enters before the activation, not after it "
        "(not f(a W) + b)",
        _has_bias,
        "a = f(z) with z = W a + b: the bias enters before the activation, not after it "
        "(not f(W a) + b)",
    ),
    Rule(
        "transposed_weights",
        ("z", "dL_da", "grad_W"),
        lambda ws, l: [{"transposed": True}],
        "z = a W + b with W[i][j] joining input i to unit j; backward, ∂ℓ/∂a = δ Wᵀ; "
        "∂L/∂W = aᵀ δ / m has W's shape, input by unit",
        explain_out_in="z = W a + b with W[j][i] joining input i to unit j (row j holds unit "
        "j's weights); backward, ∂ℓ/∂a = Wᵀ δ; ∂L/∂W = δ aᵀ / m has W's shape, unit by input",
    ),
    Rule(
        "z_a_confused",
        ("z", "da_dz", "delta"),
        lambda ws, l: [{"z_as_a": True}, {"a_as_z": True}],
        "z and a = f(z) are different numbers: f′ is taken at z (σ′(z) = a(1 − a), not "
        "z(1 − z) nor σ′(a)), and the next layer's z is formed from a, not z",
        explain_at={
            "z": "z and a = f(z) are different numbers: z is formed from the layer below's "
            "a (z_l = a_{l−1} W_l + b_l), not from its z",
            "da_dz": "z and a = f(z) are different numbers: f′ is taken at z, with the "
            "formula's own inputs (σ′(z) = a(1 − a) from a, not z(1 − z); not σ′(a))",
            "delta": "z and a = f(z) are different numbers: f′ is taken at z, with the "
            "formula's own inputs (σ′(z) = a(1 − a) from a, not z(1 − z); not σ′(a))",
        },
    ),
    Rule(
        "batch_derivative",
        ("dL_da",),
        lambda ws, l: [{"over_m": True}],
        "∂ℓ/∂a is of one example's loss ℓ; that of the batch's mean L (PyTorch's a.grad) "
        "is ∂ℓ/∂a / m: the 1/m enters once, in ∂L/∂W = aᵀ δ / m and ∂L/∂b",
        lambda ws, l: _output(ws, l) and ws.spec.X.shape[0] > 1,
    ),
    Rule(
        "updated_weights_in_backward",
        ("dL_da",),
        lambda ws, l: [{"updated_weights": True}],
        "δ of a hidden layer is formed with the next layer's weights before the update",
        _hidden,
    ),
    Rule(
        "bias_not_updated",
        ("b_new", "grad_b"),
        lambda ws, l: [{"not_updated": True}],
        "biases learn too: b ← b − η ∂L/∂b, with ∂L/∂b = mean of δ",
    ),
    Rule(
        "update_sign",
        ("W_new", "b_new"),
        lambda ws, l: [{"plus": True}],
        "gradient descent goes against the gradient: θ ← θ − η ∂L/∂θ",
    ),
    Rule(
        "learning_rate",
        ("W_new", "b_new"),
        _rates,
        "θ ← θ − η ∂L/∂θ: the step is the gradient times the learning rate η, once (not "
        "θ − ∂L/∂θ, nor θ − η² ∂L/∂θ)",
        lambda ws, l: ws.spec.learning_rate != 1,
    ),
    Rule(
        "bias_with_input",
        ("grad_b",),
        _bias_inputs,
        "∂L/∂b = the mean of δ: the bias's input is 1 (∂z/∂b = 1), not an activation as a "
        "weight's is (∂z_j/∂w_ij = a_i)",
        explain_out_in="∂L/∂b = the mean of δ: the bias's input is 1 (∂z/∂b = 1), not an "
        "activation as a weight's is (∂z_j/∂w_ji = a_i)",
    ),
    Rule(
        "update_times_weight",
        ("W_new",),
        lambda ws, l: [{"times_weight": True}],
        "θ ← θ − η ∂L/∂θ, not θ − η θ ∂L/∂θ",
    ),
    Rule(
        "log10",
        ("loss", "loss_terms", "dL_da"),
        lambda ws, l: [{"log10": True}],
        "the loss and its derivative use the natural logarithm ln, not log₁₀",
        lambda ws, l: _log_loss(ws, l) and (l is None or _output(ws, l)),
    ),
)
RULE_IDS = (*(r.id for r in RULES), "rounded_inputs", "arithmetic")


# --- the check -------------------------------------------------------------------------


@dataclass
class Finding:
    """The verdict on one claimed number."""

    layer: int | None
    key: str
    index: tuple[int, ...]  # 1-based, as the person writes it
    claimed: float
    correct: float
    status: str
    from_own_values: float | None = None
    diagnosis: list[str] = field(default_factory=list)
    message: str = ""
    written: str = ""  # the claim as the claims file writes it (0.50000000, 2.03e3)

    def to_dict(self) -> dict[str, Any]:
        """The finding's entry of the JSON document."""
        return {
            "layer": self.layer,
            "key": self.key,
            "index": list(self.index),
            "claimed": self.claimed,
            "correct": self.correct,
            "status": self.status,
            "from_own_values": self.from_own_values,
            "diagnosis": list(self.diagnosis),
            "message": self.message,
            "written": self.written,
        }


@dataclass
class CheckReport:
    """Every finding, in the order the step computes its numbers."""

    findings: list[Finding]

    @property
    def first_error(self) -> Finding | None:
        """The first number that is wrong (not carried): where the error entered."""
        return next((f for f in self.findings if f.status == "wrong"), None)

    @property
    def all_right(self) -> bool:
        """True when every claim is right."""
        return all(f.status == "right" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The ``glassnet.check/1`` document."""
        count = {
            s: sum(f.status == s for f in self.findings) for s in ("right", "wrong", "carried")
        }
        first = self.first_error
        return {
            "format": FORMAT,
            "summary": {"claims": len(self.findings), **count},
            "first_error": None
            if first is None
            else {"layer": first.layer, "key": first.key, "index": list(first.index)},
            "findings": [f.to_dict() for f in self.findings],
        }


def _label(layer: int | None, key: str, index: tuple[int, ...], m: int) -> str:
    shown = index[1:] if m == 1 and len(index) >= 2 and key not in W_SHAPED else index
    where = f"{key}[{','.join(map(str, shown))}]" if shown else key
    return f"layer {layer}, {where}" if layer is not None else where


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _beside(x: float, claim: Claim) -> str:
    """``x`` to a digit more than the claim has: 1.3558681 beside 1.355870.

    6 digits at least, 17 (float64's own) at most.
    """
    return f"{x:.{min(17, max(6, claim.significant + 1))}g}"


ROUNDING_UNITS = 10  # how far, in units of its last place, rounding may carry a right number


def _judged_at(claim: Claim) -> int:
    """The decimals a claim is judged at: as written, or as read (a 0, a 1, …)."""
    return claim.decimals if claim.precision is None else claim.precision


def _rounding_off(claim: Claim, correct: float, coarsest: float) -> bool:
    """A number put off the true value by the rounding of right inputs, and no further.

    Its inputs written to as many decimals as it is judged at, and within
    :data:`ROUNDING_UNITS` units of its last place of the true value.
    """
    return (
        coarsest >= _judged_at(claim)
        and abs(float(claim.value) - correct) <= ROUNDING_UNITS * claim.tolerance
    )


def check(spec: Spec, claims: list[Claim], trace: Any | None = None) -> CheckReport:
    """Judge every claim against the true step and the person's own earlier values."""
    # a person's numbers may be absurd (1e300): what they imply may overflow, and is then
    # simply not what they wrote
    with np.errstate(all="ignore"):
        return _check(spec, claims, trace)


def _in_order(layout: str) -> Callable[[Claim], tuple]:
    """:meth:`Claim.order` with a weight's index as the spec writes it: row by row of W x."""

    def order(claim: Claim) -> tuple:
        phase, position, stage, index = claim.order()
        if layout == "out_in" and claim.key in W_SHAPED:
            index = index[::-1]  # (unit, input), as written
        return (phase, position, stage, index)

    return order


def _check(spec: Spec, claims: list[Claim], trace: Any | None = None) -> CheckReport:
    trace = trace if trace is not None else spec.explain()
    claims = sorted(_at_precision(claims, trace), key=_in_order(spec.weights_layout))
    finest = max(min(max((c.decimals for c in claims), default=0), FINEST), 0)
    ws = _worksheet(spec, trace, claims)
    own = _own_values(ws, claims)
    judged = _whole_numbers(ws, claims, own, finest)
    if judged != claims:  # a loss read finer may be its own value from a_L instead
        claims, own = judged, _own_values(ws, judged)
    wrong = [not c.matches(t) and not c.matches(o) for c, (t, o) in zip(claims, own, strict=True)]
    # the known mistakes that give each number neither right nor carried, found once
    mistakes = [_mistakes(ws, c, finest) if w else [] for c, w in zip(claims, wrong, strict=True)]
    unrounded: list[float | None] = [None] * len(claims)
    if any(wrong):
        # the person may have kept more digits than they wrote of a value that was not
        # right: recompute with their carried values, and those a known mistake explains,
        # unrounded (their right values as written, as a worksheet copies them on)
        kept = [
            dataclasses.replace(c, value=decimal.Decimal(repr(stand)), precision=c.decimals)
            if (stand := _stands_for(c, t, o, found)) is not None
            else c
            for c, (t, o), found in zip(claims, own, mistakes, strict=True)
        ]
        unrounded = [o for _, o in _own_values(_worksheet(spec, trace, kept), claims)]
    m = spec.X.shape[0]
    findings = []
    # whether a known mistake (not a slip) is among the findings so far, kept as they are
    # appended: rescanning them for every right claim made a whole worksheet quadratic
    after_error = False
    wrong_before = False  # a wrong number so far: what follows may be carried from it
    coarsest = math.inf  # the fewest decimals a number so far is judged at
    for claim, (correct, own_value), w, more, found in zip(
        claims, own, wrong, unrounded, mistakes, strict=True
    ):
        # back to the person's layout: the out_in swap is its own inverse
        index1 = tuple(i + 1 for i in _to_trace_index(claim.index, claim.key, spec))
        label = _label(claim.layer, claim.key, index1, m)
        digits = ""
        if w and more is not None and claim.matches(more):
            own_value, digits = more, ", kept to more digits than you wrote"
        finding = Finding(
            claim.layer,
            claim.key,
            index1,
            float(claim.value),
            correct,
            "right",
            own_value if abs(own_value - correct) > 0 else None,
            written=claim.written,
        )
        if claim.matches(correct):
            finding.message = f"{label}: {claim.written} is right" + _cancelled(
                ws, claim, own_value, spec, after_error
            )
        elif (
            claim.matches(own_value)
            and not wrong_before
            and _rounding_off(claim, correct, coarsest)
        ):
            # everything it follows from is right, written to as many decimals, and it is
            # off by their rounding (−ln a from an a of 6 decimals, to 6): the working is
            # right; from coarser numbers (a z of 1 decimal), or magnified far beyond its
            # last place (−1/a from an a of 3 significant digits), its digits are not
            finding.message = (
                f"{label}: {claim.written} is right from your rounded earlier values "
                f"(unrounded, it is {_beside(correct, claim)})"
            )
        elif claim.matches(own_value):
            finding.status = "carried"
            finding.message = (
                f"{label}: you wrote {claim.written}, it is {_beside(correct, claim)}; "
                f"yours follows correctly from your own earlier values "
                f"({_fmt(own_value)}{digits})"
            )
        else:
            finding.status = "wrong"
            finding.diagnosis = _diagnose(ws, claim, found, finest)
            finding.message = _wrong_message(
                label, claim, correct, own_value, finding.diagnosis, spec, ws
            )
        findings.append(finding)
        wrong_before = wrong_before or finding.status == "wrong"
        coarsest = min(coarsest, _judged_at(claim))
        # after a known mistake, not a slip: from a slip a mistake may land anywhere
        after_error = after_error or (
            finding.status == "wrong"
            and finding.diagnosis[0] not in ("arithmetic", "rounded_inputs")
        )
    first = next((i for i, f in enumerate(findings) if f.status == "wrong"), None)
    carried = 0 if first is None else _followers(ws, claims, own, findings, first)
    if carried:
        findings[first].message += (
            f". {carried} later number{'s' if carried != 1 else ''} follow"
            f"{'s' if carried == 1 else ''} correctly from your own values"
        )
    return CheckReport(findings)


def _followers(
    ws: Worksheet,
    claims: list[Claim],
    own: list[tuple[float, float]],
    findings: list[Finding],
    first: int,
) -> int:
    """How many carried numbers after the first error follow from it.

    The step once more with the error's true value in place of the claimed one, each
    carried number after it (those before were carried from something else) taking what
    its own values then give, so what follows from a follower follows too: those whose
    own value changes follow from the error; a carried number from a later mistake, or
    from a right number written after the error, does not.
    """
    corrected = list(claims)
    corrected[first] = dataclasses.replace(
        claims[first], value=decimal.Decimal(repr(findings[first].correct))
    )
    after = [i for i in range(first + 1, len(claims)) if findings[i].status == "carried"]
    follow: dict[tuple[int | None, str], tuple[np.ndarray, np.ndarray]] = {}
    for i in after:
        slot = (claims[i].layer, claims[i].key)
        if slot not in follow:
            with np.errstate(all="ignore"):
                before = np.asarray(from_own(ws, *slot), dtype=np.float64)
            follow[slot] = (np.zeros(before.shape, dtype=bool), before)
        follow[slot][0][claims[i].index] = True
    recomputed = _own_values(_worksheet(ws.spec, ws.trace, corrected, follow), claims)
    return sum(recomputed[i][1] != own[i][1] for i in after)


def _cancelled(ws: Worksheet, claim: Claim, own: float, spec: Spec, after_error: bool) -> str:
    """What a right number hides when the person's own values give another one.

    From their own earlier numbers (a flipped ∂ℓ/∂a, say) a second known mistake (the
    update θ + η∇) can lead back to the right value: two mistakes that cancel, said
    beside the ✓ so the second one is not missed. Only after a known mistake (own values
    that differ by rounding or a slip hide nothing known), for a number of two
    significant digits or more (at one, known mistakes land on it by chance), and only
    a mistake that changes the number on the true values (z from z is no mistake where
    relu's z = a).
    """
    if not after_error or claim.significant < 2 or claim.matches(own):
        return ""
    found = [rule_id for rule_id, _ in _mistakes_from(ws, claim, changing=_exact(ws))]
    if not found:
        return ""
    loss = spec.network.loss.name
    explain = {r.id: r.explained(spec.weights_layout, claim.key, loss) for r in RULES}
    return (
        f", though your own earlier values give {_fmt(own)}: from them it takes a second "
        f"mistake to reach it, and the two cancel: "
        + "; ".join(f"{rule_id}: {explain[rule_id]}" for rule_id in found)
    )


def _stands_for(
    claim: Claim, true: float, own: float, mistakes: list[tuple[str, float]]
) -> float | None:
    """The unrounded value of a number that is not right: from their own values or a mistake."""
    if claim.matches(true):
        return None
    if claim.matches(own):
        return own
    return mistakes[0][1] if mistakes else None


def _own_values(ws: Worksheet, claims: list[Claim]) -> list[tuple[float, float]]:
    """(true value, value from the person's own earlier numbers) of each claim."""
    recomputed: dict[tuple[int | None, str], np.ndarray] = {}
    values = []
    for claim in claims:
        slot = (claim.layer, claim.key)
        if slot not in recomputed:
            recomputed[slot] = np.asarray(from_own(ws, *slot), dtype=np.float64)
        own_value = float(recomputed[slot][claim.index])
        if claim.key == "loss" and not claim.matches(own_value):
            # the loss from the person's a_L, when it is not the sum of their own terms
            alternative = float(from_own(ws, None, "loss", from_a=True))
            if claim.matches(alternative):
                own_value = alternative
        # + 0.0: a −0 (−y ln a, −y/a at y = 0) is a 0, shown "0"
        values.append((float(ws.true[slot][claim.index]) + 0.0, own_value + 0.0))
    return values


def _unchanged(claim: Claim, layers: Any) -> bool:
    """A W_new or b_new written equal to the weight or bias before the step.

    ``layers``: the trace's or the network's, whose W and b are the parameters before it.
    """
    if claim.key not in ("W_new", "b_new") or claim.layer is None:
        return False
    old = getattr(layers[claim.layer - 1], claim.key[0])
    return float(claim.value) == float(old[claim.index])


def _at_precision(claims: list[Claim], trace: Any) -> list[Claim]:
    """Claims as judged: a 0, a 1 or a parameter left unchanged, at the person's precision.

    Writing 0 (for a gradient, say), 1 (for f′), or a new weight or bias equal to the
    old one says "nothing", "no factor" or "no change", not "rounded to this place": 0
    for 0.266, 1 for σ′ = 0.105, or 1.0 for a bias that the step moves from 1 to
    1.0109, is the mistake of a forgotten term, and is judged as such where the
    person's other numbers carry more decimals (a 0) or more significant digits (a 1
    or an unchanged parameter, read at as many, but never at more decimals than any
    number of the sheet has: −1.88000 for a weight the step moves by 4·10⁻⁶ is right
    beside gradients written 1.24634e-05, 0.1000 beside 4.0040, and 1 beside 0.125 is
    read to two decimals).
    """
    # at most 12 decimals: beyond, a true 0 shows float64's rounding (1e-17)
    finest = min(max((c.decimals for c in claims), default=0), FINEST)
    finest = max(finest, 0)
    digits = max((c.significant for c in claims), default=0)
    judged = []
    for c in claims:
        if c.value == 0 and c.decimals < finest:
            c = dataclasses.replace(c, precision=finest)
        elif (
            (_unchanged(c, trace.layers) or c.value == 1)
            and float(c.value) != 0
            and c.significant < digits
        ):
            # as many significant digits as the person's most precise number
            # and never finer than the person's finest decimals: 0.1000 beside 4.0040
            # is written to the sheet's own 4 decimals; a 1 too (f′ = 1 beside
            # 0.880797 is no f′ at all)
            places = digits - 1 - math.floor(math.log10(abs(float(c.value))))
            if c.decimals < min(places, finest):
                c = dataclasses.replace(c, precision=min(places, finest))
        judged.append(c)
    return judged


def _whole_numbers(
    ws: Worksheet, claims: list[Claim], own: list[tuple[float, float]], finest: int
) -> list[Claim]:
    """Claims as judged: a whole number that a known mistake gives exactly, at ``finest``.

    3 for z = 3.6 is right at its units, but beside numbers written to 6 decimals, where
    z = x W without the bias is 3.000000 from the person's own values, it is that
    mistake's value, not 3.6 rounded: read at the sheet's finest decimals it is wrong,
    with the diagnosis. A whole number no known mistake gives (4 for 3.6) stays judged
    at its units; a 0, and what :func:`_at_precision` reads finer, are left as it reads.
    """
    if finest <= 0:
        return claims
    judged = []
    for c, (true, _) in zip(claims, own, strict=True):
        if c.decimals == 0 and c.value != 0 and c.precision is None and c.matches(true):
            fine = dataclasses.replace(c, precision=finest)
            if not fine.matches(true) and _mistakes_from(ws, fine):
                c = fine
        judged.append(c)
    return judged


def _diagnose(
    ws: Worksheet, claim: Claim, mistakes: list[tuple[str, float]], finest: int
) -> list[str]:
    """The ids of the known mistakes that give the claim, else rounded_inputs or arithmetic."""
    found = [rule_id for rule_id, _ in mistakes]
    if "batch_derivative" in found and len(found) > 1:  # ÷ m is also ÷ 2 of half_factor
        found.remove("batch_derivative")
    if "unit_mean" in found and "half_factor" in found:  # n = 2: ×2 is the 1/n left out
        # (÷2 stays both: the 1/n taken twice, or the 2 of the square forgotten)
        true = abs(float(np.asarray(ws.true[(claim.layer, claim.key)])[claim.index]))
        if abs(dict(mistakes)["unit_mean"]) > true:
            found.remove("half_factor")
    if not found and _rounded_inputs(ws, claim, finest):
        found.append("rounded_inputs")
    return found or ["arithmetic"]


def _mistakes(ws: Worksheet, claim: Claim, finest: int) -> list[tuple[str, float]]:
    """The known mistakes that give the claimed value: (rule id, the value it gives).

    Each is recomputed from the person's own values and, where neither those nor the
    rounding of them give the number, from the step's true ones: a right value written
    rounded (a = 0.6105) stands for the one the person kept working with, and
    −2(1 − a) from the rounded a can miss the negated ∂ℓ/∂a they wrote by a unit of
    its last place. (Not before rounding: on the true values some mistakes are
    identities — softmax's diagonal alone gives δ_j = a_j at a target of 0 under
    binary cross-entropy — and would name a mistake in a number rounding explains.)
    """
    found = _mistakes_from(ws, claim)
    if not found and not _rounded_inputs(ws, claim, finest):
        found = _mistakes_from(_exact(ws), claim)
    return found


def _exact(ws: Worksheet) -> Worksheet:
    """The worksheet with the step's true values in place of the person's, none written.

    None written: a known mistake in a step they wrote (seed 002's ½(y − a)) is looked
    for in it too, where the number claimed came from another formula for it (their
    boxed (y + a)σ′, which their own ½(y − a) does not give).
    """
    unwritten = {slot: np.zeros_like(mask) for slot, mask in ws.claimed.items()}
    return Worksheet(ws.spec, ws.trace, ws.true, dict(ws.true), unwritten)


def _mistakes_from(
    ws: Worksheet, claim: Claim, changing: Worksheet | None = None
) -> list[tuple[str, float]]:
    """:func:`_mistakes` from the values of ``ws``.

    With ``changing``, only the mistakes that, made on its values, do not give the
    claimed number: those that change it there.
    """
    found: list[tuple[str, float]] = []
    unchanged = _unchanged(claim, ws.spec.network.layers)
    for rule, mistake, number in _made(ws, claim):
        if any(rule.id == done for done, _ in found) or not claim.matches(number):
            continue  # (a rule's first variant that gives the number names it)
        if rule.id == "learning_rate" and unchanged:
            continue  # a parameter left as it was took no step, not one of η²
        if changing is not None and _matches(claim, _under(changing, claim, mistake)):
            continue
        found.append((rule.id, number))
    if not found and changing is None:
        found = _mistakes_upstream(ws, claim)
    return found


def _made(ws: Worksheet, claim: Claim) -> Iterator[tuple[Rule, dict[str, Any], float]]:
    """Each known mistake that can show in the claim, made on the values of ``ws``.

    (rule, mistake, the number it gives there), rule by rule in :data:`RULES`' order.
    """
    for rule in RULES:
        if claim.key in rule.keys and rule.applies(ws, claim.layer):
            for mistake in rule.variants(ws, claim.layer):
                number = _under(ws, claim, mistake)
                if number is not None:
                    yield rule, mistake, number


def _under(ws: Worksheet, claim: Claim, mistake: dict[str, Any]) -> float | None:
    """The claimed number recomputed from ``ws`` under ``mistake`` (None: no such number)."""
    with np.errstate(all="ignore"):
        value = np.asarray(from_own(ws, claim.layer, claim.key, **mistake))
    if value.shape != ws.true[(claim.layer, claim.key)].shape:
        return None
    return float(value[claim.index] if value.shape else value)


def _matches(claim: Claim, number: float | None) -> bool:
    return number is not None and claim.matches(number)


def _upstream(
    ws: Worksheet, claim: Claim
) -> list[tuple[tuple[int, str], tuple[str, ...], tuple[tuple[int, str], ...]]]:
    """The unwritten inputs of a claim where a known mistake may hide.

    Each as (its slot, its rules' keys, the unwritten slots between it and the claim,
    in the order they are computed): a δ's ∂ℓ/∂a (seed 002's δ = (y + a)σ′), a hidden
    ∂ℓ/∂a's δ of the next layer (seed 003's ∂ℓ/∂h from δ2 of the softmax Jacobian's
    diagonal), and a gradient's δ or, through it, its ∂ℓ/∂a (seed 004's ∂f/∂W¹ written
    as one product without W², seed 002's boxed (y + a)σ′ a): where the person wrote
    none of them, the mistake shows first in the claim.
    """
    layer = claim.layer
    if layer is None:
        return []
    if claim.key == "delta":
        chains = [((layer, "dL_da"), ("dL_da",), ())]
    elif claim.key == "dL_da" and _hidden(ws, layer):
        chains = [((layer + 1, "delta"), ("delta", "da_dz"), ())]
    elif claim.key in ("grad_W", "grad_b"):
        chains = [
            ((layer, "delta"), ("delta", "da_dz"), ()),
            ((layer, "dL_da"), ("dL_da",), ((layer, "delta"),)),
        ]
    else:
        return []
    return [
        chain
        for chain in chains
        if not any(ws.claimed[slot].any() for slot in (chain[0], *chain[2]))
    ]


def _mistakes_upstream(ws: Worksheet, claim: Claim) -> list[tuple[str, float]]:
    """A claim from its unwritten input (:func:`_upstream`) made under a known mistake.

    (rule id, the value it gives) for each rule whose first variant to give the claimed
    number does, from the first input where one does (½(y − a) names the sign and the ½,
    as where ∂ℓ/∂a is written).
    """
    for slot, keys, between in _upstream(ws, claim):
        found: list[tuple[str, float]] = []
        for rule in RULES:
            if not set(keys) & set(rule.keys) or not rule.applies(ws, slot[0]):
                continue
            for mistake in rule.variants(ws, slot[0]):
                with np.errstate(all="ignore"):
                    made = np.asarray(from_own(ws, *slot, **mistake), dtype=np.float64)
                    if made.shape != ws.own[slot].shape:
                        continue
                    own = {**ws.own, slot: made}
                    for step in between:  # each unwritten value from the one made before
                        made_ws = Worksheet(ws.spec, ws.trace, ws.true, own, ws.claimed)
                        own = {**own, step: np.asarray(from_own(made_ws, *step))}
                    made_ws = Worksheet(ws.spec, ws.trace, ws.true, own, ws.claimed)
                    value = np.asarray(from_own(made_ws, claim.layer, claim.key))
                number = float(value[claim.index])
                if claim.matches(number):
                    found.append((rule.id, number))
                    break
        if found:
            return found
    return []


def _rounded_inputs(ws: Worksheet, claim: Claim, finest: int) -> bool:
    """Off only because the inputs were rounded: try them at 1 to 3 decimals and at ``finest``.

    ``finest``, the most decimals of the person's numbers: the values they did not write
    (a softmax Jacobian, say) rounded as they write numbers, which ∂ℓ/∂a ≈ 5 makes
    more than a unit of δ's last place. Rounded once, as they stand, and rounded step
    by step, as a worksheet is worked: each unwritten value computed from the rounded
    ones before it, then rounded itself (to 2 decimals or more, at most 2 fewer than
    the claim's own).
    """
    key = (claim.layer, claim.key, claim.index, claim.value, claim.precision, finest)
    if key not in ws.rounded:
        ws.rounded[key] = _rounded(ws, claim, finest)
    return ws.rounded[key]


def _rounded(ws: Worksheet, claim: Claim, finest: int) -> bool:
    """:func:`_rounded_inputs`, computed."""
    for decimals in sorted({1, 2, 3, finest} - {0}):
        once = {k: np.round(v, decimals) for k, v in ws.own.items()}
        # step by step, not to 1 decimal nor 3 fewer than the number has: a chain of such
        # roundings reaches too far (σ of a z of 0.5 is 0.622 where 0.610 is right)
        steps = decimals >= 2 and claim.decimals - decimals <= 2
        for own in (once, _rounded_steps(ws, decimals)) if steps else (once,):
            if _matches(
                claim, _under(Worksheet(ws.spec, ws.trace, ws.true, own, ws.claimed), claim, {})
            ):
                return True
    return False


def _rounded_steps(ws: Worksheet, decimals: int) -> dict:
    """The person's values, each unwritten one recomputed from those before it and rounded.

    In the order of the step, so each number sees only rounded ones (made once per
    ``decimals``: a number's own value never enters what it is computed from).
    """
    own = ws.rounded_steps.get(decimals)
    if own is not None:
        return own
    own = ws.rounded_steps[decimals] = dict(ws.own)
    rounded = Worksheet(ws.spec, ws.trace, ws.true, own, ws.claimed)
    for slot in computation_order(len(ws.trace.layers)):
        with np.errstate(all="ignore"):
            implied = np.round(np.asarray(from_own(rounded, *slot), dtype=np.float64), decimals)
        if implied.shape == own[slot].shape:
            own[slot] = np.where(ws.claimed[slot], ws.own[slot], implied)
    return own


def _formula(claim: Claim, spec: Spec) -> str:
    """How the number is computed, in words a worksheet uses."""
    l, j = claim.layer, (claim.index[-1] + 1 if claim.index else 0)
    n_layers = len(spec.network.layers)
    jacobian = l is not None and spec.network.layers[l - 1].activation.jacobian
    if l is None:
        return {
            "loss": "the mean over the examples of Σ_j of the terms"
            if spec.network.loss.name in TERM_LOSSES
            else "the mean over the examples of ℓ",
            "loss_terms": "the loss's term of this output unit",
            "loss_after": "the loss with the updated weights",
        }[claim.key]
    a_prev = "x" if l == 1 else f"a{l - 1}"
    if spec.weights_layout == "out_in":  # the person's W x: row j of W holds unit j's weights
        z, back = f"W{l} row {j}·{a_prev} + b{l}[{j}]", f"(column {j} of W{l + 1})·δ{l + 1}"
        grad_W = f"δ{l}·{a_prev}ᵀ / m"
    else:
        z, back = f"{a_prev}·W{l} column {j} + b{l}[{j}]", f"δ{l + 1}·(row {j} of W{l + 1})"
        grad_W = f"{a_prev}ᵀ·δ{l} / m"
    return {
        "z": z,
        "a": f"f(z{l})",
        "dL_da": "∂ℓ/∂a of the loss" if l == n_layers else f"{back}, summed over layer {l + 1}",
        "da_dz": f"f'(z{l})",
        "delta": f"Σ_i ∂ℓ/∂a{l}_i J_ij, summed over every output of the layer"
        if jacobian
        else f"∂ℓ/∂a{l} ⊙ f'(z{l})",
        "grad_W": grad_W,
        "grad_b": f"the mean of δ{l}",
        "W_new": f"W{l} − η ∂L/∂W{l}",
        "b_new": f"b{l} − η ∂L/∂b{l}",
    }[claim.key]


def digit_slip(written: str, value: float) -> str | None:
    """How ``written`` differs from ``value``, at its decimals, by one slip of the pen.

    "one digit changed" where one digit differs (the last only by more than 1: by 1 it
    may be rounding), "two digits swapped" where two neighbours trade places (0.569858
    for 0.568958); None otherwise, and for numbers of fewer significant digits (4 for a
    changed digit, 3 for a swap) or in scientific notation, where such a difference is
    no more likely a slip than another number.
    """
    digits = sum(c.isdigit() for c in written.lstrip("-0."))
    if "e" in written.lower() or digits < 3:
        return None
    decimals = len(written.partition(".")[2])
    if not math.isfinite(value):
        return None
    shown = f"{value:.{decimals}f}"
    if len(shown) != len(written) or (shown[0] == "-") != (written[0] == "-"):
        return None
    if sum(c.isdigit() for c in shown.lstrip("-0.")) != digits:  # a leading digit made 0
        return None
    differ = [i for i, (a, b) in enumerate(zip(written, shown, strict=True)) if a != b]
    if not all(written[i].isdigit() and shown[i].isdigit() for i in differ):
        return None
    if len(differ) == 1:
        (i,) = differ
        last = i == len(written) - 1
        if digits < 4 or (last and abs(int(written[i]) - int(shown[i])) <= 1):
            return None
        return "one digit changed"
    if len(differ) == 2 and differ[1] == differ[0] + 1:
        i, j = differ
        if written[i] == shown[j] and written[j] == shown[i]:
            return "two digits swapped"
    return None


def _slip(ws: Worksheet, claim: Claim, correct: float, own: float) -> str | None:
    """What a claim no known mistake gives is, where one slip of the pen makes it.

    The right value, the one from the person's own values, or a known mistake's (from
    their values or the true ones), in that order: "0.569858 is 0.568958 with two digits
    swapped, what a known mistake gives: log10: …".
    """
    if correct != 0 and claim.matches(-correct):
        return f"{claim.written} is the right value with its sign turned: a sign lost on the way"
    candidates: list[tuple[str, float]] = [("the right value", correct)]
    candidates.append(("what your own earlier values give", own))
    for source in (ws, _exact(ws)):
        candidates += [(rule.id, number) for rule, _, number in _made(source, claim)]
    decimals = len(claim.written.partition(".")[2])
    for what, value in candidates:
        how = digit_slip(claim.written, value)
        if how is None:
            continue
        rule = next((r for r in RULES if r.id == what), None)
        if rule is None:
            return f"{claim.written} is {value:.{decimals}f}, {what}, with {how}"
        explained = rule.explained(ws.spec.weights_layout, claim.key, ws.spec.network.loss.name)
        return (
            f"{claim.written} is {value:.{decimals}f} with {how}, and that is what a known "
            f"mistake gives: {what}: {explained}"
        )
    return None


def _wrong_message(
    label: str,
    claim: Claim,
    correct: float,
    own: float,
    diagnosis: list[str],
    spec: Spec,
    ws: Worksheet,
) -> str:
    shown = _beside(correct, claim)
    if claim.precision is not None and float(shown) == float(claim.value):
        # read finer than written: show the digits where the two differ
        shown = f"{correct:.{claim.precision}f}".rstrip("0").rstrip(".")
    text = f"{label}: you wrote {claim.written}, it is {shown} ({_formula(claim, spec)})"
    if claim.precision is not None:
        taken = (
            "your 0 is taken as exactly 0"
            if claim.value == 0
            else "your 1 is taken as exactly 1"
            if claim.value == 1
            else "a value left as it was is taken as not changed at all"
            if _unchanged(claim, spec.network.layers)
            else "a whole number that a known mistake gives exactly is taken as that mistake's"
        )
        text += (
            f" ({taken}, to {claim.precision} decimal{'s' if claim.precision != 1 else ''} "
            "like your other numbers, not as a rounded value)"
        )
    if abs(own - correct) > claim.tolerance:
        text += f" (from your own earlier values: {_fmt(own)})"
    loss = spec.network.loss.name
    explain = {r.id: r.explained(spec.weights_layout, claim.key, loss) for r in RULES}
    notes = [f"{d}: {explain[d]}" for d in diagnosis if d in explain]
    if "rounded_inputs" in diagnosis:
        notes.append(
            "rounded_inputs: the earlier values were rounded too coarsely; keep "
            "more digits until the end"
        )
    if diagnosis == ["arithmetic"]:
        slip = _slip(ws, claim, correct, own)
        notes.append(
            f"arithmetic: no known mistake gives this value itself; a slip: {slip}"
            if slip
            else "arithmetic: no known mistake gives this value; a slip of the arithmetic"
        )
    return text + ". " + "; ".join(notes)


# --- templates ---------------------------------------------------------------------------


def template(spec: Spec, trace: Any | None = None) -> str:
    """A claims file with every key present and empty values to fill in."""
    trace = trace if trace is not None else spec.explain()
    m = spec.X.shape[0]
    lines = [
        f"# glassnet check: your numbers for one step of {spec.path}",
        "# Fill in what you computed (any subset, at your precision); leave [] blank.",
        "# Vectors are one example's values; matrices in the spec's weights_layout "
        f"({spec.weights_layout})."
        if m == 1
        else f"# A row for each of the {m} examples; W-shaped matrices in the spec's "
        f"weights_layout ({spec.weights_layout}).",
        "",
    ]
    for layer in trace.layers:
        lines.append(f"[layer.{layer.index}]  # {layer.activation}")
        for key in LAYER_KEYS:
            shape = _written_shape(np.shape(getattr(layer, key)), key, spec)
            if m == 1 and key not in W_SHAPED and key not in ("grad_b", "b_new"):
                shape = shape[1:]
            lines.append(f"{key} = []  # shape {shape}")
        lines.append("")
    lines += ["[result]", 'loss = ""', 'loss_after = ""']
    if spec.network.loss.name in TERM_LOSSES:  # a loss with a term per output unit
        terms = "[]" + ("  # one per output unit" if m == 1 else f"  # shape {spec.Y.shape}")
        lines.append(f"loss_terms = {terms}")
    lines.append("")
    return "\n".join(lines)
