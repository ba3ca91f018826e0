"""How the human-readable renderers write numbers, vectors and matrices."""

from __future__ import annotations

from typing import Any

import numpy as np


def fmt(x: float, precision: int) -> str:
    """``x`` with ``precision`` significant digits; −0 written as 0."""
    if x == 0:
        return "0"
    return f"{x:.{precision}g}"


# below this fraction of the largest number of its array, a number is float rounding
ROUNDING = 1e-12


def grid(values: Any, precision: int) -> list[list[str]]:
    """A vector or matrix as rows of formatted cells (a vector is one row).

    A sum that is 0 in exact arithmetic (δ_a W_1j − δ_a W_1j' with W_1j = W_1j') comes
    out of float64 as ~1e-17 beside numbers of order 1e-2; such a number, below
    :data:`ROUNDING` of the largest in its array, is written 0. The JSON trace keeps
    every digit.
    """
    arr = np.atleast_2d(np.asarray(values, dtype=np.float64))
    finite = np.abs(arr[np.isfinite(arr)])
    noise = ROUNDING * float(finite.max()) if finite.size else 0.0
    return [[fmt(0.0 if abs(x) < noise else float(x), precision) for x in row] for row in arr]


def text_matrix(values: Any, precision: int) -> list[str]:
    """A vector or matrix as lines of bracketed rows with aligned columns."""
    cells = grid(values, precision)
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    return [
        "[ " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " ]"
        for row in cells
    ]


def latex_number(x: float, precision: int) -> str:
    r"""``x`` as :func:`fmt` writes it, with an exponent as ``\times 10^{e}`` in LaTeX."""
    return _latex_cell(fmt(float(x), precision))


def _latex_cell(text: str) -> str:
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def latex_matrix(values: Any, precision: int) -> str:
    r"""A vector or matrix as a LaTeX ``bmatrix``."""
    rows = [[_latex_cell(c) for c in row] for row in grid(values, precision)]
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"
