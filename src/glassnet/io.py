"""Files written so that nothing is lost (whole, or not at all), model files and spec export.

* :func:`atomic_writer`, :func:`atomic_write_bytes`, :func:`atomic_write_text`:
  a temporary file in the same folder, flushed to disk, renamed over the target.
* :func:`save_model`, :func:`load_model`: a trained network in one ``.npz``
  file, ``W1, b1, ..., WL, bL`` and a JSON ``architecture``; loading never
  unpickles, so a model file cannot run code.  See docs/model-format.md.
* :func:`spec_text`, :func:`export_spec`: a network and a batch as a spec
  file (docs/spec-format.md) whose numbers round-trip exactly.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import numpy as np

from glassnet.errors import ArgumentError, ModelError, file_name, quote, unknown_name

if TYPE_CHECKING:
    from glassnet.network import Network

MODEL_FORMAT = "glassnet.model/1"
ARCHITECTURE = "architecture"
ARCHITECTURE_KEYS = ("format", "sizes", "activations", "loss", "dtype", "fused", "metadata")
DTYPES = ("float32", "float64")
PICKLE_MESSAGE = "contains a pickled object; glassnet never loads pickles (they can run code)"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip


# --- atomic writes ------------------------------------------------------------------------


def names_a_folder(path: str) -> bool:
    """True for a path that ends as only a folder's can: in a slash, ``/.`` or ``/..``.

    ``Path`` drops a trailing slash and ``/.``: written to, such a path would become a
    file named as the folder.
    """
    seps = tuple(filter(None, (os.sep, os.altsep)))
    last = re.split("|".join(map(re.escape, seps)), path)[-1]
    return path.endswith(seps) or last in (".", "..")


@contextlib.contextmanager
def atomic_writer(path: str | Path, *, text: bool = False) -> Iterator[IO[Any]]:
    """Open a file that replaces ``path`` atomically when the ``with`` block ends.

    What is written goes to a temporary file in the same folder; when the block
    ends without an exception it is flushed to disk and renamed over ``path`` in
    one step, so a reader sees the old file or the new one, never a partial one,
    even if the process is killed midway; then the folder is synced, so that after a
    power cut too it names the new file.  When the block raises, the temporary
    file is removed and ``path`` is left as it was.  A symbolic link is written
    through: its target is replaced (the temporary file beside it), the link stays.

    Parameters
    ----------
    path : str or Path
        The file to write.
    text : bool, default False
        Open in text mode (UTF-8, newlines written as LF) instead of binary.

    Yields
    ------
    file object
        The temporary file, open for writing.

    Raises
    ------
    ArgumentError
        When ``path`` ends as a folder's name (a slash, ``/.``), which would be written as a file.
    OSError
        When the folder cannot be written to; IsADirectoryError, naming ``path``, when it
        is a folder.

    Notes
    -----
    A ``path`` that is a device or a pipe (``/dev/null``, a FIFO, ``/dev/stdout`` where it
    is a terminal or a pipe) is written directly, in one piece when the block ends:
    there is no file to replace, and replacing it would put a file where the device was.
    """
    if isinstance(path, str) and names_a_folder(path):
        raise ArgumentError(f"path: {quote(path)} ends as a folder's name; give a file's")
    path = Path(file_name(path))
    real = Path(os.path.realpath(path))  # a link's target, so that the link stays a link
    try:
        mode: int | None = os.stat(path).st_mode  # (through links: /dev/stdout's pipe)
    except OSError:
        mode = None  # a new file (or an unreadable path: said where it is written)
    if mode is not None and stat.S_ISDIR(mode):  # os.replace would name the temporary file
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if mode is not None and not stat.S_ISREG(mode):  # a device or a pipe (/dev/null, a
        # FIFO) is written as it is, a file put in its place would replace the device; in
        # one piece at the end, as a file is (a zip's writer seeks, which /dev/null fakes)
        buffer: IO[Any] = io.StringIO(newline="\n") if text else io.BytesIO()
        yield buffer
        with open(path, "w", encoding="utf-8", newline="\n") if text else open(path, "wb") as f:
            f.write(buffer.getvalue())
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    except OSError as exc:  # named by the file asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n") if text else os.fdopen(fd, "wb")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        os.chmod(tmp, _file_mode(real))
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # the rename itself to disk: after a power cut the folder names the new file, not
    # the old one (a folder that can't be opened or synced, on some file systems: as is)
    with contextlib.suppress(OSError):
        folder = os.open(real.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _file_mode(path: Path) -> int:
    """The existing file's permissions, or 0666 less the umask for a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without setting it where Linux says it (/proc).

    os.umask can only read it by setting it: for that moment another thread's new file
    would get the mode 0666.
    """
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii", errors="replace") as status,
    ):
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0)  # elsewhere: set and set back at once
    os.umask(umask)
    return umask


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`).

    Parameters
    ----------
    path : str or Path
        The file to write.
    data : bytes
        Its whole content.
    """
    with atomic_writer(path) as handle:
        handle.write(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, as UTF-8 (see :func:`atomic_writer`).

    Parameters
    ----------
    path : str or Path
        The file to write.
    text : str
        Its whole content.
    """
    with atomic_writer(path, text=True) as handle:
        handle.write(text)


# --- model files --------------------------------------------------------------------------


def _registered_names(network: Network) -> tuple[list[str], str]:
    """The names of the network's activations and loss, each checked to be the registered one.

    A file stores names only; a name that is not registered, or is registered to
    another function, would load as a different network or not at all.
    """
    from glassnet.activations import ACTIVATIONS
    from glassnet.losses import LOSSES

    network._check_layers()  # a W, b or activation replaced since: taken (or named) first
    names = []
    for k, layer in enumerate(network.layers, start=1):
        act = layer.activation
        if ACTIVATIONS.get(act.name) != act:
            raise ArgumentError(
                f"network: layer {k}: activation {quote(act.name)} is not the one registered "
                "under that name; register it (glassnet.activations.register_activation) "
                "so that the file can be loaded"
            )
        names.append(act.name)
    if LOSSES.get(network.loss.name) != network.loss:
        raise ArgumentError(
            f"network: loss {quote(network.loss.name)} is not the one registered under that "
            "name; register it (glassnet.losses.register_loss) so that the file can be loaded"
        )
    return names, network.loss.name


def _parameters(network: Network) -> list[tuple[str, np.ndarray]]:
    """``[("W1", W_1), ("b1", b_1), ...]`` in the network's dtype, each checked to be finite."""
    arrays = []
    for k, layer in enumerate(network.layers, start=1):
        for name, value in ((f"W{k}", layer.W), (f"b{k}", layer.b)):
            array = np.asarray(value, dtype=network.dtype)
            if not np.isfinite(array).all():
                raise ArgumentError(
                    f"network: {name} holds NaN or infinity; a diverged network is not saved"
                )
            arrays.append((name, array))
    return arrays


def _check_metadata(value: Any, where: str = "metadata", *, nan: bool = False) -> None:
    """Refuse what JSON would change or could not hold: non-string keys, NaN, other types.

    ``nan``: NaN and ∞ allowed (a checkpoint's state writes them, as Python's JSON does).
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ArgumentError(f"{where}: keys must be strings, found {key!r}")
            _check_metadata(item, f"{where}[{key!r}]", nan=nan)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_metadata(item, f"{where}[{i}]", nan=nan)
    elif isinstance(value, float):
        if not math.isfinite(value) and not nan:
            raise ArgumentError(f"{where}: {value} is not a JSON number")
    elif value is not None and not isinstance(value, (str, int)):
        kind = type(value)
        name = (
            kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        )
        raise ArgumentError(
            f"{where}: {name} is not JSON-serialisable "
            "(use str, int, float, bool, None, list or dict; arrays as .tolist(), NumPy "
            "numbers as .item())"
        )


def _json(value: Any, where: str, *, nan: bool = False, check: bool = True) -> str:
    """``json.dumps(value)`` after :func:`_check_metadata`; ArgumentError if it cannot be.

    ``check``: False where the caller has checked what it holds (under another name).
    """
    try:
        if check:
            _check_metadata(value, where, nan=nan)
        return json.dumps(value, allow_nan=nan)
    except RecursionError:  # deeper than Python's stack (json's encoder reaches less deep)
        raise ArgumentError(f"{where}: nested too deeply (or refers to itself)") from None


def save_model(
    network: Network, path: str | Path, *, metadata: dict[str, Any] | None = None
) -> None:
    """Save a network to one ``.npz`` file, atomically.

    The file holds ``W1, b1, ..., WL, bL`` in the network's dtype and
    ``architecture``, a JSON text (a numpy unicode string, never a pickled
    object): sizes, activation and loss names, dtype, fused and ``metadata``.
    See docs/model-format.md.

    Parameters
    ----------
    network : Network
        The network; its activations and loss must be registered under their names.
    path : str or Path
        The file, written exactly there (no ``.npz`` suffix is added).
    metadata : dict, optional
        Anything JSON can hold, e.g. class labels, a standardizer's mean and
        scale as lists, a dataset name; given back by :func:`load_model`
        (tuples come back as lists).

    Raises
    ------
    ArgumentError
        For metadata JSON cannot hold, non-finite weights, or an activation or
        loss not registered under its name.
    OSError
        When the file cannot be written.

    Examples
    --------
    >>> net = Network([2, 3, 1], activations=["tanh", "sigmoid"], loss="binary_cross_entropy")
    >>> save_model(net, "model.npz", metadata={"labels": ["no", "yes"]})  # doctest: +SKIP
    """
    from glassnet.network import check_network

    check_network(network)
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ArgumentError(f"metadata: expected a dict, found {type(metadata).__name__}")
    try:
        _check_metadata(metadata)
    except RecursionError:
        raise ArgumentError("metadata: nested too deeply (or refers to itself)") from None
    activations, loss = _registered_names(network)
    architecture = {
        "format": MODEL_FORMAT,
        "sizes": [int(n) for n in network.sizes],
        "activations": activations,
        "loss": loss,
        "dtype": network.dtype.name,
        "fused": bool(network.fused),
        "metadata": metadata,
    }
    json_text = _json(architecture, "metadata", check=False)  # (checked above)
    arrays = dict(_parameters(network))
    arrays[ARCHITECTURE] = np.array(json_text)  # dtype '<U…': no pickle
    with atomic_writer(path) as handle:
        np.savez(handle, **arrays)  # a file object: np.savez adds no suffix


def load_model(path: str | Path) -> tuple[Network, dict[str, Any]]:
    """Load a network saved by :func:`save_model`, and its metadata.

    Only ``allow_pickle=False`` reads are made: a file that holds a pickled
    object is refused, never unpickled, so loading cannot run code.  Every
    array is checked (names, dtype, shape, finite) before the network is built,
    and the network gives the same outputs, bit for bit, as the one saved.

    Parameters
    ----------
    path : str or Path
        The ``.npz`` file.

    Returns
    -------
    network : Network
    metadata : dict

    Raises
    ------
    ModelError
        For a missing or unreadable file, a file that is not a glassnet model,
        a pickled object, an activation or loss that is not registered, or any
        array of the wrong name, dtype, shape or with NaN or infinity.
    """
    return _model_from_arrays(_open_npz(path, "model"), str(path))


def _open_npz(path: str | Path, kind: str) -> dict[str, np.ndarray]:
    """Every array of a glassnet ``.npz`` file, read without pickles, or a ModelError."""
    name = str(file_name(path))
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after np.load is done
    except FileNotFoundError:
        raise ModelError(name, "no such file") from None
    except IsADirectoryError:
        raise ModelError(name, f"is a directory, not a {kind} file") from None
    except OSError as exc:
        raise ModelError(name, f"cannot read: {exc.strerror}") from None
    # np.load is given the open file, not the path: it would leak its own handle
    # when the zip turns out to be corrupt.
    with handle:
        if handle.read(4) not in ZIP_MAGIC:
            raise ModelError(
                name, f"not a glassnet {kind} file: not an .npz archive (a zip of .npy arrays)"
            )
        handle.seek(0)
        return _read_arrays(handle, name)


# --- checkpoints ---------------------------------------------------------------------------

# 2: arrays of a part-done epoch as acc.NAME; 3: its softmax rows' y·z, one per
# example, and the early stoppings' state (best weights as esI.WL, esI.bL)
CHECKPOINT_FORMAT = "glassnet.checkpoint/3"
# between epochs (no part-done epoch), each older format reads as the current one
_BETWEEN_EPOCHS = ("glassnet.checkpoint/1", "glassnet.checkpoint/2")


# what save_checkpoint reads of a checkpoint (fit's on_checkpoint gives them all)
CHECKPOINT_KEYS = (
    "params",
    "optimizer",
    "order",
    "accumulators",
    "early_stopping",
    "epoch",
    "next_start",
    "schedule",
    "rng",
    "history",
)


def save_checkpoint(path: str | Path, checkpoint: dict[str, Any], settings: dict[str, Any]) -> None:
    """Write a training checkpoint (see :func:`glassnet.train.fit`) atomically, as ``.npz``.

    Arrays: ``W1, b1, ...``, the optimizer's state ``opt.NAME.i``, and, for a
    checkpoint inside an epoch, ``order`` and the epoch's arrays so far ``acc.NAME``
    (its predictions; the softmax's row maxima and sums and each row's y·z for the
    loss), and the best weights of the ``i``-th early stopping ``es{i}.W1, es{i}.b1, ...``
    (``i`` from 0); everything
    else, with the run's ``settings``, is one JSON string ``state`` (a unicode array,
    never a pickle).

    Raises
    ------
    ArgumentError
        For a ``checkpoint`` that is none (the pair :func:`load_checkpoint` returns, a
        dict without a checkpoint's keys) or ``settings`` that are not a dict JSON can
        hold; nothing is written.
    """
    if isinstance(checkpoint, tuple) and len(checkpoint) == 2:
        raise ArgumentError(
            "checkpoint: load_checkpoint returns (checkpoint, settings); pass them apart"
        )
    if not isinstance(checkpoint, dict):
        raise ArgumentError(
            "checkpoint: expected a checkpoint (the dict on_checkpoint receives), found "
            f"{type(checkpoint).__name__}"
        )
    missing = [k for k in CHECKPOINT_KEYS if k not in checkpoint]
    if missing:
        raise ArgumentError(f"checkpoint: not a glassnet checkpoint: it has no {missing[0]!r}")
    if not isinstance(settings, dict):
        raise ArgumentError(f"settings: expected a dict, found {type(settings).__name__}")
    _json(settings, "settings", nan=True)  # (checked, a RecursionError said as one line)
    arrays: dict[str, np.ndarray] = {}
    for l, (W, b) in enumerate(checkpoint["params"], start=1):
        arrays[f"W{l}"], arrays[f"b{l}"] = W, b
    opt = checkpoint["optimizer"]
    counts = {}
    for key, values in opt["arrays"].items():
        counts[key] = None if values is None else len(values)
        for i, value in enumerate(values or []):
            arrays[f"opt.{key}.{i}"] = value
    if checkpoint["order"] is not None:
        arrays["order"] = checkpoint["order"]
    acc = checkpoint["accumulators"]
    acc_arrays = {} if acc is None else {k: v for k, v in acc.items() if isinstance(v, np.ndarray)}
    for key, value in acc_arrays.items():
        arrays[f"acc.{key}"] = value
    stoppers = []
    # (None: of a checkpoint file of format 1 or 2, which kept no early stopping)
    for i, stopper in enumerate(checkpoint["early_stopping"] or []):
        best = stopper["best_params"]
        for l, (W, b) in enumerate(best or [], start=1):
            arrays[f"es{i}.W{l}"], arrays[f"es{i}.b{l}"] = W, b
        stoppers.append({**stopper, "best_params": best is not None})
    state = {
        "format": CHECKPOINT_FORMAT,
        "settings": settings,
        "epoch": checkpoint["epoch"],
        "next_start": checkpoint["next_start"],
        "accumulators": None
        if acc is None
        else {
            **{k: v for k, v in acc.items() if k not in acc_arrays},
            "arrays": sorted(acc_arrays),
        },
        "optimizer": {"name": opt["name"], "numbers": opt["numbers"], "counts": counts},
        "schedule": checkpoint["schedule"],
        "rng": checkpoint["rng"],
        "history": checkpoint["history"],
        "early_stopping": stoppers,
        "layers": len(checkpoint["params"]),
    }
    arrays["state"] = np.array(_json(state, "checkpoint", nan=True))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a checkpoint written by :func:`save_checkpoint`: (checkpoint, settings).

    Every value of its ``state`` is checked where it is read, against what
    :func:`save_checkpoint` writes: its type and range, the epoch and the position in
    it against the history and the order of the examples, the random generator's
    state as NumPy's PCG64 takes it, every array's dtype and shape against the
    parameters'. The ``settings`` come back as saved, a JSON object
    (``glassnet train --resume`` checks them as it checks its flags).

    Raises
    ------
    ModelError
        For a file that is not a complete glassnet checkpoint (a truncated file, a
        pickled object, missing or extra arrays, a state that does not match them):
        one line naming the value, ``PATH: state: KEY: expected …, found …`` (or
        ``PATH: ARRAY: …`` for an array).
    """
    arrays = _open_npz(path, "checkpoint")
    try:
        state = _checkpoint_state(arrays)
        checkpoint = _read_checkpoint(state, arrays)
    except _RefusedError as exc:
        raise ModelError(str(path), str(exc)) from None
    return checkpoint, state["settings"]


# --- a checkpoint's state, each value checked where it is read ------------------------------

# the state's keys, as save_checkpoint writes them (formats 1 and 2 had no early_stopping)
_STATE_KEYS = (
    *("format", "settings", "epoch", "next_start", "accumulators", "optimizer"),
    *("schedule", "rng", "history", "early_stopping", "layers"),
)
_FLOATS = "float32 or float64"


class _RefusedError(Exception):
    """A value of a checkpoint that :func:`save_checkpoint` could not have written."""


def _key(parent: str, child: object) -> str:
    """The path of a value in the state: ``history.history.loss[0]``."""
    if isinstance(child, int):
        return f"{parent}[{child}]"
    return f"{parent}.{child}" if parent else str(child)


def _refuse(key: str, expected: str, found: Any) -> NoReturn:
    """``state: KEY: expected …, found …``."""
    where = f"state: {key}" if key else "state"
    raise _RefusedError(f"{where}: expected {expected}, found {_show(found)}")


def _is_number(value: Any) -> bool:
    """A finite JSON number, not a bool (its whole numbers may be beyond any float)."""
    try:
        return type(value) in (int, float) and math.isfinite(value)
    except OverflowError:
        return False


def _whole(key: str, value: Any, low: int = 0, high: int | None = None) -> int:
    """A JSON whole number (not a bool) in [low, high]."""
    if type(value) is not int or value < low or (high is not None and value > high):
        if high is None:
            bound = f"≥ {low}"
        elif high > 2**32 and not high & (high + 1):  # 2ᵏ − 1, a k-bit number's largest
            bound = f"from {low} to 2**{high.bit_length()} - 1"
        else:
            bound = f"from {low} to {high}"
        _refuse(key, f"a whole number {bound}", value)
    return value


def _exactly(key: str, value: Any, number: int, why: str) -> int:
    """The whole number ``number`` (not a bool or float), or refused saying ``why``."""
    if type(value) is not int or value != number:
        _refuse(key, f"{number}, {why}", value)
    return value


def _number(
    key: str, value: Any, low: float = -math.inf, high: float = math.inf, finite: bool = True
) -> float:
    """A finite JSON number in [low, high], as a float (or NaN, ±Infinity where not ``finite``)."""
    if not finite and type(value) is float and not math.isfinite(value):
        return value
    if not (_is_number(value) and low <= value <= high):
        bound = (
            ("" if low == -math.inf else f" ≥ {low:g}")
            if high == math.inf
            else f" from {low:g} to {high:g}"
        )
        _refuse(key, f"a finite number{bound}", value)
    return float(value)


def _numbers(
    key: str,
    value: Any,
    length: int,
    low: float = -math.inf,
    high: float = math.inf,
    finite: bool = True,
) -> list[float]:
    """A JSON list of ``length`` finite numbers in [low, high], as floats (see :func:`_number`)."""
    if not isinstance(value, list) or len(value) != length:
        _refuse(key, f"a list of {length} number(s)", value)
    return [_number(_key(key, i), v, low, high, finite) for i, v in enumerate(value)]


def _table(key: str, value: Any, keys: Sequence[str], optional: Sequence[str] = ()) -> dict:
    """A JSON object of the keys ``keys``, any of ``optional``, and no other."""
    if not isinstance(value, dict):
        _refuse(key, f"a JSON object of {', '.join(keys) or 'no keys'}", value)
    missing = [k for k in keys if k not in value]
    if missing:
        raise _RefusedError(f"state: {_key(key, missing[0])}: missing")
    unknown = [k for k in value if k not in keys and k not in optional]
    if unknown:
        where = f"state: {key}" if key else "state"
        raise _RefusedError(f"{where}: unknown key {quote(unknown[0])}")
    return value


def _nothing_or(key: str, value: Any, read: Callable[[str, Any], Any], expected: str) -> Any:
    """None, or ``read(key, value)``; a wrong value says it may be null."""
    if value is None:
        return None
    try:
        return read(key, value)
    except _RefusedError:
        _refuse(key, f"null or {expected}", value)


def _array(
    arrays: dict[str, np.ndarray],
    name: str,
    dtype: np.dtype | str,
    shape: tuple[int | None, ...],
    *,
    finite: bool = False,
    why: str = "",
) -> np.ndarray:
    """Take array ``name`` of the file: of ``dtype`` ("integer": any), of ``shape``.

    ``None`` in ``shape`` is any length. In native byte order, with the same values.
    ``why`` follows a wrong shape's message: where its expected length comes from.
    """
    if name not in arrays:
        raise _RefusedError(f"{name}: missing")
    array = arrays.pop(name)
    kind = array.dtype.kind
    if dtype == "integer":
        right, what = kind in "iu", "an integer"
    elif dtype == _FLOATS:
        right, what = kind == "f" and array.dtype.itemsize in (4, 8), f"a {_FLOATS}"
    else:  # the parameters' (either byte order)
        right, what = kind == "f" and array.dtype.itemsize == np.dtype(dtype).itemsize, f"a {dtype}"
    if (
        not right
        or array.ndim != len(shape)
        or any(s is not None and s != n for s, n in zip(shape, array.shape, strict=False))
    ):
        dims = ", ".join("…" if s is None else str(s) for s in shape)
        dims += "," if len(shape) == 1 else ""
        article = "an" if array.dtype.name[0] in "aio" else "a"
        raise _RefusedError(
            f"{name}: expected {what} array of shape ({dims}), "
            f"found {article} {array.dtype} array of shape {array.shape}"
            + (why if right and array.ndim == len(shape) else "")  # (a length, not a dtype)
        )
    if finite and not np.isfinite(array).all():
        raise _RefusedError(f"{name}: holds NaN or infinity")
    return array.astype(array.dtype.newbyteorder("="), copy=False)


def _checkpoint_state(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The ``state`` JSON of a checkpoint, a table of its keys, formats 1 and 2 read as 3."""
    if "state" not in arrays:
        what = (
            "a glassnet model file, not a checkpoint (load_model)"
            if ARCHITECTURE in arrays
            else "not a glassnet checkpoint"
        )
        raise _RefusedError(f"no 'state' array: {what}")
    array = arrays.pop("state")
    if array.dtype.kind != "U" or array.ndim != 0:
        raise _RefusedError(
            "state: expected a JSON text (a 0-d numpy unicode string), "
            f"found dtype {array.dtype} shape {array.shape}"
        )
    # NaN and Infinity are read (an early stopping's best is NaN before any improvement,
    # the adaptive schedule's Infinity before any loss), and refused wherever else they are
    try:
        state = json.loads(str(array[()]), object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise _RefusedError(
            f"state: invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise _RefusedError("state: invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise _RefusedError(f"state: invalid JSON ({_show(str(exc))})") from None
    if not isinstance(state, dict):
        _refuse("", "a JSON object", state)
    return state


def _read_checkpoint(state: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The checkpoint of a state and its arrays, every value checked (see load_checkpoint)."""
    # formats 1 and 2 between epochs read as 3; they kept no early stopping
    if "format" not in state:
        raise _RefusedError("state: format: missing (not a glassnet checkpoint)")
    old = state["format"] in _BETWEEN_EPOCHS and state.get("accumulators") is None
    if not old and state["format"] != CHECKPOINT_FORMAT:
        expected = f"{CHECKPOINT_FORMAT!r} (or format 1 or 2, taken between epochs)"
        raise _RefusedError(
            f"state: format: expected {expected}, found {_show(state['format'])}"
            + _newer(state["format"], CHECKPOINT_FORMAT)
        )
    if old:  # (read as from before early_stopping was kept)
        _table("", state, [k for k in _STATE_KEYS if k != "early_stopping"], ["early_stopping"])
    else:
        _table("", state, _STATE_KEYS)
    if not isinstance(state["settings"], dict):
        _refuse("settings", "a JSON object", state["settings"])
    params = _read_params(arrays, _whole("layers", state["layers"], 1))
    dtype, n_out = params[0][0].dtype, params[-1][0].shape[1]
    history = _read_history(state["history"])
    done = len(history["epoch"])  # the epochs 1 … done
    next_start = _whole("next_start", state["next_start"])
    epoch = state["epoch"]
    if next_start == 0:  # between epochs, after the whole of epoch `done`
        if done == 0:
            _refuse("history.epoch", "the epochs up to the checkpoint's (at least 1)", [])
        _exactly("epoch", epoch, done, "the last epoch of its history")
        order = acc = None
        if state["accumulators"] is not None:
            _refuse("accumulators", "null (a checkpoint between epochs)", state["accumulators"])
    else:  # inside the epoch after them
        _exactly("epoch", epoch, done + 1, "the epoch after the last of its history")
        order = _array(arrays, "order", "integer", (None,))
        if not np.array_equal(np.sort(order), np.arange(len(order))):
            raise _RefusedError(f"order: expected the numbers 0 to {len(order) - 1} in some order")
        _whole("next_start", next_start, 1, len(order))
        acc = _read_accumulators(
            state["accumulators"], arrays, next_start, len(order), dtype, n_out
        )
    stopped = history["stopped_epoch"]
    if stopped is not None and (next_start or type(stopped) is not int or stopped != epoch):
        # the checkpoint of the epoch where the run stopped records it
        _refuse("history.stopped_epoch", f"null{'' if next_start else f' or {epoch}'}", stopped)
    checkpoint = {
        "epoch": epoch,
        "next_start": next_start,
        "order": order,
        "accumulators": acc,
        "params": params,
        "optimizer": _read_optimizer(state["optimizer"], arrays, params),
        "schedule": _read_schedule(state["schedule"]),
        "rng": _read_rng(state["rng"]),
        "history": history,
        # none kept in formats 1 and 2: the early stoppings start afresh
        "early_stopping": None
        if old
        else _read_stoppers(state["early_stopping"], arrays, params, done),
    }
    if arrays:
        shown = ", ".join(quote(key) for key in sorted(arrays)[:5])
        raise _RefusedError(f"unexpected array(s) {shown}")
    return checkpoint


def _read_params(arrays: dict[str, np.ndarray], layers: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """W1, b1, … of ``layers`` layers: float matrices that chain, of one dtype, finite."""
    params: list[tuple[np.ndarray, np.ndarray]] = []
    dtype, width = _FLOATS, None
    for l in range(1, layers + 1):
        # a length that does not chain names the array it is taken from: one of the pair
        chained = f" (W{l - 1} has {width} columns, units)" if l > 1 else ""
        W = _array(arrays, f"W{l}", dtype, (width, None), finite=True, why=chained)
        dtype, width = W.dtype, W.shape[1]
        per_unit = f" (W{l} has {width} columns, units: one bias each)"
        params.append((W, _array(arrays, f"b{l}", dtype, (width,), finite=True, why=per_unit)))
    return params


def _read_accumulators(
    value: Any, arrays: dict[str, np.ndarray], seen: int, n: int, dtype: np.dtype, n_out: int
) -> dict[str, Any]:
    """A part-done epoch's sums over its first ``seen`` of ``n`` examples, and its arrays."""
    from glassnet.losses import EpochLoss

    acc = _table(
        "accumulators",
        value,
        ("total_loss", "penalties", "hits", "seen", "sse", "arrays"),
        optional=("predictions",),  # null (or an array, listed in "arrays")
    )
    names = acc["arrays"]
    known = ("predictions", *EpochLoss.STATE_KEYS)
    if not (
        isinstance(names, list)
        and all(isinstance(k, str) and k in known for k in names)
        and len(set(names)) == len(names)
        and sum(k in names for k in EpochLoss.STATE_KEYS) in (0, len(EpochLoss.STATE_KEYS))
    ):
        expected = f"a list of the epoch's arrays, of {', '.join(known)} (the last 3 together)"
        _refuse("accumulators.arrays", expected, names)
    if "predictions" in acc and (acc["predictions"] is not None or "predictions" in names):
        _refuse(
            "accumulators.predictions", "null (or an array, listed in arrays)", acc["predictions"]
        )
    out = {
        "total_loss": _number("accumulators.total_loss", acc["total_loss"]),
        "penalties": _number("accumulators.penalties", acc["penalties"], 0),
        "hits": _number("accumulators.hits", acc["hits"], 0, seen),
        "seen": _exactly("accumulators.seen", acc["seen"], seen, "as next_start"),
        "sse": _nothing_or(
            "accumulators.sse",
            acc["sse"],
            lambda key, v: _numbers(key, v, n_out, 0),
            f"a list of {n_out} number(s) ≥ 0",
        ),
        "predictions": None,
    }
    if "predictions" in names:
        out["predictions"] = _array(arrays, "acc.predictions", "integer", (n,))
    for key in EpochLoss.STATE_KEYS if EpochLoss.STATE_KEYS[0] in names else ():
        out[key] = _array(arrays, f"acc.{key}", dtype, (seen, 1), finite=True)
    return out


def _optimizer_classes() -> dict[str, type]:
    """The optimizers, glassnet's and any subclass defined since, by class name (``name``)."""
    from glassnet.optimizers import Optimizer

    classes: dict[str, type] = {}
    todo = [Optimizer]
    while todo:  # breadth first: glassnet's own classes before a subclass of the same name
        for cls in todo.pop(0).__subclasses__():
            classes.setdefault(cls.__name__, cls)
            todo.append(cls)
    return classes


# an optimizer's numbers (Optimizer.STATE_NUMBERS): η ≥ 0 (a schedule may decay it to 0),
# η₀ > 0 as the optimizers take it, Adam's step count t; any other a finite number
_OPTIMIZER_NUMBERS: dict[str, Callable[[str, Any], Any]] = {
    "learning_rate": lambda key, v: _number(key, v, 0),
    "initial_learning_rate": lambda key, v: (
        float(v) if _is_number(v) and v > 0 else _refuse(key, "a finite number > 0", v)
    ),
    "t": lambda key, v: _whole(key, v, 0, 2**63 - 1),
}


def _read_optimizer(
    value: Any, arrays: dict[str, np.ndarray], params: list[tuple[np.ndarray, np.ndarray]]
) -> dict[str, Any]:
    """The optimizer's name, numbers and arrays: one per parameter, of its shape and dtype."""
    opt = _table("optimizer", value, ("name", "numbers", "counts"))
    classes = _optimizer_classes()
    if not isinstance(opt["name"], str) or opt["name"] not in classes:
        _refuse("optimizer.name", f"the class of an optimizer ({', '.join(classes)})", opt["name"])
    cls = classes[opt["name"]]
    numbers = _table("optimizer.numbers", opt["numbers"], cls.STATE_NUMBERS)
    numbers = {
        k: _OPTIMIZER_NUMBERS.get(k, _number)(_key("optimizer.numbers", k), v)
        for k, v in numbers.items()
    }
    counts = _table("optimizer.counts", opt["counts"], cls.STATE_ARRAYS)
    flat = [p for pair in params for p in pair]
    state: dict[str, list[np.ndarray] | None] = {}
    n = len(flat)
    for key, count in counts.items():  # null: not made yet (no step taken)
        if _nothing_or(
            _key("optimizer.counts", key),
            count,
            lambda k, v: _exactly(k, v, n, "an array per parameter"),
            f"{n}, an array per parameter",
        ):
            state[key] = [
                _array(arrays, f"opt.{key}.{i}", p.dtype, p.shape) for i, p in enumerate(flat)
            ]
        else:
            state[key] = None
    return {"name": opt["name"], "numbers": numbers, "arrays": state}


def _read_schedule(value: Any) -> dict[str, Any]:
    """A schedule's own numbers (Schedule.state_dict): private names, JSON numbers.

    ±Infinity is one (the adaptive schedule's best loss before any); NaN is not.
    """
    if not isinstance(value, dict):
        _refuse("schedule", "a JSON object", value)
    for key, number in value.items():  # set as attributes: no public name, no dunder
        if not (key.startswith("_") and not key.startswith("__") and key.isidentifier()):
            raise _RefusedError(
                f"state: schedule: unknown key {quote(key)} (a schedule keeps _names)"
            )
        if not (_is_number(number) or (type(number) is float and math.isinf(number))):
            _refuse(_key("schedule", key), "a number (or ±Infinity)", number)
    return value


def _read_rng(value: Any) -> dict[str, Any]:
    """The random generator's state, as NumPy's PCG64 takes it (``bit_generator.state``)."""
    rng = _table("rng", value, ("bit_generator", "state", "has_uint32", "uinteger"))
    if rng["bit_generator"] != "PCG64":
        _refuse("rng.bit_generator", "'PCG64'", rng["bit_generator"])
    inner = _table("rng.state", rng["state"], ("state", "inc"))
    for key in ("state", "inc"):  # 128-bit numbers
        _whole(_key("rng.state", key), inner[key], 0, 2**128 - 1)
    _whole("rng.has_uint32", rng["has_uint32"], 0, 1)
    _whole("rng.uinteger", rng["uinteger"], 0, 2**32 - 1)
    try:
        np.random.PCG64(0).state = rng  # anything else it refuses
    except (ValueError, TypeError, OverflowError) as exc:
        raise _RefusedError(f"state: rng: not a PCG64 state ({_show(str(exc))})") from None
    return rng


def _read_history(value: Any) -> dict[str, Any]:
    """The history: the epochs 1 … done, and each series one finite number per epoch.

    Its series are those fit logs: the loss and the metric, of the validation data too
    or not, and the learning rate; none before the first epoch's end.
    """
    keys = ("epoch", "metric", "stopped_epoch", "best_epoch", "history")
    history = _table("history", value, keys)
    epochs = history["epoch"]
    if not (
        isinstance(epochs, list)
        and all(type(e) is int for e in epochs)
        and epochs == list(range(1, len(epochs) + 1))
    ):
        _refuse("history.epoch", "the epochs 1, 2, … in order", epochs)
    done = len(epochs)
    metric = history["metric"]
    if metric not in ("accuracy", "r2"):
        _refuse("history.metric", "'accuracy' or 'r2'", metric)
    logged = history["history"]
    names = ["loss", metric]
    if isinstance(logged, dict) and any(f"val_{k}" in logged for k in names):
        names += [f"val_{k}" for k in names]
    names = [*names, "learning_rate"] if done else []
    logged = _table("history.history", logged, names)
    _nothing_or(  # (set at the end of training: null in glassnet's checkpoints)
        "history.best_epoch",
        history["best_epoch"],
        lambda k, v: _whole(k, v, 1, done),
        f"a whole number from 1 to {done}",
    )
    return {
        **history,
        "history": {
            # the validation figures as fit logs them: a held-out row that overflows the
            # network makes them inf or NaN, where the training loss is finite (or fit stops)
            k: _numbers(
                _key("history.history", k),
                logged[k],
                done,
                *_SERIES_RANGES.get(k, (-math.inf, math.inf)),
                finite=not k.startswith("val_"),
            )
            for k in names
        },
    }


_SERIES_RANGES = {
    "learning_rate": (0.0,),
    "accuracy": (0.0, 1.0),
    "val_accuracy": (0.0, 1.0),
}


def _read_stoppers(
    value: Any,
    arrays: dict[str, np.ndarray],
    params: list[tuple[np.ndarray, np.ndarray]],
    done: int,
) -> list[dict[str, Any]]:
    """The early stoppings' state: best value and epoch, epochs waited, best weights.

    Before any improvement the best value is NaN and its epoch null.
    """
    if not isinstance(value, list):
        _refuse("early_stopping", "a list (a table per early stopping)", value)
    stoppers = []
    for i, item in enumerate(value):
        key = _key("early_stopping", i)
        stopper = _table(key, item, ("best", "best_epoch", "waited", "best_params"))
        best, best_epoch = stopper["best"], stopper["best_epoch"]
        if best_epoch is None:  # no improvement yet
            if not (type(best) is float and math.isnan(best)):
                _refuse(_key(key, "best"), "NaN (no best epoch yet)", best)
        else:
            _whole(_key(key, "best_epoch"), best_epoch, 1, done)
            best = _number(_key(key, "best"), best, finite=False)  # a val_loss's inf, say
        if type(stopper["best_params"]) is not bool:
            _refuse(
                _key(key, "best_params"),
                "true or false (best weights kept)",
                stopper["best_params"],
            )
        kept = None
        if stopper["best_params"]:
            kept = [
                tuple(
                    _array(arrays, f"es{i}.{p}{l}", array.dtype, array.shape, finite=True)
                    for p, array in zip("Wb", pair, strict=True)
                )
                for l, pair in enumerate(params, start=1)
            ]
        stoppers.append(
            {
                "best": best,
                "best_epoch": best_epoch,
                "waited": _whole(_key(key, "waited"), stopper["waited"], 0, done),
                "best_params": kept,
            }
        )
    return stoppers


def _read_arrays(handle: IO[bytes], name: str) -> dict[str, np.ndarray]:
    """Every array of an open ``.npz`` file, read with ``allow_pickle=False`` only."""
    import zipfile
    import zlib

    arrays: dict[str, np.ndarray] = {}
    try:
        with np.load(handle, allow_pickle=False) as npz:
            for key in npz.files:
                try:
                    value = npz[key]
                except MemoryError:  # a header may claim any shape, whatever the file holds
                    raise ModelError(
                        name, f"{quote(key)}: its header claims an array too large to read"
                    ) from None
                except ValueError as exc:
                    if "Object arrays" in str(exc):  # numpy refused to unpickle it
                        raise ModelError(name, f"{quote(key)} {PICKLE_MESSAGE}") from None
                    raise ModelError(
                        name, f"{quote(key)}: not a valid .npy array ({_show(str(exc))})"
                    ) from None
                if not isinstance(value, np.ndarray):  # a zip member that is no .npy file
                    raise ModelError(name, f"unexpected entry {quote(key)}: not a .npy array")
                arrays[key] = value
    except ModelError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, RuntimeError) as exc:
        raise ModelError(name, f"not a valid .npz archive ({_show(str(exc))})") from None
    return arrays


def _show(value: Any, limit: int = 60) -> str:
    """A value from the file, as repr() on one line and at most ``limit`` characters."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _model_from_arrays(arrays: dict[str, np.ndarray], name: str) -> tuple[Network, dict[str, Any]]:
    """Check the arrays of a model file and build its network."""
    from glassnet import blas
    from glassnet.activations import ACTIVATIONS
    from glassnet.losses import LOSSES
    from glassnet.network import Layer, Network

    arch = _architecture(arrays, name)
    sizes, dtype = arch["sizes"], np.dtype(arch["dtype"])
    n_layers = len(sizes) - 1

    for k, act in enumerate(arch["activations"], start=1):
        if act not in ACTIVATIONS:
            raise ModelError(
                name,
                f"layer {k}: {unknown_name('activation', act, ACTIVATIONS)}; register it "
                "(glassnet.activations.register_activation) before loading",
            )
    if arch["loss"] not in LOSSES:
        raise ModelError(
            name,
            f"{unknown_name('loss', arch['loss'], LOSSES)}; register it "
            "(glassnet.losses.register_loss) before loading",
        )

    expected = [f"{p}{k}" for k in range(1, n_layers + 1) for p in ("W", "b")]
    missing = [key for key in expected if key not in arrays]
    if missing:
        raise ModelError(
            name, f"missing array(s) {', '.join(missing)} of a {n_layers}-layer network"
        )
    extra = [key for key in arrays if key not in expected and key != ARCHITECTURE]
    if extra:
        shown = ", ".join(quote(key) for key in sorted(extra)[:5])
        raise ModelError(
            name,
            f"unexpected array(s) {shown}; a {n_layers}-layer model holds only "
            f"{ARCHITECTURE}, W1, b1, ..., W{n_layers}, b{n_layers}",
        )

    layers = []
    for k in range(1, n_layers + 1):
        params = []
        for key, shape in ((f"W{k}", (sizes[k - 1], sizes[k])), (f"b{k}", (sizes[k],))):
            array = arrays[key]
            if array.dtype.kind != "f" or array.dtype.itemsize != dtype.itemsize:
                raise ModelError(
                    name, f"{key}: dtype {array.dtype}, expected {dtype.name} as the architecture"
                )
            if array.shape != shape:
                raise ModelError(
                    name,
                    f"{key}: shape {array.shape}, expected {shape} from sizes {sizes}",
                )
            if not np.isfinite(array).all():
                raise ModelError(name, f"{key}: holds NaN or infinity")
            # native byte order, same values; on cache lines as a new network's
            params.append(blas.aligned(array.astype(dtype, copy=False)))
        layers.append(Layer(params[0], params[1], ACTIVATIONS[arch["activations"][k - 1]]))
    network = Network(layers, loss=LOSSES[arch["loss"]], dtype=dtype, fused=arch["fused"])
    return network, arch["metadata"]


def _no_constant(word: str) -> Any:
    """Refuse JSON's non-standard NaN, Infinity and -Infinity."""
    raise ValueError(f"{word} is not standard JSON; numbers must be finite")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once (json keeps the last of a repeat)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} is given twice")
        seen.add(key)
    return dict(pairs)


def _newer(fmt: object, current: str) -> str:
    """The words for a later version of ``current``'s format ("written by a newer …")."""
    family, _, version = str(fmt).rpartition("/")
    own, _, own_version = current.rpartition("/")
    if (
        isinstance(fmt, str)
        and family == own
        and version.isdigit()
        and int(version) > int(own_version)
    ):
        return " (written by a newer glassnet: upgrade glassnet to read it)"
    return ""


def _architecture(arrays: dict[str, np.ndarray], name: str) -> dict[str, Any]:
    """Read and check the ``architecture`` JSON of a model file."""
    if ARCHITECTURE not in arrays:
        what = (  # (the other file glassnet writes, given for this one)
            "a glassnet checkpoint, not a model file (load_checkpoint; glassnet train --resume)"
            if "state" in arrays
            else "not a glassnet model file"
        )
        raise ModelError(name, f"no {ARCHITECTURE!r} array: {what}")
    array = arrays[ARCHITECTURE]
    if array.dtype.kind != "U" or array.ndim != 0:
        raise ModelError(
            name,
            f"{ARCHITECTURE}: expected a JSON text (a 0-d numpy unicode string), "
            f"found dtype {array.dtype} shape {array.shape}",
        )
    try:
        arch = json.loads(  # standard JSON only, each key once
            str(array[()]), parse_constant=_no_constant, object_pairs_hook=_unique_keys
        )
    except json.JSONDecodeError as exc:
        raise ModelError(
            name,
            f"{ARCHITECTURE}: invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
        ) from None
    except RecursionError:
        raise ModelError(name, f"{ARCHITECTURE}: invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # NaN or Infinity, which Python's json reads by default
        raise ModelError(name, f"{ARCHITECTURE}: invalid JSON ({exc})") from None
    if not isinstance(arch, dict):
        raise ModelError(
            name, f"{ARCHITECTURE}: expected a JSON object, found {type(arch).__name__}"
        )

    fmt = arch.get("format")
    if fmt != MODEL_FORMAT:
        raise ModelError(
            name,
            f"{ARCHITECTURE}: format {_show(fmt)}, expected {MODEL_FORMAT!r}"
            + _newer(fmt, MODEL_FORMAT),
        )
    missing = [key for key in ARCHITECTURE_KEYS if key not in arch]
    if missing:
        raise ModelError(name, f"{ARCHITECTURE}: missing key(s) {', '.join(missing)}")
    unknown = [key for key in arch if key not in ARCHITECTURE_KEYS]
    if unknown:
        raise ModelError(
            name,
            f"{ARCHITECTURE}: unknown key(s) {', '.join(quote(key) for key in unknown[:5])}; "
            f"known: {', '.join(ARCHITECTURE_KEYS)}",
        )

    sizes = arch["sizes"]
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes)
    ):
        raise ModelError(
            name,
            f"{ARCHITECTURE}: sizes: expected at least 2 whole numbers ≥ 1, found {_show(sizes)}",
        )
    acts = arch["activations"]
    if (
        not isinstance(acts, list)
        or len(acts) != len(sizes) - 1
        or not all(isinstance(a, str) for a in acts)
    ):
        raise ModelError(
            name,
            f"{ARCHITECTURE}: activations: expected {len(sizes) - 1} names (one per layer), "
            f"found {_show(acts)}",
        )
    if not isinstance(arch["loss"], str):
        raise ModelError(
            name, f"{ARCHITECTURE}: loss: expected a name, found {_show(arch['loss'])}"
        )
    if arch["dtype"] not in DTYPES:
        raise ModelError(
            name,
            f"{ARCHITECTURE}: dtype: expected float32 or float64, found {_show(arch['dtype'])}",
        )
    if not isinstance(arch["fused"], bool):
        raise ModelError(
            name, f"{ARCHITECTURE}: fused: expected true or false, found {_show(arch['fused'])}"
        )
    if not isinstance(arch["metadata"], dict):
        raise ModelError(
            name,
            f"{ARCHITECTURE}: metadata: expected a JSON object, found {_show(arch['metadata'])}",
        )
    return arch


# --- spec export --------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            raise ArgumentError(f"name {text!r}: holds a lone surrogate, which TOML cannot hold")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_row(values: np.ndarray) -> str:
    """A row of floats, each written by repr() so that it reads back exactly."""
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def _toml_matrix(M: np.ndarray) -> str:
    """A matrix as a TOML list of rows, one row a line."""
    return "[\n" + "".join(f"  {_toml_row(row)},\n" for row in M) + "]"


def _batch_array(value: Any, field: str, width: int, described: str) -> np.ndarray:
    """A 2-D float64 batch (a 1-D array is one example), checked for width and finite values."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ArgumentError(f"{field}: expected an array of numbers ({exc})") from None
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[0] < 1:
        raise ArgumentError(f"{field}: expected a 2-D array (m, n), found shape {array.shape}")
    if array.shape[1] != width:
        raise ArgumentError(
            f"{field}: expected {width} values per example ({described}), found {array.shape[1]}"
        )
    if not np.isfinite(array).all():
        raise ArgumentError(f"{field}: holds NaN or infinity, which a spec cannot hold")
    return array


def spec_text(
    network: Network,
    X: Any,
    Y: Any,
    learning_rate: float = 0.1,
    *,
    weights_layout: str = "in_out",
) -> str:
    """A spec file (docs/spec-format.md) of the network and one batch.

    Every number is written by ``repr()``, so that :func:`glassnet.load_spec`
    reads back the same weights, biases, input and target exactly (a float32
    network's numbers are written as the float64 values they equal; a spec's
    network is float64, with the default ``fused``).

    Parameters
    ----------
    network : Network
        Its activations and loss must be registered under their names.
    X : array_like, shape (m, n_0)
        The input; one row (or a 1-D array) is written as one example.
    Y : array_like, shape (m, n_L), or (m,)
        The target, as many rows as ``X``; one number per example is read as
        :meth:`Network.fit` reads it (a class index of a softmax classifier).
    learning_rate : float, default 0.1
        η ≥ 0.
    weights_layout : {"in_out", "out_in"}, default "in_out"
        How the matrices are written: W[i][j] joins input i to unit j (the network's
        own), or a row per unit, W x (as a spec that was written so).

    Returns
    -------
    str
        The TOML text.

    Raises
    ------
    ArgumentError
        For NaN or infinity anywhere, shapes that do not fit the network, a
        negative learning rate, or an activation or loss not registered under its name.
    """
    from glassnet.network import check_network, targets_outside
    from glassnet.spec import LAYOUTS, one_unit_softmax, outputs_outside  # (its rules)

    check_network(network)
    if weights_layout not in LAYOUTS:
        raise ArgumentError(
            f"weights_layout: expected 'in_out' or 'out_in', found {weights_layout!r}"
        )
    activations, loss = _registered_names(network)
    sizes = network.sizes
    for k, (act, n_out) in enumerate(zip(activations, sizes[1:], strict=True), start=1):
        problem = one_unit_softmax(act, n_out)
        if problem is not None:  # load_spec would refuse the file: write none
            raise ArgumentError(f"network: layer {k}: {problem}")
    X = _batch_array(X, "X", sizes[0], "the network's inputs")
    try:
        given = np.asarray(Y)
    except (ValueError, TypeError):  # ragged rows: _batch_array names them
        given = np.empty((0, 0))
    # one number per example, as fit takes it (one example's 1-D Y of n_L numbers is its row)
    if X.shape[0] > 1 or (
        given.dtype.kind in "biuf"
        and (given.ndim == 0 or (given.ndim == 1 and given.shape[0] != sizes[-1]))
    ):
        Y = network._per_example(given.reshape(-1) if given.ndim == 0 else Y, X.shape[0])
    Y = _batch_array(Y, "Y", sizes[-1], "the network's output units")
    if X.shape[0] != Y.shape[0]:
        raise ArgumentError(f"Y: has {Y.shape[0]} example(s) but X has {X.shape[0]}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, np.number)):
        raise ArgumentError(f"learning_rate: expected a number, found {learning_rate!r}")
    try:
        eta = float(learning_rate)
    except OverflowError:  # an int of 400 digits
        eta = math.inf
    if not math.isfinite(eta) or eta < 0:
        raise ArgumentError(f"learning_rate: expected a finite number ≥ 0, found {eta}")
    problem = outputs_outside(network, X)
    if problem is not None:  # load_spec would refuse the file: write none
        raise ArgumentError(f"loss: {problem}")
    problem = targets_outside(loss, Y)
    if problem is not None:
        raise ArgumentError(f"Y: {problem}")
    parameters = dict(_parameters(network))

    def batch(array: np.ndarray) -> str:
        return _toml_row(array[0]) if array.shape[0] == 1 else _toml_matrix(array)

    lines = [
        "# A glassnet spec written by glassnet.io.spec_text; every number reads back exactly.",
        f"input = {batch(X)}",
        f"target = {batch(Y)}",
        f"loss = {_toml_string(loss)}",
        f"learning_rate = {eta!r}",
        f"weights_layout = {_toml_string(weights_layout)}",
    ]
    for k, act in enumerate(activations, start=1):
        W = parameters[f"W{k}"]
        lines += [
            "",
            "[[layer]]",
            f"activation = {_toml_string(act)}",
            f"weights = {_toml_matrix(W.T if weights_layout == 'out_in' else W)}",
            f"bias = {_toml_row(parameters[f'b{k}'])}",
        ]
    return "\n".join(lines) + "\n"


def export_spec(
    network: Network,
    path: str | Path,
    X: Any,
    Y: Any,
    *,
    learning_rate: float = 0.1,
    weights_layout: str = "in_out",
) -> None:
    """Write :func:`spec_text` of the network and batch to ``path``, atomically.

    Parameters
    ----------
    network : Network
    path : str or Path
        The spec file to write.
    X : array_like, shape (m, n_0)
        The input.
    Y : array_like, shape (m, n_L)
        The target.
    learning_rate : float, default 0.1
        η ≥ 0.
    weights_layout : {"in_out", "out_in"}, default "in_out"
        As :func:`spec_text`.

    Raises
    ------
    ArgumentError
        As :func:`spec_text`.
    OSError
        When the file cannot be written.
    """
    atomic_write_text(path, spec_text(network, X, Y, learning_rate, weights_layout=weights_layout))
