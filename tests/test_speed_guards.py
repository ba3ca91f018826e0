"""Guards of the fast training path that are not timed: no allocation per batch, dtypes kept.

Speed itself is measured side by side in benchmarks/bench.py (BENCHMARKS.md), never
in a unit test.
"""

from __future__ import annotations

import threading
import tracemalloc
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from glassnet import Callback, LambdaCallback, Network, blas
from glassnet.losses import get_loss

from conftest import assert_same_parameters


class TraceBatches(Callback):
    """Traces memory from the end of batch ``start`` to the end of batch ``stop`` of epoch 2."""

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop
        self.peak = None

    def on_batch_end(self, state, batch, logs):
        if state.epoch != 2:
            return
        if batch == self.start:
            tracemalloc.start()
            tracemalloc.reset_peak()
            self.base = tracemalloc.get_traced_memory()[0]
        elif batch == self.stop:
            self.peak = tracemalloc.get_traced_memory()[1] - self.base
            tracemalloc.stop()


def trace_replayed_calls(monkeypatch, trace: TraceBatches) -> None:
    """Have ``trace`` see the batches of a fit with no batch callback.

    Such a fit replays the calls :meth:`Network._step_calls` gave at the epoch's start:
    one more call put first among them marks the end of the batch before.
    """
    take = Network._step_calls
    epochs = []

    def step_calls(self, *args):
        epochs.append(len(epochs) + 1)
        epoch, batch = len(epochs), iter(range(1, 10**6))
        state = SimpleNamespace(epoch=epoch)
        forward, backward = take(self, *args)
        mark = lambda: trace.on_batch_end(state, next(batch) - 1, {})  # noqa: E731
        return [mark, *forward], backward

    monkeypatch.setattr(Network, "_step_calls", step_calls)


# What a traced window of batches may hold without one array allocated per batch:
# Python's small objects (ctypes' arguments, the loss as a float, views of the index
# permutation), 1.3–2.5 KB, with NumPy's iterator buffer cut to 16 numbers (see below).
# An array made per batch shows above it from 1–2 KB, surely from 3 KB: here every
# batch-sized array and every weight matrix (the smallest, 128 × 10, of 5 KB).
SMALL_OBJECTS = 3 * 1024


@pytest.fixture(autouse=True)
def no_tqdm_monitor(monkeypatch):
    """No thread of tqdm's allocating while a window is traced (tracemalloc sees them all).

    A progress bar shown by an earlier test in the process leaves tqdm's monitor thread,
    which wakes every 10 s: in a window it now and then showed as an array per batch.
    """
    from tqdm import std

    monkeypatch.setattr(std.tqdm, "monitor_interval", 0)  # none started while traced
    for thread in threading.enumerate():
        if isinstance(thread, std.TMonitor):  # (tqdm.auto's class keeps its own)
            thread.exit()
    monitors = [t for t in threading.enumerate() if isinstance(t, std.TMonitor)]
    assert not [t for t in monitors if t.is_alive()], monitors


@pytest.fixture
def small_numpy_buffers():
    """NumPy's ufunc buffer at 16 numbers instead of 8,192 for the test.

    A broadcasting ufunc call (z ⊙ a row, the softmax's division by its sums) takes a
    buffer for a moment, up to 32 KB: more than the arrays the guard must catch.
    """
    size = np.getbufsize()
    np.setbufsize(16)
    yield
    np.setbufsize(size)


def guarded_network(dtype):
    return Network(
        [100, 512, 128, 10],
        activations=["relu", "tanh", "softmax"],
        loss="cross_entropy",
        seed=0,
        dtype=dtype,
    )


@pytest.mark.usefixtures("small_numpy_buffers")
@pytest.mark.parametrize("batch_callback", [True, False])
@pytest.mark.parametrize(
    "settings",
    [
        {"optimizer": "sgd"},
        {"optimizer": "momentum"},
        {"optimizer": "adam"},
        {"optimizer": "sgd", "l2": 1e-3},
        {"optimizer": "adam", "l2": 1e-3, "clip_norm": 0.5},
    ],
    ids=lambda settings: "-".join(map(str, settings.values())),
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_allocates_no_array_per_batch(monkeypatch, settings, dtype, batch_callback):
    # with a batch callback fit looks its calls up for each batch, without one it replays
    # those it looked up at the epoch's start: both paths are traced
    batch = 256
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch * 10, 100)).astype(dtype)
    y = rng.integers(0, 10, size=batch * 10)
    trace = TraceBatches(start=2, stop=9)
    if not batch_callback:
        trace_replayed_calls(monkeypatch, trace)
    guarded_network(dtype).fit(
        X,
        y,
        epochs=2,
        batch_size=batch,
        seed=0,
        callbacks=[trace] if batch_callback else [],
        verbose=False,
        **settings,
    )
    assert trace.peak is not None
    assert trace.peak < SMALL_OBJECTS, trace.peak  # seven batches, not one array made


@pytest.mark.usefixtures("small_numpy_buffers")
@pytest.mark.parametrize(
    ("hidden", "output", "loss"),
    [
        ("leaky_relu", "softmax", "cross_entropy"),  # its f′ was a float64 array a batch
        ("elu", "softmax", "cross_entropy"),
        ("softplus", "softmax", "cross_entropy"),
        ("tanh", "identity", "half_squared_error"),  # ℓ, ∂ℓ/∂a and SSE were arrays a batch
        ("relu", "identity", "squared_error"),
        ("tanh", "identity", "mean_squared_error"),
    ],
)
def test_each_built_in_hidden_layer_and_regression_loss_allocate_nothing_per_batch(
    monkeypatch, hidden, output, loss
):
    batch = 256
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch * 10, 100)).astype(np.float32)
    y = rng.integers(0, 3, size=batch * 10) if loss == "cross_entropy" else None
    if y is None:
        y = rng.random((batch * 10, 3)).astype(np.float32)
    net = Network([100, 512, 3], activations=[hidden, output], loss=loss, seed=0, dtype="float32")
    trace = TraceBatches(start=2, stop=9)
    trace_replayed_calls(monkeypatch, trace)
    net.fit(X, y, epochs=2, batch_size=batch, seed=0, verbose=False, optimizer="adam")
    assert trace.peak is not None
    assert trace.peak < SMALL_OBJECTS, trace.peak


def test_a_validation_split_copies_the_held_out_rows_not_the_training_set():
    # the training rows are gathered through their indices: X[rows] copied all of them
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20_000, 100))  # 16 MB
    y = rng.integers(0, 10, size=20_000)
    net = guarded_network("float64")
    X_val, y_val = X[:2_000].copy(), y[:2_000].copy()  # as many rows as the split holds out

    def peak(**validation):
        tracemalloc.start()
        try:
            net.fit(X, y, epochs=1, batch_size=256, verbose=False, **validation)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    given = peak(validation_data=(X_val, y_val))  # (its arrays made before the trace)
    split = peak(validation_split=0.1)
    # the held-out rows' copy, 1.6 MB, and a little: the training set's was 14.4 MB more
    assert split < given + 0.1 * X.nbytes + 0.05 * X.nbytes, (split, given)


def test_the_estimators_early_stopping_copies_the_validation_rows_alone():
    from glassnet.sklearn import MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((20_000, 200)).astype(np.float32)  # 16 MB
    y = rng.integers(0, 10, size=20_000)

    def peak(early_stopping):
        estimator = MLPClassifier(
            hidden_layer_sizes=(64,), max_iter=1, random_state=0, early_stopping=early_stopping
        )
        tracemalloc.start()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # (not converged)
                estimator.fit(X, y)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # the validation rows (1.6 MB) and the stratified split's labels as text (scikit-
    # learn's, ~3 MB: of n, not of X's width), not also the training rows' 14.4 MB
    assert peak(True) < peak(False) + 0.4 * X.nbytes


def test_fit_on_rows_is_fit_on_those_rows_without_copying_them():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4_000, 100))
    y = rng.integers(0, 10, size=4_000)
    rows = rng.permutation(4_000)[:3_000]
    X_rows, y_rows = X[rows], y[rows]
    a, b = guarded_network("float64"), guarded_network("float64")

    def traced(fit):
        tracemalloc.start()
        try:
            return fit(), tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    kw = {"epochs": 2, "batch_size": 64, "seed": 1, "verbose": False}
    history, copied = traced(lambda: a.fit(X_rows, y_rows, **kw))
    again, by_rows = traced(lambda: b.fit(X, y, rows=rows, **kw))
    assert history.history == again.history
    assert all(np.array_equal(p.W, q.W) for p, q in zip(a.layers, b.layers, strict=True))
    # as with the rows' copy made beforehand: none made inside (its 2.4 MB)
    assert by_rows < copied + 0.25 * X_rows.nbytes, (by_rows, copied)
    # negative indices and a mask, as X[rows] takes them
    mask = np.zeros(4_000, dtype=bool)
    mask[rows] = True
    for given in (rows - 4_000, mask):
        c = guarded_network("float64")
        expected = guarded_network("float64")
        expected.fit(X[given], y[given], epochs=1, batch_size=64, seed=1, verbose=False)
        c.fit(X, y, rows=given, epochs=1, batch_size=64, seed=1, verbose=False)
        assert all(np.array_equal(p.W, q.W) for p, q in zip(c.layers, expected.layers, strict=True))


def test_l2_keeps_no_copy_of_the_weights_in_the_workspaces():
    # λW goes through one work array per layer for the fit, not one per batch size
    # (kept with the workspaces after it, and counted against what may be kept)
    def kept_bytes(l2):
        net, X, y = tiny(hidden=64)
        net.fit(X, y, batch_size=16, epochs=1, optimizer="adam", l2=l2, verbose=False)
        return sum(ws.nbytes for kept in net._workspaces.values() for ws in kept)

    assert kept_bytes(1e-3) == kept_bytes(0.0)


@pytest.mark.usefixtures("small_numpy_buffers")
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("alpha", [0.0, 1e-4])
def test_the_estimator_allocates_no_array_per_batch(monkeypatch, solver, alpha):
    # its L2 term α W / n_B (scikit-learn's default α = 1e-4) included
    from glassnet.sklearn import MLPClassifier

    batch = 256
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch * 10, 100)).astype(np.float32)
    y = rng.integers(0, 10, size=batch * 10)
    trace = TraceBatches(start=2, stop=9)
    trace_replayed_calls(monkeypatch, trace)  # the estimator's callback looks at epochs
    estimator = MLPClassifier(
        hidden_layer_sizes=(512, 128),
        solver=solver,
        alpha=alpha,
        batch_size=batch,
        max_iter=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged in two epochs
        estimator.fit(X, y)
    assert trace.peak is not None
    assert trace.peak < SMALL_OBJECTS, trace.peak


def test_float32_stays_float32_through_a_step():
    rng = np.random.default_rng(1)
    net = Network(
        [20, 16, 8, 3],
        activations=["relu", "sigmoid", "softmax"],
        loss="cross_entropy",
        seed=0,
        dtype="float32",
    )
    ws = net.workspace(8)
    X = rng.standard_normal((8, 20)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
    fp = net.forward(X, workspace=ws, dropout=0.5, rng=rng)
    bp = net.backward(fp, Y, workspace=ws)
    arrays = [*fp.z[1:], *fp.a, *bp.delta[1:], *bp.grad_W[1:], *bp.grad_b[1:]]
    arrays += [
        v
        for space in ws.scratch
        for v in vars(space).values()
        if isinstance(v, np.ndarray) and v.dtype != np.bool_
    ]
    assert {a.dtype for a in arrays} == {np.dtype(np.float32)}
    net.fit(X, Y, epochs=2, batch_size=4, optimizer="adam", verbose=False)
    assert {p.dtype for layer in net.layers for p in (layer.W, layer.b)} == {np.dtype(np.float32)}


def small_batch(activations, seed):
    """A 6-7-5-4 classifier and a batch of 9 examples."""
    rng = np.random.default_rng(seed)
    net = Network([6, 7, 5, 4], activations=activations, loss="cross_entropy", seed=seed + 1)
    return net, rng.standard_normal((9, 6)), np.eye(4)[rng.integers(0, 4, 9)]


def assert_workspace_pass_is_the_allocating_one(net, ws, X, Y):
    """Gradients and δ through ``ws`` equal the allocating pass's; returns the forward pass."""
    reference = net.backward(net.forward(X), Y)
    fp = net.forward(X, workspace=ws)
    fast = net.backward(fp, Y, workspace=ws)
    for l in (1, 2, 3):
        np.testing.assert_allclose(fast.grad_W[l], reference.grad_W[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(fast.grad_b[l], reference.grad_b[l], rtol=1e-12, atol=1e-15)
        # the workspace carries the 1/m of the mean in δ
        np.testing.assert_allclose(len(X) * fast.delta[l], reference.delta[l], rtol=1e-12)
    return fp, reference


def test_workspace_step_equals_the_allocating_step():
    net, X, Y = small_batch(["tanh", "relu", "softmax"], 2)
    ws = net.workspace(9)
    _, reference = assert_workspace_pass_is_the_allocating_one(net, ws, X, Y)
    # and the descent inside the pass takes exactly those steps
    before = net.copy()
    fp = net.forward(X, workspace=ws)
    net.backward(fp, Y, workspace=ws, scale=0.1 / 9, descend=True)
    for l, (new, old) in enumerate(zip(net.layers, before.layers, strict=True), start=1):
        np.testing.assert_allclose(new.W, old.W - 0.1 * reference.grad_W[l], rtol=1e-12)
        np.testing.assert_allclose(new.b, old.b - 0.1 * reference.grad_b[l], rtol=1e-12)


def test_hidden_activations_computed_over_z_where_delta_needs_only_a():
    net, X, Y = small_batch(["relu", "leaky_relu", "softmax"], 5)
    ws = net.workspace(9)

    def check():
        return assert_workspace_pass_is_the_allocating_one(net, ws, X, Y)[0]

    fp = check()
    assert fp.a[1] is fp.z[1]  # relu: δ from a alone
    assert fp.a[2] is not fp.z[2]  # leaky_relu: its δ reads z
    assert fp.a[3] is not fp.z[3]  # the output layer keeps z_L (the loss reads it)
    # an activation replaced between steps: the arrays follow it, both ways
    net.layers[0].activation, net.layers[1].activation = (
        net.layers[1].activation,
        net.layers[0].activation,
    )
    fp = check()
    assert fp.a[1] is not fp.z[1] and fp.a[2] is fp.z[2]


def test_large_predictions_in_chunks_equal_one_pass():
    rng = np.random.default_rng(4)
    net = Network([5, 9, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    X = rng.standard_normal((2500, 5))  # more than PREDICT_CHUNK rows
    np.testing.assert_allclose(net.predict_proba(X), net.forward(X).a[-1], rtol=1e-12)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_explain_imports_nothing_heavy(fmt):
    # `glassnet explain` must start fast: scikit-learn, matplotlib, tqdm and SciPy stay
    # out of its path (they are imported where used), and so do glassnet's own modules
    # it never calls, which an uncached run would compile (PYTHONDONTWRITEBYTECODE)
    import subprocess
    import sys

    from conftest import EXAMPLES

    unused = [
        "sklearn",
        "matplotlib",
        "tqdm",
        "scipy",
        "glassnet.train",
        "glassnet.jobs",
        "glassnet.io",
        "glassnet.optimizers",
        "glassnet.check",
        "glassnet.diagnose",
        "glassnet.data",
        "glassnet.sklearn",
        "glassnet.render.html",
        "glassnet.render.markdown",
        "glassnet.render.plots",
    ]
    code = (
        "import sys; from glassnet.cli import main; "
        f"main(['explain', {str(EXAMPLES[1])!r}, '--format', {fmt!r}]); "
        f"sys.stderr.write(repr([m for m in {unused!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr == "[]"


def test_training_calls_numpys_own_blas_where_numpy_has_one():
    # a regression to the NumPy fallback would be silent but slower: it must not happen
    # where NumPy's wheel carries its OpenBLAS (as on these machines)
    import ctypes
    import glob
    import os

    from glassnet import blas

    if not glob.glob(os.path.dirname(np.__file__) + ".libs/libscipy_openblas*"):
        pytest.fail("this NumPy has no OpenBLAS of its own: the benchmarks would not apply")
    blas._library.cache_clear()
    net = Network([4, 5, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    ws = net.workspace(6)
    products = ws.products(net)
    for call in (products.z[1], products.back[1], products.step_W[2], products.step_b[1]):
        assert isinstance(call.func, ctypes._CFuncPtr)


def test_the_numpy_fallback_trains_the_same(monkeypatch):
    from glassnet import blas

    rng = np.random.default_rng(5)
    X = rng.standard_normal((100, 6)).astype(np.float32)
    y = rng.integers(0, 3, 100)

    def train():
        blas._library.cache_clear()
        net = Network(
            [6, 8, 3],
            activations=["relu", "softmax"],
            loss="cross_entropy",
            seed=0,
            dtype="float32",
        )
        history = net.fit(X, y, epochs=3, batch_size=16, seed=1, verbose=False)
        return net, history

    fast, h_fast = train()
    monkeypatch.setenv("GLASSNET_BLAS", "numpy")
    slow, h_slow = train()
    blas._library.cache_clear()
    for a, b in zip(fast.layers, slow.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(h_fast["loss"], h_slow["loss"], rtol=1e-5)


def test_a_backward_pass_in_a_workspace_needs_its_forward_pass_there():
    from glassnet import ArgumentError

    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X, Y = np.ones((5, 3)), np.eye(2)[[0, 1, 0, 1, 1]]
    with pytest.raises(ArgumentError, match="fp: expected the forward pass"):
        net.backward(net.forward(X), Y, workspace=net.workspace(5))


@pytest.mark.parametrize("descend", [False, True])
def test_the_workspace_step_with_dropout_equals_the_allocating_one(descend):
    rng = np.random.default_rng(9)
    X = rng.standard_normal((7, 5))
    Y = np.eye(3)[rng.integers(0, 3, 7)]
    net = Network([5, 6, 4, 3], ["relu", "tanh", "softmax"], "cross_entropy", seed=1)
    ws = net.workspace(7)
    for _ in range(2):  # the second time through the calls kept from the first
        reference_net = net.copy()
        fp0 = reference_net.forward(X, dropout=0.3, rng=np.random.default_rng(4))
        reference = reference_net.backward(fp0, Y)
        fp = net.forward(X, dropout=0.3, rng=np.random.default_rng(4), workspace=ws)
        for l in (1, 2):  # the same masks from the same draws
            np.testing.assert_array_equal(fp.masks[l], fp0.masks[l])
        bp = net.backward(fp, Y, workspace=ws, scale=0.1 / 7, descend=descend)
        for l, (new, old) in enumerate(zip(net.layers, reference_net.layers, strict=True), 1):
            if descend:
                np.testing.assert_allclose(new.W, old.W - 0.1 * reference.grad_W[l], rtol=1e-12)
            else:
                np.testing.assert_allclose(bp.grad_W[l], 0.1 * reference.grad_W[l], rtol=1e-12)


def fit_twice(first, second, swap_arrays=False):
    """Weights after ``second`` on a network that ran ``first``, and on a fresh twin.

    Both start ``second`` from the same weights: the first network's are put back,
    in place or (``swap_arrays``) as new arrays.
    """
    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 6))
    labels = rng.integers(0, 4, 50)
    soft = rng.dirichlet(np.ones(4), size=50)
    data = {"labels": labels, "soft": soft}
    used = Network(
        [6, 9, 7, 4], activations=["relu", "tanh", "softmax"], loss="cross_entropy", seed=4
    )
    start = [(layer.W.copy(), layer.b.copy()) for layer in used.layers]
    twin = used.copy()
    used.fit(X, data[first.pop("y")], verbose=False, **first)
    for layer, (W, b) in zip(used.layers, start, strict=True):
        if swap_arrays:
            layer.W, layer.b = W.copy(), b.copy()
        else:
            layer.W[...], layer.b[...] = W, b
    y = data[second.pop("y")]
    h1 = used.fit(X, y, verbose=False, seed=2, **second)
    h2 = twin.fit(X, y, verbose=False, seed=2, **second)
    return used, twin, h1, h2


@pytest.mark.parametrize(
    "first, second",
    [
        # the loss tallied per epoch (one-hot targets), then computed per batch (soft ones)
        ({"y": "labels", "batch_size": 8}, {"y": "soft", "batch_size": 8}),
        ({"y": "soft", "batch_size": 8}, {"y": "labels", "batch_size": 8}),
        (
            {"y": "labels", "batch_size": 8, "dropout": 0.3, "seed": 1},
            {"y": "labels", "batch_size": 8},
        ),
        ({"y": "labels", "batch_size": 8, "optimizer": "adam"}, {"y": "labels", "batch_size": 8}),
        ({"y": "labels", "batch_size": 8}, {"y": "labels", "batch_size": 8, "optimizer": "adam"}),
        ({"y": "labels", "batch_size": 8, "learning_rate": 0.5}, {"y": "labels", "batch_size": 8}),
    ],
)
@pytest.mark.parametrize("swap_arrays", [False, True])
def test_a_fit_in_kept_workspaces_equals_one_in_fresh_ones(first, second, swap_arrays):
    used, twin, h1, h2 = fit_twice(dict(first), dict(second), swap_arrays)
    assert len(used._workspaces) == 2  # batches of 8 and the last one of 2, kept
    assert_same_parameters(used, twin)
    assert h1.history == h2.history


def tiny(hidden=8):
    """A 5-hidden-3 classifier and 40 examples with class indices."""
    rng = np.random.default_rng(0)
    net = Network([5, hidden, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    return net, rng.standard_normal((40, 5)), rng.integers(0, 3, 40)


def test_the_next_fit_takes_the_kept_workspaces(monkeypatch):
    from glassnet import network as network_module

    net, X, y = tiny()
    net.fit(X, y, batch_size=16, epochs=2, verbose=False)
    made = []
    monkeypatch.setattr(
        network_module.Workspace, "__init__", lambda *a, **k: made.append(a) or None
    )
    net.fit(X, y, batch_size=16, epochs=2, verbose=False)  # batches of 16 and of 8
    assert made == []
    # the epoch's loss arrays are let go: the softmax's numbers are its own again
    for (ws,) in net._workspaces.values():
        assert all(v.base is None for v in vars(ws.scratch[-1]).values() if hasattr(v, "base"))


@pytest.mark.parametrize(
    ("callbacks", "lookups"),
    [
        ([], 2 * 3),  # per epoch: the batches of 16 and the last one of 8
        ([LambdaCallback(on_epoch_end=lambda state, epoch, logs: None)], 2 * 3),
        ([LambdaCallback(on_batch_end=lambda state, batch, logs: None)], 3 * 3),
    ],
)
def test_a_fit_looks_up_its_step_once_per_epoch_and_batch_size(monkeypatch, callbacks, lookups):
    # ...and for each batch where a callback runs between batches (it may replace a layer)
    net, X, y = tiny()
    found = []
    take = Network._step_calls
    monkeypatch.setattr(
        Network, "_step_calls", lambda self, *args: found.append(args[0].m) or take(self, *args)
    )
    net.fit(X, y, batch_size=16, epochs=3, callbacks=callbacks, verbose=False)
    assert len(found) == lookups
    assert sorted(set(found)) == [8, 16]


def test_a_learning_rate_a_batch_callback_sets_serves_the_next_batch():
    net, X, y = tiny()
    start = net.copy()
    after_first = []

    def stop_learning(state, batch, logs):
        if not after_first:
            after_first.append(state.network.copy())
        state.optimizer.learning_rate = 0.0

    net.fit(
        X,
        y,
        batch_size=16,
        epochs=2,
        learning_rate=0.5,
        callbacks=[LambdaCallback(on_batch_end=stop_learning)],
        verbose=False,
    )
    # the first batch's step was taken; every later one, with η = 0, left W and b as
    # they were (W − 0 · a_{l−1}ᵀ δ_l is W itself)
    assert not np.array_equal(after_first[0].layers[0].W, start.layers[0].W)
    assert_same_parameters(net, after_first[0])


def test_a_large_workspace_is_not_kept(monkeypatch):
    from glassnet import network as network_module

    net, X, y = tiny()
    monkeypatch.setattr(network_module, "KEEP_BYTES", net.workspace(40).nbytes - 1)
    net.fit(X, y, batch_size=None, epochs=2, verbose=False)  # one batch of all 40
    assert not any(key[0] for key in net.__dict__.get("_workspaces", {}))
    net.fit(X, y, batch_size=8, epochs=2, verbose=False)
    assert [key[:2] for key in net._workspaces] == [(True, 8)]
    # prediction workspaces (chunks of at most PREDICT_CHUNK rows) as well, but for the
    # full chunk's, which every large prediction takes again (fresh, its page faults cost a
    # wide shallow network a third of its time); a wide network predicting batches of many
    # sizes would keep 8 leftover chunks of up to hundreds of MiB each
    chunk = network_module.PREDICT_CHUNK
    leftover = chunk - 1
    large = network_module.Workspace(net, leftover, training=False).nbytes
    monkeypatch.setattr(network_module, "KEEP_BYTES", large - 1)
    made = []
    workspace = network_module.Network._workspace
    monkeypatch.setattr(
        network_module.Network,
        "_workspace",
        lambda self, m, **kw: made.append(m) or workspace(self, m, **kw),
    )
    X = np.zeros((3 * chunk + leftover, 5))
    np.testing.assert_allclose(net.output(X), net.forward(X).a[-1], rtol=1e-12)
    assert made == [chunk, leftover]  # one per chunk size, for all the chunks of a call
    assert sorted(key[:2] for key in net._workspaces) == [(False, chunk), (True, 8)]
    key = (False, chunk, net.dtype, tuple(net.sizes))
    (kept,) = net._workspaces[key]
    net.output(X[: chunk + 1])  # the kept chunk's again, and a small leftover's (kept too)
    assert net._workspaces[key] == [kept]
    assert sorted(key[:2] for key in net._workspaces) == [(False, 1), (False, chunk), (True, 8)]


def test_a_changed_loss_is_taken_by_the_next_fit():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((30, 3)), rng.standard_normal((30, 2))
    used = Network([3, 4, 2], activations=["tanh", "identity"], loss="half_squared_error", seed=0)
    start = [(layer.W.copy(), layer.b.copy()) for layer in used.layers]
    used.fit(X, Y, batch_size=8, epochs=2, seed=0, verbose=False)
    for layer, (W, b) in zip(used.layers, start, strict=True):
        layer.W[...], layer.b[...] = W, b
    twin = used.copy()
    used.loss = twin.loss = get_loss("squared_error")  # neither fused with identity
    h1 = used.fit(X, Y, batch_size=8, epochs=3, seed=1, verbose=False)
    h2 = twin.fit(X, Y, batch_size=8, epochs=3, seed=1, verbose=False)
    assert h1.history == h2.history
    for a, b in zip(used.layers, twin.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)


def test_a_fit_inside_a_fits_callback_has_workspaces_of_its_own(monkeypatch):
    from glassnet import LambdaCallback
    from glassnet import network as network_module

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5))
    # targets whose rows sum to 0.5: δ_L = a Σ_j y_j − y, which one-hot rows would make a − y
    soft, labels = 0.5 * rng.dirichlet(np.ones(3), size=40), rng.integers(0, 3, 40)

    def run():
        net = tiny()[0]

        def inner(state, batch, logs):
            if batch == 2:  # one-hot targets: the inner fit tallies its loss per epoch
                net.fit(X, labels, batch_size=8, epochs=1, seed=3, verbose=False)

        net.fit(X, labels, batch_size=8, epochs=1, seed=5, verbose=False)  # leaves workspaces
        history = net.fit(
            X,
            soft,
            batch_size=8,
            epochs=2,
            seed=0,
            callbacks=[LambdaCallback(on_batch_end=inner)],
            verbose=False,
        )
        return history.history, [layer.W.copy() for layer in net.layers]

    kept = run()
    monkeypatch.setattr(network_module, "KEEP_BYTES", -1)  # every fit makes its own
    fresh = run()
    assert kept[0] == fresh[0]
    for a, b in zip(kept[1], fresh[1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_kept_workspaces_keep_no_network_alive():
    import gc
    import weakref

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2100, 5)), rng.integers(0, 3, 2100)
    gc.disable()  # freed by reference counting alone, without the cycle collector
    try:
        net = tiny()[0]
        net.fit(X, y, batch_size=64, epochs=1, dropout=0.2, seed=0, verbose=False)
        net.predict(X)  # chunks through prediction workspaces
        assert len(net._workspaces) == 4
        alive = weakref.ref(net)
        del net
        assert alive() is None
    finally:
        gc.enable()


def test_release_workspaces_lets_them_go():
    net, X, y = tiny()
    net.fit(X, y, batch_size=16, epochs=1, verbose=False)
    assert net._workspaces
    net.release_workspaces()
    assert "_workspaces" not in vars(net)
    net.fit(X, y, batch_size=16, epochs=1, verbose=False)  # and makes new ones
    assert len(net._workspaces) == 2


def test_a_workspace_outlives_the_network_it_was_prepared_for():
    import copy

    net = Network([4, 6, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    ws = net.workspace(5)
    X = np.random.default_rng(0).standard_normal((5, 4))
    expected = net.forward(X, dropout=0.3, rng=np.random.default_rng(1)).a[-1]
    net.forward(X, workspace=ws, dropout=0.3, rng=np.random.default_rng(1))
    twin = copy.copy(net)  # the same layers
    del net  # the workspace's products held it weakly: prepared again for the twin
    got = twin.forward(X, workspace=ws, dropout=0.3, rng=np.random.default_rng(1)).a[-1]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_workspaces_in_use_at_once_are_all_kept():
    # threads predicting at once each take a workspace of the same shape
    net, _, _ = tiny()
    taken = [net._workspace(64, training=False) for _ in range(3)]
    assert len({id(ws) for ws in taken}) == 3
    for ws in taken:
        net._keep(ws)
    again = [net._workspace(64, training=False) for _ in range(3)]
    assert {id(ws) for ws in again} == {id(ws) for ws in taken}
    for ws in again:
        net._keep(ws)
    for m in range(1, 20):  # the most recently used are kept, KEEP_COUNT in all
        net._keep(net._workspace(m, training=False))
    from glassnet.network import KEEP_COUNT

    assert sum(map(len, net._workspaces.values())) == KEEP_COUNT
    assert max(key[1] for key in net._workspaces) == 19


def test_keeping_a_workspace_never_raises():
    (net, _, _), (other, _, _) = tiny(), tiny(hidden=9)
    ws = net._workspace(4, training=True)
    other._keep(ws)  # of other sizes: not kept
    assert "_workspaces" not in vars(other)
    net.layers = []  # a network emptied, as a callback might
    net._keep(ws)
    assert "_workspaces" not in vars(net)


def test_relu_takes_a_row_of_zeros_only_for_large_wide_arrays():
    from types import SimpleNamespace

    from glassnet.activations import LARGE, WIDE, get_activation

    relu = get_activation("relu")
    rng = np.random.default_rng(0)
    for shape, row in [((1024, 256), True), ((LARGE // 2 + 1, 2), False), ((128, 256), False)]:
        assert (shape[0] * shape[1] > LARGE and shape[1] >= WIDE) == row
        z = rng.standard_normal(shape)
        out, space = np.empty_like(z), SimpleNamespace()
        relu.apply(z, out, space)
        np.testing.assert_array_equal(out, np.maximum(z, 0))
        assert space.zeros.shape == (shape[1:] if row else shape)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_weights_and_workspace_start_on_cache_lines(dtype):
    net = Network([784, 256, 128, 10], activations=["relu", "relu", "softmax"], dtype=dtype)
    ws = net.workspace(128)
    arrays = [layer.W for layer in net.layers] + [layer.b for layer in net.layers]
    arrays += [ws.X, ws.Y, *ws.z[1:], *ws.a, *ws.delta[1:], *ws.grad_W[1:], *ws.grad_b[1:]]
    large = [a for a in arrays if a.nbytes >= blas.ALIGN_FROM]
    assert len(large) >= 10
    assert all(a.ctypes.data % blas.ALIGNMENT == 0 for a in large)


def test_the_estimators_weights_start_on_cache_lines():
    from glassnet.sklearn import MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 80)).astype(np.float32)
    clf = MLPClassifier(hidden_layer_sizes=(64,), max_iter=1, random_state=0)
    with pytest.warns(Warning):  # one epoch does not converge
        clf.fit(X, rng.integers(0, 3, 40))
    W = clf.network_.layers[0].W
    assert W.nbytes >= blas.ALIGN_FROM and W.ctypes.data % blas.ALIGNMENT == 0


def test_copies_and_loaded_networks_keep_their_weights_on_cache_lines(tmp_path):
    from glassnet import io

    net = Network([784, 64, 10], activations=["relu", "softmax"], dtype="float32", seed=0)
    path = tmp_path / "net.npz"
    io.save_model(net, path)
    for other in (net.copy(), io.load_model(path)[0]):
        W = other.layers[0].W
        assert W is not net.layers[0].W and np.array_equal(W, net.layers[0].W)
        assert W.ctypes.data % blas.ALIGNMENT == 0


def test_the_package_names_its_public_api_and_imports_each_name_from_its_module():
    # `import glassnet` imports the network and its gradient check only; each name is found
    # in its module on first use, and the names type checkers see are the same ones
    import ast
    import importlib
    import pkgutil
    import subprocess
    import sys

    import glassnet

    with open(glassnet.__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    checked = next(node for node in tree.body if isinstance(node, ast.If))  # TYPE_CHECKING
    static = {
        alias.name: node.module
        for node in checked.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert static == glassnet._MODULE_OF
    bound = ["GradcheckResult", "gradcheck", "__version__"]  # at import
    assert sorted(glassnet.__all__) == sorted([*static, *bound])
    for name, module in static.items():
        assert getattr(glassnet, name) is getattr(importlib.import_module(module), name)
        assert name in dir(glassnet)
    with pytest.raises(AttributeError, match="no attribute 'Netwrok'"):
        _ = glassnet.Netwrok
    assert glassnet.diagnose is importlib.import_module("glassnet.diagnose")  # as before
    assert not hasattr(glassnet, "__main__")  # (importing it would run the command line)
    assert not hasattr(glassnet, "x.y") and not hasattr(glassnet, "..")
    assert {"io", "render", "train"} <= set(dir(glassnet))
    assert not {"importlib", "annotations", "Any", "_EXPORTS"} & set(dir(glassnet))
    modules = {m.name for m in pkgutil.iter_modules(glassnet.__path__)} - {"__main__"}
    assert modules == {*glassnet._SUBMODULES, "gradcheck"}
    import glassnet.gradcheck  # the module, imported again: the name stays the function

    assert glassnet.gradcheck is glassnet.gradcheck.__globals__["gradcheck"]
    code = "import sys, glassnet; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.split()
    assert "glassnet.network" in loaded and "glassnet.gradcheck" in loaded
    assert not {"glassnet.train", "glassnet.io", "glassnet.spec", "glassnet.trace"} & set(loaded)
