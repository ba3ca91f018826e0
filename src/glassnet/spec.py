"""Spec files: a network and its data, written by a person in TOML.

A spec gives the input (one example or a batch), the target, the loss, the
learning rate and the layers, each with its activation and either its weights
or a number of units to initialise.  See docs/spec-format.md.  Every mistake
raises :class:`glassnet.errors.SpecError` naming the file, the field and the
layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.activations import get_activation
from glassnet.errors import (
    SpecError,
    did_you_mean,
    quote,
    read_toml,
    read_user_text,
    toml_kind,
    toml_text,
)
from glassnet.init import get_initializer
from glassnet.losses import get_loss
from glassnet.network import PROBABILITY_RANGE, Layer, Network, targets_outside

if TYPE_CHECKING:  # (a spec makes a trace on request; the trace module needs no spec)
    from glassnet.trace import Trace

TOP_KEYS = ("input", "target", "loss", "learning_rate", "weights_layout", "seed", "layer")
LAYER_KEYS = ("activation", "weights", "bias", "units", "init")
LAYOUTS = ("in_out", "out_in")
DEFAULT_LEARNING_RATE = 0.1
DEFAULT_SEED = 0
# A spec describes a network a person can read; refuse sizes that would only exhaust memory.
MAX_UNITS = 100_000
MAX_PARAMETERS = 50_000_000


@dataclass
class Spec:
    """A parsed spec: the network and one batch to explain a step on.

    Attributes
    ----------
    path : str
    network : Network
    X : ndarray, shape (m, n_0)
    Y : ndarray, shape (m, n_L)
    learning_rate : float
    weights_layout : {"in_out", "out_in"}
        How the file wrote its matrices (the network always holds in_out).
    seed : int
    learning_rate_given : bool
        False where the file sets no ``learning_rate`` (the explanations say η is
        glassnet's default).
    """

    path: str
    network: Network
    X: np.ndarray
    Y: np.ndarray
    learning_rate: float
    weights_layout: str
    seed: int
    learning_rate_given: bool = True

    def explain(self) -> Trace:
        """One training step on the spec's batch, as a :class:`glassnet.trace.Trace`."""
        from glassnet.trace import explain_step

        trace = explain_step(self.network, self.X, self.Y, self.learning_rate)
        trace.weights_layout = self.weights_layout  # its text and Markdown show W x as W x
        trace.default_rate = not self.learning_rate_given
        return trace


def load_spec(path: str | Path) -> Spec:
    """Read and check a spec file.

    Raises
    ------
    SpecError
        For an unreadable file, invalid TOML or any mistake in the spec.
    """
    return loads_spec(read_user_text(path, SpecError, "spec file"), str(path))


def loads_spec(text: str, path: str = "<spec>") -> Spec:
    """Parse a spec from TOML text; ``path`` names it in error messages.

    A byte order mark at its start (text read as "utf-8", not "utf-8-sig") is skipped.
    """
    text = text.removeprefix("\ufeff")
    data = read_toml(text, path, SpecError)
    return parse_spec(data, path)


def parse_spec(data: dict[str, Any], path: str = "<spec>") -> Spec:
    """Check a spec given as a dict (as read from TOML) and build its network.

    From Python, NumPy arrays and numbers (and tuples) stand for TOML's lists and numbers.
    """
    if not isinstance(data, dict):
        raise SpecError(path, "", f"expected a table of keys, found {toml_kind(data)}")
    try:
        data = _as_toml(data)
    except RecursionError:  # a dict that holds itself
        raise SpecError(path, "", "nested too deeply (or refers to itself)") from None
    _check_keys(data, TOP_KEYS, path, "")
    tables = data.get("layer")
    for k, table in enumerate(tables if isinstance(tables, list) else [], start=1):
        # ([[layer.layer]] is no misplaced key: left to the unknown-key check)
        top = [key for key in TOP_KEYS if key != "layer"]
        misplaced = [key for key in table if key in top] if isinstance(table, dict) else []
        if misplaced:  # a key written below a [[layer]] header is that layer's in TOML
            raise SpecError(
                path,
                f"layer {k}: {misplaced[0]}",
                "a key of the whole spec: write it above the first [[layer]] (TOML puts "
                "every key after a [[layer]] header into that layer)",
            )

    for key in ("input", "target", "loss"):
        if key not in data:
            raise SpecError(path, key, "missing (required)")
    X = _batch(data["input"], path, "input")
    Y = _batch(data["target"], path, "target")
    if X.shape[0] != Y.shape[0]:
        rows = ""
        if Y.shape[1] == len(X):  # a row of one number per example
            rows = (
                " (one one-hot row per example, such as [[1, 0], [0, 1]], not class indices)"
                if data.get("loss") == "cross_entropy"
                else " (one row per example, such as [[1.0], [0.0]])"
            )
        raise SpecError(
            path, "target", f"has {Y.shape[0]} example(s) but input has {X.shape[0]}{rows}"
        )

    if not isinstance(data["loss"], str):
        raise SpecError(path, "loss", f"expected a loss name, found {toml_kind(data['loss'])}")
    loss = get_loss(data["loss"], path=path, field="loss")

    learning_rate = _number(data.get("learning_rate", DEFAULT_LEARNING_RATE), path, "learning_rate")
    if learning_rate < 0:
        raise SpecError(path, "learning_rate", f"must be ≥ 0, found {learning_rate}")

    layout = data.get("weights_layout", "in_out")
    if layout not in LAYOUTS:
        raise SpecError(
            path,
            "weights_layout",
            f"expected 'in_out' or 'out_in', found {toml_text(layout)}"
            + (did_you_mean(layout, LAYOUTS) if isinstance(layout, str) else ""),
        )

    seed = data.get("seed", DEFAULT_SEED)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise SpecError(path, "seed", f"expected a whole number ≥ 0, found {toml_text(seed)}")

    layer_tables = data.get("layer")
    if layer_tables is None or layer_tables == []:
        raise SpecError(path, "layer", "no layers: add at least one [[layer]] table")
    if not isinstance(layer_tables, list) or not all(isinstance(t, dict) for t in layer_tables):
        raise SpecError(path, "layer", "expected [[layer]] tables (an array of tables)")

    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    n_in = X.shape[1]
    parameters = 0
    for k, table in enumerate(layer_tables, start=1):
        layer = _layer(table, k, n_in, layout, rng, path, MAX_PARAMETERS - parameters)
        parameters += layer.W.size + layer.b.size
        layers.append(layer)
        n_in = layer.n_out

    if Y.shape[1] != n_in:
        # (before the targets' range: class 3 written [2] is a row of the wrong width)
        example = ", ".join(["0"] * (n_in - 1) + ["1"])  # the last class's row
        last = f"class index {n_in - 1}, the last class"
        one_hot = f" (one-hot rows of {n_in}: [{example}] for {last})" * (
            Y.shape[1] == 1 and loss.name == "cross_entropy"
        )
        raise SpecError(
            path,
            "target",
            f"has {Y.shape[1]} values per example but the last layer "
            f"(layer {len(layers)}) has {n_in} units{one_hot}",
        )
    problem = targets_outside(loss.name, Y)  # the rule the network's targets() applies
    if problem is not None:
        raise SpecError(path, "target", problem)
    network = Network(layers, loss=loss)
    _check_outputs(network, X, path)
    given = "learning_rate" in data
    return Spec(path, network, X, Y, learning_rate, layout, seed, given)


def _check_outputs(network: Network, X: np.ndarray, path: str) -> None:
    """SpecError naming ``loss`` where the output leaves the range the loss's logarithms take."""
    problem = outputs_outside(network, X)
    if problem is not None:
        raise SpecError(path, "loss", problem)


def outputs_outside(network: Network, X: np.ndarray) -> str | None:
    """What is wrong where the output on X leaves the range the loss's logarithms take.

    ln a and ln(1 − a) of binary cross-entropy need 0 ≤ a ≤ 1, ln a of cross-entropy
    a ≥ 0: a tanh or identity output gives numbers there that mean nothing (PyTorch's
    BCELoss refuses them too). None where every output is in range.
    """
    bounds = PROBABILITY_RANGE.get(network.loss.name)
    if bounds is None:
        return None
    with np.errstate(all="ignore"):
        a = network.forward(X).a[-1]
    outside = ~((a >= bounds[0]) & (a <= bounds[1]))
    if not outside.any():
        return None
    k, j = np.argwhere(outside)[0]
    L = len(network.layers)
    where = f"example {k + 1}, unit {j + 1}" if len(a) > 1 else f"unit {j + 1}"
    if not np.isfinite(a[k, j]):  # no output's fault: the numbers before it overflow
        return (
            f"layer {L} gives a = {a[k, j]} ({where}): the forward pass overflows "
            f"{network.dtype} (weights or inputs too large)"
        )
    takes = "0 ≤ a ≤ 1" if bounds[1] == 1.0 else "a ≥ 0"
    return (
        f"{network.loss.name} takes outputs {takes} (probabilities: the logarithms of a"
        f"{' and 1 − a' if bounds[1] == 1.0 else ''}); layer {L} "
        f"({network.layers[-1].activation.name}) gives a = {a[k, j]:.6g} ({where}): "
        "use a sigmoid or softmax output, or a squared error"
    )


# --- layers ---------------------------------------------------------------------------


def _layer(
    table: dict[str, Any],
    k: int,
    n_in: int,
    layout: str,
    rng: np.random.Generator,
    path: str,
    budget: int,
) -> Layer:
    """Check one [[layer]] table and build its layer.

    ``budget`` is how many parameters the network may still have; it is checked
    before any allocation.
    """
    where = f"layer {k}"
    _check_keys(table, LAYER_KEYS, path, where)
    if "activation" not in table:
        raise SpecError(path, f"{where}: activation", "missing (required)")
    act_name = table["activation"]
    if not isinstance(act_name, str):
        raise SpecError(
            path,
            f"{where}: activation",
            f"expected an activation name, found {toml_kind(act_name)}",
        )
    activation = get_activation(act_name, path=path, field=f"{where}: activation")

    units = table.get("units")
    if units is not None and (
        not isinstance(units, int) or isinstance(units, bool) or not 1 <= units <= MAX_UNITS
    ):
        raise SpecError(
            path,
            f"{where}: units",
            f"expected a whole number from 1 to {MAX_UNITS:,}, found {toml_text(units)}",
        )

    source = (
        f"the input has {n_in} values per example" if k == 1 else f"layer {k - 1} has {n_in} units"
    )
    if "weights" in table:
        if "init" in table:
            raise SpecError(path, f"{where}: init", "give either weights or init, not both")
        W = _matrix(table["weights"], path, f"{where}: weights")
        if layout == "out_in":
            # the file wrote W[j][i]; the engine holds W[i][j], C-ordered so that the
            # products sum in the same order as for the same matrix written in_out
            W = np.ascontiguousarray(W.T)
        if W.shape[0] != n_in:
            axis = (
                "columns (layout out_in: W[j][i])"
                if layout == "out_in"
                else "rows (layout in_out: W[i][j])"
            )
            raise SpecError(
                path,
                f"{where}: weights",
                f"expected {n_in} {axis}, one per input ({source}), found {W.shape[0]}",
            )
        if units is not None and W.shape[1] != units:
            raise SpecError(
                path,
                f"{where}: weights",
                f"units = {units} but the weights have {W.shape[1]} units",
            )
    else:
        if units is None:
            raise SpecError(path, where, "needs weights = [[...], ...] or units = N")
        if (n_in + 1) * units > budget:
            total = MAX_PARAMETERS - budget + (n_in + 1) * units
            raise SpecError(
                path,
                f"{where}: units",
                f"the network would have {total:,} parameters (~{total * 8 / 2**30:,.1f} GiB); "
                f"glassnet refuses more than {MAX_PARAMETERS:,}",
            )
        init = table.get("init", "glorot_uniform")
        if not isinstance(init, str):
            raise SpecError(path, f"{where}: init", f"expected a name, found {toml_kind(init)}")
        W = get_initializer(init, path=path, field=f"{where}: init")(
            n_in, units, rng, np.dtype(np.float64)
        )
    n_out = W.shape[1]
    problem = one_unit_softmax(activation.name, n_out)
    if problem is not None:
        raise SpecError(path, f"{where}: activation", problem)

    if "bias" in table:
        b = _vector(table["bias"], path, f"{where}: bias")
        if b.shape[0] != n_out:
            raise SpecError(
                path,
                f"{where}: bias",
                f"expected {n_out} values (one per unit), found {b.shape[0]}",
            )
    else:
        b = np.zeros(n_out)
    return Layer(W, b, activation)


def one_unit_softmax(activation: str, n_out: int) -> str | None:
    """Why a layer of this activation and width makes no spec; None where it does.

    A softmax over 1 unit is e^z / e^z = 1 whatever z: its gradient is 0, nothing learns.
    (:func:`glassnet.io.spec_text` applies it too: it writes no file this refuses.)
    """
    if activation == "softmax" and n_out == 1:
        return (
            "softmax over 1 unit is always 1 (its gradient 0: nothing learns); use sigmoid "
            "for one output (with binary_cross_entropy), or 2 units or more"
        )
    return None


# --- values ---------------------------------------------------------------------------


def _number(value: Any, path: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(path, field, f"expected a number, found {toml_kind(value)}")
    try:
        number = float(value)
    except OverflowError:  # a TOML integer of hundreds of digits
        raise SpecError(
            path, field, f"expected a finite number, found {toml_text(value)}"
        ) from None
    if not math.isfinite(number):
        # TOML reads a number beyond float64's range as ∞: say so, as it may be written 1e400
        beyond = "" if math.isnan(number) else " (or a number beyond ±1.8e308, such as 1e400)"
        raise SpecError(path, field, f"expected a finite number, found {value}{beyond}")
    return number


def _as_toml(value: Any) -> Any:
    """``value`` with NumPy arrays and tuples as lists, NumPy numbers as Python's."""
    if isinstance(value, dict):
        return {k: _as_toml(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_toml(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()  # (a bool stays a bool, refused where a number belongs)
    return value


def _vector(value: Any, path: str, field: str) -> np.ndarray:
    if not isinstance(value, list):
        raise SpecError(path, field, f"expected a list of numbers, found {toml_kind(value)}")
    if not value:
        raise SpecError(path, field, "is empty")
    return np.array(
        [_number(v, path, f"{field}[{i}]") for i, v in enumerate(value, start=1)], dtype=np.float64
    )


def _matrix(value: Any, path: str, field: str) -> np.ndarray:
    if not isinstance(value, list) or not value:
        raise SpecError(
            path,
            field,
            "expected a matrix, a list of rows [[...], [...]], found "
            + ("an empty list" if value == [] else toml_kind(value)),
        )
    if not all(isinstance(row, list) for row in value):
        raise SpecError(
            path,
            field,
            "expected a matrix, a list of rows [[...], [...]], found a list that is not all rows",
        )
    rows = [_vector(row, path, f"{field} row {i}") for i, row in enumerate(value, start=1)]
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        lengths = ", ".join(str(len(row)) for row in rows)
        raise SpecError(path, field, f"ragged rows: lengths {lengths}")
    return np.vstack(rows)


def _batch(value: Any, path: str, field: str) -> np.ndarray:
    """One example (a list of numbers) as 1 row, or a batch (a list of rows) as m rows."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return _matrix(value, path, field)
    return _vector(value, path, field)[None, :]


def _check_keys(table: dict[str, Any], known: tuple[str, ...], path: str, where: str) -> None:
    for key in table:
        if key not in known:
            # a dict from Python may have keys that are no strings
            name = str(key)
            shown = name if name.isidentifier() and len(name) <= 40 else quote(name)
            field = f"{where}: {shown}" if where else shown
            raise SpecError(
                path, field, f"unknown key{did_you_mean(name, known)}; known: {', '.join(known)}"
            )
