"""The jobs behind ``glassnet train``, ``glassnet predict`` and ``glassnet evaluate``.

``train`` with no arguments trains on digits: a stratified split into 70 % training,
10 % validation and 20 % test examples (at random, with a note, where the classes are
too small to stratify), features scaled to [0, 1] on the training set, a 64-256-10
network (relu, dropout 0.3, softmax, cross-entropy) trained for 40 epochs of Adam on
mini-batches of 32, and reports the test accuracy. On any dataset the
default number of epochs is 40, or more where 40 epochs would take fewer than 1600
updates (small datasets).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import itertools
import json
import math
import re
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.errors import ArgumentError, DataError, ModelError, SpecError, quote
from glassnet.network import PROBABILITY_TARGETS, Network

DEFAULT_HIDDEN = [256]
DEFAULT_EPOCHS = 40
DIAGNOSTICS_SAMPLE = 256  # training examples the per-epoch diagnostics are measured on
MIN_UPDATES = 1600
DEFAULT_SPEC_STEPS = 1000
VALIDATION, TEST = 0.1, 0.2


def _jsonable(values: Any) -> list:
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _scaler(kind: str, X: np.ndarray, data: str, names: list[str]) -> Any:
    """The scaler ``kind`` fitted on X (its columns ``names``); one float64 can't hold is named."""
    from glassnet.data import SCALERS

    if kind == "none":
        return None
    try:
        return SCALERS[kind]().fit(X)
    except ArgumentError as exc:  # a column of values near float64's limits
        j = getattr(exc, "column", None)
        if j is None:
            raise
        where = f"{data}: column {quote(names[j])} of the training rows"
        raise ArgumentError(f"{where}: {exc.detail}") from None  # type: ignore[attr-defined]


def _scaler_meta(kind: str, scaler: Any) -> dict | None:
    if scaler is None:
        return None
    return {"kind": kind, "offset": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}


def _apply(
    meta: dict | None,
    X: np.ndarray,
    data: str | None = None,
    names: list[str] | None = None,
    part: str | None = None,
) -> np.ndarray:
    """(X − offset) / scale by a scaler's metadata.

    With ``data`` (the file X was read from, its columns ``names``), a value that the
    scaling takes beyond float64 (1e308 where the scale is 0.2) is an ArgumentError
    naming its row and column, not an infinity that becomes a NaN further on; with
    ``part`` (train's "validation" or "test" rows, shuffled) the part, not the row.
    """
    if meta is None:
        return X
    offset, scale = _offset_scale(meta)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = (X - offset) / scale
    if data is not None and not np.isfinite(scaled).all():  # X itself is finite: data.py's
        k, j = np.argwhere(~np.isfinite(scaled))[0]
        column = quote(names[j]) if names is not None else str(j + 1)
        row = f"row {k + 1}" if part is None else f"a {part} row"
        raise ArgumentError(
            f"{data}: {row}, column {column}: {float(X[k, j])!r} overflows the model's "
            "scaling, (x − offset) / scale"
            + ("" if part is None else ", fitted on the training rows")
        )
    return scaled


def _offset_scale(meta: dict) -> tuple[np.ndarray, np.ndarray]:
    """A scaler's metadata as float64 arrays (an int beyond int64 would make an object array)."""
    return (
        np.asarray(meta["offset"], dtype=np.float64),
        np.asarray(meta["scale"], dtype=np.float64),
    )


def _unapply(meta: dict | None, Y: np.ndarray) -> np.ndarray:
    if meta is None:
        return Y
    offset, scale = _offset_scale(meta)
    return Y * scale + offset


CHECKPOINTS_KEPT = 3
# every file `train --out` may write; a run removes those of an earlier run that it did not write
OUTPUTS = (
    "model.npz",
    "history.csv",
    "history.json",
    "explain.html",
    "loss.png",
    "confusion.png",
    "decision_boundary.png",
    "diagnostics.json",
    "gradient_norms.png",
    "activations.png",
    "report.md",
    "trained.toml",
)
MAX_UNITS = 100_000  # the widest hidden layer --hidden takes
# the most weights whose explain.html --out writes: the page draws every edge as it opens
# and at each edit of a weight matrix (docs/html.md: 3 s for digits' 64-256-10, 18944
# weights, 19 s for 784-256-10); `glassnet explain --format html` writes any on request
MAX_PAGE_WEIGHTS = 25_000
# the ranges of train's numeric settings, (test, what it expects): its flags' (the
# CLI's argument types) and those a checkpoint holds (checked on --resume)
# (10⁹ at most: a count beyond is a typing slip, which would run as if for ever)
COUNT = (lambda v: 1 <= v <= 10**9, "a whole number from 1 to 1000000000")
POSITIVE = (lambda v: 0 < v < math.inf, "a number > 0")
RATE = (lambda v: 0 <= v < 1, "a rate in [0, 1)")
SEED = (lambda v: 0 <= v < 2**32, "a whole number from 0 to 4294967295")
SETTINGS = (
    "dataset",
    "target",
    "hidden",
    "activation",
    "loss",
    "optimizer",
    "lr",
    "epochs",
    "batch_size",
    "dropout",
    "scale",
    "seed",
    "out",
    "checkpoint_every",
)


def train_job(args: argparse.Namespace) -> dict[str, Any]:
    """Run ``glassnet train``; returns the result, with its text report under ``_text``.

    A run that fails leaves no folder of ``--out`` that it made and wrote nothing into.
    """
    for flag in ("out", "resume"):  # not taken for "not given": a variable left empty
        if getattr(args, flag, None) == "":
            raise ArgumentError(f"--{flag}: an empty folder name; give a folder's, or no --{flag}")
    out = Path(args.out) if getattr(args, "out", None) else None
    made = [] if out is None else [p for p in (out, *out.parents) if not p.exists()]
    try:
        return _train_job(args)
    except BaseException:
        for folder in made:  # the innermost first; one that holds files stays, and its parents
            try:
                folder.rmdir()
            except OSError:
                break
        raise


def _train_job(args: argparse.Namespace) -> dict[str, Any]:
    resume = None
    if getattr(args, "resume", None):
        args, resume = _resume_args(args)
    # a fresh run replaces an earlier run's checkpoints in --out; a resumed run goes on with them
    earlier = [] if resume is not None or not args.out else _checkpoints(Path(args.out))
    if getattr(args, "seed", None) is None:  # not given: 0, the documented default
        args.seed = 0
    if args.out:
        _not_an_input(Path(args.out), ("--spec", args.spec), ("--dataset", args.dataset))
    if getattr(args, "checkpoint_every", None) and not args.out:
        raise ArgumentError("--checkpoint-every: give --out DIR for the checkpoints")
    if args.spec and (getattr(args, "checkpoint_every", None) or resume is not None):
        raise ArgumentError("--checkpoint-every and --resume train datasets, not --spec")
    for flag, given in (("--dataset", args.dataset), ("--target", args.target)):
        if given == "":  # a variable left empty in a script: not the default dataset
            raise ArgumentError(f"{flag}: an empty name; give a dataset's or a file's")
    if args.spec:
        if args.dataset is not None or args.target is not None:
            raise ArgumentError(
                "--spec trains on the spec's own examples: give it without --dataset or --target"
            )
        given = _given(args, "--hidden", "--activation", "--loss", "--scale")
        if given:
            raise ArgumentError(
                f"{given[0]}: the spec sets its network and examples; give --spec without "
                f"{', '.join(given)}"
            )
        return _train_spec(args, earlier)
    args.activation = args.activation or "relu"
    args.scale = args.scale or "minmax"
    from glassnet.data import DATASETS, DEFAULT_DATASET, load_dataset

    source = args.dataset or DEFAULT_DATASET
    if args.target is not None and source in DATASETS:  # named as the flag it came from
        raise ArgumentError(
            f"--target: applies to a CSV or .npy file, not to the dataset {quote(source)}"
        )
    start = time.perf_counter()
    try:
        data = load_dataset(source, target=args.target, seed=args.seed)
    except DataError as exc:
        if resume is None:
            raise
        # a run's own data, as given where it began: name the checkpoint it came from
        lost = (
            source not in DATASETS and not Path(source).is_absolute() and not Path(source).exists()
        )
        where = " (a path from the folder the run began in)" if lost else ""
        raise ModelError(args.checkpoint, f"settings: dataset{where}: {exc}") from None
    # the data's SHA-256, kept in the checkpoints (only a run with --out writes them)
    fingerprint = data.fingerprint() if args.out else None
    if resume is not None and getattr(args, "data_sha256", None) not in (None, fingerprint):
        raise ModelError(
            args.checkpoint,
            f"settings: data_sha256: the data of {quote(source)} changed since the run "
            "began; resumed on them, it would not be that run",
        )
    args.data_sha256 = fingerprint
    if data.n_classes == 1:  # a 1-unit softmax outputs 1 whatever the input: nothing to learn
        column = f"column {quote(data.target_name)}" if data.target_name else "the target"
        raise ArgumentError(
            f"{args.dataset}: {column} holds one class ({quote(data.classes[0])}); "
            "a classifier needs examples of at least 2 classes"
        )
    classification = data.task == "classification"
    hidden = DEFAULT_HIDDEN if args.hidden is None else args.hidden
    n_out = data.n_classes if classification else data.y.reshape(len(data.y), -1).shape[1]
    output = "softmax" if classification else "identity"
    loss = args.loss or ("cross_entropy" if classification else "half_squared_error")
    _check_choices(args.activation, loss, data.name, classification, _flag(args))
    _check_size([data.X.shape[1], *hidden, n_out], _flag(args)("hidden"))
    if args.out:  # before any training: a folder that can't be written loses the run
        _writable(Path(args.out))
    X_train, y_train, X_val, y_val, X_test, y_test = _split(args, data)
    scaler = _scaler(args.scale, X_train, data.name, data.feature_names)
    x_meta = _scaler_meta(args.scale, scaler)
    names = data.feature_names
    X_train, X_val, X_test = (
        _apply(x_meta, X, data.name, names, part)
        for X, part in ((X_train, "training"), (X_val, "validation"), (X_test, "test"))
    )
    y_meta = None
    if not classification:  # regression targets standardised too; predictions undo it
        y2 = y_train.reshape(len(y_train), -1)
        target = [data.target_name or "target"] * y2.shape[1]
        y_meta = _scaler_meta("standard", _scaler("standard", y2, data.name, target))
        y_train, y_val, y_test = (
            _apply(y_meta, y.reshape(len(y), -1), data.name, target, part)
            for y, part in ((y_train, "training"), (y_val, "validation"), (y_test, "test"))
        )

    network = Network(
        [data.X.shape[1], *hidden, n_out],
        activations=[args.activation] * len(hidden) + [output],
        loss=loss,
        seed=args.seed,
    )
    optimizer = args.optimizer or "adam"
    dropout = (0.3 if hidden else 0.0) if args.dropout is None else args.dropout
    batch_size = args.batch_size or 32
    # at least 40 epochs and about 1600 updates, so that small datasets are learned too
    batches = -(-len(X_train) // batch_size)
    epochs = args.epochs or max(DEFAULT_EPOCHS, -(-MIN_UPDATES // batches))
    if resume is not None and resume["epoch"] > epochs:  # past the end of the run it is of
        raise ModelError(
            args.checkpoint,
            f"state: epoch: expected at most {epochs}, the epochs of its run (settings: "
            f"epochs{'' if args.epochs else ', null: the default'}), found {resume['epoch']}",
        )
    # a checkpoint of the run's last epoch (or of its early stop) without the model.npz
    # written after it (_resume_args refuses a run that has it): the run was stopped
    # between the two, and resuming trains nothing and writes what it would have written
    from glassnet.diagnose import DiagnosticsCallback

    # the diagnostics of every epoch, on a sample of the training data (for --out)
    recorder = DiagnosticsCallback(X_train[:DIAGNOSTICS_SAMPLE], y_train[:DIAGNOSTICS_SAMPLE])
    writer = _checkpoint_writer(args, earlier) if args.out else None

    def hint() -> str:  # for a Ctrl-C: does a checkpoint of this run let it go on?
        if writer is None:
            return "with --out DIR a run writes a checkpoint on Ctrl-C, for `--resume DIR`"
        return f"go on with `glassnet train --resume {shlex.quote(args.out)}`" if writer.own else ""

    with _interrupted(hint), _checkpoint_named(args):
        history = network.fit(
            X_train,
            y_train,
            epochs=epochs,
            batch_size=args.batch_size or 32,
            optimizer=optimizer,
            learning_rate=args.lr,
            validation_data=(X_val, y_val) if len(X_val) else None,
            seed=args.seed,
            dropout=dropout if hidden else 0.0,
            verbose=args.progress,
            callbacks=[recorder] if args.out else [],
            checkpoint_every=getattr(args, "checkpoint_every", None),
            on_checkpoint=writer,
            resume=resume,
        )
    test = network.evaluate(X_test, y_test)
    metric = history.metric
    result: dict[str, Any] = {
        "dataset": data.name,
        "task": data.task,
        "epochs": len(history.epoch),
        "train_loss": history["loss"][-1],
        f"train_{metric}": history[metric][-1],
    }
    if "val_loss" in history.history:
        result["val_loss"] = history["val_loss"][-1]
        result[f"val_{metric}"] = history[f"val_{metric}"][-1]
    result["test_loss"] = test["loss"]
    result[f"test_{metric}"] = test[metric]
    result.update(
        {
            "n_train": len(X_train),
            "n_val": len(X_val),
            "n_test": len(X_test),
            "sizes": network.sizes,
            "activations": [l.activation.name for l in network.layers],
            "loss": loss,
            "optimizer": optimizer,
            "learning_rate": history["learning_rate"][0],
            "batch_size": batch_size,
            "dropout": dropout,
            "scale": args.scale,
            "seed": args.seed,
        }
    )
    metadata = {
        "dataset": data.name,
        "task": data.task,
        "target": args.target,
        "target_column": data.target_name,
        "feature_names": list(data.feature_names),
        "classes": _jsonable(data.classes) if data.classes is not None else None,
        "x_scaler": x_meta,
        "y_scaler": y_meta,
    }
    notes: list[str] = []
    if args.out:
        written, notes = _write_outputs(
            Path(args.out),
            network,
            history,
            metadata,
            result,
            X_test,
            y_test,
            data.classes,
            example=(X_test[:1], y_test[:1]) if len(X_test) else (X_train[:1], y_train[:1]),
            diagnostics=recorder,
        )
        _remove_earlier(Path(args.out), earlier, written)
    result["seconds"] = round(time.perf_counter() - start, 3)
    result["out"] = args.out
    result["_text"] = _train_text(result, metric, notes)
    return result


def _not_an_input(out: Path, *inputs: tuple[str, str | None]) -> None:
    """ArgumentError where a file that --out writes is one of the run's inputs (by any path)."""
    for flag, name in inputs:
        if name is None or not Path(name).is_file():  # a dataset's name, or no file to lose
            continue
        for output in (out / written for written in OUTPUTS):
            if output.is_file() and output.samefile(name):
                raise ArgumentError(f"--out {out}: would overwrite the input {name} ({flag})")


def _split(args: argparse.Namespace, data: Any) -> tuple[np.ndarray, ...]:
    """The 70/10/20 split, stratified by class where every class is large enough.

    A class too small to keep its share in each part (one example, or fewer examples per
    part than classes) is split at random, as Keras's validation_split, with a note.
    """
    from glassnet.data import train_val_test_split

    def split(stratify: bool) -> tuple[np.ndarray, ...]:
        return train_val_test_split(
            data.X, data.y, val=VALIDATION, test=TEST, stratify=stratify, seed=args.seed
        )

    try:
        if data.task != "classification":
            return split(False)
        try:
            return split(True)
        except ArgumentError:
            parts = split(False)  # raises itself where the examples are too few for any split
    except ArgumentError as exc:  # too few examples: named with their file
        raise ArgumentError(f"{args.dataset or data.name}: {exc}") from None
    counts = np.bincount(data.y, minlength=len(data.classes))
    smallest = int(np.argmin(counts))
    print(
        f"glassnet: note: {args.dataset}: too few examples to stratify the split by class "
        f"(the smallest, {quote(data.classes[smallest])}, has {counts[smallest]}); split at random",
        file=sys.stderr,
    )
    return parts


def _steps(epochs: int, args: argparse.Namespace, spec: Any) -> str:
    """The steps of a spec's training, said: one an epoch, or with --batch-size its batches."""
    batches = -(-len(spec.X) // args.batch_size) if args.batch_size else 1
    if batches == 1:
        return f"{epochs} steps"
    return f"{epochs} epochs ({epochs * batches} steps)"


def _given(args: argparse.Namespace, *flags: str) -> list[str]:
    """The flags among ``flags`` given on the command line (each defaults to None)."""
    return [flag for flag in flags if getattr(args, flag[2:].replace("-", "_"), None) is not None]


def _flag(args: argparse.Namespace) -> Callable[[str], str]:
    """A setting's name in a message: its flag, or in a resumed run the checkpoint's setting."""
    checkpoint = getattr(args, "checkpoint", None)
    if checkpoint is None:
        return lambda key: f"--{key.replace('_', '-')}"
    return lambda key: f"{checkpoint}: settings: {key}"


def _check_size(sizes: list[int], flag: str = "--hidden") -> None:
    """ArgumentError naming --hidden for a network too large to hold, as a spec's is refused."""
    from glassnet.spec import MAX_PARAMETERS

    total = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
    if total > MAX_PARAMETERS:
        raise ArgumentError(
            f"{flag}: the network {'-'.join(map(str, sizes))} would have {total:,} parameters "
            f"(~{total * 8 / 2**30:,.1f} GiB); glassnet refuses more than {MAX_PARAMETERS:,}"
        )


def _check_choices(
    activation: str, loss: str, dataset: str, classification: bool, flag: Callable[[str], str]
) -> None:
    """ArgumentError naming --activation or --loss by ``flag``: unknown, or a wrong loss."""
    from glassnet.activations import ACTIVATIONS
    from glassnet.errors import unknown_name
    from glassnet.losses import LOSSES

    if activation not in ACTIVATIONS:
        act = unknown_name("activation", activation, ACTIVATIONS)
        raise ArgumentError(f"{flag('activation')}: {act}")
    if loss not in LOSSES:
        raise ArgumentError(f"{flag('loss')}: {unknown_name('loss', loss, LOSSES)}")
    cross_entropy = loss in PROBABILITY_TARGETS
    if classification and loss != "cross_entropy":
        other = (  # binary_cross_entropy: sigmoid outputs, one yes/no per unit
            "binary_cross_entropy takes sigmoid outputs (a --spec)"
            if loss == "binary_cross_entropy"
            else "a squared error needs numeric targets (a regression dataset, or a --spec)"
        )
        raise ArgumentError(
            f"{flag('loss')} {loss}: {dataset} is a classification dataset, which trains a "
            f"softmax output with cross_entropy; {other}"
        )
    if not classification and cross_entropy:
        raise ArgumentError(
            f"{flag('loss')} {loss}: {dataset} is a regression dataset (numeric targets); use "
            "half_squared_error, mean_squared_error or squared_error"
        )


CHECKPOINT_NAME = re.compile(r"epoch-(\d+)-(\d+)\.npz")  # as _checkpoint_writer names them


def _checkpoints(out: Path) -> list[Path]:
    """The checkpoints in OUT/checkpoints/, oldest first; no file of another name.

    By the point of training each resumes from, as numbers (epoch 100000 after 99999):
    ``epoch-E-K`` stopped at example K of epoch E, ``epoch-E-0`` after the whole of
    epoch E, so it comes after every ``epoch-E-K``.
    """

    def when(path: Path) -> tuple[int, int]:
        epoch, start = map(int, CHECKPOINT_NAME.fullmatch(path.name).groups())  # type: ignore[union-attr]
        return (epoch + 1, 0) if start == 0 else (epoch, start)

    found = [
        p for p in (out / "checkpoints").glob("epoch-*.npz") if CHECKPOINT_NAME.fullmatch(p.name)
    ]
    return sorted(found, key=when)


def _checkpoint_writer(args: argparse.Namespace, earlier: list[Path]) -> Any:
    """Save each checkpoint into OUT/checkpoints/, keeping the last few of this run's.

    ``earlier`` (emptied here) are an earlier run's checkpoints in the folder: they go once
    this run has written its first, so that they neither push this run's out (their epochs
    may be higher) nor are what ``--resume`` goes on with.  The others in the folder are
    the run's own (a resumed run's lineage).
    """
    from glassnet.io import save_checkpoint

    folder = Path(args.out) / "checkpoints"
    settings = {k: getattr(args, k, None) for k in SETTINGS}
    settings["data_sha256"] = getattr(args, "data_sha256", None)  # (none before 2026-11-28)
    own = [path for path in _checkpoints(Path(args.out)) if path not in earlier]

    def write(checkpoint: dict[str, Any]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"epoch-{checkpoint['epoch']:05d}-{checkpoint['next_start']:08d}.npz"
        save_checkpoint(path, checkpoint, settings)
        if path not in own:
            own.append(path)
        cut = _temporaries(folder, "epoch-*.npz")  # of a write that a kill cut short
        for old in [p for p in earlier if p != path] + own[:-CHECKPOINTS_KEPT] + cut:
            old.unlink(missing_ok=True)
        earlier.clear()
        del own[:-CHECKPOINTS_KEPT]

    write.own = own  # type: ignore[attr-defined]  # the checkpoints a Ctrl-C can resume from
    return write


@contextlib.contextmanager
def _interrupted(hint: Any) -> Iterator[None]:
    """A Ctrl-C in training carries ``hint()`` (whether and how the run goes on) to the CLI."""
    try:
        yield
    except KeyboardInterrupt as exc:
        exc.hint = hint()  # type: ignore[attr-defined]
        raise


def _temporaries(folder: Path, *names: str) -> list[Path]:
    """The temporary files that glassnet's atomic writes of ``names`` (globs) left in ``folder``.

    Only a write that was killed leaves one (``.NAME.XXXXXXXX.tmp``, the 8 characters
    of :func:`tempfile.mkstemp`); a run calls this after its own writes there are done.
    """
    return [path for name in names for path in folder.glob(f".{name}.{'?' * 8}.tmp")]


def _remove_earlier(out: Path, earlier: list[Path], written: list[str]) -> None:
    """Remove what an earlier run wrote in ``out`` and this run, now written, did not replace.

    Its checkpoints ``earlier``, and those of the files a run writes (:data:`OUTPUTS`)
    that this one did not write (a moons run's decision boundary beside a later
    diabetes model), and the temporary files of theirs that a killed write left;
    no other file.
    """
    stale = [out / name for name in OUTPUTS if name not in written]
    with _writing(out):
        cut = [*_temporaries(out, *OUTPUTS), *_temporaries(out / "checkpoints", "epoch-*.npz")]
        for path in [*earlier, *stale, *cut]:
            path.unlink(missing_ok=True)
    if earlier:
        with contextlib.suppress(OSError):  # a folder left empty goes; one with other files stays
            (out / "checkpoints").rmdir()


@contextlib.contextmanager
def _checkpoint_named(args: argparse.Namespace) -> Iterator[None]:
    """A checkpoint that does not fit the run its own settings make: a ModelError naming it."""
    from glassnet.train import ResumeError

    try:
        yield
    except ResumeError as exc:
        if getattr(args, "checkpoint", None) is None:
            raise
        raise ModelError(
            args.checkpoint, f"does not fit the run of its own settings: {exc.problem}"
        ) from None


def _resume_args(args: argparse.Namespace) -> tuple[argparse.Namespace, dict[str, Any]]:
    """The settings and the last good checkpoint of the run in ``args.resume``."""
    from glassnet.io import load_checkpoint

    given = _given(
        args,
        *("--dataset", "--target", "--spec", "--hidden", "--activation", "--loss"),
        *("--optimizer", "--lr", "--epochs", "--batch-size", "--dropout", "--scale", "--out"),
        *("--checkpoint-every", "--seed"),
    )
    if given:
        raise ArgumentError(
            f"{given[0]}: --resume continues the run with its own settings; give it "
            f"without {', '.join(given)}"
        )
    folder = Path(args.resume) / "checkpoints"
    refused = None  # the newest checkpoint refused, and why
    # the newest that loads whole: a crash may have cut the last
    for path in reversed(_checkpoints(Path(args.resume))):
        try:
            checkpoint, settings = load_checkpoint(path)
        except ModelError as exc:
            refused = refused or (path.name, exc.message)
            continue
        model = Path(args.resume) / "model.npz"
        # written at a run's end, after its last checkpoint, the report last of all: one
        # that ended past every checkpoint (no --checkpoint-every, or epochs not a
        # multiple of it) has finished; one cut short among its outputs has not
        written_after = [Path(args.resume) / name for name in ("model.npz", "report.md")]
        if all(
            p.is_file() and p.stat().st_mtime_ns > path.stat().st_mtime_ns for p in written_after
        ):
            # a newer one refused (cut short) is said: "last" is the last that loads
            passed = f"; {refused[0]}, newer, is refused: {refused[1]}" if refused else ""
            raise ArgumentError(
                f"--resume {args.resume}: the run finished (its last checkpoint that loads is "
                f"of epoch {checkpoint['epoch']}); its model is {model}{passed}"
            )
        _check_settings(path, settings)
        resumed = argparse.Namespace(**{**vars(args), **settings})
        resumed.resume, resumed.spec, resumed.out = None, None, str(args.resume)
        resumed.checkpoint = str(path)  # its settings' errors name it
        return resumed, checkpoint
    newest = f": the newest, {refused[0]}, is refused: {refused[1]}" if refused else ""
    raise ArgumentError(f"--resume {args.resume}: no checkpoint to resume from in {folder}{newest}")


def _finite(value: object) -> bool:
    """A finite int or float of a JSON text (its whole numbers may be beyond any float)."""
    try:
        return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]
    except OverflowError:
        return False


def _check_settings(path: Path, settings: dict[str, Any]) -> None:
    """ModelError naming the checkpoint and the setting, for one that train could not have saved.

    A resumed run trains with these, never checked as its flags are (a hand-edited file).
    """
    from glassnet.activations import ACTIVATIONS
    from glassnet.data import DATASETS
    from glassnet.errors import unknown_name
    from glassnet.io import _show
    from glassnet.losses import LOSSES
    from glassnet.optimizers import OPTIMIZERS

    Rule = tuple[Callable[[Any], bool], str]

    def whole(rule: Rule) -> Rule:  # a JSON int (not a bool) in the flag's range
        return (lambda v: type(v) is int and rule[0](v)), rule[1]

    def number(rule: Rule) -> Rule:  # a JSON number within a float, in the flag's range
        return (lambda v: _finite(v) and rule[0](v)), rule[1]

    def text(v: Any) -> bool:
        return isinstance(v, str)

    expected: dict[str, Rule] = {
        "dataset": (text, "a dataset name or file"),
        "target": (text, "a column"),
        "hidden": (
            lambda v: (
                isinstance(v, list) and all(type(n) is int and 1 <= n <= MAX_UNITS for n in v)
            ),
            f"a list of sizes from 1 to {MAX_UNITS}",
        ),
        "lr": number(POSITIVE),
        "epochs": whole(COUNT),
        "batch_size": whole(COUNT),
        "dropout": number(RATE),
        "scale": (lambda v: v in ("minmax", "standard", "none"), "minmax, standard or none"),
        "seed": whole(SEED),
        "out": (text, "a folder"),  # replaced by the folder resumed
        "checkpoint_every": whole(COUNT),
        "data_sha256": (
            lambda v: isinstance(v, str) and re.fullmatch("[0-9a-f]{64}", v),
            "a SHA-256",
        ),
    }
    names = {"activation": ACTIVATIONS, "loss": LOSSES, "optimizer": OPTIMIZERS}
    missing = [key for key in SETTINGS if key not in settings]  # (null where not given)
    if missing:
        raise ModelError(str(path), f"settings: {missing[0]}: missing")
    for key, value in settings.items():
        if value is None and key in {*expected, *names}:  # not given: the default
            continue
        if key in names:
            if not (isinstance(value, str) and value in names[key]):
                problem = unknown_name(key, value, names[key])
                raise ModelError(str(path), f"settings: {key}: {problem}")
        elif key not in expected:
            raise ModelError(str(path), f"settings: {quote(key)}: not a setting of glassnet train")
        elif not expected[key][0](value):
            found = _show(value)
            raise ModelError(
                str(path), f"settings: {key}: expected {expected[key][1]}, found {found}"
            )
    if settings.get("target") is not None and settings.get("dataset") in DATASETS:
        raise ModelError(
            str(path),
            f"settings: target: applies only to files, not to the dataset "
            f"{quote(settings['dataset'])}",
        )


def _train_spec(args: argparse.Namespace, earlier: list[Path]) -> dict[str, Any]:
    from glassnet.spec import load_spec

    start = time.perf_counter()
    spec = load_spec(args.spec)
    if args.out:
        _writable(Path(args.out))
    network = spec.network
    learning_rate = args.lr if args.lr is not None else spec.learning_rate
    if learning_rate == 0:  # the spec's η = 0 explains a step; it trains none
        raise ArgumentError(
            f"{args.spec}: learning_rate: 0 takes no step; give the spec a learning_rate "
            "> 0, or --lr"
        )
    steps = args.epochs or DEFAULT_SPEC_STEPS
    with np.errstate(over="ignore", invalid="ignore"):
        initial = network.loss_value(spec.X, spec.Y)
    if not math.isfinite(initial):  # no step can start from it: not the learning rate's fault
        raise SpecError(
            args.spec,
            "",
            f"the loss at its weights is {initial} (its numbers overflow {network.dtype}): "
            "there is no step to take from them",
        )
    optimizer = args.optimizer or "sgd"
    from glassnet.diagnose import DiagnosticsCallback

    # the diagnostics of every step, as for a dataset (for --out)
    recorder = DiagnosticsCallback(spec.X[:DIAGNOSTICS_SAMPLE], spec.Y[:DIAGNOSTICS_SAMPLE])
    with _interrupted(lambda: "a --spec run writes no checkpoint: it can't be resumed"):
        history = network.fit(
            spec.X,
            spec.Y,
            epochs=steps,
            batch_size=args.batch_size,
            optimizer=optimizer,
            learning_rate=learning_rate,
            shuffle=False,
            seed=args.seed,
            dropout=args.dropout or 0.0,
            verbose=args.progress,
            callbacks=[recorder] if args.out else [],
        )
    final = network.loss_value(spec.X, spec.Y)
    result: dict[str, Any] = {
        "dataset": spec.path,
        "spec": spec.path,
        "task": "spec",
        "epochs": len(history.epoch),
        "initial_loss": initial,
        "train_loss": history["loss"][-1],
        "final_loss": final,
        "sizes": network.sizes,
        "loss": network.loss.name,
        "optimizer": optimizer,
        "learning_rate": learning_rate,
        "n_train": len(spec.X),
    }
    notes: list[str] = []
    if args.out:
        from glassnet.io import export_spec

        out = Path(args.out)
        written, notes = _write_outputs(
            out,
            network,
            history,
            {"spec": spec.path, "task": "spec"},
            result,
            None,
            None,
            None,
            example=(spec.X, spec.Y),
            diagnostics=recorder,
        )
        with _writing(out):
            export_spec(
                network,
                out / "trained.toml",
                spec.X,
                spec.Y,
                learning_rate=learning_rate,
                weights_layout=spec.weights_layout,  # written as the person's spec was
            )
        notes.append("trained.toml: the trained network as a spec — `glassnet explain` opens it")
        _remove_earlier(out, earlier, [*written, "trained.toml"])
    result["seconds"] = round(time.perf_counter() - start, 3)
    result["out"] = args.out
    lines = [
        f"glassnet train: {spec.path} ({len(spec.X)} example(s)), {_steps(steps, args, spec)} "
        f"of {optimizer}, η = {learning_rate:g}",
        f"loss: {initial:.6g} before, {final:.6g} after",
        *notes,
        f"seconds: {result['seconds']}",
    ]
    result["_text"] = "\n".join(lines) + "\n"
    return result


def _four(value: float) -> str:
    """To 4 decimals, as a loss or a score is read; a huge one (a loss of 1e200) to 4 digits."""
    return f"{value:.4f}" if abs(value) < 1e6 else f"{value:.4g}"


def _train_text(result: dict[str, Any], metric: str, notes: list[str]) -> str:
    sizes = result["sizes"]
    arch = f"{sizes[0]} → " + " → ".join(
        f"{n} {a}" for n, a in zip(sizes[1:], result["activations"], strict=True)
    )
    lines = [
        f"glassnet train: {result['dataset']} ({result['task']}; {result['n_train']} training, "
        f"{result['n_val']} validation, {result['n_test']} test examples)",
        f"network: {arch}; loss {result['loss']}; {result['optimizer']}, "
        f"η = {result['learning_rate']:g}, {result['epochs']} epoch"
        f"{'' if result['epochs'] == 1 else 's'}, batch {result['batch_size']}",
    ]
    for split in ("train", "validation", "test"):
        key = "val" if split == "validation" else split
        if f"{key}_loss" in result:
            loss, score = result[f"{key}_loss"], result[f"{key}_{metric}"]
            lines.append(f"{split}: loss {_four(loss)}, {metric} {_four(score)}")
    lines += notes
    lines.append(f"seconds: {result['seconds']}")
    return "\n".join(lines) + "\n"


def _write_outputs(
    out: Path,
    network: Network,
    history: Any,
    metadata: dict,
    result: dict[str, Any],
    X_test: np.ndarray | None,
    y_test: np.ndarray | None,
    classes: list | None,
    example: tuple[np.ndarray, np.ndarray] | None = None,
    diagnostics: Any = None,
) -> tuple[list[str], list[str]]:
    """model.npz, history.csv, history.json, explain.html, plots and report.md in ``out``.

    model.npz first (an output that fails after it leaves the trained model), report.md
    last: ``--resume`` takes a run whose model and report are both newer than its last
    checkpoint for a finished one, and resumes one cut short among these files from
    that checkpoint, which writes them all.

    Returns the names written and the notes that say so.
    """
    with _writing(out):
        from glassnet.io import atomic_write_text, save_model
        from glassnet.render.json import json_text

        save_model(network, out / "model.npz", metadata=metadata)
        atomic_write_text(out / "history.csv", history.to_csv())
        atomic_write_text(out / "history.json", json_text(history.to_dict(), indent=1) + "\n")
        written = ["model.npz", "history.csv", "history.json"]
        notes: list[str] = []
        weights = sum(layer.W.size for layer in network.layers)
        if example is not None and weights > MAX_PAGE_WEIGHTS:
            notes.append(
                f"explain.html skipped: the network has {weights} weights, more than the "
                f"{MAX_PAGE_WEIGHTS} whose page opens within a few seconds; "
                "`glassnet explain --format html` on a spec of it (glassnet.export_spec) "
                "still writes it"
            )
        elif example is not None:  # one more step of the trained network, to step through
            from glassnet.render.html import page_refusal, render_html
            from glassnet.trace import explain_step

            trace = explain_step(
                network, example[0], network.targets(example[1]), result["learning_rate"]
            ).to_dict()
            if (why := page_refusal(trace)) is not None:  # a registered activation or loss
                notes.append(f"explain.html skipped: {why}")
            else:
                title = f"a step of the network trained on {result['dataset']}"
                atomic_write_text(out / "explain.html", render_html(trace, title=title))
                written.append("explain.html")
        from glassnet.render import plots  # (matplotlib is imported when a plot is drawn)

        try:
            plots.plot_history(history, out / "loss.png")
            written.append("loss.png")
            if X_test is not None and y_test is not None and network.is_classifier and len(X_test):
                labels = [str(c) for c in classes] if classes is not None else None
                plots.plot_confusion_matrix(
                    y_test, network.predict(X_test), out / "confusion.png", labels=labels
                )
                written.append("confusion.png")
                if X_test.shape[1] == 2:
                    # the network's inputs: the features as the run scaled them
                    kind = (metadata.get("x_scaler") or {}).get("kind")
                    names = [
                        f"{name} ({kind} scaled)" if kind else str(name)
                        for name in metadata["feature_names"]
                    ]
                    plots.plot_decision_boundary(
                        network, X_test, y_test, out / "decision_boundary.png", feature_names=names
                    )
                    written.append("decision_boundary.png")
        except ImportError as exc:  # not installed, or failing to load: the rest is written
            notes.append(
                "plots skipped: they need matplotlib (pip install 'glassnet[plot]')"
                if str(exc) == plots.MISSING_MATPLOTLIB
                else f"plots skipped: {exc}"
            )

        section = ""
        if diagnostics is not None:
            from glassnet.diagnose import diagnose
            from glassnet.render.diagnose import render_markdown

            found = diagnose(network, diagnostics.X, diagnostics.Y, history["loss"]).to_dict()
            found["epochs"] = diagnostics.records
            atomic_write_text(out / "diagnostics.json", json_text(found) + "\n")
            written.append("diagnostics.json")
            section = render_markdown(found)
            try:
                if diagnostics.records:  # none where a resumed run had no epoch left to train
                    plots.plot_gradient_norms(diagnostics.records, out / "gradient_norms.png")
                    written.append("gradient_norms.png")
                    section += "\n![gradient norms per epoch](gradient_norms.png)\n"
                plots.plot_activation_histograms(network, diagnostics.X, out / "activations.png")
                written.append("activations.png")
                section += "\n![activations](activations.png)\n"
            except ImportError:  # the note above says why
                pass
        report = _report(result, history, written, notes) + ("\n" + section if section else "")
        atomic_write_text(out / "report.md", report)
        written.append("report.md")
        return written, [f"wrote {out}/: {', '.join(written)}", *notes]


@contextlib.contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Write into the folder ``out``; what can't be written there is one line, no traceback.

    A folder that can't take files, a folder where a file goes, a full disk.
    """
    _writable(out)
    try:
        yield
    except OSError as exc:
        what = Path(exc.filename).name if exc.filename else "its files"
        if what.startswith(".") and what.endswith(".tmp"):  # an atomic write's temporary
            what = what[1:].rsplit(".", 2)[0]
        raise ArgumentError(f"--out {out}: cannot write {what}: {exc.strerror}") from None


def _writable(out: Path) -> None:
    """ArgumentError unless the folder ``out`` exists or can be made, and takes files."""
    import tempfile

    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".glassnet-probe-"):
            pass
    except OSError as exc:
        if out.exists() and not out.is_dir():
            raise ArgumentError(f"--out {out}: is a file, not a folder") from None
        raise ArgumentError(f"--out {out}: cannot write there: {exc.strerror}") from None


def _report(result: dict[str, Any], history: Any, written: list[str], notes: list[str]) -> str:
    metric = history.metric
    rows = [
        f"| {key} | {value:.6g} |" if isinstance(value, float) else f"| {key} | {value} |"
        for key, value in result.items()
        if not key.startswith("_") and key != "seconds"
    ]
    lines = [
        f"# Training report: {result['dataset']}",
        "",
        "| | |",
        "| --- | --- |",
        *rows,
        "",
        "## History",
        "",
        f"Loss and {metric} per epoch: `history.csv`, `history.json`"
        + ("; curves in `loss.png`." if "loss.png" in written else "."),
        "",
    ]
    if "loss.png" in written:
        lines += ["![loss and metric per epoch](loss.png)", ""]
    if "confusion.png" in written:
        lines += ["## Test set", "", "![confusion matrix](confusion.png)", ""]
    if "decision_boundary.png" in written:
        lines += ["![decision boundary](decision_boundary.png)", ""]
    lines += ["## Files", "", *(f"- `{name}`" for name in written), *notes, ""]
    return "\n".join(lines)


def _load(model: str) -> tuple[Network, dict]:
    from glassnet.io import load_model

    network, metadata = load_model(model)
    if "feature_names" not in metadata:
        raise ArgumentError(
            f"{model}: not a model written by `glassnet train` on a dataset "
            "(it has no feature names); use the Python API"
        )
    _check_metadata(model, metadata, network)
    return network, metadata


def _stored_target(meta: dict, data: str) -> str | None:
    """The model's ``--target``, for a file of the kind it was trained on.

    A CSV's column name means nothing to a .npy, nor a .npy's column index to a CSV;
    a .npz, an IDX file and a named dataset take no target at all.
    """
    kind = Path(str(meta.get("dataset", ""))).suffix.lower()
    same = kind in (".csv", ".npy") and kind == Path(str(data)).suffix.lower()
    return meta.get("target") if same else None


def _multi_label(network: Network) -> bool:
    """A classifier of several sigmoid units: each says whether its class applies."""
    return (
        network.is_classifier
        and network.output_activation.name == "sigmoid"
        and (network.sizes[-1] > 1)
    )


def _check_metadata(model: str, meta: dict, network: Network) -> None:
    """ModelError unless the metadata that predict and evaluate read is as train writes it.

    See docs/model-format.md: a hand-edited file, or one saved from the API for the
    CLI, must fail with its key named, not as a traceback or as quietly wrong numbers.
    """
    n_in, n_out = network.sizes[0], network.sizes[-1]

    def require(ok: bool, key: str, expected: str) -> None:
        if not ok:
            found = quote(repr(meta.get(key)))
            raise ModelError(model, f"metadata: {key}: expected {expected}, found {found}")

    def numbers(values: object, n: int) -> bool:
        return isinstance(values, list) and len(values) == n and all(map(_finite, values))

    names = meta["feature_names"]
    require(
        isinstance(names, list)
        and len(names) == n_in
        and all(isinstance(n, str) for n in names)
        and len(set(names)) == n_in,  # each a column of its own, read by its name
        "feature_names",
        f"a list of the {n_in} input columns' distinct names",
    )
    for key in ("target", "target_column", "dataset"):
        require(meta.get(key) is None or isinstance(meta[key], str), key, "a name")
    if network.loss.name in PROBABILITY_TARGETS and not network.is_classifier:
        # its targets would be scaled numbers, which a cross-entropy cannot take
        raise ModelError(
            model,
            f"loss {network.loss.name} on {network.output_activation.name} outputs, which are "
            "not probabilities: a cross-entropy needs softmax or sigmoid outputs (a "
            "classifier's), as glassnet train writes it",
        )
    task = meta.get("task")
    require(task in (None, "classification", "regression"), "task", "classification or regression")
    kind = "classification" if network.is_classifier else "regression"
    outputs = f"{network.output_activation.name} outputs and {network.loss.name}"
    require(task in (None, kind), "task", f"{kind} for a network of {outputs}")
    classes = meta.get("classes")
    if network.is_classifier and (classes is not None or task == "classification"):
        require(
            isinstance(classes, list)
            and len(classes) == max(n_out, 2)
            # predict writes them, evaluate maps the data's labels to them by their text
            and all(isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in classes)
            and len({str(c) for c in classes}) == len(classes),
            "classes",
            f"a list of the {max(n_out, 2)} distinct class labels (strings or numbers)",
        )
    if not network.is_classifier:  # (read by nothing there: a sign of another network's)
        require(classes is None, "classes", f"null for a network of {outputs} (a regression)")
    elif meta.get("y_scaler") is not None:  # a classifier's targets are labels, not scaled
        require(False, "y_scaler", "null for a classifier (its targets are class labels)")
    from glassnet.data import SCALERS

    for key, n in (("x_scaler", n_in), ("y_scaler", n_out)):
        scaler = meta.get(key)
        require(
            scaler is None
            or (
                isinstance(scaler, dict)
                and scaler.get("kind") in SCALERS
                and numbers(scaler.get("offset"), n)
                and numbers(scaler.get("scale"), n)
                # x / scale overflows where 1 / scale does (a subnormal scale)
                and all(v > 0 and math.isfinite(1 / v) for v in scaler["scale"])
            ),
            key,
            f'null or {{"kind", "offset", "scale"}}: kind {" or ".join(map(repr, SCALERS))}, '
            f"{n} finite numbers each, scales > 0 with a finite reciprocal",
        )


def predict_job(model: str, data: str, *, proba: bool = False) -> str:
    """Run ``glassnet predict``: one CSV row per example."""
    from glassnet.data import load_inputs

    network, meta = _load(model)
    X = _apply(
        meta.get("x_scaler"),
        load_inputs(data, meta["feature_names"], target=_stored_target(meta, data)),
        data,
        meta["feature_names"],
    )
    classes = meta.get("classes")
    with _naming(data):
        return _predict_rows(network, meta, X, classes, proba)


@contextlib.contextmanager
def _naming(data: str) -> Iterator[None]:
    """An error about the network's inputs X names the data file they came from."""
    try:
        yield
    except ArgumentError as exc:
        text = str(exc)
        if not text.startswith("X: "):
            raise
        raise ArgumentError(f"{data}: {text.removeprefix('X: ')}") from None


def _predict_rows(
    network: Network, meta: dict, X: np.ndarray, classes: list | None, proba: bool
) -> str:
    """The CSV text of ``glassnet predict`` for the inputs X."""
    rows: list[list[Any]]
    if network.is_classifier and classes is not None:
        if proba:
            rows = [classes, *([repr(float(p)) for p in row] for row in network.predict_proba(X))]
        elif _multi_label(network):  # one 0/1 column per class: is its unit on?
            rows = [classes, *([int(v) for v in row] for row in network.predict(X))]
        else:
            rows = [["prediction"], *([classes[i]] for i in network.predict(X))]
    else:
        if proba:
            raise ArgumentError("--proba: the model is not a classifier")
        Y = _unapply(meta.get("y_scaler"), network.output(X))
        header = (
            ["prediction"]
            if Y.shape[1] == 1
            else [f"prediction_{j + 1}" for j in range(Y.shape[1])]
        )
        rows = [header, *([repr(float(v)) for v in row] for row in Y)]
    # the csv module quotes a label with a comma, a quote or a line break in it
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()


def _model_data(
    model: str, data: str, target: str | None
) -> tuple[Network, dict, np.ndarray, np.ndarray, str]:
    """A saved model and a dataset in its terms: (network, metadata, X scaled, y, name)."""
    from glassnet.data import csv_header, load_dataset

    network, meta = _load(model)
    names = list(meta["feature_names"])
    given = target
    header = csv_header(data) if str(data).lower().endswith(".csv") else None
    if header is None:
        target = given if given is not None else _stored_target(meta, data)
    else:  # a CSV's columns by name, in any order, as predict finds them
        missing = [n for n in names if n not in header]
        if missing:
            raise ArgumentError(
                f"{data}: line 1: no column {quote(missing[0])}; the model needs the columns "
                f"{', '.join(map(quote, names))} and a target column"
            )
        others = [c for c in header if c not in names]
        stored = meta.get("target_column") or _stored_target(meta, data)
        target = given if given is not None else stored
        if target is None:  # a model of an older glassnet: the last column, as train took it
            if not others:
                raise ArgumentError(f"{data}: no target column besides the model's features")
            target = header[-1] if header[-1] in others else None
            if target is None:
                raise ArgumentError(
                    f"{data}: the columns {', '.join(others)} besides the model's features; "
                    "name the target with --target"
                )
        if target in names:
            raise ArgumentError(f"--target {target}: is one of the model's feature columns")
        if target not in header:
            where = "--target" if given is not None else "the model's target"
            raise ArgumentError(f"{data}: no target column {quote(target)} ({where})")
    # a CSV's model columns alone (another column may hold text, as predict takes it), and
    # its target as the model's task reads it, not guessed from the file's cells
    task = "classification" if network.is_classifier else "regression"
    dataset = (
        load_dataset(data, target=target)
        if header is None
        else load_dataset(data, target=target, features=names, task=task)
    )
    X = dataset.X
    if header is None and X.shape[1] != len(names):
        if X.shape[1] + 1 == len(names) and str(data).lower().endswith(".npy"):
            # one matrix, its target taken out: as many columns as the model's features
            raise ArgumentError(
                f"{data}: has {len(names)} columns: the model's {len(names)} features and no "
                f"target column, or a target and {X.shape[1]} features; the model takes "
                f"{len(names)} features and a target"
            )
        raise ArgumentError(f"{data}: has {X.shape[1]} features, the model takes {len(names)}")
    X = _apply(meta.get("x_scaler"), X, data, names)
    # the target as the model's task reads it, whatever the file alone suggests (a few
    # rows of whole numbers look like classes, a few labels like numbers)
    values = _target_values(dataset)
    if network.is_classifier:  # the task, where the metadata says it (checked to agree)
        if _multi_label(network):
            raise ArgumentError(
                f"{model}: a multi-label model (several sigmoid outputs) has no one target "
                "column to read; evaluate it from Python (Network.evaluate)"
            )
        if meta.get("classes") is None:
            raise ModelError(
                model, "metadata: classes: expected the class labels (a classifier's), found None"
            )
        known = {str(c): i for i, c in enumerate(meta["classes"])}
        labels = [_known_label(_label(v), known) for v in values]
        unknown = sorted({c for c in labels if c not in known})
        if unknown:
            shown = ", ".join(unknown[:5]) + (f", … ({len(unknown)} in all)" if unknown[5:] else "")
            # where: a row cut short (its label cut to "v") is found by it
            k = next(i for i, c in enumerate(labels) if c not in known)
            raise ArgumentError(
                f"{data}: classes the model does not know: {shown} (the first at example "
                f"{k + 1}, {quote(labels[k])})"
            )
        y = np.array([known[c] for c in labels], dtype=np.int64)
    else:
        try:
            numbers = np.asarray(values, dtype=np.float64)
        except ValueError:
            raise ArgumentError(
                f"{data}: the target holds labels, but the model predicts numbers (regression)"
            ) from None
        Y = numbers.reshape(len(numbers), -1)
        outputs = network.layers[-1].n_out
        if Y.shape[1] != outputs:  # (one column would be broadcast over every output)
            raise ArgumentError(
                f"{data}: has {Y.shape[1]} target column{'s' if Y.shape[1] != 1 else ''}, "
                f"the model {outputs} output{'s' if outputs != 1 else ''}"
            )
        y = _apply(meta.get("y_scaler"), Y, data, [dataset.target_name or "y"] * Y.shape[1])
    return network, meta, X, y, dataset.name


def _target_values(dataset: Any) -> list[Any] | np.ndarray:
    """Each example's target as in the file: its class label, or its number."""
    if dataset.classes is not None:
        return [dataset.classes[i] for i in dataset.y]
    return dataset.y


def _label(value: Any) -> str:
    """A target value as a class label is written in a model: 1.0 and 1 are "1"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _known_label(label: str, known: dict[str, int]) -> str:
    """A label as the model knows it: a CSV's "1.0" is the class 1 of a model that knows "1"."""
    if label in known:
        return label
    try:
        return _label(float(label))
    except ValueError:
        return label


def _fits_network(network: Network, dataset: Any, where: str, source: str) -> None:
    """ArgumentError unless the dataset's inputs and targets fit the network of ``source``."""
    n_in, n_out = network.sizes[0], network.sizes[-1]
    if dataset.X.shape[1] != n_in:
        raise ArgumentError(
            f"{where}: has {dataset.X.shape[1]} features, the network of {source} takes {n_in}"
        )
    k = dataset.n_classes
    if k is not None and not network.is_classifier and n_out > 1:  # one label, not n numbers
        raise ArgumentError(
            f"{where}: has one class label per example, the network of {source} (loss "
            f"{network.loss.name}) needs {n_out} target numbers per example"
        )
    if k is not None and network.is_classifier and k > max(n_out, 2):
        raise ArgumentError(
            f"{where}: has {k} classes, the network of {source} has {n_out} output(s)"
        )
    outputs = 1 if dataset.y.ndim == 1 else dataset.y.shape[1]
    if k is None and outputs != n_out:
        raise ArgumentError(
            f"{where}: has {outputs} target column(s), the network of {source} has "
            f"{n_out} output(s)"
        )


def evaluate_job(model: str, data: str, *, target: str | None = None) -> dict[str, Any]:
    """Run ``glassnet evaluate``: the loss and accuracy or R² on data with targets."""
    network, _, X, y, name = _model_data(model, data, target)
    with _naming(data):
        return {"dataset": name, "n": len(X), **network.evaluate(X, y)}


def diagnose_job(source: str, data: str | None, *, target: str | None = None) -> dict[str, Any]:
    """Run ``glassnet diagnose``: a spec (its examples, or --data) or a saved model (--data)."""
    from glassnet.diagnose import diagnose

    losses = None
    if source.lower().endswith(".npz"):
        if data is None:
            raise ArgumentError(f"{source}: a model is diagnosed on data: give --data NAME|PATH")
        network, _, X, y, _ = _model_data(source, data, target)
        losses = _losses_beside(Path(source))
    else:
        from glassnet.spec import load_spec

        spec = load_spec(source)
        network, X, y = spec.network, spec.X, spec.Y
        if data is not None:
            from glassnet.data import load_dataset

            dataset = load_dataset(data, target=target)
            X, y = dataset.X, dataset.y
            _fits_network(network, dataset, f"--data {data}", source)
    return diagnose(network, X, y, losses).to_dict()


def _losses_beside(model: Path) -> list[float] | None:
    """The training losses of ``history.json`` beside a model, as ``glassnet train --out`` wrote.

    The file is optional, for the learning-rate finding: one that another tool wrote
    there, or a damaged one, is passed over.
    """
    try:
        losses = json.loads(model.with_name("history.json").read_text())["history"]["loss"]
        return [float(loss) for loss in losses]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError):
        return None
    except (OverflowError, RecursionError):  # a number beyond float, nesting too deep
        return None
