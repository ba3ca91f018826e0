"""What the demonstrations share: data, a training run with diagnostics, a plot."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from glassnet import Network
from glassnet.data import load_dataset
from glassnet.diagnose import DiagnosticsCallback, diagnose
from glassnet.render.plots import MissingDependencyError, plot_gradient_norms


def moons(n: int = 400):
    data = load_dataset("moons", n_samples=n)
    return data.X, data.y


def train_and_report(name: str, net: Network, X, y, out: Path, callbacks=(), **fit) -> dict:
    """Train with per-epoch diagnostics; print the findings; plot the gradient norms.

    Without matplotlib (or where it fails to load) the plot is skipped with a note.
    """
    recorder = DiagnosticsCallback(X, y)
    history = net.fit(X, y, callbacks=[*callbacks, recorder], verbose=False, seed=0, **fit)
    found = diagnose(net, X, y, history["loss"])
    print(
        f"{name}: loss {history['loss'][0]:.4f} → {history['loss'][-1]:.4f}, "
        f"accuracy {net.evaluate(X, y)['accuracy']:.3f}"
    )
    for finding in found.findings:
        print(f"  {finding.id}: {finding.message}")
    out.mkdir(parents=True, exist_ok=True)
    try:
        plot_gradient_norms(recorder.records, out / f"{name}.png")
    except MissingDependencyError as exc:  # as glassnet train --out: the findings stand
        print(f"  {name}.png skipped: {exc}")
    return {"history": history, "diagnosis": found, "records": recorder.records}


def out_dir() -> Path:
    return Path(sys.argv[1]) if len(sys.argv) > 1 else Path("diagnose-plots")


__all__ = ["Network", "moons", "np", "out_dir", "train_and_report"]
