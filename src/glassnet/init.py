"""Weight initialisers, by name: ``init(n_in, n_out, rng, dtype) -> W`` of shape (n_in, n_out).

Names: glorot_uniform (alias xavier_uniform), glorot_normal (xavier_normal),
he_uniform, he_normal, lecun_uniform, lecun_normal, zeros, and
``constant:VALUE`` (e.g. ``constant:0.5``).  The normal variants draw from a
plain (not truncated) normal distribution.  :func:`register_initializer` adds one
of your own, usable by name wherever these are (``Network(init=…)``, a spec's ``init``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from glassnet.errors import ArgumentError, SpecError, check_signature, quote, unknown_name

Initializer = Callable[[int, int, np.random.Generator, np.dtype], np.ndarray]


def _uniform(limit: Callable[[int, int], float]) -> Initializer:
    def init(n_in: int, n_out: int, rng: np.random.Generator, dtype: np.dtype) -> np.ndarray:
        bound = limit(n_in, n_out)
        return rng.uniform(-bound, bound, size=(n_in, n_out)).astype(dtype)

    return init


def _normal(std: Callable[[int, int], float]) -> Initializer:
    def init(n_in: int, n_out: int, rng: np.random.Generator, dtype: np.dtype) -> np.ndarray:
        return rng.normal(0.0, std(n_in, n_out), size=(n_in, n_out)).astype(dtype)

    return init


def _constant(value: float) -> Initializer:
    def init(n_in: int, n_out: int, rng: np.random.Generator, dtype: np.dtype) -> np.ndarray:
        return np.full((n_in, n_out), value, dtype=dtype)

    return init


INITIALIZERS: dict[str, Initializer] = {
    # Glorot & Bengio (2010): Var W = 2 / (n_in + n_out)
    "glorot_uniform": _uniform(lambda i, o: math.sqrt(6.0 / (i + o))),
    "glorot_normal": _normal(lambda i, o: math.sqrt(2.0 / (i + o))),
    # He et al. (2015), for relu: Var W = 2 / n_in
    "he_uniform": _uniform(lambda i, o: math.sqrt(6.0 / i)),
    "he_normal": _normal(lambda i, o: math.sqrt(2.0 / i)),
    # LeCun (1998): Var W = 1 / n_in
    "lecun_uniform": _uniform(lambda i, o: math.sqrt(3.0 / i)),
    "lecun_normal": _normal(lambda i, o: math.sqrt(1.0 / i)),
    "zeros": _constant(0.0),
}
INITIALIZERS["xavier_uniform"] = INITIALIZERS["glorot_uniform"]
INITIALIZERS["xavier_normal"] = INITIALIZERS["glorot_normal"]
_BUILT_IN = frozenset(INITIALIZERS)


def register_initializer(name: str, init: Initializer) -> Initializer:
    """Add an initialiser to the registry under ``name`` and return it.

    ``init(n_in, n_out, rng, dtype)`` returns a new W of shape (n_in, n_out), drawn from
    the :class:`numpy.random.Generator` ``rng`` (so that a network's seed reproduces it)
    and of the given dtype. Before it is registered it is called on a small test layer
    (3 inputs, 4 units, in float32 and float64): one that takes other parameters, or
    returns another shape, dtype or a number that is not finite, raises
    :class:`ArgumentError` naming it, as does a built-in's name.

    Parameters
    ----------
    name : str
        The name a network's ``init`` (or a spec's) gives it by.
    init : callable
        ``init(n_in, n_out, rng, dtype) -> W``.

    Returns
    -------
    callable
        ``init``, now registered.

    Examples
    --------
    >>> def small_normal(n_in, n_out, rng, dtype):
    ...     return rng.normal(0.0, 0.01, size=(n_in, n_out)).astype(dtype)
    >>> _ = register_initializer("small_normal", small_normal)
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ArgumentError(f"name: expected an identifier such as 'my_init', found {name!r}")
    if name in _BUILT_IN or name == "constant":
        raise ArgumentError(
            f"name: {name!r} is a built-in initialiser; register yours under another name"
        )
    where = f"initialiser {name!r}"
    check_signature(init, "n_in, n_out, rng, dtype", where)
    for dtype in (np.dtype(np.float32), np.dtype(np.float64)):
        try:
            W = init(3, 4, np.random.default_rng(0), dtype)
        except Exception as exc:  # the user's function: whatever it raises, named here
            raise ArgumentError(
                f"{where}: failed on a test layer of 3 inputs and 4 units ({dtype}): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not (isinstance(W, np.ndarray) and W.shape == (3, 4) and W.dtype == dtype):
            found = (
                f"an array of shape {W.shape}, dtype {W.dtype}"
                if isinstance(W, np.ndarray)
                else quote(repr(W), 40)
            )
            raise ArgumentError(
                f"{where}: must return W of shape (n_in, n_out) in the dtype it is given; "
                f"for 3 inputs and 4 units in {dtype} it returned {found}"
            )
        if not np.isfinite(W).all():
            raise ArgumentError(f"{where}: returned a weight that is not finite")
    INITIALIZERS[name] = init
    return init


def get_initializer(name: str, *, path: str = "<spec>", field: str = "init") -> Initializer:
    """Look an initialiser up by name, including ``constant:VALUE``."""
    if isinstance(name, str) and name.startswith("constant:"):
        text = name.split(":", 1)[1]
        try:
            # as TOML writes a number: ASCII, no "_" between digits (float() reads both)
            plain = text == text.strip() and text.isascii() and "_" not in text
            value = float(text) if plain else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise SpecError(
                path,
                field,
                f"constant:VALUE needs a finite number (as 0.5 or -1e-3), found {quote(text)}",
            )
        return _constant(value)
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        choices = [*INITIALIZERS, "constant:VALUE"]
        message = unknown_name("initialiser", str(name), choices)
        if callable(name):  # Keras takes the function itself; here a name, registered first
            message = (
                f"expected a name, found the function {quote(repr(name), 40)}; register it "
                "with glassnet.register_initializer(name, init) and give its name"
            )
        raise SpecError(path, field, message) from None
