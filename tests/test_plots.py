"""glassnet.render.plots: PNGs written whole (atomically), confusion_matrix, clear refusals."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets as sklearn_datasets
import sklearn.metrics as sklearn_metrics

from glassnet import Network
from glassnet.errors import ArgumentError, GlassnetError
from glassnet.render import plots
from glassnet.render.plots import (
    BROKEN_MATPLOTLIB,
    MISSING_MATPLOTLIB,
    MissingDependencyError,
    confusion_matrix,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_history,
)
from glassnet.train import History

# matplotlib is the optional extra glassnet[plot]: without it the drawing tests are
# skipped, while confusion_matrix and the missing-matplotlib message are still tested.
needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="needs glassnet[plot] (matplotlib)"
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path, shape: tuple[int, int]) -> np.ndarray:
    """The file is a whole PNG of ``shape`` (height, width) pixels, and not blank."""
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    # inches × dpi to whole pixels: 9.7 in at 100 dpi is 969.99… px in floats, which
    # matplotlib 3.10 truncates to 969 and 3.11 (forgiving 1e-8 px) takes as 970
    height, width = image.shape[:2]
    assert shape[0] - 1 <= height <= shape[0] and shape[1] - 1 <= width <= shape[1], image.shape
    assert image.shape[0] > 0 and image.shape[1] > 0
    assert image[..., :3].std() > 0  # something was drawn
    assert not list(path.parent.glob(".*.tmp"))  # no temporary file left behind
    return image


@pytest.fixture(scope="module")
def moons():
    X, y = sklearn_datasets.make_moons(200, noise=0.2, random_state=0)
    net = Network([2, 16, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    history = net.fit(X, y, epochs=50, optimizer="adam", learning_rate=0.01, seed=0, verbose=False)
    return net, X, y, history


def make_history(n: int, metric: str = "accuracy", validation: bool = True) -> History:
    history = History(metric=metric)
    for epoch in range(1, n + 1):
        logs = {"loss": 1.0 / epoch, metric: 1.0 - 0.5 / epoch}
        if validation:
            logs |= {"val_loss": 1.2 / epoch, f"val_{metric}": 0.9 - 0.5 / epoch}
        history.append(epoch, logs)
    return history


# --- confusion_matrix ---------------------------------------------------------------------


def test_confusion_matrix_by_hand():
    y_true = [0, 0, 1, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 2, 0]
    expected = np.array([[1, 1, 0], [0, 2, 1], [1, 0, 1]])
    C = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(C, expected)
    assert C.dtype == np.int64
    assert C.sum() == 7 and np.trace(C) == 4


def test_confusion_matrix_n_classes_pads():
    C = confusion_matrix([0, 1], [1, 1], n_classes=4)
    assert C.shape == (4, 4)
    np.testing.assert_array_equal(C[:2, :2], [[0, 1], [0, 1]])
    assert C[2:].sum() == 0 and C[:, 2:].sum() == 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_confusion_matrix_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 8))
    y_true = rng.integers(0, n, 300)
    y_pred = rng.integers(0, n, 300)
    expected = sklearn_metrics.confusion_matrix(y_true, y_pred, labels=range(n))
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, n_classes=n), expected)


def test_confusion_matrix_takes_whole_floats_and_bools_and_empty():
    np.testing.assert_array_equal(confusion_matrix([0.0, 1.0], [True, False]), [[0, 1], [1, 0]])
    assert confusion_matrix([], []).shape == (0, 0)
    assert confusion_matrix([], [], n_classes=2).tolist() == [[0, 0], [0, 0]]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "message"),
    [
        ([0, 1], [0], {}, "y_pred: has 1 label(s) but y_true has 2"),
        ([0, -1], [0, 1], {}, "y_true: class indices must be ≥ 0"),
        ([0, 0.5], [0, 1], {}, "y_true: expected class indices"),
        ([0, np.nan], [0, 1], {}, "y_true: expected class indices"),
        (["a", "b"], [0, 1], {}, "y_true: expected class indices (whole numbers ≥ 0), found"),
        ([[0, 1]], [[0, 1]], {}, "y_true: expected a 1-D array"),
        ([0, 3], [0, 1], {"n_classes": 2}, "n_classes: 2 class(es), but the labels hold"),
        ([0, 1], [0, 1], {"n_classes": 1.5}, "n_classes: expected a whole number"),
        ([0, 1], [0, 1], {"n_classes": -1}, "n_classes: expected a whole number ≥ 0"),
        ([0, 1e20], [0, 1], {}, "y_true: class index 1e+20 is out of range"),
        ([0, 1], np.array([0, 2**63 + 5], np.uint64), {}, "y_pred: class index 9223"),
    ],
)
def test_confusion_matrix_refuses(y_true, y_pred, kwargs, message):
    with pytest.raises(ArgumentError) as info:
        confusion_matrix(y_true, y_pred, **kwargs)
    assert message in str(info.value)


# --- plot_confusion_matrix ----------------------------------------------------------------


@needs_matplotlib
def test_plot_confusion_matrix(tmp_path, moons):
    net, X, y, _ = moons
    path = tmp_path / "cm.png"
    assert plot_confusion_matrix(y, net.predict(X), path) is None
    assert_png(path, (450, 550))


@needs_matplotlib
def test_plot_confusion_matrix_labels_and_many_classes(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "cm.png"
    plot_confusion_matrix([0, 1, 1], [0, 1, 0], path, labels=["cat", "dog", "bird"])
    assert_png(path, (450, 550))
    plot_confusion_matrix(rng.integers(0, 12, 400), rng.integers(0, 12, 400), path)
    assert_png(path, (970, 1070))


def test_plot_confusion_matrix_refuses(tmp_path):
    path = tmp_path / "cm.png"
    with pytest.raises(ArgumentError, match="labels: 2 class name"):
        plot_confusion_matrix([0, 1, 2], [0, 1, 2], path, labels=["a", "b"])
    with pytest.raises(ArgumentError, match="labels: expected a sequence"):
        plot_confusion_matrix([0, 1], [0, 1], path, labels="ab")
    with pytest.raises(
        ArgumentError, match="labels: expected a sequence of class names, found int"
    ):
        plot_confusion_matrix([0, 1], [0, 1], path, labels=5)
    with pytest.raises(ArgumentError, match="no examples"):
        plot_confusion_matrix([], [], path)
    assert not path.exists()


# --- plot_history -------------------------------------------------------------------------


@needs_matplotlib
@pytest.mark.parametrize("validation", [True, False])
def test_plot_history_of_a_training(tmp_path, validation):
    X, y = sklearn_datasets.make_moons(100, noise=0.2, random_state=1)
    net = Network([2, 8, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    split = 0.2 if validation else 0.0
    history = net.fit(X, y, epochs=5, validation_split=split, seed=0, verbose=False)
    assert ("val_loss" in history.history) is validation
    path = tmp_path / "history.png"
    assert plot_history(history, path) is None
    assert_png(path, (400, 1000))


@needs_matplotlib
def test_plot_history_of_a_regressor(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=80)
    net = Network([3, 4, 1], activations=["tanh", "identity"], loss="mean_squared_error", seed=0)
    history = net.fit(
        X, y, epochs=8, optimizer="adam", validation_split=0.25, seed=0, verbose=False
    )
    assert history.metric == "r2" and "val_r2" in history.history
    path = tmp_path / "history.png"
    plot_history(history, path)
    assert_png(path, (400, 1000))


@needs_matplotlib
def test_plot_history_edge_cases(tmp_path):
    path = tmp_path / "history.png"
    plot_history(make_history(1), path)  # one point
    assert_png(path, (400, 1000))
    history = make_history(6, validation=False)
    history.history["loss"][3:] = [float("nan"), float("inf"), float("nan")]  # diverged
    history.best_epoch = 2
    plot_history(history, path)
    assert_png(path, (400, 1000))
    loss_only = History()
    loss_only.append(1, {"loss": 0.3})
    loss_only.append(2, {"loss": 0.2})
    plot_history(loss_only, path)  # no metric: the loss panel alone
    assert_png(path, (400, 500))


def test_plot_history_refuses(tmp_path):
    path = tmp_path / "history.png"
    with pytest.raises(ArgumentError, match="no epochs"):
        plot_history(History(), path)
    with pytest.raises(ArgumentError, match="expected a glassnet History"):
        plot_history({"loss": [1.0]}, path)
    broken = make_history(3)
    broken.history["val_loss"].pop()
    with pytest.raises(ArgumentError, match="'val_loss' has 2 value"):
        plot_history(broken, path)
    for value in ("abc", None):
        odd = History(epoch=[1], history={"loss": [value]})
        with pytest.raises(ArgumentError, match="history: 'loss' holds something that is not"):
            plot_history(odd, path)
    with pytest.raises(ArgumentError, match="history: its epochs are not whole numbers"):
        plot_history(History(epoch=["a"], history={"loss": [1.0]}), path)
    assert not path.exists()


@needs_matplotlib
def test_a_loss_over_decades_is_on_a_log_scale_and_one_epochs_markers_are_whole(
    tmp_path, monkeypatch
):
    saved = []
    monkeypatch.setattr(plots, "_save", lambda figure, path: saved.append(figure))
    falling = History(epoch=list(range(1, 8)), history={"loss": [10.0**-k for k in range(7)]})
    plot_history(falling, tmp_path / "h.png")
    plot_history(make_history(6), tmp_path / "h.png")  # a loss within a decade
    assert saved[0].axes[0].get_yscale() == "log" and saved[1].axes[0].get_yscale() == "linear"
    one = History(metric="accuracy")
    one.append(1, {"loss": 0.4, "accuracy": 0.8625, "val_loss": 0.41, "val_accuracy": 0.87})
    plot_history(one, tmp_path / "h.png")
    bottom, top = saved[2].axes[1].get_ylim()
    assert bottom <= 0.8625 - 0.04 and top == 1.02


@needs_matplotlib
def test_a_confusion_matrix_of_many_classes_writes_no_count_per_cell(tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    texts = []
    text = Axes.text
    monkeypatch.setattr(Axes, "text", lambda self, *a, **k: texts.append(a) or text(self, *a, **k))
    rng = np.random.default_rng(1)
    plot_confusion_matrix(rng.integers(0, 40, 500), rng.integers(0, 40, 500), tmp_path / "c.png")
    assert texts == []  # 1600 cells: their colours say the counts
    plot_confusion_matrix(rng.integers(0, 5, 50), rng.integers(0, 5, 50), tmp_path / "c.png")
    assert len(texts) == 25


# --- plot_decision_boundary ---------------------------------------------------------------


@needs_matplotlib
def test_plot_decision_boundary_moons(tmp_path, moons):
    net, X, y, _ = moons
    assert net.evaluate(X, y)["accuracy"] > 0.8  # a boundary worth drawing
    path = tmp_path / "moons.png"
    assert plot_decision_boundary(net, X, y, path, resolution=100) is None
    assert_png(path, (500, 600))


@needs_matplotlib
def test_plot_decision_boundary_sigmoid_and_one_hot(tmp_path, moons):
    _, X, y, _ = moons
    net = Network([2, 4, 1], activations=["tanh", "sigmoid"], loss="binary_cross_entropy", seed=0)
    path = tmp_path / "sigmoid.png"
    plot_decision_boundary(net, X, y.astype(float), path, resolution=50)
    assert_png(path, (500, 650))
    net3 = Network([2, 4, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    plot_decision_boundary(net3, X[:3], np.eye(3)[[0, 1, 2]], path, resolution=2)
    assert_png(path, (500, 600))


def test_plot_decision_boundary_refuses(tmp_path, moons):
    net, X, y, _ = moons
    path = tmp_path / "boundary.png"
    wide = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    with pytest.raises(ArgumentError, match="2-D inputs only; this network has 3"):
        plot_decision_boundary(wide, np.zeros((5, 3)), np.zeros(5, int), path)
    with pytest.raises(ArgumentError, match=r"X: decision boundaries .* found shape \(200, 3\)"):
        plot_decision_boundary(net, np.column_stack([X, X[:, 0]]), y, path)
    with pytest.raises(ArgumentError, match="X: decision boundaries"):
        plot_decision_boundary(net, X[:, 0], y, path)
    regressor = Network([2, 3, 1], activations=["tanh", "identity"], loss="squared_error")
    with pytest.raises(ArgumentError, match="not a classifier"):
        plot_decision_boundary(regressor, X, y, path)
    with pytest.raises(ArgumentError, match="y: class index 2"):
        plot_decision_boundary(net, X, np.where(y == 1, 2, 0), path)
    with pytest.raises(ArgumentError, match="y: has 199 label"):
        plot_decision_boundary(net, X, y[:-1], path)
    with pytest.raises(ArgumentError, match="NaN or infinity"):
        plot_decision_boundary(net, np.where(X > 2, np.nan, X), y, path)
    for resolution in (1, 5000, 2.5, True):
        with pytest.raises(ArgumentError, match="resolution"):
            plot_decision_boundary(net, X, y, path, resolution=resolution)
    assert not path.exists()


# --- atomic writes, no pyplot, no matplotlib ----------------------------------------------


@needs_matplotlib
def test_a_failed_plot_leaves_the_old_file(tmp_path, monkeypatch, moons):
    net, X, y, history = moons
    path = tmp_path / "plot.png"
    path.write_bytes(b"old")

    def broken_savefig(self, *args, **kwargs):
        raise RuntimeError("renderer failed")

    from matplotlib.figure import Figure

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    for draw in (
        lambda: plot_history(history, path),
        lambda: plot_decision_boundary(net, X, y, path, resolution=10),
        lambda: plot_confusion_matrix(y, y, path),
    ):
        with pytest.raises(RuntimeError, match="renderer failed"):
            draw()
        assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]


@needs_matplotlib
def test_no_pyplot_and_matplotlib_only_when_drawing(tmp_path):
    script = (
        "import sys\n"
        "import glassnet.render.plots as plots\n"
        "assert 'matplotlib' not in sys.modules, 'imported at module import'\n"
        f"plots.plot_confusion_matrix([0, 1], [1, 1], {str(tmp_path / 'cm.png')!r})\n"
        "assert 'matplotlib' in sys.modules\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cm.png").read_bytes()[:8] == PNG_SIGNATURE


def test_missing_matplotlib_gives_the_install_hint(tmp_path, monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    path = tmp_path / "plot.png"
    draws = [
        lambda: plot_history(make_history(3), path),
        lambda: plot_confusion_matrix([0, 1], [0, 1], path),
        lambda: plot_decision_boundary(
            Network([2, 2], activations=["softmax"], loss="cross_entropy", seed=0),
            [[0.0, 0.0], [1.0, 1.0]],
            [0, 1],
            path,
        ),
        lambda: plots.plot_gradient_norms([{"epoch": 1, "layers": [{"grad_norm": 0.5}]}], path),
        lambda: plots.plot_activation_histograms(
            Network([2, 3, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0),
            [[0.0, 0.0], [1.0, 1.0]],
            path,
        ),
    ]
    for draw in draws:
        with pytest.raises(MissingDependencyError) as info:
            draw()
        assert str(info.value) == MISSING_MATPLOTLIB
        assert str(info.value) == "plots need matplotlib: pip install 'glassnet[plot]'"
        assert isinstance(info.value, GlassnetError) and isinstance(info.value, ImportError)
    assert not path.exists()
    # the pure function needs no matplotlib
    assert confusion_matrix([0, 1], [1, 1]).tolist() == [[0, 1], [0, 1]]
    assert plots.MISSING_MATPLOTLIB == MISSING_MATPLOTLIB


@needs_matplotlib
def test_matplotlib_that_fails_to_load_is_named(tmp_path):
    # an unknown MPLBACKEND: importing matplotlib raises ValueError from its rcParams
    script = (
        "import sys\n"
        "from glassnet.render.plots import MissingDependencyError, plot_confusion_matrix\n"
        "try:\n"
        f"    plot_confusion_matrix([0, 1], [0, 1], {str(tmp_path / 'g.png')!r})\n"
        "except MissingDependencyError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "MPLBACKEND": "nonsense"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    said = "matplotlib failed to load: ValueError: Key backend: 'nonsense' is not a valid value"
    assert result.stdout.startswith(said)
    assert result.stdout.count("\n") == 1 and not (tmp_path / "g.png").exists()


@needs_matplotlib
def test_a_broken_matplotlib_install_is_named(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # installed, a part missing
    with pytest.raises(MissingDependencyError) as info:
        plot_history(make_history(3), tmp_path / "plot.png")
    assert str(info.value) == (
        f"{BROKEN_MATPLOTLIB}: ModuleNotFoundError: import of matplotlib.figure halted; "
        "None in sys.modules"
    )


def test_diagnostic_plots_refuse_bad_input_and_draw_zero_norms_as_gaps(tmp_path, moons):
    _, X, _, _ = moons
    net = Network([2, 4, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    bad = X.copy()
    bad[3, 0] = np.nan
    for args, kwargs, message in (
        ((net, bad), {}, "every number finite"),
        ((net, X[:, :1]), {}, r"X: expected shape \(m, 2\)"),
        ((net, X), {"bins": 0}, "bins: expected a whole number"),
        (("net", X), {}, "network: expected a Network"),
    ):
        with pytest.raises(ArgumentError, match=message):
            plots.plot_activation_histograms(*args, tmp_path / "a.png", **kwargs)
    with pytest.raises(ArgumentError, match=r"records: expected DiagnosticsCallback\.records"):
        plots.plot_gradient_norms([{"x": 1}], tmp_path / "g.png")
    records = [{"epoch": e, "layers": [{"grad_norm": 0.0}, {"grad_norm": 0.5 / e}]} for e in (1, 2)]
    plots.plot_gradient_norms(records, tmp_path / "g.png")  # layer 1's zeros: a gap
    assert (tmp_path / "g.png").stat().st_size > 0
    zeros = [{"epoch": 1, "layers": [{"grad_norm": 0.0}]}]
    plots.plot_gradient_norms(zeros, tmp_path / "z.png")  # a dead network: still a figure
    with pytest.raises(ArgumentError, match="class index 99999"):
        plots.confusion_matrix([100_000 - 1], [0])


def test_histograms_of_non_finite_activations_and_huge_n_classes_are_refused(tmp_path, moons):
    net, X, _, _ = moons
    broken = net.copy()
    broken.layers[0].W[0, 0] = np.nan
    with pytest.raises(ArgumentError, match="activations on X are not finite"):
        plots.plot_activation_histograms(broken, X, tmp_path / "a.png")
    with pytest.raises(ArgumentError, match="at most 1000"):
        plots.confusion_matrix([1], [0], n_classes=10**5)


def test_histograms_of_activations_beyond_a_floats_spacing(tmp_path):
    # a diverged network's units sit at ~1e15–1e17, constant: NumPy can't cut 40 bins there
    from glassnet import Network
    from glassnet.network import Layer

    X = np.random.default_rng(0).normal(size=(10, 2))
    for bias in (0.0, 1e15, 1e17):
        net = Network(
            [Layer(np.zeros((2, 1)), np.array([bias]), "identity")], loss="half_squared_error"
        )
        plots.plot_activation_histograms(net, X, tmp_path / "h.png")
        assert (tmp_path / "h.png").stat().st_size > 0


def test_all_zero_gradient_norms_keep_the_epochs_axis(tmp_path, monkeypatch):
    records = [{"epoch": e, "layers": [{"grad_norm": 0.0}]} for e in range(1, 6)]
    saved = []
    monkeypatch.setattr(plots, "_save", lambda figure, path: saved.append(figure))
    plots.plot_gradient_norms(records, tmp_path / "g.png")
    ax = saved[0].axes[0]
    assert ax.get_xlim() == (0.5, 5.5) and "log" not in ax.get_ylabel()


def test_a_norm_that_is_not_finite_is_a_gap(tmp_path):
    # DiagnosticsCallback records a norm that is not finite as null (None)
    pytest.importorskip("matplotlib")
    records = [
        {"epoch": 1, "layers": [{"grad_norm": 0.5}, {"grad_norm": None}]},
        {"epoch": 2, "layers": [{"grad_norm": 0.25}, {"grad_norm": 0.1}]},
    ]
    plots.plot_gradient_norms(records, tmp_path / "g.png")
    assert (tmp_path / "g.png").stat().st_size > 0


@needs_matplotlib
def test_decision_regions_of_a_network_whose_output_is_not_finite_are_refused(tmp_path, moons):
    net, X, y, _ = moons
    broken = net.copy()
    broken.layers[0].W[...] = np.nan  # argmax of NaN is 0: the plane would be "class 0"
    with pytest.raises(ArgumentError, match="network: its output is not finite over the plane"):
        plot_decision_boundary(broken, X, y, tmp_path / "d.png")
    assert not (tmp_path / "d.png").exists()


@needs_matplotlib
def test_decision_regions_of_many_classes_put_the_legend_beside_the_plane(tmp_path, monkeypatch):
    saved = []
    monkeypatch.setattr(plots, "_save", lambda figure, path: saved.append(figure))
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(200, 2)), np.arange(200) % 12
    net = Network([2, 8, 12], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    plot_decision_boundary(net, X, y, tmp_path / "d.png")
    ax = saved[0].axes[0]
    saved[0].canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1  # not over the regions


@needs_matplotlib
def test_decision_regions_name_their_axes_as_given(tmp_path, monkeypatch, moons):
    net, X, y, _ = moons
    saved = []
    monkeypatch.setattr(plots, "_save", lambda figure, path: saved.append(figure))
    plot_decision_boundary(net, X, y, tmp_path / "d.png", feature_names=["age", "income"])
    plot_decision_boundary(net, X, y, tmp_path / "d.png")
    assert (saved[0].axes[0].get_xlabel(), saved[0].axes[0].get_ylabel()) == ("age", "income")
    assert saved[1].axes[0].get_xlabel() == "$x_1$"
    with pytest.raises(ArgumentError, match="feature_names: expected 2 names"):
        plot_decision_boundary(net, X, y, tmp_path / "d.png", feature_names=["age"])
