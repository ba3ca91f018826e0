"""glassnet.sklearn: scikit-learn's estimator checks, parity with scikit-learn's MLP, extras."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from scipy import sparse  # noqa: E402
from sklearn import neural_network as sk  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_diabetes,
    load_digits,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from glassnet.network import Network  # noqa: E402
from glassnet.sklearn import InvScaling, MLPClassifier, MLPRegressor  # noqa: E402

# Short runs stop at max_iter on purpose; scikit-learn warns then, and so do we.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# --- scikit-learn's own estimator checks ------------------------------------------------


ESTIMATORS = [
    # the settings scikit-learn's own test suite gives its MLPs
    MLPClassifier(max_iter=100),
    MLPRegressor(max_iter=100),
    # sgd with Nesterov momentum, two hidden layers of different activations, dropout
    MLPClassifier(
        hidden_layer_sizes=(32, 16),
        activations=["tanh", "relu"],
        solver="sgd",
        learning_rate_init=0.05,
        max_iter=100,
        dropout=0.1,
    ),
    MLPRegressor(solver="sgd", learning_rate="adaptive", learning_rate_init=0.01, max_iter=100),
]
# scikit-learn before 1.8 gives parametrize a generator, which pytest 9 deprecates
# (PytestRemovedIn10Warning, an error under filterwarnings = error): pass it as a list
CHECKS = parametrize_with_checks(ESTIMATORS)


@pytest.mark.parametrize(CHECKS.args[0], list(CHECKS.args[1]), **CHECKS.kwargs)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --- data ------------------------------------------------------------------------------


def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, stratify=y, random_state=0)


def diabetes_split():
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    sx = StandardScaler().fit(X_train)
    sy = StandardScaler().fit(y_train[:, None])
    return (
        sx.transform(X_train),
        sx.transform(X_test),
        sy.transform(y_train[:, None]).ravel(),
        sy.transform(y_test[:, None]).ravel(),
    )


def small_data(kind):
    if kind == "multiclass":
        return make_classification(150, 8, n_informative=5, n_classes=3, random_state=0)
    if kind == "binary":
        return make_classification(150, 8, random_state=1)
    if kind == "multilabel":
        return make_multilabel_classification(150, 8, n_classes=4, random_state=0)
    X, y = make_regression(150, 8, n_targets=2, noise=1.0, random_state=0)
    return X, y / y.std(axis=0)


def both(kind):
    return (
        (sk.MLPRegressor, MLPRegressor)
        if kind == "regression"
        else (
            sk.MLPClassifier,
            MLPClassifier,
        )
    )


def assert_same_fit(theirs, ours, atol=1e-10):
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12, atol=atol)
    for a, b in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True
    ):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=atol)


# --- the same results as scikit-learn ------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_digits_accuracy_matches_sklearn(solver):
    X_train, X_test, y_train, y_test = digits_split()
    params = dict(hidden_layer_sizes=(64,), max_iter=200, random_state=0, solver=solver)
    theirs = sk.MLPClassifier(**params).fit(X_train, y_train).score(X_test, y_test)
    ours = MLPClassifier(**params).fit(X_train, y_train).score(X_test, y_test)
    assert ours > 0.9
    assert abs(ours - theirs) <= 0.01, (ours, theirs)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_diabetes_r2_matches_sklearn(solver):
    X_train, X_test, y_train, y_test = diabetes_split()
    params = dict(hidden_layer_sizes=(32,), max_iter=200, random_state=0, solver=solver)
    theirs = sk.MLPRegressor(**params).fit(X_train, y_train).score(X_test, y_test)
    ours = MLPRegressor(**params).fit(X_train, y_train).score(X_test, y_test)
    assert ours > 0.2
    assert abs(ours - theirs) <= 0.05, (ours, theirs)


PARITY = [
    (kind, dict(solver=solver, learning_rate=schedule, early_stopping=early))
    for kind in ("multiclass", "binary", "multilabel", "regression")
    for solver, schedule in (
        ("adam", "constant"),
        ("sgd", "constant"),
        ("sgd", "invscaling"),
        ("sgd", "adaptive"),
    )
    for early in (False, True)
]


@pytest.mark.parametrize(("kind", "params"), PARITY)
def test_same_weights_as_sklearn_without_shuffling(kind, params):
    """Without shuffling (the one draw the two make differently) the fits are the same.

    Same initial weights, same batches (32 does not divide 150 nor the training part,
    so the last partial batch tests the L2 term), same updates, same loss curve, same
    stopping, same validation split, same restored weights.
    """
    X, y = small_data(kind)
    theirs_cls, ours_cls = both(kind)
    common = dict(
        hidden_layer_sizes=(12, 7),
        activation="tanh" if kind == "regression" else "logistic",
        max_iter=60,
        random_state=0,
        shuffle=False,
        batch_size=32,
        alpha=0.01,
        tol=1e-3,
        n_iter_no_change=3,
        learning_rate_init=0.01,
        **params,
    )
    theirs = theirs_cls(**common).fit(X, y)
    ours = ours_cls(**common).fit(X, y)
    assert_same_fit(theirs, ours)
    assert ours.out_activation_ == theirs.out_activation_
    if params["early_stopping"]:
        assert ours.best_loss_ is None and theirs.best_loss_ is None
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_, atol=1e-10)
        assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_)
    else:
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-12)
        assert ours.validation_scores_ is None and ours.best_validation_score_ is None
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-9)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
def test_warm_start_and_partial_fit_match_sklearn(solver, schedule):
    X, y = small_data("multiclass")
    common = dict(
        hidden_layer_sizes=(10,),
        max_iter=15,
        random_state=0,
        shuffle=False,
        batch_size=40,
        solver=solver,
        learning_rate=schedule,
        learning_rate_init=0.05,
    )
    theirs = sk.MLPClassifier(warm_start=True, **common)
    ours = MLPClassifier(warm_start=True, **common)
    for _ in range(3):
        theirs.fit(X, y)
        ours.fit(X, y)
    assert_same_fit(theirs, ours, atol=1e-9)

    theirs, ours = sk.MLPClassifier(**common), MLPClassifier(**common)
    for start in (0, 50, 100, 0, 50, 100):
        part = slice(start, start + 50)
        theirs.partial_fit(X[part], y[part], classes=[0, 1, 2])
        ours.partial_fit(X[part], y[part], classes=[0, 1, 2])
    assert_same_fit(theirs, ours)


@pytest.mark.parametrize("activation", ["relu", "logistic"])
def test_initial_weights_are_sklearns_draw(activation):
    """Glorot uniform, factor 6 (2 for logistic), weights then biases of each layer."""
    X, y = small_data("multiclass")
    clf = MLPClassifier(
        (5, 4), activation=activation, random_state=3, max_iter=1, learning_rate_init=1e-12
    ).fit(X, y)
    rs = np.random.RandomState(3)
    factor = 2.0 if activation == "logistic" else 6.0
    for n_in, n_out, W, b in zip([8, 5, 4], [5, 4, 3], clf.coefs_, clf.intercepts_, strict=True):
        bound = np.sqrt(factor / (n_in + n_out))
        np.testing.assert_allclose(W, rs.uniform(-bound, bound, (n_in, n_out)), atol=1e-9)
        np.testing.assert_allclose(b, rs.uniform(-bound, bound, n_out), atol=1e-9)


# --- fitted attributes -----------------------------------------------------------------


def test_fitted_attributes():
    X, y = small_data("multiclass")
    clf = MLPClassifier(hidden_layer_sizes=(6, 5), max_iter=20, random_state=0).fit(X, y)
    assert isinstance(clf.network_, Network)
    assert clf.network_.sizes == [8, 6, 5, 3]
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 3 and clf.n_features_in_ == 8
    assert clf.out_activation_ == "softmax"
    assert [W.shape for W in clf.coefs_] == [(8, 6), (6, 5), (5, 3)]
    assert [b.shape for b in clf.intercepts_] == [(6,), (5,), (3,)]
    for layer, W, b in zip(clf.network_.layers, clf.coefs_, clf.intercepts_, strict=True):
        assert layer.W is W and layer.b is b  # the network's own arrays
    assert clf.n_iter_ == 20 == len(clf.loss_curve_)
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.t_ == 20 * 150
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])

    binary = MLPClassifier((4,), max_iter=5, random_state=0).fit(*small_data("binary"))
    assert binary.out_activation_ == "logistic" and binary.n_outputs_ == 1
    assert binary.network_.loss.name == "binary_cross_entropy"
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(
        *small_data("regression")
    )
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 2
    assert reg.network_.loss.name == "half_squared_error"


def test_float32_stays_float32():
    X, y = small_data("multiclass")
    X32 = X.astype(np.float32)
    clf = MLPClassifier((8,), max_iter=10, random_state=0).fit(X32, y)
    assert clf.network_.dtype == np.float32
    assert all(W.dtype == np.float32 for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X32).dtype == np.float32
    assert clf.predict_proba(X).dtype == np.float32
    assert np.isfinite(clf.loss_curve_).all()

    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=10, random_state=0).fit(
        X32, y.astype(np.float32)
    )
    assert reg.predict(X32).dtype == np.float32

    # anything else becomes float64; dtype forces either
    assert MLPClassifier((4,), max_iter=2).fit(X.astype(int), y).coefs_[0].dtype == np.float64
    forced = MLPClassifier((4,), max_iter=2, dtype="float32").fit(X, y)
    assert forced.coefs_[0].dtype == np.float32
    up = MLPClassifier((4,), max_iter=2, dtype="float64").fit(X32, y)
    assert up.coefs_[0].dtype == np.float64


@pytest.mark.parametrize("kind", ["multiclass", "regression"])
def test_same_random_state_same_fit_bit_for_bit(kind):
    X, y = small_data(kind)
    _, cls = both(kind)
    params = dict(hidden_layer_sizes=(16, 8), max_iter=15, dropout=0.2, shuffle=True)
    a = cls(random_state=7, **params).fit(X, y)
    b = cls(random_state=7, **params).fit(X, y)
    assert a.loss_curve_ == b.loss_curve_
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(u, v)
    c = cls(random_state=8, **params).fit(X, y)
    assert c.loss_curve_ != a.loss_curve_


def test_warm_start_continues():
    X, y = small_data("multiclass")
    clf = MLPClassifier((16,), max_iter=10, random_state=0, warm_start=True, tol=0)
    clf.fit(X, y)
    first = list(clf.loss_curve_)
    W0 = clf.coefs_[0].copy()
    clf.fit(X, y)
    assert clf.n_iter_ == 10  # epochs of the last call, as scikit-learn
    assert clf.t_ == 20 * 150  # samples seen in all
    assert clf.loss_curve_[:10] == first and len(clf.loss_curve_) == 20
    assert clf.loss_curve_[10] < first[0] and clf.loss_curve_[-1] < first[-1]
    assert not np.array_equal(clf.coefs_[0], W0)

    cold = MLPClassifier((16,), max_iter=10, random_state=0, tol=0).fit(X, y).fit(X, y)
    assert cold.loss_curve_ == first  # without warm_start a fit starts over

    with pytest.raises(ValueError, match="warm_start can only be used"):
        clf.fit(X[y != 2], y[y != 2])


def test_partial_fit_over_several_calls():
    X, y = small_data("multiclass")
    clf = MLPClassifier((16,), random_state=0, learning_rate_init=0.01)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=np.array([0, 1, 2]))
    for _ in range(20):
        for start in range(0, 150, 50):
            clf.partial_fit(X[start : start + 50], y[start : start + 50])
    assert clf.n_iter_ == 1
    assert clf.t_ == 50 * 61 and len(clf.loss_curve_) == 61
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] / 2
    assert clf.score(X, y) > 0.8
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X[:3], np.array([0, 1, 5]))
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])

    reg = MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    Xr, yr = small_data("regression")
    for _ in range(3):
        reg.partial_fit(Xr, yr)
    assert reg.t_ == 450 and reg.predict(Xr).shape == (150, 2)


def test_early_stopping_records_validation():
    X, y = small_data("multiclass")
    clf = MLPClassifier((16,), max_iter=300, early_stopping=True, random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ < 300
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    assert all(0 <= s <= 1 for s in clf.validation_scores_)

    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, early_stopping=True, random_state=0)
    reg.fit(*small_data("regression"))
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPClassifier(early_stopping=True, validation_fraction=0.01).fit(X[:20], y[:20])


def test_convergence_warning_only_when_max_iter_reached():
    X, y = small_data("multiclass")
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPClassifier((4,), max_iter=300, tol=10.0, random_state=0).fit(X, y)
    assert clf.n_iter_ == 12  # the loss "did not improve by 10" for 11 epochs: stop


def test_adaptive_divides_the_learning_rate_by_five():
    X, y = small_data("multiclass")
    clf = MLPClassifier(
        (4,), solver="sgd", learning_rate="adaptive", tol=10.0, n_iter_no_change=2, max_iter=9
    )
    clf.set_params(random_state=0).fit(X, y)
    # no improvement by 10 after epoch 1: more than 2 such epochs at epochs 4 and 7,
    # where η is divided by 5 (and the count restarts) instead of stopping
    assert clf.n_iter_ == 9
    assert clf._optimizer.learning_rate == pytest.approx(0.001 / 5**2)


def test_invscaling_schedule():
    schedule = InvScaling(power_t=0.5, samples_per_epoch=3)
    assert schedule.rate(0.1, 0.1, 0, []) == 0.1
    assert schedule.rate(0.1, 0.1, 1, []) == pytest.approx(0.1 / 2)
    assert schedule.rate(0.1, 0.1, 5, []) == pytest.approx(0.1 / 4)
    carry_on = InvScaling(power_t=1.0, samples_per_epoch=10, samples_seen=9, restart=False)
    assert carry_on.rate(1.0, 0.5, 0, []) == pytest.approx(0.1)


# --- parameters ------------------------------------------------------------------------


def test_lbfgs_is_refused():
    X, y = small_data("multiclass")
    with pytest.raises(ValueError, match=r"lbfgs.*not supported"):
        MLPClassifier(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match=r"lbfgs.*not supported"):
        MLPRegressor(solver="lbfgs").fit(*small_data("regression"))
    with pytest.raises(ValueError, match="poisson"):
        MLPRegressor(loss="poisson").fit(*small_data("regression"))


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("solver", "newton"),
        ("activation", "swish"),
        ("alpha", -1.0),
        ("batch_size", 0),
        ("learning_rate", "cyclic"),
        ("learning_rate_init", 0.0),
        ("max_iter", 0),
        ("momentum", 1.5),
        ("validation_fraction", 1.0),
        ("beta_1", 1.0),
        ("epsilon", 0.0),
        ("n_iter_no_change", 0),
        ("hidden_layer_sizes", (10, 0)),
        ("activations", ["relu", "tanh"]),
        ("dropout", 1.0),
        ("dtype", "int32"),
        ("loss", "no_such_loss"),
    ],
)
def test_bad_parameters_raise_value_error(param, value):
    X, y = small_data("multiclass")
    with pytest.raises(ValueError):
        MLPClassifier(**{"max_iter": 2, param: value}).fit(X, y)


def test_an_unknown_loss_is_named_with_the_known_ones():
    X, y = small_data("multiclass")
    with pytest.raises(
        ValueError,
        match=r"^loss: unknown loss 'crossentropy' \(did you mean "
        r"'cross_entropy'\?\); known: binary_cross_entropy, cross_entropy",
    ):
        MLPClassifier(max_iter=2, loss="crossentropy").fit(X, y)
    with pytest.raises(ValueError, match=r"^loss: unknown loss 'hubr'; known: "):
        MLPRegressor(max_iter=2, loss="hubr").fit(X, y.astype(float))


def test_early_stopping_needs_a_validation_fraction_above_0():
    X, y = small_data("multiclass")
    MLPClassifier(max_iter=2, validation_fraction=0.0).fit(X, y)  # unused without it
    said = r"^The 'validation_fraction' parameter must be .*\(0.*\(with early_stopping=True\)$"
    with pytest.raises(ValueError, match=said):
        MLPClassifier(max_iter=2, early_stopping=True, validation_fraction=0.0).fit(X, y)


def test_a_diverging_fit_says_where_its_loss_was_not_finite():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40) * 1e160  # (y² overflows)
    net = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0, shuffle=False)
    with pytest.raises(ValueError, match=r"^Solver produced a non-finite loss: .*first batch"):
        net.fit(X, y)
    # the last update of the last epoch overflowing leaves non-finite weights: said so
    X, y = rng.normal(size=(40, 3)) * 1e5, rng.normal(size=40) * 1e5
    net = MLPRegressor(
        hidden_layer_sizes=(8,),
        random_state=0,
        shuffle=False,
        solver="sgd",
        momentum=0,
        learning_rate_init=1e300,
        batch_size=40,
        max_iter=1,
    )
    with pytest.raises(ValueError, match=r"^Solver produced non-finite parameter weights: "):
        net.fit(X, y)
    assert not all(np.isfinite(c).all() for c in net.coefs_)


def test_defaults_are_sklearns():
    ours, theirs = MLPClassifier().get_params(), sk.MLPClassifier().get_params()
    assert {k: ours[k] for k in theirs} == theirs
    ours, theirs = MLPRegressor().get_params(), sk.MLPRegressor().get_params()
    assert {k: ours[k] for k in theirs} == theirs


# --- predictions -----------------------------------------------------------------------


def test_predict_proba_rows_sum_to_one():
    for kind, n_classes in (("multiclass", 3), ("binary", 2)):
        X, y = small_data(kind)
        clf = MLPClassifier((8,), max_iter=30, random_state=0).fit(X, y)
        proba = clf.predict_proba(X)
        assert proba.shape == (150, n_classes)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
        np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_string_labels_and_multilabel():
    X, y = small_data("multiclass")
    labels = np.array(["cat", "dog", "eel"])[y]
    clf = MLPClassifier((16,), max_iter=200, random_state=0).fit(X, labels)
    assert set(clf.predict(X)) <= {"cat", "dog", "eel"} and clf.score(X, labels) > 0.8

    Xm, Y = small_data("multilabel")
    multi = MLPClassifier((32,), max_iter=200, random_state=0).fit(Xm, Y)
    assert multi.out_activation_ == "logistic"
    assert multi.predict(Xm).shape == Y.shape and multi.predict_proba(Xm).shape == Y.shape
    assert multi.network_.loss.name == "binary_cross_entropy"


def test_regressor_output_shapes():
    X, Y = small_data("regression")
    assert MLPRegressor(hidden_layer_sizes=(8,), max_iter=5).fit(X, Y[:, 0]).predict(X).shape == (
        150,
    )
    assert MLPRegressor(hidden_layer_sizes=(8,), max_iter=5).fit(X, Y).predict(X).shape == (150, 2)
    with pytest.warns(DataConversionWarning):
        column = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5).fit(X, Y[:, :1])
    assert column.predict(X).shape == (150,)


def test_sparse_input_is_the_same_as_dense():
    X, y = small_data("multiclass")
    X[np.abs(X) < 1] = 0
    dense = MLPClassifier((8,), max_iter=10, random_state=0).fit(X, y)
    sparse_fit = MLPClassifier((8,), max_iter=10, random_state=0).fit(sparse.csr_matrix(X), y)
    np.testing.assert_allclose(sparse_fit.coefs_[0], dense.coefs_[0])
    np.testing.assert_allclose(
        dense.predict_proba(sparse.csc_matrix(X)), dense.predict_proba(X), rtol=1e-12
    )


def test_replaced_coefs_are_used():
    X, y = small_data("multiclass")
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    clf.coefs_ = [np.zeros_like(W) for W in clf.coefs_]
    clf.intercepts_ = [np.zeros_like(b) for b in clf.intercepts_]
    np.testing.assert_allclose(clf.predict_proba(X[:4]), 1 / 3)


def test_pickle_round_trip():
    X, y = small_data("multiclass")
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert again.coefs_[0] is again.network_.layers[0].W


def test_feature_names_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    X, y = small_data("multiclass")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    clf = MLPClassifier((4,), max_iter=3).fit(frame, y)
    assert list(clf.feature_names_in_) == list(frame.columns)


def test_verbose_prints_the_loss(capsys):
    X, y = small_data("multiclass")
    MLPClassifier((4,), max_iter=2, verbose=True, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Iteration 2, loss = " in out


# --- glassnet's extras -----------------------------------------------------------------


def test_activations_per_layer():
    X, y = small_data("multiclass")
    clf = MLPClassifier(
        hidden_layer_sizes=(12, 8, 6),
        activations=["tanh", "logistic", "leaky_relu"],
        max_iter=50,
        random_state=0,
    ).fit(X, y)
    names = [layer.activation.name for layer in clf.network_.layers]
    assert names == ["tanh", "sigmoid", "leaky_relu", "softmax"]
    assert clf.score(X, y) > 0.6


def test_dropout_trains_differently_and_still_learns():
    X, y = small_data("multiclass")
    params = dict(hidden_layer_sizes=(32,), max_iter=200, random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    dropped = MLPClassifier(dropout=0.3, **params).fit(X, y)
    assert dropped.loss_curve_ != plain.loss_curve_
    assert dropped.score(X, y) > 0.75
    # prediction is deterministic (no dropout outside training)
    np.testing.assert_array_equal(dropped.predict_proba(X), dropped.predict_proba(X))


def test_out_activation_and_loss_extras():
    X, y = small_data("binary")
    clf = MLPClassifier(
        (8,), out_activation="softmax", loss="cross_entropy", max_iter=50, random_state=0
    )
    clf.fit(X, np.eye(2, dtype=int)[y])  # one-hot rows: a 2-label indicator matrix
    assert clf.network_.output_activation.name == "softmax"
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)

    Xr, yr = small_data("regression")
    reg = MLPRegressor(loss="mean_squared_error", out_activation="tanh", max_iter=20)
    reg.fit(Xr, np.tanh(yr))
    assert reg.network_.loss.name == "mean_squared_error"
    assert reg.out_activation_ == "tanh"
    assert np.abs(reg.predict(Xr)).max() <= 1.0


def test_keyboard_interrupt_keeps_the_model(monkeypatch):
    import glassnet.sklearn as glassnet_sklearn

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(glassnet_sklearn, "train_fit", interrupted)
    X, y = small_data("multiclass")
    with pytest.warns(UserWarning, match="interrupted by user"):
        clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(X, y)
    assert clf.predict(X).shape == (150,)


def test_regressor_first_positional_is_loss():
    X, y = small_data("regression")
    with pytest.raises(ValueError, match="first positional parameter is loss"):
        MLPRegressor((8,)).fit(X, y)


@pytest.mark.parametrize(
    "y",
    [
        np.array([3, 1, 2, 3, 1, 7]),
        np.array(["b", "a", "c", "a", "c", "b"]),
        np.array([1.0, 3.0, 1.0, 2.0, 3.0, 2.0]),
        np.array([-5, 900, 7, -5, 7, 900], dtype=np.int16),
        np.array([-100, 100, 5, 100, -100, 5], dtype=np.int8),
        np.array([2, 0, 2, 0, 2, 2], dtype=np.uint8),
        np.array([4, 4, 4, 4, 4, 4], dtype=np.int32),
        np.array([0, 2**40, 0, 2**40, 0, 1]),
        np.array([2**63, 2**63 + 1, 2**63, 2**63 + 7, 2**63 + 1, 2**63], dtype=np.uint64),
    ],
)
def test_one_hot_targets_are_label_binarizers(y):
    from sklearn.preprocessing import LabelBinarizer

    X = np.arange(12.0).reshape(6, 2)
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=1)
    _, Y = clf._validate_input(X, y, incremental=False, reset=True)
    lb = LabelBinarizer().fit(y)
    np.testing.assert_array_equal(Y, lb.transform(y))
    if lb.y_type_ == "multiclass":  # made directly in X's dtype
        assert Y.dtype == X.dtype
    # classes_ as LabelBinarizer finds them, dtype included, whichever way they were found
    np.testing.assert_array_equal(clf.classes_, lb.classes_)
    assert clf.classes_.dtype == lb.classes_.dtype
    assert clf._label_binarizer.y_type_ == lb.y_type_


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint64])
def test_counted_labels_are_the_sorted_unique_ones(dtype):
    from glassnet.sklearn import _count_labels

    rng = np.random.default_rng(0)
    y = rng.choice(np.array([3, 9, 0, 42, 17], dtype=dtype), size=500)
    classes, index = _count_labels(y)
    np.testing.assert_array_equal(classes, np.unique(y))
    assert classes.dtype == y.dtype
    np.testing.assert_array_equal(classes[index], y)


@pytest.mark.parametrize(
    "y",
    [
        np.array([1.0, 2.0]),  # not integers: scikit-learn's own checks
        np.array([0, 10**9]),  # a range far wider than y: sorting is cheaper
        np.array([[0, 1], [1, 0]]),
        np.array(["a", "b"]),
        np.array([True, False]),
        np.array([], dtype=np.int64),
    ],
)
def test_labels_not_counted(y):
    from glassnet.sklearn import _count_labels

    assert _count_labels(y) is None


def test_partial_fit_with_some_classes_one_hot_rows_by_position():
    X, y = small_data("multiclass")
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    some = y != 1
    _, Y = clf._validate_input(X[some], y[some], incremental=True, reset=False)
    np.testing.assert_array_equal(Y.argmax(axis=1), np.searchsorted(clf.classes_, y[some]))


@pytest.mark.parametrize("make", ["dense", "fortran", "sparse", "float64"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_same_error_as_sklearn(make, bad):
    X, y = small_data("multiclass")
    X = X.astype(np.float64 if make == "float64" else np.float32)
    X[3, 1] = bad
    if make == "fortran":
        X = np.asfortranarray(X)
    elif make == "sparse":
        X = sparse.csr_matrix(X)
    with pytest.raises(ValueError) as theirs:
        sk.MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(X, y)
    with pytest.raises(ValueError) as ours:
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(X, y)
    assert str(ours.value) == str(theirs.value)
    fitted = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5).fit(*small_data("multiclass"))
    with pytest.raises(ValueError, match="Input X contains"):
        fitted.predict(X)


def test_finiteness_is_checked_by_the_row_sums(monkeypatch):
    import glassnet.sklearn as gs

    asked = []

    def recording(*args, **kwargs):
        asked.append(kwargs["ensure_all_finite"])
        return sklearn_validate_data(*args, **kwargs)

    from sklearn.utils.validation import validate_data as sklearn_validate_data

    monkeypatch.setattr(gs, "validate_data", recording)
    X, y = small_data("multiclass")
    X = X.astype(np.float32)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    assert asked == [False]  # finite rows: scikit-learn's pass over X not needed
    # finite numbers whose row sums overflow, and data to convert: scikit-learn decides
    huge = np.full((2, X.shape[1]), np.finfo(np.float32).max, dtype=np.float32)
    with np.errstate(all="ignore"):
        clf.predict_proba(huge)
        clf.predict_proba(X.tolist())
    assert asked == [False, True, True]


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_a_failed_check_leaves_the_estimator_as_sklearn_does(kind):
    X, y = small_data("multiclass" if kind == "classification" else "regression")
    bad = X.copy()
    bad[0, 0] = np.nan
    theirs_cls, ours_cls = both(kind)
    kw = {"hidden_layer_sizes": (4,), "max_iter": 5}

    def attempt(make, *args):
        estimator = make()
        try:
            estimator.fit(*args)
        except ValueError as error:
            return estimator, str(error)
        return estimator, None

    # a first fit that fails sets nothing
    for args in [(bad, y), (bad, y[:-1])]:  # NaN alone, and NaN with a length mismatch
        theirs, their_error = attempt(lambda: theirs_cls(**kw), *args)
        ours, our_error = attempt(lambda: ours_cls(**kw), *args)
        assert our_error == their_error
        assert set(vars(ours)) == set(vars(ours_cls(**kw)))
    # a refit that fails keeps the fitted estimator usable
    ours = ours_cls(**kw).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        ours.fit(np.full((10, X.shape[1] + 2), np.nan), y[:10])
    assert ours.n_features_in_ == X.shape[1]
    assert ours.predict(X).shape[0] == len(X)
    # NaN in data of the wrong width: the NaN is reported first, as scikit-learn does
    theirs = theirs_cls(**kw).fit(X, y)
    wide = np.full((2, X.shape[1] + 1), np.nan)
    with pytest.raises(ValueError) as their_error:
        theirs.predict(wide)
    with pytest.raises(ValueError) as our_error:
        ours.predict(wide)
    assert str(our_error.value) == str(their_error.value).replace(
        type(theirs).__name__, type(ours).__name__
    )


def test_assume_finite_is_honoured():
    import sklearn

    X, y = small_data("multiclass")
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict(bad)
    with sklearn.config_context(assume_finite=True):
        assert clf.predict_proba(bad)[1:].shape == (len(X) - 1, clf.n_outputs_)


def _three_classes():
    from sklearn.datasets import make_classification

    return make_classification(200, 5, n_informative=3, n_classes=3, random_state=0)


def test_numpy_numbers_in_a_grid_are_parameters_like_floats():
    X, y = _three_classes()
    for params in (
        {"learning_rate_init": np.float32(0.01)},
        {"learning_rate_init": np.int64(1), "solver": "sgd"},
        {"early_stopping": True, "validation_fraction": np.float32(0.2)},
        {"dropout": np.array(0.1)},
    ):
        # trained as with the same numbers as Python's int and float
        plain = {
            k: v.item() if isinstance(v, np.generic | np.ndarray) else v for k, v in params.items()
        }
        given = MLPClassifier(max_iter=3, random_state=0, **params).fit(X, y)
        expected = MLPClassifier(max_iter=3, random_state=0, **plain).fit(X, y)
        for got, want in zip(
            given.coefs_ + given.intercepts_, expected.coefs_ + expected.intercepts_, strict=True
        ):
            np.testing.assert_array_equal(got, want)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_value_beyond_the_float32_networks_range_is_refused():
    X, y = _three_classes()
    clf = MLPClassifier(max_iter=3, random_state=0).fit(X.astype(np.float32), y)
    Z = X.copy()
    Z[0, 0] = 1e39  # finite in float64, inf in float32
    with pytest.raises(ValueError, match="too large for dtype\\('float32'\\)"):
        clf.predict_proba(Z)
    clf.set_params(warm_start=True)
    with pytest.raises(ValueError, match="too large"):
        clf.fit(Z, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_warm_start_that_switches_early_stopping_keeps_the_docs_attributes():
    X, y = _three_classes()
    clf = MLPClassifier(max_iter=3, random_state=0, warm_start=True, early_stopping=True).fit(X, y)
    clf.set_params(early_stopping=False).fit(X, y)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert np.isfinite(clf.best_loss_)
    clf.set_params(early_stopping=True).fit(X, y)
    assert clf.best_loss_ is None and len(clf.validation_scores_) > 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dropout": None}, "'dropout' parameter"),
        ({"activations": 5}, "'activations' parameter"),
        ({"out_activation": "tanh"}, "must give probabilities"),
        ({"out_activation": "identity"}, "must give probabilities"),
    ],
)
def test_extras_that_cannot_work_are_named(params, message):
    X, y = _three_classes()
    with pytest.raises(ValueError, match=message):
        MLPClassifier(max_iter=3, **params).fit(X, y)


def test_softmax_over_one_binary_unit_is_refused():
    X, y = _three_classes()
    with pytest.raises(ValueError, match="always 1"):
        MLPClassifier(max_iter=3, out_activation="softmax").fit(X, y == 0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cross_entropy_over_logistic_outputs_is_refused():
    # −Σ y ln a over sigmoid units never sees a target of 0: every a drifts to 1
    X, y = _three_classes()
    for target, out in ((y == 0, None), (y, "logistic")):
        with pytest.raises(ValueError, match="ignores every target of 0"):
            MLPClassifier(max_iter=3, loss="cross_entropy", out_activation=out).fit(X, target)
    MLPClassifier(max_iter=3, loss="cross_entropy").fit(X, y)  # over softmax: the default


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_arrays_of_activations_and_dropout_rates_are_lists():
    X, y = _three_classes()
    arrays = MLPClassifier(
        (4, 3),
        max_iter=3,
        random_state=0,
        activations=np.array(["tanh", "relu"]),
        dropout=np.array([0.1, 0.2]),
    ).fit(X, y)
    lists = MLPClassifier(
        (4, 3), max_iter=3, random_state=0, activations=["tanh", "relu"], dropout=[0.1, 0.2]
    ).fit(X, y)
    np.testing.assert_array_equal(arrays.predict_proba(X), lists.predict_proba(X))


def test_a_warm_start_with_early_stopping_that_never_improves_keeps_its_training():
    # scikit-learn's restored weights are the live ones from then on: a warm-start fit
    # that never beats the best score so far keeps its final weights, as it does here
    X, y = make_regression(150, 5, noise=1.0, random_state=0)
    y = y / 100
    kw = dict(
        hidden_layer_sizes=(8,),
        max_iter=20,
        random_state=0,
        shuffle=False,
        warm_start=True,
        early_stopping=True,
        n_iter_no_change=3,
    )
    theirs, ours = sk.MLPRegressor(**kw), MLPRegressor(**kw)
    for _ in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            theirs.fit(X, y)
            ours.fit(X, y)
        pairs = zip(theirs.coefs_ + theirs.intercepts_, ours.coefs_ + ours.intercepts_, strict=True)
        for a, b in pairs:
            np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    assert ours.validation_scores_[-1] < ours.best_validation_score_  # it did not improve


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"verbose": -1}, "'verbose' parameter must be an int >= 0"),
        ({"verbose": "x"}, "'verbose' parameter must be an int >= 0"),
        ({"hidden_layer_sizes": (3.0,)}, "hidden_layer_sizes must be whole numbers"),
    ],
)
def test_more_bad_parameters_are_named(params, message):
    X, y = np.random.default_rng(0).random((10, 2)), [0, 1] * 5
    with pytest.raises(ValueError, match=message):
        MLPClassifier(max_iter=1, **params).fit(X, y)


def test_a_shared_random_state_gives_the_next_fit_sklearns_weights():
    # without shuffling or dropout nothing else is drawn from the RandomState
    X, y = make_classification(60, 4, random_state=0)
    for make in (sk.MLPClassifier, MLPClassifier):
        rs = np.random.RandomState(0)
        kw = dict(hidden_layer_sizes=(5,), max_iter=3, shuffle=False, random_state=rs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            make(**kw).fit(X, y)
            second = make(**kw).fit(X, y)
        if make is sk.MLPClassifier:
            expected = second.coefs_
        else:
            for a, b in zip(expected, second.coefs_, strict=True):
                np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


def test_softmax_over_multilabel_rows_is_refused():
    # one class per example is what softmax gives: rows of two labels would lose one
    X, Y = make_multilabel_classification(40, 5, n_classes=3, random_state=0)
    assert np.any(Y.sum(axis=1) > 1)
    with pytest.raises(ValueError, match=r"out_activation='softmax' gives each example one"):
        MLPClassifier(out_activation="softmax", max_iter=2).fit(X, Y)
    one_hot = np.eye(3, dtype=int)[np.arange(40) % 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(out_activation="softmax", max_iter=2).fit(X, one_hot)  # still taken


def test_softmax_over_one_hot_rows_predicts_one_class_each():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = np.eye(3, dtype=int)[rng.integers(0, 3, 60)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            hidden_layer_sizes=(4,), out_activation="softmax", max_iter=50, random_state=0
        ).fit(X, Y)
    predicted = clf.predict(X)
    assert predicted.shape == Y.shape and np.all(predicted.sum(axis=1) == 1)
    assert np.array_equal(predicted.argmax(axis=1), clf.predict_proba(X).argmax(axis=1))


@pytest.mark.parametrize("side", ["coefs_", "network_", "both"])
def test_a_weight_replaced_on_either_side_is_the_one_both_use(side):
    X, y = small_data("multiclass")
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    zeros = np.zeros_like(clf.coefs_[1])  # output from the biases alone: the same each row
    other = np.ones_like(clf.coefs_[1])
    if side in ("coefs_", "both"):
        clf.coefs_[1] = zeros
    if side == "network_":
        clf.network_.layers[1].W = zeros
    if side == "both":  # both replaced since they last agreed: scikit-learn's attribute wins
        clf.network_.layers[1].W = other
    expected = clf.network_.copy()
    expected.layers[1].W = zeros
    np.testing.assert_array_equal(clf.predict_proba(X[:3]), expected.predict_proba(X[:3]))
    assert clf.coefs_[1] is zeros and clf.network_.layers[1].W is zeros
    np.testing.assert_allclose(clf.predict_proba(X[:3]), clf.predict_proba(X[:1]).repeat(3, 0))
    clf.partial_fit(X, y)  # trained from the replacement, in place, on both sides
    assert clf.coefs_[1] is zeros and clf.network_.layers[1].W is zeros
    assert np.any(zeros)


def test_coefs_replaced_by_lists_or_of_other_shapes():
    X, y = small_data("multiclass")
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    clf.intercepts_[0] = [0.0] * 8  # a list: the network's copy, in both
    clf.predict(X[:2])
    assert isinstance(clf.intercepts_[0], np.ndarray)
    assert clf.intercepts_[0] is clf.network_.layers[0].b
    clf.coefs_[1] = np.zeros((7, 3))
    with pytest.raises(ValueError, match=r"coefs_ or intercepts_ replaced: layers: layer 2"):
        clf.predict(X[:2])
    clf.coefs_ = clf.coefs_[:1]
    with pytest.raises(ValueError, match=r"coefs_ has 1 arrays, the network 2 layers"):
        clf.predict(X[:2])


def test_a_replacement_refused_changes_nothing():
    # the network once kept the refused array, and putting the original back into coefs_
    # was then undone by the next sync
    X, y = small_data("multiclass")
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    expected = clf.predict_proba(X[:3])
    original = clf.coefs_[0]
    clf.coefs_[0] = np.zeros((9, 9))
    with pytest.raises(ValueError, match=r"^coefs_ or intercepts_ replaced: layers: layer 1"):
        clf.predict(X[:3])
    assert clf.network_.layers[0].W is original
    clf.coefs_[0] = original  # put back
    np.testing.assert_array_equal(clf.predict_proba(X[:3]), expected)
    assert clf.coefs_[0] is original and clf.network_.layers[0].W is original
    clf.network_.layers[1].W = np.zeros((2, 3))  # refused on the network's side, named so
    with pytest.raises(ValueError, match=r"^network_: layers: layer 2 takes 2 inputs"):
        clf.predict(X[:3])


@pytest.mark.parametrize("replacement", ["float32", "list"])
def test_a_copy_taken_from_the_network_side_is_in_both(replacement):
    # docs/sklearn.md: a list or another dtype put in network_ is copied, and the copy is
    # then in both: coefs_[0] once held the raw object, and an edit of it was lost
    X, y = small_data("multiclass")
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    W = clf.coefs_[0]
    clf.network_.layers[0].W = W.astype(np.float32) if replacement == "float32" else W.tolist()
    clf.predict(X[:2])
    assert clf.coefs_[0] is clf.network_.layers[0].W
    assert isinstance(clf.coefs_[0], np.ndarray) and clf.coefs_[0].dtype == np.float64
    clf.coefs_[0][...] = 0  # in place: the network's too
    np.testing.assert_allclose(clf.predict_proba(X[:3]), clf.predict_proba(X[:1]).repeat(3, 0))


# --- a refused fit leaves the estimator as it was ---------------------------------------


def test_a_refit_refused_before_training_leaves_the_classifier_as_it_was():
    X, y = make_classification(
        n_samples=60, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y)
    classes, predicted = model.classes_.copy(), model.predict(X)
    # softmax over two labels is refused after the labels were read
    with pytest.raises(ValueError, match="softmax"):
        model.set_params(out_activation="softmax").fit(X, np.where(y > 0, "b", "a"))
    model.set_params(out_activation=None)
    assert model.classes_.tolist() == classes.tolist()
    assert model.predict(X).tolist() == predicted.tolist()


def test_a_dropout_list_of_another_length_is_refused_before_the_trained_model_is_lost():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y)
    coefs = [W.copy() for W in model.coefs_]
    with pytest.raises(ValueError, match=r"one rate per hidden layer \(1\); got 2"):
        model.set_params(dropout=[0.1, 0.2]).fit(X, y)
    assert all(np.array_equal(W, V) for W, V in zip(model.coefs_, coefs, strict=True))
    model.set_params(dropout=[0.1]).fit(X, y)  # one per hidden layer: taken


def test_the_regressor_refuses_targets_that_are_strings():
    X = np.random.default_rng(0).normal(size=(20, 3))
    for y in (np.array(["1.5"] * 20), np.array(["a"] * 20)):
        with pytest.raises(ValueError, match=r"^y: expected numbers \(regression targets\)"):
            MLPRegressor(max_iter=5).fit(X, y)
    MLPRegressor(max_iter=5).fit(X, np.array(["1.5"] * 20, dtype=object))  # as scikit-learn


def test_a_first_partial_fit_refused_leaves_the_classifier_unfitted():
    from sklearn.exceptions import NotFittedError

    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    model = MLPClassifier(hidden_layer_sizes=(8,), out_activation="softmax", random_state=0)
    with pytest.raises(ValueError, match="softmax"):
        model.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(model, "classes_")
    with pytest.raises(NotFittedError):
        model.predict(X)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        model.set_params(out_activation=None).partial_fit(X, y)


def test_a_refused_fit_leaves_a_fitted_regressor_as_it_was():
    # targets a cross-entropy can't take are refused before the network is replaced
    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)
    y = X @ [1.0, 2.0, 3.0, 4.0]
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    coefs, score = [W.copy() for W in reg.coefs_], reg.score(X, y)
    with pytest.raises(ValueError, match=r"^y: binary_cross_entropy takes targets in \[0, 1\]"):
        reg.set_params(loss="binary_cross_entropy").fit(X, y)
    assert reg.score(X, y) == score and reg.n_iter_ == 50
    for before, after in zip(coefs, reg.coefs_, strict=True):
        np.testing.assert_array_equal(before, after)
    fresh = MLPRegressor(loss="binary_cross_entropy")
    with pytest.raises(ValueError, match="takes targets in"):
        fresh.fit(X, y)
    assert not hasattr(fresh, "coefs_")  # not fitted: predict raises NotFittedError


def test_a_warm_start_refuses_other_hidden_layers():
    X, y = make_classification(n_samples=80, n_features=5, random_state=0)
    clf = MLPClassifier((5,), max_iter=3, random_state=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        with pytest.raises(ValueError, match=r"sizes=\(9, 9\), but the fitted .*\(5,\)"):
            clf.set_params(hidden_layer_sizes=(9, 9)).fit(X, y)
        assert [W.shape for W in clf.coefs_] == [(5, 5), (5, 1)]
        part = MLPClassifier(5, random_state=0)
        part.partial_fit(X, y, classes=[0, 1])
        with pytest.raises(ValueError, match=r"hidden_layer_sizes=7, but"):
            part.set_params(hidden_layer_sizes=7).partial_fit(X, y)
        clf.set_params(warm_start=False).fit(X, y)  # a new network of the new sizes
        assert [W.shape for W in clf.coefs_] == [(5, 9), (9, 9), (9, 1)]


def test_a_regressor_refuses_softmax_over_one_output_and_names_random_state():
    X = np.random.RandomState(0).randn(30, 3)
    with pytest.raises(ValueError, match="softmax' over one output unit is always 1"):
        MLPRegressor(out_activation="softmax").fit(X, X[:, 0])
    two = MLPRegressor(
        hidden_layer_sizes=(4,), out_activation="softmax", max_iter=2, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        two.fit(X, np.abs(X[:, :2]) / np.abs(X[:, :2]).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(two.predict(X).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match=r"^random_state must be None, an int .*got 'x'"):
        MLPRegressor(random_state="x").fit(X, X[:, 0])
