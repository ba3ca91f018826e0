r"""Check the engine's gradients against finite differences of the batch loss.

For every weight and bias θ the analytic ∂L/∂θ of the backward pass is
compared with the five-point central difference

.. math:: \frac{\partial L}{\partial\theta} \approx
          \frac{-L(\theta+2h) + 8L(\theta+h) - 8L(\theta-h) + L(\theta-2h)}{12h},

whose error is O(h⁴), with h = 10⁻³·max(1, |θ|) and then h/4, h/16, … while the
estimate still changes: where θ multiplies a large input (x = 200, say), L bends
faster than |θ| says and h = 10⁻³ leaves an error of 10⁻³.  The refinement stops once
two steps agree to within the round-off of the smaller one, which grows as h shrinks.

Each estimate comes with a bound on its own error: its round-off plus its truncation.
One evaluation of L rounds by ~ε_mach·S, where S is the size of the numbers L is
computed from, not |L| alone: the mean over the batch of the largest of |ℓ|, |z_L|,
|a_L| and |y| of each example, and at least 1 (a confident softmax has ℓ =
logsumexp(z) − z_y ≈ 2·10⁻⁷ from logits of 15.5, which rounds by ~ε_mach·15.5, not
ε_mach·|L| ≈ 4·10⁻²³), so the estimate at step h carries up to
~4 ε_mach Σ|w_k|·max(|L_k|, S) / 12h of round-off (1.3·10⁻¹²·S at h = 10⁻³).  Its
truncation is measured by the refinement: its change to the next smaller step's
estimate, whose truncation is 256 times less.  The estimate kept is the one with the
least bound.  S looks at the output layer only: round-off in a hidden layer reaches L
through derivatives that the check does not estimate.

The relative error of an entry is |g − n| / max(|g|, |n|, ε) with
ε = max(10⁻⁶·max(1, |L|), 2·bound / tolerance): a large gradient is judged
relatively, and one that the estimate cannot tell from 0 against the estimate's own
accuracy, so that a right gradient, within the bound of n, passes with an error of at
most tolerance / 2.  At the minimum of a well-fit network (a gradient of 2·10⁻¹⁷, an
estimate of 2.5·10⁻¹² at h = 10⁻³, nearly all truncation, which the step to h/4
measures: a bound of 3.9·10⁻¹²) that is 3.3·10⁻⁷.  A derivative 0.1 % wrong still
shows on that confident softmax: its gradient of 1.9·10⁻⁷ is 1.9·10⁻¹⁰ off, against
a bound of 2.1·10⁻¹¹ an error of 4.5·10⁻⁶.

Four backward paths are checked, the worst error counting: the fused one (δ_L =
a − y on softmax + cross_entropy and sigmoid + binary_cross_entropy), the general
one (through each activation's VJP; on such a pair not where the output saturated:
a rounded to 0 or 1 makes ∂ℓ/∂a huge and f′ 0, and their product loses δ, which is
why training and explanations take a − y there — the result says so), the one an
explanation writes out,
δ = ∂ℓ/∂a ⊙ f'(z) from each activation's derivative — so a custom activation's
derivative is checked even where it also gives a VJP — and the training loop's
own: a forward and backward pass in place in a :class:`~glassnet.network.Workspace`,
as ``fit`` runs it, through each activation's in-place ``forward_into`` and
``vjp_into`` where it has them, so that gradcheck passes only if what trains is the
function the others differentiate.

At a kink (relu and leaky_relu at z = 0, where f' jumps; elu at 0, where f''
jumps and the five-point formula loses its accuracy) a finite difference across
it means nothing: an entry whose perturbations move any z of such a layer
across it is estimated again with steps 16, 256 and 4096 times smaller, and where
those cross it too (a z on the kink, or within the smallest step's reach of it, about
5·10⁻⁷·max(1, |θ|)·|x|) skipped and counted as skipped. A network of which no entry could be
checked does not pass.

An entry whose analytic gradient or estimate is NaN has an infinite error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np

from glassnet.errors import ArgumentError, real_number
from glassnet.losses import BUILT_IN_LOSSES, LOSSES
from glassnet.network import Network

FORMAT = "glassnet.gradcheck/1"
TOLERANCE = 1e-6
# the finest tolerance: float64's differences reach ~1e-11, and below this the absolute
# comparison of small gradients (÷ bound / tolerance) would shrink every error shown
MIN_TOLERANCE = 1e-10
STENCIL = ((2.0, -1.0), (1.0, 8.0), (-1.0, -8.0), (-2.0, 1.0))  # (multiple of h, weight)
REFINEMENTS = 5  # steps h/4, h/16, …, h/1024 at most
KINK_RETRIES = 3  # a first step across a kink: h/16, h/256, h/4096 tried before skipping
EPS = float(np.finfo(np.float64).eps)
FLOOR = 1e-6  # gradients below FLOOR·max(1, |L|) are compared absolutely
BOUND_MARGIN = 2.0  # …as are those below BOUND_MARGIN · the estimate's error bound / tolerance


@dataclass
class LayerCheck:
    """The result for one layer.

    Attributes
    ----------
    index : int
    activation : str
    worst : float
        The largest relative error over W and b (0 when every entry was skipped).
    where : str
        The entry with that error, e.g. ``"W[2,1]"`` (1-based).
    analytic, numeric : float
        The two values at that entry.
    checked, skipped : int
        Entries compared, and entries skipped at a kink.
    kink : float or None
        Where the activation's kink is (0 for relu), if it has one.
    """

    index: int
    activation: str
    kink: float | None = None
    worst: float = 0.0
    where: str = ""
    analytic: float = 0.0
    numeric: float = 0.0
    checked: int = 0
    skipped: int = 0


@dataclass
class GradcheckResult:
    """Per-layer results and whether every error is below the tolerance.

    ``notes``: what was not compared, and why (the general path where the output
    saturated), as lines for the report.
    """

    layers: list[LayerCheck] = field(default_factory=list)
    tolerance: float = TOLERANCE
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when some entry was checked and every layer's worst error is below the tolerance."""
        return any(layer.checked for layer in self.layers) and all(
            layer.worst < self.tolerance for layer in self.layers
        )

    @property
    def worst(self) -> float:
        """The largest error over all layers."""
        return max((layer.worst for layer in self.layers), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        """The ``glassnet.gradcheck/1`` document (``--format json``).

        ``{"format", "tolerance", "passed", "layers": [{"index", "activation", "worst",
        "where", "analytic", "numeric", "checked", "skipped"}, …], "notes"}``; a layer
        with no entry checked has ``where`` null (and worst 0), an infinite or NaN
        number is written as JSON writes none (see :func:`glassnet.render.json.json_text`).
        """
        layers = [
            {
                "index": c.index,
                "activation": c.activation,
                "worst": c.worst,
                "where": c.where if c.checked else None,
                "analytic": c.analytic if c.checked else None,
                "numeric": c.numeric if c.checked else None,
                "checked": c.checked,
                "skipped": c.skipped,
            }
            for c in self.layers
        ]
        return {
            "format": FORMAT,
            "tolerance": self.tolerance,
            "passed": self.passed,
            "layers": layers,
            "notes": list(self.notes),
        }


def _kink_pattern(network: Network, fp: Any) -> list[np.ndarray]:
    """Which side of each kink every z of the forward pass ``fp`` lies on."""
    return [
        fp.z[l] > layer.activation.kink  # type: ignore[operator]
        for l, layer in enumerate(network.layers, start=1)
        if layer.activation.kink is not None
    ]


def _loss_and_kinks(network: Network, X: np.ndarray, Y: np.ndarray) -> tuple[float, list[Any]]:
    """L, as :meth:`Network.loss_value` computes it, and the kink pattern, of one forward pass.

    A second pass for the pattern alone made each stencil point cost two (a third of
    gradcheck's time on a 64-32-10 relu network). ``Y`` must be checked targets of the
    network's dtype (:func:`numeric_gradient` checks them once, not at every point).
    """
    fp = network.forward(X)
    return float(network._example_losses(fp, Y).mean()), _kink_pattern(network, fp)


def loss_scale(network: Network, fp: Any, Y: np.ndarray) -> float:
    """S, the size of the numbers the batch loss is computed from: L rounds by ~ε·S.

    The mean over the batch of the largest of |ℓ|, |z_L|, |a_L| and |y| of each
    example, and at least 1: ℓ = logsumexp(z) − z_y of a confident softmax is
    2·10⁻⁷ from logits of 15.5, and rounds as a difference of numbers of 15.5 does.
    """
    outputs = [q for q in (fp.z[-1], fp.a[-1], np.asarray(Y, dtype=np.float64)) if q is not None]
    with np.errstate(over="ignore", invalid="ignore"):
        sizes = np.max([np.abs(q).max(axis=-1) for q in outputs], axis=0)
        S = float(np.maximum(np.abs(network.example_losses(fp, Y)), sizes).mean())
    return max(1.0, S) if np.isfinite(S) else 1.0  # gradcheck refuses an infinite L


class NumericGradient(NamedTuple):
    """A finite-difference estimate of one ∂L/∂θ.

    Attributes
    ----------
    value : float
        The five-point estimate kept.
    smooth : bool
        Whether every perturbation kept each z on its side of any kink.
    error : float
        A bound on the estimate's own error: the round-off of its difference
        quotient, ~4 ε Σ|w_k|·max(|L_k|, S) / 12h, plus its truncation as the
        refinement measured it, its change to the next smaller step.
    """

    value: float
    smooth: bool
    error: float


def numeric_gradient(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    param: np.ndarray,
    index: tuple[int, ...],
    base: list[np.ndarray] | None = None,
    scale: float | None = None,
    tolerance: float = TOLERANCE,
) -> NumericGradient:
    """The five-point central difference of L at one entry of ``param`` (restored after).

    Parameters
    ----------
    network : Network
    X, Y : ndarray
        The batch.
    param : ndarray
        A parameter array of ``network`` (W or b of one layer), perturbed in place.
    index : tuple of int
        The entry of ``param`` to differentiate by.
    base : list of ndarray, optional
        Which side of each kink every z lies on, unperturbed; computed when omitted
        (``gradcheck`` passes it so it is computed once, not once per entry).
    scale : float, optional
        S, the size of the numbers L is computed from (see :func:`loss_scale`), whose
        round-off ~ε·S tells when two steps agree; computed when omitted.
    tolerance : float
        The check's: the refinement stops once the estimate settles far below it.

    Returns
    -------
    NumericGradient
        The estimate, whether it kept clear of kinks, and a bound on its error.
    """
    if not len(X):  # a mean over no examples: 0/0
        raise ArgumentError("X: no examples (the loss is a mean over them)")
    Y = network._batch_targets(Y, (len(X), network.sizes[-1]))  # once, for every point
    if base is None or scale is None:  # one unperturbed pass serves both
        fp = network.forward(X)
        base = _kink_pattern(network, fp) if base is None else base
        scale = loss_scale(network, fp, Y) if scale is None else scale
    original = float(param[index])
    smooth = True

    def estimate(h: float) -> tuple[float, float]:
        """The five-point estimate at step h, and its round-off: ~4 ε Σ|w_k| S_k / 12h."""
        nonlocal smooth
        total = size = 0.0
        for multiple, weight in STENCIL:
            param[index] = original + multiple * h
            loss, pattern = _loss_and_kinks(network, X, Y)
            # each L_k rounds by ~ε·S, however small L_k: ln(1 + 2·10⁻⁷) from z of 15
            total, size = total + weight * loss, size + abs(weight) * max(abs(loss), scale)
            if base:
                smooth &= all(np.array_equal(b, p) for b, p in zip(base, pattern, strict=True))
        return total / (12.0 * h), 4.0 * EPS * size / (12.0 * h)

    h = 1e-3 * max(1.0, abs(original))
    try:
        steps = [estimate(h)]  # (estimate, round-off) at h, h/4, h/16, …
        # a step across a kink (some z within reach of 2h of it): smaller ones may keep to its
        # side, and the entry is checked after all (it was skipped)
        for _ in range(KINK_RETRIES):
            if smooth:
                break
            smooth, h = True, h / 16.0
            steps = [estimate(h)]
        for _ in range(REFINEMENTS if smooth else 0):  # h/4: 256 times less truncation
            h /= 4.0
            steps.append(estimate(h))
            (previous, _), (current, noise) = steps[-2:]
            change = abs(current - previous)
            # agreed to within the smaller step's round-off, or settled far below the
            # tolerance: smaller steps only add round-off
            if change <= noise or change <= 1e-3 * tolerance * abs(current):
                break
    finally:
        param[index] = original
    if not smooth:  # one estimate across the kink: no error to bound, skipped
        return NumericGradient(float(steps[0][0]), False, math.inf)
    values, noises = np.array(steps).T
    changes = np.abs(np.diff(values))
    # an estimate's truncation is about its change to the next smaller step's; the last's,
    # with none after it, its change from the step before times the ratio by which the
    # last two changes shrank (1/256 once the h⁴ term rules; at most 1)
    shrink = min(1.0, changes[-1] / changes[-2]) if len(changes) > 1 and changes[-2] else 1.0
    errors = noises + np.append(changes, shrink * changes[-1])
    best = int(np.argmin(np.where(np.isnan(errors), np.inf, errors)))  # the least error bound
    return NumericGradient(float(values[best]), smooth, float(errors[best]))


def gradcheck(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    tolerance: float = TOLERANCE,
    weights_layout: str = "in_out",
) -> GradcheckResult:
    """Compare every analytic gradient of ``network`` on (X, Y) with finite differences.

    The network is evaluated in float64 (a float32 network is checked through a
    float64 copy) and is left unchanged.

    Parameters
    ----------
    network : Network
    X : ndarray, shape (m, n_0)
    Y : ndarray, shape (m, n_L)
    tolerance : float
        An error below this passes; at least 1e-10 (:data:`MIN_TOLERANCE`).
    weights_layout : {"in_out", "out_in"}
        How the entries are named: W[i,j] joins input i to unit j (in_out, the
        network's own), or unit i to input j (out_in: a spec written W x).

    Returns
    -------
    GradcheckResult

    Raises
    ------
    ArgumentError
        Where the loss at the network's weights, or a layer's z or a, is not finite, or
        the tolerance is below :data:`MIN_TOLERANCE`.
    """
    tolerance = real_number("tolerance", tolerance, 0.0, strict=True)
    if tolerance < MIN_TOLERANCE:
        raise ArgumentError(
            f"tolerance: expected at least {MIN_TOLERANCE:g} (float64's finite differences "
            f"are exact to ~1e-11), found {tolerance:g}"
        )
    net = network.copy().astype("float64")
    X, Y = net.example_rows(X, Y)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fp = net.forward(X)
        loss = float(net.example_losses(fp, Y).mean())
    if not np.isfinite(loss):  # no difference of infinities estimates a gradient
        raise ArgumentError(
            f"the loss at the network's weights is {loss} (its numbers overflow float64): "
            "there are no finite gradients to check"
        )
    for l in range(1, len(fp.a)):
        for key, values in (("z", fp.z[l]), ("a", fp.a[l])):
            if not np.isfinite(values).all():  # a finite loss past it (σ(∞) = 1): the
                # differences through it are 0, the gradients too, and "ok" says nothing
                bad = values[~np.isfinite(values)].flat[0]
                raise ArgumentError(
                    f"layer {l}'s {key} holds {bad} (the forward pass overflows float64): "
                    "there are no finite gradients to check through it"
                )
    lost = _lost_rows(net, fp.a[-1], Y)
    fused = net.backward(fp, Y, fused=True)
    paths = [fused, _explained(net, fp, Y, lost), _trained(net, X, Y)]
    result = GradcheckResult(tolerance=tolerance)
    if lost:  # 0 · ∞ there: the VJPs' path is left out; f′'s takes a − y on those rows
        examples = ", ".join(str(k + 1) for k in lost)
        result.notes.append(
            f"the output saturated (a rounded to 0 or 1) on example{'s' if len(lost) > 1 else ''} "
            f"{examples}: there ∂ℓ/∂a ⊙ f′(z) loses δ (a huge number times 0), so the path "
            "through the activations' VJPs was not compared, and the one through f′ took "
            "the exact δ = a − y there, as training and explanations do"
        )
    else:
        paths.insert(1, net.backward(fp, Y, fused=False))
    loss_note = _loss_gradient_note(net, fp.a[-1], Y, tolerance)
    if loss_note:
        result.notes.append(loss_note)
    scale = loss_scale(net, fp, Y)
    floor = FLOOR * max(1.0, abs(loss))
    w_x = weights_layout == "out_in"

    base = _kink_pattern(net, fp)
    for l, layer in enumerate(net.layers, start=1):
        check = LayerCheck(l, layer.activation.name, layer.activation.kink)
        for name, param, grads in (
            ("W", layer.W, [bp.grad_W[l] for bp in paths]),
            ("b", layer.b, [bp.grad_b[l] for bp in paths]),
        ):
            for index in np.ndindex(param.shape):
                numeric, smooth, bound = numeric_gradient(
                    net, X, Y, param, index, base, scale, tolerance
                )
                if not smooth:
                    check.skipped += 1
                    continue
                check.checked += 1
                # a gradient that the estimate cannot tell from 0 is compared absolutely,
                # to its error bound: within it, the relative error is at most tolerance / 2
                denominator = max(floor, BOUND_MARGIN * bound / tolerance)
                for grad in grads:
                    analytic = float(grad[index])  # type: ignore[index]
                    error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), denominator)
                    if not error < math.inf:  # NaN compares false: it would pass unseen
                        error = math.inf
                    if error > check.worst or not check.where:
                        check.worst = error
                        named = index[::-1] if w_x and name == "W" else index  # as written
                        check.where = f"{name}[{','.join(str(i + 1) for i in named)}]"
                        check.analytic, check.numeric = analytic, numeric
        result.layers.append(check)
    return result


def _loss_gradient_note(net: Network, a: np.ndarray, Y: np.ndarray, tolerance: float) -> str:
    """Where a registered loss's gradient(a, y) is not the slope of its value(a, y): said.

    The layers' errors then all come from it, and name only activations. Central
    differences of each example's ℓ in a_ij, a column of a at a time (ℓ_i depends on row
    i alone), at h = 1e-5 · max(1, |a_ij|) and h/10, extrapolated (Richardson); compared
    to max(tolerance, 1e-7), a difference within their rounding error
    (10 eps · |ℓ| / h) counting as none. An entry is left out where a ± h leaves the
    loss's domain (a value not finite) or at a kink (the slopes either side disagree,
    and do as much at h/10).
    glassnet's own losses are tested so and not checked here.
    """
    loss = net.loss
    if loss.name in BUILT_IN_LOSSES and LOSSES.get(loss.name) is loss:
        return ""
    tol = max(tolerance, 1e-7)
    with np.errstate(all="ignore"):
        grad = np.asarray(loss.gradient(a, Y), dtype=np.float64)
        here = np.asarray(loss.value(a, Y), dtype=np.float64)
        for j in range(a.shape[1]):
            h = 1e-5 * np.maximum(1.0, np.abs(a[:, j]))
            ups, downs = a.copy(), a.copy()
            ups[:, j] += h
            downs[:, j] -= h
            up = np.asarray(loss.value(ups, Y), dtype=np.float64)
            down = np.asarray(loss.value(downs, Y), dtype=np.float64)
            ups[:, j], downs[:, j] = a[:, j] + h / 10, a[:, j] - h / 10
            up_10 = np.asarray(loss.value(ups, Y), dtype=np.float64)
            down_10 = np.asarray(loss.value(downs, Y), dtype=np.float64)
            # Richardson's extrapolation of the central differences at h and h/10: their
            # h² error cancels (−ln a at a = 0.001 is curved enough to show it at 1e-7)
            slope = (100 * (up_10 - down_10) / (h / 5) - (up - down) / (2 * h)) / 99
            rounding = 10 * EPS * (np.abs(up_10) + np.abs(down_10) + np.abs(here)) / h
            # a kink: the one-sided slopes stay apart at h/10, where a curve's come 10
            # times closer
            apart = np.abs((up - here) - (here - down)) / h
            apart_10 = np.abs((up_10 - here) - (here - down_10)) / (h / 10)
            smooth = (apart <= 1e-3 * np.maximum(1.0, np.abs(slope)) + 4 * rounding) | (
                apart_10 <= 0.5 * apart + 4 * rounding
            )
            g = grad[:, j]
            scale = np.maximum(np.maximum(np.abs(g), np.abs(slope)), 2 * rounding / tol)
            error = np.abs(g - slope) / np.maximum(scale, FLOOR * np.maximum(1.0, np.abs(here)))
            finite = np.isfinite(up) & np.isfinite(down) & np.isfinite(up_10) & np.isfinite(down_10)
            wrong = finite & smooth & ~(error < tol)
            if wrong.any():
                i = int(np.argmax(wrong))
                return (
                    f"the loss {loss.name!r}: its gradient(a, y) gives ∂ℓ/∂a[{i + 1},{j + 1}] = "
                    f"{g[i]:.6g} where the slope of its value(a, y) is {slope[i]:.6g}: the "
                    "layers' errors come from it (fix the loss's gradient first)"
                )
    return ""


def _lost_rows(net: Network, a: np.ndarray, Y: np.ndarray) -> list[int]:
    """The examples (from 0) whose output δ the general path loses on a fused pair.

    Those with an output a rounded to 0 or 1 away from its target: there ∂ℓ/∂a ⊙ f′(z)
    is a huge number times 0 (see :meth:`Network._saturated_delta`). Told from a, not
    from the general δ's disagreement with a − y, which a wrong derivative makes too.
    """
    if net._fused() is None:
        return []
    rounded = ((a == 0) | (a == 1)) & (a != Y)
    return [int(k) for k in np.flatnonzero(rounded.any(axis=1))]


def _explained(net: Network, fp: Any, Y: np.ndarray, lost: list[int]) -> Any:
    r"""The gradients as an explanation writes them, from each activation's f′(z).

    The backward pass computes δ through each activation's VJP; an explanation shows
    f′(z) (the Jacobian for softmax) and δ = ∂ℓ/∂a ⊙ f′(z). A custom activation may
    give both, so this third path checks the derivative too (on the rows ``lost``,
    where a rounded to 0 or 1 makes it lose δ, the output's δ is the fused a − y):

    .. math:: \delta_l = \frac{\partial\ell}{\partial a_l} \odot f_l'(z_l)
              \;(J_l^\top \frac{\partial\ell}{\partial a_l}),\quad
              \frac{\partial\ell}{\partial a_{l-1}} = \delta_l W_l^\top
    """
    m, L = len(Y), len(net.layers)
    grad_W: list[Any] = [None] * (L + 1)
    grad_b: list[Any] = [None] * (L + 1)
    g = net.loss.gradient(fp.a[L], Y)
    for l in range(L, 0, -1):
        layer = net.layers[l - 1]
        d = layer.activation.derivative(fp.z[l], fp.a[l])
        delta = np.einsum("mij,mi->mj", d, g) if layer.activation.jacobian else g * d
        if l == L:  # exact where the factors lose δ: softmax + BCE from the logits, …
            delta, _ = net._saturated_delta(delta, g, fp.z[l], fp.a[l], Y, record=False)
            if lost:  # … a fused pair as a − y, on those rows alone (the rest checks f′)
                delta[lost] = net._fused().delta(fp.a[l][lost], Y[lost])  # type: ignore[union-attr]
        grad_W[l], grad_b[l] = fp.a[l - 1].T @ delta / m, delta.mean(axis=0)
        g = delta @ layer.W.T
    return SimpleNamespace(grad_W=grad_W, grad_b=grad_b)


def _trained(net: Network, X: np.ndarray, Y: np.ndarray) -> Any:
    """The gradients as the training loop computes them, in place in a workspace.

    The forward pass through each activation's ``forward_into`` (a hidden layer's a_l
    over z_l where its VJP reads a alone), the backward pass through ``vjp_into``, on
    the network's own fused setting, as :func:`glassnet.train.fit` runs them (the
    gradients multiplied by 1/m, not yet by η).
    """
    ws = net.workspace(len(X))
    bp = net.backward(net.forward(X, workspace=ws), Y, workspace=ws)
    # copies: the workspace's arrays are its own, overwritten by its next pass
    return SimpleNamespace(
        grad_W=[None, *(g.copy() for g in bp.grad_W[1:])],
        grad_b=[None, *(g.copy() for g in bp.grad_b[1:])],
    )


def format_result(result: GradcheckResult) -> str:
    """The result as lines of text, one per layer and a verdict."""
    lines = ["glassnet gradcheck: analytic gradients against five-point central differences"]
    for check in result.layers:
        at = f"a kink at z = {check.kink or 0:g}"  # (skipped only where there is one)
        if not check.checked:  # no error to show: say so, not "0 at -, ok"
            lines.append(
                f"layer {check.index} ({check.activation}): not checked: the steps of all "
                f"{check.skipped} entries crossed {at}"
            )
            continue
        verdict = "ok" if check.worst < result.tolerance else "FAIL"
        line = (
            f"layer {check.index} ({check.activation}): worst relative error "
            f"{check.worst:.2e} at {check.where} "
            f"(analytic {check.analytic:.10g}, numeric {check.numeric:.10g})  {verdict}"
        )
        if check.skipped:
            line += f"  [{check.skipped} entries skipped: a step crossed {at}]"
        lines.append(line)
    lines += [f"note: {note}" for note in result.notes]
    verdict = "all below" if result.passed else "NOT all below"
    unchecked = [str(check.index) for check in result.layers if not check.checked]
    if len(unchecked) == len(result.layers):
        lines.append(f"nothing checked: no error to compare with {result.tolerance:g}")
    elif unchecked:
        verdict = "all checked entries below" if result.passed else verdict
        s = "s" if len(unchecked) > 1 else ""
        lines.append(f"{verdict} {result.tolerance:g} (layer{s} {', '.join(unchecked)}: none)")
    else:
        lines.append(f"{verdict} {result.tolerance:g}")
    return "\n".join(lines) + "\n"
