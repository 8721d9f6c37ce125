"""Case-wise moments: sums of parts add up, and the score formula equals the rows' own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.validation._casewise import CaseMoments, moment_sums, score_outer
from efficacy.validation._ml import GroupData, implied, score_meat
from efficacy.validation._model import build_model


def _direct(x, mean, a_e, a_w, b, shift):
    """The scores row by row, then their mean outer product."""
    e = x - mean + shift
    rows, cols = np.tril_indices(x.shape[1])
    s = e @ a_e.T + (e[:, rows] * e[:, cols]) @ a_w.T + b
    return s.T @ s / len(x)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 60),
    p=st.integers(1, 5),
    cut=st.floats(0, 1),
)
def test_score_outer_equals_the_rows_and_parts_add_up(seed, n, p, cut):
    rng = np.random.default_rng(seed)
    x = rng.gamma(2.0, size=(n, p)) * rng.uniform(0.5, 3, size=p) + rng.normal(size=p)
    q = p * (p + 1) // 2
    k = 4
    a_e, a_w, b = rng.normal(size=(k, p)), rng.normal(size=(k, q)), rng.normal(size=k)
    shift = rng.normal(size=p)
    whole = CaseMoments.from_rows(x)
    expected = _direct(x, whole.mean, a_e, a_w, b, shift)
    got = score_outer(whole, a_e, a_w, b, shift)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())
    # two parts summed around the whole's mean give the whole's moments
    m = int(cut * n)
    parts = [moment_sums(x[:m] - whole.mean), moment_sums(x[m:] - whole.mean)]
    summed = CaseMoments.from_sums(whole.mean, *[a + c for a, c in zip(*parts, strict=True)])
    for name in ("first", "second", "third", "fourth"):
        mine, theirs = getattr(summed, name), getattr(whole, name)
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12 * max(1, np.abs(theirs).max()))


@pytest.mark.parametrize("meanstructure", [False, True])
def test_meat_equals_the_outer_product_of_the_case_wise_scores(meanstructure):
    """By hand: score_k = 0.5 (z' dSigma_k z - tr(S^-1 dSigma_k)) + z' dmu_k, z = S^-1 e."""
    rng = np.random.default_rng(11)
    x = rng.gamma(2.0, size=(300, 6)) + rng.normal(size=(300, 1))
    gd = GroupData.from_array(x)
    model = build_model({"A": ["a", "b", "c"], "B": ["d", "e", "f"]}, meanstructure=meanstructure)
    theta = model.start([gd.cov], [gd.mean]) + rng.normal(scale=0.05, size=model.n_free)
    dv = implied(model, theta, 0, gd)
    sinv = np.linalg.inv(dv.sigma)
    z = (x - (dv.mu if meanstructure else gd.mean)) @ sinv
    scores = 0.5 * (
        np.einsum("ni,kij,nj->nk", z, dv.d_sigma, z) - np.einsum("ij,kji->k", sinv, dv.d_sigma)
    )
    if meanstructure:
        scores += z @ dv.d_mu.T
    expected = scores.T @ scores / len(x)
    np.testing.assert_allclose(score_meat(dv, gd, meanstructure), expected, rtol=0, atol=1e-13)


def test_no_rows_is_an_error():
    with pytest.raises(ValueError, match="at least one row"):
        CaseMoments.from_sums(np.zeros(2), *moment_sums(np.empty((0, 2))))
