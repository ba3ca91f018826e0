"""The trace as Markdown with LaTeX ($$…$$), as GitHub and Jupyter render it.

Each equation is written first in symbols, then with the numbers substituted.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from glassnet.activations import ACTIVATIONS, tex_name
from glassnet.losses import FUSED, LOSSES
from glassnet.network import frobenius_norm
from glassnet.render.numbers import (
    DEFAULT_RATE,
    fmt,
    fused_note,
    latex_matrix,
    latex_number,
    layout_note,
    saturated_note,
    saturated_rows,
    shown_trace,
    significant_digits,
    terms_of,
    written_note,
)

DL_DA = r"\frac{\partial \ell}{\partial a^{[%d]}}"


def _sup(name: str, l: int) -> str:
    return f"{name}^{{[{l}]}}"


def _eq(lines: list[str], *parts: str) -> None:
    lines.append("$$" + " = ".join(parts) + "$$")
    lines.append("")


def _with_z(latex: str, z: str) -> str:
    """Put ``z`` for the variable z of a formula (not for a z inside a word or a name)."""
    parts = re.split(r"(\\mathrm\{[^}]*\})", latex)  # a name such as \mathrm{z\_swish}
    return "".join(
        part
        if part.startswith(r"\mathrm{")
        else re.sub(r"(?<![A-Za-z\\])z(?![A-Za-z])", lambda _: z, part)
        for part in parts
    )


def _transpose(values: Any) -> np.ndarray:
    return np.atleast_2d(np.asarray(values, dtype=np.float64)).T


def _heading(trace: dict, note: str, eta: str, default_rate: bool = False) -> list[str]:
    """The step's title and its network in a line; first ``note`` (how W is shown), if any."""
    layers = trace["layers"]
    return [
        *(["> " + note, ""] if note else []),
        "## One step of gradient descent",
        "",
        f"Network {len(trace['input'][0])} → "
        + " → ".join(f"{len(layer['b'])} ({layer['activation']})" for layer in layers)
        + f"; loss `{trace['loss_name']}`; batch of m = {len(trace['input'])}; "
        f"learning rate $\\eta = {eta}$" + (f" ({DEFAULT_RATE})." if default_rate else "."),
        "",
    ]


def render_markdown(
    trace: dict[str, Any],
    precision: int = 6,
    *,
    weights_layout: str = "in_out",
    default_rate: bool = False,
) -> str:
    """Explain one training step in Markdown with LaTeX.

    Parameters
    ----------
    trace : dict
        A ``glassnet.trace/1`` document.
    precision : int
        Significant digits of every number shown.
    weights_layout : {"in_out", "out_in"}
        How the spec wrote its matrices. For out_in they are shown so, W a row per unit
        (the document holds them in_out: transposed here), with a and δ as columns, one
        per example, so that every product with its numbers reads as written (W a + b,
        Wᵀ δ, δ aᵀ); a first quoted line says so.
    default_rate : bool
        Whether η is glassnet's default, the spec setting none (said beside it).
    """
    p = significant_digits(precision)  # (as given to trace.to_text(), checked there too)
    trace = shown_trace(trace)  # float residue of a sum that is 0 written 0
    M = lambda values: latex_matrix(values, p)  # noqa: E731 - a local shorthand
    w_x = weights_layout == "out_in"

    def S(values: Any) -> str:  # noqa: N802 - for W x every array is shown transposed:
        return M(_transpose(values)) if w_x else M(values)  # W as written, a and δ columns

    layers = trace["layers"]
    L = len(layers)
    m = len(trace["input"])
    eta = latex_number(trace["learning_rate"], p)
    loss = LOSSES.get(trace["loss_name"])
    note = written_note(weights_layout, "as columns (one per example)")
    out = _heading(trace, note, eta, default_rate)
    _eq(out, _sup("a", 0), "x", S(trace["input"]))
    _eq(out, "y", S(trace["target"]))

    out += ["### 1. Forward", ""]
    for layer in layers:
        l, act = layer["index"], layer["activation"]
        info = ACTIVATIONS.get(act)
        out += [f"**Layer {l}** ({act})", ""]
        a_prev = S(trace["input"] if l == 1 else layers[l - 2]["a"])
        _eq(
            out,
            _sup("z", l),
            f"{_sup('W', l)} {_sup('a', l - 1)} + {_sup('b', l)}"
            if w_x
            else f"{_sup('a', l - 1)} {_sup('W', l)} + {_sup('b', l)}",
            (f"{S(layer['W'])} {a_prev}" if w_x else f"{a_prev} {S(layer['W'])}")
            + f" + {S(layer['b'])}",
            S(layer["z"]),
        )
        _eq(
            out,
            _sup("a", l),
            rf"\mathrm{{{tex_name(act)}}}({_sup('z', l)})",
            *([_with_z(info.latex, _sup("z", l))] if info and not info.jacobian else []),
            S(layer["a"]),
        )

    out += ["### 2. Loss", ""]
    if loss is not None:
        _eq(out, r"\ell(a, y)", loss.latex)
    terms = terms_of(trace)
    if terms is not None:  # the summands a worksheet writes, one per output unit
        _eq(out, r"\ell = \sum_j t_j,\quad t", S(terms))
    _eq(
        out,
        r"L",
        rf"\frac{{1}}{{m}}\sum_{{k=1}}^{{m}} \ell\bigl(a^{{[{L}](k)}}, y^{{(k)}}\bigr)",
        latex_number(trace["loss"], p),
    )

    out += ["### 3. Backward", ""]
    for layer in reversed(layers):
        l, act = layer["index"], layer["activation"]
        info = ACTIVATIONS.get(act)
        out += [f"**Layer {l}** ({act}{', output' if l == L else ''})", ""]
        if l == L:
            _eq(
                out, r"\frac{\partial \ell}{\partial a_j}", *([loss.latex_gradient] if loss else [])
            )
            _eq(out, DL_DA % l, S(layer["dL_da"]))
        else:
            W_next, delta_next = layers[l]["W"], S(layers[l]["delta"])
            _eq(
                out,
                DL_DA % l,
                rf"W^{{[{l + 1}]\top}} \delta^{{[{l + 1}]}}"
                if w_x
                else rf"\delta^{{[{l + 1}]}} W^{{[{l + 1}]\top}}",
                # (the spec's W x matrix transposed is the trace's own)
                f"{M(W_next)} {delta_next}" if w_x else f"{delta_next} {M(_transpose(W_next))}",
                S(layer["dL_da"]),
            )
        if info is not None and info.jacobian:
            _eq(out, info.latex_derivative)  # J_ij = ∂a_i/∂z_j, the activation's own
            for k, J in enumerate(layer["da_dz"], start=1):
                who = f"^{{({k})}}" if m > 1 else ""
                _eq(
                    out,
                    rf"J{who}",
                    rf"\frac{{\partial a^{{[{l}]}}}}{{\partial z^{{[{l}]}}}}",
                    M(J),
                )
            _eq(
                out,
                rf"\delta^{{[{l}]}}_j",
                rf"\sum_i \frac{{\partial \ell}}{{\partial a^{{[{l}]}}_i}} J_{{ij}}",
                S(layer["delta"]),
            )
        else:
            _eq(
                out,
                rf"f'({_sup('z', l)})",
                *([_with_z(info.latex_derivative, _sup("z", l))] if info else []),
                S(layer["da_dz"]),
            )
            _eq(
                out,
                rf"\delta^{{[{l}]}}",
                rf"{DL_DA % l} \odot f'({_sup('z', l)})",
                rf"{S(layer['dL_da'])} \odot {S(layer['da_dz'])}",
                S(layer["delta"]),
            )

    if (layers[-1]["activation"], trace["loss_name"]) in FUSED:
        out += [f"({fused_note(layers[-1]['activation'], trace['loss_name'])}.)", ""]
    elif rows := saturated_rows(trace):
        out += [f"({saturated_note(rows)}.)", ""]

    out += ["### 4. Gradients", ""]
    for layer in reversed(layers):
        l = layer["index"]
        a_prev = trace["input"] if l == 1 else layers[l - 2]["a"]
        _eq(
            out,
            rf"\frac{{\partial L}}{{\partial W^{{[{l}]}}}}",
            rf"\frac{{1}}{{m}} \delta^{{[{l}]}} a^{{[{l - 1}]\top}}"
            if w_x
            else rf"\frac{{1}}{{m}} a^{{[{l - 1}]\top}} \delta^{{[{l}]}}",
            # a batch's rows are the transpose of its columns: M(a_prev) is aᵀ for W x
            rf"\frac{{1}}{{{m}}} {S(layer['delta'])} {M(a_prev)}"
            if w_x
            else rf"\frac{{1}}{{{m}}} {M(_transpose(a_prev))} {M(layer['delta'])}",
            S(layer["grad_W"]),
        )
        _eq(
            out,
            rf"\frac{{\partial L}}{{\partial b^{{[{l}]}}}}",
            rf"\frac{{1}}{{m}} \sum_k \delta^{{[{l}](k)}}",
            S(layer["grad_b"]),
        )

    out += ["### 5. Update", ""]
    for layer in layers:
        l = layer["index"]
        for name, grad in (("W", "grad_W"), ("b", "grad_b")):
            _eq(
                out,
                rf"{_sup(name, l)} \leftarrow {_sup(name, l)} - \eta "
                rf"\frac{{\partial L}}{{\partial {_sup(name, l)}}}",
                rf"{S(layer[name])} - {eta} {S(layer[grad])}",
                S(layer[f"{name}_new"]),
            )

    out += ["### 6. Loss after the step", ""]
    _eq(out, r"L_{\text{after}}", latex_number(trace["loss_after"], p))
    return "\n".join(out)


def render_markdown_summary(
    trace: dict[str, Any],
    why: str,
    *,
    weights_layout: str = "in_out",
    default_rate: bool = False,
) -> str:
    """The step in brief, for a notebook where the whole of it is too large to typeset.

    The network, the loss before and after the step and, per layer, the shape of W and
    the norms of W, its gradient and the step taken, the range of a; then ``why``
    (what made the whole too large) and how to get every number.

    Parameters
    ----------
    trace : dict
        A ``glassnet.trace/1`` document.
    why : str
        What is too large, e.g. "W of layer 1 is 64 × 128".
    weights_layout : {"in_out", "out_in"}
        How the spec wrote its matrices: for out_in a first quoted line says the table shows
        W as x W, transposed (its shapes are n_in × n_out).
    default_rate : bool
        As :func:`render_markdown`.
    """
    p = 4  # figures to compare, not to recompute from
    layers = trace["layers"]
    eta = latex_number(trace["learning_rate"], p)
    out = _heading(trace, layout_note(weights_layout), eta, default_rate)
    out += [
        f"Loss $L = {latex_number(trace['loss'], p)}$ before the step, "
        rf"$L_{{\text{{after}}}} = {latex_number(trace['loss_after'], p)}$ after it.",
        "",
        "| layer | activation | W | ‖W‖ | ‖∂L/∂W‖ | ‖∂L/∂b‖ | ‖ΔW‖ / ‖W‖ | a from | a to |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in layers:
            W, a = np.asarray(layer["W"], dtype=np.float64), np.asarray(layer["a"])
            size, step = frobenius_norm(W), frobenius_norm(np.subtract(layer["W_new"], W))
            # a zero W that takes a step grows without bound relative to itself: ∞ (nan
            # only where there is no step either)
            ratio = fmt(step / size, p) if size else "∞" if step > 0 else "nan"
            cells = [
                str(layer["index"]),
                f"`{layer['activation']}`",
                f"{W.shape[0]} × {W.shape[1]}",
                *(
                    fmt(x, p)
                    for x in (
                        size,
                        frobenius_norm(layer["grad_W"]),
                        frobenius_norm(layer["grad_b"]),
                    )
                ),
                ratio,
                fmt(float(np.min(a)), p),
                fmt(float(np.max(a)), p),
            ]
            out.append("| " + " | ".join(cells) + " |")
    from glassnet.render.html import page_refusal

    page = (
        ""  # the page computes glassnet's own activations and losses only
        if page_refusal(trace)
        else ", and `glassnet explain net.toml --format html -o step.html` the step as a "
        'page (`glassnet.export_spec(network, "net.toml", X, Y, '
        f"learning_rate={float(trace['learning_rate'])!r})` writes this step's spec)"
    )
    out += [
        "",
        f"*A summary: the whole step is too large to typeset here ({why}). "
        "`.to_markdown()` gives every equation, `print(trace.to_text())` every number as "
        f"text, `.to_dict()` every number at full precision{page}.*",
    ]
    return "\n".join(out) + "\n"
