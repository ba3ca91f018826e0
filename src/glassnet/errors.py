"""The errors glassnet raises for bad input.

Every mistake in what a person gives glassnet (a spec file, a command-line
argument, an argument of the Python API) raises a :class:`GlassnetError`
whose message names where the mistake is and what was expected.  The command
line prints that message on one line and exits with code 2.  A file a person wrote
(a spec, claims) is read by :func:`read_user_text`, which says so when it cannot be.
"""

from __future__ import annotations

import codecs
import difflib
import inspect
import math
import numbers
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np


class GlassnetError(Exception):
    """Base class of every error glassnet raises for bad input."""


class InputError(GlassnetError, ValueError):
    """A mistake at a place in a file: ``"path: where: message"``.

    Parameters
    ----------
    path : str
        The file (or a name standing for it, such as ``"<spec>"`` or a dataset name).
    where : str
        Where in the file, e.g. ``"layer 2: weights"`` or ``"row 3 (line 4), column 'age'"``;
        empty for the whole file.
    message : str
        What was expected and what was found.
    """

    def __init__(self, path: str, where: str, message: str) -> None:
        self.path = path
        self.where = where
        self.message = message
        location = f"{path}: {where}" if where else path
        super().__init__(f"{location}: {message}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, str]]:
        return (type(self), (self.path, self.where, self.message))


class SpecError(InputError):
    """A mistake in a spec file; ``field`` is the key and layer, e.g. ``"layer 2: weights"``."""

    @property
    def field(self) -> str:
        """Where in the spec (the same as ``where``)."""
        return self.where


class DataError(InputError):
    """A mistake in a data file or a dataset name."""


class ArgumentError(GlassnetError, ValueError):
    """A bad argument of the Python API or the command line."""


class ModelError(GlassnetError, ValueError):
    """A model file (``.npz``) that glassnet cannot load.

    Parameters
    ----------
    path : str
        The file.
    message : str
        What is wrong with it.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")

    def __reduce__(self) -> tuple[type[ModelError], tuple[str, str]]:
        return (type(self), (self.path, self.message))


def quote(text: object, limit: int = 60) -> str:
    """A name from the user's file, quoted and escaped so a message stays one line."""
    shown = repr(str(text))
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    if not isinstance(word, str):
        return ""
    choices = list(choices)
    by_lower = {c.lower(): c for c in choices}
    if word.lower() in by_lower and by_lower[word.lower()] != word:  # grad_w for grad_W
        return f" (did you mean '{by_lower[word.lower()]}'?)"
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean '{by_lower[close[0]]}'?)" if close else ""


def unknown_name(kind: str, name: str, choices: Iterable[str]) -> str:
    """Message for a name that is not in a registry (or not a name at all)."""
    choices = sorted(choices)
    what = (
        f"unknown {kind} {quote(name)}"
        if isinstance(name, str)
        else f"expected a name ({kind}), found {quote(repr(name))}"
    )
    return f"{what}{did_you_mean(name, choices)}; known: {', '.join(choices)}"


def toml_text(value: object, limit: int = 40) -> str:
    """A value read from TOML written as TOML writes it, on one line of at most ``limit``.

    ``[1.0, 2.0]``, ``true``, ``'x'``, ``{a = 1}``: what the person wrote, not Python's
    repr (``[Decimal('1.0'), Decimal('2.0')]``, ``True``, ``{'a': 1}``).
    """
    text = _toml(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _toml(value: object) -> str:
    import datetime
    import decimal

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value, limit=10**9)
    finite = value.is_finite() if isinstance(value, decimal.Decimal) else True
    if isinstance(value, float):
        finite = math.isfinite(value)
    if not finite:  # (a Decimal of 1e400 is finite, and shown as written)
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):  # 1e400 as written, not Decimal's 1E+400
        return str(value).replace("E+", "e").replace("E", "e")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return quote(repr(value), limit=10**9)


def _toml_key(key: object) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else quote(text, limit=10**9)


def toml_kind(value: object) -> str:
    """What a value read from TOML is, for "expected …, found a boolean (true)"."""
    import datetime
    import decimal

    if isinstance(value, bool):
        return f"a boolean ({toml_text(value)})"
    if isinstance(value, str):
        return f"a string ({toml_text(value)})"
    if isinstance(value, (int, float, decimal.Decimal)):
        return f"the number {toml_text(value)}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"a list ({toml_text(value)})" if value else "an empty list"
    if isinstance(value, (datetime.date, datetime.time)):
        return f"a date or time ({toml_text(value)})"
    return type(value).__name__


def read_toml(text: str, path: str, error: type, **options: Any) -> dict[str, Any]:
    """The TOML document ``text`` (``tomllib.loads(text, **options)``), or ``error`` saying why not.

    ``error`` is an :class:`InputError` class, raised as ``error(path, where, message)``.
    Besides its syntax errors, tomllib raises a plain ValueError, which says nowhere,
    for an integer of more than 4300 digits (``sys.get_int_max_str_digits()``), which
    Python refuses to convert: it is found in ``text`` and named by its key and line.
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        return tomllib.loads(text, **options)
    except tomllib.TOMLDecodeError as exc:
        raise error(path, "TOML syntax", str(exc)) from None
    except RecursionError:  # tomllib's parser recurses once per nested array or table
        raise error(path, "TOML syntax", "arrays or tables nested too deeply") from None
    except ValueError:  # an integer of > 4300 digits
        limit = sys.get_int_max_str_digits()
        where = _long_integer(text, limit)
        raise error(path, where, f"an integer of more than {limit} digits") from None


# a decimal integer of TOML (1_000 too), not the digits of a float, a hex number or a key
_INTEGER = re.compile(r"(?<![\w.])[+-]?[0-9][0-9_]*(?![\w.])")
# a table's header line, [name] or [[name]] (not a row of a matrix written over lines)
_HEADER = re.compile(
    r"^[ \t]*(\[\[?)[ \t]*([A-Za-z_\"'][\w.\-\"' ]*?)[ \t]*\]\]?[ \t]*(#.*)?$", re.M
)


_MULTILINE_STRING = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'')


# a line that opens a list: key = [
_KEY_PART = r"""(?:[A-Za-z0-9_\-]+|"[^"\n]*"|'[^'\n]*')"""  # bare or quoted
_LIST_KEY = re.compile(rf"^[ \t]*({_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*)[ \t]*=[ \t]*\[", re.M)


def _open_list_key(text: str, start: int, at: int) -> tuple[re.Match, int] | None:
    """The ``key =`` (and its line's start) of the list still open at ``at``, above ``start``."""
    openers = list(_LIST_KEY.finditer(text, 0, start))
    if not openers:
        return None
    opener = openers[-1]
    inside = text[opener.end() - 1 : at]
    if inside.count("[") <= inside.count("]") or "=" in inside:  # closed, or another key's
        return None
    return opener, opener.start()


def _long_integer(text: str, limit: int) -> str:
    """Where the first integer of more than ``limit`` digits is: "layer 1: weights (line 12)".

    Its key where the line gives one (``key = 1234…``), after the table above it
    (``[[layer]]`` counted, as a spec's errors count them); else only its line.
    """
    # lines as \n alone, and multi-line strings blanked (their lines kept): nothing in
    # them is a number, and a line inside one is no key's
    text = _MULTILINE_STRING.sub(
        lambda m: re.sub(r"[^\n]", " ", m.group()), text.replace("\r\n", "\n")
    )
    for match in _INTEGER.finditer(text):
        if sum(c.isdigit() for c in match.group()) <= limit:
            continue
        start = text.rfind("\n", 0, match.start()) + 1
        before = text[start : match.start()]
        if "#" in before or before.count('"') % 2 or before.count("'") % 2:
            continue  # in a comment or a string
        line = text.count("\n", 0, match.start()) + 1
        key = re.match(r"\s*([^=]+?)\s*=", before)
        if key is None:  # a number of a list written over several lines: the list's key
            opener = _open_list_key(text, start, match.start())
            if opener is None:
                return f"line {line}"
            key, start = opener
        field = key.group(1).strip().strip("\"'")
        tables = list(_HEADER.finditer(text, 0, start))
        if tables:
            kind, name = tables[-1].group(1), tables[-1].group(2).strip()
            if kind == "[[":  # an array of tables: its n-th
                name += f" {sum(t.group(1) == '[[' and t.group(2).strip() == name for t in tables)}"
            field = f"{name}: {field}"
        return f"{field} (line {line})"
    return "a number"


def whole_number(name: str, value: object, low: int = 0) -> int:
    """``value`` as an int ≥ ``low`` (a Python or NumPy integer, not a bool), or ArgumentError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ArgumentError(f"{name}: expected a whole number ≥ {low}, found {value!r}")
    return int(value)


def flag(name: str, value: object) -> bool:
    """``value`` as a bool (Python's or NumPy's), or ArgumentError: "no" would be true."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentError(f"{name}: expected True or False, found {value!r}")
    return bool(value)


def real_number(name: str, value: object, low: float = 0.0, *, strict: bool = False) -> float:
    """``value`` as a finite float ≥ ``low`` (> with ``strict``), or ArgumentError."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        number = float(value)  # type: ignore[arg-type]
        ok = math.isfinite(number) and (number > low if strict else number >= low)
    if not ok:
        bound = f"> {low:g}" if strict else f"≥ {low:g}"
        raise ArgumentError(f"{name}: expected a number {bound}, found {value!r}")
    return number


def check_signature(fn: object, params: str, where: str) -> None:
    """ArgumentError unless ``fn`` can be called with the arguments ``params`` ("z, a").

    Checked when a function is registered, so that a wrong one fails there, with its
    name, not later in the middle of a pass. Functions whose signature Python can't
    read (some built-ins) are taken as they are.
    """
    if not callable(fn):
        raise ArgumentError(f"{where}: expected a function ({params}), found {quote(fn)}")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*params.split(", "))
    except TypeError:
        raise ArgumentError(
            f"{where}: must take ({params}); its parameters are {signature}"
        ) from None


def registered(registry: dict[str, Any], kind: str, name: str, register: str) -> Any:
    """The entry of ``registry`` under ``name``, for unpickling by name; ArgumentError if none.

    ``register``: the function that adds one, named in the message.
    """
    entry = registry.get(name)
    if entry is None:
        raise ArgumentError(
            f"unpickling: {unknown_name(kind, name, registry)}; register it ({register}) "
            "before unpickling"
        )
    return entry


def finite_row_sums(rows: np.ndarray) -> bool:
    """Whether the row sums rows·1 of a 2-D float array are finite: then so is every number.

    One product on NumPy's threaded BLAS, a pass over a large data set at the memory's
    speed (NumPy's ``isfinite`` runs on one core). False where a number is NaN or ∞, and
    where finite numbers' sum overflows: the caller then looks at the numbers themselves.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        sums = rows @ np.ones(rows.shape[1], dtype=rows.dtype)
    return bool(np.isfinite(sums).all())


def refuse_non_finite(
    named: Iterable[tuple[str, np.ndarray]], why: str = "", index: np.ndarray | None = None
) -> None:
    """ArgumentError naming the first example (and column) of an array that is not finite.

    Counted from 1, as every message of glassnet names rows and columns. ``index``: the
    arrays' rows are those rows of the data given (a validation split's, in its random
    order), which the message names, the first of them in the data's own order.
    """
    for name, rows in named:
        bad = ~np.isfinite(rows)
        if bad.any():
            at = np.argwhere(bad)  # row by row, each row's columns in order
            # the example that comes first in the data given (argmin: its first column)
            row, column = at[0] if index is None else at[np.argmin(index[at[:, 0]])]
            example = row if index is None else index[row]
            raise ArgumentError(
                f"{name}: example {int(example) + 1} holds {rows[row, column]} (column "
                f"{int(column) + 1}); data must be finite{why}"
            )


def file_name(path: object, argument: str = "path") -> str | os.PathLike:
    """``path`` if it names a file (str or path-like), else ArgumentError naming ``argument``.

    An int would open a file descriptor, None would fail deep in ``open``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentError(f"{argument}: expected a file name (str or Path), found {path!r:.60}")
    if os.fspath(path) in ("", b""):  # Path("") is ".", a folder: said as it is
        raise ArgumentError(f"{argument}: an empty file name")
    return path


def read_user_text(path: str | Path, error: type, kind: str) -> str:
    """The UTF-8 text of a file a person wrote, or ``error(path, "", message)`` saying why not.

    A byte order mark at its start (as Windows editors write UTF-8) is not part of the text.

    Parameters
    ----------
    path : str or Path
    error : type
        An :class:`glassnet.errors.InputError` class (SpecError, ClaimsError, ...).
    kind : str
        What the file should be, for the message ("spec file", "claims file").
    """
    if isinstance(path, str) and path == "":  # (file_name's, in the file's own words)
        raise ArgumentError(f"{kind}: an empty file name; give the {kind}'s name")
    name = str(file_name(path))
    bom = 0
    try:
        data = Path(path).read_bytes()
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        return data[bom:].decode("utf-8")
    except FileNotFoundError:
        raise error(name, "", "no such file") from None
    except IsADirectoryError:
        raise error(name, "", f"is a directory, not a {kind}") from None
    except UnicodeDecodeError as exc:
        where = exc.start + bom  # in the file
        raise error(name, "", f"not UTF-8 text ({exc.reason} at byte {where})") from None
    except OSError as exc:
        raise error(name, "", f"cannot read: {exc.strerror}") from None
