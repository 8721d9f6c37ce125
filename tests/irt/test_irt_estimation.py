"""efficacy.item_response estimation: golden values (mirt's documented LSAT7 2PL, a direct scipy
maximisation of the same likelihood written in tests/fixtures/irt/make_grm_reference.py),
the optimum check, parameter recovery and edge cases."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logsumexp

from efficacy.errors import DataError, EfficacyError
from efficacy.item_response import IrtConvergenceWarning, UnobservedCategoryWarning, irt
from efficacy.item_response._estimate import STEP_TOLERANCE

FIXTURES = Path(__file__).parents[1] / "fixtures" / "irt"
REFERENCE = json.loads((FIXTURES / "grm_reference.json").read_text())
NODES = np.linspace(-6, 6, 61)


@pytest.fixture(scope="module")
def lsat7() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "lsat7.csv")


@pytest.fixture(scope="module")
def neuroticism() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "bfi_neuroticism.csv")


@pytest.fixture(scope="module")
def lsat7_model(lsat7):
    return irt(lsat7, model="2PL")


@pytest.fixture(scope="module")
def neuroticism_model(neuroticism):
    return irt(neuroticism)


def test_lsat7_matches_mirt_documentation(lsat7_model):
    # mirt's documented 2PL of LSAT7 (mirt(expand.table(LSAT7), 1)): logLik -2658.805,
    # a1 = .988, 1.081, 1.706, .765, .736.
    assert lsat7_model.log_likelihood == pytest.approx(-2658.805, abs=1e-3)
    np.testing.assert_allclose(
        lsat7_model.items["a"], [0.988, 1.081, 1.706, 0.765, 0.736], atol=3e-3
    )
    assert lsat7_model.model == "2PL"
    assert lsat7_model.n_params == 10
    assert lsat7_model.aic == pytest.approx(2 * 2658.805 + 20, abs=2e-3)


@pytest.mark.parametrize("name", ["lsat7", "bfi_neuroticism"])
def test_matches_direct_maximisation(name, request):
    model = request.getfixturevalue("lsat7_model" if name == "lsat7" else "neuroticism_model")
    ref = REFERENCE["data"][name]
    assert model.log_likelihood == pytest.approx(ref["loglik"], abs=1e-4)
    np.testing.assert_allclose(model.parameters.a, ref["a"], atol=1e-3)
    for got, want in zip(model.parameters.d, ref["d"], strict=True):
        np.testing.assert_allclose(got, want, atol=1e-3)


@pytest.mark.parametrize("name", ["lsat7", "bfi_neuroticism"])
def test_never_below_pypi_mirt(name, request):
    model = request.getfixturevalue("lsat7_model" if name == "lsat7" else "neuroticism_model")
    other = REFERENCE["data"][name]["pypi_mirt"]["loglik_same_quadrature"]
    assert model.log_likelihood >= other - 1e-4


def _direct_loglik(params, data: pd.DataFrame) -> float:
    """The marginal log-likelihood person by person, written out in the test."""
    x = data.to_numpy(dtype=float)
    total = np.zeros((x.shape[0], NODES.size))
    for j, (a, d, codes) in enumerate(zip(params.a, params.d, params.codes, strict=True)):
        star = np.vstack([np.ones(61), expit(a * NODES + d[:, None]), np.zeros(61)])
        prob = star[:-1] - star[1:]
        for k, code in enumerate(codes):
            total[x[:, j] == code] += np.log(prob[k])
    log_w = -0.5 * NODES**2 - logsumexp(-0.5 * NODES**2)
    return float(np.sum(logsumexp(total + log_w, axis=1)))


def test_loglik_is_the_marginal_likelihood(neuroticism, neuroticism_model):
    assert neuroticism_model.log_likelihood == pytest.approx(
        _direct_loglik(neuroticism_model.parameters, neuroticism), abs=1e-8
    )


def test_optimum_is_checked(neuroticism, neuroticism_model):
    model = neuroticism_model
    assert model.converged
    assert model.message == "converged"
    assert model.max_step < STEP_TOLERANCE
    assert model.max_gradient < 1e-3
    # numerical gradient of the independently written likelihood at the estimate
    pars = model.parameters
    base = _direct_loglik(pars, neuroticism)
    h = 1e-5
    for j in (0, 4):
        bumped = type(pars)(
            pars.names,
            pars.a + h * (np.arange(5) == j),
            pars.d,
            pars.codes,
        )
        slope = (_direct_loglik(bumped, neuroticism) - base) / h
        assert abs(slope) < 0.05  # forward difference: h * curvature ~ 0.01


def test_em_tolerance_does_not_limit_accuracy(neuroticism, neuroticism_model):
    loose = irt(neuroticism, tol=1e-2)
    np.testing.assert_allclose(
        loose.parameters.flat(), neuroticism_model.parameters.flat(), atol=1e-6
    )


def test_standard_errors_positive_and_b_delta_method(neuroticism_model):
    items = neuroticism_model.items
    assert (items.filter(like="se_").to_numpy() > 0).all()
    cov = neuroticism_model.covariance
    a, d1 = items["a"].iloc[0], items["d1"].iloc[0]
    grad = np.array([d1 / a**2, -1 / a])
    block = cov[:2, :2]
    assert items["se_b1"].iloc[0] == pytest.approx(np.sqrt(grad @ block @ grad), rel=1e-12)
    np.testing.assert_allclose(items["b1"], -items["d1"] / items["a"], rtol=1e-12)


def _simulate(a, d, n, seed):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    cols = {}
    for j, (aj, dj) in enumerate(zip(a, d, strict=True)):
        star = expit(aj * theta[:, None] + np.asarray(dj)[None, :])
        cols[f"i{j}"] = (rng.uniform(size=n)[:, None] < star).sum(axis=1)
    return pd.DataFrame(cols)


def test_parameter_recovery_within_three_se():
    a = [0.8, 1.2, 1.6, 2.0, 1.0, 1.4, 0.6, 1.8, 1.1, 1.5]
    d = [[1.5, 0.0, -1.5], [2.0, 0.5, -1.0], [1.0, -0.2, -2.0], [2.5, 1.0, -0.5]] * 2
    d += [[0.8, -0.8, -2.4], [1.8, 0.3, -1.2]]
    data = _simulate(a, d, 20_000, seed=2024)
    model = irt(data)
    assert model.converged
    truth = np.concatenate([np.concatenate([[aj], dj]) for aj, dj in zip(a, d, strict=True)])
    se = np.sqrt(np.diag(model.covariance))
    z = (model.parameters.flat() - truth) / se
    assert np.all(np.abs(z) < 3), z


def test_2pl_is_the_graded_model_with_two_categories(lsat7, lsat7_model):
    graded = irt(lsat7)
    assert graded.model == "2PL"
    np.testing.assert_allclose(graded.parameters.flat(), lsat7_model.parameters.flat())
    # the 2PL likelihood in its usual form: P(x = 1) = 1 / (1 + exp(-(a theta + d)))
    x = lsat7.to_numpy()
    a, d = lsat7_model.parameters.a, np.array([v[0] for v in lsat7_model.parameters.d])
    p = expit(a[None, :] * NODES[:, None] + d[None, :])  # nodes x items
    logl = x @ np.log(p).T + (1 - x) @ np.log1p(-p).T
    log_w = -0.5 * NODES**2 - logsumexp(-0.5 * NODES**2)
    assert lsat7_model.log_likelihood == pytest.approx(
        float(np.sum(logsumexp(logl + log_w, axis=1))), abs=1e-8
    )


def test_2pl_refuses_polytomous_items(neuroticism):
    with pytest.raises(DataError, match="binary items"):
        irt(neuroticism, model="2PL")


def test_unobserved_category_is_reported_not_pinned():
    data = _simulate([1.5, 1.2, 1.0], [[1.0, 0.0, -1.0]] * 3, 800, seed=5)
    data.loc[data["i1"] == 2, "i1"] = 1  # nobody chooses code 2 of item i1
    with pytest.warns(UnobservedCategoryWarning, match=r"item 'i1': category \[2\]"):
        model = irt(data, min=0, max=3)
    assert model.items.loc["i1", "n_categories"] == 3
    assert np.isnan(model.items.loc["i1", "d3"])
    assert model.parameters.codes[1].tolist() == [0.0, 1.0, 3.0]
    # scoring a code the model has no category for is an error naming the item
    with pytest.raises(DataError, match="'i1'"):
        model.scores(pd.DataFrame({"i0": [1], "i1": [2], "i2": [1]}))


def test_codes_outside_declared_range_are_named():
    data = pd.DataFrame({"q1": [1, 2, 7, 2], "q2": [1, 2, 2, 1]})
    with pytest.raises(DataError, match=r"column 'q1': 1 cell, rows \[2\], values \[7\]"):
        irt(data, min=1, max=4)


def test_non_numeric_and_constant_items_are_errors():
    with pytest.raises(DataError, match="non-numeric"):
        irt(pd.DataFrame({"q1": [1, "x"], "q2": [1, 2]}))
    with pytest.raises(DataError, match="single observed code"):
        irt(pd.DataFrame({"q1": [1, 1, 1], "q2": [1, 2, 1]}))
    assert issubclass(DataError, EfficacyError)


def test_does_not_mutate_input(neuroticism):
    copy = neuroticism.copy()
    irt(neuroticism.iloc[:300])
    pd.testing.assert_frame_equal(copy, neuroticism)


def test_nonconvergence_is_reported():
    # item q2 copies q1 exactly: its slope has no finite maximum
    rng = np.random.default_rng(1)
    q1 = rng.integers(0, 2, 400)
    data = pd.DataFrame({"q1": q1, "q2": q1, "q3": rng.integers(0, 2, 400)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = irt(data, max_iter=50)
    assert not model.converged
    assert any(issubclass(w.category, IrtConvergenceWarning) for w in caught)
    assert "NOT converged" in str(model.summary())


def test_observed_information_equals_numerical_hessian(neuroticism, neuroticism_model):
    from efficacy.item_response._data import code_responses
    from efficacy.item_response._estimate import MarginalLikelihood, quadrature

    coded = code_responses(neuroticism)
    lik = MarginalLikelihood(coded.categories, [6] * 5, *quadrature())
    params = neuroticism_model.parameters.flat()
    louis = lik.hessian(params)
    numeric = np.empty_like(louis)
    for p in range(params.size):  # central differences of the analytic gradient
        h = 1e-4 * max(1.0, abs(params[p]))
        up, down = params.copy(), params.copy()
        up[p] += h
        down[p] -= h
        numeric[:, p] = (lik.gradient(up)[1] - lik.gradient(down)[1]) / (2 * h)
    numeric = 0.5 * (numeric + numeric.T)
    np.testing.assert_allclose(louis, numeric, atol=1e-5 * np.abs(numeric).max())
    np.testing.assert_allclose(
        np.linalg.inv(-louis), neuroticism_model.covariance, rtol=1e-8, atol=1e-12
    )


def test_rows_without_answers_are_counted_not_hidden(lsat7, lsat7_model):
    padded = pd.concat([lsat7, pd.DataFrame([[None] * 5] * 3, columns=lsat7.columns)])
    padded = padded.reset_index(drop=True)
    model = irt(padded, model="2PL")
    assert model.n_obs == 1000
    assert model.n_empty == 3
    assert "3 rows without answers left out" in str(model.summary())
    assert model.log_likelihood == pytest.approx(lsat7_model.log_likelihood, abs=1e-9)
