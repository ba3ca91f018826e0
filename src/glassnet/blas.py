r"""Matrix products with BLAS's α and β, prepared once for fixed arrays.

.. math:: C \leftarrow \alpha\, \mathrm{op}(A)\, \mathrm{op}(B) + \beta\, C

NumPy's ``matmul`` always overwrites its output (α = 1, β = 0). The training step
needs more: the update W ← W − (η/m) a_prevᵀ δ is *one* GEMM with α = −η/m and
β = 1, where ``matmul`` needs a gradient array and a second pass over W; and
z = a W + b is one GEMM with β = 1 onto a copy of the bias. :func:`product` prepares
such a call for arrays that stay where they are (a training workspace's), so that
each batch pays one call and no argument conversion.

The BLAS is the one NumPy itself loaded: the ``libscipy_openblas`` of NumPy's wheel
(``numpy.libs``). Using NumPy's own library matters: a second OpenBLAS (SciPy's,
say) brings a second thread pool, and two pools spinning on two cores slow training
a hundredfold. Where that library is not found (another NumPy build, another
platform) or the arrays don't suit it, :func:`product` computes the same thing with
NumPy. ``GLASSNET_BLAS=numpy`` in the environment forces the NumPy path.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
from collections.abc import Callable
from typing import Any

import numpy as np

Array = np.ndarray

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112


@functools.lru_cache(maxsize=1)
def _library() -> dict[str, Any] | None:
    """NumPy's own OpenBLAS: {"path": file, "sgemm": (function, int type), ...}, or None."""
    if os.environ.get("GLASSNET_BLAS", "").lower() == "numpy":
        return None
    folder = os.path.dirname(np.__file__) + ".libs"
    candidates = sorted(glob.glob(os.path.join(folder, "libscipy_openblas*.so*")))
    loaded = _mapped_files()
    if loaded is not None:  # only the one NumPy has loaded: no second library, no second pool
        candidates = [p for p in candidates if os.path.realpath(p) in loaded]
    if len(candidates) != 1:
        return None
    (path,) = candidates
    try:
        lib = ctypes.CDLL(path)  # already loaded by NumPy: the same handle, same threads
    except OSError:
        return None
    ilp64 = "openblas64" in os.path.basename(path)
    suffix, integer = ("64_", ctypes.c_int64) if ilp64 else ("", ctypes.c_int32)
    found: dict = {"path": path}
    for name in ("sgemm", "dgemm", "sgemv", "dgemv"):
        fn = getattr(lib, f"scipy_cblas_{name}{suffix}", None)
        if fn is None:
            return None
        fn.restype = None
        found[name] = (fn, integer)
    return found


def _mapped_files() -> set[str] | None:
    """The files mapped into this process (Linux), or None where that is not known."""
    try:
        with open("/proc/self/maps") as maps:
            return {
                os.path.realpath(line.split(None, 5)[5].strip()) for line in maps if "/" in line
            }
    except (OSError, IndexError):
        return None


def library() -> str | None:
    """The file of NumPy's own OpenBLAS that the products call, or None (NumPy computes them)."""
    lib = _library()
    return None if lib is None else lib["path"]


def _suits(A: Array, B: Array, C: Array) -> bool:
    """One float dtype, C-contiguous; C writeable and apart from A and B.

    (BLAS would write into read-only memory, and read what it has overwritten.)
    """
    dtype = A.dtype
    return (
        dtype in (np.float32, np.float64)
        and all(a.dtype == dtype and a.flags.c_contiguous for a in (A, B, C))
        and C.flags.writeable
        and not np.may_share_memory(C, A)
        and not np.may_share_memory(C, B)
    )


def product(
    A: Array,
    B: Array,
    C: Array,
    *,
    trans_a: bool = False,
    trans_b: bool = False,
    alpha: float = 1.0,
    beta: float = 0.0,
) -> Callable[[], None]:
    r"""Prepare C ← α op(A) op(B) + β C; calling the result computes it (again).

    Parameters
    ----------
    A : ndarray, shape (m, k), or (k, m) with ``trans_a``
    B : ndarray, shape (k, n), or (n, k) with ``trans_b``; or a vector of length k
        (then C is a vector of length m: GEMV).
    C : ndarray, shape (m, n), or (m,) when B is a vector
        Written in place. All three arrays are C-contiguous, of one float dtype,
        and must stay alive and in place while the prepared call is used.
    trans_a, trans_b : bool
        op(X) = Xᵀ when set, else X.
    alpha, beta : float

    Returns
    -------
    callable
        With no arguments; each call computes the product with the arrays' current
        contents.

    Examples
    --------
    >>> a = np.ones((4, 3)); W = np.zeros((3, 2)); d = np.ones((4, 2))
    >>> step = product(a, d, W, trans_a=True, alpha=-0.5, beta=1.0)  # W ← W − ½ aᵀ d
    >>> step(); float(W[0, 0])
    -2.0
    """
    if A.ndim != 2 or B.ndim not in (1, 2) or C.ndim != B.ndim:
        raise ValueError(
            f"product: expected a matrix A, and B and C both vectors or matrices, "
            f"found {A.ndim}, {B.ndim}, {C.ndim} dimensions"
        )
    opA = A.T if trans_a else A
    vector = B.ndim == 1
    if vector:
        if trans_b or opA.shape[1] != B.shape[0] or C.shape != (opA.shape[0],):
            raise ValueError(f"product: shapes {opA.shape}, {B.shape} → {C.shape} don't fit")
    else:
        opB = B.T if trans_b else B
        if opA.shape[1] != opB.shape[0] or C.shape != (opA.shape[0], opB.shape[1]):
            raise ValueError(f"product: shapes {opA.shape}, {opB.shape} → {C.shape} don't fit")
    lib = _library()
    if lib is None or not _suits(A, B, C) or min(A.shape) == 0 or min(C.shape) == 0:
        return _numpy_product(A, B, C, trans_a, trans_b, alpha, beta)
    prefix = "s" if A.dtype == np.float32 else "d"
    scalar = ctypes.c_float if prefix == "s" else ctypes.c_double
    if vector:
        fn, integer = lib[prefix + "gemv"]
        # y ← α op(A) x + β y on the row-major A as stored
        rows, cols = A.shape
        args = (
            ctypes.c_int(_ROW_MAJOR),
            ctypes.c_int(_TRANS if trans_a else _NO_TRANS),
            integer(rows),
            integer(cols),
            scalar(alpha),
            ctypes.c_void_p(A.ctypes.data),
            integer(cols),
            ctypes.c_void_p(B.ctypes.data),
            integer(1),
            scalar(beta),
            ctypes.c_void_p(C.ctypes.data),
            integer(1),
        )
    else:
        fn, integer = lib[prefix + "gemm"]
        m, n = C.shape
        k = opA.shape[1]
        args = (
            ctypes.c_int(_ROW_MAJOR),
            ctypes.c_int(_TRANS if trans_a else _NO_TRANS),
            ctypes.c_int(_TRANS if trans_b else _NO_TRANS),
            integer(m),
            integer(n),
            integer(k),
            scalar(alpha),
            ctypes.c_void_p(A.ctypes.data),
            integer(A.shape[1]),
            ctypes.c_void_p(B.ctypes.data),
            integer(B.shape[1]),
            scalar(beta),
            ctypes.c_void_p(C.ctypes.data),
            integer(n),
        )
    call = functools.partial(fn, *args)
    call.arrays = (A, B, C)  # type: ignore[attr-defined]  # their memory outlives the call
    return call


def _numpy_product(
    A: Array, B: Array, C: Array, trans_a: bool, trans_b: bool, alpha: float, beta: float
) -> Callable[[], None]:
    """The same product with NumPy (a work array where β ≠ 0 or α ≠ 1)."""
    opA = A.T if trans_a else A
    opB = B if B.ndim == 1 else (B.T if trans_b else B)
    if beta == 0.0 and alpha == 1.0:
        return functools.partial(np.matmul, opA, opB, out=C)
    work = np.empty_like(C)
    alpha_ = C.dtype.type(alpha)
    beta_ = C.dtype.type(beta)

    def run() -> None:
        np.matmul(opA, opB, out=work)
        np.multiply(work, alpha_, out=work)
        if beta_ == 0:  # as BLAS: C is not read (a NaN there does not survive)
            np.copyto(C, work)
            return
        if beta_ != 1:
            np.multiply(C, beta_, out=C)
        np.add(C, work, out=C)

    return run


ALIGNMENT = 64  # bytes: a cache line, and the width of AVX-512's loads and stores
ALIGN_FROM = 16 * 1024  # bytes: smaller arrays stay NumPy's own


def empty(shape: int | tuple[int, ...], dtype: object) -> Array:
    """An uninitialised C-contiguous array; from 16 KiB on, starting on a 64-byte boundary.

    NumPy aligns its arrays to 16 bytes only (a large one starts 16 bytes past a
    page). OpenBLAS's products read and write operands aligned to a cache line about
    3 % faster (784-256-128-10, batches of 128): a workspace and the weights that the
    training step multiplies are made with this. A smaller array is NumPy's own: its
    products are too short for the alignment to show, and aligning costs ~4 µs a call,
    which a small network's fit pays for every array of its workspace.
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes < ALIGN_FROM:
        return np.empty(shape, dtype=dtype)
    raw = np.empty(nbytes + ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start : start + nbytes].view(dtype).reshape(shape)


def aligned(a: Array, *, copy: bool = False) -> Array:
    """``a`` itself when it is as :func:`empty` makes arrays; else, or with ``copy``, a copy."""
    if (
        not copy
        and a.flags.c_contiguous
        and (a.nbytes < ALIGN_FROM or a.ctypes.data % ALIGNMENT == 0)
    ):
        return a
    out = empty(a.shape, a.dtype)
    np.copyto(out, a)
    return out
