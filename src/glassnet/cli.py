"""The ``glassnet`` command line.

``glassnet explain SPEC [--format text|markdown|json] [--precision N] [-o FILE]``
    One training step of the spec's network, every number shown.
``glassnet gradcheck SPEC [--format text|json] [--tolerance T]``
    Every analytic gradient against finite differences; exit 0 when all
    relative errors are below T (1e-6), 1 otherwise.
``glassnet train [--dataset NAME|PATH] [--spec SPEC] ... [--out DIR] [--json]``
    Train a network (see :mod:`glassnet.jobs`); with no arguments, on digits.
``glassnet predict MODEL DATA`` and ``glassnet evaluate MODEL DATA``
    Use a model that ``train --out`` saved.

Bad input (a spec mistake, a bad argument, an unwritable output, ``-o`` naming one of
the command's input files) prints one line ``glassnet: error: ...`` on stderr and exits
with code 2. Every command runs under ``np.errstate(all="ignore")``: a number that
overflows is shown (inf, nan) or refused in that one line, never as a RuntimeWarning.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from glassnet import __version__
from glassnet.errors import ArgumentError, GlassnetError, SpecError
from glassnet.render import FORMATS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and a GlassnetError, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # "glassnet: error: train: argument --lr: …", the program named once
        command = self.prog.removeprefix("glassnet").strip()
        raise ArgumentError(f"{command}: {message}" if command else message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="glassnet", description="Neural networks you can see through.")
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    explain = sub.add_parser("explain", help="show every number of one training step")
    explain.add_argument("spec", help="spec file (TOML)")
    explain.add_argument("--format", choices=FORMATS, default="text")
    explain.add_argument(
        "--precision",
        type=_precision,
        default=6,
        help="significant digits in text and markdown (default 6; json always has full "
        "precision, the html page 5 digits)",
    )
    explain.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    grad = sub.add_parser("gradcheck", help="check every gradient against finite differences")
    grad.add_argument("spec", help="spec file (TOML)")
    grad.add_argument("--format", choices=("text", "json"), default="text")
    grad.add_argument(
        "--tolerance",
        type=_tolerance,
        default=None,
        metavar="T",
        help="the largest relative error that passes (default 1e-6, at least 1e-10)",
    )

    check = sub.add_parser("check", help="check a hand calculation of a step")
    check.add_argument("spec", help="spec file (TOML)")
    check.add_argument("claims", nargs="?", help="claims file (TOML): the numbers you computed")
    check.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="of the report (default text)",
    )
    check.add_argument(
        "--template",
        action="store_true",
        help="write a blank claims file (TOML) for the spec instead; no CLAIMS, no --format",
    )
    check.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    diag = sub.add_parser(
        "diagnose", help="why a network does not learn: gradients, saturation, dead units, symmetry"
    )
    diag.add_argument("source", metavar="SPEC|MODEL", help="a spec file or a model.npz")
    diag.add_argument("--data", metavar="NAME|PATH", help="the data (a model needs it)")
    diag.add_argument("--target", metavar="COLUMN", help="the target column of a CSV file")
    diag.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    train = sub.add_parser("train", help="train a network on a dataset or a spec's examples")
    train.add_argument(
        "--dataset",
        default=None,
        metavar="NAME|PATH",
        help="digits (default), iris, wine, breast_cancer, diabetes, moons, "
        "circles, spiral, xor, or a .csv/.npz/.npy/IDX file",
    )
    train.add_argument("--target", metavar="COLUMN", help="the target column of a CSV file")
    train.add_argument(
        "--spec",
        metavar="SPEC",
        help="train the spec's network on its own examples, from its weights",
    )
    train.add_argument(
        "--hidden",
        type=_sizes,
        default=None,
        metavar="64,32",
        help="hidden layer sizes (default 256; 'none', '0' or '' for no hidden layer)",
    )
    train.add_argument("--activation", default=None, help="of the hidden layers (default relu)")
    train.add_argument(
        "--loss",
        default=None,
        help="default: cross_entropy (classes), half_squared_error (regression)",
    )
    train.add_argument(
        "--optimizer",
        default=None,
        choices=("sgd", "momentum", "nesterov", "adam", "rmsprop"),
        help="default adam; sgd (plain gradient descent) with --spec",
    )
    train.add_argument(
        "--lr",
        type=_positive_float,
        default=None,
        metavar="X",
        help="learning rate (default: the optimizer's, or the spec's)",
    )
    train.add_argument(
        "--epochs",
        type=_count,
        default=None,
        metavar="N",
        help="default 40, or more where 40 would make fewer than 1,600 updates (small "
        "datasets); with --spec, steps of full-batch descent (default 1000)",
    )
    train.add_argument(
        "--batch-size",
        type=_count,
        default=None,
        metavar="N",
        help="default 32; with --spec, the whole batch",
    )
    train.add_argument(
        "--dropout",
        type=_rate,
        default=None,
        metavar="P",
        help="dropout rate of the hidden layers (default 0.3; 0 with --spec)",
    )
    train.add_argument(
        "--scale",
        choices=("minmax", "standard", "none"),
        default=None,
        help="feature scaling fitted on the training set (default minmax)",
    )
    # (None, not 0, when not given: --resume refuses a --seed given, 0 too)
    train.add_argument("--seed", type=_seed, default=None, metavar="N", help="default 0")
    train.add_argument("--out", metavar="DIR", help="write the model, history, plots and report")
    train.add_argument(
        "--json", action="store_true", help="print the final metrics as one JSON object"
    )
    train.add_argument(
        "--checkpoint-every",
        type=_count,
        metavar="N",
        help="write a checkpoint every N epochs into OUT/checkpoints/",
    )
    train.add_argument(
        "--resume", metavar="DIR", help="continue the run in DIR from its last good checkpoint"
    )
    train.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: only at a terminal)",
    )

    predict = sub.add_parser("predict", help="predict with a saved model")
    predict.add_argument("model", help="a model.npz written by glassnet train")
    predict.add_argument("data", help="a dataset name or file (a CSV needs the feature columns)")
    predict.add_argument("--proba", action="store_true", help="class probabilities")
    predict.add_argument("-o", "--output", metavar="FILE", help="write the CSV here")

    evaluate = sub.add_parser("evaluate", help="loss and accuracy or R² of a saved model")
    evaluate.add_argument("model", help="a model.npz written by glassnet train")
    evaluate.add_argument("data", help="a dataset name or file with targets")
    evaluate.add_argument("--target", metavar="COLUMN", help="the target column of a CSV file")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none", "0"):
        return []
    try:
        if not text.isascii():  # ASCII digits, as every number argument (int() reads ３)
            raise ValueError(text)
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes such as 64,32, found '{text}'") from None
    from glassnet.jobs import MAX_UNITS

    if any(n < 1 or n > MAX_UNITS for n in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be from 1 to {MAX_UNITS}, found '{text}'")
    return sizes


def _argument(cast: type, *check: Any) -> Callable[[str], Any]:
    """An argparse type: ``cast(text)``, refused with ``expected`` unless ``ok``.

    ``check`` is ``(ok, expected)``, or the name of such a pair in :mod:`glassnet.jobs`
    (train's settings, checked there on --resume too), looked up only when an argument is
    parsed: the commands without them (explain) need not import the training jobs.
    """

    def parse(text: str) -> Any:
        if isinstance(check[0], str):
            from glassnet import jobs

            ok, expected = getattr(jobs, check[0])
        else:
            ok, expected = check
        try:  # ASCII digits, as a data file's cells (int() reads ３ and ٣ too)
            value = cast(text) if text.isascii() else None
        except ValueError:
            value = None
        if value is None or not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, found '{text}'")
        return value

    return parse


_precision = _argument(int, lambda v: 1 <= v <= 17, "1 to 17 significant digits")
_count = _argument(int, "COUNT")
_positive_float = _argument(float, "POSITIVE")
# gradcheck's MIN_TOLERANCE (not imported here: explain's start-up stays light)
_tolerance = _argument(float, lambda v: 1e-10 <= v < math.inf, "a number ≥ 1e-10")
_rate = _argument(float, "RATE")
_seed = _argument(int, "SEED")


def _explain(args: argparse.Namespace) -> int:
    from glassnet.render import get_renderer
    from glassnet.spec import load_spec

    _not_an_input(args.output, args.spec)
    trace = load_spec(args.spec).explain()
    # text, Markdown and the page from the Trace, which knows how the spec wrote its matrices
    methods = {"text": trace.to_text, "markdown": trace.to_markdown, "html": trace.to_html}
    own = methods.get(args.format)
    if own is not None:
        text = own(args.precision)
    else:
        text = get_renderer(args.format)(trace.to_dict(), precision=args.precision)
    if args.output is not None:
        _write(args.output, text)
    else:
        _print(text)
    return EXIT_OK


def _gradcheck(args: argparse.Namespace) -> int:
    from glassnet.gradcheck import TOLERANCE, format_result, gradcheck
    from glassnet.spec import load_spec

    spec = load_spec(args.spec)
    tolerance = TOLERANCE if args.tolerance is None else args.tolerance
    try:
        result = gradcheck(spec.network, spec.X, spec.Y, tolerance, spec.weights_layout)
    except ArgumentError as exc:  # the spec's numbers: named with its file
        raise SpecError(args.spec, "", str(exc)) from None
    if args.format == "json":
        from glassnet.render.json import json_text

        _print(json_text(result.to_dict()) + "\n")
    else:
        _print(format_result(result))
    return EXIT_OK if result.passed else EXIT_FAILED


def _check(args: argparse.Namespace) -> int:
    from glassnet.check import check, load_claims, template
    from glassnet.render.check import RENDERERS
    from glassnet.spec import load_spec

    if args.template and args.claims is not None:
        raise ArgumentError(
            f"check: --template writes a blank claims file; give it without {args.claims}"
        )
    if args.template and args.format is not None:
        raise ArgumentError("check: --template writes TOML; give it without --format")
    if not args.template and args.claims is None:
        raise ArgumentError("check: give a CLAIMS file, or --template")
    _not_an_input(args.output, args.spec, args.claims)
    spec = load_spec(args.spec)
    trace = spec.explain()
    if args.template:
        text = template(spec, trace)
        exit_code = EXIT_OK
    else:
        report = check(spec, load_claims(args.claims, spec, trace), trace)
        fmt = args.format or "text"
        color = fmt == "text" and not args.output and bool(sys.stdout and sys.stdout.isatty())
        if fmt == "html":
            text = trace.to_html(title=f"your worksheet for {spec.path}", check=report.to_dict())
        else:
            text = RENDERERS[fmt](report.to_dict(), color=color)
        exit_code = EXIT_OK if report.all_right else EXIT_FAILED
    if args.output is not None:
        _write(args.output, text)
    else:
        _print(text)
    return exit_code


def _diagnose(args: argparse.Namespace) -> int:
    from glassnet.jobs import diagnose_job
    from glassnet.render import diagnose as render
    from glassnet.render.json import json_text

    if args.target is not None and args.data is None:
        raise ArgumentError("diagnose: --target names a column of --data; give --data")
    result = diagnose_job(args.source, args.data, target=args.target)
    if args.format == "json":
        _print(json_text(result) + "\n")
    else:
        renderer = render.render_markdown if args.format == "markdown" else render.render_text
        _print(renderer(result))
    return EXIT_OK


def _train(args: argparse.Namespace) -> int:
    from glassnet.jobs import train_job
    from glassnet.render.json import json_text

    result = train_job(args)
    text = result.pop("_text")
    _print(json_text(result, ensure_ascii=False) + "\n" if args.json else text)
    return EXIT_OK


def _predict(args: argparse.Namespace) -> int:
    from glassnet.jobs import predict_job

    _not_an_input(args.output, args.model, args.data)
    text = predict_job(args.model, args.data, proba=args.proba)
    if args.output is not None:
        _write(args.output, text)
    else:
        _print(text)
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    from glassnet.jobs import evaluate_job
    from glassnet.render.json import json_text

    result = evaluate_job(args.model, args.data, target=args.target)
    if args.json:
        _print(json_text(result) + "\n")
    else:
        _print("".join(f"{k}: {v}\n" for k, v in result.items()))
    return EXIT_OK


def _print(text: str) -> None:
    """Write ``text`` to stdout, flushed: a full disk is one line of error, not a traceback.

    The stream is pointed at /dev/null after a failed write, so that Python's flush at
    exit does not fail again on what is left in its buffer.
    """
    if sys.stdout is None:  # (started with its standard output closed: >&-)
        raise ArgumentError(CLOSED)
    _utf8_when_redirected(sys.stdout)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # (main's: the reader went away)
        raise
    except UnicodeEncodeError as exc:  # a terminal that cannot show → or ℓ (written: none)
        raise ArgumentError(
            f"stdout: its encoding {exc.encoding} cannot write {exc.object[exc.start]!r}; "
            "set PYTHONIOENCODING=utf-8, or write to a file with -o (UTF-8)"
        ) from None
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError, AttributeError):  # (no descriptor)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise ArgumentError(f"stdout: cannot write: {exc.strerror}") from None


def _utf8_when_redirected(stream: Any) -> None:
    """Make a file or pipe that ``stream`` writes to UTF-8, as ``-o`` writes its files.

    Where Python's default is another encoding (cp1252 on Windows, ASCII under some
    locales), → and ℓ would not encode; a terminal keeps its own, and so does an
    encoding set with PYTHONIOENCODING.
    """
    encoding = str(getattr(stream, "encoding", "utf-8") or "utf-8")
    if codecs.lookup(encoding).name == "utf-8" or not hasattr(stream, "reconfigure"):
        return
    if os.environ.get("PYTHONIOENCODING", "").partition(":")[0]:  # an encoding asked for
        return  # is kept (":replace" names an error handler alone)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if not stream.isatty():
            stream.reconfigure(encoding="utf-8")


def _not_an_input(output: str | None, *inputs: str | None) -> None:
    """ArgumentError where ``-o`` is empty or names one of the command's input files."""
    if output == "":  # not taken for "no -o": a variable left empty in a script
        raise ArgumentError("-o: an empty file name; give a file's, or no -o for stdout")
    if output is None or not os.path.exists(output):
        return
    for name in inputs:
        if name is not None and os.path.exists(name) and os.path.samefile(output, name):
            raise ArgumentError(f"-o {output}: would overwrite the input {name}")


def _is_stdout(path: str) -> bool:
    """True where ``path`` is this process's standard output (/dev/stdout, /dev/fd/1)."""
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):  # (no such file; a stdout with no descriptor)
        return False


def _write(path: str, text: str) -> None:
    from glassnet.io import atomic_write_text, names_a_folder

    if names_a_folder(path):  # not a file named as the folder
        raise ArgumentError(f"-o {path}: ends as a folder's name (/ or /.); give a file's")
    if _is_stdout(path):  # /dev/stdout: through the stream, which may be a file opened
        _print(text)  # for appending, or shared with the shell's other writes
        return
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ArgumentError(f"-o {path}: cannot write: {exc.strerror}") from None


COMMANDS = {
    "check": "_check",
    "diagnose": "_diagnose",
    "explain": "_explain",
    "gradcheck": "_gradcheck",
    "train": "_train",
    "predict": "_predict",
    "evaluate": "_evaluate",
}


CLOSED = "stdout: cannot write: it is closed; give -o FILE, or redirect it (> /dev/null)"
CLOSED_NO_OUTPUT = "stdout: cannot write: it is closed; redirect it (> FILE or > /dev/null)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        if sys.stdout is None and getattr(args, "output", None) is None:
            # before the work, not after (train's files); -o only where the command has it
            raise ArgumentError(CLOSED if hasattr(args, "output") else CLOSED_NO_OUTPUT)
        # an overflow is said in the output (inf, nan, "not finite") or in one line of
        # error, not as NumPy's RuntimeWarning with a line of glassnet's source
        with np.errstate(all="ignore"):
            return globals()[COMMANDS[args.command]](args)
    except GlassnetError as exc:
        print(f"glassnet: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        text = str(exc)  # train's "interrupted at epoch E, batch K" says where
        where = f" {text.removeprefix('interrupted ')}" if text.startswith("interrupted ") else ""
        where = where or (f" ({text})" if text else "")
        hint = getattr(exc, "hint", "")  # train's: whether and how the run goes on
        print(f"glassnet: interrupted{where}" + (f"; {hint}" if hint else ""), file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `glassnet explain ... | head`
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
