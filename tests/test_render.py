"""The renderers: every stage in order, numbers at the asked precision, JSON exact."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from glassnet import Network, explain_step, load_spec
from glassnet.render import render_html, render_json, render_markdown, render_text
from glassnet.render.numbers import fmt, latex_matrix, text_matrix
from glassnet.spec import parse_spec

from conftest import EXAMPLES, random_case

STAGES = [
    "1. Forward",
    "2. Loss",
    "3. Backward",
    "4. Gradients",
    "5. Update",
    "6. Loss after the step",
]


@pytest.fixture(scope="module")
def seed001():
    return load_spec(EXAMPLES[1]).explain().to_dict()


def test_text_has_every_stage_in_order(seed001):
    text = render_text(seed001)
    positions = [text.index(stage) for stage in STAGES]
    assert positions == sorted(positions)
    # backward runs from the output layer down
    backward = text[text.index("3. Backward") : text.index("4. Gradients")]
    assert backward.index("Layer 3") < backward.index("Layer 2") < backward.index("Layer 1")
    # each chain-rule factor is shown for a hidden layer
    for factor in (
        "∂ℓ/∂a2 = δ3 W3ᵀ",
        "f'(z2)",
        "δ2 = ∂ℓ/∂a2 ⊙ f'(z2)",
        "δ3, δ_j = Σ_i ∂ℓ/∂a_i J_ij",
    ):
        assert factor in backward


def test_markdown_has_every_stage_symbols_then_numbers(seed001):
    md = render_markdown(seed001)
    headings = [
        "### 1. Forward",
        "### 2. Loss",
        "### 3. Backward",
        "### 4. Gradients",
        "### 5. Update",
        "### 6. Loss after the step",
    ]
    positions = [md.index(h) for h in headings]
    assert positions == sorted(positions)
    line = next(x for x in md.splitlines() if x.startswith("$$z^{[1]}"))
    symbols = line.index("a^{[0]} W^{[1]} + b^{[1]}")
    assert symbols < line.index(r"\begin{bmatrix}")
    assert md.count("$$") % 2 == 0


def test_precision_sets_significant_digits(seed001):
    z2 = seed001["layers"][1]["z"][0][0]
    assert fmt(z2, 3) in render_text(seed001, precision=3)
    assert fmt(z2, 10) in render_text(seed001, precision=10)
    assert fmt(z2, 3) != fmt(z2, 10)


def test_json_is_the_document_at_full_precision(seed001):
    assert json.loads(render_json(seed001)) == seed001


def test_json_writes_non_finite_numbers_as_strings():
    doc = {"loss": math.inf, "x": [math.nan, -math.inf, 1.5]}
    assert json.loads(render_json(doc)) == {"loss": "inf", "x": ["nan", "-inf", 1.5]}


def test_batch_jacobians_are_shown_per_example():
    net, X, Y = random_case(0, [2, 3], ["softmax"], "cross_entropy", 2)
    text = render_text(explain_step(net, X, Y, 0.1).to_dict())
    assert "(example 1)" in text and "(example 2)" in text


def test_number_formatting():
    assert fmt(-0.0, 6) == "0"
    assert fmt(1.35, 6) == "1.35"
    assert text_matrix([[1, 10], [100, 1]], 6) == ["[   1  10 ]", "[ 100   1 ]"]
    assert latex_matrix([1, 2], 6) == r"\begin{bmatrix}1 & 2\end{bmatrix}"


def test_float_rounding_beside_larger_numbers_is_written_0():
    # seed 003: ∂ℓ/∂a1[1] = δ2·(0.5, 0.5) with δ2 = (x, −x) is 0, left −1.4e-17 by floats
    seed003 = next(p for p in EXAMPLES if p.name == "seed003.toml")
    trace = load_spec(seed003).explain()
    g = trace.layers[0].dL_da[0]
    assert 0 < abs(g[0]) < 1e-15 and abs(g[1]) > 1e-2  # as float64 computes it
    text = render_text(trace.to_dict())
    # the residue shown 0, the rest as the trace holds them (to 6 significant digits)
    assert "[ 0  " + "  ".join(f"{v:.6g}" for v in g[1:]) + " ]" in text
    assert json.loads(render_json(trace.to_dict()))["layers"][0]["dL_da"][0][0] == g[0]
    assert text_matrix([1e-17, 2e-17], 6) == ["[ 1e-17  2e-17 ]"]  # numbers as they are
    # the seed's b1 after the step is 0 − 0.1 × (that residue summed): 0 as well
    assert "e-20" not in text and "e-17" not in text and "e-18" not in text


def test_one_saturated_example_does_not_blank_another():
    from glassnet.spec import parse_spec

    spec = parse_spec(
        {
            "input": [[1.0], [0.01]],
            "target": [[0.0, 1.0], [0.0, 1.0]],
            "loss": "cross_entropy",
            "layer": [{"activation": "softmax", "weights": [[30.0, 0.0]]}],
        }
    )
    trace = spec.explain()
    text = render_text(trace.to_dict())
    # example 1: z = (30, 0), a₂ = 1 / (1 + e^30) = 9.35762e-14, an activation, not a rounding
    small = f"{1 / (1 + math.exp(30)):.6g}"
    assert small == "9.35762e-14" and small in text
    # example 2: z = (0.3, 0), a₂ = 1 / (1 + e^0.3), ∂ℓ/∂a₂ = −1/a₂ = −(1 + e^0.3), shown
    # beside example 1's −1/9.36e-14 = −1.07e13
    beside = f"{-(1 + math.exp(0.3)):.6g}"
    assert beside == "-2.34986" and beside in text
    markdown = render_markdown(trace.to_dict())
    assert beside in markdown and r"9.35762 \times 10^{-14}" in markdown


def test_markdown_latex_escapes_names_writes_exponents_and_substitutes_z():
    data = {
        "input": [1e-5, 2.0],
        "target": [0.5],
        "loss": "half_squared_error",
        "learning_rate": 0.1,
        "layer": [
            {"activation": "leaky_relu", "weights": [[1.0, -2.0], [0.5, 0.25]], "bias": [0, 0]},
            {"activation": "tanh", "weights": [[1e-6], [1.0]], "bias": [0.0]},
        ],
    }
    text = render_markdown(parse_spec(data).explain().to_dict())
    assert r"\mathrm{leaky\_relu}(z^{[1]})" in text and r"\mathrm{leaky_relu}" not in text
    assert r"1 \times 10^{-5}" in text  # the input, in a bmatrix
    assert not re.search(r"\d e-?\d|\de[-+]\d", text.replace(r"\times", ""))
    assert r"1-\tanh^2(z^{[2]})" in text  # the derivative's z is the layer's too


def test_a_fused_output_says_what_its_delta_is():
    seed001 = next(p for p in EXAMPLES if p.name == "seed001.toml")  # softmax + BCE: not fused
    assert "multiply out" not in render_text(load_spec(seed001).explain().to_dict())
    from glassnet.spec import parse_spec

    saturated = parse_spec(
        {
            "input": [1.0],
            "target": [0.0, 1.0],
            "loss": "cross_entropy",
            "layer": [{"activation": "softmax", "weights": [[800.0, 0.0]]}],
        }
    ).explain()
    text = render_text(saturated.to_dict())
    assert "δ = a Σ_j y_j − y" in text and "their product loses δ" in text
    markdown = render_markdown(saturated.to_dict())
    assert "δ = a Σ_j y_j − y" in markdown
    assert r"J_{ij} = a_i(\delta_{ij} - a_j)" in markdown  # the activation's own Jacobian


def test_a_saturated_softmax_bce_row_shows_its_exact_delta():
    from glassnet.render.numbers import shown_trace
    from glassnet.spec import parse_spec

    seed001 = next(p for p in EXAMPLES if p.name == "seed001.toml")  # softmax + BCE, normal
    assert "from the logits" not in render_text(load_spec(seed001).explain().to_dict())

    def explained(target, weights):
        data = {"input": [1.0], "target": target, "loss": "binary_cross_entropy"}
        layer = {"activation": "softmax", "weights": weights}
        return parse_spec({**data, "layer": [layer]}).explain().to_dict()

    # y_1 = a_1: ∂ℓ/∂a_1 = −1 + 1 = 0, and J_22 = a_2(1 − a_2) rounds to 0, so the sum
    # Σ_i ∂ℓ/∂a_i J_i2 of the factors shown is 0, yet δ_2 = 1: no residue to blank
    trace = explained([4.248354255291589e-18, 0.0], [[-20.0, 20.0]])
    assert trace["layers"][0]["delta"] == [[-1.0, 1.0]]
    assert shown_trace(trace)["layers"][0]["delta"] == [[-1.0, 1.0]]
    for render in (render_text, render_markdown):
        out = render(trace)
        assert "example 1" in out and "from the logits" in out
    assert "δ1, δ_j = Σ_i ∂ℓ/∂a_i J_ij = [ -1  1 ]" in render_text(trace)
    # the README's confidently wrong output: δ = 2 beside ∂ℓ/∂a = ±e^40, ℓ = 80
    trace = explained([1.0, 0.0], [[-20.0, 20.0]])
    text = render_text(trace)
    assert "[ -2.35385e+17  2.35385e+17 ]" in text and "[ -2  2 ]" in text
    assert "L = (1/m) Σ ℓ = 80" in text
    document = json.loads(render_json(trace))
    assert document["layers"][0]["delta"] == [[-2.0, 2.0]] and document["loss"] == 80.0
    # 1 − a_2 underflows: ∂ℓ/∂a = [−∞, ∞], the true values beyond float64
    trace = explained([1.0, 0.0], [[-400.0, 400.0]])
    assert json.loads(render_json(trace))["layers"][0]["dL_da"] == [["-inf", "inf"]]
    assert "δ1, δ_j = Σ_i ∂ℓ/∂a_i J_ij = [ -2  2 ]" in render_text(trace)


def test_markdown_names_eta_and_non_finite_numbers_stay_latex():
    from glassnet import Network, explain_step, register_activation, register_loss
    from glassnet.activations import ACTIVATIONS
    from glassnet.losses import LOSSES
    from glassnet.spec import parse_spec

    spec = parse_spec(
        {
            "input": [1.0],
            "target": [0.0],
            "loss": "half_squared_error",
            "learning_rate": 0.00001,
            "layer": [{"activation": "identity", "weights": [[1e200]], "bias": [1e200]}],
        }
    )
    markdown = render_markdown(spec.explain().to_dict())
    assert r"learning rate $\eta = 1 \times 10^{-5}$." in markdown  # inside math
    assert r"\infty" in markdown and "inf " not in markdown.replace(r"\infty", "")
    # names with underscores and a z in them stay names
    try:
        register_activation("z_swish", lambda z: z / (1 + np.exp(-z)), vjp=lambda z, a, g: g)
        register_loss(
            "l_1_loss", lambda a, y: np.abs(a - y).sum(axis=-1), lambda a, y: np.sign(a - y)
        )
        net = Network([1, 1], activations=["z_swish"], loss="l_1_loss", seed=0)
        text = explain_step(net, np.array([[0.5]]), np.array([[0.1]]), 0.1).to_markdown()
        assert r"\mathrm{z\_swish}(z^{[1]})" in text and r"\ell_{\mathrm{l\_1\_loss}}" in text
        assert r"\mathrm{z^{[1]}" not in text
    finally:
        ACTIVATIONS.pop("z_swish", None)
        LOSSES.pop("l_1_loss", None)


def test_the_text_fits_80_columns_and_cuts_a_wide_matrix_in_blocks_of_columns():
    spec = load_spec(EXAMPLES[1])
    net = Network([3, 50, 4], activations=["tanh", "softmax"], loss="cross_entropy", seed=1)
    X = np.random.default_rng(0).normal(size=(3, 3))
    trace = explain_step(net, X, np.eye(4)[[0, 2, 3]], 0.1)
    for digits in (3, 17):  # every line, at the most digits too
        assert max(map(len, trace.to_text(precision=digits).splitlines())) <= 80
    deep = Network([2] + [3] * 30, activations=["tanh"] * 30, seed=0)
    deep_text = explain_step(deep, X[:, :2], np.zeros((3, 3)), 0.1).to_text(precision=17)
    assert max(map(len, deep_text.splitlines())) <= 80
    text = trace.to_text(precision=6)
    lines = text.splitlines()
    # W1 (3 × 50) in blocks of whole columns, each number once, in order
    start = lines.index("    W1 =")
    blocks, rows = [], []
    for line in lines[start + 1 :]:
        if not line.startswith("        "):
            break
        if line.strip().startswith("column"):
            blocks.append(line.strip())
            rows.append([])
        else:
            rows[-1].append([float(x) for x in line.strip()[1:-1].split()])
    assert blocks[0].startswith("columns 1–") and blocks[-1].endswith(" of 50:")
    W = np.hstack([np.array(block) for block in rows])
    np.testing.assert_allclose(W, net.layers[0].W, rtol=1e-5)
    # a short matrix stays beside its label, a long label puts it below
    short = spec.explain().to_text()
    assert "    b1 = [ 1  1  1 ]\n" in short
    assert "    ∂ℓ/∂a2 = δ3 W3ᵀ (every path through layer 3) =\n        [ 0.65827 " in short


@pytest.mark.parametrize("precision", [0, -1, 18, 2.5, True, None, "6"])
def test_precision_is_checked_by_name(precision):
    from glassnet import ArgumentError

    trace = load_spec(EXAMPLES[0]).explain()
    for render in (trace.to_text, trace.to_markdown):
        with pytest.raises(ArgumentError, match=r"^precision:"):
            render(precision=precision)
    for render in (render_text, render_markdown):  # the public renderers of the dict too
        with pytest.raises(ArgumentError, match=r"^precision:"):
            render(trace.to_dict(), precision=precision)


def test_a_w_x_spec_is_shown_as_it_wrote_its_matrices(capsys):
    from glassnet.cli import main

    seed003 = next(p for p in EXAMPLES if p.name == "seed003.toml")
    said = "and so are they shown here: a row per unit, a column per input, z = W a + b"
    for fmt_name in ("text", "markdown"):
        assert main(["explain", str(seed003), "--format", fmt_name]) == 0
        out = capsys.readouterr().out  # (the text's note is wrapped at 80 columns)
        first = out.split("\nglassnet explain:")[0] if fmt_name == "text" else out.splitlines()[0]
        assert said in " ".join(line.strip() for line in first.splitlines())
    assert main(["explain", str(seed003)]) == 0
    text = capsys.readouterr().out
    # W1 as the spec writes it, row 1 unit 1's weights; the equations of W x
    assert "    W1 = [  0.1  0.3   0.8  -0.4 ]\n" in text
    for equation in ("z1 = W1 a0 + b1", "∂ℓ/∂a1 = W2ᵀ δ2", "∂L/∂W2 = δ2 a1ᵀ / m"):
        assert equation in text
    # ∂L/∂W2 row 1, column 2 is ∂L/∂W_212, unit 1's weight from input 2 (the check's grad_W[1,2])
    assert "∂L/∂W2 = δ2 a1ᵀ / m = [ -0.134897  -0.137723  -0.126793  -0.129351 ]" in text
    seed001 = next(p for p in EXAMPLES if p.name == "seed001.toml")
    assert main(["explain", str(seed001)]) == 0
    text = capsys.readouterr().out
    assert "shown here" not in text and "z1 = a0 W1 + b1" in text


def _latex_matrices(part: str) -> list[np.ndarray]:
    """The bmatrix arrays of one part of an equation, in order."""
    found = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", part)

    def number(text: str) -> float:  # "5.2 \times 10^{-5}"
        mantissa, _, power = text.partition(r" \times 10^")
        return float(mantissa) * 10.0 ** float(power.strip("{}") or 0)

    return [
        np.array([[number(x) for x in row.split(" & ")] for row in body.split(r" \\ ")])
        for body in found
    ]


@pytest.mark.parametrize("layout", ["in_out", "out_in"])
@pytest.mark.parametrize("m", [1, 3])
def test_markdown_products_compute_with_the_numbers_shown(layout, m):
    # every product with its numbers substituted reads as written: its matrices, multiplied
    # as the symbols say (W a + b for W x, a W + b for x W), give the result shown
    rng = np.random.default_rng(m)
    W1, W2 = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (4, 2))
    if layout == "out_in":
        W1, W2 = W1.T, W2.T
    spec = parse_spec(
        {
            "input": rng.uniform(-1, 1, (m, 3)).tolist(),
            "target": rng.uniform(0, 1, (m, 2)).tolist(),
            "loss": "half_squared_error",
            "weights_layout": layout,
            "layer": [
                {"activation": "tanh", "weights": W1.tolist(), "bias": [0.1, -0.2, 0.3, 0.0]},
                {"activation": "sigmoid", "weights": W2.tolist(), "bias": [0.5, -0.5]},
            ],
        }
    )
    md = spec.explain().to_markdown(precision=12)
    w_x = layout == "out_in"
    checked = 0
    for line in md.splitlines():
        if not line.startswith("$$"):
            continue
        symbols, *parts = line.strip("$").split(" = ")
        if len(parts) < 2:
            continue
        shown, result = _latex_matrices(parts[-2]), _latex_matrices(parts[-1])
        if len(result) != 1:
            continue
        if symbols.startswith("z^") and len(shown) == 3:  # z = W a + b or a W + b
            W, a, b = shown if w_x else (shown[1], shown[0], shown[2])
            got = W @ a + b if w_x else a @ W + b
        elif symbols.startswith(r"\frac{\partial \ell}{\partial a^") and len(shown) == 2:
            got = shown[0] @ shown[1]  # Wᵀ δ, or δ Wᵀ
        elif symbols.startswith(r"\frac{\partial L}{\partial W") and len(shown) == 2:
            got = shown[0] @ shown[1] / m  # δ aᵀ / m, or aᵀ δ / m
        elif r"\leftarrow" in symbols and len(shown) == 2:
            got = shown[0] - 0.1 * shown[1]
        else:
            continue
        np.testing.assert_allclose(got, result[0], rtol=1e-9, atol=1e-11, err_msg=line)
        checked += 1
    assert checked == 2 + 1 + 2 + 4  # z of both layers, one hidden ∂ℓ/∂a, 2 ∂L/∂W, 4 updates


def test_a_w_x_specs_trace_says_so_from_python_and_the_cli_once(capsys):
    from glassnet.cli import main

    seed003 = next(p for p in EXAMPLES if p.name == "seed003.toml")
    trace = load_spec(seed003).explain()
    assert trace.weights_layout == "out_in"
    written = 'The spec writes its matrices W x (weights_layout = "out_in"), and so are they'
    assert " ".join(line.strip() for line in trace.to_text().splitlines()[:3]).startswith(
        "note: " + written
    )
    assert trace.to_markdown().startswith("> " + written)
    assert "transposed" not in trace.to_text() + trace.to_markdown()
    assert trace._repr_markdown_() == trace.to_markdown()  # a network this small: whole
    # (a large one's summary table shows W's shape as the trace holds it: x W, transposed)
    # the CLI prints what the Trace does: the note once
    assert main(["explain", str(seed003)]) == 0
    assert capsys.readouterr().out == trace.to_text()
    assert main(["explain", str(seed003), "--format", "markdown", "--precision", "4"]) == 0
    assert capsys.readouterr().out == trace.to_markdown(4)
    # the page says it above the matrices, the CLI's and a check's page too (it had no note)
    page = trace.to_html()
    assert "transposed" not in page and html.escape(written) in page.split("<nav")[0]
    assert main(["explain", str(seed003), "--format", "html"]) == 0
    assert capsys.readouterr().out == page
    claims = Path(__file__).parent.parent / "examples" / "claims" / "seed003.toml"
    main(["check", str(seed003), str(claims), "--format", "html"])
    assert html.escape(written) in capsys.readouterr().out.split("Your worksheet")[0]
    # the JSON document keeps its keys (its matrices are in_out whatever the spec wrote)
    assert "weights_layout" not in trace.to_dict()
    # a trace of a Network, or of an in_out spec, has no note
    in_out = load_spec(next(p for p in EXAMPLES if p.name == "seed001.toml")).explain()
    for out in (
        in_out.to_text(),
        in_out.to_markdown(),
        in_out.to_html(),
        render_text(trace.to_dict()),
        render_html(trace.to_dict()),
    ):
        assert "transposed" not in out and "and so are they" not in out


def test_rounding_is_consistent_and_never_hides_a_saturated_units_numbers():
    def shown(data):
        return render_text(parse_spec(data).explain().to_dict())

    # z = 0.1 + 0.2 − 0.3 = 5.6e-17 in float64: z, a = z and δ all 0, beside 0.5 or alone
    identity = {
        "input": [[0.1, 0.2], [1.0, 2.0]],
        "target": [[0.0], [0.0]],
        "loss": "half_squared_error",
        "layer": [{"activation": "identity", "weights": [[1.0], [1.0]], "bias": [-0.3]}],
    }
    assert "e-17" not in shown(identity)
    # a sigmoid unit at z = 30: f′ = 9.3e-14 and δ = 1.4e-13 are real, and shown
    saturated = {
        "input": [1.0],
        "target": [0.0],
        "loss": "half_squared_error",
        "layer": [
            {"activation": "sigmoid", "weights": [[30.0, 0.0]]},
            {"activation": "identity", "weights": [[1.0], [1.0]]},
        ],
    }
    text = shown(saturated)
    assert "9.34808e-14" in text and "1.40221e-13" in text


@pytest.mark.parametrize(
    ("data", "shown", "hidden"),
    [
        (  # one saturated example: the other's ∂ℓ/∂a = −2 is a number, not residue
            {
                "input": [[-35.0], [0.0]],
                "target": [[1.0], [1.0]],
                "loss": "binary_cross_entropy",
                "layer": [{"activation": "sigmoid", "weights": [[1.0]]}],
            },
            ["-1.58601e+15 ]", "[           -2 ]", "6.30512e-16"],
            [],
        ),
        (  # a softmax output of 1.7e-16 and its δ = a − y: real, not sums that cancel
            {
                "input": [1.0],
                "target": [1.0, 0.0, 0.0],
                "loss": "cross_entropy",
                "layer": [{"activation": "softmax", "weights": [[0.0, -1.0, -36.0]]}],
            },
            ["0.268941  1.69571e-16 ]"],
            [],
        ),
        (  # ∂L/∂b = (0.3 − 0.3) / 2 in floats: 2.8e-17 of a sum that is 0
            {
                "input": [[0.1, 0.2], [0.0, 0.0]],
                "target": [[0.0], [0.3]],
                "loss": "half_squared_error",
                "layer": [{"activation": "identity", "weights": [[1.0], [1.0]]}],
            },
            ["∂L/∂b1 = (1/m) Σ δ1 = [ 0 ]"],
            ["e-17", "e-18"],
        ),
    ],
)
def test_what_is_residue_is_decided_from_the_numbers_shown(data, shown, hidden):
    text = render_text(parse_spec(data).explain().to_dict())
    for fragment in shown:
        assert fragment in text, fragment
    for fragment in hidden:
        assert fragment not in text, fragment


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (  # an overflow is no residue
            {
                "input": [1e200],
                "target": [0.0],
                "loss": "half_squared_error",
                "layer": [{"activation": "identity", "weights": [[1e200]]}],
            },
            "∂L/∂b1 = (1/m) Σ δ1 = [ inf ]",
        ),
        (  # a saturated softmax with its cross-entropy: δ = a − y = ±1, as training takes it
            {
                "input": [1.0],
                "target": [1.0, 0.0],
                "loss": "cross_entropy",
                "layer": [{"activation": "softmax", "weights": [[0.0, 800.0]]}],
            },
            "∂L/∂b1 = (1/m) Σ δ1 = [ -1  1 ]",
        ),
        (  # σ(35) − 1 is no sum of the numbers given
            {
                "input": [35.0],
                "target": [1.0],
                "loss": "half_squared_error",
                "layer": [{"activation": "sigmoid", "weights": [[1.0]]}],
            },
            "a_j − y_j = [ -6.66134e-16 ]",
        ),
        (  # softmax(0) is not 0: e^-40 / (1 + e^-40) stays
            {
                "input": [0.1, 0.2, 0.3],
                "target": [1.0, 0.0],
                "loss": "cross_entropy",
                "layer": [
                    {"activation": "softmax", "weights": [[400.0, 1.0], [0.0, 1.0], [0.0, -1.0]]}
                ],
            },
            "4.24835e-18 ]",
        ),
    ],
)
def test_no_real_number_is_taken_for_residue(data, fragment):
    text = render_text(parse_spec(data).explain().to_dict())
    assert fragment in text, text


KINK_RESIDUE = [
    (  # z = 0.1 + 0.2 − 0.3 = 5.6e-17 > 0: relu′ taken as 1, not relu′(0) = 0
        "relu",
        {
            "input": [0.1, 0.2],
            "target": [1.0],
            "loss": "half_squared_error",
            "layer": [
                {"activation": "relu", "weights": [[1.0, 1.0], [1.0, -1.0]], "bias": [-0.3, 0.1]},
                {"activation": "identity", "weights": [[1.0], [1.0]]},
            ],
        },
        0.0,
    ),
    (  # z = −0.1 − 0.2 + 0.3 = −5.6e-17 < 0: leaky_relu′ taken as 0.01, not 1
        "leaky_relu",
        {
            "input": [0.1, 0.2],
            "target": [1.0],
            "loss": "half_squared_error",
            "layer": [
                {"activation": "leaky_relu", "weights": [[-1.0], [-1.0]], "bias": [0.3]},
                {"activation": "identity", "weights": [[1.0]]},
            ],
        },
        1.0,
    ),
]


@pytest.mark.parametrize(("activation", "data", "at_zero"), KINK_RESIDUE)
def test_a_z_shown_0_has_the_derivative_at_0_beside_it(activation, data, at_zero):
    from glassnet.render.numbers import shown_trace

    trace = parse_spec(data).explain().to_dict()
    layer = trace["layers"][0]
    assert layer["activation"] == activation
    z = np.asarray(layer["z"])
    residue = (z != 0) & (np.abs(z) < 1e-16)
    assert residue.any() and np.all(np.asarray(layer["da_dz"])[residue] != at_zero)
    shown = shown_trace(trace)["layers"][0]
    z_shown, d = np.asarray(shown["z"]), np.asarray(shown["da_dz"])
    assert np.all(d[z_shown == 0] == at_zero)  # where 0 is shown, f′ is f′(0)
    assert np.all(z_shown[residue] == z[residue])  # the engine's z, whose side f′ took
    text = render_text(trace)
    assert f"{z[residue][0]:.6g}" in text


@pytest.mark.parametrize(
    "data",
    [
        # z = 1e200 is finite, δ = 1e200 too: a_0ᵀ δ (the gradient's sum) overflows
        {"input": [1e200], "target": [0.0], "layer": [{"weights": [[1.0]]}]},
        # z = ∞ − ∞: nan, and every sum recomputed from it
        {"input": [1e200, 1e200], "target": [0.0], "layer": [{"weights": [[1e200], [-1e200]]}]},
    ],
)
def test_a_step_that_overflows_renders_without_warnings(data):
    import warnings

    layers = [{"activation": "identity", **layer} for layer in data["layer"]]
    trace = parse_spec({**data, "loss": "half_squared_error", "layer": layers}).explain()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's RuntimeWarning would fail here
        for out in (trace.to_text(), trace.to_markdown(), trace._repr_markdown_()):
            assert re.search(r"\binf\b|\\infty|\bnan\b|NaN", out)  # shown as they are


@pytest.mark.parametrize("loss", ["half_squared_error", "squared_error", "mean_squared_error"])
def test_a_loss_follows_from_the_a_minus_y_shown(loss):
    from glassnet.losses import LOSSES
    from glassnet.render.numbers import shown_trace

    # z = 0.1 + 0.2 = 0.30000000000000004 against y = 0.3: a − y is shown 0, so ℓ is
    # 0 (not 1.5e-33), and the step changes nothing shown, so L after is 0 too
    data = {"input": [0.1, 0.2], "target": [0.3], "loss": loss}
    fit = parse_spec({**data, "layer": [{"activation": "identity", "weights": [[1.0], [1.0]]}]})
    trace = fit.explain()
    assert 0 < trace.loss < 1e-30 and 0 < trace.loss_after < 1e-30  # the engine's, kept
    assert render_json(trace.to_dict()) == trace.to_json()
    shown = shown_trace(trace.to_dict())
    assert shown["loss"] == 0 and shown["loss_after"] == 0
    text = trace.to_text()
    assert "L = (1/m) Σ ℓ = 0\n" in text and "L = 0  (before 0, change 0)" in text
    markdown = trace.to_markdown()
    assert r"\ell\bigl(a^{[1](k)}, y^{(k)}\bigr) = 0$$" in markdown
    assert r"L_{\text{after}} = 0$$" in markdown and "e-33" not in markdown
    # a second output that misses by 0.5: ℓ is the loss's own of a with y where a − y
    # is shown 0, and the step changes the weights, so L after is the engine's
    two = parse_spec(
        {
            "input": [[0.1, 0.2], [1.0, 0.0]],
            "target": [[0.3, 1.0], [1.0, 0.0]],
            "loss": loss,
            "layer": [{"activation": "identity", "weights": [[1.0, 0.5], [1.0, 2.5]]}],
        }
    ).explain()
    shown = shown_trace(two.to_dict())
    a = np.array(two.layers[0].a)
    a[0, 0] = 0.3  # y where a − y is shown 0
    assert shown["layers"][0]["dL_da"][0][0] == 0 and two.layers[0].dL_da[0][0] != 0
    assert shown["loss"] == LOSSES[loss].value(a, np.asarray(two.target)).mean()
    assert shown["loss_after"] == two.loss_after != 0


def test_the_pages_names_are_those_its_script_computes_and_glassnets_own():
    from importlib import resources

    from glassnet import activations, losses
    from glassnet.render.html import PAGE_ACTIVATIONS, PAGE_LOSSES

    script = resources.files("glassnet.render").joinpath("assets", "explain.js").read_text()

    def keys(table: str) -> set[str]:  # `var TABLE = { name: {…} or […], … };`
        body = re.search(rf"var {table} = \{{(.*?)\n  \}};", script, re.S)
        assert body is not None, table
        return set(re.findall(r"(\w+): [\[{]", body.group(1)))

    assert keys("ACT") | {"softmax"} == PAGE_ACTIVATIONS == keys("LATEX")
    assert keys("LOSS") == PAGE_LOSSES
    # every built-in has a page: a new one needs its JavaScript
    assert PAGE_ACTIVATIONS == activations._BUILT_IN and PAGE_LOSSES == losses._BUILT_IN


def test_render_html_refuses_a_registered_activation_or_loss():
    from glassnet import Network, register_activation
    from glassnet.activations import ACTIVATIONS
    from glassnet.errors import ArgumentError
    from glassnet.render.html import page_refusal, render_html

    acts = dict(ACTIVATIONS)
    try:
        register_activation("softsign", lambda z: z / (1 + np.abs(z)), vjp=lambda z, a, g: g)
        net = Network([2, 2, 1], activations=["softsign", "identity"], seed=0)
        trace = explain_step(net, np.array([[0.5, 1.0]]), np.array([[1.0]]), 0.1).to_dict()
    finally:
        ACTIVATIONS.clear()
        ACTIVATIONS.update(acts)
    assert page_refusal(trace) == (
        "the explain page computes glassnet's own activations and losses only, in "
        "JavaScript: not activation 'softsign' (layer 1)"
    )
    with pytest.raises(ArgumentError, match=r"softsign.*--format text, markdown or json\)$"):
        render_html(trace)
    assert page_refusal(load_spec(EXAMPLES[1]).explain().to_dict()) is None


def test_each_format_has_its_renderer_imported_on_request():
    import glassnet.render as render
    from glassnet.errors import ArgumentError

    assert {
        "text": render_text,
        "markdown": render_markdown,
        "json": render_json,
        "html": render_html,
    } == render.RENDERERS
    assert all(render.get_renderer(name) is render.RENDERERS[name] for name in render.FORMATS)
    with pytest.raises(
        ArgumentError, match=r"unknown format 'txt' \(did you mean 'text'\?\); known: html"
    ):
        render.get_renderer("txt")
    with pytest.raises(AttributeError, match="no attribute 'render_pdf'"):
        _ = render.render_pdf
    assert render.RENDERERS is render.RENDERERS  # one dict: a format added to it stays
    assert render.numbers.fmt is fmt and render.text.render_text is render_text
    assert not hasattr(render, "x.y") and "html" in dir(render)


def test_the_loss_section_shows_its_terms_one_per_output_unit(seed001):
    # the summands glassnet check judges as loss_terms, from the formula written independently
    a = np.asarray(seed001["layers"][-1]["a"], dtype=np.float64)
    y = np.asarray(seed001["target"], dtype=np.float64)
    terms = -(y * np.log(a) + (1 - y) * np.log(1 - a))  # binary cross-entropy per unit
    assert terms.sum() == pytest.approx(seed001["loss"])
    shown = "  ".join(fmt(float(t), 6) for t in terms[0])
    assert f"    ℓ = Σ_j t_j, its terms t_j = [ {shown} ]\n" in render_text(seed001)
    expected = r"$$\ell = \sum_j t_j,\quad t = " + latex_matrix(terms, 6) + "$$"
    assert expected in render_markdown(seed001)
    # a batch: a row per example; a loss of the caller's own has no terms to show
    spec = load_spec(EXAMPLES[0])
    X, Y = np.vstack([spec.X, spec.X]), np.vstack([spec.Y, spec.Y])
    assert "its terms t_j, a row per example = " in explain_step(spec.network, X, Y, 0.1).to_text()
    mine = dict(seed001, loss_name="my_loss")  # (not registered: no formula known)
    assert "its terms" not in render_text(mine) and r"\quad t =" not in render_markdown(mine)


def test_a_learning_rate_the_spec_does_not_set_is_said_to_be_the_default():
    said = "(glassnet's default: the spec sets no learning_rate)"
    seed003 = load_spec(next(p for p in EXAMPLES if p.name == "seed003.toml"))
    assert not seed003.learning_rate_given and seed003.learning_rate == 0.1
    trace = seed003.explain()
    assert f"η = 0.1 {said}\n" in trace.to_text()
    assert f"$\\eta = 0.1$ {said}." in trace.to_markdown()
    assert "default" not in json.dumps(trace.to_dict())  # the document keeps its keys
    seed001 = load_spec(next(p for p in EXAMPLES if p.name == "seed001.toml"))
    assert seed001.learning_rate_given
    assert said not in seed001.explain().to_text() + seed001.explain().to_markdown()
    # a trace of a network, not of a spec: nothing to say
    assert said not in explain_step(seed003.network, seed003.X, seed003.Y, 0.1).to_text()


def test_the_notebook_summary_says_the_default_learning_rate_too(seed001):
    from glassnet.render.markdown import render_markdown_summary

    said = "(glassnet's default: the spec sets no learning_rate)"
    assert said in render_markdown_summary(seed001, "too large", default_rate=True)
    assert said not in render_markdown_summary(seed001, "too large")
