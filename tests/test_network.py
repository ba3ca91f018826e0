"""The engine: whole-network gradients against finite differences, every combination."""

from __future__ import annotations

import copy
import pickle
import zlib

import numpy as np
import pytest

from glassnet import ACTIVATIONS, ArgumentError, Layer, Network
from glassnet.losses import FUSED, SATURATED

from conftest import OUTPUT_LOSS, random_batch, random_case, random_network

HIDDEN = list(ACTIVATIONS)


def finite_difference_gradients(net: Network, X, Y, h: float = 1e-6):
    """Central differences of the batch loss for every weight and bias (test-local)."""
    grads = []
    for layer in net.layers:
        for param in (layer.W, layer.b):
            g = np.zeros_like(param)
            for index in np.ndindex(param.shape):
                original = param[index]
                param[index] = original + h
                up = net.loss_value(X, Y)
                param[index] = original - h
                down = net.loss_value(X, Y)
                param[index] = original
                g[index] = (up - down) / (2 * h)
            grads.append(g)
    return grads


@pytest.mark.parametrize("m", [1, 4])
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_gradients_match_finite_differences(hidden, output, loss, m):
    seed = zlib.crc32(f"{hidden}-{output}-{loss}-{m}".encode())
    net, X, Y = random_case(seed, [3, 4, 3], [hidden, output], loss, m)
    bp = net.gradients(X, Y)
    analytic = [g for l in (1, 2) for g in (bp.grad_W[l], bp.grad_b[l])]
    for a, n in zip(analytic, finite_difference_gradients(net, X, Y), strict=True):
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("act", "loss"), list(FUSED))
@pytest.mark.parametrize("m", [1, 5])
def test_fused_and_general_backward_agree(act, loss, m):
    rng = np.random.default_rng(7)
    net = random_network(rng, [4, 5, 3], ["tanh", act], loss)
    X, Y = random_batch(rng, net, m)
    fp = net.forward(X)
    fused = net.backward(fp, Y, fused=True)
    general = net.backward(fp, Y, fused=False)
    for l in (1, 2):
        np.testing.assert_allclose(fused.delta[l], general.delta[l], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(fused.grad_W[l], general.grad_W[l], rtol=1e-10, atol=1e-14)


def test_deeper_network_every_hidden_activation_in_one():
    rng = np.random.default_rng(3)
    acts = ["relu", "tanh", "elu", "softplus", "leaky_relu", "sigmoid", "identity", "softmax"]
    net = random_network(rng, [3, 4, 4, 4, 4, 4, 4, 4, 3], acts, "cross_entropy")
    X, Y = random_batch(rng, net, 3)
    bp = net.gradients(X, Y)
    fd = finite_difference_gradients(net, X, Y)
    for l in range(1, 9):
        np.testing.assert_allclose(bp.grad_W[l], fd[2 * (l - 1)], rtol=1e-5, atol=1e-8)


def test_step_updates_every_layer_from_the_pre_update_weights():
    rng = np.random.default_rng(5)
    net = random_network(rng, [3, 4, 2], ["sigmoid", "sigmoid"], "half_squared_error")
    X, Y = random_batch(rng, net, 3)
    before = net.copy()
    bp = before.gradients(X, Y)
    loss = net.step(X, Y, learning_rate=0.5)
    assert loss == before.loss_value(X, Y)
    for l, (old, new) in enumerate(zip(before.layers, net.layers, strict=True), start=1):
        np.testing.assert_array_equal(new.W, old.W - 0.5 * bp.grad_W[l])
        np.testing.assert_array_equal(new.b, old.b - 0.5 * bp.grad_b[l])


def test_descent_lowers_the_loss():
    rng = np.random.default_rng(11)
    net = random_network(rng, [2, 8, 1], ["tanh", "sigmoid"], "binary_cross_entropy")
    X = rng.normal(size=(32, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    first = net.loss_value(X, Y)
    for _ in range(300):
        net.step(X, Y, learning_rate=0.5)
    assert net.loss_value(X, Y) < 0.8 * first


def test_float32_network_computes_in_float32():
    rng = np.random.default_rng(2)
    net64 = random_network(rng, [4, 6, 3], ["relu", "softmax"], "cross_entropy")
    net32 = Network(net64.copy().layers, loss="cross_entropy", dtype="float32")
    X, Y = random_batch(rng, net64, 5)
    bp32, bp64 = net32.gradients(X, Y), net64.gradients(X, Y)
    for l in (1, 2):
        assert bp32.grad_W[l].dtype == np.float32
        assert net32.forward(X).a[l].dtype == np.float32
        np.testing.assert_allclose(bp32.grad_W[l], bp64.grad_W[l], rtol=1e-4, atol=1e-6)


def test_build_from_sizes():
    net = Network([5, 7, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=1)
    assert net.sizes == [5, 7, 3]
    assert net.layers[0].W.shape == (5, 7)
    assert np.all(net.layers[0].b == 0)
    again = Network([5, 7, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=1)
    np.testing.assert_array_equal(net.layers[0].W, again.layers[0].W)
    bound = np.sqrt(6 / 5)  # relu: he_uniform by default
    assert np.abs(net.layers[0].W).max() <= bound


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layers": [5], "activations": []}, "at least 2"),
        ({"layers": [5, 3], "activations": ["relu", "relu"]}, "expected 1"),
        ({"layers": [5, 3], "activations": ["relu"], "dtype": "int32"}, "dtype"),
        ({"layers": "abc"}, "layers"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ArgumentError, match=message):
        Network(**kwargs)


@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_logits_of_1e4_give_finite_losses_and_gradients(output, loss, dtype):
    net = Network([Layer(np.eye(3), np.zeros(3), ACTIVATIONS[output])], loss=loss, dtype=dtype)
    X = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [1e4, 0.0, -1e4]])
    # right and certainly wrong targets
    Y = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    fp = net.forward(X)
    assert np.all(np.isfinite(net.example_losses(fp, Y)))
    for fused in (True, False):  # the training path and the explained one
        bp = net.backward(fp, Y, fused=fused)
        assert np.all(np.isfinite(bp.grad_W[1])) and np.all(np.isfinite(bp.grad_b[1]))


def test_threads_predicting_at_once_each_get_their_own_outputs():
    import threading

    # batches above PREDICT_CHUNK rows go through a workspace kept on the network
    net = Network([20, 64, 5], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((3000, 20)) * (i + 1) for i in range(4)]
    expected = [net.output(X).copy() for X in batches]
    wrong = []

    def predict(i):
        for _ in range(30):
            if not np.array_equal(net.output(batches[i]), expected[i]):
                wrong.append(i)

    threads = [threading.Thread(target=predict, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_a_network_pickles_and_copies_after_large_predictions():
    import copy
    import pickle

    net = Network([4, 5, 3], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    X = np.random.default_rng(0).standard_normal((2000, 4))  # through the prediction cache
    net.fit(X, np.arange(2000) % 3, batch_size=50, epochs=1, verbose=False)  # a training one
    expected = net.predict_proba(X)
    assert len(net._workspaces) == 3
    assert "_workspaces" not in vars(copy.copy(net))  # a cache of its own, made when needed
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert "_workspaces" not in vars(twin)
        np.testing.assert_array_equal(twin.predict_proba(X), expected)
        twin.layers[0].W += 1.0  # its own arrays: the original is untouched
        np.testing.assert_array_equal(net.predict_proba(X), expected)
        assert not np.array_equal(twin.predict_proba(X), expected)


def test_a_network_owns_its_parameters():
    # training one network must not change the caller's arrays, nor another network's
    W1, W2 = np.full((3, 4), 0.1), np.full((4, 2), 0.1)
    layers = [Layer(W1, np.zeros(4), "relu"), Layer(W2, np.zeros(2), "softmax")]
    a = Network(layers, loss="cross_entropy")
    b = Network(layers, loss="cross_entropy")
    assert a.layers[0].W is not W1 and b.layers[0].W is not a.layers[0].W
    X = np.random.default_rng(0).random((10, 3))
    a.fit(X, np.arange(10) % 2, verbose=False)
    assert np.all(W1 == 0.1) and np.all(b.layers[0].W == 0.1)
    read_only = np.broadcast_to(np.full(2, 0.1), (4, 2))  # not writeable
    c = Network([Layer(W1, np.zeros(4), "relu"), Layer(read_only, np.zeros(2), "softmax")])
    c.step(X, np.eye(2)[np.arange(10) % 2], 0.1)  # trains its own copy


def test_replaced_parameters_and_activations_are_checked_or_adopted():
    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X, y = np.random.default_rng(0).random((8, 3)), np.arange(8) % 2
    net.predict(X)  # prepared calls exist
    net.layers[0].activation = "relu"  # by name, as Layer(W, b, "relu") takes it
    net.layers[1].W = net.layers[1].W.astype(np.int64)  # another dtype: the network's copy
    net.fit(X, y, epochs=1, verbose=False)
    assert net.layers[0].activation.name == "relu" and net.layers[1].W.dtype == np.float64
    small = Network([3, 2], activations=["softmax"], loss="cross_entropy", seed=0, dtype="float32")
    small.layers[0].W = small.layers[0].W.astype(np.float64)
    assert small.predict_proba(X).dtype == np.float32 and small.layers[0].W.dtype == np.float32
    for attr, value, message in (
        ("W", np.zeros((5, 2)), r"layers: layer 2 takes 5 inputs"),
        ("b", np.zeros(1), r"b of shape \(1,\)"),
        ("W", [["x"]], r"^layers\[1\]\.W: expected numbers"),
        ("activation", 3, r"^layers\[1\]\.activation"),
    ):
        broken = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
        broken.predict(X)
        setattr(broken.layers[1], attr, value)
        for call in (lambda n=broken: n.predict(X), lambda n=broken: n.fit(X, y, verbose=False)):
            with pytest.raises(ArgumentError, match=message):
                call()


def test_a_dropout_rate_of_1_is_refused_in_words_that_do_not_allow_it():
    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X, y = np.zeros((4, 3)), np.array([0, 1, 0, 1])
    with pytest.raises(ArgumentError) as info:
        net.fit(X, y, dropout=1.0, verbose=False)
    assert str(info.value) == (
        "dropout: expected a rate in [0, 1), or a list of 1 such rates (one per hidden "
        "layer), found 1.0"
    )


def test_engine_methods_name_bad_arguments():
    net = Network([3, 2], activations=["softmax"], loss="cross_entropy", seed=0)
    with pytest.raises(ArgumentError, match=r"^X: expected shape \(m, 3\)"):
        net.gradients(np.zeros((2, 4)), np.eye(2))
    with pytest.raises(ArgumentError, match=r"^learning_rate:"):
        net.step(np.zeros((2, 3)), np.eye(2), float("nan"))
    for seed in (-1, 1.5, "a"):
        with pytest.raises(ArgumentError, match=r"^seed:"):
            Network([3, 2], activations=["softmax"], seed=seed)
    with pytest.raises(ArgumentError, match=r"^activations: expected a list of 1"):
        Network([3, 2], "softmax")
    with pytest.raises(ArgumentError, match=r"^dtype:"):
        net.astype("foo")
    with pytest.raises(ArgumentError, match=r"^X: no examples"):
        net.evaluate(np.zeros((0, 3)), np.zeros(0, dtype=int))
    assert net.layers[0] != net.copy().layers[0] and net.layers[0] in net.layers


def _softmax_bce(W, b=None, dtype="float64"):
    b = np.zeros(np.shape(W)[1]) if b is None else b
    return Network(
        [Layer(np.array(W), np.array(b), ACTIVATIONS["softmax"])],
        loss="binary_cross_entropy",
        dtype=dtype,
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_bce_confidently_wrong_has_its_true_loss_and_delta(dtype):
    # a_2 rounds to 1 under y_2 = 0: ℓ was 748 (ln 0 clamped at −708) and δ_1 −1.9e290;
    # exactly ℓ = 40 + 40 and δ = 2(a − y) = [−2, 2], on every path of the engine
    net = _softmax_bce([[-20.0, 20.0]], dtype=dtype)
    X, Y = np.array([[1.0]]), np.array([[1.0, 0.0]])
    fp = net.forward(X)
    assert net.example_losses(fp, Y)[0] == pytest.approx(80.0, rel=1e-6)
    for kwargs in ({}, {"fused": False}, {"record": True}):
        np.testing.assert_allclose(net.backward(fp, Y, **kwargs).delta[1], [[-2, 2]], rtol=1e-6)
    ws = net.workspace(1)
    fp = net.forward(X, workspace=ws)
    np.testing.assert_allclose(net.backward(fp, Y, workspace=ws, scale=1.0).delta[1], [[-2, 2]])
    assert net.batch_loss_sum(fp, ws.Y, ws) == pytest.approx(80.0, rel=1e-6)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_fit_on_a_confidently_wrong_softmax_bce_moves_toward_the_target(dtype, optimizer):
    net = _softmax_bce([[-20.0, 20.0]], dtype=dtype)
    history = net.fit(
        np.array([[1.0]]), np.array([[1.0, 0.0]]), epochs=20, optimizer=optimizer, verbose=0
    )
    losses = history.history["loss"]
    assert losses[0] == pytest.approx(80.0, rel=1e-6)
    assert all(np.diff(losses) < 0)  # no 1e289 weights: a steady descent
    W = net.layers[0].W
    assert np.all(np.abs(W) <= 20) and W[0, 0] > -20 and W[0, 1] < 20


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_bce_takes_the_logits_only_for_the_rows_that_need_them(dtype):
    # a batch of saturated rows (gaps of 30, 60 and 800 logits) and normal ones, soft
    # targets: the normal rows keep the a-based numbers bit for bit, the others are the
    # closed form; the training path (in place) agrees with the explained one
    rng = np.random.default_rng(3)
    W, b = 0.1 * rng.normal(size=(2, 3)), rng.normal(size=3)
    X = np.array([[0.1, 0.2], [15.0, 0.0], [0.0, 30.0], [-0.5, 0.3], [400.0, 0.0]])
    Y = rng.uniform(size=(5, 3))
    W[0, 1], W[1, 2] = 2.0, 2.0
    net = _softmax_bce(W, b, dtype=dtype)
    fp = net.forward(X)
    z, a = fp.z[1], fp.a[1]
    Yd = Y.astype(dtype)
    exact = SATURATED[("softmax", "binary_cross_entropy")]
    rows = exact.rows(z, a, Yd)
    assert rows.tolist() == [1, 2, 4]
    normal = [0, 3]
    general = ACTIVATIONS["softmax"].vjp(z, a, net.loss.gradient(a, Yd))
    bp = net.backward(fp, Y, record=True)
    assert np.array_equal(bp.delta[1][normal], general[normal])
    assert np.array_equal(bp.dL_da[1][normal], net.loss.gradient(a, Yd)[normal])
    assert np.array_equal(bp.delta[1][rows], exact.delta(z[rows], Yd[rows]))
    assert np.all(np.isfinite(bp.delta[1])) and np.all(np.abs(bp.delta[1]) < 4)
    losses = net.example_losses(fp, Y)
    assert np.array_equal(losses[normal], net.loss.value(a, Yd)[normal])
    assert np.array_equal(losses[rows], exact.value(z[rows], Yd[rows]))
    ws = net.workspace(5)
    fp_ws = net.forward(X, workspace=ws)
    trained = net.backward(fp_ws, Y, workspace=ws, scale=1.0).delta[1]
    tol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(trained, bp.delta[1], rtol=tol, atol=tol)
    assert net.batch_loss_sum(fp_ws, ws.Y, ws) == pytest.approx(float(losses.sum()), rel=tol)


def test_the_network_listing_of_docs_training_shows_the_real_keyword_defaults():
    # docs/training.md lists Network(...) with example sizes and activations beside the
    # arguments that have defaults; those must show them (seed=None, not seed=0; the
    # loss half_squared_error, where loss="cross_entropy" read as the default)
    import ast
    import inspect

    from conftest import ROOT

    text = (ROOT / "docs" / "training.md").read_text(encoding="utf-8")
    listing = text[text.index("Network(\n") : text.index(")  # from sizes")]
    shown = {}
    for line in listing.splitlines()[1:]:
        name, _, value = line.split("#")[0].strip().rstrip(",").partition("=")
        if value:
            shown[name] = ast.literal_eval(value)
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(Network).parameters.items()
        if parameter.default is not inspect.Parameter.empty and name != "activations"
    }  # (activations=None: required with sizes)
    assert shown.keys() - {"activations"} == defaults.keys()  # every one, at its default
    assert {name: shown[name] for name in defaults} == defaults


@pytest.mark.parametrize("thaw", [copy.deepcopy, lambda n: pickle.loads(pickle.dumps(n))])
def test_a_copied_network_trains_and_reports_as_the_original(thaw):
    # the fused pair found is a cache: a copy looks it up again, and so takes the same
    # training path (and loss sums) as the network it was copied from
    rng = np.random.default_rng(0)
    X, y = rng.random((300, 3)), rng.integers(0, 2, 300)
    net = Network([3, 8, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    net.evaluate(X[:2], y[:2])  # fills the cache
    twin = thaw(net)
    assert twin._fused() is net._fused() is FUSED[("softmax", "cross_entropy")]
    histories = [n.fit(X, y, epochs=2, seed=2, verbose=False).history["loss"] for n in (net, twin)]
    assert histories[0] == histories[1]


def test_step_takes_one_example_as_vectors_and_class_indices():
    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    rows = net.copy()
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.0])
    assert net.step(x, y, learning_rate=0.1) == rows.step(x[None], y[None], learning_rate=0.1)
    for a, b in zip(net.layers, rows.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)
    X = np.array([[0.5, -1.0, 2.0], [1.0, 2.0, 3.0]])
    assert net.step(X, [0, 1], 0.1) == rows.step(X, [[1.0, 0.0], [0.0, 1.0]], 0.1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Network([3, 2], activations=["relux"]), "activations[0]: unknown activation"),
        (lambda: Network([3, 2], activations=["tanh"], loss="mse"), "loss: unknown loss 'mse'"),
        (lambda: Network([3, 2], activations=["tanh"], init="xavier"), "init: unknown initialiser"),
        (lambda: Layer(np.eye(2), np.zeros(2), "foo"), "activation: unknown activation 'foo'"),
    ],
)
def test_an_unknown_name_of_the_api_is_an_argument_error(make, message):
    # a SpecError names a spec file; an argument of a call is named as the argument
    with pytest.raises(ArgumentError) as info:
        make()
    assert str(info.value).startswith(message)


def test_predict_and_evaluate_name_a_row_that_is_not_a_number():
    # argmax of a NaN row is 0: a class said where there is no number
    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X = np.zeros((3, 3))
    X[1, 2] = np.nan
    with pytest.raises(ArgumentError, match=r"X: row 2, column 3 \(nan\) gives an output"):
        net.predict(X)
    with pytest.raises(ArgumentError, match=r"X: row 1, column 2 \(nan\)"):
        net.evaluate([[1.0, None, 3.0]], [1])
    assert net.predict(np.delete(X, 1, axis=0)).tolist() == net.predict(np.zeros((2, 3))).tolist()


def test_predict_proba_names_a_row_that_is_not_a_number_too():
    net = Network([2, 3, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    with pytest.raises(ArgumentError, match=r"X: row 2, column 1 \(nan\) gives an output"):
        net.predict_proba([[0.1, 0.2], [np.nan, 0.0]])


def test_a_non_finite_weight_is_named_not_blamed_on_x_or_the_learning_rate():
    X = np.ones((2, 3))
    net = Network([3, 4, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    net.predict(X)  # a workspace kept: the replaced W is met by prepared products
    net.layers[1].W = np.full((4, 2), np.inf)
    message = r"^layers\[1\]\.W: holds inf at \[1, 1\] \(counted from 1\); .* must be finite"
    for call in (net.predict, net.predict_proba, lambda X: net.evaluate(X, [0, 1])):
        with pytest.raises(ArgumentError, match=message):
            call(X)
    with pytest.raises(ArgumentError, match=message + " to train$"):
        net.fit(X, [0, 1], epochs=1, verbose=False)
    built = Network(
        [
            Layer(np.ones((3, 4)), np.array([0, np.nan, 0, 0]), "relu"),
            Layer(np.ones((4, 2)), np.zeros(2), "softmax"),
        ],
        loss="cross_entropy",
    )
    with pytest.raises(ArgumentError, match=r"^layers\[0\]\.b: holds nan at \[2\]"):
        built.predict(X)
    assert np.isnan(built.copy().layers[0].b[1])  # a copy is made as it is


def test_a_step_or_gradients_of_no_examples_are_refused_and_leave_the_weights():
    # a mean over 0 rows is 0/0: NaN in every weight, with no word said
    import glassnet

    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    before = [layer.W.copy() for layer in net.layers]
    X, Y = np.zeros((0, 3)), np.zeros((0, 2))
    for call in (
        lambda: net.step(X, Y, learning_rate=0.1),
        lambda: net.gradients(X, Y),
        lambda: net.backward(net.forward(X), Y),
        lambda: glassnet.explain_step(net, X, Y, learning_rate=0.1),
        lambda: glassnet.gradcheck(net, X, Y),
        lambda: net.loss_value(X, Y),
    ):
        with pytest.raises(ArgumentError, match=r"^X: no examples"):
            call()
    for layer, W in zip(net.layers, before, strict=True):
        np.testing.assert_array_equal(layer.W, W)
    assert net.predict(X).shape == (0,)  # a prediction of nothing is nothing


def test_a_workspace_refuses_a_batch_or_targets_of_another_shape_not_broadcasts_them():
    # one row of targets for 4 examples broadcast: gradients 4 times too large
    net = Network([3, 2], activations=["identity"], loss="half_squared_error", seed=0)
    X, Y = np.ones((4, 3)), np.array([[1.0, 0.0]])
    ws = net.workspace(4)
    fp = net.forward(X, workspace=ws)
    for targets, found in ((Y, r"\(1, 2\)"), (np.array([0, 1, 1, 0]), r"\(4,\)")):
        with pytest.raises(ArgumentError, match=r"^Y: expected shape \(4, 2\).*found " + found):
            net.backward(fp, targets, workspace=ws)
    for rows in (np.ones((1, 3)), np.ones((4, 2)), np.ones(3)):
        with pytest.raises(ArgumentError, match=r"^X: expected shape \(4, 3\), the workspace"):
            net.forward(rows, workspace=net.workspace(4))
    with pytest.raises(ArgumentError, match=r"^m: expected a whole number ≥ 1"):
        net.workspace(0)
    # the right shapes give what the pass without a workspace gives
    full = np.tile(Y, (4, 1))
    bp = net.backward(net.forward(X, workspace=ws), full, workspace=ws)
    np.testing.assert_allclose(bp.grad_W[1], net.gradients(X, full).grad_W[1], rtol=1e-12)


def test_an_output_activation_replaced_by_name_is_taken_by_every_entry_point():
    # docs/training.md: a layer's activation may be replaced by its name; the class
    # indices are read before any pass has looked it up
    import glassnet
    from glassnet.diagnose import diagnose

    X, y = np.ones((2, 3)), np.array([0, 1])
    calls = {
        "evaluate": lambda n: n.evaluate(X, y)["loss"],
        "step": lambda n: n.step(X, y, 0.1),
        "explain_step": lambda n: glassnet.explain_step(n, X, y, 0.1).loss,
        "diagnose": lambda n: diagnose(n, X, y).ids,
        "targets": lambda n: n.targets(y),
    }
    for name, call in calls.items():
        expected = call(Network([3, 4, 2], ["tanh", "softmax"], "cross_entropy", seed=0))
        net = Network([3, 4, 2], ["tanh", "softmax"], "cross_entropy", seed=0)
        net.layers[1].activation = "softmax"
        assert np.array_equal(call(net), expected), name
        net.layers[1].activation = "bogus"
        with pytest.raises(ArgumentError, match=r"^layers\[1\]\.activation: unknown"):
            call(net)


@pytest.mark.parametrize(
    ("W", "message"),
    [(None, r"^layers: layer 1 has W of shape \(\)"), ("x", r"^layers\[0\]\.W: expected numbers")],
)
def test_a_replaced_w_that_is_no_matrix_is_named_by_every_entry_point(W, message):
    # the input size n_0 is read off layer 1's W before any pass checked it: IndexError
    X, y = np.ones((2, 3)), np.array([0, 1])
    for call in (
        lambda n: n.predict(X),
        lambda n: n.predict_proba(X),
        lambda n: n.output(X),
        lambda n: n.evaluate(X, y),
        lambda n: n.step(X, y, 0.1),
    ):
        net = Network([3, 4, 2], ["tanh", "softmax"], "cross_entropy", seed=0)
        net.layers[0].W = W
        with pytest.raises(ArgumentError, match=message):
            call(net)


def test_a_replaced_w_is_used_in_place_or_copied_as_docs_training_says():
    # docs/training.md: a C-contiguous, writeable array of the network's dtype is used
    # in place (trained in place); anything else is copied by the next call
    X, y = np.random.default_rng(0).normal(size=(8, 3)), np.arange(8) % 2
    read_only = np.ones((3, 2))
    read_only.flags.writeable = False
    for W, in_place in (
        (np.ones((3, 2)), True),
        (np.ones((6, 2))[:3], True),
        (np.ones((3, 2), order="F"), False),
        (np.ones((3, 4))[:, :2], False),
        (np.ones((3, 2), dtype=np.float32), False),
        (read_only, False),
    ):
        net = Network([3, 2], activations=["softmax"], loss="cross_entropy", seed=0)
        net.layers[0].W = W
        net.step(X, y, 0.1)
        assert (net.layers[0].W is W) == in_place and bool(np.any(W != 1)) == in_place


def test_complex_inputs_and_weights_are_refused_not_cut_to_their_real_parts():
    import glassnet

    X, y = np.ones((2, 3)) + 1j, np.array([0, 1])
    net = Network([3, 4, 2], ["tanh", "softmax"], "cross_entropy", seed=0)
    for call in (
        lambda X: net.predict(X),
        lambda X: net.evaluate(X, y),
        lambda X: net.fit(X, y, verbose=False),
        lambda X: net.step(X, y, 0.1),
        lambda X: net.gradients(X, np.eye(2)[y]),
        lambda X: net.forward(X, workspace=net.workspace(2)),
        lambda X: glassnet.explain_step(net, X, y, 0.1),
    ):
        for given in (X, X.tolist()):
            with pytest.raises(ArgumentError, match=r"^X: expected real numbers, found complex"):
                call(given)
    W = np.ones((3, 4), dtype=complex)
    with pytest.raises(ArgumentError, match=r"^layers\[0\]\.W: expected real numbers"):
        Network([Layer(W, np.zeros(4), "tanh")])
    net.layers[1].b = np.zeros(2, dtype=complex)
    with pytest.raises(ArgumentError, match=r"^layers\[1\]\.b: expected real numbers"):
        net.predict(np.ones((2, 3)))


@pytest.mark.parametrize(
    "sizes, activations, loss, y_of",
    [
        ([5, 6, 3], ["tanh", "softmax"], "cross_entropy", lambda r, m: r.integers(0, 3, m)),
        ([5, 6, 1], ["relu", "sigmoid"], "cross_entropy", lambda r, m: r.integers(0, 2, m)),
        ([5, 6, 2], ["tanh", "identity"], "mean_squared_error", lambda r, m: r.normal(size=(m, 2))),
    ],
)
def test_evaluate_of_a_large_batch_goes_in_chunks_with_the_whole_passs_figures(
    monkeypatch, sizes, activations, loss, y_of
):
    # the whole pass kept every layer's z and a of every row (1e6 × 64 rows: 4.4 GiB)
    from glassnet import network as network_module
    from glassnet.metrics import metric_value

    net = Network(sizes, activations=activations, loss=loss, seed=0)
    rng = np.random.default_rng(1)
    m = 2 * network_module.PREDICT_CHUNK + 7  # a leftover chunk too
    X, y = rng.normal(size=(m, sizes[0])), y_of(rng, m)
    fp = net.forward(X)  # the whole pass, as evaluate took it
    Y = net.targets(y)
    loss_whole = float(net.example_losses(fp, Y).mean())
    name, value_whole = metric_value(net, fp.a[-1], Y)
    rows_seen = []
    forward = Network.forward
    monkeypatch.setattr(
        Network, "forward", lambda self, X, **kw: rows_seen.append(len(X)) or forward(self, X, **kw)
    )
    figures = net.evaluate(X, y)
    assert max(rows_seen) <= network_module.PREDICT_CHUNK
    assert figures["loss"] == pytest.approx(loss_whole, rel=1e-14, abs=0)
    assert figures[name] == pytest.approx(value_whole, rel=1e-14, abs=0)
    # a batch of one chunk is the whole pass's, bit for bit
    small = slice(0, network_module.PREDICT_CHUNK)
    fp = forward(net, X[small])
    assert net.evaluate(X[small], y[small]) == {
        "loss": float(net.example_losses(fp, Y[small]).mean()),
        name: metric_value(net, fp.a[-1], Y[small])[1],
    }


def test_evaluate_in_chunks_names_a_row_that_is_not_a_number_in_a_later_chunk():
    from glassnet.network import PREDICT_CHUNK

    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X = np.zeros((2 * PREDICT_CHUNK + 3, 3))
    X[PREDICT_CHUNK + 5, 1] = np.nan
    y = np.zeros(len(X), dtype=int)
    row = PREDICT_CHUNK + 6
    with pytest.raises(ArgumentError, match=rf"^X: row {row}, column 2 \(nan\) gives an output"):
        net.evaluate(X, y)


def test_cross_entropy_targets_given_as_rows_are_refused_outside_0_1_as_fit_refuses_them():
    X = np.random.default_rng(0).normal(size=(6, 3))
    softmax = Network([3, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    sigmoid = Network(
        [3, 4, 1], activations=["tanh", "sigmoid"], loss="binary_cross_entropy", seed=0
    )
    for net, Y in ((softmax, -np.eye(3)[[0, 1, 2, 0, 1, 2]]), (sigmoid, np.full((6, 1), 3.0))):
        W = [layer.W.copy() for layer in net.layers]
        calls = (
            lambda: net.step(X, Y, 0.1),  # noqa: B023  (called in this iteration)
            lambda: net.gradients(X, Y),  # noqa: B023
            lambda: net.backward(net.forward(X), Y),  # noqa: B023
            lambda: net.loss_value(X, Y),  # noqa: B023
        )
        for call in calls:
            with pytest.raises(ArgumentError, match=r"^Y: \w+ takes targets in \[0, 1\]"):
                call()
        assert all(np.array_equal(layer.W, w) for layer, w in zip(net.layers, W, strict=True))


def test_gradients_take_class_indices_as_step_and_fit_do():
    X = np.random.default_rng(0).normal(size=(5, 3))
    net = Network([3, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    y = np.array([0, 2, 1, 1, 0])
    by_index, by_row = net.gradients(X, y), net.gradients(X, np.eye(3)[y])
    for l in (1, 2):
        assert np.array_equal(by_index.grad_W[l], by_row.grad_W[l])


def test_class_indices_that_are_not_finite_are_named_by_their_example():
    X = np.zeros((6, 3))
    net = Network([3, 4, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    for bad in (np.nan, np.inf):
        y = np.array([0, 1, 0, 1, bad, 1])
        message = rf"^y: example 5 holds {bad} \(column 1\); data must be finite"
        for call in (net.evaluate, lambda X, y: net.fit(X, y, epochs=1)):
            with pytest.raises(ArgumentError, match=message):
                call(X, y)
        with pytest.raises(ArgumentError, match=r"^validation_data: y_val: example 5 holds"):
            net.fit(X, np.zeros(6, dtype=int), epochs=1, validation_data=(X, y))


def test_a_regression_prediction_names_a_row_that_is_not_a_number():
    net = Network([2, 3, 1], activations=["tanh", "identity"], seed=0)
    with pytest.raises(ArgumentError, match=r"^X: row 2, column 1 \(nan\) gives an output"):
        net.predict([[0.1, 0.2], [np.nan, 0.0]])
    assert np.isnan(net.output(np.array([[np.nan, 0.0]]))).all()  # a_L as it is


def test_gradients_take_one_example_as_vectors_as_step_does():
    net = Network([3, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    x, y = np.array([0.1, 0.2, 0.3]), np.array([1.0, 0.0, 0.0])
    as_vectors, as_rows = net.gradients(x, y), net.gradients(x[None], y[None])
    assert np.array_equal(as_vectors.grad_W[1], as_rows.grad_W[1])
    with pytest.raises(ArgumentError, match=r"^Y: class indices must lie in 0\.\.2"):
        net.gradients(np.zeros((4, 3)), np.array([0, 1, 2, 3]))


@pytest.mark.parametrize("n", [1, 3, 64, 65, 300])
def test_one_hot_rows_for_few_and_many_classes(n):
    from glassnet.network import one_hot

    index = np.random.default_rng(n).integers(0, n, 50)
    rows = one_hot(index, n, np.float32)
    assert rows.shape == (50, n) and rows.dtype == np.float32
    assert np.array_equal(rows.argmax(axis=1), index) and np.array_equal(rows.sum(axis=1), [1] * 50)
    assert one_hot(index[:0], n, np.float64).shape == (0, n)
    with pytest.raises(IndexError):  # never a 1 in the next row
        one_hot(np.array([n, 0]), n, np.float32)


def test_a_float32_network_says_so_and_names_numbers_beyond_its_range():
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", dtype="float32", seed=0)
    assert repr(net).endswith("loss='cross_entropy', dtype='float32')")
    assert "dtype" not in repr(Network([2, 3], activations=["softmax"], seed=0))  # float64
    # 1e39 became inf in the cast, with NumPy's RuntimeWarning, and was said to be inf
    for call in (net.predict, lambda X: net.fit(X, [0], verbose=False)):
        with pytest.raises(
            ArgumentError, match=r"^X: example 1 holds 1e\+39 \(column 1\), beyond float32's"
        ):
            call(np.array([[1e39, 0.0]]))
    # a column of class indices, as Keras takes them: the shape they go in
    with pytest.raises(ArgumentError, match=r"found 1; class indices go in a 1-D array"):
        net.fit(np.ones((3, 2)), np.zeros((3, 1)), verbose=False)
    import glassnet

    assert glassnet.TrainingState is glassnet.train.TrainingState


def test_reprs_name_what_a_reader_needs_not_every_number():
    # a Layer printed every weight and the activation's functions' addresses
    from glassnet import LOSSES, EarlyStopping

    net = Network([4, 3, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    assert repr(net.layers[0]) == "Layer(W: 4×3 float64, activation='relu')"
    assert repr(ACTIVATIONS["relu"]) == "Activation('relu')" and "0x" not in repr(net.layers[1])
    assert repr(LOSSES["cross_entropy"]) == "Loss('cross_entropy')"
    assert repr(EarlyStopping(patience=3)) == (
        "EarlyStopping(monitor='val_loss', patience=3, min_delta=0.0, restore_best_weights=True)"
    )
