"""Per-example losses ℓ(a, y) and their gradients ∂ℓ/∂a, by name.

``value(a, y)`` returns ℓ of each example, shape (m,); the batch loss is their
mean (see :mod:`glassnet.network`).  ``gradient(a, y)`` returns ∂ℓ/∂a of each
example, shape (m, n).

Two pairs of output activation and loss have a *fused* path: softmax with
cross_entropy and sigmoid with binary_cross_entropy.  There ℓ is computed
from the logits z (log-softmax, log-sigmoid), which stays finite where a has
rounded to 0 or 1, and δ = ∂ℓ/∂z is written directly.  A test shows both
paths give the same δ.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from glassnet.activations import (
    PROBE_SHAPE,
    Named,
    check_names,
    probe_call,
    probe_differs,
    probe_result,
    probe_rng,
    scratch,
    tex_name,
)
from glassnet.errors import ArgumentError, SpecError, check_signature, registered, unknown_name

Array = np.ndarray


# each built-in in-place hook and the allocating function whose numbers it gives
_IN_PLACE_OF: dict[Callable, Callable] = {}


@dataclass(frozen=True, repr=False)
class Loss(Named):
    """A per-example loss with its gradient and how to show it.

    Attributes
    ----------
    name : str
        The registry name.
    value : callable
        ``value(a, y) -> ℓ`` per example, shape (m,).
    gradient : callable
        ``gradient(a, y) -> ∂ℓ/∂a``, shape (m, n).
    latex, latex_gradient, text, text_gradient : str
        ℓ and ∂ℓ/∂a_j in LaTeX and plain text, for explanations.
    gradient_into, sum_into : callable or None
        In-place versions for the training loop, the same numbers:
        ``gradient_into(a, y, out)`` writes ∂ℓ/∂a into out, ``sum_into(a, y, space)``
        returns Σ_k ℓ_k of the batch, with work arrays kept in ``space``; None: the
        allocating ``gradient`` and ``value`` serve.
    """

    name: str
    value: Callable[[Array, Array], Array]
    gradient: Callable[[Array, Array], Array]
    latex: str
    latex_gradient: str
    text: str
    text_gradient: str
    gradient_into: Callable[[Array, Array, Array], None] | None = None
    sum_into: Callable[[Array, Array, SimpleNamespace], float] | None = None

    def __post_init__(self) -> None:
        # a built-in's in-place hooks, kept by dataclasses.replace with another gradient
        # or value, would train the built-in's numbers: dropped, the copy's own serve
        for hook, partner in (("gradient_into", "gradient"), ("sum_into", "value")):
            owner = _IN_PLACE_OF.get(getattr(self, hook))
            if owner is not None and owner is not getattr(self, partner):
                object.__setattr__(self, hook, None)

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickled by name when it is the registry's entry under it.

        As :meth:`glassnet.activations.Activation.__reduce_ex__`: a registered loss
        made of lambdas pickles, and unpickles where its name is registered.
        """
        if LOSSES.get(self.name) is self:
            return (_registered, (self.name,))
        return super().__reduce_ex__(protocol)


def _xlogy(x: Array, y: Array) -> Array:
    """Return x ln y, taken as 0 where x = 0 (so 0 · ln 0 = 0, as its limit).

    A probability y that has rounded to exactly 0 counts as the smallest normal number:
    the loss of a certain wrong answer is large (about 708 in float64), not infinite.
    """
    out = np.zeros(np.broadcast_shapes(x.shape, y.shape), dtype=np.result_type(x, y))
    mask = x != 0
    out[mask] = x[mask] * np.log(np.maximum(y[mask], np.finfo(out.dtype).tiny))
    return out


def _xdivy(x: Array, y: Array) -> Array:
    """Return x / y, taken as 0 where x = 0; y at least the smallest normal number."""
    out = np.zeros(np.broadcast_shapes(x.shape, y.shape), dtype=np.result_type(x, y))
    mask = x != 0
    out[mask] = x[mask] / np.maximum(y[mask], np.finfo(out.dtype).tiny)
    return out


def _half_squared_error(a: Array, y: Array) -> Array:
    """ℓ = ½ Σ_j (a_j − y_j)²."""
    return 0.5 * ((a - y) ** 2).sum(axis=-1)


def _half_squared_error_gradient(a: Array, y: Array) -> Array:
    """∂ℓ/∂a_j = a_j − y_j."""
    return a - y


def _squared_error(a: Array, y: Array) -> Array:
    """ℓ = Σ_j (a_j − y_j)²."""
    return ((a - y) ** 2).sum(axis=-1)


def _squared_error_gradient(a: Array, y: Array) -> Array:
    """∂ℓ/∂a_j = 2 (a_j − y_j)."""
    return 2.0 * (a - y)


def _mean_squared_error(a: Array, y: Array) -> Array:
    """ℓ = (1/n) Σ_j (a_j − y_j)²."""
    return ((a - y) ** 2).mean(axis=-1)


def _mean_squared_error_gradient(a: Array, y: Array) -> Array:
    """∂ℓ/∂a_j = 2 (a_j − y_j) / n."""
    return 2.0 * (a - y) / a.shape[-1]


# In-place versions for the training loop: the allocating ones' numbers, bit for bit
# (the same operations in the same order), with no array made per batch.


def _squares_by_row(a: Array, y: Array, space: SimpleNamespace) -> Array:
    """Σ_j (a_j − y_j)² of each row, in ``space``'s work arrays."""
    residual = scratch(space, "residual", a)
    np.subtract(a, y, out=residual)
    np.multiply(residual, residual, out=residual)  # (what ** 2 computes)
    rows = scratch(space, "row_sums", a, shape=a.shape[:1])
    return np.add.reduce(residual, axis=-1, out=rows)


def _half_squared_error_sum(a: Array, y: Array, space: SimpleNamespace) -> float:
    rows = _squares_by_row(a, y, space)
    rows *= 0.5
    return float(np.add.reduce(rows, axis=None))


def _squared_error_sum(a: Array, y: Array, space: SimpleNamespace) -> float:
    return float(np.add.reduce(_squares_by_row(a, y, space), axis=None))


def _mean_squared_error_sum(a: Array, y: Array, space: SimpleNamespace) -> float:
    rows = _squares_by_row(a, y, space)
    rows /= a.shape[-1]  # (as mean divides the sum)
    return float(np.add.reduce(rows, axis=None))


def _half_squared_error_gradient_into(a: Array, y: Array, out: Array) -> None:
    np.subtract(a, y, out=out)


def _squared_error_gradient_into(a: Array, y: Array, out: Array) -> None:
    np.subtract(a, y, out=out)
    out *= 2.0


def _mean_squared_error_gradient_into(a: Array, y: Array, out: Array) -> None:
    np.subtract(a, y, out=out)
    out *= 2.0
    out /= a.shape[-1]


_IN_PLACE_OF.update(
    {
        _half_squared_error_gradient_into: _half_squared_error_gradient,
        _squared_error_gradient_into: _squared_error_gradient,
        _mean_squared_error_gradient_into: _mean_squared_error_gradient,
        _half_squared_error_sum: _half_squared_error,
        _squared_error_sum: _squared_error,
        _mean_squared_error_sum: _mean_squared_error,
    }
)


def _binary_cross_entropy(a: Array, y: Array) -> Array:
    """ℓ = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]."""
    return -(_xlogy(y, a) + _xlogy(1.0 - y, 1.0 - a)).sum(axis=-1)


def _binary_cross_entropy_gradient(a: Array, y: Array) -> Array:
    """∂ℓ/∂a_j = −y_j / a_j + (1 − y_j) / (1 − a_j)."""
    return -_xdivy(y, a) + _xdivy(1.0 - y, 1.0 - a)


def _cross_entropy(a: Array, y: Array) -> Array:
    """ℓ = −Σ_j y_j ln a_j."""
    return -_xlogy(y, a).sum(axis=-1)


def _cross_entropy_gradient(a: Array, y: Array) -> Array:
    """∂ℓ/∂a_j = −y_j / a_j."""
    return -_xdivy(y, a)


LOSSES: dict[str, Loss] = {}
_BUILT_IN: frozenset[str] = frozenset()  # the names glassnet's formulas rely on


def register_loss(
    loss: Loss | str,
    value: Callable[[Array, Array], Array] | None = None,
    gradient: Callable[[Array, Array], Array] | None = None,
    *,
    text: str | None = None,
    text_gradient: str | None = None,
    latex: str | None = None,
    latex_gradient: str | None = None,
) -> Loss:
    """Add a loss to the registry under its name and return it.

    Give a :class:`Loss`, or a name with ``value(a, y) -> ℓ`` per example, shape (m,),
    and ``gradient(a, y) -> ∂ℓ/∂a``, shape (m, n). Both return new arrays and must not
    modify their arguments (a is the output the network predicts). Before it is
    registered, each (a :class:`Loss`'s too) is called on a small test batch (outputs in
    (0.1, 0.9), one-hot targets): one that takes other parameters, returns another
    shape or changes its arguments raises :class:`ArgumentError` naming it. Check the
    pair with :func:`glassnet.gradcheck.gradcheck`.

    Parameters
    ----------
    loss : Loss or str
        A whole :class:`Loss` (the other arguments then stay unset), or the name to
        register the functions under.
    value : callable, optional
        ``value(a, y) -> ℓ``, one number per example (the batch loss is their mean).
    gradient : callable, optional
        ``gradient(a, y) -> ∂ℓ/∂a``, one row per example.
    text, text_gradient, latex, latex_gradient : str, optional
        The formulas as explanations print them, in plain text and in LaTeX.

    Returns
    -------
    Loss
        The one registered, as :func:`get_loss` gives it by name.
    """
    named = loss.name if isinstance(loss, Loss) else loss
    if named in _BUILT_IN:  # the fused pairs and explanations know them by name
        raise ArgumentError(
            f"name: {named!r} is a built-in loss; register yours under another name"
        )
    if isinstance(loss, Loss):
        _verify(loss)
        LOSSES[loss.name] = loss
        return loss
    name = loss
    if not isinstance(name, str) or not name.isidentifier():
        raise ArgumentError(f"name: expected an identifier such as 'huber', found {name!r}")
    if value is None or gradient is None:
        raise ArgumentError(f"loss {name!r}: give value and gradient")
    made = Loss(
        name,
        value,
        gradient,
        latex if latex is not None else rf"\ell_{{\mathrm{{{tex_name(name)}}}}}(a, y)",
        latex_gradient if latex_gradient is not None else r"\partial\ell/\partial a_j",
        text if text is not None else f"{name}(a, y)",
        text_gradient if text_gradient is not None else "∂ℓ/∂a_j",
    )
    _verify(made)
    LOSSES[name] = made
    return made


def _verify(loss: Loss) -> None:
    """ArgumentError naming ``loss`` and the function, unless both work on a test batch.

    Outputs a in (0.1, 0.9) and one-hot targets, valid for every built-in loss (a
    cross-entropy's probabilities too): value gives one ℓ per example, gradient one
    ∂ℓ/∂a per output, and neither changes a or y.
    """
    check_names(loss, "loss", ("latex", "latex_gradient", "text", "text_gradient"))
    where = f"loss {loss.name!r}"
    check_signature(loss.value, "a, y", f"{where}: value")
    check_signature(loss.gradient, "a, y", f"{where}: gradient")
    m, n = PROBE_SHAPE
    rng = probe_rng()
    a = rng.uniform(0.1, 0.9, PROBE_SHAPE)
    # one-hot targets (a classifier's), then targets in (0.1, 0.9): a loss that divides
    # by y (a percentage error) needs finite results of the second only
    for y, inputs, last in (
        (np.eye(n)[np.arange(m) % n], "a in (0.1, 0.9), y one-hot", False),
        (rng.uniform(0.1, 0.9, PROBE_SHAPE), "a and y in (0.1, 0.9)", True),
    ):
        args = {"a": a, "y": y}
        ell = probe_call(where, "value", loss.value, args, ("a", "y"))
        ell = probe_result(where, "value", ell, (m,), "ℓ of each example", inputs, finite=last)
        grad = probe_call(where, "gradient", loss.gradient, args, ("a", "y"))
        shape_a = "∂ℓ/∂a, of a's shape"
        grad = probe_result(where, "gradient", grad, PROBE_SHAPE, shape_a, inputs, finite=last)
        if np.isfinite(ell).all() and np.isfinite(grad).all():
            break
    _verify_in_place(loss, where, a, y, ell, grad)


def _verify_in_place(loss: Loss, where: str, a: Array, y: Array, ell: Array, grad: Array) -> None:
    """A loss's in-place hooks give its allocating functions' numbers (as an activation's)."""
    if loss.gradient_into is not None:
        check_signature(loss.gradient_into, "a, y, out", f"{where}: gradient_into")
        out = np.full(a.shape, np.nan)
        probe_call(
            where, "gradient_into", loss.gradient_into, {"a": a, "y": y, "out": out}, ("a", "y")
        )
        wrong = probe_differs(out, grad)
        if wrong is not None:
            raise ArgumentError(
                f"{where}: gradient_into(a, y, out) does not leave gradient(a, y) in out ({wrong})"
            )
    if loss.sum_into is not None:
        check_signature(loss.sum_into, "a, y, space", f"{where}: sum_into")
        args = {"a": a, "y": y, "space": SimpleNamespace()}
        total = probe_call(where, "sum_into", loss.sum_into, args, ("a", "y"))
        wrong = probe_differs(np.array([total], dtype=float), np.array([np.sum(ell)]))
        if wrong is not None:
            raise ArgumentError(
                f"{where}: sum_into(a, y, space) is not the sum of value(a, y) ({wrong})"
            )


for _loss in (
    Loss(
        "half_squared_error",
        _half_squared_error,
        _half_squared_error_gradient,
        r"\tfrac12\sum_j (a_j - y_j)^2",
        r"a_j - y_j",
        "½ Σ_j (a_j − y_j)²",
        "a_j − y_j",
        gradient_into=_half_squared_error_gradient_into,
        sum_into=_half_squared_error_sum,
    ),
    Loss(
        "squared_error",
        _squared_error,
        _squared_error_gradient,
        r"\sum_j (a_j - y_j)^2",
        r"2(a_j - y_j)",
        "Σ_j (a_j − y_j)²",
        "2(a_j − y_j)",
        gradient_into=_squared_error_gradient_into,
        sum_into=_squared_error_sum,
    ),
    Loss(
        "mean_squared_error",
        _mean_squared_error,
        _mean_squared_error_gradient,
        r"\frac1n\sum_j (a_j - y_j)^2",
        r"\frac2n(a_j - y_j)",
        "(1/n) Σ_j (a_j − y_j)²",
        "2(a_j − y_j)/n",
        gradient_into=_mean_squared_error_gradient_into,
        sum_into=_mean_squared_error_sum,
    ),
    Loss(
        "binary_cross_entropy",
        _binary_cross_entropy,
        _binary_cross_entropy_gradient,
        r"-\sum_j \bigl[y_j \ln a_j + (1-y_j)\ln(1-a_j)\bigr]",
        r"-\frac{y_j}{a_j} + \frac{1-y_j}{1-a_j}",
        "−Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]",
        "−y_j/a_j + (1 − y_j)/(1 − a_j)",
    ),
    Loss(
        "cross_entropy",
        _cross_entropy,
        _cross_entropy_gradient,
        r"-\sum_j y_j \ln a_j",
        r"-\frac{y_j}{a_j}",
        "−Σ_j y_j ln a_j",
        "−y_j/a_j",
    ),
):
    # registered unprobed: tests/test_custom.py runs register_loss's checks on each
    LOSSES[_loss.name] = _loss
_BUILT_IN = frozenset(LOSSES)
BUILT_IN_LOSSES = _BUILT_IN  # glassnet's own, each tested against its finite differences
# the losses whose ℓ is a sum over the output units, ℓ = Σ_j term_j: glassnet's own (a
# loss registered from Python, √Σ_j (a_j − y_j)², need have no such terms)
TERM_LOSSES = _BUILT_IN


def loss_terms(
    loss: Loss,
    a: Array,
    Y: Array,
    value: Callable[[Array, Array], Array] | None = None,
    *,
    z: Array | None = None,
    activation: str | None = None,
) -> Array | None:
    r"""The summands of ℓ, one per output unit: ℓ = Σ_j term_j, shape (m, n).

    .. math:: \ell = \sum_j t_j,\qquad t_j = \ell(a_{:,j}, y_{:,j})
              \quad (\tfrac{1}{n}\,\ell(a_{:,j}, y_{:,j}) \text{ for the mean over units})

    Each term is the loss of its unit alone, ``value(a[:, j], Y[:, j])`` (the loss's
    own ``value`` unless given: ``glassnet check`` gives it a known mistake's). Given the
    output's logits ``z`` and ``activation``, the rows whose ℓ the step takes from the
    logits (every row of a :data:`FUSED` pair, the rounded rows of a :data:`SATURATED`
    one, as :meth:`Network.example_losses`) take their terms from them too, by the
    function whose sum is that ℓ (:data:`LOGIT_TERMS`): they add up to it. None for a
    loss not of :data:`TERM_LOSSES`.
    """
    if loss.name not in TERM_LOSSES:
        return None
    value_given = value is not None
    value = loss.value if value is None else value
    n = a.shape[1]
    terms = np.stack([value(a[:, j : j + 1], Y[:, j : j + 1]) for j in range(n)], axis=1)
    if loss.name == "mean_squared_error":
        terms = terms / n  # (1/n) Σ_j: each column's own mean is over one unit
    if value_given or z is None:
        return terms
    # the rows whose ℓ the step takes from the logits: a fused pair's all, an unfused
    # pair's where a has rounded (as Network.example_losses does)
    pair = (str(activation), loss.name)
    if pair in FUSED:
        rows = np.arange(len(a))
    elif pair in SATURATED:
        rows = SATURATED[pair].rows(z, a, Y)
    else:
        return terms
    if rows.size:  # (a saturated pair's rows are of two units or more)
        terms[rows] = LOGIT_TERMS[pair](z[rows], Y[rows])
    return terms


def _registered(name: str) -> Loss:
    """The loss registered under ``name``, for unpickling; ArgumentError if none is."""
    return registered(LOSSES, "loss", name, "glassnet.losses.register_loss")


def get_loss(name: str | Loss, *, path: str = "<spec>", field: str = "loss") -> Loss:
    """Look a loss up by name; an unknown name raises :class:`SpecError`."""
    if isinstance(name, Loss):
        return name
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise SpecError(path, field, unknown_name("loss", str(name), LOSSES)) from None


# --- fused output paths -------------------------------------------------------------


@dataclass(frozen=True)
class Fused:
    """ℓ from the logits and δ_L written directly, for one activation-loss pair.

    Attributes
    ----------
    value : callable
        ``value(z, y) -> ℓ`` per example, from the logits z.
    delta : callable
        ``delta(a, y) -> δ_L = ∂ℓ/∂z``.
    delta_into : callable
        ``delta_into(a, y, out, scratch)``: the same, into ``out`` (training).
    loss_sum : callable
        ``loss_sum(z, y, scratch) -> Σ_k ℓ_k`` of a batch, for the training loop,
        using what the activation's in-place forward left in ``scratch``.

    The training loop sets ``scratch.one_hot`` when every target row is one-hot;
    the in-place functions then skip the sums Σ_j y_j, which are 1.
    """

    value: Callable[[Array, Array], Array]
    delta: Callable[[Array, Array], Array]
    delta_into: Callable[[Array, Array, Array, SimpleNamespace], None]
    loss_sum: Callable[[Array, Array, SimpleNamespace], float]


def _y_log_softmax(z: Array, y: Array) -> Array:
    r"""y_j ln softmax(z)_j, one per unit, from the logits.

    .. math:: \ln \operatorname{softmax}(z)_j = z_j - \max z - \ln\sum_k e^{z_k - \max z}
    """
    shifted = z - z.max(axis=-1, keepdims=True)
    return y * (shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))


def _log_softmax_cross_entropy_terms(z: Array, y: Array) -> Array:
    """ℓ's terms −y_j ln softmax(z)_j, one per unit, from the logits."""
    return -_y_log_softmax(z, y)


def _log_softmax_cross_entropy(z: Array, y: Array) -> Array:
    r"""ℓ = −Σ_j y_j ln softmax(z)_j = Σ_j y_j (logsumexp(z) − z_j).

    The sum of :func:`_log_softmax_cross_entropy_terms` (negated after the sum, as
    always: a loss of 0 stays +0).
    """
    return -_y_log_softmax(z, y).sum(axis=-1)


def _softmax_cross_entropy_delta(a: Array, y: Array) -> Array:
    r"""δ = a Σ_j y_j − y, which is a − y when each target row sums to 1.

    .. math:: \delta_i = \sum_j J_{ji}\Bigl(-\frac{y_j}{a_j}\Bigr) = a_i \sum_j y_j - y_i
    """
    return a * y.sum(axis=-1, keepdims=True) - y


def _softmax_cross_entropy_delta_into(
    a: Array, y: Array, out: Array, space: SimpleNamespace
) -> None:
    """δ = a Σ_j y_j − y into ``out``; a − y when the targets are one-hot rows."""
    if space.__dict__.get("one_hot"):
        np.subtract(a, y, out=out)
        return
    total = scratch(space, "y_total", y, shape=(y.shape[0], 1))
    np.add.reduce(y, axis=1, keepdims=True, out=total)
    np.multiply(a, total, out=out)
    out -= y


def _sigmoid_binary_cross_entropy_delta_into(
    a: Array, y: Array, out: Array, space: SimpleNamespace
) -> None:
    """δ = a − y into ``out``."""
    np.subtract(a, y, out=out)


def _row_dots(y: Array, z: Array, out: Array, space: SimpleNamespace) -> None:
    """y_k·z_k of each row into ``out``, shape (m,), allocating nothing.

    One call of ``np.vecdot`` (NumPy ≥ 2), 0.7 µs for 16 rows of 10: a batch of a small
    network pays for each call. Before NumPy 2, a product, then one product with ones
    (NumPy reduces short rows one by one, slowly).
    """
    if _VECDOT is not None:
        _VECDOT(y, z, out=out)
        return
    work = scratch(space, "y_z", z)
    np.multiply(y, z, out=work)
    ones = scratch(space, "row_ones", z, shape=(z.shape[1],), fill=1)
    np.dot(work, ones, out=out)


_VECDOT = getattr(np, "vecdot", None)


def _softmax_cross_entropy_sum(z: Array, y: Array, space: SimpleNamespace) -> float:
    r"""Σ_k ℓ_k, ℓ_k = (c_k Σ_j y_kj − y_k·z_k) + Σ_j y_kj ln Σ e^{z_k − c_k}.

    Each example's ℓ_k = Σ_j y_kj (lse(z_k) − z_kj) ≥ 0 is taken on its own, and
    clamped at 0 where rounding crossed it, before the sum: a difference of two sums
    over the batch would lose the small losses of a confident network to rounding,
    and could fall below 0. With c = max z and the target at the maximum, c − y·z is
    exactly 0 and ℓ is the logarithm alone, as :func:`_log_softmax_cross_entropy`.
    The softmax's in-place forward left each row's shift c (max z, or 0 where every
    |z| is small) and Σ e^{z − c} in ``space`` (as ``top`` and ``total``); they are
    computed here, with c = max z, if not.
    """
    m = z.shape[0]
    top, total = space.__dict__.get("top"), space.__dict__.get("total")
    if top is None or total is None or top.shape != (m, 1):
        top = np.maximum.reduce(z, axis=1, keepdims=True)
        total = np.add.reduce(np.exp(z - top), axis=1, keepdims=True)
    ell = scratch(space, "ell", z, shape=(m, 1))
    _row_dots(y, z, ell.reshape(m), space)
    log_total = scratch(space, "lse", z, shape=(m, 1))
    np.log(total, out=log_total)
    if space.__dict__.get("one_hot"):  # Σ_j y_kj = 1
        np.subtract(top, ell, out=ell)
    else:
        y_total = scratch(space, "y_total", y, shape=(m, 1))
        np.add.reduce(y, axis=1, keepdims=True, out=y_total)
        log_total *= y_total
        np.multiply(top, y_total, out=y_total)
        np.subtract(y_total, ell, out=ell)
    ell += log_total
    np.maximum(ell, 0, out=ell)  # ℓ ≥ 0: rounding may only have crossed the bound
    return float(np.add.reduce(ell, axis=None))


class EpochLoss:
    r"""Σ_k ℓ_k of softmax + cross-entropy over an epoch of one-hot targets.

    .. math:: \ell_k = (c_k - y_k \cdot z_k) + \ln \sum_j e^{z_{kj} - c_k}

    The in-place softmax of each batch computes each row's shift c_k (max z_k, or 0
    where every |z| is small) and Σ e^{z − c} anyway; :meth:`point` has it write them
    straight into arrays of the whole epoch, so that a batch adds only its rows' y_k·z_k
    (:meth:`add`), and the logarithms and the sum are taken once, by :meth:`total`:
    each ℓ_k on its own, clamped at its lower bound 0, as in
    :func:`_softmax_cross_entropy_sum`. The sum of a batch's y_k·z_k is finite exactly
    when its loss is: 0·∞ is NaN, so any infinite or NaN logit shows.

    Parameters
    ----------
    n : int
        The examples of an epoch.
    dtype : numpy dtype
        The network's.
    """

    def __init__(self, n: int, dtype: np.dtype) -> None:
        self.top = np.empty((n, 1), dtype=dtype)
        self.sum_exp = np.empty((n, 1), dtype=dtype)
        self.dots = np.empty((n, 1), dtype=dtype)  # y_k·z_k
        self._ones = np.ones(n, dtype=dtype)
        # each batch's views, made once: an epoch's batches start at the same rows
        self._views: dict[tuple[int, int], tuple[Array, Array, Array, Array]] = {}

    def point(self, space: SimpleNamespace, start: int, m: int) -> None:
        """Have the softmax of the batch at ``start`` (``m`` rows) keep its rows' numbers here."""
        views = self._views.get((start, m))
        if views is None:
            rows = slice(start, start + m)
            views = self._views[start, m] = (
                self.top[rows],
                self.sum_exp[rows],
                self.dots[rows, 0],  # (m,): what the row dots fill
                self._ones[:m],
            )
        space.top, space.total, space.dots, space.dot_ones = views

    def release(self, space: SimpleNamespace) -> None:
        """Have the softmax of ``space`` keep its rows' numbers in arrays of its own again."""
        for name, whole in (
            ("top", self.top),
            ("total", self.sum_exp),
            ("dots", self.dots),
            ("dot_ones", self._ones),
        ):
            if getattr(getattr(space, name, None), "base", None) is whole:
                delattr(space, name)

    def add(self, y: Array, z: Array, space: SimpleNamespace) -> bool:
        """Keep the y_k·z_k of the batch :meth:`point` named; True when its loss is finite.

        Where the softmax took no shift, it found every |z| bounded (``space.bounded``):
        the loss is finite, with nothing more to compute. Otherwise the sum of the y_k·z_k
        tells, NaN or ±∞ exactly when the loss is (0·∞ is NaN).
        """
        rows = space.dots
        if _VECDOT is not None:  # (inline: a call of Python is a tenth of this)
            _VECDOT(y, z, out=rows)
        else:
            _row_dots(y, z, rows, space)
        if space.bounded:  # (set by the softmax of this batch)
            return True
        return math.isfinite(float(np.dot(rows, space.dot_ones)))

    def total(self, stop: int) -> float:
        """Σ_k ℓ_k of the epoch's first ``stop`` examples, summed in float64."""
        ell = self.top[:stop] - self.dots[:stop]
        ell += np.log(self.sum_exp[:stop])
        np.maximum(ell, 0, out=ell)  # ℓ ≥ 0: rounding may only have crossed the bound
        return float(np.add.reduce(ell, axis=None, dtype=np.float64))

    STATE_KEYS = ("loss_top", "loss_sum_exp", "loss_dots")  # of :meth:`state`, in order

    def state(self, stop: int) -> dict[str, Any]:
        """What a checkpoint inside the epoch keeps of it (:data:`STATE_KEYS`)."""
        kept = (self.top, self.sum_exp, self.dots)
        return {key: array[:stop].copy() for key, array in zip(self.STATE_KEYS, kept, strict=True)}

    def load(self, state: dict[str, Any]) -> None:
        """Continue from :meth:`state`."""
        stop = len(state["loss_top"])
        self.top[:stop] = state["loss_top"]
        self.sum_exp[:stop] = state["loss_sum_exp"]
        self.dots[:stop] = state["loss_dots"]


def _sigmoid_binary_cross_entropy_sum(z: Array, y: Array, space: SimpleNamespace) -> float:
    """Σ_k ℓ_k = Σ [(max(z, 0) − y z) + ln(1 + e^{−|z|})], term by term.

    Both parts of each term are ≥ 0 as computed (for y in [0, 1], fl(y z) ≤ max(z, 0)):
    the sum is never negative and keeps the small losses of a confident network, which
    Σ softplus(z) − Σ y z, two large sums, would lose to rounding.
    """
    work = scratch(space, "bce", z)
    np.abs(z, out=work)
    np.negative(work, out=work)
    np.exp(work, out=work)
    np.log1p(work, out=work)
    margin = scratch(space, "bce_margin", z)
    np.maximum(z, scratch(space, "zeros", z, fill=0), out=margin)
    y_z = scratch(space, "y_z", z)
    np.multiply(y, z, out=y_z)
    margin -= y_z
    work += margin
    return float(np.add.reduce(work, axis=None))


def _log_sigmoid_binary_cross_entropy_terms(z: Array, y: Array) -> Array:
    r"""ℓ's terms softplus(z_j) − y_j z_j, one per unit, from ln σ(z) = −softplus(−z).

    .. math:: -y\ln\sigma(z) - (1-y)\ln(1-\sigma(z)) = \ln(1+e^{z}) - y z

    Taken as (max(z, 0) − y z) + ln(1 + e^{−|z|}): the first part is exactly 0 for a
    confident right answer, so its small loss ln(1 + e^{−|z|}) is kept, not rounded away.
    """
    return (np.maximum(z, 0) - y * z) + np.log1p(np.exp(-np.abs(z)))


def _log_sigmoid_binary_cross_entropy(z: Array, y: Array) -> Array:
    r"""ℓ = Σ_j [softplus(z_j) − y_j z_j]: the terms' sum."""
    return _log_sigmoid_binary_cross_entropy_terms(z, y).sum(axis=-1)


def _sigmoid_binary_cross_entropy_delta(a: Array, y: Array) -> Array:
    r"""δ = a − y, since σ'(z) = a(1 − a) cancels the denominator of ∂ℓ/∂a."""
    return a - y


FUSED: dict[tuple[str, str], Fused] = {
    ("softmax", "cross_entropy"): Fused(
        _log_softmax_cross_entropy,
        _softmax_cross_entropy_delta,
        _softmax_cross_entropy_delta_into,
        _softmax_cross_entropy_sum,
    ),
    ("sigmoid", "binary_cross_entropy"): Fused(
        _log_sigmoid_binary_cross_entropy,
        _sigmoid_binary_cross_entropy_delta,
        _sigmoid_binary_cross_entropy_delta_into,
        _sigmoid_binary_cross_entropy_sum,
    ),
}


# --- exact rows of an unfused pair --------------------------------------------------


@dataclass(frozen=True)
class Saturated:
    """ℓ, ∂ℓ/∂a and δ_L from the logits, for the rows where ℓ(a, y) and ∂ℓ/∂a lose them.

    An unfused pair of output activation and loss goes through a: ℓ(a, y), ∂ℓ/∂a and
    the activation's Jacobian. Where a has rounded (to 1, or to 0 under a target that
    is not 0) those lose the number; there, and only there, the pair's exact form
    from the logits z takes over, row by row. Every other row keeps the general
    path's numbers, bit for bit.

    Attributes
    ----------
    rows : callable
        ``rows(z, a, y) -> indices`` of the rows where the general path loses the number.
    value : callable
        ``value(z, y) -> ℓ`` of each row, from the logits.
    delta : callable
        ``delta(z, y) -> δ_L = ∂ℓ/∂z``.
    gradient : callable
        ``gradient(z, a, y) -> ∂ℓ/∂a``, exact (∞ where it overflows), for explanations.
    """

    rows: Callable[[Array, Array, Array], Array]
    value: Callable[[Array, Array], Array]
    delta: Callable[[Array, Array], Array]
    gradient: Callable[[Array, Array, Array], Array]


def softmax_binary_cross_entropy_rows(z: Array, a: Array, y: Array) -> Array:
    r"""The rows whose softmax + binary cross-entropy the a-based formulas lose.

    With d = argmax_j z_j, the a-based ln(1 − a_d) and (1 − y_d)/(1 − a_d) take
    1 − a_d from an a_d rounded to within a few ulps, ε: relative error ≈ ε/(1 − a_d),
    and none left once a_d rounds to 1 (the clamp then makes ln 0 = −708 and
    ∂ℓ/∂a_d = 4.5e307, which the Jacobian's −a_d a_j turns into δ of ~1e290). A row is
    taken from the logits where

    .. math:: 1 - a_d < \sqrt{\varepsilon}
              \quad\text{or}\quad a_j < \text{tiny} \text{ for some } y_j > 0,

    i.e. where the a-based path would keep fewer than half the digits (1 − a_d below
    1.5e-8 in float64, 3.5e-4 in float32: a logit gap of about 18, 8), or where a
    probability under a target has left the normal numbers (ln a_j clamped at −708,
    and δ_j = ∂ℓ/∂a_j · a_j(1 − a_j) lost to 0: a stall). Only rows of at least two
    units and finite logits: softmax of one unit is 1 whatever z (see
    :func:`softmax_binary_cross_entropy`).

    Parameters
    ----------
    z, a, y : ndarray, shape (m, n)
        Logits, their softmax, targets.

    Returns
    -------
    ndarray of int
        Row indices, ascending.
    """
    if a.shape[-1] < 2 or not a.size:
        return np.empty(0, dtype=np.intp)
    info = np.finfo(a.dtype)
    with np.errstate(invalid="ignore"):
        lost = 1 - a.max(axis=-1) < np.sqrt(info.eps)
        lost |= ((y > 0) & (a < info.tiny)).any(axis=-1)
    if lost.any():
        lost &= np.isfinite(z).all(axis=-1)
    return np.flatnonzero(lost)


def _softmax_parts(z: Array) -> tuple[Array, Array, Array, Array]:
    r"""Per row of z (n ≥ 2): the mask of d = argmax z, ln a, and the logs of Σ.

    Returns ``(at_d, log_a, lse, lse_o)`` with lse = ln Σ_k e^{z_k} and
    lse_o = ln Σ_{k≠d} e^{z_k} (shape (m, 1)), each shifted by its own maximum, so
    that ln(1 − a_d) = lse_o − lse holds even where 1 − a_d underflows:

    .. math:: \mathrm{lse} = z_d + \ln\bigl(1 + e^{\mathrm{lse}_o - z_d}\bigr),\qquad
              \ln a_j = z_j - \mathrm{lse},\qquad
              \ln a_d = -\ln\bigl(1 + e^{\mathrm{lse}_o - z_d}\bigr)

    (ln a_d so, not as z_d − lse, which loses it where lse rounds to z_d).
    """
    m = z.shape[0]
    at_d = np.zeros(z.shape, dtype=bool)
    at_d[np.arange(m), z.argmax(axis=-1)] = True
    top = z.max(axis=-1, keepdims=True)
    others = np.where(at_d, -np.inf, z).astype(z.dtype, copy=False)
    top_o = others.max(axis=-1, keepdims=True)
    lse_o = top_o + np.log(np.exp(others - top_o).sum(axis=-1, keepdims=True))
    lse = top + np.log1p(np.exp(lse_o - top))
    log_a = z - lse
    # at d, z_d − lse is 0 where lse rounds to z_d: ln a_d = −ln(1 + e^{lse_o − z_d}), whole
    np.copyto(log_a, -np.log1p(np.exp(lse_o - top)), where=at_d)
    return at_d, log_a, lse, lse_o


def softmax_binary_cross_entropy(z: Array, y: Array) -> Array:
    r"""ℓ = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)] of a = softmax(z), from the logits.

    With d = argmax_j z_j of the row, a_j ≤ ½ for j ≠ d, so ln(1 − a_j) = log1p(−a_j)
    is accurate; 1 − a_d = Σ_{k≠d} a_k, whose log is taken in the log domain:

    .. math::
        \ln a_j = z_j - \operatorname{lse}(z),\qquad
        \ln(1 - a_d) = \operatorname{lse}_{k\ne d}(z) - \operatorname{lse}(z)

    exact even where 1 − a_d or a_j underflows. A row of one unit (n = 1) has a = 1
    whatever z, and 1 − a = 0: ℓ is there the a-based value (ln 0 taken at the
    smallest normal number), as :func:`_binary_cross_entropy` gives it.

    Parameters
    ----------
    z, y : ndarray, shape (m, n)
        Logits and targets, float32 or float64.

    Returns
    -------
    ndarray, shape (m,)
    """
    if z.shape[-1] < 2:
        return _binary_cross_entropy(np.ones_like(z), y)
    return -_softmax_bce_logs(z, y).sum(axis=-1)


def _softmax_bce_logs(z: Array, y: Array) -> Array:
    """y_j ln a_j + (1 − y_j) ln(1 − a_j) of a = softmax(z), one per unit (n ≥ 2)."""
    at_d, log_a, lse, lse_o = _softmax_parts(z)
    with np.errstate(divide="ignore"):  # (log1p(−1) at d, not taken)
        log_c = np.where(at_d, lse_o - lse, np.log1p(-np.exp(log_a)))
    return _times(y, log_a) + _times(1 - y, log_c)


def softmax_binary_cross_entropy_terms(z: Array, y: Array) -> Array:
    r"""ℓ's terms −[y_j ln a_j + (1 − y_j) ln(1 − a_j)] of a = softmax(z), one per unit.

    From the logits, as :func:`softmax_binary_cross_entropy` (whose ℓ is their sum, the
    sign turned after it): rows of two units or more.
    """
    return -_softmax_bce_logs(z, y)


def _times(x: Array, y: Array) -> Array:
    """Return x y, taken as 0 where x = 0 (a target's 0 times the log of a 0)."""
    with np.errstate(invalid="ignore"):
        return np.where(x == 0, 0, x * y).astype(np.result_type(x, y), copy=False)


def softmax_binary_cross_entropy_delta(z: Array, y: Array) -> Array:
    r"""δ = ∂ℓ/∂z of softmax + binary cross-entropy, from the logits.

    With c_j = 1 − a_j, the chain rule −Σ_i ∂ℓ/∂a_i J_ij, J_ij = a_i(δ_ij − a_j), is

    .. math:: \delta_j = -y_j + a_j\Bigl(\sum_i y_i + 1 - y_j\Bigr)
                         - a_j \sum_{i\ne j} r_i,\qquad r_i = \frac{(1-y_i)\,a_i}{c_i}.

    Every r_i with i ≠ d is at most 1 (c_i ≥ ½); r_d, huge where a_d ≈ 1, enters only
    through a_j r_d = (1 − y_d) a_d t_j with t_j = a_j / c_d = e^{z_j − lse_{k≠d} z} ≤ 1.
    So, with r_d taken as 0, R = Σ_i r_i and t_d = 0,

    .. math:: \delta = -y + a\odot\Bigl(\sum_i y_i + 1 - y\Bigr) - a\odot(R - r)
                       - (1 - y_d)\,a_d\,t,

    and δ_d, written with a_d = 1 − c_d so that nothing cancels when a_d rounds to 1,

    .. math:: \delta_d = \sum_{i\ne d} y_i + (1 - y_d)
                         - c_d\Bigl(\sum_i y_i + 1 - y_d\Bigr) - a_d R.

    No intermediate is large; a row of one unit has δ = 0 (a = 1 whatever z).

    Parameters
    ----------
    z, y : ndarray, shape (m, n)
        Logits and targets, float32 or float64.

    Returns
    -------
    ndarray, shape (m, n)
    """
    if z.shape[-1] < 2:
        return np.zeros_like(z)
    at_d, log_a, lse, lse_o = _softmax_parts(z)
    a, others = np.exp(log_a), ~at_d
    y_total = y.sum(axis=-1, keepdims=True)
    y_d = np.where(at_d, y, 0).sum(axis=-1, keepdims=True)
    a_d = np.where(at_d, a, 0).sum(axis=-1, keepdims=True)
    c_d = np.exp(lse_o - lse)  # 1 − a_d = Σ_{k≠d} a_k
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # at d: not taken
        r = np.where(others, (1 - y) * a / (1 - a), 0)
        t = np.where(others, np.exp(z - lse_o), 0)
    R = r.sum(axis=-1, keepdims=True)
    delta = -y + a * (y_total + 1 - y) - a * (R - r) - (1 - y_d) * a_d * t
    delta_d = (y_total - y_d) + (1 - y_d) - c_d * (y_total + 1 - y_d) - a_d * R
    return np.where(at_d, delta_d, delta).astype(z.dtype, copy=False)


def softmax_binary_cross_entropy_gradient(z: Array, a: Array, y: Array) -> Array:
    r"""∂ℓ/∂a_j = −y_j / a_j + (1 − y_j) / (1 − a_j), with 1 − a_d from the logits.

    .. math:: 1 - a_d = e^{\operatorname{lse}_{k\ne d}(z) - \operatorname{lse}(z)}

    Where that underflows, (1 − y_d)/(1 − a_d) is +∞, as is −y_j/a_j where a_j is 0:
    the true values overflow. No clamp. Each term is 0 where its target factor is.
    """
    if z.shape[-1] < 2:
        return _binary_cross_entropy_gradient(a, y)
    at_d, _, lse, lse_o = _softmax_parts(z)
    c = np.where(at_d, np.exp(lse_o - lse), 1 - a)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return np.where(y == 0, 0, -y / a) + np.where(y == 1, 0, (1 - y) / c)


SATURATED: dict[tuple[str, str], Saturated] = {
    ("softmax", "binary_cross_entropy"): Saturated(
        softmax_binary_cross_entropy_rows,
        softmax_binary_cross_entropy,
        softmax_binary_cross_entropy_delta,
        softmax_binary_cross_entropy_gradient,
    ),
}

# the terms, one per output unit, of the pairs whose ℓ is taken from the logits: each ℓ
# (FUSED's value, SATURATED's) is the sum of these, bit for bit
LOGIT_TERMS: dict[tuple[str, str], Callable[[Array, Array], Array]] = {
    ("softmax", "cross_entropy"): _log_softmax_cross_entropy_terms,
    ("sigmoid", "binary_cross_entropy"): _log_sigmoid_binary_cross_entropy_terms,
    ("softmax", "binary_cross_entropy"): softmax_binary_cross_entropy_terms,
}
