"""The trace as one self-contained HTML page to step through (no network when opened).

KaTeX (the npm package ``katex``; its MIT licence beside it, and in a comment of the
page as it asks) and the page's own script are inlined from files shipped in
``glassnet/render/assets``; equations are typeset as MathML, which browsers draw without
fonts to fetch. The page recomputes the step in JavaScript from the numbers it carries,
so input, target and weights can be edited.

Stable hooks for tests and scripts: one element per unit with ``data-unit="L:j"`` (L
from 0 for the input, j from 1) holding elements with ``data-key`` (x, z, a, delta) and,
once computed at the current stage, ``data-value`` (full precision); one element per
weight with ``data-weight="L:i:j"``; controls with ``data-action="next"``/``"prev"``;
the root element's ``data-stage``.

The page computes only what explain.js implements (:data:`PAGE_ACTIVATIONS`,
:data:`PAGE_LOSSES`, glassnet's own); a trace of an activation or a loss registered
from Python is refused (:func:`page_refusal`): text, Markdown and JSON show it.
"""

from __future__ import annotations

import html
import math
from importlib import resources
from typing import Any

from glassnet.errors import ArgumentError
from glassnet.network import PROBABILITY_RANGE, PROBABILITY_TARGETS
from glassnet.render.check import NOTHING_CHECKED
from glassnet.render.json import json_text
from glassnet.render.numbers import written_note

# what explain.js computes (the names of its ACT and LATEX tables, softmax computed
# apart, and of LOSS): glassnet's own; a test holds the script's tables to these names
PAGE_ACTIVATIONS = frozenset(
    ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "softmax")
)
PAGE_LOSSES = frozenset(
    (
        "half_squared_error",
        "squared_error",
        "mean_squared_error",
        "binary_cross_entropy",
        "cross_entropy",
    )
)


def page_refusal(trace: dict[str, Any]) -> str | None:
    """Why the page cannot compute ``trace``'s step, naming what it lacks; None where it can.

    The page recomputes the step in JavaScript, which knows only glassnet's own
    activations and losses, not one registered from Python.
    """
    unknown = [
        f"activation '{layer['activation']}' (layer {layer['index']})"
        for layer in trace["layers"]
        if layer["activation"] not in PAGE_ACTIVATIONS
    ]
    if trace["loss_name"] not in PAGE_LOSSES:
        unknown.append(f"loss '{trace['loss_name']}'")
    if not unknown:
        return None
    names = ", ".join(unknown[:-1]) + " or " + unknown[-1] if len(unknown) > 1 else unknown[0]
    return (
        "the explain page computes glassnet's own activations and losses only, in "
        f"JavaScript: not {names}"
    )


def _asset(name: str) -> str:
    return resources.files("glassnet.render").joinpath("assets", name).read_text("utf-8")


def _json_for_script(value: Any) -> str:
    # numbers beyond float64 as "inf", "-inf", "nan", as in the JSON trace (the page
    # reads them back); inside <script> only "</" could end the element early
    text = json_text(value)
    return text.replace("</", "<\\/")


def render_html(
    trace: dict[str, Any],
    precision: int = 6,
    *,
    title: str = "one training step",
    check: dict[str, Any] | None = None,
    weights_layout: str = "in_out",
) -> str:
    """One HTML page that steps through the trace; ``check`` marks claimed values.

    Parameters
    ----------
    trace : dict
        A ``glassnet.trace/1`` document.
    precision : int
        Unused (the page shows 5 significant digits, ``data-value`` full precision).
    title : str
    check : dict, optional
        A ``glassnet.check/1`` document whose findings mark the units' values.
    weights_layout : {"in_out", "out_in"}
        How the spec wrote its matrices; for out_in the page shows them so, W a row per
        unit and z = W a + b with vectors as columns, and says so first (the document
        holds them in_out: the page transposes what it shows and what is edited).

    Raises
    ------
    ArgumentError
        Where the trace has an activation or a loss the page cannot compute
        (:func:`page_refusal`).
    """
    if (why := page_refusal(trace)) is not None:
        raise ArgumentError(
            f"{why}; show the step as text, Markdown or JSON (--format text, markdown or json)"
        )
    summary, written_as = "", ""
    if note := written_note(weights_layout, "as columns"):  # shown W x, as the person wrote it
        summary = f'<p class="layout-note">{html.escape(note)}</p>'
        written_as = ' data-weights="w_x"'
    if check is not None:
        s = check["summary"]
        counts = (
            f"{s['claims']} claim{'s' if s['claims'] != 1 else ''}, {s['right']} right, "
            f"{s['wrong']} wrong, {s['carried']} carried"
            if s["claims"]
            else html.escape(NOTHING_CHECKED)
        )
        summary += (
            f'<p class="worksheet">Your worksheet: {counts}.</p><ul class="worksheet">'
            + "".join(
                f'<li class="{html.escape(f["status"])}">{html.escape(f["message"])}</li>'
                for f in check["findings"]  # every claim, in the order of the step
            )
            + "</ul>"
        )
    buttons = "".join(
        f'<button type="button" data-action="{a}">{label}</button>'
        for a, label in (
            ("prev", "◀ Previous"),
            ("forward", "Forward"),
            ("loss", "Loss"),
            ("backward", "Backward"),
            ("update", "Update"),
            ("next", "Next ▶"),
        )
    )
    check_json = _json_for_script(check) if check else ""
    # the rules of a spec the page's edits keep (a cross-entropy's targets and outputs)
    bounds = PROBABILITY_RANGE.get(trace["loss_name"])
    rules = {"targets": trace["loss_name"] in PROBABILITY_TARGETS}
    if bounds is not None:
        rules |= {"low": bounds[0], "high": bounds[1] if bounds[1] < math.inf else None}
    return f"""<!doctype html>
<html lang="en" data-stage="forward-1"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>glassnet: {html.escape(title)}</title>
<style>{_asset("explain.css")}</style>
</head><body>
<div id="glassnet" data-stage="forward-1"{written_as}>
<header><h1>glassnet — {html.escape(title)}</h1>
<p>Step through the forward pass, the loss, the backward pass and the update (buttons or
← →). Click a weight for its gradient along every path, a unit for how its δ was formed.
Edit the input, target or weights below: the whole step recomputes.</p>{summary}</header>
<nav id="controls" aria-label="steps">{buttons}<select id="example" aria-label="example"></select>
<span id="stage-name" aria-live="polite"></span></nav>
<main><div id="net-box"><svg id="net" role="img" aria-label="the network"></svg></div>
<aside><section id="equation" aria-live="polite"></section>
<section id="detail"></section></aside></main>
<section id="editors" aria-label="edit the numbers"></section>
</div>
<script type="application/json" id="glassnet-trace">{_json_for_script(trace)}</script>
<script type="application/json" id="glassnet-check">{check_json}</script>
<script type="application/json" id="glassnet-rules">{_json_for_script(rules)}</script>
<!-- KaTeX (https://katex.org), inlined below; its licence asks copies to carry this notice:

{_asset("KATEX-LICENSE")}-->
<script>{_asset("katex.min.js")}</script>
<script>{_asset("explain.js")}</script>
</body></html>
"""
