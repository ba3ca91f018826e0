"""Every loss's gradient against finite differences; stability; the fused paths."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from glassnet import ACTIVATIONS, LOSSES, SpecError, get_loss
from glassnet.losses import FUSED, SATURATED

import reference

PROBABILITY = ("binary_cross_entropy", "cross_entropy")


@st.composite
def outputs_and_targets(draw, loss_name):
    m = draw(st.integers(1, 4))
    n = draw(st.integers(1, 5))
    if loss_name in PROBABILITY:
        a = draw(hnp.arrays(np.float64, (m, n), elements=st.floats(0.02, 0.98)))
        y = draw(hnp.arrays(np.float64, (m, n), elements=st.floats(0, 1)))
    else:
        a = draw(hnp.arrays(np.float64, (m, n), elements=st.floats(-5, 5)))
        y = draw(hnp.arrays(np.float64, (m, n), elements=st.floats(-5, 5)))
    return a, y


@pytest.mark.parametrize("name", list(LOSSES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_gradient_matches_finite_differences(name, data):
    loss = LOSSES[name]
    a, y = data.draw(outputs_and_targets(name))
    h = 1e-6
    numeric = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[index] += h
        down[index] -= h
        k = index[0]
        numeric[index] = (loss.value(up, y)[k] - loss.value(down, y)[k]) / (2 * h)
    np.testing.assert_allclose(loss.gradient(a, y), numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", list(LOSSES))
def test_value_and_gradient_against_plain_python(name):
    rng = np.random.default_rng(1)
    a = rng.uniform(0.05, 0.95, size=(3, 4))
    y = rng.uniform(0, 1, size=(3, 4))
    loss = LOSSES[name]
    for k in range(3):
        assert loss.value(a, y)[k] == pytest.approx(
            reference.loss(name, a[k].tolist(), y[k].tolist()), rel=1e-14
        )
        np.testing.assert_allclose(
            loss.gradient(a, y)[k],
            reference.loss_gradient(name, a[k].tolist(), y[k].tolist()),
            rtol=1e-14,
        )


@pytest.mark.parametrize("name", PROBABILITY)
def test_logs_stable_at_zero_and_one_with_matching_targets(name):
    a = np.array([[1.0, 0.0, 0.0]])
    y = np.array([[1.0, 0.0, 0.0]])
    loss = LOSSES[name]
    assert loss.value(a, y).tolist() == [0.0]
    assert np.all(np.isfinite(loss.gradient(a, y)))


def test_mismatched_certainty_is_a_large_finite_loss():
    # a = 0 where y = 1: ln 0 is taken at the smallest normal number, not −∞
    value = LOSSES["cross_entropy"].value(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))[0]
    assert value == pytest.approx(-np.log(np.finfo(float).tiny))
    grad = LOSSES["binary_cross_entropy"].gradient(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert np.all(np.isfinite(grad))


def _general_delta(act_name, loss_name, z, y):
    act = ACTIVATIONS[act_name]
    a = act.forward(z)
    return act.vjp(z, a, LOSSES[loss_name].gradient(a, y))


@pytest.mark.parametrize(("act_name", "loss_name"), list(FUSED))
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_fused_and_general_paths_agree(act_name, loss_name, data):
    m, n = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    z = data.draw(hnp.arrays(np.float64, (m, n), elements=st.floats(-6, 6)))
    if loss_name == "cross_entropy":
        y = np.eye(n)[data.draw(hnp.arrays(np.int64, m, elements=st.integers(0, n - 1)))]
    else:
        y = data.draw(hnp.arrays(np.float64, (m, n), elements=st.floats(0, 1)))
    fused = FUSED[(act_name, loss_name)]
    a = ACTIVATIONS[act_name].forward(z)
    np.testing.assert_allclose(
        fused.delta(a, y), _general_delta(act_name, loss_name, z, y), rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(
        fused.value(z, y), LOSSES[loss_name].value(a, y), rtol=1e-12, atol=1e-12
    )


def test_fused_softmax_cross_entropy_with_soft_targets():
    # targets that do not sum to 1: δ = a Σy − y still equals Jᵀ ∂ℓ/∂a
    z = np.array([[0.3, -1.2, 2.0]])
    y = np.array([[0.2, 0.5, 0.9]])
    a = ACTIVATIONS["softmax"].forward(z)
    np.testing.assert_allclose(
        FUSED[("softmax", "cross_entropy")].delta(a, y),
        _general_delta("softmax", "cross_entropy", z, y),
        rtol=1e-12,
    )


@pytest.mark.parametrize(("act_name", "loss_name"), list(FUSED))
def test_fused_value_finite_for_huge_logits(act_name, loss_name):
    z = np.array([[1e4, -1e4, 0.0]])
    y = np.array([[0.0, 1.0, 0.0]])
    value = FUSED[(act_name, loss_name)].value(z, y)
    assert np.all(np.isfinite(value))
    # softmax: ℓ = logsumexp(z) − z_2 = 2·10⁴; sigmoid: Σ softplus(z_j) − y_j z_j = 2·10⁴ + ln 2
    expected = 2e4 if act_name == "softmax" else 2e4 + np.log(2.0)
    assert value[0] == pytest.approx(expected, rel=1e-14)


def test_unknown_loss_suggests_a_name():
    with pytest.raises(SpecError, match="did you mean 'cross_entropy'"):
        get_loss("cross_entropi")


# --- softmax + binary cross-entropy from the logits ----------------------------------


def _softmax_bce_exact(z, y, j=None, h=0):
    """ℓ of one row in 60 digits and more, z_j moved by h; 1 − a_i as Σ_{k≠i} a_k.

    A confident row's a_d = 1 − e^-gap keeps e^-gap in its digits only with gap / ln 10
    digits more: as many as that, besides the 60.
    """
    mp = pytest.importorskip("mpmath")
    digits = 60 + int(np.ptp(np.asarray(z, dtype=float)) / 2.3)
    with mp.workdps(max(digits, mp.mp.dps)):  # (mp.diff raises the precision: keep its digits)
        z = [mp.mpf(float(v)) + (h if i == j else 0) for i, v in enumerate(z)]
        total = mp.fsum(mp.exp(v) for v in z)
        a = [mp.exp(v) / total for v in z]
        c = [mp.fsum(a[k] for k in range(len(a)) if k != i) for i in range(len(a))]
        y = [mp.mpf(float(v)) for v in y]
        return -mp.fsum(
            (y[i] * mp.log(a[i]) if y[i] else 0) + ((1 - y[i]) * mp.log(c[i]) if y[i] != 1 else 0)
            for i in range(len(a))
        )


def _softmax_bce_exact_delta(z, y):
    """δ two ways in 60 digits: the chain rule −Σ_i ∂ℓ/∂a_i J_ij, and dℓ/dz_j numerically."""
    mp = pytest.importorskip("mpmath")
    with mp.workdps(60):
        zz = [mp.mpf(float(v)) for v in z]
        yy = [mp.mpf(float(v)) for v in y]
        total = mp.fsum(mp.exp(v) for v in zz)
        a = [mp.exp(v) / total for v in zz]
        n = len(a)
        c = [mp.fsum(a[k] for k in range(n) if k != i) for i in range(n)]
        g = [-yy[i] / a[i] + (1 - yy[i]) / c[i] for i in range(n)]
        # J_ij = a_i (δ_ij − a_j), with 1 − a_i as c_i: no cancellation
        J = [[a[i] * (c[i] if i == j else -a[j]) for j in range(n)] for i in range(n)]
        chain = [mp.fsum(g[i] * J[i][j] for i in range(n)) for j in range(n)]
        numeric = [mp.diff(lambda h, j=j: _softmax_bce_exact(z, y, j, h), 0) for j in range(n)]
    for x, w in zip(chain, numeric, strict=True):
        assert abs(x - w) <= mp.mpf(10) ** -30 * max(1, abs(x))
    return np.array([float(x) for x in chain])


SOFTMAX_BCE = SATURATED[("softmax", "binary_cross_entropy")]


def test_softmax_bce_confidently_wrong_from_the_logits():
    # a_2 rounds to 1 while y_2 = 0: the a-based ln(1 − a_2) took ln 0 as −708 and
    # ∂ℓ/∂a_2 as 1/tiny, and δ_1 came out −1.9e290; exactly, ℓ = 2·40 and δ = 2(a − y)
    z, y = np.array([[-20.0, 20.0]]), np.array([[1.0, 0.0]])
    a = ACTIVATIONS["softmax"].forward(z)
    assert SOFTMAX_BCE.rows(z, a, y).tolist() == [0]
    assert SOFTMAX_BCE.value(z, y)[0] == pytest.approx(80.0, rel=1e-15)
    np.testing.assert_allclose(SOFTMAX_BCE.delta(z, y), [[-2.0, 2.0]], rtol=1e-15)
    np.testing.assert_allclose(
        SOFTMAX_BCE.gradient(z, a, y), [[-np.exp(40.0), np.exp(40.0)]], rtol=1e-14
    )
    assert float(_softmax_bce_exact(z[0], y[0])) == pytest.approx(80.0, rel=1e-15)
    np.testing.assert_allclose(_softmax_bce_exact_delta(z[0], y[0]), [-2.0, 2.0], rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_bce_from_the_logits_against_60_digits(dtype):
    # rows saturated at every depth (a_d − 1 rounding, 1 − a_d and a_j underflowing), and
    # normal ones; one-hot, 0/1 and soft targets; each number within a few ε of the truth
    rng = np.random.default_rng(7)
    eps = float(np.finfo(dtype).eps)
    for trial in range(60):
        n = int(rng.integers(2, 6))
        z = rng.normal(size=(4, n)) * 3
        for k, gap in enumerate(rng.choice([0, 12, 20, 40, 120, 300, 800], size=4)):
            z[k, rng.integers(n)] += gap
        y = [rng.uniform(size=(4, n)), np.eye(n)[rng.integers(n, size=4)]]
        y = y[trial % 2] if trial % 3 else rng.integers(0, 2, size=(4, n)).astype(float)
        z, y = z.astype(dtype), y.astype(dtype)
        value, delta = SOFTMAX_BCE.value(z, y), SOFTMAX_BCE.delta(z, y)
        assert value.dtype == dtype and delta.dtype == dtype
        for k in range(4):
            exact = float(_softmax_bce_exact(z[k], y[k]))
            # relative: a confident right row's ℓ is e^-gap, far below ε (absolute 16 ε
            # let the whole ln a_d term of such a row go unseen); e^{z_j − z_d} carries
            # the rounding of z_j − z_d, ε |z_j − z_d| relative
            tiny = float(np.finfo(dtype).tiny)
            rel = 4 * eps * (1 + float(np.ptp(z[k])))
            assert value[k] == pytest.approx(exact, rel=rel, abs=tiny), (z[k], y[k])
            exact_delta = _softmax_bce_exact_delta(z[k], y[k])
            np.testing.assert_allclose(delta[k], exact_delta, rtol=0, atol=16 * eps)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("gap", [12.0, 16.0, 19.0, 25.0, 30.0, 40.0])
def test_softmax_bce_of_a_confident_right_row_keeps_its_ln_a_d(dtype, gap):
    # y at d: ℓ = −ln a_d − Σ_{j≠d} ln(1 − a_j), each term ~e^-gap; z_d − lse rounds to 0
    z, y = np.array([[gap, 0.0, -1.0]], dtype=dtype), np.array([[1.0, 0.0, 0.0]], dtype=dtype)
    exact = float(_softmax_bce_exact(z[0], y[0]))
    eps = float(np.finfo(dtype).eps)
    assert SOFTMAX_BCE.value(z, y)[0] == pytest.approx(exact, rel=4 * eps * (2 + gap))


def test_softmax_bce_rows_are_those_the_a_based_formulas_lose():
    z = np.array([[0.0, 17.0], [0.0, 19.0], [0.0, 0.5], [-800.0, 0.0], [-800.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    a = ACTIVATIONS["softmax"].forward(z)
    # 1 − a_d = 4e-8 keeps half the digits; 5.6e-9 < √ε does not, nor 0 (rows 3, 4)
    assert SOFTMAX_BCE.rows(z, a, y).tolist() == [1, 3, 4]
    a32 = ACTIVATIONS["softmax"].forward(z.astype(np.float32))
    rows32 = SOFTMAX_BCE.rows(z.astype(np.float32), a32, y.astype(np.float32))
    assert rows32.tolist() == [0, 1, 3, 4]  # √ε = 3.5e-4 in float32
    # a_1 = 0: lost under a target (ln a_1 clamped, δ_1 a stall), harmless under y_1 = 0
    z = np.array([[-800.0, 0.0, 0.0]] * 2)
    y = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    assert SOFTMAX_BCE.rows(z, ACTIVATIONS["softmax"].forward(z), y).tolist() == [1]
    # infinite logits are no row to take exactly
    z = np.array([[-np.inf, 0.0]])
    assert SOFTMAX_BCE.rows(z, ACTIVATIONS["softmax"].forward(z), np.array([[1.0, 0.0]])).size == 0


def test_softmax_bce_of_one_unit_keeps_the_a_based_value():
    # softmax of one unit is 1 whatever z: δ = 0, and ℓ stays the clamped (1 − y)·708
    z, y = np.array([[5.0], [-3.0]]), np.array([[0.0], [1.0]])
    a = ACTIVATIONS["softmax"].forward(z)
    assert SOFTMAX_BCE.rows(z, a, y).size == 0
    assert SOFTMAX_BCE.value(z, y).tolist() == LOSSES["binary_cross_entropy"].value(a, y).tolist()
    assert SOFTMAX_BCE.delta(z, y).tolist() == [[0.0], [0.0]]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("pair", list(FUSED))
@pytest.mark.parametrize("targets", ["one-hot", "soft"])
@pytest.mark.parametrize("scale", [5.0, 20.0, 300.0])  # 300: the softmax shifts (float32)
def test_the_training_loss_sum_is_never_negative_and_keeps_small_losses(
    pair, dtype, targets, scale
):
    # a confident network: every loss near 0, under the rounding of the logits
    from types import SimpleNamespace

    rng = np.random.default_rng(3)
    m = 500
    margin = (1 + rng.random(m)) * scale
    labels = rng.integers(0, 2, m)
    sign = np.where(labels == 1, 1.0, -1.0)
    if pair[0] == "softmax":
        z, y = np.stack([-margin, margin], axis=1) * sign[:, None], np.eye(2)[labels]
    else:
        z, y = (margin * sign)[:, None], labels[:, None].astype(float)
    if targets == "soft":  # ℓ_k = Σ_j y_kj (lse − z_kj), or Σ_j [softplus(z) − y z]
        y = y * 0.75 + 0.125
    z, y = z.astype(dtype), y.astype(dtype)
    fused = FUSED[pair]
    space = SimpleNamespace(one_hot=targets == "one-hot" and pair[0] == "softmax")
    ACTIVATIONS[pair[0]].apply(z, np.empty_like(z), space)  # leaves the row sums in space
    total = fused.loss_sum(z, y, space)
    exact = fused.value(z.astype(np.float64), y.astype(np.float64)).sum()
    assert total >= 0
    # each example within a few units in the last place of its terms (|z| here)
    assert abs(total - exact) <= 4 * m * np.spacing(dtype(2 * scale)), (total, exact)
    if scale == 5 and dtype == np.float64:  # losses of 1e-9 to 1e-4: kept, not rounded to 0
        np.testing.assert_allclose(total, exact, rtol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_epoch_loss_tells_a_batch_whose_loss_is_not_finite(dtype):
    # bounded logits (the softmax's unshifted case), large ones (shifted), ∞ and NaN
    from types import SimpleNamespace

    from glassnet.activations import _softmax_into
    from glassnet.losses import EpochLoss

    Y = np.eye(3, dtype=dtype)[[0, 2]]
    for z, finite in (
        ([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]], True),
        ([[900.0, 2.0, 3.0], [0.5, -1.0, 4.0]], True),
        ([[np.inf, 2.0, 3.0], [0.5, -1.0, 4.0]], False),
        ([[1.0, np.nan, 3.0], [0.5, -1.0, 4.0]], False),
    ):
        z = np.asarray(z, dtype=dtype)
        tally, space = EpochLoss(2, np.dtype(dtype)), SimpleNamespace()
        tally.point(space, 0, 2)
        with np.errstate(all="ignore"):
            _softmax_into(z, np.empty_like(z), space)
            assert tally.add(Y, z, space) is finite
            if finite:  # the rows' y·z and the loss, as the log-softmax gives them
                np.testing.assert_array_equal(tally.dots[:, 0], (Y * z).sum(axis=1))
                expected = -(
                    Y
                    * (
                        z
                        - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True))
                        - z.max(1, keepdims=True)
                    )
                ).sum()
                assert tally.total(2) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("pair", sorted(__import__("glassnet.losses").losses.LOGIT_TERMS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_logit_terms_sum_to_the_pair_s_loss_bit_for_bit(pair, dtype):
    from glassnet.losses import LOGIT_TERMS

    value = FUSED[pair].value if pair in FUSED else SATURATED[pair].value
    rng = np.random.default_rng(5)
    for scale in (1.0, 30.0, 1000.0):
        z = rng.normal(0, scale, (6, 3)).astype(dtype)
        y = rng.uniform(0, 1, (6, 3)).astype(dtype)
        if pair[1] == "cross_entropy":
            y /= y.sum(axis=1, keepdims=True)
        np.testing.assert_array_equal(LOGIT_TERMS[pair](z, y).sum(axis=-1), value(z, y))


def test_the_logit_terms_keep_what_a_rounded_a_loses():
    from glassnet.losses import LOGIT_TERMS

    # e^-1000 is below float64, its logarithm is not: the second term is 1000, not 708
    terms = LOGIT_TERMS[("softmax", "cross_entropy")](
        np.array([[0.0, -1000.0]]), np.array([[0.0, 1.0]])
    )
    np.testing.assert_allclose(terms, [[0.0, 1000.0]])
    # softmax + BCE of logits 0 and −40: each term ln(1 + e^-40) ≈ e^-40, where 1 − a rounds
    terms = LOGIT_TERMS[("softmax", "binary_cross_entropy")](
        np.array([[0.0, -40.0]]), np.array([[1.0, 0.0]])
    )
    np.testing.assert_allclose(terms, [[np.exp(-40.0), np.exp(-40.0)]], rtol=1e-12)
    terms = LOGIT_TERMS[("sigmoid", "binary_cross_entropy")](
        np.array([[-1000.0, 40.0]]), np.array([[1.0, 1.0]])
    )
    np.testing.assert_allclose(terms, [[1000.0, np.exp(-40.0)]], rtol=1e-12)


@pytest.mark.parametrize(
    ("activation", "loss"),
    [
        ("softmax", "cross_entropy"),
        ("sigmoid", "binary_cross_entropy"),
        ("softmax", "binary_cross_entropy"),
        ("sigmoid", "cross_entropy"),
        ("identity", "half_squared_error"),
        ("tanh", "squared_error"),
        ("sigmoid", "mean_squared_error"),
    ],
)
@pytest.mark.parametrize("scale", [1.0, 1000.0])  # the second saturates the outputs
def test_the_loss_terms_sum_to_each_example_s_loss(activation, loss, scale):
    from glassnet import Network, explain_step
    from glassnet.losses import LOSSES, loss_terms
    from glassnet.network import Layer

    rng = np.random.default_rng(3)
    W = rng.normal(0, scale, (2, 3))
    net = Network([Layer(W, np.zeros(3), activation)], loss=loss)
    X = rng.normal(0, 1, (4, 2))
    Y = rng.uniform(0, 1, (4, 3)) if "cross" in loss else rng.normal(0, 1, (4, 3))
    if loss == "cross_entropy":
        Y /= Y.sum(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        trace = explain_step(net, X, Y, 0.1)
        out = trace.layers[-1]
        terms = loss_terms(LOSSES[loss], out.a, Y, z=out.z, activation=activation)
    np.testing.assert_allclose(terms.sum(axis=1), trace.example_loss, rtol=1e-12, atol=0)
