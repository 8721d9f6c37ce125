"""EAP scoring by distinct answer pattern equals scoring row by row, and the scoring of
checked values (``score_checked``) equals scoring the same data frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from efficacy.item_response import GradedParameters
from efficacy.item_response._estimate import quadrature
from efficacy.item_response._params import _distinct_rows


def _graded(n_items: int, n_cat: int, codes: np.ndarray | None = None) -> GradedParameters:
    rng = np.random.default_rng(11)
    levels = np.arange(n_cat, dtype=float) if codes is None else codes
    return GradedParameters(
        tuple(f"q{j}" for j in range(n_items)),
        rng.uniform(0.6, 2.5, n_items),
        tuple(np.sort(rng.uniform(-2.5, 2.5, n_cat - 1))[::-1].copy() for _ in range(n_items)),
        tuple(levels.copy() for _ in range(n_items)),
    )


def _rows(pars: GradedParameters, categories: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    nodes, tables, strides, widths = pars._eap_tables(61)
    filled = np.where(categories < 0, widths - 1.0, categories)
    return [nodes, tables], filled @ strides


def _answers(n_rows: int, n_items: int, n_cat: int, seed: int) -> np.ndarray:
    """Categories from a few hundred patterns (so patterns repeat), 10% missing cells."""
    rng = np.random.default_rng(seed)
    patterns = rng.integers(0, n_cat, size=(300, n_items))
    out = patterns[rng.integers(0, 300, n_rows)].astype(float)
    out[rng.random(out.shape) < 0.1] = -1.0
    return out


def test_grouped_equals_row_by_row_with_missing_cells():
    pars = _graded(10, 4)
    categories = _answers(20_000, 10, 4, seed=1)
    categories[:50] = -1.0  # rows without answers
    categories[50:60, :9] = -1.0  # one answer only
    (nodes, tables), rows = _rows(pars, categories)
    assert len(tables) == 2  # the pattern numbers span two tables
    by_row = pars._eap_sums(nodes, tables, rows, group=False)
    grouped = pars._eap_sums(nodes, tables, rows, group=True)
    np.testing.assert_allclose(grouped[0], by_row[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(grouped[1], by_row[1], rtol=0, atol=1e-12)
    distinct, _ = _distinct_rows(rows, [t.shape[0] for t in tables])
    assert distinct.shape[0] < rows.shape[0] // 2  # patterns did repeat


def test_automatic_grouping_in_score_equals_row_by_row():
    # 8 binary items: 3 ** 8 = 6561 possible patterns (with "not answered") in two
    # tables, fewer than the 10,000 rows, so score() groups by pattern
    pars = _graded(8, 2)
    categories = _answers(10_000, 8, 2, seed=2)
    frame = pd.DataFrame(np.where(categories < 0, np.nan, categories), columns=list(pars.names))
    got = pars.score(frame, "EAP")
    (nodes, tables), rows = _rows(pars, categories)
    assert len(tables) == 2 and np.prod([t.shape[0] for t in tables]) <= len(frame)
    theta, se = pars._eap_sums(nodes, tables, rows, group=False)
    np.testing.assert_allclose(got["theta"], np.where(categories.max(axis=1) < 0, 0.0, theta),
                               rtol=0, atol=1e-12)  # fmt: skip
    answered = (categories >= 0).any(axis=1)
    np.testing.assert_allclose(got["se"][answered], se[answered], rtol=0, atol=1e-12)
    # and one row against the posterior computed by hand on the 61 nodes
    nodes, weights = quadrature(61)
    post = weights.copy()
    for j, probs in enumerate(pars.probabilities(nodes)):
        if categories[0, j] >= 0:
            post = post * probs[int(categories[0, j])]
    post /= post.sum()
    assert got["theta"].iloc[0] == pytest.approx(post @ nodes, abs=1e-12)


@pytest.mark.parametrize("codes", [np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 2.0, 4.0])])
def test_score_checked_equals_score(codes):
    pars = _graded(10, codes.size, codes)
    categories = _answers(3_000, 10, codes.size, seed=3)
    categories[:5] = -1.0
    values = np.where(categories < 0, np.nan, codes[np.maximum(categories, 0).astype(int)])
    frame = pd.DataFrame(values, columns=list(pars.names))
    checked = pars.score_checked(values, frame.index, codes, "EAP")
    plain = pars.score(frame, "EAP")
    pd.testing.assert_frame_equal(checked, plain, check_exact=False, rtol=0, atol=1e-12)
    assert checked["n_answered"].tolist() == (~np.isnan(values)).sum(axis=1).tolist()


def test_distinct_rows_rebuild_every_row():
    rng = np.random.default_rng(4)
    rows = rng.integers(0, 3, size=(500, 3)).astype(float) * [1.0, 1.0, 2.0]
    distinct, inverse = _distinct_rows(rows, [3, 3, 5])
    np.testing.assert_array_equal(distinct[inverse], rows)
    assert len({tuple(r) for r in distinct.tolist()}) == distinct.shape[0]
