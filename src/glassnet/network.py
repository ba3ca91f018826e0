r"""The engine: a dense feed-forward network, its forward and backward pass.

Row convention: a batch X has shape (m, n_0), one example per row; layer l has
W_l of shape (n_{l-1}, n_l) and b_l of shape (n_l,).

.. math::

    a_0 = X,\qquad z_l = a_{l-1} W_l + b_l,\qquad a_l = f_l(z_l)

    L = \frac1m \sum_{k=1}^m \ell(a_L^{(k)}, y^{(k)})

    \delta_L = \frac{\partial \ell}{\partial z_L}
             = f_L'(z_L)^\top \frac{\partial \ell}{\partial a_L},\qquad
    \delta_l = (\delta_{l+1} W_{l+1}^\top) \odot f_l'(z_l)

    \frac{\partial L}{\partial W_l} = \frac1m a_{l-1}^\top \delta_l,\qquad
    \frac{\partial L}{\partial b_l} = \frac1m \sum_k \delta_l^{(k)}

    W_l \leftarrow W_l - \eta \frac{\partial L}{\partial W_l},\qquad
    b_l \leftarrow b_l - \eta \frac{\partial L}{\partial b_l}

The recursion for δ is seed 000's k_i = w_{i+1} k_{i+1} f'(w_i x_{i-1}), seed
002's δ^l rule and seed 003's "sum over every path" at once: the product
δ_{l+1} W_{l+1}^T sums, for each unit j of layer l, over every unit k of
layer l+1 that j feeds.

This module is the only implementation of the step in glassnet. It runs in two
forms of the same formulas: in a workspace's preallocated arrays, in place (training,
prediction), and allocating its arrays (:mod:`glassnet.trace`'s explanations,
:mod:`glassnet.gradcheck`); both call each layer's registered activation and the
registered loss, whose in-place variants are checked against the allocating ones
(a user's when registered, glassnet's own by its tests). (:mod:`glassnet.check`
recomputes a step from a person's own numbers with the same registered functions.)
"""

from __future__ import annotations

import functools
import math
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import blas
from glassnet.activations import Activation, get_activation, scratch
from glassnet.errors import (
    ArgumentError,
    SpecError,
    finite_row_sums,
    real_number,
    refuse_non_finite,
    whole_number,
)
from glassnet.init import get_initializer
from glassnet.losses import FUSED, SATURATED, Fused, Loss, Saturated, get_loss
from glassnet.metrics import metric_value

if TYPE_CHECKING:  # train builds on this module: imported for the annotation only
    from glassnet.train import History

Array = np.ndarray


@dataclass(eq=False)  # a layer is itself: == of arrays has no one truth value
class Layer:
    """A dense layer: z = a_prev W + b, a = f(z).

    Attributes
    ----------
    W : ndarray, shape (n_in, n_out)
        W[i, j] joins input i to unit j.
    b : ndarray, shape (n_out,)
    activation : Activation
    """

    W: Array
    b: Array
    activation: Activation

    def __post_init__(self) -> None:
        if isinstance(self.activation, str):  # Layer(W, b, "relu") reads as the math
            self.activation = _named(get_activation, self.activation, "activation")

    @property
    def n_in(self) -> int:
        """Number of inputs."""
        return np.shape(self.W)[0]  # (np.shape: a W replaced by a list is named later)

    @property
    def n_out(self) -> int:
        """Number of units."""
        return np.shape(self.W)[-1]

    def __repr__(self) -> str:
        # its shape and activation, not every weight and the activation's functions
        name = getattr(self.activation, "name", self.activation)
        shape = "×".join(map(str, np.shape(self.W)))
        dtype = getattr(self.W, "dtype", "")
        return f"Layer(W: {shape} {dtype}, activation={name!r})"


@dataclass
class ForwardPass:
    """What the forward pass computed: ``z[l]`` and ``a[l]`` for l = 1..L, ``a[0] = X``.

    ``z[0]`` is None so that indices follow the math.
    """

    z: list[Array | None]
    a: list[Array]
    masks: list[Array | None] = field(default_factory=list)
    """Inverted-dropout masks of the hidden layers, 0 or 1/(1 − p); empty without dropout."""
    unmasked: list[Array | None] = field(default_factory=list)
    """f(z) of the layers with a mask, before masking: f'(z) is computed from it."""


@dataclass
class BackwardPass:
    """What the backward pass computed, indexed by layer l = 1..L (index 0 unused).

    ``dL_da`` and ``da_dz`` are filled only when the pass was asked to record
    them (explanations); training skips the Jacobians.
    """

    delta: list[Array | None]
    grad_W: list[Array | None]
    grad_b: list[Array | None]
    dL_da: list[Array | None] = field(default_factory=list)
    da_dz: list[Array | None] = field(default_factory=list)


PREDICT_CHUNK = 1024  # rows per chunk when predicting a large batch
KEEP_BYTES = 16 * 2**20  # a workspace up to this size is kept for the next fit or prediction
# (a prediction's of PREDICT_CHUNK rows whatever its size: see Network._keep)
KEEP_COUNT = 8  # workspaces kept per network, the most recently used
KEEP_ALIKE = 4  # of them at most this many alike (threads predicting at once)
_KEEP_LOCK = threading.Lock()


def _named(lookup: Callable[..., Any], name: object, field: str) -> Any:
    """A registry's entry for an argument of the Python API: ArgumentError naming ``field``.

    The registries raise SpecError, the error of a spec file; an argument is no file.
    """
    try:
        return lookup(name, field=field)
    except SpecError as exc:
        raise ArgumentError(f"{field}: {exc.message}") from None


def _real(values: object, name: str) -> None:
    """ArgumentError naming ``name`` if ``values`` are complex.

    Made float, they would keep their real parts only, with no more than NumPy's
    ComplexWarning. Cheap on an array (its dtype); a list is looked at once more.
    """
    try:
        complex_ = np.iscomplexobj(values)
    except (TypeError, ValueError):  # no numbers at all (a ragged list): the conversion says so
        return
    if complex_:
        raise ArgumentError(
            f"{name}: expected real numbers, found complex ones (the imaginary parts would "
            "be dropped)"
        )


def frobenius_norm(x: Any) -> float:
    """‖x‖ (Frobenius), scaled by max |x| first: x·x overflows from entries of ~1e154, the norm not.

    0, ∞ or NaN where max |x| is (an empty x: 0).
    """
    x = np.asarray(x)
    top = float(np.max(np.abs(x))) if x.size else 0.0
    if top == 0.0 or not np.isfinite(top):
        return top
    y = x / top
    return top * float(np.sqrt(np.vdot(y, y)))


def sum_of_squares(arrays: Iterable[Any]) -> float:
    r"""Σ ‖x‖² over ``arrays``, as a Python float.

    .. math:: \sum_x \sum_i x_i^2

    Each x·x in x's own dtype (no copy), and from :func:`frobenius_norm` where that
    overflows: float32's from entries of ~1e19, where the float sum does not.
    """
    total = 0.0
    for x in arrays:
        squares = float(np.vdot(x, x))
        total += squares if math.isfinite(squares) else frobenius_norm(x) ** 2
    return total


def check_network(value: object) -> None:
    """ArgumentError unless ``value`` is a Network (an estimator's is its ``network_``)."""
    if not isinstance(value, Network):
        kind = type(value).__name__
        fitted = isinstance(getattr(value, "network_", None), Network)
        hint = f"; give its fitted network, {kind}.network_" if fitted else ""
        raise ArgumentError(f"network: expected a Network, found {kind}{hint}")


def one_hot(index: Array, n: int, dtype: np.dtype | type) -> Array:
    """Rows e_k of the n × n identity for each class index k (in 0 .. n - 1).

    Up to 64 classes the identity's rows are copied (2–4× faster than setting each 1);
    beyond, the identity itself would grow as n² (400 MB for 10,000 classes).
    """
    if n <= 64:
        return np.eye(n, dtype=dtype).take(index, axis=0)
    out = np.zeros((len(index), n), dtype=dtype)
    out[np.arange(len(index)), index] = 1
    return out


# the losses that take their targets as probabilities: y ln a weighs the outputs' logarithms
PROBABILITY_TARGETS = ("cross_entropy", "binary_cross_entropy")
# ...and the outputs they take (ln of a negative a is no number at all)
PROBABILITY_RANGE = {"binary_cross_entropy": (0.0, 1.0), "cross_entropy": (0.0, np.inf)}


def targets_outside(loss: str, Y: Array) -> str | None:
    """What is wrong where a cross-entropy's targets ``Y`` leave [0, 1]; None where they don't.

    The one rule of the network (:meth:`Network.targets`) and of a spec's ``target``.
    A NaN passes: the training loop names it, where met.
    """
    if loss not in PROBABILITY_TARGETS or not np.size(Y):
        return None
    low, high = float(np.min(Y)), float(np.max(Y))
    if not (low < 0 or high > 1):  # (NaN compares False)
        return None
    return (
        f"{loss} takes targets in [0, 1] (probabilities, 0/1 labels), found values "
        f"from {low:g} to {high:g}"
    )


def default_init(activation: str) -> str:
    """The initialiser suited to an activation: He for the relu family, Glorot otherwise."""
    return "he_uniform" if activation in ("relu", "leaky_relu", "elu") else "glorot_uniform"


def descend(param: Array, grad: Array, learning_rate: float, out: Array | None = None) -> Array:
    r"""One gradient-descent step, θ − η ∂L/∂θ (into ``out`` when given).

    .. math:: \theta \leftarrow \theta - \eta \frac{\partial L}{\partial \theta}
    """
    return np.subtract(param, learning_rate * grad, out=out)


class Workspace:
    """Preallocated arrays for training a network on batches of ``m`` examples.

    One array per quantity of the forward and backward pass, made once and reused
    by every step, so that the training loop allocates nothing per batch:
    ``X`` (= ``a[0]``), ``Y``, ``z[l]``, ``a[l]``, ``delta[l]``, ``grad_W[l]``,
    ``grad_b[l]``, and ``scratch[l]``, a namespace where the activation of layer l
    keeps its own work arrays.

    A hidden layer whose activation computes δ from a_l alone (``vjp_of_a``: every
    built-in one with an in-place VJP) writes a_l over z_l: ``a[l] is z[l]``.

    Parameters
    ----------
    network : Network
    m : int
        The batch size.
    """

    def __init__(self, network: Network, m: int, *, training: bool = True) -> None:
        network._check_layers()  # its arrays are shaped after the layers: check them first
        dtype, sizes = network.dtype, network.sizes
        self.m = m = whole_number("m", m, 1)  # a step's gradients are means over m rows
        # aligned to a cache line, as are the weights: the products run ~3 % faster
        self.X = blas.empty((m, sizes[0]), dtype=dtype)
        self.Y = blas.empty((m, sizes[-1]), dtype=dtype)
        hidden = [blas.empty((m, n), dtype=dtype) for n in sizes[1:]]
        self.z: list[Array | None] = [None, *hidden]
        # predicting needs no z kept apart from a: f(z) is written over z
        self.a: list[Array] = [self.X] + (
            [blas.empty((m, n), dtype=dtype) for n in sizes[1:]] if training else hidden
        )
        self.delta: list[Array | None] = [None] + [
            blas.empty((m, n), dtype=dtype) if training else None for n in sizes[1:]
        ]
        self.grad_W: list[Array | None] = [None] + [
            blas.empty(l.W.shape, dtype) if training else None for l in network.layers
        ]
        self.grad_b: list[Array | None] = [None] + [
            blas.empty(l.b.shape, dtype) if training else None for l in network.layers
        ]
        self.scratch = [SimpleNamespace() for _ in sizes]
        self.ones = np.ones(m, dtype=dtype)  # Σ over the batch as a product: 1ᵀ δ
        self.training = training
        self._products: Products | None = None
        # the call that made it for itself (Network._workspace), "fit" or "a prediction",
        # and its network: a layer resized since is told in that call's terms, not as a
        # workspace the user made (network.workspace(m)) and passed to another network
        self._call: tuple[str, Callable[[], Network | None]] | None = None
        self.forward_pass = ForwardPass(self.z, self.a)
        self.backward_pass = BackwardPass(self.delta, self.grad_W, self.grad_b)

    @property
    def nbytes(self) -> int:
        """The bytes of its arrays, the activations' scratch arrays included."""
        arrays = [self.X, self.Y, self.ones, *self.z, *self.a, *self.delta]
        arrays += [*self.grad_W, *self.grad_b]
        arrays += [v for space in self.scratch for v in vars(space).values()]
        unique = {id(x): x for x in arrays if isinstance(x, np.ndarray)}
        return sum(x.nbytes for x in unique.values())

    def __getstate__(self) -> dict:
        # prepared calls hold raw pointers: never copied or pickled, prepared again
        return {**self.__dict__, "_products": None, "_call": None}

    def products(self, network: Network) -> Products:
        """The step's matrix products on these arrays, prepared for ``network``'s parameters.

        Prepared again for another network, or when the loss or a layer's W, b or
        activation has been replaced. They hold the network weakly: they serve while it
        lives.
        """
        p = self._products
        if p is None or not p.fits(network):
            network._check_layers()  # a replaced W, b or activation: named if wrong
            self._refuse_other_shapes(network)
            p = self._products = Products(network, self)
        return p

    @property
    def sizes(self) -> list[int]:
        """The layer sizes [n_0, …, n_L] its arrays were made for."""
        return [self.X.shape[1], *(z.shape[1] for z in self.z[1:] if z is not None)]

    def _refuse_other_shapes(self, network: Network) -> None:
        """ArgumentError unless these arrays are of ``network``'s layer sizes and dtype.

        Another network's workspace, or one made before a layer was resized, would
        otherwise fail in a product, with shapes and no name.
        """
        sizes = self.sizes
        if sizes == network.sizes and self.X.dtype == network.dtype:
            return
        call, of = self.__dict__.get("_call") or (None, None)  # (none once copied)
        if of is not None and of() is network:  # a call's own: a layer resized during it
            raise ArgumentError(self._changed_during(call, sizes, network))
        if sizes == network.sizes:
            found = f"{self.X.dtype}, the network's {network.dtype}"
        else:
            found = f"layer sizes {sizes}, the network's are {network.sizes}"
            if len(sizes) == len(network.sizes):
                k = _first_difference(sizes, network.sizes)
                n = network.sizes[k]
                found += f" (layers[{k - 1}] has {n} units)" if k else f" (layers[0] takes {n})"
        raise ArgumentError(
            f"workspace: made for {found}; make another, network.workspace(m) (fit takes a "
            "layer resized between fits, not during one)"
        )

    def _changed_during(self, call: str, sizes: list[int], network: Network) -> str:
        """What changed in ``network`` during ``call`` (fit, a prediction), in its terms."""
        if sizes == network.sizes:
            return f"dtype: changed during {call} ({self.X.dtype}, now {network.dtype})"
        redo = "resize between predictions"
        if call == "fit":
            redo = "resize between fits (its work arrays and optimizer state keep the old sizes)"
        if len(sizes) != len(network.sizes):
            return (
                f"layers: {len(sizes) - 1} as {call} began, now {len(network.sizes) - 1} "
                f"(sizes {sizes}, now {network.sizes}); {redo}"
            )
        k = _first_difference(sizes, network.sizes)
        layer, count = (f"layers[{k - 1}]", "units") if k else ("layers[0]", "inputs")
        return (
            f"{layer}: resized during {call} ({sizes[k]} {count}, now {network.sizes[k]}); {redo}"
        )


def _first_difference(sizes: list[int], other: list[int]) -> int:
    """The first index at which two size lists of one length differ."""
    return next(k for k, (a, b) in enumerate(zip(sizes, other, strict=True)) if a != b)


_NONE = object()  # a cache key that nothing equals


def _output_delta_into(
    loss: Loss,
    vjp: Callable,
    z: Array,
    a: Array,
    y: Array,
    delta: Array,
    space: SimpleNamespace,
    saturated: Saturated | None = None,
) -> None:
    """δ_L = f_L′(z_L)ᵀ ∂ℓ/∂a_L into ``delta``: the loss's gradient, then the activation's VJP.

    With ``saturated`` (the pair's exact form), the rows where that product loses δ
    take it from the logits, as :meth:`Network.backward` does.
    """
    if loss.gradient_into is not None:  # (the squared errors': no array per batch)
        loss.gradient_into(a, y, delta)
    else:
        delta[...] = loss.gradient(a, y)
    vjp(z, a, delta, space)
    if saturated is not None:
        rows = saturated.rows(z, a, y)
        if rows.size:
            delta[rows] = saturated.delta(z[rows], y[rows])


class Products:
    r"""The matrix products of a training step, prepared once on a workspace's arrays.

    Each is one BLAS call (:func:`glassnet.blas.product`), C ← α op(A) op(B) + β C:

    - ``z[l]``: z_l ← z_l + a_{l−1} W_l, where z_l holds b_l (α = 1, β = 1);
    - ``back[l]``: δ_l ← δ_{l+1} W_{l+1}ᵀ, before ⊙ f′(z_l) (α = 1, β = 0);
    - ``grad_W[l]``, ``grad_b[l]``: ∂W_l ← a_{l−1}ᵀ δ_l, ∂b_l ← δ_lᵀ 1 (α = 1, β = 0);
    - ``step_W[l]``, ``step_b[l]``: W_l ← W_l − a_{l−1}ᵀ δ_l, b_l ← b_l − δ_lᵀ 1
      (α = −1, β = 1).

    The steps take δ already multiplied by η/m; they write straight into the
    parameters, with no gradient array and no second pass over W. :meth:`descent`
    gives the variant in which η/m enters as α of the products of δ_L instead.

    :meth:`forward_ops` and :meth:`backward_ops` put these and the layers' in-place
    activations and VJPs, bound to the workspace's arrays, in the order of the pass;
    a batch replays the list the previous batch made, with nothing to look up.
    """

    def __init__(self, network: Network, ws: Workspace) -> None:
        layers = network.layers
        # weakly: a workspace the network keeps must not keep the network alive
        self._network, self._ws, self._layers = weakref.proxy(network), ws, list(layers)
        self._of = weakref.ref(network)
        self._drop = type(network)._drop
        self.loss = network.loss
        self._descent: tuple = (None, None)
        self._forward: tuple = (_NONE, [])  # (key, the calls of the forward pass)
        self._backward: tuple = (_NONE, [])
        n = len(layers)
        self.params = [(layer.W, layer.b, layer.activation) for layer in layers]
        # tied parameters (one array in two layers, or overlapping views): a step taken
        # inside the pass would change a W that a later δ still reads
        arrays = [p for layer in layers for p in (layer.W, layer.b)]
        self.shared = any(
            np.may_share_memory(p, q) for i, p in enumerate(arrays) for q in arrays[:i]
        )
        if ws.training:  # a hidden layer whose δ needs only a_l computes a_l over z_l
            for l, layer in enumerate(layers[:-1], start=1):
                if layer.activation.vjp_of_a and layer.activation.vjp_into is not None:
                    ws.a[l] = ws.z[l]  # type: ignore[assignment]
                elif ws.a[l] is ws.z[l]:  # its activation was replaced by one needing z_l
                    ws.a[l] = blas.empty(ws.a[l].shape, ws.a[l].dtype)
        # each layer's in-place activation and its VJP, looked up once
        acts = [layer.activation for layer in layers]
        self.apply = [None] + [f.forward_into or f.apply for f in acts]
        self.vjp = [None] + [f.vjp_into or f.vjp_inplace for f in acts]
        self.z: list = [None] * (n + 1)
        self.back: list = [None] * (n + 1)
        self.grad_W: list = [None] * (n + 1)
        self.grad_b: list = [None] * (n + 1)
        self.step_W: list = [None] * (n + 1)
        self.step_b: list = [None] * (n + 1)
        for l, layer in enumerate(layers, start=1):
            self.z[l] = blas.product(ws.a[l - 1], layer.W, ws.z[l], beta=1.0)
            if not ws.training:
                continue
            self.back[l] = self._back(l, 1.0)
            self.grad_W[l], self.grad_b[l] = self._gradients(
                l, ws.grad_W[l], ws.grad_b[l], 1.0, 0.0
            )
            self.step_W[l], self.step_b[l] = self._gradients(l, layer.W, layer.b, -1.0, 1.0)

    def _back(self, l: int, alpha: float) -> object:
        """δ_l ← α δ_{l+1} W_{l+1}ᵀ (none for the output layer)."""
        if l == len(self._layers):
            return None
        ws = self._ws
        return blas.product(
            ws.delta[l + 1], self._layers[l].W, ws.delta[l], trans_b=True, alpha=alpha
        )

    def _gradients(
        self, l: int, W: Array, b: Array, alpha: float, beta: float
    ) -> tuple[object, object]:
        """W ← α a_{l−1}ᵀ δ_l + β W and b ← α δ_lᵀ 1 + β b."""
        ws = self._ws
        delta = ws.delta[l]
        return (
            blas.product(ws.a[l - 1], delta, W, trans_a=True, alpha=alpha, beta=beta),
            blas.product(delta, ws.ones, b, trans_a=True, alpha=alpha, beta=beta),
        )

    def descent(self, scale: float) -> tuple[list, list, list]:
        """``back``, ``step_W``, ``step_b`` with α = ±``scale`` in the products of δ_L.

        Plain gradient descent then leaves δ_L = ∂ℓ/∂z_L as it is (no pass multiplying
        it by η/m): δ_{L−1} ← η/m δ_L W_Lᵀ, W_L ← W_L − η/m a_{L−1}ᵀ δ_L and
        b_L ← b_L − η/m δ_Lᵀ 1; the layers below see δ_{L−1} already scaled.
        """
        if self._descent[0] != scale:
            L, layer = len(self._layers), self._layers[-1]
            back, step_W, step_b = list(self.back), list(self.step_W), list(self.step_b)
            if L > 1:
                back[L - 1] = self._back(L - 1, scale)
            step_W[L], step_b[L] = self._gradients(L, layer.W, layer.b, -scale, 1.0)
            self._descent = (scale, (back, step_W, step_b))
        return self._descent[1]

    def forward_ops(
        self, a0: Array, rates: list[float], rng: np.random.Generator | None
    ) -> list[Callable[[], object]]:
        """The calls of the forward pass from the rows ``a0``, in order (kept for reuse)."""
        ws = self._ws
        key = (tuple(rates), rng) if rates else None
        if a0 is ws.a[0] and key == self._forward[0]:
            return self._forward[1]
        ops: list[Callable[[], object]] = []
        a = a0
        for l, layer in enumerate(self._layers, start=1):
            z, out, space = ws.z[l], ws.a[l], ws.scratch[l]
            ops += [
                functools.partial(z.__setitem__, Ellipsis, layer.b),  # z_l ← b_l
                # z_l ← z_l + a_{l−1} W_l; a prediction's rows are read where they are
                self.z[l] if a is ws.a[l - 1] else blas.product(a, layer.W, z, beta=1.0),
                functools.partial(self.apply[l], z, out, space),  # a_l = f_l(z_l)
            ]
            if rates and rates[l - 1] > 0:  # a_l ← a_l ⊙ r_l
                for name in ("uniform", "dropout_mask", "unmasked"):  # made now: the
                    scratch(space, name, out)  # backward calls bind them before a pass
                gen = rng if rng is not None else np.random.default_rng()
                drop = (self._network, out, rates[l - 1], gen, ws, l)
                ops.append(functools.partial(self._drop, *drop))
            a = out
        if a0 is ws.a[0]:
            self._forward = (key, ops)
        return ops

    def backward_ops(
        self, fused: Fused | None, scale: float, descend: bool, masked: tuple[bool, ...]
    ) -> list[Callable[[], object]]:
        """The calls of the backward pass, in order (kept for the next batch).

        ``masked[l]``: layer l had dropout. See :meth:`Network.backward` for ``scale``
        and ``descend``.
        """
        key = (id(fused), scale, descend, masked)
        if key == self._backward[0]:
            return self._backward[1]
        ws, network, L = self._ws, self._network, len(self._layers)
        back, step_W, step_b = self.descent(scale) if descend else (self.back, [], [])
        ops: list[Callable[[], object]] = []
        for l in range(L, 0, -1):
            z, delta, space = ws.z[l], ws.delta[l], ws.scratch[l]
            dropped = bool(masked) and masked[l]
            a = space.unmasked if dropped else ws.a[l]  # f′(z) is of f(z), unmasked
            if l == L:
                if fused is not None:  # δ_L = a − y
                    ops.append(functools.partial(fused.delta_into, a, ws.Y, delta, space))
                else:  # δ_L = f_L′(z_L)ᵀ ∂ℓ/∂a_L (exact from z where that loses it)
                    exact = network._saturated()
                    ops.append(
                        functools.partial(
                            _output_delta_into,
                            *(network.loss, self.vjp[l], z, a, ws.Y, delta, space, exact),
                        )
                    )
                if not descend:  # the gradients come out multiplied by scale
                    ops.append(
                        functools.partial(np.multiply, delta, network.dtype.type(scale), out=delta)
                    )
            else:
                ops.append(back[l])  # ∂ℓ/∂a_l = δ_{l+1} W_{l+1}ᵀ, scaled
                if dropped:  # a dropped unit passes no gradient
                    ops.append(functools.partial(np.multiply, delta, space.dropout_mask, out=delta))
                ops.append(functools.partial(self.vjp[l], z, a, delta, space))  # ⊙ f_l′(z_l)
            if not descend:
                ops += [self.grad_W[l], self.grad_b[l]]
                continue
            if self.shared:  # tied: every δ from the weights before the step, as step() takes it
                if l == 1:
                    ops += [op for k in range(L, 0, -1) for op in (step_W[k], step_b[k])]
                continue
            if l < L:  # W_{l+1} has served for δ_l: take its step now
                ops += [step_W[l + 1], step_b[l + 1]]
            if l == 1:
                ops += [step_W[1], step_b[1]]
        self._backward = (key, ops)
        return ops

    def fits(self, network: Network) -> bool:
        """True for the network these were prepared for, with the same loss and layers.

        Prepared again when the loss, or a layer's W, b or activation, is replaced.
        """
        if self._of() is not network or network.loss is not self.loss:
            return False
        if len(self.params) != len(network.layers):
            return False
        for (W, b, f), layer in zip(self.params, network.layers):  # noqa: B905  (lengths checked)
            if W is not layer.W or b is not layer.b or f is not layer.activation:
                return False
        return True


class Network:
    """A dense feed-forward network with a loss.

    Parameters
    ----------
    layers : sequence of Layer, or sequence of int
        The layers; or the sizes [n_0, n_1, ..., n_L], with ``activations``.
    activations : sequence of str or Activation, optional
        One per layer, required when ``layers`` gives sizes.
    loss : str or Loss, default "half_squared_error"
        The per-example loss ℓ; the batch loss is its mean. A classifier names its
        own: ``cross_entropy`` on a softmax output (which then takes class indices as
        targets), ``binary_cross_entropy`` on a sigmoid one.
    init : str, optional
        Initialiser of the weights, when ``layers`` gives sizes; biases start at 0.
        By default chosen by each layer's activation: he_uniform for relu,
        leaky_relu and elu, glorot_uniform for the others.
    seed : int or numpy.random.Generator, optional
        Seed of the initialiser's random numbers, or a generator to draw them from.
    dtype : {"float64", "float32"}, default "float64"
        The dtype of parameters and computations.
    fused : bool, default True
        Use δ_L = a − y for softmax + cross_entropy and sigmoid + binary_cross_entropy.

    Examples
    --------
    >>> net = Network([3, 4, 2], activations=["sigmoid", "softmax"], loss="cross_entropy", seed=0)
    >>> net.sizes
    [3, 4, 2]
    """

    def __init__(
        self,
        layers: Sequence[Layer] | Sequence[int],
        activations: Sequence[str | Activation] | None = None,
        loss: str | Loss = "half_squared_error",
        *,
        init: str | None = None,
        seed: int | np.random.Generator | None = None,
        dtype: str | np.dtype = "float64",
        fused: bool = True,
    ) -> None:
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            raise ArgumentError(f"dtype: expected float64 or float32, found {dtype!r}") from None
        if self.dtype not in (np.float64, np.float32):
            raise ArgumentError(f"dtype: expected float64 or float32, found {self.dtype}")
        self.loss = _named(get_loss, loss, "loss")
        self.fused = fused
        layers = list(layers)
        if layers and all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in layers
        ):
            self.layers = self._build(layers, activations, init, seed)  # type: ignore[arg-type]
        elif all(isinstance(layer, Layer) for layer in layers) and layers:
            if activations is not None:
                raise ArgumentError("activations: give them only with layer sizes")
            # the network's own copies: training must not change the caller's arrays,
            # nor two networks built from the same ones train each other
            self.layers = [
                Layer(self._own(layer.W, l, "W"), self._own(layer.b, l, "b"), layer.activation)
                for l, layer in enumerate(layers)
            ]
        else:
            raise ArgumentError("layers: expected a list of Layer or of layer sizes (at least 2)")
        self._check_layers()

    @property
    def loss(self) -> Loss:
        """The per-example loss ℓ, a :class:`Loss`.

        ``net.loss = "cross_entropy"`` (a name, or a Loss) replaces it, looked up at
        once: an unknown name is an ArgumentError naming it.
        """
        return self._loss

    @loss.setter
    def loss(self, loss: str | Loss) -> None:
        # looked up here, not when used: the loss is read in many places (its name, its
        # fused pair), and a name met there would fail as 'str' has no attribute 'name'
        self._loss = _named(get_loss, loss, "loss")

    def _refuse_non_finite_parameters(self, why: str = "") -> None:
        """ArgumentError naming the first weight or bias that is NaN or infinite.

        A pass over the parameters: before a fit, and on the path of an error that a
        non-finite parameter would otherwise pin on X or on the learning rate (not at
        construction: a diverged network can still be copied, saved refuses it).
        """
        for l, layer in enumerate(self.layers):
            for name in ("W", "b"):
                value = np.asarray(getattr(layer, name))
                bad = np.argwhere(~np.isfinite(value))
                if bad.size:
                    at = ", ".join(str(int(i) + 1) for i in bad[0])
                    raise ArgumentError(
                        f"layers[{l}].{name}: holds {value[tuple(bad[0])]} at [{at}] "
                        f"(counted from 1); weights and biases must be finite{why}"
                    )

    def _own(self, values: object, l: int, name: str) -> Array:
        """``values`` as a new aligned array of the network's dtype, for layers[l].name."""
        _real(values, f"layers[{l}].{name}")
        try:
            array = np.array(values, dtype=self.dtype)
        except (TypeError, ValueError):
            raise ArgumentError(f"layers[{l}].{name}: expected numbers") from None
        return blas.aligned(array)

    def _check_layers(self) -> None:
        """The layers as the engine needs them; a W, b or activation replaced since is fixed here.

        An activation given by name is looked up; a W or b of another dtype, read-only
        or not contiguous becomes the network's own copy of its dtype; shapes must
        chain. Run at construction and whenever the prepared products are made again
        (a layer's W, b or activation replaced), so a wrong one is named, not met deep
        in a product.
        """
        for l, layer in enumerate(self.layers):
            if isinstance(layer.activation, str):
                layer.activation = _named(
                    get_activation, layer.activation, f"layers[{l}].activation"
                )
            elif not isinstance(layer.activation, Activation):
                raise ArgumentError(
                    f"layers[{l}].activation: expected an activation or its name, "
                    f"found {type(layer.activation).__name__}"
                )
            for name in ("W", "b"):
                value = getattr(layer, name)
                usable = (
                    isinstance(value, np.ndarray)
                    and value.dtype == self.dtype
                    and value.flags.c_contiguous
                    and value.flags.writeable
                )
                if not usable:
                    setattr(layer, name, self._own(value, l, name))
            if layer.W.ndim != 2 or layer.b.shape != layer.W.shape[1:]:
                raise ArgumentError(
                    f"layers: layer {l + 1} has W of shape {layer.W.shape} and b of shape "
                    f"{layer.b.shape}; expected (n_in, n_out) and (n_out,)"
                )
        for l in range(1, len(self.layers)):
            if self.layers[l].n_in != self.layers[l - 1].n_out:
                raise ArgumentError(
                    f"layers: layer {l + 1} takes {self.layers[l].n_in} inputs but layer {l} "
                    f"has {self.layers[l - 1].n_out} units"
                )

    def _build(
        self,
        sizes: list[int],
        activations: Sequence[str | Activation] | None,
        init: str | None,
        seed: int | np.random.Generator | None,
    ) -> list[Layer]:
        if len(sizes) < 2 or any(n < 1 for n in sizes):
            raise ArgumentError(f"layers: expected at least 2 positive sizes, found {sizes}")
        if isinstance(activations, (str, Activation)):  # Keras's habit: one per layer here
            raise ArgumentError(
                f"activations: expected a list of {len(sizes) - 1} (one per layer), found "
                f"the single {activations!r}; e.g. ['relu', ..., 'softmax']"
            )
        if activations is None or len(activations) != len(sizes) - 1:
            raise ArgumentError(
                f"activations: expected {len(sizes) - 1} (one per layer), "
                f"found {None if activations is None else len(activations)}"
            )
        if isinstance(seed, (int, np.integer)) or not isinstance(
            seed, (type(None), np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)
        ):
            whole_number("seed", seed)  # what default_rng takes: a whole number ≥ 0, or numpy's
        rng = np.random.default_rng(seed)
        layers = []
        for i, (n_in, n_out, act) in enumerate(
            zip(sizes[:-1], sizes[1:], activations, strict=True)
        ):
            activation = _named(get_activation, act, f"activations[{i}]")
            name = init if init is not None else default_init(activation.name)
            initializer = _named(get_initializer, name, "init")
            layers.append(
                Layer(
                    blas.aligned(initializer(n_in, n_out, rng, self.dtype)),
                    blas.aligned(np.zeros(n_out, dtype=self.dtype)),
                    activation,
                )
            )
        return layers

    # --- shape ---------------------------------------------------------------------

    @property
    def sizes(self) -> list[int]:
        """[n_0, n_1, ..., n_L]."""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def output_activation(self) -> Activation:
        """f_L; one replaced by its name since is looked up first (or named, if unknown)."""
        f = self.layers[-1].activation
        if not isinstance(f, Activation):  # read before any pass has checked the layers
            self._check_layers()
            f = self.layers[-1].activation
        return f

    def _fused(self) -> Fused | None:
        act, loss = self.layers[-1].activation, self.loss
        cached = self.__dict__.get("_fused_cache")
        if cached is None or cached[0] is not act or cached[1] is not loss:
            if not isinstance(act, Activation):  # replaced by its name since the last pass
                act = self.output_activation
            cached = self._fused_cache = (act, loss, FUSED.get((act.name, loss.name)))
        return cached[2]

    def _saturated(self) -> Saturated | None:
        """The exact form from the logits of an unfused output pair (softmax + BCE), if any."""
        return SATURATED.get((self.layers[-1].activation.name, self.loss.name))

    def batch_loss_sum(self, fp: ForwardPass, Y: Array, workspace: Workspace) -> float:
        """Σ_k ℓ_k of a batch computed in a workspace (training); the mean is this / m."""
        fused = self._fused()
        if fused is not None:
            return fused.loss_sum(fp.z[-1], Y, workspace.scratch[-1])
        if self.loss.sum_into is not None and self._saturated() is None:  # in place
            return self.loss.sum_into(fp.a[-1], Y, workspace.scratch[-1])
        return float(np.add.reduce(self._example_losses(fp, Y), axis=None))

    def __getstate__(self) -> dict:
        # the kept workspaces and the fused pair looked up are caches: not copied or
        # pickled (a copied Fused is not FUSED's own, which training tells by identity)
        # the loss pickled as "loss", as before it was a property: either reads the other's
        with _KEEP_LOCK:
            return {
                ("loss" if k == "_loss" else k): v
                for k, v in self.__dict__.items()
                if k not in ("_workspaces", "_fused_cache")
            }

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        if "loss" in state:
            state["_loss"] = state.pop("loss")
        self.__dict__.update(state)

    def copy(self) -> Network:
        """A deep copy: parameters are copied, activations and loss shared."""
        self._check_layers()  # a W, b or activation replaced since: taken (or named) first
        return Network(
            [
                Layer(
                    blas.aligned(layer.W, copy=True),
                    blas.aligned(layer.b, copy=True),
                    layer.activation,
                )
                for layer in self.layers
            ],
            loss=self.loss,
            dtype=self.dtype,
            fused=self.fused,
        )

    def astype(self, dtype: str | np.dtype) -> Network:
        """Return the network in ``dtype``: itself if it is already, else a converted copy."""
        try:
            same = np.dtype(dtype) == self.dtype
        except TypeError:
            raise ArgumentError(f"dtype: expected float64 or float32, found {dtype!r}") from None
        if same:
            return self
        return Network(self.layers, loss=self.loss, dtype=dtype, fused=self.fused)

    def __repr__(self) -> str:
        # never raises, changes nothing: an activation replaced by its name shows the name
        acts = ", ".join(
            str(getattr(layer.activation, "name", layer.activation)) for layer in self.layers
        )
        dtype = "" if self.dtype == np.float64 else f", dtype={np.dtype(self.dtype).name!r}"
        return f"Network({self.sizes}, activations=[{acts}], loss={self.loss.name!r}{dtype})"

    # --- the forward pass ------------------------------------------------------------

    def forward(
        self,
        X: Array,
        *,
        dropout: float | Sequence[float] = 0.0,
        rng: np.random.Generator | None = None,
        workspace: Workspace | None = None,
    ) -> ForwardPass:
        r"""Compute z_l = a_{l-1} W_l + b_l and a_l = f_l(z_l) for every layer.

        Parameters
        ----------
        X : ndarray, shape (m, n_0)
        dropout : float or sequence of float
            Training only: the probability p of dropping each unit of a hidden layer
            (one value for all hidden layers, or one per hidden layer). Inverted
            dropout: a kept unit is scaled by 1/(1 − p), so nothing changes at
            prediction time. The output layer is never dropped.
        rng : numpy.random.Generator, optional
            The source of the dropout masks.
        workspace : Workspace, optional
            Training: write z, a and the masks into these preallocated arrays (the
            batch must have the workspace's size) instead of allocating new ones. The
            pass returned then holds the workspace's own arrays, which the next batch
            overwrites; a hidden layer's z_l there may hold a_l (see :class:`Workspace`).

        Returns
        -------
        ForwardPass

        Notes
        -----
        With dropout, :math:`a_l = f_l(z_l) \odot r_l` with
        :math:`r_{l,j} = [u_j \ge p_l] / (1 - p_l)`, and the backward pass multiplies
        ∂ℓ/∂a_l by the same r_l.
        """
        rates = self._rates(dropout)
        if workspace is not None:
            return self._forward_into(X, workspace, rates, rng)
        self._check_layers()
        _real(X, "X")
        a = np.asarray(X, dtype=self.dtype)
        if a.shape[-1:] != (self.sizes[0],) or a.ndim > 2:
            raise ArgumentError(f"X: expected shape (m, {self.sizes[0]}), found {a.shape}")
        zs: list[Array | None] = [None]
        activations = [a]
        masks: list[Array | None] = [None] * (len(self.layers) + 1) if any(rates) else []
        unmasked = list(masks)
        for l, layer in enumerate(self.layers, start=1):
            z = a @ layer.W + layer.b
            a = layer.activation.forward(z)
            if a.dtype != z.dtype:  # a custom f of float64 numbers: the layer's dtype, as fit's
                a = a.astype(z.dtype)
            if masks and rates[l - 1] > 0:
                rng = rng if rng is not None else np.random.default_rng()
                unmasked[l], a, masks[l] = self._drop(a, rates[l - 1], rng, None, l)
            zs.append(z)
            activations.append(a)
        return ForwardPass(zs, activations, masks, unmasked)

    def _forward_into(
        self, a: Array, ws: Workspace, rates: list[float], rng: np.random.Generator | None
    ) -> ForwardPass:
        """The forward pass of :meth:`forward`, in place in the workspace ``ws``.

        The same formulas, as the calls of :meth:`Products.forward_ops`: z_l is set to
        b_l and the product a_{l−1} W_l added to it by one GEMM (β = 1).
        """
        products = ws.products(self)
        if a is not ws.a[0]:  # not the training loop's own rows: checked, as forward checks X
            _real(a, "X")
            a = np.asarray(a, dtype=self.dtype)
            if a.shape != ws.X.shape:  # a row too few would broadcast over the workspace's m
                raise ArgumentError(
                    f"X: expected shape {ws.X.shape}, the workspace's batch, found {a.shape}"
                )
            if ws.training or not a.flags.c_contiguous:
                np.copyto(ws.a[0], a)
                a = ws.a[0]
        for op in products.forward_ops(a, rates, rng):
            op()
        if not rates and a is ws.a[0]:
            return ws.forward_pass  # the workspace's own arrays, as they now are
        masks: list[Array | None] = [None] * len(ws.a) if any(rates) else []
        unmasked = list(masks)
        for l, p in enumerate(rates, start=1):
            if p > 0:
                masks[l], unmasked[l] = ws.scratch[l].dropout_mask, ws.scratch[l].unmasked
        return ForwardPass(list(ws.z), [a, *ws.a[1:]], masks, unmasked)

    def _drop(
        self, a: Array, p: float, rng: np.random.Generator, ws: Workspace | None, l: int
    ) -> tuple[Array, Array, Array]:
        """Inverted dropout of ``a``: (a unmasked, a ⊙ r, r) with r = [u ≥ p] / (1 − p)."""
        if ws is None:
            mask = (rng.random(a.shape) >= p).astype(self.dtype) / self.dtype.type(1 - p)
            return a, a * mask, mask
        space = ws.scratch[l]
        uniform = scratch(space, "uniform", a)
        rng.random(out=uniform, dtype=a.dtype)
        mask = scratch(space, "dropout_mask", a)
        np.greater_equal(uniform, p, out=mask)  # as 0/1 in a's dtype
        mask /= self.dtype.type(1 - p)
        kept = scratch(space, "unmasked", a)
        np.copyto(kept, a)
        a *= mask
        return kept, a, mask

    def workspace(self, m: int) -> Workspace:
        """Preallocated arrays for training on batches of ``m`` examples: a :class:`Workspace`."""
        return Workspace(self, m)

    def _rates(self, dropout: float | Sequence[float] | None) -> list[float]:
        """The dropout rate of each layer (checked), or [] for no dropout at all."""
        if dropout is None or isinstance(dropout, (int, float)):  # at no cost per batch
            return self._dropout_rates(dropout) if dropout else []
        return self._dropout_rates(dropout) if np.size(dropout) else []  # a list or an array

    def _step_calls(
        self,
        ws: Workspace,
        rates: list[float],
        rng: np.random.Generator | None,
        scale: float,
        descend: bool,
    ) -> tuple[list[Callable[[], object]], list[Callable[[], object]]]:
        """The calls that :meth:`forward` and :meth:`backward` make for a training batch.

        For the rows in ``ws.X`` and the targets in ``ws.Y`` (the workspace's own), with
        dropout ``rates`` (:meth:`_rates`) drawn from ``rng``, and ``scale`` and
        ``descend`` as :meth:`backward` takes them. ``fit`` replays them itself: where no
        callback runs between two batches nothing can replace a layer, and looking the calls up
        again for each batch (the two methods' checks) would cost a small network's step
        a tenth of its time (64-32-10, batches of 16: 2 µs of 19).
        """
        products = ws.products(self)
        # which layers have masks: those of the pass that :meth:`_forward_into` returns
        masked = (False, *(p > 0 for p in rates)) if any(rates) else ()
        fused = self._fused() if self.fused else None
        return (
            products.forward_ops(ws.a[0], rates, rng),
            products.backward_ops(fused, scale, descend, masked),
        )

    def _dropout_rates(self, dropout: float | Sequence[float]) -> list[float]:
        hidden = len(self.layers) - 1
        scalar = np.ndim(dropout) == 0  # a number, or a 0-d array standing for one
        try:
            rates = [float(dropout)] * max(hidden, 1) if scalar else [float(p) for p in dropout]  # type: ignore[arg-type, union-attr]
        except (TypeError, ValueError):
            rates = [np.nan]
        if (not scalar and len(rates) != hidden) or not all(0.0 <= p < 1.0 for p in rates):
            raise ArgumentError(
                f"dropout: expected a rate in [0, 1), or a list of {hidden} such rates (one per "
                f"hidden layer), found {dropout!r}"
            )
        return [*rates[:hidden], 0.0]  # never on the output layer

    # --- predictions -----------------------------------------------------------------

    def output(self, X: Array) -> Array:
        """The output a_L of a batch, shape (m, n_L).

        A large batch goes through in chunks of :data:`PREDICT_CHUNK` rows computed in
        place: the same products, with the work arrays small enough for the caches.
        """
        X = self._inputs(X)
        m = len(X)
        if m <= PREDICT_CHUNK:
            return self.forward(X).a[-1]
        out = np.empty((m, self.sizes[-1]), dtype=self.dtype)
        ws: Workspace | None = None
        for start in range(0, m, PREDICT_CHUNK):
            part = X[start : start + PREDICT_CHUNK]
            if ws is None or ws.m != len(part):  # one per chunk size (see _keep)
                if ws is not None:
                    self._keep(ws)
                ws = self._workspace(len(part), training=False)
            out[start : start + len(part)] = self.forward(part, workspace=ws).a[-1]
        self._keep(ws)  # type: ignore[arg-type]  # (m > PREDICT_CHUNK: one chunk at least)
        return out

    def _inputs(self, X: Array, name: str = "X") -> Array:
        """``X`` as an array of the network's dtype, shape (m, n_0), or ArgumentError."""
        self._check_layers()  # n_0 is read off layer 1's W: a replaced one is named first
        _real(X, name)
        given = X
        try:
            with np.errstate(over="ignore"):  # (a number beyond float32: said below)
                X = np.asarray(X, dtype=self.dtype)
        except (TypeError, ValueError):
            raise ArgumentError(f"{name}: expected numbers, shape (m, {self.sizes[0]})") from None
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ArgumentError(f"{name}: expected shape (m, {self.sizes[0]}), found {X.shape}")
        if X is not given and self.dtype == np.float32 and not finite_row_sums(X):
            wide = np.asarray(given, dtype=np.float64)  # converted here: a pass over a copy
            beyond = np.argwhere(np.isinf(X) & np.isfinite(wide))
            if len(beyond):  # not "holds inf", which the data did not
                k, j = beyond[0]
                raise ArgumentError(
                    f"{name}: example {k + 1} holds {wide[k, j]:g} (column {j + 1}), beyond "
                    "float32's range (±3.4e38): scale the data, or use a float64 network"
                )
        return X

    def _workspace(self, m: int, *, training: bool) -> Workspace:
        """A workspace for batches of ``m`` rows: one kept by :meth:`_keep`, or a new one.

        Fresh memory costs page faults, and preparing the products costs Python calls,
        that would show in every prediction and in every fit of a small network (a
        ``partial_fit`` of a few batches). A kept workspace is taken out while it is in
        use, so that threads, or a fit inside a fit's callback, never share one.
        """
        key = (training, m, self.dtype, tuple(self.sizes))
        with _KEEP_LOCK:
            alike = self.__dict__.get("_workspaces", {}).get(key)
            ws = alike.pop() if alike else None
        if ws is None:
            ws = Workspace(self, m, training=training)
            ws._call = ("fit" if training else "a prediction", weakref.ref(self))
        return ws

    def _keep(self, ws: Workspace) -> None:
        """Keep ``ws`` for the next call: the :data:`KEEP_COUNT` most recently used.

        A workspace above :data:`KEEP_BYTES` (a large batch, a wide network) is not
        kept, except a prediction's of the full chunk, :data:`PREDICT_CHUNK` rows, which
        every large prediction uses again; nor one whose shapes the network no longer
        has (its layers were replaced meanwhile). Never raises: it runs as a fit ends,
        however it ends.
        """
        try:
            sizes = ws.sizes
            key = (ws.training, ws.m, self.dtype, tuple(self.sizes))
        except (IndexError, AttributeError, TypeError):  # no layers, or not a network's
            return
        if ws.X.dtype != self.dtype or sizes != list(key[3]):
            return
        if ws.nbytes > KEEP_BYTES and (ws.training or ws.m != PREDICT_CHUNK):
            # its page faults are small beside its products, unless the network is
            # wide and shallow ([1, 4096, 1]: a third of a 1,025-row prediction); the
            # full chunk's serves every large prediction, a leftover's size is seldom
            # met again (8 of them once held 348 MiB)
            return
        with _KEEP_LOCK:
            cache = self.__dict__.setdefault("_workspaces", {})
            alike = cache.pop(key, [])
            if ws not in alike:
                alike.append(ws)
            cache[key] = alike[-KEEP_ALIKE:]  # the most recent last
            while sum(map(len, cache.values())) > KEEP_COUNT:
                oldest = next(iter(cache))
                del cache[oldest][0]
                if not cache[oldest]:
                    del cache[oldest]

    def release_workspaces(self) -> None:
        """Let go of the workspaces kept for the next fit or prediction, and their memory.

        A fit running meanwhile keeps its own when it ends.
        """
        with _KEEP_LOCK:
            self.__dict__.pop("_workspaces", None)

    @property
    def is_classifier(self) -> bool:
        """True when the loss is a cross-entropy on a softmax or sigmoid output."""
        return self.loss.name in PROBABILITY_TARGETS and (
            self.output_activation.name in ("softmax", "sigmoid")
        )

    def predict_proba(self, X: Array) -> Array:
        """Class probabilities a_L of a classifier, shape (m, n_L); a NaN row is named."""
        with np.errstate(over="ignore", invalid="ignore"):  # said below, by row
            a = self.output(X)
        self._numbers_out(X, a)
        return a

    def predict(self, X: Array) -> Array:
        """Predictions: class indices of a classifier, a_L of any other network.

        A softmax classifier predicts argmax_j a_j; a sigmoid classifier with one unit
        predicts [a > 0.5], with several units (multi-label) [a_j > 0.5] of each unit.
        A row of X whose output is not a number is named (ArgumentError), as
        :meth:`evaluate` names it; :meth:`output` gives a_L as it is.
        """
        with np.errstate(over="ignore", invalid="ignore"):  # a NaN row is said below
            a = self.output(X)
        self._numbers_out(X, a)  # (argmax of NaN would say class 0)
        if not self.is_classifier:
            return a
        if self.output_activation.name == "softmax":
            return a.argmax(axis=1)
        labels = (a > 0.5).astype(np.int64)
        return labels[:, 0] if labels.shape[1] == 1 else labels

    def targets(self, y: Array) -> Array:
        """Targets as the network's output rows: class indices of a classifier one-hot encoded.

        A 2-D ``y`` is taken as it is; a 1-D ``y`` is one-hot encoded for a softmax
        classifier and made a column for a one-unit output.
        """
        return self._targets(y)

    def _targets(self, y: Array, name: str = "y") -> Array:
        """:meth:`targets`, its errors naming ``name`` (``validation_data: y_val``)."""
        y = np.asarray(y)
        n_out = self.sizes[-1]
        if y.dtype.kind not in "biuf":
            raise ArgumentError(
                f"{name}: expected numbers (class indices 0..n-1, or values), found {y.dtype} "
                "data; map labels to indices first (glassnet.sklearn.MLPClassifier takes "
                "any labels)"
            )
        if y.ndim == 2:
            if y.shape[1] != n_out:
                # a column of class indices (Keras' sparse labels): the shape they go in
                sparse = (
                    y.shape[1] == 1
                    and self.is_classifier
                    and self.output_activation.name == "softmax"
                )
                hint = "; class indices go in a 1-D array, shape (n,)" if sparse else ""
                raise ArgumentError(f"{name}: expected {n_out} columns, found {y.shape[1]}{hint}")
            return self._probabilities(y.astype(self.dtype, copy=False), name)
        if y.ndim != 1:
            raise ArgumentError(f"{name}: expected a 1-D or 2-D array, found {y.ndim} dimensions")
        if self.is_classifier and self.output_activation.name == "softmax" and n_out > 1:
            refuse_non_finite(((name, y.reshape(-1, 1)),))  # named by its example, as rows are
            if not np.issubdtype(y.dtype, np.integer) and not np.all(np.mod(y, 1) == 0):
                raise ArgumentError(f"{name}: expected class indices 0..n-1 (whole numbers)")
            labels = y.astype(np.int64)
            if labels.size and (labels.min() < 0 or labels.max() >= n_out):
                raise ArgumentError(f"{name}: class indices must lie in 0..{n_out - 1}")
            return one_hot(labels, n_out, self.dtype)
        if n_out != 1:
            hint = ""
            if self.output_activation.name == "softmax" and np.issubdtype(y.dtype, np.integer):
                # class indices, most likely: the default loss (a squared error) takes rows
                hint = (
                    f"; class indices need loss='cross_entropy' (this network's loss is "
                    f"{self.loss.name})"
                )
            raise ArgumentError(
                f"{name}: expected {n_out} columns (one per output unit), found 1-D{hint}"
            )
        return self._probabilities(y.astype(self.dtype).reshape(-1, 1), name)

    def _probabilities(self, Y: Array, name: str = "y") -> Array:
        """``Y``, checked to lie in [0, 1] where a cross-entropy takes it as probabilities."""
        problem = targets_outside(self.loss.name, Y)
        if problem is not None:
            raise ArgumentError(f"{name}: {problem}")
        return Y

    def evaluate(self, X: Array, y: Array) -> dict[str, float]:
        """The batch loss and a metric: accuracy for a classifier, R² for any other network.

        A NaN or infinity in X (where it makes an output NaN) or in y is an ArgumentError
        naming its row.

        Parameters
        ----------
        X : array, shape (m, n_0)
        y : array
            Targets as :meth:`fit` takes them: rows (m, n_L), or class indices of a
            classifier.

        Returns
        -------
        dict
            ``{"loss": L, "accuracy": …}`` or ``{"loss": L, "r2": …}``, L the mean of ℓ.
        """
        X = self._inputs(X)
        Y = self.targets(y)
        if len(Y) != len(X):
            raise ArgumentError(f"y: {len(Y)} targets for {len(X)} examples")
        if not len(X):  # a mean of nothing
            raise ArgumentError("X: no examples to evaluate on")
        # a NaN target makes the loss NaN and the score 0, which would read as figures;
        # checked on Y itself, n_L numbers a row (X's show in the output, below)
        refuse_non_finite((("y", Y),))
        # in chunks: the whole pass would keep every layer's z and a of every row (1e6
        # rows of 64 inputs: 4.4 GiB); a_L and ℓ of each row are all the figures need,
        # the same expressions on them then (one chunk: the whole pass's own arrays).
        # (Not a prediction's workspace: it writes a over z; a fused loss takes z_L.)
        outputs, losses = [], []
        with np.errstate(over="ignore", invalid="ignore"):  # a NaN row is said below
            for start in range(0, len(X), PREDICT_CHUNK):
                rows = slice(start, start + PREDICT_CHUNK)
                fp = self.forward(X[rows])
                outputs.append(fp.a[-1])
                losses.append(self.example_losses(fp, Y[rows]))
        A = outputs[0] if len(outputs) == 1 else np.concatenate(outputs)
        ell = losses[0] if len(losses) == 1 else np.concatenate(losses)
        self._numbers_out(X, A)  # NaN in, accuracy 0 out would read as a score
        loss = float(ell.mean())
        name, value = metric_value(self, A, Y)
        return {"loss": loss, name: value}

    def _numbers_out(self, X: Array, a: Array) -> None:
        """ArgumentError naming X's row (and column) whose output a_L is not a number.

        Checked on the output (m × n_L numbers), not on X: a NaN or an infinity of X
        reaches the output, and X is the larger array by far. A NaN or infinite
        weight, which makes every row NaN, is named instead.
        """
        if np.isnan(a).any():
            self._refuse_non_finite_parameters()
            k = int(np.flatnonzero(np.isnan(a).any(axis=1))[0])
            row = np.asarray(X, dtype=np.float64)[k]
            bad = np.flatnonzero(~np.isfinite(row))
            where = f", column {bad[0] + 1} ({row[bad[0]]})" if bad.size else ""
            raise ArgumentError(f"X: row {k + 1}{where} gives an output that is not a number (NaN)")

    def fit(self, X: Array, y: Array, **kwargs: object) -> History:
        """Train the network; see :func:`glassnet.train.fit` for the arguments.

        Returns
        -------
        glassnet.train.History
        """
        from glassnet.train import fit  # train builds on this module, not the reverse

        return fit(self, X, y, **kwargs)  # type: ignore[arg-type]

    def example_losses(self, fp: ForwardPass, Y: Array) -> Array:
        """ℓ of each example, shape (m,); from the logits on a fused pair (stable at a ∈ {0, 1})."""
        return self._example_losses(fp, self._batch_targets(Y, fp.a[-1].shape))

    def _example_losses(self, fp: ForwardPass, Y: Array) -> Array:
        """:meth:`example_losses` of checked targets (a training batch's, checked up front)."""
        fused = self._fused()
        if fused is not None:
            return fused.value(fp.z[-1], Y)
        z, a = fp.z[-1], fp.a[-1]
        losses = self.loss.value(a, Y)
        if np.shape(losses) != Y.shape[:-1]:  # a registered value(a, y) that forgot Σ_j
            raise ArgumentError(
                f"loss {self.loss.name!r}: value(a, y) must give one ℓ per example, shape "
                f"{Y.shape[:-1]}; it gave shape {np.shape(losses)}"
            )
        exact = self._saturated()
        if exact is not None and z is not None:  # rows whose ℓ(a, y) lost the number
            rows = exact.rows(z, a, Y)
            if rows.size:
                losses[rows] = exact.value(z[rows], Y[rows])
        return losses

    def _batch_targets(self, Y: Array, shape: tuple[int, ...]) -> Array:
        """``Y`` as the network's dtype, refused unless of the output's shape (m, n_L).

        A row too few would broadcast: the loss would look right and the gradients,
        summed over the batch's m rows of δ, come out m times too large. A
        cross-entropy's targets outside [0, 1] are refused, as :meth:`fit` refuses them.
        """
        given = np.shape(Y)
        Y = np.asarray(Y, dtype=self.dtype)
        if Y.shape != shape:
            raise ArgumentError(
                f"Y: expected shape {shape}, as the output a_L (one row of targets per "
                f"example), found {given}"
            )
        return self._probabilities(Y, "Y")

    def example_rows(self, X: Array, Y: Array) -> tuple[Array, Array]:
        """A step's examples and targets as float64 rows, shapes (m, n_0) and (m, n_L).

        One example may be given as vectors (X of shape (n_0,), Y of (n_L,), or a number
        for one output); a batch's targets also as :meth:`fit` takes them (class
        indices of a softmax classifier, one value per example of a one-unit output).
        """
        self._check_layers()  # n_0 and n_L are read off the layers: a replaced one named first
        X = np.atleast_2d(self._numbers(X, "X"))
        if not len(X):  # a step's loss and gradients are means over the examples
            raise ArgumentError("X: no examples (the loss and its gradients are means over them)")
        # one example: X a vector or one row, Y its n_L targets (or a number for one)
        single = X.shape[0] == 1 and np.size(Y) == self.sizes[-1] and np.ndim(Y) <= 1
        if single:
            Y = self._numbers(Y, "Y").reshape(1, -1)
        else:
            Y = self._numbers(self._per_example(Y, len(X)), "Y")
        return X, Y  # (a cross-entropy's [0, 1] is checked where the loss takes Y)

    @staticmethod
    def _numbers(values: Array, name: str) -> Array:
        """``values`` as finite float64 numbers, or ArgumentError naming ``name``."""
        _real(values, name)
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ArgumentError(f"{name}: expected numbers, found {values!r:.80}") from None
        if not np.isfinite(array).all():  # None becomes nan: a step of it is no step
            where = tuple(int(i) + 1 for i in np.argwhere(~np.isfinite(array))[0])
            raise ArgumentError(f"{name}: not a finite number at {list(where)} (1-based)")
        return array

    def _per_example(self, Y: Array, m: int) -> Array:
        """``Y`` given one number per example (1-D, m long) as :meth:`fit` takes it, as rows.

        Class indices of a softmax classifier, one value each of a one-unit output; any
        other ``Y`` as it is.
        """
        return self._targets(Y, "Y") if np.ndim(Y) == 1 and np.shape(Y)[0] == m else Y

    def loss_value(self, X: Array, Y: Array) -> float:
        r"""The batch loss L = (1/m) Σ_k ℓ(a_L^{(k)}, y^{(k)})."""
        return self._loss_of(self.forward(X), Y)

    def _loss_of(self, fp: ForwardPass, Y: Array) -> float:
        """L of the forward pass ``fp`` (of :meth:`loss_value`'s X) against Y."""
        if not len(fp.a[0]):  # a mean over no examples: 0/0
            raise ArgumentError("X: no examples (the loss is a mean over them)")
        return float(self.example_losses(fp, Y).mean())

    # --- the backward pass -----------------------------------------------------------

    def backward(
        self,
        fp: ForwardPass,
        Y: Array,
        *,
        fused: bool | None = None,
        record: bool = False,
        workspace: Workspace | None = None,
        scale: float | None = None,
        descend: bool = False,
    ) -> BackwardPass:
        r"""Compute δ_l for every layer and the gradients of the batch loss.

        Parameters
        ----------
        fp : ForwardPass
            The forward pass of the same batch.
        Y : ndarray, shape (m, n_L)
            The targets.
        fused : bool, optional
            Take δ_L = a − y on a fused pair; defaults to the network's setting.
        record : bool
            Also keep ∂ℓ/∂a_l and f_l'(z_l) (the Jacobian for softmax) of every layer.
        workspace : Workspace, optional
            Training: compute in place into these arrays (the forward pass's own); Y is
            checked as without one, unless it is the workspace's own ``Y``.
        scale : float, optional
            With a workspace: multiply δ_L, hence every δ and gradient, by this
            instead of dividing the gradients by m — e.g. η/m, so that the gradients
            are the very steps of gradient descent (one multiplication of a small
            matrix instead of one per parameter). Default 1/m.
        descend : bool
            With a workspace and ``scale`` = η/m: take the gradient-descent step
            θ ← θ − η ∂L/∂θ of every parameter inside the pass, instead of returning
            the gradients (plain SGD's fast path). The returned δ_L is then ∂ℓ/∂z_L
            unscaled, the other δ_l carry η/m, and the gradient arrays are not used.
            Where two parameters share memory (tied weights), every step waits for the
            end of the pass, so that each δ is of the weights before the step.

        Returns
        -------
        BackwardPass

        Notes
        -----
        .. math::
            \delta_L = f_L'(z_L)^\top \frac{\partial\ell}{\partial a_L},\quad
            \delta_l = (\delta_{l+1} W_{l+1}^\top) \odot f_l'(z_l),\quad
            \frac{\partial L}{\partial W_l} = \frac{a_{l-1}^\top \delta_l}{m},\quad
            \frac{\partial L}{\partial b_l} = \frac1m\sum_k \delta_l^{(k)}
        """
        if workspace is None:  # (a workspace's products check the layers they are made for)
            self._check_layers()  # a W, b or activation replaced since: taken (or named) first
        use_fused = self.fused if fused is None else fused
        fused_path = self._fused() if use_fused and not record else None
        if workspace is not None:
            if record:
                raise ArgumentError("record: explanations are computed without a workspace")
            if Y is not workspace.Y:  # not the training loop's own targets: checked
                Y = self._batch_targets(Y, workspace.Y.shape)
            return self._backward_into(
                fp, Y, fused_path, workspace, 1.0 / len(Y) if scale is None else scale, descend
            )
        m = fp.a[0].shape[0]
        if not m:  # the gradients are means over the examples: 0/0
            raise ArgumentError("X: no examples to compute gradients on")
        Y = self._batch_targets(Y, fp.a[-1].shape)
        n_layers = len(self.layers)
        size = n_layers + 1
        bp = BackwardPass([None] * size, [None] * size, [None] * size, [None] * size, [None] * size)

        for l in range(n_layers, 0, -1):
            layer = self.layers[l - 1]
            z, a = fp.z[l], fp.a[l]
            assert z is not None
            if fp.masks and fp.masks[l] is not None:
                a = fp.unmasked[l]  # type: ignore[assignment]  # f'(z) is of f(z), unmasked
            dL_da: Array | None
            if l == n_layers and fused_path is not None:
                dL_da = None  # never formed: δ_L = a − y directly
                delta = fused_path.delta(a, Y)
            else:
                if l == n_layers:
                    dL_da = self.loss.gradient(a, Y)
                else:
                    dL_da = bp.delta[l + 1] @ self.layers[l].W.T  # type: ignore[operator]
                    if fp.masks and fp.masks[l] is not None:
                        dL_da = dL_da * fp.masks[l]  # a dropped unit passes no gradient
                delta = layer.activation.vjp(z, a, dL_da)
                if delta.dtype != z.dtype:  # a custom f′ of float64 numbers: as fit's
                    delta = delta.astype(z.dtype)
                if l == n_layers:
                    delta, dL_da = self._saturated_delta(delta, dL_da, z, a, Y, record)
            bp.delta[l] = delta
            bp.grad_W[l] = fp.a[l - 1].T @ delta / m
            bp.grad_b[l] = delta.mean(axis=0)
            if record:
                bp.dL_da[l] = dL_da
                bp.da_dz[l] = layer.activation.derivative(z, a)
        return bp

    def _saturated_delta(
        self, delta: Array, dL_da: Array, z: Array, a: Array, Y: Array, record: bool
    ) -> tuple[Array, Array]:
        """δ_L and ∂ℓ/∂a_L of the general path, or the exact ones where the output saturated.

        On a fused pair (softmax or sigmoid with its cross-entropy) the general δ and
        the fused a − y agree to rounding; where a rounded to 0 or 1, ∂ℓ/∂a is huge and
        f′ is 0, and their product loses δ (0 · ∞). An explanation (``record``) then
        shows the exact δ, the one training uses (with ``fused`` on, the default),
        for the whole batch, and the general path's factors beside it.

        An unfused pair with an exact form from the logits (softmax with
        binary_cross_entropy, :data:`glassnet.losses.SATURATED`) has no other path to
        train on: each row where the a-based factors lose the number takes δ from the
        logits, always, and an explanation shows that row's exact ∂ℓ/∂a too.

        Elsewhere the general path's own numbers stay, bit for bit.
        """
        exact = self._saturated()
        if exact is not None:
            rows = exact.rows(z, a, Y)
            if rows.size:
                delta = delta.copy()
                delta[rows] = exact.delta(z[rows], Y[rows])
                if record:
                    dL_da = dL_da.copy()
                    dL_da[rows] = exact.gradient(z[rows], a[rows], Y[rows])
            return delta, dL_da
        fused = self._fused()  # the exact δ, as the page's own step takes it too
        if fused is None or not record:
            return delta, dL_da
        with np.errstate(all="ignore"):
            direct = fused.delta(a, Y)
            close = np.isclose(delta, direct, rtol=1e-9, atol=1e-12)
        return (delta if bool(np.all(close)) else direct), dL_da

    def _backward_into(
        self,
        fp: ForwardPass,
        Y: Array,
        fused_path: object | None,
        ws: Workspace,
        scale: float,
        descend: bool = False,
    ) -> BackwardPass:
        """The backward pass of :meth:`backward`, in place in the workspace ``ws``.

        The same formulas, as the calls of :meth:`Products.backward_ops`; the
        gradients come out multiplied by ``scale`` (not 1/m).
        With ``descend`` (``scale`` = η/m) they are subtracted from the parameters as
        soon as the pass no longer needs the old ones: W_l once δ_{l−1} has been
        computed from it; η/m then enters as α of the products of δ_L
        (:meth:`Products.descent`), which is left unscaled.
        """
        if not ws.training or fp.z[-1] is not ws.z[-1]:
            raise ArgumentError("fp: expected the forward pass computed in this training workspace")
        if Y is not ws.Y:
            np.copyto(ws.Y, Y)
        masked = tuple(m is not None for m in fp.masks) if fp.masks else ()
        for op in ws.products(self).backward_ops(fused_path, scale, descend, masked):
            op()
        return ws.backward_pass  # the workspace's own arrays, as they now are

    def gradients(self, X: Array, Y: Array) -> BackwardPass:
        r"""Forward and backward pass of one batch: every δ_l and gradient, none applied.

        .. math::

            \frac{\partial L}{\partial W_l} = \frac1m a_{l-1}^\top \delta_l,\qquad
            \frac{\partial L}{\partial b_l} = \frac1m \sum_k \delta_l^{(k)}

        Parameters
        ----------
        X, Y : array
            As :meth:`step` takes them: rows (m, n_0) and (m, n_L), or class indices of a
            softmax classifier, one value per example of a one-unit output, or one
            example as vectors.

        Returns
        -------
        BackwardPass
            ``grad_W[l]``, ``grad_b[l]`` and ``delta[l]`` for l = 1 … L.
        """
        X, Y = self.example_rows(X, Y)  # one example as vectors too, as step takes it
        return self.backward(self.forward(X), Y)

    # --- the update ------------------------------------------------------------------

    def apply_gradients(self, bp: BackwardPass, learning_rate: float) -> None:
        """W_l ← W_l − η ∂L/∂W_l and b_l ← b_l − η ∂L/∂b_l for every layer, in place.

        Every gradient was computed from the pre-update weights.
        """
        for l, layer in enumerate(self.layers, start=1):
            descend(layer.W, bp.grad_W[l], learning_rate, out=layer.W)  # type: ignore[arg-type]
            descend(layer.b, bp.grad_b[l], learning_rate, out=layer.b)  # type: ignore[arg-type]

    def step(self, X: Array, Y: Array, learning_rate: float) -> float:
        """One step of gradient descent on a batch; returns the batch loss before the step."""
        learning_rate = real_number("learning_rate", learning_rate, 0.0, strict=True)
        X, Y = self.example_rows(X, Y)  # one example as vectors too, as explain_step
        fp = self.forward(X)
        loss = float(self.example_losses(fp, Y).mean())
        self.apply_gradients(self.backward(fp, Y), learning_rate)
        return loss
