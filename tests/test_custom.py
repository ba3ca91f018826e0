"""Custom activations and losses: registered by name, checked by gradcheck, explained."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import (
    ACTIVATIONS,
    LOSSES,
    ArgumentError,
    Layer,
    Network,
    explain_step,
    gradcheck,
    loads_spec,
    register_activation,
    register_loss,
)

from conftest import random_batch


@pytest.fixture(autouse=True)
def clean_registries():
    acts, losses = dict(ACTIVATIONS), dict(LOSSES)
    yield
    ACTIVATIONS.clear()
    ACTIVATIONS.update(acts)
    LOSSES.clear()
    LOSSES.update(losses)


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


def test_wrong_derivative_beside_a_right_vjp_is_caught_by_gradcheck():
    """Training uses the VJP, an explanation shows f′: gradcheck checks both."""
    right_vjp = lambda z, a, g: g / (1 + np.abs(z)) ** 2  # noqa: E731
    rng = np.random.default_rng(2)
    for derivative, passes in ((softsign_derivative, True), (lambda z, a: 1 / (1 + abs(z)), False)):
        register_activation("softsign", softsign, derivative, vjp=right_vjp)
        net = Network(
            [3, 4, 2], activations=["softsign", "identity"], loss="half_squared_error", seed=0
        )
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
    ],
)
def test_registration_errors(call, message):
    with pytest.raises(ArgumentError, match=message):
        call()


def test_a_loss_value_of_the_wrong_shape_is_named():
    # value(a, y) that forgot Σ_j: training would report twice the loss evaluate reports
    register_loss("huber_unsummed", lambda a, y: 0.5 * (a - y) ** 2, lambda a, y: a - y)
    net = Network([3, 2], activations=["identity"], loss="huber_unsummed", seed=0)
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
