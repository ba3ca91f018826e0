"""Renderers: a trace (its ``glassnet.trace/1`` dict) as text, Markdown, JSON or HTML.

Each renderer takes the plain dict of :meth:`glassnet.trace.Trace.to_dict` and
returns a string; none of them computes a number of the step (the numbers shown are
the trace's; :func:`glassnet.render.numbers.shown_trace` only shows as 0 those that are
the rounding residue of a sum that cancels).

Format ``name``'s renderer is ``render_<name>`` of the module ``glassnet.render.<name>``,
imported when first asked for (:func:`get_renderer`, or the names below): a command
that writes one format (``glassnet explain``) does not import the others.
"""

import importlib as _importlib
import typing as _typing
from collections.abc import Callable as _Callable

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


def get_renderer(name: str) -> _Callable[..., str]:
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
    return getattr(_importlib.import_module(f"glassnet.render.{name}"), f"render_{name}")


# the package's modules: the formats' and these, attributes of it once asked for
_SUBMODULES = (*FORMATS, "check", "diagnose", "numbers", "plots")


def __getattr__(name: str) -> _typing.Any:
    if name == "RENDERERS":  # every format's renderer, by name (one dict, kept)
        value: _typing.Any = {fmt: get_renderer(fmt) for fmt in FORMATS}
    elif name.startswith("render_") and name[len("render_") :] in FORMATS:
        value = get_renderer(name[len("render_") :])
    elif name in _SUBMODULES:
        return _importlib.import_module(f"glassnet.render.{name}")
    else:
        raise AttributeError(f"module 'glassnet.render' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    dunders = [name for name in globals() if name.startswith("__")]
    return sorted({*__all__, *_SUBMODULES, *dunders})


if _typing.TYPE_CHECKING:
    from glassnet.render.html import render_html
    from glassnet.render.json import render_json
    from glassnet.render.markdown import render_markdown
    from glassnet.render.text import render_text

    RENDERERS: dict[str, _Callable[..., str]]
