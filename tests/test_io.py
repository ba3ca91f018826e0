"""Model files and spec export: exact round trips, no pickles, atomic writes, clear refusals."""

from __future__ import annotations

import json
import os
import pickle
import stat
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassnet
from glassnet import ACTIVATIONS, LOSSES, Activation, ArgumentError, Layer, Network
from glassnet.errors import GlassnetError, ModelError
from glassnet.io import (
    MODEL_FORMAT,
    atomic_write_bytes,
    atomic_write_text,
    atomic_writer,
    export_spec,
    load_model,
    save_model,
    spec_text,
)

from conftest import OUTPUT_LOSS, random_batch, random_case, random_network

DTYPES = ["float64", "float32"]


def make_net(output: str, loss: str, dtype: str = "float64", hidden: str | None = None) -> Network:
    """A random 3-layer network whose hidden layers use ``hidden`` (default: ``output``)."""
    rng = np.random.default_rng(zlib.crc32(f"{output}-{loss}-{dtype}-{hidden}".encode()))
    hidden = hidden or output
    return random_network(rng, [3, 5, 4, 2], [hidden, hidden, output], loss, dtype)


def assert_same_network(a: Network, b: Network) -> None:
    """Same dtype, names, fused flag and parameters, bit for bit."""
    assert b.dtype == a.dtype
    assert b.sizes == a.sizes
    assert b.loss is a.loss
    assert b.fused == a.fused
    for la, lb in zip(a.layers, b.layers, strict=True):
        assert lb.activation is la.activation
        for pa, pb in ((la.W, lb.W), (la.b, lb.b)):
            assert pb.dtype == pa.dtype
            assert pb.shape == pa.shape
            assert np.array_equal(pa, pb)
            assert pa.tobytes() == np.ascontiguousarray(pb).tobytes()  # -0.0 too


def arrays_of(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def architecture_of(path: Path) -> dict[str, Any]:
    return json.loads(str(arrays_of(path)["architecture"][()]))


# --- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
def test_round_trip_every_activation_and_loss(tmp_path, output, loss, dtype):
    net = make_net(output, loss, dtype)
    path = tmp_path / "model.npz"
    save_model(net, path)
    loaded, metadata = load_model(path)
    assert metadata == {}
    assert_same_network(net, loaded)
    X, _ = random_batch(np.random.default_rng(1), net, 7)
    before, after = net.forward(X).a[-1], loaded.forward(X).a[-1]
    assert after.dtype == before.dtype == np.dtype(dtype)
    assert np.array_equal(before, after)
    assert before.tobytes() == after.tobytes()


@pytest.mark.parametrize("hidden", list(ACTIVATIONS))
def test_round_trip_every_hidden_activation(tmp_path, hidden):
    net = make_net("identity", "half_squared_error", hidden=hidden)
    save_model(net, tmp_path / "m.npz")
    loaded, _ = load_model(tmp_path / "m.npz")
    assert_same_network(net, loaded)
    X = np.random.default_rng(2).normal(size=(4, 3))
    assert np.array_equal(net.forward(X).a[-1], loaded.forward(X).a[-1])


@pytest.mark.parametrize("fused", [True, False])
def test_fused_flag_round_trips(tmp_path, fused):
    rng = np.random.default_rng(3)
    layers = [Layer(rng.normal(size=(2, 3)), rng.normal(size=3), ACTIVATIONS["softmax"])]
    net = Network(layers, loss="cross_entropy", fused=fused)
    save_model(net, tmp_path / "m.npz")
    loaded, _ = load_model(tmp_path / "m.npz")
    assert loaded.fused is fused
    assert architecture_of(tmp_path / "m.npz")["fused"] is fused


def test_fortran_ordered_weights_round_trip_bit_for_bit(tmp_path):
    net = make_net("tanh", "squared_error")
    for layer in net.layers:
        layer.W = np.asfortranarray(layer.W)
    save_model(net, tmp_path / "m.npz")
    loaded, _ = load_model(tmp_path / "m.npz")
    X = np.random.default_rng(4).normal(size=(9, 3))
    assert net.forward(X).a[-1].tobytes() == loaded.forward(X).a[-1].tobytes()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=6, max_size=6))
def test_any_finite_float_round_trips_exactly(tmp_path_factory, values):
    W = np.array(values[:4]).reshape(2, 2)
    b = np.array(values[4:])
    net = Network([Layer(W, b, ACTIVATIONS["identity"])])
    path = tmp_path_factory.mktemp("h") / "m.npz"
    save_model(net, path)
    loaded, _ = load_model(path)
    assert loaded.layers[0].W.tobytes() == W.tobytes()
    assert loaded.layers[0].b.tobytes() == b.tobytes()


def test_metadata_round_trips(tmp_path):
    metadata = {
        "labels": ["setosa", "versicolor", "virginica"],
        "standardizer": {"mean": [5.84, 3.05, 3.76, 1.2], "scale": [0.83, 0.43, 1.76, 0.76]},
        "dataset": "iris ✿ «unicode»",
        "epochs": 200,
        "final_loss": 0.0123456789012345,
        "shuffled": True,
        "note": None,
        "nested": [[1, 2], {"a": []}],
    }
    net = make_net("softmax", "cross_entropy")
    save_model(net, tmp_path / "m.npz", metadata=metadata)
    _, got = load_model(tmp_path / "m.npz")
    assert got == metadata
    assert architecture_of(tmp_path / "m.npz")["metadata"] == metadata


def test_metadata_tuples_come_back_as_lists(tmp_path):
    save_model(make_net("tanh", "squared_error"), tmp_path / "m.npz", metadata={"t": (1, 2)})
    assert load_model(tmp_path / "m.npz")[1] == {"t": [1, 2]}


def test_self_referring_metadata_is_refused(tmp_path):
    metadata: dict[str, Any] = {}
    metadata["me"] = metadata
    with pytest.raises(ArgumentError, match="refers to itself"):
        save_model(make_net("tanh", "squared_error"), tmp_path / "m.npz", metadata=metadata)


@pytest.mark.parametrize(
    ("metadata", "match"),
    [
        ([1, 2], "expected a dict"),
        ({"x": {1, 2}}, "set is not JSON"),
        ({"x": np.zeros(2)}, "ndarray is not JSON"),
        ({"x": np.int64(3)}, r"numpy.int64 is not JSON-serialisable .* NumPy numbers as .item"),
        ({"x": np.bool_(True)}, r"metadata\['x'\]: numpy.bool is not JSON"),  # not "bool"
        ({"x": [1.0, float("nan")]}, r"metadata\['x'\]\[1\]: nan is not a JSON number"),
        ({"x": float("inf")}, "inf is not a JSON number"),
        ({1: "a"}, "keys must be strings"),
        ({"x": object()}, "object is not JSON"),
    ],
)
def test_metadata_that_json_cannot_hold_is_refused(tmp_path, metadata, match):
    with pytest.raises(ArgumentError, match=match):
        save_model(make_net("tanh", "squared_error"), tmp_path / "m.npz", metadata=metadata)
    assert list(tmp_path.iterdir()) == []


def test_metadata_as_deep_as_the_check_reaches_but_json_does_not_is_one_error(tmp_path):
    # json's encoder runs out of stack a level or two before the check does: at a
    # script's top level, one depth gave a bare RecursionError
    import subprocess
    import sys

    script = f"""
from glassnet import Network
from glassnet.io import save_model
net = Network([2, 2], activations=["tanh"], loss="squared_error")
for depth in range(900, 1010):
    deep = 1
    for _ in range(depth):
        deep = [deep]
    try:
        save_model(net, {str(tmp_path / "m.npz")!r}, metadata={{"x": deep}})
    except Exception as exc:
        print(type(exc).__name__, exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = set(done.stdout.splitlines())
    assert lines == {"ArgumentError metadata: nested too deeply (or refers to itself)"}, lines


def test_a_model_given_as_a_checkpoint_and_the_reverse_say_what_they_are(tmp_path):
    import json as json_module
    import zipfile

    from glassnet.io import load_checkpoint, save_checkpoint

    net = make_net("tanh", "squared_error")
    taken = []
    net.fit(
        np.ones((4, 3)),
        np.ones((4, 2)),
        epochs=1,
        verbose=False,
        checkpoint_every=1,
        on_checkpoint=taken.append,
    )
    model, ckpt = tmp_path / "m.npz", tmp_path / "c.npz"
    save_model(net, model)
    save_checkpoint(ckpt, taken[0], {})
    with pytest.raises(ModelError, match=r"no 'architecture' array: a glassnet checkpoint, not"):
        load_model(ckpt)
    with pytest.raises(ModelError, match=r"no 'state' array: a glassnet model file, not a check"):
        load_checkpoint(model)
    # a checkpoint of a later format: upgrade, as a model of one says
    with np.load(ckpt) as data:
        arrays = {k: data[k] for k in data.files}
    state = json_module.loads(str(arrays["state"][()]))
    state["format"] = "glassnet.checkpoint/9"
    arrays["state"] = np.array(json_module.dumps(state))
    np.savez(tmp_path / "later.npz", **arrays)
    assert zipfile.is_zipfile(tmp_path / "later.npz")
    with pytest.raises(
        ModelError,
        match=r"format: expected 'glassnet.checkpoint/3' .*found 'glassnet.checkpoint/9' \(.*newer",
    ):
        load_checkpoint(tmp_path / "later.npz")


def test_save_checkpoint_refuses_what_load_checkpoint_would_not_read(tmp_path):
    from glassnet.io import load_checkpoint, save_checkpoint

    net = make_net("tanh", "squared_error")
    taken = []
    X, Y = np.ones((4, 3)), np.ones((4, 2))
    net.fit(X, Y, epochs=1, verbose=False, checkpoint_every=1, on_checkpoint=taken.append)
    path = tmp_path / "c.npz"
    save_checkpoint(path, taken[0], {"lr": float("nan")})  # (a state may hold NaN)
    pair = load_checkpoint(path)
    loop: dict[str, Any] = {}
    loop["me"] = loop  # (a dict that holds itself)
    for checkpoint, run_settings, said in (
        (pair, {}, r"^checkpoint: load_checkpoint returns \(checkpoint, settings\)"),
        ([1], {}, r"^checkpoint: expected a checkpoint .* found list$"),
        ({}, {}, r"^checkpoint: not a glassnet checkpoint: it has no 'params'$"),
        (taken[0], [1, 2], r"^settings: expected a dict, found list$"),
        (taken[0], {"n": np.int64(3)}, r"^settings\['n'\]: numpy.int64 is not JSON"),
        (taken[0], loop, r"^settings: nested too deeply \(or refers to itself\)$"),
    ):
        with pytest.raises(ArgumentError, match=said):
            save_checkpoint(tmp_path / "d.npz", checkpoint, run_settings)
    assert not (tmp_path / "d.npz").exists()


# --- the file's content ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_file_holds_plain_arrays_and_json_architecture(tmp_path, dtype):
    net = make_net("sigmoid", "binary_cross_entropy", dtype)
    path = tmp_path / "m.npz"
    save_model(net, path, metadata={"labels": ["a", "b"]})
    arrays = arrays_of(path)
    assert sorted(arrays) == ["W1", "W2", "W3", "architecture", "b1", "b2", "b3"]
    for key, value in arrays.items():
        assert value.dtype.kind != "O"
        assert not value.dtype.hasobject
        if key != "architecture":
            assert value.dtype == np.dtype(dtype)
    assert arrays["architecture"].dtype.kind == "U"
    assert arrays["architecture"].shape == ()
    assert architecture_of(path) == {
        "format": MODEL_FORMAT,
        "sizes": [3, 5, 4, 2],
        "activations": ["sigmoid", "sigmoid", "sigmoid"],
        "loss": "binary_cross_entropy",
        "dtype": dtype,
        "fused": True,
        "metadata": {"labels": ["a", "b"]},
    }
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted(f"{key}.npy" for key in arrays)


def test_saving_to_a_path_without_npz_suffix_lands_exactly_there(tmp_path):
    net = make_net("relu", "mean_squared_error")
    for name in ("model", "model.bin", "model.npz.tmp"):
        save_model(net, tmp_path / name)
        assert (tmp_path / name).is_file()
        assert_same_network(net, load_model(tmp_path / name)[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "model.bin", "model.npz.tmp"]


def test_save_accepts_str_paths(tmp_path):
    net = make_net("elu", "squared_error")
    save_model(net, str(tmp_path / "m.npz"))
    assert_same_network(net, load_model(str(tmp_path / "m.npz"))[0])


# --- atomic writes -----------------------------------------------------------------------


def test_save_leaves_no_temporary_file_and_replaces_an_existing_one_whole(tmp_path):
    path = tmp_path / "m.npz"
    big = random_network(
        np.random.default_rng(5), [30, 40, 20], ["tanh", "identity"], "squared_error"
    )
    save_model(big, path)
    assert os.listdir(tmp_path) == ["m.npz"]
    small = make_net("softplus", "half_squared_error")
    save_model(small, path, metadata={"v": 2})
    assert os.listdir(tmp_path) == ["m.npz"]
    loaded, metadata = load_model(path)
    assert_same_network(small, loaded)
    assert metadata == {"v": 2}


def test_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    old = make_net("tanh", "squared_error")
    save_model(old, path)
    before = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="No space left"):
        save_model(make_net("relu", "squared_error"), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]


def test_atomic_writer_removes_its_temporary_file_on_error(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_writer(path, text=True) as handle:
        handle.write("new, half")
        raise RuntimeError("killed midway")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_atomic_write_bytes_and_text(tmp_path):
    atomic_write_bytes(tmp_path / "b", b"\x00\x01binary")
    assert (tmp_path / "b").read_bytes() == b"\x00\x01binary"
    atomic_write_text(tmp_path / "t", "é\nline\n")
    assert (tmp_path / "t").read_bytes() == "é\nline\n".encode()
    atomic_write_text(tmp_path / "t", "short")
    assert (tmp_path / "t").read_text() == "short"
    assert sorted(os.listdir(tmp_path)) == ["b", "t"]


def test_atomic_write_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert os.listdir(tmp_path / "real") == ["out.txt"]  # no temporary file left


@pytest.mark.parametrize("end", ["/", "/.", "/.."])
def test_atomic_write_to_a_name_ending_as_a_folder_is_refused(tmp_path, end):
    with pytest.raises(ArgumentError, match="ends as a folder's name"):
        atomic_write_text(f"{tmp_path / 'newdir'}{end}", "x")
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_folder_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        save_model(make_net("tanh", "squared_error"), tmp_path / "no" / "m.npz")


# --- no pickles, ever --------------------------------------------------------------------


class Payload:
    """Unpickling this creates ``marker``: what a malicious model file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_crafted_pickle_payload_really_runs_code_when_unpickled(tmp_path):
    """The check below is meaningful: this file runs code under allow_pickle=True."""
    marker = tmp_path / "ran"
    np.savez(tmp_path / "evil.npz", architecture=np.array([Payload(marker)], dtype=object))
    with np.load(tmp_path / "evil.npz", allow_pickle=True) as npz:
        npz["architecture"][0].close()
    assert marker.exists()


@pytest.mark.parametrize("key", ["architecture", "W1", "extra"])
def test_pickled_object_is_refused_and_never_run(tmp_path, key):
    path = tmp_path / "m.npz"
    save_model(make_net("tanh", "squared_error"), path)
    arrays = arrays_of(path)
    marker = tmp_path / "ran"
    arrays[key] = np.array([Payload(marker)], dtype=object)
    np.savez(tmp_path / "evil.npz", **arrays)
    with pytest.raises(ModelError, match="pickle") as info:
        load_model(tmp_path / "evil.npz")
    assert "never loads pickles" in str(info.value)
    assert "\n" not in str(info.value)
    assert not marker.exists()


def test_plain_object_array_is_refused(tmp_path):
    np.savez(tmp_path / "obj.npz", architecture=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ModelError, match="contains a pickled object"):
        load_model(tmp_path / "obj.npz")


def test_raw_pickle_file_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "evil.npz").write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(ModelError, match=r"not an \.npz archive"):
        load_model(tmp_path / "evil.npz")
    assert not marker.exists()


def test_load_never_allows_pickles(tmp_path, monkeypatch):
    save_model(make_net("tanh", "squared_error"), tmp_path / "m.npz")
    calls = []
    real_load = np.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", spy)
    load_model(tmp_path / "m.npz")
    assert calls
    assert all(call.get("allow_pickle") is False for call in calls)


# --- every refusal -----------------------------------------------------------------------


@pytest.fixture
def model(tmp_path) -> tuple[Path, dict[str, np.ndarray], dict[str, Any]]:
    """A valid 2-layer model file, its arrays and its architecture."""
    rng = np.random.default_rng(6)
    net = random_network(rng, [3, 4, 2], ["tanh", "softmax"], "cross_entropy")
    path = tmp_path / "good.npz"
    save_model(net, path, metadata={"k": 1})
    return path, arrays_of(path), architecture_of(path)


def crafted(tmp_path: Path, arrays: dict[str, np.ndarray], arch: Any = None) -> Path:
    arrays = dict(arrays)
    if arch is not None:
        arrays["architecture"] = np.array(json.dumps(arch))
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


def refused(path: Path, match: str) -> ModelError:
    with pytest.raises(ModelError, match=match) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    assert isinstance(info.value, GlassnetError)
    assert isinstance(info.value, ValueError)
    return info.value


def test_missing_file(tmp_path):
    refused(tmp_path / "nope.npz", "no such file")


def test_directory(tmp_path):
    refused(tmp_path, "is a directory")


@pytest.mark.parametrize(
    "content", [b"", b"hello world\n", b"\x93NUMPY not really", b"# a spec\ninput = [1]\n"]
)
def test_not_an_npz(tmp_path, content):
    (tmp_path / "x.npz").write_bytes(content)
    refused(tmp_path / "x.npz", r"not an \.npz archive")


def test_bare_npy_file_is_not_a_model(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros(3))
    refused(tmp_path / "x.npy", r"not an \.npz archive")


def test_truncated_archive(model, tmp_path):
    path, _, _ = model
    data = path.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    refused(tmp_path / "cut.npz", r"not a valid \.npz archive")


def test_zip_member_that_is_not_an_array(model, tmp_path):
    _, arrays, _ = model
    bad = crafted(tmp_path, arrays)
    with zipfile.ZipFile(bad, "a") as archive:
        archive.writestr("readme.txt", "hello")
    refused(bad, "unexpected entry 'readme.txt'")


def test_missing_architecture(model, tmp_path):
    _, arrays, _ = model
    del arrays["architecture"]
    refused(crafted(tmp_path, arrays), "no 'architecture' array")


@pytest.mark.parametrize(
    "value",
    [np.array([b"{}"]), np.array(b"{}"), np.array(["{}", "{}"]), np.zeros(3)],
)
def test_architecture_not_a_unicode_scalar(model, tmp_path, value):
    _, arrays, _ = model
    arrays["architecture"] = value
    refused(crafted(tmp_path, arrays), "expected a JSON text")


def test_bad_json(model, tmp_path):
    _, arrays, _ = model
    arrays["architecture"] = np.array('{"format": "glassnet.model/1", ')
    refused(crafted(tmp_path, arrays), r"invalid JSON \(.* line 1 column")


def test_json_not_an_object(model, tmp_path):
    _, arrays, _ = model
    refused(crafted(tmp_path, arrays, [1, 2]), "expected a JSON object, found list")


@pytest.mark.parametrize("fmt", ["glassnet.model/2", "keras", None, 3])
def test_wrong_format(model, tmp_path, fmt):
    _, arrays, arch = model
    arch["format"] = fmt
    newer = " \\(written by a newer glassnet: upgrade glassnet to read it\\)"
    said = "format .*expected 'glassnet.model/1'" + (newer if fmt == "glassnet.model/2" else "$")
    refused(crafted(tmp_path, arrays, arch), said)


def test_missing_format(model, tmp_path):
    _, arrays, arch = model
    del arch["format"]
    refused(crafted(tmp_path, arrays, arch), "format None, expected")


@pytest.mark.parametrize("key", ["sizes", "activations", "loss", "dtype", "fused", "metadata"])
def test_missing_architecture_key(model, tmp_path, key):
    _, arrays, arch = model
    del arch[key]
    refused(crafted(tmp_path, arrays, arch), f"missing key\\(s\\) {key}")


def test_unknown_architecture_key(model, tmp_path):
    _, arrays, arch = model
    arch["optimizer"] = "adam"
    refused(crafted(tmp_path, arrays, arch), "unknown key\\(s\\) 'optimizer'")


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("sizes", [3], "sizes: expected at least 2"),
        ("sizes", [3, 0, 2], "sizes: expected"),
        ("sizes", [3, 4.0, 2], "sizes: expected"),
        ("sizes", [3, True, 2], "sizes: expected"),
        ("sizes", "3,4,2", "sizes: expected"),
        ("activations", ["tanh"], "activations: expected 2 names"),
        ("activations", ["tanh", 1], "activations: expected 2 names"),
        ("loss", 1, "loss: expected a name"),
        ("dtype", "float16", "dtype: expected float32 or float64, found 'float16'"),
        ("dtype", "int64", "dtype: expected float32 or float64"),
        ("fused", 1, "fused: expected true or false"),
        ("metadata", [1], "metadata: expected a JSON object"),
    ],
)
def test_bad_architecture_values(model, tmp_path, key, value, match):
    _, arrays, arch = model
    arch[key] = value
    refused(crafted(tmp_path, arrays, arch), match)


def test_unknown_activation(model, tmp_path):
    _, arrays, arch = model
    arch["activations"] = ["tanh", "softmx"]
    error = refused(crafted(tmp_path, arrays, arch), "layer 2: unknown activation 'softmx'")
    message = str(error)
    assert "did you mean 'softmax'" in message
    assert "register it" in message
    assert "before loading" in message
    assert "known: " + ", ".join(sorted(ACTIVATIONS)) in message


def test_unknown_loss(model, tmp_path):
    _, arrays, arch = model
    arch["loss"] = "focal"
    error = refused(crafted(tmp_path, arrays, arch), "unknown loss 'focal'")
    assert "register it" in str(error)
    assert "known: " + ", ".join(sorted(LOSSES)) in str(error)


@pytest.mark.parametrize("key", ["W1", "b1", "W2", "b2"])
def test_missing_parameter_array(model, tmp_path, key):
    _, arrays, _ = model
    del arrays[key]
    refused(crafted(tmp_path, arrays), f"missing array\\(s\\) {key} of a 2-layer network")


def test_extra_array(model, tmp_path):
    _, arrays, _ = model
    arrays["W3"] = np.zeros((2, 2))
    refused(crafted(tmp_path, arrays), "unexpected array\\(s\\) 'W3'")


def test_extra_layer_declared_but_arrays_missing(model, tmp_path):
    _, arrays, arch = model
    arch["sizes"] = [3, 4, 2, 2]
    arch["activations"] = ["tanh", "softmax", "identity"]
    refused(crafted(tmp_path, arrays, arch), "missing array\\(s\\) W3, b3 of a 3-layer")


@pytest.mark.parametrize(
    ("key", "shape", "expected"),
    [("W1", (4, 3), r"\(3, 4\)"), ("b1", (3,), r"\(4,\)"), ("W2", (4, 2, 1), r"\(4, 2\)")],
)
def test_shape_inconsistent_with_sizes(model, tmp_path, key, shape, expected):
    _, arrays, _ = model
    arrays[key] = np.zeros(shape)
    refused(crafted(tmp_path, arrays), f"{key}: shape .* expected {expected} from sizes")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("key", ["W2", "b1"])
def test_non_finite_weights(model, tmp_path, key, bad):
    _, arrays, _ = model
    arrays[key] = arrays[key].copy()
    arrays[key].flat[0] = bad
    refused(crafted(tmp_path, arrays), f"{key}: holds NaN or infinity")


@pytest.mark.parametrize("dtype", ["float32", "float16", "int64", "complex128", "U3", "bool"])
def test_weights_of_another_dtype(model, tmp_path, dtype):
    _, arrays, _ = model
    arrays["W1"] = np.zeros((3, 4), dtype=dtype)
    refused(crafted(tmp_path, arrays), f"W1: dtype {np.dtype(dtype)}, expected float64")


def test_float32_architecture_with_float64_arrays(model, tmp_path):
    _, arrays, arch = model
    arch["dtype"] = "float32"
    refused(crafted(tmp_path, arrays, arch), "W1: dtype float64, expected float32")


def test_big_endian_arrays_load_with_the_same_values(model, tmp_path):
    path, arrays, _ = model
    swapped = {
        k: v if k == "architecture" else v.astype(v.dtype.newbyteorder(">"))
        for k, v in arrays.items()
    }
    net, _ = load_model(crafted(tmp_path, swapped))
    original, _ = load_model(path)
    assert_same_network(original, net)
    assert net.layers[0].W.dtype == np.dtype("float64")


def test_errors_are_catchable_as_glassnet_errors_and_pickle(tmp_path):
    with pytest.raises(GlassnetError) as info:
        load_model(tmp_path / "missing.npz")
    again = pickle.loads(pickle.dumps(info.value))  # e.g. across multiprocessing
    assert isinstance(again, ModelError)
    assert (again.path, again.message, str(again)) == (
        info.value.path,
        info.value.message,
        str(info.value),
    )


# --- custom activations -------------------------------------------------------------------


def cube(z):
    return z * z * z


def cube_derivative(z, a):
    return 3.0 * z * z


CUBE = Activation("cube", cube, cube_derivative, "z^3", "3z^2", "z³", "3z²")


def test_custom_activation_loads_only_while_registered(tmp_path, monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "cube", CUBE)
    rng = np.random.default_rng(7)
    net = Network(
        [
            Layer(rng.normal(size=(2, 3)), rng.normal(size=3), CUBE),
            Layer(rng.normal(size=(3, 1)), np.zeros(1), ACTIVATIONS["identity"]),
        ],
        loss="half_squared_error",
    )
    path = tmp_path / "cube.npz"
    save_model(net, path)
    loaded, _ = load_model(path)
    assert loaded.layers[0].activation is CUBE
    X = rng.normal(size=(5, 2))
    assert np.array_equal(net.forward(X).a[-1], loaded.forward(X).a[-1])

    monkeypatch.delitem(ACTIVATIONS, "cube")
    error = refused(path, "layer 1: unknown activation 'cube'")
    assert "register it (glassnet.activations.register_activation) before loading" in str(error)


def test_unregistered_activation_is_refused_at_save(tmp_path):
    rng = np.random.default_rng(8)
    net = Network([Layer(rng.normal(size=(2, 1)), np.zeros(1), CUBE)])
    with pytest.raises(ArgumentError, match="layer 1: activation 'cube' is not the one registered"):
        save_model(net, tmp_path / "m.npz")
    with pytest.raises(ArgumentError, match="not the one registered"):
        spec_text(net, np.zeros((1, 2)), np.zeros((1, 1)))
    assert list(tmp_path.iterdir()) == []


def test_activation_shadowing_a_registered_name_is_refused_at_save(tmp_path):
    fake_tanh = Activation("tanh", cube, cube_derivative, "z^3", "3z^2", "z³", "3z²")
    net = Network([Layer(np.ones((2, 1)), np.zeros(1), fake_tanh)])
    with pytest.raises(ArgumentError, match="activation 'tanh' is not the one registered"):
        save_model(net, tmp_path / "m.npz")


def test_non_finite_weights_are_refused_at_save(tmp_path):
    net = make_net("tanh", "squared_error")
    net.layers[1].b[0] = np.nan
    with pytest.raises(ArgumentError, match="b2 holds NaN or infinity"):
        save_model(net, tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_a_non_network(tmp_path):
    from sklearn.exceptions import ConvergenceWarning

    from glassnet.sklearn import MLPClassifier

    with pytest.raises(ArgumentError, match=r"expected a Network, found str$"):
        save_model("net", tmp_path / "m.npz")  # type: ignore[arg-type]
    X, y = np.random.default_rng(0).random((20, 2)), np.arange(20) % 2
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    for write in (save_model, lambda net, path: export_spec(net, path, X[:1], np.eye(2)[:1])):
        with pytest.raises(
            ArgumentError, match=r"give its fitted network, MLPClassifier\.network_"
        ):
            write(clf, tmp_path / "m.npz")


# --- spec export -------------------------------------------------------------------------


@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
def test_export_spec_round_trips_exactly(tmp_path, output, loss, dtype, m):
    seed = zlib.crc32(f"spec-{output}-{loss}-{dtype}-{m}".encode())
    net, X, Y = random_case(seed, [3, 4, 2], ["tanh", output], loss, m)
    net = net.astype(dtype)
    lr = 0.37
    path = tmp_path / "net.toml"
    export_spec(net, path, X, Y, learning_rate=lr)
    assert os.listdir(tmp_path) == ["net.toml"]
    spec = glassnet.load_spec(path)
    assert spec.learning_rate == lr
    assert spec.weights_layout == "in_out"
    assert spec.network.loss is net.loss
    assert spec.X.shape == X.shape
    assert spec.Y.shape == Y.shape
    assert np.array_equal(spec.X, X)
    assert np.array_equal(spec.Y, Y)
    for mine, theirs in zip(net.layers, spec.network.layers, strict=True):
        assert theirs.activation is mine.activation
        assert np.array_equal(theirs.W, mine.W)
        assert np.array_equal(theirs.b, mine.b)
        assert theirs.W.tobytes() == mine.W.astype(np.float64).tobytes()
    assert spec.explain().to_dict() == glassnet.explain_step(net, X, Y, lr).to_dict()


def test_spec_text_writes_one_row_as_one_example():
    net = make_net("sigmoid", "binary_cross_entropy")
    text = spec_text(net, np.array([[0.5, -1.0, 2.0]]), np.array([[0.0, 1.0]]))
    assert "input = [0.5, -1.0, 2.0]\n" in text
    assert "target = [0.0, 1.0]\n" in text
    assert 'weights_layout = "in_out"' in text
    assert "learning_rate = 0.1\n" in text
    # a 1-D array is one example too
    assert spec_text(net, np.array([0.5, -1.0, 2.0]), np.array([0.0, 1.0])) == text


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True),
        min_size=4,
        max_size=4,
    )
)
def test_spec_numbers_round_trip_bit_for_bit(values):
    W = np.array([[values[0]], [values[1]]])
    net = Network([Layer(W, np.array([values[2]]), ACTIVATIONS["identity"])])
    spec = glassnet.loads_spec(spec_text(net, np.array([[values[3], -0.0]]), np.array([[0.0]])))
    assert spec.network.layers[0].W.tobytes() == W.tobytes()
    assert spec.network.layers[0].b.tobytes() == np.array([values[2]]).tobytes()
    assert spec.X.tobytes() == np.array([[values[3], -0.0]]).tobytes()


@pytest.mark.parametrize(
    ("where", "bad"),
    [("W", np.nan), ("b", np.inf), ("X", np.nan), ("Y", -np.inf)],
)
def test_spec_export_refuses_non_finite_numbers(tmp_path, where, bad):
    net = make_net("tanh", "squared_error")
    X, Y = np.zeros((2, 3)), np.zeros((2, 2))
    if where == "W":
        net.layers[0].W[1, 1] = bad
    elif where == "b":
        net.layers[2].b[0] = bad
    elif where == "X":
        X[1, 2] = bad
    else:
        Y[0, 0] = bad
    with pytest.raises(ArgumentError, match="NaN or infinity"):
        export_spec(net, tmp_path / "x.toml", X, Y)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("X", "Y", "lr", "match"),
    [
        (np.zeros((2, 4)), np.zeros((2, 2)), 0.1, "X: expected 3 values per example"),
        (np.zeros((2, 3)), np.zeros((2, 1)), 0.1, "Y: expected 2 values per example"),
        (np.zeros((2, 3)), np.zeros((3, 2)), 0.1, "Y: has 3 example"),
        (np.zeros((2, 3, 1)), np.zeros((2, 2)), 0.1, "X: expected a 2-D array"),
        (np.zeros((0, 3)), np.zeros((0, 2)), 0.1, "X: expected a 2-D array"),
        ([[1, 2], [3]], np.zeros((2, 2)), 0.1, "X: expected an array of numbers"),
        (np.zeros((2, 3)), np.zeros((2, 2)), -0.1, "learning_rate: expected a finite number ≥ 0"),
        (np.zeros((2, 3)), np.zeros((2, 2)), float("nan"), "learning_rate: expected a finite"),
        (np.zeros((2, 3)), np.zeros((2, 2)), "0.1", "learning_rate: expected a number"),
        (np.zeros((2, 3)), np.zeros((2, 2)), True, "learning_rate: expected a number"),
    ],
)
def test_spec_export_refuses_bad_arguments(X, Y, lr, match):
    with pytest.raises(ArgumentError, match=match):
        spec_text(make_net("tanh", "squared_error"), X, Y, learning_rate=lr)


def test_spec_export_of_a_custom_activation_with_an_awkward_name(tmp_path, monkeypatch):
    name = 'my "cube" \\ é\t✓'
    act = Activation(name, cube, cube_derivative, "z^3", "3z^2", "z³", "3z²")
    monkeypatch.setitem(ACTIVATIONS, name, act)
    net = Network([Layer(np.array([[0.5], [-0.25]]), np.array([0.125]), act)])
    X, Y = np.array([[1.0, 2.0]]), np.array([[0.5]])
    export_spec(net, tmp_path / "x.toml", X, Y, learning_rate=0.5)
    spec = glassnet.load_spec(tmp_path / "x.toml")
    assert spec.network.layers[0].activation is act
    assert spec.explain().to_dict() == glassnet.explain_step(net, X, Y, 0.5).to_dict()


def test_export_spec_replaces_an_existing_file(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text("old content " * 1000)
    net = make_net("relu", "half_squared_error")
    X, Y = np.ones((1, 3)), np.ones((1, 2))
    export_spec(net, path, X, Y)
    assert path.read_text() == spec_text(net, X, Y)
    assert os.listdir(tmp_path) == ["x.toml"]


def test_written_files_get_ordinary_permissions(tmp_path):
    import os

    from glassnet.io import atomic_write_text

    target = tmp_path / "out.txt"
    umask = os.umask(0o027)  # (read from /proc where it can be, not set to 0 meanwhile)
    try:
        atomic_write_text(target, "x")
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
        assert os.umask(0o027) == 0o027  # left as it was
    finally:
        os.umask(umask)
    target.unlink()
    atomic_write_text(target, "x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    target.chmod(0o640)
    atomic_write_text(target, "y")  # an existing file keeps its mode
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_nan_in_the_architecture_json_is_refused(tmp_path, model):
    _, arrays, arch = model
    arch["metadata"] = {"scale": float("nan")}  # json.dumps writes NaN, not standard JSON
    refused(crafted(tmp_path, arrays, arch), r"architecture: invalid JSON \(NaN is not standard")


def test_a_key_given_twice_in_the_architecture_json_is_refused(tmp_path, model):
    # json keeps the last of a repeated key: a hand edit that added one was read silently
    _, arrays, arch = model
    text = json.dumps(arch)
    assert text.startswith('{"format": ')
    arrays = {**arrays, "architecture": np.array('{"format": 0, ' + text[1:])}
    refused(
        crafted(tmp_path, arrays), r"architecture: invalid JSON \(the key 'format' is given twice"
    )


@pytest.mark.parametrize("path", [None, 3, 1.5, ["m.npz"]])
def test_a_path_that_is_no_file_name_is_named(path):
    # an int would read (and close) an open file descriptor; None failed deep in open()
    for call in (lambda: load_model(path), lambda: glassnet.load_spec(path)):
        with pytest.raises(ArgumentError, match=r"^path: expected a file name"):
            call()


def test_a_write_into_a_missing_folder_names_the_file_asked_for(tmp_path):
    net = Network([2, 2], activations=["softmax"], loss="cross_entropy", seed=0)
    target = tmp_path / "nope" / "m.npz"
    with pytest.raises(FileNotFoundError) as info:
        save_model(net, target)
    assert info.value.filename == str(target)
    assert not (tmp_path / "nope").exists()


def test_export_refuses_what_load_spec_would_refuse(tmp_path):
    # a cross-entropy of an identity output of 1.69 on X: its spec file would not load
    from glassnet import ArgumentError, Network, export_spec

    net = Network([2, 1], activations=["identity"], loss="binary_cross_entropy", seed=0)
    X, Y = np.array([[1.0, -2.0]]), np.array([[1.0]])
    with pytest.raises(ArgumentError, match="loss: binary_cross_entropy takes outputs 0 ≤ a ≤ 1"):
        export_spec(net, tmp_path / "f.toml", X, Y)
    assert not (tmp_path / "f.toml").exists()
    with pytest.raises(ArgumentError, match="learning_rate: expected a finite number"):
        export_spec(net, tmp_path / "f.toml", X, Y, learning_rate=10**400)
    with pytest.raises(ArgumentError, match="X: expected an array of numbers"):
        export_spec(net, tmp_path / "f.toml", [[10**400, 1]], Y)
    # a target outside [0, 1] of a cross-entropy: load_spec refuses it too
    net = Network([2, 1], activations=["sigmoid"], loss="binary_cross_entropy", seed=0)
    with pytest.raises(ArgumentError, match=r"Y: binary_cross_entropy takes targets in \[0, 1\]"):
        export_spec(net, tmp_path / "f.toml", X, np.array([[2.0]]))
    assert not (tmp_path / "f.toml").exists()
    # a softmax of one unit, which a Network takes and a spec does not
    net = Network([2, 1], activations=["softmax"], loss="half_squared_error", seed=0)
    with pytest.raises(ArgumentError, match=r"^network: layer 1: softmax over 1 unit is always"):
        export_spec(net, tmp_path / "f.toml", X, Y)
    assert not (tmp_path / "f.toml").exists()


def test_export_takes_one_example_s_class_index_and_writes_either_layout(tmp_path):
    from glassnet import Network
    from glassnet.io import spec_text

    net = Network([3, 4, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X = np.random.default_rng(0).normal(size=(2, 3))
    # one example's class index, as fit takes it (it said: expected 3 values per example)
    for X1, y1 in ((X[:1], [2]), (X[0], 2), (X[:1], np.array([2]))):
        assert glassnet.loads_spec(spec_text(net, X1, y1)).Y.tolist() == [[0.0, 0.0, 1.0]]
    assert glassnet.loads_spec(spec_text(net, X[:1], [0, 1.0, 0])).Y.tolist() == [[0, 1, 0]]
    # W x: a row per unit, read back as the same network
    text = spec_text(net, X, [0, 2], weights_layout="out_in")
    spec = glassnet.loads_spec(text)
    assert spec.weights_layout == "out_in" and 'weights_layout = "out_in"' in text
    for a, b in zip(spec.network.layers, net.layers, strict=True):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    with pytest.raises(glassnet.ArgumentError, match=r"^weights_layout: expected 'in_out'"):
        spec_text(net, X, [0, 2], weights_layout="W x")


def test_a_spec_or_claims_file_with_a_byte_order_mark_reads_as_without(tmp_path):
    from glassnet.check import ClaimsError
    from glassnet.errors import SpecError, read_user_text

    from conftest import EXAMPLES

    text = EXAMPLES[0].read_text(encoding="utf-8")
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())  # as Notepad saves UTF-8
    assert read_user_text(path, ClaimsError, "claims file") == text
    spec, plain = glassnet.load_spec(path), glassnet.load_spec(EXAMPLES[0])
    assert np.array_equal(spec.X, plain.X) and np.array_equal(
        spec.network.layers[0].W, plain.network.layers[0].W
    )
    path.write_bytes(b"\xef\xbb\xbfa = 1\xff\n")  # the byte counted in the file, mark and all
    with pytest.raises(SpecError, match="invalid start byte at byte 8"):
        read_user_text(path, SpecError, "spec file")


def test_a_checkpoint_whose_validation_loss_overflowed_loads_and_resumes(tmp_path: Path) -> None:
    """fit logs a held-out row's overflow as val_loss inf; its own checkpoint must load."""
    from glassnet import EarlyStopping
    from glassnet.io import load_checkpoint, save_checkpoint
    from glassnet.train import fit

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([[1.0], [2.0], [-1.0]])
    Xv, yv = X[:5].copy(), y[:5]
    Xv[0, 0] = 1e160  # the network's output overflows on it

    def run(resume: Any = None, on_checkpoint: Any = None) -> tuple[Network, Any]:
        net = Network([3, 4, 1], ["relu", "identity"], seed=0)
        stop = EarlyStopping(monitor="val_loss", patience=5)
        history = fit(
            net,
            X,
            y,
            epochs=3,
            validation_data=(Xv, yv),
            checkpoint_every=1,
            on_checkpoint=on_checkpoint,
            resume=resume,
            callbacks=[stop],
            seed=0,
            verbose=False,
        )
        return net, history

    kept: list[dict] = []
    whole, history = run(on_checkpoint=kept.append)
    assert not np.isfinite(history["val_loss"]).any()
    path = tmp_path / "ck.npz"
    save_checkpoint(path, kept[0], {})
    resumed, _ = run(resume=load_checkpoint(path)[0], on_checkpoint=lambda checkpoint: None)
    for a, b in zip(whole.layers, resumed.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)


def test_saving_over_a_folder_is_refused_naming_it(tmp_path):
    net = Network([2, 2], activations=["identity"], seed=0)
    with pytest.raises(IsADirectoryError) as raised:  # not the temporary file's name
        save_model(net, str(tmp_path))
    assert raised.value.filename == str(tmp_path)
    assert list(tmp_path.iterdir()) == []  # no temporary file left


def through_a_pipe(fifo: Path, write: Any) -> bytes:
    """What ``write(path)`` sends into the FIFO ``fifo``, read by a thread.

    The reader waits for a writer; where none came (a file renamed over the FIFO), it
    is let go by one opened here, so that a failure fails the test, not hangs it.
    """
    import threading

    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        write(str(fifo))
    finally:
        reader.join(timeout=10)
        if reader.is_alive() and stat.S_ISFIFO(os.stat(fifo).st_mode):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(timeout=10)
    return got[0] if got else b""


def test_a_pipe_is_written_into_not_replaced_by_a_file(tmp_path):
    # a file renamed over a FIFO (or /dev/null, as root) would take the device's place
    from glassnet.io import atomic_write_text

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sent = through_a_pipe(fifo, lambda path: atomic_write_text(path, "through the pipe\n"))
    assert sent == b"through the pipe\n"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file


def test_a_model_saved_into_a_pipe_arrives_whole(tmp_path):
    # np.savez seeks; the pipe (or /dev/null) gets the finished archive in one piece
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    net = Network([3, 4, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    copy = tmp_path / "copy.npz"
    copy.write_bytes(through_a_pipe(fifo, lambda path: save_model(net, path)))
    loaded, _ = load_model(copy)
    assert all(np.array_equal(a.W, b.W) for a, b in zip(loaded.layers, net.layers, strict=True))


def test_an_empty_file_name_is_said_so_not_taken_for_the_folder(tmp_path):
    net = make_net("tanh", "squared_error")
    for call in (lambda: load_model(""), lambda: save_model(net, "")):
        with pytest.raises(ArgumentError, match=r"^path: an empty file name$"):
            call()
