"""Data: named datasets, data files, and the preprocessing a network needs.

:func:`load_dataset` gives a :class:`Dataset` for a name (scikit-learn's
bundled sets, or a generator: moons, circles, spiral, xor) or for a file
(``.csv``, ``.npz``, ``.npy`` or an MNIST IDX images file).  Every mistake in a
file raises :class:`glassnet.errors.DataError` naming the file, the row and the
column; a bad argument raises :class:`glassnet.errors.ArgumentError`.

The helpers :func:`train_val_test_split`, :class:`Standardizer` and
:func:`one_hot` prepare arrays for training.  scikit-learn is imported only
inside the functions that use it, so ``import glassnet.data`` stays cheap.
See docs/data.md.
"""

from __future__ import annotations

import collections
import csv
import gzip
import hashlib
import itertools
import json
import math
import operator
import os
import re
import tokenize
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from glassnet.errors import (
    ArgumentError,
    DataError,
    did_you_mean,
    quote,
    real_number,
    unknown_name,
    whole_number,
)
from glassnet.network import one_hot as identity_rows  # (data.one_hot checks first)

__all__ = [
    "DATASETS",
    "DEFAULT_DATASET",
    "MAX_DATA_BYTES",
    "Dataset",
    "Standardizer",
    "load_dataset",
    "make_spiral",
    "make_xor",
    "one_hot",
    "train_val_test_split",
]

BUNDLED = ("digits", "iris", "wine", "breast_cancer", "diabetes")
GENERATED = ("moons", "circles", "spiral", "xor")
DATASETS = BUNDLED + GENERATED
DEFAULT_DATASET = "digits"
# Refuse files that would only exhaust memory: a CSV file larger than this, or an
# IDX, .npy or .npz file whose header announces more data than this.
MAX_DATA_BYTES = 2 * 1024**3
MAX_CSV_ROWS = 5_000_000
# A numeric target is taken for class labels when every value is a whole number and
# there are at most this many distinct values, and fewer than half as many as rows.
MAX_INFERRED_CLASSES = 20
# A target column of numbers with at most this fraction of words is numbers with typos
STRAY_FRACTION = 0.05
GENERATOR_DEFAULTS = {
    "moons": (400, 0.1),
    "circles": (400, 0.1),
    "spiral": (300, 0.2),
    "xor": (400, 0.1),
}
FILE_TYPES = ".csv, .npz or .npy file, or an MNIST IDX images file (*-images-idx3-ubyte[.gz])"
IDX_IMAGES = re.compile(r"images[-.]idx3-ubyte(\.gz)?$")
IDX_LABELS = re.compile(r"labels[-.]idx1-ubyte(\.gz)?$")
IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801


@dataclass
class Dataset:
    """Examples and their targets, ready for a network.

    Attributes
    ----------
    X : ndarray, shape (n, d), float64
        One example per row.
    y : ndarray
        Classification: shape (n,), int64 class indices 0 .. k-1.
        Regression: shape (n,) or (n, k), float64.
    name : str
        The dataset name, or the file name.
    task : {"classification", "regression"}
    feature_names : list of str
        One name per column of `X`.
    classes : list or None
        Classification: the original label of each class index (strings from a
        CSV file, or ints), so ``classes[y[i]]`` is example i's label.
        Regression: None.
    target_name : str or None
        The target column's name in a CSV file; None for other sources.
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    task: str
    feature_names: list[str]
    classes: list[Any] | None = None
    target_name: str | None = None

    def fingerprint(self) -> str:
        """SHA-256 (hex) of the examples, targets, task and names: another for any change.

        A checkpoint of ``glassnet train`` keeps it, so that ``--resume`` refuses a data
        file that changed since the run began (the run would not be the one resumed).
        """
        digest = hashlib.sha256()
        names = [self.task, self.feature_names, self.classes, self.target_name]
        digest.update(json.dumps(names, default=str).encode())
        for array in (self.X, self.y):
            digest.update(f"{array.dtype.str} {array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    @property
    def n_classes(self) -> int | None:
        """The number of classes k, or None for a regression dataset."""
        if self.task != "classification" or self.classes is None:
            return None
        return len(self.classes)


# --- arguments ------------------------------------------------------------------------


def _check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    """`value` as an int in [low, high], or ArgumentError."""
    value = whole_number(name, value, low)
    if high is not None and value > high:
        raise ArgumentError(f"{name}: expected a whole number from {low} to {high}, found {value}")
    return value


def _check_fraction(name: str, value: object) -> float:
    """`value` as a float in [0, 1), or ArgumentError."""
    if real_number(name, value) >= 1.0:
        raise ArgumentError(f"{name}: expected a fraction in [0, 1), found {value!r}")
    return float(value)  # type: ignore[arg-type]


def _check_seed(value: object) -> int:
    return _check_int("seed", value, 0, 2**32 - 1)


# --- generators -----------------------------------------------------------------------


def make_spiral(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals in the plane, one arm per class.

    Arm j has points at radius r from 0 to 1 and angle ``4 (j + r) + noise * N(0, 1)``
    radians (the classic CS231n spirals); the arms are balanced (their sizes differ
    by at most one) and the examples are shuffled.

    Parameters
    ----------
    n_samples : int
        Number of points, at least `n_classes`.
    n_classes : int
        Number of arms (classes), at least 1.
    noise : float
        Standard deviation of the Gaussian noise added to the angle.
    seed : int
        Seed of the random generator; the same seed gives the same arrays.

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64
        The arm of each point, 0 .. n_classes - 1.
    """
    n_classes = _check_int("n_classes", n_classes, 1)
    n_samples = _check_int("n_samples", n_samples, n_classes)
    noise = real_number("noise", noise)
    rng = np.random.default_rng(_check_seed(seed))
    sizes = [n_samples // n_classes + (j < n_samples % n_classes) for j in range(n_classes)]
    X = np.empty((n_samples, 2))
    y = np.empty(n_samples, dtype=np.int64)
    start = 0
    for j, size in enumerate(sizes):
        r = np.linspace(0.0, 1.0, size)
        t = 4.0 * (j + r) + noise * rng.standard_normal(size)
        X[start : start + size] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[start : start + size] = j
        start += size
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_xor(
    n_samples: int = 400, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points around the four corners (±1, ±1): the XOR problem.

    The corners get equal shares of the points (differing by at most one); each
    point is its corner plus Gaussian noise.  Its class is 1 where
    ``sign(x1) * sign(x2) > 0`` (same signs) and 0 otherwise, computed from the
    noisy point, so the rule holds for every example.

    Parameters
    ----------
    n_samples : int
        Number of points, at least 1.
    noise : float
        Standard deviation of the Gaussian noise around each corner.
    seed : int
        Seed of the random generator; the same seed gives the same arrays.

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64 in {0, 1}
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    noise = real_number("noise", noise)
    rng = np.random.default_rng(_check_seed(seed))
    corners = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    which = rng.permutation(np.arange(n_samples) % 4)
    X = corners[which] + noise * rng.standard_normal((n_samples, 2))
    y = (np.sign(X[:, 0]) * np.sign(X[:, 1]) > 0).astype(np.int64)
    return X, y


# --- named datasets -------------------------------------------------------------------


def _load_named(name: str, n_samples: int | None, noise: float | None, seed: int) -> Dataset:
    if name in BUNDLED:
        if n_samples is not None or noise is not None:
            raise ArgumentError(
                f"n_samples and noise apply only to the generated datasets "
                f"({', '.join(GENERATED)}), not to {name!r}"
            )
        from sklearn import datasets as sk_datasets

        bunch = getattr(sk_datasets, f"load_{name}")()
        X = np.asarray(bunch.data, dtype=np.float64)
        names = [str(f) for f in bunch.feature_names]
        if name == "diabetes":
            y = np.asarray(bunch.target, dtype=np.float64)
            return Dataset(X, y, name, "regression", names, None)
        y = np.asarray(bunch.target, dtype=np.int64)
        return Dataset(X, y, name, "classification", names, np.asarray(bunch.target_names).tolist())

    default_n, default_noise = GENERATOR_DEFAULTS[name]
    n = default_n if n_samples is None else _check_int("n_samples", n_samples, 1)
    sigma = default_noise if noise is None else real_number("noise", noise)
    seed = _check_seed(seed)
    if name == "spiral":
        X, y = make_spiral(n, 3, sigma, seed)
    elif name == "xor":
        X, y = make_xor(n, sigma, seed)
    else:
        from sklearn import datasets as sk_datasets

        if name == "moons":
            X, y = sk_datasets.make_moons(n_samples=n, noise=sigma, random_state=seed)
        else:
            X, y = sk_datasets.make_circles(n_samples=n, noise=sigma, factor=0.5, random_state=seed)
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.int64)
    classes = list(range(3 if name == "spiral" else 2))
    return Dataset(X, y, name, "classification", ["x1", "x2"], classes)


# --- files: shared --------------------------------------------------------------------


def _size_text(n_bytes: float) -> str:
    """A byte count for a person: ``"3.0 GiB"``."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n_bytes < 1024 or unit == "TiB":
            return f"{n_bytes:.0f} bytes" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _too_big(path: str, what: str, memory: float) -> DataError:
    return DataError(
        path,
        "",
        f"{what}; as float64 it would take about {_size_text(memory)} of memory, "
        f"and glassnet refuses more than {_size_text(MAX_DATA_BYTES)}",
    )


def _name_list(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(quote(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"


def _is_whole(values: np.ndarray) -> bool:
    """Whether every value is a whole number that an int64 holds exactly."""
    return bool(np.all((values == np.round(values)) & (np.abs(values) <= 2.0**53)))


def _target(values: np.ndarray, integer_dtype: bool) -> tuple[str, np.ndarray, list[Any] | None]:
    """Task, y and classes for a 1-D numeric target column (finite values).

    Integer (or bool) dtypes are class labels; floats are class labels when every
    value is whole and there are few distinct values (see MAX_INFERRED_CLASSES).
    """
    if not integer_dtype:
        distinct = np.unique(values)
        few = len(distinct) <= MAX_INFERRED_CLASSES and len(distinct) < len(values) / 2
        if not (few and _is_whole(values)):
            return "regression", values.astype(np.float64), None
        values = values.astype(np.int64)
    labels, y = np.unique(values, return_inverse=True)
    return "classification", y.reshape(-1).astype(np.int64), labels.tolist()


def _first_non_finite(array: np.ndarray) -> tuple[tuple[int, ...], float]:
    bad = np.argwhere(~np.isfinite(array))[0]
    index = tuple(int(i) for i in bad)
    return index, float(array[index])


def _numeric_array(path: str, name: str, array: np.ndarray) -> np.ndarray:
    """`array` as finite float64, or DataError naming the first bad index."""
    if array.dtype.kind not in "biuf":
        raise DataError(path, name, f"expected numbers, found an array of dtype {array.dtype}")
    out = np.asarray(array, dtype=np.float64)
    if out.size and not np.isfinite(out).all():
        index, value = _first_non_finite(out)
        raise DataError(
            path,
            f"{name}[{', '.join(map(str, index))}]",
            f"found {value}; data must be finite (no NaN or infinity)",
        )
    return out


# What reading a damaged binary file raises: OSError (gzip.BadGzipFile too), EOFError
# (a short compressed stream), ValueError, zipfile.BadZipFile, zlib.error (a flipped
# byte in compressed data), and SyntaxError or tokenize.TokenError (NumPy's parser of a
# .npy header, a Python literal).
DAMAGED = (
    OSError,
    EOFError,
    ValueError,
    zipfile.BadZipFile,
    zlib.error,
    SyntaxError,
    tokenize.TokenError,
    RuntimeError,  # zipfile: a member marked encrypted
    NotImplementedError,  # zipfile: a compression method it does not know
)


def _damaged(path: str, where: str, what: str, exc: BaseException) -> DataError:
    """DataError for one of :data:`DAMAGED`: ``what`` (e.g. "not a valid .npz file")."""
    if isinstance(exc, (SyntaxError, tokenize.TokenError)):
        reason = "its array header can't be parsed"
    else:
        reason = str(exc) or type(exc).__name__
    return DataError(path, where, f"{what} ({reason})")


# --- CSV ------------------------------------------------------------------------------


def _csv_shape(path: str, size: int) -> tuple[float, int]:
    """Estimated (rows, columns) of a CSV file, from its first 64 KiB."""
    with open(path, "rb") as f:
        head = f.read(65536)
    lines = head.split(b"\n")[:-1]  # complete lines only
    if len(lines) >= 2:
        columns = lines[0].count(b",") + 1
        return size / (len(head[: head.rfind(b"\n") + 1]) / len(lines)), columns
    return size / 8.0, 1  # about one float64 per 8 characters


def _csv_lines(path: str) -> int:
    """The lines of a file after its header, counted in blocks (a second for 2 GiB)."""
    count, last = 0, b"\n"
    with open(path, "rb") as f:
        while block := f.read(1 << 20):  # (a small buffer: beside the data read next)
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n") - 1


def _csv_memory(path: str, size: int) -> float:
    """Estimated float64 memory of a CSV file."""
    rows, columns = _csv_shape(path, size)
    return rows * columns * 8.0


# A CSV number as docs/data.md describes it: plain ASCII decimal or scientific notation
# (float() takes "1_000" and other scripts' digits too), or inf and nan, which reach
# float() to be refused as not finite.
NUMBER = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf(?:inity)?|nan)",
    re.ASCII | re.IGNORECASE,
)


def _number(text: str) -> float:
    """A CSV cell as a float; ValueError unless it is written as :data:`NUMBER` says.

    Spaces around it are taken; a line break (a quoted cell over two lines) is not.
    """
    if "\n" in text or "\r" in text:
        raise ValueError(f"a line break in {text!r}")
    text = text.strip()
    if not NUMBER.fullmatch(text):
        raise ValueError(f"not a number: {text!r}")
    return float(text)


def _cell_where(row: int, line: int, column: str) -> str:
    return f"row {row} (line {line}), column {quote(column)}"


def _parse_number(path: str, cell: str, row: int, line: int, column: str) -> float:
    """A CSV cell as a finite float, or DataError naming row, line and column."""
    try:
        value = _number(cell)
    except ValueError:
        found = "an empty cell" if not cell.strip() else quote(cell.strip())
        if "\n" in cell or "\r" in cell:
            found = f"a quoted cell that holds a line break ({cell!r})"
        raise DataError(
            path, _cell_where(row, line, column), f"expected a number, found {found}"
        ) from None
    if not math.isfinite(value):
        raise DataError(
            path,
            _cell_where(row, line, column),
            f"found {quote(cell.strip())}; data must be finite (no NaN or infinity)",
        )
    return value


def _check_cells(path: str, cells: list[str], header: list[str], row: int, line: int) -> None:
    """DataError naming the row and its line where it has not one cell per column."""
    if len(cells) != len(header):
        raise DataError(
            path,
            f"row {row} (line {line})",
            f"found {len(cells)} cells, but the header has {len(header)} columns",
        )


def _csv_rows(path: str, one_line: bool = True) -> Iterator[tuple[list[str], int]]:
    """The non-blank rows of a CSV file, each with its line number.

    A file that can't be read as CSV text (not UTF-8, a field over the csv module's
    limit, a stray quote, unreadable) is a DataError, for every reader of CSV files
    alike. The reader is strict: a quote left open would otherwise make one cell of
    the rest of the file. A row runs over one line only where a quoted cell holds a
    line break, which is never a number nor a sane label: refused, naming its line —
    unless ``one_line`` is False, for a reader of named columns alone, whose other
    columns may hold anything (a note written over two lines, as Excel, pandas and R
    write it); a line break in a column it reads fails as a number would.
    """
    start = 1  # the line where the row being read begins
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, strict=True)
            for cells in reader:
                if one_line and reader.line_num != start:
                    raise DataError(
                        path,
                        f"line {start}",
                        "a quoted cell holds a line break (or a quote is left open): "
                        "each row must be on one line",
                    )
                if cells and not (len(cells) == 1 and not cells[0].strip()):
                    yield cells, start
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise DataError(path, "", f"not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    except csv.Error as exc:
        why = f"not valid CSV: {exc}"
        if reader.line_num != start:  # the row ran on from where its quote opened
            why += f"; a quote opened in this row is not closed (read on to line {reader.line_num})"
        raise DataError(path, f"line {start}", why) from None
    except OSError as exc:
        raise DataError(
            path, "", f"cannot read the file ({exc.strerror or type(exc).__name__})"
        ) from None


def _check_csv_size(path: str) -> None:
    """DataError for a CSV file over the size limits, before it is read row by row."""
    try:
        size = os.path.getsize(path)
        if size > MAX_DATA_BYTES:
            raise _too_big(path, f"the file is {_size_text(size)}", _csv_memory(path, size))
        rows, columns = _csv_shape(path, size)
        if rows > MAX_CSV_ROWS:  # the estimate may overcount (longer lines further down)
            rows = _csv_lines(path)
    except OSError as exc:
        raise DataError(
            path, "", f"cannot read the file ({exc.strerror or type(exc).__name__})"
        ) from None
    if rows > MAX_CSV_ROWS:  # parsed row by row, it would take minutes: refuse, don't hang
        raise DataError(
            path,
            "",
            f"has {rows:,.0f} rows ({_size_text(rows * columns * 8.0)} as "
            f"float64); glassnet reads CSV files of up to {MAX_CSV_ROWS:,} rows — save larger "
            "data as .npy or .npz",
        )


EMPTY_CSV = "the file is empty; expected a header row naming the columns"
HEADER_ONLY_CSV = "the file has a header but no data rows"


def _load_csv(
    path: str,
    target: str | None,
    only: Sequence[str] | None = None,
    task: str | None = None,
) -> Dataset:
    _check_csv_size(path)
    rows = _csv_rows(path, one_line=only is None)
    first = next(rows, None)
    if first is None:
        raise DataError(path, "", EMPTY_CSV)
    header = [c.strip() for c in first[0]]
    t = _csv_header(path, header, target, names=only is None)
    keep = [i for i in range(len(header)) if i != t]
    if only is not None:  # the named columns alone: the others may hold anything
        _check_names(path, header, (*only, header[t]))
        keep = [_csv_column(path, header, name, t) for name in only]
    X, targets, lines = _csv_numbers(path, rows, header, keep, target=t)
    if not lines:
        raise DataError(path, "", HEADER_ONLY_CSV)
    task, y, classes = _csv_target(path, targets, lines, header[t], task)
    return Dataset(X, y, Path(path).name, task, [header[i] for i in keep], classes, header[t])


def _csv_column(path: str, header: list[str], name: str, target: int) -> int:
    """The index of the feature column ``name``; DataError where there is none."""
    if name not in header:
        raise DataError(path, "line 1", f"no feature column {quote(name)}")
    if header.index(name) == target:  # (the last column, when no target is named)
        raise DataError(
            path,
            "line 1",
            f"{quote(name)} is the target column: name another target, or leave it out of "
            "the features",
        )
    return header.index(name)


def csv_header(path: str | os.PathLike[str]) -> list[str] | None:
    """The column names of a CSV file's header row; None where it can't be read as one.

    For finding columns by name before the file is read whole (:func:`load_dataset`
    then says what is wrong with a file this can't read).
    """
    try:
        for cells, _ in _csv_rows(os.fspath(path)):
            return [c.strip() for c in cells]
    except DataError:
        return None
    return None


def _check_names(path: str, header: list[str], read: Sequence[str] | None = None) -> None:
    """DataError unless the header's names are non-empty and unique.

    With ``read``, the names of the columns read alone, each once: the others are not
    read and may be unnamed or repeated (pandas' index column, Excel's trailing one).
    """
    if read is None:
        for i, name in enumerate(header):
            if not name:
                raise DataError(path, "line 1", f"column {i + 1} of the header has no name")
    counts = collections.Counter(header)  # (once: a header may have 100,000 columns)
    for name in header if read is None else read:
        if counts[name] > 1:
            raise DataError(path, "line 1", f"the header names column {quote(name)} twice")


def _csv_header(path: str, header: list[str], target: str | None, names: bool = True) -> int:
    """Check the header row; return the target's column index.

    ``names``: every column's name is non-empty and once (not where named columns alone
    are read: the caller checks those).
    """
    if len(header) < 2:
        hint = ""
        if any(sep in header[0] for sep in ";\t|"):
            hint = (
                " (glassnet reads comma-separated files; this one seems to use another separator)"
            )
        raise DataError(
            path,
            "line 1",
            f"found {len(header)} column; need at least two, the features and the target{hint}",
        )
    if names:
        _check_names(path, header)
    numbers = 0
    for name in header:
        try:
            _number(name)
            numbers += 1
        except ValueError:
            pass
    if numbers == len(header):
        raise DataError(
            path,
            "line 1",
            f"the first row must be a header naming the columns, found only numbers "
            f"({_name_list(header, 4)})",
        )
    if target is None:
        return len(header) - 1
    if target not in header:
        raise DataError(
            path,
            "target",
            f"no column {quote(target)}{did_you_mean(target, header)}; "
            f"columns: {_name_list(header)}",
        )
    return header.index(target)


def _csv_target(
    path: str, cells: list[str], lines: list[int], column: str, task: str | None = None
) -> tuple[str, np.ndarray, list[Any] | None]:
    """Task, y and classes from the target column's cells.

    The task is guessed from the cells unless given: a classifier's target is its
    labels as written, a regression's numbers.
    """
    numbers: list[float | None] = []
    for row, (cell, line) in enumerate(zip(cells, lines, strict=True), start=1):
        if not cell:
            raise DataError(path, _cell_where(row, line, column), "the target is an empty cell")
        if task == "classification":
            continue
        if task == "regression":
            numbers.append(_parse_number(path, cell, row, line, column))
            continue
        try:
            value = _number(cell)
        except ValueError:
            numbers.append(None)
            continue
        if not math.isfinite(value):
            raise DataError(
                path,
                _cell_where(row, line, column),
                f"found {quote(cell)}; data must be finite (no NaN or infinity)",
            )
        numbers.append(value)
    if task == "regression":
        return "regression", np.array(numbers, dtype=np.float64), None
    text = [i for i, v in enumerate(numbers) if v is None]
    if task is None and not text:
        return _target(np.array(numbers, dtype=np.float64), integer_dtype=False)
    distinct = sorted(set(cells))
    stray = len(text) <= STRAY_FRACTION * len(cells)  # a few words among numbers
    if (
        task is None
        and len(text) < len(cells)
        and (
            stray or not (len(distinct) <= MAX_INFERRED_CLASSES and len(distinct) < len(cells) / 2)
        )
    ):
        # Numbers with too many values to be classes, or with a word or two among them:
        # a numeric target with a typo, not class labels.
        i = text[0]
        why = (
            f"only {len(text)} of its {len(cells)} cells "
            + ("is not a number" if len(text) == 1 else "are not numbers")
            if stray
            else "with too many distinct values to be class labels"
        )
        raise DataError(
            path,
            _cell_where(i + 1, lines[i], column),
            f"expected a number, found {quote(cells[i])} (the target column holds numbers, {why})",
        )
    index = {label: k for k, label in enumerate(distinct)}
    y = np.array([index[c] for c in cells], dtype=np.int64)
    return "classification", y, distinct


# --- NumPy files ----------------------------------------------------------------------

PICKLE_REFUSED = (
    "the file holds pickled Python objects, which glassnet refuses to load "
    "(loading a pickle can run code); save numeric arrays instead"
)


def _npy_target(path: str, target: str | None, n_columns: int) -> int:
    if target is None:
        return n_columns - 1
    try:
        column = int(target)
    except ValueError:
        raise DataError(
            path,
            "target",
            f"for a .npy file the target is a column index such as '0' or '-1', "
            f"found {quote(target)}",
        ) from None
    if not -n_columns <= column < n_columns:
        raise DataError(
            path, "target", f"column {column} is out of range: the array has {n_columns} columns"
        )
    return column % n_columns


def _npy_array(path: str, least: int) -> np.ndarray:
    """The 2-D array of a .npy file, of at least ``least`` columns, checked and mapped."""
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise DataError(path, "", "not a .npy file (it does not start with the .npy magic)")
    try:
        # A memory map reads only the header: the size is checked before the data.
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as exc:
        if "Python objects" in str(exc) or "pickle" in str(exc).lower():
            raise DataError(path, "", PICKLE_REFUSED) from None
        try:
            array = np.load(path, allow_pickle=False)
        except DAMAGED as exc2:
            raise _damaged(path, "", "not a valid .npy file", exc2) from None
    except DAMAGED as exc:
        raise _damaged(path, "", "not a valid .npy file", exc) from None
    if array.ndim != 2 or array.shape[1] < least:
        columns = "at least two columns (features and target)" if least > 1 else "columns"
        raise DataError(path, "", f"expected a 2-D array with {columns}, found shape {array.shape}")
    if array.size * 8 > MAX_DATA_BYTES:
        raise _too_big(path, f"the array has shape {array.shape}", array.size * 8.0)
    if array.shape[0] == 0:
        raise DataError(path, "", "the array has no rows")
    return array


def _load_npy(path: str, target: str | None) -> Dataset:
    array = _npy_array(path, 2)
    t = _npy_target(path, target, array.shape[1])
    integer = array.dtype.kind in "biu"
    # an integer target column read as it is (int64 labels, not via float64)
    column = array[:, t].astype(np.int64) if integer else None
    data = _numeric_array(path, "array", np.array(array))
    del array
    keep = [j for j in range(data.shape[1]) if j != t]
    task, y, classes = _target(data[:, t] if column is None else column, integer_dtype=integer)
    return Dataset(
        np.ascontiguousarray(data[:, keep]),
        y,
        Path(path).name,
        task,
        [f"x{j}" for j in keep],
        classes,
    )


def _npz_elements(path: str, member: str) -> int:
    """The number of elements an array of a .npz file announces, read from its header."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as f:
            version = np.lib.format.read_magic(f)
            read = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape = read(f)[0]
    except DAMAGED as exc:
        raise _damaged(path, member[:-4], "not a valid array", exc) from None
    return math.prod(shape)


def _npz_arrays(path: str, names: tuple[str, ...]) -> list[np.ndarray]:
    """The arrays ``names`` of a .npz file (X first, checked 2-D), sizes checked first."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(path, "", f"not a valid .npz file ({exc})") from None
    keys = sorted(m[:-4] for m in members if m.endswith(".npy"))
    missing = [k for k in names if k not in keys]
    if missing:
        found = ", ".join(quote(k) for k in keys) if keys else "none"
        raise DataError(
            path,
            "",
            f"missing {'arrays' if len(missing) > 1 else 'array'} "
            f"{' and '.join(map(repr, missing))}; arrays found: {found}",
        )
    announced = sum(members[f"{k}.npy"] for k in names)
    memory = 8.0 * sum(_npz_elements(path, f"{k}.npy") for k in names)
    if max(announced, memory) > MAX_DATA_BYTES:  # as float64, what training holds
        held = f"arrays {' and '.join(names)} hold" if len(names) > 1 else f"array {names[0]} holds"
        raise _too_big(path, f"{held} {_size_text(announced)}", memory)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = [npz[k] for k in names]
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "object arrays" in str(exc).lower():
            raise DataError(path, "", PICKLE_REFUSED) from None
        raise _damaged(path, "", "not a valid .npz file", exc) from None
    except DAMAGED as exc:
        raise _damaged(path, "", "not a valid .npz file", exc) from None
    if arrays[0].ndim != 2 or arrays[0].shape[1] == 0:  # no features: nothing to learn from
        found = f"found shape {arrays[0].shape}"
        raise DataError(path, "X", f"expected a 2-D array (n, d) of d ≥ 1 columns, {found}")
    return arrays


def _load_npz(path: str, target: str | None) -> Dataset:
    if target is not None:
        raise ArgumentError(f"target: does not apply to {path}, a .npz file: it holds X and y")
    X_raw, y_raw = _npz_arrays(path, ("X", "y"))
    if y_raw.ndim not in (1, 2):
        raise DataError(path, "y", f"expected shape (n,) or (n, k), found shape {y_raw.shape}")
    if len(y_raw) != len(X_raw):
        raise DataError(
            path, "y", f"has {len(y_raw)} rows, but X has {len(X_raw)}; they must match"
        )
    if len(X_raw) == 0:
        raise DataError(path, "X", "has no rows")
    X = _numeric_array(path, "X", X_raw)
    if y_raw.dtype.kind in "US" and y_raw.ndim == 1:
        if y_raw.dtype.kind == "S":  # bytes labels (b"cat"): the str classes JSON can hold
            try:
                y_raw = np.char.decode(y_raw, "utf-8")
            except UnicodeDecodeError:
                raise DataError(path, "y", "holds bytes labels that are not UTF-8 text") from None
        labels, y = np.unique(y_raw, return_inverse=True)
        task, classes = "classification", labels.tolist()
        y = y.reshape(-1).astype(np.int64)
    elif y_raw.ndim == 2:
        task, y, classes = "regression", _numeric_array(path, "y", y_raw), None
    elif y_raw.dtype.kind in "biu":  # labels as they are: no float64 on the way
        task, y, classes = _target(y_raw.astype(np.int64).reshape(-1), integer_dtype=True)
    else:
        values = _numeric_array(path, "y", y_raw)
        task, y, classes = _target(values, integer_dtype=False)
    names = [f"x{j}" for j in range(X.shape[1])]
    return Dataset(X, y, Path(path).name, task, names, classes)


# --- MNIST IDX ------------------------------------------------------------------------


def _idx_labels_path(path: str) -> str:
    p = Path(path)
    name = p.name.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1")
    candidates = [name, name[:-3]] if name.endswith(".gz") else [name, name + ".gz"]
    for candidate in candidates:
        if (p.parent / candidate).is_file():
            return str(p.parent / candidate)
    raise DataError(
        path, "", f"no labels file beside it: expected {str(p.parent / candidates[0])!r}"
    )


def _open_binary(path: str) -> BinaryIO:
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _read_exact(f: BinaryIO, path: str, n: int, what: str) -> bytes:
    try:
        data = f.read(n)
    except DAMAGED as exc:  # a damaged .gz: gzip.BadGzipFile, zlib.error, EOFError
        raise _damaged(path, what, "cannot read the file", exc) from None
    if len(data) < n:
        raise DataError(path, what, f"the file is truncated: expected {n} bytes, found {len(data)}")
    return data


def _idx_header(f: BinaryIO, path: str, magic: int, n_dims: int) -> tuple[int, ...]:
    head = np.frombuffer(_read_exact(f, path, 4 * (1 + n_dims), "header"), dtype=">u4")
    if int(head[0]) != magic:
        raise DataError(
            path,
            "header",
            f"bad magic number 0x{int(head[0]):08x}; an IDX "
            f"{'images' if magic == IDX_IMAGES_MAGIC else 'labels'} file starts with "
            f"0x{magic:08x}",
        )
    return tuple(int(d) for d in head[1:])


def _idx_data(f: BinaryIO, path: str, n: int) -> np.ndarray:
    data = _read_exact(f, path, n, "data")
    try:
        extra = f.read(1)
    except DAMAGED as exc:
        raise _damaged(path, "data", "cannot read the file", exc) from None
    if extra:
        raise DataError(
            path, "data", f"the file has more data than the {n} bytes its header announces"
        )
    return np.frombuffer(data, dtype=np.uint8)


def _load_idx(path: str, target: str | None) -> Dataset:
    if target is not None:
        raise ArgumentError(
            f"target: does not apply to {path}, an IDX file: the labels file is the target"
        )
    labels_path = _idx_labels_path(path)
    try:
        with _open_binary(path) as images, _open_binary(labels_path) as labels:
            n, rows, cols = _idx_header(images, path, IDX_IMAGES_MAGIC, 3)
            announced = n * rows * cols
            if announced * 8 > MAX_DATA_BYTES:  # as float64, what training holds
                raise _too_big(
                    path,
                    f"the header announces {n} images of {rows}×{cols} pixels, "
                    f"{_size_text(announced)} of data",
                    announced * 8.0,
                )
            (n_labels,) = _idx_header(labels, labels_path, IDX_LABELS_MAGIC, 1)
            if n_labels != n:
                raise DataError(
                    labels_path,
                    "header",
                    f"announces {n_labels} labels, but {Path(path).name} announces {n} images",
                )
            if n == 0 or rows * cols == 0:
                raise DataError(path, "header", f"announces no data ({n} images of {rows}×{cols})")
            pixels = _idx_data(images, path, announced)
            y = _idx_data(labels, labels_path, n).astype(np.int64)
    except OSError as exc:
        raise DataError(path, "", f"cannot read the file ({exc.strerror or exc})") from None
    X = pixels.reshape(n, rows * cols).astype(np.float64) / 255.0
    names = [f"pixel_{r}_{c}" for r in range(rows) for c in range(cols)]
    classes = list(range(max(10, int(y.max()) + 1)))
    return Dataset(X, y, Path(path).name, "classification", names, classes)


# --- load_dataset ---------------------------------------------------------------------


def load_dataset(
    source: str | os.PathLike[str] = DEFAULT_DATASET,
    *,
    target: str | None = None,
    n_samples: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    features: Sequence[str] | None = None,
    task: str | None = None,
) -> Dataset:
    """A named dataset, or the data in a file.

    Parameters
    ----------
    source : str or path-like
        A name in :data:`DATASETS` (default ``"digits"``) or the path of a file:
        ``.csv`` (a header row, then numbers; the target column may hold strings),
        ``.npz`` (arrays ``X`` and ``y``), ``.npy`` (one 2-D array, the target a
        column) or an MNIST IDX images file (``*-images-idx3-ubyte``, optionally
        ``.gz``) with its labels file beside it.  A name is looked up first; a
        file's type is its extension (``digits.csv`` is a file).
    target : str, optional
        CSV: the name of the target column (default: the last column).  ``.npy``:
        a column index as a string, such as ``"0"`` or ``"-1"`` (default: the last
        column).
        Not allowed for the other sources.
    n_samples, noise : optional
        The number of examples and the noise of a generated dataset (moons,
        circles, spiral, xor); None for its default.  Not allowed for the others.
    seed : int
        Seed of a generated dataset; ignored by the others.
    features : sequence of str, optional
        CSV: read only these feature columns (at least one, each once), by name, in
        this order (the other columns besides the target are not read, and may hold
        anything). Not allowed for the other sources.
    task : {"classification", "regression"}, optional
        CSV: read the target column as this task reads it, instead of guessing the
        task from its cells: a classifier's class labels as written (``"1"`` and
        ``"NR"`` alike), a regression's numbers. Not allowed for the other sources.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        For an unknown name, a missing or unreadable file, or any mistake in the file.
    ArgumentError
        For an argument that does not apply to the source, or a bad value.
    """
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        target = str(target)  # a .npy's column index, as the CLI's "0"
    if target is not None and not isinstance(target, str):  # int(1.7) or int(True) is 1
        raise ArgumentError(
            f"target must be a string: a CSV column's name or a .npy column's index such as "
            f"'0' or '-1', found {target!r}"
        )
    if features is not None:  # a string would be read letter by letter
        if isinstance(features, (str, bytes)) or not isinstance(features, Iterable):
            raise ArgumentError(f"features must be a list of column names, found {features!r}")
        features = list(features)  # an array, a pandas Index, dict keys: names in order
        if not features or not all(isinstance(name, str) for name in features):
            raise ArgumentError(
                f"features must name at least one column, each by a string, found {features!r}"
            )
        seen: set[str] = set()
        for name in features:
            if name in seen:
                raise ArgumentError(f"features names the column {name!r} twice")
            seen.add(name)
    if features is not None and not str(source).lower().endswith(".csv"):
        raise ArgumentError(f"features applies only to CSV files, not to {source!r}")
    if task is not None:
        if task not in ("classification", "regression"):
            raise ArgumentError(
                f"task must be 'classification' or 'regression' (or None), found {task!r}"
            )
        if not str(source).lower().endswith(".csv"):
            raise ArgumentError(f"task applies only to CSV files, not to {source!r}")
    if isinstance(source, str) and source in DATASETS:
        if target is not None:
            raise ArgumentError(f"target applies only to files, not to the dataset {source!r}")
        return _load_named(source, n_samples, noise, seed)
    path = os.fspath(source) if isinstance(source, (str, os.PathLike)) else None
    if not isinstance(path, str):
        raise ArgumentError(f"source must be a dataset name or a path, found {source!r}")
    if path == "":
        raise ArgumentError(
            f"source: an empty name; give a dataset's ({', '.join(DATASETS)}) or a file's"
        )
    looks_like_path = (
        not isinstance(source, str)
        or "/" in path
        or os.sep in path
        or bool(Path(path).suffix)
        or os.path.exists(path)
        or bool(IDX_IMAGES.search(path) or IDX_LABELS.search(path))
    )
    if not looks_like_path:
        raise DataError(
            path,
            "",
            unknown_name("dataset", path, DATASETS) + f"; or give the path of a {FILE_TYPES}",
        )
    if n_samples is not None or noise is not None:
        raise ArgumentError(
            f"n_samples and noise apply only to the generated datasets ({', '.join(GENERATED)})"
        )
    if not os.path.exists(path):
        raise DataError(path, "", "no such file")
    if os.path.isdir(path):
        raise DataError(path, "", f"is a directory; expected a {FILE_TYPES}")
    name = Path(path).name
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        loader = _load_csv
    elif suffix == ".npz":
        loader = _load_npz
    elif suffix == ".npy":
        loader = _load_npy
    elif IDX_IMAGES.search(name):
        loader = _load_idx
    elif IDX_LABELS.search(name):
        raise DataError(
            path,
            "",
            "this is an IDX labels file; give the images file (*-images-idx3-ubyte), "
            "and its labels are found beside it",
        )
    else:
        raise DataError(path, "", f"unknown file type; expected a {FILE_TYPES}")
    try:
        if suffix == ".csv":
            return _load_csv(path, target, features, task)
        return loader(path, target)
    except (OSError, MemoryError) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: str, exc: OSError | MemoryError) -> DataError:
    """DataError for a file the system could not read (or memory could not hold)."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return DataError(path, "", f"cannot read the file ({reason or type(exc).__name__})")


def load_inputs(
    source: str | os.PathLike[str], feature_names: Sequence[str], *, target: str | None = None
) -> np.ndarray:
    """The inputs X of a dataset or file, for a model trained on ``feature_names``.

    A CSV file needs only the feature columns, found by name in any order (a target
    column may be there or not); a ``.npz`` file only its array ``X``, and a ``.npy``
    file with no ``target`` given may hold the features alone (as many columns as the
    model has inputs). Any other source is read with :func:`load_dataset` (``target``
    as there) and must have as many features as the model.

    Parameters
    ----------
    source : str or path-like
    feature_names : sequence of str
        The names of the model's input columns, in order.
    target : str, optional
        The target column of a non-CSV source, as in :func:`load_dataset`.

    Returns
    -------
    ndarray, shape (n, len(feature_names)), float64

    Raises
    ------
    DataError
        When a feature is missing, or as :func:`load_dataset`.
    """
    path = os.fspath(source)
    if path.lower().endswith(".csv") and os.path.isfile(path):
        return _load_csv_columns(path, list(feature_names))
    X = _unlabelled(path, len(feature_names))
    labelled = X is None
    if X is None:
        X = load_dataset(
            source, target=target if not (isinstance(source, str) and source in DATASETS) else None
        ).X
    n = X.shape[1]
    if n != len(feature_names):
        column = (
            " besides its target column (the last, or target)"
            if labelled and path.endswith(".npy")
            else ""
        )
        raise DataError(
            path,
            "",
            f"has {n} feature{'s' if n != 1 else ''}{column}, but the model takes "
            f"{len(feature_names)}",
        )
    return X


def _unlabelled(path: str, n_features: int) -> np.ndarray | None:
    """The features of a .npz without ``y`` or a .npy of the model's width; else None.

    New examples to predict have no target: where the file holds none, its numbers
    are the features (a .npy one column wider has its target column, as in training,
    wherever the model's ``target`` put it; one of the model's width has none to hold).
    """
    suffix = Path(path).suffix.lower()
    if not os.path.isfile(path) or suffix not in (".npz", ".npy"):
        return None
    try:
        if suffix == ".npz":
            with zipfile.ZipFile(path) as archive:
                if "y.npy" in archive.namelist():
                    return None
            (X,) = _npz_arrays(path, ("X",))
        else:
            X = _npy_array(path, 1)
            if X.shape[1] != n_features:
                return None
    except zipfile.BadZipFile as exc:
        raise DataError(path, "", f"not a valid .npz file ({exc})") from None
    except (OSError, MemoryError) as exc:
        raise _unreadable(path, exc) from None
    if len(X) == 0:
        raise DataError(path, "X", "has no rows")
    if suffix == ".npz":
        return _numeric_array(path, "X", X)
    return _numeric_array(path, "array", np.array(X))  # read from its memory map


def _load_csv_columns(path: str, names: list[str]) -> np.ndarray:
    """The named columns of a CSV file as floats, read by :func:`_csv_numbers`."""
    _check_csv_size(path)
    rows = _csv_rows(path, one_line=False)
    first = next(rows, None)
    if first is None:
        raise DataError(path, "", EMPTY_CSV)
    header = [c.strip() for c in first[0]]
    _check_names(path, header, names)  # the model's columns, once each
    missing = [n for n in names if n not in header]
    if missing:
        raise DataError(
            path,
            "line 1",
            f"no column {quote(missing[0])}; the model needs the columns {_name_list(names)}",
        )
    X, _, _ = _csv_numbers(path, rows, header, [header.index(n) for n in names])
    if len(X) == 0:
        raise DataError(path, "", HEADER_ONLY_CSV)
    return X


def _csv_numbers(
    path: str,
    rows: Iterator[tuple[list[str], int]],
    header: list[str],
    columns: list[int],
    target: int | None = None,
) -> tuple[np.ndarray, list[str], list[int]]:
    """The rest of a CSV file's rows: their cells in ``columns`` as a float64 array.

    Read in blocks of :data:`CSV_BLOCK` rows, each converted by :func:`_block_numbers`
    into one float64 array: a list of Python floats per row held ~4.5 times the file.
    A bad number is named before a later row's error, as where read row by row. The
    blocks go into one array sized from the file's first lines (or its line count, where
    that guess is large), resized in place where it was off, not joined at the end: that
    held every block and their join at once, twice the data.

    Returns
    -------
    X : ndarray of shape (n_rows, len(columns))
    targets, lines : list of str, list of int
        With ``target``, that column's cells (stripped) and each row's line, for
        :func:`_csv_target`; else empty.
    """
    names = [header[i] for i in columns]
    pick = operator.itemgetter(*columns)  # the row's cells in those columns, in C
    size = os.path.getsize(path)
    estimate, _ = _csv_shape(path, size)
    rows_most = size // len(header) + 1  # a row: its commas and a line break at least
    capacity = min(int(estimate * 1.05) + 1, rows_most)
    if capacity * len(columns) * 8 > CSV_GUESS_BYTES:  # a large guess (short first lines?): count
        capacity = min(capacity, _csv_lines(path) + 1)  # (a second for 2 GiB)
    X = _csv_array(path, capacity, len(columns))
    block: list[Sequence[str]] = []  # the cells of the block's rows in those columns
    block_lines: list[int] = []  # their lines
    targets: list[str] = []
    lines: list[int] = []
    done = 0  # rows in blocks
    while True:
        try:
            cells, line = next(rows)
        except StopIteration:
            break
        except DataError:  # a row read later is bad: a bad number before it is said first
            if block:
                _block_numbers(path, block, block_lines, done + 1, names)
            raise
        if len(cells) != len(header) and block:  # (as above: the earlier rows first)
            _block_numbers(path, block, block_lines, done + 1, names)
        _check_cells(path, cells, header, done + len(block) + 1, line)
        block.append(pick(cells) if len(columns) > 1 else [pick(cells)])
        block_lines.append(line)
        if target is not None:
            if "\n" in cells[target] or "\r" in cells[target]:  # (stripped, it would pass)
                raise DataError(
                    path,
                    _cell_where(done + len(block), line, header[target]),
                    f"a quoted cell holds a line break ({cells[target]!r}): a label or "
                    "number must be on one line",
                )
            targets.append(cells[target].strip())
            lines.append(line)
        if len(block) == CSV_BLOCK:
            _put_block(path, X, done, _block_numbers(path, block, block_lines, done + 1, names))
            done += len(block)
            block, block_lines = [], []
    if block:
        _put_block(path, X, done, _block_numbers(path, block, block_lines, done + 1, names))
        done += len(block)
    X.resize((done, len(columns)), refcheck=False)  # the rows read, in place
    return X, targets, lines


CSV_GUESS_BYTES = 64 * 1024**2  # a larger array guessed from a CSV's first lines is counted


def _csv_array(path: str, rows: int, columns: int, X: np.ndarray | None = None) -> np.ndarray:
    """A float64 array of ``rows`` × ``columns`` (``X`` resized in place), or DataError."""
    try:
        if X is None:
            return np.empty((rows, columns))
        X.resize((rows, columns), refcheck=False)  # (realloc: a large one is remapped)
        return X
    except MemoryError:
        raise DataError(
            path, "", f"not enough memory for its numbers ({_size_text(rows * columns * 8.0)})"
        ) from None


def _put_block(path: str, X: np.ndarray, done: int, values: np.ndarray) -> None:
    """``values`` as the rows of ``X`` from ``done`` on, ``X`` grown in place where short."""
    end = done + len(values)
    if end > len(X):
        _csv_array(path, max(end, len(X) + len(X) // 2), X.shape[1], X)
    X[done:end] = values


CSV_BLOCK = 4096  # rows of a CSV file converted to numbers by one NumPy call

# A cell that holds only these characters is a number as NUMBER says exactly where
# float() takes it (no letters: no inf, nan, hex or other scripts' digits; no "_"; no
# whitespace that str.strip() takes and float() would not, or the reverse)
_PLAIN = re.compile(r"[0-9eE+\-. \t]*", re.ASCII)


def _block_numbers(
    path: str, block: list[Sequence[str]], lines: list[int], first: int, columns: list[str]
) -> np.ndarray:
    """The cells of a block of rows (from row ``first``) as a float64 array.

    One NumPy conversion (float()'s numbers, to the bit) where every cell is plain
    and every number finite; else cell by cell, :func:`_parse_number` naming the
    first cell that is not a finite number, as it would have alone.
    """
    flat = list(itertools.chain.from_iterable(block))
    if _PLAIN.fullmatch("".join(flat)):
        try:
            values = np.array(flat, dtype=np.float64).reshape(len(block), len(columns))
        except ValueError:  # "", "1e", "1 2": said below
            values = None
        if values is not None and np.isfinite(values).all():
            return values
    return np.array(
        [
            [
                _parse_number(path, cell, first + k, lines[k], column)
                for cell, column in zip(cells, columns, strict=True)
            ]
            for k, cells in enumerate(block)
        ],
        dtype=np.float64,
    ).reshape(len(block), len(columns))


# --- preprocessing --------------------------------------------------------------------


def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray,
    *,
    val: float = 0.0,
    test: float = 0.2,
    stratify: bool = True,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle examples into training, validation and test sets.

    The sizes are ``round(test * n)`` test and ``round(val * n)`` validation
    examples (at least one each when the fraction is above 0); the rest train.
    Class labels (a 1-D integer `y`) are stratified when `stratify` is true: each
    class keeps its share in every part, within one example.

    Parameters
    ----------
    X : array_like, shape (n, ...)
    y : array_like, shape (n,) or (n, k)
    val : float
        Fraction of the examples for validation, 0 <= val < 1; 0 gives empty
        validation arrays (0 rows).
    test : float
        Fraction of the examples for testing, 0 <= test < 1, with val + test < 1.
    stratify : bool
        Keep the class shares (only for 1-D integer `y`).
    seed : int
        Seed of the shuffle; the same seed gives the same split.

    Returns
    -------
    X_train, y_train, X_val, y_val, X_test, y_test : ndarray

    Raises
    ------
    ArgumentError
        For fractions out of range, mismatched lengths, too few examples, or a
        class too small to stratify.
    """
    val = _check_fraction("val", val)
    test = _check_fraction("test", test)
    seed = _check_seed(seed)
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ArgumentError("X and y must be arrays with one row per example")
    n = len(X)
    if len(y) != n:
        raise ArgumentError(f"X has {n} rows but y has {len(y)}; they must match")
    if val + test >= 1.0:
        raise ArgumentError(f"val + test must be less than 1, found {val} + {test}")
    n_test = max(1, round(test * n)) if test > 0 else 0
    n_val = max(1, round(val * n)) if val > 0 else 0
    if n - n_test - n_val < 1:
        raise ArgumentError(
            f"{n} example{'s are' if n != 1 else ' is'} too few for {n_val} validation and "
            f"{n_test} test examples "
            f"and at least one to train on"
        )
    classes = stratify and y.ndim == 1 and y.dtype.kind in "biu"

    def split(
        A: np.ndarray, b: np.ndarray, size: int, part: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if size == 0:
            return A, b, A[:0], b[:0]
        from sklearn.model_selection import train_test_split

        try:
            A_rest, A_part, b_rest, b_part = train_test_split(
                A, b, test_size=size, random_state=seed, stratify=b if classes else None
            )
        except ValueError as exc:
            raise ArgumentError(
                f"cannot stratify the {part} split ({exc}); pass stratify=False"
            ) from None
        return A_rest, b_rest, A_part, b_part

    X_rest, y_rest, X_test, y_test = split(X, y, n_test, "test")
    X_train, y_train, X_val, y_val = split(X_rest, y_rest, n_val, "validation")
    return X_train, y_train, X_val, y_val, X_test, y_test


class Standardizer:
    """Scale each column to mean 0 and standard deviation 1.

    :meth:`fit` learns each column's mean and standard deviation (on the
    training set); :meth:`transform` applies them (to any set).  A constant
    column gets scale 1, so it becomes 0 rather than NaN.  Floating inputs keep
    their dtype (float32 stays float32); other inputs become float64.

    Attributes
    ----------
    mean_ : ndarray, shape (d,), float64
        The mean of each column, after :meth:`fit`.
    scale_ : ndarray, shape (d,), float64
        The standard deviation of each column (1 for a constant column).
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    @staticmethod
    def _check(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2:
            raise ArgumentError(f"expected a 2-D array (n, d), found shape {X.shape}")
        if X.dtype.kind not in "biuf":
            raise ArgumentError(f"expected numbers, found an array of dtype {X.dtype}")
        return X

    def fit(self, X: np.ndarray) -> Standardizer:
        """Learn each column's mean and standard deviation.

        Parameters
        ----------
        X : array_like, shape (n, d)
            At least one row, all finite.

        Returns
        -------
        Standardizer
            self.
        """
        X = self._check(X)
        if len(X) == 0:
            raise ArgumentError(f"cannot fit a {type(self).__name__} on 0 rows")
        X64 = X.astype(np.float64)
        if not np.isfinite(X64).all():
            index, value = _first_non_finite(X64)
            raise ArgumentError(f"X[{index[0]}, {index[1]}] is {value}; data must be finite")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            offset, scale = self._offset_and_scale(X64)
            scale[np.ptp(X64, axis=0) == 0] = 1.0
            # (x − offset) / scale must be a float64 for every value fitted: an offset or
            # scale that overflows, or a scale whose reciprocal does, would make it inf or 0
            bad = ~(np.isfinite(offset) & np.isfinite(scale) & np.isfinite(1 / scale))
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            column = X64[:, j]
            detail = (
                f"values from {column.min():g} to {column.max():g}, whose "
                f"{type(self).__name__} scale {scale[j]:g} (or its reciprocal) is beyond "
                "float64's range; rescale that column"
            )
            exc = ArgumentError(f"X[:, {j}]: {detail}")
            # for a caller that knows the column's name
            exc.column, exc.detail = j, detail  # type: ignore[attr-defined]
            raise exc
        self.mean_, self.scale_ = offset, scale
        return self

    @staticmethod
    def _offset_and_scale(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The mean and standard deviation of each column.

        A column whose sums overflow (values near 1e308) is taken divided by a power of
        two, exactly, and its figures multiplied back: they overflow only where they
        themselves are beyond float64.
        """
        mean, std = X.mean(axis=0), X.std(axis=0)
        big = ~(np.isfinite(mean) & np.isfinite(std))
        if big.any():
            _, exponent = np.frexp(np.abs(X[:, big]).max(axis=0))  # max = f 2^e, f < 1
            part = np.ldexp(X[:, big], -exponent)
            mean[big] = np.ldexp(part.mean(axis=0), exponent)
            std[big] = np.ldexp(part.std(axis=0), exponent)
        return mean, std

    def _fitted(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.dtype[Any]]:
        if self.mean_ is None or self.scale_ is None:
            raise ArgumentError(f"the {type(self).__name__} is not fitted: call fit(X) first")
        X = self._check(X)
        if X.shape[1] != len(self.mean_):
            raise ArgumentError(
                f"X has {X.shape[1]} columns, but the {type(self).__name__} was fitted on "
                f"{len(self.mean_)}"
            )
        dtype = X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)
        return X, self.mean_, self.scale_, dtype

    def transform(self, X: np.ndarray) -> np.ndarray:
        """``(X - mean_) / scale_``.

        Parameters
        ----------
        X : array_like, shape (n, d)

        Returns
        -------
        ndarray, shape (n, d)
            In X's floating dtype (float64 for other inputs).
        """
        X, mean, scale, dtype = self._fitted(X)
        return ((X - mean) / scale).astype(dtype, copy=False)

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """:meth:`fit` on X, then :meth:`transform` it.

        Parameters
        ----------
        X : array_like, shape (n, d)

        Returns
        -------
        ndarray, shape (n, d)
        """
        return self.fit(X).transform(X)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        """``X * scale_ + mean_``: undo :meth:`transform`.

        Parameters
        ----------
        X : array_like, shape (n, d)

        Returns
        -------
        ndarray, shape (n, d)
            In X's floating dtype (float64 for other inputs).
        """
        X, mean, scale, dtype = self._fitted(X)
        return (X * scale + mean).astype(dtype, copy=False)


class MinMaxScaler(Standardizer):
    """Scale each column to the range [0, 1] of the data it was fitted on.

    The same interface as :class:`Standardizer`, with ``mean_`` the minimum and
    ``scale_`` the range max − min of each column (1 for a constant column):
    ``transform(X) = (X − min) / (max − min)``. It keeps sparse pixel columns
    (digits, MNIST) on their natural scale where standardising would blow up
    columns that are almost always 0.
    """

    @staticmethod
    def _offset_and_scale(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The minimum and range of each column."""
        low = X.min(axis=0)
        return low, X.max(axis=0) - low


SCALERS: dict[str, type[Standardizer]] = {"standard": Standardizer, "minmax": MinMaxScaler}


def one_hot(
    y: np.ndarray, n_classes: int | None = None, dtype: type | np.dtype[Any] = np.float64
) -> np.ndarray:
    """Class indices as one-hot rows.

    Parameters
    ----------
    y : array_like, shape (n,)
        Class indices 0 .. n_classes - 1 (integers, or floats with whole values).
    n_classes : int, optional
        The number of classes k; default ``max(y) + 1``.
    dtype : dtype
        The dtype of the result.

    Returns
    -------
    ndarray, shape (n, k)
        Row i is 1 in column ``y[i]`` and 0 elsewhere.

    Raises
    ------
    ArgumentError
        For a label that is not a whole number or is out of range.
    """
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ArgumentError(f"y must be 1-D class indices, found shape {labels.shape}")
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) | (labels != np.round(labels))
        if bad.any():
            i = int(np.argmax(bad))
            raise ArgumentError(f"y[{i}] = {labels[i]} is not a whole number (a class index)")
        huge = np.abs(labels) > 2.0**53
        if huge.any():
            i = int(np.argmax(huge))
            raise ArgumentError(f"y[{i}] = {labels[i]} is out of range for a class index")
    elif labels.dtype.kind not in "iu":
        raise ArgumentError(f"y must hold integer class indices, found dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if n_classes is None:
        k = int(labels.max()) + 1 if len(labels) else 0
    else:
        k = _check_int("n_classes", n_classes, 1)
    bad = (labels < 0) | (labels >= k)
    if bad.any():
        i = int(np.argmax(bad))
        raise ArgumentError(
            f"y[{i}] = {labels[i]} is out of range: class indices are 0 .. {max(k, 1) - 1}"
        )
    return identity_rows(labels, k, dtype)
