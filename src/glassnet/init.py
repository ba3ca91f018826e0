"""Weight initialisers, by name: ``init(n_in, n_out, rng, dtype) -> W`` of shape (n_in, n_out).

Names: glorot_uniform (alias xavier_uniform), glorot_normal (xavier_normal),
he_uniform, he_normal, lecun_uniform, lecun_normal, zeros, and
``constant:VALUE`` (e.g. ``constant:0.5``).  The normal variants draw from a
plain (not truncated) normal distribution.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from glassnet.errors import SpecError, quote, unknown_name

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


def get_initializer(name: str, *, path: str = "<spec>", field: str = "init") -> Initializer:
    """Look an initialiser up by name, including ``constant:VALUE``."""
    if isinstance(name, str) and name.startswith("constant:"):
        text = name.split(":", 1)[1]
        try:
            value = float(text) if text == text.strip() else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise SpecError(
                path, field, f"constant:VALUE needs a finite number, found {quote(text)}"
            )
        return _constant(value)
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        choices = [*INITIALIZERS, "constant:VALUE"]
        raise SpecError(path, field, unknown_name("initialiser", str(name), choices)) from None
