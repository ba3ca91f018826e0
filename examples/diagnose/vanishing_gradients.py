"""A 10-layer sigmoid network whose first layers do not learn, against relu + He init.

    python examples/diagnose/vanishing_gradients.py [OUT_DIR]

writes OUT_DIR/sigmoid_10_layers.png and OUT_DIR/relu_10_layers.png: the gradient norm of
every layer over the epochs. With sigmoid each layer multiplies δ by f'(z) ≤ 0.25 (and by
Wᵀ), so the first layer's gradient is orders of magnitude below the last one's
(vanishing_gradient); relu passes δ through its active units unchanged.
"""

from _common import Network, moons, out_dir, train_and_report

X, y = moons()
sizes = [2] + [16] * 9 + [2]
for name, act, init in (
    ("sigmoid_10_layers", "sigmoid", "glorot_uniform"),
    ("relu_10_layers", "relu", "he_normal"),
):
    net = Network(
        sizes, activations=[act] * 9 + ["softmax"], loss="cross_entropy", init=init, seed=0
    )
    train_and_report(name, net, X, y, out_dir(), epochs=30, optimizer="sgd", learning_rate=0.1)
