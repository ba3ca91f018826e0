"""The check report (its ``glassnet.check/1`` dict) as text, Markdown or JSON."""

from __future__ import annotations

from typing import Any

from glassnet.render.json import json_text

COLORS = {"right": "\033[32m", "carried": "\033[33m", "wrong": "\033[31m"}
RESET = "\033[0m"
MARKS = {"right": "✓", "carried": "~", "wrong": "✗"}


# an empty file, or a template not filled in: exit 0, as every claim (none) is right,
# but "0 claims: 0 right" would read as a pass
NOTHING_CHECKED = (
    "0 claims: the claims file holds no numbers (only blanks, or nothing), so nothing was checked"
)


def _summary(report: dict[str, Any]) -> str:
    s = report["summary"]
    n = s["claims"]
    if n == 0:
        return NOTHING_CHECKED
    line = f"{n} claim{'s' if n != 1 else ''}: {s['right']} right, {s['wrong']} wrong, "
    line += f"{s['carried']} carried"
    first = next((f for f in report["findings"] if f["status"] == "wrong"), None)
    if first is not None:  # its message starts with where it is, as the person wrote it
        line += f"; the first error entered at {first['message'].split(':', 1)[0]}"
    return line


def render_check_text(report: dict[str, Any], color: bool = False) -> str:
    """One line per claim, marked ✓ right, ~ carried, ✗ wrong; colour at a terminal."""
    lines = ["glassnet check: " + _summary(report)]
    for f in report["findings"]:
        mark = MARKS[f["status"]]
        if color:
            mark = COLORS[f["status"]] + mark + RESET
        lines.append(f"{mark} {f['message']}")
    return "\n".join(lines) + "\n"


def render_check_markdown(report: dict[str, Any], color: bool = False) -> str:
    """A table of the claims with their status and diagnosis."""
    lines = ["## Check of a hand calculation", "", _summary(report) + "."]
    if not report["findings"]:  # no table of no rows
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "| | where | you wrote | correct | diagnosis | |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for f in report["findings"]:
        # where as the text says it (z[1] of one example); the number as written, to its
        # last digit, and the correct one to a digit more (6 at least, 17 at most)
        where, note = f["message"].split(": ", 1)
        note = note.replace("|", "\\|")
        claimed = f["written"]
        mantissa = claimed.lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0")
        digits = min(17, max(6, len(mantissa) + 1))
        lines.append(
            f"| {MARKS[f['status']]} {f['status']} | {where} | {claimed} | "
            f"{f['correct']:.{digits}g} | {', '.join(f['diagnosis'])} | "
            f"{note} |"
        )
    return "\n".join(lines) + "\n"


def render_check_json(report: dict[str, Any], color: bool = False) -> str:
    """The ``glassnet.check/1`` document on one line; "inf", "-inf", "nan" as strings.

    JSON has no infinity or NaN: a step that overflows (or a person's numbers that do)
    writes them as the trace does.
    """
    return json_text(report, ensure_ascii=False) + "\n"


RENDERERS = {
    "text": render_check_text,
    "markdown": render_check_markdown,
    "json": render_check_json,
}
