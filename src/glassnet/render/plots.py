"""Pictures of training: loss and metric curves, decision regions, a confusion matrix.

* :func:`plot_history`: the loss (left) and the metric (right: accuracy or R²)
  of each epoch, training and validation.
* :func:`plot_decision_boundary`: what a classifier of 2-D inputs predicts
  over the plane, with the data on top.
* :func:`plot_confusion_matrix`: the counts of :func:`confusion_matrix`, a
  pure numpy function that needs no plotting library.

matplotlib is the optional extra ``glassnet[plot]`` and is imported only when
a plot is drawn.  Figures are drawn on :class:`matplotlib.figure.Figure` with
the Agg canvas, never through :mod:`matplotlib.pyplot`: no window opens and
no global pyplot state (backend, current figure) is touched.  Each PNG is
rendered in memory first and then written atomically, so a file is either the
whole new picture or left as it was.  See docs/plots.md.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.errors import ArgumentError, GlassnetError
from glassnet.io import atomic_write_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from glassnet.network import Network
    from glassnet.train import History

MISSING_MATPLOTLIB = "plots need matplotlib: pip install 'glassnet[plot]'"
BROKEN_MATPLOTLIB = "matplotlib failed to load"  # installed: ": " and its error follow
DPI = 100
MAX_RESOLUTION = 2000
MARGIN = 0.1  # of the data's range, on each side of the decision-boundary grid
TRAIN_COLOR = "tab:blue"
VAL_COLOR = "tab:orange"


class MissingDependencyError(GlassnetError, ImportError):
    """An optional dependency (here matplotlib, the extra ``glassnet[plot]``) is not installed.

    Or it is installed but fails to load: then the message names its error.
    """


# --- matplotlib, lazily ----------------------------------------------------------------------


def _new_figure(width: float, height: float) -> Figure:
    """A figure on the Agg canvas, outside pyplot, laid out so that no text is clipped.

    Raises
    ------
    MissingDependencyError
        When matplotlib is not installed, or fails to load.
    """
    try:
        import matplotlib  # noqa: F401  (the package first: a blocked package fails here)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except Exception as exc:  # an unknown MPLBACKEND is a ValueError from matplotlib's rcParams
        if isinstance(exc, ImportError) and exc.name == "matplotlib":
            raise MissingDependencyError(MISSING_MATPLOTLIB) from None
        raise MissingDependencyError(f"{BROKEN_MATPLOTLIB}: {type(exc).__name__}: {exc}") from None
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: str | Path) -> None:
    """Render ``figure`` as PNG in memory, then write it to ``path`` atomically."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    atomic_write_bytes(path, buffer.getvalue())


def _class_colors(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` distinct colours: tab10, tab20, then evenly spaced on a rainbow."""
    import matplotlib

    if n <= 10:
        cmap = matplotlib.colormaps["tab10"]
        return [cmap(i) for i in range(n)]
    if n <= 20:
        cmap = matplotlib.colormaps["tab20"]
        return [cmap(i) for i in range(n)]
    cmap = matplotlib.colormaps["turbo"]
    return [cmap(i / (n - 1)) for i in range(n)]


# --- checks -------------------------------------------------------------------------------


def _labels_array(value: Any, field: str) -> np.ndarray:
    """A 1-D array of class indices (whole numbers ≥ 0) as int64."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # pragma: no cover - ragged input
        raise ArgumentError(f"{field}: expected an array of class indices ({exc})") from None
    if array.ndim != 1:
        raise ArgumentError(
            f"{field}: expected a 1-D array of class indices, found shape {array.shape}"
        )
    if array.size == 0:
        return array.astype(np.int64)
    if array.dtype.kind not in "biuf":
        raise ArgumentError(
            f"{field}: expected class indices (whole numbers ≥ 0), found dtype {array.dtype}"
        )
    if array.dtype.kind == "f" and (
        not np.isfinite(array).all() or (array != np.round(array)).any()
    ):
        raise ArgumentError(f"{field}: expected class indices (whole numbers ≥ 0)")
    if (array < 0).any():
        raise ArgumentError(f"{field}: class indices must be ≥ 0, found {array.min()}")
    if array.max() >= 2**62:  # beyond int64 (a cast would wrap them to other classes)
        raise ArgumentError(f"{field}: class index {array.max()} is out of range")
    return array.astype(np.int64)


def _class_targets(y: Any, n: int) -> np.ndarray:
    """Class indices from indices, shape (n,), or from one-hot / one-column rows."""
    array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    elif array.ndim == 2 and array.shape[0] == n and array.dtype.kind in "iuf":
        array = array.argmax(axis=1)  # one-hot rows
    labels = _labels_array(array, "y")
    if labels.shape[0] != n:
        raise ArgumentError(f"y: has {labels.shape[0]} label(s) but X has {n} example(s)")
    return labels


# --- confusion matrix ---------------------------------------------------------------------


MAX_CLASSES = 1000  # a confusion matrix larger than this is no figure anyone reads
CELL_TEXT = 30  # classes up to which each cell's count is written (and each class named)


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None) -> np.ndarray:
    """Count each (true class, predicted class) pair.

    Parameters
    ----------
    y_true : array_like of int, shape (m,)
        The true class indices, whole numbers ≥ 0.
    y_pred : array_like of int, shape (m,)
        The predicted class indices, e.g. ``network.predict(X)``.
    n_classes : int, optional
        The number of classes; by default one more than the largest index seen.

    Returns
    -------
    ndarray of int64, shape (n_classes, n_classes)
        ``C[i, j]`` is the number of examples of true class ``i`` predicted as
        class ``j``: rows are true classes, columns predicted ones, and the
        diagonal holds the correct predictions.

    Raises
    ------
    ArgumentError
        For labels that are not whole numbers ≥ 0, arrays of different lengths,
        or an index ≥ ``n_classes``.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    array([[1, 0, 0],
           [0, 1, 1],
           [0, 0, 1]])
    """
    true = _labels_array(y_true, "y_true")
    pred = _labels_array(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ArgumentError(f"y_pred: has {pred.shape[0]} label(s) but y_true has {true.shape[0]}")
    seen = int(max(true.max(initial=-1), pred.max(initial=-1))) + 1
    if n_classes is None:
        if seen > MAX_CLASSES:  # a matrix of seen² counts: refuse what only exhausts memory
            raise ArgumentError(
                f"y_true, y_pred: class index {seen - 1}; a confusion matrix takes class "
                f"indices 0..{MAX_CLASSES - 1} (map labels to indices first)"
            )
        n = seen
    else:
        if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
            raise ArgumentError(f"n_classes: expected a whole number, found {n_classes!r}")
        n = int(n_classes)
        if not 0 <= n <= MAX_CLASSES:
            raise ArgumentError(
                f"n_classes: expected a whole number ≥ 0 (at most {MAX_CLASSES}), found {n}"
            )
        if seen > n:
            raise ArgumentError(
                f"n_classes: {n} class(es), but the labels hold class index {seen - 1}"
            )
    counts = np.bincount(true * n + pred, minlength=n * n) if n else np.zeros(0, np.int64)
    return counts.astype(np.int64).reshape(n, n)


def plot_confusion_matrix(
    y_true: Any, y_pred: Any, path: str | Path, *, labels: Sequence[str] | None = None
) -> None:
    """Draw the confusion matrix as a PNG, the count written in each cell.

    Parameters
    ----------
    y_true : array_like of int, shape (m,)
        The true class indices.
    y_pred : array_like of int, shape (m,)
        The predicted class indices.
    path : str or Path
        The PNG file, written atomically.
    labels : sequence of str, optional
        The name of each class, index 0 first; their number is the number of
        classes.  By default the classes are 0, 1, ..., the largest index seen.

    Raises
    ------
    ArgumentError
        As :func:`confusion_matrix`, for no examples, or for fewer labels than classes seen.
    MissingDependencyError
        When matplotlib is not installed, or fails to load.
    OSError
        When the file cannot be written.
    """
    C = confusion_matrix(y_true, y_pred)
    if labels is None:
        names = [str(i) for i in range(C.shape[0])]
    else:
        if isinstance(labels, str) or not isinstance(labels, Iterable):
            raise ArgumentError(
                f"labels: expected a sequence of class names, found {type(labels).__name__}"
            )
        names = [str(name) for name in labels]
        if len(names) < C.shape[0]:
            raise ArgumentError(
                f"labels: {len(names)} class name(s), but the labels hold class index "
                f"{C.shape[0] - 1}"
            )
        C = confusion_matrix(y_true, y_pred, len(names))
    total = int(C.sum())
    if total == 0:
        raise ArgumentError("y_true: no examples to count")
    n = C.shape[0]

    side = min(max(4.5, 0.6 * n + 2.5), 16.0)
    figure = _new_figure(side + 1.0, side)  # first: it says when matplotlib is missing
    from matplotlib.ticker import MaxNLocator

    ax = figure.add_subplot()
    image = ax.imshow(C, cmap="Blues", vmin=0, vmax=max(int(C.max()), 1))
    colorbar = figure.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label("examples")
    colorbar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    fontsize = 12 if n <= 6 else 10 if n <= 12 else 8 if n <= 20 else 6
    threshold = C.max() / 2
    # a count in each cell up to CELL_TEXT classes: beyond, unreadable, and a text per cell
    # grows as n² (200 classes: 70 s; the colours and the colour bar say the counts)
    for i in range(n if n <= CELL_TEXT else 0):
        for j in range(n):
            ax.text(
                j,
                i,
                str(C[i, j]),
                ha="center",
                va="center",
                fontsize=fontsize,
                color="white" if C[i, j] > threshold else "black",
            )

    ticks = range(0, n, max(1, -(-n // CELL_TEXT)))  # at most CELL_TEXT named
    ax.set_xticks(ticks, [names[i] for i in ticks])
    ax.set_yticks(ticks, [names[i] for i in ticks])
    if max(len(name) for name in names) > 3 or n > 12:
        ax.tick_params(axis="x", labelrotation=45)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(C) / total
    ax.set_title(f"Confusion matrix ({total} examples, accuracy {accuracy:.1%})")
    _save(figure, path)


# --- history ------------------------------------------------------------------------------


def _series(history: History, key: str, n: int) -> list[float] | None:
    """A series of the history, or None when absent; checked to have one value per epoch."""
    values = history.history.get(key)
    if values is None:
        return None
    if len(values) != n:
        raise ArgumentError(
            f"history: {key!r} has {len(values)} value(s) but there are {n} epoch(s)"
        )
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError):
        raise ArgumentError(f"history: {key!r} holds something that is not a number") from None


def plot_history(history: History, path: str | Path) -> None:
    """Draw the loss and metric curves of a training as a PNG.

    The left panel shows the loss of each epoch, the right panel the metric
    (accuracy of a classifier, R² of a regressor), each for the training data
    and, when the history has them, the validation data.  When early stopping
    restored the weights of an epoch, that epoch is marked.

    Parameters
    ----------
    history : History
        What :func:`glassnet.train.fit` (or ``Network.fit``) returned.
    path : str or Path
        The PNG file, written atomically.

    Raises
    ------
    ArgumentError
        For a history with no epochs, no ``loss`` series, or a series whose
        length is not the number of epochs.
    MissingDependencyError
        When matplotlib is not installed, or fails to load.
    OSError
        When the file cannot be written.
    """
    try:
        epoch, series, metric = history.epoch, history.history, str(history.metric)
    except AttributeError:
        raise ArgumentError(
            f"history: expected a glassnet History, found {type(history).__name__}"
        ) from None
    try:
        epochs = [int(e) for e in epoch]
    except (TypeError, ValueError):
        raise ArgumentError("history: its epochs are not whole numbers") from None
    if not epochs:
        raise ArgumentError("history: no epochs to plot")
    if "loss" not in series:
        raise ArgumentError("history: no 'loss' series to plot")
    n = len(epochs)
    metric_label = "R²" if metric == "r2" else metric
    panels = [("loss", "Loss", "loss")]  # (series, title, y label)
    if metric in series:
        panels.append((metric, metric_label[:1].upper() + metric_label[1:], metric_label))

    curves = [(_series(history, key, n), _series(history, f"val_{key}", n)) for key, *_ in panels]

    figure = _new_figure(5.0 * len(panels), 4.0)  # first: it says when matplotlib is missing
    from matplotlib.ticker import MaxNLocator

    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    marker = "o" if n <= 30 else None
    for ax, (key, title, ylabel), (train, val) in zip(axes, panels, curves, strict=True):
        ax.plot(epochs, train, color=TRAIN_COLOR, marker=marker, markersize=3, label="training")
        if val is not None:
            ax.plot(epochs, val, color=VAL_COLOR, marker=marker, markersize=3, label="validation")
        bad = [e for e, v in zip(epochs, train, strict=True) if not math.isfinite(v)]
        if bad:  # the curve stops there; say why
            ax.axvline(bad[0], color="red", linestyle="--", label=f"NaN/inf from epoch {bad[0]}")
        best = getattr(history, "best_epoch", None)
        if best is not None:
            ax.axvline(best, color="grey", linestyle=":", label=f"best epoch ({best})")
        finite = [v for v in train + (val or []) if math.isfinite(v)]
        if key == "loss" and finite and min(finite) > 0 and max(finite) > 100 * min(finite):
            ax.set_yscale("log")  # a loss over decades: flat on a linear axis after its fall
            ylabel += " (log scale)"
        if key == "accuracy" and all(math.isfinite(v) for v in train):
            ax.set_ylim(min(finite) - 0.05, 1.02)  # every marker whole, however close
        if len(set(epochs)) == 1:  # a locator would put fractional epochs around one point
            ax.set_xlim(epochs[0] - 1, epochs[0] + 1)
            ax.set_xticks([epochs[0]])
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            pad = 0.03 * (max(epochs) - min(epochs))  # every epoch, even with no finite value
            ax.set_xlim(min(epochs) - pad, max(epochs) + pad)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(loc="best")
    figure.suptitle(f"Training history ({n} epoch{'s' if n != 1 else ''})")
    _save(figure, path)


# --- decision boundary --------------------------------------------------------------------


def plot_decision_boundary(
    network: Network,
    X: Any,
    y: Any,
    path: str | Path,
    *,
    resolution: int = 200,
    feature_names: Sequence[str] | None = None,
) -> None:
    """Draw what a classifier of 2-D inputs predicts over the plane, with the data, as a PNG.

    A grid of ``resolution`` × ``resolution`` points spans the data and a
    margin of 10 % of its range on each side.  A softmax classifier's
    predicted class fills the plane in the colour of that class; a one-unit
    sigmoid classifier's probability of class 1 fills it on a blue–red scale,
    with its 0.5 contour, the decision boundary, drawn as a line.  The points
    of ``X`` are scattered on top, coloured by their class in ``y``.

    Parameters
    ----------
    network : Network
        A classifier (softmax with cross_entropy, or a one-unit sigmoid with
        binary_cross_entropy) with 2 inputs.
    X : array_like, shape (m, 2)
        The points.
    y : array_like of int, shape (m,)
        Their classes (one-hot rows are also taken).
    path : str or Path
        The PNG file, written atomically.
    resolution : int, default 200
        Grid points along each axis, from 2 to 2000.
    feature_names : sequence of 2 str, optional
        The axes' labels (default :math:`x_1`, :math:`x_2`).

    Raises
    ------
    ArgumentError
        For a network that is not a classifier or has not 2 inputs, inputs that
        are not 2-D points or hold NaN or infinity, classes the network does
        not have, or a bad resolution.
    MissingDependencyError
        When matplotlib is not installed, or fails to load.
    OSError
        When the file cannot be written.
    """
    from glassnet.network import check_network

    check_network(network)
    if network.sizes[0] != 2:
        raise ArgumentError(
            f"network: decision boundaries are drawn for 2-D inputs only; "
            f"this network has {network.sizes[0]} input(s)"
        )
    if not network.is_classifier:
        raise ArgumentError(
            "network: not a classifier (a softmax with cross_entropy, or a sigmoid with "
            f"binary_cross_entropy); found {network.output_activation.name} with "
            f"{network.loss.name}"
        )
    n_out = network.sizes[-1]
    binary = network.output_activation.name == "sigmoid"
    if binary and n_out != 1:
        raise ArgumentError(
            f"network: a sigmoid output of {n_out} units is multi-label; "
            "decision regions are drawn for one sigmoid unit or a softmax"
        )
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise ArgumentError(f"resolution: expected a whole number, found {resolution!r}")
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise ArgumentError(
            f"resolution: expected a number from 2 to {MAX_RESOLUTION}, found {resolution}"
        )
    axis_names = ["$x_1$", "$x_2$"] if feature_names is None else feature_names
    if isinstance(axis_names, str) or len(axis_names) != 2:  # type: ignore[arg-type]
        raise ArgumentError(f"feature_names: expected 2 names, found {feature_names!r:.60}")
    try:
        points = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"X: expected an array of numbers ({exc})") from None
    if points.ndim != 2 or points.shape[1] != 2:
        raise ArgumentError(
            f"X: decision boundaries are drawn for 2-D inputs only, shape (m, 2); "
            f"found shape {points.shape}"
        )
    if points.shape[0] == 0:
        raise ArgumentError("X: no points to plot")
    if not np.isfinite(points).all():
        raise ArgumentError("X: holds NaN or infinity")
    classes = _class_targets(y, points.shape[0])
    n_classes = 2 if binary else n_out
    if classes.max() >= n_classes:
        raise ArgumentError(
            f"y: class index {classes.max()}, but the network has {n_classes} classes "
            f"(0 to {n_classes - 1})"
        )

    low, high = points.min(axis=0), points.max(axis=0)
    span = high - low
    pad = np.where(span > 0, MARGIN * span, 0.5)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], int(resolution))
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], int(resolution))
    xx, yy = np.meshgrid(xs, ys)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    with np.errstate(all="ignore"):
        output = np.asarray(network.output(grid), dtype=np.float64)
    if not np.isfinite(output).all():  # argmax of NaN is 0: the plane would be "class 0"
        raise ArgumentError(
            "network: its output is not finite over the plane (NaN or infinite weights?); "
            "no decision regions to draw"
        )

    # many classes: the legend beside the plane, in columns of 20, the figure wider for it
    columns = -(-n_classes // 20) if not binary and n_classes > 6 else 0
    figure = _new_figure(6.5 if binary else 6.0 + 1.7 * columns, 5.0)
    ax = figure.add_subplot()
    if binary:
        import matplotlib

        cmap = matplotlib.colormaps["RdBu_r"]
        colors = [cmap(0.1), cmap(0.9)]
        p = output[:, 0].reshape(xx.shape)
        filled = ax.contourf(xx, yy, p, levels=np.linspace(0.0, 1.0, 11), cmap=cmap, alpha=0.45)
        colorbar = figure.colorbar(filled, ax=ax)
        colorbar.set_label("P(class 1)")
        if p.min() < 0.5 < p.max():  # a line contour outside the data's range warns
            ax.contour(xx, yy, p, levels=[0.5], colors="black", linewidths=1.5, linestyles="--")
            ax.plot([], [], color="black", linewidth=1.5, linestyle="--", label="P = 0.5")
    else:
        from matplotlib.colors import ListedColormap

        colors = _class_colors(n_classes)
        predicted = output.argmax(axis=1).reshape(xx.shape)
        ax.contourf(
            xx,
            yy,
            predicted,
            levels=np.arange(n_classes + 1) - 0.5,
            cmap=ListedColormap(colors),
            alpha=0.3,
        )
    for k in range(n_classes):
        members = classes == k
        if members.any():
            ax.scatter(
                points[members, 0],
                points[members, 1],
                s=18,
                color=colors[k],
                edgecolors="black",
                linewidths=0.4,
                label=f"class {k}",
            )
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel(str(axis_names[0]))
    ax.set_ylabel(str(axis_names[1]))
    kind = "P(class 1)" if binary else "predicted class"
    ax.set_title(f"Decision regions of Network({network.sizes}): {kind}")
    if not columns:
        ax.legend(loc="best", framealpha=0.85)
    else:  # beside the plane: over it, it covered regions and points
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            ncols=columns,
            fontsize="small",
            borderaxespad=0.0,
        )
    _save(figure, path)


# --- diagnostics -----------------------------------------------------------------------------


def _positive(norm: float | None) -> float:
    """The norm where a log scale can show it, else NaN (a gap)."""
    if norm is None:  # not finite: DiagnosticsCallback records it as null
        return np.nan
    return float(norm) if norm > 0 and np.isfinite(norm) else np.nan


def plot_gradient_norms(records: list[dict[str, Any]], path: str | Path) -> None:
    """‖∂L/∂W_l‖ of every layer over the epochs, on a log scale.

    Parameters
    ----------
    records : list of dict
        :attr:`glassnet.diagnose.DiagnosticsCallback.records`.
    path : str or Path
        Where to write the PNG.
    """
    if not records:
        raise ArgumentError("records: nothing recorded (train for at least one epoch)")
    try:
        epochs = [r["epoch"] for r in records]
        n_layers = len(records[0]["layers"])
        # a log scale has no 0: a zero, NaN or not finite (null) norm is a gap in the
        # line, not 1e-300
        series = [
            [_positive(r["layers"][l]["grad_norm"]) for r in records] for l in range(n_layers)
        ]
    except (KeyError, TypeError, IndexError):
        raise ArgumentError(
            "records: expected DiagnosticsCallback.records, a list of "
            '{"epoch": int, "layers": [{"grad_norm": float, ...}, ...]}'
        ) from None
    figure = _new_figure(7.0, 4.2)
    ax = figure.add_subplot()
    for l, norms in enumerate(series):
        ax.plot(epochs, norms, marker="o" if len(epochs) <= 30 else None, label=f"layer {l + 1}")
    if np.isfinite(series).any():
        ax.set_yscale("log")
        ax.set_ylabel("‖∂L/∂W‖ (log scale)")
    else:  # every norm 0 (a dead network) or not finite: say so on the figure
        ax.text(0.5, 0.5, "no gradient norm > 0 to draw", ha="center", transform=ax.transAxes)
        ax.set_xlim(min(epochs) - 0.5, max(epochs) + 0.5)  # the epochs, with no line to span
        ax.set_ylabel("‖∂L/∂W‖")
    ax.set_xlabel("epoch")
    ax.set_title("Gradient norm of each layer")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")  # off the data
    ax.xaxis.get_major_locator().set_params(integer=True)
    _save(figure, path)


def _bins(values: np.ndarray, bins: int) -> dict[str, Any]:
    """``hist``'s bins and range: ``bins`` parts of the values' range where floats allow.

    NumPy can't cut a range narrower than ``bins`` float spacings into ``bins`` parts,
    nor widen a constant's by ±0.5 beyond 1e16: such values (a diverged network's,
    ~1e15 and alike) get one bin a few spacings wide.
    """
    low, high = float(values.min()), float(values.max())
    spacing = float(np.spacing(max(abs(low), abs(high))))
    if high - low >= 4 * bins * spacing:
        return {"bins": bins}
    pad = max(0.5, 4 * spacing) if high == low else 4 * spacing  # ±0.5, as NumPy's own
    return {"bins": 1, "range": (low - pad, high + pad)}


def plot_activation_histograms(network: Any, X: Any, path: str | Path, *, bins: int = 40) -> None:
    """A histogram of the activations a of every layer on the inputs X.

    Parameters
    ----------
    network : Network
    X : array, shape (m, n_0)
    path : str or Path
        Where to write the PNG.
    bins : int
    """
    from glassnet.network import check_network

    check_network(network)
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ArgumentError(f"bins: expected a whole number ≥ 1, found {bins!r}")
    X = network._inputs(X)
    if len(X) == 0 or not np.isfinite(X).all():
        raise ArgumentError("X: expected at least one example, every number finite")
    fp = network.forward(X)
    if not all(np.isfinite(a).all() for a in fp.a[1:]):
        raise ArgumentError("network: its activations on X are not finite (NaN or ∞ weights?)")
    n = len(network.layers)
    cols = min(n, 4)
    rows = -(-n // cols)
    figure = _new_figure(3.2 * cols, 2.6 * rows)
    for l, layer in enumerate(network.layers, start=1):
        ax = figure.add_subplot(rows, cols, l)
        values = np.asarray(fp.a[l], dtype=np.float64).ravel()
        ax.hist(values, color=TRAIN_COLOR, **_bins(values, bins))
        ax.set_title(f"layer {l} ({layer.activation.name})", fontsize="medium")
        ax.set_xlabel("a")
        ax.set_ylabel("count")
    figure.suptitle("Activations on the data")
    _save(figure, path)
