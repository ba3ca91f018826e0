"""Renderers: a trace (its ``glassnet.trace/1`` dict) as text, Markdown, JSON or HTML.

Each renderer takes the plain dict of :meth:`glassnet.trace.Trace.to_dict` and
returns a string; none of them computes a number of the step (the numbers shown are
the trace's; :func:`glassnet.render.numbers.shown_trace` only shows as 0 those that are
the rounding residue of a sum that cancels).
"""

from glassnet.render.html import render_html
from glassnet.render.json import render_json
from glassnet.render.markdown import render_markdown
from glassnet.render.text import render_text

RENDERERS = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
}

__all__ = ["RENDERERS", "render_html", "render_json", "render_markdown", "render_text"]
