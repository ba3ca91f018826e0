"""The same data with and without biases: why biases matter.

    python examples/diagnose/biases.py [OUT_DIR]

Seed 001 "eliminated" its biases when differentiating. Without biases a relu network is
positively homogeneous, f(c·x) = c·f(x) for every c > 0, so the class it predicts is the
same all along each ray from the origin: it cannot tell the inner circle of `circles` from
the outer one, however long it trains. With biases it can.
"""

from _common import Network, out_dir, train_and_report

from glassnet import Callback
from glassnet.data import load_dataset


class FreezeBiases(Callback):
    """Keep every bias at 0: a network without biases."""

    def on_batch_end(self, state, batch, logs):
        for layer in state.network.layers:
            layer.b[:] = 0.0


data = load_dataset("circles")
for name, callbacks in (("without_biases", [FreezeBiases()]), ("with_biases", [])):
    net = Network([2, 32, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    train_and_report(
        name,
        net,
        data.X,
        data.y,
        out_dir(),
        callbacks=callbacks,
        epochs=100,
        optimizer="adam",
        learning_rate=0.01,
    )
