"""The benchmark script runs and prints its table; its numbers are not asserted here.

Speed is measured by running benchmarks/bench.py (BENCHMARKS.md), never in a unit test:
these tests only keep the script working (arguments, workers, the ratios' columns).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def table_rows(out: str) -> dict[str, list[str]]:
    """{implementation: its columns} of the one table in ``out``."""
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if cells and cells[0] in ("gemm", "glassnet", "glassnet-sklearn", "torch", "sklearn"):
            rows[cells[0]] = cells[1:]
    return rows


def test_bench_prints_a_table_with_paired_ratios_for_training():
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--workload", "B", "--rounds", "1", "--repeats", "1"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    rows = table_rows(out)
    assert {"gemm", "glassnet", "glassnet-sklearn", "sklearn"} <= set(rows)
    # columns: median, min–max, ÷ gemm, paired, ÷ torch, ÷ sklearn, peak MiB
    assert rows["gemm"][2] == "1.00" and rows["gemm"][3] == "-"
    for impl in ("glassnet", "glassnet-sklearn", "sklearn"):
        assert float(rows[impl][0].replace(",", "")) > 0
        assert re.fullmatch(r"\d+\.\d\d", rows[impl][3]), rows[impl]
        assert float(rows[impl][3]) > 0
    assert rows["sklearn"][5] == "1.00"
    if "torch" in rows:
        assert rows["torch"][3] == "-" and rows["torch"][4] == "1.00"
    assert "paired: ÷ the products timed in the same process" in out


@pytest.mark.parametrize(("workload", "paired"), [("B", True), ("inference", False)])
def test_worker_pairs_training_with_the_products_but_not_prediction(workload, paired):
    bench = load_bench()
    result = bench.worker("glassnet", workload, 1, 1)
    assert result["samples_per_s"] > 0
    # the kernel's RSS counters lag by a few pages per thread (synced every 64 faults):
    # a peak of a tiny workload may read a fraction of a MiB below the RSS taken before
    assert result["peak_mib"] > -1
    assert ("paired" in result) is paired
    if paired:
        assert result["paired"] > 0


@pytest.mark.parametrize("workload", ["A", "B", "inference"])
def test_the_limit_multiplies_the_matrices_of_the_fits_batches(monkeypatch, workload):
    # as many products, of the same shapes, as a fit's steps: n // m batches of m rows
    # and one of the rest each epoch (L forward, 2L − 1 backward a step in training)
    import numpy as np

    bench = load_bench()
    w = bench.WORKLOADS[workload]  # (the inference workload is told apart by identity)
    X, y = bench.make_data(w)
    epoch, samples = bench.run_gemm(w, X, y)
    rows = []
    monkeypatch.setattr(np, "matmul", lambda a, b, out: rows.append(out.shape[0]))
    epoch()
    m, n, epochs = w["batch"], w["n"], w["epochs"]
    L = len(w["sizes"]) - 1
    per_step = 3 * L - 1 if workload != "inference" else L
    batches = [m] * (n // m) + ([n % m] if n % m else [])
    assert samples == n * epochs
    # a weight gradient has the shape of W, not of a batch: count the products' steps
    assert len(rows) == per_step * len(batches) * epochs
    if workload != "inference":
        forward = [r for i, r in enumerate(rows) if i % per_step == 0]
        assert forward == batches * epochs
