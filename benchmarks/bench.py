"""Training speed and memory of glassnet beside its limit, PyTorch and scikit-learn.

Run from the repository root (``pip install -e '.[dev,torch]'`` first):

    python benchmarks/bench.py                 # A (2 threads), B (1 thread), inference; 3 rounds
    python benchmarks/bench.py --threads 1 --rounds 5 --workload A
    python benchmarks/bench.py --workload A --epochs 1   # one-off costs of a fit, whole

Workload A: an MLP 784-256-128-10 (relu, relu, softmax + cross-entropy), plain SGD
(η = 0.01), mini-batches of 128, 60,000 synthetic float32 examples, a fit of 5 epochs
(``--epochs``): a fit's one-off costs (input checks, the draw of the weights) spread
as over a training, not over a single epoch.
Workload B: 64-32-10, batches of 16, 1,797 examples (digits-sized), 20 epochs.
Inference: ``predict_proba`` of 10,000 examples through the network of workload A.

Each implementation runs in its own process (so that its peak memory is its own),
in alternation, round after round; the table gives the median and min–max of the
samples per second, and the ratios: for each round the ratio of the two implementations
measured in it, and the median of these over the rounds:

- ``gemm``: only the matrix products of a training step (3 forward, 5 backward: no
  input gradient for layer 1) on the same shapes, into preallocated outputs, all arrays
  on 64-byte boundaries (as glassnet's; NumPy's own are 3 % slower) — the limit;
- ``glassnet``: ``Network.fit``; ``glassnet-sklearn``: ``glassnet.sklearn.MLPClassifier``;
- ``torch``: an ``nn.Sequential`` with ``torch.optim.SGD`` (when torch is installed);
- ``sklearn``: scikit-learn's ``MLPClassifier`` (solver sgd, momentum 0 without Nesterov's
  second pass, alpha 0).

The machine's speed also drifts from process to process: a whole process may run a
quarter slower than the next one. The column "paired" therefore gives, for the training
of glassnet and scikit-learn, the ratio to the products timed in the same process,
alternating fit and products (PyTorch's own thread pool is not paired with NumPy's
BLAS, nor is a prediction, which would pay for the products' writes).

Peak memory is the process's peak RSS (``resource.getrusage``) less its RSS before the
data were made; "need" is data + parameters + one batch's activations, and in training
the parameters' gradients and the batch's deltas.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time

WORKLOADS = {
    "A": {"sizes": [784, 256, 128, 10], "batch": 128, "n": 60_000, "epochs": 5},
    "B": {"sizes": [64, 32, 10], "batch": 16, "n": 1_797, "epochs": 20},
    "inference": {"sizes": [784, 256, 128, 10], "batch": 10_000, "n": 10_000, "epochs": 1},
}
IMPLEMENTATIONS = {
    "A": ["gemm", "glassnet", "glassnet-sklearn", "torch", "sklearn"],
    "B": ["gemm", "glassnet", "glassnet-sklearn", "torch", "sklearn"],
    "inference": ["gemm", "glassnet", "torch"],
}
LEARNING_RATE = 0.01
REPEATS = {"A": 2, "B": 5, "inference": 20}  # the short runs need more tries past the noise
# training timed in alternation with the products in its own process too: on NumPy's
# BLAS only (PyTorch's thread pool would compete with OpenBLAS's spinning threads), and
# not a prediction, which would pay for the write-back of the products' 16 MB of output
PAIRED = {"glassnet", "glassnet-sklearn", "sklearn"}


def rss_mib() -> float:
    """The current resident set size, MiB (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def make_data(w: dict):
    import numpy as np

    rng = np.random.default_rng(0)
    n, sizes = w["n"], w["sizes"]
    X = rng.standard_normal((n, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], size=n)
    return X, y


def need_mib(w: dict) -> float:
    """Data + parameters + one batch's activations; training: + gradients and deltas (float32)."""
    sizes, m, n = w["sizes"], w["batch"], w["n"]
    params = sum((a + 1) * b for a, b in itertools.pairwise(sizes)) * 4
    if w is WORKLOADS["inference"]:  # X, the weights, z/a of each layer for the batch
        return (n * sizes[0] * 4 + params + m * sum(sizes[1:]) * 4) / 2**20
    data = n * sizes[0] * 4 + n * 8  # X and the labels
    batch = m * sum(sizes) * 4 * 3  # inputs, z/a, δ per layer
    return (data + params * 2 + batch) / 2**20  # parameters and their gradients


# --- the implementations, one per process ---------------------------------------------


def run_gemm(w, X, y):
    import numpy as np

    def empty(shape):
        # on a 64-byte boundary, as glassnet's workspaces and weights: NumPy aligns to
        # 16 bytes, and OpenBLAS's products are ~3 % faster on cache-line-aligned arrays.
        # Written here, not glassnet.blas.empty: the limit depends on NumPy alone
        raw = np.empty(int(np.prod(shape)) * 4 + 64, np.uint8)
        start = -raw.ctypes.data % 64
        return raw[start : start + int(np.prod(shape)) * 4].view(np.float32).reshape(shape)

    sizes, m, n = w["sizes"], w["batch"], w["n"]
    rng = np.random.default_rng(1)
    Ws = [empty((a, b)) for a, b in itertools.pairwise(sizes)]
    for W in Ws:
        W[...] = rng.standard_normal(W.shape, dtype=np.float32) * 0.05
    L = len(Ws)
    train = w is not WORKLOADS["inference"]
    grads = [empty(W.shape) for W in Ws] if train else []

    def batch_of(rows):
        """The activations (and, training, the deltas) of a batch of ``rows`` examples."""
        acts = [empty((rows, s)) for s in sizes]
        acts[0][...] = X[:rows]  # on a cache line: a prediction's X may not be (a harder limit)
        deltas = [empty((rows, s)) for s in sizes] if train else []
        for d in deltas:
            d[...] = rng.standard_normal(d.shape, dtype=np.float32) * 0.01
        return acts, deltas

    # the fits' batches: n // m of m examples and the rest, each epoch
    batches = [(batch_of(m), n // m)] + ([(batch_of(n % m), 1)] if n % m else [])

    def epoch():
        for _ in range(w["epochs"]):
            for (acts, deltas), count in batches:
                for _ in range(count):
                    for l in range(L):
                        np.matmul(acts[l], Ws[l], out=acts[l + 1])
                    if not train:
                        continue
                    for l in range(L, 0, -1):
                        np.matmul(acts[l - 1].T, deltas[l], out=grads[l - 1])
                        if l > 1:
                            np.matmul(deltas[l], Ws[l - 1].T, out=deltas[l - 1])

    return epoch, n * w["epochs"]


def run_glassnet(w, X, y):
    from glassnet import Network

    sizes = w["sizes"]
    acts = ["relu"] * (len(sizes) - 2) + ["softmax"]
    net = Network(sizes, activations=acts, loss="cross_entropy", seed=0, dtype="float32")
    if w is WORKLOADS["inference"]:
        return (lambda: net.predict_proba(X)), len(X)

    def epoch():
        net.fit(
            X,
            y,
            epochs=w["epochs"],
            batch_size=w["batch"],
            optimizer="sgd",
            learning_rate=LEARNING_RATE,
            seed=0,
            verbose=False,
        )

    return epoch, len(X) * w["epochs"]


def _sklearn_like(cls, w, X, y):
    import warnings

    sizes = w["sizes"]
    model = cls(
        hidden_layer_sizes=tuple(sizes[1:-1]),
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,  # scikit-learn's default repeats the update's arithmetic
        learning_rate_init=LEARNING_RATE,
        batch_size=w["batch"],
        alpha=0.0,
        max_iter=w["epochs"],
        shuffle=True,
        random_state=0,
        tol=0.0,
        n_iter_no_change=10**9,
    )

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)

    return epoch, len(X) * w["epochs"]


def run_glassnet_sklearn(w, X, y):
    from glassnet.sklearn import MLPClassifier

    return _sklearn_like(MLPClassifier, w, X, y)


def run_sklearn(w, X, y):
    from sklearn.neural_network import MLPClassifier

    return _sklearn_like(MLPClassifier, w, X, y)


def run_torch(w, X, y):
    import torch

    torch.manual_seed(0)
    sizes = w["sizes"]
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    if w is WORKLOADS["inference"]:

        def infer():
            with torch.no_grad():
                torch.softmax(model(Xt), dim=1)

        return infer, len(X)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    m = w["batch"]

    def epoch():
        for _ in range(w["epochs"]):
            order = torch.randperm(len(Xt))
            for start in range(0, len(Xt), m):
                idx = order[start : start + m]
                optimizer.zero_grad(set_to_none=True)
                loss_fn(model(Xt[idx]), yt[idx]).backward()
                optimizer.step()

    return epoch, len(X) * w["epochs"]


MODULES = {
    "gemm": ["numpy"],
    "glassnet": ["glassnet"],
    "glassnet-sklearn": ["glassnet.sklearn"],
    "torch": ["torch"],
    "sklearn": ["sklearn.neural_network"],
}
RUNNERS = {
    "gemm": run_gemm,
    "glassnet": run_glassnet,
    "glassnet-sklearn": run_glassnet_sklearn,
    "torch": run_torch,
    "sklearn": run_sklearn,
}


def timed(fn) -> float:
    """Seconds that one call of ``fn`` took."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def worker(impl: str, workload: str, threads: int, repeats: int) -> dict:
    """Time ``impl`` on ``workload`` in this process; return samples/s and memory."""
    if impl == "torch":
        import torch

        torch.set_num_threads(threads)
    from threadpoolctl import threadpool_limits

    w = WORKLOADS[workload]
    for module in MODULES[impl]:  # imports are not counted in the peak memory
        importlib.import_module(module)
    with threadpool_limits(limits=threads):
        base = rss_mib()
        X, y = make_data(w)
        run, samples = RUNNERS[impl](w, X, y)
        run()  # warm up: first-call costs, allocation of workspaces
        times = [timed(run) for _ in range(repeats)]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {"samples_per_s": samples / min(times), "peak_mib": peak - base}
        if impl in PAIRED and workload != "inference":
            # then alternating with the products (their arrays after the peak was read)
            gemm, gemm_samples = run_gemm(w, X, y)
            gemm()
            pairs = [(timed(gemm), timed(run)) for _ in range(repeats)]
            gemm_speed = gemm_samples / min(g for g, _ in pairs)
            result["paired"] = samples / min(t for _, t in pairs) / gemm_speed
    return result


def worker_env(args: argparse.Namespace) -> dict[str, str]:
    """The workers' environment: without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE.

    Some machines here set them so that old OpenBLAS builds pick a safe kernel; they
    hold NumPy's current OpenBLAS to an older, slower kernel (Haswell instead of
    SkylakeX), which would understate every NumPy-based implementation.
    ``--keep-openblas-env`` keeps them.
    """
    env = dict(os.environ)
    if not args.keep_openblas_env:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    return env


def blas_info(args: argparse.Namespace) -> str:
    """NumPy's BLAS in the workers' environment, as threadpoolctl reports it."""
    code = (
        "from threadpoolctl import threadpool_info; import numpy; "
        "print(', '.join(i['internal_api'] + ' ' + str(i.get('version')) + ' '"
        " + str(i.get('architecture')) for i in threadpool_info()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=worker_env(args)
    )
    return out.stdout.strip()


def available(impl: str) -> bool:
    # find_spec, not import: a worker's peak RSS counts its parent's at the fork (Linux
    # keeps the high-water mark across exec), so this process must stay small
    return impl != "torch" or importlib.util.find_spec("torch") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=["A", "B", "inference", "all"], default="all")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--repeats",
        type=int,
        help="timed runs per process, the fastest counts (default: A 2, B 5, inference 20)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=WORKLOADS["A"]["epochs"],
        help="epochs of a fit of workload A (default %(default)s)",
    )
    parser.add_argument(
        "--keep-openblas-env",
        action="store_true",
        help="keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for the workers",
    )
    parser.add_argument("--worker", nargs=2, metavar=("IMPL", "WORKLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error("--epochs: expected a whole number ≥ 1")
    WORKLOADS["A"]["epochs"] = args.epochs
    if args.worker:
        repeats = args.repeats or REPEATS[args.worker[1]]
        print(json.dumps(worker(args.worker[0], args.worker[1], args.threads, repeats)))
        return
    workloads = ["A", "B", "inference"] if args.workload == "all" else [args.workload]
    threads = {"A": args.threads, "B": 1, "inference": args.threads}
    results: dict[tuple[str, str], list[dict]] = {}
    for _ in range(args.rounds):
        for workload in workloads:  # alternate workloads and implementations every round
            for impl in IMPLEMENTATIONS[workload]:
                if not available(impl):
                    continue
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        impl,
                        workload,
                        "--threads",
                        str(threads[workload]),
                        "--repeats",
                        str(args.repeats or REPEATS[workload]),
                        "--epochs",
                        str(args.epochs),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=worker_env(args),
                )
                results.setdefault((workload, impl), []).append(json.loads(out.stdout))
    print(
        f"python {sys.version.split()[0]}; numpy's BLAS: {blas_info(args)}; "
        f"{os.cpu_count()} cores; {args.rounds} rounds"
    )
    for workload in workloads:
        w = WORKLOADS[workload]
        print(
            f"\nWorkload {workload}: {'-'.join(map(str, w['sizes']))}, batch {w['batch']}, "
            f"{w['epochs']} epoch(s), {threads[workload]} thread(s); "
            f"need ≈ {need_mib(w):.{0 if need_mib(w) >= 10 else 1}f} MiB"
        )
        print(
            f"{'implementation':18} {'samples/s (median)':>19} {'min–max':>21} "
            f"{'÷ gemm':>7} {'paired':>7} {'÷ torch':>8} {'÷ sklearn':>9} {'peak MiB':>9}"
        )
        medians = {
            impl: statistics.median(r["samples_per_s"] for r in runs)
            for (wl, impl), runs in results.items()
            if wl == workload
        }
        for impl, median in medians.items():
            runs = results[(workload, impl)]
            speeds = [r["samples_per_s"] for r in runs]

            def ratio(other, runs=runs, workload=workload):
                # the median of the ratios within each round: the machine's speed drifts
                # between rounds, and both sides of a ratio ran in the same one
                if (workload, other) not in results:
                    return "-"
                pairs = zip(runs, results[(workload, other)], strict=True)
                per_round = [a["samples_per_s"] / b["samples_per_s"] for a, b in pairs]
                return f"{statistics.median(per_round):.2f}"

            peak = statistics.median(r["peak_mib"] for r in runs)
            paired = "-"
            if "paired" in runs[0]:
                paired = f"{statistics.median(r['paired'] for r in runs):.2f}"
            print(
                f"{impl:18} {median:19,.0f} {min(speeds):10,.0f}–{max(speeds):<10,.0f} "
                f"{ratio('gemm'):>7} {paired:>7} {ratio('torch'):>8} {ratio('sklearn'):>9} "
                f"{peak:9.0f}"
            )
        if any("paired" in results[(workload, impl)][0] for impl in medians):
            print(
                "paired: ÷ the products timed in the same process, alternating with its fits "
                "(median over the rounds)"
            )


if __name__ == "__main__":
    main()
