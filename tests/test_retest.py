"""test_retest: golden values from R psych 2.2.9 ICC (lmer=FALSE) and cor.test.

Golden values: tests/fixtures/classical/classical.json (make_fixtures.R), on
tests/fixtures/classical/retest.csv. The function is reached through its module so that
pytest does not take the public name ``test_retest`` for a test.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficacy.coefficients import _retest as retest
from efficacy.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "classical"
GOLDEN = json.loads((FIXTURES / "classical.json").read_text())["retest"]
TOL = 1e-8


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "retest.csv").set_index("id")


@pytest.fixture(scope="module")
def result(scores: pd.DataFrame) -> retest.RetestResult:
    return retest.test_retest(scores["t1"], scores["t2"])


def test_iccs_and_cis_match_psych(result: retest.RetestResult) -> None:
    table = result.icc
    assert (
        list(table.index) == GOLDEN["type"] == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    )
    np.testing.assert_allclose(table["icc"], GOLDEN["icc"], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["lower"], GOLDEN["lower"], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["upper"], GOLDEN["upper"], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["f"], GOLDEN["F"], rtol=1e-10)
    np.testing.assert_allclose(table["df1"], GOLDEN["df1"])
    np.testing.assert_allclose(table["df2"], GOLDEN["df2"])
    np.testing.assert_allclose(table["p_value"], GOLDEN["p"], rtol=1e-8, atol=1e-300)
    assert result.icc_a1 == pytest.approx(GOLDEN["icc"][1], abs=TOL)
    np.testing.assert_allclose(result.icc_a1_ci, [GOLDEN["lower"][1], GOLDEN["upper"][1]], atol=TOL)
    assert table.loc["ICC2", "type"] == "ICC(A,1)"


def test_pearson_and_change_match_r(result: retest.RetestResult) -> None:
    assert result.pearson_r == pytest.approx(GOLDEN["pearson_r"], abs=TOL)
    np.testing.assert_allclose(result.pearson_ci, GOLDEN["pearson_ci"], rtol=0, atol=TOL)
    assert result.mean_diff == pytest.approx(GOLDEN["mean_diff"], abs=TOL)
    assert result.sd_diff == pytest.approx(GOLDEN["sd_diff"], abs=TOL)


def test_incomplete_pairs_are_dropped_and_reported(result: retest.RetestResult) -> None:
    assert result.n == GOLDEN["n"] == 37
    assert result.n_dropped == 3
    assert list(result.dropped) == GOLDEN["dropped"] == ["p06", "p18", "p31"]


def test_alignment_is_by_label_not_position(scores: pd.DataFrame) -> None:
    shuffled = scores["t2"].sample(frac=1.0, random_state=3)
    res = retest.test_retest(scores["t1"], shuffled)
    assert res.icc_a1 == pytest.approx(GOLDEN["icc"][1], abs=TOL)


def test_labels_in_one_occasion_only_are_named(scores: pd.DataFrame) -> None:
    t2 = scores["t2"].drop(["p03"]).rename({"p04": "p99"})
    with pytest.raises(DataError, match=r"only in t1 \['p03', 'p04'\].*only in t2 \['p99'\]"):
        retest.test_retest(scores["t1"], t2)


def test_ids_choose_the_people(scores: pd.DataFrame) -> None:
    t2 = scores["t2"].rename({"p04": "p99"})
    ids = [i for i in scores.index if i != "p04"]
    res = retest.test_retest(scores["t1"], t2, ids=ids)
    assert res.n == 36 and res.n_dropped == 3
    with pytest.raises(DataError, match=r"ids not found in t2: \['p04'\]"):
        retest.test_retest(scores["t1"], t2, ids=[*ids, "p04"])


def test_arrays_and_one_column_frames(scores: pd.DataFrame) -> None:
    arrays = retest.test_retest(scores["t1"].to_numpy(), scores["t2"].to_numpy())
    frames = retest.test_retest(scores[["t1"]], scores[["t2"]])
    for res in (arrays, frames):
        assert res.icc_a1 == pytest.approx(GOLDEN["icc"][1], abs=TOL)
    assert arrays.dropped == (5, 17, 30)
    with pytest.raises(DataError, match="must pair up"):
        retest.test_retest([1.0, 2, 3, 4, 5], [1.0, 2, 3, 4])
    with pytest.raises(DataError, match="one column"):
        retest.test_retest(scores, scores["t2"])


@pytest.mark.parametrize(
    ("t1", "t2", "message"),
    [
        (
            [1.0, 2, np.nan, 4, 5],
            [1.0, np.nan, 3, 4, 5.5],
            "at least 4 complete pairs of scores, got 3",
        ),
        ([2.0, 2, 2, 2, 2], [1.0, 2, 3, 4, 5], "t1 is constant"),
        (["1", "2", "x", "4"], [1.0, 2, 3, 4], r"numeric; rows \[2\], values \['x'\]"),
        ([1.0, 2, np.inf, 4], [1.0, 2, 3, 4], "finite"),
    ],
)
def test_bad_input(t1: list, t2: list, message: str) -> None:
    with pytest.raises(DataError, match=message):
        retest.test_retest(pd.Series(t1), pd.Series(t2))


def test_duplicate_labels_are_refused() -> None:
    t1 = pd.Series([1.0, 2, 3, 4, 5], index=list("abcda"))
    with pytest.raises(DataError, match=r"t1 has duplicate labels: \['a'\]"):
        retest.test_retest(t1, t1)


def test_inputs_and_pingouin_options_untouched(scores: pd.DataFrame) -> None:
    import pingouin

    before = scores.copy()
    options = dict(pingouin.options)
    retest.test_retest(scores["t1"], scores["t2"])
    pd.testing.assert_frame_equal(scores, before)
    assert dict(pingouin.options) == options


def test_to_frame(result: retest.RetestResult) -> None:
    frame = result.to_frame()
    assert list(frame.columns) == ["value", "lower", "upper"]
    assert frame.loc["ICC2", "value"] == result.icc_a1
    assert frame.loc["pearson_r", "lower"] == result.pearson_ci[0]
    assert np.isnan(frame.loc["mean_diff", "lower"])
