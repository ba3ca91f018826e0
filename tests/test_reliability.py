"""Training never loses work: kill it, resume it, and get the very same model."""

from __future__ import annotations

import json
import math
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from glassnet.errors import ModelError
from glassnet.io import load_checkpoint, load_model

from conftest import assert_same_parameters

RUN = [
    "--dataset",
    "digits",
    "--hidden",
    "128",
    "--epochs",
    "12",
    "--seed",
    "3",
    "--checkpoint-every",
    "1",
    "--json",
]


def glassnet(*args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "glassnet", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def wait_for_checkpoints(folder: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while len(list(folder.glob("epoch-*.npz"))) < count:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.01)


def assert_same_run(a: Path, b: Path) -> None:
    net_a, _ = load_model(a / "model.npz")
    net_b, _ = load_model(b / "model.npz")
    for la, lb in zip(net_a.layers, net_b.layers, strict=True):
        np.testing.assert_array_equal(la.W, lb.W)
        np.testing.assert_array_equal(la.b, lb.b)
    history_a = json.loads((a / "history.json").read_text())
    history_b = json.loads((b / "history.json").read_text())
    assert history_a["history"] == history_b["history"]
    assert history_a["epoch"] == history_b["epoch"] == list(range(1, 13))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("whole")
    done = glassnet("train", *RUN, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_killed_with_sigkill_then_resumed_is_bit_for_bit(tmp_path, uninterrupted):
    out = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "train", *RUN, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_checkpoints(out / "checkpoints", 3, process)
    time.sleep(0.03)  # into the middle of an epoch
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (out / "model.npz").exists()
    resumed = glassnet("train", "--resume", str(out), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(out, uninterrupted)


def test_ctrl_c_checkpoints_then_resumes_bit_for_bit(tmp_path, uninterrupted):
    out = tmp_path / "interrupted"
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "train", *RUN, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_checkpoints(out / "checkpoints", 2, process)
    time.sleep(0.03)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    # mid-epoch, or at an epoch's end (its checkpoint being written): no batch after it
    assert re.search(r"interrupted (at|after) epoch", err) and "Traceback" not in err
    resumed = glassnet("train", "--resume", str(out), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(out, uninterrupted)


def test_a_truncated_last_checkpoint_is_skipped(tmp_path, uninterrupted):
    out = tmp_path / "cut"
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "train", *RUN, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_checkpoints(out / "checkpoints", 2, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    newest = sorted((out / "checkpoints").glob("epoch-*.npz"))[-1]
    newest.write_bytes(newest.read_bytes()[: len(newest.read_bytes()) // 2])  # a cut file
    with pytest.raises(ModelError):
        load_checkpoint(newest)
    resumed = glassnet("train", "--resume", str(out), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(out, uninterrupted)


def test_resume_needs_a_checkpoint(tmp_path):
    done = glassnet("train", "--resume", str(tmp_path))
    assert done.returncode == 2 and "no checkpoint" in done.stderr
    done = glassnet("train", "--checkpoint-every", "2")
    assert done.returncode == 2 and "--out" in done.stderr


def _as_format(path: Path, version: int) -> None:
    with np.load(path, allow_pickle=False) as f:
        arrays = dict(f)
    state = json.loads(str(arrays["state"][()]))
    state["format"] = f"glassnet.checkpoint/{version}"
    arrays["state"] = np.array(json.dumps(state))
    np.savez(path, **arrays)


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_checkpoint_between_epochs_still_loads(tmp_path, version):
    from glassnet import Network
    from glassnet.io import save_checkpoint

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    saved = []
    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    net.fit(
        X, y, epochs=2, batch_size=8, checkpoint_every=1, on_checkpoint=saved.append, verbose=False
    )
    between = tmp_path / "between.npz"
    save_checkpoint(between, saved[0], {"run": 1})
    _as_format(between, version)
    checkpoint, settings = load_checkpoint(between)
    assert checkpoint["epoch"] == 1 and settings == {"run": 1}
    # saved again (its early_stopping None: it kept none), as the current format
    save_checkpoint(tmp_path / "again.npz", checkpoint, settings)
    again, _ = load_checkpoint(tmp_path / "again.npz")
    assert again["epoch"] == 1 and again["early_stopping"] == []
    # one from inside an epoch held arrays the old format did not: refused, one line
    inside = dict(
        saved[0],
        next_start=8,
        order=np.arange(40),
        accumulators={
            "total_loss": 1.0,
            "hits": 0.0,
            "seen": 8,
            "sse": None,
            "predictions": np.zeros(40, dtype=np.int64),
        },
    )
    path = tmp_path / "inside.npz"
    save_checkpoint(path, inside, {})
    _as_format(path, version)
    message = rf"state: format: expected .* taken between epochs\), found '.*/{version}'$"
    with pytest.raises(ModelError, match=rf"inside.npz: {message}"):
        load_checkpoint(path)


def test_resume_refuses_other_flags_and_a_finished_run(uninterrupted):
    done = glassnet("train", "--resume", str(uninterrupted), "--epochs", "100", "--lr", "0.5")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert (
        "--resume continues the run with its own settings; give it without --lr, --epochs"
        in done.stderr
    )
    done = glassnet("train", "--resume", str(uninterrupted))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "the run finished" in done.stderr


def _edited(path: Path, out: Path, edit) -> Path:
    with np.load(path, allow_pickle=False) as f:
        arrays = dict(f)
    state = json.loads(str(arrays["state"][()]))
    edit(arrays, state)
    arrays["state"] = np.array(json.dumps(state))
    np.savez(out, **arrays)
    return out


def _small_checkpoint(tmp_path: Path, optimizer: str = "adam") -> Path:
    from glassnet import Network
    from glassnet.io import save_checkpoint

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    saved = []
    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    net.fit(
        X,
        y,
        epochs=1,
        batch_size=8,
        optimizer=optimizer,
        checkpoint_every=1,
        on_checkpoint=saved.append,
        verbose=False,
    )
    path = tmp_path / "good.npz"
    save_checkpoint(path, saved[0], {"run": 1})
    return path


def _set(d, key, value):
    d[key] = value


def _pop(d, key):
    del d[key]


# an edit of a checkpoint (its arrays and the JSON of its state), and the one line that names it
DAMAGED = {
    "W-columns": (
        lambda arrays, state: _set(arrays, "W1", arrays["W1"][:, :2]),
        r"b1: expected a float64 array of shape \(2,\), found a float64 array of shape \(4,\) "
        r"\(W1 has 2 columns, units: one bias each\)",  # (W1 cut, not b1: the pair named)
    ),
    "W-int": (
        lambda arrays, state: _set(arrays, "W1", arrays["W1"].astype(np.int64)),
        r"W1: expected a float32 or float64 array of shape \(…, …\), found an int64 array",
    ),
    "W-int-later": (  # a dtype wrong, the length right: no word of the chain
        lambda arrays, state: _set(arrays, "W2", arrays["W2"].astype(np.int64)),
        r"W2: expected a float64 array of shape \(4, …\), found an int64 array of shape \(4, 2\)$",
    ),
    "W-nan": (
        lambda arrays, state: arrays["W2"].__setitem__((0, 0), np.nan),
        r"W2: holds NaN or infinity",
    ),
    "adam-moment": (
        lambda arrays, state: _set(arrays, "opt._m.0", arrays["opt._m.0"][:, :1]),
        r"opt._m.0: expected a float64 array of shape \(3, 4\), found a float64 array of shape "
        r"\(3, 1\)",
    ),
    "adam-moment-int": (
        lambda arrays, state: _set(arrays, "opt._m.0", arrays["opt._m.0"].astype(np.int64)),
        r"opt._m.0: expected a float64 array of shape \(3, 4\), found an int64 array",
    ),
    "adam-moment-missing": (
        lambda arrays, state: _pop(arrays, "opt._v.3"),
        r"opt._v.3: missing$",
    ),
    "extra-array": (
        lambda arrays, state: _set(arrays, "W9", arrays["W1"]),
        r"unexpected array\(s\) 'W9'$",
    ),
    "format": (
        lambda arrays, state: _set(state, "format", "glassnet.checkpoint/9"),
        r"state: format: expected 'glassnet.checkpoint/3' .*, found 'glassnet.checkpoint/9' "
        r"\(written by a newer glassnet: upgrade glassnet to read it\)$",
    ),
    "unknown-key": (
        lambda arrays, state: _set(state, "extra", 1),
        r"state: unknown key 'extra'$",
    ),
    "layers": (
        lambda arrays, state: _set(state, "layers", float("inf")),
        r"state: layers: expected a whole number ≥ 1, found inf$",
    ),
    "history": (
        lambda arrays, state: state.pop("history"),
        r"state: history: missing$",
    ),
    "best_epoch": (
        lambda arrays, state: state["history"].pop("best_epoch"),
        r"state: history.best_epoch: missing$",
    ),
    "epoch": (
        lambda arrays, state: _set(state, "epoch", "x"),
        r"state: epoch: expected 1, the last epoch of its history, found 'x'$",
    ),
    "epoch-bool": (
        lambda arrays, state: _set(state, "epoch", True),
        r"state: epoch: expected 1, the last epoch of its history, found True$",
    ),
    "next_start": (
        lambda arrays, state: _set(state, "next_start", -1),
        r"state: next_start: expected a whole number ≥ 0, found -1$",
    ),
    "accumulators": (
        lambda arrays, state: _set(state, "accumulators", {}),
        r"state: accumulators: expected null \(a checkpoint between epochs\), found \{\}$",
    ),
    "rng": (
        lambda arrays, state: _set(state, "rng", {"bit_generator": "MT19937", "state": {}}),
        r"state: rng.has_uint32: missing$",
    ),
    "rng-generator": (
        lambda arrays, state: _set(state["rng"], "bit_generator", "MT19937"),
        r"state: rng.bit_generator: expected 'PCG64', found 'MT19937'$",
    ),
    "rng-inc": (
        lambda arrays, state: _set(state["rng"]["state"], "inc", 2**128),
        r"state: rng.state.inc: expected a whole number from 0 to 2\*\*128 - 1, found 3402",
    ),
    "schedule": (
        lambda arrays, state: _set(state, "schedule", 3),
        r"state: schedule: expected a JSON object, found 3$",
    ),
    "schedule-key": (
        lambda arrays, state: _set(state, "schedule", {"rate": 1}),
        r"state: schedule: unknown key 'rate' \(a schedule keeps _names\)$",
    ),
    "settings": (
        lambda arrays, state: _set(state, "settings", [1]),
        r"state: settings: expected a JSON object, found \[1\]$",
    ),
    "optimizer-name": (
        lambda arrays, state: _set(state["optimizer"], "name", "abc"),
        r"state: optimizer.name: expected the class of an optimizer \(SGD, Adam, RMSProp.*\), "
        r"found 'abc'$",
    ),
    "optimizer-number": (
        lambda arrays, state: _set(state["optimizer"]["numbers"], "initial_learning_rate", 0),
        r"state: optimizer.numbers.initial_learning_rate: expected a finite number > 0, found 0$",
    ),
    "optimizer-count": (
        lambda arrays, state: _set(state["optimizer"]["counts"], "_m", 3),
        r"state: optimizer.counts._m: expected null or 4, an array per parameter, found 3$",
    ),
    "history-metric": (
        lambda arrays, state: _set(state["history"], "metric", "f1"),
        r"state: history.metric: expected 'accuracy' or 'r2', found 'f1'$",
    ),
    "history-accuracy": (
        lambda arrays, state: _set(state["history"]["history"], "accuracy", [1.5]),
        r"state: history.history.accuracy\[0\]: expected a finite number from 0 to 1, found 1.5$",
    ),
    "history-unknown": (
        lambda arrays, state: _set(state["history"]["history"], "f1", [1.0]),
        r"state: history.history: unknown key 'f1'$",
    ),
    "stopped_epoch": (
        lambda arrays, state: _set(state["history"], "stopped_epoch", 7),
        r"state: history.stopped_epoch: expected null or 1, found 7$",
    ),
    "early-stopping-best": (
        lambda arrays, state: _set(
            state,
            "early_stopping",
            [{"best": 0.5, "best_epoch": None, "waited": 0, "best_params": False}],
        ),
        r"state: early_stopping\[0\].best: expected NaN \(no best epoch yet\), found 0.5$",
    ),
    "early-stopping-weights": (
        lambda arrays, state: _set(
            state,
            "early_stopping",
            [{"best": 0.5, "best_epoch": 1, "waited": 0, "best_params": True}],
        ),
        r"es0.W1: missing$",
    ),
}


@pytest.mark.parametrize(("edit", "message"), DAMAGED.values(), ids=DAMAGED)
def test_a_damaged_checkpoint_is_a_model_error_naming_the_value(tmp_path, edit, message):
    good = _small_checkpoint(tmp_path)
    load_checkpoint(good)  # the untouched one loads
    bad = _edited(good, tmp_path / "bad.npz", edit)
    with pytest.raises(ModelError, match=rf"^{bad}: {message}") as caught:
        load_checkpoint(bad)
    assert "\n" not in str(caught.value)


def test_a_checkpoint_of_another_network_is_refused_by_fit(tmp_path):
    from glassnet import ArgumentError, Network

    checkpoint, _ = load_checkpoint(_small_checkpoint(tmp_path, "sgd"))
    other = Network([3, 5, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X, y = np.zeros((8, 3)), np.zeros(8, dtype=int)
    with pytest.raises(ArgumentError, match=r"^resume: the checkpoint's parameters"):
        other.fit(X, y, epochs=2, resume=checkpoint, verbose=False)


def test_a_header_claiming_a_huge_array_is_a_model_error(tmp_path):
    import io
    import zipfile

    from glassnet import Network
    from glassnet.io import save_model

    path = tmp_path / "m.npz"
    save_model(Network([2, 2], activations=["softmax"], loss="cross_entropy", seed=0), path)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    hostile = tmp_path / "hostile.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(hostile, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "W1.npy":
                data = b"\x93NUMPY\x01\x00" + header.getvalue()[8:] + b"\0" * 16
            dst.writestr(item, data)
    with pytest.raises(ModelError, match=r"W1.*too large"):
        load_model(hostile)


def test_a_checkpoint_state_nested_too_deeply_is_a_model_error(tmp_path):
    # json.loads raises RecursionError, not ValueError, for an array 100,000 deep
    good = _small_checkpoint(tmp_path)
    with np.load(good, allow_pickle=False) as f:
        arrays = dict(f)
    arrays["state"] = np.array("[" * 100_000 + "]" * 100_000)
    np.savez(tmp_path / "deep.npz", **arrays)
    with pytest.raises(ModelError, match="nested too deeply"):
        load_checkpoint(tmp_path / "deep.npz")


@pytest.mark.parametrize("task", ["classifier", "regressor", "float32"])
def test_every_checkpoint_glassnet_writes_loads_and_resumes_bit_for_bit(tmp_path, task):
    # inside epoch 1 the early stopping's best is NaN and the adaptive schedule's best
    # loss Infinity (through epoch 1): the state's JSON holds them, and they load
    import os

    from glassnet import Callback, Network
    from glassnet.io import save_checkpoint

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    if task == "regressor":
        y = X @ [0.5, -1.0, 2.0]
        layers = {"activations": ["tanh", "identity"], "loss": "half_squared_error"}
    else:
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        layers = {"activations": ["tanh", "softmax"], "loss": "cross_entropy"}

    def make():
        net = Network([3, 6, 1 if task == "regressor" else 2], **layers, seed=0)
        return net.astype("float32") if task == "float32" else net

    settings = {
        "epochs": 3, "batch_size": 8, "optimizer": "adam", "schedule": "adaptive",
        "early_stopping": 2, "validation_split": 0.2, "seed": 4, "l2": 0.01, "verbose": False,
    }  # fmt: skip
    whole = make()
    h_whole = whole.fit(X, y, **settings)

    class CtrlC(Callback):
        def on_batch_end(self, state, batch, logs):
            if batch == 2 and state.epoch == self.epoch:
                os.kill(os.getpid(), signal.SIGINT)

        def __init__(self, epoch):
            self.epoch = epoch

    saved = []
    make().fit(X, y, checkpoint_every=1, on_checkpoint=saved.append, **settings)
    for epoch in (1, 2):
        with pytest.raises(KeyboardInterrupt):
            make().fit(X, y, callbacks=[CtrlC(epoch)], on_checkpoint=saved.append, **settings)
    assert [(c["epoch"], c["next_start"]) for c in saved] == [
        (1, 0),
        (2, 0),
        (3, 0),
        (1, 16),
        (2, 16),
    ]
    assert math.isnan(saved[3]["early_stopping"][0]["best"])
    assert saved[0]["schedule"]["_best"] == math.inf
    for i, checkpoint in enumerate(saved):
        path = tmp_path / f"c{i}.npz"
        save_checkpoint(path, checkpoint, {"run": i})
        loaded, settings_back = load_checkpoint(path)
        assert settings_back == {"run": i}
        resumed = make()
        h_resumed = resumed.fit(X, y, resume=loaded, **settings)
        assert h_resumed.to_dict() == h_whole.to_dict(), i
        assert_same_parameters(resumed, whole)


@pytest.fixture(scope="module")
def unfinished(tmp_path_factory) -> Path:
    """A run of 4 epochs stopped after its checkpoint of epoch 2, its only one."""
    out = tmp_path_factory.mktemp("unfinished") / "run"
    done = glassnet(
        "train", "--dataset", "iris", "--hidden", "8", "--epochs", "4", "--out", str(out),
        "--checkpoint-every", "2", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (out / "model.npz").unlink()
    (out / "checkpoints" / "epoch-00004-00000000.npz").unlink()
    return out


def _at(*path_and_value):
    """An edit setting the value at a path of the state (keys and list indices)."""
    *path, value = path_and_value

    def edit(arrays, state):
        for key in path[:-1]:
            state = state[key]
        state[path[-1]] = value

    return edit


# hand edits of a run's only checkpoint, each refused in one line naming it and the key
EDITED = {
    "optimizer.numbers.t": _at("optimizer", "numbers", "t", []),
    "optimizer.numbers.learning_rate": _at("optimizer", "numbers", "learning_rate", "abc"),
    "optimizer.name": _at("optimizer", "name", "abc"),
    "rng.uinteger": _at("rng", "uinteger", -1),
    "rng.state.state": _at("rng", "state", "state", -1),
    "history.history.loss": _at("history", "history", "loss", 0),
    "history.history.loss[0]": _at("history", "history", "loss", 0, "abc"),
    "history.history.learning_rate[0]": _at("history", "history", "learning_rate", 0, -1),
    "history.history.loss:missing": _at("history", "history", {}),
    "history.epoch": _at("history", "epoch", [[1.0, 2.0], [3.0, 4.0]]),
    "history.history.loss:length": _at("history", "epoch", [1, 2, 3]),
    "history.best_epoch": _at("history", "best_epoch", [1, 2]),
    "early_stopping": _at("early_stopping", 0),
    "layers": _at("layers", float("inf")),
    "opt._m.0": lambda arrays, state: _set(arrays, "opt._m.0", arrays["opt._m.0"].astype(int)),
    "epoch": _at("epoch", -(10**30)),
    "format": lambda arrays, state: state.pop("format"),
}


@pytest.mark.parametrize("edit", EDITED.values(), ids=EDITED)
def test_resume_from_a_hand_edited_checkpoint_is_one_line_naming_it(
    tmp_path, unfinished, request, edit
):
    import shutil

    key = request.node.callspec.id.split(":")[0]
    out = Path(shutil.copytree(unfinished, tmp_path / "run"))
    path = out / "checkpoints" / "epoch-00002-00000000.npz"
    _edited(path, path, edit)
    done = glassnet("train", "--resume", str(out), "--no-progress", "--json", timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert (
        f"no checkpoint to resume from in {out / 'checkpoints'}: the newest, "
        f"epoch-00002-00000000.npz, is refused: state: {key}: "
        in done.stderr
        or f"is refused: {key}: " in done.stderr  # an array, named as in the file
    ), done.stderr


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 1}, r"state: epoch: expected at most 1, the epochs of its run \(settings: "),
        (
            {"optimizer": "sgd"},
            r"does not fit the run of its own settings: the checkpoint holds the state of a "
            r"Adam optimizer, this run's is SGD$",
        ),
        (
            {"hidden": [9]},
            r"does not fit the run of its own settings: the checkpoint's parameters have shapes",
        ),
    ],
    ids=["epochs", "optimizer", "hidden"],
)
def test_resume_names_a_checkpoint_that_does_not_fit_its_own_settings(
    tmp_path, unfinished, settings, message
):
    import re
    import shutil

    out = Path(shutil.copytree(unfinished, tmp_path / "run"))
    path = out / "checkpoints" / "epoch-00002-00000000.npz"
    _edited(path, path, lambda arrays, state: state["settings"].update(settings))
    done = glassnet("train", "--resume", str(out), "--no-progress", "--json", timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert re.match(rf"glassnet: error: {re.escape(str(path))}: {message}", done.stderr), (
        done.stderr
    )
