"""The diagnosis (its ``glassnet.diagnose/1`` dict) as text or Markdown."""

from __future__ import annotations

from typing import Any

from glassnet.diagnose import DEAD_FRACTION, EXPLODING, SATURATION_FRACTION, STEP, VANISHING


def _fraction(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _number(x: float | None) -> str:
    """A figure to 4 digits, or "-" where there is none (a ratio over W = 0)."""
    return "-" if x is None else f"{x:.4g}"


def _norm(x: float | None) -> str:
    """A norm to 4 digits; null in the JSON where it is ∞ or NaN (an overflow, a diverged run)."""
    return "not finite" if x is None else f"{x:.4g}"


def render_text(diagnosis: dict[str, Any]) -> str:
    """The diagnosis for a terminal: a table of the layers, then the findings."""
    lines = [
        "glassnet diagnose",
        "layer  ‖∂L/∂W‖      ‖W‖         ratio       ‖δ‖         saturated  dead   identical units",
    ]
    for f in diagnosis["layers"]:
        lines.append(
            f"{f['index']:<6} {_norm(f['grad_norm']):<11} {_norm(f['weight_norm']):<11} "
            f"{_number(f['ratio']):<11} {_norm(f['delta_norm']):<11} "
            f"{_fraction(f['saturated_fraction']):<10} {_fraction(f['dead_fraction']):<6} "
            f"{f['identical_units'] or '-'}"
        )
    if diagnosis["findings"]:
        lines += ["", "findings:"]
        lines += [f"- {f['id']}: {f['message']}" for f in diagnosis["findings"]]
    else:
        # the thresholds named here, where an installed glassnet's user can read them
        lines += [
            "",
            f"no findings: no gradient vanishes or explodes (the first layer's is within "
            f"{VANISHING:g} to {EXPLODING:g} × the last one's, and none is over {STEP:g} × its "
            "weights), no sigmoid/tanh layer has over "
            f"{SATURATION_FRACTION:.0%} of its units saturated, no relu layer {DEAD_FRACTION:.0%} "
            "or more dead, no unit copies another",
        ]
    return "\n".join(lines) + "\n"


def render_markdown(diagnosis: dict[str, Any]) -> str:
    """The diagnosis as a Markdown table and a list of findings."""
    lines = [
        "## Diagnostics",
        "",
        "| layer | ‖∂L/∂W‖ | ‖W‖ | ratio | ‖δ‖ | saturated | dead | identical units |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for f in diagnosis["layers"]:
        lines.append(
            f"| {f['index']} | {_norm(f['grad_norm'])} | {_norm(f['weight_norm'])} | "
            f"{_number(f['ratio'])} | {_norm(f['delta_norm'])} | "
            f"{_fraction(f['saturated_fraction'])} | {_fraction(f['dead_fraction'])} | "
            f"{f['identical_units'] or ''} |"
        )
    lines.append("")
    lines += [f"- **{f['id']}**: {f['message']}" for f in diagnosis["findings"]] or ["No findings."]
    return "\n".join(lines) + "\n"
