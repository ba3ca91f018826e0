"""How the human-readable renderers write numbers, vectors and matrices."""

from __future__ import annotations

from typing import Any

import numpy as np


def fmt(x: float, precision: int) -> str:
    """``x`` with ``precision`` significant digits; −0 written as 0."""
    if x == 0:
        return "0"
    return f"{x:.{precision}g}"


# below this fraction of the largest number beside it, a number is float rounding: the
# residue of a sum that is 0 in exact arithmetic is a few ulps (~1e-16) of its terms;
# a real number of the step so far below its neighbours (a saturated unit's 1e-13) is
# above it
ROUNDING = 1e-14


def grid(values: Any, precision: int, rounding: str | None = None) -> list[list[str]]:
    """A vector or matrix as rows of formatted cells (a vector is one row).

    A sum that is 0 in exact arithmetic (δ_a W_1j − δ_a W_1j' with W_1j = W_1j') comes
    out of float64 as ~1e-17 beside numbers of order 1e-2; such a number, below
    :data:`ROUNDING` of the largest beside it, is written 0: ``rounding="rows"``
    (``"columns"`` for rows shown transposed) compares within each row (one example's
    z, a, ∂ℓ/∂a, f′ or δ: the examples of a batch are computed apart, and one that
    saturated says nothing of another's; a row of one unit, within its column),
    ``"all"`` within the array (a gradient, summed over the batch, and the parameters
    updated by it), None never (the numbers given). The JSON trace keeps every digit.
    """
    arr = np.atleast_2d(np.asarray(values, dtype=np.float64))
    if rounding is None:
        return [[fmt(float(x), precision) for x in row] for row in arr]

    def noise(part: np.ndarray) -> float:
        finite = np.abs(part[np.isfinite(part)])
        return ROUNDING * float(finite.max()) if finite.size else 0.0

    if (rounding == "rows" and arr.shape[1] == 1) or (rounding == "columns" and len(arr) == 1):
        rounding = "all"  # one unit: its row has nothing beside it; its batch does
    if rounding == "columns":  # rows shown as columns (a transposed): each column apart
        floors = np.array([noise(column) for column in arr.T])[None, :].repeat(len(arr), 0)
    elif rounding == "rows":
        floors = np.array([noise(row) for row in arr])[:, None].repeat(arr.shape[1], 1)
    else:
        floors = np.full(arr.shape, noise(arr))
    return [
        [
            fmt(0.0 if abs(x) < floor else float(x), precision)
            for x, floor in zip(row, bound, strict=True)
        ]
        for row, bound in zip(arr, floors, strict=True)
    ]


def text_matrix(values: Any, precision: int, rounding: str | None = None) -> list[str]:
    """A vector or matrix as lines of bracketed rows with aligned columns (see :func:`grid`)."""
    cells = grid(values, precision, rounding)
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    return [
        "[ " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " ]"
        for row in cells
    ]


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


def latex_matrix(values: Any, precision: int, rounding: str | None = None) -> str:
    r"""A vector or matrix as a LaTeX ``bmatrix`` (``rounding`` as in :func:`grid`)."""
    rows = [[_latex_cell(c) for c in row] for row in grid(values, precision, rounding)]
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def fused_note(activation: str, loss: str) -> str:
    """What δ of an output pair whose factors cancel is, and why it is shown so."""
    form = "a Σ_j y_j − y (a − y for one-hot y)" if activation == "softmax" else "a − y"
    return (
        f"{activation} with {loss}: the factors multiply out to δ = {form}; where a rounds "
        "to 0 or 1, ∂ℓ/∂a is huge and f′ is 0 in floating point and their product loses δ, "
        "so δ is this exact form, as training takes it"
    )
