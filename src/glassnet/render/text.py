"""The trace for a terminal: one section per stage of the step, in order.

Forward (z, a of each layer), loss, backward from the output layer down with
every chain-rule factor (∂ℓ/∂a, f'(z) or the softmax Jacobian, δ), gradients,
updated parameters, loss after the step.
"""

from __future__ import annotations

import textwrap
from typing import Any

from glassnet.activations import ACTIVATIONS
from glassnet.losses import FUSED, LOSSES
from glassnet.render.numbers import (
    DEFAULT_RATE,
    fmt,
    fused_note,
    saturated_note,
    saturated_rows,
    shown_trace,
    significant_digits,
    terms_of,
    text_blocks,
    text_matrix,
    written_note,
)

INDENT = "    "
WIDTH = 80  # a terminal's columns: longer lines are wrapped, wide matrices cut in blocks


def _heading(title: str) -> str:
    return f"\n== {title} " + "=" * max(3, 68 - len(title))


def _value(lines: list[str], label: str, values: Any, precision: int) -> None:
    """``label = [ ... ]`` with further rows aligned under the first.

    Where that runs past :data:`WIDTH` columns, the rows go under the label, and where
    a row alone does, in blocks of whole columns ("columns 1–7 of 50").
    """
    rows = text_matrix(values, precision)
    head = f"{INDENT}{label} = "
    if len(head) + len(rows[0]) <= WIDTH:
        lines.append(head + rows[0])
        lines.extend(" " * len(head) + row for row in rows[1:])
        return
    lines.append(f"{INDENT}{label} =")
    inner = INDENT * 2
    blocks = text_blocks(values, precision, WIDTH - len(inner))
    for first, last, block in blocks:
        if len(blocks) > 1:
            n = blocks[-1][1]
            lines.append(
                f"{inner}columns {first}–{last} of {n}:"
                if last > first
                else f"{inner}column {first} of {n}:"
            )
        lines.extend(inner + row for row in block)


def _prose(lines: list[str], text: str, indent: str = "") -> None:
    """``text`` wrapped at :data:`WIDTH` columns, each line after the first indented 2 more."""
    lines.extend(textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  "))


def _jacobians(lines: list[str], label: str, jac: list, precision: int) -> None:
    for k, J in enumerate(jac, start=1):
        _value(lines, f"{label} (example {k})" if len(jac) > 1 else label, J, precision)


def render_text(
    trace: dict[str, Any],
    precision: int = 6,
    *,
    weights_layout: str = "in_out",
    default_rate: bool = False,
) -> str:
    """Explain one training step in plain text.

    Parameters
    ----------
    trace : dict
        A ``glassnet.trace/1`` document.
    precision : int
        Significant digits of every number shown.
    weights_layout : {"in_out", "out_in"}
        How the spec wrote its matrices. For out_in they are shown so, W a row per unit
        (the document holds them in_out: transposed here), and the equations are W a + b,
        Wᵀ δ and δ aᵀ, a first line saying so; a and δ stay rows, as a worksheet writes them.
    default_rate : bool
        Whether η is glassnet's default, the spec setting none (said beside it).
    """
    p = significant_digits(precision)  # (as given to trace.to_text(), checked there too)
    trace = shown_trace(trace)  # float residue of a sum that is 0 written 0
    layers = trace["layers"]
    L = len(layers)
    m = len(trace["input"])
    eta = trace["learning_rate"]
    sizes = [len(trace["input"][0])] + [len(layer["b"]) for layer in layers]
    loss = LOSSES.get(trace["loss_name"])

    w_x = weights_layout == "out_in"  # the person wrote W x: so are W and the equations
    note = written_note(weights_layout, "as rows (one per example)")

    def shown(W: Any) -> Any:
        return [list(row) for row in zip(*W, strict=True)] if w_x else W

    out: list[str] = []
    if note:
        _prose(out, "note: " + note)
    out.append("glassnet explain: one step of gradient descent, every number")
    line = f"network: {sizes[0]}"  # wrapped between layers, never inside one
    for n, layer in zip(sizes[1:], layers, strict=True):
        part = f"{n} {layer['activation']}"
        if len(line) + len(" → ") + len(part) + len(" →") > WIDTH:  # (room for its arrow)
            out.append(line + " →")
            line = "  " + part
        else:
            line += " → " + part
    out.append(line)
    out += [
        f"loss: {trace['loss_name']}" + (f", ℓ = {loss.text}" if loss else ""),
        f"batch loss: L = mean of ℓ over m = {m} example{'s' if m != 1 else ''}",
        f"η = {fmt(eta, p)}" + (f" ({DEFAULT_RATE})" if default_rate else ""),
    ]
    _value(out, "a0 = x", trace["input"], p)
    _value(out, "y", trace["target"], p)

    out.append(_heading(f"1. Forward: z = {'W a_prev' if w_x else 'a_prev W'} + b, a = f(z)"))
    for layer in layers:
        l, act = layer["index"], layer["activation"]
        info = ACTIVATIONS.get(act)
        out.append(f"Layer {l} ({act})")
        _value(out, f"W{l}", shown(layer["W"]), p)
        _value(out, f"b{l}", layer["b"], p)
        product = f"W{l} a{l - 1}" if w_x else f"a{l - 1} W{l}"
        _value(out, f"z{l} = {product} + b{l}", layer["z"], p)
        label = f"a{l} = {act}(z{l})" + (f", {info.text}" if info else "")
        _value(out, label, layer["a"], p)

    out.append(_heading("2. Loss"))
    out.append(f"{INDENT}ℓ = {loss.text if loss else trace['loss_name']}")
    terms = terms_of(trace)
    if terms is not None:  # the summands a worksheet writes, one per output unit
        rows = ", a row per example" if m > 1 else ""
        _value(out, f"ℓ = Σ_j t_j, its terms t_j{rows}", terms, p)
    out.append(f"{INDENT}L = (1/m) Σ ℓ = {fmt(trace['loss'], p)}")

    out.append(_heading("3. Backward: δ = ∂ℓ/∂z, from the output layer down"))
    for layer in reversed(layers):
        l, act = layer["index"], layer["activation"]
        info = ACTIVATIONS.get(act)
        out.append(f"Layer {l} ({act}{', output' if l == L else ''})")
        if l == L:
            grad = f", ∂ℓ/∂a_j = {loss.text_gradient}" if loss else ""
            _value(out, f"∂ℓ/∂a{l}{grad}", layer["dL_da"], p)
        else:
            _value(
                out,
                f"∂ℓ/∂a{l} = {f'W{l + 1}ᵀ δ{l + 1}' if w_x else f'δ{l + 1} W{l + 1}ᵀ'} "
                f"(every path through layer {l + 1})",
                layer["dL_da"],
                p,
            )
        if info is not None and info.jacobian:
            _jacobians(out, f"∂a{l}/∂z{l} = J, {info.text_derivative}", layer["da_dz"], p)
            _value(out, f"δ{l}, δ_j = Σ_i ∂ℓ/∂a_i J_ij", layer["delta"], p)
        else:
            deriv = f" = {info.text_derivative}" if info else ""
            _value(out, f"f'(z{l}){deriv}", layer["da_dz"], p)
            _value(out, f"δ{l} = ∂ℓ/∂a{l} ⊙ f'(z{l})", layer["delta"], p)
        if l == L and (act, trace["loss_name"]) in FUSED:
            _prose(out, f"({fused_note(act, trace['loss_name'])})", INDENT)
        elif l == L and (rows := saturated_rows(trace)):
            _prose(out, f"({saturated_note(rows)})", INDENT)

    out.append(_heading("4. Gradients of the batch loss"))
    for layer in reversed(layers):
        l = layer["index"]
        out.append(f"Layer {l}")
        product = f"δ{l} a{l - 1}ᵀ" if w_x else f"a{l - 1}ᵀ δ{l}"
        _value(out, f"∂L/∂W{l} = {product} / m", shown(layer["grad_W"]), p)
        _value(out, f"∂L/∂b{l} = (1/m) Σ δ{l}", layer["grad_b"], p)

    out.append(_heading(f"5. Update: θ ← θ − η ∂L/∂θ, η = {fmt(eta, p)}"))
    for layer in layers:
        l = layer["index"]
        out.append(f"Layer {l}")
        _value(out, f"W{l} ← W{l} − η ∂L/∂W{l}", shown(layer["W_new"]), p)
        _value(out, f"b{l} ← b{l} − η ∂L/∂b{l}", layer["b_new"], p)

    out.append(_heading("6. Loss after the step"))
    change = trace["loss_after"] - trace["loss"]
    _prose(
        out,
        f"L = {fmt(trace['loss_after'], p)}  (before {fmt(trace['loss'], p)}, "
        f"change {fmt(change, p)})",
        INDENT,
    )
    return "\n".join(out) + "\n"
