"""Traces against the plain-Python reference, and the trace document's shape."""

from __future__ import annotations

import json
import re
import zlib

import numpy as np
import pytest

from glassnet import ACTIVATIONS, explain_step, load_spec
from glassnet.spec import parse_spec
from glassnet.trace import FORMAT

import reference
from conftest import EXAMPLES, LAYER_KEYS, OUTPUT_LOSS, TOP_KEYS, random_case


def assert_matches_reference(net, X, Y, lr, rtol=1e-12):
    trace = explain_step(net, X, Y, lr)
    ref = reference.step(
        [layer.W.tolist() for layer in net.layers],
        [layer.b.tolist() for layer in net.layers],
        [layer.activation.name for layer in net.layers],
        net.loss.name,
        X.tolist(),
        Y.tolist(),
        lr,
    )
    assert trace.loss == pytest.approx(ref["loss"], rel=rtol)
    assert trace.loss_after == pytest.approx(ref["loss_after"], rel=rtol)
    for l, layer in enumerate(trace.layers):
        for key in ("z", "a", "dL_da", "delta", "grad_W", "grad_b", "W_new", "b_new"):
            np.testing.assert_allclose(
                getattr(layer, key),
                ref[key][l],
                rtol=rtol,
                atol=1e-14,
                err_msg=f"layer {l + 1}: {key}",
            )
        jac = np.asarray(ref["jac"][l])
        if ACTIVATIONS[layer.activation].jacobian:
            np.testing.assert_allclose(layer.da_dz, jac, rtol=rtol, atol=1e-15)
        else:  # element-wise: the trace keeps the Jacobian's diagonal
            np.testing.assert_allclose(
                layer.da_dz, np.diagonal(jac, axis1=1, axis2=2), rtol=rtol, atol=1e-15
            )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_match_plain_python(path):
    spec = load_spec(path)
    assert_matches_reference(spec.network, spec.X, spec.Y, spec.learning_rate)


@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
@pytest.mark.parametrize("hidden", list(ACTIVATIONS))
def test_random_networks_match_plain_python(hidden, output, loss):
    seed = zlib.crc32(f"ref-{hidden}-{output}-{loss}".encode())
    net, X, Y = random_case(seed, [3, 4, 4, 3], [hidden, hidden, output], loss, 3)
    assert_matches_reference(net, X, Y, lr=0.2, rtol=1e-10)


def test_seed003_second_unit_and_both_paths():
    # Independent of glassnet and of the sheet: z1 = W1 x with the sheet's rows.
    spec = load_spec(EXAMPLES[-1])
    trace = spec.explain()
    x = [2, 5, 3, 3]
    W1 = [[0.1, 0.3, 0.8, -0.4], [-0.3, 0.2, 0.5, 0.5], [-0.3, 0, 0.5, 0.4], [0.2, 0.5, -0.9, 0.7]]
    z1 = [sum(w * v for w, v in zip(row, x, strict=True)) for row in W1]
    assert trace.layers[0].z[0].tolist() == pytest.approx(z1, rel=1e-15)
    assert trace.layers[0].z[0][1] == pytest.approx(3.4)  # the sheet wrote 1.4
    # ∂ℓ/∂h13 sums both paths, through a21 and a22 (the sheet's "multiple paths")
    delta2 = trace.layers[1].delta[0]
    W2 = [[0.5, 0.8, 0.2, 0.4], [0.5, 0.2, 0.3, -0.5]]
    both_paths = delta2[0] * W2[0][2] + delta2[1] * W2[1][2]
    assert trace.layers[0].dL_da[0][2] == pytest.approx(both_paths, rel=1e-14)


def test_explain_does_not_change_the_network():
    spec = load_spec(EXAMPLES[1])
    before = [layer.W.copy() for layer in spec.network.layers]
    trace = spec.explain()
    for W, layer in zip(before, spec.network.layers, strict=True):
        np.testing.assert_array_equal(W, layer.W)
    # and the step it shows is exactly W − η ∂L/∂W
    for layer, W in zip(trace.layers, before, strict=True):
        np.testing.assert_array_equal(layer.W_new, W - spec.learning_rate * layer.grad_W)


def test_document_schema_and_shapes():
    net, X, Y = random_case(4, [3, 5, 2], ["tanh", "softmax"], "cross_entropy", 4)
    doc = explain_step(net, X, Y, 0.1).to_dict()
    assert list(doc) == TOP_KEYS
    assert doc["format"] == FORMAT == "glassnet.trace/1"
    shapes = {
        1: {
            "W": (3, 5),
            "b": (5,),
            "z": (4, 5),
            "a": (4, 5),
            "dL_da": (4, 5),
            "da_dz": (4, 5),
            "delta": (4, 5),
            "grad_W": (3, 5),
            "grad_b": (5,),
            "W_new": (3, 5),
            "b_new": (5,),
        },
        2: {
            "W": (5, 2),
            "b": (2,),
            "z": (4, 2),
            "a": (4, 2),
            "dL_da": (4, 2),
            "da_dz": (4, 2, 2),
            "delta": (4, 2),
            "grad_W": (5, 2),
            "grad_b": (2,),
            "W_new": (5, 2),
            "b_new": (2,),
        },
    }
    for layer in doc["layers"]:
        assert list(layer) == LAYER_KEYS == ["index", "activation", *shapes[layer["index"]]]
        for key, shape in shapes[layer["index"]].items():
            assert np.asarray(layer[key]).shape == shape, key
    assert json.loads(json.dumps(doc)) == doc  # plain lists and floats, exact round trip


def test_single_example_still_has_rows():
    spec = load_spec(EXAMPLES[0])
    doc = spec.explain().to_dict()
    assert np.asarray(doc["input"]).shape == (1, 3)
    assert np.asarray(doc["layers"][0]["z"]).shape == (1, 2)


def test_notebook_rendering():
    trace = load_spec(EXAMPLES[1]).explain()
    md = trace._repr_markdown_()
    assert md.startswith("## One step of gradient descent")
    assert r"\begin{bmatrix}" in md and "$$" in md


def _wide_trace(sizes, m, activations, loss="cross_entropy", seed=0):
    from glassnet import Network

    rng = np.random.default_rng(seed)
    net = Network(sizes, activations=activations, loss=loss, seed=seed)
    X = rng.normal(size=(m, sizes[0]))
    Y = rng.random((m, sizes[-1]))
    return explain_step(
        net, X, net.targets(Y.argmax(axis=1)) if loss == "cross_entropy" else Y, 0.1
    )


def test_the_notebook_shows_a_step_within_its_limits_whole(monkeypatch):
    from glassnet import trace as trace_module

    side = trace_module.NOTEBOOK_SIDE
    # 16 examples, 16 inputs and units: every matrix at the limit of 16 rows and columns
    trace = _wide_trace([side, side], side, ["tanh"], loss="squared_error")
    md = trace.to_markdown()
    assert len(md) <= trace_module.NOTEBOOK_CHARS
    assert trace._repr_markdown_() == md
    # either side of the limit on its length
    monkeypatch.setattr(trace_module, "NOTEBOOK_CHARS", len(md))
    assert trace._repr_markdown_() == md
    monkeypatch.setattr(trace_module, "NOTEBOOK_CHARS", len(md) - 1)
    summary = trace._repr_markdown_()
    assert f"({len(md):,} characters of Markdown, over {len(md) - 1:,})" in summary


@pytest.mark.parametrize(
    ("sizes", "m", "activations", "why"),
    [
        ([64, 128, 10], 32, ["relu", "softmax"], r"\(128 units in layer 1: matrices of over 16 "),
        ([3, 4, 2], 17, ["tanh", "softmax"], r"\(17 examples: matrices of over 16 rows or "),
        ([17, 2], 1, ["softmax"], r"\(17 inputs: matrices of over 16 rows or columns\)"),
        # no matrix over 16, but 16 Jacobians of 16 × 16 each, and more: ~200 000 characters
        (
            [16, 16, 16, 16],
            16,
            ["tanh", "tanh", "softmax"],
            r"\(\d{3},\d{3} characters of Markdown, over 100,000\)",
        ),
    ],
)
def test_the_notebook_shows_a_large_step_as_a_summary(sizes, m, activations, why):
    # it typeset every number: 1 MB of LaTeX for 64-128-10 on 32 examples
    trace = _wide_trace(sizes, m, activations)
    md = trace._repr_markdown_()
    assert len(md) < 2_000 and r"\begin{bmatrix}" not in md and re.search(why, md)
    arch = " → ".join(
        [str(sizes[0])] + [f"{n} ({a})" for n, a in zip(sizes[1:], activations, strict=True)]
    )
    assert md.startswith(f"## One step of gradient descent\n\nNetwork {arch}; ")
    assert f"batch of m = {m}; learning rate $\\eta = 0.1$." in md
    assert f"$L = {trace.loss:.4g}$ before" in md
    assert f"$L_{{\\text{{after}}}} = {trace.loss_after:.4g}$ after" in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(trace.layers)
    for row, layer in zip(rows, trace.layers, strict=True):
        norm = np.linalg.norm
        shown = [
            layer.index,
            f"`{layer.activation}`",
            f"{layer.W.shape[0]} × {layer.W.shape[1]}",
            *(f"{x:.4g}" for x in (norm(layer.W), norm(layer.grad_W), norm(layer.grad_b))),
            f"{norm(layer.W_new - layer.W) / norm(layer.W):.4g}",
            *(f"{x:.4g}" if x else "0" for x in (layer.a.min(), layer.a.max())),
        ]
        assert row == "| " + " | ".join(map(str, shown)) + " |"
    assert "`.to_markdown()` gives every equation" in md and "--format html" in md
    # to_markdown() stays whole: every matrix, every equation
    full = trace.to_markdown()
    assert full.count(r"\begin{bmatrix}") > 10 * len(trace.layers) and "### 6." in full


def test_the_summary_keeps_the_layout_note_says_no_page_it_cannot_show_and_overflows_quietly():
    import dataclasses
    import warnings

    from glassnet.render.markdown import render_markdown_summary

    trace = _wide_trace([20, 2], 1, ["softmax"])
    trace.weights_layout = "out_in"  # as a W x spec's
    assert trace._repr_markdown_().startswith("> The spec writes its matrices W x ")
    # an activation of the caller's own, which the page cannot compute: not offered
    from glassnet import Network
    from glassnet.network import Layer

    mine = dataclasses.replace(ACTIVATIONS["tanh"], name="my_tanh")
    net = Network([Layer(np.ones((20, 3)), np.zeros(3), mine)], loss="half_squared_error")
    custom = explain_step(net, np.ones((1, 20)), np.zeros((1, 3)), 0.1)
    md = custom._repr_markdown_()
    assert "`my_tanh`" in md and "to_markdown()" in md and "--format html" not in md
    doc = trace.to_dict()
    doc["layers"][0]["W"] = np.full((20, 2), 1e200).tolist()  # squares overflow, not the norm
    doc["layers"][0]["grad_W"] = np.full((20, 2), np.inf).tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        md = render_markdown_summary(doc, "test")
    row = next(line for line in md.splitlines() if line.startswith("| 1 |"))
    assert f" | {np.sqrt(40) * 1e200:.4g} | inf | " in row


def test_the_summarys_hint_writes_the_spec_of_the_step_it_shows(tmp_path):
    # it said export_spec(network, "net.toml", X, Y): the spec took η = 0.1, not the
    # trace's, and its page showed another step
    from glassnet import Network, export_spec

    rng = np.random.default_rng(3)
    net = Network([20, 3], activations=["softmax"], loss="cross_entropy", seed=3)
    X, Y = rng.normal(size=(4, 20)), net.targets([0, 2, 1, 2])
    trace = explain_step(net, X, Y, learning_rate=0.001)
    hint = re.search(
        r'`glassnet\.export_spec\(network, "net\.toml", X, Y, (.*?)\)`',
        str(trace._repr_markdown_()),
    )
    assert hint and hint[1] == "learning_rate=0.001", hint
    export_spec(net, tmp_path / "net.toml", X, Y, learning_rate=0.001)  # as the hint says
    spec = load_spec(tmp_path / "net.toml")
    assert spec.learning_rate == 0.001
    for shown, written in zip(trace.layers, spec.explain().layers, strict=True):
        np.testing.assert_array_equal(written.W_new, shown.W_new)


def test_the_summarys_step_of_a_zero_w_is_infinite_relative_to_it():
    # ‖ΔW‖ / ‖W‖ of a zero W was nan where it took a step; nan only where it took none
    from glassnet import Network
    from glassnet.network import Layer

    zero = [Layer(np.zeros((20, 3)), np.zeros(3), ACTIVATIONS["softmax"])]
    X = np.random.default_rng(4).normal(size=(2, 20))
    net = Network(zero, loss="cross_entropy")
    moved = explain_step(net, X, net.targets([0, 1]), 0.1)._repr_markdown_()
    still = explain_step(net, X, net.targets([0, 1]), 0.0)._repr_markdown_()
    row = next(line for line in moved.splitlines() if line.startswith("| 1 |"))
    assert row.split(" | ")[6] == "∞", row
    row = next(line for line in still.splitlines() if line.startswith("| 1 |"))
    assert row.split(" | ")[6] == "nan", row


def test_float32_network_is_explained_in_float64():
    net, X, Y = random_case(8, [3, 4, 2], ["relu", "softmax"], "cross_entropy", 2)
    trace32 = explain_step(net.astype("float32"), X, Y, 0.1)
    assert trace32.layers[0].z.dtype == np.float64
    assert net.astype("float32").layers[0].W.dtype == np.float32
    np.testing.assert_allclose(
        trace32.layers[1].delta, explain_step(net, X, Y, 0.1).layers[1].delta, rtol=1e-5
    )


def test_a_saturated_softmax_explains_the_delta_training_uses():
    spec = parse_spec(
        {
            "input": [1.0],
            "target": [0.0, 1.0],
            "loss": "cross_entropy",
            "learning_rate": 0.1,
            "layer": [
                {"activation": "softmax", "weights": [[1000.0, -1000.0]], "bias": [0.0, 0.0]}
            ],
        }
    )
    trace = spec.explain()
    out = trace.layers[0]
    assert out.a[0, 1] == 0.0  # e^-2000 / (…) rounds to 0: the general path has 0 · ∞
    np.testing.assert_array_equal(out.delta, [[1.0, -1.0]])  # a − y, by hand
    np.testing.assert_array_equal(out.W_new, [[1000.0 - 0.1, -1000.0 + 0.1]])


def test_targets_of_the_wrong_rows_are_refused_not_broadcast():
    # one target row for three examples used to broadcast: the same loss, gradients ×3
    from glassnet import ArgumentError, Network

    X = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5], [1.0, 2.0, 3.0]])
    net = Network([3, 4, 2], activations=["tanh", "identity"], loss="half_squared_error", seed=0)
    W = net.layers[0].W.copy()
    for Y in (np.array([1.0, 0.0]), np.ones((3, 1)), np.ones((2, 2))):
        for call in (
            lambda Y=Y: explain_step(net, X, Y, 0.1),
            lambda Y=Y: net.step(X, Y, 0.1),
            lambda Y=Y: net.gradients(X, Y),
        ):
            # a 1-D Y is read as fit reads targets: one value each, for one output unit
            with pytest.raises(ArgumentError, match=r"^Y: expected shape \(3, 2\)|^y: expected 2"):
                call()
    np.testing.assert_array_equal(net.layers[0].W, W)


def test_a_one_unit_batch_takes_its_targets_as_fit_does():
    from glassnet import Network

    X = np.array([[0.5, -1.0], [1.0, 0.0], [1.0, 2.0]])
    net = Network([2, 3, 1], activations=["tanh", "identity"], loss="half_squared_error", seed=0)
    y = np.array([0.5, -1.0, 2.0])
    flat, column = explain_step(net, X, y, 0.1), explain_step(net, X, y[:, None], 0.1)
    assert flat.to_json() == column.to_json()
    one = explain_step(net, X[0], y[:1], 0.1)  # one example: rows of one
    assert np.shape(one.to_dict()["target"]) == (1, 1)


def test_a_step_that_overflows_shows_inf_without_warnings():
    import warnings

    spec = parse_spec(
        {
            "input": [1.0],
            "target": [1.0],
            "loss": "half_squared_error",
            "layer": [{"activation": "identity", "weights": [[1e308]], "bias": [1e308]}],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would fail here
        doc = spec.explain().to_dict()
    assert doc["layers"][0]["z"][0][0] == float("inf")


def test_one_example_and_class_indices_are_taken_as_fit_takes_them():
    from glassnet import Network

    net = Network([2, 3, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    X = np.array([[0.5, -1.0], [1.0, 0.0]])
    by_index = explain_step(net, X, np.array([2, 0]), 0.1)
    one_hot = explain_step(net, X, np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]), 0.1)
    assert by_index.to_json() == one_hot.to_json()
    single = Network([2, 1], activations=["identity"], loss="half_squared_error", seed=0)
    scalar = explain_step(single, X[0], 0.3, 0.1)  # one example, one output: a number
    assert scalar.to_json() == explain_step(single, X[:1], [[0.3]], 0.1).to_json()
    assert single.loss_value(X[0], np.array([0.3])) == pytest.approx(scalar.loss)


def test_one_example_as_a_row_takes_its_targets_as_a_vector():
    from glassnet import EarlyStopping, Network, gradcheck

    net = Network([3, 4, 3], activations=["sigmoid", "softmax"], loss="cross_entropy", seed=0)
    row, y = np.array([[0.1, 0.2, 0.7]]), np.array([0.0, 1.0, 0.0])
    assert explain_step(net, row, y, 0.1).to_json() == explain_step(net, row[0], y, 0.1).to_json()
    assert gradcheck(net, row, y).passed
    seeded = Network([3, 2], activations=["sigmoid"], seed=np.random.default_rng(1))
    seeded.forward(row, dropout=None)  # None is no dropout
    assert EarlyStopping(min_delta=-0.1).min_delta == 0.1


@pytest.mark.parametrize(
    ("X", "Y", "lr", "message"),
    [
        ([[0.5, -1.0, 2.0]], [[1.0, 0.0]], "a", "learning_rate: expected a number ≥ 0"),
        ([[0.5, -1.0, 2.0]], [[1.0, 0.0]], float("nan"), "learning_rate: expected a number"),
        ([[0.5, -1.0, 2.0]], [[1.0, 0.0]], -0.5, "learning_rate: expected a number ≥ 0"),
        ([[0.5, -1.0, 2.0]], [[1.0, 0.0]], True, "learning_rate: expected a number ≥ 0"),
        ([["a", "b", "c"]], [[1.0, 0.0]], 0.1, "X: expected numbers"),
        ([[1.0, 2.0, None]], [[1.0, 0.0]], 0.1, "X: not a finite number at [1, 3]"),
        ([[1.0, 2.0, 3.0]], [[1.0, float("inf")]], 0.1, "Y: not a finite number at [1, 2]"),
    ],
)
def test_explain_step_names_a_bad_argument(X, Y, lr, message):
    # the trace's learning_rate is a number ≥ 0 and its inputs are numbers, as a spec's
    from glassnet import ArgumentError, Network

    net = Network([3, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    with pytest.raises(ArgumentError, match=message.replace("[", r"\[").replace("]", r"\]")):
        explain_step(net, X, Y, lr)


def test_a_trace_keeps_its_own_input_and_target_when_the_caller_reuses_its_arrays():
    net, X, Y = random_case(7, [3, 4, 2], ["tanh", "softmax"], "cross_entropy", 2)
    X, Y = np.array(X, dtype=np.float64), np.array(Y, dtype=np.float64)
    trace = explain_step(net, X, Y, 0.1)
    before = trace.to_dict()
    X[0, 0], Y[:] = 99.0, 0.5
    assert trace.to_dict() == before  # as it was made: input and target match its z, a, δ
    assert trace.input is not X and trace.target is not Y


def test_a_traces_repr_is_its_network_and_figures_not_every_number():
    # the dataclass's repr listed every array: 39 KB for a 64-128-10 step, saved in a
    # notebook beside its display
    from glassnet import Network

    net = Network([64, 128, 10], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    X = np.random.default_rng(0).normal(size=(32, 64))
    trace = explain_step(net, X, net.targets(np.arange(32) % 10), 0.1)
    text = repr(trace)
    assert len(text) < 200
    assert text.startswith("Trace(cross_entropy, sizes [64, 128, 10], m=32, learning_rate=0.1, ")
    assert f"loss {trace.loss:.6g} → {trace.loss_after:.6g})" in text
    assert repr(trace.layers[1]) == "LayerTrace(l=2, softmax, 128 → 10, m=32)"
