"""efficacy.item_response scoring, sum-score table, information and marginal reliability, each
against a brute-force computation written in the test; and invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import expit
from scipy.stats import norm

from efficacy.errors import DataError
from efficacy.item_response import GradedParameters, irt

NODES = np.linspace(-6, 6, 61)
WEIGHTS = norm.pdf(NODES) / norm.pdf(NODES).sum()


def _pars() -> GradedParameters:
    return GradedParameters(
        ("q1", "q2", "q3", "q4"),
        np.array([1.7, 0.9, 2.3, 1.2]),
        (
            np.array([2.0, 0.5, -1.0]),
            np.array([1.0, -0.5]),
            np.array([0.3]),
            np.array([2.5, 1.0, -0.2, -1.8]),
        ),
        (
            np.array([1.0, 2.0, 3.0, 4.0]),
            np.array([0.0, 1.0, 2.0]),
            np.array([0.0, 1.0]),
            np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
        ),
    )


def _prob(a: float, d: np.ndarray, k: int, theta: float) -> float:
    """P(category k) at one theta, one cumulative probability at a time."""
    above = 1.0 if k == 0 else expit(a * theta + d[k - 1])
    below = 0.0 if k == d.size else expit(a * theta + d[k])
    return above - below


def _brute_posterior(pars: GradedParameters, row: list[float | None]) -> np.ndarray:
    post = WEIGHTS.copy()
    for q, theta in enumerate(NODES):
        for j, value in enumerate(row):
            if value is None:
                continue
            k = int(np.flatnonzero(pars.codes[j] == value)[0])
            post[q] *= _prob(pars.a[j], pars.d[j], k, theta)
    return post / post.sum()


def _all_patterns(pars: GradedParameters) -> list[tuple[float, ...]]:
    return list(itertools.product(*[c.tolist() for c in pars.codes]))


def test_eap_equals_brute_force_quadrature():
    pars = _pars()
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(40):
        row = [float(rng.choice(c)) if rng.uniform() > 0.2 else None for c in pars.codes]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(pars.names), dtype=float)
    got = pars.score(frame, "EAP")
    for i, row in enumerate(rows):
        post = _brute_posterior(pars, row)
        mean = post @ NODES
        sd = np.sqrt(post @ (NODES - mean) ** 2)
        assert got["theta"].iloc[i] == pytest.approx(mean, abs=1e-8)
        assert got["se"].iloc[i] == pytest.approx(sd, abs=1e-8)
    np.testing.assert_allclose(got["T"], 50 + 10 * got["theta"])


def test_lord_wingersky_equals_summed_pattern_posteriors():
    pars = _pars()
    table = pars.sum_score_table()
    joint: dict[int, np.ndarray] = {}
    for pattern in _all_patterns(pars):
        like = np.ones(NODES.size)
        for j, value in enumerate(pattern):
            k = int(np.flatnonzero(pars.codes[j] == value)[0])
            like *= np.array([_prob(pars.a[j], pars.d[j], k, t) for t in NODES])
        total = int(sum(pattern))
        joint[total] = joint.get(total, 0.0) + like * WEIGHTS
    assert table["sum_score"].tolist() == sorted(joint)
    for _, row in table.iterrows():
        post = joint[int(row["sum_score"])]
        marginal = post.sum()
        post = post / marginal
        mean = post @ NODES
        assert row["theta"] == pytest.approx(mean, abs=1e-10)
        assert row["se"] == pytest.approx(np.sqrt(post @ (NODES - mean) ** 2), abs=1e-10)
        assert row["probability"] == pytest.approx(marginal, abs=1e-12)
    assert table["probability"].sum() == pytest.approx(1.0, abs=1e-12)


def test_sum_score_table_needs_whole_codes():
    pars = _pars()
    half = GradedParameters(pars.names[:1], pars.a[:1], pars.d[:1], (pars.codes[0] / 2,))
    with pytest.raises(DataError, match="whole-number codes"):
        half.sum_score_table()


def _log_posterior(pars, row, theta, prior=True):
    total = -0.5 * theta**2 if prior else 0.0
    for j, value in enumerate(row):
        k = int(np.flatnonzero(pars.codes[j] == value)[0])
        total += np.log(_prob(pars.a[j], pars.d[j], k, theta))
    return total


@pytest.mark.parametrize("method", ["MAP", "ML"])
def test_modes_are_stationary_points(method):
    pars = _pars()
    rows = [[2.0, 1.0, 1.0, 3.0], [4.0, 0.0, 0.0, 2.0], [1.0, 2.0, 1.0, 5.0]]
    frame = pd.DataFrame(rows, columns=list(pars.names))
    got = pars.score(frame, method)
    h = 1e-5
    for i, row in enumerate(rows):
        t = got["theta"].iloc[i]
        f = lambda x, row=row: _log_posterior(pars, row, x, method == "MAP")  # noqa: E731
        slope = (f(t + h) - f(t - h)) / (2 * h)
        curv = (f(t + h) - 2 * f(t) + f(t - h)) / h**2
        assert abs(slope) < 1e-6
        assert got["se"].iloc[i] == pytest.approx(1 / np.sqrt(-curv), rel=1e-4)
    assert (got["status"] == "ok").all()


def test_no_answers_get_the_prior_and_are_marked():
    pars = _pars()
    frame = pd.DataFrame([[None] * 4, [1.0, 0.0, 0.0, 1.0]], columns=list(pars.names))
    eap = pars.score(frame, "EAP")
    assert eap["theta"].iloc[0] == 0.0
    assert eap["se"].iloc[0] == 1.0  # the N(0, 1) prior
    assert eap["status"].tolist() == ["no answers", "ok"]
    assert eap["n_answered"].tolist() == [0, 4]
    map_ = pars.score(frame, "MAP")
    assert map_["theta"].iloc[0] == 0.0
    assert map_["se"].iloc[0] == 1.0
    ml = pars.score(frame, "ML")
    assert np.isnan(ml["theta"].iloc[0])
    assert ml["status"].tolist() == ["no answers", "extreme"]
    assert ml["theta"].iloc[1] == -np.inf


def test_score_errors_name_columns_and_method():
    pars = _pars()
    with pytest.raises(DataError, match="q4"):
        pars.score(pd.DataFrame({"q1": [1], "q2": [0], "q3": [0]}))
    with pytest.raises(DataError, match="method"):
        pars.score(pd.DataFrame({n: [1] for n in pars.names}), "WLE")


def test_information_matches_numeric_derivative():
    pars = _pars()
    theta = np.array([-2.0, -0.3, 0.0, 1.1, 2.5])
    info = pars.item_information(theta)
    h = 1e-6
    for j in range(4):
        for q, t in enumerate(theta):
            total = 0.0
            for k in range(pars.codes[j].size):
                p = _prob(pars.a[j], pars.d[j], k, t)
                dp = (
                    _prob(pars.a[j], pars.d[j], k, t + h) - _prob(pars.a[j], pars.d[j], k, t - h)
                ) / (2 * h)
                total += dp**2 / p
            assert info[j, q] == pytest.approx(total, rel=1e-6)


def test_marginal_reliability_matches_quad():
    pars = _pars()

    def integrand(t: float) -> float:
        info = pars.item_information(np.array([t])).sum()
        return info / (info + 1) * norm.pdf(t)

    want = integrate.quad(integrand, -np.inf, np.inf, epsabs=1e-12)[0]
    assert pars.marginal_reliability() == pytest.approx(want, abs=1e-8)


def test_model_information_frame():
    rng = np.random.default_rng(4)
    trait = rng.normal(size=600)
    data = pd.DataFrame({f"q{j}": (trait + rng.logistic(size=600) > 0) * 1 for j in (1, 2, 3)})
    model = irt(data)
    frame = model.information([0.0, 1.0])
    assert frame.columns.tolist() == ["theta", "q1", "q2", "q3", "test", "sem"]
    np.testing.assert_allclose(frame["test"], frame[["q1", "q2", "q3"]].sum(axis=1))
    np.testing.assert_allclose(frame["sem"], 1 / np.sqrt(frame["test"]))


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(0.2, 4.0),
    gaps=st.lists(st.floats(0.05, 3.0), min_size=1, max_size=5),
    top=st.floats(-3.0, 3.0),
    theta=st.lists(st.floats(-8.0, 8.0), min_size=1, max_size=6),
)
def test_category_probabilities_are_a_distribution(a, gaps, top, theta):
    d = top - np.concatenate([[0.0], np.cumsum(gaps)])
    codes = np.arange(d.size + 1, dtype=float)
    pars = GradedParameters(("q",), np.array([a]), (d,), (codes,))
    probs = pars.probabilities(np.array(theta))[0]
    assert np.all(probs > 0)
    np.testing.assert_allclose(probs.sum(axis=0), 1.0, atol=1e-12)
    assert np.all(pars.item_information(np.array(theta)) >= 0)


@settings(max_examples=40, deadline=None)
@given(pattern=st.tuples(*[st.sampled_from([*c.tolist(), None]) for c in _pars().codes]))
def test_posterior_sd_never_exceeds_the_prior(pattern):
    # a log-concave likelihood times a normal prior: posterior variance <= prior variance
    pars = _pars()
    frame = pd.DataFrame([list(pattern)], columns=list(pars.names), dtype=float)
    out = pars.score(frame, "EAP")
    prior_sd = np.sqrt(WEIGHTS @ NODES**2)
    if all(v is None for v in pattern):
        assert out["se"].iloc[0] == 1.0  # no answers: the N(0, 1) prior itself
    else:
        assert out["se"].iloc[0] <= prior_sd + 1e-12
    assert -6 <= out["theta"].iloc[0] <= 6


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_scores_follow_rows_and_leave_data_alone(seed):
    pars = _pars()
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {n: rng.choice(c, size=6) for n, c in zip(pars.names, pars.codes, strict=True)},
        index=[f"p{i}" for i in range(6)],
    )
    copy = frame.copy()
    out = pars.score(frame)
    shuffled = pars.score(frame.iloc[::-1])
    pd.testing.assert_frame_equal(out.iloc[::-1], shuffled)
    pd.testing.assert_frame_equal(frame, copy)


def test_eap_of_very_unlikely_patterns_is_still_exact():
    # 250 steep binary items answered against the trait: the pattern's likelihood is far
    # below 1e-280 at every node, so the posterior is taken relative to its maximum
    n = 250
    pars = GradedParameters(
        tuple(f"q{j}" for j in range(n)),
        np.full(n, 4.0),
        tuple(np.array([v]) for v in np.linspace(-8, 8, n)),
        (np.array([0.0, 1.0]),) * n,
    )
    pattern = (np.linspace(-8, 8, n) < 0).astype(float)  # hard items right, easy ones wrong
    frame = pd.DataFrame([pattern], columns=list(pars.names))
    got = pars.score(frame)
    logpost = np.log(WEIGHTS)
    for j in range(n):
        p = expit(4.0 * NODES + pars.d[j][0])
        logpost = logpost + (np.log(p) if pattern[j] else np.log1p(-p))
    assert logpost.max() < np.log(1e-280)
    post = np.exp(logpost - logpost.max())
    post /= post.sum()
    mean = post @ NODES
    assert got["theta"].iloc[0] == pytest.approx(mean, abs=1e-8)
    assert got["se"].iloc[0] == pytest.approx(np.sqrt(post @ (NODES - mean) ** 2), abs=1e-8)


def test_half_step_codes_are_coded_exactly():
    pars = GradedParameters(
        ("q1",), np.array([1.0]), (np.array([1.0, 0.0, -1.0]),), (np.array([0.5, 1.0, 1.5, 2.0]),)
    )
    got = pars.code(pd.DataFrame({"q1": [0.5, 1.0, 1.5, 2.0, None]}))
    assert got[:, 0].tolist() == [0, 1, 2, 3, -1]
    with pytest.raises(DataError, match=r"values \[1\.25\]"):
        pars.code(pd.DataFrame({"q1": [0.5, 1.25]}))
