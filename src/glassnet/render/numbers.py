"""How the human-readable renderers write numbers, vectors and matrices."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.errors import ArgumentError, whole_number
from glassnet.losses import LOSSES, SATURATED, loss_terms


def significant_digits(precision: object) -> int:
    """Significant digits, 1 to 17 (float64 holds 17), or ArgumentError naming them."""
    digits = whole_number("precision", precision, 1)
    if digits > 17:
        raise ArgumentError(f"precision: expected at most 17 digits (float64's), found {digits}")
    return digits


def fmt(x: float, precision: int) -> str:
    """``x`` with ``precision`` significant digits; −0 written as 0."""
    if x == 0:
        return "0"
    return f"{x:.{precision}g}"


# a sum within this fraction of the sum of its terms' sizes is float residue: the
# rounding of a few additions is a few ulps (2.2e-16) of the terms
RESIDUE = 32 * float(np.finfo(np.float64).eps)

# the losses whose ∂ℓ/∂a is c (a − y): it can cancel where a is a sum (a = z)
_DIFFERENCE_LOSSES = frozenset({"half_squared_error", "squared_error", "mean_squared_error"})
# f(0) = 0, and a = z (or a multiple) near 0: a follows a z that is residue
_THROUGH_ZERO = {"identity", "relu", "leaky_relu", "tanh", "elu"}
_LINEAR = {"identity", "relu", "leaky_relu"}  # a is z itself where it is not 0
# f′ jumps at 0 (the engine takes relu′(0) = 0, leaky_relu′(0) = 1): a z shown 0 whose f′
# the engine took on the other side of the kink keeps its digits, f′ beside it agrees
_KINK_DERIVATIVE = {"relu": 0.0, "leaky_relu": 1.0}
_FUSED_PAIRS = {("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")}


# a step that overflowed is shown as it is (inf, nan): its sums recomputed here overflow
# alike, and NumPy's warnings about them would only repeat what the numbers show
@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def terms_of(trace: dict[str, Any]) -> np.ndarray | None:
    """ℓ's summands of each example, one per output unit: ℓ = Σ_j t_j.

    What ``glassnet check`` judges as ``loss_terms``; None for a loss with no such terms.
    """
    loss = LOSSES.get(trace["loss_name"])
    if loss is None:
        return None
    last = trace["layers"][-1]
    a, z = (np.asarray(last[key], dtype=np.float64) for key in ("a", "z"))
    Y = np.asarray(trace["target"], dtype=np.float64)
    return loss_terms(loss, a, Y, z=z, activation=last["activation"])


@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def shown_trace(trace: dict[str, Any]) -> dict[str, Any]:
    """The trace with each number that is float residue of a sum that is 0 set to 0.

    A sum that is 0 in exact arithmetic (0.1 + 0.2 − 0.3, δ_a W_1j − δ_a W_1j' with equal
    weights) comes out of float64 as ~1e-17. Each sum of the step (z, ∂ℓ/∂a, δ, the
    gradients, the updates) is recomputed from the numbers shown before it, and where
    it is within :data:`RESIDUE` of the sum of its terms' sizes it is shown as 0, with
    what follows from it alone (a = f(z) where f(0) = 0, δ = ∂ℓ/∂a ⊙ f′). A small number
    that is no cancelling sum (σ(−35) = 6e-16, a saturated unit's f′) keeps its digits,
    as does every number given, and an output δ the engine took in its exact form, not
    as that sum (the fused pairs', the rows of :func:`saturated_rows`). Where the
    output's a − y is shown 0, the loss shown is the loss's own ``value`` of the a shown
    with y there, and the loss after the step 0 where that is 0 and no update shown
    changes its parameter. For text, Markdown and the page; JSON keeps every digit.
    """
    A = lambda key, layer: np.asarray(layer[key], dtype=np.float64)  # noqa: E731
    layers = [dict(layer) for layer in trace["layers"]]
    m = len(trace["input"])
    eta = float(trace["learning_rate"])
    Y = np.asarray(trace["target"], dtype=np.float64)

    def zero(value: np.ndarray, sum_: np.ndarray, terms: np.ndarray) -> np.ndarray:
        # (terms that overflow bound nothing: an ∞ is no residue)
        residue = np.isfinite(terms) & (np.abs(sum_) <= RESIDUE * terms)
        return np.where(residue, 0.0, value)

    a_prev = np.asarray(trace["input"], dtype=np.float64)
    for layer in layers:  # forward: z = a W + b from the a shown
        W, b, z, a = A("W", layer), A("b", layer), A("z", layer), A("a", layer)
        z_shown = zero(z, a_prev @ W + b, np.abs(a_prev) @ np.abs(W) + np.abs(b))
        kink = _KINK_DERIVATIVE.get(layer["activation"])
        if kink is not None:
            z_shown = np.where(A("da_dz", layer) == kink, z_shown, z)
        small = (z_shown == 0) & (np.abs(a) <= 2 * np.abs(z))  # a is of z's size
        if layer["activation"] in _THROUGH_ZERO:
            a = np.where(small, 0.0, a)
        layer["z"], layer["a"] = z_shown.tolist(), a.tolist()
        a_prev = np.asarray(layer["a"])
    delta_next, W_next = None, None
    settled = np.zeros(np.shape(Y), dtype=bool)  # the output's a − y shown 0, a ≠ y
    for l in range(len(layers) - 1, -1, -1):  # backward, from the numbers shown
        layer = layers[l]
        g, d, delta = A("dL_da", layer), A("da_dz", layer), A("delta", layer)
        a = np.asarray(layer["a"])
        output = delta_next is None
        if not output:
            g = zero(g, delta_next @ W_next.T, np.abs(delta_next) @ np.abs(W_next).T)
        elif trace["loss_name"] in _DIFFERENCE_LOSSES and layer["activation"] in _LINEAR:
            # ∂ℓ/∂a a multiple of a − y (the multiple cancels in the test), a a sum itself
            shown = zero(g, a - Y, np.abs(a) + np.abs(Y))
            settled = (shown == 0) & (g != 0)
            g = shown
        pair = (layer["activation"], trace["loss_name"])
        if output and pair in _FUSED_PAIRS:
            pass  # δ = a Σy − y as the engine took it: no sum of the factors shown
        elif d.ndim == 3:  # a Jacobian: δ_j = Σ_i ∂ℓ/∂a_i J_ij
            sum_ = np.einsum("mij,mi->mj", d, g)
            shown = zero(delta, sum_, np.einsum("mij,mi->mj", np.abs(d), np.abs(g)))
            if output and pair in SATURATED:  # rows whose δ the engine took from z, as it is
                rows = saturated_rows(trace)
                shown[rows] = delta[rows]
            delta = shown
        else:
            delta = np.where(g == 0, 0.0, delta)  # a product: 0 where its ∂ℓ/∂a is
        layer["dL_da"], layer["delta"] = g.tolist(), delta.tolist()
        delta_next, W_next = delta, A("W", layer)
    a_prev = np.asarray(trace["input"], dtype=np.float64)
    for layer in layers:  # gradients and updates, from the δ shown
        delta = np.asarray(layer["delta"])
        W, b = A("W", layer), A("b", layer)
        grad_W = zero(
            A("grad_W", layer), a_prev.T @ delta / m, np.abs(a_prev).T @ np.abs(delta) / m
        )
        grad_b = zero(A("grad_b", layer), delta.sum(axis=0) / m, np.abs(delta).sum(axis=0) / m)
        layer["grad_W"], layer["grad_b"] = grad_W.tolist(), grad_b.tolist()
        layer["W_new"] = zero(
            A("W_new", layer), W - eta * grad_W, np.abs(W) + eta * np.abs(grad_W)
        ).tolist()
        layer["b_new"] = zero(
            A("b_new", layer), b - eta * grad_b, np.abs(b) + eta * np.abs(grad_b)
        ).tolist()
        a_prev = np.asarray(layer["a"])
    loss, loss_after = trace["loss"], trace["loss_after"]
    if settled.any():  # ℓ follows from the a − y shown: the engine's ℓ of a = y there
        a = np.where(settled, Y, np.asarray(layers[-1]["a"]))
        loss = float(LOSSES[trace["loss_name"]].value(a, Y).mean())
    unchanged = all(
        np.array_equal(A(new, layer), A(old, layer))
        for layer in layers
        for new, old in (("W_new", "W"), ("b_new", "b"))
    )
    if loss == 0 and unchanged:  # the same network on the same batch: the same 0
        loss_after = 0.0
    return {**trace, "loss": loss, "loss_after": loss_after, "layers": layers}


def layout_note(weights_layout: str) -> str:
    """The line that says a spec's W x matrices are shown x W; empty for in_out."""
    if weights_layout != "out_in":
        return ""
    return (
        'The spec writes its matrices W x (weights_layout = "out_in"); they are shown '
        "here as x W, transposed: a row per input, a column per unit."
    )


DEFAULT_RATE = "glassnet's default: the spec sets no learning_rate"


def written_note(weights_layout: str, vectors: str) -> str:
    """The line that says a spec's W x matrices are shown as written; empty for in_out.

    ``vectors`` says how the renderer writes a and δ beside them ("as rows", "as columns").
    """
    if weights_layout != "out_in":
        return ""
    return (
        'The spec writes its matrices W x (weights_layout = "out_in"), and so are they '
        f"shown here: a row per unit, a column per input, z = W a + b; vectors {vectors}."
    )


def grid(values: Any, precision: int) -> list[list[str]]:
    """A vector or matrix as rows of formatted cells (a vector is one row)."""
    arr = np.atleast_2d(np.asarray(values, dtype=np.float64))
    return [[fmt(float(x), precision) for x in row] for row in arr]


def text_matrix(values: Any, precision: int) -> list[str]:
    """A vector or matrix as lines of bracketed rows with aligned columns."""
    return text_blocks(values, precision, math.inf)[0][2]


def text_blocks(values: Any, precision: int, width: float) -> list[tuple[int, int, list[str]]]:
    """:func:`text_matrix`'s rows cut into blocks of whole columns each ``width`` wide at most.

    (first column, last column, counted from 1, the block's rows); a column wider than
    ``width`` is a block of its own.
    """
    cells = grid(values, precision)
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    blocks = []
    start = 0
    while start < len(widths):
        end, used = start + 1, len("[  ]") + widths[start]
        while end < len(widths) and used + 2 + widths[end] <= width:
            used += 2 + widths[end]
            end += 1
        rows = [
            "[ " + "  ".join(row[j].rjust(widths[j]) for j in range(start, end)) + " ]"
            for row in cells
        ]
        blocks.append((start + 1, end, rows))
        start = end
    return blocks


NON_FINITE = {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\text{NaN}"}


def latex_number(x: float, precision: int) -> str:
    r"""``x`` as :func:`fmt` writes it, with an exponent as ``\times 10^{e}`` in LaTeX."""
    return _latex_cell(fmt(float(x), precision))


def _latex_cell(text: str) -> str:
    if text in NON_FINITE:
        return NON_FINITE[text]
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def latex_matrix(values: Any, precision: int) -> str:
    r"""A vector or matrix as a LaTeX ``bmatrix``."""
    rows = [[_latex_cell(c) for c in row] for row in grid(values, precision)]
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def saturated_rows(trace: dict[str, Any]) -> list[int]:
    """The examples (0-based) whose output δ and ∂ℓ/∂a the engine took from the logits.

    Those of an unfused pair with an exact form (softmax with binary_cross_entropy)
    whose a-based factors lose the number; none for any other pair.
    """
    layer = trace["layers"][-1]
    exact = SATURATED.get((layer["activation"], trace["loss_name"]))
    if exact is None:
        return []
    A = lambda key: np.asarray(layer[key], dtype=np.float64)  # noqa: E731
    return exact.rows(A("z"), A("a"), np.asarray(trace["target"], dtype=np.float64)).tolist()


def saturated_note(rows: list[int]) -> str:
    """Why the output δ of those examples is not the product of the factors shown."""
    which = ", ".join(str(k + 1) for k in rows)
    return (
        f"softmax with binary_cross_entropy, example{'s' if len(rows) > 1 else ''} {which}: "
        "the largest a_d rounds to 1 (or an a_j under a target to 0), so 1 − a_d and the "
        "product of the factors shown lose the number; ∂ℓ/∂a and δ are computed from the "
        "logits instead, ln(1 − a_d) = lse_{k≠d} z − lse z, exactly, as training takes them"
    )


def fused_note(activation: str, loss: str) -> str:
    """What δ of an output pair whose factors cancel is, and why it is shown so."""
    form = "a Σ_j y_j − y (a − y for one-hot y)" if activation == "softmax" else "a − y"
    return (
        f"{activation} with {loss}: the factors multiply out to δ = {form}; where a rounds "
        "to 0 or 1, ∂ℓ/∂a is huge and f′ is 0 in floating point and their product loses δ, "
        "so δ is this exact form, as training takes it"
    )
