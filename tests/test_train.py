"""fit: learning, reproducibility, validation, early stopping, callbacks, regularisation."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

import glassnet.train as train_module
from glassnet import (
    ArgumentError,
    Callback,
    EarlyStopping,
    Network,
    TrainingError,
    explain_step,
    load_spec,
)
from glassnet.io import export_spec
from glassnet.metrics import r2_score
from glassnet.network import Layer
from glassnet.optimizers import SGD, Adaptive, get_optimizer
from glassnet.train import LambdaCallback

from conftest import (
    EXAMPLES,
    OUTPUT_LOSS,
    assert_same_parameters,
    random_batch,
    random_network,
)


def blobs(seed=0, n=200, classes=3):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=4, size=(classes, 2))
    y = rng.integers(0, classes, size=n)
    return centers[y] + rng.normal(size=(n, 2)), y


def test_learns_and_reports_history():
    X, y = blobs()
    net = Network([2, 16, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    history = net.fit(
        X,
        y,
        epochs=30,
        optimizer="adam",
        learning_rate=0.05,
        seed=0,
        validation_split=0.2,
        verbose=False,
    )
    assert history.epoch == list(range(1, 31))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"):
        assert len(history[key]) == 30
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] >= 0.85
    assert net.evaluate(X, y)["accuracy"] >= 0.85
    assert net.predict(X).shape == (200,)
    np.testing.assert_allclose(net.predict_proba(X).sum(axis=1), 1.0)


def test_full_batch_descent_decreases_the_loss_every_epoch():
    X, y = blobs(1)
    net = Network([2, 8, 3], activations=["sigmoid", "softmax"], loss="cross_entropy", seed=1)
    history = net.fit(
        X,
        y,
        epochs=100,
        batch_size=None,
        optimizer="sgd",
        learning_rate=0.05,
        shuffle=False,
        verbose=False,
    )
    losses = history["loss"]
    assert all(b < a for a, b in itertools.pairwise(losses))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_seed_same_weights_and_history_bit_for_bit(dtype):
    X, y = blobs(2)

    def train():
        net = Network(
            [2, 8, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=3, dtype=dtype
        )
        history = net.fit(
            X,
            y,
            epochs=5,
            batch_size=16,
            optimizer="adam",
            seed=7,
            dropout=0.2,
            validation_split=0.25,
            verbose=False,
        )
        return net, history

    (a, ha), (b, hb) = train(), train()
    assert ha.history == hb.history
    for la, lb in zip(a.layers, b.layers, strict=True):
        np.testing.assert_array_equal(la.W, lb.W)


def test_spec_network_trains_like_a_loop_of_explained_steps():
    spec = load_spec(EXAMPLES[1])  # seed 001
    net = spec.network.copy()
    history = net.fit(
        spec.X,
        spec.Y,
        epochs=1000,
        batch_size=None,
        optimizer="sgd",
        learning_rate=spec.learning_rate,
        shuffle=False,
        verbose=False,
    )
    stepped = spec.network.copy()
    for _ in range(1000):
        trace = explain_step(stepped, spec.X, spec.Y, spec.learning_rate)
        for layer, t in zip(stepped.layers, trace.layers, strict=True):
            layer.W[...] = t.W_new
            layer.b[...] = t.b_new
    assert history["loss"][-1] < history["loss"][0]
    for a, b in zip(net.layers, stepped.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=1e-12)
    assert net.loss_value(spec.X, spec.Y) == pytest.approx(
        stepped.loss_value(spec.X, spec.Y), rel=1e-12
    )


def test_early_stopping_restores_the_best_weights():
    X, y = blobs(4, n=120)
    net = Network([2, 32, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    snapshots = {}

    class Keep(Callback):
        def on_epoch_end(self, state, epoch, logs):
            snapshots[epoch] = state.network.layers[0].W.copy()

    history = net.fit(
        X,
        y,
        epochs=300,
        optimizer="adam",
        learning_rate=0.05,
        seed=0,
        validation_split=0.3,
        callbacks=[Keep(), EarlyStopping("val_loss", patience=5)],
        verbose=False,
    )
    assert history.stopped_epoch is not None and history.stopped_epoch < 300
    best = int(np.argmin(history["val_loss"])) + 1
    assert history.best_epoch == best
    np.testing.assert_array_equal(net.layers[0].W, snapshots[best])


def test_a_callback_can_stop_training_and_sees_every_batch():
    X, y = blobs(5, n=64)
    batches = []

    class Stop(Callback):
        def on_batch_end(self, state, batch, logs):
            batches.append((state.epoch, batch, logs["size"]))

        def on_epoch_end(self, state, epoch, logs):
            if epoch == 3:
                state.stop_training = True

    net = Network([2, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    history = net.fit(X, y, epochs=50, batch_size=30, callbacks=[Stop()], verbose=False)
    assert history.epoch == [1, 2, 3] and history.stopped_epoch == 3
    assert [b[1] for b in batches if b[0] == 1] == [1, 2, 3]
    assert [b[2] for b in batches if b[0] == 1] == [30, 30, 4]


def test_plain_function_callback():
    X, y = blobs(6, n=40)
    seen = []
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    net.fit(
        X, y, epochs=4, callbacks=[lambda state, epoch, logs: seen.append(epoch)], verbose=False
    )
    assert seen == [1, 2, 3, 4]


def test_l2_decays_weights_not_biases():
    X, y = blobs(7, n=60)
    Y = np.eye(3)[y]
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    reference = net.copy()
    net.fit(X, Y, epochs=1, batch_size=None, learning_rate=0.1, l2=0.5, verbose=False)
    bp = reference.gradients(X, Y)
    W0 = reference.layers[0].W
    np.testing.assert_allclose(net.layers[0].W, W0 - 0.1 * (bp.grad_W[1] + 0.5 * W0))
    np.testing.assert_allclose(net.layers[0].b, reference.layers[0].b - 0.1 * bp.grad_b[1])


@pytest.mark.parametrize("l2", [1e-5, 1e-6])
def test_l2_in_float32_acts_as_in_float64(l2):
    # ηλ = 1e-7 and 1e-8: a step W ← (1 − ηλ) W − … would round 1 − ηλ in float32
    # (to 1 below ~3e-8, 19 % off at 1e-7); λW added to the gradient keeps its effect
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 8))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)

    def weights(dtype, l2):
        net = Network([8, 2], activations=["softmax"], loss="cross_entropy", seed=1, dtype=dtype)
        net.fit(X, y, epochs=50, batch_size=32, learning_rate=0.01, l2=l2, seed=3, verbose=False)
        return net.layers[0].W.astype(np.float64)

    exact = weights("float64", l2) - weights("float64", 0.0)
    single = weights("float32", l2) - weights("float32", 0.0)
    assert 0.9 < float((single * exact).sum() / (exact * exact).sum()) < 1.1


def test_momentum_a_callback_turns_on_takes_effect(monkeypatch):
    # plain SGD takes its steps inside the backward pass; with momentum from epoch 2
    # on, fit steps through the optimizer (read again where the calls are looked up)
    X, y = blobs(13, n=64)
    net = Network([2, 5, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    opt = SGD(learning_rate=0.05, momentum=0.0)
    steps = []
    take = SGD.step
    monkeypatch.setattr(SGD, "step", lambda self, *a: steps.append(1) or take(self, *a))

    def warm(state, epoch, logs):
        state.optimizer.momentum = 0.9

    callbacks = [LambdaCallback(warm)]
    net.fit(X, y, epochs=3, batch_size=16, optimizer=opt, callbacks=callbacks, verbose=False)
    assert len(steps) == 2 * 4  # epochs 2 and 3, four batches each


def _objective(weights, X, Y, l2):
    """J = mean cross-entropy of a tanh-softmax network + (λ/2) Σ‖W‖², computed apart."""
    (W1, b1), (W2, b2) = weights
    z = np.tanh(X @ W1 + b1) @ W2 + b2
    log_a = z - z.max(axis=1, keepdims=True)
    log_a -= np.log(np.exp(log_a).sum(axis=1, keepdims=True))
    return -(Y * log_a).sum(axis=1).mean() + 0.5 * l2 * ((W1**2).sum() + (W2**2).sum())


def _weights(net):
    return [(layer.W.copy(), layer.b.copy()) for layer in net.layers]


def test_full_batch_l2_loss_of_an_epoch_is_the_objective_at_its_start():
    X, y = blobs(7, n=60)
    Y = np.eye(3)[y]
    net = Network([2, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    start = _weights(net)
    history = net.fit(X, y, epochs=1, batch_size=None, learning_rate=0.5, l2=1.0, verbose=False)
    np.testing.assert_allclose(history["loss"][0], _objective(start, X, Y, 1.0), rtol=1e-13)
    # not the penalty at the weights after the update (the old mixture)
    assert abs(history["loss"][0] - _objective(_weights(net), X, Y, 1.0)) > 0.1


@pytest.mark.parametrize("batch_size", [7, 30])
def test_l2_loss_of_each_batch_and_epoch_is_taken_at_the_weights_before_the_update(batch_size):
    X, y = blobs(8, n=30)
    Y = np.eye(3)[y]
    net = Network([2, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=1)
    before = [_weights(net)]  # the weights before each batch

    class Watch(Callback):
        def __init__(self):
            self.logs = []

        def on_batch_end(self, state, batch, logs):
            self.logs.append((logs["loss"], logs["size"]))
            before.append(_weights(state.network))

    watch = Watch()
    history = net.fit(
        X,
        y,
        epochs=2,
        batch_size=batch_size,
        optimizer="adam",
        learning_rate=0.1,
        l2=0.3,
        shuffle=False,
        callbacks=[watch],
        verbose=False,
    )
    starts = range(0, 30, batch_size)
    expected = [
        _objective(w, X[s : s + batch_size], Y[s : s + batch_size], 0.3)
        for w, s in zip(before[:-1], [*starts, *starts], strict=True)  # two epochs
    ]
    np.testing.assert_allclose([loss for loss, _ in watch.logs], expected, rtol=1e-13)
    sizes = [size for _, size in watch.logs]
    per_epoch = len(starts)
    for epoch in range(2):
        part = slice(epoch * per_epoch, (epoch + 1) * per_epoch)
        mean = np.dot(expected[part], sizes[part]) / 30
        np.testing.assert_allclose(history["loss"][epoch], mean, rtol=1e-13)


@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
def test_fit_takes_the_steps_of_step_over_the_same_batches(output: str, loss: str) -> None:
    """fit's in-place pass (a workspace's; η/m folded into δ_L) against Network.step's
    allocating one, which explanations record: one epoch of 10 examples, unshuffled, in
    batches of 4, 4 and 2 (the last one's mean over its own 2). The cross-entropy's targets
    are probabilities whose rows do not sum to 1 (δ = a Σy − y, not a − y)."""
    rng = np.random.default_rng(3)
    net = random_network(rng, [3, 4, 3], ["tanh", output], loss)
    X, Y = random_batch(rng, net, 10)
    if loss == "cross_entropy":
        Y = rng.uniform(0, 1, size=Y.shape)
    reference, before = net.copy(), net.copy()
    for start in range(0, 10, 4):
        reference.step(X[start : start + 4], Y[start : start + 4], 0.3)
    net.fit(X, Y, epochs=1, batch_size=4, shuffle=False, learning_rate=0.3, verbose=False)
    for a, b in zip(net.layers, reference.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(a.b, b.b, rtol=1e-12, atol=1e-14)
    assert not np.allclose(net.layers[-1].W, before.layers[-1].W)  # steps were taken


def test_gradient_clipping_bounds_the_step():
    X, y = blobs(8, n=50)
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    before = net.copy()
    net.fit(X, y, epochs=1, batch_size=None, learning_rate=1.0, clip_norm=1e-3, verbose=False)
    step = np.sqrt(
        sum(
            ((a.W - b.W) ** 2).sum() + ((a.b - b.b) ** 2).sum()
            for a, b in zip(net.layers, before.layers, strict=True)
        )
    )
    assert step == pytest.approx(1e-3, rel=1e-9)


def test_gradient_clipping_in_float32_where_the_squares_overflow():
    """Gradients of ~1e20: their squares overflow float32 (a norm of ∞ made every gradient
    0, and the step silently none); the norm itself does not. The step is η · clip_norm."""
    net = Network([1, 1], activations=["identity"], dtype="float32", seed=0)
    before = net.copy()
    X = np.array([[1e15], [2e15]], dtype=np.float32)
    y = np.array([1e5, 0.0], dtype=np.float32)
    net.fit(X, y, epochs=1, batch_size=2, learning_rate=0.1, clip_norm=1.0, shuffle=False,
            verbose=False)  # fmt: skip
    moved = np.hypot(net.layers[0].W - before.layers[0].W, net.layers[0].b - before.layers[0].b)
    assert float(moved[0, 0]) == pytest.approx(0.1, rel=1e-6)


def test_l2_penalty_in_float32_where_the_squares_overflow():
    """The reported (λ/2)‖W‖² of weights of 1e20 (squares beyond float32) is finite."""
    net = Network([2, 1], activations=["identity"], dtype="float32", seed=0)
    net.layers[0].W[...] = 1e20
    W = net.layers[0].W.astype(np.float64)
    assert train_module._penalty(net, 0.5) == pytest.approx(0.25 * float((W**2).sum()))


def test_dropout_masks_the_backward_pass_too():
    rng = np.random.default_rng(0)
    net = Network([3, 6, 2], activations=["tanh", "identity"], loss="half_squared_error", seed=0)
    X, Y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    fp = net.forward(X, dropout=0.5, rng=np.random.default_rng(1))
    mask = fp.masks[1]
    assert set(np.unique(mask)) == {0.0, 2.0}  # some units dropped, the rest scaled by 2
    bp = net.backward(fp, Y)
    # finite differences of the loss with the same mask held fixed
    h = 1e-6
    W = net.layers[0].W
    numeric = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        W[i] += h
        up = net.example_losses(net.forward(X, dropout=0.5, rng=np.random.default_rng(1)), Y)
        W[i] -= 2 * h
        down = net.example_losses(net.forward(X, dropout=0.5, rng=np.random.default_rng(1)), Y)
        W[i] += h
        numeric[i] = (up.mean() - down.mean()) / (2 * h)
    np.testing.assert_allclose(bp.grad_W[1], numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("dropout", [None, [], np.array([]), [0.5]])
def test_dropout_needs_one_rate_or_one_per_hidden_layer(dropout):
    X, y = blobs(11, n=20)
    net = Network([2, 4, 4, 3], activations=["relu", "relu", "softmax"], loss="cross_entropy")
    with pytest.raises(ArgumentError, match=r"^dropout: .*a list of 2 such rates"):
        net.fit(X, y, dropout=dropout, verbose=False)


def test_dropout_rates_a_callback_changes_in_place_serve_from_the_next_epoch():
    # as the learning rate: annealing dropout from a callback; a rate made invalid is named
    X, y = blobs(12, n=40)
    sizes, acts = [2, 6, 5, 3], ["relu", "relu", "softmax"]
    settings = {"batch_size": 8, "shuffle": False, "verbose": False}
    rates = [0.5, 0.5]

    def dropout_off(state, epoch, logs):
        rates[:] = [0.0, 0.0]

    annealed = Network(sizes, activations=acts, loss="cross_entropy", seed=0)
    history = annealed.fit(
        X, y, epochs=3, dropout=rates, seed=5, callbacks=[LambdaCallback(dropout_off)], **settings
    )
    # without shuffling, epochs without dropout draw no random numbers: the same as a
    # fit of one epoch with dropout, then one of two epochs without
    twin = Network(sizes, activations=acts, loss="cross_entropy", seed=0)
    first = twin.fit(X, y, epochs=1, dropout=[0.5, 0.5], seed=5, **settings)
    rest = twin.fit(X, y, epochs=2, **settings)
    assert history["loss"] == first["loss"] + rest["loss"]
    assert_same_parameters(annealed, twin)

    def too_high(state, epoch, logs):
        rates[:] = [1.5, 0.0]

    rates[:] = [0.5, 0.5]

    with pytest.raises(ArgumentError, match=r"^dropout: expected a rate in \[0, 1\)"):
        annealed.fit(
            X, y, epochs=2, dropout=rates, callbacks=[LambdaCallback(too_high)], **settings
        )


def test_divergence_stops_with_a_clear_error():
    X, y = blobs(9, n=50)
    net = Network([2, 8, 1], activations=["relu", "identity"], loss="squared_error", seed=0)
    with pytest.raises(TrainingError, match=r"epoch \d+, batch \d+"):
        net.fit(X * 1e3, y * 1e3, epochs=50, learning_rate=10.0, verbose=False)


def test_regressor_metric_is_r2():
    rng = np.random.default_rng(10)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=200)
    net = Network([3, 1], activations=["identity"], loss="half_squared_error", seed=0)
    history = net.fit(X, y, epochs=50, learning_rate=0.05, verbose=False)
    assert history.metric == "r2"
    assert net.evaluate(X, y)["r2"] > 0.99
    assert net.predict(X).shape == (200, 1)


def test_r2_is_nan_not_0_where_a_sum_is_nan_and_evaluate_refuses_targets_not_finite():
    assert np.isnan(r2_score(np.array([1.0]), np.array([np.nan])))  # it was 0.0
    assert np.isnan(r2_score(np.array([np.nan, 0.0]), np.array([2.0, 0.0])))
    assert r2_score(np.array([1.0, 0.0]), np.array([2.0, 0.0])) == 0.75  # unchanged
    X, _ = blobs()
    y = X[:, 0].copy()
    net = Network([2, 1], activations=["identity"], seed=0)
    for bad in (np.nan, np.inf):  # {'loss': nan, 'r2': 0.0}, {'loss': inf, 'r2': 0.0}
        y[4] = bad
        with pytest.raises(ArgumentError, match=rf"^y: example 5 holds {bad} \(column 1\)"):
            net.evaluate(X, y)
    Y = np.eye(3)[blobs()[1]]
    Y[2, 1] = np.nan  # it gave a NaN loss beside an accuracy
    with pytest.raises(ArgumentError, match=r"^y: example 3 holds nan \(column 2\)"):
        _net().evaluate(X, Y)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": -1}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"validation_split": 1.5}, "validation_split"),
        ({"dropout": 1.0}, "dropout"),
        ({"l2": -1.0}, "l2"),
        ({"clip_norm": 0.0}, "clip_norm"),
        ({"optimizer": "adma"}, "did you mean 'adam'"),
        ({"callbacks": [42]}, "callbacks"),
    ],
)
def test_bad_arguments(kwargs, message):
    X, y = blobs(11, n=20)
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    with pytest.raises(ArgumentError, match=message):
        net.fit(X, y, verbose=False, **kwargs)


def test_bad_data():
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    with pytest.raises(ArgumentError, match="shape"):
        net.fit(np.zeros((5, 3)), np.zeros(5, dtype=int), verbose=False)
    with pytest.raises(ArgumentError, match="class indices"):
        net.fit(np.zeros((5, 2)), np.array([0, 1, 2, 3, 1]), verbose=False)
    # the targets named, as evaluate names them (it said 'X: 5 examples but 4 targets')
    with pytest.raises(ArgumentError, match=r"^y: 4 targets for 5 examples$"):
        net.fit(np.zeros((5, 2)), np.zeros(4, dtype=int), verbose=False)
    with pytest.raises(ArgumentError, match=r"^validation_data: y_val: 4 targets for 5 examples$"):
        valid = (np.zeros((5, 2)), np.zeros(4, dtype=int))
        net.fit(np.zeros((5, 2)), np.zeros(5, dtype=int), validation_data=valid, verbose=False)
    # every validation_data message names X_val or y_val (two said 'y:' or nothing)
    for valid, message in [
        ((np.zeros((5, 3)), np.zeros(5, dtype=int)), r"X_val: expected shape \(m, 2\)"),
        ((np.zeros((5, 2)), np.full(5, 4)), r"y_val: class indices must lie in 0\.\.2"),
        ((np.zeros((5, 2)), np.zeros((5, 2))), r"y_val: expected 3 columns, found 2"),
        ((np.zeros((5, 2)), np.full((5, 3), 2.0)), r"y_val: cross_entropy takes targets in"),
        ((np.zeros((0, 2)), np.zeros(0, dtype=int)), r"X_val: no examples"),
    ]:
        with pytest.raises(ArgumentError, match=r"^validation_data: " + message):
            net.fit(np.zeros((5, 2)), np.zeros(5, dtype=int), validation_data=valid, verbose=False)


def test_float32_training_stays_float32():
    X, y = blobs(12, n=50)
    net = Network(
        [2, 5, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0, dtype="float32"
    )
    net.fit(X.astype(np.float32), y, epochs=3, optimizer="adam", verbose=False)
    assert all(layer.W.dtype == np.float32 and layer.b.dtype == np.float32 for layer in net.layers)
    assert net.predict_proba(X).dtype == np.float32


def test_default_initialiser_follows_the_activation():
    relu = Network([100, 50, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    bound_he = np.sqrt(6 / 100)
    assert np.abs(relu.layers[0].W).max() <= bound_he
    assert np.abs(relu.layers[0].W).max() > np.sqrt(6 / 150)  # wider than Glorot's bound
    assert np.abs(relu.layers[1].W).max() <= np.sqrt(6 / 52)  # softmax: Glorot


def test_progress_bar_only_when_asked_or_at_a_terminal(capsys):
    X, y = blobs(13, n=40)
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    net.fit(X, y, epochs=3)  # stderr is not a terminal under pytest: quiet
    assert capsys.readouterr().err == ""
    net.fit(X, y, epochs=3, verbose=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "accuracy=" in err


def test_the_progress_bar_shows_each_epochs_figures_beside_its_own_count(capsys):
    # set_postfix redrew the bar before update(1): epoch k's loss beside "k-1/N"
    import re
    import time

    X, y = blobs(14, n=40)
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    slow = LambdaCallback(on_epoch_end=lambda state, epoch, logs: time.sleep(0.15))
    history = net.fit(X, y, epochs=4, verbose=True, callbacks=[slow])  # each epoch drawn
    shown = re.findall(
        r"\| (\d)/4 \[[^\]]*?loss=([^,\]]+), accuracy=([^,\]]+)\]", capsys.readouterr().err
    )
    assert {int(k) for k, _, _ in shown} == {1, 2, 3, 4}, shown
    for k, loss, accuracy in shown:
        assert loss == f"{history['loss'][int(k) - 1]:.4g}"
        assert accuracy == f"{history['accuracy'][int(k) - 1]:.4g}"


def test_a_resumed_runs_progress_bar_starts_at_its_epoch_and_ends_at_n_of_n(capsys):
    # the bar was made before the resume was known: from epoch 3 of 5 it ended at "2/5"
    # (0/5 plus the 2 epochs run) with epoch 5's figures
    import re
    import time

    X, y = blobs(14, n=40)

    def make():
        return Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)

    saved: list = []
    make().fit(X, y, epochs=5, checkpoint_every=3, on_checkpoint=saved.append)
    slow = LambdaCallback(on_epoch_end=lambda state, epoch, logs: time.sleep(0.15))
    history = make().fit(X, y, epochs=5, verbose=True, callbacks=[slow], resume=saved[0])
    shown = re.findall(
        r"\| (\d)/5 \[[^\]]*?loss=([^,\]]+), accuracy=([^,\]]+)\]", capsys.readouterr().err
    )
    assert shown[0][0] == "3" and shown[-1][0] == "5", shown  # each epoch's own count
    assert {int(k) for k, _, _ in shown} == {3, 4, 5}, shown
    for k, loss, accuracy in shown:
        assert loss == f"{history['loss'][int(k) - 1]:.4g}"
        assert accuracy == f"{history['accuracy'][int(k) - 1]:.4g}"


def test_the_progress_bar_in_a_notebook_without_ipywidgets_is_the_text_bar_silently():
    # tqdm.auto warned "TqdmWarning: IProgress not found" at its first import there
    import subprocess
    import sys
    from pathlib import Path

    script = """
import sys, types, warnings
warnings.simplefilter("always")  # every warning shown, as a notebook shows it
sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")  # in Jupyter
IPython = types.ModuleType("IPython")
IPython.get_ipython = lambda: type("ZMQInteractiveShell", (), {})()
sys.modules["IPython"] = IPython
sys.modules["ipywidgets"] = None  # not installed: importing it raises ImportError
import numpy as np, glassnet
X = np.random.default_rng(0).normal(size=(20, 2)); y = (X[:, 0] > 0).astype(int)
net = glassnet.Network([2, 2], activations=["softmax"], loss="cross_entropy", seed=0)
net.fit(X, y, epochs=2, verbose=True)
import tqdm.auto, tqdm.notebook
assert not issubclass(tqdm.auto.tqdm, tqdm.notebook.tqdm)  # the text bar
"""
    import glassnet

    src = str(Path(glassnet.__file__).resolve().parents[1])  # the glassnet under test
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": src},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "IProgress" not in result.stderr, result.stderr
    assert "train: 100%|" in result.stderr and "2/2" in result.stderr  # the text bar


def _run(epochs, seed=0, **kwargs):
    X, y = blobs(20, n=150)
    net = Network([2, 16, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=1)
    history = net.fit(
        X,
        y,
        epochs=epochs,
        batch_size=16,
        optimizer="adam",
        seed=seed,
        dropout=0.2,
        validation_split=0.2,
        verbose=False,
        **kwargs,
    )
    return net, history


@pytest.mark.parametrize("optimizer_schedule", [("adam", None), ("sgd", "adaptive")])
def test_resume_from_a_checkpoint_is_bit_for_bit(optimizer_schedule):
    optimizer, schedule = optimizer_schedule
    X, y = blobs(21, n=150)

    def make():
        return Network([2, 16, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=1)

    settings = {
        "epochs": 6,
        "batch_size": 16,
        "optimizer": optimizer,
        "schedule": schedule,
        "seed": 3,
        "dropout": 0.2,
        "validation_split": 0.2,
        "verbose": False,
    }
    whole = make()
    h_whole = whole.fit(X, y, **settings)
    checkpoints = []
    first = make()
    first.fit(
        X, y, checkpoint_every=2, on_checkpoint=checkpoints.append, **{**settings, "epochs": 3}
    )
    assert [c["epoch"] for c in checkpoints] == [2]
    resumed = make()
    h_resumed = resumed.fit(X, y, resume=checkpoints[0], **settings)
    assert h_resumed.history == h_whole.history and h_resumed.epoch == h_whole.epoch
    assert_same_parameters(resumed, whole)


@pytest.mark.parametrize("stopping", ["early_stopping", "callback"])
def test_resume_from_every_checkpoint_of_an_early_stopped_run_is_bit_for_bit(stopping, tmp_path):
    from glassnet.io import load_checkpoint, save_checkpoint

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)

    def make():
        return Network([3, 16, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)

    def settings():  # a new EarlyStopping each run, as a new process would have
        given = (
            {"early_stopping": 3}
            if stopping == "early_stopping"
            else {"callbacks": [EarlyStopping("val_loss", patience=3)]}
        )
        return {
            "epochs": 40,
            "batch_size": 8,
            "optimizer": "adam",
            "learning_rate": 0.05,
            "seed": 4,
            "validation_split": 0.2,
            "verbose": False,
            **given,
        }

    whole = make()
    h_whole = whole.fit(X, y, **settings())
    assert h_whole.best_epoch < h_whole.stopped_epoch < 40  # it stopped, and went back
    saved = []
    make().fit(X, y, checkpoint_every=1, on_checkpoint=saved.append, **settings())
    assert [c["epoch"] for c in saved] == h_whole.epoch  # the last one: where it stopped
    assert saved[-1]["history"]["stopped_epoch"] == h_whole.stopped_epoch
    path = tmp_path / "checkpoint.npz"
    for checkpoint in saved:
        save_checkpoint(path, checkpoint, {})
        for given in (checkpoint, load_checkpoint(path)[0]):  # as given, and through a file
            resumed = make()
            h_resumed = resumed.fit(X, y, resume=given, **settings())
            assert h_resumed.to_dict() == h_whole.to_dict(), checkpoint["epoch"]
            assert_same_parameters(resumed, whole)
    with pytest.raises(ArgumentError, match=r"^resume: the checkpoint holds the state of 1 "):
        make().fit(
            X, y, resume=saved[0], **{**settings(), "early_stopping": False, "callbacks": ()}
        )


@pytest.mark.parametrize("l2", [0.0, 0.01])  # l2: the epoch's penalties so far are kept
def test_ctrl_c_stops_after_the_batch_with_a_checkpoint_and_resumes_exactly(l2):
    import os
    import signal

    X, y = blobs(22, n=150)
    settings = {
        "epochs": 4,
        "batch_size": 16,
        "optimizer": "momentum",
        "seed": 5,
        "dropout": 0.1,
        "l2": l2,
        "verbose": False,
    }

    def make():
        return Network([2, 8, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=2)

    whole = make()
    h_whole = whole.fit(X, y, **settings)

    class CtrlC(Callback):
        def on_batch_end(self, state, batch, logs):
            if state.epoch == 2 and batch == 4:
                os.kill(os.getpid(), signal.SIGINT)

    saved = []
    stopped = make()
    with pytest.raises(KeyboardInterrupt):
        stopped.fit(X, y, callbacks=[CtrlC()], on_checkpoint=saved.append, **settings)
    assert len(saved) == 1 and saved[0]["epoch"] == 2 and saved[0]["next_start"] == 4 * 16
    np.testing.assert_array_equal(saved[0]["params"][0][0], stopped.layers[0].W)
    resumed = make()
    h_resumed = resumed.fit(X, y, resume=saved[0], **settings)
    assert h_resumed.history == h_whole.history
    for a, b in zip(resumed.layers, whole.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)


@pytest.mark.parametrize(
    ("where", "settings"),
    [
        ("validation", {"validation_split": 0.2}),  # the last epoch's validation pass
        ("callback", {}),  # a callback of the last epoch
        # stops at epoch 4 (best 3), whose weights the resumed run restores
        ("early stop", {"early_stopping": 1, "validation_split": 0.2, "learning_rate": 0.5}),
        ("periodic checkpoint", {"checkpoint_every": 3}),  # the last epoch's own, not twice
    ],
)
def test_ctrl_c_after_the_last_batch_is_not_swallowed(where, settings, monkeypatch):
    # the flag was looked at only after a batch: a Ctrl-C in the tail of the last epoch
    # (or of the epoch an early stop ended) ran to the end and fit returned normally
    import os
    import signal

    X, y = blobs(24, n=60)
    settings = {"epochs": 6, "batch_size": 16, "seed": 3, "verbose": False, **settings}

    def make():
        return Network([2, 5, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=1)

    whole, taken = make(), []
    h_whole = whole.fit(X, y, on_checkpoint=taken.append, **settings)
    last = h_whole.epoch[-1]
    assert (last < 6) == (where == "early stop")

    def ctrl_c(state, epoch, logs):
        if epoch == last:
            os.kill(os.getpid(), signal.SIGINT)

    callbacks = [LambdaCallback(on_epoch_end=ctrl_c)]
    if where == "validation":  # Ctrl-C inside evaluate, on the validation data of epoch `last`
        callbacks = []
        evaluate, calls = Network.evaluate, []

        def evaluating(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == last:
                os.kill(os.getpid(), signal.SIGINT)
            return evaluate(self, *args, **kwargs)

        monkeypatch.setattr(Network, "evaluate", evaluating)
    saved = []
    stopped = make()
    # (Python's own handler, or SIG_IGN where pytest runs as a shell's background job)
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt, match=f"^interrupted after epoch {last}$"):
        stopped.fit(X, y, callbacks=callbacks, on_checkpoint=saved.append, **settings)
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGINT) is handler  # restored
    # the whole run's periodic ones, and the last epoch's unless it was one of them
    periodic = [c["epoch"] for c in taken]
    assert [c["epoch"] for c in saved] == periodic + ([] if last in periodic else [last])
    assert saved[-1]["next_start"] == 0
    assert saved[-1]["history"]["stopped_epoch"] == h_whole.stopped_epoch
    # resumed from it, the run trains nothing more and ends as the whole one (best weights too)
    resumed = make()
    h_resumed = resumed.fit(X, y, resume=saved[-1], on_checkpoint=[].append, **settings)
    assert h_resumed.history == h_whole.history and h_resumed.best_epoch == h_whole.best_epoch
    for a, b in zip(resumed.layers, whole.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)
    # without on_checkpoint: the same KeyboardInterrupt, nothing to hand a checkpoint to
    if where == "callback":
        with pytest.raises(KeyboardInterrupt, match=f"^interrupted after epoch {last}$"):
            make().fit(X, y, callbacks=callbacks, **settings)


def test_ctrl_c_in_the_batch_a_callback_stops_at_ends_that_epoch_first():
    # the flag was looked at before state.stop_training: the mid-epoch checkpoint did not
    # record the stop, and the resumed run trained on to the last epoch
    import os
    import signal

    X, y = blobs(25, n=64)
    settings = {"epochs": 5, "batch_size": 16, "seed": 3, "verbose": False}

    class Stop(Callback):
        def __init__(self, ctrl_c):
            self.ctrl_c = ctrl_c

        def on_batch_end(self, state, batch, logs):
            if state.epoch == 2 and batch == 2:
                state.stop_training = True
                if self.ctrl_c:
                    os.kill(os.getpid(), signal.SIGINT)

    def make():
        return Network([2, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=1)

    whole = make()
    h_whole = whole.fit(X, y, callbacks=[Stop(False)], **settings)
    assert h_whole.epoch == [1, 2] and h_whole.stopped_epoch == 2
    saved = []
    with pytest.raises(KeyboardInterrupt, match=r"^interrupted after epoch 2$"):
        make().fit(X, y, callbacks=[Stop(True)], on_checkpoint=saved.append, **settings)
    assert saved[-1]["epoch"] == 2 and saved[-1]["next_start"] == 0
    assert saved[-1]["history"]["stopped_epoch"] == 2
    resumed = make()
    h_resumed = resumed.fit(X, y, callbacks=[Stop(False)], resume=saved[-1], **settings)
    assert h_resumed.history == h_whole.history and h_resumed.stopped_epoch == 2
    assert_same_parameters(resumed, whole)


class _StopAt(Callback):
    """Stop training after batch ``batch`` of epoch ``epoch``."""

    def __init__(self, epoch, batch):
        self.at = (epoch, batch)

    def on_batch_end(self, state, batch, logs):
        if (state.epoch, batch) == self.at:
            state.stop_training = True


def test_the_r2_of_an_epoch_stopped_part_way_is_that_of_the_examples_seen():
    # it divided their squared errors by the SST of the whole training set
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=100)
    start = Network([3, 1], activations=["identity"], seed=0)
    net = start.copy()
    history = net.fit(
        X, y, epochs=3, batch_size=10, shuffle=False, callbacks=[_StopAt(1, 1)], verbose=False
    )
    # one batch, its loss and R² at the starting weights, as evaluate gives them
    figures = start.evaluate(X[:10], y[:10])
    assert history.epoch == [1] and history["loss"] == [pytest.approx(figures["loss"])]
    assert history["r2"] == [pytest.approx(figures["r2"])]
    assert figures["r2"] < 0  # (the SST of all 100 examples made it 0.91)


def test_a_part_done_epoch_resumed_and_stopped_part_way_keeps_its_r2_bit_for_bit():
    import os
    import signal

    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.3 * rng.normal(size=150)
    settings = {"epochs": 4, "batch_size": 16, "optimizer": "adam", "seed": 5, "verbose": False}

    def make():
        return Network([3, 6, 1], activations=["tanh", "identity"], seed=2)

    whole = make()
    h_whole = whole.fit(X, y, callbacks=[_StopAt(2, 7)], **settings)
    assert h_whole.epoch == [1, 2] and h_whole.stopped_epoch == 2

    class CtrlC(Callback):
        def on_batch_end(self, state, batch, logs):
            if state.epoch == 2 and batch == 3:
                os.kill(os.getpid(), signal.SIGINT)

    saved = []
    with pytest.raises(KeyboardInterrupt):
        make().fit(X, y, callbacks=[CtrlC()], on_checkpoint=saved.append, **settings)
    resumed = make()
    h_resumed = resumed.fit(X, y, callbacks=[_StopAt(2, 7)], resume=saved[0], **settings)
    assert h_resumed.history == h_whole.history and h_resumed.stopped_epoch == 2


def test_a_wrong_checkpoint_is_refused_before_anything_changes(tmp_path):
    import os
    import signal

    from glassnet.io import load_checkpoint, save_checkpoint

    X, y = blobs(23, n=20)

    def make():
        return Network([2, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)

    between, inside = [], []
    make().fit(X, y, epochs=4, checkpoint_every=2, on_checkpoint=between.append, verbose=False)

    def ctrl_c(state, batch, logs):
        if state.epoch == 2 and batch == 2:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        make().fit(
            X, y, epochs=4, batch_size=4, on_checkpoint=inside.append,
            callbacks=[LambdaCallback(on_batch_end=ctrl_c)], verbose=False,
        )  # fmt: skip
    save_checkpoint(tmp_path / "c.npz", between[0], {})
    no_history = {**between[0], "history": {"epoch": [1, 2], "history": {}}}
    for resume, data, settings, message in [
        (load_checkpoint(tmp_path / "c.npz"), (X, y), {}, r"load_checkpoint returns \("),
        ({}, (X, y), {}, r"not a glassnet checkpoint: the dict has no 'epoch', "),
        (no_history, (X, y), {}, r"its history has no 'stopped_epoch', 'best_epoch'$"),
        ([between[0]], (X, y), {}, r"expected a checkpoint .*found list$"),
        (inside[0], (X[:10], y[:10]), {"batch_size": 4}, r"taken on 20 examples and X has 10"),
        (between[0], (X, y), {"optimizer": "adam"}, r"state of a SGD optimizer, .* Adam"),
        (between[0], (X, y), {"early_stopping": 2}, r"state of 0 early stopping\(s\), .* 1"),
        (
            between[0],
            (X, y),
            {"validation_split": 0.2},
            r"history holds loss, accuracy, learning_rate, this run logs loss, accuracy, "
            r"val_loss, val_accuracy, learning_rate: give the run's own network and validation",
        ),
        (
            {**between[0], "schedule": {"_best": 0.5, "_bad_epochs": 0, "_seen": 1.5}},
            (X, y),
            {"schedule": "adaptive"},
            r"schedule state _seen is 1.5, a whole number in this run's Adaptive",
        ),
        (
            between[0],
            (X, y),
            {"schedule": "adaptive"},
            r"a schedule's state of nothing, this run's Adaptive keeps _best, _bad_epochs, _seen",
        ),
    ]:
        net = make()
        before = [layer.W.copy() for layer in net.layers]
        with pytest.raises(ArgumentError, match=rf"^resume: .*{message}"):
            net.fit(*data, epochs=4, resume=resume, verbose=False, **settings)
        for layer, W in zip(net.layers, before, strict=True):  # no epoch, no restoring
            np.testing.assert_array_equal(layer.W, W)
    with pytest.raises(ArgumentError, match=r"^resume: .* are float64, the network's float32"):
        make().astype("float32").fit(X, y, epochs=4, resume=between[0], verbose=False)
    squared = Network([2, 4, 3], activations=["tanh", "softmax"], seed=0)  # same shapes
    with pytest.raises(ArgumentError, match=r"^resume: .* network with another output or loss"):
        squared.fit(X, np.eye(3)[y], epochs=4, batch_size=4, resume=inside[0], verbose=False)


@pytest.mark.parametrize(
    "given, message",
    [
        ({"checkpoint_every": -1}, r"^checkpoint_every: expected a whole number ≥ 1, found -1$"),
        ({"checkpoint_every": 0}, r"^checkpoint_every: expected a whole number ≥ 1, found 0$"),
        ({"checkpoint_every": True}, r"^checkpoint_every: .* found True$"),
        ({"checkpoint_every": 2.5}, r"^checkpoint_every: .* found 2.5$"),
        ({"checkpoint_every": "2"}, r"^checkpoint_every: .* found '2'$"),
        ({"checkpoint_every": 2, "on_checkpoint": None}, r"^checkpoint_every: give on_checkpoint"),
        ({"on_checkpoint": "ckpt.npz"}, r"^on_checkpoint: expected a function"),
        ({"on_checkpoint": lambda: None}, r"^on_checkpoint: must take \(checkpoint\)"),
    ],
)
def test_checkpoint_arguments_are_checked_before_any_training(given, message):
    X, y = blobs(n=20)
    net = _net()
    before = net.layers[0].W.copy()
    saved = []
    settings = {"checkpoint_every": 2, "on_checkpoint": saved.append, **given}
    with pytest.raises(ArgumentError, match=message):
        net.fit(X, y, epochs=6, verbose=False, **settings)
    assert saved == []
    np.testing.assert_array_equal(net.layers[0].W, before)


@pytest.mark.parametrize(
    "schedule, starts_at_initial",
    [("constant", False), ("adaptive", False), ("step", True), ("exponential", True)],
)
def test_a_second_fit_with_an_optimizer_instance_starts_from_the_documented_rate(
    schedule, starts_at_initial
):
    # docs/training.md: constant and adaptive go on from the instance's current rate,
    # step and exponential start again from η₀; an optimizer by name starts fresh
    X, y = blobs(n=20)
    net = _net()
    opt = get_optimizer("adam", 0.1)
    net.fit(X, y, epochs=5, optimizer=opt, schedule="exponential", verbose=False)
    decayed = opt.learning_rate
    assert decayed < 0.1 and opt.t == 5
    history = net.fit(X, y, epochs=1, optimizer=opt, schedule=schedule, verbose=False)
    assert history["learning_rate"][0] == (0.1 if starts_at_initial else decayed)
    assert opt.t == 6  # the state carried over
    steps = []
    net.fit(
        X,
        y,
        epochs=2,
        optimizer="adam",
        callbacks=[lambda state, epoch, logs: steps.append(state.optimizer.t)],
        verbose=False,
    )
    assert steps == [1, 2]  # a new Adam: its bias correction starts over


class BatchLosses(Callback):
    def __init__(self):
        self.losses = {}

    def on_batch_end(self, state, batch, logs):
        self.losses.setdefault(state.epoch, []).append((logs["loss"], logs["size"]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch_size", [16, 80])  # 80: 64 rows or more, see _softmax_into
def test_the_epoch_loss_of_the_fast_path_is_the_mean_of_the_batch_losses(dtype, batch_size):
    # softmax + cross-entropy on one-hot targets takes one dot product per batch and the
    # rest once an epoch (losses.EpochLoss); a batch callback asks for each batch's loss
    X, y = blobs(31, n=203)

    def make():
        return Network(
            [2, 9, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=1, dtype=dtype
        )

    fast, watched = make(), make()
    settings = {"epochs": 4, "batch_size": batch_size, "seed": 3, "verbose": False}
    h_fast = fast.fit(X, y, **settings)
    batches = BatchLosses()
    h_watched = watched.fit(X, y, callbacks=[batches], **settings)
    for a, b in zip(fast.layers, watched.layers, strict=True):  # the loss never steers
        np.testing.assert_array_equal(a.W, b.W)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(h_fast["loss"], h_watched["loss"], rtol=rtol)
    for epoch, loss in zip(h_fast.epoch, h_fast["loss"], strict=True):
        per_batch = batches.losses[epoch]
        mean = sum(l * m for l, m in per_batch) / sum(m for _, m in per_batch)
        np.testing.assert_allclose(loss, mean, rtol=rtol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_a_confident_networks_epoch_loss_is_evaluates_and_never_below_0(dtype, output):
    # a margin between the classes: every loss near 0, below the rounding of Σ lse − Σ y·z
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 2))
    y = (X[:, 0] > 0).astype(int)
    X[:, 0] += np.where(y == 1, 1.0, -1.0)
    if output == "softmax":
        layer, loss = Layer([[-30.0, 30.0], [0.0, 0.0]], [0.0, 0.0], "softmax"), "cross_entropy"
    else:
        layer, loss = Layer([[47.3], [0.0]], [0.0], "sigmoid"), "binary_cross_entropy"
    net = Network([layer], loss=loss, dtype=dtype)
    expected = net.evaluate(X, y)["loss"]
    z_max = np.abs(net.forward(X).z[-1]).max()
    for watch in ([], [BatchLosses()]):  # the epoch's tally, and each batch's loss
        history = net.fit(
            X, y, epochs=1, learning_rate=1e-12, seed=0, callbacks=watch, verbose=False
        )
        assert history["loss"][0] >= 0
        # within a few units in the last place of an example's terms (|z| ≤ z_max)
        assert abs(history["loss"][0] - expected) <= 4 * np.spacing(np.dtype(dtype).type(z_max))


def test_divergence_of_a_softmax_classifier_stops_before_the_batch():
    X, y = blobs(9, n=64)
    net = Network([2, 8, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    with pytest.raises(TrainingError, match=r"epoch \d+, batch \d+: the loss is (nan|inf)"):
        net.fit(X * 1e30, y, epochs=20, learning_rate=1e30, verbose=False)
    # the weights from before the batch that diverged
    assert all(np.isfinite(layer.W).all() for layer in net.layers)


def test_the_fast_step_follows_replaced_weights_and_a_single_layer():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((5, 4))
    Y = np.eye(3)[rng.integers(0, 3, 5)]
    for sizes, acts in (([4, 3], ["softmax"]), ([4, 6, 3], ["tanh", "softmax"])):
        net = Network(sizes, activations=acts, loss="cross_entropy", seed=0)
        ws = net.workspace(5)
        net.backward(net.forward(X, workspace=ws), Y, workspace=ws, scale=0.1 / 5, descend=True)
        net.layers[0].W = net.layers[0].W + 1.0  # another array: the products follow it
        before = net.copy()
        reference = before.backward(before.forward(X), Y)
        net.backward(net.forward(X, workspace=ws), Y, workspace=ws, scale=0.1 / 5, descend=True)
        for l, (new, old) in enumerate(zip(net.layers, before.layers, strict=True), start=1):
            np.testing.assert_allclose(new.W, old.W - 0.1 * reference.grad_W[l], rtol=1e-12)
            np.testing.assert_allclose(new.b, old.b - 0.1 * reference.grad_b[l], rtol=1e-12)


def test_softmax_without_the_fused_path_keeps_its_epoch_loss():
    # the non-fused backward's softmax VJP has work arrays of its own: the row sums
    # the epoch's loss is made of stay intact
    X, y = blobs(12, n=120)
    net = Network([2, 6, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    net.fused = False
    before = net.loss_value(X, net.targets(y))
    history = net.fit(X, y, epochs=1, batch_size=None, learning_rate=0.1, verbose=False)
    np.testing.assert_allclose(history["loss"][0], before, rtol=1e-12)


def test_a_callback_set_on_the_instance_sees_every_batch():
    X, y = blobs(13, n=64)
    net = Network([2, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    seen = []
    cb = Callback()
    cb.on_batch_end = lambda state, batch, logs: seen.append(logs["loss"])
    net.fit(X, y, epochs=2, batch_size=16, callbacks=[cb], verbose=False)
    assert len(seen) == 8 and all(np.isfinite(seen))


def test_backward_follows_weights_replaced_after_the_forward_pass():
    rng = np.random.default_rng(14)
    X = rng.standard_normal((8, 4))
    Y = np.eye(3)[rng.integers(0, 3, 8)]
    net = Network([4, 5, 5, 3], ["relu", "relu", "softmax"], "cross_entropy", seed=0)
    ws = net.workspace(8)
    fp = net.forward(X, workspace=ws)
    net.layers[1].W = net.layers[1].W.copy()  # another array, the same numbers
    before = net.copy()
    reference = before.backward(before.forward(X), Y)
    net.backward(fp, Y, workspace=ws, scale=0.1 / 8, descend=True)
    for l, (new, old) in enumerate(zip(net.layers, before.layers, strict=True), start=1):
        np.testing.assert_allclose(new.W, old.W - 0.1 * reference.grad_W[l], rtol=1e-12)


@pytest.mark.parametrize("targets", ["indices", "one-hot", "soft"])
def test_accuracy_of_the_history_is_the_argmax_agreement(targets):
    """The epoch's accuracy: predictions (argmax of a_L) against the labels of the rows.

    One-hot rows give their labels as a product Y·(0, 1, …); other rows by argmax.
    """
    X, y = blobs(4, n=90)
    Y = np.eye(3)[y]
    if targets == "soft":  # not one-hot: label smoothing, the label is still the argmax
        Y = 0.8 * Y + 0.2 / 3
    given = y if targets == "indices" else Y
    net = Network([2, 5, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=2)
    history = net.fit(X, given, epochs=1, batch_size=None, shuffle=False, verbose=False)
    # full batch: the accuracy is that of the weights before the single step
    start = Network([2, 5, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=2)
    expected = np.mean(start.forward(X).a[-1].argmax(axis=1) == y)
    assert history["accuracy"][0] == pytest.approx(expected)


def _net(loss: str = "cross_entropy", out: str = "softmax", n_out: int = 3) -> Network:
    return Network([2, 5, n_out], activations=["tanh", out], loss=loss, seed=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"optimizer": None}, "optimizer: expected a name"),
        ({"optimizer": SGD}, "optimizer: expected a name"),  # the class, not an object
        ({"batch_size": "32"}, "batch_size: expected a whole number"),
        ({"batch_size": 2.5}, "batch_size: expected a whole number"),
        ({"epochs": True}, "epochs: expected a whole number"),
        ({"seed": -1}, "seed: expected a whole number ≥ 0"),
        ({"shuffle": "no"}, r"^shuffle: expected True or False, found 'no'$"),
        ({"rows": []}, r"^rows: no examples to train on$"),
        ({"rows": [0.5]}, r"^rows: expected a list of example indices"),
        ({"rows": [1000]}, r"^rows: expected indices from -\d+ to \d+, found 1000 to 1000$"),
        ({"check_finite": None}, r"^check_finite: expected True or False, found None$"),
        ({"verbose": "yes"}, r"^verbose: expected a whole number ≥ 0, found 'yes'$"),
        ({"l2": None}, "l2: expected a number"),
        ({"clip_norm": "1"}, "clip_norm: expected a number > 0"),
        ({"validation_split": "0.1"}, "validation_split: expected a number"),
        ({"optimizer": SGD(), "learning_rate": -0.1}, "learning_rate: expected a number > 0"),
    ],
)
def test_bad_fit_arguments_are_named(kwargs, message):
    X, y = blobs()
    with pytest.raises(ArgumentError, match=message):
        _net().fit(X, y, **{"verbose": False, **kwargs})


def test_verbose_takes_keras_numbers_and_shuffle_numpy_bools(capsys):
    X, y = blobs()
    _net().fit(X, y, epochs=1, verbose=0, shuffle=np.bool_(False))
    assert capsys.readouterr().err == ""
    _net().fit(X, y, epochs=1, verbose=2)
    assert "1/1" in capsys.readouterr().err  # a bar, as verbose=True draws


def test_numpy_scalars_are_numbers_and_one_callback_needs_no_list():
    X, y = blobs()
    seen = []
    history = _net().fit(
        X,
        y,
        epochs=np.int64(2),
        batch_size=np.int32(50),
        learning_rate=np.float32(0.05),
        callbacks=lambda state, epoch, logs: seen.append(epoch),
        verbose=False,
    )
    assert history.epoch == [1, 2] and seen == [1, 2]


def test_non_finite_data_is_named_not_called_divergence():
    X, y = blobs()
    X[17, 1] = np.nan
    with pytest.raises(ArgumentError, match=r"X: example 18 holds nan \(column 2\)"):
        _net().fit(X, y, verbose=False)
    binary = _net("binary_cross_entropy", "sigmoid", 1)
    X, y = blobs(classes=2)
    with pytest.raises(ArgumentError, match=r"takes targets in \[0, 1\].*from 0 to 3"):
        binary.fit(X, 3 * y, verbose=False)
    with pytest.raises(ArgumentError, match="y: expected numbers"):
        _net().fit(X, np.array(["a", "b"])[y], verbose=False)


def test_class_indices_for_a_softmax_without_cross_entropy_are_told_the_loss_they_need():
    X, y = blobs()
    net = Network([2, 5, 3], activations=["tanh", "softmax"], seed=0)  # the default loss
    told = r"^y: expected 3 columns \(one per output unit\), found 1-D; class indices need "
    with pytest.raises(ArgumentError, match=told + r"loss='cross_entropy' \(.* half_squared"):
        net.fit(X, y, verbose=False)
    with pytest.raises(ArgumentError, match=told):
        net.evaluate(X, y)
    # not class indices, or not a softmax: the shape alone
    for bad, out in ((y.astype(float), "softmax"), (y, "sigmoid")):
        other = Network([2, 5, 3], activations=["tanh", out], seed=0)
        with pytest.raises(ArgumentError, match=r"found 1-D$"):
            other.fit(X, bad, verbose=False)


def test_predict_and_evaluate_check_shapes():
    net = _net()
    X, y = blobs()
    for bad in (X[:, :1], X[0], X[None]):
        with pytest.raises(ArgumentError, match=r"X: expected shape \(m, 2\)"):
            net.predict(bad)
    with pytest.raises(ArgumentError, match="y: 50 targets for 200 examples"):
        net.evaluate(X, y[:50])
    with pytest.raises(ArgumentError, match="layer 1 has W of shape"):
        Network([Layer(np.zeros((2, 3)), np.zeros(4), "relu")])
    with pytest.raises(ArgumentError, match="dtype: expected float64 or float32"):
        Network([2, 3], dtype="foo")


def test_early_stopping_names_a_monitor_never_logged():
    X, y = blobs()
    stop = EarlyStopping(monitor="val_acuracy")
    with pytest.raises(ArgumentError, match="monitor 'val_acuracy' is not in the history"):
        _net().fit(X, y, validation_data=(X, y), callbacks=[stop], verbose=False)
    # val_… without validation data: the same figure on the training data
    stop = EarlyStopping(monitor="val_accuracy", patience=1)
    _net().fit(X, y, epochs=3, callbacks=[stop], verbose=False)
    assert stop.best_epoch is not None


def test_a_schedule_object_starts_afresh_in_each_fit():
    X, y = blobs()
    rates = []
    for _ in range(2):
        sched = Adaptive(tol=10.0, patience=1)  # every epoch "stalls": η falls each 2
        fresh = _net().fit(X, y, epochs=6, schedule=sched, verbose=False)
        rates.append(fresh["learning_rate"])
    reused = Adaptive(tol=10.0, patience=1)
    _net().fit(X, y, epochs=6, schedule=reused, verbose=False)
    again = _net().fit(X, y, epochs=6, schedule=reused, verbose=False)
    assert rates[0] == rates[1] == again["learning_rate"]
    assert rates[0][-1] < rates[0][0]


def test_export_spec_takes_class_indices_as_fit_does(tmp_path):
    X, y = blobs()
    net = _net()
    export_spec(net, tmp_path / "s.toml", X[:2], y[:2])
    spec = load_spec(tmp_path / "s.toml")
    np.testing.assert_array_equal(spec.Y, np.eye(3)[y[:2]])


def test_a_bad_example_is_named_by_its_index_in_the_data_given():
    X, y = blobs()
    X[17, 1] = np.inf  # behind tanh the loss stays finite; the weights turned NaN
    net = _net()
    before = [layer.W.copy() for layer in net.layers]
    with pytest.raises(
        ArgumentError, match=r"^X: example 18 holds inf \(column 2\); data must be finite$"
    ):
        # seed 0 keeps X[17] (example 18) in the training part, at position 14 of it
        net.fit(X, y, validation_split=0.2, seed=0, verbose=False)
    for layer, W in zip(net.layers, before, strict=True):  # refused before any step
        np.testing.assert_array_equal(layer.W, W)
    # (it was named at the next batch, whose loss the NaN weights made NaN)
    for bad in (np.inf, -np.inf, np.nan):
        X, y = blobs()
        X[3, 0] = bad  # in the first batch; a tanh layer squashes ±∞ to ±1
        net = _net()
        with pytest.raises(ArgumentError, match=rf"^X: example 4 holds {bad} \(column 1\)"):
            net.fit(X, y, batch_size=10, shuffle=False, verbose=False)
        assert all(np.isfinite(layer.W).all() for layer in net.layers)
        assert np.isfinite(net.predict(X[:3])).all()
    # float32 numbers whose row sums overflow are finite: trained, not refused
    big = np.full((4, 2), 3e38, dtype=np.float32)
    tiny = Network([2, 1], activations=["identity"], dtype="float32", seed=0)
    with pytest.raises(TrainingError, match="loss of the first batch is inf"):  # as it was
        tiny.fit(big, np.zeros(4), epochs=1, verbose=False)
    # check_finite=False trusts the data: the NaN shows only where a loss is not finite
    X, y = blobs()
    X[3, 0] = np.inf
    net = _net()
    with pytest.raises(ArgumentError, match=r"diverged at epoch 1, batch 2\)$"):
        net.fit(X, y, batch_size=10, shuffle=False, verbose=False, check_finite=False)


def test_a_nan_that_validation_split_holds_out_is_named_up_front_by_its_row_of_the_data():
    # it raised nothing: every val_loss NaN and val_r2 0 (a NaN in X: an error after the
    # first epoch, naming its row of the held-out part)
    X, y = blobs()
    X[[105, 6], 1] = np.nan  # seed 0 holds out rows 105, 6, … in that order
    epochs = []

    def count(state, epoch, logs):
        epochs.append(epoch)

    with pytest.raises(ArgumentError, match=r"^X: example 7 holds nan \(column 2\); data must"):
        _net().fit(X, y, validation_split=0.2, seed=0, callbacks=[count], verbose=False)
    assert epochs == []  # before any training
    X, y = blobs()
    y = X[:, 0] + X[:, 1]
    y[105] = np.inf
    net = Network([2, 1], activations=["identity"], seed=0)
    with pytest.raises(ArgumentError, match=r"^y: example 106 holds inf \(column 1\)"):
        net.fit(X, y, validation_split=0.2, seed=0, verbose=False)


def test_no_checkpoint_of_weights_that_overflowed_and_no_check_without_training():
    X, y = blobs()
    saved = []
    net = Network([2, 3, 1], activations=["identity", "identity"], seed=0)
    with pytest.raises(TrainingError, match="last update of epoch 1"):
        net.fit(  # one full-batch step so large that the weights overflow to ∞
            X, np.full(len(X), 1e6), epochs=3, batch_size=None, learning_rate=1e308,
            optimizer="sgd", checkpoint_every=1, on_checkpoint=saved.append, verbose=False,
        )  # fmt: skip
    assert saved == []
    net.layers[0].W[0, 0] = np.nan
    assert net.fit(X, y, epochs=0, verbose=False).epoch == []  # nothing trained: no check


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_layer_replaced_by_a_callback_goes_on_training(optimizer):
    # the optimizer steps the arrays the layers hold now, not those the fit began with
    X, y = blobs()
    net = Network([2, 8, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    replaced = []

    def replace(state, epoch, logs):
        if epoch == 1:
            layer = state.network.layers[0]
            layer.W = layer.W.copy()
            replaced.append(layer.W.copy())

    net.fit(X, y, epochs=3, optimizer=optimizer, callbacks=[replace], verbose=False, seed=0)
    assert not np.array_equal(net.layers[0].W, replaced[0])


def test_an_optimizer_with_another_networks_state_is_refused():
    X, y = blobs()
    opt = get_optimizer("adam")
    first = Network([2, 8, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    first.fit(X, y, epochs=1, optimizer=opt, verbose=False)
    other = Network([2, 9, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    W = other.layers[0].W.copy()
    with pytest.raises(ArgumentError, match=r"^optimizer: .*another network"):
        other.fit(X, y, epochs=1, optimizer=opt, verbose=False)
    np.testing.assert_array_equal(other.layers[0].W, W)


def test_a_nan_in_the_validation_data_is_named_up_front():
    X, y = blobs()
    net = Network([2, 8, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    Xv = X[:20].copy()
    Xv[3, 1] = np.nan
    with pytest.raises(
        ArgumentError, match=r"^validation_data: X_val: example 4 holds nan \(column 2\)"
    ):
        net.fit(X, y, epochs=1, validation_data=(Xv, y[:20]), verbose=False)
    with pytest.raises(ArgumentError, match=r"^validation_data: y_val: class indices"):
        net.fit(X, y, epochs=1, validation_data=(X[:20], y[:20] + 5), verbose=False)
    with pytest.raises(ArgumentError, match=r"^validation_data: expected a pair"):
        net.fit(X, y, epochs=1, validation_data=(X, y, y), verbose=False)


@pytest.mark.parametrize("min_delta", [0.0, 0.25])
def test_early_stopping_takes_a_plateau_or_a_change_of_min_delta_for_no_improvement(min_delta):
    """The same figure again (a plateau) is no improvement; nor is one better by exactly
    min_delta (Keras's: a change must exceed it). One better by more is."""
    stopper = EarlyStopping("loss", patience=2, min_delta=min_delta)
    state = type("S", (), {"network": None, "stop_training": False})()
    stopper.restore_best_weights = False
    stopper.on_epoch_end(state, 1, {"loss": 1.0})
    stopper.on_epoch_end(state, 2, {"loss": 1.0 - min_delta})  # 1.0 again, or 0.75
    assert stopper.best_epoch == 1 and not state.stop_training
    stopper.on_epoch_end(state, 3, {"loss": 1.0 - min_delta})
    assert stopper.best_epoch == 1 and state.stop_training  # two epochs without one
    later = EarlyStopping("loss", patience=2, min_delta=min_delta)
    later.restore_best_weights = False
    later.on_epoch_end(state, 1, {"loss": 1.0})
    later.on_epoch_end(state, 2, {"loss": 1.0 - min_delta - 0.01})
    assert later.best_epoch == 2


def test_early_stopping_takes_no_nan_for_an_improvement():
    stopper = EarlyStopping("loss", patience=2)
    state = type("S", (), {"network": None, "stop_training": False})()
    stopper.restore_best_weights = False
    for epoch in (1, 2):  # NaN from the first epoch on: never an improvement, so it stops
        stopper.on_epoch_end(state, epoch, {"loss": float("nan")})
    assert stopper.best_epoch is None and state.stop_training


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"early_stopping": "yes"}, r"^early_stopping:"),
        ({"early_stopping": 2.7}, r"^early_stopping:"),
        ({"early_stopping": -1}, r"^early_stopping:"),
    ],
)
def test_fit_names_bad_early_stopping(kwargs, message):
    X, y = blobs()
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    with pytest.raises(ArgumentError, match=message):
        net.fit(X, y, epochs=1, verbose=False, **kwargs)
    with pytest.raises(ArgumentError, match=r"^patience:"):
        EarlyStopping(patience="3")


def test_early_stopping_names_a_monitor_that_is_not_a_key():
    with pytest.raises(ArgumentError, match=r"^monitor: expected a key of the history"):
        EarlyStopping(monitor=5)


def test_callbacks_none_is_no_callbacks():
    X, y = blobs()
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    assert len(net.fit(X, y, epochs=2, callbacks=None, verbose=False).epoch) == 2


def test_a_callback_function_of_the_wrong_arguments_is_named_before_training():
    from glassnet import ArgumentError

    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    W = net.layers[0].W.copy()
    X, y = np.random.default_rng(0).random((20, 3)), np.arange(20) % 2
    with pytest.raises(ArgumentError, match=r"callbacks\[0\]: must take \(state, epoch, logs\)"):
        net.fit(X, y, epochs=2, callbacks=[lambda epoch, logs: None], verbose=False)
    np.testing.assert_array_equal(net.layers[0].W, W)  # refused before any step
    with pytest.raises(ArgumentError, match=r"on_batch_end: must take \(state, batch, logs\)"):
        LambdaCallback(on_batch_end=lambda batch: None)


def test_a_loss_not_finite_before_any_step_blames_the_numbers_not_the_rate():
    X, y = blobs(9, n=50)
    net = Network([2, 8, 1], activations=["relu", "identity"], loss="squared_error", seed=0)
    net.layers[0].W[...] = 1e300  # z overflows at the starting weights
    with pytest.raises(TrainingError, match="first batch is inf at the starting weights") as exc:
        net.fit(X, y, epochs=2, learning_rate=1e-9, verbose=False)
    assert "learning rate" not in str(exc.value)


def test_callbacks_hooks_run_in_keras_order_and_a_batch_begin_sets_its_batchs_rate():
    X, y = blobs(21, n=32)
    net = Network([2, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    events = []

    class Log(Callback):
        def on_train_begin(self, state):
            events.append("tb")

        def on_epoch_begin(self, state, epoch):
            events.append(f"eb{epoch}:{state.optimizer.learning_rate:g}")

        def on_batch_begin(self, state, batch):
            events.append(f"bb{batch}")
            state.optimizer.learning_rate = 0.0 if batch == 2 else 0.1

        def on_batch_end(self, state, batch, logs):
            events.append(f"be{batch}")

        def on_epoch_end(self, state, epoch, logs):
            events.append(f"ee{epoch}")

        def on_train_end(self, state):
            events.append("te")

    W = []
    snap = LambdaCallback(on_batch_end=lambda state, batch, logs: W.append(net.layers[0].W.copy()))
    net.fit(
        X, y, epochs=2, batch_size=16, optimizer=SGD(0.5), callbacks=[Log(), snap], verbose=False
    )
    assert events == [
        "tb",
        *("eb1:0.5", "bb1", "be1", "bb2", "be2", "ee1"),
        *("eb2:0", "bb1", "be1", "bb2", "be2", "ee2"),  # (constant: the rate as left)
        "te",
    ]
    assert np.array_equal(W[0], W[1]) and not np.array_equal(W[1], W[2])  # batch 2: η = 0


def test_a_callback_hook_of_the_wrong_arguments_or_no_hook_is_said_before_training():
    from glassnet import ArgumentError

    X, y = blobs(22, n=32)
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    W = net.layers[0].W.copy()

    class KerasStyle(Callback):
        def on_epoch_end(self, epoch, logs=None):  # Keras's, without the state
            pass

    with pytest.raises(
        ArgumentError, match=r"callbacks\[0\]\.on_epoch_end: must take \(state, epoch, logs\)"
    ):
        net.fit(X, y, epochs=2, callbacks=[KerasStyle()], verbose=False)
    np.testing.assert_array_equal(net.layers[0].W, W)  # refused before any step

    class Misnamed(Callback):
        def on_train_batch_end(self, state, batch, logs):
            pass

    with pytest.warns(
        UserWarning,
        match=r"Misnamed\.on_train_batch_end is not a hook.*"
        r"\(did you mean 'on_batch_end'\?\); the hooks are on_train_begin, ",
    ):
        net.fit(X, y, epochs=1, callbacks=Misnamed(), verbose=False)
    with pytest.warns(UserWarning) as caught:  # it names this line, not one of glassnet's
        net.fit(X, y, epochs=1, callbacks=Misnamed(), verbose=False)
    assert caught[0].filename == __file__


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("loss", "fused"), [("cross_entropy", True), ("binary_cross_entropy", False)]
)
def test_fit_steps_as_step_where_a_sigmoid_is_near_zero(dtype, loss, fused):
    # a sigmoid output of e^-40: fit's in-place σ must keep its digits, or δ = (−y/a)·a(1 − a)
    # is 0 and fit takes no step where step() takes one
    def net() -> Network:
        layer = Layer(np.array([[-40.0]], dtype=dtype), np.array([0.0], dtype=dtype), "sigmoid")
        return Network([layer], loss=loss, fused=fused)

    X, y = np.array([[1.0]], dtype=dtype), np.array([[1.0]], dtype=dtype)
    stepped = net()
    stepped.step(X, y, 1.0)
    fitted = net()
    history = fitted.fit(X, y, epochs=1, batch_size=None, learning_rate=1.0, verbose=False)
    assert history.history["loss"][0] == pytest.approx(40.0, rel=1e-6)
    np.testing.assert_allclose(fitted.layers[0].W, stepped.layers[0].W, rtol=1e-6)
    assert fitted.layers[0].W[0, 0] == pytest.approx(-39.0, rel=1e-6)


def test_ctrl_c_between_epochs_trains_no_batch_of_the_next_and_a_second_stops_at_once():
    # a Ctrl-C in a callback of epoch 1 of 3 trained batch 1 of epoch 2, then stopped
    # "at epoch 2, batch 1"; a second Ctrl-C did nothing (a hanging callback held fit)
    import os
    import signal

    X, y = blobs()
    settings = {"epochs": 3, "batch_size": 50, "seed": 0, "verbose": False}
    net, weights, saved = _net(), [], []

    def ctrl_c(state, epoch, logs):
        weights.append([layer.W.copy() for layer in state.network.layers])
        if epoch == 1:
            os.kill(os.getpid(), signal.SIGINT)

    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt, match=r"^interrupted after epoch 1$"):
        net.fit(X, y, callbacks=[ctrl_c], on_checkpoint=saved.append, **settings)
    assert len(weights) == 1 and [c["epoch"] for c in saved] == [1]
    for layer, W in zip(net.layers, weights[0], strict=True):  # no batch of epoch 2
        np.testing.assert_array_equal(layer.W, W)
    whole = _net()
    h_whole = whole.fit(X, y, **settings)
    resumed = _net()
    assert resumed.fit(X, y, resume=saved[0], **settings).history == h_whole.history
    assert_same_parameters(resumed, whole)
    # as training begins (in on_train_begin, before fit catches Ctrl-C): nothing trained
    begun = _net()
    first = [layer.W.copy() for layer in begun.layers]

    class Early(Callback):
        def on_train_begin(self, state):
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        begun.fit(X, y, callbacks=[Early()], **settings)
    for layer, W in zip(begun.layers, first, strict=True):
        np.testing.assert_array_equal(layer.W, W)
    # a second Ctrl-C stops at once: here inside the callback, which goes no further
    went_on = []

    def hangs(state, epoch, logs):
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        went_on.append(epoch)

    with pytest.raises(KeyboardInterrupt, match=r"^interrupted again: stopped at once"):
        _net().fit(X, y, callbacks=[hangs], **settings)
    assert went_on == [] and signal.getsignal(signal.SIGINT) is handler


def test_a_notebook_shows_the_bar_by_default(monkeypatch):
    # Jupyter's stderr is no terminal: verbose=None showed no bar there
    import sys
    import types

    assert train_module._show_progress(None) is False  # pytest's stderr: no terminal
    ZMQInteractiveShell = type("ZMQInteractiveShell", (), {})
    TerminalInteractiveShell = type("TerminalInteractiveShell", (), {})
    Colab = type("Shell", (ZMQInteractiveShell,), {})  # google.colab's, a subclass
    for shell, shown in (
        (ZMQInteractiveShell, True),
        (Colab, True),
        (TerminalInteractiveShell, False),
    ):
        fake = types.SimpleNamespace(get_ipython=lambda shell=shell: shell())
        monkeypatch.setitem(sys.modules, "IPython", fake)
        assert train_module._show_progress(None) is shown
        assert train_module._show_progress(False) is False
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert train_module._show_progress(None) is False  # IPython imported, no shell running


def test_a_lambda_callback_takes_every_hook_as_keras_does():
    # it took on_epoch_end and on_batch_end only
    X, y = blobs(n=40)
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda state: events.append("train_begin"),
        on_epoch_begin=lambda state, epoch: events.append(f"epoch_begin {epoch}"),
        on_batch_begin=lambda state, batch: events.append(f"batch_begin {batch}"),
        on_batch_end=lambda state, batch, logs: events.append(f"batch_end {batch}"),
        on_epoch_end=lambda state, epoch, logs: events.append(f"epoch_end {epoch}"),
        on_train_end=lambda state: events.append("train_end"),
    )
    _net().fit(X, y, epochs=2, batch_size=20, callbacks=cb, verbose=False)
    one = ["batch_begin 1", "batch_end 1", "batch_begin 2", "batch_end 2"]
    assert events == [
        "train_begin",
        *("epoch_begin 1", *one, "epoch_end 1"),
        *("epoch_begin 2", *one, "epoch_end 2"),
        "train_end",
    ]
    with pytest.raises(ArgumentError, match="on_batch_begin"):
        LambdaCallback(on_batch_begin=lambda state: None)  # one argument short
    # one without batch hooks keeps the step's calls cached, as before
    seen = []
    _net().fit(X, y, epochs=1, callbacks=LambdaCallback(on_train_end=seen.append), verbose=False)
    assert len(seen) == 1


def test_a_lambda_callback_subclass_keeps_its_own_batch_hooks(monkeypatch):
    # a subclass's own on_batch_begin was dropped with LambdaCallback's unused one
    X, y = blobs(n=40)
    calls = []

    class Mine(LambdaCallback):
        def on_batch_begin(self, state, batch):
            calls.append(("begin", batch))

        def on_batch_end(self, state, batch, logs):
            calls.append(("end", batch))

    _net().fit(
        X,
        y,
        epochs=1,
        batch_size=20,
        callbacks=Mine(on_epoch_end=lambda s, e, l: None),
        verbose=False,
    )
    assert calls == [("begin", 1), ("end", 1), ("begin", 2), ("end", 2)]
    # and one with no batch function keeps the step's calls, looked up once a batch size
    made = []
    original = Network._step_calls

    def counted(self, *args, **kwargs):
        made.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Network, "_step_calls", counted)
    _net().fit(
        X,
        y,
        epochs=2,
        batch_size=20,
        callbacks=LambdaCallback(on_train_end=lambda s: None),
        verbose=False,
    )
    cached = len(made)
    made.clear()
    _net().fit(
        X,
        y,
        epochs=2,
        batch_size=20,
        callbacks=LambdaCallback(on_batch_begin=lambda s, b: None),
        verbose=False,
    )
    assert cached < len(made)
