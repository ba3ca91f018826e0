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

This is the only implementation of the math in glassnet: training calls it,
and so do :mod:`glassnet.trace` (explanations) and :mod:`glassnet.gradcheck`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from glassnet.activations import Activation, get_activation
from glassnet.errors import ArgumentError
from glassnet.init import get_initializer
from glassnet.losses import FUSED, Loss, get_loss

Array = np.ndarray


@dataclass
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
            self.activation = get_activation(self.activation, path="Layer", field="activation")

    @property
    def n_in(self) -> int:
        """Number of inputs."""
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        """Number of units."""
        return self.W.shape[1]


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


def default_init(activation: str) -> str:
    """The initialiser suited to an activation: He for the relu family, Glorot otherwise."""
    return "he_uniform" if activation in ("relu", "leaky_relu", "elu") else "glorot_uniform"


def descend(param: Array, grad: Array, learning_rate: float, out: Array | None = None) -> Array:
    r"""One gradient-descent step, θ − η ∂L/∂θ (into ``out`` when given).

    .. math:: \theta \leftarrow \theta - \eta \frac{\partial L}{\partial \theta}
    """
    return np.subtract(param, learning_rate * grad, out=out)


class Network:
    """A dense feed-forward network with a loss.

    Parameters
    ----------
    layers : sequence of Layer, or sequence of int
        The layers; or the sizes [n_0, n_1, ..., n_L], with ``activations``.
    activations : sequence of str or Activation, optional
        One per layer, when ``layers`` gives sizes.
    loss : str or Loss
        The per-example loss ℓ; the batch loss is its mean.
    init : str, optional
        Initialiser of the weights, when ``layers`` gives sizes; biases start at 0.
        By default chosen by each layer's activation: he_uniform for relu,
        leaky_relu and elu, glorot_uniform for the others.
    seed : int, optional
        Seed of the initialiser's random numbers.
    dtype : {"float64", "float32"}
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
        seed: int | None = None,
        dtype: str | np.dtype = "float64",
        fused: bool = True,
    ) -> None:
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float64, np.float32):
            raise ArgumentError(f"dtype: expected float64 or float32, found {self.dtype}")
        self.loss = get_loss(loss, path="Network", field="loss")
        self.fused = fused
        layers = list(layers)
        if layers and all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in layers
        ):
            self.layers = self._build(layers, activations, init, seed)  # type: ignore[arg-type]
        elif all(isinstance(layer, Layer) for layer in layers) and layers:
            if activations is not None:
                raise ArgumentError("activations: give them only with layer sizes")
            self.layers = [
                Layer(
                    np.asarray(layer.W, dtype=self.dtype),
                    np.asarray(layer.b, dtype=self.dtype),
                    layer.activation,
                )
                for layer in layers
            ]
        else:
            raise ArgumentError("layers: expected a list of Layer or of layer sizes (at least 2)")
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
        seed: int | None,
    ) -> list[Layer]:
        if len(sizes) < 2 or any(n < 1 for n in sizes):
            raise ArgumentError(f"layers: expected at least 2 positive sizes, found {sizes}")
        if activations is None or len(activations) != len(sizes) - 1:
            raise ArgumentError(
                f"activations: expected {len(sizes) - 1} (one per layer), "
                f"found {None if activations is None else len(activations)}"
            )
        rng = np.random.default_rng(seed)
        layers = []
        for i, (n_in, n_out, act) in enumerate(
            zip(sizes[:-1], sizes[1:], activations, strict=True)
        ):
            activation = get_activation(act, path="Network", field=f"activations[{i}]")
            name = init if init is not None else default_init(activation.name)
            initializer = get_initializer(name, path="Network", field="init")
            layers.append(
                Layer(
                    initializer(n_in, n_out, rng, self.dtype),
                    np.zeros(n_out, dtype=self.dtype),
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
        """f_L."""
        return self.layers[-1].activation

    def _fused(self) -> object | None:
        return FUSED.get((self.output_activation.name, self.loss.name))

    def copy(self) -> Network:
        """A deep copy: parameters are copied, activations and loss shared."""
        return Network(
            [Layer(layer.W.copy(), layer.b.copy(), layer.activation) for layer in self.layers],
            loss=self.loss,
            dtype=self.dtype,
            fused=self.fused,
        )

    def astype(self, dtype: str | np.dtype) -> Network:
        """Return the network in ``dtype``: itself if it is already, else a converted copy."""
        if np.dtype(dtype) == self.dtype:
            return self
        return Network(self.layers, loss=self.loss, dtype=dtype, fused=self.fused)

    def __repr__(self) -> str:
        acts = ", ".join(layer.activation.name for layer in self.layers)
        return f"Network({self.sizes}, activations=[{acts}], loss={self.loss.name!r})"

    # --- the forward pass ------------------------------------------------------------

    def forward(
        self,
        X: Array,
        *,
        dropout: float | Sequence[float] = 0.0,
        rng: np.random.Generator | None = None,
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

        Returns
        -------
        ForwardPass

        Notes
        -----
        With dropout, :math:`a_l = f_l(z_l) \odot r_l` with
        :math:`r_{l,j} = [u_j \ge p_l] / (1 - p_l)`, and the backward pass multiplies
        ∂ℓ/∂a_l by the same r_l.
        """
        a = np.asarray(X, dtype=self.dtype)
        zs: list[Array | None] = [None]
        activations = [a]
        rates = self._dropout_rates(dropout)
        masks: list[Array | None] = [None] * (len(self.layers) + 1) if any(rates) else []
        unmasked = list(masks)
        for l, layer in enumerate(self.layers, start=1):
            z = a @ layer.W + layer.b
            a = layer.activation.forward(z)
            if masks and rates[l - 1] > 0:
                p = rates[l - 1]
                rng = rng if rng is not None else np.random.default_rng()
                mask = (rng.random(a.shape) >= p).astype(self.dtype) / self.dtype.type(1 - p)
                unmasked[l] = a
                a = a * mask
                masks[l] = mask
            zs.append(z)
            activations.append(a)
        return ForwardPass(zs, activations, masks, unmasked)

    def _dropout_rates(self, dropout: float | Sequence[float]) -> list[float]:
        hidden = len(self.layers) - 1
        scalar = np.isscalar(dropout)
        rates = [float(dropout)] * max(hidden, 1) if scalar else [float(p) for p in dropout]
        if (not scalar and len(rates) != hidden) or not all(0.0 <= p < 1.0 for p in rates):
            raise ArgumentError(
                f"dropout: expected one rate in [0, 1) or {hidden} (one per hidden layer), "
                f"found {dropout!r}"
            )
        return [*rates[:hidden], 0.0]  # never on the output layer

    # --- predictions -----------------------------------------------------------------

    def output(self, X: Array) -> Array:
        """The output a_L of a batch, shape (m, n_L)."""
        return self.forward(X).a[-1]

    @property
    def is_classifier(self) -> bool:
        """True when the loss is a cross-entropy on a softmax or sigmoid output."""
        return self.loss.name in ("cross_entropy", "binary_cross_entropy") and (
            self.output_activation.name in ("softmax", "sigmoid")
        )

    def predict_proba(self, X: Array) -> Array:
        """Class probabilities a_L of a classifier, shape (m, n_L)."""
        return self.output(X)

    def predict(self, X: Array) -> Array:
        """Predictions: class indices of a classifier, a_L of any other network.

        A softmax classifier predicts argmax_j a_j; a sigmoid classifier with one unit
        predicts [a > 0.5], with several units (multi-label) [a_j > 0.5] of each unit.
        """
        a = self.output(X)
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
        y = np.asarray(y)
        n_out = self.sizes[-1]
        if y.ndim == 2:
            if y.shape[1] != n_out:
                raise ArgumentError(f"y: expected {n_out} columns, found {y.shape[1]}")
            return y.astype(self.dtype, copy=False)
        if y.ndim != 1:
            raise ArgumentError(f"y: expected a 1-D or 2-D array, found {y.ndim} dimensions")
        if self.is_classifier and self.output_activation.name == "softmax" and n_out > 1:
            if not np.issubdtype(y.dtype, np.integer) and not np.all(np.mod(y, 1) == 0):
                raise ArgumentError("y: expected class indices 0..n-1 (whole numbers)")
            labels = y.astype(np.int64)
            if labels.size and (labels.min() < 0 or labels.max() >= n_out):
                raise ArgumentError(f"y: class indices must lie in 0..{n_out - 1}")
            return np.eye(n_out, dtype=self.dtype)[labels]
        if n_out != 1:
            raise ArgumentError(f"y: expected {n_out} columns (one per output unit), found 1-D")
        return y.astype(self.dtype).reshape(-1, 1)

    def evaluate(self, X: Array, y: Array) -> dict[str, float]:
        """The batch loss and a metric: accuracy for a classifier, R² for any other network."""
        from glassnet.train import metric_value

        Y = self.targets(y)
        fp = self.forward(X)
        loss = float(self.example_losses(fp, Y).mean())
        name, value = metric_value(self, fp.a[-1], Y)
        return {"loss": loss, name: value}

    def fit(self, X: Array, y: Array, **kwargs: object) -> object:
        """Train the network; see :func:`glassnet.train.fit` for the arguments.

        Returns
        -------
        glassnet.train.History
        """
        from glassnet.train import fit  # train builds on this module, not the reverse

        return fit(self, X, y, **kwargs)  # type: ignore[arg-type]

    def example_losses(self, fp: ForwardPass, Y: Array) -> Array:
        """ℓ of each example, shape (m,); from the logits on a fused pair (stable at a ∈ {0, 1})."""
        Y = np.asarray(Y, dtype=self.dtype)
        fused = self._fused()
        if fused is not None:
            return fused.value(fp.z[-1], Y)  # type: ignore[attr-defined]
        return self.loss.value(fp.a[-1], Y)

    def loss_value(self, X: Array, Y: Array) -> float:
        r"""The batch loss L = (1/m) Σ_k ℓ(a_L^{(k)}, y^{(k)})."""
        return float(self.example_losses(self.forward(X), Y).mean())

    # --- the backward pass -----------------------------------------------------------

    def backward(
        self, fp: ForwardPass, Y: Array, *, fused: bool | None = None, record: bool = False
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
        Y = np.asarray(Y, dtype=self.dtype)
        n_layers = len(self.layers)
        m = Y.shape[0]
        size = n_layers + 1
        bp = BackwardPass([None] * size, [None] * size, [None] * size, [None] * size, [None] * size)
        use_fused = self.fused if fused is None else fused
        fused_path = self._fused() if use_fused and not record else None

        for l in range(n_layers, 0, -1):
            layer = self.layers[l - 1]
            z, a = fp.z[l], fp.a[l]
            assert z is not None
            if fp.masks and fp.masks[l] is not None:
                a = fp.unmasked[l]  # type: ignore[assignment]  # f'(z) is of f(z), unmasked
            dL_da: Array | None
            if l == n_layers and fused_path is not None:
                dL_da = None  # never formed: δ_L = a − y directly
                delta = fused_path.delta(a, Y)  # type: ignore[attr-defined]
            else:
                if l == n_layers:
                    dL_da = self.loss.gradient(a, Y)
                else:
                    dL_da = bp.delta[l + 1] @ self.layers[l].W.T  # type: ignore[operator]
                    if fp.masks and fp.masks[l] is not None:
                        dL_da = dL_da * fp.masks[l]  # a dropped unit passes no gradient
                delta = layer.activation.vjp(z, a, dL_da)
            bp.delta[l] = delta
            bp.grad_W[l] = fp.a[l - 1].T @ delta / m
            bp.grad_b[l] = delta.mean(axis=0)
            if record:
                bp.dL_da[l] = dL_da
                bp.da_dz[l] = layer.activation.derivative(z, a)
        return bp

    def gradients(self, X: Array, Y: Array) -> BackwardPass:
        """Forward and backward pass of one batch."""
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
        fp = self.forward(X)
        loss = float(self.example_losses(fp, Y).mean())
        self.apply_gradients(self.backward(fp, Y), learning_rate)
        return loss
