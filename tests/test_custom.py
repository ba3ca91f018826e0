"""Custom activations and losses: registered by name, checked by gradcheck, explained."""

from __future__ import annotations

import dataclasses
import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from glassnet import (
    ACTIVATIONS,
    LOSSES,
    Activation,
    ArgumentError,
    Layer,
    Loss,
    Network,
    explain_step,
    gradcheck,
    loads_spec,
    register_activation,
    register_initializer,
    register_loss,
)
from glassnet.init import INITIALIZERS

from conftest import random_batch


@pytest.fixture(autouse=True)
def clean_registries():
    kept = [(registry, dict(registry)) for registry in (ACTIVATIONS, LOSSES, INITIALIZERS)]
    yield
    for registry, entries in kept:
        registry.clear()
        registry.update(entries)


def softsign(z):
    return z / (1 + np.abs(z))


def softsign_derivative(z, a):
    return 1 / (1 + np.abs(z)) ** 2


def test_derivative_given():
    act = register_activation("softsign", softsign, softsign_derivative)
    assert ACTIVATIONS["softsign"] is act
    rng = np.random.default_rng(0)
    net = Network(
        [3, 4, 2], activations=["softsign", "identity"], loss="half_squared_error", seed=0
    )
    X, Y = random_batch(rng, net, 3)
    assert gradcheck(net, X, Y).passed
    text = explain_step(net, X, Y, 0.1).to_text()
    assert "Layer 1 (softsign)" in text and "softsign(z)" in text


def test_only_vjp_given_derivative_recovered():
    register_activation("softsign", softsign, vjp=lambda z, a, g: g / (1 + np.abs(z)) ** 2)
    z = np.array([[-2.0, 0.5]])
    np.testing.assert_allclose(
        ACTIVATIONS["softsign"].derivative(z, softsign(z)), softsign_derivative(z, None)
    )


def test_jacobian_activation_from_vjp():
    # softmax at temperature 2: a = softmax(z / 2), J = (diag(a) − a aᵀ) / 2
    def forward(z):
        e = np.exp(z / 2 - (z / 2).max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def vjp(z, a, g):
        return a * (g - (a * g).sum(axis=1, keepdims=True)) / 2

    register_activation("softmax_t2", forward, vjp=vjp, jacobian=True)
    rng = np.random.default_rng(1)
    net = Network([3, 4, 3], activations=["tanh", "softmax_t2"], loss="cross_entropy", seed=1)
    X, Y = random_batch(rng, net, 2)
    assert gradcheck(net, X, Y).passed
    trace = explain_step(net, X, Y, 0.1)
    a = trace.layers[1].a
    expected = (np.einsum("mi,ij->mij", a, np.eye(3)) - a[:, :, None] * a[:, None, :]) / 2
    np.testing.assert_allclose(trace.layers[1].da_dz, expected, rtol=1e-12, atol=1e-15)


def test_wrong_custom_derivative_is_caught_by_gradcheck():
    register_activation("softsign", softsign, lambda z, a: 1 / (1 + np.abs(z)))  # lost the square
    rng = np.random.default_rng(2)
    net = Network(
        [3, 4, 2], activations=["softsign", "identity"], loss="half_squared_error", seed=0
    )
    X, Y = random_batch(rng, net, 3)
    assert not gradcheck(net, X, Y).passed


def test_wrong_derivative_beside_a_right_vjp_is_refused_and_caught_by_gradcheck():
    """Training uses the VJP, an explanation shows f′: registering compares them, gradcheck
    checks both."""
    right_vjp = lambda z, a, g: g / (1 + np.abs(z)) ** 2  # noqa: E731
    wrong = lambda z, a: 1 / (1 + abs(z))  # noqa: E731
    register_activation("softsign", softsign, softsign_derivative, vjp=right_vjp)
    with pytest.raises(
        ArgumentError,
        match=r"activation 'softsign2': vjp\(z, a, g\) and derivative\(z, a\) ⊙ g disagree",
    ):
        register_activation("softsign2", softsign, wrong, vjp=right_vjp)
    assert "softsign2" not in ACTIVATIONS
    rng = np.random.default_rng(2)
    # an activation used without registering it is not checked so: gradcheck is
    for derivative, passes in ((softsign_derivative, True), (wrong, False)):
        act = Activation("mine", softsign, derivative, "", "", "", "", vjp_fn=right_vjp)
        net = Network([3, 4, 2], activations=[act, "identity"], loss="half_squared_error", seed=0)
        X, Y = random_batch(rng, net, 3)
        assert gradcheck(net, X, Y).passed is passes


def test_custom_loss():
    def huber(a, y):
        r = np.abs(a - y)
        return np.where(r <= 1, 0.5 * r**2, r - 0.5).sum(axis=1)

    def huber_gradient(a, y):
        return np.clip(a - y, -1, 1)

    register_loss("huber", huber, huber_gradient, text="Σ_j huber(a_j − y_j)")
    rng = np.random.default_rng(3)
    net = Network([3, 5, 2], activations=["tanh", "identity"], loss="huber", seed=0)
    X, Y = random_batch(rng, net, 4)
    Y *= 3  # both branches of the loss
    assert gradcheck(net, X, Y).passed
    assert "loss: huber, ℓ = Σ_j huber(a_j − y_j)" in explain_step(net, X, Y, 0.1).to_text()
    history = net.fit(X, Y, epochs=20, learning_rate=0.1, verbose=False)
    assert history["loss"][-1] < history["loss"][0]


def test_custom_names_work_in_spec_files():
    register_activation("softsign", softsign, softsign_derivative)
    spec = loads_spec(
        'input = [1.0, -2.0]\ntarget = [0.5]\nloss = "half_squared_error"\n'
        '[[layer]]\nactivation = "softsign"\nweights = [[0.5], [0.25]]\n',
        "c.toml",
    )
    assert spec.network.layers[0].activation.name == "softsign"
    assert spec.explain().layers[0].a[0][0] == pytest.approx(softsign(np.array(0.0)))


def test_layer_takes_an_activation_name():
    layer = Layer(np.ones((2, 2)), np.zeros(2), "tanh")
    assert layer.activation is ACTIVATIONS["tanh"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: register_activation("bad name", softsign, softsign_derivative), "identifier"),
        (lambda: register_activation("softsign", softsign), "derivative"),
        (lambda: register_loss("huber", lambda a, y: a), "gradient"),
        # a derivative of z alone: refused when registered, not in the middle of a pass
        (
            lambda: register_activation("softsign", softsign, lambda z: 1 / (1 + abs(z)) ** 2),
            r"derivative: must take \(z, a\)",
        ),
        (lambda: register_activation("s", softsign, vjp=lambda z, g: g), r"vjp: must take"),
        (lambda: register_activation("s", "tanh", softsign_derivative), "forward: expected"),
        (lambda: register_loss("huber", lambda a: a, lambda a, y: a - y), r"value: must take"),
        # a result not finite on the test batch: named there, not as a NaN loss in fit
        (
            lambda: register_activation("n", lambda z: np.log(z), softsign_derivative),
            r"^activation 'n': forward returned nan at \[\d, \d\] on a test batch of shape "
            r"\(3, 4\) \(z in ±2\); it must be finite there$",
        ),
        (
            lambda: register_activation("n", softsign, lambda z, a: z / 0.0),
            r"^activation 'n': derivative returned -?inf",
        ),
        (
            lambda: register_loss("n", lambda a, y: np.log(a - y).sum(-1), lambda a, y: a - y),
            r"^loss 'n': value returned nan at \[1\] .*\(a and y in \(0.1, 0.9\)\); it must",
        ),
        # a whole object is held to a name's rules, and its formulas must be strings
        (
            lambda: register_activation(
                Activation("my act", softsign, softsign_derivative, *"tttt")
            ),
            r"^name: expected an identifier such as 'swish', found 'my act'$",
        ),
        (
            lambda: register_activation("s", softsign, softsign_derivative, latex=3),
            r"^activation 's': latex: expected a string \(the formula as explanations print",
        ),
        (
            lambda: register_loss("l", lambda a, y: a.sum(-1), lambda a, y: a, text=5),
            r"^loss 'l': text: expected a string",
        ),
    ],
)
def test_registration_errors(call, message):
    with pytest.raises(ArgumentError, match=message):
        call()


def test_a_copy_of_a_built_in_loss_trains_on_its_own_functions():
    # dataclasses.replace kept the squared error's in-place hooks: it trained as that
    l1 = dataclasses.replace(
        LOSSES["squared_error"],
        name="l1_copy",
        value=lambda a, y: np.abs(a - y).sum(-1),
        gradient=lambda a, y: np.sign(a - y),
    )
    assert l1.gradient_into is None and l1.sum_into is None
    same = dataclasses.replace(LOSSES["squared_error"], name="sq_copy")  # its own hooks
    assert same.gradient_into is LOSSES["squared_error"].gradient_into
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))
    net = Network([3, 2], activations=["identity"], loss=l1, seed=0)
    history = net.fit(X, Y, epochs=1, batch_size=None, verbose=False)
    start = Network([3, 2], activations=["identity"], loss=l1, seed=0)
    assert history["loss"][0] == pytest.approx(np.abs(start.predict(X) - Y).sum(-1).mean())


def test_a_loss_that_divides_by_the_target_registers():
    # a percentage error is ∞ at a one-hot target's 0s: finite at targets away from 0
    mape = register_loss(
        "mape", lambda a, y: (np.abs(a - y) / np.abs(y)).sum(-1), lambda a, y: np.sign(a - y) / y
    )
    assert LOSSES["mape"] is mape


def test_a_loss_value_of_the_wrong_shape_is_named():
    # value(a, y) that forgot Σ_j: training would report twice the loss evaluate reports
    unsummed = (lambda a, y: 0.5 * (a - y) ** 2, lambda a, y: a - y)
    with pytest.raises(ArgumentError, match=r"loss 'huber_unsummed': value must return .*\(3,\)"):
        register_loss("huber_unsummed", *unsummed)
    # a Loss used without registering it: named where it is used
    loss = Loss("huber_unsummed", *unsummed, "", "", "", "")
    net = Network([3, 2], activations=["identity"], loss=loss, seed=0)
    X, Y = random_batch(np.random.default_rng(0), net, 4)
    for call in (
        lambda: net.fit(X, Y, epochs=1, verbose=False),
        lambda: net.evaluate(X, Y),
        lambda: explain_step(net, X, Y, 0.1),
    ):
        with pytest.raises(ArgumentError, match=r"loss 'huber_unsummed': value\(a, y\).*\(4,\)"):
            call()


def test_a_jacobian_given_as_the_derivative_trains_and_explains():
    def sm(z):
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    def jac(z, a):
        J = -a[:, :, None] * a[:, None, :]
        i = np.arange(a.shape[1])
        J[:, i, i] += a
        return J

    register_activation("my_softmax", sm, jac, jacobian=True)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(3, 4)), np.eye(3)[[0, 2, 1]]  # m = n: shapes could broadcast
    mine = Network([4, 3], activations=["my_softmax"], loss="half_squared_error", seed=0)
    built_in = Network([4, 3], activations=["softmax"], loss="half_squared_error", seed=0)
    np.testing.assert_allclose(
        mine.gradients(X, Y).grad_W[1], built_in.gradients(X, Y).grad_W[1], atol=1e-15
    )
    assert gradcheck(mine, X, Y).passed
    mine.fit(X, Y, epochs=2, verbose=False)


@pytest.mark.parametrize("name", ["sigmoid", "softmax"])
def test_a_built_in_activation_cannot_be_replaced(name):
    with pytest.raises(ArgumentError, match="built-in activation"):
        register_activation(name, lambda z: z, lambda z, a: np.ones_like(z))
    with pytest.raises(ArgumentError, match="built-in loss"):
        register_loss("cross_entropy", lambda a, y: a.sum(-1), lambda a, y: a)


# --- what registering checks: the functions on a test batch -------------------------


def hard_tanh(z):
    return np.clip(z, -1.0, 1.0)


def hard_tanh_derivative(z, a):
    return (np.abs(z) < 1).astype(z.dtype)


def test_a_copy_of_a_built_in_keeping_its_in_place_functions_is_refused():
    """dataclasses.replace keeps tanh's forward_into and vjp_into: fit would train tanh."""
    copy = dataclasses.replace(
        ACTIVATIONS["tanh"], name="hard_tanh", forward=hard_tanh, derivative=hard_tanh_derivative
    )
    with pytest.raises(
        ArgumentError,
        match=r"activation 'hard_tanh': forward_into\(z, out, scratch\) does not leave "
        r"forward\(z\) in out .*built-in 'tanh'.*dataclasses.replace",
    ):
        register_activation(copy)
    # forward_into dropped, vjp_into kept: 2 tanh(z)'s δ is not tanh's
    scaled = dataclasses.replace(
        ACTIVATIONS["tanh"],
        name="tanh2",
        forward=lambda z: 2 * np.tanh(z),
        derivative=lambda z, a: 2 * (1 - np.tanh(z) ** 2),
        forward_into=None,
    )
    with pytest.raises(ArgumentError, match=r"'tanh2': vjp_into.*built-in 'tanh'"):
        register_activation(scaled)
    # relu's fast vjp kept beside a new derivative: explanations and training would differ
    doubled = dataclasses.replace(
        ACTIVATIONS["relu"], name="relu2", derivative=lambda z, a: 2.0 * (z > 0)
    )
    doubled = dataclasses.replace(doubled, forward_into=None, vjp_into=None)
    with pytest.raises(ArgumentError, match=r"'relu2': vjp.*disagree.*vjp_fn of the built-in"):
        register_activation(doubled)
    # with both dropped it is a plain custom activation: trained as explained
    act = register_activation(
        dataclasses.replace(copy, forward_into=None, vjp_into=None, vjp_of_a=False)
    )
    assert ACTIVATIONS["hard_tanh"] is act
    rng = np.random.default_rng(0)
    X, Y = 3 * rng.normal(size=(64, 3)), rng.normal(size=(64, 2))
    net = Network([3, 8, 2], activations=["hard_tanh", "identity"], seed=0)
    history = net.fit(X, Y, epochs=1, batch_size=64, learning_rate=1e-300, verbose=False)
    assert history["loss"][0] == pytest.approx(net.evaluate(X, Y)["loss"], rel=1e-12)


def tanh_vjp_into(z, a, g, space):
    g *= 1 - a * a


def test_in_place_functions_that_return_their_result_are_refused():
    def returns_a(z, out, space):
        return np.tanh(z)

    def returns_delta(z, a, g, space):
        return g * (1 - a * a)

    for act, hook in (
        (
            Activation("t1", np.tanh, lambda z, a: 1 - a * a, *"tttt", forward_into=returns_a),
            "forward_into",
        ),
        (
            Activation("t2", np.tanh, lambda z, a: 1 - a * a, *"tttt", vjp_into=returns_delta),
            "vjp_into",
        ),
    ):
        with pytest.raises(ArgumentError, match=rf"'{act.name}': {hook}.*it returned its result"):
            register_activation(act)
        assert act.name not in ACTIVATIONS


def softsign_into(z, out, space):
    np.abs(z, out=out)
    out += 1
    np.divide(z, out, out=out)  # z already overwritten where out is z


def softsign_vjp_into(z, a, g, space):
    g /= (1 + np.abs(z)) ** 2


def test_in_place_functions_are_checked_as_the_workspace_calls_them():
    base = Activation("softsign_ip", softsign, softsign_derivative, *"tttt")
    # out is z in a prediction: this forward_into reads z after writing out
    with pytest.raises(ArgumentError, match=r"forward_into\(z, out, scratch\) with out the same"):
        register_activation(dataclasses.replace(base, forward_into=softsign_into))
    # vjp_of_a: a hidden layer writes a over z, but this vjp_into reads z
    with pytest.raises(
        ArgumentError, match=r"vjp_into.*with z the same array as a.*vjp_of_a=False"
    ):
        register_activation(dataclasses.replace(base, vjp_into=softsign_vjp_into, vjp_of_a=True))
    act = register_activation(dataclasses.replace(base, vjp_into=softsign_vjp_into))
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(16, 3)), rng.normal(size=(16, 2))
    losses = []
    for f in (act, "softsign_plain"):
        if f == "softsign_plain":
            register_activation(f, softsign, softsign_derivative)
        net = Network([3, 4, 2], activations=[f, "identity"], seed=0)
        assert gradcheck(net, X[:3], Y[:3]).passed
        losses.append(net.fit(X, Y, epochs=3, batch_size=8, seed=0, verbose=False)["loss"])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-12)


def test_gradcheck_checks_the_training_path():
    """An activation used unregistered, whose vjp_into alone is wrong: only fit's path shows it."""
    wrong = Activation(
        "tanh_ip", np.tanh, lambda z, a: 1 - a * a, *"tttt", vjp_into=lambda z, a, g, s: None
    )
    rng = np.random.default_rng(2)
    net = Network([3, 4, 2], activations=[wrong, "identity"], seed=0)
    X, Y = random_batch(rng, net, 3)
    result = gradcheck(net, X, Y)
    assert not result.passed
    assert result.layers[0].worst > 1e-3 and result.layers[1].worst < 1e-6
    copy = dataclasses.replace(
        ACTIVATIONS["tanh"], name="hard_tanh", forward=hard_tanh, derivative=hard_tanh_derivative
    )
    net = Network([3, 4, 2], activations=[copy, "identity"], seed=0)
    assert not gradcheck(net, 0.3 * X, Y).passed


@pytest.mark.parametrize(
    ("forward", "derivative", "vjp", "message"),
    [
        # explain's trace would show δ as ∂ℓ/∂a, and a as z
        (np.tanh, None, lambda z, a, g: g.__imul__(1 - a * a), "vjp changed its argument g"),
        (
            lambda z: np.tanh(z, out=z),
            lambda z, a: 1 - a * a,
            None,
            "forward changed its argument z",
        ),
        (
            np.tanh,
            lambda z, a: np.subtract(1, a * a, out=a),
            None,
            "derivative changed its argument a",
        ),
    ],
)
def test_a_function_that_changes_its_arguments_is_refused(forward, derivative, vjp, message):
    with pytest.raises(ArgumentError, match=rf"activation 'bad': {message} in place; it must not"):
        register_activation("bad", forward, derivative, vjp=vjp)


@pytest.mark.parametrize(
    ("forward", "derivative", "jacobian", "message"),
    [
        (
            lambda z: np.tanh(z).sum(axis=1),
            None,
            False,
            r"forward must return .* \(3, 4\).*shape \(3,\)",
        ),
        (lambda z: np.tanh(z).tolist(), None, False, "forward must return .*returned list"),
        (lambda z: np.tanh(z) * 1j, None, False, "forward must return an array of real numbers"),
        (lambda z: None, None, False, "forward must return .*returned None"),
        (
            np.tanh,
            lambda z, a: 1.0,
            False,
            r"derivative must return .*\(3, 4\).*returned the single number '1.0'",
        ),
        (np.tanh, lambda z, a: (1 - a * a).mean(axis=0), False, r"derivative .*shape \(4,\)"),
        (np.tanh, lambda z, a: (1 - a * a).T, False, r"derivative .*shape \(4, 3\)"),
        (
            np.tanh,
            lambda z, a: np.einsum("ij,jk->ijk", 1 - a * a, np.eye(z.shape[1])),
            False,
            r"derivative must return .*\(3, 4\) \(f'\(z\)\).*\(3, 4, 4\)",
        ),
        (np.tanh, lambda z, a: 1 - a * a, True, r"derivative .*\(3, 4, 4\) \(the Jacobian"),
    ],
)
def test_a_function_of_the_wrong_shape_is_refused(forward, derivative, jacobian, message):
    derivative = derivative or (lambda z, a: np.ones_like(z))
    with pytest.raises(ArgumentError, match=rf"activation 'bad': {message}"):
        register_activation("bad", forward, derivative, jacobian=jacobian)
    assert "bad" not in ACTIVATIONS


def test_a_function_that_fails_on_the_test_batch_is_named():
    def forward(z):
        raise KeyError("boom")

    with pytest.raises(
        ArgumentError,
        match=r"activation 'bad': forward failed on a test batch of shape \(3, 4\): "
        r"KeyError: 'boom'",
    ):
        register_activation("bad", forward, softsign_derivative)


def test_a_vjp_mixing_units_without_jacobian_is_refused():
    def vjp(z, a, g):  # softmax's: not element-wise
        return a * (g - (a * g).sum(axis=1, keepdims=True))

    with pytest.raises(ArgumentError, match=r"'sm': vjp.*is not g ⊙ vjp\(z, a, 1\).*jacobian=True"):
        register_activation("sm", lambda z: np.exp(z) / np.exp(z).sum(1, keepdims=True), vjp=vjp)


@pytest.mark.parametrize(
    ("value", "gradient", "message"),
    [
        (
            lambda a, y: 0.5 * ((a - y) ** 2).sum(),
            lambda a, y: a - y,
            r"value must return .*\(3,\)",
        ),
        (
            lambda a, y: 0.5 * ((a - y) ** 2).sum(-1),
            lambda a, y: (a - y).sum(-1),
            r"gradient must return .*\(3, 4\).*\(3,\)",
        ),
        (
            lambda a, y: 0.5 * ((a - y) ** 2).sum(-1),
            lambda a, y: np.subtract(a, y, out=a),
            "gradient changed its argument a",
        ),
    ],
)
def test_a_loss_of_the_wrong_shape_is_refused(value, gradient, message):
    with pytest.raises(ArgumentError, match=rf"loss 'bad': {message}"):
        register_loss("bad", value, gradient)
    assert "bad" not in LOSSES


def test_objects_are_checked_as_functions_are():
    with pytest.raises(ArgumentError, match=r"activation 'two': forward: must take \(z\)"):
        register_activation(Activation("two", lambda z, k: z, lambda z: 1.0, *"tttt"))
    with pytest.raises(ArgumentError, match=r"activation 'three': forward: expected a function"):
        register_activation(Activation("three", 3, 4, *"tttt"))
    with pytest.raises(
        ArgumentError, match=r"activation 'i': vjp_into: must take \(z, a, g, scratch\)"
    ):
        register_activation(
            Activation("i", np.tanh, lambda z, a: 1 - a * a, *"tttt", vjp_into=lambda z, a, g: None)
        )
    with pytest.raises(ArgumentError, match=r"loss 'l1': value: must take \(a, y\)"):
        register_loss(Loss("l1", lambda a: a, lambda a: a, *"tttt"))
    assert not {"two", "three", "i"} & set(ACTIVATIONS) and "l1" not in LOSSES


# --- the network's dtype, and pickling by name -------------------------------------


def test_a_custom_activation_of_float64_numbers_keeps_a_float32_network_float32():
    # np.where(…, 1.0, 0.2) is float64: a and δ would be, where fit computes float32
    register_activation(
        "lk", lambda z: np.where(z >= 0, 1.0, 0.2) * z, lambda z, a: np.where(z >= 0, 1.0, 0.2)
    )
    X = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    net = Network([3, 4, 2], activations=["lk", "identity"], seed=0, dtype="float32")
    fp = net.forward(X)
    assert fp.a[1].dtype == fp.a[2].dtype == np.float32 and net.predict(X).dtype == np.float32
    bp = net.backward(fp, X[:, :2])
    assert bp.delta[1].dtype == bp.grad_W[1].dtype == np.float32


def _softsign_network():
    register_activation(
        "softsign", lambda z: z / (1 + np.abs(z)), lambda z, a: 1 / (1 + np.abs(z)) ** 2
    )
    register_loss("l2", lambda a, y: ((a - y) ** 2).sum(-1), lambda a, y: 2 * (a - y))
    return Network([3, 4, 2], activations=["softsign", "identity"], loss="l2", seed=0)


def test_a_network_with_lambdas_registered_pickles_by_name():
    from glassnet.sklearn import MLPRegressor

    net = _softsign_network()
    X = np.random.default_rng(0).normal(size=(30, 3))
    copy = pickle.loads(pickle.dumps(net))
    assert copy.layers[0].activation is ACTIVATIONS["softsign"] and copy.loss is LOSSES["l2"]
    np.testing.assert_array_equal(copy.predict(X), net.predict(X))
    est = MLPRegressor(hidden_layer_sizes=(4,), activation="softsign", max_iter=5, random_state=0)
    with warnings.catch_warnings():  # (it does not converge in 5 iterations)
        warnings.simplefilter("ignore")
        est.fit(X, X[:, 0])
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    # an activation that is not the registry's entry pickles field by field, as before
    own = Activation("softsign_own", softsign, softsign_derivative, *"tttt")
    assert pickle.loads(pickle.dumps(own)) == own


def test_copies_of_an_unregistered_activation_or_loss_of_lambdas_are_made():
    import copy

    own = Activation("own", lambda z: np.tanh(z), lambda z, a: 1 - a**2, *"tttt")
    loss = Loss("own_loss", lambda a, y: ((a - y) ** 2).sum(-1), lambda a, y: 2 * (a - y), *"tttt")
    net = Network([Layer(np.ones((2, 2)), np.zeros(2), own)], loss=loss)
    for copied in (copy.deepcopy(net), copy.copy(net), net.copy()):
        assert copied.layers[0].activation is own and copied.loss is loss
    deep = copy.deepcopy(net)
    assert deep.layers[0].W is not net.layers[0].W  # the arrays are copied, as before


def test_unpickling_an_unregistered_name_says_so():
    data = pickle.dumps(_softsign_network())
    l2 = "glassnet.register_loss('l2', lambda a, y: ((a - y) ** 2).sum(-1), lambda a, y: a - y)"
    for setup, kind, where in (
        ("pass", "loss 'l2'", "glassnet.losses.register_loss"),  # the loss comes first
        (l2, "activation 'softsign'", "glassnet.activations.register_activation"),
    ):
        code = f"import pickle, sys, glassnet; {setup}; pickle.loads(sys.stdin.buffer.read())"
        done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True)
        assert done.returncode != 0
        last = done.stderr.decode().strip().splitlines()[-1]
        assert f"ArgumentError: unpickling: unknown {kind}" in last
        assert f"register it ({where}) before unpickling" in last


def small_normal(n_in, n_out, rng, dtype):
    return rng.normal(0.0, 0.01, size=(n_in, n_out)).astype(dtype)


def test_a_registered_initializer_draws_the_weights_by_name():
    register_initializer("small_normal", small_normal)
    for dtype in ("float32", "float64"):
        net = Network(
            [3, 5, 2], activations=["relu", "identity"], init="small_normal", seed=4, dtype=dtype
        )
        rng = np.random.default_rng(4)  # the network's own draw, layer by layer
        for layer, (n_in, n_out) in zip(net.layers, [(3, 5), (5, 2)], strict=True):
            np.testing.assert_array_equal(layer.W, small_normal(n_in, n_out, rng, dtype))
            assert layer.W.dtype == dtype
    spec = loads_spec(
        'input = [1.0, 2.0]\ntarget = [0.5]\nloss = "half_squared_error"\nseed = 1\n'
        '[[layer]]\nactivation = "identity"\nunits = 1\ninit = "small_normal"\n'
    )
    assert spec.network.layers[0].W.shape == (2, 1) and abs(spec.network.layers[0].W).max() < 0.1


@pytest.mark.parametrize(
    ("name", "init", "message"),
    [
        ("he_normal", small_normal, "'he_normal' is a built-in initialiser"),
        ("constant", small_normal, "'constant' is a built-in initialiser"),
        ("my init", small_normal, "expected an identifier"),
        ("two", lambda n_in, n_out: None, "must take (n_in, n_out, rng, dtype)"),
        ("wide", lambda n_in, n_out, rng, dtype: np.zeros((n_out, n_in), dtype), "shape (4, 3)"),
        ("f64", lambda n_in, n_out, rng, dtype: np.zeros((n_in, n_out)), "dtype float64"),
        ("nan", lambda n_in, n_out, rng, dtype: np.full((n_in, n_out), np.nan, dtype), "finite"),
        ("fails", lambda n_in, n_out, rng, dtype: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_a_wrong_initializer_is_refused_when_registered(name, init, message):
    with pytest.raises(ArgumentError, match=re.escape(message)):
        register_initializer(name, init)
    assert name not in INITIALIZERS or name in ("he_normal", "constant")


def test_an_initializer_given_as_a_function_says_to_register_it():
    with pytest.raises(ArgumentError, match=r"register it with glassnet\.register_initializer"):
        Network([3, 2], activations=["identity"], init=small_normal)


def test_every_built_in_passes_the_checks_of_registration():
    """The built-ins are registered at import without them (they cost the CLI's start)."""
    from glassnet import activations, losses

    for act in [ACTIVATIONS[name] for name in activations._BUILT_IN]:
        activations._verify(act)
    for loss in [LOSSES[name] for name in losses._BUILT_IN]:
        losses._verify(loss)
