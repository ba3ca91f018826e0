"""A trace: every number of one training step, recorded from the engine.

:func:`explain_step` runs the forward pass, the loss, the backward pass and
one gradient-descent step through :class:`glassnet.network.Network` (the same
code that trains) and keeps every intermediate value.  ``Trace.to_dict()`` is
the ``glassnet.trace/1`` JSON document described in docs/trace-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.errors import real_number
from glassnet.network import Network

FORMAT = "glassnet.trace/1"
# the notebook display's limits: beyond them a summary (Trace._repr_markdown_)
NOTEBOOK_SIDE = 16  # rows or columns of a matrix shown: m and each layer's width
NOTEBOOK_CHARS = 100_000  # characters of Markdown (MathJax takes seconds per 100 000)


@dataclass
class LayerTrace:
    """The numbers of one layer l in one step; matrices in the in_out layout.

    Attributes
    ----------
    index : int
        l, from 1.
    activation : str
    W, b : ndarray
        Parameters before the update, (n_in, n_out) and (n_out,).
    z, a : ndarray, shape (m, n_out)
        z_l = a_{l-1} W_l + b_l and a_l = f(z_l).
    dL_da : ndarray, shape (m, n_out)
        ∂ℓ/∂a_l of each example.
    da_dz : ndarray
        f'(z_l), (m, n_out); for softmax the Jacobian, (m, n_out, n_out).
    delta : ndarray, shape (m, n_out)
        δ_l = ∂ℓ/∂z_l of each example.
    grad_W, grad_b : ndarray
        Gradients of the batch (mean) loss.
    W_new, b_new : ndarray
        Parameters after the step.
    """

    index: int
    activation: str
    W: np.ndarray
    b: np.ndarray
    z: np.ndarray
    a: np.ndarray
    dL_da: np.ndarray
    da_dz: np.ndarray
    delta: np.ndarray
    grad_W: np.ndarray
    grad_b: np.ndarray
    W_new: np.ndarray
    b_new: np.ndarray

    ARRAYS = ("W", "b", "z", "a", "dL_da", "da_dz", "delta", "grad_W", "grad_b", "W_new", "b_new")

    def __repr__(self) -> str:
        # the shapes, not every number: to_text() and to_markdown() show those
        n_in, n_out = np.shape(self.W)
        return f"LayerTrace(l={self.index}, {self.activation}, {n_in} → {n_out}, m={len(self.z)})"

    def to_dict(self) -> dict[str, Any]:
        """The layer's entry of the JSON document."""
        out: dict[str, Any] = {"index": self.index, "activation": self.activation}
        for key in self.ARRAYS:
            out[key] = np.asarray(getattr(self, key), dtype=np.float64).tolist()
        return out


@dataclass
class Trace:
    """Every number of one training step of a network on a batch.

    Attributes
    ----------
    loss_name : str
    learning_rate : float
    input : ndarray, shape (m, n_0)
    target : ndarray, shape (m, n_L)
    loss, loss_after : float
        The batch (mean) loss before and after the step.
    layers : list of LayerTrace
    example_loss : ndarray, shape (m,)
        ℓ of each example before the step (not part of the JSON document).
    weights_layout : {"in_out", "out_in"}
        How the spec the step came from wrote its matrices (:meth:`glassnet.spec.Spec.explain`
        sets it; not part of the JSON document, whose matrices are always in_out). Text
        Markdown and the HTML page show an out_in step as the person wrote it, W x, and
        say so; the notebook summary of a large step names W's shapes x W, and says that.
    default_rate : bool
        True where the spec set no learning rate (its η is glassnet's default, 0.1), which
        text and Markdown say; not part of the JSON document.
    """

    loss_name: str
    learning_rate: float
    input: np.ndarray
    target: np.ndarray
    loss: float
    loss_after: float
    layers: list[LayerTrace]
    example_loss: np.ndarray
    weights_layout: str = "in_out"
    default_rate: bool = False

    def __repr__(self) -> str:
        # the network and the step's figures: the dataclass's own listed every array
        # (39 KB of text for a 64-128-10 step, which a notebook saves beside its display)
        sizes = [np.shape(self.input)[1], *(np.size(layer.b) for layer in self.layers)]
        return (
            f"Trace({self.loss_name}, sizes {sizes}, m={len(self.input)}, "
            f"learning_rate={self.learning_rate:g}, loss {self.loss:.6g} → {self.loss_after:.6g})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``glassnet.trace/1`` document: plain lists and floats, full float64 precision."""
        return {
            "format": FORMAT,
            "loss_name": self.loss_name,
            "learning_rate": float(self.learning_rate),
            "input": np.asarray(self.input, dtype=np.float64).tolist(),
            "target": np.asarray(self.target, dtype=np.float64).tolist(),
            "loss": float(self.loss),
            "loss_after": float(self.loss_after),
            "layers": [layer.to_dict() for layer in self.layers],
        }

    def to_json(self) -> str:
        """The JSON document as text."""
        from glassnet.render.json import render_json

        return render_json(self.to_dict())

    def to_text(self, precision: int = 6) -> str:
        """The step explained for a terminal, every number to ``precision`` digits (1–17)."""
        from glassnet.render.text import render_text

        return render_text(
            self.to_dict(),
            precision=_precision(precision),
            weights_layout=self.weights_layout,
            default_rate=self.default_rate,
        )

    def to_markdown(self, precision: int = 6) -> str:
        """The step explained in Markdown with LaTeX, to ``precision`` digits (1–17)."""
        from glassnet.render.markdown import render_markdown

        return render_markdown(
            self.to_dict(),
            precision=_precision(precision),
            weights_layout=self.weights_layout,
            default_rate=self.default_rate,
        )

    def to_html(
        self,
        precision: int = 6,
        *,
        title: str = "one training step",
        check: dict[str, Any] | None = None,
    ) -> str:
        """The explain page: one HTML file that steps through the trace (docs/html.md).

        ``check``, a ``glassnet.check/1`` document, marks the worksheet's claimed values;
        ``precision`` is unused (the page shows 5 significant digits).
        """
        from glassnet.render.html import render_html

        return render_html(
            self.to_dict(),
            _precision(precision),
            title=title,
            check=check,
            weights_layout=self.weights_layout,
        )

    def _repr_markdown_(self) -> str:
        """The notebook's display: :meth:`to_markdown`, or a summary where that is too large.

        A notebook typesets every number of every matrix with MathJax: a 64-128-10
        network on a batch of 32 is a megabyte of LaTeX that takes minutes. Where a
        matrix shown would be more than ``NOTEBOOK_SIDE`` rows or columns (m, or a
        layer's width) or the Markdown more than ``NOTEBOOK_CHARS`` characters, the
        display is the network, the loss and figures per layer, with the ways to get
        the whole step; :meth:`to_markdown` always gives all of it.
        """
        from glassnet.render.markdown import render_markdown_summary

        sizes = [(len(self.input), "examples"), (self.input.shape[1], "inputs")]
        sizes += [(layer.b.size, f"units in layer {layer.index}") for layer in self.layers]
        side, what = max(sizes, key=lambda size: size[0])  # the first of the largest
        if side > NOTEBOOK_SIDE:
            why = f"{side} {what}: matrices of over {NOTEBOOK_SIDE} rows or columns"
        else:
            full = self.to_markdown()
            if len(full) <= NOTEBOOK_CHARS:
                return full
            why = f"{len(full):,} characters of Markdown, over {NOTEBOOK_CHARS:,}"
        return render_markdown_summary(
            self.to_dict(), why, weights_layout=self.weights_layout, default_rate=self.default_rate
        )


def _precision(precision: object) -> int:
    """Significant digits, 1 to 17, or ArgumentError: before any work of a renderer's."""
    from glassnet.render.numbers import significant_digits

    return significant_digits(precision)


def explain_step(network: Network, X: np.ndarray, Y: np.ndarray, learning_rate: float) -> Trace:
    """Run one step of gradient descent and record every number; ``network`` is unchanged.

    The step is computed in float64 whatever the network's dtype.

    The backward pass runs on the general path (∂ℓ/∂a, then f'(z) or the
    softmax Jacobian, then δ), so that every chain-rule factor is there to show.

    Parameters
    ----------
    network : Network
    X : ndarray, shape (m, n_0), or (n_0,) for one example
    Y : ndarray, shape (m, n_L); (n_L,) for one example; (m,) as fit takes it (class
        indices of a softmax classifier, one value per example of one output unit)
    learning_rate : float
        η.

    Returns
    -------
    Trace
    """
    network = network.astype("float64")  # explanations are exact: always float64
    learning_rate = real_number("learning_rate", learning_rate)  # η ≥ 0, as a spec's
    X, Y = network.example_rows(X, Y)
    X, Y = X.copy(), Y.copy()  # the trace's own, as W and b: the caller may reuse its arrays
    # a number that overflows is shown as it is (inf, nan), not warned about besides
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fp = network.forward(X)
        example_loss = network.example_losses(fp, Y)
        bp = network.backward(fp, Y, fused=False, record=True)
        after = network.copy()
        after.apply_gradients(bp, learning_rate)
        loss_after = after.loss_value(X, Y)

    layers = []
    for l, (layer, new) in enumerate(zip(network.layers, after.layers, strict=True), start=1):
        layers.append(
            LayerTrace(
                index=l,
                activation=layer.activation.name,
                W=layer.W.copy(),
                b=layer.b.copy(),
                z=fp.z[l],
                a=fp.a[l],
                dL_da=bp.dL_da[l],
                da_dz=bp.da_dz[l],
                delta=bp.delta[l],
                grad_W=bp.grad_W[l],
                grad_b=bp.grad_b[l],
                W_new=new.W,
                b_new=new.b,
            )
        )
    return Trace(
        network.loss.name,
        float(learning_rate),
        X,
        Y,
        float(example_loss.mean()),
        loss_after,
        layers,
        example_loss,
    )
