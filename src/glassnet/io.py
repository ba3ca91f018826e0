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

import codecs
import contextlib
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from glassnet.errors import ArgumentError, ModelError, quote, unknown_name

if TYPE_CHECKING:
    from glassnet.network import Network

MODEL_FORMAT = "glassnet.model/1"
ARCHITECTURE = "architecture"
ARCHITECTURE_KEYS = ("format", "sizes", "activations", "loss", "dtype", "fused", "metadata")
DTYPES = ("float32", "float64")
PICKLE_MESSAGE = "contains a pickled object; glassnet never loads pickles (they can run code)"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip


# --- reading ------------------------------------------------------------------------------


def file_name(path: object, argument: str = "path") -> str | os.PathLike:
    """``path`` if it names a file (str or path-like), else ArgumentError naming ``argument``.

    An int would open a file descriptor, None would fail deep in ``open``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentError(f"{argument}: expected a file name (str or Path), found {path!r:.60}")
    return path


def read_user_text(path: str | Path, error: type, kind: str) -> str:
    """The UTF-8 text of a file a person wrote, or ``error(path, "", message)`` saying why not.

    A byte order mark at its start (as Windows editors write UTF-8) is not part of the text.

    Parameters
    ----------
    path : str or Path
    error : type
        An :class:`glassnet.errors.InputError` class (SpecError, ClaimsError, ...).
    kind : str
        What the file should be, for the message ("spec file", "claims file").
    """
    name = str(file_name(path))
    bom = 0
    try:
        data = Path(path).read_bytes()
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        return data[bom:].decode("utf-8")
    except FileNotFoundError:
        raise error(name, "", "no such file") from None
    except IsADirectoryError:
        raise error(name, "", f"is a directory, not a {kind}") from None
    except UnicodeDecodeError as exc:
        where = exc.start + bom  # in the file
        raise error(name, "", f"not UTF-8 text ({exc.reason} at byte {where})") from None
    except OSError as exc:
        raise error(name, "", f"cannot read: {exc.strerror}") from None


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
    even if the process is killed midway.  When the block raises, the temporary
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
        When the folder cannot be written to.
    """
    if isinstance(path, str) and names_a_folder(path):
        raise ArgumentError(f"path: {quote(path)} ends as a folder's name; give a file's")
    path = Path(file_name(path))
    real = Path(os.path.realpath(path))  # a link's target, so that the link stays a link
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


def _file_mode(path: Path) -> int:
    """The existing file's permissions, or 0666 less the umask for a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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


def _check_metadata(value: Any, where: str = "metadata") -> None:
    """Refuse what JSON would change or could not hold: non-string keys, NaN, other types."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ArgumentError(f"{where}: keys must be strings, found {key!r}")
            _check_metadata(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_metadata(item, f"{where}[{i}]")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ArgumentError(f"{where}: {value} is not a JSON number")
    elif value is not None and not isinstance(value, (str, int)):
        raise ArgumentError(
            f"{where}: {type(value).__name__} is not JSON-serialisable "
            "(use str, int, float, bool, None, list or dict; arrays as .tolist())"
        )


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
    from glassnet.network import Network

    if not isinstance(network, Network):
        raise ArgumentError(f"network: expected a Network, found {type(network).__name__}")
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
    try:
        json_text = json.dumps(architecture, allow_nan=False)
    except (TypeError, ValueError) as exc:  # pragma: no cover - _check_metadata refuses first
        raise ArgumentError(f"metadata: not JSON-serialisable: {exc}") from None
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


def save_checkpoint(path: str | Path, checkpoint: dict[str, Any], settings: dict[str, Any]) -> None:
    """Write a training checkpoint (see :func:`glassnet.train.fit`) atomically, as ``.npz``.

    Arrays: ``W1, b1, ...``, the optimizer's state ``opt.NAME.i``, and, for a
    checkpoint inside an epoch, ``order`` and the epoch's arrays so far ``acc.NAME``
    (its predictions; the softmax's row maxima and sums and each row's y·z for the
    loss), and the best weights of the ``i``-th early stopping ``es{i}.W1, es{i}.b1, ...``
    (``i`` from 0); everything
    else, with the run's ``settings``, is one JSON string ``state`` (a unicode array,
    never a pickle).
    """
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
    for i, stopper in enumerate(checkpoint["early_stopping"]):
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
    arrays["state"] = np.array(json.dumps(state))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a checkpoint written by :func:`save_checkpoint`: (checkpoint, settings).

    Raises
    ------
    ModelError
        For a file that is not a complete glassnet checkpoint (a truncated file, a
        pickled object, missing or extra arrays, a state that does not match them).
    """
    name = str(path)
    arrays = _open_npz(path, "checkpoint")
    try:
        state = json.loads(str(arrays.pop("state")[()]))
        if state.get("format") in _BETWEEN_EPOCHS and state["accumulators"] is None:
            state["format"] = CHECKPOINT_FORMAT
            state["early_stopping"] = None  # not kept: the early stoppings start afresh
        if state.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"format {state.get('format')!r}")
        params = [
            (arrays.pop(f"W{l}"), arrays.pop(f"b{l}")) for l in range(1, int(state["layers"]) + 1)
        ]
        opt = state["optimizer"]
        opt_arrays = {
            key: None if count is None else [arrays.pop(f"opt.{key}.{i}") for i in range(count)]
            for key, count in opt["counts"].items()
        }
        order = arrays.pop("order", None)
        acc = state["accumulators"]
        if acc is not None:
            acc = {"predictions": None, **acc}
            for key in acc.pop("arrays"):
                acc[key] = arrays.pop(f"acc.{key}")
        stoppers = state["early_stopping"]
        for i, stopper in enumerate(stoppers or []):
            layers = range(1, len(params) + 1) if stopper["best_params"] else ()
            stopper["best_params"] = [
                (arrays.pop(f"es{i}.W{l}"), arrays.pop(f"es{i}.b{l}")) for l in layers
            ] or None
        if arrays:
            raise ValueError(f"unexpected arrays {sorted(arrays)}")
        checkpoint = {
            "epoch": state["epoch"],
            "next_start": state["next_start"],
            "order": order,
            "accumulators": acc,
            "params": params,
            "optimizer": {"name": opt["name"], "numbers": opt["numbers"], "arrays": opt_arrays},
            "schedule": state["schedule"],
            "rng": state["rng"],
            "history": state["history"],
            "early_stopping": stoppers,
        }
        _check_checkpoint(checkpoint, state["settings"])
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ModelError(name, f"not a complete glassnet checkpoint ({_show(str(exc))})") from None
    except RecursionError:  # a state of JSON nested deeper than Python reads
        raise ModelError(
            name, "not a complete glassnet checkpoint (state nested too deeply)"
        ) from None
    return checkpoint, state["settings"]


def _check_checkpoint(checkpoint: dict[str, Any], settings: Any) -> None:
    """ValueError unless the checkpoint's parts fit together as :func:`save_checkpoint` wrote them.

    A damaged file must fail here, as a :class:`ModelError` (``--resume`` then falls
    back to the checkpoint before it), not in the middle of restoring it.
    """
    for key in ("epoch", "next_start"):
        if isinstance(checkpoint[key], bool) or not isinstance(checkpoint[key], int):
            raise ValueError(f"{key}: {checkpoint[key]!r}")
    for key in ("schedule", "rng", "history"):
        if not isinstance(checkpoint[key], dict):
            raise ValueError(f"{key}: {_show(checkpoint[key])}")
    if not isinstance(settings, dict) or not isinstance(checkpoint["optimizer"]["numbers"], dict):
        raise ValueError("settings or optimizer numbers: not a table")
    shapes, width = [], None
    for l, (W, b) in enumerate(checkpoint["params"], start=1):
        if W.ndim != 2 or b.shape != W.shape[1:] or (width is not None and W.shape[0] != width):
            raise ValueError(f"W{l} {W.shape} and b{l} {b.shape} do not fit the layers")
        width = W.shape[1]
        shapes += [W.shape, b.shape]
    for key, values in checkpoint["optimizer"]["arrays"].items():
        if values is not None and [v.shape for v in values] != shapes:
            raise ValueError(f"opt.{key}: shapes do not match the parameters")
    np.random.PCG64(0).state = checkpoint["rng"]  # ValueError unless a PCG64 state
    history = checkpoint["history"]
    if (
        not isinstance(history.get("epoch"), list)
        or not isinstance(history.get("history"), dict)
        or not {"stopped_epoch", "best_epoch"} <= history.keys()
    ):
        raise ValueError("history: not as written")
    for i, stopper in enumerate(checkpoint["early_stopping"] or []):
        best = stopper["best_params"]
        if (
            not isinstance(stopper["best"], (int, float))
            or not isinstance(stopper["waited"], int)
            or not isinstance(stopper["best_epoch"], (int, type(None)))
            or (best is not None and [s for W, b in best for s in (W.shape, b.shape)] != shapes)
        ):
            raise ValueError(f"early_stopping {i}: not as written")


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


def _architecture(arrays: dict[str, np.ndarray], name: str) -> dict[str, Any]:
    """Read and check the ``architecture`` JSON of a model file."""
    if ARCHITECTURE not in arrays:
        raise ModelError(name, f"no {ARCHITECTURE!r} array: not a glassnet model file")
    array = arrays[ARCHITECTURE]
    if array.dtype.kind != "U" or array.ndim != 0:
        raise ModelError(
            name,
            f"{ARCHITECTURE}: expected a JSON text (a 0-d numpy unicode string), "
            f"found dtype {array.dtype} shape {array.shape}",
        )
    try:
        arch = json.loads(str(array[()]), parse_constant=_no_constant)  # standard JSON only
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
            f"{ARCHITECTURE}: format {_show(fmt)}, expected {MODEL_FORMAT!r}",
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


def spec_text(network: Network, X: Any, Y: Any, learning_rate: float = 0.1) -> str:
    """A spec file (docs/spec-format.md, layout in_out) of the network and one batch.

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
    from glassnet.network import Network, targets_outside

    if not isinstance(network, Network):
        raise ArgumentError(f"network: expected a Network, found {type(network).__name__}")
    activations, loss = _registered_names(network)
    sizes = network.sizes
    X = _batch_array(X, "X", sizes[0], "the network's inputs")
    if X.shape[0] > 1:  # (one example's 1-D Y is its row)
        Y = network._per_example(Y, X.shape[0])  # one per example, as fit takes it
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
    from glassnet.spec import outputs_outside  # (the spec's own rule, at export too)

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
        'weights_layout = "in_out"',
    ]
    for k, act in enumerate(activations, start=1):
        lines += [
            "",
            "[[layer]]",
            f"activation = {_toml_string(act)}",
            f"weights = {_toml_matrix(parameters[f'W{k}'])}",
            f"bias = {_toml_row(parameters[f'b{k}'])}",
        ]
    return "\n".join(lines) + "\n"


def export_spec(
    network: Network, path: str | Path, X: Any, Y: Any, *, learning_rate: float = 0.1
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

    Raises
    ------
    ArgumentError
        As :func:`spec_text`.
    OSError
        When the file cannot be written.
    """
    atomic_write_text(path, spec_text(network, X, Y, learning_rate))
