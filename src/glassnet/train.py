"""Training: mini-batch gradient descent through the engine, with the usual companions.

:func:`fit` runs epochs of mini-batches through the engine's pass in a workspace (the
calls that :meth:`glassnet.network.Network.forward` and
:meth:`~glassnet.network.Network.backward` make given one: the same formulas, products
and registered activations and losses as the pass ``glassnet explain`` records, in
place) and updates the parameters with an optimizer (:mod:`glassnet.optimizers`).
Around it: a learning-rate schedule, L2 weight decay (on weights, not biases), inverted
dropout, gradient clipping by norm, a validation set, early stopping that restores the
best weights, callbacks that may stop training, and a progress bar.
"""

from __future__ import annotations

import copy
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from glassnet.activations import scratch
from glassnet.errors import (
    ArgumentError,
    GlassnetError,
    check_signature,
    did_you_mean,
    finite_row_sums,
    flag,
    quote,
    real_number,
    refuse_non_finite,
    whole_number,
)
from glassnet.losses import FUSED, EpochLoss
from glassnet.metrics import count_correct, metric_name, r2_score, total_squares
from glassnet.network import Network, sum_of_squares
from glassnet.optimizers import SCHEDULES, Optimizer, Schedule, get_optimizer, get_schedule

Array = np.ndarray


class TrainingError(GlassnetError):
    """Training cannot go on (e.g. the loss became infinite or NaN)."""


class ResumeError(ArgumentError):
    """A checkpoint that does not fit the run it is given to (``fit(..., resume=...)``).

    ``problem`` says what does not fit, ``remedy`` what to give instead: ``glassnet
    train --resume``, whose run is made from the checkpoint's own settings, names the
    file for the problem instead.
    """

    def __init__(self, problem: str, remedy: str = "") -> None:
        self.problem, self.remedy = problem, remedy
        super().__init__(f"resume: {problem}" + (f": {remedy}" if remedy else ""))

    def __reduce__(self) -> tuple[type[ResumeError], tuple[str, str]]:
        return (type(self), (self.problem, self.remedy))


# --- history and callbacks ------------------------------------------------------------


@dataclass
class History:
    """What happened in each epoch.

    Attributes
    ----------
    epoch : list of int
        Epoch numbers, from 1 (Keras counts from 0).
    history : dict of str to list of float
        ``loss`` and the metric (``accuracy`` or ``r2``) of the training data, and
        ``val_loss``, ``val_accuracy`` / ``val_r2`` when there is validation data;
        ``learning_rate`` of each epoch. The training loss of an epoch is the mean of
        its examples' losses, each taken before its batch's update (a smaller last
        batch weighs by its size), each plus the L2 penalty (λ/2) Σ‖W‖² at the same
        weights: the mean of the objective J over the epoch's batches. ``val_loss``
        adds the penalty at the epoch's final weights. An epoch that a callback stops
        part-way has the figures of the examples it saw: their mean loss, accuracy,
        and R² with their own SST, Σ (y − ȳ)² about their own mean.
    metric : str
        ``"accuracy"`` or ``"r2"``.
    stopped_epoch : int or None
        The epoch after which a callback or early stopping stopped training (the last
        one recorded); None when every epoch ran.
    best_epoch : int or None
        The epoch whose weights early stopping restored at the end, stopped early or
        not; None without early stopping, with ``restore_best_weights=False``, or
        when no epoch improved.
    """

    epoch: list[int] = field(default_factory=list)
    history: dict[str, list[float]] = field(default_factory=dict)
    metric: str = "accuracy"
    stopped_epoch: int | None = None
    best_epoch: int | None = None

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Record one epoch's figures."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: epochs, metric, stop information and every series."""
        return {
            "epoch": list(self.epoch),
            "metric": self.metric,
            "stopped_epoch": self.stopped_epoch,
            "best_epoch": self.best_epoch,
            "history": {k: list(v) for k, v in self.history.items()},
        }

    def to_csv(self) -> str:
        """One row per epoch: ``epoch`` then each series, full precision."""
        keys = list(self.history)
        lines = [",".join(["epoch", *keys])]
        for i, epoch in enumerate(self.epoch):
            lines.append(",".join([str(epoch), *(repr(self.history[k][i]) for k in keys)]))
        return "\n".join(lines) + "\n"


@dataclass
class TrainingState:
    """What callbacks see, and ``stop_training``, which they may set to stop after this batch.

    Attributes
    ----------
    network : Network
    optimizer : Optimizer
    history : History
    epoch : int
        The current epoch, from 1.
    stop_training : bool
    """

    network: Network
    optimizer: Optimizer
    history: History
    epoch: int = 0
    stop_training: bool = False


class Callback:
    """Base class of callbacks: override any of the hooks (:data:`HOOKS`).

    They are Keras's, each given the :class:`TrainingState` first. ``fit`` checks, as it
    begins, that each hook overridden takes its arguments, and warns of a method named
    ``on_…`` that is no hook (Keras's ``on_train_batch_end``, say), which it never calls.
    """

    def on_train_begin(self, state: TrainingState) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, state: TrainingState, epoch: int) -> None:
        """Before each epoch, after the schedule set its learning rate.

        A resumed run calls it for the epoch it goes on with, from where that stopped.
        """

    def on_batch_begin(self, state: TrainingState, batch: int) -> None:
        """Before each update; ``batch`` counted as in :meth:`on_batch_end`."""

    def on_batch_end(self, state: TrainingState, batch: int, logs: dict[str, float]) -> None:
        """After each update; ``logs`` has the batch's ``loss`` and ``size``.

        ``batch`` counts the epoch's batches from 1 (Keras counts from 0). The loss
        is the batch's, plus the L2 penalty, both taken before the update.
        """

    def on_epoch_end(self, state: TrainingState, epoch: int, logs: dict[str, float]) -> None:
        """After each epoch; ``logs`` has the epoch's figures, as recorded in the history."""

    def on_train_end(self, state: TrainingState) -> None:
        """After the last epoch."""


# each hook and what it is given after the state
HOOKS = {
    "on_train_begin": "state",
    "on_epoch_begin": "state, epoch",
    "on_batch_begin": "state, batch",
    "on_batch_end": "state, batch, logs",
    "on_epoch_end": "state, epoch, logs",
    "on_train_end": "state",
}


class LambdaCallback(Callback):
    """A callback from plain functions, one per hook (as Keras's), each given the state first.

    ``on_epoch_end(state, epoch, logs)``, ``on_batch_end(state, batch, logs)``,
    ``on_epoch_begin(state, epoch)``, ``on_batch_begin(state, batch)``,
    ``on_train_begin(state)``, ``on_train_end(state)``; each optional.
    """

    def __init__(
        self,
        on_epoch_end: Callable[..., None] | None = None,
        on_batch_end: Callable[..., None] | None = None,
        on_epoch_begin: Callable[..., None] | None = None,
        on_batch_begin: Callable[..., None] | None = None,
        on_train_begin: Callable[..., None] | None = None,
        on_train_end: Callable[..., None] | None = None,
    ) -> None:
        self._hooks = {
            "on_epoch_end": on_epoch_end,
            "on_batch_end": on_batch_end,
            "on_epoch_begin": on_epoch_begin,
            "on_batch_begin": on_batch_begin,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
        }
        for name, fn in self._hooks.items():
            if fn is not None:
                check_signature(fn, HOOKS[name], name)
        # (fit calls the per-batch hooks only of callbacks that have them)
        self._batch, self._batch_begin = on_batch_end, on_batch_begin

    def _call(self, name: str, *args: Any) -> None:
        fn = self._hooks[name]
        if fn is not None:
            fn(*args)

    def on_train_begin(self, state: TrainingState) -> None:
        """Call the function given for it."""
        self._call("on_train_begin", state)

    def on_epoch_begin(self, state: TrainingState, epoch: int) -> None:
        """Call the function given for it."""
        self._call("on_epoch_begin", state, epoch)

    def on_batch_begin(self, state: TrainingState, batch: int) -> None:
        """Call the function given for it."""
        self._call("on_batch_begin", state, batch)

    def on_batch_end(self, state: TrainingState, batch: int, logs: dict[str, float]) -> None:
        """Call the function given for it."""
        self._call("on_batch_end", state, batch, logs)

    def on_epoch_end(self, state: TrainingState, epoch: int, logs: dict[str, float]) -> None:
        """Call the function given for it."""
        self._call("on_epoch_end", state, epoch, logs)

    def on_train_end(self, state: TrainingState) -> None:
        """Call the function given for it."""
        self._call("on_train_end", state)


class EarlyStopping(Callback):
    """Stop when a monitored figure stops improving, and restore the best weights.

    Parameters
    ----------
    monitor : str, default "val_loss"
        A key of the history; ``val_…`` falls back to the same figure on the training
        data (``loss``, ``accuracy``…) when there is no validation data. A key that is
        never logged is an error.
        Losses improve downwards, accuracy and r2 upwards.
    patience : int, default 10
        Epochs without improvement before stopping.
    min_delta : float, default 0
        An improvement is a change beyond it (as Keras's): with 0, any change for the
        better; an equal figure, a plateau, is none.
    restore_best_weights : bool, default True
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 10,
        min_delta: float = 0.0,
        restore_best_weights: bool = True,
    ) -> None:
        if not isinstance(monitor, str):  # else an AttributeError in the middle of fit
            raise ArgumentError(
                f"monitor: expected a key of the history such as 'val_loss', found {monitor!r}"
            )
        self.monitor, self.patience = monitor, whole_number("patience", patience, 1)
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float, np.number)):
            raise ArgumentError(f"min_delta: expected a number, found {min_delta!r}")
        self.min_delta = real_number("min_delta", abs(min_delta))  # its size: either sign
        self.restore_best_weights = restore_best_weights
        self.best = math.nan
        self.best_epoch: int | None = None
        self._best_layers: list | None = None
        self._waited = 0

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
            f"min_delta={self.min_delta!r}, restore_best_weights={self.restore_best_weights!r})"
        )

    def on_train_begin(self, state: TrainingState) -> None:
        """Reset."""
        self.best, self.best_epoch, self._best_layers, self._waited = math.nan, None, None, 0

    def on_epoch_end(self, state: TrainingState, epoch: int, logs: dict[str, float]) -> None:
        """Keep the best weights; stop after ``patience`` epochs without improvement."""
        key = self.monitor
        if key not in logs:
            # val_… without validation data: the same figure on the training data
            fallback = key.removeprefix("val_")
            if not key.startswith("val_") or fallback not in logs:
                raise ArgumentError(
                    f"EarlyStopping: monitor {quote(key)} is not in the history; it has "
                    f"{', '.join(k for k in logs if k != 'learning_rate')}"
                )
            key = fallback
        value = logs[key]
        sign = -1.0 if key.endswith("loss") else 1.0  # improvement = larger sign * value
        # a NaN is never an improvement (as Keras): a diverged epoch is not the best
        improved = not math.isnan(value) and (
            math.isnan(self.best) or sign * (value - self.best) > self.min_delta
        )
        if improved:
            self.best, self.best_epoch, self._waited = value, epoch, 0
            if self.restore_best_weights:
                self._best_layers = copy.deepcopy([(l.W, l.b) for l in state.network.layers])
        else:
            self._waited += 1
            if self._waited >= self.patience:
                state.stop_training = True

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint keeps of the early stopping.

        The best value, its epoch, the epochs waited since, and the best weights
        (``best_params``: a list of (W, b), or None).
        """
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "waited": self._waited,
            "best_params": None
            if self._best_layers is None
            else [(np.array(W), np.array(b)) for W, b in self._best_layers],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.best, self.best_epoch = float(state["best"]), state["best_epoch"]
        self._waited = int(state["waited"])
        params = state["best_params"]
        self._best_layers = (
            None if params is None else [(np.array(W), np.array(b)) for W, b in params]
        )

    def on_train_end(self, state: TrainingState) -> None:
        """Put the best weights back."""
        if self.restore_best_weights and self._best_layers is not None:
            # a W or b a callback put in place since the last batch (read-only, a list)
            # is taken by copy first, as the next batch would have taken it
            state.network._check_layers()
            for layer, (W, b) in zip(state.network.layers, self._best_layers, strict=True):
                layer.W[...] = W
                layer.b[...] = b
            state.history.best_epoch = self.best_epoch


# --- the loop -------------------------------------------------------------------------


def _as_callbacks(
    callbacks: Sequence[Callback | Callable[..., None]] | Callback | Callable[..., None] | None,
) -> list[Callback]:
    if callbacks is None:  # as Keras: none
        return []
    if isinstance(callbacks, Callback) or callable(callbacks):  # one, not in a list
        callbacks = [callbacks]  # type: ignore[list-item]
    out = []
    for i, cb in enumerate(callbacks):  # type: ignore[arg-type]
        if isinstance(cb, Callback):
            _check_hooks(cb, f"callbacks[{i}]")
            out.append(cb)
        elif callable(cb):  # a plain function is an epoch-end callback: checked here,
            # not after the first epoch's work (a Keras-style f(epoch, logs) fails at once)
            check_signature(cb, "state, epoch, logs", f"callbacks[{i}]")
            out.append(LambdaCallback(on_epoch_end=cb))
        else:
            raise ArgumentError(f"callbacks: expected Callback objects or functions, found {cb!r}")
    return out


def _check_hooks(cb: Callback, where: str) -> None:
    """Each hook ``cb`` overrides takes its arguments; a method ``on_…`` that is none is said.

    Here, as fit begins, not as a raw TypeError in its middle (a Keras-style
    ``on_epoch_end(self, epoch, logs)``), nor never (``on_train_batch_end``).
    """
    for name, params in HOOKS.items():
        if getattr(type(cb), name) is not getattr(Callback, name):
            check_signature(getattr(cb, name), params, f"{where}.{name}")
    for name in dir(type(cb)):
        if name.startswith("on_") and name not in HOOKS:
            keras = name.replace("on_train_batch_", "on_batch_")  # Keras's batch hooks
            hint = f" (did you mean {keras!r}?)" if keras in HOOKS else did_you_mean(name, HOOKS)
            warnings.warn(
                f"{where}: {type(cb).__name__}.{name} is not a hook, and fit never calls it"
                f"{hint}; the hooks are {', '.join(HOOKS)}",
                stacklevel=_callers_level(),
            )


def _callers_level() -> int:
    """The ``stacklevel`` of the first frame outside glassnet, for a warning of its caller.

    The warning names the user's line (Network.fit, train.fit or an estimator's fit alike).
    """
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _params(network: Network) -> list[Array]:
    """W_1, b_1, …, W_L, b_L: the order of the optimizers' state."""
    return [p for layer in network.layers for p in (layer.W, layer.b)]


def _refuse_read_only(network: Network, updated: list[tuple]) -> None:
    """ArgumentError naming a W or b that a callback made read-only: fit writes it in place.

    ``updated``: the (W, b, f) of each layer that fit has been updating (the prepared
    products' ``params``). Checked once after the callbacks, the only code that runs
    inside a fit: plain SGD's steps write through BLAS, which sees no flag. Only an
    array flipped in place is refused; one put in its place (read-only, a list) is
    taken by the next batch as any replaced W or b is, by copy.
    """
    for W, b, _ in updated:  # the common case: every flag set, one pass
        if not (W.flags.writeable and b.flags.writeable):
            break
    else:
        return
    for l, (layer, (W, b, _)) in enumerate(zip(network.layers, updated)):  # noqa: B905
        for name, value in (("W", W), ("b", b)):
            if getattr(layer, name) is value and not value.flags.writeable:
                raise ArgumentError(
                    f"layers[{l}].{name}: read-only (flags.writeable False) during fit, which "
                    "updates every W and b in place"
                )


def _finite_weights(
    params: list[Array], given: tuple[Array, Array], epoch: int, opt: Optimizer
) -> None:
    """TrainingError (or the data's ArgumentError) when an epoch's last update overflowed.

    Checked where it matters, not after every epoch (a pass over the parameters, a
    fifth of a tiny network's full-batch epoch): before a checkpoint is written, and
    once after the last epoch; an earlier overflow shows as the next batch's loss.
    """
    if not all(np.isfinite(p).all() for p in params):
        _check_finite_data(given, epoch, None)
        raise TrainingError(
            f"training diverged in the last update of epoch {epoch}: the weights are "
            f"infinite or NaN; try a smaller learning rate (now {opt.learning_rate:g})"
        )


def _check_finite_data(given: tuple[Array, Array], epoch: int, batch: int | None) -> None:
    """ArgumentError naming the first example that is not finite, when training diverged.

    Where fit was told not to check the data up front (``check_finite=False``), a NaN
    or ∞ in X or y shows as a loss or weights that are not finite, and is told apart
    from a diverging step here, on the error's path only.
    """
    at = f"epoch {epoch}" + ("" if batch is None else f", batch {batch}")
    refuse_non_finite(zip(("X", "y"), given, strict=True), f" (training diverged at {at})")


def _check_data(X: Array, Y: Array, names: tuple[str, str]) -> None:
    """As many targets as examples, and at least one (X's shape: ``Network._inputs``).

    ``names``: X's and y's, as the messages name them (the targets named, as evaluate).
    """
    if len(X) != len(Y):
        raise ArgumentError(f"{names[1]}: {len(Y)} targets for {len(X)} examples")
    if len(X) == 0:
        raise ArgumentError(f"{names[0]}: no examples")


def _progress_bar() -> Any:
    """The bar: tqdm's notebook bar where one can be drawn, else its text bar, silently.

    ``tqdm.auto`` takes the text bar in a notebook without ipywidgets too, but says so
    in a TqdmWarning ("IProgress not found") at its first import: the bar shown is
    the whole answer, so the warning is not passed on.
    """
    import warnings

    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm
    return tqdm


def _shown(logs: dict[str, Any], i: int | None = None) -> dict[str, str]:
    """An epoch's figures for the progress bar: ``logs``, or entry ``i`` of each series."""
    return {k: f"{v if i is None else v[i]:.4g}" for k, v in logs.items() if k != "learning_rate"}


def _show_progress(verbose: bool | None) -> bool:
    if verbose is None:  # a bar only for a person at a terminal, or in a notebook
        return sys.stderr.isatty() or _in_notebook()
    return bool(verbose)


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (whose stderr is no terminal: a person reads it)."""
    ipython = sys.modules.get("IPython")  # imported by the kernel, never by glassnet
    get = getattr(ipython, "get_ipython", None)
    # (Colab's shell is a subclass of Jupyter's)
    return callable(get) and any(c.__name__ == "ZMQInteractiveShell" for c in type(get()).__mro__)


def _row_indices(rows: object, n: int) -> Array:
    """``rows`` as indices of the n examples (one twice too: a bootstrap), or ArgumentError."""
    picked = np.asarray(rows)
    if picked.dtype == bool and picked.shape == (n,):  # a mask, as X[mask] takes it
        picked = np.flatnonzero(picked)
    if picked.size == 0:  # (np.asarray([]) is of floats)
        raise ArgumentError("rows: no examples to train on")
    if picked.ndim != 1 or picked.dtype.kind not in "iu":
        raise ArgumentError(
            f"rows: expected a list of example indices (whole numbers) or a mask of the "
            f"{n} examples, found {quote(rows)}"
        )
    if picked.min() < -n or picked.max() >= n:
        raise ArgumentError(
            f"rows: expected indices from {-n} to {n - 1}, found {picked.min()} to {picked.max()}"
        )
    picked = picked.astype(np.intp, copy=False)
    return np.where(picked < 0, picked + n, picked) if picked.min() < 0 else picked


def fit(
    network: Network,
    X: Array,
    y: Array,
    *,
    epochs: int = 10,
    batch_size: int | None = 32,
    optimizer: str | Optimizer = "sgd",
    learning_rate: float | None = None,
    schedule: str | Schedule | None = None,
    validation_data: tuple[Array, Array] | None = None,
    validation_split: float = 0.0,
    shuffle: bool = True,
    seed: int | None = None,
    callbacks: Sequence[Callback | Callable[..., None]]
    | Callback
    | Callable[..., None]
    | None = (),
    l2: float = 0.0,
    dropout: float | Sequence[float] = 0.0,
    clip_norm: float | None = None,
    early_stopping: bool | int = False,
    verbose: bool | int | None = None,
    checkpoint_every: int | None = None,
    on_checkpoint: Callable[[dict[str, Any]], None] | None = None,
    resume: dict[str, Any] | None = None,
    check_finite: bool = True,
    rows: Sequence[int] | Array | None = None,
) -> History:
    r"""Train ``network`` in place by mini-batch gradient descent.

    Parameters
    ----------
    network : Network
    X : array, shape (n, n_0)
    y : array
        Targets, shape (n, n_L); a classifier also takes class indices, shape (n,).
    epochs : int, default 10
    batch_size : int or None, default 32
        None (or a size ≥ n) trains on the whole set at once: full-batch gradient descent.
    optimizer : str or Optimizer, default "sgd"
        ``sgd``, ``momentum``, ``nesterov``, ``adam``, ``rmsprop``, or an instance
        (whose state carries over between calls).
    learning_rate : float, optional
        η₀; defaults to the optimizer's own default (0.01 for sgd, 0.001 for adam).
    schedule : str or Schedule, optional
        ``constant`` (default), ``step``, ``exponential``, ``adaptive``.
    validation_data : (X_val, y_val), optional
    validation_split : float, default 0
        A fraction of (X, y), drawn at random with ``seed``, held out for validation
        when ``validation_data`` is not given.
    shuffle : bool, default True
        Visit the examples in a new random order each epoch.
    seed : int, optional
        Seeds shuffling, the validation split and dropout: the same seed gives the
        same weights and history, bit for bit.
    callbacks : sequence of Callback or functions ``f(state, epoch, logs)``, optional
        Called as training goes; one may be given alone, and None stands for none.
    l2 : float, default 0
        λ of the L2 penalty (λ/2) Σ_l ‖W_l‖² (biases are not decayed): ∂/∂W_l adds λ W_l.
    dropout : float or sequence of float, default 0
        Inverted dropout rate of the hidden layers.
    clip_norm : float, optional
        Rescale the gradients so that their joint norm is at most this.
    early_stopping : bool or int, default False
        Stop when the validation loss (or the training loss, without validation data)
        has not improved for 10 (or this many) epochs, and restore the best weights.
    verbose : bool or int, optional
        Show a progress bar (an int as Keras's: 0 none, ≥ 1 a bar); by default only when
        stderr is a terminal or in a Jupyter notebook.
    checkpoint_every : int, optional
        Call ``on_checkpoint`` with the run's state every this many epochs (a whole
        number ≥ 1; given without ``on_checkpoint``, an ArgumentError).
    on_checkpoint : callable ``f(checkpoint)``, optional
        Receives a checkpoint (a dict: weights, optimizer and schedule state, random
        generator state, history, the state of each :class:`EarlyStopping` — its best
        value and weights, the epochs waited —, position) — and, on Ctrl-C, one taken
        after the current batch, before :class:`KeyboardInterrupt` is raised ("interrupted
        at epoch E, batch K"); a Ctrl-C after an epoch's last batch (in its validation or
        callbacks, or at an early stop), or in the batch in which a callback sets
        ``state.stop_training`` (the epoch ends first, as uninterrupted), gives the
        checkpoint of that epoch, if not taken already, and "interrupted after epoch E".
        A second Ctrl-C stops at once ("interrupted again"), with no checkpoint.
    resume : dict, optional
        A checkpoint to continue from: given the same network, data and arguments, the
        run ends with the same weights and history, bit for bit, as one never stopped
        (early stopping included; other callbacks keep no state in a checkpoint). From
        the checkpoint of the epoch where the run stopped, no epoch is left to train.
        One that does not fit the run (a dict without a checkpoint's keys, the pair
        ``load_checkpoint`` returns, other shapes, optimizer or early stoppings, a
        part-done epoch of another number of examples) raises ArgumentError before
        anything changes.
    rows : sequence of int, optional
        Train on these examples of X and y alone (their indices, negative ones from the
        end, or a boolean mask), gathered batch by batch through them: X is not copied
        (``validation_split`` holds out a fraction of them). As ``fit(X[rows],
        y[rows])``, bit for bit, except that ``check_finite`` looks at all of X and y. A
        checkpoint does not keep them: give ``resume`` the same rows.
    check_finite : bool, default True
        Refuse a NaN or ∞ in X or y before training, naming its example and column (a
        pass over the data: one product X·1 on the BLAS). False skips it for data known
        to be finite; one that is not is then named only where it makes a batch's loss
        not finite, and a layer that saturates (tanh(∞) = 1) keeps the loss finite while
        ∞ · 0 makes its weights NaN.

    Returns
    -------
    History

    Raises
    ------
    TrainingError
        When the loss becomes infinite or NaN; the network keeps the weights it had
        before the batch that diverged. (When the last update of an epoch is the one
        that overflows, it is found before that epoch's checkpoint, or after the last
        epoch, and the weights are left as that update made them.)
    ArgumentError
        For a bad argument, and for data that are not finite, before training: a NaN or
        ∞ in X or y (with ``check_finite``), in ``validation_data`` or in the rows
        ``validation_split`` holds out, named by its example and column.
    """
    epochs = whole_number("epochs", epochs)
    shuffle = flag("shuffle", shuffle)
    check_finite = flag("check_finite", check_finite)
    if verbose is not None and not isinstance(verbose, (bool, np.bool_)):  # Keras's 0, 1, 2
        verbose = whole_number("verbose", verbose) > 0
    l2 = real_number("l2", l2)
    if clip_norm is not None:
        clip_norm = real_number("clip_norm", clip_norm, strict=True)
    if batch_size is not None:
        batch_size = whole_number("batch_size", batch_size, 1)
    if learning_rate is not None:
        learning_rate = real_number("learning_rate", learning_rate, strict=True)
    if seed is not None:
        seed = whole_number("seed", seed)
    if checkpoint_every is not None:
        checkpoint_every = whole_number("checkpoint_every", checkpoint_every, 1)
        if on_checkpoint is None:  # the checkpoints would go nowhere
            raise ArgumentError(
                "checkpoint_every: give on_checkpoint, the function that receives each "
                "checkpoint (e.g. one that calls glassnet.io.save_checkpoint)"
            )
    if on_checkpoint is not None:
        check_signature(on_checkpoint, "checkpoint", "on_checkpoint")
    if real_number("validation_split", validation_split) >= 1.0:
        raise ArgumentError(
            f"validation_split: expected a fraction in [0, 1), found {validation_split!r}"
        )
    rng = np.random.default_rng(seed)
    network._check_layers()  # a layer's W, b or activation replaced since: named if wrong
    X = network._inputs(X)
    Y = network.targets(y)
    _check_data(X, Y, ("X", "y"))
    given = (X, Y)  # as passed (before a validation split), to name a bad example
    if check_finite:  # before any step: a saturating layer turns ∞ into a finite loss
        # and NaN weights (∂L/∂W = xᵀδ with ∞ · 0), found only at the next batch
        for name, data in zip(("X", "y"), given, strict=True):
            if not finite_row_sums(data):
                refuse_non_finite([(name, data)])
    network._dropout_rates(dropout)  # check the rates before any work
    if rows is not None:  # the examples trained on, by index: X is not copied
        rows = _row_indices(rows, len(X))
        Y = Y[rows]

    X_val: Array | None = None
    Y_val: Array | None = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ArgumentError(
                "validation_data: expected a pair (X_val, y_val) (glassnet takes no sample weights)"
            )
        X_val = network._inputs(validation_data[0], "validation_data: X_val")
        Y_val = network._targets(validation_data[1], "validation_data: y_val")
        _check_data(X_val, Y_val, ("validation_data: X_val", "validation_data: y_val"))
        # checked up front, unlike the training data: a NaN here raises nothing later,
        # it makes every val_loss NaN
        refuse_non_finite((("validation_data: X_val", X_val), ("validation_data: y_val", Y_val)))
    elif validation_split > 0:
        order = rng.permutation(len(Y))
        n_val = max(1, round(len(Y) * validation_split))
        if n_val >= len(Y):
            raise ArgumentError("validation_split: leaves no training examples")
        held = order[:n_val] if rows is None else rows[order[:n_val]]  # rows of X
        X_val, Y_val = X[held], Y[order[:n_val]]
        # checked up front, as validation_data: a NaN held out makes every val_loss NaN
        # (and val_r2 0), raising nothing; named by its row of X and y, not of X_val
        refuse_non_finite((("X", X_val), ("y", Y_val)), index=held)
        # the training rows by index into X, gathered batch by batch as the rest is: X
        # itself is not copied (the targets, a few numbers a row, are)
        kept = order[n_val:]
        rows = kept if rows is None else rows[kept]
        Y = Y[kept]

    n = len(Y)
    size = n if batch_size is None or batch_size >= n else batch_size
    picked = None if rows is None else np.empty(size, dtype=np.intp)
    opt = get_optimizer(optimizer, learning_rate)
    sched = get_schedule(schedule)
    sched.reset()  # a schedule object given again starts afresh, as a name does
    metric = metric_name(network)
    history = History(metric=metric)
    cbs = _as_callbacks(callbacks)
    if early_stopping:
        patience = (
            10 if early_stopping is True else whole_number("early_stopping", early_stopping, 1)
        )
        cbs.append(EarlyStopping("val_loss", patience=patience))
    stoppers = [cb for cb in cbs if isinstance(cb, EarlyStopping)]  # their state is kept
    state = TrainingState(network, opt, history)
    # the callbacks that look at each batch (the batch loss is computed only for them),
    # and those called before each batch
    batch_cbs = [
        cb
        for cb in cbs
        if getattr(cb.on_batch_end, "__func__", None) is not Callback.on_batch_end
        # (a LambdaCallback given no batch function; a subclass's own method is called)
        and not (type(cb).on_batch_end is LambdaCallback.on_batch_end and cb._batch is None)
    ]
    begin_cbs = [
        cb
        for cb in cbs
        if getattr(cb.on_batch_begin, "__func__", None) is not Callback.on_batch_begin
        and not (
            type(cb).on_batch_begin is LambdaCallback.on_batch_begin and cb._batch_begin is None
        )
    ]
    sst = total_squares(Y) if metric == "r2" else None
    # the (W, b, f) that fit updates in place: those checked as it began, then each
    # batch's prepared products' (a replaced W or b is taken by copy when they are made)
    updated = [(layer.W, layer.b, layer.activation) for layer in network.layers]

    workspaces: dict[int, Any] = {}  # one per batch size (the last batch may be smaller)
    l2_terms = SimpleNamespace()  # λW_l of each layer, for the L2 term (see _regularised)
    # one-hot target rows (class indices, typically) let the fused loss skip Σ_j y_j;
    # row sums and labels as products Y·1 and Y·(0, 1, …): NumPy reduces short rows slowly
    columns = np.arange(Y.shape[1], dtype=Y.dtype)
    one_hot = bool(
        metric == "accuracy" and np.all(Y @ np.ones_like(columns) == 1) and np.all(Y * (1 - Y) == 0)
    )
    # softmax + cross-entropy on one-hot rows: one dot product per batch for the loss
    tallied = FUSED.get(("softmax", "cross_entropy"))
    tally = EpochLoss(n, network.dtype) if one_hot and network._fused() is tallied else None
    labels = predictions = None
    if metric == "accuracy" and network.output_activation.name == "softmax" and Y.shape[1] > 1:
        # accuracy from the argmax of each batch, counted per epoch
        labels = (Y @ columns).astype(np.intp) if one_hot else Y.argmax(axis=1)
        predictions = np.empty(n, dtype=labels.dtype)
    if resume is not None:  # a wrong checkpoint is refused before anything changes
        kept = (tally is not None, predictions is not None, sst is not None)
        # the series this run logs: the loss and metric, of the validation data too
        logged = ["loss", metric] + (["val_loss", f"val_{metric}"] if X_val is not None else [])
        run = (opt, sched, len(stoppers), n, kept, validation_split > 0, logged)
        _check_resume(resume, network, *run)
    elif epochs:  # (a resumed run takes the checkpoint's weights, checked when taken)
        network._refuse_non_finite_parameters(" to train")

    for cb in cbs:
        cb.on_train_begin(state)
    if cbs:
        _refuse_read_only(network, updated)
    # overflow is detected below, as a non-finite loss, and reported with its epoch and batch
    errstate = np.errstate(over="ignore", invalid="ignore")
    penalty = 0.0  # (λ/2) Σ‖W‖² of the current batch (before its update)
    start_epoch, middle = 1, None
    if resume is not None:
        start_epoch, middle = _restore(resume, network, opt, sched, rng, history, stoppers)
        if history.stopped_epoch is not None:  # the run had stopped: nothing is left to train
            start_epoch, state.epoch = epochs + 1, history.stopped_epoch
    bar = None
    if _show_progress(verbose):  # made once the epochs already run (a resume's) are known
        done = history.epoch[-1] if history.epoch else 0
        # a resumed run's last epoch beside its count until the next one is run (as the
        # text set_postfix makes: a dict given here would be drawn in sorted order)
        shown = (
            ", ".join(f"{k}={v}" for k, v in _shown(history.history, -1).items()) if done else None
        )
        bar = _progress_bar()(
            total=epochs, initial=done, postfix=shown, unit="epoch", desc="train", leave=True
        )

    def epoch_checkpoint(epoch: int) -> None:
        """Give ``on_checkpoint`` the state after ``epoch``: a run resumed from it goes on."""
        _finite_weights(_params(network), given, epoch, opt)  # a checkpoint to resume from
        on_checkpoint(  # type: ignore[misc]  # (called only where it is given)
            _checkpoint((epoch, 0, None, None), network, opt, sched, rng, history, stoppers)
        )

    interrupted = _catch_interrupt()
    try:
        errstate.__enter__()
        for epoch in range(start_epoch, epochs + 1):
            if interrupted["flag"]:  # Ctrl-C between batches' looks at it: in the epoch
                break  # before's end (its validation, callbacks) or as training began
            state.epoch = epoch
            if middle is not None:  # resume inside this epoch, where the checkpoint stopped
                order, first = middle["order"], middle["next_start"]
                acc = middle["accumulators"]
                total_loss, hits, seen = acc["total_loss"], acc["hits"], acc["seen"]
                penalties = acc["penalties"]
                if tally is not None:
                    tally.load(acc)
                sse = None if acc["sse"] is None else np.array(acc["sse"])
                if predictions is not None:
                    predictions[:] = acc["predictions"]
                middle = None
            else:
                opt.learning_rate = sched.rate(
                    opt.initial_learning_rate,
                    opt.learning_rate,
                    epoch - 1,
                    history.history.get("loss", []),
                )
                # shuffle by a permutation of indices, gathered batch by batch into the
                # workspace: the data set itself is never copied
                order = rng.permutation(n) if shuffle else np.arange(n)
                first, total_loss, penalties, hits, seen = 0, 0.0, 0.0, 0.0, 0
                sse = np.zeros(Y.shape[1]) if sst is not None else None
            for cb in cbs:
                cb.on_epoch_begin(state, epoch)
            end = first
            # each batch size's calls of the step (:meth:`Network._step_calls`), for this
            # epoch's settings; looked up again for each batch where a callback runs
            # between batches (it may replace a layer or the loss, change η, the momentum
            # or the dropout rates)
            step_calls: dict[int, tuple[list, list, bool]] = {}
            for batch, start in enumerate(range(first, n, size), start=first // size + 1):
                for cb in begin_cbs:
                    cb.on_batch_begin(state, batch)
                idx = order[start : start + size]
                m = len(idx)
                ws = workspaces.get(m)
                if ws is None:
                    ws = workspaces[m] = network._workspace(m, training=True)
                    ws.scratch[-1].one_hot = one_hot
                if rows is None:
                    X.take(idx, axis=0, out=ws.X, mode="clip")
                else:  # through the training rows' indices, into a buffer made once
                    rows.take(idx, out=picked[:m], mode="clip")
                    X.take(picked[:m], axis=0, out=ws.X, mode="clip")
                Y.take(idx, axis=0, out=ws.Y, mode="clip")
                calls = step_calls.get(m)
                if tally is not None:
                    # only a callback's code runs inside a fit: f_L and the loss are the
                    # ones the tally was chosen for unless one ran since the calls were
                    # looked up (before each batch, or each epoch, as callbacks run)
                    if calls is None and cbs and network._fused() is not tallied:
                        # a callback replaced them: the batches so far keep the tally's
                        # losses, the rest their own
                        total_loss += tally.total(start)
                        for kept_ws in workspaces.values():
                            tally.release(kept_ws.scratch[-1])
                        tally = None
                    else:
                        tally.point(ws.scratch[-1], start, m)
                if calls is None:
                    # plain SGD takes its steps inside the pass (η/m folded into δ_L);
                    # read again, as η and the dropout rates: a callback may change them
                    fold = opt.plain_descent and not l2 and clip_norm is None
                    scale = opt.learning_rate / m if fold else 1.0 / m  # as backward takes it
                    rates = network._rates(dropout)
                    calls = (*network._step_calls(ws, rates, rng, scale, fold), fold)
                    # what a callback may have flipped read-only: these calls' parameters
                    updated = ws._products.params  # type: ignore[union-attr]
                    if not (batch_cbs or begin_cbs):
                        step_calls[m] = calls
                forward_calls, backward_calls, fold = calls
                for op in forward_calls:  # network.forward(ws.X, dropout, rng, workspace=ws)
                    op()
                fp = ws.forward_pass
                loss = None
                if tally is None or not tally.add(ws.Y, fp.z[-1], ws.scratch[-1]):
                    loss = network.batch_loss_sum(fp, ws.Y, ws) / m
                if loss is not None and not math.isfinite(loss):
                    _check_finite_data(given, epoch, batch)
                    if resume is None and epoch == batch == 1:  # no step taken yet
                        raise TrainingError(
                            f"the loss of the first batch is {loss} at the starting weights, "
                            f"before any step: the data or the weights overflow {X.dtype}"
                        )
                    raise TrainingError(
                        f"training diverged at epoch {epoch}, batch {batch}: the loss is "
                        f"{loss}; try a smaller learning rate (now {opt.learning_rate:g}). "
                        "The network keeps the weights it had before this batch"
                    )
                if l2:  # the penalty at the weights the batch's loss is taken at
                    penalty = _penalty(network, l2)
                    penalties += penalty * m
                # network.backward(fp, ws.Y, workspace=ws, ...): plain SGD (fold) with
                # scale = η/m and descend, η/m folded into δ_L making the gradients the
                # steps; other optimizers with the gradients (scale 1/m) to step with
                for op in backward_calls:
                    op()
                if not fold:  # the layers' arrays as they are now: a callback may have replaced one
                    grads = _regularised(network, ws.backward_pass, l2, clip_norm, l2_terms)
                    opt.step(_params(network), grads)
                if tally is None:
                    total_loss += loss * m  # type: ignore[operator]
                seen += m
                end = start + m
                A = fp.a[-1]
                if predictions is not None:
                    A.argmax(axis=1, out=predictions[start : start + m])
                elif sse is not None:  # Σ_k (y_k − a_k)² per output, in work arrays
                    space = ws.scratch[-1]
                    residual = scratch(space, "sse_residual", A)
                    np.subtract(ws.Y, A, out=residual)
                    np.multiply(residual, residual, out=residual)
                    sse += np.add.reduce(
                        residual, axis=0, out=scratch(space, "sse_columns", A, shape=A.shape[1:])
                    )
                else:
                    hits += count_correct(network, A, ws.Y)
                for cb in batch_cbs:
                    if loss is None:
                        loss = network.batch_loss_sum(fp, ws.Y, ws) / m
                    cb.on_batch_end(state, batch, {"loss": loss + penalty, "size": float(m)})
                if batch_cbs:
                    _refuse_read_only(network, updated)
                # Ctrl-C: stop after this batch, keep where we are; but a stop a callback
                # asked for in this batch is honoured first: the epoch ends as it would
                # uninterrupted, and the interrupt is raised after the loop, its
                # checkpoint recording the stop (resumed mid-epoch, the run trained on)
                if interrupted["flag"] and not state.stop_training:
                    if on_checkpoint is not None:
                        acc = {
                            "total_loss": total_loss,
                            "penalties": penalties,
                            "hits": hits,
                            "seen": seen,
                            "sse": None if sse is None else sse.tolist(),
                            "predictions": predictions,
                            **({} if tally is None else tally.state(end)),
                        }
                        on_checkpoint(
                            _checkpoint(
                                (epoch, start + m, order, acc),
                                network,
                                opt,
                                sched,
                                rng,
                                history,
                                stoppers,
                            )
                        )
                    raise KeyboardInterrupt(f"interrupted at epoch {epoch}, batch {batch}")
                if state.stop_training:
                    break
            if predictions is not None:
                hits = float(np.count_nonzero(predictions[:seen] == labels[order[:seen]]))

            if tally is not None:
                total_loss = tally.total(end)
            logs = {"loss": (total_loss + penalties) / seen}
            if sse is not None:  # R² of the examples seen: a stopped epoch's own SST
                seen_sst = sst if seen == n else total_squares(Y[order[:seen]])
                logs[metric] = r2_score(sse, seen_sst)  # type: ignore[arg-type]
            else:
                logs[metric] = hits / seen
            if X_val is not None and Y_val is not None:
                val = network.evaluate(X_val, Y_val)
                logs["val_loss"] = val["loss"] + _penalty(network, l2)
                logs[f"val_{metric}"] = val[metric]
            logs["learning_rate"] = opt.learning_rate
            history.append(epoch, logs)
            for cb in cbs:
                cb.on_epoch_end(state, epoch, logs)
            if cbs:
                _refuse_read_only(network, updated)
            if bar is not None:  # the epoch's figures beside its own count, k/N, shown at once
                bar.set_postfix(_shown(logs), refresh=False)
                bar.update(1)
            if state.stop_training:  # before the checkpoint: resumed, it trains no further
                history.stopped_epoch = epoch
            if on_checkpoint is not None and checkpoint_every and epoch % checkpoint_every == 0:
                epoch_checkpoint(epoch)
            if state.stop_training:
                break
        if history.epoch:  # the last update of all: any earlier one shows in a later loss
            _finite_weights(_params(network), given, state.epoch, opt)
    finally:
        errstate.__exit__(None, None, None)
        interrupted["restore"]()
        for ws in workspaces.values():  # kept for the next fit, without the epoch's arrays
            if tally is not None:
                tally.release(ws.scratch[-1])
            network._keep(ws)
        if bar is not None:
            bar.close()
    if interrupted["flag"]:  # Ctrl-C after the last batch's look at it: in an epoch's
        # validation, a callback or checkpoint, or at an early stop; the epochs run are whole
        last = history.epoch[-1] if history.epoch else None
        taken = bool(checkpoint_every) and last is not None and last % checkpoint_every == 0
        if on_checkpoint is not None and last is not None and not taken:
            epoch_checkpoint(last)
        # without on_train_end: the run stopped, as mid-epoch (resumed, it ends it)
        raise KeyboardInterrupt(
            f"interrupted after epoch {last}" if last is not None else "interrupted before training"
        )
    for cb in cbs:
        cb.on_train_end(state)
    return history


def _checkpoint(
    where: tuple[int, int, Array | None, dict | None],
    network: Network,
    opt: Optimizer,
    sched: Schedule,
    rng: np.random.Generator,
    history: History,
    stoppers: list[EarlyStopping],
) -> dict[str, Any]:
    """The state of a run: enough to continue it exactly (see :func:`fit`, ``resume``).

    ``where``: the epoch, the position in it of the next batch (0 between epochs), and,
    inside an epoch, its order of the examples and its accumulators so far.
    """
    epoch, next_start, order, acc = where
    return {
        "epoch": epoch,
        "next_start": next_start,
        "order": None if order is None else np.array(order),
        "accumulators": None
        if acc is None
        else {
            **acc,
            "predictions": None if acc["predictions"] is None else np.array(acc["predictions"]),
        },
        "params": [(layer.W.copy(), layer.b.copy()) for layer in network.layers],
        "optimizer": opt.state_dict(),
        "schedule": sched.state_dict(),
        "rng": rng.bit_generator.state,
        "history": history.to_dict(),
        "early_stopping": [stopper.state_dict() for stopper in stoppers],
    }


_CHECKPOINT_KEYS = ("epoch", "next_start", "params", "optimizer", "schedule", "rng", "history")
_HISTORY_KEYS = ("epoch", "history", "stopped_epoch", "best_epoch")
# inside an epoch: its order of the examples and its accumulators so far
_ACCUMULATOR_KEYS = ("total_loss", "penalties", "hits", "seen", "sse", "predictions")


def _check_resume(
    ckpt: object,
    network: Network,
    opt: Optimizer,
    sched: Schedule,
    n_stoppers: int,
    n: int,
    kept: tuple[bool, bool, bool],
    split: bool,
    logged: list[str],
) -> None:
    """:class:`ResumeError` unless :func:`_restore` can put ``ckpt`` back into this run.

    Checked up front, with nothing changed yet: the keys the run reads and what fits
    this run (the parameters' shapes and dtype, the optimizer, the schedule's whole
    numbers, the early stoppings, the series of the history, the number of examples of
    a part-done epoch), not the values themselves (``load_checkpoint`` checks a file's).
    ``kept``: whether this run keeps the fused loss's rows, predictions and the sums of
    squared errors; ``logged``: the series it logs (besides the learning rate).
    """
    if isinstance(ckpt, tuple) and len(ckpt) == 2 and isinstance(ckpt[0], dict):
        raise ResumeError(
            "load_checkpoint returns (checkpoint, settings)",
            "pass the checkpoint, load_checkpoint(path)[0]",
        )
    if not isinstance(ckpt, dict):
        raise ResumeError(
            f"expected a checkpoint (a dict, as on_checkpoint receives it), "
            f"found {type(ckpt).__name__}"
        )

    def need(table: object, keys: Iterable[str], what: str) -> None:
        missing = [key for key in keys if not isinstance(table, dict) or key not in table]
        if missing:
            raise ResumeError(
                f"not a glassnet checkpoint: {what} has no {', '.join(map(repr, missing))}"
            )

    need(ckpt, _CHECKPOINT_KEYS, "the dict")
    need(ckpt["history"], _HISTORY_KEYS, "its history")
    need(ckpt["optimizer"], ("name", "numbers", "arrays"), "its optimizer")
    shapes = [(W.shape, b.shape) for W, b in ckpt["params"]]
    if shapes != [(layer.W.shape, layer.b.shape) for layer in network.layers]:
        raise ResumeError(f"the checkpoint's parameters have shapes {shapes}, not the network's")
    dtypes = sorted({p.dtype.name for pair in ckpt["params"] for p in pair})
    if dtypes != [network.dtype.name]:  # (cast, they would not go on bit for bit)
        raise ResumeError(
            f"the checkpoint's parameters are {' and '.join(dtypes)}, the network's "
            f"{network.dtype.name}",
            "give the run's own network (Network.astype)",
        )
    if ckpt["optimizer"]["name"] != type(opt).__name__:
        raise ResumeError(
            f"the checkpoint holds the state of a {ckpt['optimizer']['name']} "
            f"optimizer, this run's is {type(opt).__name__}",
            "give the run's own optimizer",
        )
    fresh, saved = sched.state_dict(), ckpt["schedule"]
    # glassnet's schedules keep the same numbers throughout (one's own may add some later)
    if type(sched) in SCHEDULES.values() and sorted(saved) != sorted(fresh):
        raise ResumeError(
            f"the checkpoint holds a schedule's state of {', '.join(saved) or 'nothing'}, "
            f"this run's {type(sched).__name__} keeps {', '.join(fresh) or 'nothing'}",
            "give the run's own schedule",
        )
    for key, value in saved.items():  # a count stays a whole number (a slice's bound)
        if isinstance(fresh.get(key), int) and not isinstance(value, int):
            raise ResumeError(
                f"the checkpoint's schedule state {key} is {value!r}, a whole number in this "
                f"run's {type(sched).__name__}",
                "give the run's own schedule",
            )
    stoppers = ckpt.get("early_stopping")  # None: an older format, they start afresh
    if stoppers is not None and len(stoppers) != n_stoppers:
        raise ResumeError(
            f"the checkpoint holds the state of {len(stoppers)} early stopping(s), "
            f"this run has {n_stoppers}",
            "give the run's own early_stopping and callbacks",
        )
    if ckpt["next_start"] != 0:  # stopped inside an epoch
        need(ckpt, ("order", "accumulators"), "the dict (stopped inside an epoch)")
        tally, predictions, sse = kept
        need(ckpt["accumulators"], _ACCUMULATOR_KEYS, "its accumulators")
        if len(ckpt["order"]) != n:
            given = "the training part of X has" if split else "X has"
            raise ResumeError(
                f"the checkpoint was taken on {len(ckpt['order'])} examples and {given} {n}",
                "give the run's own data",
            )
        acc = ckpt["accumulators"]
        if (
            (acc["predictions"] is not None) != predictions
            or (acc["sse"] is not None) != sse
            or tally != all(key in acc for key in EpochLoss.STATE_KEYS)
        ):
            raise ResumeError(
                "the checkpoint was taken inside an epoch of a network with another output or loss",
                "give the run's own network",
            )
    series = ckpt["history"]["history"]
    if series and sorted(series) != sorted([*logged, "learning_rate"]):  # (none: 1st epoch)
        raise ResumeError(
            f"the checkpoint's history holds {', '.join(map(str, series))}, this run logs "
            f"{', '.join(logged)}, learning_rate",
            "give the run's own network and validation data",
        )


def _restore(
    ckpt: dict[str, Any],
    network: Network,
    opt: Optimizer,
    sched: Schedule,
    rng: np.random.Generator,
    history: History,
    stoppers: list[EarlyStopping],
) -> tuple[int, dict | None]:
    """Put a checkpoint's state back; return the epoch to start at and a mid-epoch position.

    The early stoppings' state too, one per :class:`EarlyStopping` of the run, in order;
    a checkpoint of an older format has none, and they start afresh. The checkpoint
    has passed :func:`_check_resume`.
    """
    network._check_layers()  # a W or b replaced in on_train_begin: taken by copy, then written
    for layer, (W, b) in zip(network.layers, ckpt["params"], strict=True):
        layer.W[...] = W
        layer.b[...] = b
    opt.load_state_dict(ckpt["optimizer"])
    sched.load_state_dict(ckpt["schedule"])
    rng.bit_generator.state = ckpt["rng"]
    saved = ckpt["history"]
    history.epoch = list(saved["epoch"])
    history.history = {k: list(v) for k, v in saved["history"].items()}
    history.stopped_epoch, history.best_epoch = saved["stopped_epoch"], saved["best_epoch"]
    kept = ckpt.get("early_stopping")
    if kept is not None:
        for stopper, stopper_state in zip(stoppers, kept, strict=True):
            stopper.load_state_dict(stopper_state)
    if ckpt["next_start"] == 0:
        return ckpt["epoch"] + 1, None
    return ckpt["epoch"], ckpt


def _catch_interrupt() -> dict[str, Any]:
    """On Ctrl-C, set a flag (the loop stops after its batch) instead of stopping anywhere.

    A second Ctrl-C raises KeyboardInterrupt at once, wherever the run is: the way out of
    a callback that hangs (its weights may then be mid-update, and no checkpoint taken).
    """
    import signal
    import threading

    interrupted: dict[str, Any] = {"flag": False, "restore": lambda: None}
    if threading.current_thread() is not threading.main_thread():
        return interrupted

    def handler(signum: int, frame: object) -> None:
        if interrupted["flag"]:
            raise KeyboardInterrupt("interrupted again: stopped at once, no checkpoint taken")
        interrupted["flag"] = True

    previous = signal.signal(signal.SIGINT, handler)
    interrupted["restore"] = lambda: signal.signal(signal.SIGINT, previous)
    return interrupted


def _regularised(
    network: Network, bp: Any, l2: float, clip_norm: float | None, work: SimpleNamespace
) -> list[Array]:
    """The gradients of every parameter, with λW added to each ∂L/∂W and clipped by norm.

    The workspace's own gradient arrays in ``bp``, changed in place; λW_l goes through
    a work array of W_l's kept in ``work`` (one per layer for the whole fit, whatever
    the batch sizes): nothing is allocated per batch.
    """
    grads = []
    for l, layer in enumerate(network.layers, start=1):
        grad_W = bp.grad_W[l]
        if l2:
            grad_W += np.multiply(layer.W, l2, out=scratch(work, f"W{l}", layer.W))
        grads += [grad_W, bp.grad_b[l]]
    if clip_norm is not None:
        norm = math.sqrt(sum_of_squares(grads))
        if norm > clip_norm:
            for g in grads:
                g *= clip_norm / norm
    return grads


def _penalty(network: Network, l2: float) -> float:
    r"""(λ/2) Σ_l ‖W_l‖², the L2 term of the reported loss (‖W‖² as a dot product: no copy)."""
    if not l2:
        return 0.0
    return 0.5 * l2 * sum_of_squares(layer.W for layer in network.layers)
