"""glassnet: feed-forward neural networks trained by backpropagation that you can see through.

Every number of a training step can be shown, explained and checked; the same
engine (:mod:`glassnet.network`) trains, explains (:mod:`glassnet.trace`) and
is checked against finite differences (:mod:`glassnet.gradcheck`).
"""

from glassnet.activations import ACTIVATIONS, Activation, get_activation, register_activation
from glassnet.errors import ArgumentError, DataError, GlassnetError, ModelError, SpecError
from glassnet.gradcheck import GradcheckResult, gradcheck
from glassnet.init import register_initializer
from glassnet.io import export_spec, load_model, save_model
from glassnet.losses import LOSSES, Loss, get_loss, register_loss
from glassnet.network import Layer, Network
from glassnet.optimizers import SGD, Adam, RMSProp
from glassnet.spec import Spec, load_spec, loads_spec, parse_spec
from glassnet.trace import LayerTrace, Trace, explain_step
from glassnet.train import Callback, EarlyStopping, History, LambdaCallback, TrainingError, fit

__version__ = "0.1.0"

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
