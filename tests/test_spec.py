"""The spec-file contract: what a spec gives the engine, and how each mistake is reported."""

from __future__ import annotations

import copy
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import glassnet
import glassnet.spec as spec_module
from glassnet import GlassnetError, SpecError, load_spec, loads_spec, parse_spec

from conftest import assert_same_parameters

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAME = "x.toml"


# --- writing specs --------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """A Python value as a TOML value (floats by repr, so nan and inf are TOML's literals)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def spec_text(top: dict[str, Any], layers: list[dict[str, Any]]) -> str:
    """A spec as TOML text: top-level keys, then one [[layer]] table per layer."""
    lines = [f"{key} = {toml_value(value)}" for key, value in top.items()]
    for layer in layers:
        lines += ["", "[[layer]]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in layer.items()]
    return "\n".join(lines) + "\n"


BASE_TOP: dict[str, Any] = {
    "input": [1.0, 2.0],
    "target": [1.0],
    "loss": "half_squared_error",
    "learning_rate": 0.5,
}
BASE_LAYERS: list[dict[str, Any]] = [
    {
        "activation": "sigmoid",
        "weights": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
        "bias": [0.0, 0.1, 0.2],
    },
    {"activation": "identity", "weights": [[1.0], [-1.0], [0.5]], "bias": [0.25]},
]


def variant(change: Callable[[dict[str, Any], list[dict[str, Any]]], Any]) -> str:
    """The base spec (2 → 3 sigmoid → 1 identity) with ``change(top, layers)`` applied."""
    top, layers = copy.deepcopy(BASE_TOP), copy.deepcopy(BASE_LAYERS)
    change(top, layers)
    return spec_text(top, layers)


def units_spec(
    *layers: dict[str, Any], seed: int | None = None, width: int = 3, outputs: int | None = None
) -> str:
    """A spec whose layers are given by ``units`` (and ``init``).

    The target has ``outputs`` values, by default as many as the last layer's units.
    """
    top: dict[str, Any] = {"input": [0.5] * width, "loss": "half_squared_error"}
    if seed is not None:
        top["seed"] = seed
    top["target"] = [0.0] * (layers[-1]["units"] if outputs is None else outputs)
    return spec_text(top, list(layers))


def test_base_spec_is_valid() -> None:
    spec = loads_spec(variant(lambda t, ls: None), NAME)
    assert [layer.W.shape for layer in spec.network.layers] == [(2, 3), (3, 1)]
    assert spec.learning_rate == 0.5


# --- the examples ---------------------------------------------------------------------


def _file_data(name: str) -> dict[str, Any]:
    return tomllib.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def test_seed000() -> None:
    spec = load_spec(EXAMPLES / "seed000.toml")
    assert spec.path == str(EXAMPLES / "seed000.toml")
    assert spec.X.shape == (1, 3)
    assert spec.Y.shape == (1, 2)
    np.testing.assert_array_equal(spec.X, [[1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(spec.Y, [[1.0, 0.0]])
    assert spec.X.dtype == np.float64
    [layer] = spec.network.layers
    assert layer.W.shape == (3, 2)
    np.testing.assert_array_equal(layer.W, [[1.0, 0.0], [1.0, 1.0], [1.0, 0.0]])
    assert layer.b.shape == (2,)
    np.testing.assert_array_equal(layer.b, [0.0, 0.0])  # no bias in the file
    assert layer.activation.name == "sigmoid"
    assert spec.network.loss.name == "half_squared_error"
    assert spec.learning_rate == 0.1
    assert spec.weights_layout == "in_out"
    assert spec.seed == 0


def test_seed001() -> None:
    spec = load_spec(EXAMPLES / "seed001.toml")
    data = _file_data("seed001.toml")
    assert spec.X.shape == (1, 3)
    assert spec.Y.shape == (1, 3)
    assert [layer.activation.name for layer in spec.network.layers] == [
        "relu",
        "sigmoid",
        "softmax",
    ]
    for layer, table in zip(spec.network.layers, data["layer"], strict=True):
        assert layer.W.shape == (3, 3)
        np.testing.assert_array_equal(layer.W, table["weights"])  # in_out: as written
        assert layer.b.shape == (3,)
        np.testing.assert_array_equal(layer.b, [1.0, 1.0, 1.0])
    assert spec.network.loss.name == "binary_cross_entropy"
    assert spec.learning_rate == 0.01
    assert spec.weights_layout == "in_out"
    assert spec.seed == 0


def test_seed003() -> None:
    data = _file_data("seed003.toml")
    assert "learning_rate" not in data and "seed" not in data
    spec = load_spec(EXAMPLES / "seed003.toml")
    assert spec.X.shape == (1, 4)
    assert spec.Y.shape == (1, 2)
    assert spec.weights_layout == "out_in"
    assert spec.learning_rate == 0.1  # the default
    assert spec.seed == 0  # the default
    assert spec.network.loss.name == "squared_error"
    W1, W2 = (layer.W for layer in spec.network.layers)
    assert W1.shape == (4, 4)
    assert W2.shape == (4, 2)  # the file writes 2 rows of 4: out_in
    for layer, table in zip(spec.network.layers, data["layer"], strict=True):
        np.testing.assert_array_equal(layer.W, np.array(table["weights"]).T)
        np.testing.assert_array_equal(layer.b, table["bias"])
    # The worksheet's a1 = W1 x: z1 = [2.9 3.4 2.1 2.3].
    np.testing.assert_allclose(spec.X @ W1, [[2.9, 3.4, 2.1, 2.3]], rtol=1e-12)


def test_defaults() -> None:
    assert spec_module.DEFAULT_LEARNING_RATE == 0.1
    assert spec_module.DEFAULT_SEED == 0
    text = variant(lambda t, ls: t.pop("learning_rate"))
    spec = loads_spec(text, NAME)
    assert spec.learning_rate == 0.1
    assert spec.seed == 0
    assert spec.weights_layout == "in_out"


def test_integers_are_numbers() -> None:
    spec = loads_spec(
        variant(lambda t, ls: (t.update(input=[1, 2], learning_rate=1), ls[1].update(bias=[0]))),
        NAME,
    )
    assert spec.X.dtype == np.float64
    np.testing.assert_array_equal(spec.X, [[1.0, 2.0]])
    assert spec.learning_rate == 1.0
    assert isinstance(spec.learning_rate, float)


def test_zero_learning_rate_is_allowed() -> None:
    spec = loads_spec(variant(lambda t, ls: t.update(learning_rate=0.0)), NAME)
    assert spec.learning_rate == 0.0


def test_parse_spec_from_dict() -> None:
    data = tomllib.loads(variant(lambda t, ls: None))
    spec = parse_spec(data)
    assert spec.path == "<spec>"
    assert [layer.n_out for layer in spec.network.layers] == [3, 1]


def test_spec_path_names_the_given_name() -> None:
    assert loads_spec(variant(lambda t, ls: None), "mine.toml").path == "mine.toml"
    assert loads_spec(variant(lambda t, ls: None)).path == "<spec>"


def test_load_spec_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    text = variant(lambda t, ls: None)
    path.write_text(text, encoding="utf-8")
    from_file = load_spec(path)
    from_text = loads_spec(text, str(path))
    assert from_file.path == str(path)
    assert from_file.explain().to_dict() == from_text.explain().to_dict()


# --- weights_layout -------------------------------------------------------------------


def _as_in_out(text: str) -> str:
    """The same spec as ``text`` (written out_in) written in_out."""
    data = tomllib.loads(text)
    assert data.pop("weights_layout") == "out_in"
    layers = data.pop("layer")
    for table in layers:
        table["weights"] = np.array(table["weights"], dtype=float).T.tolist()
    data["weights_layout"] = "in_out"
    return spec_text(data, layers)


def _assert_traces_close(first: dict[str, Any], second: dict[str, Any]) -> None:
    assert first.keys() == second.keys()
    for key in first:
        if key == "layers":
            assert len(first[key]) == len(second[key])
            for one, two in zip(first[key], second[key], strict=True):
                _assert_traces_close(one, two)
        elif isinstance(first[key], str):
            assert first[key] == second[key]
        else:
            np.testing.assert_allclose(first[key], second[key], rtol=1e-12, atol=1e-15)


def _seed003_both_ways() -> tuple[glassnet.Spec, glassnet.Spec]:
    text = (EXAMPLES / "seed003.toml").read_text(encoding="utf-8")
    return loads_spec(text, NAME), loads_spec(_as_in_out(text), NAME)


def _random_both_ways(m: int = 3) -> tuple[glassnet.Spec, glassnet.Spec, list[dict[str, Any]]]:
    """A random 5-7-6-4 network written out_in, and the same written in_out; a batch of m."""
    rng = np.random.default_rng(7)
    sizes = [5, 7, 6, 4]
    layers = [
        {
            "activation": act,
            # out_in: one row per unit, one column per input
            "weights": rng.normal(size=(n_out, n_in)).tolist(),
            "bias": rng.normal(size=n_out).tolist(),
        }
        for n_in, n_out, act in zip(sizes[:-1], sizes[1:], ["tanh", "elu", "softmax"], strict=True)
    ]
    top = {
        "input": rng.normal(size=(m, 5)).tolist(),
        "target": np.eye(4)[[0, 2, 3][:m]].tolist(),
        "loss": "cross_entropy",
        "learning_rate": 0.3,
        "weights_layout": "out_in",
    }
    text = spec_text(top, layers)
    return loads_spec(text, NAME), loads_spec(_as_in_out(text), NAME), layers


def test_out_in_seed003_weights_are_the_transpose() -> None:
    out_in, in_out = _seed003_both_ways()
    assert out_in.weights_layout == "out_in"
    assert in_out.weights_layout == "in_out"
    assert_same_parameters(out_in.network, in_out.network)
    _assert_traces_close(out_in.explain().to_dict(), in_out.explain().to_dict())


def test_out_in_random_network_weights_are_the_transpose() -> None:
    out_in, in_out, layers = _random_both_ways()
    for layer, table in zip(out_in.network.layers, layers, strict=True):
        np.testing.assert_array_equal(layer.W, np.array(table["weights"]).T)
    assert [layer.W.shape for layer in out_in.network.layers] == [(5, 7), (7, 6), (6, 4)]
    for a, b in zip(out_in.network.layers, in_out.network.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)
    _assert_traces_close(out_in.explain().to_dict(), in_out.explain().to_dict())


def test_out_in_seed003_gives_exactly_the_same_trace() -> None:
    # Regression: out_in weights were held as the view W.T (Fortran-ordered); numpy's
    # matmul then summed in another order and the trace differed in the last bits.
    out_in, in_out = _seed003_both_ways()
    assert out_in.explain().to_dict() == in_out.explain().to_dict()


def test_out_in_random_batch_gives_exactly_the_same_trace() -> None:
    out_in, in_out, _ = _random_both_ways(m=3)
    assert out_in.explain().to_dict() == in_out.explain().to_dict()


def test_out_in_random_single_example_gives_exactly_the_same_trace() -> None:
    out_in, in_out, _ = _random_both_ways(m=1)
    assert out_in.explain().to_dict() == in_out.explain().to_dict()


def test_out_in_weights_are_c_contiguous() -> None:
    for spec in (_seed003_both_ways()[0], _random_both_ways(m=1)[0]):
        for layer in spec.network.layers:
            assert layer.W.flags["C_CONTIGUOUS"]


def test_out_in_contiguous_copy_gives_exactly_the_same_trace() -> None:
    for out_in, in_out in (_seed003_both_ways(), _random_both_ways(m=1)[:2]):
        for layer in out_in.network.layers:
            layer.W = np.ascontiguousarray(layer.W)
        assert out_in.explain().to_dict() == in_out.explain().to_dict()


def test_out_in_checks_the_columns() -> None:
    # out_in: layer 1 must have one column per input (2); here it has 3.
    text = variant(
        lambda t, ls: (t.update(weights_layout="out_in"), ls[0].update(weights=[[1.0, 2.0, 3.0]]))
    )
    with pytest.raises(SpecError, match="layer 1: weights") as info:
        loads_spec(text, NAME)
    assert "columns" in str(info.value)


def test_explicit_in_out_layout() -> None:
    spec = loads_spec(variant(lambda t, ls: t.update(weights_layout="in_out")), NAME)
    assert spec.weights_layout == "in_out"
    np.testing.assert_array_equal(spec.network.layers[0].W, BASE_LAYERS[0]["weights"])


# --- batches --------------------------------------------------------------------------


def test_single_example_is_one_row() -> None:
    spec = loads_spec(variant(lambda t, ls: None), NAME)
    assert spec.X.shape == (1, 2)
    assert spec.Y.shape == (1, 1)
    trace = spec.explain().to_dict()
    assert len(trace["input"]) == 1
    assert len(trace["layers"][0]["z"]) == 1


def test_batch_gives_m_rows() -> None:
    rows = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    text = variant(lambda t, ls: t.update(input=rows, target=[[1.0], [0.0], [0.5]]))
    spec = loads_spec(text, NAME)
    assert spec.X.shape == (3, 2)
    assert spec.Y.shape == (3, 1)
    np.testing.assert_array_equal(spec.X, rows)
    trace = spec.explain().to_dict()
    assert len(trace["input"]) == 3
    assert all(len(layer["a"]) == 3 for layer in trace["layers"])


def test_batch_of_one_is_one_row() -> None:
    text = variant(lambda t, ls: t.update(input=[[1.0, 2.0]], target=[[1.0]]))
    spec = loads_spec(text, NAME)
    assert spec.X.shape == (1, 2)
    assert spec.Y.shape == (1, 1)
    single = loads_spec(variant(lambda t, ls: None), NAME)
    assert spec.explain().to_dict() == single.explain().to_dict()


def test_single_input_with_batch_target_of_one() -> None:
    text = variant(lambda t, ls: t.update(target=[[1.0]]))
    assert loads_spec(text, NAME).Y.shape == (1, 1)


# --- units and init -------------------------------------------------------------------


def _weights(text: str) -> list[np.ndarray]:
    return [layer.W for layer in loads_spec(text, NAME).network.layers]


@pytest.mark.parametrize("init", [None, "glorot_uniform", "he_normal", "zeros", "constant:0.5"])
def test_units_shapes(init: str | None) -> None:
    extra = {} if init is None else {"init": init}
    text = units_spec(
        {"activation": "tanh", "units": 4, **extra},
        {"activation": "sigmoid", "units": 2, **extra},
        width=3,
    )
    spec = loads_spec(text, NAME)
    assert [layer.W.shape for layer in spec.network.layers] == [(3, 4), (4, 2)]
    assert [layer.b.shape for layer in spec.network.layers] == [(4,), (2,)]
    for layer in spec.network.layers:
        assert layer.W.dtype == np.float64
        np.testing.assert_array_equal(layer.b, 0.0)  # no bias given: zeros
        assert np.all(np.isfinite(layer.W))


def test_default_init_is_glorot_uniform() -> None:
    default = _weights(units_spec({"activation": "tanh", "units": 50}, width=40, seed=3))
    glorot = _weights(
        units_spec({"activation": "tanh", "units": 50, "init": "glorot_uniform"}, width=40, seed=3)
    )
    np.testing.assert_array_equal(default[0], glorot[0])
    bound = np.sqrt(6.0 / (40 + 50))
    assert np.all(np.abs(default[0]) <= bound)
    assert np.abs(default[0]).max() > 0.9 * bound  # 2000 draws fill the range
    assert len(np.unique(default[0])) == default[0].size


def test_he_normal_spread() -> None:
    [W] = _weights(units_spec({"activation": "relu", "units": 200, "init": "he_normal"}, width=50))
    assert W.shape == (50, 200)
    assert abs(W.std() - np.sqrt(2.0 / 50)) < 0.1 * np.sqrt(2.0 / 50)
    assert abs(W.mean()) < 0.02


def test_zeros_are_zeros() -> None:
    [W] = _weights(units_spec({"activation": "tanh", "units": 5, "init": "zeros"}))
    assert W.shape == (3, 5)
    assert np.all(W == 0.0)


@pytest.mark.parametrize(("init", "value"), [("constant:0.5", 0.5), ("constant:-2", -2.0)])
def test_constant_is_constant(init: str, value: float) -> None:
    [W] = _weights(units_spec({"activation": "tanh", "units": 5, "init": init}))
    assert W.shape == (3, 5)
    np.testing.assert_array_equal(W, np.full((3, 5), value))


@pytest.mark.parametrize("init", ["glorot_uniform", "he_normal", "lecun_uniform"])
def test_same_seed_same_weights(init: str) -> None:
    layers = ({"activation": "tanh", "units": 6, "init": init}, {"activation": "relu", "units": 2})
    first = _weights(units_spec(*layers, seed=42))
    second = _weights(units_spec(*layers, seed=42))
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("init", ["glorot_uniform", "he_normal", "lecun_uniform"])
def test_different_seed_different_weights(init: str) -> None:
    layer = {"activation": "tanh", "units": 6, "init": init}
    first = _weights(units_spec(layer, seed=1))
    second = _weights(units_spec(layer, seed=2))
    assert not np.array_equal(first[0], second[0])


def test_seed_is_recorded_and_default_seed_is_zero() -> None:
    layer = {"activation": "tanh", "units": 4}
    assert loads_spec(units_spec(layer, seed=9), NAME).seed == 9
    default = _weights(units_spec(layer))
    zero = _weights(units_spec(layer, seed=0))
    np.testing.assert_array_equal(default[0], zero[0])


def test_units_chain_from_layer_to_layer() -> None:
    text = units_spec(
        {"activation": "relu", "units": 7},
        {"activation": "tanh", "units": 3},
        {"activation": "softmax", "units": 2},
        width=5,
    )
    assert [W.shape for W in _weights(text)] == [(5, 7), (7, 3), (3, 2)]


def test_units_with_given_bias_and_mixed_layers() -> None:
    text = variant(
        lambda t, ls: (
            ls[0].pop("weights"),
            ls[0].update(units=3, init="constant:0.25", bias=[1.0, 2.0, 3.0]),
        )
    )
    spec = loads_spec(text, NAME)
    first, second = spec.network.layers
    np.testing.assert_array_equal(first.W, np.full((2, 3), 0.25))
    np.testing.assert_array_equal(first.b, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(second.W, BASE_LAYERS[1]["weights"])


def test_units_matching_weights_is_accepted() -> None:
    spec = loads_spec(variant(lambda t, ls: ls[0].update(units=3)), NAME)
    assert spec.network.layers[0].W.shape == (2, 3)


def test_max_units_is_accepted() -> None:
    text = units_spec(
        {"activation": "relu", "units": spec_module.MAX_UNITS, "init": "zeros"},
        {"activation": "identity", "units": 1, "init": "zeros"},
        width=1,
    )
    assert [W.shape for W in _weights(text)] == [(1, spec_module.MAX_UNITS), (100_000, 1)]


@pytest.mark.parametrize("units", [10**9, 10**18, spec_module.MAX_UNITS + 1])
def test_absurd_units_refused_quickly_without_allocating(
    units: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def spy(name: str, **kwargs: Any) -> Any:
        calls.append(name)
        raise AssertionError("an initialiser was looked up for an absurd layer")

    monkeypatch.setattr(spec_module, "get_initializer", spy)
    text = units_spec({"activation": "tanh", "units": units}, outputs=1)
    start = time.perf_counter()
    with pytest.raises(SpecError, match="layer 1: units"):
        loads_spec(text, NAME)
    assert time.perf_counter() - start < 1.0
    assert calls == []


def test_too_many_parameters_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # 3·10 + 10 + 10·10 + 10 = 150 parameters: over a limit of 100, at layer 2.
    monkeypatch.setattr(spec_module, "MAX_PARAMETERS", 100)
    text = units_spec(
        {"activation": "tanh", "units": 10, "init": "zeros"},
        {"activation": "tanh", "units": 10, "init": "zeros"},
    )
    with pytest.raises(SpecError, match="layer 2") as info:
        loads_spec(text, NAME)
    assert "parameters" in str(info.value)
    assert str(info.value).startswith(f"{NAME}: ")


def test_too_many_parameters_refused_before_allocating(monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: the limit was checked only after the layer's weights had been drawn.
    real = spec_module.get_initializer

    def guarded(name: str, **kwargs: Any) -> Any:
        init = real(name, **kwargs)

        def draw(n_in: int, n_out: int, rng: Any, dtype: Any) -> np.ndarray:
            assert n_in * n_out <= spec_module.MAX_PARAMETERS, f"allocating {n_in}×{n_out}"
            return init(n_in, n_out, rng, dtype)

        return draw

    monkeypatch.setattr(spec_module, "get_initializer", guarded)
    # 1000 inputs × 100,000 units = 10^8 weights, over MAX_PARAMETERS (5·10^7).
    text = units_spec(
        {"activation": "tanh", "units": spec_module.MAX_UNITS, "init": "zeros"},
        {"activation": "identity", "units": 1},
        width=1000,
    )
    with pytest.raises(SpecError, match="layer 1"):
        loads_spec(text, NAME)


# --- mistakes -------------------------------------------------------------------------

HEAD = 'input = [1.0, 2.0]\ntarget = [1.0]\nloss = "half_squared_error"\n'
SIGMOID_2x3 = 'activation = "sigmoid"\nweights = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]\n'
UNITS_HEAD = units_spec({"activation": "tanh", "units": 2})

# (id, spec text, fragments that the message must contain besides the file name)
MISTAKES: list[tuple[str, str, list[str]]] = [
    # TOML itself
    ("toml-syntax", "input = [1.0, 2.0\n", ["TOML syntax"]),
    ("toml-missing-value", HEAD + "learning_rate =\n", ["TOML syntax"]),
    ("toml-duplicate-key", HEAD + "loss = 'cross_entropy'\n", ["TOML syntax"]),
    # tomllib's plain ValueError: Python converts no integer of more than 4300 digits
    ("toml-huge-integer", HEAD + "seed = 1" + "0" * 5000 + "\n", ["seed (line 4)", "4300 digits"]),
    # tomllib recurses per level: a RecursionError, not a traceback
    ("toml-nested", "x = " + "{a=" * 1200 + "1" + "}" * 1200 + "\n", ["TOML syntax", "nested"]),
    ("toml-nested-lists", "x = " + "[" * 1200 + "]" * 1200 + "\n", ["TOML syntax", "nested"]),
    # a top-level key written after [[layer]] is that layer's in TOML
    (
        "late-target",
        'input = [1.0, 2.0]\nloss = "half_squared_error"\n[[layer]]\n'
        + SIGMOID_2x3
        + "target = [1.0]\n",
        ["layer 1: target: a key of the whole spec: write it above the first [[layer]]"],
    ),
    (
        "input-1e400",
        HEAD.replace("1.0, 2.0", "1e400, 2.0") + "[[layer]]\n" + SIGMOID_2x3,
        ["input[1]: expected a finite number, found inf (or a number beyond ±1.8e308"],
    ),
    (
        "class-index-target",
        'input = [1.0, 2.0]\ntarget = [2]\nloss = "cross_entropy"\n'
        '[[layer]]\nactivation = "softmax"\nunits = 3\n',
        [
            "target: has 1 values per example",
            "3 units (one-hot rows of 3: [0, 0, 1] for class index 2, the last class)",
        ],
    ),
    (
        "target-not-in-rows",
        'input = [[1.0, 2.0], [3.0, 4.0]]\ntarget = [1.0, 0.0]\nloss = "half_squared_error"\n'
        '[[layer]]\nactivation = "sigmoid"\nunits = 1\n',
        ["target: has 1 example(s) but input has 2 (one row per example, such as"],
    ),
    (
        "class-indices-of-a-batch",
        'input = [[1.0, 2.0], [3.0, 4.0]]\ntarget = [0, 1]\nloss = "cross_entropy"\n'
        '[[layer]]\nactivation = "softmax"\nunits = 2\n',
        ["has 1 example(s) but input has 2 (one one-hot row per example, such as [[1, 0]"],
    ),
    (
        "layer-in-layer",
        HEAD + "[[layer]]\n" + SIGMOID_2x3 + "[[layer.layer]]\nx = 1\n",
        ["layer 1: layer: unknown key"],
    ),
    (
        "softmax-of-one-unit",
        'input = [1.0, 2.0]\ntarget = [1.0]\nloss = "cross_entropy"\n'
        '[[layer]]\nactivation = "softmax"\nunits = 1\n',
        ["layer 1: activation: softmax over 1 unit is always 1"],
    ),
    (
        "constant-underscore",
        HEAD + "[[layer]]\nactivation = 'sigmoid'\nunits = 1\ninit = 'constant:1_0'\n",
        ["layer 1: init: constant:VALUE needs a finite number"],
    ),
    (
        "constant-wide-digits",
        HEAD + "[[layer]]\nactivation = 'sigmoid'\nunits = 1\ninit = 'constant:０.５'\n",
        ["layer 1: init: constant:VALUE needs a finite number"],
    ),
    ("long-key", HEAD + "k" * 5000 + " = 1\n", ["'kkkk", "...': unknown key"]),
    # unknown keys and names, with did-you-mean
    (
        "unknown-top-key",
        variant(lambda t, ls: t.update(learnig_rate=0.1)),
        ["learnig_rate", "unknown key", "did you mean 'learning_rate'"],
    ),
    (
        "unknown-top-key-no-suggestion",
        variant(lambda t, ls: t.update(zzzz=1)),
        ["zzzz", "unknown key", "known: input"],
    ),
    (
        "unknown-layer-key",
        variant(lambda t, ls: ls[0].update(activaton="sigmoid")),
        ["layer 1: activaton", "did you mean 'activation'"],
    ),
    (
        "unknown-layer-key-layer-2",
        variant(lambda t, ls: ls[1].update(weigths=[[1.0]])),
        ["layer 2: weigths", "did you mean 'weights'"],
    ),
    (
        "unknown-activation",
        variant(lambda t, ls: ls[0].update(activation="sigmod")),
        ["layer 1: activation", "sigmod", "did you mean 'sigmoid'"],
    ),
    (
        "unknown-activation-layer-2",
        variant(lambda t, ls: ls[1].update(activation="rleu")),
        ["layer 2: activation", "rleu", "did you mean 'relu'"],
    ),
    (
        "activation-not-a-string",
        variant(lambda t, ls: ls[0].update(activation=3)),
        ["layer 1: activation", "number"],
    ),
    (
        "unknown-loss",
        variant(lambda t, ls: t.update(loss="cross_entropi")),
        ["loss", "cross_entropi", "did you mean 'cross_entropy'"],
    ),
    ("loss-not-a-string", variant(lambda t, ls: t.update(loss=[1.0])), ["loss", "a list"]),
    # weights
    (
        "weights-wrong-rows-layer-2",
        variant(lambda t, ls: ls[1].update(weights=[[1.0], [2.0]])),
        ["layer 2: weights", "expected 3 rows", "found 2"],
    ),
    (
        "weights-wrong-rows-layer-1",
        variant(lambda t, ls: ls[0].update(weights=[[0.1, 0.2, 0.3]])),
        ["layer 1: weights", "expected 2 rows", "found 1"],
    ),
    (
        "weights-ragged",
        variant(lambda t, ls: ls[0].update(weights=[[0.1, 0.2, 0.3], [0.4, 0.5]])),
        ["layer 1: weights", "ragged", "3, 2"],
    ),
    (
        "weights-string",
        variant(lambda t, ls: ls[0].update(weights=[[0.1, "0.2", 0.3], [0.4, 0.5, 0.6]])),
        ["layer 1: weights row 1[2]", "expected a number", "string"],
    ),
    (
        "weights-boolean",
        variant(lambda t, ls: ls[1].update(weights=[[1.0], [True], [0.5]])),
        ["layer 2: weights row 2[1]", "expected a number", "boolean (true)"],
    ),
    (
        "weights-a-vector",
        variant(lambda t, ls: ls[0].update(weights=[0.1, 0.2])),
        ["layer 1: weights", "matrix"],
    ),
    (
        "weights-a-number",
        variant(lambda t, ls: ls[0].update(weights=1.0)),
        ["layer 1: weights", "matrix", "number"],
    ),
    (
        "weights-nested-too-deep",
        variant(lambda t, ls: ls[0].update(weights=[[[0.1], [0.2], [0.3]], [[0.4], [0.5], [0.6]]])),
        ["layer 1: weights row 1[1]", "expected a number", "a list"],
    ),
    (
        "weights-units-disagree",
        variant(lambda t, ls: ls[0].update(units=4)),
        ["layer 1: weights", "units = 4"],
    ),
    (
        "input-wider-than-weights",
        variant(lambda t, ls: t.update(input=[1.0, 2.0, 3.0])),
        ["layer 1: weights", "expected 3 rows", "input"],
    ),
    (
        "input-narrower-than-weights",
        variant(lambda t, ls: t.update(input=[1.0])),
        ["layer 1: weights", "expected 1 rows", "input"],
    ),
    # target
    (
        "target-width",
        variant(lambda t, ls: t.update(target=[1.0, 0.0])),
        ["target", "2 values", "layer 2", "1 units"],
    ),
    (
        "target-batch-size",
        variant(lambda t, ls: t.update(input=[[1.0, 2.0], [3.0, 4.0]], target=[[1.0]])),
        ["target", "1 example", "input has 2"],
    ),
    (
        "target-batch-size-single-input",
        variant(lambda t, ls: t.update(target=[[1.0], [0.0]])),
        ["target", "2 example", "input has 1"],
    ),
    # layers
    ("no-layers", HEAD, ["layer", "no layers"]),
    ("empty-layer-array", HEAD + "layer = []\n", ["layer", "no layers"]),
    (
        "layer-single-table",
        HEAD + "\n[layer]\n" + SIGMOID_2x3,
        ["layer", "[[layer]]"],
    ),
    ("layer-not-tables", HEAD + "layer = [1, 2]\n", ["layer", "[[layer]]"]),
    ("layer-a-string", HEAD + 'layer = "sigmoid"\n', ["layer", "[[layer]]"]),
    # missing keys
    ("missing-input", variant(lambda t, ls: t.pop("input")), ["input", "missing"]),
    ("missing-target", variant(lambda t, ls: t.pop("target")), ["target", "missing"]),
    ("missing-loss", variant(lambda t, ls: t.pop("loss")), ["loss", "missing"]),
    (
        "missing-activation",
        variant(lambda t, ls: ls[1].pop("activation")),
        ["layer 2: activation", "missing"],
    ),
    # bias
    (
        "bias-too-long",
        variant(lambda t, ls: ls[0].update(bias=[0.0, 0.0, 0.0, 0.0])),
        ["layer 1: bias", "expected 3", "found 4"],
    ),
    (
        "bias-too-short",
        variant(lambda t, ls: ls[1].update(bias=[0.0, 0.0])),
        ["layer 2: bias", "expected 1", "found 2"],
    ),
    ("bias-empty", variant(lambda t, ls: ls[0].update(bias=[])), ["layer 1: bias", "empty"]),
    ("bias-a-number", variant(lambda t, ls: ls[1].update(bias=0.5)), ["layer 2: bias", "list"]),
    (
        "bias-boolean",
        variant(lambda t, ls: ls[0].update(bias=[0.0, False, 0.0])),
        ["layer 1: bias[2]", "boolean (false)"],
    ),
    # weights / units / init
    (
        "neither-weights-nor-units",
        variant(lambda t, ls: ls[1].pop("weights")),
        ["layer 2", "weights", "units"],
    ),
    (
        "weights-and-init",
        variant(lambda t, ls: ls[0].update(init="zeros")),
        ["layer 1: init", "not both"],
    ),
    (
        "bad-init",
        units_spec({"activation": "tanh", "units": 2, "init": "he_norml"}),
        ["layer 1: init", "he_norml", "did you mean 'he_normal'"],
    ),
    (
        "init-not-a-string",
        units_spec({"activation": "tanh", "units": 2, "init": 0.5}),
        ["layer 1: init", "number"],
    ),
    (
        "init-constant-abc",
        units_spec({"activation": "tanh", "units": 2, "init": "constant:abc"}),
        ["layer 1: init", "constant", "abc"],
    ),
    (
        "init-constant-empty",
        units_spec({"activation": "tanh", "units": 2, "init": "constant:"}),
        ["layer 1: init", "constant"],
    ),
    (
        "init-constant-nan",
        units_spec({"activation": "tanh", "units": 2, "init": "constant:nan"}),
        ["layer 1: init", "finite"],
    ),
    (
        "init-constant-inf",
        units_spec({"activation": "tanh", "units": 2, "init": "constant:inf"}),
        ["layer 1: init", "finite"],
    ),
    *[
        (
            f"units-{label}",
            UNITS_HEAD + f"\n[[layer]]\nactivation = 'tanh'\nunits = {toml_value(units)}\n",
            ["layer 2: units", "whole number"],
        )
        for label, units in [
            ("zero", 0),
            ("negative", -3),
            ("float", 2.0),
            ("fraction", 2.5),
            ("boolean", True),
            ("huge", 10**9),
        ]
    ],
    (
        "units-string",
        units_spec({"activation": "tanh", "units": 2}).replace("units = 2", 'units = "2"'),
        ["layer 1: units", "whole number"],
    ),
    # learning rate
    (
        "negative-learning-rate",
        variant(lambda t, ls: t.update(learning_rate=-0.1)),
        ["learning_rate", "≥ 0", "-0.1"],
    ),
    (
        "learning-rate-string",
        variant(lambda t, ls: t.update(learning_rate="0.1")),
        ["learning_rate", "expected a number", "string"],
    ),
    (
        "learning-rate-boolean",
        variant(lambda t, ls: t.update(learning_rate=True)),
        ["learning_rate", "boolean"],
    ),
    # seed
    ("seed-float", variant(lambda t, ls: t.update(seed=1.5)), ["seed", "whole number", "1.5"]),
    ("seed-float-whole", variant(lambda t, ls: t.update(seed=2.0)), ["seed", "whole number"]),
    ("seed-string", variant(lambda t, ls: t.update(seed="42")), ["seed", "whole number"]),
    ("seed-negative", variant(lambda t, ls: t.update(seed=-1)), ["seed", "whole number"]),
    ("seed-boolean", variant(lambda t, ls: t.update(seed=True)), ["seed", "whole number"]),
    # weights_layout
    (
        "layout-misspelt",
        variant(lambda t, ls: t.update(weights_layout="out-in")),
        ["weights_layout", "'out-in'", "did you mean 'out_in'"],
    ),
    (
        "layout-unknown",
        variant(lambda t, ls: t.update(weights_layout="row_major")),
        ["weights_layout", "expected 'in_out' or 'out_in'"],
    ),
    (
        "layout-not-a-string",
        variant(lambda t, ls: t.update(weights_layout=1)),
        ["weights_layout", "expected 'in_out' or 'out_in'"],
    ),
    (
        "layout-a-list",
        variant(lambda t, ls: t.update(weights_layout=["in_out"])),
        ["weights_layout", "expected 'in_out' or 'out_in'"],
    ),
    # input
    ("input-empty", variant(lambda t, ls: t.update(input=[])), ["input", "empty"]),
    ("input-empty-row", variant(lambda t, ls: t.update(input=[[]])), ["input row 1", "empty"]),
    ("input-a-string", variant(lambda t, ls: t.update(input="1 2")), ["input", "string"]),
    ("input-a-number", variant(lambda t, ls: t.update(input=1.0)), ["input", "list"]),
    (
        "input-string-entry",
        variant(lambda t, ls: t.update(input=[1.0, "two"])),
        ["input[2]", "string"],
    ),
    (
        "input-boolean",
        variant(lambda t, ls: t.update(input=[True, 2.0])),
        ["input[1]", "boolean (true)"],
    ),
    (
        "input-ragged",
        variant(lambda t, ls: t.update(input=[[1.0, 2.0], [3.0]], target=[[1.0], [0.0]])),
        ["input", "ragged"],
    ),
    (
        "input-mixed-rows-and-numbers",
        variant(lambda t, ls: t.update(input=[[1.0, 2.0], 3.0])),
        ["input[1]", "expected a number"],
    ),
    ("input-a-date", HEAD.replace("[1.0, 2.0]", "[1979-05-27, 1.0]"), ["input[1]"]),
    ("input-a-table", 'target = [1.0]\nloss = "mse"\n[input]\nx = 1.0\n', ["input", "table"]),
    # target
    ("target-empty", variant(lambda t, ls: t.update(target=[])), ["target", "empty"]),
    (
        "target-string",
        variant(lambda t, ls: t.update(target=["1"])),
        ["target[1]", "string"],
    ),
    (
        "target-boolean",
        variant(lambda t, ls: t.update(target=[False])),
        ["target[1]", "boolean"],
    ),
    # empty weights
    (
        "weights-empty",
        variant(lambda t, ls: ls[0].update(weights=[])),
        ["layer 1: weights", "empty list"],
    ),
    (
        "weights-empty-rows",
        variant(lambda t, ls: ls[0].update(weights=[[], []])),
        ["layer 1: weights row 1", "empty"],
    ),
]

# NaN and ±inf: TOML writes them nan, inf, -inf; every place a number goes must refuse them.
for _bad in (float("nan"), float("inf"), float("-inf")):
    _label = repr(_bad)
    MISTAKES += [
        (
            f"input-{_label}",
            variant(lambda t, ls, v=_bad: t.update(input=[1.0, v])),
            ["input[2]", "finite"],
        ),
        (
            f"batch-input-{_label}",
            variant(
                lambda t, ls, v=_bad: t.update(input=[[1.0, 2.0], [v, 0.0]], target=[[1.0], [0.0]])
            ),
            ["input row 2[1]", "finite"],
        ),
        (
            f"target-{_label}",
            variant(lambda t, ls, v=_bad: t.update(target=[v])),
            ["target[1]", "finite"],
        ),
        (
            f"weights-{_label}",
            variant(lambda t, ls, v=_bad: ls[1].update(weights=[[1.0], [v], [0.5]])),
            ["layer 2: weights row 2[1]", "finite"],
        ),
        (
            f"bias-{_label}",
            variant(lambda t, ls, v=_bad: ls[0].update(bias=[0.0, 0.0, v])),
            ["layer 1: bias[3]", "finite"],
        ),
        (
            f"learning-rate-{_label}",
            variant(lambda t, ls, v=_bad: t.update(learning_rate=v)),
            ["learning_rate", "finite"],
        ),
    ]


def test_nan_and_inf_are_toml_literals() -> None:
    text = variant(lambda t, ls: t.update(input=[float("nan"), float("-inf")]))
    assert "input = [nan, -inf]" in text
    data = tomllib.loads(text)
    assert np.isnan(data["input"][0])
    assert data["input"][1] == float("-inf")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [pytest.param(text, fragments, id=name) for name, text, fragments in MISTAKES],
)
def test_mistake_raises_spec_error_naming_file_and_field(text: str, fragments: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        loads_spec(text, NAME)
    error = info.value
    message = str(error)
    assert message.startswith(f"{NAME}: "), message
    assert error.path == NAME
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    # the field is the part of the message right after the file
    if error.field:
        assert message.startswith(f"{NAME}: {error.field}: ")
    assert isinstance(error, GlassnetError)
    assert isinstance(error, ValueError)
    assert "\n" not in message


def test_numpy_arrays_and_numbers_stand_for_toml_s_lists_and_numbers() -> None:
    X = np.array([[0.1, 0.2], [0.3, 0.4]])
    data = {
        "input": X,
        "target": np.array([[1.0], [0.0]], dtype=np.float32),
        "loss": "half_squared_error",
        "learning_rate": np.float32(0.5),
        "seed": np.int64(3),
        "layer": [{"activation": "sigmoid", "weights": np.ones((2, 1)), "bias": (0.5,)}],
    }
    spec = parse_spec(data)
    assert np.array_equal(spec.X, X) and spec.Y.tolist() == [[1.0], [0.0]]
    assert (spec.learning_rate, spec.seed) == (0.5, 3)
    assert spec.network.layers[0].b.tolist() == [0.5]
    with pytest.raises(SpecError, match=r"input row 1\[1\]: expected a number, found a boolean"):
        parse_spec({**data, "input": np.array([[True, False], [False, True]])})


def test_a_dict_that_holds_itself_is_one_error() -> None:
    data: dict[str, Any] = {}
    data["self"] = data
    with pytest.raises(SpecError, match=r"^<spec>: nested too deeply \(or refers to itself\)$"):
        parse_spec(data)


def test_a_dict_s_key_that_is_no_string_is_named() -> None:
    data = tomllib.loads(HEAD + "[[layer]]\n" + SIGMOID_2x3)
    data["layer"][0]["weights"] = [[0.1], [0.2]]
    with pytest.raises(SpecError, match=r"^<spec>: '1': unknown key; known: input"):
        parse_spec({**data, 1: 2})


def test_an_empty_file_name_is_no_directory(tmp_path: Path) -> None:
    with pytest.raises(GlassnetError, match=r"^spec file: an empty file name"):
        load_spec("")


def test_mistakes_have_unique_ids() -> None:
    names = [name for name, _, _ in MISTAKES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (variant(lambda t, ls: t.update(learnig_rate=0.1)), "learnig_rate"),
        (variant(lambda t, ls: ls[1].update(weights=[[1.0], [2.0]])), "layer 2: weights"),
        (variant(lambda t, ls: t.update(learning_rate=-1.0)), "learning_rate"),
        (variant(lambda t, ls: t.update(input=[])), "input"),
        (variant(lambda t, ls: t.update(target=[1.0, 2.0])), "target"),
        (variant(lambda t, ls: t.update(loss="mse")), "loss"),
        (variant(lambda t, ls: ls[0].update(bias=[1.0])), "layer 1: bias"),
        ("input = [\n", "TOML syntax"),
    ],
)
def test_error_field_attribute(text: str, field: str) -> None:
    with pytest.raises(SpecError) as info:
        loads_spec(text, NAME)
    assert info.value.field == field
    assert info.value.path == NAME


def test_first_mistake_of_a_layer_names_that_layer() -> None:
    # layer 1 is fine, layer 3 is wrong: the message names layer 3, not another.
    text = (
        variant(lambda t, ls: None) + '\n[[layer]]\nactivation = "tanh"\nweights = [[1.0, 2.0]]\n'
    )
    text = text.replace("target = [1.0]", "target = [1.0, 2.0]")
    spec = loads_spec(text, NAME)
    assert len(spec.network.layers) == 3
    bad = text.replace("weights = [[1.0, 2.0]]", "weights = [[1.0, 2.0], [3.0, 4.0]]")
    with pytest.raises(SpecError, match=r"^x\.toml: layer 3: weights: ") as info:
        loads_spec(bad, NAME)
    # it says where the 1 input per example comes from: layer 2's single unit
    assert "layer 2" in str(info.value).split("layer 3: weights: ", 1)[1]


def test_parse_spec_refuses_a_non_table() -> None:
    with pytest.raises(SpecError, match=r"^<spec>: expected a table"):
        parse_spec([1, 2, 3])  # type: ignore[arg-type]


# --- files ----------------------------------------------------------------------------


def test_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value) == f"{path}: no such file"
    assert info.value.path == str(path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path)
    assert str(info.value).startswith(f"{tmp_path}: ")
    assert "directory" in str(info.value)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes("# café\ninput = [1.0]\n".encode("latin-1"))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "UTF-8" in message
    assert "byte 5" in message  # the é (0xE9) is the 6th byte


def test_file_mistake_names_the_file_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(variant(lambda t, ls: t.update(loss="cross_entropi")), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"{path}: loss: ")
    assert "did you mean 'cross_entropy'" in str(info.value)


def test_load_spec_accepts_str_path() -> None:
    spec = load_spec(str(EXAMPLES / "seed000.toml"))
    assert spec.path == str(EXAMPLES / "seed000.toml")


def test_public_api_exports() -> None:
    assert glassnet.load_spec is load_spec
    assert glassnet.loads_spec is loads_spec
    assert issubclass(glassnet.SpecError, glassnet.GlassnetError)


# --- regressions ----------------------------------------------------------------------


@pytest.mark.parametrize("where", ["input", "learning_rate", "weights"])
def test_huge_integer_is_a_spec_error(where: str) -> None:
    # Regression: float() of a 400-digit TOML integer raised OverflowError.
    huge = int("9" * 400)
    changes: dict[str, Callable[[dict[str, Any], list[dict[str, Any]]], Any]] = {
        "input": lambda t, ls: t.update(input=[1.0, huge]),
        "learning_rate": lambda t, ls: t.update(learning_rate=huge),
        "weights": lambda t, ls: ls[1].update(weights=[[1.0], [huge], [0.5]]),
    }
    with pytest.raises(SpecError, match=f"^{NAME}: "):
        loads_spec(variant(changes[where]), NAME)


@pytest.mark.parametrize(
    "text",
    [
        '"learning\\nrate" = 0.1\n' + variant(lambda t, ls: None),
        variant(lambda t, ls: ls[0].update(activation="sig\nmoid")),
        variant(lambda t, ls: t.update(loss="cross\nentropy")),
        units_spec({"activation": "tanh", "units": 2, "init": "constant:1\n"}),
    ],
    ids=["key", "activation", "loss", "init"],
)
def test_message_is_one_line_for_names_with_newlines(text: str) -> None:
    # Regression: names from the file went into the message unescaped.
    with pytest.raises(SpecError) as info:
        loads_spec(text, NAME)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("loss", "activation", "weights", "value"),
    [
        ("binary_cross_entropy", "tanh", [[1.0, -1.0], [1.0, -0.5]], "-0.462117"),
        ("binary_cross_entropy", "relu", [[3.0, 0.0], [0.0, 0.0]], "1.5"),
        ("cross_entropy", "identity", [[1.0, -1.0], [1.0, -0.5]], "-0.5"),
    ],
)
def test_a_log_loss_refuses_outputs_outside_its_logarithms(
    loss: str, activation: str, weights: list[list[float]], value: str
) -> None:
    # x W = [0.5 − 1, −0.5 + 0.5] for x = [0.5, −1]: tanh(−0.5) < 0, ln of it no number
    data = {
        "input": [0.5, -1.0],
        "target": [1.0, 0.0],
        "loss": loss,
        "layer": [{"activation": activation, "weights": weights}],
    }
    with pytest.raises(SpecError) as info:
        parse_spec(data)
    message = str(info.value)
    assert f"loss: {loss} takes outputs" in message and f"a = {value} (unit 1)" in message
    # outputs inside the range are taken, whatever the activation
    data["layer"][0]["weights"] = [[0.2, 0.4], [-0.2, 0.1]]  # a = tanh([0.3, 0.1]) > 0
    assert parse_spec(data).network.loss.name == loss


def test_an_output_that_overflows_is_said_to_not_blamed_on_its_activation() -> None:
    data = {
        "input": [1.0, 1.0],
        "target": [1.0],
        "loss": "binary_cross_entropy",
        "layer": [
            {"activation": "relu", "weights": [[1e308, 1e308], [1e308, 1e308]]},
            {"activation": "sigmoid", "weights": [[1.0], [-1.0]]},
        ],
    }
    with np.errstate(all="ignore"), pytest.raises(SpecError) as info:
        parse_spec(data)
    message = str(info.value)
    assert "layer 2 gives a = nan (unit 1): the forward pass overflows float64" in message
    assert "use a sigmoid" not in message


def test_a_byte_order_mark_is_skipped_from_a_file_or_a_string(tmp_path):
    text = (EXAMPLES / "seed001.toml").read_text("utf-8")
    path = tmp_path / "bom.toml"
    path.write_text("\ufeff" + text, "utf-8")
    plain = loads_spec(text).explain().to_dict()
    assert load_spec(path).explain().to_dict() == plain
    assert loads_spec("\ufeff" + text).explain().to_dict() == plain


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "cross_entropy"])
def test_a_cross_entropy_refuses_targets_outside_0_1(loss: str, tmp_path: Path) -> None:
    # explain took them, and diagnose and train --spec said "y: …", naming no file
    text = (EXAMPLES / "seed001.toml").read_text("utf-8")
    text = text.replace("target = [1.0, 0.0, 0.0]", "target = [1.0, 0.0, -1.0]")
    path = tmp_path / "t.toml"
    path.write_text(text.replace('"binary_cross_entropy"', f'"{loss}"'), "utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.field == "target"
    assert str(info.value) == (
        f"{path}: target: {loss} takes targets in [0, 1] (probabilities, 0/1 labels), "
        "found values from -1 to 1"
    )
    # the same rule as the network's own targets, and any other loss takes them
    network = load_spec(EXAMPLES / "seed001.toml").network
    with pytest.raises(GlassnetError, match=r"^y: binary_cross_entropy takes targets in \[0, 1\]"):
        network.targets(np.array([[1.0, 0.0, -1.0]]))
    assert loads_spec(text.replace('"binary_cross_entropy"', '"squared_error"')).Y.min() == -1


def test_an_integer_of_more_than_4300_digits_is_named_by_key_and_line() -> None:
    # tomllib's plain ValueError said only "a number: an integer of more than 4300 digits"
    huge = "1" + "0" * 5000
    text = (
        f"# {huge}, a comment\n{HEAD}"
        f"learning_rate = 0x{huge}\n"  # hexadecimal: Python reads it
        f"[[layer]]\n{SIGMOID_2x3}[[layer]]  # {huge}\nactivation = 'identity'\n"
        f"weights = [[1.0], [2.0], [{huge}]]\n"
    )
    with pytest.raises(SpecError) as info:
        loads_spec(text, NAME)
    assert str(info.value) == (
        f"{NAME}: layer 2: weights (line 11): an integer of more than 4300 digits"
    )
    over_lines = text.replace("[[1.0], [2.0], [", "[[1.0],\n  [2.0],\n  [")
    # a list written over lines: named by the key that opened it, as seed003.toml writes W
    with pytest.raises(SpecError, match=r": layer 2: weights \(line 13\): an integer of more"):
        loads_spec(over_lines, NAME)
    # a string of "=[" in the list opens none: the list's line, not an empty key
    quoted = HEAD.replace("input = [1.0, 2.0]", 'input = [\n "=[", 1.0,\n ' + huge + "]")
    with pytest.raises(SpecError, match=r"^x.toml: line 3: an integer of more than 4300"):
        loads_spec(quoted, NAME)
    # in a list that no line "key = [" opened: its line alone
    inline = over_lines.replace("[2.0],\n  [", "[2.0]]\nx = { y = [\n  [")
    with pytest.raises(SpecError, match=r": line 14: an integer of more than 4300 digits$"):
        loads_spec(inline + "}\n", NAME)
    # Windows line ends, and a multi-line string above: the same key, the same line
    crlf = text.replace("\n", "\r\n")
    with pytest.raises(SpecError, match=r": layer 2: weights \(line 11\): an integer"):
        loads_spec(crlf, NAME)
    quoted = text.replace("# " + huge + ", a comment\n", 'note = """\n' + huge + '\n"""\n')
    with pytest.raises(SpecError, match=r": layer 2: weights \(line 13\): an integer"):
        loads_spec(quoted, NAME)


def test_a_value_of_the_wrong_kind_is_shown_as_toml_writes_it() -> None:
    # the same describer as a claims file's, glassnet.errors.toml_kind: not Python's repr
    from glassnet.errors import toml_kind, toml_text

    text = (EXAMPLES / "seed003.toml").read_text("utf-8")
    with pytest.raises(
        SpecError, match=r"weights_layout: expected 'in_out' or 'out_in', found true$"
    ):
        loads_spec(text.replace('weights_layout = "out_in"', "weights_layout = true"), NAME)
    with pytest.raises(
        SpecError, match=r"input\[1\]: expected a number, found a list \(\[1\.0, \[2\]\]\)$"
    ):
        loads_spec(text.replace("input  = [2.0,", "input  = [[1.0, [2]], [3.0],"), NAME)
    assert toml_kind({"a": 1}) == "a table" and toml_kind([]) == "an empty list"
    assert toml_text({"a b": [True, "x", float("inf")]}) == "{'a b' = [true, 'x', inf]}"
    assert toml_text(list(range(100))) == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …"
