"""Every activation's derivative against finite differences, and its stability."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from glassnet import ACTIVATIONS, SpecError, get_activation

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if not act.jacobian]

batches = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(1, 5)),
    elements=st.floats(-8, 8, allow_nan=False),
)


def central_difference(f, z: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Five-point central difference of an element-wise f at every entry."""
    return (-f(z + 2 * h) + 8 * f(z + h) - 8 * f(z - h) + f(z - 2 * h)) / (12 * h)


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=60, deadline=None)
@given(z=batches)
def test_derivative_matches_finite_differences(name, z):
    act = ACTIVATIONS[name]
    # relu and leaky_relu have a kink at 0, elu a jump of f'' there: a finite difference
    # across 0 means nothing (relu) or loses its O(h⁴) accuracy (elu)
    z = np.where(np.abs(z) < 1e-3, z + 0.01, z)
    analytic = act.derivative(z, act.forward(z))
    numeric = central_difference(act.forward, z)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(z=batches)
@settings(max_examples=30, deadline=None)
def test_vjp_is_gradient_times_derivative(name, z):
    act = ACTIVATIONS[name]
    g = np.cos(z * 3.0) + 0.5
    a = act.forward(z)
    np.testing.assert_allclose(act.vjp(z, a, g), g * act.derivative(z, a), rtol=1e-15, atol=0)


@settings(max_examples=60, deadline=None)
@given(z=batches)
def test_softmax_jacobian_matches_finite_differences(z):
    act = ACTIVATIONS["softmax"]
    J = act.derivative(z, act.forward(z))
    m, n = z.shape
    assert J.shape == (m, n, n)
    h = 1e-5
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        column = (
            -act.forward(z + 2 * e)
            + 8 * act.forward(z + e)
            - 8 * act.forward(z - e)
            + act.forward(z - 2 * e)
        ) / (12 * h)
        np.testing.assert_allclose(J[:, :, j], column, rtol=1e-7, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(z=batches)
def test_softmax_vjp_is_jacobian_transpose_product(z):
    act = ACTIVATIONS["softmax"]
    a = act.forward(z)
    g = np.sin(z * 2.0)
    J = act.derivative(z, a)
    np.testing.assert_allclose(
        act.vjp(z, a, g), np.einsum("mij,mi->mj", J, g), rtol=1e-12, atol=1e-15
    )


def test_values_against_math_module():
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    expected = {
        "identity": lambda v: v,
        "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
        "tanh": math.tanh,
        "relu": lambda v: max(0.0, v),
        "leaky_relu": lambda v: v if v >= 0 else 0.01 * v,
        "elu": lambda v: v if v > 0 else math.exp(v) - 1,
        "softplus": lambda v: math.log(1 + math.exp(v)),
    }
    for name, f in expected.items():
        np.testing.assert_allclose(
            ACTIVATIONS[name].forward(z)[0],
            [f(v) for v in z[0]],
            rtol=1e-15,
            atol=1e-16,
            err_msg=name,
        )
    e = [math.exp(v) for v in z[0]]
    np.testing.assert_allclose(
        ACTIVATIONS["softmax"].forward(z)[0], [v / sum(e) for v in e], rtol=1e-15
    )


def test_relu_derivative_is_zero_at_zero_and_leaky_slope():
    z = np.array([[-1.0, 0.0, 1.0]])
    assert ACTIVATIONS["relu"].derivative(z, ACTIVATIONS["relu"].forward(z)).tolist() == [
        [0.0, 0.0, 1.0]
    ]
    leaky = ACTIVATIONS["leaky_relu"]
    assert leaky.derivative(z, leaky.forward(z)).tolist() == [[0.01, 1.0, 1.0]]


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_stable_for_huge_inputs(name):
    # pytest turns every RuntimeWarning (overflow, invalid value) into an error
    z = np.array([[-1e4, -1e3, -50.0, 0.0, 50.0, 1e3, 1e4]])
    act = ACTIVATIONS[name]
    a = act.forward(z)
    d = act.derivative(z, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


def test_saturated_values_are_exact_limits():
    z = np.array([[-1e4, 1e4]])
    assert ACTIVATIONS["sigmoid"].forward(z).tolist() == [[0.0, 1.0]]
    assert ACTIVATIONS["softplus"].forward(z).tolist() == [[0.0, 1e4]]
    assert ACTIVATIONS["softmax"].forward(z).tolist() == [[0.0, 1.0]]


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_float32_stays_float32(name):
    z = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    act = ACTIVATIONS[name]
    a = act.forward(z)
    assert a.dtype == np.float32
    assert act.derivative(z, a).dtype == np.float32
    assert act.vjp(z, a, np.ones_like(z)).dtype == np.float32


def test_unknown_activation_suggests_a_name():
    with pytest.raises(SpecError, match="did you mean 'sigmoid'"):
        get_activation("sigmod")


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize(
    "shape", [(3, 4), (16, 10), (64, 10), (200, 32), (130, 33), (70, 2), (300, 257)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_forward_and_vjp_equal_the_allocating_ones(name, shape, dtype):
    # the training loop's in-place versions (softmax sums short rows as a product;
    # relu above LARGE numbers takes one row of zeros) against forward and vjp
    from types import SimpleNamespace

    act = get_activation(name)
    rng = np.random.default_rng(sum(shape))
    z = (rng.standard_normal(shape) * 5).astype(dtype)
    space = SimpleNamespace()
    out = np.empty_like(z)
    for _ in range(2):  # the second time with the work arrays kept in ``space``
        act.apply(z, out, space)
        rtol = 1e-6 if dtype == np.float32 else 1e-13
        np.testing.assert_allclose(out, act.forward(z), rtol=rtol, atol=rtol)
        g = rng.standard_normal(shape).astype(dtype)
        scale = 1 + np.abs(g).max() * (1 + np.abs(act.forward(z)).max())
        expected = act.vjp(z, act.forward(z), g)
        act.vjp_inplace(z, out, g, space)
        # g ⊙ f′ and a ⊙ (g − a·g) cancel: the error is relative to the terms' size
        np.testing.assert_allclose(g, expected, rtol=rtol, atol=rtol * scale)
        assert out.dtype == g.dtype == dtype


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("over_z", [False, True])  # out is z, as when predicting
def test_in_place_forward_is_forward_bit_for_bit(name, dtype, over_z):
    # one engine: the trained step's numbers are the explained step's, to the last bit,
    # over the whole range (σ as ½ + ½ tanh(z/2) was 0 from z ≈ −37, e^z / (1 + e^z) not)
    from types import SimpleNamespace

    act = get_activation(name)
    z = np.concatenate([np.linspace(-900, 900, 9001), [-0.0, 1e-300, -1e-300, -40.0, -100.0]])
    z = np.concatenate([z, [np.inf, -np.inf, np.nan]]).astype(dtype)
    z = np.tile(z, 8).reshape(72, -1)  # above LARGE numbers, in rows above WIDE
    with np.errstate(over="ignore", invalid="ignore"):  # exp of ±900 where a formula has it
        expected = act.forward(z)
        out = z.copy() if over_z else np.empty_like(z)
        act.apply(z.copy() if over_z else z, out, SimpleNamespace())
    np.testing.assert_array_equal(out, expected)  # NaN where NaN, and nothing else differs
    assert out.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [1, 16, 63, 64, 200])  # shifted in place, or transposed
@pytest.mark.parametrize("spread", [3.0, 50.0])  # within UNSHIFTED, or a row beyond it
@pytest.mark.parametrize("over_z", [False, "same", "view"])  # out is z, as when predicting
def test_in_place_softmax_of_short_rows(dtype, rows, spread, over_z):
    # while every |z| ≤ UNSHIFTED the shift is 0; beyond, each row is shifted by its
    # maximum (from 64 rows on, through a transposed copy). Either way a, and the
    # log-sum-exp top + ln total that the epoch's loss is made of, are those of an
    # independent float64 computation
    from types import SimpleNamespace

    from glassnet.activations import UNSHIFTED

    rng = np.random.default_rng(rows)
    z = rng.standard_normal((rows, 10)) * spread
    z[0] -= spread * 20  # 3: a row far below the others; 50: beyond e^z's safe range
    z = z.astype(dtype)
    wide = np.abs(z.astype(np.float64)).max() > UNSHIFTED[np.dtype(dtype)]
    assert wide == (spread == 50.0)
    z64 = z.astype(np.float64)
    shifted = np.exp(z64 - z64.max(axis=1, keepdims=True))
    expected = shifted / shifted.sum(axis=1, keepdims=True)
    lse = z64.max(axis=1) + np.log(shifted.sum(axis=1))
    space = SimpleNamespace()
    if over_z:  # z's own memory: the very array, or another view of it
        z_in = z.copy()
        out = z_in if over_z == "same" else z_in[:]
    else:
        z_in, out = z, np.empty_like(z)
    ACTIVATIONS["softmax"].apply(z_in, out, space)
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    if wide:  # z − max is rounded to z's precision, and e^x magnifies that by |x|
        rtol = 4 * np.finfo(dtype).eps * np.abs(z64).max()
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=1e-30)
    top, total = space.top.ravel().astype(np.float64), space.total.ravel().astype(np.float64)
    np.testing.assert_allclose(top + np.log(total), lse, rtol=rtol)
    assert (top == 0).all() != wide  # the path the test meant to take
    assert out.dtype == dtype


@pytest.mark.parametrize(("dtype", "near"), [(np.float32, 88.5), (np.float64, 709.0)])
@pytest.mark.parametrize("rows", [1, 64])
def test_in_place_softmax_at_the_edge_of_exp(dtype, near, rows):
    """Ten logits just below where e^z overflows (float32: 88.7, float64: 709.8): e^z is
    finite, its row's sum is not, so such a row must be shifted (UNSHIFTED lies below)."""
    from types import SimpleNamespace

    z = np.full((rows, 10), near, dtype=dtype)
    z[:, 0] -= 1.0
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(z)).all() and not np.isfinite(np.exp(z).sum(axis=1)).any()
    out = np.empty_like(z)
    ACTIVATIONS["softmax"].apply(z, out, SimpleNamespace())
    e = np.exp(np.array([-1.0] + [0.0] * 9))
    np.testing.assert_allclose(out, np.broadcast_to(e / e.sum(), z.shape), rtol=1e-6)


def test_in_place_softmax_of_no_rows():
    from types import SimpleNamespace

    z = np.zeros((0, 10), dtype=np.float32)
    out = np.empty_like(z)
    ACTIVATIONS["softmax"].apply(z, out, SimpleNamespace())
    assert out.shape == (0, 10)


def test_scratch_arrays_start_on_cache_lines_and_hold_their_fill():
    from types import SimpleNamespace

    from glassnet import blas
    from glassnet.activations import scratch

    space = SimpleNamespace()
    like = np.empty((128, 256), dtype=np.float32)
    work = scratch(space, "work", like)
    assert work.shape == like.shape and work.dtype == like.dtype
    assert work.ctypes.data % blas.ALIGNMENT == 0
    zeros = scratch(space, "zeros", like, fill=0.0)
    assert zeros.ctypes.data % blas.ALIGNMENT == 0 and not zeros.any()
    assert scratch(space, "work", like) is work  # kept for the next call
