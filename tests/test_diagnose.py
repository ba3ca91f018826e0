"""Diagnostics: each finding on a network built to have it, and not on a healthy one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from glassnet import ArgumentError, Network
from glassnet.cli import main
from glassnet.data import load_dataset
from glassnet.diagnose import (
    EXPLODING,
    VANISHING,
    DiagnosticsCallback,
    constant_finding,
    constant_loss,
    diagnose,
    learning_rate_finding,
    measure,
)
from glassnet.render.diagnose import render_markdown, render_text

from conftest import EXAMPLES


@pytest.fixture(scope="module")
def moons():
    data = load_dataset("moons", n_samples=200)
    return data.X, data.y


@pytest.fixture(scope="module")
def digits():
    data = load_dataset("digits")
    return data.X / 16.0, data.y  # pixels 0..16, scaled to [0, 1]


def deep(act, init, scale=1.0, layers=10):
    net = Network(
        [2] + [16] * (layers - 1) + [2],
        activations=[act] * (layers - 1) + ["softmax"],
        loss="cross_entropy",
        init=init,
        seed=0,
    )
    for layer in net.layers:
        layer.W *= scale
    return net


def test_vanishing_gradient(moons):
    X, y = moons
    sick = diagnose(deep("sigmoid", "glorot_uniform"), X, y)
    healthy = diagnose(deep("relu", "he_normal"), X, y)
    assert "vanishing_gradient" in sick.ids and sick.gradient_ratio < 1e-3
    assert "vanishing_gradient" not in healthy.ids


def test_exploding_gradient(moons):
    X, y = moons
    # tiny first weights keep the forward activations (and so the last gradient) small,
    # large later weights multiply δ on its way down
    net = deep("identity", "he_normal", scale=4.0, layers=8)
    net.layers[0].W *= 1e-3 / 4
    sick = diagnose(net, X, y)
    healthy = diagnose(deep("identity", "glorot_uniform", layers=8), X, y)
    assert "exploding_gradient" in sick.ids and sick.gradient_ratio > 1e3
    assert "exploding_gradient" not in healthy.ids


def test_saturation_on_most_examples_is_saturation(digits):
    """tanh weights ×20 on digits: f′ < 0.01 for most of each unit's examples (its median),
    though the few near z = 0 (tanh′ = 1) lift the unit's mean above 0.01 (a review's case:
    the mean had found 9 % and 3 % saturated, no finding, a network stuck at 0.8)."""
    X, y = digits
    net = Network([64, 32, 32, 10], ["tanh", "tanh", "softmax"], "cross_entropy", seed=0)
    for layer in net.layers[:2]:
        layer.W *= 20
    found = diagnose(net, X, y)
    fp = net.forward(X)
    for l in (1, 2):
        d = 1 - fp.a[l] ** 2  # tanh′ from a, independently of the activation's derivative
        assert found.layers[l - 1].saturated_fraction == np.mean(np.median(d, axis=0) < 0.01)
        assert found.layers[l - 1].saturated_fraction > 0.25
        assert np.mean(d.mean(axis=0) < 0.01) < 0.25  # where the mean saw little
    assert [f.layer for f in found.findings if f.id == "saturation"] == [1, 2]


def test_a_gradient_of_exactly_0_from_symmetry_is_not_blamed_on_tanh(moons):
    """Every weight 0.5: the two output units are alike, their δ sum to 0 through W₂ᵀ, and
    layer 1's gradient is exactly 0 — a symmetric start, which relu would not mend."""
    X, y = moons
    net = Network([2, 8, 2], ["tanh", "softmax"], "cross_entropy", seed=0)
    for layer in net.layers:
        layer.W[...] = 0.5
        layer.b[...] = 0.0
    found = diagnose(net, X, y)
    assert found.layers[0].grad_norm == 0.0
    (vanishing,) = [f for f in found.findings if f.id == "vanishing_gradient"]
    assert "exactly 0" in vanishing.message and "symmetry" in vanishing.message
    assert "tanh" not in vanishing.message and "relu" not in vanishing.message
    assert "symmetry" in found.ids


def test_saturation(moons):
    X, y = moons
    sick = Network([2, 16, 2], activations=["sigmoid", "softmax"], loss="cross_entropy", seed=0)
    sick.layers[0].W *= 500
    healthy = Network([2, 16, 2], activations=["sigmoid", "softmax"], loss="cross_entropy", seed=0)
    found = diagnose(sick, X, y)
    assert "saturation" in found.ids and found.layers[0].saturated_fraction > 0.25
    assert diagnose(healthy, X, y).findings == []
    assert diagnose(healthy, X, y).layers[0].saturated_fraction == 0.0


def test_dead_units(moons):
    X, y = moons
    sick = Network([2, 16, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    sick.layers[0].b[:] = -20
    healthy = Network([2, 16, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    found = diagnose(sick, X, y)
    assert "dead_units" in found.ids and found.layers[0].dead_fraction == 1.0
    assert found.layers[0].grad_norm == 0.0  # no gradient reaches a dead layer
    assert "dead_units" not in diagnose(healthy, X, y).ids


def test_symmetry_stays_for_ever(moons):
    X, y = moons
    sick = Network(
        [2, 8, 2],
        activations=["tanh", "softmax"],
        loss="cross_entropy",
        init="constant:0.5",
        seed=0,
    )
    healthy = Network([2, 8, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    found = diagnose(sick, X, y)
    assert "symmetry" in found.ids
    assert found.layers[0].identical_units == [list(range(1, 9))]
    assert "symmetry" not in diagnose(healthy, X, y).ids
    sick.fit(
        X, y, epochs=100, batch_size=None, optimizer="sgd", learning_rate=0.5, verbose=False
    )  # 100 steps of full-batch descent
    W = sick.layers[0].W
    assert np.all(W[:, :1] == W) and np.all(sick.layers[0].b == sick.layers[0].b[0])
    assert diagnose(sick, X, y).layers[0].identical_units == [list(range(1, 9))]


def test_learning_rate_from_history(moons):
    rising = learning_rate_finding([1.0, 0.9, 1.1, 1.4, 2.0, 3.5])
    assert rising is not None and rising.id == "learning_rate" and rising.layer is None
    assert "rose over the last 5 epochs (0.9 → 3.5)" in rising.message  # from the low
    back = learning_rate_finding([1, 0.9, 0.8, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0])
    assert back is not None and "rose over the last 7 epochs (0.7 → 1)" in back.message
    drifting = learning_rate_finding([1.0, 1.6, 0.9, 1.7, 1.0, 1.6, 0.95, 1.65])
    assert drifting is not None and drifting.id == "learning_rate"  # swings and rises
    swinging = learning_rate_finding([1.0, 0.5, 1.2, 0.4, 1.1, 0.45, 1.0])  # and ends as it began
    assert swinging is not None and swinging.id == "learning_rate"
    assert "went up and down 5 times in the last 7 epochs and ended at 1" in swinging.message
    assert learning_rate_finding([1.0, 0.8, 0.7, 0.65, 0.6, 0.58]) is None
    assert learning_rate_finding([1.0, 0.9]) is None  # too short to say
    X, y = moons
    net = Network([2, 16, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    history = net.fit(X, y, epochs=30, optimizer="adam", learning_rate=0.01, seed=0, verbose=False)
    assert diagnose(net, X, y, history["loss"]).findings == []  # healthy: no false alarm
    # least squares with a step beyond 2/λ_max: each epoch multiplies the error
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(100, 2))
    yr = Xr @ np.array([1.0, -2.0])
    too_fast = Network([2, 1], activations=["identity"], loss="half_squared_error", seed=0)
    lam = np.linalg.eigvalsh(Xr.T @ Xr / 100).max()
    history = too_fast.fit(
        Xr, yr, epochs=12, batch_size=None, optimizer="sgd", learning_rate=2.5 / lam, verbose=False
    )
    X, y = Xr, yr
    assert "learning_rate" in diagnose(too_fast, X, y, history["loss"]).ids


def test_records_match_a_direct_computation(moons):
    X, y = moons
    net = Network(
        [2, 8, 4, 2], activations=["relu", "sigmoid", "softmax"], loss="cross_entropy", seed=1
    )
    recorder = DiagnosticsCallback(X[:50], y[:50])
    net.fit(
        X,
        y,
        epochs=3,
        optimizer="adam",
        learning_rate=0.01,
        seed=0,
        callbacks=[recorder],
        verbose=False,
    )
    assert [r["epoch"] for r in recorder.records] == [1, 2, 3]
    # the last record is of the network as it is now; compute it directly
    Y = np.eye(2)[y[:50]]
    fp = net.forward(X[:50])
    bp = net.backward(fp, Y)
    for l, record in enumerate(recorder.records[-1]["layers"], start=1):
        assert record["grad_norm"] == pytest.approx(np.linalg.norm(bp.grad_W[l]), rel=1e-12)
        assert record["weight_norm"] == pytest.approx(np.linalg.norm(net.layers[l - 1].W))
        assert record["delta_norm"] == pytest.approx(np.linalg.norm(bp.delta[l]) / np.sqrt(50))
    z1 = fp.z[1]
    assert recorder.records[-1]["layers"][0]["dead_fraction"] == np.mean((z1 <= 0).all(axis=0))
    d2 = fp.a[2] * (1 - fp.a[2])
    assert recorder.records[-1]["layers"][1]["saturated_fraction"] == np.mean(
        np.median(d2, axis=0) < 0.01
    )
    assert measure(net, X[:50], y[:50])[0].to_dict() == recorder.records[-1]["layers"][0]


def test_cli(capsys, tmp_path):
    assert main(["diagnose", str(EXAMPLES[1]), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["format", "layers", "findings"] and doc["format"] == "glassnet.diagnose/1"
    assert list(doc["layers"][0]) == [
        "index",
        "grad_norm",
        "weight_norm",
        "ratio",
        "delta_norm",
        "saturated_fraction",
        "dead_fraction",
        "identical_units",
    ]
    assert main(["diagnose", str(EXAMPLES[1])]) == 0
    assert "‖∂L/∂W‖" in capsys.readouterr().out
    assert main(["diagnose", str(EXAMPLES[1]), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("## Diagnostics")
    out = tmp_path / "run"
    assert main(["train", "--dataset", "xor", "--epochs", "5", "--out", str(out)]) == 0
    capsys.readouterr()
    assert "## Diagnostics" in (out / "report.md").read_text()
    for name in ("diagnostics.json", "gradient_norms.png", "activations.png"):
        assert (out / name).is_file()
    assert len(json.loads((out / "diagnostics.json").read_text())["epochs"]) == 5
    assert main(["diagnose", str(out / "model.npz"), "--data", "xor", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "glassnet.diagnose/1"
    assert main(["diagnose", str(out / "model.npz")]) == 2
    assert "--data" in capsys.readouterr().err
    # a history.json it cannot read (another tool's, or cut short) is passed over
    huge = '{"history": {"loss": [1' + "0" * 400 + ", 2]}}"  # beyond a float
    for text in ('{"loss": [1.0, 0.5]}', '{"history": {"loss": ["a"]}}', "[]", '{"hist', huge):
        (out / "history.json").write_text(text)
        assert main(["diagnose", str(out / "model.npz"), "--data", "xor"]) == 0, text
        capsys.readouterr()


@pytest.mark.parametrize(
    ("script", "plots", "finding"),
    [
        ("vanishing_gradients", ["sigmoid_10_layers", "relu_10_layers"], "vanishing_gradient"),
        ("symmetry", ["constant_init", "random_init"], "symmetry"),
        ("dead_relu", ["relu_killed_by_bias", "relu_healthy"], "dead_units"),
        ("biases", ["without_biases", "with_biases"], None),
    ],
)
def test_demonstrations_run_and_plot(tmp_path, script, plots, finding):
    import subprocess
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "diagnose" / f"{script}.py"
    out = subprocess.run(
        [sys.executable, str(path), str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout
    for name in plots:
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
    if finding:
        assert f"  {finding}:" in out
    if script == "symmetry":
        assert "identical after 100 steps: True" in out
    if script == "biases":
        assert "without_biases" in out and "accuracy 0.5" in out


def test_a_demonstration_without_matplotlib_prints_its_findings_and_skips_its_plots(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "diagnose" / "symmetry.py"
    script = (
        "import runpy, sys\n"
        "sys.modules['matplotlib'] = None\n"
        f"sys.path.insert(0, {str(path.parent)!r})\n"
        f"sys.argv = [{str(path)!r}, {str(tmp_path)!r}]\n"
        f"runpy.run_path({str(path)!r}, run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "  symmetry:" in result.stdout and "identical after 100 steps: True" in result.stdout
    for name in ("constant_init", "random_init"):
        note = f"  {name}.png skipped: plots need matplotlib: pip install 'glassnet[plot]'\n"
        assert note in result.stdout
    assert not list(tmp_path.glob("*.png"))


def test_symmetry_needs_the_same_weights_out_too(moons):
    X, y = moons
    net = Network([2, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    net.layers[0].W[:, 1] = net.layers[0].W[:, 0]  # units 1 and 2: the same weights in
    net.layers[0].b[1] = net.layers[0].b[0]
    assert diagnose(net, X, y).layers[0].identical_units == []  # ...but not out
    net.layers[1].W[1] = net.layers[1].W[0]  # and now out too
    assert diagnose(net, X, y).layers[0].identical_units == [[1, 2]]
    # output units with the same weights in: their targets tell them apart
    net.layers[1].W[:] = 0.0
    net.layers[1].b[:] = 0.0
    found = diagnose(net, X, y)
    assert found.layers[1].identical_units == [] and not any(
        f.layer == 2 for f in found.findings if f.id == "symmetry"
    )
    net.fit(X, y, epochs=5, batch_size=None, optimizer="sgd", learning_rate=0.5, verbose=False)
    assert not np.array_equal(net.layers[1].W[:, 0], net.layers[1].W[:, 1])


def test_a_zero_layer_is_not_exploding_and_its_json_is_valid(moons, capsys, tmp_path):
    X, y = moons
    net = Network([2, 3, 2], activations=["tanh", "sigmoid"], loss="half_squared_error", seed=0)
    net.layers[0].W[:] = 0.0
    net.layers[0].b[:] = 0.0  # a1 = tanh(0) = 0: no gradient reaches W2
    found = diagnose(net, X[:20], np.eye(2)[y[:20]])
    assert found.layers[1].grad_norm == 0.0
    assert not {"exploding_gradient", "vanishing_gradient"} & found.ids
    assert found.layers[0].to_dict()["ratio"] is None  # ‖∂L/∂W1‖ > 0 over ‖W1‖ = 0
    json.dumps(found.to_dict(), allow_nan=False)
    for render in (render_text, render_markdown):  # "-" where there is no ratio
        assert " - " in render(found.to_dict())


def test_a_fused_sigmoid_output_is_not_called_saturated(moons):
    X, y = moons
    net = Network([2, 1], activations=["sigmoid"], loss="binary_cross_entropy", seed=0)
    net.layers[0].W[:] = 40.0  # z far from 0: σ′(z) ≈ 0, but δ = a − y does not use it
    found = diagnose(net, X, y)
    assert found.layers[0].saturated_fraction is None and "saturation" not in found.ids
    assert found.layers[0].grad_norm > 0.1  # σ′(z) ≈ 0 as a factor would make it ≈ 0


def test_a_noisy_plateau_is_no_rising_loss():
    # dropout and mini-batch noise around 0.29, one spike at the end: no finding
    plateau = [0.291, 0.298, 0.307, 0.294, 0.276, 0.294, 0.300, 0.297, 0.293, 0.328]
    assert learning_rate_finding(plateau) is None
    found = learning_rate_finding([0.29, 0.30, 0.31, 0.33, 0.35, 0.37, 0.39, 0.41])
    assert found is not None and "rose over the last 8 epochs (0.29 → 0.41)" in found.message
    with pytest.raises(ArgumentError, match=r"^losses:"):
        learning_rate_finding("abc")


def test_an_unfused_sigmoid_output_with_its_cross_entropy_is_not_saturated_either(moons):
    X, y = moons
    net = Network([2, 1], activations=["sigmoid"], loss="binary_cross_entropy", seed=0, fused=False)
    net.layers[0].W[:] = 40.0
    found = diagnose(net, X, y)
    assert found.layers[0].saturated_fraction is None and "saturation" not in found.ids


def test_overflowing_figures_are_null_in_json(moons):
    X, y = moons
    net = Network([2, 2, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    for layer in net.layers:
        layer.W[:] = 1e308  # ‖W‖ = 2e308: beyond float64 (1e200 no longer is: 2e200)
    document = diagnose(net, X[:5], y[:5]).to_dict()
    json.dumps(document, allow_nan=False)  # strict JSON: no Infinity, no NaN
    assert document["layers"][0]["weight_norm"] is None
    for render in (render_text, render_markdown):  # shown as such, not a TypeError
        assert "not finite" in render(document)


def test_units_that_differ_only_by_a_signed_zero_are_identical():
    net = Network([4, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    net.layers[0].W[:] = 0.5
    net.layers[0].W[:, 0] = [-0.0, 0.5, 0.5, 0.5]
    net.layers[0].W[:, 1] = [0.0, 0.5, 0.5, 0.5]
    net.layers[1].W[:] = 0.3
    X = np.random.default_rng(0).normal(size=(6, 4))
    groups = measure(net, X, np.zeros(6, dtype=int))[0].identical_units
    assert [1, 2] in groups


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("net", np.zeros((3, 2)), np.zeros(3, dtype=int)), "^network:"),
        ((None, np.zeros((3, 3)), np.zeros(3, dtype=int)), "^X:"),
        ((None, np.zeros((0, 2)), np.zeros(0, dtype=int)), "^X: no examples"),
        ((None, np.full((3, 2), np.nan), np.zeros(3, dtype=int)), "^X: holds NaN"),
        ((None, np.zeros((3, 2)), np.zeros(2, dtype=int)), "^Y: 2 targets for 3"),
    ],
)
def test_diagnose_names_a_bad_argument(args, message):
    net = Network([2, 4, 2], activations=["tanh", "softmax"], loss="cross_entropy", seed=0)
    network = net if args[0] is None else args[0]
    with pytest.raises(ArgumentError, match=message):
        diagnose(network, *args[1:])


def test_a_norm_beyond_the_square_of_float64_is_finite():
    # ‖W‖ of 1e160 is 1e160 although 1e160² overflows; the gradient 1e170 likewise
    net = Network([1, 1, 1], activations=["identity", "identity"], loss="half_squared_error")
    net.layers[0].W[...] = 1e-150
    net.layers[1].W[...] = 1.0
    net.layers[0].b[...] = net.layers[1].b[...] = 0.0
    X, Y = np.array([[1e160]]), np.array([[0.0]])
    figures = measure(net, X, Y)
    # by hand: a = 1e10 through both layers, δ2 = a − y = 1e10, ∂L/∂W1 = x δ1 = 1e160·1e10
    assert figures[0].grad_norm == pytest.approx(1e170, rel=1e-12)
    net.layers[1].W[...] = 1e160
    assert measure(net, np.array([[1.0]]), Y)[1].weight_norm == pytest.approx(1e160, rel=1e-12)


def test_no_findings_claims_only_what_the_thresholds_say():
    # one dead relu unit of eight (12 %) is under the 20 % threshold: no finding, and
    # the sentence must not say that no unit is dead
    diagnosis = {
        "layers": [
            {
                "index": 1,
                "grad_norm": 0.1,
                "weight_norm": 1.0,
                "ratio": 0.1,
                "delta_norm": 0.1,
                "saturated_fraction": None,
                "dead_fraction": 0.125,
                "identical_units": [],
            }
        ],
        "findings": [],
    }
    text = render_text(diagnosis)
    assert "no unit is saturated, dead" not in text
    # the thresholds themselves: a pip-installed glassnet has no docs/ to point at
    assert "docs/" not in text
    assert "within 0.001 to 1000 × the last one's" in text
    assert "over 25% of its units saturated, no relu layer 50% or more dead" in text


def test_the_noise_of_a_loss_near_0_is_no_rise():
    # a converged run: the last epochs' losses vary at 1e-4 after a first epoch of 2.3
    noise = [3.2e-4, 2.1e-4, 2.9e-4, 2.4e-4, 1.7e-4, 1.9e-4, 3.8e-4, 2.2e-4, 4.6e-4, 3.6e-4]
    converged = [2.3, 0.9, 0.3, *noise]
    assert learning_rate_finding(converged) is None
    rising = [2.3, 1.0, 0.5, 0.3, 0.2, 0.1, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]
    # (its last 10 epochs: 0.2 → 0.4, a rise of 0.2 ≫ 1 % of 2.3)
    found = learning_rate_finding(rising)
    assert found is not None and "rose over the last 9 epochs (0.1 → 0.4)" in found.message


def test_a_gradient_that_overflows_is_exploding_not_vanishing():
    net = Network([1, 1, 1, 1], activations=["relu", "relu", "identity"], seed=0)
    for layer, w in zip(net.layers, (1.0, 1e200, 1e-50), strict=True):
        layer.W[:] = w
        layer.b[:] = 0.0
    found = diagnose(net, np.ones((1, 1)), np.zeros((1, 1)))
    assert np.isinf(1e200 * 1e200)  # ∂L/∂W₃ = a₂ (z₃ − y) = 1e200 · 1e150: overflows
    assert found.ids == {"exploding_gradient"}, found.ids
    assert "layer 3 is not finite" in found.findings[0].message


def test_vanishing_advice_follows_the_activations(moons):
    X, y = moons
    acts = ["relu", "relu", "softmax"]
    net = Network([2, 8, 8, 2], acts, loss="cross_entropy", init="he_normal", seed=0)
    net.layers[1].W *= 1e-4  # δ₁ = (δ₂ W₂ᵀ) ⊙ relu′: W₂ shrinks it 10⁴ times
    net.layers[1].b[:] = 1.0  # while a₂, hence ∂L/∂W₃, stays of its size
    small_relu = diagnose(net, X, y)
    (message,) = [f.message for f in small_relu.findings if f.id == "vanishing_gradient"]
    assert "sigmoid" not in message and "he_uniform" in message
    sigmoid = diagnose(deep("sigmoid", "glorot_uniform"), X, y)
    (message,) = [f.message for f in sigmoid.findings if f.id == "vanishing_gradient"]
    assert "sigmoid or tanh" in message and "he_uniform" in message


def test_targets_that_are_not_numbers_are_refused():
    net = Network([3, 4, 1], activations=["tanh", "identity"], seed=0)
    with pytest.raises(ArgumentError, match=r"^Y: holds NaN or infinity"):
        diagnose(net, np.ones((10, 3)), np.full((10, 1), np.nan))


@pytest.mark.parametrize(
    "activations, loss",
    [
        (["relu", "tanh", "softmax"], "cross_entropy"),
        (["sigmoid", "relu", "identity"], "mean_squared_error"),
    ],
)
def test_measure_of_a_large_batch_goes_in_chunks_with_the_whole_passs_figures(
    monkeypatch: pytest.MonkeyPatch, activations: list[str], loss: str
) -> None:
    # the whole pass and its δ kept every layer's z, a and δ of every row (150k rows: 1.5 GB)
    import glassnet.diagnose as diagnose_module
    from glassnet.network import PREDICT_CHUNK

    net = Network([4, 8, 6, 3], activations=activations, loss=loss, seed=2)
    rng = np.random.default_rng(0)
    m = 2 * PREDICT_CHUNK + 7
    X = rng.normal(size=(m, 4)) * 3
    Y = rng.integers(0, 3, m) if loss == "cross_entropy" else rng.normal(size=(m, 3))
    monkeypatch.setattr(diagnose_module, "PREDICT_CHUNK", 10**9)  # one chunk: the whole pass
    whole = measure(net, X, Y)
    monkeypatch.setattr(diagnose_module, "PREDICT_CHUNK", PREDICT_CHUNK)
    rows_seen = []
    forward = Network.forward
    monkeypatch.setattr(
        Network, "forward", lambda self, X, **kw: rows_seen.append(len(X)) or forward(self, X, **kw)
    )
    chunked = measure(net, X, Y)
    assert max(rows_seen) <= PREDICT_CHUNK
    for a, b in zip(chunked, whole, strict=True):
        for name in ("grad_norm", "weight_norm", "ratio", "delta_norm"):
            assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-12, abs=0)
        for name in ("saturated_fraction", "dead_fraction", "saturated_units", "dead_units"):
            assert getattr(a, name) == getattr(b, name)


def test_constant_loss_is_the_entropy_of_the_classes_and_half_the_variance():
    y = np.array([0, 0, 0, 1, 2, 2])
    classifier = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    p = np.array([3, 1, 2]) / 6
    assert constant_loss(classifier, y) == pytest.approx(-(p * np.log(p)).sum(), rel=1e-12)
    Y = np.array([[1.0, 4.0], [2.0, 0.0], [6.0, 2.0]])
    regressor = Network([2, 2], activations=["identity"], loss="half_squared_error", seed=0)
    assert constant_loss(regressor, Y) == pytest.approx(0.5 * Y.var(axis=0).sum(), rel=1e-12)


def test_a_loss_that_jumped_at_the_start_and_stayed_high_is_a_learning_rate_finding():
    # leaky_relu on digits with η = 5: the loss jumps to 6e5 in the first epoch and
    # stays in the thousands, flat, far above chance (ln 10); no other finding said so
    data = load_dataset("digits")
    X, y = data.X / 16.0, data.y
    p = np.bincount(y) / len(y)
    chance = -(p * np.log(p)).sum()  # the class frequencies' cross-entropy

    def trained(learning_rate):
        acts = ["leaky_relu", "softmax"]
        net = Network([64, 32, 10], activations=acts, loss="cross_entropy", seed=0)
        history = net.fit(
            X, y, epochs=30, batch_size=32, optimizer="sgd", learning_rate=learning_rate, seed=0
        )
        return net, history.history["loss"]

    net, losses = trained(5.0)
    assert learning_rate_finding(losses) is None  # neither rising nor oscillating
    found = diagnose(net, X, y, losses)
    assert found.ids == {"learning_rate"}
    message = found.findings[0].message
    now = net.evaluate(X, y)["loss"]
    assert f"on these examples is {now:.4g}, {now / chance:,.0f}× {chance:.4g}, that of" in message
    top = max(losses)  # 1.2e7 at epoch 3
    rose = f"rose from {losses[0]:.4g} to {top:.4g} (epoch {losses.index(top) + 1}): steps too"
    assert rose in message
    # the same network trained with a sound step: nothing to say
    net, losses = trained(0.1)
    assert diagnose(net, X, y, losses).ids == set()


def _two_classes(b, W=0.0):
    """One input, −1 for class 0 and 1 for class 1: z = x W + b, set by hand."""
    net = Network([1, 2], activations=["softmax"], loss="cross_entropy", seed=0)
    net.layers[0].W[...] = [[-W, W]]
    net.layers[0].b[...] = [0.0, b]
    return net, np.array([[-1.0], [1.0], [-1.0], [1.0]]), np.array([0, 1, 0, 1])


def test_the_constant_rule_wants_the_network_and_its_training_far_above_a_constant():
    chance = np.log(2)
    net, X, y = _two_classes(b=3.0)  # 1.55 on these examples: 2.2 × ln 2
    assert "is 1.549, 2.2× 0.6931, that of" in constant_finding(net, X, y, [2.0, 2.0]).message
    assert net.evaluate(X, y)["loss"] == pytest.approx(1.5486, abs=1e-4)
    rose = constant_finding(net, X, y, [1.2, 1.6, 2.0])  # (too short for the rising rule)
    assert "rose from 1.2 to 2 (epoch 3): steps too large; lower" in rose.message
    assert "always predicting the class frequencies" in rose.message
    still = constant_finding(net, X, y, [1.6, 1.58])
    assert "barely moved (1.6 → 1.58): the steps are too small; raise" in still.message
    fell = constant_finding(net, X, y, [20 * chance, 2.0, 2.0])  # a first epoch thrown off
    assert "went 13.86 → 2 in 3 epochs, the first far above the rest" in fell.message
    assert fell.message.endswith("lower the learning rate")
    slowly = constant_finding(net, X, y, [2.4, 2.2, 2.0])  # fell by 17 %, still far above
    assert "went 2.4 → 2 in 3 epochs: too slowly; raise the learning rate" in slowly.message
    once = constant_finding(net, X, y, [2.0])  # one epoch: neither rose nor barely moved
    assert "went 2 → 2 in 1 epoch: lower the learning rate if" in once.message
    # an unscaled regression that barely moved: not "steps too large", however high
    regressor = Network([1, 1], activations=["identity"], loss="half_squared_error", seed=0)
    regressor.layers[0].W[...] = 0.0
    Y = np.array([[99.0], [101.0], [99.0], [101.0]])  # a constant's loss: 0.5
    slow = constant_finding(regressor, X, Y, [4835.45, 4835.32])
    assert "barely moved (4835 → 4835): the steps are too small" in slow.message
    assert "always predicting the targets' mean" in slow.message
    # trained well on its own data, worse here: data unlike it, or overfitting, not this
    assert constant_finding(net, X, y, [1.0, 0.2]) is None
    # near a constant with a training loss that barely moved: stuck there (it said
    # nothing of a network stuck at ln 2, the commonest "does not learn")
    net, X, y = _two_classes(b=1.0)  # 0.81: 1.2 × ln 2
    stuck = constant_finding(net, X, y, [0.70, 0.695]).message
    assert "is 0.8133, no better than 0.6931, that of always predicting" in stuck
    assert "barely moved (0.7 → 0.695)" in stuck
    assert stuck.endswith(
        "without a hidden layer it separates the classes by a line (a plane); add one"
    )
    at_chance = _two_classes(b=0.0)  # exactly ln 2: the priors, nothing of x
    assert constant_finding(*at_chance, [0.6932, 0.6931]) is not None
    # …but one that fell on the way there, or ended below it, is the other findings'
    assert constant_finding(net, X, y, [2.0, 0.8]) is None
    assert constant_finding(_two_classes(b=0.0, W=0.2)[0], X, y, [0.70, 0.695]) is None
    # fallen to the constant in the first epochs and flat since: stuck, said as it went
    settled = constant_finding(net, X, y, [0.85, 0.76] + [0.7] * 10).message
    assert "no better than" in settled and "went 0.85 → 0.7 in 12 epochs" in settled
    assert constant_finding(net, X, y, [0.85, 0.76] + [0.7] * 10, stuck=False) is None
    # beside a finding that explains it (every relu unit dead), diagnose does not ask
    dead = Network([1, 4, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    dead.layers[0].b[...] = -20.0
    found = diagnose(dead, X, y, losses=[0.70, 0.695])
    assert found.ids == {"dead_units"}
    # the network's loss as it is, not the history's last (dropout, L2 penalty)
    net, X, y = _two_classes(b=0.0, W=2.0)  # 0.020
    assert constant_finding(net, X, y, [2.0, 2.0]) is None


def test_the_constant_rule_is_quiet_where_a_constant_fits_every_target():
    net, X, _ = _two_classes(b=3.0)
    assert constant_finding(net, X, np.array([1, 1, 1, 1]), [5.0, 5.0]) is None
    # regression targets all 0.1: the constant's loss rounds to 1e-34, not 0
    regressor = Network([1, 1], activations=["identity"], loss="half_squared_error", seed=0)
    Y = np.full((3, 1), 0.1)
    assert 0 < constant_loss(regressor, Y) < 1e-30
    assert constant_finding(regressor, X[:3], Y, [5.0, 5.0]) is None
    nearly = np.array([[0.1], [0.1 + 1e-16], [0.1]])  # not the same, to rounding alone
    assert constant_finding(regressor, X[:3], nearly, [5.0, 5.0]) is None
    assert constant_finding(net, X, np.array([0, 1, 0, 1]), []) is None
    assert constant_finding(net, X, np.array([0, 1, 0, 1]), [float("nan"), 5.0]) is None


@pytest.mark.parametrize("act", ["relu", "identity"])  # (tanh saturates: its finding)
def test_weights_too_large_at_every_layer_explode_though_first_and_last_agree(moons, act):
    # a_l grows as δ_l shrinks: ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ stays near 1 at any scale of W, and
    # gradients of 1e16 (identity) got no finding at all
    X, y = moons
    net = Network(
        [2] + [32] * 8 + [2], activations=[act] * 8 + ["softmax"], loss="cross_entropy", seed=0
    )
    for layer in net.layers:
        layer.W *= 10
    with np.errstate(all="ignore"):
        found = diagnose(net, X, y)
    assert VANISHING < found.gradient_ratio < EXPLODING
    steep = [f for f in found.findings if f.id == "exploding_gradient"]
    assert steep, found.findings
    if "‖∂L/∂W‖ / ‖W‖" in steep[0].message:
        layer = found.layers[steep[0].layer - 1]
        assert layer.ratio > 100 and "above 100" in steep[0].message
    # a near-0 output layer (tiny weights, a gradient of 0.1): the ratio is large, the
    # gradient is not, and such a network learns: no finding of too large weights
    small = Network([2, 16, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    small.layers[1].W *= 1e-4
    found = diagnose(small, X, y)
    assert found.layers[1].ratio > 100 and "exploding_gradient" not in found.ids
    # at the initialiser's own scale: none
    assert (
        "exploding_gradient"
        not in diagnose(
            Network(
                [2] + [32] * 8 + [2],
                activations=[act] * 8 + ["softmax"],
                loss="cross_entropy",
                seed=0,
            ),
            X,
            y,
        ).ids
    )


def test_weights_that_are_not_numbers_are_said_so_not_too_large():
    net = Network([2, 3, 1], activations=["tanh", "identity"], seed=0)
    net.layers[0].W[0, 0] = np.nan
    with np.errstate(all="ignore"):
        found = diagnose(net, np.ones((4, 2)), np.zeros((4, 1)))
    message = next(f.message for f in found.findings if f.id == "exploding_gradient")
    assert message.startswith("the weights of layer 1 hold NaN or infinity")
    assert "far too large" not in message


def test_a_quarter_of_a_layer_dead_is_no_finding_half_is(moons):
    X, y = moons
    X = X - X.min(axis=0)  # inputs of one sign, as min-max scaling leaves them
    net = Network([2, 8, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    W = net.layers[0].W
    W[:] = np.abs(W)
    net.layers[0].b[:] = 0.0
    W[:, :2] = -np.abs(W[:, :2])  # 2 of 8 units dead on every example: 25 %
    found = diagnose(net, X, y)
    assert found.layers[0].dead_fraction == 0.25 and "dead_units" not in found.ids
    W[:, 2:4] = -np.abs(W[:, 2:4])  # 4 of 8: half
    message = next(f.message for f in diagnose(net, X, y).findings if f.id == "dead_units")
    assert "units 1, 2, 3, 4" in message and "--scale standard" in message


def test_a_loss_that_swings_without_ending_high_is_oscillation():
    swinging = [1, 3, 0.8, 3.5, 0.7, 4, 0.9, 3.8, 1.0, 0.9]
    found = learning_rate_finding(swinging)
    assert found is not None and "went up and down" in found.message
    assert "between 0.7 and 4" in found.message and found.message.endswith(
        "lower the learning rate"
    )
    # mini-batch noise on a falling loss turns as often, by little: none
    noisy = [1.0, 0.96, 0.97, 0.93, 0.94, 0.9, 0.91, 0.87, 0.88, 0.85]
    assert learning_rate_finding(noisy) is None


def test_the_diagnostics_callback_checks_its_batch_before_training(moons):
    from glassnet import Callback

    class Begun(Callback):
        def __init__(self):
            self.epochs = []

        def on_epoch_begin(self, state, epoch):
            self.epochs.append(epoch)

    X, y = moons
    net = Network([2, 4, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    begun = Begun()
    with pytest.raises(ArgumentError, match=r"X: expected shape \(m, 2\)"):
        net.fit(X, y, epochs=2, callbacks=[DiagnosticsCallback(X[:, :1], y), begun], verbose=False)
    assert begun.epochs == []  # (it trained an epoch first)
