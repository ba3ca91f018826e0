"""The errors glassnet raises for bad input.

Every mistake in what a person gives glassnet (a spec file, a command-line
argument, an argument of the Python API) raises a :class:`GlassnetError`
whose message names where the mistake is and what was expected.  The command
line prints that message on one line and exits with code 2.
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
from collections.abc import Iterable
from typing import Any


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


def toml_problem(exc: ValueError) -> tuple[str, str]:
    """(where, message) of an error of ``tomllib.loads``, for an :class:`InputError`.

    Besides its syntax errors, tomllib raises a plain ValueError for an integer of more
    than 4300 digits, which Python refuses to convert.
    """
    import tomllib

    if isinstance(exc, tomllib.TOMLDecodeError):
        return "TOML syntax", str(exc)
    return "a number", "an integer of more than 4300 digits"


def whole_number(name: str, value: object, low: int = 0) -> int:
    """``value`` as an int ≥ ``low`` (a Python or NumPy integer, not a bool), or ArgumentError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ArgumentError(f"{name}: expected a whole number ≥ {low}, found {value!r}")
    return int(value)


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
