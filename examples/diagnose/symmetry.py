"""Constant initialisation never breaks the symmetry; random initialisation does.

    python examples/diagnose/symmetry.py [OUT_DIR]

With every weight 0.5, all hidden units of a layer compute the same z, receive the same δ
and the same update: after 100 steps they are still identical (the symmetry finding names
them), and the network is no wider than one unit.
"""

from _common import Network, moons, np, out_dir, train_and_report

X, y = moons()
for name, init in (("constant_init", "constant:0.5"), ("random_init", "glorot_uniform")):
    net = Network(
        [2, 8, 2], activations=["tanh", "softmax"], loss="cross_entropy", init=init, seed=0
    )
    result = train_and_report(
        name, net, X, y, out_dir(), epochs=100, batch_size=None, optimizer="sgd", learning_rate=0.5
    )
    W = net.layers[0].W
    print(f"  hidden units identical after 100 steps: {bool(np.all(W[:, :1] == W))}")
