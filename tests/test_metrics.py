"""Metrics against their definitions and against scikit-learn's (an independent implementation)."""

import ast
import inspect

import numpy as np
import pytest
from sklearn import metrics as sk

from glassnet import Network
from glassnet import network as network_module
from glassnet.metrics import count_correct, metric_name, metric_value, r2_score, total_squares


def test_r2_score_against_definition():
    y = np.array([[1.0], [2.0], [4.0]])
    p = np.array([[1.5], [2.0], [3.0]])
    expected = 1 - (0.25 + 0 + 1) / ((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2)
    assert r2_score(((y - p) ** 2).sum(0), total_squares(y)) == pytest.approx(expected)


def test_r2_of_several_outputs_is_scikit_learns_uniform_average():
    rng = np.random.default_rng(0)
    Y, A = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    net = Network([2, 3], activations=["identity"], seed=0)
    name, value = metric_value(net, A, Y)
    assert (name, metric_name(net)) == ("r2", "r2")
    assert value == pytest.approx(sk.r2_score(Y, A), rel=1e-12)


def test_accuracy_of_a_softmax_classifier_is_scikit_learns():
    rng = np.random.default_rng(1)
    labels, A = rng.integers(0, 4, 40), rng.random((40, 4))
    net = Network([2, 4], activations=["softmax"], loss="cross_entropy", seed=0)
    Y = np.eye(4)[labels]
    assert count_correct(net, A, Y) == np.sum(A.argmax(1) == labels)
    name, value = metric_value(net, A, Y)
    assert (name, metric_name(net)) == ("accuracy", "accuracy")
    assert value == sk.accuracy_score(labels, A.argmax(1))


def test_a_sigmoid_output_counts_each_unit_at_one_half():
    net = Network([2, 2], activations=["sigmoid"], loss="binary_cross_entropy", seed=0)
    A = np.array([[0.9, 0.2], [0.4, 0.7]])
    Y = np.array([[1.0, 1.0], [0.0, 1.0]])
    # units right: (1, 0) of row 1, (1, 1) of row 2: 3 of 4, i.e. 1.5 examples
    assert count_correct(net, A, Y) == 1.5
    assert metric_value(net, A, Y) == ("accuracy", 0.75)
    assert metric_value(net, A, Y)[1] == sk.accuracy_score(Y.ravel(), A.ravel() > 0.5)


def test_the_network_takes_only_fit_from_training():
    # data flows network → train: evaluate takes its metric and checks from modules below
    # both; Network.fit hands over to train.fit, and History is a type hint only
    tree = ast.parse(inspect.getsource(network_module))
    taken = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "glassnet.train"
        for alias in node.names
    }
    assert taken == {"fit", "History"}
