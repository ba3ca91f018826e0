"""The trace as JSON: the ``glassnet.trace/1`` document (docs/trace-format.md).

Numbers keep full float64 precision (Python writes the shortest text that reads
back to the same float).  JSON has no infinity or NaN: a non-finite number,
which only an overflowing step can produce, is written as the string "inf",
"-inf" or "nan".
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite_or_string(value: Any) -> Any:
    """``value`` with every float beyond float64's range written "inf", "-inf" or "nan"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (list, tuple)):
        return [finite_or_string(v) for v in value]
    if isinstance(value, dict):
        return {k: finite_or_string(v) for k, v in value.items()}
    return value


def json_text(value: Any, **options: Any) -> str:
    """``value`` as standard JSON (``json.dumps`` with ``options``), NaN and infinity as strings.

    Python's json writes them ``NaN``, ``Infinity``, which no standard reader takes:
    every JSON glassnet prints or writes goes through here.
    """
    return json.dumps(finite_or_string(value), allow_nan=False, **options)


def render_json(trace: dict[str, Any], precision: int | None = None) -> str:
    """Return the document as one line of JSON and a newline (``precision`` is ignored)."""
    return json_text(trace, ensure_ascii=False) + "\n"
