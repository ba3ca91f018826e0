"""Coverage-guided fuzzing of the spec and claims parsers with atheris (libFuzzer).

    pip install atheris
    python fuzz/fuzz_inputs.py -atheris_runs=100000          # spec files
    python fuzz/fuzz_inputs.py --claims -atheris_runs=100000 # claims files

Any exception other than a GlassnetError is a crash that libFuzzer reports with the input
that caused it. The property-based tests (tests/test_fuzz.py) cover the same contract in
the test suite.
"""

import sys

import atheris

with atheris.instrument_imports():
    from glassnet.check import check, parse_claims
    from glassnet.errors import GlassnetError
    from glassnet.spec import loads_spec

CLAIMS = "--claims" in sys.argv
if CLAIMS:
    sys.argv.remove("--claims")
    SPEC = loads_spec(
        'input = [0.1, 0.2, 0.7]\ntarget = [1.0, 0.0]\nloss = "cross_entropy"\n'
        '[[layer]]\nactivation = "tanh"\nunits = 3\n[[layer]]\nactivation = "softmax"\n'
        "units = 2\n",
        "fuzz.toml",
    )
    TRACE = SPEC.explain()


def one_input(data: bytes) -> None:
    """Read one input as a spec (or claims) file: it works or is a GlassnetError."""
    text = data.decode("utf-8", errors="replace")
    try:
        if CLAIMS:
            check(SPEC, parse_claims(text, SPEC, TRACE, "fuzz-claims.toml"), TRACE)
        else:
            loads_spec(text, "fuzz.toml").explain()
    except GlassnetError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
