"""Why a network does not learn: measurements of the network on its own data.

:func:`diagnose` runs one forward and backward pass of the engine on a batch and
reports, per layer, the norms of the gradient, the weights and δ, the saturated and
dead units and the units that can never differ, and raises findings:

- ``vanishing_gradient`` — ‖∂L/∂W₁‖ < 10⁻³ ‖∂L/∂W_L‖: the first layer barely learns;
- ``exploding_gradient`` — ‖∂L/∂W₁‖ > 10³ ‖∂L/∂W_L‖, or a layer's ‖∂L/∂W‖ over 10² and
  over 10² times its ‖W‖ (every layer as large: the ratio of first to last cannot see it);
- ``saturation`` — over a quarter of a sigmoid/tanh layer's units have f'(z) < 0.01 on
  more than half of the data;
- ``dead_units`` — a relu unit inactive (z ≤ 0) on every example: it gets no gradient, ever
  (reported when at least half of a layer is dead: inputs of one sign leave a quarter
  of a fresh 2-input layer so, and it learns);
- ``symmetry`` — hidden units with identical incoming weights and bias and identical
  outgoing weights get identical gradients and stay identical for ever;
- ``learning_rate`` — the training loss rose, or oscillated, over the last epochs; or
  the trained network does far worse than always predicting the targets' mean, or no
  better with a training loss that barely moved.

:class:`DiagnosticsCallback` records the same figures after every epoch of training.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.errors import ArgumentError
from glassnet.network import PREDICT_CHUNK, Network, check_network, frobenius_norm
from glassnet.train import Callback, TrainingState

FORMAT = "glassnet.diagnose/1"
VANISHING = 1e-3  # first/last layer gradient norm below this: vanishing_gradient
EXPLODING = 1e3  # above this: exploding_gradient
STEP = 1e2  # a layer's ‖∂L/∂W‖ over this, and this × its ‖W‖: exploding_gradient
# a unit whose f'(z) is below this on more than half the examples (its median f'(z)) is
# saturated: a mean would let the few examples near z = 0 (f' of 1 for tanh) hide it
SATURATED_DERIVATIVE = 0.01
SATURATION_FRACTION = 0.25  # saturation when more than this fraction of a layer is
DEAD_FRACTION = 0.5  # dead_units when at least this fraction of a relu layer is dead
WINDOW = 10  # epochs of history the learning_rate finding looks at
ABOVE_CONSTANT = 1.5  # a loss over this × a constant output's (trained and now): nothing learned
AT_CONSTANT = 0.98  # …or over this × it, with a training loss that barely moved
MOVED = 0.05  # a training loss that moved by at most this fraction barely moved
SATURATING = ("sigmoid", "tanh")


@dataclass
class LayerFigures:
    """The measurements of one layer (fractions are None where they do not apply)."""

    index: int
    activation: str
    grad_norm: float
    weight_norm: float
    ratio: float
    delta_norm: float
    saturated_fraction: float | None
    dead_fraction: float | None
    identical_units: list[list[int]]
    saturated_units: list[int] = field(default_factory=list)
    dead_units: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The layer's entry of the JSON document."""
        return {
            "index": self.index,
            "grad_norm": _finite(self.grad_norm),
            "weight_norm": _finite(self.weight_norm),
            "ratio": _finite(self.ratio),
            "delta_norm": _finite(self.delta_norm),
            "saturated_fraction": self.saturated_fraction,
            "dead_fraction": self.dead_fraction,
            "identical_units": [list(g) for g in self.identical_units],
        }


@dataclass
class Finding:
    """One problem found, at a layer (None for the whole network)."""

    id: str
    layer: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The finding's entry of the JSON document."""
        return {"id": self.id, "layer": self.layer, "message": self.message}


@dataclass
class Diagnosis:
    """Per-layer figures and findings."""

    layers: list[LayerFigures]
    findings: list[Finding]
    gradient_ratio: float  # ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖

    @property
    def ids(self) -> set[str]:
        """The ids of the findings."""
        return {f.id for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        """The ``glassnet.diagnose/1`` document."""
        return {
            "format": FORMAT,
            "layers": [layer.to_dict() for layer in self.layers],
            "findings": [f.to_dict() for f in self.findings],
        }


def _finite(value: float) -> float | None:
    """A figure for JSON, which has no ∞ or NaN: null where it overflowed or is undefined."""
    return value if math.isfinite(value) else None


def _identical(layer: Any, next_layer: Any | None) -> list[list[int]]:
    """Groups (1-based) of hidden units with the same weights in and out and bias, exactly.

    Such units compute the same a and get the same δ (Σ_k δ_k W_jk f′(z_j)), so every
    step keeps them equal. Output units are never: their δ_j = ∂ℓ/∂z_j differ by the
    targets; nor are hidden units whose outgoing weights differ.
    """
    if next_layer is None:
        return []
    groups: dict[bytes, list[int]] = {}
    # + 0.0 makes −0.0 the 0.0 it equals: the bytes must differ only where the numbers do
    columns = np.ascontiguousarray(layer.W.T) + 0.0
    b, W_next = layer.b + 0.0, next_layer.W + 0.0
    for j in range(layer.n_out):
        key = columns[j].tobytes() + np.asarray(b[j]).tobytes() + W_next[j].tobytes()
        groups.setdefault(key, []).append(j + 1)
    return [g for g in groups.values() if len(g) > 1]


def measure(network: Network, X: np.ndarray, Y: np.ndarray) -> list[LayerFigures]:
    """The figures of every layer on the batch (X, Y), from one step of the engine."""
    check_network(network)
    net = network.astype("float64")
    X = net._inputs(X)
    if not len(X):
        raise ArgumentError("X: no examples to measure the network on")
    if not np.isfinite(X).all():
        raise ArgumentError("X: holds NaN or infinity; the figures would be NaN")
    Y = net.targets(Y)
    if len(Y) != len(X):
        raise ArgumentError(f"Y: {len(Y)} targets for {len(X)} examples")
    if not np.isfinite(Y).all():
        raise ArgumentError("Y: holds NaN or infinity; the figures would be NaN")
    m = len(Y)
    n_layers = len(net.layers)
    # a softmax or sigmoid output with its cross-entropy has δ_L = a − y (whichever path
    # computes it): f′ is not a factor there, so its units cannot saturate the gradient
    fused_output = net._fused() is not None
    saturating = [
        layer.activation.name in SATURATING and not (fused_output and l == n_layers)
        for l, layer in enumerate(net.layers, start=1)
    ]
    # over PREDICT_CHUNK rows, in chunks: the whole pass and its δ kept every layer's z,
    # a and δ of every row (150k × 64 rows: 1.5 GB); the figures are sums over the rows
    # (of a_{l-1}ᵀ δ_l, ‖δ_l‖², f′(z) < 0.01, z ≤ 0), added up chunk by chunk (a batch of one
    # chunk gives the whole pass's figures to the bit, a larger one to rounding)
    step = m if m <= PREDICT_CHUNK else PREDICT_CHUNK
    grads: list[np.ndarray | float] = [0.0] * (n_layers + 1)
    delta_norms: list[list[float]] = [[] for _ in range(n_layers + 1)]
    flat_counts: list[np.ndarray | float] = [0.0] * (n_layers + 1)  # examples of f′ < 0.01
    all_dead: list[np.ndarray | bool] = [True] * (n_layers + 1)
    for start in range(0, m, step):
        rows = slice(start, start + step)
        # a step that overflows gives figures that are not finite (null in JSON), said as such
        with np.errstate(over="ignore", invalid="ignore"):
            fp = net.forward(X[rows])
            bp = net.backward(fp, Y[rows])
            for l, layer in enumerate(net.layers, start=1):
                z, a = fp.z[l], fp.a[l]
                # ∂L/∂W_l is a mean over the m rows: each chunk's mean weighs by its rows
                share = bp.grad_W[l] if step == m else bp.grad_W[l] * (len(z) / m)
                grads[l] = grads[l] + share if start else share
                delta_norms[l].append(frobenius_norm(bp.delta[l]))
                if saturating[l - 1]:
                    flat = layer.activation.derivative(z, a) < SATURATED_DERIVATIVE
                    flat_counts[l] = flat_counts[l] + flat.sum(axis=0)
                if layer.activation.name == "relu":
                    all_dead[l] = all_dead[l] & (z <= 0).all(axis=0)
    figures = []
    for l, layer in enumerate(net.layers, start=1):
        grad = frobenius_norm(grads[l])  # type: ignore[arg-type]
        weight = frobenius_norm(layer.W)
        norms = delta_norms[l]
        # ‖δ_l‖ of all rows, from each chunk's
        delta = norms[0] if len(norms) == 1 else frobenius_norm(np.array(norms))
        saturated = dead = None
        saturated_units: list[int] = []
        dead_units: list[int] = []
        if saturating[l - 1]:
            saturated_units = [int(j) + 1 for j in np.flatnonzero(flat_counts[l] > m / 2)]
            saturated = len(saturated_units) / layer.n_out
        if layer.activation.name == "relu":
            dead_units = [int(j) + 1 for j in np.flatnonzero(all_dead[l])]
            dead = len(dead_units) / layer.n_out
        figures.append(
            LayerFigures(
                l,
                layer.activation.name,
                grad,
                weight,
                grad / weight if weight else (math.inf if grad else 0.0),
                delta / math.sqrt(m),
                saturated,
                dead,
                _identical(layer, net.layers[l] if l < len(net.layers) else None),
                saturated_units,
                dead_units,
            )
        )
    return figures


def learning_rate_finding(losses: Sequence[float]) -> Finding | None:
    """``learning_rate`` when the last epochs' loss rose or oscillated.

    Over the last :data:`WINDOW` epochs (at least 4): rising when the loss ends more
    than 5 % above where the window started and the mean of its last three epochs is
    more than 5 % above that of its first three (one noisy epoch at either end is no
    rise), or so from the window's lowest loss on, where at least 4 epochs follow it
    and three quarters of their steps go up (a fall, then a steady rise back);
    overshooting when it ends more than 1.5 times above the window's best, by
    over a quarter of the window's largest loss (mini-batch noise on a falling loss
    ends near its best). Either by more than 1 % of the first epoch's loss: the noise of
    a loss that has fallen near 0 (0.0002 → 0.0004) is no rise worth a finding.
    """
    try:
        window = [float(v) for v in losses[-WINDOW:]]
        floor = 0.01 * abs(float(losses[0])) if len(losses) else 0.0
    except (TypeError, ValueError):
        raise ArgumentError("losses: expected the training loss of each epoch") from None
    if len(window) < 4 or not all(math.isfinite(v) for v in window):
        return None
    # the whole window, or its epochs from its lowest loss on where they rise steadily
    # (a fall, then a rise back to where the window began: 1 → 0.7 → 1)
    low = int(np.argmin(window))
    since = window[low:]
    rises = np.count_nonzero(np.diff(since) > 0) >= 3 / 4 * (len(since) - 1)
    # (from the low first: 1 → 0.1 → 0.6 is a rise from 0.1, not from 1)
    for part in ([since] if len(since) >= 5 and rises else []) + [window]:
        ends = np.mean(part[:3]), np.mean(part[-3:])
        rose = part[-1] - part[0] > floor
        if rose and part[-1] > 1.05 * part[0] and ends[1] > 1.05 * ends[0]:
            return Finding(
                "learning_rate",
                None,
                f"the training loss rose over the last {len(part)} epochs "
                f"({part[0]:.4g} → {part[-1]:.4g}): the learning rate is likely too large",
            )
    steps = np.diff(window)
    turns = int(np.count_nonzero(np.sign(steps[1:]) * np.sign(steps[:-1]) < 0))
    best = min(window)
    above = window[-1] - best
    if window[-1] > 1.5 * best and above > 0.25 * max(window) and above > floor:
        return Finding(
            "learning_rate",
            None,
            f"the training loss went up and down {turns} times in the last "
            f"{len(window)} epochs and ended at {window[-1]:.4g}, far above its "
            f"best {min(window):.4g}: the steps overshoot; lower the learning rate",
        )
    # swinging: most steps turn, and the typical step is over half the typical loss
    # (mini-batch noise on a falling or settled loss moves it by a few per cent)
    swing = float(np.median(np.abs(steps)))
    if turns >= (len(steps) - 1) / 2 and swing > 0.5 * float(np.median(window)) and swing > floor:
        return Finding(
            "learning_rate",
            None,
            f"the training loss went up and down {turns} times in the last {len(window)} "
            f"epochs, by {swing:.4g} a step (between {best:.4g} and {max(window):.4g}): the "
            "steps overshoot; lower the learning rate",
        )
    return None


def diagnose(
    network: Network, X: np.ndarray, Y: np.ndarray, losses: Sequence[float] | None = None
) -> Diagnosis:
    """Measure ``network`` on (X, Y) and say what keeps it from learning.

    Parameters
    ----------
    network : Network
    X, Y : arrays
        A batch of the data (Y as for :meth:`Network.fit`: rows or class indices).
    losses : sequence of float, optional
        The training loss per epoch (``History["loss"]``), for the learning_rate finding.

    Returns
    -------
    Diagnosis
    """
    figures = measure(network, X, Y)
    findings: list[Finding] = []
    first, last = figures[0].grad_norm, figures[-1].grad_norm
    # no gradient at the last layer (its inputs all 0, say), or one that overflowed: the
    # ratio says nothing (an overflow is said below)
    ratio = first / last if 0 < last < math.inf and math.isfinite(first) else math.nan
    if len(figures) > 1 and ratio < VANISHING:
        if ratio == 0 and any(f.identical_units for f in figures):
            # not a product of small factors: alike units' δ cancel (all W one value)
            message = (
                "the first layer's gradient is exactly 0: units that start alike (see "
                "symmetry) get the same gradient and stay alike, and the δ of alike output "
                "units cancel in the layers below; draw the weights at random (an "
                "initialiser, a seed), not one value for all"
            )
        else:
            squashing = {"sigmoid", "tanh"} & {f.activation for f in figures[:-1]}
            why = (
                "with sigmoid or tanh f' ≤ 0.25 or 1 shrinks it layer by layer; try relu "
                "with he_uniform init"
                if squashing
                else "small weights or relu units dead on most examples shrink it layer by "
                "layer; try he_uniform init, and see dead_units"
            )
            message = (
                f"the first layer's gradient is {ratio:.2g} of the last layer's (below "
                f"{VANISHING:g}): each layer multiplies δ by f'(z) and Wᵀ, and {why}"
            )
        findings.append(Finding("vanishing_gradient", 1, message))
    broken = [f.index for f in figures if not math.isfinite(f.weight_norm)]
    overflowed = [f.index for f in figures if not math.isfinite(f.grad_norm)]
    if broken:  # not too large: not numbers (a run that diverged, weights set by hand)
        findings.append(
            Finding(
                "exploding_gradient",
                broken[0],
                f"the weights of layer{'s' if len(broken) > 1 else ''} {_units(broken)} hold "
                "NaN or infinity (a training that diverged wrote them): start again from "
                "fresh weights with a smaller learning rate, or gradient clipping",
            )
        )
    elif overflowed:
        findings.append(
            Finding(
                "exploding_gradient",
                overflowed[0],
                (
                    f"the gradients of layers {_units(overflowed)} are not finite"
                    if len(overflowed) > 1
                    else f"the gradient of layer {overflowed[0]} is not finite"
                )
                + " (it overflowed): the weights are far too large; use a smaller "
                "initialisation, a smaller learning rate or gradient clipping",
            )
        )
    if len(figures) > 1 and ratio > EXPLODING:
        findings.append(
            Finding(
                "exploding_gradient",
                1,
                f"the first layer's gradient is {ratio:.2g} times the last layer's (above "
                f"{EXPLODING:g}): the weights are too large for the depth; use a smaller "
                "initialisation, a smaller learning rate or gradient clipping",
            )
        )
    # every layer's gradient huge (weights too large at every layer alike: a_l grows as
    # δ_l shrinks, and first / last stays near 1): each against its own weights
    # (the gradient large itself: over tiny weights, a near-0 output layer, the ratio is
    # large with a gradient of 0.1, and such a network learns)
    steep = [
        f
        for f in figures
        if math.isfinite(f.ratio)
        and f.ratio > STEP
        and math.isfinite(f.grad_norm)
        and f.grad_norm > STEP
    ]
    if steep and "exploding_gradient" not in {f.id for f in findings}:
        f = steep[0]
        also = f"; layers {_units([s.index for s in steep])}" if len(steep) > 1 else ""
        findings.append(
            Finding(
                "exploding_gradient",
                f.index,
                f"layer {f.index}'s gradient is {f.grad_norm:.3g}, {_times(f.ratio)} its weights "
                f"(‖∂L/∂W‖ and ‖∂L/∂W‖ / ‖W‖ both above {STEP:g}{also}): one step of plain "
                "gradient descent with η = 0.01 would move them by more than their size; the "
                "weights, inputs or targets are too large — use a smaller initialisation, "
                "scale the inputs and targets, or gradient clipping",
            )
        )
    for f in figures:
        if f.saturated_fraction is not None and f.saturated_fraction > SATURATION_FRACTION:
            findings.append(
                Finding(
                    "saturation",
                    f.index,
                    f"layer {f.index}: {f.saturated_fraction:.0%} of its {f.activation} units are "
                    f"saturated (f'(z) < {SATURATED_DERIVATIVE:g} on most examples: units "
                    f"{_units(f.saturated_units)}); they pass almost no gradient — scale the "
                    "inputs, or start from smaller weights",
                )
            )
        if f.dead_fraction is not None and f.dead_fraction >= DEAD_FRACTION:
            findings.append(
                Finding(
                    "dead_units",
                    f.index,
                    f"layer {f.index}: {len(f.dead_units)} relu unit(s) inactive (z ≤ 0) on "
                    f"every example (units {_units(f.dead_units)}): relu'(z) = 0 there, so they "
                    "never learn again — a negative bias, weights against inputs of one sign "
                    "(inputs in [0, 1] leave a unit whose weights are all ≤ 0 dead: centre "
                    "them, e.g. --scale standard), or a too large step that pushed them there "
                    "(a smaller learning rate); leaky_relu or elu keep a gradient",
                )
            )
        for group in f.identical_units:
            findings.append(
                Finding(
                    "symmetry",
                    f.index,
                    f"layer {f.index}: units {_units(group)} have identical incoming weights "
                    "and bias and identical outgoing weights, so they get identical gradients "
                    "and stay identical for ever — initialise the weights at random",
                )
            )
    if losses is not None:
        # stuck at a constant's loss beside another finding: that one is the cause (dead
        # units, a vanishing gradient), and "raise the learning rate" would mislead
        finding = learning_rate_finding(losses) or constant_finding(
            network, X, Y, losses, stuck=not findings
        )
        if finding is not None:
            findings.append(finding)
    return Diagnosis(figures, findings, ratio)


def constant_loss(network: Network, Y: np.ndarray) -> float:
    r"""The loss of the constant output ȳ, the targets' mean, on the targets ``Y``.

    .. math:: L_{\bar y} = \frac{1}{m} \sum_k \ell(\bar y, y^{(k)}),\qquad
              \bar y = \frac{1}{m} \sum_k y^{(k)}

    The best constant of the squared errors and of the cross-entropies (for a classifier,
    the class frequencies): a network that learned anything from its inputs is below it.
    """
    Y = network.targets(Y).astype(np.float64)
    mean = np.broadcast_to(Y.mean(axis=0), Y.shape)
    with np.errstate(all="ignore"):
        return float(np.mean(network.loss.value(mean, Y)))


def constant_finding(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    losses: Sequence[float],
    stuck: bool = True,
) -> Finding | None:
    """``learning_rate`` when a trained network does far worse than a constant output.

    Its loss on (X, Y) as it is (no dropout, no L2 penalty) and its training loss at
    the last epoch of ``losses`` both over :data:`ABOVE_CONSTANT` times
    :func:`constant_loss` on Y: it did not fit its own training data either, so the
    gap is not data unlike it (another data set, a skewed sample, overfitting), and
    the margin is no mere generalisation gap. The advice follows ``losses``: a loss
    that rose is steps too large; one that moved by 5 % at most, steps too small; one
    that fell from a first epoch far above the rest (over :data:`ABOVE_CONSTANT` times
    their lowest), steps too large; one that fell otherwise, too slowly; a single
    epoch, either (its figures said).

    With ``stuck``, also a loss above :data:`AT_CONSTANT` times the constant's (trained
    and now) where the training loss moved by 5 % at most over its last
    :data:`WINDOW` epochs: stuck at a constant output
    (:func:`diagnose` asks it only where no other finding explains that).
    """
    try:
        history = [float(v) for v in losses]
    except (TypeError, ValueError):
        return None
    if not history or not all(math.isfinite(v) for v in history):
        return None
    Y_rows = network.targets(Y).astype(np.float64)  # (rows stay as they are in constant_loss)
    if not len(Y_rows):
        return None
    constant = constant_loss(network, Y_rows)
    # targets all (or all but for rounding) the same: a constant fits them, and its
    # loss of ~1e-33 is no yardstick
    scale = float(np.mean(Y_rows**2)) or 1.0
    if not (math.isfinite(constant) and constant > 1e-12 * scale):
        return None
    bar = ABOVE_CONSTANT * constant
    first, last = history[0], history[-1]
    # at the constant's loss and not off it over the last epochs: stuck (ln 2 on
    # balanced classes, say, reached in the first epochs: the priors, learned)
    recent = history[-WINDOW:]
    stuck = stuck and len(recent) > 1 and abs(recent[-1] - recent[0]) <= MOVED * recent[0]
    if last <= (AT_CONSTANT * constant if stuck else bar):
        return None
    try:  # (in chunks, as the figures)
        now = network.evaluate(X, Y)["loss"]
    except ArgumentError:  # an output that is not a number: the figures say it
        return None
    if not (math.isfinite(now) and now > (AT_CONSTANT * constant if stuck else bar)):
        return None
    top = max(history)
    if len(history) > 1 and top > (1 + MOVED) * first:
        why = (
            f"its training loss rose from {first:.4g} to {top:.4g} (epoch "
            f"{history.index(top) + 1}): steps too large; lower the learning rate"
        )
    elif len(history) > 1 and abs(last - first) <= MOVED * first:
        why = (
            f"its training loss barely moved ({first:.4g} → {last:.4g}): the steps are too "
            "small; raise the learning rate, or scale the inputs and targets"
        )
    elif len(history) > 1 and first > ABOVE_CONSTANT * min(history[1:]):
        why = (
            f"its training loss went {first:.4g} → {last:.4g} in {len(history)} epochs, the "
            "first far above the rest: steps that threw the weights off; lower the learning "
            "rate"
        )
    elif len(history) > 1:
        why = (
            f"its training loss went {first:.4g} → {last:.4g} in {len(history)} epochs: too "
            "slowly; raise the learning rate or train longer, and scale the inputs and targets"
        )
    else:
        why = (
            f"its training loss went {first:.4g} → {last:.4g} in 1 epoch: lower the learning "
            "rate if the loss rises over more epochs, else raise it or train longer; scale "
            "the inputs and targets"
        )
    mean = "the class frequencies" if network.is_classifier else "the targets' mean"
    than = f"{_times(now / constant)}" if now > bar else "no better than"
    if now <= bar:  # (noise for targets, or inputs that say nothing of them, stay here too)
        why += (  # …or a model that cannot fit them: xor without a hidden layer
            " — or the network cannot represent the targets: without a hidden layer it "
            "separates the classes by a line (a plane); add one"
            if len(network.layers) == 1
            else " — if the inputs tell anything of the targets and the network can represent "
            "them (enough units, biases)"
        )
    return Finding(
        "learning_rate",
        None,
        f"the loss on these examples is {now:.4g}, {than} {constant:.4g}, that "
        f"of always predicting {mean}: the network learned nothing from its inputs; {why}",
    )


def _times(ratio: float) -> str:
    """``ratio`` as a factor: 2.2×, 31×, 3,210×."""
    if ratio >= 1e6:
        return "over a million times"
    return f"{ratio:.2g}×" if ratio < 10 else f"{ratio:,.0f}×"


def _units(units: Sequence[int], limit: int = 12) -> str:
    shown = ", ".join(str(u) for u in units[:limit])
    return shown + (f", … ({len(units)} in all)" if len(units) > limit else "")


class DiagnosticsCallback(Callback):
    """Record :func:`measure`'s figures after every epoch, on a fixed batch.

    Parameters
    ----------
    X, Y : arrays
        The batch to measure on (e.g. a sample of the training data).

    Attributes
    ----------
    records : list of dict
        One per epoch: ``{"epoch": int, "layers": [LayerFigures.to_dict(), ...]}``.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.X, self.Y = X, Y
        self.records: list[dict[str, Any]] = []

    def on_train_begin(self, state: TrainingState) -> None:
        """Check the batch against the network before any epoch is trained."""
        measure(state.network, self.X, self.Y)

    def on_epoch_end(self, state: TrainingState, epoch: int, logs: dict[str, float]) -> None:
        """Measure the network as it is after this epoch."""
        figures = measure(state.network, self.X, self.Y)
        self.records.append({"epoch": epoch, "layers": [f.to_dict() for f in figures]})
