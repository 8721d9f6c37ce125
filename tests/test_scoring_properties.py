"""Invariants of scoring, checked on generated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import efficacy as ef
from efficacy.scoring import _reverse

GSE = ef.load("gse")
ITEMS = list(GSE.item_ids)

# GSE responses: codes 1-4 or missing, 1-30 respondents
responses = arrays(
    dtype=float,
    shape=st.tuples(st.integers(1, 30), st.just(10)),
    elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, np.nan]),
)


@settings(max_examples=60, deadline=None)
@given(responses)
def test_scores_stay_inside_the_scales_range(values):
    scores = ef.score(pd.DataFrame(values, columns=ITEMS), GSE)["gse"].dropna()
    assert ((scores >= 10 - 1e-9) & (scores <= 40 + 1e-9)).all()
    means = ef.score(pd.DataFrame(values, columns=ITEMS), GSE, method="mean")["gse"].dropna()
    assert ((means >= 1 - 1e-9) & (means <= 4 + 1e-9)).all()


@settings(max_examples=60, deadline=None)
@given(responses)
def test_the_missing_rule_decides_exactly_which_rows_are_scored(values):
    scores = ef.score(pd.DataFrame(values, columns=ITEMS), GSE)
    answered = (~np.isnan(values)).sum(axis=1)
    assert (scores["gse_n_valid"].to_numpy() == answered).all()
    assert (scores["gse"].notna().to_numpy() == (answered >= 7)).all()


@settings(max_examples=40, deadline=None)
@given(responses, st.randoms(use_true_random=False))
def test_column_order_does_not_matter(values, random):
    data = pd.DataFrame(values, columns=ITEMS)
    shuffled = list(data.columns)
    random.shuffle(shuffled)
    pd.testing.assert_frame_equal(ef.score(data, GSE), ef.score(data[shuffled], GSE))


@settings(max_examples=40, deadline=None)
@given(responses)
def test_reverse_keying_twice_is_the_identity(values):
    reversed_everything = _with_all_items_reversed()
    once = _reverse(values, reversed_everything)
    np.testing.assert_array_equal(_reverse(once, reversed_everything), values)
    observed = ~np.isnan(values)
    # within the declared range, reversal maps codes onto codes
    assert np.isin(once[observed], [1.0, 2.0, 3.0, 4.0]).all()


@settings(max_examples=40, deadline=None)
@given(responses)
def test_labels_score_like_their_codes(values):
    labels = GSE.response.labels
    as_text = pd.DataFrame(values, columns=ITEMS).apply(
        lambda column: column.map(lambda v: None if np.isnan(v) else labels[v].upper())
    )
    pd.testing.assert_frame_equal(
        ef.score(as_text, GSE),
        ef.score(pd.DataFrame(values, columns=ITEMS), GSE),
        check_exact=True,
    )


def _with_all_items_reversed() -> ef.Instrument:
    from dataclasses import replace

    return replace(GSE, items=tuple(replace(item, keyed="-") for item in GSE.items))
