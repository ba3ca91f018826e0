"""Renderers: a trace (its ``glassnet.trace/1`` dict) as text, Markdown, JSON or HTML.

Each renderer takes the plain dict of :meth:`glassnet.trace.Trace.to_dict` and
returns a string; none of them computes a number of the step (the numbers shown are
the trace's; :func:`glassnet.render.numbers.shown_trace` only shows as 0 those that are
the rounding residue of a sum that cancels).

Format ``name``'s renderer is ``render_<name>`` of the module ``glassnet.render.<name>``,
imported when first asked for (:func:`get_renderer`, or the names below): a command
that writes one format (``glassnet explain``) does not import the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

FORMATS = ("text", "markdown", "json", "html")

__all__ = [
    "FORMATS",
    "RENDERERS",
    "get_renderer",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
]


def get_renderer(name: str) -> Callable[..., str]:
    """The renderer of format ``name`` (one of :data:`FORMATS`), imported now.

    Parameters
    ----------
    name : str
        ``"text"``, ``"markdown"``, ``"json"`` or ``"html"``.

    Returns
    -------
    callable
        ``render(trace_dict, **options) -> str``.
    """
    if name not in FORMATS:
        from glassnet.errors import ArgumentError, unknown_name

        raise ArgumentError(unknown_name("format", name, FORMATS))
    return getattr(importlib.import_module(f"glassnet.render.{name}"), f"render_{name}")


def __getattr__(name: str) -> Any:
    if name == "RENDERERS":  # every format's renderer, by name
        return {fmt: get_renderer(fmt) for fmt in FORMATS}
    if name.startswith("render_") and name[len("render_") :] in FORMATS:
        return get_renderer(name[len("render_") :])
    raise AttributeError(f"module 'glassnet.render' has no attribute {name!r}")


if TYPE_CHECKING:
    from glassnet.render.html import render_html
    from glassnet.render.json import render_json
    from glassnet.render.markdown import render_markdown
    from glassnet.render.text import render_text

    RENDERERS: dict[str, Callable[..., str]]
