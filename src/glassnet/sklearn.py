r"""scikit-learn estimators trained by glassnet: :class:`MLPClassifier` and :class:`MLPRegressor`.

Drop-in replacements for :class:`sklearn.neural_network.MLPClassifier` and
:class:`sklearn.neural_network.MLPRegressor` (same parameters, defaults, fitted
attributes and behaviour, see ``docs/sklearn.md``), whose training runs through
glassnet's engine: the network is a :class:`glassnet.network.Network`, every epoch
of a call to ``fit`` is one call to :func:`glassnet.train.fit`, with glassnet's
:class:`~glassnet.optimizers.Adam` or :class:`~glassnet.optimizers.SGD`.

The objective is scikit-learn's, per mini-batch B of n_B examples:

.. math::

    L_B = \frac1{n_B}\sum_{k\in B} \ell(a_L^{(k)}, y^{(k)})
          + \frac{\alpha}{2 n_B} \sum_l \lVert W_l \rVert^2

with ℓ the cross-entropy (softmax output), the binary cross-entropy summed over the
output units (sigmoid output), or half the squared error (identity output).  The
penalty divides by the size of the batch it is added to, the last partial batch of
an epoch included, so the gradients are scikit-learn's exactly.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from glassnet.sklearn import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0).fit(X, y)
>>> clf.network_.sizes
[4, 16, 3]
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

try:
    from sklearn import get_config
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import (
        _check_partial_fit_first_call,
        check_classification_targets,
        type_of_target,
        unique_labels,
    )
    from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
except ImportError as error:  # pragma: no cover - an optional dependency
    raise ImportError(
        "glassnet.sklearn needs scikit-learn 1.6 or later: pip install scikit-learn"
    ) from error

from glassnet import blas
from glassnet.activations import ACTIVATIONS, Activation, get_activation
from glassnet.errors import ArgumentError, SpecError, finite_row_sums
from glassnet.losses import Loss, get_loss
from glassnet.network import Layer, Network, one_hot, sum_of_squares, targets_outside
from glassnet.optimizers import SGD, Adam, Optimizer, Schedule
from glassnet.train import Callback, TrainingError, TrainingState
from glassnet.train import fit as train_fit

__all__ = ["InvScaling", "MLPClassifier", "MLPRegressor"]

Array = np.ndarray

#: scikit-learn's activation names → glassnet's ("logistic" is glassnet's "sigmoid").
SKLEARN_ACTIVATIONS = {
    "identity": "identity",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
}

#: glassnet's output activations → the names scikit-learn gives ``out_activation_``.
OUT_ACTIVATION_NAMES = {"sigmoid": "logistic", "softmax": "softmax", "identity": "identity"}

_SOLVERS = ("sgd", "adam")
_LEARNING_RATES = ("constant", "invscaling", "adaptive")


# --- pieces for the engine ------------------------------------------------------------


class InvScaling(Schedule):
    r"""scikit-learn's "invscaling" schedule: η = η₀ / (t + 1)^power_t, t the samples seen.

    scikit-learn sets the rate at the end of each epoch from the samples seen so
    far; glassnet sets it at the start of the next, which is the same: epoch e
    (from 0) of a call that starts with ``samples_seen`` samples behind it runs at
    η₀ / (samples_seen + e · samples_per_epoch + 1)^power_t.

    Parameters
    ----------
    power_t : float, default 0.5
        The exponent.
    samples_per_epoch : int, default 1
        The training examples of one epoch.
    samples_seen : int, default 0
        The examples seen before this call (scikit-learn's ``t_``).
    restart : bool, default True
        The optimizer is new: its first epoch runs at η₀, as a new scikit-learn
        optimizer does; False carries on from the samples already seen.

    Examples
    --------
    >>> InvScaling(0.5, samples_per_epoch=3).rate(0.1, 0.1, 1, [])
    0.05
    """

    name = "invscaling"

    def __init__(
        self,
        power_t: float = 0.5,
        samples_per_epoch: int = 1,
        samples_seen: int = 0,
        restart: bool = True,
    ) -> None:
        self.power_t = float(power_t)
        self.samples_per_epoch = int(samples_per_epoch)
        self.samples_seen = int(samples_seen)
        self.restart = bool(restart)

    def rate(self, initial: float, current: float, epoch: int, losses: Sequence[float]) -> float:
        """η₀ / (t + 1)^power_t with t the samples seen before ``epoch``."""
        if epoch == 0 and self.restart:
            return current
        t = self.samples_seen + epoch * self.samples_per_epoch
        return initial / (t + 1) ** self.power_t

    def __repr__(self) -> str:
        return f"InvScaling(power_t={self.power_t:g})"


class _PerBatchL2(Optimizer):
    """Adds scikit-learn's L2 term α W / n_B to each weight gradient, then steps ``inner``.

    glassnet's ``fit(l2=λ)`` adds λ W whatever the batch size; scikit-learn divides
    by the size n_B of each batch, which is smaller for the last batch of an epoch.
    The sizes are known in advance (batches are slices of one permutation), so the
    n_B of each step is the next one of the epoch's sizes.  Also sums the penalty
    (α/2) Σ‖W‖² of the weights each batch started from, for scikit-learn's loss.
    """

    name = "per_batch_l2"

    def __init__(self, inner: Optimizer, alpha: float, n_samples: int, batch_size: int) -> None:
        # no super().__init__: the learning rate is the inner optimizer's
        self.inner = inner
        self.alpha = float(alpha)
        self.sizes = [min(batch_size, n_samples - s) for s in range(0, n_samples, batch_size)]
        self.batch = 0
        self.penalty = 0.0

    @property
    def learning_rate(self) -> float:  # type: ignore[override]
        """The inner optimizer's η."""
        return self.inner.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.inner.learning_rate = value

    @property
    def initial_learning_rate(self) -> float:  # type: ignore[override]
        """The inner optimizer's η₀."""
        return self.inner.initial_learning_rate

    @initial_learning_rate.setter
    def initial_learning_rate(self, value: float) -> None:
        self.inner.initial_learning_rate = value

    @property
    def plain_descent(self) -> bool:
        """Without L2, a step is the inner optimizer's own."""
        return self.alpha == 0.0 and self.inner.plain_descent

    def new_epoch(self) -> float:
        """Start an epoch; return the penalty summed over the last one and reset it."""
        penalty, self.penalty, self.batch = self.penalty, 0.0, 0
        return penalty

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Add α W / n_B to the weight gradients (params are W_1, b_1, W_2, b_2, ...)."""
        if self.alpha:
            n_b = self.sizes[self.batch % len(self.sizes)]
            grads, work = list(grads), self._work(params)
            for i in range(0, len(params), 2):
                W = params[i]
                # ∂L/∂W + (α/n_B) W into a work array of W's: nothing allocated per batch
                term = np.multiply(W, self.alpha / n_b, out=work[i])
                grads[i] = np.add(grads[i], term, out=term)
            squares = sum_of_squares(params[::2])
            self.penalty += 0.5 * self.alpha * squares  # (α/2n_B)Σ‖W‖², weighted by n_B
        self.batch += 1
        self.inner.step(params, grads)


class _Monitor(Callback):
    """scikit-learn's end-of-epoch bookkeeping: loss curve, validation, stopping, η."""

    def __init__(
        self,
        estimator: _BaseMLP,
        optimizer: _PerBatchL2,
        n_samples: int,
        loss_scale: float,
        early_stopping: bool,
        validation: tuple[Array, Array] | None,
    ) -> None:
        self.est = estimator
        self.opt = optimizer
        self.n_samples = n_samples
        self.loss_scale = loss_scale
        self.early_stopping = early_stopping
        self.validation = validation
        self.stopped = False

    def on_train_begin(self, state: TrainingState) -> None:
        """Reset the batch counter of the L2 term."""
        self.opt.new_epoch()

    def on_epoch_end(self, state: TrainingState, epoch: int, logs: dict[str, float]) -> None:
        """Record the epoch's loss; stop, or divide η by 5, when it stalls."""
        est = self.est
        penalty = self.opt.new_epoch()
        loss = logs["loss"] * self.loss_scale + penalty / self.n_samples
        est.n_iter_ += 1
        est.loss_ = loss
        est.t_ += self.n_samples
        est.loss_curve_.append(loss)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {loss:.8f}")

        if self.early_stopping:
            assert self.validation is not None
            score = est._validation_score(*self.validation)
            est.validation_scores_.append(score)
            if est.verbose:
                print(f"Validation score: {score:f}")
            if score < est.best_validation_score_ + est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_coefs = [layer.W.copy() for layer in state.network.layers]
                est._best_intercepts = [layer.b.copy() for layer in state.network.layers]
        else:
            if loss > est.best_loss_ - est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            est.best_loss_ = min(est.best_loss_, loss)

        if est._no_improvement_count > est.n_iter_no_change:
            what = "Validation score" if self.early_stopping else "Training loss"
            msg = (
                f"{what} did not improve more than tol={est.tol:f} for "
                f"{est.n_iter_no_change} consecutive epochs."
            )
            opt = state.optimizer
            if est.solver == "sgd" and est.learning_rate == "adaptive":
                if opt.learning_rate <= 1e-6:
                    self._stop(state, msg + " Learning rate too small. Stopping.")
                else:
                    opt.learning_rate /= 5.0
                    est._no_improvement_count = 0
                    if est.verbose:
                        print(msg + f" Setting learning rate to {opt.learning_rate:f}")
            else:
                self._stop(state, msg + " Stopping.")

    def _stop(self, state: TrainingState, msg: str) -> None:
        self.stopped = True
        state.stop_training = True
        if self.est.verbose:
            print(msg)


# --- parameter checks -----------------------------------------------------------------


def _named_loss(name: Any) -> Loss:
    """The loss ``name`` as the estimators take it; ValueError naming the known ones."""
    try:
        return get_loss(name, field="loss")
    except SpecError as exc:  # (the spec's error, without a spec's file name)
        raise ValueError(f"loss: {exc.message}") from None


def _check_number(
    name: str, value: Any, low: float, high: float = math.inf, *, closed: str = "left"
) -> None:
    """Raise ValueError unless ``value`` is a real number in the interval."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and not np.isnan(value)
    if ok:
        above = value >= low if closed in ("left", "both") else value > low
        below = value <= high if closed in ("right", "both") else value < high
        ok = above and below
    if not ok:
        left = "[" if closed in ("left", "both") else "("
        right = "]" if closed in ("right", "both") else ")"
        raise ValueError(
            f"The '{name}' parameter must be a number in {left}{low}, {high}{right}; got {value!r}."
        )


def _check_whole(name: str, value: Any, low: int) -> None:
    """Raise ValueError unless ``value`` is a whole number ≥ ``low``."""
    if not (isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low):
        raise ValueError(f"The '{name}' parameter must be an int >= {low}; got {value!r}.")


def _check_option(name: str, value: Any, options: Sequence[str]) -> None:
    """Raise ValueError unless ``value`` is one of ``options``."""
    if not (isinstance(value, str) and value in options):
        raise ValueError(
            f"The '{name}' parameter must be one of {', '.join(map(repr, options))}; got {value!r}."
        )


def _activation(value: Any, name: str) -> Activation:
    """An activation from scikit-learn's names or glassnet's (or an Activation)."""
    if isinstance(value, Activation):
        return value
    if isinstance(value, str):
        value = SKLEARN_ACTIVATIONS.get(value, value)
        if value in ACTIVATIONS:
            return get_activation(value)
    choices = sorted({*SKLEARN_ACTIVATIONS, *ACTIVATIONS} - {"sigmoid"})
    raise ValueError(f"The '{name}' parameter must be one of {choices}; got {value!r}.")


def _float_dtype(value: Any) -> type | None:
    """np.float32 or np.float64 for a dtype given as either, else None."""
    try:
        dtype = np.dtype(value)
    except TypeError:
        return None
    return dtype.type if dtype in (np.float32, np.float64) else None


def _seed_from(random_state: np.random.RandomState) -> int:
    """A seed for glassnet's shuffling and dropout, drawn from the estimator's RandomState."""
    return int(random_state.randint(np.iinfo(np.int32).max))


# --- the estimators -------------------------------------------------------------------


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, fitting, prediction."""

    # set by the subclasses' __init__ (scikit-learn reads the parameters from there)
    hidden_layer_sizes: Any
    activation: Any
    solver: str
    alpha: float
    batch_size: Any
    learning_rate: str
    learning_rate_init: float
    power_t: float
    max_iter: int
    loss: Any
    shuffle: bool
    random_state: Any
    tol: float
    verbose: Any
    warm_start: bool
    momentum: float
    nesterovs_momentum: bool
    early_stopping: bool
    validation_fraction: float
    beta_1: float
    beta_2: float
    epsilon: float
    n_iter_no_change: Any
    max_fun: int
    activations: Any
    out_activation: Any
    dropout: Any
    dtype: Any

    # fitted
    network_: Network
    coefs_: list[Array]
    intercepts_: list[Array]
    loss_curve_: list[float]
    validation_scores_: list[float] | None
    best_validation_score_: float | None
    best_loss_: float | None
    n_iter_: int
    t_: int
    n_outputs_: int
    n_layers_: int
    out_activation_: str
    _no_improvement_count: int
    _best_coefs: list[Array] | None
    _best_intercepts: list[Array] | None
    _optimizer: Optimizer

    # --- checks ---

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        for n in sizes:
            if not isinstance(n, numbers.Integral) or isinstance(n, bool):
                raise ValueError(f"hidden_layer_sizes must be whole numbers, got {sizes}.")
            if n <= 0:
                raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(n) for n in sizes]

    def _check_params(self) -> None:
        """Check every parameter (scikit-learn checks at fit, never in __init__)."""
        if self.solver == "lbfgs":
            raise ValueError(
                "solver='lbfgs' is not supported by glassnet's MLP estimators: glassnet "
                "trains by mini-batch gradient descent; use solver='adam' or solver='sgd'."
            )
        _check_option("solver", self.solver, _SOLVERS)
        _activation(self.activation, "activation")
        _check_number("alpha", self.alpha, 0)
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            _check_whole("batch_size", self.batch_size, 1)
        _check_option("learning_rate", self.learning_rate, _LEARNING_RATES)
        _check_number("learning_rate_init", self.learning_rate_init, 0, closed="neither")
        _check_number("power_t", self.power_t, 0)
        _check_whole("max_iter", self.max_iter, 1)
        _check_number("tol", self.tol, 0)
        _check_number("momentum", self.momentum, 0, 1, closed="left")
        # (scikit-learn takes 0, then fails in train_test_split where early stopping uses it)
        stops = isinstance(self.early_stopping, (bool, np.bool_)) and bool(self.early_stopping)
        closed = "neither" if stops else "left"
        try:
            _check_number("validation_fraction", self.validation_fraction, 0, 1, closed=closed)
        except ValueError as exc:
            raise ValueError(f"{exc} (with early_stopping=True)" if stops else str(exc)) from None
        _check_number("beta_1", self.beta_1, 0, 1, closed="left")
        _check_number("beta_2", self.beta_2, 0, 1, closed="left")
        _check_number("epsilon", self.epsilon, 0, closed="neither")
        if self.n_iter_no_change != np.inf:
            _check_whole("n_iter_no_change", self.n_iter_no_change, 1)
        _check_whole("max_fun", self.max_fun, 1)
        if not isinstance(self.verbose, (bool, np.bool_)):  # as scikit-learn: a bool or int ≥ 0
            _check_whole("verbose", self.verbose, 0)
        for name in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(
                    f"The '{name}' parameter must be a bool; got {getattr(self, name)!r}."
                )
        if self.dtype is not None and _float_dtype(self.dtype) is None:
            raise ValueError(
                f"The 'dtype' parameter must be None, 'float32' or 'float64'; got {self.dtype!r}."
            )
        rates = self.dropout
        if isinstance(rates, np.ndarray) and rates.ndim == 0:
            rates = rates[()]  # a 0-d array stands for its number
        if np.isscalar(rates):
            rates = [rates]
        if not isinstance(rates, (list, tuple, np.ndarray)):
            raise ValueError(
                "The 'dropout' parameter must be a number in [0, 1) or a list of them, one "
                f"per hidden layer; got {self.dropout!r}."
            )
        for p in rates:
            _check_number("dropout", p, 0, 1, closed="left")
        hidden = len(self._hidden_sizes())
        if not np.isscalar(self.dropout) and np.ndim(self.dropout) and len(rates) != hidden:
            raise ValueError(
                f"The 'dropout' parameter must give one rate per hidden layer ({hidden}); "
                f"got {len(rates)}: {self.dropout!r}."
            )

    def _input_dtype(self) -> Any:
        """What validate_data converts X to: kept float32 or float64 unless ``dtype`` is set."""
        if self.dtype is None:
            return (np.float64, np.float32)
        return _float_dtype(self.dtype)

    def _checked_input(self, X: Any, *y: Any, reset: bool, **check: Any) -> Any:
        """scikit-learn's ``validate_data`` of X (and y), its finiteness pass made cheaper.

        scikit-learn checks that X is finite by summing it on one core (10 ms for
        60,000 × 784 numbers, 5 % of an epoch's training). When X is already a float
        array of an accepted dtype, its row sums X·1, one product on NumPy's threaded
        BLAS, are finite only when every number is, and then scikit-learn's pass is
        skipped. Otherwise (not finite, to be converted, sparse, a data frame)
        scikit-learn validates everything itself, so its errors and their order, and
        what a failed call leaves on the estimator, stay scikit-learn's.
        """
        dtype = self._input_dtype()
        accepted = dtype if isinstance(dtype, tuple) else (dtype,)
        finite = (
            not get_config()["assume_finite"]
            and isinstance(X, np.ndarray)
            and X.ndim == 2
            and X.dtype in accepted
            and X.size > 0
        )
        if finite:
            finite = finite_row_sums(X)
        return validate_data(
            self,
            X,
            *y,
            accept_sparse=["csr", "csc"],
            dtype=dtype,
            reset=reset,
            ensure_all_finite=not finite,
            **check,
        )

    # --- the network ---

    def _layer_activations(self, n_hidden: int) -> list[Activation]:
        if self.activations is None:
            return [_activation(self.activation, "activation")] * n_hidden
        names = self.activations
        if isinstance(names, (str, Activation)):
            names = [names]
        if isinstance(names, np.ndarray) and names.ndim == 1:
            names = names.tolist()
        if not isinstance(names, (list, tuple)):
            raise ValueError(
                "The 'activations' parameter must be a list of activation names, one per "
                f"hidden layer; got {self.activations!r}."
            )
        if len(names) != n_hidden:
            raise ValueError(
                f"activations: expected {n_hidden} (one per hidden layer), found {len(names)}."
            )
        return [_activation(a, f"activations[{i}]") for i, a in enumerate(names)]

    def _default_out_activation(self) -> str:
        return "identity"

    def _check_output(self, out_activation: str, n_outputs: int) -> None:
        """ValueError for an output activation the estimator can't use."""
        if out_activation == "softmax" and n_outputs == 1:
            raise ValueError(
                "out_activation='softmax' over one output unit is always 1: use "
                "'identity' (the default) or 'logistic'."
            )

    def _loss_for(self, out_activation: str) -> Loss:
        raise NotImplementedError

    def _initialize(self, Y: Array, n_features: int, dtype: np.dtype, rs: Any) -> None:
        """Draw the weights as scikit-learn does and build the network; reset the record."""
        hidden = self._hidden_sizes()
        sizes = [n_features, *hidden, Y.shape[1]]
        hidden_acts = self._layer_activations(len(hidden))
        name = self.out_activation
        out_act = _activation(
            name if name is not None else self._default_out_activation(), "out_activation"
        )
        self._check_output(out_act.name, Y.shape[1])
        acts = [*hidden_acts, out_act]
        loss = self._loss_for(out_act.name)
        # Glorot uniform with scikit-learn's factor, 2 for logistic units and 6 otherwise,
        # ruled by ``activation`` for every layer (as scikit-learn); with ``activations``,
        # by each hidden layer's own, the output layer following the last hidden one.
        ruling = [_activation(self.activation, "activation")] * len(acts)
        if self.activations is not None and hidden_acts:
            ruling = [*hidden_acts, hidden_acts[-1]]
        layers = []
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            factor = 2.0 if ruling[i].name == "sigmoid" else 6.0
            bound = np.sqrt(factor / (n_in + n_out))
            W = rs.uniform(-bound, bound, (n_in, n_out)).astype(dtype, copy=False)
            b = rs.uniform(-bound, bound, n_out).astype(dtype, copy=False)
            layers.append(Layer(blas.aligned(W), blas.aligned(b), acts[i]))
        self.network_ = Network(layers, loss=loss, dtype=dtype)
        self._expose_parameters()
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(sizes)
        self.out_activation_ = OUT_ACTIVATION_NAMES.get(out_act.name, out_act.name)
        self._best_coefs = [W.copy() for W in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _expose_parameters(self) -> None:
        """coefs_ and intercepts_ are the network's own arrays (noted, to tell a replacement)."""
        self.coefs_ = [layer.W for layer in self.network_.layers]
        self.intercepts_ = [layer.b for layer in self.network_.layers]
        self._exposed = (list(self.coefs_), list(self.intercepts_))

    def _sync_network(self) -> None:
        """Make coefs_, intercepts_ and the network's layers the same arrays again.

        Either side may have replaced an array since they last agreed: one replaced in
        coefs_ or intercepts_ goes into the network, one replaced on ``network_``
        (``layers[l].W`` or ``.b``) into coefs_ or intercepts_; where both were, coefs_'s
        (scikit-learn's attribute) wins. The network takes an array as any replaced W or b:
        a C-contiguous one of its dtype in place, anything else as a copy, which both
        sides then hold. A replacement refused (a wrong shape) changes nothing.
        """
        net = self.network_
        exposed = self.__dict__.get("_exposed")  # (none in a model pickled before it)
        sides = (("coefs_", self.coefs_, "W"), ("intercepts_", self.intercepts_, "b"))
        for attribute, given, _ in sides:  # all checked before anything is put in place
            if len(given) != len(net.layers):
                raise ValueError(
                    f"{attribute} has {len(given)} arrays, the network {len(net.layers)} layers."
                )
        before = [(layer.W, layer.b, layer.activation) for layer in net.layers]
        changed = False
        for k, (_, given, name) in enumerate(sides):
            for l, layer in enumerate(net.layers):
                theirs = given[l]
                if theirs is getattr(layer, name):
                    continue
                if exposed is not None and theirs is exposed[k][l]:
                    continue  # replaced on the network: coefs_ follows, below
                setattr(layer, name, theirs)
                changed = True
        try:  # always: one replaced on the network (a list, another dtype) is copied too
            net._check_layers()
        except ArgumentError as exc:
            for layer, (W, b, f) in zip(net.layers, before, strict=True):  # as it was
                layer.W, layer.b, layer.activation = W, b, f
            side = "coefs_ or intercepts_ replaced" if changed else "network_"
            raise ValueError(f"{side}: {exc}") from None
        self._expose_parameters()  # the network's arrays, its copies included

    # --- fitting ---

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool
    ) -> tuple[Array, Array]:
        raise NotImplementedError

    def _prepare(self, X: Any, y: Any, incremental: bool) -> tuple:
        """The fit's checked data, network and settings: (X, Y, net, rs, fresh, validation).

        Everything that can refuse the fit before it trains; :meth:`_fit` puts back the
        attributes it changed (``classes_``, a new ``network_``) when it does.
        """
        self._check_params()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        if hasattr(X, "toarray"):  # scipy.sparse: glassnet's engine is dense
            X = X.toarray()
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        try:
            rs = check_random_state(self.random_state)
        except ValueError:
            raise ValueError(
                "random_state must be None, an int in [0, 2**32 - 1] or a numpy RandomState; got "
                f"{self.random_state!r}."
            ) from None
        if first_pass:
            self._initialize(Y, X.shape[1], X.dtype, rs)
        else:
            self._sync_network()
            hidden = [layer.n_out for layer in self.network_.layers[:-1]]
            if self._hidden_sizes() != hidden:  # (scikit-learn fails on the shapes)
                raise ValueError(
                    f"hidden_layer_sizes={self.hidden_layer_sizes!r}, but the fitted network's "
                    f"hidden layers are {tuple(hidden)}: a warm start or partial_fit trains "
                    "the network it has; fit with warm_start=False for a new one."
                )
            if Y.shape[1] != self.n_outputs_:
                raise ValueError(
                    f"y has {Y.shape[1]} outputs but the network was fit with {self.n_outputs_}."
                )
            # a warm start may switch early stopping: the other mode's record is None
            if self.early_stopping and self.validation_scores_ is None:
                self.validation_scores_, self.best_validation_score_ = [], -np.inf
            if self.early_stopping:
                self.best_loss_ = None
                # as scikit-learn, whose restored weights are the live ones from then on:
                # a warm start that never beats the best score so far keeps its own final
                # weights, not an earlier fit's best (which would undo its whole training)
                self._best_coefs = self._best_intercepts = None
            else:
                self.validation_scores_ = self.best_validation_score_ = None
                if self.best_loss_ is None:
                    self.best_loss_ = np.inf
        net = self.network_
        X = self._in_network_dtype(X)
        Y = np.asarray(Y, dtype=net.dtype)
        # a regressor's y, as a cross-entropy takes it (a classifier's is 0/1 rows); the
        # network's own check would come after the fit has replaced the network
        problem = None if is_classifier(self) else targets_outside(net.loss.name, Y)
        if problem is not None:
            raise ValueError(f"y: {problem}.")
        if is_classifier(self) and net.output_activation.name == "softmax" and Y.shape[1] > 1:
            labels = Y @ np.ones(Y.shape[1], dtype=Y.dtype)
            if np.any(labels != 1):  # multilabel rows: softmax would pick one of them
                k = int(np.flatnonzero(labels != 1)[0])
                raise ValueError(
                    f"out_activation='softmax' gives each example one class, but row {k} of "
                    f"y has {labels[k]:g} labels: use 'logistic' for multilabel targets."
                )

        # a new optimizer for each fit (as scikit-learn); partial_fit carries its state on
        fresh = not incremental or not hasattr(self, "_optimizer")
        if fresh:
            if self.solver == "sgd":
                self._optimizer = SGD(
                    self.learning_rate_init, self.momentum, self.nesterovs_momentum
                )
            else:
                self._optimizer = Adam(
                    self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon
                )

        validation = rows = None
        if self.early_stopping:
            stratify = Y if is_classifier(self) and self.n_outputs_ == 1 else None
            # scikit-learn's split, of the rows' indices: the rows trained on are
            # gathered through them (fit's rows), the validation rows alone copied
            rows, held = train_test_split(
                np.arange(len(Y)),
                random_state=rs,
                test_size=float(self.validation_fraction),
                stratify=stratify,
            )
            if held.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' "
                    "or the size of your dataset."
                )
            validation = (X[held], self._decode(Y[held]))
        return X, Y, net, rs, fresh, validation, rows

    def _fit(
        self,
        X: Any,
        y: Any,
        incremental: bool = False,
        setup: Callable[[], object] | None = None,
    ) -> _BaseMLP:
        """Fit; ``setup`` (partial_fit's first reading of the classes) runs with the checks."""
        before = dict(self.__dict__)
        try:
            if setup is not None:
                setup()
            X, Y, net, rs, fresh, validation, rows = self._prepare(X, y, incremental)
        except BaseException:  # refused before training: the estimator stays as it was
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        n_samples = X.shape[0] if rows is None else len(rows)  # the examples trained on
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. "
                    "It is going to be clipped",
                    stacklevel=3,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        schedule: Schedule | None = None
        if self.solver == "sgd" and self.learning_rate == "invscaling":
            schedule = InvScaling(self.power_t, n_samples, self.t_, restart=fresh)
        opt = _PerBatchL2(self._optimizer, self.alpha, n_samples, batch_size)
        loss_scale = 1.0
        if not is_classifier(self) and net.loss.name == "half_squared_error":
            loss_scale = 1.0 / self.n_outputs_  # scikit-learn averages over the outputs
        monitor = _Monitor(self, opt, n_samples, loss_scale, self.early_stopping, validation)
        self.n_iter_ = 0
        try:
            train_fit(
                net,
                X,
                Y,
                epochs=1 if incremental else int(self.max_iter),
                batch_size=batch_size,
                optimizer=opt,
                schedule=schedule,
                shuffle=bool(self.shuffle),
                # drawn only where used: a RandomState shared with other estimators (or
                # NumPy's global one) then gives the next fit scikit-learn's weights
                seed=_seed_from(rs) if self.shuffle or np.any(self.dropout) else 0,
                callbacks=[monitor],
                dropout=self.dropout,
                verbose=False,
                # X and y were validated (_checked_input), or scikit-learn was told to
                # assume them finite (its assume_finite): no second pass over X
                check_finite=False,
                rows=rows,
            )
        except KeyboardInterrupt:  # as scikit-learn: keep what was learnt so far
            warnings.warn("Training interrupted by user.", stacklevel=3)
            monitor.stopped = True
        except TrainingError as error:
            # the weights are those before the batch, or (the last update of the last
            # epoch overflowing) the non-finite ones it left: said as scikit-learn says it
            finite = all(np.isfinite(p).all() for layer in net.layers for p in (layer.W, layer.b))
            what = "a non-finite loss" if finite else "non-finite parameter weights"
            raise ValueError(
                f"Solver produced {what}: {error}. The input data may contain large values "
                "and need to be preprocessed."
            ) from error
        if not incremental and not monitor.stopped and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and "
                "the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if self.early_stopping and self._best_coefs is not None:  # the best score's weights
            for layer, W, b in zip(
                net.layers, self._best_coefs, self._best_intercepts, strict=True
            ):
                layer.W[...] = W
                layer.b[...] = b
        self._expose_parameters()
        if not all(np.isfinite(p).all() for p in (*self.coefs_, *self.intercepts_)):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed."
            )
        return self

    # --- prediction ---

    def _forward(self, X: Any) -> Array:
        """The network's output a_L, shape (n_samples, n_outputs_)."""
        check_is_fitted(self)
        X = self._checked_input(X, reset=False)
        if hasattr(X, "toarray"):
            X = X.toarray()
        self._sync_network()
        return self.network_.output(self._in_network_dtype(X))

    def _in_network_dtype(self, X: Array) -> Array:
        """X as the network's dtype; ValueError for a number beyond its range.

        validate_data checked X finite in its own dtype: a float64 beyond float32's
        range (3.4e38) would otherwise turn into inf, and silently into NaN outputs.
        """
        with np.errstate(over="ignore"):  # the overflow is the error raised below
            converted = np.asarray(X, dtype=self.network_.dtype)
        if converted.dtype != X.dtype and not np.isfinite(converted).all():
            raise ValueError(
                f"Input X contains infinity or a value too large for {converted.dtype!r}."
            )
        return converted

    def _decode(self, Y: Array) -> Array:
        """Targets as given to fit, from the network's target rows."""
        return Y[:, 0] if Y.shape[1] == 1 else Y

    def _predict_arrays(self, X: Array) -> Array:
        raise NotImplementedError

    def _validation_score(self, X_val: Array, y_val: Array) -> float:
        """Accuracy or R² of the held-out set (NaN when the predictions are not finite)."""
        A = self.network_.output(X_val)
        if not np.isfinite(A).all():
            return np.nan
        metric = accuracy_score if is_classifier(self) else r2_score
        return float(metric(y_val, self._predict_arrays(A)))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _count_labels(y: Array) -> tuple[Array, Array] | None:
    """The sorted classes of integer labels ``y`` and each label's index among them.

    Found by counting (one pass over y, where scikit-learn's checks and
    LabelBinarizer hash y three times); None unless ``y`` is a 1-D array of
    integers in a range at most about its length.
    """
    if not (isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu" and y.size):
        return None
    low, high = y.min(), y.max()
    if int(high) - int(low) > max(1024, y.size):
        return None
    wide = y.astype(np.int64 if y.dtype.kind == "i" else np.uint64, copy=False)
    offset = (wide - wide.dtype.type(low)).astype(np.intp, copy=False)  # no int8 wrap-around
    present = np.bincount(offset) > 0
    classes = (np.flatnonzero(present).astype(wide.dtype) + wide.dtype.type(low)).astype(y.dtype)
    return classes, (np.cumsum(present) - 1)[offset]


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier trained by glassnet: scikit-learn's MLPClassifier.

    Minimises the cross-entropy (softmax output, multiclass) or the binary
    cross-entropy (sigmoid output, binary and multilabel) plus the L2 penalty, with
    Adam or SGD, as :class:`sklearn.neural_network.MLPClassifier`.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default (100,)
        The units of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default "relu"
        The hidden layers' activation (glassnet's names, e.g. "leaky_relu", work too).
    solver : {"adam", "sgd"}, default "adam"
        "lbfgs" raises ValueError: glassnet trains by mini-batch gradient descent.
    alpha : float, default 0.0001
        Strength of the L2 penalty (α/2n_B) Σ‖W‖² of each batch of n_B examples.
    batch_size : int or "auto", default "auto"
        "auto" is min(200, n_samples).
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
        The schedule of η (sgd only, as scikit-learn).
    learning_rate_init : float, default 0.001
        η₀.
    power_t : float, default 0.5
        Exponent of "invscaling".
    max_iter : int, default 200
        Epochs.
    shuffle : bool, default True
        Shuffle the examples every epoch.
    random_state : int, RandomState instance or None, default None
        Seeds the weights, the validation split, shuffling and dropout.
    tol : float, default 1e-4
        The least improvement of the loss (or validation score) that counts.
    verbose : bool, default False
        Print the loss of every epoch.
    warm_start : bool, default False
        Continue from the current weights on the next fit.
    momentum : float, default 0.9
        Momentum of sgd.
    nesterovs_momentum : bool, default True
        Nesterov's momentum for sgd.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data; stop when its accuracy stalls
        and keep the best weights.
    validation_fraction : float, default 0.1
        The held-out fraction for early stopping.
    beta_1, beta_2 : float, default 0.9, 0.999
        Adam's decay rates.
    epsilon : float, default 1e-8
        Adam's ε.
    n_iter_no_change : int, default 10
        Epochs without improvement by ``tol`` before stopping (or dividing η by 5).
    max_fun : int, default 15000
        Accepted for compatibility, unused (it belongs to lbfgs).
    activations : list of str, optional
        glassnet extra: one activation per hidden layer, overriding ``activation``.
    out_activation : str, optional
        glassnet extra: the output activation; by default softmax for multiclass,
        sigmoid (scikit-learn's "logistic") for binary and multilabel targets. It
        must give probabilities: softmax (one class per example: multiclass, or
        one-hot indicator rows) or sigmoid.
    loss : str or Loss, optional
        glassnet extra: a glassnet loss; by default (or "log_loss") cross_entropy
        for a softmax output, binary_cross_entropy otherwise.
    dropout : float or list of float, default 0.0
        glassnet extra: inverted-dropout rate of the hidden layers during training.
    dtype : {None, "float32", "float64"}, default None
        glassnet extra: None keeps float32 input float32 and makes the rest float64.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        The class labels.
    loss_ : float
        The loss of the last epoch.
    best_loss_ : float or None
        The least loss seen; None with early stopping.
    loss_curve_ : list of float
        The loss of each epoch.
    validation_scores_ : list of float or None
        The validation accuracy of each epoch with early stopping, else None.
    best_validation_score_ : float or None
        The best validation accuracy with early stopping, else None.
    t_ : int
        Training examples seen.
    coefs_ : list of ndarray
        W_l of each layer, shape (n_in, n_out): the network's own arrays.
    intercepts_ : list of ndarray
        b_l of each layer: the network's own arrays.
    n_features_in_ : int
        Features seen during fit.
    feature_names_in_ : ndarray of str
        Feature names, when X had string column names.
    n_iter_ : int
        Epochs run by the last call to fit.
    n_layers_ : int
        Layers, input and output included.
    n_outputs_ : int
        Output units.
    out_activation_ : str
        The output activation, with scikit-learn's names ("softmax", "logistic").
    network_ : glassnet.network.Network
        The trained network.

    See Also
    --------
    MLPRegressor : The regressor.
    sklearn.neural_network.MLPClassifier : The original.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from glassnet.sklearn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((16,), max_iter=500, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).sum(axis=1).round(6).tolist()
    [1.0, 1.0]
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        activations: Sequence[str] | None = None,
        out_activation: str | None = None,
        loss: str | Loss | None = None,
        dropout: float | Sequence[float] = 0.0,
        dtype: str | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.activations = activations
        self.out_activation = out_activation
        self.loss = loss
        self.dropout = dropout
        self.dtype = dtype

    def _default_out_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "sigmoid"

    def _check_output(self, out_activation: str, n_outputs: int) -> None:
        """predict_proba gives probabilities: the output is softmax or sigmoid units."""
        if out_activation not in ("softmax", "sigmoid"):
            raise ValueError(
                "The 'out_activation' parameter of a classifier must give probabilities: "
                f"'softmax' (multiclass) or 'logistic'; got {self.out_activation!r}."
            )
        if out_activation == "softmax" and n_outputs == 1:
            raise ValueError(
                "out_activation='softmax' over the one output unit of a binary target is "
                "always 1: use 'logistic' (the default)."
            )

    def _loss_for(self, out_activation: str) -> Loss:
        if self.loss is None or self.loss == "log_loss":
            name = "cross_entropy" if out_activation == "softmax" else "binary_cross_entropy"
            return get_loss(name)
        loss = _named_loss(self.loss)
        if loss.name == "cross_entropy" and out_activation == "sigmoid":
            # −Σ y ln a over independent units: a target of 0 adds nothing, so nothing
            # pulls a down and every a drifts to 1
            raise ValueError(
                "loss='cross_entropy' over logistic outputs ignores every target of 0: "
                "use 'binary_cross_entropy' (the default, 'log_loss'), or "
                "out_activation='softmax' for a multiclass target."
            )
        return loss

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool
    ) -> tuple[Array, Array]:
        X, y = self._checked_input(X, y, reset=reset, multi_output=True)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        counted = _count_labels(y)
        if counted is None:
            check_classification_targets(y)
        # else: integer labels of one dimension, always binary or multiclass targets
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            # the binarizer fitted on the classes is the one fitted on y, at no pass over y
            self._label_binarizer.fit(y if counted is None else counted[0])
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y) if counted is None else counted[0]
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in "
                        f"the previous call to fit. Previously got {self.classes_}, "
                        f"`y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        lb = self._label_binarizer
        if lb.y_type_ == "multiclass" and y.ndim == 1:
            # LabelBinarizer.transform's one-hot rows, made directly: every label of y
            # is in the sorted classes_ (checked above)
            if counted is not None and np.array_equal(counted[0], lb.classes_):
                index = counted[1]
            else:
                index = np.searchsorted(lb.classes_, y)
            return X, one_hot(index, len(lb.classes_), X.dtype)
        return X, lb.transform(y)

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Fit the network to X and y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data (a sparse matrix is made dense).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label indicator matrix for multilabel classification.

        Returns
        -------
        self : MLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False)  # type: ignore[return-value]

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> MLPClassifier:
        """Update the network with one epoch over X and y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The target labels.
        classes : array of shape (n_classes,), optional
            Every class of all the calls; required on the first call.

        Returns
        -------
        self : MLPClassifier
            The updated estimator.
        """

        def first_call() -> None:
            if _check_partial_fit_first_call(self, classes):
                self._label_binarizer = LabelBinarizer()
                if type_of_target(y).startswith("multilabel"):
                    self._label_binarizer.fit(y)
                else:
                    self._label_binarizer.fit(classes)

        return self._fit(X, y, incremental=True, setup=first_call)  # type: ignore[return-value]

    def _decode(self, Y: Array) -> Array:
        return self._label_binarizer.inverse_transform(Y)

    def _predict_arrays(self, A: Array) -> Array:
        if self.n_outputs_ == 1:
            A = A.ravel()
        elif self.network_.output_activation.name == "softmax":
            # one class per example: the most probable one, as one-hot indicator rows
            # (inverse_transform's 0.5 threshold would give most rows of 3 classes none)
            top = np.zeros_like(A)
            top[np.arange(len(A)), A.argmax(axis=1)] = 1
            A = top
        return self._label_binarizer.inverse_transform(A)

    def predict(self, X: Any) -> Array:
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted classes.
        """
        return self._predict_arrays(self._forward(X))

    def predict_proba(self, X: Any) -> Array:
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; in the network's dtype.
        """
        A = self._forward(X)
        if self.n_outputs_ == 1:
            p = A.ravel()
            return np.vstack([1 - p, p]).T
        return A

    def predict_log_proba(self, X: Any) -> Array:
        """Logarithm of the probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor trained by glassnet: scikit-learn's MLPRegressor.

    Minimises half the squared error, averaged over the examples of each batch,
    plus the L2 penalty, with Adam or SGD, as :class:`sklearn.neural_network.MLPRegressor`.

    Parameters
    ----------
    loss : str or Loss, default "squared_error"
        scikit-learn's "squared_error", ½ Σ_j (a_j − y_j)² per example (glassnet's
        "half_squared_error"); any other glassnet loss name is glassnet's, e.g.
        "mean_squared_error". "poisson" is not supported (raises ValueError).
    hidden_layer_sizes : array-like of int, default (100,)
        The units of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default "relu"
        The hidden layers' activation (glassnet's names, e.g. "leaky_relu", work too).
    solver : {"adam", "sgd"}, default "adam"
        "lbfgs" raises ValueError: glassnet trains by mini-batch gradient descent.
    alpha : float, default 0.0001
        Strength of the L2 penalty (α/2n_B) Σ‖W‖² of each batch of n_B examples.
    batch_size : int or "auto", default "auto"
        "auto" is min(200, n_samples).
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
        The schedule of η (sgd only, as scikit-learn).
    learning_rate_init : float, default 0.001
        η₀.
    power_t : float, default 0.5
        Exponent of "invscaling".
    max_iter : int, default 200
        Epochs.
    shuffle : bool, default True
        Shuffle the examples every epoch.
    random_state : int, RandomState instance or None, default None
        Seeds the weights, the validation split, shuffling and dropout.
    tol : float, default 1e-4
        The least improvement of the loss (or validation score) that counts.
    verbose : bool, default False
        Print the loss of every epoch.
    warm_start : bool, default False
        Continue from the current weights on the next fit.
    momentum : float, default 0.9
        Momentum of sgd.
    nesterovs_momentum : bool, default True
        Nesterov's momentum for sgd.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data; stop when its R² stalls and
        keep the best weights.
    validation_fraction : float, default 0.1
        The held-out fraction for early stopping.
    beta_1, beta_2 : float, default 0.9, 0.999
        Adam's decay rates.
    epsilon : float, default 1e-8
        Adam's ε.
    n_iter_no_change : int, default 10
        Epochs without improvement by ``tol`` before stopping (or dividing η by 5).
    max_fun : int, default 15000
        Accepted for compatibility, unused (it belongs to lbfgs).
    activations : list of str, optional
        glassnet extra: one activation per hidden layer, overriding ``activation``.
    out_activation : str, optional
        glassnet extra: the output activation; identity by default.
    dropout : float or list of float, default 0.0
        glassnet extra: inverted-dropout rate of the hidden layers during training.
    dtype : {None, "float32", "float64"}, default None
        glassnet extra: None keeps float32 input float32 and makes the rest float64.

    Attributes
    ----------
    loss_ : float
        The loss of the last epoch (half the squared error averaged over the
        examples and the outputs, as scikit-learn, plus the penalty).
    best_loss_ : float or None
        The least loss seen; None with early stopping.
    loss_curve_ : list of float
        The loss of each epoch.
    validation_scores_ : list of float or None
        The validation R² of each epoch with early stopping, else None.
    best_validation_score_ : float or None
        The best validation R² with early stopping, else None.
    t_ : int
        Training examples seen.
    coefs_ : list of ndarray
        W_l of each layer, shape (n_in, n_out): the network's own arrays.
    intercepts_ : list of ndarray
        b_l of each layer: the network's own arrays.
    n_features_in_ : int
        Features seen during fit.
    feature_names_in_ : ndarray of str
        Feature names, when X had string column names.
    n_iter_ : int
        Epochs run by the last call to fit.
    n_layers_ : int
        Layers, input and output included.
    n_outputs_ : int
        Outputs.
    out_activation_ : str
        The output activation ("identity").
    network_ : glassnet.network.Network
        The trained network.

    See Also
    --------
    MLPClassifier : The classifier.
    sklearn.neural_network.MLPRegressor : The original.

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet.sklearn import MLPRegressor
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(16,), max_iter=500, random_state=0)
    >>> reg = reg.fit(X, 2 * X.ravel())
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        loss: str | Loss = "squared_error",
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        activations: Sequence[str] | None = None,
        out_activation: str | None = None,
        dropout: float | Sequence[float] = 0.0,
        dtype: str | None = None,
    ) -> None:
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.activations = activations
        self.out_activation = out_activation
        self.dropout = dropout
        self.dtype = dtype

    def _loss_for(self, out_activation: str) -> Loss:
        if self.loss == "squared_error":
            return get_loss("half_squared_error")
        if self.loss == "poisson":
            raise ValueError("loss='poisson' is not supported by glassnet's MLPRegressor.")
        if not isinstance(self.loss, (str, Loss)):
            raise ValueError(
                f"loss: expected a loss name, found {self.loss!r} (MLPRegressor's first "
                "positional parameter is loss, as in scikit-learn; give "
                "hidden_layer_sizes by name)"
            )
        return _named_loss(self.loss)

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool
    ) -> tuple[Array, Array]:
        X, y = self._checked_input(X, y, reset=reset, multi_output=True, y_numeric=True)
        if y.dtype.kind not in "biuf":  # strings: numbers or not, no regression targets
            raise ValueError(f"y: expected numbers (regression targets), found {y.dtype} data.")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Fit the network to X and y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data (a sparse matrix is made dense).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.

        Returns
        -------
        self : MLPRegressor
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False)  # type: ignore[return-value]

    def partial_fit(self, X: Any, y: Any) -> MLPRegressor:
        """Update the network with one epoch over X and y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.

        Returns
        -------
        self : MLPRegressor
            The updated estimator.
        """
        return self._fit(X, y, incremental=True)  # type: ignore[return-value]

    def _predict_arrays(self, A: Array) -> Array:
        return A.ravel() if A.shape[1] == 1 else A

    def predict(self, X: Any) -> Array:
        """Predict the targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions; 1-D when the network has one output.
        """
        return self._predict_arrays(self._forward(X))
