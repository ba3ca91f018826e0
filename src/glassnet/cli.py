"""The ``glassnet`` command line.

``glassnet explain SPEC [--format text|markdown|json] [--precision N] [-o FILE]``
    One training step of the spec's network, every number shown.
``glassnet gradcheck SPEC``
    Every analytic gradient against finite differences; exit 0 when all
    relative errors are below 1e-6, 1 otherwise.

Bad input (a spec mistake, a bad argument, an unwritable output) prints one
line ``glassnet: error: ...`` on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from glassnet import __version__
from glassnet.errors import ArgumentError, GlassnetError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and a GlassnetError, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ArgumentError(f"{self.prog}: {message}")


def _precision(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found '{text}'") from None
    if not 1 <= value <= 17:
        raise argparse.ArgumentTypeError(f"expected 1 to 17 significant digits, found {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="glassnet", description="Neural networks you can see through.")
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    explain = sub.add_parser("explain", help="show every number of one training step")
    explain.add_argument("spec", help="spec file (TOML)")
    explain.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    explain.add_argument(
        "--precision",
        type=_precision,
        default=6,
        help="significant digits in text and markdown (default 6; json always has full precision)",
    )
    explain.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    check = sub.add_parser("gradcheck", help="check every gradient against finite differences")
    check.add_argument("spec", help="spec file (TOML)")
    return parser


def _explain(args: argparse.Namespace) -> int:
    from glassnet.render import RENDERERS
    from glassnet.spec import load_spec

    trace = load_spec(args.spec).explain()
    text = RENDERERS[args.format](trace.to_dict(), precision=args.precision)
    if args.output:
        from glassnet.io import atomic_write_text

        try:
            atomic_write_text(args.output, text)
        except OSError as exc:
            raise ArgumentError(f"-o {args.output}: cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _gradcheck(args: argparse.Namespace) -> int:
    from glassnet.gradcheck import format_result, gradcheck
    from glassnet.spec import load_spec

    spec = load_spec(args.spec)
    result = gradcheck(spec.network, spec.X, spec.Y)
    sys.stdout.write(format_result(result))
    return EXIT_OK if result.passed else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        return {"explain": _explain, "gradcheck": _gradcheck}[args.command](args)
    except GlassnetError as exc:
        print(f"glassnet: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `glassnet explain ... | head`
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
