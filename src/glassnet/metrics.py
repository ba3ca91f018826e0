"""Metrics of a network's outputs: accuracy for a classifier, R² for any other network.

The training loop (:mod:`glassnet.train`) reports them per epoch and
:meth:`glassnet.network.Network.evaluate` on the data it is given; both take them
from here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from glassnet.network import Network

Array = np.ndarray


def metric_name(network: Network) -> str:
    """``"accuracy"`` for a classifier, ``"r2"`` (the coefficient of determination) otherwise."""
    return "accuracy" if network.is_classifier else "r2"


def count_correct(network: Network, A: Array, Y: Array) -> float:
    """How many predictions are right (a multi-label output counts each unit)."""
    if network.output_activation.name == "softmax" and A.shape[1] > 1:
        return float(np.count_nonzero(A.argmax(axis=1) == Y.argmax(axis=1)))
    return float(np.count_nonzero((A > 0.5) == (Y > 0.5))) / A.shape[1]


def r2_score(sse: Array, sst: Array) -> float:
    r"""R² = 1 − SSE/SST per output, averaged over the outputs (as scikit-learn).

    .. math:: R^2 = 1 - \frac{\sum_k (y_k - \hat y_k)^2}{\sum_k (y_k - \bar y)^2}

    An output whose targets are constant scores 1 if predicted exactly, else 0. A NaN
    sum (of targets or outputs that are not numbers) makes R² NaN, not a score.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        per_output = np.where(
            sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), np.where(sse == 0, 1.0, 0.0)
        )
    per_output[np.isnan(sse) | np.isnan(sst)] = math.nan  # (NaN > 0 is False: it read 0)
    return float(per_output.mean())


def total_squares(Y: Array) -> Array:
    r"""SST of each output: :math:`\sum_k (y_k - \bar y)^2`, shape (n_L,); ∞ past float's range."""
    with np.errstate(over="ignore"):  # targets of 1e160: the loss says so, not a warning
        return ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)


def metric_value(network: Network, A: Array, Y: Array) -> tuple[str, float]:
    """The metric of outputs ``A`` against targets ``Y``: (name, value)."""
    if network.is_classifier:
        return "accuracy", count_correct(network, A, Y) / max(len(Y), 1)
    with np.errstate(over="ignore"):
        sse = ((Y - A) ** 2).sum(axis=0)
    return "r2", r2_score(sse, total_squares(Y))
