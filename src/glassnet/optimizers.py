r"""Optimizers and learning-rate schedules, by name.

An optimizer updates parameters θ in place from their gradients g = ∂L/∂θ:

- ``sgd``: plain gradient descent, θ ← θ − η g;
- ``momentum``: v ← μ v − η g, θ ← θ + v (μ = 0.9);
- ``nesterov``: v ← μ v − η g, θ ← θ + μ v − η g (Nesterov's look-ahead, as scikit-learn);
- ``adam``: m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², θ ← θ − η_t m / (√v + ε),
  with the bias corrections in the step size η_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ) (Kingma &
  Ba's efficient form, as scikit-learn and Keras). In PyTorch's form
  θ ← θ − η m̂ / (√v̂ + ε̂) this is ε̂ = ε / √(1 − β₂ᵗ), 32 ε at t = 1 with β₂ = 0.999:
  the two differ only where √v̂ is not far above ε;
- ``rmsprop``: s ← ρ s + (1 − ρ) g², θ ← θ − η g / (√s + ε): ε outside the root, as
  PyTorch, with Keras's defaults (η = 0.001, ρ = 0.9, ε = 1e-7); Keras divides by
  √(s + ε), which differs only where √s is not far above √ε ≈ 3e-4.

A schedule sets η at the start of every epoch: ``constant``, ``step`` (η₀ γ^⌊epoch/k⌋),
``exponential`` (η₀ γ^epoch) and ``adaptive`` (scikit-learn's: η is divided by 5 each
time the training loss has failed to fall by ``tol`` for more than ``patience`` epochs in
a row).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from glassnet.errors import ArgumentError, real_number, unknown_name, whole_number

Array = np.ndarray


def _below_one(name: str, value: object) -> float:
    """``value`` as a number in [0, 1) (a decay rate of the optimizer), or ArgumentError."""
    try:
        number = real_number(name, value)  # a finite number ≥ 0, not a string or None
    except ArgumentError:
        number = math.nan
    if not number < 1.0:
        raise ArgumentError(f"{name}: expected a number in [0, 1), found {value!r}") from None
    return number


def _decay(gamma: object) -> float:
    """``gamma`` as a factor in (0, 1] of a schedule, or ArgumentError."""
    try:
        number = real_number("gamma", gamma, strict=True)  # a finite number > 0
    except ArgumentError:
        number = math.nan
    if not number <= 1.0:
        raise ArgumentError(f"gamma: expected a number in (0, 1], found {gamma!r}") from None
    return number


class Optimizer:
    """Base class: ``step(params, grads)`` updates every parameter in place.

    A subclass of one's own calls ``super().__init__(learning_rate)`` and defines
    :meth:`step`, reading ``self.learning_rate`` (which a schedule sets each epoch);
    the state it keeps across steps, to be checkpointed, it names in
    :attr:`STATE_NUMBERS` (numbers) and :attr:`STATE_ARRAYS` (a list of arrays, one per
    parameter, or None before the first step). ``fit(optimizer=MyOptimizer(0.01))``.

    Parameters
    ----------
    learning_rate : float
        η, the initial learning rate; a schedule may change ``self.learning_rate``.
    """

    name = "optimizer"

    def __init__(self, learning_rate: float) -> None:
        rate = real_number("learning_rate", learning_rate, 0.0, strict=True)
        self.initial_learning_rate = self.learning_rate = rate

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Update ``params`` in place from ``grads`` (same order, same shapes)."""
        raise NotImplementedError(f"{type(self).__name__}.step(params, grads)")

    @property
    def plain_descent(self) -> bool:
        """True when a step is exactly θ ← θ − η g.

        The training loop may then take it inside the backward pass
        (:meth:`glassnet.network.Network.backward` with ``descend``) instead of calling
        :meth:`step`.
        """
        return False

    # what a checkpoint keeps: plain numbers, and lists of arrays (one per parameter)
    STATE_NUMBERS: tuple[str, ...] = ("learning_rate", "initial_learning_rate")
    STATE_ARRAYS: tuple[str, ...] = ()

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``{"numbers": {...}, "arrays": {name: [array, ...] | None}}``."""
        return {
            "name": type(self).__name__,
            "numbers": {k: getattr(self, k) for k in self.STATE_NUMBERS},
            "arrays": {  # copies: the optimizer goes on changing its own in place
                k: None if getattr(self, k) is None else [np.array(a) for a in getattr(self, k)]
                for k in self.STATE_ARRAYS
            },
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (same optimizer class)."""
        if state.get("name") != type(self).__name__:
            raise ArgumentError(
                f"optimizer state of {state.get('name')}, not {type(self).__name__}"
            )
        for k, v in state["numbers"].items():
            setattr(self, k, v)
        for k, v in state["arrays"].items():
            setattr(self, k, None if v is None else [np.array(a) for a in v])

    def _work(self, params: Sequence[Array]) -> list[Array]:
        """One work array per parameter, made once: a step allocates nothing.

        An optimizer's state (velocity, moments) belongs to the parameters it was made
        for: parameters of other shapes (another network) are refused, by name.
        """
        shapes = [theta.shape for theta in params]
        for k in self.STATE_ARRAYS:
            state = getattr(self, k)
            if state is not None and [s.shape for s in state] != shapes:
                raise ArgumentError(
                    f"optimizer: this {type(self).__name__} holds state for parameters of "
                    f"shapes {[s.shape for s in state]}, not {shapes}: give another "
                    "network an optimizer of its own"
                )
        work = self.__dict__.get("_work_arrays")
        if work is None or [w.shape for w in work] != shapes:
            work = self._work_arrays = [np.empty_like(theta) for theta in params]
        return work

    SETTINGS: tuple[str, ...] = ()  # the constructor's arguments besides the learning rate

    def __repr__(self) -> str:
        settings = "".join(f", {k}={getattr(self, k)!r}" for k in self.SETTINGS)
        return f"{type(self).__name__}(learning_rate={self.learning_rate:g}{settings})"


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional (Nesterov) momentum.

    .. math:: v \leftarrow \mu v - \eta g,\qquad
              \theta \leftarrow \theta + v \;\;\text{or, Nesterov,}\;\;
              \theta \leftarrow \theta + \mu v - \eta g

    Parameters
    ----------
    learning_rate : float, default 0.01
    momentum : float, default 0.0
        μ in [0, 1); 0 is plain gradient descent θ ← θ − η g.
    nesterov : bool, default False
    """

    name = "sgd"
    STATE_ARRAYS = ("_velocity",)

    SETTINGS = ("momentum", "nesterov")

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = _below_one("momentum", momentum)
        self.nesterov = bool(nesterov)
        self._velocity: list[Array] | None = None

    @property
    def plain_descent(self) -> bool:
        """Without momentum, SGD is plain gradient descent."""
        return self.momentum == 0.0

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Take one step."""
        eta = self.learning_rate
        work = self._work(params)
        if self.momentum == 0.0:
            for theta, g, step in zip(params, grads, work, strict=True):
                np.multiply(g, eta, out=step)  # θ ← θ − η g, as descend() but in place
                theta -= step
            return
        if self._velocity is None:
            self._velocity = [np.zeros_like(theta) for theta in params]
        mu = self.momentum
        for theta, g, v, step in zip(params, grads, self._velocity, work, strict=True):
            v *= mu
            np.multiply(g, eta, out=step)
            v -= step  # v ← μ v − η g
            if self.nesterov:  # θ ← θ + μ v − η g
                theta -= step
                np.multiply(v, mu, out=step)
            else:  # θ ← θ + v
                np.copyto(step, v)
            theta += step


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015).

    .. math:: m \leftarrow \beta_1 m + (1-\beta_1) g,\quad
              v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
              \theta \leftarrow \theta - \eta_t\,\frac{m}{\sqrt{v}+\epsilon},\quad
              \eta_t = \eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}

    The bias corrections sit in the step size, as in Kingma & Ba's efficient form,
    scikit-learn and Keras. PyTorch divides by √v̂ + ε with v̂ = v/(1 − β₂ᵗ); this is
    that step with ε / √(1 − β₂ᵗ) in place of ε (32 ε at t = 1 with β₂ = 0.999), so
    the two agree wherever √v̂ is far above ε.

    Parameters
    ----------
    learning_rate : float, default 0.001
    beta_1, beta_2 : float, default 0.9, 0.999
    epsilon : float, default 1e-8
    """

    name = "adam"
    STATE_NUMBERS = ("learning_rate", "initial_learning_rate", "t")
    STATE_ARRAYS = ("_m", "_v")

    SETTINGS = ("beta_1", "beta_2", "epsilon")

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1, self.beta_2 = _below_one("beta_1", beta_1), _below_one("beta_2", beta_2)
        self.epsilon = real_number("epsilon", epsilon, 0.0, strict=True)
        self.t = 0
        self._m: list[Array] | None = None
        self._v: list[Array] | None = None

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Take one step."""
        if self._m is None or self._v is None:
            self._m = [np.zeros_like(theta) for theta in params]
            self._v = [np.zeros_like(theta) for theta in params]
        works = self._work(params)  # (refuses another network's parameters before t moves)
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # the bias corrections folded into one step size
        eta_t = self.learning_rate * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for theta, g, m, v, work in zip(params, grads, self._m, self._v, works, strict=True):
            m *= b1
            np.multiply(g, 1 - b1, out=work)
            m += work  # m ← β₁ m + (1 − β₁) g
            v *= b2
            np.multiply(g, g, out=work)
            work *= 1 - b2
            v += work  # v ← β₂ v + (1 − β₂) g²
            np.sqrt(v, out=work)
            work += self.epsilon
            np.divide(m, work, out=work)
            work *= eta_t
            theta -= work  # θ ← θ − η_t m / (√v + ε)


class RMSProp(Optimizer):
    r"""RMSProp (Hinton, 2012).

    .. math:: s \leftarrow \rho s + (1-\rho) g^2,\qquad
              \theta \leftarrow \theta - \eta\,\frac{g}{\sqrt{s}+\epsilon}

    ε is added outside the root, as ``torch.optim.RMSprop`` places it; the defaults
    are Keras's, whose RMSprop divides by :math:`\sqrt{s+\epsilon}` instead: the two
    differ only where √s is not far above √ε (≈ 3e-4 at ε = 1e-7). PyTorch's
    defaults are η = 0.01, ρ (its ``alpha``) = 0.99, ε = 1e-8.

    Parameters
    ----------
    learning_rate : float, default 0.001
    rho : float, default 0.9
    epsilon : float, default 1e-7
    """

    name = "rmsprop"
    STATE_ARRAYS = ("_s",)

    SETTINGS = ("rho", "epsilon")

    def __init__(
        self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7
    ) -> None:
        super().__init__(learning_rate)
        self.rho = _below_one("rho", rho)
        self.epsilon = real_number("epsilon", epsilon, 0.0, strict=True)
        self._s: list[Array] | None = None

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Take one step."""
        if self._s is None:
            self._s = [np.zeros_like(theta) for theta in params]
        rho = self.rho
        for theta, g, s, work in zip(params, grads, self._s, self._work(params), strict=True):
            s *= rho
            np.multiply(g, g, out=work)
            work *= 1 - rho
            s += work  # s ← ρ s + (1 − ρ) g²
            np.sqrt(s, out=work)
            work += self.epsilon
            np.divide(g, work, out=work)
            work *= self.learning_rate
            theta -= work  # θ ← θ − η g / (√s + ε)


OPTIMIZERS: dict[str, tuple[type[Optimizer], dict]] = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adam": (Adam, {}),
    "rmsprop": (RMSProp, {}),
}


def get_optimizer(optimizer: str | Optimizer, learning_rate: float | None = None) -> Optimizer:
    """An optimizer by name (with ``learning_rate`` or its default), or the one given."""
    if isinstance(optimizer, Optimizer):
        own = type(optimizer).__name__
        if type(optimizer).step is Optimizer.step:
            raise ArgumentError(
                f"optimizer: {own} has no step(params, grads), the method that updates each "
                "parameter in place"
            )
        if not hasattr(optimizer, "initial_learning_rate"):  # (its learning rate is unset)
            raise ArgumentError(
                f"optimizer: {own}.__init__ must call super().__init__(learning_rate)"
            )
        if learning_rate is not None:
            optimizer.learning_rate = optimizer.initial_learning_rate = float(learning_rate)
        return optimizer
    try:
        cls, kwargs = OPTIMIZERS[optimizer]
    except (KeyError, TypeError):
        raise ArgumentError(
            "optimizer: " + unknown_name("optimizer", optimizer, OPTIMIZERS)
        ) from None
    if learning_rate is not None:
        kwargs = {**kwargs, "learning_rate": learning_rate}
    return cls(**kwargs)


# --- schedules ------------------------------------------------------------------------


class Schedule:
    """Sets the optimizer's learning rate at the start of each epoch (base: constant)."""

    name = "constant"

    def state_dict(self) -> dict[str, Any]:
        """The schedule's own numbers (none but Adaptive's)."""
        return {k: v for k, v in vars(self).items() if k.startswith("_")}

    def reset(self) -> None:
        """Forget earlier fits: a fit starts from the schedule's initial state."""

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        for k, v in state.items():
            setattr(self, k, v)

    def rate(self, initial: float, current: float, epoch: int, losses: Sequence[float]) -> float:
        """The learning rate for ``epoch`` (from 0), given the training losses so far."""
        return current

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class StepDecay(Schedule):
    """η = η₀ γ^⌊epoch / step_size⌋."""

    name = "step"

    def __init__(self, step_size: int = 10, gamma: float = 0.5) -> None:
        self.step_size, self.gamma = whole_number("step_size", step_size, 1), _decay(gamma)

    def rate(self, initial: float, current: float, epoch: int, losses: Sequence[float]) -> float:
        """η₀ γ^⌊epoch / step_size⌋."""
        return initial * self.gamma ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """η = η₀ γ^epoch."""

    name = "exponential"

    def __init__(self, gamma: float = 0.95) -> None:
        self.gamma = _decay(gamma)

    def rate(self, initial: float, current: float, epoch: int, losses: Sequence[float]) -> float:
        """η₀ γ^epoch."""
        return initial * self.gamma**epoch


class Adaptive(Schedule):
    """scikit-learn's "adaptive" schedule.

    η is divided by ``factor`` after more than ``patience`` epochs in a row whose
    training loss did not fall below the best by at least ``tol``.

    Parameters
    ----------
    tol : float, default 1e-4
    patience : int, default 10
        scikit-learn's n_iter_no_change.
    factor : float, default 5
    min_learning_rate : float, default 1e-6
        Below this η is left as it is.
    """

    name = "adaptive"

    def __init__(
        self,
        tol: float = 1e-4,
        patience: int = 10,
        factor: float = 5.0,
        min_learning_rate: float = 1e-6,
    ) -> None:
        self.tol = real_number("tol", tol)
        self.patience = whole_number("patience", patience)
        self.factor = real_number("factor", factor, 1.0, strict=True)  # > 1: η falls
        self.min_learning_rate = real_number("min_learning_rate", min_learning_rate)
        self.reset()

    def reset(self) -> None:
        """Forget earlier fits' losses."""
        self._best = math.inf
        self._bad_epochs = 0
        self._seen = 0

    def rate(self, initial: float, current: float, epoch: int, losses: Sequence[float]) -> float:
        """Divide η by ``factor`` when the loss has stalled for ``patience`` epochs."""
        for loss in losses[self._seen :]:
            self._bad_epochs = self._bad_epochs + 1 if loss > self._best - self.tol else 0
            self._best = min(self._best, loss)
        self._seen = len(losses)
        if self._bad_epochs > self.patience and current > self.min_learning_rate:
            self._bad_epochs = 0
            return current / self.factor
        return current


SCHEDULES: dict[str, type[Schedule]] = {
    "constant": Schedule,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "adaptive": Adaptive,
}


def get_schedule(schedule: str | Schedule | None) -> Schedule:
    """A schedule by name (default settings), or the one given; None is constant."""
    if schedule is None:
        return Schedule()
    if isinstance(schedule, Schedule):
        return schedule
    try:
        return SCHEDULES[schedule]()
    except (KeyError, TypeError):
        raise ArgumentError("schedule: " + unknown_name("schedule", schedule, SCHEDULES)) from None
