"""Fuzzing the inputs: malformed specs, claims and data files give a clean error, always.

The contract: reading any file either works or raises a GlassnetError (which the command
line prints as one line, exit code 2) — never another exception, never a hang. The
default suite runs a few hundred cases; the dedicated run

    GLASSNET_FUZZ_EXAMPLES=2500 python -m pytest tests/test_fuzz.py -q

runs 2,500 per target, 10,000 across the four.
"""

from __future__ import annotations

import math
import os
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassnet.check import parse_claims
from glassnet.data import load_dataset
from glassnet.errors import GlassnetError
from glassnet.spec import load_spec, loads_spec

from conftest import EXAMPLES

EXAMPLES_PER_TARGET = int(os.environ.get("GLASSNET_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES_PER_TARGET,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

# --- values of every kind a person (or a stranger) may write ----------------------------

weird_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, -1e308, 5e-324, 10**400, -(10**30), 2**63]),
    st.integers(-(10**12), 10**12),
)
weird_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "relu",
            "sigmod",
            "nan",
            "inf",
            "✓ é",
            "a\nb",
            "x" * 5000,
            '"quoted"',
            "[1, 2]",
            "\\u0000",
        ]
    ),
)
scalars = st.one_of(weird_numbers, weird_text, st.booleans())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def toml_value(v, depth=0):
    """Any Python value as TOML (arrays and inline tables), for values TOML can hold."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return (
            "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        )
    if isinstance(v, str):
        return (
            '"'
            + v.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
            + '"'
            if v.isprintable() or "\n" in v
            else '"bad"'
        )
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x, depth + 1) for x in v) + "]"
    if isinstance(v, dict):
        return (
            "{"
            + ", ".join(f"{toml_key(k)} = {toml_value(x, depth + 1)}" for k, x in v.items())
            + "}"
        )
    raise TypeError(v)


def toml_key(k):
    return (
        k
        if k and all(c in string.ascii_letters + string.digits + "_-" for c in k)
        else toml_value(k)
    )


def toml_document(data: dict) -> str:
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if k != "layer"]
    for layer in data.get("layer", []) if isinstance(data.get("layer"), list) else []:
        lines.append("[[layer]]")
        if isinstance(layer, dict):
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in layer.items()]
    return "\n".join(lines) + "\n"


VALID_SPEC = {
    "input": [0.1, 0.2, 0.7],
    "target": [1.0, 0.0],
    "loss": "cross_entropy",
    "learning_rate": 0.1,
    "weights_layout": "in_out",
    "seed": 0,
    "layer": [
        {"activation": "relu", "weights": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], "bias": [0.0, 0.1]},
        {"activation": "softmax", "units": 2, "init": "he_normal"},
    ],
}


@st.composite
def mutated_specs(draw):
    spec = {k: (list(v) if isinstance(v, list) else v) for k, v in VALID_SPEC.items()}
    spec["layer"] = [dict(layer) for layer in VALID_SPEC["layer"]]
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(["top", "layer", "delete", "add"]))
        if target == "top":
            spec[draw(st.sampled_from(sorted(spec)))] = draw(values)
        elif target == "layer" and isinstance(spec.get("layer"), list) and spec["layer"]:
            layer = spec["layer"][draw(st.integers(0, len(spec["layer"]) - 1))]
            if isinstance(layer, dict):
                key = draw(
                    st.sampled_from(["activation", "weights", "bias", "units", "init", "extra"])
                )
                layer[key] = draw(values)
        elif target == "delete":
            spec.pop(draw(st.sampled_from(sorted(spec))), None)
        else:
            spec[draw(st.text(min_size=1, max_size=10))] = draw(values)
    text = toml_document(spec)
    if draw(st.booleans()):  # a half-written file: truncated, or a key written twice
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] if draw(st.booleans()) else text + text[:cut]
    return text


def clean(call):
    """Run ``call``: it may succeed or raise a GlassnetError, nothing else."""
    try:
        call()
    except GlassnetError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        assert len(message) < 3000


@FUZZ
@given(text=mutated_specs())
def test_fuzzed_specs_give_clean_errors(text):
    clean(lambda: loads_spec(text, "fuzz.toml").explain())


@pytest.fixture(scope="module")
def seed001():
    spec = load_spec(EXAMPLES[1])
    return spec, spec.explain()


@st.composite
def mutated_claims(draw):
    tables = {}
    for _ in range(draw(st.integers(0, 5))):
        table = draw(
            st.sampled_from(["layer.1", "layer.3", "layer.9", "result", "layer.x", "other"])
        )
        key = draw(
            st.sampled_from(
                [
                    "z",
                    "a",
                    "a[2]",
                    "a[9]",
                    "a[1,2]",
                    "W_new",
                    "grad_W[2,3]",
                    "da_dz",
                    "loss",
                    "loss_terms",
                    "zz",
                    "delta[0]",
                    "é",
                ]
            )
        )
        tables.setdefault(table, {})[key] = draw(values)
    text = (
        "\n".join(
            f"[{t}]\n" + "\n".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in kv.items())
            for t, kv in tables.items()
        )
        + "\n"
    )
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


@FUZZ
@given(text=mutated_claims())
def test_fuzzed_claims_give_clean_errors(seed001, text):
    from glassnet.check import check

    spec, trace = seed001
    clean(lambda: check(spec, parse_claims(text, spec, trace, "fuzz-claims.toml"), trace))


cells = st.one_of(weird_numbers.map(str), weird_text.filter(lambda t: "\x00" not in t), st.just(""))


@FUZZ
@given(
    rows=st.lists(st.lists(cells, min_size=0, max_size=5), min_size=0, max_size=8),
    header=st.lists(weird_text.filter(lambda t: "\x00" not in t), min_size=0, max_size=5),
    target=st.one_of(st.none(), weird_text),
)
def test_fuzzed_csv_files_give_clean_errors(tmp_path_factory, rows, header, target):
    import csv

    path = tmp_path_factory.mktemp("csv") / "data.csv"
    with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as f:
        writer = csv.writer(f)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    clean(lambda: load_dataset(str(path), target=target))


arrays = st.one_of(
    st.builds(
        np.array,
        st.lists(
            weird_numbers.filter(lambda v: not isinstance(v, int) or abs(v) < 2**62), max_size=12
        ),
    ),
    st.builds(lambda n: np.zeros((n, 0)), st.integers(0, 3)),
    st.builds(lambda s: np.array(s), st.lists(st.text(max_size=3), max_size=4)),
    st.builds(
        lambda shape: np.ones(shape),
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 2)),
    ),
)


@FUZZ
@given(
    content=st.dictionaries(st.sampled_from(["X", "y", "x", "Y", "labels"]), arrays, max_size=3),
    suffix=st.sampled_from([".npz", ".npy"]),
)
def test_fuzzed_numpy_files_give_clean_errors(tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("np") / f"data{suffix}"
    if suffix == ".npz":
        np.savez(path, **content)
    elif content:
        np.save(path, next(iter(content.values())))
    else:
        path.write_bytes(b"not numpy")
    clean(lambda: load_dataset(str(path)))
