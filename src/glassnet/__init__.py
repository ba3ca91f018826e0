"""glassnet: feed-forward neural networks trained by backpropagation that you can see through.

Every number of a training step can be shown, explained and checked; the same
engine (:mod:`glassnet.network`) trains, explains (:mod:`glassnet.trace`) and
is checked against finite differences (:mod:`glassnet.gradcheck`).

The names below are imported from their modules on first use (PEP 562), so that
``import glassnet`` and the commands that need little (``glassnet explain``) do not
compile and import the training, file and check code they never call; only the
network and its gradient check are imported at once.
"""

import importlib as _importlib
import typing as _typing

# a function named as its module is bound now: were the module imported first (by
# `glassnet gradcheck`), the import system would have made `glassnet.gradcheck` the module
from glassnet.gradcheck import GradcheckResult, gradcheck

__version__ = "0.1.0"

# each public name and the module that defines it
_EXPORTS = {
    "glassnet.activations": ("ACTIVATIONS", "Activation", "get_activation", "register_activation"),
    "glassnet.errors": ("ArgumentError", "DataError", "GlassnetError", "ModelError", "SpecError"),
    "glassnet.init": ("register_initializer",),
    "glassnet.io": ("export_spec", "load_model", "save_model"),
    "glassnet.losses": ("LOSSES", "Loss", "get_loss", "register_loss"),
    "glassnet.network": ("Layer", "Network"),
    "glassnet.optimizers": ("SGD", "Adam", "RMSProp"),
    "glassnet.spec": ("Spec", "load_spec", "loads_spec", "parse_spec"),
    "glassnet.trace": ("LayerTrace", "Trace", "explain_step"),
    "glassnet.train": (
        "Callback",
        "EarlyStopping",
        "History",
        "LambdaCallback",
        "TrainingError",
        "TrainingState",
        "fit",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
# the package's other modules, attributes of it as they were when it imported them all
_SUBMODULES = (
    "activations",
    "blas",
    "check",
    "cli",
    "data",
    "diagnose",
    "errors",
    "init",
    "io",
    "jobs",
    "losses",
    "metrics",
    "network",
    "optimizers",
    "render",
    "sklearn",
    "spec",
    "trace",
    "train",
)

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "SGD",
    "Activation",
    "Adam",
    "ArgumentError",
    "Callback",
    "DataError",
    "EarlyStopping",
    "GlassnetError",
    "GradcheckResult",
    "History",
    "LambdaCallback",
    "Layer",
    "LayerTrace",
    "Loss",
    "ModelError",
    "Network",
    "RMSProp",
    "Spec",
    "SpecError",
    "Trace",
    "TrainingError",
    "TrainingState",
    "__version__",
    "explain_step",
    "export_spec",
    "fit",
    "get_activation",
    "get_loss",
    "gradcheck",
    "load_model",
    "load_spec",
    "loads_spec",
    "parse_spec",
    "register_activation",
    "register_initializer",
    "register_loss",
    "save_model",
]


def __getattr__(name: str) -> _typing.Any:
    if name in _SUBMODULES:
        return _importlib.import_module(f"glassnet.{name}")
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    dunders = [name for name in globals() if name.startswith("__")]
    return sorted({*__all__, *_SUBMODULES, *dunders})


if _typing.TYPE_CHECKING:  # the same names, for type checkers and editors
    from glassnet.activations import ACTIVATIONS, Activation, get_activation, register_activation
    from glassnet.errors import ArgumentError, DataError, GlassnetError, ModelError, SpecError
    from glassnet.init import register_initializer
    from glassnet.io import export_spec, load_model, save_model
    from glassnet.losses import LOSSES, Loss, get_loss, register_loss
    from glassnet.network import Layer, Network
    from glassnet.optimizers import SGD, Adam, RMSProp
    from glassnet.spec import Spec, load_spec, loads_spec, parse_spec
    from glassnet.trace import LayerTrace, Trace, explain_step
    from glassnet.train import (
        Callback,
        EarlyStopping,
        History,
        LambdaCallback,
        TrainingError,
        TrainingState,
        fit,
    )
