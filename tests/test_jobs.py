"""glassnet train / predict / evaluate, end to end, and what the datasets teach."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re

import numpy as np
import pytest

from glassnet import Network, explain_step, load_spec
from glassnet.cli import main
from glassnet.data import load_dataset, train_val_test_split
from glassnet.io import load_model

from conftest import EXAMPLES


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_with_no_arguments_learns_digits(capsys):
    code, out, err = run(capsys, "train", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["dataset"] == "digits"
    assert result["test_accuracy"] >= 0.97
    for key in ("epochs", "train_loss", "test_loss", "test_accuracy", "seconds"):
        assert key in result


def test_text_report(capsys):
    code, out, _ = run(capsys, "train", "--dataset", "xor", "--epochs", "5")
    assert code == 0
    assert out.startswith("glassnet train: xor")
    assert "test: loss" in out and "accuracy" in out


def test_out_dir_and_saved_model_predict_and_evaluate(capsys, tmp_path):
    out = tmp_path / "run"
    code, stdout, err = run(capsys, "train", "--dataset", "iris", "--out", str(out), "--json")
    assert code == 0, err
    result = json.loads(stdout)
    for name in (
        "model.npz",
        "history.csv",
        "history.json",
        "report.md",
        "loss.png",
        "confusion.png",
        "explain.html",
    ):
        assert (out / name).is_file(), name
    history = json.loads((out / "history.json").read_text())
    assert len(history["epoch"]) == result["epochs"]
    assert (out / "history.csv").read_text().splitlines()[0].startswith("epoch,loss,accuracy")
    assert "# Training report: iris" in (out / "report.md").read_text()

    # the saved model predicts the whole iris set as well as training reported
    code, stdout, _ = run(capsys, "evaluate", str(out / "model.npz"), "iris", "--json")
    assert code == 0
    evaluation = json.loads(stdout)
    assert evaluation["n"] == 150 and evaluation["accuracy"] > 0.9

    # a CSV with the feature columns only (shuffled order) gets one prediction per row
    data = load_dataset("iris")
    csv = tmp_path / "flowers.csv"
    names = list(data.feature_names)
    order = [2, 0, 3, 1]
    lines = [",".join(names[i] for i in order)]
    lines += [",".join(repr(float(x)) for x in row[order]) for row in data.X]
    csv.write_text("\n".join(lines) + "\n")
    code, stdout, err = run(capsys, "predict", str(out / "model.npz"), str(csv))
    assert code == 0, err
    predictions = stdout.splitlines()
    assert predictions[0] == "prediction" and len(predictions) == 151
    labels = [str(data.classes[i]) for i in data.y]
    accuracy = np.mean([p == t for p, t in zip(predictions[1:], labels, strict=True)])
    assert accuracy == pytest.approx(evaluation["accuracy"])

    code, stdout, _ = run(capsys, "predict", str(out / "model.npz"), str(csv), "--proba")
    rows = [list(map(float, line.split(","))) for line in stdout.splitlines()[1:]]
    np.testing.assert_allclose(np.sum(rows, axis=1), 1.0)


def test_regression_round_trip(capsys, tmp_path):
    out = tmp_path / "reg"
    code, stdout, err = run(
        capsys, "train", "--dataset", "diabetes", "--out", str(out), "--json", "--epochs", "30"
    )
    assert code == 0, err
    assert "test_r2" in json.loads(stdout)
    code, stdout, _ = run(capsys, "evaluate", str(out / "model.npz"), "diabetes", "--json")
    assert "r2" in json.loads(stdout)
    code, stdout, _ = run(capsys, "predict", str(out / "model.npz"), "diabetes")
    values = np.array([float(v) for v in stdout.splitlines()[1:]])
    y = load_dataset("diabetes").y
    assert values.shape == y.shape
    assert abs(values.mean() - y.mean()) < 0.25 * y.std()  # in the target's own units


def test_evaluate_reads_a_csv_by_column_name_and_the_target_as_the_model_does(capsys, tmp_path):
    out = tmp_path / "moons"
    code, _, err = run(capsys, "train", "--dataset", "moons", "--epochs", "3", "--out", str(out))
    assert code == 0, err
    model = str(out / "model.npz")
    data = load_dataset("moons")
    rows = data.X[:3]  # three rows of whole-number labels: alone they would look like numbers
    csv = tmp_path / "few.csv"
    csv.write_text(
        "label,x2,x1\n"  # columns in another order than the model's
        + "".join(
            f"{data.classes[c]},{float(x2)!r},{float(x1)!r}\n"
            for (x1, x2), c in zip(rows, data.y[:3], strict=True)
        )
    )
    code, stdout, err = run(capsys, "evaluate", model, str(csv), "--target", "label", "--json")
    assert code == 0, err
    evaluation = json.loads(stdout)
    # the oracle: predict, which finds the columns by name, against the labels
    code, stdout, _ = run(capsys, "predict", model, str(csv))
    predicted = stdout.splitlines()[1:]
    expected = np.mean(
        [p == str(data.classes[c]) for p, c in zip(predicted, data.y[:3], strict=True)]
    )
    assert evaluation["n"] == 3
    assert evaluation["accuracy"] == pytest.approx(expected)
    code, _, err = run(capsys, "diagnose", model, "--data", str(csv), "--target", "label")
    assert code == 0, err


def test_a_line_break_in_a_column_read_is_refused_by_predict_and_evaluate(capsys, tmp_path):
    # stripped, "0.2\n" and "eel\n" passed as 0.2 and eel; another column may hold one
    rows = "".join(f"{i % 3 / 2},{i % 5 / 4},{'eel' if i % 2 else 'cod'}\n" for i in range(40))
    (tmp_path / "fish.csv").write_text("length,weight,species\n" + rows)
    out = tmp_path / "run"
    argv = ("--dataset", str(tmp_path / "fish.csv"), "--epochs", "1", "--out", str(out))
    code, _, err = run(capsys, "train", *argv)
    assert code == 0, err
    model = str(out / "model.npz")
    cases = {
        'length,weight,species\n0.5,"0.25\n",eel\n': "column 'weight': expected a number, "
        "found a quoted cell that holds a line break ('0.25\\n')",
        'length,weight,species\n0.5,0.25,"eel\r\n"\n': "column 'species': a quoted cell "
        "holds a line break ('eel\\r\\n'): a label or number must be on one line",
    }
    for k, (text, said) in enumerate(cases.items()):
        path = tmp_path / f"bad{k}.csv"
        path.write_text(text, newline="")
        commands = [("evaluate", model, str(path))] + ([("predict", model, str(path))] * (k == 0))
        for argv in commands:
            code, _, err = run(capsys, *argv)
            assert code == 2 and err == f"glassnet: error: {path}: row 1 (line 2), {said}\n", err
    # a note over two lines in a column the model does not read is no matter
    (tmp_path / "note.csv").write_text('length,weight,note,species\n0.5,0.25,"a\nb",eel\n')
    code, stdout, err = run(capsys, "evaluate", model, str(tmp_path / "note.csv"))
    assert code == 0 and "n: 1" in stdout, err


def test_evaluate_a_regression_model_on_targets_that_look_like_classes(capsys, tmp_path):
    out = tmp_path / "reg"
    code, _, err = run(capsys, "train", "--dataset", "diabetes", "--epochs", "2", "--out", str(out))
    assert code == 0, err
    data = load_dataset("diabetes")
    X, y = data.X[:12], np.round(data.y[:12] / 100)  # few whole values: "classes" on their own
    csv = tmp_path / "d.csv"
    header = ",".join([*data.feature_names, "target"])
    csv.write_text(
        header
        + "\n"
        + "".join(
            ",".join(repr(float(v)) for v in [*r, t]) + "\n" for r, t in zip(X, y, strict=True)
        )
    )
    model = str(out / "model.npz")
    code, stdout, err = run(capsys, "evaluate", model, str(csv), "--json")
    assert code == 0, err
    r2 = json.loads(stdout)["r2"]
    # R² is the same in the target's units and standardised: compute it from predict
    code, stdout, _ = run(capsys, "predict", model, str(csv))
    predicted = np.array([float(v) for v in stdout.splitlines()[1:]])
    expected = 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 == pytest.approx(expected, rel=1e-6)


def test_spec_training_matches_a_loop_of_explained_steps(capsys, tmp_path):
    spec_path = EXAMPLES[1]  # seed 001
    out = tmp_path / "spec"
    code, stdout, err = run(
        capsys, "train", "--spec", str(spec_path), "--epochs", "1000", "--out", str(out), "--json"
    )
    assert code == 0, err
    result = json.loads(stdout)
    spec = load_spec(spec_path)
    one_step = explain_step(spec.network, spec.X, spec.Y, spec.learning_rate).loss_after
    assert result["final_loss"] < one_step < result["initial_loss"]

    stepped = spec.network.copy()
    for _ in range(1000):
        trace = explain_step(stepped, spec.X, spec.Y, spec.learning_rate)
        for layer, t in zip(stepped.layers, trace.layers, strict=True):
            layer.W[...], layer.b[...] = t.W_new, t.b_new
    trained, _ = load_model(out / "model.npz")
    for a, b in zip(trained.layers, stepped.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=1e-12)
    # the trained network, exported as a spec, is explained like any other
    # and, as for a dataset, the diagnostics of the run
    assert json.loads((out / "diagnostics.json").read_text())
    assert "## Diagnostics" in (out / "report.md").read_text()
    code, stdout, _ = run(capsys, "explain", str(out / "trained.toml"), "--format", "json")
    assert code == 0
    assert json.loads(stdout)["loss"] == pytest.approx(result["final_loss"], rel=1e-12)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--dataset", "digitz"], "did you mean 'digits'"),
        (["train", "--hidden", "a,b"], "sizes"),
        (["train", "--epochs", "0"], "from 1 to 1000000000"),
        (["train", "--epochs", "1" + "0" * 30], "--epochs: expected a whole number from 1 to"),
        (["train", "--dataset", "xor", "--hidden", "100000,100000"], "refuses more than 50,000"),
        (["train", "--lr", "-1"], "> 0"),
        (["train", "--spec", "x.toml", "--dataset", "iris"], "--spec"),
        (["train", "--spec", str(EXAMPLES[1]), "--hidden", "5"], "--hidden"),
        (["train", "--spec", str(EXAMPLES[1]), "--scale", "none"], "--scale"),
        (["train", "--dataset", "iris", "--activation", "sigmod"], "--activation: unknown"),
        (["train", "--dataset", "iris", "--loss", "huber"], "--loss: unknown"),
        (["train", "--dataset", "iris", "--loss", "half_squared_error"], "a squared error needs"),
        (["train", "--dataset", "iris", "--loss", "binary_cross_entropy"], "takes sigmoid outputs"),
        (["train", "--dataset", "diabetes", "--loss", "cross_entropy"], "regression"),
        (["diagnose", str(EXAMPLES[1]), "--data", "iris"], "--data iris: has 4 features"),
        (["diagnose", str(EXAMPLES[1]), "--data", "diabetes"], "--data diabetes: has 10"),
        (["predict", "missing.npz", "iris"], "missing.npz"),
        (["train", "--dropout", "1"], "train: argument --dropout: expected a rate in [0, 1)"),
        (["train", "--dataset", "iris", "--target", "x"], "error: --target: applies to a CSV"),
        (["train", "--target", "x"], "--target: applies to a CSV or .npy file, not to the"),
        (["train", "--seed", "9" * 23], "argument --seed: expected a whole number from 0 to"),
        (
            ["train", "--resume", "nowhere", "--spec", str(EXAMPLES[0])],
            "--spec: --resume continues the run with its own settings",
        ),
    ],
)
def test_bad_arguments_one_line_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err


SMALL_NETWORKS = {
    "moons": ([2, 16, 2], ["tanh", "softmax"], 0.02, 200),
    "circles": ([2, 16, 2], ["tanh", "softmax"], 0.02, 200),
    "xor": ([2, 8, 2], ["tanh", "softmax"], 0.02, 200),
    "spiral": ([2, 64, 3], ["relu", "softmax"], 0.01, 400),
}


@pytest.mark.parametrize("name", list(SMALL_NETWORKS))
def test_small_networks_learn_the_2d_datasets(name):
    sizes, acts, lr, epochs = SMALL_NETWORKS[name]
    data = load_dataset(name)
    X_train, y_train, _, _, X_test, y_test = train_val_test_split(data.X, data.y, test=0.25)
    net = Network(sizes, activations=acts, loss="cross_entropy", seed=0)
    net.fit(
        X_train,
        y_train,
        epochs=epochs,
        batch_size=32,
        optimizer="adam",
        learning_rate=lr,
        seed=0,
        verbose=False,
    )
    assert net.evaluate(X_test, y_test)["accuracy"] >= 0.95


def test_evaluate_matches_names_in_a_csv_only(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 3)), np.arange(60) % 2
    np.savez(tmp_path / "a.npz", X=X, y=y)
    np.savez(tmp_path / "b.npz", X=np.hstack([X, X[:, :1]]), y=y)  # x0..x3 ⊇ x0..x2
    out = tmp_path / "run"
    data = str(tmp_path / "a.npz")
    code, _, err = run(capsys, "train", "--dataset", data, "--epochs", "1", "--out", str(out))
    assert code == 0, err
    code, _, err = run(capsys, "evaluate", str(out / "model.npz"), str(tmp_path / "b.npz"))
    assert code == 2 and "has 4 features, the model takes 3" in err


def test_evaluate_refuses_targets_that_are_not_the_model_s_outputs(capsys, tmp_path):
    # one target column for a model of two outputs was broadcast over both: made-up numbers
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    Y = np.column_stack([X @ [1.0, 2.0, 3.0], X[:, 0]])
    np.savez(tmp_path / "two.npz", X=X, y=Y)
    np.savez(tmp_path / "one.npz", X=X, y=Y[:, :1])
    for source, other, said in (
        ("two", "one", "1 target column, the model 2 outputs"),
        ("one", "two", "2 target columns, the model 1 output"),
    ):
        out = tmp_path / f"run_{source}"
        data = str(tmp_path / f"{source}.npz")
        code, _, err = run(capsys, "train", "--dataset", data, "--epochs", "1", "--out", str(out))
        assert code == 0, err
        code, _, err = run(
            capsys, "evaluate", str(out / "model.npz"), str(tmp_path / f"{other}.npz")
        )
        assert code == 2 and err == f"glassnet: error: {tmp_path / other}.npz: has {said}\n", err
    # a .npy of the model's feature columns alone: no target, not "3 features"
    np.save(tmp_path / "xy.npy", np.column_stack([X @ [1.0, 2.0, 3.0], X]))
    np.save(tmp_path / "x.npy", X)
    out = tmp_path / "run_npy"
    argv = ("--dataset", str(tmp_path / "xy.npy"), "--target", "0", "--epochs", "1")
    code, _, err = run(capsys, "train", *argv, "--out", str(out))
    assert code == 0, err
    code, _, err = run(capsys, "evaluate", str(out / "model.npz"), str(tmp_path / "x.npy"))
    said = "has 3 columns: the model's 3 features and no target column, or a target and 2"
    assert code == 2 and said in err, err
    # a .npz keeps its target apart: one feature too few is one feature too few
    np.savez(tmp_path / "short.npz", X=X[:, :2], y=Y[:, 0])
    code, _, err = run(
        capsys, "evaluate", str(tmp_path / "run_one" / "model.npz"), str(tmp_path / "short.npz")
    )
    assert code == 2 and "has 2 features, the model takes 3" in err, err


def test_out_problems_are_one_line_and_found_before_training(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, out, err = run(capsys, "train", "--dataset", "xor", "--out", str(blocker / "run"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "cannot write there" in err
    code, out, err = run(capsys, "train", "--dataset", "xor", "--out", str(blocker))
    assert (code, err) == (2, f"glassnet: error: --out {blocker}: is a file, not a folder\n")
    # a folder where a file should go: named, one line, what was written stays whole
    (tmp_path / "run" / "loss.png").mkdir(parents=True)
    argv = ("train", "--dataset", "xor", "--epochs", "1", "--out", str(tmp_path / "run"))
    code, out, err = run(capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and "cannot write loss.png" in err
    assert load_model(tmp_path / "run" / "model.npz")  # written before, atomically
    assert not list((tmp_path / "run").glob(".*.tmp"))


def test_a_bad_dataset_leaves_no_out_folder(capsys, tmp_path):
    code, _, _ = run(
        capsys, "train", "--dataset", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")
    )
    assert code == 2 and not (tmp_path / "o").exists()


def test_a_single_class_is_refused_before_training(capsys, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{-i},yes\n" for i in range(20)))
    out = tmp_path / "run"
    code, stdout, err = run(capsys, "train", "--dataset", str(path), "--out", str(out))
    assert code == 2 and stdout == "" and err.count("\n") == 1
    assert f"{path}: column 'label' holds one class ('yes')" in err
    assert not out.exists()


def test_predict_writes_labels_with_commas_and_quotes_as_csv(capsys, tmp_path):
    labels = ["a, b", 'say "hi"']
    path = tmp_path / "labels.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(
            [["x1", "x2", "label"], *([i % 3, i % 5, labels[i % 2]] for i in range(40))]
        )
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--dataset", str(path), "--epochs", "1", "--out", str(out))
    assert code == 0, err
    model = str(out / "model.npz")
    code, stdout, err = run(capsys, "predict", model, str(path))
    assert code == 0, err
    rows = list(csv.reader(stdout.splitlines()))
    assert rows[0] == ["prediction"] and len(rows) == 41
    assert {row[0] for row in rows[1:]} <= set(labels)
    code, stdout, err = run(capsys, "predict", model, str(path), "--proba")
    assert code == 0, err
    rows = list(csv.reader(stdout.splitlines()))
    assert rows[0] == labels and all(len(row) == 2 for row in rows)


def test_a_class_too_small_to_stratify_is_split_at_random_with_a_note(capsys, tmp_path):
    path = tmp_path / "imb.csv"
    labels = ["rare"] + ["common"] * 39
    path.write_text("a,b,label\n" + "".join(f"{i},{-i},{c}\n" for i, c in enumerate(labels)))
    code, out, err = run(capsys, "train", "--dataset", str(path), "--epochs", "1", "--json")
    assert code == 0, err
    assert err == (
        f"glassnet: note: {path}: too few examples to stratify the split by class "
        "(the smallest, 'rare', has 1); split at random\n"
    )
    result = json.loads(out)
    assert (result["n_train"], result["n_val"], result["n_test"]) == (28, 4, 8)


@pytest.mark.parametrize("bad", [["--activation", "foo"], ["--dropout", "1"]])
def test_a_failed_run_leaves_no_out_folder_it_made(capsys, tmp_path, bad):
    out = tmp_path / "new" / "a" / "b"
    code, _, err = run(
        capsys, "train", "--dataset", "xor", "--epochs", "1", "--out", str(out), *bad
    )
    assert code == 2, err
    assert list(tmp_path.iterdir()) == []


def test_diagnose_names_data_whose_labels_do_not_fit_the_spec(capsys, tmp_path):
    spec = tmp_path / "s3.toml"
    spec.write_text(
        'input = [0.1, 0.2]\ntarget = [1.0, 0.0, 0.5]\nloss = "half_squared_error"\n'
        '[[layer]]\nactivation = "tanh"\nunits = 4\n'
        '[[layer]]\nactivation = "identity"\nunits = 3\n'
    )
    code, out, err = run(capsys, "diagnose", str(spec), "--data", "xor")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "--data xor: has one class label per example" in err and "needs 3 target numbers" in err


def test_a_w_x_spec_trains_into_a_w_x_trained_toml(capsys, tmp_path):
    seed003 = next(p for p in EXAMPLES if p.name == "seed003.toml")  # weights_layout out_in
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--spec", str(seed003), "--epochs", "3", "--out", str(out))
    assert code == 0, err
    text = (out / "trained.toml").read_text(encoding="utf-8")
    assert 'weights_layout = "out_in"' in text  # a row per unit, as the person wrote theirs
    trained, _ = load_model(out / "model.npz")
    for a, b in zip(load_spec(out / "trained.toml").network.layers, trained.layers, strict=True):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)


def test_spec_training_cannot_write_trained_toml_is_one_line(capsys, tmp_path):
    out = tmp_path / "run"
    (out / "trained.toml").mkdir(parents=True)  # a folder where the file goes
    code, _, err = run(
        capsys, "train", "--spec", str(EXAMPLES[0]), "--epochs", "2", "--out", str(out)
    )
    assert code == 2
    assert err.strip().startswith(f"glassnet: error: --out {out}: cannot write trained.toml")
    assert err.count("\n") == 1 and not list(out.glob(".*.tmp"))


def _iris_model(capsys, tmp_path):
    out = tmp_path / "iris"
    code, _, err = run(capsys, "train", "--dataset", "iris", "--epochs", "2", "--out", str(out))
    assert code == 0, err
    return out / "model.npz"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("feature_names", None),
        ("feature_names", ["a", "b"]),
        ("feature_names", ["a", "b", "c", "a"]),  # predict read column a twice
        ("classes", ["a"]),
        ("task", "clustering"),
        ("x_scaler", {"kind": "minmax"}),
        ("x_scaler", "minmax"),
        ("x_scaler", {"kind": "standard", "offset": [1.0], "scale": [1.0]}),
        ("x_scaler", {"kind": "standard", "offset": [0.0] * 4, "scale": [0.0] * 4}),
        ("x_scaler", {"kind": "minmax", "offset": [10**400, 0, 0, 0], "scale": [1, 1, 1, 1]}),
        ("y_scaler", {"kind": "standard", "offset": [0, 0, 0], "scale": [1, -(10**400), 1]}),
        ("x_scaler", {"kind": "minmax", "offset": [0, 0, 0, 0], "scale": [1, 5e-324, 1, 1]}),
        ("x_scaler", {"kind": "minmax", "offset": [0, 0, 0, 0], "scale": [1, -2.0, 1, 1]}),
        ("task", "regression"),  # on a softmax classifier
    ],
)
def test_metadata_that_train_did_not_write_is_named(capsys, tmp_path, key, value):
    from glassnet.io import save_model

    path = _iris_model(capsys, tmp_path)
    network, metadata = load_model(path)
    save_model(network, path, metadata={**metadata, key: value})
    for argv in (["predict", str(path), "iris"], ["evaluate", str(path), "iris"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "", (argv, out)
        assert err.startswith(f"glassnet: error: {path}: metadata: {key}: expected"), err
        assert err.count("\n") == 1


def test_a_cross_entropy_model_of_identity_outputs_is_named(capsys, tmp_path):
    # its scaled targets were refused as "y: cross_entropy takes targets in [0, 1] …"
    from glassnet.io import save_model

    data = _price_csv(tmp_path / "data.csv", ["area", "rooms", "age", "price"])
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--dataset", str(data), "--epochs", "2", "--out", str(out))
    assert code == 0, err
    path = out / "model.npz"
    network, metadata = load_model(path)
    net = Network([layer for layer in network.layers], loss="cross_entropy")
    save_model(net, path, metadata=metadata)
    _every_reader_refuses(
        capsys,
        path,
        data,
        f"{path}: loss cross_entropy on identity outputs, which are not probabilities: a "
        "cross-entropy needs softmax or sigmoid outputs (a classifier's), as glassnet train "
        "writes it",
    )


def _every_reader_refuses(capsys, model, data, message):
    """predict, evaluate and diagnose of ``model`` on ``data`` each say ``message`` alone."""
    for argv in (
        ["predict", str(model), str(data)],
        ["evaluate", str(model), str(data)],
        ["diagnose", str(model), "--data", str(data)],
    ):
        code, text, err = run(capsys, *argv)
        assert code == 2 and text == "", argv
        assert err == f"glassnet: error: {message}\n"


def _price_model(capsys, tmp_path):
    data = _price_csv(tmp_path / "data.csv", ["area", "rooms", "age", "price"])
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--dataset", str(data), "--epochs", "2", "--out", str(out))
    assert code == 0, err
    return out / "model.npz", data


def test_a_value_the_scaling_overflows_names_its_row_and_column(capsys, tmp_path):
    # 1e308 / a scale < 1 was inf: "X: holds NaN or infinity", a NaN output, a warning
    from glassnet.io import save_model

    path, data = _price_model(capsys, tmp_path)
    network, metadata = load_model(path)
    assert metadata["x_scaler"]["kind"] == "minmax"
    metadata["x_scaler"]["scale"][1] = 0.5  # of a column of values < 1, as diabetes's
    metadata["y_scaler"]["scale"] = [0.5]
    save_model(network, path, metadata=metadata)
    lines = data.read_text().splitlines()
    cells = lines[2].split(",")
    cells[1] = "1e308"  # rooms
    big = tmp_path / "big.csv"
    big.write_text("\n".join([*lines[:2], ",".join(cells), *lines[3:]]) + "\n")
    _every_reader_refuses(
        capsys,
        path,
        big,
        f"{big}: row 2, column 'rooms': 1e+308 overflows the model's scaling, (x − offset) / scale",
    )
    cells = lines[2].split(",")
    cells[3] = "-1e308"  # the target, standardised
    big.write_text("\n".join([*lines[:2], ",".join(cells), *lines[3:]]) + "\n")
    code, _, err = run(capsys, "evaluate", str(path), str(big))
    assert code == 2 and err.startswith(f"glassnet: error: {big}: row 2, column 'price': -1e+308")


def test_json_of_a_loss_beyond_float64_is_standard(capsys, tmp_path):
    # a finite 1e200 in the data: the loss overflows, and --json printed "loss": Infinity
    path, data = _price_model(capsys, tmp_path)
    lines = data.read_text().splitlines()
    cells = lines[1].split(",")
    cells[0] = "1e200"
    big = tmp_path / "big.csv"
    big.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")

    def refuse(word):
        raise AssertionError(f"{word} is not standard JSON")

    code, out, err = run(capsys, "evaluate", str(path), str(big), "--json")
    assert code == 0, err
    result = json.loads(out, parse_constant=refuse)
    assert result["loss"] == "inf" and result["r2"] == "-inf"
    code, out, err = run(capsys, "diagnose", str(path), "--data", str(big), "--format", "json")
    assert code == 0, err
    json.loads(out, parse_constant=refuse)


def test_json_text_writes_non_finite_numbers_as_the_trace_does():
    from glassnet.render.json import json_text

    value = {"a": [1.5, float("inf")], "b": (float("-inf"), float("nan")), "c": None}
    assert json_text(value) == '{"a": [1.5, "inf"], "b": ["-inf", "nan"], "c": null}'
    assert json_text({"é": 1}, ensure_ascii=False, indent=None) == '{"é": 1}'


def test_a_scaler_offset_beyond_int64_is_a_number(capsys, tmp_path):
    # JSON's 10**30 made an object array: "y: expected numbers …, found object data"
    from glassnet.io import save_model

    path, data = _price_model(capsys, tmp_path)
    network, metadata = load_model(path)
    metadata["y_scaler"]["offset"] = [10**30]
    metadata["x_scaler"]["offset"] = [10**30, 0.0, 0]
    save_model(network, path, metadata=metadata)
    code, out, err = run(capsys, "evaluate", str(path), str(data), "--json")
    assert code == 0, err
    assert json.loads(out)["n"] == 60
    code, out, err = run(capsys, "predict", str(path), str(data))
    assert code == 0 and 1e29 < abs(float(out.splitlines()[1])) < 1e31, err
    code, _, err = run(capsys, "diagnose", str(path), "--data", str(data))
    assert code == 0, err


def test_a_classifier_without_a_task_is_evaluated_as_one(capsys, tmp_path):
    from glassnet.io import save_model

    path = _iris_model(capsys, tmp_path)
    network, metadata = load_model(path)
    code, expected, _ = run(capsys, "evaluate", str(path), "iris")
    save_model(network, path, metadata={k: v for k, v in metadata.items() if k != "task"})
    code, out, err = run(capsys, "evaluate", str(path), "iris")
    assert code == 0 and out == expected, err  # it said "y: expected 3 columns, found 1"
    del metadata["classes"], metadata["task"]
    save_model(network, path, metadata=metadata)
    code, out, err = run(capsys, "evaluate", str(path), "iris")
    assert code == 2 and err.startswith(f"glassnet: error: {path}: metadata: classes: expected")


def test_class_labels_that_repeat_or_are_not_labels_are_refused(capsys, tmp_path):
    # ["a", "a", "b"] made evaluate map both a's to one index: accuracy 0, exit 0
    from glassnet.io import save_model

    path = _iris_model(capsys, tmp_path)
    network, metadata = load_model(path)
    for classes in (["a", "a", "b"], [1, {"x": 1}, None], [1, "1", 2]):
        save_model(network, path, metadata={**metadata, "classes": classes})
        for command in (("evaluate", str(path), "iris"), ("predict", str(path), "iris")):
            code, _, err = run(capsys, *command)
            assert code == 2 and err.count("\n") == 1, err
            assert err.startswith(
                f"glassnet: error: {path}: metadata: classes: expected a list of the 3 "
                "distinct class labels (strings or numbers), found "
            )


def test_a_multi_label_model_predicts_one_column_per_class(capsys, tmp_path):
    from glassnet.io import save_model

    net = Network([2, 3, 3], activations=["relu", "sigmoid"], loss="binary_cross_entropy", seed=0)
    path = tmp_path / "ml.npz"
    meta = {"feature_names": ["a", "b"], "classes": ["p", "q", "r"], "x_scaler": None}
    save_model(net, path, metadata=meta)
    data = tmp_path / "in.csv"
    data.write_text("a,b\n0.1,0.2\n-1,3\n")
    code, out, err = run(capsys, "predict", str(path), str(data))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "p,q,r"
    expected = net.predict(np.array([[0.1, 0.2], [-1.0, 3.0]]))
    assert [[int(v) for v in line.split(",")] for line in lines[1:]] == expected.tolist()
    save_model(net, path, metadata={**meta, "task": "classification"})
    (tmp_path / "t.csv").write_text("a,b,y\n0.1,0.2,p\n")
    code, _, err = run(capsys, "evaluate", str(path), str(tmp_path / "t.csv"))
    assert code == 2 and "multi-label" in err and err.count("\n") == 1


def _price_csv(path, order):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    price = X @ [3.0, -2.0, 1.0] + 10
    columns = {"area": X[:, 0], "rooms": X[:, 1], "age": X[:, 2], "price": price}
    rows = zip(*(columns[name] for name in order), strict=True)
    path.write_text(",".join(order) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


def test_evaluate_finds_a_csvs_columns_and_target_by_name(capsys, tmp_path):
    data = _price_csv(tmp_path / "data.csv", ["area", "rooms", "age", "price"])
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--dataset", str(data), "--epochs", "5", "--out", str(out))
    assert code == 0, err
    model = str(out / "model.npz")
    assert load_model(model)[1]["target_column"] == "price"  # the last column, by its name
    first = run(capsys, "evaluate", model, str(data), "--json")
    shuffled = _price_csv(tmp_path / "shuffled.csv", ["price", "age", "area", "rooms"])
    again = run(capsys, "evaluate", model, str(shuffled), "--json")
    assert first[0] == again[0] == 0
    assert json.loads(first[1])["r2"] == json.loads(again[1])["r2"]
    features_only = _price_csv(tmp_path / "x.csv", ["area", "rooms", "age"])
    (tmp_path / "other.csv").write_text("foo,bar,baz,qux\n1,2,3,4\n")
    for path, message in (
        (features_only, "no target column 'price'"),
        (tmp_path / "other.csv", "no column 'area'; the model needs the columns"),
    ):
        code, _, err = run(capsys, "evaluate", model, str(path))
        assert code == 2 and message in err and err.count("\n") == 1, err


def test_a_csv_model_reads_other_kinds_of_files_by_position(capsys, tmp_path):
    # the CSV's target name is no target for a .npz, a .npy or a named dataset
    data = load_dataset("iris")
    header = ",".join([*data.feature_names, "species"])
    labels = [data.classes[k] for k in data.y]  # as the named dataset labels them
    rows = "".join(",".join(map(str, x)) + f",{c}\n" for x, c in zip(data.X, labels, strict=True))
    (tmp_path / "iris.csv").write_text(header + "\n" + rows)
    np.savez(tmp_path / "iris.npz", X=data.X, y=np.array(labels))
    out = tmp_path / "run"
    code, _, err = run(
        capsys, "train", "--dataset", str(tmp_path / "iris.csv"), "--epochs", "2", "--out", str(out)
    )
    assert code == 0, err
    model = str(out / "model.npz")
    for argv in (
        ["predict", model, str(tmp_path / "iris.npz")],
        ["evaluate", model, str(tmp_path / "iris.npz")],
        ["evaluate", model, "iris"],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 0, (argv, err)
    code, _, err = run(
        capsys, "evaluate", model, str(tmp_path / "iris.csv"), "--target", "sepal length (cm)"
    )
    assert code == 2 and "--target sepal length (cm): is one of the model's feature columns" in err


def test_evaluate_reads_a_csvs_model_columns_only(capsys, tmp_path):
    # predict takes a CSV with an id column of text beside the features: evaluate too
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    rows = [f"{a},{b},{'pos' if a + b > 0 else 'neg'}" for a, b in X]
    (tmp_path / "d.csv").write_text("a,b,label\n" + "\n".join(rows) + "\n")
    with_id = [f"row{k},{r}" for k, r in enumerate(rows)]
    (tmp_path / "id.csv").write_text("id,a,b,label\n" + "\n".join(with_id) + "\n")
    out = str(tmp_path / "m")
    assert (
        run(
            capsys,
            "train",
            "--dataset",
            str(tmp_path / "d.csv"),
            "--epochs",
            "3",
            "--hidden",
            "4",
            "--out",
            out,
        )[0]
        == 0
    )
    plain = run(capsys, "evaluate", f"{out}/model.npz", str(tmp_path / "d.csv"))
    code, text, err = run(capsys, "evaluate", f"{out}/model.npz", str(tmp_path / "id.csv"))
    assert code == 0, err
    assert text.splitlines()[1:] == plain[1].splitlines()[1:]  # the same n, loss, accuracy


def train_xor(capsys, out: str, *extra: str) -> None:
    """A small xor model in ``out``, trained from the command line."""
    argv = ["train", "--dataset", "xor", "--epochs", "2", "--hidden", "4", "--out", out]
    assert run(capsys, *argv, *extra)[0] == 0


def test_predict_names_the_data_file_of_a_row_that_is_not_a_number(capsys, tmp_path):
    out = str(tmp_path / "m")
    train_xor(capsys, out, "--scale", "standard")
    data = tmp_path / "nan.csv"
    # rows of ±1e308: the hidden layer overflows to ±inf, a softmax of infinities is NaN
    rows = [f"{a}1e308,{b}1e308" for a in "+-" for b in "+-"]
    data.write_text("x1,x2\n0.1,0.2\n" + "\n".join(rows) + "\n")
    for extra in ([], ["--proba"]):
        code, _, err = run(capsys, "predict", f"{out}/model.npz", str(data), *extra)
        assert code == 2 and err.count("\n") == 1, err
        assert re.search(rf"{re.escape(str(data))}: row [2-5] gives an output that is not", err)
        assert "RuntimeWarning" not in err


def test_resume_refuses_a_seed_given_even_0(capsys, tmp_path):
    out = str(tmp_path / "r")
    train_xor(capsys, out, "--checkpoint-every", "1")
    code, _, err = run(capsys, "train", "--resume", out, "--seed", "0")
    assert code == 2 and "--seed: --resume continues the run" in err


def test_train_spec_names_a_learning_rate_of_0_and_counts_its_steps(capsys, tmp_path):
    text = EXAMPLES[1].read_text()  # seed 001
    spec = tmp_path / "lr0.toml"
    spec.write_text(text.replace("learning_rate = 0.01", "learning_rate = 0"))
    code, _, err = run(capsys, "train", "--spec", str(spec), "--epochs", "2")
    assert code == 2 and f"{spec}: learning_rate: 0 takes no step" in err
    batch = tmp_path / "b.toml"  # four examples, batches of 2: two steps an epoch
    batch.write_text(
        "input = [[0.1, 0.2], [0.3, -0.1], [0.5, 0.5], [-0.2, 0.4]]\n"
        "target = [[0.0], [1.0], [1.0], [0.0]]\n"
        'loss = "half_squared_error"\nlearning_rate = 0.5\n'
        '[[layer]]\nactivation = "identity"\nweights = [[0.1], [0.2]]\n'
    )
    code, out, _ = run(capsys, "train", "--spec", str(batch), "--epochs", "3", "--batch-size", "2")
    assert code == 0 and "3 epochs (6 steps) of sgd" in out.splitlines()[0]


def test_a_finished_run_whose_newest_checkpoint_is_cut_short_says_so(capsys, tmp_path):
    out = tmp_path / "r"
    train_xor(capsys, str(out), "--epochs", "3", "--checkpoint-every", "1")
    newest = out / "checkpoints" / "epoch-00003-00000000.npz"
    newest.write_bytes(newest.read_bytes()[:100])  # a crash while it was copied, say
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 2 and err.count("\n") == 1, err
    assert "the run finished (its last checkpoint that loads is of epoch 2)" in err
    assert "; epoch-00003-00000000.npz, newer, is refused: " in err


def test_a_fresh_run_replaces_the_checkpoints_of_an_earlier_run_in_its_out(capsys, tmp_path):
    out = tmp_path / "r"
    train_xor(capsys, str(out), "--epochs", "6", "--checkpoint-every", "1")  # epochs 4, 5, 6 kept
    train_xor(capsys, str(out), "--hidden", "3", "--checkpoint-every", "1")  # its epochs 1, 2
    kept = sorted(p.name for p in (out / "checkpoints").iterdir())
    assert kept == ["epoch-00001-00000000.npz", "epoch-00002-00000000.npz"]
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 2 and "the run finished" in err and "epoch 2)" in err  # not the earlier run
    train_xor(capsys, str(out))  # a run without checkpoints leaves none of the earlier run's
    assert not (out / "checkpoints").exists()


def test_a_run_removes_the_outputs_of_an_earlier_run_that_it_does_not_write(capsys, tmp_path):
    out = tmp_path / "r"
    for dataset in ("moons", "diabetes"):
        argv = ["train", "--dataset", dataset, "--epochs", "1", "--hidden", "4", "--out", str(out)]
        assert run(capsys, *argv)[0] == 0
        if dataset == "moons":
            assert (out / "decision_boundary.png").is_file() and (out / "confusion.png").is_file()
            (out / "notes.txt").write_text("mine")  # not a file glassnet writes: it stays
    assert not (out / "decision_boundary.png").exists() and not (out / "confusion.png").exists()
    assert (out / "notes.txt").read_text() == "mine" and (out / "loss.png").is_file()
    assert "confusion.png" not in (out / "report.md").read_text()


@pytest.mark.parametrize(
    ("prelude", "env", "note"),
    [
        # installed, but failing to load: matplotlib's rcParams raise ValueError, not ImportError
        pytest.param(
            "",
            {"MPLBACKEND": "nonsense"},
            "matplotlib failed to load: ValueError: Key backend: 'nonsense'",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("matplotlib") is None, reason="needs matplotlib"
            ),
        ),
        ("sys.modules['matplotlib'] = None; ", {}, "they need matplotlib (pip install"),
    ],
    ids=["MPLBACKEND=nonsense", "not installed"],
)
def test_train_out_without_a_working_matplotlib_writes_the_rest_and_says_why(
    tmp_path, prelude, env, note
):
    import subprocess
    import sys

    out = tmp_path / "run"
    argv = ["train", "--dataset", "xor", "--epochs", "2", "--hidden", "4", "--out", str(out)]
    script = f"import sys; {prelude}from glassnet.cli import main; sys.exit(main({argv!r}))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    said = [line for line in result.stdout.splitlines() if line.startswith("plots skipped: ")]
    assert len(said) == 1 and note in said[0], result.stdout
    for name in ("model.npz", "history.json", "explain.html", "diagnostics.json", "report.md"):
        assert (out / name).is_file(), name
    assert not list(out.glob("*.png"))
    assert said[0] in (out / "report.md").read_text()


def test_ctrl_c_says_whether_the_run_can_go_on(capsys, tmp_path, monkeypatch):
    import os
    import signal

    from glassnet.diagnose import DiagnosticsCallback

    def ctrl_c(self, state, epoch, logs):  # Ctrl-C at the end of the first epoch
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(DiagnosticsCallback, "on_epoch_end", ctrl_c)
    spec_out = tmp_path / "spec run"
    code, _, err = run(capsys, "train", "--spec", str(EXAMPLES[0]), "--out", str(spec_out))
    assert code == 130 and "--resume" not in err and "can't be resumed" in err
    assert not spec_out.exists()  # it wrote nothing, no checkpoint either
    out = tmp_path / "data run"
    argv = ["train", "--dataset", "xor", "--epochs", "3", "--hidden", "4", "--out", str(out)]
    code, _, err = run(capsys, *argv)
    assert code == 130 and f"go on with `glassnet train --resume '{out}'`" in err
    monkeypatch.undo()
    assert run(capsys, "train", "--resume", str(out))[0] == 0


def test_ctrl_c_in_the_last_epochs_tail_is_an_interrupt_that_resumes(capsys, tmp_path, monkeypatch):
    # a Ctrl-C after the last batch (here in a callback of the last epoch) was swallowed:
    # the run went on to write its outputs as if never interrupted, and exited 0
    import os
    import shlex
    import signal

    from glassnet.diagnose import DiagnosticsCallback

    on_epoch_end = DiagnosticsCallback.on_epoch_end

    def ctrl_c(self, state, epoch, logs):
        on_epoch_end(self, state, epoch, logs)
        if epoch == 3:
            os.kill(os.getpid(), signal.SIGINT)

    argv = ["train", "--dataset", "xor", "--epochs", "3", "--hidden", "4"]
    assert run(capsys, *argv, "--out", str(tmp_path / "whole"))[0] == 0
    monkeypatch.setattr(DiagnosticsCallback, "on_epoch_end", ctrl_c)
    out = tmp_path / "stopped"
    code, _, err = run(capsys, *argv, "--out", str(out))
    assert code == 130, err
    go_on = f"go on with `glassnet train --resume {shlex.quote(str(out))}`"
    assert err == f"glassnet: interrupted after epoch 3; {go_on}\n"
    assert not (out / "model.npz").exists()
    assert [p.name for p in (out / "checkpoints").iterdir()] == ["epoch-00003-00000000.npz"]
    monkeypatch.undo()
    assert run(capsys, "train", "--resume", str(out))[0] == 0  # trains nothing, writes the rest
    (whole, _), (resumed, _) = (
        load_model(tmp_path / "whole" / "model.npz"),
        load_model(out / "model.npz"),
    )
    for a, b in zip(whole.layers, resumed.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hidden": "abc"}, "settings: hidden: expected a list of sizes"),
        ({"hidden": [100_000, 100_000]}, "settings: hidden: the network 2-100000-100000-2 would"),
        ({"scale": "zzz"}, "settings: scale: expected minmax, standard or none, found 'zzz'"),
        ({"activation": "sigmod"}, "settings: activation: unknown activation 'sigmod'"),
        (
            {"batch_size": 0},
            "settings: batch_size: expected a whole number from 1 to 1000000000, found 0",
        ),
        (
            {"epochs": 10**30},
            "settings: epochs: expected a whole number from 1 to 1000000000, found 1",
        ),
        ({"lr": 10**400}, "settings: lr: expected a number > 0"),
        ({"bogus": 1}, "settings: 'bogus': not a setting of glassnet train"),
        ({"dataset": ...}, "settings: dataset: missing"),
        ({"target": "zz"}, "settings: target: applies only to files, not to the dataset 'xor'"),
    ],
)
def test_resume_names_the_checkpoint_and_its_setting_that_is_wrong(
    capsys, tmp_path, change, message
):
    out = tmp_path / "r"
    train_xor(capsys, str(out), "--epochs", "3", "--checkpoint-every", "2")  # epoch 2: unfinished
    (path,) = (out / "checkpoints").glob("epoch-*.npz")
    arrays = dict(np.load(path))
    state = json.loads(str(arrays["state"]))
    state["settings"].update(change)
    state["settings"] = {k: v for k, v in state["settings"].items() if v is not ...}
    arrays["state"] = np.array(json.dumps(state))
    np.savez(path, **arrays)
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 2 and err.startswith(f"glassnet: error: {path}: {message}"), err
    assert err.count("\n") == 1


def test_resume_takes_the_newest_checkpoint_by_its_epoch_as_a_number(capsys, tmp_path):
    out = tmp_path / "r"
    train_xor(capsys, str(out), "--epochs", "3", "--checkpoint-every", "1")
    folder = out / "checkpoints"
    # as if epochs 99999 (the finished run's last) and 100000 (an unfinished one's) were there
    (folder / "epoch-00003-00000000.npz").rename(folder / "epoch-99999-00000000.npz")
    (folder / "epoch-00002-00000000.npz").rename(folder / "epoch-100000-00000000.npz")
    os.utime(folder / "epoch-100000-00000000.npz")  # newer than the model: a run going on
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 0, err  # by name, 99999 came last: "the run finished"


def test_a_run_removes_the_temporary_files_that_a_killed_write_left(capsys, tmp_path):
    out = tmp_path / "r"
    (out / "checkpoints").mkdir(parents=True)
    left = [  # as tempfile.mkstemp names them: 8 characters
        out / "checkpoints" / ".epoch-00007-00000000.npz.k3j_x9a1.tmp",
        out / ".model.npz.ab12cd34.tmp",
    ]
    mine = [  # not glassnet's
        out / "checkpoints" / ".notes.tmp",
        out / ".report.md.draft",
        out / ".report.md.my-own-draft.tmp",
    ]
    for path in left + mine:
        path.write_text("")
    train_xor(capsys, str(out))  # a run without checkpoints of its own cleans them too
    assert [path.exists() for path in left + mine] == [False, False, True, True, True]


def test_a_fresh_run_removes_only_the_checkpoints_glassnet_names(capsys, tmp_path):
    out = tmp_path / "r"
    train_xor(capsys, str(out), "--checkpoint-every", "1")
    folder = out / "checkpoints"
    kept = [folder / "epoch-best.npz", folder / "epoch-00002-00000000-keep.npz", folder / "README"]
    for path in kept:
        path.write_text("mine")
    train_xor(capsys, str(out))  # a fresh run: the earlier run's checkpoints go
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in kept)


def test_resume_goes_on_from_the_end_of_an_epoch_not_from_inside_it(capsys, tmp_path):
    # epoch-E-0 is taken after the whole of epoch E: past every epoch-E-K inside it
    out = tmp_path / "r"
    train_xor(capsys, str(out), "--epochs", "3", "--checkpoint-every", "1")
    folder = out / "checkpoints"
    (folder / "epoch-00002-00000000.npz").rename(folder / "epoch-00003-00000002.npz")
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 2 and "the run finished" in err, err  # from epoch-00003-00000000


def test_train_refuses_an_out_that_would_overwrite_its_input(capsys, tmp_path):
    out = tmp_path / "sp"
    assert (
        run(capsys, "train", "--spec", str(EXAMPLES[0]), "--epochs", "2", "--out", str(out))[0] == 0
    )
    spec = out / "trained.toml"
    before = spec.read_text()
    code, _, err = run(capsys, "train", "--spec", str(spec), "--out", str(out), "--epochs", "2")
    assert code == 2 and err == (
        f"glassnet: error: --out {out}: would overwrite the input {spec} (--spec)\n"
    )
    assert spec.read_text() == before
    data = out / "history.csv"  # a CSV there, trained on
    code, _, err = run(capsys, "train", "--dataset", str(data), "--out", str(out))
    assert code == 2 and f"would overwrite the input {data} (--dataset)" in err


def test_a_npy_model_reads_other_kinds_of_files_without_its_target(capsys, tmp_path):
    # the .npy's --target 0 (a column index) is no target for a .npz or a named dataset
    data = load_dataset("iris")
    np.save(tmp_path / "iris.npy", np.column_stack([data.y, data.X]))
    np.savez(tmp_path / "iris.npz", X=data.X, y=data.y)
    out = tmp_path / "run"
    argv = ["train", "--dataset", str(tmp_path / "iris.npy"), "--target", "0", "--epochs", "2"]
    code, _, err = run(capsys, *argv, "--out", str(out))
    assert code == 0, err
    model = str(out / "model.npz")
    for command in ("predict", "evaluate"):
        for source in (tmp_path / "iris.npy", tmp_path / "iris.npz"):
            code, _, err = run(capsys, command, model, str(source))
            assert code == 0, (command, source, err)
    code, _, err = run(capsys, "predict", model, "iris")  # its classes are names: no evaluate
    assert code == 0, err


def test_evaluate_reads_a_classifiers_labels_whatever_the_file_alone_suggests(capsys, tmp_path):
    # classes '1', '2', 'NR': a test file with one 'NR' among 40 rows looked like numbers
    # with a typo, and one of two rows like numbers with too many values to be classes
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 2))
    labels = ["1", "2", "NR"]
    rows = [f"{a},{b},{labels[k % 3]}" for k, (a, b) in enumerate(X)]
    (tmp_path / "train.csv").write_text("a,b,label\n" + "\n".join(rows) + "\n")
    out = tmp_path / "m"
    argv = ["train", "--dataset", str(tmp_path / "train.csv"), "--epochs", "2", "--hidden", "4"]
    code, _, err = run(capsys, *argv, "--out", str(out))
    assert code == 0, err
    model = str(out / "model.npz")
    rare = [f"{a},{b},{'NR' if k == 7 else 1 + k % 2}" for k, (a, b) in enumerate(X[:40])]
    (tmp_path / "rare.csv").write_text("a,b,label\n" + "\n".join(rare) + "\n")
    (tmp_path / "two.csv").write_text("a,b,label\n0.1,0.2,NR\n0.3,0.4,2.0\n")
    for name, n in (("rare.csv", 40), ("two.csv", 2)):
        code, stdout, err = run(capsys, "evaluate", model, str(tmp_path / name), "--json")
        assert code == 0, (name, err)
        assert json.loads(stdout)["n"] == n
        code, _, err = run(capsys, "diagnose", model, "--data", str(tmp_path / name))
        assert code == 0, (name, err)
    # a label the model does not know is named as one, not as a number with a typo
    (tmp_path / "new.csv").write_text("a,b,label\n0.3,0.4,2\n0.1,0.2,NA\n0.5,0.6,1\n")
    code, _, err = run(capsys, "evaluate", model, str(tmp_path / "new.csv"))
    assert code == 2 and "classes the model does not know: NA (the first at example 2" in err


def test_a_npy_models_target_index_is_not_a_csv_column_name(capsys, tmp_path):
    # trained on a .npy with --target 0: evaluated on a CSV of its features and a label
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    labels = (features[:, 0] > 0).astype(float)
    np.save(tmp_path / "d.npy", np.column_stack([labels, features]))
    out = tmp_path / "m"
    argv = ["train", "--dataset", str(tmp_path / "d.npy"), "--target", "0", "--epochs", "2"]
    assert run(capsys, *argv, "--hidden", "4", "--out", str(out))[0] == 0
    rows = "\n".join(
        ",".join(f"{v:.6f}" for v in r) + f",{int(y)}"
        for r, y in zip(features, labels, strict=True)
    )
    (tmp_path / "d.csv").write_text("x1,x2,x3,label\n" + rows + "\n")
    code, _, err = run(capsys, "evaluate", str(out / "model.npz"), str(tmp_path / "d.csv"))
    assert code == 0, err  # it said: no target column '0' (the model's target)


def test_a_run_that_ended_past_its_last_checkpoint_is_not_resumed(capsys, tmp_path):
    # epochs 3, a checkpoint every 2: the last is of epoch 2, the model of epoch 3
    out = tmp_path / "r"
    train_xor(capsys, str(out), "--epochs", "3", "--checkpoint-every", "2")
    before = (out / "model.npz").read_bytes()
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 2 and "the run finished" in err, err
    assert (out / "model.npz").read_bytes() == before  # not trained again


def test_predict_reads_unlabelled_npz_and_npy_files(capsys, tmp_path):
    """New examples have no target: a .npz of X alone, a .npy of the features alone."""
    rng = np.random.default_rng(0)
    X = rng.random((60, 3))
    y = (X[:, 0] > 0.5).astype(int)
    np.savez(tmp_path / "train.npz", X=X, y=y)
    out = str(tmp_path / "m")
    code, _, err = run(capsys, "train", "--dataset", str(tmp_path / "train.npz"), "--out", out)
    assert code == 0, err
    code, labelled, err = run(capsys, "predict", f"{out}/model.npz", str(tmp_path / "train.npz"))
    assert code == 0, err
    np.savez(tmp_path / "x.npz", X=X)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "xy.npy", np.c_[X, y])  # one column wider: its target, the last
    for name in ("x.npz", "x.npy", "xy.npy"):
        code, text, err = run(capsys, "predict", f"{out}/model.npz", str(tmp_path / name))
        assert (code, text) == (0, labelled), (name, err)
    np.save(tmp_path / "narrow.npy", X[:, :2])
    code, _, err = run(capsys, "predict", f"{out}/model.npz", str(tmp_path / "narrow.npy"))
    assert code == 2 and "has 1 feature besides its target column" in err, err
    np.savez(tmp_path / "none.npz", Z=X)
    code, _, err = run(capsys, "predict", f"{out}/model.npz", str(tmp_path / "none.npz"))
    assert code == 2 and "missing array 'X'; arrays found: 'Z'" in err, err


def test_train_spec_whose_loss_overflows_at_its_weights_says_so(capsys, tmp_path, recwarn):
    spec = tmp_path / "ovf.toml"
    spec.write_text(
        'input = [1e300]\ntarget = [1.0]\nloss = "half_squared_error"\n'
        '[[layer]]\nactivation = "identity"\nweights = [[1e300]]\n'
    )
    code, _, err = run(capsys, "train", "--spec", str(spec), "--epochs", "2")
    assert code == 2 and err.count("\n") == 1, err
    assert f"{spec}: the loss at its weights is inf" in err and "learning rate" not in err
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_train_names_a_training_column_whose_scaling_overflows(capsys, tmp_path):
    data = tmp_path / "big.csv"
    # ±1e200 standardises (its mean and deviation are taken without overflowing) ...
    rows = [f"{i % 3},{'-' if i % 2 else ''}1e200,{i % 2}" for i in range(60)]
    data.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    for scale in ("standard", "minmax"):
        code, _, err = run(
            capsys, "train", "--dataset", str(data), "--scale", scale, "--epochs", "1"
        )
        assert code == 0, err
    # ... a spread of 1e-310, whose reciprocal float64 can't hold, does not
    data.write_text("a,b,y\n" + "\n".join(f"{i % 3},{i}e-312,{i % 2}" for i in range(60)))
    for scale in ("standard", "minmax"):
        code, _, err = run(capsys, "train", "--dataset", str(data), "--scale", scale)
        assert code == 2 and err.count("\n") == 1, err
        assert "big.csv: column 'b' of the training rows: values from " in err
        assert "(or its reciprocal) is beyond float64's range" in err
    data.write_text("a,b,y\n" + "\n".join(f"{i % 3},{i},{i}e-313" for i in range(60)))
    code, _, err = run(capsys, "train", "--dataset", str(data), "--target", "y")  # regression
    assert code == 2 and "big.csv: column 'y' of the training rows: values from " in err


def test_a_huge_loss_is_reported_in_four_digits_not_two_hundred():
    from glassnet.jobs import _four

    assert (_four(0.987412), _four(12.3456789), _four(9.2097e198)) == (
        "0.9874",
        "12.3457",
        "9.21e+198",
    )


def test_predict_unlabelled_files_of_another_width_and_after_a_target_column(capsys, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.random((60, 3))
    y = (X[:, 0] > 0.5).astype(float)
    np.save(tmp_path / "t0.npy", np.c_[y, X])  # the target first: --target 0
    out = str(tmp_path / "m")
    code, _, err = run(
        capsys,
        "train",
        "--dataset",
        str(tmp_path / "t0.npy"),
        "--target",
        "0",
        "--out",
        out,
        "--epochs",
        "2",
    )
    assert code == 0, err
    code, labelled, err = run(capsys, "predict", f"{out}/model.npz", str(tmp_path / "t0.npy"))
    assert code == 0, err
    np.save(tmp_path / "x.npy", X)  # the features alone: no target column to leave out
    assert run(capsys, "predict", f"{out}/model.npz", str(tmp_path / "x.npy"))[:2] == (0, labelled)
    np.savez(tmp_path / "wide.npz", X=np.c_[X, X])
    code, _, err = run(capsys, "predict", f"{out}/model.npz", str(tmp_path / "wide.npz"))
    assert (
        code == 2
        and err.count("\n") == 1
        and "wide.npz: has 6 features, but the model takes 3" in err
    )


def test_train_names_a_held_out_row_that_overflows_the_training_scaling(capsys, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] - X[:, 1]
    X[:, 0] = rng.uniform(1, 2, size=60) * 1e-300  # scaled by a range of ~1e-300
    data = tmp_path / "tiny.csv"
    said = set()
    for row in range(60):  # wherever the split puts it: validation or test, or training
        X[:, 0] = np.where(np.arange(60) == row, 1e10, rng.uniform(1, 2, size=60) * 1e-300)
        rows = zip(X[:, 0].tolist(), X[:, 1].tolist(), y.tolist(), strict=True)
        data.write_text("a,b,y\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in rows))
        code, _, err = run(capsys, "train", "--dataset", str(data), "--epochs", "1")
        if code == 0:
            continue  # a training row: the range covers it
        assert code == 2 and err.count("\n") == 1, err
        match = re.search(
            r"tiny\.csv: a (validation|test) row, column 'a': 10000000000\.0 "
            r"overflows the model's scaling",
            err,
        )
        assert match, err
        said.add(match.group(1))
        if said == {"validation", "test"}:
            break
    assert said == {"validation", "test"}


def test_a_run_stopped_after_its_last_checkpoint_resumes_to_write_its_outputs(capsys, tmp_path):
    # killed between the checkpoint of its last epoch and model.npz: nothing is left to
    # train, and resuming writes what the run would have written (it said "the run
    # finished; its model is DIR/model.npz", a file that was not there)
    out = tmp_path / "r"
    train_xor(capsys, str(out), "--epochs", "4", "--checkpoint-every", "2")
    model, history = (out / "model.npz").read_bytes(), (out / "history.json").read_text()
    (out / "model.npz").unlink()
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 0, err
    assert (out / "history.json").read_text() == history
    with np.load(out / "model.npz") as a, np.load(io.BytesIO(model)) as b:
        assert sorted(a.files) == sorted(b.files)
        assert all(np.array_equal(a[k], b[k]) for k in a.files if k != "metadata")
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 2 and "the run finished" in err, err


@pytest.mark.parametrize("limit", [55, 56])
def test_out_skips_the_page_of_a_wide_network_with_a_note(capsys, tmp_path, monkeypatch, limit):
    # the page redraws every edge at each click: ~10 s a click for 784-256-10
    import glassnet.jobs

    # it keeps digits' default 64-256-10 (~0.75 s a click), not 784-64-10 (1.5 s)
    assert 64 * 256 + 256 * 10 <= glassnet.jobs.MAX_PAGE_WEIGHTS < 784 * 64 + 64 * 10
    monkeypatch.setattr(glassnet.jobs, "MAX_PAGE_WEIGHTS", limit)
    out = tmp_path / "run"
    out.mkdir()
    (out / "explain.html").write_text("an earlier run's page")
    argv = ["train", "--dataset", "iris", "--hidden", "8", "--epochs", "2", "--out", str(out)]
    code, stdout, err = run(capsys, *argv)  # 4·8 + 8·3 = 56 weights
    assert code == 0, err
    note = (
        "explain.html skipped: the network has 56 weights, more than the 55 whose page "
        "opens within a few seconds; `glassnet explain --format html` on a spec "
        "of it (glassnet.export_spec) still writes it"
    )
    if limit == 56:
        assert "explain.html skipped" not in stdout
        assert (out / "explain.html").read_text().startswith("<!doctype html>")
        return
    assert note in stdout.splitlines() and note in (out / "report.md").read_text()
    assert not (out / "explain.html").exists()  # an earlier run's page is not left as this one's
    assert "explain.html" not in stdout.split("wrote ")[1].splitlines()[0]
    assert (out / "model.npz").is_file() and (out / "report.md").is_file()


@pytest.mark.parametrize("flag", ["--out", "--resume"])
def test_an_empty_folder_name_is_refused_not_taken_for_none(capsys, tmp_path, flag):
    # --out "" trained and saved nothing; --resume "" began a fresh run on digits
    code, out, err = run(capsys, "train", flag, "", *(["--epochs", "1"] if flag == "--out" else []))
    assert (code, out) == (2, "")
    assert err == f"glassnet: error: {flag}: an empty folder name; give a folder's, or no {flag}\n"


def test_resume_refuses_data_that_changed_and_names_a_lost_relative_path(
    capsys, tmp_path, monkeypatch
):
    # the checkpoint keeps the data's SHA-256: a file edited since the run began would
    # make the resumed run another one; a relative path is read from the current folder
    rng = np.random.default_rng(0)
    rows = [(*rng.random(3).round(3), int(rng.random() > 0.5)) for _ in range(40)]
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "d.csv"
    data.write_text("a,b,c,y\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    args = ("--dataset", "d.csv", "--hidden", "4", "--epochs", "4", "--batch-size", "8")
    code, _, err = run(capsys, "train", *args, "--out", "r", "--checkpoint-every", "2")
    assert code == 0, err
    (tmp_path / "r" / "model.npz").unlink()
    for last in (tmp_path / "r" / "checkpoints").glob("epoch-00004-*.npz"):
        last.unlink()
    ckpt = tmp_path / "r" / "checkpoints" / "epoch-00002-00000000.npz"
    data.write_text(data.read_text().replace(str(rows[5][0]), "0.5", 1))  # one number
    code, _, err = run(capsys, "train", "--resume", "r")
    assert code == 2 and err.count("\n") == 1, err
    assert (
        f"{ckpt.relative_to(tmp_path)}: settings: data_sha256: the data of 'd.csv' changed" in err
    )
    monkeypatch.chdir(tmp_path / "r")
    code, _, err = run(capsys, "train", "--resume", ".")
    assert code == 2 and err.count("\n") == 1, err
    assert "settings: dataset (a path from the folder the run began in): d.csv: no such" in err
    monkeypatch.chdir(tmp_path)
    data.write_text("a,b,c,y\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    code, _, err = run(capsys, "train", "--resume", "r")  # the data as they were: resumed
    assert code == 0 and (tmp_path / "r" / "model.npz").exists(), err


def test_too_few_examples_to_split_name_their_file_and_one_epoch_is_singular(capsys, tmp_path):
    few = tmp_path / "few.csv"
    few.write_text("a,b,y\n3,4,1\n5,6,0\n")
    code, _, err = run(capsys, "train", "--dataset", str(few))
    assert code == 2 and err.count("\n") == 1, err
    assert f"{few}: 2 examples are too few for 1 validation and 1 test examples" in err
    code, out, err = run(capsys, "train", "--dataset", "xor", "--epochs", "1")
    assert code == 0 and ", 1 epoch, batch " in out, err


def test_a_run_cut_short_among_its_outputs_is_resumed_and_writes_them(capsys, tmp_path):
    # with model.npz there (written first, so that a failing output leaves the trained
    # model), --resume said "the run finished", and the history and report never came
    out = tmp_path / "run"
    (out / "report.md").mkdir(parents=True)  # the last output but the model fails
    argv = ("--dataset", "xor", "--epochs", "4", "--checkpoint-every", "2", "--out", str(out))
    code, _, err = run(capsys, "train", *argv)
    assert code == 2 and "cannot write report.md" in err
    assert load_model(out / "model.npz") and not (out / "report.md").is_file()
    (out / "report.md").rmdir()
    code, _, err = run(capsys, "train", "--resume", str(out))
    assert code == 0, err
    assert load_model(out / "model.npz") and (out / "report.md").is_file()
    code, _, err = run(capsys, "train", "--resume", str(out))  # now done
    assert code == 2 and "the run finished" in err


def test_metadata_that_train_cannot_have_written_is_refused(capsys, tmp_path):
    # each was taken: a scaler of no kind, labels true/false, a classifier's y_scaler,
    # a regression's classes, a dataset that is no name
    from glassnet.io import save_model

    path = _iris_model(capsys, tmp_path)
    network, metadata = load_model(path)
    scaler = {**metadata["x_scaler"], "kind": "weird"}
    regression = Network([4, 1], activations=["identity"], seed=0)
    cases = [
        (
            network,
            {"x_scaler": scaler},
            'x_scaler: expected null or {"kind", "offset", "scale"}: kind \'standard\'',
        ),
        (network, {"classes": [True, False, 2]}, "classes: expected a list of the 3 distinct"),
        (
            network,
            {"y_scaler": {"kind": "standard", "offset": [0.0] * 3, "scale": [1.0] * 3}},
            "y_scaler: expected null for a classifier",
        ),
        (network, {"dataset": 5}, "dataset: expected a name, found '5'"),
        (
            regression,
            {"classes": ["a", "b"], "task": None},
            "classes: expected null for a network of identity outputs",
        ),
    ]
    for net, change, said in cases:
        save_model(net, path, metadata={**metadata, **change})
        code, _, err = run(capsys, "predict", str(path), "iris")
        assert code == 2 and err.count("\n") == 1, err
        assert err.startswith(f"glassnet: error: {path}: metadata: {said}"), err
