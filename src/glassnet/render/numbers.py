"""How the human-readable renderers write numbers, vectors and matrices."""

from __future__ import annotations

from typing import Any

import numpy as np


def fmt(x: float, precision: int) -> str:
    """``x`` with ``precision`` significant digits; −0 written as 0."""
    if x == 0:
        return "0"
    return f"{x:.{precision}g}"


def grid(values: Any, precision: int) -> list[list[str]]:
    """A vector or matrix as rows of formatted cells (a vector is one row)."""
    arr = np.atleast_2d(np.asarray(values, dtype=np.float64))
    return [[fmt(float(x), precision) for x in row] for row in arr]


def text_matrix(values: Any, precision: int) -> list[str]:
    """A vector or matrix as lines of bracketed rows with aligned columns."""
    cells = grid(values, precision)
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    return [
        "[ " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " ]"
        for row in cells
    ]


def latex_matrix(values: Any, precision: int) -> str:
    r"""A vector or matrix as a LaTeX ``bmatrix``."""
    rows = grid(values, precision)
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"
