"""Parts replaced or shared: a loss, activation, W or b replaced in a callback or between
calls, tied weights, read-only parameters, a workspace of other shapes."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import ArgumentError, Callback, Network, TrainingError
from glassnet.activations import get_activation
from glassnet.losses import get_loss
from glassnet.network import Layer

from conftest import assert_same_parameters


def classes(seed=0, n=200, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)) * scale
    return X, np.eye(3)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0)]  # one-hot rows


def softmax_net():
    return Network([6, 9, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=1)


SWAPS = {  # the output activation and loss a callback puts in place of softmax + cross-entropy
    "sigmoid_bce": ("sigmoid", "binary_cross_entropy"),
    "identity_hse": ("identity", "half_squared_error"),
    "softmax_bce": ("softmax", "binary_cross_entropy"),
}


def swap(net, to):
    activation, loss = SWAPS[to]
    net.layers[-1].activation = get_activation(activation)
    net.loss = get_loss(loss)


class Swap(Callback):
    """Swaps the output and loss after epoch 1 or after the given batch of epoch 1."""

    def __init__(self, to, batch=None):
        self.to, self.batch, self.losses = to, batch, []

    def on_batch_end(self, state, batch, logs):
        if state.epoch == 1:
            self.losses.append((logs["loss"], logs["size"]))
            if batch == self.batch:
                swap(state.network, self.to)

    def on_epoch_end(self, state, epoch, logs):
        if epoch == 1 and self.batch is None:
            swap(state.network, self.to)


@pytest.mark.parametrize("to", list(SWAPS))
def test_a_loss_swapped_by_a_callback_is_the_loss_of_the_next_epochs(to):
    # softmax + cross-entropy on one-hot rows takes its epoch loss from the softmax's own
    # numbers (losses.EpochLoss); after the swap each batch's loss is the new one's
    X, y = classes()
    settings = {"batch_size": 50, "shuffle": False, "verbose": False}
    swapped = softmax_net()
    history = swapped.fit(X, y, epochs=3, callbacks=[Swap(to)], **settings)
    fresh = softmax_net()
    first = fresh.fit(X, y, epochs=1, **settings)
    swap(fresh, to)
    rest = fresh.fit(X, y, epochs=2, **settings)
    assert history["loss"] == first["loss"] + rest["loss"]
    for a, b in zip(swapped.layers, fresh.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)


def test_a_loss_swapped_inside_an_epoch_counts_each_batch_with_its_own_loss():
    X, y = classes(1)
    swapper = Swap("sigmoid_bce", batch=2)  # after 2 of the 4 batches of epoch 1
    history = softmax_net().fit(
        X, y, epochs=2, batch_size=50, shuffle=False, callbacks=[swapper], verbose=False
    )
    assert len(swapper.losses) == 4
    mean = sum(loss * m for loss, m in swapper.losses) / len(X)
    np.testing.assert_allclose(history["loss"][0], mean, rtol=1e-12)


def test_divergence_after_a_swapped_loss_is_caught_at_its_batch():
    X, y = classes(scale=10.0)
    net = softmax_net()
    with pytest.raises(TrainingError, match=r"diverged at epoch 3, batch 1: the loss is inf"):
        net.fit(
            X,
            y,
            epochs=4,
            batch_size=50,
            shuffle=False,
            learning_rate=0.5,
            callbacks=[Swap("identity_hse")],
            verbose=False,
        )
    assert all(np.isfinite(layer.W).all() for layer in net.layers)


REPLACEMENTS = {  # the documented replacements of a layer's parts (docs/training.md)
    "W_list": lambda net: setattr(net.layers[0], "W", net.layers[0].W.tolist()),
    "b_list": lambda net: setattr(net.layers[1], "b", [0.1, 0.2]),
    "activation_name": lambda net: setattr(net.layers[0], "activation", "tanh"),
    "output_name": lambda net: setattr(net.layers[1], "activation", "sigmoid"),
}


@pytest.mark.parametrize("entry", ["repr", "copy", "gradcheck", "save_model", "export_spec"])
@pytest.mark.parametrize("replacement", list(REPLACEMENTS))
def test_every_entry_point_takes_a_replaced_part_of_a_layer(entry, replacement, tmp_path):
    import glassnet

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    net = Network([3, 4, 2], activations=["relu", "identity"], seed=0)
    REPLACEMENTS[replacement](net)
    reference = Network([3, 4, 2], activations=["relu", "identity"], seed=0)
    REPLACEMENTS[replacement](reference)
    reference._check_layers()  # as the engine takes it
    names = [layer.activation.name for layer in reference.layers]
    if entry == "repr":
        assert f"activations=[{', '.join(names)}]" in repr(net)
        return
    if entry == "copy":
        got = net.copy()
    elif entry == "gradcheck":
        assert glassnet.gradcheck(net, X, Y).passed
        return
    elif entry == "save_model":
        glassnet.save_model(net, tmp_path / "m.npz")
        got = glassnet.load_model(tmp_path / "m.npz")[0]
    else:
        glassnet.export_spec(net, tmp_path / "s.toml", X, Y)
        got = glassnet.load_spec(tmp_path / "s.toml").network
    assert [layer.activation.name for layer in got.layers] == names
    assert_same_parameters(got, reference)


def test_backward_takes_a_part_replaced_after_the_forward_pass():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    net = Network([3, 4, 2], activations=["relu", "identity"], seed=0)
    fp = net.forward(X)
    net.layers[1].activation = "tanh"
    net.layers[1].W = net.layers[1].W.tolist()
    bp = net.backward(fp, Y)
    reference = Network([3, 4, 2], activations=["relu", "tanh"], seed=0)  # the same weights
    expected = reference.backward(fp, Y)
    for l in (1, 2):
        np.testing.assert_array_equal(bp.grad_W[l], expected.grad_W[l])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
@pytest.mark.parametrize("tie", ["W", "W_and_b"])
def test_tied_weights_take_the_step_of_step(optimizer, tie):
    # one array for the W of layers 2 and 3: plain SGD's steps inside the pass would change
    # W_3 before δ_1 is computed from it (and W_2 is W_3)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(16, 4)), rng.normal(size=(16, 4))

    def make():
        net = Network([4, 4, 4, 4], activations=["tanh", "tanh", "identity"], seed=3)
        net.layers[2].W = net.layers[1].W
        if tie == "W_and_b":
            net.layers[2].b = net.layers[1].b
        return net

    reference = make()
    reference.step(X, Y, learning_rate=0.1)
    net = make()
    settings = {"batch_size": 16, "shuffle": False, "learning_rate": 0.1, "verbose": False}
    net.fit(X, Y, epochs=1, optimizer=optimizer, **settings)
    assert net.layers[2].W is net.layers[1].W  # still tied: trained in place
    for a, b in zip(net.layers, reference.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(a.b, b.b, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("when", ["on_epoch_end", "on_batch_end", "on_train_begin"])
def test_a_parameter_made_read_only_during_fit_is_refused(optimizer, when):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 3)), rng.normal(size=(64, 2))
    net = Network([3, 4, 2], activations=["tanh", "identity"], seed=0)
    frozen = net.layers[1].b

    seen = []

    def freeze(self, state, *args):
        frozen.flags.writeable = False
        seen.append(frozen.copy())

    Freeze = type("Freeze", (Callback,), {when: freeze})
    with pytest.raises(ArgumentError, match=r"^layers\[1\]\.b: read-only .* during fit"):
        net.fit(X, Y, epochs=3, batch_size=16, optimizer=optimizer, callbacks=[Freeze()])
    np.testing.assert_array_equal(frozen, seen[0])  # never written once read-only


def read_only_copy(values, how, tmp_path):
    """A read-only array of ``values``: from np.load's memory map, from a buffer, or flagged."""
    if how == "mmap":
        np.save(tmp_path / "W.npy", values)
        return np.load(tmp_path / "W.npy", mmap_mode="r")
    if how == "frombuffer":
        return np.frombuffer(values.tobytes(), dtype=values.dtype).reshape(values.shape)
    if how == "list":
        return values.tolist()
    frozen = values.copy()
    frozen.flags.writeable = False
    return frozen


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("when", ["on_epoch_end", "on_batch_end", "on_train_begin"])
@pytest.mark.parametrize("how", ["mmap", "frombuffer", "flagged", "list"])
def test_a_parameter_replaced_by_a_read_only_array_or_a_list_during_fit_is_copied(
    optimizer, when, how, tmp_path
):
    # docs/training.md: only an array that fit updates, flipped read-only in place, is
    # refused; one put in its place is taken by the next batch as a copy
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 3)), rng.normal(size=(64, 2))
    settings = {"epochs": 2, "batch_size": 16, "optimizer": optimizer, "verbose": False, "seed": 0}

    def run(replace):
        net = Network([3, 4, 2], activations=["tanh", "identity"], seed=0)
        calls = []

        def put(self, state, *args):
            if not calls:  # once: the first time the callback runs
                W = state.network.layers[0].W
                state.network.layers[0].W = replace(np.array(W))
            calls.append(1)

        net.fit(X, Y, callbacks=[type("Put", (Callback,), {when: put})()], **settings)
        return net

    replaced = run(lambda W: read_only_copy(W, how, tmp_path))
    reference = run(lambda W: W)  # a writeable array of the same values, used in place
    W = replaced.layers[0].W
    assert isinstance(W, np.ndarray) and W.flags.writeable  # the network's own copy
    assert_same_parameters(replaced, reference)


@pytest.mark.parametrize("how", ["flagged", "list"])
def test_a_replacement_with_no_batch_after_it_is_copied_before_fit_writes_into_it(how, tmp_path):
    # no batch follows it, yet fit writes into W: early stopping's restore of the best
    # weights at the end, and a resumed run's checkpoint put back after on_train_begin
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 3)), rng.integers(0, 2, 64)

    def net():
        return Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)

    class Last(Callback):
        def on_epoch_end(self, state, epoch, logs):
            if epoch == 3:
                layer = state.network.layers[0]
                layer.W = read_only_copy(np.array(layer.W), how, tmp_path)

    settings = {"epochs": 3, "verbose": False, "seed": 1}
    replaced, reference = net(), net()
    h = replaced.fit(X, y, callbacks=[Last()], early_stopping=True, **settings)
    g = reference.fit(X, y, early_stopping=True, **settings)
    assert h.history == g.history and h.best_epoch == g.best_epoch
    np.testing.assert_array_equal(replaced.layers[0].W, reference.layers[0].W)

    checkpoints = []
    net().fit(X, y, checkpoint_every=1, on_checkpoint=checkpoints.append, **settings)

    class Begin(Callback):
        def on_train_begin(self, state):
            layer = state.network.layers[0]
            layer.W = read_only_copy(np.array(layer.W), how, tmp_path)

    resumed, plain = net(), net()
    resumed.fit(X, y, callbacks=[Begin()], resume=checkpoints[0], **settings)
    plain.fit(X, y, resume=checkpoints[0], **settings)
    np.testing.assert_array_equal(resumed.layers[0].W, plain.layers[0].W)


@pytest.mark.parametrize(
    ("other", "message"),
    [
        ([3, 5, 2], r"layer sizes \[3, 4, 2\], the network's are \[3, 5, 2\] \(layers\[0\] has 5"),
        ([4, 4, 2], r"the network's are \[4, 4, 2\] \(layers\[0\] takes 4\)"),
        ([3, 4, 4, 2], r"the network's are \[3, 4, 4, 2\]; make another"),
        ("float32", r"float64, the network's float32"),
    ],
)
def test_a_workspace_of_another_network_is_named(other, message):
    made = Network([3, 4, 2], activations=["tanh", "identity"], seed=0)
    if other == "float32":
        net = made.astype("float32")
    else:
        net = Network(other, activations=["tanh"] * (len(other) - 2) + ["identity"], seed=0)
    for training in (True, False):
        ws = made.workspace(8) if training else made._workspace(8, training=False)
        with pytest.raises(ArgumentError, match=r"^workspace: made for .*" + message):
            net.forward(np.ones((8, net.sizes[0])), workspace=ws)


class Grow(Callback):
    """Gives layer 1 two more units after epoch 1."""

    def on_epoch_end(self, state, epoch, logs):
        if epoch == 1:
            grow(state.network)


def grow(net):
    net.layers[0].W = np.hstack([net.layers[0].W, np.zeros((3, 2))])
    net.layers[0].b = np.zeros(6)
    net.layers[1].W = np.vstack([net.layers[1].W, np.zeros((2, 2))])


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_layer_resized_during_fit_is_refused_and_taken_by_the_next_fit(optimizer):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 3)), rng.normal(size=(64, 2))
    net = Network([3, 4, 2], activations=["tanh", "identity"], seed=0)
    # in fit's terms: the user made no workspace (it said 'workspace: made for ...')
    with pytest.raises(
        ArgumentError, match=r"^layers\[0\]: resized during fit \(4 units, now 6\); resize between"
    ):
        net.fit(X, Y, epochs=2, batch_size=16, optimizer=optimizer, callbacks=[Grow()])
    history = net.fit(X, Y, epochs=1, batch_size=16, optimizer=optimizer, verbose=False)
    assert net.sizes == [3, 6, 2] and np.isfinite(history["loss"][0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("inputs", r"^layers\[0\]: resized during fit \(3 inputs, now 5\); resize between fits"),
        ("layers", r"^layers: 2 as fit began, now 3 \(sizes \[3, 4, 2\], now \[3, 4, 4, 2\]\)"),
    ],
)
def test_a_network_reshaped_during_fit_is_named_in_fits_terms(change, message):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 3)), rng.normal(size=(64, 2))
    net = Network([3, 4, 2], activations=["tanh", "identity"], seed=0)

    def reshape(state, epoch, logs):
        layers = state.network.layers
        if change == "inputs":
            layers[0].W = np.zeros((5, 4))
        else:
            layers.insert(1, Layer(np.zeros((4, 4)), np.zeros(4), "tanh"))

    with pytest.raises(ArgumentError, match=message):
        net.fit(X, Y, epochs=2, batch_size=16, callbacks=[reshape], verbose=False)


def test_a_loss_replaced_by_its_name_is_looked_up():
    # as a layer's activation may be: it failed later as "'str' object has no attribute 'name'"
    X, Y = classes()
    net = softmax_net()
    net.loss = "binary_cross_entropy"
    assert net.loss is get_loss("binary_cross_entropy")
    named, swapped = softmax_net(), softmax_net()
    settings = {"epochs": 2, "batch_size": 50, "shuffle": False, "verbose": False}

    class ByName(Callback):
        def __init__(self, loss):
            self.loss = loss

        def on_batch_end(self, state, batch, logs):
            if state.epoch == 1 and batch == 2:
                state.network.loss = self.loss

    h1 = named.fit(X, Y, callbacks=[ByName("half_squared_error")], **settings)
    h2 = swapped.fit(X, Y, callbacks=[ByName(get_loss("half_squared_error"))], **settings)
    assert h1.history == h2.history
    for what in ("evaluate", "predict", "repr"):
        net = softmax_net()
        net.loss = "half_squared_error"
        if what == "repr":
            assert "loss='half_squared_error'" in repr(net)
        else:
            getattr(net, what)(X, Y) if what == "evaluate" else net.predict(X)
    with pytest.raises(ArgumentError, match=r"^loss: unknown loss 'cross_entropi' \(did you mean"):
        net.loss = "cross_entropi"
    assert net.loss is get_loss("half_squared_error")  # unchanged


def test_a_pickled_network_keeps_its_loss_under_its_old_name():
    # the loss became a property (stored as _loss); a pickle still holds it as "loss", so
    # either version reads the other's
    import pickle

    net = softmax_net()
    assert "loss" in net.__getstate__() and "_loss" not in net.__getstate__()
    state = {**net.__getstate__()}
    old = Network.__new__(Network)
    old.__setstate__(state)
    assert old.loss is net.loss
    assert pickle.loads(pickle.dumps(net)).loss is net.loss
