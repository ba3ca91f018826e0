"""Optimizers against their update rules written out by hand; schedules."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import SGD, Adam, ArgumentError, RMSProp
from glassnet.optimizers import (
    Adaptive,
    ExponentialDecay,
    Optimizer,
    Schedule,
    StepDecay,
    get_optimizer,
    get_schedule,
)


def run(optimizer, steps=5):
    """Apply ``steps`` updates with a fixed sequence of gradients; return θ after each."""
    theta = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, -0.1])]
    out = []
    for t in range(steps):
        grads = [np.array([[0.3, -0.2], [0.1 * t, 1.0]]), np.array([0.5, -0.25 * t])]
        optimizer.step(theta, grads)
        out.append([p.copy() for p in theta])
    return out


def grads_at(t):
    return [np.array([[0.3, -0.2], [0.1 * t, 1.0]]), np.array([0.5, -0.25 * t])]


def test_plain_sgd():
    theta = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, -0.1])]
    for t, got in enumerate(run(SGD(0.1))):
        theta = [p - 0.1 * g for p, g in zip(theta, grads_at(t), strict=True)]
        for a, b in zip(got, theta, strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov):
    theta = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, -0.1])]
    v = [np.zeros_like(p) for p in theta]
    for t, got in enumerate(run(SGD(0.1, momentum=0.9, nesterov=nesterov))):
        g = grads_at(t)
        v = [0.9 * vi - 0.1 * gi for vi, gi in zip(v, g, strict=True)]
        if nesterov:
            theta = [p + 0.9 * vi - 0.1 * gi for p, vi, gi in zip(theta, v, g, strict=True)]
        else:
            theta = [p + vi for p, vi in zip(theta, v, strict=True)]
        for a, b in zip(got, theta, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-14)


def test_adam():
    theta = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, -0.1])]
    m = [np.zeros_like(p) for p in theta]
    v = [np.zeros_like(p) for p in theta]
    for t, got in enumerate(run(Adam(0.01)), start=1):
        g = grads_at(t - 1)
        m = [0.9 * mi + 0.1 * gi for mi, gi in zip(m, g, strict=True)]
        v = [0.999 * vi + 0.001 * gi**2 for vi, gi in zip(v, g, strict=True)]
        m_hat = [mi / (1 - 0.9**t) for mi in m]
        v_hat = [vi / (1 - 0.999**t) for vi in v]
        # glassnet folds the bias corrections into the step size (as scikit-learn and the
        # Adam paper's "efficient" version do), which divides ε by √(1 − β₂ᵗ)
        eps = 1e-8 / np.sqrt(1 - 0.999**t)
        theta = [
            p - 0.01 * mh / (np.sqrt(vh) + eps)
            for p, mh, vh in zip(theta, m_hat, v_hat, strict=True)
        ]
        for a, b in zip(got, theta, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_rmsprop():
    theta = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, -0.1])]
    s = [np.zeros_like(p) for p in theta]
    for t, got in enumerate(run(RMSProp(0.01))):
        g = grads_at(t)
        s = [0.9 * si + 0.1 * gi**2 for si, gi in zip(s, g, strict=True)]
        theta = [
            p - 0.01 * gi / (np.sqrt(si) + 1e-7) for p, gi, si in zip(theta, g, s, strict=True)
        ]
        for a, b in zip(got, theta, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-13)


def test_float32_parameters_stay_float32():
    for opt in (SGD(0.1), SGD(0.1, momentum=0.9), Adam(0.01), RMSProp(0.01)):
        theta = [np.ones((2, 2), dtype=np.float32)]
        opt.step(theta, [np.full((2, 2), 0.5, dtype=np.float32)])
        assert theta[0].dtype == np.float32


def test_registry_and_errors():
    assert isinstance(get_optimizer("momentum"), SGD)
    assert get_optimizer("momentum").momentum == 0.9
    assert get_optimizer("nesterov").nesterov
    assert get_optimizer("adam", 0.5).learning_rate == 0.5
    with pytest.raises(ArgumentError, match="did you mean 'adam'"):
        get_optimizer("adma")
    with pytest.raises(ArgumentError, match="learning_rate"):
        SGD(-1.0)
    with pytest.raises(ArgumentError, match="momentum"):
        SGD(0.1, momentum=1.5)


def test_schedules():
    assert Schedule().rate(0.1, 0.1, 5, []) == 0.1
    assert StepDecay(step_size=2, gamma=0.5).rate(0.1, 0.1, 5, []) == pytest.approx(0.1 * 0.5**2)
    assert ExponentialDecay(0.9).rate(0.1, 0.1, 3, []) == pytest.approx(0.1 * 0.9**3)
    assert isinstance(get_schedule("adaptive"), Adaptive)
    with pytest.raises(ArgumentError, match="did you mean 'step'"):
        get_schedule("stp")


def test_adaptive_divides_by_five_after_stalling():
    sched = Adaptive(tol=1e-4, patience=2)
    losses = [1.0, 0.5]
    lr = 0.1
    lr = sched.rate(0.1, lr, 2, losses)
    assert lr == 0.1  # improving
    losses += [0.5, 0.5, 0.5]  # three epochs without improvement > patience
    lr = sched.rate(0.1, lr, 5, losses)
    assert lr == pytest.approx(0.02)
    lr = sched.rate(0.1, lr, 6, [*losses, 0.2])
    assert lr == pytest.approx(0.02)


def test_learning_rate_may_be_a_numpy_number():
    # a grid of np.float32 or integer learning rates is as good as Python floats
    assert SGD(np.float32(0.5)).learning_rate == 0.5
    assert Adam(np.int64(1)).learning_rate == 1.0
    with pytest.raises(ArgumentError, match="learning_rate"):
        Adam(np.float32("nan"))


@pytest.mark.parametrize("bad", [{"factor": 0}, {"factor": 0.5}, {"patience": -1}, {"tol": -1.0}])
def test_adaptive_arguments_are_checked(bad):
    name = next(iter(bad))
    with pytest.raises(ArgumentError, match=f"^{name}:"):
        Adaptive(**bad)


def test_rmsprop_epsilon_must_be_positive():
    with pytest.raises(ArgumentError, match=r"^epsilon:"):
        RMSProp(epsilon=0.0)


@pytest.mark.parametrize("optimizer", [SGD(0.1, momentum=0.9), Adam(0.1), RMSProp(0.1)])
def test_state_is_refused_for_parameters_of_other_shapes(optimizer):
    run(optimizer, steps=1)
    other = [np.zeros((3, 2)), np.zeros(2)]
    before = getattr(optimizer, "t", None)
    with pytest.raises(ArgumentError, match=r"^optimizer: .*another network"):
        optimizer.step(other, [np.ones((3, 2)), np.ones(2)])
    assert getattr(optimizer, "t", None) == before  # nothing moved
    assert not other[0].any()
    with pytest.raises(ArgumentError, match=r"^optimizer:"):  # fewer parameters
        optimizer.step(other[:1], [np.ones((3, 2))])


def test_plain_sgd_has_no_state_and_serves_any_parameters():
    sgd = SGD(0.5)
    run(sgd, steps=1)
    theta = [np.ones(3)]
    sgd.step(theta, [np.ones(3)])
    np.testing.assert_array_equal(theta[0], 0.5)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: SGD(momentum="0.5"), "momentum"),
        (lambda: SGD(momentum=None), "momentum"),
        (lambda: SGD(momentum=float("nan")), "momentum"),
        (lambda: Adam(beta_1="0.9"), "beta_1"),
        (lambda: Adam(beta_2=1.0), "beta_2"),
        (lambda: RMSProp(rho=None), "rho"),
        (lambda: StepDecay(gamma="0.5"), "gamma"),
        (lambda: StepDecay(gamma=0.0), "gamma"),
        (lambda: StepDecay(step_size=2.5), "step_size"),  # was taken as 2
        (lambda: StepDecay(step_size=0), "step_size"),
        (lambda: ExponentialDecay(gamma="0.5"), "gamma"),
        (lambda: ExponentialDecay(gamma=1.5), "gamma"),
    ],
)
def test_bad_optimizer_and_schedule_arguments_are_named(make, name):
    with pytest.raises(ArgumentError, match=f"^{name}: expected "):
        make()


def test_decay_rates_may_be_numpy_numbers():
    assert SGD(momentum=np.float32(0.5)).momentum == 0.5
    assert StepDecay(step_size=np.int64(3), gamma=np.float64(1)).step_size == 3
    assert ExponentialDecay(np.float32(0.5)).gamma == 0.5


def test_an_optimizers_repr_shows_its_settings():
    from glassnet.optimizers import SGD, Adam, RMSProp

    assert repr(SGD(0.1, momentum=0.9, nesterov=True)) == (
        "SGD(learning_rate=0.1, momentum=0.9, nesterov=True)"
    )
    assert repr(SGD(0.1)) == "SGD(learning_rate=0.1, momentum=0.0, nesterov=False)"
    assert repr(Adam(beta_1=0.8)) == (
        "Adam(learning_rate=0.001, beta_1=0.8, beta_2=0.999, epsilon=1e-08)"
    )
    assert repr(RMSProp(0.01, rho=0.5)) == "RMSProp(learning_rate=0.01, rho=0.5, epsilon=1e-07)"


def test_an_optimizer_of_one_s_own_trains_and_a_half_made_one_is_refused():
    from glassnet import Network

    class SignSGD(Optimizer):  # θ ← θ − η sign(g), as the docs say to write one
        def step(self, params, grads):
            for p, g in zip(params, grads, strict=True):
                p -= self.learning_rate * np.sign(g)

    class NoStep(Optimizer):
        pass

    class NoInit(SignSGD):
        def __init__(self, learning_rate):
            self.rate = learning_rate

    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    net = Network([2, 3, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    W = net.layers[0].W.copy()
    net.fit(X, y, epochs=1, batch_size=None, optimizer=SignSGD(0.5), verbose=False)
    # one full-batch step of 0.5 sign(g): every weight moved by 0.5 or stayed (g = 0)
    assert set(np.round(np.abs(net.layers[0].W - W), 12).ravel()) <= {0.0, 0.5}
    for opt, said in (
        (NoStep(0.1), r"^optimizer: NoStep has no step\(params, grads\)"),
        (NoInit(0.1), r"^optimizer: NoInit.__init__ must call super\(\).__init__\(learning_rate"),
    ):
        with pytest.raises(ArgumentError, match=said):
            net.fit(X, y, epochs=1, optimizer=opt, verbose=False)
