"""glassnet: feed-forward neural networks trained by backpropagation that you can see through.

Every number of a training step can be shown, explained and checked; the same
engine (:mod:`glassnet.network`) trains, explains (:mod:`glassnet.trace`) and
is checked against finite differences (:mod:`glassnet.gradcheck`).
"""

from glassnet.activations import ACTIVATIONS, Activation, get_activation
from glassnet.errors import ArgumentError, GlassnetError, SpecError
from glassnet.gradcheck import GradcheckResult, gradcheck
from glassnet.losses import LOSSES, Loss, get_loss
from glassnet.network import Layer, Network
from glassnet.spec import Spec, load_spec, loads_spec, parse_spec
from glassnet.trace import LayerTrace, Trace, explain_step

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Activation",
    "ArgumentError",
    "GlassnetError",
    "GradcheckResult",
    "Layer",
    "LayerTrace",
    "Loss",
    "Network",
    "Spec",
    "SpecError",
    "Trace",
    "__version__",
    "explain_step",
    "get_activation",
    "get_loss",
    "gradcheck",
    "load_spec",
    "loads_spec",
    "parse_spec",
]
