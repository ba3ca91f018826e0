"""A relu layer killed by a large negative bias: its units never come back.

    python examples/diagnose/dead_relu.py [OUT_DIR]

With a bias of −20 every z of the hidden layer is negative on every example, relu'(z) = 0,
so no gradient reaches the layer (dead_units) and the network cannot learn past its
output bias.
"""

from _common import Network, moons, out_dir, train_and_report

X, y = moons()
for name, bias in (("relu_killed_by_bias", -20.0), ("relu_healthy", 0.0)):
    net = Network([2, 16, 2], activations=["relu", "softmax"], loss="cross_entropy", seed=0)
    net.layers[0].b[:] = bias
    train_and_report(name, net, X, y, out_dir(), epochs=50, optimizer="adam", learning_rate=0.01)
