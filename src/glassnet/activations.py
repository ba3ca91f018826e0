"""Activation functions a = f(z) and their derivatives, by name.

Each activation works on a batch ``z`` of shape (m, n), one example per row,
and keeps its dtype (the network casts a custom one's a and δ to it, as the
training loop's in-place arrays do).  ``derivative(z, a)`` returns f'(z): element-wise of shape
(m, n) for every activation but softmax, whose derivative is the Jacobian
∂a_i/∂z_j of each example, shape (m, n, n).  ``vjp(z, a, g)`` returns
δ = ∂ℓ/∂z from g = ∂ℓ/∂a: g ⊙ f'(z) element-wise, Jᵀ g for softmax.  The
backward pass of :mod:`glassnet.network` calls ``vjp``; explanations show
``derivative``, and a test shows the two agree; :func:`register_activation`
checks a custom activation's functions against each other on a test batch.

All are numerically stable: sigmoid, softplus and elu never overflow for any
finite z, softmax subtracts each row's maximum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from glassnet import blas
from glassnet.errors import (
    ArgumentError,
    SpecError,
    check_signature,
    quote,
    registered,
    unknown_name,
)

Array = np.ndarray


class Named:
    """An activation's or a loss's ways as an object: shown by name, copied as itself.

    Both are frozen, of functions and names: a copy would be the same object again,
    and a deep copy must not go through pickling (its functions may be lambdas).
    """

    name: str

    def __repr__(self) -> str:  # its name, not its functions' addresses
        return f"{type(self).__name__}({self.name!r})"

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: dict) -> Any:
        return self


@dataclass(frozen=True, repr=False)
class Activation(Named):
    """An activation function with its derivative and how to show it.

    Attributes
    ----------
    name : str
        The registry name.
    forward : callable
        ``forward(z) -> a``.
    derivative : callable
        ``derivative(z, a) -> f'(z)``, (m, n), or (m, n, n) when ``jacobian``.
    jacobian : bool
        True when a_i depends on every z_j of its row (softmax).
    latex, latex_derivative, text, text_derivative : str
        f(z) and f'(z) in LaTeX and in plain text, for explanations.
    kink : float or None
        A point where f' jumps (relu) or f'' jumps (elu); a finite difference
        across it is meaningless or loses its accuracy, so gradcheck skips it.
    vjp_fn : callable or None
        A faster ``vjp(z, a, g)`` than g ⊙ derivative(z, a); must agree with it.
    forward_into, vjp_into : callable or None
        In-place versions for the training loop, writing into preallocated arrays:
        ``forward_into(z, out, scratch)`` sets out = f(z); ``vjp_into(z, a, g,
        scratch)`` turns g = ∂ℓ/∂a into δ in place. ``scratch`` is a namespace of
        the layer's own in which they keep work arrays between calls (see
        :func:`scratch`). They write and return nothing; ``out`` may be z itself (a
        prediction computes a over z). They must compute the functions of
        ``forward`` and ``vjp``, which explanations show (to rounding: the in-place
        sigmoid may differ from the allocating one in the last bit): a copy of a built-in
        (``dataclasses.replace``) with another ``forward`` or ``derivative`` needs its
        own, or None. Without them, :meth:`apply` and :meth:`vjp_inplace` fall back
        to the allocating ``forward`` and ``vjp``. :func:`register_activation` checks
        them on a test batch.
    vjp_of_a : bool
        ``vjp_into`` reads only a (never z): a training step may then compute a
        hidden layer's a = f(z) over z itself, one array fewer through the caches.
        Set it back to False when giving a copy of a built-in activation
        (``dataclasses.replace``) a ``vjp_into`` that reads z.
    """

    name: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    latex: str
    latex_derivative: str
    text: str
    text_derivative: str
    jacobian: bool = False
    kink: float | None = None
    vjp_fn: Callable[[Array, Array, Array], Array] | None = None
    forward_into: Callable[[Array, Array, SimpleNamespace], None] | None = None
    vjp_into: Callable[[Array, Array, Array, SimpleNamespace], None] | None = None
    vjp_of_a: bool = False

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickled by name when it is the registry's entry under it.

        Its functions may be lambdas, which pickle cannot store; a network or an
        estimator with a registered activation then pickles as :func:`glassnet.save_model`
        stores it, by name, and unpickles in a process where that name is registered.
        Any other activation pickles field by field.
        """
        if ACTIVATIONS.get(self.name) is self:
            return (_registered, (self.name,))
        return super().__reduce_ex__(protocol)

    def apply(self, z: Array, out: Array, scratch: SimpleNamespace) -> None:
        """Write a = f(z) into ``out`` (in place where the activation can)."""
        if self.forward_into is not None:
            self.forward_into(z, out, scratch)
        else:
            out[...] = self.forward(z)

    def vjp_inplace(self, z: Array, a: Array, g: Array, scratch: SimpleNamespace) -> None:
        """Turn ``g`` = ∂ℓ/∂a into δ = ∂ℓ/∂z in place."""
        if self.vjp_into is not None:
            self.vjp_into(z, a, g, scratch)
        else:
            g[...] = self.vjp(z, a, g)

    def vjp(self, z: Array, a: Array, g: Array) -> Array:
        r"""Return δ = ∂ℓ/∂z from g = ∂ℓ/∂a.

        .. math:: \delta = g \odot f'(z) \quad\text{(element-wise)},\qquad
                  \delta_j = \sum_i g_i J_{ij} \quad\text{(a Jacobian, per example)}
        """
        if self.vjp_fn is not None:
            return self.vjp_fn(z, a, g)
        if self.jacobian:  # derivative gives J, shape (m, n, n), J_ij = ∂a_i/∂z_j
            return np.einsum("mij,mi->mj", self.derivative(z, a), g)
        return g * self.derivative(z, a)


def scratch(
    space: SimpleNamespace,
    name: str,
    like: Array,
    dtype: object = None,
    shape: tuple[int, ...] | None = None,
    fill: float | None = None,
) -> Array:
    """A work array kept in ``space`` under ``name``, made on first use (like ``like``).

    With ``fill``, made holding that value: a ufunc is ~5× slower against a Python
    scalar than against an array of it.
    """
    arr = space.__dict__.get(name)
    want = like.shape if shape is None else shape
    kind = like.dtype if dtype is None else dtype
    if arr is None or arr.shape != want or arr.dtype != kind:
        arr = blas.empty(want, kind)  # on cache lines, as the workspace's arrays
        if fill is not None:
            arr.fill(fill)
        setattr(space, name, arr)
    return arr


# In-place versions for the training loop. They compute the same functions as the
# allocating ones above them, possibly with other rounding; explanations use only
# the allocating ones, so their numbers never change.


def _identity_into(z: Array, out: Array, space: SimpleNamespace) -> None:
    np.copyto(out, z)


def _identity_vjp_into(z: Array, a: Array, g: Array, space: SimpleNamespace) -> None:
    """δ = g: nothing to do."""


def _sigmoid_into(z: Array, out: Array, space: SimpleNamespace) -> None:
    r"""σ(z) = n / (1 + e) with e = e^{-|z|}, n = 1 for z ≥ 0 and e for z < 0, in place.

    The numbers of :func:`_sigmoid`, bit for bit (the explained step's): ½ + ½ tanh(z/2)
    loses the small values' digits, and is 0 from z ≈ −37, where e^z / (1 + e^z) is not.
    n = max(e, [z ≥ 0]), since e ≤ 1.
    """
    numerator = scratch(space, "work", z)
    np.greater_equal(z, 0.0, out=numerator, casting="unsafe")  # [z ≥ 0]; heaviside: 30× slower
    np.abs(z, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)  # e = e^{-|z|} ≤ 1: never overflows
    np.maximum(out, numerator, out=numerator)
    out += 1.0
    np.divide(numerator, out, out=out)


def _sigmoid_vjp_into(z: Array, a: Array, g: Array, space: SimpleNamespace) -> None:
    """Set g ← g ⊙ a(1 − a)."""
    work = scratch(space, "work", a)
    np.subtract(1.0, a, out=work)
    work *= a
    g *= work


def _tanh_into(z: Array, out: Array, space: SimpleNamespace) -> None:
    np.tanh(z, out=out)


def _tanh_vjp_into(z: Array, a: Array, g: Array, space: SimpleNamespace) -> None:
    """Set g ← g ⊙ (1 − a²)."""
    work = scratch(space, "work", a)
    np.multiply(a, a, out=work)
    np.subtract(1.0, work, out=work)
    g *= work


def _leaky_relu_into(z: Array, out: Array, space: SimpleNamespace) -> None:
    """max(z, 0.01 z), which is z for z ≥ 0 and 0.01 z below: :func:`_leaky_relu`'s numbers."""
    work = scratch(space, "work", z)
    np.multiply(z, LEAKY_SLOPE, out=work)
    np.maximum(z, work, out=out)


def _leaky_relu_vjp_into(z: Array, a: Array, g: Array, space: SimpleNamespace) -> None:
    """Set g ← g ⊙ f′(z), f′ = max([z ≥ 0], 0.01): 1 or 0.01 exactly, as the derivative's.

    From z, not a: 0.01 z of a tiny negative z can round to −0, which is ≥ 0.
    """
    d = scratch(space, "mask", z)
    np.greater_equal(z, 0.0, out=d, casting="unsafe")
    np.maximum(d, scratch(space, "slopes", z, fill=LEAKY_SLOPE), out=d)
    g *= d


def _elu_into(z: Array, out: Array, space: SimpleNamespace) -> None:
    """max(z, e^min(z, 0) − 1), which is z for z > 0 (e^0 − 1 = 0) and e^z − 1 ≥ z below."""
    work = scratch(space, "work", z)
    np.minimum(z, scratch(space, "zeros", z, fill=0), out=work)
    np.expm1(work, out=work)
    np.maximum(z, work, out=out)


def _elu_vjp_into(z: Array, a: Array, g: Array, space: SimpleNamespace) -> None:
    """Set g ← g ⊙ e^min(z, 0): 1 for z > 0 (e^0), e^z below, as the derivative's."""
    work = scratch(space, "work", z)
    np.minimum(z, scratch(space, "zeros", z, fill=0), out=work)
    np.exp(work, out=work)
    g *= work


def _softplus_into(z: Array, out: Array, space: SimpleNamespace) -> None:
    """max(z, 0) + ln(1 + e^{−|z|}), as :func:`_softplus` (z read before out is written)."""
    work = scratch(space, "work", z)
    np.abs(z, out=work)
    np.negative(work, out=work)
    np.exp(work, out=work)
    np.log1p(work, out=work)
    np.maximum(z, scratch(space, "zeros", z, fill=0), out=out)
    out += work


def _softplus_vjp_into(z: Array, a: Array, g: Array, space: SimpleNamespace) -> None:
    """Set g ← g ⊙ σ(z), σ as :func:`_sigmoid_into` makes it."""
    sigma = scratch(space, "sigma", z)
    _sigmoid_into(z, sigma, space)
    g *= sigma


SMALL = 4096  # numbers in an array below which one NumPy call beats two faster ones
LARGE = 65536  # numbers in an array above which relu reads one row of zeros, broadcast
WIDE = 64  # ...if its rows are at least this long (NumPy loops over short rows slowly)


def _relu_into(z: Array, out: Array, space: SimpleNamespace) -> None:
    """max(z, 0) against zeros: an array of z's shape, or one row for a large, wide z.

    A ufunc is ~4× slower against a Python scalar than against an array. A whole
    array of zeros is the fastest while it sits in the caches; a large one (a
    prediction's chunk of 1,024 rows) comes from further away than one row of zeros
    broadcast (relu of 1,024 × 256 after the rest of a forward pass: 105 µs → 32 µs).
    """
    row = z.size > LARGE and z.shape[-1] >= WIDE
    shape = z.shape[-1:] if row else z.shape
    np.maximum(z, scratch(space, "zeros", z, shape=shape, fill=0), out=out)


def _relu_vjp_into(z: Array, a: Array, g: Array, space: SimpleNamespace) -> None:
    """Set g ← g ⊙ [z > 0], with [z > 0] as 0/1 in g's dtype.

    a = max(z, 0) is positive exactly where z is, so [z > 0] = sign(a) = ⌈min(a, 1)⌉.
    Multiplying by a mask of g's own dtype is 3× faster than by a boolean one (no
    cast), and where= or indexing are slower still. NumPy's sign has no vectorized
    loop: beyond a few thousand numbers ⌈min(a, 1)⌉, two vectorized passes, takes
    half its time; below, one call costs less than two.
    """
    mask = scratch(space, "mask", a)
    if a.size <= SMALL:
        np.sign(a, out=mask)
    else:
        np.minimum(a, scratch(space, "ones", a, fill=1), out=mask)
        np.ceil(mask, out=mask)
    np.multiply(g, mask, out=g)


SHORT_ROW = 32  # rows up to this long are summed as a product with ones, and shifted...
MANY_ROWS = 64  # ...through a transposed copy when there are at least this many
# |z| up to this: e^z neither overflows nor falls below the smallest normal number
UNSHIFTED = {np.dtype(np.float32): 80.0, np.dtype(np.float64): 700.0}


def _softmax_into(z: Array, out: Array, space: SimpleNamespace) -> None:
    """e^{z − max} / Σ e^{z − max}, row by row, into ``out`` (which may share z's memory).

    Keeps each row's shift and Σ in ``space.top`` and ``space.total``: its log-sum-exp
    is top + ln total (the training loop's loss, :class:`glassnet.losses.EpochLoss`).

    Short rows (a classifier's 10 outputs) are NumPy's slow case: it reduces each
    short row on its own, at some 40 ns a row, plus its price per call. So their sums
    are one product with a vector of ones, and while every |z| is at most
    :data:`UNSHIFTED` the shift is 0: e^z then neither overflows nor loses digits
    below the normal numbers, and e^z / Σ e^z is the same quotient, to rounding
    (16 rows of 10: 4.9 µs → 3.9 µs; 128 rows: 10 µs → 8 µs; 1,024 rows: 25 → 20 µs).
    Beyond, each row is shifted by its maximum; many rows then go through a
    transposed copy, on which every step is one vectorized pass along the batch.
    ``ufunc.reduce`` directly: np.max and np.sum add microseconds of wrapping.
    """
    m, n = z.shape
    top = scratch(space, "top", z, shape=(m, 1))
    total = scratch(space, "total", z, shape=(m, 1))
    short = n <= SHORT_ROW
    # (bounded: every |z| finite and at most UNSHIFTED, which the epoch's loss reads)
    space.bounded = short and _within(z, UNSHIFTED.get(z.dtype, 0.0), out, space)
    if space.bounded:
        top.fill(0)
        np.exp(z, out=out)
    elif not short or m < MANY_ROWS:
        np.maximum.reduce(z, axis=1, keepdims=True, out=top)
        np.subtract(z, top, out=out)
        np.exp(out, out=out)
    else:  # the shift on the transposed copy, each step a pass along the batch
        columns = scratch(space, "columns", z, shape=(n, m))
        columns[...] = z.T
        row_top, row_total = top.reshape(m), total.reshape(m)
        np.maximum.reduce(columns, axis=0, out=row_top)
        np.subtract(columns, row_top, out=columns)
        np.exp(columns, out=columns)
        np.add.reduce(columns, axis=0, out=row_total)
        np.divide(columns, row_total, out=columns)
        out[...] = columns.T
        return
    if short:
        np.dot(out, scratch(space, "row_ones", z, shape=(n,), fill=1), out=total.reshape(m))
    else:
        np.add.reduce(out, axis=1, keepdims=True, out=total)
    np.divide(out, total, out=out)


def _within(z: Array, bound: float, out: Array, space: SimpleNamespace) -> bool:
    """True when z is not empty and every |z| ≤ ``bound`` (NaN: False); |z| goes to ``out``.

    To a work array of its own when ``out`` shares z's memory (z is still to be read).
    """
    size = scratch(space, "size", z) if np.may_share_memory(out, z) else out
    np.abs(z, out=size)
    return bool(z.size) and bool(np.maximum.reduce(size, axis=None) <= bound)


def _softmax_vjp_into(z: Array, a: Array, g: Array, space: SimpleNamespace) -> None:
    """Set g ← a ⊙ (g − Σ_j a_j g_j)."""
    work = scratch(space, "work", a)
    # not "total": the forward pass's row sums stay there (the training loop's loss)
    row_dot = scratch(space, "row_dot", a, shape=(a.shape[0], 1))
    np.multiply(a, g, out=work)
    np.add.reduce(work, axis=1, keepdims=True, out=row_dot)
    g -= row_dot
    g *= a


def _identity(z: Array) -> Array:
    """f(z) = z."""
    return z.copy()


def _identity_derivative(z: Array, a: Array) -> Array:
    """f'(z) = 1."""
    return np.ones_like(z)


def _sigmoid(z: Array) -> Array:
    r"""σ(z) = 1 / (1 + e^{-z}), computed from e^{-|z|} so that it never overflows.

    .. math:: \sigma(z) = \frac{1}{1+e^{-z}} = \frac{e^{z}}{1+e^{z}}
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def _sigmoid_derivative(z: Array, a: Array) -> Array:
    """σ'(z) = σ(z)(1 − σ(z))."""
    return a * (1.0 - a)


def _tanh(z: Array) -> Array:
    """tanh(z)."""
    return np.tanh(z)


def _tanh_derivative(z: Array, a: Array) -> Array:
    """tanh'(z) = 1 − tanh²(z)."""
    return 1.0 - a * a


def _relu(z: Array) -> Array:
    """relu(z) = max(0, z)."""
    return np.maximum(z, np.zeros((), dtype=z.dtype))


def _relu_derivative(z: Array, a: Array) -> Array:
    """relu'(z) = 1 for z > 0, 0 for z ≤ 0."""
    return (z > 0).astype(z.dtype)


def _relu_vjp(z: Array, a: Array, g: Array) -> Array:
    """δ = g ⊙ [z > 0]: a boolean mask multiplies faster than a float one is made."""
    return g * (z > 0)


LEAKY_SLOPE = 0.01


def _leaky_relu(z: Array) -> Array:
    """leaky_relu(z) = z for z ≥ 0, 0.01 z for z < 0."""
    return np.where(z >= 0, z, LEAKY_SLOPE * z).astype(z.dtype, copy=False)


def _leaky_relu_derivative(z: Array, a: Array) -> Array:
    """leaky_relu'(z) = 1 for z ≥ 0, 0.01 for z < 0."""
    one, slope = z.dtype.type(1), z.dtype.type(LEAKY_SLOPE)  # (Python floats made float64)
    return np.where(z >= 0, one, slope)


def _elu(z: Array) -> Array:
    """elu(z) = z for z > 0, e^z − 1 for z ≤ 0 (α = 1)."""
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)


def _elu_derivative(z: Array, a: Array) -> Array:
    """elu'(z) = 1 for z > 0, e^z for z ≤ 0."""
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)


def _softplus(z: Array) -> Array:
    r"""softplus(z) = ln(1 + e^z), as max(z, 0) + ln(1 + e^{−|z|}) so it never overflows."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _softplus_derivative(z: Array, a: Array) -> Array:
    """softplus'(z) = σ(z)."""
    return _sigmoid(z)


def _softmax(z: Array) -> Array:
    r"""softmax(z)_i = e^{z_i} / Σ_j e^{z_j}, per row, after subtracting the row maximum.

    .. math:: a_i = \frac{e^{z_i - \max_k z_k}}{\sum_j e^{z_j - \max_k z_k}}
    """
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_jacobian(z: Array, a: Array) -> Array:
    r"""The Jacobian of each row, J_ij = ∂a_i/∂z_j = a_i (δ_ij − a_j); shape (m, n, n).

    .. math:: J = \operatorname{diag}(a) - a a^\top
    """
    J = -a[:, :, None] * a[:, None, :]
    idx = np.arange(a.shape[-1])
    J[:, idx, idx] += a
    return J


def _softmax_vjp(z: Array, a: Array, g: Array) -> Array:
    r"""δ = Jᵀ g = a ⊙ (g − Σ_j a_j g_j), without forming J (J is symmetric).

    .. math:: \delta_i = \sum_j J_{ji} g_j = a_i \Bigl(g_i - \sum_j a_j g_j\Bigr)
    """
    return a * (g - (a * g).sum(axis=-1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {}
_BUILT_IN: frozenset[str] = frozenset()  # the names glassnet's formulas rely on
_BUILT_IN_HOOKS: dict[Callable, str] = {}  # their in-place and fast functions, by owner


def register_activation(
    activation: Activation | str,
    forward: Callable[[Array], Array] | None = None,
    derivative: Callable[[Array, Array], Array] | None = None,
    *,
    vjp: Callable[[Array, Array, Array], Array] | None = None,
    jacobian: bool = False,
    text: str | None = None,
    text_derivative: str | None = None,
    latex: str | None = None,
    latex_derivative: str | None = None,
    kink: float | None = None,
) -> Activation:
    """Add an activation to the registry under its name and return it.

    Give an :class:`Activation`, or a name with ``forward(z) -> a`` and either
    ``derivative(z, a) -> f'(z)`` or ``vjp(z, a, g) -> δ`` (or both). With only
    ``vjp``, f'(z) is recovered from it for explanations: vjp(z, a, 1) element-wise,
    or the Jacobian column by column when ``jacobian`` is true. Check the pair with
    :func:`glassnet.gradcheck.gradcheck` on a network that uses it.

    The functions take a batch, one example per row, and return new arrays: forward
    a of z's shape (m, n), derivative f'(z) of shape (m, n) ((m, n, n) with
    ``jacobian``), vjp δ of shape (m, n). They must not modify their arguments: z, a
    and g are the pass's own arrays, which explanations show. An :class:`Activation`'s
    in-place ``forward_into`` and ``vjp_into`` must compute the same numbers as
    ``forward`` and ``vjp``, ``forward_into`` also with ``out`` the same array as z.

    Before it is registered, every function given (an :class:`Activation`'s too) is
    called on a small test batch: one that takes other parameters, returns another
    shape, changes its arguments, or disagrees with the others (a ``vjp`` with
    ``derivative``; ``forward_into`` and ``vjp_into`` with ``forward`` and ``vjp``,
    as when copied from a built-in with ``dataclasses.replace``) raises
    :class:`ArgumentError` naming it.

    Parameters
    ----------
    activation : Activation or str
        A whole :class:`Activation` (the other arguments then stay unset), or the name
        to register the functions under.
    forward : callable, optional
        ``forward(z) -> a``.
    derivative : callable, optional
        ``derivative(z, a) -> f'(z)``; with ``jacobian`` the Jacobian ∂a/∂z of each row.
    vjp : callable, optional
        ``vjp(z, a, g) -> δ``, the vector-Jacobian product δ = f′(z)ᵀ g.
    jacobian : bool, default False
        Each a_j depends on every z_i of its row (as softmax's).
    text, text_derivative, latex, latex_derivative : str, optional
        The formulas as explanations print them, in plain text and in LaTeX (by
        default ``name(z)`` and ``name'(z)``).
    kink : float, optional
        A z where f′ jumps (relu's 0): gradcheck's finite differences skip it.

    Returns
    -------
    Activation
        The one registered, as :func:`get_activation` gives it by name.

    Examples
    --------
    >>> import numpy as np
    >>> softsign = register_activation(
    ...     "softsign", lambda z: z / (1 + np.abs(z)), lambda z, a: 1 / (1 + np.abs(z)) ** 2
    ... )
    """
    named = activation.name if isinstance(activation, Activation) else activation
    if named in _BUILT_IN:  # the fused pairs and explanations know them by name
        raise ArgumentError(
            f"name: {named!r} is a built-in activation; register yours under another name"
        )
    if isinstance(activation, Activation):
        _verify(activation)
        ACTIVATIONS[activation.name] = activation
        return activation
    name = activation
    if not isinstance(name, str) or not name.isidentifier():
        raise ArgumentError(f"name: expected an identifier such as 'swish', found {name!r}")
    if forward is None or (derivative is None and vjp is None):
        raise ArgumentError(f"activation {name!r}: give forward and derivative (or vjp)")
    for fn, params, role in (
        (forward, "z", "forward"),
        (derivative, "z, a", "derivative"),
        (vjp, "z, a, g", "vjp"),
    ):
        if fn is not None:
            check_signature(fn, params, f"activation {name!r}: {role}")
    if derivative is None:
        derivative = _derivative_from_vjp(vjp, jacobian)  # type: ignore[arg-type]
    act = Activation(
        name,
        forward,
        derivative,
        latex if latex is not None else rf"\mathrm{{{tex_name(name)}}}(z)",
        latex_derivative if latex_derivative is not None else rf"\mathrm{{{tex_name(name)}}}'(z)",
        text if text is not None else f"{name}(z)",
        text_derivative if text_derivative is not None else f"{name}'(z)",
        jacobian=jacobian,
        kink=kink,
        vjp_fn=vjp,
    )
    _verify(act)
    ACTIVATIONS[name] = act
    return act


# --- the checks of a function before it is registered --------------------------------

PROBE_SHAPE = (3, 4)  # the test batch: 3 examples of 4 units (4: a Jacobian is not square in m)
# Two float64 formulas of one function agree to ~1e-15; another function, or none
# written at all, misses by far more than this.
PROBE_RTOL, PROBE_ATOL = 1e-7, 1e-9


def probe_rng() -> np.random.Generator:
    """The random numbers of a test batch: the same every time (a check reproduces)."""
    return np.random.default_rng(20250101)


def check_names(item: Any, kind: str, formulas: tuple[str, ...]) -> None:
    """ArgumentError unless ``item``'s name is an identifier and its ``formulas`` strings.

    A whole object registered is held to what a name given alone is; a formula that
    is no string would fail only when an explanation prints it.
    """
    if not isinstance(item.name, str) or not item.name.isidentifier():
        raise ArgumentError(f"name: expected an identifier such as 'swish', found {item.name!r}")
    for formula in formulas:
        if not isinstance(getattr(item, formula), str):
            raise ArgumentError(
                f"{kind} {item.name!r}: {formula}: expected a string (the formula as "
                f"explanations print it), found {getattr(item, formula)!r:.60}"
            )


def probe_call(where: str, role: str, fn: Callable, args: dict[str, Any], kept: tuple) -> Any:
    """``fn(*args)`` on a test batch; ArgumentError if it raises or changes an argument in ``kept``.

    A function that changed its argument in place would change the pass's own array:
    z, a or ∂ℓ/∂a as explanations show them, or the next layer's input.
    """
    saved = {k: np.array(args[k], copy=True) for k in kept}
    try:
        with np.errstate(all="ignore"):  # a NaN it makes is named below, not warned of
            result = fn(*args.values())
    except Exception as exc:  # the user's function: whatever it raises, named here
        raise ArgumentError(
            f"{where}: {role} failed on a test batch of shape {PROBE_SHAPE}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    for k, before in saved.items():
        if not np.array_equal(args[k], before, equal_nan=True):
            raise ArgumentError(
                f"{where}: {role} changed its argument {k} in place; it must not modify its "
                "arguments (they are the pass's own arrays): compute into a new array"
            )
    return result


def probe_result(
    where: str,
    role: str,
    result: object,
    shape: tuple,
    what: str,
    inputs: str = "",
    *,
    finite: bool = True,
) -> Array:
    """``result`` if it is an array of finite real numbers of ``shape``, else ArgumentError.

    ``inputs`` says where the test batch lies ("z in ±2"), for a result not finite there;
    ``finite=False`` leaves that to the caller.
    """
    if (
        isinstance(result, np.ndarray)
        and result.shape == shape
        and result.dtype.kind in "biuf"  # bool, integers, floats: made the network's dtype
    ):
        bad = np.argwhere(~np.isfinite(result)) if finite and result.dtype.kind == "f" else []
        if len(bad):  # found here, not as a NaN loss that blames the data or the rate
            i = tuple(int(k) for k in bad[0])
            at = ", ".join(str(k + 1) for k in i)
            raise ArgumentError(
                f"{where}: {role} returned {result[i]} at [{at}] on a test batch of shape "
                f"{PROBE_SHAPE} ({inputs}); it must be finite there"
            )
        return result
    if isinstance(result, np.ndarray):
        found = f"an array of shape {result.shape}, dtype {result.dtype}"
    elif result is None:
        found = "None"
    elif np.isscalar(result):  # one number for the batch
        found = f"the single number {quote(str(result), 40)}"
    else:
        found = f"{type(result).__name__} {quote(repr(result), 40)}"
    raise ArgumentError(
        f"{where}: {role} must return an array of real numbers of shape {shape} ({what}); "
        f"on a test batch of shape {PROBE_SHAPE} it returned {found}"
    )


def probe_differs(got: Array, want: Array) -> str | None:
    """None where ``got`` agrees with ``want``; else the first entry where it differs, in words."""
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(got, want, rtol=PROBE_RTOL, atol=PROBE_ATOL, equal_nan=True)
    if close.all():
        return None
    i = tuple(int(k) for k in np.argwhere(~close)[0])
    at = ", ".join(str(k + 1) for k in i)
    return f"{got[i]:.6g} at [{at}] where {want[i]:.6g}"


def _copied(fn: Callable, role: str, returned: object) -> str:
    """Why a function may disagree: a built-in's, or an in-place one that returned its result."""
    fallback = "derivative(z, a) ⊙ g" if role == "vjp_fn" else "the allocating function"
    owner = _BUILT_IN_HOOKS.get(fn)
    if owner is not None:
        return (
            f" (it is the {role} of the built-in {owner!r}, perhaps kept by dataclasses.replace: "
            f"give your own, or {role}=None to fall back on {fallback})"
        )
    if returned is not None:
        return (
            " (it returned its result: an in-place hook writes into its output array; "
            f"or give {role}=None to fall back on {fallback})"
        )
    return f" (give {role}=None to fall back on {fallback})"


def _verify(act: Activation) -> None:
    """ArgumentError naming ``act`` and the function, unless its functions hold together.

    Each is called on a test batch z of :data:`PROBE_SHAPE` in ±2 (away from the kink):
    forward, vjp and derivative return arrays of the right shape and leave their
    arguments as they were; a vjp agrees with derivative ⊙ g (or the Jacobian's
    product); the in-place hooks compute, as the training workspace calls them
    (out apart from z, and over z itself; with ``vjp_of_a`` a = z too), the numbers of
    forward and vjp (to a relative 1e-7). The training loop trains what explanations
    show, to rounding.
    """
    check_names(act, "activation", ("latex", "latex_derivative", "text", "text_derivative"))
    where = f"activation {act.name!r}"
    for role, fn, params, needed in (
        ("forward", act.forward, "z", True),
        ("derivative", act.derivative, "z, a", True),
        ("vjp", act.vjp_fn, "z, a, g", False),
        ("forward_into", act.forward_into, "z, out, scratch", False),
        ("vjp_into", act.vjp_into, "z, a, g, scratch", False),
    ):
        if needed or fn is not None:
            check_signature(fn, params, f"{where}: {role}")
    rng = probe_rng()
    z = rng.uniform(-2.0, 2.0, PROBE_SHAPE)
    if act.kink is not None:  # a step across the kink: f' there is either side's
        try:
            kink = float(act.kink)
        except (TypeError, ValueError):
            raise ArgumentError(
                f"{where}: kink: expected a number or None, found {act.kink!r}"
            ) from None
        z[np.abs(z - kink) < 0.25] += 0.5
    g = rng.uniform(-1.0, 1.0, PROBE_SHAPE)  # ∂ℓ/∂a
    a = probe_call(where, "forward", act.forward, {"z": z}, ("z",))
    inputs = "z in ±2"
    a = probe_result(where, "forward", a, PROBE_SHAPE, "a = f(z), of z's shape", inputs)
    a = a.astype(z.dtype)  # as the network makes it
    if act.vjp_fn is not None:
        delta = probe_call(where, "vjp", act.vjp_fn, {"z": z, "a": a, "g": g}, ("z", "a", "g"))
        delta = probe_result(where, "vjp", delta, PROBE_SHAPE, "δ = ∂ℓ/∂z, of z's shape", inputs)
    shape = (*PROBE_SHAPE, PROBE_SHAPE[1]) if act.jacobian else PROBE_SHAPE
    d = probe_call(where, "derivative", act.derivative, {"z": z, "a": a}, ("z", "a"))
    d = probe_result(
        where,
        "derivative",
        d,
        shape,
        "the Jacobian per example" if act.jacobian else "f'(z)",
        inputs,
    )
    by_derivative = np.einsum("mij,mi->mj", d, g) if act.jacobian else g * d
    if act.vjp_fn is not None:
        wrong = probe_differs(delta, by_derivative)
        if wrong is not None and getattr(act.derivative, "from_vjp", False):
            raise ArgumentError(
                f"{where}: vjp(z, a, g) is not g ⊙ vjp(z, a, 1) ({wrong}): a_i depends on other "
                "z_j of its row; register it with jacobian=True"
            )
        if wrong is not None:
            product = "its Jacobian's product" if act.jacobian else "derivative(z, a) ⊙ g"
            why = (
                _copied(act.vjp_fn, "vjp_fn", None)
                if act.vjp_fn in _BUILT_IN_HOOKS
                else "; one of them is wrong (glassnet.gradcheck tells which)"
            )
            raise ArgumentError(f"{where}: vjp(z, a, g) and {product} disagree ({wrong}){why}")
    want = delta if act.vjp_fn is not None else by_derivative
    reference = "vjp(z, a, g)" if act.vjp_fn is not None else "derivative(z, a) ⊙ g"
    _verify_in_place(act, where, z, a, g, want, reference)


def _verify_in_place(
    act: Activation, where: str, z: Array, a: Array, g: Array, want: Array, reference: str
) -> None:
    """The in-place hooks of :func:`_verify`, called as the workspace calls them."""
    if act.forward_into is None and act.vjp_into is None:
        return
    # each layer's own namespace, shared by its forward_into and vjp_into, as in a workspace
    for aliased in (False, True):
        space = SimpleNamespace()
        z_in = z.copy()
        out = z_in if aliased else np.full(z.shape, np.nan)
        if act.forward_into is not None:
            args = {"z": z_in, "out": out, "scratch": space}
            kept = () if aliased else ("z",)
            returned = probe_call(where, "forward_into", act.forward_into, args, kept)
            wrong = probe_differs(out, a)
            if wrong is not None:
                how = " with out the same array as z (a prediction's)" if aliased else ""
                raise ArgumentError(
                    f"{where}: forward_into(z, out, scratch){how} does not leave forward(z) "
                    f"in out ({wrong}){_copied(act.forward_into, 'forward_into', returned)}"
                )
        else:
            out[...] = a
        if act.vjp_into is None or (aliased and not act.vjp_of_a):
            continue
        g_in = g.copy()
        z_arg = out if aliased else z_in  # vjp_of_a: a hidden layer's a_l is written over z_l
        args = {"z": z_arg, "a": out, "g": g_in, "scratch": space}
        returned = probe_call(where, "vjp_into", act.vjp_into, args, () if aliased else ("z", "a"))
        wrong = probe_differs(g_in, want)
        if wrong is not None:
            if aliased:
                raise ArgumentError(
                    f"{where}: vjp_into(z, a, g, scratch) with z the same array as a "
                    f"(vjp_of_a: a hidden layer writes a over z) does not leave {reference} in "
                    f"g ({wrong}); set vjp_of_a=False if it reads z"
                )
            raise ArgumentError(
                f"{where}: vjp_into(z, a, g, scratch) does not leave {reference} in g "
                f"({wrong}){_copied(act.vjp_into, 'vjp_into', returned)}"
            )


def tex_name(name: str) -> str:
    """A name inside LaTeX's mathrm: an underscore is a character, not a subscript."""
    return name.replace("_", r"\_")


def _derivative_from_vjp(
    vjp: Callable[[Array, Array, Array], Array], jacobian: bool
) -> Callable[[Array, Array], Array]:
    """f'(z) from a vector-Jacobian product: vjp(z, a, 1), or Jᵀ's rows e_iᵀ J one by one."""

    def derivative(z: Array, a: Array) -> Array:
        if not jacobian:
            return vjp(z, a, np.ones_like(z))
        m, n = z.shape
        J = np.empty((m, n, n), dtype=z.dtype)
        for i in range(n):
            e = np.zeros_like(z)
            e[:, i] = 1.0
            J[:, i, :] = vjp(z, a, e)  # (Jᵀ e_i)_j = J_ij
        return J

    # a vjp that is not element-wise then fails registering with a hint at ``jacobian``
    derivative.from_vjp = True  # type: ignore[attr-defined]
    return derivative


for _act in (
    Activation(
        "identity",
        _identity,
        _identity_derivative,
        "z",
        "1",
        "z",
        "1",
        forward_into=_identity_into,
        vjp_into=_identity_vjp_into,
        vjp_of_a=True,
    ),
    Activation(
        "sigmoid",
        _sigmoid,
        _sigmoid_derivative,
        r"\sigma(z) = \frac{1}{1+e^{-z}}",
        r"\sigma(z)\,(1-\sigma(z))",
        "σ(z) = 1/(1+e^(−z))",
        "a(1 − a)",
        forward_into=_sigmoid_into,
        vjp_into=_sigmoid_vjp_into,
        vjp_of_a=True,
    ),
    Activation(
        "tanh",
        _tanh,
        _tanh_derivative,
        r"\tanh(z)",
        r"1-\tanh^2(z)",
        "tanh(z)",
        "1 − a²",
        forward_into=_tanh_into,
        vjp_into=_tanh_vjp_into,
        vjp_of_a=True,
    ),
    Activation(
        "relu",
        _relu,
        _relu_derivative,
        r"\max(0, z)",
        r"[z > 0]",
        "max(0, z)",
        "1 if z > 0 else 0",
        kink=0.0,
        vjp_fn=_relu_vjp,
        forward_into=_relu_into,
        vjp_into=_relu_vjp_into,
        vjp_of_a=True,
    ),
    Activation(
        "leaky_relu",
        _leaky_relu,
        _leaky_relu_derivative,
        r"\max(0.01z, z)",
        r"1 \text{ if } z \ge 0 \text{ else } 0.01",
        "z if z ≥ 0 else 0.01z",
        "1 if z ≥ 0 else 0.01",
        kink=0.0,
        forward_into=_leaky_relu_into,
        vjp_into=_leaky_relu_vjp_into,
    ),
    Activation(
        "elu",
        _elu,
        _elu_derivative,
        r"z \text{ if } z>0 \text{ else } e^{z}-1",
        r"1 \text{ if } z>0 \text{ else } e^{z}",
        "z if z > 0 else e^z − 1",
        "1 if z > 0 else e^z",
        kink=0.0,
        forward_into=_elu_into,
        vjp_into=_elu_vjp_into,
    ),
    Activation(
        "softplus",
        _softplus,
        _softplus_derivative,
        r"\ln(1+e^{z})",
        r"\sigma(z)",
        "ln(1 + e^z)",
        "σ(z)",
        forward_into=_softplus_into,
        vjp_into=_softplus_vjp_into,
    ),
    Activation(
        "softmax",
        _softmax,
        _softmax_jacobian,
        r"\frac{e^{z_i}}{\sum_j e^{z_j}}",
        r"J_{ij} = a_i(\delta_{ij} - a_j)",
        "e^(z_i) / Σ_j e^(z_j)",
        "J_ij = a_i(δ_ij − a_j)",
        jacobian=True,
        vjp_fn=_softmax_vjp,
        forward_into=_softmax_into,
        vjp_into=_softmax_vjp_into,
        vjp_of_a=True,
    ),
):
    # registered unprobed: tests/test_custom.py runs register_activation's checks on each
    ACTIVATIONS[_act.name] = _act
_BUILT_IN = frozenset(ACTIVATIONS)
_BUILT_IN_HOOKS = {
    fn: _act.name
    for _act in ACTIVATIONS.values()
    for fn in (_act.vjp_fn, _act.forward_into, _act.vjp_into)
    if fn is not None
}


def _registered(name: str) -> Activation:
    """The activation registered under ``name``, for unpickling; ArgumentError if none is."""
    return registered(ACTIVATIONS, "activation", name, "glassnet.activations.register_activation")


def get_activation(
    name: str | Activation, *, path: str = "<spec>", field: str = "activation"
) -> Activation:
    """Look an activation up by name; an unknown name raises :class:`SpecError`."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise SpecError(path, field, unknown_name("activation", str(name), ACTIVATIONS)) from None
