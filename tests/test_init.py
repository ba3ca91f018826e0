"""Initialisers: each draws from the variance its paper prescribes, by name."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.init import INITIALIZERS, get_initializer

N_IN, N_OUT = 300, 200

# Var W of each scheme, from the papers (not from glassnet's bounds): Glorot & Bengio
# (2010) 2 / (n_in + n_out), He et al. (2015) 2 / n_in, LeCun (1998) 1 / n_in
VARIANCE = {
    "glorot": 2.0 / (N_IN + N_OUT),
    "xavier": 2.0 / (N_IN + N_OUT),
    "he": 2.0 / N_IN,
    "lecun": 1.0 / N_IN,
}
DRAWN = sorted(name for name in INITIALIZERS if name.split("_")[0] in VARIANCE)


def test_every_built_in_initializer_is_tested() -> None:
    assert set(INITIALIZERS) >= {*DRAWN, "zeros"}
    assert len(DRAWN) == 8


@pytest.mark.parametrize("name", DRAWN)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_variance_and_shape(name: str, dtype: type) -> None:
    """60,000 draws: their variance within 2 % of the scheme's (the standard error of a
    sample variance is ~0.6 % here); a uniform one bounded by √(3 Var), its edges reached."""
    W = get_initializer(name)(N_IN, N_OUT, np.random.default_rng(0), np.dtype(dtype))
    assert W.shape == (N_IN, N_OUT) and W.dtype == dtype
    variance = VARIANCE[name.split("_")[0]]
    assert float(W.astype(np.float64).var()) == pytest.approx(variance, rel=0.02)
    assert abs(float(W.mean())) < 4 * np.sqrt(variance / W.size)
    if name.endswith("uniform"):  # U(−b, b) has variance b² / 3
        bound = np.sqrt(3 * variance)
        assert np.abs(W).max() <= bound * (1 + 1e-6)
        assert np.abs(W).max() > 0.999 * bound
    else:  # a plain normal: beyond 3σ about 0.27 % of the draws (not truncated at 2σ)
        beyond = np.mean(np.abs(W) > 3 * np.sqrt(variance))
        assert 0.0015 < beyond < 0.004


def test_aliases_and_constants() -> None:
    rng = np.random.default_rng
    for alias, name in (("xavier_uniform", "glorot_uniform"), ("xavier_normal", "glorot_normal")):
        np.testing.assert_array_equal(
            get_initializer(alias)(4, 3, rng(1), np.dtype(np.float64)),
            get_initializer(name)(4, 3, rng(1), np.dtype(np.float64)),
        )
    assert not get_initializer("zeros")(4, 3, rng(1), np.dtype(np.float64)).any()
    half = get_initializer("constant:0.5")(4, 3, rng(1), np.dtype(np.float32))
    assert half.dtype == np.float32 and (half == 0.5).all()
