"""The prepared BLAS products against NumPy, on NumPy's own OpenBLAS and without it."""

from __future__ import annotations

import glob
import itertools
import os

import numpy as np
import pytest

from glassnet import blas


@pytest.fixture(params=["blas", "numpy"])
def backend(request, monkeypatch):
    """Each test runs once through the BLAS library and once through the NumPy fallback."""
    if request.param == "numpy":
        monkeypatch.setenv("GLASSNET_BLAS", "numpy")
    blas._library.cache_clear()
    yield request.param
    blas._library.cache_clear()


def test_numpys_own_openblas_is_found_where_numpys_wheel_has_one(backend):
    wheel_has_one = bool(glob.glob(os.path.dirname(np.__file__) + ".libs/libscipy_openblas*"))
    assert (blas.library() is not None) == (wheel_has_one and backend == "blas")


def test_it_is_the_library_numpy_loaded_not_a_second_thread_pool():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas._library.cache_clear()
    before = {i["filepath"] for i in threadpoolctl.threadpool_info()}
    a = np.ones((64, 64), dtype=np.float32)
    blas.product(a, a, np.empty_like(a))()
    after = {i["filepath"] for i in threadpoolctl.threadpool_info()}
    assert after == before  # nothing new loaded
    path = blas.library()
    assert path is not None and os.path.realpath(path) in {os.path.realpath(p) for p in after}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("trans_a", "trans_b"), list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 0.0), (-0.25, 1.0), (2.0, 0.5), (1.0, 1.0)])
def test_gemm_is_alpha_op_a_op_b_plus_beta_c(backend, dtype, trans_a, trans_b, alpha, beta):
    rng = np.random.default_rng(0)
    m, n, k = 7, 5, 3
    A = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
    B = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
    C = rng.standard_normal((m, n)).astype(dtype)
    expected = alpha * ((A.T if trans_a else A) @ (B.T if trans_b else B)) + beta * C
    call = blas.product(A, B, C, trans_a=trans_a, trans_b=trans_b, alpha=alpha, beta=beta)
    call()
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(C, expected, rtol=rtol, atol=rtol)
    assert C.dtype == dtype
    # a prepared call reads its operands' current contents
    A *= 2
    expected = alpha * ((A.T if trans_a else A) @ (B.T if trans_b else B)) + beta * C
    call()
    np.testing.assert_allclose(C, expected, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a", [False, True])
def test_gemv_with_a_vector(backend, dtype, trans_a):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((6, 4)).astype(dtype)
    x = rng.standard_normal(6 if trans_a else 4).astype(dtype)
    y = rng.standard_normal(4 if trans_a else 6).astype(dtype)
    expected = y - (A.T if trans_a else A) @ x
    blas.product(A, x, y, trans_a=trans_a, alpha=-1.0, beta=1.0)()
    np.testing.assert_allclose(y, expected, rtol=1e-5)


def test_beta_zero_does_not_read_c(backend):
    A, B = np.ones((2, 3)), np.ones((3, 2))
    C = np.full((2, 2), np.nan)
    blas.product(A, B, C, alpha=0.5)()
    np.testing.assert_array_equal(C, np.full((2, 2), 1.5))


def test_unsuited_arrays_go_through_numpy(backend):
    rng = np.random.default_rng(2)
    A = rng.standard_normal((8, 6))[:, ::2]  # not contiguous
    B = rng.standard_normal((3, 4)).astype(np.float32)  # another dtype
    C = np.zeros((8, 4))
    blas.product(A, B, C, beta=1.0)()
    np.testing.assert_allclose(C, A @ B.astype(np.float64), rtol=1e-6)


def test_wrong_shapes_are_refused_before_any_call():
    with pytest.raises(ValueError, match="don't fit"):
        blas.product(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="don't fit"):
        blas.product(np.ones((2, 3)), np.ones(3), np.ones(3))


def test_a_prepared_call_keeps_its_arrays_alive(backend):
    A, B, C = np.ones((4, 4)), np.ones((4, 4)), np.zeros((4, 4))
    call = blas.product(A, B, C)
    del A, B
    call()
    np.testing.assert_array_equal(C, np.full((4, 4), 4.0))


def test_a_read_only_output_is_refused_as_numpy_refuses_it(backend):
    A, B = np.ones((2, 2)), np.ones((2, 2))
    C = np.zeros((2, 2))
    C.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        blas.product(A, B, C)()
    with pytest.raises(ValueError, match="read-only"):
        blas.product(A, B, C, alpha=-1.0, beta=1.0)()


def test_an_output_overlapping_an_operand_goes_through_numpy(backend):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((4, 4))
    expected = A @ A.T
    blas.product(A, A, A, trans_b=True)()  # NumPy's matmul buffers the overlap
    np.testing.assert_allclose(A, expected, rtol=1e-12)


def test_a_vector_as_a_is_refused():
    with pytest.raises(ValueError, match="expected a matrix A"):
        blas.product(np.ones(3), np.ones(3), np.ones(3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(128, 784), (784, 256), (64, 64), (10,), (0, 5), (3, 0), ()])
def test_empty_starts_large_arrays_on_a_cache_line(dtype, shape):
    a = blas.empty(shape, dtype)
    assert a.shape == shape and a.dtype == dtype
    assert a.flags.c_contiguous and a.flags.writeable
    if a.nbytes >= blas.ALIGN_FROM:
        assert a.ctypes.data % blas.ALIGNMENT == 0
    else:  # NumPy's own array, no view of a larger one
        assert a.base is None
    a[...] = 1.5  # its own memory, all of it
    assert np.all(a == 1.5)


def test_aligned_copies_only_what_is_not_aligned():
    a = blas.empty((64, 64), np.float32)
    a[...] = 2.0
    assert blas.aligned(a) is a
    fresh = blas.aligned(a, copy=True)  # a copy all the same
    assert fresh is not a and not np.shares_memory(fresh, a) and np.array_equal(fresh, a)
    assert fresh.ctypes.data % blas.ALIGNMENT == 0
    raw = np.arange(64 * 64 + 1, dtype=np.float32)
    off = raw[1:].reshape(64, 64)  # 4 bytes past an aligned or unaligned start
    if off.ctypes.data % blas.ALIGNMENT == 0:
        off = raw[:-1].reshape(64, 64)
    copy = blas.aligned(off)
    assert copy is not off and copy.ctypes.data % blas.ALIGNMENT == 0
    assert np.array_equal(copy, off) and copy.dtype == off.dtype
    small = np.arange(13, dtype=np.float32)[1:]
    assert blas.aligned(small) is small  # below ALIGN_FROM: taken as it is
    strided = np.arange(2.0 * 64 * 64)[::2].reshape(64, 64)
    assert blas.aligned(strided).flags.c_contiguous
    assert np.array_equal(blas.aligned(strided), strided)
