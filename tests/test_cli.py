"""The command line: `glassnet explain` and `glassnet gradcheck`, their output and exit codes."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import glassnet
from glassnet.activations import ACTIVATIONS
from glassnet.cli import main

from conftest import LAYER_KEYS, TOP_KEYS

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.toml"))
EXAMPLE_IDS = [path.stem for path in EXAMPLES]

TEXT_STAGES = ["Forward", "Loss", "Backward", "Gradients", "Update", "Loss after"]

GOOD = (
    'input = [1.0, 2.0]\ntarget = [1.0]\nloss = "half_squared_error"\n\n'
    '[[layer]]\nactivation = "sigmoid"\nweights = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]\n\n'
    '[[layer]]\nactivation = "identity"\nweights = [[1.0], [-1.0], [0.5]]\n'
)
# A batch of 3 through a softmax output: the Jacobian is (m, n, n).
BATCH = (
    "input = [[1.0, 2.0], [0.5, -1.0], [0.0, 3.0]]\n"
    "target = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]\n"
    'loss = "cross_entropy"\nlearning_rate = 0.2\n\n'
    '[[layer]]\nactivation = "tanh"\nweights = [[0.1, 0.2, 0.3, 0.4], [0.4, 0.5, 0.6, -0.1]]\n'
    "bias = [0.1, 0.0, -0.1, 0.2]\n\n"
    '[[layer]]\nactivation = "softmax"\nunits = 3\ninit = "he_normal"\n'
)

# (id, spec text, fragment of the message besides the file)
BAD_SPECS = [
    ("toml-syntax", "input = [1.0\n", "TOML syntax"),
    ("unknown-key", "learnig_rate = 0.1\n" + GOOD, "did you mean 'learning_rate'"),
    ("unknown-activation", GOOD.replace('"sigmoid"', '"sigmod"'), "did you mean 'sigmoid'"),
    (
        "unknown-loss",
        GOOD.replace("half_squared_error", "cross_entropi"),
        "did you mean 'cross_entropy'",
    ),
    ("wrong-shape", GOOD.replace("[[1.0], [-1.0], [0.5]]", "[[1.0], [-1.0]]"), "layer 2: weights"),
    ("ragged", GOOD.replace("[0.4, 0.5, 0.6]", "[0.4, 0.5]"), "ragged"),
    ("boolean", GOOD.replace("[0.1, 0.2, 0.3]", "[0.1, true, 0.3]"), "boolean"),
    ("nan", GOOD.replace("[1.0, 2.0]", "[nan, 2.0]"), "input[1]"),
    ("inf-learning-rate", "learning_rate = inf\n" + GOOD, "learning_rate"),
    ("target-width", GOOD.replace("target = [1.0]", "target = [1.0, 0.0]"), "target"),
    ("no-layers", 'input = [1.0]\ntarget = [1.0]\nloss = "half_squared_error"\n', "layer"),
    (
        "single-layer-table",
        GOOD.split('\n\n[[layer]]\nactivation = "identity"')[0].replace("[[layer]]", "[layer]"),
        "[[layer]]",
    ),
    ("missing-loss", GOOD.replace('loss = "half_squared_error"\n', ""), "loss"),
    ("units-huge", GOOD.replace("weights = [[1.0], [-1.0], [0.5]]", "units = 1000000000"), "units"),
    ("negative-learning-rate", "learning_rate = -1.0\n" + GOOD, "learning_rate"),
]


def shape(value: Any) -> tuple[int, ...]:
    """The shape of a nested list, checking it is not ragged."""
    if not isinstance(value, list):
        return ()
    shapes = {shape(item) for item in value}
    assert len(shapes) <= 1, f"ragged: {shapes}"
    return (len(value), *(shapes.pop() if shapes else ()))


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err: str, *fragments: str) -> None:
    assert err.startswith("glassnet: error: "), err
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def good_spec(tmp_path: Path) -> Path:
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture
def batch_spec(tmp_path: Path) -> Path:
    path = tmp_path / "batch.toml"
    path.write_text(BATCH, encoding="utf-8")
    return path


# --- explain --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_explain_examples_exit_0(
    example: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(capsys, "explain", str(example), "--format", fmt)
    assert code == 0
    assert err == ""
    assert out.endswith("\n")
    assert len(out) > 200


def test_examples_are_found() -> None:
    assert EXAMPLE_IDS == ["seed000", "seed001", "seed003"]


def test_text_is_the_default_format(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES[0])
    _, default, _ = run_main(capsys, "explain", example)
    _, text, _ = run_main(capsys, "explain", example, "--format", "text")
    assert default == text
    assert default == glassnet.load_spec(example).explain().to_text()


def check_document(doc: dict[str, Any], spec: glassnet.Spec) -> None:
    """Every key of glassnet.trace/1 with the shapes of ``spec``'s network and batch."""
    m = spec.X.shape[0]
    assert doc["format"] == "glassnet.trace/1"
    assert list(doc) == TOP_KEYS
    assert doc["loss_name"] == spec.network.loss.name
    assert doc["learning_rate"] == spec.learning_rate
    assert shape(doc["input"]) == (m, spec.X.shape[1])
    assert shape(doc["target"]) == (m, spec.Y.shape[1])
    assert isinstance(doc["loss"], float)
    assert isinstance(doc["loss_after"], float)
    assert len(doc["layers"]) == len(spec.network.layers)
    for l, (entry, layer) in enumerate(zip(doc["layers"], spec.network.layers, strict=True), 1):
        assert list(entry) == LAYER_KEYS
        assert entry["index"] == l
        assert entry["activation"] == layer.activation.name
        n_in, n_out = layer.W.shape
        assert shape(entry["W"]) == (n_in, n_out)
        assert shape(entry["W_new"]) == (n_in, n_out)
        assert shape(entry["grad_W"]) == (n_in, n_out)
        assert shape(entry["b"]) == (n_out,)
        assert shape(entry["b_new"]) == (n_out,)
        assert shape(entry["grad_b"]) == (n_out,)
        for key in ("z", "a", "dL_da", "delta"):
            assert shape(entry[key]) == (m, n_out), key
        if layer.activation.name == "softmax":
            assert shape(entry["da_dz"]) == (m, n_out, n_out)
        else:
            assert shape(entry["da_dz"]) == (m, n_out)


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_explain_json_document(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "explain", str(example), "--format", "json")
    assert code == 0
    assert err == ""
    assert out.count("\n") == 1  # one line of JSON
    doc = json.loads(out)
    spec = glassnet.load_spec(example)
    check_document(doc, spec)
    assert len(doc["input"]) == 1  # one example is still a list of m = 1 rows
    # full precision: every float is the engine's float exactly
    assert doc == spec.explain().to_dict()


def test_explain_json_softmax_jacobian_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(
        capsys, "explain", str(EXAMPLES_DIR / "seed001.toml"), "--format", "json"
    )
    assert code == 0
    softmax = json.loads(out)["layers"][2]
    assert softmax["activation"] == "softmax"
    assert shape(softmax["da_dz"]) == (1, 3, 3)
    J = np.array(softmax["da_dz"][0])
    a = np.array(softmax["a"][0])
    np.testing.assert_allclose(J, np.diag(a) - np.outer(a, a), rtol=1e-12, atol=1e-15)


def test_explain_json_batch(batch_spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "explain", str(batch_spec), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    spec = glassnet.load_spec(batch_spec)
    check_document(doc, spec)
    assert shape(doc["input"]) == (3, 2)
    assert shape(doc["layers"][1]["da_dz"]) == (3, 3, 3)
    assert doc == spec.explain().to_dict()


def _headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("== ")]


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_explain_text_stages_in_order(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_main(capsys, "explain", str(example))
    headings = _headings(out)
    assert len(headings) == len(TEXT_STAGES)
    for heading, stage in zip(headings, TEXT_STAGES, strict=True):
        assert stage in heading, (heading, stage)
    positions = [out.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "Loss after" in headings[-1]
    # every layer shows up in the forward pass
    spec = glassnet.load_spec(example)
    for l, layer in enumerate(spec.network.layers, start=1):
        assert f"Layer {l} ({layer.activation.name})" in out


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_explain_markdown(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "explain", str(example), "--format", "markdown")
    assert code == 0
    assert "$$" in out
    assert "\\begin{bmatrix}" in out
    assert out.count("\\begin{bmatrix}") == out.count("\\end{bmatrix}")
    assert out.count("$$") % 2 == 0
    sections = [line for line in out.splitlines() if line.startswith("### ")]
    assert len(sections) == len(TEXT_STAGES)
    for section, stage in zip(sections, TEXT_STAGES, strict=True):
        assert stage in section


def test_explain_batch_text_and_markdown(
    batch_spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, _ = run_main(capsys, "explain", str(batch_spec))
    assert code == 0
    assert "m = 3 examples" in text
    assert "(example 3)" in text  # one Jacobian per example
    code, markdown, _ = run_main(capsys, "explain", str(batch_spec), "--format", "markdown")
    assert code == 0
    assert "J^{(3)}" in markdown


# --- precision ------------------------------------------------------------------------

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?")


def _significant_digits(number: str) -> int:
    mantissa = number.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


def _matrix_numbers(text: str) -> list[str]:
    """The numbers inside the [ ... ] rows of the text output."""
    return [n for row in re.findall(r"\[ ([^\]]*) \]", text) for n in NUMBER.findall(row)]


def test_precision_changes_text(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES_DIR / "seed000.toml")
    _, default, _ = run_main(capsys, "explain", example)
    code, short, err = run_main(capsys, "explain", example, "--precision", "3")
    assert code == 0, err
    assert short != default
    assert "0.880797" in default  # σ(2) to 6 digits
    assert "0.880797" not in short
    assert "0.881" in short
    assert max(_significant_digits(n) for n in _matrix_numbers(short)) <= 3
    assert max(_significant_digits(n) for n in _matrix_numbers(default)) == 6
    # the same stages, only shorter numbers
    assert [h.split(":")[0] for h in _headings(short)] == [
        h.split(":")[0] for h in _headings(default)
    ]
    assert len(short) < len(default)


def test_precision_changes_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES_DIR / "seed001.toml")
    _, default, _ = run_main(capsys, "explain", example, "--format", "markdown")
    _, short, _ = run_main(capsys, "explain", example, "--format", "markdown", "--precision", "3")
    assert short != default
    assert len(short) < len(default)


def test_precision_17_keeps_every_digit(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES_DIR / "seed000.toml")
    code, out, _ = run_main(capsys, "explain", example, "--precision", "17")
    assert code == 0
    a = glassnet.load_spec(example).explain().layers[0].a[0, 0]
    assert f"{a:.17g}" in out


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_json_ignores_precision(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, full, _ = run_main(capsys, "explain", str(example), "--format", "json")
    code, short, _ = run_main(
        capsys, "explain", str(example), "--format", "json", "--precision", "3"
    )
    assert code == 0
    assert short == full
    assert json.loads(short) == glassnet.load_spec(example).explain().to_dict()


@pytest.mark.parametrize("precision", ["1", "17"])
def test_precision_bounds_accepted(precision: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "explain", str(EXAMPLES[0]), "--precision", precision)
    assert code == 0
    assert err == ""


# --- -o FILE --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_output_file_has_what_stdout_would(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(EXAMPLES_DIR / "seed001.toml")
    _, expected, _ = run_main(capsys, "explain", example, "--format", fmt)
    target = tmp_path / f"out.{fmt}"
    code, out, err = run_main(capsys, "explain", example, "--format", fmt, "-o", str(target))
    assert code == 0
    assert out == ""
    assert err == ""
    assert target.read_bytes() == expected.encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temp file left


def test_long_output_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.txt"
    code, out, _ = run_main(capsys, "explain", str(EXAMPLES[0]), "--output", str(target))
    assert code == 0
    assert out == ""
    assert target.read_text(encoding="utf-8").startswith("glassnet explain")


def test_output_replaces_existing_file_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(EXAMPLES_DIR / "seed000.toml")
    _, expected, _ = run_main(capsys, "explain", example, "--format", "json")
    target = tmp_path / "out.json"
    target.write_text("OLD CONTENT " * 100_000, encoding="utf-8")  # far longer than the new
    code, out, _ = run_main(capsys, "explain", example, "--format", "json", "-o", str(target))
    assert code == 0
    assert out == ""
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_output_into_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / "out.txt"
    before = sorted(tmp_path.rglob("*"))
    code, out, err = run_main(capsys, "explain", str(EXAMPLES[0]), "-o", str(target))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, str(target), "cannot write")
    assert not target.exists()
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("flag", ["--dataset", "--target"])
def test_an_empty_dataset_or_target_is_refused_not_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    # --dataset "$DATA" with DATA unset trained on digits, exit 0
    out = tmp_path / "run"
    code, _, err = run_main(capsys, "train", flag, "", "--epochs", "1", "--out", str(out))
    assert code == 2 and not out.exists()
    assert err == f"glassnet: error: {flag}: an empty name; give a dataset's or a file's\n"


@pytest.mark.parametrize("command", ["explain", "check", "predict"])
def test_an_empty_output_name_is_refused_not_taken_for_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # -o "$OUT" with OUT unset printed to stdout, exit 0
    args = {
        "explain": [str(EXAMPLES[0])],
        "check": [str(EXAMPLES[0]), "--template"],
        "predict": [str(tmp_path / "model.npz"), "iris"],
    }[command]
    if command == "predict":
        assert (
            run_main(capsys, "train", "--dataset", "iris", "--epochs", "1", "--out", str(tmp_path))[
                0
            ]
            == 0
        )
    code, out, err = run_main(capsys, command, *args, "-o", "")
    assert (code, out) == (2, "")
    assert err == "glassnet: error: -o: an empty file name; give a file's, or no -o for stdout\n"


def test_output_onto_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "adir"
    target.mkdir()
    (target / "keep.txt").write_text("kept", encoding="utf-8")
    code, out, err = run_main(capsys, "explain", str(EXAMPLES[0]), "-o", str(target))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, str(target))
    assert target.is_dir()
    assert (target / "keep.txt").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir"]  # no temp file left


def test_bad_spec_with_output_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("input = [\n", encoding="utf-8")
    target = tmp_path / "out.txt"
    target.write_text("previous", encoding="utf-8")
    code, out, err = run_main(capsys, "explain", str(bad), "-o", str(target))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, str(bad))
    assert target.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "out.txt"]


# --- gradcheck ------------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=EXAMPLE_IDS)
def test_gradcheck_examples_pass(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "gradcheck", str(example))
    assert code == 0
    assert err == ""
    spec = glassnet.load_spec(example)
    lines = out.splitlines()
    for l, layer in enumerate(spec.network.layers, start=1):
        [line] = [x for x in lines if x.startswith(f"layer {l} ")]
        assert f"({layer.activation.name})" in line
        assert line.rstrip().endswith("ok") or "skipped" in line
        assert "FAIL" not in line
    assert not any(x.startswith(f"layer {len(spec.network.layers) + 1} ") for x in lines)
    assert "all below" in out
    assert "NOT all below" not in out


def test_gradcheck_batch_passes(batch_spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "gradcheck", str(batch_spec))
    assert code == 0
    assert "layer 1 (tanh)" in out
    assert "layer 2 (softmax)" in out


@pytest.fixture
def wrong_sigmoid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sigmoid's derivative 10% too large (specs look activations up when parsed)."""
    wrong = dataclasses.replace(ACTIVATIONS["sigmoid"], derivative=lambda z, a: a * (1.0 - a) * 1.1)
    monkeypatch.setitem(ACTIVATIONS, "sigmoid", wrong)


@pytest.mark.usefixtures("wrong_sigmoid")
def test_gradcheck_wrong_derivative_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "gradcheck", str(EXAMPLES_DIR / "seed000.toml"))
    assert code == 1
    assert err == ""
    [line] = [x for x in out.splitlines() if x.startswith("layer 1 ")]
    assert "(sigmoid)" in line
    assert "FAIL" in line
    assert "NOT all below" in out


@pytest.mark.usefixtures("wrong_sigmoid")
def test_gradcheck_wrong_hidden_derivative_fails_only_that_layer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # seed003: sigmoid (hidden) then softmax; only layer 1's gradients use σ'.
    code, out, _ = run_main(capsys, "gradcheck", str(EXAMPLES_DIR / "seed003.toml"))
    assert code == 1
    lines = out.splitlines()
    [first] = [x for x in lines if x.startswith("layer 1 ")]
    [second] = [x for x in lines if x.startswith("layer 2 ")]
    assert "FAIL" in first
    assert "(softmax)" in second
    assert second.rstrip().endswith("ok")


def test_gradcheck_unpatched_after_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    # monkeypatch restored the registry: the same check passes again.
    code, _, _ = run_main(capsys, "gradcheck", str(EXAMPLES_DIR / "seed000.toml"))
    assert code == 0


# --- bad specs and bad arguments ------------------------------------------------------


@pytest.mark.parametrize("command", ["explain", "gradcheck"])
@pytest.mark.parametrize(
    ("text", "fragment"),
    [pytest.param(text, fragment, id=name) for name, text, fragment in BAD_SPECS],
)
def test_bad_spec_exit_2_one_line(
    command: str, text: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_main(capsys, command, str(path))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, str(path), fragment)
    assert err.startswith(f"glassnet: error: {path}: ")


def test_too_many_parameters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small limit, so that even a regression that drew the weights first stays cheap.
    monkeypatch.setattr(glassnet.spec, "MAX_PARAMETERS", 1000)
    path = tmp_path / "big.toml"
    path.write_text(
        GOOD.replace("weights = [[1.0], [-1.0], [0.5]]", "units = 100")
        + '\n[[layer]]\nactivation = "tanh"\nunits = 100\n',
        encoding="utf-8",
    )
    code, out, err = run_main(capsys, "explain", str(path))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, str(path), "layer 3", "parameters")


def test_bad_spec_texts_are_distinct() -> None:
    assert len({text for _, text, _ in BAD_SPECS}) == len(BAD_SPECS)
    assert all(text != GOOD for _, text, _ in BAD_SPECS)


def test_good_spec_is_good(good_spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "explain", str(good_spec))
    assert code == 0, err


@pytest.mark.parametrize("command", ["explain", "gradcheck"])
def test_missing_file(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope.toml"
    code, out, err = run_main(capsys, command, str(path))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, str(path), "no such file")


@pytest.mark.parametrize("command", ["explain", "gradcheck"])
def test_directory_as_spec(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(capsys, command, str(tmp_path))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, str(tmp_path), "directory")


def test_non_utf8_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(("# é\n" + GOOD).encode("latin-1"))
    code, out, err = run_main(capsys, "explain", str(path))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, str(path), "UTF-8")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["bogus"], "glassnet: error: argument command: invalid choice: 'bogus'"),
        (["explain"], "glassnet: error: explain: the following arguments are required"),
        (["explian", "x.toml"], "invalid choice: 'explian'"),
        ([], "required"),
        (["explain"], "required: spec"),
        (["gradcheck"], "required: spec"),
        (["explain", "EX", "--format", "xml"], "--format"),
        (["explain", "EX", "--format", "JSON"], "--format"),
        (["explain", "EX", "--precision", "0"], "--precision"),
        (["explain", "EX", "--precision", "x"], "--precision"),
        (["explain", "EX", "--precision", "18"], "--precision"),
        (["explain", "EX", "--precision", "-3"], "--precision"),
        (["explain", "EX", "--precision", "2.5"], "--precision"),
        (["explain", "EX", "--precision"], "--precision"),
        (["explain", "EX", "-o"], "-o"),
        (["explain", "EX", "--bogus"], "--bogus"),
        (["gradcheck", "EX", "--format", "html"], "--format"),
        (["explain", "EX", "--precision", "\uff13"], "--precision: expected 1 to 17"),
        (["train", "--hidden", "\uff13\uff12"], "--hidden: expected sizes"),
        (["explain", "EX", "extra"], "extra"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_bad_arguments_exit_2_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(EXAMPLES[0]) if arg == "EX" else arg for arg in argv]
    code, out, err = run_main(capsys, *argv)
    assert code == 2
    assert out == ""
    assert_one_line_error(err, fragment)


@pytest.mark.parametrize("precision", ["0", "x"])
def test_bad_precision_message(precision: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "explain", str(EXAMPLES[0]), "--precision", precision)
    assert code == 2
    assert_one_line_error(err, "--precision", precision)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"glassnet {glassnet.__version__}\n"


# --- the real process -----------------------------------------------------------------


def test_process_explain_json() -> None:
    result = run_cli("explain", str(EXAMPLES_DIR / "seed003.toml"), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc == glassnet.load_spec(EXAMPLES_DIR / "seed003.toml").explain().to_dict()


def test_process_gradcheck() -> None:
    result = run_cli("gradcheck", str(EXAMPLES_DIR / "seed001.toml"))
    assert result.returncode == 0, result.stderr
    assert "layer 3 (softmax)" in result.stdout


def test_process_bad_spec(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace('"sigmoid"', '"sigmod"'), encoding="utf-8")
    result = run_cli("explain", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line_error(result.stderr, str(path), "did you mean 'sigmoid'")


def test_process_bad_argument() -> None:
    result = run_cli("explain", str(EXAMPLES[0]), "--precision", "0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line_error(result.stderr, "--precision")


def test_process_unknown_subcommand() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line_error(result.stderr, "frobnicate")


def test_process_output_into_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.txt"
    result = run_cli("explain", str(EXAMPLES[0]), "-o", str(target))
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line_error(result.stderr, str(target))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("end", ["/", "/.", "/.."])
def test_output_ending_as_a_folder_is_refused(tmp_path: Path, capsys, end: str) -> None:
    target = f"{tmp_path / 'newdir'}{end}"
    assert main(["explain", str(EXAMPLES[0]), "-o", target]) == 2
    err = capsys.readouterr().err
    assert (
        err == f"glassnet: error: -o {target}: ends as a folder's name (/ or /.); give a file's\n"
    )
    assert list(tmp_path.iterdir()) == []  # no file named newdir


def test_process_huge_integer_is_one_line(tmp_path: Path) -> None:
    # Regression: an OverflowError escaped main(): a traceback and exit 1.
    path = tmp_path / "huge.toml"
    path.write_text(GOOD.replace("[1.0, 2.0]", "[1.0, " + "9" * 400 + "]"), encoding="utf-8")
    result = run_cli("explain", str(path))
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert_one_line_error(result.stderr, str(path), "input[2]")


def test_name_with_newline_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Regression: a name with a newline was put into the message as is (two lines).
    path = tmp_path / "newline.toml"
    path.write_text(GOOD.replace('"sigmoid"', '"sig\\nmoid"'), encoding="utf-8")
    code, _, err = run_main(capsys, "explain", str(path))
    assert code == 2
    assert_one_line_error(err, str(path))


# --- -o onto an input -----------------------------------------------------------------


def test_output_onto_an_input_is_refused_and_the_input_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = Path(shutil.copy(EXAMPLES_DIR / "seed001.toml", tmp_path / "s.toml"))
    claims = Path(shutil.copy(EXAMPLES_DIR / "claims" / "seed001.toml", tmp_path / "c.toml"))
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,y\n" + "".join(f"{i % 2},{i % 3},{i % 2}\n" for i in range(20)))
    run_dir = tmp_path / "run"
    code, _, err = run_main(
        capsys, "train", "--dataset", str(data), "--epochs", "1", "--out", str(run_dir)
    )
    assert code == 0, err
    model = run_dir / "model.npz"
    same = tmp_path / "." / "s.toml"  # the same file by another path
    for argv, kept in [
        (["explain", str(spec), "-o", str(same)], spec),
        (["check", str(spec), str(claims), "-o", str(claims)], claims),
        (["predict", str(model), str(data), "-o", str(data)], data),
        (["predict", str(model), str(data), "-o", str(model)], model),
    ]:
        before = kept.read_bytes()
        code, out, err = run_main(capsys, *argv)
        assert code == 2 and out == "", argv
        assert_one_line_error(err, f"-o {argv[-1]}: would overwrite the input")
        assert kept.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["check", "EX", "CLAIMS", "--template"], "--template writes a blank claims file"),
        (["check", "EX", "--template", "--format", "json"], "give it without --format"),
        (["diagnose", "EX", "--target", "y"], "--target names a column of --data"),
    ],
    ids=["template-with-claims", "template-with-format", "diagnose-target-without-data"],
)
def test_conflicting_flags_are_refused(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    names = {
        "EX": str(EXAMPLES_DIR / "seed001.toml"),
        "CLAIMS": str(EXAMPLES_DIR / "claims" / "seed001.toml"),
    }
    code, out, err = run_main(capsys, *(names.get(arg, arg) for arg in argv))
    assert code == 2 and out == ""
    assert_one_line_error(err, fragment)


def test_ctrl_c_says_where_once(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """train's "interrupted at epoch E, batch K" after "glassnet: interrupted", not inside it."""
    import glassnet.cli as cli

    def stopped(args):
        exc = KeyboardInterrupt("interrupted at epoch 3, batch 2")
        exc.hint = "resume with: glassnet train --resume out"  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(cli, "_train", stopped)
    assert cli.main(["train"]) == 130
    err = capsys.readouterr().err
    where = "interrupted at epoch 3, batch 2"
    assert err == f"glassnet: {where}; resume with: glassnet train --resume out\n"


@pytest.fixture
def custom_spec(tmp_path: Path):
    """A spec of a registered activation and loss, the registries restored after."""
    from glassnet.losses import LOSSES

    acts, losses = dict(ACTIVATIONS), dict(LOSSES)
    glassnet.register_activation("softsign", lambda z: z / (1 + np.abs(z)), vjp=_softsign_vjp)
    glassnet.register_loss(
        "abs_error", lambda a, y: np.abs(a - y).sum(axis=-1), lambda a, y: np.sign(a - y)
    )
    spec = tmp_path / "custom.toml"
    spec.write_text(
        'input = [[0.5, -1.0], [1.0, 2.0]]\ntarget = [[1.0], [0.0]]\nloss = "abs_error"\n'
        '[[layer]]\nactivation = "softsign"\nweights = [[0.1, 0.2], [0.3, -0.4]]\n'
        '[[layer]]\nactivation = "identity"\nweights = [[1.0], [-1.0]]\n'
    )
    yield spec
    ACTIVATIONS.clear()
    ACTIVATIONS.update(acts)
    LOSSES.clear()
    LOSSES.update(losses)


def _softsign_vjp(z: np.ndarray, a: np.ndarray, g: np.ndarray) -> np.ndarray:
    return g / (1 + np.abs(z)) ** 2


def test_a_page_of_a_registered_activation_or_loss_is_refused_in_one_line(
    custom_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "step.html"
    code, out, err = run_main(capsys, "explain", str(custom_spec), "--format", "html")
    assert code == 2 and out == ""
    assert_one_line_error(
        err, "not activation 'softsign' (layer 1) or loss 'abs_error'", "--format text, markdown"
    )
    code, _, err = run_main(
        capsys, "explain", str(custom_spec), "--format", "html", "-o", str(page)
    )
    assert code == 2 and not page.exists()
    for fmt in ("text", "markdown", "json"):  # which show it
        assert run_main(capsys, "explain", str(custom_spec), "--format", fmt)[0] == 0
    claims = tmp_path / "claims.toml"
    assert run_main(capsys, "check", str(custom_spec), "--template", "-o", str(claims))[0] == 0
    code, out, err = run_main(
        capsys, "check", str(custom_spec), str(claims), "--format", "html", "-o", str(page)
    )
    assert code == 2 and not page.exists()
    assert_one_line_error(err, "or loss 'abs_error'")


def test_a_written_page_carries_katexs_notice_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the page inlines katex.min.js, whose MIT licence asks copies to carry its notice
    from html.parser import HTMLParser
    from importlib import resources

    notice = resources.files("glassnet.render").joinpath("assets", "KATEX-LICENSE").read_text()
    assert "Copyright (c) 2013-2020 Khan Academy" in notice
    page = tmp_path / "step.html"
    code, _, err = run_main(
        capsys, "explain", str(EXAMPLES_DIR / "seed001.toml"), "--format", "html", "-o", str(page)
    )
    assert code == 0, err
    text = page.read_text("utf-8")
    comments: list[str] = []
    parser = HTMLParser()
    parser.handle_comment = comments.append  # type: ignore[method-assign]
    parser.feed(text)
    assert text.count(notice) == 1 and any(notice in comment for comment in comments)


def test_train_out_skips_the_page_of_a_registered_activation_with_a_note(
    custom_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    (out / "explain.html").parent.mkdir()
    (out / "explain.html").write_text("an earlier run's page")
    code, stdout, err = run_main(
        capsys, "train", "--spec", str(custom_spec), "--epochs", "2", "--out", str(out)
    )
    assert code == 0, err
    assert not (out / "explain.html").exists()  # an earlier run's page is not left as this one's
    assert (out / "model.npz").is_file() and (out / "trained.toml").is_file()
    note = "explain.html skipped: the explain page computes glassnet's own activations and"
    assert note in stdout and note in (out / "report.md").read_text()
    assert "explain.html" not in stdout.split("wrote ")[1].splitlines()[0]


@pytest.mark.filterwarnings("error")  # (the project's default too: said here)
def test_an_overflow_is_no_runtime_warning(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    # W1[1][1] = 1e308: "network.py:754: RuntimeWarning: overflow encountered in matmul"
    text = (EXAMPLES_DIR / "seed003.toml").read_text("utf-8")
    big = tmp_path / "big3.toml"
    big.write_text(text.replace("[[ 0.1, 0.3,", "[[ 1e308, 0.3,", 1), "utf-8")
    assert "1e308" in big.read_text("utf-8")
    # gradcheck refuses the step (its z is ∞), in one line, not in a warning
    code, _, said = run_main(capsys, "gradcheck", str(big))
    refusal = f"glassnet: error: {big}: layer 1's z holds inf (the forward pass overflows"
    assert code == 2 and said.startswith(refusal) and said.count("\n") == 1, said
    for argv in (
        ["train", "--spec", str(big), "--epochs", "3"],
        ["explain", str(big), "--format", "json"],
        ["diagnose", str(big)],
        ["check", str(big), "--template"],
    ):
        code, _, err = run_main(capsys, *argv)
        assert code == 0 and err == "", (argv, err)
    # and with warnings as errors in a fresh interpreter, as a user's -W error would
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "glassnet", "gradcheck", str(big)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stderr == said, done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "EX", "c.toml", "--template"], "glassnet: error: check: --template writes a"),
        (["check", "EX"], "glassnet: error: check: give a CLAIMS file, or --template"),
        (["diagnose", "EX", "--target", "x"], "glassnet: error: diagnose: --target names a"),
    ],
)
def test_a_command_s_own_usage_errors_name_it_once(argv, message, capsys) -> None:
    argv = [str(EXAMPLES[1]) if a == "EX" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("glassnet") == 1, err


def test_output_to_dev_stdout_goes_through_the_stream_the_shell_gave(tmp_path: Path) -> None:
    # "-o /dev/stdout >> f" renamed a file over f: the shell's earlier lines were lost
    target = tmp_path / "f.txt"
    target.write_text("HEADER\n", encoding="utf-8")
    with target.open("a", encoding="utf-8") as stream:
        done = subprocess.run(
            [sys.executable, "-m", "glassnet", "explain", str(EXAMPLES[0]), "-o", "/dev/stdout"],
            stdout=stream,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    expected = subprocess.run(
        [sys.executable, "-m", "glassnet", "explain", str(EXAMPLES[0])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert target.read_text(encoding="utf-8") == "HEADER\n" + expected


@pytest.mark.parametrize("to", [[], ["-o", "/dev/stdout"]])
def test_a_full_disk_under_stdout_is_one_line_of_error(to: list[str]) -> None:
    # /dev/full refuses every write: the command says so (exit 2), with no traceback,
    # and Python's flush at exit does not add an "Exception ignored" after it
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run(
            [sys.executable, "-m", "glassnet", "explain", str(EXAMPLES[0]), *to],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr == "glassnet: error: stdout: cannot write: No space left on device\n"


def test_a_redirected_stdout_of_another_encoding_gets_utf8() -> None:
    # Windows writes a redirected stdout in cp1252, which has no →: UTF-8, as -o writes
    # (here Python's ASCII of the C locale, its UTF-8 mode and locale coercion off)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    env.update(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    args = [sys.executable, "-m", "glassnet", "explain", str(EXAMPLES[0])]
    done = subprocess.run(args, capture_output=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == run_cli("explain", str(EXAMPLES[0])).stdout
    # an encoding asked for is kept: the text it cannot hold is one line of error
    env["PYTHONIOENCODING"] = "ascii"
    done = subprocess.run(args, capture_output=True, env=env, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.startswith(b"glassnet: error: stdout: its encoding ascii cannot write")


def test_a_terminal_that_cannot_show_the_text_is_one_line_of_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    screen = Terminal(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", screen)
    assert main(["explain", str(EXAMPLES[0])]) == 2
    assert screen.buffer.getvalue() == b""  # nothing half-written
    assert capsys.readouterr().err == (
        "glassnet: error: stdout: its encoding ascii cannot write '→'; set "
        "PYTHONIOENCODING=utf-8, or write to a file with -o (UTF-8)\n"
    )


def test_a_closed_stdout_is_one_line_of_error(tmp_path: Path) -> None:
    from glassnet.cli import CLOSED, CLOSED_NO_OUTPUT

    out = tmp_path / "run"
    for argv, said in (
        (f"explain {EXAMPLES[0]}", CLOSED),  # (which has -o)
        (f"train --dataset xor --epochs 1 --out {out}", CLOSED_NO_OUTPUT),  # (which has not)
    ):
        done = subprocess.run(
            ["bash", "-c", f"{sys.executable} -m glassnet {argv} >&-"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr == f"glassnet: error: {said}\n"
    assert not out.exists()  # said before training, not after it wrote its files
    # with -o the page goes to its file, and stdout is not needed
    page = tmp_path / "p.txt"
    command = f"{sys.executable} -m glassnet explain {EXAMPLES[0]} -o {page} >&-"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and page.read_text(encoding="utf-8").startswith("glassnet explain")


def test_gradcheck_writes_json_and_takes_a_tolerance(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from glassnet import gradcheck, load_spec

    spec_path = EXAMPLES_DIR / "seed003.toml"
    code, out, _ = run_main(capsys, "gradcheck", str(spec_path), "--format", "json")
    doc = json.loads(out)
    spec = load_spec(spec_path)
    result = gradcheck(spec.network, spec.X, spec.Y, weights_layout="out_in")
    assert code == 0 and doc["format"] == "glassnet.gradcheck/1" and doc["passed"] is True
    assert doc["tolerance"] == 1e-6 and doc["notes"] == []
    assert [(d["index"], d["where"], d["worst"]) for d in doc["layers"]] == [
        (c.index, c.where, c.worst) for c in result.layers
    ]
    assert doc["layers"][0]["checked"] == 20 and doc["layers"][0]["activation"] == "sigmoid"
    # a tolerance that is no number > 0: exit 2
    code, out, err = run_main(capsys, "gradcheck", str(spec_path), "--tolerance", "0")
    assert code == 2 and out == "" and "--tolerance: expected a number ≥ 1e-10, found '0'" in err


@pytest.mark.usefixtures("wrong_sigmoid")
def test_gradcheck_fails_in_json_and_a_tolerance_it_is_within_passes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    spec = str(EXAMPLES_DIR / "seed000.toml")  # sigmoid's derivative 10 % off
    code, out, _ = run_main(capsys, "gradcheck", spec, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["passed"] is False and doc["layers"][0]["worst"] > 1e-2
    code, out, _ = run_main(capsys, "gradcheck", spec, "--tolerance", "0.5")
    assert code == 0 and out.endswith("all below 0.5\n")
